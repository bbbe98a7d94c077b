//! Reading an opened pack in place: [`Pack`] and its accessors.
//!
//! [`Pack::open`] runs the strict decoder ([`super::validate`]; the byte layout is documented
//! there, in [`super::header`] and in [`super::sections`]), so every accessor here indexes
//! checked ranges. Accessors are total: an out-of-range item reads as an empty value.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::header::Header;
use super::sections::{SectionInfo, SectionKind};
use super::validate::{
    list_item_width, name_index_width, read_list_item, read_name_index, validate, Layout, Meta, BLOCK_ITEMS, ID_PLACEHOLDER, NO_ITEM,
};
use super::PackError;
use super::PackRule;
use super::SalesRate;
use super::NO_URL;
use crate::kernel;

/// An opened, fully validated pack over its bytes (`Vec<u8>`, `&[u8]`, …).
#[derive(Debug, Clone)]
pub struct Pack<B: AsRef<[u8]> = Vec<u8>> {
    bytes: B,
    layout: Layout,
}

fn expand_template(template: &str, id: &str) -> String {
    template.replace(ID_PLACEHOLDER, id)
}

impl<B: AsRef<[u8]>> Pack<B> {
    /// Opens a pack, checking everything its layout requires (see [`super::validate`]). Reads
    /// the bytes in place.
    pub fn open(bytes: B) -> Result<Pack<B>, PackError> {
        let layout = validate(bytes.as_ref())?;
        Ok(Pack { bytes, layout })
    }

    fn bytes(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    fn section(&self, kind: SectionKind) -> Option<&[u8]> {
        let r = self.layout.ranges.get(kind)?;
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
        self.layout.columns.item_ids.get(self.bytes(), i)
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
        match &self.layout.columns.titles {
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
        self.layout.columns.category_names.as_ref().map_or("", |t| t.get(self.bytes(), c))
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
        self.layout.columns.brand_names.as_ref().map_or("", |t| t.get(self.bytes(), b))
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
        self.layout.columns.page_urls.as_ref().map_or("", |t| t.get(self.bytes(), i))
    }

    /// The stored per-item image URL (`""`: the template applies).
    pub fn image_url_override(&self, i: u32) -> &str {
        self.layout.columns.image_urls.as_ref().map_or("", |t| t.get(self.bytes(), i))
    }

    /// Product page URL of item `i`: its own, the template with its id, or `""` when the
    /// item has none ([`NO_URL`] stored).
    pub fn page_url(&self, i: u32) -> Cow<'_, str> {
        self.url_or_template(self.page_url_override(i), &self.layout.page_template, i)
    }

    /// Image URL of item `i`: its own, the template with its id, or `""` when the item has
    /// none ([`NO_URL`] stored).
    pub fn image_url(&self, i: u32) -> Cow<'_, str> {
        self.url_or_template(self.image_url_override(i), &self.layout.image_template, i)
    }

    fn url_or_template<'a>(&'a self, own: &'a str, template: &str, i: u32) -> Cow<'a, str> {
        match own {
            NO_URL => Cow::Borrowed(""),
            "" if i < self.item_count() => Cow::Owned(expand_template(template, self.item_id(i))),
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
    pub fn demand_trend(&self, i: u32) -> f32 {
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

    /// The image embeddings' dimension (0 when the pack has none: built without
    /// `--image-vectors`).
    pub fn image_dim(&self) -> usize {
        self.layout.image.as_ref().map_or(0, |m| m.dim)
    }

    /// Per-dimension dequantization scales of the image embeddings (empty without them).
    pub fn image_embedding_scales(&self) -> &[f32] {
        self.layout.image.as_ref().map_or(&[], |m| &m.scales)
    }

    /// The image embeddings as the kernel reads them, when the pack has them (the same blocked
    /// layout as [`Pack::embedding_blocks`], at [`Pack::image_dim`]).
    pub fn image_embedding_blocks(&self) -> Option<kernel::Blocks<'_>> {
        let image = self.layout.image.as_ref()?;
        let section = self.section(SectionKind::ImageEmbeddings)?;
        // `open` checked the section's length at this dimension, as for the main embeddings.
        kernel::Blocks::new(section, &image.item_sums, self.item_count() as usize, image.dim).ok()
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
