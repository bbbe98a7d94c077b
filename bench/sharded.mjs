// The sharded layout against the single file in headless Chromium (a benchmark, not a test):
// the same 20-view visit (bench/sharded.js) on `--single PACK` and `--sharded FOLDER/`, each in
// fresh browser contexts (no HTTP cache, no Cache API copy), on loopback and throttled with CDP
// Network.emulateNetworkConditions (10 Mbit/s down, 5 Mbit/s up, 40 ms latency). Prints, per
// layout and network: bytes fetched before the first shelf and over the visit (the encoded body
// sizes of the pack, bootstrap, chunk and wasm responses, page and worker), the first
// personalized shelf (ms from navigation start), per-shelf times during the visit and with the
// chunks loaded, and the overlap of the for-you top 20 / top 100 with the single pack's.
//   node bench/sharded.mjs --single build/shard-bench/n100000.pack --sharded build/shard-bench/n100000-sharded \
//     --views SKU-0000001,… [--runs 3] [--layouts single,sharded] [--networks loopback,throttled]
//     [--out bench/sharded-results.json]
// --inline runs the engine on the page (init({ worker: false })) instead of in its worker; --gc
// exposes V8's gc() and collects garbage before each steady shelf, outside its time (with
// --inline, the engine's heap too): what is left of the p95 is not garbage collection.
// --gzip serves scripts, wasm, pack, bootstrap and chunks gzip-compressed, as a CDN does (bytes
// are then the compressed bodies); without it, raw.
// --warmup N (default 1) first loads each layout N times uncounted, so that the server has
// compressed every file the visit asks for (scripts/serve.mjs gzips a file at its first request,
// on its one thread, as a CDN that stores compressed copies does not at request time).
// --scripts adds each script's request and response times (page and worker) to the breakdown.
// --trace-gc records a Chromium trace of each run (V8's garbage collections, page and worker)
// and prints the collections and their time over the visit and over the 50 steady shelves.
// --page /bench/other.html runs the visit from another page (e.g. other <head> markup).
// --layouts sharded runs the sharded folder alone (at 1M the single pack is 240 MB: its overlap
// figures come from examples/shard_quality.rs instead).
import fs from 'node:fs';
import os from 'node:os';
import { launchBrowser } from '../tests/e2e/helpers.mjs';
import { serveRepository } from './first-shelf.mjs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const RUNS = Number(arg('--runs', 3));
const NOW = 1_780_000_000_000;
const layouts = { single: `/${arg('--single')}`, sharded: `/${arg('--sharded').replace(/\/$/, '')}/bootstrap.shard` };
const LAYOUTS = arg('--layouts', 'single,sharded').split(',');
const NETWORKS = arg('--networks', 'loopback,throttled').split(',');
const GZIP = argv.includes('--gzip');
const INLINE = argv.includes('--inline'); // the engine on the page, no worker
const GC = argv.includes('--gc'); // V8's gc() exposed; the page collects before each steady shelf
const views = arg('--views');
const WARMUP = Number(arg('--warmup', 1));
const TRACE_GC = argv.includes('--trace-gc');
const SCRIPTS = argv.includes('--scripts');
const PAGE = arg('--page', '/bench/sharded.html'); // another page of the same visit (A/B of page markup) // every script's request and response in the breakdown
const THROTTLED = { offline: false, latency: 40, downloadThroughput: 10e6 / 8, uploadThroughput: 5e6 / 8 };

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const p95 = (v) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(v.length * 0.95))];

/**
 * Encoded body bytes of the resources of the page and its workers, split at `untilMs`; chunk
 * bytes also by why shards.js asked for them (`reasons`: file name -> reason, from info()).
 */
async function bytesOf(page, untilMs, reasons = {}) {
  const read = () => ({ origin: performance.timeOrigin, r: performance.getEntriesByType('resource').map((e) => [e.name, e.responseEnd, e.encodedBodySize, e.decodedBodySize]) });
  const realms = [await page.evaluate(read)];
  for (const worker of page.workers()) realms.push(await worker.evaluate(read));
  const out = { beforeFirstShelf: 0, visit: 0, visitDecoded: 0, wasm: 0, chunks: 0, chunksBeforeFirstShelf: 0, byReason: {} };
  for (const realm of realms) {
    for (const [url, end, size, decoded] of realm.r) {
      const file = new URL(url).pathname;
      if (!/\.(pack|shard|chunk|wasm)$/.test(file)) continue;
      const t = end + realm.origin - realms[0].origin;
      if (t <= untilMs) out.beforeFirstShelf += size;
      if (t <= untilMs && file.endsWith('.chunk')) out.chunksBeforeFirstShelf += 1;
      out.visit += size;
      out.visitDecoded += decoded;
      if (file.endsWith('.wasm')) out.wasm += size;
      if (file.endsWith('.chunk')) out.chunks += 1;
      if (file.endsWith('.chunk')) {
        const reason = reasons[file.split('/').pop()] ?? 'unknown';
        const r = (out.byReason[reason] ??= { chunks: 0, bytes: 0, beforeFirstShelf: 0 });
        r.chunks += 1;
        r.bytes += size;
        if (t <= untilMs) r.beforeFirstShelf += size;
      }
    }
  }
  return out;
}

/**
 * Where the first shelf's time goes: the shell's marks and measures ("shelfwise:…", page and
 * worker) and the wasm / bootstrap / pack fetches, on the page's timeline, up to `untilMs`.
 * Measures with the same name are summed ("chunk N fetched" → "chunk fetched").
 */
async function breakdown(page, untilMs) {
  const read = () => ({
    origin: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('shelfwise:')).map((m) => [m.name.slice(10), m.startTime]),
    measures: performance.getEntriesByType('measure').filter((m) => m.name.startsWith('shelfwise:')).map((m) => [m.name.slice(10), m.startTime, m.duration]),
    resources: performance.getEntriesByType('resource').map((r) => [r.name, r.startTime, r.responseEnd]),
  });
  const realms = [await page.evaluate(read)];
  for (const worker of page.workers()) realms.push(await worker.evaluate(read));
  const marks = {};
  const spans = {};
  for (const realm of realms) {
    const offset = realm.origin - realms[0].origin;
    if (offset > 0) marks['worker created'] = offset;
    for (const [name, t] of realm.marks) marks[name] ??= +(t + offset).toFixed(1);
    for (const [name, t, ms] of realm.measures) {
      if (t + offset > untilMs) continue;
      const key = name.replace(/ \d+ /, ' ');
      spans[key] = +((spans[key] ?? 0) + ms).toFixed(1);
    }
    for (const [url, start, end] of realm.resources) {
      const file = new URL(url).pathname;
      const key = file.endsWith('.wasm') ? 'wasm' : /\.(pack|shard)$/.test(file) ? 'pack' : null;
      if (key) marks[`${key} fetch start`] ??= +(start + offset).toFixed(1);
      if (key) marks[`${key} received`] ??= +(end + offset).toFixed(1);
      if (SCRIPTS && file.endsWith('.js')) {
        const who = offset > 0 ? 'worker' : 'page';
        marks[`${who} ${file.split('/').pop()} requested`] = +(start + offset).toFixed(1);
        marks[`${who} ${file.split('/').pop()} received`] = +(end + offset).toFixed(1);
      }
    }
  }
  return { marks, spans };
}

/** V8's collections in a Chromium trace: count and ms, over the run and between the steady marks. */
function collections(trace) {
  const events = JSON.parse(trace.toString()).traceEvents;
  const at = (name) => events.find((e) => e.name === `shelfwise:steady-${name}`)?.ts;
  const [from, to] = [at('start'), at('end')];
  const gcs = events.filter((e) => e.ph === 'X' && /^(MinorGC|MajorGC)$/.test(e.name));
  const sum = (list) => ({ count: list.length, ms: +(list.reduce((t, e) => t + (e.dur ?? 0), 0) / 1000).toFixed(1) });
  const steady = gcs.filter((e) => e.ts >= from && e.ts <= to);
  // Which realm collected: the page's main thread or the worker's ("DedicatedWorker thread").
  const threads = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args?.name]));
  const inWorker = (e) => /Worker/.test(threads.get(`${e.pid}:${e.tid}`) ?? '');
  return { visit: sum(gcs), steady: sum(steady), steadyInWorker: steady.filter(inWorker).length, minor: gcs.filter((e) => e.name === 'MinorGC').length };
}

async function run(browser, origin, layout, network) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  // The bench catalog's image URLs (/img/{id}.jpg) do not exist: those 404s are not problems.
  page.on('console', (m) => { if ((m.type() === 'error' || m.type() === 'warning') && !/status of 404/.test(m.text())) problems.push(m.text()); });
  if (network === 'throttled') {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', THROTTLED);
  }
  if (TRACE_GC) await browser.startTracing(page, { categories: ['v8', 'blink.user_timing', 'devtools.timeline'] });
  await page.goto(`${origin}${PAGE}?pack=${encodeURIComponent(layouts[layout])}&views=${views}&now=${NOW}${INLINE ? '&worker=0' : ''}${GC ? '&gc=1' : ''}`);
  await page.waitForFunction(() => window.visit !== undefined, null, { timeout: 600_000, polling: 200 });
  const visit = await page.evaluate(() => window.visit);
  if (TRACE_GC) visit.gc = collections(await browser.stopTracing());
  visit.bytes = await bytesOf(page, visit.firstShelfMs, visit.info.sharded?.fileReasons);
  if (visit.info.sharded) delete visit.info.sharded.fileReasons;
  visit.firstShelf = await breakdown(page, visit.firstShelfMs);
  visit.problems = problems;
  await context.close();
  return visit;
}

const { server, origin } = await serveRepository({ gzip: GZIP });
const browser = await launchBrowser(GC ? ['--js-flags=--expose-gc'] : []);
const results = { date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, chromium: browser.version(), gzip: GZIP, warmup: WARMUP, inline: INLINE, gc: GC, layouts, views: views.split(','), throttled: THROTTLED, runs: [] };
try {
  for (let r = 0; r < WARMUP; r++) for (const layout of LAYOUTS) await run(browser, origin, layout, 'loopback');
  for (let r = 0; r < RUNS; r++) {
    for (const network of NETWORKS) {
      for (const layout of LAYOUTS) {
        const visit = await run(browser, origin, layout, network);
        results.runs.push({ run: r, network, layout, ...visit });
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
const reference = (network, run) => results.runs.find((x) => x.layout === 'single' && x.network === network && x.run === run);
const overlap = (a, b) => (b === undefined ? NaN : a.filter((id) => b.includes(id)).length / b.length);
for (const network of NETWORKS) {
  for (const layout of LAYOUTS) {
    const rs = results.runs.filter((x) => x.layout === layout && x.network === network);
    const o20 = rs.map((x) => overlap(x.top20, reference(network, x.run)?.top20));
    const o100 = rs.map((x) => overlap(x.top100, reference(network, x.run)?.top100));
    const line = {
      first_shelf_ms: median(rs.map((x) => x.firstShelfMs)),
      init_ms: median(rs.map((x) => x.initMs)),
      bytes_before_first_shelf: median(rs.map((x) => x.bytes.beforeFirstShelf)),
      bytes_visit: median(rs.map((x) => x.bytes.visit)),
      bytes_visit_decoded: median(rs.map((x) => x.bytes.visitDecoded)),
      wasm_bytes: median(rs.map((x) => x.bytes.wasm)),
      chunks: median(rs.map((x) => x.bytes.chunks)),
      chunks_before_first_shelf: median(rs.map((x) => x.bytes.chunksBeforeFirstShelf)),
      visit_shelf_median_ms: median(rs.flatMap((x) => x.visitShelfMs)),
      visit_shelf_p95_ms: p95(rs.flatMap((x) => x.visitShelfMs)),
      steady_shelf_median_ms: median(rs.flatMap((x) => x.steadyMs)),
      steady_shelf_p95_ms: p95(rs.flatMap((x) => x.steadyMs)),
      ping_median_ms: median(rs.flatMap((x) => x.pingMs)),
      ping_p95_ms: p95(rs.flatMap((x) => x.pingMs)),
      steady_over_2ms: rs.flatMap((x) => x.steadyMs).filter((ms) => ms > 2).length,
      ping_over_2ms: rs.flatMap((x) => x.pingMs).filter((ms) => ms > 2).length,
      ...(TRACE_GC ? { gc_visit: median(rs.map((x) => x.gc.visit.count)), gc_visit_ms: median(rs.map((x) => x.gc.visit.ms)), gc_steady: median(rs.map((x) => x.gc.steady.count)), gc_steady_ms: median(rs.map((x) => x.gc.steady.ms)) } : {}),
      overlap20: median(o20),
      overlap100: median(o100),
      item_count: median(rs.map((x) => x.info.itemCount)),
      problems: rs.flatMap((x) => x.problems),
    };
    const keys = [...new Set(rs.flatMap((x) => [...Object.keys(x.firstShelf.marks), ...Object.keys(x.firstShelf.spans)]))];
    const at = Object.fromEntries(keys.map((k) => [k, median(rs.map((x) => x.firstShelf.marks[k] ?? x.firstShelf.spans[k] ?? 0))]));
    console.log(`bench: sharded first-shelf layout=${layout} network=${network} ${JSON.stringify(at)}`);
    const reasons = [...new Set(rs.flatMap((x) => Object.keys(x.bytes.byReason)))];
    const byReason = Object.fromEntries(reasons.map((k) => [k, ['chunks', 'bytes', 'beforeFirstShelf'].map((f) => median(rs.map((x) => x.bytes.byReason[k]?.[f] ?? 0)))]));
    if (reasons.length > 0) console.log(`bench: sharded chunks by reason (chunks, gzip bytes over the visit, before the first shelf) layout=${layout} network=${network} ${JSON.stringify(byReason)}`);
    console.log(`bench: sharded layout=${layout} network=${network} ${Object.entries(line).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(3) : JSON.stringify(v)}`).join(' ')}`);
  }
}
fs.writeFileSync(arg('--out', 'bench/sharded-results.json'), `${JSON.stringify(results, null, 1)}\n`);
