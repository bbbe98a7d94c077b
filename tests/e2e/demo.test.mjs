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
