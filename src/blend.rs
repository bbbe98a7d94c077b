//! The "for you" and "discovery" blend: the on-device scoring of both shelves.
//!
//! # Signals
//!
//! For one shopper (their events, their profile's interest vector, a time `now`), every
//! candidate item gets six signals, each on a comparable scale:
//!
//! * **repeat**: `Σ 2^(−age / repeat_half_life)` over the shopper's purchases of the item,
//!   divided by the largest such value of this shopper (so in [0, 1]). Repeat buying is a large
//!   share of real purchases; this is what the buy-again baseline ranks by.
//! * **neighbours**: the shopper's items are *sources*, each weighted by
//!   `Σ kind strength · 2^(−age / source_half_life)` over its events (the kinds'
//!   [`crate::event::KindWeights::source`]), optionally raised for the latest items
//!   ([`BlendWeights::recent_boost`]; 0 by default: no gain measured on the purchase-only
//!   shared data); an item scores `Σ_source weight · similarity(source, item)`
//!   over the pack's item-to-item neighbour lists, divided by the shopper's largest value (so
//!   in [0, 1]). The source that added most is kept as `via`.
//! * **session**: the same neighbour score over the current session's sources only: items
//!   viewed, clicked or carted in the last [`BlendWeights::session_minutes`] before `now`,
//!   each weighted by its kind's strength and halved for every moment (distinct event time)
//!   that came after it, so the last item looked at counts most. With its weight above the
//!   repeat weight, what the shopper is looking at now leads over older history. (Purchases
//!   end an intent and are not session sources.)
//! * **embedding**: the cosine of the profile's interest vector with the item's embedding
//!   (the pack scorer of [`crate::rank`]).
//! * **popularity** and **trend**: the pack's values, in [0, 1].
//!
//! The score is `Σ weight · signal` with the weights of [`BlendWeights`]; [`Recommendation`]
//! keeps each weighted part (they sum to the score) so that a page can say why an item is
//! there.
//!
//! # Candidates
//!
//! Scoring every signal for every item is not needed: the candidates are the shopper's
//! purchased items, the neighbours of their strongest sources and of their session's sources, the top
//! [`BlendWeights::embedding_candidates`] items by the embedding scorer, and the top
//! [`BlendWeights::popular_candidates`] items by popularity and by trend (so a shopper with
//! little history still gets a full shelf). Items `allow` refuses are never candidates.
//!
//! # Discovery
//!
//! The same blend with the shopper's purchased items refused, and its own weights
//! ([`BlendWeights::DISCOVERY`]): the repeat signal is then always 0.
//!
//! The defaults were chosen by measurement (`shelfwise eval`, see `docs/QUALITY.md`). This
//! module holds no JS types and no builder code: it runs the same in the browser (wasm) and in
//! the batch commands.

use crate::event::{Event, EventKind};
use crate::pack::Pack;
use crate::rank::{top_k_by_query, Query, Scored};
use crate::shelf::ShelfKind;

/// What the blend reads from a pack (implemented by [`crate::pack::Pack`]; tests use small
/// hand-made sources).
pub trait ItemSource {
    /// Number of items.
    fn item_count(&self) -> u32;
    /// Popularity in [0, 1].
    fn popularity(&self, item: u32) -> f32;
    /// Trend (short-horizon demand forecast) in [0, 1].
    fn demand_trend(&self, item: u32) -> f32;
    /// Calls `visit(neighbour, similarity)` for the item's neighbours, best first.
    fn visit_neighbours(&self, item: u32, visit: &mut dyn FnMut(u32, f32));
    /// Per-dimension embedding scales (to prepare a [`Query`]).
    fn embedding_scales(&self) -> &[f32];
    /// The item's embedding score for `query`.
    fn embedding_score(&self, query: &Query, item: u32) -> f32;
    /// The best `n` items by `query · item + prior · popularity` among those `allow` accepts.
    fn embedding_top(&self, query: &Query, prior: f32, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<Scored>;
    /// The `n` most popular items `allow` accepts (ties: lower index).
    fn top_popular(&self, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<u32> {
        self.embedding_top(&Query::new(&[], &[]), 1.0, n, allow).iter().map(|s| s.item).collect()
    }
    /// The `n` items with the highest positive trend `allow` accepts (ties: lower index).
    fn top_trending(&self, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<u32> {
        top_by(self.item_count(), n, |i| self.demand_trend(i), allow)
    }
}

/// How many items [`Orders`] keeps per order.
pub const ORDER_LEN: usize = 1024;

/// The most popular and most trending items of a pack, computed once when the engine opens,
/// so that a shelf does not scan the whole catalog twice more for them (at 1M items those two
/// scans cost more than the embedding kernel).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Orders {
    popular: Vec<u32>,
    popular_complete: bool,
    trending: Vec<u32>,
    trending_complete: bool,
}

impl Orders {
    /// The first [`ORDER_LEN`] items by popularity and by positive trend (ties: lower index).
    pub fn of<S: ItemSource + ?Sized>(source: &S) -> Orders {
        let n = source.item_count();
        let popular = source.embedding_top(&Query::new(&[], &[]), 1.0, ORDER_LEN, &mut |_| true);
        let trending = top_by(n, ORDER_LEN, |i| source.demand_trend(i), &mut |_| true);
        Orders {
            popular_complete: popular.len() < ORDER_LEN,
            popular: popular.iter().map(|s| s.item).collect(),
            trending_complete: trending.len() < ORDER_LEN,
            trending,
        }
    }

    /// The first `n` items of `order` that `allow` accepts, or `None` when the stored prefix
    /// runs out before `n` and may not hold them all (then the caller scans).
    fn first(order: &[u32], complete: bool, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Option<Vec<u32>> {
        let mut out = Vec::with_capacity(n.min(order.len()));
        for &i in order {
            if out.len() == n {
                break;
            }
            if allow(i) {
                out.push(i);
            }
        }
        (out.len() == n || complete).then_some(out)
    }
}

/// An [`ItemSource`] with its [`Orders`]: the same answers, without the catalog scans.
#[derive(Debug, Clone, Copy)]
pub struct WithOrders<'a, S: ?Sized> {
    /// The items.
    pub source: &'a S,
    /// Their precomputed orders.
    pub orders: &'a Orders,
}

impl<S: ItemSource + ?Sized> ItemSource for WithOrders<'_, S> {
    fn item_count(&self) -> u32 {
        self.source.item_count()
    }
    fn popularity(&self, item: u32) -> f32 {
        self.source.popularity(item)
    }
    fn demand_trend(&self, item: u32) -> f32 {
        self.source.demand_trend(item)
    }
    fn visit_neighbours(&self, item: u32, visit: &mut dyn FnMut(u32, f32)) {
        self.source.visit_neighbours(item, visit);
    }
    fn embedding_scales(&self) -> &[f32] {
        self.source.embedding_scales()
    }
    fn embedding_score(&self, query: &Query, item: u32) -> f32 {
        self.source.embedding_score(query, item)
    }
    fn embedding_top(&self, query: &Query, prior: f32, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<Scored> {
        self.source.embedding_top(query, prior, n, allow)
    }
    fn top_popular(&self, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<u32> {
        let o = self.orders;
        Orders::first(&o.popular, o.popular_complete, n, allow).unwrap_or_else(|| self.source.top_popular(n, allow))
    }
    fn top_trending(&self, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<u32> {
        let o = self.orders;
        Orders::first(&o.trending, o.trending_complete, n, allow).unwrap_or_else(|| self.source.top_trending(n, allow))
    }
}

impl<B: AsRef<[u8]>> ItemSource for Pack<B> {
    fn item_count(&self) -> u32 {
        Pack::item_count(self)
    }
    fn popularity(&self, item: u32) -> f32 {
        Pack::popularity(self, item)
    }
    fn demand_trend(&self, item: u32) -> f32 {
        Pack::demand_trend(self, item)
    }
    fn visit_neighbours(&self, item: u32, visit: &mut dyn FnMut(u32, f32)) {
        self.neighbours(item).for_each(|(j, s)| visit(j, s));
    }
    fn embedding_scales(&self) -> &[f32] {
        Pack::embedding_scales(self)
    }
    fn embedding_score(&self, query: &Query, item: u32) -> f32 {
        query.exact_score(self.embedding_iter(item))
    }
    fn embedding_top(&self, query: &Query, prior: f32, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<Scored> {
        top_k_by_query(self, query, prior, n, allow)
    }
}

/// The weights and settings of the blend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendWeights {
    /// Weight of the repeat-purchase signal.
    pub repeat: f32,
    /// Weight of the neighbours-of-your-items signal.
    pub neighbours: f32,
    /// Weight of the embedding-profile cosine.
    pub embedding: f32,
    /// Weight of popularity.
    pub popularity: f32,
    /// Weight of trend.
    pub trend: f32,
    /// Half-life of a purchase in the repeat signal, in days.
    pub repeat_half_life_days: f32,
    /// Half-life of an event in a source's weight, in days.
    pub source_half_life_days: f32,
    /// The strongest this many sources contribute neighbours.
    pub max_sources: usize,
    /// Extra weight of the shopper's latest items: a source whose last event is `r` moments
    /// old (`r` distinct event times came after it; 0 for the last item or basket) has its
    /// weight multiplied by `1 + recent_boost · 2^(−r / recent_half_moments)`.
    pub recent_boost: f32,
    /// The number of moments after which [`BlendWeights::recent_boost`] halves.
    pub recent_half_moments: f32,
    /// The current session: events at most this many minutes before `now`.
    pub session_minutes: f32,
    /// Weight of the session signal: neighbours of the items of the current session, so that
    /// what the shopper is looking at now leads over older history.
    pub session: f32,
    /// Candidates taken from the embedding scorer.
    pub embedding_candidates: usize,
    /// Candidates taken by popularity, and again by trend.
    pub popular_candidates: usize,
}

impl BlendWeights {
    /// The "for you" defaults, chosen with `shelfwise eval --grid` on two splits (see
    /// docs/QUALITY.md): the point whose worse margin over the best baseline (Recall and NDCG,
    /// splits 2011-07-01 and 2011-05-01) was largest. Popularity got weight 0 there: trend
    /// (itself recent demand) carries that role.
    pub const FOR_YOU: BlendWeights = BlendWeights {
        repeat: 1.0,
        neighbours: 0.5,
        embedding: 0.1,
        popularity: 0.0,
        trend: 0.3,
        repeat_half_life_days: 240.0,
        source_half_life_days: 120.0,
        max_sources: 100,
        recent_boost: 0.0,
        recent_half_moments: 2.0,
        session_minutes: 30.0,
        session: 1.5,
        embedding_candidates: 100,
        popular_candidates: 50,
    };

    /// The "discovery" defaults, chosen the same way on the discovery task (repeat purchases
    /// never reach this shelf, so their weight is 0).
    pub const DISCOVERY: BlendWeights = BlendWeights { repeat: 0.0, neighbours: 1.0, embedding: 0.3, trend: 0.3, ..BlendWeights::FOR_YOU };

    /// `Σ weight · signal`.
    pub fn score(&self, s: &Signals) -> f32 {
        self.repeat * s.repeat
            + self.neighbours * s.neighbours
            + self.session * s.session
            + self.embedding * s.embedding
            + self.popularity * s.popularity
            + self.trend * s.trend
    }
}

/// The weights of both blended shelves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlendSettings {
    /// The for-you shelf's weights.
    pub for_you: BlendWeights,
    /// The discovery shelf's weights.
    pub discovery: BlendWeights,
}

impl BlendSettings {
    /// What every shop ranks with.
    pub const DEFAULT: BlendSettings = BlendSettings { for_you: BlendWeights::FOR_YOU, discovery: BlendWeights::DISCOVERY };

    /// The weights of `kind` (discovery's for the discovery shelf, for-you's for any other).
    pub fn weights(&self, kind: ShelfKind) -> &BlendWeights {
        if kind == ShelfKind::Discovery {
            &self.discovery
        } else {
            &self.for_you
        }
    }
}

impl Default for BlendWeights {
    fn default() -> Self {
        BlendWeights::FOR_YOU
    }
}

/// The unweighted signals of one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals {
    /// Repeat-purchase signal in [0, 1].
    pub repeat: f32,
    /// Neighbours signal in [0, 1].
    pub neighbours: f32,
    /// The source item that added most to `neighbours`.
    pub neighbour_via: Option<u32>,
    /// Session signal in [0, 1]: the neighbours signal over the items the shopper viewed,
    /// clicked or carted in the current session only (the last one weighs most).
    pub session: f32,
    /// The session item that added most to `session`.
    pub session_via: Option<u32>,
    /// Embedding cosine (0 without a profile).
    pub embedding: f32,
    /// Popularity in [0, 1].
    pub popularity: f32,
    /// Trend in [0, 1].
    pub trend: f32,
}

/// One ranked item with the weighted part each signal contributed (the parts sum to `score`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recommendation {
    /// Item index.
    pub item: u32,
    /// The blended score.
    pub score: f32,
    /// `weight · signal` per signal (and the `via` source of the neighbours part).
    pub parts: Signals,
}

const MS_PER_DAY: f64 = 86_400_000.0;

fn decay_days(age_ms: i64, half_life_days: f32) -> f32 {
    crate::profile::decay(age_ms as f64, f64::from(half_life_days) * MS_PER_DAY)
}

/// What one shopper's events give the blend: the items bought (with their decayed repeat
/// weight), the long-term sources and the current session's sources.
struct Sources {
    bought_items: Vec<u32>,
    repeat: Vec<f32>,
    /// The strongest long-term sources, strongest first (ties: lower index).
    strongest: Vec<(u32, f32)>,
    /// The current session's sources, strongest first (ties: lower index).
    session: Vec<(u32, f32)>,
}

impl Sources {
    /// Reads the events once, in their order (so float sums are those of a running total per
    /// item, on every platform). Events of items at or above `n` are skipped.
    fn of<'e>(events: impl IntoIterator<Item = &'e Event>, n: u32, now_ms: i64, weights: &BlendWeights) -> Sources {
        let mut bought: Vec<(u32, f32)> = Vec::new();
        let mut contributions: Vec<(u32, f32)> = Vec::new();
        let mut latest: Vec<(u32, i64)> = Vec::new();
        let mut session: Vec<(u32, f32)> = Vec::new();
        let session_ms = (f64::from(weights.session_minutes) * 60_000.0) as i64;
        for e in events.into_iter().filter(|e| e.item < n) {
            let age = now_ms - e.ts_ms;
            if e.kind == EventKind::Purchase {
                bought.push((e.item, decay_days(age, weights.repeat_half_life_days)));
            }
            let s = e.kind.weights().source;
            if s > 0.0 {
                contributions.push((e.item, s * decay_days(age, weights.source_half_life_days)));
                latest.push((e.item, e.ts_ms));
                // What the shopper is looking at now; a purchase ends that intent (its item
                // stays a long-term source).
                if e.kind != EventKind::Purchase && (0..=session_ms).contains(&age) {
                    session.push((e.item, s));
                }
            }
        }
        let (bought_items, repeat) = sum_by_item(&bought);
        let (source_items, mut source_weights) = sum_by_item(&contributions);
        boost_recent(&source_items, &mut source_weights, &latest, weights.recent_boost, weights.recent_half_moments);
        let mut strongest = strongest_first(source_items, source_weights);
        strongest.truncate(weights.max_sources);
        let (session_items, mut session_weights) = sum_by_item(&session);
        // Within the session, the last item counts most: weights halve every moment back.
        boost_recent(&session_items, &mut session_weights, &latest, 1.0, 1.0);
        Sources { bought_items, repeat, strongest, session: strongest_first(session_items, session_weights) }
    }
}

/// `(item, weight)` pairs with a positive weight, strongest first (ties: lower index).
fn strongest_first(items: Vec<u32>, weights: Vec<f32>) -> Vec<(u32, f32)> {
    let mut out: Vec<(u32, f32)> = items.into_iter().zip(weights).filter(|&(_, w)| w > 0.0).collect();
    crate::order::sort_by(&mut out, &|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The neighbours of `sources`, in visiting order: (item, source weight · similarity, source).
fn neighbour_visits<S: ItemSource + ?Sized>(source: &S, sources: &[(u32, f32)]) -> Vec<(u32, f32, u32)> {
    let n = source.item_count();
    let mut visits = Vec::new();
    for &(src, w) in sources {
        source.visit_neighbours(src, &mut |j, sim| {
            if j < n {
                visits.push((j, w * sim, src));
            }
        });
    }
    visits
}

/// Per pool item (sorted `pool`), the summed visit weight, the source that added most and
/// that source's part, divided by the largest sum (so in [0, 1]). Visits come in a fixed
/// order, so the float sums are the same on every platform.
fn gather(pool: &[u32], visits: &[(u32, f32, u32)]) -> Vec<Option<(f32, u32)>> {
    let mut near: Vec<Option<(f32, u32, f32)>> = vec![None; pool.len()];
    for &(j, part, src) in visits {
        if let Ok(at) = pool.binary_search(&j) {
            let entry = near[at].get_or_insert((0.0, src, 0.0));
            entry.0 += part;
            if part > entry.2 {
                entry.1 = src;
                entry.2 = part;
            }
        }
    }
    let max = near.iter().flatten().map(|v| v.0).fold(0.0f32, f32::max);
    near.into_iter().map(|v| v.map(|(sum, via, _)| (if max > 0.0 { sum / max } else { 0.0 }, via))).collect()
}

/// Every candidate and its signals, in item order (see the module docs). `interest` is the
/// profile's interest vector (all zero or empty: no embedding signal).
pub fn candidates<'e, S: ItemSource + ?Sized>(
    source: &S,
    events: impl IntoIterator<Item = &'e Event>,
    interest: &[f32],
    now_ms: i64,
    weights: &BlendWeights,
    allow: &mut dyn FnMut(u32) -> bool,
) -> Vec<(u32, Signals)> {
    let sources = Sources::of(events, source.item_count(), now_ms, weights);
    let visits = neighbour_visits(source, &sources.strongest);
    let session_visits = neighbour_visits(source, &sources.session);
    let mut pool: Vec<u32> = sources.bought_items.iter().copied().chain(visits.iter().chain(&session_visits).map(|v| v.0)).collect();
    let query = Query::new(interest, source.embedding_scales());
    let personalized = !query.is_zero();
    let mut allowed = |i: u32| allow(i);
    if personalized {
        pool.extend(source.embedding_top(&query, 0.0, weights.embedding_candidates, &mut allowed).iter().map(|s| s.item));
    }
    pool.extend(source.top_popular(weights.popular_candidates, &mut allowed));
    pool.extend(source.top_trending(weights.popular_candidates, &mut allowed));
    pool.sort_unstable();
    pool.dedup();

    let near = gather(&pool, &visits);
    let in_session = gather(&pool, &session_visits);
    let max_repeat = sources.repeat.iter().copied().fold(0.0f32, f32::max);
    let mut out = Vec::with_capacity(pool.len());
    for ((&i, near), session) in pool.iter().zip(near).zip(in_session) {
        if !allowed(i) {
            continue;
        }
        let repeat = sources.bought_items.binary_search(&i).map_or(0.0, |at| sources.repeat[at]);
        let signals = Signals {
            repeat: if max_repeat > 0.0 { repeat / max_repeat } else { 0.0 },
            neighbours: near.map_or(0.0, |v| v.0),
            neighbour_via: near.map(|v| v.1),
            session: session.map_or(0.0, |v| v.0),
            session_via: session.map(|v| v.1),
            embedding: if personalized { source.embedding_score(&query, i) } else { 0.0 },
            popularity: source.popularity(i),
            trend: source.demand_trend(i),
        };
        out.push((i, signals));
    }
    out
}

/// The distinct items of `parts` (sorted) and, for each, the sum of its values in the order
/// of `parts`.
fn sum_by_item(parts: &[(u32, f32)]) -> (Vec<u32>, Vec<f32>) {
    let mut items: Vec<u32> = parts.iter().map(|p| p.0).collect();
    items.sort_unstable();
    items.dedup();
    let mut sums = vec![0.0f32; items.len()];
    for &(i, x) in parts {
        if let Ok(at) = items.binary_search(&i) {
            sums[at] += x;
        }
    }
    (items, sums)
}

/// Multiplies the weight of each source (`items`, sorted, with `source_weights`) by
/// `1 + boost · 2^(−r / half_moments)`, where `r` is the source's moment rank: how many
/// distinct event times of `events` ((item, time) pairs) come after its latest event (0 for
/// the last item or basket).
fn boost_recent(items: &[u32], source_weights: &mut [f32], events: &[(u32, i64)], boost: f32, half_moments: f32) {
    if boost == 0.0 {
        return;
    }
    let mut last = vec![i64::MIN; items.len()];
    for &(item, ts) in events {
        if let Ok(at) = items.binary_search(&item) {
            last[at] = last[at].max(ts);
        }
    }
    let mut moments: Vec<i64> = events.iter().map(|e| e.1).collect();
    moments.sort_unstable_by(|a, b| b.cmp(a));
    moments.dedup();
    for (w, &ts) in source_weights.iter_mut().zip(&last) {
        let rank = moments.partition_point(|&m| m > ts) as f32;
        *w *= 1.0 + boost * (-rank / half_moments.max(f32::EPSILON)).exp2();
    }
}

/// The best `k` items by `f` with a positive value among those `allow` accepts.
fn top_by(n: u32, k: usize, f: impl Fn(u32) -> f32, allow: &mut dyn FnMut(u32) -> bool) -> Vec<u32> {
    let mut top = crate::rank::TopK::new(k);
    for i in 0..n {
        let v = f(i);
        if v > 0.0 && v > top.threshold() && allow(i) {
            top.push(i, v);
        }
    }
    top.into_sorted().into_iter().map(|s| s.item).collect()
}

/// Scores `candidates` with `weights` and keeps the best `k`. Ties (such as items no signal
/// speaks for) go to the more popular item, then to the lower index.
pub fn rank_candidates(candidates: &[(u32, Signals)], weights: &BlendWeights, k: usize) -> Vec<Recommendation> {
    let mut out: Vec<(Recommendation, f32)> = candidates
        .iter()
        .map(|&(item, s)| {
            let parts = Signals {
                repeat: weights.repeat * s.repeat,
                neighbours: weights.neighbours * s.neighbours,
                neighbour_via: if s.neighbours > 0.0 && weights.neighbours > 0.0 { s.neighbour_via } else { None },
                session: weights.session * s.session,
                session_via: if s.session > 0.0 && weights.session > 0.0 { s.session_via } else { None },
                embedding: weights.embedding * s.embedding,
                popularity: weights.popularity * s.popularity,
                trend: weights.trend * s.trend,
            };
            (Recommendation { item, score: weights.score(&s), parts }, s.popularity)
        })
        .filter(|(r, _)| r.score.is_finite())
        .collect();
    let cmp = |a: &(Recommendation, f32), b: &(Recommendation, f32)| {
        b.0.score.total_cmp(&a.0.score).then(b.1.total_cmp(&a.1)).then(a.0.item.cmp(&b.0.item))
    };
    if out.len() > k {
        out.select_nth_unstable_by(k, cmp);
        out.truncate(k);
    }
    crate::order::sort_by(&mut out, &cmp);
    out.into_iter().map(|(r, _)| r).collect()
}

/// The blend end to end: candidates, scores, the best `k`.
pub fn rank<'e, S: ItemSource + ?Sized>(
    source: &S,
    events: impl IntoIterator<Item = &'e Event>,
    interest: &[f32],
    now_ms: i64,
    weights: &BlendWeights,
    k: usize,
    allow: &mut dyn FnMut(u32) -> bool,
) -> Vec<Recommendation> {
    rank_candidates(&candidates(source, events, interest, now_ms, weights, allow), weights, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made source: no embeddings, explicit neighbours, popularity and trend.
    struct Toy {
        popularity: Vec<f32>,
        trend: Vec<f32>,
        neighbours: Vec<Vec<(u32, f32)>>,
    }

    impl ItemSource for Toy {
        fn item_count(&self) -> u32 {
            self.popularity.len() as u32
        }
        fn popularity(&self, item: u32) -> f32 {
            self.popularity[item as usize]
        }
        fn demand_trend(&self, item: u32) -> f32 {
            self.trend[item as usize]
        }
        fn visit_neighbours(&self, item: u32, visit: &mut dyn FnMut(u32, f32)) {
            self.neighbours[item as usize].iter().for_each(|&(j, s)| visit(j, s));
        }
        fn embedding_scales(&self) -> &[f32] {
            &[]
        }
        fn embedding_score(&self, _: &Query, _: u32) -> f32 {
            0.0
        }
        fn embedding_top(&self, _: &Query, prior: f32, n: usize, allow: &mut dyn FnMut(u32) -> bool) -> Vec<Scored> {
            let mut top = crate::rank::TopK::new(n);
            for i in 0..self.item_count() {
                if allow(i) {
                    top.push(i, prior * self.popularity(i));
                }
            }
            top.into_sorted()
        }
    }

    fn toy() -> Toy {
        // 6 items; 0 ~ 1 strongly, 0 ~ 2 weakly, 3 ~ 4.
        let mut neighbours = vec![Vec::new(); 6];
        neighbours[0] = vec![(1, 0.9), (2, 0.3)];
        neighbours[3] = vec![(4, 0.8)];
        Toy { popularity: vec![0.1, 0.2, 0.3, 0.1, 0.2, 1.0], trend: vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.5], neighbours }
    }

    fn purchase(item: u32, day: i64) -> Event {
        Event { item, kind: EventKind::Purchase, ts_ms: day * 86_400_000, qty: 1 }
    }

    #[test]
    fn repeat_purchases_and_neighbours_blend_with_parts_that_sum_to_the_score() {
        let events = [purchase(0, 10), purchase(0, 20), purchase(3, 5)];
        let w = BlendWeights { embedding: 0.0, ..BlendWeights::FOR_YOU };
        let shelf = rank(&toy(), &events, &[], 30 * 86_400_000, &w, 6, &mut |_| true);
        assert_eq!(shelf[0].item, 0, "bought twice, recently: {shelf:?}");
        for r in &shelf {
            let p = r.parts;
            assert!((p.repeat + p.neighbours + p.session + p.embedding + p.popularity + p.trend - r.score).abs() < 1e-6);
        }
        let one = shelf.iter().find(|r| r.item == 1).map(|r| r.parts);
        assert_eq!(one.and_then(|p| p.neighbour_via), Some(0), "item 1 is there because of item 0");
        assert_eq!(shelf.iter().find(|r| r.item == 5).and_then(|r| r.parts.neighbour_via), None);
    }

    #[test]
    fn discovery_never_returns_a_bought_item_and_still_fills_the_shelf() {
        let events = [purchase(0, 10), purchase(3, 5)];
        let bought = [0u32, 3];
        let shelf = rank(&toy(), &events, &[], 30 * 86_400_000, &BlendWeights::DISCOVERY, 4, &mut |i| !bought.contains(&i));
        let items: Vec<u32> = shelf.iter().map(|r| r.item).collect();
        assert_eq!(items.len(), 4);
        assert!(items.iter().all(|i| !bought.contains(i)));
        assert_eq!(items[0], 1, "the strongest neighbour of what was bought first: {items:?}");
    }

    #[test]
    fn without_history_the_shelf_is_popularity_and_trend() {
        let shelf = rank(&toy(), &[], &[], 0, &BlendWeights::FOR_YOU, 3, &mut |_| true);
        assert_eq!(shelf[0].item, 5);
        assert!(shelf.iter().all(|r| r.parts.repeat == 0.0 && r.parts.neighbours == 0.0));
    }

    #[test]
    fn ties_go_to_popularity_then_to_the_lower_index() {
        let flat = Toy { popularity: vec![0.5, 0.5, 0.9, 0.5], trend: vec![0.0; 4], neighbours: vec![Vec::new(); 4] };
        let w = BlendWeights { popularity: 0.0, ..BlendWeights::FOR_YOU };
        let a = rank(&flat, &[], &[], 0, &w, 4, &mut |_| true);
        assert_eq!(a.iter().map(|r| r.item).collect::<Vec<_>>(), [2, 0, 1, 3]);
    }
}
