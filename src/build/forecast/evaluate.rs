//! Every method side by side on a date split: forecast from the weeks before the split, score
//! against the weeks after, for each horizon.
//!
//! The products scored are those sold in the history (a product first sold after the split has
//! nothing to forecast from). Intervals are calibrated on the history alone.

use std::time::Instant;

use super::metrics::{score, top_indices, Scores, TOP};
use super::{Forecast, ItemFacts, Method, WeeklySales, BACKTEST_ORIGINS, MS_PER_WEEK};
use crate::build::history::IndexedEvents;
use crate::event::EventKind;

/// Why an evaluation cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvaluateError {
    /// No purchase before the split.
    #[error("no purchases before the split date")]
    NoHistory,
    /// Too few weeks before the split.
    #[error("only {weeks} whole weeks of purchases before the split date; the evaluation needs at least {needed}")]
    ShortHistory {
        /// Weeks available.
        weeks: usize,
        /// Weeks needed.
        needed: usize,
    },
    /// The events end before the longest horizon does.
    #[error("the purchases end {last_day} days after the split date; a {horizon}-week horizon needs {needed}")]
    ShortFuture {
        /// Days of purchases after the split.
        last_day: i64,
        /// The longest horizon, weeks.
        horizon: usize,
        /// Days needed.
        needed: i64,
    },
}

/// One method at one horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRow {
    /// The method.
    pub method: Method,
    /// Weeks ahead.
    pub horizon: usize,
    /// Its scores.
    pub scores: Scores,
    /// Wall time of the forecast, its tuning and its back-test, seconds.
    pub seconds: f64,
    /// The boosted model's config, chosen by rolling-origin validation on the history.
    pub config: Option<super::boosted::Config>,
    /// WAPE in the back-test inside the history ([`Forecast::backtest_wape`]).
    pub backtest_wape: f64,
}

/// An evaluation on one split.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The split, ms since the Unix epoch.
    pub split_ms: i64,
    /// Whole weeks of history before the split.
    pub history_weeks: usize,
    /// Products scored.
    pub products: usize,
    /// One row per method and horizon, in the order asked.
    pub rows: Vec<EvaluationRow>,
    /// The shop's units per week before the split.
    pub shop_history: Vec<f64>,
    /// The shop's units per week after it (the longest horizon).
    pub shop_actual: Vec<f64>,
    /// The shown method's forecast at the longest horizon, when it was evaluated.
    pub shown: Option<Shown>,
    /// Top-50 precision of ranking-only scores (no forecast): (horizon, score name, precision).
    pub rankings: Vec<(usize, &'static str, f64)>,
}

/// A ranking score of a product's weekly units (oldest first).
pub type RankingScore = fn(&[f64]) -> f64;

/// Ranking-only scores of a product's recent weekly units (oldest first): what a "selling
/// fast" list could rank by without a forecast.
pub const RANKINGS: [(&str, RankingScore); 2] = [
    ("units of the last 2 weeks", |u| u[u.len().saturating_sub(2)..].iter().sum()),
    ("units of the last 4 weeks × their growth on the last 12 (0.5–2)", |u| {
        let sum = |k: usize| u[u.len().saturating_sub(k)..].iter().sum::<f64>();
        sum(4) * ((sum(4) / 4.0 + 1.0) / (sum(12) / 12.0 + 1.0)).clamp(0.5, 2.0)
    }),
];

/// The method a report shows in detail ([`SHOWN_METHOD`]), at the longest horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// Weeks ahead.
    pub horizon: usize,
    /// The shop's forecast per week with its 80% interval.
    pub shop_weeks: Vec<(f64, f64, f64)>,
    /// The products forecast to sell most: (item, forecast, low, high, actual) over the horizon.
    pub top: Vec<(usize, f64, f64, f64, f64)>,
}

/// The method reports show in detail.
pub const SHOWN_METHOD: Method = Method::Ensemble;

/// The weekly sales around `split_ms`: the whole weeks of purchases before it, then
/// `max_horizon` weeks after it. Returns the sales and the number of history weeks.
pub fn split_sales(history: &IndexedEvents, split_ms: i64, max_horizon: usize) -> Result<(WeeklySales, usize), EvaluateError> {
    let purchases = || history.events.iter().filter(|e| e.kind == EventKind::Purchase).map(|e| e.ts_ms);
    let first = purchases().filter(|&t| t < split_ms).min().ok_or(EvaluateError::NoHistory)?;
    let last = purchases().max().unwrap_or(first);
    let history_weeks = ((split_ms - first) / MS_PER_WEEK) as usize;
    let needed = super::global::MIN_HISTORY_WEEKS + BACKTEST_ORIGINS + max_horizon;
    if history_weeks < needed {
        return Err(EvaluateError::ShortHistory { weeks: history_weeks, needed });
    }
    let end_ms = split_ms + max_horizon as i64 * MS_PER_WEEK;
    // The last week may end a day after the newest purchase (a file ending on a Friday).
    if last < end_ms - 2 * 86_400_000 {
        let day = 86_400_000;
        return Err(EvaluateError::ShortFuture {
            last_day: (last - split_ms) / day,
            horizon: max_horizon,
            needed: (end_ms - split_ms) / day,
        });
    }
    Ok((WeeklySales::from_history(history, end_ms, history_weeks + max_horizon), history_weeks))
}

/// Scores every method at every horizon on the split at `split_ms`.
pub fn evaluate(
    history: &IndexedEvents,
    facts: &ItemFacts,
    split_ms: i64,
    horizons: &[usize],
    methods: &[Method],
) -> Result<Evaluation, EvaluateError> {
    let max_horizon = horizons.iter().copied().max().unwrap_or(4);
    let (sales, history_weeks) = split_sales(history, split_ms, max_horizon)?;
    let past = sales.window(0, history_weeks);
    let products = past.sold_items();
    let (mut rows, mut rankings) = (Vec::new(), Vec::new());
    let mut shown = None;
    for &horizon in horizons {
        let actual: Vec<f64> = products.iter().map(|&i| sales.total(i, history_weeks, history_weeks + horizon)).collect();
        let top_actual = top_indices(&actual, TOP);
        for (name, rank) in RANKINGS {
            let scores: Vec<f64> = products.iter().map(|&i| rank(past.units(i))).collect();
            let hits = top_indices(&scores, TOP).iter().filter(|k| top_actual.contains(k)).count();
            rankings.push((horizon, name, hits as f64 / TOP.min(products.len()).max(1) as f64));
        }
        for &method in methods {
            let started = Instant::now();
            let forecast = Forecast::new(method, &past, facts, horizon);
            let totals: Vec<f64> = products.iter().map(|&i| forecast.total(i)).collect();
            let intervals: Vec<(f64, f64)> = totals.iter().map(|&f| forecast.total_intervals.interval(f)).collect();
            let scores = score(&totals, &intervals, &actual);
            if method == SHOWN_METHOD && horizon == max_horizon {
                let top = top_indices(&totals, TOP)
                    .into_iter()
                    .map(|k| (products[k], totals[k], intervals[k].0, intervals[k].1, actual[k]))
                    .collect();
                shown = Some(Shown { horizon, shop_weeks: forecast.shop_weeks(), top });
            }
            let seconds = started.elapsed().as_secs_f64();
            rows.push(EvaluationRow { method, horizon, scores, seconds, config: forecast.config, backtest_wape: forecast.backtest_wape });
        }
    }
    let shop = sales.shop_units();
    let (shop_history, shop_actual) = (shop[..history_weeks].to_vec(), shop[history_weeks..].to_vec());
    Ok(Evaluation { split_ms, history_weeks, products: products.len(), rows, shop_history, shop_actual, shown, rankings })
}

impl Evaluation {
    /// The best baseline's WAPE and top precision at `horizon` (each the best of its own).
    pub fn best_baseline(&self, horizon: usize) -> (f64, f64) {
        let base = self.rows.iter().filter(|r| r.horizon == horizon && r.method.is_baseline());
        base.fold((f64::INFINITY, 0.0f64), |(w, p), r| (w.min(r.scores.wape), p.max(r.scores.top_precision)))
    }

    /// Whether `row` meets the bar: WAPE ≥ 10% below the best baseline's, top
    /// precision ≥ 0.1 above it, coverage within 75–85%.
    pub fn meets_bar(&self, row: &EvaluationRow) -> bool {
        let (wape, precision) = self.best_baseline(row.horizon);
        row.scores.wape <= 0.9 * wape && row.scores.top_precision >= precision + 0.1 && (0.75..=0.85).contains(&row.scores.coverage)
    }

    /// The table as text.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{:<16} {:>7} {:>7} {:>7} {:>8} {:>10} {:>10} {:>7} {:>8}  bar\n",
            "method", "horizon", "WAPE", "top-50", "cover80", "forecast", "actual", "secs", "bt-WAPE"
        );
        for r in &self.rows {
            let s = &r.scores;
            let bar = if r.method.is_baseline() {
                "baseline"
            } else if self.meets_bar(r) {
                "met"
            } else {
                "not met"
            };
            out += &format!(
                "{:<16} {:>6}w {:>7.3} {:>7.2} {:>8.3} {:>10.0} {:>10.0} {:>7.1} {:>8.3}  {bar}\n",
                r.method.name(),
                r.horizon,
                s.wape,
                s.top_precision,
                s.coverage,
                s.forecast_units,
                s.actual_units,
                r.seconds,
                r.backtest_wape
            );
            if let Some(config) = r.config {
                out.pop();
                out += &format!(" (tuned: {config})\n");
            }
        }
        for (horizon, name, precision) in &self.rankings {
            out += &format!("ranking only, {horizon}w, by {name}: top-{TOP} precision {precision:.2}\n");
        }
        if let Some(shown) = &self.shown {
            let sum = |pick: fn(&(f64, f64, f64)) -> f64| shown.shop_weeks.iter().map(pick).sum::<f64>();
            let actual: f64 = self.shop_actual[..shown.horizon].iter().sum();
            out += &format!(
                "shop total, {} weeks, {}: forecast {:.0} (80%: {:.0}–{:.0} if every week were at its end), actual {actual:.0}\n",
                shown.horizon,
                SHOWN_METHOD.name(),
                sum(|w| w.0),
                sum(|w| w.1),
                sum(|w| w.2)
            );
        }
        out
    }
}
