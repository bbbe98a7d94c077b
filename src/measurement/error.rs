//! [`MeasurementError`]: what can go wrong when recording, randomizing, validating or reading
//! measurement reports, each naming the field and what is wrong with it.

use thiserror::Error;

/// A measurement input, configuration or report that cannot be used.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum MeasurementError {
    /// A report's `schema` is not the one this code reads.
    #[error("report schema {found} is not supported: this reader accepts schema {supported}")]
    UnsupportedSchema {
        /// The schema number in the report.
        found: String,
        /// The schema this code reads.
        supported: u32,
    },
    /// A report is well-formed JSON but a field is missing, unknown or out of range.
    #[error("invalid report: {field}: {detail}")]
    InvalidReport {
        /// The field (`day`, `answer` …).
        field: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A measurement record (impression, shelf click, purchase) is malformed.
    #[error("invalid measurement record {index}: {detail}")]
    InvalidRecord {
        /// Its position in the list given.
        index: usize,
        /// What is wrong with it.
        detail: String,
    },
    /// The shop's experiment or reporting settings cannot be used.
    #[error("invalid {name}: {detail}")]
    InvalidSetting {
        /// Which setting (`experiment.arms`, `reporting.epsilon` …).
        name: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The system's cryptographic random source failed.
    #[error("no cryptographic randomness available: {detail}")]
    RandomnessUnavailable {
        /// The source's message.
        detail: String,
    },
}

impl MeasurementError {
    /// A stable, machine-readable name for the error.
    pub fn kind(&self) -> &'static str {
        match self {
            MeasurementError::UnsupportedSchema { .. } => "unsupported_schema",
            MeasurementError::InvalidReport { .. } => "invalid_report",
            MeasurementError::InvalidRecord { .. } | MeasurementError::InvalidSetting { .. } => "invalid_argument",
            MeasurementError::RandomnessUnavailable { .. } => "random_unavailable",
        }
    }
}
