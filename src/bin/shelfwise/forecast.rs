//! `shelfwise forecast`: weekly unit sales per product with 80% intervals (CSV and HTML), or
//! with `--evaluate` every method against the baselines on each split; and the sales page
//! `eval --report` appends.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Args;

use shelfwise::build::eval::parse_split_date;
use shelfwise::build::file_error::FileError;
use shelfwise::build::forecast::{self as forecasting, ItemFacts, Method};
use shelfwise::build::history::IndexedEvents;

use crate::args::InputArgs;
use crate::error::CliError;
use crate::inputs::load_sales;
use crate::progress::spinner;

/// `forecast --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise forecast --events online_retail.csv.gz --horizon-weeks 4 --out forecast.csv --html forecast.html
  # every method against the baselines, 4- and 8-week horizons, on two splits
  shelfwise forecast --events online_retail.csv.gz --evaluate --split-date 2011-05-01 --split-date 2011-07-01";

// The flags of `forecast` (its help text is the `Command::Forecast` variant's).
#[derive(Args)]
pub struct ForecastArgs {
    /// Events: canonical JSONL, the Online Retail CSV (detected by its header; .gz ok), or Parquet
    /// (a .parquet file or a folder of Spark part files; docs/INPUT_FORMATS.md).
    #[arg(long)]
    events: PathBuf,
    /// Catalog as CSV or JSONL (required for JSONL events).
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Weeks to forecast.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=52))]
    horizon_weeks: u32,
    /// The method (last-4-weeks, mean-12-weeks, linear-12-weeks, damped-holt, augurs-ets,
    /// croston, tsb, global, boosted, ensemble).
    #[arg(long, default_value = "ensemble")]
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
}

/// Runs `shelfwise forecast`.
pub fn run(args: &ForecastArgs) -> Result<(), CliError> {
    let named = |name: &str| Method::from_name(name).ok_or_else(|| CliError::UnknownMethod(name.to_owned()));
    let method = named(&args.method)?;
    let methods =
        if args.methods.is_empty() { Method::ALL.to_vec() } else { args.methods.iter().map(|m| named(m)).collect::<Result<_, _>>()? };
    let (history, facts) = load_sales(&args.events, args.catalog.as_deref(), args.input)?;
    if args.evaluate {
        evaluate(&history, &facts, &args.split_date, &methods, args.html.as_deref())
    } else {
        write(&history, &facts, method, args.horizon_weeks as usize, args.out.as_deref(), args.html.as_deref())
    }
}

/// The eval report with the sales forecast's page appended (the baselines, the global model and the ensemble,
/// 4 and 8 weeks from the split); unchanged when there are too few weeks around the split.
pub fn with_forecast_page(
    html: String,
    events: &Path,
    catalog: Option<&Path>,
    input: InputArgs,
    split_ms: i64,
) -> Result<String, CliError> {
    let (history, facts) = load_sales(events, catalog, input)?;
    let methods = [Method::Last4, Method::Mean12, Method::Linear12, Method::DampedHolt, Method::Global, Method::Ensemble];
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
fn evaluate(
    history: &IndexedEvents,
    facts: &ItemFacts,
    split_dates: &[String],
    methods: &[Method],
    html: Option<&Path>,
) -> Result<(), CliError> {
    let mut evaluations = Vec::new();
    for date in split_dates {
        let split_ms = parse_split_date(date)?;
        let step = spinner(format!("forecasting from {date} with every method"));
        let evaluated = forecasting::evaluate::evaluate(history, facts, split_ms, &[4, 8], methods);
        step.finish_and_clear();
        let evaluation = evaluated.map_err(|source| CliError::ForecastSplit { date: date.clone(), source })?;
        println!("split {date}: {} weeks of history, {} products sold in them", evaluation.history_weeks, evaluation.products);
        print!("{}", evaluation.render());
        evaluations.push(evaluation);
    }
    if let Some(path) = html {
        fs::write(path, forecasting::report::evaluation_html(&evaluations, facts)).map_err(FileError::write(path))?;
    }
    Ok(())
}

/// `forecast`: the weeks after the newest purchase, as CSV and HTML.
fn write(
    history: &IndexedEvents,
    facts: &ItemFacts,
    method: Method,
    horizon: usize,
    out: Option<&Path>,
    html: Option<&Path>,
) -> Result<(), CliError> {
    let step = spinner(format!("forecasting {horizon} weeks with {}", method.name()));
    let made = forecasting::ShopForecast::new(history, facts, method, horizon);
    step.finish_and_clear();
    let made = made?;
    let write = |path: &Path, text: String| fs::write(path, text).map_err(FileError::write(path));
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
