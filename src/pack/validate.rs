//! What each section holds, and the strict decoder that checks all of it when a pack is
//! opened ([`validate`]), producing the [`Layout`] the reader's accessors index without further
//! checks.
//!
//! # Section contents (format version 4)
//!
//! The header is in [`super::header`], the section table in [`super::sections`].
//!
//! ```text
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
//! 11 page_urls ?             string column of n; "" = expand the template, "none:" = no URL
//! 12 image_urls ?            string column of n; "" = expand the template, "none:" = no URL
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
//!                            finite and ≥ 0 (absent: unknown)
//! 24 image_embedding_scales ? f32 × e (e = its length / 4, the image dimension, 1..=1024),
//!                            finite and ≥ 0; present iff 25 is
//! 25 image_embeddings ?      as 14, at dimension e: i8 × B × 4 × ceil(e / 4) × 16, padding 0
//!
//! string column: see [`super::strings`]: count u32, a u32 offset per block of 16 strings
//!                (+ one), then each string as a LEB128 length and its UTF-8 bytes.
//! ```
//!
//! Every rule above is checked; a violation is a [`PackError`] naming the field or section.
//! Nothing is copied per item: the scales, URL templates and rules (a few bytes each) are
//! decoded once, and each item's code sum (one `i32` per item) is computed for the kernel.

use std::cmp::Ordering;
use std::ops::Range;

use super::header::{read_header, Header};
use super::le::{read_f32, read_u16, read_u32, read_u64};
use super::rules::{PackRule, RULE_LEN};
use super::sections::{read_section_table, SectionInfo, SectionKind};
use super::strings::StringColumn;
use super::PackError;
use crate::kernel;

/// Size of the meta section in bytes.
pub const META_LEN: usize = 40;
/// The placeholder URL templates use for the item id.
pub const ID_PLACEHOLDER: &str = "{id}";
/// Largest embedding dimension a pack may declare (well under the kernel's own limit,
/// [`crate::kernel::MAX_KERNEL_DIM`]).
pub const MAX_DIM: u32 = 1024;
/// Items per block of the blocked embedding codes.
pub const BLOCK_ITEMS: usize = crate::kernel::LANES;
/// Longest neighbour or bought-together list per item.
pub const MAX_LIST_LEN: u16 = 256;
/// Most categories or brands a pack may name.
pub const MAX_NAMES: u32 = 65_535;
/// Marks an unused slot in a neighbour or bought-together list.
pub const NO_ITEM: u32 = u32::MAX;

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

/// The byte range of each present section, indexed by kind.
#[derive(Debug, Clone, Default)]
pub(super) struct SectionRanges([Option<Range<usize>>; SectionKind::ALL.len() + 1]);

impl SectionRanges {
    fn new(sections: &[SectionInfo]) -> SectionRanges {
        let mut ranges = SectionRanges::default();
        for s in sections {
            ranges.0[s.kind as usize] = Some(s.range.clone());
        }
        ranges
    }

    /// The range of `kind`, if present.
    pub(super) fn get(&self, kind: SectionKind) -> Option<Range<usize>> {
        self.0.get(kind as usize)?.clone()
    }

    /// The range of a required `kind` (present: the section table checked it).
    fn required(&self, kind: SectionKind) -> Range<usize> {
        self.get(kind).unwrap_or(0..0)
    }
}

/// The string columns of a pack, parsed and checked.
#[derive(Debug, Clone)]
pub(super) struct Columns {
    pub(super) item_ids: StringColumn,
    pub(super) titles: Option<StringColumn>,
    pub(super) category_names: Option<StringColumn>,
    pub(super) brand_names: Option<StringColumn>,
    pub(super) page_urls: Option<StringColumn>,
    pub(super) image_urls: Option<StringColumn>,
    templates: Option<StringColumn>,
}

/// Everything [`validate`] learned about a pack, for the reader's accessors.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) header: Header,
    pub(super) meta: Meta,
    pub(super) sections: Vec<SectionInfo>,
    pub(super) ranges: SectionRanges,
    pub(super) columns: Columns,
    pub(super) page_template: String,
    pub(super) image_template: String,
    pub(super) scales: Vec<f32>,
    /// Each item slot's code sum ([`kernel::item_sums`]), for the kernel.
    pub(super) item_sums: Vec<i32>,
    pub(super) rules: Vec<PackRule>,
    /// The image embeddings' dimension, scales and item code sums, when the pack has them.
    pub(super) image: Option<ImageLayout>,
}

/// What [`validate`] learned about the optional image embeddings (sections 24 and 25).
#[derive(Debug, Clone)]
pub(super) struct ImageLayout {
    pub(super) dim: usize,
    pub(super) scales: Vec<f32>,
    pub(super) item_sums: Vec<i32>,
}

/// Checks a whole pack, stage by stage: header, section table, meta, which optional sections
/// are present, string columns, item ids, per-item values, embeddings, lists, rules.
pub(super) fn validate(bytes: &[u8]) -> Result<Layout, PackError> {
    let header = read_header(bytes)?;
    let sections = read_section_table(bytes, header.section_count)?;
    let ranges = SectionRanges::new(&sections);
    let meta = read_meta(bytes, &ranges)?;
    check_presence(&ranges, &meta)?;
    let columns = read_columns(bytes, &ranges, &meta)?;
    check_item_ids(bytes, &columns.item_ids, meta.item_count)?;
    check_per_item_values(bytes, &ranges, &meta)?;
    check_sales_rates(bytes, &ranges, &meta)?;
    let item_sums = check_embeddings(bytes, &ranges, &meta)?;
    let image = check_image_embeddings(bytes, &ranges, &meta)?;
    check_list_sections(bytes, &ranges, &meta)?;
    let rules = read_rules(bytes, &ranges, &meta)?;
    let scales_at = ranges.required(SectionKind::EmbeddingScales).start;
    let scales = (0..meta.dim as usize).map(|j| read_f32(bytes, scales_at + j * 4)).collect();
    let (page_template, image_template) = match &columns.templates {
        Some(t) => (t.get(bytes, 0).to_owned(), t.get(bytes, 1).to_owned()),
        None => (String::new(), String::new()),
    };
    Ok(Layout { header, meta, sections, ranges, columns, page_template, image_template, scales, item_sums, rules, image })
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

/// Decodes the meta section and checks its limits (dim, name counts, list lengths, reserved).
fn read_meta(bytes: &[u8], ranges: &SectionRanges) -> Result<Meta, PackError> {
    let range = ranges.required(SectionKind::Meta);
    expect_len(SectionKind::Meta, &range, META_LEN as u64)?;
    let m = range.start;
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
    Ok(meta)
}

/// Checks that the optional section pairs are present exactly when the meta counts say so.
fn check_presence(ranges: &SectionRanges, meta: &Meta) -> Result<(), PackError> {
    let pairs = [
        ([SectionKind::CategoryNames, SectionKind::ItemCategory], meta.category_count > 0, "category_count > 0"),
        ([SectionKind::BrandNames, SectionKind::ItemBrand], meta.brand_count > 0, "brand_count > 0"),
        ([SectionKind::Neighbours, SectionKind::NeighbourWeights], meta.neighbour_k > 0, "neighbour_k > 0"),
        ([SectionKind::Together, SectionKind::TogetherCounts], meta.together_k > 0, "together_k > 0"),
    ];
    for (kinds, wanted, why) in pairs {
        for kind in kinds {
            let present = ranges.get(kind).is_some();
            if present != wanted {
                let detail = if wanted {
                    format!("section {kind} is absent although {why}")
                } else {
                    format!("section {kind} is present although not {why}")
                };
                return Err(bad_value(SectionKind::Meta, 0, detail));
            }
        }
    }
    Ok(())
}

/// Parses every string column present and checks its count against the meta section.
fn read_columns(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<Columns, PackError> {
    let column = |kind: SectionKind, expected: u32| -> Result<Option<StringColumn>, PackError> {
        let Some(r) = ranges.get(kind) else { return Ok(None) };
        let c = StringColumn::parse(bytes, r.start, r.len(), kind)?;
        if c.count != expected {
            return Err(PackError::BadStringTable { kind, detail: format!("holds {} strings, {expected} are needed", c.count) });
        }
        Ok(Some(c))
    };
    let n = meta.item_count;
    Ok(Columns {
        item_ids: column(SectionKind::ItemIds, n)?.ok_or(PackError::MissingSection { kind: SectionKind::ItemIds })?,
        titles: column(SectionKind::Titles, n)?,
        category_names: column(SectionKind::CategoryNames, meta.category_count)?,
        brand_names: column(SectionKind::BrandNames, meta.brand_count)?,
        templates: column(SectionKind::UrlTemplates, 2)?,
        page_urls: column(SectionKind::PageUrls, n)?,
        image_urls: column(SectionKind::ImageUrls, n)?,
    })
}

/// Checks that the ids are non-empty and strictly increasing by bytes (so unique).
fn check_item_ids(bytes: &[u8], item_ids: &StringColumn, item_count: u32) -> Result<(), PackError> {
    let mut prev: Option<&str> = None;
    for i in 0..item_count {
        let id = item_ids.get(bytes, i);
        if id.is_empty() {
            return Err(bad_value(SectionKind::ItemIds, u64::from(i), "the id is empty".to_owned()));
        }
        if let Some(p) = prev {
            match p.as_bytes().cmp(id.as_bytes()) {
                Ordering::Less => {}
                Ordering::Equal => return Err(PackError::DuplicateItemId { id: id.to_owned() }),
                Ordering::Greater => {
                    let detail = format!("id {id:?} is out of order after {p:?} (ids must increase by bytes)");
                    return Err(bad_value(SectionKind::ItemIds, u64::from(i), detail));
                }
            }
        }
        prev = Some(id);
    }
    Ok(())
}

/// Checks the fixed-width per-item sections: category and brand indices, prices, scales,
/// flags, popularity, trend and interactions.
fn check_per_item_values(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<(), PackError> {
    let n = u64::from(meta.item_count);
    for (kind, limit) in [(SectionKind::ItemCategory, meta.category_count), (SectionKind::ItemBrand, meta.brand_count)] {
        let Some(r) = ranges.get(kind) else { continue };
        let width = name_index_width(limit);
        expect_len(kind, &r, n * width as u64)?;
        for i in 0..meta.item_count as usize {
            let v = read_name_index(bytes, r.start, width, i);
            if v >= limit {
                return Err(bad_value(kind, i as u64, format!("refers to entry {v}, only {limit} exist")));
            }
        }
    }
    let check_f32 = |kind: SectionKind, count: u64, rule: &str| -> Result<(), PackError> {
        let r = ranges.required(kind);
        expect_len(kind, &r, count * 4)?;
        for i in 0..count as usize {
            let v = read_f32(bytes, r.start + i * 4);
            if !(v.is_finite() && v >= 0.0) {
                return Err(bad_value(kind, i as u64, format!("{v} is not {rule}")));
            }
        }
        Ok(())
    };
    check_f32(SectionKind::Prices, n, "a finite price ≥ 0")?;
    check_f32(SectionKind::EmbeddingScales, u64::from(meta.dim), "a finite scale ≥ 0")?;
    if let Some(flags) = ranges.get(SectionKind::Flags) {
        expect_len(SectionKind::Flags, &flags, n)?;
        if let Some(i) = bytes[flags.clone()].iter().position(|&f| f & !1 != 0) {
            return Err(bad_value(SectionKind::Flags, i as u64, format!("flags {:#04x} use undefined bits", bytes[flags.start + i])));
        }
    }
    for (kind, width) in [(SectionKind::Popularity, 2), (SectionKind::Trend, 2), (SectionKind::Interactions, 4)] {
        if let Some(r) = ranges.get(kind) {
            expect_len(kind, &r, n * width)?;
        }
    }
    Ok(())
}

/// Checks the optional sales rates: two finite `f32`s ≥ 0 per item (forecast, recent); the
/// error's index is the item.
fn check_sales_rates(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<(), PackError> {
    let Some(r) = ranges.get(SectionKind::SalesRates) else { return Ok(()) };
    expect_len(SectionKind::SalesRates, &r, u64::from(meta.item_count) * 8)?;
    for slot in 0..2 * meta.item_count as usize {
        let v = read_f32(bytes, r.start + slot * 4);
        if !(v.is_finite() && v >= 0.0) {
            return Err(bad_value(SectionKind::SalesRates, slot as u64 / 2, format!("{v} is not a finite rate ≥ 0")));
        }
    }
    Ok(())
}

/// Checks the embeddings' length and zero padding; returns each item slot's code sum.
fn check_embeddings(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<Vec<i32>, PackError> {
    let embeddings = ranges.required(SectionKind::Embeddings);
    let (n, dim) = (meta.item_count as usize, meta.dim as usize);
    expect_len(SectionKind::Embeddings, &embeddings, kernel::blocked_len(n, dim) as u64)?;
    check_block_padding(&bytes[embeddings.clone()], n, dim, SectionKind::Embeddings)?;
    Ok(kernel::item_sums(&bytes[embeddings], n, dim))
}

/// Checks the optional image embeddings: both sections or neither, the dimension (the scales'
/// length / 4) in 1..=[`MAX_DIM`], finite scales ≥ 0, the codes' length and zero padding at that
/// dimension. Returns the dimension, the scales and each item slot's code sum.
fn check_image_embeddings(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<Option<ImageLayout>, PackError> {
    let (scale_kind, code_kind) = (SectionKind::ImageEmbeddingScales, SectionKind::ImageEmbeddings);
    let (scales, codes) = match (ranges.get(scale_kind), ranges.get(code_kind)) {
        (None, None) => return Ok(None),
        (Some(s), Some(c)) => (s, c),
        (present, _) => {
            let (here, absent) = if present.is_some() { (scale_kind, code_kind) } else { (code_kind, scale_kind) };
            return Err(bad_value(here, 0, format!("section {here} is present without section {absent}")));
        }
    };
    let dim = scales.len() / 4;
    if scales.len() % 4 != 0 || dim == 0 || dim > MAX_DIM as usize {
        let detail = format!("{} bytes do not hold 1..={MAX_DIM} f32 scales", scales.len());
        return Err(bad_value(scale_kind, 0, detail));
    }
    let values: Vec<f32> = (0..dim).map(|j| read_f32(bytes, scales.start + j * 4)).collect();
    if let Some(j) = values.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(bad_value(scale_kind, j as u64, format!("{} is not a finite scale ≥ 0", values[j])));
    }
    let n = meta.item_count as usize;
    expect_len(code_kind, &codes, kernel::blocked_len(n, dim) as u64)?;
    check_block_padding(&bytes[codes.clone()], n, dim, code_kind)?;
    Ok(Some(ImageLayout { dim, scales: values, item_sums: kernel::item_sums(&bytes[codes], n, dim) }))
}

/// Checks that the padding of the blocked codes is 0: the dimensions past `dim` of every item,
/// and every dimension of the item slots past the last item. The error's index is the item
/// slot.
fn check_block_padding(codes: &[u8], items: usize, dim: usize, kind: SectionKind) -> Result<(), PackError> {
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
            return Err(bad_value(kind, i as u64, format!("{what} (dimension {j}) holds code {}, not 0", code as i8)));
        }
    }
    Ok(())
}

/// Checks the neighbour and bought-together section pairs that are present.
fn check_list_sections(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<(), PackError> {
    let pairs = [
        (SectionKind::Neighbours, SectionKind::NeighbourWeights, meta.neighbour_k, 0),
        (SectionKind::Together, SectionKind::TogetherCounts, meta.together_k, 1),
    ];
    for (item_kind, value_kind, k, min_used) in pairs {
        if let (Some(items), Some(values)) = (ranges.get(item_kind), ranges.get(value_kind)) {
            let lists = ListSections { items, values, kinds: (item_kind, value_kind), k: usize::from(k), min_used };
            check_lists(bytes, &lists, meta.item_count)?;
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
pub(super) fn read_list_item(bytes: &[u8], start: usize, width: usize, slot: usize) -> u32 {
    if width == 2 {
        match read_u16(bytes, start + slot * 2) {
            0xFFFF => NO_ITEM,
            v => u32::from(v),
        }
    } else {
        read_u32(bytes, start + slot * 4)
    }
}

/// One list section pair: items and their weights or counts, `k` slots per item.
struct ListSections {
    items: Range<usize>,
    values: Range<usize>,
    kinds: (SectionKind, SectionKind),
    k: usize,
    /// The smallest value a used slot may hold.
    min_used: u16,
}

/// Checks a list section pair slot by slot: used slots first, items in range and not the
/// item itself, values ≥ `min_used` and never increasing, unused slots holding 0.
fn check_lists(bytes: &[u8], lists: &ListSections, n: u32) -> Result<(), PackError> {
    let (item_kind, value_kind) = lists.kinds;
    let k = lists.k;
    let slots = u64::from(n) * k as u64;
    let width = list_item_width(n);
    expect_len(item_kind, &lists.items, slots * width as u64)?;
    expect_len(value_kind, &lists.values, slots * 2)?;
    for i in 0..n as usize {
        let mut used = true;
        let mut prev_value = u16::MAX;
        for s in 0..k {
            let slot = i * k + s;
            let item = read_list_item(bytes, lists.items.start, width, slot);
            let value = read_u16(bytes, lists.values.start + slot * 2);
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
            if value < lists.min_used || value > prev_value {
                let detail = format!("slot {s} holds {value}: used slots must be ≥ {} and never increase", lists.min_used);
                return Err(bad_value(value_kind, i as u64, detail));
            }
            prev_value = value;
        }
    }
    Ok(())
}

/// Decodes and checks the rules section, if present.
fn read_rules(bytes: &[u8], ranges: &SectionRanges, meta: &Meta) -> Result<Vec<PackRule>, PackError> {
    let Some(r) = ranges.get(SectionKind::Rules) else { return Ok(Vec::new()) };
    if r.len() < 4 {
        return Err(PackError::CountMismatch { kind: SectionKind::Rules, expected: 4, found: r.len() as u64 });
    }
    let count = u64::from(read_u32(bytes, r.start));
    expect_len(SectionKind::Rules, &r, 4 + count * RULE_LEN as u64)?;
    bytes[r.start + 4..r.end]
        .chunks_exact(RULE_LEN)
        .enumerate()
        .map(|(index, entry)| PackRule::decode(entry, index, meta.item_count, meta.category_count))
        .collect()
}

/// Bytes per category or brand index: 1 while the names fit in a byte, else 2.
pub fn name_index_width(name_count: u32) -> usize {
    if name_count <= 256 {
        1
    } else {
        2
    }
}

/// The category or brand index of item `i` at the given width.
pub(super) fn read_name_index(bytes: &[u8], start: usize, width: usize, i: usize) -> u32 {
    if width == 1 {
        bytes.get(start + i).map_or(0, |&b| u32::from(b))
    } else {
        u32::from(read_u16(bytes, start + i * 2))
    }
}
