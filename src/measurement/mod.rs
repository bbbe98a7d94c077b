//! Private measurement of what shelves earn: the device's records and last-touch attribution,
//! experiments, the ε-locally-differentially-private daily report and the estimator that
//! debiases the reports. The wasm core runs the device side and the CLI (`shelfwise report`,
//! `report simulate`) the same code, so what is simulated is what ships. See
//! `docs/MEASUREMENT.md`.

pub mod error;
pub mod estimate;
pub mod experiment;
pub mod question;
pub mod randomize;
pub mod records;
pub mod report;

pub use error::MeasurementError;
pub use estimate::{Estimate, MeanEstimator, RatioEstimator};
pub use experiment::{DeviceSecret, Experiment, SystemCoins, CONTROL_ARM};
pub use question::{order_shelf_slot, Question, ValueBuckets, ORDER_SHELF_KINDS};
pub use randomize::{debias, randomize, Answer, Coins, Mechanism};
pub use records::{attribute, DayAnswers, MeasurementRecord, MeasurementSummary, RecordKind};
pub use report::{DailyReport, ReportSettings, SCHEMA_VERSION};
