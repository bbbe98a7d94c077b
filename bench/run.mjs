// `npm run bench` (via scripts/bench.sh, which builds the wasm, generates the packs and runs the
// native side first): headless Chromium on loopback, one fresh module worker per
// configuration. Prints one `bench:` line per configuration and writes the full results to
// bench/results.json (or the path in --out). A benchmark, not a test: it asserts nothing.
//   node bench/run.mjs [--smoke] [--out FILE]
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../tests/e2e/helpers.mjs';
import { firstShelf, formatTable, phaseTable, serveRepository } from './first-shelf.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const outFile = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : path.join(ROOT, smoke ? 'build/bench/smoke.json' : 'bench/results.json');
const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : smoke ? [10_000] : [10_000, 100_000, 1_000_000];
const DIMS = process.env.BENCH_DIMS ? process.env.BENCH_DIMS.split(',').map(Number) : smoke ? [64] : [64, 128];
const REPS = { 10_000: 300, 100_000: 100, 1_000_000: 30 };
const FIRST_SHELF_RUNS = smoke ? 1 : 5;
const VOY_MAX_BYTES = 1.5 * 2 ** 30;

function readNative() {
  const file = path.join(ROOT, 'build/bench/native.jsonl');
  const byConfig = new Map();
  if (!fs.existsSync(file)) return byConfig;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    byConfig.set(`${r.n}x${r.d}`, r);
  }
  return byConfig;
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  return { cpu, cores: os.cpus().length, memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1), os: `${os.type()} ${os.release()}`, node: process.version };
}

const f = (x, digits = 3) => (x === undefined || x === null || Number.isNaN(x) ? 'NA' : x.toFixed(digits));

const wasmSize = (file) => {
  const bytes = fs.readFileSync(path.join(ROOT, 'www/shelfwise/wasm', file));
  return { raw_bytes: bytes.length, gzip_bytes: zlib.gzipSync(bytes, { level: 9 }).length };
};
const results = {
  date: new Date().toISOString(),
  machine: machine(),
  wasm: { simd128: wasmSize('shelfwise_bg.wasm'), 'relaxed-simd': wasmSize('shelfwise_relaxed_bg.wasm') },
  method: 'medians and p95 over timed calls after warm-up, performance.now() inside a dedicated module worker of a cross-origin-isolated page; one fresh worker per configuration; k = 20; the bench shopper has 20 view events',
  configs: [],
};
const native = readNative();
const { server, origin } = await serveRepository();
const browser = await launchBrowser();
results.machine.chromium = browser.version();
try {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  await page.goto(`${origin}/bench/page.html`);
  await page.waitForFunction(() => window.benchReady === true);
  if (!(await page.evaluate(() => self.crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated');
  // The build the shell would pick here (relaxed SIMD where WebAssembly.validate accepts a
  // relaxed instruction), timed with every baseline; then the other build, shelf only.
  const relaxed = await page.evaluate(async () => (await import('/www/shelfwise/loader.js')).relaxedSimdSupported());
  const builds = relaxed ? ['relaxed-simd', 'simd128'] : ['simd128'];
  results.builds = builds;
  for (const n of SIZES) {
    for (const d of DIMS) {
      const name = `n${n}-d${d}`;
      const runs = [];
      for (const [i, build] of builds.entries()) {
        const answer = await page.evaluate((config) => window.benchConfig(config),
          { name, reps: REPS[n], voy: true, voyMaxBytes: VOY_MAX_BYTES, build, baselines: i === 0 });
        if (!answer.ok) throw new Error(`${name} (${build}): ${answer.error}`);
        if (answer.result.kernel_path !== build) throw new Error(`${name}: asked for ${build}, the kernel says ${answer.result.kernel_path}`);
        runs.push(answer.result);
      }
      const r = runs[0];
      r.other_builds = runs.slice(1).map((o) => ({ build: o.build, shelfwise: o.shelfwise, shelfwise_k1: o.shelfwise_k1,
        shelfwise_cold: o.shelfwise_cold, open_ms: o.open_ms, same_items: JSON.stringify(o.shelfwise_ids) === JSON.stringify(r.shelfwise_ids) }));
      const nat = native.get(`${n}x${d}`);
      r.native = nat ?? null;
      const shelfwiseMs = r.shelfwise.median;
      const voyMs = r.voy?.median;
      const simd128 = runs.find((o) => o.build === 'simd128');
      r.summary = {
        build: r.build, shelfwise_ms: shelfwiseMs, shelfwise_p95_ms: r.shelfwise.p95, simd128_ms: simd128.shelfwise.median,
        js_ms: r.js.median, js_sort_ms: r.js_sort.median, voy_ms: voyMs ?? null, native_ms: nat?.native_ms ?? null,
        js_ratio: r.js.median / shelfwiseMs, js_sort_ratio: r.js_sort.median / shelfwiseMs,
        native_ratio: nat ? shelfwiseMs / nat.native_ms : null,
      };
      results.configs.push(r);
      console.log(`bench: n=${n} d=${d} shelfwise_ms=${f(shelfwiseMs)} js_ms=${f(r.js.median)} voy_ms=${f(voyMs)} native_ms=${f(nat?.native_ms)} js_ratio=${f(r.summary.js_ratio, 1)} native_ratio=${f(r.summary.native_ratio, 2)}`);
      console.log(`  build=${r.build} p95=${f(r.shelfwise.p95)} k1_ms=${f(r.shelfwise_k1.median)} cold_ms=${f(r.shelfwise_cold.median)} simd128_ms=${f(simd128.shelfwise.median)} simd128_k1_ms=${f(simd128.shelfwise_k1.median)} builds_agree=${r.other_builds.every((o) => o.same_items)} native_kernel_ms=${f(nat?.native_kernel_ms)} native_stream_ms=${f(nat?.native_stream_ms)} js_sort_ms=${f(r.js_sort.median)} (ratio ${f(r.summary.js_sort_ratio, 1)}) open_ms=${f(r.open_ms, 1)} fetch_ms=${f(r.fetch_ms, 1)} pack_B/item=${f(r.pack_bytes_per_item, 1)} wasm_mem_MiB=${f(r.wasm_memory_after_load_bytes / 2 ** 20, 1)} profile_update_us/event=${f(r.profile_update_us_per_event)} (track ${f(r.track_us_per_event)} + rebuild ${f(r.profile_us_per_event)}) js_overlap@20=${r.js_overlap_at_20}${r.voy?.skipped ? ' voy: skipped' : r.voy?.failed ? ` voy failed: ${r.voy.failed}` : ` voy_build_ms=${f(r.voy?.build_ms, 0)}`}`);
    }
  }

  // Page load to the first personalized shelf, loopback, 100k × 64 (or the first configuration
  // when that one is not run, as in smoke mode), phase by phase.
  const firstPack = SIZES.includes(100_000) && DIMS.includes(64) ? 'n100000-d64' : `n${SIZES[0]}-d${DIMS[0]}`;
  const runs = await firstShelf({ browser, origin, pack: firstPack, runs: FIRST_SHELF_RUNS, problems });
  const shelfMs = runs.map((r) => r.shelfMs).sort((a, b) => a - b);
  results.first_shelf = { pack: firstPack, runs, median_ms: shelfMs[Math.floor(shelfMs.length / 2)], breakdown: phaseTable(runs) };
  results.console_problems = problems;
  console.log(`bench: first personalized shelf (${firstPack}, loopback, fresh context) median_ms=${f(results.first_shelf.median_ms, 1)} runs=${runs.map((r) => f(r.shelfMs, 1)).join(',')} personalized=${runs.every((r) => r.personalized)}`);
  for (const line of formatTable(results.first_shelf.breakdown)) console.log(`  ${line}`);
  for (const [build, size] of Object.entries(results.wasm)) console.log(`bench: wasm build=${build} raw_bytes=${size.raw_bytes} gzip_bytes=${size.gzip_bytes}`);
  if (problems.length) console.log(`bench: console problems: ${problems.join(' | ')}`);
} finally {
  await browser.close();
  server.close();
}
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`bench: full results in ${path.relative(ROOT, outFile)}`);
