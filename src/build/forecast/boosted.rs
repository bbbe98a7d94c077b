//! The boosted forecast: gradient-boosted trees trained across all products (the `perpetual`
//! crate), on an absolute loss, so that each forecast aims at the median of its product's units
//! over the horizon, which is what WAPE rewards.
//!
//! * Rows: every product with a sale before an origin week `t`, pooled over every origin from
//!   week [`MIN_HISTORY_WEEKS`] whose `horizon` weeks are known.
//! * Direct target: the mean weekly units over the next `horizon` weeks (one model per
//!   horizon), transformed as [`Target`] says.
//! * Features ([`features`]): the ridge's ([`global::recent_features`]), plus distinct buyers
//!   over the last 4 and 12 weeks, the largest week of the last 12, weeks with a sale among the
//!   last 4, the product's category's weekly level and its 4- against 12-week growth, the
//!   product's share of its category over 12 weeks, the shop's weekly level and its last week
//!   against its last 4. No week of the year: the history is shorter than a year.
//! * Tuning ([`tune`]): each [`Config`] of [`CANDIDATES`] is trained on the origins whose
//!   horizon ends by a validation origin and scored by WAPE at it; the validation origins are
//!   the last [`VALIDATION_ORIGINS`] of the history whose horizon is known, [`VALIDATION_STEP`]
//!   weeks apart. The best config is then trained on every origin of the history.

use perpetual::objective::Objective;
use perpetual::{Matrix, PerpetualBooster};

use super::global::{self, ItemFacts, MIN_HISTORY_WEEKS};
use super::series::WeeklySales;

/// What the trees fit, from a row's mean weekly units `y` over the horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `ln(1 + y)` on squared loss; `exp(ŷ) − 1` is then scaled by the factor that minimises
    /// the training rows' absolute error, as the ridge model does.
    Log,
    /// `ln(1 + y)` on absolute loss: the median of the log is the log of the median.
    LogMedian,
    /// `y / level` on absolute loss, weighted by `level` (the product's 12-week mean +
    /// [`LEVEL_FLOOR`]): the absolute error in units, on a scale shared across products.
    Scaled,
}

/// The boosted model's hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// perpetual's budget (learning rate `10^−budget`; it stops growing trees by itself).
    pub budget: f32,
    /// The target.
    pub target: Target,
}

impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "budget {} {:?}", self.budget, self.target)
    }
}

/// The configs [`tune`] chooses among; the first is used when the history is too short to
/// validate.
pub const CANDIDATES: [Config; 4] = [
    Config { budget: 1.0, target: Target::Log },
    Config { budget: 1.5, target: Target::Log },
    Config { budget: 2.0, target: Target::Log },
    Config { budget: 1.0, target: Target::LogMedian },
];
/// How many validation origins [`tune`] scores at.
pub const VALIDATION_ORIGINS: usize = 2;
/// Weeks between validation origins.
pub const VALIDATION_STEP: usize = 4;
/// Fewest training origins a validation origin needs.
const MIN_TRAINING_ORIGINS: usize = 2;
/// Added to a product's 12-week mean to make its level ([`Target::Scaled`]).
const LEVEL_FLOOR: f64 = 0.1;

/// Weekly series the features read, computed once per history.
struct Context<'a> {
    sales: &'a WeeklySales,
    facts: &'a ItemFacts,
    shop: Vec<f64>,
    category: Vec<Vec<f64>>,
}

impl<'a> Context<'a> {
    fn new(sales: &'a WeeklySales, facts: &'a ItemFacts) -> Context<'a> {
        let mut category = vec![vec![0.0; sales.weeks]; facts.categories.max(1)];
        for i in 0..sales.items {
            for (c, u) in category[facts.category[i]].iter_mut().zip(sales.units(i)) {
                *c += u;
            }
        }
        Context { sales, facts, shop: sales.shop_units(), category }
    }
}

/// The mean of `xs[t − k..t]` (fewer weeks when `t < k`; 0 when `t` is 0).
fn mean_before(xs: &[f64], t: usize, k: usize) -> f64 {
    let tail = &xs[t.saturating_sub(k)..t];
    tail.iter().sum::<f64>() / tail.len().max(1) as f64
}

/// The feature vector of `item` at origin `t` (weeks `..t` are known).
fn features(ctx: &Context, item: usize, t: usize) -> Vec<f64> {
    let mut x = global::recent_features(ctx.sales, ctx.facts, &ctx.shop, item, t);
    let (units, buyers) = (ctx.sales.units(item), ctx.sales.buyers(item));
    let category = &ctx.category[ctx.facts.category[item]];
    let max12 = units[t.saturating_sub(12)..t].iter().fold(0.0f64, |m, &u| m.max(u));
    let sold4 = units[t.saturating_sub(4)..t].iter().filter(|&&u| u > 0.0).count() as f64;
    let (c4, c12) = (mean_before(category, t, 4), mean_before(category, t, 12));
    let (s1, s4) = (mean_before(&ctx.shop, t, 1), mean_before(&ctx.shop, t, 4));
    x.extend([
        (mean_before(buyers, t, 4) * 4.0).ln_1p(),
        (mean_before(buyers, t, 12) * 12.0).ln_1p(),
        max12.ln_1p(),
        sold4,
        c4.ln_1p(),
        ((c4 + 1.0) / (c12 + 1.0)).ln(),
        ((mean_before(units, t, 12) + 1.0) / (c12 + 1.0)).ln(),
        s4.ln_1p(),
        ((s1 + 1.0) / (s4 + 1.0)).ln(),
    ]);
    x
}

/// One row per origin and product sold before it.
struct Rows {
    /// Feature vectors.
    x: Vec<Vec<f64>>,
    /// Origin week of each row.
    origin: Vec<usize>,
    /// Product of each row.
    item: Vec<usize>,
    /// The product's level at the origin ([`Target::Scaled`]).
    level: Vec<f64>,
}

impl Rows {
    /// The rows of every origin in `from..=to` (origins beyond the history are left out).
    fn build(ctx: &Context, from: usize, to: usize) -> Rows {
        let mut rows = Rows { x: Vec::new(), origin: Vec::new(), item: Vec::new(), level: Vec::new() };
        for t in from..=to.min(ctx.sales.weeks) {
            for item in 0..ctx.sales.items {
                let units = &ctx.sales.units(item)[..t];
                if units.iter().any(|&u| u > 0.0) {
                    rows.x.push(features(ctx, item, t));
                    rows.origin.push(t);
                    rows.item.push(item);
                    rows.level.push(mean_before(units, t, 12) + LEVEL_FLOOR);
                }
            }
        }
        rows
    }

    /// The rows at origins `≤ last`.
    fn up_to(&self, last: usize) -> Vec<usize> {
        (0..self.origin.len()).filter(|&r| self.origin[r] <= last).collect()
    }

    /// The rows at origin `t`.
    fn at(&self, t: usize) -> Vec<usize> {
        (0..self.origin.len()).filter(|&r| self.origin[r] == t).collect()
    }

    /// The rows `picked` as a column-major matrix.
    fn columns(&self, picked: &[usize]) -> Vec<f64> {
        let cols = self.x.first().map_or(0, Vec::len);
        (0..cols).flat_map(|j| picked.iter().map(move |&r| self.x[r][j])).collect()
    }

    /// Mean weekly units of row `r`'s product over the `horizon` weeks after its origin.
    fn actual(&self, sales: &WeeklySales, r: usize, horizon: usize) -> f64 {
        let t = self.origin[r];
        sales.total(self.item[r], t, t + horizon) / horizon as f64
    }
}

/// A fitted boosted model.
struct BoostedModel {
    booster: PerpetualBooster,
    target: Target,
    /// Factor on the back-transformed prediction ([`Target::Log`]; else 1).
    calibration: f64,
}

impl BoostedModel {
    /// Trains on the rows `picked` (each origin's horizon must be known in `sales`).
    fn fit(rows: &Rows, picked: &[usize], sales: &WeeklySales, horizon: usize, config: Config) -> Option<BoostedModel> {
        let cols = rows.x.first()?.len();
        let actual = picked.iter().map(|&r| rows.actual(sales, r, horizon));
        let (y, weights): (Vec<f64>, Option<Vec<f64>>) = match config.target {
            Target::Log | Target::LogMedian => (actual.map(f64::ln_1p).collect(), None),
            Target::Scaled => {
                (actual.zip(picked).map(|(a, &r)| a / rows.level[r]).collect(), Some(picked.iter().map(|&r| rows.level[r]).collect()))
            }
        };
        let data = rows.columns(picked);
        let matrix = Matrix::new(&data, picked.len(), cols);
        let objective = if config.target == Target::Log { Objective::SquaredLoss } else { Objective::AbsoluteLoss };
        let mut booster = PerpetualBooster::default().set_objective(objective).set_budget(config.budget).set_seed(0);
        booster.fit(&matrix, &y, weights.as_deref(), None).ok()?;
        let mut model = BoostedModel { booster, target: config.target, calibration: 1.0 };
        if config.target == Target::Log {
            let pairs = model.predict(rows, picked).into_iter().zip(&y).map(|(p, t)| (p, t.exp_m1())).collect::<Vec<_>>();
            model.calibration = global::weighted_median_ratio(&pairs);
        }
        Some(model)
    }

    /// Forecast mean weekly units of the rows `picked` (never below 0).
    fn predict(&self, rows: &Rows, picked: &[usize]) -> Vec<f64> {
        let cols = rows.x.first().map_or(0, Vec::len);
        let data = rows.columns(picked);
        let raw = self.booster.predict(&Matrix::new(&data, picked.len(), cols), true);
        raw.iter()
            .zip(picked)
            .map(|(&p, &r)| match self.target {
                Target::Log | Target::LogMedian => p.exp_m1(),
                Target::Scaled => p * rows.level[r],
            })
            .map(|v| v.max(0.0) * self.calibration)
            .collect()
    }
}

/// The config of [`CANDIDATES`] with the lowest WAPE at the validation origins of `sales`
/// (see the module docs), and the WAPE of each.
pub fn tune(sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> (Config, Vec<f64>) {
    let ctx = Context::new(sales, facts);
    let Some(last) = sales.weeks.checked_sub(horizon) else {
        return (CANDIDATES[0], Vec::new());
    };
    let earliest = MIN_HISTORY_WEEKS + MIN_TRAINING_ORIGINS - 1 + horizon;
    let origins: Vec<usize> =
        (0..VALIDATION_ORIGINS).filter_map(|k| last.checked_sub(k * VALIDATION_STEP)).filter(|&v| v >= earliest).collect();
    if origins.is_empty() {
        return (CANDIDATES[0], Vec::new());
    }
    let rows = Rows::build(&ctx, MIN_HISTORY_WEEKS, last);
    let wapes: Vec<f64> = CANDIDATES.iter().map(|&config| validation_wape(&rows, sales, horizon, config, &origins)).collect();
    let best = (0..CANDIDATES.len()).min_by(|&a, &b| wapes[a].total_cmp(&wapes[b])).unwrap_or(0);
    (CANDIDATES[best], wapes)
}

/// WAPE of `config` over the `origins`, each trained on the origins whose horizon ends by it.
fn validation_wape(rows: &Rows, sales: &WeeklySales, horizon: usize, config: Config, origins: &[usize]) -> f64 {
    let (mut error, mut actual) = (0.0, 0.0);
    for &v in origins {
        let held = rows.at(v);
        let Some(model) = BoostedModel::fit(rows, &rows.up_to(v - horizon), sales, horizon, config) else {
            return f64::INFINITY;
        };
        for (&r, f) in held.iter().zip(model.predict(rows, &held)) {
            let a = rows.actual(sales, r, horizon);
            error += (f - a).abs();
            actual += a;
        }
    }
    if actual > 0.0 {
        error / actual
    } else {
        f64::INFINITY
    }
}

/// Forecasts every item's next `horizon` weeks (flat) with a boosted model of `config` trained
/// on `sales`; items with no sale get 0. `None` when the history is too short to train.
pub fn forecast_all(sales: &WeeklySales, facts: &ItemFacts, horizon: usize, config: Config) -> Option<Vec<Vec<f64>>> {
    let ctx = Context::new(sales, facts);
    let last = sales.weeks.checked_sub(horizon).filter(|&l| l >= MIN_HISTORY_WEEKS)?;
    let rows = Rows::build(&ctx, MIN_HISTORY_WEEKS, sales.weeks);
    let model = BoostedModel::fit(&rows, &rows.up_to(last), sales, horizon, config)?;
    let now = rows.at(sales.weeks);
    let mut points = vec![vec![0.0; horizon]; sales.items];
    for (&r, f) in now.iter().zip(model.predict(&rows, &now)) {
        points[rows.item[r]] = vec![f; horizon];
    }
    Some(points)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// 40 products selling `i % 20` units a week for 24 weeks; the odd ones double from week 12.
    fn planted() -> WeeklySales {
        let mut sales = WeeklySales::zeros(40, 24, 24 * super::super::series::MS_PER_WEEK);
        for i in 0..40 {
            for w in 0..24 {
                let base = (i % 20) as f64;
                let units = if i % 2 == 1 && w >= 12 { 2.0 * base } else { base };
                sales.set(i, w, units, if units > 0.0 { 1.0 } else { 0.0 });
            }
        }
        sales
    }

    #[test]
    fn the_boosted_model_learns_levels_across_products() {
        let sales = planted();
        let facts = ItemFacts::from_catalog(&crate::build::history::tests::catalog(40));
        let f = forecast_all(&sales, &facts, 4, CANDIDATES[0]).unwrap();
        assert_eq!(f[0], [0.0; 4], "never sold, forecast 0");
        for i in [4, 10, 16, 7, 15] {
            let level = sales.units(i)[23];
            assert!((f[i][0] - level).abs() < 0.3 * level, "item {i}: {:?} against {level}", f[i]);
        }
    }

    #[test]
    fn tuning_scores_every_candidate_on_held_out_origins() {
        let sales = planted();
        let facts = ItemFacts::from_catalog(&crate::build::history::tests::catalog(40));
        let (config, wapes) = tune(&sales, &facts, 4);
        assert_eq!(wapes.len(), CANDIDATES.len());
        assert!(wapes.iter().all(|w| w.is_finite() && *w < 0.3), "{wapes:?}");
        let best = CANDIDATES.iter().position(|c| *c == config).unwrap();
        assert!(wapes.iter().all(|&w| w >= wapes[best]));
        let short = sales.window(0, 8);
        assert_eq!(tune(&short, &facts, 4), (CANDIDATES[0], Vec::new()), "too short to validate");
    }
}
