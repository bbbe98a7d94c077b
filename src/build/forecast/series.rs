//! Weekly unit sales per product, from the builder's events.
//!
//! * Only purchases count; the quantity of each line is its units.
//! * Cancellations (the Online Retail file's `C` invoices) are taken off the same shopper's
//!   purchases of the same product at or before the cancellation, newest first
//!   ([`net_cancellations`]); units cancelled with no such purchase (bought before the file
//!   starts) are dropped and counted.
//! * Week `w` of a [`WeeklySales`] covers `[start + 7w days, start + 7(w+1) days)`; the last
//!   week ends at `end_ms` (exclusive), so a split date or a cut-off is a week boundary.

use std::collections::HashMap;

use crate::build::history::IndexedEvents;
use crate::build::input::RawEvent;
use crate::event::EventKind;

/// One week in milliseconds.
pub const MS_PER_WEEK: i64 = 7 * 86_400_000;

/// What [`net_cancellations`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Netting {
    /// Cancelled units taken off earlier purchases.
    pub matched_units: u64,
    /// Cancelled units with no earlier purchase of the shopper to take them off.
    pub unmatched_units: u64,
}

/// Takes each cancellation's units off the same shopper's purchases of the same item at or
/// before it, newest first; purchases left with no units are removed.
pub fn net_cancellations(events: &mut Vec<RawEvent>, cancellations: &[RawEvent]) -> Netting {
    let mut purchases: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if e.kind == EventKind::Purchase {
            purchases.entry((e.shopper.as_str(), e.item.as_str())).or_default().push(i);
        }
    }
    let mut left: Vec<u32> = events.iter().map(|e| e.qty).collect();
    let mut netting = Netting::default();
    for c in cancellations {
        let mut units = c.qty;
        if let Some(list) = purchases.get(&(c.shopper.as_str(), c.item.as_str())) {
            let mut earlier: Vec<usize> = list.iter().copied().filter(|&i| events[i].ts_ms <= c.ts_ms).collect();
            earlier.sort_by_key(|&i| std::cmp::Reverse((events[i].ts_ms, i)));
            for i in earlier {
                let take = units.min(left[i]);
                left[i] -= take;
                units -= take;
                netting.matched_units += u64::from(take);
            }
        }
        netting.unmatched_units += u64::from(units);
    }
    let mut i = 0;
    events.retain_mut(|e| {
        e.qty = left[i];
        i += 1;
        e.qty > 0
    });
    netting
}

/// Units sold, purchase lines (orders) and distinct buyers per item and week.
#[derive(Debug, Clone, PartialEq)]
pub struct WeeklySales {
    /// Number of items (rows).
    pub items: usize,
    /// Number of weeks (columns).
    pub weeks: usize,
    /// End of the last week (exclusive), ms since the Unix epoch.
    pub end_ms: i64,
    units: Vec<f64>,
    orders: Vec<f64>,
    buyers: Vec<f64>,
}

impl WeeklySales {
    /// The `weeks` weeks of purchases ending at `end_ms`; purchases outside are ignored.
    pub fn from_history(history: &IndexedEvents, end_ms: i64, weeks: usize) -> WeeklySales {
        let mut sales = WeeklySales::zeros(history.items, weeks, end_ms);
        let start = sales.week_start_ms(0);
        let mut buyers = Vec::new();
        for e in history.events.iter().filter(|e| e.kind == EventKind::Purchase && e.ts_ms >= start && e.ts_ms < end_ms) {
            let w = ((e.ts_ms - start) / MS_PER_WEEK) as usize;
            let cell = e.item as usize * weeks + w;
            sales.units[cell] += f64::from(e.qty);
            sales.orders[cell] += 1.0;
            buyers.push((cell, e.shopper));
        }
        buyers.sort_unstable();
        buyers.dedup();
        for (cell, _) in buyers {
            sales.buyers[cell] += 1.0;
        }
        sales
    }

    /// All zeros.
    pub fn zeros(items: usize, weeks: usize, end_ms: i64) -> WeeklySales {
        let zeros = vec![0.0; items * weeks];
        WeeklySales { items, weeks, end_ms, units: zeros.clone(), orders: zeros.clone(), buyers: zeros }
    }

    /// Units of `item` per week, oldest first.
    pub fn units(&self, item: usize) -> &[f64] {
        &self.units[item * self.weeks..(item + 1) * self.weeks]
    }

    /// Purchase lines of `item` per week, oldest first.
    pub fn orders(&self, item: usize) -> &[f64] {
        &self.orders[item * self.weeks..(item + 1) * self.weeks]
    }

    /// Distinct buyers of `item` per week, oldest first.
    pub fn buyers(&self, item: usize) -> &[f64] {
        &self.buyers[item * self.weeks..(item + 1) * self.weeks]
    }

    /// Sets the units and orders of `item` in week `w`, one buyer per order (for tests and
    /// synthetic series).
    pub fn set(&mut self, item: usize, w: usize, units: f64, orders: f64) {
        self.units[item * self.weeks + w] = units;
        self.orders[item * self.weeks + w] = orders;
        self.buyers[item * self.weeks + w] = orders;
    }

    /// Start of week `w`, ms since the Unix epoch.
    pub fn week_start_ms(&self, w: usize) -> i64 {
        self.end_ms - (self.weeks - w) as i64 * MS_PER_WEEK
    }

    /// Weeks `from..to` as their own series (`from <= to <= weeks`).
    pub fn window(&self, from: usize, to: usize) -> WeeklySales {
        let weeks = to - from;
        let mut out = WeeklySales::zeros(self.items, weeks, self.week_start_ms(0) + to as i64 * MS_PER_WEEK);
        for i in 0..self.items {
            out.units[i * weeks..(i + 1) * weeks].copy_from_slice(&self.units(i)[from..to]);
            out.orders[i * weeks..(i + 1) * weeks].copy_from_slice(&self.orders(i)[from..to]);
            out.buyers[i * weeks..(i + 1) * weeks].copy_from_slice(&self.buyers(i)[from..to]);
        }
        out
    }

    /// Units of `item` in weeks `from..to`.
    pub fn total(&self, item: usize, from: usize, to: usize) -> f64 {
        self.units(item)[from..to].iter().sum()
    }

    /// Shop-wide units per week.
    pub fn shop_units(&self) -> Vec<f64> {
        (0..self.weeks).map(|w| (0..self.items).map(|i| self.units[i * self.weeks + w]).sum()).collect()
    }

    /// Items with at least one unit sold in these weeks.
    pub fn sold_items(&self) -> Vec<usize> {
        (0..self.items).filter(|&i| self.units(i).iter().any(|&u| u > 0.0)).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::index_events;
    use crate::build::history::tests::{buy, catalog};

    #[test]
    fn cancellations_come_off_the_newest_earlier_purchase_of_the_same_shopper() {
        let mut events = vec![buy("a", 0, 1, "x"), buy("a", 0, 5, "y"), buy("b", 0, 5, "z")];
        events[0].qty = 4;
        events[1].qty = 3;
        let mut cancel = buy("a", 0, 6, "Cy");
        cancel.qty = 5;
        let mut orphan = buy("c", 0, 6, "Cq");
        orphan.qty = 2;
        let netting = net_cancellations(&mut events, &[cancel, orphan]);
        assert_eq!(netting, Netting { matched_units: 5, unmatched_units: 2 });
        // The day-5 purchase (3) is gone, the day-1 one keeps 2, shopper b is untouched.
        assert_eq!(events.iter().map(|e| (e.shopper.as_str(), e.qty)).collect::<Vec<_>>(), [("a", 2), ("b", 1)]);
    }

    #[test]
    fn weeks_end_at_the_cut_off_and_count_units_and_lines() {
        let mut events = vec![buy("a", 0, 13, "x"), buy("b", 0, 13, "y"), buy("a", 1, 0, "z"), buy("a", 1, 14, "late")];
        events[0].qty = 5;
        let h = index_events(&catalog(2), &events);
        let s = WeeklySales::from_history(&h, 14 * 86_400_000, 2);
        assert_eq!(s.units(0), [0.0, 6.0]);
        assert_eq!(s.orders(0), [0.0, 2.0]);
        assert_eq!(s.buyers(0), [0.0, 2.0]);
        assert_eq!(s.units(1), [1.0, 0.0], "day 14 is after the cut-off");
        assert_eq!(s.week_start_ms(0), 0);
        assert_eq!(s.shop_units(), [1.0, 6.0]);
        assert_eq!(s.window(1, 2).units(0), [6.0]);
        assert_eq!(s.sold_items(), [0, 1]);
    }
}
