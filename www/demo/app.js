// The Shelfwise demo shop: a small hash-routed single-page shop around the Shelfwise API.
//
//   #/                 home: the "for you" shelf, then the whole catalog
//   #/category/<name>  home, catalog filtered to one category
//   #/item/<id>        product page (records a view), shelf below
//   #/cart             cart with remove buttons and checkout, shelf below
//
// Consent: the shop's default is "on-device" (events kept in this browser's IndexedDB); the
// footer switch turns it to "context-only" and back. A shopper's "context-only" choice is the
// shop's to remember (Shelfwise stores nothing in that mode), so the demo keeps that one choice
// in localStorage under CONSENT_KEY, as a consent banner would.
//
// Every tracked event re-renders the shelf; #recs carries data-shelf-version (one more per
// render) and <body data-ready="true"> is set once the first shelf is on the page, so tests
// can wait for updates. Item text only ever goes into the page as text.

import { init, renderShelf, safeUrl } from '../shelfwise/index.js';

const SHELF_SIZE = 8;
const SHOP_NAME = 'Shelfwise demo shop';
const CONSENT_KEY = 'demo-consent';
const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const formatPrice = (price) => money.format(price);

const dom = {
  main: document.getElementById('main'),
  chips: document.getElementById('category-chips'),
  cartLink: document.getElementById('cart-link'),
  cartCount: document.getElementById('cart-count'),
  forget: document.getElementById('forget'),
  consentSwitch: document.getElementById('consent-switch'),
  consentOnDevice: document.getElementById('consent-on-device'),
};

const state = {
  shelfwise: null,
  catalog: [], // item cards in pack order
  byId: new Map(),
  cart: new Map(), // item id → quantity
  lastOrder: null, // { units, total } after a checkout
  shelfVersion: 0,
  consent: 'on-device',
};

// One shelf container for every page; it moves between pages instead of being rebuilt.
const recs = el('div', 'recs');
recs.id = 'recs';
recs.setAttribute('aria-live', 'polite');

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(href, className, text) {
  const a = el('a', className, text);
  a.href = href;
  return a;
}

const categoryHref = (category) => `#/category/${encodeURIComponent(category)}`;

// ---------------------------------------------------------------------------------------------
// Events and the shelf

let shelfQueue = Promise.resolve();

/** Queues one shelf re-render; renders never overlap and happen in the order asked. */
function refreshShelf() {
  shelfQueue = shelfQueue.then(drawShelf).catch(reportProblem);
  return shelfQueue;
}

async function drawShelf() {
  // On a product page, the product itself is not recommended next to itself.
  const route = parseRoute(location.hash);
  const exclude = route.name === 'item' ? [route.id] : [];
  const [shelf, profile] = await Promise.all([
    state.shelfwise.shelf('for-you', { k: SHELF_SIZE, exclude }),
    state.shelfwise.profile(),
  ]);
  const section = renderShelf(recs, shelf, {
    formatPrice,
    onItemClick: (item) => record({ type: 'click', item: item.id }),
  });
  section.append(el('p', 'recs-note', shelfNote(shelf, profile)));
  state.shelfVersion += 1;
  recs.dataset.shelfVersion = String(state.shelfVersion);
  recs.dataset.personalized = String(shelf.personalized);
}

function shelfNote(shelf, profile) {
  if (!shelf.personalized) {
    return 'No history on this device yet, so these are popular picks. Look around and this shelf adapts.';
  }
  const things = profile.eventCount === 1 ? '1 thing' : `${profile.eventCount} things`;
  const top = profile.topCategories[0];
  const mostly = top ? ` · mostly ${top.category} (${Math.round(top.share * 100)}%)` : '';
  const where = state.consent === 'on-device' ? 'on this device' : 'in this tab';
  return `Based on ${things} you did ${where}${mostly}.`;
}

/** Tracks one event on the device, then re-renders the shelf. */
async function record(event) {
  try {
    await state.shelfwise.track(event);
  } catch (error) {
    reportProblem(error);
    return;
  }
  await refreshShelf();
}

// ---------------------------------------------------------------------------------------------
// Product building blocks (shared by the grid, the product page and the cart)

function productImage(item, className, loading = 'lazy') {
  const src = safeUrl(item.image);
  if (!src) return el('div', `${className} image-missing`);
  const img = el('img', className);
  img.src = src;
  img.alt = '';
  img.width = 256;
  img.height = 256;
  img.loading = loading;
  img.decoding = 'async';
  return img;
}

/** A link to the product page that records a click first (or a plain box for unsafe URLs). */
function productLink(item, className) {
  const href = safeUrl(item.url);
  if (!href) return el('div', className);
  const a = link(href, className);
  a.addEventListener('click', () => record({ type: 'click', item: item.id }));
  return a;
}

function stockLabel(item) {
  return item.inStock ? el('span', 'stock in-stock', 'In stock') : el('span', 'stock out-of-stock', 'Out of stock');
}

function productCard(item) {
  const card = el('li', 'product-card');
  card.dataset.itemId = item.id;
  card.dataset.category = item.category;
  const a = productLink(item, 'product-card-link');
  a.append(
    productImage(item, 'product-card-image'),
    el('span', 'product-card-category', item.category),
    el('span', 'product-card-title', item.title),
    el('span', 'product-card-price', formatPrice(item.price)),
  );
  if (!item.inStock) a.append(stockLabel(item));
  card.append(a);
  return card;
}

// ---------------------------------------------------------------------------------------------
// Pages

function pageHeading(text) {
  const h1 = el('h1', 'page-title', text);
  h1.tabIndex = -1;
  return h1;
}

function homePage(category) {
  const items = category ? state.catalog.filter((item) => item.category === category) : state.catalog;
  const section = el('section', 'catalog');
  section.setAttribute('aria-label', 'Products');
  const head = el('div', 'catalog-head');
  head.append(
    pageHeading(category ?? 'All products'),
    el('span', 'catalog-count', items.length === 1 ? '1 product' : `${items.length} products`),
  );
  const grid = el('ul', 'product-grid');
  grid.id = 'grid';
  grid.append(...items.map(productCard));
  section.append(head, items.length ? grid : el('p', 'empty', 'Nothing in this category.'));
  return { title: category ?? null, nodes: [recs, section] };
}

function productPage(id) {
  const item = state.byId.get(id);
  if (!item) return notFoundPage(`There is no product with the id “${id}”.`);

  const article = el('article', 'product-detail');
  article.dataset.itemId = item.id;
  article.dataset.category = item.category;

  const info = el('div', 'product-info');
  const add = el('button', 'button primary', item.inStock ? 'Add to cart' : 'Out of stock');
  add.type = 'button';
  add.id = 'add-to-cart';
  add.disabled = !item.inStock;
  const inCart = el('p', 'in-cart-note');
  const showInCart = () => {
    const qty = state.cart.get(item.id) ?? 0;
    inCart.replaceChildren();
    if (qty > 0) inCart.append(`In your cart: ${qty} · `, link('#/cart', '', 'View cart'));
  };
  add.addEventListener('click', async () => {
    await addToCart(item.id);
    showInCart();
  });
  showInCart();

  info.append(
    link(categoryHref(item.category), 'chip small', item.category),
    pageHeading(item.title),
    el('p', 'product-brand', `by ${item.brand}`),
    el('p', 'product-price', formatPrice(item.price)),
    stockLabel(item),
    add,
    inCart,
    el('p', 'product-id', `Item ${item.id}`),
  );
  article.append(productImage(item, 'product-detail-image', 'eager'), info);
  return { title: item.title, nodes: [article, recs] };
}

function cartPage() {
  const section = el('section', 'cart');
  section.append(pageHeading('Your cart'));
  if (state.lastOrder && state.cart.size === 0) {
    const { units, total } = state.lastOrder;
    section.append(el('p', 'notice', `Thank you! ${units === 1 ? '1 item' : `${units} items`} for ${formatPrice(total)} – this is a demo, so nothing was charged or sent.`));
  }
  if (state.cart.size === 0) {
    section.append(el('p', 'empty', 'Your cart is empty.'), link('#/', 'button', 'Continue shopping'));
    return { title: 'Cart', nodes: [section, recs] };
  }

  const lines = el('ul', 'cart-lines');
  for (const [id, qty] of state.cart) lines.append(cartLine(state.byId.get(id), qty));
  const total = el('p', 'cart-total', `Total ${formatPrice(cartTotal())}`);
  const checkout = el('button', 'button primary', 'Checkout');
  checkout.type = 'button';
  checkout.id = 'checkout';
  checkout.addEventListener('click', checkOut);
  const actions = el('div', 'cart-actions');
  actions.append(total, checkout);
  section.append(lines, actions);
  return { title: 'Cart', nodes: [section, recs] };
}

function cartLine(item, qty) {
  const line = el('li', 'cart-line');
  line.dataset.itemId = item.id;
  const a = productLink(item, 'cart-line-link');
  a.append(productImage(item, 'cart-line-image'), el('span', 'cart-line-title', item.title));
  const remove = el('button', 'button subtle remove', 'Remove');
  remove.type = 'button';
  remove.setAttribute('aria-label', `Remove ${item.title}`);
  remove.addEventListener('click', () => removeFromCart(item.id));
  line.append(a, el('span', 'cart-line-qty', `${qty} × ${formatPrice(item.price)}`), el('span', 'cart-line-total', formatPrice(qty * item.price)), remove);
  return line;
}

function notFoundPage(message) {
  const section = el('section', 'not-found');
  section.append(pageHeading('Not found'), el('p', '', message), link('#/', 'button', 'Back to the shop'));
  return { title: 'Not found', nodes: [section, recs] };
}

// ---------------------------------------------------------------------------------------------
// Cart

const cartUnits = () => [...state.cart.values()].reduce((sum, qty) => sum + qty, 0);
const cartTotal = () => [...state.cart].reduce((sum, [id, qty]) => sum + qty * state.byId.get(id).price, 0);

function updateCartCount() {
  const units = cartUnits();
  dom.cartCount.textContent = String(units);
  dom.cartLink.setAttribute('aria-label', `Cart, ${units === 1 ? '1 item' : `${units} items`}`);
}

async function addToCart(id) {
  state.cart.set(id, (state.cart.get(id) ?? 0) + 1);
  state.lastOrder = null;
  updateCartCount();
  await record({ type: 'add_to_cart', item: id, qty: 1 });
}

async function removeFromCart(id) {
  const qty = state.cart.get(id);
  if (!qty) return;
  state.cart.delete(id);
  updateCartCount();
  showPage(cartPage());
  await record({ type: 'remove_from_cart', item: id, qty });
}

async function checkOut() {
  const lines = [...state.cart];
  state.lastOrder = { units: cartUnits(), total: cartTotal() };
  state.cart.clear();
  updateCartCount();
  showPage(cartPage());
  for (const [id, qty] of lines) await record({ type: 'purchase', item: id, qty });
}

async function forgetHistory() {
  state.cart.clear();
  state.lastOrder = null;
  updateCartCount();
  try {
    await state.shelfwise.clearEvents();
  } catch (error) {
    reportProblem(error);
    return;
  }
  if (parseRoute(location.hash).name === 'cart') showPage(cartPage());
  await refreshShelf();
}

/** The shopper's consent choice: the demo's default is on-device. */
function savedConsent() {
  try {
    return localStorage.getItem(CONSENT_KEY) === 'context-only' ? 'context-only' : 'on-device';
  } catch {
    return 'on-device';
  }
}

async function changeConsent() {
  const mode = dom.consentOnDevice.checked ? 'on-device' : 'context-only';
  try {
    await state.shelfwise.setConsent(mode);
    state.consent = mode;
  } catch (error) {
    reportProblem(error);
    return;
  }
  try {
    if (mode === 'context-only') localStorage.setItem(CONSENT_KEY, mode);
    else localStorage.removeItem(CONSENT_KEY);
  } catch {
    // no Web Storage here: the choice lasts for this page
  }
  await refreshShelf();
}

// ---------------------------------------------------------------------------------------------
// Routing

function parseRoute(hash) {
  const match = /^#?\/?([^/]*)\/?(.*)$/.exec(hash);
  const [, section, rest] = match;
  let arg = null;
  try {
    arg = rest ? decodeURIComponent(rest) : null;
  } catch {
    return { name: 'home', category: null };
  }
  if (section === 'item' && arg) return { name: 'item', id: arg };
  if (section === 'category' && arg) return { name: 'home', category: arg };
  if (section === 'cart') return { name: 'cart' };
  return { name: 'home', category: null };
}

function pageFor(route) {
  if (route.name === 'item') return productPage(route.id);
  if (route.name === 'cart') return cartPage();
  return homePage(route.category);
}

function showPage({ title, nodes }) {
  dom.main.replaceChildren(...nodes);
  document.title = title ? `${title} – ${SHOP_NAME}` : SHOP_NAME;
}

function markActiveChip(route) {
  const active = route.name === 'home' ? route.category ?? '' : null;
  for (const chip of dom.chips.querySelectorAll('.chip')) {
    if (chip.dataset.category === active) chip.setAttribute('aria-current', 'page');
    else chip.removeAttribute('aria-current');
  }
}

function renderRoute({ focus = true } = {}) {
  const route = parseRoute(location.hash);
  showPage(pageFor(route));
  markActiveChip(route);
  if (route.name === 'item' && state.byId.has(route.id)) record({ type: 'view', item: route.id });
  if (focus) {
    window.scrollTo(0, 0);
    dom.main.querySelector('.page-title')?.focus({ preventScroll: true });
  }
}

function renderChips() {
  const counts = new Map();
  for (const item of state.catalog) counts.set(item.category, (counts.get(item.category) ?? 0) + 1);
  const chip = (label, href, category, count) => {
    const a = link(href, 'chip', label);
    a.dataset.category = category;
    a.append(el('span', 'chip-count', String(count)));
    return a;
  };
  const names = [...counts.keys()].sort((a, b) => a.localeCompare(b, 'en'));
  dom.chips.replaceChildren(
    chip('All', '#/', '', state.catalog.length),
    ...names.map((name) => chip(name, categoryHref(name), name, counts.get(name))),
  );
}

// ---------------------------------------------------------------------------------------------
// Problems

function reportProblem(error) {
  console.error('Shelfwise demo:', error);
  const note = el('p', 'status problem', `Something went wrong: ${error?.message ?? error}`);
  note.setAttribute('role', 'alert');
  dom.main.prepend(note);
}

function showStartupFailure(error) {
  console.error('Shelfwise demo: the shop could not start.', error);
  const box = el('section', 'startup-failure');
  box.setAttribute('role', 'alert');
  box.append(
    el('h1', 'page-title', 'The shop could not start'),
    el('p', '', error?.message ?? String(error)),
    el('p', 'hint', 'If you are running the demo from the repository, build the wasm core and the demo pack first (bash scripts/build-wasm.sh and bash scripts/demo-pack.sh), then reload this page.'),
  );
  dom.main.replaceChildren(box);
  document.body.dataset.ready = 'error';
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  try {
    state.consent = savedConsent();
    state.shelfwise = await init({ pack: 'data/shop.pack', consent: state.consent });
    state.catalog = await state.shelfwise.items(0, 1000);
    state.byId = new Map(state.catalog.map((item) => [item.id, item]));
    await drawShelf();
  } catch (error) {
    showStartupFailure(error);
    return;
  }
  renderChips();
  renderRoute({ focus: false });
  window.addEventListener('hashchange', () => renderRoute());
  dom.forget.addEventListener('click', forgetHistory);
  dom.forget.hidden = false;
  dom.consentOnDevice.checked = state.consent === 'on-device';
  dom.consentOnDevice.addEventListener('change', changeConsent);
  dom.consentSwitch.hidden = false;
  document.body.dataset.ready = 'true';
}

start();
