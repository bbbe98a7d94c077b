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

# wasm_cargo SUBCOMMAND ARGS…: cargo for wasm32-unknown-unknown with SIMD128, by the route
# setup.sh found (rustup's target, or Debian's rustc-web building std from source).
wasm_cargo() {
  local sub="$1"; shift
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
  if [ "$WASM_MODE" = rustup ]; then
    CARGO_TARGET_DIR="$ROOT/target/wasm" cargo "$sub" --target wasm32-unknown-unknown "$@"
  else
    CARGO_TARGET_DIR="$ROOT/target/wasm-build-std" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      /usr/bin/cargo "$sub" --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort "$@"
  fi
}

wasm_target_dir() {
  if [ "$WASM_MODE" = rustup ]; then echo "$ROOT/target/wasm"; else echo "$ROOT/target/wasm-build-std"; fi
}
