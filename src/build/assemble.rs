//! From catalog + events to [`PackContents`]: item table, popularity, embeddings.
//!
//! * Items come from the catalog; events naming an item the catalog lacks are counted and
//!   left out.
//! * Each shopper × item pair gets a strength `Σ kind weight` (purchases count
//!   `weight × (1 + ln qty)`), which trains implicit ALS ([`super::als`]).
//! * Popularity is a purchase-and-cart-weighted count decayed with a 30-day half-life from the
//!   newest event, scaled to a maximum of 1.
//! * The events are indexed once ([`super::history::index_events`]); training, neighbours,
//!   bought together, trend and sales rates all read that one index.
//! * Item vectors are scaled to unit length before quantization ([`normalize_rows`]); items
//!   with no interactions get a vector from content-similar warm items
//!   ([`super::content::fill_cold_vectors`]). [`assemble_with_vectors`] takes imported vectors
//!   instead and trains no ALS at all.
//! * Neighbours: item-kNN cosine or EASE ([`super::neighbours`]) for items with interactions, content
//!   neighbours ([`super::content`]) for cold items. Bought together: [`super::together`].
//!   Trend: [`super::trend`], as of the newest event. Sales rates (what trending shelves rank
//!   by): [`super::forecast::rates`], when the events have 8 weeks of purchases. Interactions:
//!   distinct shoppers per item.

use std::collections::{BTreeMap, HashMap};

use thiserror::Error;

use super::als::{self, AlsConfig, AlsError, Interactions};
use super::content::{content_neighbours, fill_cold_vectors, tfidf_vectors, ContentConfig};
use super::ease::EaseError;
use super::forecast::rates::sales_rates;
use super::forecast::ItemFacts;
use super::history::{index_events, IndexedEvents};
use super::input::{CatalogItem, RawEvent};
use super::neighbours::{item_neighbours, NeighbourConfig};
use super::read::echo;
use super::together::{bought_together, TogetherConfig};
use super::trend::{item_demand, TrendConfig};
use super::vectors::{apply_vectors, AppliedVectors, ItemVectors};
use crate::event::EventKind;
use crate::pack::{crate_version, quantize_per_dimension, PackContents, PackError, PackItem, SalesRate, UrlTemplates};
use crate::profile::decay;

/// Settings for one build.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The embedding model.
    pub als: AlsConfig,
    /// Half-life of popularity, in days.
    pub popularity_half_life_days: f64,
    /// The build time to stamp into the pack (ms since the Unix epoch).
    pub built_at_ms: i64,
    /// Item-to-item neighbours.
    pub neighbours: NeighbourConfig,
    /// Bought-together lists.
    pub together: TogetherConfig,
    /// The demand forecast behind `trend` (its popularity half-life is not used: see
    /// `popularity_half_life_days`).
    pub trend: TrendConfig,
    /// Content features (cold items' vectors and neighbours).
    pub content: ContentConfig,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            als: AlsConfig::default(),
            popularity_half_life_days: 30.0,
            built_at_ms: 0,
            neighbours: NeighbourConfig::default(),
            together: TogetherConfig::default(),
            trend: TrendConfig::default(),
            content: ContentConfig::default(),
        }
    }
}

/// A build failure.
#[derive(Debug, Error)]
pub enum BuildError {
    /// No item of the catalog is usable.
    #[error("the catalog has no items")]
    EmptyCatalog,
    /// Training failed.
    #[error("training the embeddings failed: {0}")]
    Training(#[from] AlsError),
    /// The pack could not be encoded.
    #[error("encoding the pack failed: {0}")]
    Pack(#[from] PackError),
    /// The EASE neighbour model failed.
    #[error("neighbour lists: {0}")]
    Ease(#[from] EaseError),
}

/// What a build used and left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BuildSummary {
    /// Items in the pack.
    pub items: usize,
    /// Items with at least one interaction.
    pub items_with_interactions: usize,
    /// Items without interactions that got a vector from content-similar warm items.
    pub cold_items_with_content_vector: usize,
    /// Distinct shoppers used for training.
    pub shoppers: usize,
    /// Events used.
    pub events_used: u64,
    /// Events left out, by reason.
    pub events_skipped: BTreeMap<String, u64>,
    /// The first [`MAX_LISTED_UNKNOWN_ITEMS`](super::history::MAX_LISTED_UNKNOWN_ITEMS) distinct
    /// item ids of events that the catalog lacks, in event order.
    pub unknown_items: Vec<String>,
    /// How many distinct item ids the catalog lacks.
    pub unknown_item_count: usize,
}

impl BuildSummary {
    /// The unknown item ids for the build summary: `ids not in the catalog: "X1", "X7" and 4
    /// more` (each cut as [`echo`] does).
    pub fn unknown_items_text(&self) -> String {
        let ids: Vec<String> = self.unknown_items.iter().map(|id| echo(id)).collect();
        let more = self.unknown_item_count.saturating_sub(ids.len());
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!("ids not in the catalog: {}{tail}", ids.join(", "))
    }
}

/// Interaction strength of one event for training: the kind's
/// [`crate::event::KindWeights::training`], for a purchase scaled by `1 + ln(qty)`.
pub fn training_weight(kind: EventKind, qty: u32) -> f32 {
    let base = kind.weights().training;
    if kind == EventKind::Purchase {
        base * (1.0 + (qty.max(1) as f32).ln())
    } else {
        base
    }
}

/// Builds the pack contents, training the item vectors by ALS. `on_iteration` is told of each
/// finished ALS iteration.
pub fn assemble(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &BuildConfig,
    on_iteration: &mut dyn FnMut(usize),
) -> Result<(PackContents, BuildSummary), BuildError> {
    assemble_with(catalog, events, config, Some(on_iteration))
}

/// Builds the pack contents with imported item vectors ([`apply_vectors`]) as the embeddings:
/// no ALS is trained (`config.als` is not used), everything else is as [`assemble`] builds it.
pub fn assemble_with_vectors(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &BuildConfig,
    vectors: &ItemVectors,
) -> Result<(PackContents, BuildSummary, AppliedVectors), BuildError> {
    let (mut contents, summary) = assemble_with(catalog, events, config, None)?;
    let applied = apply_vectors(&mut contents, vectors);
    Ok((contents, summary, applied))
}

/// What training reads from the indexed events.
struct Training {
    interactions: Interactions,
    /// Decayed, weighted events per item (not yet scaled to a maximum of 1).
    popularity: Vec<f64>,
    /// Distinct training shoppers per item.
    shoppers_per_item: Vec<u32>,
    /// Events used.
    used: u64,
}

/// The shopper × item strengths and per-item counts of the events with a training signal;
/// the events left out are counted into `summary`.
fn training_data(history: &IndexedEvents, newest: i64, config: &BuildConfig, summary: &mut BuildSummary) -> Training {
    let half_life_ms = config.popularity_half_life_days * 86_400_000.0;
    let mut popularity = vec![0.0f64; history.items];
    // Shoppers are numbered in the order of their first event with a training signal.
    let mut trained_shopper = vec![u32::MAX; history.shoppers];
    let mut shoppers = 0u32;
    let mut pairs: HashMap<(u32, u32), f32> = HashMap::new();
    let (mut used, mut no_signal) = (0u64, 0u64);
    for e in &history.events {
        let w = training_weight(e.kind, e.qty);
        if w <= 0.0 {
            no_signal += 1;
            continue;
        }
        used += 1;
        popularity[e.item as usize] += f64::from(w) * f64::from(decay((newest - e.ts_ms) as f64, half_life_ms));
        let slot = &mut trained_shopper[e.shopper as usize];
        if *slot == u32::MAX {
            *slot = shoppers;
            shoppers += 1;
        }
        *pairs.entry((*slot, e.item)).or_default() += w;
    }
    let reasons = [
        ("search (no item)", history.searches),
        ("item not in catalog", history.unknown_items),
        ("no training signal (remove_from_cart)", no_signal),
    ];
    summary.events_skipped.extend(reasons.into_iter().filter(|&(_, n)| n > 0).map(|(reason, n)| (reason.to_owned(), n)));
    summary.unknown_items.clone_from(&history.unknown_item_ids);
    summary.unknown_item_count = history.unknown_item_count;
    summary.events_used = used;
    summary.shoppers = shoppers as usize;
    let mut entries: Vec<(u32, u32, f32)> = pairs.into_iter().map(|((u, i), w)| (u, i, w)).collect();
    entries.sort_by_key(|&(u, i, _)| (u, i));
    let mut shoppers_per_item = vec![0u32; history.items];
    entries.iter().for_each(|&(_, i, _)| shoppers_per_item[i as usize] += 1);
    summary.items_with_interactions = shoppers_per_item.iter().filter(|&&c| c > 0).count();
    let interactions = Interactions { n_users: shoppers as usize, n_items: history.items, entries };
    Training { interactions, popularity, shoppers_per_item, used }
}

/// The item vectors trained by ALS, unit length, cold items' filled from content-similar warm
/// items: `(dim, rows)`.
fn trained_vectors(
    training: &Training,
    config: &BuildConfig,
    similar_text: &[Vec<(u32, f32)>],
    on_iteration: &mut dyn FnMut(usize),
    summary: &mut BuildSummary,
) -> Result<(usize, Vec<f32>), BuildError> {
    let model = als::train(&training.interactions, &config.als, on_iteration)?;
    let dim = model.item_factors.ncols();
    let mut flat: Vec<f32> = model.item_factors.iter().copied().collect();
    normalize_rows(&mut flat, dim);
    let warm: Vec<bool> = training.shoppers_per_item.iter().map(|&c| c > 0).collect();
    summary.cold_items_with_content_vector = fill_cold_vectors(&mut flat, dim, &warm, similar_text, config.content.warm_sources);
    Ok((dim, flat))
}

/// [`assemble`], with the embeddings trained when `on_iteration` is given, else left empty
/// (dimension 0) for [`assemble_with_vectors`] to fill.
fn assemble_with(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &BuildConfig,
    on_iteration: Option<&mut dyn FnMut(usize)>,
) -> Result<(PackContents, BuildSummary), BuildError> {
    let catalog = pack_order(catalog);
    assemble_indexed(&catalog, &index_events(&catalog, events), config, on_iteration)
}

/// The catalog in the pack's item order (by id): the order [`assemble_indexed`] wants the events
/// indexed against.
pub fn pack_order(catalog: &[CatalogItem]) -> Vec<&CatalogItem> {
    let mut sorted: Vec<&CatalogItem> = catalog.iter().collect();
    sorted.sort_by(|a, b| by_id(a, b));
    sorted
}

/// Sorts an owned catalog into [`pack_order`] (stable: items with the same id keep their
/// order), so that later [`pack_order`] calls on it are one linear pass instead of a sort.
pub fn sort_into_pack_order(catalog: &mut [CatalogItem]) {
    catalog.sort_by(by_id);
}

fn by_id(a: &CatalogItem, b: &CatalogItem) -> std::cmp::Ordering {
    a.id.as_bytes().cmp(b.id.as_bytes())
}

/// Builds the pack contents from events already indexed against `catalog` in [`pack_order`]
/// (by [`index_events`] or a streaming [`super::history::EventIndexer`]), training the
/// embeddings when `on_iteration` is given, else leaving them empty (dimension 0) for
/// [`apply_vectors`]. [`assemble`] and [`assemble_with_vectors`] are this on [`RawEvent`]s.
pub fn assemble_indexed(
    catalog: &[&CatalogItem],
    history: &IndexedEvents,
    config: &BuildConfig,
    on_iteration: Option<&mut dyn FnMut(usize)>,
) -> Result<(PackContents, BuildSummary), BuildError> {
    if catalog.is_empty() {
        return Err(BuildError::EmptyCatalog);
    }
    let mut summary = BuildSummary { items: catalog.len(), ..BuildSummary::default() };
    let newest = history.newest_ts_ms.unwrap_or(0);
    let training = training_data(history, newest, config, &mut summary);

    let texts: Vec<String> = catalog.iter().map(|c| format!("{} {}", c.title, c.description)).collect();
    let content = &config.content;
    let similar_text = content_neighbours(&tfidf_vectors(&texts, content.buckets), content.k, content.min_similarity);
    let (dim, quantized) = match on_iteration {
        Some(on_iteration) => {
            let (dim, flat) = trained_vectors(&training, config, &similar_text, on_iteration, &mut summary)?;
            (dim, quantize_per_dimension(&flat, dim))
        }
        None => (0, quantize_per_dimension(&[], 0)),
    };
    let mut neighbours = item_neighbours(history, &config.neighbours)?;
    for ((list, text_list), &shoppers) in neighbours.iter_mut().zip(similar_text).zip(&training.shoppers_per_item) {
        if shoppers == 0 {
            *list = text_list;
            list.truncate(config.neighbours.k);
        }
    }
    // The pack stores basket counts as 16-bit numbers; clamping keeps the order.
    let together: Vec<Vec<(u32, u32)>> = bought_together(history, &config.together)
        .into_iter()
        .map(|list| list.into_iter().map(|(j, c)| (j, c.min(u32::from(u16::MAX)))).collect())
        .collect();
    let (categories, brands, mut items) = pack_items(catalog, history, &training, newest, config);
    let url_templates = UrlTemplates::factor_out(&mut items);
    let contents = PackContents {
        builder_version: crate_version(),
        built_at_ms: config.built_at_ms,
        training_events: training.used,
        categories,
        brands,
        items,
        url_templates,
        dim: dim as u32,
        scales: quantized.scales,
        codes: quantized.codes,
        neighbours,
        together,
        rules: Vec::new(),
        image: None,
    };
    Ok((contents, summary))
}

/// The category and brand tables and the item table: catalog fields, popularity scaled to a
/// maximum of 1, trend, sales rate and interactions.
fn pack_items(
    catalog: &[&CatalogItem],
    history: &IndexedEvents,
    training: &Training,
    newest: i64,
    config: &BuildConfig,
) -> (Vec<String>, Vec<String>, Vec<PackItem>) {
    let demand = item_demand(history, newest, &config.trend);
    let rates: Vec<Option<SalesRate>> = match sales_rates(history, &ItemFacts::from_catalog(catalog)) {
        Some(rates) => rates.into_iter().map(Some).collect(),
        None => vec![None; catalog.len()],
    };
    let max_pop = training.popularity.iter().copied().fold(0.0f64, f64::max);
    let mut categories: Vec<String> = catalog.iter().map(|c| category_name(&c.category).to_owned()).collect();
    categories.sort();
    categories.dedup();
    let mut brands: Vec<String> = catalog.iter().map(|c| c.brand.clone()).collect();
    brands.sort();
    brands.dedup();
    let position = |list: &[String], name: &str| list.binary_search_by(|c| c.as_str().cmp(name)).unwrap_or(0) as u32;
    let items = catalog
        .iter()
        .zip(&training.popularity)
        .zip(&training.shoppers_per_item)
        .zip(demand.trend.iter().zip(rates))
        .map(|(((c, &p), &shoppers), (&trend, sales_rate))| PackItem {
            id: c.id.clone(),
            title: c.title.clone(),
            category: position(&categories, category_name(&c.category)),
            brand: position(&brands, &c.brand),
            price: c.price,
            in_stock: c.in_stock,
            image_url: crate::build::input::pack_url(&c.image),
            page_url: crate::build::input::pack_url(&c.url),
            popularity: if max_pop > 0.0 { (p / max_pop) as f32 } else { 0.0 },
            trend,
            interactions: shoppers,
            sales_rate,
        })
        .collect();
    (categories, brands, items)
}

/// Scales every row to unit length (zero rows stay zero), so that a query's dot product with
/// an item is their cosine: how well the item matches, not how much data it has. Popularity is
/// stored and weighed separately.
pub fn normalize_rows(rows: &mut [f32], dim: usize) {
    if dim == 0 {
        return;
    }
    for row in rows.chunks_exact_mut(dim) {
        crate::vector::normalize(row);
    }
}

fn category_name(raw: &str) -> &str {
    if raw.is_empty() {
        "Uncategorized"
    } else {
        raw
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::tests::{buy, catalog};
    use crate::pack::Pack;

    #[test]
    fn a_cold_item_gets_content_neighbours_and_a_vector_next_to_them() {
        let mut items = catalog(5);
        for (item, title) in items.iter_mut().zip(["RED SPOTTY MUG", "BLUE SPOTTY MUG", "WOODEN STAR", "TIN STAR", "GREEN SPOTTY MUG"]) {
            item.title = title.to_owned();
        }
        // Item 4 (a mug) has no events at all.
        let mut events = Vec::new();
        for s in 0..6 {
            let who = format!("s{s}");
            events.push(buy(&who, if s % 2 == 0 { 0 } else { 2 }, 1, "a"));
            events.push(buy(&who, if s % 2 == 0 { 1 } else { 3 }, 2, "a"));
        }
        let mut config = BuildConfig::default();
        config.als.factors = 4;
        config.als.iterations = 5;
        let (contents, summary) = assemble(&items, &events, &config, &mut |_| {}).unwrap();
        assert_eq!(summary.cold_items_with_content_vector, 1);
        let pack = Pack::open(contents.encode().unwrap()).unwrap();
        let cold = pack.find_item("I4").unwrap();
        assert_eq!(pack.interactions(cold), 0);
        let near: Vec<&str> = pack.neighbours(cold).map(|(j, _)| pack.item_id(j)).collect();
        assert_eq!(&near[..2], ["I0", "I1"], "the other mugs");
        let mut row = vec![0i8; pack.dim()];
        pack.embedding_row(cold, &mut row);
        assert!(row.iter().any(|&c| c != 0), "the cold item has a vector");
        // Warm items keep their co-purchase neighbours; bought-together pairs come from baskets.
        let mug = pack.find_item("I0").unwrap();
        assert_eq!(pack.neighbours(mug).next().map(|(j, _)| pack.item_id(j)), Some("I1"));
        let together: Vec<(&str, u32)> = pack.bought_together(mug).map(|(j, c)| (pack.item_id(j), c)).collect();
        assert_eq!(together, [("I1", 3)], "three shoppers had both in one basket");
    }

    #[test]
    fn imported_vectors_train_no_als_and_keep_everything_else() {
        let items = catalog(4);
        let events: Vec<RawEvent> = (0..4).flat_map(|s| [buy(&format!("s{s}"), s % 2, 1, "a"), buy(&format!("s{s}"), 2, 1, "a")]).collect();
        let mut config = BuildConfig::default();
        config.als.factors = 4;
        let (trained, trained_summary) = assemble(&items, &events, &config, &mut |_| {}).unwrap();
        // ALS refuses zero factors: with imported vectors it must not run at all.
        config.als.factors = 0;
        assert!(matches!(assemble(&items, &events, &config, &mut |_| {}), Err(BuildError::Training(AlsError::ZeroFactors))));
        let vectors = ItemVectors {
            dim: 2,
            ids: vec!["I0".into(), "I2".into(), "ZZ".into()],
            rows: vec![3.0, 4.0, 0.0, 2.0, 1.0, 1.0],
            lines: vec![1, 2, 3],
        };
        let (imported, summary, applied) = assemble_with_vectors(&items, &events, &config, &vectors).unwrap();
        assert_eq!(applied, AppliedVectors { matched: 2, missing: 2, unknown: 1 });
        assert_eq!((imported.dim, imported.codes.len()), (2, 8));
        assert_eq!(imported.codes[2..6], [0, 0, 0, 127], "I1 has no vector; I2 is (0, 1)");
        assert_eq!((imported.items, imported.neighbours, imported.together), (trained.items, trained.neighbours, trained.together));
        assert_eq!(summary, BuildSummary { cold_items_with_content_vector: 0, ..trained_summary });
    }
}
