//! The scoring kernel: integer dot products of one `i16` query with every item's `i8` codes,
//! read strictly in order from the blocked layout, with the top K selected in the same pass.
//!
//! # Layout
//! Items are stored in blocks of [`LANES`] = 16. In block `b`, dimension `j`, lane `l` is at
//! `(b * dim + j) * 16 + l`; item `i` is block `i / 16`, lane `i % 16`. Padding lanes of the last
//! block hold zeros and are never reported. One block's 16 codes for one dimension are one
//! 128-bit vector, so a block is scored with `dim` sequential loads and no horizontal sums.
//!
//! # Paths
//! * **SIMD128** (`target_arch = "wasm32"` with `target_feature = "simd128"`, which
//!   `scripts/lib.sh` enables for the wasm build): two dimensions at a time, the codes of both
//!   are interleaved byte-wise, widened to `i16` and multiplied by the `(q_j, q_j+1)` pair with
//!   `i32x4.dot_i16x8_s`, giving four items' partial sums per instruction. The block's 16 sums are
//!   compared against the current threshold with `i32x4.gt` and `bitmask`; only set lanes are
//!   looked at.
//! * **Portable** (native and non-SIMD wasm): the same sums in plain Rust over `[i32; 16]`
//!   accumulators, which LLVM autovectorizes (SSE2/AVX2/AVX-512 natively).
//!
//! Both compute exact integer sums, so they return bit-identical scores: a [`KernelQuery`]
//! refuses codes for which a sum could leave `i32` (`128 · Σ|q_j| ≤ i32::MAX`).
//!
//! # Selection
//! [`scan`] hands every lane whose score beats [`Sink::threshold`] to [`Sink::offer`], in
//! ascending item order; [`TopDots`] is the plain integer top-K sink, `rank` has one that adds a
//! float popularity prior. A filter (`accept`) is only consulted for candidates that would
//! enter the top K.

use std::collections::BinaryHeap;
use std::cmp::Reverse;
use std::fmt;

/// Items per block.
pub const LANES: usize = 16;

/// Why a blocked view or a query was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The code slice does not hold `ceil(items / 16) · 16 · dim` bytes.
    BlockedLength {
        /// Items declared.
        items: usize,
        /// Dimension declared.
        dim: usize,
        /// Bytes present.
        len: usize,
    },
    /// The query has a different number of codes than the items have dimensions.
    QueryDim {
        /// Codes in the query.
        query: usize,
        /// Dimension of the items.
        dim: usize,
    },
    /// `128 · Σ|q_j|` exceeds `i32::MAX`, so a score could overflow.
    QueryTooLarge {
        /// `Σ|q_j|` of the refused query.
        abs_sum: u64,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::BlockedLength { items, dim, len } => write!(
                f,
                "blocked codes for {items} items of dimension {dim} need {} bytes, found {len}",
                blocked_len(*items, *dim)
            ),
            KernelError::QueryDim { query, dim } => {
                write!(f, "the query has {query} codes but the items have dimension {dim}")
            }
            KernelError::QueryTooLarge { abs_sum } => {
                write!(f, "query codes sum to {abs_sum} in absolute value; scores could overflow i32 above {}", MAX_ABS_SUM)
            }
        }
    }
}

impl std::error::Error for KernelError {}

/// The largest `Σ|q_j|` a query may have: `i8` codes are at most 128 in absolute value.
pub const MAX_ABS_SUM: u64 = (i32::MAX as u64) / 128;

/// Bytes of the blocked layout for `items` items of dimension `dim`.
pub fn blocked_len(items: usize, dim: usize) -> usize {
    items.div_ceil(LANES) * LANES * dim
}

/// Rearranges row-major codes (`items × dim`) into the blocked layout, zero-padding the last
/// block. Used by tests and by anything that holds row-major codes.
pub fn block_row_major(rows: &[i8], dim: usize) -> Vec<i8> {
    if dim == 0 {
        return Vec::new();
    }
    let items = rows.len() / dim;
    let mut out = vec![0i8; blocked_len(items, dim)];
    for (i, row) in rows.chunks_exact(dim).enumerate() {
        let (b, lane) = (i / LANES, i % LANES);
        for (j, &c) in row.iter().enumerate() {
            out[(b * dim + j) * LANES + lane] = c;
        }
    }
    out
}

/// A checked view of blocked item codes.
#[derive(Debug, Clone, Copy)]
pub struct Blocks<'a> {
    codes: &'a [i8],
    items: usize,
    dim: usize,
}

impl<'a> Blocks<'a> {
    /// Views `codes` as `items` items of dimension `dim` in the blocked layout.
    pub fn new(codes: &'a [i8], items: usize, dim: usize) -> Result<Blocks<'a>, KernelError> {
        if codes.len() != blocked_len(items, dim) {
            return Err(KernelError::BlockedLength { items, dim, len: codes.len() });
        }
        Ok(Blocks { codes, items, dim })
    }

    /// Number of items (padding lanes excluded).
    pub fn items(&self) -> usize {
        self.items
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The codes of item `i` (gathered from its block), or `None` past the end.
    pub fn row(&self, i: usize) -> Option<Vec<i8>> {
        if i >= self.items {
            return None;
        }
        let (b, lane) = (i / LANES, i % LANES);
        Some((0..self.dim).map(|j| self.codes[(b * self.dim + j) * LANES + lane]).collect())
    }
}

/// Query codes checked against overflow, with the dimension pairs the SIMD path uses.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelQuery {
    codes: Vec<i16>,
    /// `(q_2p as u16) | (q_2p+1 as u16) << 16` per dimension pair (odd dims pad with 0).
    pairs: Vec<i32>,
}

impl KernelQuery {
    /// Checks `codes` (`128 · Σ|q_j| ≤ i32::MAX`) and prepares them.
    pub fn new(codes: &[i16]) -> Result<KernelQuery, KernelError> {
        let abs_sum: u64 = codes.iter().map(|&q| u64::from(q.unsigned_abs())).sum();
        if abs_sum > MAX_ABS_SUM {
            return Err(KernelError::QueryTooLarge { abs_sum });
        }
        let pairs = codes
            .chunks(2)
            .map(|p| {
                let lo = p[0] as u16 as u32;
                let hi = p.get(1).map_or(0, |&q| q as u16 as u32);
                (lo | hi << 16) as i32
            })
            .collect();
        Ok(KernelQuery { codes: codes.to_vec(), pairs })
    }

    /// The all-zero query of dimension `dim`.
    pub fn zero(dim: usize) -> KernelQuery {
        KernelQuery { codes: vec![0; dim], pairs: vec![0; dim.div_ceil(2)] }
    }

    /// The codes.
    pub fn codes(&self) -> &[i16] {
        &self.codes
    }
}

/// Receives the candidates of a [`scan`].
pub trait Sink {
    /// Only lanes with a score strictly above this are offered.
    fn threshold(&self) -> i32;
    /// One candidate; items arrive in ascending order. The sink decides whether it enters.
    fn offer(&mut self, item: u32, dot: i32);
}

/// Scores one block with the portable path: `out[l] = Σ_j q_j · code[b, j, l]`.
#[inline]
pub fn score_block_portable(block: &[i8], query: &[i16], out: &mut [i32; LANES]) {
    let mut acc = [0i32; LANES];
    for (row, &q) in block.chunks_exact(LANES).zip(query) {
        let q = i32::from(q);
        for (a, &c) in acc.iter_mut().zip(row) {
            *a = a.wrapping_add(q * i32::from(c));
        }
    }
    *out = acc;
}

/// Scores every item with the portable path (for tests and the native build).
pub fn scan_portable<S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
    check_dims(blocks, query)?;
    if blocks.dim == 0 {
        return scan_constant(blocks, sink);
    }
    let mut scores = [0i32; LANES];
    for (b, block) in blocks.codes.chunks_exact(LANES * blocks.dim).enumerate() {
        score_block_portable(block, &query.codes, &mut scores);
        let threshold = sink.threshold();
        let mut mask = 0u32;
        for (l, &s) in scores.iter().enumerate() {
            mask |= u32::from(s > threshold) << l;
        }
        offer_lanes(blocks, b, mask, &scores, sink);
    }
    Ok(())
}

/// Dimension 0: every score is 0.
fn scan_constant<S: Sink>(blocks: &Blocks<'_>, sink: &mut S) -> Result<(), KernelError> {
    for i in 0..blocks.items {
        if 0 > sink.threshold() {
            sink.offer(i as u32, 0);
        }
    }
    Ok(())
}

fn check_dims(blocks: &Blocks<'_>, query: &KernelQuery) -> Result<(), KernelError> {
    if query.codes.len() != blocks.dim {
        return Err(KernelError::QueryDim { query: query.codes.len(), dim: blocks.dim });
    }
    Ok(())
}

/// Offers the set lanes of `mask` (block `b`) that are real items, re-checking the threshold
/// as it rises.
#[inline]
fn offer_lanes<S: Sink>(blocks: &Blocks<'_>, b: usize, mut mask: u32, scores: &[i32; LANES], sink: &mut S) {
    while mask != 0 {
        let lane = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        let item = b * LANES + lane;
        if item >= blocks.items {
            break;
        }
        let score = scores[lane];
        if score > sink.threshold() {
            sink.offer(item as u32, score);
        }
    }
}

/// Scores every item against `query` and offers those above the sink's threshold, with the
/// fastest path this build has (SIMD128 on wasm with `simd128`, portable otherwise).
pub fn scan<S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        simd::scan(blocks, query, sink)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        scan_portable(blocks, query, sink)
    }
}

/// Which path [`scan`] uses in this build.
pub fn path_name() -> &'static str {
    if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
        "simd128"
    } else {
        "portable"
    }
}

/// The SIMD128 path.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd {
    use core::arch::wasm32::*;

    use super::{check_dims, offer_lanes, scan_constant, Blocks, KernelError, KernelQuery, Sink, LANES};

    /// Adds dimensions `2p` and `2p + 1` of one block to the four accumulators.
    ///
    /// # Safety
    /// `ptr` must point to a block of at least `(2p + 2) · 16` readable bytes.
    #[inline(always)]
    unsafe fn pair_step(ptr: *const i8, p: usize, pair: i32, acc: &mut [v128; 4]) {
        let q = i32x4_splat(pair);
        // SAFETY: the caller guarantees `(2p + 2) · 16` bytes at `ptr`, so both 16-byte loads
        // are inside the block; v128_load has no alignment requirement.
        let (x, y) = unsafe {
            (v128_load(ptr.add(2 * p * LANES) as *const v128), v128_load(ptr.add((2 * p + 1) * LANES) as *const v128))
        };
        let lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(x, y);
        let hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(x, y);
        acc[0] = i32x4_add(acc[0], i32x4_dot_i16x8(i16x8_extend_low_i8x16(lo), q));
        acc[1] = i32x4_add(acc[1], i32x4_dot_i16x8(i16x8_extend_high_i8x16(lo), q));
        acc[2] = i32x4_add(acc[2], i32x4_dot_i16x8(i16x8_extend_low_i8x16(hi), q));
        acc[3] = i32x4_add(acc[3], i32x4_dot_i16x8(i16x8_extend_high_i8x16(hi), q));
    }

    /// [`score_block`] for a dimension known at compile time (`2 · PAIRS`), fully unrolled.
    #[inline(always)]
    fn score_block_fixed<const PAIRS: usize>(block: &[i8], pairs: &[i32; PAIRS]) -> [v128; 4] {
        let mut acc = [i32x4_splat(0); 4];
        if block.len() < 2 * PAIRS * LANES {
            return acc;
        }
        let ptr = block.as_ptr();
        for (p, &pair) in pairs.iter().enumerate() {
            // SAFETY: p < PAIRS and the block holds at least 2 · PAIRS · 16 bytes (checked above).
            unsafe { pair_step(ptr, p, pair, &mut acc) };
        }
        acc
    }

    /// Scores one block: 16 sums in four `i32x4` (items 0–3, 4–7, 8–11, 12–15).
    #[inline(always)]
    fn score_block(block: &[i8], pairs: &[i32], dim: usize) -> [v128; 4] {
        let mut acc = [i32x4_splat(0); 4];
        let full_pairs = dim / 2;
        let ptr = block.as_ptr();
        for (p, &pair) in pairs.iter().enumerate().take(full_pairs) {
            // SAFETY: p < dim / 2 and the block holds dim · 16 bytes.
            unsafe { pair_step(ptr, p, pair, &mut acc) };
        }
        let [mut a0, mut a1, mut a2, mut a3] = acc;
        if dim % 2 == 1 {
            // The last dimension alone: its pair has q = 0 in the high half.
            let q = i32x4_splat(pairs[full_pairs]);
            // SAFETY: the last 16 bytes of a `dim * 16`-byte block.
            let x = unsafe { v128_load(ptr.add((dim - 1) * LANES) as *const v128) };
            let z = i32x4_splat(0);
            let lo = i8x16_shuffle::<0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23>(x, z);
            let hi = i8x16_shuffle::<8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31>(x, z);
            a0 = i32x4_add(a0, i32x4_dot_i16x8(i16x8_extend_low_i8x16(lo), q));
            a1 = i32x4_add(a1, i32x4_dot_i16x8(i16x8_extend_high_i8x16(lo), q));
            a2 = i32x4_add(a2, i32x4_dot_i16x8(i16x8_extend_low_i8x16(hi), q));
            a3 = i32x4_add(a3, i32x4_dot_i16x8(i16x8_extend_high_i8x16(hi), q));
        }
        [a0, a1, a2, a3]
    }

    fn to_array(sums: &[v128; 4]) -> [i32; LANES] {
        let mut out = [0i32; LANES];
        for (chunk, v) in out.chunks_exact_mut(4).zip(sums) {
            chunk.copy_from_slice(&[
                i32x4_extract_lane::<0>(*v),
                i32x4_extract_lane::<1>(*v),
                i32x4_extract_lane::<2>(*v),
                i32x4_extract_lane::<3>(*v),
            ]);
        }
        out
    }

    /// Scores one block into `out` (for tests against the portable path).
    pub fn score_block_into(block: &[i8], query: &KernelQuery, out: &mut [i32; LANES]) {
        let dim = query.codes.len();
        if block.len() != dim * LANES || dim == 0 {
            super::score_block_portable(block, &query.codes, out);
            return;
        }
        *out = to_array(&score_block(block, &query.pairs, dim));
    }

    /// [`super::scan`] with SIMD128, unrolled for the common dimensions.
    pub fn scan<S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
        check_dims(blocks, query)?;
        let dim = blocks.dim;
        if dim == 0 {
            return scan_constant(blocks, sink);
        }
        macro_rules! fixed {
            ($pairs:literal) => {
                if let Ok(pairs) = <&[i32; $pairs]>::try_from(query.pairs.as_slice()) {
                    if dim == 2 * $pairs {
                        scan_with(blocks, sink, |block| score_block_fixed::<$pairs>(block, pairs));
                        return Ok(());
                    }
                }
            };
        }
        fixed!(16);
        fixed!(32);
        fixed!(48);
        fixed!(64);
        scan_with(blocks, sink, |block| score_block(block, &query.pairs, dim));
        Ok(())
    }

    #[inline(always)]
    fn scan_with<S: Sink>(blocks: &Blocks<'_>, sink: &mut S, score: impl Fn(&[i8]) -> [v128; 4]) {
        for (b, block) in blocks.codes.chunks_exact(LANES * blocks.dim).enumerate() {
            let sums = score(block);
            let t = i32x4_splat(sink.threshold());
            let mask = u32::from(i32x4_bitmask(i32x4_gt(sums[0], t)))
                | u32::from(i32x4_bitmask(i32x4_gt(sums[1], t))) << 4
                | u32::from(i32x4_bitmask(i32x4_gt(sums[2], t))) << 8
                | u32::from(i32x4_bitmask(i32x4_gt(sums[3], t))) << 12;
            if mask != 0 {
                offer_lanes(blocks, b, mask, &to_array(&sums), sink);
            }
        }
    }
}

/// The best `k` items by integer score that `accept` lets through; ties go to the lower item.
pub struct TopDots<A: FnMut(u32) -> bool> {
    k: usize,
    /// Min-heap of `(score << 32) | !item`: the top is the worst kept item.
    heap: BinaryHeap<Reverse<i64>>,
    accept: A,
}

fn key(item: u32, dot: i32) -> i64 {
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
        if self.heap.len() >= self.k {
            self.heap.pop();
        }
        self.heap.push(Reverse(candidate));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item's exact score from row-major codes, then a full sort.
    fn naive(rows: &[i8], dim: usize, q: &[i16], k: usize, accept: impl Fn(u32) -> bool) -> Vec<(u32, i32)> {
        let mut all: Vec<(u32, i32)> = rows
            .chunks_exact(dim.max(1))
            .take(rows.len().checked_div(dim).unwrap_or(0))
            .enumerate()
            .map(|(i, r)| (i as u32, r.iter().zip(q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum()))
            .filter(|&(i, _)| accept(i))
            .collect();
        crate::order::sort_by(&mut all, &|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        all.truncate(k);
        all
    }

    #[test]
    fn blocking_puts_each_code_where_the_layout_says() {
        let dim = 3;
        let rows: Vec<i8> = (0..(17 * dim) as i32).map(|x| (x % 120) as i8).collect();
        let blocked = block_row_major(&rows, dim);
        assert_eq!(blocked.len(), 2 * LANES * dim);
        let view = Blocks::new(&blocked, 17, dim).unwrap();
        for i in 0..17 {
            assert_eq!(view.row(i).unwrap(), rows[i * dim..(i + 1) * dim]);
        }
        assert_eq!(view.row(17), None);
        // Padding lanes are zero.
        for j in 0..dim {
            assert!(blocked[(LANES * dim + j * LANES + 1)..(LANES * dim + (j + 1) * LANES)].iter().all(|&c| c == 0));
        }
    }

    #[test]
    fn wrong_lengths_and_oversized_queries_are_refused() {
        assert_eq!(Blocks::new(&[0; 31], 2, 2).unwrap_err(), KernelError::BlockedLength { items: 2, dim: 2, len: 31 });
        let q = KernelQuery::new(&[1, 2]).unwrap();
        let codes = [0i8; 48];
        let blocks = Blocks::new(&codes, 16, 3).unwrap();
        assert_eq!(top_k_dots(&blocks, &q, 1, |_| true).unwrap_err(), KernelError::QueryDim { query: 2, dim: 3 });
        let big = vec![i16::MIN; 600];
        assert!(matches!(KernelQuery::new(&big), Err(KernelError::QueryTooLarge { .. })));
        assert!(KernelQuery::new(&vec![i16::MAX; 512]).is_ok());
        assert!(KernelError::QueryTooLarge { abs_sum: 1 }.to_string().contains("overflow"));
    }

    #[test]
    fn extreme_codes_do_not_overflow() {
        let dim = 512;
        let rows = vec![i8::MIN; 20 * dim];
        let q = vec![i16::MAX; dim];
        let kq = KernelQuery::new(&q).unwrap();
        let blocked = block_row_major(&rows, dim);
        let got = top_k_dots(&Blocks::new(&blocked, 20, dim).unwrap(), &kq, 3, |_| true).unwrap();
        assert_eq!(got, naive(&rows, dim, &q, 3, |_| true));
        assert_eq!(got[0].1, -128 * 32767 * 512);
    }

    #[test]
    fn ties_go_to_the_lower_index_and_padding_never_shows() {
        // All scores 0 (zero codes), 20 items: 12 padding lanes also score 0.
        let dim = 4;
        let rows = vec![0i8; 20 * dim];
        let q = KernelQuery::new(&[5, -3, 2, 1]).unwrap();
        let blocked = block_row_major(&rows, dim);
        let blocks = Blocks::new(&blocked, 20, dim).unwrap();
        let got = top_k_dots(&blocks, &q, 30, |_| true).unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.iter().enumerate().all(|(r, &(i, s))| i == r as u32 && s == 0));
        // Negative scores: padding (0) would beat every real item if it leaked.
        let rows = vec![-1i8; 20 * dim];
        let blocked = block_row_major(&rows, dim);
        let got = top_k_dots(&Blocks::new(&blocked, 20, dim).unwrap(), &KernelQuery::new(&[1, 1, 1, 1]).unwrap(), 25, |_| true)
            .unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.iter().all(|&(i, s)| i < 20 && s == -4));
    }

    #[test]
    fn the_filter_is_asked_only_about_candidates() {
        let dim = 2;
        // Scores rise with the index, so after the first k every item is a candidate; with
        // falling scores only the first k are.
        let rows: Vec<i8> = (0..100).flat_map(|i| [(100 - i) as i8, 0]).collect();
        let blocked = block_row_major(&rows, dim);
        let blocks = Blocks::new(&blocked, 100, dim).unwrap();
        let q = KernelQuery::new(&[1, 0]).unwrap();
        let mut asked = Vec::new();
        let got = top_k_dots(&blocks, &q, 3, |i| {
            asked.push(i);
            i != 1
        })
        .unwrap();
        assert_eq!(got, vec![(0, 100), (2, 98), (3, 97)]);
        assert_eq!(asked, vec![0, 1, 2, 3]);
    }

    #[test]
    fn zero_k_and_zero_dim() {
        let q = KernelQuery::new(&[]).unwrap();
        let blocks = Blocks::new(&[], 5, 0).unwrap();
        assert_eq!(top_k_dots(&blocks, &q, 2, |_| true).unwrap(), vec![(0, 0), (1, 0)]);
        let q = KernelQuery::new(&[1]).unwrap();
        let codes = [1i8; 16];
        assert!(top_k_dots(&Blocks::new(&codes, 16, 1).unwrap(), &q, 0, |_| true).unwrap().is_empty());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use proptest::prelude::*;

        use super::super::*;
        use super::naive;

        fn case() -> impl Strategy<Value = (usize, Vec<i8>, Vec<i16>, usize, u64)> {
            (1usize..40, 0usize..70).prop_flat_map(|(dim, items)| {
                // Small code alphabets make ties common.
                let code = prop_oneof![Just(0i8), Just(1i8), Just(-1i8), Just(i8::MIN), Just(i8::MAX), any::<i8>()];
                let q = prop_oneof![Just(0i16), Just(1i16), Just(-1i16), -300i16..300, Just(i16::MAX), Just(i16::MIN + 1)];
                (
                    Just(dim),
                    proptest::collection::vec(code, items * dim),
                    proptest::collection::vec(q, dim),
                    0usize..30,
                    any::<u64>(),
                )
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn kernel_matches_the_naive_reference((dim, rows, q, k, seed) in case()) {
                let items = rows.len() / dim;
                let blocked = block_row_major(&rows, dim);
                let blocks = Blocks::new(&blocked, items, dim).unwrap();
                let kq = KernelQuery::new(&q).unwrap();
                // A filter that drops about a third of the items, chosen by the seed.
                let accept = |i: u32| (u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed) % 3 != 0;
                let want = naive(&rows, dim, &q, k, accept);
                prop_assert_eq!(&top_k_dots(&blocks, &kq, k, accept).unwrap(), &want);
                let mut sink = TopDots::new(k, accept);
                scan_portable(&blocks, &kq, &mut sink).unwrap();
                prop_assert_eq!(&sink.into_sorted(), &want);
                // Block scores: portable path equals the exact per-item dot products.
                let mut out = [0i32; LANES];
                for (b, block) in blocked.chunks_exact(LANES * dim).enumerate() {
                    score_block_portable(block, &q, &mut out);
                    for (l, &s) in out.iter().enumerate() {
                        let i = b * LANES + l;
                        let exact: i32 = match blocks.row(i) {
                            Some(r) => r.iter().zip(&q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum(),
                            None => 0,
                        };
                        prop_assert_eq!(s, exact);
                    }
                }
            }
        }
    }
}
