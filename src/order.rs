//! Sorting through one comparator type per element type.
//!
//! `slice::sort_by` is instantiated once per closure; across the shelves that was about a
//! quarter of the wasm module (150 KB of 620 KB of code). [`sort_by`] takes the comparator as
//! `&dyn Fn`, so each element type gets one copy of the sort. The slices sorted here are
//! candidate lists (hundreds of entries), where the indirect call costs nothing measurable.
//! Every comparator passed in orders totally (ties broken by item index), so the unstable
//! sort's result is fully determined and identical in native and wasm builds.

use std::cmp::Ordering;

/// Sorts `items` by `compare` (unstable; give `compare` a tie-breaker for a defined order).
pub fn sort_by<T>(items: &mut [T], compare: &dyn Fn(&T, &T) -> Ordering) {
    items.sort_unstable_by(|a, b| compare(a, b));
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_by_the_comparator() {
        let mut v = vec![(1u32, 0.5f32), (0, 0.5), (2, 0.9)];
        super::sort_by(&mut v, &|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(v, [(2, 0.9), (0, 0.5), (1, 0.5)]);
    }
}
