#!/usr/bin/env bash
# Rewrites the pack fixtures from the encoder: tests/golden/v4.pack and the fuzz seeds in
# fuzz/corpus/pack_open (the golden pack and hostile edits of it, checksum repaired). Run it
# only for a deliberate format change (with a new FORMAT_VERSION); the test
# `golden_pack_and_fuzz_seeds_are_current` fails while they are stale.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
SHELFWISE_BLESS=1 cargo test --features cli --test pack_format golden_pack_and_fuzz_seeds_are_current
