//! What the device records for measurement (impressions, shelf clicks, purchases with their
//! value), last-touch attribution of purchases to shelves, and the true answers of a day.
//!
//! **Attribution.** A purchase of item i at time t goes to the shelf kind of the latest shelf
//! click on item i within the window before it (`t − window ≤ click ≤ t`; 7 days by default),
//! else to no shelf ("none").

use serde::{Deserialize, Serialize};

use super::error::MeasurementError;
use super::question::{order_shelf_slot, Question, ValueBuckets, ORDER_SHELF_KINDS};
use crate::shelf::ShelfKind;

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;
/// The default attribution window, in days.
pub const DEFAULT_WINDOW_DAYS: u32 = 7;
/// The longest attribution window, in days.
pub const MAX_WINDOW_DAYS: u32 = 30;

/// What a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A shelf card seen at least half for at least a second.
    Impression,
    /// A click on a shelf card.
    ShelfClick,
    /// A purchase, with its value.
    Purchase,
}

/// One measurement record as the shell keeps it (JS object, camelCase).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeasurementRecord {
    /// What happened.
    #[serde(rename = "type")]
    pub kind: RecordKind,
    /// When, in ms since 1970.
    pub ts: f64,
    /// The item shown, clicked or bought.
    pub item: String,
    /// The shelf kind (impressions and clicks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf: Option<String>,
    /// The position on the shelf, from 1 (impressions and clicks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// Units bought (purchases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qty: Option<u32>,
    /// The purchase's value in the shop's currency: price × quantity (purchases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// A record checked: times in ms, the shelf kind parsed.
#[derive(Debug, Clone, Copy)]
struct Checked<'a> {
    /// Its position in the list given (breaks ties in time).
    index: usize,
    kind: RecordKind,
    ts: i64,
    item: &'a str,
    shelf: Option<ShelfKind>,
    value: f64,
}

fn check(index: usize, r: &MeasurementRecord) -> Result<Checked<'_>, MeasurementError> {
    let bad = |detail: String| MeasurementError::InvalidRecord { index, detail };
    if !r.ts.is_finite() || r.ts.abs() > 1e15 {
        return Err(bad(format!("ts = {} is not a time in ms since 1970", r.ts)));
    }
    if r.item.is_empty() {
        return Err(bad("item is empty".into()));
    }
    let shelf = match (r.kind, r.shelf.as_deref()) {
        (RecordKind::Purchase, _) => None,
        (_, Some(name)) => Some(ShelfKind::parse(name).map_err(|e| bad(e.to_string()))?),
        (_, None) => return Err(bad("an impression or a shelf click needs its shelf kind".into())),
    };
    let value = match (r.kind, r.value) {
        (RecordKind::Purchase, Some(v)) if v.is_finite() && v >= 0.0 => v,
        (RecordKind::Purchase, Some(v)) => return Err(bad(format!("a purchase needs a value ≥ 0, got {v}"))),
        (RecordKind::Purchase, None) => return Err(bad("a purchase needs its value".into())),
        _ => 0.0,
    };
    Ok(Checked { index, kind: r.kind, ts: r.ts as i64, item: &r.item, shelf, value })
}

/// A purchase and the shelf it is attributed to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributedPurchase {
    /// The item bought.
    pub item: String,
    /// When, in ms since 1970.
    pub ts: f64,
    /// Its value.
    pub value: f64,
    /// The shelf kind of the last click on this item within the window, if any.
    pub shelf: Option<ShelfKind>,
}

/// Checks `records` and attributes every purchase (last touch within `window_days`), in time order.
fn attribute_checked<'a>(
    records: &'a [MeasurementRecord],
    window_days: u32,
) -> Result<Vec<(Checked<'a>, Option<ShelfKind>)>, MeasurementError> {
    let mut checked = records.iter().enumerate().map(|(i, r)| check(i, r)).collect::<Result<Vec<_>, _>>()?;
    // Clicks first at equal times, so that a click and the purchase it led to in the same
    // millisecond are attributed; then the order given.
    let key = |c: &Checked<'_>| (c.ts, c.kind != RecordKind::ShelfClick, c.index);
    crate::order::sort_by(&mut checked, &|a: &Checked<'_>, b: &Checked<'_>| key(a).cmp(&key(b)));
    let window = i64::from(window_days.min(MAX_WINDOW_DAYS)) * DAY_MS;
    let mut out: Vec<(Checked<'a>, Option<ShelfKind>)> = Vec::with_capacity(checked.len());
    for c in checked {
        let shelf = match c.kind {
            // The latest click on the item before it, within the window (purchases are few:
            // a scan back is fast enough, and with the type-erased sort it replaced a BTreeMap
            // and slice::sort_by_key: with the changes listed in docs/MEASUREMENT.md §8, the
            // wasm module went from 166,286 to 157,086 bytes gzip).
            RecordKind::Purchase => out
                .iter()
                .rev()
                .take_while(|(earlier, _)| c.ts - earlier.ts <= window)
                .find(|(earlier, _)| earlier.kind == RecordKind::ShelfClick && earlier.item == c.item)
                .and_then(|(earlier, _)| earlier.shelf),
            RecordKind::ShelfClick | RecordKind::Impression => c.shelf,
        };
        out.push((c, shelf));
    }
    Ok(out)
}

/// Every purchase with its attribution, in time order.
pub fn attribute(records: &[MeasurementRecord], window_days: u32) -> Result<Vec<AttributedPurchase>, MeasurementError> {
    Ok(attribute_checked(records, window_days)?
        .into_iter()
        .filter(|(c, _)| c.kind == RecordKind::Purchase)
        .map(|(c, shelf)| AttributedPurchase { item: c.item.to_owned(), ts: c.ts as f64, value: c.value, shelf })
        .collect())
}

/// The true answers of one device for one UTC day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayAnswers {
    /// Total value bought that day (0: no purchase).
    pub order_value: f64,
    /// Whether anything was bought.
    pub purchased: bool,
    /// The shelf kind that brought the most of the day's attributed value; `None` when no
    /// purchase came through a shelf.
    pub order_shelf: Option<ShelfKind>,
    /// Whether a shelf item was clicked.
    pub clicked_shelf: bool,
}

impl DayAnswers {
    /// The answers for the day starting at `day_start_ms` (UTC midnight), attributing
    /// purchases with clicks from up to `window_days` before.
    pub fn of(records: &[MeasurementRecord], day_start_ms: i64, window_days: u32) -> Result<DayAnswers, MeasurementError> {
        let day = day_start_ms..day_start_ms + DAY_MS;
        let mut answers = DayAnswers { order_value: 0.0, purchased: false, order_shelf: None, clicked_shelf: false };
        let mut attributed_any = false;
        let mut by_shelf = [0.0f64; ORDER_SHELF_KINDS.len()]; // value per kind, in ORDER_SHELF_KINDS order
        for (c, shelf) in attribute_checked(records, window_days)? {
            if !day.contains(&c.ts) {
                continue;
            }
            match c.kind {
                RecordKind::ShelfClick => answers.clicked_shelf = true,
                RecordKind::Purchase => {
                    answers.purchased = true;
                    answers.order_value += c.value;
                    if let Some(at) = shelf.map(order_shelf_slot) {
                        by_shelf[at] += c.value;
                        attributed_any = true;
                    }
                }
                RecordKind::Impression => {}
            }
        }
        // The most value; ties to the earlier kind in ORDER_SHELF_KINDS order (a purchase of value 0
        // through a shelf still names it).
        if attributed_any {
            let best = (0..by_shelf.len()).fold(0, |best, at| if by_shelf[at] > by_shelf[best] { at } else { best });
            answers.order_shelf = ORDER_SHELF_KINDS.get(best).copied();
        }
        Ok(answers)
    }

    /// The index of the true answer to `question` (see [`super::question`]).
    pub fn truth(&self, question: Question, buckets: &ValueBuckets) -> usize {
        match question {
            Question::Purchased => usize::from(self.purchased),
            Question::ClickedShelf => usize::from(self.clicked_shelf),
            Question::OrderValue if self.purchased => 1 + buckets.bucket(self.order_value),
            Question::OrderShelf if self.purchased => match self.order_shelf {
                None => 1,
                Some(kind) => 2 + order_shelf_slot(kind),
            },
            Question::OrderValue | Question::OrderShelf => 0,
        }
    }
}

/// Totals of one shelf kind (or of purchases via no shelf).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShelfTotals {
    /// The shelf kind; `None`: purchases that came through no shelf.
    pub shelf: Option<ShelfKind>,
    /// Impressions recorded.
    pub impressions: u32,
    /// Clicks on its items.
    pub clicks: u32,
    /// Purchases attributed to it.
    pub purchases: u32,
    /// Their value.
    pub value: f64,
}

/// What the device's measurement records say, for `shelfwise.measurement()`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeasurementSummary {
    /// The attribution window used, in days.
    pub window_days: u32,
    /// Impressions recorded.
    pub impressions: u32,
    /// Shelf clicks recorded.
    pub clicks: u32,
    /// Purchases recorded.
    pub purchases: u32,
    /// Their total value.
    pub value: f64,
    /// Per shelf kind with any record, in [`ShelfKind::ALL`] order, then purchases via no shelf.
    pub by_shelf: Vec<ShelfTotals>,
    /// Every purchase with its attribution, in time order.
    pub attributed: Vec<AttributedPurchase>,
}

impl MeasurementSummary {
    /// Summarizes `records` with last-touch attribution over `window_days`.
    pub fn of(records: &[MeasurementRecord], window_days: u32) -> Result<MeasurementSummary, MeasurementError> {
        let window_days = window_days.clamp(1, MAX_WINDOW_DAYS);
        let mut rows: Vec<ShelfTotals> = ShelfKind::ALL.iter().map(|&k| Some(k)).chain([None]).map(empty_totals).collect();
        let mut attributed = Vec::new();
        for (c, shelf) in attribute_checked(records, window_days)? {
            let at = shelf.and_then(|kind| ShelfKind::ALL.iter().position(|&k| k == kind)).unwrap_or(ShelfKind::ALL.len());
            let row = &mut rows[at];
            match c.kind {
                RecordKind::Impression => row.impressions += 1,
                RecordKind::ShelfClick => row.clicks += 1,
                RecordKind::Purchase => {
                    row.purchases += 1;
                    row.value += c.value;
                    attributed.push(AttributedPurchase { item: c.item.to_owned(), ts: c.ts as f64, value: c.value, shelf });
                }
            }
        }
        let total = |f: fn(&ShelfTotals) -> u32| rows.iter().map(f).sum();
        Ok(MeasurementSummary {
            window_days,
            impressions: total(|r| r.impressions),
            clicks: total(|r| r.clicks),
            purchases: total(|r| r.purchases),
            value: rows.iter().map(|r| r.value).sum(),
            by_shelf: rows.into_iter().filter(|r| r.impressions + r.clicks + r.purchases > 0).collect(),
            attributed,
        })
    }
}

fn empty_totals(shelf: Option<ShelfKind>) -> ShelfTotals {
    ShelfTotals { shelf, impressions: 0, clicks: 0, purchases: 0, value: 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: f64 = DAY_MS as f64;

    fn click(item: &str, shelf: &str, ts: f64) -> MeasurementRecord {
        MeasurementRecord {
            kind: RecordKind::ShelfClick,
            ts,
            item: item.into(),
            shelf: Some(shelf.into()),
            position: Some(1),
            qty: None,
            value: None,
        }
    }

    fn seen(item: &str, shelf: &str, ts: f64) -> MeasurementRecord {
        MeasurementRecord { kind: RecordKind::Impression, ..click(item, shelf, ts) }
    }

    fn bought(item: &str, value: f64, ts: f64) -> MeasurementRecord {
        MeasurementRecord {
            kind: RecordKind::Purchase,
            ts,
            item: item.into(),
            shelf: None,
            position: None,
            qty: Some(1),
            value: Some(value),
        }
    }

    #[test]
    fn the_last_click_on_the_item_within_the_window_wins() {
        let records = vec![
            bought("a", 5.0, 10.0 * DAY + 3.0),
            click("a", "similar", 10.0 * DAY),
            click("a", "for-you", 10.0 * DAY + 1.0),
            click("b", "trending", 10.0 * DAY + 2.0),
            bought("b", 7.0, 18.0 * DAY),
            bought("c", 1.0, 10.0 * DAY + 4.0),
        ];
        let attributed = attribute(&records, 7).unwrap();
        let shelves: Vec<_> = attributed.iter().map(|p| (p.item.as_str(), p.shelf)).collect();
        // b's click is 8 days before its purchase: outside the 7-day window.
        assert_eq!(shelves, [("a", Some(ShelfKind::ForYou)), ("c", None), ("b", None)]);
        assert_eq!(attribute(&records, 9).unwrap()[2].shelf, Some(ShelfKind::Trending));
    }

    #[test]
    fn a_day_answers_with_its_own_records_and_earlier_clicks() {
        let buckets = ValueBuckets::default();
        let records = vec![
            click("a", "similar", 2.0 * DAY + 5.0),
            seen("a", "similar", 2.0 * DAY + 4.0),
            bought("a", 12.0, 3.0 * DAY + 9.0),
            click("b", "for-you", 3.0 * DAY + 1.0),
            bought("b", 30.0, 3.0 * DAY + 10.0),
            bought("z", 100.0, 3.0 * DAY + 11.0),
        ];
        let day3 = DayAnswers::of(&records, 3 * DAY_MS, 7).unwrap();
        assert!(day3.purchased && day3.clicked_shelf);
        assert_eq!(day3.order_value, 142.0);
        assert_eq!(day3.order_shelf, Some(ShelfKind::ForYou), "for-you brought 30, similar 12");
        assert_eq!(day3.truth(Question::OrderValue, &buckets), 5);
        assert_eq!(day3.truth(Question::OrderShelf, &buckets), 2);
        let day2 = DayAnswers::of(&records, 2 * DAY_MS, 7).unwrap();
        assert!(!day2.purchased && day2.clicked_shelf);
        assert_eq!(
            [Question::Purchased, Question::OrderValue, Question::OrderShelf, Question::ClickedShelf].map(|q| day2.truth(q, &buckets)),
            [0, 0, 0, 1]
        );
        let day4 = DayAnswers::of(&[bought("q", 3.0, 4.0 * DAY)], 4 * DAY_MS, 7).unwrap();
        assert_eq!(day4.truth(Question::OrderShelf, &buckets), 1, "bought, but not via a shelf");
        assert_eq!(day4.truth(Question::OrderValue, &buckets), 1);
    }

    #[test]
    fn the_summary_totals_each_shelf_and_the_purchases_via_none() {
        let records = vec![
            seen("a", "for-you", 1.0),
            seen("b", "for-you", 2.0),
            click("a", "for-you", 3.0),
            bought("a", 9.5, 4.0),
            bought("x", 2.0, 5.0),
        ];
        let summary = MeasurementSummary::of(&records, 7).unwrap();
        assert_eq!((summary.impressions, summary.clicks, summary.purchases, summary.value), (2, 1, 2, 11.5));
        assert_eq!(summary.by_shelf.len(), 2);
        assert_eq!(
            summary.by_shelf[0],
            ShelfTotals { shelf: Some(ShelfKind::ForYou), impressions: 2, clicks: 1, purchases: 1, value: 9.5 }
        );
        assert_eq!(summary.by_shelf[1], ShelfTotals { shelf: None, impressions: 0, clicks: 0, purchases: 1, value: 2.0 });
    }

    #[test]
    fn malformed_records_are_named_by_index() {
        let mut bad = click("a", "no-such-shelf", 1.0);
        let err = MeasurementSummary::of(&[seen("a", "for-you", 1.0), bad.clone()], 7).unwrap_err();
        assert!(matches!(err, MeasurementError::InvalidRecord { index: 1, .. }), "{err}");
        bad.shelf = None;
        assert!(MeasurementSummary::of(&[bad], 7).is_err());
        let mut no_value = bought("a", 1.0, 1.0);
        no_value.value = Some(f64::NAN);
        assert!(attribute(&[no_value], 7).unwrap_err().to_string().contains("record 0"));
    }
}
