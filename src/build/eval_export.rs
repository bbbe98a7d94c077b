//! The split `shelfwise eval` measures, written to a folder (`shelfwise eval --export DIR`), so
//! that the same shoppers can be replayed elsewhere: through `shelfwise recommend`, or through
//! the public JS API in a browser (`tests/e2e/replay.test.mjs`, `scripts/quality-browser.mjs`).
//!
//! The split comes from eval's own setup ([`setup`]): same train pack, same shoppers, same
//! truths. Files written (every JSON line in the shoppers' order, sorted by shopper id):
//!
//! * `train.pack`: the pack built from the events before the split (the pack eval ranks with);
//! * `shoppers.jsonl`: one line per evaluated shopper, the input `shelfwise recommend
//!   --histories` reads, plus the time to rank at:
//!   `{"shopper":"12347","now":1309478400000,"events":[{"type":"purchase","item":"85116","ts":1291629480000,"qty":12},…]}`
//!   (`now` = the split, ms since the Unix epoch; events oldest first, `ts` in ms, exactly the
//!   events eval `track()`s);
//! * `truth.jsonl`: what each shopper bought from the split on, per task:
//!   `{"shopper":"12347","forYou":["20719",…],"discovery":["21578",…]}` (`forYou`: every
//!   distinct item bought; `discovery`: those not bought before the split, empty when the
//!   shopper is not in the discovery task; items in catalog order);
//! * `split.json`: the split date and the counts ([`SplitSummary`]).

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use super::eval::{setup, EvalConfig, EvalError, Shopper};
use super::input::{CatalogItem, RawEvent};
use crate::engine::EventInput;

/// The file names inside the export folder.
pub const PACK_FILE: &str = "train.pack";
/// See [`PACK_FILE`].
pub const SHOPPERS_FILE: &str = "shoppers.jsonl";
/// See [`PACK_FILE`].
pub const TRUTH_FILE: &str = "truth.jsonl";
/// See [`PACK_FILE`].
pub const SPLIT_FILE: &str = "split.json";

/// An export failure.
#[derive(Debug, Error)]
pub enum ExportError {
    /// The split could not be made (bad K, no train events, the train build failed …).
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// A file could not be written.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// What `split.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitSummary {
    /// The split as `YYYY-MM-DD` (UTC midnight).
    pub split_date: String,
    /// The split in ms since the Unix epoch: train before, test from here on.
    pub split_ms: i64,
    /// Items in the catalog (and the train pack).
    pub catalog_items: usize,
    /// Events before the split.
    pub train_events: usize,
    /// Events from the split on.
    pub test_events: usize,
    /// Shoppers in `shoppers.jsonl` (the for-you task's shoppers).
    pub shoppers: usize,
    /// Shoppers with a non-empty discovery truth.
    pub discovery_shoppers: usize,
    /// Events in `shoppers.jsonl`, all shoppers together.
    pub history_events: usize,
}

/// One event of a `shoppers.jsonl` line.
#[derive(Serialize)]
struct HistoryEvent<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<&'a str>,
    ts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    qty: Option<u32>,
}

/// One `shoppers.jsonl` line.
#[derive(Serialize)]
struct HistoryLine<'a> {
    shopper: &'a str,
    now: i64,
    events: Vec<HistoryEvent<'a>>,
}

/// One `truth.jsonl` line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TruthLine<'a> {
    shopper: &'a str,
    for_you: Vec<&'a str>,
    discovery: Vec<&'a str>,
}

/// Builds eval's split of `events` at `config.split_ms` and writes it to `dir` (created if
/// needed; existing files of the same names are replaced). `on_iteration` is told of each ALS
/// iteration of the train build.
pub fn export_split(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &EvalConfig,
    dir: &Path,
    on_iteration: &mut dyn FnMut(usize),
) -> Result<SplitSummary, ExportError> {
    let split = setup(catalog, events, config, on_iteration)?;
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Write { path, source }
    };
    fs::create_dir_all(dir).map_err(write_err(dir))?;
    let pack_path = dir.join(PACK_FILE);
    fs::write(&pack_path, &split.pack).map_err(write_err(&pack_path))?;

    let split_ms = config.split_ms;
    write_jsonl(&dir.join(SHOPPERS_FILE), split.shoppers.iter().map(|s| history_line(s, split_ms)))?;
    write_jsonl(&dir.join(TRUTH_FILE), split.shoppers.iter().map(|s| truth_line(s, catalog)))?;

    let summary = SplitSummary {
        split_date: split_date(split_ms),
        split_ms,
        catalog_items: catalog.len(),
        train_events: split.train_events,
        test_events: split.test_events,
        shoppers: split.shoppers.len(),
        discovery_shoppers: split.shoppers.iter().filter(|s| !s.discovery_truth().is_empty()).count(),
        history_events: split.shoppers.iter().map(|s| s.events.len()).sum(),
    };
    let summary_path = dir.join(SPLIT_FILE);
    let text = serde_json::to_string_pretty(&summary).map_err(|e| ExportError::Write { path: summary_path.clone(), source: e.into() })?;
    fs::write(&summary_path, text + "\n").map_err(write_err(&summary_path))?;
    Ok(summary)
}

/// The shopper's `shoppers.jsonl` line: the events eval tracks (their times and quantities are
/// whole numbers).
fn history_line<'a>(s: &'a Shopper<'a>, now: i64) -> HistoryLine<'a> {
    let event = |e: &'a EventInput| HistoryEvent { kind: &e.kind, item: e.item.as_deref(), ts: e.ts as i64, qty: e.qty.map(|q| q as u32) };
    HistoryLine { shopper: s.id, now, events: s.events.iter().map(event).collect() }
}

/// The shopper's `truth.jsonl` line, items in catalog order.
fn truth_line<'a>(s: &Shopper<'a>, catalog: &'a [CatalogItem]) -> TruthLine<'a> {
    let ids = |items: HashSet<u32>| {
        let mut items: Vec<u32> = items.into_iter().collect();
        items.sort_unstable();
        items.into_iter().map(|i| catalog[i as usize].id.as_str()).collect()
    };
    TruthLine { shopper: s.id, for_you: ids(s.truth.clone()), discovery: ids(s.discovery_truth()) }
}

/// Writes one JSON value per line to `path`.
fn write_jsonl<T: Serialize>(path: &Path, lines: impl Iterator<Item = T>) -> Result<(), ExportError> {
    let failed = |source: io::Error| ExportError::Write { path: path.to_path_buf(), source };
    let mut out = BufWriter::new(fs::File::create(path).map_err(failed)?);
    for line in lines {
        serde_json::to_writer(&mut out, &line).map_err(|e| failed(e.into()))?;
        out.write_all(b"\n").map_err(failed)?;
    }
    out.flush().map_err(failed)
}

/// `YYYY-MM-DD` of a UTC instant in ms (the instant itself when out of chrono's range).
fn split_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| format!("{ms} ms"), |t| t.format("%Y-%m-%d").to_string())
}
