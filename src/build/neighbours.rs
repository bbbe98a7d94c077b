//! Item-to-item neighbours, pruned to the best K per item: item-kNN cosine (below) or EASE
//! ([`super::ease`]), chosen by [`NeighbourModel`] ([`item_neighbours`]).
//!
//! # Cosine model
//!
//! Each shopper `u` gives each item `i` a strength `s_ui` in [0, 1]: the strongest kind of
//! event they had with it ([`kind_strength`]: purchase 1, cart 0.6, click 0.3, view 0.2).
//! Repeating an event does not add anything. The similarity of items `i` and `j` is the cosine
//!
//! ```text
//! sim(i, j) = Σ_u s_ui·s_uj / (sqrt(Σ_u s_ui²) · sqrt(Σ_u s_uj²) + shrink)
//! ```
//!
//! which lies in [0, 1]. An item is never its own neighbour.
//!
//! # Resistance to click farming
//!
//! A shopper contributes at most 1 to any pair, however many events they send (a click farmer
//! hammering two items counts like one shopper who looked at both), and only their
//! [`NeighbourConfig::max_items_per_shopper`] most recently touched items take part (which also
//! bounds the cost, `Σ_u min(n_u, cap)²`).

use super::ease::{local_ease_neighbours, DenseEase, EaseError, LocalEaseConfig, DEFAULT_LAMBDA};
use super::history::IndexedEvents;
use crate::event::EventKind;

/// Which model writes the pack's item-to-item neighbour lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighbourModel {
    /// Item-kNN cosine over the shoppers' item strengths.
    Cosine,
    /// EASE: dense up to [`DENSE_EASE_MAX_ITEMS`] items, restricted to candidates above.
    Ease,
    /// Dense EASE whatever the catalog size.
    EaseDense,
    /// EASE restricted to each item's candidate neighbours ([`local_ease_neighbours`]).
    EaseLocal,
    /// Lists computed elsewhere (`--neighbours-file`, [`super::neighbours_file`]), put in after
    /// assembly: the builder computes none (every list here is empty).
    Imported,
}

impl NeighbourModel {
    /// The model named `name` (`cosine`, `ease`, `ease-dense`, `ease-local`).
    pub fn parse(name: &str) -> Option<NeighbourModel> {
        match name {
            "cosine" => Some(NeighbourModel::Cosine),
            "ease" => Some(NeighbourModel::Ease),
            "ease-dense" => Some(NeighbourModel::EaseDense),
            "ease-local" => Some(NeighbourModel::EaseLocal),
            _ => None,
        }
    }
}

/// Largest catalog [`NeighbourModel::Ease`] fits densely (docs/QUALITY.md measures the cost).
pub const DENSE_EASE_MAX_ITEMS: usize = 12_000;

/// Settings of [`item_neighbours`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeighbourConfig {
    /// Neighbours kept per item (best first).
    pub k: usize,
    /// A shopper's most recently touched items that count; older ones are left out.
    pub max_items_per_shopper: usize,
    /// Added to the cosine's denominator: damps similarities backed by very few shoppers.
    pub shrink: f32,
    /// The model.
    pub model: NeighbourModel,
    /// EASE's ridge strength λ.
    pub ease_lambda: f64,
    /// Candidates per item of the restricted EASE.
    pub ease_candidates: usize,
}

impl Default for NeighbourConfig {
    fn default() -> Self {
        NeighbourConfig {
            k: 50,
            max_items_per_shopper: 300,
            shrink: 1.0,
            model: NeighbourModel::Cosine,
            ease_lambda: DEFAULT_LAMBDA,
            ease_candidates: LocalEaseConfig::default().candidates,
        }
    }
}

/// Neighbours of every item with the configured model: `result[i]` is at most `k`
/// `(item, similarity)` pairs, best first, similarity in (0, 1].
pub fn item_neighbours(history: &IndexedEvents, config: &NeighbourConfig) -> Result<Vec<Vec<(u32, f32)>>, EaseError> {
    let rows = || shopper_items(history, config.max_items_per_shopper);
    let n = history.items;
    let local = LocalEaseConfig { lambda: config.ease_lambda, candidates: config.ease_candidates, ..LocalEaseConfig::default() };
    match config.model {
        NeighbourModel::Cosine => Ok(cosine_neighbours(&rows(), n, config.k, config.shrink)),
        NeighbourModel::EaseDense => Ok(DenseEase::fit(&rows(), n, config.ease_lambda)?.neighbours(config.k)),
        NeighbourModel::Ease if n <= DENSE_EASE_MAX_ITEMS => Ok(DenseEase::fit(&rows(), n, config.ease_lambda)?.neighbours(config.k)),
        NeighbourModel::Ease | NeighbourModel::EaseLocal => local_ease_neighbours(&rows(), n, config.k, &local),
        NeighbourModel::Imported => Ok(vec![Vec::new(); n]),
    }
}

/// How much one event says that the shopper wanted the item, in [0, 1]: the same strengths
/// the on-device blend gives its sources ([`crate::event::KindWeights::source`]).
pub fn kind_strength(kind: EventKind) -> f32 {
    kind.weights().source
}

/// Per shopper, their items and strengths (at most `cap` items, the most recently touched).
pub fn shopper_items(history: &IndexedEvents, cap: usize) -> Vec<Vec<(u32, f32)>> {
    // (item, strength, last touch) per shopper.
    let mut rows: Vec<Vec<(u32, f32, i64)>> = vec![Vec::new(); history.shoppers];
    for e in &history.events {
        let s = kind_strength(e.kind);
        if s > 0.0 {
            rows[e.shopper as usize].push((e.item, s, e.ts_ms));
        }
    }
    rows.into_iter()
        .map(|mut row| {
            row.sort_unstable_by_key(|&(item, _, _)| item);
            let mut merged: Vec<(u32, f32, i64)> = Vec::with_capacity(row.len());
            for (item, s, ts) in row {
                match merged.last_mut() {
                    Some(last) if last.0 == item => {
                        last.1 = last.1.max(s);
                        last.2 = last.2.max(ts);
                    }
                    _ => merged.push((item, s, ts)),
                }
            }
            if merged.len() > cap {
                merged.sort_unstable_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
                merged.truncate(cap);
                merged.sort_unstable_by_key(|&(item, _, _)| item);
            }
            merged.into_iter().map(|(item, s, _)| (item, s)).collect()
        })
        .collect()
}

/// The best `k` of `(item, score)` pairs with a positive score, best first (ties: lower index).
pub fn top_k_pairs(mut pairs: Vec<(u32, f32)>, k: usize) -> Vec<(u32, f32)> {
    pairs.retain(|&(_, s)| s > 0.0 && s.is_finite());
    let cmp = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if pairs.len() > k {
        pairs.select_nth_unstable_by(k, cmp);
        pairs.truncate(k);
    }
    pairs.sort_unstable_by(cmp);
    pairs
}

/// Item-kNN cosine neighbours of every item: `result[i]` is at most `k` `(item, similarity)` pairs,
/// best first, similarity in (0, 1].
pub fn item_knn(history: &IndexedEvents, config: &NeighbourConfig) -> Vec<Vec<(u32, f32)>> {
    let rows = shopper_items(history, config.max_items_per_shopper);
    cosine_neighbours(&rows, history.items, config.k, config.shrink)
}

/// Cosine neighbours from per-shopper `(item, strength)` rows over `n_items` items.
pub fn cosine_neighbours(rows: &[Vec<(u32, f32)>], n_items: usize, k: usize, shrink: f32) -> Vec<Vec<(u32, f32)>> {
    let mut by_item: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_items];
    let mut norm = vec![0.0f64; n_items];
    for (u, row) in rows.iter().enumerate() {
        for &(i, s) in row {
            by_item[i as usize].push((u as u32, s));
            norm[i as usize] += f64::from(s) * f64::from(s);
        }
    }
    let norm: Vec<f64> = norm.into_iter().map(f64::sqrt).collect();
    let mut co = vec![0.0f64; n_items];
    let mut touched: Vec<u32> = Vec::new();
    (0..n_items)
        .map(|i| {
            for &(u, si) in &by_item[i] {
                for &(j, sj) in &rows[u as usize] {
                    if j as usize == i {
                        continue;
                    }
                    if co[j as usize] == 0.0 {
                        touched.push(j);
                    }
                    co[j as usize] += f64::from(si) * f64::from(sj);
                }
            }
            let pairs = touched
                .drain(..)
                .map(|j| {
                    let c = std::mem::take(&mut co[j as usize]);
                    let denominator = norm[i] * norm[j as usize] + f64::from(shrink);
                    (j, if denominator > 0.0 { (c / denominator).min(1.0) as f32 } else { 0.0 })
                })
                .collect();
            top_k_pairs(pairs, k)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::index_events;
    use crate::build::history::tests::{buy, catalog};

    fn config() -> NeighbourConfig {
        NeighbourConfig { k: 10, max_items_per_shopper: 100, shrink: 0.0, ..NeighbourConfig::default() }
    }

    #[test]
    fn cosine_on_hand_made_baskets() {
        // a: {0, 1}, b: {0, 1, 2}, c: {2}.
        let events =
            [buy("a", 0, 1, "x"), buy("a", 1, 1, "x"), buy("b", 0, 1, "y"), buy("b", 1, 2, "z"), buy("b", 2, 2, "z"), buy("c", 2, 3, "w")];
        let n = item_knn(&index_events(&catalog(3), &events), &config());
        assert_eq!(n[0].len(), 2);
        assert_eq!(n[0][0].0, 1);
        assert!((n[0][0].1 - 1.0).abs() < 1e-6); // 2 / sqrt(2·2)
        assert!((n[0][1].1 - 0.5).abs() < 1e-6); // 1 / sqrt(2·2)
        assert!(n.iter().enumerate().all(|(i, row)| row.iter().all(|&(j, _)| j as usize != i)));
    }

    #[test]
    fn a_click_farmer_counts_as_one_shopper() {
        // Three real shoppers buy 0 with 2; one farmer sends 1000 purchases of 0 and 1.
        let mut events = Vec::new();
        for s in ["a", "b", "c"] {
            events.push(buy(s, 0, 1, "x"));
            events.push(buy(s, 2, 1, "x"));
        }
        for d in 0..500 {
            events.push(buy("farmer", 0, d, "f"));
            events.push(buy("farmer", 1, d, "f"));
        }
        let n = item_knn(&index_events(&catalog(3), &events), &config());
        assert_eq!(n[0][0].0, 2, "the real co-purchase wins: {:?}", n[0]);
        assert!(n[0][0].1 > 1.5 * n[0][1].1, "{:?}", n[0]);
    }

    #[test]
    fn only_the_most_recent_items_of_a_shopper_count() {
        let events = [buy("a", 0, 1, "x"), buy("a", 1, 2, "y"), buy("a", 2, 3, "z")];
        let h = index_events(&catalog(3), &events);
        let rows = shopper_items(&h, 2);
        assert_eq!(rows[0], [(1, 1.0), (2, 1.0)]);
        let n = item_knn(&h, &NeighbourConfig { max_items_per_shopper: 2, ..config() });
        assert!(n[0].is_empty());
        assert_eq!(n[1][0].0, 2);
    }

    #[test]
    fn pruning_keeps_the_best_k() {
        assert_eq!(top_k_pairs(vec![(0, 0.1), (1, 0.9), (2, 0.5), (3, 0.0), (4, 0.5)], 2), [(1, 0.9), (2, 0.5)]);
    }
}
