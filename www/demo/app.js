// The Shelfwise demo shop: a small hash-routed single-page shop around the Shelfwise API.
//
//   #/                 home: the "for you" shelf, then the whole catalog
//   #/category/<name>  home, catalog filtered to one category
//   #/item/<id>        product page (records a view), shelf below
//   #/cart             cart with remove buttons and checkout, shelf below
//   #/search/<text>    search results (records a search), shelves from the search
//   #/you              "What this shop knows about you": the profile, what the shelves did
//                      (shelfwise.measurement()), remove an interest, export, erase everything
//
// Every page shows "Recommended for you" (#recs) and its own shelves (#more-shelves), asked
// for in one page() call: home: because you viewed, recently viewed, buy again, trending,
// trending in your categories, new for you; category: trending and new in it; product:
// similar, looks like this (when the pack has image embeddings: info.imageDim > 0), bought
// together, because you viewed; cart: bought together with the cart.
//
// Consent: the shop's default is "on-device" (events kept in this browser's IndexedDB); the
// footer switch turns it to "context-only" and back. A shopper's "context-only" choice is the
// shop's to remember (Shelfwise stores nothing in that mode), so the demo keeps that one choice
// in localStorage under CONSENT_KEY, as a consent banner would. The daily measurement report
// (docs/MEASUREMENT.md) is off unless the shopper ticks the second footer box (kept under
// REPORTS_KEY; it takes effect on the next page load); with `?experiment` in the URL the demo
// runs an experiment with a 10% control arm (non-personalized shelves).
//
// Every tracked event re-renders the shelf; #recs carries data-shelf-version (one more per
// render) and <body data-ready="true"> is set once the first shelf is on the page, so tests
// can wait for updates. Item text only ever goes into the page as text.

import { init, renderShelf, safeUrl } from '../shelfwise/index.js';

const SHELF_SIZE = 8;
const SHOP_NAME = 'Shelfwise demo shop';
const CONSENT_KEY = 'demo-consent';
const REPORTS_KEY = 'demo-reports';
const EXPERIMENT = { name: 'demo-shelves-1', arms: { control: 0.1, personalized: 0.9 } };
const money = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const formatPrice = (price) => money.format(price);

const dom = {
  main: document.getElementById('main'),
  chips: document.getElementById('category-chips'),
  cartLink: document.getElementById('cart-link'),
  cartCount: document.getElementById('cart-count'),
  forget: document.getElementById('forget'),
  search: document.getElementById('search'),
  searchInput: document.getElementById('search-input'),
  consentSwitch: document.getElementById('consent-switch'),
  consentOnDevice: document.getElementById('consent-on-device'),
  reportsSwitch: document.getElementById('reports-switch'),
  reportsOn: document.getElementById('reports-on'),
};

const state = {
  shelfwise: null,
  catalog: [], // item cards in pack order
  byId: new Map(),
  cart: new Map(), // item id → quantity
  lastOrder: null, // { units, total } after a checkout
  shelfVersion: 0,
  routeVersion: 0,
  log: [], // the events this tab recorded (for the export when the API has no exportData)
  viewed: 0, // views and clicks recorded
  purchased: 0, // purchases recorded
  consent: 'on-device',
};

// One shelf container for every page; it moves between pages instead of being rebuilt.
const recs = el('div', 'recs');
recs.id = 'recs';
recs.setAttribute('aria-live', 'polite');
// The page's other shelves (because you viewed, similar, bought together …), below #recs.
const moreShelves = el('div', 'more-shelves');
moreShelves.id = 'more-shelves';

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

/**
 * Queues one re-render of the shelves; renders never overlap and happen in the order asked.
 * `cause` is "event" (bumps #recs[data-shelf-version]) or "route" (a new page's context; bumps
 * #recs[data-route-version]), so tests can count renders per event.
 */
function refreshShelf(cause = 'event') {
  shelfQueue = shelfQueue.then(() => drawShelf(cause)).catch(reportProblem);
  return shelfQueue;
}

/**
 * The shelves a page asks for, in priority order (earlier requests win duplicates): the
 * shopper's own history (recently viewed, buy again: those items belong there), then "for
 * you" (drawn into #recs), then the page's own shelves. Everything but "for you" is drawn
 * into #more-shelves, in this order.
 */
function shelfRequests(route) {
  const requests = [];
  const onPage = route.name === 'item' ? { item: route.id } : {};
  if (state.viewed > 0) requests.push({ kind: 'recently-viewed', k: 6, ...onPage });
  if (state.purchased > 0) requests.push({ kind: 'buy-again', k: 6 });
  const forYou = { kind: 'for-you', k: SHELF_SIZE };
  if (route.name === 'item') forYou.exclude = [route.id];
  if (route.name === 'search') forYou.query = route.query;
  requests.push(forYou);
  const history = [];
  if (route.name === 'item') {
    // "Looks like this" needs a pack built with image vectors (else it is `unsupported`).
    const looksLike = state.shelfwise.info.imageDim > 0 ? [{ kind: 'visually-similar', k: 6, item: route.id }] : [];
    requests.push(
      { kind: 'similar', k: 6, item: route.id },
      ...looksLike,
      { kind: 'bought-together', k: 4, item: route.id },
      { kind: 'because-you-viewed', k: 6, item: route.id },
      ...history,
    );
  } else if (route.name === 'cart') {
    if (state.cart.size > 0) requests.push({ kind: 'bought-together', k: 4, cart: [...state.cart.keys()] });
    requests.push(...history, { kind: 'trending', k: 6, maxPerCategory: 2 });
  } else if (route.name === 'home' && route.category) {
    requests.push(
      { kind: 'trending', k: 6, filters: { categories: [route.category] }, title: `Trending in ${route.category}` },
      { kind: 'new-for-you', k: 6, filters: { categories: [route.category] } },
      ...history,
    );
  } else if (route.name === 'search') {
    requests.push({ kind: 'because-you-viewed', k: 6, query: route.query }, { kind: 'trending', k: 6, maxPerCategory: 2 });
  } else if (route.name === 'home') {
    // A new shopper gets no "because you viewed" and no "trending in your categories": with
    // nothing viewed they would only repeat the trending shelf.
    const viewedSomething = state.viewed > 0;
    requests.push(
      ...(viewedSomething ? [{ kind: 'because-you-viewed', k: 6 }] : []),
      ...history,
      { kind: 'trending', k: 6, maxPerCategory: 2 },
      ...(viewedSomething ? [{ kind: 'trending-in-categories', k: 6 }] : []),
      { kind: 'new-for-you', k: 6, explore: { seed: 1 } },
    );
  }
  return requests;
}

async function drawShelf(cause = 'event') {
  const route = parseRoute(location.hash);
  const requests = shelfRequests(route);
  const [shelves, profile, measured] = await Promise.all([
    state.shelfwise.page(requests), state.shelfwise.profile(), route.name === 'you' ? state.shelfwise.measurement() : null,
  ]);
  const shelf = shelves.find((s) => s.kind === 'for-you');
  const others = shelves.filter((s) => s !== shelf);
  const renderOptions = { formatPrice, onItemClick: (item) => record({ type: 'click', item: item.id }) };
  const section = renderShelf(recs, shelf, renderOptions);
  section.append(el('p', 'recs-note', shelfNote(shelf, profile)));
  const slots = others.filter((s) => s.items.length > 0).map((s) => {
    const slot = el('div', 'shelf-slot');
    slot.dataset.shelfKind = s.kind;
    renderShelf(slot, s, renderOptions);
    return slot;
  });
  moreShelves.replaceChildren(...slots);
  if (cause === 'route') {
    state.routeVersion += 1;
    recs.dataset.routeVersion = String(state.routeVersion);
  } else {
    state.shelfVersion += 1;
    recs.dataset.shelfVersion = String(state.shelfVersion);
  }
  recs.dataset.personalized = String(shelf.personalized);
  if (route.name === 'you') showPage(profilePage(profile, measured));
}

function shelfNote(shelf, profile) {
  if (!shelf.personalized) {
    return 'No history on this device yet, so these come from what you are looking at and what is popular. Look around and this shelf adapts.';
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
  state.log.push({ ...event, ts: event.ts ?? Date.now() });
  if (event.type === 'view' || event.type === 'click') state.viewed += 1;
  if (event.type === 'purchase') state.purchased += 1;
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
  return { title: category ?? null, nodes: [recs, moreShelves, section] };
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
  return { title: item.title, nodes: [article, recs, moreShelves] };
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
    return { title: 'Cart', nodes: [section, recs, moreShelves] };
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
  return { title: 'Cart', nodes: [section, recs, moreShelves] };
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

/** Lower-case words of a text, for the demo's own search results grid. */
const words = (text) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

function searchPage(query) {
  const wanted = words(query);
  const items = state.catalog.filter((item) => {
    const have = words(`${item.title} ${item.category} ${item.brand}`);
    return wanted.length > 0 && wanted.every((w) => have.some((h) => h.startsWith(w)));
  });
  const section = el('section', 'catalog');
  section.setAttribute('aria-label', 'Search results');
  const head = el('div', 'catalog-head');
  head.append(pageHeading(`Search: ${query}`), el('span', 'catalog-count', items.length === 1 ? '1 product' : `${items.length} products`));
  const grid = el('ul', 'product-grid');
  grid.id = 'grid';
  grid.append(...items.map(productCard));
  section.append(head, items.length ? grid : el('p', 'empty', 'No product matches; the shelves below still try.'));
  return { title: `Search: ${query}`, nodes: [section, recs, moreShelves] };
}

const percent = (share) => `${Math.round(share * 100)}%`;

function affinityList(className, rows, removable) {
  const list = el('ul', `affinities ${className}`);
  for (const row of rows) {
    const li = el('li', 'affinity');
    li.append(el('span', 'affinity-name', row.name), el('span', 'affinity-share', percent(row.share)));
    const bar = el('span', 'affinity-bar');
    bar.style.setProperty('--share', String(row.share));
    li.append(bar);
    if (removable) {
      const remove = el('button', 'button subtle remove-interest', 'Remove');
      remove.type = 'button';
      remove.dataset.interest = JSON.stringify(row.interest);
      remove.setAttribute('aria-label', `Remove the interest ${row.name}`);
      remove.addEventListener('click', () => changeInterest('remove', row.interest));
      li.append(remove);
    }
    list.append(li);
  }
  return list;
}

const SHELF_NAMES = { null: 'not via a shelf' };

/** What the shelves did on this device: shelfwise.measurement() as a table. */
function measurementBlock(measured) {
  const box = el('div', 'measurement');
  box.id = 'measurement';
  const table = el('table', 'measurement-table');
  const head = el('tr');
  for (const title of ['Shelf', 'Seen', 'Clicked', 'Bought', 'Value']) head.append(el('th', '', title));
  table.append(head);
  for (const row of measured.byShelf) {
    const tr = el('tr');
    tr.dataset.shelf = row.shelf ?? 'none';
    tr.append(
      el('td', '', SHELF_NAMES[row.shelf] ?? row.shelf),
      el('td', '', String(row.impressions)), el('td', '', String(row.clicks)), el('td', '', String(row.purchases)),
      el('td', '', formatPrice(row.value)),
    );
    table.append(tr);
  }
  box.append(el('p', '', `Each purchase counts for the shelf whose item you clicked in the ${measured.windowDays} days before (the last click), else for "not via a shelf". Kept on this device only.`));
  box.append(measured.byShelf.length ? table : el('p', 'empty', 'No shelf seen yet.'));
  if (measured.experiment) box.append(el('p', 'measurement-arm', `Experiment ${measured.experiment.name}: this device is in the "${measured.experiment.arm}" group${measured.experiment.arm === 'control' ? ' (shelves not personalized)' : ''}.`));
  const reporting = measured.reporting;
  box.append(el('p', 'measurement-reporting', reporting
    ? `Daily report: on (ε = ${reporting.epsilonPerDay} a day${reporting.active ? '' : ', paused: nothing is stored on this device'}); last sent ${reporting.lastSentDay ?? 'never'}. It answers one randomized question about one past day, and nothing else.`
    : 'Daily report: off. Nothing about what you do here is sent anywhere.'));
  return box;
}

/** "What this shop knows about you": the profile as plain data, with its controls. */
function profilePage(profile, measured = null) {
  const section = el('section', 'profile-panel');
  section.id = 'profile-panel';
  section.append(pageHeading('What this shop knows about you'));
  if (!profile) {
    section.append(el('p', 'status', 'Reading your profile…'));
    return { title: 'What this shop knows about you', nodes: [section] };
  }
  const things = profile.eventCount === 1 ? '1 thing' : `${profile.eventCount} things`;
  const searches = profile.searchCount === 1 ? '1 search' : `${profile.searchCount} searches`;
  section.append(el('p', 'profile-intro', `Computed in this browser from ${things} you did and ${searches}. Nothing of it is sent anywhere.`));
  const block = (title, body) => {
    const box = el('div', 'profile-block');
    box.append(el('h2', 'profile-block-title', title), body);
    section.append(box);
  };
  const segments = el('ul', 'segments');
  segments.id = 'profile-segments';
  for (const segment of profile.segments) segments.append(el('li', 'segment', segment));
  block('In short', profile.segments.length ? segments : el('p', 'empty', 'Nothing yet: look around the shop.'));
  block('Categories', affinityList('categories', profile.topCategories.map((c) => ({ name: c.category, share: c.share, interest: { category: c.category } })), true));
  block('Brands', affinityList('brands', profile.topBrands.map((b) => ({ name: b.brand, share: b.share, interest: { brand: b.brand } })), true));
  block('Price', affinityList('price-bands', profile.priceBands.map((b) => ({ name: `${b.band} price`, share: b.share })), false));
  if (profile.recentSearches.length) {
    const searches = el('ul', 'searches');
    for (const q of profile.recentSearches) searches.append(el('li', '', q));
    block('Recent searches', searches);
  }
  if (measured) block('What the shelves did', measurementBlock(measured));
  if (profile.removedInterests.length) {
    const removed = el('ul', 'removed-interests');
    for (const interest of profile.removedInterests) {
      const name = interest.category ?? interest.brand;
      const li = el('li', 'removed-interest', `${name} (not used for your recommendations)`);
      const restore = el('button', 'button subtle', 'Restore');
      restore.type = 'button';
      restore.addEventListener('click', () => changeInterest('restore', interest));
      li.append(' ', restore);
      removed.append(li);
    }
    block('Removed interests', removed);
  }
  const actions = el('div', 'profile-actions');
  const exportButton = el('button', 'button', 'Export my data (JSON)');
  exportButton.type = 'button';
  exportButton.id = 'export-data';
  exportButton.addEventListener('click', exportProfile);
  const erase = el('button', 'button danger', 'Erase everything');
  erase.type = 'button';
  erase.id = 'erase-everything';
  erase.addEventListener('click', forgetHistory);
  actions.append(exportButton, erase);
  section.append(actions);
  return { title: 'What this shop knows about you', nodes: [section, recs, moreShelves] };
}

function notFoundPage(message) {
  const section = el('section', 'not-found');
  section.append(pageHeading('Not found'), el('p', '', message), link('#/', 'button', 'Back to the shop'));
  return { title: 'Not found', nodes: [section, recs, moreShelves] };
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

/** Erases everything this device knows: forget() where the API has it, else clearEvents(). */
async function forgetHistory() {
  state.cart.clear();
  state.lastOrder = null;
  state.log = [];
  state.viewed = 0;
  state.purchased = 0;
  updateCartCount();
  try {
    if (typeof state.shelfwise.forget === 'function') await state.shelfwise.forget();
    else await state.shelfwise.clearEvents();
  } catch (error) {
    reportProblem(error);
    return;
  }
  if (parseRoute(location.hash).name === 'cart') showPage(cartPage());
  await refreshShelf();
}

/** Downloads what the device knows as JSON: exportData() where the API has it. */
async function exportProfile() {
  let data;
  try {
    data = typeof state.shelfwise.exportData === 'function'
      ? await state.shelfwise.exportData()
      : { exportedAt: new Date().toISOString(), profile: await state.shelfwise.profile(), events: state.log };
  } catch (error) {
    reportProblem(error);
    return;
  }
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = link(url, '', '');
  a.download = 'shelfwise-my-data.json';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function changeInterest(action, interest) {
  try {
    if (action === 'remove') await state.shelfwise.removeInterest(interest);
    else await state.shelfwise.restoreInterest(interest);
  } catch (error) {
    reportProblem(error);
    return;
  }
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

/** Whether the shopper agreed to the daily report (the demo's own key, as a consent banner's). */
function savedReports() {
  try {
    return localStorage.getItem(REPORTS_KEY) === 'on';
  } catch {
    return false;
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
  if (section === 'search' && arg) return { name: 'search', query: arg };
  if (section === 'you') return { name: 'you' };
  return { name: 'home', category: null };
}

function pageFor(route) {
  if (route.name === 'item') return productPage(route.id);
  if (route.name === 'cart') return cartPage();
  if (route.name === 'search') return searchPage(route.query);
  if (route.name === 'you') return profilePage(null);
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
  // A view or a search is an event, whose render brings the page's shelves; other pages
  // re-render the shelves for their own context.
  if (route.name === 'item' && state.byId.has(route.id)) record({ type: 'view', item: route.id });
  else if (route.name === 'search') record({ type: 'search', query: route.query });
  else if (state.shelfVersion > 0) refreshShelf('route');
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
    state.shelfwise = await init({
      pack: 'data/shop.pack',
      consent: state.consent,
      ...(new URLSearchParams(location.search).has('experiment') ? { experiment: EXPERIMENT } : {}),
      ...(savedReports() ? { reporting: { endpoint: '/shelfwise/report', epsilon: 1 } } : {}),
    });
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
  dom.search.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = dom.searchInput.value.trim();
    if (query) location.hash = `#/search/${encodeURIComponent(query)}`;
  });
  dom.consentOnDevice.checked = state.consent === 'on-device';
  dom.consentOnDevice.addEventListener('change', changeConsent);
  dom.consentSwitch.hidden = false;
  dom.reportsOn.checked = savedReports();
  dom.reportsOn.addEventListener('change', () => {
    try {
      if (dom.reportsOn.checked) localStorage.setItem(REPORTS_KEY, 'on');
      else localStorage.removeItem(REPORTS_KEY);
    } catch {
      // no Web Storage here: the choice cannot be kept
    }
  });
  dom.reportsSwitch.hidden = false;
  document.body.dataset.ready = 'true';
}

start();
