//! The one error type of the core, with a stable machine-readable [`CoreError::kind`].
//!
//! The wasm bindings turn every `CoreError` into a JS `Error` named `ShelfwiseError` whose
//! `kind` property is [`CoreError::kind`]; the CLI prints the `Display` text. Nothing in the
//! core panics on bad input: it returns one of these. Messages quote input with
//! [`crate::limits::echo`]: at most 64 characters of it, then its length.

use thiserror::Error;

use crate::limits::echo;
use crate::measurement::MeasurementError;
use crate::pack::shard::ChunkError;
use crate::pack::PackError;

/// Everything that can go wrong in the core, with enough detail to say what and where.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The pack bytes could not be opened.
    #[error("invalid pack: {0}")]
    Pack(#[from] PackError),
    /// A sharded pack's bootstrap or chunk could not be used.
    #[error("invalid sharded pack: {0}")]
    Chunk(#[from] ChunkError),
    /// A measurement record, setting or report could not be used.
    #[error(transparent)]
    Measurement(#[from] MeasurementError),
    /// An event or request named an item id that the pack does not contain.
    #[error("unknown item id {}: it is not in this pack", echo(.id))]
    UnknownItem {
        /// The id as given.
        id: String,
    },
    /// An event type name that is not one of the documented kinds.
    #[error("unknown event type {}; expected one of view, click, add_to_cart, remove_from_cart, purchase, search", echo(.found))]
    UnknownEventKind {
        /// The name as given.
        found: String,
    },
    /// A numeric argument was outside its allowed range (or not a number).
    #[error("{name} = {value} is out of range: {expected}")]
    OutOfRange {
        /// Which argument.
        name: &'static str,
        /// The value as given, rendered.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// An event that needs an item came without one.
    #[error("a {kind} event needs an item id")]
    MissingItem {
        /// The event kind.
        kind: &'static str,
    },
    /// A shelf kind that is not one of the documented kinds.
    #[error("unknown shelf kind {}; expected one of for-you, discovery, buy-again, because-you-viewed, similar, visually-similar, bought-together, trending, trending-in-categories, recently-viewed, new-for-you", echo(.found))]
    UnknownShelf {
        /// The name as given.
        found: String,
    },
    /// A request named a category that the pack does not contain.
    #[error("unknown category {}: it is not in this pack", echo(.name))]
    UnknownCategory {
        /// The name as given.
        name: String,
    },
    /// A request named a brand that the pack does not contain.
    #[error("unknown brand {}: it is not in this pack", echo(.name))]
    UnknownBrand {
        /// The name as given.
        name: String,
    },
    /// A shelf that needs context (the product on the page, the cart) was asked for without it.
    #[error("the {shelf} shelf needs {needs}")]
    MissingContext {
        /// The shelf kind.
        shelf: &'static str,
        /// What it needs, in words.
        needs: &'static str,
    },
    /// A shelf this pack cannot make: it lacks the data the shelf ranks by (e.g.
    /// `visually-similar` in a pack built without image vectors).
    #[error("the {shelf} shelf is not supported by this pack: it needs {needs}")]
    Unsupported {
        /// The shelf kind.
        shelf: &'static str,
        /// What the pack lacks, in words.
        needs: &'static str,
    },
    /// The request could not be read (e.g. a malformed JS object).
    #[error("invalid argument {name}: {detail}")]
    InvalidArgument {
        /// Which argument.
        name: &'static str,
        /// What is wrong with it.
        detail: String,
    },
}

impl CoreError {
    /// A stable, machine-readable name for the error (`"bad_checksum"`, `"unknown_item"` …).
    pub fn kind(&self) -> &'static str {
        match self {
            CoreError::Pack(e) => e.kind(),
            CoreError::Chunk(e) => e.kind(),
            CoreError::Measurement(e) => e.kind(),
            CoreError::UnknownItem { .. } => "unknown_item",
            CoreError::UnknownEventKind { .. } => "unknown_event_kind",
            CoreError::OutOfRange { .. } => "out_of_range",
            CoreError::MissingItem { .. } => "missing_item",
            CoreError::InvalidArgument { .. } => "invalid_argument",
            CoreError::UnknownShelf { .. } => "unknown_shelf",
            CoreError::UnknownCategory { .. } => "unknown_category",
            CoreError::UnknownBrand { .. } => "unknown_brand",
            CoreError::MissingContext { .. } => "missing_context",
            CoreError::Unsupported { .. } => "unsupported",
        }
    }
}
