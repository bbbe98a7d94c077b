//! The Online Retail CSV ([`read_online_retail`]): purchases and a derived catalog, cleaned as
//! the data's README says.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::csv_rows::{missing_column, CsvRows};
use super::error::ReadError;
use super::events::AFTER_BUILD_TIME;
use super::problems::{ReadReport, RowError};
use super::text::{echo, utf8};
use super::timestamp::{check_not_after, parse_timestamp_str};
use crate::build::input::{CatalogItem, RawEvent};
use crate::event::EventKind;

/// Stock codes in the Online Retail data that are fees, postage or adjustments, not products.
const NON_PRODUCT_CODES: [&str; 12] = ["POST", "D", "M", "DOT", "BANK CHARGES", "AMAZONFEE", "C2", "CRUK", "S", "PADS", "B", "m"];

/// What [`read_online_retail`] derives from the file.
#[derive(Debug, Clone)]
pub struct RetailData {
    /// One purchase event per kept invoice line.
    pub events: Vec<RawEvent>,
    /// Cancelled invoice lines of products (invoice numbers starting with `C`, with a customer
    /// and a valid date), quantity made positive: left out of `events`, kept for the sales
    /// forecast, which takes them off the shopper's earlier purchases
    /// ([`crate::build::forecast::net_cancellations`]).
    pub cancellations: Vec<RawEvent>,
    /// Products derived from the lines: most common description, median price, a category
    /// inferred from the description's keywords.
    pub catalog: Vec<CatalogItem>,
}

/// Reads the Online Retail CSV and cleans it as its README says: drops cancellations
/// (invoice numbers starting with `C`), non-product stock codes, lines without a customer,
/// zero or negative quantities and prices. Each kept line is a purchase; the invoice is the
/// basket. A line dated after `build_time_ms` is skipped and reported.
pub fn read_online_retail(path: &Path, build_time_ms: i64) -> Result<(RetailData, ReadReport), ReadError> {
    const COLUMNS: [&str; 7] = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"];
    let mut report = ReadReport::new(path);
    let mut rows = CsvRows::open(path)?;
    let headers = rows.headers()?;
    let mut col = [0usize; 7];
    for (slot, name) in col.iter_mut().zip(COLUMNS) {
        *slot = headers.iter().position(|h| h == name).ok_or_else(|| missing_column(path, name, &headers))?;
    }
    let mut events = Vec::new();
    let mut cancellations = Vec::new();
    // stock code -> (description counts, prices)
    let mut products: BTreeMap<String, (HashMap<String, u32>, Vec<f32>)> = BTreeMap::new();
    while let Some((line, record)) = rows.next_row()? {
        report.rows += 1;
        let mut fields = [""; 7];
        let mut bad = None;
        for ((slot, &i), name) in fields.iter_mut().zip(&col).zip(COLUMNS) {
            match utf8(record.get(i).unwrap_or_default()) {
                Ok(text) => *slot = text.trim(),
                Err(e) => {
                    bad = Some((name, e));
                    break;
                }
            }
        }
        if let Some((name, e)) = bad {
            report.windows_1252 |= e.windows_1252.is_some();
            report.skip(line, name, "invalid UTF-8", e.to_string());
            continue;
        }
        match retail_line(&fields, build_time_ms) {
            Ok(RetailLine::Cleaned(reason)) => report.clean(reason),
            Ok(RetailLine::Cancellation(event)) => {
                report.clean("cancellation");
                cancellations.push(event);
            }
            Err((field, reason, message)) => report.skip(line, &field, reason, message),
            Ok(RetailLine::Purchase(event, description)) => {
                let entry = products.entry(event.item.clone()).or_default();
                if !description.is_empty() {
                    *entry.0.entry(description.to_owned()).or_default() += 1;
                }
                entry.1.push(event.price.unwrap_or(0.0));
                report.used += 1;
                events.push(event);
            }
        }
    }
    if events.is_empty() {
        return Err(report.empty_error("events"));
    }
    let catalog = products.into_iter().map(|(code, (descriptions, prices))| derived_item(code, descriptions, prices)).collect();
    Ok((RetailData { events, cancellations, catalog }, report))
}

/// What one kept-or-not line of the Online Retail CSV is.
enum RetailLine<'a> {
    /// Removed by a cleaning rule (the reason).
    Cleaned(&'static str),
    /// A purchase, with the line's description.
    Purchase(RawEvent, &'a str),
    /// A cancelled line (a product's, with a customer), quantity made positive.
    Cancellation(RawEvent),
}

/// Cleans and parses one line's fields (in the order of `COLUMNS`).
fn retail_line<'a>(fields: &[&'a str; 7], build_time_ms: i64) -> Result<RetailLine<'a>, RowError> {
    let [invoice, code, description, quantity, date, unit_price, customer] = *fields;
    let non_product = NON_PRODUCT_CODES.contains(&code) || code.starts_with("gift_") || code.is_empty();
    if invoice.starts_with('C') {
        return Ok(cancellation(fields, build_time_ms, non_product).unwrap_or(RetailLine::Cleaned("cancellation")));
    }
    if non_product {
        return Ok(RetailLine::Cleaned("non-product stock code"));
    }
    let qty =
        quantity.parse::<i64>().map_err(|_| ("Quantity".into(), "bad quantity", format!("{} is not a whole number", echo(quantity))))?;
    let price =
        unit_price.parse::<f32>().map_err(|_| ("UnitPrice".into(), "bad price", format!("{} is not a number", echo(unit_price))))?;
    if qty <= 0 || !price.is_finite() || price <= 0.0 {
        return Ok(RetailLine::Cleaned("quantity or price not positive"));
    }
    let ts_ms = parse_timestamp_str(date).map_err(|m| ("InvoiceDate".into(), "bad timestamp", m))?;
    check_not_after(ts_ms, build_time_ms, &Value::from(date)).map_err(|m| ("InvoiceDate".into(), AFTER_BUILD_TIME, m))?;
    if customer.is_empty() {
        return Ok(RetailLine::Cleaned("no customer id"));
    }
    let event = RawEvent {
        shopper: customer.trim_end_matches(".0").to_owned(),
        item: code.to_owned(),
        kind: EventKind::Purchase,
        ts_ms,
        qty: qty.min(1_000_000) as u32,
        price: Some(price),
        basket: Some(invoice.to_owned()),
        query: None,
    };
    Ok(RetailLine::Purchase(event, description))
}

/// A cancelled line as an event (quantity made positive), when it names a product and a
/// customer and its quantity and date parse; `None` otherwise (it is still only cleaned).
fn cancellation(fields: &[&str; 7], build_time_ms: i64, non_product: bool) -> Option<RetailLine<'static>> {
    let [invoice, code, _, quantity, date, _, customer] = *fields;
    let qty = quantity.parse::<i64>().ok()?.unsigned_abs();
    let ts_ms = parse_timestamp_str(date).ok()?;
    if non_product || customer.is_empty() || qty == 0 || ts_ms > build_time_ms {
        return None;
    }
    Some(RetailLine::Cancellation(RawEvent {
        shopper: customer.trim_end_matches(".0").to_owned(),
        item: code.to_owned(),
        kind: EventKind::Purchase,
        ts_ms,
        qty: qty.min(1_000_000) as u32,
        price: None,
        basket: Some(invoice.to_owned()),
        query: None,
    }))
}

/// A product derived from its lines: the most common description, the median price, a
/// category from the description's keywords.
fn derived_item(code: String, descriptions: HashMap<String, u32>, mut prices: Vec<f32>) -> CatalogItem {
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
