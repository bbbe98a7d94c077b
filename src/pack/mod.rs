//! The pack: one versioned, checksummed binary file with everything the browser needs.
//!
//! [`Pack::open`] reads a pack in place from its bytes (see [`reader`] for the byte-by-byte
//! layout, also in `docs/PACK_FORMAT.md`); [`PackContents::encode`] writes one. Opening checks
//! every length against the bytes present and every count against the meta section, so a
//! decoded pack can be indexed without further checks and never panics.

mod error;
mod quantize;
pub mod reader;
mod strings;
mod writer;

use std::fmt;

pub use error::PackError;
pub use quantize::{quantize_per_dimension, Quantized};
pub use reader::Pack;
pub use writer::{crate_version, PackContents, PackItem};

/// The eight bytes every pack starts with.
pub const MAGIC: [u8; 8] = *b"SHLFPACK";
/// The format version this code writes.
pub const FORMAT_VERSION: u16 = 1;
/// The oldest format version this code still reads.
pub const OLDEST_SUPPORTED_VERSION: u16 = 1;
/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 40;
/// Size of one section-table entry in bytes.
pub const SECTION_ENTRY_LEN: usize = 24;
/// Sections start at offsets that are multiples of this.
pub const SECTION_ALIGN: usize = 8;
/// Largest embedding dimension a pack may declare.
pub const MAX_DIM: u32 = 1024;

/// What a section holds. The numeric value is what the section table stores; in format v1
/// every kind appears exactly once, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum SectionKind {
    /// Counts, dimension, build time.
    Meta = 1,
    /// Item ids (string table).
    ItemIds = 2,
    /// Item indices sorted by id bytes, for lookup by id without a hash map.
    IdIndex = 3,
    /// Display titles (string table).
    Titles = 4,
    /// Category names (string table).
    CategoryNames = 5,
    /// Category index per item (`u32`).
    ItemCategory = 6,
    /// Brand names (string table).
    BrandNames = 7,
    /// Brand index per item (`u32`).
    ItemBrand = 8,
    /// Price per item (`f32`).
    Prices = 9,
    /// Flag byte per item (bit 0: in stock).
    Flags = 10,
    /// Image URL per item (string table).
    ImageUrls = 11,
    /// Product page URL per item (string table).
    PageUrls = 12,
    /// Per-dimension dequantization scale (`f32` × dim).
    EmbeddingScales = 13,
    /// Item embeddings, `i8` × dim per item, row-major.
    Embeddings = 14,
    /// Time-decayed popularity per item (`f32`, max 1).
    Popularity = 15,
}

impl SectionKind {
    /// All kinds in table order.
    pub const ALL: [SectionKind; 15] = [
        SectionKind::Meta,
        SectionKind::ItemIds,
        SectionKind::IdIndex,
        SectionKind::Titles,
        SectionKind::CategoryNames,
        SectionKind::ItemCategory,
        SectionKind::BrandNames,
        SectionKind::ItemBrand,
        SectionKind::Prices,
        SectionKind::Flags,
        SectionKind::ImageUrls,
        SectionKind::PageUrls,
        SectionKind::EmbeddingScales,
        SectionKind::Embeddings,
        SectionKind::Popularity,
    ];

    /// The kind with this table value, if any.
    pub fn from_u32(value: u32) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| *k as u32 == value)
    }

    /// A human name for messages and `inspect`.
    pub fn name(self) -> &'static str {
        match self {
            SectionKind::Meta => "meta",
            SectionKind::ItemIds => "item_ids",
            SectionKind::IdIndex => "id_index",
            SectionKind::Titles => "titles",
            SectionKind::CategoryNames => "category_names",
            SectionKind::ItemCategory => "item_category",
            SectionKind::BrandNames => "brand_names",
            SectionKind::ItemBrand => "item_brand",
            SectionKind::Prices => "prices",
            SectionKind::Flags => "flags",
            SectionKind::ImageUrls => "image_urls",
            SectionKind::PageUrls => "page_urls",
            SectionKind::EmbeddingScales => "embedding_scales",
            SectionKind::Embeddings => "embeddings",
            SectionKind::Popularity => "popularity",
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
