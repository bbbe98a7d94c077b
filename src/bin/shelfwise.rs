//! `shelfwise`: the offline pack builder and inspector.
//!
//! Every command's `--help` ends with examples. Long steps show progress on stderr (a bar for
//! training, spinners for reading, encoding and ranking; drawn only when stderr is a terminal),
//! and `build` ends with a summary: items, events read/used/skipped, pack size and time.

use std::borrow::Cow;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use shelfwise::build::assemble::{assemble, BuildConfig};
use shelfwise::build::ease::DEFAULT_LAMBDA;
use shelfwise::build::eval::{ease_sweep, evaluate, grid_best, grid_tsv, parse_split_date, weight_grid, EvalConfig, GridSpec};
use shelfwise::build::eval_export::export_split;
use shelfwise::build::forecast::{self as forecasting, net_cancellations, ItemFacts, Method};
use shelfwise::build::history::{index_events, IndexedEvents};
use shelfwise::build::image_vectors::{apply_image_vectors, read_image_vectors, AppliedImageVectors};
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::neighbours::NeighbourModel;
use shelfwise::build::pack_file::{read_pack_file, PackFileProblem};
use shelfwise::build::read::{
    detect_events_format, parse_share, parse_time_arg, read_catalog, read_events_jsonl, read_online_retail, EventsFormat, ReadReport,
};
use shelfwise::build::recommend::{batch_request, check_request, recommend_stream, RecommendConfig};
use shelfwise::build::report::html_report;
use shelfwise::build::shard::{split, ShardConfig, ShardedPack};
use shelfwise::build::static_shelves::{static_shelves, Sources};
use shelfwise::build::synth::{self, SynthConfig};
use shelfwise::build::vectors::{apply_vectors, read_vectors, VectorColumns};
use shelfwise::engine::Engine;
use shelfwise::measurement::ValueBuckets;
use shelfwise::pack::shard::bootstrap::Bootstrap;
use shelfwise::pack::{read_header, Pack, PackContents};
use shelfwise::page::ShelfRequest;
use shelfwise::reports::analysis::{analyse, table};
use shelfwise::reports::collect::{CollectorConfig, DEFAULT_MAX_BODY};
use shelfwise::reports::html::html_page;
use shelfwise::reports::read::read_reports;
use shelfwise::reports::simulate;

#[derive(Parser)]
#[command(name = "shelfwise", version, about = "Build and inspect Shelfwise recommendation packs", after_help = TOP_EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

const TOP_EXAMPLES: &str = "\
Examples:
  shelfwise demo-data --out build/demo
  shelfwise build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out shop.pack
  shelfwise inspect shop.pack
  shelfwise shard shop.pack --out shop/
  shelfwise eval --events online_retail.csv.gz --split-date 2011-07-01
  shelfwise recommend --pack shop.pack --histories histories.jsonl --k 20
  shelfwise collect --port 8787 --out reports.jsonl
  shelfwise report --in reports.jsonl --html report.html

Run `shelfwise help <COMMAND>` for a command's options and examples.";

const BUILD_EXAMPLES: &str = "\
Examples:
  # canonical events (JSONL) and a catalog (CSV or JSONL)
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack
  # the Online Retail CSV (gzip ok) carries its own catalog
  shelfwise build --events online_retail.csv.gz --out retail.pack
  # a smaller, faster model
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --dim 32 --iterations 8
  # EASE item-item weights as the neighbour lists (docs/QUALITY.md)
  shelfwise build --events online_retail.csv.gz --out retail.pack --neighbour-model ease --neighbours 50
  # vectors trained elsewhere: Spark ALS itemFactors as Parquet (id, features) or CSV,
  # or an .npy matrix with its ids
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors item_factors.parquet
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors emb.parquet --vector-id-column sku --vector-column embedding
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors item_factors.csv
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors emb.npy --vector-ids emb_ids.txt
  # also non-personalized shelves for the shop's server to render
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --static-shelves shelves.json";

const INSPECT_EXAMPLES: &str = "\
Examples:
  shelfwise inspect shop.pack
  shelfwise inspect shop.pack --json    # exits non-zero with {\"ok\":false,\"kind\":…} for a bad pack";

const SHARD_EXAMPLES: &str = "\
Examples:
  shelfwise shard shop.pack --out shop/                            # bootstrap.shard + *.chunk
  shelfwise shard shop.pack --out shop/ --items-per-partition 500  # smaller partitions";

const DEMO_DATA_EXAMPLES: &str = "\
Examples:
  shelfwise demo-data --out build/demo
  shelfwise demo-data --out build/big --items 5000 --shoppers 20000 --seed 1
  shelfwise build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out shop.pack";

const EVAL_EXAMPLES: &str = "\
Examples:
  shelfwise eval --events online_retail.csv.gz --split-date 2011-07-01 --k 20
  shelfwise eval --events events.jsonl --catalog catalog.csv --split-date 2024-03-01 --json eval.json
  # an HTML report with charts, and the weight grid of docs/QUALITY.md
  shelfwise eval --events online_retail.csv.gz --split-date 2011-07-01 --report eval.html
  shelfwise eval --events online_retail.csv.gz --split-date 2011-07-01 --grid grid.tsv
  # the split itself (train pack, shoppers' histories, truths) for a replay elsewhere
  shelfwise eval --events online_retail.csv.gz --split-date 2011-07-01 --export split-2011-07-01
  shelfwise recommend --pack split-2011-07-01/train.pack --histories split-2011-07-01/shoppers.jsonl --as-of 2011-07-01T00:00:00Z
  # EASE's λ sweep (baselines ease and buy-again+ease), and a pack with EASE neighbour lists
  shelfwise eval --events online_retail.csv.gz --split-date 2011-05-01 --ease-lambdas 200,400,800,1600
  shelfwise eval --events online_retail.csv.gz --split-date 2011-05-01 --neighbour-model ease";

const FORECAST_EXAMPLES: &str = "\
Examples:
  shelfwise forecast --events online_retail.csv.gz --horizon-weeks 4 --out forecast.csv --html forecast.html
  # every method against the baselines, 4- and 8-week horizons, on two splits
  shelfwise forecast --events online_retail.csv.gz --evaluate --split-date 2011-05-01 --split-date 2011-07-01";

const RECOMMEND_EXAMPLES: &str = "\
Examples:
  shelfwise recommend --pack shop.pack --histories histories.jsonl --shelf for-you --k 20
  shelfwise recommend --pack shop.pack --histories histories.jsonl --shelf discovery --k 20
  cat histories.jsonl | shelfwise recommend --pack shop.pack --histories - --as-of 2011-12-01T00:00:00Z --out shelves.jsonl";

const REPORT_EXAMPLES: &str = "\
Examples:
  shelfwise report --in reports.jsonl
  shelfwise report --in reports.jsonl.1 --in reports.jsonl --html report.html --json report.json
  # the shop configured other order-value edges (reporting.valueBuckets)
  shelfwise report --in reports.jsonl --value-buckets 50,100,250,500
  # devices with known true rates through the shipped report code (docs/MEASUREMENT.md)
  shelfwise report simulate --devices 10000 --epsilon 1 --seed 7
  shelfwise report simulate --table --repeats 20";

const COLLECT_EXAMPLES: &str = "\
Examples:
  shelfwise collect --port 8787 --out reports.jsonl
  shelfwise collect --host 0.0.0.0 --port 8787 --out /var/lib/shelfwise/reports.jsonl --rotate-bytes 50000000 --keep 30
  # then let the shop's server pass POST /shelfwise/report to it";

/// A spinner on stderr for a step of unknown length (drawn only when stderr is a terminal).
fn spinner(message: impl Into<Cow<'static, str>>) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The embedding model's settings, shared by `build` and `eval`.
#[derive(Args, Clone, Copy)]
struct ModelArgs {
    /// Embedding dimension.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
    dim: u32,
    /// ALS iterations.
    #[arg(long, default_value_t = 12)]
    iterations: usize,
    /// Random seed of the model.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Item-to-item neighbours kept per item.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(0..=256))]
    neighbours: u16,
    /// Shrinkage of the neighbour cosine (damps pairs seen by few shoppers).
    #[arg(long, default_value_t = 1.0)]
    neighbour_shrink: f32,
    /// What writes the neighbour lists: cosine (item-kNN), ease (dense EASE up to 12,000
    /// items, candidate-restricted above), ease-dense or ease-local. EASE measured better on
    /// the purchase-only shared data (docs/QUALITY.md); cosine stays the default because EASE
    /// lists let popular items of other categories into the demo shop's session shelves.
    #[arg(long, default_value = "cosine", value_parser = parse_neighbour_model)]
    neighbour_model: NeighbourModel,
    /// EASE's ridge strength λ (neighbour model ease*; the eval baselines too).
    #[arg(long, default_value_t = DEFAULT_LAMBDA, value_parser = parse_lambda)]
    ease_lambda: f64,
}

fn parse_neighbour_model(s: &str) -> Result<NeighbourModel, String> {
    NeighbourModel::parse(s).ok_or_else(|| format!("{s:?} is not a neighbour model: use cosine, ease, ease-dense or ease-local"))
}

fn parse_lambda(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a positive number")),
    }
}

impl ModelArgs {
    /// A build configuration with these model settings, stamped `built_at_ms`.
    fn build_config(self, built_at_ms: i64) -> BuildConfig {
        let mut config = BuildConfig { built_at_ms, ..BuildConfig::default() };
        config.als.factors = self.dim as usize;
        config.als.iterations = self.iterations;
        config.als.seed = self.seed;
        config.neighbours.k = usize::from(self.neighbours);
        config.neighbours.shrink = self.neighbour_shrink;
        config.neighbours.model = self.neighbour_model;
        config.neighbours.ease_lambda = self.ease_lambda;
        config
    }
}

/// How the inputs are read, shared by `build` and `eval`.
#[derive(Args, Clone, Copy)]
struct InputArgs {
    /// The build time (RFC 3339 or ms since 1970): events dated after it are dropped and
    /// reported; `build` stamps it into the pack [default: $SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_name = "TIME", value_parser = parse_time_arg)]
    now: Option<i64>,
    /// Fail when more than this share of the events' or the catalog's rows is skipped as bad
    /// (0 to 1, or a percentage such as 5%).
    #[arg(long, value_name = "SHARE", default_value = "0.05", value_parser = parse_share)]
    max_skipped: f64,
}

impl InputArgs {
    fn build_time_ms(self) -> i64 {
        self.now.unwrap_or_else(now_ms)
    }
}

/// `build`'s optional extras: imported vectors and static shelves.
#[derive(Args, Clone)]
struct BuildExtras {
    /// The shop's merchandising rules (CSV: action,target,name,value; see docs/RULES.md),
    /// stored in the pack and applied on the device.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Use these item vectors as the embeddings instead of training them: CSV (`id,v1,…,vd`
    /// or `id,"[v1,…,vd]"`, .gz ok), NPY (n × d float32/float64, with --vector-ids) or Parquet
    /// (Spark ALS itemFactors: `id` and a `features` list of float; or id + one number column
    /// per dimension).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dim", "iterations", "seed"])]
    vectors: Option<PathBuf>,
    /// The item ids of an .npy --vectors file, one per line, in row order.
    #[arg(long, value_name = "FILE", requires = "vectors")]
    vector_ids: Option<PathBuf>,
    /// The id column of a .parquet --vectors file (integer or string) [default: id].
    #[arg(long, value_name = "NAME", requires = "vectors")]
    vector_id_column: Option<String>,
    /// The vector column of a .parquet --vectors file, a list of float or double
    /// [default: features; without one, every other column is a dimension].
    #[arg(long, value_name = "NAME", requires = "vectors")]
    vector_column: Option<String>,
    /// Image vectors (computed from product photos by any image model), stored as a second,
    /// optional embedding for the visually-similar shelf: the files --vectors reads, but every
    /// row must be usable and every id in the catalog (docs/BUILD_EXTRAS.md).
    #[arg(long, value_name = "FILE")]
    image_vectors: Option<PathBuf>,
    /// The item ids of an .npy --image-vectors file, one per line, in row order.
    #[arg(long, value_name = "FILE", requires = "image_vectors")]
    image_vector_ids: Option<PathBuf>,
    /// The id column of a .parquet --image-vectors file [default: id].
    #[arg(long, value_name = "NAME", requires = "image_vectors")]
    image_vector_id_column: Option<String>,
    /// The vector column of a .parquet --image-vectors file [default: features].
    #[arg(long, value_name = "NAME", requires = "image_vectors")]
    image_vector_column: Option<String>,
    /// Also write non-personalized shelves (similar and bought together per item, trending per
    /// category) as JSON for server-side rendering.
    #[arg(long, value_name = "OUT.json")]
    static_shelves: Option<PathBuf>,
    /// Longest list in --static-shelves.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100), requires = "static_shelves")]
    static_k: u32,
}

/// How `build` writes the pack.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Layout {
    /// One pack file.
    Single,
    /// A folder: bootstrap + chunks.
    Sharded,
    /// Sharded above [`AUTO_SHARDED_ABOVE`] bytes, else single.
    Auto,
}

/// `--layout auto` shards a pack larger than this. At 10 Mbit/s (1.25 MB/s) a single file
/// this size alone takes about 1.7 s to arrive, past the 1.5 s first-shelf target on a slow
/// phone link (issue #15); below it one file is simpler and needs no further request.
const AUTO_SHARDED_ABOVE: usize = 2 << 20;

/// A progress bar over the ALS iterations.
fn training_bar(iterations: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(iterations as u64).with_message(message);
    bar.set_style(ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}

#[derive(Subcommand)]
enum Command {
    /// Build a pack from a shop's events (and catalog).
    ///
    /// Reads the events and the catalog (bad rows are skipped and reported with file, line and
    /// field), trains the item embeddings and writes the pack; ends with a summary.
    #[command(after_help = BUILD_EXAMPLES)]
    Build {
        /// Events: canonical JSONL, or the Online Retail CSV (detected by its header; .gz ok).
        #[arg(long)]
        events: PathBuf,
        /// Catalog as CSV or JSONL (required for JSONL events; the Online Retail CSV carries its own).
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Where to write the pack.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        extras: BuildExtras,
        /// `single`: one pack file at --out; `sharded`: a folder at --out with bootstrap.shard
        /// and content-hashed chunks the browser fetches on demand (docs/PACK_FORMAT.md);
        /// `auto`: sharded when the single pack would exceed 2 MiB.
        #[arg(long, value_enum, default_value_t = Layout::Auto)]
        layout: Layout,
    },
    /// Print what is inside a pack (counts, dimension, sections, versions, checksum status).
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect {
        /// The pack file.
        pack: PathBuf,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Split a pack file into the sharded layout: a folder with bootstrap.shard and the
    /// content-hashed chunks the browser fetches on demand (what `build --layout sharded` writes).
    #[command(after_help = SHARD_EXAMPLES)]
    Shard {
        /// The pack file.
        pack: PathBuf,
        /// The folder to write.
        #[arg(long)]
        out: PathBuf,
        /// Target items per IVF partition chunk.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
        items_per_partition: u32,
    },
    /// Write the synthetic demo shop (catalog.csv, events.jsonl, img/*.svg) into a folder.
    #[command(after_help = DEMO_DATA_EXAMPLES)]
    DemoData {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Number of products.
        #[arg(long, default_value_t = 600)]
        items: usize,
        /// Number of shoppers.
        #[arg(long, default_value_t = 800)]
        shoppers: usize,
        /// Random seed.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Evaluate "for you" against baselines on a temporal split (train before, test after).
    ///
    /// Builds a pack from the events before the split date only, then ranks the full catalog
    /// for every shopper with train events and test purchases, and prints Recall@K, NDCG@K and
    /// catalog coverage for the for-you and discovery tasks.
    #[command(verbatim_doc_comment, after_help = EVAL_EXAMPLES)]
    Eval {
        /// Events: canonical JSONL, or the Online Retail CSV (detected by its header; .gz ok).
        #[arg(long)]
        events: PathBuf,
        /// Catalog as CSV or JSONL (required for JSONL events).
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Split date (UTC midnight): train on events before it, test on events from it on.
        #[arg(long)]
        split_date: String,
        /// Shelf length K.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
        k: u32,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        input: InputArgs,
        /// Also write the results as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write an HTML report with a chart (self-contained, inline SVG) to this file.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Instead of the table, measure the blend's weight grid (docs/QUALITY.md) and write
        /// every point as TSV to this file; the best points per task go to stdout.
        #[arg(long)]
        grid: Option<PathBuf>,
        /// The grid to measure with --grid, as JSON (the fields of `GridSpec`, each a list;
        /// a missing field keeps the default grid's values).
        #[arg(long, requires = "grid")]
        grid_spec: Option<PathBuf>,
        /// Instead of the table, write the split to this folder: the train pack (train.pack),
        /// the shoppers' histories as `recommend --histories` reads them plus the time to rank
        /// at (shoppers.jsonl), their later purchases (truth.jsonl) and the counts (split.json).
        #[arg(long, conflicts_with_all = ["grid", "json", "report"])]
        export: Option<PathBuf>,
        /// Instead of the table, sweep EASE's λ over these values (comma-separated): the `ease`
        /// baseline on both tasks and `buy-again+ease` at several mixes (docs/QUALITY.md).
        #[arg(long, value_delimiter = ',', value_parser = parse_lambda, conflicts_with = "grid")]
        ease_lambdas: Vec<f64>,
    },
    /// Forecast weekly unit sales per product (with 80% intervals) and the shop's total.
    ///
    /// Without --evaluate: forecasts the weeks after the newest purchase and writes them as
    /// CSV (item,title,week_start,forecast,low80,high80; the shop total as item "*").
    /// With --evaluate: scores every method against the baselines on each --split-date for
    /// 4- and 8-week horizons (docs/FORECAST.md).
    #[command(verbatim_doc_comment, after_help = FORECAST_EXAMPLES)]
    Forecast {
        /// Events: canonical JSONL, or the Online Retail CSV (detected by its header; .gz ok).
        #[arg(long)]
        events: PathBuf,
        /// Catalog as CSV or JSONL (required for JSONL events).
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Weeks to forecast.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=52))]
        horizon_weeks: u32,
        /// The method (last-4-weeks, mean-12-weeks, linear-12-weeks, damped-holt, augurs-ets,
        /// croston, tsb, global).
        #[arg(long, default_value = "global")]
        method: String,
        /// Write the forecast as CSV here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write a self-contained HTML report here.
        #[arg(long)]
        html: Option<PathBuf>,
        /// Evaluate every method on --split-date instead of forecasting.
        #[arg(long, requires = "split_date")]
        evaluate: bool,
        /// Split dates (UTC midnight) for --evaluate; repeat for several.
        #[arg(long)]
        split_date: Vec<String>,
        /// With --evaluate: only these methods (comma-separated) [default: all].
        #[arg(long, value_delimiter = ',', requires = "evaluate")]
        methods: Vec<String>,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Rank a shelf for each shopper's history, through the same engine the browser runs.
    ///
    /// Input: JSONL, one shopper per line:
    ///   {"shopper":"17850","events":[{"item":"85123A","type":"purchase","ts":"2011-09-30T10:00:00Z","qty":1}]}
    /// Output: JSONL, one line per input line, in order:
    ///   {"shopper":"17850","items":["22423",...]}
    /// A line that cannot be used gets "items":[] and "error":{"kind":...,"message":"file:line N: ..."}
    /// and does not stop the run; a summary goes to stderr.
    #[command(verbatim_doc_comment, after_help = RECOMMEND_EXAMPLES)]
    Recommend {
        /// The pack file.
        #[arg(long)]
        pack: PathBuf,
        /// Shoppers' histories as JSONL (`-` for stdin).
        #[arg(long)]
        histories: PathBuf,
        /// Which shelf to rank: for-you, discovery, buy-again, because-you-viewed, similar,
        /// bought-together, trending, trending-in-categories, recently-viewed, new-for-you.
        #[arg(long, default_value = "for-you")]
        shelf: String,
        /// The page's other `shelf()` options as a JSON object, e.g.
        /// '{"filters":{"excludePurchased":true}}' (docs/API.md).
        #[arg(long)]
        options: Option<String>,
        /// Shelf length K.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
        k: u32,
        /// Rank as of this time (RFC 3339 or ms since 1970); default: each line's newest event
        /// (or now for a line with no events).
        #[arg(long)]
        as_of: Option<String>,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Debias collected measurement reports: per experiment and arm, device-days, conversion
    /// rate, shelf click rate, order-value distribution and share of orders via each shelf kind,
    /// each with a 95% interval, and lift over the control arm.
    #[command(args_conflicts_with_subcommands = true, after_help = REPORT_EXAMPLES)]
    Report {
        #[command(subcommand)]
        action: Option<ReportAction>,
        /// Report files (JSONL, as `shelfwise collect` writes them); repeat for rotated files.
        #[arg(long = "in", value_name = "FILE")]
        inputs: Vec<PathBuf>,
        /// Also write a page with charts (self-contained HTML).
        #[arg(long, value_name = "OUT.html")]
        html: Option<PathBuf>,
        /// Also write the estimates as JSON.
        #[arg(long, value_name = "OUT.json")]
        json: Option<PathBuf>,
        /// The four order-value edges the shop's devices used (init option reporting.valueBuckets).
        #[arg(long, value_delimiter = ',', default_values_t = [10.0, 25.0, 50.0, 100.0])]
        value_buckets: Vec<f64>,
    },
    /// Collect daily measurement reports over HTTP into a JSONL file (the reference collector).
    ///
    /// Accepts POST PATH with a valid schema-1 report (204); refuses everything else with a
    /// status that says why (404, 405, 413, 415, 400, 422). Never logs or stores the sender's
    /// address or the time of arrival; rotates the file by size.
    #[command(verbatim_doc_comment, after_help = COLLECT_EXAMPLES)]
    Collect {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Port (0: any free port; the address is printed on stdout).
        #[arg(long, default_value_t = 8787)]
        port: u16,
        /// The path devices post to (the init option reporting.endpoint).
        #[arg(long, default_value = "/shelfwise/report")]
        path: String,
        /// The JSONL file reports are appended to.
        #[arg(long)]
        out: PathBuf,
        /// Largest body accepted, in bytes.
        #[arg(long, default_value_t = DEFAULT_MAX_BODY)]
        max_body: usize,
        /// Rotate the file before it grows past this many bytes.
        #[arg(long, default_value_t = 10_000_000)]
        rotate_bytes: u64,
        /// Rotated files kept (FILE.1 … FILE.N).
        #[arg(long, default_value_t = 10)]
        keep: u32,
    },
}

#[derive(Subcommand)]
enum ReportAction {
    /// Simulate devices with known true rates through the shipped report code and print the
    /// estimates beside the truth (or, with --table, the error table of docs/MEASUREMENT.md).
    Simulate {
        /// Devices (one report each).
        #[arg(long, default_value_t = 10_000)]
        devices: usize,
        /// ε per device-day.
        #[arg(long, default_value_t = 1.0)]
        epsilon: f64,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write the simulated reports (JSONL).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the error table for ε = 0.5, 1, 2 and 1k, 10k, 100k devices instead.
        #[arg(long)]
        table: bool,
        /// Simulations per row of --table.
        #[arg(long, default_value_t = 20)]
        repeats: usize,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Build { events, catalog, out, model, input, extras, layout } => {
            build(&events, catalog.as_deref(), &out, model, input, &extras, layout)
        }
        Command::Inspect { pack, json } => inspect(&pack, json),
        Command::Shard { pack, out, items_per_partition } => shard(&pack, &out, items_per_partition as usize),
        Command::DemoData { out, items, shoppers, seed } => demo_data(&out, items, shoppers, seed),
        Command::Eval { events, catalog, split_date, k, model, input, json, report, grid, grid_spec, export, ease_lambdas } => {
            let outputs = EvalOutputs {
                json: json.as_deref(),
                report: report.as_deref(),
                grid: grid.as_deref(),
                grid_spec: grid_spec.as_deref(),
                export: export.as_deref(),
                ease_lambdas: &ease_lambdas,
            };
            eval(&events, catalog.as_deref(), &split_date, k as usize, model, input, &outputs)
        }
        Command::Forecast { events, catalog, horizon_weeks, method, out, html, evaluate, split_date, methods, input } => {
            let named = |name: &str| Method::from_name(name).ok_or_else(|| format!("no forecasting method named {name:?}"));
            let method = named(&method)?;
            let methods =
                if methods.is_empty() { Method::ALL.to_vec() } else { methods.iter().map(|m| named(m)).collect::<Result<_, _>>()? };
            let (history, facts) = load_sales(&events, catalog.as_deref(), input)?;
            if evaluate {
                forecast_evaluate(&history, &facts, &split_date, &methods, html.as_deref())
            } else {
                forecast_write(&history, &facts, method, horizon_weeks as usize, out.as_deref(), html.as_deref())
            }
        }
        Command::Recommend { pack, histories, shelf, options, k, as_of, out } => {
            let request = batch_request(&shelf, k as usize, options.as_deref()).map_err(|e| format!("recommend: {e}"))?;
            recommend(&pack, &histories, request, as_of.as_deref(), out.as_deref())
        }
        Command::Report { action: Some(ReportAction::Simulate { devices, epsilon, seed, out, table, repeats }), .. } => {
            if table {
                simulate_table(repeats, seed)
            } else {
                simulate_once(devices, epsilon, seed, out.as_deref())
            }
        }
        Command::Report { action: None, inputs, html, json, value_buckets } => {
            report(&inputs, html.as_deref(), json.as_deref(), &value_buckets)
        }
        Command::Collect { host, port, path, out, max_body, rotate_bytes, keep } => {
            let config = CollectorConfig { host, port, path, out, max_body, rotate_bytes, keep };
            shelfwise::reports::collect::run(&config, |url| {
                println!("collecting reports at {url} into {}", config.out.display());
            })
        }
    }
}

fn print_report(what: &str, report: &ReadReport) {
    eprint!("{}", report.render(what));
}

fn now_ms() -> i64 {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<i64>().ok()) {
        return epoch * 1000;
    }
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn build(
    events_path: &Path,
    catalog_path: Option<&Path>,
    out: &Path,
    model: ModelArgs,
    input: InputArgs,
    extras: &BuildExtras,
    layout: Layout,
) -> Result<(), String> {
    let started = Instant::now();
    let built_at_ms = input.build_time_ms();
    let (events, catalog, read) = load_inputs(events_path, catalog_path, input.max_skipped, built_at_ms)?;
    let imported = match &extras.vectors {
        Some(path) => {
            let step = spinner(format!("reading {}", path.display()));
            let columns = VectorColumns { id: extras.vector_id_column.clone(), vector: extras.vector_column.clone() };
            let read = read_vectors(path, extras.vector_ids.as_deref(), &columns);
            step.finish_and_clear();
            let (vectors, report) = read.map_err(|e| e.to_string())?;
            print_report("vectors", &report);
            Some((path, vectors))
        }
        None => None,
    };
    let reading = started.elapsed();

    let training_started = Instant::now();
    let mut config = model.build_config(built_at_ms);
    if imported.is_some() {
        // The imported vectors replace the model: no ALS iterations, one placeholder factor.
        config.als.iterations = 0;
        config.als.factors = 1;
    }
    let mut preparing = Some(spinner("preparing items and interactions"));
    let bar = training_bar(config.als.iterations, "training embeddings (ALS)");
    let (mut contents, summary) = assemble(&catalog, &events, &config, &mut |i| {
        if let Some(step) = preparing.take() {
            step.finish_and_clear();
        }
        bar.set_position(i as u64 + 1);
    })
    .map_err(|e| e.to_string())?;
    if let Some(step) = preparing.take() {
        step.finish_and_clear();
    }
    bar.finish_and_clear();
    let applied = imported.as_ref().map(|(path, vectors)| (path, vectors.dim, apply_vectors(&mut contents, vectors)));
    let images = add_image_vectors(&mut contents, extras)?;
    if let Some(path) = &extras.rules {
        contents.rules = shelfwise::build::rules::read_rules(path, &contents).map_err(|e| e.to_string())?;
        eprintln!("rules {}: {} rules", path.display(), contents.rules.len());
    }
    let training = training_started.elapsed();

    let writing_started = Instant::now();
    let step = spinner(format!("encoding and writing {}", out.display()));
    let bytes = contents.encode().map_err(|e| e.to_string())?;
    let sharded = write_pack(&bytes, out, layout)?;
    step.finish_and_clear();
    let shelves = match &extras.static_shelves {
        Some(path) => Some((path, write_static_shelves(&bytes, path, extras.static_k as usize)?)),
        None => None,
    };
    let writing = writing_started.elapsed();

    let left_out: u64 = summary.events_skipped.values().sum();
    eprintln!("built {}", out.display());
    eprintln!(
        "  items      {} ({} with interactions), {} categories, dim {}",
        summary.items,
        summary.items_with_interactions,
        contents.categories.len(),
        contents.dim
    );
    eprintln!(
        "  events     {} rows read: {} used for training by {} shoppers; skipped {} ({} bad rows, {} by cleaning rules, {} left out by the builder)",
        read.rows,
        summary.events_used,
        summary.shoppers,
        read.bad + read.cleaned + left_out,
        read.bad,
        read.cleaned,
        left_out
    );
    for (reason, n) in &summary.events_skipped {
        eprintln!("               left out: {reason}: {n}");
    }
    if !summary.unknown_items.is_empty() {
        eprintln!("               {}", summary.unknown_items_text());
    }
    if let Some((path, dim, applied)) = applied {
        eprintln!(
            "  vectors    dim {dim} from {}: {} items matched, {} without a vector (zero: popularity only), {} vectors for ids not in the catalog left out",
            path.display(),
            applied.matched,
            applied.missing,
            applied.unknown
        );
    }
    if let Some((path, images)) = images {
        eprintln!(
            "  images     dim {} from {}: {} items with an image vector, {} without (no look-alikes)",
            images.dim,
            path.display(),
            images.matched,
            images.missing
        );
    }
    if let Some((path, shelves)) = &shelves {
        eprintln!(
            "  static     {}: {} items with shelves, {} categories trending (similar: {}, bought together: {}, trending: {}), {} bytes",
            path.display(),
            shelves.items,
            shelves.categories,
            shelves.sources.similar,
            shelves.sources.bought_together,
            shelves.sources.trending,
            shelves.bytes
        );
    }
    eprintln!(
        "  pack       {} bytes ({:.1} bytes/item), format v{}",
        bytes.len(),
        bytes.len() as f64 / summary.items.max(1) as f64,
        read_header(&bytes).map_or_else(|_| "?".to_owned(), |h| h.format_version.to_string())
    );
    if let Some(sharded) = &sharded {
        eprintln!(
            "  sharded    {}/: {} B bootstrap ({} items), {} chunks, {} B in all",
            out.display(),
            sharded.bootstrap.len(),
            Bootstrap::decode(&sharded.bootstrap).map_or(0, |b| b.records.items.len()),
            sharded.chunks.len(),
            sharded.total_bytes()
        );
    }
    eprintln!(
        "  time       {:.2}s (reading {:.2}s, training {:.2}s, encoding and writing {:.2}s)",
        started.elapsed().as_secs_f64(),
        reading.as_secs_f64(),
        training.as_secs_f64(),
        writing.as_secs_f64()
    );
    Ok(())
}

/// Writes the encoded single pack `bytes` as `layout` says: a file at `out`, or a sharded
/// folder at `out` (returned, for the summary).
/// Reads `--image-vectors` (if given) into the contents' image embeddings.
fn add_image_vectors<'a>(contents: &mut PackContents, extras: &'a BuildExtras) -> Result<Option<(&'a Path, AppliedImageVectors)>, String> {
    let Some(path) = extras.image_vectors.as_deref() else { return Ok(None) };
    let step = spinner(format!("reading {}", path.display()));
    let columns = VectorColumns { id: extras.image_vector_id_column.clone(), vector: extras.image_vector_column.clone() };
    let vectors = read_image_vectors(path, extras.image_vector_ids.as_deref(), &columns).map_err(|e| e.to_string())?;
    step.finish_and_clear();
    let applied = apply_image_vectors(contents, &vectors, path).map_err(|e| e.to_string())?;
    Ok(Some((path, applied)))
}

fn write_pack(bytes: &[u8], out: &Path, layout: Layout) -> Result<Option<ShardedPack>, String> {
    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => bytes.len() > AUTO_SHARDED_ABOVE,
    };
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create folder: {e}", dir.display()))?;
    }
    if !sharded {
        fs::write(out, bytes).map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
        return Ok(None);
    }
    let contents = Pack::open(bytes).map_err(|e| e.to_string())?.to_contents();
    let pack = split(&contents, &ShardConfig::default()).map_err(|e| e.to_string())?;
    if out.is_file() {
        return Err(format!("{}: is a file; a sharded pack is written as a folder (use another --out or --layout single)", out.display()));
    }
    pack.write_folder(out)?;
    Ok(Some(pack))
}

/// What [`write_static_shelves`] wrote, for the summary.
struct StaticSummary {
    items: usize,
    categories: usize,
    sources: Sources,
    bytes: usize,
}

/// Computes the static shelves of the pack `bytes` and writes them as JSON to `path`.
fn write_static_shelves(bytes: &[u8], path: &Path, k: usize) -> Result<StaticSummary, String> {
    let step = spinner(format!("computing static shelves into {}", path.display()));
    let pack = Pack::open(bytes).map_err(|e| format!("the pack just written does not open: {e}"))?;
    let shelves = static_shelves(&pack, k);
    let text = serde_json::to_string(&shelves).map_err(|e| e.to_string())? + "\n";
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create folder: {e}", dir.display()))?;
    }
    fs::write(path, &text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    step.finish_and_clear();
    Ok(StaticSummary { items: shelves.items.len(), categories: shelves.trending.len(), sources: shelves.sources, bytes: text.len() })
}

fn shard(path: &Path, out: &Path, items_per_partition: usize) -> Result<(), String> {
    let bytes = read_pack_file(path).map_err(|e| e.to_string())?;
    let contents = Pack::open(bytes.as_slice()).map_err(|e| e.to_string())?.to_contents();
    let pack = split(&contents, &ShardConfig { items_per_partition, ..ShardConfig::default() }).map_err(|e| e.to_string())?;
    if out.is_file() {
        return Err(format!("{}: is a file; a sharded pack is written as a folder", out.display()));
    }
    pack.write_folder(out)?;
    eprintln!(
        "sharded {} into {}/: {} B bootstrap, {} chunks, {} B in all",
        path.display(),
        out.display(),
        pack.bootstrap.len(),
        pack.chunks.len(),
        pack.total_bytes()
    );
    Ok(())
}

/// Runs `print` on a locked stdout. A closed stdout (`shelfwise inspect pack | head`) ends the
/// output quietly, as Unix tools do; any other write error is reported.
fn to_stdout(print: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match print(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| format!("cannot write to stdout: {e}")),
    }
}

fn inspect(path: &Path, as_json: bool) -> Result<(), String> {
    let fail = |message: String, kind: &str, format_version: Option<u16>| {
        if as_json {
            let v =
                json!({ "file": path.display().to_string(), "ok": false, "error": message, "kind": kind, "formatVersion": format_version });
            to_stdout(|out| writeln!(out, "{v}"))?;
        }
        Err(format!("{}: {message}", path.display()))
    };
    let bytes = match read_pack_file(path) {
        Ok(bytes) => bytes,
        Err(e) if matches!(e.problem, PackFileProblem::Io(_)) => return Err(e.to_string()),
        Err(e) => return fail(e.problem.to_string(), e.problem.kind(), e.problem.format_version()),
    };
    let pack = match Pack::open(bytes.as_slice()) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string(), e.kind(), read_header(&bytes).ok().map(|h| h.format_version)),
    };
    if as_json {
        to_stdout(|out| writeln!(out, "{}", inspect_json(path, &pack)))
    } else {
        to_stdout(|out| inspect_text(out, path, &pack))
    }
}

fn inspect_json(path: &Path, pack: &Pack<&[u8]>) -> serde_json::Value {
    let (h, m) = (pack.header(), pack.meta());
    let sections: Vec<_> =
        pack.sections().iter().map(|s| json!({ "name": s.kind.name(), "offset": s.range.start, "bytes": s.range.len() })).collect();
    let (major, minor, patch) = h.builder_version;
    json!({
        "file": path.display().to_string(), "ok": true, "bytes": pack.byte_len(),
        "formatVersion": h.format_version, "builderVersion": format!("{major}.{minor}.{patch}"),
        "checksum": format!("{:08x}", h.checksum), "checksumOk": true,
        "items": m.item_count, "dim": m.dim, "categories": m.category_count, "brands": m.brand_count,
        "builtAtMs": m.built_at_ms, "trainingEvents": m.training_events,
        "bytesPerItem": pack.byte_len() as f64 / f64::from(m.item_count.max(1)),
        "sections": sections,
    })
}

fn inspect_text(out: &mut dyn Write, path: &Path, pack: &Pack<&[u8]>) -> io::Result<()> {
    let (h, m) = (pack.header(), pack.meta());
    let (major, minor, patch) = h.builder_version;
    writeln!(out, "{}: Shelfwise pack, format v{}, built by shelfwise {major}.{minor}.{patch}", path.display(), h.format_version)?;
    writeln!(out, "  checksum  crc32 {:08x} (ok)", h.checksum)?;
    writeln!(out, "  items     {}", m.item_count)?;
    writeln!(out, "  dim       {}", m.dim)?;
    writeln!(out, "  categories {}  brands {}", m.category_count, m.brand_count)?;
    writeln!(out, "  trained on {} events", m.training_events)?;
    writeln!(out, "  size      {} bytes ({:.1} bytes/item)", pack.byte_len(), pack.byte_len() as f64 / f64::from(m.item_count.max(1)))?;
    writeln!(out, "  sections:")?;
    for s in pack.sections() {
        writeln!(out, "    {:<18} offset {:>10}  {:>10} bytes", s.kind.name(), s.range.start, s.range.len())?;
    }
    Ok(())
}

fn demo_data(out: &Path, items: usize, shoppers: usize, seed: u64) -> Result<(), String> {
    let config = SynthConfig { seed, items, shoppers, ..SynthConfig::default() };
    let step = spinner("generating the synthetic shop");
    let shop = synth::generate(&config);
    step.finish_and_clear();
    let img = out.join("img");
    fs::create_dir_all(&img).map_err(|e| format!("{}: cannot create folder: {e}", img.display()))?;
    let mut writer = csv::Writer::from_path(out.join("catalog.csv")).map_err(|e| e.to_string())?;
    for item in &shop.catalog {
        writer.serialize(item).map_err(|e| e.to_string())?;
    }
    writer.flush().map_err(|e| e.to_string())?;
    let mut lines = String::new();
    for e in &shop.events {
        let mut v = json!({ "shopper": e.shopper, "type": e.kind.as_str(), "ts": e.ts_ms });
        if !e.item.is_empty() {
            v["item"] = json!(e.item);
        }
        if e.qty != 1 {
            v["qty"] = json!(e.qty);
        }
        if let Some(p) = e.price {
            v["price"] = json!(p);
        }
        if let Some(b) = &e.basket {
            v["basket"] = json!(b);
        }
        if let Some(q) = &e.query {
            v["query"] = json!(q);
        }
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    fs::write(out.join("events.jsonl"), lines).map_err(|e| e.to_string())?;
    for (name, svg) in synth::category_images(&shop) {
        fs::write(img.join(&name), svg).map_err(|e| format!("{name}: {e}"))?;
    }
    let mut images = String::new();
    for (id, vector) in synth::image_vectors(&shop) {
        let values: Vec<String> = vector.iter().map(|x| format!("{x:.4}")).collect();
        images.push_str(&format!("{id},{}\n", values.join(",")));
    }
    fs::write(out.join("image_vectors.csv"), images).map_err(|e| format!("image_vectors.csv: {e}"))?;
    eprintln!(
        "wrote {}: {} products, {} shoppers, {} events (catalog.csv, events.jsonl, image_vectors.csv, img/)",
        out.display(),
        shop.catalog.len(),
        shoppers,
        shop.events.len()
    );
    Ok(())
}

/// What reading the events file gave, for the build summary.
#[derive(Clone, Copy, Debug, Default)]
struct EventsRead {
    /// Data rows seen.
    rows: u64,
    /// Rows removed by the documented cleaning rules.
    cleaned: u64,
    /// Malformed rows skipped.
    bad: u64,
}

impl EventsRead {
    fn of(report: &ReadReport) -> EventsRead {
        EventsRead { rows: report.rows, cleaned: report.cleaned_total(), bad: report.skipped_total() }
    }
}

/// Reads events (dropping those after `build_time_ms`) and the catalog (given, or derived from
/// the Online Retail CSV), with a spinner while each file is read; fails when either lost more
/// than `max_skipped` of its rows.
fn load_inputs(
    events_path: &Path,
    catalog_path: Option<&Path>,
    max_skipped: f64,
    build_time_ms: i64,
) -> Result<(Vec<RawEvent>, Vec<CatalogItem>, EventsRead), String> {
    load_inputs_and_cancellations(events_path, catalog_path, max_skipped, build_time_ms).map(|l| (l.events, l.catalog, l.read))
}

/// What [`load_inputs_and_cancellations`] read.
struct LoadedInputs {
    events: Vec<RawEvent>,
    catalog: Vec<CatalogItem>,
    read: EventsRead,
    /// The Online Retail file's cancelled lines (none for JSONL events).
    cancellations: Vec<RawEvent>,
}

/// [`load_inputs`], plus the Online Retail file's cancelled lines.
fn load_inputs_and_cancellations(
    events_path: &Path,
    catalog_path: Option<&Path>,
    max_skipped: f64,
    build_time_ms: i64,
) -> Result<LoadedInputs, String> {
    let step = spinner(format!("reading {}", events_path.display()));
    let mut cancellations = Vec::new();
    let read = match detect_events_format(events_path).map_err(|e| e.to_string()) {
        Ok(EventsFormat::OnlineRetail) => read_online_retail(events_path, build_time_ms).map(|(data, report)| {
            cancellations = data.cancellations;
            (data.events, Some(data.catalog), report)
        }),
        Ok(EventsFormat::Jsonl) => read_events_jsonl(events_path, build_time_ms).map(|(events, report)| (events, None, report)),
        Err(message) => {
            step.finish_and_clear();
            return Err(message);
        }
    };
    step.finish_and_clear();
    let (events, derived_catalog, report) = read.map_err(|e| e.to_string())?;
    print_report("events", &report);
    let events_read = EventsRead::of(&report);
    let catalog = match (catalog_path, derived_catalog) {
        (Some(path), _) => {
            let step = spinner(format!("reading {}", path.display()));
            let read = read_catalog(path);
            step.finish_and_clear();
            let (items, report) = read.map_err(|e| e.to_string())?;
            print_report("catalog", &report);
            report.check_loss(max_skipped).map_err(|e| e.to_string())?;
            items
        }
        (None, Some(items)) => items,
        (None, None) => {
            return Err(format!(
                "{}: JSONL events need a catalog: pass --catalog FILE (CSV or JSONL with id,title,price,…)",
                events_path.display()
            ))
        }
    };
    report.check_loss(max_skipped).map_err(|e| e.to_string())?;
    Ok(LoadedInputs { events, catalog, read: events_read, cancellations })
}

/// The events as weekly-sales input: cancellations netted (and said), events indexed, and the
/// global model's per-item facts from the catalog.
fn load_sales(events: &Path, catalog: Option<&Path>, input: InputArgs) -> Result<(IndexedEvents, ItemFacts), String> {
    let LoadedInputs { mut events, catalog, cancellations, .. } =
        load_inputs_and_cancellations(events, catalog, input.max_skipped, input.build_time_ms())?;
    if !cancellations.is_empty() {
        let n = net_cancellations(&mut events, &cancellations);
        eprintln!(
            "cancellations: {} units taken off the same customers' earlier purchases, {} units with no earlier purchase in the file ignored",
            n.matched_units, n.unmatched_units
        );
    }
    Ok((index_events(&catalog, &events), ItemFacts::from_catalog(&catalog)))
}

/// The eval report with the sales forecast's page appended (the baselines and the global model,
/// 4 and 8 weeks from the split); unchanged when there are too few weeks around the split.
fn with_forecast_page(html: String, events: &Path, catalog: Option<&Path>, input: InputArgs, split_ms: i64) -> Result<String, String> {
    let (history, facts) = load_sales(events, catalog, input)?;
    let methods = [Method::Last4, Method::Mean12, Method::Linear12, Method::DampedHolt, Method::Global];
    match forecasting::evaluate::evaluate(&history, &facts, split_ms, &[4, 8], &methods) {
        Ok(evaluation) => {
            let section = forecasting::report::evaluation_section(&evaluation, &facts);
            Ok(html.replacen("</body>", &format!("{section}</body>"), 1))
        }
        Err(e) => {
            eprintln!("no sales forecast page: {e}");
            Ok(html)
        }
    }
}

/// `forecast --evaluate`: every method on every split, 4 and 8 weeks ahead.
fn forecast_evaluate(
    history: &IndexedEvents,
    facts: &ItemFacts,
    split_dates: &[String],
    methods: &[Method],
    html: Option<&Path>,
) -> Result<(), String> {
    let mut evaluations = Vec::new();
    for date in split_dates {
        let split_ms = parse_split_date(date).map_err(|e| e.to_string())?;
        let step = spinner(format!("forecasting from {date} with every method"));
        let evaluated = forecasting::evaluate::evaluate(history, facts, split_ms, &[4, 8], methods);
        step.finish_and_clear();
        let evaluation = evaluated.map_err(|e| format!("split {date}: {e}"))?;
        println!("split {date}: {} weeks of history, {} products sold in them", evaluation.history_weeks, evaluation.products);
        print!("{}", evaluation.render());
        evaluations.push(evaluation);
    }
    if let Some(path) = html {
        fs::write(path, forecasting::report::evaluation_html(&evaluations, facts))
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(())
}

/// `forecast`: the weeks after the newest purchase, as CSV and HTML.
fn forecast_write(
    history: &IndexedEvents,
    facts: &ItemFacts,
    method: Method,
    horizon: usize,
    out: Option<&Path>,
    html: Option<&Path>,
) -> Result<(), String> {
    let step = spinner(format!("forecasting {horizon} weeks with {}", method.name()));
    let made = forecasting::ShopForecast::new(history, facts, method, horizon);
    step.finish_and_clear();
    let made = made.map_err(|e| e.to_string())?;
    let write = |path: &Path, text: String| fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()));
    match out {
        Some(path) => write(path, made.csv(facts))?,
        None => print!("{}", made.csv(facts)),
    }
    if let Some(path) = html {
        write(path, forecasting::report::forecast_html(&made, facts))?;
    }
    eprintln!("{}", made.summary());
    Ok(())
}

/// Where `eval` writes besides stdout.
struct EvalOutputs<'a> {
    json: Option<&'a Path>,
    report: Option<&'a Path>,
    grid: Option<&'a Path>,
    grid_spec: Option<&'a Path>,
    export: Option<&'a Path>,
    ease_lambdas: &'a [f64],
}

fn eval(
    events_path: &Path,
    catalog_path: Option<&Path>,
    split_date: &str,
    k: usize,
    model: ModelArgs,
    input: InputArgs,
    outputs: &EvalOutputs,
) -> Result<(), String> {
    let started = Instant::now();
    let split_ms = parse_split_date(split_date).map_err(|e| e.to_string())?;
    let (events, catalog, _) = load_inputs(events_path, catalog_path, input.max_skipped, input.build_time_ms())?;
    let config = EvalConfig { k, split_ms, build: model.build_config(split_ms) };
    let bar = training_bar(model.iterations, "training embeddings on the train part (ALS)");
    if let Some(dir) = outputs.export {
        let exported = export_split(&catalog, &events, &config, dir, &mut |i| bar.set_position(i as u64 + 1));
        bar.finish_and_clear();
        let summary = exported.map_err(|e| e.to_string())?;
        println!(
            "split {split_date}: {} shoppers ({} in discovery), {} history events, written to {}",
            summary.shoppers,
            summary.discovery_shoppers,
            summary.history_events,
            dir.display()
        );
        eprintln!("exported in {:.1}s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    if let Some(path) = outputs.grid {
        let spec = match outputs.grid_spec {
            Some(p) => {
                let text = fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))?;
                serde_json::from_str::<GridSpec>(&text).map_err(|e| format!("{}: not a grid spec: {e}", p.display()))?
            }
            None => GridSpec::default(),
        };
        let rows = weight_grid(&catalog, &events, &config, &spec, &mut |i| bar.set_position(i as u64 + 1));
        bar.finish_and_clear();
        let rows = rows.map_err(|e| e.to_string())?;
        fs::write(path, grid_tsv(&rows)).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        println!("split {split_date}: {} grid points written to {}", rows.len(), path.display());
        print!("{}", grid_best(&rows, 5));
        eprintln!("grid measured in {:.1}s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    if !outputs.ease_lambdas.is_empty() {
        let table = ease_sweep(&catalog, &events, &config, outputs.ease_lambdas, &mut |i| bar.set_position(i as u64 + 1));
        bar.finish_and_clear();
        println!("split {split_date}");
        print!("{}", table.map_err(|e| e.to_string())?);
        eprintln!("swept in {:.1}s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    let mut ranking: Option<ProgressBar> = None;
    let iterations = model.iterations;
    let evaluated = evaluate(&catalog, &events, &config, &mut |i| {
        bar.set_position(i as u64 + 1);
        if i + 1 == iterations && ranking.is_none() {
            bar.finish_and_clear();
            ranking = Some(spinner("ranking the test shoppers' shelves and the baselines"));
        }
    });
    bar.finish_and_clear();
    if let Some(step) = ranking {
        step.finish_and_clear();
    }
    let report = evaluated.map_err(|e| e.to_string())?;
    println!("split {split_date}");
    print!("{}", report.table());
    if let Some(path) = outputs.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        fs::write(path, text + "\n").map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    if let Some(path) = outputs.report {
        let title = format!("Shelfwise evaluation, split {split_date}");
        let html = with_forecast_page(html_report(&report, &title), events_path, catalog_path, input, split_ms)?;
        fs::write(path, html).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    eprintln!("evaluated in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn recommend(pack_path: &Path, histories: &Path, request: ShelfRequest, as_of: Option<&str>, out: Option<&Path>) -> Result<(), String> {
    let as_of_ms = match as_of {
        None => None,
        Some(s) => Some(parse_time_arg(s).map_err(|e| format!("--as-of: {e}"))?),
    };
    let bytes = read_pack_file(pack_path).map_err(|e| match e.problem {
        PackFileProblem::Io(source) => format!("{}: cannot read the pack: {source}", pack_path.display()),
        problem => format!("{}: not a usable pack: {problem}", pack_path.display()),
    })?;
    let mut engine = Engine::open(bytes).map_err(|e| format!("{}: not a usable pack: {e}", pack_path.display()))?;
    let config = RecommendConfig { request, as_of_ms, now_ms: now_ms() };
    check_request(&mut engine, &config).map_err(|e| format!("recommend: {e}"))?;
    let source = histories.display().to_string();
    let input: Box<dyn std::io::Read> = if histories.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(fs::File::open(histories).map_err(|e| format!("{source}: cannot read: {e}"))?)
    };
    let writer: Box<dyn std::io::Write> = match out {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create folder: {e}", dir.display()))?;
            }
            let file = fs::File::create(path).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            Box::new(std::io::BufWriter::new(file))
        }
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let step = spinner(format!("ranking shelves for {source}"));
    let streamed = recommend_stream(&mut engine, input, &source, writer, &config);
    step.finish_and_clear();
    let summary = streamed.map_err(|e| e.to_string())?;
    eprintln!("recommend {source}: {} lines, {} shelves, {} lines with errors", summary.lines, summary.ok, summary.error_total());
    for (kind, n) in &summary.errors {
        eprintln!("  {kind}: {n}");
    }
    Ok(())
}

fn report(inputs: &[PathBuf], html: Option<&Path>, json_out: Option<&Path>, value_buckets: &[f64]) -> Result<(), String> {
    if inputs.is_empty() {
        return Err("report: pass the report files with --in FILE (or run `shelfwise report simulate`)".into());
    }
    let buckets = ValueBuckets::new(value_buckets).map_err(|e| format!("--value-buckets: {e}"))?;
    let read = read_reports(inputs)?;
    eprintln!("read {} lines: {} reports, {} bad lines skipped", read.lines, read.reports.len(), read.bad);
    for problem in &read.problems {
        eprintln!("  {problem}");
    }
    if read.bad as usize > read.problems.len() {
        eprintln!("  … {} more bad lines not listed", read.bad as usize - read.problems.len());
    }
    let estimates = analyse(&read.reports, &buckets);
    print!("{}", table(&estimates));
    if let Some(path) = html {
        fs::write(path, html_page(&estimates, "Shelfwise measurement report"))
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    if let Some(path) = json_out {
        let text = serde_json::to_string_pretty(&estimates).map_err(|e| e.to_string())?;
        fs::write(path, text + "\n").map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(())
}

fn simulate_once(devices: usize, epsilon: f64, seed: u64, out: Option<&Path>) -> Result<(), String> {
    let population = simulate::default_population();
    let reports = simulate::simulate(&population, devices, epsilon, seed).map_err(|e| e.to_string())?;
    if let Some(path) = out {
        let mut text = String::new();
        for r in &reports {
            text.push_str(&serde_json::to_string(r).map_err(|e| e.to_string())?);
            text.push('\n');
        }
        fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    let Some(estimates) = simulate::estimate(&reports) else { return Err("no reports were simulated".into()) };
    print!("{}", table(std::slice::from_ref(&estimates)));
    let pairs = simulate::with_truth(&population, &estimates);
    let covered = pairs.iter().filter(|(_, e, t)| e.is_some_and(|e| e.covers(*t))).count();
    let estimated = pairs.iter().filter(|(_, e, _)| e.is_some()).count();
    println!("estimate against the truth ({devices} devices, ε {epsilon}, seed {seed}):");
    for (name, e, truth) in &pairs {
        let mark = match e {
            None => "",
            Some(e) if e.covers(*truth) => "covered",
            Some(_) => "MISSED",
        };
        println!("  {name:<40} true {:6.2}%  estimate {}  {mark}", 100.0 * truth, shelfwise::reports::analysis::percent(*e));
    }
    println!("{covered} of {estimated} 95% intervals cover the truth ({} estimates not possible)", pairs.len() - estimated);
    Ok(())
}

fn simulate_table(repeats: usize, seed: u64) -> Result<(), String> {
    let started = Instant::now();
    let rows = simulate::error_table(&[0.5, 1.0, 2.0], &[1_000, 10_000, 100_000], repeats, seed).map_err(|e| e.to_string())?;
    print!("{}", simulate::format_error_table(&rows, repeats));
    eprintln!("simulated in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
