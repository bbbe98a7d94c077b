// The components in headless Chromium under the strict CSP (fixture: tests/e2e/pages/components.*):
//   1. <shelfwise-shelf> shows placeholders and ranks nothing until it is scrolled into view, then
//      fills its <template> with the ranked items (exactly what the engine ranks);
//   2. changing `count`, `item` or `kind` ranks again; an unknown kind leaves an empty shelf and
//      one console warning, never an exception;
//   3. template cards are filled inertly: markup in item fields stays text, script URLs are dropped;
//   4. autotrack records exactly one view per item per page (scrolling back, duplicate cards and
//      late additions included), clicks and add-to-cart from data attributes, and the shelf
//      element follows those events (more of the viewed category, cart items left out);
//   5. server-rendered cards (static shelves) stay until the personalized shelf replaces them,
//      and stay (with one warning) if ranking fails;
//   6. the console is clean apart from the expected warnings, and nothing leaves the server.
//
//   node --test tests/e2e/components.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { WWW, dump, foreignRequests, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 10_000 };
const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ csp: true }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page with the fixture served under /__e2e__/ (item images from the demo's img/). */
async function openFixture(name = 'components.html') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const log = watchPage(page);
  await context.route(`${server.origin}/__e2e__/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/'.length).replace(/\.\./g, '');
    const headers = { 'content-security-policy': STRICT_CSP, 'cache-control': 'no-cache' };
    const file = path.startsWith('img/') ? join(WWW, 'demo', path) : join(PAGES, path);
    try {
      return route.fulfill({ status: 200, headers, contentType: TYPES[extname(path)], body: await readFile(file) });
    } catch {
      return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
    }
  });
  await page.goto(`${server.origin}/__e2e__/${name}`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  return { page, log, close: () => context.close() };
}

const shelfIds = (page, selector = '#shelf') => page.evaluate((s) => window.fx.shelfIds(s), selector);
const state = (page, selector = '#shelf') => page.getAttribute(selector, 'data-state');

/** Waits until the element shows exactly what the engine ranks now for (k, exclude). */
async function waitForShelfToMatch(page, k, exclude = []) {
  let shown;
  let expected;
  const deadline = Date.now() + WAIT.timeout;
  do {
    await page.evaluate(() => window.fx.settle());
    [shown, expected] = await Promise.all([shelfIds(page), page.evaluate(([n, e]) => window.fx.expected(n, e), [k, exclude])]);
    if (JSON.stringify(shown) === JSON.stringify(expected)) return shown;
    await page.waitForTimeout(50);
  } while (Date.now() < deadline);
  assert.deepEqual(shown, expected, 'the element shows what the engine ranks');
  return shown;
}

async function viewCount(page) {
  return page.evaluate(() => window.fx.tracked.filter((event) => event.type === 'view').length);
}

test('<shelfwise-shelf>: placeholders, then items once in view; attribute changes; inert template cards', async (t) => {
  const { page, log, close } = await openFixture();

  // 1. Below the first screen: placeholders only, nothing ranked yet.
  assert.equal(await state(page), 'placeholder');
  assert.equal(await page.getAttribute('#shelf', 'aria-busy'), 'true');
  assert.equal(await page.locator('#shelf .shelfwise-card.shelfwise-placeholder').count(), 4, 'count="4" placeholders');
  assert.deepEqual(await shelfIds(page), []);
  assert.deepEqual(await page.evaluate(() => window.fx.renders), { shelf: 0, stubbed: 0 }, 'nothing rendered off screen');
  assert.deepEqual(await page.evaluate(() => window.fx.stubShelves), [], 'the stub was not asked for a shelf');
  assert.equal(await page.locator('#shelf .shelfwise-placeholder[inert][aria-hidden="true"]').count(), 4, 'placeholders are inert');

  // 2. Scrolled into view: the template filled with the four items the engine ranks.
  await page.locator('#shelf').scrollIntoViewIfNeeded();
  await page.waitForSelector('#shelf[data-state="ready"]', WAIT);
  const first = await waitForShelfToMatch(page, 4);
  assert.equal(first.length, 4);
  assert.equal(await page.locator('#shelf .shelfwise-placeholder').count(), 0, 'placeholders replaced');
  assert.equal(await page.getAttribute('#shelf', 'aria-busy'), null);
  const cards = await page.$$eval('#shelf .shelfwise-card', (nodes) => nodes.map((card) => ({
    id: card.dataset.itemId,
    title: card.querySelector('.card-title').textContent,
    price: card.querySelector('.card-price').textContent,
    href: card.querySelector('a.card').getAttribute('href'),
    src: card.querySelector('img.card-image').getAttribute('src'),
    trackedItem: card.querySelector('a.card').dataset.shelfwiseItem,
  })));
  for (const card of cards) {
    const item = await page.evaluate((id) => window.fx.shelfwise.item(id), card.id);
    assert.equal(card.title, item.title, `${card.id}: title from the pack`);
    const twoDecimals = new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    assert.equal(card.price, twoDecimals.format(item.price), `${card.id}: price formatted (Intl, the page's lang)`);
    assert.equal(card.href, new URL(item.url, `${server.origin}/__e2e__/components.html`).href, `${card.id}: link`);
    assert.equal(card.src, new URL(item.image, `${server.origin}/__e2e__/components.html`).href, `${card.id}: image`);
    assert.equal(card.trackedItem, card.id, `${card.id}: the data-shelfwise-event link names its item for autotrack`);
  }
  assert.equal(await page.evaluate(() => window.fx.renders.shelf), 1, 'one render');

  // 3. Attribute changes rank again.
  await page.evaluate(() => document.querySelector('#shelf').setAttribute('count', '6'));
  const six = await waitForShelfToMatch(page, 6);
  assert.equal(six.length, 6);
  assert.deepEqual(six.slice(0, 4), first, 'a larger shelf starts with the same items');
  await page.evaluate((id) => document.querySelector('#shelf').setAttribute('item', id), first[0]);
  const withContext = await waitForShelfToMatch(page, 6, [first[0]]);
  assert.ok(!withContext.includes(first[0]), 'the context item is left out');
  assert.deepEqual(withContext.slice(0, 3), first.slice(1, 4), 'the others move up');

  // An unknown kind: an empty, inert shelf and exactly one warning; no exception.
  await page.evaluate(() => document.querySelector('#shelf').setAttribute('kind', 'no-such-shelf'));
  await page.waitForSelector('#shelf[data-state="error"]', { state: 'attached', ...WAIT });
  assert.equal(await page.locator('#shelf .shelfwise-card').count(), 0);
  const warnings = () => log.problems.filter((text) => text.includes('no-such-shelf'));
  assert.equal(warnings().length, 1, `one warning: ${JSON.stringify(log.problems)}`);
  assert.match(warnings()[0], /^warning: Shelfwise: <shelfwise-shelf kind="no-such-shelf"> shows nothing: unknown_shelf: /);
  // An unusable count falls back to the default (8), with one warning.
  await page.evaluate(() => {
    const shelf = document.querySelector('#shelf');
    shelf.setAttribute('kind', 'for-you');
    shelf.setAttribute('count', '0');
  });
  assert.equal((await waitForShelfToMatch(page, 8, [first[0]])).length, 8, 'count="0": the default 8 (the item is still the context)');
  const countWarnings = log.problems.filter((text) => /count="0"/.test(text));
  assert.equal(countWarnings.length, 1, 'one warning for count="0"');
  assert.match(countWarnings[0], /count="0" is not a whole number from 1 to 1000; showing the default, 8/);
  await page.evaluate(() => {
    const shelf = document.querySelector('#shelf');
    shelf.removeAttribute('item');
    shelf.setAttribute('count', '4');
  });
  assert.deepEqual(await waitForShelfToMatch(page, 4), first, 'back to the first shelf');

  // 4. Template cards are filled inertly (the stub instance serves hostile item fields).
  await page.locator('#stubbed').scrollIntoViewIfNeeded();
  await page.waitForSelector('#stubbed[data-state="ready"]', WAIT);
  const stubbed = await page.$$eval('#stubbed .shelfwise-card', (nodes) => nodes.map((card) => ({
    title: card.querySelector('.card-title').textContent,
    brand: card.querySelector('.card-brand').textContent,
    elements: card.querySelectorAll('*').length,
    href: card.querySelector('a.card').getAttribute('href'),
    src: card.querySelector('img.card-image').getAttribute('src'),
    imageHidden: card.querySelector('img.card-image').hidden,
  })));
  assert.equal(stubbed.length, 2);
  assert.equal(stubbed[0].title, '<img src=x onerror="window.pwned=1"><b>bold</b> 0', 'markup shown as text');
  assert.equal(stubbed[0].brand, '<script>window.pwned=1</script>');
  for (const card of stubbed) {
    assert.equal(card.elements, 4, 'only the template\'s own elements (a, img, two spans)');
    assert.equal(card.href, null, 'javascript: link dropped');
    assert.equal(card.src, null, 'javascript: image dropped');
    assert.equal(card.imageHidden, true);
  }
  assert.deepEqual(await page.evaluate(() => window.fx.stubShelves), [{ kind: 'for-you', options: { k: 2, exclude: [] } }]);
  await page.click('#stubbed .card');
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'nothing ran');

  t.diagnostic(`first shelf: ${first.join(' ')}`);
  assert.deepEqual(log.problems.filter((text) => !/no-such-shelf|count="0"/.test(text)), [], 'no other console problem');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  assert.deepEqual(log.cspViolations, []);
  assert.deepEqual(foreignRequests(log, server.origin), [], `nothing left ${server.origin}\n${dump(log)}`);
  await close();
});

test('autotrack: one view per item per page, clicks and add-to-cart from data attributes; the shelf follows', async (t) => {
  const { page, log, close } = await openFixture();

  // The shelf as a new shopper sees it, and a category it shows little of.
  await page.locator('#shelf').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.querySelector('#shelf').setAttribute('count', '8'));
  const initial = await waitForShelfToMatch(page, 8);
  const catalog = await page.evaluate(() => window.fx.shelfwise.items(0, 1000));
  const category = (id) => catalog.find((item) => item.id === id).category;
  const byCategory = new Map();
  for (const item of catalog) if (item.inStock) byCategory.set(item.category, [...(byCategory.get(item.category) ?? []), item.id]);
  const countIn = (ids, cat) => ids.filter((id) => category(id) === cat).length;
  const candidates = [...byCategory].filter(([, ids]) => ids.length >= 6).map(([cat]) => cat).sort();
  candidates.sort((a, b) => countIn(initial, a) - countIn(initial, b));
  const target = candidates[0];
  const picks = byCategory.get(target).filter((id) => !initial.includes(id)).slice(0, 5);
  t.diagnostic(`target ${target}: ${countIn(initial, target)} of 8 on the first shelf; products ${picks.join(' ')}`);

  // Four product cards appear at the top (added after autotrack started): four views, once each.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate((ids) => window.fx.showProducts(ids), picks.slice(0, 4));
  await page.waitForFunction(() => window.fx.tracked.filter((e) => e.type === 'view').length >= 4, null, WAIT);
  // Scrolling away and back, and a second card for an item already seen, record nothing new;
  // a fifth product added afterwards is seen, which proves the observer was still running.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.evaluate((ids) => window.fx.showProducts(ids), [picks[0], picks[4]]);
  await page.waitForFunction((id) => window.fx.tracked.some((e) => e.type === 'view' && e.item === id), picks[4], WAIT);
  const views = await page.evaluate(() => window.fx.tracked.filter((e) => e.type === 'view').map((e) => e.item));
  assert.deepEqual([...views].sort(), [...picks].sort(), 'exactly one view per item');
  assert.equal(await viewCount(page), 5);

  // Clicks on two product links, add-to-cart on two buttons.
  const cart = picks.slice(0, 2);
  for (const id of picks.slice(0, 2)) await page.click(`#products article[data-shelfwise-item="${id}"] >> nth=0 >> a`);
  for (const id of cart) await page.click(`#products article[data-shelfwise-item="${id}"] >> nth=0 >> button`);
  await page.evaluate(() => window.fx.settle());
  const tracked = await page.evaluate(() => window.fx.tracked);
  const actions = tracked.filter((e) => e.type !== 'view').map((e) => `${e.type} ${e.item}`);
  assert.deepEqual(actions, [...picks.slice(0, 2).map((id) => `click ${id}`), ...cart.map((id) => `add_to_cart ${id}`)]);
  assert.equal((await page.evaluate(() => window.fx.shelfwise.profile())).eventCount, tracked.length, 'the engine holds every tracked event');

  // The shelf element (subscribed since it was first shown) now shows the personalized shelf.
  await page.locator('#shelf').scrollIntoViewIfNeeded();
  const final = await waitForShelfToMatch(page, 8);
  t.diagnostic(`initial: ${initial.map((id) => `${id} ${category(id)}`).join(', ')}`);
  t.diagnostic(`final:   ${final.map((id) => `${id} ${category(id)}`).join(', ')}`);
  assert.notDeepEqual(final, initial, 'the shelf changed');
  assert.ok(countIn(final, target) > countIn(initial, target), `more ${target}: ${countIn(final, target)} vs ${countIn(initial, target)}`);
  for (const id of cart) assert.ok(!final.includes(id), `${id} is in the cart, so not on the shelf`);
  const renders = await page.evaluate(() => window.fx.renders.shelf);
  assert.ok(renders < 2 + tracked.length, `re-renders are coalesced: ${renders} renders for ${tracked.length} events`);

  // Stopped: new cards are not tracked any more.
  await page.evaluate(() => window.fx.stop());
  await page.evaluate(() => window.scrollTo(0, 0));
  const fresh = byCategory.get(target).find((id) => !picks.includes(id));
  await page.evaluate((id) => window.fx.showProducts([id]), fresh);
  await page.click(`#products article[data-shelfwise-item="${fresh}"] a`);
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  assert.equal((await page.evaluate(() => window.fx.tracked)).length, tracked.length, 'nothing tracked after stop()');

  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  assert.deepEqual(log.cspViolations, []);
  assert.deepEqual(foreignRequests(log, server.origin), [], `nothing left ${server.origin}\n${dump(log)}`);
  await close();
});

test('the plain custom-element example (www/examples/) works under the strict CSP', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log = watchPage(page);
  await page.goto(`${server.url}examples/custom-element.html`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  await page.waitForSelector('#for-you[data-state="ready"]', WAIT);
  assert.equal(await page.locator('#for-you .shelfwise-card').count(), 6);
  assert.equal(await page.getAttribute('#more', 'data-state'), 'placeholder', 'the lower shelf waits until scrolled to');
  const before = await page.$$eval('#for-you .shelfwise-card', (cards) => cards.map((card) => card.dataset.itemId));
  const products = await page.$$eval('#products article', (cards) => cards.map((card) => card.dataset.shelfwiseItem));
  assert.equal(products.length, 8);
  for (const id of products.slice(0, 3)) await page.click(`#products article[data-shelfwise-item="${id}"] button`);
  // Three add-to-carts (and the views of the visible cards): the cart items leave the shelf.
  await page.waitForFunction((cart) => {
    const ids = [...document.querySelectorAll('#for-you .shelfwise-card')].map((card) => card.dataset.itemId);
    return ids.length === 6 && ids.every((id) => !cart.includes(id)) && document.querySelectorAll('#for-you .shelfwise-card-reason').length === 6;
  }, products.slice(0, 3), WAIT);
  const after = await page.$$eval('#for-you .shelfwise-card', (cards) => cards.map((card) => card.dataset.itemId));
  assert.notDeepEqual(after, before, 'the shelf followed the events');
  await page.locator('#more').scrollIntoViewIfNeeded();
  await page.waitForSelector('#more[data-state="ready"]', WAIT);
  assert.equal(await page.locator('#more .shelfwise-card .card-image[src]').count(), 4, 'template images filled');
  assert.deepEqual(log.problems, [], 'no console errors or warnings');
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(foreignRequests(log, server.origin), []);
  await page.close();
});

test('<shelfwise-shelf> keeps server-rendered cards until the ranked shelf replaces them', async () => {
  const { page, log, close } = await openFixture('components-ssr.html');
  const texts = (selector) => page.$$eval(`${selector} .shelfwise-card`, (cards) => cards.map((card) => card.textContent.trim()));
  assert.equal(await state(page, '#ssr'), 'static');
  assert.deepEqual(await texts('#ssr'), ['Server card 1', 'Server card 2'], 'no placeholders over the server cards');
  assert.equal(await page.getAttribute('#ssr', 'aria-busy'), null);

  await page.locator('#ssr').scrollIntoViewIfNeeded();
  await page.waitForSelector('#ssr[data-state="ready"]', WAIT);
  const ranked = await page.evaluate(async () => (await window.fx.shelfwise.shelf('for-you', { k: 3 })).items.map((item) => item.id));
  const shown = await page.$$eval('#ssr .shelfwise-card', (cards) => cards.map((card) => card.dataset.itemId));
  assert.deepEqual(shown, ranked, 'the personalized (here: popular) shelf replaced them');
  assert.equal(await page.locator('#ssr ol').count(), 1, 'the server list was reused');
  const prices = await page.$$eval('#ssr .shelfwise-card-price', (nodes) => nodes.map((node) => node.textContent));
  assert.equal(prices.length, 3);
  for (const price of prices) assert.match(price, /^EUR \d+\.\d\d$/, 'formatPrice set before the upgrade is used');

  await page.locator('#ssr-unknown').scrollIntoViewIfNeeded();
  const warned = () => log.problems.filter((text) => text.includes('no-such-static-kind'));
  const deadline = Date.now() + WAIT.timeout;
  while (warned().length === 0 && Date.now() < deadline) await page.waitForTimeout(50);
  assert.equal(warned().length, 1, JSON.stringify(log.problems));
  assert.match(warned()[0], /keeps its server-rendered cards: unknown_shelf: /);
  assert.deepEqual(await texts('#ssr-unknown'), ['Server card 3'], 'the server cards stay when ranking fails');
  assert.equal(await state(page, '#ssr-unknown'), 'static');

  assert.deepEqual(log.problems.filter((text) => !text.includes('no-such-static-kind')), []);
  assert.deepEqual(log.pageErrors, []);
  assert.deepEqual(foreignRequests(log, server.origin), []);
  await close();
});
