// Test fixture for tests/e2e/shop.test.mjs: elements with every kind of attribute, and two
// init() calls in the default consent ("context-only": one console note for both).
import { init, shelfStore } from '/shelfwise/index.js';
import { registerShelfwise } from '/shelfwise/element.js';

const ready = init({ pack: '/demo/data/shop.pack' });
registerShelfwise(ready);
const shelfwise = await ready;
const second = await init({ pack: '/demo/data/shop.pack' });
second.close();
// The headless store passes shelf()'s other options (here filters) on as given.
const cheap = shelfStore(shelfwise, 'trending', { k: 3, filters: { maxPrice: 5 } });
const storePrices = new Promise((resolve) => {
  cheap.subscribe(() => {
    const { status, shelf } = cheap.getSnapshot();
    if (status === 'ready') resolve(shelf.items.map((item) => item.price));
  });
});
window.shop = { shelfwise, storePrices };
document.body.dataset.ready = 'true';
