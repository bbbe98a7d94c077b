//! Sales forecasts (feature `cli`): weekly units per product for the next weeks, with 80%
//! intervals, and their evaluation against baselines on a date split (`docs/FORECAST.md`).
//!
//! * [`series`]: weekly units per product from the events, cancellations netted;
//! * [`methods`]: the baselines, augurs' ETS, Croston and TSB, per product;
//! * [`global`]: one ridge model across all products;
//! * [`boosted`]: gradient-boosted trees across all products, tuned by rolling origin;
//! * [`rates`]: the pack's forecast and recent sales rates, what trending ranks by;
//! * [`interval`]: 80% intervals from the quantiles of back-tested errors;
//! * [`metrics`]: WAPE, top-50 precision, coverage;
//! * [`evaluate`]: every method side by side on a split;
//! * [`report`]: the forecast and the evaluation as self-contained HTML.

pub mod boosted;
pub mod evaluate;
pub mod global;
pub mod interval;
pub mod methods;
pub mod metrics;
pub mod rates;
pub mod report;
pub mod series;

pub use global::ItemFacts;

use crate::build::history::IndexedEvents;
use crate::event::EventKind;
pub use interval::IntervalCalibration;
pub use series::{net_cancellations, Netting, WeeklySales, MS_PER_WEEK};

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Baseline: the mean of the last 4 weeks.
    Last4,
    /// Baseline: the mean of the last 12 weeks.
    Mean12,
    /// Baseline: a linear trend over the last 12 weeks.
    Linear12,
    /// Baseline: damped Holt per product (augurs ETS A,Ad,N).
    DampedHolt,
    /// augurs' automatic ETS per product.
    Ets,
    /// Croston (SBA) for intermittent demand.
    Croston,
    /// Teunter–Syntetos–Babai for intermittent demand.
    Tsb,
    /// One ridge model across all products.
    Global,
    /// Gradient-boosted trees across all products, on an absolute loss.
    Boosted,
    /// Per product and week, the median of the global model, TSB and the 12-week mean.
    Ensemble,
}

impl Method {
    /// Every method, baselines first.
    pub const ALL: [Method; 10] = [
        Method::Last4,
        Method::Mean12,
        Method::Linear12,
        Method::DampedHolt,
        Method::Ets,
        Method::Croston,
        Method::Tsb,
        Method::Global,
        Method::Boosted,
        Method::Ensemble,
    ];

    /// The name on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Method::Last4 => "last-4-weeks",
            Method::Mean12 => "mean-12-weeks",
            Method::Linear12 => "linear-12-weeks",
            Method::DampedHolt => "damped-holt",
            Method::Ets => "augurs-ets",
            Method::Croston => "croston",
            Method::Tsb => "tsb",
            Method::Global => "global",
            Method::Boosted => "boosted",
            Method::Ensemble => "ensemble",
        }
    }

    /// The method named `name`.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether the issue lists it as a baseline to beat.
    pub fn is_baseline(self) -> bool {
        matches!(self, Method::Last4 | Method::Mean12 | Method::Linear12 | Method::DampedHolt)
    }

    /// Hyper-parameters chosen by rolling-origin validation on `sales` (only the boosted model
    /// has any).
    pub fn tune(self, sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> Option<boosted::Config> {
        (self == Method::Boosted).then(|| boosted::tune(sales, facts, horizon).0)
    }

    /// Forecast units of every item for each of the next `horizon` weeks after `sales`
    /// (items that never sold: 0), tuned on `sales`.
    pub fn forecast(self, sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> Vec<Vec<f64>> {
        self.forecast_tuned(sales, facts, horizon, self.tune(sales, facts, horizon))
    }

    /// [`Method::forecast`] with the boosted model's config given (`None`: the first candidate).
    pub fn forecast_tuned(self, sales: &WeeklySales, facts: &ItemFacts, horizon: usize, config: Option<boosted::Config>) -> Vec<Vec<f64>> {
        let fitted = match self {
            Method::Global => global::forecast_all(sales, facts, horizon),
            Method::Boosted => boosted::forecast_all(sales, facts, horizon, config.unwrap_or(boosted::CANDIDATES[0])),
            Method::Ensemble => Some(ensemble(sales, facts, horizon)),
            _ => None,
        };
        if let Some(points) = fitted {
            return points;
        }
        if matches!(self, Method::Global | Method::Boosted) {
            return Method::Mean12.forecast(sales, facts, horizon);
        }
        (0..sales.items)
            .map(|i| {
                let series = sales.units(i);
                if series.iter().all(|&u| u <= 0.0) {
                    return vec![0.0; horizon];
                }
                match self {
                    Method::Last4 => methods::last_weeks_mean(series, 4, horizon),
                    Method::Mean12 => methods::last_weeks_mean(series, 12, horizon),
                    Method::Linear12 => methods::linear_trend(series, 12, horizon),
                    Method::DampedHolt => methods::damped_holt(series, horizon),
                    Method::Ets => methods::auto_ets(series, horizon),
                    Method::Croston => methods::croston(series, horizon),
                    Method::Tsb => methods::tsb(series, horizon),
                    Method::Global | Method::Boosted | Method::Ensemble => unreachable!("handled above"),
                }
            })
            .collect()
    }
}

/// Per item and week, the median of the global model, TSB and the 12-week mean.
fn ensemble(sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> Vec<Vec<f64>> {
    let members = [Method::Global, Method::Tsb, Method::Mean12].map(|m| m.forecast(sales, facts, horizon));
    (0..sales.items)
        .map(|i| {
            (0..horizon)
                .map(|h| {
                    let mut v = members.each_ref().map(|p| p[i][h]);
                    v.sort_by(f64::total_cmp);
                    v[1]
                })
                .collect()
        })
        .collect()
}

/// How many back-test origins calibrate the intervals (the last weeks whose horizon is known).
pub const BACKTEST_ORIGINS: usize = 4;

/// (forecast, actual) pairs of a method re-run at earlier origins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backtest {
    /// Per product sold before the origin: the horizon's total.
    pub totals: Vec<(f64, f64)>,
    /// Per product sold before the origin and week of the horizon.
    pub weeks: Vec<(f64, f64)>,
    /// Per week of the horizon: the shop's total.
    pub shop_weeks: Vec<(f64, f64)>,
}

impl Backtest {
    /// `Σ|F − A| / ΣA` over the per-product totals (NaN when nothing sold).
    pub fn wape(&self) -> f64 {
        let actual: f64 = self.totals.iter().map(|p| p.1).sum();
        let error: f64 = self.totals.iter().map(|p| (p.0 - p.1).abs()).sum();
        if actual > 0.0 {
            error / actual
        } else {
            f64::NAN
        }
    }
}

/// Re-runs `method` (with the boosted model's `config`) at the last [`BACKTEST_ORIGINS`]
/// origins of `sales` whose next `horizon` weeks are known.
pub fn backtest(method: Method, sales: &WeeklySales, facts: &ItemFacts, horizon: usize, config: Option<boosted::Config>) -> Backtest {
    let mut out = Backtest::default();
    let last = sales.weeks.saturating_sub(horizon);
    for t in (last.saturating_sub(BACKTEST_ORIGINS - 1).max(global::MIN_HISTORY_WEEKS)..=last).rev() {
        let past = sales.window(0, t);
        let points = method.forecast_tuned(&past, facts, horizon, config);
        let mut shop = vec![(0.0, 0.0); horizon];
        for i in past.sold_items() {
            let actual = &sales.units(i)[t..t + horizon];
            out.totals.push((points[i].iter().sum(), actual.iter().sum()));
            for (h, (&f, &a)) in points[i].iter().zip(actual).enumerate() {
                out.weeks.push((f, a));
                shop[h] = (shop[h].0 + f, shop[h].1 + a);
            }
        }
        out.shop_weeks.extend(shop);
    }
    out
}

/// A method's forecast for the weeks after a series, with intervals.
#[derive(Debug, Clone)]
pub struct Forecast {
    /// The method.
    pub method: Method,
    /// The boosted model's config, chosen by rolling-origin validation on the history.
    pub config: Option<boosted::Config>,
    /// Units per item and week.
    pub points: Vec<Vec<f64>>,
    /// Intervals of the horizon's total per item.
    pub total_intervals: IntervalCalibration,
    /// Intervals of one week per item.
    pub week_intervals: IntervalCalibration,
    /// WAPE of the horizon's totals in the back-test: a rolling-origin score inside the
    /// history (for `boosted`, with the config tuned on the whole history).
    pub backtest_wape: f64,
    /// The 10%, 50% and 90% quantiles of actual / forecast shop-wide weekly units in the
    /// back-test: the shop's total is the summed product forecasts times the median (products'
    /// forecasts aim at the median of skewed sales, so their sum runs below the shop's total),
    /// its interval the sum times the other two.
    pub shop_ratios: (f64, f64, f64),
}

impl Forecast {
    /// Forecasts the `horizon` weeks after `sales` with `method`, and calibrates its intervals.
    pub fn new(method: Method, sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> Forecast {
        let config = method.tune(sales, facts, horizon);
        let points = method.forecast_tuned(sales, facts, horizon, config);
        let past = backtest(method, sales, facts, horizon, config);
        Forecast {
            method,
            config,
            points,
            total_intervals: IntervalCalibration::fit(&past.totals),
            week_intervals: IntervalCalibration::fit(&past.weeks),
            shop_ratios: ratio_quantiles(&past.shop_weeks),
            backtest_wape: past.wape(),
        }
    }

    /// The horizon's total of item `i`.
    pub fn total(&self, i: usize) -> f64 {
        self.points[i].iter().sum()
    }

    /// The shop's forecast units in each week, with 80% intervals.
    pub fn shop_weeks(&self) -> Vec<(f64, f64, f64)> {
        let horizon = self.points.first().map_or(0, Vec::len);
        let (lo, mid, hi) = self.shop_ratios;
        (0..horizon)
            .map(|h| {
                let f: f64 = self.points.iter().map(|p| p[h]).sum();
                (f * mid, f * lo, f * hi)
            })
            .collect()
    }
}

/// The 10%, 50% and 90% quantiles of `actual / forecast` over pairs with a positive forecast
/// ((1, 1, 1) when there are none).
fn ratio_quantiles(pairs: &[(f64, f64)]) -> (f64, f64, f64) {
    let mut ratios: Vec<f64> = pairs.iter().filter(|p| p.0 > 0.0).map(|p| p.1 / p.0).collect();
    if ratios.is_empty() {
        return (1.0, 1.0, 1.0);
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| ratios[((q * (ratios.len() - 1) as f64).round() as usize).min(ratios.len() - 1)];
    (at(0.1), at(0.5), at(0.9))
}

/// Why a shop forecast cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// No purchases at all.
    #[error("no purchases in the events: nothing to forecast from")]
    NoPurchases,
    /// Too few whole weeks of purchases.
    #[error("only {weeks} whole weeks of purchases; a forecast needs at least {needed}")]
    ShortHistory {
        /// Weeks available.
        weeks: usize,
        /// Weeks needed.
        needed: usize,
    },
}

/// The shop's forecast for the weeks after its newest purchase.
#[derive(Debug, Clone)]
pub struct ShopForecast {
    /// Weekly sales up to the cut-off (midnight UTC after the newest purchase).
    pub sales: WeeklySales,
    /// The forecast of the weeks after it.
    pub forecast: Forecast,
}

/// Whole days in ms.
const MS_PER_DAY: i64 = 86_400_000;

impl ShopForecast {
    /// Forecasts `horizon` weeks after the newest purchase in `history` with `method`.
    pub fn new(history: &IndexedEvents, facts: &ItemFacts, method: Method, horizon: usize) -> Result<ShopForecast, ForecastError> {
        let purchases = || history.events.iter().filter(|e| e.kind == EventKind::Purchase).map(|e| e.ts_ms);
        let (first, last) = (purchases().min().ok_or(ForecastError::NoPurchases)?, purchases().max().unwrap_or(0));
        let end_ms = (last.div_euclid(MS_PER_DAY) + 1) * MS_PER_DAY;
        let weeks = ((end_ms - first) / MS_PER_WEEK) as usize;
        let needed = global::MIN_HISTORY_WEEKS + BACKTEST_ORIGINS + horizon;
        if weeks < needed {
            return Err(ForecastError::ShortHistory { weeks, needed });
        }
        let sales = WeeklySales::from_history(history, end_ms, weeks);
        let forecast = Forecast::new(method, &sales, facts, horizon);
        Ok(ShopForecast { sales, forecast })
    }

    /// Weeks forecast.
    pub fn horizon(&self) -> usize {
        self.forecast.points.first().map_or(0, Vec::len)
    }

    /// `YYYY-MM-DD` of the start of forecast week `h`.
    pub fn week_start(&self, h: usize) -> String {
        day_string(self.sales.end_ms + h as i64 * MS_PER_WEEK)
    }

    /// The forecast as CSV: `item,title,week_start,forecast,low80,high80`, one row per product
    /// sold in the history and week, then the shop total per week as item `*`.
    pub fn csv(&self, facts: &ItemFacts) -> String {
        let mut out = String::from("item,title,week_start,forecast,low80,high80\n");
        let weeks: Vec<String> = (0..self.horizon()).map(|h| self.week_start(h)).collect();
        for i in self.sales.sold_items() {
            for (h, &f) in self.forecast.points[i].iter().enumerate() {
                let (lo, hi) = self.forecast.week_intervals.interval(f);
                out += &format!("{},{},{},{f:.2},{lo:.2},{hi:.2}\n", csv_field(&facts.id[i]), csv_field(&facts.title[i]), weeks[h]);
            }
        }
        for (h, (f, lo, hi)) in self.forecast.shop_weeks().into_iter().enumerate() {
            out += &format!("*,shop total,{},{f:.2},{lo:.2},{hi:.2}\n", weeks[h]);
        }
        out
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let total: f64 = self.forecast.shop_weeks().iter().map(|w| w.0).sum();
        format!(
            "{}: {} products, {} weeks from {}: {total:.0} units in all",
            self.forecast.method.name(),
            self.sales.sold_items().len(),
            self.horizon(),
            self.week_start(0)
        )
    }
}

/// `YYYY-MM-DD` (UTC) of `ms`.
pub fn day_string(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// A CSV field, quoted when it needs to be.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
