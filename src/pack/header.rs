//! The pack's fixed 40-byte header: its layout, decoder ([`read_header`]), encoder
//! ([`write_header`]) and checksum ([`pack_checksum`]).
//!
//! # Layout (format version 4)
//!
//! All integers are little-endian; offsets count from the start of the file.
//!
//! ```text
//! offset size field            value
//!   0     8   magic            "SHLFPACK" (53 48 4c 46 50 41 43 4b)
//!   8     2   format_version   u16 = 4
//!  10     2   header_len       u16 = 40
//!  12     6   builder_version  u16 major, u16 minor, u16 patch of the shelfwise that wrote it
//!  18     2   reserved         0
//!  20     4   section_count    u32: 5 (the required sections) to 25
//!  24     8   body_len         u64: file length − 40
//!  32     4   checksum         u32: CRC-32 (IEEE) of bytes 0..32 followed by bytes 36..end,
//!                              i.e. of the whole file except this field
//!  36     4   reserved         0
//! ```
//!
//! [`read_header`] checks, in this order, and reports the first violation as a [`PackError`]:
//! the magic (`bad_magic`; `truncated` for a prefix of it), the format version against
//! [`OLDEST_SUPPORTED_VERSION`]..=[`FORMAT_VERSION`] (`unsupported_version`: a newer pack
//! may checksum differently, so this comes before the checksum), the 40 bytes
//! (`truncated`), header_len (`bad_header`), body_len against the input's length
//! (`truncated` / `trailing_bytes`), the checksum (`bad_checksum`), then the reserved fields
//! and section_count (`bad_header`). Every header byte but the checksum's own is covered by
//! the checksum, so a damaged builder version or reserved field is a `bad_checksum`, and a
//! field rewritten with the checksum repaired is still refused by its own rule.
//!
//! Version history: 4 extends the checksum from the body (bytes 40..end) to the whole file;
//! 3 blocked the embeddings in chunks of 4 items × groups of 4 dimensions; 2 blocked them per
//! 16 items; 1 stored them row-major. Versions below 4 are refused with a hint to rebuild.

use std::cmp::Ordering;

use super::crc::{crc32_finish, crc32_update, CRC32_INIT};
use super::le::{read_u16, read_u32, read_u64};
use super::sections::SectionKind;
use super::PackError;

/// The eight bytes every pack starts with.
pub const MAGIC: [u8; 8] = *b"SHLFPACK";
/// The format version this code writes.
pub const FORMAT_VERSION: u16 = 4;
/// The oldest format version this code still reads (see the version history above: packs are
/// build artifacts, rebuilt from the shop's data in seconds, so older ones are refused).
pub const OLDEST_SUPPORTED_VERSION: u16 = 4;
/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 40;
/// Where the checksum field lies in the header (4 bytes).
pub const CHECKSUM_AT: usize = 32;

/// The fixed header of a pack, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Format version of the file.
    pub format_version: u16,
    /// Version of the builder that wrote it (major, minor, patch).
    pub builder_version: (u16, u16, u16),
    /// Number of sections.
    pub section_count: u32,
    /// Bytes after the header.
    pub body_len: u64,
    /// CRC-32 of the whole file except the checksum field, as stored (and verified).
    pub checksum: u32,
}

/// CRC-32 (IEEE) of `bytes` with the four bytes at `field_at` (a checksum field) left out:
/// the checksum of a pack (`field_at` = [`CHECKSUM_AT`]) or of any file laid out like one.
pub fn checksum_skipping(bytes: &[u8], field_at: usize) -> u32 {
    let head = bytes.get(..field_at).unwrap_or(bytes);
    let tail = bytes.get(field_at.saturating_add(4)..).unwrap_or(&[]);
    // One call site of the table loop (two would inline it twice into the wasm module).
    crc32_finish([head, tail].into_iter().fold(CRC32_INIT, crc32_update))
}

/// The checksum a pack's header stores: CRC-32 of the whole pack except the checksum field.
pub fn pack_checksum(bytes: &[u8]) -> u32 {
    checksum_skipping(bytes, CHECKSUM_AT)
}

/// Decodes and checks the 40-byte header against the whole input (see the module doc).
pub fn read_header(bytes: &[u8]) -> Result<Header, PackError> {
    let format_version = check_magic_and_version(bytes)?;
    let available = bytes.len() as u64;
    if bytes.len() < HEADER_LEN {
        return Err(PackError::Truncated { what: "header", needed: HEADER_LEN as u64, available });
    }
    expect_field("header_len", 10, u64::from(read_u16(bytes, 10)), HEADER_LEN as u64)?;
    let body_len = read_u64(bytes, 24);
    let expected_len = (HEADER_LEN as u64).saturating_add(body_len);
    match expected_len.cmp(&available) {
        Ordering::Greater => return Err(PackError::Truncated { what: "body", needed: expected_len, available }),
        Ordering::Less => return Err(PackError::TrailingBytes { expected: expected_len, actual: available }),
        Ordering::Equal => {}
    }
    let stored = read_u32(bytes, CHECKSUM_AT);
    let computed = pack_checksum(bytes);
    if stored != computed {
        return Err(PackError::ChecksumMismatch { stored, computed });
    }
    expect_field("reserved", 18, u64::from(read_u16(bytes, 18)), 0)?;
    expect_field("reserved", 36, u64::from(read_u32(bytes, 36)), 0)?;
    let section_count = read_u32(bytes, 20);
    let required = SectionKind::ALL.iter().filter(|k| k.is_required()).count() as u32;
    if !(required..=SectionKind::ALL.len() as u32).contains(&section_count) {
        return Err(PackError::BadHeader {
            field: "section_count",
            offset: 20,
            value: u64::from(section_count),
            expected: u64::from(required),
        });
    }
    Ok(Header {
        format_version,
        builder_version: (read_u16(bytes, 12), read_u16(bytes, 14), read_u16(bytes, 16)),
        section_count,
        body_len,
        checksum: stored,
    })
}

/// Checks the magic and the format version (the first 10 bytes) and returns the version.
fn check_magic_and_version(bytes: &[u8]) -> Result<u16, PackError> {
    let truncated = || PackError::Truncated { what: "header", needed: HEADER_LEN as u64, available: bytes.len() as u64 };
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
            return Err(truncated());
        }
        let mut found = [0u8; 8];
        found.iter_mut().zip(bytes).for_each(|(f, b)| *f = *b);
        return Err(PackError::BadMagic { found, expected: MAGIC });
    }
    if bytes.len() < 10 {
        return Err(truncated());
    }
    let format_version = read_u16(bytes, 8);
    if !(OLDEST_SUPPORTED_VERSION..=FORMAT_VERSION).contains(&format_version) {
        let hint = if format_version > FORMAT_VERSION {
            "; the pack was built by a newer Shelfwise: upgrade the runtime"
        } else {
            "; rebuild the pack with this Shelfwise"
        };
        return Err(PackError::UnsupportedVersion {
            found: format_version,
            oldest: OLDEST_SUPPORTED_VERSION,
            newest: FORMAT_VERSION,
            hint,
        });
    }
    Ok(format_version)
}

fn expect_field(field: &'static str, offset: usize, value: u64, expected: u64) -> Result<(), PackError> {
    if value == expected {
        Ok(())
    } else {
        Err(PackError::BadHeader { field, offset, value, expected })
    }
}

/// Writes the header into `out[..40]` for a pack whose section table and sections already
/// follow it in `out`, checksum last (over everything else).
pub(crate) fn write_header(out: &mut [u8], builder_version: (u16, u16, u16), section_count: u32) {
    let (major, minor, patch) = builder_version;
    let body_len = (out.len() - HEADER_LEN) as u64;
    out[..8].copy_from_slice(&MAGIC);
    out[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    out[10..12].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
    out[12..14].copy_from_slice(&major.to_le_bytes());
    out[14..16].copy_from_slice(&minor.to_le_bytes());
    out[16..18].copy_from_slice(&patch.to_le_bytes());
    out[18..20].fill(0);
    out[20..24].copy_from_slice(&section_count.to_le_bytes());
    out[24..32].copy_from_slice(&body_len.to_le_bytes());
    out[36..40].fill(0);
    let checksum = pack_checksum(out);
    out[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&checksum.to_le_bytes());
}
