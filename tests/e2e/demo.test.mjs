// End to end: the demo shop under the strict CSP, in headless Chromium.
// A shopper looks at four products of the category the popular shelf shows least, puts two in
// the cart, and the "Recommended for you" shelf must follow them, all without a console
// problem or a single request leaving the test server.
//
//   node --test tests/e2e/
//   E2E_SCREENSHOTS=/tmp node --test tests/e2e/   # also saves demo-home.png, demo-product.png
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dump, foreignRequests, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 10_000 };
const SHELF_SIZE = 8;

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ csp: true }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The shelf's cards as { id, category, reason }. */
function readShelf(page) {
  return page.$$eval('#recs .shelfwise-card', (cards) => cards.map((card) => ({
    id: card.dataset.itemId,
    category: card.dataset.category,
    reason: card.querySelector('.shelfwise-card-reason')?.textContent.trim() ?? '',
  })));
}

async function shelfVersion(page) {
  return Number(await page.getAttribute('#recs', 'data-shelf-version'));
}

/** Waits until the shelf has been re-rendered `renders` more times than `from`. */
function waitForShelf(page, from, renders) {
  return page.waitForFunction(
    (target) => Number(document.querySelector('#recs')?.dataset.shelfVersion) >= target,
    from + renders,
    WAIT,
  );
}

const countIn = (shelf, category) => shelf.filter((item) => item.category === category).length;

/**
 * The category with the fewest items on the shelf among those with ≥ 5 products; ties by name.
 * With the current demo pack four categories tie at 0 and this picks Christmas. Kitchen (also 0)
 * would fail the "at least half" check (3 of 8): the popularity prior and un-normalized item
 * vectors keep very popular items on the shelf, see the report that came with this test.
 */
function leastShown(shelf, gridCategories) {
  const products = new Map();
  for (const category of gridCategories) products.set(category, (products.get(category) ?? 0) + 1);
  const candidates = [...products].filter(([, n]) => n >= 5).map(([category]) => category);
  candidates.sort((a, b) => countIn(shelf, a) - countIn(shelf, b) || (a < b ? -1 : a > b ? 1 : 0));
  return candidates[0];
}

async function showCategory(page, category) {
  await page.click(`#category-chips .chip[data-category="${category}"]`);
  await page.waitForFunction((cat) => {
    const cards = [...document.querySelectorAll('#grid .product-card')];
    return cards.length > 0 && cards.every((card) => card.dataset.category === cat);
  }, category, WAIT);
}

test('the shelf follows what the shopper looks at, under a strict CSP and with zero egress', async (t) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log = watchPage(page);
  const shots = process.env.E2E_SCREENSHOTS;

  // 1. Home page, no history: the popular shelf.
  await page.goto(`${server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  assert.equal(await shelfVersion(page), 1, 'one shelf render before any event');
  assert.equal(await page.getAttribute('#recs', 'data-personalized'), 'false');
  const initial = await readShelf(page);
  assert.equal(initial.length, SHELF_SIZE);
  const gridCategories = await page.$$eval('#grid .product-card', (cards) => cards.map((c) => c.dataset.category));
  assert.ok(gridCategories.length > 100, `the whole catalog is in the grid (${gridCategories.length} cards)`);
  if (shots) await page.screenshot({ path: join(shots, 'demo-home.png') });

  // 2. Four products of the least shown category, opened from the grid; two go into the cart.
  const target = leastShown(initial, gridCategories);
  assert.ok(target, 'a category with at least 5 products');
  t.diagnostic(`target category: ${target} (${countIn(initial, target)} of ${SHELF_SIZE} on the popular shelf)`);
  await showCategory(page, target);
  const picks = await page.$$eval(
    '#grid .product-card:not(:has(.out-of-stock))',
    (cards) => cards.slice(0, 4).map((card) => card.dataset.itemId),
  );
  assert.equal(picks.length, 4, 'four products in stock');
  const cart = picks.slice(0, 2);

  let expectedVersion = await shelfVersion(page);
  for (const id of picks) {
    await showCategory(page, target);
    await page.click(`#grid .product-card[data-item-id="${id}"] a`);
    await page.waitForSelector(`.product-detail[data-item-id="${id}"]`, WAIT);
    await waitForShelf(page, expectedVersion, 2); // click, then view
    expectedVersion += 2;
    if (cart.includes(id)) {
      await page.click('#add-to-cart');
      await waitForShelf(page, expectedVersion, 1); // add_to_cart
      expectedVersion += 1;
    }
  }
  assert.equal(await shelfVersion(page), expectedVersion, 'exactly one shelf render per event');
  assert.equal(await page.textContent('#cart-count'), String(cart.length));
  if (shots) await page.screenshot({ path: join(shots, 'demo-product.png'), fullPage: true });

  // 3. The shelf has moved towards the target category and leaves out what is in the cart.
  const final = await readShelf(page);
  const ids = (shelf) => shelf.map((item) => item.id);
  t.diagnostic(`initial shelf: ${JSON.stringify(initial.map((i) => `${i.id} ${i.category}`))}`);
  t.diagnostic(`final shelf:   ${JSON.stringify(final.map((i) => `${i.id} ${i.category}`))}`);
  assert.equal(await page.getAttribute('#recs', 'data-personalized'), 'true');
  assert.equal(final.length, SHELF_SIZE);
  assert.notDeepEqual(ids(final), ids(initial), 'the shelf changed');
  assert.ok(countIn(final, target) > countIn(initial, target), `more ${target} items than before`);
  assert.ok(countIn(final, target) >= SHELF_SIZE / 2, `at least half the shelf is ${target}: ${countIn(final, target)}`);
  for (const id of cart) assert.ok(!ids(final).includes(id), `${id} is in the cart, so not on the shelf`);
  for (const item of final) assert.ok(item.reason, `${item.id} has a reason`);

  // 4. Nothing went wrong in the console, CSP blocked nothing, and nothing left the server.
  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  assert.deepEqual(log.cspViolations, [], 'no CSP violations');
  assert.deepEqual(log.failedRequests, [], 'no failed requests');
  assert.ok(log.requests.some((url) => url.endsWith('/demo/data/shop.pack')), `the pack request was seen\n${dump(log)}`);
  assert.ok(log.requests.some((url) => url.endsWith('.wasm')), 'the wasm request was seen');
  assert.deepEqual(foreignRequests(log, server.origin), [], `every request went to ${server.origin}`);

  await page.close();
});

// Zero egress, request by request: a scripted visit (views, cart, purchase, reload) with every
// request of the page and its worker intercepted. Only the demo's own files, the Shelfwise JS and
// wasm, the pack and product images may be fetched; no URL, header or body may carry an event,
// a product the shopper visited, an event id or the profile; no cookie is set. The events are
// kept on the device meanwhile (the demo runs with consent "on-device"), and the reload shows it.
const ALLOWED_PATHS = [
  /^\/demo\/$/,
  /^\/demo\/(app\.js|style\.css|favicon\.svg)$/,
  /^\/shelfwise\/[a-z-]+\.js$/,
  /^\/shelfwise\/wasm\/(shelfwise\.js|shelfwise_bg\.wasm|shelfwise_relaxed_bg\.wasm)$/,
  /^\/demo\/data\/shop\.pack$/,
  /^\/demo\/img\/[a-z-]+\.svg$/,
];
const EVENT_WORDS = /\b(view|click|add_to_cart|remove_from_cart|purchase|search|eventCount|topCategories|evidence)\b/i;

test('zero egress during a scripted visit: only static files are fetched and nothing about the shopper is sent', async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const intercepted = [];
  await context.route('**/*', async (route) => {
    const request = route.request();
    intercepted.push({ url: request.url(), method: request.method(), headers: await request.allHeaders(), body: request.postData() });
    await route.continue();
  });
  const page = await context.newPage();
  const log = watchPage(page);

  await page.goto(`${server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const picks = await page.$$eval('#grid .product-card:not(:has(.out-of-stock))', (cards) => cards.slice(0, 3).map((c) => c.dataset.itemId));
  let version = await shelfVersion(page);
  for (const id of picks) {
    await page.click(`#grid .product-card[data-item-id="${id}"] a`);
    await page.waitForSelector(`.product-detail[data-item-id="${id}"]`, WAIT);
    await waitForShelf(page, version, 2);
    version += 2;
    if (id !== picks[2]) {
      await page.click('#add-to-cart');
      await waitForShelf(page, version, 1);
      version += 1;
    }
    await page.goto(`${server.url}demo/#/`);
    await page.waitForSelector('#grid', WAIT);
  }
  await page.goto(`${server.url}demo/#/cart`);
  await page.click('#checkout');
  await waitForShelf(page, version, 2); // two purchases
  const before = await page.evaluate(() => document.querySelector('.recs-note')?.textContent);

  // Reload: the events come back from IndexedDB, still without a request carrying them.
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const after = await page.evaluate(() => document.querySelector('.recs-note')?.textContent);
  t.diagnostic(`before the reload: "${before}"; after: "${after}"`);
  assert.equal(await page.getAttribute('#recs', 'data-personalized'), 'true', 'personalized after the reload');
  assert.match(after, /Based on 10 things you did on this device/, '3 views + 3 clicks + 2 carts + 2 purchases, kept on the device');
  const stored = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('shelfwise');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('events').objectStore('events').getAll();
      get.onsuccess = () => { open.result.close(); resolve(get.result); };
    };
  }));
  assert.equal(stored.length, 10, 'the 10 events are in IndexedDB');

  // Every request: same origin, GET, no body, an allowed static path with no query.
  t.diagnostic(`${intercepted.length} requests: ${[...new Set(intercepted.map((r) => new URL(r.url).pathname))].join(' ')}`);
  assert.ok(intercepted.some((r) => r.url.endsWith('.wasm')), 'the worker\'s wasm request was intercepted too');
  const secrets = [...picks, ...stored.map((e) => e.id)];
  for (const request of intercepted) {
    const url = new URL(request.url);
    assert.equal(url.origin, server.origin, `same origin: ${request.url}`);
    assert.equal(request.method, 'GET', `GET only: ${request.url}`);
    assert.equal(request.body, null, `no request body: ${request.url}`);
    assert.equal(url.search, '', `no query string: ${request.url}`);
    assert.ok(ALLOWED_PATHS.some((re) => re.test(url.pathname)), `an allowed static file: ${url.pathname}`);
    const text = `${request.url}\n${JSON.stringify(request.headers)}`;
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} is not in ${text}`);
    assert.doesNotMatch(text, EVENT_WORDS, `no event word in ${text}`);
  }
  assert.deepEqual(await context.cookies(), [], 'no cookies');
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(log.cspViolations, [], 'no CSP violations');
  assert.deepEqual(foreignRequests(log, server.origin), []);
  await context.close();
});

test('the consent switch: unticked, the stored events are erased and nothing more is stored', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = watchPage(page);
  await page.goto(`${server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const id = await page.$eval('#grid .product-card', (card) => card.dataset.itemId);
  let version = await shelfVersion(page);
  await page.click(`#grid .product-card[data-item-id="${id}"] a`);
  await waitForShelf(page, version, 2);
  const databases = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.deepEqual(await databases(), ['shelfwise']);

  version = await shelfVersion(page);
  await page.uncheck('#consent-on-device');
  await waitForShelf(page, version, 1);
  assert.deepEqual(await databases(), [], 'unticking erased the database');
  assert.match(await page.textContent('.recs-note'), /in this tab/);
  await page.goto(`${server.url}demo/#/`);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  assert.equal(await page.isChecked('#consent-on-device'), false, 'the choice is remembered');
  version = await shelfVersion(page);
  await page.click('#grid .product-card a');
  await waitForShelf(page, version, 2);
  assert.deepEqual(await databases(), [], 'nothing stored in context-only mode');
  assert.deepEqual(log.problems, []);
  assert.deepEqual(log.pageErrors, []);
  await context.close();
});
