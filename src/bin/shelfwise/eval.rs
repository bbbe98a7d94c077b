//! `shelfwise eval`: "for you" against baselines on a temporal split, as a table (with JSON and
//! an HTML report), or instead the blend's weight grid, EASE's λ sweep or the split exported.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use indicatif::ProgressBar;

use shelfwise::build::eval::{ease_sweep, evaluate, grid_best, grid_tsv, parse_split_date, weight_grid, EvalConfig, GridSpec};
use shelfwise::build::eval_export::export_split;
use shelfwise::build::file_error::FileError;
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::report::html_report;

use crate::args::{parse_lambda, InputArgs, ModelArgs};
use crate::error::CliError;
use crate::forecast::with_forecast_page;
use crate::inputs::load_inputs;
use crate::progress::{spinner, training_bar};

/// `eval --help`'s examples.
pub const EXAMPLES: &str = "\
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

// The flags of `eval` (its help text is the `Command::Eval` variant's).
#[derive(Args)]
pub struct EvalArgs {
    /// Events: canonical JSONL, the Online Retail CSV (detected by its header; .gz ok), or Parquet
    /// (a .parquet file or a folder of Spark part files; docs/INPUT_FORMATS.md).
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
}

/// The inputs every kind of evaluation starts from.
struct Split<'a> {
    args: &'a EvalArgs,
    events: Vec<RawEvent>,
    catalog: Vec<CatalogItem>,
    config: EvalConfig,
    /// The training bar, advanced once per ALS iteration.
    bar: ProgressBar,
    started: Instant,
}

/// Runs `shelfwise eval`.
pub fn run(args: &EvalArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let split_ms = parse_split_date(&args.split_date)?;
    let (events, catalog, _) = load_inputs(&args.events, args.catalog.as_deref(), args.input.max_skipped, args.input.build_time_ms())?;
    let config = EvalConfig { k: args.k as usize, split_ms, build: args.model.build_config(split_ms) };
    let bar = training_bar(args.model.iterations, "training embeddings on the train part (ALS)");
    let split = Split { args, events, catalog, config, bar, started };
    if let Some(dir) = &args.export {
        export(&split, dir)
    } else if let Some(path) = &args.grid {
        grid(&split, path)
    } else if !args.ease_lambdas.is_empty() {
        sweep(&split)
    } else {
        table(&split)
    }
}

/// `--export DIR`: the split written out for a replay elsewhere.
fn export(split: &Split, dir: &Path) -> Result<(), CliError> {
    let Split { events, catalog, config, bar, .. } = split;
    let exported = export_split(catalog, events, config, dir, &mut |i| bar.set_position(i as u64 + 1));
    bar.finish_and_clear();
    let summary = exported?;
    println!(
        "split {}: {} shoppers ({} in discovery), {} history events, written to {}",
        split.args.split_date,
        summary.shoppers,
        summary.discovery_shoppers,
        summary.history_events,
        dir.display()
    );
    eprintln!("exported in {:.1}s", split.started.elapsed().as_secs_f64());
    Ok(())
}

/// `--grid FILE`: every point of the weight grid as TSV, the best ones on stdout.
fn grid(split: &Split, path: &Path) -> Result<(), CliError> {
    let Split { events, catalog, config, bar, .. } = split;
    let spec = match &split.args.grid_spec {
        Some(p) => {
            let text = fs::read_to_string(p).map_err(FileError::read(p))?;
            serde_json::from_str::<GridSpec>(&text).map_err(|source| CliError::Json { path: p.clone(), what: "grid spec", source })?
        }
        None => GridSpec::default(),
    };
    let rows = weight_grid(catalog, events, config, &spec, &mut |i| bar.set_position(i as u64 + 1));
    bar.finish_and_clear();
    let rows = rows?;
    fs::write(path, grid_tsv(&rows)).map_err(FileError::write(path))?;
    println!("split {}: {} grid points written to {}", split.args.split_date, rows.len(), path.display());
    print!("{}", grid_best(&rows, 5));
    eprintln!("grid measured in {:.1}s", split.started.elapsed().as_secs_f64());
    Ok(())
}

/// `--ease-lambdas`: EASE's λ sweep.
fn sweep(split: &Split) -> Result<(), CliError> {
    let Split { events, catalog, config, bar, .. } = split;
    let table = ease_sweep(catalog, events, config, &split.args.ease_lambdas, &mut |i| bar.set_position(i as u64 + 1));
    bar.finish_and_clear();
    println!("split {}", split.args.split_date);
    print!("{}", table?);
    eprintln!("swept in {:.1}s", split.started.elapsed().as_secs_f64());
    Ok(())
}

/// The evaluation table, and with `--json` / `--report` the same results as JSON / HTML.
fn table(split: &Split) -> Result<(), CliError> {
    let Split { args, events, catalog, config, bar, .. } = split;
    let mut ranking: Option<ProgressBar> = None;
    let iterations = args.model.iterations;
    let evaluated = evaluate(catalog, events, config, &mut |i| {
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
    let report = evaluated?;
    println!("split {}", args.split_date);
    print!("{}", report.table());
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|source| CliError::ToJson { path: path.clone(), source })?;
        fs::write(path, text + "\n").map_err(FileError::write(path))?;
    }
    if let Some(path) = &args.report {
        let title = format!("Shelfwise evaluation, split {}", args.split_date);
        let html = with_forecast_page(html_report(&report, &title), &args.events, args.catalog.as_deref(), args.input, config.split_ms)?;
        fs::write(path, html).map_err(FileError::write(path))?;
    }
    eprintln!("evaluated in {:.1}s", split.started.elapsed().as_secs_f64());
    Ok(())
}
