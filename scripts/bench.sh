#!/usr/bin/env bash
# `npm run bench`: the speed benchmark (not a test; it prints figures and asserts nothing).
#   1. builds both wasm cores (SIMD128, and SIMD128 + relaxed SIMD) with scripts/build-wasm.sh;
#   2. writes synthetic packs of 10k, 100k, 1M items at d = 64 and 128 into build/bench/
#      (benches/native.rs gen; kept between runs);
#   3. times the same engine and kernel natively (benches/native.rs run, -C target-cpu=native),
#      and one plain read of the codes (what memory alone costs), into build/bench/native.jsonl;
#   4. runs bench/run.mjs: headless Chromium, one worker per configuration, Shelfwise vs plain
#      JS vs voy-search, pack open, memory, profile updates, page load to the first shelf.
# Prints one `bench:` line per configuration; full results go to bench/results.json.
#   bash scripts/bench.sh [--smoke] [--out FILE]
#     --smoke: 10k × 64 only, results in build/bench/smoke.json; --out: where the JSON goes.
#     BENCH_SIZES and BENCH_DIMS (comma lists, e.g. BENCH_SIZES=100000 BENCH_DIMS=64) pick the
#     configurations (native and browser alike).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
load_toolchain
smoke=0
run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; run_args+=(--smoke) ;;
    --out) run_args+=(--out "$2"); shift ;;
    *) echo "usage: bash scripts/bench.sh [--smoke] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$smoke" = 1 ]; then sizes="10000"; dims="64"; else sizes="10000 100000 1000000"; dims="64 128"; fi
sizes="${BENCH_SIZES:-$sizes}"; sizes="${sizes//,/ }"
dims="${BENCH_DIMS:-$dims}"; dims="${dims//,/ }"

bash scripts/build-wasm.sh
native() {
  CARGO_TARGET_DIR="$ROOT/target/bench-native" RUSTFLAGS="-C target-cpu=native" \
    cargo bench --quiet --bench native -- "$@"
}
mkdir -p build/bench
for n in $sizes; do
  for d in $dims; do
    if [ ! -f "build/bench/n$n-d$d.pack" ] || [ ! -f "build/bench/n$n-d$d.vec" ]; then
      log "generating build/bench/n$n-d$d.pack"
      native gen --n "$n" --d "$d" --out build/bench >/dev/null
    fi
  done
done
log "native timings (target-cpu=native)"
: > build/bench/native.jsonl
for n in $sizes; do
  case "$n" in 10000) reps=300 ;; 100000) reps=100 ;; *) reps=30 ;; esac
  for d in $dims; do
    native run --pack "build/bench/n$n-d$d.pack" --reps "$reps" | grep '^{' >> build/bench/native.jsonl
  done
done
log "browser (headless Chromium)"
CHROMIUM="$CHROMIUM" BENCH_SIZES="${sizes// /,}" BENCH_DIMS="${dims// /,}" node bench/run.mjs ${run_args[@]+"${run_args[@]}"}
