//! Sorting through one sort routine for every element type and comparator.
//!
//! `slice::sort_by` is instantiated once per element type and closure: across the shelves that
//! was about a fifth of the wasm module. [`sort_by`] hands the slice to one non-generic
//! quicksort that sees elements only as `size` bytes and compares them through one
//! `&dyn Fn` (the comparator inlined into it), so every call site adds only that small
//! shim. The standard sort also called the comparator indirectly here, so the hot sorts (the
//! whole catalog's exposures for the under-exposed cut) run about as fast as before.
//! Every comparator passed in orders totally (ties broken by item index), so the unstable
//! sort's result is fully determined and identical in native and wasm builds.
//!
//! The routine only ever swaps whole elements, so the slice is a permutation of its original
//! elements at every step (a panicking comparator cannot duplicate or lose one).

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
    let len = items.len();
    // SAFETY: `items` is `len` elements of `size` bytes each, exclusively borrowed here.
    unsafe { quicksort(items.as_mut_ptr().cast::<u8>(), len, size, &is_less) };
}

/// Below this length a range is sorted by insertion.
const SMALL: usize = 16;

/// The comparator as `sort_by` hands it down: `is_less(a, b)` on two elements' addresses.
type IsLess<'a> = &'a dyn Fn(*const u8, *const u8) -> bool;

/// The element `i` of the `size`-byte elements at `base`.
#[inline(always)]
unsafe fn at(base: *mut u8, i: usize, size: usize) -> *mut u8 {
    // SAFETY: the caller keeps `i` within the slice.
    unsafe { base.add(i * size) }
}

/// Swaps two elements of `size` bytes (`a` may equal `b`), with whole fixed-size moves for
/// the common sizes.
#[inline(always)]
unsafe fn swap(a: *mut u8, b: *mut u8, size: usize) {
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
        match size {
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
unsafe fn quicksort(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) {
    let limit = 2 * (usize::BITS - len.leading_zeros());
    // SAFETY: forwarded from the caller.
    unsafe { quicksort_range(base, len, size, is_less, None, limit) }
}

unsafe fn quicksort_range(mut base: *mut u8, mut len: usize, size: usize, is_less: IsLess<'_>, mut ancestor: Option<*const u8>, mut limit: u32) {
    // SAFETY (whole function): every index used below stays within `0..len` of the current
    // range, which lies within the caller's slice; `ancestor` is an element before it.
    unsafe {
        loop {
            if len <= SMALL {
                insertion_sort(base, len, size, is_less);
                return;
            }
            if limit == 0 {
                heapsort(base, len, size, is_less);
                return;
            }
            limit -= 1;
            let pivot = choose_pivot(base, len, size, is_less);
            swap(base, at(base, pivot, size), size);
            let pivot = base as *const u8;
            // The range lies right of `ancestor`, so no element is less than it: a pivot that
            // is not greater than it equals it, and so does every element not greater than
            // the pivot. Put those first and skip them.
            if let Some(a) = ancestor {
                if !is_less(a, pivot) {
                    let equal = partition(base, len, size, is_less, true);
                    base = at(base, equal + 1, size);
                    len -= equal + 1;
                    ancestor = None;
                    continue;
                }
            }
            let mid = partition(base, len, size, is_less, false);
            // Recurse into the shorter side, loop on the longer one (stack depth ≤ log2 len).
            let right = at(base, mid + 1, size);
            let right_len = len - mid - 1;
            if mid < right_len {
                quicksort_range(base, mid, size, is_less, ancestor, limit);
                ancestor = Some(at(base, mid, size));
                base = right;
                len = right_len;
            } else {
                quicksort_range(right, right_len, size, is_less, Some(at(base, mid, size)), limit);
                len = mid;
            }
        }
    }
}

/// Moves the elements after the pivot (at index 0) that are less than it (`or_equal`: not
/// greater) to the front, then the pivot right after them; returns the pivot's new index.
/// Branchless: every element is swapped once; the comparison only decides whether the
/// boundary advances.
unsafe fn partition(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>, or_equal: bool) -> usize {
    // SAFETY: `store ≤ i < len`.
    unsafe {
        let pivot = base as *const u8;
        let mut store = 1;
        for i in 1..len {
            let x = at(base, i, size);
            let left = if or_equal { !is_less(pivot, x) } else { is_less(x, pivot) };
            swap(at(base, store, size), x, size);
            store += usize::from(left);
        }
        let mid = store - 1;
        swap(base, at(base, mid, size), size);
        mid
    }
}

/// The index of the median of `a`, `b`, `c`.
unsafe fn median3(base: *mut u8, a: usize, b: usize, c: usize, size: usize, is_less: IsLess<'_>) -> usize {
    // SAFETY: the caller passes indices within the range.
    unsafe {
        let (pa, pb, pc) = (at(base, a, size), at(base, b, size), at(base, c, size));
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
unsafe fn choose_pivot(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) -> usize {
    let (first, mid, last) = (0, len / 2, len - 1);
    // SAFETY: all indices are within `0..len`.
    unsafe {
        if len >= 128 {
            let step = len / 8;
            let a = median3(base, first, first + step, first + 2 * step, size, is_less);
            let b = median3(base, mid - step, mid, mid + step, size, is_less);
            let c = median3(base, last - 2 * step, last - step, last, size, is_less);
            median3(base, a, b, c, size, is_less)
        } else {
            median3(base, first, mid, last, size, is_less)
        }
    }
}

/// Insertion sort by adjacent swaps (short ranges only).
unsafe fn insertion_sort(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) {
    // SAFETY: `i` and `j` stay within `0..len`.
    unsafe {
        for i in 1..len {
            let mut j = i;
            while j > 0 && is_less(at(base, j, size), at(base, j - 1, size)) {
                swap(at(base, j, size), at(base, j - 1, size), size);
                j -= 1;
            }
        }
    }
}

/// Heapsort (the fallback that bounds the worst case at O(n log n)).
unsafe fn heapsort(base: *mut u8, len: usize, size: usize, is_less: IsLess<'_>) {
    // SAFETY: every index is checked against `end ≤ len` before use.
    unsafe {
        let sift_down = |mut node: usize, end: usize| loop {
            let mut child = 2 * node + 1;
            if child >= end {
                break;
            }
            if child + 1 < end && is_less(at(base, child, size), at(base, child + 1, size)) {
                child += 1;
            }
            if !is_less(at(base, node, size), at(base, child, size)) {
                break;
            }
            swap(at(base, node, size), at(base, child, size), size);
            node = child;
        };
        for node in (0..len / 2).rev() {
            sift_down(node, len);
        }
        for end in (1..len).rev() {
            swap(base, at(base, end, size), size);
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
            unsafe { super::heapsort(v.as_mut_ptr().cast(), len, 8, &is_less) };
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
