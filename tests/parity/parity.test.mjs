// Native vs wasm parity: `shelfwise recommend` (release CLI) and the wasm `Recommender` (the
// wasm-bindgen --target web glue, loaded in Node with initSync) must rank the same shelves for
// the same history, both through `shelf()` (Engine::shelf), the one ranking path. Needs `scripts/build-wasm.sh` and `scripts/demo-pack.sh` first
// (scripts/test.sh runs both before this step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'target/release/shelfwise');
const PACK = path.join(ROOT, 'www/demo/data/shop.pack');
const EVENTS = path.join(ROOT, 'build/demo/events.jsonl');
const WASM_DIR = path.join(ROOT, 'www/shelfwise/wasm');
// Which build of the core to compare (scripts/test.sh runs both; the relaxed-SIMD one needs
// `node --experimental-wasm-relaxed-simd` on Node 20), and the kernel path it must report.
const WASM_FILE = process.env.SHELFWISE_PARITY_WASM ?? 'shelfwise_bg.wasm';
const WASM_KERNEL = WASM_FILE.includes('relaxed') ? 'relaxed-simd' : 'simd128';
const K = 20;
// The shelves compared: both blends and two shelves of the shopper's own items.
const SHELVES = ['for-you', 'discovery', 'because-you-viewed', 'new-for-you'];
const SHOPPERS = 200;
const PER_SHOPPER = 30;

function need(file, how) {
  if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run ${how} first`);
}

/** The last PER_SHOPPER events of the first SHOPPERS shoppers of the demo shop, as history lines. */
function histories() {
  const byShopper = new Map();
  for (const line of fs.readFileSync(EVENTS, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { shopper, ...event } = JSON.parse(line);
    if (!byShopper.has(shopper)) byShopper.set(shopper, []);
    byShopper.get(shopper).push(event);
  }
  const lines = [];
  for (const [shopper, events] of byShopper) {
    if (lines.length >= SHOPPERS) break;
    lines.push({ shopper, events: events.slice(-PER_SHOPPER) });
  }
  return lines;
}

/** The event as the page would report it to the wasm: {type, item, ts (ms), qty}. */
function jsEvent(e) {
  const out = { type: e.type, ts: e.ts };
  if (e.item !== undefined) out.item = e.item;
  if (e.qty !== undefined) out.qty = e.qty;
  return out;
}

test('shelfwise recommend and the wasm Recommender rank the same shelves', async () => {
  need(BIN, 'scripts/demo-pack.sh');
  need(PACK, 'scripts/demo-pack.sh');
  need(EVENTS, 'scripts/demo-pack.sh');
  need(path.join(WASM_DIR, WASM_FILE), 'scripts/build-wasm.sh');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shelfwise-parity-'));
  try {
    const lines = histories();
    // Half the lines carry RFC 3339 times, to cover both forms the CLI reads.
    const fileLines = lines.map((h, i) =>
      i % 2 ? { ...h, events: h.events.map((e) => ({ ...e, ts: new Date(e.ts).toISOString() })) } : h,
    );
    // One line the engine must refuse on both sides.
    const bad = { shopper: 'PARITY-BAD', events: [{ type: 'view', item: 'NO-SUCH-ITEM', ts: 1_700_000_000_000 }] };
    fileLines.push(bad);
    lines.push(bad);
    const input = path.join(dir, 'histories.jsonl');
    fs.writeFileSync(input, fileLines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { initSync, Recommender, kernelPath } = await import(pathToFileURL(path.join(WASM_DIR, 'shelfwise.js')).href);
    initSync({ module: fs.readFileSync(path.join(WASM_DIR, WASM_FILE)) });
    assert.equal(kernelPath(), WASM_KERNEL, `${WASM_FILE} runs the ${WASM_KERNEL} kernel`);
    for (const shelfName of SHELVES) {
      const output = path.join(dir, `recommend-${shelfName}.jsonl`);
      execFileSync(BIN, ['recommend', '--pack', PACK, '--histories', input, '--shelf', shelfName, '--k', String(K), '--out', output], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const native = fs.readFileSync(output, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      assert.equal(native.length, lines.length, 'one output line per input line');
      const rec = new Recommender(new Uint8Array(fs.readFileSync(PACK)));
      let compared = 0;
      try {
        for (const [i, history] of lines.entries()) {
          const got = native[i];
          assert.equal(got.shopper, history.shopper, `line ${i + 1}: shopper`);
          rec.clearEvents();
          let error = null;
          for (const e of history.events) {
            try {
              rec.track(jsEvent(e), Date.now()); // the CLI tracks as of its wall clock too
            } catch (err) {
              error = err;
              break;
            }
          }
          if (error) {
            assert.equal(error.name, 'ShelfwiseError');
            assert.ok(got.error, `line ${i + 1}: the wasm refused (${error.kind}) but the CLI did not`);
            assert.equal(got.error.kind, error.kind, `line ${i + 1}: error kind`);
            assert.deepEqual(got.items, []);
            continue;
          }
          assert.equal(got.error, undefined, `line ${i + 1}: the CLI refused: ${JSON.stringify(got.error)}`);
          assert.ok(history.events.length > 0);
          const asOf = Math.max(...history.events.map((e) => e.ts));
          const shelf = rec.shelf({ kind: shelfName, k: K }, asOf);
          const ids = shelf.items.map((item) => item.id);
          assert.equal(ids.length, K, `line ${i + 1}: k items`);
          assert.deepEqual(got.items, ids, `${shelfName}, shopper ${history.shopper}: native and wasm shelves differ`);
          compared += 1;
        }
      } finally {
        rec.free();
      }
      assert.equal(native.at(-1).error?.kind, 'unknown_item');
      assert.ok(compared >= 150, `${shelfName}: only ${compared} shoppers compared`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
