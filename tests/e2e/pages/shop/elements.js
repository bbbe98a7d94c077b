// Test fixture for tests/e2e/shop.test.mjs: elements with every kind of attribute, and two
// init() calls in the default consent ("context-only": one console note for both).
import { init } from '/shelfwise/index.js';
import { registerShelfwise } from '/shelfwise/element.js';

const ready = init({ pack: '/demo/data/shop.pack' });
registerShelfwise(ready);
const shelfwise = await ready;
const second = await init({ pack: '/demo/data/shop.pack' });
second.close();
window.shop = { shelfwise };
document.body.dataset.ready = 'true';
