//! `shelfwise report`: collected measurement reports debiased into estimates per experiment
//! and arm (table, HTML, JSON); `report simulate` runs devices with known true rates through
//! the same code.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Subcommand};

use shelfwise::build::file_error::FileError;
use shelfwise::measurement::ValueBuckets;
use shelfwise::reports::analysis::{analyse, percent, table};
use shelfwise::reports::html::html_page;
use shelfwise::reports::read::read_reports;
use shelfwise::reports::simulate;

use crate::error::CliError;

/// `report --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise report --in reports.jsonl
  shelfwise report --in reports.jsonl.1 --in reports.jsonl --html report.html --json report.json
  # the shop configured other order-value edges (reporting.valueBuckets)
  shelfwise report --in reports.jsonl --value-buckets 50,100,250,500
  # devices with known true rates through the shipped report code (docs/MEASUREMENT.md)
  shelfwise report simulate --devices 10000 --epsilon 1 --seed 7
  shelfwise report simulate --table --repeats 20";

// The flags of `report` (its help text is the `Command::Report` variant's).
#[derive(Args)]
pub struct ReportArgs {
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

/// Runs `shelfwise report` or `shelfwise report simulate`.
pub fn run(args: &ReportArgs) -> Result<(), CliError> {
    match &args.action {
        Some(ReportAction::Simulate { table: true, repeats, seed, .. }) => simulate_table(*repeats, *seed),
        Some(ReportAction::Simulate { devices, epsilon, seed, out, .. }) => simulate_once(*devices, *epsilon, *seed, out.as_deref()),
        None => report(&args.inputs, args.html.as_deref(), args.json.as_deref(), &args.value_buckets),
    }
}

fn report(inputs: &[PathBuf], html: Option<&Path>, json_out: Option<&Path>, value_buckets: &[f64]) -> Result<(), CliError> {
    if inputs.is_empty() {
        return Err(CliError::NoReports);
    }
    let buckets = ValueBuckets::new(value_buckets).map_err(CliError::ValueBuckets)?;
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
        fs::write(path, html_page(&estimates, "Shelfwise measurement report")).map_err(FileError::write(path))?;
    }
    if let Some(path) = json_out {
        let text = serde_json::to_string_pretty(&estimates).map_err(|source| CliError::ToJson { path: path.to_owned(), source })?;
        fs::write(path, text + "\n").map_err(FileError::write(path))?;
    }
    Ok(())
}

fn simulate_once(devices: usize, epsilon: f64, seed: u64, out: Option<&Path>) -> Result<(), CliError> {
    let population = simulate::default_population();
    let reports = simulate::simulate(&population, devices, epsilon, seed)?;
    if let Some(path) = out {
        let mut text = String::new();
        for r in &reports {
            text.push_str(&serde_json::to_string(r).map_err(|source| CliError::ToJson { path: path.to_owned(), source })?);
            text.push('\n');
        }
        fs::write(path, text).map_err(FileError::write(path))?;
    }
    let Some(estimates) = simulate::estimate(&reports) else { return Err(CliError::NothingSimulated) };
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
        println!("  {name:<40} true {:6.2}%  estimate {}  {mark}", 100.0 * truth, percent(*e));
    }
    println!("{covered} of {estimated} 95% intervals cover the truth ({} estimates not possible)", pairs.len() - estimated);
    Ok(())
}

fn simulate_table(repeats: usize, seed: u64) -> Result<(), CliError> {
    let started = Instant::now();
    let rows = simulate::error_table(&[0.5, 1.0, 2.0], &[1_000, 10_000, 100_000], repeats, seed)?;
    print!("{}", simulate::format_error_table(&rows, repeats));
    eprintln!("simulated in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}
