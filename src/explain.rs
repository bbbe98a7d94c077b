//! Explanations: why an item is on a shelf, in words and as the evidence behind the words.
//!
//! Every shelf item carries one [`Explanation`]: a machine-readable [`Reason`], the text a page
//! shows, and the [`Evidence`] the score was computed from (the viewed item, the category, the
//! purchase count, the matched search words …). The evidence is taken from the same numbers the
//! ranking used, never written after the fact.

use serde::Serialize;

use crate::pack::Pack;

/// Why an item was chosen (stable wire names, kebab-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Close to the shopper's interest vector.
    Profile,
    /// Close to the shopper's interest, mostly in their top category.
    TopCategory,
    /// Popular in the shop (no usable history).
    Popular,
    /// Bought before by this shopper.
    BoughtBefore,
    /// A neighbour of an item the shopper viewed.
    Viewed,
    /// Similar to the product on the page (or another anchor item).
    Similar,
    /// Looks like the product on the page (or another anchor item), by image embeddings.
    VisuallySimilar,
    /// Bought in the same baskets as an anchor item.
    BoughtTogether,
    /// Demand is rising.
    Trending,
    /// Demand is rising within one of the shopper's top categories.
    TrendingInCategory,
    /// Viewed recently by this shopper.
    RecentlyViewed,
    /// Few shoppers have seen it yet; close to the shopper's interest by content.
    New,
    /// Its title matches a search.
    Search,
    /// In the category the page is showing.
    Category,
    /// Placed by a merchandising rule (pin).
    Pinned,
    /// A bounded exploration slot (under-exposed item, chosen by the seeded bandit).
    Exploration,
}

/// An item named as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemRef {
    /// Shop id.
    pub id: String,
    /// Title.
    pub title: String,
}

impl ItemRef {
    /// The reference to item `i`.
    pub fn of<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> ItemRef {
        ItemRef { id: pack.item_id(i).to_owned(), title: pack.title(i).to_owned() }
    }
}

/// The numbers and names behind an explanation. Absent fields do not apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The item that led here (viewed, on the page, in the cart).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemRef>,
    /// The category that led here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// A count: purchases, views, shared baskets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// A similarity in [0, 1] (cosine or neighbour similarity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<f32>,
    /// A share in [0, 1] (the category's share of the shopper's attention, a trend value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f32>,
    /// The search text that matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// A merchandising rule that moved the item (e.g. "pin (page)", "boost (pack)").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Forecast units sold per week (trending shelves, from the pack's sales rates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast_per_week: Option<f32>,
    /// Units sold per week recently (with `forecast_per_week`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent_per_week: Option<f32>,
}

/// Why an item is on a shelf.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// Machine-readable reason.
    pub reason: Reason,
    /// The sentence to show (plain text).
    pub text: String,
    /// What the sentence is based on.
    pub evidence: Evidence,
}

impl Explanation {
    /// An explanation with `reason`, `text` and `evidence`.
    pub fn new(reason: Reason, text: impl Into<String>, evidence: Evidence) -> Explanation {
        Explanation { reason, text: text.into(), evidence }
    }

    /// "Popular in this shop".
    pub fn popular() -> Explanation {
        Explanation::new(Reason::Popular, "Popular in this shop", Evidence::default())
    }
}

/// "2 times", "once".
pub fn times(n: u32) -> String {
    match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(times(1), "once");
        assert_eq!(times(2), "twice");
        assert_eq!(times(5), "5 times");
    }
}
