//! [`FileError`]: a file or folder the builder could not read, write or create, named with
//! the line when the failure was at one. One type for the builder, the report reader, the
//! collector and the CLI.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// What was being done to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAction {
    /// Opening or reading it.
    Read,
    /// Opening or reading a pack file.
    ReadPack,
    /// Creating or writing it.
    Write,
    /// Creating the folder (and its parents).
    CreateFolder,
}

impl fmt::Display for FileAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileAction::Read => "cannot read",
            FileAction::ReadPack => "cannot read the pack",
            FileAction::Write => "cannot write",
            FileAction::CreateFolder => "cannot create folder",
        })
    }
}

/// A file or folder that could not be read, written or created: `path[:line]: action: cause`.
#[derive(Debug, Error)]
#[error("{}{}: {action}: {source}", path.display(), line.map(|n| format!(":{n}")).unwrap_or_default())]
pub struct FileError {
    /// The file or folder.
    pub path: PathBuf,
    /// The 1-based line, when reading failed part-way through a text file.
    pub line: Option<u64>,
    /// What was being done.
    pub action: FileAction,
    /// The cause.
    pub source: io::Error,
}

impl FileError {
    /// For `map_err`: `path` could not be done `action` to.
    pub fn at(path: &Path, action: FileAction) -> impl FnOnce(io::Error) -> FileError + '_ {
        move |source| FileError { path: path.to_owned(), line: None, action, source }
    }

    /// For `map_err`: `path` could not be read.
    pub fn read(path: &Path) -> impl FnOnce(io::Error) -> FileError + '_ {
        FileError::at(path, FileAction::Read)
    }

    /// For `map_err`: `path` could not be written.
    pub fn write(path: &Path) -> impl FnOnce(io::Error) -> FileError + '_ {
        FileError::at(path, FileAction::Write)
    }
}

/// Creates the folder `path` will be written into (and its parents), if it has one.
pub fn create_parent_folder(path: &Path) -> Result<(), FileError> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).map_err(FileError::at(dir, FileAction::CreateFolder)),
        None => Ok(()),
    }
}
