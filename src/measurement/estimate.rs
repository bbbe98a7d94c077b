//! Estimates with 95% intervals from the per-report debiased values of [`super::randomize()`].
//!
//! Each report i gives an unbiased estimate `d_i` of its device's true 0/1 answer, so the mean
//! `d̄` over the n reports of an arm is an unbiased estimate of the arm's share, with standard
//! error `s / √n` (s: the sample standard deviation of the `d_i`) and, by the central limit
//! theorem, the 95% interval `d̄ ± 1.96 s / √n`. The sample variance holds both the
//! randomization's noise and the devices' own variation, and it works for reports made with
//! different ε (their `d_i` are each unbiased).
//!
//! A share among purchasing devices (order value, shelf kind) is a ratio `ā / b̄` of two means
//! over the same reports; its standard error is the delta method's
//! `sd(a_i − R b_i) / (b̄ √n)`. Differences and ratios of two arms are of independent
//! estimates: `se(x − y) = √(se_x² + se_y²)`, `se(x / y) ≈ √(se_x² / y² + x² se_y² / y⁴)`.

use serde::Serialize;

/// The normal quantile of a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// An estimate with its standard error and 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    /// The point estimate (unbiased; may fall outside [0, 1] for a share, from the noise).
    pub value: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
}

impl Estimate {
    /// An estimate from a value and its standard error.
    pub fn new(value: f64, se: f64) -> Estimate {
        Estimate { value, se, low: value - Z95 * se, high: value + Z95 * se }
    }

    /// Whether `x` lies in the 95% interval.
    pub fn covers(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// `self − other` for independent estimates.
    pub fn minus(&self, other: &Estimate) -> Estimate {
        Estimate::new(self.value - other.value, self.se.hypot(other.se))
    }

    /// `self / other − 1` (relative lift) for independent estimates, by the delta method;
    /// `None` when `other` is not clearly above zero (its interval reaches 0).
    pub fn relative_to(&self, other: &Estimate) -> Option<Estimate> {
        if other.low <= 0.0 {
            return None;
        }
        let (x, y) = (self.value, other.value);
        let se = ((self.se / y).powi(2) + (x * other.se / (y * y)).powi(2)).sqrt();
        Some(Estimate::new(x / y - 1.0, se))
    }
}

/// Running sums for the mean of values (one per report).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MeanEstimator {
    n: u64,
    sum: f64,
    sum_sq: f64,
}

impl MeanEstimator {
    /// Adds one report's value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Reports added.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The mean with its 95% interval; `None` with fewer than two reports.
    pub fn estimate(&self) -> Option<Estimate> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        let var = ((self.sum_sq - n * mean * mean) / (n - 1.0)).max(0.0);
        Some(Estimate::new(mean, (var / n).sqrt()))
    }
}

/// Running sums for the ratio `Σa / Σb` of two values per report.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RatioEstimator {
    n: u64,
    a: f64,
    b: f64,
    aa: f64,
    bb: f64,
    ab: f64,
}

impl RatioEstimator {
    /// Adds one report's pair.
    pub fn add(&mut self, a: f64, b: f64) {
        self.n += 1;
        self.a += a;
        self.b += b;
        self.aa += a * a;
        self.bb += b * b;
        self.ab += a * b;
    }

    /// The ratio with its 95% interval (delta method); `None` with fewer than two reports or
    /// when the denominator's mean is not above zero.
    pub fn estimate(&self) -> Option<Estimate> {
        if self.n < 2 || self.b <= 0.0 {
            return None;
        }
        let n = self.n as f64;
        let (ma, mb) = (self.a / n, self.b / n);
        let r = ma / mb;
        // Sample variance of z_i = a_i − r b_i.
        let sum_z = self.a - r * self.b;
        let sum_zz = self.aa - 2.0 * r * self.ab + r * r * self.bb;
        let var = ((sum_zz - sum_z * sum_z / n) / (n - 1.0)).max(0.0);
        Some(Estimate::new(r, (var / n).sqrt() / mb))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mean_and_its_interval_are_those_of_the_sample() {
        let mut m = MeanEstimator::default();
        assert_eq!(m.estimate(), None);
        for x in [1.0, 2.0, 3.0, 4.0] {
            m.add(x);
        }
        let e = m.estimate().unwrap();
        assert!((e.value - 2.5).abs() < 1e-12);
        // sample variance 5/3, se = sqrt(5/12)
        assert!((e.se - (5.0f64 / 12.0).sqrt()).abs() < 1e-12);
        assert!(e.covers(2.5) && !e.covers(5.0));
    }

    #[test]
    fn a_ratio_of_means_has_the_delta_method_error() {
        let mut r = RatioEstimator::default();
        for (a, b) in [(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)] {
            r.add(a, b);
        }
        let e = r.estimate().unwrap();
        assert!((e.value - 0.5).abs() < 1e-12);
        assert!(e.se.abs() < 1e-12, "a exactly proportional to b has no error: {e:?}");
        let mut r = RatioEstimator::default();
        for (a, b) in [(0.0, 1.0), (1.0, 1.0), (0.0, 1.0), (1.0, 1.0)] {
            r.add(a, b);
        }
        let e = r.estimate().unwrap();
        assert!((e.value - 0.5).abs() < 1e-12);
        assert!((e.se - (1.0f64 / 12.0).sqrt()).abs() < 1e-12, "{e:?}");
    }

    #[test]
    fn lift_needs_a_control_clearly_above_zero() {
        let control = Estimate::new(0.04, 0.005);
        let arm = Estimate::new(0.05, 0.003);
        let lift = arm.relative_to(&control).unwrap();
        assert!((lift.value - 0.25).abs() < 1e-12);
        assert!(lift.se > 0.0);
        assert_eq!(arm.relative_to(&Estimate::new(0.01, 0.02)), None);
        let diff = arm.minus(&control);
        assert!((diff.value - 0.01).abs() < 1e-12 && (diff.se - 0.005f64.hypot(0.003)).abs() < 1e-12);
    }
}
