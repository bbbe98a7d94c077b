//! Reading a command's inputs: the events (canonical JSONL or the Online Retail CSV) and the
//! catalog, each behind a spinner, with the read report on stderr and the skipped-rows limit.

use std::path::Path;

use shelfwise::build::forecast::{net_cancellations, ItemFacts};
use shelfwise::build::history::{index_events, IndexedEvents};
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::read::{detect_events_format, read_catalog, read_events_jsonl, read_online_retail, EventsFormat, ReadReport};

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
        (Some(path), _) => {
            let step = spinner(format!("reading {}", path.display()));
            let read = read_catalog(path);
            step.finish_and_clear();
            let (items, report) = read?;
            print_report("catalog", &report);
            report.check_loss(max_skipped)?;
            items
        }
        (None, Some(items)) => items,
        (None, None) => return Err(CliError::NeedsCatalog(events_path.to_owned())),
    };
    report.check_loss(max_skipped)?;
    Ok(LoadedInputs { events, catalog, read: events_read, cancellations })
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
