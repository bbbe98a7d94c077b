//! The scan: the portable path, the choice of the fastest path this build has ([`scan()`],
//! [`path_name`]), and the block-by-block offering of candidates the SIMD paths share.

use super::*;

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
pub(crate) fn offer_block<S: Sink>(blocks: &Blocks<'_>, b: usize, scores: &[i32; LANES], sink: &mut S) {
    let threshold = sink.threshold();
    let mut mask = 0u32;
    for (l, &s) in scores.iter().enumerate() {
        mask |= u32::from(s > threshold) << l;
    }
    offer_lanes(blocks, b, mask, scores, sink);
}

/// Dimension 0: every score is 0.
pub(crate) fn scan_constant<S: Sink>(blocks: &Blocks<'_>, sink: &mut S) {
    for i in 0..blocks.items {
        if 0 > sink.threshold() {
            sink.offer(i as u32, 0);
        }
    }
}

pub(crate) fn check_dims(blocks: &Blocks<'_>, query: &KernelQuery) -> Result<(), KernelError> {
    if query.codes.len() != blocks.dim {
        return Err(KernelError::QueryDim { query: query.codes.len(), dim: blocks.dim });
    }
    Ok(())
}

/// Offers the set lanes of `mask` (block `b`) that are real items, re-checking the threshold
/// as it rises.
#[inline]
pub(crate) fn offer_lanes<S: Sink>(blocks: &Blocks<'_>, b: usize, mut mask: u32, scores: &[i32; LANES], sink: &mut S) {
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

/// Which path [`scan()`] uses in this build: `"relaxed-simd"`, `"simd128"` (wasm), `"avx-vnni"`,
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
