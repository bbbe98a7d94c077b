//! `shelfwise`: the offline pack builder and inspector.
//!
//! Every command's `--help` ends with examples. Long steps show progress on stderr (a bar for
//! training, spinners for reading, encoding and ranking; drawn only when stderr is a terminal),
//! and `build` ends with a summary: items, events read/used/skipped, pack size and time.
//!
//! This file only declares the commands and dispatches to them: each command's flags and code
//! live in its own module, the flags two commands share in [`args`], reading the inputs in
//! [`inputs`], the progress display in [`progress`] and why a command failed in [`error`].

mod args;
mod build;
mod collect;
mod demo_data;
mod error;
mod eval;
mod forecast;
mod inputs;
mod inspect;
mod progress;
mod recommend;
mod report;
mod shard;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

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

#[derive(Subcommand)]
enum Command {
    /// Build a pack from a shop's events (and catalog).
    ///
    /// Reads the events and the catalog (bad rows are skipped and reported with file, line and
    /// field), trains the item embeddings and writes the pack; ends with a summary.
    #[command(after_help = build::EXAMPLES)]
    Build(build::BuildArgs),
    /// Print what is inside a pack (counts, dimension, sections, versions, checksum status).
    #[command(after_help = inspect::EXAMPLES)]
    Inspect(inspect::InspectArgs),
    /// Split a pack file into the sharded layout: a folder with bootstrap.shard and the
    /// content-hashed chunks the browser fetches on demand (what `build --layout sharded` writes).
    #[command(after_help = shard::EXAMPLES)]
    Shard(shard::ShardArgs),
    /// Write the synthetic demo shop (catalog.csv, events.jsonl, img/*.svg) into a folder.
    #[command(after_help = demo_data::EXAMPLES)]
    DemoData(demo_data::DemoDataArgs),
    /// Evaluate "for you" against baselines on a temporal split (train before, test after).
    ///
    /// Builds a pack from the events before the split date only, then ranks the full catalog
    /// for every shopper with train events and test purchases, and prints Recall@K, NDCG@K and
    /// catalog coverage for the for-you and discovery tasks.
    #[command(verbatim_doc_comment, after_help = eval::EXAMPLES)]
    Eval(eval::EvalArgs),
    /// Forecast weekly unit sales per product (with 80% intervals) and the shop's total.
    ///
    /// Without --evaluate: forecasts the weeks after the newest purchase and writes them as
    /// CSV (item,title,week_start,forecast,low80,high80; the shop total as item "*").
    /// With --evaluate: scores every method against the baselines on each --split-date for
    /// 4- and 8-week horizons (docs/FORECAST.md).
    #[command(verbatim_doc_comment, after_help = forecast::EXAMPLES)]
    Forecast(forecast::ForecastArgs),
    /// Rank a shelf for each shopper's history, through the same engine the browser runs.
    ///
    /// Input: JSONL, one shopper per line:
    ///   {"shopper":"17850","events":[{"item":"85123A","type":"purchase","ts":"2011-09-30T10:00:00Z","qty":1}]}
    /// Output: JSONL, one line per input line, in order:
    ///   {"shopper":"17850","items":["22423",...]}
    /// A line that cannot be used gets "items":[] and "error":{"kind":...,"message":"file:line N: ..."}
    /// and does not stop the run; a summary goes to stderr.
    #[command(verbatim_doc_comment, after_help = recommend::EXAMPLES)]
    Recommend(recommend::RecommendArgs),
    /// Debias collected measurement reports: per experiment and arm, device-days, conversion
    /// rate, shelf click rate, order-value distribution and share of orders via each shelf kind,
    /// each with a 95% interval, and lift over the control arm.
    #[command(args_conflicts_with_subcommands = true, after_help = report::EXAMPLES)]
    Report(report::ReportArgs),
    /// Collect daily measurement reports over HTTP into a JSONL file (the reference collector).
    ///
    /// Accepts POST PATH with a valid schema-1 report (204); refuses everything else with a
    /// status that says why (404, 405, 413, 415, 400, 422). Never logs or stores the sender's
    /// address or the time of arrival; rotates the file by size.
    #[command(verbatim_doc_comment, after_help = collect::EXAMPLES)]
    Collect(collect::CollectArgs),
}

fn main() -> ExitCode {
    quiet_guarded_panics();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A panic of the `parquet` crate on damaged data comes back as a typed error naming the file
/// ([`shelfwise::build::parquet_columns::guarded`]); the default hook would print it first, with
/// a backtrace. Every other panic is printed as before.
fn quiet_guarded_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !shelfwise::build::parquet_columns::in_guarded() {
            default(info);
        }
    }));
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Shard(args) => shard::run(&args),
        Command::DemoData(args) => demo_data::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Forecast(args) => forecast::run(&args),
        Command::Recommend(args) => recommend::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Collect(args) => collect::run(args),
    }
}
