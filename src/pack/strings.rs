//! String columns: many short strings stored once, read in place, at about one byte of
//! overhead per string.
//!
//! Layout (little-endian):
//!
//! ```text
//! count          u32
//! block_offsets  u32 × (ceil(count / 16) + 1): where each block of 16 strings starts in the
//!                data, relative to the data; the first is 0, they never decrease, the last
//!                equals the data length
//! data           per string: its byte length as unsigned LEB128 (at most 4 bytes, minimal
//!                encoding), then its UTF-8 bytes
//! ```
//!
//! The section is exactly that long. Reading string `i` starts at its block's offset and
//! skips at most 15 strings; opening decodes every string once (lengths, block boundaries,
//! UTF-8) so that later reads need no checks.

use super::le::read_u32;
use super::{PackError, SectionKind};

/// Strings per block (one stored offset per block).
pub const STRINGS_PER_BLOCK: usize = 16;
/// Longest string a column may hold (what four LEB128 bytes can express).
pub const MAX_STRING_LEN: usize = (1 << 28) - 1;

/// A validated string column inside a pack's bytes (positions relative to the pack start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StringColumn {
    /// Number of strings.
    pub count: u32,
    /// Where the block offsets start.
    offsets_at: usize,
    /// Where the string data starts.
    data_at: usize,
    /// Where the string data ends.
    data_end: usize,
}

/// Decodes one length prefix at `data[at..]`: `(length, prefix bytes)`, or why it is invalid.
fn read_len(data: &[u8], at: usize) -> Result<(usize, usize), &'static str> {
    let mut value = 0usize;
    for i in 0..4 {
        let Some(&b) = data.get(at + i) else {
            return Err("a length runs past the end of the data");
        };
        value |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err("a length is not minimally encoded");
            }
            return Ok((value, i + 1));
        }
    }
    Err("a length prefix is longer than 4 bytes")
}

fn write_len(out: &mut Vec<u8>, mut len: usize) {
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

impl StringColumn {
    /// Validates the column stored in `bytes[start..start + len]`.
    pub fn parse(bytes: &[u8], start: usize, len: usize, kind: SectionKind) -> Result<StringColumn, PackError> {
        let bad = |detail: String| PackError::BadStringTable { kind, detail };
        if len < 4 {
            return Err(bad(format!("{len} bytes is too short for the count")));
        }
        let count = read_u32(bytes, start);
        let blocks = (count as usize).div_ceil(STRINGS_PER_BLOCK);
        let offsets_len = (blocks as u64 + 1) * 4;
        if 4 + offsets_len > len as u64 {
            return Err(bad(format!("{count} strings need {offsets_len} block-offset bytes, the section has {len} bytes")));
        }
        let offsets_at = start + 4;
        let data_at = offsets_at + offsets_len as usize;
        let data_end = start + len;
        let data = &bytes[data_at..data_end];
        if read_u32(bytes, offsets_at) != 0 {
            return Err(bad("the first block offset is not 0".to_owned()));
        }
        let mut at = 0usize;
        for b in 0..blocks {
            let stored = read_u32(bytes, offsets_at + b * 4) as usize;
            if stored != at {
                return Err(bad(format!("block {b} starts at data byte {stored}, its strings start at {at}")));
            }
            let first = b * STRINGS_PER_BLOCK;
            let last = (first + STRINGS_PER_BLOCK).min(count as usize);
            for i in first..last {
                let (n, prefix) = read_len(data, at).map_err(|e| bad(format!("string {i}: {e}")))?;
                let body = at + prefix;
                let end = body.checked_add(n).filter(|&e| e <= data.len());
                let Some(end) = end else {
                    return Err(bad(format!("string {i} ({n} bytes) runs past the end of the data")));
                };
                if std::str::from_utf8(&data[body..end]).is_err() {
                    return Err(bad(format!("string {i} is not valid UTF-8")));
                }
                at = end;
            }
        }
        let last = read_u32(bytes, offsets_at + blocks * 4) as usize;
        if last != at || at != data.len() {
            return Err(bad(format!(
                "the strings end at data byte {at}, the last block offset says {last}, the data has {} bytes",
                data.len()
            )));
        }
        Ok(StringColumn { count, offsets_at, data_at, data_end })
    }

    /// String `i`, or `""` when `i` is out of range (callers index within validated counts).
    pub fn get<'a>(&self, bytes: &'a [u8], i: u32) -> &'a str {
        if i >= self.count {
            return "";
        }
        let data = bytes.get(self.data_at..self.data_end).unwrap_or(&[]);
        let block = i as usize / STRINGS_PER_BLOCK;
        let mut at = read_u32(bytes, self.offsets_at + block * 4) as usize;
        for _ in 0..i as usize % STRINGS_PER_BLOCK {
            match read_len(data, at) {
                Ok((n, prefix)) => at += prefix + n,
                Err(_) => return "",
            }
        }
        let Ok((n, prefix)) = read_len(data, at) else { return "" };
        data.get(at + prefix..at + prefix + n).and_then(|s| std::str::from_utf8(s).ok()).unwrap_or("")
    }
}

/// The byte length of the string column that starts at `bytes[0]`, from its count and last
/// block offset (for columns packed one after another, as in the sharded layout's bodies).
/// The column itself is checked by [`StringColumn::parse`].
pub(crate) fn column_len(bytes: &[u8]) -> Result<usize, PackError> {
    let truncated = |needed: usize| PackError::Truncated { what: "string column", needed: needed as u64, available: bytes.len() as u64 };
    if bytes.len() < 4 {
        return Err(truncated(4));
    }
    let count = read_u32(bytes, 0) as usize;
    let offsets_len = (count.div_ceil(STRINGS_PER_BLOCK) + 1) * 4;
    let last_at = 4 + offsets_len - 4;
    if bytes.len() < last_at + 4 {
        return Err(truncated(last_at + 4));
    }
    Ok(4 + offsets_len + read_u32(bytes, last_at) as usize)
}

/// Appends a string column for `strings` to `out`. Strings longer than [`MAX_STRING_LEN`]
/// are refused.
pub(crate) fn write_string_column<S: AsRef<str>>(out: &mut Vec<u8>, strings: &[S], kind: SectionKind) -> Result<(), PackError> {
    out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    let mut data = Vec::new();
    let mut offsets = Vec::with_capacity(strings.len() / STRINGS_PER_BLOCK + 2);
    for (i, s) in strings.iter().enumerate() {
        if i % STRINGS_PER_BLOCK == 0 {
            offsets.push(data.len() as u32);
        }
        let s = s.as_ref();
        if s.len() > MAX_STRING_LEN {
            return Err(PackError::BadStringTable {
                kind,
                detail: format!("string {i} is {} bytes, at most {MAX_STRING_LEN} fit", s.len()),
            });
        }
        write_len(&mut data, s.len());
        data.extend_from_slice(s.as_bytes());
    }
    offsets.push(data.len() as u32);
    offsets.iter().for_each(|o| out.extend_from_slice(&o.to_le_bytes()));
    out.extend_from_slice(&data);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(strings: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        write_string_column(&mut out, strings, SectionKind::Titles).unwrap();
        out
    }

    #[test]
    fn round_trips_across_block_boundaries_and_long_strings() {
        let long = "é".repeat(200);
        let strings: Vec<String> = (0..40).map(|i| if i == 17 { long.clone() } else { format!("s{i}") }).collect();
        let refs: Vec<&str> = strings.iter().map(String::as_str).collect();
        let bytes = column(&refs);
        let col = StringColumn::parse(&bytes, 0, bytes.len(), SectionKind::Titles).unwrap();
        assert_eq!(col.count, 40);
        for (i, s) in strings.iter().enumerate() {
            assert_eq!(col.get(&bytes, i as u32), s);
        }
        assert_eq!(col.get(&bytes, 40), "");
    }

    #[test]
    fn empty_column_is_count_and_one_offset() {
        let bytes = column(&[]);
        assert_eq!(bytes, [0, 0, 0, 0, 0, 0, 0, 0]);
        assert!(StringColumn::parse(&bytes, 0, bytes.len(), SectionKind::Titles).is_ok());
    }

    #[test]
    fn rejects_non_minimal_lengths_and_bad_utf8() {
        // count 1, offsets [0, 3], data: length 1 encoded as 0x81 0x00 (not minimal), "a"
        let bytes = [1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0x81, 0x00, b'a'];
        let err = StringColumn::parse(&bytes, 0, bytes.len(), SectionKind::Titles).unwrap_err();
        assert!(err.to_string().contains("minimally"), "{err}");
        let bytes = [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0xff];
        let err = StringColumn::parse(&bytes, 0, bytes.len(), SectionKind::Titles).unwrap_err();
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }
}
