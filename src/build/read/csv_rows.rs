//! CSV inputs row by row: bounded ([`BoundedLines`]), numbered with the file's own lines, the
//! header checked (UTF-8, no repeated names), each row's fields left as bytes so that text
//! that is not UTF-8 is reported per field ([`super::text::utf8`]).

use std::io::Read;
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use super::error::ReadError;
use super::lines::{io_error, open, BoundedLines, MAX_LINE_BYTES};
use super::text::{did_you_mean, utf8};

/// A CSV file being read.
pub struct CsvRows {
    path: PathBuf,
    reader: csv::Reader<BoundedLines<Box<dyn Read>>>,
    record: ByteRecord,
}

impl CsvRows {
    /// Opens `path` (gzip when it ends in `.gz`); rows may have differing field counts.
    pub fn open(path: &Path) -> Result<CsvRows, ReadError> {
        let input = BoundedLines::for_csv(open(path)?, MAX_LINE_BYTES);
        let reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        Ok(CsvRows { path: path.to_owned(), reader, record: ByteRecord::new() })
    }

    fn csv_error(&self, e: csv::Error) -> ReadError {
        let line = e.position().map_or(1, |p| p.line());
        match e.into_kind() {
            csv::ErrorKind::Io(source) => io_error(&self.path, source),
            other => ReadError::Malformed { path: self.path.clone(), line, message: format!("{other:?}") },
        }
    }

    /// The header's column names (trimmed, without a byte order mark); refuses a header that
    /// is not UTF-8 or names a column twice.
    pub fn headers(&mut self) -> Result<Vec<String>, ReadError> {
        let raw = match self.reader.byte_headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(self.csv_error(e)),
        };
        let mut names: Vec<String> = Vec::with_capacity(raw.len());
        for (i, bytes) in raw.iter().enumerate() {
            let name = utf8(bytes).map_err(|e| ReadError::Malformed {
                path: self.path.clone(),
                line: 1,
                message: format!("column {}: the header is {e}", i + 1),
            })?;
            let name = name.trim_start_matches('\u{feff}').trim().to_owned();
            if let Some(first) = names.iter().position(|n| *n == name) {
                return Err(ReadError::DuplicateColumn { path: self.path.clone(), name, first: first + 1, second: i + 1 });
            }
            names.push(name);
        }
        self.reader.get_mut().mark_record(1);
        Ok(names)
    }

    /// The next row and the file line it starts on.
    pub fn next_row(&mut self) -> Result<Option<(u64, &ByteRecord)>, ReadError> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let byte = self.record.position().map_or(0, |p| p.byte());
                let line = self.reader.get_mut().line_at(byte);
                self.reader.get_mut().mark_record(line);
                Ok(Some((line, &self.record)))
            }
            Err(e) => Err(self.csv_error(e)),
        }
    }
}

/// The error for a header without `column`, suggesting a present name that is close to it.
pub fn missing_column(path: &Path, column: &'static str, headers: &[String]) -> ReadError {
    let close = headers.iter().find(|h| did_you_mean(h, &[column]).is_some());
    ReadError::MissingColumn {
        path: path.to_owned(),
        column,
        found: headers.join(","),
        suggestion: close.map_or_else(String::new, |h| format!("; rename {h:?} to {column:?} if that is it")),
    }
}
