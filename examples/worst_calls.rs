//! Times the worst calls a page can make (issue #20: "any call on a 100k-item pack finishes
//! in ≤ 50 ms, or is refused"), natively, on a realistic pack built in-process.
//!
//!   cargo run --release --features cli --example worst_calls -- [--items N] [--reps R] [--only NAME] [--write-pack FILE] [--model] [--digest]
//!
//! Builds the pack of `tests/common/large_pack.rs` (default 100,000 items, 64-d), gives it a
//! shopper with 10,000 events and 100 searches, and times through [`Engine::page`] (the one
//! ranking path) each shelf kind with the heaviest arguments within `src/limits.rs`, and a
//! page of 20 such shelves, beside a plain for-you shelf (k = 8) as the same-process
//! baseline. Prints the CPU, then per call the median and the slowest of R runs (wall ms), the
//! mean CPU time of a run (ms, from `/proc/thread-self/schedstat`: on a shared machine the
//! steadier figure) and the median's ratio to the baseline's (`--write-pack FILE` also writes
//! the pack, for `bench/worst-calls.mjs`, the same calls in Chromium); a call the engine refuses (a page
//! over its cost budget) is printed as refused. `--model` times instead the calls that isolate
//! each term of the cost model (`model_calls`), each with its cost (`Engine::page_cost`, item
//! reads) and its time per million modelled reads (printed for every call). `--digest` prints instead a hash of each
//! call's shelves as JSON (items, scores, explanations), untimed: two builds rank alike when
//! their digests match. A benchmark helper, not a test: nothing here passes or
//! fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use shelfwise::page::ShelfRequest;

#[path = "../tests/common/large_pack.rs"]
mod large_pack;
use large_pack::{heavy_shopper, large_pack, model_calls, worst_calls, NOW_MS};

fn cpu_name() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let name = info.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{} ({cores} logical CPUs)", name.unwrap_or_else(|| "unknown CPU".into()))
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map_or(default, |v| v.parse().expect("a number"))
}

/// This thread's time on a CPU so far, in ns (`/proc/thread-self/schedstat`, first field), or
/// `None` where the kernel does not say. Unlike wall time it leaves out the time the thread
/// waited for a CPU, which on a shared machine is most of a call's wall time.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

/// Median and maximum wall time of `reps` runs of `call`, and the mean CPU time per run, in ms.
fn time(reps: usize, mut call: impl FnMut()) -> (f64, f64, Option<f64>) {
    call(); // warm-up
    let cpu_before = thread_cpu_ns();
    let mut ms: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            call();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let cpu = cpu_before.zip(thread_cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e6 / reps as f64);
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() - 1], cpu)
}

fn cpu_text(cpu: Option<f64>) -> String {
    cpu.map_or_else(|| "-".into(), |c| format!("{c:.2}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let items = arg(&args, "--items", 100_000);
    let reps = arg(&args, "--reps", 7).max(1);
    println!("CPU: {}", cpu_name());
    println!("load average: {}", std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim());
    let t = Instant::now();
    let bytes = large_pack(items, 5);
    if let Some(path) = args.iter().position(|a| a == "--write-pack").and_then(|i| args.get(i + 1)) {
        // The same pack for the browser's measurement (bench/worst-calls.mjs).
        std::fs::write(path, &bytes).expect("the pack is written");
        println!("pack written to {path}");
    }
    let engine = heavy_shopper(bytes, 10_000);
    println!(
        "pack: {items} items, dim {}, {} events; built in {:.1} s",
        engine.pack().dim(),
        engine.events().len(),
        t.elapsed().as_secs_f64()
    );
    let plain = [ShelfRequest { k: Some(8), ..ShelfRequest::new("for-you") }];
    let (base, base_max, base_cpu) = time(reps, || drop(black_box(engine.page(&plain, NOW_MS).unwrap())));
    println!("{:<45} {:>9} {:>9} {:>9} {:>7}", "call", "median ms", "max ms", "cpu ms", "× base");
    println!("{:<45} {base:>9.2} {base_max:>9.2} {:>9} {:>7.1}", "baseline: for-you k=8", cpu_text(base_cpu), 1.0);
    let only = args.iter().position(|a| a == "--only").and_then(|i| args.get(i + 1));
    let model = args.iter().any(|a| a == "--model");
    let calls = if model { model_calls(&engine) } else { worst_calls(&engine) };
    println!("{:<45} {:>9} {:>9} {:>9} {:>7} {:>10} {:>9}", "", "", "", "", "", "cost", "ms/M");
    let digest = args.iter().any(|a| a == "--digest");
    for call in calls.into_iter().filter(|c| only.is_none_or(|o| c.name.contains(o.as_str()))) {
        match engine.page(&call.requests, NOW_MS) {
            Err(e) => println!("{:<45} refused: {e}", call.name),
            Ok(shelves) if digest => {
                let mut hasher = std::hash::DefaultHasher::new();
                std::hash::Hash::hash(&serde_json::to_string(&shelves).unwrap(), &mut hasher);
                println!("{:<45} {:016x}", call.name, std::hash::Hasher::finish(&hasher));
            }
            Ok(_) => {
                let (median, max, cpu) = time(reps, || drop(black_box(engine.page(&call.requests, NOW_MS).unwrap())));
                let line = format!("{:<45} {median:>9.2} {max:>9.2} {:>9} {:>7.1}", call.name, cpu_text(cpu), median / base);
                let cost = engine.page_cost(&call.requests).unwrap();
                println!("{line} {cost:>10} {:>9.2}", median / (cost as f64 / 1e6));
            }
        }
    }
}
