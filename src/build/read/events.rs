//! Canonical events JSONL ([`read_events_jsonl`]) and telling it from the Online Retail CSV and
//! Parquet ([`detect_events_format`]).

use std::path::Path;

use serde_json::{Map, Value};

use super::error::ReadError;
use super::lines::{LineSource, MAX_LINE_BYTES};
use super::problems::{ReadReport, RowError};
use super::text::{did_you_mean, echo, echo_json, utf8, InvalidUtf8};
use super::timestamp::{check_not_after, check_not_seconds, parse_timestamp};
use crate::build::input::RawEvent;
use crate::event::EventKind;

/// The fields of an event line.
pub const EVENT_FIELDS: [&str; 8] = ["shopper", "item", "type", "ts", "qty", "price", "basket", "query"];

/// The skip reason of an event dated after the build time.
pub const AFTER_BUILD_TIME: &str = "dated after the build time";

/// Which events format a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsFormat {
    /// Canonical JSONL.
    Jsonl,
    /// The Online Retail CSV (`InvoiceNo,StockCode,…`).
    OnlineRetail,
    /// Parquet: a file or a folder of part files ([`super::events_parquet`]).
    Parquet,
}

/// Tells the format: Parquet for a folder, a `.parquet` name or the `PAR1` magic; else the
/// first line (at most [`MAX_LINE_BYTES`] of it) tells the Online Retail CSV from JSONL.
pub fn detect_events_format(path: &Path) -> Result<EventsFormat, ReadError> {
    if super::events_parquet::is_parquet(path) {
        return Ok(EventsFormat::Parquet);
    }
    let mut lines = LineSource::open(path, MAX_LINE_BYTES)?;
    match lines.next_line()? {
        Some((_, first)) if first.starts_with(b"InvoiceNo,") => Ok(EventsFormat::OnlineRetail),
        _ => Ok(EventsFormat::Jsonl),
    }
}

/// Reads canonical events JSONL: one object per line with `shopper`, `item`, `type`, `ts`,
/// and optional `qty`, `price`, `basket`, `query`. Blank lines are ignored; a bad line (not
/// UTF-8, not JSON, a bad field, a time after `build_time_ms`) is skipped and reported.
pub fn read_events_jsonl(path: &Path, build_time_ms: i64) -> Result<(Vec<RawEvent>, ReadReport), ReadError> {
    let mut report = ReadReport::new(path);
    let mut events = Vec::new();
    let mut lines = LineSource::open(path, MAX_LINE_BYTES)?;
    while let Some((line, bytes)) = lines.next_line()? {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        report.rows += 1;
        match json_object(bytes, &mut report).and_then(|obj| {
            warn_unknown_fields(&obj, &EVENT_FIELDS, &mut report, line);
            parse_event(&obj, build_time_ms)
        }) {
            Ok(e) => {
                report.used += 1;
                events.push(e);
            }
            Err((field, reason, message)) => report.skip(line, &field, reason, message),
        }
    }
    if lines.had_bom() {
        warn_bom(&mut report);
    }
    if events.is_empty() {
        return Err(report.empty_error("events"));
    }
    Ok((events, report))
}

/// Notes a byte order mark at the start of a JSONL file (JSON text must not have one).
pub fn warn_bom(report: &mut ReadReport) {
    report.warn("the file starts with a UTF-8 byte order mark, which JSON does not allow; it was ignored".to_owned(), 1, String::new());
}

/// One JSONL line as a JSON object. Bytes that are not UTF-8 are reported with the field that
/// holds them.
pub fn json_object(bytes: &[u8], report: &mut ReadReport) -> Result<Map<String, Value>, RowError> {
    let text = match utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            report.windows_1252 |= e.windows_1252.is_some();
            return Err(invalid_utf8_row(bytes, e));
        }
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(("".into(), "not an object", "expected a JSON object".to_owned())),
        Err(e) => Err(("".into(), "malformed JSON", format!("malformed JSON: {e}"))),
    }
}

/// The row error for a line that is not UTF-8: the field is the one whose value (or name)
/// holds the bad bytes, found by reading the line with them replaced; its Windows-1252 reading
/// is that field's text in the line read as Windows-1252.
fn invalid_utf8_row(bytes: &[u8], mut e: InvalidUtf8) -> RowError {
    let object = |text: &str| match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => Some(obj),
        _ => None,
    };
    let at_fault = object(&String::from_utf8_lossy(bytes))
        .and_then(|obj| obj.into_iter().find(|(k, v)| k.contains('\u{fffd}') || v.to_string().contains('\u{fffd}')));
    let Some((key, _)) = at_fault else {
        return ("".into(), "invalid UTF-8", format!("the line is {e}"));
    };
    if let Some(as_1252) = e.windows_1252.as_deref().and_then(object) {
        // The field's own text when its name is intact; else the whole line's.
        if let Some(value) = as_1252.get(&key) {
            e.windows_1252 = Some(value.as_str().map_or_else(|| value.to_string(), str::to_owned));
        }
    }
    (key.into(), "invalid UTF-8", format!("not valid UTF-8 at byte {} of the line{}", e.byte, e.advice()))
}

/// Warns once per unknown key that is close to a known one missing from the row.
pub fn warn_unknown_fields(obj: &Map<String, Value>, known: &[&str], report: &mut ReadReport, line: u64) {
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        let absent: Vec<&str> = known.iter().copied().filter(|k| !obj.contains_key(*k)).collect();
        if let Some(meant) = did_you_mean(key, &absent) {
            report.warn(format!("unknown field {} is ignored: did you mean {meant:?}?", echo(key)), line, String::new());
        }
    }
}

fn json_str(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("expected a string, found {}", echo_json(other))),
    }
}

fn parse_event(obj: &Map<String, Value>, build_time_ms: i64) -> Result<RawEvent, RowError> {
    let field = |key: &'static str| json_str(obj, key).map_err(|m| (key.into(), "bad field type", m));
    let shopper = field("shopper")?.filter(|s| !s.is_empty()).ok_or(("shopper".into(), "missing shopper", "required".to_owned()))?;
    let kind_name = field("type")?.ok_or(("type".into(), "missing type", "required".to_owned()))?;
    let kind = EventKind::parse(&kind_name).map_err(|_| ("type".into(), "unknown event type", unknown_type(&kind_name)))?;
    let item = field("item")?.unwrap_or_default();
    if kind.needs_item() && item.is_empty() {
        return Err(("item".into(), "missing item", format!("a {} event needs an item", kind.as_str())));
    }
    let ts = obj.get("ts").unwrap_or(&Value::Null);
    let ts_ms = parse_timestamp(ts).map_err(|m| ("ts".into(), "bad timestamp", m))?;
    check_not_seconds(ts).map_err(|m| ("ts".into(), "timestamp in seconds", m))?;
    check_not_after(ts_ms, build_time_ms, ts).map_err(|m| ("ts".into(), AFTER_BUILD_TIME, m))?;
    let qty = match obj.get("qty") {
        None | Some(Value::Null) => 1,
        Some(v) => match v.as_f64() {
            Some(q) if (1.0..=1e6).contains(&q) && q.fract() == 0.0 => q as u32,
            _ => return Err(("qty".into(), "bad quantity", format!("{} is not a whole number from 1 to 1000000", echo_json(v)))),
        },
    };
    let price = match obj.get("price") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(p) if p.is_finite() && p >= 0.0 => Some(p as f32),
            _ => return Err(("price".into(), "bad price", format!("{} is not a number ≥ 0", echo_json(v)))),
        },
    };
    Ok(RawEvent { shopper, item, kind, ts_ms, qty, price, basket: field("basket")?, query: field("query")? })
}

pub(super) fn unknown_type(name: &str) -> String {
    format!("unknown event type {}; expected one of view, click, add_to_cart, remove_from_cart, purchase, search", echo(name))
}
