// Test fixture for tests/e2e/shop.test.mjs: a three-page shop (home.html, product.html?id=…,
// cart.html) built the way the README and docs/API.md say, with only <shelfwise-shelf>,
// autotrack and shelfwise/style.css, in consent "on-device".
//   window.shop.renders: every shelfwise-render heard on document ({ id, kind, items })
//   window.shop.tracked: every event autotrack passed to track(); window.shop.settle():
//   resolves when every tracked event was stored
import { autotrack, init, safeUrl } from '/shelfwise/index.js';
import { registerShelfwise } from '/shelfwise/element.js';

const renders = [];
const pending = [];
const tracked = [];
document.addEventListener('shelfwise-render', (event) => {
  renders.push({ id: event.target.id, kind: event.detail.shelf.kind, items: event.detail.shelf.items.map((item) => item.id) });
});

const productId = new URLSearchParams(location.search).get('id');
if (productId) for (const shelf of document.querySelectorAll('shelfwise-shelf[data-context="product"]')) shelf.setAttribute('item', productId);

const ready = init({ pack: '/demo/data/shop.pack', consent: 'on-device' });
registerShelfwise(ready);
const shelfwise = await ready;
const track = shelfwise.track.bind(shelfwise);
shelfwise.track = (event) => {
  tracked.push({ ...event });
  const result = track(event);
  pending.push(result.catch(() => {}));
  return result;
};
autotrack(shelfwise);

const product = document.getElementById('product');
if (product && productId) {
  const item = await shelfwise.item(productId);
  product.dataset.shelfwiseItem = item.id;
  product.querySelector('h1').textContent = item.title;
  const image = product.querySelector('img');
  image.src = safeUrl(item.image) ?? '';
}

window.shop = { shelfwise, renders, tracked, settle: () => Promise.all(pending) };
document.body.dataset.ready = 'true';
