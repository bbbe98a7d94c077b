//! Pack signals the shelves read, in one place: demand trend, build-time interactions,
//! item-to-item neighbours and bought-together lists, with the embedding fallbacks.
//!
//! Stored lists may be empty (a pack built without co-interaction data, a cold item); the
//! shelves then fall back to neighbours computed here with the scorer: by the image
//! embeddings for an item nobody interacted with at build time (when the pack has them), then
//! by the embeddings, so a shelf with eligible items is never empty.

use std::sync::OnceLock;

use crate::pack::{Pack, SalesRate, SectionKind};
use crate::rank::{top_k_by_query, top_k_in_blocks, Query};

/// Weight of popularity in the trending score: it only breaks ties between equal trends
/// (including items whose trend is unknown, stored as 0).
const TREND_TIE_BREAK: f32 = 1e-3;

/// Pseudo-units per week added to both sales rates in [`sales_growth`].
pub const GROWTH_SMOOTHING: f32 = 5.0;
/// Growth at which [`sales_growth`] is 1.
pub const MAX_GROWTH: f32 = 4.0;

/// Forecast sales growth in [0, 1] from a pack's sales rates (`docs/FORECAST.md`): with `f`
/// the forecast and `r` the recent units per week, `g = (f + 5) / (r + 5)` (so a couple of extra
/// sales of a slow product do not look like a boom), mapped as `(g − 1) / 3` and clamped:
/// products forecast to sell no faster than now have 0.
pub fn sales_growth(rate: SalesRate) -> f32 {
    let g = (rate.forecast + GROWTH_SMOOTHING) / (rate.recent + GROWTH_SMOOTHING);
    ((g - 1.0) / (MAX_GROWTH - 1.0)).clamp(0.0, 1.0)
}

/// The trending score of item `i` plus a tie-break by popularity: its forecast sales growth
/// when the pack has sales rates, else its stored demand trend; a pack with neither ranks by
/// popularity alone.
pub fn trending_score<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> f32 {
    match stored_trend(pack, i) {
        Some(t) => t + TREND_TIE_BREAK * pack.popularity(i),
        None => pack.popularity(i),
    }
}

/// The trend value of item `i` in [0, 1] (sales growth, else the stored demand trend), when
/// the pack has one (the evidence a trending explanation shows).
pub fn stored_trend<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> Option<f32> {
    match pack.sales_rate(i) {
        Some(rate) => Some(sales_growth(rate)),
        None => pack.has_section(SectionKind::Trend).then(|| pack.demand_trend(i)),
    }
}

/// How many shoppers interacted with item `i` at build time, when the pack says.
pub fn interactions<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> Option<u32> {
    pack.has_section(SectionKind::Interactions).then(|| pack.interactions(i))
}

/// Stored item-to-item neighbours of `i`, best first (possibly none).
pub fn stored_neighbours<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> Vec<(u32, f32)> {
    pack.neighbours(i).collect()
}

/// Stored bought-together list of `i` with basket counts, best first (possibly none).
pub fn stored_bought_together<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> Vec<(u32, u32)> {
    pack.bought_together(i).collect()
}

/// The `want` items closest to `vector` (dot product with the stored codes, no popularity)
/// that `allow` accepts, with the similarity clamped to [0, 1].
pub fn nearest<B: AsRef<[u8]>>(pack: &Pack<B>, vector: &[f32], want: usize, allow: impl FnMut(u32) -> bool) -> Vec<(u32, f32)> {
    let query = Query::new(vector, pack.embedding_scales());
    if query.is_zero() {
        return Vec::new();
    }
    top_k_by_query(pack, &query, 0.0, want, allow).into_iter().map(|s| (s.item, s.score.clamp(0.0, 1.0))).collect()
}

/// Where a neighbour came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourSource {
    /// The pack's stored neighbour list (co-interactions).
    Stored,
    /// The image embeddings ([`visual_neighbours`]), for an item with no interactions.
    Visual,
    /// The embeddings ([`nearest`]).
    Embedding,
}

/// The ranking score of a neighbour: stored and visual neighbours (1 + similarity) always rank
/// above embedding neighbours (similarity), whose similarities are on another scale.
pub fn neighbour_score(similarity: f32, source: NeighbourSource) -> f32 {
    match source {
        NeighbourSource::Stored | NeighbourSource::Visual => 1.0 + similarity,
        NeighbourSource::Embedding => similarity,
    }
}

/// The `want` items that look most like item `i` by the pack's image embeddings (dot product
/// of unit vectors with the stored codes, through the kernel), that `allow` accepts, with a
/// similarity in (0, 1]; none without image embeddings or without an image vector for `i`.
pub fn visual_neighbours<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32, want: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<(u32, f32)> {
    let Some(blocks) = pack.image_embedding_blocks() else { return Vec::new() };
    let query = Query::new(&crate::vector::unit_image_vector(pack, i), pack.image_embedding_scales());
    if query.is_zero() {
        return Vec::new();
    }
    // `allow` as `&mut dyn FnMut`, prior 0: the same build of the kernel's scan as the for-you
    // blend's (`Source::embedding_top`), not one more in the wasm module.
    let mut other = |j: u32| j != i && allow(j);
    let top = top_k_in_blocks(pack, &blocks, &query, 0.0, want, &mut other as &mut dyn FnMut(u32) -> bool);
    // Items without an image vector score 0: they do not look like anything.
    top.into_iter().filter(|s| s.score > 0.0).map(|s| (s.item, s.score.min(1.0))).collect()
}

/// Neighbours of `i` that `allow` accepts: the stored list first; for an item with no stored
/// neighbours and no build-time interactions (a new item), its visual neighbours; then
/// embedding neighbours (a cosine above 0) until `want` are found. Each says where it came from.
pub fn neighbours<B: AsRef<[u8]>>(
    pack: &Pack<B>,
    i: u32,
    want: usize,
    mut allow: impl FnMut(u32) -> bool,
) -> Vec<(u32, f32, NeighbourSource)> {
    let stored = stored_neighbours(pack, i);
    let cold = stored.is_empty() && is_new(pack, i);
    let mut out: Vec<(u32, f32, NeighbourSource)> =
        stored.into_iter().filter(|&(j, _)| j != i && allow(j)).map(|(j, s)| (j, s, NeighbourSource::Stored)).collect();
    out.truncate(want);
    if cold {
        out.extend(visual_neighbours(pack, i, want, &mut allow).into_iter().map(|(j, s)| (j, s, NeighbourSource::Visual)));
    }
    if out.len() < want {
        let have: Vec<u32> = out.iter().map(|x| x.0).collect();
        let extra = nearest(pack, &crate::vector::unit_vector(pack, i), want + have.len(), |j| j != i && !have.contains(&j) && allow(j));
        // Only items that point the same way: at a cosine of 0 or below an item is not "similar".
        let similar = extra.into_iter().filter(|&(_, s)| s > 0.0);
        out.extend(similar.map(|(j, s)| (j, s, NeighbourSource::Embedding)).take(want - have.len()));
    }
    out
}

/// Whether item `i` is new: no build-time interactions (with no stored neighbours either, its
/// neighbours start with its visual ones, [`neighbours`]).
pub fn is_new<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> bool {
    pack.interactions(i) == 0
}

/// Whether [`neighbours`] of item `i` scan the image embeddings: a new item without stored
/// neighbours, on a pack with image embeddings.
pub fn has_visual_neighbours<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> bool {
    pack.image_dim() > 0 && pack.neighbours(i).next().is_none() && is_new(pack, i)
}

/// How exposed item `i` already is: its stored interaction count, or (a pack without the
/// interactions section) its popularity in [0, 1] scaled by 100 as a stand-in count.
pub fn exposure<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> f32 {
    interactions(pack, i).map_or(pack.popularity(i) * 100.0, |n| n as f32)
}

/// Which items are under-exposed: exposure at or below the catalog's 25th percentile.
pub fn under_exposed<B: AsRef<[u8]>>(pack: &Pack<B>) -> Vec<bool> {
    let all: Vec<f32> = (0..pack.item_count()).map(|i| exposure(pack, i)).collect();
    if all.is_empty() {
        return Vec::new();
    }
    // The value a sort by `f32::total_cmp` puts at len / 4, sorting the values' total-order
    // keys as plain integers.
    let mut keys: Vec<u32> = all.iter().map(|&e| total_order_key(e)).collect();
    keys.sort_unstable();
    let cut = from_total_order_key(keys[keys.len() / 4]);
    all.into_iter().map(|e| e <= cut).collect()
}

/// An integer key that orders floats as [`f32::total_cmp`] does (the same transform).
fn total_order_key(x: f32) -> u32 {
    let bits = x.to_bits();
    // Negative: flip every bit (larger magnitudes first); positive: set the sign bit.
    if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

/// The float of a [`total_order_key`].
fn from_total_order_key(key: u32) -> f32 {
    f32::from_bits(if key >> 31 == 1 { key & 0x7fff_ffff } else { !key })
}

/// [`under_exposed`] for one pack, computed the first time a shelf asks for it (the
/// percentile reads the whole catalog) and kept with the engine.
#[derive(Debug, Clone, Default)]
pub struct UnderExposed(OnceLock<Vec<bool>>);

impl UnderExposed {
    /// Which items of `pack` (always the same pack) are under-exposed.
    pub fn of<B: AsRef<[u8]>>(&self, pack: &Pack<B>) -> &[bool] {
        self.0.get_or_init(|| under_exposed(pack))
    }
}

/// Every item of a pack by trending score (best first; ties: the lower index), and the same
/// order split by category: where the trending shelves, the fill-up from trending and the
/// category pins walk until they have the items they want, instead of scanning the catalog.
/// Computed the first time a shelf needs it (one pass and one sort of the catalog) and kept
/// with the engine, so that no later call, and no other shelf of the same call, scans or sorts
/// the catalog for it again.
///
/// Walking it from the start and keeping the first `want` items a shelf allows gives exactly
/// what a scan through [`TopK`](crate::rank::TopK) of the trending score gives (the best `want`,
/// ties to the lower index): scores are in [0, 1.001] or NaN, which neither keeps.
#[derive(Debug, Clone, Default)]
pub struct TrendOrder(OnceLock<TrendOrderData>);

#[derive(Debug, Clone)]
struct TrendOrderData {
    /// Every item, best trending first.
    all: Vec<u32>,
    /// The items with a category, by (category, the order of `all`).
    by_category: Vec<u32>,
    /// Where each category's run of `by_category` starts (`category_count + 1` offsets).
    starts: Vec<usize>,
}

impl TrendOrder {
    /// Every item of `pack` (always the same pack), best trending first.
    pub fn all<B: AsRef<[u8]>>(&self, pack: &Pack<B>) -> &[u32] {
        &self.data(pack).all
    }

    /// The items of category `c` of `pack` (always the same pack), best trending first.
    pub fn of<B: AsRef<[u8]>>(&self, pack: &Pack<B>, c: u32) -> &[u32] {
        let data = self.data(pack);
        match (data.starts.get(c as usize), data.starts.get(c as usize + 1)) {
            (Some(&from), Some(&to)) => &data.by_category[from..to],
            _ => &[],
        }
    }

    fn data<B: AsRef<[u8]>>(&self, pack: &Pack<B>) -> &TrendOrderData {
        self.0.get_or_init(|| trend_order(pack))
    }
}

/// The items of `pack` ordered by trending score descending then index, and the same order
/// grouped by category (a stable counting sort of it).
fn trend_order<B: AsRef<[u8]>>(pack: &Pack<B>) -> TrendOrderData {
    let mut keyed: Vec<(std::cmp::Reverse<u32>, u32)> =
        (0..pack.item_count()).map(|i| (std::cmp::Reverse(total_order_key(trending_score(pack, i))), i)).collect();
    keyed.sort_unstable();
    let all: Vec<u32> = keyed.into_iter().map(|(_, i)| i).collect();
    let categories = pack.category_count() as usize;
    let category = |i: u32| pack.category_index(i).map(|c| c as usize).filter(|&c| c < categories);
    let mut starts = vec![0usize; categories + 1];
    for c in all.iter().filter_map(|&i| category(i)) {
        starts[c + 1] += 1;
    }
    for c in 0..categories {
        starts[c + 1] += starts[c];
    }
    let mut next = starts.clone();
    let mut by_category = vec![0u32; starts[categories]];
    for &i in &all {
        if let Some(c) = category(i) {
            by_category[next[c]] = i;
            next[c] += 1;
        }
    }
    TrendOrderData { all, by_category, starts }
}

#[cfg(test)]
mod tests {
    use super::{from_total_order_key, total_order_key};

    #[test]
    fn total_order_keys_sort_like_total_cmp_and_round_trip() {
        let mut values = vec![3.5f32, -0.0, 0.0, -2.0, f32::INFINITY, f32::NEG_INFINITY, 1e-40, -1e-40, f32::NAN, -f32::NAN, 7.0, 0.25];
        let mut by_key = values.clone();
        by_key.sort_unstable_by_key(|&x| total_order_key(x));
        values.sort_unstable_by(f32::total_cmp);
        assert_eq!(by_key.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), values.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        for x in values {
            assert_eq!(from_total_order_key(total_order_key(x)).to_bits(), x.to_bits());
        }
    }
}
