//! Batch recommendations: shoppers' histories (JSONL) in, one shelf per line out.
//!
//! Every event goes through [`Engine::track`] with an [`EventInput`] and every shelf through
//! [`Engine::shelf`] with a [`ShelfRequest`]: the exact path the wasm bindings take for the
//! page's `track()` and `shelf()`. One [`Engine`] serves every line (its events are cleared in
//! between), so the native output is what the browser shows for the same history.
//!
//! Input, one shopper per line:
//! `{"shopper":"17850","events":[{"item":"85123A","type":"purchase","ts":"2011-09-30T10:00:00Z","qty":1}]}`
//! (`ts` as an RFC 3339 string or ms number; extra event fields such as `basket` or `price`
//! are ignored). Output, one line per input line and in input order:
//! `{"shopper":"17850","items":["…",…]}`, or with `"items":[]` and
//! `"error":{"kind":…,"message":"file:line N: …"}` when the line cannot be used.
//!
//! Input lines are read one at a time and may be at most [`MAX_HISTORY_LINE_BYTES`] long (a
//! longer one stops the run with [`RecommendError::Input`] naming it); messages quote input
//! values cut to [`echo`]'s length.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use thiserror::Error;

use crate::build::read::text::{echo_json, utf8};
use crate::build::read::{echo, parse_timestamp, LineSource, ReadError};
use crate::engine::{Engine, EventInput};
use crate::error::CoreError;
use crate::page::ShelfRequest;
use crate::shelf::ShelfKind;

/// The longest history line, in bytes (16 MiB: the engine keeps 10,000 events, about 1 MB of
/// JSON, so this leaves room for long queries and extra fields).
pub const MAX_HISTORY_LINE_BYTES: usize = 16 << 20;

/// What stops a batch run (a bad line only gets an error line).
#[derive(Debug, Error)]
pub enum RecommendError {
    /// The histories could not be read, or a line is too long.
    #[error(transparent)]
    Input(#[from] ReadError),
    /// The shelves could not be written.
    #[error("cannot write the shelves: {0}")]
    Output(#[from] io::Error),
}

/// Options of a batch run.
#[derive(Debug, Clone, PartialEq)]
pub struct RecommendConfig {
    /// The shelf every line asks for, with its options (`kind`, `k`, filters …), as the page
    /// would pass them to `shelf()`.
    pub request: ShelfRequest,
    /// Rank every line as of this time; `None`: the newest event of the line.
    pub as_of_ms: Option<i64>,
    /// The time used for a line with no events and no `as_of_ms`.
    pub now_ms: i64,
}

/// The request every line of a batch run asks for: a `kind` shelf of `k` items with the
/// page's `shelf()` options given as a JSON object in `options` (e.g.
/// `{"filters":{"excludePurchased":true}}`). The kind and the options are checked here, so a
/// mistake stops the run before any line is read.
pub fn batch_request(kind: &str, k: usize, options: Option<&str>) -> Result<ShelfRequest, CoreError> {
    let invalid = |detail: String| CoreError::InvalidArgument { name: "options", detail };
    let mut fields = match options.map(serde_json::from_str::<Value>).transpose() {
        Ok(None) => serde_json::Map::new(),
        Ok(Some(Value::Object(map))) => map,
        Ok(Some(other)) => return Err(invalid(format!("expected a JSON object of shelf options, found {other}"))),
        Err(e) => return Err(invalid(format!("not valid JSON: {e}"))),
    };
    for reserved in ["kind", "k"] {
        if fields.contains_key(reserved) {
            return Err(invalid(format!("{reserved:?} is set by --shelf / --k, not in the options")));
        }
    }
    fields.insert("kind".into(), Value::from(ShelfKind::parse(kind)?.as_str()));
    fields.insert("k".into(), Value::from(k));
    serde_json::from_value(Value::Object(fields)).map_err(|e| invalid(e.to_string()))
}

/// Checks `config`'s request against the pack once, with no events (a filter naming an
/// unknown category, discovery asked to keep bought items …), so that a run with a bad request
/// stops before any line is read instead of failing on every line.
pub fn check_request<B: AsRef<[u8]>>(engine: &mut Engine<B>, config: &RecommendConfig) -> Result<(), CoreError> {
    engine.clear_events();
    engine.shelf(&config.request, config.as_of_ms.unwrap_or(config.now_ms)).map(drop)
}

/// Why a line produced no shelf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// Stable machine-readable name (`malformed_json`, `unknown_item`, `bad_timestamp` …).
    pub kind: String,
    /// `file:line N: …`.
    pub message: String,
}

/// One output line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineResult {
    /// The shopper id as given (`null` when it could not be read).
    pub shopper: Option<String>,
    /// Recommended item ids, best first (empty on error).
    pub items: Vec<String>,
    /// Set when the line could not be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<LineError>,
}

/// Counts of a batch run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecommendSummary {
    /// Input lines read.
    pub lines: u64,
    /// Lines with a shelf.
    pub ok: u64,
    /// Lines with an error, by kind.
    pub errors: BTreeMap<String, u64>,
}

impl RecommendSummary {
    /// Total error lines.
    pub fn error_total(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// A core error's message with long input values it quotes (`inputs`) cut as [`echo`] does.
fn shorten_echoes(message: String, inputs: &[Option<&str>]) -> String {
    inputs.iter().flatten().fold(message, |message, input| {
        let quoted = format!("{input:?}");
        let short = echo(input);
        if short.len() < quoted.len() {
            message.replace(&quoted, &short)
        } else {
            message
        }
    })
}

fn id_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Why a line or one of its events was not usable: an error kind and its detail.
type Failure = (&'static str, String);

/// A line's failure, with the shopper when it was read before the failure.
type LineFailure = (Option<String>, Failure);

/// Turns one history line into a shelf, using `engine` (its events are cleared first).
pub fn recommend_line<B: AsRef<[u8]>>(
    engine: &mut Engine<B>,
    line: &str,
    source: &str,
    line_no: u64,
    config: &RecommendConfig,
) -> LineResult {
    engine.clear_events();
    let fail = |shopper: Option<String>, kind: &str, detail: String| LineResult {
        shopper,
        items: Vec::new(),
        error: Some(LineError { kind: kind.to_owned(), message: format!("{source}:line {line_no}: {detail}") }),
    };
    let (shopper, events) = match history_line(line) {
        Ok(parsed) => parsed,
        Err((shopper, (kind, detail))) => return fail(shopper, kind, detail),
    };
    let mut newest: Option<i64> = None;
    for (i, event) in events.iter().enumerate() {
        let at = format!("event {}", i + 1);
        let (input, ts) = match history_event(event) {
            Ok(parsed) => parsed,
            Err((kind, detail)) => return fail(shopper, kind, format!("{at}: {detail}")),
        };
        if let Err(err) = engine.track(&input, config.now_ms) {
            let message = shorten_echoes(err.to_string(), &[input.item.as_deref(), Some(&input.kind)]);
            return fail(shopper, err.kind(), format!("{at}: {message}"));
        }
        newest = Some(newest.map_or(ts, |n| n.max(ts)));
    }
    let as_of = config.as_of_ms.or(newest).unwrap_or(config.now_ms);
    match engine.shelf(&config.request, as_of) {
        Ok(shelf) => LineResult { shopper, items: shelf.items.into_iter().map(|s| s.card.id).collect(), error: None },
        Err(err) => fail(shopper, err.kind(), err.to_string()),
    }
}

/// A history line's shopper and events; on failure, the shopper when it was read.
fn history_line(line: &str) -> Result<(Option<String>, Vec<Value>), LineFailure> {
    let value: Value = serde_json::from_str(line).map_err(|e| (None, ("malformed_json", format!("not valid JSON: {e}"))))?;
    let Value::Object(mut obj) = value else {
        return Err((None, ("invalid_line", "expected an object {\"shopper\": …, \"events\": […]}".to_owned())));
    };
    let shopper = match obj.get("shopper") {
        Some(v) => match id_value(v) {
            Some(s) => Some(s),
            None => return Err((None, ("invalid_line", format!("field \"shopper\": expected a string, found {}", echo_json(v))))),
        },
        None => return Err((None, ("invalid_line", "missing field \"shopper\"".to_owned()))),
    };
    match obj.remove("events") {
        Some(Value::Array(a)) => Ok((shopper, a)),
        Some(v) => Err((shopper, ("invalid_line", format!("field \"events\": expected an array, found {}", echo_json(&v))))),
        None => Err((shopper, ("invalid_line", "missing field \"events\"".to_owned()))),
    }
}

/// One event of a history line as the engine takes it, with its time in ms.
fn history_event(event: &Value) -> Result<(EventInput, i64), Failure> {
    let Some(e) = event.as_object() else {
        return Err(("invalid_event", format!("expected an object, found {}", echo_json(event))));
    };
    let kind = match e.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(v) => return Err(("invalid_event", format!("field \"type\": expected a string, found {}", echo_json(v)))),
        None => return Err(("invalid_event", "missing field \"type\"".to_owned())),
    };
    let item = match e.get("item") {
        None | Some(Value::Null) => None,
        Some(v) => match id_value(v) {
            Some(s) => Some(s),
            None => return Err(("invalid_event", format!("field \"item\": expected a string, found {}", echo_json(v)))),
        },
    };
    let ts = parse_timestamp(e.get("ts").unwrap_or(&Value::Null)).map_err(|m| ("bad_timestamp", format!("field \"ts\": {m}")))?;
    let qty = match e.get("qty") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(q) => Some(q),
            None => return Err(("invalid_event", format!("field \"qty\": expected a number, found {}", echo_json(v)))),
        },
    };
    let query = e.get("query").and_then(Value::as_str).map(str::to_owned);
    Ok((EventInput { item, kind, ts: ts as f64, qty, query }, ts))
}

/// Reads every line of `input` (named `source` in messages), writes one JSON line per input
/// line to `out` (in order) and returns the counts. Only a line longer than
/// [`MAX_HISTORY_LINE_BYTES`] and I/O failures stop the run.
pub fn recommend_stream<B: AsRef<[u8]>, R: Read, W: Write>(
    engine: &mut Engine<B>,
    input: R,
    source: &str,
    mut out: W,
    config: &RecommendConfig,
) -> Result<RecommendSummary, RecommendError> {
    let mut summary = RecommendSummary::default();
    let mut lines = LineSource::new(input, Path::new(source), MAX_HISTORY_LINE_BYTES);
    while let Some((line_no, bytes)) = lines.next_line()? {
        summary.lines += 1;
        let result = match utf8(bytes) {
            Ok(text) => recommend_line(engine, text, source, line_no, config),
            Err(e) => LineResult {
                shopper: None,
                items: Vec::new(),
                error: Some(LineError { kind: "malformed_json".to_owned(), message: format!("{source}:line {line_no}: {e}") }),
            },
        };
        match &result.error {
            None => summary.ok += 1,
            Some(e) => *summary.errors.entry(e.kind.clone()).or_default() += 1,
        }
        serde_json::to_writer(&mut out, &result).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    }
    engine.clear_events();
    out.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_error(line: &str) -> LineFailure {
        history_line(line).err().unwrap_or_else(|| panic!("{line} was accepted"))
    }

    fn event_error(event: &str) -> Failure {
        let value: Value = serde_json::from_str(event).unwrap_or_else(|e| panic!("{event}: {e}"));
        history_event(&value).err().unwrap_or_else(|| panic!("{event} was accepted"))
    }

    #[test]
    fn every_bad_line_names_its_kind_and_field() {
        assert_eq!(line_error("{").1 .0, "malformed_json");
        assert_eq!(line_error("[1]"), (None, ("invalid_line", "expected an object {\"shopper\": …, \"events\": […]}".to_owned())));
        assert_eq!(line_error(r#"{"events": []}"#), (None, ("invalid_line", "missing field \"shopper\"".to_owned())));
        assert_eq!(line_error(r#"{"shopper": [], "events": []}"#).1 .1, "field \"shopper\": expected a string, found []");
        let (shopper, (kind, detail)) = line_error(r#"{"shopper": 7, "events": 3}"#);
        assert_eq!(
            (shopper.as_deref(), kind, detail.as_str()),
            (Some("7"), "invalid_line", "field \"events\": expected an array, found 3")
        );
        assert_eq!(line_error(r#"{"shopper": "a"}"#), (Some("a".to_owned()), ("invalid_line", "missing field \"events\"".to_owned())));
    }

    #[test]
    fn every_bad_event_names_its_kind_and_field() {
        assert_eq!(event_error("3"), ("invalid_event", "expected an object, found 3".to_owned()));
        assert_eq!(event_error(r#"{"ts": 1}"#), ("invalid_event", "missing field \"type\"".to_owned()));
        assert_eq!(event_error(r#"{"type": 1, "ts": 1}"#).1, "field \"type\": expected a string, found 1");
        assert_eq!(event_error(r#"{"type": "view", "item": {}, "ts": 1}"#).1, "field \"item\": expected a string, found {}");
        assert_eq!(event_error(r#"{"type": "view", "item": "a", "ts": "soon"}"#).0, "bad_timestamp");
        assert_eq!(event_error(r#"{"type": "buy", "item": "a", "ts": 1, "qty": "2"}"#).1, "field \"qty\": expected a number, found \"2\"");
    }

    #[test]
    fn a_good_event_keeps_every_field() {
        let value: Value = serde_json::from_str(r#"{"type": "buy", "item": 12, "ts": 5, "qty": 2, "query": "mug"}"#).unwrap_or_default();
        let (input, ts) = history_event(&value).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ts, 5);
        assert_eq!(
            (input.item.as_deref(), input.kind.as_str(), input.ts, input.qty, input.query.as_deref()),
            (Some("12"), "buy", 5.0, Some(2.0), Some("mug"))
        );
    }
}
