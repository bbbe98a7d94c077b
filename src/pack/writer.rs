//! Writing a pack: [`PackContents`] is the owned form of everything a pack holds.
//!
//! [`PackContents::encode`] lays the bytes out exactly as [`reader`](super::reader) documents
//! and then opens the result, so an encoded pack is always one the reader accepts.
//! [`Pack::to_contents`] goes the other way, which is what the byte-identical round-trip
//! tests use.

use super::strings::write_string_table;
use super::{align_up, Pack, PackError, SectionKind, FORMAT_VERSION, HEADER_LEN, MAGIC, SECTION_ENTRY_LEN};

/// One item as stored in a pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PackItem {
    /// Shop id, unique.
    pub id: String,
    /// Display title.
    pub title: String,
    /// Index into [`PackContents::categories`].
    pub category: u32,
    /// Index into [`PackContents::brands`].
    pub brand: u32,
    /// Price, finite and ≥ 0.
    pub price: f32,
    /// Whether it can be bought now.
    pub in_stock: bool,
    /// Image URL.
    pub image_url: String,
    /// Product page URL.
    pub page_url: String,
    /// Popularity in [0, 1].
    pub popularity: f32,
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
    /// Items, in pack order.
    pub items: Vec<PackItem>,
    /// Embedding dimension.
    pub dim: u32,
    /// Per-dimension scales (`dim` values).
    pub scales: Vec<f32>,
    /// Codes, `items.len() × dim`, row-major.
    pub codes: Vec<i8>,
}

/// The builder version from this crate's own `Cargo.toml`.
pub fn crate_version() -> (u16, u16, u16) {
    let part = |s: &str| s.parse().unwrap_or(0);
    (
        part(env!("CARGO_PKG_VERSION_MAJOR")),
        part(env!("CARGO_PKG_VERSION_MINOR")),
        part(env!("CARGO_PKG_VERSION_PATCH")),
    )
}

impl PackContents {
    /// Encodes to bytes, and checks the result by opening it.
    pub fn encode(&self) -> Result<Vec<u8>, PackError> {
        let n = self.items.len();
        let mut sections: Vec<Vec<u8>> = Vec::with_capacity(SectionKind::ALL.len());
        for kind in SectionKind::ALL {
            let mut s = Vec::new();
            match kind {
                SectionKind::Meta => {
                    s.extend_from_slice(&(n as u32).to_le_bytes());
                    s.extend_from_slice(&self.dim.to_le_bytes());
                    s.extend_from_slice(&(self.categories.len() as u32).to_le_bytes());
                    s.extend_from_slice(&(self.brands.len() as u32).to_le_bytes());
                    s.extend_from_slice(&self.built_at_ms.to_le_bytes());
                    s.extend_from_slice(&self.training_events.to_le_bytes());
                }
                SectionKind::ItemIds => write_string_table(&mut s, &self.column(|it| it.id.as_str())),
                SectionKind::IdIndex => {
                    let mut order: Vec<u32> = (0..n as u32).collect();
                    order.sort_by(|&a, &b| self.items[a as usize].id.as_bytes().cmp(self.items[b as usize].id.as_bytes()));
                    for i in order {
                        s.extend_from_slice(&i.to_le_bytes());
                    }
                }
                SectionKind::Titles => write_string_table(&mut s, &self.column(|it| it.title.as_str())),
                SectionKind::CategoryNames => write_string_table(&mut s, &self.categories),
                SectionKind::ItemCategory => self.items.iter().for_each(|it| s.extend_from_slice(&it.category.to_le_bytes())),
                SectionKind::BrandNames => write_string_table(&mut s, &self.brands),
                SectionKind::ItemBrand => self.items.iter().for_each(|it| s.extend_from_slice(&it.brand.to_le_bytes())),
                SectionKind::Prices => self.items.iter().for_each(|it| s.extend_from_slice(&it.price.to_le_bytes())),
                SectionKind::Flags => s.extend(self.items.iter().map(|it| u8::from(it.in_stock))),
                SectionKind::ImageUrls => write_string_table(&mut s, &self.column(|it| it.image_url.as_str())),
                SectionKind::PageUrls => write_string_table(&mut s, &self.column(|it| it.page_url.as_str())),
                SectionKind::EmbeddingScales => self.scales.iter().for_each(|v| s.extend_from_slice(&v.to_le_bytes())),
                SectionKind::Embeddings => s.extend(self.codes.iter().map(|&c| c as u8)),
                SectionKind::Popularity => self.items.iter().for_each(|it| s.extend_from_slice(&it.popularity.to_le_bytes())),
            }
            sections.push(s);
        }

        let table_end = HEADER_LEN + SectionKind::ALL.len() * SECTION_ENTRY_LEN;
        let mut out = vec![0u8; table_end];
        let mut entries = Vec::with_capacity(sections.len());
        for (kind, body) in SectionKind::ALL.into_iter().zip(&sections) {
            out.resize(align_up(out.len() as u64) as usize, 0);
            entries.push((kind, out.len() as u64, body.len() as u64));
            out.extend_from_slice(body);
        }
        for (i, (kind, offset, len)) in entries.into_iter().enumerate() {
            let at = HEADER_LEN + i * SECTION_ENTRY_LEN;
            out[at..at + 4].copy_from_slice(&(kind as u32).to_le_bytes());
            out[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
            out[at + 16..at + 24].copy_from_slice(&len.to_le_bytes());
        }
        out[..8].copy_from_slice(&MAGIC);
        out[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[10..12].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
        let (major, minor, patch) = self.builder_version;
        out[12..14].copy_from_slice(&major.to_le_bytes());
        out[14..16].copy_from_slice(&minor.to_le_bytes());
        out[16..18].copy_from_slice(&patch.to_le_bytes());
        out[20..24].copy_from_slice(&(SectionKind::ALL.len() as u32).to_le_bytes());
        let body_len = (out.len() - HEADER_LEN) as u64;
        out[24..32].copy_from_slice(&body_len.to_le_bytes());
        let crc = crc32fast::hash(&out[HEADER_LEN..]);
        out[32..36].copy_from_slice(&crc.to_le_bytes());

        Pack::open(out.as_slice())?;
        Ok(out)
    }

    fn column<'a>(&'a self, f: impl Fn(&'a PackItem) -> &'a str) -> Vec<&'a str> {
        self.items.iter().map(f).collect()
    }
}

impl<B: AsRef<[u8]>> Pack<B> {
    /// Copies everything out into the owned form (for tools and round-trip tests).
    pub fn to_contents(&self) -> PackContents {
        let items = (0..self.item_count())
            .map(|i| PackItem {
                id: self.item_id(i).to_owned(),
                title: self.title(i).to_owned(),
                category: self.category_index(i),
                brand: self.brand_index(i),
                price: self.price(i),
                in_stock: self.in_stock(i),
                image_url: self.image_url(i).to_owned(),
                page_url: self.page_url(i).to_owned(),
                popularity: self.popularity(i),
            })
            .collect();
        PackContents {
            builder_version: self.header().builder_version,
            built_at_ms: self.meta().built_at_ms,
            training_events: self.meta().training_events,
            categories: (0..self.category_count()).map(|c| self.category_name(c).to_owned()).collect(),
            brands: (0..self.brand_count()).map(|b| self.brand_name(b).to_owned()).collect(),
            items,
            dim: self.dim() as u32,
            scales: self.embedding_scales().to_vec(),
            codes: self.embedding_codes().to_vec(),
        }
    }
}
