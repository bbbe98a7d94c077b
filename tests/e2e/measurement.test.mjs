// Private measurement in headless Chromium under the strict CSP, with Playwright's fake clock:
// impressions (half a card for a second), shelf clicks and purchases attributed to their shelf;
// the control arm's shelves are not personalized; over a 3-day visit with reporting on, the only
// requests beyond the static files are at most one report beacon per day, each accepted by the
// real collector (`shelfwise collect`, schema 1) and holding no item id, event id, exact time or
// storage key; with reporting off, or consent withdrawn, none; forget() erases the device
// secret, the arm and the records.
//
//   node --test tests/e2e/measurement.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { ROOT, dump, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 15_000 };
const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const PACK = '/demo/data/shop.pack';
const DAY_MS = 86_400_000;
const START = Date.parse('2027-03-01T09:00:00Z');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml', '.css': 'text/css' };
const REPORTING = { endpoint: '/shelfwise/report', epsilon: 1 };
const EXPERIMENT = { name: 'shelves-e2e', arms: { control: 0.5, personalized: 0.5 } };
const REPORT_FIELDS = ['schema', 'day', 'experiment', 'arm', 'epsilon', 'question', 'answer'];

let server;
let browser;
let collector;
let workDir;

/** `shelfwise collect` on a free port (the release build of scripts/demo-pack.sh, else debug). */
async function startCollector(out) {
  const release = join(ROOT, 'target/release/shelfwise');
  const binary = existsSync(release) ? release : join(ROOT, 'target/debug/shelfwise');
  const child = spawn(binary, ['collect', '--port', '0', '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    createInterface({ input: child.stdout }).once('line', (text) => resolve([text]));
  });
  return { child, url: line.split(/\s+/).find((word) => word.startsWith('http://')), out };
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'shelfwise-measure-'));
  collector = await startCollector(join(workDir, 'reports.jsonl'));
  [server, browser] = await Promise.all([startServer({ csp: true, collector: collector.url }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
  collector?.child.kill();
  rmSync(workDir, { recursive: true, force: true });
});

/** A fresh context (own storage) with the fixture pages routed and the fake clock at `time`. */
async function openPage(time = START) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.route(`${server.origin}/__e2e__/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/'.length).replace(/\.\./g, '');
    const headers = { 'content-security-policy': STRICT_CSP };
    try {
      // The pack's image URLs are relative: the demo's images.
      const file = path.startsWith('img/') ? join(ROOT, 'www/demo', path) : join(PAGES, path);
      return route.fulfill({ status: 200, headers, contentType: TYPES[extname(path)], body: await readFile(file) });
    } catch {
      return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' }); // the pack's images
    }
  });
  const page = await context.newPage();
  await page.clock.install({ time });
  const log = watchPage(page);
  const posts = [];
  page.on('request', (request) => {
    if (request.method() !== 'GET') posts.push({ url: request.url(), body: request.postData(), at: null });
  });
  await load(page);
  return { context, page, log, posts };
}

async function load(page, reload = false) {
  if (reload) await page.reload();
  else await page.goto(`${server.origin}/__e2e__/measurement.html`);
  await page.waitForSelector('body[data-ready="true"]', { ...WAIT, state: 'attached' });
}

/** Makes window.sw = init({ pack, ...options }) and renders `for-you` into #shelf. */
async function start(page, options) {
  await page.evaluate(`(async () => {
    window.sw = await window.fx.init(${JSON.stringify({ pack: PACK, ...options })});
    document.addEventListener('click', (event) => event.preventDefault()); // stay on the page
    window.fx.renderShelf(document.querySelector('#shelf'), await window.sw.shelf('for-you', { k: 6 }));
  })()`);
}

const measurement = (page) => page.evaluate(() => window.sw.measurement());
const reportLines = () => (existsSync(collector.out) ? readFileSync(collector.out, 'utf8').split('\n').filter(Boolean) : []);

/** A visit: click the first card of #shelf, buy it (qty 2) and an item from no shelf. */
async function shopping(page) {
  await page.click('#shelf .shelfwise-card:first-child a');
  return page.evaluate(async () => {
    const clicked = document.querySelector('#shelf .shelfwise-card').dataset.itemId;
    const other = (await window.sw.items(0, 400)).find((item) => !document.querySelector(`[data-item-id="${item.id}"]`));
    await window.sw.track({ type: 'purchase', item: clicked, qty: 2 });
    await window.sw.track({ type: 'purchase', item: other.id });
    return { clicked: await window.sw.item(clicked), other };
  });
}

test('impressions need half a card for a second; clicks and purchases are attributed to their shelf', async () => {
  const { context, page, log } = await openPage();
  await start(page, { consent: 'on-device' });
  await page.evaluate(async () => {
    window.fx.renderShelf(document.querySelector('#far-shelf'), await window.sw.shelf('trending', { k: 4 }));
  });
  await page.clock.runFor(500);
  assert.equal((await measurement(page)).impressions, 0, 'not yet a second');
  await page.clock.runFor(700);
  await page.waitForFunction(() => window.sw.measurement().then((m) => m.impressions === 6), null, WAIT);
  let m = await measurement(page);
  assert.deepEqual(m.byShelf.map((row) => [row.shelf, row.impressions]), [['for-you', 6]], 'the far shelf was never seen');
  const { clicked, other } = await shopping(page);
  m = await measurement(page);
  assert.equal(m.clicks, 1);
  assert.deepEqual(m.attributed.map((p) => [p.item, p.shelf, p.value]), [
    [clicked.id, 'for-you', Math.round(clicked.price * 2 * 100) / 100],
    [other.id, null, Math.round(other.price * 100) / 100],
  ]);
  assert.deepEqual(m.byShelf.map((row) => [row.shelf, row.clicks, row.purchases]), [['for-you', 1, 1], [null, 0, 1]]);
  assert.equal(m.storage, 'indexeddb');
  // Scrolled into view, the trending shelf's cards count too.
  await page.evaluate(() => document.querySelector('#far-shelf').scrollIntoView());
  await page.clock.runFor(1200);
  await page.waitForFunction(() => window.sw.measurement().then((x) => x.byShelf.some((row) => row.shelf === 'trending')), null, WAIT);
  assert.deepEqual(log.problems, [], dump(log));
  assert.deepEqual(log.cspViolations, []);
  await context.close();
});

test('the control arm gets shelves ranked as for a shopper without events', async () => {
  for (const [arm, personalized] of [['control', false], ['personalized', true]]) {
    const { context, page, log } = await openPage();
    await start(page, { experiment: { name: 'one-arm', arms: { [arm]: 1 } } });
    const result = await page.evaluate(async () => {
      for (const item of (await window.sw.items(0, 30)).slice(0, 8)) await window.sw.track({ type: 'view', item: item.id });
      return { shelf: await window.sw.shelf('for-you', { k: 8 }), m: await window.sw.measurement() };
    });
    assert.deepEqual(result.m.experiment, { name: 'one-arm', arm });
    assert.equal(result.shelf.personalized, personalized, arm);
    assert.deepEqual(log.problems, [], dump(log));
    await context.close();
  }
});

/** Asserts one beacon's body is a schema-1 report about `day` with nothing identifying in it. */
function assertCleanReport(post, day, forbidden) {
  assert.equal(new URL(post.url).pathname, '/shelfwise/report');
  const report = JSON.parse(post.body);
  assert.deepEqual(Object.keys(report).sort(), [...REPORT_FIELDS].sort());
  assert.equal(report.schema, 1);
  assert.equal(report.day, day);
  assert.equal(report.experiment, EXPERIMENT.name);
  assert.ok(['control', 'personalized'].includes(report.arm));
  assert.equal(report.epsilon, 1);
  assert.doesNotMatch(post.body, /[0-9a-f]{32}/, 'no event id or secret');
  assert.doesNotMatch(post.body, /\d{5,}/, 'no exact time');
  assert.doesNotMatch(post.body, /shelfwise|secret|ledger|records|ts/i, 'no storage key');
  for (const text of forbidden) assert.ok(!post.body.includes(text), `${text} is not in the report`);
}

/** Waits (real time) until `condition()` holds, at most 10 s. */
async function until(condition, what) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Moves the fake clock to the next UTC day and past the report's random delay, then waits for
 * the engine to have answered whatever the page asked (one more round trip to it).
 */
async function nextDay(page) {
  await page.clock.fastForward(DAY_MS);
  await page.clock.runFor(125_000);
  await page.evaluate(() => window.sw.exportData());
}

test('with reporting on, a 3-day visit sends at most one clean, accepted report beacon per day', async () => {
  const { context, page, log, posts } = await openPage();
  const before = reportLines().length;
  await start(page, { consent: 'on-device', experiment: EXPERIMENT, reporting: REPORTING });
  const { clicked, other } = await shopping(page);
  const ids = (await page.evaluate(() => window.sw.items(0, 1000))).map((item) => item.id);
  const { secret } = (await page.evaluate(() => window.sw.exportData())).measurement;
  const forbidden = [clicked.id, other.id, secret];
  await page.clock.runFor(125_000);
  await page.evaluate(() => window.sw.exportData()); // the attempt of day 1 has been answered
  assert.deepEqual(posts, [], 'day 1: nothing to report yet (a report is about a finished day)');

  await nextDay(page); // day 2, the page still open
  await page.waitForFunction(() => window.sw.measurement().then((m) => m.reporting.lastSentDay === '2027-03-02'), null, WAIT);
  await until(() => posts.length >= 1, 'the beacon of day 2');
  assert.equal(posts.length, 1, 'day 2: one report');
  assertCleanReport(posts[0], '2027-03-01', forbidden);
  await load(page, true); // a second visit on day 2
  await start(page, { consent: 'on-device', experiment: EXPERIMENT, reporting: REPORTING });
  await page.clock.runFor(125_000);
  assert.equal(posts.length, 1, 'day 2: still one report');

  await nextDay(page); // day 3
  await page.waitForFunction(() => window.sw.measurement().then((m) => m.reporting.lastSentDay === '2027-03-03'), null, WAIT);
  await page.clock.runFor(125_000);
  await until(() => posts.length >= 2, 'the beacon of day 3');
  assert.equal(posts.length, 2, 'day 3: one more report');
  assertCleanReport(posts[1], '2027-03-02', forbidden);
  for (const post of posts) for (const id of ids) assert.ok(!post.body.includes(`"${id}"`), `no item id (${id})`);

  // Both went through the real collector, which checked them against schema 1.
  await until(() => reportLines().length - before >= 2, 'the collector');
  const accepted = reportLines().slice(before);
  assert.equal(accepted.length, 2, 'the collector accepted both');
  assert.deepEqual(accepted.map((line) => JSON.parse(line).day).sort(), ['2027-03-01', '2027-03-02']);
  const origin = new URL(server.url).origin;
  assert.deepEqual(log.requests.filter((url) => new URL(url).origin !== origin), [], 'nothing leaves the shop');
  assert.deepEqual(log.problems, [], dump(log));
  assert.deepEqual(log.cspViolations, []);
  await context.close();
});

test('with reporting off (the default) or consent withdrawn, no report is ever sent', async () => {
  for (const variant of ['off', 'withdrawn']) {
    const { context, page, log, posts } = await openPage();
    await start(page, { consent: 'on-device', experiment: EXPERIMENT, ...(variant === 'off' ? {} : { reporting: REPORTING }) });
    await shopping(page);
    if (variant === 'withdrawn') await page.evaluate(() => window.sw.setConsent('context-only'));
    await page.clock.runFor(125_000);
    await nextDay(page);
    await load(page, true);
    await start(page, { consent: variant === 'off' ? 'on-device' : 'context-only', experiment: EXPERIMENT, ...(variant === 'off' ? {} : { reporting: REPORTING }) });
    await nextDay(page);
    await nextDay(page);
    assert.deepEqual(posts, [], `${variant}: no request but GETs`);
    const m = await measurement(page);
    assert.equal(m.reporting?.lastSentDay ?? null, null, variant);
    assert.deepEqual(log.problems, [], dump(log));
    await context.close();
  }
});

test('forget() erases the device secret, the arm and the attribution records', async () => {
  const { context, page, log } = await openPage();
  await start(page, { consent: 'on-device', experiment: EXPERIMENT, reporting: REPORTING });
  await shopping(page);
  const before = await page.evaluate(async () => ({ data: (await window.sw.exportData()).measurement, stored: await window.fx.snapshot() }));
  assert.match(before.data.secret, /^[0-9a-f]{32}$/);
  assert.equal(before.data.records.length, 3, 'a click and two purchases');
  const stored = before.stored['shelfwise-measurement'];
  assert.equal(stored.device.find((entry) => entry.key === 'secret').value, before.data.secret, 'the secret is stored');
  assert.equal(stored.records.length, 3);

  const after = await page.evaluate(async () => {
    await window.sw.forget();
    return { data: (await window.sw.exportData()).measurement, m: await window.sw.measurement(), stored: await window.fx.snapshot() };
  });
  assert.deepEqual(Object.keys(after.stored), [], 'no IndexedDB database is left');
  assert.deepEqual(after.data.records, []);
  assert.notEqual(after.data.secret, before.data.secret, 'a new secret (in memory only) for the rest of the page');
  assert.deepEqual(after.data.ledger, { lastSentDay: null, lastReportedDay: null, activeDays: [] });
  assert.deepEqual([after.m.purchases, after.m.clicks, after.m.attributed], [0, 0, []]);
  assert.deepEqual(log.problems, [], dump(log));
  await context.close();
});

test('the demo\'s "What this shop knows about you" page shows what the shelves did', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const log = watchPage(page);
  await page.goto(`${server.url}demo/`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  const id = await page.getAttribute('#recs .shelfwise-card:first-child', 'data-item-id');
  await page.click('#recs .shelfwise-card:first-child a');
  await page.waitForSelector(`.product-detail[data-item-id="${id}"]`, WAIT);
  await page.click('#add-to-cart');
  await page.goto(`${server.url}demo/#/cart`);
  await page.click('#checkout');
  await page.waitForSelector('.notice', WAIT);
  await page.goto(`${server.url}demo/#/you`);
  const row = await page.waitForSelector('#measurement tr[data-shelf="for-you"]', WAIT);
  const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent));
  assert.equal(cells[0], 'for-you');
  assert.ok(Number(cells[2]) >= 1, `clicked: ${cells}`);
  assert.equal(cells[3], '1', `bought via for-you: ${cells}`);
  assert.match(await page.textContent('#measurement'), /Daily report: off/);
  assert.deepEqual(log.problems, [], dump(log));
  await context.close();
});
