//! Reading a command's inputs: the events (canonical JSONL, the Online Retail CSV or Parquet)
//! and the catalog, each behind a spinner, with the read report on stderr and the skipped-rows
//! limit. `build` takes the events indexed ([`load_indexed`]): Parquet events stream straight
//! into that compact form.

use std::path::Path;

use shelfwise::build::assemble::{pack_order, sort_into_pack_order};
use shelfwise::build::forecast::{net_cancellations, ItemFacts};
use shelfwise::build::history::{index_events, IndexedEvents};
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::read::{
    detect_events_format, index_parquet_events, read_catalog, read_events_jsonl, read_events_parquet, read_online_retail, EventsFormat,
    ReadReport,
};

use crate::args::InputArgs;
use crate::error::CliError;
use crate::progress::spinner;

/// Prints what reading `what` found (rows, skips with file and line) on stderr.
pub fn print_report(what: &str, report: &ReadReport) {
    eprint!("{}", report.render(what));
}

/// What reading the events file gave, for the build summary.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventsRead {
    /// Data rows seen.
    pub rows: u64,
    /// Rows removed by the documented cleaning rules.
    pub cleaned: u64,
    /// Malformed rows skipped.
    pub bad: u64,
}

impl EventsRead {
    fn of(report: &ReadReport) -> EventsRead {
        EventsRead { rows: report.rows, cleaned: report.cleaned_total(), bad: report.skipped_total() }
    }
}

/// Reads events (dropping those after `build_time_ms`) and the catalog (given, or derived from
/// the Online Retail CSV), with a spinner while each file is read; fails when either lost more
/// than `max_skipped` of its rows.
pub fn load_inputs(
    events_path: &Path,
    catalog_path: Option<&Path>,
    max_skipped: f64,
    build_time_ms: i64,
) -> Result<(Vec<RawEvent>, Vec<CatalogItem>, EventsRead), CliError> {
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
) -> Result<LoadedInputs, CliError> {
    let step = spinner(format!("reading {}", events_path.display()));
    let mut cancellations = Vec::new();
    let read = match detect_events_format(events_path) {
        Ok(EventsFormat::OnlineRetail) => read_online_retail(events_path, build_time_ms).map(|(data, report)| {
            cancellations = data.cancellations;
            (data.events, Some(data.catalog), report)
        }),
        Ok(EventsFormat::Jsonl) => read_events_jsonl(events_path, build_time_ms).map(|(events, report)| (events, None, report)),
        Ok(EventsFormat::Parquet) => {
            let mut events = Vec::new();
            read_events_parquet(events_path, build_time_ms, &mut events).map(|report| (events, None, report))
        }
        Err(error) => {
            step.finish_and_clear();
            return Err(error.into());
        }
    };
    step.finish_and_clear();
    let (events, derived_catalog, report) = read?;
    print_report("events", &report);
    let events_read = EventsRead::of(&report);
    let catalog = match (catalog_path, derived_catalog) {
        (Some(path), _) => load_catalog(path, max_skipped)?,
        (None, Some(items)) => items,
        (None, None) => return Err(CliError::NeedsCatalog(events_path.to_owned())),
    };
    report.check_loss(max_skipped)?;
    Ok(LoadedInputs { events, catalog, read: events_read, cancellations })
}

/// Reads the catalog at `path`, with a spinner; fails when it lost more than `max_skipped` of
/// its rows.
fn load_catalog(path: &Path, max_skipped: f64) -> Result<Vec<CatalogItem>, CliError> {
    let step = spinner(format!("reading {}", path.display()));
    let read = read_catalog(path);
    step.finish_and_clear();
    let (items, report) = read?;
    print_report("catalog", &report);
    report.check_loss(max_skipped)?;
    Ok(items)
}

/// [`load_inputs`] with the catalog sorted into pack order ([`pack_order`]) and the events
/// indexed against it, as `build` wants them. Parquet events stream row group by row group
/// straight into the index (the catalog is read first), so memory grows with the compact
/// events, not with their strings; JSONL and Online Retail events are read whole, indexed and
/// dropped.
pub fn load_indexed(
    events_path: &Path,
    catalog_path: Option<&Path>,
    max_skipped: f64,
    build_time_ms: i64,
) -> Result<(IndexedEvents, Vec<CatalogItem>, EventsRead), CliError> {
    // The catalog comes back in pack order, so `build`'s own `pack_order` is a linear pass.
    if detect_events_format(events_path)? != EventsFormat::Parquet {
        let (events, mut catalog, read) = load_inputs(events_path, catalog_path, max_skipped, build_time_ms)?;
        sort_into_pack_order(&mut catalog);
        let history = index_events(&pack_order(&catalog), &events);
        return Ok((history, catalog, read));
    }
    let mut catalog = load_catalog(catalog_path.ok_or_else(|| CliError::NeedsCatalog(events_path.to_owned()))?, max_skipped)?;
    sort_into_pack_order(&mut catalog);
    let step = spinner(format!("reading {}", events_path.display()));
    let read = index_parquet_events(events_path, &pack_order(&catalog), build_time_ms);
    step.finish_and_clear();
    let (history, report) = read?;
    print_report("events", &report);
    report.check_loss(max_skipped)?;
    Ok((history, catalog, EventsRead::of(&report)))
}

/// The events as weekly-sales input: cancellations netted (and said), events indexed, and the
/// global model's per-item facts from the catalog.
pub fn load_sales(events: &Path, catalog: Option<&Path>, input: InputArgs) -> Result<(IndexedEvents, ItemFacts), CliError> {
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
