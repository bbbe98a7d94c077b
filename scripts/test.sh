#!/usr/bin/env bash
# The README's second command: every test. Installs what is missing first (scripts/setup.sh).
#   0. cargo fmt --check, clippy with warnings as errors (native with every target, and wasm), and
#      cargo doc with warnings as errors (broken intra-doc links)
#   1. native unit + integration tests (core, pack format, builder, CLI; real data if ../shared exists),
#      and the kernel's x86 SIMD paths built for this CPU
#   2. the wasm build (both variants), then wasm-bindgen-test in headless Chromium, once per
#      variant (SIMD128, and SIMD128 + relaxed SIMD, each in its own target folder)
#   3. TypeScript declarations type-check
#   4. Playwright end-to-end tests of the demo shop in Debian's Chromium
#   5. the packed npm package installed into a fresh Vite app, built and opened in Chromium;
#      docs/API.md snippets parse and import only what the package exports
#   6. the PySpark example (examples/spark/) end to end, when Java and pyspark are present
#      (else one "skipped: …" line)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup.sh
load_toolchain
start=$(date +%s)
# Each step logs the elapsed time and the free disk (a full disk shows up as a linker "Bus error").
step() { log "== $* ($(( $(date +%s) - start ))s, $(df -h --output=avail . | tail -1 | tr -d ' ') free)"; }

step "format and lints (cargo fmt --check; clippy -D warnings, native and wasm; cargo doc -D warnings)"
cargo fmt --check
cargo clippy --features cli --all-targets --quiet -- -D warnings
wasm_cargo simd128 clippy --lib --test wasm --quiet -- -D warnings
# Docs for newcomers include private items, so links to them are fine; broken links are not.
RUSTDOCFLAGS="-D warnings -A rustdoc::private_intra_doc_links" \
  cargo doc --no-deps --features cli --document-private-items --quiet

step "native tests"
cargo test --features cli --quiet

step "kernel SIMD paths natively (x86-64 SSE4.1, and AVX-VNNI where this CPU has it)"
if [ "$(uname -m)" = x86_64 ]; then
  CARGO_TARGET_DIR="$ROOT/target/native-sse" RUSTFLAGS="-C target-feature=+sse4.1,+ssse3" cargo test --lib --quiet kernel::
  if grep -qw avx_vnni /proc/cpuinfo 2>/dev/null; then
    CARGO_TARGET_DIR="$ROOT/target/native-vnni" RUSTFLAGS="-C target-feature=+sse4.1,+ssse3,+avxvnni" cargo test --lib --quiet kernel::
  fi
fi

step "wasm build"
bash scripts/build-wasm.sh

for variant in $WASM_VARIANTS; do
  step "wasm-bindgen tests in headless Chromium ($(wasm_features "$variant"))"
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$WASM_BINDGEN_TEST_RUNNER" CHROMEDRIVER="$CHROMEDRIVER" \
    wasm_cargo "$variant" test --test wasm
done

step "TypeScript declarations"
tsc -p tests/types/tsconfig.json

step "demo pack"
bash scripts/demo-pack.sh

step "end-to-end tests (Playwright + Chromium)"
CHROMIUM="$CHROMIUM" node --test --test-concurrency=1 tests/e2e/

step "npm package in a fresh Vite app (npm pack, install, vite build, Chromium) and API.md snippets"
CHROMIUM="$CHROMIUM" node --test tests/consumer/

step "native vs wasm parity (shelfwise recommend vs Recommender in Node, both wasm builds)"
node --test tests/parity/
# Node 20 needs a flag for relaxed SIMD; later Nodes have it on (and may not know the flag).
relaxed_flag=(); if node --experimental-wasm-relaxed-simd -e 0 >/dev/null 2>&1; then relaxed_flag=(--experimental-wasm-relaxed-simd); fi
SHELFWISE_PARITY_WASM=shelfwise_relaxed_bg.wasm node ${relaxed_flag[@]+"${relaxed_flag[@]}"} --test tests/parity/
step "PySpark example (examples/spark/: the job in local mode, a pack built from its output)"
bash scripts/spark-example.sh

step "all tests passed"
