//! The reports debiased into per-arm estimates with 95% intervals ([`crate::measurement::estimate`]):
//! device-days, conversion rate, shelf click rate, the order-value distribution and the share
//! of orders via each shelf kind, and lift over the `control` arm.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::measurement::estimate::{Estimate, MeanEstimator, RatioEstimator};
use crate::measurement::report::DailyReport;
use crate::measurement::{debias, Question, ValueBuckets, CONTROL_ARM};

/// One named estimate (a value bucket, a shelf kind).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Share {
    /// The category's name.
    pub name: String,
    /// Its share among the arm's orders; `None` without enough reports or purchases.
    pub estimate: Option<Estimate>,
}

/// One arm's estimates.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmEstimates {
    /// The arm's name.
    pub arm: String,
    /// Reports, i.e. device-days (exact: the arm is not randomized).
    pub device_days: u64,
    /// Reports per question, in [`Question::ALL`] order.
    pub per_question: [u64; 4],
    /// Share of device-days with a purchase.
    pub conversion: Option<Estimate>,
    /// Share of device-days with a shelf click.
    pub shelf_clicks: Option<Estimate>,
    /// Share of orders (purchasing device-days) in each value bucket.
    pub order_value: Vec<Share>,
    /// Share of orders via each shelf kind (and via none).
    pub order_shelf: Vec<Share>,
    /// Share of device-days with an order via each shelf kind (and via none): no ratio, so a
    /// much smaller error than `order_shelf` when few device-days buy.
    pub order_shelf_per_day: Vec<Share>,
}

/// One arm against control.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lift {
    /// The arm compared.
    pub arm: String,
    /// Conversion rate minus control's (a difference of shares).
    pub conversion_difference: Option<Estimate>,
    /// Conversion rate over control's, minus 1; `None` while control's interval reaches 0.
    pub conversion_relative: Option<Estimate>,
    /// Shelf click rate minus control's.
    pub shelf_clicks_difference: Option<Estimate>,
}

/// The estimates of one experiment (or of the reports without one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperimentEstimates {
    /// The experiment's name; `None` for reports of shops running none.
    pub experiment: Option<String>,
    /// First and last day reported about.
    pub days: (String, String),
    /// The ε values seen, in increasing order.
    pub epsilons: Vec<f64>,
    /// Per arm, by name.
    pub arms: Vec<ArmEstimates>,
    /// Every other arm against `control` (empty without a control arm).
    pub lift: Vec<Lift>,
}

/// Running sums of one arm.
#[derive(Default)]
struct ArmSums {
    per_question: [u64; 4],
    conversion: MeanEstimator,
    clicks: MeanEstimator,
    value: Vec<RatioEstimator>,
    shelf: Vec<RatioEstimator>,
    shelf_per_day: Vec<MeanEstimator>,
}

impl ArmSums {
    fn add(&mut self, report: &DailyReport) {
        let q = report.question;
        let k = q.category_count();
        let d = debias(&report.answer, k, report.epsilon);
        let at = Question::ALL.iter().position(|&x| x == q).unwrap_or(0);
        self.per_question[at] += 1;
        match q {
            Question::Purchased => self.conversion.add(d[1]),
            Question::ClickedShelf => self.clicks.add(d[1]),
            Question::OrderValue | Question::OrderShelf => {
                let sums = if q == Question::OrderValue { &mut self.value } else { &mut self.shelf };
                sums.resize(k - 1, RatioEstimator::default());
                // The share among orders: category c over "not no-purchase".
                for (sum, &dc) in sums.iter_mut().zip(&d[1..]) {
                    sum.add(dc, 1.0 - d[0]);
                }
                if q == Question::OrderShelf {
                    self.shelf_per_day.resize(k - 1, MeanEstimator::default());
                    for (sum, &dc) in self.shelf_per_day.iter_mut().zip(&d[1..]) {
                        sum.add(dc);
                    }
                }
            }
        }
    }

    fn estimates(&self, arm: &str, buckets: &ValueBuckets) -> ArmEstimates {
        let shares = |q: Question, sums: &[RatioEstimator]| {
            (1..q.category_count())
                .map(|c| Share { name: q.category_name(c, buckets), estimate: sums.get(c - 1).and_then(RatioEstimator::estimate) })
                .collect()
        };
        ArmEstimates {
            arm: arm.to_owned(),
            device_days: self.per_question.iter().sum(),
            per_question: self.per_question,
            conversion: self.conversion.estimate(),
            shelf_clicks: self.clicks.estimate(),
            order_value: shares(Question::OrderValue, &self.value),
            order_shelf: shares(Question::OrderShelf, &self.shelf),
            order_shelf_per_day: (1..Question::OrderShelf.category_count())
                .map(|c| Share {
                    name: Question::OrderShelf.category_name(c, buckets),
                    estimate: self.shelf_per_day.get(c - 1).and_then(MeanEstimator::estimate),
                })
                .collect(),
        }
    }
}

/// Estimates per experiment (in name order, reports without one last) and arm.
pub fn analyse(reports: &[DailyReport], buckets: &ValueBuckets) -> Vec<ExperimentEstimates> {
    let mut groups: BTreeMap<(bool, Option<&str>), Vec<&DailyReport>> = BTreeMap::new();
    for r in reports {
        groups.entry((r.experiment.is_none(), r.experiment.as_deref())).or_default().push(r);
    }
    groups.into_iter().map(|((_, name), group)| experiment_estimates(name, &group, buckets)).collect()
}

fn experiment_estimates(name: Option<&str>, reports: &[&DailyReport], buckets: &ValueBuckets) -> ExperimentEstimates {
    let mut arms: BTreeMap<&str, ArmSums> = BTreeMap::new();
    let mut epsilons: Vec<f64> = Vec::new();
    for r in reports {
        arms.entry(&r.arm).or_default().add(r);
        if !epsilons.contains(&r.epsilon) {
            epsilons.push(r.epsilon);
        }
    }
    epsilons.sort_by(f64::total_cmp);
    let first = reports.iter().map(|r| r.day.as_str()).min().unwrap_or_default().to_owned();
    let last = reports.iter().map(|r| r.day.as_str()).max().unwrap_or_default().to_owned();
    let arms: Vec<ArmEstimates> = arms.iter().map(|(arm, sums)| sums.estimates(arm, buckets)).collect();
    let lift = match arms.iter().find(|a| a.arm == CONTROL_ARM) {
        Some(control) => arms.iter().filter(|a| a.arm != CONTROL_ARM).map(|a| lift(a, control)).collect(),
        None => Vec::new(),
    };
    ExperimentEstimates { experiment: name.map(str::to_owned), days: (first, last), epsilons, arms, lift }
}

fn lift(arm: &ArmEstimates, control: &ArmEstimates) -> Lift {
    let both = |a: Option<Estimate>, c: Option<Estimate>| a.zip(c);
    Lift {
        arm: arm.arm.clone(),
        conversion_difference: both(arm.conversion, control.conversion).map(|(a, c)| a.minus(&c)),
        conversion_relative: both(arm.conversion, control.conversion).and_then(|(a, c)| a.relative_to(&c)),
        shelf_clicks_difference: both(arm.shelf_clicks, control.shelf_clicks).map(|(a, c)| a.minus(&c)),
    }
}

/// `12.3% [8.1%, 16.5%]`, or `n/a`.
pub fn percent(e: Option<Estimate>) -> String {
    match e {
        Some(e) => format!("{:6.1}%  [{:.1}%, {:.1}%]", 100.0 * e.value, 100.0 * e.low, 100.0 * e.high),
        None => "   n/a  (too few reports, or no purchases estimated)".to_owned(),
    }
}

/// `+1.2 points [−0.3, 2.7]`, or `n/a`.
fn points(e: Option<Estimate>) -> String {
    match e {
        Some(e) => format!("{:+.1} points [{:+.1}, {:+.1}]", 100.0 * e.value, 100.0 * e.low, 100.0 * e.high),
        None => "n/a".to_owned(),
    }
}

/// The estimates as a plain-text table.
pub fn table(experiments: &[ExperimentEstimates]) -> String {
    let mut out = String::new();
    for e in experiments {
        let eps: Vec<String> = e.epsilons.iter().map(f64::to_string).collect();
        let name = e.experiment.as_deref().unwrap_or("(no experiment)");
        let _ = writeln!(out, "experiment {name}: days {} to {}, ε {} per device-day", e.days.0, e.days.1, eps.join(", "));
        for a in &e.arms {
            arm_table(&mut out, a);
        }
        for l in &e.lift {
            let relative = l.conversion_relative.map_or_else(
                || "n/a (control's conversion interval reaches 0)".to_owned(),
                |r| format!("{:+.0}% [{:+.0}%, {:+.0}%]", 100.0 * r.value, 100.0 * r.low, 100.0 * r.high),
            );
            let _ = writeln!(out, "  lift of {} over control", l.arm);
            let _ = writeln!(out, "    conversion          {}, relative {relative}", points(l.conversion_difference));
            let _ = writeln!(out, "    shelf clicks        {}", points(l.shelf_clicks_difference));
        }
    }
    out
}

fn arm_table(out: &mut String, a: &ArmEstimates) {
    let q = a.per_question;
    let _ = writeln!(
        out,
        "  arm {}: {} device-days (exact; answers: purchased {}, order-value {}, order-shelf {}, clicked-shelf {})",
        a.arm, a.device_days, q[0], q[1], q[2], q[3]
    );
    let _ = writeln!(out, "    conversion rate     {}", percent(a.conversion));
    let _ = writeln!(out, "    clicked a shelf     {}", percent(a.shelf_clicks));
    let _ = writeln!(out, "    order value (share of orders)");
    for s in &a.order_value {
        let _ = writeln!(out, "      {:<22}{}", s.name, percent(s.estimate));
    }
    let _ = writeln!(out, "    orders via (share of orders; share of device-days)");
    for (s, d) in a.order_shelf.iter().zip(&a.order_shelf_per_day) {
        let _ = writeln!(out, "      {:<22}{}   {}", s.name, percent(s.estimate), percent(d.estimate));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measurement::Answer;

    fn report(arm: &str, question: Question, answer: Answer) -> DailyReport {
        DailyReport { schema: 1, day: "2027-01-15".into(), experiment: Some("x".into()), arm: arm.into(), epsilon: 1.0, question, answer }
    }

    #[test]
    fn reports_are_grouped_by_arm_with_lift_over_control() {
        let mut reports = Vec::new();
        for i in 0..40u32 {
            reports.push(report("control", Question::Purchased, Answer::Index(u32::from(i % 4 == 0))));
            reports.push(report("personalized", Question::Purchased, Answer::Index(u32::from(i % 2 == 0))));
            reports.push(report("personalized", Question::ClickedShelf, Answer::Index(1)));
        }
        let e = analyse(&reports, &ValueBuckets::default());
        assert_eq!(e.len(), 1);
        let arms: Vec<(&str, u64)> = e[0].arms.iter().map(|a| (a.arm.as_str(), a.device_days)).collect();
        assert_eq!(arms, [("control", 40), ("personalized", 80)]);
        // Debiased: (share of "yes" − q) / (p − q) with p = e/(e+1), q = 1/(e+1).
        let (p, q) = (1f64.exp() / (1f64.exp() + 1.0), 1.0 / (1f64.exp() + 1.0));
        let control = e[0].arms[0].conversion.unwrap();
        assert!((control.value - (0.25 - q) / (p - q)).abs() < 1e-9, "{control:?}");
        assert_eq!(e[0].lift.len(), 1);
        let diff = e[0].lift[0].conversion_difference.unwrap();
        assert!((diff.value - 0.25 / (p - q)).abs() < 1e-9);
        assert!(e[0].arms[0].shelf_clicks.is_none(), "control sent no click answers");
        let text = table(&e);
        assert!(text.contains("arm control: 40 device-days"), "{text}");
        assert!(text.contains("lift of personalized over control"), "{text}");
    }
}
