//! Progress on stderr: spinners for steps of unknown length and a bar over training
//! iterations (indicatif draws them only when stderr is a terminal).

use std::borrow::Cow;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner on stderr for a step of unknown length (drawn only when stderr is a terminal).
pub fn spinner(message: impl Into<Cow<'static, str>>) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(message);
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A progress bar over the ALS iterations.
pub fn training_bar(iterations: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(iterations as u64).with_message(message);
    bar.set_style(ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar
}
