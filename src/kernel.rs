//! The scoring kernel: integer dot products of one 7-bit query with every item's `i8` codes,
//! read strictly in order from the pack's blocked layout, with the top K selected in the same
//! pass.
//!
//! # Layout (pack format 3, section `embeddings`)
//! Dimensions come in groups of [`GROUP_DIMS`] = 4 (`G = ceil(d / 4)`), items in chunks of
//! [`CHUNK`] = 4 and blocks of [`LANES`] = 16 (`B = ceil(n / 16)`), so the section is
//! `B · 4 · G · 16` bytes. Chunk `c` of block `b` (items `16b + 4c …`) is `G · 16` contiguous
//! bytes at `(4b + c) · G · 16`; inside it, group `g` is 16 bytes at `16g`, whose byte `4m + k`
//! (`m, k ∈ 0..4`) is the code of dimension `4g + k` of item `16b + 4c + m`. Padding (items past
//! the last, dimensions past `d`) is 0.
//!
//! One 16-byte load is four items × four dimensions: the operand shape of wasm's relaxed
//! `i32x4.relaxed_dot_i8x16_i7x16_add_s` (x86: `vpdpbusd`), which adds four items' partial dot
//! products in one instruction.
//!
//! # The query
//! Codes `q_j ∈ [-63, 63]` ([`KernelQuery`]). The relaxed dot product is exact on every CPU only
//! when its second operand is in [0, 127], so those paths multiply the codes by `q_j + 64` and
//! subtract `64 · Σ_j x_ij`, each item's code sum, computed once when a pack opens
//! ([`item_sums`]). Every path computes the same exact integer `Σ_j q_j · x_ij`.
//!
//! # Paths
//! * **Relaxed SIMD** (`target_feature = "relaxed-simd"`, the `shelfwise_relaxed_bg.wasm`
//!   build): one `i32x4.relaxed_dot_i8x16_i7x16_add_s` per 16-byte load.
//! * **SIMD128** (`simd128`, the default wasm build): codes widened to `i16` and multiplied by
//!   the query with `i32x4.dot_i16x8_s`; pairs of partial sums folded per chunk.
//! * **x86-64** (native builds for a CPU with SSE4.1): `pmaddubsw` + `pmaddwd`, or AVX-VNNI's
//!   `vpdpbusd` where the build enables it: the same algorithm as the relaxed wasm build.
//! * **Portable** (other native targets and non-SIMD wasm): plain Rust.
//!
//! All return bit-identical scores. The SIMD paths are one scan written over [`simd::Vector`].
//!
//! # Selection
//! A block's 16 scores are compared with the sink's threshold at once; [`scan`] hands every
//! item whose score beats [`Sink::threshold`] to [`Sink::offer`], in ascending item order.
//! [`TopDots`] is the plain integer top-K sink, `rank` has one that adds a float popularity
//! prior. A filter (`accept`) is only consulted for candidates that would enter the top K.

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
pub const GROUP_DIMS: usize = 4;
/// Bytes of one chunk's group.
pub const GROUP_BYTES: usize = CHUNK * GROUP_DIMS;
/// The largest query code magnitude (7 bits, so that `q + 64` fits the relaxed dot product's
/// unsigned 7-bit operand).
pub const QUERY_MAX: i8 = 63;
/// The largest dimension the kernel takes: `128 · 127 · d` (the widest intermediate, `q + 64`
/// times a code) must fit an `i32`. Packs cap the dimension lower ([`crate::pack::MAX_DIM`]).
pub const MAX_KERNEL_DIM: usize = 65_536;

/// Why a block view was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The section does not hold `ceil(items / 16) · 16 · ceil(dim / 4) · 4` bytes.
    BlockedLength {
        /// Items declared.
        items: usize,
        /// Dimension declared.
        dim: usize,
        /// Bytes present.
        len: usize,
    },
    /// The item sums are not one per item slot (padding included).
    SumsLength {
        /// Item slots of the blocks.
        slots: usize,
        /// Sums given.
        len: usize,
    },
    /// The query has a different number of codes than the items have dimensions.
    QueryDim {
        /// Codes in the query.
        query: usize,
        /// Dimension of the items.
        dim: usize,
    },
    /// The dimension exceeds [`MAX_KERNEL_DIM`], so a score could overflow.
    DimTooLarge {
        /// The refused dimension.
        dim: usize,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::BlockedLength { items, dim, len } => {
                write!(f, "blocked codes for {items} items of dimension {dim} need {} bytes, found {len}", blocked_len(*items, *dim))
            }
            KernelError::SumsLength { slots, len } => {
                write!(f, "{slots} item slots need {slots} code sums, found {len}")
            }
            KernelError::QueryDim { query, dim } => {
                write!(f, "the query has {query} codes but the items have dimension {dim}")
            }
            KernelError::DimTooLarge { dim } => {
                write!(f, "dimension {dim} is over {MAX_KERNEL_DIM}: scores could overflow i32")
            }
        }
    }
}

impl std::error::Error for KernelError {}

/// Groups of [`GROUP_DIMS`] dimensions for dimension `dim`.
pub fn groups(dim: usize) -> usize {
    dim.div_ceil(GROUP_DIMS)
}

/// Item slots (padding included) for `items` items.
pub fn slots(items: usize) -> usize {
    items.div_ceil(LANES) * LANES
}

/// Bytes of the blocked layout for `items` items of dimension `dim`.
pub fn blocked_len(items: usize, dim: usize) -> usize {
    slots(items) * groups(dim) * GROUP_DIMS
}

/// Where code `j` of item `i` lives in the blocked layout of dimension `dim`.
#[inline]
pub fn code_at(i: usize, j: usize, dim: usize) -> usize {
    (i / CHUNK) * groups(dim) * GROUP_BYTES + (j / GROUP_DIMS) * GROUP_BYTES + GROUP_DIMS * (i % CHUNK) + j % GROUP_DIMS
}

/// Writes row-major codes (`items × dim`) in the blocked layout, padding with 0.
pub fn block_row_major(rows: &[i8], dim: usize) -> Vec<u8> {
    if dim == 0 {
        return Vec::new();
    }
    let items = rows.len() / dim;
    let mut out = vec![0u8; blocked_len(items, dim)];
    for (i, row) in rows.chunks_exact(dim).enumerate() {
        for (j, &x) in row.iter().enumerate() {
            out[code_at(i, j, dim)] = x as u8;
        }
    }
    out
}

/// Each item slot's code sum `Σ_j x_ij` (padding slots: 0), what the paths that multiply by
/// `q_j + 64` subtract 64 times. Reads `codes` once, in order.
pub fn item_sums(codes: &[u8], items: usize, dim: usize) -> Vec<i32> {
    let chunk_bytes = groups(dim) * GROUP_BYTES;
    let mut out = vec![0i32; slots(items)];
    if chunk_bytes == 0 {
        return out;
    }
    for (sums, chunk) in out.chunks_exact_mut(CHUNK).zip(codes.chunks_exact(chunk_bytes)) {
        for group in chunk.chunks_exact(GROUP_BYTES) {
            for (sum, four) in sums.iter_mut().zip(group.chunks_exact(GROUP_DIMS)) {
                *sum += four.iter().map(|&b| i32::from(b as i8)).sum::<i32>();
            }
        }
    }
    out
}

/// A checked view of an `embeddings` section with its item sums.
#[derive(Debug, Clone, Copy)]
pub struct Blocks<'a> {
    codes: &'a [u8],
    sums: &'a [i32],
    items: usize,
    dim: usize,
}

impl<'a> Blocks<'a> {
    /// Views `codes` as `items` items of dimension `dim`, with `sums` from [`item_sums`] of the
    /// same codes.
    pub fn new(codes: &'a [u8], sums: &'a [i32], items: usize, dim: usize) -> Result<Blocks<'a>, KernelError> {
        if dim > MAX_KERNEL_DIM {
            return Err(KernelError::DimTooLarge { dim });
        }
        if codes.len() != blocked_len(items, dim) {
            return Err(KernelError::BlockedLength { items, dim, len: codes.len() });
        }
        if sums.len() != slots(items) {
            return Err(KernelError::SumsLength { slots: slots(items), len: sums.len() });
        }
        Ok(Blocks { codes, sums, items, dim })
    }

    /// No items.
    pub fn empty() -> Blocks<'static> {
        Blocks { codes: &[], sums: &[], items: 0, dim: 0 }
    }

    /// Number of items (padding excluded).
    pub fn items(&self) -> usize {
        self.items
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The blocked codes as stored (what one scan reads).
    pub fn bytes(&self) -> &'a [u8] {
        self.codes
    }

    /// Each item slot's code sum (the paths that multiply by `q + 64` subtract 64 times it).
    pub fn sums(&self) -> &'a [i32] {
        self.sums
    }

    fn chunk_bytes(&self) -> usize {
        groups(self.dim) * GROUP_BYTES
    }

    /// The codes of item `i` in dimension order (none past the end), read from its chunk.
    pub fn codes_of(&self, i: usize) -> RowCodes<'a> {
        let chunk_bytes = self.chunk_bytes();
        let at = (i / CHUNK) * chunk_bytes;
        let chunk = match self.codes.get(at..at + chunk_bytes) {
            Some(c) if i < self.items => c,
            _ => &[],
        };
        RowCodes { chunk, item: i % CHUNK, j: 0, dim: if chunk.is_empty() { 0 } else { self.dim } }
    }

    /// The codes of item `i`, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<Vec<i8>> {
        (i < self.items).then(|| self.codes_of(i).collect())
    }
}

/// The codes of one item, in dimension order ([`Blocks::codes_of`]).
#[derive(Debug, Clone)]
pub struct RowCodes<'a> {
    chunk: &'a [u8],
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
        // The chunk starts at item 0 of the layout, so the offset is that of `item` (< 4) in it.
        let at = code_at(self.item, self.j, self.dim);
        self.j += 1;
        Some(self.chunk.get(at).map_or(0, |&b| b as i8))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.dim.saturating_sub(self.j);
        (left, Some(left))
    }
}

impl ExactSizeIterator for RowCodes<'_> {}

/// Query codes prepared for the kernel: clamped to ±[`QUERY_MAX`], and per group the four codes
/// as an `i32` word (signed bytes) and shifted by 64 (unsigned bytes), for splats.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelQuery {
    codes: Vec<i8>,
    /// Per group: the four codes, little-endian bytes.
    words: Vec<i32>,
    /// Per group: the four codes + 64, little-endian bytes (each in [1, 127]).
    shifted: Vec<i32>,
}

impl KernelQuery {
    /// Prepares `codes`, clamping each to [−63, 63].
    pub fn new(codes: &[i8]) -> KernelQuery {
        let codes: Vec<i8> = codes.iter().map(|&q| q.clamp(-QUERY_MAX, QUERY_MAX)).collect();
        let code = |j: usize| codes.get(j).copied().unwrap_or(0);
        let word = |g: usize, shift: i8| i32::from_le_bytes([0, 1, 2, 3].map(|k| (code(4 * g + k) + shift) as u8));
        let words = (0..groups(codes.len())).map(|g| word(g, 0)).collect();
        let shifted = (0..groups(codes.len())).map(|g| word(g, 64)).collect();
        KernelQuery { codes, words, shifted }
    }

    /// The codes (clamped).
    pub fn codes(&self) -> &[i8] {
        &self.codes
    }
}

/// Receives the candidates of a [`scan`].
pub trait Sink {
    /// Only items with a score strictly above this are offered.
    fn threshold(&self) -> i32;
    /// One candidate; items arrive in ascending order. The sink decides whether it enters.
    fn offer(&mut self, item: u32, dot: i32);
}

/// `Σ_j q_j · x_ij` for the four items of one chunk (portable path).
#[inline]
pub fn chunk_dots_portable(chunk: &[u8], query: &KernelQuery) -> [i32; CHUNK] {
    let mut out = [0i32; CHUNK];
    for (group, q) in chunk.chunks_exact(GROUP_BYTES).zip(query.codes.chunks(GROUP_DIMS)) {
        for (o, four) in out.iter_mut().zip(group.chunks_exact(GROUP_DIMS)) {
            *o += four.iter().zip(q).map(|(&x, &q)| i32::from(x as i8) * i32::from(q)).sum::<i32>();
        }
    }
    out
}

/// Scores every item with the portable path (for tests and targets without SIMD).
pub fn scan_portable<S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
    check_dims(blocks, query)?;
    if blocks.dim == 0 {
        scan_constant(blocks, sink);
        return Ok(());
    }
    let block_bytes = CHUNKS * blocks.chunk_bytes();
    for (b, block) in blocks.codes.chunks_exact(block_bytes).enumerate() {
        let mut scores = [0i32; LANES];
        for (s, chunk) in scores.chunks_exact_mut(CHUNK).zip(block.chunks_exact(blocks.chunk_bytes())) {
            s.copy_from_slice(&chunk_dots_portable(chunk, query));
        }
        offer_block(blocks, b, &scores, sink);
    }
    Ok(())
}

/// Offers the items of block `b` whose scores beat the sink's threshold, in order, re-checking
/// it as it rises.
#[inline]
fn offer_block<S: Sink>(blocks: &Blocks<'_>, b: usize, scores: &[i32; LANES], sink: &mut S) {
    let threshold = sink.threshold();
    let mut mask = 0u32;
    for (l, &s) in scores.iter().enumerate() {
        mask |= u32::from(s > threshold) << l;
    }
    offer_lanes(blocks, b, mask, scores, sink);
}

/// Dimension 0: every score is 0.
fn scan_constant<S: Sink>(blocks: &Blocks<'_>, sink: &mut S) {
    for i in 0..blocks.items {
        if 0 > sink.threshold() {
            sink.offer(i as u32, 0);
        }
    }
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
/// fastest path this build has (see the module docs).
pub fn scan<S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) -> Result<(), KernelError> {
    check_dims(blocks, query)?;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::scan::<simd::wasm::Wasm, S>(blocks, query, sink);
    #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
    simd::scan::<simd::x86::Sse, S>(blocks, query, sink);
    #[cfg(not(any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3")
    )))]
    scan_portable(blocks, query, sink)?;
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
    use super::{groups, Blocks, KernelQuery, Sink, CHUNK, CHUNKS, GROUP_BYTES, LANES};

    /// The vector operations the scan needs. Every implementation computes the same exact
    /// integers.
    pub trait Vector: Copy {
        /// Whether [`Vector::dot_add`] takes the query shifted by 64 (and the scan then
        /// subtracts 64 times each item's code sum).
        const SHIFTED: bool;
        /// All lanes 0.
        fn zero() -> Self;
        /// All lanes `x`.
        fn splat(x: i32) -> Self;
        /// 16 bytes at `ptr`, any alignment.
        ///
        /// # Safety
        /// `ptr` must point to 16 readable bytes.
        unsafe fn load(ptr: *const u8) -> Self;
        /// One query word (four query bytes) as [`Vector::dot_add`] takes it: splatted, and
        /// widened where the path multiplies in `i16`. Made once per group, used for every chunk.
        type Word: Copy;
        /// A chunk's running dot products, in whatever form [`Vector::dot_add`] keeps them
        /// (the SIMD128 path keeps two pair sums per item and folds them once, at the end).
        type Acc: Copy;
        /// The query word `w` (four bytes of the query, `i8`, or `u8` in [1, 127] when
        /// [`Vector::SHIFTED`]).
        fn word(w: i32) -> Self::Word;
        /// Dot products of nothing yet.
        fn acc_zero() -> Self::Acc;
        /// `acc` plus, per item of the chunk (`i32` lane of `codes`), the dot product of its
        /// four code bytes (`i8`) with the four query bytes of `word`.
        fn dot_add(codes: Self, word: Self::Word, acc: Self::Acc) -> Self::Acc;
        /// The sum of two accumulators.
        fn acc_add(a: Self::Acc, b: Self::Acc) -> Self::Acc;
        /// The four items' dot products.
        fn finish(acc: Self::Acc) -> Self;
        /// Lane-wise `a + b`.
        fn add(a: Self, b: Self) -> Self;
        /// Lane-wise `a − 64·b`.
        fn sub_64x(a: Self, b: Self) -> Self;
        /// Bit `l` set where lane `l` of `a` is greater than lane `l` of `b`.
        fn gt_mask(a: Self, b: Self) -> u32;
        /// The four lanes.
        fn lanes(self) -> [i32; 4];
    }

    /// The dot products of `N` chunks at `ptrs`, `g` = `words.len()` groups each (`G` when it
    /// is not 0: then the loop is unrolled). Group by group, each query word splatted once for
    /// every chunk, even and odd groups in separate accumulators: 2·N independent chains.
    ///
    /// # Safety
    /// Each `ptrs[c]` must point to `g · 16` readable bytes.
    #[inline(always)]
    unsafe fn chunk_dots<V: Vector, const N: usize, const G: usize>(ptrs: [*const u8; N], words: &[i32]) -> [V; N] {
        let g_count = if G == 0 { words.len() } else { G };
        let words = &words[..g_count.min(words.len())];
        let mut even = [V::acc_zero(); N];
        let mut odd = [V::acc_zero(); N];
        for (g, pair) in words.chunks(2).enumerate() {
            let q = V::word(pair[0]);
            for c in 0..N {
                // SAFETY: 2g < g_count, inside the caller's g_count · 16 bytes at ptrs[c].
                let v = unsafe { V::load(ptrs[c].add(2 * g * GROUP_BYTES)) };
                even[c] = V::dot_add(v, q, even[c]);
            }
            if let Some(&w) = pair.get(1) {
                let q = V::word(w);
                for c in 0..N {
                    // SAFETY: 2g + 1 < g_count, as above.
                    let v = unsafe { V::load(ptrs[c].add((2 * g + 1) * GROUP_BYTES)) };
                    odd[c] = V::dot_add(v, q, odd[c]);
                }
            }
        }
        let mut out = [V::zero(); N];
        for c in 0..N {
            out[c] = V::finish(V::acc_add(even[c], odd[c]));
        }
        out
    }

    /// The query words `V::dot_add` takes.
    fn words_for<V: Vector>(query: &KernelQuery) -> &[i32] {
        if V::SHIFTED {
            &query.shifted
        } else {
            &query.words
        }
    }

    /// One chunk's exact dot products with vector type `V`, as the portable path returns them
    /// (for tests). `sums` are the chunk's four item sums.
    pub fn chunk_dots_of<V: Vector>(chunk: &[u8], sums: &[i32; CHUNK], query: &KernelQuery) -> [i32; CHUNK] {
        let words = words_for::<V>(query);
        if chunk.len() < words.len() * GROUP_BYTES {
            return [0; CHUNK];
        }
        // SAFETY: `chunk` holds the `words.len() · 16` bytes read (checked above).
        let [v] = unsafe { chunk_dots::<V, 1, 0>([chunk.as_ptr()], words) };
        let v = if V::SHIFTED { V::sub_64x(v, sum_vector::<V>(sums)) } else { v };
        v.lanes()
    }

    fn sum_vector<V: Vector>(sums: &[i32; CHUNK]) -> V {
        // SAFETY: 4 i32 = the 16 bytes read.
        unsafe { V::load(sums.as_ptr() as *const u8) }
    }

    /// [`super::scan`] with vector type `V`.
    pub fn scan<V: Vector, S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) {
        if blocks.dim == 0 {
            super::scan_constant(blocks, sink);
            return;
        }
        // d = 64, the common size, unrolled (about 5 % faster at 100k in Chromium); any
        // other dimension in one loop (each unrolled size costs about 1 KB of wasm).
        match groups(blocks.dim) {
            16 => scan_groups::<V, 16, S>(blocks, query, sink),
            _ => scan_groups::<V, 0, S>(blocks, query, sink),
        }
    }

    /// The scan for `G` groups (0: any number, read from the query).
    #[inline(always)]
    fn scan_groups<V: Vector, const G: usize, S: Sink>(blocks: &Blocks<'_>, query: &KernelQuery, sink: &mut S) {
        let words = words_for::<V>(query);
        let g_count = groups(blocks.dim);
        if words.len() != g_count || (G != 0 && G != g_count) {
            return;
        }
        // A constant when G is (the loads then take fixed offsets).
        let chunk_bytes = if G == 0 { g_count } else { G } * GROUP_BYTES;
        let block_bytes = CHUNKS * chunk_bytes;
        for (b, (block, sums)) in blocks.codes.chunks_exact(block_bytes).zip(blocks.sums.chunks_exact(LANES)).enumerate() {
            let p = block.as_ptr();
            // SAFETY: `block` is CHUNKS chunks of chunk_bytes = g_count · 16 bytes, and there are
            // g_count words (checked above).
            let mut s = unsafe { chunk_dots::<V, CHUNKS, G>([0, 1, 2, 3].map(|c| p.add(c * chunk_bytes)), words) };
            if V::SHIFTED {
                for (c, s) in s.iter_mut().enumerate() {
                    // SAFETY: `sums` is LANES = 16 i32; chunk c's four start at 4c.
                    *s = V::sub_64x(*s, unsafe { V::load(sums.as_ptr().add(CHUNK * c) as *const u8) });
                }
            }
            let t = V::splat(sink.threshold());
            let mask = V::gt_mask(s[0], t) | V::gt_mask(s[1], t) << 4 | V::gt_mask(s[2], t) << 8 | V::gt_mask(s[3], t) << 12;
            if mask != 0 {
                let mut scores = [0i32; LANES];
                for (out, v) in scores.chunks_exact_mut(CHUNK).zip(s) {
                    out.copy_from_slice(&v.lanes());
                }
                super::offer_lanes(blocks, b, mask, &scores, sink);
            }
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
            const SHIFTED: bool = cfg!(target_feature = "relaxed-simd");
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
            #[cfg(target_feature = "relaxed-simd")]
            type Word = Self;
            #[cfg(target_feature = "relaxed-simd")]
            type Acc = Self;
            #[cfg(target_feature = "relaxed-simd")]
            #[inline(always)]
            fn word(w: i32) -> Self {
                Wasm(i32x4_splat(w))
            }
            #[cfg(target_feature = "relaxed-simd")]
            #[inline(always)]
            fn acc_zero() -> Self {
                Self::zero()
            }
            #[cfg(target_feature = "relaxed-simd")]
            #[inline(always)]
            fn dot_add(codes: Self, word: Self, acc: Self) -> Self {
                // The second operand (query + 64) is in [1, 127]: exact on every platform.
                Wasm(i32x4_relaxed_dot_i8x16_i7x16_add(codes.0, word.0, acc.0))
            }
            #[cfg(target_feature = "relaxed-simd")]
            #[inline(always)]
            fn acc_add(a: Self, b: Self) -> Self {
                Self::add(a, b)
            }
            #[cfg(target_feature = "relaxed-simd")]
            #[inline(always)]
            fn finish(acc: Self) -> Self {
                acc
            }

            /// `[q0 q1 q2 q3 q0 q1 q2 q3]` as `i16`.
            #[cfg(not(target_feature = "relaxed-simd"))]
            type Word = v128;
            /// Items 0 and 1, then items 2 and 3: two pair sums per item, as
            /// `[i0 (d0 + d1), i0 (d2 + d3), i1 (…), i1 (…)]`.
            #[cfg(not(target_feature = "relaxed-simd"))]
            type Acc = (v128, v128);
            #[cfg(not(target_feature = "relaxed-simd"))]
            #[inline(always)]
            fn word(w: i32) -> v128 {
                i16x8_extend_low_i8x16(i32x4_splat(w))
            }
            #[cfg(not(target_feature = "relaxed-simd"))]
            #[inline(always)]
            fn acc_zero() -> (v128, v128) {
                (i32x4_splat(0), i32x4_splat(0))
            }
            #[cfg(not(target_feature = "relaxed-simd"))]
            #[inline(always)]
            fn dot_add(codes: Self, word: v128, acc: (v128, v128)) -> (v128, v128) {
                // Codes widened per pair of items, two partial sums per item from dot_i16x8;
                // folded once per chunk by `finish`, not per group.
                (
                    i32x4_add(acc.0, i32x4_dot_i16x8(i16x8_extend_low_i8x16(codes.0), word)),
                    i32x4_add(acc.1, i32x4_dot_i16x8(i16x8_extend_high_i8x16(codes.0), word)),
                )
            }
            #[cfg(not(target_feature = "relaxed-simd"))]
            #[inline(always)]
            fn acc_add(a: (v128, v128), b: (v128, v128)) -> (v128, v128) {
                (i32x4_add(a.0, b.0), i32x4_add(a.1, b.1))
            }
            #[cfg(not(target_feature = "relaxed-simd"))]
            #[inline(always)]
            fn finish((low, high): (v128, v128)) -> Self {
                Wasm(i32x4_add(i32x4_shuffle::<0, 2, 4, 6>(low, high), i32x4_shuffle::<1, 3, 5, 7>(low, high)))
            }
            #[inline(always)]
            fn add(a: Self, b: Self) -> Self {
                Wasm(i32x4_add(a.0, b.0))
            }
            #[inline(always)]
            fn sub_64x(a: Self, b: Self) -> Self {
                Wasm(i32x4_sub(a.0, i32x4_shl(b.0, 6)))
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
            const SHIFTED: bool = true;
            #[inline(always)]
            fn zero() -> Self {
                sse! { Sse(_mm_setzero_si128()) }
            }
            #[inline(always)]
            fn splat(x: i32) -> Self {
                sse! { Sse(_mm_set1_epi32(x)) }
            }
            #[inline(always)]
            unsafe fn load(ptr: *const u8) -> Self {
                sse! { Sse(_mm_loadu_si128(ptr as *const __m128i)) }
            }
            type Word = Self;
            type Acc = Self;
            #[inline(always)]
            fn word(w: i32) -> Self {
                Self::splat(w)
            }
            #[inline(always)]
            fn acc_zero() -> Self {
                Self::zero()
            }
            #[inline(always)]
            fn acc_add(a: Self, b: Self) -> Self {
                Self::add(a, b)
            }
            #[inline(always)]
            fn finish(acc: Self) -> Self {
                acc
            }
            #[cfg(target_feature = "avxvnni")]
            #[inline(always)]
            fn dot_add(codes: Self, query: Self, acc: Self) -> Self {
                // Unsigned query bytes (+64, in [1, 127]) times signed codes, four per lane.
                sse! { Sse(_mm_dpbusd_avx_epi32(acc.0, query.0, codes.0)) }
            }
            #[cfg(not(target_feature = "avxvnni"))]
            #[inline(always)]
            fn dot_add(codes: Self, query: Self, acc: Self) -> Self {
                // Pairs of u8 × i8 products into i16 (|2 · 127 · 128| < 2¹⁵: no saturation), then
                // pairs of those into i32.
                sse! {
                    let pairs = _mm_maddubs_epi16(query.0, codes.0);
                    Sse(_mm_add_epi32(acc.0, _mm_madd_epi16(pairs, _mm_set1_epi16(1))))
                }
            }
            #[inline(always)]
            fn add(a: Self, b: Self) -> Self {
                sse! { Sse(_mm_add_epi32(a.0, b.0)) }
            }
            #[inline(always)]
            fn sub_64x(a: Self, b: Self) -> Self {
                sse! { Sse(_mm_sub_epi32(a.0, _mm_slli_epi32(b.0, 6))) }
            }
            #[inline(always)]
            fn gt_mask(a: Self, b: Self) -> u32 {
                sse! { _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(a.0, b.0))) as u32 }
            }
            #[inline(always)]
            fn lanes(self) -> [i32; 4] {
                let v = self.0;
                sse! { [_mm_extract_epi32::<0>(v), _mm_extract_epi32::<1>(v), _mm_extract_epi32::<2>(v), _mm_extract_epi32::<3>(v)] }
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

/// Row-major codes in the blocked layout with their item sums, for tests and tools.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedBlocks {
    /// The `embeddings` section bytes.
    pub codes: Vec<u8>,
    /// Its [`item_sums`].
    pub sums: Vec<i32>,
    /// Items.
    pub items: usize,
    /// Dimension.
    pub dim: usize,
}

impl OwnedBlocks {
    /// Encodes `rows` (`items × dim`, row-major).
    pub fn from_rows(rows: &[i8], dim: usize) -> OwnedBlocks {
        let items = rows.len().checked_div(dim).unwrap_or(0);
        let codes = block_row_major(rows, dim);
        let sums = item_sums(&codes, items, dim);
        OwnedBlocks { codes, sums, items, dim }
    }

    /// The checked view.
    pub fn view(&self) -> Result<Blocks<'_>, KernelError> {
        Blocks::new(&self.codes, &self.sums, self.items, self.dim)
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
    fn blocks_put_each_code_where_the_layout_says() {
        let dim = 7; // two groups, the second padded
        let rows: Vec<i8> = (0..(17 * dim) as i32).map(|x| ((x * 37) % 256 - 128) as i8).collect();
        let owned = OwnedBlocks::from_rows(&rows, dim);
        // 17 items: two blocks of four chunks, each chunk two groups of 16 bytes.
        assert_eq!(owned.codes.len(), 2 * CHUNKS * 2 * GROUP_BYTES);
        let view = owned.view().unwrap();
        for i in 0..17 {
            assert_eq!(view.row(i).unwrap(), rows[i * dim..(i + 1) * dim]);
            assert_eq!(owned.sums[i], rows[i * dim..(i + 1) * dim].iter().map(|&x| i32::from(x)).sum::<i32>());
        }
        assert_eq!(view.row(17), None);
        // Item 13 = chunk 3 (bytes 96..128), item 1 of it; dimension 5 = group 1 (+16), k = 1.
        assert_eq!(code_at(13, 5, dim), 96 + 16 + 4 + 1);
        assert_eq!(owned.codes[117] as i8, rows[13 * dim + 5]);
        // Padding items (17..32) and the padded dimension 7 are 0.
        for i in 17..32 {
            assert_eq!(owned.sums[i], 0);
            for j in 0..8 {
                assert_eq!(owned.codes[code_at(i, j, dim)], 0);
            }
        }
        assert_eq!(owned.codes[code_at(3, 7, dim)], 0);
    }

    #[test]
    fn wrong_lengths_and_dimensions_are_refused() {
        assert_eq!(Blocks::new(&[0; 63], &[0; 16], 2, 2).unwrap_err(), KernelError::BlockedLength { items: 2, dim: 2, len: 63 });
        assert_eq!(Blocks::new(&[0; 64], &[], 2, 2).unwrap_err(), KernelError::SumsLength { slots: 16, len: 0 });
        assert_eq!(Blocks::new(&[], &[], 0, MAX_KERNEL_DIM + 1).unwrap_err(), KernelError::DimTooLarge { dim: MAX_KERNEL_DIM + 1 });
        let owned = OwnedBlocks::from_rows(&[0i8; 48], 3);
        let q = KernelQuery::new(&[1, 2]);
        assert_eq!(top_k_dots(&owned.view().unwrap(), &q, 1, |_| true).unwrap_err(), KernelError::QueryDim { query: 2, dim: 3 });
        assert!(KernelError::DimTooLarge { dim: 70_000 }.to_string().contains("overflow"));
    }

    #[test]
    fn query_codes_are_clamped_to_seven_bits() {
        assert_eq!(KernelQuery::new(&[127, -128, 5, -63, 63]).codes(), &[63, -63, 5, -63, 63]);
    }

    #[test]
    fn extreme_codes_do_not_overflow() {
        let dim = 4096;
        let rows = vec![i8::MIN; 20 * dim];
        let owned = OwnedBlocks::from_rows(&rows, dim);
        for (q, want) in [(QUERY_MAX, -128 * 63), (-QUERY_MAX, 128 * 63)] {
            let q = vec![q; dim];
            let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&q), 3, |_| true).unwrap();
            assert_eq!(got, naive(&rows, dim, &q, 3, |_| true));
            assert_eq!(got[0].1, want * dim as i32);
        }
    }

    #[test]
    fn ties_go_to_the_lower_index_and_padding_never_shows() {
        // All scores 0 (zero codes), 20 items: 12 padding lanes also score 0.
        let dim = 4;
        let owned = OwnedBlocks::from_rows(&[0i8; 80], dim);
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[5, -3, 2, 1]), 30, |_| true).unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.iter().enumerate().all(|(r, &(i, s))| i == r as u32 && s == 0));
        // Negative scores: padding (0) would beat every real item if it leaked.
        let owned = OwnedBlocks::from_rows(&[-1i8; 80], dim);
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1, 1, 1, 1]), 25, |_| true).unwrap();
        assert_eq!(got.len(), 20);
        assert!(got.iter().all(|&(i, s)| i < 20 && s == -4));
    }

    #[test]
    fn the_filter_is_asked_only_about_candidates() {
        let dim = 2;
        // Scores fall with the index, so only the first k (and the refused one) are asked.
        let rows: Vec<i8> = (0..100).flat_map(|i| [(100 - i) as i8, 0]).collect();
        let owned = OwnedBlocks::from_rows(&rows, dim);
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
    fn only_items_above_the_threshold_are_offered() {
        // 4096 items in 256 blocks; only items 0 and 4000 score high, the rest near 0.
        let dim = 16;
        let mut rows = vec![0i8; 4096 * dim];
        for (i, r) in rows.chunks_exact_mut(dim).enumerate() {
            r[0] = ((i * 7919) % 11) as i8 - 5;
        }
        rows[..dim].fill(100);
        rows[4000 * dim..4001 * dim].fill(90);
        let owned = OwnedBlocks::from_rows(&rows, dim);
        let q = KernelQuery::new(&[50; 16]);
        let mut sink = Counting { inner: TopDots::new(2, |_| true), offered: 0 };
        scan(&owned.view().unwrap(), &q, &mut sink).unwrap();
        assert_eq!(sink.offered, 2 + 1, "item 0, item 1 (filling the top 2), then item 4000 only");
        assert_eq!(sink.inner.into_sorted(), vec![(0, 80_000), (4000, 72_000)]);
    }

    #[test]
    fn zero_k_and_zero_dim() {
        let owned = OwnedBlocks::from_rows(&[], 0);
        let empty = Blocks::new(&owned.codes, &[0; 16], 5, 0).unwrap();
        assert_eq!(top_k_dots(&empty, &KernelQuery::new(&[]), 2, |_| true).unwrap(), vec![(0, 0), (1, 0)]);
        let owned = OwnedBlocks::from_rows(&[1i8; 16], 1);
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
                (Just(dim), proptest::collection::vec(code, items * dim), proptest::collection::vec(q, dim), 0usize..30, any::<u64>())
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(384))]
            #[test]
            fn kernel_matches_the_naive_reference((dim, rows, q, k, seed) in case()) {
                let owned = OwnedBlocks::from_rows(&rows, dim);
                let blocks = owned.view().unwrap();
                let kq = KernelQuery::new(&q);
                let q = kq.codes().to_vec();
                prop_assert!(q.iter().all(|x| x.abs() <= QUERY_MAX));
                // A filter that drops about a third of the items, chosen by the seed.
                let accept = |i: u32| (u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed) % 3 != 0;
                let want = naive(&rows, dim, &q, k, accept);
                prop_assert_eq!(&top_k_dots(&blocks, &kq, k, accept).unwrap(), &want);
                let mut sink = TopDots::new(k, accept);
                scan_portable(&blocks, &kq, &mut sink).unwrap();
                prop_assert_eq!(&sink.into_sorted(), &want);
                // Per chunk: the portable sums (and the x86 SIMD ones, where this build has them)
                // are the exact dot products; the item sums are the codes' sums.
                let chunk_bytes = groups(dim) * GROUP_BYTES;
                for (c, chunk) in owned.codes.chunks_exact(chunk_bytes).enumerate() {
                    let dots = chunk_dots_portable(chunk, &kq);
                    for (m, &dot) in dots.iter().enumerate() {
                        let row = blocks.row(c * CHUNK + m).unwrap_or_default();
                        let exact: i32 = row.iter().zip(&q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum();
                        prop_assert_eq!(dot, exact);
                        prop_assert_eq!(owned.sums[c * CHUNK + m], row.iter().map(|&x| i32::from(x)).sum::<i32>());
                    }
                    #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
                    {
                        let sums: [i32; CHUNK] = owned.sums[c * CHUNK..(c + 1) * CHUNK].try_into().unwrap();
                        prop_assert_eq!(simd::chunk_dots_of::<simd::x86::Sse>(chunk, &sums, &kq), dots);
                    }
                }
            }
        }
    }
}
