//! Opening a pack in place: the byte layout and its strict decoder.
//!
//! # Layout of format version 3
//!
//! All integers are little-endian. Offsets are from the start of the file.
//!
//! ```text
//! header (40 bytes)
//!   0   8  magic               "SHLFPACK"
//!   8   2  format_version      u16 = 3
//!  10   2  header_len          u16 = 40
//!  12   6  builder_version     u16 major, u16 minor, u16 patch
//!  18   2  reserved            0
//!  20   4  section_count       u32: 5 (the required sections) to 22
//!  24   8  body_len            u64: file length − 40
//!  32   4  body_crc32          u32: CRC-32 (IEEE) of bytes 40..end
//!  36   4  reserved            0
//! section table (section_count × 24 bytes, from byte 40)
//!   +0  4  kind                u32 (SectionKind), strictly increasing; required kinds present
//!   +4  4  flags               u32 = 0
//!   +8  8  offset              u64
//!  +16  8  len                 u64
//! sections, in table order; each starts at the first multiple of 8 after the previous one
//! ends (the table for the first); padding bytes are 0; the file ends where the last ends.
//!
//! n = item_count, d = dim, B = ceil(n / 16); "?" marks an optional section
//! 1  meta (40 bytes)         item_count u32, dim u32 (1..=1024), category_count u32,
//!                            brand_count u32 (each ≤ 65535), built_at_ms i64,
//!                            training_events u64, neighbour_k u16, together_k u16 (each
//!                            ≤ 256), reserved u32 = 0
//! 2  item_ids                string column of n ids, non-empty, strictly increasing by bytes
//!                            (item i is the i-th id in byte order; lookup is a binary search)
//! 3  titles ?                string column of n titles (absent: the id is the title)
//! 4  category_names ?        string column of category_count names; present iff 5 is, and
//!                            iff category_count > 0
//! 5  item_category ?         u8 × n if category_count ≤ 256, else u16 × n; each < category_count
//! 6  brand_names ?           as 4, for brands
//! 7  item_brand ?            as 5, with brand_count
//! 8  prices                  f32 × n, finite and ≥ 0
//! 9  flags ?                 u8 × n; bit 0 = in stock, other bits 0 (absent: all in stock)
//! 10 url_templates ?         string column of 2: page URL, image URL; "{id}" stands for the id
//! 11 page_urls ?             string column of n; "" = expand the template
//! 12 image_urls ?            string column of n; "" = expand the template
//! 13 embedding_scales        f32 × d, finite and ≥ 0
//! 14 embeddings              i8 × B × 4 × G × 16 (G = ceil(d / 4)), x_ij ≈ scale_j · code:
//!                            chunk c of block b (items 16b + 4c ..= 16b + 4c + 3) at
//!                            (4b + c) · G · 16, group g at 16g in it, byte 4m + k = dimension
//!                            4g + k of item 16b + 4c + m; padding (items ≥ n, dimensions
//!                            ≥ d) is 0. See crate::kernel.
//! 15 popularity ?            u16 × n: time-decayed popularity · 65535 (absent: 0)
//! 16 trend ?                 u16 × n: short-horizon demand trend · 65535 (absent: 0)
//! 17 interactions ?          u32 × n: distinct shoppers per item at build time (absent: 0)
//! 18 neighbours ?            u16 (n ≤ 65535) or u32 × n × neighbour_k: per item, its
//!                            neighbours (< n, not the item itself), then all-ones (0xFFFF
//!                            or 0xFFFFFFFF) in unused slots;
//!                            present iff neighbour_k > 0, and iff 19 is
//! 19 neighbour_weights ?     u16 × n × neighbour_k: similarity · 65535, non-increasing over
//!                            the used slots, 0 in unused ones
//! 20 together ?              as 18, for bought-together lists (together_k)
//! 21 together_counts ?       u16 × n × together_k: shared baskets, ≥ 1 and non-increasing
//!                            over the used slots, 0 in unused ones
//! 22 rules ?                 see [`super::rules`]: count u32, then count × 12-byte rules
//! 23 sales_rates ?           (f32, f32) × n: forecast and recent units sold per week, each
//!                            finite and ≥ 0 (absent: unknown; written by format 4 builders)
//!
//! string column: see [`super::strings`]: count u32, a u32 offset per block of 16 strings
//!                (+ one), then each string as a LEB128 length and its UTF-8 bytes.
//! ```
//!
//! Every rule above is checked by [`Pack::open`]; a violation is a [`PackError`] naming the
//! field or section. Nothing is copied per item: accessors read the bytes in place (the
//! scales, URL templates and rules, a few bytes each, are decoded once at open; each item's
//! code sum, one `i32` per item, is computed for the kernel at open).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use super::rules::{PackRule, RULE_LEN};
use super::strings::{read_u32, StringColumn};
use super::{
    align_up, PackError, SalesRate, SectionKind, BLOCK_ITEMS, FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_DIM, MAX_LIST_LEN, MAX_NAMES, NO_ITEM,
    OLDEST_SUPPORTED_VERSION, SECTION_ENTRY_LEN,
};
use crate::kernel;

/// Size of the meta section in bytes.
pub const META_LEN: usize = 40;
/// The placeholder URL templates use for the item id.
pub const ID_PLACEHOLDER: &str = "{id}";

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
    /// CRC-32 of the body, as stored (and verified).
    pub body_crc32: u32,
}

/// Counts and figures from the meta section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Number of items.
    pub item_count: u32,
    /// Embedding dimension.
    pub dim: u32,
    /// Number of categories.
    pub category_count: u32,
    /// Number of brands.
    pub brand_count: u32,
    /// When the pack was built (ms since the Unix epoch).
    pub built_at_ms: i64,
    /// Interaction events the model was trained on.
    pub training_events: u64,
    /// Slots per item in the neighbour lists.
    pub neighbour_k: u16,
    /// Slots per item in the bought-together lists.
    pub together_k: u16,
}

/// Where one section lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    /// What it holds.
    pub kind: SectionKind,
    /// Byte range in the file.
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
struct Layout {
    header: Header,
    meta: Meta,
    sections: Vec<SectionInfo>,
    ranges: [Option<Range<usize>>; SectionKind::ALL.len() + 1],
    item_ids: StringColumn,
    titles: Option<StringColumn>,
    category_names: Option<StringColumn>,
    brand_names: Option<StringColumn>,
    page_urls: Option<StringColumn>,
    image_urls: Option<StringColumn>,
    page_template: String,
    image_template: String,
    scales: Vec<f32>,
    /// Each item slot's code sum ([`kernel::item_sums`]), for the kernel.
    item_sums: Vec<i32>,
    rules: Vec<PackRule>,
}

/// An opened, fully validated pack over its bytes (`Vec<u8>`, `&[u8]`, …).
#[derive(Debug, Clone)]
pub struct Pack<B: AsRef<[u8]> = Vec<u8>> {
    bytes: B,
    layout: Layout,
}

fn read_u16(bytes: &[u8], at: usize) -> u16 {
    let mut b = [0u8; 2];
    if let Some(s) = bytes.get(at..at + 2) {
        b.copy_from_slice(s);
    }
    u16::from_le_bytes(b)
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = bytes.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

fn read_f32(bytes: &[u8], at: usize) -> f32 {
    f32::from_bits(read_u32(bytes, at))
}

/// Decodes and checks the 40-byte header (magic, version, lengths, checksum).
pub fn read_header(bytes: &[u8]) -> Result<Header, PackError> {
    let available = bytes.len() as u64;
    if bytes.len() < 8 || bytes[..8] != MAGIC {
        let mut found = [0u8; 8];
        for (f, b) in found.iter_mut().zip(bytes) {
            *f = *b;
        }
        if bytes.len() < 8 && MAGIC.starts_with(bytes) {
            return Err(PackError::Truncated { what: "header", needed: HEADER_LEN as u64, available });
        }
        return Err(PackError::BadMagic { found, expected: MAGIC });
    }
    if bytes.len() < 10 {
        return Err(PackError::Truncated { what: "header", needed: HEADER_LEN as u64, available });
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
    if bytes.len() < HEADER_LEN {
        return Err(PackError::Truncated { what: "header", needed: HEADER_LEN as u64, available });
    }
    let fixed = |field: &'static str, offset: usize, value: u64, expected: u64| {
        if value == expected {
            Ok(())
        } else {
            Err(PackError::BadHeader { field, offset, value, expected })
        }
    };
    fixed("header_len", 10, u64::from(read_u16(bytes, 10)), HEADER_LEN as u64)?;
    fixed("reserved", 18, u64::from(read_u16(bytes, 18)), 0)?;
    fixed("reserved", 36, u64::from(read_u32(bytes, 36)), 0)?;
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
    let body_len = read_u64(bytes, 24);
    let expected_len = (HEADER_LEN as u64).saturating_add(body_len);
    match expected_len.cmp(&available) {
        Ordering::Greater => {
            return Err(PackError::Truncated { what: "body", needed: expected_len, available });
        }
        Ordering::Less => return Err(PackError::TrailingBytes { expected: expected_len, actual: available }),
        Ordering::Equal => {}
    }
    let stored = read_u32(bytes, 32);
    let computed = super::crc::crc32(&bytes[HEADER_LEN..]);
    if stored != computed {
        return Err(PackError::ChecksumMismatch { stored, computed });
    }
    Ok(Header {
        format_version,
        builder_version: (read_u16(bytes, 12), read_u16(bytes, 14), read_u16(bytes, 16)),
        section_count,
        body_len,
        body_crc32: stored,
    })
}

fn read_sections(bytes: &[u8], header: &Header) -> Result<Vec<SectionInfo>, PackError> {
    let count = header.section_count as usize;
    let table_end = HEADER_LEN + count * SECTION_ENTRY_LEN;
    if table_end > bytes.len() {
        return Err(PackError::Truncated { what: "section table", needed: table_end as u64, available: bytes.len() as u64 });
    }
    // First the kinds (unknown, order, required ones present), then where each section lies.
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
    let file_len = bytes.len() as u64;
    let mut sections: Vec<SectionInfo> = Vec::with_capacity(count);
    let mut expected_offset = align_up(table_end as u64);
    let mut prev_end = table_end as u64;
    for (index, kind) in kinds.into_iter().enumerate() {
        let at = HEADER_LEN + index * SECTION_ENTRY_LEN;
        let flags = read_u32(bytes, at + 4);
        if flags != 0 {
            return Err(PackError::BadSectionTable { index, detail: format!("flags are {flags:#x}, must be 0") });
        }
        let offset = read_u64(bytes, at + 8);
        let len = read_u64(bytes, at + 16);
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
        expected_offset = align_up(end);
    }
    if prev_end != file_len {
        return Err(PackError::TrailingBytes { expected: prev_end, actual: file_len });
    }
    Ok(sections)
}

fn expect_len(kind: SectionKind, range: &Range<usize>, expected: u64) -> Result<(), PackError> {
    let found = range.len() as u64;
    if found == expected {
        Ok(())
    } else {
        Err(PackError::CountMismatch { kind, expected, found })
    }
}

fn bad_value(kind: SectionKind, index: u64, detail: String) -> PackError {
    PackError::BadValue { kind, index, detail }
}

/// Checks that the padding of the blocked codes is 0: the dimensions past `dim` of every item,
/// and every dimension of the item slots past the last item. The error's index is the item
/// slot.
fn check_block_padding(codes: &[u8], items: usize, dim: usize) -> Result<(), PackError> {
    let padded_dim = kernel::groups(dim) * kernel::GROUP_DIMS;
    if codes.len() != kernel::blocked_len(items, dim) {
        return Ok(());
    }
    let positions = (0..items).flat_map(|i| (dim..padded_dim).map(move |j| (i, j)));
    let positions = positions.chain((items..kernel::slots(items)).flat_map(|i| (0..padded_dim).map(move |j| (i, j))));
    for (i, j) in positions {
        let code = codes[kernel::code_at(i, j, dim)];
        if code != 0 {
            let what = if i < items { "a padded dimension" } else { "a padding item of the last block" };
            return Err(bad_value(SectionKind::Embeddings, i as u64, format!("{what} (dimension {j}) holds code {}, not 0", code as i8)));
        }
    }
    Ok(())
}

/// Checks that two sections are both present or both absent, and agree with `wanted`.
fn expect_presence(ranges: &[Option<Range<usize>>], kinds: &[SectionKind], wanted: bool, why: &str) -> Result<(), PackError> {
    for &kind in kinds {
        let present = ranges[kind as usize].is_some();
        if present != wanted {
            let detail = if wanted {
                format!("section {kind} is absent although {why}")
            } else {
                format!("section {kind} is present although not {why}")
            };
            return Err(bad_value(SectionKind::Meta, 0, detail));
        }
    }
    Ok(())
}

/// Bytes per item index in the neighbour and bought-together lists: 2 while every index and
/// the unused-slot marker fit in a `u16` (item_count ≤ 65535), else 4.
pub fn list_item_width(item_count: u32) -> usize {
    if item_count <= 0xFFFF {
        2
    } else {
        4
    }
}

/// The item in list slot `slot` ([`NO_ITEM`] for an unused slot) at the given width.
fn read_list_item(bytes: &[u8], start: usize, width: usize, slot: usize) -> u32 {
    if width == 2 {
        match read_u16(bytes, start + slot * 2) {
            0xFFFF => NO_ITEM,
            v => u32::from(v),
        }
    } else {
        read_u32(bytes, start + slot * 4)
    }
}

/// Checks a list section pair (items + weights/counts, `k` slots per item).
fn check_lists(
    bytes: &[u8],
    items: Range<usize>,
    values: Range<usize>,
    (item_kind, value_kind): (SectionKind, SectionKind),
    n: u32,
    k: usize,
    min_used: u16,
) -> Result<(), PackError> {
    let slots = u64::from(n) * k as u64;
    let width = list_item_width(n);
    expect_len(item_kind, &items, slots * width as u64)?;
    expect_len(value_kind, &values, slots * 2)?;
    for i in 0..n as usize {
        let mut used = true;
        let mut prev_value = u16::MAX;
        for s in 0..k {
            let slot = i * k + s;
            let item = read_list_item(bytes, items.start, width, slot);
            let value = read_u16(bytes, values.start + slot * 2);
            let bad = |detail: String| bad_value(item_kind, i as u64, detail);
            if item == NO_ITEM {
                used = false;
                if value != 0 {
                    return Err(bad_value(value_kind, i as u64, format!("slot {s} is unused but holds {value}")));
                }
                continue;
            }
            if !used {
                return Err(bad(format!("slot {s} holds item {item} after an unused slot")));
            }
            if item >= n {
                return Err(bad(format!("slot {s} refers to item {item}, only {n} exist")));
            }
            if item as usize == i {
                return Err(bad(format!("slot {s} lists the item itself")));
            }
            if value < min_used || value > prev_value {
                return Err(bad_value(
                    value_kind,
                    i as u64,
                    format!("slot {s} holds {value}: used slots must be ≥ {min_used} and never increase"),
                ));
            }
            prev_value = value;
        }
    }
    Ok(())
}

/// Bytes per category or brand index: 1 while the names fit in a byte, else 2.
pub fn name_index_width(name_count: u32) -> usize {
    if name_count <= 256 {
        1
    } else {
        2
    }
}

fn read_name_index(bytes: &[u8], start: usize, width: usize, i: usize) -> u32 {
    if width == 1 {
        bytes.get(start + i).map_or(0, |&b| u32::from(b))
    } else {
        u32::from(read_u16(bytes, start + i * 2))
    }
}

fn expand_template(template: &str, id: &str) -> String {
    template.replace(ID_PLACEHOLDER, id)
}

impl<B: AsRef<[u8]>> Pack<B> {
    /// Opens a pack, checking everything in the layout above. Reads the bytes in place.
    pub fn open(bytes: B) -> Result<Pack<B>, PackError> {
        let layout = Self::validate(bytes.as_ref())?;
        Ok(Pack { bytes, layout })
    }

    fn validate(bytes: &[u8]) -> Result<Layout, PackError> {
        let header = read_header(bytes)?;
        let sections = read_sections(bytes, &header)?;
        let mut ranges: [Option<Range<usize>>; SectionKind::ALL.len() + 1] = Default::default();
        for s in &sections {
            ranges[s.kind as usize] = Some(s.range.clone());
        }
        let required = |kind: SectionKind| ranges[kind as usize].clone().unwrap_or(0..0);

        let meta_range = required(SectionKind::Meta);
        expect_len(SectionKind::Meta, &meta_range, META_LEN as u64)?;
        let m = meta_range.start;
        let meta = Meta {
            item_count: read_u32(bytes, m),
            dim: read_u32(bytes, m + 4),
            category_count: read_u32(bytes, m + 8),
            brand_count: read_u32(bytes, m + 12),
            built_at_ms: read_u64(bytes, m + 16) as i64,
            training_events: read_u64(bytes, m + 24),
            neighbour_k: read_u16(bytes, m + 32),
            together_k: read_u16(bytes, m + 34),
        };
        let meta_bad = |index: u64, detail: String| Err(bad_value(SectionKind::Meta, index, detail));
        if meta.dim == 0 || meta.dim > MAX_DIM {
            return meta_bad(1, format!("dim is {}, must be 1..={MAX_DIM}", meta.dim));
        }
        for (index, name, count) in [(2, "category_count", meta.category_count), (3, "brand_count", meta.brand_count)] {
            if count > MAX_NAMES {
                return meta_bad(index, format!("{name} is {count}, at most {MAX_NAMES}"));
            }
        }
        for (index, name, k) in [(6, "neighbour_k", meta.neighbour_k), (7, "together_k", meta.together_k)] {
            if k > MAX_LIST_LEN {
                return meta_bad(index, format!("{name} is {k}, at most {MAX_LIST_LEN}"));
            }
        }
        if read_u32(bytes, m + 36) != 0 {
            return meta_bad(8, "reserved field is not 0".to_owned());
        }
        expect_presence(&ranges, &[SectionKind::CategoryNames, SectionKind::ItemCategory], meta.category_count > 0, "category_count > 0")?;
        expect_presence(&ranges, &[SectionKind::BrandNames, SectionKind::ItemBrand], meta.brand_count > 0, "brand_count > 0")?;
        expect_presence(&ranges, &[SectionKind::Neighbours, SectionKind::NeighbourWeights], meta.neighbour_k > 0, "neighbour_k > 0")?;
        expect_presence(&ranges, &[SectionKind::Together, SectionKind::TogetherCounts], meta.together_k > 0, "together_k > 0")?;

        let n = u64::from(meta.item_count);
        let column = |kind: SectionKind, expected: u32| -> Result<Option<StringColumn>, PackError> {
            let Some(r) = ranges[kind as usize].clone() else { return Ok(None) };
            let c = StringColumn::parse(bytes, r.start, r.len(), kind)?;
            if c.count != expected {
                return Err(PackError::BadStringTable { kind, detail: format!("holds {} strings, {expected} are needed", c.count) });
            }
            Ok(Some(c))
        };
        let item_ids = column(SectionKind::ItemIds, meta.item_count)?.ok_or(PackError::MissingSection { kind: SectionKind::ItemIds })?;
        let titles = column(SectionKind::Titles, meta.item_count)?;
        let category_names = column(SectionKind::CategoryNames, meta.category_count)?;
        let brand_names = column(SectionKind::BrandNames, meta.brand_count)?;
        let templates = column(SectionKind::UrlTemplates, 2)?;
        let page_urls = column(SectionKind::PageUrls, meta.item_count)?;
        let image_urls = column(SectionKind::ImageUrls, meta.item_count)?;

        let mut prev: Option<&str> = None;
        for i in 0..meta.item_count {
            let id = item_ids.get(bytes, i);
            if id.is_empty() {
                return Err(bad_value(SectionKind::ItemIds, u64::from(i), "the id is empty".to_owned()));
            }
            if let Some(p) = prev {
                match p.as_bytes().cmp(id.as_bytes()) {
                    Ordering::Less => {}
                    Ordering::Equal => return Err(PackError::DuplicateItemId { id: id.to_owned() }),
                    Ordering::Greater => {
                        return Err(bad_value(
                            SectionKind::ItemIds,
                            u64::from(i),
                            format!("id {id:?} is out of order after {p:?} (ids must increase by bytes)"),
                        ))
                    }
                }
            }
            prev = Some(id);
        }

        for (kind, limit) in [(SectionKind::ItemCategory, meta.category_count), (SectionKind::ItemBrand, meta.brand_count)] {
            let Some(r) = ranges[kind as usize].clone() else { continue };
            let width = name_index_width(limit);
            expect_len(kind, &r, n * width as u64)?;
            for i in 0..meta.item_count as usize {
                let v = read_name_index(bytes, r.start, width, i);
                if v >= limit {
                    return Err(bad_value(kind, i as u64, format!("refers to entry {v}, only {limit} exist")));
                }
            }
        }
        let check_f32 = |kind: SectionKind, count: u64, ok: fn(f32) -> bool, rule: &str| -> Result<(), PackError> {
            let r = required(kind);
            expect_len(kind, &r, count * 4)?;
            for i in 0..count as usize {
                let v = read_f32(bytes, r.start + i * 4);
                if !ok(v) {
                    return Err(bad_value(kind, i as u64, format!("{v} is not {rule}")));
                }
            }
            Ok(())
        };
        check_f32(SectionKind::Prices, n, |v| v.is_finite() && v >= 0.0, "a finite price ≥ 0")?;
        check_f32(SectionKind::EmbeddingScales, u64::from(meta.dim), |v| v.is_finite() && v >= 0.0, "a finite scale ≥ 0")?;

        if let Some(flags) = ranges[SectionKind::Flags as usize].clone() {
            expect_len(SectionKind::Flags, &flags, n)?;
            if let Some(i) = bytes[flags.clone()].iter().position(|&f| f & !1 != 0) {
                return Err(bad_value(SectionKind::Flags, i as u64, format!("flags {:#04x} use undefined bits", bytes[flags.start + i])));
            }
        }
        for (kind, width) in [(SectionKind::Popularity, 2), (SectionKind::Trend, 2), (SectionKind::Interactions, 4)] {
            if let Some(r) = ranges[kind as usize].clone() {
                expect_len(kind, &r, n * width)?;
            }
        }
        if let Some(r) = ranges[SectionKind::SalesRates as usize].clone() {
            expect_len(SectionKind::SalesRates, &r, n * 8)?;
            for i in 0..2 * n as usize {
                let v = read_f32(bytes, r.start + i * 4);
                if !(v.is_finite() && v >= 0.0) {
                    return Err(bad_value(SectionKind::SalesRates, i as u64 / 2, format!("{v} is not a finite rate ≥ 0")));
                }
            }
        }

        let embeddings = required(SectionKind::Embeddings);
        let dim = meta.dim as usize;
        expect_len(SectionKind::Embeddings, &embeddings, kernel::blocked_len(n as usize, dim) as u64)?;
        check_block_padding(&bytes[embeddings.clone()], n as usize, dim)?;
        let item_sums = kernel::item_sums(&bytes[embeddings], n as usize, dim);

        if let (Some(items), Some(weights)) =
            (ranges[SectionKind::Neighbours as usize].clone(), ranges[SectionKind::NeighbourWeights as usize].clone())
        {
            let kinds = (SectionKind::Neighbours, SectionKind::NeighbourWeights);
            check_lists(bytes, items, weights, kinds, meta.item_count, usize::from(meta.neighbour_k), 0)?;
        }
        if let (Some(items), Some(counts)) =
            (ranges[SectionKind::Together as usize].clone(), ranges[SectionKind::TogetherCounts as usize].clone())
        {
            let kinds = (SectionKind::Together, SectionKind::TogetherCounts);
            check_lists(bytes, items, counts, kinds, meta.item_count, usize::from(meta.together_k), 1)?;
        }

        let mut rules = Vec::new();
        if let Some(r) = ranges[SectionKind::Rules as usize].clone() {
            if r.len() < 4 {
                return Err(PackError::CountMismatch { kind: SectionKind::Rules, expected: 4, found: r.len() as u64 });
            }
            let count = u64::from(read_u32(bytes, r.start));
            expect_len(SectionKind::Rules, &r, 4 + count * RULE_LEN as u64)?;
            for (index, entry) in bytes[r.start + 4..r.end].chunks_exact(RULE_LEN).enumerate() {
                rules.push(PackRule::decode(entry, index, meta.item_count, meta.category_count)?);
            }
        }

        let sr = required(SectionKind::EmbeddingScales);
        let scales = (0..dim).map(|j| read_f32(bytes, sr.start + j * 4)).collect();
        let (page_template, image_template) = match templates {
            Some(t) => (t.get(bytes, 0).to_owned(), t.get(bytes, 1).to_owned()),
            None => (String::new(), String::new()),
        };
        Ok(Layout {
            header,
            meta,
            sections,
            ranges,
            item_ids,
            titles,
            category_names,
            brand_names,
            page_urls,
            image_urls,
            page_template,
            image_template,
            scales,
            item_sums,
            rules,
        })
    }

    fn bytes(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    fn section(&self, kind: SectionKind) -> Option<&[u8]> {
        let r = self.layout.ranges.get(kind as usize)?.clone()?;
        self.bytes().get(r)
    }

    fn u16_at(&self, kind: SectionKind, slot: usize) -> Option<u16> {
        let s = self.section(kind)?;
        s.get(slot * 2..slot * 2 + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn list_item(&self, kind: SectionKind, slot: usize) -> u32 {
        let width = list_item_width(self.item_count());
        match self.section(kind) {
            Some(s) if (slot + 1) * width <= s.len() => read_list_item(s, 0, width, slot),
            _ => NO_ITEM,
        }
    }

    fn name_index(&self, kind: SectionKind, name_count: u32, i: u32) -> Option<u32> {
        let s = self.section(kind)?;
        let width = name_index_width(name_count);
        (i < self.item_count()).then(|| read_name_index(s, 0, width, i as usize))
    }

    fn u32_at(&self, kind: SectionKind, slot: usize) -> Option<u32> {
        let s = self.section(kind)?;
        s.get(slot * 4..slot * 4 + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.layout.header
    }

    /// The meta section.
    pub fn meta(&self) -> &Meta {
        &self.layout.meta
    }

    /// Where each section lies, in file order.
    pub fn sections(&self) -> &[SectionInfo] {
        &self.layout.sections
    }

    /// Whether the pack has a section of this kind.
    pub fn has_section(&self, kind: SectionKind) -> bool {
        self.section(kind).is_some()
    }

    /// Total size of the pack in bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes().len()
    }

    /// Number of items.
    pub fn item_count(&self) -> u32 {
        self.layout.meta.item_count
    }

    /// Embedding dimension.
    pub fn dim(&self) -> usize {
        self.layout.meta.dim as usize
    }

    /// Id of item `i` (`""` if out of range; every accessor below is likewise total).
    pub fn item_id(&self, i: u32) -> &str {
        self.layout.item_ids.get(self.bytes(), i)
    }

    /// Finds an item by id (binary search: ids are stored in byte order).
    pub fn find_item(&self, id: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, self.item_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.item_id(mid).as_bytes().cmp(id.as_bytes()) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Display title of item `i` (its id when the pack has no titles).
    pub fn title(&self, i: u32) -> &str {
        match &self.layout.titles {
            Some(t) => t.get(self.bytes(), i),
            None => self.item_id(i),
        }
    }

    /// Category index of item `i`, if the pack has categories.
    pub fn category_index(&self, i: u32) -> Option<u32> {
        self.name_index(SectionKind::ItemCategory, self.category_count(), i)
    }

    /// Category name of item `i` (`""` without categories).
    pub fn category(&self, i: u32) -> &str {
        self.category_index(i).map_or("", |c| self.category_name(c))
    }

    /// Number of categories.
    pub fn category_count(&self) -> u32 {
        self.layout.meta.category_count
    }

    /// Name of category `c`.
    pub fn category_name(&self, c: u32) -> &str {
        self.layout.category_names.as_ref().map_or("", |t| t.get(self.bytes(), c))
    }

    /// Brand index of item `i`, if the pack has brands.
    pub fn brand_index(&self, i: u32) -> Option<u32> {
        self.name_index(SectionKind::ItemBrand, self.brand_count(), i)
    }

    /// Number of brands.
    pub fn brand_count(&self) -> u32 {
        self.layout.meta.brand_count
    }

    /// Name of brand `b`.
    pub fn brand_name(&self, b: u32) -> &str {
        self.layout.brand_names.as_ref().map_or("", |t| t.get(self.bytes(), b))
    }

    /// Brand name of item `i` (`""` without brands).
    pub fn brand(&self, i: u32) -> &str {
        self.brand_index(i).map_or("", |b| self.brand_name(b))
    }

    /// Price of item `i`.
    pub fn price(&self, i: u32) -> f32 {
        self.u32_at(SectionKind::Prices, i as usize).map_or(0.0, f32::from_bits)
    }

    /// Whether item `i` is in stock (every item is, when the pack has no flags).
    pub fn in_stock(&self, i: u32) -> bool {
        if i >= self.item_count() {
            return false;
        }
        self.section(SectionKind::Flags).is_none_or(|f| f.get(i as usize).is_some_and(|b| b & 1 == 1))
    }

    /// The page and image URL templates (`""` when absent).
    pub fn url_templates(&self) -> (&str, &str) {
        (&self.layout.page_template, &self.layout.image_template)
    }

    /// The stored per-item page URL (`""`: the template applies).
    pub fn page_url_override(&self, i: u32) -> &str {
        self.layout.page_urls.as_ref().map_or("", |t| t.get(self.bytes(), i))
    }

    /// The stored per-item image URL (`""`: the template applies).
    pub fn image_url_override(&self, i: u32) -> &str {
        self.layout.image_urls.as_ref().map_or("", |t| t.get(self.bytes(), i))
    }

    /// Product page URL of item `i`: its own, or the template with its id.
    pub fn page_url(&self, i: u32) -> Cow<'_, str> {
        match self.page_url_override(i) {
            "" if i < self.item_count() => Cow::Owned(expand_template(&self.layout.page_template, self.item_id(i))),
            own => Cow::Borrowed(own),
        }
    }

    /// Image URL of item `i`: its own, or the template with its id.
    pub fn image_url(&self, i: u32) -> Cow<'_, str> {
        match self.image_url_override(i) {
            "" if i < self.item_count() => Cow::Owned(expand_template(&self.layout.image_template, self.item_id(i))),
            own => Cow::Borrowed(own),
        }
    }

    /// Popularity of item `i` in [0, 1].
    pub fn popularity(&self, i: u32) -> f32 {
        self.u16_at(SectionKind::Popularity, i as usize).map_or(0.0, |v| f32::from(v) / 65535.0)
    }

    /// Forecast and recent units sold per week of item `i`, when the pack has them.
    pub fn sales_rate(&self, i: u32) -> Option<SalesRate> {
        let at = |slot: usize| self.u32_at(SectionKind::SalesRates, slot).map(f32::from_bits);
        Some(SalesRate { forecast: at(2 * i as usize)?, recent: at(2 * i as usize + 1)? })
    }

    /// Short-horizon demand trend of item `i` in [0, 1] (0 when unknown).
    pub fn trend(&self, i: u32) -> f32 {
        self.u16_at(SectionKind::Trend, i as usize).map_or(0.0, |v| f32::from(v) / 65535.0)
    }

    /// Distinct shoppers who interacted with item `i` at build time.
    pub fn interactions(&self, i: u32) -> u32 {
        self.u32_at(SectionKind::Interactions, i as usize).unwrap_or(0)
    }

    /// Slots per item in the neighbour lists.
    pub fn neighbour_k(&self) -> usize {
        usize::from(self.layout.meta.neighbour_k)
    }

    /// Slots per item in the bought-together lists.
    pub fn together_k(&self) -> usize {
        usize::from(self.layout.meta.together_k)
    }

    fn list(&self, kinds: (SectionKind, SectionKind), k: usize, i: u32) -> impl Iterator<Item = (u32, u16)> + '_ {
        let base = if i < self.item_count() { i as usize * k } else { 0 };
        let k = if i < self.item_count() { k } else { 0 };
        (base..base + k)
            .map(move |slot| (self.list_item(kinds.0, slot), self.u16_at(kinds.1, slot).unwrap_or(0)))
            .take_while(|&(item, _)| item != NO_ITEM)
    }

    /// Neighbours of item `i`, best first: `(item, similarity in [0, 1])`.
    pub fn neighbours(&self, i: u32) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.list((SectionKind::Neighbours, SectionKind::NeighbourWeights), self.neighbour_k(), i)
            .map(|(item, w)| (item, f32::from(w) / 65535.0))
    }

    /// Items bought together with item `i`, most shared baskets first: `(item, baskets)`.
    pub fn bought_together(&self, i: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.list((SectionKind::Together, SectionKind::TogetherCounts), self.together_k(), i).map(|(item, c)| (item, u32::from(c)))
    }

    /// The shop's build-time merchandising rules.
    pub fn rules(&self) -> &[PackRule] {
        &self.layout.rules
    }

    /// Per-dimension dequantization scales.
    pub fn embedding_scales(&self) -> &[f32] {
        &self.layout.scales
    }

    /// Number of 16-item blocks of the embeddings.
    pub fn block_count(&self) -> usize {
        (self.item_count() as usize).div_ceil(BLOCK_ITEMS)
    }

    /// The embeddings as the kernel reads them: the blocked codes (in place) and the item code
    /// sums computed when the pack was opened.
    pub fn embedding_blocks(&self) -> kernel::Blocks<'_> {
        let section = self.section(SectionKind::Embeddings).unwrap_or(&[]);
        let (n, d) = (self.item_count() as usize, self.dim());
        // `open` checked the section's length and computed one sum per item slot, and the
        // format caps the dimension below the kernel's limit, so this cannot fail; an empty
        // view (no items) stands in if it ever did.
        kernel::Blocks::new(section, &self.layout.item_sums, n, d).unwrap_or_else(|_| kernel::Blocks::empty())
    }

    /// The codes of item `i`, dimension by dimension (empty if `i` is out of range).
    pub fn embedding_iter(&self, i: u32) -> kernel::RowCodes<'_> {
        self.embedding_blocks().codes_of(i as usize)
    }

    /// Copies the codes of item `i` into `out` (`dim` long); zeros if `i` is out of range.
    pub fn embedding_row(&self, i: u32, out: &mut [i8]) {
        out.fill(0);
        for (o, c) in out.iter_mut().zip(self.embedding_iter(i)) {
            *o = c;
        }
    }
}
