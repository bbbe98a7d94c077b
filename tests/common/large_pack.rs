//! A realistic large pack built in-process, and the worst arguments a page can pass: shared by
//! `tests/worst_calls.rs` (a small pack, counts) and `examples/worst_calls.rs` (100k items,
//! timings).
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shelfwise::engine::{Engine, EventInput};
use shelfwise::explore::SplitMix64;
use shelfwise::limits::{page_budget, MAX_DIVERSE_K, MAX_K, MAX_LIST_LEN, MAX_RULES, MAX_SHELVES};
use shelfwise::pack::{quantize_per_dimension, ImageEmbeddings, PackContents, PackItem, PackRule, RuleAction, RuleTarget, UrlTemplates};
use shelfwise::page::{ExploreRequest, ShelfRequest};
use shelfwise::rules::{FilterInput, RuleInput};
use shelfwise::shelf::ShelfKind;

/// "Now" of every call, ms since the epoch (2023-11-14).
pub const NOW_MS: i64 = 1_700_000_000_000;
/// Embedding dimension (the builder's default factors).
pub const DIM: usize = 64;
/// Image embedding dimension (CLIP-like models give 512; a shop would reduce them).
pub const IMAGE_DIM: usize = 32;
/// Categories and brands of the large pack.
pub const CATEGORIES: usize = 60;
pub const BRANDS: usize = 300;

const WORDS: [&str; 40] = [
    "candle",
    "mug",
    "heart",
    "lantern",
    "vintage",
    "glass",
    "holder",
    "set",
    "blue",
    "red",
    "pink",
    "white",
    "wooden",
    "metal",
    "garden",
    "kitchen",
    "christmas",
    "star",
    "paper",
    "napkins",
    "cake",
    "stand",
    "tin",
    "box",
    "bag",
    "jumbo",
    "retro",
    "spot",
    "bunting",
    "doormat",
    "clock",
    "alarm",
    "bakelike",
    "frame",
    "mirror",
    "hanging",
    "t-light",
    "owl",
    "bird",
    "tea",
];

/// A pack of `n` items as a shop's builder writes it: titles of 3–7 shop words, 60
/// categories, 300 brands, 64-d unit embeddings (random), 20 neighbours and 5 bought-together
/// items per item, popularity, trend and interactions (a tenth of the items under-exposed), a
/// fifth out of stock, 50 pack rules and 32-d image embeddings (random).
pub fn large_pack(n: usize, seed: u64) -> Vec<u8> {
    large_pack_with(n, seed, DIM, IMAGE_DIM)
}

/// [`large_pack`] with embeddings of `dim` and image embeddings of `image_dim` dimensions
/// (smaller ones build a 1,000,000-item pack quickly; the page cost depends on their ratio).
pub fn large_pack_with(n: usize, seed: u64, dim: usize, image_dim: usize) -> Vec<u8> {
    let mut rng = SplitMix64::new(seed);
    let mut below = |m: usize| (rng.next_u64() % m as u64) as usize;
    let mut vectors = vec![0f32; n * dim];
    for row in vectors.chunks_exact_mut(dim) {
        row.iter_mut().for_each(|x| *x = (below(2001) as f32 - 1000.0) / 1000.0);
        let len = row.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
        row.iter_mut().for_each(|x| *x /= len);
    }
    let quantized = quantize_per_dimension(&vectors, dim);
    let image_rows: Vec<f32> = (0..n * image_dim).map(|_| (below(2001) as f32 - 1000.0) / 1000.0).collect();
    let image = quantize_per_dimension(&image_rows, image_dim);
    let items: Vec<PackItem> = (0..n)
        .map(|i| {
            let words = 3 + below(5);
            let title: Vec<&str> = (0..words).map(|_| WORDS[below(WORDS.len())]).collect();
            let mut item = PackItem::new(format!("SW-{i:06}"), title.join(" "), 0.5 + below(5000) as f32 / 100.0);
            item.category = below(CATEGORIES) as u32;
            item.brand = below(BRANDS) as u32;
            item.in_stock = below(5) != 0;
            item.popularity = (below(1000) as f32 / 1000.0).powi(3);
            item.trend = below(1000) as f32 / 1000.0;
            item.interactions = if below(10) == 0 { below(3) as u32 } else { 5 + below(500) as u32 };
            item.page_url = format!("/p/SW-{i:06}");
            item.image_url = format!("/img/SW-{i:06}.jpg");
            item
        })
        .collect();
    let mut neighbours = Vec::with_capacity(n);
    let mut together = Vec::with_capacity(n);
    for i in 0..n {
        // Distinct other items.
        let mut others: Vec<u32> = Vec::with_capacity(25);
        while others.len() < 25.min(n - 1) {
            let o = ((i + 1 + below(n - 1)) % n) as u32;
            if !others.contains(&o) {
                others.push(o);
            }
        }
        neighbours.push(others.iter().take(20).enumerate().map(|(j, &o)| (o, 1.0 - j as f32 / 25.0)).collect());
        together.push(others.iter().skip(20).enumerate().map(|(j, &o)| (o, 10 - j as u32)).collect());
    }
    let rules = (0..50u32)
        .map(|r| PackRule {
            target: if r % 2 == 0 { RuleTarget::Item(below(n) as u32) } else { RuleTarget::Category(below(CATEGORIES) as u32) },
            action: match r % 3 {
                0 => RuleAction::Boost(0.5),
                1 => RuleAction::Bury(1.0),
                _ => RuleAction::Pin(r % 8 + 1),
            },
        })
        .collect();
    let mut items = items;
    let url_templates = UrlTemplates::factor_out(&mut items);
    let contents = PackContents {
        builder_version: shelfwise::pack::crate_version(),
        built_at_ms: NOW_MS,
        training_events: 1_000_000,
        categories: (0..CATEGORIES).map(|c| format!("{} {c}", WORDS[c % WORDS.len()])).collect(),
        brands: (0..BRANDS).map(|b| format!("Brand {b}")).collect(),
        items,
        url_templates,
        dim: dim as u32,
        scales: quantized.scales,
        codes: quantized.codes,
        neighbours,
        together,
        rules,
        image: Some(ImageEmbeddings { dim: image_dim as u32, scales: image.scales, codes: image.codes }),
    };
    contents.encode().expect("the large pack encodes")
}

/// The engine of `bytes` with a heavy shopper: `events` events (views, carts, purchases, one
/// every 8.64 minutes; 10,000 is the most the engine keeps) and 100 searches (the most kept).
pub fn heavy_shopper(bytes: Vec<u8>, events: i64) -> Engine {
    let mut engine = Engine::open(bytes).expect("the large pack opens");
    let n = engine.pack().item_count() as u64;
    let mut rng = SplitMix64::new(11);
    for j in 0..events {
        let item = engine.pack().item_id((rng.next_u64() % n) as u32).to_owned();
        let kind = ["view", "view", "view", "click", "add_to_cart", "purchase"][(rng.next_u64() % 6) as usize];
        let ts = (NOW_MS - (events - j) * 518_400) as f64;
        engine.track(&EventInput { item: Some(item), kind: kind.into(), ts, qty: None, query: None }, NOW_MS).unwrap();
    }
    for j in 0..100i64 {
        let query = format!("{} {}", WORDS[j as usize % WORDS.len()], "candle ".repeat(100));
        let event = EventInput { item: None, kind: "search".into(), ts: (NOW_MS - 100 + j) as f64, qty: None, query: Some(query) };
        engine.track(&event, NOW_MS).unwrap();
    }
    engine
}

/// One hostile call: a name and the shelf requests of one `page` call.
pub struct WorstCall {
    pub name: String,
    pub requests: Vec<ShelfRequest>,
}

/// A long query (210 KB), as in issue #20.
pub fn long_query() -> String {
    "candle ".repeat(30_000)
}

/// The heaviest request for `kind` within the bounds: the largest k (100 with diversity),
/// a 210 KB query, 1,000 excluded ids and cart ids, filters naming 1,000 categories,
/// 1,000 call-time rules (pins and boosts of categories, whose pins search the catalog), a
/// category cap, exploration and a long title.
pub fn worst_request(engine: &Engine, kind: ShelfKind, diverse: bool) -> ShelfRequest {
    let pack = engine.pack();
    let n = pack.item_count();
    let id = |i: u32| pack.item_id(i % n).to_owned();
    let category = |c: usize| pack.category_name(c as u32 % pack.category_count()).to_owned();
    let rules = (0..MAX_RULES)
        .map(|r| RuleInput {
            action: ["pin", "boost", "bury"][r % 3].into(),
            item: (r % 2 == 0).then(|| id(r as u32 * 7)),
            category: (r % 2 == 1).then(|| category(r)),
            weight: None,
            position: (r % 3 == 0).then_some(1.0 + (r % 100) as f64),
        })
        .collect();
    ShelfRequest {
        kind: kind.as_str().into(),
        k: Some(if diverse { MAX_DIVERSE_K } else { MAX_K }),
        item: Some(id(3)),
        category: Some(category(1)),
        query: Some(long_query()),
        cart: Some((0..MAX_LIST_LEN as u32).map(|i| id(i * 13)).collect()),
        exclude: (0..MAX_LIST_LEN as u32).map(|i| id(i * 31 + 1)).collect(),
        filters: FilterInput {
            categories: Some((0..MAX_LIST_LEN).map(category).collect()),
            exclude_categories: (0..MAX_LIST_LEN).map(|c| format!("no such category {c}")).collect(),
            ..FilterInput::default()
        },
        rules,
        max_per_category: Some(2),
        diversity: diverse.then_some(1.0),
        explore: Some(ExploreRequest { seed: 7, slots: Some(1_000) }),
        title: Some("T".repeat(1_000_000)),
    }
}

/// The kinds of a shop's plain page (k = 8 each, on a product page): what the page budget must
/// always admit, on a 100,000-item pack and on a 1,000,000-item one.
pub const SHOP_PAGE: [ShelfKind; 6] = [
    ShelfKind::ForYou,
    ShelfKind::Trending,
    ShelfKind::Similar,
    ShelfKind::BecauseYouViewed,
    ShelfKind::BoughtTogether,
    ShelfKind::TrendingInCategories,
];

/// A shop's plain page of [`SHOP_PAGE`]: k = 8, the product on the page and its category as
/// context, nothing else.
pub fn shop_page(engine: &Engine) -> Vec<ShelfRequest> {
    let item = engine.pack().item_id(3).to_owned();
    let category = pack_category(engine, 1);
    SHOP_PAGE
        .iter()
        .map(|kind| ShelfRequest {
            k: Some(8),
            item: Some(item.clone()),
            category: Some(category.clone()),
            ..ShelfRequest::new(kind.as_str())
        })
        .collect()
}

/// Every hostile call: a shop's plain page, each shelf kind at its worst, with and without
/// diversity, the most copies of each such shelf a page's cost budget admits, the longest
/// page of such shelves (diversity on, mixed kinds) within the budget, and a full page (20
/// shelves, 2,000 items in all), which on a large pack is over the budget (refused).
pub fn worst_calls(engine: &Engine) -> Vec<WorstCall> {
    let budget = page_budget(engine.pack().item_count());
    let mut calls = vec![WorstCall { name: "a shop's page: 6 plain shelves, k=8".into(), requests: shop_page(engine) }];
    for kind in ShelfKind::ALL {
        for diverse in [false, true] {
            let name = format!("{}{}", kind.as_str(), if diverse { " diversity=1 k=100" } else { " k=1000" });
            calls.push(WorstCall { name, requests: vec![worst_request(engine, kind, diverse)] });
        }
    }
    // The heaviest pages the budget admits: as many copies of one worst shelf as fit.
    for kind in ShelfKind::ALL {
        for diverse in [false, true] {
            let shelf = worst_request(engine, kind, diverse);
            let copies =
                (1..=MAX_SHELVES).take_while(|&n| engine.page_cost(&vec![shelf.clone(); n]).unwrap() <= budget).last().unwrap_or(0);
            if copies >= 2 {
                let name = format!("page of {copies} × {}{}", kind.as_str(), if diverse { " diversity=1 k=100" } else { " k=1000" });
                calls.push(WorstCall { name, requests: vec![shelf; copies] });
            }
        }
    }
    let page: Vec<ShelfRequest> = (0..MAX_SHELVES).map(|s| worst_request(engine, ShelfKind::ALL[s % ShelfKind::ALL.len()], true)).collect();
    let fits = (1..=page.len()).take_while(|&n| engine.page_cost(&page[..n]).unwrap() <= budget).last().unwrap_or(0);
    if fits < page.len() {
        calls.push(WorstCall { name: format!("page of {fits} shelves (the budget), diversity=1 k=100"), requests: page[..fits].to_vec() });
    }
    calls.push(WorstCall { name: format!("page of {MAX_SHELVES} shelves, diversity=1 k=100"), requests: page });
    calls
}

fn pack_category(engine: &Engine, c: u32) -> String {
    engine.pack().category_name(c % engine.pack().category_count()).to_owned()
}

/// Single shelves that isolate each term of the page cost model (`Engine::page_cost`), for
/// `examples/worst_calls.rs --model` and `bench/worst-calls.mjs --model` (the same names and
/// requests): for each shelf kind, a plain shelf (k = 8, the product and category of the page
/// as context), then k = 1,000 alone and with one option at a time (the worst request's
/// filters and exclusions, filters so narrow that a few dozen items pass, its rules without
/// category pins, only its category pins, exploration), diversity 1 at k = 100, and the worst requests.
pub fn model_calls(engine: &Engine) -> Vec<WorstCall> {
    let mut calls = Vec::new();
    for kind in ShelfKind::ALL {
        let worst = worst_request(engine, kind, false);
        let plain =
            ShelfRequest { k: Some(8), item: worst.item.clone(), category: worst.category.clone(), ..ShelfRequest::new(kind.as_str()) };
        let big = ShelfRequest { k: Some(MAX_K), ..plain.clone() };
        let category_pin = |r: &RuleInput| r.action == "pin" && r.category.is_some();
        // One category and the cheapest 1% of prices: a few dozen items pass, so every walk of
        // the trend order (the shelf's own, the fill-up, the category pins) reads the catalog.
        let narrow = FilterInput { categories: Some(vec![pack_category(engine, 1)]), max_price: Some(1.0), ..FilterInput::default() };
        let nothing = FilterInput { categories: Some(vec!["no such category".into()]), ..FilterInput::default() };
        let variants = [
            ("k=8", plain.clone()),
            ("k=1000", big.clone()),
            ("k=1000 filters", ShelfRequest { filters: worst.filters.clone(), exclude: worst.exclude.clone(), ..big.clone() }),
            ("k=1000 narrow filters", ShelfRequest { filters: narrow.clone(), ..big.clone() }),
            ("k=1000 nothing passes, cart", ShelfRequest { filters: nothing.clone(), item: None, cart: worst.cart.clone(), ..big.clone() }),
            ("k=1000 rules", ShelfRequest { rules: worst.rules.iter().filter(|r| !category_pin(r)).cloned().collect(), ..big.clone() }),
            (
                "k=1000 category pins",
                ShelfRequest { rules: worst.rules.iter().filter(|r| category_pin(r)).cloned().collect(), ..big.clone() },
            ),
            ("k=1000 explore", ShelfRequest { explore: worst.explore, ..big.clone() }),
            ("k=100 diversity=1", ShelfRequest { k: Some(MAX_DIVERSE_K), diversity: Some(1.0), ..plain.clone() }),
            ("worst k=1000", worst),
            ("worst diversity=1 k=100", worst_request(engine, kind, true)),
        ];
        for (name, request) in variants {
            calls.push(WorstCall { name: format!("{} {name}", kind.as_str()), requests: vec![request] });
        }
    }
    calls
}
