//! What the shopper's events say, item by item: the cart, purchases, views and searches.

use std::collections::HashMap;

use crate::event::{Event, EventKind, Search};
use crate::profile::decay;

/// Purchases of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Purchases {
    /// Item index.
    pub item: u32,
    /// Purchase events.
    pub orders: u32,
    /// Units bought.
    pub units: u32,
    /// Purchase events weighted by `2^(−age / half_life)`.
    pub decayed: f32,
    /// The latest purchase, ms since 1970.
    pub last_ts_ms: i64,
}

/// Views (and clicks) of one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Views {
    /// Item index.
    pub item: u32,
    /// Views and clicks.
    pub count: u32,
    /// The latest one, ms since 1970.
    pub last_ts_ms: i64,
    /// Bought at or after the latest view ("Recently viewed" leaves it to "Buy again").
    pub bought_since: bool,
}

/// The per-item reading of the events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Items in the cart (added more often than removed, not bought since), latest added first.
    pub cart: Vec<u32>,
    /// Purchases by item, latest first.
    pub purchases: Vec<Purchases>,
    /// Views by item, latest first.
    pub views: Vec<Views>,
    /// Searches, latest first.
    pub searches: Vec<Search>,
    /// The items of `cart`, sorted (for [`History::in_cart`]).
    cart_sorted: Vec<u32>,
    /// The items of `purchases`, sorted (for [`History::purchased`]).
    purchased_sorted: Vec<u32>,
}

/// Purchases count half as much every this many ms on the buy-again shelf (30 days).
pub const BUY_AGAIN_HALF_LIFE_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

impl History {
    /// Reads `events` (oldest first) and `searches` for a catalog of `item_count` items. The
    /// cost grows with the events, not with the catalog.
    pub fn build<'e>(item_count: u32, events: impl IntoIterator<Item = &'e Event>, searches: &[Search], now_ms: i64) -> History {
        let mut cart_qty: HashMap<u32, (i64, i64)> = HashMap::new(); // item → (qty, last add ts)
        let mut purchases: HashMap<u32, Purchases> = HashMap::new();
        let mut views: HashMap<u32, Views> = HashMap::new();
        for e in events {
            if e.item >= item_count {
                continue;
            }
            match e.kind {
                EventKind::AddToCart => {
                    let entry = cart_qty.entry(e.item).or_insert((0, e.ts_ms));
                    entry.0 += i64::from(e.qty);
                    entry.1 = e.ts_ms;
                }
                EventKind::RemoveFromCart => {
                    if let Some(entry) = cart_qty.get_mut(&e.item) {
                        entry.0 = (entry.0 - i64::from(e.qty)).max(0);
                    }
                }
                EventKind::Purchase => {
                    cart_qty.remove(&e.item);
                    let p = purchases.entry(e.item).or_insert(Purchases {
                        item: e.item,
                        orders: 0,
                        units: 0,
                        decayed: 0.0,
                        last_ts_ms: e.ts_ms,
                    });
                    p.orders += 1;
                    p.units = p.units.saturating_add(e.qty);
                    p.decayed += decay((now_ms - e.ts_ms) as f64, BUY_AGAIN_HALF_LIFE_MS);
                    p.last_ts_ms = p.last_ts_ms.max(e.ts_ms);
                }
                EventKind::View | EventKind::Click => {
                    let v = views.entry(e.item).or_insert(Views { item: e.item, count: 0, last_ts_ms: e.ts_ms, bought_since: false });
                    v.count += 1;
                    v.last_ts_ms = v.last_ts_ms.max(e.ts_ms);
                }
                EventKind::Search => {}
            }
        }
        let mut cart: Vec<(u32, i64)> = cart_qty.into_iter().filter(|(_, (q, _))| *q > 0).map(|(i, (_, ts))| (i, ts)).collect();
        crate::order::sort_by(&mut cart, &|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut views: Vec<Views> = views.into_values().collect();
        for v in &mut views {
            v.bought_since = purchases.get(&v.item).is_some_and(|p| p.last_ts_ms >= v.last_ts_ms);
        }
        crate::order::sort_by(&mut views, &|a, b| b.last_ts_ms.cmp(&a.last_ts_ms).then(a.item.cmp(&b.item)));
        let mut purchases: Vec<Purchases> = purchases.into_values().collect();
        crate::order::sort_by(&mut purchases, &|a, b| b.last_ts_ms.cmp(&a.last_ts_ms).then(a.item.cmp(&b.item)));
        let mut searches = searches.to_vec();
        searches.sort_by_key(|s| std::cmp::Reverse(s.ts_ms));
        let cart: Vec<u32> = cart.into_iter().map(|(i, _)| i).collect();
        let mut cart_sorted = cart.clone();
        cart_sorted.sort_unstable();
        let mut purchased_sorted: Vec<u32> = purchases.iter().map(|p| p.item).collect();
        purchased_sorted.sort_unstable();
        History { cart, purchases, views, searches, cart_sorted, purchased_sorted }
    }

    /// Whether item `i` is in the cart.
    pub fn in_cart(&self, i: u32) -> bool {
        !self.cart_sorted.is_empty() && self.cart_sorted.binary_search(&i).is_ok()
    }

    /// Whether item `i` was bought.
    pub fn purchased(&self, i: u32) -> bool {
        !self.purchased_sorted.is_empty() && self.purchased_sorted.binary_search(&i).is_ok()
    }
}
