"""End-to-end check of examples/spark/ (run by scripts/spark-example.sh when Java and pyspark
are present): the PySpark job in local mode on `shelfwise demo-data` output, then
`shelfwise build --vectors … --neighbours-file …`, then the pack must hold what the job wrote:
the ALS factors (every item matched, the pack's dimension = the rank) and the neighbour lists
(the similar shelf, ranked by the engine through `shelfwise recommend`, is the imported list's
best in-stock items in order); and the job's event reader gives the same rows from the events
written as Parquet part files (timestamps as Spark timestamps). Exits non-zero on any
difference.

    python tests/spark/check_example.py SHELFWISE_BINARY WORK_DIR
"""

import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "examples", "spark"))
import shelfwise_job  # noqa: E402  (examples/spark/shelfwise_job.py)

K = 50  # the job's --k and build's --neighbours
SHELF_K = 5
SAMPLE = 40  # items whose similar shelf is checked


def run(args, stdin=None):
    done = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(args)}\n{done.stderr[-4000:]}")
    return done


def read_outputs(spark, spark_out):
    """The job's Parquet outputs, read back: {id: rank} and {item: [(neighbour, score)], best first}."""
    factors = {r["id"]: len(r["features"]) for r in spark.read.parquet(os.path.join(spark_out, "item_factors.parquet")).collect()}
    lists = {}
    for r in spark.read.parquet(os.path.join(spark_out, "neighbours")).collect():
        lists.setdefault(r["item"], []).append((r["neighbour"], r["score"]))
    for item in lists:
        lists[item].sort(key=lambda p: (-p[1], p[0]))
    return factors, lists


def parquet_input_differs(spark, events_jsonl, folder):
    """The job's events read from JSONL and from the same events written as Parquet part files
    (integer `ts` as a Spark timestamp) must be the same rows; returns what differs, or None."""
    from pyspark.sql import functions as F

    from_json = shelfwise_job.read_events(spark, events_jsonl)
    from_json.withColumn("ts", F.timestamp_millis("ts")).repartition(3).write.mode("overwrite").parquet(folder)
    from_parquet = shelfwise_job.read_events(spark, folder)
    a, b = from_json.exceptAll(from_parquet).count(), from_parquet.exceptAll(from_json).count()
    rows = from_json.count()
    if rows == 0 or a or b:
        return f"events from Parquet differ from JSONL: {a} and {b} rows of {rows} only on one side"
    return None


def similar_shelf(shelfwise, pack, item):
    """The similar shelf of `item` for a new visitor, ranked by the engine (`shelfwise recommend`)."""
    options = json.dumps({"item": item})
    args = [shelfwise, "recommend", "--pack", pack, "--histories", "-", "--shelf", "similar", "--k", str(SHELF_K), "--options", options]
    return json.loads(run(args, stdin='{"shopper":"check","events":[]}\n').stdout)["items"]


def in_stock(catalog_csv):
    import csv

    with open(catalog_csv, newline="") as f:
        return {row["id"]: row.get("in_stock", "true") != "false" for row in csv.DictReader(f)}


def main():
    shelfwise, work = sys.argv[1], sys.argv[2]
    demo, spark_out, pack = os.path.join(work, "demo"), os.path.join(work, "spark-out"), os.path.join(work, "shop.pack")
    run([shelfwise, "demo-data", "--out", demo])
    events, catalog = os.path.join(demo, "events.jsonl"), os.path.join(demo, "catalog.csv")
    args = ["--events", events, "--out", spark_out, "--rank", "16", "--iterations", "5", "--k", str(K), "--blocks", "2", "--shrink", "10"]
    started = time.monotonic()
    spark = shelfwise_job.session("local[2]", partitions=2)
    session_started = time.monotonic()
    shelfwise_job.run(spark, shelfwise_job.parse_args(args))
    done = time.monotonic()
    n_events = sum(1 for _ in open(events))
    print(f"spark job: {done - started:.1f} s wall, of which {session_started - started:.1f} s starting Spark (local[2], {n_events} demo events)")
    factors, lists = read_outputs(spark, spark_out)
    parquet_differs = parquet_input_differs(spark, events, os.path.join(work, "events_parquet"))
    spark.stop()
    stock = in_stock(catalog)
    build = [shelfwise, "build", "--events", events, "--catalog", catalog, "--out", pack, "--layout", "single"]
    summary = run(build + ["--vectors", os.path.join(spark_out, "item_factors.parquet"), "--neighbours-file", os.path.join(spark_out, "neighbours"), "--neighbours", str(K)]).stderr
    ranks = set(factors.values())
    matched = sum(1 for i in factors if i in stock)
    expect = [
        f"vectors    dim {ranks.pop() if len(ranks) == 1 else '?'} from",
        f": {matched} items matched, {len(stock) - matched} without a vector",
        f": {sum(1 for i in lists if i in stock)} items with an imported list",
    ]
    problems = [f"the build summary lacks {e!r}" for e in expect if e not in summary]
    if parquet_differs:
        problems.append(parquet_differs)
    if matched < len(stock) * 0.9 or not lists:
        problems.append(f"the job wrote factors for {matched} of {len(stock)} items and lists for {len(lists)}")
    inspected = json.loads(run([shelfwise, "inspect", "--json", pack]).stdout)
    if inspected["dim"] != 16 or inspected["items"] != len(stock):
        problems.append(f"the pack has dim {inspected['dim']} and {inspected['items']} items")
    # The builder's own lists (cosine, shrink 1) as a control: the job ran with shrink 10, so
    # a build that ignored the file would give other shelves.
    own = os.path.join(work, "own.pack")
    run(build[:7] + [own] + build[8:])
    sampled = sorted(lists)[:: max(1, len(lists) // SAMPLE)]
    own_differs = 0
    for item in sampled:
        want = [n for n, _ in lists[item] if stock.get(n)][:SHELF_K]
        if len(want) < SHELF_K:
            continue
        if similar_shelf(shelfwise, pack, item) != want:
            problems.append(f"similar to {item}: the pack's shelf {similar_shelf(shelfwise, pack, item)}, the imported list's best {want}")
        own_differs += similar_shelf(shelfwise, own, item) != want
    if own_differs == 0:
        problems.append("the builder's own lists give the same shelves: this check would not notice an ignored --neighbours-file")
    print(f"checked {len(sampled)} similar shelves against the imported lists ({own_differs} differ in a pack of the builder's own lists)")
    print(next((line.strip() for line in summary.splitlines() if line.strip().startswith("neighbours from")), ""))
    if problems:
        sys.exit("FAILED:\n  " + "\n  ".join(problems))
    print("spark example: ok")


if __name__ == "__main__":
    main()
