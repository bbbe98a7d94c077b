//! Events as Parquet ([`read_events_parquet`]): one file, or a folder of part files as Spark and
//! warehouses write them (`part-00000-….snappy.parquet`, read in name order; `_SUCCESS`,
//! `*.crc` and names starting with `.` or `_` are not part files).
//!
//! The columns are named like the JSONL fields ([`EVENT_FIELDS`]): `shopper`, `item`, `type` and
//! `ts` are required; `qty`, `price`, `basket` and `query` may be absent. Ids are strings or
//! integers; `ts` is an `int64` TIMESTAMP (millis, micros or nanos), an `int96` (Spark's default),
//! a plain `int64` of milliseconds or an RFC 3339 string. Other columns are ignored (said once
//! in the report). A column missing or of another type is a [`ParquetFileError::Column`]; a row
//! whose values JSONL would refuse is skipped and reported with its part file, row group and row.
//!
//! The rows are read one row group at a time with the column reader
//! ([`crate::build::parquet_columns`]) and handed to an [`EventSink`] without being kept:
//! [`EventIndexer`] interns them straight into the compact indexed form (`build`), a
//! `Vec<RawEvent>` keeps them whole (`eval` and the other commands).

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use parquet::basic::{LogicalType, TimeUnit, Type as PhysicalType};
use parquet::errors::ParquetError;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::ColumnDescPtr;
use serde_json::Value;

use super::error::ReadError;
use super::events::{unknown_type, AFTER_BUILD_TIME, EVENT_FIELDS};
use super::problems::{ReadReport, RowError};
use super::text::{did_you_mean, echo, utf8};
use super::timestamp::{check_not_after, check_not_seconds, format_ms, parse_timestamp_str};
use crate::build::history::{EventFields, EventIndexer, IndexedEvents};
use crate::build::input::{CatalogItem, RawEvent};
use crate::build::parquet_columns::{
    decode_message, flat_rows, guarded, read_chunk, row_place, type_name, Chunk, Leaves, ParquetFileError, Values,
};
use crate::event::EventKind;

/// The magic bytes a Parquet file starts (and ends) with.
pub const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

/// Whether `path` holds Parquet events: a folder, a `.parquet` name, or the `PAR1` magic.
pub fn is_parquet(path: &Path) -> bool {
    if path.is_dir() || has_parquet_name(path) {
        return true;
    }
    let mut magic = [0u8; 4];
    File::open(path).and_then(|mut f| f.read_exact(&mut magic)).is_ok() && &magic == PARQUET_MAGIC
}

fn has_parquet_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("parq"))
}

/// The Parquet files of `path`: itself, or a folder's part files in name order.
pub fn part_files(path: &Path) -> Result<Vec<PathBuf>, ReadError> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let mut names = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        names.push(entry.map_err(io)?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let is_part = |name: &String| {
        let file = path.join(name);
        !name.starts_with(['.', '_']) && !name.ends_with(".crc") && file.is_file() && is_parquet(&file)
    };
    let parts: Vec<PathBuf> = names.iter().filter(|n| is_part(n)).map(|n| path.join(n)).collect();
    if parts.is_empty() {
        let found = match names.len() {
            0 => "it is empty".to_owned(),
            n => format!("it holds {n}: {}", names.iter().take(5).map(|n| echo(n)).collect::<Vec<_>>().join(", ")),
        };
        return Err(ReadError::NoPartFiles { path: path.to_owned(), found });
    }
    Ok(parts)
}

/// One event row as read from a Parquet file, its strings borrowed from the column chunk.
#[derive(Debug, Clone)]
pub struct EventRow<'a> {
    /// Shopper id.
    pub shopper: Cow<'a, str>,
    /// Item id (empty when null).
    pub item: Cow<'a, str>,
    /// What happened.
    pub kind: EventKind,
    /// Milliseconds since the Unix epoch.
    pub ts_ms: i64,
    /// Quantity (1 when null or absent).
    pub qty: u32,
    /// Unit price paid.
    pub price: Option<f32>,
    /// Basket / invoice id.
    pub basket: Option<Cow<'a, str>>,
    /// Search text.
    pub query: Option<Cow<'a, str>>,
}

/// Where [`read_events_parquet`] puts the rows it keeps.
pub trait EventSink {
    /// Takes one good row.
    fn push(&mut self, row: &EventRow<'_>);

    /// Told once, before the first row, how many rows the files hold (good and bad).
    fn reserve(&mut self, _rows: usize) {}
}

impl EventSink for Vec<RawEvent> {
    fn push(&mut self, row: &EventRow<'_>) {
        self.push(RawEvent {
            shopper: row.shopper.clone().into_owned(),
            item: row.item.clone().into_owned(),
            kind: row.kind,
            ts_ms: row.ts_ms,
            qty: row.qty,
            price: row.price,
            basket: row.basket.clone().map(Cow::into_owned),
            query: row.query.clone().map(Cow::into_owned),
        });
    }

    fn reserve(&mut self, rows: usize) {
        Vec::reserve_exact(self, rows);
    }
}

impl EventSink for EventIndexer<'_> {
    fn push(&mut self, row: &EventRow<'_>) {
        let (shopper, item, kind, ts_ms, qty) = (row.shopper.as_ref(), row.item.as_ref(), row.kind, row.ts_ms, row.qty);
        EventIndexer::push(self, &EventFields { shopper, item, kind, ts_ms, qty, basket: row.basket.as_deref() });
    }

    fn reserve(&mut self, rows: usize) {
        EventIndexer::reserve(self, rows);
    }
}

/// Reads Parquet events at `path` (a file or a folder of part files) into `sink`, skipping and
/// reporting bad rows (a time after `build_time_ms` among them). The report names `path`.
pub fn read_events_parquet(path: &Path, build_time_ms: i64, sink: &mut dyn EventSink) -> Result<ReadReport, ReadError> {
    let mut report = ReadReport::new(path);
    let folder = path.is_dir();
    let parts = part_files(path)?;
    // The footers give the row count, so the events are stored without growing (and copying)
    // as they come; each file is opened again to be read (a folder may hold thousands).
    let mut rows = 0i64;
    for part in &parts {
        rows += open_parquet(part)?.metadata().file_metadata().num_rows();
    }
    sink.reserve(usize::try_from(rows).unwrap_or(0));
    for part in &parts {
        let name = part.file_name().map(|n| n.to_string_lossy().into_owned());
        let mut file = PartFile { path: part, name: if folder { name } else { None }, build_time_ms, report: &mut report };
        file.read(&open_parquet(part)?, sink)?;
    }
    if report.used == 0 {
        return Err(report.empty_error("events"));
    }
    Ok(report)
}

/// Reads Parquet events at `path` straight into events indexed against `catalog` (in pack
/// order, [`crate::build::assemble::pack_order`]), as `build` does: the strings of the events
/// are never all in memory.
pub fn index_parquet_events(path: &Path, catalog: &[&CatalogItem], build_time_ms: i64) -> Result<(IndexedEvents, ReadReport), ReadError> {
    let mut indexer = EventIndexer::new(catalog);
    let report = read_events_parquet(path, build_time_ms, &mut indexer)?;
    Ok((indexer.finish(), report))
}

/// Opens `path` as a Parquet file, its footer read.
fn open_parquet(path: &Path) -> Result<SerializedFileReader<File>, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
    guarded(|| SerializedFileReader::new(file)).map_err(|e| ReadError::NotParquet { path: path.to_owned(), message: e.to_string() })
}

/// How the `ts` column holds times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TsEncoding {
    /// `int64` with a TIMESTAMP logical type: this many units per millisecond.
    Timestamp(i64),
    /// `int96`, as Spark writes timestamps by default.
    Int96,
    /// A plain `int64`: milliseconds since the Unix epoch, as JSONL numbers are.
    Millis,
    /// RFC 3339 text.
    Text,
}

/// The leaf of each event column in one file.
struct EventColumns {
    shopper: usize,
    item: usize,
    kind: usize,
    ts: (usize, TsEncoding),
    qty: Option<usize>,
    price: Option<usize>,
    basket: Option<usize>,
    query: Option<usize>,
}

/// What a column may hold.
#[derive(Clone, Copy)]
enum Expect {
    /// An id: a string or an integer.
    Id,
    /// A string.
    Text,
    /// A number.
    Number,
}

impl Expect {
    fn allows(self, t: PhysicalType) -> bool {
        match self {
            Expect::Id => matches!(t, PhysicalType::BYTE_ARRAY | PhysicalType::INT32 | PhysicalType::INT64),
            Expect::Text => t == PhysicalType::BYTE_ARRAY,
            Expect::Number => matches!(t, PhysicalType::INT32 | PhysicalType::INT64 | PhysicalType::FLOAT | PhysicalType::DOUBLE),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Expect::Id => "a string or an integer (int32, int64)",
            Expect::Text => "a string",
            Expect::Number => "a number (int32, int64, float, double)",
        }
    }
}

/// One Parquet file being read.
struct PartFile<'a> {
    path: &'a Path,
    /// The part file's name, when a folder is read (problems name it).
    name: Option<String>,
    build_time_ms: i64,
    report: &'a mut ReadReport,
}

impl PartFile<'_> {
    fn read(&mut self, reader: &SerializedFileReader<File>, sink: &mut dyn EventSink) -> Result<(), ReadError> {
        let metadata = reader.metadata();
        let leaves = Leaves::new(metadata.file_metadata().schema_descr());
        let columns = self.columns(&leaves)?;
        self.warn_extra_columns(&leaves);
        let mut first_row = 0u64;
        for g in 0..reader.num_row_groups() {
            let rows = usize::try_from(metadata.row_group(g).num_rows()).unwrap_or(0);
            let group = guarded(|| reader.get_row_group(g)).map_err(|e| self.decode_error(g, "", &e))?;
            let chunks = self.read_group(group.as_ref(), g, rows, &leaves, &columns)?;
            for r in 0..rows {
                self.report.rows += 1;
                match chunks.row(r, columns.ts.1, self.build_time_ms, self.report) {
                    Ok(row) => {
                        self.report.used += 1;
                        sink.push(&row);
                    }
                    Err((field, reason, message)) => {
                        let place = row_place(self.name.as_deref(), g, r as u64 + 1);
                        self.report.skip(first_row + r as u64 + 1, &field, reason, format!("{place}: {message}"));
                    }
                }
            }
            first_row += rows as u64;
        }
        Ok(())
    }

    fn column_error(&self, column: &str, message: String) -> ReadError {
        ParquetFileError::Column { path: self.path.to_owned(), column: column.to_owned(), message }.into()
    }

    fn decode_error(&self, row_group: usize, column: &str, error: &ParquetError) -> ReadError {
        ParquetFileError::Decode { path: self.path.to_owned(), row_group, column: column.to_owned(), message: decode_message(error) }.into()
    }

    /// The leaf of column `name`: a plain column of an `expect` type, or `None` when absent and
    /// not `required`.
    fn column(&self, leaves: &Leaves<'_>, name: &str, expect: Expect, required: bool) -> Result<Option<usize>, ReadError> {
        let leaf = match leaves.under(name)[..] {
            [] if !required => return Ok(None),
            [] => return Err(self.column_error(name, format!("missing required column (the columns are {})", leaves.listed()))),
            [leaf] if leaves.is_plain(leaf) => leaf,
            _ => return Err(self.column_error(name, format!("a list or a group; expected {}", expect.expected()))),
        };
        let descr = &leaves.leaves[leaf];
        if !expect.allows(descr.physical_type()) {
            return Err(self.column_error(name, format!("the column is {}; expected {}", type_name(descr), expect.expected())));
        }
        Ok(Some(leaf))
    }

    fn columns(&self, leaves: &Leaves<'_>) -> Result<EventColumns, ReadError> {
        let required = |name, expect| self.column(leaves, name, expect, true).map(|leaf| leaf.unwrap_or_default());
        let optional = |name, expect| self.column(leaves, name, expect, false);
        Ok(EventColumns {
            shopper: required("shopper", Expect::Id)?,
            item: required("item", Expect::Id)?,
            kind: required("type", Expect::Text)?,
            ts: self.ts_column(leaves)?,
            qty: optional("qty", Expect::Number)?,
            price: optional("price", Expect::Number)?,
            basket: optional("basket", Expect::Id)?,
            query: optional("query", Expect::Text)?,
        })
    }

    /// The `ts` column and how it holds times.
    fn ts_column(&self, leaves: &Leaves<'_>) -> Result<(usize, TsEncoding), ReadError> {
        const EXPECTED: &str =
            "expected an int64 TIMESTAMP (millis, micros or nanos), an int96 timestamp, an int64 of milliseconds or an RFC 3339 string";
        let leaf = match leaves.under("ts")[..] {
            [] => return Err(self.column_error("ts", format!("missing required column (the columns are {})", leaves.listed()))),
            [leaf] if leaves.is_plain(leaf) => leaf,
            _ => return Err(self.column_error("ts", format!("a list or a group; {EXPECTED}"))),
        };
        let descr: &ColumnDescPtr = &leaves.leaves[leaf];
        let encoding = match (descr.physical_type(), descr.logical_type_ref()) {
            (PhysicalType::INT64, Some(LogicalType::Timestamp(t))) => TsEncoding::Timestamp(match t.unit {
                TimeUnit::MILLIS => 1,
                TimeUnit::MICROS => 1_000,
                TimeUnit::NANOS => 1_000_000,
            }),
            (PhysicalType::INT64, None) => TsEncoding::Millis,
            (PhysicalType::INT96, _) => TsEncoding::Int96,
            (PhysicalType::BYTE_ARRAY, _) => TsEncoding::Text,
            (physical, logical) => {
                let logical = logical.map_or_else(String::new, |l| format!(" ({l:?})"));
                return Err(self.column_error("ts", format!("the column is {physical}{logical}; {EXPECTED}")));
            }
        };
        Ok((leaf, encoding))
    }

    /// Warns once (for the first file that has them) about columns that are not event fields.
    fn warn_extra_columns(&mut self, leaves: &Leaves<'_>) {
        let present = leaves.top_level();
        let absent: Vec<&str> = EVENT_FIELDS.iter().copied().filter(|f| !present.contains(f)).collect();
        for name in present.iter().filter(|n| !EVENT_FIELDS.contains(n)) {
            let meant = did_you_mean(name, &absent).map_or_else(String::new, |m| format!(": did you mean {m:?}?"));
            let message = format!("column {} is not an event field and is ignored{meant}", echo(name));
            if self.report.warnings.iter().all(|w| w.message != message) {
                let file = self.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                self.report.warn(message, 0, format!("the schema of {file}"));
            }
        }
    }

    /// Reads the event columns of row group `g`.
    fn read_group(
        &self,
        group: &dyn RowGroupReader,
        g: usize,
        rows: usize,
        leaves: &Leaves<'_>,
        columns: &EventColumns,
    ) -> Result<GroupChunks, ReadError> {
        let read = |leaf: usize| -> Result<Column, ReadError> {
            let descr = &leaves.leaves[leaf];
            let name = descr.path().string();
            let chunk = read_chunk(group, leaf, descr, rows).map_err(|e| self.decode_error(g, &name, &e))?;
            let at = flat_rows(&chunk, descr, rows).map_err(|e| self.decode_error(g, &name, &e))?;
            Ok(Column { chunk, at })
        };
        let optional = |leaf: Option<usize>| leaf.map(read).transpose();
        Ok(GroupChunks {
            shopper: read(columns.shopper)?,
            item: read(columns.item)?,
            kind: read(columns.kind)?,
            ts: read(columns.ts.0)?,
            qty: optional(columns.qty)?,
            price: optional(columns.price)?,
            basket: optional(columns.basket)?,
            query: optional(columns.query)?,
        })
    }
}

/// One column of a row group: its values and, per row, where its value is (`None`: null).
struct Column {
    chunk: Chunk,
    at: Vec<Option<usize>>,
}

impl Column {
    /// Row `r` as text (`None` when null): a string, or an integer written in decimal.
    fn text(&self, r: usize, field: &'static str, report: &mut ReadReport) -> Result<Option<Cow<'_, str>>, RowError> {
        let Some(i) = self.at[r] else { return Ok(None) };
        match &self.chunk.values {
            Values::Bytes(v) => utf8(v[i].data()).map(|s| Some(Cow::Borrowed(s))).map_err(|e| {
                report.windows_1252 |= e.windows_1252.is_some();
                (field.into(), "invalid UTF-8", e.to_string())
            }),
            Values::Int32(v) => Ok(Some(v[i].to_string().into())),
            Values::Int64(v) => Ok(Some(v[i].to_string().into())),
            _ => Ok(None), // never: the schema check allows ids and strings only
        }
    }

    /// Row `r` as a number (`None` when null).
    fn number(&self, r: usize) -> Option<f64> {
        self.at[r].map(|i| self.chunk.values.number(i))
    }
}

/// The event columns of one row group.
struct GroupChunks {
    shopper: Column,
    item: Column,
    kind: Column,
    ts: Column,
    qty: Option<Column>,
    price: Option<Column>,
    basket: Option<Column>,
    query: Option<Column>,
}

impl GroupChunks {
    /// Row `r` as an event, or why it is skipped: the checks of a JSONL line, in its order.
    fn row(&self, r: usize, ts: TsEncoding, build_time_ms: i64, report: &mut ReadReport) -> Result<EventRow<'_>, RowError> {
        let shopper = self.shopper.text(r, "shopper", report)?.filter(|s| !s.is_empty()).ok_or((
            "shopper".into(),
            "missing shopper",
            "required".to_owned(),
        ))?;
        let kind_name = self.kind.text(r, "type", report)?.ok_or(("type".into(), "missing type", "required".to_owned()))?;
        let kind = EventKind::parse(&kind_name).map_err(|_| ("type".into(), "unknown event type", unknown_type(&kind_name)))?;
        let item = self.item.text(r, "item", report)?.unwrap_or_default();
        if kind.needs_item() && item.is_empty() {
            return Err(("item".into(), "missing item", format!("a {} event needs an item", kind.as_str())));
        }
        let ts_ms = self.ts_ms(r, ts, build_time_ms, report)?;
        let qty = match self.qty.as_ref().and_then(|c| c.number(r)) {
            None => 1,
            Some(q) if (1.0..=1e6).contains(&q) && q.fract() == 0.0 => q as u32,
            Some(q) => return Err(("qty".into(), "bad quantity", format!("{q} is not a whole number from 1 to 1000000"))),
        };
        let price = match self.price.as_ref().and_then(|c| c.number(r)) {
            None => None,
            Some(p) if p.is_finite() && p >= 0.0 => Some(p as f32),
            Some(p) => return Err(("price".into(), "bad price", format!("{p} is not a number ≥ 0"))),
        };
        let basket = self.basket.as_ref().map(|c| c.text(r, "basket", report)).transpose()?.flatten();
        let query = self.query.as_ref().map(|c| c.text(r, "query", report)).transpose()?.flatten();
        Ok(EventRow { shopper, item, kind, ts_ms, qty, price, basket, query })
    }

    /// Row `r`'s time in ms, checked as a JSONL `ts` is.
    fn ts_ms(&self, r: usize, encoding: TsEncoding, build_time_ms: i64, report: &mut ReadReport) -> Result<i64, RowError> {
        let bad = |m: String| ("ts".into(), "bad timestamp", m);
        let Some(i) = self.ts.at[r] else { return Err(bad("expected a date-time string or ms number, found null".to_owned())) };
        let (ms, written) = match (&self.ts.chunk.values, encoding) {
            (Values::Int64(v), TsEncoding::Millis) => {
                let written = Value::from(v[i]);
                check_not_seconds(&written).map_err(|m| ("ts".into(), "timestamp in seconds", m))?;
                (v[i], Some(written))
            }
            (Values::Int64(v), TsEncoding::Timestamp(per_ms)) => (v[i].div_euclid(per_ms), None),
            (Values::Int96(v), _) => (v[i].to_millis(), None),
            (Values::Bytes(_), _) => {
                let text = self.ts.text(r, "ts", report)?.unwrap_or_default();
                (parse_timestamp_str(&text).map_err(bad)?, Some(Value::String(text.into_owned())))
            }
            _ => return Err(bad("not a time".to_owned())), // never: the schema check allows these only
        };
        if (ms as f64).abs() > 8.64e15 {
            return Err(bad(format!("{ms} is not a time in ms")));
        }
        // A typed timestamp is shown as the time it is.
        let written = written.unwrap_or_else(|| Value::String(format_ms(ms)));
        check_not_after(ms, build_time_ms, &written).map_err(|m| ("ts".into(), AFTER_BUILD_TIME, m))?;
        Ok(ms)
    }
}
