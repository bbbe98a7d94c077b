//! Builder input records: the canonical catalog row and interaction event.
//!
//! Every reader (canonical JSONL/CSV, the Online Retail CSV, the synthetic shop) produces these,
//! so the rest of the builder does not care where the data came from. The canonical formats
//! are documented in `docs/INPUT_FORMATS.md`.

use serde::{Deserialize, Serialize};

use crate::event::EventKind;

/// The catalog's word for "this item has no such URL" in its `image` or `url` column (an
/// empty field means "use the shop's URL pattern", which the builder infers from the items).
pub const NO_URL_TOKEN: &str = "none";

/// A catalog URL as the pack stores it: [`NO_URL_TOKEN`] becomes [`crate::pack::NO_URL`].
pub fn pack_url(url: &str) -> String {
    if url == NO_URL_TOKEN {
        crate::pack::NO_URL.to_owned()
    } else {
        url.to_owned()
    }
}

/// One product of the shop's catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogItem {
    /// The shop's own id (SKU / stock code); unique.
    pub id: String,
    /// Display title.
    pub title: String,
    /// Category name ("" when unknown).
    #[serde(default)]
    pub category: String,
    /// Brand name ("" when unknown).
    #[serde(default)]
    pub brand: String,
    /// Price in the shop's currency; finite and not negative.
    pub price: f32,
    /// Image URL (relative or http(s)); empty: the shop's URL pattern, if the builder finds
    /// one; [`NO_URL_TOKEN`]: none.
    #[serde(default)]
    pub image: String,
    /// Product page URL (relative or http(s)); empty or [`NO_URL_TOKEN`] as for `image`.
    #[serde(default)]
    pub url: String,
    /// Whether the item can be bought now.
    #[serde(default = "yes")]
    pub in_stock: bool,
    /// Free text, used for content features; not shipped in the pack.
    #[serde(default)]
    pub description: String,
}

impl AsRef<CatalogItem> for CatalogItem {
    fn as_ref(&self) -> &CatalogItem {
        self
    }
}

fn yes() -> bool {
    true
}

/// One interaction from the shop's logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawEvent {
    /// Shopper id as the shop knows it (only used to group events at build time).
    pub shopper: String,
    /// Item id; empty for searches.
    #[serde(default)]
    pub item: String,
    /// Event kind.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Milliseconds since the Unix epoch, UTC.
    pub ts_ms: i64,
    /// Quantity (purchases and carts); 1 when not given.
    #[serde(default = "one")]
    pub qty: u32,
    /// Unit price paid, when known.
    #[serde(default)]
    pub price: Option<f32>,
    /// Basket / invoice id, when known.
    #[serde(default)]
    pub basket: Option<String>,
    /// Search text for search events.
    #[serde(default)]
    pub query: Option<String>,
}

fn one() -> u32 {
    1
}
