//! A realistic synthetic home & gift shop, generated deterministically from a seed.
//!
//! The synthetic shop lets the builder, the demo page and the tests run without real shop data.
//! It is meant to have the kind of structure a recommender should find:
//!
//! * **Catalog.** About ten categories of a home & gift shop, each with its own word lists, so
//!   products get plausible names ("Honey Beeswax Pillar Candle", "Mint Linen Tote Bag"), a
//!   one-sentence description, a log-normal price around the category's median (shaped by the
//!   brand's price level and rounded to `.49` / `.99`), ~95 % in stock, a made-up brand and a
//!   *style* (rustic, modern, pastel, vintage, nordic) that cuts across categories. Every item
//!   also has a hidden Zipf-like popularity.
//! * **Shoppers.** Each shopper has hidden tastes: one to three favourite categories (weighted),
//!   a preferred style, a price band and, for some, a favourite brand. Their sessions (spread
//!   over `days`, during the day's shopping hours) mostly browse items that fit those tastes,
//!   mixed with popular-item noise; fitting items are more likely to be clicked and carted.
//!   Carts are sometimes trimmed (`remove_from_cart`) and often checked out as a basket
//!   (`B000123`); consumables (candles, soaps, cards …) get bought again in later sessions.
//!   Some views are preceded by a search for the product's kind (`query: "pillar candle"`).
//!
//! Everything is drawn from [`StdRng`] streams seeded from [`SynthConfig::seed`] (the catalog
//! from one stream, each shopper from their own), and no hash map is iterated, so the same
//! configuration always yields byte-identical output. The catalog does not depend on the number
//! of shoppers or days.
//!
//! [`category_images`] renders one small SVG tile per category; items reference it as
//! `img/<slug>.svg`.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::build::input::{CatalogItem, RawEvent};
use crate::event::EventKind;

/// 2026-06-01T00:00:00Z in milliseconds since the Unix epoch (the default first shop day).
pub const DEFAULT_START_MS: i64 = 1_780_272_000_000;

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// Settings of the synthetic shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// Seed of every random draw; the same seed gives the same shop.
    pub seed: u64,
    /// Number of catalog items.
    pub items: usize,
    /// Number of shoppers.
    pub shoppers: usize,
    /// Number of days the event log spans.
    pub days: u32,
    /// Start of the first day, in milliseconds since the Unix epoch (UTC).
    pub start_ms: i64,
}

impl Default for SynthConfig {
    /// Seed 7, 600 items, 800 shoppers, 120 days from 2026-06-01 (≈ 60k events).
    fn default() -> Self {
        SynthConfig { seed: 7, items: 600, shoppers: 800, days: 120, start_ms: DEFAULT_START_MS }
    }
}

/// A generated shop: its catalog and its interaction log (sorted by time).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SynthShop {
    /// Catalog items, ids `SW-00001`, `SW-00002`, …
    pub catalog: Vec<CatalogItem>,
    /// Events of all shoppers, sorted by `ts_ms` (ties keep generation order).
    pub events: Vec<RawEvent>,
}

// ---------------------------------------------------------------------------------------------
// Vocabulary of the shop.
// ---------------------------------------------------------------------------------------------

/// A kind of product within a category ("Pillar Candle") and whether shoppers use it up.
struct ProductKind {
    name: &'static str,
    consumable: bool,
}

const fn kind(name: &'static str) -> ProductKind {
    ProductKind { name, consumable: false }
}

const fn used_up(name: &'static str) -> ProductKind {
    ProductKind { name, consumable: true }
}

/// How a category's SVG tile looks: tile colour, ink colour and the picture (SVG elements in a
/// 128 × 128 box; `INK` is replaced by the ink colour).
struct TileArt {
    tile: &'static str,
    ink: &'static str,
    picture: &'static str,
}

/// One category of the shop and the words its products are named with.
struct CategorySpec {
    name: &'static str,
    /// Median price in the shop's currency.
    median_price: f64,
    /// How many shoppers care about it, relative to the others.
    appeal: f64,
    kinds: &'static [ProductKind],
    materials: &'static [&'static str],
    /// Ends of the description sentence.
    phrases: &'static [&'static str],
    art: TileArt,
}

const CATEGORIES: [CategorySpec; 10] = [
    CategorySpec {
        name: "Candles & Lights",
        median_price: 14.0,
        appeal: 1.3,
        kinds: &[
            used_up("Pillar Candle"),
            used_up("Scented Candle"),
            used_up("Tealight Set"),
            used_up("Dinner Candles"),
            used_up("Wax Melt Pack"),
            used_up("Travel Tin Candle"),
            kind("Tealight Holder"),
            kind("Lantern"),
            kind("String Lights"),
            kind("Candle Snuffer"),
            kind("Table Lamp"),
            kind("Storm Lantern"),
        ],
        materials: &["Beeswax", "Soy Wax", "Amber Glass", "Brass", "Ceramic"],
        phrases: &["made for slow evenings at home", "that fills the room with a soft glow", "a favourite for gifting"],
        art: TileArt {
            tile: "#fbe7c6",
            ink: "#e07a5f",
            picture: concat!(
                r##"<rect x="40" y="100" width="48" height="6" rx="3" fill="INK" opacity=".55"/>"##,
                r##"<rect x="50" y="56" width="28" height="44" rx="5" fill="INK"/>"##,
                r##"<rect x="63" y="47" width="2" height="10" fill="#5b4636"/>"##,
                r##"<path d="M64 22c7 9 10 15 10 20a10 10 0 0 1-20 0c0-5 3-11 10-20z" fill="#f7b733"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Kitchen",
        median_price: 18.0,
        appeal: 1.2,
        kinds: &[
            kind("Mug"),
            kind("Tea Towel"),
            kind("Serving Bowl"),
            kind("Chopping Board"),
            kind("Teapot"),
            kind("Utensil Pot"),
            kind("Oven Glove"),
            kind("Butter Dish"),
            kind("Salad Servers"),
            kind("Spice Jar Set"),
            kind("Cake Tin"),
            kind("Coffee Canister"),
        ],
        materials: &["Stoneware", "Enamel", "Acacia", "Linen", "Porcelain"],
        phrases: &["made for everyday cooking", "that turns breakfast into a small ritual", "sturdy enough for daily use"],
        art: TileArt {
            tile: "#dff1ec",
            ink: "#2a9d8f",
            picture: concat!(
                r##"<path d="M50 40c-4-6 4-10 0-16M64 40c-4-6 4-10 0-16" fill="none" stroke="INK" stroke-width="3" stroke-linecap="round" opacity=".6"/>"##,
                r##"<path d="M80 60h6a10 10 0 0 1 0 20h-6" fill="none" stroke="INK" stroke-width="7"/>"##,
                r##"<rect x="36" y="48" width="44" height="52" rx="8" fill="INK"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Bags",
        median_price: 28.0,
        appeal: 0.9,
        kinds: &[
            kind("Tote Bag"),
            kind("Shopper"),
            kind("Crossbody Bag"),
            kind("Washbag"),
            kind("Backpack"),
            kind("Clutch"),
            kind("Weekender"),
            kind("Purse"),
            kind("Lunch Bag"),
            kind("Beach Bag"),
            kind("Card Holder"),
            kind("Bucket Bag"),
        ],
        materials: &["Canvas", "Linen", "Leather", "Jute", "Corduroy"],
        phrases: &["roomy enough for a day out", "that goes with everything", "built to be carried for years"],
        art: TileArt {
            tile: "#f3e3d3",
            ink: "#a0714f",
            picture: concat!(
                r##"<path d="M50 58V46a14 14 0 0 1 28 0v12" fill="none" stroke="INK" stroke-width="6" stroke-linecap="round"/>"##,
                r##"<path d="M34 56h60l-6 46H40z" fill="INK" stroke="INK" stroke-width="4" stroke-linejoin="round"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Stationery",
        median_price: 8.0,
        appeal: 0.9,
        kinds: &[
            kind("Notebook"),
            used_up("Greeting Card"),
            kind("Pen Set"),
            used_up("Wrapping Paper"),
            kind("Desk Planner"),
            used_up("Sticky Notes"),
            kind("Pencil Case"),
            used_up("Gift Tags"),
            used_up("Washi Tape"),
            kind("Photo Album"),
            kind("Letter Set"),
            kind("Bookmark"),
        ],
        materials: &["Recycled Paper", "Kraft Paper", "Linen Cloth", "Gold Foil", "Cotton Rag"],
        phrases: &["for lists, letters and plans", "that makes a desk feel tidy", "a small joy to write with"],
        art: TileArt {
            tile: "#e4e9f7",
            ink: "#5366b3",
            picture: concat!(
                r##"<rect x="36" y="28" width="46" height="70" rx="4" fill="INK"/>"##,
                r##"<path d="M46 46h26M46 56h26M46 66h18" stroke="#fff" stroke-width="3" stroke-linecap="round" opacity=".8"/>"##,
                r##"<g transform="rotate(30 90 70)">"##,
                r##"<rect x="85" y="36" width="10" height="52" rx="2" fill="#f2c14e"/>"##,
                r##"<path d="M85 88h10l-5 11z" fill="#5b4636"/>"##,
                r##"</g>"##,
            ),
        },
    },
    CategorySpec {
        name: "Garden",
        median_price: 16.0,
        appeal: 0.8,
        kinds: &[
            kind("Plant Pot"),
            kind("Watering Can"),
            used_up("Seed Kit"),
            kind("Bird Feeder"),
            kind("Gardening Gloves"),
            kind("Trowel"),
            kind("Herb Planter"),
            kind("Hanging Basket"),
            kind("Plant Mister"),
            kind("Garden Kneeler"),
            kind("Solar Lantern"),
            kind("Twine Dispenser"),
        ],
        materials: &["Terracotta", "Galvanised Steel", "Zinc", "Rattan", "Bamboo"],
        phrases: &["for balconies, patios and window sills", "that weathers beautifully outdoors", "a gift for anyone with green fingers"],
        art: TileArt {
            tile: "#e3f1dc",
            ink: "#b5653b",
            picture: concat!(
                r##"<path d="M64 70V44" stroke="#3d7a4a" stroke-width="4" stroke-linecap="round"/>"##,
                r##"<ellipse cx="54" cy="48" rx="12" ry="6" transform="rotate(-30 54 48)" fill="#4f9a5f"/>"##,
                r##"<ellipse cx="74" cy="40" rx="12" ry="6" transform="rotate(30 74 40)" fill="#4f9a5f"/>"##,
                r##"<path d="M44 74h40l-5 28H49z" fill="INK"/>"##,
                r##"<rect x="40" y="68" width="48" height="9" rx="3" fill="INK"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Toys",
        median_price: 15.0,
        appeal: 0.8,
        kinds: &[
            kind("Plush Bunny"),
            kind("Toy Train"),
            kind("Stacking Rings"),
            kind("Puzzle"),
            kind("Rag Doll"),
            kind("Skipping Rope"),
            kind("Building Blocks"),
            kind("Spinning Top"),
            kind("Jigsaw"),
            kind("Kite"),
            kind("Tea Party Set"),
            kind("Pull-Along Duck"),
        ],
        materials: &["Beech Wood", "Wool Felt", "Organic Cotton", "Tinplate", "Cork"],
        phrases: &["for little hands and big imaginations", "made to be played with and handed down", "a classic that never gets old"],
        art: TileArt {
            tile: "#fde2e4",
            ink: "#e5989b",
            picture: concat!(
                r##"<polygon points="64.0,32.0 73.4,55.1 98.2,56.9 79.2,72.9 85.2,97.1 64.0,84.0 42.8,97.1 48.8,72.9 29.8,56.9 54.6,55.1" fill="INK" stroke="INK" stroke-width="6" stroke-linejoin="round"/>"##,
                r##"<circle cx="56" cy="66" r="3" fill="#fff"/>"##,
                r##"<circle cx="72" cy="66" r="3" fill="#fff"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Jewellery",
        median_price: 22.0,
        appeal: 0.8,
        kinds: &[
            kind("Necklace"),
            kind("Stud Earrings"),
            kind("Bangle"),
            kind("Ring"),
            kind("Charm Bracelet"),
            kind("Hoop Earrings"),
            kind("Brooch"),
            kind("Anklet"),
            kind("Locket"),
            kind("Hair Clip"),
            kind("Pendant"),
            kind("Trinket Dish"),
        ],
        materials: &["Sterling Silver", "Gold Vermeil", "Rose Gold", "Freshwater Pearl", "Enamel"],
        phrases: &[
            "delicate enough to wear every day",
            "that arrives in a little gift box",
            "for birthdays, anniversaries and just because",
        ],
        art: TileArt {
            tile: "#efe6f7",
            ink: "#b08d57",
            picture: concat!(
                r##"<circle cx="64" cy="78" r="24" fill="none" stroke="INK" stroke-width="8"/>"##,
                r##"<path d="M52 38h24l8 10-20 16-20-16z" fill="#8fd3e8" stroke="INK" stroke-width="3" stroke-linejoin="round"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Christmas",
        median_price: 9.0,
        appeal: 0.5,
        kinds: &[
            kind("Bauble Set"),
            used_up("Advent Calendar"),
            kind("Tree Topper"),
            kind("Stocking"),
            kind("Wreath"),
            kind("Nativity Figure"),
            used_up("Gift Bag Set"),
            kind("Garland"),
            kind("Hanging Star"),
            used_up("Christmas Crackers"),
            kind("Tree Skirt"),
            kind("Snow Globe"),
        ],
        materials: &["Glass", "Felt", "Pine", "Paper", "Velvet"],
        phrases: &["to make the season sparkle", "that comes out of the box every December", "for a cosy, festive home"],
        art: TileArt {
            tile: "#f6dcdc",
            ink: "#2f7d4f",
            picture: concat!(
                r##"<rect x="58" y="86" width="12" height="14" rx="2" fill="#7a5234"/>"##,
                r##"<path d="M64 26l24 32H75l19 28H34l19-28H40z" fill="INK" stroke="INK" stroke-width="3" stroke-linejoin="round"/>"##,
                r##"<circle cx="64" cy="24" r="6" fill="#f7b733"/>"##,
                r##"<circle cx="56" cy="52" r="3.5" fill="#e63946"/>"##,
                r##"<circle cx="72" cy="70" r="3.5" fill="#f7b733"/>"##,
                r##"<circle cx="50" cy="78" r="3.5" fill="#e63946"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Bath",
        median_price: 11.0,
        appeal: 1.0,
        kinds: &[
            used_up("Soap Bar"),
            used_up("Bath Salts"),
            used_up("Hand Cream"),
            used_up("Body Lotion"),
            used_up("Bath Bomb"),
            used_up("Shower Gel"),
            used_up("Reed Diffuser"),
            used_up("Lip Balm"),
            kind("Face Cloth"),
            kind("Bath Towel"),
            kind("Soap Dish"),
            kind("Loofah"),
        ],
        materials: &["Lavender", "Oat Milk", "Seaweed", "Waffle Cotton", "Rose"],
        phrases: &["for a long, quiet soak", "gentle on skin and lovely to give", "that turns a bathroom into a little spa"],
        art: TileArt {
            tile: "#e0f2fb",
            ink: "#4aa3c8",
            picture: concat!(
                r##"<path d="M64 24c14 20 24 32 24 48a24 24 0 0 1-48 0c0-16 10-28 24-48z" fill="INK"/>"##,
                r##"<path d="M52 74a12 12 0 0 0 8 12" stroke="#fff" stroke-width="4" fill="none" stroke-linecap="round" opacity=".7"/>"##,
                r##"<circle cx="94" cy="40" r="6" fill="none" stroke="INK" stroke-width="3"/>"##,
                r##"<circle cx="102" cy="58" r="4" fill="none" stroke="INK" stroke-width="3"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Home Decor",
        median_price: 24.0,
        appeal: 1.2,
        kinds: &[
            kind("Vase"),
            kind("Cushion"),
            kind("Throw"),
            kind("Wall Print"),
            kind("Photo Frame"),
            kind("Mirror"),
            kind("Doorstop"),
            kind("Coaster Set"),
            kind("Bookends"),
            kind("Clock"),
            kind("Tray"),
            kind("Wall Hook"),
        ],
        materials: &["Ceramic", "Velvet", "Wool", "Oak", "Rattan"],
        phrases: &["that makes a room feel finished", "for shelves, sideboards and mantelpieces", "a small change with a big effect"],
        art: TileArt {
            tile: "#f5efe6",
            ink: "#7f8fa6",
            picture: concat!(
                r##"<path d="M60 36c-2-8-8-12-14-14M68 36c2-8 8-12 14-14M64 36V18" stroke="#4f9a5f" stroke-width="3" fill="none" stroke-linecap="round"/>"##,
                r##"<circle cx="45" cy="22" r="6" fill="#e5989b"/>"##,
                r##"<circle cx="83" cy="22" r="6" fill="#f2c14e"/>"##,
                r##"<circle cx="64" cy="16" r="6" fill="#e07a5f"/>"##,
                r##"<path d="M54 36h20v8c0 6 12 14 12 30 0 16-10 26-22 26S42 90 42 74c0-16 12-24 12-30z" fill="INK"/>"##,
            ),
        },
    },
];

/// A look that cuts across categories, and the words that put it into product names.
struct StyleSpec {
    name: &'static str,
    words: &'static [&'static str],
}

const STYLES: [StyleSpec; 5] = [
    StyleSpec { name: "rustic", words: &["Farmhouse", "Honey", "Moss", "Walnut", "Harvest", "Oat"] },
    StyleSpec { name: "modern", words: &["Matte Black", "Graphite", "Concrete", "Monochrome", "Slate", "Chrome"] },
    StyleSpec { name: "pastel", words: &["Blush", "Mint", "Lilac", "Powder Blue", "Peach", "Lemon"] },
    StyleSpec { name: "vintage", words: &["Heritage", "Antique", "Mustard", "Floral", "Victorian", "Paisley"] },
    StyleSpec { name: "nordic", words: &["Birch", "Snow", "Fjord", "Frost", "Juniper", "Ash"] },
];

/// A made-up brand: its price level (multiplies the category median) and its usual style.
struct BrandSpec {
    name: &'static str,
    price_level: f64,
    style: Option<usize>,
}

const BRANDS: [BrandSpec; 8] = [
    BrandSpec { name: "Hearth & Hollow", price_level: 0.85, style: Some(0) },
    BrandSpec { name: "Oak & Ember", price_level: 1.2, style: Some(0) },
    BrandSpec { name: "Studio Kant", price_level: 1.4, style: Some(1) },
    BrandSpec { name: "Pastelle", price_level: 0.95, style: Some(2) },
    BrandSpec { name: "Little Wren", price_level: 0.8, style: Some(2) },
    BrandSpec { name: "Marigold Lane", price_level: 1.05, style: Some(3) },
    BrandSpec { name: "Nordlys", price_level: 1.25, style: Some(4) },
    BrandSpec { name: "Brightmoor", price_level: 0.7, style: None },
];

/// Title suffixes used when a drawn name is already taken.
const VARIANTS: [&str; 8] = ["Mini", "Large", "Set of 2", "Set of 3", "Gift Edition", "Small", "XL", "Limited Edition"];

/// Relative chance that a session starts in each hour from 07:00 to 22:00 (evening peak).
const START_HOUR_WEIGHTS: [f64; 16] = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 5.0, 4.0, 4.0, 5.0, 6.0, 8.0, 9.0, 8.0, 6.0];
const FIRST_SHOPPING_HOUR: i64 = 7;

// ---------------------------------------------------------------------------------------------
// Small random helpers (none of them can panic).
// ---------------------------------------------------------------------------------------------

/// True with probability `p` (any `p`; values outside 0..1 act as 0 or 1).
fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A uniform index below `len`, or `None` for an empty range.
fn index_below(rng: &mut StdRng, len: usize) -> Option<usize> {
    (len > 0).then(|| rng.random_range(0..len))
}

/// A standard normal draw (Box–Muller).
fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1]
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Picks one of `words`, or "" when there are none.
fn pick_word(rng: &mut StdRng, words: &[&'static str]) -> &'static str {
    index_below(rng, words.len()).and_then(|i| words.get(i).copied()).unwrap_or("")
}

/// SplitMix64 finaliser: spreads a seed and a stream number into an independent seed.
fn mix_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Draws entries with probability proportional to their weight (binary search on the running
/// sum, so it is cheap for repeated draws).
#[derive(Debug, Clone, Default)]
struct WeightedPicker {
    entries: Vec<usize>,
    running_total: Vec<f64>,
}

impl WeightedPicker {
    /// Builds a picker; entries with a weight that is not finite and positive are left out.
    fn new(weighted: impl IntoIterator<Item = (usize, f64)>) -> Self {
        let mut picker = WeightedPicker::default();
        let mut total = 0.0;
        for (entry, weight) in weighted {
            if weight.is_finite() && weight > 0.0 {
                total += weight;
                picker.entries.push(entry);
                picker.running_total.push(total);
            }
        }
        picker
    }

    fn pick(&self, rng: &mut StdRng) -> Option<usize> {
        let total = *self.running_total.last()?;
        let target = rng.random::<f64>() * total;
        let position = self.running_total.partition_point(|&sum| sum <= target);
        self.entries.get(position.min(self.entries.len().saturating_sub(1))).copied()
    }
}

// ---------------------------------------------------------------------------------------------
// Catalog.
// ---------------------------------------------------------------------------------------------

/// The hidden facts behind one catalog item (same index as the catalog).
#[derive(Debug, Clone)]
struct ItemFacts {
    category: usize,
    style: usize,
    brand: usize,
    kind_name: &'static str,
    consumable: bool,
    /// Price divided by the category median (for the shoppers' price bands).
    relative_price: f64,
    popularity: f64,
    in_stock: bool,
}

/// Rounds a raw price to shop style: `x.49` / `x.99` below 20, whole `x.99` above.
fn shop_price(raw: f64) -> f64 {
    let raw = if raw.is_finite() { raw } else { 1.0 };
    let rounded = if raw < 20.0 { (raw * 2.0).round() / 2.0 } else { raw.round() };
    let price = rounded.max(1.0) - 0.01;
    (price * 100.0).round() / 100.0
}

/// Picks a brand for an item: usually one that makes this style, sometimes any.
fn pick_brand(rng: &mut StdRng, style: usize) -> usize {
    let matching: Vec<usize> = (0..BRANDS.len()).filter(|&b| BRANDS.get(b).and_then(|spec| spec.style) == Some(style)).collect();
    if !matching.is_empty() && chance(rng, 0.65) {
        if let Some(i) = index_below(rng, matching.len()) {
            return matching.get(i).copied().unwrap_or(0);
        }
    }
    index_below(rng, BRANDS.len()).unwrap_or(0)
}

/// Upper-cases the first letter ("pillar candle" → "Pillar candle").
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builds the catalog and the hidden facts behind it.
fn build_catalog(cfg: &SynthConfig) -> (Vec<CatalogItem>, Vec<ItemFacts>) {
    let mut rng = StdRng::seed_from_u64(mix_seed(cfg.seed, 0));
    let category_picker = WeightedPicker::new(CATEGORIES.iter().enumerate().map(|(c, spec)| (c, 0.6 + spec.appeal)));
    let mut popularity_ranks: Vec<usize> = (0..cfg.items).collect();
    popularity_ranks.shuffle(&mut rng);

    let mut titles_taken: HashSet<String> = HashSet::with_capacity(cfg.items);
    let mut catalog = Vec::with_capacity(cfg.items);
    let mut facts = Vec::with_capacity(cfg.items);
    for i in 0..cfg.items {
        // The first items cover every category once, so small shops still have them all.
        let category = if i < CATEGORIES.len() { i } else { category_picker.pick(&mut rng).unwrap_or(0) };
        let Some(spec) = CATEGORIES.get(category) else {
            continue;
        };
        let style = index_below(&mut rng, STYLES.len()).unwrap_or(0);
        let style_spec = STYLES.get(style);
        let style_words = style_spec.map_or(&[][..], |s| s.words);
        let style_name = style_spec.map_or("", |s| s.name);

        // Draw a name; retry a few times, then add a variant, then a number.
        let mut drawn = None;
        for _attempt in 0..6 {
            let product = index_below(&mut rng, spec.kinds.len()).and_then(|k| spec.kinds.get(k));
            let material = pick_word(&mut rng, spec.materials);
            let style_word = pick_word(&mut rng, style_words);
            let Some(product) = product else { break };
            // The material is named in the title (and then described) for about half the items.
            let material = if chance(&mut rng, 0.5) { Some(material) } else { None };
            let title = match material {
                Some(material) => format!("{style_word} {material} {}", product.name),
                None => format!("{style_word} {}", product.name),
            };
            let free = !titles_taken.contains(&title);
            drawn = Some((title, product, material));
            if free {
                break;
            }
        }
        let Some((base_title, product, material)) = drawn else {
            continue;
        };
        let mut title = base_title.clone();
        if titles_taken.contains(&title) {
            let mut variants = VARIANTS.iter().map(|v| format!("{base_title} ({v})"));
            title = variants.find(|t| !titles_taken.contains(t)).unwrap_or_default();
            let mut number = 2u64;
            while title.is_empty() || titles_taken.contains(&title) {
                title = format!("{base_title} No. {number}");
                number += 1;
            }
        }
        titles_taken.insert(title.clone());

        let brand = pick_brand(&mut rng, style);
        let brand_spec = BRANDS.get(brand);
        let price_level = brand_spec.map_or(1.0, |b| b.price_level);
        let price = shop_price(spec.median_price * price_level * (0.38 * standard_normal(&mut rng)).exp());
        let in_stock = chance(&mut rng, 0.95);
        let rank = popularity_ranks.get(i).copied().unwrap_or(i);
        let popularity = (0.7 + 0.3 * spec.appeal) / ((rank + 1) as f64).powf(0.85);
        let phrase = pick_word(&mut rng, spec.phrases);
        let brand_name = brand_spec.map_or("", |b| b.name);
        let made_of = material.map(|m| format!(" in {}", m.to_lowercase())).unwrap_or_default();
        let description =
            format!("{}{made_of} with a {style_name} look from {brand_name}, {phrase}.", sentence_case(&product.name.to_lowercase()),);

        let id = format!("SW-{:05}", i + 1);
        catalog.push(CatalogItem {
            url: format!("#/item/{id}"),
            id,
            title,
            category: spec.name.to_owned(),
            brand: brand_name.to_owned(),
            price: price as f32,
            image: format!("img/{}.svg", slug(spec.name)),
            in_stock,
            description,
        });
        facts.push(ItemFacts {
            category,
            style,
            brand,
            kind_name: product.name,
            consumable: product.consumable,
            relative_price: price / spec.median_price,
            popularity,
            in_stock,
        });
    }
    (catalog, facts)
}

// ---------------------------------------------------------------------------------------------
// Shoppers and their sessions.
// ---------------------------------------------------------------------------------------------

/// Item lists shared by all shoppers.
struct CatalogIndex<'a> {
    facts: &'a [ItemFacts],
    /// Items of each category.
    by_category: Vec<Vec<usize>>,
    /// All items, by popularity (the "bestsellers" a shopper stumbles upon).
    popular: WeightedPicker,
    /// Items of each style, by popularity.
    by_style: Vec<WeightedPicker>,
}

impl<'a> CatalogIndex<'a> {
    fn new(facts: &'a [ItemFacts]) -> Self {
        let mut by_category = vec![Vec::new(); CATEGORIES.len()];
        for (item, fact) in facts.iter().enumerate() {
            if let Some(list) = by_category.get_mut(fact.category) {
                list.push(item);
            }
        }
        let popular = WeightedPicker::new(facts.iter().enumerate().map(|(i, f)| (i, f.popularity)));
        let by_style = (0..STYLES.len())
            .map(|style| WeightedPicker::new(facts.iter().enumerate().filter(|(_, f)| f.style == style).map(|(i, f)| (i, f.popularity))))
            .collect();
        CatalogIndex { facts, by_category, popular, by_style }
    }
}

/// Which prices a shopper is comfortable with, relative to a category's median.
#[derive(Debug, Clone, Copy)]
struct PriceBand {
    low: f64,
    high: f64,
}

impl PriceBand {
    fn contains(self, relative_price: f64) -> bool {
        relative_price >= self.low && relative_price <= self.high
    }
}

/// A shopper's hidden tastes.
struct Taste {
    /// Favourite categories, drawn by weight.
    favourite_category: WeightedPicker,
    favourites: Vec<usize>,
    /// For each favourite category (same order), items weighted by how well they fit.
    items_in_favourite: Vec<WeightedPicker>,
    style: usize,
    price_band: PriceBand,
    loyal_brand: Option<usize>,
    /// Average number of sessions over 120 days.
    sessions_per_120_days: f64,
}

impl Taste {
    fn draw(rng: &mut StdRng, index: &CatalogIndex<'_>) -> Taste {
        let available: Vec<(usize, f64)> = CATEGORIES
            .iter()
            .enumerate()
            .filter(|(c, _)| index.by_category.get(*c).is_some_and(|items| !items.is_empty()))
            .map(|(c, spec)| (c, spec.appeal))
            .collect();
        let wanted = match rng.random::<f64>() {
            r if r < 0.35 => 1,
            r if r < 0.80 => 2,
            _ => 3,
        };
        let mut favourites = Vec::new();
        let mut remaining = available;
        while favourites.len() < wanted {
            let Some(category) = WeightedPicker::new(remaining.iter().copied()).pick(rng) else {
                break;
            };
            favourites.push(category);
            remaining.retain(|&(c, _)| c != category);
        }
        const RANK_WEIGHTS: [f64; 3] = [1.0, 0.5, 0.28];
        let favourite_category =
            WeightedPicker::new(favourites.iter().zip(RANK_WEIGHTS).map(|(&c, w)| (c, w * (0.8 + 0.4 * rng.random::<f64>()))));

        let style = index_below(rng, STYLES.len()).unwrap_or(0);
        let price_band = match rng.random::<f64>() {
            r if r < 0.3 => PriceBand { low: 0.0, high: 0.95 },
            r if r < 0.8 => PriceBand { low: 0.6, high: 1.6 },
            _ => PriceBand { low: 1.05, high: f64::INFINITY },
        };
        let loyal_brand = if chance(rng, 0.25) { Some(pick_brand(rng, style)) } else { None };
        // Log-normal activity: a few very active shoppers, many occasional ones.
        let sessions_per_120_days = 5.6 * (0.85 * standard_normal(rng)).exp();

        let mut taste =
            Taste { favourite_category, favourites, items_in_favourite: Vec::new(), style, price_band, loyal_brand, sessions_per_120_days };
        taste.items_in_favourite = taste
            .favourites
            .iter()
            .map(|&category| {
                let items = index.by_category.get(category).map_or(&[][..], Vec::as_slice);
                WeightedPicker::new(items.iter().filter_map(|&item| {
                    let fact = index.facts.get(item)?;
                    Some((item, fact.popularity.sqrt() * taste.fit(fact)))
                }))
            })
            .collect();
        taste
    }

    /// How much an item appeals beyond its category (style, price, brand), 0.2 … ~9.
    fn fit(&self, fact: &ItemFacts) -> f64 {
        let style = if fact.style == self.style { 3.0 } else { 1.0 };
        let price = if self.price_band.contains(fact.relative_price) { 1.0 } else { 0.35 };
        let brand = if self.loyal_brand == Some(fact.brand) { 3.0 } else { 1.0 };
        style * price * brand
    }

    /// Chance of putting a viewed item into the cart.
    fn cart_chance(&self, fact: &ItemFacts) -> f64 {
        if !fact.in_stock {
            return 0.0;
        }
        let category: f64 = if self.favourites.first() == Some(&fact.category) {
            2.6
        } else if self.favourites.contains(&fact.category) {
            1.8
        } else {
            0.6
        };
        let style = if fact.style == self.style { 1.5 } else { 1.0 };
        let price = if self.price_band.contains(fact.relative_price) { 1.3 } else { 0.5 };
        let brand = if self.loyal_brand == Some(fact.brand) { 1.6 } else { 1.0 };
        (0.075 * category * style * price * brand).min(0.6)
    }
}

/// An event before ids and basket numbers are filled in.
struct DraftEvent {
    ts_ms: i64,
    shopper: usize,
    item: Option<usize>,
    kind: EventKind,
    qty: u32,
    /// Checkout number in generation order; renumbered by time at the end.
    checkout: Option<usize>,
    query: Option<String>,
}

/// Everything that is global while shoppers are simulated.
struct Simulation<'a> {
    cfg: &'a SynthConfig,
    index: CatalogIndex<'a>,
    drafts: Vec<DraftEvent>,
    checkouts: usize,
}

/// Per-session state of one shopper.
struct Session {
    shopper: usize,
    clock_ms: i64,
    cart: Vec<(usize, u32)>,
}

impl Session {
    /// Moves the clock on by a human pause (8 s … 2.5 min) and returns the new time.
    fn tick(&mut self, rng: &mut StdRng) -> i64 {
        self.clock_ms = self.clock_ms.saturating_add(rng.random_range(8_000..=150_000));
        self.clock_ms
    }
}

impl Simulation<'_> {
    fn push(&mut self, session: &mut Session, rng: &mut StdRng, kind: EventKind, item: Option<usize>, qty: u32) {
        let ts_ms = session.tick(rng);
        self.drafts.push(DraftEvent { ts_ms, shopper: session.shopper, item, kind, qty, checkout: None, query: None });
    }

    /// Picks the next item a shopper looks at: mostly their tastes, sometimes bestsellers.
    fn browse(&self, rng: &mut StdRng, taste: &Taste) -> Option<usize> {
        let roll = rng.random::<f64>();
        let from_taste = if roll < 0.66 {
            taste
                .favourite_category
                .pick(rng)
                .and_then(|category| taste.favourites.iter().position(|&c| c == category))
                .and_then(|slot| taste.items_in_favourite.get(slot))
                .and_then(|picker| picker.pick(rng))
        } else if roll < 0.80 {
            self.index.by_style.get(taste.style).and_then(|picker| picker.pick(rng))
        } else {
            None
        };
        from_taste.or_else(|| self.index.popular.pick(rng))
    }

    /// Simulates every session of one shopper.
    fn simulate_shopper(&mut self, shopper: usize) {
        let mut rng = StdRng::seed_from_u64(mix_seed(self.cfg.seed, 1 + shopper as u64));
        let taste = Taste::draw(&mut rng, &self.index);
        if self.cfg.days == 0 {
            return;
        }
        let expected = taste.sessions_per_120_days * f64::from(self.cfg.days) / 120.0;
        let session_count = (expected + rng.random::<f64>()).floor().max(1.0) as usize;
        let hour_picker = WeightedPicker::new(START_HOUR_WEIGHTS.iter().copied().enumerate());
        let mut starts: Vec<i64> = (0..session_count)
            .map(|_| {
                let day = i64::from(self.draw_day(&mut rng));
                let hour = FIRST_SHOPPING_HOUR + hour_picker.pick(&mut rng).unwrap_or(0) as i64;
                let within_hour = rng.random_range(0..MS_PER_HOUR);
                self.cfg.start_ms.saturating_add(day.saturating_mul(MS_PER_DAY)).saturating_add(hour * MS_PER_HOUR + within_hour)
            })
            .collect();
        starts.sort_unstable();

        let mut bought_consumables: Vec<usize> = Vec::new();
        let mut free_from_ms = i64::MIN;
        for start in starts {
            let mut session = Session { shopper, clock_ms: start.max(free_from_ms), cart: Vec::new() };
            self.run_session(&mut rng, &taste, &mut session, &mut bought_consumables);
            free_from_ms = session.clock_ms.saturating_add(30 * MS_PER_MINUTE);
        }
    }

    /// A day index, with weekends a little busier.
    fn draw_day(&self, rng: &mut StdRng) -> u32 {
        let first_day = self.cfg.start_ms.div_euclid(MS_PER_DAY);
        let mut day = rng.random_range(0..self.cfg.days.max(1));
        // 1970-01-01 was a Thursday: (days since epoch + 3) % 7 gives Monday = 0.
        let is_weekday = (first_day + i64::from(day) + 3).rem_euclid(7) < 5;
        if is_weekday && chance(rng, 0.2) {
            day = rng.random_range(0..self.cfg.days.max(1));
        }
        day
    }

    fn run_session(&mut self, rng: &mut StdRng, taste: &Taste, session: &mut Session, bought_consumables: &mut Vec<usize>) {
        // Coming back for a consumable they bought before.
        if !bought_consumables.is_empty() && chance(rng, 0.3) {
            if let Some(&item) = index_below(rng, bought_consumables.len()).and_then(|i| bought_consumables.get(i)) {
                let in_stock = self.index.facts.get(item).is_some_and(|f| f.in_stock);
                self.push(session, rng, EventKind::View, Some(item), 1);
                if in_stock && chance(rng, 0.8) {
                    let qty = draw_qty(rng);
                    self.push(session, rng, EventKind::AddToCart, Some(item), qty);
                    session.cart.push((item, qty));
                }
            }
        }

        let views = rng.random_range(1..=4) + rng.random_range(0..=4);
        for _ in 0..views {
            let Some(item) = self.browse(rng, taste) else {
                break;
            };
            let Some(fact) = self.index.facts.get(item) else {
                break;
            };
            if chance(rng, 0.08) {
                let ts_ms = session.tick(rng);
                self.drafts.push(DraftEvent {
                    ts_ms,
                    shopper: session.shopper,
                    item: None,
                    kind: EventKind::Search,
                    qty: 1,
                    checkout: None,
                    query: Some(fact.kind_name.to_lowercase()),
                });
            }
            if chance(rng, 0.3) {
                self.push(session, rng, EventKind::Click, Some(item), 1);
            }
            self.push(session, rng, EventKind::View, Some(item), 1);
            let already_in_cart = session.cart.iter().any(|&(carted, _)| carted == item);
            if !already_in_cart && chance(rng, taste.cart_chance(fact)) {
                let qty = draw_qty(rng);
                self.push(session, rng, EventKind::AddToCart, Some(item), qty);
                session.cart.push((item, qty));
            }
        }

        // Second thoughts.
        let mut kept = Vec::with_capacity(session.cart.len());
        for (item, qty) in std::mem::take(&mut session.cart) {
            if chance(rng, 0.12) {
                self.push(session, rng, EventKind::RemoveFromCart, Some(item), qty);
            } else {
                kept.push((item, qty));
            }
        }

        // Checkout (or an abandoned cart).
        if kept.is_empty() || !chance(rng, 0.62) {
            return;
        }
        self.checkouts += 1;
        let checkout = self.checkouts;
        let ts_ms = session.tick(rng);
        for (item, qty) in kept {
            self.drafts.push(DraftEvent {
                ts_ms,
                shopper: session.shopper,
                item: Some(item),
                kind: EventKind::Purchase,
                qty,
                checkout: Some(checkout),
                query: None,
            });
            if self.index.facts.get(item).is_some_and(|f| f.consumable) && !bought_consumables.contains(&item) {
                bought_consumables.push(item);
            }
        }
    }
}

/// Quantity for a cart line: mostly 1, sometimes 2 or 3.
fn draw_qty(rng: &mut StdRng) -> u32 {
    match rng.random::<f64>() {
        r if r < 0.78 => 1,
        r if r < 0.94 => 2,
        _ => 3,
    }
}

/// Generates the synthetic shop for `cfg`.
///
/// Deterministic: the same configuration always gives the same shop. With `items == 0` the
/// shop is empty; with `shoppers == 0` or `days == 0` it has a catalog but no events.
pub fn generate(cfg: &SynthConfig) -> SynthShop {
    let (catalog, facts) = build_catalog(cfg);
    if catalog.is_empty() || cfg.shoppers == 0 || cfg.days == 0 {
        return SynthShop { catalog, events: Vec::new() };
    }

    let mut simulation = Simulation { cfg, index: CatalogIndex::new(&facts), drafts: Vec::new(), checkouts: 0 };
    for shopper in 0..cfg.shoppers {
        simulation.simulate_shopper(shopper);
    }
    let Simulation { mut drafts, checkouts, .. } = simulation;
    drafts.sort_by_key(|draft| draft.ts_ms); // stable: ties keep generation order

    // Basket numbers follow time: B000001 is the first checkout of the log.
    let mut basket_numbers: Vec<Option<usize>> = vec![None; checkouts + 1];
    let mut next_basket = 0usize;
    let shopper_ids: Vec<String> = (0..cfg.shoppers).map(|s| format!("U{:05}", s + 1)).collect();
    let events = drafts
        .into_iter()
        .map(|draft| {
            let basket = draft.checkout.map(|checkout| {
                let number = match basket_numbers.get(checkout).copied().flatten() {
                    Some(number) => number,
                    None => {
                        next_basket += 1;
                        if let Some(slot) = basket_numbers.get_mut(checkout) {
                            *slot = Some(next_basket);
                        }
                        next_basket
                    }
                };
                format!("B{number:06}")
            });
            let item = draft.item.and_then(|i| catalog.get(i));
            let price = match draft.kind {
                EventKind::Purchase => item.map(|it| it.price),
                _ => None,
            };
            RawEvent {
                shopper: shopper_ids.get(draft.shopper).cloned().unwrap_or_default(),
                item: item.map(|it| it.id.clone()).unwrap_or_default(),
                kind: draft.kind,
                ts_ms: draft.ts_ms,
                qty: draft.qty,
                price,
                basket,
                query: draft.query,
            }
        })
        .collect();
    SynthShop { catalog, events }
}

// ---------------------------------------------------------------------------------------------
// Images and slugs.
// ---------------------------------------------------------------------------------------------

/// Turns a name into a file-name-safe slug: ASCII letters and digits lower-cased, every other
/// run of characters a single `-`, no leading or trailing `-` ("Candles & Lights" →
/// `candles-lights`). A name without any ASCII letter or digit gives `untitled`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(ch.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("untitled");
    }
    out
}

/// Escapes text for SVG/XML content.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Tile and ink colours for categories the synthetic shop does not know.
const FALLBACK_PALETTE: [(&str, &str); 5] =
    [("#e8eef2", "#56738a"), ("#f4e9e1", "#b0775a"), ("#e9f3e6", "#5e8c61"), ("#f3e8f1", "#9a6a8f"), ("#fdf3dc", "#c9962c")];

/// One SVG tile for a category.
fn category_svg(category: &str) -> String {
    let known = CATEGORIES.iter().find(|spec| spec.name == category);
    let (tile, ink, picture) = match known {
        Some(spec) => (spec.art.tile, spec.art.ink, spec.art.picture.replace("INK", spec.art.ink)),
        None => {
            let hash = category.bytes().fold(0x811C_9DC5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
            let (tile, ink) = FALLBACK_PALETTE.get(hash as usize % FALLBACK_PALETTE.len()).copied().unwrap_or(("#e8eef2", "#56738a"));
            (tile, ink, format!(r#"<rect x="40" y="40" width="48" height="48" rx="12" fill="{ink}"/>"#))
        }
    };
    let title = escape_xml(if category.is_empty() { "Product" } else { category });
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128" width="256" height="256" role="img">"#,
            "<title>{title}</title>",
            r#"<rect width="128" height="128" rx="24" fill="{tile}"/>"#,
            r##"<circle cx="64" cy="68" r="44" fill="#fff" opacity=".35"/>"##,
            r#"<g data-ink="{ink}">{picture}</g>"#,
            "</svg>\n"
        ),
        title = title,
        tile = tile,
        ink = ink,
        picture = picture,
    )
}

/// One SVG illustration per category of `shop`, as `(file name, SVG text)` pairs.
///
/// File names are bare (`candles-lights.svg`); items reference them as `img/<slug>.svg`, so
/// write them into an `img/` directory next to the catalog. Each image is a rounded tile in
/// the category's colour with a simple picture (a candle, a mug, a tote bag …); categories the
/// synthetic shop does not know get a neutral tile. Pairs come in the order the categories
/// first appear in the catalog, one per distinct slug.
pub fn category_images(shop: &SynthShop) -> Vec<(String, String)> {
    let mut images: Vec<(String, String)> = Vec::new();
    for item in &shop.catalog {
        let file_name = format!("{}.svg", slug(&item.category));
        if images.iter().any(|(name, _)| *name == file_name) {
            continue;
        }
        images.push((file_name, category_svg(&item.category)));
    }
    images
}

/// Synthetic image vectors that follow each product's look, as an image model would see the
/// demo's pictures: the category tile's and ink's colours and its picture (the SVG the item
/// shows), the product's shape (its kind, "Lantern", "Mug", read from the title, hashed into 8
/// buckets), its style (the colour words of its title: "Matte Black" modern, "Blush" pastel …)
/// and a little per-item noise. One `(id, vector)` per catalog item, 33 dimensions
/// (`shelfwise demo-data` writes them as `image_vectors.csv` for `build --image-vectors`).
pub fn image_vectors(shop: &SynthShop) -> Vec<(String, Vec<f32>)> {
    fn rgb(hex: &str) -> [f32; 3] {
        let channel = |at: usize| hex.get(at..at + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).map_or(0.5, |v| f32::from(v) / 255.0);
        [channel(1), channel(3), channel(5)]
    }
    fn hash(text: &str) -> u32 {
        text.bytes().fold(0x811C_9DC5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
    }
    shop.catalog
        .iter()
        .map(|item| {
            let picture = CATEGORIES.iter().position(|spec| spec.name == item.category);
            let spec = picture.and_then(|c| CATEGORIES.get(c));
            let (tile, ink) = spec.map_or(("#e8eef2", "#56738a"), |s| (s.art.tile, s.art.ink));
            // Tiles are light and inks mid-tone: each centred on its usual value.
            let mut v: Vec<f32> = rgb(tile).into_iter().map(|c| 2.0 * (c - 0.9)).chain(rgb(ink).into_iter().map(|c| c - 0.5)).collect();
            v.extend((0..CATEGORIES.len()).map(|c| if Some(c) == picture { 1.0 } else { 0.0 }));
            let kind = spec.and_then(|s| s.kinds.iter().map(|k| k.name).filter(|k| item.title.contains(k)).max_by_key(|k| k.len()));
            let mut shape = [0.0f32; 8];
            shape[hash(kind.unwrap_or(&item.category)) as usize % 8] = 1.0;
            v.extend(shape);
            let style = STYLES.iter().position(|s| s.words.iter().any(|w| item.title.starts_with(w)));
            v.extend((0..STYLES.len()).map(|k| if Some(k) == style { 0.7 } else { 0.0 }));
            let noise = hash(&item.id);
            v.extend((0..4).map(|k| ((noise >> (8 * k)) & 0xff) as f32 / 255.0 * 0.3 - 0.15));
            (item.id.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::*;

    fn small_config(seed: u64) -> SynthConfig {
        SynthConfig { seed, items: 200, shoppers: 150, days: 60, ..SynthConfig::default() }
    }

    #[test]
    fn default_start_is_first_of_june_2026() {
        let start =
            chrono::NaiveDate::from_ymd_opt(2026, 6, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|dt| dt.and_utc().timestamp_millis());
        assert_eq!(start, Some(DEFAULT_START_MS));
        assert_eq!(SynthConfig::default().start_ms, DEFAULT_START_MS);
    }

    #[test]
    fn same_seed_same_shop_and_different_seed_different_shop() {
        let a = generate(&small_config(11));
        let b = generate(&small_config(11));
        let c = generate(&small_config(12));
        assert_eq!(a, b);
        assert_ne!(a.catalog, c.catalog);
        assert_ne!(a.events, c.events);
    }

    #[test]
    fn catalog_does_not_depend_on_shoppers_or_days() {
        let a = generate(&small_config(5));
        let b = generate(&SynthConfig { shoppers: 3, days: 2, ..small_config(5) });
        assert_eq!(a.catalog, b.catalog);
    }

    #[test]
    fn ids_and_titles_are_unique_and_fields_are_filled() {
        // Many items per category force the variant / numbering fallbacks.
        let shop = generate(&SynthConfig { items: 5_000, shoppers: 0, ..SynthConfig::default() });
        assert_eq!(shop.catalog.len(), 5_000);
        let ids: HashSet<&str> = shop.catalog.iter().map(|i| i.id.as_str()).collect();
        let titles: HashSet<&str> = shop.catalog.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(ids.len(), shop.catalog.len());
        assert_eq!(titles.len(), shop.catalog.len());
        for item in &shop.catalog {
            assert!(item.price.is_finite() && item.price > 0.0, "{}: {}", item.id, item.price);
            let cents = (f64::from(item.price) * 100.0).round() as i64 % 100;
            assert!(cents == 49 || cents == 99, "{}: {}", item.id, item.price);
            assert_eq!(item.url, format!("#/item/{}", item.id));
            assert_eq!(item.image, format!("img/{}.svg", slug(&item.category)));
            assert!(!item.title.is_empty() && !item.brand.is_empty() && !item.description.is_empty());
            assert!(item.description.ends_with('.'));
        }
        let first = shop.catalog.first().map(|i| i.id.as_str());
        assert_eq!(first, Some("SW-00001"));
        let in_stock = shop.catalog.iter().filter(|i| i.in_stock).count() as f64 / 5_000.0;
        assert!((0.92..=0.98).contains(&in_stock), "in stock share {in_stock}");
    }

    #[test]
    fn default_shop_has_the_expected_size_and_well_formed_events() {
        let shop = generate(&SynthConfig::default());
        assert_eq!(shop.catalog.len(), 600);
        assert!((40_000..=80_000).contains(&shop.events.len()), "{} events", shop.events.len());

        let prices: HashMap<&str, f32> = shop.catalog.iter().map(|i| (i.id.as_str(), i.price)).collect();
        let cfg = SynthConfig::default();
        let end_ms = cfg.start_ms + i64::from(cfg.days) * MS_PER_DAY;
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut basket_owner: HashMap<&str, &str> = HashMap::new();
        for pair in shop.events.windows(2) {
            if let [earlier, later] = pair {
                assert!(earlier.ts_ms <= later.ts_ms);
            }
        }
        for event in &shop.events {
            *kinds.entry(event.kind.as_str()).or_default() += 1;
            assert!(event.ts_ms >= cfg.start_ms && event.ts_ms < end_ms + MS_PER_DAY);
            assert!((1..=3).contains(&event.qty));
            if event.kind == EventKind::Search {
                assert!(event.item.is_empty());
                assert!(event.query.as_deref().is_some_and(|q| !q.is_empty()));
                continue;
            }
            assert!(prices.contains_key(event.item.as_str()), "unknown item {}", event.item);
            if event.kind == EventKind::Purchase {
                assert_eq!(event.price, prices.get(event.item.as_str()).copied());
                let basket = event.basket.as_deref().unwrap_or("");
                assert!(basket.starts_with('B') && basket.len() == 7, "{basket}");
                let owner = basket_owner.entry(basket).or_insert(event.shopper.as_str());
                assert_eq!(*owner, event.shopper.as_str(), "a basket belongs to one shopper");
            } else {
                assert_eq!(event.basket, None);
            }
        }
        for kind in EventKind::ALL {
            assert!(kinds.get(kind.as_str()).copied().unwrap_or(0) > 100, "{kinds:?}");
        }
    }

    /// For each shopper with enough purchases: is the share of purchases in their most-viewed
    /// category at least twice that category's overall purchase share? Returns the fraction of
    /// such shoppers. `pair_with` lets a test pair one shopper's views with another's purchases.
    fn taste_hit_rate(shop: &SynthShop, pair_with: impl Fn(usize, usize) -> usize) -> f64 {
        let category_of: HashMap<&str, &str> = shop.catalog.iter().map(|i| (i.id.as_str(), i.category.as_str())).collect();
        let mut views: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        let mut purchases: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut overall: BTreeMap<&str, usize> = BTreeMap::new();
        for event in &shop.events {
            let Some(&category) = category_of.get(event.item.as_str()) else {
                continue;
            };
            match event.kind {
                EventKind::View => *views.entry(&event.shopper).or_default().entry(category).or_default() += 1,
                EventKind::Purchase => {
                    purchases.entry(&event.shopper).or_default().push(category);
                    *overall.entry(category).or_default() += 1;
                }
                _ => {}
            }
        }
        let total_purchases = overall.values().sum::<usize>().max(1) as f64;
        let shoppers: Vec<&str> = purchases.iter().filter(|(_, p)| p.len() >= 3).map(|(s, _)| *s).collect();
        let mut hits = 0usize;
        for (position, shopper) in shoppers.iter().enumerate() {
            let buyer = shoppers.get(pair_with(position, shoppers.len())).copied().unwrap_or(shopper);
            let top = views.get(shopper).and_then(|per_category| per_category.iter().max_by_key(|(_, n)| **n).map(|(c, _)| *c));
            let (Some(top), Some(bought)) = (top, purchases.get(buyer)) else {
                continue;
            };
            let share = bought.iter().filter(|c| **c == top).count() as f64 / bought.len() as f64;
            let overall_share = overall.get(top).copied().unwrap_or(0) as f64 / total_purchases;
            if share >= 2.0 * overall_share {
                hits += 1;
            }
        }
        hits as f64 / shoppers.len().max(1) as f64
    }

    #[test]
    fn shoppers_buy_mostly_from_their_own_top_category() {
        let shop = generate(&SynthConfig::default());
        let own = taste_hit_rate(&shop, |position, _| position);
        // Control: someone else's purchases against this shopper's views.
        let shuffled = taste_hit_rate(&shop, |position, n| (position + n / 2) % n.max(1));
        assert!(own >= 0.75, "own-taste hit rate {own}");
        assert!(own >= shuffled + 0.3, "own {own} vs shuffled {shuffled}");
    }

    #[test]
    fn popularity_is_skewed() {
        let shop = generate(&SynthConfig::default());
        let mut views: HashMap<&str, usize> = HashMap::new();
        for event in shop.events.iter().filter(|e| e.kind == EventKind::View) {
            *views.entry(event.item.as_str()).or_default() += 1;
        }
        let mut counts: Vec<usize> = views.into_values().collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let total: usize = counts.iter().sum();
        let top_tenth: usize = counts.iter().take(shop.catalog.len() / 10).sum();
        assert!(top_tenth as f64 > 0.3 * total as f64, "top 10% of items get {top_tenth} of {total} views");
    }

    #[test]
    fn consumables_are_bought_again() {
        let shop = generate(&SynthConfig::default());
        let mut bought: HashMap<(&str, &str), usize> = HashMap::new();
        for event in shop.events.iter().filter(|e| e.kind == EventKind::Purchase) {
            *bought.entry((event.shopper.as_str(), event.item.as_str())).or_default() += 1;
        }
        let repeats = bought.values().filter(|&&n| n > 1).count();
        assert!(repeats > 50, "{repeats} repeat purchases");
    }

    #[test]
    fn empty_and_tiny_configurations_do_not_panic() {
        let none = generate(&SynthConfig { items: 0, ..SynthConfig::default() });
        assert!(none.catalog.is_empty() && none.events.is_empty());
        assert!(category_images(&none).is_empty());

        let no_shoppers = generate(&SynthConfig { shoppers: 0, ..small_config(1) });
        assert_eq!(no_shoppers.catalog.len(), 200);
        assert!(no_shoppers.events.is_empty());

        let no_days = generate(&SynthConfig { days: 0, ..small_config(1) });
        assert!(no_days.events.is_empty());

        let tiny = generate(&SynthConfig { items: 1, shoppers: 3, days: 1, ..SynthConfig::default() });
        assert_eq!(tiny.catalog.len(), 1);
        assert!(tiny.events.iter().all(|e| e.item.is_empty() || e.item == "SW-00001"));

        let extreme = generate(&SynthConfig { start_ms: i64::MAX - 10, items: 5, shoppers: 2, days: 3, seed: 0 });
        assert!(extreme.events.iter().all(|e| e.ts_ms >= i64::MAX - 10));
    }

    #[test]
    fn image_vectors_follow_the_look_of_the_category_picture() {
        let shop = generate(&small_config(7));
        let vectors = image_vectors(&shop);
        assert_eq!(vectors.len(), shop.catalog.len());
        assert!(vectors.iter().all(|(_, v)| v.len() == 33 && v.iter().all(|x| x.is_finite())));
        let cos = |a: &[f32], b: &[f32]| crate::vector::cosine(a, b);
        // Mean cosine within a category against across categories: the look is the category's.
        let (mut same, mut other) = ((0.0, 0), (0.0, 0));
        for (i, a) in shop.catalog.iter().enumerate() {
            for (j, b) in shop.catalog.iter().enumerate().skip(i + 1) {
                let c = cos(&vectors[i].1, &vectors[j].1);
                let bucket = if a.category == b.category { &mut same } else { &mut other };
                bucket.0 += c;
                bucket.1 += 1;
            }
        }
        let (same, other) = (same.0 / same.1 as f32, other.0 / other.1 as f32);
        assert!(same > other + 0.3, "within a category {same}, across {other}");
    }

    #[test]
    fn one_image_per_category_matching_the_items() {
        let shop = generate(&small_config(3));
        let images = category_images(&shop);
        assert_eq!(images.len(), CATEGORIES.len());
        for item in &shop.catalog {
            assert!(images.iter().any(|(name, _)| format!("img/{name}") == item.image), "{}", item.image);
        }
        for (name, svg) in &images {
            assert!(name.ends_with(".svg"));
            assert!(svg.starts_with("<svg ") && svg.trim_end().ends_with("</svg>"), "{name}");
            assert!(!svg.contains("INK") && !svg.contains(" & "), "{name}");
        }
        let odd = SynthShop { catalog: vec![CatalogItem { category: "Pets <3".into(), ..shop.catalog[0].clone() }], events: Vec::new() };
        let odd_images = category_images(&odd);
        assert_eq!(odd_images.first().map(|(n, _)| n.as_str()), Some("pets-3.svg"));
        assert!(odd_images.first().is_some_and(|(_, svg)| svg.contains("Pets &lt;3")));
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("Candles & Lights"), "candles-lights");
        assert_eq!(slug("Home Decor"), "home-decor");
        assert_eq!(slug("  --Bath--  "), "bath");
        assert_eq!(slug("Crème brûlée 2"), "cr-me-br-l-e-2");
        assert_eq!(slug(""), "untitled");
        assert_eq!(slug("&&"), "untitled");
    }
}
