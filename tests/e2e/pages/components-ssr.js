// Test fixture for tests/e2e/components.test.mjs: server-rendered cards inside <shelfwise-shelf>.
import { init, registerShelfwise } from '/shelfwise/index.js';

// Set before the element is defined: the element must pick it up when it upgrades.
document.getElementById('ssr').formatPrice = (price) => `EUR ${price.toFixed(2)}`;
const ready = init({ pack: '/demo/data/shop.pack' });
registerShelfwise(ready);
const shelfwise = await ready;
window.fx = { shelfwise };
document.body.dataset.ready = 'true';
