//! Opening a pack in place: the byte layout and its strict decoder.
//!
//! # Layout of format version 1
//!
//! All integers are little-endian. Offsets are from the start of the file.
//!
//! ```text
//! header (40 bytes)
//!   0   8  magic               "SHLFPACK"
//!   8   2  format_version      u16 = 1
//!  10   2  header_len          u16 = 40
//!  12   6  builder_version     u16 major, u16 minor, u16 patch
//!  18   2  reserved            0
//!  20   4  section_count       u32 = 15
//!  24   8  body_len            u64: file length − 40
//!  32   4  body_crc32          u32: CRC-32 (IEEE) of bytes 40..end
//!  36   4  reserved            0
//! section table (section_count × 24 bytes, from byte 40)
//!   +0  4  kind                u32 (SectionKind), strictly increasing: every kind once
//!   +4  4  flags               u32 = 0
//!   +8  8  offset              u64
//!  +16  8  len                 u64
//! sections, in table order; each starts at the first multiple of 8 after the previous one
//! ends (the table for the first); padding bytes are 0; the file ends where the last ends.
//!
//! meta (32 bytes)            item_count u32, dim u32, category_count u32, brand_count u32,
//!                            built_at_ms i64, training_events u64
//! item_ids, titles,
//! image_urls, page_urls      string tables with item_count strings (see below)
//! category_names             string table with category_count strings
//! brand_names                string table with brand_count strings
//! id_index                   u32 × item_count: item indices ordered by id bytes (strictly
//!                            increasing ids, so ids are unique)
//! item_category              u32 × item_count, each < category_count
//! item_brand                 u32 × item_count, each < brand_count
//! prices                     f32 × item_count, finite and ≥ 0
//! flags                      u8 × item_count; bit 0 = in stock, other bits 0
//! embedding_scales           f32 × dim, finite and ≥ 0
//! embeddings                 i8 × item_count × dim, row-major: x_ij ≈ scale_j · code_ij
//! popularity                 f32 × item_count, finite, in [0, 1]
//!
//! string table: count u32, (count + 1) × u32 offsets (0, non-decreasing, last = byte
//!               length), then the UTF-8 bytes; the section is exactly that long.
//! ```
//!
//! Every rule above is checked by [`Pack::open`]; a violation is a [`PackError`] naming the
//! field or section. Nothing is copied per item: accessors read the bytes in place.

use std::cmp::Ordering;
use std::ops::Range;

use super::strings::{read_u32, StringTable};
use super::{
    align_up, PackError, SectionKind, FORMAT_VERSION, HEADER_LEN, MAGIC, MAX_DIM, OLDEST_SUPPORTED_VERSION,
    SECTION_ENTRY_LEN,
};

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
    item_ids: StringTable,
    titles: StringTable,
    category_names: StringTable,
    brand_names: StringTable,
    image_urls: StringTable,
    page_urls: StringTable,
    scales: Vec<f32>,
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
    fixed("section_count", 20, u64::from(section_count), SectionKind::ALL.len() as u64)?;
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
    let computed = crc32fast::hash(&bytes[HEADER_LEN..]);
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
        return Err(PackError::Truncated {
            what: "section table",
            needed: table_end as u64,
            available: bytes.len() as u64,
        });
    }
    let file_len = bytes.len() as u64;
    let mut sections = Vec::with_capacity(count);
    let mut expected_offset = align_up(table_end as u64);
    let mut prev_end = table_end as u64;
    for (index, want) in SectionKind::ALL.into_iter().enumerate() {
        let at = HEADER_LEN + index * SECTION_ENTRY_LEN;
        let raw_kind = read_u32(bytes, at);
        let kind = SectionKind::from_u32(raw_kind).ok_or_else(|| PackError::BadSectionTable {
            index,
            detail: format!("unknown section kind {raw_kind}"),
        })?;
        if kind != want {
            return Err(PackError::BadSectionTable {
                index,
                detail: format!("found section {kind} where {want} must be (each kind once, in order)"),
            });
        }
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

impl<B: AsRef<[u8]>> Pack<B> {
    /// Opens a pack, checking everything in the layout above. Reads the bytes in place.
    pub fn open(bytes: B) -> Result<Pack<B>, PackError> {
        let layout = Self::validate(bytes.as_ref())?;
        Ok(Pack { bytes, layout })
    }

    fn validate(bytes: &[u8]) -> Result<Layout, PackError> {
        let header = read_header(bytes)?;
        let sections = read_sections(bytes, &header)?;
        let range = |kind: SectionKind| sections[kind as usize - 1].range.clone();

        let meta_range = range(SectionKind::Meta);
        expect_len(SectionKind::Meta, &meta_range, 32)?;
        let m = meta_range.start;
        let meta = Meta {
            item_count: read_u32(bytes, m),
            dim: read_u32(bytes, m + 4),
            category_count: read_u32(bytes, m + 8),
            brand_count: read_u32(bytes, m + 12),
            built_at_ms: read_u64(bytes, m + 16) as i64,
            training_events: read_u64(bytes, m + 24),
        };
        if meta.dim == 0 || meta.dim > MAX_DIM {
            return Err(PackError::BadValue {
                kind: SectionKind::Meta,
                index: 1,
                detail: format!("dim is {}, must be 1..={MAX_DIM}", meta.dim),
            });
        }
        let n = u64::from(meta.item_count);
        let table = |kind: SectionKind, expected: u32| -> Result<StringTable, PackError> {
            let r = range(kind);
            let t = StringTable::parse(bytes, r.start, r.len(), kind)?;
            if t.count != expected {
                return Err(PackError::BadStringTable {
                    kind,
                    detail: format!("holds {} strings, the meta section says {expected}", t.count),
                });
            }
            Ok(t)
        };
        let item_ids = table(SectionKind::ItemIds, meta.item_count)?;
        let titles = table(SectionKind::Titles, meta.item_count)?;
        let category_names = table(SectionKind::CategoryNames, meta.category_count)?;
        let brand_names = table(SectionKind::BrandNames, meta.brand_count)?;
        let image_urls = table(SectionKind::ImageUrls, meta.item_count)?;
        let page_urls = table(SectionKind::PageUrls, meta.item_count)?;

        for (kind, limit) in [
            (SectionKind::ItemCategory, meta.category_count),
            (SectionKind::ItemBrand, meta.brand_count),
        ] {
            let r = range(kind);
            expect_len(kind, &r, n * 4)?;
            for i in 0..meta.item_count as usize {
                let v = read_u32(bytes, r.start + i * 4);
                if v >= limit {
                    return Err(PackError::BadValue {
                        kind,
                        index: i as u64,
                        detail: format!("refers to entry {v}, only {limit} exist"),
                    });
                }
            }
        }
        let check_f32 = |kind: SectionKind, count: u64, ok: fn(f32) -> bool, rule: &str| -> Result<(), PackError> {
            let r = range(kind);
            expect_len(kind, &r, count * 4)?;
            for i in 0..count as usize {
                let v = read_f32(bytes, r.start + i * 4);
                if !ok(v) {
                    return Err(PackError::BadValue { kind, index: i as u64, detail: format!("{v} is not {rule}") });
                }
            }
            Ok(())
        };
        check_f32(SectionKind::Prices, n, |v| v.is_finite() && v >= 0.0, "a finite price ≥ 0")?;
        check_f32(SectionKind::EmbeddingScales, u64::from(meta.dim), |v| v.is_finite() && v >= 0.0, "a finite scale ≥ 0")?;
        check_f32(SectionKind::Popularity, n, |v| (0.0..=1.0).contains(&v), "in [0, 1]")?;

        let flags = range(SectionKind::Flags);
        expect_len(SectionKind::Flags, &flags, n)?;
        if let Some(i) = bytes[flags.clone()].iter().position(|&f| f & !1 != 0) {
            return Err(PackError::BadValue {
                kind: SectionKind::Flags,
                index: i as u64,
                detail: format!("flags {:#04x} use undefined bits", bytes[flags.start + i]),
            });
        }
        expect_len(SectionKind::Embeddings, &range(SectionKind::Embeddings), n * u64::from(meta.dim))?;

        let index = range(SectionKind::IdIndex);
        expect_len(SectionKind::IdIndex, &index, n * 4)?;
        let mut prev: Option<&str> = None;
        let mut seen = vec![false; meta.item_count as usize];
        for pos in 0..meta.item_count as usize {
            let item = read_u32(bytes, index.start + pos * 4);
            let bad = |detail: String| PackError::BadValue { kind: SectionKind::IdIndex, index: pos as u64, detail };
            let slot = seen.get_mut(item as usize).ok_or_else(|| bad(format!("item {item} does not exist")))?;
            if std::mem::replace(slot, true) {
                return Err(bad(format!("item {item} is listed twice")));
            }
            let id = item_ids.get(bytes, item);
            if let Some(p) = prev {
                match p.as_bytes().cmp(id.as_bytes()) {
                    Ordering::Less => {}
                    Ordering::Equal => return Err(PackError::DuplicateItemId { id: id.to_owned() }),
                    Ordering::Greater => return Err(bad(format!("id {id:?} is out of order after {p:?}"))),
                }
            }
            prev = Some(id);
        }

        let sr = range(SectionKind::EmbeddingScales);
        let scales = (0..meta.dim as usize).map(|j| read_f32(bytes, sr.start + j * 4)).collect();
        Ok(Layout {
            header,
            meta,
            sections,
            item_ids,
            titles,
            category_names,
            brand_names,
            image_urls,
            page_urls,
            scales,
        })
    }

    fn bytes(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    fn section(&self, kind: SectionKind) -> &[u8] {
        let r = self.layout.sections[kind as usize - 1].range.clone();
        &self.bytes()[r]
    }

    fn u32_at(&self, kind: SectionKind, i: u32) -> u32 {
        read_u32(self.section(kind), i as usize * 4)
    }

    fn f32_at(&self, kind: SectionKind, i: u32) -> f32 {
        read_f32(self.section(kind), i as usize * 4)
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

    /// Id of item `i` (`""` if out of range, as for every accessor below).
    pub fn item_id(&self, i: u32) -> &str {
        self.layout.item_ids.get(self.bytes(), i)
    }

    /// Finds an item by id (binary search over the id index).
    pub fn find_item(&self, id: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, self.item_count());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let item = self.u32_at(SectionKind::IdIndex, mid);
            match self.item_id(item).as_bytes().cmp(id.as_bytes()) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(item),
            }
        }
        None
    }

    /// Display title of item `i`.
    pub fn title(&self, i: u32) -> &str {
        self.layout.titles.get(self.bytes(), i)
    }

    /// Category index of item `i`.
    pub fn category_index(&self, i: u32) -> u32 {
        self.u32_at(SectionKind::ItemCategory, i)
    }

    /// Category name of item `i`.
    pub fn category(&self, i: u32) -> &str {
        self.category_name(self.category_index(i))
    }

    /// Number of categories.
    pub fn category_count(&self) -> u32 {
        self.layout.meta.category_count
    }

    /// Name of category `c`.
    pub fn category_name(&self, c: u32) -> &str {
        self.layout.category_names.get(self.bytes(), c)
    }

    /// Brand index of item `i`.
    pub fn brand_index(&self, i: u32) -> u32 {
        self.u32_at(SectionKind::ItemBrand, i)
    }

    /// Number of brands.
    pub fn brand_count(&self) -> u32 {
        self.layout.meta.brand_count
    }

    /// Name of brand `b`.
    pub fn brand_name(&self, b: u32) -> &str {
        self.layout.brand_names.get(self.bytes(), b)
    }

    /// Brand name of item `i`.
    pub fn brand(&self, i: u32) -> &str {
        self.brand_name(self.brand_index(i))
    }

    /// Price of item `i`.
    pub fn price(&self, i: u32) -> f32 {
        self.f32_at(SectionKind::Prices, i)
    }

    /// Whether item `i` is in stock.
    pub fn in_stock(&self, i: u32) -> bool {
        self.section(SectionKind::Flags).get(i as usize).is_some_and(|f| f & 1 == 1)
    }

    /// Image URL of item `i`.
    pub fn image_url(&self, i: u32) -> &str {
        self.layout.image_urls.get(self.bytes(), i)
    }

    /// Product page URL of item `i`.
    pub fn page_url(&self, i: u32) -> &str {
        self.layout.page_urls.get(self.bytes(), i)
    }

    /// Popularity of item `i` in [0, 1].
    pub fn popularity(&self, i: u32) -> f32 {
        self.f32_at(SectionKind::Popularity, i)
    }

    /// Per-dimension dequantization scales.
    pub fn embedding_scales(&self) -> &[f32] {
        &self.layout.scales
    }

    /// All item codes, row-major (`item_count × dim`).
    pub fn embedding_codes(&self) -> &[i8] {
        bytemuck::cast_slice(self.section(SectionKind::Embeddings))
    }

    /// Codes of item `i` (empty if out of range).
    pub fn embedding_row(&self, i: u32) -> &[i8] {
        let d = self.dim();
        self.embedding_codes().get(i as usize * d..(i as usize + 1) * d).unwrap_or(&[])
    }
}
