//! Time (and, under `/usr/bin/time -v`, peak memory) of the EASE neighbour models on a
//! synthetic catalog, against item-kNN cosine on the same rows in the same process.
//!
//! ```sh
//! cargo build --release --features cli --example ease_scale
//! /usr/bin/time -v target/release/examples/ease_scale local 100000 300000
//! /usr/bin/time -v target/release/examples/ease_scale dense 12000 60000
//! ```
//!
//! The shop: items in clusters of 50 (a product family), each shopper touches 1–3 clusters
//! and buys 4–40 items, mostly from them (popular ones more often), plus a few best-sellers.
//! Rows are `(item, 1.0)` as the builder's purchase strengths.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shelfwise::build::ease::{local_ease_neighbours, DenseEase, LocalEaseConfig, DEFAULT_LAMBDA};
use shelfwise::build::neighbours::cosine_neighbours;

const CLUSTER: usize = 50;
const K: usize = 50;

fn synthetic_rows(items: usize, shoppers: usize, seed: u64) -> Vec<Vec<(u32, f32)>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let clusters = items.div_ceil(CLUSTER);
    // Zipf-like rank within a cluster and across best-sellers: index = n · u².
    let skewed = |rng: &mut StdRng, n: usize| ((rng.random::<f64>().powi(2)) * n as f64) as usize;
    (0..shoppers)
        .map(|_| {
            let own: Vec<usize> = (0..rng.random_range(1..=3)).map(|_| skewed(&mut rng, clusters)).collect();
            let count = rng.random_range(4..=40);
            let mut row: Vec<(u32, f32)> = (0..count)
                .map(|_| {
                    let item = if rng.random::<f64>() < 0.1 {
                        skewed(&mut rng, items)
                    } else {
                        let c = own[rng.random_range(0..own.len())];
                        (c * CLUSTER + skewed(&mut rng, CLUSTER)).min(items - 1)
                    };
                    (item as u32, 1.0)
                })
                .collect();
            row.sort_unstable_by_key(|p| p.0);
            row.dedup_by_key(|p| p.0);
            row
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("local", String::as_str);
    let items: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let shoppers: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(3 * items);
    let started = Instant::now();
    let rows = synthetic_rows(items, shoppers, 7);
    let nnz: usize = rows.iter().map(Vec::len).sum();
    println!("synthetic catalog: {items} items, {shoppers} shoppers, {nnz} interactions ({:.1}s)", started.elapsed().as_secs_f64());

    let t = Instant::now();
    let cosine = cosine_neighbours(&rows, items, K, 1.0);
    let cosine_s = t.elapsed().as_secs_f64();
    let filled = cosine.iter().filter(|l| !l.is_empty()).count();
    println!("cosine (baseline): {cosine_s:.1}s, {filled} items with neighbours");
    drop(cosine);

    let t = Instant::now();
    let lists = match mode {
        "dense" => DenseEase::fit(&rows, items, DEFAULT_LAMBDA).map(|e| e.neighbours(K)),
        _ => local_ease_neighbours(&rows, items, K, &LocalEaseConfig::default()),
    };
    let ease_s = t.elapsed().as_secs_f64();
    match lists {
        Ok(lists) => {
            let filled = lists.iter().filter(|l| !l.is_empty()).count();
            println!(
                "ease-{mode}: {ease_s:.1}s ({:.1}× cosine), {filled} items with neighbours, λ {DEFAULT_LAMBDA}",
                ease_s / cosine_s.max(1e-9)
            );
        }
        Err(e) => {
            eprintln!("ease-{mode} failed: {e}");
            std::process::exit(1);
        }
    }
    println!("total {:.1}s (CPU: see /proc/cpuinfo; figures in docs/QUALITY.md name it)", started.elapsed().as_secs_f64());
}
