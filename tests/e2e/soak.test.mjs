// Soak (issue "Trust under bad input", Load): one page records 100,000 events and asks for
// 10,000 "for-you" shelves (k = 20, one per 10 events) through the real shell running inline,
// then checks that memory stayed flat and nothing was lost.
//
//   node --test tests/e2e/soak.test.mjs
//   SOAK_EVENTS=20000 node --test tests/e2e/soak.test.mjs   # a shorter run
//
// "Nothing lost": the core keeps the newest MAX_EVENTS = 10,000 events (src/engine.rs), so every
// track() must resolve, eventCount must be min(total, 10,000), the oldest events must be the
// ones dropped (an add_to_cart of item A by the first event no longer hides A at the end,
// while B, put in the cart near the end, stays hidden) and the last events must shape the
// profile (the final burst's category leads, and the very last view raises its share).
// Memory figures are read after gc() (Chromium --js-flags=--expose-gc) with precise
// performance.memory (--enable-precise-memory-info); wall time is printed for information only.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, dump, foreignRequests, startServer, watchPage } from './helpers.mjs';

const EVENTS = Number(process.env.SOAK_EVENTS || 100_000);
const SHELF_EVERY = 10;
const K = 20;
const MAX_EVENTS = 10_000; // src/engine.rs
const MiB = 1024 * 1024;

let server;
let browser;

before(async () => {
  [server, browser] = await Promise.all([
    startServer({ csp: true }),
    chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
      headless: true,
    }),
  ]);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const fmt = (bytes) => `${bytes} B (${(bytes / MiB).toFixed(2)} MiB)`;

test(`soak: ${EVENTS} events and ${EVENTS / SHELF_EVERY} shelves on one page; memory stays flat and nothing is lost`, { timeout: 300_000 }, async (t) => {
  const page = await browser.newPage();
  const log = watchPage(page);
  await page.goto(`${server.url}test-pages/soak.html`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true', null, { timeout: 10_000 });
  assert.equal(await page.evaluate(() => typeof globalThis.gc), 'function', 'gc() is exposed');
  assert.equal(await page.evaluate(() => typeof performance.memory?.usedJSHeapSize), 'number', 'performance.memory is available');

  const r = await page.evaluate((options) => globalThis.soak.run(options), { events: EVENTS, shelfEvery: SHELF_EVERY, k: K });

  const figures = [
    `events tracked: ${r.tracked} of ${r.totalEvents} (rejected ${r.rejected}); eventCount held: ${r.eventCount}`,
    `shelves: ${r.shelves} (rejected ${r.shelfRejected}, personalized ${r.personalizedShelves}, k=${K})`,
    `wasm memory: warm-up ${fmt(r.warmup.wasmBytes)} after ${r.warmup.events} events -> end ${fmt(r.end.wasmBytes)}`,
    `JS heap used: warm-up ${fmt(r.warmup.jsHeapUsed)} -> end ${fmt(r.end.jsHeapUsed)} `
      + `(total heap ${fmt(r.warmup.jsHeapTotal)} -> ${fmt(r.end.jsHeapTotal)})`,
    `wall time: ${(r.wallMs / 1000).toFixed(1)} s (warm-up done at ${(r.warmup.ms / 1000).toFixed(1)} s); in-stock items ${r.inStockCount}`,
    `profile before last event: ${JSON.stringify(r.profileBeforeLast)}`,
    `profile after last event:  ${JSON.stringify(r.profileAfterLast)}`,
  ];
  for (const line of figures) {
    console.log(`[soak] ${line}`);
    t.diagnostic(line);
  }

  // The measured wasm is the shell's own instance: the core was fetched exactly once.
  const wasmFetches = log.requests.filter((url) => /\/shelfwise(_relaxed)?_bg\.wasm$/.test(url));
  assert.equal(wasmFetches.length, 1, `one wasm instance: ${dump(log.requests)}`);

  // Nothing lost.
  assert.equal(r.rejected, 0, `no track() rejected: ${r.rejections.join('\n')}`);
  assert.equal(r.shelfRejected, 0, `no shelf() rejected: ${r.rejections.join('\n')}`);
  assert.equal(r.tracked, EVENTS);
  assert.equal(r.shelves, Math.floor(EVENTS / SHELF_EVERY));
  assert.deepEqual(r.badShelves, [], 'every shelf has k items');
  assert.equal(r.personalizedShelves, r.shelves, 'every shelf is personalized');
  assert.equal(r.eventCount, Math.min(EVENTS, MAX_EVENTS), 'eventCount = min(total, MAX_EVENTS)');
  assert.equal(r.profileAfterLast.eventCount, Math.min(EVENTS, MAX_EVENTS));
  // The newest events are the ones kept.
  assert.ok(r.aExcludedAtStart, `A (${r.reservedA}) is hidden while its add_to_cart is held`);
  assert.ok(r.aOnShelfAtEnd, `A (${r.reservedA}) is back: its add_to_cart (the first event) was dropped`);
  assert.ok(!r.bOnShelfAtEnd, `B (${r.reservedB}) stays hidden: its add_to_cart (near the end) was kept`);
  // The last events shape the profile.
  const share = (profile) => profile.topCategories.find((c) => c.category === r.burstCategory)?.share ?? 0;
  assert.equal(r.profileAfterLast.topCategories[0]?.category, r.burstCategory, 'the final burst category leads');
  assert.ok(share(r.profileAfterLast) > share(r.profileBeforeLast),
    `the last view (of ${r.reservedB}, ${r.burstCategory}) raises its category's share`);

  // Memory stays flat.
  assert.ok(r.end.wasmBytes <= r.warmup.wasmBytes * 1.1 + MiB,
    `wasm memory ${r.end.wasmBytes} <= ${r.warmup.wasmBytes} x 1.1 + 1 MiB`);
  assert.ok(r.end.jsHeapUsed <= r.warmup.jsHeapUsed * 1.5 + 5 * MiB,
    `JS heap ${r.end.jsHeapUsed} <= ${r.warmup.jsHeapUsed} x 1.5 + 5 MiB`);

  // And the page stayed clean.
  assert.deepEqual(log.pageErrors, [], dump(log));
  assert.deepEqual(log.problems, [], dump(log));
  assert.deepEqual(log.cspViolations, [], dump(log));
  assert.deepEqual(foreignRequests(log, server.origin), [], dump(log));
  await page.close();
});
