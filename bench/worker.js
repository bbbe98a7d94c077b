// Bench worker: one configuration per worker (fresh wasm memory), driven by bench/run.mjs
// through bench/page.html. Everything is timed here, inside the worker, with performance.now()
// (the bench server sends COOP/COEP, so the page is cross-origin isolated and the timer has
// microsecond resolution). Prints nothing; posts { ok, result } or { ok: false, error }.
import initShelfwise, { Recommender, kernelPath } from '/www/shelfwise/wasm/shelfwise.js';
import * as voyGlue from '/node_modules/voy-search/voy_search_bg.js';

const NOW = 1_700_000_000_000; // the same "now" as benches/native.rs
const K = 20;
const PRIOR = 0.05; // the engine's popularity prior for personalized shelves
const HALF_LIFE_MS = 7 * 24 * 3600 * 1000;

/** The bench shopper of benches/native.rs: 20 views, one a minute, spread over the catalog. */
function benchEvents(n) {
  const events = [];
  for (let j = 0; j < 20; j++) {
    events.push({ index: (j * 7919 + 13) % n, ts: NOW - j * 60_000 });
  }
  return events;
}

const id = (i) => i.toString(16).padStart(5, '0');

function stats(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.round((sorted.length - 1) * q)];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], runs: sorted.length };
}

/** Times `fn` `reps` times after `warmup` calls (ms per call). */
function timeCalls(fn, warmup, reps) {
  for (let i = 0; i < warmup; i++) fn();
  const times = new Array(reps);
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    times[i] = performance.now() - t;
  }
  return stats(times);
}

/** The .vec sidecar: u32 n, u32 d, f32 scales[d], f32 popularity[n], i8 codes[n·d]. */
function parseVectors(buffer) {
  const view = new DataView(buffer);
  const n = view.getUint32(0, true);
  const d = view.getUint32(4, true);
  const scales = new Float32Array(buffer.slice(8, 8 + 4 * d));
  const popularity = new Float32Array(buffer.slice(8 + 4 * d, 8 + 4 * d + 4 * n));
  const codes = new Int8Array(buffer, 8 + 4 * d + 4 * n, n * d);
  const vectors = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) vectors[i * d + j] = codes[i * d + j] * scales[j];
  }
  return { n, d, popularity, vectors };
}

/** The profile's interest vector as the engine builds it (unit item vectors, decayed weights). */
function interest({ d, vectors }, events) {
  const q = new Float32Array(d);
  for (const e of events) {
    const w = Math.exp(-((NOW - e.ts) / HALF_LIFE_MS) * Math.LN2);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += vectors[e.index * d + j] ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) q[j] += (w * vectors[e.index * d + j]) / norm;
  }
  let len = 0;
  for (let j = 0; j < d; j++) len += q[j] * q[j];
  len = Math.sqrt(len);
  for (let j = 0; j < d; j++) q[j] /= len;
  return q;
}

/** Plain JS, written well: one pass of 4-accumulator dot products into a Float32Array. */
function jsScores({ n, d, vectors, popularity }, q, scores) {
  for (let i = 0, base = 0; i < n; i++, base += d) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (let j = 0; j < d; j += 4) {
      a0 += vectors[base + j] * q[j];
      a1 += vectors[base + j + 1] * q[j + 1];
      a2 += vectors[base + j + 2] * q[j + 2];
      a3 += vectors[base + j + 3] * q[j + 3];
    }
    scores[i] = a0 + a1 + a2 + a3 + PRIOR * popularity[i];
  }
}

/** Baseline A (the headline js_ms): scores, then a top-K kept by insertion behind a threshold. */
function jsTopK(data, q, scores, excluded) {
  jsScores(data, q, scores);
  const best = new Float32Array(K).fill(-Infinity);
  const items = new Int32Array(K).fill(-1);
  for (let i = 0; i < data.n; i++) {
    const s = scores[i];
    if (s <= best[K - 1] || excluded.has(i)) continue;
    let p = K - 1;
    while (p > 0 && best[p - 1] < s) {
      best[p] = best[p - 1];
      items[p] = items[p - 1];
      p--;
    }
    best[p] = s;
    items[p] = i;
  }
  return items;
}

/** Baseline B: scores, then sort every index by score (what "dot products + sort" is). */
function jsSort(data, q, scores, order, excluded) {
  jsScores(data, q, scores);
  for (let i = 0; i < data.n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const out = [];
  for (let r = 0; out.length < K && r < data.n; r++) if (!excluded.has(order[r])) out.push(order[r]);
  return out;
}

async function loadVoy() {
  const { instance } = await WebAssembly.instantiateStreaming(
    fetch('/node_modules/voy-search/voy_search_bg.wasm'), { './voy_search_bg.js': voyGlue });
  voyGlue.__wbg_set_wasm(instance.exports);
  return instance.exports.memory;
}

/** The wasm file of each build (one JS glue serves both). */
const WASM_FILES = { 'relaxed-simd': 'shelfwise_relaxed_bg.wasm', simd128: 'shelfwise_bg.wasm' };

/**
 * One configuration with one wasm build. `baselines` (plain JS, voy, profile updates) are run
 * only once per configuration, with the first build.
 */
async function run({ name, reps, voy, voyMaxBytes, build, baselines }) {
  const result = { build };
  let t = performance.now();
  const exports = await initShelfwise({ module_or_path: `/www/shelfwise/wasm/${WASM_FILES[build]}` });
  result.wasm_init_ms = performance.now() - t;
  result.kernel_path = kernelPath();
  t = performance.now();
  const [packBuf, vecBuf] = await Promise.all([
    fetch(`/build/bench/${name}.pack`).then((r) => r.arrayBuffer()),
    fetch(`/build/bench/${name}.vec`).then((r) => r.arrayBuffer()),
  ]);
  result.fetch_ms = performance.now() - t;
  result.wasm_memory_before_bytes = exports.memory.buffer.byteLength;
  t = performance.now();
  const rec = new Recommender(new Uint8Array(packBuf));
  result.open_ms = performance.now() - t;
  result.wasm_memory_after_load_bytes = exports.memory.buffer.byteLength;
  result.pack_bytes = packBuf.byteLength;
  const data = parseVectors(vecBuf);
  result.n = data.n;
  result.d = data.d;
  result.pack_bytes_per_item = packBuf.byteLength / data.n;

  const FOR_YOU = { kind: 'for-you', k: K };
  const FOR_YOU_K1 = { kind: 'for-you', k: 1 };
  // No events yet: the shelf falls back to popularity (no kernel), which shows what the shelf
  // costs around the kernel (exclusion set, popularity scan, cards to JS).
  result.shelfwise_cold = timeCalls(() => rec.shelf(FOR_YOU, NOW), 5, Math.min(reps, 50));

  // Shelfwise: the wasm Recommender's for-you shelf (profile, filter, kernel, rules, cards to
  // JS), through `shelf()`, the method the shell's `shelfwise.shelf('for-you')` calls.
  const events = benchEvents(data.n);
  for (const e of events) rec.track({ type: 'view', item: id(e.index), ts: e.ts }, NOW);
  t = performance.now();
  const first = rec.shelf(FOR_YOU, NOW);
  result.shelfwise_first_call_ms = performance.now() - t;
  result.shelfwise = timeCalls(() => rec.shelf(FOR_YOU, NOW), 10, reps);
  // The same shelf with one item: the difference is mostly the 19 more cards crossing to JS.
  result.shelfwise_k1 = timeCalls(() => rec.shelf(FOR_YOU_K1, NOW), 5, reps);
  result.shelfwise_first_item = first.items[0]?.id;
  result.shelfwise_personalized = first.personalized;
  result.wasm_memory_after_rank_bytes = exports.memory.buffer.byteLength;
  const shelfwiseIds = first.items.map((it) => it.id);
  result.shelfwise_ids = shelfwiseIds;
  if (!baselines) {
    rec.free();
    return result;
  }

  // Plain JS on the same (dequantized) vectors, same query and prior, viewed items left out
  // the way the engine leaves nothing out for views (no exclusions).
  const q = interest(data, events);
  const scores = new Float32Array(data.n);
  const none = new Set();
  const jsItems = jsTopK(data, q, scores, none);
  result.js = timeCalls(() => jsTopK(data, q, scores, none), 5, reps);
  const order = new Uint32Array(data.n);
  const sortReps = Math.max(5, Math.min(reps, Math.round(2e6 / data.n)));
  result.js_sort = timeCalls(() => jsSort(data, q, scores, order, none), 2, sortReps);
  const jsIds = Array.from(jsItems, id);
  result.js_overlap_at_20 = jsIds.filter((x) => shelfwiseIds.includes(x)).length / K;

  // Profile update per event: track() of 1000 events, and rebuilding the profile over them.
  rec.clearEvents();
  const many = [];
  for (let j = 0; j < 1000; j++) many.push({ type: 'view', item: id((j * 104_729) % data.n), ts: NOW - j * 1000 });
  t = performance.now();
  for (const e of many) rec.track(e, NOW);
  result.track_us_per_event = ((performance.now() - t) * 1000) / many.length;
  const profile = timeCalls(() => rec.profile(NOW), 3, 20);
  result.profile_us_per_event = (profile.median * 1000) / many.length;
  result.profile_update_us_per_event = result.track_us_per_event + result.profile_us_per_event;
  rec.free();

  // voy-search (k-d tree, wasm) on the same vectors. It pads every vector to 768 f32.
  if (voy) {
    const need = data.n * 768 * 4;
    if (need > voyMaxBytes) {
      result.voy = { skipped: `voy pads each vector to 768 f32 (KdTree<f32, u64, 768, …>): ${data.n} × 768 × 4 B = ${(need / 2 ** 30).toFixed(2)} GiB of wasm memory before the tree, over the ${(voyMaxBytes / 2 ** 30).toFixed(1)} GiB this bench allows a 32-bit wasm instance` };
    } else {
      try {
        const memory = await loadVoy();
        t = performance.now();
        const embeddings = [];
        for (let i = 0; i < data.n; i++) {
          embeddings.push({ id: String(i), title: '', url: '', embeddings: Array.from(data.vectors.subarray(i * data.d, (i + 1) * data.d)) });
        }
        const index = new voyGlue.Voy({ embeddings });
        const buildMs = performance.now() - t;
        embeddings.length = 0;
        const voyIds = index.search(q, K).neighbors.map((nb) => id(Number(nb.id)));
        const times = timeCalls(() => index.search(q, K), 3, Math.max(5, Math.min(reps, 30)));
        result.voy = { ...times, build_ms: buildMs, wasm_memory_bytes: memory.buffer.byteLength,
          overlap_with_js_at_20: voyIds.filter((x) => jsIds.includes(x)).length / K };
        index.free();
      } catch (error) {
        result.voy = { failed: String(error?.message ?? error) };
      }
    }
  }
  return result;
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ ok: true, result: await run(data) });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error?.stack ?? error) });
  }
};
