//! The scoring kernel: integer dot products of one `i8` query with every item's `i8` codes,
//! read strictly in order from the pack's nibble planes, with the top K selected in the same
//! pass.
//!
//! # Layout (pack format 3, section `embeddings`)
//! An item's code `x ∈ [-128, 127]` is stored as `u = x + 128`, split into a high nibble
//! `h = u >> 4` and a low nibble `l = u & 15`, so `x = 16·h + l − 128`. Dimensions come in
//! groups of [`GROUP_DIMS`] = 8 (`G = ceil(d / 8)`), items in chunks of [`CHUNK`] = 4 and
//! blocks of [`LANES`] = 16 (`B = ceil(n / 16)`). The section holds two planes of `B · 4 · G · 16`
//! bytes each, first every high nibble, then every low nibble. In a plane, chunk `c` of block
//! `b` (items `16b + 4c …`) is `G · 16` contiguous bytes at `(4b + c) · G · 16`; inside it, group
//! `g` is 16 bytes at `16g`, whose byte `4m + k` (`m, k ∈ 0..4`) holds dimension `8g + k` of item
//! `16b + 4c + m` in its low four bits and dimension `8g + 4 + k` in its high four bits.
//! Padding (items past the last, dimensions past `d`) encodes `x = 0`: high nibble 8, low 0.
//!
//! One 16-byte load is four items × four dimensions of one nibble plane, the operand shape of
//! wasm's relaxed `i32x4.relaxed_dot_i8x16_i7x16_add_s` (nibbles are 7-bit non-negative, which
//! that instruction needs to be deterministic).
//!
//! # The high plane bounds, the low plane settles
//! With the query's `Q = Σ q_j`, `A = Σ q_j h_j` and `L = Σ q_j l_j`, an item scores
//! `S = 16·A + L − 128·Q` exactly. The high plane alone bounds it: with `e_j = 2·l_j − 15`,
//! `L = 7.5·Q + ½·Σ q_j e_j` and `|Σ q_j e_j| ≤ ‖q‖ · ‖e‖` (Cauchy–Schwarz), so
//! `S ≤ 16·A + ⌈½·‖q‖·E_c⌉ + ⌈−120.5·Q⌉` where `E_c ≥ ‖e‖` for every item of the chunk
//! ([`chunk_bounds`], computed once when a pack opens). The scan reads the high plane in order;
//! only a chunk where some item's bound beats the current K-th best reads its low nibbles
//! (`G · 16` contiguous bytes) for exact scores. The result is exactly the plain 8-bit dot
//! product's, with about half the bytes read once the top K has filled.
//!
//! # Paths
//! * **Relaxed SIMD** (`target_feature = "relaxed-simd"`, the `shelfwise_relaxed_bg.wasm`
//!   build): per 16-byte load, two `i32x4.relaxed_dot_i8x16_i7x16_add_s` (low and high
//!   nibbles against the group's query bytes) add four items' sums into one accumulator.
//! * **SIMD128** (`simd128`, the default wasm build): nibbles widened to `i16` and multiplied
//!   by the query with `i32x4.dot_i16x8_s`; pairs of partial sums are folded per chunk.
//! * **Portable** (native and non-SIMD wasm): the same sums over arrays LLVM autovectorizes.
//!
//! All compute exact integer sums and the same `f32` bounds, so they return bit-identical
//! results. Four chunks (a block) are scored together; on wasm their bounds and scores are
//! compared with the sink's threshold with `i32x4.gt` + `bitmask`, and only set lanes are
//! looked at.
//!
//! # Selection
//! [`scan`] hands every item whose score beats [`Sink::threshold`] to [`Sink::offer`], in
//! ascending item order; [`TopDots`] is the plain integer top-K sink, `rank` has one that adds a
//! float popularity prior. A filter (`accept`) is only consulted for candidates that would
//! enter the top K.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;

/// Items per block.
pub const LANES: usize = 16;
/// Items per chunk.
pub const CHUNK: usize = 4;
/// Chunks per block.
pub const CHUNKS: usize = LANES / CHUNK;
/// Dimensions per group.
pub const GROUP_DIMS: usize = 8;
/// Bytes of one chunk's group in one plane.
pub const GROUP_BYTES: usize = CHUNK * GROUP_DIMS / 2;
/// The largest dimension the kernel takes: `128 · 128 · d` must fit an `i32` score.
pub const MAX_DIM: usize = 4096;

/// Why a plane view was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The section does not hold `2 · ceil(items / 16) · 16 · ceil(dim / 8) · 4` bytes.
    PlanesLength {
        /// Items declared.
        items: usize,
        /// Dimension declared.
        dim: usize,
        /// Bytes present.
        len: usize,
    },
    /// The chunk bounds are not one per chunk.
    BoundsLength {
        /// Chunks of the planes.
        chunks: usize,
        /// Bounds given.
        len: usize,
    },
    /// The query has a different number of codes than the items have dimensions.
    QueryDim {
        /// Codes in the query.
        query: usize,
        /// Dimension of the items.
        dim: usize,
    },
    /// The dimension exceeds [`MAX_DIM`], so a score could overflow.
    DimTooLarge {
        /// The refused dimension.
        dim: usize,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::PlanesLength { items, dim, len } => write!(
                f,
                "nibble planes for {items} items of dimension {dim} need {} bytes, found {len}",
                planes_len(*items, *dim)
            ),
            KernelError::BoundsLength { chunks, len } => {
                write!(f, "{chunks} chunks need {chunks} chunk bounds, found {len}")
            }
            KernelError::QueryDim { query, dim } => {
                write!(f, "the query has {query} codes but the items have dimension {dim}")
            }
            KernelError::DimTooLarge { dim } => {
                write!(f, "dimension {dim} is over {MAX_DIM}: scores could overflow i32")
            }
        }
    }
}

impl std::error::Error for KernelError {}

/// Groups of [`GROUP_DIMS`] dimensions for dimension `dim`.
pub fn groups(dim: usize) -> usize {
    dim.div_ceil(GROUP_DIMS)
}

/// Chunks (padding included) for `items` items.
pub fn chunks(items: usize) -> usize {
    items.div_ceil(LANES) * CHUNKS
}

/// Bytes of one plane for `items` items of dimension `dim`.
pub fn plane_len(items: usize, dim: usize) -> usize {
    chunks(items) * groups(dim) * GROUP_BYTES
}

/// Bytes of both planes (the pack's `embeddings` section).
pub fn planes_len(items: usize, dim: usize) -> usize {
    2 * plane_len(items, dim)
}

/// Where dimension `j` of item `i` lives in a plane of dimension `dim`: byte offset and the
/// shift of its nibble.
#[inline]
pub fn nibble_at(i: usize, j: usize, dim: usize) -> (usize, u32) {
    let (g, r) = (j / GROUP_DIMS, j % GROUP_DIMS);
    let chunk_bytes = groups(dim) * GROUP_BYTES;
    ((i / CHUNK) * chunk_bytes + g * GROUP_BYTES + 4 * (i % CHUNK) + r % 4, if r < 4 { 0 } else { 4 })
}

/// Writes row-major codes (`items × dim`) as the two nibble planes, padding with `x = 0`.
pub fn encode_planes(rows: &[i8], dim: usize) -> Vec<u8> {
    if dim == 0 {
        return Vec::new();
    }
    let items = rows.len() / dim;
    let plane = plane_len(items, dim);
    // Padding: high nibble 8 (both halves of a byte: 0x88), low nibble 0.
    let mut out = vec![0u8; 2 * plane];
    out[..plane].fill(0x88);
    for (i, row) in rows.chunks_exact(dim).enumerate() {
        for (j, &x) in row.iter().enumerate() {
            let u = (i16::from(x) + 128) as u8;
            let (at, shift) = nibble_at(i, j, dim);
            let mask = !(0x0Fu8 << shift);
            out[at] = (out[at] & mask) | (u >> 4) << shift;
            out[plane + at] = (out[plane + at] & mask) | (u & 15) << shift;
        }
    }
    out
}

/// Per chunk, `⌈√(max over its four items of Σ_j (2·l_ij − 15)²)⌉` over the real dimensions
/// `j < dim` (`l` the low nibbles): the `E_c` of the module docs. Padding items count too
/// (their low nibbles are 0, which only loosens the last chunks' bounds). Chunks the section
/// does not hold get the largest bound.
pub fn chunk_bounds(section: &[u8], items: usize, dim: usize) -> Vec<u16> {
    let count = chunks(items);
    let plane = plane_len(items, dim);
    let chunk_bytes = groups(dim) * GROUP_BYTES;
    let low = section.get(plane..2 * plane).unwrap_or(&[]);
    // 1 for a real dimension, per group and byte slot (k: low half, k + 4: high half).
    let real = |g: usize, j: usize| u32::from(8 * g + j < dim);
    let mut out: Vec<u16> = Vec::with_capacity(count);
    if chunk_bytes > 0 {
        for chunk in low.chunks_exact(chunk_bytes) {
            let mut sums = [0u32; CHUNK];
            for (g, group) in chunk.chunks_exact(GROUP_BYTES).enumerate() {
                let weights: [(u32, u32); 4] = [0, 1, 2, 3].map(|k| (real(g, k), real(g, k + 4)));
                for (sum, four) in sums.iter_mut().zip(group.chunks_exact(4)) {
                    for (&byte, &(wl, wh)) in four.iter().zip(&weights) {
                        let (a, b) = (2 * i32::from(byte & 15) - 15, 2 * i32::from(byte >> 4) - 15);
                        *sum += wl * (a * a) as u32 + wh * (b * b) as u32;
                    }
                }
            }
            out.push(ceil_sqrt(sums.iter().copied().max().unwrap_or(0)));
        }
    }
    out.resize(count, ceil_sqrt(225 * dim.min(MAX_DIM) as u32));
    out
}

/// `⌈√v⌉`, exact.
fn ceil_sqrt(v: u32) -> u16 {
    let mut r = f64::from(v).sqrt().ceil() as u64;
    while r > 0 && (r - 1) * (r - 1) >= u64::from(v) {
        r -= 1;
    }
    while r * r < u64::from(v) {
        r += 1;
    }
    r.min(u64::from(u16::MAX)) as u16
}

/// A checked view of an `embeddings` section: both nibble planes and their chunk bounds.
#[derive(Debug, Clone, Copy)]
pub struct Planes<'a> {
    high: &'a [u8],
    low: &'a [u8],
    bounds: &'a [u16],
    items: usize,
    dim: usize,
}

impl<'a> Planes<'a> {
    /// Views `section` as `items` items of dimension `dim`, with `bounds` from
    /// [`chunk_bounds`] of the same section.
    pub fn new(section: &'a [u8], bounds: &'a [u16], items: usize, dim: usize) -> Result<Planes<'a>, KernelError> {
        if dim > MAX_DIM {
            return Err(KernelError::DimTooLarge { dim });
        }
        if section.len() != planes_len(items, dim) {
            return Err(KernelError::PlanesLength { items, dim, len: section.len() });
        }
        if bounds.len() != chunks(items) {
            return Err(KernelError::BoundsLength { chunks: chunks(items), len: bounds.len() });
        }
        let (high, low) = section.split_at(section.len() / 2);
        Ok(Planes { high, low, bounds, items, dim })
    }

    /// No items.
    pub fn empty() -> Planes<'static> {
        Planes { high: &[], low: &[], bounds: &[], items: 0, dim: 0 }
    }

    /// Number of items (padding excluded).
    pub fn items(&self) -> usize {
        self.items
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    fn chunk_bytes(&self) -> usize {
        groups(self.dim) * GROUP_BYTES
    }

    /// Code `j` of item `i` (0 past the end).
    #[inline]
    pub fn code(&self, i: usize, j: usize) -> i8 {
        if i >= self.items || j >= self.dim {
            return 0;
        }
        let (at, shift) = nibble_at(i, j, self.dim);
        let h = self.high.get(at).map_or(8, |b| (b >> shift) & 15);
        let l = self.low.get(at).map_or(0, |b| (b >> shift) & 15);
        (i16::from(h) * 16 + i16::from(l) - 128) as i8
    }

    /// The codes of item `i`, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<Vec<i8>> {
        (i < self.items).then(|| self.codes_of(i).collect())
    }

    /// The codes of item `i` in dimension order (none past the end), read from its chunk.
    pub fn codes_of(&self, i: usize) -> RowCodes<'a> {
        let chunk_bytes = self.chunk_bytes();
        let at = (i / CHUNK) * chunk_bytes;
        let (high, low) = match (self.high.get(at..at + chunk_bytes), self.low.get(at..at + chunk_bytes)) {
            (Some(h), Some(l)) if i < self.items => (h, l),
            _ => (&[][..], &[][..]),
        };
        RowCodes { high, low, item: i % CHUNK, j: 0, dim: if high.is_empty() { 0 } else { self.dim } }
    }
}

/// The codes of one item, in dimension order ([`Planes::codes_of`]).
#[derive(Debug, Clone)]
pub struct RowCodes<'a> {
    high: &'a [u8],
    low: &'a [u8],
    item: usize,
    j: usize,
    dim: usize,
}

impl Iterator for RowCodes<'_> {
    type Item = i8;

    #[inline]
    fn next(&mut self) -> Option<i8> {
        if self.j >= self.dim {
            return None;
        }
        let (g, r) = (self.j / GROUP_DIMS, self.j % GROUP_DIMS);
        let at = g * GROUP_BYTES + 4 * self.item + r % 4;
        let shift = if r < 4 { 0 } else { 4 };
        self.j += 1;
        let h = self.high.get(at).map_or(8, |b| (b >> shift) & 15);
        let l = self.low.get(at).map_or(0, |b| (b >> shift) & 15);
        Some((i16::from(h) * 16 + i16::from(l) - 128) as i8)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.dim.saturating_sub(self.j);
        (left, Some(left))
    }
}

impl ExactSizeIterator for RowCodes<'_> {}

/// Query codes prepared for the kernel: per group, the four query bytes of its low and high
/// dimension halves as `i32` words (for splats) and repeated per item (portable path), and the
/// constants of the bound.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelQuery {
    codes: Vec<i8>,
    /// Per group: `[low half word, high half word]`, the four `i8` codes little-endian.
    words: Vec<[i32; 2]>,
    /// Per group: `[low half, high half]` × 16 (the four codes repeated for each item).
    repeated: Vec<i16>,
    sum: i32,
    /// `½·‖q‖` rounded up in fixed point with 8 fractional bits (`≥ 128·‖q‖`).
    half_norm_q8: i32,
    /// `⌈−120.5·Q⌉`.
    offset: i32,
    /// The largest `‖e‖` any item can have at this dimension, `⌈√(225·d)⌉`: larger chunk
    /// bounds are clamped to it (always safe, and it keeps the slack within `i32`).
    max_bound: i32,
}

impl KernelQuery {
    /// Prepares `codes` (any `i8` values; a dimension over [`MAX_DIM`] never matches a
    /// [`Planes`], so [`scan`] refuses it).
    pub fn new(codes: &[i8]) -> KernelQuery {
        let g = groups(codes.len());
        let code = |j: usize| codes.get(j).copied().unwrap_or(0);
        let word = |j: usize| i32::from_le_bytes([code(j) as u8, code(j + 1) as u8, code(j + 2) as u8, code(j + 3) as u8]);
        let words = (0..g).map(|g| [word(8 * g), word(8 * g + 4)]).collect();
        let mut repeated = Vec::with_capacity(g * 2 * GROUP_BYTES);
        for g in 0..g {
            for half in 0..2 {
                for t in 0..GROUP_BYTES {
                    repeated.push(i16::from(code(8 * g + 4 * half + t % 4)));
                }
            }
        }
        let sum: i32 = codes.iter().map(|&q| i32::from(q)).sum();
        let norm = codes.iter().map(|&q| f64::from(q) * f64::from(q)).sum::<f64>().sqrt();
        let offset = (-120.5 * f64::from(sum)).ceil() as i32;
        // + 1 covers the rounding of the square root; ½‖q‖ · 256 ≤ 2²⁰ for MAX_DIM codes.
        let half_norm_q8 = (128.0 * norm).ceil() as i32 + 1;
        let max_bound = i32::from(ceil_sqrt(225 * codes.len().min(MAX_DIM) as u32));
        KernelQuery { codes: codes.to_vec(), words, repeated, sum, half_norm_q8, offset, max_bound }
    }

    /// The codes.
    pub fn codes(&self) -> &[i8] {
        &self.codes
    }

    /// The `c` of a chunk with bound `bound`: no item of it scores above `16·A + c`. Integer
    /// arithmetic only (`⌈½‖q‖·E_c⌉` from the fixed-point `½‖q‖`, rounded up), the same in
    /// every path; with the bound clamped to `max_bound` the product stays below 2³⁰.
    #[inline]
    fn slack(&self, bound: u16) -> i32 {
        ((self.half_norm_q8 * i32::from(bound).min(self.max_bound) + 255) >> 8) + self.offset
    }
}

/// Receives the candidates of a [`scan`].
pub trait Sink {
    /// Only items with a score strictly above this are offered.
    fn threshold(&self) -> i32;
    /// One candidate; items arrive in ascending order. The sink decides whether it enters.
    fn offer(&mut self, item: u32, dot: i32);
}

/// `Σ q_j · nibble_j` for each of a chunk's four items over one plane (portable path).
#[inline]
pub fn chunk_dots_portable(chunk: &[u8], query: &KernelQuery) -> [i32; CHUNK] {
    // A fixed number of groups (d = 64, 128) lets LLVM unroll the group loop and vectorize
    // each 16-lane step whole, instead of vectorizing across groups with gathers.
    match query.words.len() {
        8 => chunk_dots_groups::<8>(chunk, &query.repeated),
        16 => chunk_dots_groups::<16>(chunk, &query.repeated),
        _ => chunk_dots_groups::<0>(chunk, &query.repeated),
    }
}

/// [`chunk_dots_portable`] for `G` groups (0: as many as `repeated` has).
///
/// Products of a code and a nibble fit `i16` (|−128·15| = 1920), so the 16 slots accumulate
/// in `i16` for up to eight groups at a time (8 · 2 · 1920 < 2¹⁵), then widen: `i16` lanes
/// let LLVM vectorize each 16-byte step as one register of products.
#[inline(always)]
fn chunk_dots_groups<const G: usize>(chunk: &[u8], repeated: &[i16]) -> [i32; CHUNK] {
    let g_count = if G == 0 { repeated.len() / (2 * GROUP_BYTES) } else { G };
    let mut acc = [0i32; GROUP_BYTES];
    let mut g = 0;
    while g < g_count {
        let end = (g + 8).min(g_count);
        let mut part = [0i16; GROUP_BYTES];
        for g in g..end {
            let (Some(group), Some(rep)) =
                (chunk.get(g * GROUP_BYTES..(g + 1) * GROUP_BYTES), repeated.get(2 * g * GROUP_BYTES..2 * (g + 1) * GROUP_BYTES))
            else {
                break;
            };
            for t in 0..GROUP_BYTES {
                let b = i16::from(group[t]);
                part[t] += rep[t] * (b & 15) + rep[GROUP_BYTES + t] * (b >> 4);
            }
        }
        for (a, &p) in acc.iter_mut().zip(&part) {
            *a += i32::from(p);
        }
        g = end;
    }
    [0, 1, 2, 3].map(|m| acc[4 * m] + acc[4 * m + 1] + acc[4 * m + 2] + acc[4 * m + 3])
}

/// Scores every item with the portable path (for tests and the native build).
pub fn scan_portable<S: Sink>(planes: &Planes<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
    check_dims(planes, query)?;
    if planes.dim == 0 {
        scan_constant(planes, sink);
        return Ok(());
    }
    let chunk_bytes = planes.chunk_bytes();
    let chunks = planes.high.chunks_exact(chunk_bytes).zip(planes.low.chunks_exact(chunk_bytes)).zip(planes.bounds);
    for (c, ((high, low), &bound)) in chunks.enumerate() {
        let a = chunk_dots_portable(high, query);
        let threshold = sink.threshold();
        let slack = query.slack(bound);
        if a.iter().all(|&a| 16 * a + slack <= threshold) {
            continue;
        }
        let l = chunk_dots_portable(low, query);
        let mut scores = [0i32; LANES];
        let mut mask = 0u32;
        for m in 0..CHUNK {
            scores[m] = 16 * a[m] + l[m] - 128 * query.sum;
            mask |= u32::from(scores[m] > threshold) << m;
        }
        offer_lanes(planes, c * CHUNK, mask, &scores, sink);
    }
    Ok(())
}

/// Dimension 0: every score is 0.
fn scan_constant<S: Sink>(planes: &Planes<'_>, sink: &mut S) {
    for i in 0..planes.items {
        if 0 > sink.threshold() {
            sink.offer(i as u32, 0);
        }
    }
}

fn check_dims(planes: &Planes<'_>, query: &KernelQuery) -> Result<(), KernelError> {
    if query.codes.len() != planes.dim {
        return Err(KernelError::QueryDim { query: query.codes.len(), dim: planes.dim });
    }
    Ok(())
}

/// Offers the set lanes of `mask` (lane `l` is item `first + l`, score `scores[l]`) that are
/// real items, re-checking the threshold as it rises.
#[inline]
fn offer_lanes<S: Sink>(planes: &Planes<'_>, first: usize, mut mask: u32, scores: &[i32; LANES], sink: &mut S) {
    while mask != 0 {
        let lane = mask.trailing_zeros() as usize;
        mask &= mask - 1;
        let item = first + lane;
        if item >= planes.items {
            break;
        }
        let score = scores[lane];
        if score > sink.threshold() {
            sink.offer(item as u32, score);
        }
    }
}

/// Scores every item against `query` and offers those above the sink's threshold, with the
/// fastest path this build has (relaxed SIMD, SIMD128, or portable).
pub fn scan<S: Sink>(planes: &Planes<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
    check_dims(planes, query)?;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::scan::<simd::wasm::Wasm, S>(planes, query, sink);
    #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
    simd::scan::<simd::x86::Sse, S>(planes, query, sink);
    #[cfg(not(any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3")
    )))]
    scan_portable(planes, query, sink)?;
    Ok(())
}

/// Which path [`scan`] uses in this build: `"relaxed-simd"`, `"simd128"` (wasm), `"avx-vnni"`,
/// `"sse4.1"` (x86-64 built for such a CPU) or `"portable"`.
pub fn path_name() -> &'static str {
    if cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd")) {
        "relaxed-simd"
    } else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
        "simd128"
    } else if cfg!(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3", target_feature = "avxvnni")) {
        "avx-vnni"
    } else if cfg!(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3")) {
        "sse4.1"
    } else {
        "portable"
    }
}

/// The SIMD paths: one scan written once over [`simd::Vector`], a 128-bit vector of four
/// `i32`, implemented with wasm SIMD128 (relaxed SIMD where the build enables it) and with x86
/// SSE4.1 (AVX-VNNI where the build enables it: `vpdpbusd` is what wasm's relaxed dot product
/// becomes on such a CPU).
#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3")
))]
pub mod simd {
    use super::{groups, KernelQuery, Planes, Sink, CHUNK, CHUNKS, GROUP_BYTES, LANES};

    /// The vector operations the scan needs. Every implementation computes the same exact
    /// integers.
    pub trait Vector: Copy {
        /// All lanes 0.
        fn zero() -> Self;
        /// All lanes `x`.
        fn splat(x: i32) -> Self;
        /// 16 bytes at `ptr`, any alignment.
        ///
        /// # Safety
        /// `ptr` must point to 16 readable bytes.
        unsafe fn load(ptr: *const u8) -> Self;
        /// Four `u16` at `ptr` as four `i32` lanes.
        ///
        /// # Safety
        /// `ptr` must point to 8 readable bytes.
        unsafe fn load_u16x4(ptr: *const u16) -> Self;
        /// The low and high nibbles of each byte, each in its own byte.
        fn nibbles(self) -> (Self, Self);
        /// `acc` plus, per `i32` lane, the dot product of that lane's four nibble bytes (each in
        /// [0, 15]) with the four `i8` codes of `query`'s lane.
        fn dot_add(nibbles: Self, query: Self, acc: Self) -> Self;
        /// Lane-wise `a + b`.
        fn add(a: Self, b: Self) -> Self;
        /// Lane-wise `a · b` (low 32 bits).
        fn mul(a: Self, b: Self) -> Self;
        /// Lane-wise `a << 4`.
        fn shl4(a: Self) -> Self;
        /// Lane-wise `a >> 8`, arithmetic.
        fn shr8(a: Self) -> Self;
        /// Lane-wise minimum.
        fn min(a: Self, b: Self) -> Self;
        /// Lane `c` of the result is the largest lane of `v[c]`.
        fn max_of_each(v: [Self; 4]) -> Self;
        /// Bit `l` set where lane `l` of `a` is greater than lane `l` of `b`.
        fn gt_mask(a: Self, b: Self) -> u32;
        /// The four lanes.
        fn lanes(self) -> [i32; 4];
    }

    /// The nibble sums of `N` consecutive chunks at `ptr` (chunk `c` at `c · g · 16`, `g` =
    /// `words.len()` groups each, or `G` when it is not 0: then the loop is unrolled). Several
    /// chunks: group by group, the query words splatted once for all chunks and one
    /// accumulator per chunk and nibble half (2·N chains, few enough for 16 registers). One
    /// chunk: even and odd groups in separate chains (four in all).
    ///
    /// # Safety
    /// `ptr` must point to `N · g · 16` readable bytes.
    #[inline(always)]
    unsafe fn chunk_dots<V: Vector, const N: usize, const G: usize>(ptr: *const u8, words: &[[i32; 2]]) -> [V; N] {
        let g_count = if G == 0 { words.len() } else { G };
        let words = &words[..g_count.min(words.len())];
        // SAFETY (every use): c < N and g < g_count, inside the caller's N · g_count · 16 bytes.
        let load = |c: usize, g: usize| unsafe { V::load(ptr.add((c * g_count + g) * GROUP_BYTES)) };
        let mut lo = [V::zero(); N];
        let mut hi = [V::zero(); N];
        if N > 1 {
            for (g, w) in words.iter().enumerate() {
                let (ql, qh) = (V::splat(w[0]), V::splat(w[1]));
                for c in 0..N {
                    let (l, h) = load(c, g).nibbles();
                    lo[c] = V::dot_add(l, ql, lo[c]);
                    hi[c] = V::dot_add(h, qh, hi[c]);
                }
            }
        } else {
            let (mut lo2, mut hi2) = (V::zero(), V::zero());
            for (g, pair) in words.chunks(2).enumerate() {
                let (l, h) = load(0, 2 * g).nibbles();
                lo[0] = V::dot_add(l, V::splat(pair[0][0]), lo[0]);
                hi[0] = V::dot_add(h, V::splat(pair[0][1]), hi[0]);
                if let Some(w) = pair.get(1) {
                    let (l, h) = load(0, 2 * g + 1).nibbles();
                    lo2 = V::dot_add(l, V::splat(w[0]), lo2);
                    hi2 = V::dot_add(h, V::splat(w[1]), hi2);
                }
            }
            lo[0] = V::add(lo[0], lo2);
            hi[0] = V::add(hi[0], hi2);
        }
        let mut out = [V::zero(); N];
        for c in 0..N {
            out[c] = V::add(lo[c], hi[c]);
        }
        out
    }

    /// One chunk's nibble sums over one plane with vector type `V`, as the portable path
    /// returns them (for tests).
    pub fn chunk_dots_of<V: Vector>(chunk: &[u8], query: &KernelQuery) -> [i32; CHUNK] {
        if chunk.len() < query.words.len() * GROUP_BYTES {
            return [0; CHUNK];
        }
        // SAFETY: `chunk` holds the `words.len() · 16` bytes read (checked above).
        let [v] = unsafe { chunk_dots::<V, 1, 0>(chunk.as_ptr(), &query.words) };
        v.lanes()
    }

    /// [`super::scan`] with vector type `V`, unrolled for d = 64 and 128.
    pub fn scan<V: Vector, S: Sink>(planes: &Planes<'_>, query: &KernelQuery, sink: &mut S) {
        if planes.dim == 0 {
            super::scan_constant(planes, sink);
            return;
        }
        match groups(planes.dim) {
            8 => scan_groups::<V, 8, S>(planes, query, sink),
            16 => scan_groups::<V, 16, S>(planes, query, sink),
            _ => scan_groups::<V, 0, S>(planes, query, sink),
        }
    }

    /// The scan for `G` groups (0: any number, read from the query).
    #[inline(always)]
    fn scan_groups<V: Vector, const G: usize, S: Sink>(planes: &Planes<'_>, query: &KernelQuery, sink: &mut S) {
        let g_count = groups(planes.dim);
        if query.words.len() != g_count || (G != 0 && G != g_count) {
            return;
        }
        let chunk_bytes = g_count * GROUP_BYTES;
        let block_bytes = CHUNKS * chunk_bytes;
        let (offset, half_norm, max_bound) = (V::splat(query.offset), V::splat(query.half_norm_q8), V::splat(query.max_bound));
        let (round, minus_128q) = (V::splat(255), V::splat(-128 * query.sum));
        let blocks = planes.high.chunks_exact(block_bytes).zip(planes.low.chunks_exact(block_bytes));
        for (b, ((high, low), bounds)) in blocks.zip(planes.bounds.chunks_exact(CHUNKS)).enumerate() {
            // SAFETY: `high` is one block: CHUNKS chunks of g_count · 16 bytes, and the query
            // has g_count words (checked above).
            let a = unsafe { chunk_dots::<V, CHUNKS, G>(high.as_ptr(), &query.words) };
            // Per chunk: the slack (as KernelQuery::slack) and the largest A of its items.
            // SAFETY: `bounds` is CHUNKS = 4 u16, the 8 bytes read.
            let e = V::min(unsafe { V::load_u16x4(bounds.as_ptr()) }, max_bound);
            let slack = V::add(V::shr8(V::add(V::mul(half_norm, e), round)), offset);
            let t = V::splat(sink.threshold());
            let mut passing = V::gt_mask(V::add(V::shl4(V::max_of_each(a)), slack), t);
            if passing == 0 {
                continue;
            }
            let mut scores = [0i32; LANES];
            let mut mask = 0u32;
            while passing != 0 {
                let c = passing.trailing_zeros() as usize;
                passing &= passing - 1;
                // SAFETY: chunk c of the block's low plane: g_count · 16 bytes inside `low`.
                let [l] = unsafe { chunk_dots::<V, 1, G>(low.as_ptr().add(c * chunk_bytes), &query.words) };
                let s = V::add(V::add(V::shl4(a[c]), l), minus_128q);
                mask |= V::gt_mask(s, t) << (CHUNK * c);
                scores[CHUNK * c..CHUNK * (c + 1)].copy_from_slice(&s.lanes());
            }
            super::offer_lanes(planes, b * LANES, mask, &scores, sink);
        }
    }

    /// wasm SIMD128, and relaxed SIMD where the build enables it.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub mod wasm {
        use core::arch::wasm32::*;

        /// A wasm `v128` as four `i32`.
        #[derive(Debug, Clone, Copy)]
        pub struct Wasm(v128);

        impl super::Vector for Wasm {
            #[inline(always)]
            fn zero() -> Self {
                Wasm(i32x4_splat(0))
            }
            #[inline(always)]
            fn splat(x: i32) -> Self {
                Wasm(i32x4_splat(x))
            }
            #[inline(always)]
            unsafe fn load(ptr: *const u8) -> Self {
                // SAFETY: the caller guarantees 16 readable bytes; no alignment is needed.
                Wasm(unsafe { v128_load(ptr as *const v128) })
            }
            #[inline(always)]
            unsafe fn load_u16x4(ptr: *const u16) -> Self {
                // SAFETY: the caller guarantees 8 readable bytes; no alignment is needed.
                Wasm(u32x4_extend_low_u16x8(unsafe { v128_load64_zero(ptr as *const u64) }))
            }
            #[inline(always)]
            fn nibbles(self) -> (Self, Self) {
                // i16x8.shr_u and one mask: cheaper than i8x16.shr_u on x64.
                let mask = u8x16_splat(15);
                (Wasm(v128_and(self.0, mask)), Wasm(v128_and(u16x8_shr(self.0, 4), mask)))
            }
            #[cfg(target_feature = "relaxed-simd")]
            #[inline(always)]
            fn dot_add(nibbles: Self, query: Self, acc: Self) -> Self {
                // The second operand is in [0, 15]: exact on every platform.
                Wasm(i32x4_relaxed_dot_i8x16_i7x16_add(query.0, nibbles.0, acc.0))
            }
            #[cfg(not(target_feature = "relaxed-simd"))]
            #[inline(always)]
            fn dot_add(nibbles: Self, query: Self, acc: Self) -> Self {
                // [q0 q1 q2 q3 q0 q1 q2 q3] as i16; each product pair summed by dot_i16x8,
                // giving two partial sums per item, then folded.
                let q = i16x8_extend_low_i8x16(query.0);
                let first = i32x4_dot_i16x8(u16x8_extend_low_u8x16(nibbles.0), q);
                let second = i32x4_dot_i16x8(u16x8_extend_high_u8x16(nibbles.0), q);
                let folded = i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(first, second), i32x4_shuffle::<1, 3, 5, 7>(first, second));
                Wasm(i32x4_add(acc.0, folded))
            }
            #[inline(always)]
            fn add(a: Self, b: Self) -> Self {
                Wasm(i32x4_add(a.0, b.0))
            }
            #[inline(always)]
            fn mul(a: Self, b: Self) -> Self {
                Wasm(i32x4_mul(a.0, b.0))
            }
            #[inline(always)]
            fn shl4(a: Self) -> Self {
                Wasm(i32x4_shl(a.0, 4))
            }
            #[inline(always)]
            fn shr8(a: Self) -> Self {
                Wasm(i32x4_shr(a.0, 8))
            }
            #[inline(always)]
            fn min(a: Self, b: Self) -> Self {
                Wasm(i32x4_min(a.0, b.0))
            }
            #[inline(always)]
            fn max_of_each(v: [Self; 4]) -> Self {
                let [a, b, c, d] = v.map(|x| x.0);
                let ab = i32x4_max(i32x4_shuffle::<0, 1, 4, 5>(a, b), i32x4_shuffle::<2, 3, 6, 7>(a, b));
                let cd = i32x4_max(i32x4_shuffle::<0, 1, 4, 5>(c, d), i32x4_shuffle::<2, 3, 6, 7>(c, d));
                Wasm(i32x4_max(i32x4_shuffle::<0, 2, 4, 6>(ab, cd), i32x4_shuffle::<1, 3, 5, 7>(ab, cd)))
            }
            #[inline(always)]
            fn gt_mask(a: Self, b: Self) -> u32 {
                u32::from(i32x4_bitmask(i32x4_gt(a.0, b.0)))
            }
            #[inline(always)]
            fn lanes(self) -> [i32; 4] {
                let v = self.0;
                [i32x4_extract_lane::<0>(v), i32x4_extract_lane::<1>(v), i32x4_extract_lane::<2>(v), i32x4_extract_lane::<3>(v)]
            }
        }
    }

    /// x86-64 SSE4.1 (with SSSE3's `pmaddubsw`), and AVX-VNNI's `vpdpbusd` where the build
    /// enables it (`-C target-cpu=native` on a CPU that has it).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
    pub mod x86 {
        use core::arch::x86_64::*;

        /// Runs SSE intrinsics. This module is compiled only when the build enables the SSE4.1
        /// and SSSE3 features (and AVX-VNNI for `vpdpbusd`) that its intrinsics need, so calling
        /// them is sound; pointer reads are the caller's guarantee, as the trait documents.
        macro_rules! sse {
            ($($body:tt)*) => {
                // SAFETY: see the macro's documentation.
                unsafe { $($body)* }
            };
        }

        /// An SSE register as four `i32`.
        #[derive(Debug, Clone, Copy)]
        pub struct Sse(__m128i);

        impl super::Vector for Sse {
            #[inline(always)]
            fn zero() -> Self {
                sse! {
                    Sse(_mm_setzero_si128())
                }
            }
            #[inline(always)]
            fn splat(x: i32) -> Self {
                sse! {
                    Sse(_mm_set1_epi32(x))
                }
            }
            #[inline(always)]
            unsafe fn load(ptr: *const u8) -> Self {
                sse! {
                    // SAFETY: the caller guarantees 16 readable bytes; loadu needs no alignment.
                    Sse(_mm_loadu_si128(ptr as *const __m128i))
                }
            }
            #[inline(always)]
            unsafe fn load_u16x4(ptr: *const u16) -> Self {
                sse! {
                    // SAFETY: the caller guarantees 8 readable bytes; loadl needs no alignment.
                    Sse(_mm_cvtepu16_epi32(_mm_loadl_epi64(ptr as *const __m128i)))
                }
            }
            #[inline(always)]
            fn nibbles(self) -> (Self, Self) {
                sse! {
                    let mask = _mm_set1_epi8(15);
                    (Sse(_mm_and_si128(self.0, mask)), Sse(_mm_and_si128(_mm_srli_epi16(self.0, 4), mask)))
                }
            }
            #[cfg(target_feature = "avxvnni")]
            #[inline(always)]
            fn dot_add(nibbles: Self, query: Self, acc: Self) -> Self {
                sse! {
                    // Unsigned nibbles times signed codes, four per lane, added to acc: exact.
                    Sse(_mm_dpbusd_avx_epi32(acc.0, nibbles.0, query.0))
                }
            }
            #[cfg(not(target_feature = "avxvnni"))]
            #[inline(always)]
            fn dot_add(nibbles: Self, query: Self, acc: Self) -> Self {
                sse! {
                    // Pairs of u8 × i8 products into i16 (|2 · 15 · 128| < 2¹⁵: no saturation), then
                    // pairs of those into i32.
                    let pairs = _mm_maddubs_epi16(nibbles.0, query.0);
                    Sse(_mm_add_epi32(acc.0, _mm_madd_epi16(pairs, _mm_set1_epi16(1))))
                }
            }
            #[inline(always)]
            fn add(a: Self, b: Self) -> Self {
                sse! {
                    Sse(_mm_add_epi32(a.0, b.0))
                }
            }
            #[inline(always)]
            fn mul(a: Self, b: Self) -> Self {
                sse! {
                    Sse(_mm_mullo_epi32(a.0, b.0))
                }
            }
            #[inline(always)]
            fn shl4(a: Self) -> Self {
                sse! {
                    Sse(_mm_slli_epi32(a.0, 4))
                }
            }
            #[inline(always)]
            fn shr8(a: Self) -> Self {
                sse! {
                    Sse(_mm_srai_epi32(a.0, 8))
                }
            }
            #[inline(always)]
            fn min(a: Self, b: Self) -> Self {
                sse! {
                    Sse(_mm_min_epi32(a.0, b.0))
                }
            }
            #[inline(always)]
            fn max_of_each(v: [Self; 4]) -> Self {
                sse! {
                    let [a, b, c, d] = v.map(|x| x.0);
                    // Transpose, then the largest of each column.
                    let (ab_lo, ab_hi) = (_mm_unpacklo_epi32(a, b), _mm_unpackhi_epi32(a, b));
                    let (cd_lo, cd_hi) = (_mm_unpacklo_epi32(c, d), _mm_unpackhi_epi32(c, d));
                    let m1 = _mm_max_epi32(_mm_unpacklo_epi64(ab_lo, cd_lo), _mm_unpackhi_epi64(ab_lo, cd_lo));
                    let m2 = _mm_max_epi32(_mm_unpacklo_epi64(ab_hi, cd_hi), _mm_unpackhi_epi64(ab_hi, cd_hi));
                    Sse(_mm_max_epi32(m1, m2))
                }
            }
            #[inline(always)]
            fn gt_mask(a: Self, b: Self) -> u32 {
                sse! {
                    _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(a.0, b.0))) as u32
                }
            }
            #[inline(always)]
            fn lanes(self) -> [i32; 4] {
                sse! {
                    let v = self.0;
                    [_mm_extract_epi32::<0>(v), _mm_extract_epi32::<1>(v), _mm_extract_epi32::<2>(v), _mm_extract_epi32::<3>(v)]
                }
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
    planes: &Planes<'_>,
    query: &KernelQuery,
    k: usize,
    accept: impl FnMut(u32) -> bool,
) -> Result<Vec<(u32, i32)>, KernelError> {
    let mut sink = TopDots::new(k, accept);
    scan(planes, query, &mut sink)?;
    Ok(sink.into_sorted())
}

/// Row-major codes as a section with its bounds, for tests and tools.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedPlanes {
    /// The `embeddings` section bytes.
    pub section: Vec<u8>,
    /// Its [`chunk_bounds`].
    pub bounds: Vec<u16>,
    /// Items.
    pub items: usize,
    /// Dimension.
    pub dim: usize,
}

impl OwnedPlanes {
    /// Encodes `rows` (`items × dim`, row-major).
    pub fn from_rows(rows: &[i8], dim: usize) -> OwnedPlanes {
        let items = rows.len().checked_div(dim).unwrap_or(0);
        let section = encode_planes(rows, dim);
        let bounds = chunk_bounds(&section, items, dim);
        OwnedPlanes { section, bounds, items, dim }
    }

    /// The checked view.
    pub fn view(&self) -> Result<Planes<'_>, KernelError> {
        Planes::new(&self.section, &self.bounds, self.items, self.dim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item's exact score from row-major codes, then a full sort.
    fn naive(rows: &[i8], dim: usize, q: &[i8], k: usize, accept: impl Fn(u32) -> bool) -> Vec<(u32, i32)> {
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
    fn planes_put_each_code_where_the_layout_says() {
        let dim = 11; // two groups, the second padded
        let rows: Vec<i8> = (0..(17 * dim) as i32).map(|x| ((x * 37) % 256 - 128) as i8).collect();
        let owned = OwnedPlanes::from_rows(&rows, dim);
        // 17 items: two blocks of four chunks, each chunk two groups of 16 bytes; two planes.
        assert_eq!(owned.section.len(), 2 * 2 * CHUNKS * 2 * GROUP_BYTES);
        let view = owned.view().unwrap();
        for i in 0..17 {
            assert_eq!(view.row(i).unwrap(), rows[i * dim..(i + 1) * dim]);
        }
        assert_eq!(view.row(17), None);
        // Item 13 = chunk 3 (bytes 96..128), item 1 of it; dimension 9 = group 1 (bytes +16),
        // slot k = 1, low half: byte 96 + 16 + 4 + 1.
        let u = (i16::from(rows[13 * dim + 9]) + 128) as u8;
        let plane = owned.section.len() / 2;
        assert_eq!(nibble_at(13, 9, dim), (117, 0));
        assert_eq!(owned.section[117] & 15, u >> 4);
        assert_eq!(owned.section[plane + 117] & 15, u & 15);
        // Dimension 14 of item 13: same group, slot 2, high half.
        assert_eq!(nibble_at(13, 14, dim), (118, 4));
        // Padding items (17..32) and padded dimensions (11..16) encode 0.
        for i in 17..32 {
            assert_eq!(view.code(i, 0), 0);
            for j in 0..16 {
                let (at, shift) = nibble_at(i, j, dim);
                assert_eq!(((owned.section[at] >> shift) & 15, (owned.section[plane + at] >> shift) & 15), (8, 0));
            }
        }
        let (at, shift) = nibble_at(3, 15, dim);
        assert_eq!(((owned.section[at] >> shift) & 15, (owned.section[plane + at] >> shift) & 15), (8, 0));
    }

    #[test]
    fn chunk_bounds_cover_every_item_and_ignore_padded_dimensions() {
        // Low nibbles all 15 (u = 15) in 3 real dimensions: e = 15 each, ‖e‖² = 675.
        let dim = 3;
        let rows = vec![-113i8; 5 * dim];
        let owned = OwnedPlanes::from_rows(&rows, dim);
        assert_eq!(owned.bounds, vec![ceil_sqrt(675); CHUNKS]);
        assert_eq!(ceil_sqrt(675), 26);
        assert_eq!(ceil_sqrt(676), 26);
        assert_eq!(ceil_sqrt(677), 27);
        assert_eq!(ceil_sqrt(0), 0);
        assert_eq!(ceil_sqrt(u32::MAX), u16::MAX);
        // Low nibbles 7 and 8 (e = ∓1): ‖e‖² = 3, so 2, in the chunks holding real items.
        let rows: Vec<i8> = (0..8 * dim).map(|t| if t % 2 == 0 { -121 } else { -120 }).collect();
        let owned = OwnedPlanes::from_rows(&rows, dim);
        assert_eq!(owned.bounds, vec![2, 2, ceil_sqrt(675), ceil_sqrt(675)]);
    }

    #[test]
    fn wrong_lengths_and_dimensions_are_refused() {
        assert_eq!(Planes::new(&[0; 127], &[0; 4], 2, 2).unwrap_err(), KernelError::PlanesLength { items: 2, dim: 2, len: 127 });
        assert_eq!(Planes::new(&[0; 128], &[], 2, 2).unwrap_err(), KernelError::BoundsLength { chunks: 4, len: 0 });
        assert_eq!(Planes::new(&[], &[], 0, MAX_DIM + 1).unwrap_err(), KernelError::DimTooLarge { dim: MAX_DIM + 1 });
        let owned = OwnedPlanes::from_rows(&[0i8; 48], 3);
        let q = KernelQuery::new(&[1, 2]);
        assert_eq!(top_k_dots(&owned.view().unwrap(), &q, 1, |_| true).unwrap_err(), KernelError::QueryDim { query: 2, dim: 3 });
        assert!(KernelError::DimTooLarge { dim: 5000 }.to_string().contains("overflow"));
    }

    #[test]
    fn extreme_codes_do_not_overflow() {
        let dim = MAX_DIM;
        let rows = vec![i8::MIN; 20 * dim];
        let q = vec![i8::MAX; dim];
        let owned = OwnedPlanes::from_rows(&rows, dim);
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&q), 3, |_| true).unwrap();
        assert_eq!(got, naive(&rows, dim, &q, 3, |_| true));
        assert_eq!(got[0].1, -128 * 127 * MAX_DIM as i32);
        let q = vec![i8::MIN; dim];
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&q), 3, |_| true).unwrap();
        assert_eq!(got[0].1, 128 * 128 * MAX_DIM as i32);
    }

    #[test]
    fn ties_go_to_the_lower_index_and_padding_never_shows() {
        // All scores 0 (zero codes), 20 items: 12 padding lanes also score 0.
        let dim = 4;
        let owned = OwnedPlanes::from_rows(&[0i8; 80], dim);
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[5, -3, 2, 1]), 30, |_| true).unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.iter().enumerate().all(|(r, &(i, s))| i == r as u32 && s == 0));
        // Negative scores: padding (0) would beat every real item if it leaked.
        let owned = OwnedPlanes::from_rows(&[-1i8; 80], dim);
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1, 1, 1, 1]), 25, |_| true).unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.iter().all(|&(i, s)| i < 20 && s == -4));
    }

    #[test]
    fn the_filter_is_asked_only_about_candidates() {
        let dim = 2;
        // Scores fall with the index, so only the first k (and the refused one) are asked.
        let rows: Vec<i8> = (0..100).flat_map(|i| [(100 - i) as i8, 0]).collect();
        let owned = OwnedPlanes::from_rows(&rows, dim);
        let mut asked = Vec::new();
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1, 0]), 3, |i| {
            asked.push(i);
            i != 1
        })
        .unwrap();
        assert_eq!(got, vec![(0, 100), (2, 98), (3, 97)]);
        assert_eq!(asked, vec![0, 1, 2, 3]);
    }

    /// Counts what the scan looks at.
    struct Counting {
        inner: TopDots<fn(u32) -> bool>,
        offered: usize,
    }

    impl Sink for Counting {
        fn threshold(&self) -> i32 {
            self.inner.threshold()
        }
        fn offer(&mut self, item: u32, dot: i32) {
            self.offered += 1;
            self.inner.offer(item, dot);
        }
    }

    #[test]
    fn the_bound_skips_blocks_that_cannot_enter() {
        // 4096 items in 256 blocks; only items 0 and 4000 score high, the rest near 0.
        let dim = 16;
        let mut rows = vec![0i8; 4096 * dim];
        for (i, r) in rows.chunks_exact_mut(dim).enumerate() {
            r[0] = ((i * 7919) % 11) as i8 - 5;
        }
        rows[..dim].fill(100);
        rows[4000 * dim..4001 * dim].fill(90);
        let owned = OwnedPlanes::from_rows(&rows, dim);
        let q = KernelQuery::new(&[50; 16]);
        let mut sink = Counting { inner: TopDots::new(2, |_| true), offered: 0 };
        scan(&owned.view().unwrap(), &q, &mut sink).unwrap();
        assert_eq!(sink.offered, 2 + 1, "item 0, item 1 (filling the top 2), then item 4000 only");
        assert_eq!(sink.inner.into_sorted(), vec![(0, 80_000), (4000, 72_000)]);
    }

    #[test]
    fn zero_k_and_zero_dim() {
        let owned = OwnedPlanes::from_rows(&[], 0);
        let empty = Planes::new(&owned.section, &[0; 4], 5, 0).unwrap();
        assert_eq!(top_k_dots(&empty, &KernelQuery::new(&[]), 2, |_| true).unwrap(), vec![(0, 0), (1, 0)]);
        let owned = OwnedPlanes::from_rows(&[1i8; 16], 1);
        assert!(top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1]), 0, |_| true).unwrap().is_empty());
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use proptest::prelude::*;

        use super::super::*;
        use super::naive;

        fn case() -> impl Strategy<Value = (usize, Vec<i8>, Vec<i8>, usize, u64)> {
            (1usize..40, 0usize..90).prop_flat_map(|(dim, items)| {
                // Small code alphabets make ties common.
                let code = prop_oneof![Just(0i8), Just(1i8), Just(-1i8), Just(i8::MIN), Just(i8::MAX), any::<i8>()];
                let q = prop_oneof![Just(0i8), Just(1i8), Just(-1i8), Just(i8::MAX), Just(i8::MIN), any::<i8>()];
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
            #![proptest_config(ProptestConfig::with_cases(384))]
            #[test]
            fn kernel_matches_the_naive_reference((dim, rows, q, k, seed) in case()) {
                let owned = OwnedPlanes::from_rows(&rows, dim);
                let planes = owned.view().unwrap();
                let kq = KernelQuery::new(&q);
                // A filter that drops about a third of the items, chosen by the seed.
                let accept = |i: u32| (u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed) % 3 != 0;
                let want = naive(&rows, dim, &q, k, accept);
                prop_assert_eq!(&top_k_dots(&planes, &kq, k, accept).unwrap(), &want);
                let mut sink = TopDots::new(k, accept);
                scan_portable(&planes, &kq, &mut sink).unwrap();
                prop_assert_eq!(&sink.into_sorted(), &want);
                // Per chunk: the exact scores, and the bound above every one of them.
                let chunk_bytes = groups(dim) * GROUP_BYTES;
                let (high, low) = owned.section.split_at(owned.section.len() / 2);
                for (c, (h, l)) in high.chunks_exact(chunk_bytes).zip(low.chunks_exact(chunk_bytes)).enumerate() {
                    let (a, ld) = (chunk_dots_portable(h, &kq), chunk_dots_portable(l, &kq));
                    for m in 0..CHUNK {
                        let exact: i32 = match planes.row(c * CHUNK + m) {
                            Some(r) => r.iter().zip(&q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum(),
                            None => 0,
                        };
                        prop_assert_eq!(16 * a[m] + ld[m] - 128 * kq.sum, exact);
                        prop_assert!(16 * a[m] + kq.slack(owned.bounds[c]) >= exact);
                    }
                    // The x86 SIMD sums, where this build has them, equal the portable ones.
                    #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
                    {
                        prop_assert_eq!(simd::chunk_dots_of::<simd::x86::Sse>(h, &kq), a);
                        prop_assert_eq!(simd::chunk_dots_of::<simd::x86::Sse>(l, &kq), ld);
                    }
                }
            }
        }
    }
}
