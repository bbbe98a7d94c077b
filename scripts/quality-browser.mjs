// `npm run quality`: the recommendation quality measured in the browser, on the path a shop runs.
// For each split, every shopper `shelfwise eval` evaluates is replayed through the public JS API
// in headless Chromium (scripts/replay.mjs: init({ pack }), clearEvents(), track() of each past
// event, shelf(kind, { k, now: the split })), and the shelves are scored against what the
// shopper bought from the split on: Recall@K and NDCG@K for for-you (every shopper) and
// discovery (shoppers who bought something new), as `shelfwise eval` defines them.
// A measurement, not a test: it prints figures and asserts nothing, except with --check-eval,
// which also runs `shelfwise eval --json` on the same split and exits 1 unless its `shelfwise`
// row is the same to 1e-9.
//
//   node scripts/quality-browser.mjs [--split 2011-07-01 ...] [--k 20] [--check-eval]
// Needs ../shared/data/online-retail, the release binary (scripts/demo-pack.sh) and the wasm
// (scripts/build-wasm.sh). Splits default to 2011-05-01 and 2011-07-01.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, DATA, ROOT, ensureExport, haveSharedData, openReplayPage, readExport, recallAndNdcg, replay } from './replay.mjs';

const KINDS = ['for-you', 'discovery'];

function options(argv) {
  const splits = [];
  let k = 20;
  let checkEval = false;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--split') splits.push(argv[++i]);
    else if (argv[i] === '--k') k = Number(argv[++i]);
    else if (argv[i] === '--check-eval') checkEval = true;
    else throw new Error(`unknown argument ${argv[i]}; usage: node scripts/quality-browser.mjs [--split YYYY-MM-DD ...] [--k 20] [--check-eval]`);
  }
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new Error(`--k must be a whole number from 1 to 1000, not ${k}`);
  for (const s of splits) if (!/^\d{4}-\d{2}-\d{2}$/.test(s ?? '')) throw new Error(`--split must be a date like 2011-07-01, not ${s}`);
  return { splits: splits.length ? splits : ['2011-05-01', '2011-07-01'], k, checkEval };
}

/** Mean Recall@K and NDCG@K of one shelf over the shoppers whose `task` truth is not empty. */
function score(results, truths, kind, task, k) {
  let [recall, ndcg, shoppers] = [0, 0, 0];
  for (const [i, r] of results.entries()) {
    const truth = truths[i][task];
    if (truth.length === 0) continue;
    const m = recallAndNdcg(r.shelves[kind], truth, k);
    recall += m.recall;
    ndcg += m.ndcg;
    shoppers += 1;
  }
  return { recall: shoppers ? recall / shoppers : 0, ndcg: shoppers ? ndcg / shoppers : 0, shoppers };
}

/** `shelfwise eval --json` on the same split: its `shelfwise` row. */
function evalRow(split, k) {
  const json = path.join(ROOT, 'target/replay', split, `eval-k${k}.json`);
  execFileSync(BIN, ['eval', '--events', DATA, '--split-date', split, '--k', String(k), '--json', json], { stdio: ['ignore', 'ignore', 'inherit'] });
  const row = JSON.parse(fs.readFileSync(json, 'utf8')).rankers.find((r) => r.ranker === 'shelfwise');
  return { 'for-you': row.forYou, discovery: row.discovery };
}

async function measure(split, k, checkEval) {
  const { split: summary, histories, truths, pack } = readExport(ensureExport(split, { log: console.error }));
  const started = performance.now();
  const { page, close } = await openReplayPage(pack);
  let results;
  let wasm;
  try {
    ({ results, wasm } = await replay(page, histories, {
      kinds: KINDS, k, onChunk: (done) => process.stderr.write(`\r${split}: ${done} / ${histories.length} shoppers replayed`),
    }));
  } finally {
    await close();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write('\n');
  const measured = { 'for-you': score(results, truths, 'for-you', 'forYou', k), discovery: score(results, truths, 'discovery', 'discovery', k) };
  console.error(`${split}: replayed in ${seconds.toFixed(1)} s (a progress note, not a benchmark)`);
  console.log(`split ${split}: ${summary.shoppers} shoppers replayed (${summary.historyEvents} events tracked), K = ${k}, wasm core ${wasm?.variant}`);
  console.log(`  shelf        shoppers  Recall@${k}  NDCG@${k}`);
  for (const kind of KINDS) {
    const m = measured[kind];
    console.log(`  ${kind.padEnd(11)} ${String(m.shoppers).padStart(9)}  ${m.recall.toFixed(4).padStart(9)}  ${m.ndcg.toFixed(4).padStart(7)}`);
  }
  if (!checkEval) return true;
  const row = evalRow(split, k);
  let same = true;
  for (const kind of KINDS) {
    const [a, b] = [measured[kind], row[kind]];
    const ok = a.shoppers === b.shoppers && Math.abs(a.recall - b.recall) < 1e-9 && Math.abs(a.ndcg - b.ndcg) < 1e-9;
    same &&= ok;
    console.log(`  ${kind}: shelfwise eval gives ${b.recall.toFixed(4)} / ${b.ndcg.toFixed(4)} over ${b.shoppers} shoppers: ${ok ? 'the same' : 'DIFFERENT'}`);
  }
  return same;
}

let parsed;
try {
  parsed = options(process.argv.slice(2));
} catch (error) {
  console.error(`quality: ${error.message}`);
  process.exit(2);
}
const { splits, k, checkEval } = parsed;
if (!haveSharedData()) {
  console.error(`quality: ${DATA} is missing; the browser measurement needs the shared Online Retail file`);
  process.exit(2);
}
let same = true;
for (const split of splits) same = (await measure(split, k, checkEval)) && same;
process.exit(same ? 0 : 1);
