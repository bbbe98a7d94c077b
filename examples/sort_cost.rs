//! What `src/order.rs` saves over the safe alternative: one `sort_unstable_by` over `u32`
//! positions with a `&dyn Fn` comparator, then the elements moved into that order (the
//! [`index_sort_by`] below, a complete drop-in for `order::sort_by`). Prints the time of each,
//! and of a plain `sort_unstable_by`, as ratios to `order::sort_by` in the same process.
//!
//! `cargo run --release --example sort_cost`
//!
//! The wasm size of the same swap is measured by putting `index_sort_by` (and its two helpers)
//! in place of `order::sort_by` and running `bash scripts/build-wasm.sh`; the figures are in
//! `src/order.rs`.
#![allow(missing_docs)]

use std::cmp::Ordering;
use std::hint::black_box;
use std::time::Instant;

/// The safe alternative: positions sorted by the one standard sort instance, then applied.
fn index_sort_by<T, F>(items: &mut [T], compare: &F)
where
    F: Fn(&T, &T) -> Ordering + ?Sized,
{
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<u32> = (0..items.len() as u32).collect();
    sort_positions(&mut order, &|a, b| compare(&items[a as usize], &items[b as usize]));
    permute(items, &mut order);
}

fn sort_positions(order: &mut [u32], compare: &dyn Fn(u32, u32) -> Ordering) {
    order.sort_unstable_by(|&a, &b| compare(a, b));
}

/// Puts `items[order[k]]` at `k`, following each cycle of the permutation once with swaps.
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let next = order[at] as usize;
            order[at] = at as u32;
            if next == start || next == at {
                break;
            }
            items.swap(at, next);
            at = next;
        }
    }
}

/// A ranked candidate as the shelves sort them (12 bytes).
#[derive(Clone, Copy, PartialEq, Debug)]
struct Scored {
    item: u32,
    score: f32,
    nudge: u32,
}

fn lcg(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *seed >> 33
}

/// The best of `reps` runs of `sort` on a fresh copy of `data`, in µs.
fn best_us<T: Clone>(data: &[T], reps: usize, sort: &dyn Fn(&mut [T])) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let mut v = data.to_vec();
        let started = Instant::now();
        sort(&mut v);
        best = best.min(started.elapsed().as_secs_f64() * 1e6);
        black_box(&v);
    }
    best
}

/// Times the three sorts on `data` (after checking they agree) and prints one line each.
fn compare<T: Clone + PartialEq + std::fmt::Debug>(what: &str, data: &[T], reps: usize, cmp: &dyn Fn(&T, &T) -> Ordering) {
    let (mut a, mut b, mut c) = (data.to_vec(), data.to_vec(), data.to_vec());
    shelfwise::order::sort_by(&mut a, cmp);
    index_sort_by(&mut b, cmp);
    c.sort_unstable_by(|x, y| cmp(x, y));
    assert!(a == b && a == c, "the sorts disagree on {what}");
    let base = best_us(data, reps, &|v| shelfwise::order::sort_by(v, cmp));
    let safe = best_us(data, reps, &|v| index_sort_by(v, cmp));
    let std = best_us(data, reps, &|v| v.sort_unstable_by(|x, y| cmp(x, y)));
    println!("{what:<28} order::sort_by {base:9.1} µs   index sort {:5.2}×   sort_unstable_by {:5.2}×", safe / base, std / base);
}

fn main() {
    let mut seed = 1;
    for n in [100_000usize, 5_000] {
        let reps = if n > 10_000 { 30 } else { 300 };
        let prices: Vec<f32> = (0..n).map(|_| (lcg(&mut seed) % 100_000) as f32 / 100.0).collect();
        let scored: Vec<Scored> = (0..n)
            .map(|i| Scored { item: i as u32, score: (lcg(&mut seed) % 10_000) as f32 / 7.0, nudge: (lcg(&mut seed) % 3) as u32 })
            .collect();
        compare(&format!("{n} f32 (price bands)"), &prices, reps, &f32::total_cmp);
        let by_score = |a: &Scored, b: &Scored| b.score.total_cmp(&a.score).then(b.nudge.cmp(&a.nudge)).then(a.item.cmp(&b.item));
        compare(&format!("{n} Scored (shelves)"), &scored, reps, &by_score);
    }
}
