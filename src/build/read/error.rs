//! [`ReadError`]: the input problems that stop a build, each naming the file and, where there is
//! one, the line.

use std::path::PathBuf;

use thiserror::Error;

use super::lines::LineTooLong;
use crate::build::parquet_columns::ParquetFileError;

/// A fatal input problem.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A line (or a CSV record) is longer than the readers accept.
    #[error("{path}: {too_long}")]
    TooLong {
        /// File.
        path: PathBuf,
        /// Which line, and the limit.
        too_long: LineTooLong,
    },
    /// The CSV header lacks a required column.
    #[error("{path}: line 1: missing required column {column:?} (found: {found}){suggestion}")]
    MissingColumn {
        /// File.
        path: PathBuf,
        /// Column name.
        column: &'static str,
        /// Columns present.
        found: String,
        /// `; did you mean "…"?` when a present column is close to it, else empty.
        suggestion: String,
    },
    /// Two CSV header columns have the same name.
    #[error("{path}: line 1: column {name:?} appears twice (columns {first} and {second}); rename or remove one")]
    DuplicateColumn {
        /// File.
        path: PathBuf,
        /// The repeated name.
        name: String,
        /// Its first column (1-based).
        first: usize,
        /// Its second column (1-based).
        second: usize,
    },
    /// Nothing usable was read.
    #[error("{path}: no usable {what} ({skipped} rows skipped; first problem: {first}){hint}")]
    Empty {
        /// File.
        path: PathBuf,
        /// "events" or "catalog items".
        what: &'static str,
        /// Rows skipped.
        skipped: u64,
        /// The first problem, or "the file has no data rows".
        first: String,
        /// Advice for the whole file (see [`super::ReadReport::hint`]), or empty.
        hint: String,
    },
    /// Too large a share of the rows was skipped as bad.
    #[error(
        "{path}: {lost} of {rows} rows skipped ({:.1}%), more than the {:.1}% that --max-skipped allows; first problem: {first}{hint}",
        100.0 * *.lost as f64 / *.rows as f64,
        100.0 * .max_share
    )]
    TooManySkipped {
        /// File.
        path: PathBuf,
        /// Rows skipped.
        lost: u64,
        /// Data rows in the file.
        rows: u64,
        /// The share allowed (0 to 1).
        max_share: f64,
        /// The first problem.
        first: String,
        /// Advice for the whole file, or empty.
        hint: String,
    },
    /// The CSV could not be parsed at all.
    #[error("{path}: line {line}: {message}")]
    Malformed {
        /// File.
        path: PathBuf,
        /// Line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A file of Parquet events that is not Parquet, or is cut short.
    #[error("{path}: not a readable Parquet file: {message}")]
    NotParquet {
        /// File.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },
    /// A column of Parquet events is missing or of a type the reader does not take, or a
    /// column chunk cannot be decoded (corrupt data, an unsupported codec): the error every
    /// Parquet reader of the builder gives.
    #[error(transparent)]
    Parquet(#[from] ParquetFileError),
    /// A folder given as Parquet events holds no part file.
    #[error("{path}: no Parquet part files in this folder ({found}); expected files named *.parquet, as Spark writes them")]
    NoPartFiles {
        /// The folder.
        path: PathBuf,
        /// What the folder holds instead ("it is empty", or some of its names).
        found: String,
    },
}
