//! `shelfwise`: the offline pack builder and inspector.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use shelfwise::build::assemble::{assemble, BuildConfig};
use shelfwise::build::eval::{evaluate, grid_best, grid_tsv, parse_split_date, weight_grid, EvalConfig, GridSpec};
use shelfwise::build::report::html_report;
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::read::{
    detect_events_format, parse_timestamp_str, read_catalog, read_events_jsonl, read_online_retail, EventsFormat,
    ReadReport,
};
use shelfwise::build::recommend::{recommend_stream, BatchShelf, RecommendConfig};
use shelfwise::build::synth::{self, SynthConfig};
use shelfwise::engine::Engine;
use shelfwise::pack::{reader::read_header, Pack};

#[derive(Parser)]
#[command(name = "shelfwise", version, about = "Build and inspect Shelfwise recommendation packs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The shelves `recommend` can rank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ShelfArg {
    /// The personalized "for you" shelf.
    ForYou,
    /// "For you" without anything the shopper already bought.
    Discovery,
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
        config
    }
}

/// A progress bar over the ALS iterations.
fn training_bar(iterations: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(iterations as u64).with_message(message);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

#[derive(Subcommand)]
enum Command {
    /// Build a pack from a shop's events (and catalog).
    ///
    /// Examples:
    ///   shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack
    ///   shelfwise build --events online_retail.csv.gz --out retail.pack
    #[command(verbatim_doc_comment)]
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
    },
    /// Print what is inside a pack (counts, dimension, sections, versions, checksum status).
    ///
    /// Example: shelfwise inspect shop.pack --json
    Inspect {
        /// The pack file.
        pack: PathBuf,
        /// Print JSON for machines.
        #[arg(long)]
        json: bool,
    },
    /// Write the synthetic demo shop (catalog.csv, events.jsonl, img/*.svg) into a folder.
    ///
    /// Example: shelfwise demo-data --out build/demo && shelfwise build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out shop.pack
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
    ///
    /// Example: shelfwise eval --events online_retail.csv.gz --split-date 2011-07-01 --k 20
    #[command(verbatim_doc_comment)]
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
    },
    /// Rank a shelf for each shopper's history, through the same engine the browser runs.
    ///
    /// Input: JSONL, one shopper per line:
    ///   {"shopper":"17850","events":[{"item":"85123A","type":"purchase","ts":"2011-09-30T10:00:00Z","qty":1}]}
    /// Output: JSONL, one line per input line, in order:
    ///   {"shopper":"17850","items":["22423",...]}
    /// A line that cannot be used gets "items":[] and "error":{"kind":...,"message":"file:line N: ..."}
    /// and does not stop the run; a summary goes to stderr.
    ///
    /// Example: shelfwise recommend --pack shop.pack --histories histories.jsonl --shelf for-you --k 20
    #[command(verbatim_doc_comment)]
    Recommend {
        /// The pack file.
        #[arg(long)]
        pack: PathBuf,
        /// Shoppers' histories as JSONL (`-` for stdin).
        #[arg(long)]
        histories: PathBuf,
        /// Which shelf to rank.
        #[arg(long, value_enum, default_value_t = ShelfArg::ForYou)]
        shelf: ShelfArg,
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
        Command::Build { events, catalog, out, model } => build(&events, catalog.as_deref(), &out, model),
        Command::Inspect { pack, json } => inspect(&pack, json),
        Command::DemoData { out, items, shoppers, seed } => demo_data(&out, items, shoppers, seed),
        Command::Eval { events, catalog, split_date, k, model, json, report, grid } => {
            let outputs = EvalOutputs { json: json.as_deref(), report: report.as_deref(), grid: grid.as_deref() };
            eval(&events, catalog.as_deref(), &split_date, k as usize, model, &outputs)
        }
        Command::Recommend { pack, histories, shelf, k, as_of, out } => {
            recommend(&pack, &histories, shelf, k as usize, as_of.as_deref(), out.as_deref())
        }
    }
}

fn print_report(what: &str, report: &ReadReport) {
    eprintln!(
        "{what} {}: {} rows, {} used, {} removed by cleaning rules, {} skipped as bad",
        report.path.display(),
        report.rows,
        report.used,
        report.cleaned_total(),
        report.skipped_total()
    );
    for (reason, n) in &report.cleaned {
        eprintln!("  cleaned: {reason}: {n}");
    }
    for (reason, n) in &report.skipped {
        eprintln!("  skipped: {reason}: {n}");
    }
    for p in &report.problems {
        eprintln!("  {}:{p}", report.path.display());
    }
    if report.skipped_total() as usize > report.problems.len() {
        eprintln!("  … {} more bad rows not listed", report.skipped_total() as usize - report.problems.len());
    }
}

fn now_ms() -> i64 {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<i64>().ok()) {
        return epoch * 1000;
    }
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn build(events_path: &Path, catalog_path: Option<&Path>, out: &Path, model: ModelArgs) -> Result<(), String> {
    let started = Instant::now();
    let (events, catalog) = load_inputs(events_path, catalog_path)?;
    let config = model.build_config(now_ms());
    let bar = training_bar(model.iterations, "training embeddings (ALS)");
    let (contents, summary) =
        assemble(&catalog, &events, &config, &mut |i| bar.set_position(i as u64 + 1)).map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    let bytes = contents.encode().map_err(|e| e.to_string())?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create folder: {e}", dir.display()))?;
    }
    fs::write(out, &bytes).map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
    eprintln!(
        "wrote {}: {} items ({} with interactions), {} categories, dim {}, {} shoppers, {} events used, {} bytes ({:.1} bytes/item), {:.1}s",
        out.display(),
        summary.items,
        summary.items_with_interactions,
        contents.categories.len(),
        contents.dim,
        summary.shoppers,
        summary.events_used,
        bytes.len(),
        bytes.len() as f64 / summary.items.max(1) as f64,
        started.elapsed().as_secs_f64()
    );
    for (reason, n) in &summary.events_skipped {
        eprintln!("  events left out: {reason}: {n}");
    }
    Ok(())
}

fn inspect(path: &Path, as_json: bool) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let pack = match Pack::open(bytes.as_slice()) {
        Ok(p) => p,
        Err(e) => {
            let header = read_header(&bytes).ok();
            if as_json {
                println!(
                    "{}",
                    json!({ "file": path.display().to_string(), "ok": false, "error": e.to_string(), "kind": e.kind(),
                            "formatVersion": header.map(|h| h.format_version) })
                );
            }
            return Err(format!("{}: {e}", path.display()));
        }
    };
    let h = pack.header();
    let m = pack.meta();
    let sections: Vec<_> = pack
        .sections()
        .iter()
        .map(|s| json!({ "name": s.kind.name(), "offset": s.range.start, "bytes": s.range.len() }))
        .collect();
    let (major, minor, patch) = h.builder_version;
    if as_json {
        let v = json!({
            "file": path.display().to_string(), "ok": true, "bytes": pack.byte_len(),
            "formatVersion": h.format_version, "builderVersion": format!("{major}.{minor}.{patch}"),
            "checksum": format!("{:08x}", h.body_crc32), "checksumOk": true,
            "items": m.item_count, "dim": m.dim, "categories": m.category_count, "brands": m.brand_count,
            "builtAtMs": m.built_at_ms, "trainingEvents": m.training_events,
            "bytesPerItem": pack.byte_len() as f64 / f64::from(m.item_count.max(1)),
            "sections": sections,
        });
        println!("{v}");
        return Ok(());
    }
    println!("{}: Shelfwise pack, format v{}, built by shelfwise {major}.{minor}.{patch}", path.display(), h.format_version);
    println!("  checksum  crc32 {:08x} (ok)", h.body_crc32);
    println!("  items     {}", m.item_count);
    println!("  dim       {}", m.dim);
    println!("  categories {}  brands {}", m.category_count, m.brand_count);
    println!("  trained on {} events", m.training_events);
    println!("  size      {} bytes ({:.1} bytes/item)", pack.byte_len(), pack.byte_len() as f64 / f64::from(m.item_count.max(1)));
    println!("  sections:");
    for s in pack.sections() {
        println!("    {:<18} offset {:>10}  {:>10} bytes", s.kind.name(), s.range.start, s.range.len());
    }
    Ok(())
}

fn demo_data(out: &Path, items: usize, shoppers: usize, seed: u64) -> Result<(), String> {
    let config = SynthConfig { seed, items, shoppers, ..SynthConfig::default() };
    let shop = synth::generate(&config);
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
    eprintln!(
        "wrote {}: {} products, {} shoppers, {} events (catalog.csv, events.jsonl, img/)",
        out.display(),
        shop.catalog.len(),
        shoppers,
        shop.events.len()
    );
    Ok(())
}

/// Reads events and the catalog (given, or derived from the Online Retail CSV).
fn load_inputs(events_path: &Path, catalog_path: Option<&Path>) -> Result<(Vec<RawEvent>, Vec<CatalogItem>), String> {
    let (events, derived_catalog) = match detect_events_format(events_path).map_err(|e| e.to_string())? {
        EventsFormat::OnlineRetail => {
            let (data, report) = read_online_retail(events_path).map_err(|e| e.to_string())?;
            print_report("events", &report);
            (data.events, Some(data.catalog))
        }
        EventsFormat::Jsonl => {
            let (events, report) = read_events_jsonl(events_path).map_err(|e| e.to_string())?;
            print_report("events", &report);
            (events, None)
        }
    };
    let catalog = match (catalog_path, derived_catalog) {
        (Some(path), _) => {
            let (items, report) = read_catalog(path).map_err(|e| e.to_string())?;
            print_report("catalog", &report);
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
    Ok((events, catalog))
}

/// Where `eval` writes besides stdout.
struct EvalOutputs<'a> {
    json: Option<&'a Path>,
    report: Option<&'a Path>,
    grid: Option<&'a Path>,
}

fn eval(
    events_path: &Path,
    catalog_path: Option<&Path>,
    split_date: &str,
    k: usize,
    model: ModelArgs,
    outputs: &EvalOutputs,
) -> Result<(), String> {
    let started = Instant::now();
    let split_ms = parse_split_date(split_date).map_err(|e| e.to_string())?;
    let (events, catalog) = load_inputs(events_path, catalog_path)?;
    let config = EvalConfig { k, split_ms, build: model.build_config(split_ms) };
    let bar = training_bar(model.iterations, "training embeddings on the train part (ALS)");
    if let Some(path) = outputs.grid {
        let spec = GridSpec::default();
        let rows = weight_grid(&catalog, &events, &config, &spec, &mut |i| bar.set_position(i as u64 + 1))
            .map_err(|e| e.to_string())?;
        bar.finish_and_clear();
        fs::write(path, grid_tsv(&rows)).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        println!("split {split_date}: {} grid points written to {}", rows.len(), path.display());
        print!("{}", grid_best(&rows, 5));
        eprintln!("grid measured in {:.1}s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    let report = evaluate(&catalog, &events, &config, &mut |i| bar.set_position(i as u64 + 1)).map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    println!("split {split_date}");
    print!("{}", report.table());
    if let Some(path) = outputs.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        fs::write(path, text + "\n").map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    if let Some(path) = outputs.report {
        let title = format!("Shelfwise evaluation, split {split_date}");
        fs::write(path, html_report(&report, &title)).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    eprintln!("evaluated in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn recommend(
    pack_path: &Path,
    histories: &Path,
    shelf: ShelfArg,
    k: usize,
    as_of: Option<&str>,
    out: Option<&Path>,
) -> Result<(), String> {
    let shelf = match shelf {
        ShelfArg::ForYou => BatchShelf::ForYou,
        ShelfArg::Discovery => BatchShelf::Discovery,
    };
    let as_of_ms = match as_of {
        None => None,
        Some(s) => Some(match s.trim().parse::<i64>() {
            Ok(ms) => ms,
            Err(_) => parse_timestamp_str(s.trim()).map_err(|e| format!("--as-of: {e}"))?,
        }),
    };
    let bytes = fs::read(pack_path).map_err(|e| format!("{}: cannot read the pack: {e}", pack_path.display()))?;
    let mut engine = Engine::open(bytes).map_err(|e| format!("{}: not a usable pack: {e}", pack_path.display()))?;
    let config = RecommendConfig { shelf, k, as_of_ms, now_ms: now_ms() };
    let source = histories.display().to_string();
    let input: Box<dyn std::io::BufRead> = if histories.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = fs::File::open(histories).map_err(|e| format!("{source}: cannot read: {e}"))?;
        Box::new(std::io::BufReader::new(file))
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
    let summary = recommend_stream(&mut engine, input, &source, writer, &config).map_err(|e| format!("{source}: {e}"))?;
    eprintln!(
        "recommend {source}: {} lines, {} shelves, {} lines with errors",
        summary.lines,
        summary.ok,
        summary.error_total()
    );
    for (kind, n) in &summary.errors {
        eprintln!("  {kind}: {n}");
    }
    Ok(())
}
