//! Item vectors from a Parquet file, or a folder of part files, as Spark MLlib ALS writes
//! `model.itemFactors`.
//!
//! Two layouts, told apart by the schema:
//!
//! * **list**: an id column and a vector column that is a list of `float` or `double`
//!   (`array<float>` in Spark: the standard three-level `LIST`, or the legacy two-level form);
//! * **wide**: when there is no vector column, an id column and one numeric column
//!   (`float`, `double`, `int32`, `int64`) per dimension, in schema order.
//!
//! The id column holds integers (`int32`/`int64`, as ALS ids are) or strings. Columns are read
//! one row group at a time with the column reader (no Arrow). A schema that does not fit is a
//! [`ParquetFileError::Column`] naming the column; a page that cannot be decoded is a
//! [`ParquetFileError::Decode`] naming the row group and column. Rows with a null id, a null or
//! empty vector, a null or non-finite value, another dimension than the first row, or an id seen
//! before are skipped and reported (file, row group and row, column), like bad CSV rows.

use std::fs::File;
use std::path::Path;

use parquet::basic::{Repetition, Type as PhysicalType};
use parquet::errors::ParquetError;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use parquet::schema::types::{ColumnDescPtr, SchemaDescriptor};

use super::{format_error, ItemVectors, RowSink, VectorsError};
use crate::build::parquet_columns::{decode_message, flat_rows, guarded, read_chunk, type_name, Chunk, Leaves, ParquetFileError};
use crate::build::read::events_parquet::part_files;
use crate::build::read::ReadReport;
use crate::pack::MAX_DIM;

/// Where the vector values are.
enum Layout {
    /// One list column (leaf index).
    List(usize),
    /// One numeric column per dimension (leaf indices, in order).
    Wide(Vec<usize>),
}

/// What one row of a list column holds.
enum ListRow {
    /// The values (empty for an empty or null list).
    Values(Vec<f64>),
    /// A null element at this position.
    NullElement(usize),
}

fn list_rows(chunk: &Chunk, descr: &ColumnDescPtr, rows: usize) -> Result<Vec<ListRow>, ParquetError> {
    let max_def = descr.max_def_level();
    let optional_element = descr.self_type().get_basic_info().repetition() == Repetition::OPTIONAL;
    let mut out: Vec<ListRow> = Vec::with_capacity(rows);
    let mut next = 0;
    for (k, &d) in chunk.def.iter().enumerate() {
        if chunk.rep.get(k).copied().unwrap_or(0) == 0 {
            out.push(ListRow::Values(Vec::new()));
        }
        let Some(row) = out.last_mut() else {
            return Err(ParquetError::General("the first repetition level is not 0".to_owned()));
        };
        if d == max_def {
            if next >= chunk.values.len() {
                return Err(ParquetError::General("fewer values than definition levels say".to_owned()));
            }
            if let ListRow::Values(values) = row {
                values.push(chunk.values.number(next));
            }
            next += 1;
        } else if optional_element && d == max_def - 1 {
            if let ListRow::Values(values) = row {
                *row = ListRow::NullElement(values.len());
            }
        }
    }
    if out.len() != rows {
        return Err(ParquetError::General(format!("{} list rows where the row group has {rows}", out.len())));
    }
    Ok(out)
}

fn column_error(path: &Path, column: &str, message: impl Into<String>) -> VectorsError {
    ParquetFileError::Column { path: path.to_owned(), column: column.to_owned(), message: message.into() }.into()
}

fn decode_error(path: &Path, row_group: usize, column: &str, error: &ParquetError) -> VectorsError {
    ParquetFileError::Decode { path: path.to_owned(), row_group, column: column.to_owned(), message: decode_message(error) }.into()
}

/// The columns to read.
pub(super) struct ColumnNames<'a> {
    /// The id column.
    pub id: &'a str,
    /// The list column of the vectors.
    pub vector: &'a str,
    /// Whether the vector column was named explicitly (then it must exist: no wide layout).
    pub vector_given: bool,
}

/// Reads `path` as described in the module docs: one file, or a folder's part files in name
/// order (as [`part_files`] finds them; rows numbered on across the files, an id seen in an
/// earlier file skipped as a repeat).
pub(super) fn read_parquet(path: &Path, columns: &ColumnNames<'_>) -> Result<(ItemVectors, ReadReport), VectorsError> {
    let parts = part_files(path)?;
    let mut sink = RowSink::new(path);
    let mut first_row = 0u64; // of the current row group, counted over every file
    for part in &parts {
        if path.is_dir() {
            sink.part = part.file_name().map(|n| n.to_string_lossy().into_owned());
        }
        read_part(part, columns, &mut sink, &mut first_row)?;
    }
    Ok((sink.vectors, sink.report))
}

/// Reads one Parquet file's rows into `sink`.
fn read_part(path: &Path, columns: &ColumnNames<'_>, sink: &mut RowSink, first_row: &mut u64) -> Result<(), VectorsError> {
    let file = File::open(path).map_err(|source| VectorsError::Io { path: path.to_owned(), source })?;
    let reader =
        guarded(|| SerializedFileReader::new(file)).map_err(|e| format_error(path, format!("not a readable Parquet file: {e}")))?;
    let metadata = reader.metadata();
    let schema = Schema::new(path, metadata.file_metadata().schema_descr());
    let id_leaf = schema.id_column(columns.id)?;
    let layout = schema.vector_layout(columns, id_leaf)?;
    let vector_name = columns.vector;
    sink.fields = (columns.id.to_owned(), if let Layout::List(_) = layout { vector_name.to_owned() } else { "row".to_owned() });
    for g in 0..reader.num_row_groups() {
        let rows = usize::try_from(metadata.row_group(g).num_rows()).unwrap_or(0);
        sink.row_group = Some((g, *first_row));
        let group = guarded(|| reader.get_row_group(g)).map_err(|e| decode_error(path, g, columns.id, &e))?;
        let group = GroupReader { schema: &schema, group: group.as_ref(), index: g, rows };
        let id_descr = &schema.leaves[id_leaf];
        let ids = read_chunk(group.group, id_leaf, id_descr, rows).map_err(|e| group.error(columns.id, &e))?;
        let id_rows = flat_rows(&ids, id_descr, rows).map_err(|e| group.error(columns.id, &e))?;
        let vectors = match &layout {
            Layout::List(leaf) => group.list_vectors(*leaf, vector_name)?,
            Layout::Wide(dims) => group.wide_vectors(dims)?,
        };
        for (r, (id_at, vector)) in id_rows.into_iter().zip(vectors).enumerate() {
            let line = *first_row + r as u64 + 1;
            let id = id_at.map(|at| ids.values.id(at));
            push_row(sink, line, columns.id, id, vector, |j| schema.dimension_name(&layout, vector_name, j));
        }
        *first_row += rows as u64;
    }
    Ok(())
}

/// A row's vector, or the field and message that make it skipped.
type RowVector = Result<Vec<f64>, (String, String)>;

/// Checks one row and adds it to the sink, or skips it with its reason.
fn push_row(
    sink: &mut RowSink,
    line: u64,
    id_name: &str,
    id: Option<Result<String, String>>,
    vector: RowVector,
    dimension_name: impl Fn(usize) -> String,
) {
    sink.report.rows += 1;
    let id = match id {
        None => return sink.skip(line, id_name, "missing id", "the id is null".to_owned()),
        Some(Err(message)) => return sink.skip(line, id_name, "bad id", message),
        Some(Ok(id)) => id,
    };
    let values = match vector {
        Ok(values) => values,
        Err((field, message)) => return sink.skip(line, &field, "bad value", message),
    };
    if let Some(j) = values.iter().position(|v| !(v.is_finite() && (*v as f32).is_finite())) {
        let message = format!("{:e} is not a finite float32 number", values[j]);
        return sink.skip(line, &dimension_name(j), "bad value", message);
    }
    sink.push(line, &id, values.into_iter().map(|v| v as f32).collect());
}

/// The file's leaf columns, and the file's name for errors.
struct Schema<'a> {
    path: &'a Path,
    columns: Leaves<'a>,
}

impl<'a> std::ops::Deref for Schema<'a> {
    type Target = Leaves<'a>;

    fn deref(&self) -> &Leaves<'a> {
        &self.columns
    }
}

impl<'a> Schema<'a> {
    fn new(path: &'a Path, schema: &'a SchemaDescriptor) -> Schema<'a> {
        Schema { path, columns: Leaves::new(schema) }
    }

    /// The name of dimension `j` of the vector, for errors.
    fn dimension_name(&self, layout: &Layout, vector_name: &str, j: usize) -> String {
        match layout {
            Layout::List(_) => format!("{vector_name}[{j}]"),
            Layout::Wide(dims) => self.leaves[dims[j]].path().string(),
        }
    }

    /// The id column's leaf: a plain integer or string column.
    fn id_column(&self, id_name: &str) -> Result<usize, VectorsError> {
        let leaf = match self.under(id_name)[..] {
            [] => {
                let message = format!("no such column (the columns are {}); name the id column with --vector-id-column", self.listed());
                return Err(column_error(self.path, id_name, message));
            }
            [leaf] if self.is_plain(leaf) => leaf,
            _ => return Err(column_error(self.path, id_name, "the id column is a list or a group; expected an integer or a string")),
        };
        let descr = &self.leaves[leaf];
        if !matches!(descr.physical_type(), PhysicalType::INT32 | PhysicalType::INT64 | PhysicalType::BYTE_ARRAY) {
            let message = format!("the id column is {}; expected an integer (int32, int64) or a string", type_name(descr));
            return Err(column_error(self.path, id_name, message));
        }
        Ok(leaf)
    }

    /// A list column named `columns.vector`, or else (when that name was not given) every other
    /// column as one dimension each.
    fn vector_layout(&self, columns: &ColumnNames<'_>, id_leaf: usize) -> Result<Layout, VectorsError> {
        const LIST: &str = "expected a list of float or double (array<float>)";
        let name = columns.vector;
        match self.under(name)[..] {
            [leaf]
                if self.leaves[leaf].max_rep_level() == 1
                    && matches!(self.leaves[leaf].physical_type(), PhysicalType::FLOAT | PhysicalType::DOUBLE) =>
            {
                Ok(Layout::List(leaf))
            }
            [leaf] => Err(column_error(self.path, name, format!("the vector column is {}; {LIST}", type_name(&self.leaves[leaf])))),
            [_, _, ..] => Err(column_error(self.path, name, format!("the vector column is a group of several columns; {LIST}"))),
            [] if columns.vector_given => Err(column_error(self.path, name, format!("no such column (the columns are {})", self.listed()))),
            [] => self.wide_layout(columns, id_leaf),
        }
    }

    /// Every column but the id as one number dimension, in schema order.
    fn wide_layout(&self, columns: &ColumnNames<'_>, id_leaf: usize) -> Result<Layout, VectorsError> {
        let (id_name, vector_name) = (columns.id, columns.vector);
        let others: Vec<usize> = (0..self.leaves.len()).filter(|&i| i != id_leaf).collect();
        if let Some(&bad) = others.iter().find(|&&i| !self.is_number(i) || !self.is_plain(i)) {
            return Err(column_error(
                self.path,
                &self.leaves[bad].path().string(),
                format!(
                    "is {}: there is no list column {vector_name:?}, and a wide layout needs one number column (float, double, int32, int64) per dimension",
                    type_name(&self.leaves[bad])
                ),
            ));
        }
        if others.is_empty() || others.len() > MAX_DIM as usize {
            return Err(format_error(
                self.path,
                format!("{} number columns besides {id_name:?} and no list column {vector_name:?}; expected a list column or 1 to {MAX_DIM} number columns", others.len()),
            ));
        }
        Ok(Layout::Wide(others))
    }
}

/// One row group being read.
struct GroupReader<'a> {
    schema: &'a Schema<'a>,
    group: &'a dyn RowGroupReader,
    index: usize,
    rows: usize,
}

impl GroupReader<'_> {
    fn error(&self, column: &str, error: &ParquetError) -> VectorsError {
        decode_error(self.schema.path, self.index, column, error)
    }

    /// The rows' vectors from one list column.
    fn list_vectors(&self, leaf: usize, name: &str) -> Result<Vec<RowVector>, VectorsError> {
        let descr = &self.schema.leaves[leaf];
        let chunk = read_chunk(self.group, leaf, descr, self.rows).map_err(|e| self.error(name, &e))?;
        let rows = list_rows(&chunk, descr, self.rows).map_err(|e| self.error(name, &e))?;
        Ok(rows
            .into_iter()
            .map(|row| match row {
                ListRow::Values(values) => Ok(values),
                ListRow::NullElement(j) => Err((format!("{name}[{j}]"), "the value is null".to_owned())),
            })
            .collect())
    }

    /// The rows' vectors from one number column per dimension.
    fn wide_vectors(&self, dims: &[usize]) -> Result<Vec<RowVector>, VectorsError> {
        let mut vectors: Vec<RowVector> = vec![Ok(Vec::with_capacity(dims.len())); self.rows];
        for &leaf in dims {
            let descr = &self.schema.leaves[leaf];
            let name = descr.path().string();
            let chunk = read_chunk(self.group, leaf, descr, self.rows).map_err(|e| self.error(&name, &e))?;
            let cells = flat_rows(&chunk, descr, self.rows).map_err(|e| self.error(&name, &e))?;
            for (vector, cell) in vectors.iter_mut().zip(cells) {
                match (vector.as_mut(), cell) {
                    (Ok(values), Some(at)) => values.push(chunk.values.number(at)),
                    (Ok(_), None) => *vector = Err((name.clone(), "the value is null".to_owned())),
                    (Err(_), _) => {}
                }
            }
        }
        Ok(vectors)
    }
}
