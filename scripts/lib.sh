# Shared helpers for the build and test scripts (sourced, not run).
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

load_toolchain() {
  if [ ! -f "$ROOT/build/toolchain.env" ]; then bash "$ROOT/scripts/setup.sh" demo; fi
  # shellcheck disable=SC1091
  set -a; . "$ROOT/build/toolchain.env"; set +a
}

# The two builds of the wasm core, from the same source: "simd128" (every browser with wasm
# SIMD) and "relaxed" (SIMD128 + relaxed SIMD, chosen at run time where the browser has it).
WASM_VARIANTS="simd128 relaxed"

# wasm_features VARIANT: the target features of that build.
wasm_features() {
  case "$1" in
    simd128) echo "+simd128" ;;
    relaxed) echo "+simd128,+relaxed-simd" ;;
    *) log "unknown wasm variant: $1"; return 1 ;;
  esac
}

# wasm_target_dir VARIANT: its own cargo target folder, so that building one variant never
# invalidates the other's artifacts (and the shipped builds, WASM_SHIP=1, their own again).
wasm_target_dir() {
  local suffix=""
  [ "$1" = simd128 ] || suffix="-$1"
  [ -z "${WASM_SHIP:-}" ] || suffix="$suffix-ship"
  if [ "$WASM_MODE" = rustup ]; then echo "$ROOT/target/wasm$suffix"; else echo "$ROOT/target/wasm-build-std$suffix"; fi
}

# wasm_cargo VARIANT SUBCOMMAND ARGS…: cargo for wasm32-unknown-unknown with that variant's
# target features, by the route setup.sh found (rustup's target, or Debian's rustc-web building
# std from source, with the same features). With WASM_SHIP=1 (scripts/build-wasm.sh: the builds
# that ship) std is built from source on both routes, with panic=immediate-abort: a panic traps
# at once instead of formatting a message nobody reads (the shell reports a trap as kind
# "internal" either way), which keeps about 5 KB of formatting code out of the module.
wasm_cargo() {
  local variant="$1" sub="$2"; shift 2
  local features dir
  features="$(wasm_features "$variant")"
  dir="$(wasm_target_dir "$variant")"
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=$features"
  if [ -n "${WASM_SHIP:-}" ]; then
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS+=" -Zunstable-options -Cpanic=immediate-abort"
  fi
  if [ "$WASM_MODE" = rustup ] && [ -z "${WASM_SHIP:-}" ]; then
    CARGO_TARGET_DIR="$dir" cargo "$sub" --target wasm32-unknown-unknown "$@"
  elif [ "$WASM_MODE" = rustup ]; then
    CARGO_TARGET_DIR="$dir" RUSTC_BOOTSTRAP=1 \
      cargo "$sub" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort "$@"
  else
    CARGO_TARGET_DIR="$dir" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      /usr/bin/cargo "$sub" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort "$@"
  fi
}
