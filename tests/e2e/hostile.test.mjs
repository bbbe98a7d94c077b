// Hostile input to the JS shell (issue #20), in headless Chromium with the strict CSP, with the
// engine in a worker and inline:
//   1. init(): an HTML page, a 500 and a stalled response instead of a pack reject with
//      fetch_failed and a clear message (the stall after `timeoutMs`); a body that is not a pack
//      or is longer than its header declares is refused by its header, before the core sees it;
//   2. no method throws synchronously: an event whose getter throws, or a Proxy, rejects with a
//      ShelfwiseError;
//   3. an event dated a day ahead (a microsecond timestamp) is out_of_range; a 1 MB search is
//      kept (and exported) as the core uses it, 200 characters; a 210 KB query gives short
//      explanations; exportData() lists at most the 10,000 events the engine keeps.
// The fixture page is tests/e2e/pages/api.html, served under /__e2e__/ by page.route().
//
//   node --test tests/e2e/hostile.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { ENGINE_MODES, WWW, fulfillTestPage, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 10_000 };
const MODES = ENGINE_MODES;
let server;
let browser;
let goodPack;

before(async () => {
  [server, browser, goodPack] = await Promise.all([
    startServer({ csp: true }),
    launchBrowser(),
    readFile(join(WWW, '/demo/data/shop.pack')),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** `pack` with one byte of its body flipped (its header, checksum included, untouched). */
function damaged(pack) {
  const copy = Buffer.from(pack);
  copy[Math.floor(copy.length / 2)] ^= 0x01;
  return copy;
}

/**
 * The answers under /__e2e__/packs/: name → { status, type, body } or 'stall' (never answered).
 */
function answers() {
  const bigBadMagic = Buffer.alloc(64 << 20, 0x41); // 64 MiB of "AAAA…"
  return {
    'good.pack': { status: 200, type: 'application/octet-stream', body: goodPack },
    'html.pack': { status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><title>Shop</title><p>Welcome</p>' },
    'error.pack': { status: 500, type: 'text/plain', body: 'Internal Server Error' },
    'big-bad-magic.pack': { status: 200, type: 'application/octet-stream', body: bigBadMagic },
    'trailing.pack': { status: 200, type: 'application/octet-stream', body: Buffer.concat([goodPack, Buffer.alloc(4096)]) },
    'damaged.pack': { status: 200, type: 'application/octet-stream', body: damaged(goodPack) },
    'stall.pack': 'stall',
  };
}

async function openFixture() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const log = watchPage(page);
  const served = answers();
  await context.route(`${server.origin}/__e2e__/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/'.length);
    const headers = { 'content-security-policy': STRICT_CSP, 'cache-control': 'no-cache' };
    if (path.startsWith('packs/')) {
      const answer = served[path.slice('packs/'.length)];
      if (answer === 'stall') return undefined; // never fulfilled
      if (!answer) return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
      return route.fulfill({ status: answer.status, headers, contentType: answer.type, body: answer.body });
    }
    return fulfillTestPage(route, path, headers);
  });
  await page.goto(`${server.origin}/__e2e__/api.html`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  return { page, log, context, close: () => context.close() };
}

function assertRejected(name, result, kind, message) {
  assert.equal(result?.ok, false, `${name}: should reject, got ${JSON.stringify(result)?.slice(0, 300)}`);
  const { error } = result;
  assert.equal(error.name, 'ShelfwiseError', `${name}: name (${JSON.stringify(error)})`);
  assert.equal(error.instance, true, `${name}: instanceof ShelfwiseError`);
  assert.equal(error.kind, kind, `${name}: kind (${error.message})`);
  if (message) assert.match(error.message, message, name);
}

for (const mode of MODES) {
  describe(`hostile input: ${mode.name}`, () => {
    test('init() names an HTML page, a server error, a stall and a non-pack body', async () => {
      const { page, close } = await openFixture();
      const results = await page.evaluate(async (options) => {
        const { init, outcome } = window.fx;
        const open = (pack, extra = {}) => outcome(async () => {
          const sw = await init({ pack, ...options, ...extra });
          sw.close();
          return 'opened';
        });
        const started = performance.now();
        const stalled = await open('/__e2e__/packs/stall.pack', { timeoutMs: 500 });
        return {
          html: await open('/__e2e__/packs/html.pack'),
          error: await open('/__e2e__/packs/error.pack'),
          stalled,
          stallMs: performance.now() - started,
          badTimeout: await open('/__e2e__/packs/good.pack', { timeoutMs: -1 }),
          badPrefetch: await open('/__e2e__/packs/good.pack', { prefetchBytes: -1 }),
          textPrefetch: await open('/__e2e__/packs/good.pack', { prefetchBytes: '1MB' }),
          noPrefetch: await open('/__e2e__/packs/good.pack', { prefetchBytes: 0 }),
          bigBadMagic: await open('/__e2e__/packs/big-bad-magic.pack'),
          trailing: await open('/__e2e__/packs/trailing.pack'),
          damaged: await open('/__e2e__/packs/damaged.pack'),
          good: await open('/__e2e__/packs/good.pack'),
        };
      }, mode.options);
      assertRejected('HTML page', results.html, 'fetch_failed', /HTML page.*not a Shelfwise pack/);
      assertRejected('HTTP 500', results.error, 'fetch_failed', /HTTP 500 \(a server error/);
      assertRejected('stalled pack', results.stalled, 'fetch_failed', /within 500 ms/);
      assert.ok(results.stallMs < 5_000, `the stall is cut at the timeout: ${results.stallMs} ms`);
      assertRejected('timeoutMs -1', results.badTimeout, 'out_of_range', /timeoutMs/);
      assertRejected('prefetchBytes -1', results.badPrefetch, 'out_of_range', /prefetchBytes = -1/);
      assertRejected('prefetchBytes "1MB"', results.textPrefetch, 'out_of_range', /prefetchBytes = 1MB/);
      assert.deepEqual(results.noPrefetch, { ok: true, value: 'opened' }, 'prefetchBytes 0 turns prefetching off');
      assertRejected('64 MiB of bad magic', results.bigBadMagic, 'bad_magic', /SHLFPACK/);
      assertRejected('trailing bytes', results.trailing, 'trailing_bytes', /more bytes than/);
      // The loader's own message: refused as it streamed, before the core (and wasm memory) saw it.
      assertRejected('a flipped body byte', results.damaged, 'bad_checksum', /checksum mismatch while it downloaded/);
      assert.deepEqual(results.good, { ok: true, value: 'opened' });
      await close();
    });

    test('nothing throws synchronously, times a day ahead are refused, text is kept as the core uses it', async () => {
      const { page, close } = await openFixture();
      const results = await page.evaluate(async (options) => {
        const { init, outcome } = window.fx;
        const sw = await init({ pack: '/__e2e__/packs/good.pack', ...options });
        const [{ id }] = await sw.items(0, 1);
        /** outcome() of a call that must return a promise rather than throw. */
        const settled = (call) => {
          let promise;
          try {
            promise = call();
          } catch (error) {
            return { ok: false, error: { name: 'sync throw', kind: null, message: String(error?.message) } };
          }
          return outcome(promise);
        };
        const getter = { type: 'view', get item() { throw new Error('getter boom'); } };
        const proxy = new Proxy({ type: 'view', item: id }, { ownKeys() { throw new Error('proxy boom'); } });
        const options2 = { get k() { throw new Error('getter boom'); } };
        const out = {
          getter: await settled(() => sw.track(getter)),
          proxy: await settled(() => sw.track(proxy)),
          shelfGetter: await settled(() => sw.shelf('for-you', options2)),
          pageProxy: await settled(() => sw.page([proxy])),
          itemSymbol: await settled(() => sw.item(Symbol('x'))),
          micro: await settled(() => sw.track({ type: 'view', item: id, ts: Date.now() * 1000 })),
          dayAhead: await settled(() => sw.track({ type: 'view', item: id, ts: Date.now() + 2 * 86_400_000 })),
          longId: await settled(() => sw.item('x'.repeat(5000))),
        };
        await sw.track({ type: 'search', query: 'candle '.repeat(150_000) });
        const shelf = await sw.shelf('for-you', { k: 100, query: 'candle '.repeat(30_000) });
        out.longestText = Math.max(...shelf.items.map((i) => i.explanation.text.length));
        out.shelfItems = shelf.items.length;
        const data = await sw.exportData();
        out.searches = data.events.filter((e) => e.type === 'search').map((e) => e.query.length);
        out.profileSearches = data.profile.recentSearches.map((q) => q.length);
        sw.close();
        return out;
      }, mode.options);
      for (const name of ['getter', 'proxy', 'shelfGetter', 'pageProxy', 'itemSymbol']) {
        assertRejected(name, results[name], 'invalid_argument');
      }
      assertRejected('microsecond ts', results.micro, 'out_of_range', /ts = .*a day after now/);
      assertRejected('two days ahead', results.dayAhead, 'out_of_range', /ts = /);
      assertRejected('5,000-byte id', results.longId, 'out_of_range', /item = .*bytes\)/);
      assert.ok(results.shelfItems > 0, 'the shelf has items');
      assert.ok(results.longestText <= 300, `explanations stay short: ${results.longestText}`);
      assert.deepEqual(results.searches, [200], 'the search is stored cut to 200 characters');
      assert.deepEqual(results.profileSearches, [200]);
      await close();
    });
  });
}

for (const mode of MODES) {
  describe(`lifecycle: ${mode.name}`, () => {
    test('close() lets accepted calls settle with their real outcome; on-device events are durable', async () => {
      const { page, context, close } = await openFixture();
      const pack = '/__e2e__/packs/good.pack';
      const first = await page.evaluate(async ({ pack, options }) => {
        const { init, outcome } = window.fx;
        const sw = await init({ pack, consent: 'on-device', ...options });
        const items = (await sw.items(0, 3)).map((i) => i.id);
        await sw.track({ type: 'view', item: items[0] });
        const tracked = [sw.track({ type: 'view', item: items[1] }), sw.track({ type: 'view', item: items[2] })];
        sw.close();
        return {
          tracked: await Promise.all(tracked.map((t) => outcome(t))),
          after: await outcome(() => sw.track({ type: 'view', item: items[0] })),
        };
      }, { pack, options: mode.options });
      assert.deepEqual(first.tracked.map((t) => t.ok), [true, true], JSON.stringify(first.tracked));
      assert.equal(first.after.error?.kind, 'closed');
      // A second page of the origin sees all three events in storage; its forget() then close()
      // resolves with the data erased.
      const second = await context.newPage();
      await second.goto(`${server.origin}/__e2e__/api.html`);
      await second.waitForSelector('body[data-ready="true"]', WAIT);
      const stored = await second.evaluate(async ({ pack, options }) => {
        const { init, outcome } = window.fx;
        const sw = await init({ pack, consent: 'on-device', ...options });
        const data = await sw.exportData();
        const forgotten = sw.forget();
        sw.close();
        return { storage: data.storage, events: data.events.length, forget: (await outcome(forgotten)).ok };
      }, { pack, options: mode.options });
      assert.deepEqual(stored, { storage: 'indexeddb', events: 3, forget: true });
      await close();
    });
  });
}

describe('forget() in one tab while another tracks', () => {
  test('no event tracked before forget() survives in either tab or in storage', async () => {
    const { page: tabA, context, close } = await openFixture();
    const tabB = await context.newPage();
    await tabB.goto(`${server.origin}/__e2e__/api.html`);
    await tabB.waitForSelector('body[data-ready="true"]', WAIT);
    const open = (tab) => tab.evaluate(async () => {
      window.sw = await window.fx.init({ pack: '/__e2e__/packs/good.pack', consent: 'on-device' });
      window.ids = (await window.sw.items(0, 50)).map((i) => i.id);
    });
    await Promise.all([open(tabA), open(tabB)]);
    const rounds = [];
    for (let round = 0; round < 3; round += 1) {
      // Tab A starts a burst of 300 tracks and does not wait; tab B then forgets.
      await tabA.evaluate(() => {
        window.burst = Array.from({ length: 300 }, (_, j) => window.sw.track({ type: 'view', item: window.ids[j % 50] }).catch(() => {}));
      });
      await tabB.evaluate(async () => {
        await window.sw.track({ type: 'view', item: window.ids[0] });
        await window.sw.forget();
      });
      await tabA.evaluate(() => Promise.all(window.burst));
      const count = (tab) => tab.evaluate(async () => {
        const data = await window.sw.exportData();
        return { exported: data.events.length, inEngine: data.profile.eventCount };
      });
      rounds.push({ a: await count(tabA), b: await count(tabB) });
    }
    const none = { exported: 0, inEngine: 0 };
    assert.deepEqual(rounds, [{ a: none, b: none }, { a: none, b: none }, { a: none, b: none }]);
    await close();
  });
});

describe('exportData()', () => {
  test('lists exactly the events the engine keeps (context-only: the newest 10,000)', async () => {
    const { page, close } = await openFixture();
    const result = await page.evaluate(async () => {
      const { init } = window.fx;
      const sw = await init({ pack: '/__e2e__/packs/good.pack' });
      const items = (await sw.items(0, 50)).map((i) => i.id);
      const start = Date.now() - 20_000;
      await Promise.all(Array.from({ length: 10_500 }, (_, j) => sw.track({ type: 'view', item: items[j % 50], ts: start + j })));
      const data = await sw.exportData();
      const count = data.profile.eventCount;
      sw.close();
      return { exported: data.events.length, count, oldest: data.events[0].ts - start };
    });
    assert.deepEqual(result, { exported: 10_000, count: 10_000, oldest: 500 });
    await close();
  });
});
