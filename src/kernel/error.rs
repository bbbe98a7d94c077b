//! [`KernelError`]: why a view of the blocked codes, or a query against it, was refused.

use std::fmt;

use super::layout::{blocked_len, MAX_KERNEL_DIM};

/// Why a block view was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The section does not hold `ceil(items / 16) · 16 · ceil(dim / 4) · 4` bytes.
    BlockedLength {
        /// Items declared.
        items: usize,
        /// Dimension declared.
        dim: usize,
        /// Bytes present.
        len: usize,
    },
    /// The item sums are not one per item slot (padding included).
    SumsLength {
        /// Item slots of the blocks.
        slots: usize,
        /// Sums given.
        len: usize,
    },
    /// The query has a different number of codes than the items have dimensions.
    QueryDim {
        /// Codes in the query.
        query: usize,
        /// Dimension of the items.
        dim: usize,
    },
    /// The dimension exceeds [`MAX_KERNEL_DIM`], so a score could overflow.
    DimTooLarge {
        /// The refused dimension.
        dim: usize,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::BlockedLength { items, dim, len } => {
                write!(f, "blocked codes for {items} items of dimension {dim} need {} bytes, found {len}", blocked_len(*items, *dim))
            }
            KernelError::SumsLength { slots, len } => {
                write!(f, "{slots} item slots need {slots} code sums, found {len}")
            }
            KernelError::QueryDim { query, dim } => {
                write!(f, "the query has {query} codes but the items have dimension {dim}")
            }
            KernelError::DimTooLarge { dim } => {
                write!(f, "dimension {dim} is over {MAX_KERNEL_DIM}: scores could overflow i32")
            }
        }
    }
}

impl std::error::Error for KernelError {}
