//! Events resolved against the catalog: the shared input of the builder's item models.
//!
//! [`index_events`] turns [`RawEvent`]s into [`ItemEvent`]s (shopper and item as dense
//! indices, basket as an index when given), dropping searches and events whose item the
//! catalog lacks. The models ([`super::neighbours`], [`super::together`], [`super::trend`])
//! all read this one form.

use std::collections::{HashMap, HashSet};

use super::input::{CatalogItem, RawEvent};
use crate::event::EventKind;

/// One event with dense indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemEvent {
    /// Shopper index (`0..shoppers`).
    pub shopper: u32,
    /// Item index in catalog order.
    pub item: u32,
    /// What happened.
    pub kind: EventKind,
    /// Milliseconds since the Unix epoch.
    pub ts_ms: i64,
    /// Quantity (≥ 1).
    pub qty: u32,
    /// Basket index when the event named a basket / invoice.
    pub basket: Option<u32>,
}

/// Indexed events plus the counts the models need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexedEvents {
    /// Events with an item the catalog knows, in input order.
    pub events: Vec<ItemEvent>,
    /// Number of distinct shoppers.
    pub shoppers: usize,
    /// Number of catalog items.
    pub items: usize,
    /// Events left out: searches (no item).
    pub searches: u64,
    /// Events left out: the item is not in the catalog.
    pub unknown_items: u64,
    /// The first [`MAX_LISTED_UNKNOWN_ITEMS`] distinct item ids the catalog lacks, in event
    /// order.
    pub unknown_item_ids: Vec<String>,
    /// How many distinct item ids the catalog lacks.
    pub unknown_item_count: usize,
}

/// How many ids of unknown items [`IndexedEvents::unknown_item_ids`] lists.
pub const MAX_LISTED_UNKNOWN_ITEMS: usize = 5;

/// Resolves `events` against `catalog` (item `i` is `catalog[i]`; ids must be unique, the
/// first wins otherwise).
pub fn index_events<C: AsRef<CatalogItem>>(catalog: &[C], events: &[RawEvent]) -> IndexedEvents {
    let mut item_index: HashMap<&str, u32> = HashMap::with_capacity(catalog.len());
    for (i, c) in catalog.iter().enumerate() {
        item_index.entry(c.as_ref().id.as_str()).or_insert(i as u32);
    }
    let mut shoppers: HashMap<&str, u32> = HashMap::new();
    let mut baskets: HashMap<(&str, &str), u32> = HashMap::new();
    let mut unknown: HashSet<&str> = HashSet::new();
    let mut history = IndexedEvents { items: catalog.len(), ..IndexedEvents::default() };
    for e in events {
        if !e.kind.needs_item() {
            history.searches += 1;
            continue;
        }
        let Some(&item) = item_index.get(e.item.as_str()) else {
            history.unknown_items += 1;
            if unknown.insert(e.item.as_str()) && history.unknown_item_ids.len() < MAX_LISTED_UNKNOWN_ITEMS {
                history.unknown_item_ids.push(e.item.clone());
            }
            continue;
        };
        let next = shoppers.len() as u32;
        let shopper = *shoppers.entry(e.shopper.as_str()).or_insert(next);
        let basket = e.basket.as_deref().map(|b| {
            let next = baskets.len() as u32;
            *baskets.entry((e.shopper.as_str(), b)).or_insert(next)
        });
        history.events.push(ItemEvent { shopper, item, kind: e.kind, ts_ms: e.ts_ms, qty: e.qty.max(1), basket });
    }
    history.shoppers = shoppers.len();
    history.unknown_item_count = unknown.len();
    history
}

/// Distinct shoppers with at least one positive event (anything but remove-from-cart) per item:
/// the pack's `interactions` (0 = a cold item).
pub fn interactions_per_item(history: &IndexedEvents) -> Vec<u32> {
    let mut pairs: Vec<(u32, u32)> =
        history.events.iter().filter(|e| e.kind != EventKind::RemoveFromCart).map(|e| (e.item, e.shopper)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut counts = vec![0u32; history.items];
    for (item, _) in pairs {
        counts[item as usize] += 1;
    }
    counts
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A catalog of `n` items with ids `I0`, `I1`, ….
    pub(crate) fn catalog(n: usize) -> Vec<CatalogItem> {
        (0..n)
            .map(|i| CatalogItem {
                id: format!("I{i}"),
                title: format!("item {i}"),
                category: String::new(),
                brand: String::new(),
                price: 1.0,
                image: String::new(),
                url: String::new(),
                in_stock: true,
                description: String::new(),
            })
            .collect()
    }

    /// A purchase of item `I{item}` by `shopper` at day `day`, in basket `basket`.
    pub(crate) fn buy(shopper: &str, item: usize, day: i64, basket: &str) -> RawEvent {
        RawEvent {
            shopper: shopper.to_owned(),
            item: format!("I{item}"),
            kind: EventKind::Purchase,
            ts_ms: day * 86_400_000,
            qty: 1,
            price: None,
            basket: Some(basket.to_owned()),
            query: None,
        }
    }

    #[test]
    fn indexing_drops_searches_and_unknown_items_and_scopes_baskets_per_shopper() {
        let mut events = vec![buy("a", 0, 1, "b1"), buy("b", 1, 1, "b1"), buy("a", 1, 1, "b1")];
        events.push(RawEvent { item: "nope".to_owned(), ..buy("a", 0, 2, "b2") });
        events.push(RawEvent { kind: EventKind::Search, item: String::new(), ..buy("a", 0, 2, "b2") });
        let h = index_events(&catalog(2), &events);
        assert_eq!(h.events.len(), 3);
        assert_eq!((h.shoppers, h.searches, h.unknown_items), (2, 1, 1));
        assert_eq!((h.unknown_item_ids.as_slice(), h.unknown_item_count), (["nope".to_owned()].as_slice(), 1));
        // Same invoice number, different shoppers: different baskets.
        assert_eq!(h.events[0].basket, h.events[2].basket);
        assert_ne!(h.events[0].basket, h.events[1].basket);
        assert_eq!(interactions_per_item(&h), [1, 2]);
    }
}
