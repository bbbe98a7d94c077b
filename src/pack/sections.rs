//! The section table and the placement of sections: layout, decoder
//! ([`read_section_table`]) and encoder ([`write_sections`]).
//!
//! # Layout
//!
//! ```text
//! section table: section_count × 24 bytes, from byte 40 (right after the header)
//!   +0  4  kind    u32 (SectionKind), strictly increasing; the required kinds present
//!   +4  4  flags   u32 = 0
//!   +8  8  offset  u64
//!  +16  8  len     u64
//! sections, in table order; each starts at the first multiple of 8 at or after the end of
//! the previous one (the table's end for the first); padding bytes are 0; the file ends
//! exactly where the last section ends (no trailing bytes).
//! ```
//!
//! What each section holds is documented next to its decoder, in [`super::validate`].

use std::fmt;
use std::ops::Range;

use super::header::HEADER_LEN;
use super::le::{read_u32, read_u64};
use super::PackError;

/// Size of one section-table entry in bytes.
pub const SECTION_ENTRY_LEN: usize = 24;
/// Sections start at offsets that are multiples of this.
pub const SECTION_ALIGN: usize = 8;

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
    /// Forecast and recent units sold per week per item (`f32` × 2 per item).
    SalesRates = 23,
    /// Per-dimension dequantization scale of the image embeddings (`f32` × image dim); the
    /// image dimension is this section's length / 4.
    ImageEmbeddingScales = 24,
    /// Item image embeddings (`shelfwise build --image-vectors`), `i8` codes blocked as
    /// [`SectionKind::Embeddings`] are, at the image dimension.
    ImageEmbeddings = 25,
}

impl SectionKind {
    /// All kinds in table order.
    pub const ALL: [SectionKind; 25] = [
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
        SectionKind::SalesRates,
        SectionKind::ImageEmbeddingScales,
        SectionKind::ImageEmbeddings,
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
            SectionKind::SalesRates => "sales_rates",
            SectionKind::ImageEmbeddingScales => "image_embedding_scales",
            SectionKind::ImageEmbeddings => "image_embeddings",
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

/// Where one section lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    /// What it holds.
    pub kind: SectionKind,
    /// Byte range in the file.
    pub range: Range<usize>,
}

/// Decodes the section table of a pack whose header (`section_count`) was checked: the
/// kinds first (known, strictly increasing, the required ones present), then where each
/// section lies (aligned, in order, zero padding, no trailing bytes).
pub fn read_section_table(bytes: &[u8], section_count: u32) -> Result<Vec<SectionInfo>, PackError> {
    let count = section_count as usize;
    let table_end = HEADER_LEN + count * SECTION_ENTRY_LEN;
    if table_end > bytes.len() {
        return Err(PackError::Truncated { what: "section table", needed: table_end as u64, available: bytes.len() as u64 });
    }
    let kinds = read_kinds(bytes, count)?;
    let file_len = bytes.len() as u64;
    let mut sections: Vec<SectionInfo> = Vec::with_capacity(count);
    let mut prev_end = table_end as u64;
    for (index, kind) in kinds.into_iter().enumerate() {
        let at = HEADER_LEN + index * SECTION_ENTRY_LEN;
        let flags = read_u32(bytes, at + 4);
        if flags != 0 {
            return Err(PackError::BadSectionTable { index, detail: format!("flags are {flags:#x}, must be 0") });
        }
        let (offset, len) = (read_u64(bytes, at + 8), read_u64(bytes, at + 16));
        let expected_offset = align_up(prev_end);
        let end = offset.checked_add(len);
        if offset != expected_offset || end.is_none_or(|e| e > file_len) {
            return Err(PackError::SectionOutOfRange { kind, offset, len, expected_offset, file_len });
        }
        if bytes[prev_end as usize..offset as usize].iter().any(|&b| b != 0) {
            return Err(PackError::BadSectionTable {
                index,
                detail: format!("padding before section {kind} (bytes {prev_end}..{offset}) is not zero"),
            });
        }
        let end = offset + len;
        sections.push(SectionInfo { kind, range: offset as usize..end as usize });
        prev_end = end;
    }
    if prev_end != file_len {
        return Err(PackError::TrailingBytes { expected: prev_end, actual: file_len });
    }
    Ok(sections)
}

/// The kinds of the `count` table entries: each known, strictly increasing, required ones
/// present.
fn read_kinds(bytes: &[u8], count: usize) -> Result<Vec<SectionKind>, PackError> {
    let mut kinds: Vec<SectionKind> = Vec::with_capacity(count);
    for index in 0..count {
        let raw_kind = read_u32(bytes, HEADER_LEN + index * SECTION_ENTRY_LEN);
        let kind = SectionKind::from_u32(raw_kind)
            .ok_or_else(|| PackError::BadSectionTable { index, detail: format!("unknown section kind {raw_kind}") })?;
        if let Some(&prev) = kinds.last() {
            if kind <= prev {
                return Err(PackError::BadSectionTable {
                    index,
                    detail: format!("section {kind} comes after {prev} (kinds must strictly increase)"),
                });
            }
        }
        kinds.push(kind);
    }
    if let Some(missing) = SectionKind::ALL.into_iter().find(|k| k.is_required() && !kinds.contains(k)) {
        return Err(PackError::MissingSection { kind: missing });
    }
    Ok(kinds)
}

/// Lays out a pack: a zeroed header (for [`super::header::write_header`]), the section table,
/// then each section at its aligned offset with zero padding. `sections` are in kind order.
pub(crate) fn write_sections(sections: &[(SectionKind, Vec<u8>)]) -> Vec<u8> {
    let table_end = HEADER_LEN + sections.len() * SECTION_ENTRY_LEN;
    let mut out = vec![0u8; table_end];
    for (i, (kind, body)) in sections.iter().enumerate() {
        out.resize(align_up(out.len() as u64) as usize, 0);
        let (offset, len) = (out.len() as u64, body.len() as u64);
        let at = HEADER_LEN + i * SECTION_ENTRY_LEN;
        out[at..at + 4].copy_from_slice(&(*kind as u32).to_le_bytes());
        out[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
        out[at + 16..at + 24].copy_from_slice(&len.to_le_bytes());
        out.extend_from_slice(body);
    }
    out
}
