//! The catalog: items named from the category word lists, priced around the category median,
//! with the hidden facts (style, brand, popularity …) the simulated shoppers react to.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::build::input::CatalogItem;

use super::draw::{chance, index_below, mix_seed, pick_word, standard_normal, WeightedPicker};
use super::shop::SynthConfig;
use super::svg::slug;
use super::tables::{CategorySpec, ProductKind, BRANDS, CATEGORIES, STYLES, VARIANTS};

/// The hidden facts behind one catalog item (same index as the catalog).
#[derive(Debug, Clone)]
pub(super) struct ItemFacts {
    pub(super) category: usize,
    pub(super) style: usize,
    pub(super) brand: usize,
    pub(super) kind_name: &'static str,
    pub(super) consumable: bool,
    /// Price divided by the category median (for the shoppers' price bands).
    pub(super) relative_price: f64,
    pub(super) popularity: f64,
    pub(super) in_stock: bool,
}

/// Rounds a raw price to shop style: `x.49` / `x.99` below 20, whole `x.99` above.
pub(super) fn shop_price(raw: f64) -> f64 {
    let raw = if raw.is_finite() { raw } else { 1.0 };
    let rounded = if raw < 20.0 { (raw * 2.0).round() / 2.0 } else { raw.round() };
    let price = rounded.max(1.0) - 0.01;
    (price * 100.0).round() / 100.0
}

/// Picks a brand for an item: usually one that makes this style, sometimes any.
pub(super) fn pick_brand(rng: &mut StdRng, style: usize) -> usize {
    let matching: Vec<usize> = (0..BRANDS.len()).filter(|&b| BRANDS.get(b).and_then(|spec| spec.style) == Some(style)).collect();
    if !matching.is_empty() && chance(rng, 0.65) {
        if let Some(i) = index_below(rng, matching.len()) {
            return matching.get(i).copied().unwrap_or(0);
        }
    }
    index_below(rng, BRANDS.len()).unwrap_or(0)
}

/// Upper-cases the first letter ("pillar candle" → "Pillar candle").
pub(super) fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builds the catalog and the hidden facts behind it.
pub(super) fn build_catalog(cfg: &SynthConfig) -> (Vec<CatalogItem>, Vec<ItemFacts>) {
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

        let Some((title, product, material)) = draw_title(&mut rng, spec, style_words, &mut titles_taken) else {
            continue;
        };

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

/// A product kind, a material named in the title (or none) and a title no other item has:
/// drawn up to six times, then made unique with a variant, then a number.
fn draw_title(
    rng: &mut StdRng,
    spec: &CategorySpec,
    style_words: &[&'static str],
    titles_taken: &mut HashSet<String>,
) -> Option<(String, &'static ProductKind, Option<&'static str>)> {
    let mut drawn = None;
    for _attempt in 0..6 {
        let product = index_below(rng, spec.kinds.len()).and_then(|k| spec.kinds.get(k));
        let material = pick_word(rng, spec.materials);
        let style_word = pick_word(rng, style_words);
        let Some(product) = product else { break };
        // The material is named in the title (and then described) for about half the items.
        let material = if chance(rng, 0.5) { Some(material) } else { None };
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
    let (base_title, product, material) = drawn?;
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
    Some((title, product, material))
}
