//! Popularity and trend: time-decayed counts and a short-horizon demand forecast per item.
//!
//! * **Popularity**: `Σ training_weight(event) · 2^(−age / half_life)` over every event of the
//!   item (age measured from `now`), scaled so the most popular item has 1.
//! * **Demand forecast** (what "trending" ranks by): with `r` the demand in the last
//!   [`TrendConfig::recent_days`] (purchases 1, carts 0.6, clicks 0.3, views 0.2) and `o` the
//!   demand in the [`TrendConfig::baseline_days`] before that, the smoothed growth is
//!   `g = (r + α) / (o · recent/baseline + α)` (α = [`TrendConfig::smoothing`], a pseudo-count
//!   that keeps one or two sales from looking like a boom), clamped to
//!   `[1/max_growth, max_growth]`. The forecast rate for the next period is the recent rate
//!   times the damped growth, `r / recent_days · sqrt(g)`: the level continues, the trend only
//!   half as strongly (damped-trend forecasting; trends rarely continue at full strength).
//! * **Trend** in [0, 1] is the forecast relative to the largest forecast in the shop; an item
//!   with no recent demand has 0 (nothing to forecast from).

use super::assemble::training_weight;
use super::history::IndexedEvents;
use super::neighbours::kind_strength;
use crate::profile::decay;

const MS_PER_DAY: f64 = 86_400_000.0;

/// Settings of [`item_demand`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendConfig {
    /// Popularity halves every this many days.
    pub popularity_half_life_days: f64,
    /// The recent window of the forecast, in days.
    pub recent_days: f64,
    /// The window before it that the recent rate is compared with, in days.
    pub baseline_days: f64,
    /// Pseudo-count added to both windows.
    pub smoothing: f64,
    /// Growth is clamped to `[1/max_growth, max_growth]`.
    pub max_growth: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        TrendConfig { popularity_half_life_days: 30.0, recent_days: 28.0, baseline_days: 84.0, smoothing: 3.0, max_growth: 4.0 }
    }
}

/// Per-item popularity and trend.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDemand {
    /// Popularity in [0, 1].
    pub popularity: Vec<f32>,
    /// Forecast demand relative to the shop's largest, in [0, 1].
    pub trend: Vec<f32>,
    /// Forecast demand per day for the next period.
    pub forecast_per_day: Vec<f64>,
    /// Smoothed growth `g` (1 = flat).
    pub growth: Vec<f64>,
}

/// Popularity and trend of every item as of `now_ms` (events after `now_ms` count as now).
pub fn item_demand(history: &IndexedEvents, now_ms: i64, config: &TrendConfig) -> ItemDemand {
    let n = history.items;
    let mut popularity = vec![0.0f64; n];
    let mut recent = vec![0.0f64; n];
    let mut older = vec![0.0f64; n];
    let half_life_ms = config.popularity_half_life_days * MS_PER_DAY;
    let recent_from = now_ms as f64 - config.recent_days * MS_PER_DAY;
    let older_from = recent_from - config.baseline_days * MS_PER_DAY;
    for e in &history.events {
        let i = e.item as usize;
        popularity[i] += f64::from(training_weight(e.kind, e.qty)) * f64::from(decay((now_ms - e.ts_ms) as f64, half_life_ms));
        let ts = e.ts_ms as f64;
        if ts >= recent_from {
            recent[i] += f64::from(kind_strength(e.kind));
        } else if ts >= older_from {
            older[i] += f64::from(kind_strength(e.kind));
        }
    }
    let ratio = if config.baseline_days > 0.0 { config.recent_days / config.baseline_days } else { 0.0 };
    let alpha = config.smoothing.max(0.0);
    let max_growth = config.max_growth.max(1.0);
    let growth: Vec<f64> = recent
        .iter()
        .zip(&older)
        .map(|(&r, &o)| {
            let g = (r + alpha) / (o * ratio + alpha);
            if g.is_finite() {
                g.clamp(1.0 / max_growth, max_growth)
            } else {
                1.0
            }
        })
        .collect();
    let days = config.recent_days.max(f64::MIN_POSITIVE);
    let forecast_per_day: Vec<f64> = recent.iter().zip(&growth).map(|(&r, &g)| r / days * g.sqrt()).collect();
    ItemDemand { popularity: scaled(&popularity), trend: scaled(&forecast_per_day), forecast_per_day, growth }
}

/// `values / max(values)` as `f32` (all 0 when nothing is positive).
fn scaled(values: &[f64]) -> Vec<f32> {
    let max = values.iter().copied().fold(0.0f64, f64::max);
    values.iter().map(|&v| if max > 0.0 { (v / max) as f32 } else { 0.0 }).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::build::history::index_events;
    use crate::build::history::tests::{buy, catalog};

    #[test]
    fn a_rising_item_trends_above_a_falling_one_with_the_same_total() {
        // Item 0: 4 sales long ago, 16 recently; item 1 the other way round. Now = day 120.
        let mut events = Vec::new();
        for s in 0..16 {
            events.push(buy(&format!("r{s}"), 0, 110, "x"));
            events.push(buy(&format!("f{s}"), 1, 50, "y"));
        }
        for s in 0..4 {
            events.push(buy(&format!("r{s}"), 0, 50, "z"));
            events.push(buy(&format!("f{s}"), 1, 110, "w"));
        }
        let d = item_demand(&index_events(&catalog(3), &events), 120 * 86_400_000, &TrendConfig::default());
        assert!(d.growth[0] > 1.0 && d.growth[1] < 1.0, "{:?}", d.growth);
        assert!(d.trend[0] > d.trend[1]);
        assert_eq!(d.trend[0], 1.0);
        assert_eq!(d.trend[2], 0.0, "no demand, no trend");
        // Popularity favours the recent sales too, but it is not the forecast.
        assert!(d.popularity[0] > d.popularity[1]);
        assert!(d.popularity.iter().chain(&d.trend).all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn smoothing_keeps_a_single_sale_from_looking_like_a_boom() {
        // Item 0: one recent sale, none before. Item 1: steady 10 + 30.
        let mut events = vec![buy("a", 0, 110, "x")];
        for s in 0..10 {
            events.push(buy(&format!("s{s}"), 1, 110, "y"));
        }
        for s in 0..30 {
            events.push(buy(&format!("t{s}"), 1, 60, "z"));
        }
        let d = item_demand(&index_events(&catalog(2), &events), 120 * 86_400_000, &TrendConfig::default());
        assert!(d.growth[0] <= 4.0 / 3.0 + 1e-9);
        assert!(d.trend[1] > d.trend[0]);
    }
}
