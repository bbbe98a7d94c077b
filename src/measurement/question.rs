//! The fixed questions a daily report answers, and the answers' categories.
//!
//! Every question is about one UTC day of one device and has a fixed, finite list of answers
//! (its categories, by index):
//!
//! | question | categories |
//! |---|---|
//! | `purchased` | `no`, `yes` |
//! | `order-value` | `no-purchase`, then the day's order value in five buckets cut at the four [`ValueBuckets`] edges |
//! | `order-shelf` | `no-purchase`, `not-via-a-shelf`, then the ten shelf kinds of schema 1 ([`ORDER_SHELF_KINDS`]; `visually-similar` answers as `similar`) |
//! | `clicked-shelf` | `no`, `yes` |

use serde::{Deserialize, Serialize};

use super::error::MeasurementError;
use crate::shelf::ShelfKind;

/// One of the fixed questions of a daily report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Question {
    /// Did the device buy anything that day?
    Purchased,
    /// The day's order value, bucketed (or no purchase).
    OrderValue,
    /// Which shelf kind the day's attributed purchases came from (the kind with the most value).
    OrderShelf,
    /// Did the shopper click an item on a shelf that day?
    ClickedShelf,
}

/// Answers of the yes/no questions.
const YES_NO: [&str; 2] = ["no", "yes"];
/// Answer 0 of `order-value` and `order-shelf`.
pub const NO_PURCHASE: &str = "no-purchase";
/// Answer 1 of `order-shelf`: the day's purchases came through no shelf click.
pub const NOT_VIA_A_SHELF: &str = "not-via-a-shelf";
/// Number of `order-value` answers: no purchase and five value buckets.
pub const ORDER_VALUE_CATEGORIES: usize = 6;
/// The shelf kinds `order-shelf` names (answer `2 + i` is kind `i`): the ten kinds of report
/// schema 1. Kinds added since answer as the schema-1 kind they stand in for
/// ([`order_shelf_slot`]), so that devices and collectors of one schema always agree on the
/// answers.
pub const ORDER_SHELF_KINDS: [ShelfKind; 10] = [
    ShelfKind::ForYou,
    ShelfKind::Discovery,
    ShelfKind::BuyAgain,
    ShelfKind::BecauseYouViewed,
    ShelfKind::Similar,
    ShelfKind::BoughtTogether,
    ShelfKind::Trending,
    ShelfKind::TrendingInCategories,
    ShelfKind::RecentlyViewed,
    ShelfKind::NewForYou,
];
/// Number of `order-shelf` answers: no purchase, not via a shelf and the ten shelf kinds.
pub const ORDER_SHELF_CATEGORIES: usize = 2 + ORDER_SHELF_KINDS.len();

/// Where `kind` is in [`ORDER_SHELF_KINDS`]: `visually-similar`, added after schema 1, counts as
/// `similar` (the shelf it stands beside on a product page) until a new schema names it.
pub fn order_shelf_slot(kind: ShelfKind) -> usize {
    match kind {
        ShelfKind::ForYou => 0,
        ShelfKind::Discovery => 1,
        ShelfKind::BuyAgain => 2,
        ShelfKind::BecauseYouViewed => 3,
        ShelfKind::Similar | ShelfKind::VisuallySimilar => 4,
        ShelfKind::BoughtTogether => 5,
        ShelfKind::Trending => 6,
        ShelfKind::TrendingInCategories => 7,
        ShelfKind::RecentlyViewed => 8,
        ShelfKind::NewForYou => 9,
    }
}

impl Question {
    /// Every question, in a stable order.
    pub const ALL: [Question; 4] = [Question::Purchased, Question::OrderValue, Question::OrderShelf, Question::ClickedShelf];

    /// The wire name (`"purchased"`, `"order-value"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Question::Purchased => "purchased",
            Question::OrderValue => "order-value",
            Question::OrderShelf => "order-shelf",
            Question::ClickedShelf => "clicked-shelf",
        }
    }

    /// How many answers the question has (`k`).
    pub fn category_count(self) -> usize {
        match self {
            Question::Purchased | Question::ClickedShelf => YES_NO.len(),
            Question::OrderValue => ORDER_VALUE_CATEGORIES,
            Question::OrderShelf => ORDER_SHELF_CATEGORIES,
        }
    }

    /// The name of answer `index` (value buckets named by `buckets`).
    pub fn category_name(self, index: usize, buckets: &ValueBuckets) -> String {
        match (self, index) {
            (Question::Purchased | Question::ClickedShelf, i) => YES_NO.get(i).copied().unwrap_or("?").to_owned(),
            (Question::OrderValue | Question::OrderShelf, 0) => NO_PURCHASE.to_owned(),
            (Question::OrderValue, i) => buckets.label(i - 1),
            (Question::OrderShelf, 1) => NOT_VIA_A_SHELF.to_owned(),
            (Question::OrderShelf, i) => ORDER_SHELF_KINDS.get(i - 2).map_or("?", |k| k.as_str()).to_owned(),
        }
    }
}

/// The four edges that cut a day's order value into five buckets: `[0, e1)`, `[e1, e2)`,
/// `[e2, e3)`, `[e3, e4)`, `[e4, ∞)`, in the shop's currency (the pack's prices).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueBuckets {
    /// Increasing, finite, positive.
    pub edges: [f64; 4],
}

impl Default for ValueBuckets {
    fn default() -> ValueBuckets {
        ValueBuckets { edges: [10.0, 25.0, 50.0, 100.0] }
    }
}

impl ValueBuckets {
    /// Checked edges: four finite, positive, strictly increasing numbers.
    pub fn new(edges: &[f64]) -> Result<ValueBuckets, MeasurementError> {
        let edges: [f64; 4] = edges.try_into().map_err(|_| MeasurementError::InvalidSetting {
            name: "valueBuckets",
            detail: format!("expected exactly 4 edges, got {}", edges.len()),
        })?;
        let increasing = edges.windows(2).all(|w| w[0] < w[1]);
        if !increasing || !edges.iter().all(|e| e.is_finite() && *e > 0.0) {
            return Err(MeasurementError::InvalidSetting {
                name: "valueBuckets",
                detail: "the edges must be positive, finite and increasing".into(),
            });
        }
        Ok(ValueBuckets { edges })
    }

    /// The bucket (0–4) of a positive order value.
    pub fn bucket(&self, value: f64) -> usize {
        self.edges.iter().take_while(|&&edge| value >= edge).count()
    }

    /// A readable name of bucket `i` (0–4): `under-10`, `10-25`, …, `100-plus`.
    pub fn label(&self, i: usize) -> String {
        let e = self.edges;
        match i {
            0 => format!("under-{}", e[0]),
            1..=3 => format!("{}-{}", e[i - 1], e[i]),
            _ => format!("{}-plus", e[3]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shelf_kind_answers_order_shelf_within_schema_1() {
        assert_eq!(ORDER_SHELF_CATEGORIES, 12, "schema 1 has 12 order-shelf answers");
        for kind in ShelfKind::ALL {
            let named = ORDER_SHELF_KINDS[order_shelf_slot(kind)];
            let expected = if kind == ShelfKind::VisuallySimilar { ShelfKind::Similar } else { kind };
            assert_eq!(named, expected, "{kind:?}");
        }
    }

    #[test]
    fn buckets_cut_at_their_edges() {
        let b = ValueBuckets::default();
        assert_eq!([b.bucket(0.5), b.bucket(10.0), b.bucket(24.99), b.bucket(50.0), b.bucket(1e6)], [0, 1, 1, 3, 4]);
        assert_eq!(b.label(0), "under-10");
        assert_eq!(b.label(2), "25-50");
        assert_eq!(b.label(4), "100-plus");
    }

    #[test]
    fn bad_edges_are_refused() {
        assert!(ValueBuckets::new(&[10.0, 5.0, 50.0, 100.0]).is_err());
        assert!(ValueBuckets::new(&[10.0, 25.0, 50.0]).is_err());
        assert!(ValueBuckets::new(&[0.0, 25.0, 50.0, 100.0]).is_err());
        assert_eq!(ValueBuckets::new(&[1.0, 2.0, 3.0, 4.0]).map(|b| b.bucket(2.5)), Ok(2));
    }

    #[test]
    fn categories_are_named() {
        let b = ValueBuckets::default();
        let names: Vec<String> = (0..Question::OrderShelf.category_count()).map(|i| Question::OrderShelf.category_name(i, &b)).collect();
        assert_eq!(names[..3], ["no-purchase", "not-via-a-shelf", "for-you"]);
        assert_eq!(names.last().map(String::as_str), Some("new-for-you"));
        assert_eq!(Question::OrderValue.category_name(1, &b), "under-10");
        assert_eq!(Question::Purchased.category_name(1, &b), "yes");
    }
}
