//! The pack's sales rates: what the trending shelves rank by when the events have purchases.
//!
//! At the cut-off (midnight UTC after the newest purchase) the [`Method::Global`] forecast of
//! the next [`HORIZON_WEEKS`] weeks gives each product's units per week `f`; its recent rate
//! `r` is the mean of its last [`RECENT_WEEKS`] weeks. Both go to the pack's `sales_rates`
//! section; the engine turns them into forecast growth
//! ([`crate::shelves::signals::sales_growth`]) and the explanation "Selling faster: about 40 a
//! week, up from 25". The trend section keeps the demand trend of [`crate::build::trend`],
//! which the for-you blend reads.

use super::{ItemFacts, Method, WeeklySales, MS_PER_WEEK};
use crate::build::history::IndexedEvents;
use crate::event::EventKind;
use crate::pack::SalesRate;

/// Weeks ahead the forecast rate looks.
pub const HORIZON_WEEKS: usize = 4;
/// Weeks the recent rate is the mean of.
pub const RECENT_WEEKS: usize = 4;
/// Longest history the forecast reads, weeks.
const MAX_HISTORY_WEEKS: usize = 52;

/// Forecast and recent units per week of every item, or `None` when the events have fewer
/// whole weeks of purchases than the global model needs to fit (8).
pub fn sales_rates(history: &IndexedEvents, facts: &ItemFacts) -> Option<Vec<SalesRate>> {
    let purchases = || history.events.iter().filter(|e| e.kind == EventKind::Purchase).map(|e| e.ts_ms);
    let (first, last) = (purchases().min()?, purchases().max()?);
    let day = 86_400_000;
    let end_ms = (last.div_euclid(day) + 1) * day;
    let weeks = (((end_ms - first) / MS_PER_WEEK) as usize).min(MAX_HISTORY_WEEKS);
    if weeks < super::global::MIN_HISTORY_WEEKS + HORIZON_WEEKS {
        return None;
    }
    let sales = WeeklySales::from_history(history, end_ms, weeks);
    let points = Method::Global.forecast(&sales, facts, HORIZON_WEEKS);
    Some(
        (0..sales.items)
            .map(|i| SalesRate {
                forecast: (points[i].iter().sum::<f64>() / HORIZON_WEEKS as f64) as f32,
                recent: (sales.total(i, weeks - RECENT_WEEKS, weeks) / RECENT_WEEKS as f64) as f32,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::index_events;
    use crate::build::history::tests::{buy, catalog};
    use crate::shelves::signals::sales_growth;

    #[test]
    fn growth_is_smoothed_and_only_upward() {
        let growth = |forecast, recent| sales_growth(SalesRate { forecast, recent });
        assert_eq!(growth(25.0, 25.0), 0.0);
        assert_eq!(growth(10.0, 40.0), 0.0, "falling: 0");
        assert!(growth(40.0, 25.0) > growth(3.0, 1.0), "real growth beats a couple of sales");
        assert_eq!(growth(1000.0, 0.0), 1.0);
    }

    #[test]
    fn a_product_whose_sales_climb_grows_and_a_falling_one_does_not() {
        // 16 weeks: item 0 climbs from 1 to 16 sales a week, item 1 falls from 16 to 1, item 2
        // sells 5 a week throughout.
        let mut events = Vec::new();
        for w in 0..16i64 {
            for s in 0..=w {
                events.push(buy(&format!("u{w}-{s}"), 0, 7 * w + 1, "a"));
                events.push(buy(&format!("v{w}-{s}"), 1, 7 * (15 - w) + 1, "b"));
            }
            for s in 0..5 {
                events.push(buy(&format!("w{w}-{s}"), 2, 7 * w + 2, "c"));
            }
        }
        let cat = catalog(4);
        let rates = sales_rates(&index_events(&cat, &events), &ItemFacts::from_catalog(&cat)).unwrap();
        let growth: Vec<f32> = rates.iter().map(|&r| sales_growth(r)).collect();
        assert!(growth[0] > 0.0, "{growth:?} {rates:?}");
        assert_eq!(growth[1], 0.0, "{rates:?}");
        assert!(growth[0] > growth[2], "{growth:?}");
        assert_eq!(rates[3], SalesRate::default(), "never sold");
        assert!(rates[0].recent > 10.0 && rates[1].recent < 5.0, "{rates:?}");
        let early: Vec<_> = events.into_iter().filter(|e| e.ts_ms < 7 * 7 * 86_400_000).collect();
        assert!(sales_rates(&index_events(&cat, &early), &ItemFacts::from_catalog(&cat)).is_none(), "under 8 weeks");
    }
}
