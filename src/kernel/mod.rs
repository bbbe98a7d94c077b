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
//! All return bit-identical scores. The SIMD paths are one scan written over `simd::Vector` (compiled only where the target has 128-bit SIMD).
//!
//! # Selection
//! A block's 16 scores are compared with the sink's threshold at once; [`scan()`] hands every
//! item whose score beats [`Sink::threshold`] to [`Sink::offer`], in ascending item order.
//! [`TopDots`] is the plain integer top-K sink, `rank` has one that adds a float popularity
//! prior. A filter (`accept`) is only consulted for candidates that would enter the top K.

mod error;
mod layout;
mod scan;
mod sinks;
#[cfg(test)]
mod tests;

/// The SIMD paths: one scan written once over `Vector`, a 128-bit vector of four
/// `i32`, implemented with wasm SIMD128 (relaxed SIMD where the build enables it) and with x86
/// SSE4.1 (AVX-VNNI where the build enables it: `vpdpbusd` is what wasm's relaxed dot product
/// becomes on such a CPU).
#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3")
))]
pub mod simd;

pub use error::KernelError;
pub use layout::*;
pub use scan::*;
pub use sinks::*;
