//! The bootstrap file: what the browser fetches first from a sharded pack.
//!
//! Body layout (little-endian, no padding; `d` = dim, `P` = partition_count, `D` =
//! directory_count):
//!
//! ```text
//! meta (56 bytes)
//!   item_count u32 (≥ 1), dim u32 (1..=1024), category_count u32, brand_count u32
//!   (each ≤ 65535), built_at_ms i64, training_events u64, neighbour_k u16, together_k u16
//!   (each ≤ 256), partition_count u32 (≥ 1), directory_count u32 (≥ 1), builder_version
//!   u16 × 3, flags u16 (bit 0: item records carry sales rates; other bits 0), directory_items u32 (≥ 1: items per directory chunk, the last
//!   may hold fewer; directory_count = ⌈item_count / directory_items⌉)
//! category_names   string column of category_count
//! brand_names      string column of brand_count
//! url_templates    string column of 2 (page, image; `{id}` placeholder)
//! scales           f32 × d     the codes' per-dimension scales (finite, ≥ 0)
//! centroid_scales  f32 × d     the centroids' per-dimension scales (finite, ≥ 0)
//! centroids        i8 × P × d  IVF centroids (unit directions, quantized like the codes)
//! rules            count u32, then count × 12 bytes as the pack's rules section, item
//!                  targets being catalog indices
//! manifest         (P + D) × 16 bytes: kind u16 (1 partition for entries 0..P, 2 directory
//!                  for P..P+D), reserved u16 = 0, byte_len u32 (the whole file, ≥ 32),
//!                  content_hash u64 (FNV-1a of the whole file; the file is named
//!                  `{content_hash:016x}.chunk`)
//! directory_first  string column of D ids: the first id of each directory chunk, strictly
//!                  increasing, the first being the catalog's first id
//! records          one item-record block (`records.rs`): the bootstrap's own items
//! ```

use super::records::{ItemRecords, RecordShape};
use super::{seal, unseal, ChunkError, ChunkKind, Cursor};
use crate::pack::rules::{PackRule, RULE_LEN};
use crate::pack::strings::write_string_column;
use crate::pack::{PackError, SectionKind, UrlTemplates, MAX_DIM, MAX_LIST_LEN, MAX_NAMES};

/// Bytes per manifest entry.
pub const MANIFEST_ENTRY_LEN: usize = 16;

/// One chunk as the manifest lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestEntry {
    /// What it holds.
    pub kind: ChunkKind,
    /// Its whole file length.
    pub byte_len: u32,
    /// FNV-1a of its whole file ([`super::content_hash`]).
    pub content_hash: u64,
}

impl ManifestEntry {
    /// The chunk's file name, next to the bootstrap.
    pub fn file_name(&self) -> String {
        format!("{:016x}.chunk", self.content_hash)
    }
}

/// The decoded bootstrap.
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    /// Counts and list lengths every chunk must agree with.
    pub shape: RecordShape,
    /// Version of the builder that wrote it.
    pub builder_version: (u16, u16, u16),
    /// Build time, ms since the Unix epoch.
    pub built_at_ms: i64,
    /// Events used for training.
    pub training_events: u64,
    /// Category names.
    pub categories: Vec<String>,
    /// Brand names.
    pub brands: Vec<String>,
    /// URL templates.
    pub url_templates: UrlTemplates,
    /// Per-dimension scales of the item codes.
    pub scales: Vec<f32>,
    /// Per-dimension scales of the centroids.
    pub centroid_scales: Vec<f32>,
    /// Centroid codes, `partition_count × dim`, row-major.
    pub centroids: Vec<i8>,
    /// Rules, item targets being catalog indices.
    pub rules: Vec<PackRule>,
    /// Partition chunks first, then directory chunks.
    pub manifest: Vec<ManifestEntry>,
    /// First id of each directory chunk.
    pub directory_first: Vec<String>,
    /// Items per directory chunk (the last may hold fewer).
    pub directory_items: u32,
    /// Full records of the bootstrap's own items.
    pub records: ItemRecords,
}

fn put_meta(b: &Bootstrap, out: &mut Vec<u8>) {
    let s = &b.shape;
    [s.item_count, s.dim, s.category_count, s.brand_count].iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    out.extend_from_slice(&b.built_at_ms.to_le_bytes());
    out.extend_from_slice(&b.training_events.to_le_bytes());
    out.extend_from_slice(&s.neighbour_k.to_le_bytes());
    out.extend_from_slice(&s.together_k.to_le_bytes());
    out.extend_from_slice(&b.partition_count().to_le_bytes());
    out.extend_from_slice(&(b.directory_first.len() as u32).to_le_bytes());
    let (major, minor, patch) = b.builder_version;
    [major, minor, patch, u16::from(s.sales_rates)].iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    out.extend_from_slice(&b.directory_items.to_le_bytes());
}

impl Bootstrap {
    /// Number of IVF partitions.
    pub fn partition_count(&self) -> u32 {
        (self.centroids.len() / (self.shape.dim.max(1) as usize)) as u32
    }

    /// The whole bootstrap file (header and body).
    pub fn encode(&self) -> Result<Vec<u8>, PackError> {
        let mut out = Vec::new();
        put_meta(self, &mut out);
        write_string_column(&mut out, &self.categories, SectionKind::CategoryNames)?;
        write_string_column(&mut out, &self.brands, SectionKind::BrandNames)?;
        write_string_column(&mut out, &[&self.url_templates.page, &self.url_templates.image], SectionKind::UrlTemplates)?;
        self.scales.iter().chain(&self.centroid_scales).for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        out.extend(self.centroids.iter().map(|&c| c as u8));
        out.extend_from_slice(&(self.rules.len() as u32).to_le_bytes());
        self.rules.iter().for_each(|rule| rule.encode(&mut out));
        for entry in &self.manifest {
            out.extend_from_slice(&(entry.kind as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&entry.byte_len.to_le_bytes());
            out.extend_from_slice(&entry.content_hash.to_le_bytes());
        }
        write_string_column(&mut out, &self.directory_first, SectionKind::ItemIds)?;
        self.records.encode(&self.shape, &mut out)?;
        Ok(seal(ChunkKind::Bootstrap, 0, &out))
    }

    /// Opens a bootstrap file, checking its header, checksum and every field.
    pub fn decode(bytes: &[u8]) -> Result<Bootstrap, ChunkError> {
        let body = unseal(bytes, ChunkKind::Bootstrap, 0)?;
        let mut r = Cursor::new(body, "bootstrap".to_owned());
        let (shape, partitions, (directories, directory_items), built_at_ms, training_events, builder_version) = decode_meta(&mut r)?;
        let d = shape.dim as usize;
        let categories = r.strings("category_names", SectionKind::CategoryNames)?;
        let brands = r.strings("brand_names", SectionKind::BrandNames)?;
        if (categories.len(), brands.len()) != (shape.category_count as usize, shape.brand_count as usize) {
            return Err(r.bad(
                "category_names",
                format!(
                    "{} categories and {} brands, meta says {} and {}",
                    categories.len(),
                    brands.len(),
                    shape.category_count,
                    shape.brand_count
                ),
            ));
        }
        let templates = r.strings("url_templates", SectionKind::UrlTemplates)?;
        let [page, image] =
            <[String; 2]>::try_from(templates).map_err(|t| r.bad("url_templates", format!("{} templates, expected 2", t.len())))?;
        let mut floats = |what| -> Result<Vec<f32>, ChunkError> {
            let v: Vec<f32> = super::words::<4>(r.array(d, 4, what)?).map(f32::from_le_bytes).collect();
            match v.iter().position(|x| !x.is_finite() || *x < 0.0) {
                Some(j) => Err(r.bad(what, format!("dimension {j}: {} is not finite and ≥ 0", v[j]))),
                None => Ok(v),
            }
        };
        let scales = floats("scales")?;
        let centroid_scales = floats("centroid_scales")?;
        let centroids: Vec<i8> = r.array(partitions as usize, d, "centroids")?.iter().map(|&b| b as i8).collect();
        let rules = decode_rules(&mut r, &shape)?;
        let manifest = decode_manifest(&mut r, partitions, directories)?;
        let directory_first = r.strings("directory_first", SectionKind::ItemIds)?;
        if directory_first.len() != directories as usize || directory_first.windows(2).any(|w| w[0].as_bytes() >= w[1].as_bytes()) {
            return Err(
                r.bad("directory_first", format!("{} first ids, strictly increasing, expected {directories}", directory_first.len()))
            );
        }
        let records = ItemRecords::decode(&mut r, &shape)?;
        r.finish()?;
        let url_templates = UrlTemplates { page, image };
        Ok(Bootstrap {
            shape,
            builder_version,
            built_at_ms,
            training_events,
            categories,
            brands,
            url_templates,
            scales,
            centroid_scales,
            centroids,
            rules,
            manifest,
            directory_first,
            directory_items,
            records,
        })
    }

    /// The `nprobe` partitions whose centroids have the largest inner product with `vector`
    /// (best first; none for a zero or mis-sized vector).
    pub fn nearest_partitions(&self, vector: &[f32], nprobe: usize) -> Vec<u32> {
        let d = self.shape.dim as usize;
        if vector.len() != d || vector.iter().all(|&x| x == 0.0) {
            return Vec::new();
        }
        let query: Vec<f32> = vector.iter().zip(&self.centroid_scales).map(|(v, s)| v * s).collect();
        let mut scored: Vec<(f32, u32)> = self
            .centroids
            .chunks_exact(d)
            .enumerate()
            .map(|(p, c)| (c.iter().zip(&query).map(|(&x, q)| f32::from(x) * q).sum::<f32>(), p as u32))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().take(nprobe).map(|(_, p)| p).collect()
    }

    /// The directory chunk (its manifest index) that covers catalog index `global`.
    pub fn directory_chunk_of_global(&self, global: u32) -> u32 {
        self.partition_count() + global / self.directory_items.max(1)
    }

    /// The directory chunk (its manifest index) whose id range holds `id`.
    pub fn directory_chunk_of(&self, id: &str) -> u32 {
        let at = self.directory_first.partition_point(|first| first.as_bytes() <= id.as_bytes());
        self.partition_count() + at.saturating_sub(1) as u32
    }
}

type Meta = (RecordShape, u32, (u32, u32), i64, u64, (u16, u16, u16));

fn decode_meta(r: &mut Cursor<'_>) -> Result<Meta, ChunkError> {
    let item_count = r.u32("item_count")?;
    let dim = r.u32("dim")?;
    let category_count = r.u32("category_count")?;
    let brand_count = r.u32("brand_count")?;
    let built_at_ms = r.u64("built_at_ms")? as i64;
    let training_events = r.u64("training_events")?;
    let neighbour_k = r.u16("neighbour_k")?;
    let together_k = r.u16("together_k")?;
    let partitions = r.u32("partition_count")?;
    let directories = r.u32("directory_count")?;
    let version = (r.u16("builder_version")?, r.u16("builder_version")?, r.u16("builder_version")?);
    let flags = r.u16("flags")?;
    let directory_items = r.u32("directory_items")?;
    let checks: [(&'static str, bool, String); 7] = [
        ("item_count", item_count >= 1, format!("{item_count} items")),
        ("dim", (1..=MAX_DIM).contains(&dim), format!("dim {dim}, must be 1..={MAX_DIM}")),
        (
            "category_count",
            category_count <= MAX_NAMES && brand_count <= MAX_NAMES,
            format!("{category_count} categories, {brand_count} brands"),
        ),
        ("neighbour_k", neighbour_k <= MAX_LIST_LEN && together_k <= MAX_LIST_LEN, format!("lists of {neighbour_k} and {together_k}")),
        ("partition_count", partitions >= 1 && partitions <= item_count, format!("{partitions} partitions for {item_count} items")),
        (
            "directory_count",
            directory_items >= 1 && u64::from(directories) == u64::from(item_count).div_ceil(u64::from(directory_items.max(1))),
            format!("{directories} directory chunks of {directory_items} items for {item_count} items"),
        ),
        ("flags", flags <= 1, format!("unknown flag bits {flags:#06x}")),
    ];
    if let Some((field, _, detail)) = checks.into_iter().find(|c| !c.1) {
        return Err(r.bad(field, detail));
    }
    let sales_rates = flags & 1 == 1;
    let shape = RecordShape { item_count, dim, category_count, brand_count, neighbour_k, together_k, sales_rates };
    Ok((shape, partitions, (directories, directory_items), built_at_ms, training_events, version))
}

fn decode_rules(r: &mut Cursor<'_>, shape: &RecordShape) -> Result<Vec<PackRule>, ChunkError> {
    let count = r.u32("rules")? as usize;
    let entries = r.array(count, RULE_LEN, "rules")?;
    entries
        .chunks_exact(RULE_LEN)
        .enumerate()
        .map(|(i, e)| {
            PackRule::decode(e, i, shape.item_count, shape.category_count).map_err(|source| ChunkError::Pack { file: r.file(), source })
        })
        .collect()
}

fn decode_manifest(r: &mut Cursor<'_>, partitions: u32, directories: u32) -> Result<Vec<ManifestEntry>, ChunkError> {
    let total = partitions as usize + directories as usize;
    let bytes = r.array(total, MANIFEST_ENTRY_LEN, "manifest")?;
    let mut manifest = Vec::with_capacity(total);
    for (i, e) in bytes.chunks_exact(MANIFEST_ENTRY_LEN).enumerate() {
        let expected = if i < partitions as usize { ChunkKind::Partition } else { ChunkKind::Directory };
        let kind = u16::from_le_bytes([e[0], e[1]]);
        let byte_len = u32::from_le_bytes([e[4], e[5], e[6], e[7]]);
        if kind != expected as u16 || e[2..4] != [0, 0] || (byte_len as usize) < super::SHARD_HEADER_LEN {
            return Err(
                r.bad("manifest", format!("entry {i}: kind {kind}, {byte_len} bytes (expected a {} of ≥ 32 bytes)", expected.name()))
            );
        }
        let content_hash = u64::from_le_bytes(e[8..16].try_into().unwrap_or_default());
        manifest.push(ManifestEntry { kind: expected, byte_len, content_hash });
    }
    Ok(manifest)
}
