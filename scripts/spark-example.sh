#!/usr/bin/env bash
# The PySpark example (examples/spark/) end to end, when Java and pyspark are present:
# tests/spark/check_example.py runs the job in local mode on `shelfwise demo-data` output, builds
# a pack from what it wrote and checks the pack holds it. Python: $PYSPARK_PYTHON, else python3;
# it needs pyspark and numpy (pyspark.ml imports numpy). Otherwise prints "skipped: …" and exits 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
python="${PYSPARK_PYTHON:-python3}"
if ! command -v java >/dev/null 2>&1; then
  echo "skipped: the PySpark example needs Java (apt install default-jre-headless)"
  exit 0
fi
if ! "$python" -c 'import pyspark, numpy' >/dev/null 2>&1; then
  echo "skipped: the PySpark example needs pyspark and numpy for $python (pip install pyspark numpy, or set PYSPARK_PYTHON)"
  exit 0
fi
load_toolchain
cargo build --features cli --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PYTHONDONTWRITEBYTECODE=1 PYSPARK_PYTHON="$python" "$python" tests/spark/check_example.py "$ROOT/target/debug/shelfwise" "$work"
