// Privacy promises of the shell (issue 5), proven in headless Chromium:
//   1. under consent "on-device" events persist in IndexedDB across reloads and a browser restart,
//      and the profile is rebuilt from them; retention (days, event cap) is enforced;
//   2. two tabs writing at once lose and double nothing; a reload in the middle of writing loses
//      nothing that track() had acknowledged;
//   3. IndexedDB unavailable, quota exhausted, a corrupt store: the shell keeps working, warns
//      exactly once, never throws into the page;
//   4. consent: "context-only" stores nothing; switching to it erases; forget() leaves nothing
//      (IndexedDB, Cache API, Web Storage, cookies); exportData() is complete JSON;
//   5. a pack whose text and URL fields carry HTML and javascript: payloads renders inert.
// The fixture page (tests/e2e/pages/privacy.*) and test packs are served by context.route()
// under /__e2e__/ on the test server's origin; everything else comes from www/.
//
//   node --test tests/e2e/privacy.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { CHROMIUM_ARGS, ROOT, dump, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 15_000 };
const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const PACK = '/demo/data/shop.pack';
const DAY_MS = 86_400_000;
const MODES = [
  { name: 'worker', options: {} },
  { name: 'inline', options: { worker: false } },
];
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([startServer({ csp: true }), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Serves tests/e2e/pages/ and `packs` under /__e2e__/ in `context` (with the strict CSP unless csp: false). */
async function routeFixtures(context, { packs = {}, csp = true } = {}) {
  await context.route(`${server.origin}/__e2e__/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/'.length);
    const headers = { 'cache-control': 'no-cache' };
    if (csp) headers['content-security-policy'] = STRICT_CSP;
    if (path.startsWith('packs/') && packs[path.slice(6)]) {
      return route.fulfill({ status: 200, headers, contentType: 'application/octet-stream', body: packs[path.slice(6)] });
    }
    try {
      const body = await readFile(join(PAGES, path.replace(/\.\./g, '')));
      return route.fulfill({ status: 200, headers, contentType: TYPES[extname(path)], body });
    } catch {
      return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
    }
  });
}

/** A fresh browser context (own storage) with `pages` fixture pages open. */
async function openContext({ pages = 1, ...fixtureOptions } = {}) {
  const context = await browser.newContext();
  await routeFixtures(context, fixtureOptions);
  const opened = [];
  for (let i = 0; i < pages; i += 1) {
    const page = await context.newPage();
    const log = watchPage(page);
    await load(page);
    opened.push({ page, log });
  }
  return { context, pages: opened, close: () => context.close() };
}

async function load(page, reload = false) {
  if (reload) await page.reload();
  else await page.goto(`${server.origin}/__e2e__/privacy.html`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
}

/**
 * Runs `body(sw, args)` in the page on a fresh instance made with init({ pack, ...options }),
 * also kept as window.sw. `body` is sent as source text and evaluated through DevTools (not
 * subject to the page's CSP); `scriptedVisit` is defined for it.
 */
function withShelfwise(page, options, body, args = null) {
  return page.evaluate(`(async () => {
    const scriptedVisit = ${scriptedVisit};
    const sw = await window.fx.init(${JSON.stringify({ pack: PACK, ...options })});
    window.sw = sw;
    return (${body})(sw, ${JSON.stringify(args)});
  })()`);
}

const snapshot = (page) => page.evaluate(() => window.fx.snapshot());
const warnings = (log) => log.problems.filter((text) => text.startsWith('warning:'));

/** Asserts a clean console, or exactly the warnings matching `expected` (one each). */
function assertConsole(log, expected = []) {
  const seen = warnings(log);
  assert.equal(seen.length, expected.length, `warnings: expected ${expected.length}\n${dump(log)}`);
  expected.forEach((pattern, i) => assert.match(seen[i], pattern));
  assert.deepEqual(log.problems.filter((text) => !text.startsWith('warning:')), [], 'no console errors');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  assert.deepEqual(log.cspViolations, [], 'no CSP violations');
}

/** Tracks a fixed visit: views, a click, cart, purchase, a search; returns what was tracked. */
async function scriptedVisit(sw) {
  const items = await sw.items(0, 40);
  const now = Date.now();
  const events = [];
  items.slice(0, 12).forEach((item, i) => events.push({ type: 'view', item: item.id, ts: now - (12 - i) * 60_000 }));
  events.push({ type: 'click', item: items[3].id, ts: now - 30_000 });
  events.push({ type: 'add_to_cart', item: items[3].id, qty: 2, ts: now - 20_000 });
  events.push({ type: 'purchase', item: items[3].id, qty: 2, ts: now - 10_000 });
  events.push({ type: 'search', query: 'candle', ts: now - 5_000 });
  for (const event of events) await sw.track(event);
  return events;
}

const strip = (events) => events.map(({ id, ...event }) => event);
const byTs = (a, b) => a.ts - b.ts;

// ---- persistence -----------------------------------------------------------------------------

for (const mode of MODES) {
  describe(`on-device storage (${mode.name})`, () => {
    test('events persist across reloads and the profile and shelf are rebuilt from them', async (t) => {
      const { pages: [{ page, log }], close } = await openContext();
      const options = { ...mode.options, consent: 'on-device' };
      const first = await withShelfwise(page, options, async (sw) => {
        const tracked = await scriptedVisit(sw);
        const now = Date.now();
        return { tracked, data: await sw.exportData(), shelf: await sw.shelf('for-you', { k: 8, now }), now };
      });
      assert.equal(first.data.events.length, first.tracked.length);
      assert.deepEqual(strip(first.data.events).sort(byTs), first.tracked, 'exported = tracked');

      await load(page, true);
      const second = await withShelfwise(page, options, async (sw, now) => ({
        data: await sw.exportData(),
        shelf: await sw.shelf('for-you', { k: 8, now }),
        profile: await sw.profile(),
      }), first.now);
      t.diagnostic(`tracked ${first.tracked.length} events; after the reload ${second.data.events.length} stored, profile eventCount ${second.profile.eventCount}`);
      assert.deepEqual(second.data.events, first.data.events, 'the same records (ids included) after the reload');
      assert.equal(second.profile.eventCount, first.data.profile.eventCount, 'the profile counts the same events');
      // profile() decays by age at the call's own time, so shares match to 4 decimals.
      const rounded = (profile) => profile.topCategories.map((c) => `${c.category} ${c.share.toFixed(4)}`);
      assert.deepEqual(rounded(second.profile), rounded(first.data.profile));
      assert.equal(second.shelf.personalized, true);
      assert.deepEqual(second.shelf.items.map((i) => i.id), first.shelf.items.map((i) => i.id), 'the same shelf');
      const stored = (await snapshot(page)).databases.shelfwise;
      assert.equal(stored.events.length, first.tracked.length, 'one record per event in IndexedDB "shelfwise"/"events"');
      assertConsole(log);
      await close();
    });
  });
}

test('events persist across a browser restart (persistent profile)', async (t) => {
  const profileDir = await mkdtemp(join(tmpdir(), 'shelfwise-profile-'));
  const launch = async () => {
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true,
    });
    await routeFixtures(context);
    const page = context.pages()[0] ?? await context.newPage();
    const log = watchPage(page);
    await load(page);
    return { context, page, log };
  };
  try {
    const run1 = await launch();
    const first = await withShelfwise(run1.page, { consent: 'on-device' }, async (sw) => {
      await scriptedVisit(sw);
      return sw.exportData();
    });
    assertConsole(run1.log);
    await run1.context.close();

    const run2 = await launch();
    const second = await withShelfwise(run2.page, { consent: 'on-device' }, async (sw) => ({
      data: await sw.exportData(), profile: await sw.profile(),
    }));
    t.diagnostic(`before the restart ${first.events.length} events, after ${second.data.events.length}`);
    assert.deepEqual(second.data.events, first.events, 'the same records after closing and relaunching Chromium');
    assert.equal(second.profile.eventCount, first.profile.eventCount);
    assertConsole(run2.log);
    await run2.context.close();
  } finally {
    await rm(profileDir, { recursive: true, force: true });
  }
});

test('retention: events older than retentionDays or beyond maxEvents are compacted away', async (t) => {
  const { pages: [{ page, log }], close } = await openContext();
  const result = await withShelfwise(page, { consent: 'on-device', retentionDays: 30, maxEvents: 20, worker: false }, async (sw, DAY_MS) => {
    const items = await sw.items(0, 40);
    const now = Date.now();
    for (let i = 0; i < 5; i += 1) await sw.track({ type: 'view', item: items[i].id, ts: now - 40 * DAY_MS + i });
    const recent = [];
    for (let i = 0; i < 30; i += 1) {
      const event = { type: 'view', item: items[i % 40].id, ts: now - 30 * 60_000 + i * 1000 };
      recent.push(event);
      await sw.track(event);
    }
    return { recent, exported: (await sw.exportData()).events };
  }, DAY_MS);
  const newest = result.recent.slice(-20);
  assert.equal(result.exported.length, 20, 'exportData honours the cap at once');
  assert.deepEqual(strip(result.exported), newest, 'the newest 20 events are kept');
  // On the next open the store is compacted: exactly the kept records remain in IndexedDB.
  await load(page, true);
  await withShelfwise(page, { consent: 'on-device', retentionDays: 30, maxEvents: 20 }, async () => null);
  const stored = (await snapshot(page)).databases.shelfwise.events;
  t.diagnostic(`35 tracked (5 older than 30 days), maxEvents 20: ${stored.length} records stored after compaction`);
  assert.equal(stored.length, 20);
  assert.deepEqual(strip(stored).sort(byTs), newest);

  // The default retention is 90 days.
  const defaults = await withShelfwise(page, { consent: 'on-device' }, async (sw, DAY_MS) => {
    await sw.forget();
    const [item] = await sw.items(0, 1);
    const now = Date.now();
    await sw.track({ type: 'view', item: item.id, ts: now - 100 * DAY_MS });
    await sw.track({ type: 'view', item: item.id, ts: now - 80 * DAY_MS });
    const data = await sw.exportData();
    return { settings: data.settings, ages: data.events.map((e) => Math.round((now - e.ts) / DAY_MS)) };
  }, DAY_MS);
  assert.deepEqual(defaults.settings, { retentionDays: 90, maxEvents: 10_000 });
  assert.deepEqual(defaults.ages, [80], 'the 100-day-old event is not kept');
  assertConsole(log);
  await close();
});

// ---- concurrency -----------------------------------------------------------------------------

test('two tabs tracking at the same time: the store holds exactly the union, and each tab sees it', async (t) => {
  const PER_TAB = 150;
  const { context, pages: [a, b], close } = await openContext({ pages: 2 });
  const open = (page) => withShelfwise(page, { consent: 'on-device' }, async (sw) => (await sw.items(0, 60)).map((i) => i.id));
  const [ids] = await Promise.all([open(a.page), open(b.page)]);
  // Both tabs fire their events at once (in parallel within each tab as well).
  const burst = (page, tab) => page.evaluate(async ({ ids, tab, n }) => {
    const base = Date.now();
    await Promise.all(Array.from({ length: n }, (_, i) => window.sw.track({
      type: i % 3 === 0 ? 'click' : 'view', item: ids[(i * 7 + tab) % ids.length], ts: base + i,
    })));
    return n;
  }, { ids, tab, n: PER_TAB });
  await Promise.all([burst(a.page, 0), burst(b.page, 1)]);

  const third = await context.newPage();
  const thirdLog = watchPage(third);
  await load(third);
  const union = await withShelfwise(third, { consent: 'on-device' }, async (sw) => ({
    events: (await sw.exportData()).events, count: (await sw.profile()).eventCount,
  }));
  const uniqueIds = new Set(union.events.map((e) => e.id));
  // Each tab's engine also received the other tab's events over the BroadcastChannel.
  const counts = await Promise.all([a.page, b.page].map((page) => page.waitForFunction(
    (n) => window.sw.profile().then((p) => p.eventCount === n), 2 * PER_TAB, WAIT,
  ).then(() => page.evaluate(() => window.sw.profile().then((p) => p.eventCount)))));
  t.diagnostic(`tab A and tab B tracked ${PER_TAB} each; a third tab reads ${union.events.length} records (${uniqueIds.size} distinct ids); tabs A/B engines count ${counts.join('/')}`);
  assert.equal(union.events.length, 2 * PER_TAB, 'no event lost');
  assert.equal(uniqueIds.size, 2 * PER_TAB, 'no event doubled');
  assert.equal(union.count, 2 * PER_TAB, 'the third tab replays them all');
  const stored = (await snapshot(third)).databases.shelfwise.events;
  assert.equal(stored.length, 2 * PER_TAB, 'IndexedDB holds exactly the union');
  assert.deepEqual(counts, [2 * PER_TAB, 2 * PER_TAB]);
  for (const { log } of [a, b]) assertConsole(log);
  assertConsole(thirdLog);
  await close();
});

test('a reload in the middle of writing loses nothing that track() acknowledged', async (t) => {
  const TOTAL = 20_000;
  const { pages: [{ page, log }], close } = await openContext();
  const acknowledged = new Set();
  await page.exposeFunction('acknowledged', (n) => { acknowledged.add(n); });
  const base = Date.now() - 3_600_000;
  await withShelfwise(page, { consent: 'on-device' }, async () => null);
  // Sequential tracks, each acknowledged to the test (by its ts) as soon as track() resolves.
  const writing = page.evaluate(async ({ base, total }) => {
    const ids = (await window.sw.items(0, 50)).map((i) => i.id);
    for (let n = 0; n < total; n += 1) {
      await window.sw.track({ type: 'view', item: ids[n % ids.length], ts: base + n });
      window.acknowledged(n);
    }
  }, { base, total: TOTAL }).catch(() => 'interrupted');
  const deadline = Date.now() + 15_000;
  while (acknowledged.size < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await load(page, true);
  const interrupted = await writing;
  const ackedBeforeReload = new Set(acknowledged);
  const stored = await withShelfwise(page, { consent: 'on-device' }, async (sw) => (await sw.exportData()).events);
  const storedTs = new Set(stored.map((e) => e.ts - base));
  const lost = [...ackedBeforeReload].filter((n) => !storedTs.has(n));
  t.diagnostic(`reload after ${ackedBeforeReload.size} acknowledged tracks: ${stored.length} stored, ${lost.length} acknowledged ones missing`);
  assert.equal(interrupted, 'interrupted', 'the reload interrupted the writing');
  assert.ok(ackedBeforeReload.size >= 100 && ackedBeforeReload.size < TOTAL);
  assert.deepEqual(lost, [], 'every acknowledged event is stored');
  assert.equal(new Set(stored.map((e) => e.id)).size, stored.length, 'no record twice');
  assertConsole(log);
  await close();
});

// ---- failures --------------------------------------------------------------------------------

test('IndexedDB unavailable (indexedDB.open throws): memory only, one warning, nothing thrown', async () => {
  const { pages: [{ page, log }], close } = await openContext();
  const result = await page.evaluate(async (pack) => {
    window.fx.breakIndexedDB();
    const sw = await window.fx.init({ pack, consent: 'on-device', worker: false });
    const items = await sw.items(0, 3);
    for (const item of items) await sw.track({ type: 'view', item: item.id });
    await sw.setConsent('context-only');
    await sw.setConsent('on-device');
    await sw.track({ type: 'click', item: items[0].id });
    const data = await sw.exportData();
    const shelf = await sw.shelf('for-you', { k: 4 });
    return { storage: data.storage, events: data.events.length, personalized: shelf.personalized, forget: (await window.fx.outcome(() => sw.forget())).ok };
  }, PACK);
  assert.deepEqual(result, { storage: 'memory', events: 4, personalized: true, forget: true });
  assertConsole(log, [/Shelfwise: IndexedDB is not available here .*in memory for this page only/]);
  await close();
});

test('storage quota exhausted while writing: memory only, one warning, nothing thrown', async () => {
  const { pages: [{ page, log }], close } = await openContext();
  const result = await page.evaluate(async (pack) => {
    const sw = await window.fx.init({ pack, consent: 'on-device', worker: false });
    const items = await sw.items(0, 6);
    await sw.track({ type: 'view', item: items[0].id });
    window.fx.failWrites();
    const outcomes = [];
    for (const item of items.slice(1)) outcomes.push((await window.fx.outcome(() => sw.track({ type: 'view', item: item.id }))).ok);
    const profile = await sw.profile();
    const data = await sw.exportData();
    return { outcomes, events: profile.eventCount, storage: data.storage, exported: data.events.length };
  }, PACK);
  assert.deepEqual(result, { outcomes: [true, true, true, true, true], events: 6, storage: 'memory', exported: 6 });
  assertConsole(log, [/Shelfwise: the browser's storage quota for this site is exhausted \(QuotaExceededError/]);
  const stored = (await snapshot(page)).databases.shelfwise.events;
  assert.equal(stored.length, 1, 'the event stored before the quota ran out is still there');
  await close();
});

const CORRUPTIONS = [
  {
    name: 'a foreign schema (no key path, other stores)',
    spec: { stores: { events: { records: [{ hello: 'world' }] }, junk: { records: ['x'] } } },
    warning: /Shelfwise: the on-device store \(IndexedDB database "shelfwise"\) could not be read .*erased and created afresh/,
  },
  {
    name: 'a newer database version',
    spec: { version: 7, stores: { other: { keyPath: 'k', records: [{ k: 1 }] } } },
    warning: /could not be read \(VersionError.*erased and created afresh/,
  },
  {
    name: 'another store format',
    spec: { stores: { events: { keyPath: 'id', records: [] }, meta: { keyPath: 'key', records: [{ key: 'format', value: 99 }] } } },
    warning: /could not be read \(the object store "events" has another schema\); it was erased and created afresh/,
  },
];

for (const mode of MODES) {
  for (const corruption of CORRUPTIONS) {
    test(`a corrupt store (${corruption.name}) is reset with one warning (${mode.name})`, async () => {
      const { pages: [{ page, log }], close } = await openContext();
      await page.evaluate((spec) => window.fx.plantDatabase(spec), corruption.spec);
      const result = await withShelfwise(page, { ...mode.options, consent: 'on-device' }, async (sw) => {
        const [item] = await sw.items(0, 1);
        await sw.track({ type: 'view', item: item.id });
        const data = await sw.exportData();
        return { storage: data.storage, events: data.events.length, personalized: (await sw.shelf('for-you')).personalized };
      });
      assert.deepEqual(result, { storage: 'indexeddb', events: 1, personalized: true });
      const db = (await snapshot(page)).databases.shelfwise;
      assert.deepEqual(Object.keys(db).sort(), ['events', 'meta'], 'a fresh database');
      assert.equal(db.events.length, 1);
      assertConsole(log, [corruption.warning]);
      await close();
    });
  }

  test(`records that are not events are deleted with one warning, the others kept (${mode.name})`, async () => {
    const { pages: [{ page, log }], close } = await openContext();
    // A good store first, then garbage records planted next to the good ones.
    const good = await withShelfwise(page, { ...mode.options, consent: 'on-device' }, async (sw) => {
      const items = await sw.items(0, 3);
      for (const item of items) await sw.track({ type: 'view', item: item.id });
      return (await sw.exportData()).events.length;
    });
    assert.equal(good, 3);
    await load(page, true);
    await page.evaluate(() => window.fx.plantDatabase({ stores: { events: { keyPath: 'id', records: [
      { id: 'not-hex', type: 'view', ts: 1 },
      { id: 'ffffffffffffffffffffffffffffffff', type: 'view', ts: 'yesterday' },
      { id: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', type: 'view', ts: Date.now(), item: 'x', script: '<script>' },
    ] } } }));
    const result = await withShelfwise(page, { ...mode.options, consent: 'on-device' }, async (sw) => ({
      events: (await sw.exportData()).events.length, count: (await sw.profile()).eventCount,
    }));
    assert.deepEqual(result, { events: 3, count: 3 });
    assert.equal((await snapshot(page)).databases.shelfwise.events.length, 3, 'the 3 bad records were deleted');
    assertConsole(log, [/Shelfwise: 3 unreadable records were found in the on-device store .* deleted; the other events were kept/]);
    await close();
  });
}

// ---- consent, forget, export -----------------------------------------------------------------

test('consent "context-only" (the default) stores nothing; switching to it erases; every tab follows', async (t) => {
  const { pages: [a, b], close } = await openContext({ pages: 2 });
  // Default: context-only. Events work in this page and nothing is stored.
  const byDefault = await withShelfwise(a.page, {}, async (sw) => {
    const items = await sw.items(0, 3);
    for (const item of items) await sw.track({ type: 'view', item: item.id });
    const data = await sw.exportData();
    return { consent: data.consent, storage: data.storage, events: data.events.length, personalized: (await sw.shelf('for-you')).personalized };
  });
  assert.deepEqual(byDefault, { consent: 'context-only', storage: 'memory', events: 3, personalized: true });
  assert.deepEqual(Object.keys((await snapshot(a.page)).databases), [], 'no IndexedDB database');

  // Switching to on-device stores this page's events so far.
  await a.page.evaluate(() => window.sw.setConsent('on-device'));
  assert.equal((await snapshot(a.page)).databases.shelfwise.events.length, 3, 'the page\'s 3 events were stored');

  // A second tab on-device sees them; then tab A withdraws consent: the store is erased, and tab B
  // drops the stored events (keeps only its own) and stores nothing more.
  const bBefore = await withShelfwise(b.page, { consent: 'on-device' }, async (sw) => {
    const [item] = await sw.items(10, 1);
    await sw.track({ type: 'click', item: item.id });
    return (await sw.profile()).eventCount;
  });
  assert.equal(bBefore, 4);
  await a.page.evaluate(() => window.sw.setConsent('context-only'));
  assert.deepEqual(Object.keys((await snapshot(a.page)).databases), [], 'switching to context-only erased the store');
  await b.page.waitForFunction(() => window.sw.exportData().then((d) => d.consent === 'context-only'), null, WAIT);
  const bAfter = await b.page.evaluate(async () => {
    const [item] = await window.sw.items(11, 1);
    await window.sw.track({ type: 'view', item: item.id });
    return (await window.sw.exportData()).events.length;
  });
  t.diagnostic(`tab B: ${bBefore} events before tab A withdrew consent, ${bAfter} after (its own click and view)`);
  assert.equal(bAfter, 2, 'tab B keeps only its own events');
  assert.deepEqual(Object.keys((await snapshot(b.page)).databases), [], 'and stores nothing');
  const aAfter = await a.page.evaluate(async () => (await window.sw.profile()).eventCount);
  assert.equal(aAfter, 3, 'tab A still uses its page context');

  // After a reload nothing comes back.
  await load(a.page, true);
  const reloaded = await withShelfwise(a.page, { consent: 'on-device' }, async (sw) => (await sw.exportData()).events.length);
  assert.equal(reloaded, 0);
  assertConsole(a.log);
  assertConsole(b.log);
  await close();
});

test('forget() erases every trace: IndexedDB, Cache API, Web Storage, cookies, memory in every tab', async (t) => {
  const { context, pages: [a, b], close } = await openContext({ pages: 2 });
  await Promise.all([a, b].map(({ page }) => withShelfwise(page, { consent: 'on-device' }, async (sw) => {
    const items = await sw.items(0, 5);
    for (const item of items) await sw.track({ type: 'view', item: item.id });
  })));
  const before = await snapshot(a.page);
  assert.equal(before.databases.shelfwise.events.length, 10);
  assert.deepEqual(before.caches, ['shelfwise-packs-v1'], 'the pack cache exists before');

  await a.page.evaluate(() => window.sw.forget());
  const afterForget = await snapshot(a.page);
  t.diagnostic(`after forget(): ${JSON.stringify(afterForget)}`);
  assert.deepEqual(afterForget, { databases: {}, caches: [], localStorage: [], sessionStorage: [], cookie: '' });
  assert.deepEqual(await a.page.evaluate(() => indexedDB.databases()), []);
  assert.deepEqual(await context.cookies(), [], 'no cookies');
  await b.page.waitForFunction(() => window.sw.profile().then((p) => p.eventCount === 0), null, WAIT);
  assert.equal(await a.page.evaluate(async () => (await window.sw.exportData()).events.length), 0);
  // The instance keeps working, and stores again (consent is still on-device).
  const later = await a.page.evaluate(async () => {
    const [item] = await window.sw.items(7, 1);
    await window.sw.track({ type: 'view', item: item.id });
    return (await window.sw.exportData()).events.length;
  });
  assert.equal(later, 1);
  assertConsole(a.log);
  assertConsole(b.log);
  await close();
});

test('exportData() returns everything stored as JSON: format, consent, settings, events, profile', async () => {
  const { pages: [{ page, log }], close } = await openContext();
  const result = await withShelfwise(page, { consent: 'on-device', retentionDays: 45, maxEvents: 500 }, async (sw) => {
    const tracked = await scriptedVisit(sw);
    const data = await sw.exportData();
    return { tracked, data, roundTrip: JSON.parse(JSON.stringify(data)) };
  });
  const { data, tracked } = result;
  assert.deepEqual(result.roundTrip, data, 'JSON round trip is lossless');
  assert.equal(data.format, 'shelfwise-export');
  assert.equal(data.version, 1);
  assert.ok(!Number.isNaN(Date.parse(data.exportedAt)));
  assert.equal(data.consent, 'on-device');
  assert.equal(data.storage, 'indexeddb');
  assert.deepEqual(data.settings, { retentionDays: 45, maxEvents: 500 });
  assert.deepEqual(strip(data.events).sort(byTs), tracked);
  for (const event of data.events) assert.match(event.id, /^[0-9a-f]{32}$/);
  assert.equal(data.profile.eventCount, tracked.filter((e) => e.type !== 'search').length);
  const stored = (await snapshot(page)).databases.shelfwise.events;
  assert.deepEqual([...stored].sort(byTs), [...data.events].sort(byTs), 'the export is exactly what IndexedDB holds');
  assertConsole(log);
  await close();
});

test('bad privacy options and setConsent arguments reject with a ShelfwiseError', async () => {
  const { pages: [{ page, log }], close } = await openContext();
  const results = await page.evaluate(async (pack) => {
    const { init, outcome } = window.fx;
    const sw = await init({ pack, worker: false });
    return {
      consent: await outcome(() => init({ pack, consent: 'yes' })),
      retention0: await outcome(() => init({ pack, retentionDays: 0 })),
      retentionNaN: await outcome(() => init({ pack, retentionDays: NaN })),
      maxEvents: await outcome(() => init({ pack, maxEvents: 20_000 })),
      maxEventsFraction: await outcome(() => init({ pack, maxEvents: 2.5 })),
      setConsent: await outcome(() => sw.setConsent('everything')),
    };
  }, PACK);
  const kinds = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.ok ? 'ok' : `${v.error.name}/${v.error.kind}/${v.error.instance}`]));
  assert.deepEqual(kinds, {
    consent: 'ShelfwiseError/invalid_argument/true',
    retention0: 'ShelfwiseError/out_of_range/true',
    retentionNaN: 'ShelfwiseError/out_of_range/true',
    maxEvents: 'ShelfwiseError/out_of_range/true',
    maxEventsFraction: 'ShelfwiseError/out_of_range/true',
    setConsent: 'ShelfwiseError/invalid_argument/true',
  });
  assert.match(results.consent.error.message, /"context-only" or "on-device"/);
  assertConsole(log);
  await close();
});

// ---- hostile pack content --------------------------------------------------------------------

const PAYLOADS = [
  { id: 'X1', title: '<img src=x onerror="window.__pwned=1">Lamp', image: 'javascript:window.__pwned=2', url: 'javascript:window.__pwned=3' },
  { id: 'X2', title: '<script>window.__pwned=4</script>Mug', image: 'data:image/svg+xml,<svg onload="window.__pwned=5"/>', url: 'JaVaScRiPt:window.__pwned=6' },
  { id: 'X3', title: '"><svg onload=window.__pwned=7>', image: '" onerror="window.__pwned=8', url: ' javascript:window.__pwned=9' },
  { id: 'X4', title: '<a href="javascript:window.__pwned=10">click</a>', image: 'vbscript:msgbox(1)', url: 'data:text/html,<script>window.__pwned=11</script>' },
  { id: 'X5', title: '<iframe src="javascript:window.__pwned=12"></iframe>', image: '/img/x5.svg', url: 'https://shop.example/x5?a=<b>' },
  { id: 'X6', title: 'Plain & safe', image: 'https://cdn.example/x6.png', url: '#/item/X6', category: '<b>Cat</b>', brand: '<i onmouseover=alert(1)>B</i>' },
  // Links that leave the shop's origin, and an item with no page and no image (the catalog's `none`).
  { id: 'X7', title: 'Scheme-relative', image: '//cdn.example/x7.png', url: '//evil.example/x7' },
  { id: 'X8', title: 'Backslashes', image: '/img/x8.svg', url: '\\\\evil.example\\x8' },
  { id: 'X9', title: 'No page, no image', image: 'none', url: 'none' },
];

/** The pack header's checksum: CRC-32 (IEEE) of every byte but the field's own, 32..36 (docs/PACK_FORMAT.md). */
function packChecksum(bytes) {
  let crc = 0xffffffff;
  bytes.forEach((byte, at) => {
    if (at >= 32 && at < 36) return;
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  });
  return (crc ^ 0xffffffff) >>> 0;
}

/** URLs the builder refuses (any scheme but http and https): docs/INPUT_FORMATS.md. */
const builderRefuses = (url) => /^[\x00-\x20]*[a-z][a-z0-9+.-]*:/i.test(url.replace(/[\t\n\r]/g, '')) && !/^\s*https?:/i.test(url);

/**
 * Builds a pack holding the payloads. The builder refuses javascript:, data: and vbscript: URLs
 * in a catalog, but a pack made by another tool may hold them: such URLs go through the builder
 * as http placeholders of the same byte length and are then written over them in the pack's
 * string tables, with the header checksum repaired.
 */
async function buildHostilePack(dir) {
  const bin = process.env.SHELFWISE_BIN || join(ROOT, 'target/release/shelfwise');
  assert.ok(existsSync(bin), `the shelfwise CLI is needed at ${bin} (bash scripts/demo-pack.sh builds it)`);
  const planted = [];
  const plant = (url) => {
    if (!builderRefuses(url)) return url;
    const payload = Buffer.from(url);
    const head = `https://x${planted.length}/`;
    const placeholder = Buffer.from(head.padEnd(payload.length, 'y'));
    assert.equal(placeholder.length, payload.length, `a placeholder as long as ${url}`);
    planted.push({ placeholder, payload });
    return placeholder.toString();
  };
  const catalog = PAYLOADS.map((p) => JSON.stringify({
    id: p.id, title: p.title, price: 9.5, category: p.category ?? '<script>alert(1)</script>', brand: p.brand ?? 'javascript:alert(1)', image: plant(p.image), url: plant(p.url),
  })).join('\n');
  const events = [];
  for (let s = 0; s < 12; s += 1) {
    for (const p of PAYLOADS.slice(s % 3, (s % 3) + 4)) events.push(JSON.stringify({ shopper: `s${s}`, item: p.id, type: 'purchase', ts: 1_700_000_000_000 + s * 1000 }));
  }
  await writeFile(join(dir, 'catalog.jsonl'), `${catalog}\n`);
  await writeFile(join(dir, 'events.jsonl'), `${events.join('\n')}\n`);
  await promisify(execFile)(bin, ['build', '--events', join(dir, 'events.jsonl'), '--catalog', join(dir, 'catalog.jsonl'), '--out', join(dir, 'hostile.pack'), '--dim', '8']);
  const pack = await readFile(join(dir, 'hostile.pack'));
  for (const { placeholder, payload } of planted) {
    const at = pack.indexOf(placeholder);
    assert.ok(at > 0 && pack.indexOf(placeholder, at + 1) === -1, `placeholder ${placeholder} once in the pack`);
    payload.copy(pack, at);
  }
  pack.writeUInt32LE(packChecksum(pack), 32);
  return pack;
}

test('a pack with HTML and javascript: payloads in its fields renders inert (no CSP to help)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shelfwise-hostile-'));
  try {
    const pack = await buildHostilePack(dir);
    // Served without a CSP, so that only renderShelf stands between the payloads and the page.
    const { pages: [{ page, log }], close } = await openContext({ packs: { 'hostile.pack': pack }, csp: false });
    const dialogs = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
    const result = await page.evaluate(async () => {
      // links: 'any', so that every http(s) link is drawn (the default, same-origin, is tested below).
      const sw = await window.fx.init({ pack: '/__e2e__/packs/hostile.pack', links: 'any' });
      const shelf = await sw.shelf('for-you', { k: 10 });
      const container = document.getElementById('shelf');
      window.fx.renderShelf(container, shelf, { links: 'any' });
      await new Promise((r) => setTimeout(r, 300)); // let any image error / load handler fire
      const elements = [...container.querySelectorAll('*')];
      return {
        items: shelf.items.map((i) => ({ id: i.id, title: i.title })),
        titles: [...container.querySelectorAll('.shelfwise-card-title')].map((n) => n.textContent),
        tags: [...new Set(elements.map((n) => n.localName))].sort(),
        handlers: elements.flatMap((n) => [...n.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
        urls: elements.flatMap((n) => ['href', 'src'].filter((a) => n.hasAttribute(a)).map((a) => n.getAttribute(a))),
        pwned: window.__pwned ?? null,
        location: location.pathname,
      };
    });
    t.diagnostic(`rendered ${result.items.length} hostile items; tags ${result.tags.join(',')}; urls ${JSON.stringify(result.urls)}`);
    assert.equal(result.items.length, PAYLOADS.length);
    const byId = new Map(PAYLOADS.map((p) => [p.id, p]));
    assert.deepEqual(result.titles, result.items.map((i) => byId.get(i.id).title), 'titles appear verbatim, as text');
    assert.deepEqual(result.tags, ['a', 'div', 'h2', 'img', 'li', 'ol', 'section', 'span'], 'no injected element');
    assert.deepEqual(result.handlers, [], 'no event handler attribute');
    for (const url of result.urls) assert.match(url, /^https?:\/\//, `only http(s) URLs: ${url}`);
    assert.deepEqual(result.urls.filter((u) => u.includes('javascript') || u.includes('data:')), []);
    assert.ok(result.urls.includes('https://shop.example/x5?a=%3Cb%3E'));
    assert.ok(result.urls.includes(`${server.origin}/__e2e__/privacy.html#/item/X6`), 'relative URLs resolve against the page');
    assert.ok(result.urls.includes('http://evil.example/x7') && result.urls.includes('http://evil.example/x8'), 'links: any keeps //host and \\\\host');
    assert.equal(result.pwned, null, 'no payload ran');
    assert.equal(result.location, '/__e2e__/privacy.html', 'no navigation away');
    assert.deepEqual(dialogs, [], 'no dialog opened');
    // The only requests the payloads may cause are image fetches of http(s) URLs (the cdn one fails offline).
    assert.deepEqual(log.pageErrors, []);
    assert.deepEqual(log.problems.filter((p) => !/Failed to load resource|ERR_/.test(p)), [], dump(log));
    await close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('item links stay on the shop\'s origin by default; an item marked none has no link and no image', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'shelfwise-links-'));
  try {
    const pack = await buildHostilePack(dir);
    const { pages: [{ page, log }], close } = await openContext({ packs: { 'hostile.pack': pack } });
    const result = await page.evaluate(async () => {
      const { init, renderShelf, outcome } = window.fx;
      const draw = (shelf, options) => {
        const container = document.getElementById('shelf');
        renderShelf(container, shelf, options);
        return Object.fromEntries([...container.querySelectorAll('li.shelfwise-card')].map((card) => [card.dataset.itemId, {
          href: card.querySelector('a')?.getAttribute('href') ?? null,
          img: card.querySelector('img')?.getAttribute('src') ?? null,
        }]));
      };
      const ids = ['X5', 'X6', 'X7', 'X8', 'X9'];
      const pick = (cards) => Object.fromEntries(ids.map((id) => [id, cards.find((c) => c.id === id)?.url ?? null]));
      const sw = await init({ pack: '/__e2e__/packs/hostile.pack' });
      const shelf = await sw.shelf('for-you', { k: 10 });
      const out = {
        links: sw.links,
        shelfUrls: pick(shelf.items),
        itemsUrls: pick(await sw.items(0, 20)),
        itemUrl: (await sw.item('X7')).url,
        drawn: draw(shelf),
        bad: await outcome(() => init({ pack: '/__e2e__/packs/hostile.pack', links: 'all' })),
      };
      sw.close();
      const any = await init({ pack: '/__e2e__/packs/hostile.pack', links: 'any' });
      const anyShelf = await any.shelf('for-you', { k: 10 });
      out.anyUrls = pick(anyShelf.items);
      // renderShelf on its own (data from elsewhere) applies the same default.
      out.drawnDefault = draw(anyShelf);
      out.drawnAny = draw(anyShelf, { links: 'any' });
      any.close();
      return out;
    });
    const origin = server.origin;
    assert.equal(result.links, 'same-origin');
    const sameOrigin = { X5: '', X6: '#/item/X6', X7: '', X8: '', X9: '' };
    assert.deepEqual(result.shelfUrls, sameOrigin, 'shelf(): links to other origins are emptied');
    assert.deepEqual(result.itemsUrls, sameOrigin, 'items()');
    assert.equal(result.itemUrl, '', 'item()');
    assert.deepEqual(result.anyUrls, { X5: 'https://shop.example/x5?a=<b>', X6: '#/item/X6', X7: '//evil.example/x7', X8: '\\\\evil.example\\x8', X9: '' });
    const page6 = `${origin}/__e2e__/privacy.html#/item/X6`;
    for (const drawn of [result.drawn, result.drawnDefault]) {
      assert.deepEqual(Object.fromEntries(Object.entries(drawn).map(([id, c]) => [id, c.href])), { X1: null, X2: null, X3: null, X4: null, X5: null, X6: page6, X7: null, X8: null, X9: null });
      assert.deepEqual(drawn.X9, { href: null, img: null }, 'none: a card with no link and no image');
      assert.equal(drawn.X7.img, 'http://cdn.example/x7.png', 'images keep any http(s) origin');
    }
    assert.equal(result.drawnAny.X7.href, 'http://evil.example/x7');
    assert.deepEqual(result.drawnAny.X9, { href: null, img: null });
    assert.equal(result.bad.error?.kind, 'invalid_argument');
    assert.match(result.bad.error?.message ?? '', /links = "all" is not one of "same-origin", "any"/);
    assert.deepEqual(log.pageErrors, []);
    await close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
