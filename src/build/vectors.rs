//! Externally trained item vectors as the pack's embeddings (`shelfwise build --vectors`).
//!
//! A shop that trains elsewhere (Spark MLlib ALS `itemFactors`, image or text embeddings)
//! brings one vector per item:
//!
//! * **CSV** (`.csv`, `.csv.gz`): one item per row, `id,v1,…,vd`, or `id,"[v1, …, vd]"` (an array
//!   column written as text, as Spark writes `features`). A first row whose second field is not a
//!   number is a header. Rows with a different width, a value that is not a finite number, or an
//!   id seen before are skipped and reported with file, line and field.
//! * **NPY** (`.npy`): a 2-D little-endian `float32`/`float64` array of shape (n, d), C or Fortran
//!   order, with the ids in a separate text file (`--vector-ids`, one id per line, same order).
//! * **Parquet** (`.parquet`, [`parquet_file`]): Spark MLlib ALS `itemFactors` (an `id` column and a
//!   `features` column that is a list of float or double), or an id and one number column per
//!   dimension; other column names with `--vector-id-column` / `--vector-column`.
//!
//! [`apply_vectors`] puts them into [`PackContents`]: every item gets its vector scaled to unit
//! length (as trained ones are, [`normalize_rows`]) and quantized per dimension; a catalog item
//! without a vector gets the zero vector (it is then ranked by popularity alone), and vectors of
//! ids the catalog lacks are counted and left out.

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use thiserror::Error;

mod parquet_file;

pub use super::parquet_columns::ParquetFileError;

use super::assemble::normalize_rows;
use super::read::{Problem, ReadReport};
use crate::pack::{quantize_per_dimension, PackContents, MAX_DIM};

/// Item vectors read from a file: `ids[i]` owns `rows[i * dim .. (i + 1) * dim]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemVectors {
    /// Vector length.
    pub dim: usize,
    /// Item ids, in file order.
    pub ids: Vec<String>,
    /// Row-major values, `ids.len() × dim`.
    pub rows: Vec<f32>,
    /// Where each id's row is in the file: its line (CSV; NPY: the line of the ids file), or its
    /// row counted from 1 across a Parquet file.
    pub lines: Vec<u64>,
}

/// A vectors file that cannot be used at all.
#[derive(Debug, Error)]
pub enum VectorsError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not in a supported form.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A Parquet column is missing or of the wrong type, or a column chunk cannot be decoded.
    #[error(transparent)]
    Parquet(#[from] ParquetFileError),
    /// A folder of Parquet part files that cannot be listed or holds none.
    #[error(transparent)]
    Folder(#[from] super::read::ReadError),
    /// No row was usable.
    #[error("{path}: no usable vectors ({skipped} rows skipped)")]
    Empty {
        /// The file.
        path: PathBuf,
        /// Rows skipped as bad.
        skipped: u64,
    },
}

fn format_error(path: &Path, message: impl Into<String>) -> VectorsError {
    VectorsError::Format { path: path.to_owned(), message: message.into() }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, VectorsError> {
    let io = |source| VectorsError::Io { path: path.to_owned(), source };
    let raw = fs::read(path).map_err(io)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice()).read_to_end(&mut out).map_err(io)?;
        return Ok(out);
    }
    Ok(raw)
}

/// Column names of a Parquet vectors file (`None`: the default, `id` and `features`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VectorColumns {
    /// The id column (`--vector-id-column`).
    pub id: Option<String>,
    /// The list column holding the vectors (`--vector-column`); when the default `features` is
    /// absent, the other columns are read as one number column per dimension.
    pub vector: Option<String>,
}

/// Reads item vectors from `path` (CSV, NPY with `ids_path`, or Parquet with `columns`), with a
/// report of skipped rows.
pub fn read_vectors(path: &Path, ids_path: Option<&Path>, columns: &VectorColumns) -> Result<(ItemVectors, ReadReport), VectorsError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    let parquet = name.ends_with(".parquet") || name.ends_with(".parq") || path.is_dir();
    if !parquet && (columns.id.is_some() || columns.vector.is_some()) {
        return Err(format_error(path, "--vector-id-column and --vector-column are for .parquet files"));
    }
    let (vectors, report) = if parquet {
        if ids_path.is_some() {
            return Err(format_error(path, "--vector-ids is for .npy files; a Parquet file carries the id in its id column"));
        }
        let names = parquet_file::ColumnNames {
            id: columns.id.as_deref().unwrap_or("id"),
            vector: columns.vector.as_deref().unwrap_or("features"),
            vector_given: columns.vector.is_some(),
        };
        parquet_file::read_parquet(path, &names)?
    } else if name.ends_with(".npy") {
        let Some(ids_path) = ids_path else {
            return Err(format_error(
                path,
                "an .npy file holds only numbers: pass the item ids with --vector-ids FILE (one id per line, in row order)",
            ));
        };
        read_npy(path, ids_path)?
    } else if name.ends_with(".csv") || name.ends_with(".csv.gz") {
        if ids_path.is_some() {
            return Err(format_error(path, "--vector-ids is for .npy files; a CSV carries the id in its first column"));
        }
        read_csv(path)?
    } else {
        return Err(format_error(path, "unsupported vectors file: expected .csv, .csv.gz, .npy or .parquet"));
    };
    if vectors.ids.is_empty() {
        return Err(VectorsError::Empty { path: path.to_owned(), skipped: report.skipped_total() });
    }
    Ok((vectors, report))
}

/// Parses one value; `Err` names what is wrong.
fn parse_value(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{:?} is not a finite number", text.trim())),
    }
}

struct RowSink {
    report: ReadReport,
    dim: Option<usize>,
    seen: HashMap<String, u64>,
    vectors: ItemVectors,
    /// The names of the id and vector fields in problems.
    fields: (String, String),
    /// Parquet: the current row group and its first row in the file (0-based), named in problems.
    row_group: Option<(usize, u64)>,
    /// Parquet part files of a folder: the current file's name, named in problems.
    part: Option<String>,
}

impl RowSink {
    fn new(path: &Path) -> RowSink {
        RowSink {
            report: ReadReport { path: path.to_owned(), ..ReadReport::default() },
            dim: None,
            seen: HashMap::new(),
            vectors: ItemVectors { dim: 0, ids: Vec::new(), rows: Vec::new(), lines: Vec::new() },
            fields: ("id".to_owned(), "vector".to_owned()),
            row_group: None,
            part: None,
        }
    }

    fn skip(&mut self, line: u64, field: &str, reason: &str, message: String) {
        *self.report.skipped.entry(reason.to_owned()).or_default() += 1;
        if self.report.problems.len() < super::read::MAX_LISTED_PROBLEMS {
            let message = match self.row_group {
                Some((group, first)) => {
                    format!("{}: {message}", super::parquet_columns::row_place(self.part.as_deref(), group, line - first))
                }
                None => message,
            };
            self.report.problems.push(Problem { line, field: field.to_owned(), message });
        }
    }

    /// Checks and keeps one row (`values` already parsed).
    fn push(&mut self, line: u64, id: &str, values: Vec<f32>) {
        let id = id.trim();
        let (id_field, vector_field) = self.fields.clone();
        let (id_field, vector_field) = (id_field.as_str(), vector_field.as_str());
        if id.is_empty() {
            self.skip(line, id_field, "missing id", "the id is empty".to_owned());
            return;
        }
        if values.is_empty() || values.len() > MAX_DIM as usize {
            self.skip(line, vector_field, "bad width", format!("{} values; expected 1 to {MAX_DIM}", values.len()));
            return;
        }
        let dim = *self.dim.get_or_insert(values.len());
        if values.len() != dim {
            self.skip(line, vector_field, "bad width", format!("{} values; the first row had {dim}", values.len()));
            return;
        }
        if let Some(first) = self.seen.get(id) {
            let unit = if self.row_group.is_some() { "row" } else { "line" };
            self.skip(line, id_field, "duplicate id", format!("id {id:?} already has a vector on {unit} {first}"));
            return;
        }
        self.seen.insert(id.to_owned(), line);
        self.report.used += 1;
        self.vectors.dim = dim;
        self.vectors.ids.push(id.to_owned());
        self.vectors.rows.extend(values);
        self.vectors.lines.push(line);
    }
}

fn read_csv(path: &Path) -> Result<(ItemVectors, ReadReport), VectorsError> {
    let bytes = read_bytes(path)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes.as_slice());
    let mut sink = RowSink::new(path);
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                sink.report.rows += 1;
                sink.skip(line, "row", "malformed CSV", e.to_string());
                continue;
            }
        };
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let id = record.get(0).unwrap_or_default();
        let rest: Vec<&str> = record.iter().skip(1).collect();
        let array = rest.len() == 1 && rest[0].trim_start().starts_with('[');
        if line == 1 && !array && rest.first().is_none_or(|f| parse_value(f).is_err()) {
            continue; // a header row
        }
        sink.report.rows += 1;
        let fields: Vec<&str> = if array {
            let inner = rest[0].trim();
            let Some(inner) = inner.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
                sink.skip(line, "vector", "bad value", format!("{inner:?} is not a [v1, …, vd] list"));
                continue;
            };
            inner.split([',', ' ', ';']).filter(|s| !s.trim().is_empty()).collect()
        } else {
            rest
        };
        let mut values = Vec::with_capacity(fields.len());
        let mut bad = None;
        for (j, field) in fields.iter().enumerate() {
            match parse_value(field) {
                Ok(v) => values.push(v),
                Err(message) => {
                    bad = Some((j, message));
                    break;
                }
            }
        }
        if let Some((j, message)) = bad {
            sink.skip(line, &format!("v{}", j + 1), "bad value", message);
            continue;
        }
        sink.push(line, id, values);
    }
    Ok((sink.vectors, sink.report))
}

/// The parts of an NPY header this reader needs.
struct NpyHeader {
    little_f32: bool,
    fortran: bool,
    rows: usize,
    cols: usize,
    data_at: usize,
}

fn npy_header(path: &Path, bytes: &[u8]) -> Result<NpyHeader, VectorsError> {
    let bad = |m: &str| format_error(path, format!("not a usable .npy file: {m}"));
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(bad("missing the \\x93NUMPY magic"));
    }
    let (len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10usize),
        2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
        v => return Err(bad(&format!("format version {v} is not 1, 2 or 3"))),
    };
    let header = bytes.get(start..start.saturating_add(len)).ok_or_else(|| bad("the header is cut short"))?;
    let header = std::str::from_utf8(header).map_err(|_| bad("the header is not text"))?;
    let value_of = |key: &str| -> Option<&str> {
        let at = header.find(&format!("'{key}'"))? + key.len() + 2;
        let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
        Some(rest)
    };
    let descr = value_of("descr").ok_or_else(|| bad("no 'descr' in the header"))?;
    let little_f32 = if descr.starts_with("'<f4'") || descr.starts_with("'=f4'") {
        true
    } else if descr.starts_with("'<f8'") || descr.starts_with("'=f8'") {
        false
    } else {
        let shown: String = descr.chars().take_while(|&c| c != ',').collect();
        return Err(bad(&format!("dtype {shown} is not little-endian float32 or float64 ('<f4', '<f8')")));
    };
    let fortran = value_of("fortran_order").ok_or_else(|| bad("no 'fortran_order' in the header"))?.starts_with("True");
    let shape = value_of("shape").ok_or_else(|| bad("no 'shape' in the header"))?;
    let shape = shape.strip_prefix('(').and_then(|s| s.split(')').next()).ok_or_else(|| bad("'shape' is not a tuple"))?;
    let dims: Vec<usize> = shape
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad("'shape' holds a non-number"))?;
    let [rows, cols] = dims[..] else {
        return Err(bad(&format!("shape {dims:?} is not 2-D (items × dimensions)")));
    };
    Ok(NpyHeader { little_f32, fortran, rows, cols, data_at: start + len })
}

fn read_npy(path: &Path, ids_path: &Path) -> Result<(ItemVectors, ReadReport), VectorsError> {
    let bytes = read_bytes(path)?;
    let header = npy_header(path, &bytes)?;
    let (rows, cols) = (header.rows, header.cols);
    if cols == 0 || cols > MAX_DIM as usize {
        return Err(format_error(path, format!("{cols} dimensions; expected 1 to {MAX_DIM}")));
    }
    let width = if header.little_f32 { 4 } else { 8 };
    let expected = rows.checked_mul(cols).and_then(|n| n.checked_mul(width));
    let data = &bytes[header.data_at.min(bytes.len())..];
    if expected != Some(data.len()) {
        return Err(format_error(
            path,
            format!(
                "shape ({rows}, {cols}) needs {} data bytes, the file has {}",
                expected.map_or("too many".to_owned(), |n| n.to_string()),
                data.len()
            ),
        ));
    }
    let id_text = fs::read_to_string(ids_path).map_err(|source| VectorsError::Io { path: ids_path.to_owned(), source })?;
    let ids: Vec<&str> = id_text.lines().collect::<Vec<_>>();
    let ids: &[&str] = match ids.last() {
        Some(last) if last.trim().is_empty() && ids.len() == rows + 1 => &ids[..rows],
        _ => &ids,
    };
    if ids.len() != rows {
        return Err(format_error(ids_path, format!("{} ids for the {rows} rows of {}", ids.len(), path.display())));
    }
    let value = |r: usize, c: usize| -> f32 {
        let k = if header.fortran { c * rows + r } else { r * cols + c };
        let at = k * width;
        if header.little_f32 {
            f32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
        } else {
            let mut b = [0u8; 8];
            b.copy_from_slice(&data[at..at + 8]);
            f64::from_le_bytes(b) as f32
        }
    };
    let mut sink = RowSink::new(path);
    for (r, id) in ids.iter().enumerate() {
        let line = r as u64 + 1; // the row, and the line of the ids file
        sink.report.rows += 1;
        let values: Vec<f32> = (0..cols).map(|c| value(r, c)).collect();
        if let Some(j) = values.iter().position(|v| !v.is_finite()) {
            sink.skip(line, &format!("v{}", j + 1), "bad value", format!("row {r}: {} is not a finite number", values[j]));
            continue;
        }
        sink.push(line, id, values);
    }
    Ok((sink.vectors, sink.report))
}

/// What [`apply_vectors`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppliedVectors {
    /// Catalog items that got a vector.
    pub matched: usize,
    /// Catalog items without one (zero vector).
    pub missing: usize,
    /// Vectors for ids the catalog lacks (left out).
    pub unknown: usize,
}

/// Replaces the embeddings of `contents` by `vectors` (unit length, then int8 per dimension).
pub fn apply_vectors(contents: &mut PackContents, vectors: &ItemVectors) -> AppliedVectors {
    let dim = vectors.dim;
    let by_id: HashMap<&str, usize> = vectors.ids.iter().enumerate().map(|(r, id)| (id.as_str(), r)).collect();
    let mut rows = vec![0.0f32; contents.items.len() * dim];
    let mut applied = AppliedVectors::default();
    for (item, out) in contents.items.iter().zip(rows.chunks_exact_mut(dim.max(1))) {
        match by_id.get(item.id.as_str()) {
            Some(&r) => {
                out.copy_from_slice(&vectors.rows[r * dim..(r + 1) * dim]);
                applied.matched += 1;
            }
            None => applied.missing += 1,
        }
    }
    applied.unknown = vectors.ids.len() - applied.matched;
    normalize_rows(&mut rows, dim);
    let quantized = quantize_per_dimension(&rows, dim);
    contents.dim = dim as u32;
    contents.scales = quantized.scales;
    contents.codes = quantized.codes;
    applied
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn npy(descr: &str, fortran: bool, shape: (usize, usize), data: &[u8]) -> Vec<u8> {
        npy_raw(descr, fortran, &format!("({}, {})", shape.0, shape.1), data)
    }

    fn npy_raw(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
        let mut header = format!("{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}", if fortran { "True" } else { "False" });
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(data);
        out
    }

    #[test]
    fn csv_rows_headers_arrays_and_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.csv");
        fs::write(&path, "id,f1,f2\nA,1,0\nB,\"[0.5, 0.5]\"\nC,1\nD,1,nan\nA,0,1\nE,0,2\n").unwrap();
        let (v, report) = read_vectors(&path, None, &VectorColumns::default()).unwrap();
        assert_eq!(v.dim, 2);
        assert_eq!(v.ids, ["A", "B", "E"]);
        assert_eq!(v.rows, [1.0, 0.0, 0.5, 0.5, 0.0, 2.0]);
        assert_eq!((report.rows, report.used, report.skipped_total()), (6, 3, 3));
        let lines: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 4: field \"vector\": 1 values; the first row had 2",
                "line 5: field \"v2\": \"nan\" is not a finite number",
                "line 6: field \"id\": id \"A\" already has a vector on line 2",
            ]
        );
    }

    #[test]
    fn npy_in_c_and_fortran_order_float32_and_float64() {
        let dir = tempfile::tempdir().unwrap();
        let ids = dir.path().join("ids.txt");
        fs::write(&ids, "A\nB\nC\n").unwrap();
        let values = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]; // 3 × 2, row-major
        let c: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let fortran_order = [1.0f64, 3.0, 5.0, 2.0, 4.0, 6.0];
        let f: Vec<u8> = fortran_order.iter().flat_map(|v| v.to_le_bytes()).collect();
        for (name, bytes) in [("c.npy", npy("<f4", false, (3, 2), &c)), ("f.npy", npy("<f8", true, (3, 2), &f))] {
            let path = dir.path().join(name);
            fs::write(&path, bytes).unwrap();
            let (v, _) = read_vectors(&path, Some(&ids), &VectorColumns::default()).unwrap();
            assert_eq!(
                (v.dim, v.ids.clone(), v.rows.clone()),
                (2, vec!["A".to_owned(), "B".into(), "C".into()], values.to_vec()),
                "{name}"
            );
        }
    }

    #[test]
    fn unusable_npy_files_are_named_errors() {
        let dir = tempfile::tempdir().unwrap();
        let ids = dir.path().join("ids.txt");
        fs::write(&ids, "A\nB\n").unwrap();
        let data: Vec<u8> = [1.0f32; 4].iter().flat_map(|v| v.to_le_bytes()).collect();
        let cases: [(&str, Vec<u8>, Option<&Path>, &str); 5] = [
            ("no ids", npy("<f4", false, (2, 2), &data), None, "pass the item ids with --vector-ids"),
            ("int dtype", npy("<i4", false, (2, 2), &data), Some(&ids), "dtype '<i4' is not little-endian float"),
            ("short data", npy("<f4", false, (2, 3), &data), Some(&ids), "needs 24 data bytes, the file has 16"),
            ("3-D", npy_raw("<f4", false, "(2, 1, 2)", &data), Some(&ids), "shape [2, 1, 2] is not 2-D"),
            ("not npy", b"hello".to_vec(), Some(&ids), "missing the \\x93NUMPY magic"),
        ];
        for (what, bytes, ids, expected) in cases {
            let path = dir.path().join("v.npy");
            fs::write(&path, bytes).unwrap();
            let message = read_vectors(&path, ids, &VectorColumns::default()).unwrap_err().to_string();
            assert!(message.contains(expected), "{what}: {message}");
        }
        fs::write(dir.path().join("three.txt"), "A\nB\nC\n").unwrap();
        let path = dir.path().join("v.npy");
        fs::write(&path, npy("<f4", false, (2, 2), &data)).unwrap();
        let message = read_vectors(&path, Some(&dir.path().join("three.txt")), &VectorColumns::default()).unwrap_err().to_string();
        assert!(message.contains("3 ids for the 2 rows"), "{message}");
    }

    #[test]
    fn apply_gives_every_catalog_item_its_vector_or_zero() {
        let mut contents = PackContents {
            builder_version: (0, 1, 0),
            built_at_ms: 0,
            training_events: 0,
            categories: Vec::new(),
            brands: Vec::new(),
            items: ["A", "B", "C"].iter().map(|id| crate::pack::PackItem::new(*id, *id, 1.0)).collect(),
            url_templates: crate::pack::UrlTemplates::default(),
            dim: 0,
            scales: Vec::new(),
            codes: Vec::new(),
            neighbours: Vec::new(),
            together: Vec::new(),
            rules: Vec::new(),
            image: None,
        };
        let vectors = ItemVectors {
            dim: 2,
            ids: vec!["C".into(), "A".into(), "Z".into()],
            rows: vec![0.0, 3.0, 4.0, 0.0, 1.0, 1.0],
            lines: vec![1, 2, 3],
        };
        let applied = apply_vectors(&mut contents, &vectors);
        assert_eq!(applied, AppliedVectors { matched: 2, missing: 1, unknown: 1 });
        assert_eq!(contents.dim, 2);
        assert_eq!(contents.codes.len(), 6);
        // A = (1, 0) after normalization, B = 0, C = (0, 1).
        assert!(contents.codes[0] > 100 && contents.codes[1] == 0, "{:?}", contents.codes);
        assert_eq!(&contents.codes[2..4], &[0, 0]);
        assert!(contents.codes[4] == 0 && contents.codes[5] > 100, "{:?}", contents.codes);
    }
}
