//! Ranking: score every item against a query vector and keep the best K in one pass.
//!
//! The query is folded with the pack's per-dimension scales and quantized to 7-bit codes, so an
//! item's score is an integer dot product with its `i8` codes (see
//! [`quantize`](crate::pack::quantize_per_dimension)) that the [`kernel`] computes over the
//! pack's blocked codes. A candidate that does not beat the current K-th best is dropped before
//! any filter is looked at. [`Query::exact_score`] scores a found candidate with the
//! unquantized query.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::kernel::{self, Blocks, KernelError, KernelQuery, Sink};
use crate::pack::Pack;

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
        } else if let Some(mut worst) = self.heap.peek_mut() {
            // Replacing the worst in place sifts down once (pop + push would sift twice).
            if candidate < *worst {
                *worst = candidate;
            }
        }
    }

    /// The kept items, best first.
    pub fn into_sorted(self) -> Vec<Scored> {
        let mut v: Vec<Scored> = self.heap.into_iter().map(|m| m.0).collect();
        crate::order::sort_by(&mut v, &|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        v
    }
}

/// A query prepared for integer scoring against one pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    kernel: KernelQuery,
    /// The query folded with the scales: an item's exact float score is `Σ folded_j · code_j`.
    folded: Vec<f32>,
    /// Multiplies an integer dot product back into the float score.
    step: f32,
}

impl Query {
    /// Folds `vector` (embedding space) with the pack's scales (non-finite parts count as 0)
    /// and quantizes it to codes in [−63, 63] ([`kernel::QUERY_MAX`]) for the kernel.
    pub fn new(vector: &[f32], scales: &[f32]) -> Query {
        let folded: Vec<f32> = vector.iter().zip(scales).map(|(q, s)| q * s).map(|x| if x.is_finite() { x } else { 0.0 }).collect();
        let max = folded.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        if max <= 0.0 || !max.is_finite() {
            let zeros = vec![0i8; folded.len()];
            return Query { kernel: KernelQuery::new(&zeros), folded: vec![0.0; zeros.len()], step: 0.0 };
        }
        let top = f32::from(kernel::QUERY_MAX);
        let step = max / top;
        let codes: Vec<i8> = folded.iter().map(|x| (x / step).round().clamp(-top, top) as i8).collect();
        Query { kernel: KernelQuery::new(&codes), folded, step }
    }

    /// Whether every score would be 0.
    pub fn is_zero(&self) -> bool {
        self.step == 0.0
    }

    /// The integer codes.
    pub fn codes(&self) -> &[i8] {
        self.kernel.codes()
    }

    /// Integer dot product with one item's codes.
    #[inline]
    pub fn dot(&self, row: &[i8]) -> i32 {
        self.kernel.codes().iter().zip(row).map(|(&q, &c)| i32::from(q) * i32::from(c)).sum()
    }

    /// The float score of an integer dot product (what the kernel ranks by).
    #[inline]
    pub fn score_of_dot(&self, dot: i32) -> f32 {
        dot as f32 * self.step
    }

    /// Float score of one item's codes as the kernel ranks it (7-bit query).
    #[inline]
    pub fn score(&self, row: &[i8]) -> f32 {
        self.score_of_dot(self.dot(row))
    }

    /// The exact score of one item's codes with the unquantized query: `Σ folded_j · code_j`
    /// (what a shelf reports once the kernel has found its candidates).
    #[inline]
    pub fn exact_score(&self, codes: impl IntoIterator<Item = i8>) -> f32 {
        self.folded.iter().zip(codes).map(|(&q, c)| q * f32::from(c)).sum()
    }
}

/// The kernel sink for `query · item + prior · popularity`: the kernel gates on the integer dot
/// product with a threshold derived from the current K-th best float score, so only items that
/// could enter are scored in float, and only those that would enter reach `allow`.
struct PriorSink<P, A> {
    top: TopK,
    step: f32,
    prior: f32,
    /// The largest `prior · popularity` can be (popularity is in [0, 1]).
    bonus_max: f32,
    popularity: P,
    allow: A,
    gate: i32,
}

impl<P: Fn(u32) -> f32, A: FnMut(u32) -> bool> PriorSink<P, A> {
    /// The smallest dot product an item needs to possibly beat `threshold`, rounded down with a
    /// margin for float rounding (a low gate only lets extra candidates through).
    fn gate_for(&self, threshold: f32) -> i32 {
        if !threshold.is_finite() || self.step <= 0.0 {
            return i32::MIN;
        }
        let t = f64::from(threshold);
        let bonus = f64::from(self.bonus_max);
        let margin = 1e-6 * (1.0 + t.abs() + bonus);
        let need = ((t - bonus - margin) / f64::from(self.step)).floor() - 1.0;
        need.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
    }
}

impl<P: Fn(u32) -> f32, A: FnMut(u32) -> bool> Sink for PriorSink<P, A> {
    fn threshold(&self) -> i32 {
        self.gate
    }

    fn offer(&mut self, item: u32, dot: i32) {
        let score = dot as f32 * self.step + self.prior * (self.popularity)(item);
        if score > self.top.threshold() && (self.allow)(item) {
            self.top.push(item, score);
            self.gate = self.gate_for(self.top.threshold());
        }
    }
}

/// Scores every item of `blocks` as `query · item + prior_weight · popularity(item)` and
/// returns the best `k` that `allow` accepts (checked only for items that would enter the top
/// K), best first, ties to the lower index. `popularity` must be in [0, 1].
pub fn top_k_blocks(
    blocks: &Blocks<'_>,
    query: &Query,
    prior_weight: f32,
    popularity: impl Fn(u32) -> f32,
    k: usize,
    mut allow: impl FnMut(u32) -> bool,
) -> Result<Vec<Scored>, KernelError> {
    if query.is_zero() {
        // Every dot product is 0: rank by the prior alone, without reading the codes.
        let mut top = TopK::new(k);
        for item in 0..blocks.items() as u32 {
            let score = query.score_of_dot(0) + prior_weight * popularity(item);
            if score > top.threshold() && allow(item) {
                top.push(item, score);
            }
        }
        return Ok(top.into_sorted());
    }
    let mut sink = PriorSink {
        top: TopK::new(k),
        step: query.step,
        prior: prior_weight,
        bonus_max: prior_weight.max(0.0),
        popularity,
        allow,
        gate: i32::MIN,
    };
    if k == 0 {
        return Ok(Vec::new());
    }
    kernel::scan(blocks, &query.kernel, &mut sink)?;
    Ok(sink.top.into_sorted())
}

/// Scores every item of the pack as `query · item + prior_weight · popularity` with the
/// [`kernel`] over [`Pack::embedding_blocks`] and returns the best `k` that `allow` accepts
/// (checked only for items that would enter the top K), best first, ties to the lower index.
pub fn top_k_by_query<B: AsRef<[u8]>>(
    pack: &Pack<B>,
    query: &Query,
    prior_weight: f32,
    k: usize,
    allow: impl FnMut(u32) -> bool,
) -> Vec<Scored> {
    top_k_in_blocks(pack, &pack.embedding_blocks(), query, prior_weight, k, allow)
}

/// [`top_k_by_query`] over other codes of the pack's items: `blocks` is
/// [`Pack::embedding_blocks`] or [`Pack::image_embedding_blocks`], `query` made with the
/// matching scales. (Callers that pass `allow` as `&mut dyn FnMut` share one build of the scan.)
pub fn top_k_in_blocks<B: AsRef<[u8]>>(
    pack: &Pack<B>,
    blocks: &Blocks<'_>,
    query: &Query,
    prior_weight: f32,
    k: usize,
    allow: impl FnMut(u32) -> bool,
) -> Vec<Scored> {
    if blocks.dim() == 0 || blocks.items() == 0 {
        return Vec::new();
    }
    // A query of another dimension is the only error; it ranks nothing.
    top_k_blocks(blocks, query, prior_weight, |i| pack.popularity(i), k, allow).unwrap_or_default()
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
        assert!((q.exact_score(row) - exact).abs() < 1e-6);
        // The 8-bit query is off by at most half a step per dimension.
        let step = 0.5f32 * 0.05 / 63.0;
        let worst: f32 = row.iter().map(|&c| f32::from(c).abs() * step / 2.0).sum();
        assert!((q.score(&row) - exact).abs() <= worst, "{} vs {exact}", q.score(&row));
        assert!(worst < 0.05 * exact);
    }

    #[test]
    fn codes_span_seven_bits_and_exact_scores_use_the_float_query() {
        let q = Query::new(&[1.0, 0.5, -0.25, f32::NAN], &[1.0, 1.0 / 1.5, 1.0 / 1.75, 1.0]);
        assert_eq!(q.codes(), &[63, 21, -9, 0]);
        let q = Query::new(&[1.0, 0.5, -0.25, f32::NAN], &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(q.exact_score([2i8, 4, 8, 1]), 2.0 + 2.0 - 2.0);
        assert!(Query::new(&[0.0, 0.0], &[1.0, 1.0]).is_zero());
        assert!(Query::new(&[f32::INFINITY], &[1.0]).is_zero());
    }
    // The kernel's ranking against a row-by-row scorer is `tests/rank_kernel.rs` (on encoded packs).
}
