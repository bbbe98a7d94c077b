//! Non-personalized shelves for server-side rendering (`shelfwise build --static-shelves`).
//!
//! The shop's server renders these into the HTML (good for SEO and for the first paint); the
//! browser then replaces them with personalized ones. Every list is ranked by [`Engine::shelf`]
//! for a shopper with no events, as of the pack's build time: the same path, and so the same
//! items and explanations, as the browser's `shelf()` for a new visitor (merchandising rules,
//! stock, look-alikes and the top-up from trending included):
//!
//! * **similar** and **boughtTogether** (per item): the `similar` and `bought-together` shelves
//!   with the item as the page's product. A pack without neighbour lists and with more than
//!   [`MAX_SCAN_ITEMS`] items gets no per-item shelves (`items` is empty): there every list
//!   would be a scan of the whole catalog, items² work (image vectors do not help: they only
//!   serve new items).
//! * **trending** (per category): the `trending-in-categories` shelf with the category as the
//!   page's category ("Trending in Mugs").
//!
//! Each list has at most `k` entries, best first; items with no list are left out of `items`.
//! The JSON (camelCase):
//!
//! ```json
//! { "format": "shelfwise-static-shelves", "version": 2,
//!   "pack": { "formatVersion": 4, "checksum": "1a2b3c4d", "builtAtMs": 1700000000000, "items": 600 },
//!   "k": 8,
//!   "items": { "SW-00001": { "similar": [{ "id": "SW-00412", "score": 0.83, "reason": "Similar to Tote bag" }],
//!                            "boughtTogether": [{ "id": "SW-00007", "score": 0.4, "reason": "Bought with Tote bag in 12 baskets" }] } },
//!   "trending": { "Christmas": [{ "id": "SW-00539", "score": 0.97, "reason": "Trending in Christmas" }] } }
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::Engine;
use crate::error::CoreError;
use crate::page::ShelfRequest;
use crate::shelf::{Shelf, ShelfKind};

/// The `format` field of the output.
pub const STATIC_SHELVES_FORMAT: &str = "shelfwise-static-shelves";
/// The `version` field of the output (2: ranked by the engine, entries carry the reason).
pub const STATIC_SHELVES_VERSION: u32 = 2;
/// Largest catalog that gets per-item shelves when the pack has no neighbour lists (each list
/// is then a scan of every item).
pub const MAX_SCAN_ITEMS: usize = 10_000;

/// All static shelves of one pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaticShelves {
    /// Always [`STATIC_SHELVES_FORMAT`].
    pub format: &'static str,
    /// Always [`STATIC_SHELVES_VERSION`].
    pub version: u32,
    /// The pack they were computed from.
    pub pack: PackRef,
    /// The longest a list may be.
    pub k: usize,
    /// Per item id: its similar and bought-together shelves (items with neither are left out).
    pub items: BTreeMap<String, ItemShelves>,
    /// Per category name: its trending items.
    pub trending: BTreeMap<String, Vec<StaticItem>>,
}

/// Identifies the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackRef {
    /// Format version.
    pub format_version: u16,
    /// The pack header's checksum, hex (as `shelfwise inspect` and `PackInfo.checksum` show it).
    pub checksum: String,
    /// Build time.
    pub built_at_ms: i64,
    /// Item count.
    pub items: u32,
}

/// One item's shelves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemShelves {
    /// The `similar` shelf on the item's page.
    pub similar: Vec<StaticItem>,
    /// The `bought-together` shelf on the item's page.
    pub bought_together: Vec<StaticItem>,
}

/// One entry of a list, as the engine ranked it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaticItem {
    /// Item id.
    pub id: String,
    /// The ranking score (comparable within one list only).
    pub score: f32,
    /// Why it is there, in words (the shelf item's `reason`).
    pub reason: String,
}

impl StaticItem {
    fn list(shelf: Shelf) -> Vec<StaticItem> {
        shelf.items.into_iter().map(|item| StaticItem { id: item.card.id, score: item.score, reason: item.reason }).collect()
    }
}

/// Whether the pack gets per-item shelves (see the module docs).
pub fn has_item_shelves<B: AsRef<[u8]>>(engine: &Engine<B>) -> bool {
    let pack = engine.pack();
    pack.neighbour_k() > 0 || pack.item_count() as usize <= MAX_SCAN_ITEMS
}

/// The shelf `kind` for a new visitor on a page showing `item` or `category`.
fn new_visitor_shelf<B: AsRef<[u8]>>(
    engine: &Engine<B>,
    kind: ShelfKind,
    k: usize,
    (item, category): (Option<&str>, Option<&str>),
) -> Result<Vec<StaticItem>, CoreError> {
    let request = ShelfRequest {
        k: Some(k),
        item: item.map(str::to_owned),
        category: category.map(str::to_owned),
        ..ShelfRequest::new(kind.as_str())
    };
    Ok(StaticItem::list(engine.shelf(&request, engine.pack().meta().built_at_ms)?))
}

/// The static shelves of the pack the engine holds (with no events), each list at most `k` long.
pub fn static_shelves<B: AsRef<[u8]>>(engine: &Engine<B>, k: usize) -> Result<StaticShelves, CoreError> {
    let pack = engine.pack();
    let mut items = BTreeMap::new();
    if has_item_shelves(engine) {
        for i in 0..pack.item_count() {
            let id = pack.item_id(i);
            let similar = new_visitor_shelf(engine, ShelfKind::Similar, k, (Some(id), None))?;
            let bought_together = new_visitor_shelf(engine, ShelfKind::BoughtTogether, k, (Some(id), None))?;
            if !similar.is_empty() || !bought_together.is_empty() {
                items.insert(id.to_owned(), ItemShelves { similar, bought_together });
            }
        }
    }
    let mut trending = BTreeMap::new();
    for c in 0..pack.category_count() {
        let name = pack.category_name(c);
        let list = new_visitor_shelf(engine, ShelfKind::TrendingInCategories, k, (None, Some(name)))?;
        if !list.is_empty() {
            trending.insert(name.to_owned(), list);
        }
    }
    let header = pack.header();
    Ok(StaticShelves {
        format: STATIC_SHELVES_FORMAT,
        version: STATIC_SHELVES_VERSION,
        pack: PackRef {
            format_version: header.format_version,
            checksum: format!("{:08x}", header.checksum),
            built_at_ms: pack.meta().built_at_ms,
            items: pack.item_count(),
        },
        k,
        items,
        trending,
    })
}
