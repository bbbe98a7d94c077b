#!/usr/bin/env bash
# Fuzzes the pack decoder (Pack::open + every accessor + a for-you shelf through Engine::shelf) with cargo-fuzz /
# libFuzzer under AddressSanitizer.
#
#   scripts/fuzz.sh [RUNS] [extra libFuzzer args…]      RUNS defaults to 10000000
#
# The fuzz crate is fuzz/ (its own workspace, not a member of the main crate). Seeds are in
# fuzz/corpus/pack_open (sample.pack = tests/golden/v4.pack and hostile edits of it, all rewritten by
# scripts/pack-fixtures.sh); new corpus entries are written to
# fuzz/corpus/pack_open too (git-ignored), crashes to fuzz/artifacts/pack_open/.
#
# Toolchain: sanitizers need -Zsanitizer, i.e. nightly. Order tried:
#   1. an installed nightly (`rustup toolchain list` shows one)  -> `cargo +nightly fuzz run`
#      (works on this machine: nightly-x86_64-unknown-linux-gnu, rustc 1.97.0-nightly)
#   2. otherwise stable with RUSTC_BOOTSTRAP=1, which unlocks the -Z flags cargo-fuzz passes
#      (-Zsanitizer=address etc.); also works with stable 1.95 here, but is a fallback only.
# FUZZ_TOOLCHAIN=nightly|bootstrap forces one. Single job: fine on a 2-core machine.
#
# Limits: -rss_limit_mb=512 and -malloc_limit_mb=256 turn any allocation the input does not
# justify into a reported OOM; -timeout=10 turns a hang / loop into a reported timeout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[fuzz] %s\n' "$*" >&2; }

RUNS="${1:-10000000}"
shift || true

if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked
fi

mode="${FUZZ_TOOLCHAIN:-}"
if [ -z "$mode" ]; then
  if command -v rustup >/dev/null 2>&1 && rustup toolchain list | grep -q '^nightly'; then
    mode=nightly
  else
    mode=bootstrap
  fi
fi
case "$mode" in
  nightly) fuzz=(cargo +nightly fuzz) ;;
  bootstrap) export RUSTC_BOOTSTRAP=1; fuzz=(cargo fuzz) ;;
  *) log "FUZZ_TOOLCHAIN must be nightly or bootstrap, not $mode"; exit 2 ;;
esac
log "toolchain: $mode; runs: $RUNS"

cd "$ROOT/fuzz"
mkdir -p corpus/pack_open artifacts/pack_open
logfile="$(mktemp -t shelfwise-fuzz.XXXXXX.log)"
log "libFuzzer output: $logfile"
set +e
"${fuzz[@]}" run pack_open corpus/pack_open -- \
  -runs="$RUNS" \
  -dict=pack.dict \
  -rss_limit_mb=512 \
  -malloc_limit_mb=256 \
  -timeout=10 \
  -max_len=4096 \
  -print_final_stats=1 \
  "$@" 2>&1 | tee "$logfile"
status=${PIPESTATUS[0]}
set -e
echo "----- final libFuzzer stats -----"
grep -E '^(Done [0-9]+ runs|stat::|==[0-9]+== ERROR|SUMMARY:)' "$logfile" || tail -n 5 "$logfile"
if [ "$status" -ne 0 ]; then
  log "fuzzing FAILED (exit $status): see fuzz/artifacts/pack_open/ and $logfile"
else
  log "no crash, OOM or timeout in $RUNS runs"
fi
exit "$status"
