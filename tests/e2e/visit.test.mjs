// End to end: a realistic visit to the demo shop, checking every shelf and its explanations.
// A new shopper lands on the home page, searches for candles, opens a result and then a similar
// product from its shelf, puts it in the cart, checks out, comes back to the home page (the
// return visit of the same tab), opens "What this shop knows about you", removes their top
// interest (the for-you shelf must change), exports their data and erases everything. Under the
// strict CSP, with a clean console and no request leaving the test server. (The return visit
// is the same tab: keeping events across reloads is the storage layer's business.)
//
//   node --test tests/e2e/visit.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dump, foreignRequests, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 15_000 };

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ csp: true }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Every shelf on the page: { kind, title, items: [{ id, title, category, reason, why }] }. */
function readShelves(page) {
  return page.$$eval('#recs .shelfwise-shelf, #more-shelves .shelfwise-shelf', (sections) => sections.map((s) => ({
    kind: s.dataset.shelfwiseShelf,
    title: s.querySelector('.shelfwise-shelf-title')?.textContent ?? '',
    items: [...s.querySelectorAll('.shelfwise-card')].map((card) => ({
      id: card.dataset.itemId,
      category: card.dataset.category,
      title: card.querySelector('.shelfwise-card-title')?.textContent ?? '',
      reason: card.querySelector('.shelfwise-card-reason')?.textContent.trim() ?? '',
      why: card.querySelector('.shelfwise-card-reason')?.dataset.reason ?? '',
    })),
  })));
}

const version = async (page, name) => Number(await page.getAttribute('#recs', `data-${name}-version`) ?? 0);

/** Runs `action` and waits until #recs[data-<name>-version] has grown by `renders`. */
async function expectRenders(page, name, renders, action) {
  const from = await version(page, name);
  await action();
  await page.waitForFunction(
    ([attr, target]) => Number(document.querySelector('#recs')?.getAttribute(attr) ?? 0) >= target,
    [`data-${name}-version`, from + renders],
    WAIT,
  );
}

const byKind = (shelves, kind) => shelves.find((s) => s.kind === kind);

function assertNoDuplicates(shelves, where) {
  const seen = new Map();
  for (const shelf of shelves) {
    for (const item of shelf.items) {
      assert.ok(!seen.has(item.id), `${where}: ${item.id} is on "${seen.get(item.id)}" and "${shelf.title}"`);
      seen.set(item.id, shelf.title);
    }
  }
}

function assertExplained(shelves, where) {
  for (const shelf of shelves) {
    assert.ok(shelf.items.length > 0, `${where}: "${shelf.title}" is empty`);
    for (const item of shelf.items) assert.ok(item.reason && item.why, `${where}: ${item.id} on "${shelf.title}" has no explanation`);
  }
}

test('a visit: search, view, cart, purchase, return, profile, remove interest, export, erase', async (t) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const log = watchPage(page);

  // 1. First visit, no history: every shelf still fills, from popularity and trend.
  await page.goto(`${server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  await page.waitForFunction(() => Number(document.querySelector('#recs')?.dataset.routeVersion ?? 0) >= 1, null, WAIT);
  let shelves = await readShelves(page);
  t.diagnostic(`home (new shopper): ${shelves.map((s) => `${s.kind} "${s.title}" ${s.items.length}`).join(' | ')}`);
  assert.deepEqual(shelves.map((s) => s.kind), ['for-you', 'trending', 'new-for-you']);
  assertExplained(shelves, 'home');
  assertNoDuplicates(shelves, 'home');
  assert.ok(byKind(shelves, 'trending').items.every((i) => i.why === 'trending' && i.reason === 'Trending now'));
  assert.ok(byKind(shelves, 'new-for-you').items.some((i) => i.why === 'new'), 'new for you shows little-seen items');

  // 2. A search: the shelves start from the search text (cold start).
  await expectRenders(page, 'shelf', 1, async () => {
    await page.fill('#search-input', 'candle');
    await page.press('#search-input', 'Enter');
  });
  await page.waitForSelector('#grid .product-card', WAIT);
  shelves = await readShelves(page);
  const forYou = byKind(shelves, 'for-you');
  assert.equal(forYou.items[0].why, 'search');
  assert.equal(forYou.items[0].reason, 'Matches your search “candle”');
  assert.match(forYou.items[0].title, /candle/i);
  assertExplained(shelves, 'search');
  assertNoDuplicates(shelves, 'search');

  // 3. Open the first in-stock result: a product page with similar and bought-together shelves.
  const first = await page.$eval('#grid .product-card:not(:has(.out-of-stock))', (card) => ({
    id: card.dataset.itemId,
    title: card.querySelector('.product-card-title').textContent,
  }));
  await expectRenders(page, 'shelf', 2, () => page.click(`#grid .product-card[data-item-id="${first.id}"] a`)); // click, view
  await page.waitForSelector(`.product-detail[data-item-id="${first.id}"]`, WAIT);
  shelves = await readShelves(page);
  t.diagnostic(`product ${first.id}: ${shelves.map((s) => `${s.kind} "${s.title}" ${s.items.length}`).join(' | ')}`);
  const similar = byKind(shelves, 'similar');
  assert.equal(similar.title, `Similar to ${first.title}`);
  assert.ok(similar.items.every((i) => i.why === 'similar' && i.reason === `Similar to ${first.title}`));
  const together = byKind(shelves, 'bought-together');
  assert.ok(together.items.length > 0, 'bought together is never empty');
  assert.ok(together.items.every((i) => ['bought-together', 'similar', 'trending'].includes(i.why)));
  assert.ok(!shelves.some((s) => s.items.some((i) => i.id === first.id)), 'the product is not recommended next to itself');
  assertExplained(shelves, 'product');
  assertNoDuplicates(shelves, 'product');

  // 4. A product from the similar shelf: "because you viewed" now names the first product.
  const second = similar.items[0];
  await expectRenders(page, 'shelf', 2, () => page.click(`[data-shelf-kind="similar"] .shelfwise-card[data-item-id="${second.id}"] a`));
  await page.waitForSelector(`.product-detail[data-item-id="${second.id}"]`, WAIT);
  shelves = await readShelves(page);
  const viewed = byKind(shelves, 'because-you-viewed');
  assert.equal(viewed.title, `Because you viewed ${first.title}`);
  assert.ok(viewed.items.every((i) => i.why === 'viewed' && i.reason === `Because you viewed ${first.title}`));
  const recent = byKind(shelves, 'recently-viewed');
  assert.deepEqual(recent.items.map((i) => i.id), [first.id], 'recently viewed: the first product (this one is on the page)');
  assert.equal(recent.items[0].reason, 'You viewed this twice', 'a click and a view');

  // 5. Into the cart; the cart page suggests what goes with it and for-you leaves it out.
  await expectRenders(page, 'shelf', 1, () => page.click('#add-to-cart'));
  await expectRenders(page, 'route', 1, () => page.click('#cart-link'));
  await page.waitForSelector(`.cart-line[data-item-id="${second.id}"]`, WAIT);
  shelves = await readShelves(page);
  assert.ok(byKind(shelves, 'bought-together').items.length > 0, 'bought together with the cart');
  assert.ok(!shelves.some((s) => s.items.some((i) => i.id === second.id)), 'the cart item is on no shelf');
  assertExplained(shelves, 'cart');

  // 6. Checkout (one purchase event), then the return visit to the home page.
  await expectRenders(page, 'shelf', 1, () => page.click('#checkout'));
  await expectRenders(page, 'route', 1, () => page.click('.shop-name'));
  shelves = await readShelves(page);
  t.diagnostic(`home (return): ${shelves.map((s) => `${s.kind} "${s.title}" ${s.items.length}`).join(' | ')}`);
  const buyAgain = byKind(shelves, 'buy-again');
  assert.deepEqual(buyAgain.items.map((i) => i.id), [second.id]);
  assert.equal(buyAgain.items[0].reason, 'You bought this once');
  assert.equal(buyAgain.items[0].why, 'bought-before');
  assert.equal(byKind(shelves, 'because-you-viewed').title, `Because you viewed ${second.title}`);
  const recentHome = byKind(shelves, 'recently-viewed').items.map((i) => i.id);
  assert.ok(recentHome.includes(first.id), 'recently viewed keeps the first product');
  assert.equal(await page.getAttribute('#recs', 'data-personalized'), 'true');
  const inCats = byKind(shelves, 'trending-in-categories');
  assert.match(inCats.title, /^Trending in /);
  assert.ok(inCats.items.every((i) => i.why === 'trending-in-category' || i.why === 'trending'));
  assertExplained(shelves, 'return');
  assertNoDuplicates(shelves, 'return');

  // 6b. A category page: its trending and new items, all of that category.
  const categoryName = inCats.title.replace(/^Trending in /, '').split(', ')[0];
  await expectRenders(page, 'route', 1, () => page.click(`#category-chips .chip[data-category="${categoryName}"]`));
  shelves = await readShelves(page);
  const trendingHere = shelves.find((s) => s.title === `Trending in ${categoryName}`);
  assert.ok(trendingHere, `a "Trending in ${categoryName}" shelf: ${shelves.map((s) => s.title).join(' | ')}`);
  for (const kind of ['trending', 'new-for-you']) {
    const shelf = byKind(shelves, kind);
    assert.ok(shelf.items.length > 0 && shelf.items.every((i) => i.category === categoryName), `${kind}: only ${categoryName}`);
  }
  assertExplained(shelves, 'category');
  assertNoDuplicates(shelves, 'category');

  // 7. The profile panel: segments and affinities read like the visit.
  await expectRenders(page, 'route', 1, () => page.click('#you-link'));
  await page.waitForSelector('#profile-segments', WAIT);
  const segments = await page.$$eval('#profile-segments .segment', (els) => els.map((e) => e.textContent));
  const topCategory = await page.$eval('.categories .affinity-name', (e) => e.textContent);
  t.diagnostic(`segments: ${JSON.stringify(segments)}; top category ${topCategory}`);
  assert.ok(segments.length > 0, 'at least one readable segment');
  assert.ok(segments[0].startsWith(topCategory.toLowerCase()), `the first segment names the top category: ${segments[0]}`);
  assert.ok(await page.$('.brands .affinity'), 'brand affinities are shown');
  assert.ok(await page.$('.price-bands .affinity'), 'price bands are shown');
  assert.ok((await page.textContent('.profile-panel')).includes('candle'), 'the search is listed');

  // 8. Removing the top interest changes the for-you shelf.
  const forYouIds = async () => page.$$eval('#recs .shelfwise-card', (cards) => cards.map((c) => c.dataset.itemId));
  const before = await forYouIds();
  await expectRenders(page, 'shelf', 1, () => page.click('.categories .remove-interest'));
  await page.waitForSelector('.removed-interest', WAIT);
  const afterIds = await forYouIds();
  t.diagnostic(`for-you before: ${before.join(' ')} / after removing ${topCategory}: ${afterIds.join(' ')}`);
  assert.notDeepEqual(afterIds, before, 'the for-you shelf changed');
  assert.match(await page.textContent('.removed-interest'), new RegExp(topCategory.replace(/[&]/g, '\\&')));
  assert.ok(!(await page.$$eval('.categories .affinity-name', (els) => els.map((e) => e.textContent))).includes(topCategory));

  // 9. Export: a JSON download that contains the visit.
  const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('#export-data')]);
  const exported = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.ok(JSON.stringify(exported).includes(second.id), 'the export contains the purchase');

  // 10. Erase everything: nothing is left and the shelf is no longer personal.
  await expectRenders(page, 'shelf', 1, () => page.click('#erase-everything'));
  await page.waitForFunction(() => /from 0 things/.test(document.querySelector('.profile-intro')?.textContent ?? ''), null, WAIT);
  assert.equal(await page.getAttribute('#recs', 'data-personalized'), 'false');
  assert.equal(await page.$('.removed-interest'), null, 'removed interests are erased too');

  // Nothing went wrong and nothing left the server.
  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  assert.deepEqual(log.cspViolations, [], 'no CSP violations');
  assert.deepEqual(log.failedRequests, [], 'no failed requests');
  assert.deepEqual(foreignRequests(log, server.origin), [], `every request went to ${server.origin}\n${dump(log)}`);
  await page.close();
});
