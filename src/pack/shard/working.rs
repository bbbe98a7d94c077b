//! The working set: the bootstrap plus the chunks fetched so far, assembled into an ordinary
//! pack (`Pack`), so that every shelf is ranked by the one `Engine::shelf` path over the items
//! the browser holds.
//!
//! The assembled pack holds the union of the bootstrap's records and every loaded partition,
//! in catalog order (which is id order, as a pack needs); its codes and scales are the single
//! pack's, so an item scores exactly as it does there. Neighbour and bought-together entries,
//! and item rules, that point at items not held are left out (the shelves fall back as they do
//! for an empty list). Ranking the working pack exhaustively is the IVF search: the candidates
//! are the items of the probed partitions (and the bootstrap's), reranked exactly by the
//! for-you blend.

use std::collections::BTreeMap;

use super::bootstrap::{Bootstrap, ManifestEntry};
use super::directory::Directory;
use super::records::ItemRecords;
use super::{content_hash, file_name, unseal, ChunkError, ChunkKind, Cursor};
use crate::pack::{PackContents, PackError, PackRule, RuleTarget};
use crate::profile::Profile;

/// The bootstrap and the chunks loaded into it.
#[derive(Debug, Clone)]
pub struct WorkingSet {
    bootstrap: Bootstrap,
    partitions: BTreeMap<u32, ItemRecords>,
    directories: BTreeMap<u32, Directory>,
}

impl WorkingSet {
    /// Opens the bootstrap file.
    pub fn open(bootstrap: &[u8]) -> Result<WorkingSet, ChunkError> {
        Ok(WorkingSet { bootstrap: Bootstrap::decode(bootstrap)?, partitions: BTreeMap::new(), directories: BTreeMap::new() })
    }

    /// The decoded bootstrap.
    pub fn bootstrap(&self) -> &Bootstrap {
        &self.bootstrap
    }

    /// Chunk `index`'s manifest entry (its file name is [`ManifestEntry::file_name`]).
    pub fn chunk(&self, index: u32) -> Option<&ManifestEntry> {
        self.bootstrap.manifest.get(index as usize)
    }

    /// Whether chunk `index` is loaded.
    pub fn has_chunk(&self, index: u32) -> bool {
        self.partitions.contains_key(&index) || self.directories.contains_key(&index)
    }

    /// Number of loaded chunks.
    pub fn loaded_chunks(&self) -> usize {
        self.partitions.len() + self.directories.len()
    }

    /// Checks chunk `index` against the manifest (length, content hash), its header and
    /// checksum and every field, then loads it. Returns whether it was new.
    pub fn add_chunk(&mut self, index: u32, bytes: &[u8]) -> Result<bool, ChunkError> {
        let Some(entry) = self.chunk(index).copied() else {
            let detail = format!("the manifest lists {} chunks", self.bootstrap.manifest.len());
            return Err(ChunkError::ManifestMismatch { file: format!("chunk {index}"), detail });
        };
        if self.has_chunk(index) {
            return Ok(false);
        }
        let file = file_name(entry.kind, index);
        if bytes.len() != entry.byte_len as usize || content_hash(bytes) != entry.content_hash {
            let detail = format!(
                "{} bytes hashing to {:016x}, expected {} bytes named {}",
                bytes.len(),
                content_hash(bytes),
                entry.byte_len,
                entry.file_name()
            );
            return Err(ChunkError::ManifestMismatch { file, detail });
        }
        let body = unseal(bytes, entry.kind, index)?;
        let shape = &self.bootstrap.shape;
        if entry.kind == ChunkKind::Partition {
            let mut r = Cursor::new(body, file);
            let records = ItemRecords::decode(&mut r, shape)?;
            r.finish()?;
            self.partitions.insert(index, records);
        } else {
            let d = (index - self.bootstrap.partition_count()) as usize;
            let first = self.bootstrap.directory_first.get(d).map_or("", String::as_str);
            let directory = Directory::decode(body, index, first, shape.item_count, self.bootstrap.partition_count())?;
            self.directories.insert(index, directory);
        }
        Ok(true)
    }

    /// The chunk that says where `id` lives: `Ok(partition chunk)` when its directory chunk is
    /// loaded (`None` inside it: no such item), else `Err(directory chunk to load)`.
    pub fn locate(&self, id: &str) -> Result<Option<u32>, u32> {
        let directory = self.bootstrap.directory_chunk_of(id);
        match self.directories.get(&directory) {
            Some(d) => Ok(d.partition_of(id)),
            None => Err(directory),
        }
    }

    /// The `nprobe` partitions nearest `vector` (see [`Bootstrap::nearest_partitions`]).
    pub fn nearest_partitions(&self, vector: &[f32], nprobe: usize) -> Vec<u32> {
        self.bootstrap.nearest_partitions(vector, nprobe)
    }

    /// The partitions a profile's shelves need: the `nprobe` nearest its long-term interest,
    /// then the `nprobe / 4` (at least 1) nearest its session's interest, without repeats.
    pub fn partitions_for(&self, profile: &Profile, nprobe: usize) -> Vec<u32> {
        let mut wanted = self.nearest_partitions(&profile.interest, nprobe);
        for p in self.nearest_partitions(&profile.session_interest, nprobe.div_ceil(4)) {
            if !wanted.contains(&p) {
                wanted.push(p);
            }
        }
        wanted
    }

    /// The bootstrap's and loaded partitions' records by catalog index (the bootstrap's copy
    /// of an item that is in both).
    fn held(&self) -> BTreeMap<u32, (&ItemRecords, usize)> {
        let mut held = BTreeMap::new();
        for records in self.partitions.values().chain(std::iter::once(&self.bootstrap.records)) {
            for (row, &g) in records.global.iter().enumerate() {
                held.insert(g, (records, row));
            }
        }
        held
    }

    /// The assembled pack's contents (see the module docs).
    pub fn contents(&self) -> PackContents {
        let b = &self.bootstrap;
        let d = b.shape.dim as usize;
        let held = self.held();
        let local: BTreeMap<u32, u32> = held.keys().enumerate().map(|(i, &g)| (g, i as u32)).collect();
        let keep = |list: &[(u32, f32)]| list.iter().filter_map(|&(g, w)| local.get(&g).map(|&l| (l, w))).collect();
        let keep_together = |list: &[(u32, u32)]| list.iter().filter_map(|&(g, n)| local.get(&g).map(|&l| (l, n))).collect();
        let mut contents = PackContents {
            builder_version: b.builder_version,
            built_at_ms: b.built_at_ms,
            training_events: b.training_events,
            categories: b.categories.clone(),
            brands: b.brands.clone(),
            items: Vec::with_capacity(held.len()),
            url_templates: b.url_templates.clone(),
            dim: b.shape.dim,
            scales: b.scales.clone(),
            codes: Vec::with_capacity(held.len() * d),
            neighbours: Vec::new(),
            together: Vec::new(),
            rules: b.rules.iter().filter_map(|rule| local_rule(rule, &local)).collect(),
        };
        for &(records, row) in held.values() {
            contents.items.push(records.items[row].clone());
            contents.codes.extend_from_slice(&records.codes[row * d..(row + 1) * d]);
            if b.shape.neighbour_k > 0 {
                contents.neighbours.push(keep(&records.neighbours[row]));
            }
            if b.shape.together_k > 0 {
                contents.together.push(keep_together(&records.together[row]));
            }
        }
        contents
    }

    /// The assembled pack's bytes, ready for `Engine::open`.
    pub fn pack_bytes(&self) -> Result<Vec<u8>, PackError> {
        self.contents().encode()
    }
}

fn local_rule(rule: &PackRule, local: &BTreeMap<u32, u32>) -> Option<PackRule> {
    match rule.target {
        RuleTarget::Item(g) => local.get(&g).map(|&l| PackRule { target: RuleTarget::Item(l), action: rule.action }),
        RuleTarget::Category(_) => Some(*rule),
    }
}
