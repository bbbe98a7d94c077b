//! What the pack's trend section means when the events have purchases: forecast growth.
//!
//! At the cut-off (midnight UTC after the newest purchase) the [`Method::Global`] forecast of
//! the next [`HORIZON_WEEKS`] weeks gives each product's units per week `f`; its recent rate
//! `r` is the mean of the last [`RECENT_WEEKS`] weeks. Growth is smoothed,
//! `g = (f + α) / (r + α)` with α = [`SMOOTHING`] units a week, so one or two extra sales of a
//! slow product do not look like a boom, and the trend stored in the pack is
//! `(g − 1) / (MAX_GROWTH − 1)` clamped to [0, 1]: products forecast to sell no faster than
//! now have 0. Both rates go to the pack's `sales_rates` section, for the explanation
//! "Selling faster: about 40 a week, up from 25".

use super::{ItemFacts, Method, WeeklySales, MS_PER_WEEK};
use crate::build::history::History;
use crate::event::EventKind;
use crate::pack::SalesRate;

/// Weeks ahead the trend looks.
pub const HORIZON_WEEKS: usize = 4;
/// Weeks the recent rate is the mean of.
pub const RECENT_WEEKS: usize = 4;
/// Pseudo-units per week added to both rates.
pub const SMOOTHING: f64 = 5.0;
/// Growth at which the trend is 1.
pub const MAX_GROWTH: f64 = 4.0;
/// Longest history the forecast reads, weeks.
const MAX_HISTORY_WEEKS: usize = 52;

/// Per-item forecast growth in [0, 1] and sales rates.
#[derive(Debug, Clone, PartialEq)]
pub struct Growth {
    /// The trend value of each item.
    pub trend: Vec<f32>,
    /// Forecast and recent units per week of each item.
    pub rates: Vec<SalesRate>,
}

/// The growth of every item, or `None` when the events have fewer whole weeks of purchases
/// than the global model needs to fit (8: the pack then keeps the interest-based trend of
/// [`crate::build::trend`]).
pub fn forecast_growth(history: &History, facts: &ItemFacts) -> Option<Growth> {
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
    let rates: Vec<SalesRate> = (0..sales.items)
        .map(|i| SalesRate {
            forecast: (points[i].iter().sum::<f64>() / HORIZON_WEEKS as f64) as f32,
            recent: (sales.total(i, weeks - RECENT_WEEKS, weeks) / RECENT_WEEKS as f64) as f32,
        })
        .collect();
    let trend = rates.iter().map(|r| growth_trend(f64::from(r.forecast), f64::from(r.recent))).collect();
    Some(Growth { trend, rates })
}

/// The trend value of a product forecast to sell `forecast` a week after selling `recent`.
pub fn growth_trend(forecast: f64, recent: f64) -> f32 {
    let g = (forecast + SMOOTHING) / (recent + SMOOTHING);
    ((g - 1.0) / (MAX_GROWTH - 1.0)).clamp(0.0, 1.0) as f32
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::index_events;
    use crate::build::history::tests::{buy, catalog};

    #[test]
    fn growth_is_smoothed_and_only_upward() {
        assert_eq!(growth_trend(25.0, 25.0), 0.0);
        assert_eq!(growth_trend(10.0, 40.0), 0.0, "falling: 0");
        assert!(growth_trend(40.0, 25.0) > growth_trend(3.0, 1.0), "real growth beats a couple of sales");
        assert_eq!(growth_trend(1000.0, 0.0), 1.0);
    }

    #[test]
    fn a_product_whose_sales_climb_trends_and_a_falling_one_does_not() {
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
        let g = forecast_growth(&index_events(&cat, &events), &ItemFacts::from_catalog(&cat)).unwrap();
        assert!(g.trend[0] > 0.0, "{:?} {:?}", g.trend, g.rates);
        assert_eq!(g.trend[1], 0.0, "{:?}", g.rates);
        assert!(g.trend[0] > g.trend[2], "{:?}", g.trend);
        assert_eq!(g.rates[3], SalesRate::default(), "never sold");
        assert!(g.rates[0].recent > 10.0 && g.rates[1].recent < 5.0, "{:?}", g.rates);
    }
}
