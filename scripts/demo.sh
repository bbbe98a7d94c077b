#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the wasm core and the demo
# pack, and serves the demo shop on http://127.0.0.1:${PORT:-8080}/demo/ (Ctrl-C stops it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh" demo
bash "$ROOT/scripts/build-wasm.sh"
bash "$ROOT/scripts/demo-pack.sh"
cd "$ROOT"
exec node scripts/serve.mjs --root www --port "${PORT:-8080}"
