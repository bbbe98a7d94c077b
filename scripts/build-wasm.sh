#!/usr/bin/env bash
# Builds the wasm core (release, SIMD128) into www/shelfwise/wasm/: wasm-bindgen --target web
# glue + the .wasm, optimized with wasm-opt from npm's binaryen. Prints raw and gzip sizes.
set -euo pipefail
# wasm-opt: -O3 (speed; -Os/-Oz save under 0.3 KB gzip here). --low-memory-unused lets it fold
# address constants into load/store offsets (Rust's stack-first layout never uses the low 1 KB
# unless the 1 MB stack overflows); the two --strip flags drop metadata sections no runtime reads.
WASM_OPT_FLAGS="-O3 --low-memory-unused --strip-producers --strip-target-features"
. "$(dirname "$0")/lib.sh"
load_toolchain
cd "$ROOT"
log "cargo build (wasm32, release, $WASM_MODE)"
wasm_cargo build --release --lib --quiet
out="$ROOT/www/shelfwise/wasm"
rm -rf "$out"; mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" "$(wasm_target_dir)/wasm32-unknown-unknown/release/shelfwise.wasm"
if [ -x "$ROOT/node_modules/.bin/wasm-opt" ]; then
  # shellcheck disable=SC2086
  wasm-opt $WASM_OPT_FLAGS --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-multivalue --enable-reference-types \
    "$out/shelfwise_bg.wasm" -o "$out/shelfwise_bg.opt.wasm"
  mv "$out/shelfwise_bg.opt.wasm" "$out/shelfwise_bg.wasm"
else
  log "wasm-opt not found (npm binaryen): skipping optimization"
fi
raw=$(wc -c < "$out/shelfwise_bg.wasm")
gz=$(gzip -9 -c "$out/shelfwise_bg.wasm" | wc -c)
log "www/shelfwise/wasm/shelfwise_bg.wasm: $raw bytes raw, $gz bytes gzip"
