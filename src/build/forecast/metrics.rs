//! Forecast accuracy over products: WAPE, top-N precision and interval coverage.

/// Scores of one method at one horizon (totals over the horizon, per product).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    /// `Σ|F − A| / ΣA` over products.
    pub wape: f64,
    /// Share of the [`TOP`] products forecast to sell most that are among the [`TOP`] that did.
    pub top_precision: f64,
    /// Share of products whose actual lies inside the 80% interval.
    pub coverage: f64,
    /// Σ F (the shop total forecast).
    pub forecast_units: f64,
    /// Σ A.
    pub actual_units: f64,
}

/// How many best sellers the top precision compares.
pub const TOP: usize = 50;

/// Scores `forecast` (with `intervals`) against `actual`, all per product.
pub fn score(forecast: &[f64], intervals: &[(f64, f64)], actual: &[f64]) -> Scores {
    let actual_units: f64 = actual.iter().sum();
    let error: f64 = forecast.iter().zip(actual).map(|(f, a)| (f - a).abs()).sum();
    let inside = intervals.iter().zip(actual).filter(|(&(lo, hi), &a)| lo <= a && a <= hi).count();
    let (top_f, top_a) = (top_indices(forecast, TOP), top_indices(actual, TOP));
    let hits = top_f.iter().filter(|i| top_a.contains(i)).count();
    Scores {
        wape: if actual_units > 0.0 { error / actual_units } else { f64::NAN },
        top_precision: hits as f64 / TOP.min(actual.len()).max(1) as f64,
        coverage: inside as f64 / actual.len().max(1) as f64,
        forecast_units: forecast.iter().sum(),
        actual_units,
    }
}

/// Indices of the `n` largest values (ties by index).
pub fn top_indices(values: &[f64], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order.truncate(n);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_on_a_hand_checked_case() {
        let s = score(&[10.0, 0.0, 5.0], &[(8.0, 12.0), (0.0, 1.0), (0.0, 1.0)], &[12.0, 2.0, 6.0]);
        assert!((s.wape - 5.0 / 20.0).abs() < 1e-12);
        assert!((s.coverage - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.top_precision, 1.0, "3 products, all in both tops");
        assert_eq!((s.forecast_units, s.actual_units), (15.0, 20.0));
        assert_eq!(top_indices(&[1.0, 3.0, 3.0, 2.0], 2), [1, 2]);
    }
}
