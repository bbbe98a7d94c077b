//! x86-64 SSE4.1 (with SSSE3's `pmaddubsw`), and AVX-VNNI's `vpdpbusd` where the build
//! enables it (`-C target-cpu=native` on a CPU that has it).

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
