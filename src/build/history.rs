//! Events resolved against the catalog: the shared input of the builder's item models.
//!
//! [`index_events`] turns [`RawEvent`]s into [`ItemEvent`]s (shopper and item as dense
//! indices, basket as an index when given), dropping searches and events whose item the
//! catalog lacks; [`EventIndexer`] does the same one event at a time, for readers that stream
//! (Parquet events never exist as [`RawEvent`]s). The models ([`super::neighbours`], [`super::together`], [`super::trend`])
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
    /// The time of the newest event read, searches and unknown items included (`None`: no
    /// events).
    pub newest_ts_ms: Option<i64>,
}

/// How many ids of unknown items [`IndexedEvents::unknown_item_ids`] lists.
pub const MAX_LISTED_UNKNOWN_ITEMS: usize = 5;

/// Resolves `events` against `catalog` (item `i` is `catalog[i]`; ids must be unique, the
/// first wins otherwise).
pub fn index_events<C: AsRef<CatalogItem>>(catalog: &[C], events: &[RawEvent]) -> IndexedEvents {
    let mut indexer = EventIndexer::new(catalog);
    for e in events {
        indexer.push(&EventFields {
            shopper: &e.shopper,
            item: &e.item,
            kind: e.kind,
            ts_ms: e.ts_ms,
            qty: e.qty,
            basket: e.basket.as_deref(),
        });
    }
    indexer.finish()
}

/// The fields of one event that indexing reads, borrowed from wherever the event is.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'e> {
    /// Shopper id.
    pub shopper: &'e str,
    /// Item id (empty for searches).
    pub item: &'e str,
    /// What happened.
    pub kind: EventKind,
    /// Milliseconds since the Unix epoch.
    pub ts_ms: i64,
    /// Quantity.
    pub qty: u32,
    /// Basket / invoice id.
    pub basket: Option<&'e str>,
}

/// [`index_events`] one event at a time, so that a reader can stream events into the compact
/// form without keeping their strings: it owns one copy of each distinct shopper id, basket id
/// and unknown item id.
pub struct EventIndexer<'c> {
    item_index: HashMap<&'c str, u32>,
    shoppers: HashMap<Box<str>, u32>,
    /// Distinct basket ids, then baskets as (shopper, basket id) pairs: a basket id is scoped
    /// to its shopper.
    basket_ids: HashMap<Box<str>, u32>,
    baskets: HashMap<(u32, u32), u32>,
    unknown: HashSet<Box<str>>,
    history: IndexedEvents,
}

impl<'c> EventIndexer<'c> {
    /// An indexer resolving items against `catalog` (item `i` is `catalog[i]`).
    pub fn new<C: AsRef<CatalogItem>>(catalog: &'c [C]) -> EventIndexer<'c> {
        let mut item_index: HashMap<&str, u32> = HashMap::with_capacity(catalog.len());
        for (i, c) in catalog.iter().enumerate() {
            item_index.entry(c.as_ref().id.as_str()).or_insert(i as u32);
        }
        EventIndexer {
            item_index,
            shoppers: HashMap::new(),
            basket_ids: HashMap::new(),
            baskets: HashMap::new(),
            unknown: HashSet::new(),
            history: IndexedEvents { items: catalog.len(), ..IndexedEvents::default() },
        }
    }

    /// Makes room for `events` more events (at most: searches and unknown items are not kept).
    pub fn reserve(&mut self, events: usize) {
        self.history.events.reserve_exact(events);
    }

    /// Adds the next event.
    pub fn push(&mut self, e: &EventFields<'_>) {
        let history = &mut self.history;
        history.newest_ts_ms = Some(history.newest_ts_ms.map_or(e.ts_ms, |t| t.max(e.ts_ms)));
        if !e.kind.needs_item() {
            history.searches += 1;
            return;
        }
        let Some(&item) = self.item_index.get(e.item) else {
            history.unknown_items += 1;
            if !self.unknown.contains(e.item) {
                self.unknown.insert(e.item.into());
                if history.unknown_item_ids.len() < MAX_LISTED_UNKNOWN_ITEMS {
                    history.unknown_item_ids.push(e.item.to_owned());
                }
            }
            return;
        };
        let shopper = intern(&mut self.shoppers, e.shopper);
        let basket = e.basket.map(|b| {
            let id = intern(&mut self.basket_ids, b);
            let next = self.baskets.len() as u32;
            *self.baskets.entry((shopper, id)).or_insert(next)
        });
        history.events.push(ItemEvent { shopper, item, kind: e.kind, ts_ms: e.ts_ms, qty: e.qty.max(1), basket });
    }

    /// The indexed events.
    pub fn finish(mut self) -> IndexedEvents {
        self.history.shoppers = self.shoppers.len();
        self.history.unknown_item_count = self.unknown.len();
        self.history
    }
}

/// The index of `key` in `map`, numbered in the order keys first come.
fn intern(map: &mut HashMap<Box<str>, u32>, key: &str) -> u32 {
    if let Some(&i) = map.get(key) {
        return i;
    }
    let next = map.len() as u32;
    map.insert(key.into(), next);
    next
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
        // The newest time counts every event, searches and unknown items too.
        assert_eq!(h.newest_ts_ms, Some(2 * 86_400_000));
        let newest_search = RawEvent { kind: EventKind::Search, item: String::new(), ..buy("a", 0, 9, "b") };
        assert_eq!(index_events(&catalog(2), &[buy("a", 0, 1, "b"), newest_search]).newest_ts_ms, Some(9 * 86_400_000));
        assert_eq!(index_events(&catalog(2), &[]).newest_ts_ms, None);
        // Same invoice number, different shoppers: different baskets.
        assert_eq!(h.events[0].basket, h.events[2].basket);
        assert_ne!(h.events[0].basket, h.events[1].basket);
        assert_eq!(interactions_per_item(&h), [1, 2]);
    }
}
