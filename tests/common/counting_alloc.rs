//! A per-thread counting allocator for the tests that bound memory (`tests/worst_calls.rs`,
//! `tests/pack_fuzz_regressions.rs`): including this file (`#[path]`) installs it as the test
//! binary's global allocator. It forwards to the system allocator and counts, per thread (so
//! parallel tests don't disturb each other), the bytes live, their peak and the allocations.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counted.
pub struct Counting;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note_alloc(size: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
    let _ = COUNT.try_with(|count| count.set(count.get() + 1));
}

fn note_free(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(size)));
}

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_free(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_free(layout.size());
        note_alloc(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one call allocated: its peak above the memory live before it, and its allocations.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// The most bytes live at once during the call, above those live before it.
    pub peak_bytes: usize,
    /// Allocations (and reallocations) made during the call.
    pub allocations: usize,
}

/// Runs `call` on this thread and returns what it allocated.
pub fn measured<T>(call: impl FnOnce() -> T) -> (T, Cost) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let before = COUNT.with(Cell::get);
    let out = call();
    let cost = Cost { peak_bytes: PEAK.with(Cell::get) - base, allocations: COUNT.with(Cell::get) - before };
    (out, cost)
}
