//! Reading a pack file for the CLI (`inspect`, `recommend`) without trusting its size.
//!
//! [`read_pack_file`] reads the 40-byte header first and decodes it with the pack reader's own
//! [`read_header`] (layout: [`crate::pack::header`]): a file that is not a pack (`/dev/zero`,
//! a web page) is refused after 40 bytes. The length the header declares is then checked
//! against the file's size before the body is read, and a pack is never read past its declared
//! length, so memory is bounded by the smaller of the two.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::pack::read_header;
use crate::pack::{PackError, HEADER_LEN};

/// The largest pack the CLI reads: the wasm core addresses at most 4 GiB, so a larger pack
/// could never be opened in a browser.
pub const MAX_PACK_BYTES: u64 = u32::MAX as u64;

/// A pack file that could not be read: the file and what is wrong.
#[derive(Debug, Error)]
#[error("{path}: {problem}")]
pub struct PackFileError {
    /// File.
    pub path: PathBuf,
    /// What is wrong.
    pub problem: PackFileProblem,
}

/// What is wrong with a pack file.
#[derive(Debug, Error)]
pub enum PackFileProblem {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[source] io::Error),
    /// The header is not a pack's, or disagrees with the file's size.
    #[error("{source}")]
    Pack {
        /// What is wrong.
        source: PackError,
        /// The header's format version, when the magic was right.
        format_version: Option<u16>,
    },
    /// The header declares a pack larger than any the core can open.
    #[error("the header declares {0} bytes, more than the {MAX_PACK_BYTES} a pack may have")]
    TooLarge(u64),
}

impl PackFileProblem {
    /// The stable kind of [`PackError`] when the pack itself is at fault (`too_large` for
    /// [`PackFileProblem::TooLarge`]), `io` when the file could not be read.
    pub fn kind(&self) -> &'static str {
        match self {
            PackFileProblem::Io(_) => "io",
            PackFileProblem::Pack { source, .. } => source.kind(),
            PackFileProblem::TooLarge(_) => "too_large",
        }
    }

    /// The format version read from the header, when there is one.
    pub fn format_version(&self) -> Option<u16> {
        match self {
            PackFileProblem::Pack { format_version, .. } => *format_version,
            _ => None,
        }
    }
}

/// The length in bytes the 40-byte `header` declares for the whole pack. The header is
/// checked by [`read_header`], which, given only the header, stops at the body it lacks.
fn declared_len(header: &[u8]) -> Result<u64, PackError> {
    match read_header(header) {
        Err(PackError::Truncated { what: "body", needed, .. }) => Ok(needed),
        Err(e) => Err(e),
        // An empty body: read_header has checked all of it.
        Ok(_) => Ok(HEADER_LEN as u64),
    }
}

/// Reads a whole pack file after checking its header and declared size (see the module doc).
/// The bytes are not opened: [`crate::pack::Pack::open`] checks the rest.
pub fn read_pack_file(path: &Path) -> Result<Vec<u8>, PackFileError> {
    let fail = |problem| PackFileError { path: path.to_owned(), problem };
    let io_err = |source| fail(PackFileProblem::Io(source));
    let pack_err = |source: PackError, bytes: &[u8]| {
        let format_version = (bytes.len() >= 10 && bytes[..8] == crate::pack::MAGIC).then(|| u16::from_le_bytes([bytes[8], bytes[9]]));
        fail(PackFileProblem::Pack { source, format_version })
    };
    let mut file = File::open(path).map_err(io_err)?;
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    (&mut file).take(HEADER_LEN as u64).read_to_end(&mut bytes).map_err(io_err)?;
    let declared = declared_len(&bytes).map_err(|e| pack_err(e, &bytes))?;
    if declared > MAX_PACK_BYTES {
        return Err(fail(PackFileProblem::TooLarge(declared)));
    }
    let metadata = file.metadata().map_err(io_err)?;
    if metadata.is_file() {
        let actual = metadata.len();
        if declared > actual {
            return Err(pack_err(PackError::Truncated { what: "body", needed: declared, available: actual }, &bytes));
        }
        if declared < actual {
            return Err(pack_err(PackError::TrailingBytes { expected: declared, actual }, &bytes));
        }
        bytes.reserve_exact((declared - HEADER_LEN as u64) as usize);
    }
    // One byte more than declared tells a longer stream (a pipe, a device) from an exact one.
    file.take(declared + 1 - HEADER_LEN as u64).read_to_end(&mut bytes).map_err(io_err)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_header_declaring_more_than_the_file_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.pack");
        // A valid header announcing a 1 TB body, and 100 bytes.
        let mut bytes = crate::pack::MAGIC.to_vec();
        bytes.extend_from_slice(&crate::pack::FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&40u16.to_le_bytes());
        bytes.extend_from_slice(&[0; 8]);
        bytes.extend_from_slice(&5u32.to_le_bytes());
        bytes.extend_from_slice(&1_000_000_000_000u64.to_le_bytes());
        bytes.extend_from_slice(&[0; 8]);
        bytes.resize(140, 0);
        std::fs::write(&path, &bytes).unwrap();
        let err = read_pack_file(&path).unwrap_err();
        assert!(matches!(err.problem, PackFileProblem::TooLarge(1_000_000_000_040)), "{err}");
        bytes[24..32].copy_from_slice(&1000u64.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let err = read_pack_file(&path).unwrap_err();
        assert_eq!(err.problem.kind(), "truncated");
        assert_eq!(err.problem.format_version(), Some(crate::pack::FORMAT_VERSION));
        assert!(err.to_string().ends_with("truncated body: needs 1040 bytes, only 140 present"), "{err}");
    }

    #[test]
    fn dev_zero_is_refused_after_its_first_40_bytes() {
        let err = read_pack_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(err.problem.kind(), "bad_magic");
        assert_eq!(err.problem.format_version(), None);
    }
}
