// Test fixture for tests/e2e/components.test.mjs: server-rendered cards inside <shelfwise-shelf>.
import { init, registerShelfwise } from '/shelfwise/index.js';

const ready = init({ pack: '/demo/data/shop.pack' });
registerShelfwise(ready);
const shelfwise = await ready;
window.fx = { shelfwise };
document.body.dataset.ready = 'true';
