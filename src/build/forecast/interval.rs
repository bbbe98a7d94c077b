//! 80% intervals from the empirical quantiles of past errors.
//!
//! A method is re-run at a few origins inside the history ([`super::backtest`]); each
//! product gives a (forecast, actual) pair. Pairs are grouped into [`BINS`] bins by the size of
//! the forecast (equal counts; forecasts of 0 in a bin of their own), and within a bin the
//! residual `r = ln(1 + actual) − ln(1 + forecast)` gets its 10% quantile as the lower end and,
//! as the upper end, the smallest residual that brings the share of pairs inside to 80% (with
//! many equal residuals, such as a run of zero sales, plain 10%/90% quantiles would cover far
//! more than 80%). The interval of a new forecast `f` is `(1 + f)·e^r − 1` at both ends.

/// Number of bins of forecasts above zero.
const BINS: usize = 5;
/// The interval's nominal coverage.
pub const COVERAGE: f64 = 0.8;

/// Residual quantiles per forecast-size bin.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalCalibration {
    /// Upper forecast edge of each bin (the last is +∞); bin 0 is forecasts of 0.
    edges: Vec<f64>,
    /// (low, high) residual per bin.
    residuals: Vec<(f64, f64)>,
}

impl IntervalCalibration {
    /// Calibrates on (forecast, actual) pairs; an empty bin gets the widest of the others.
    pub fn fit(pairs: &[(f64, f64)]) -> IntervalCalibration {
        let mut positive: Vec<f64> = pairs.iter().map(|p| p.0).filter(|&f| f > 0.0).collect();
        positive.sort_by(f64::total_cmp);
        let mut edges = vec![0.0];
        for b in 1..BINS {
            if let Some(&e) = positive.get(b * positive.len() / BINS) {
                edges.push(e);
            }
        }
        edges.push(f64::INFINITY);
        let mut binned: Vec<Vec<f64>> = vec![Vec::new(); edges.len()];
        let mut calibration = IntervalCalibration { edges, residuals: Vec::new() };
        for &(f, a) in pairs {
            binned[calibration.bin(f)].push(a.max(0.0).ln_1p() - f.max(0.0).ln_1p());
        }
        let fitted: Vec<Option<(f64, f64)>> = binned.iter_mut().map(|r| residual_band(r)).collect();
        let widest = fitted.iter().flatten().fold((0.0f64, 0.0f64), |w, r| (w.0.min(r.0), w.1.max(r.1)));
        calibration.residuals = fitted.into_iter().map(|r| r.unwrap_or(widest)).collect();
        calibration
    }

    fn bin(&self, forecast: f64) -> usize {
        if forecast <= 0.0 {
            0
        } else {
            self.edges.iter().skip(1).position(|&e| forecast < e).map_or(self.edges.len() - 1, |b| b + 1)
        }
    }

    /// The 80% interval around `forecast` (never below 0).
    pub fn interval(&self, forecast: f64) -> (f64, f64) {
        let (lo, hi) = self.residuals[self.bin(forecast)];
        let base = forecast.max(0.0).ln_1p();
        // The slack undoes the rounding of ln and exp, so a calibration pair on an end stays in.
        ((base + lo - 1e-12).exp_m1().max(0.0), (base + hi + 1e-12).exp_m1().max(0.0))
    }
}

/// The 10% quantile and the smallest upper end that holds 80% of `residuals` between them.
fn residual_band(residuals: &mut [f64]) -> Option<(f64, f64)> {
    if residuals.is_empty() {
        return None;
    }
    residuals.sort_by(f64::total_cmp);
    let n = residuals.len();
    let lo = residuals[((1.0 - COVERAGE) / 2.0 * n as f64) as usize];
    let below = residuals.iter().filter(|&&r| r < lo).count();
    let need = (COVERAGE * n as f64).ceil() as usize;
    let hi = residuals[(below + need).saturating_sub(1).min(n - 1)];
    Some((lo, hi.max(lo)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn intervals_cover_eighty_percent_of_the_calibration_pairs() {
        // Forecast 10, actuals 1..=100 spread around it.
        let pairs: Vec<(f64, f64)> = (1..=100).map(|a| (10.0, f64::from(a) * 0.2)).collect();
        let c = IntervalCalibration::fit(&pairs);
        let (lo, hi) = c.interval(10.0);
        let inside = pairs.iter().filter(|p| (lo..=hi).contains(&p.1)).count();
        assert!((80..=82).contains(&inside), "{inside} in [{lo}, {hi}]");
        assert!(lo < 10.0 && hi > 10.0);
    }

    #[test]
    fn a_run_of_zero_actuals_does_not_inflate_coverage() {
        // Forecast 0: 60 zeros, then 40 positive actuals.
        let pairs: Vec<(f64, f64)> = (0..100).map(|k| (0.0, if k < 60 { 0.0 } else { f64::from(k - 59) })).collect();
        let (lo, hi) = IntervalCalibration::fit(&pairs).interval(0.0);
        let inside = pairs.iter().filter(|p| (lo..=hi).contains(&p.1)).count();
        assert_eq!(lo, 0.0);
        assert_eq!(inside, 80, "[{lo}, {hi}]");
    }
}
