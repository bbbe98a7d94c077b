// Test fixture for tests/e2e/components.test.mjs: a page with two <shelfwise-shelf> elements
// below the first screen and auto-tracked product cards the test adds with fx.showProducts().
//   window.fx.tracked: every event autotrack passed to shelfwise.track, in order
//   window.fx.renders: { shelf, stubbed } counts of shelfwise-render events
//   window.fx.stubShelves: the shelf() calls the stub instance answered
import { autotrack, init, registerShelfwise, defineShelfwiseShelf } from '/shelfwise/index.js';

const tracked = [];
const pending = [];
const renders = { shelf: 0, stubbed: 0 };
const stubShelves = [];

// A stand-in instance for #stubbed whose items carry markup and script URLs: the element must
// show the markup as text and drop the URLs.
const HOSTILE = '<img src=x onerror="window.pwned=1"><b>bold</b>';
const stub = {
  async shelf(kind, options) {
    stubShelves.push({ kind, options });
    return {
      kind, title: 'Stub shelf', personalized: false,
      items: Array.from({ length: options.k }, (_, i) => ({
        id: `STUB-${i}`, title: `${HOSTILE} ${i}`, category: 'Stub', brand: '<script>window.pwned=1</script>',
        price: 1, image: 'javascript:window.pwned=1', url: 'javascript:window.pwned=1', inStock: true,
        score: 1, reason: 'stub',
      })),
    };
  },
  subscribe: () => () => {},
};

for (const id of Object.keys(renders)) {
  document.getElementById(id).addEventListener('shelfwise-render', () => { renders[id] += 1; });
}

const ready = init({ pack: '/demo/data/shop.pack' });
defineShelfwiseShelf();
document.getElementById('stubbed').shelfwise = stub;
registerShelfwise(ready);
const shelfwise = await ready;
const realTrack = shelfwise.track.bind(shelfwise);
shelfwise.track = (event) => {
  tracked.push({ ...event });
  const result = realTrack(event);
  pending.push(result.catch(() => {}));
  return result;
};
const stop = autotrack(shelfwise);

/** Adds one auto-tracked product card per id at the top of the page. */
function showProducts(ids) {
  const products = document.getElementById('products');
  for (const id of ids) {
    const card = document.createElement('article');
    card.className = 'product';
    card.dataset.shelfwiseItem = id;
    card.dataset.shelfwiseEvent = 'view';
    const link = document.createElement('a');
    link.href = `#p-${id}`;
    link.dataset.shelfwiseEvent = 'click';
    link.textContent = id;
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.shelfwiseEvent = 'add_to_cart';
    button.textContent = 'Add to cart';
    card.append(link, button);
    products.append(card);
  }
}

/** Ids on a shelf element, placeholders excluded. */
function shelfIds(selector) {
  return [...document.querySelectorAll(`${selector} .shelfwise-card:not(.shelfwise-placeholder)`)].map((card) => card.dataset.itemId);
}

window.fx = {
  shelfwise, tracked, renders, stubShelves, showProducts, shelfIds, stop,
  /** Resolves when every tracked event was answered by the engine. */
  settle: () => Promise.all(pending),
  /** What the engine ranks now, for comparing with what an element shows. */
  async expected(k, exclude = []) {
    return (await shelfwise.shelf('for-you', { k, exclude })).items.map((item) => item.id);
  },
};
document.body.dataset.ready = 'true';
