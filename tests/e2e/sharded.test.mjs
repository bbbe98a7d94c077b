// A sharded pack in headless Chromium (engine in its worker, strict CSP): the demo shop split by
// scripts/demo-pack.sh into www/demo/data/shop-sharded/ (bootstrap.shard + 20-item partitions).
//   1. init() takes the bootstrap URL like a pack URL; cold shelves need no chunk;
//   2. after views, track() and shelf() fetch the chunks they need, and for-you ranks like the
//      single pack over the items it holds (most of its top 8);
//   3. chunks come from the Cache API on the next visit;
//   4. with the shelf's chunks answered late, the partitions nearest the profile arrive before
//      the first personalized shelf resolves (the shelf waits for them);
//   5. the idle prefetch stays within init({ prefetchBytes }), and 0 turns it off;
//   6. a corrupt chunk and a missing one each degrade with one warning; the page never breaks.
// Chunks are served by page.route() under /__e2e__/sharded/ so that tests can damage them.
//
//   node --test tests/e2e/sharded.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { STRICT_CSP } from '../../scripts/serve.mjs';
import { WWW, fulfillTestPage, dump, launchBrowser, startServer, watchPage } from './helpers.mjs';

const WAIT = { timeout: 20_000 };
const SHARDED = join(WWW, 'demo/data/shop-sharded');
const NOW = Date.UTC(2026, 5, 2);

let server;
let browser;
let files; // name -> bytes of the sharded demo pack

before(async () => {
  [server, browser] = await Promise.all([startServer({ csp: true }), launchBrowser()]);
  files = {};
  for (const name of await readdir(SHARDED)) files[name] = await readFile(join(SHARDED, name));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A fresh context on the api.html fixture; `serve(name, bytes)` decides what a sharded file
 * request gets (bytes, or null for a 404); `delay(n)` how many ms the n-th chunk request since
 * the page called `e2ePhase('shelf')` (visit(), before its for-you shelf) waits (0 before).
 * Returns { page, log, chunkRequests, served, context }; `served`: name -> Date.now() when first
 * answered.
 */
async function openFixture(serve = (name, bytes) => bytes, context = null, delay = () => 0) {
  const ctx = context ?? await browser.newContext();
  const page = await ctx.newPage();
  const log = watchPage(page);
  const chunkRequests = [];
  const served = {};
  let shelfRequests = null; // chunk requests since e2ePhase('shelf'), or null before it
  await page.exposeFunction('e2ePhase', (phase) => { shelfRequests = phase === 'shelf' ? 0 : null; });
  await ctx.route(`${server.origin}/__e2e__/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/__e2e__/'.length);
    const headers = { 'content-security-policy': STRICT_CSP, 'cache-control': 'no-cache' };
    if (path.startsWith('sharded/')) {
      const name = path.slice('sharded/'.length);
      if (name.endsWith('.chunk')) chunkRequests.push(name);
      const bytes = files[name] ? serve(name, files[name]) : null;
      const wait = name.endsWith('.chunk') && shelfRequests !== null ? delay(shelfRequests++) : 0;
      if (wait > 0) await new Promise((resolve) => { setTimeout(resolve, wait); });
      if (!bytes) return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
      served[name] ??= Date.now(); // before it is on its way: a shelf that waited for it ends later
      return route.fulfill({ status: 200, headers, contentType: 'application/octet-stream', body: bytes });
    }
    return fulfillTestPage(route, path, headers);
  });
  await page.goto(`${server.origin}/__e2e__/api.html`);
  await page.waitForSelector('body[data-ready="true"]', WAIT);
  return { page, log, chunkRequests, served, context: ctx };
}

/**
 * In the page: opens the single demo pack and the sharded one; views `views` items of the
 * category with the fewest items on the cold for-you shelf; returns both for-you shelves.
 */
async function visit(page) {
  return page.evaluate(async ({ now }) => {
    const { init, outcome } = window.fx;
    const single = await init({ pack: '/demo/data/shop.pack' });
    const sharded = await init({ pack: '/__e2e__/sharded/bootstrap.shard' });
    const info = sharded.info; // as init() resolved
    const cold = await sharded.shelf('trending', { k: 8, now });
    const all = await single.items(0, 1000);
    const categories = [...new Set(all.map((it) => it.category))];
    const coldSingle = await single.shelf('for-you', { k: 8, now });
    const target = categories.sort((a, b) => coldSingle.items.filter((i) => i.category === a).length
      - coldSingle.items.filter((i) => i.category === b).length)[0];
    const viewed = all.filter((it) => it.category === target && it.inStock).slice(0, 5);
    const tracked = [];
    for (const [n, it] of viewed.entries()) {
      const event = { type: 'view', item: it.id, ts: now - (5 - n) * 60_000 };
      await single.track(event);
      tracked.push(await outcome(sharded.track(event)));
    }
    const expected = await single.shelf('for-you', { k: 8, now });
    await window.e2ePhase('shelf');
    const got = await outcome(sharded.shelf('for-you', { k: 8, now }));
    const shelfAt = Date.now();
    const probed = (await sharded.transport.call('info')).sharded.lastProbe; // for that shelf
    const held = (await sharded.transport.call('items', 0, 1000)).map((it) => it.id);
    const similar = await outcome(sharded.shelf('similar', { k: 4, item: viewed[0].id, now }));
    const after = await sharded.transport.call('info'); // now (internal transport: live figures)
    return { held, info, after, cold, target, tracked, expected, got, shelfAt, probed, similar, viewed: viewed.map((it) => it.id) };
  }, { now: NOW });
}

test('a sharded pack loads piece by piece and ranks like the single file over what it holds', async () => {
  const { page, log, chunkRequests, context } = await openFixture();
  try {
    const r = await visit(page);
    assert.equal(r.info.sharded?.layout, 'sharded', JSON.stringify(r.info));
    assert.ok(r.info.itemCount > 0 && r.info.itemCount < 600, `the bootstrap holds some items: ${r.info.itemCount}`);
    assert.equal(r.cold.items.length, 8, 'cold shelves come from the bootstrap');
    assert.ok(r.tracked.every((t) => t.ok), JSON.stringify(r.tracked));
    assert.equal(r.got.ok, true, JSON.stringify(r.got));
    const ids = r.got.value.items.map((it) => it.id);
    assert.equal(ids.length, 8);
    assert.ok(r.got.value.personalized, 'for-you is personalized from the tracked views');
    const overlap = r.expected.items.filter((it) => ids.includes(it.id)).length;
    const missing = r.expected.items.filter((it) => !r.held.includes(it.id)).length;
    assert.ok(overlap >= 6, `for-you shares ${overlap}/8 with the single pack (${missing} of its 8 not held): ${ids} vs ${r.expected.items.map((it) => it.id)}`);
    assert.ok(r.got.value.items.filter((it) => it.category === r.target).length >= 5, 'the viewed category leads');
    assert.equal(r.similar.ok, true, JSON.stringify(r.similar));
    assert.ok(r.similar.value.items.length > 0, 'similar items of a viewed item');
    assert.ok(r.after.itemCount > r.info.itemCount, `chunks joined the working set: ${r.after.itemCount}`);
    assert.ok(chunkRequests.length >= 2 && chunkRequests.length < Object.keys(files).length - 1,
      `some chunks, not all: ${chunkRequests.length} of ${Object.keys(files).length - 1}`);
    assert.deepEqual(log.problems, [], dump(log));
    assert.deepEqual(log.pageErrors, []);

    // Next visit in the same browser: the chunks come from the Cache API (written in the
    // background: give the worker a moment before the page goes).
    await page.waitForTimeout(1500);
    await page.close();
    const again = await openFixture(undefined, context);
    const second = await visit(again.page);
    assert.equal(second.got.ok, true);
    assert.deepEqual(again.chunkRequests, [], 'every chunk came from the cache');
    assert.deepEqual(second.got.value.items.map((it) => it.id), ids, 'the same shelf from the cached chunks');
    assert.ok(second.after.sharded.chunksFromCache >= 2, JSON.stringify(second.after.sharded));
  } finally {
    await context.close();
  }
});

test('the partitions nearest the profile are loaded before the first personalized shelf', async () => {
  // The for-you shelf's chunk requests are answered late, the earliest latest (900 ms, then 80
  // ms less for each later one, at least 100): the nearest partitions, asked for first, arrive
  // after the neighbour chunks, so a shelf that did not wait for them (the nprobe bug of the
  // second sharded stop) resolves before they arrive.
  const { page, log, served, context } = await openFixture(undefined, null, (n) => Math.max(100, 900 - 80 * n));
  try {
    const r = await visit(page);
    assert.equal(r.got.ok, true, JSON.stringify(r.got));
    assert.ok(r.got.value.personalized, 'for-you is personalized');
    assert.ok(r.probed.length >= Math.min(r.info.sharded.nprobe, 2), `partitions probed: ${JSON.stringify(r.probed)}`);
    const late = r.probed.filter((name) => !(served[name] <= r.shelfAt));
    assert.deepEqual(late, [], `nearest partitions answered after the shelf resolved (or never): ${JSON.stringify({ probed: r.probed, served, shelfAt: r.shelfAt })}`);
    assert.deepEqual(log.problems, [], dump(log));
  } finally {
    await context.close();
  }
});

test('the idle prefetch stays within init({ prefetchBytes }), and 0 turns it off', async () => {
  const { page, log, context } = await openFixture();
  try {
    const r = await page.evaluate(async ({ now }) => {
      const { init } = window.fx;
      const single = await init({ pack: '/demo/data/shop.pack' });
      const ids = (await single.items(0, 1000)).map((it) => it.id);
      const prefetched = async (prefetchBytes) => {
        const sharded = await init({ pack: '/__e2e__/sharded/bootstrap.shard', prefetchBytes });
        for (const [n, id] of ids.filter((_, i) => i % 97 === 0).slice(0, 5).entries()) {
          await sharded.track({ type: 'view', item: id, ts: now - (5 - n) * 60_000 });
          await sharded.shelf('for-you', { k: 8, now });
        }
        await new Promise((resolve) => { setTimeout(resolve, 1000); }); // idle: prefetches land
        const info = (await sharded.transport.call('info')).sharded;
        sharded.close();
        return { bytes: info.reasons.prefetch?.bytes ?? 0, left: info.prefetchLeft };
      };
      return { small: await prefetched(30_000), off: await prefetched(0) };
    }, { now: NOW });
    assert.ok(r.small.bytes > 0 && r.small.bytes <= 30_000, `prefetched within 30,000 bytes: ${JSON.stringify(r.small)}`);
    assert.deepEqual(r.off, { bytes: 0, left: 0 });
    assert.deepEqual(log.problems, [], dump(log));
  } finally {
    await context.close();
  }
});

for (const damage of ['corrupt', 'missing']) {
  test(`a ${damage} chunk degrades the shelf with one warning`, async () => {
    const spoil = (name, bytes) => {
      if (!name.endsWith('.chunk')) return bytes;
      if (damage === 'missing') return null;
      const copy = Buffer.from(bytes);
      copy[copy.length - 3] ^= 0x5a;
      return copy;
    };
    const { page, log, context } = await openFixture(spoil);
    try {
      const r = await visit(page);
      assert.ok(r.tracked.every((t) => t.ok), `track() still resolves: ${JSON.stringify(r.tracked)}`);
      assert.equal(r.got.ok, true, JSON.stringify(r.got));
      assert.ok(r.got.value.items.length > 0, 'the shelf falls back to what the bootstrap holds');
      assert.equal(r.after.itemCount, r.info.itemCount, 'no damaged chunk joined the working set');
      const warnings = log.problems.filter((p) => p.startsWith('warning:') && /chunk/.test(p));
      assert.equal(warnings.length, 1, dump(log));
      if (damage === 'corrupt') assert.match(warnings[0], /bad_checksum|chunk_mismatch/);
      const others = log.problems.filter((p) => !warnings.includes(p) && !/Failed to load resource: .*404/.test(p));
      assert.deepEqual(others, [], dump(log));
      assert.deepEqual(log.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}
