// Replays an evaluation split through the public JS API in headless Chromium, as a shop's page
// would: init({ pack }), then per shopper clearEvents(), track() of each past event with its ts,
// and shelf(kind, { k, now }). Used by tests/e2e/replay.test.mjs (lists equal `shelfwise
// recommend`'s) and scripts/quality-browser.mjs (Recall@K / NDCG@K measured in the browser).
//
// The split is `shelfwise eval --split-date DATE --export DIR` on the shared Online Retail file
// (src/build/eval_export.rs documents the files), kept under target/replay/<date>/ and made
// again when the release binary or the data file changes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve, STRICT_CSP } from './serve.mjs';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BIN = path.join(ROOT, 'target/release/shelfwise');
export const DATA = path.resolve(ROOT, '../shared/data/online-retail/online_retail_2010-12_2011-09.csv.gz');
/** Where the page asks for the replay's files (served by page.route, never from disk). */
const PREFIX = '/__replay__/';

/** Is the shared data here (the tests skip without it)? */
export function haveSharedData() {
  return fs.existsSync(DATA);
}

/** What an export was made from: the binary and the data file (size and modification time). */
function stampOf(split) {
  const of = (file) => {
    const s = fs.statSync(file);
    return { file, size: s.size, mtimeMs: s.mtimeMs };
  };
  return JSON.stringify({ split, bin: of(BIN), data: of(DATA) });
}

/**
 * The export of split `split` (YYYY-MM-DD) under target/replay/, made with the release binary
 * unless a copy made by the same binary from the same data is there. Returns its folder.
 */
export function ensureExport(split, { log = () => {} } = {}) {
  if (!fs.existsSync(BIN)) throw new Error(`${path.relative(ROOT, BIN)} is missing: run scripts/demo-pack.sh (or cargo build --release --features cli) first`);
  if (!haveSharedData()) throw new Error(`${DATA} is missing`);
  const dir = path.join(ROOT, 'target/replay', split);
  const stampFile = path.join(dir, 'stamp.json');
  const stamp = stampOf(split);
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return dir;
  log(`exporting split ${split} to ${path.relative(ROOT, dir)} (shelfwise eval --export)`);
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(BIN, ['eval', '--events', DATA, '--split-date', split, '--export', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  fs.writeFileSync(stampFile, stamp);
  return dir;
}

function readJsonl(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** The export's files: { dir, split (split.json), histories, truths (same order), pack (bytes) }. */
export function readExport(dir) {
  const split = JSON.parse(fs.readFileSync(path.join(dir, 'split.json'), 'utf8'));
  const histories = readJsonl(path.join(dir, 'shoppers.jsonl'));
  const truths = readJsonl(path.join(dir, 'truth.jsonl'));
  if (histories.length !== split.shoppers || truths.length !== split.shoppers) {
    throw new Error(`${dir}: ${histories.length} histories and ${truths.length} truths for ${split.shoppers} shoppers`);
  }
  return { dir, split, histories, truths, pack: fs.readFileSync(path.join(dir, 'train.pack')) };
}

/** `shelfwise recommend --as-of` over `historiesFile` for one shelf: one { shopper, items } per line. */
export function recommend({ dir, historiesFile, kind, k, asOf }) {
  const out = path.join(dir, `recommend-${kind}-${path.basename(historiesFile)}`);
  execFileSync(BIN, [
    'recommend', '--pack', path.join(dir, 'train.pack'), '--histories', historiesFile,
    '--shelf', kind, '--k', String(k), '--as-of', String(asOf), '--out', out,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readJsonl(out);
}

/**
 * Starts the static server (www/, strict CSP) and headless Chromium, and opens a page of the
 * shop's origin whose `pack` is served at /__replay__/train.pack. Returns { page, close }.
 */
export async function openReplayPage(pack) {
  const wasm = path.join(ROOT, 'www/shelfwise/wasm/shelfwise_bg.wasm');
  if (!fs.existsSync(wasm)) throw new Error(`${path.relative(ROOT, wasm)} is missing: run scripts/build-wasm.sh first`);
  const { server, url } = await serve({ root: path.join(ROOT, 'www'), port: 0, host: '127.0.0.1', csp: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    headless: true,
  });
  const close = async () => {
    await browser.close();
    server.closeAllConnections?.();
    await new Promise((done) => server.close(() => done()));
  };
  try {
    const page = await browser.newPage();
    const origin = new URL(url).origin;
    await page.route(`${origin}${PREFIX}**`, (route) => {
      const name = new URL(route.request().url()).pathname.slice(PREFIX.length);
      const headers = { 'content-security-policy': STRICT_CSP, 'cache-control': 'no-cache' };
      if (name === 'page.html') {
        return route.fulfill({ status: 200, headers, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>replay</title>' });
      }
      if (name === 'train.pack') return route.fulfill({ status: 200, headers, contentType: 'application/octet-stream', body: pack });
      return route.fulfill({ status: 404, headers, contentType: 'text/plain', body: 'not found' });
    });
    await page.goto(`${origin}${PREFIX}page.html`);
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Replays `histories` (shoppers.jsonl lines) on `page` through the public API and returns
 * { wasm: init()'s info.wasm (which core ran), results: per shopper in order, { shopper,
 * shelves: { [kind]: [item ids] } } for each of `kinds`, ranked with { k, now: the line's now } }.
 * Works in chunks of `chunk` shoppers (onChunk(done) after each); the first call runs
 * init({ pack, ...init }) (e.g. init = { wasm: url } picks the core).
 */
export async function replay(page, histories, { kinds, k, init: initOptions = {}, chunk = 100, onChunk = () => {} }) {
  const out = [];
  let wasm = null;
  for (let start = 0; start < histories.length; start += chunk) {
    const lines = histories.slice(start, start + chunk);
    const got = await page.evaluate(async ({ lines, kinds, k, pack, initOptions }) => {
      const { init } = await import('/shelfwise/index.js');
      window.replayShelfwise ??= await init({ pack, ...initOptions });
      const sw = window.replayShelfwise;
      const results = [];
      for (const { shopper, now, events } of lines) {
        await sw.clearEvents();
        // Sent in order without waiting for each: the worker handles its messages in order.
        await Promise.all(events.map(({ type, item, ts, qty }) => sw.track({ type, item, ts, qty })));
        const shelves = {};
        for (const kind of kinds) shelves[kind] = (await sw.shelf(kind, { k, now })).items.map((i) => i.id);
        results.push({ shopper, shelves });
      }
      return { wasm: sw.info.wasm, results };
    }, { lines, kinds, k, pack: `${PREFIX}train.pack`, initOptions });
    wasm = got.wasm;
    out.push(...got.results);
    onChunk(out.length);
  }
  return { wasm, results: out };
}

/** Recall@K = hits / |truth|; NDCG@K binary, ideal over min(|truth|, K) (as `shelfwise eval`). */
export function recallAndNdcg(ranked, truth, k) {
  const relevant = new Set(truth);
  const gain = (r) => 1 / Math.log2(r + 2);
  let hits = 0;
  let dcg = 0;
  ranked.slice(0, k).forEach((id, r) => {
    if (relevant.has(id)) {
      hits += 1;
      dcg += gain(r);
    }
  });
  let ideal = 0;
  for (let r = 0; r < Math.min(relevant.size, k); r += 1) ideal += gain(r);
  return { recall: relevant.size ? hits / relevant.size : 0, ndcg: ideal ? dcg / ideal : 0 };
}
