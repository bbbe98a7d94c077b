//! Item records: everything the pack holds about a set of items, keyed by their index in the
//! whole catalog (the single pack's item order, which is id order). Partition chunks are one
//! record block; the bootstrap ends with one (its popular and trending items).
//!
//! Layout (little-endian, no padding; `c` = count, `d` = dim, `nk`/`tk` = list lengths):
//!
//! ```text
//! count        u32
//! dim          u32   must equal the bootstrap's dim
//! neighbour_k  u16   must equal the bootstrap's
//! together_k   u16   must equal the bootstrap's
//! global       u32 × c   catalog index of each item, strictly increasing, < item_count
//! ids          string column of c, non-empty
//! titles       string column of c
//! page_urls    string column of c ("" = the page template)
//! image_urls   string column of c ("" = the image template)
//! category     u16 × c   < category_count (0 when there are none)
//! brand        u16 × c   < brand_count (0 when there are none)
//! price        f32 × c   finite, ≥ 0
//! flags        u8 × c    bit 0 = in stock, other bits 0
//! popularity   u16 × c   value / 65535
//! trend        u16 × c   value / 65535
//! interactions u32 × c
//! sales_rates  (f32, f32) × c   only when the bootstrap's flags say so: forecast and recent
//!                               units per week, each finite and ≥ 0 (the pack's section 23)
//! codes        i8 × c × d   row-major, the single pack's codes (same scales)
//! neighbours   u32 × c × nk  catalog indices (< item_count, not the item itself), then
//!                            0xFFFFFFFF in unused slots
//! weights      u16 × c × nk  similarity · 65535
//! together     u32 × c × tk  as neighbours
//! counts       u16 × c × tk  shared baskets (≥ 1 in used slots)
//! ```
//!
//! [`ItemRecords::decode`] checks every count, reference and value above (ids strictly
//! increasing, list values non-increasing over the used slots); the working set checks that a
//! chunk's ids sort with the items already held, so an accepted chunk always assembles into a
//! pack that [`crate::pack::PackContents::encode`] accepts.

use super::{words, ChunkError, Cursor};
use crate::pack::strings::write_string_column;
use crate::pack::{PackError, PackItem, SalesRate, SectionKind, NO_ITEM};

/// What the records of a sharded pack must agree with (from the bootstrap's meta).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordShape {
    /// Items in the whole catalog.
    pub item_count: u32,
    /// Embedding dimension.
    pub dim: u32,
    /// Category names in the shop.
    pub category_count: u32,
    /// Brand names in the shop.
    pub brand_count: u32,
    /// Neighbour list length.
    pub neighbour_k: u16,
    /// Bought-together list length.
    pub together_k: u16,
    /// Whether records carry sales rates (the pack has section 23).
    pub sales_rates: bool,
}

/// The full records of some items of the catalog, by catalog index.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemRecords {
    /// Catalog index of each item, strictly increasing.
    pub global: Vec<u32>,
    /// The items' cards and counts.
    pub items: Vec<PackItem>,
    /// Codes, `items.len() × dim`, row-major.
    pub codes: Vec<i8>,
    /// Per item, `neighbour_k` slots: `(catalog index, similarity)`, used slots first.
    pub neighbours: Vec<Vec<(u32, f32)>>,
    /// Per item, `together_k` slots: `(catalog index, shared baskets)`, used slots first.
    pub together: Vec<Vec<(u32, u32)>>,
}

fn unit_to_u16(v: f32) -> u16 {
    (v.clamp(0.0, 1.0) * 65535.0).round() as u16
}

fn put_list<T: Copy>(out: &mut Vec<u8>, lists: &[Vec<(u32, T)>], k: usize, value: impl Fn(T) -> u16) {
    for list in lists {
        (0..k).for_each(|s| out.extend_from_slice(&list.get(s).map_or(NO_ITEM, |e| e.0).to_le_bytes()));
    }
    for list in lists {
        (0..k).for_each(|s| out.extend_from_slice(&list.get(s).map_or(0, |e| value(e.1)).to_le_bytes()));
    }
}

impl ItemRecords {
    /// Appends the encoded records (lists are cut or padded to the shape's lengths).
    pub fn encode(&self, shape: &RecordShape, out: &mut Vec<u8>) -> Result<(), PackError> {
        let c = self.items.len();
        out.extend_from_slice(&(c as u32).to_le_bytes());
        out.extend_from_slice(&shape.dim.to_le_bytes());
        out.extend_from_slice(&shape.neighbour_k.to_le_bytes());
        out.extend_from_slice(&shape.together_k.to_le_bytes());
        self.global.iter().for_each(|g| out.extend_from_slice(&g.to_le_bytes()));
        let column = |out: &mut Vec<u8>, f: fn(&PackItem) -> &str, kind| {
            let strings: Vec<&str> = self.items.iter().map(f).collect();
            write_string_column(out, &strings, kind)
        };
        column(out, |it| &it.id, SectionKind::ItemIds)?;
        column(out, |it| &it.title, SectionKind::Titles)?;
        column(out, |it| &it.page_url, SectionKind::PageUrls)?;
        column(out, |it| &it.image_url, SectionKind::ImageUrls)?;
        self.items.iter().for_each(|it| out.extend_from_slice(&(it.category as u16).to_le_bytes()));
        self.items.iter().for_each(|it| out.extend_from_slice(&(it.brand as u16).to_le_bytes()));
        self.items.iter().for_each(|it| out.extend_from_slice(&it.price.to_le_bytes()));
        self.items.iter().for_each(|it| out.push(u8::from(it.in_stock)));
        self.items.iter().for_each(|it| out.extend_from_slice(&unit_to_u16(it.popularity).to_le_bytes()));
        self.items.iter().for_each(|it| out.extend_from_slice(&unit_to_u16(it.trend).to_le_bytes()));
        self.items.iter().for_each(|it| out.extend_from_slice(&it.interactions.to_le_bytes()));
        if shape.sales_rates {
            for rate in self.items.iter().map(|it| it.sales_rate.unwrap_or_default()) {
                out.extend_from_slice(&rate.forecast.to_le_bytes());
                out.extend_from_slice(&rate.recent.to_le_bytes());
            }
        }
        out.extend(self.codes.iter().map(|&x| x as u8));
        let empty = vec![Vec::new(); c];
        let neighbours = if self.neighbours.len() == c { &self.neighbours } else { &empty };
        put_list(out, neighbours, usize::from(shape.neighbour_k), unit_to_u16);
        let empty = vec![Vec::new(); c];
        let together = if self.together.len() == c { &self.together } else { &empty };
        put_list(out, together, usize::from(shape.together_k), |n: u32| n.min(65535) as u16);
        Ok(())
    }

    /// Reads one record block at the cursor, checked against `shape`.
    pub(crate) fn decode(r: &mut Cursor<'_>, shape: &RecordShape) -> Result<ItemRecords, ChunkError> {
        let c = r.u32("count")? as usize;
        if c > shape.item_count as usize {
            return Err(r.bad("count", format!("{c} items, the catalog has {}", shape.item_count)));
        }
        let header = (r.u32("dim")?, r.u16("neighbour_k")?, r.u16("together_k")?);
        if header != (shape.dim, shape.neighbour_k, shape.together_k) {
            return Err(r.bad(
                "dim",
                format!("dim/neighbour_k/together_k {header:?}, the bootstrap says {:?}", (shape.dim, shape.neighbour_k, shape.together_k)),
            ));
        }
        let global: Vec<u32> = words::<4>(r.array(c, 4, "global")?).map(u32::from_le_bytes).collect();
        if let Some(w) = global.windows(2).position(|w| w[0] >= w[1]) {
            return Err(r.bad("global", format!("entry {}: indices must strictly increase", w + 1)));
        }
        if let Some(&g) = global.last().filter(|&&g| g >= shape.item_count) {
            return Err(r.bad("global", format!("index {g} is past the catalog's {} items", shape.item_count)));
        }
        let mut items = Self::decode_cards(r, c, shape)?;
        let codes: Vec<i8> = r.array(c, shape.dim as usize, "codes")?.iter().map(|&b| b as i8).collect();
        let nk = usize::from(shape.neighbour_k);
        let neighbours = decode_lists(r, &global, nk, shape.item_count, "neighbours", |w| f32::from(w) / 65535.0)?;
        let together = decode_lists(r, &global, usize::from(shape.together_k), shape.item_count, "together", u32::from)?;
        if together.iter().flatten().any(|&(_, n)| n == 0) {
            return Err(r.bad("together", "a used slot has 0 shared baskets".to_owned()));
        }
        items.shrink_to_fit();
        Ok(ItemRecords { global, items, codes, neighbours, together })
    }

    fn decode_cards(r: &mut Cursor<'_>, c: usize, shape: &RecordShape) -> Result<Vec<PackItem>, ChunkError> {
        let mut columns = Vec::with_capacity(4);
        for (what, kind) in [
            ("ids", SectionKind::ItemIds),
            ("titles", SectionKind::Titles),
            ("page_urls", SectionKind::PageUrls),
            ("image_urls", SectionKind::ImageUrls),
        ] {
            let column = r.strings(what, kind)?;
            if column.len() != c {
                return Err(r.bad(what, format!("{} strings for {c} items", column.len())));
            }
            columns.push(column);
        }
        if let Some(i) = columns[0].iter().position(String::is_empty) {
            return Err(r.bad("ids", format!("item {i} has an empty id")));
        }
        if let Some(w) = columns[0].windows(2).position(|w| w[0].as_bytes() >= w[1].as_bytes()) {
            return Err(r.bad("ids", format!("id {} does not sort after the one before it (catalog order is id order)", w + 1)));
        }
        let names = |r: &mut Cursor<'_>, what, limit: u32| -> Result<Vec<u32>, ChunkError> {
            let v: Vec<u32> = words::<2>(r.array(c, 2, what)?).map(|w| u32::from(u16::from_le_bytes(w))).collect();
            match v.iter().position(|&x| x >= limit.max(1)) {
                Some(i) => Err(r.bad(what, format!("item {i}: index {} of {limit} names", v[i]))),
                None => Ok(v),
            }
        };
        let category = names(r, "category", shape.category_count)?;
        let brand = names(r, "brand", shape.brand_count)?;
        let price: Vec<f32> = words::<4>(r.array(c, 4, "price")?).map(f32::from_le_bytes).collect();
        if let Some(i) = price.iter().position(|p| !p.is_finite() || *p < 0.0) {
            return Err(r.bad("price", format!("item {i}: {} is not a finite price ≥ 0", price[i])));
        }
        let flags = r.array(c, 1, "flags")?;
        if let Some(i) = flags.iter().position(|&f| f > 1) {
            return Err(r.bad("flags", format!("item {i}: unknown flag bits {:#04x}", flags[i])));
        }
        let unit = |r: &mut Cursor<'_>, what| -> Result<Vec<f32>, ChunkError> {
            Ok(words::<2>(r.array(c, 2, what)?).map(|w| f32::from(u16::from_le_bytes(w)) / 65535.0).collect())
        };
        let popularity = unit(r, "popularity")?;
        let trend = unit(r, "trend")?;
        let interactions: Vec<u32> = words::<4>(r.array(c, 4, "interactions")?).map(u32::from_le_bytes).collect();
        let rates = if shape.sales_rates { decode_rates(r, c)? } else { Vec::new() };
        let [ids, titles, pages, images] = <[Vec<String>; 4]>::try_from(columns).unwrap_or_default();
        Ok((0..c)
            .zip(ids.into_iter().zip(titles).zip(pages.into_iter().zip(images)))
            .map(|(i, ((id, title), (page_url, image_url)))| PackItem {
                id,
                title,
                category: category[i],
                brand: brand[i],
                price: price[i],
                in_stock: flags[i] & 1 == 1,
                image_url,
                page_url,
                popularity: popularity[i],
                trend: trend[i],
                interactions: interactions[i],
                sales_rate: rates.get(i).copied(),
            })
            .collect())
    }
}

/// Reads `c` sales rates (forecast, recent), each finite and ≥ 0.
fn decode_rates(r: &mut Cursor<'_>, c: usize) -> Result<Vec<SalesRate>, ChunkError> {
    let values: Vec<f32> = words::<4>(r.array(c, 8, "sales_rates")?).map(f32::from_le_bytes).collect();
    if let Some(slot) = values.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(r.bad("sales_rates", format!("item {}: {} is not a finite rate ≥ 0", slot / 2, values[slot])));
    }
    Ok(values.chunks_exact(2).map(|p| SalesRate { forecast: p[0], recent: p[1] }).collect())
}

/// Reads `count × k` item slots then `count × k` u16 values; used slots first, no self-loops.
fn decode_lists<T>(
    r: &mut Cursor<'_>,
    global: &[u32],
    k: usize,
    item_count: u32,
    what: &'static str,
    value: impl Fn(u16) -> T,
) -> Result<Vec<Vec<(u32, T)>>, ChunkError> {
    let c = global.len();
    let slots: Vec<u32> = words::<4>(r.array(c.saturating_mul(k), 4, what)?).map(u32::from_le_bytes).collect();
    let values: Vec<u16> = words::<2>(r.array(c.saturating_mul(k), 2, what)?).map(u16::from_le_bytes).collect();
    let mut lists = Vec::with_capacity(if k > 0 { c } else { 0 });
    for (i, &item) in global.iter().enumerate().take(if k > 0 { c } else { 0 }) {
        let row = &slots[i * k..(i + 1) * k];
        let used = row.iter().take_while(|&&s| s != NO_ITEM).count();
        if row[used..].iter().any(|&s| s != NO_ITEM) {
            return Err(r.bad(what, format!("item {item}: a used slot after an unused one")));
        }
        if let Some(&s) = row[..used].iter().find(|&&s| s >= item_count || s == item) {
            return Err(r.bad(what, format!("item {item}: slot item {s} is itself or past the catalog")));
        }
        if values[i * k..i * k + used].windows(2).any(|w| w[0] < w[1]) {
            return Err(r.bad(what, format!("item {item}: values must not increase over the used slots")));
        }
        lists.push(row[..used].iter().zip(&values[i * k..]).map(|(&s, &v)| (s, value(v))).collect());
    }
    Ok(lists)
}
