//! Readers for the builder's inputs, each reporting bad rows by file, line and field.
//!
//! * events as canonical JSONL ([`read_events_jsonl`]) or the Online Retail CSV
//!   ([`read_online_retail`], detected by its header);
//! * a catalog as CSV or JSONL ([`read_catalog`]).
//!
//! A bad row is skipped and counted in the [`ReadReport`] with its line number; a problem that
//! makes the whole input unusable (cannot open, no header, required column missing, nothing
//! usable) is a [`ReadError`]. Formats: `docs/INPUT_FORMATS.md`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;
use thiserror::Error;

use super::input::{CatalogItem, RawEvent};
use crate::event::EventKind;

/// How many individual problems a report keeps (all are counted).
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// A fatal input problem.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The CSV header lacks a required column.
    #[error("{path}: line 1: missing required column {column:?} (found: {found})")]
    MissingColumn {
        /// File.
        path: PathBuf,
        /// Column name.
        column: &'static str,
        /// Columns present.
        found: String,
    },
    /// Nothing usable was read.
    #[error("{path}: no usable {what} ({skipped} rows skipped; first problem: {first})")]
    Empty {
        /// File.
        path: PathBuf,
        /// "events" or "catalog items".
        what: &'static str,
        /// Rows skipped.
        skipped: u64,
        /// The first problem, or "the file is empty".
        first: String,
    },
    /// The CSV could not be parsed at all.
    #[error("{path}: line {line}: {message}")]
    Malformed {
        /// File.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// One skipped row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line number (1-based).
    pub line: u64,
    /// The field at fault ("" when the whole row is).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: field {:?}: {}", self.line, self.field, self.message)
        }
    }
}

/// What a reader did with a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    /// File read.
    pub path: PathBuf,
    /// Data rows seen (not counting a header or blank lines).
    pub rows: u64,
    /// Rows used.
    pub used: u64,
    /// Rows skipped on purpose by the documented cleaning rules, by reason.
    pub cleaned: BTreeMap<String, u64>,
    /// Rows skipped because they are malformed, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// The first [`MAX_LISTED_PROBLEMS`] malformed rows.
    pub problems: Vec<Problem>,
}

impl ReadReport {
    fn new(path: &Path) -> ReadReport {
        ReadReport { path: path.to_owned(), ..ReadReport::default() }
    }

    fn clean(&mut self, reason: &str) {
        *self.cleaned.entry(reason.to_owned()).or_default() += 1;
    }

    fn skip(&mut self, line: u64, field: &str, reason: &str, message: String) {
        *self.skipped.entry(reason.to_owned()).or_default() += 1;
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(Problem { line, field: field.to_owned(), message });
        }
    }

    /// Total rows skipped as malformed.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Total rows removed by cleaning rules.
    pub fn cleaned_total(&self) -> u64 {
        self.cleaned.values().sum()
    }

    fn empty_error(&self, what: &'static str) -> ReadError {
        ReadError::Empty {
            path: self.path.clone(),
            what,
            skipped: self.skipped_total() + self.cleaned_total(),
            first: self.problems.first().map_or_else(|| "the file has no data rows".to_owned(), |p| p.to_string()),
        }
    }
}

fn open(path: &Path) -> Result<Box<dyn Read>, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(flate2::read::GzDecoder::new(BufReader::new(file))))
    } else {
        Ok(Box::new(BufReader::new(file)))
    }
}

/// Parses a timestamp: RFC 3339 (`2010-12-01T08:26:00Z`), `YYYY-MM-DD HH:MM:SS` (UTC), or a
/// JSON number of milliseconds since the Unix epoch.
pub fn parse_timestamp(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => {
            n.as_f64().filter(|v| v.is_finite() && v.abs() <= 8.64e15).map(|v| v as i64).ok_or_else(|| format!("{n} is not a time in ms"))
        }
        Value::String(s) => parse_timestamp_str(s),
        other => Err(format!("expected a date-time string or ms number, found {other}")),
    }
}

/// Parses a timestamp string (see [`parse_timestamp`]).
pub fn parse_timestamp_str(s: &str) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    Err(format!("{s:?} is not a date-time (use RFC 3339, e.g. 2011-09-30T10:00:00Z)"))
}

/// Which events format a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsFormat {
    /// Canonical JSONL.
    Jsonl,
    /// The Online Retail CSV (`InvoiceNo,StockCode,…`).
    OnlineRetail,
}

/// Looks at the first line to tell the format.
pub fn detect_events_format(path: &Path) -> Result<EventsFormat, ReadError> {
    let mut first = String::new();
    BufReader::new(open(path)?).read_line(&mut first).map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
    if first.trim_start_matches('\u{feff}').starts_with("InvoiceNo,") {
        Ok(EventsFormat::OnlineRetail)
    } else {
        Ok(EventsFormat::Jsonl)
    }
}

fn json_str(obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(format!("expected a string, found {other}")),
    }
}

/// Reads canonical events JSONL: one object per line with `shopper`, `item`, `type`, `ts`,
/// and optional `qty`, `price`, `basket`, `query`. Blank lines are ignored.
pub fn read_events_jsonl(path: &Path) -> Result<(Vec<RawEvent>, ReadReport), ReadError> {
    let mut report = ReadReport::new(path);
    let mut events = Vec::new();
    let reader = BufReader::new(open(path)?);
    for (n, line) in reader.lines().enumerate() {
        let line_no = n as u64 + 1;
        let line = line.map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        report.rows += 1;
        match parse_event_line(&line) {
            Ok(e) => {
                report.used += 1;
                events.push(e);
            }
            Err((field, reason, message)) => report.skip(line_no, field, reason, message),
        }
    }
    if events.is_empty() {
        return Err(report.empty_error("events"));
    }
    Ok((events, report))
}

type LineError = (&'static str, &'static str, String);

/// A catalog row as field → value, or why it could not be read, with its line number.
type CatalogRow = (u64, Result<BTreeMap<String, String>, LineError>);

fn parse_event_line(line: &str) -> Result<RawEvent, LineError> {
    let value: Value = serde_json::from_str(line).map_err(|e| ("", "malformed JSON", format!("malformed JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err(("", "not an object", "expected a JSON object".to_owned()));
    };
    let field = |key: &'static str| json_str(&obj, key).map_err(|m| (key, "bad field type", m));
    let shopper = field("shopper")?.filter(|s| !s.is_empty()).ok_or(("shopper", "missing shopper", "required".to_owned()))?;
    let kind_name = field("type")?.ok_or(("type", "missing type", "required".to_owned()))?;
    let kind = EventKind::parse(&kind_name).map_err(|e| ("type", "unknown event type", e.to_string()))?;
    let item = field("item")?.unwrap_or_default();
    if kind.needs_item() && item.is_empty() {
        return Err(("item", "missing item", format!("a {} event needs an item", kind.as_str())));
    }
    let ts_ms = parse_timestamp(obj.get("ts").unwrap_or(&Value::Null)).map_err(|m| ("ts", "bad timestamp", m))?;
    let qty = match obj.get("qty") {
        None | Some(Value::Null) => 1,
        Some(v) => match v.as_f64() {
            Some(q) if (1.0..=1e6).contains(&q) && q.fract() == 0.0 => q as u32,
            _ => return Err(("qty", "bad quantity", format!("{v} is not a whole number from 1 to 1000000"))),
        },
    };
    let price = match obj.get("price") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(p) if p.is_finite() && p >= 0.0 => Some(p as f32),
            _ => return Err(("price", "bad price", format!("{v} is not a number ≥ 0"))),
        },
    };
    Ok(RawEvent { shopper, item, kind, ts_ms, qty, price, basket: field("basket")?, query: field("query")? })
}

/// Stock codes in the Online Retail data that are fees, postage or adjustments, not products.
const NON_PRODUCT_CODES: [&str; 12] = ["POST", "D", "M", "DOT", "BANK CHARGES", "AMAZONFEE", "C2", "CRUK", "S", "PADS", "B", "m"];

/// What [`read_online_retail`] derives from the file.
#[derive(Debug, Clone)]
pub struct RetailData {
    /// One purchase event per kept invoice line.
    pub events: Vec<RawEvent>,
    /// Products derived from the lines: most common description, median price, a category
    /// inferred from the description's keywords.
    pub catalog: Vec<CatalogItem>,
}

/// Reads the Online Retail CSV and cleans it as its README says: drops cancellations
/// (invoice numbers starting with `C`), non-product stock codes, lines without a customer,
/// zero or negative quantities and prices. Each kept line is a purchase; the invoice is the
/// basket.
pub fn read_online_retail(path: &Path) -> Result<(RetailData, ReadReport), ReadError> {
    const COLUMNS: [&str; 7] = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"];
    let mut report = ReadReport::new(path);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(open(path)?);
    let headers = rdr.headers().map_err(|e| ReadError::Malformed { path: path.to_owned(), line: 1, message: e.to_string() })?.clone();
    let mut col = [0usize; 7];
    for (slot, name) in col.iter_mut().zip(COLUMNS) {
        *slot = headers.iter().position(|h| h.trim_start_matches('\u{feff}') == name).ok_or_else(|| ReadError::MissingColumn {
            path: path.to_owned(),
            column: name,
            found: headers.iter().collect::<Vec<_>>().join(","),
        })?;
    }
    let mut events = Vec::new();
    // stock code -> (description counts, prices)
    let mut products: BTreeMap<String, (HashMap<String, u32>, Vec<f32>)> = BTreeMap::new();
    for record in rdr.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                report.rows += 1;
                report.skip(line, "", "malformed CSV row", e.to_string());
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        report.rows += 1;
        let get = |i: usize| record.get(col[i]).unwrap_or("").trim();
        let (invoice, code, description) = (get(0), get(1), get(2));
        if invoice.starts_with('C') {
            report.clean("cancellation");
            continue;
        }
        if NON_PRODUCT_CODES.contains(&code) || code.starts_with("gift_") || code.is_empty() {
            report.clean("non-product stock code");
            continue;
        }
        let Ok(qty) = get(3).parse::<i64>() else {
            report.skip(line, "Quantity", "bad quantity", format!("{:?} is not a whole number", get(3)));
            continue;
        };
        let Ok(price) = get(5).parse::<f32>() else {
            report.skip(line, "UnitPrice", "bad price", format!("{:?} is not a number", get(5)));
            continue;
        };
        if qty <= 0 || !price.is_finite() || price <= 0.0 {
            report.clean("quantity or price not positive");
            continue;
        }
        let ts_ms = match parse_timestamp_str(get(4)) {
            Ok(t) => t,
            Err(m) => {
                report.skip(line, "InvoiceDate", "bad timestamp", m);
                continue;
            }
        };
        let customer = get(6);
        if customer.is_empty() {
            report.clean("no customer id");
            continue;
        }
        let entry = products.entry(code.to_owned()).or_default();
        if !description.is_empty() {
            *entry.0.entry(description.to_owned()).or_default() += 1;
        }
        entry.1.push(price);
        report.used += 1;
        events.push(RawEvent {
            shopper: customer.trim_end_matches(".0").to_owned(),
            item: code.to_owned(),
            kind: EventKind::Purchase,
            ts_ms,
            qty: qty.min(1_000_000) as u32,
            price: Some(price),
            basket: Some(invoice.to_owned()),
            query: None,
        });
    }
    if events.is_empty() {
        return Err(report.empty_error("events"));
    }
    let catalog = products
        .into_iter()
        .map(|(code, (descriptions, mut prices))| {
            let title = descriptions.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map_or_else(|| code.clone(), |(d, _)| d);
            prices.sort_by(f32::total_cmp);
            let price = prices.get(prices.len() / 2).copied().unwrap_or(0.0);
            CatalogItem {
                category: infer_category(&title).to_owned(),
                id: code,
                title,
                brand: String::new(),
                price,
                image: String::new(),
                url: String::new(),
                in_stock: true,
                description: String::new(),
            }
        })
        .collect();
    Ok((RetailData { events, catalog }, report))
}

/// Keyword rules for giving gift-shop products a category from their description (first match
/// wins; the data has no categories of its own).
const CATEGORY_KEYWORDS: [(&str, &[&str]); 12] = [
    ("Christmas", &["CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER", "SNOWFLAKE"]),
    ("Candles & Lights", &["CANDLE", "T-LIGHT", "TEALIGHT", "LANTERN", "LIGHT", "LAMP", "NIGHT LIGHT"]),
    ("Bags", &["BAG", "TOTE", "PURSE", "SHOPPER"]),
    ("Cards & Wrap", &["CARD", "WRAP", "RIBBON", "TISSUE", "ENVELOPE", "TAG"]),
    (
        "Kitchen & Dining",
        &[
            "MUG", "CUP", "PLATE", "BOWL", "TEA", "CAKE", "BAKING", "LUNCH", "JAR", "NAPKIN", "SPOON", "TRAY", "BOTTLE", "KITCHEN",
            "CUTLERY",
        ],
    ),
    ("Stationery", &["PEN", "PENCIL", "NOTEBOOK", "NOTE", "STICKER", "ERASER", "RULER", "CHALK", "DIARY"]),
    ("Toys & Games", &["TOY", "GAME", "DOLL", "PLAYHOUSE", "JIGSAW", "SPACEBOY", "DOMINOES", "SKITTLES"]),
    ("Jewellery & Accessories", &["NECKLACE", "BRACELET", "EARRINGS", "RING", "HAIR", "UMBRELLA", "JEWEL"]),
    ("Garden", &["GARDEN", "PLANT", "FLOWER POT", "BIRD", "WATERING", "HERB"]),
    ("Storage", &["BOX", "TIN", "BASKET", "STORAGE", "DRAWER", "CABINET", "HOOK", "HANGER"]),
    (
        "Home Decor",
        &[
            "HEART",
            "SIGN",
            "FRAME",
            "CLOCK",
            "CUSHION",
            "DOORMAT",
            "MIRROR",
            "WALL",
            "DECORATION",
            "ORNAMENT",
            "VASE",
            "BUNTING",
            "GARLAND",
        ],
    ),
    ("Bath & Beauty", &["SOAP", "BATH", "TOWEL", "HOT WATER BOTTLE", "MIRROR"]),
];

/// The category [`CATEGORY_KEYWORDS`] gives a description ("Other" when none matches).
pub fn infer_category(description: &str) -> &'static str {
    let upper = description.to_uppercase();
    let words: Vec<&str> = upper.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    for (category, keywords) in CATEGORY_KEYWORDS {
        for k in keywords {
            let hit = if k.contains(' ') || k.contains('-') {
                upper.contains(k)
            } else {
                words.iter().any(|w| w == k || w.strip_suffix('S') == Some(k))
            };
            if hit {
                return category;
            }
        }
    }
    "Other"
}

/// Parses a catalog `in_stock` value.
fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "y" => Some(true),
        "0" | "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// Reads a catalog: CSV with a header (`id,title,price` required; `category,brand,image,url,
/// in_stock,description` optional) or, for `.jsonl`/`.json` files, one object per line.
/// Duplicate ids keep the first row.
pub fn read_catalog(path: &Path) -> Result<(Vec<CatalogItem>, ReadReport), ReadError> {
    let mut report = ReadReport::new(path);
    let rows: Vec<CatalogRow> = if path.extension().is_some_and(|e| e == "jsonl" || e == "json") {
        let reader = BufReader::new(open(path)?);
        let mut rows = Vec::new();
        for (n, line) in reader.lines().enumerate() {
            let line = line.map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
            if line.trim().is_empty() {
                continue;
            }
            let row = match serde_json::from_str::<Value>(&line) {
                Ok(Value::Object(obj)) => obj
                    .into_iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => Ok((k, s)),
                        Value::Null => Ok((k, String::new())),
                        Value::Number(n) => Ok((k, n.to_string())),
                        Value::Bool(b) => Ok((k, b.to_string())),
                        other => Err(("", "bad field type", format!("field {k:?}: {other} is not a string, number or boolean"))),
                    })
                    .collect(),
                Ok(_) => Err(("", "not an object", "expected a JSON object".to_owned())),
                Err(e) => Err(("", "malformed JSON", format!("malformed JSON: {e}"))),
            };
            rows.push((n as u64 + 1, row));
        }
        rows
    } else {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(open(path)?);
        let headers = rdr.headers().map_err(|e| ReadError::Malformed { path: path.to_owned(), line: 1, message: e.to_string() })?.clone();
        for column in ["id", "title", "price"] {
            if !headers.iter().any(|h| h == column) {
                return Err(ReadError::MissingColumn {
                    path: path.to_owned(),
                    column,
                    found: headers.iter().collect::<Vec<_>>().join(","),
                });
            }
        }
        let mut rows = Vec::new();
        for record in rdr.records() {
            match record {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    let row = if r.len() != headers.len() {
                        Err(("", "wrong field count", format!("{} fields, the header has {}", r.len(), headers.len())))
                    } else {
                        Ok(headers.iter().zip(r.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect())
                    };
                    rows.push((line, row));
                }
                Err(e) => rows.push((e.position().map_or(0, |p| p.line()), Err(("", "malformed CSV row", e.to_string())))),
            }
        }
        rows
    };
    let mut items = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for (line, row) in rows {
        report.rows += 1;
        let result = row.and_then(|row| catalog_item(&row));
        match result {
            Ok(item) => {
                if let Some(first) = first_line.get(&item.id) {
                    report.skip(line, "id", "duplicate id", format!("id {:?} already defined on line {first}", item.id));
                    continue;
                }
                first_line.insert(item.id.clone(), line);
                report.used += 1;
                items.push(item);
            }
            Err((field, reason, message)) => report.skip(line, field, reason, message),
        }
    }
    if items.is_empty() {
        return Err(report.empty_error("catalog items"));
    }
    Ok((items, report))
}

fn catalog_item(row: &BTreeMap<String, String>) -> Result<CatalogItem, LineError> {
    let text = |k: &str| row.get(k).map_or("", |s| s.trim()).to_owned();
    let id = text("id");
    if id.is_empty() {
        return Err(("id", "missing id", "required".to_owned()));
    }
    let title = text("title");
    if title.is_empty() {
        return Err(("title", "missing title", "required".to_owned()));
    }
    let price_text = text("price");
    let price = match price_text.parse::<f32>() {
        Ok(p) if p.is_finite() && p >= 0.0 => p,
        _ => return Err(("price", "bad price", format!("{price_text:?} is not a number ≥ 0"))),
    };
    let stock_text = text("in_stock");
    let in_stock = parse_bool(&stock_text).ok_or(("in_stock", "bad in_stock", format!("{stock_text:?} is not true/false/1/0/yes/no")))?;
    Ok(CatalogItem {
        id,
        title,
        category: text("category"),
        brand: text("brand"),
        price,
        image: text("image"),
        url: text("url"),
        in_stock,
        description: text("description"),
    })
}
