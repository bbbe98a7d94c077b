//! Simulated devices with known true rates, sent through the code a device ships: their records
//! go through [`DayAnswers::of`] (attribution) and [`DailyReport::randomized`] (the question
//! draw and the randomizer), and the reports through [`analyse`]. What comes out is compared
//! with the truth: the coverage of the 95% intervals and the error table of
//! `docs/MEASUREMENT.md`.
//!
//! Every device of the simulated shop is active on one day: it buys with its arm's purchase
//! rate (one order, its value drawn from the arm's bucket shares, uniformly within the bucket;
//! the last bucket spans one to two times the top edge), through a shelf (a click on the item
//! the same day, then the purchase) with the arm's shelf shares, and clicks another shelf item
//! with the arm's click rate.

use std::fmt::Write;

use super::analysis::{analyse, ArmEstimates, ExperimentEstimates};
use crate::explore::SplitMix64;
use crate::measurement::estimate::Estimate;
use crate::measurement::records::{MeasurementRecord, RecordKind, DEFAULT_WINDOW_DAYS};
use crate::measurement::report::{parse_day, DailyReport, ReportSettings};
use crate::measurement::{Coins, DayAnswers, MeasurementError, ValueBuckets, CONTROL_ARM, ORDER_SHELF_KINDS};
use crate::shelf::ShelfKind;

/// The day every simulated device reports about.
pub const SIMULATED_DAY: &str = "2027-01-15";
/// The simulated experiment's name.
pub const SIMULATED_EXPERIMENT: &str = "simulated";

/// One arm's true behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmTruth {
    /// The arm's name.
    pub name: &'static str,
    /// Its share of the devices.
    pub weight: f64,
    /// Probability that a device buys that day.
    pub purchase_rate: f64,
    /// Probability that a device clicks a shelf item without buying it.
    pub click_rate: f64,
    /// Shares of orders in the five value buckets.
    pub value_shares: [f64; 5],
    /// Shares of orders not via a shelf, then via each kind of [`ORDER_SHELF_KINDS`].
    pub shelf_shares: [f64; 11],
}

impl ArmTruth {
    /// The true share of device-days with a shelf click: an extra click, or a purchase via a shelf.
    pub fn shelf_click_rate(&self) -> f64 {
        1.0 - (1.0 - self.click_rate) * (1.0 - self.purchase_rate * (1.0 - self.shelf_shares[0]))
    }
}

/// The simulated shop: a control arm (10%, non-personalized shelves) and a personalized arm.
pub fn default_population() -> Vec<ArmTruth> {
    vec![
        ArmTruth {
            name: CONTROL_ARM,
            weight: 0.1,
            purchase_rate: 0.030,
            click_rate: 0.08,
            value_shares: [0.30, 0.30, 0.20, 0.15, 0.05],
            shelf_shares: [0.85, 0.0, 0.0, 0.0, 0.0, 0.05, 0.03, 0.07, 0.0, 0.0, 0.0],
        },
        ArmTruth {
            name: "personalized",
            weight: 0.9,
            purchase_rate: 0.036,
            click_rate: 0.15,
            value_shares: [0.25, 0.30, 0.25, 0.15, 0.05],
            shelf_shares: [0.60, 0.15, 0.03, 0.04, 0.04, 0.05, 0.04, 0.02, 0.01, 0.01, 0.01],
        },
    ]
}

/// A draw from weights summing to about 1.
fn pick(weights: &[f64], coins: &mut SplitMix64) -> usize {
    let u = SplitMix64::next_u64(coins) as f64 / u64::MAX as f64;
    let mut cumulative = 0.0;
    for (i, w) in weights.iter().enumerate() {
        cumulative += w;
        if u < cumulative {
            return i;
        }
    }
    weights.len() - 1
}

fn chance(p: f64, coins: &mut SplitMix64) -> bool {
    (SplitMix64::next_u64(coins) as f64 / u64::MAX as f64) < p
}

/// One device's records of the day starting at `day0`.
fn device_records(arm: &ArmTruth, buckets: &ValueBuckets, day0: f64, coins: &mut SplitMix64) -> Vec<MeasurementRecord> {
    let record = |kind, ts: f64, item: &str, shelf: Option<ShelfKind>, value: Option<f64>| MeasurementRecord {
        kind,
        ts,
        item: item.to_owned(),
        shelf: shelf.map(|s| s.as_str().to_owned()),
        position: shelf.map(|_| 1),
        qty: value.map(|_| 1),
        value,
    };
    let mut records = Vec::new();
    if chance(arm.click_rate, coins) {
        records.push(record(RecordKind::ShelfClick, day0 + 1_000.0, "other", Some(ShelfKind::Trending), None));
    }
    if chance(arm.purchase_rate, coins) {
        let bucket = pick(&arm.value_shares, coins);
        let e = buckets.edges;
        let (lo, hi) = match bucket {
            0 => (0.5, e[0]),
            4 => (e[3], 2.0 * e[3]),
            b => (e[b - 1], e[b]),
        };
        let value = lo + (hi - lo) * (SplitMix64::next_u64(coins) >> 11) as f64 / (1u64 << 53) as f64;
        let via = pick(&arm.shelf_shares, coins);
        if via > 0 {
            records.push(record(RecordKind::ShelfClick, day0 + 2_000.0, "bought", ORDER_SHELF_KINDS.get(via - 1).copied(), None));
        }
        records.push(record(RecordKind::Purchase, day0 + 3_000.0, "bought", None, Some(value)));
    }
    records
}

/// `devices` reports at `epsilon` from `population`, reproducible from `seed`.
pub fn simulate(population: &[ArmTruth], devices: usize, epsilon: f64, seed: u64) -> Result<Vec<DailyReport>, MeasurementError> {
    let buckets = ValueBuckets::default();
    let day0 = parse_day(SIMULATED_DAY)? * crate::measurement::records::DAY_MS;
    let weights: Vec<f64> = population.iter().map(|a| a.weight).collect();
    let mut truth_coins = SplitMix64::new(seed);
    let mut report_coins = SplitMix64::new(seed ^ 0x5EED_C011_5EED_C011);
    let mut reports = Vec::with_capacity(devices);
    for _ in 0..devices {
        let arm = &population[pick(&weights, &mut truth_coins)];
        let records = device_records(arm, &buckets, day0 as f64, &mut truth_coins);
        let answers = DayAnswers::of(&records, day0, DEFAULT_WINDOW_DAYS)?;
        let settings = ReportSettings { epsilon, experiment: Some(SIMULATED_EXPERIMENT.to_owned()), arm: arm.name.to_owned(), buckets };
        reports.push(DailyReport::randomized(&answers, day0, &settings, &mut report_coins as &mut dyn Coins)?);
    }
    Ok(reports)
}

/// Every estimate of `estimates` paired with its true value, named.
pub fn with_truth(population: &[ArmTruth], estimates: &ExperimentEstimates) -> Vec<(String, Option<Estimate>, f64)> {
    let mut out = Vec::new();
    for arm in &estimates.arms {
        let Some(truth) = population.iter().find(|a| a.name == arm.arm) else { continue };
        let name = |what: &str| format!("{} {what}", arm.arm);
        out.push((name("conversion"), arm.conversion, truth.purchase_rate));
        out.push((name("shelf clicks"), arm.shelf_clicks, truth.shelf_click_rate()));
        for (s, t) in arm.order_value.iter().zip(truth.value_shares) {
            out.push((name(&format!("value {}", s.name)), s.estimate, t));
        }
        for (s, t) in arm.order_shelf.iter().zip(truth.shelf_shares) {
            out.push((name(&format!("via {}", s.name)), s.estimate, t));
        }
        for (s, t) in arm.order_shelf_per_day.iter().zip(truth.shelf_shares) {
            out.push((name(&format!("day with an order via {}", s.name)), s.estimate, t * truth.purchase_rate));
        }
    }
    let control = population.iter().find(|a| a.name == CONTROL_ARM);
    for lift in &estimates.lift {
        if let (Some(c), Some(a)) = (control, population.iter().find(|a| a.name == lift.arm)) {
            out.push((format!("{} conversion lift", lift.arm), lift.conversion_difference, a.purchase_rate - c.purchase_rate));
        }
    }
    out
}

/// The simulated experiment's estimates.
pub fn estimate(reports: &[DailyReport]) -> Option<ExperimentEstimates> {
    analyse(reports, &ValueBuckets::default()).into_iter().next()
}

/// One row of the error table.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    /// ε per device-day.
    pub epsilon: f64,
    /// Devices (one report each).
    pub devices: usize,
    /// Per metric: mean 95% half-width and root mean squared error over the repeats.
    pub metrics: Vec<(&'static str, f64, f64)>,
    /// Share of the table metrics' 95% intervals, over all repeats, that covered the truth.
    pub coverage: f64,
}

/// The metrics of the table: the personalized arm's conversion, shelf clicks, share of orders
/// via "for you" and share of device-days with an order via "for you", and its conversion lift
/// over control.
const TABLE_METRICS: [&str; 5] = [
    "personalized conversion",
    "personalized shelf clicks",
    "personalized via for-you",
    "personalized day with an order via for-you",
    "personalized conversion lift",
];

/// Runs `repeats` simulations per (ε, devices) and measures the error.
pub fn error_table(epsilons: &[f64], device_counts: &[usize], repeats: usize, seed: u64) -> Result<Vec<ErrorRow>, MeasurementError> {
    let population = default_population();
    let mut rows = Vec::new();
    for &epsilon in epsilons {
        for &devices in device_counts {
            let mut sums = [(0.0, 0.0, 0u32); TABLE_METRICS.len()]; // half-width sum, squared error sum, n
            let (mut covered, mut intervals) = (0u64, 0u64);
            for r in 0..repeats {
                let reports = simulate(&population, devices, epsilon, seed.wrapping_add(r as u64 * 7919))?;
                let Some(estimates) = estimate(&reports) else { continue };
                for (name, e, truth) in with_truth(&population, &estimates) {
                    let Some(e) = e else { continue };
                    if let Some(at) = TABLE_METRICS.iter().position(|m| *m == name) {
                        intervals += 1;
                        covered += u64::from(e.covers(truth));
                        sums[at].0 += e.high - e.value;
                        sums[at].1 += (e.value - truth).powi(2);
                        sums[at].2 += 1;
                    }
                }
            }
            let metrics = TABLE_METRICS
                .iter()
                .zip(sums)
                .map(|(&name, (hw, se, n))| (name, hw / f64::from(n.max(1)), (se / f64::from(n.max(1))).sqrt()))
                .collect();
            rows.push(ErrorRow { epsilon, devices, metrics, coverage: covered as f64 / intervals.max(1) as f64 });
        }
    }
    Ok(rows)
}

/// The error table as Markdown (percentage points).
pub fn format_error_table(rows: &[ErrorRow], repeats: usize) -> String {
    let population = default_population();
    let (control, arm) = (&population[0], &population[1]);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| ε | devices | conversion (true {:.1}%) | clicked a shelf (true {:.1}%) | share of orders via for-you (true {:.0}%) | device-days with an order via for-you (true {:.2}%) | conversion lift (true {:+.1} points) | these 5 intervals covering the truth |",
        100.0 * arm.purchase_rate,
        100.0 * arm.shelf_click_rate(),
        100.0 * arm.shelf_shares[1],
        100.0 * arm.shelf_shares[1] * arm.purchase_rate,
        100.0 * (arm.purchase_rate - control.purchase_rate)
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for row in rows {
        let cells: Vec<String> = row.metrics.iter().map(|(_, hw, rmse)| format!("±{:.2} (RMSE {:.2})", 100.0 * hw, 100.0 * rmse)).collect();
        let _ = writeln!(out, "| {} | {} | {} | {:.1}% |", row.epsilon, row.devices, cells.join(" | "), 100.0 * row.coverage);
    }
    let _ = writeln!(
        out,
        "\nPercentage points: the mean half-width of the 95% interval, and in brackets the root mean squared error of the estimate, over {repeats} simulations per row. The personalized arm has 90% of the devices, control 10%."
    );
    out
}

/// The arm `name` of the estimates.
pub fn arm<'a>(estimates: &'a ExperimentEstimates, name: &str) -> Option<&'a ArmEstimates> {
    estimates.arms.iter().find(|a| a.arm == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulated_day_has_the_known_rates() {
        let population = default_population();
        let reports = simulate(&population, 2000, 2.0, 1).unwrap();
        assert_eq!(reports.len(), 2000);
        let control = reports.iter().filter(|r| r.arm == CONTROL_ARM).count();
        assert!((130..280).contains(&control), "about 10% in control: {control}");
        assert!(reports.iter().all(|r| r.day == SIMULATED_DAY && r.validate().is_ok()));
        let truth = &population[1];
        assert!((truth.shelf_click_rate() - 0.16224).abs() < 1e-6, "{}", truth.shelf_click_rate());
    }
}
