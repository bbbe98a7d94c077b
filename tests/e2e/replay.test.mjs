// The shelf a shopper sees is the shelf `shelfwise recommend` ranks (issue #14): real shoppers
// of the shared Online Retail file, split 2011-07-01, are replayed through the public JS API in
// headless Chromium (init({ pack }), per shopper clearEvents(), track() of each past event with
// its ts, shelf('for-you' | 'discovery', { k: 20, now })) and every list must equal
// `shelfwise recommend --as-of`'s on the same histories, ids and order, with the wasm core
// init() picks and with the SIMD128 core.
//
// The split is eval's own (`shelfwise eval --export`, cached under target/replay/, see
// scripts/replay.mjs). Needs the release binary (scripts/demo-pack.sh) and the wasm
// (scripts/build-wasm.sh); skipped when ../shared is missing.
//
//   node --test tests/e2e/replay.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ensureExport, haveSharedData, openReplayPage, readExport, recommend, replay } from '../../scripts/replay.mjs';

const SPLIT = '2011-07-01';
const K = 20;
const KINDS = ['for-you', 'discovery'];
/** Shoppers replayed: evenly spread over the split's shoppers (sorted by id). */
const SHOPPERS = 300;
/** The wasm cores replayed: the one init() picks (relaxed SIMD in this Chromium), and SIMD128. */
const CORES = [
  { name: 'default core', init: {}, ran: (wasm) => wasm?.variant === 'relaxed-simd' || wasm?.variant === 'simd128' },
  { name: 'simd128 core', init: { wasm: '/shelfwise/wasm/shelfwise_bg.wasm' }, ran: (wasm) => wasm?.url?.endsWith('/shelfwise_bg.wasm') },
];

test(`${SHOPPERS} shoppers of split ${SPLIT} get in Chromium exactly the shelves shelfwise recommend ranks`,
  { skip: !haveSharedData() && '../shared/data/online-retail is missing' }, async () => {
    const { dir, split, histories } = readExport(ensureExport(SPLIT, { log: console.log }));
    assert.ok(histories.length >= SHOPPERS, `the split has ${histories.length} shoppers`);
    const step = histories.length / SHOPPERS;
    const sample = Array.from({ length: SHOPPERS }, (_, i) => histories[Math.floor(i * step)]);
    assert.equal(new Set(sample.map((h) => h.shopper)).size, SHOPPERS);
    assert.ok(sample.every((h) => h.now === split.splitMs && h.events.length > 0));
    const historiesFile = path.join(dir, `sample-${SHOPPERS}.jsonl`);
    fs.writeFileSync(historiesFile, sample.map((h) => JSON.stringify(h)).join('\n') + '\n');

    const native = Object.fromEntries(KINDS.map((kind) => [kind, recommend({ dir, historiesFile, kind, k: K, asOf: split.splitMs })]));
    const pack = fs.readFileSync(path.join(dir, 'train.pack'));
    for (const core of CORES) {
      const { page, close } = await openReplayPage(pack);
      let browser;
      let wasm;
      try {
        ({ results: browser, wasm } = await replay(page, sample, { kinds: KINDS, k: K, init: core.init }));
      } finally {
        await close();
      }
      assert.ok(core.ran(wasm), `${core.name}: init() loaded ${JSON.stringify(wasm)}`);
      assert.equal(browser.length, SHOPPERS);
      for (const kind of KINDS) {
        assert.equal(native[kind].length, SHOPPERS, `${kind}: one recommend line per shopper`);
        for (const [i, got] of browser.entries()) {
          const want = native[kind][i];
          const where = `${core.name}, ${kind}, shopper ${want.shopper}`;
          assert.equal(want.shopper, got.shopper, `${where}: line ${i + 1}`);
          assert.equal(want.error, undefined, `${where}: ${JSON.stringify(want.error)}`);
          assert.equal(got.shelves[kind].length, K, `${where}: a full shelf`);
          assert.deepEqual(got.shelves[kind], want.items, `${where}: browser and recommend differ`);
        }
      }
    }
  });
