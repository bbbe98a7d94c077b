//! Non-personalized shelves for server-side rendering (`shelfwise build --static-shelves`).
//!
//! The shop's server renders these into the HTML (good for SEO and for the first paint); the
//! browser then replaces them with personalized ones. They are computed from the finished pack,
//! so they agree with what the browser's engine sees:
//!
//! * **similar** (per item): the pack's neighbour lists when it has them; otherwise, if the catalog
//!   has at most [`MAX_SCAN_ITEMS`] items, the most cosine-similar items by the pack's embeddings
//!   (an exact scan, O(items² · dim)); otherwise none.
//! * **boughtTogether** (per item): the pack's bought-together lists (shared baskets), or none.
//! * **trending** (per category): items by the pack's trend when any item has one, else by
//!   time-decayed popularity (the `sources` field of the output says which).
//!
//! Every list leaves out the item itself and items out of stock, has at most `k` entries and is
//! best first (ties by id). Merchandising rules are not applied. The JSON (camelCase):
//!
//! ```json
//! { "format": "shelfwise-static-shelves", "version": 1,
//!   "pack": { "formatVersion": 4, "checksum": "1a2b3c4d", "builtAtMs": 1700000000000, "items": 600 },
//!   "k": 8,
//!   "sources": { "similar": "neighbours", "boughtTogether": "baskets", "trending": "trend" },
//!   "items": { "SW-00001": { "similar": [{ "id": "SW-00412", "score": 0.83 }],
//!                            "boughtTogether": [{ "id": "SW-00007", "baskets": 12 }] } },
//!   "trending": { "Christmas": [{ "id": "SW-00539", "score": 0.97 }] } }
//! ```

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::pack::Pack;

/// The `format` field of the output.
pub const STATIC_SHELVES_FORMAT: &str = "shelfwise-static-shelves";
/// The `version` field of the output.
pub const STATIC_SHELVES_VERSION: u32 = 1;
/// Largest catalog for which "similar" falls back to a full embedding scan.
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
    /// Where each kind of shelf came from.
    pub sources: Sources,
    /// Per item id: its similar and bought-together shelves (items with neither are left out).
    pub items: BTreeMap<String, ItemShelves>,
    /// Per category name: its trending items.
    pub trending: BTreeMap<String, Vec<ScoredId>>,
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

/// Where each kind of shelf came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sources {
    /// `neighbours` (the pack's lists), `embeddings` (cosine scan) or `none`.
    pub similar: &'static str,
    /// `baskets` (the pack's lists) or `none`.
    pub bought_together: &'static str,
    /// `trend` or `popularity`.
    pub trending: &'static str,
}

/// One item's shelves.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemShelves {
    /// Similar items, most similar first.
    pub similar: Vec<ScoredId>,
    /// Items bought together with it, most shared baskets first.
    pub bought_together: Vec<Together>,
}

/// An item with a score in [0, 1] (similarity, trend or popularity).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredId {
    /// Item id.
    pub id: String,
    /// The score.
    pub score: f32,
}

/// An item bought together with another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Together {
    /// Item id.
    pub id: String,
    /// Baskets holding both.
    pub baskets: u32,
}

/// Best first: higher score, then smaller id.
fn by_score_then_id(pack: &Pack<impl AsRef<[u8]>>, a: (u32, f32), b: (u32, f32)) -> Ordering {
    b.1.partial_cmp(&a.1).unwrap_or(Ordering::Equal).then_with(|| pack.item_id(a.0).as_bytes().cmp(pack.item_id(b.0).as_bytes()))
}

/// Unit-length f32 vectors of every item from the pack's codes (zero rows stay zero).
fn unit_vectors(pack: &Pack<impl AsRef<[u8]>>) -> Vec<f32> {
    let dim = pack.dim();
    let scales = pack.embedding_scales();
    let mut codes = vec![0i8; dim];
    let mut rows = Vec::with_capacity(pack.item_count() as usize * dim);
    for i in 0..pack.item_count() {
        pack.embedding_row(i, &mut codes);
        let start = rows.len();
        rows.extend(codes.iter().zip(scales).map(|(&c, &s)| f32::from(c) * s));
        crate::vector::normalize(&mut rows[start..]);
    }
    rows
}

/// The static shelves of `pack`, each list at most `k` long.
pub fn static_shelves(pack: &Pack<impl AsRef<[u8]>>, k: usize) -> StaticShelves {
    let n = pack.item_count();
    let id = |i: u32| pack.item_id(i).to_owned();
    let eligible = |i: u32, of: Option<u32>| Some(i) != of && i < n && pack.in_stock(i);

    let similar_source = if pack.neighbour_k() > 0 {
        "neighbours"
    } else if (n as usize) <= MAX_SCAN_ITEMS && pack.dim() > 0 {
        "embeddings"
    } else {
        "none"
    };
    let vectors = if similar_source == "embeddings" { unit_vectors(pack) } else { Vec::new() };
    let dim = pack.dim();
    let similar_of = |i: u32| -> Vec<ScoredId> {
        let mut found: Vec<(u32, f32)> = match similar_source {
            "neighbours" => pack.neighbours(i).filter(|&(j, _)| eligible(j, Some(i))).collect(),
            "embeddings" => {
                let row = &vectors[i as usize * dim..(i as usize + 1) * dim];
                if row.iter().all(|&x| x == 0.0) {
                    return Vec::new();
                }
                (0..n)
                    .filter(|&j| eligible(j, Some(i)))
                    .map(|j| {
                        let other = &vectors[j as usize * dim..(j as usize + 1) * dim];
                        (j, row.iter().zip(other).map(|(a, b)| a * b).sum::<f32>().min(1.0))
                    })
                    .filter(|&(_, s)| s > 0.0)
                    .collect()
            }
            _ => Vec::new(),
        };
        found.sort_by(|&a, &b| by_score_then_id(pack, a, b));
        found.truncate(k);
        found.into_iter().map(|(j, score)| ScoredId { id: id(j), score }).collect()
    };

    let mut items = BTreeMap::new();
    for i in 0..n {
        let similar = similar_of(i);
        let bought_together: Vec<Together> = pack
            .bought_together(i)
            .filter(|&(j, _)| eligible(j, Some(i)))
            .take(k)
            .map(|(j, baskets)| Together { id: id(j), baskets })
            .collect();
        if !similar.is_empty() || !bought_together.is_empty() {
            items.insert(id(i), ItemShelves { similar, bought_together });
        }
    }

    let has_trend = (0..n).any(|i| pack.demand_trend(i) > 0.0);
    let score = |i: u32| if has_trend { pack.demand_trend(i) } else { pack.popularity(i) };
    let mut by_category: BTreeMap<String, Vec<(u32, f32)>> = BTreeMap::new();
    for i in (0..n).filter(|&i| eligible(i, None) && score(i) > 0.0) {
        by_category.entry(pack.category(i).to_owned()).or_default().push((i, score(i)));
    }
    let trending = by_category
        .into_iter()
        .map(|(category, mut ranked)| {
            // Ties on the score go to the more popular item, then the smaller id.
            ranked.sort_by(|&a, &b| {
                b.1.partial_cmp(&a.1)
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| pack.popularity(b.0).partial_cmp(&pack.popularity(a.0)).unwrap_or(Ordering::Equal))
                    .then_with(|| pack.item_id(a.0).as_bytes().cmp(pack.item_id(b.0).as_bytes()))
            });
            ranked.truncate(k);
            (category, ranked.into_iter().map(|(i, score)| ScoredId { id: id(i), score }).collect())
        })
        .collect();

    let header = pack.header();
    StaticShelves {
        format: STATIC_SHELVES_FORMAT,
        version: STATIC_SHELVES_VERSION,
        pack: PackRef {
            format_version: header.format_version,
            checksum: format!("{:08x}", header.checksum),
            built_at_ms: pack.meta().built_at_ms,
            items: n,
        },
        k,
        sources: Sources {
            similar: similar_source,
            bought_together: if pack.together_k() > 0 { "baskets" } else { "none" },
            trending: if has_trend { "trend" } else { "popularity" },
        },
        items,
        trending,
    }
}
