//! The daily report: what a device sends, how it is made and how a collector checks it.
//!
//! Schema 1, one JSON object (`experiment` is left out when the shop runs none):
//!
//! ```json
//! {"schema":1,"day":"2027-01-15","experiment":"shelves-2027-01","arm":"control","epsilon":1,"question":"order-shelf","answer":[0,1,0,0,1,0,0,0,0,0,0,0]}
//! ```
//!
//! | field | meaning |
//! |---|---|
//! | `schema` | 1 |
//! | `day` | the UTC day the answer is about, `YYYY-MM-DD` |
//! | `experiment`, `arm` | the shop's experiment name and the device's arm (`all` without one) |
//! | `epsilon` | the ε of this report, the device's whole budget for the day ([`MIN_EPSILON`]–[`MAX_EPSILON`]) |
//! | `question` | which of the four questions ([`Question`]) this report answers, drawn uniformly on the device |
//! | `answer` | the randomized answer: an index (k-RR) or one 0/1 per category (OUE), [`super::randomize()`] |

use serde::{Deserialize, Serialize};

use super::error::MeasurementError;
use super::question::{Question, ValueBuckets};
use super::randomize::{check_answer, randomize, Answer, Coins};
use super::records::{DayAnswers, DAY_MS};

/// The report schema this code writes and reads.
pub const SCHEMA_VERSION: u32 = 1;
/// The smallest ε a report may use.
pub const MIN_EPSILON: f64 = 0.1;
/// The largest ε a report may use (beyond it randomized response hides little).
pub const MAX_EPSILON: f64 = 4.0;
/// The arm of a device when the shop runs no experiment.
pub const NO_EXPERIMENT_ARM: &str = "all";
/// Longest experiment or arm name.
pub const MAX_NAME_CHARS: usize = 64;

/// One device's report about one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DailyReport {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The UTC day answered about, `YYYY-MM-DD`.
    pub day: String,
    /// The experiment's name, if the shop runs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<String>,
    /// The device's arm ([`NO_EXPERIMENT_ARM`] without an experiment).
    pub arm: String,
    /// The ε of the randomization.
    pub epsilon: f64,
    /// The question answered.
    pub question: Question,
    /// The randomized answer.
    pub answer: Answer,
}

/// What a device needs to make its report, besides its records.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSettings {
    /// The day's whole privacy budget, spent on the one question answered.
    pub epsilon: f64,
    /// The experiment's name, if any.
    pub experiment: Option<String>,
    /// The device's arm.
    pub arm: String,
    /// The order-value buckets.
    pub buckets: ValueBuckets,
}

/// The report settings as the shell passes them (JS object, camelCase).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportRequest {
    /// The day's budget.
    pub epsilon: f64,
    /// The experiment's name, if any.
    #[serde(default)]
    pub experiment: Option<String>,
    /// The device's arm.
    pub arm: String,
    /// The four order-value edges (default 10, 25, 50, 100).
    #[serde(default)]
    pub value_buckets: Option<Vec<f64>>,
    /// The attribution window in days (default 7).
    #[serde(default)]
    pub window_days: Option<u32>,
}

impl ReportRequest {
    /// The checked settings.
    pub fn settings(&self) -> Result<ReportSettings, MeasurementError> {
        check_epsilon(self.epsilon)?;
        let buckets = self.value_buckets.as_deref().map(ValueBuckets::new).transpose()?.unwrap_or_default();
        Ok(ReportSettings { epsilon: self.epsilon, experiment: self.experiment.clone(), arm: self.arm.clone(), buckets })
    }
}

impl DailyReport {
    /// The report about the day starting at `day_start_ms` (UTC midnight) with the true
    /// `answers`: one question drawn uniformly, answered with its mechanism at the full ε.
    pub fn randomized(
        answers: &DayAnswers,
        day_start_ms: i64,
        settings: &ReportSettings,
        coins: &mut dyn Coins,
    ) -> Result<DailyReport, MeasurementError> {
        check_epsilon(settings.epsilon)?;
        let question = Question::ALL[coins.below(Question::ALL.len() as u32)? as usize];
        let k = question.category_count();
        let answer = randomize(answers.truth(question, &settings.buckets), k, settings.epsilon, coins)?;
        Ok(DailyReport {
            schema: SCHEMA_VERSION,
            day: format_day(day_start_ms.div_euclid(DAY_MS)),
            experiment: settings.experiment.clone(),
            arm: settings.arm.clone(),
            epsilon: settings.epsilon,
            question,
            answer,
        })
    }

    /// Checks every field (the schema, the day, the names, ε and the answer's shape).
    pub fn validate(&self) -> Result<(), MeasurementError> {
        if self.schema != SCHEMA_VERSION {
            return Err(MeasurementError::UnsupportedSchema { found: self.schema.to_string(), supported: SCHEMA_VERSION });
        }
        parse_day(&self.day)?;
        if let Some(name) = &self.experiment {
            check_name(name).map_err(|detail| MeasurementError::InvalidReport { field: "experiment", detail })?;
        }
        check_name(&self.arm).map_err(|detail| MeasurementError::InvalidReport { field: "arm", detail })?;
        check_epsilon(self.epsilon).map_err(|_| MeasurementError::InvalidReport {
            field: "epsilon",
            detail: format!("{} is not in [{MIN_EPSILON}, {MAX_EPSILON}]", self.epsilon),
        })?;
        check_answer(&self.answer, self.question.category_count(), self.epsilon)
            .map_err(|detail| MeasurementError::InvalidReport { field: "answer", detail: format!("{}: {detail}", self.question.as_str()) })
    }
}

/// ε must be finite and in [`MIN_EPSILON`, `MAX_EPSILON`].
pub fn check_epsilon(epsilon: f64) -> Result<(), MeasurementError> {
    if (MIN_EPSILON..=MAX_EPSILON).contains(&epsilon) {
        Ok(())
    } else {
        Err(MeasurementError::InvalidSetting { name: "epsilon", detail: format!("{epsilon} is not in [{MIN_EPSILON}, {MAX_EPSILON}]") })
    }
}

/// An experiment or arm name: 1 to [`MAX_NAME_CHARS`] ASCII letters, digits, `.`, `_`, `-`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty() && name.len() <= MAX_NAME_CHARS && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("{name:?} must be 1 to {MAX_NAME_CHARS} ASCII letters, digits, '.', '_' or '-'"))
    }
}

/// `YYYY-MM-DD` of the day `days` after 1970-01-01 (proleptic Gregorian; H. Hinnant's
/// civil-from-days).
pub fn format_day(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number (days since 1970-01-01) of a `YYYY-MM-DD` date from 2000 to 2999.
pub fn parse_day(text: &str) -> Result<i64, MeasurementError> {
    let bad = || MeasurementError::InvalidReport { field: "day", detail: format!("{text:?} is not a date YYYY-MM-DD from 2000 to 2999") };
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |s: &str| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<i64>().ok()).flatten();
    let (y, m, d) = (num(&text[..4]).ok_or_else(bad)?, num(&text[5..7]).ok_or_else(bad)?, num(&text[8..]).ok_or_else(bad)?);
    if !(2000..=2999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    // Days from civil (the inverse of format_day); a date like 02-30 does not round-trip.
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    if format_day(days) != text {
        return Err(bad());
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::SplitMix64;

    #[test]
    fn days_format_and_parse_both_ways() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(19_737), "2024-01-15");
        assert_eq!(parse_day("2024-01-15").unwrap(), 19_737);
        assert_eq!(parse_day("2024-02-29").map(format_day).unwrap(), "2024-02-29");
        for bad in ["2023-02-29", "2024-13-01", "24-01-15", "2024-1-15x", "1999-12-31", "2024-01-1a"] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }

    fn settings() -> ReportSettings {
        ReportSettings { epsilon: 1.0, experiment: Some("shelves-2027-01".into()), arm: "control".into(), buckets: ValueBuckets::default() }
    }

    #[test]
    fn a_randomized_report_is_valid_and_asks_each_question() {
        let answers = DayAnswers { order_value: 30.0, purchased: true, order_shelf: None, clicked_shelf: true };
        let mut coins = SplitMix64::new(3);
        let mut asked = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let report = DailyReport::randomized(&answers, 19_737 * DAY_MS + 5, &settings(), &mut coins).unwrap();
            report.validate().unwrap();
            assert_eq!(report.day, "2024-01-15");
            asked.insert(report.question);
        }
        assert_eq!(asked.len(), 4);
    }

    #[test]
    fn invalid_reports_name_their_field() {
        let answers = DayAnswers { order_value: 0.0, purchased: false, order_shelf: None, clicked_shelf: false };
        let good = DailyReport::randomized(&answers, 19_737 * DAY_MS, &settings(), &mut SplitMix64::new(1)).unwrap();
        good.validate().unwrap();
        let field = |r: DailyReport| match r.validate() {
            Err(MeasurementError::InvalidReport { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(DailyReport { day: "2024-02-30".into(), ..good.clone() }), "day");
        assert_eq!(field(DailyReport { arm: "a b".into(), ..good.clone() }), "arm");
        assert_eq!(field(DailyReport { experiment: Some(String::new()), ..good.clone() }), "experiment");
        assert_eq!(field(DailyReport { epsilon: 9.0, ..good.clone() }), "epsilon");
        assert_eq!(field(DailyReport { question: Question::OrderShelf, answer: Answer::Index(1), ..good.clone() }), "answer");
        assert!(matches!(DailyReport { schema: 2, ..good }.validate(), Err(MeasurementError::UnsupportedSchema { .. })));
        assert!(DailyReport::randomized(&answers, 0, &ReportSettings { epsilon: 0.0, ..settings() }, &mut SplitMix64::new(1)).is_err());
    }
}
