"""A PySpark job that writes what `shelfwise build` imports, for shops whose logs outgrow one
machine (examples/spark/README.md).

Input: the shop's events in the canonical form (`shelfwise demo-data` writes it; docs/INPUT_FORMATS.md):
JSON lines, or Parquet (a file or a folder of part files) with the same columns
`shopper`, `item`, `type`, `ts` (and `qty`, `basket`, `query`, ignored here but `qty`).

Output, in --out:
  item_factors.parquet  ALS implicit item factors: `id` (the shop's string id) and `features`
                        (array<float>), one file, for `shelfwise build --vectors`;
  neighbours/           top-K item-item lists from co-occurrence: `item`, `neighbour` (string
                        ids) and `score` (double in (0, 1]), part files, for
                        `shelfwise build --neighbours-file`.

The weights per event kind are the builder's (src/event.rs, `KindWeights`): ALS learns from
`training` weights (a purchase × (1 + ln qty)), the co-occurrence from `source` strengths, so
the lists follow the builder's own item-kNN cosine (src/build/neighbours.rs):

    sim(i, j) = sum_u s_ui * s_uj / (sqrt(sum_u s_ui^2) * sqrt(sum_u s_uj^2) + shrink)

with s_ui the strongest kind of event shopper u had with item i, over each shopper's `--cap`
most recently touched items.

    spark-submit examples/spark/shelfwise_job.py --events events.jsonl --out spark-out
"""

import argparse
import os
import shutil

from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

# src/event.rs, EventKind::weights: (training, source) per kind; others carry no signal.
TRAINING = {"view": 1.0, "click": 1.5, "add_to_cart": 3.0, "purchase": 5.0}
SOURCE = {"view": 0.2, "click": 0.3, "add_to_cart": 0.6, "purchase": 1.0}

# JSON lines: `ts` as text, since it is ms since 1970 or RFC 3339 (docs/INPUT_FORMATS.md).
EVENTS_SCHEMA = T.StructType(
    [T.StructField(name, T.StringType()) for name in ("shopper", "item", "type", "ts")] + [T.StructField("qty", T.LongType())]
)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", required=True, help="events: .jsonl (gzip ok) or Parquet (file or folder)")
    p.add_argument("--out", required=True, help="output folder (replaced)")
    # The builder's ALS defaults (src/build/als.rs); Spark scales regParam by each row's count.
    p.add_argument("--rank", type=int, default=64, help="ALS factors (the pack's dimension)")
    p.add_argument("--iterations", type=int, default=12, help="ALS iterations")
    p.add_argument("--reg", type=float, default=0.1, help="ALS regularization (regParam)")
    p.add_argument("--alpha", type=float, default=20.0, help="ALS implicit confidence: 1 + alpha * strength")
    p.add_argument("--k", type=int, default=50, help="neighbours kept per item")
    p.add_argument("--shrink", type=float, default=1.0, help="added to the cosine's denominator")
    p.add_argument("--cap", type=int, default=300, help="a shopper's most recent items that count")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--master", default=None, help="e.g. local[2] (default: spark-submit's)")
    p.add_argument("--blocks", type=int, default=10, help="ALS user and item blocks (Spark's default 10; 2 for local[2])")
    return p.parse_args(argv)


def read_events(spark, path):
    """The events with a shopper, an item and a kind with a signal; `ts` in ms since 1970."""
    if path.endswith(".parquet") or os.path.isdir(path):
        events = spark.read.parquet(path)
        for name in ("shopper", "item"):  # integer ids are the same ids as text
            events = events.withColumn(name, F.col(name).cast("string"))
        ts_type = events.schema["ts"].dataType
        if isinstance(ts_type, (T.TimestampType, T.TimestampNTZType)):
            events = events.withColumn("ts", (F.col("ts").cast("double") * 1000).cast("long"))
        if "qty" not in events.columns:
            events = events.withColumn("qty", F.lit(None).cast("long"))
    else:
        events = spark.read.schema(EVENTS_SCHEMA).json(path)
        millis = F.col("ts").rlike("^-?[0-9]+$")
        text_ms = (F.to_timestamp("ts").cast("double") * 1000).cast("long")
        events = events.withColumn("ts", F.when(millis, F.col("ts").cast("long")).otherwise(text_ms))
    known = F.col("type").isin(list(TRAINING))
    return events.filter(F.col("item").isNotNull() & F.col("shopper").isNotNull() & known).select("shopper", "item", "type", "ts", "qty")


def weight_column(table, column):
    """A column mapping `type` to `table`'s weight."""
    expr = F.lit(0.0)
    for kind, w in table.items():
        expr = F.when(F.col(column) == kind, F.lit(w)).otherwise(expr)
    return expr


def dense_ids(df, column, name):
    """Distinct values of `column` numbered 0..n-1 (ALS wants int ids), without one partition."""
    values = df.select(column).distinct().rdd.map(lambda r: r[0]).zipWithIndex()
    return values.toDF([column, name]).withColumn(name, F.col(name).cast("int"))


def item_factors(events, args):
    """ALS implicit item factors with the shop's string ids: `id`, `features` array<float>."""
    qty = F.greatest(F.coalesce(F.col("qty"), F.lit(1)), F.lit(1)).cast("double")
    weight = weight_column(TRAINING, "type") * F.when(F.col("type") == "purchase", 1.0 + F.log(qty)).otherwise(1.0)
    ratings = events.withColumn("w", weight).groupBy("shopper", "item").agg(F.sum("w").alias("rating"))
    shoppers = dense_ids(ratings, "shopper", "user")
    items = dense_ids(ratings, "item", "item_index")
    ratings = ratings.join(shoppers, "shopper").join(items, "item")
    als = ALS(
        rank=args.rank,
        maxIter=args.iterations,
        regParam=args.reg,
        alpha=args.alpha,
        implicitPrefs=True,
        userCol="user",
        itemCol="item_index",
        ratingCol="rating",
        seed=args.seed,
        numUserBlocks=args.blocks,
        numItemBlocks=args.blocks,
    )
    model = als.fit(ratings)
    factors = model.itemFactors.withColumnRenamed("id", "item_index")
    return factors.join(items, "item_index").select(F.col("item").alias("id"), "features")


def neighbours(events, args):
    """Top-K item-item cosine over shoppers' strongest interactions: `item`, `neighbour`, `score`."""
    strengths = (
        events.withColumn("s", weight_column(SOURCE, "type"))
        .groupBy("shopper", "item")
        .agg(F.max("s").alias("s"), F.max("ts").alias("last"))
    )
    recent = Window.partitionBy("shopper").orderBy(F.col("last").desc(), F.col("item"))
    strengths = strengths.withColumn("n", F.row_number().over(recent)).filter(F.col("n") <= args.cap).drop("n", "last")
    norms = strengths.groupBy("item").agg(F.sqrt(F.sum(F.col("s") * F.col("s"))).alias("norm"))
    a = strengths.select("shopper", F.col("item").alias("i"), F.col("s").alias("si"))
    b = strengths.select("shopper", F.col("item").alias("j"), F.col("s").alias("sj"))
    dots = a.join(b, "shopper").filter(F.col("i") != F.col("j")).groupBy("i", "j").agg(F.sum(F.col("si") * F.col("sj")).alias("dot"))
    ni = norms.select(F.col("item").alias("i"), F.col("norm").alias("ni"))
    nj = norms.select(F.col("item").alias("j"), F.col("norm").alias("nj"))
    scored = dots.join(ni, "i").join(nj, "j").withColumn(
        "score", F.least(F.lit(1.0), F.col("dot") / (F.col("ni") * F.col("nj") + F.lit(args.shrink)))
    )
    best = Window.partitionBy("i").orderBy(F.col("score").desc(), F.col("j"))
    top = scored.filter(F.col("score") > 0).withColumn("rank", F.row_number().over(best)).filter(F.col("rank") <= args.k)
    return top.select(F.col("i").alias("item"), F.col("j").alias("neighbour"), "score")


def write_single_parquet(df, path):
    """`df` as one Parquet file at `path` (Spark writes a folder; one file is easier to pass around)."""
    folder = path + ".parts"
    df.coalesce(1).write.mode("overwrite").parquet(folder)
    (part,) = [n for n in os.listdir(folder) if n.startswith("part-") and n.endswith(".parquet")]
    shutil.move(os.path.join(folder, part), path)
    shutil.rmtree(folder)


def run(spark, args):
    """Reads the events and writes both outputs into `args.out` (replaced)."""
    shutil.rmtree(args.out, ignore_errors=True)
    events = read_events(spark, args.events).cache()
    write_single_parquet(item_factors(events, args), os.path.join(args.out, "item_factors.parquet"))
    neighbours(events, args).write.mode("overwrite").parquet(os.path.join(args.out, "neighbours"))
    events.unpersist()


def session(master=None, partitions=8):
    """A Spark session (`master`: e.g. local[2]; `partitions`: of each shuffle, 2 for one machine)."""
    builder = SparkSession.builder.appName("shelfwise-example")
    if master:
        builder = builder.master(master)
    spark = builder.config("spark.sql.shuffle.partitions", str(partitions)).config("spark.ui.showConsoleProgress", "false").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


def main(argv=None):
    args = parse_args(argv)
    spark = session(args.master)
    run(spark, args)
    spark.stop()


if __name__ == "__main__":
    main()
