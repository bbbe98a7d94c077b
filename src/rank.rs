//! Ranking: score every item against a query vector and keep the best K in one pass.
//!
//! The query is folded with the pack's per-dimension scales and quantized to `i16`, so an
//! item's score is an integer dot product with its `i8` codes (see
//! [`quantize`](crate::pack::quantize_per_dimension)). A candidate that does not beat the
//! current K-th best is dropped before any filter is looked at.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::pack::{Pack, BLOCK_ITEMS};

/// A scored item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// Item index in the pack.
    pub item: u32,
    /// Score (higher is better).
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct MinByScore(Scored);

impl Eq for MinByScore {}

impl Ord for MinByScore {
    // Reversed: the heap's top is the worst kept item (lowest score; on ties, highest index).
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.score.total_cmp(&self.0.score).then(self.0.item.cmp(&other.0.item))
    }
}

impl PartialOrd for MinByScore {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Keeps the `k` best of a stream of scored items; ties go to the lower item index.
#[derive(Debug, Clone)]
pub struct TopK {
    k: usize,
    heap: BinaryHeap<MinByScore>,
}

impl TopK {
    /// An empty selection of at most `k` items.
    pub fn new(k: usize) -> TopK {
        TopK { k, heap: BinaryHeap::with_capacity(k + 1) }
    }

    /// The score an item must beat to enter (−∞ while not full).
    pub fn threshold(&self) -> f32 {
        if self.heap.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.heap.peek().map_or(f32::NEG_INFINITY, |m| m.0.score)
        }
    }

    /// Offers an item; cheap when it does not qualify.
    pub fn push(&mut self, item: u32, score: f32) {
        if self.k == 0 || score.is_nan() {
            return;
        }
        let candidate = MinByScore(Scored { item, score });
        if self.heap.len() < self.k {
            self.heap.push(candidate);
        } else if self.heap.peek().is_some_and(|worst| candidate < *worst) {
            self.heap.pop();
            self.heap.push(candidate);
        }
    }

    /// The kept items, best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        let mut v: Vec<Scored> = self.heap.into_iter().map(|m| m.0).collect();
        v.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        v
    }
}

/// A query prepared for integer scoring against one pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    codes: Vec<i16>,
    /// Multiplies an integer dot product back into the float score.
    step: f32,
}

impl Query {
    /// Folds `vector` (embedding space) with the pack's scales and quantizes it to `i16`.
    pub fn new(vector: &[f32], scales: &[f32]) -> Query {
        let folded: Vec<f32> = vector.iter().zip(scales).map(|(q, s)| q * s).collect();
        let max = folded.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        if max <= 0.0 || !max.is_finite() {
            return Query { codes: vec![0; folded.len()], step: 0.0 };
        }
        let step = max / f32::from(i16::MAX);
        let codes = folded.iter().map(|x| (x / step).round().clamp(-32767.0, 32767.0) as i16).collect();
        Query { codes, step }
    }

    /// Whether every score would be 0.
    pub fn is_zero(&self) -> bool {
        self.step == 0.0
    }

    /// Integer dot product with one item's codes.
    #[inline]
    pub fn dot(&self, row: &[i8]) -> i32 {
        self.codes.iter().zip(row).map(|(&q, &c)| i32::from(q) * i32::from(c)).sum()
    }

    /// Float score of one item's codes.
    #[inline]
    pub fn score(&self, row: &[i8]) -> f32 {
        self.dot(row) as f32 * self.step
    }
}

/// Scores every item as `query · item + prior_weight · popularity` and returns the best `k`
/// that `allow` accepts (checked only for items that would enter the top K).
pub fn top_k_by_query<B: AsRef<[u8]>>(
    pack: &Pack<B>,
    query: &Query,
    prior_weight: f32,
    k: usize,
    mut allow: impl FnMut(u32) -> bool,
) -> Vec<Scored> {
    let mut top = TopK::new(k);
    let dim = pack.dim();
    let n = pack.item_count() as usize;
    if dim == 0 || n == 0 {
        return Vec::new();
    }
    let block_len = dim * BLOCK_ITEMS;
    for (b, block) in pack.embedding_blocks().chunks_exact(block_len).enumerate() {
        let mut acc = [0i32; BLOCK_ITEMS];
        for (&q, lanes) in query.codes.iter().zip(block.chunks_exact(BLOCK_ITEMS)) {
            let q = i32::from(q);
            for (a, &c) in acc.iter_mut().zip(lanes) {
                *a += q * i32::from(c);
            }
        }
        let first = b * BLOCK_ITEMS;
        for (lane, &dot) in acc.iter().enumerate().take(n.saturating_sub(first)) {
            let item = (first + lane) as u32;
            let score = dot as f32 * query.step + prior_weight * pack.popularity(item);
            if score > top.threshold() && allow(item) {
                top.push(item, score);
            }
        }
    }
    top.into_sorted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_index() {
        let mut top = TopK::new(3);
        for (i, s) in [0.5f32, 0.9, 0.1, 0.9, 0.7, f32::NAN].into_iter().enumerate() {
            top.push(i as u32, s);
        }
        let got: Vec<u32> = top.into_sorted().iter().map(|s| s.item).collect();
        assert_eq!(got, vec![1, 3, 4]);
    }

    #[test]
    fn zero_k_keeps_nothing() {
        let mut top = TopK::new(0);
        top.push(1, 1.0);
        assert!(top.into_sorted().is_empty());
    }

    #[test]
    fn integer_scores_track_float_dot_products() {
        let scales = [0.02f32, 0.01, 0.05];
        let q = Query::new(&[0.3, -0.8, 0.5], &scales);
        let row = [100i8, -50, 20];
        let exact: f32 = [0.3f32 * 0.02 * 100.0, -0.8 * 0.01 * -50.0, 0.5 * 0.05 * 20.0].iter().sum();
        assert!((q.score(&row) - exact).abs() < 1e-3 * exact.abs().max(1.0));
    }
}
