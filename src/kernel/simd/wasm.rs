//! wasm SIMD128, and relaxed SIMD where the build enables it.

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
