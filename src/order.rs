//! Sorting through one sort routine for every element type and comparator.
//!
//! `slice::sort_by` is instantiated once per element type and closure: across the shelves that
//! was about a fifth of the wasm module. [`sort_by`] hands the slice to one quicksort that sees
//! elements only as `size` bytes and compares them through one `&dyn Fn` (the comparator
//! inlined into it), so every call site adds only that small shim. It exists twice: for
//! four-byte elements with the size built in (the catalog-wide f32 sort of the price bands at
//! open; recorded as about twice as fast as `sort_unstable_by` there when written, not
//! re-measured in wasm since: natively `sort_unstable_by` is now the faster, see below), and
//! for any size. (The
//! under-exposed cut sorts integer keys with `sort_unstable`, see `shelves::signals`.)
//! Every comparator passed in orders totally (ties broken by item index), so the unstable
//! sort's result is fully determined and identical in native and wasm builds.
//!
//! The routine only ever swaps whole elements, so the slice is a permutation of its original
//! elements at every step (a panicking comparator cannot duplicate or lose one).
//!
//! Kept, `unsafe` and all, over the safe single copy (one `sort_unstable_by` over `u32`
//! positions with a `&dyn Fn` comparator, then the elements moved into that order:
//! `index_sort_by` in `examples/sort_cost.rs`), measured on 2026-12-06 (AMD EPYC, 2 vCPU,
//! heavily shared; the core of commit be1e1a6): with it in place of this file the shipped wasm
//! grows by 16,210 B raw and 3,475 B `gzip -9` (SIMD128: 514,193 / 209,234 B against
//! 497,983 / 205,759; relaxed: +16,334 and +3,661 B; `bash scripts/build-wasm.sh`), and
//! natively it sorts 1.16–1.54× slower on 5,000 and 100,000 f32s and 12-byte candidates
//! (`cargo run --release --example sort_cost`, three runs; a plain `sort_unstable_by` there is
//! 0.74–0.95× natively, but one more copy of the standard sort in the module per element type
//! and comparator).

use std::cmp::Ordering;
use std::mem::{size_of, MaybeUninit};
use std::ptr;

/// Sorts `items` by `compare` (unstable; give `compare` a tie-breaker for a defined order).
pub fn sort_by<T, F>(items: &mut [T], compare: &F)
where
    F: Fn(&T, &T) -> Ordering + ?Sized,
{
    let size = size_of::<T>();
    if items.len() < 2 || size == 0 {
        return;
    }
    let is_less = |a: *const u8, b: *const u8| {
        // SAFETY: `quicksort` only passes pointers to whole elements of `items` (it swaps
        // elements, never leaves one half-moved), so both point at valid, aligned `T`s.
        let (a, b) = unsafe { (&*a.cast::<T>(), &*b.cast::<T>()) };
        compare(a, b) == Ordering::Less
    };
    let (base, len) = (items.as_mut_ptr().cast::<u8>(), items.len());
    // SAFETY: `items` is `len` elements of `size` bytes each, exclusively borrowed here.
    // Four-byte elements (the catalog-wide f32 sort of the price bands) get a copy with the
    // size built in.
    unsafe {
        if size == 4 {
            quicksort::<4>(base, len, size, &is_less);
        } else {
            quicksort::<0>(base, len, size, &is_less);
        }
    }
}

/// Below this length a range is sorted by insertion.
const SMALL: usize = 16;

/// The comparator as `sort_by` hands it down: `is_less(a, b)` on two elements' addresses.
type IsLess<'a> = &'a dyn Fn(*const u8, *const u8) -> bool;

/// The element `i` of the `size`-byte elements at `base`. The routines below take the size
/// as `S` too when it is fixed (then the arithmetic and moves are constant), or `S = 0`.
#[inline(always)]
unsafe fn at<const S: usize>(base: *mut u8, i: usize, size: usize) -> *mut u8 {
    // SAFETY: the caller keeps `i` within the slice.
    unsafe { base.add(i * if S == 0 { size } else { S }) }
}

/// Swaps two elements of `size` bytes (`a` may equal `b`), with whole fixed-size moves for
/// the common sizes.
#[inline(always)]
unsafe fn swap<const S: usize>(a: *mut u8, b: *mut u8, size: usize) {
    #[inline(always)]
    unsafe fn fixed<const N: usize>(a: *mut u8, b: *mut u8) {
        // SAFETY: the caller passes two `N`-byte elements (possibly the same one);
        // `MaybeUninit<[u8; N]>` has alignment 1 and may hold padding bytes.
        unsafe {
            let (a, b) = (a.cast::<MaybeUninit<[u8; N]>>(), b.cast::<MaybeUninit<[u8; N]>>());
            let (x, y) = (ptr::read(a), ptr::read(b));
            ptr::write(a, y);
            ptr::write(b, x);
        }
    }
    // SAFETY: `a` and `b` are elements of `size` bytes.
    unsafe {
        match if S == 0 { size } else { S } {
            4 => fixed::<4>(a, b),
            8 => fixed::<8>(a, b),
            12 => fixed::<12>(a, b),
            16 => fixed::<16>(a, b),
            24 => fixed::<24>(a, b),
            32 => fixed::<32>(a, b),
            _ => {
                let (a, b) = (a.cast::<MaybeUninit<u8>>(), b.cast::<MaybeUninit<u8>>());
                for k in 0..size {
                    let x = ptr::read(a.add(k));
                    ptr::write(a.add(k), ptr::read(b.add(k)));
                    ptr::write(b.add(k), x);
                }
            }
        }
    }
}

/// Pattern-defeating quicksort in the manner of the standard library's: median-of-three or
/// ninther pivot, branchless partition, a separate pass for runs of elements equal to an
/// earlier pivot (so many equal keys cost linear time), insertion sort for short ranges and
/// heapsort once the recursion is deeper than 2·log2(len).
unsafe fn quicksort<const S: usize>(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) {
    let limit = 2 * (usize::BITS - len.leading_zeros());
    // SAFETY: forwarded from the caller.
    unsafe { quicksort_range::<S>(base, len, size, is_less, None, limit) }
}

unsafe fn quicksort_range<const S: usize>(
    mut base: *mut u8,
    mut len: usize,
    size: usize,
    is_less: IsLess<'_>,
    mut ancestor: Option<*const u8>,
    mut limit: u32,
) {
    // SAFETY (whole function): every index used below stays within `0..len` of the current
    // range, which lies within the caller's slice; `ancestor` is an element before it.
    unsafe {
        loop {
            if len <= SMALL {
                insertion_sort::<S>(base, len, size, is_less);
                return;
            }
            if limit == 0 {
                heapsort::<S>(base, len, size, is_less);
                return;
            }
            limit -= 1;
            let pivot = choose_pivot::<S>(base, len, size, is_less);
            swap::<S>(base, at::<S>(base, pivot, size), size);
            let pivot = base as *const u8;
            // The range lies right of `ancestor`, so no element is less than it: a pivot that
            // is not greater than it equals it, and so does every element not greater than
            // the pivot. Put those first and skip them.
            if let Some(a) = ancestor {
                if !is_less(a, pivot) {
                    let equal = partition::<S>(base, len, size, is_less, true);
                    base = at::<S>(base, equal + 1, size);
                    len -= equal + 1;
                    ancestor = None;
                    continue;
                }
            }
            let mid = partition::<S>(base, len, size, is_less, false);
            // Recurse into the shorter side, loop on the longer one (stack depth ≤ log2 len).
            let right = at::<S>(base, mid + 1, size);
            let right_len = len - mid - 1;
            if mid < right_len {
                quicksort_range::<S>(base, mid, size, is_less, ancestor, limit);
                ancestor = Some(at::<S>(base, mid, size));
                base = right;
                len = right_len;
            } else {
                quicksort_range::<S>(right, right_len, size, is_less, Some(at::<S>(base, mid, size)), limit);
                len = mid;
            }
        }
    }
}

/// Moves the elements after the pivot (at index 0) that are less than it (`or_equal`: not
/// greater) to the front, then the pivot right after them; returns the pivot's new index.
/// Branchless: every element is swapped once; the comparison only decides whether the
/// boundary advances.
unsafe fn partition<const S: usize>(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>, or_equal: bool) -> usize {
    // SAFETY: `store ≤ i < len`.
    unsafe {
        let pivot = base as *const u8;
        let mut store = 1;
        for i in 1..len {
            let x = at::<S>(base, i, size);
            let left = if or_equal { !is_less(pivot, x) } else { is_less(x, pivot) };
            swap::<S>(at::<S>(base, store, size), x, size);
            store += usize::from(left);
        }
        let mid = store - 1;
        swap::<S>(base, at::<S>(base, mid, size), size);
        mid
    }
}

/// The index of the median of `a`, `b`, `c`.
unsafe fn median3<const S: usize>(base: *mut u8, a: usize, b: usize, c: usize, size: usize, is_less: IsLess<'_>) -> usize {
    // SAFETY: the caller passes indices within the range.
    unsafe {
        let (pa, pb, pc) = (at::<S>(base, a, size), at::<S>(base, b, size), at::<S>(base, c, size));
        if is_less(pb, pa) {
            if is_less(pc, pb) {
                b
            } else if is_less(pc, pa) {
                c
            } else {
                a
            }
        } else if is_less(pc, pa) {
            a
        } else if is_less(pc, pb) {
            c
        } else {
            b
        }
    }
}

/// A pivot index: median of three, or Tukey's ninther for long ranges.
unsafe fn choose_pivot<const S: usize>(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) -> usize {
    let (first, mid, last) = (0, len / 2, len - 1);
    // SAFETY: all indices are within `0..len`.
    unsafe {
        if len >= 128 {
            let step = len / 8;
            let a = median3::<S>(base, first, first + step, first + 2 * step, size, is_less);
            let b = median3::<S>(base, mid - step, mid, mid + step, size, is_less);
            let c = median3::<S>(base, last - 2 * step, last - step, last, size, is_less);
            median3::<S>(base, a, b, c, size, is_less)
        } else {
            median3::<S>(base, first, mid, last, size, is_less)
        }
    }
}

/// Insertion sort by adjacent swaps (short ranges only).
unsafe fn insertion_sort<const S: usize>(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) {
    // SAFETY: `i` and `j` stay within `0..len`.
    unsafe {
        for i in 1..len {
            let mut j = i;
            while j > 0 && is_less(at::<S>(base, j, size), at::<S>(base, j - 1, size)) {
                swap::<S>(at::<S>(base, j, size), at::<S>(base, j - 1, size), size);
                j -= 1;
            }
        }
    }
}

/// Heapsort (the fallback that bounds the worst case at O(n log n)).
unsafe fn heapsort<const S: usize>(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) {
    // SAFETY: every index is checked against `end ≤ len` before use.
    unsafe {
        let sift_down = |mut node: usize, end: usize| loop {
            let mut child = 2 * node + 1;
            if child >= end {
                break;
            }
            if child + 1 < end && is_less(at::<S>(base, child, size), at::<S>(base, child + 1, size)) {
                child += 1;
            }
            if !is_less(at::<S>(base, node, size), at::<S>(base, child, size)) {
                break;
            }
            swap::<S>(at::<S>(base, node, size), at::<S>(base, child, size), size);
            node = child;
        };
        for node in (0..len / 2).rev() {
            sift_down(node, len);
        }
        for end in (1..len).rev() {
            swap::<S>(base, at::<S>(base, end, size), size);
            sift_down(0, end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sort_by;

    #[test]
    fn sorts_by_the_comparator() {
        let mut v = vec![(1u32, 0.5f32), (0, 0.5), (2, 0.9)];
        sort_by(&mut v, &|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(v, [(2, 0.9), (0, 0.5), (1, 0.5)]);
    }

    /// A small deterministic generator for the inputs below.
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    fn check<T: Clone + Ord + std::fmt::Debug>(v: &[T]) {
        let mut got = v.to_vec();
        sort_by(&mut got, &T::cmp);
        let mut want = v.to_vec();
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn agrees_with_the_standard_sort_on_many_shapes() {
        let mut seed = 7;
        for len in [0usize, 1, 2, 3, 15, 16, 17, 31, 100, 127, 128, 129, 1000, 5000] {
            let random: Vec<u32> = (0..len).map(|_| lcg(&mut seed) as u32).collect();
            let few: Vec<u32> = (0..len).map(|_| (lcg(&mut seed) % 3) as u32).collect();
            let sorted: Vec<u32> = (0..len as u32).collect();
            let reversed: Vec<u32> = (0..len as u32).rev().collect();
            let organ: Vec<u32> = (0..len as u32).map(|i| i.min(len as u32 - i)).collect();
            let equal = vec![5u32; len];
            for v in [&random, &few, &sorted, &reversed, &organ, &equal] {
                check(v);
            }
            // Other element sizes: 1, 8, 12, 16, 24 and an odd 40 bytes, and owned strings.
            check(&random.iter().map(|&x| x as u8).collect::<Vec<_>>());
            check(&random.iter().map(|&x| (x % 50, x)).collect::<Vec<_>>());
            check(&random.iter().map(|&x| (x % 7, x, !x)).collect::<Vec<_>>());
            check(&random.iter().map(|&x| (u64::from(x % 9), u64::from(x))).collect::<Vec<_>>());
            check(&random.iter().map(|&x| [u64::from(x % 5), u64::from(x), 3]).collect::<Vec<_>>());
            check(&random.iter().map(|&x| [u64::from(x % 4), 1, 2, u64::from(x), 0]).collect::<Vec<_>>());
            check(&few.iter().zip(&random).map(|(a, b)| format!("{a}-{b}")).collect::<Vec<_>>());
        }
    }

    #[test]
    fn floats_by_total_order() {
        let mut seed = 3;
        let v: Vec<f32> = (0..3000).map(|_| (lcg(&mut seed) % 1000) as f32 / 7.0 - 50.0).collect();
        let mut got = v.clone();
        sort_by(&mut got, &f32::total_cmp);
        let mut want = v;
        want.sort_by(f32::total_cmp);
        assert_eq!(got, want);
    }

    #[test]
    fn the_heapsort_fallback_sorts() {
        let mut seed = 11;
        for len in [2usize, 3, 17, 100, 1001] {
            let mut v: Vec<u64> = (0..len).map(|_| lcg(&mut seed) % 50).collect();
            let is_less = |a: *const u8, b: *const u8| unsafe { *a.cast::<u64>() < *b.cast::<u64>() };
            // SAFETY: `v` is `len` u64s.
            unsafe { super::heapsort::<0>(v.as_mut_ptr().cast(), len, 8, &is_less) };
            assert!(v.windows(2).all(|w| w[0] <= w[1]), "{v:?}");
        }
    }

    #[test]
    fn adversarial_inputs_fall_back_to_heapsort_correctly() {
        // A comparator that is consistent but with a pivot-hostile layout (sawtooth).
        let v: Vec<u32> = (0..20_000u32).map(|i| (i * 7919) % 257 + (i % 2) * 100_000).collect();
        check(&v);
    }
}
