// A frontend developer's first hour (issue 19), in headless Chromium under the strict CSP: a
// three-page shop (tests/e2e/pages/shop/: home, product, cart) wired with only
// <shelfwise-shelf>, autotrack and shelfwise/style.css, in consent "on-device":
//   1. the home page's for-you changes after browsing products on other pages (real
//      navigations: the events survive them in IndexedDB);
//   2. the cart page's bought-together, given no item and no cart, shows items from the
//      tracked cart; no item repeats on any page (the elements share one page() call);
//   3. the stylesheet is applied (computed styles), titles show, shelfwise-render bubbles to
//      document, the console is clean; screenshots go to $SHELFWISE_SCREENSHOTS if set;
// and, on a fixture in the default consent: count="abc" falls back to 8 with one warning,
// filters / heading / a slot="title" child work, bad filters JSON fails alone with one
// warning, and "context-only" is noted once per page with console.info.
//
//   node --test tests/e2e/shop.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { WWW, dump, foreignRequests, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 20_000 };
const SHOP = fileURLToPath(new URL('./pages/shop/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
const SCREENSHOTS = process.env.SHELFWISE_SCREENSHOTS;

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ csp: true }), launchBrowser()]);
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A browser context (one shopper) with the fixture served under /__e2e__/shop/. */
async function shopper() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
  await context.route(`${server.origin}/__e2e__/shop/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/shop/'.length).replace(/\.\./g, '');
    const headers = { 'content-security-policy': STRICT_CSP, 'cache-control': 'no-cache' };
    try {
      const file = path.startsWith('img/') ? join(WWW, 'demo', path) : join(SHOP, path); // the demo's item images
      return route.fulfill({ status: 200, headers, contentType: TYPES[extname(path)], body: await readFile(file) });
    } catch {
      return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
    }
  });
  const page = await context.newPage();
  const log = watchPage(page);
  const notes = [];
  page.on('console', (message) => { if (message.type() === 'info') notes.push(message.text()); });
  return { context, page, log, notes };
}

/** Opens a shop page and waits until every element on it is ready; returns { elementId: ids }. */
async function visit(page, path, ids) {
  await page.goto(`${server.origin}/__e2e__/shop/${path}`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const shelves = {};
  for (const id of ids) {
    await page.waitForSelector(`#${id}[data-state="ready"]`, { state: 'attached', ...WAIT });
    shelves[id] = await page.$$eval(`#${id} .shelfwise-card:not(.shelfwise-placeholder)`, (cards) => cards.map((card) => card.dataset.itemId));
    assert.ok(shelves[id].length > 0, `${path} #${id} shows items`);
  }
  const all = Object.values(shelves).flat();
  assert.equal(new Set(all).size, all.length, `${path}: no item on two shelves ${JSON.stringify(shelves)}`);
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${path.replace(/\W+/g, '-')}.png`), fullPage: true });
  return shelves;
}

test('three pages with only the element and autotrack: personalized across navigations, styled, no repeats', async (t) => {
  const { context, page, log, notes } = await shopper();

  // 1. Home, first visit: popularity.
  const home = await visit(page, 'home.html', ['for-you', 'trending']);
  const catalog = await page.evaluate(() => window.shop.shelfwise.items(0, 1000));
  const category = (id) => catalog.find((item) => item.id === id).category;
  const style = await page.evaluate(() => {
    const list = getComputedStyle(document.querySelector('#for-you .shelfwise-shelf-items'));
    const card = getComputedStyle(document.querySelector('#for-you .shelfwise-card'));
    const title = document.querySelector('#for-you .shelfwise-shelf-title');
    return {
      display: list.display, snap: list.scrollSnapType, overflowX: list.overflowX, cardSnap: card.scrollSnapAlign,
      cardWidth: card.width, radius: card.borderTopLeftRadius, title: title?.textContent, titleVisible: title ? !title.hidden : false,
      price: document.querySelector('#for-you .shelfwise-card-price').textContent,
    };
  });
  t.diagnostic(`computed: ${JSON.stringify(style)}`);
  assert.equal(style.display, 'flex', 'style.css: a row');
  assert.equal(style.snap, 'x mandatory', 'style.css: scroll snap');
  assert.equal(style.overflowX, 'auto');
  assert.equal(style.cardSnap, 'start');
  assert.equal(style.cardWidth, '180px', 'style.css: --shelfwise-card-width default');
  assert.equal(style.radius, '10px');
  assert.ok(style.title && style.titleVisible, 'the shelf title shows');
  assert.match(style.price, /^€\d+\.\d{2}$/, 'prices in the currency attribute\'s format');

  // 2. Browse three products of the category for-you shows least, on their own pages.
  const counts = new Map();
  for (const item of catalog) if (item.inStock) counts.set(item.category, (counts.get(item.category) ?? 0) + 1);
  const shown = (cat) => home['for-you'].filter((id) => category(id) === cat).length;
  const target = [...counts].filter(([, n]) => n >= 8).map(([c]) => c).sort()
    .sort((a, b) => shown(a) - shown(b))[0];
  const picks = catalog.filter((item) => item.inStock && item.category === target && !home['for-you'].includes(item.id)).slice(0, 3).map((item) => item.id);
  t.diagnostic(`target ${target} (${shown(target)} of 8 on the first for-you); products ${picks.join(' ')}`);
  for (const id of picks) {
    const shelves = await visit(page, `product.html?id=${encodeURIComponent(id)}`, ['similar', 'because']);
    assert.ok(!shelves.similar.includes(id) && !shelves.because.includes(id), 'the product on the page is not on its shelves');
    await page.waitForFunction((i) => window.shop.tracked.some((e) => e.type === 'view' && e.item === i), id, WAIT);
    if (id === picks.at(-1)) await page.click('#add');
    await page.evaluate(() => window.shop.settle());
  }

  // 3. The cart page: bought-together from the tracked cart (no item, no cart attribute).
  const cart = await visit(page, 'cart.html', ['together', 'more']);
  assert.ok(!cart.together.includes(picks.at(-1)) && !cart.more.includes(picks.at(-1)), 'the cart item is not recommended');
  const togetherTitle = await page.textContent('#together .shelfwise-shelf-title');
  t.diagnostic(`cart: "${togetherTitle}" ${cart.together.join(' ')}`);

  // 4. Home again: for-you has changed towards the browsed category.
  const again = await visit(page, 'home.html', ['for-you', 'trending']);
  t.diagnostic(`for-you before: ${home['for-you'].map(category).join(', ')}`);
  t.diagnostic(`for-you after:  ${again['for-you'].map(category).join(', ')}`);
  assert.notDeepEqual(again['for-you'], home['for-you'], 'for-you changed after browsing other pages');
  assert.ok(again['for-you'].filter((id) => category(id) === target).length > shown(target), `more ${target}`);
  const renders = await page.evaluate(() => window.shop.renders);
  assert.deepEqual(renders.map((r) => r.id).sort(), ['for-you', 'trending'], 'shelfwise-render bubbled to document once per element');

  assert.deepEqual(notes.filter((text) => /context-only/.test(text)), [], 'no context-only note under on-device');
  assert.deepEqual(log.problems, [], `a clean console\n${dump(log)}`);
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.cspViolations, []);
  assert.deepEqual(foreignRequests(log, server.origin), []);
  await context.close();
});

test('element attributes: count fallback, filters, heading, title slot, bad filters alone; the context-only note once', async () => {
  const { context, page, log, notes } = await shopper();
  await page.goto(`${server.origin}/__e2e__/shop/elements.html`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  for (const id of ['bad-count', 'filtered', 'slotted']) await page.waitForSelector(`#${id}[data-state="ready"]`, { state: 'attached', ...WAIT });
  for (const id of ['bad-filters', 'lonely-cart']) await page.waitForSelector(`#${id}[data-state="error"]`, { state: 'attached', ...WAIT });
  const read = (id) => page.$$eval(`#${id} .shelfwise-card`, (cards) => cards.map((card) => card.dataset.itemId));

  assert.equal((await read('bad-count')).length, 8, 'count="abc": the default 8');
  const filtered = await read('filtered');
  assert.equal(filtered.length, 4);
  for (const id of filtered) {
    const item = await page.evaluate((i) => window.shop.shelfwise.item(i), id);
    assert.ok(item.price <= 5, `${id} costs ${item.price}: filters maxPrice 5`);
  }
  assert.equal(await page.textContent('#filtered .shelfwise-shelf-title'), 'Under 5', 'heading replaces the title');
  const storePrices = await page.evaluate(() => window.shop.storePrices);
  assert.equal(storePrices.length, 3);
  assert.ok(storePrices.every((price) => price <= 5), `shelfStore passes filters on: ${storePrices}`);
  const slotted = await page.evaluate(() => ({
    text: document.querySelector('#slotted .my-title').textContent,
    added: document.querySelectorAll('#slotted h2').length,
  }));
  assert.ok(slotted.text.length > 0, 'the slot="title" child holds the title');
  assert.equal(slotted.added, 0, 'no h2 added next to a title slot');
  const all = [...await read('bad-count'), ...filtered, ...await read('slotted')];
  assert.equal(new Set(all).size, all.length, 'no item on two shelves');

  const warnings = log.problems.filter((text) => text.startsWith('warning: Shelfwise:'));
  assert.equal(warnings.length, 3, `three warnings: ${JSON.stringify(log.problems)}`);
  assert.match(warnings.find((w) => w.includes('bad-count') || w.includes('count="abc"')), /count="abc" is not a whole number from 1 to 1000; showing the default, 8/);
  assert.ok(warnings.some((w) => /filters="\{oops" is not JSON/.test(w) && /invalid_argument/.test(w)), 'bad filters named');
  assert.ok(warnings.some((w) => /kind="bought-together"> shows nothing: missing_context/.test(w)), 'an empty cart: missing_context');
  const contextOnly = notes.filter((text) => /context-only/.test(text));
  assert.equal(contextOnly.length, 1, `one context-only note for two init() calls: ${JSON.stringify(notes)}`);
  assert.match(contextOnly[0], /lost on navigation/);
  // The cart as a property: the failed bought-together shelf ranks around it; exclude as an attribute.
  const [first, second] = await read('bad-count');
  await page.evaluate(([a, b]) => {
    const shelf = document.querySelector('#lonely-cart');
    shelf.setAttribute('exclude', b);
    shelf.cart = [a];
  }, [first, second]);
  await page.waitForSelector('#lonely-cart[data-state="ready"]', { state: 'attached', ...WAIT });
  const together = await read('lonely-cart');
  assert.equal(together.length, 3);
  assert.ok(!together.includes(first) && !together.includes(second), `neither the cart item nor the excluded one: ${together}`);
  const earlier = [...await read('bad-count'), ...await read('filtered'), ...await read('slotted')];
  assert.ok(together.every((id) => !earlier.includes(id)), 'the last element in the page still shows nothing the earlier ones show');
  // Placeholders (an element far below the screen): grey boxes, never an <img> without a source.
  const placeholders = await page.evaluate(() => {
    const shelf = document.createElement('shelfwise-shelf');
    shelf.style.marginTop = '5000px';
    shelf.setAttribute('count', '2');
    document.body.append(shelf);
    return {
      state: shelf.dataset.state,
      cards: shelf.querySelectorAll('.shelfwise-card.shelfwise-placeholder').length,
      boxes: shelf.querySelectorAll('.shelfwise-card-no-image').length,
      images: shelf.querySelectorAll('img').length,
      boxHeight: shelf.querySelector('.shelfwise-card-no-image').getBoundingClientRect().height,
    };
  });
  assert.deepEqual({ ...placeholders, boxHeight: placeholders.boxHeight > 100 },
    { state: 'placeholder', cards: 2, boxes: 2, images: 0, boxHeight: true }, JSON.stringify(placeholders));
  // Hidden by style.css: a failed shelf takes no room.
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#bad-filters')).display), 'none');
  assert.deepEqual(log.pageErrors, []);
  await context.close();
});
