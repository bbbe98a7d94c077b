//! The sharded layout: a small bootstrap file plus content-hashed chunks fetched on demand.
//!
//! A shop too large to send whole (`docs/PACK_FORMAT.md`, "Sharded layout") is written as a
//! folder: `bootstrap.shard` (the manifest, the IVF centroids, the shop's names and rules, and
//! the full records of its most popular and trending items) and one file per chunk, named by
//! its content hash. [`bootstrap`] decodes the bootstrap, [`records`] the item records that
//! partition chunks (and the bootstrap) carry, [`directory`] the id-range chunks that say which
//! partition holds an item, and [`working`] assembles the bootstrap and the chunks fetched so
//! far into an ordinary pack, so that ranking goes through the one `Engine::shelf` path.
//! Item records carry the pack's sales rates (section 23) when the pack has them (bit 0 of the
//! bootstrap's `flags`), so trending shelves rank the same in both layouts.
//!
//! Every file starts with the same 32-byte header (little-endian):
//!
//! ```text
//! 0   8  magic          "SHLFBOOT" (bootstrap) or "SHLFCHNK" (chunk)
//! 8   2  format_version u16, SHARD_FORMAT_VERSION (2)
//! 10  2  kind           u16: 0 bootstrap, 1 partition, 2 directory
//! 12  4  chunk_index    u32: the chunk's place in the manifest (0 for the bootstrap)
//! 16  8  body_len       u64: file length − 32
//! 24  4  crc32          u32: CRC-32 (IEEE) of the whole file except these 4 bytes
//! 28  4  reserved       0
//! ```
//!
//! The checksum is the pack's own (`checksum_skipping`, as the v4 pack header stores it): it
//! covers the header too, so a flipped kind, index, length or reserved byte is caught as well
//! as a damaged body. A chunk must also match its manifest entry: same kind, index, length and
//! 64-bit content hash ([`content_hash`], FNV-1a over the whole file), so a chunk of another
//! build is refused even when its own checksum is fine.

pub mod bootstrap;
pub mod directory;
pub mod records;
pub mod working;

use thiserror::Error;

use super::{checksum_skipping, PackError};

/// Where the checksum field sits in the common header.
pub const SHARD_CHECKSUM_AT: usize = 24;

/// First eight bytes of a bootstrap file.
pub const BOOTSTRAP_MAGIC: [u8; 8] = *b"SHLFBOOT";
/// First eight bytes of a chunk file.
pub const CHUNK_MAGIC: [u8; 8] = *b"SHLFCHNK";
/// The sharded layout's format version this code reads and writes. Version 2 added the sales
/// rates to item records (and the bootstrap's `flags` that says they are there); version 1
/// files are refused with "rebuild the pack", as their records lack a field.
pub const SHARD_FORMAT_VERSION: u16 = 2;
/// Bytes in the common header of the bootstrap and every chunk.
pub const SHARD_HEADER_LEN: usize = 32;

/// What a sharded file holds (the header's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChunkKind {
    /// The bootstrap: manifest, centroids, names, rules, popular items.
    Bootstrap = 0,
    /// The item records of one IVF partition.
    Partition = 1,
    /// Item ids of one id range and the partition of each.
    Directory = 2,
}

impl ChunkKind {
    /// The kind with this header value.
    pub fn from_u16(value: u16) -> Option<ChunkKind> {
        match value {
            0 => Some(ChunkKind::Bootstrap),
            1 => Some(ChunkKind::Partition),
            2 => Some(ChunkKind::Directory),
            _ => None,
        }
    }

    /// Short name used in chunk file names and messages.
    pub fn name(self) -> &'static str {
        match self {
            ChunkKind::Bootstrap => "bootstrap",
            ChunkKind::Partition => "partition",
            ChunkKind::Directory => "directory",
        }
    }
}

/// A bootstrap or chunk could not be used. Each variant says which file and what is wrong.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ChunkError {
    /// Fewer bytes than the header or a field needs.
    #[error("{file}: truncated {what}: needs {needed} bytes, only {available} present")]
    Truncated {
        /// Which file ("bootstrap", "chunk 12").
        file: String,
        /// Which part.
        what: &'static str,
        /// Bytes needed.
        needed: u64,
        /// Bytes present.
        available: u64,
    },
    /// Not a Shelfwise bootstrap or chunk.
    #[error("{file}: bad magic {found:02x?} (expected {expected:02x?})")]
    BadMagic {
        /// Which file.
        file: String,
        /// The bytes found.
        found: [u8; 8],
        /// The magic expected.
        expected: [u8; 8],
    },
    /// A sharded format version this reader does not read.
    #[error("{file}: sharded format version {found} is not supported: this reader reads version {SHARD_FORMAT_VERSION}; rebuild the pack with this Shelfwise")]
    UnsupportedVersion {
        /// Which file.
        file: String,
        /// Version in the file.
        found: u16,
    },
    /// A header field has a value the format does not allow.
    #[error("{file}: bad header field {field}: {value} (expected {expected})")]
    BadHeader {
        /// Which file.
        file: String,
        /// Field name.
        field: &'static str,
        /// Value found.
        value: u64,
        /// Value expected.
        expected: u64,
    },
    /// The checksum does not match the header and body.
    #[error("{file}: checksum mismatch: header says crc32 {stored:#010x}, bytes give {computed:#010x} (the file is corrupt)")]
    ChecksumMismatch {
        /// Which file.
        file: String,
        /// CRC-32 in the header.
        stored: u32,
        /// CRC-32 of the bytes present.
        computed: u32,
    },
    /// A chunk that is not the one the manifest names (another build, or the wrong file).
    #[error("{file}: does not match the manifest: {detail}")]
    ManifestMismatch {
        /// Which file.
        file: String,
        /// What differs.
        detail: String,
    },
    /// A value inside a body is out of range.
    #[error("{file}: bad value in {field}: {detail}")]
    BadValue {
        /// Which file.
        file: String,
        /// Which field.
        field: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A string column or the rules inside a body are malformed (the pack's own checks).
    #[error("{file}: {source}")]
    Pack {
        /// Which file.
        file: String,
        /// What the pack decoder found.
        source: PackError,
    },
}

impl ChunkError {
    /// A stable, machine-readable name of the error (the JS `ShelfwiseError.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            ChunkError::Truncated { .. } => "truncated",
            ChunkError::BadMagic { .. } => "bad_magic",
            ChunkError::UnsupportedVersion { .. } => "unsupported_version",
            ChunkError::BadHeader { .. } => "bad_header",
            ChunkError::ChecksumMismatch { .. } => "bad_checksum",
            ChunkError::ManifestMismatch { .. } => "chunk_mismatch",
            ChunkError::BadValue { .. } => "bad_value",
            ChunkError::Pack { source, .. } => source.kind(),
        }
    }
}

/// The name used for a file in messages: `"bootstrap"` or `"chunk N"`.
pub fn file_name(kind: ChunkKind, index: u32) -> String {
    match kind {
        ChunkKind::Bootstrap => "bootstrap".to_owned(),
        _ => format!("chunk {index}"),
    }
}

/// 64-bit FNV-1a of `bytes`: the content hash that names a chunk file.
pub fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Wraps `body` in the common header.
pub(crate) fn seal(kind: ChunkKind, index: u32, body: &[u8]) -> Vec<u8> {
    let magic = if kind == ChunkKind::Bootstrap { BOOTSTRAP_MAGIC } else { CHUNK_MAGIC };
    let mut out = Vec::with_capacity(SHARD_HEADER_LEN + body.len());
    out.extend_from_slice(&magic);
    out.extend_from_slice(&SHARD_FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(kind as u16).to_le_bytes());
    out.extend_from_slice(&index.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&[0; 8]); // the checksum, then reserved
    out.extend_from_slice(body);
    let crc = checksum_skipping(&out, SHARD_CHECKSUM_AT);
    out[SHARD_CHECKSUM_AT..SHARD_CHECKSUM_AT + 4].copy_from_slice(&crc.to_le_bytes());
    out
}

/// Checks the common header of a file that should be `kind` number `index` and returns its
/// body. Checks, in order: length, magic, version, kind, index, body length, reserved, CRC-32.
pub(crate) fn unseal(bytes: &[u8], kind: ChunkKind, index: u32) -> Result<&[u8], ChunkError> {
    let file = file_name(kind, index);
    if bytes.len() < SHARD_HEADER_LEN {
        return Err(ChunkError::Truncated { file, what: "header", needed: SHARD_HEADER_LEN as u64, available: bytes.len() as u64 });
    }
    let mut r = Cursor::new(&bytes[..SHARD_HEADER_LEN], file.clone());
    let magic: [u8; 8] = r.take(8, "magic")?.try_into().unwrap_or_default();
    let expected = if kind == ChunkKind::Bootstrap { BOOTSTRAP_MAGIC } else { CHUNK_MAGIC };
    if magic != expected {
        return Err(ChunkError::BadMagic { file, found: magic, expected });
    }
    let version = r.u16("format_version")?;
    if version != SHARD_FORMAT_VERSION {
        return Err(ChunkError::UnsupportedVersion { file, found: version });
    }
    let bad = |field, value: u64, expected: u64| ChunkError::BadHeader { file: file.clone(), field, value, expected };
    let found_kind = r.u16("kind")?;
    if found_kind != kind as u16 {
        return Err(bad("kind", found_kind.into(), kind as u64));
    }
    let found_index = r.u32("chunk_index")?;
    if found_index != index {
        return Err(bad("chunk_index", found_index.into(), index.into()));
    }
    let body_len = r.u64("body_len")?;
    let actual = (bytes.len() - SHARD_HEADER_LEN) as u64;
    if body_len > actual {
        return Err(ChunkError::Truncated { file, what: "body", needed: body_len, available: actual });
    }
    if body_len < actual {
        return Err(bad("body_len", body_len, actual));
    }
    let stored = r.u32("crc32")?;
    let reserved = r.u32("reserved")?;
    if reserved != 0 {
        return Err(bad("reserved", reserved.into(), 0));
    }
    let body = &bytes[SHARD_HEADER_LEN..];
    let computed = checksum_skipping(bytes, SHARD_CHECKSUM_AT);
    if computed != stored {
        return Err(ChunkError::ChecksumMismatch { file, stored, computed });
    }
    Ok(body)
}

/// Reads little-endian fields from a body in order; every read is bounds-checked and names
/// the field it was reading when the bytes run out.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    file: String,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], file: String) -> Cursor<'a> {
        Cursor { bytes, at: 0, file }
    }

    pub(crate) fn file(&self) -> String {
        self.file.clone()
    }

    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ChunkError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(ChunkError::Truncated {
                file: self.file.clone(),
                what,
                needed: (self.at as u64).saturating_add(n as u64),
                available: self.bytes.len() as u64,
            });
        };
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    /// `count × width` bytes, with the multiplication checked.
    pub(crate) fn array(&mut self, count: usize, width: usize, what: &'static str) -> Result<&'a [u8], ChunkError> {
        let n = count.checked_mul(width).ok_or_else(|| self.bad(what, format!("{count} × {width} bytes overflows")))?;
        self.take(n, what)
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, ChunkError> {
        Ok(u16::from_le_bytes(self.take(2, what)?.try_into().unwrap_or_default()))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, ChunkError> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap_or_default()))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, ChunkError> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().unwrap_or_default()))
    }

    /// A string column (see `strings.rs`), decoded into owned strings.
    pub(crate) fn strings(&mut self, what: &'static str, kind: super::SectionKind) -> Result<Vec<String>, ChunkError> {
        let rest = &self.bytes[self.at..];
        let len = super::strings::column_len(rest).map_err(|source| ChunkError::Pack { file: self.file.clone(), source })?;
        let bytes = self.take(len, what)?;
        let column = super::strings::StringColumn::parse(bytes, 0, len, kind)
            .map_err(|source| ChunkError::Pack { file: self.file.clone(), source })?;
        Ok((0..column.count).map(|i| column.get(bytes, i).to_owned()).collect())
    }

    pub(crate) fn bad(&self, field: &'static str, detail: String) -> ChunkError {
        ChunkError::BadValue { file: self.file.clone(), field, detail }
    }

    /// Fails unless every byte was read.
    pub(crate) fn finish(self) -> Result<(), ChunkError> {
        if self.at != self.bytes.len() {
            return Err(self.bad("body", format!("{} bytes after the last field", self.bytes.len() - self.at)));
        }
        Ok(())
    }
}

/// Little-endian words of a slice read by [`Cursor::array`].
pub(crate) fn words<const N: usize>(bytes: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    bytes.chunks_exact(N).map(|c| c.try_into().unwrap_or([0; N]))
}
