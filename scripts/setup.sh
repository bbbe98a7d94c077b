#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently (seconds when all is there):
#   - a Rust compiler that can build wasm32-unknown-unknown:
#       1. rustup's target and rust-src, if installed or `rustup target add` / `rustup component
#          add rust-src` succeed within 20 s each;
#       2. otherwise Debian's rustc-web + rust-web-src, building std with -Zbuild-std;
#   - wasm-bindgen-cli at exactly the version Cargo.toml pins;
#   - Chromium + ChromeDriver (Debian packages; never a downloaded browser);
#   - the npm dev packages (playwright-core, binaryen, typescript).
# It writes build/toolchain.env, which scripts/build-wasm.sh and scripts/test.sh source.
# `setup.sh demo` skips the browser (the demo only needs one to look at it).
# Elsewhere than Debian, point CHROMIUM (and CHROMEDRIVER) at an installed Chromium/Chrome.
set -euo pipefail
PURPOSE="${1:-tests}"
cd "$(dirname "$0")/.."
mkdir -p build
log() { printf '[setup] %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get is not available: please install $* with your package manager"; return 1
  fi
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- native Rust (rustup on laptops; present on these machines) ---
if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install Rust with rustup (https://rustup.rs) and re-run"; exit 1
fi

# --- wasm32 compiler ---
WASM_MODE=""
if [ "${SHELFWISE_WASM_VIA:-}" != "debian" ] && command -v rustup >/dev/null 2>&1; then
  # The shipped wasm builds compile std from source (scripts/lib.sh), so rustup needs rust-src
  # beside the target.
  limit=""; if command -v timeout >/dev/null 2>&1; then limit="timeout 20"; fi
  has_target() { rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; }
  has_src() { rustup component list --installed 2>/dev/null | grep -q '^rust-src'; }
  if ! has_target; then
    log "trying: rustup target add wasm32-unknown-unknown (20 s limit)"
    $limit rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
  fi
  if has_target && ! has_src; then
    log "trying: rustup component add rust-src (20 s limit)"
    $limit rustup component add rust-src >/dev/null 2>&1 || true
  fi
  if has_target && has_src; then WASM_MODE=rustup; fi
fi
if [ -z "$WASM_MODE" ]; then
  if [ ! -x /usr/bin/rustc ] || ! /usr/bin/rustc --version 2>/dev/null | grep -q '1\.9[0-9]' \
     || [ ! -d /usr/lib/rustlib/src/rust/library ]; then
    log "installing Debian rustc-web + rust-web-src (wasm32 std is built from source)"
    apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
  fi
  WASM_MODE=build-std
fi
log "wasm32 via: $WASM_MODE"

# --- wasm-bindgen-cli, same version as the crate ---
WB_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if ! command -v wasm-bindgen >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/wasm-bindgen" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  log "installing wasm-bindgen-cli $WB_VERSION (about 2 minutes, once)"
  cargo install -q wasm-bindgen-cli --version "$WB_VERSION"
fi

# --- Chromium for browser tests ---
CHROMIUM="${CHROMIUM:-}"
if [ -z "$CHROMIUM" ]; then
  for c in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    if [ -x "$c" ]; then CHROMIUM="$c"; break; fi
  done
fi
if [ "$PURPOSE" != demo ] && { [ -z "$CHROMIUM" ] || ! command -v "${CHROMEDRIVER:-chromedriver}" >/dev/null 2>&1; }; then
  log "installing Debian chromium + chromium-driver"
  apt_install chromium chromium-driver
  CHROMIUM=/usr/bin/chromium
fi

# --- npm packages ---
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/binaryen ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
fi

cat > build/toolchain.env <<ENV
WASM_MODE=$WASM_MODE
CHROMIUM=$CHROMIUM
CHROMEDRIVER=$(command -v "${CHROMEDRIVER:-chromedriver}" || true)
WASM_BINDGEN=$(command -v wasm-bindgen)
WASM_BINDGEN_TEST_RUNNER=$(command -v wasm-bindgen-test-runner)
ENV
log "ready (build/toolchain.env)"
