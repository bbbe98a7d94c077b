//! Item-to-item lists computed elsewhere (`shelfwise build --neighbours-file PATH`), in the pack
//! section the builder's own neighbour model fills otherwise ([`super::neighbours`]).
//!
//! `PATH` is one Parquet file or a folder of part files as Spark writes them, found as for
//! Parquet events ([`part_files`]: name order; `_SUCCESS`, `*.crc` and names starting with `.`
//! or `_` left out). Every file has the columns
//!
//! * `item` and `neighbour`: the two items' catalog ids, string or `int32`/`int64`;
//! * `score`: `float` or `double`, higher = closer (a cosine, Jaccard, a count …).
//!
//! Other columns are ignored. A missing column or one of another type is a
//! [`ParquetFileError::Column`] naming the file and the column. Rows with a null or unknown
//! id, a self pair, a null, non-finite or non-positive score, or a pair seen before (in any
//! file) are skipped and reported (file, row group and row, column), as `--vectors` rows are.
//!
//! Per item the `k` best pairs are kept (ties by the neighbour's id, which is its pack order).
//! The pack stores similarities in (0, 1]: when the largest kept score is above 1, every score
//! is divided by it (the order stays). The column reader is [`super::parquet_columns`].
//! Memory: 24 bytes per usable row until the lists are pruned to `k`.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use parquet::basic::Type as PhysicalType;
use parquet::file::reader::{FileReader, RowGroupReader, SerializedFileReader};
use thiserror::Error;

use super::parquet_columns::{decode_message, flat_rows, guarded, read_chunk, row_place, type_name, Leaves, ParquetFileError};
use super::read::events_parquet::part_files;
use super::read::{echo, ReadError, ReadReport};
use crate::pack::PackContents;

/// The column of the item whose list a row adds to.
pub const ITEM_COLUMN: &str = "item";
/// The column of the item on that list.
pub const NEIGHBOUR_COLUMN: &str = "neighbour";
/// The column of how close they are (higher = closer).
pub const SCORE_COLUMN: &str = "score";

/// A neighbours file that cannot be used at all.
#[derive(Debug, Error)]
pub enum NeighboursFileError {
    /// A folder that cannot be read or holds no part files ([`part_files`]).
    #[error(transparent)]
    Folder(#[from] ReadError),
    /// A file that cannot be read or is not Parquet.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong (`cannot read: …` with the system's reason).
        message: String,
    },
    /// A column is missing or of the wrong type, or a column chunk cannot be decoded.
    #[error(transparent)]
    Parquet(#[from] ParquetFileError),
    /// No row was usable.
    #[error("{path}: no usable neighbour pairs ({skipped} rows skipped)")]
    Empty {
        /// The file or folder.
        path: PathBuf,
        /// Rows skipped as bad.
        skipped: u64,
    },
}

/// Lists read by [`read_neighbours_file`], for [`apply_neighbours`].
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedNeighbours {
    /// Per item of the contents: at most `k` `(item, similarity in (0, 1])`, best first.
    pub lists: Vec<Vec<(u32, f32)>>,
    /// One report per file read, in the order read.
    pub reports: Vec<ReadReport>,
    /// The largest score, when it was above 1 and every score was divided by it.
    pub scaled_by: Option<f64>,
}

/// One usable row: the neighbour, its score and where it is (file, 1-based row in the file).
#[derive(Debug, Clone, Copy)]
struct Pair {
    neighbour: u32,
    score: f64,
    file: u32,
    row: u64,
}

/// Why a row is skipped: the column at fault, the reason it is counted under, the message.
type Skip = (&'static str, &'static str, String);

/// The reading state over all files.
struct Lists<'a> {
    by_id: HashMap<&'a str, u32>,
    ids: Vec<&'a str>,
    pairs: Vec<Vec<Pair>>,
    reports: Vec<ReadReport>,
    /// Per file, the first row (0-based) of each row group.
    group_starts: Vec<Vec<u64>>,
}

/// Reads the lists at `path` (a file or a folder of part files) for the items of `contents`,
/// keeping the best `k` per item.
pub fn read_neighbours_file(path: &Path, contents: &PackContents, k: usize) -> Result<ImportedNeighbours, NeighboursFileError> {
    let files = part_files(path)?;
    let ids: Vec<&str> = contents.items.iter().map(|item| item.id.as_str()).collect();
    let by_id = ids.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
    let mut lists = Lists { by_id, pairs: vec![Vec::new(); ids.len()], ids, reports: Vec::new(), group_starts: Vec::new() };
    for file in &files {
        lists.read_file(file)?;
    }
    let imported = lists.finish(k);
    if imported.reports.iter().all(|r| r.used == 0) {
        let skipped = imported.reports.iter().map(ReadReport::skipped_total).sum();
        return Err(NeighboursFileError::Empty { path: path.to_owned(), skipped });
    }
    Ok(imported)
}

fn file_error(path: &Path, message: String) -> NeighboursFileError {
    NeighboursFileError::File { path: path.to_owned(), message }
}

/// The leaf of column `name`: top level, not repeated, of one of the `allowed` types.
fn column(schema: &Leaves<'_>, path: &Path, name: &str, allowed: &[PhysicalType], expected: &str) -> Result<usize, NeighboursFileError> {
    let error = |message: String| ParquetFileError::Column { path: path.to_owned(), column: name.to_owned(), message }.into();
    match schema.under(name)[..] {
        [] => Err(error(format!(
            "no such column (the columns are {}); expected {ITEM_COLUMN}, {NEIGHBOUR_COLUMN}, {SCORE_COLUMN}",
            schema.listed()
        ))),
        [leaf] if schema.is_plain(leaf) && allowed.contains(&schema.leaves[leaf].physical_type()) => Ok(leaf),
        [leaf] if schema.is_plain(leaf) => Err(error(format!("the column is {}; expected {expected}", type_name(&schema.leaves[leaf])))),
        _ => Err(error(format!("the column is a list or a group; expected {expected}"))),
    }
}

impl Lists<'_> {
    /// Reads one Parquet file into the lists, with its report.
    fn read_file(&mut self, path: &Path) -> Result<(), NeighboursFileError> {
        let file = File::open(path).map_err(|e| file_error(path, format!("cannot read: {e}")))?;
        let reader =
            guarded(|| SerializedFileReader::new(file)).map_err(|e| file_error(path, format!("not a readable Parquet file: {e}")))?;
        let metadata = reader.metadata();
        let schema = Leaves::new(metadata.file_metadata().schema_descr());
        const ID: [PhysicalType; 3] = [PhysicalType::INT32, PhysicalType::INT64, PhysicalType::BYTE_ARRAY];
        const ID_TYPES: &str = "an integer (int32, int64) or a string";
        let columns = [
            column(&schema, path, ITEM_COLUMN, &ID, ID_TYPES)?,
            column(&schema, path, NEIGHBOUR_COLUMN, &ID, ID_TYPES)?,
            column(&schema, path, SCORE_COLUMN, &[PhysicalType::FLOAT, PhysicalType::DOUBLE], "a float or a double")?,
        ];
        let file_index = self.reports.len() as u32;
        self.reports.push(ReadReport::new(path));
        self.group_starts.push(Vec::new());
        let mut first_row = 0u64;
        for g in 0..reader.num_row_groups() {
            let rows = usize::try_from(metadata.row_group(g).num_rows()).unwrap_or(0);
            self.group_starts[file_index as usize].push(first_row);
            let decode = |column: &str, e: &parquet::errors::ParquetError| ParquetFileError::Decode {
                path: path.to_owned(),
                row_group: g,
                column: column.to_owned(),
                message: decode_message(e),
            };
            let group = guarded(|| reader.get_row_group(g)).map_err(|e| decode(ITEM_COLUMN, &e))?;
            let cells = group_cells(group.as_ref(), &schema, columns, rows).map_err(|(column, e)| decode(column, &e))?;
            for (r, cells) in cells.into_iter().enumerate() {
                self.add_row(file_index, first_row + r as u64 + 1, cells);
            }
            first_row += rows as u64;
        }
        Ok(())
    }

    /// Checks one row and adds it to its item's pairs, or skips it with its reason.
    fn add_row(&mut self, file: u32, row: u64, cells: RowCells) {
        self.reports[file as usize].rows += 1;
        let checked = self.resolve(ITEM_COLUMN, cells.item).and_then(|item| {
            let neighbour = self.resolve(NEIGHBOUR_COLUMN, cells.neighbour)?;
            let score = check_score(cells.score)?;
            if item == neighbour {
                return Err((NEIGHBOUR_COLUMN, "self pair", format!("{} is listed as its own neighbour", echo(self.ids[item as usize]))));
            }
            Ok((item, Pair { neighbour, score, file, row }))
        });
        match checked {
            Ok((item, pair)) => {
                self.reports[file as usize].used += 1;
                self.pairs[item as usize].push(pair);
            }
            Err((column, reason, message)) => self.skip(file, row, column, reason, message),
        }
    }

    /// The item index of an id cell.
    fn resolve(&self, column: &'static str, cell: Option<Result<String, String>>) -> Result<u32, Skip> {
        match cell {
            None => Err((column, "missing id", "the id is null".to_owned())),
            Some(Err(message)) => Err((column, "bad id", message)),
            Some(Ok(id)) => match self.by_id.get(id.trim()) {
                Some(&i) => Ok(i),
                None => Err((column, "id not in the catalog", format!("{} is not in the catalog", echo(&id)))),
            },
        }
    }

    /// Where row `row` of file `file` is: `row group G, row R` (R counted from 1 in the group),
    /// after the file's name when `named`.
    fn place(&self, file: u32, row: u64, named: bool) -> String {
        let starts = &self.group_starts[file as usize];
        let g = starts.partition_point(|&s| s < row).saturating_sub(1);
        let name = named.then(|| self.reports[file as usize].path.file_name().map(|n| n.to_string_lossy().into_owned())).flatten();
        row_place(name.as_deref(), g, row - starts.get(g).copied().unwrap_or(0))
    }

    fn skip(&mut self, file: u32, row: u64, column: &str, reason: &str, message: String) {
        let message = format!("{}: {message}", self.place(file, row, false));
        self.reports[file as usize].skip(row, column, reason, message);
    }

    /// Drops repeated pairs (reported), keeps the best `k` per item and scales the scores into
    /// (0, 1].
    fn finish(mut self, k: usize) -> ImportedNeighbours {
        let mut lists = Vec::with_capacity(self.pairs.len());
        for item in 0..self.pairs.len() {
            let mut pairs = std::mem::take(&mut self.pairs[item]);
            pairs.sort_unstable_by_key(|p| (p.neighbour, p.file, p.row));
            let mut kept: Vec<Pair> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match kept.last() {
                    Some(first) if first.neighbour == pair.neighbour => self.skip_repeat(item, first, &pair),
                    _ => kept.push(pair),
                }
            }
            kept.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.neighbour.cmp(&b.neighbour)));
            kept.truncate(k);
            lists.push(kept.into_iter().map(|p| (p.neighbour, p.score)).collect::<Vec<_>>());
        }
        let largest = lists.iter().flatten().map(|&(_, s)| s).fold(0.0f64, f64::max);
        let scaled_by = (largest > 1.0).then_some(largest);
        let divisor = scaled_by.unwrap_or(1.0);
        let lists = lists.into_iter().map(|list| list.into_iter().map(|(j, s)| (j, (s / divisor) as f32)).collect()).collect();
        ImportedNeighbours { lists, reports: self.reports, scaled_by }
    }

    /// Reports `pair`, a repeat of `first` in the list of `item`.
    fn skip_repeat(&mut self, item: usize, first: &Pair, pair: &Pair) {
        let report = &mut self.reports[pair.file as usize];
        report.used -= 1;
        let message = format!(
            "the pair {} → {} is also on {}",
            echo(self.ids[item]),
            echo(self.ids[pair.neighbour as usize]),
            self.place(first.file, first.row, self.group_starts.len() > 1)
        );
        self.skip(pair.file, pair.row, NEIGHBOUR_COLUMN, "duplicate pair", message);
    }
}

/// The score of a row, or why it is skipped.
fn check_score(score: Option<f64>) -> Result<f64, Skip> {
    match score {
        None => Err((SCORE_COLUMN, "missing score", "the score is null".to_owned())),
        Some(s) if !s.is_finite() => Err((SCORE_COLUMN, "bad score", format!("{s} is not a finite number"))),
        Some(s) if s <= 0.0 => Err((SCORE_COLUMN, "score not above 0", format!("{s}: the pack keeps similarities above 0"))),
        Some(s) => Ok(s),
    }
}

/// One row's cells (`None`: null).
struct RowCells {
    item: Option<Result<String, String>>,
    neighbour: Option<Result<String, String>>,
    score: Option<f64>,
}

/// The cells of every row of one row group; on failure, the column and the decoder's error.
fn group_cells(
    group: &dyn RowGroupReader,
    schema: &Leaves<'_>,
    [item, neighbour, score]: [usize; 3],
    rows: usize,
) -> Result<Vec<RowCells>, (&'static str, parquet::errors::ParquetError)> {
    let read = |leaf: usize, name: &'static str| {
        let descr = &schema.leaves[leaf];
        let chunk = read_chunk(group, leaf, descr, rows).map_err(|e| (name, e))?;
        let at = flat_rows(&chunk, descr, rows).map_err(|e| (name, e))?;
        Ok((chunk, at))
    };
    let (items, item_at) = read(item, ITEM_COLUMN)?;
    let (neighbours, neighbour_at) = read(neighbour, NEIGHBOUR_COLUMN)?;
    let (scores, score_at) = read(score, SCORE_COLUMN)?;
    Ok((0..rows)
        .map(|r| RowCells {
            item: item_at[r].map(|i| items.values.id(i)),
            neighbour: neighbour_at[r].map(|i| neighbours.values.id(i)),
            score: score_at[r].map(|i| scores.values.number(i)),
        })
        .collect())
}

/// What [`apply_neighbours`] did, for the build summary.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AppliedNeighbours {
    /// Items whose list is the imported one.
    pub imported: usize,
    /// Items with no imported list and no interactions that keep the builder's title-similar
    /// list ([`super::content`]).
    pub title_similar: usize,
    /// Items with no list at all: their similar shelf ranks by embedding similarity.
    pub without: usize,
    /// The largest score, when it was above 1 and every score was divided by it.
    pub scaled_by: Option<f64>,
}

/// Puts the imported lists into `contents` (whose lists for items without interactions are
/// the builder's title-similar ones, the rest empty: [`super::neighbours::NeighbourModel::Imported`]).
pub fn apply_neighbours(contents: &mut PackContents, imported: ImportedNeighbours) -> AppliedNeighbours {
    let n = contents.items.len();
    contents.neighbours.resize(n, Vec::new());
    let mut applied = AppliedNeighbours { scaled_by: imported.scaled_by, ..AppliedNeighbours::default() };
    for (list, new) in contents.neighbours.iter_mut().zip(imported.lists) {
        if !new.is_empty() {
            *list = new;
            applied.imported += 1;
        } else if list.is_empty() {
            applied.without += 1;
        } else {
            applied.title_similar += 1;
        }
    }
    applied
}
