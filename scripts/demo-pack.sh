#!/usr/bin/env bash
# Builds the builder, generates the synthetic shop and writes www/demo/data/shop.pack (and the
# same shop sharded, www/demo/data/shop-sharded/) and www/demo/img/. The single pack carries the
# demo's synthetic image vectors (the visually-similar shelf); the sharded layout does not carry
# image embeddings, so the sharded demo is built without them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
log "building the pack builder (release)"
cargo build --release --features cli --quiet
bin="$ROOT/target/release/shelfwise"
"$bin" demo-data --out build/demo
"$bin" build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out www/demo/data/shop.pack \
  --image-vectors build/demo/image_vectors.csv
# The same shop in the sharded layout (tests/e2e/sharded.test.mjs), without image vectors.
"$bin" build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out build/demo/shop-no-images.pack
rm -rf www/demo/data/shop-sharded
"$bin" shard build/demo/shop-no-images.pack --out www/demo/data/shop-sharded --items-per-partition 20
rm -rf www/demo/img && cp -r build/demo/img www/demo/img
