//! Frequently bought together: same-basket co-purchase counts, each shopper's part capped.
//!
//! A basket is one shopper's invoice / basket id ([`ItemEvent::basket`]); only purchases count
//! and an item counts once per basket. For a pair of items, the count is
//! `Σ_shopper min(cap, baskets of that shopper holding both)`, so one shopper (or one farmer
//! replaying the same order) adds at most [`TogetherConfig::per_shopper_cap`]. Baskets with more
//! than [`TogetherConfig::max_basket_items`] distinct items (wholesale orders, whole-catalog
//! bots) say little about what goes together and are left out.

use std::collections::HashMap;

use super::history::{IndexedEvents, ItemEvent};
use crate::event::EventKind;

/// Settings of [`bought_together`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TogetherConfig {
    /// Partners kept per item (most baskets first).
    pub k: usize,
    /// The most one shopper adds to a pair's count.
    pub per_shopper_cap: u32,
    /// Baskets with more distinct items than this are left out.
    pub max_basket_items: usize,
    /// Pairs with a smaller (capped) count are dropped.
    pub min_baskets: u32,
}

impl Default for TogetherConfig {
    fn default() -> Self {
        TogetherConfig { k: 20, per_shopper_cap: 1, max_basket_items: 100, min_baskets: 2 }
    }
}

/// For every item, at most `k` `(partner, baskets)` pairs, most baskets first (ties: lower index).
pub fn bought_together(history: &IndexedEvents, config: &TogetherConfig) -> Vec<Vec<(u32, u32)>> {
    // shopper → basket → items
    let mut baskets: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
    for e in history.events.iter().filter(|e: &&ItemEvent| e.kind == EventKind::Purchase) {
        if let Some(b) = e.basket {
            baskets.entry((e.shopper, b)).or_default().push(e.item);
        }
    }
    let mut by_shopper: Vec<Vec<Vec<u32>>> = vec![Vec::new(); history.shoppers];
    for ((shopper, _), mut items) in baskets {
        items.sort_unstable();
        items.dedup();
        if items.len() >= 2 && items.len() <= config.max_basket_items {
            by_shopper[shopper as usize].push(items);
        }
    }
    // (a, b, capped count) with a < b, from every shopper.
    let mut triples: Vec<(u32, u32, u32)> = Vec::new();
    let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
    for shopper_baskets in &by_shopper {
        pairs.clear();
        for items in shopper_baskets {
            for (x, &a) in items.iter().enumerate() {
                for &b in &items[x + 1..] {
                    *pairs.entry((a, b)).or_default() += 1;
                }
            }
        }
        triples.extend(pairs.iter().map(|(&(a, b), &c)| (a, b, c.min(config.per_shopper_cap))));
    }
    triples.sort_unstable_by_key(|&(a, b, _)| (a, b));
    let mut lists: Vec<Vec<(u32, u32)>> = vec![Vec::new(); history.items];
    let mut at = 0;
    while at < triples.len() {
        let (a, b, _) = triples[at];
        let mut count = 0u32;
        while at < triples.len() && triples[at].0 == a && triples[at].1 == b {
            count = count.saturating_add(triples[at].2);
            at += 1;
        }
        if count >= config.min_baskets.max(1) {
            lists[a as usize].push((b, count));
            lists[b as usize].push((a, count));
        }
    }
    for list in &mut lists {
        list.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        list.truncate(config.k);
    }
    lists
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::index_events;
    use crate::build::history::tests::{buy, catalog};

    fn config() -> TogetherConfig {
        TogetherConfig { k: 5, per_shopper_cap: 1, max_basket_items: 10, min_baskets: 1 }
    }

    #[test]
    fn counts_baskets_not_shoppers_histories() {
        // a buys 0+1 together; b buys 0 and 1 in different baskets; c buys 0+1+2 together.
        let events = [
            buy("a", 0, 1, "1"),
            buy("a", 1, 1, "1"),
            buy("b", 0, 1, "2"),
            buy("b", 1, 2, "3"),
            buy("c", 0, 3, "4"),
            buy("c", 1, 3, "4"),
            buy("c", 2, 3, "4"),
        ];
        let t = bought_together(&index_events(&catalog(3), &events), &config());
        assert_eq!(t[0], [(1, 2), (2, 1)]);
        assert_eq!(t[2], [(0, 1), (1, 1)]);
    }

    #[test]
    fn a_farmer_replaying_one_basket_adds_at_most_the_cap() {
        let mut events = vec![buy("a", 0, 1, "1"), buy("a", 2, 1, "1"), buy("b", 0, 1, "2"), buy("b", 2, 1, "2")];
        for order in 0..200 {
            events.push(buy("farmer", 0, 1, &format!("f{order}")));
            events.push(buy("farmer", 1, 1, &format!("f{order}")));
        }
        let t = bought_together(&index_events(&catalog(3), &events), &config());
        assert_eq!(t[0], [(2, 2), (1, 1)]);
        let capped = bought_together(&index_events(&catalog(3), &events), &TogetherConfig { per_shopper_cap: 3, ..config() });
        assert_eq!(capped[0][0], (1, 3));
    }

    #[test]
    fn huge_baskets_and_rare_pairs_are_left_out() {
        let mut events: Vec<_> = (0..12).map(|i| buy("w", i, 1, "big")).collect();
        events.extend([buy("a", 0, 1, "1"), buy("a", 1, 1, "1")]);
        let h = index_events(&catalog(12), &events);
        let t = bought_together(&h, &config());
        assert_eq!(t[0], [(1, 1)]);
        assert!(t[5].is_empty());
        assert!(bought_together(&h, &TogetherConfig { min_baskets: 2, ..config() })[0].is_empty());
    }
}
