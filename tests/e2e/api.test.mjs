// The JS API under bad input, in headless Chromium with the strict CSP, with the engine in a
// worker (the default) and inline ({ worker: false }):
//   1. every misuse rejects with a ShelfwiseError (instanceof, name, stable `kind`), never a
//      wasm panic, and the instance keeps working afterwards;
//   2. a wasm trap becomes kind "internal", is logged once, and the engine restarts from the
//      same pack with the shopper's events (the test serves a wasm glue whose Recommender#shelf
//      traps for the title "__trap__": nothing test-only ships in the package);
//   3. a pack the core refuses falls back to the last good copy in the Cache API, with one warning;
//      that copy is written once per pack, not again on every load of the same pack, and close()
//      lets the worker finish writing it;
//   4. a page whose CSP forbids compiling wasm still works: its worker compiles the core.
// The fixture page (tests/e2e/pages/) and the edited packs are served by page.route() under
// /__e2e__/ on the test server's origin; everything else comes from www/.
//
//   node --test tests/e2e/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { ENGINE_MODES, WWW, fulfillTestPage, dump, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 10_000 };
const DEMO_PACK = '/demo/data/shop.pack';
const SHARDED_DEMO_PACK = '/demo/data/shop-sharded/bootstrap.shard';
const MODES = ENGINE_MODES;

let server;
let browser;
let goodPack;

before(async () => {
  [server, browser, goodPack] = await Promise.all([
    startServer({ csp: true }),
    launchBrowser(),
    readFile(join(WWW, DEMO_PACK)),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// ---- pack editing -------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let i = 0; i < 8; i++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const VERSION_AT = 8; // u16 LE
const CHECKSUM_AT = 32; // u32 LE, CRC-32 of the whole pack except these 4 bytes
const BUILDER_PATCH_AT = 16; // u16 LE, the builder version's patch number

/** The checksum a pack header stores: CRC-32 (IEEE) of every byte but the checksum field's. */
function packChecksum(bytes) {
  let crc = 0xffffffff;
  bytes.forEach((byte, at) => {
    if (at < CHECKSUM_AT || at >= CHECKSUM_AT + 4) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  });
  return (crc ^ 0xffffffff) >>> 0;
}

/** A copy of the demo pack with a body byte flipped: the checksum no longer matches. */
function corruptPack() {
  const bytes = Buffer.from(goodPack);
  bytes[bytes.length - 10] ^= 0xff;
  return bytes;
}

/** A copy of the demo pack from another builder version (checksum recomputed): the same body, another pack. */
function otherBuildPack() {
  const bytes = Buffer.from(goodPack);
  bytes.writeUInt16LE(bytes.readUInt16LE(BUILDER_PATCH_AT) + 1, BUILDER_PATCH_AT);
  bytes.writeUInt32LE(packChecksum(bytes), CHECKSUM_AT);
  return bytes;
}

/** A copy of the demo pack with the magic broken. */
function badMagicPack() {
  const bytes = Buffer.from(goodPack);
  bytes.write('NOTAPACK', 0, 'latin1');
  return bytes;
}

/** The format version of the demo pack (the one this runtime writes and reads). */
function currentVersion() {
  return goodPack.readUInt16LE(VERSION_AT);
}

/** A copy of the demo pack that differs only in its format version (checksum recomputed). */
function newerPack(version) {
  const bytes = Buffer.from(goodPack);
  bytes.writeUInt16LE(version, VERSION_AT);
  bytes.writeUInt32LE(packChecksum(bytes), CHECKSUM_AT);
  return bytes;
}

// ---- fixture page ---------------------------------------------------------------------------

/** Title that makes the trap glue's Recommender#shelf throw a wasm trap. */
const TRAP_TITLE = '__trap__';

/**
 * Serves the wasm-bindgen glue (every copy the engine imports, `?instance=N` included, on the
 * page and in the worker) with Recommender#shelf wrapped: a request titled TRAP_TITLE throws a
 * WebAssembly.RuntimeError, what a Rust panic becomes in the shipped panic=abort build.
 */
async function routeTrapGlue(context) {
  const glue = await readFile(join(WWW, 'shelfwise/wasm/shelfwise.js'), 'utf8');
  const patched = `${glue}
const realShelf = Recommender.prototype.shelf;
Recommender.prototype.shelf = function shelf(request, nowMs) {
  if (request && request.title === ${JSON.stringify(TRAP_TITLE)}) throw new WebAssembly.RuntimeError('unreachable');
  return realShelf.call(this, request, nowMs);
};
`;
  await context.route((url) => url.pathname === '/shelfwise/wasm/shelfwise.js', (route) => route.fulfill({
    status: 200,
    headers: { 'content-security-policy': STRICT_CSP, 'cache-control': 'no-cache' },
    contentType: 'text/javascript; charset=utf-8',
    body: patched,
  }));
}

/**
 * A fresh page (own browser context, so its own Cache Storage) on the fixture. `packs` maps a
 * name to the bytes served at /__e2e__/packs/<name> (read on every request, so tests can swap
 * them); other names there are 404s. `initScript` runs in the page before its scripts; `csp`
 * is the fixture's Content-Security-Policy (the shell's own files keep the strict one).
 */
async function openFixture(packs = {}, { initScript = null, csp = STRICT_CSP, trapGlue = false } = {}) {
  const context = await browser.newContext();
  if (initScript) await context.addInitScript(initScript);
  if (trapGlue) await routeTrapGlue(context);
  const page = await context.newPage();
  const log = watchPage(page);
  await context.route(`${server.origin}/__e2e__/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/'.length);
    const headers = { 'content-security-policy': csp, 'cache-control': 'no-cache' };
    if (path.startsWith('packs/')) {
      const bytes = packs[path.slice('packs/'.length)];
      if (!bytes) return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
      return route.fulfill({ status: 200, headers, contentType: 'application/octet-stream', body: bytes });
    }
    return fulfillTestPage(route, path, headers);
  });
  await load(page);
  return { page, log, close: () => context.close() };
}

async function load(page, reload = false) {
  if (reload) await page.reload();
  else await page.goto(`${server.origin}/__e2e__/api.html`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
}

/** Asserts that an outcome from fx.outcome() is a rejection with a proper ShelfwiseError. */
function assertRejected(name, result, kind) {
  assert.equal(result?.ok, false, `${name}: should reject, got ${JSON.stringify(result)}`);
  const { error } = result;
  assert.equal(error.name, 'ShelfwiseError', `${name}: name (${JSON.stringify(error)})`);
  assert.equal(error.instance, true, `${name}: instanceof ShelfwiseError (${JSON.stringify(error)})`);
  assert.equal(error.isError, true, `${name}: instanceof Error`);
  assert.equal(error.kind, kind, `${name}: kind (${error.message})`);
  assert.ok(error.message, `${name}: has a message`);
  if (kind !== 'internal') assert.doesNotMatch(error.message, /unreachable|RuntimeError|panicked/i, `${name}: not a trap`);
}

/** The problems (console errors/warnings) that are not expected. */
function unexpected(log, allowed = []) {
  return log.problems.filter((text) => !allowed.some((pattern) => pattern.test(text)));
}

const NOT_FOUND = /Failed to load resource: .*404/;

/**
 * Init script: counts the Cache API calls of the page's realm (the inline engine's) in
 * window.cacheLog: `puts` (calls), `written` (puts done), `checked` (matches answered, counted
 * one task later, so after whatever the caller did with the answer).
 */
function countCacheCalls() {
  const log = { puts: 0, written: 0, checked: 0 };
  window.cacheLog = log;
  const { put, match } = Cache.prototype;
  Cache.prototype.put = function countedPut(...args) {
    log.puts += 1;
    return put.apply(this, args).then((done) => { log.written += 1; return done; });
  };
  Cache.prototype.match = function countedMatch(...args) {
    const found = match.apply(this, args);
    found.finally(() => setTimeout(() => { log.checked += 1; }, 0));
    return found;
  };
}

// ---- tests ---------------------------------------------------------------------------------

for (const mode of MODES) {
  describe(`engine: ${mode.name}`, () => {
    test('every misuse rejects with a named ShelfwiseError and the instance keeps working', async () => {
      const { page, log, close } = await openFixture();
      const results = await page.evaluate(async ({ pack, options }) => {
        const { init, outcome } = window.fx;
        const sw = await init({ pack, ...options });
        const [{ id }] = await sw.items(0, 1);
        const view = (extra) => ({ type: 'view', item: id, ...extra });
        const cases = {
          'track: unknown item id': () => sw.track({ type: 'view', item: 'NO-SUCH-ITEM' }),
          'item: unknown item id': () => sw.item('NO-SUCH-ITEM'),
          'shelf: k = 0': () => sw.shelf('for-you', { k: 0 }),
          'shelf: k = 1001': () => sw.shelf('for-you', { k: 1001 }),
          'shelf: k = 2.5': () => sw.shelf('for-you', { k: 2.5 }),
          'shelf: k = NaN': () => sw.shelf('for-you', { k: NaN }),
          "shelf: k = '8'": () => sw.shelf('for-you', { k: '8' }),
          'shelf: now = NaN': () => sw.shelf('for-you', { now: NaN }),
          'shelf: now = Infinity': () => sw.shelf('for-you', { now: Infinity }),
          'shelf: unknown kind': () => sw.shelf('popular'),
          'shelf: exclude not an array': () => sw.shelf('for-you', { exclude: 'SW-1' }),
          'shelf: similar without item': () => sw.shelf('similar'),
          'shelf: unknown context item': () => sw.shelf('similar', { item: 'NOPE' }),
          'shelf: unknown option': () => sw.shelf('trending', { colour: 'red' }),
          'shelf: unknown filter': () => sw.shelf('trending', { filters: { colour: 'red' } }),
          'shelf: bad rule': () => sw.shelf('trending', { rules: [{ action: 'promote', category: 'Bags' }] }),
          'page: not an array': () => sw.page({ kind: 'trending' }),
          'page: unknown kind': () => sw.page([{ kind: 'trending' }, { kind: 'popular' }]),
          'removeInterest: unknown category': () => sw.removeInterest({ category: 'Nope' }),
          'removeInterest: nothing named': () => sw.removeInterest({}),
          'track: ts = NaN': () => sw.track(view({ ts: NaN })),
          'track: ts = Infinity': () => sw.track(view({ ts: Infinity })),
          'track: ts = -Infinity': () => sw.track(view({ ts: -Infinity })),
          'track: null': () => sw.track(null),
          'track: undefined': () => sw.track(),
          'track: a string': () => sw.track('view'),
          'track: a number': () => sw.track(42),
          'track: an array': () => sw.track([view()]),
          'track: unknown event type': () => sw.track({ type: 'like', item: id }),
          'track: missing item': () => sw.track({ type: 'view' }),
          'track: unknown field': () => sw.track(view({ colour: 'red' })),
          'track: qty = 0': () => sw.track({ type: 'add_to_cart', item: id, qty: 0 }),
          'track: a function inside': () => sw.track(view({ query: () => 1 })),
          'items: start = -1': () => sw.items(-1, 5),
        };
        const out = {};
        for (const [name, run] of Object.entries(cases)) out[name] = await outcome(run);
        out.afterMisuse = await outcome(async () => {
          await sw.track(view());
          const shelf = await sw.shelf('for-you', { k: 3 });
          return { items: shelf.items.length, personalized: shelf.personalized, events: (await sw.profile()).eventCount };
        });
        sw.close();
        const closed = {
          'closed: track': () => sw.track(view()),
          'closed: shelf': () => sw.shelf('for-you'),
          'closed: item': () => sw.item(id),
          'closed: items': () => sw.items(),
          'closed: profile': () => sw.profile(),
          'closed: clearEvents': () => sw.clearEvents(),
        };
        for (const [name, run] of Object.entries(closed)) out[name] = await outcome(run);
        out['closed: close again'] = await outcome(() => sw.close());
        return out;
      }, { pack: DEMO_PACK, options: mode.options });

      const expected = {
        'track: unknown item id': 'unknown_item',
        'item: unknown item id': 'unknown_item',
        'shelf: k = 0': 'out_of_range',
        'shelf: k = 1001': 'out_of_range',
        'shelf: k = 2.5': 'out_of_range',
        'shelf: k = NaN': 'out_of_range',
        "shelf: k = '8'": 'out_of_range',
        'shelf: now = NaN': 'out_of_range',
        'shelf: now = Infinity': 'out_of_range',
        'shelf: unknown kind': 'unknown_shelf',
        'shelf: exclude not an array': 'invalid_argument',
        'shelf: similar without item': 'missing_context',
        'shelf: unknown context item': 'unknown_item',
        'shelf: unknown option': 'invalid_argument',
        'shelf: unknown filter': 'invalid_argument',
        'shelf: bad rule': 'invalid_argument',
        'page: not an array': 'invalid_argument',
        'page: unknown kind': 'unknown_shelf',
        'removeInterest: unknown category': 'unknown_category',
        'removeInterest: nothing named': 'invalid_argument',
        'track: ts = NaN': 'out_of_range',
        'track: ts = Infinity': 'out_of_range',
        'track: ts = -Infinity': 'out_of_range',
        'track: null': 'invalid_argument',
        'track: undefined': 'invalid_argument',
        'track: a string': 'invalid_argument',
        'track: a number': 'invalid_argument',
        'track: an array': 'invalid_argument',
        'track: unknown event type': 'unknown_event_kind',
        'track: missing item': 'missing_item',
        'track: unknown field': 'invalid_argument',
        'track: qty = 0': 'out_of_range',
        'track: a function inside': 'invalid_argument',
        'items: start = -1': 'out_of_range',
        'closed: track': 'closed',
        'closed: shelf': 'closed',
        'closed: item': 'closed',
        'closed: items': 'closed',
        'closed: profile': 'closed',
        'closed: clearEvents': 'closed',
      };
      for (const [name, kind] of Object.entries(expected)) assertRejected(name, results[name], kind);
      assert.match(results["shelf: k = '8'"].error.message, /"8"/);
      assert.deepEqual(results.afterMisuse, { ok: true, value: { items: 3, personalized: true, events: 1 } });
      assert.equal(results['closed: close again'].ok, true, 'close() twice does not throw');
      assert.deepEqual(unexpected(log), [], 'no console errors or warnings');
      assert.deepEqual(log.pageErrors, [], 'no page errors');
      assert.deepEqual(log.cspViolations, [], 'no CSP violations');
      await close();
    });

    test('init() rejects bad options, missing packs and refused packs with a ShelfwiseError', async () => {
      const { page, log, close } = await openFixture({
        'corrupt.pack': corruptPack(),
        'magic.pack': badMagicPack(),
        'newer.pack': newerPack(currentVersion() + 1),
        'good.pack': goodPack,
      });
      const results = await page.evaluate(async (options) => {
        const { init, outcome } = window.fx;
        const open = (extra) => outcome(async () => (await init({ ...options, ...extra })).info);
        return {
          'init()': await outcome(() => init()),
          'init(null)': await outcome(() => init(null)),
          'init({})': await open({}),
          "init({ pack: '' })": await open({ pack: '' }),
          'init: 404 pack': await open({ pack: '/__e2e__/packs/missing.pack' }),
          'init: 404 wasm': await open({ pack: '/__e2e__/packs/good.pack', wasm: '/__e2e__/missing.wasm' }),
          'init: corrupt pack': await open({ pack: '/__e2e__/packs/corrupt.pack' }),
          'init: bad magic': await open({ pack: '/__e2e__/packs/magic.pack' }),
          'init: newer format version': await open({ pack: '/__e2e__/packs/newer.pack' }),
          'init: good pack': await open({ pack: '/__e2e__/packs/good.pack' }),
        };
      }, mode.options);
      assertRejected('init()', results['init()'], 'invalid_argument');
      assertRejected('init(null)', results['init(null)'], 'invalid_argument');
      assertRejected('init({})', results['init({})'], 'invalid_argument');
      assertRejected("init({ pack: '' })", results["init({ pack: '' })"], 'invalid_argument');
      assertRejected('init: 404 pack', results['init: 404 pack'], 'fetch_failed');
      assertRejected('init: 404 wasm', results['init: 404 wasm'], 'fetch_failed');
      assertRejected('init: corrupt pack', results['init: corrupt pack'], 'bad_checksum');
      assertRejected('init: bad magic', results['init: bad magic'], 'bad_magic');
      const newer = results['init: newer format version'];
      assertRejected('init: newer format version', newer, 'unsupported_version');
      assert.match(newer.error.message, new RegExp(`\\b${currentVersion() + 1}\\b`), 'the message names the pack version');
      assert.match(newer.error.message, new RegExp(`\\b${currentVersion()}\\b`), 'the message names the supported version');
      assert.equal(results['init: good pack'].ok, true, JSON.stringify(results['init: good pack']));
      assert.equal(results['init: good pack'].value.formatVersion, currentVersion());
      // The 404s show up as resource errors; nothing else may.
      assert.deepEqual(unexpected(log, [NOT_FOUND]), [], 'no console problems but the 404s');
      assert.deepEqual(log.pageErrors, [], 'no page errors');
      assert.deepEqual(log.cspViolations, [], 'no CSP violations');
      await close();
    });

    // The sharded pack restarts through its working set (shards.js rebind, openRecommender).
    for (const [layout, pack] of [['single file', DEMO_PACK], ['sharded', SHARDED_DEMO_PACK]]) {
      test(`a wasm trap becomes kind "internal", is logged once, and the engine restarts with the events (${layout})`, async () => {
        const { page, log, close } = await openFixture({}, { trapGlue: true });
        const results = await page.evaluate(async ({ pack, options, trapTitle }) => {
          const { init, outcome } = window.fx;
          const sw = await init({ pack, ...options });
          const catalog = await sw.items(0, 1000);
          const popular = await sw.shelf('for-you', { k: 8 });
          // Four views of the category the popular shelf shows least: a clear personal signal.
          const counts = new Map();
          for (const item of catalog) counts.set(item.category, (counts.get(item.category) ?? 0) + 1);
          const shown = (cat) => popular.items.filter((item) => item.category === cat).length;
          const category = [...counts].filter(([, n]) => n >= 5).map(([c]) => c)
            .sort((a, b) => shown(a) - shown(b) || (a < b ? -1 : 1))[0];
          const picks = catalog.filter((item) => item.category === category).slice(0, 4);
          for (const item of picks) await sw.track({ type: 'view', item: item.id, ts: Date.now() });
          const now = Date.now();
          const before = await sw.shelf('for-you', { k: 8, now });
          // The served glue throws a WebAssembly.RuntimeError for this title, inside the engine's guard.
          const trap1 = await outcome(() => sw.shelf('for-you', { k: 8, now, title: trapTitle }));
          const afterTrap = await outcome(() => sw.shelf('for-you', { k: 8, now }));
          const profile = await outcome(() => sw.profile());
          const trap2 = await outcome(() => sw.shelf('trending', { k: 4, title: trapTitle }));
          const tracked = await outcome(() => sw.track({ type: 'view', item: picks[0].id }));
          const events = await outcome(() => sw.transport.call('eventCount'));
          sw.close();
          return { category, before, trap1, afterTrap, profile, trap2, tracked, events };
        }, { pack, options: mode.options, trapTitle: TRAP_TITLE });

        assertRejected('first trap', results.trap1, 'internal');
        assertRejected('second trap', results.trap2, 'internal');
        assert.equal(results.before.personalized, true);
        assert.equal(results.afterTrap.ok, true, JSON.stringify(results.afterTrap));
        assert.equal(results.afterTrap.value.personalized, true, 'still personalized after the restart');
        assert.deepEqual(results.afterTrap.value.items.map((i) => i.id), results.before.items.map((i) => i.id),
          'the same shelf as before the trap: the events were replayed');
        assert.equal(results.profile.value.eventCount, 4);
        assert.equal(results.tracked.ok, true);
        assert.deepEqual(results.events, { ok: true, value: 5 });
        const errors = log.problems.filter((text) => text.startsWith('error:'));
        assert.equal(errors.length, 1, `exactly one console.error for two traps\n${dump(log)}`);
        assert.match(errors[0], /Shelfwise: the Shelfwise core crashed/);
        assert.deepEqual(unexpected(log, [/Shelfwise: the Shelfwise core crashed/]), []);
        assert.deepEqual(log.pageErrors, [], 'no page errors');
        await close();
      });
    }

    test('a refused pack falls back to the last good copy from the Cache API, with one warning', async () => {
      const packs = { 'shop.pack': goodPack };
      const { page, log, close } = await openFixture(packs);
      const openAndRank = (options) => page.evaluate(async (opts) => {
        const { init, outcome } = window.fx;
        return outcome(async () => {
          const sw = await init({ pack: '/__e2e__/packs/shop.pack', ...opts });
          const [{ id }] = await sw.items(0, 1);
          await sw.track({ type: 'view', item: id });
          const shelf = await sw.shelf('for-you', { k: 8 });
          sw.close();
          return { checksum: sw.info.checksum, items: shelf.items.length, personalized: shelf.personalized };
        });
      }, options);

      // 1. A good pack opens and is cached (written in the background: close() lets it finish).
      const first = await openAndRank(mode.options);
      assert.equal(first.ok, true, JSON.stringify(first));
      assert.ok(await page.evaluate(async () => {
        for (let i = 0; i < 200; i++) {
          if (await caches.has('shelfwise-packs-v1') && await (await caches.open('shelfwise-packs-v1')).match('/__e2e__/packs/shop.pack')) return true;
          await new Promise((done) => setTimeout(done, 50));
        }
        return false;
      }), 'the pack copy is stored');

      // 2. The server now sends a corrupt pack: the cached copy is used, with one warning.
      packs['shop.pack'] = corruptPack();
      await load(page, true);
      const second = await openAndRank(mode.options);
      assert.deepEqual(second, first, 'the shelf works from the last good pack');
      const warnings = log.problems.filter((text) => text.startsWith('warning:'));
      assert.equal(warnings.length, 1, `exactly one warning\n${dump(log)}`);
      assert.match(warnings[0], /bad_checksum/, 'the warning names the error kind');

      // 3. So does a pack of a newer format version.
      packs['shop.pack'] = newerPack(7);
      await load(page, true);
      const third = await openAndRank(mode.options);
      assert.deepEqual(third, first);
      const warnings2 = log.problems.filter((text) => text.startsWith('warning:'));
      assert.equal(warnings2.length, 2, `one more warning\n${dump(log)}`);
      assert.match(warnings2[1], /unsupported_version/);

      // 4. Without a cached copy the error stands.
      await page.evaluate(() => caches.delete('shelfwise-packs-v1'));
      const fourth = await openAndRank(mode.options);
      assertRejected('no cached pack', fourth, 'unsupported_version');
      assert.equal(log.problems.length, 2, `no further console problems\n${dump(log)}`);
      assert.deepEqual(log.pageErrors, [], 'no page errors');
      await close();
    });
  });
}

test('the last good copy is written once per pack, not on every load (inline engine: its Cache calls are on the page)', async () => {
  const packs = { 'shop.pack': goodPack };
  const { page, log, close } = await openFixture(packs, { initScript: countCacheCalls });
  const openAndCount = async () => {
    const shelf = await page.evaluate(async () => {
      const sw = await window.fx.init({ pack: '/__e2e__/packs/shop.pack', worker: false });
      const [{ id }] = await sw.items(0, 1);
      await sw.track({ type: 'view', item: id });
      return (await sw.shelf('for-you', { k: 4 })).items.length;
    });
    assert.equal(shelf, 4);
    await page.waitForFunction(() => window.cacheLog.checked >= 1 && window.cacheLog.written === window.cacheLog.puts, null, WAIT);
    return page.evaluate(() => window.cacheLog.puts);
  };

  assert.equal(await openAndCount(), 1, 'first load: the pack is cached');
  await load(page, true);
  assert.equal(await openAndCount(), 0, 'same pack again: the cached copy is kept as it is');
  packs['shop.pack'] = otherBuildPack();
  await load(page, true);
  assert.equal(await openAndCount(), 1, 'another pack at the same URL: the copy is replaced');
  await load(page, true);
  assert.equal(await openAndCount(), 0, 'and then kept');
  assert.deepEqual(log.problems, [], 'no console problems');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  await close();
});

test('a page whose CSP does not allow wasm still gets its shelves from the worker (which compiles the core)', async () => {
  const { page, log, close } = await openFixture({}, { csp: "default-src 'self'; script-src 'self'" });
  const results = await page.evaluate(async (pack) => {
    const { init, outcome } = window.fx;
    const inWorker = await outcome(async () => {
      const sw = await init({ pack });
      const [{ id }] = await sw.items(0, 1);
      await sw.track({ type: 'view', item: id });
      const shelf = await sw.shelf('for-you', { k: 4 });
      sw.close();
      return { items: shelf.items.length, personalized: shelf.personalized, variant: sw.info.wasm.variant };
    });
    const inline = await outcome(() => init({ pack, worker: false }));
    return { inWorker, inline };
  }, DEMO_PACK);
  assert.deepEqual(results.inWorker, { ok: true, value: { items: 4, personalized: true, variant: 'relaxed-simd' } });
  assertRejected('inline under a CSP without wasm-unsafe-eval', results.inline, 'internal');
  assert.match(results.inline.error.message, /could not compile the wasm core/);
  assert.deepEqual(log.problems, [], 'no console problems');
  assert.deepEqual(log.pageErrors, [], 'no page errors');
  await close();
});

test('close() right after init() lets the worker finish storing the pack copy', async () => {
  const { page, log, close } = await openFixture({ 'shop.pack': goodPack });
  const stored = await page.evaluate(async () => {
    const sw = await window.fx.init({ pack: '/__e2e__/packs/shop.pack' });
    sw.close();
    const closed = await window.fx.outcome(() => sw.items(0, 1));
    for (let i = 0; i < 200; i++) {
      if (await caches.has('shelfwise-packs-v1') && await (await caches.open('shelfwise-packs-v1')).match('/__e2e__/packs/shop.pack')) return { closed, copy: true };
      await new Promise((done) => setTimeout(done, 50));
    }
    return { closed, copy: false };
  });
  assertRejected('a call after close()', stored.closed, 'closed');
  assert.equal(stored.copy, true, 'the pack copy is stored');
  assert.deepEqual(log.problems, [], 'no console problems');
  await close();
});
