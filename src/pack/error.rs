//! [`PackError`]: every way a pack can be malformed, each with where and what.

use thiserror::Error;

use super::SectionKind;

/// A pack could not be opened or written. Each variant names the place (offset, section, item)
/// and the values that disagree, so that a bad file can be diagnosed from the message alone.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PackError {
    /// Fewer bytes than the part being read needs.
    #[error("truncated {what}: needs {needed} bytes, only {available} present")]
    Truncated {
        /// Which part ("header", "body", "section table").
        what: &'static str,
        /// Bytes needed.
        needed: u64,
        /// Bytes present.
        available: u64,
    },
    /// The first eight bytes are not the Shelfwise magic.
    #[error("bad magic {found:02x?}: not a Shelfwise pack (expected {expected:02x?})")]
    BadMagic {
        /// The bytes found.
        found: [u8; 8],
        /// The magic expected.
        expected: [u8; 8],
    },
    /// The format version is not one this reader understands.
    #[error("pack format version {found} is not supported: this reader reads versions {oldest} to {newest}{hint}")]
    UnsupportedVersion {
        /// Version in the file.
        found: u16,
        /// Oldest version this reader supports.
        oldest: u16,
        /// Newest version this reader supports.
        newest: u16,
        /// What to do about it.
        hint: &'static str,
    },
    /// A fixed header field has a value the format does not allow.
    #[error("bad header field {field} at byte {offset}: {value} (expected {expected})")]
    BadHeader {
        /// Field name.
        field: &'static str,
        /// Byte offset of the field.
        offset: usize,
        /// Value found.
        value: u64,
        /// Value expected.
        expected: u64,
    },
    /// More bytes than the header announces.
    #[error("trailing bytes: the header announces {expected} bytes but the input has {actual}")]
    TrailingBytes {
        /// Length announced by the header.
        expected: u64,
        /// Actual input length.
        actual: u64,
    },
    /// The checksum of the body does not match the header.
    #[error("checksum mismatch: header says crc32 {stored:#010x}, body has {computed:#010x} (the pack is corrupt)")]
    ChecksumMismatch {
        /// CRC-32 in the header.
        stored: u32,
        /// CRC-32 of the bytes present.
        computed: u32,
    },
    /// The section table is inconsistent (unknown kind, order, flags).
    #[error("bad section table entry {index}: {detail}")]
    BadSectionTable {
        /// Entry number in the table.
        index: usize,
        /// What is wrong.
        detail: String,
    },
    /// A section does not lie where the format puts it, or not inside the file.
    #[error("section {kind} out of range: offset {offset} length {len} (expected offset {expected_offset}, file length {file_len})")]
    SectionOutOfRange {
        /// Section kind.
        kind: SectionKind,
        /// Offset in the table.
        offset: u64,
        /// Length in the table.
        len: u64,
        /// Where the section must start.
        expected_offset: u64,
        /// Total input length.
        file_len: u64,
    },
    /// A required section is absent.
    #[error("missing section {kind}")]
    MissingSection {
        /// Which one.
        kind: SectionKind,
    },
    /// A section's size disagrees with the counts in the meta section.
    #[error("section {kind} has {found} bytes but {expected} are needed for its counts")]
    CountMismatch {
        /// Section kind.
        kind: SectionKind,
        /// Bytes needed.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// A string table is malformed.
    #[error("bad string table in section {kind}: {detail}")]
    BadStringTable {
        /// Section kind.
        kind: SectionKind,
        /// What is wrong.
        detail: String,
    },
    /// A value inside a section is outside its allowed range.
    #[error("bad value in section {kind} at entry {index}: {detail}")]
    BadValue {
        /// Section kind.
        kind: SectionKind,
        /// Entry (item, dimension …) number.
        index: u64,
        /// What is wrong.
        detail: String,
    },
    /// Two items share an id.
    #[error("duplicate item id {id:?}")]
    DuplicateItemId {
        /// The repeated id.
        id: String,
    },
    /// Contents handed to the encoder break a rule of the format (before any byte is written).
    #[error("cannot encode the pack: {detail}")]
    InvalidContents {
        /// What is wrong, naming the item or field.
        detail: String,
    },
}

impl PackError {
    /// A stable, machine-readable name of the error.
    pub fn kind(&self) -> &'static str {
        match self {
            PackError::Truncated { .. } => "truncated",
            PackError::BadMagic { .. } => "bad_magic",
            PackError::UnsupportedVersion { .. } => "unsupported_version",
            PackError::BadHeader { .. } => "bad_header",
            PackError::TrailingBytes { .. } => "trailing_bytes",
            PackError::ChecksumMismatch { .. } => "bad_checksum",
            PackError::BadSectionTable { .. } => "bad_section_table",
            PackError::SectionOutOfRange { .. } => "section_out_of_range",
            PackError::MissingSection { .. } => "missing_section",
            PackError::CountMismatch { .. } => "count_mismatch",
            PackError::BadStringTable { .. } => "bad_string_table",
            PackError::BadValue { .. } => "bad_value",
            PackError::DuplicateItemId { .. } => "duplicate_item_id",
            PackError::InvalidContents { .. } => "invalid_contents",
        }
    }
}
