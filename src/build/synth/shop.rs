//! The synthetic shop's settings ([`SynthConfig`]), the result ([`SynthShop`]) and
//! [`generate`]: the catalog, then every shopper's sessions, then the events in time order
//! with basket numbers that follow time.

use crate::build::input::{CatalogItem, RawEvent};
use crate::event::EventKind;

use super::catalog::build_catalog;
use super::simulation::{CatalogIndex, Simulation};

/// 2026-06-01T00:00:00Z in milliseconds since the Unix epoch (the default first shop day).
pub const DEFAULT_START_MS: i64 = 1_780_272_000_000;

pub(super) const MS_PER_SECOND: i64 = 1_000;
pub(super) const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
pub(super) const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
pub(super) const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

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
