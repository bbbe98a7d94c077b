//! The bench shopper, shared by `benches/native.rs` and `examples/for_you_bench.rs` (and
//! mirrored by `bench/worker.js`, which records the same ids in the browser).

use shelfwise::event::{Event, EventKind};

/// "Now" of every bench query, ms since the epoch (2023-11-14).
pub const NOW_MS: i64 = 1_700_000_000_000;

/// 20 views, one a minute, of items spread over a catalog of `n` items.
pub fn bench_events(n: u32) -> Vec<Event> {
    (0..20u32)
        .map(|j| Event {
            item: ((u64::from(j) * 7919 + 13) % u64::from(n)) as u32,
            kind: EventKind::View,
            ts_ms: NOW_MS - i64::from(j) * 60_000,
            qty: 1,
        })
        .collect()
}
