//! Where the scan's candidates go: the [`Sink`] trait and the plain integer top-K sink
//! ([`TopDots`], [`top_k_dots`]).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::*;

/// Receives the candidates of a [`scan()`].
pub trait Sink {
    /// Only items with a score strictly above this are offered.
    fn threshold(&self) -> i32;
    /// One candidate; items arrive in ascending order. The sink decides whether it enters.
    fn offer(&mut self, item: u32, dot: i32);
}

/// The best `k` items by integer score that `accept` lets through; ties go to the lower item.
pub struct TopDots<A: FnMut(u32) -> bool> {
    k: usize,
    /// Min-heap of `(score << 32) | !item`: the top is the worst kept item.
    heap: BinaryHeap<Reverse<i64>>,
    accept: A,
}

pub(crate) fn key(item: u32, dot: i32) -> i64 {
    (i64::from(dot) << 32) | i64::from(!item)
}

impl<A: FnMut(u32) -> bool> TopDots<A> {
    /// An empty selection of at most `k` items, filtered by `accept`.
    pub fn new(k: usize, accept: A) -> TopDots<A> {
        TopDots { k, heap: BinaryHeap::with_capacity(k + 1), accept }
    }

    /// The kept `(item, score)` pairs, best first (ties by ascending item).
    pub fn into_sorted(self) -> Vec<(u32, i32)> {
        let mut keys: Vec<i64> = self.heap.into_iter().map(|Reverse(k)| k).collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        keys.into_iter().map(|k| (!(k as u32), (k >> 32) as i32)).collect()
    }
}

impl<A: FnMut(u32) -> bool> Sink for TopDots<A> {
    fn threshold(&self) -> i32 {
        if self.k == 0 {
            return i32::MAX;
        }
        if self.heap.len() < self.k {
            return i32::MIN;
        }
        self.heap.peek().map_or(i32::MIN, |Reverse(k)| (k >> 32) as i32)
    }

    fn offer(&mut self, item: u32, dot: i32) {
        if self.k == 0 {
            return;
        }
        let candidate = key(item, dot);
        let enters = self.heap.len() < self.k || self.heap.peek().is_some_and(|Reverse(worst)| candidate > *worst);
        if !enters || !(self.accept)(item) {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(Reverse(candidate));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            // Full: replace the worst in place (one sift down instead of a pop and a push).
            *worst = Reverse(candidate);
        }
    }
}

/// The best `k` items by integer score that `accept` lets through, best first; ties go to the
/// lower item index.
pub fn top_k_dots(
    blocks: &Blocks<'_>,
    query: &KernelQuery,
    k: usize,
    accept: impl FnMut(u32) -> bool,
) -> Result<Vec<(u32, i32)>, KernelError> {
    let mut sink = TopDots::new(k, accept);
    scan(blocks, query, &mut sink)?;
    Ok(sink.into_sorted())
}
