//! The native side of `npm run bench` (`scripts/bench.sh`); prints figures, asserts nothing.
//!
//! * `gen --n N --d D --out DIR`: writes a synthetic pack `DIR/n{N}-d{D}.pack` (random unit
//!   vectors, short ids, popularity skewed towards 0) and `DIR/n{N}-d{D}.vec`, the same item
//!   vectors for the JS and voy baselines: `u32 n, u32 d, f32 scales[d], f32 popularity[n],
//!   i8 codes[n·d]` (row-major, little-endian; the float vector is `code · scale`).
//! * `run --pack FILE [--reps R]`: opens the pack with the same [`Engine`] the wasm build uses,
//!   records the bench shopper's events (see `common::bench_events`) and prints one JSON line with
//!   the for-you top-20 latency through `Engine::shelf` (median, p95 after warm-up), the kernel alone, the time to
//!   merely read the pack's codes once (what any scan of them pays for memory), open time and
//!   profile costs.
//!
//! Run through cargo: `cargo bench --bench native -- gen --n 10000 --d 64 --out build/bench`.

use std::error::Error;
use std::fs;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use shelfwise::engine::Engine;
use shelfwise::event::{Event, EventKind};
use shelfwise::kernel;
use shelfwise::pack::{quantize_per_dimension, Pack, PackContents, PackItem, UrlTemplates};
use shelfwise::page::ShelfRequest;
use shelfwise::rank::{top_k_by_query, Query};

mod common;
use common::{bench_events, NOW_MS};

/// Shelf size the bench asks for.
const K: usize = 20;

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }
    fn gaussian(&mut self) -> f32 {
        let (u, v) = (self.unit(), self.unit());
        ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
    }
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn need<T: std::str::FromStr>(args: &[String], name: &str) -> Result<T, Box<dyn Error>> {
    let text = arg(args, name).ok_or_else(|| format!("missing {name}"))?;
    text.parse().map_err(|_| format!("{name}: not a valid value: {text}").into())
}

fn generate(n: usize, d: usize, dir: &Path) -> Result<(), Box<dyn Error>> {
    let mut rng = SplitMix(0x5EED ^ (n as u64) << 8 ^ d as u64);
    let mut vectors = vec![0f32; n * d];
    for row in vectors.chunks_exact_mut(d) {
        row.iter_mut().for_each(|x| *x = rng.gaussian());
        let len = row.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        row.iter_mut().for_each(|x| *x /= len);
    }
    let quantized = quantize_per_dimension(&vectors, d);
    drop(vectors);
    let popularity: Vec<f32> = (0..n).map(|_| rng.unit().powi(3) as f32).collect();
    let items = (0..n)
        .map(|i| {
            // Fixed width, so id order is index order.
            let mut item = PackItem::new(format!("{i:05x}"), "", 1.0);
            item.popularity = popularity[i];
            item
        })
        .collect();
    let contents = PackContents {
        builder_version: shelfwise::pack::crate_version(),
        built_at_ms: NOW_MS,
        training_events: 0,
        categories: vec!["All".into()],
        brands: vec!["Synthetic".into()],
        items,
        url_templates: UrlTemplates::default(),
        dim: d as u32,
        scales: quantized.scales.clone(),
        codes: quantized.codes.clone(),
        neighbours: Vec::new(),
        together: Vec::new(),
        rules: Vec::new(),
        image: None,
    };
    let bytes = contents.encode()?;
    fs::create_dir_all(dir)?;
    let stem = dir.join(format!("n{n}-d{d}"));
    fs::write(stem.with_extension("pack"), &bytes)?;
    let mut vec_file = Vec::with_capacity(8 + 4 * d + 4 * n + n * d);
    vec_file.extend_from_slice(&(n as u32).to_le_bytes());
    vec_file.extend_from_slice(&(d as u32).to_le_bytes());
    quantized.scales.iter().for_each(|s| vec_file.extend_from_slice(&s.to_le_bytes()));
    // Popularity as the pack stores it (16-bit), so every ranker sees the same prior.
    let pack = Pack::open(bytes.as_slice())?;
    (0..n as u32).for_each(|i| vec_file.extend_from_slice(&pack.popularity(i).to_le_bytes()));
    vec_file.extend(quantized.codes.iter().map(|&c| c as u8));
    fs::write(stem.with_extension("vec"), &vec_file)?;
    println!("{{\"n\":{n},\"d\":{d},\"pack_bytes\":{},\"pack\":\"{}\"}}", bytes.len(), stem.with_extension("pack").display());
    Ok(())
}

/// Median and 95th percentile of `times` (ms).
fn summary(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// Wrapping sum of `bytes` as little-endian `u64` words (eight independent sums, so the loop
/// is bound by memory, not by one chain of adds).
fn stream_sum(bytes: &[u8]) -> u64 {
    let mut sums = [0u64; 8];
    for line in bytes.chunks_exact(64) {
        for (sum, word) in sums.iter_mut().zip(line.chunks_exact(8)) {
            let word: [u8; 8] = word.try_into().unwrap_or([0; 8]);
            *sum = sum.wrapping_add(u64::from_le_bytes(word));
        }
    }
    sums.iter().fold(0, |a, &b| a.wrapping_add(b))
}

fn run(pack_path: &Path, reps: usize) -> Result<(), Box<dyn Error>> {
    let bytes = fs::read(pack_path)?;
    let t = Instant::now();
    let mut engine = Engine::open(bytes)?;
    let open_ms = ms_since(t);
    let n = engine.pack().item_count();
    let d = engine.pack().dim();
    let events = bench_events(n);
    for e in &events {
        engine.push_event(*e);
    }
    let request = ShelfRequest { k: Some(K), ..ShelfRequest::new("for-you") };
    for _ in 0..5 {
        black_box(engine.shelf(&request, NOW_MS)?);
    }
    let mut times = Vec::with_capacity(reps);
    let mut first = String::new();
    for r in 0..reps {
        let t = Instant::now();
        let shelf = black_box(engine.shelf(&request, NOW_MS)?);
        times.push(ms_since(t));
        if r == 0 {
            first = shelf.items.first().map(|i| i.card.id.clone()).unwrap_or_default();
        }
    }
    let (median, p95) = summary(times);

    // The kernel alone: the same query and filter the engine uses, without profile or cards.
    let profile = engine.profile(NOW_MS);
    let query = Query::new(&profile.interest, engine.pack().embedding_scales());
    let pack = engine.pack();
    let mut times = Vec::with_capacity(reps);
    for r in 0..reps + 5 {
        let t = Instant::now();
        black_box(top_k_by_query(pack, &query, 0.05, K, |i| pack.in_stock(i)));
        if r >= 5 {
            times.push(ms_since(t));
        }
    }
    let (kernel_median, _) = summary(times);

    // A plain read of the blocked codes: every byte loaded once and summed, no multiplies.
    // What streaming the bytes costs on this host at this moment, to hold the kernel against
    // (the host's memory bandwidth swings from run to run, so the two can cross).
    let codes = pack.embedding_blocks().bytes();
    let mut times = Vec::with_capacity(reps);
    for r in 0..reps + 5 {
        let t = Instant::now();
        black_box(stream_sum(black_box(codes)));
        if r >= 5 {
            times.push(ms_since(t));
        }
    }
    let (stream_median, _) = summary(times);

    // Profile: cost of recording one event, and of rebuilding the profile per event held.
    let track_events: Vec<Event> = (0..1000u32)
        .map(|j| Event { item: (j * 104_729) % n, kind: EventKind::View, ts_ms: NOW_MS - i64::from(j) * 1000, qty: 1 })
        .collect();
    engine.clear_events();
    let t = Instant::now();
    for e in &track_events {
        let id = engine.pack().item_id(e.item).to_owned();
        let input = shelfwise::engine::EventInput { item: Some(id), kind: "view".into(), ts: e.ts_ms as f64, qty: None, query: None };
        engine.track(&input, NOW_MS)?;
    }
    let track_us = ms_since(t) * 1e3 / track_events.len() as f64;
    let t = Instant::now();
    let reps_profile = 20;
    for _ in 0..reps_profile {
        black_box(engine.profile(NOW_MS));
    }
    let profile_us = ms_since(t) * 1e3 / (reps_profile * track_events.len()) as f64;

    println!(
        "{{\"n\":{n},\"d\":{d},\"native_ms\":{median:.4},\"native_p95_ms\":{p95:.4},\"native_open_ms\":{open_ms:.3},\
         \"native_track_us_per_event\":{track_us:.3},\"native_profile_us_per_event\":{profile_us:.4},\
         \"native_kernel_ms\":{kernel_median:.4},\"native_stream_ms\":{stream_median:.4},\"native_kernel_path\":\"{}\",\"native_first_item\":\"{first}\",\"reps\":{reps}}}",
        kernel::path_name()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.first().map(String::as_str) {
        Some("gen") => generate(need(&args, "--n")?, need(&args, "--d")?, &PathBuf::from(need::<String>(&args, "--out")?)),
        Some("run") => run(&PathBuf::from(need::<String>(&args, "--pack")?), arg(&args, "--reps").map_or(Ok(50), |r| r.parse())?),
        _ => Err("usage: native gen --n N --d D --out DIR | native run --pack FILE [--reps R]".into()),
    }
}
