//! The pack: one versioned, checksummed binary file with everything the browser needs.
//!
//! [`Pack::open`] reads a pack in place from its bytes (see [`reader`] for the byte-by-byte
//! layout, also in `docs/PACK_FORMAT.md`); [`PackContents::encode`] writes one. Opening checks
//! every length against the bytes present and every count against the meta section, so a
//! decoded pack can be indexed without further checks and never panics.

mod crc;
mod error;
mod quantize;
pub mod reader;
mod rules;
pub mod shard;
mod strings;
mod writer;

use std::fmt;

pub use crc::crc32;
pub use error::PackError;
pub use quantize::{quantize_per_dimension, Quantized};
pub use reader::Pack;
pub use rules::{PackRule, RuleAction, RuleTarget};
pub use writer::{crate_version, PackContents, PackItem, UrlTemplates};

/// The eight bytes every pack starts with.
pub const MAGIC: [u8; 8] = *b"SHLFPACK";
/// The format version this code writes.
pub const FORMAT_VERSION: u16 = 3;
/// The oldest format version this code still reads. Version 1 (row-major embeddings, `u32`
/// string offsets, no neighbour lists) and version 2 (byte-wide embedding codes,
/// dimension-major per block) are refused with a hint to rebuild the pack.
pub const OLDEST_SUPPORTED_VERSION: u16 = 3;
/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 40;
/// Size of one section-table entry in bytes.
pub const SECTION_ENTRY_LEN: usize = 24;
/// Sections start at offsets that are multiples of this.
pub const SECTION_ALIGN: usize = 8;
/// Largest embedding dimension a pack may declare.
pub const MAX_DIM: u32 = 1024;
/// Items per block of the blocked embedding codes.
pub const BLOCK_ITEMS: usize = crate::kernel::LANES;
/// Longest neighbour or bought-together list per item.
pub const MAX_LIST_LEN: u16 = 256;
/// Most categories or brands a pack may name (indices are `u16`).
pub const MAX_NAMES: u32 = 65_535;
/// Marks an unused slot in a neighbour or bought-together list.
pub const NO_ITEM: u32 = u32::MAX;

/// What a section holds. The numeric value is what the section table stores; kinds appear in
/// increasing order, each at most once; [`SectionKind::is_required`] ones always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum SectionKind {
    /// Counts, dimension, list lengths, build time.
    Meta = 1,
    /// Item ids (string column), strictly increasing by bytes.
    ItemIds = 2,
    /// Display titles (string column); absent: the id is the title.
    Titles = 3,
    /// Category names (string column).
    CategoryNames = 4,
    /// Category index per item (`u16`).
    ItemCategory = 5,
    /// Brand names (string column).
    BrandNames = 6,
    /// Brand index per item (`u16`).
    ItemBrand = 7,
    /// Price per item (`f32`).
    Prices = 8,
    /// Flag byte per item (bit 0: in stock); absent: all in stock.
    Flags = 9,
    /// Page and image URL templates (string column of 2) with `{id}` placeholders.
    UrlTemplates = 10,
    /// Product page URL per item (string column; empty: use the template).
    PageUrls = 11,
    /// Image URL per item (string column; empty: use the template).
    ImageUrls = 12,
    /// Per-dimension dequantization scale (`f32` × dim).
    EmbeddingScales = 13,
    /// Item embeddings, `i8` codes blocked in chunks of 4 items and groups of 4 dimensions
    /// (see [`crate::kernel`]).
    Embeddings = 14,
    /// Time-decayed popularity per item (`u16`, value / 65535).
    Popularity = 15,
    /// Short-horizon demand trend per item (`u16`, value / 65535).
    Trend = 16,
    /// Distinct shoppers who interacted with each item at build time (`u32`).
    Interactions = 17,
    /// Neighbour items (`u16` or `u32` × neighbour_k per item, unused slots last).
    Neighbours = 18,
    /// Neighbour similarities (`u16` × neighbour_k per item, value / 65535, best first).
    NeighbourWeights = 19,
    /// Bought-together items (as [`SectionKind::Neighbours`], together_k per item).
    Together = 20,
    /// Baskets shared with each bought-together item (`u16` × together_k, best first).
    TogetherCounts = 21,
    /// The shop's merchandising rules (boost, bury, pin).
    Rules = 22,
}

impl SectionKind {
    /// All kinds in table order.
    pub const ALL: [SectionKind; 22] = [
        SectionKind::Meta,
        SectionKind::ItemIds,
        SectionKind::Titles,
        SectionKind::CategoryNames,
        SectionKind::ItemCategory,
        SectionKind::BrandNames,
        SectionKind::ItemBrand,
        SectionKind::Prices,
        SectionKind::Flags,
        SectionKind::UrlTemplates,
        SectionKind::PageUrls,
        SectionKind::ImageUrls,
        SectionKind::EmbeddingScales,
        SectionKind::Embeddings,
        SectionKind::Popularity,
        SectionKind::Trend,
        SectionKind::Interactions,
        SectionKind::Neighbours,
        SectionKind::NeighbourWeights,
        SectionKind::Together,
        SectionKind::TogetherCounts,
        SectionKind::Rules,
    ];

    /// The kind with this table value, if any.
    pub fn from_u32(value: u32) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| *k as u32 == value)
    }

    /// Whether every pack must have this section.
    pub fn is_required(self) -> bool {
        matches!(
            self,
            SectionKind::Meta | SectionKind::ItemIds | SectionKind::Prices | SectionKind::EmbeddingScales | SectionKind::Embeddings
        )
    }

    /// A human name for messages and `inspect`.
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Meta => "meta",
            SectionKind::ItemIds => "item_ids",
            SectionKind::Titles => "titles",
            SectionKind::CategoryNames => "category_names",
            SectionKind::ItemCategory => "item_category",
            SectionKind::BrandNames => "brand_names",
            SectionKind::ItemBrand => "item_brand",
            SectionKind::Prices => "prices",
            SectionKind::Flags => "flags",
            SectionKind::UrlTemplates => "url_templates",
            SectionKind::PageUrls => "page_urls",
            SectionKind::ImageUrls => "image_urls",
            SectionKind::EmbeddingScales => "embedding_scales",
            SectionKind::Embeddings => "embeddings",
            SectionKind::Popularity => "popularity",
            SectionKind::Trend => "trend",
            SectionKind::Interactions => "interactions",
            SectionKind::Neighbours => "neighbours",
            SectionKind::NeighbourWeights => "neighbour_weights",
            SectionKind::Together => "together",
            SectionKind::TogetherCounts => "together_counts",
            SectionKind::Rules => "rules",
        }
    }
}

impl fmt::Display for SectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Rounds `n` up to the next multiple of [`SECTION_ALIGN`].
pub(crate) fn align_up(n: u64) -> u64 {
    let a = SECTION_ALIGN as u64;
    n.div_ceil(a) * a
}
