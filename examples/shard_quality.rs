//! How close the sharded layout's shelves are to the single pack's, and what a visit fetches:
//! a benchmark that prints figures, not a test.
//!
//!   cargo run --release --features cli --example shard_quality -- [--n 100000] [--shoppers 200]
//!       [--clusters N] [--nprobes 4,8,16] [--items-per-partition 1000]
//!       [--out build/shard-bench]   (also writes the single pack and the sharded folder there)
//!
//! The catalog is synthetic but clustered: item vectors (d = 64) are drawn from a mixture of
//! `--clusters` clusters (default n / 100: 1,000 at 100k items) whose spreads vary from tight to loose (σ from 0.15 to
//! 0.9 around a random unit centre), with 20 neighbours per item from its own cluster, Zipf-like
//! popularity, titles and prices (random unit vectors would have no structure to find).
//! Each shopper views 20 items (one a minute) from one to three clusters. For each shopper the
//! example replays what the JS shell does (shards.js): load the partition of each viewed item
//! through its directory chunk, the partitions holding most neighbours of the 10 latest items
//! (at most `nprobe`), then the `nprobe` partitions nearest the profile, assemble the
//! working pack and call `Engine::shelf` for for-you; the single pack answers the same calls.
//! Printed per nprobe: mean overlap of the top 20 and the top 100 with the single pack, chunk
//! bytes fetched per visit (raw and gzip), working-set items, and the time to assemble and
//! open the working pack (this machine, in the same process as the single pack's shelf time).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::Instant;

use flate2::write::GzEncoder;
use flate2::Compression;
use shelfwise::build::shard::{split, ShardConfig};
use shelfwise::engine::{Engine, EventInput};
use shelfwise::explore::SplitMix64;
use shelfwise::pack::shard::working::WorkingSet;
use shelfwise::pack::{quantize_per_dimension, Pack, PackContents, PackItem, UrlTemplates};
use shelfwise::page::ShelfRequest;

const D: usize = 64;
const NOW_MS: i64 = 1_780_000_000_000;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_owned())
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(6));
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

fn unit(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
    v.iter_mut().for_each(|x| *x /= norm);
}

/// The clustered catalog: contents (id order) and each item's cluster.
fn catalog(n: usize, clusters: usize, rng: &mut SplitMix64) -> (PackContents, Vec<usize>) {
    let centres: Vec<Vec<f32>> = (0..clusters)
        .map(|_| {
            let mut c: Vec<f32> = (0..D).map(|_| rng.normal() as f32).collect();
            unit(&mut c);
            c
        })
        .collect();
    let spread: Vec<f32> = (0..clusters).map(|_| 0.15 + 0.75 * rng.uniform() as f32).collect();
    let cluster_of: Vec<usize> = (0..n).map(|_| (rng.next_u64() % clusters as u64) as usize).collect();
    let mut rows = Vec::with_capacity(n * D);
    for &c in &cluster_of {
        let mut v: Vec<f32> = centres[c].iter().map(|x| x + spread[c] * rng.normal() as f32 / (D as f32).sqrt()).collect();
        unit(&mut v);
        rows.extend(v);
    }
    let q = quantize_per_dimension(&rows, D);
    let mut members = vec![Vec::new(); clusters];
    cluster_of.iter().enumerate().for_each(|(i, &c)| members[c].push(i as u32));
    let items = (0..n)
        .map(|i| PackItem {
            category: (cluster_of[i] % 200) as u32,
            brand: (i % 500) as u32,
            in_stock: i % 17 != 0,
            popularity: (1.0 / (1.0 + (rng.next_u64() % n as u64) as f32 / 50.0)).min(1.0),
            trend: rng.uniform() as f32,
            interactions: (rng.next_u64() % 500) as u32,
            ..PackItem::new(format!("SKU-{i:07}"), format!("Product {i} of line {}", cluster_of[i]), 1.0 + (i % 300) as f32)
        })
        .collect();
    let neighbours = (0..n)
        .map(|i| {
            let m = &members[cluster_of[i]];
            (0..20.min(m.len().saturating_sub(1)))
                .map(|s| (m[(m.iter().position(|&j| j == i as u32).unwrap() + 1 + s) % m.len()], 0.9 - 0.02 * s as f32))
                .collect()
        })
        .collect();
    let contents = PackContents {
        builder_version: (0, 1, 0),
        built_at_ms: NOW_MS - 86_400_000,
        training_events: 0,
        categories: (0..200).map(|c| format!("Category {c}")).collect(),
        brands: (0..500).map(|b| format!("Brand {b}")).collect(),
        items,
        url_templates: UrlTemplates { page: "/p/{id}".into(), image: "/img/{id}.jpg".into() },
        dim: D as u32,
        scales: q.scales,
        codes: q.codes,
        neighbours,
        together: Vec::new(),
        rules: Vec::new(),
        image: None,
    };
    (contents, cluster_of)
}

/// 20 view events of one shopper, from one to three clusters.
fn shopper(rng: &mut SplitMix64, members: &[Vec<u32>]) -> Vec<String> {
    let picks = 1 + (rng.next_u64() % 3) as usize;
    let clusters: Vec<usize> = (0..picks).map(|_| (rng.next_u64() % members.len() as u64) as usize).collect();
    (0..20)
        .map(|_| {
            let m = &members[clusters[(rng.next_u64() % picks as u64) as usize]];
            format!("SKU-{:07}", m[(rng.next_u64() % m.len() as u64) as usize])
        })
        .collect()
}

fn track_all(engine: &mut Engine, views: &[String]) {
    for (n, id) in views.iter().enumerate() {
        let ts = (NOW_MS - (20 - n as i64) * 60_000) as f64;
        engine.track(&EventInput { item: Some(id.clone()), kind: "view".into(), ts, qty: None, query: None }, NOW_MS).unwrap();
    }
}

fn ids(engine: &Engine, k: usize) -> Vec<String> {
    let request = ShelfRequest { k: Some(k), ..ShelfRequest::new("for-you") };
    engine.shelf(&request, NOW_MS).unwrap().items.into_iter().map(|s| s.card.id).collect()
}

fn overlap(a: &[String], b: &[String]) -> f64 {
    a.iter().filter(|x| b.contains(x)).count() as f64 / b.len().max(1) as f64
}

#[derive(Default)]
struct Visit {
    overlap20: f64,
    overlap100: f64,
    raw: usize,
    gzip: usize,
    items: usize,
    assemble_ms: f64,
}

/// What the shell does for one 20-view visit, then the for-you shelves.
fn sharded_visit(
    bootstrap: &[u8],
    chunks: &[(String, Vec<u8>)],
    gz: &[usize],
    views: &[String],
    nprobe: usize,
) -> (Visit, Vec<String>, Vec<String>) {
    let mut set = WorkingSet::open(bootstrap).unwrap();
    let mut visit = Visit::default();
    let add = |set: &mut WorkingSet, c: u32, visit: &mut Visit| {
        if set.add_chunk(c, &chunks[c as usize].1).unwrap() {
            visit.raw += chunks[c as usize].1.len();
            visit.gzip += gz[c as usize];
        }
    };
    for id in views {
        if let Err(d) = set.locate(id) {
            add(&mut set, d, &mut visit);
        }
        let p = set.locate(id).unwrap().unwrap();
        add(&mut set, p, &mut visit);
    }
    let mut recent: Vec<&str> = Vec::new();
    for id in views.iter().rev() {
        if recent.len() < 10 && !recent.contains(&id.as_str()) {
            recent.push(id);
        }
    }
    for d in set.neighbour_chunks(&recent, nprobe).directories {
        add(&mut set, d, &mut visit);
    }
    for p in set.neighbour_chunks(&recent, nprobe).partitions {
        add(&mut set, p, &mut visit);
    }
    let mut engine = Engine::open(set.pack_bytes().unwrap()).unwrap();
    track_all(&mut engine, views);
    for p in set.partitions_for(&engine.profile(NOW_MS), nprobe) {
        add(&mut set, p, &mut visit);
    }
    let started = Instant::now();
    let bytes = set.pack_bytes().unwrap();
    let mut engine = Engine::open(bytes).unwrap();
    track_all(&mut engine, views);
    visit.assemble_ms = started.elapsed().as_secs_f64() * 1000.0;
    visit.items = engine.pack().item_count() as usize;
    (visit, ids(&engine, 20), ids(&engine, 100))
}

fn main() {
    let n: usize = arg("--n", "100000").parse().unwrap();
    let shoppers: usize = arg("--shoppers", "200").parse().unwrap();
    let out = arg("--out", "build/shard-bench");
    let mut rng = SplitMix64::new(15);
    let started = Instant::now();
    let clusters: usize = arg("--clusters", &(n / 100).max(2).to_string()).parse().unwrap();
    let nprobes: Vec<usize> = arg("--nprobes", "4,8,16").split(',').map(|p| p.parse().unwrap()).collect();
    let (contents, cluster_of) = catalog(n, clusters, &mut rng);
    let single = contents.encode().unwrap();
    let contents = Pack::open(single.as_slice()).unwrap().to_contents();
    println!(
        "catalog: {n} items × d {D}, {clusters} clusters; single pack {} B ({} B gzip); generated in {:.1}s",
        single.len(),
        gzip_len(&single),
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let per: usize = arg("--items-per-partition", &ShardConfig::default().items_per_partition.to_string()).parse().unwrap();
    let sharded = split(&contents, &ShardConfig { items_per_partition: per, ..ShardConfig::default() }).unwrap();
    println!(
        "split: {:.1}s; bootstrap {} B ({} B gzip); {} chunks, {} B in all",
        started.elapsed().as_secs_f64(),
        sharded.bootstrap.len(),
        gzip_len(&sharded.bootstrap),
        sharded.chunks.len(),
        sharded.total_bytes()
    );
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(format!("{out}/n{n}.pack"), &single).unwrap();
    sharded.write_folder(std::path::Path::new(&format!("{out}/n{n}-sharded"))).unwrap();
    let gz: Vec<usize> = sharded.chunks.iter().map(|(_, b)| gzip_len(b)).collect();
    let mut members = vec![Vec::new(); clusters];
    cluster_of.iter().enumerate().for_each(|(i, &c)| members[c].push(i as u32));
    let visits: Vec<Vec<String>> = (0..shoppers).map(|_| shopper(&mut rng, &members)).collect();
    println!("first shopper's views (for bench/sharded.mjs --views): {}", visits[0].join(","));
    let mut engine = Engine::open(single).unwrap();
    let mut single_ms = Vec::new();
    let reference: Vec<(Vec<String>, Vec<String>)> = visits
        .iter()
        .map(|views| {
            engine.clear_events();
            track_all(&mut engine, views);
            let t = Instant::now();
            let top20 = ids(&engine, 20);
            single_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            (top20, ids(&engine, 100))
        })
        .collect();
    single_ms.sort_by(f64::total_cmp);
    println!("single pack for-you (k 20), median {:.3} ms over {shoppers} shoppers", single_ms[single_ms.len() / 2]);
    for nprobe in nprobes {
        let mut all: Vec<Visit> = Vec::new();
        for (views, (top20, top100)) in visits.iter().zip(&reference) {
            let (mut v, got20, got100) = sharded_visit(&sharded.bootstrap, &sharded.chunks, &gz, views, nprobe);
            v.overlap20 = overlap(&got20, top20);
            v.overlap100 = overlap(&got100, top100);
            all.push(v);
        }
        let mean = |f: fn(&Visit) -> f64| all.iter().map(f).sum::<f64>() / all.len() as f64;
        let mut gzips: Vec<usize> = all.iter().map(|v| v.gzip).collect();
        gzips.sort_unstable();
        let mut times: Vec<f64> = all.iter().map(|v| v.assemble_ms).collect();
        times.sort_by(f64::total_cmp);
        println!(
            "nprobe {nprobe:>2}: for-you overlap@20 {:.3}, @100 {:.3}; per 20-view visit {:.0} KB raw, {:.0} KB gzip (p95 {:.0} KB); working set {:.0} items; assemble + open + replay median {:.1} ms",
            mean(|v| v.overlap20),
            mean(|v| v.overlap100),
            mean(|v| v.raw as f64) / 1000.0,
            mean(|v| v.gzip as f64) / 1000.0,
            gzips[gzips.len() * 95 / 100] as f64 / 1000.0,
            mean(|v| v.items as f64),
            times[times.len() / 2]
        );
    }
}
