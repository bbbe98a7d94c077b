//! The shop's catalog as CSV or JSONL ([`read_catalog`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::csv_rows::{missing_column, CsvRows};
use super::error::ReadError;
use super::events::{json_object, warn_bom, warn_unknown_fields};
use super::lines::{LineSource, MAX_LINE_BYTES};
use super::problems::{ReadReport, RowError, DUPLICATE_ID};
use super::text::{did_you_mean, echo, refused_url_scheme, utf8};
use crate::build::input::CatalogItem;

/// The catalog's columns; the first three are required.
pub const CATALOG_COLUMNS: [&str; 9] = ["id", "title", "price", "category", "brand", "image", "url", "in_stock", "description"];

/// Reads a catalog: CSV with a header (`id,title,price` required; `category,brand,image,url,
/// in_stock,description` optional) or, for `.jsonl`/`.json` files, one object per line.
/// Duplicate ids keep the first row. A bad row is skipped and reported; an `in_stock` value
/// that is not a yes or no keeps its product as in stock, with a warning.
pub fn read_catalog(path: &Path) -> Result<(Vec<CatalogItem>, ReadReport), ReadError> {
    let mut report = ReadReport::new(path);
    let mut items = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut add = |report: &mut ReadReport, line: u64, row: Result<BTreeMap<String, String>, RowError>| {
        report.rows += 1;
        match row.and_then(|row| catalog_item(&row, report, line)) {
            Ok(item) => {
                if let Some(first) = first_line.get(&item.id) {
                    report.skip(line, "id", DUPLICATE_ID, format!("id {} already defined on line {first}", echo(&item.id)));
                    return;
                }
                first_line.insert(item.id.clone(), line);
                report.used += 1;
                items.push(item);
            }
            Err((field, reason, message)) => report.skip(line, &field, reason, message),
        }
    };
    if path.extension().is_some_and(|e| e == "jsonl" || e == "json") {
        let mut lines = LineSource::open(path, MAX_LINE_BYTES)?;
        while let Some((line, bytes)) = lines.next_line()? {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let row = json_object(bytes, &mut report).and_then(|obj| {
                warn_unknown_fields(&obj, &CATALOG_COLUMNS, &mut report, line);
                json_row(obj)
            });
            add(&mut report, line, row);
        }
        if lines.had_bom() {
            warn_bom(&mut report);
        }
    } else {
        let mut rows = CsvRows::open(path)?;
        let headers = rows.headers()?;
        for column in &CATALOG_COLUMNS[..3] {
            if !headers.iter().any(|h| h == column) {
                return Err(missing_column(path, column, &headers));
            }
        }
        warn_unknown_columns(&headers, &mut report);
        while let Some((line, record)) = rows.next_row()? {
            let row = if record.len() != headers.len() {
                Err(("".into(), "wrong field count", format!("{} fields, the header has {}", record.len(), headers.len())))
            } else {
                csv_row(&headers, record.iter(), &mut report)
            };
            add(&mut report, line, row);
        }
    }
    if items.is_empty() {
        return Err(report.empty_error("catalog items"));
    }
    Ok((items, report))
}

/// Warns about header names close to a catalog column that is missing (`image_url` for
/// `image`): such a column is ignored.
fn warn_unknown_columns(headers: &[String], report: &mut ReadReport) {
    let absent: Vec<&str> = CATALOG_COLUMNS.iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
    for header in headers.iter().filter(|h| !CATALOG_COLUMNS.contains(&h.as_str())) {
        if let Some(meant) = did_you_mean(header, &absent) {
            report.warn(format!("line 1: unknown column {} is ignored: did you mean {meant:?}?", echo(header)), 1, String::new());
        }
    }
}

/// A CSV row as column → text; the first field that is not UTF-8 makes it a bad row.
fn csv_row<'a>(
    headers: &[String],
    fields: impl Iterator<Item = &'a [u8]>,
    report: &mut ReadReport,
) -> Result<BTreeMap<String, String>, RowError> {
    let mut row = BTreeMap::new();
    for (name, bytes) in headers.iter().zip(fields) {
        match utf8(bytes) {
            Ok(text) => {
                row.insert(name.clone(), text.to_owned());
            }
            Err(e) => {
                report.windows_1252 |= e.windows_1252.is_some();
                return Err((name.clone().into(), "invalid UTF-8", e.to_string()));
            }
        }
    }
    Ok(row)
}

/// A JSONL object as field → text (strings, numbers and booleans; null is empty).
fn json_row(obj: serde_json::Map<String, Value>) -> Result<BTreeMap<String, String>, RowError> {
    obj.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            Value::Null => Ok((k, String::new())),
            Value::Number(n) => Ok((k, n.to_string())),
            Value::Bool(b) => Ok((k, b.to_string())),
            other => {
                let message = format!("{} is not a string, number or boolean", super::text::echo_json(&other));
                Err((k.into(), "bad field type", message))
            }
        })
        .collect()
}

/// Parses a catalog `in_stock` value: the usual yes and no words, and feed spellings such as
/// `in stock` / `out_of_stock`.
fn parse_in_stock(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
        "" | "1" | "true" | "yes" | "y" | "in stock" | "instock" | "available" => Some(true),
        "0" | "false" | "no" | "n" | "out of stock" | "outofstock" | "sold out" | "unavailable" => Some(false),
        _ => None,
    }
}

fn catalog_item(row: &BTreeMap<String, String>, report: &mut ReadReport, line: u64) -> Result<CatalogItem, RowError> {
    let text = |k: &str| row.get(k).map_or("", |s| s.trim()).to_owned();
    let id = text("id");
    if id.is_empty() {
        return Err(("id".into(), "missing id", "required".to_owned()));
    }
    if id.len() > crate::limits::MAX_ID_BYTES {
        // The engine refuses longer ids (src/limits.rs): such an item could never be named.
        return Err(("id".into(), "id too long", format!("{} is longer than {} bytes", echo(&id), crate::limits::MAX_ID_BYTES)));
    }
    let title = text("title");
    if title.is_empty() {
        return Err(("title".into(), "missing title", "required".to_owned()));
    }
    let price_text = text("price");
    let price = match price_text.parse::<f32>() {
        Ok(p) if p.is_finite() && p >= 0.0 => p,
        _ => return Err(("price".into(), "bad price", format!("{} is not a number ≥ 0", echo(&price_text)))),
    };
    for column in ["image", "url"] {
        if let Some(scheme) = refused_url_scheme(&text(column)) {
            let message = format!("{} is a {scheme}: URL; use an http(s) or relative URL", echo(&text(column)));
            return Err((column.into(), "URL not http(s) or relative", message));
        }
    }
    let stock_text = text("in_stock");
    let in_stock = parse_in_stock(&stock_text).unwrap_or_else(|| {
        let message = "field \"in_stock\": not true/false/1/0/yes/no/in stock/out of stock; kept as in stock (the default)";
        report.warn(message.to_owned(), line, echo(&stock_text));
        true
    });
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
