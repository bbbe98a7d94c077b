//! String tables: many strings stored once, read in place.
//!
//! Layout (little-endian): `count: u32`, then `count + 1` offsets `u32` (the first is 0, they
//! never decrease, the last equals the byte length), then the UTF-8 bytes of all strings
//! back to back. The section length must be exactly `4 + 4·(count+1) + bytes`.

use super::{PackError, SectionKind};

/// A validated string table inside a pack's bytes (offsets relative to the pack start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StringTable {
    /// Number of strings.
    pub count: u32,
    /// Where the offsets array starts.
    offsets_at: usize,
    /// Where the string bytes start.
    bytes_at: usize,
}

pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = bytes.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

impl StringTable {
    /// Validates the table stored in `bytes[start..start + len]`.
    pub fn parse(bytes: &[u8], start: usize, len: usize, kind: SectionKind) -> Result<StringTable, PackError> {
        let bad = |detail: String| PackError::BadStringTable { kind, detail };
        if len < 4 {
            return Err(bad(format!("{len} bytes is too short for the count")));
        }
        let count = read_u32(bytes, start);
        let offsets_len = (u64::from(count) + 1) * 4;
        if 4 + offsets_len > len as u64 {
            return Err(bad(format!("{count} strings need {offsets_len} offset bytes, the section has {len} bytes")));
        }
        let offsets_at = start + 4;
        let bytes_at = offsets_at + offsets_len as usize;
        let data_len = (start + len - bytes_at) as u64;
        let data = &bytes[bytes_at..start + len];
        let mut prev = 0u32;
        for i in 0..=count as usize {
            let off = read_u32(bytes, offsets_at + i * 4);
            if i == 0 && off != 0 {
                return Err(bad(format!("first offset is {off}, must be 0")));
            }
            if off < prev {
                return Err(bad(format!("offset {i} ({off}) is below offset {} ({prev})", i - 1)));
            }
            if u64::from(off) > data_len {
                return Err(bad(format!("offset {i} ({off}) is past the {data_len} string bytes")));
            }
            if i > 0 && std::str::from_utf8(&data[prev as usize..off as usize]).is_err() {
                return Err(bad(format!("string {} is not valid UTF-8", i - 1)));
            }
            prev = off;
        }
        if u64::from(prev) != data_len {
            return Err(bad(format!("last offset {prev} leaves {} unused bytes", data_len - u64::from(prev))));
        }
        Ok(StringTable { count, offsets_at, bytes_at })
    }

    /// String `i`, or `""` when `i` is out of range (callers index within validated counts).
    pub fn get<'a>(&self, bytes: &'a [u8], i: u32) -> &'a str {
        if i >= self.count {
            return "";
        }
        let from = read_u32(bytes, self.offsets_at + i as usize * 4) as usize;
        let to = read_u32(bytes, self.offsets_at + i as usize * 4 + 4) as usize;
        bytes
            .get(self.bytes_at + from..self.bytes_at + to)
            .and_then(|s| std::str::from_utf8(s).ok())
            .unwrap_or("")
    }
}

/// Appends a string table for `strings` to `out`.
pub(crate) fn write_string_table<S: AsRef<str>>(out: &mut Vec<u8>, strings: &[S]) {
    out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    let mut off = 0u32;
    out.extend_from_slice(&off.to_le_bytes());
    for s in strings {
        off += s.as_ref().len() as u32;
        out.extend_from_slice(&off.to_le_bytes());
    }
    for s in strings {
        out.extend_from_slice(s.as_ref().as_bytes());
    }
}
