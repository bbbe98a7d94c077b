//! The SIMD paths: one scan written once over [`Vector`], a 128-bit vector of four
//! `i32`, implemented with wasm SIMD128 (relaxed SIMD where the build enables it) and with x86
//! SSE4.1 (AVX-VNNI where the build enables it: `vpdpbusd` is what wasm's relaxed dot product
//! becomes on such a CPU).

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
pub mod wasm;

/// x86-64 SSE4.1 (with SSSE3's `pmaddubsw`), and AVX-VNNI's `vpdpbusd` where the build
/// enables it (`-C target-cpu=native` on a CPU that has it).
#[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
pub mod x86;
