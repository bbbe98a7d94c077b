//! Bounded reading: no line of an input may be longer than a set number of bytes, and line
//! numbers are the file's own.
//!
//! [`BoundedLines`] sits between a file (or gzip stream, or stdin) and its parser. It counts
//! `\n` bytes as they pass, so a row's number is the line the file has it on whatever its line
//! endings (the `csv` crate numbers CRLF rows one line too low; see [`BoundedLines::line_at`]),
//! and it fails with [`LineTooLong`] as soon as a line passes the limit, so `/dev/zero` or a
//! file without line breaks costs at most the limit in memory. [`LineSource`] gives JSONL
//! inputs line by line over it; CSV inputs hand it to the `csv` reader
//! ([`super::csv_rows`]), which also bounds a record spanning lines inside quotes.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::error::ReadError;

/// The longest line an events, catalog or Online Retail file may have, in bytes (1 MiB; an event
/// row is about 150 bytes, a catalog row with a long description a few KB).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The UTF-8 byte order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A line (or a CSV record) passed the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("line {line}: {}", if *.csv_record { format!("a CSV record starting here is longer than {limit} bytes (an unclosed quote?)") } else { format!("longer than {limit} bytes without a line break") })]
pub struct LineTooLong {
    /// The line (1-based) that is too long, or where the too-long CSV record starts.
    pub line: u64,
    /// The limit in bytes.
    pub limit: usize,
    /// Whether a CSV record spanning lines (inside quotes) is too long, not one line.
    pub csv_record: bool,
}

/// A reader that fails once a line is longer than its limit, counting lines as it goes.
#[derive(Debug)]
pub struct BoundedLines<R> {
    inner: R,
    limit: usize,
    /// `\n` bytes passed so far.
    newlines: u64,
    /// Bytes passed so far.
    offset: u64,
    /// Bytes since the last `\n`.
    line_len: usize,
    /// For CSV: offsets of the `\n` bytes not yet passed by [`BoundedLines::line_at`], and the
    /// bytes passed since the last [`BoundedLines::mark_record`] with the line it was on.
    records: Option<RecordIndex>,
}

#[derive(Debug, Default)]
struct RecordIndex {
    pending: VecDeque<u64>,
    lines_before: u64,
    since_mark: usize,
    mark_line: u64,
}

/// How far the `csv` reader may read ahead of the record it returned (its buffer is 8 KiB);
/// a record is too long when more than the limit plus this was read since it started.
const CSV_READ_AHEAD: usize = 64 * 1024;

impl<R: Read> BoundedLines<R> {
    /// Bounds the lines of `inner` at `limit` bytes.
    pub fn new(inner: R, limit: usize) -> BoundedLines<R> {
        BoundedLines { inner, limit, newlines: 0, offset: 0, line_len: 0, records: None }
    }

    /// As [`BoundedLines::new`], also indexing line breaks for [`BoundedLines::line_at`] and
    /// bounding each record between two [`BoundedLines::mark_record`] calls.
    pub fn for_csv(inner: R, limit: usize) -> BoundedLines<R> {
        BoundedLines { records: Some(RecordIndex { mark_line: 1, ..RecordIndex::default() }), ..BoundedLines::new(inner, limit) }
    }

    /// The file's line number of the byte at `offset`, for offsets that never decrease between
    /// calls. The `csv` crate places a record after a CRLF at the `\n` of that CRLF (so its
    /// own line count is one too low): the line is one plus the `\n` bytes at or before
    /// `offset`, which is right for both line endings.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let Some(index) = self.records.as_mut() else { return self.newlines + 1 };
        while index.pending.front().is_some_and(|&at| at <= offset) {
            index.pending.pop_front();
            index.lines_before += 1;
        }
        index.lines_before + 1
    }

    /// A CSV record that started on `line` was read: the next one starts after it.
    pub fn mark_record(&mut self, line: u64) {
        if let Some(index) = self.records.as_mut() {
            index.since_mark = 0;
            index.mark_line = line + 1;
        }
    }

    /// Counts `bytes` (just read) and checks the limits.
    fn pass(&mut self, bytes: &[u8]) -> Result<(), LineTooLong> {
        let mut rest = bytes;
        let mut at = self.offset;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            self.check(self.line_len + i)?;
            if let Some(index) = self.records.as_mut() {
                index.pending.push_back(at + i as u64);
            }
            self.newlines += 1;
            self.line_len = 0;
            at += i as u64 + 1;
            rest = &rest[i + 1..];
        }
        self.line_len += rest.len();
        self.check(self.line_len)?;
        self.offset += bytes.len() as u64;
        if let Some(index) = self.records.as_mut() {
            index.since_mark += bytes.len();
            if index.since_mark > self.limit + CSV_READ_AHEAD {
                return Err(LineTooLong { line: index.mark_line, limit: self.limit, csv_record: true });
            }
        }
        Ok(())
    }

    fn check(&self, line_len: usize) -> Result<(), LineTooLong> {
        if line_len > self.limit {
            return Err(LineTooLong { line: self.newlines + 1, limit: self.limit, csv_record: false });
        }
        Ok(())
    }
}

impl<R: Read> Read for BoundedLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pass(&buf[..n]).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok(n)
    }
}

/// The [`ReadError`] for an I/O error of `path`: [`ReadError::TooLong`] when a
/// [`BoundedLines`] raised it, else [`ReadError::Io`].
pub fn io_error(path: &Path, source: io::Error) -> ReadError {
    match source.get_ref().and_then(|e| e.downcast_ref::<LineTooLong>()) {
        Some(&too_long) => ReadError::TooLong { path: path.to_owned(), too_long },
        None => ReadError::Io { path: path.to_owned(), source },
    }
}

/// Opens a file, through gzip when its name ends in `.gz`.
pub fn open(path: &Path) -> Result<Box<dyn Read>, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })?;
    if path.extension().is_some_and(|e| e == "gz") {
        Ok(Box::new(flate2::read::GzDecoder::new(BufReader::new(file))))
    } else {
        Ok(Box::new(file))
    }
}

/// The lines of a JSONL input, bounded, numbered as in the file, without their `\n` or `\r\n`.
pub struct LineSource<R> {
    path: PathBuf,
    reader: BufReader<BoundedLines<R>>,
    buf: Vec<u8>,
    line: u64,
    bom: bool,
}

impl LineSource<Box<dyn Read>> {
    /// Opens `path` (gzip when it ends in `.gz`) with lines of at most `limit` bytes.
    pub fn open(path: &Path, limit: usize) -> Result<Self, ReadError> {
        Ok(LineSource::new(open(path)?, path, limit))
    }
}

impl<R: Read> LineSource<R> {
    /// Reads `input`, named `path` in errors, with lines of at most `limit` bytes.
    pub fn new(input: R, path: &Path, limit: usize) -> LineSource<R> {
        LineSource { path: path.to_owned(), reader: BufReader::new(BoundedLines::new(input, limit)), buf: Vec::new(), line: 0, bom: false }
    }

    /// The next line and its number; a UTF-8 byte order mark starting line 1 is removed
    /// (see [`LineSource::had_bom`]).
    pub fn next_line(&mut self) -> Result<Option<(u64, &[u8])>, ReadError> {
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| io_error(&self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let mut line = self.buf.as_slice();
        line = line.strip_suffix(b"\n").unwrap_or(line);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        if self.line == 1 {
            if let Some(rest) = line.strip_prefix(UTF8_BOM) {
                self.bom = true;
                line = rest;
            }
        }
        Ok(Some((self.line, line)))
    }

    /// Whether line 1 started with a UTF-8 byte order mark.
    pub fn had_bom(&self) -> bool {
        self.bom
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn lines(text: &[u8], limit: usize) -> Result<Vec<(u64, Vec<u8>)>, ReadError> {
        let mut source = LineSource::new(text, Path::new("t"), limit);
        let mut out = Vec::new();
        while let Some((n, line)) = source.next_line()? {
            out.push((n, line.to_vec()));
        }
        Ok(out)
    }

    #[test]
    fn crlf_and_lf_lines_are_numbered_as_in_the_file() {
        let got = lines(b"\xEF\xBB\xBFa\r\n\r\nbb\nc", 10).unwrap();
        assert_eq!(got, [(1, b"a".to_vec()), (2, Vec::new()), (3, b"bb".to_vec()), (4, b"c".to_vec())]);
    }

    #[test]
    fn a_line_over_the_limit_names_its_line_and_an_endless_one_stops_at_the_limit() {
        let err = lines(b"ok\nalso ok\n0123456789abc\n", 10).unwrap_err();
        assert!(matches!(err, ReadError::TooLong { too_long: LineTooLong { line: 3, limit: 10, csv_record: false }, .. }), "{err}");
        // An endless stream without a line break: fails after reading about the limit.
        let mut endless = LineSource::new(io::repeat(b'x'), Path::new("zero"), 1000);
        let err = endless.next_line().unwrap_err();
        assert_eq!(err.to_string(), "zero: line 1: longer than 1000 bytes without a line break");
    }

    #[test]
    fn csv_offsets_map_to_file_lines_for_both_line_endings() {
        for (text, expected) in [(&b"h\r\nA\r\n\"x\r\ny\"\r\nB\r\n"[..], [2, 3, 5]), (&b"h\nA\n\"x\ny\"\nB\n"[..], [2, 3, 5])] {
            let mut rdr = csv::ReaderBuilder::new().from_reader(BoundedLines::for_csv(text, 100));
            let mut record = csv::ByteRecord::new();
            let mut got = Vec::new();
            while rdr.read_byte_record(&mut record).unwrap() {
                let byte = record.position().unwrap().byte();
                got.push(rdr.get_mut().line_at(byte));
            }
            assert_eq!(got, expected, "{}", String::from_utf8_lossy(text));
        }
    }
}
