//! [`CliError`]: why a command failed, one enum for the whole CLI. Each variant names the file
//! (and the line, where the library's error has one) or the flag at fault; `main` prints it
//! after `error: ` and exits with status 1.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

use shelfwise::build::assemble::BuildError;
use shelfwise::build::eval::EvalError;
use shelfwise::build::eval_export::ExportError;
use shelfwise::build::file_error::FileError;
use shelfwise::build::forecast::evaluate::EvaluateError;
use shelfwise::build::forecast::ForecastError;
use shelfwise::build::image_vectors::ImageVectorsError;
use shelfwise::build::neighbours_file::NeighboursFileError;
use shelfwise::build::pack_file::{PackFileError, PackFileProblem};
use shelfwise::build::read::ReadError;
use shelfwise::build::recommend::RecommendError;
use shelfwise::build::rules::RulesFileError;
use shelfwise::build::vectors::VectorsError;
use shelfwise::error::CoreError;
use shelfwise::measurement::MeasurementError;
use shelfwise::pack::PackError;
use shelfwise::reports::collect::CollectError;

/// Why a `shelfwise` command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// A file or folder could not be read, written or created.
    #[error(transparent)]
    File(#[from] FileError),
    /// Stdout failed for another reason than a closed pipe.
    #[error("cannot write to stdout: {0}")]
    Stdout(io::Error),
    /// A flag's value is not usable.
    #[error("{flag}: {message}")]
    Flag {
        /// The flag, e.g. `--as-of`.
        flag: &'static str,
        /// What is wrong with its value.
        message: String,
    },
    /// `--value-buckets` are not four increasing positive edges.
    #[error("--value-buckets: {0}")]
    ValueBuckets(MeasurementError),
    /// JSONL events were given without `--catalog`.
    #[error("{}: JSONL events need a catalog: pass --catalog FILE (CSV or JSONL with id,title,price,…)", .0.display())]
    NeedsCatalog(PathBuf),
    /// A sharded pack's `--out` is an existing file.
    #[error("{}: is a file; a sharded pack is written as a folder{hint}", path.display())]
    OutIsFile {
        /// The `--out` path.
        path: PathBuf,
        /// What to do instead, or empty.
        hint: &'static str,
    },
    /// A pack file that could not be read or is not a pack.
    #[error(transparent)]
    PackFile(#[from] PackFileError),
    /// A pack that does not open, or cannot be split into shards.
    #[error("{}: {source}", path.display())]
    Pack {
        /// The pack file (or, for a pack being built, where it goes).
        path: PathBuf,
        /// What is wrong.
        source: PackError,
    },
    /// The engine cannot open the pack just written, or cannot rank its static shelves.
    #[error("static shelves: {0}")]
    StaticShelves(CoreError),
    /// The pack `build` has just encoded does not open again (a builder bug).
    #[error("the pack just written does not open: {0}")]
    JustWritten(PackError),
    /// `recommend`'s pack is not one the engine can rank with.
    #[error("{}: not a usable pack: {problem}", path.display())]
    UnusablePack {
        /// The pack file.
        path: PathBuf,
        /// What is wrong: the file's or the engine's problem with it.
        problem: Unusable,
    },
    /// `recommend`'s shelf, K or options do not make a request this pack can serve.
    #[error("recommend: {0}")]
    Request(CoreError),
    /// No forecasting method has this name.
    #[error("no forecasting method named {0:?}")]
    UnknownMethod(String),
    /// `forecast --evaluate` could not evaluate a split.
    #[error("split {date}: {source}")]
    ForecastSplit {
        /// The `--split-date`.
        date: String,
        /// Why.
        source: EvaluateError,
    },
    /// `report` without `--in`.
    #[error("report: pass the report files with --in FILE (or run `shelfwise report simulate`)")]
    NoReports,
    /// `report simulate` produced no report to estimate from.
    #[error("no reports were simulated")]
    NothingSimulated,
    /// A JSON file that does not parse as what it should hold (`--grid-spec`).
    #[error("{}: not a {what}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What it should hold.
        what: &'static str,
        /// The parser's message (with line and column).
        source: serde_json::Error,
    },
    /// A result that could not be turned into JSON for this file.
    #[error("{}: {source}", path.display())]
    ToJson {
        /// The file being written.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// A CSV file that could not be written.
    #[error("{}: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// Why.
        source: csv::Error,
    },
    /// An input file with a fatal problem (the error names file and line).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// An imported vectors file that cannot be used.
    #[error(transparent)]
    Vectors(#[from] VectorsError),
    /// An imported neighbours file that cannot be used (the error names the file and column).
    #[error(transparent)]
    NeighboursFile(#[from] NeighboursFileError),
    /// An image vectors file that cannot be used (the error names the file and line).
    #[error(transparent)]
    ImageVectors(#[from] ImageVectorsError),
    /// A rules file that cannot be used.
    #[error(transparent)]
    Rules(#[from] RulesFileError),
    /// The model could not be built from these inputs.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// An evaluation that could not be run.
    #[error(transparent)]
    Eval(#[from] EvalError),
    /// `eval --export` failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A forecast that could not be made.
    #[error(transparent)]
    Forecast(#[from] ForecastError),
    /// `recommend` stopped (its input could not be read or the output written).
    #[error(transparent)]
    Recommend(#[from] RecommendError),
    /// Measurement settings or a simulation that cannot be used.
    #[error(transparent)]
    Measurement(#[from] MeasurementError),
    /// The collector could not start.
    #[error(transparent)]
    Collect(#[from] CollectError),
}

/// Why `recommend`'s pack is not usable.
#[derive(Debug, Error)]
pub enum Unusable {
    /// The file is not a pack (or too large for one).
    #[error(transparent)]
    File(PackFileProblem),
    /// The engine refused it.
    #[error(transparent)]
    Engine(CoreError),
}
