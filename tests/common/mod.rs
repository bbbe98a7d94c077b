//! Shared fixtures for the integration tests.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shelfwise::engine::{Engine, EventInput};
use shelfwise::pack::{PackContents, PackItem, PackRule, RuleAction, RuleTarget, UrlTemplates};
use shelfwise::shelf::Shelf;

/// The clock of the engine tests (ms since the Unix epoch).
pub const NOW: i64 = 1_700_000_000_000;
/// One minute in ms, as event timestamps count.
pub const MINUTE: f64 = 60_000.0;

/// A small, fully deterministic pack: 6 items in 2 categories with 4-d embeddings, where
/// items 0–2 ("Candles") point one way and items 3–5 ("Mugs") the other. It uses every
/// section of the format: page URLs come from a template except item 5's, image URLs are
/// per item, item 2 is out of stock, and there are neighbours, bought-together lists and rules.
pub fn sample_contents() -> PackContents {
    let names = ["Amber Candle", "Pillar Candle", "Tealight Set", "Blue Mug", "Stripe Mug", "Tall Mug"];
    let items = names
        .iter()
        .enumerate()
        .map(|(i, title)| PackItem {
            id: format!("SKU-{i}"),
            title: (*title).to_owned(),
            category: u32::from(i >= 3),
            brand: (i % 2) as u32,
            price: 2.5 + i as f32,
            in_stock: i != 2,
            image_url: format!("img/{i}.svg"),
            page_url: if i == 5 { "https://shop.example/tall-mug".to_owned() } else { String::new() },
            popularity: unit([0.2, 0.3, 0.1, 1.0, 0.9, 0.8][i]),
            trend: unit([0.5, 0.0, 0.25, 1.0, 0.0, 0.75][i]),
            interactions: [3, 4, 0, 9, 7, 5][i],
            sales_rate: None,
        })
        .collect();
    let codes: Vec<i8> = vec![
        100, 10, 0, 5, //
        90, 20, 5, 0, //
        80, 0, 10, 0, //
        0, 5, 100, 10, //
        5, 0, 90, 20, //
        0, 10, 80, 0,
    ];
    PackContents {
        builder_version: (0, 1, 0),
        built_at_ms: 1_700_000_000_000,
        training_events: 42,
        categories: vec!["Candles".into(), "Mugs".into()],
        brands: vec!["Acme".into(), "Birch".into()],
        items,
        url_templates: UrlTemplates { page: "#/item/{id}".into(), image: String::new() },
        dim: 4,
        scales: vec![0.01, 0.02, 0.01, 0.02],
        codes,
        neighbours: vec![
            vec![(1, unit(0.75)), (2, unit(0.5))],
            vec![(0, unit(0.75))],
            vec![(0, unit(0.5)), (1, unit(0.25))],
            vec![(4, 1.0), (5, unit(0.5))],
            vec![(3, 1.0)],
            vec![],
        ],
        together: vec![vec![(3, 4), (1, 2)], vec![(0, 2)], vec![], vec![(0, 4)], vec![], vec![]],
        rules: vec![
            PackRule { target: RuleTarget::Item(5), action: RuleAction::Pin(1) },
            PackRule { target: RuleTarget::Category(0), action: RuleAction::Boost(0.25) },
            PackRule { target: RuleTarget::Item(1), action: RuleAction::Bury(0.5) },
        ],
        image: None,
    }
}

/// Image embeddings for the sample's six items (dimension 3): item 4 has no image vector (a
/// zero row); item 5 uses the widest code.
pub fn sample_image() -> shelfwise::pack::ImageEmbeddings {
    let codes = vec![1, 2, 3, 4, 5, 6, -1, -2, -3, 7, 8, 9, 0, 0, 0, 10, -10, 127];
    shelfwise::pack::ImageEmbeddings { dim: 3, scales: vec![0.5, 0.25, 1.0], codes }
}

/// `v` rounded to what a pack stores for values in [0, 1] (steps of 1/65535).
pub fn unit(v: f32) -> f32 {
    (v * 65535.0).round() / 65535.0
}

pub fn sample_pack_bytes() -> Vec<u8> {
    sample_contents().encode().expect("the sample pack encodes")
}

/// Reads every accessor of every item (all the engine may touch), checking that each item's id
/// finds it again and its embedding row has `dim` codes.
pub fn read_everything<B: AsRef<[u8]>>(pack: &shelfwise::pack::Pack<B>) {
    for i in 0..pack.item_count() {
        let _ = (pack.item_id(i), pack.title(i), pack.category(i), pack.brand(i), pack.price(i), pack.in_stock(i));
        let _ = (pack.image_url(i), pack.page_url(i), pack.popularity(i), pack.demand_trend(i), pack.interactions(i));
        let _ = (pack.neighbours(i).count(), pack.bought_together(i).count());
        assert_eq!(pack.embedding_iter(i).count(), pack.dim(), "item {i}");
        let image = pack.image_embedding_blocks().map_or(0, |b| b.codes_of(i as usize).count());
        assert_eq!(image, pack.image_dim(), "item {i}");
        assert_eq!(shelfwise::vector::unit_image_vector(pack, i).len(), pack.image_dim(), "item {i}");
        assert_eq!(pack.find_item(pack.item_id(i)), Some(i), "item {i}");
    }
}

/// Recomputes the header's checksum (over everything but itself) after a test edited the bytes.
pub fn fix_checksum(bytes: &mut [u8]) {
    let checksum = shelfwise::pack::pack_checksum(bytes);
    bytes[32..36].copy_from_slice(&checksum.to_le_bytes());
}

/// A 24-item shop in 4 categories ("Candles", "Mugs", "Lamps", "Throws", 6 items each) and 3
/// brands, with 4-d embeddings where each category points along its own axis (items within a
/// category differ a little), prices rising within each category, popularity falling with the
/// index within a category (item 0 of each category is the most popular), interactions of
/// 100 × popularity, a trend rising with the index (item 4 of each category trends most), and
/// item 5 of each category out of stock. No neighbour or bought-together lists and no rules:
/// tests add them where they need them.
pub fn shop_contents() -> PackContents {
    let categories = ["Candles", "Mugs", "Lamps", "Throws"];
    let names = [
        ["Heart Candle", "Pillar Candle", "Tealight Set", "Amber Candle", "Cedar Candle", "Beeswax Candle"],
        ["Blue Mug", "Stripe Mug", "Tall Mug", "Heart Mug", "Espresso Cup", "Travel Mug"],
        ["Desk Lamp", "Floor Lamp", "Heart Lamp", "String Lights", "Reading Lamp", "Paper Lantern"],
        ["Wool Throw", "Cotton Throw", "Knit Blanket", "Fleece Throw", "Linen Throw", "Heart Throw"],
    ];
    let mut items = Vec::new();
    let mut codes = Vec::new();
    for (c, row) in names.iter().enumerate() {
        for (j, title) in row.iter().enumerate() {
            let i = c * 6 + j;
            items.push(PackItem {
                id: format!("S-{i:02}"),
                title: (*title).to_owned(),
                category: c as u32,
                brand: (i % 3) as u32,
                price: 5.0 + 5.0 * j as f32 + c as f32,
                in_stock: j != 5,
                image_url: format!("img/{i}.svg"),
                page_url: String::new(),
                popularity: unit([1.0, 0.8, 0.6, 0.4, 0.2, 0.1][j] * [1.0, 0.9, 0.7, 0.5][c]),
                trend: unit([0.1, 0.2, 0.3, 0.4, 0.9, 0.5][j] * [1.0, 0.9, 0.8, 0.7][c]),
                interactions: ([100.0, 80.0, 60.0, 40.0, 20.0, 10.0][j] * [1.0, 0.9, 0.7, 0.5][c]) as u32,
                sales_rate: None,
            });
            let mut row_codes = [0i8; 4];
            row_codes[c] = 100 - 8 * j as i8;
            row_codes[(c + 1) % 4] = 6 * j as i8;
            codes.extend_from_slice(&row_codes);
        }
    }
    PackContents {
        builder_version: (0, 1, 0),
        built_at_ms: 1_700_000_000_000,
        training_events: 1000,
        categories: categories.iter().map(|s| (*s).to_owned()).collect(),
        brands: vec!["Acme".into(), "Birch".into(), "Cove".into()],
        items,
        url_templates: UrlTemplates { page: "#/item/{id}".into(), image: String::new() },
        dim: 4,
        scales: vec![0.01; 4],
        codes,
        neighbours: vec![Vec::new(); 24],
        together: vec![Vec::new(); 24],
        rules: Vec::new(),
        image: None,
    }
}

pub fn shop_pack_bytes() -> Vec<u8> {
    shop_contents().encode().expect("the shop pack encodes")
}

/// An engine over [`shop_pack_bytes`], with no events.
pub fn shop_engine() -> Engine {
    Engine::open(shop_pack_bytes()).expect("the shop pack opens")
}

/// Tracks a `kind` event of `item`, `minutes_ago` minutes before [`NOW`].
pub fn track(engine: &mut Engine, kind: &str, item: &str, minutes_ago: f64) {
    let input = EventInput { item: Some(item.into()), kind: kind.into(), ts: NOW as f64 - minutes_ago * MINUTE, qty: None, query: None };
    engine.track(&input, NOW).expect("the event is valid");
}

/// The ids on a shelf, in order.
pub fn shelf_ids(shelf: &Shelf) -> Vec<&str> {
    shelf.items.iter().map(|i| i.card.id.as_str()).collect()
}

/// Runs the `shelfwise` CLI with `args`.
#[cfg(feature = "cli")]
pub fn shelfwise(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_shelfwise")).args(args).output().expect("the binary runs")
}

/// Runs the `shelfwise` CLI: whether it succeeded, and its stderr.
#[cfg(feature = "cli")]
pub fn run_shelfwise(args: &[&str]) -> (bool, String) {
    let out = shelfwise(args);
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Runs the `shelfwise` CLI: whether it succeeded, its stdout and its stderr.
#[cfg(feature = "cli")]
pub fn run_shelfwise_out(args: &[&str]) -> (bool, String, String) {
    let out = shelfwise(args);
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}
