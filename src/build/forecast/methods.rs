//! The per-product forecasting methods and the four baselines.
//!
//! Each takes one product's weekly units (oldest first) and returns its forecast for each of
//! the next `horizon` weeks:
//!
//! * baselines: [`last_weeks_mean`] (last 4 weeks), [`last_weeks_mean`] (last 12),
//!   [`linear_trend`] (least squares over the last 12 weeks, never below 0) and
//!   [`damped_holt`] (augurs' ETS with additive error and a damped additive trend, fitted per
//!   product);
//! * [`auto_ets`]: augurs' automatic ETS (additive error; trend none / additive / damped chosen
//!   by AICc);
//! * intermittent demand: [`croston`] (Syntetos–Boylan corrected) and [`tsb`]
//!   (Teunter–Syntetos–Babai).
//!
//! A series too short or too flat for augurs to fit falls back to the 12-week mean.

use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS;

/// Smoothing of the demand sizes (Croston, TSB).
const SIZE_ALPHA: f64 = 0.1;
/// Smoothing of the demand probability (TSB).
const PROBABILITY_BETA: f64 = 0.1;

/// The mean of the last `weeks` weeks (fewer when the series is shorter), flat.
pub fn last_weeks_mean(series: &[f64], weeks: usize, horizon: usize) -> Vec<f64> {
    let tail = &series[series.len().saturating_sub(weeks)..];
    let mean = if tail.is_empty() { 0.0 } else { tail.iter().sum::<f64>() / tail.len() as f64 };
    vec![mean; horizon]
}

/// A least-squares line through the last `weeks` weeks, continued (negative values are 0).
pub fn linear_trend(series: &[f64], weeks: usize, horizon: usize) -> Vec<f64> {
    let tail = &series[series.len().saturating_sub(weeks)..];
    let n = tail.len() as f64;
    if tail.len() < 2 {
        return last_weeks_mean(series, weeks, horizon);
    }
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = tail.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (x, &y) in tail.iter().enumerate() {
        sxy += (x as f64 - mean_x) * (y - mean_y);
        sxx += (x as f64 - mean_x).powi(2);
    }
    let slope = sxy / sxx;
    (0..horizon).map(|h| (mean_y + slope * (n + h as f64 - mean_x)).max(0.0)).collect()
}

/// Damped Holt (ETS A,Ad,N) fitted per product by augurs.
pub fn damped_holt(series: &[f64], horizon: usize) -> Vec<f64> {
    let search = AutoETS::new(1, "AAN").and_then(|s| s.damped(true));
    ets_or_mean(search.ok(), series, horizon)
}

/// augurs' automatic ETS over additive-error, non-seasonal models.
pub fn auto_ets(series: &[f64], horizon: usize) -> Vec<f64> {
    ets_or_mean(AutoETS::new(1, "AZN").ok(), series, horizon)
}

/// The fitted model's point forecasts (never below 0), or the 12-week mean when the series
/// cannot be fitted (all zero, too short, or no model converged).
fn ets_or_mean(search: Option<AutoETS>, series: &[f64], horizon: usize) -> Vec<f64> {
    let start = series.iter().position(|&u| u > 0.0).unwrap_or(series.len());
    let fitted = &series[start..];
    let constant = fitted.windows(2).all(|w| w[0] == w[1]);
    if let (Some(search), false) = (search, fitted.len() < 6 || constant) {
        if let Ok(forecast) = search.fit(fitted).and_then(|m| m.predict(horizon, None)) {
            if forecast.point.iter().all(|v| v.is_finite()) {
                return forecast.point.iter().map(|v| v.max(0.0)).collect();
            }
        }
    }
    last_weeks_mean(series, 12, horizon)
}

/// Croston's method with the Syntetos–Boylan correction `(1 − α/2)`: smoothed demand size
/// over smoothed interval between demands, flat.
pub fn croston(series: &[f64], horizon: usize) -> Vec<f64> {
    let (mut size, mut interval, mut since) = (None::<f64>, 1.0f64, 1.0f64);
    for &y in series {
        if y > 0.0 {
            match size {
                None => (size, interval) = (Some(y), since),
                Some(z) => (size, interval) = (Some(z + SIZE_ALPHA * (y - z)), interval + SIZE_ALPHA * (since - interval)),
            }
            since = 1.0;
        } else {
            since += 1.0;
        }
    }
    let rate = size.map_or(0.0, |z| (1.0 - SIZE_ALPHA / 2.0) * z / interval.max(1.0));
    vec![rate; horizon]
}

/// TSB: smoothed probability of a sale in a week (updated every week, so it decays while a
/// product does not sell) times the smoothed size of a sale, flat.
pub fn tsb(series: &[f64], horizon: usize) -> Vec<f64> {
    let Some(first) = series.iter().position(|&y| y > 0.0) else {
        return vec![0.0; horizon];
    };
    let (mut probability, mut size) = (1.0 / (first + 1) as f64, series[first]);
    for &y in &series[first + 1..] {
        let sold = if y > 0.0 { 1.0 } else { 0.0 };
        probability += PROBABILITY_BETA * (sold - probability);
        if y > 0.0 {
            size += SIZE_ALPHA * (y - size);
        }
    }
    vec![probability * size; horizon]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn baselines_on_a_known_series() {
        let s: Vec<f64> = (0..12).map(f64::from).collect();
        assert_eq!(last_weeks_mean(&s, 4, 2), [9.5, 9.5]);
        assert_eq!(last_weeks_mean(&s, 12, 1), [5.5]);
        let line = linear_trend(&s, 12, 3);
        assert!(line.iter().zip([12.0, 13.0, 14.0]).all(|(a, b)| (a - b).abs() < 1e-9), "{line:?}");
        assert_eq!(linear_trend(&[9.0, 6.0, 3.0], 12, 2), [0.0, 0.0], "never below 0");
    }

    #[test]
    fn ets_follows_a_trend_and_falls_back_on_flat_series() {
        let s: Vec<f64> = (0..20).map(|w| 10.0 + 2.0 * f64::from(w)).collect();
        let holt = damped_holt(&s, 4);
        assert!(holt[0] > 45.0 && holt[0] < 52.0, "{holt:?}");
        assert!(holt.windows(2).all(|w| w[1] >= w[0] - 1e-9), "a rising trend keeps rising (damped): {holt:?}");
        assert_eq!(auto_ets(&[0.0, 0.0, 3.0, 3.0], 2), last_weeks_mean(&[0.0, 0.0, 3.0, 3.0], 12, 2));
        assert!(auto_ets(&s, 1)[0] > 40.0);
    }

    #[test]
    fn intermittent_methods_forecast_the_rate_and_tsb_decays_after_the_last_sale() {
        // A sale of 4 every other week: about 2 a week.
        let s: Vec<f64> = (0..30).map(|w| if w % 2 == 0 { 4.0 } else { 0.0 }).collect();
        let c = croston(&s, 1)[0];
        assert!((c - 2.0).abs() < 0.25, "{c}");
        let t = tsb(&s, 1)[0];
        assert!((t - 2.0).abs() < 0.3, "{t}");
        let mut stopped = s.clone();
        stopped.extend([0.0; 10]);
        assert!(tsb(&stopped, 1)[0] < 0.5 * t, "TSB decays when sales stop");
        assert_eq!(croston(&[0.0; 5], 2), [0.0, 0.0]);
        assert_eq!(tsb(&[0.0; 5], 2), [0.0, 0.0]);
    }
}
