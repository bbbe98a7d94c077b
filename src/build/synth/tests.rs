//! The synthetic shop's properties: determinism, sizes, structure a recommender can find.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::build::input::CatalogItem;
use crate::event::EventKind;

use super::shop::MS_PER_DAY;
use super::tables::CATEGORIES;
use super::*;

fn small_config(seed: u64) -> SynthConfig {
    SynthConfig { seed, items: 200, shoppers: 150, days: 60, ..SynthConfig::default() }
}

#[test]
fn default_start_is_first_of_june_2026() {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|dt| dt.and_utc().timestamp_millis());
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
