#!/usr/bin/env bash
# Builds the wasm core (release) twice from the same source into www/shelfwise/wasm/:
#   shelfwise_bg.wasm          -C target-feature=+simd128
#   shelfwise_relaxed_bg.wasm  -C target-feature=+simd128,+relaxed-simd
# each in its own cargo target folder (scripts/lib.sh), through wasm-bindgen (--target web) and
# wasm-opt from npm's binaryen, and one wasm-bindgen glue, shelfwise.js, which must come out
# byte-identical for both (the script stops if it does not). Prints raw and gzip sizes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
load_toolchain
# The shipped builds: std from source with panic=immediate-abort (scripts/lib.sh).
export WASM_SHIP=1
cd "$ROOT"

# wasm-opt flags of both builds (the relaxed build adds --enable-relaxed-simd). -O3 for speed
# (-Os/-Oz save under 0.3 KB gzip here); --low-memory-unused lets it fold address constants into
# load/store offsets (Rust's stack-first layout never uses the low 1 KB unless the 1 MB stack
# overflows); the two --strip flags drop metadata sections no runtime reads.
WASM_OPT_FLAGS=(-O3 --low-memory-unused --strip-producers --strip-target-features --enable-simd --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types)

# The file each variant ships as.
wasm_file() { if [ "$1" = simd128 ]; then echo shelfwise_bg.wasm; else echo "shelfwise_$1_bg.wasm"; fi; }

out="$ROOT/www/shelfwise/wasm"
bindgen="$ROOT/build/wasm-bindgen"
rm -rf "$out" "$bindgen"; mkdir -p "$out"
for variant in $WASM_VARIANTS; do
  log "cargo build (wasm32, release, $(wasm_features "$variant"), $WASM_MODE)"
  wasm_cargo "$variant" build --release --lib --quiet
  wasm-bindgen --target web --no-typescript --out-dir "$bindgen/$variant" \
    "$(wasm_target_dir "$variant")/wasm32-unknown-unknown/release/shelfwise.wasm"
  file="$out/$(wasm_file "$variant")"
  if [ -x "$ROOT/node_modules/.bin/wasm-opt" ]; then
    extra=()
    if [ "$variant" = relaxed ]; then extra=(--enable-relaxed-simd); fi
    wasm-opt "${WASM_OPT_FLAGS[@]}" "${extra[@]}" "$bindgen/$variant/shelfwise_bg.wasm" -o "$file"
  else
    log "wasm-opt not found (npm binaryen): skipping optimization"
    cp "$bindgen/$variant/shelfwise_bg.wasm" "$file"
  fi
done

# One glue for both: it names no build-specific export, import or file (the shell passes the
# compiled module it chose to the glue's init).
for variant in $WASM_VARIANTS; do
  if ! cmp -s "$bindgen/simd128/shelfwise.js" "$bindgen/$variant/shelfwise.js"; then
    log "the wasm-bindgen glue of the $variant build differs from the simd128 build's:"
    diff "$bindgen/simd128/shelfwise.js" "$bindgen/$variant/shelfwise.js" | head -20 >&2 || true
    exit 1
  fi
done
cp "$bindgen/simd128/shelfwise.js" "$out/shelfwise.js"

# The size gate: every shop's visitors download the core, so growth past the budget stops the
# build (and CI) until it is made deliberately, with the budget raised here and the reason in
# docs/PERFORMANCE.md ("The wasm size"). 2026-12-07: 223,725 B (simd128) and 224,289 B (relaxed).
WASM_GZIP_BUDGET="${WASM_GZIP_BUDGET:-240000}"
for variant in $WASM_VARIANTS; do
  file="$out/$(wasm_file "$variant")"
  gz=$(gzip -9 -c "$file" | wc -c)
  log "www/shelfwise/wasm/$(basename "$file"): $(wc -c < "$file") bytes raw, $gz bytes gzip (budget $WASM_GZIP_BUDGET)"
  if [ "$gz" -gt "$WASM_GZIP_BUDGET" ]; then
    log "www/shelfwise/wasm/$(basename "$file") is $gz bytes gzip, over the budget of $WASM_GZIP_BUDGET (scripts/build-wasm.sh)"
    exit 1
  fi
done
