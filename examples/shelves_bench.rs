//! Timing of the shelves on a real pack, against a plain for-you shelf in the same process.
//!
//!   cargo run --release --example shelves_bench [PACK]   (default www/demo/data/shop.pack)
//!
//! Prints the median time per call of each shelf kind and of a five-shelf home page, each as a
//! ratio to the median of a plain for-you shelf (k = 8, no context) measured in the same run.
//! A benchmark, not a test: nothing here passes or fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use shelfwise::engine::{Engine, EventInput};
use shelfwise::page::{ExploreRequest, ShelfRequest};
use shelfwise::shelf::ShelfKind;

const ROUNDS: usize = 60;

fn median_ms(mut f: impl FnMut()) -> f64 {
    f(); // warm up
    let mut times: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[ROUNDS / 2]
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "www/demo/data/shop.pack".to_owned());
    let bytes = std::fs::read(&path).expect("read the pack (run scripts/demo-pack.sh first)");
    let mut engine = Engine::open(bytes).expect("open the pack");
    let n = engine.pack().item_count();
    let now = 1_800_000_000_000.0;
    // A shopper with 30 views, 3 carts, 2 purchases and a search, spread over the catalog.
    for j in 0..30u32 {
        let id = engine.pack().item_id((j * 37) % n).to_owned();
        let kind = match j {
            0 | 1 => "purchase",
            2..=4 => "add_to_cart",
            _ => "view",
        };
        engine
            .track(
                &EventInput { item: Some(id), kind: kind.into(), ts: now - f64::from(30 - j) * 60_000.0, qty: None, query: None },
                now as i64,
            )
            .unwrap();
    }
    engine.track(&EventInput { item: None, kind: "search".into(), ts: now, qty: None, query: Some("candle".into()) }, now as i64).unwrap();
    let now = now as i64;
    let context = engine.pack().item_id(5).to_owned();
    println!("pack {path}: {n} items, dim {}", engine.pack().dim());
    let plain = ShelfRequest { k: Some(8), ..ShelfRequest::new("for-you") };
    let base = median_ms(|| {
        engine.shelf(&plain, now).unwrap();
    });
    println!("{:<28} {:>9.3} ms  (baseline)", "for-you k = 8, no context", base);
    for kind in ShelfKind::ALL {
        let request = ShelfRequest { k: Some(8), item: Some(context.clone()), ..ShelfRequest::new(kind.as_str()) };
        let ms = median_ms(|| {
            engine.shelf(&request, now).unwrap();
        });
        println!("{:<28} {:>9.3} ms  {:>6.2}× baseline", format!("shelf {}", kind.as_str()), ms, ms / base);
    }
    let home = [
        ShelfRequest { k: Some(8), ..ShelfRequest::new("for-you") },
        ShelfRequest { k: Some(6), ..ShelfRequest::new("because-you-viewed") },
        ShelfRequest { k: Some(6), max_per_category: Some(2), ..ShelfRequest::new("trending") },
        ShelfRequest { k: Some(6), ..ShelfRequest::new("trending-in-categories") },
        ShelfRequest { k: Some(6), explore: Some(ExploreRequest { seed: 1, slots: None }), ..ShelfRequest::new("new-for-you") },
    ];
    let ms = median_ms(|| {
        engine.page(&home, now).unwrap();
    });
    println!("{:<28} {:>9.3} ms  {:>6.2}× baseline", "page (5 home shelves)", ms, ms / base);
}
