//! The flag groups two commands share: the model's settings (`build`, `eval`) and how the
//! inputs are read (`build`, `eval`, `forecast`), with their parsers and the build clock.

use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;

use shelfwise::build::assemble::BuildConfig;
use shelfwise::build::ease::DEFAULT_LAMBDA;
use shelfwise::build::neighbours::NeighbourModel;
use shelfwise::build::read::{parse_share, parse_time_arg};

/// The embedding model's settings, shared by `build` and `eval`.
#[derive(Args, Clone, Copy)]
pub struct ModelArgs {
    /// Embedding dimension.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub dim: u32,
    /// ALS iterations.
    #[arg(long, default_value_t = 12)]
    pub iterations: usize,
    /// Random seed of the model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Item-to-item neighbours kept per item (with `build --neighbours-file`, the best of the
    /// imported ones).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub neighbours: u16,
    /// Shrinkage of the neighbour cosine (damps pairs seen by few shoppers).
    #[arg(long, default_value_t = 1.0)]
    pub neighbour_shrink: f32,
    /// What writes the neighbour lists: cosine (item-kNN), ease (dense EASE up to 12,000
    /// items, candidate-restricted above), ease-dense or ease-local. EASE measured better on
    /// the purchase-only shared data (docs/QUALITY.md); cosine stays the default because EASE
    /// lists let popular items of other categories into the demo shop's session shelves.
    #[arg(long, default_value = "cosine", value_parser = parse_neighbour_model)]
    pub neighbour_model: NeighbourModel,
    /// EASE's ridge strength λ (neighbour model ease*; the eval baselines too).
    #[arg(long, default_value_t = DEFAULT_LAMBDA, value_parser = parse_lambda)]
    pub ease_lambda: f64,
}

fn parse_neighbour_model(s: &str) -> Result<NeighbourModel, String> {
    NeighbourModel::parse(s).ok_or_else(|| format!("{s:?} is not a neighbour model: use cosine, ease, ease-dense or ease-local"))
}

/// A strictly positive, finite number (EASE's λ).
pub fn parse_lambda(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("{s:?} is not a positive number")),
    }
}

impl ModelArgs {
    /// A build configuration with these model settings, stamped `built_at_ms`.
    pub fn build_config(self, built_at_ms: i64) -> BuildConfig {
        let mut config = BuildConfig { built_at_ms, ..BuildConfig::default() };
        config.als.factors = self.dim as usize;
        config.als.iterations = self.iterations;
        config.als.seed = self.seed;
        config.neighbours.k = usize::from(self.neighbours);
        config.neighbours.shrink = self.neighbour_shrink;
        config.neighbours.model = self.neighbour_model;
        config.neighbours.ease_lambda = self.ease_lambda;
        config
    }
}

/// How the inputs are read, shared by `build` and `eval`.
#[derive(Args, Clone, Copy)]
pub struct InputArgs {
    /// The build time (RFC 3339 or ms since 1970): events dated after it are dropped and
    /// reported; `build` stamps it into the pack [default: $SOURCE_DATE_EPOCH, else the clock].
    #[arg(long, value_name = "TIME", value_parser = parse_time_arg)]
    pub now: Option<i64>,
    /// Fail when more than this share of the events' or the catalog's rows is skipped as bad
    /// (0 to 1, or a percentage such as 5%).
    #[arg(long, value_name = "SHARE", default_value = "0.05", value_parser = parse_share)]
    pub max_skipped: f64,
}

impl InputArgs {
    /// `--now`, else [`now_ms`].
    pub fn build_time_ms(self) -> i64 {
        self.now.unwrap_or_else(now_ms)
    }
}

/// Now in ms since 1970: `$SOURCE_DATE_EPOCH` (seconds) when set, for reproducible builds.
pub fn now_ms() -> i64 {
    if let Some(epoch) = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse::<i64>().ok()) {
        return epoch * 1000;
    }
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
