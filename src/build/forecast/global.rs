//! The global model: one ridge regression across all products (cross-learning, as the M5
//! winners did), on features of each product's recent sales, its category, its price and the
//! shop-wide trend.
//!
//! * Rows: every product with a sale before an origin week `t`, for every origin from week
//!   [`MIN_HISTORY_WEEKS`] to the last one whose `horizon` weeks are known.
//! * Target: `ln(1 + mean weekly units over the next horizon weeks)`.
//! * Features ([`features`]): `ln(1 + mean units)` over the last 1, 2, 4, 8, 12 and 26 weeks,
//!   the median of the last 12, `ln(1 + purchase lines)` over the last 4 and 12 weeks, the
//!   share of the last 12 weeks with a sale, `ln(1 + weeks since the last and the first sale)`,
//!   the shop's last 4 weeks against its last 12, `ln(price)` and one indicator per category.
//! * Fit: standardised features, ridge ([`RIDGE`]) solved by nalgebra's Cholesky. The
//!   back-transformed prediction `exp(ŷ) − 1` is then scaled by the factor that minimises the
//!   absolute error of the training rows (a weighted median), since the log target
//!   under-forecasts the mean.

use nalgebra::{DMatrix, DVector};

use super::series::WeeklySales;
use crate::build::input::CatalogItem;

/// Fewest weeks of history an origin needs to become a training row.
pub const MIN_HISTORY_WEEKS: usize = 4;
/// Ridge penalty on the standardised coefficients.
const RIDGE: f64 = 1.0;

/// Per-item facts besides sales: what the global model uses, and what reports show.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFacts {
    /// The shop's id of each item.
    pub id: Vec<String>,
    /// Title of each item.
    pub title: Vec<String>,
    /// Category index of each item (`< categories`).
    pub category: Vec<usize>,
    /// Number of categories.
    pub categories: usize,
    /// Price of each item (≥ 0).
    pub price: Vec<f64>,
}

impl ItemFacts {
    /// The facts of a catalog (item `i` is `catalog[i]`, as in [`crate::build::history::index_events`]).
    pub fn from_catalog<C: AsRef<CatalogItem>>(catalog: &[C]) -> ItemFacts {
        let mut names: Vec<&str> = catalog.iter().map(|c| c.as_ref().category.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        ItemFacts {
            id: catalog.iter().map(|c| c.as_ref().id.clone()).collect(),
            title: catalog.iter().map(|c| c.as_ref().title.clone()).collect(),
            category: catalog.iter().map(|c| names.binary_search(&c.as_ref().category.as_str()).unwrap_or(0)).collect(),
            categories: names.len(),
            price: catalog.iter().map(|c| f64::from(c.as_ref().price)).collect(),
        }
    }
}

/// A fitted global model.
#[derive(Debug, Clone)]
pub struct GlobalModel {
    mean: Vec<f64>,
    scale: Vec<f64>,
    coefficients: Vec<f64>,
    intercept: f64,
    /// Factor on `exp(ŷ) − 1` (see the module docs).
    pub calibration: f64,
}

/// The feature vector of `item` at origin `t` (weeks `..t` are known): [`recent_features`]
/// and one indicator per category.
pub fn features(sales: &WeeklySales, facts: &ItemFacts, shop: &[f64], item: usize, t: usize) -> Vec<f64> {
    let mut x = recent_features(sales, facts, shop, item, t);
    x.extend((0..facts.categories).map(|c| if facts.category[item] == c { 1.0 } else { 0.0 }));
    x
}

/// The numeric features of `item` at origin `t` (see the module docs; all but the category).
pub fn recent_features(sales: &WeeklySales, facts: &ItemFacts, shop: &[f64], item: usize, t: usize) -> Vec<f64> {
    let units = &sales.units(item)[..t];
    let orders = &sales.orders(item)[..t];
    let mean = |xs: &[f64], k: usize| {
        let tail = &xs[xs.len().saturating_sub(k)..];
        if tail.is_empty() {
            0.0
        } else {
            tail.iter().sum::<f64>() / tail.len() as f64
        }
    };
    let last12 = &units[t.saturating_sub(12)..];
    let mut sorted = last12.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let first = units.iter().position(|&u| u > 0.0).map_or(t, |w| t - w);
    let last = units.iter().rposition(|&u| u > 0.0).map_or(t, |w| t - 1 - w);
    let shop_trend = ((mean(&shop[..t], 4) + 1.0) / (mean(&shop[..t], 12) + 1.0)).ln();
    let mut x = Vec::with_capacity(16);
    x.extend([1, 2, 4, 8, 12, 26].map(|k| mean(units, k).ln_1p()));
    x.push(median.ln_1p());
    x.extend([4, 12].map(|k| (mean(orders, k) * k as f64).ln_1p()));
    x.push(last12.iter().filter(|&&u| u > 0.0).count() as f64 / last12.len().max(1) as f64);
    x.extend([(last as f64).ln_1p(), (first as f64).ln_1p(), shop_trend, facts.price[item].max(0.01).ln()]);
    x
}

impl GlobalModel {
    /// Fits on every origin of `sales` whose next `horizon` weeks are known. `None` when there
    /// are no such rows.
    pub fn fit(sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> Option<GlobalModel> {
        let shop = sales.shop_units();
        let (mut rows, mut targets) = (Vec::new(), Vec::new());
        for t in MIN_HISTORY_WEEKS..=sales.weeks.saturating_sub(horizon) {
            for item in 0..sales.items {
                if sales.units(item)[..t].iter().any(|&u| u > 0.0) {
                    rows.push(features(sales, facts, &shop, item, t));
                    targets.push((sales.total(item, t, t + horizon) / horizon as f64).ln_1p());
                }
            }
        }
        let mut model = GlobalModel::ridge(&rows, &targets)?;
        let pairs: Vec<(f64, f64)> = rows.iter().zip(&targets).map(|(x, &y)| (model.raw(x), y.exp_m1())).collect();
        model.calibration = weighted_median_ratio(&pairs);
        Some(model)
    }

    /// Standardises, then solves the ridge normal equations.
    fn ridge(rows: &[Vec<f64>], targets: &[f64]) -> Option<GlobalModel> {
        let (n, d) = (rows.len(), rows.first()?.len());
        let mean: Vec<f64> = (0..d).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64).collect();
        let scale: Vec<f64> = (0..d)
            .map(|j| (rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n as f64).sqrt())
            .map(|s| if s > 1e-12 { s } else { 1.0 })
            .collect();
        let x = DMatrix::from_fn(n, d, |i, j| (rows[i][j] - mean[j]) / scale[j]);
        let y_mean = targets.iter().sum::<f64>() / n as f64;
        let y = DVector::from_iterator(n, targets.iter().map(|t| t - y_mean));
        let gram = x.transpose() * &x + DMatrix::identity(d, d) * RIDGE;
        let coefficients = gram.cholesky()?.solve(&(x.transpose() * y));
        Some(GlobalModel { mean, scale, coefficients: coefficients.iter().copied().collect(), intercept: y_mean, calibration: 1.0 })
    }

    /// `exp(ŷ) − 1` before calibration.
    fn raw(&self, x: &[f64]) -> f64 {
        let z: f64 = x.iter().zip(&self.mean).zip(&self.scale).zip(&self.coefficients).map(|(((v, m), s), c)| (v - m) / s * c).sum();
        (self.intercept + z).exp_m1().max(0.0)
    }

    /// Forecast weekly units of `item` from weeks `..t`.
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.raw(x) * self.calibration
    }
}

/// The `s` minimising `Σ |s·p − a|` over `(p, a)` pairs: the median of `a/p` weighted by `p`
/// (1 when no `p` is positive).
pub fn weighted_median_ratio(pairs: &[(f64, f64)]) -> f64 {
    let mut ratios: Vec<(f64, f64)> = pairs.iter().filter(|(p, _)| *p > 0.0).map(|&(p, a)| (a / p, p)).collect();
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = ratios.iter().map(|r| r.1).sum::<f64>() / 2.0;
    let mut acc = 0.0;
    for (ratio, weight) in ratios {
        acc += weight;
        if acc >= half {
            return ratio;
        }
    }
    1.0
}

/// Forecasts every item's next `horizon` weeks (flat) with a global model fitted on `sales`;
/// items with no sale get 0. `None` when the history is too short to fit.
pub fn forecast_all(sales: &WeeklySales, facts: &ItemFacts, horizon: usize) -> Option<Vec<Vec<f64>>> {
    let model = GlobalModel::fit(sales, facts, horizon)?;
    let shop = sales.shop_units();
    Some(
        (0..sales.items)
            .map(|i| {
                let sold = sales.units(i).iter().any(|&u| u > 0.0);
                let rate = if sold { model.predict(&features(sales, facts, &shop, i, sales.weeks)) } else { 0.0 };
                vec![rate; horizon]
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_weighted_median_ratio_minimises_absolute_error() {
        assert_eq!(weighted_median_ratio(&[(1.0, 2.0), (1.0, 2.0), (1.0, 10.0)]), 2.0);
        assert_eq!(weighted_median_ratio(&[(0.0, 5.0)]), 1.0);
    }

    #[test]
    fn the_global_model_learns_levels_across_products() {
        // 30 products selling i units every week, for 20 weeks: the model forecasts about i.
        let mut sales = WeeklySales::zeros(30, 20, 20 * super::super::series::MS_PER_WEEK);
        for i in 0..30 {
            for w in 0..20 {
                sales.set(i, w, i as f64, if i > 0 { 1.0 } else { 0.0 });
            }
        }
        let facts = ItemFacts::from_catalog(&crate::build::history::tests::catalog(30));
        let f = forecast_all(&sales, &facts, 4).unwrap();
        assert_eq!(f[0], [0.0; 4], "never sold, forecast 0");
        for i in [3, 10, 25] {
            assert!((f[i][0] - i as f64).abs() < 0.25 * i as f64, "item {i}: {:?}", f[i]);
        }
    }
}
