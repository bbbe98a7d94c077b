//! Readers for the builder's inputs, each reporting bad rows by file, line and field.
//!
//! * events as canonical JSONL ([`read_events_jsonl`]), the Online Retail CSV
//!   ([`read_online_retail`], detected by its header) or Parquet ([`read_events_parquet`]: a
//!   file or a folder of part files, streamed row group by row group into an [`EventSink`]);
//! * a catalog as CSV or JSONL ([`read_catalog`]).
//!
//! Every input is read as a stream with bounded lines ([`lines`]: [`MAX_LINE_BYTES`]), and
//! rows are numbered with the file's own lines whatever the line endings. A bad row (not
//! UTF-8, a bad field, an event dated after the build) is skipped and counted in the
//! [`ReadReport`] with its line number; what looks wrong in a kept row is a [`Warning`]; a
//! problem that makes the whole input unusable (cannot open, a line too long, no header, a
//! required column missing or one named twice, nothing usable, too many rows lost) is a
//! [`ReadError`]. Formats and limits: `docs/INPUT_FORMATS.md`.

pub mod catalog;
pub mod csv_rows;
pub mod error;
pub mod events;
pub mod events_parquet;
pub mod lines;
pub mod problems;
pub mod retail;
pub mod text;
pub mod timestamp;

pub use catalog::{read_catalog, CATALOG_COLUMNS};
pub use error::ReadError;
pub use events::{detect_events_format, read_events_jsonl, EventsFormat, AFTER_BUILD_TIME, EVENT_FIELDS};
pub use events_parquet::{index_parquet_events, read_events_parquet, EventRow, EventSink};
pub use lines::{LineSource, LineTooLong, MAX_LINE_BYTES};
pub use problems::{parse_share, Problem, ReadReport, RowError, Warning, DEFAULT_MAX_SKIPPED, MAX_LISTED_PROBLEMS};
pub use retail::{infer_category, read_online_retail, RetailData};
pub use text::echo;
pub use timestamp::{format_ms, parse_time_arg, parse_timestamp, parse_timestamp_str};
