//! The shop's side of private measurement (feature `cli`): reading the collected daily reports,
//! debiasing them into per-arm estimates with 95% intervals (text, JSON, an HTML page with
//! charts), the reference collector and the simulation that checks the estimator. The
//! randomizers and estimators themselves are [`crate::measurement`]'s, the code the device runs.
//!
//! * [`read`]: one report line parsed and checked (schema first), a file of them with
//!   per-line problems;
//! * [`analysis`]: the estimates per experiment and arm, lift over control;
//! * [`html`]: the analysis as a self-contained page with inline SVG charts;
//! * [`simulate`]: devices with known true rates through the shipped report code;
//! * [`collect`]: the HTTP collector (`shelfwise collect`).

pub mod analysis;
pub mod collect;
pub mod html;
pub mod read;
pub mod simulate;
