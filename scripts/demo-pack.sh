#!/usr/bin/env bash
# Builds the builder, generates the synthetic shop and writes www/demo/data/shop.pack (and the
# same shop sharded, www/demo/data/shop-sharded/) and www/demo/img/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
log "building the pack builder (release)"
cargo build --release --features cli --quiet
bin="$ROOT/target/release/shelfwise"
"$bin" demo-data --out build/demo
"$bin" build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out www/demo/data/shop.pack
# The same shop in the sharded layout (tests/e2e/sharded.test.mjs).
rm -rf www/demo/data/shop-sharded
"$bin" shard www/demo/data/shop.pack --out www/demo/data/shop-sharded --items-per-partition 20
rm -rf www/demo/img && cp -r build/demo/img www/demo/img
