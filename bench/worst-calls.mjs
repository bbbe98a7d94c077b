// The worst calls of examples/worst_calls.rs in headless Chromium, through the public API
// (init() in a worker, track(), page()): issue #20's "any call on a 100k-item pack finishes in
// ≤ 50 ms, or is refused with out_of_range", measured where the shopper's call runs. A benchmark,
// not a test: it prints figures and asserts nothing.
//
//   cargo run --release --features cli --example worst_calls -- --reps 1 --write-pack build/worst.pack
//   node bench/worst-calls.mjs [--pack build/worst.pack] [--reps 5] [--worker false] [--model] [--only TEXT]
//     [--shell /build/before/shelfwise/index.js --wasm /build/before/shelfwise/wasm/shelfwise_bg.wasm]
//
// The shopper gets 10,000 events (views, clicks, carts, purchases of random items, one every
// 8.64 minutes) and 100 searches, like examples/worst_calls.rs; each worst request has the same
// shape as tests/common/large_pack.rs's worst_request (largest k, a 210 KB query, 1,000
// excluded and cart ids, filters naming 1,000 categories, 1,000 rules, exploration, a 1 MB title).
// Prints per call the median and the slowest of R runs of `await sw.page(requests)` as the page
// sees it (performance.now(), worker round trip included), beside a plain for-you shelf (k = 8).
// With --model it times instead the single shelves of tests/common/large_pack.rs's model_calls
// (same names and requests), which `worst_calls -- --model` prints with their modelled cost.
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { launchBrowser } from '../tests/e2e/helpers.mjs';
import { serveRepository } from './first-shelf.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const packPath = arg('pack', 'build/worst.pack');
const reps = Number(arg('reps', 5));
const worker = arg('worker', 'true') !== 'false';
// Another build of the shell and core to compare with (e.g. an older commit's www/shelfwise
// copied under build/), as URL paths of the served repository.
const shell = arg('shell', '/www/shelfwise/index.js');
const wasm = arg('wasm', undefined);
const model = process.argv.includes('--model');
// Only the calls whose name contains this text (and the baseline).
const only = arg('only', '');

/** Runs in the page: opens the pack, tracks the shopper, times every call. */
async function measure({ pack, reps, worker, shell, wasm, model, only }) {
  const { init } = await import(shell);
  const sw = await init({ pack, worker, timeoutMs: 120_000, ...(wasm ? { wasm } : {}) });
  const n = sw.info.itemCount;
  const ids = (await sw.items(0, 10_000)).map((c) => c.id);
  for (let start = 10_000; start < n; start += 10_000) ids.push(...(await sw.items(start, 10_000)).map((c) => c.id));
  const cards = await sw.items(0, 1000);
  const categories = [...new Set(cards.map((c) => c.category))];
  let seed = 11n;
  const next = () => { seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn; return Number(seed >> 33n); };
  const now = Date.now();
  const kinds = ['view', 'view', 'view', 'click', 'add_to_cart', 'purchase'];
  const tracks = [];
  for (let j = 0; j < 10_000; j += 1) {
    tracks.push(sw.track({ type: kinds[next() % 6], item: ids[next() % n], ts: now - (10_000 - j) * 518_400 }));
  }
  for (let j = 0; j < 100; j += 1) tracks.push(sw.track({ type: 'search', query: `candle ${'candle '.repeat(100)}`, ts: now - 100 + j }));
  await Promise.all(tracks);
  const id = (i) => ids[i % n];
  const category = (c) => categories[c % categories.length];
  const worst = (kind, diverse) => ({
    kind,
    k: diverse ? 100 : 1000,
    item: id(3),
    category: category(1),
    query: 'candle '.repeat(30_000),
    cart: Array.from({ length: 1000 }, (_, i) => id(i * 13)),
    exclude: Array.from({ length: 1000 }, (_, i) => id(i * 31 + 1)),
    filters: { categories: Array.from({ length: 1000 }, (_, c) => category(c)), excludeCategories: Array.from({ length: 1000 }, (_, c) => `no such category ${c}`) },
    rules: Array.from({ length: 1000 }, (_, r) => ({
      action: ['pin', 'boost', 'bury'][r % 3],
      ...(r % 2 === 0 ? { item: id(r * 7) } : { category: category(r) }),
      ...(r % 3 === 0 ? { position: 1 + (r % 100) } : {}),
    })),
    maxPerCategory: 2,
    ...(diverse ? { diversity: 1 } : {}),
    explore: { seed: 7, slots: 1000 },
    title: 'T'.repeat(1_000_000),
  });
  // ShelfKind::ALL's order.
  const KINDS = ['for-you', 'discovery', 'buy-again', 'because-you-viewed', 'similar', 'visually-similar', 'bought-together',
    'trending', 'trending-in-categories', 'recently-viewed', 'new-for-you'];
  const calls = [{ name: 'baseline: for-you k=8', requests: [{ kind: 'for-you', k: 8 }] }];
  if (model) {
    // tests/common/large_pack.rs's model_calls.
    for (const kind of KINDS) {
      const w = worst(kind, false);
      const plain = { kind, k: 8, item: w.item, category: w.category };
      const big = { ...plain, k: 1000 };
      const categoryPin = (r) => r.action === 'pin' && r.category !== undefined;
      const variants = [
        ['k=8', plain],
        ['k=1000', big],
        ['k=1000 filters', { ...big, filters: w.filters, exclude: w.exclude }],
        ['k=1000 narrow filters', { ...big, filters: { categories: [category(1)], maxPrice: 1 } }],
        ['k=1000 rules', { ...big, rules: w.rules.filter((r) => !categoryPin(r)) }],
        ['k=1000 category pins', { ...big, rules: w.rules.filter(categoryPin) }],
        ['k=1000 explore', { ...big, explore: w.explore }],
        ['k=100 diversity=1', { ...plain, k: 100, diversity: 1 }],
        ['worst k=1000', w],
        ['worst diversity=1 k=100', worst(kind, true)],
      ];
      for (const [name, request] of variants) calls.push({ name: `${kind} ${name}`, requests: [request] });
    }
  } else {
    // tests/common/large_pack.rs's shop_page: what the budget must always admit.
    const shop = ['for-you', 'trending', 'similar', 'because-you-viewed', 'bought-together', 'trending-in-categories'];
    calls.push({ name: "a shop's page: 6 plain shelves, k=8", requests: shop.map((kind) => ({ kind, k: 8, item: id(3), category: category(1) })) });
    for (const kind of KINDS) {
      calls.push({ name: `${kind} k=1000`, requests: [worst(kind, false)] });
      calls.push({ name: `${kind} diversity=1 k=100`, requests: [worst(kind, true)] });
    }
    const page = Array.from({ length: 20 }, (_, s) => worst(KINDS[s % KINDS.length], true));
    // Pages of 2, 3 … such shelves until one is refused (over the cost budget), and the full page.
    for (let size = 2; size <= 20; size += 1) calls.push({ name: `page of ${size} shelves, diversity=1 k=100`, requests: page.slice(0, size), series: 'mixed' });
    // Pages of 2, 3 … copies of one worst shelf until one is refused: the heaviest pages the
    // budget admits are made of the shelves that take the most time per modelled read.
    for (const kind of KINDS) {
      for (const diverse of [false, true]) {
        const shelf = worst(kind, diverse);
        const name = `${kind}${diverse ? ' diversity=1 k=100' : ' k=1000'}`;
        for (let size = 2; size <= 20; size += 1) calls.push({ name: `page of ${size} × ${name}`, requests: Array(size).fill(shelf), series: name });
      }
    }
  }
  const out = [];
  const refusedSeries = new Set();
  for (const call of calls.filter((c, i) => i === 0 || c.name.includes(only))) {
    if (call.series && refusedSeries.has(call.series) && !(call.series === 'mixed' && call.requests.length === 20)) continue;
    const times = [];
    let refused = null;
    for (let r = 0; r <= reps; r += 1) {
      const t = performance.now();
      try {
        await sw.page(call.requests);
      } catch (error) {
        refused = `${error.kind}: ${error.message.slice(0, 90)}`;
        break;
      }
      if (r > 0) times.push(performance.now() - t); // the first run warms up
    }
    if (call.series && refused) refusedSeries.add(call.series);
    times.sort((a, b) => a - b);
    out.push({ name: call.name, refused, median: times[Math.floor(times.length / 2)], max: times[times.length - 1] });
  }
  sw.close();
  return { items: n, events: 10_000, out };
}

const { server, origin } = await serveRepository();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/bench/page.html`);
  const result = await page.evaluate(measure, { pack: `/${packPath}`, reps, worker, shell, wasm, model, only });
  console.log(`CPU: ${os.cpus()[0]?.model} (${os.cpus().length} logical CPUs); Chromium ${browser.version()}; engine in ${worker ? 'a worker' : 'the page'}; shell ${shell}${wasm ? `, core ${wasm}` : ''}; ${ROOT}`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`pack: ${result.items} items; ${result.events} events; ${reps} timed runs per call after one warm-up`);
  const base = result.out[0].median;
  console.log(`${'call'.padEnd(45)} ${'median ms'.padStart(9)} ${'max ms'.padStart(9)} ${'× base'.padStart(7)}`);
  for (const r of result.out) {
    if (r.refused) console.log(`${r.name.padEnd(45)} refused: ${r.refused}`);
    else console.log(`${r.name.padEnd(45)} ${r.median.toFixed(2).padStart(9)} ${r.max.toFixed(2).padStart(9)} ${(r.median / base).toFixed(1).padStart(7)}`);
  }
} finally {
  await browser.close();
  server.close();
}
