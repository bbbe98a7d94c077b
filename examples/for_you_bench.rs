//! The for-you shelf around the kernel: timings, and a dump of results to compare across changes.
//!
//!   cargo run --release --example for_you_bench -- time PACK... [--reps R]
//!   cargo run --release --example for_you_bench -- dump PACK...
//!   cargo run --release --example for_you_bench -- loop PACK [--k K] [--reps R] [--cold]   (for profilers)
//!
//! `time` opens each pack with the bench shopper of `benches/native.rs` (20 views, one a
//! minute) and times, interleaved in one loop, the for-you shelf (`Engine::shelf`: what
//! `shelf()` in the JS shell calls) with k = 20, with k = 1, with no events (cold), and the
//! kernel alone (the same query and prior as the blend's embedding candidates); it prints the
//! median and the 10th–90th percentile of each (ms).
//!
//! `dump` prints (Debug) the for-you and discovery shelves and a page of blended shelves for a
//! set of seeded synthetic shoppers (views, clicks, carts, removals, purchases, exclusions,
//! removed interests), so that two builds can be diffed for identical results. A benchmark
//! helper, not a test: nothing here passes or fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use shelfwise::engine::{Engine, InterestInput};
use shelfwise::event::{Event, EventKind, Search};
use shelfwise::explore::SplitMix64;
use shelfwise::page::{ExploreRequest, ShelfRequest};
use shelfwise::rank::{top_k_by_query, Query};
use shelfwise::rules::{FilterInput, RuleInput};
use shelfwise::shelf::ShelfKind;

#[path = "../benches/common/mod.rs"]
mod common;
use common::{bench_events, NOW_MS};

fn quantiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.1), at(0.9))
}

fn time(paths: &[String], reps: usize) {
    for path in paths {
        let bytes = std::fs::read(path).expect("read the pack");
        let cold = Engine::open(bytes.clone()).expect("open");
        let mut warm = Engine::open(bytes).expect("open");
        let n = warm.pack().item_count();
        for e in bench_events(n) {
            warm.push_event(e);
        }
        let pack = warm.pack();
        let query = Query::new(&warm.profile(NOW_MS).interest, pack.embedding_scales());
        let k20 = ShelfRequest { k: Some(20), ..ShelfRequest::new("for-you") };
        let k1 = ShelfRequest { k: Some(1), ..ShelfRequest::new("for-you") };
        let mut runs: [(&str, Vec<f64>); 4] = [("k20", vec![]), ("k1", vec![]), ("cold", vec![]), ("kernel", vec![])];
        for r in 0..reps + 5 {
            for (which, times) in runs.iter_mut() {
                let t = Instant::now();
                match *which {
                    "k20" => drop(black_box(warm.shelf(&k20, NOW_MS).unwrap())),
                    "k1" => drop(black_box(warm.shelf(&k1, NOW_MS).unwrap())),
                    "cold" => drop(black_box(cold.shelf(&k20, NOW_MS).unwrap())),
                    _ => drop(black_box(top_k_by_query(pack, &query, 0.0, 100, |i| pack.in_stock(i)))),
                }
                if r >= 5 {
                    times.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
        }
        let figures: Vec<String> = runs
            .into_iter()
            .map(|(name, times)| {
                let (m, lo, hi) = quantiles(times);
                format!("{name} {m:.4} ({lo:.4}–{hi:.4})")
            })
            .collect();
        println!("{path}: n={n} d={} reps={reps}: {}", warm.pack().dim(), figures.join("  "));
    }
}

/// A draw in 0..n (0 when n is 0).
fn below(rng: &mut SplitMix64, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

fn dump(paths: &[String]) {
    const KINDS: [EventKind; 5] = [EventKind::View, EventKind::Click, EventKind::AddToCart, EventKind::RemoveFromCart, EventKind::Purchase];
    for path in paths {
        let bytes = std::fs::read(path).expect("read the pack");
        let base = Engine::open(bytes).expect("open");
        let n = base.pack().item_count();
        println!("== {path}");
        for shopper in 0..40u64 {
            let mut rng = SplitMix64::new(shopper * 7 + 1);
            let mut engine = base.clone();
            // A small pool per shopper, so items repeat (repeat purchases, carts, removals).
            let pool: Vec<u32> = (0..1 + below(&mut rng, 30)).map(|_| below(&mut rng, u64::from(n)) as u32).collect();
            let count = if shopper % 10 == 0 { 0 } else { below(&mut rng, 60) };
            for j in 0..count {
                let item = pool[below(&mut rng, pool.len() as u64) as usize];
                let kind = KINDS[below(&mut rng, KINDS.len() as u64) as usize];
                let age_min = (count - j) as i64 * (1 + below(&mut rng, 3000) as i64);
                engine.push_event(Event { item, kind, ts_ms: NOW_MS - age_min * 60_000, qty: 1 + below(&mut rng, 3) as u32 });
            }
            if shopper % 3 == 0 {
                // Title words of the demo shop (the cold start's search path).
                let query = ["ceramic", "candle", "lamp"][(shopper % 9 / 3) as usize].to_owned();
                engine.push_search(Search { query, ts_ms: NOW_MS - 60_000 });
            }
            if shopper % 7 == 3 && engine.pack().category_count() > 1 {
                let name = engine.pack().category_name(pool[0] % engine.pack().category_count()).to_owned();
                let _ = engine.remove_interest(&InterestInput { category: Some(name), brand: None });
            }
            let exclude: Vec<u32> = if shopper % 3 == 1 { pool.iter().copied().take(3).collect() } else { Vec::new() };
            let now = NOW_MS + (shopper as i64 % 4) * 3_600_000;
            let ids: Vec<String> = exclude.iter().map(|&i| engine.pack().item_id(i).to_owned()).collect();
            for k in [1usize, 8, 20, 100] {
                for kind in ["for-you", "discovery"] {
                    let request = ShelfRequest { k: Some(k), exclude: ids.clone(), ..ShelfRequest::new(kind) };
                    println!("-- shopper {shopper} {kind} k={k}\n{:?}", engine.shelf(&request, now));
                }
            }
            let page = [
                ShelfRequest { k: Some(10), exclude: ids.clone(), ..ShelfRequest::new("for-you") },
                ShelfRequest { k: Some(6), ..ShelfRequest::new("discovery") },
                ShelfRequest {
                    k: Some(6),
                    filters: FilterInput { max_price: Some(20.0), exclude_purchased: Some(false), ..FilterInput::default() },
                    ..ShelfRequest::new("for-you")
                },
                ShelfRequest { k: Some(6), ..ShelfRequest::new("new-for-you") },
                ShelfRequest { k: Some(6), diversity: Some(0.3), ..ShelfRequest::new("discovery") },
            ];
            println!("-- shopper {shopper} page\n{:?}", engine.page(&page, now));
            // Every shelf kind, with the product on the page, filters, exclusions and exploration.
            let context = engine.pack().item_id(pool[pool.len() - 1]).to_owned();
            let filters = FilterInput { min_price: Some(2.0), exclude_in_cart: Some(shopper % 2 == 0), ..FilterInput::default() };
            let all: Vec<ShelfRequest> = ShelfKind::ALL
                .iter()
                .map(|kind| ShelfRequest {
                    k: Some(5),
                    item: (shopper % 4 != 2).then(|| context.clone()),
                    exclude: ids.clone(),
                    filters: filters.clone(),
                    explore: (shopper % 5 == 1).then_some(ExploreRequest { seed: shopper, slots: None }),
                    ..ShelfRequest::new(kind.as_str())
                })
                .collect();
            println!("-- shopper {shopper} all kinds\n{:?}", engine.page(&all, now));
            // Blended shelves under call-time rules: a boosted category, a buried and a pinned item.
            let plain = engine.shelf(&ShelfRequest { k: Some(8), ..ShelfRequest::new("for-you") }, now).ok();
            if let Some(second) = plain.as_ref().and_then(|s| s.items.get(1)) {
                let rule = |action: &str, item: Option<String>, category: Option<String>, weight: Option<f64>, position: Option<f64>| {
                    RuleInput { action: action.to_owned(), item, category, weight, position }
                };
                let rules = vec![
                    rule("boost", None, Some(second.card.category.clone()), Some(0.2), None),
                    rule("bury", Some(second.card.id.clone()), None, Some(0.5), None),
                    rule("pin", Some(engine.pack().item_id(pool[0]).to_owned()), None, None, Some(2.0)),
                ];
                for kind in ["for-you", "discovery"] {
                    let request = ShelfRequest { k: Some(8), rules: rules.clone(), max_per_category: Some(6), ..ShelfRequest::new(kind) };
                    println!("-- shopper {shopper} {kind} with rules\n{:?}", engine.shelf(&request, now));
                }
            }
            for request in &all {
                println!("-- shopper {shopper} shelf {}\n{:?}", request.kind, engine.shelf(request, now));
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps = args.iter().position(|a| a == "--reps").and_then(|i| args.get(i + 1)).map_or(200, |r| r.parse().expect("--reps N"));
    let paths: Vec<String> = args
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(i, a)| !a.starts_with("--") && !["--reps", "--k"].contains(&args[i - 1].as_str()))
        .map(|(_, a)| a.clone())
        .collect();
    match args.first().map(String::as_str) {
        Some("time") => time(&paths, reps),
        Some("dump") => dump(&paths),
        Some("loop") => {
            // For profilers: `loop PACK --k K --reps R [--cold]` runs only the shelf (no events
            // with --cold).
            let k = args.iter().position(|a| a == "--k").and_then(|i| args.get(i + 1)).map_or(20, |v| v.parse().expect("--k N"));
            let mut engine = Engine::open(std::fs::read(&paths[0]).expect("read the pack")).expect("open");
            if !args.iter().any(|a| a == "--cold") {
                for e in bench_events(engine.pack().item_count()) {
                    engine.push_event(e);
                }
            }
            let request = ShelfRequest { k: Some(k), ..ShelfRequest::new("for-you") };
            for _ in 0..reps {
                black_box(engine.shelf(&request, NOW_MS).unwrap());
            }
        }
        _ => eprintln!("usage: for_you_bench time PACK... [--reps R] | dump PACK..."),
    }
}
