//! Reading Parquet column chunks without Arrow, shared by the readers of Parquet inputs
//! ([`super::vectors`] and [`super::read::events_parquet`]).
//!
//! A row group is read one leaf column at a time with the crate's column reader
//! ([`read_chunk`]): its values with their definition and repetition levels ([`Chunk`]).
//! [`flat_rows`] maps a non-repeated column's rows to their values (`None` for nulls);
//! [`Leaves`] finds a top-level column's leaves and says what they are for errors.

use parquet::basic::Type as PhysicalType;
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, Int96};
use parquet::errors::ParquetError;
use parquet::file::reader::RowGroupReader;
use parquet::schema::types::{ColumnDescPtr, SchemaDescriptor};
use thiserror::Error;

/// A Parquet file whose schema or data a reader cannot use (`--vectors`, `--neighbours-file`).
#[derive(Debug, Error)]
pub enum ParquetFileError {
    /// A column is missing or of the wrong type.
    #[error("{path}: column {column:?}: {message}")]
    Column {
        /// The file.
        path: std::path::PathBuf,
        /// The column (its dotted path).
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A column chunk could not be decoded (corrupt data, an unsupported codec).
    #[error("{path}: row group {row_group}, column {column:?}: cannot decode: {message}")]
    Decode {
        /// The file.
        path: std::path::PathBuf,
        /// The row group (0-based).
        row_group: usize,
        /// The column.
        column: String,
        /// The decoder's message.
        message: String,
    },
}

/// One column chunk's levels and values.
pub struct Chunk {
    /// Definition levels (empty for a required column).
    pub def: Vec<i16>,
    /// Repetition levels (empty for a non-repeated column).
    pub rep: Vec<i16>,
    /// The non-null values.
    pub values: Values,
}

/// The non-null values of a column chunk, by physical type.
pub enum Values {
    /// `int32`.
    Int32(Vec<i32>),
    /// `int64`.
    Int64(Vec<i64>),
    /// `int96` (Spark's legacy timestamps).
    Int96(Vec<Int96>),
    /// `float`.
    Float(Vec<f32>),
    /// `double`.
    Double(Vec<f64>),
    /// `binary` (strings).
    Bytes(Vec<ByteArray>),
}

impl Values {
    /// Value `i` as a number (`NaN` for strings and `int96`, which schema checks keep out).
    pub fn number(&self, i: usize) -> f64 {
        match self {
            Values::Int32(v) => f64::from(v[i]),
            Values::Int64(v) => v[i] as f64,
            Values::Float(v) => f64::from(v[i]),
            Values::Double(v) => v[i],
            Values::Bytes(_) | Values::Int96(_) => f64::NAN,
        }
    }

    /// Value `i` as an id: an integer written in decimal, or a UTF-8 string.
    pub fn id(&self, i: usize) -> Result<String, String> {
        match self {
            Values::Int32(v) => Ok(v[i].to_string()),
            Values::Int64(v) => Ok(v[i].to_string()),
            Values::Bytes(v) => std::str::from_utf8(v[i].data()).map(str::to_owned).map_err(|_| "the id is not UTF-8 text".to_owned()),
            Values::Float(_) | Values::Double(_) | Values::Int96(_) => Err("the id is not an integer or a string".to_owned()),
        }
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        match self {
            Values::Int32(v) => v.len(),
            Values::Int64(v) => v.len(),
            Values::Int96(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Double(v) => v.len(),
            Values::Bytes(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn read_all<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    descr: &ColumnDescPtr,
    rows: usize,
    wrap: fn(Vec<T::T>) -> Values,
) -> Result<Chunk, ParquetError> {
    let mut def = Vec::new();
    let mut rep = Vec::new();
    let mut values = Vec::new();
    let mut read = 0;
    while read < rows {
        let def_out = (descr.max_def_level() > 0).then_some(&mut def);
        let rep_out = (descr.max_rep_level() > 0).then_some(&mut rep);
        let (records, _, _) = reader.read_records(rows - read, def_out, rep_out, &mut values)?;
        if records == 0 {
            return Err(ParquetError::General(format!("the column chunk ends after {read} of the row group's {rows} rows")));
        }
        read += records;
    }
    Ok(Chunk { def, rep, values: wrap(values) })
}

/// Reads the `rows` rows of leaf column `leaf` of one row group ([`guarded`]: a decoder panic
/// on damaged data is an error).
pub fn read_chunk(group: &dyn RowGroupReader, leaf: usize, descr: &ColumnDescPtr, rows: usize) -> Result<Chunk, ParquetError> {
    guarded(|| read_chunk_unguarded(group, leaf, descr, rows))
}

/// Runs a call into the `parquet` crate, turning a panic into [`ParquetError::General`]. The
/// crate (59.3) panics on some damaged pages instead of returning an error (apache/arrow-rs
/// #7102; 6 of 2,000 single-byte changes in `tests/events_parquet.rs`). Native builds unwind
/// (the release profile leaves `panic` at its default for this), so the readers give a typed
/// error naming the file, row group and column instead of stopping the process.
pub fn guarded<T>(call: impl FnOnce() -> Result<T, ParquetError>) -> Result<T, ParquetError> {
    let outer = IN_GUARDED.replace(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(call));
    IN_GUARDED.set(outer);
    result.unwrap_or_else(|panic| {
        let message = panic.downcast_ref::<&str>().map(|s| (*s).to_owned()).or_else(|| panic.downcast_ref::<String>().cloned());
        Err(ParquetError::General(format!("the decoder failed on damaged data ({})", message.as_deref().unwrap_or("no message"))))
    })
}

thread_local! {
    static IN_GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside [`guarded`]: a panic hook can leave the panic unprinted, as
/// it comes back as an error (the CLI's hook does).
pub fn in_guarded() -> bool {
    IN_GUARDED.get()
}

fn read_chunk_unguarded(group: &dyn RowGroupReader, leaf: usize, descr: &ColumnDescPtr, rows: usize) -> Result<Chunk, ParquetError> {
    match group.get_column_reader(leaf)? {
        ColumnReader::Int32ColumnReader(r) => read_all(r, descr, rows, Values::Int32),
        ColumnReader::Int64ColumnReader(r) => read_all(r, descr, rows, Values::Int64),
        ColumnReader::Int96ColumnReader(r) => read_all(r, descr, rows, Values::Int96),
        ColumnReader::FloatColumnReader(r) => read_all(r, descr, rows, Values::Float),
        ColumnReader::DoubleColumnReader(r) => read_all(r, descr, rows, Values::Double),
        ColumnReader::ByteArrayColumnReader(r) => read_all(r, descr, rows, Values::Bytes),
        _ => Err(ParquetError::General("unexpected physical type".to_owned())),
    }
}

/// A non-repeated column's value index per row (`None` when null).
pub fn flat_rows(chunk: &Chunk, descr: &ColumnDescPtr, rows: usize) -> Result<Vec<Option<usize>>, ParquetError> {
    let max_def = descr.max_def_level();
    if max_def == 0 {
        if chunk.values.len() != rows {
            return Err(ParquetError::General(format!("{} values for {rows} rows", chunk.values.len())));
        }
        return Ok((0..rows).map(Some).collect());
    }
    if chunk.def.len() != rows {
        return Err(ParquetError::General(format!("{} definition levels for {rows} rows", chunk.def.len())));
    }
    let mut next = 0;
    let out: Vec<Option<usize>> = chunk
        .def
        .iter()
        .map(|&d| {
            (d == max_def).then(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    if next > chunk.values.len() {
        return Err(ParquetError::General("fewer values than definition levels say".to_owned()));
    }
    Ok(out)
}

/// The decoder's message for a chunk it cannot read, with advice when the codec is missing.
pub fn decode_message(error: &ParquetError) -> String {
    let mut message = error.to_string();
    if message.contains("Disabled feature") || message.contains("not supported") {
        message.push_str(" (this build reads uncompressed, Snappy and gzip Parquet; Spark writes Snappy by default)");
    }
    message
}

/// A leaf column's type for errors: `int64`, `repeated float`, ….
pub fn type_name(descr: &ColumnDescPtr) -> String {
    let repeated = if descr.max_rep_level() > 0 { "repeated " } else { "" };
    format!("{repeated}{}", descr.physical_type())
}

/// Where a row is, for the problems of a Parquet input: `row group 0, row 7` (the row counted
/// from 1 in its group), after the part file's name when a folder is read.
pub fn row_place(file: Option<&str>, row_group: usize, row_in_group: u64) -> String {
    match file {
        Some(file) => format!("{file}, row group {row_group}, row {row_in_group}"),
        None => format!("row group {row_group}, row {row_in_group}"),
    }
}

/// A file's leaf columns.
pub struct Leaves<'a> {
    /// The leaves, in schema order.
    pub leaves: &'a [ColumnDescPtr],
    top_level: Vec<&'a str>,
}

impl<'a> Leaves<'a> {
    /// The leaves of `schema`.
    pub fn new(schema: &'a SchemaDescriptor) -> Leaves<'a> {
        let top_level = schema.root_schema().get_fields().iter().map(|f| f.name()).collect();
        Leaves { leaves: schema.columns(), top_level }
    }

    /// The top-level column names.
    pub fn top_level(&self) -> &[&'a str] {
        &self.top_level
    }

    /// The top-level column names, quoted, for "no such column" errors.
    pub fn listed(&self) -> String {
        self.top_level.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
    }

    /// The leaves under the top-level column `name`.
    pub fn under(&self, name: &str) -> Vec<usize> {
        (0..self.leaves.len()).filter(|&i| self.leaves[i].path().parts().first().is_some_and(|p| p == name)).collect()
    }

    /// Whether leaf `i` is a number (`float`, `double`, `int32`, `int64`).
    pub fn is_number(&self, i: usize) -> bool {
        matches!(self.leaves[i].physical_type(), PhysicalType::FLOAT | PhysicalType::DOUBLE | PhysicalType::INT32 | PhysicalType::INT64)
    }

    /// Whether leaf `i` is a plain top-level column (not in a group, not repeated).
    pub fn is_plain(&self, i: usize) -> bool {
        self.leaves[i].max_rep_level() == 0 && self.leaves[i].path().parts().len() == 1
    }
}
