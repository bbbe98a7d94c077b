#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the wasm core and the demo
# pack, and serves the demo shop on http://127.0.0.1:${PORT:-8080}/demo/ (Ctrl-C stops it), with
# the measurement report collector on 127.0.0.1:${COLLECT_PORT:-8787}.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/setup.sh" demo
bash "$ROOT/scripts/build-wasm.sh"
bash "$ROOT/scripts/demo-pack.sh"
cd "$ROOT"
# The reference collector of the daily measurement reports (off in the demo until the shopper
# ticks the box); the dev server passes POST /shelfwise/report to it. Reports go to
# build/reports.jsonl: `target/release/shelfwise report --in build/reports.jsonl`.
collect_port="${COLLECT_PORT:-8787}"
"$ROOT/target/release/shelfwise" collect --port "$collect_port" --out build/reports.jsonl &
collector=$!
trap 'kill "$collector" 2>/dev/null || true' EXIT INT TERM
node scripts/serve.mjs --root www --port "${PORT:-8080}" --collector "http://127.0.0.1:$collect_port/shelfwise/report"
