// Page load → first personalized shelf, phase by phase. bench/run.mjs calls firstShelf();
// alone, it serves the repository, loads the page once to warm up the server and the browser
// (not counted), then in `--runs` fresh browser contexts each (a first visit: no HTTP cache, no
// Cache API copy), and prints each phase's median (ms since navigation start) and spread:
//   node bench/first-shelf.mjs [--runs 5] [--pack n100000-d64] [--pages /a.html,/b.html] [--scripts]
// --pages loads several pages in turn (A/B in one process, interleaved); --scripts adds every
// script's request and response times to the phases.
// The phases are the shell's User Timing marks ("shelfwise:…", on the page and in the worker)
// and the pack's and wasm's resource timings, all on the page's timeline.
import { fileURLToPath } from 'node:url';
import { serve } from '../scripts/serve.mjs';
import { launchBrowser } from '../tests/e2e/helpers.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Serves the repository on loopback for every bench page (bench/run.mjs too): from memory,
 * `cache-control: no-store`; bench pages get COOP/COEP (cross-origin isolation: microsecond
 * performance.now()), the first-shelf page is served like a shop page. `gzip`: compressed as a
 * CDN serves them (scripts/serve.mjs).
 */
export async function serveRepository({ gzip = false } = {}) {
  const { server, url } = await serve({
    root: ROOT,
    gzip,
    headers: (pathname) => (pathname.startsWith('/bench/first-shelf')
      ? { 'cache-control': 'no-store' }
      : { 'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }),
  });
  return { server, origin: new URL(url).origin };
}

/** Reads the marks and resource timings of the page and its worker, on the page's timeline. */
async function phases(page, scripts) {
  const read = () => ({
    origin: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').filter((m) => m.name.startsWith('shelfwise:')).map((m) => [m.name.slice(10), m.startTime]),
    resources: performance.getEntriesByType('resource').map((r) => [r.name, r.startTime, r.responseEnd]),
    nav: performance.getEntriesByType('navigation').map((n) => n.responseEnd)[0],
  });
  const main = await page.evaluate(read);
  const out = { 'html received': main.nav };
  const add = (realm, offset) => {
    for (const [name, t] of realm.marks) out[name] ??= t + offset;
    for (const [url, start, end] of realm.resources) {
      const file = new URL(url).pathname.split('/').pop();
      const key = file.endsWith('.wasm') ? 'wasm' : file.endsWith('.pack') ? 'pack' : null;
      if (key) { out[`${key} fetch start`] ??= start + offset; out[`${key} received`] ??= end + offset; }
      else if (scripts) { out[`script requested: ${file}`] = start + offset; out[`script received: ${file}`] = end + offset; }
    }
  };
  add(main, 0);
  for (const worker of page.workers()) {
    const w = await worker.evaluate(read);
    out['worker created'] = w.origin - main.origin;
    add(w, w.origin - main.origin);
  }
  return out;
}

/**
 * Loads the first-shelf page `runs` times, each in a fresh context; resolves to
 * [{ shelfMs, initMs, personalized, items, phases, spans }]. Console warnings and errors go to
 * `problems`.
 */
export async function firstShelf({ browser, origin, pack, runs, problems = [], page = '/bench/first-shelf.html', scripts = false }) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const p = await context.newPage();
    p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    await p.goto(`${origin}${page}?pack=/build/bench/${pack}.pack`);
    await p.waitForFunction(() => window.firstShelf !== undefined, null, { timeout: 60_000 });
    const r = await p.evaluate(() => window.firstShelf);
    const marks = await phases(p, scripts);
    marks.rendered = r.shelfMs;
    const spans = {};
    for (const [name, from, to] of SPANS) {
      if (marks[to] !== undefined && (from === null || marks[from] !== undefined)) spans[name] = marks[to] - (from === null ? 0 : marks[from]);
    }
    results.push({ ...r, phases: marks, spans });
    await context.close();
  }
  return results;
}

/** Spans between two phases ([name, from, to]; from null = navigation start). */
const SPANS = [
  ['page modules', null, 'page-modules-loaded'],
  ['worker start and modules', 'worker created', 'worker-loaded'],
  ['wasm fetch and compile', 'wasm fetch start', 'wasm-compiled'],
  ['pack fetch', 'pack fetch start', 'pack-fetched'],
  ['open → instantiated', 'open', 'wasm-instantiated'],
  ['pack open', 'wasm-instantiated', 'pack-opened'],
  ['pack opened → init resolved', 'pack-opened', 'init-resolved'],
  ['track', 'init-resolved', 'tracked'],
  ['shelf', 'tracked', 'shelf-received'],
  ['render', 'shelf-received', 'rendered'],
];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

function summary(results, field) {
  const names = [...new Set(results.flatMap((r) => Object.keys(r[field])))];
  return names.map((name) => {
    const xs = results.map((r) => r[field][name]).filter((x) => x !== undefined);
    return { name, median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  });
}

/**
 * The breakdown: each phase's median, min and max over the runs (ms since navigation start, in
 * median order), then the median of each span (its own per-run difference, so not the
 * difference of the phase medians).
 */
export function phaseTable(results) {
  return { phases: summary(results, 'phases').sort((a, b) => a.median - b.median), spans: summary(results, 'spans') };
}

/** The breakdown as text lines. */
export function formatTable({ phases, spans }) {
  const line = (row) => `${row.name.padEnd(30)} ${row.median.toFixed(1).padStart(7)}  (${row.min.toFixed(1)}–${row.max.toFixed(1)})`;
  return ['phase (ms since navigation start)', ...phases.map(line), 'span (ms)', ...spans.map(line)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1] : fallback);
  const { server, origin } = await serveRepository();
  const browser = await launchBrowser();
  const problems = [];
  try {
    const pages = arg('pages', '/bench/first-shelf.html').split(',');
    const options = { browser, origin, pack: arg('pack', 'n100000-d64'), runs: 1, problems, scripts: process.argv.includes('--scripts') };
    await firstShelf({ ...options, page: pages[0], problems: [] });
    const byPage = pages.map(() => []);
    for (let i = 0; i < Number(arg('runs', 5)); i++) {
      for (const [j, page] of pages.entries()) byPage[j].push(...await firstShelf({ ...options, page }));
    }
    for (const [j, results] of byPage.entries()) {
      console.log(`== ${pages[j]}`);
      for (const line of formatTable(phaseTable(results))) console.log(line);
      console.log(`runs: ${results.map((r) => r.shelfMs.toFixed(1)).join(', ')}; personalized: ${results.every((r) => r.personalized)}`);
    }
    if (problems.length) console.log(`console problems: ${problems.join(' | ')}`);
  } finally {
    await browser.close();
    server.close();
  }
}
