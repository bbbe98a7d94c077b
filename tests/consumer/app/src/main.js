// A shop page written the way the docs say: the element, auto-tracking markup and the headless
// store, all imported from the installed package. `?wasm=URL` overrides the wasm location.
import { autotrack, init, shelfStore } from 'shelfwise';
import { registerShelfwise } from 'shelfwise/element';
import 'shelfwise/style.css';

// One page, so the default consent ("context-only": nothing stored) is enough here.
const wasm = new URLSearchParams(location.search).get('wasm');
const ready = init({ pack: '/shop.pack', consent: 'context-only', ...(wasm ? { wasm } : {}) });
registerShelfwise(ready);
const shelfwise = await ready;
autotrack(shelfwise);

const catalog = await shelfwise.items(0, 1000);
const categories = [...new Set(catalog.map((item) => item.category))].sort();
const nav = document.getElementById('categories');
for (const category of categories) {
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.category = category;
  button.textContent = category;
  button.addEventListener('click', () => showCategory(category));
  nav.append(button);
}

/** Product cards of one category, marked for auto-tracking (views, clicks, add to cart). */
function showCategory(category) {
  const cards = catalog.filter((item) => item.category === category && item.inStock).map((item) => {
    const card = document.createElement('article');
    card.className = 'product';
    card.dataset.shelfwiseItem = item.id;
    card.dataset.shelfwiseEvent = 'view';
    const link = document.createElement('a');
    link.href = `#${item.id}`;
    link.dataset.shelfwiseEvent = 'click';
    link.textContent = item.title;
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.shelfwiseEvent = 'add_to_cart';
    button.textContent = 'Add to cart';
    card.append(link, button);
    return card;
  });
  document.getElementById('products').replaceChildren(...cards);
}

// The headless helper: the top three as plain data, drawn by the page.
const top = shelfStore(shelfwise, 'for-you', { k: 3 });
top.subscribe(() => {
  const { status, shelf } = top.getSnapshot();
  if (status !== 'ready') return;
  document.getElementById('headless').replaceChildren(...shelf.items.map((item) => {
    const li = document.createElement('li');
    li.dataset.itemId = item.id;
    li.textContent = item.title;
    return li;
  }));
});

window.app = { shelfwise, catalog };
document.body.dataset.ready = 'true';
