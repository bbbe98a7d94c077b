//! Writing a pack: [`PackContents`] is the owned form of everything a pack holds.
//!
//! [`PackContents::encode`] checks the contents against the format's rules (a typed
//! [`PackError::InvalidContents`] naming the item), lays the bytes out exactly as
//! [`super::header`], [`super::sections`] and [`super::validate`] document, and then opens the result, so an encoded pack is always
//! one the reader accepts. The header is written last ([`write_header`]), its checksum over
//! everything else. Optional sections are written only when they carry something (no
//! titles other than the ids, every item in stock, no lists …). [`Pack::to_contents`] goes the
//! other way, which is what the byte-identical round-trip tests use.

use super::header::write_header;
use super::rules::PackRule;
use super::sections::{write_sections, SectionKind};
use super::strings::write_string_column;
use super::validate::{list_item_width, name_index_width, ID_PLACEHOLDER, MAX_DIM, MAX_LIST_LEN, MAX_NAMES, META_LEN, NO_ITEM};
use super::{Pack, PackError};

/// Slots per item of the neighbour and bought-together lists.
#[derive(Debug, Clone, Copy)]
struct ListKs {
    neighbour_k: u16,
    together_k: u16,
}

/// One item as stored in a pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PackItem {
    /// Shop id, unique and non-empty.
    pub id: String,
    /// Display title (the id when equal to it).
    pub title: String,
    /// Index into [`PackContents::categories`] (0 and unused when there are none).
    pub category: u32,
    /// Index into [`PackContents::brands`] (0 and unused when there are none).
    pub brand: u32,
    /// Price, finite and ≥ 0.
    pub price: f32,
    /// Whether it can be bought now.
    pub in_stock: bool,
    /// Image URL; `""` means the image template of [`PackContents::url_templates`],
    /// [`NO_URL`] that the item has none.
    pub image_url: String,
    /// Product page URL; `""` means the page template, [`NO_URL`] that the item has none.
    pub page_url: String,
    /// Popularity in [0, 1] (stored to 1/65535).
    pub popularity: f32,
    /// Short-horizon demand trend in [0, 1] (stored to 1/65535).
    pub trend: f32,
    /// Distinct shoppers who interacted with it at build time.
    pub interactions: u32,
    /// Units sold per week: forecast and recent (the section is written when any item has one;
    /// an item without one then stores 0 and 0).
    pub sales_rate: Option<SalesRate>,
}

/// An item's sales per week, from the builder's sales forecast (`docs/FORECAST.md`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SalesRate {
    /// Forecast units per week over the next weeks (finite, ≥ 0).
    pub forecast: f32,
    /// Units per week over the last weeks (finite, ≥ 0).
    pub recent: f32,
}

impl PackItem {
    /// An item with only an id, a title and a price; everything else empty.
    pub fn new(id: impl Into<String>, title: impl Into<String>, price: f32) -> PackItem {
        PackItem {
            id: id.into(),
            title: title.into(),
            category: 0,
            brand: 0,
            price,
            in_stock: true,
            image_url: String::new(),
            page_url: String::new(),
            popularity: 0.0,
            trend: 0.0,
            interactions: 0,
            sales_rate: None,
        }
    }
}

/// The stored URL of an item that has none (the catalog's `none`): no template applies, and
/// its card has no link (page URL) or no image. A bare scheme, so that a reader that does not
/// know it (a pack is read only by the engine of its format version, but a card's URL may be
/// shown by older page code) still never turns it into a link: every renderer of Shelfwise lets
/// only http(s) and relative URLs through, and the builder refuses every other scheme in a
/// catalog, so no real URL is ever stored as this.
pub const NO_URL: &str = "none:";

/// Page and image URL templates; `{id}` stands for the item id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlTemplates {
    /// Product page URL template.
    pub page: String,
    /// Image URL template.
    pub image: String,
}

impl UrlTemplates {
    /// Finds templates that reproduce the most items' URLs (the first item's URL with its id
    /// replaced by `{id}`), then clears the URLs they reproduce, so that only the exceptions
    /// are stored per item.
    pub fn factor_out(items: &mut [PackItem]) -> UrlTemplates {
        fn infer(items: &[PackItem], url: fn(&PackItem) -> &str) -> String {
            let Some(first) = items.iter().find(|it| !matches!(url(it), "" | NO_URL) && url(it).contains(it.id.as_str())) else {
                return String::new();
            };
            let template = url(first).replacen(first.id.as_str(), ID_PLACEHOLDER, 1);
            let hits = items.iter().filter(|it| template.replace(ID_PLACEHOLDER, &it.id) == url(it)).count();
            if hits * 2 >= items.len() {
                template
            } else {
                String::new()
            }
        }
        let templates = UrlTemplates { page: infer(items, |it| &it.page_url), image: infer(items, |it| &it.image_url) };
        for it in items.iter_mut() {
            if !templates.page.is_empty() && templates.page.replace(ID_PLACEHOLDER, &it.id) == it.page_url {
                it.page_url.clear();
            }
            if !templates.image.is_empty() && templates.image.replace(ID_PLACEHOLDER, &it.id) == it.image_url {
                it.image_url.clear();
            }
        }
        templates
    }
}

/// Everything a pack holds, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct PackContents {
    /// Version of the builder writing it.
    pub builder_version: (u16, u16, u16),
    /// Build time, ms since the Unix epoch.
    pub built_at_ms: i64,
    /// Interaction events used for training.
    pub training_events: u64,
    /// Category names.
    pub categories: Vec<String>,
    /// Brand names.
    pub brands: Vec<String>,
    /// Items, sorted by id bytes (see [`PackContents::sort_by_id`]).
    pub items: Vec<PackItem>,
    /// URL templates for items without their own URLs.
    pub url_templates: UrlTemplates,
    /// Embedding dimension.
    pub dim: u32,
    /// Per-dimension scales (`dim` values).
    pub scales: Vec<f32>,
    /// Codes, `items.len() × dim`, row-major (the encoder blocks them).
    pub codes: Vec<i8>,
    /// Per item: neighbours `(item, similarity in [0, 1])`, best first (empty, or one list per item).
    pub neighbours: Vec<Vec<(u32, f32)>>,
    /// Per item: bought-together items `(item, shared baskets ≥ 1)`, most first (empty, or one list per item).
    pub together: Vec<Vec<(u32, u32)>>,
    /// The shop's merchandising rules.
    pub rules: Vec<PackRule>,
    /// Image embeddings (`shelfwise build --image-vectors`), when the shop has them.
    pub image: Option<ImageEmbeddings>,
}

/// A second, optional set of item embeddings made from product images, quantized like the
/// main ones ([`super::quantize_per_dimension`]); the pack's sections 24 and 25.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageEmbeddings {
    /// Dimension, 1..=[`MAX_DIM`].
    pub dim: u32,
    /// Per-dimension scales (`dim` values, finite, ≥ 0).
    pub scales: Vec<f32>,
    /// Codes, `items × dim`, row-major (the encoder blocks them); a zero row: no image vector.
    pub codes: Vec<i8>,
}

/// The builder version from this crate's own `Cargo.toml`.
pub fn crate_version() -> (u16, u16, u16) {
    let part = |s: &str| s.parse().unwrap_or(0);
    (part(env!("CARGO_PKG_VERSION_MAJOR")), part(env!("CARGO_PKG_VERSION_MINOR")), part(env!("CARGO_PKG_VERSION_PATCH")))
}

fn unit_to_u16(v: f32) -> u16 {
    (v.clamp(0.0, 1.0) * 65535.0).round() as u16
}

fn invalid(detail: String) -> PackError {
    PackError::InvalidContents { detail }
}

impl PackContents {
    /// Reorders the items by id bytes (the order packs store), remapping every item index in
    /// the codes, neighbour and bought-together lists and rules. Returns the permutation:
    /// `old_to_new[old index] = new index`.
    pub fn sort_by_id(&mut self) -> Vec<u32> {
        let n = self.items.len();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| self.items[a as usize].id.as_bytes().cmp(self.items[b as usize].id.as_bytes()));
        let mut old_to_new = vec![0u32; n];
        for (new, &old) in order.iter().enumerate() {
            old_to_new[old as usize] = new as u32;
        }
        if order.iter().enumerate().all(|(new, &old)| new as u32 == old) {
            return old_to_new;
        }
        let remap = |i: u32| old_to_new.get(i as usize).copied().unwrap_or(i);
        self.items = order.iter().map(|&old| self.items[old as usize].clone()).collect();
        let d = self.dim as usize;
        if d > 0 && self.codes.len() == n * d {
            self.codes = order.iter().flat_map(|&old| self.codes[old as usize * d..(old as usize + 1) * d].to_vec()).collect();
        }
        if let Some(image) = self.image.as_mut() {
            let e = image.dim as usize;
            if e > 0 && image.codes.len() == n * e {
                image.codes = order.iter().flat_map(|&old| image.codes[old as usize * e..(old as usize + 1) * e].to_vec()).collect();
            }
        }
        let lists_in_order = |lists: &[Vec<(u32, f32)>]| -> Vec<Vec<(u32, f32)>> {
            order.iter().map(|&old| lists[old as usize].iter().map(|&(i, w)| (remap(i), w)).collect()).collect()
        };
        if self.neighbours.len() == n {
            self.neighbours = lists_in_order(&self.neighbours);
        }
        if self.together.len() == n {
            self.together = order.iter().map(|&old| self.together[old as usize].iter().map(|&(i, c)| (remap(i), c)).collect()).collect();
        }
        for rule in &mut self.rules {
            if let super::RuleTarget::Item(i) = &mut rule.target {
                *i = remap(*i);
            }
        }
        old_to_new
    }

    fn check(&self) -> Result<(), PackError> {
        let n = self.items.len();
        if n > u32::MAX as usize - 1 {
            return Err(invalid(format!("{n} items is more than a pack can index")));
        }
        self.check_vectors()?;
        self.check_items()?;
        self.check_lists()
    }

    /// The embedding and the image embedding fit the items.
    fn check_vectors(&self) -> Result<(), PackError> {
        let n = self.items.len();
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(invalid(format!("dim is {}, must be 1..={MAX_DIM}", self.dim)));
        }
        let d = self.dim as usize;
        if self.scales.len() != d || self.codes.len() != n * d {
            return Err(invalid(format!("{} scales and {} codes do not fit {n} items × dim {d}", self.scales.len(), self.codes.len())));
        }
        let Some(image) = &self.image else { return Ok(()) };
        let e = image.dim as usize;
        if image.dim == 0 || image.dim > MAX_DIM {
            return Err(invalid(format!("image dim is {}, must be 1..={MAX_DIM}", image.dim)));
        }
        if image.scales.len() != e || image.codes.len() != n * e {
            let (s, c) = (image.scales.len(), image.codes.len());
            return Err(invalid(format!("{s} image scales and {c} image codes do not fit {n} items × image dim {e}")));
        }
        if let Some(s) = image.scales.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
            return Err(invalid(format!("image scale {s} is not finite and ≥ 0")));
        }
        Ok(())
    }

    /// Names within bounds; item ids non-empty and sorted; category and brand indices exist.
    fn check_items(&self) -> Result<(), PackError> {
        for (what, names) in [("categories", &self.categories), ("brands", &self.brands)] {
            if names.len() > MAX_NAMES as usize {
                return Err(invalid(format!("{} {what}, at most {MAX_NAMES}", names.len())));
            }
        }
        for (i, it) in self.items.iter().enumerate() {
            if it.id.is_empty() {
                return Err(invalid(format!("item {i} has an empty id")));
            }
            if i > 0 && self.items[i - 1].id.as_bytes() >= it.id.as_bytes() {
                return Err(invalid(format!(
                    "item {i} ({:?}) does not sort after item {} ({:?}): call sort_by_id first, ids must be unique",
                    it.id,
                    i - 1,
                    self.items[i - 1].id
                )));
            }
            if !self.categories.is_empty() && it.category as usize >= self.categories.len() {
                return Err(invalid(format!("item {:?} has category {}, only {} exist", it.id, it.category, self.categories.len())));
            }
            if !self.brands.is_empty() && it.brand as usize >= self.brands.len() {
                return Err(invalid(format!("item {:?} has brand {}, only {} exist", it.id, it.brand, self.brands.len())));
            }
        }
        Ok(())
    }

    /// Neighbour and bought-together lists: none or one per item, valid targets, best first.
    fn check_lists(&self) -> Result<(), PackError> {
        let n = self.items.len();
        for (what, len) in [("neighbour", self.neighbours.len()), ("bought-together", self.together.len())] {
            if len != 0 && len != n {
                return Err(invalid(format!("{len} {what} lists for {n} items (give none or one per item)")));
            }
        }
        let check_list = |what: &str, i: usize, entries: &mut dyn Iterator<Item = u32>| -> Result<(), PackError> {
            for (s, item) in entries.enumerate() {
                if item as usize >= n || item as usize == i {
                    return Err(invalid(format!("{what} slot {s} of item {:?} refers to item {item}", self.items[i].id)));
                }
            }
            Ok(())
        };
        for (i, list) in self.neighbours.iter().enumerate() {
            check_list("neighbour", i, &mut list.iter().map(|e| e.0))?;
            let sorted = list.windows(2).all(|w| w[0].1 >= w[1].1);
            if !sorted || list.iter().any(|e| !(0.0..=1.0).contains(&e.1)) {
                return Err(invalid(format!("the neighbours of item {:?} need similarities in [0, 1], best first", self.items[i].id)));
            }
        }
        for (i, list) in self.together.iter().enumerate() {
            check_list("bought-together", i, &mut list.iter().map(|e| e.0))?;
            if !list.windows(2).all(|w| w[0].1 >= w[1].1) || list.iter().any(|e| e.1 == 0) {
                return Err(invalid(format!(
                    "the bought-together list of item {:?} needs basket counts ≥ 1, most first",
                    self.items[i].id
                )));
            }
        }
        Ok(())
    }

    fn list_k<T>(lists: &[Vec<T>]) -> Result<u16, PackError> {
        let k = lists.iter().map(Vec::len).max().unwrap_or(0);
        if k > usize::from(MAX_LIST_LEN) {
            return Err(invalid(format!("a list has {k} entries, at most {MAX_LIST_LEN} fit")));
        }
        Ok(k as u16)
    }

    /// Encodes to bytes, and checks the result by opening it.
    pub fn encode(&self) -> Result<Vec<u8>, PackError> {
        self.check()?;
        let ks = ListKs { neighbour_k: Self::list_k(&self.neighbours)?, together_k: Self::list_k(&self.together)? };
        let mut sections: Vec<(SectionKind, Vec<u8>)> = Vec::with_capacity(SectionKind::ALL.len());
        for kind in SectionKind::ALL {
            if let Some(bytes) = self.section_bytes(kind, ks)? {
                sections.push((kind, bytes));
            }
        }
        let mut out = write_sections(&sections);
        write_header(&mut out, self.builder_version, sections.len() as u32);
        Pack::open(out.as_slice())?;
        Ok(out)
    }

    /// The bytes of section `kind`, or `None` when it would carry nothing (optional sections
    /// are written only when they do, so one set of contents has one encoding).
    fn section_bytes(&self, kind: SectionKind, ks: ListKs) -> Result<Option<Vec<u8>>, PackError> {
        let mut s = Vec::new();
        match kind {
            SectionKind::Meta => self.write_meta(&mut s, ks),
            SectionKind::EmbeddingScales => self.scales.iter().for_each(|v| s.extend_from_slice(&v.to_le_bytes())),
            SectionKind::Embeddings => s = crate::kernel::block_row_major(&self.codes, self.dim as usize),
            SectionKind::ItemIds
            | SectionKind::Titles
            | SectionKind::CategoryNames
            | SectionKind::BrandNames
            | SectionKind::UrlTemplates
            | SectionKind::PageUrls
            | SectionKind::ImageUrls => return self.string_section(kind),
            SectionKind::Neighbours | SectionKind::NeighbourWeights | SectionKind::Together | SectionKind::TogetherCounts => {
                return Ok(self.list_section(kind, ks))
            }
            SectionKind::ImageEmbeddingScales | SectionKind::ImageEmbeddings => return Ok(self.image_section(kind)),
            SectionKind::Rules if self.rules.is_empty() => return Ok(None),
            SectionKind::Rules => {
                s.extend_from_slice(&(self.rules.len() as u32).to_le_bytes());
                self.rules.iter().for_each(|r| r.encode(&mut s));
            }
            _ => return Ok(self.item_section(kind)),
        }
        Ok(Some(s))
    }

    /// An image embedding section, if the contents have image embeddings.
    fn image_section(&self, kind: SectionKind) -> Option<Vec<u8>> {
        let image = self.image.as_ref()?;
        match kind {
            SectionKind::ImageEmbeddingScales => Some(image.scales.iter().flat_map(|v| v.to_le_bytes()).collect()),
            _ => Some(crate::kernel::block_row_major(&image.codes, image.dim as usize)),
        }
    }

    fn write_meta(&self, s: &mut Vec<u8>, ks: ListKs) {
        s.extend_from_slice(&(self.items.len() as u32).to_le_bytes());
        s.extend_from_slice(&self.dim.to_le_bytes());
        s.extend_from_slice(&(self.categories.len() as u32).to_le_bytes());
        s.extend_from_slice(&(self.brands.len() as u32).to_le_bytes());
        s.extend_from_slice(&self.built_at_ms.to_le_bytes());
        s.extend_from_slice(&self.training_events.to_le_bytes());
        s.extend_from_slice(&ks.neighbour_k.to_le_bytes());
        s.extend_from_slice(&ks.together_k.to_le_bytes());
        s.extend_from_slice(&0u32.to_le_bytes());
        debug_assert_eq!(s.len(), META_LEN);
    }

    /// A string-column section, if it carries anything.
    fn string_section(&self, kind: SectionKind) -> Result<Option<Vec<u8>>, PackError> {
        let items = |f: fn(&PackItem) -> &str| self.column(f);
        let strings: Vec<&str> = match kind {
            SectionKind::ItemIds => items(|it| &it.id),
            SectionKind::Titles if self.items.iter().any(|it| it.title != it.id) => items(|it| &it.title),
            SectionKind::CategoryNames => self.categories.iter().map(String::as_str).collect(),
            SectionKind::BrandNames => self.brands.iter().map(String::as_str).collect(),
            SectionKind::UrlTemplates if !self.url_templates.page.is_empty() || !self.url_templates.image.is_empty() => {
                vec![&self.url_templates.page, &self.url_templates.image]
            }
            SectionKind::PageUrls if self.items.iter().any(|it| !it.page_url.is_empty()) => items(|it| &it.page_url),
            SectionKind::ImageUrls if self.items.iter().any(|it| !it.image_url.is_empty()) => items(|it| &it.image_url),
            _ => return Ok(None),
        };
        if strings.is_empty() && kind != SectionKind::ItemIds {
            return Ok(None);
        }
        let mut s = Vec::new();
        write_string_column(&mut s, &strings, kind)?;
        Ok(Some(s))
    }

    /// A fixed-width per-item section (indices, prices, flags, popularity, trend,
    /// interactions, sales rates), if it carries anything.
    fn item_section(&self, kind: SectionKind) -> Option<Vec<u8>> {
        let mut s = Vec::new();
        let u16s = |s: &mut Vec<u8>, f: fn(&PackItem) -> f32| {
            self.items.iter().for_each(|it| s.extend_from_slice(&unit_to_u16(f(it)).to_le_bytes()))
        };
        match kind {
            SectionKind::ItemCategory if !self.categories.is_empty() => {
                write_name_indices(&mut s, self.items.iter().map(|it| it.category), self.categories.len())
            }
            SectionKind::ItemBrand if !self.brands.is_empty() => {
                write_name_indices(&mut s, self.items.iter().map(|it| it.brand), self.brands.len())
            }
            SectionKind::Prices => self.items.iter().for_each(|it| s.extend_from_slice(&it.price.to_le_bytes())),
            SectionKind::Flags if self.items.iter().any(|it| !it.in_stock) => s.extend(self.items.iter().map(|it| u8::from(it.in_stock))),
            SectionKind::Popularity if self.items.iter().any(|it| unit_to_u16(it.popularity) != 0) => u16s(&mut s, |it| it.popularity),
            SectionKind::Trend if self.items.iter().any(|it| unit_to_u16(it.trend) != 0) => u16s(&mut s, |it| it.trend),
            SectionKind::Interactions if self.items.iter().any(|it| it.interactions != 0) => {
                self.items.iter().for_each(|it| s.extend_from_slice(&it.interactions.to_le_bytes()))
            }
            SectionKind::SalesRates if self.items.iter().any(|it| it.sales_rate.is_some()) => {
                for rate in self.items.iter().map(|it| it.sales_rate.unwrap_or_default()) {
                    s.extend_from_slice(&rate.forecast.to_le_bytes());
                    s.extend_from_slice(&rate.recent.to_le_bytes());
                }
            }
            _ => return None,
        }
        Some(s)
    }

    /// A neighbour or bought-together section, if its lists have any slots.
    fn list_section(&self, kind: SectionKind, ks: ListKs) -> Option<Vec<u8>> {
        let mut s = Vec::new();
        match kind {
            SectionKind::Neighbours if ks.neighbour_k > 0 => write_list_items(&mut s, &self.neighbours, ks.neighbour_k, |e| e.0),
            SectionKind::NeighbourWeights if ks.neighbour_k > 0 => {
                write_list_values(&mut s, &self.neighbours, ks.neighbour_k, |e| unit_to_u16(e.1))
            }
            SectionKind::Together if ks.together_k > 0 => write_list_items(&mut s, &self.together, ks.together_k, |e| e.0),
            SectionKind::TogetherCounts if ks.together_k > 0 => {
                write_list_values(&mut s, &self.together, ks.together_k, |e| e.1.clamp(1, u32::from(u16::MAX)) as u16)
            }
            _ => return None,
        }
        Some(s)
    }

    fn column<'a>(&'a self, f: impl Fn(&'a PackItem) -> &'a str) -> Vec<&'a str> {
        self.items.iter().map(f).collect()
    }
}

/// Writes category or brand indices at the width the reader expects for `name_count` names.
fn write_name_indices(out: &mut Vec<u8>, indices: impl Iterator<Item = u32>, name_count: usize) {
    let one_byte = name_index_width(name_count as u32) == 1;
    for i in indices {
        if one_byte {
            out.push(i as u8);
        } else {
            out.extend_from_slice(&(i as u16).to_le_bytes());
        }
    }
}

/// Writes each list's items padded with the unused-slot marker to `k` slots, as `u16` while
/// the items fit (see [`list_item_width`]), else `u32`.
fn write_list_items<T>(out: &mut Vec<u8>, lists: &[Vec<T>], k: u16, item: impl Fn(&T) -> u32) {
    let narrow = list_item_width(lists.len() as u32) == 2;
    for list in lists {
        for slot in 0..usize::from(k) {
            let v = list.get(slot).map_or(NO_ITEM, &item);
            if narrow {
                out.extend_from_slice(&(if v == NO_ITEM { 0xFFFF } else { v as u16 }).to_le_bytes());
            } else {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// Writes each list's values (checked to be best first), 0 in the unused slots.
fn write_list_values<T>(out: &mut Vec<u8>, lists: &[Vec<T>], k: u16, value: impl Fn(&T) -> u16) {
    for list in lists {
        for slot in 0..usize::from(k) {
            out.extend_from_slice(&list.get(slot).map_or(0, &value).to_le_bytes());
        }
    }
}

impl<B: AsRef<[u8]>> Pack<B> {
    /// Copies everything out into the owned form (for tools and round-trip tests).
    pub fn to_contents(&self) -> PackContents {
        let n = self.item_count();
        let has_categories = self.category_count() > 0;
        let has_brands = self.brand_count() > 0;
        let items = (0..n)
            .map(|i| PackItem {
                id: self.item_id(i).to_owned(),
                title: self.title(i).to_owned(),
                category: if has_categories { self.category_index(i).unwrap_or(0) } else { 0 },
                brand: if has_brands { self.brand_index(i).unwrap_or(0) } else { 0 },
                price: self.price(i),
                in_stock: self.in_stock(i),
                image_url: self.image_url_override(i).to_owned(),
                page_url: self.page_url_override(i).to_owned(),
                popularity: self.popularity(i),
                trend: self.demand_trend(i),
                interactions: self.interactions(i),
                sales_rate: self.sales_rate(i),
            })
            .collect();
        let d = self.dim();
        let mut codes = vec![0i8; n as usize * d];
        for (i, row) in codes.chunks_exact_mut(d.max(1)).enumerate() {
            self.embedding_row(i as u32, row);
        }
        let (page, image) = self.url_templates();
        PackContents {
            builder_version: self.header().builder_version,
            built_at_ms: self.meta().built_at_ms,
            training_events: self.meta().training_events,
            categories: (0..self.category_count()).map(|c| self.category_name(c).to_owned()).collect(),
            brands: (0..self.brand_count()).map(|b| self.brand_name(b).to_owned()).collect(),
            items,
            url_templates: UrlTemplates { page: page.to_owned(), image: image.to_owned() },
            dim: d as u32,
            scales: self.embedding_scales().to_vec(),
            codes,
            neighbours: if self.neighbour_k() > 0 { (0..n).map(|i| self.neighbours(i).collect()).collect() } else { Vec::new() },
            together: if self.together_k() > 0 { (0..n).map(|i| self.bought_together(i).collect()).collect() } else { Vec::new() },
            rules: self.rules().to_vec(),
            image: self.image_contents(),
        }
    }

    /// The image embeddings in the owned form, when the pack has them.
    fn image_contents(&self) -> Option<ImageEmbeddings> {
        let blocks = self.image_embedding_blocks()?;
        let e = self.image_dim();
        let mut codes = vec![0i8; self.item_count() as usize * e];
        for (i, row) in codes.chunks_exact_mut(e).enumerate() {
            row.iter_mut().zip(blocks.codes_of(i)).for_each(|(o, c)| *o = c);
        }
        Some(ImageEmbeddings { dim: e as u32, scales: self.image_embedding_scales().to_vec(), codes })
    }
}
