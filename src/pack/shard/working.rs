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

/// A partition is loaded for the shopper's neighbour lists only when it holds at least this
/// many of their entries.
pub const MIN_NEIGHBOUR_HITS: usize = 2;

/// What [`WorkingSet::neighbour_chunks`] asks to load.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct NeighbourChunks {
    /// Partition chunks holding neighbours, most hits first.
    pub partitions: Vec<u32>,
    /// Directory chunks to load before the partitions of the other neighbours are known.
    pub directories: Vec<u32>,
}

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
        let file = file.as_str();
        if bytes.len() != entry.byte_len as usize || content_hash(bytes) != entry.content_hash {
            let detail = format!(
                "{} bytes hashing to {:016x}, expected {} bytes named {}",
                bytes.len(),
                content_hash(bytes),
                entry.byte_len,
                entry.file_name()
            );
            return Err(ChunkError::ManifestMismatch { file: file.to_owned(), detail });
        }
        let body = unseal(bytes, entry.kind, index)?;
        let shape = &self.bootstrap.shape;
        if entry.kind == ChunkKind::Partition {
            let mut r = Cursor::new(body, file.to_owned());
            let records = ItemRecords::decode(&mut r, shape)?;
            r.finish()?;
            self.check_order(&records, file)?;
            self.partitions.insert(index, records);
        } else {
            let d = (index - self.bootstrap.partition_count()) as usize;
            let first = self.bootstrap.directory_first.get(d).map_or("", String::as_str);
            let directory = Directory::decode(body, index, first, shape.item_count, self.bootstrap.partition_count())?;
            let per = self.bootstrap.directory_items;
            let start = d as u64 * u64::from(per);
            let expected = (start, (u64::from(shape.item_count) - start.min(u64::from(shape.item_count))).min(u64::from(per)));
            if (u64::from(directory.first_global), directory.ids.len() as u64) != expected {
                let detail =
                    format!("items {}..+{}, expected {}..+{}", directory.first_global, directory.ids.len(), expected.0, expected.1);
                return Err(ChunkError::BadValue { file: file.to_owned(), field: "first_global", detail });
            }
            self.directories.insert(index, directory);
        }
        Ok(true)
    }

    /// The chunk that says where `id` lives: `Ok(partition chunk)` when a loaded partition holds
    /// it or its directory chunk is loaded (`None` inside it: no such item), else
    /// `Err(directory chunk to load)`. An item of a loaded partition needs no directory chunk.
    pub fn locate(&self, id: &str) -> Result<Option<u32>, u32> {
        let held = self.partitions.iter().find(|(_, r)| r.items.binary_search_by(|it| it.id.as_bytes().cmp(id.as_bytes())).is_ok());
        if let Some((&p, _)) = held {
            return Ok(Some(p));
        }
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
        self.probe_and_next(profile, nprobe, 0).0
    }

    /// [`Self::partitions_for`] and, after it, up to `extra` partitions next in line for the
    /// long-term interest (the nearest after its `nprobe` nearest, leaving out those probed):
    /// what an idle prefetch loads, the partitions the next shelves probe if the interest moves
    /// on. One pass over the centroids per interest.
    pub fn probe_and_next(&self, profile: &Profile, nprobe: usize, extra: usize) -> (Vec<u32>, Vec<u32>) {
        let mut interest = self.nearest_partitions(&profile.interest, nprobe + extra);
        let next = interest.split_off(nprobe.min(interest.len()));
        let mut probe = interest;
        for p in self.nearest_partitions(&profile.session_interest, nprobe.div_ceil(4)) {
            if !probe.contains(&p) {
                probe.push(p);
            }
        }
        let next = next.into_iter().filter(|p| !probe.contains(p)).collect();
        (probe, next)
    }

    /// Checks that `records` agree with the items held: the same id for the same catalog index,
    /// and ids sorting as their catalog indices do (so the assembled pack is in id order).
    fn check_order(&self, records: &ItemRecords, file: &str) -> Result<(), ChunkError> {
        let held = self.held();
        for (row, &g) in records.global.iter().enumerate() {
            let id = records.items[row].id.as_bytes();
            let id_of = |(r, at): &(&ItemRecords, usize)| r.items[*at].id.as_bytes().to_vec();
            let before = held.range(..g).next_back().map(|(_, v)| id_of(v));
            let same = held.get(&g).map(id_of);
            let after = held.range(g + 1..).next().map(|(_, v)| id_of(v));
            let fits = before.is_none_or(|b| b.as_slice() < id) && same.is_none_or(|s| s == id) && after.is_none_or(|a| id < a.as_slice());
            if !fits {
                let detail = format!("item {g} ({:?}) does not sort with the items already held", records.items[row].id);
                return Err(ChunkError::BadValue { file: file.to_owned(), field: "ids", detail });
            }
        }
        Ok(())
    }

    /// The held record of `id` (the bootstrap's or a loaded partition's).
    fn record_of(&self, id: &str) -> Option<(&ItemRecords, usize)> {
        std::iter::once(&self.bootstrap.records).chain(self.partitions.values()).find_map(|records| {
            let row = records.items.binary_search_by(|it| it.id.as_bytes().cmp(id.as_bytes())).ok()?;
            Some((records, row))
        })
    }

    /// The chunks that hold the neighbour and bought-together items of `ids` (the shopper's
    /// items, most important first), which the blend takes candidates from (items already held
    /// need nothing): partitions not yet loaded that hold at least [`MIN_NEIGHBOUR_HITS`] of those items, most first (at most
    /// `max`; a partition for a single neighbour costs a whole chunk), and the directory chunks
    /// still needed to find the partitions of the others (load them, then ask again).
    pub fn neighbour_chunks(&self, ids: &[&str], max: usize) -> NeighbourChunks {
        let mut hits: BTreeMap<u32, usize> = BTreeMap::new();
        let mut directories = Vec::new();
        for (records, row) in ids.iter().filter_map(|id| self.record_of(id)) {
            let lists = records.neighbours.get(row).into_iter().flatten().map(|e| e.0);
            for g in lists.chain(records.together.get(row).into_iter().flatten().map(|e| e.0)) {
                if self.holds_global(g) {
                    continue;
                }
                let d = self.bootstrap.directory_chunk_of_global(g);
                match self.directories.get(&d).and_then(|dir| dir.partition_of_global(g)) {
                    Some(p) if !self.partitions.contains_key(&p) => *hits.entry(p).or_default() += 1,
                    Some(_) => {}
                    None if !directories.contains(&d) => directories.push(d),
                    None => {}
                }
            }
        }
        let mut partitions: Vec<(usize, u32)> = hits.into_iter().filter(|&(_, n)| n >= MIN_NEIGHBOUR_HITS).map(|(p, n)| (n, p)).collect();
        partitions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        NeighbourChunks { partitions: partitions.into_iter().take(max).map(|(_, p)| p).collect(), directories }
    }

    /// Whether the bootstrap or a loaded partition holds catalog index `global`.
    fn holds_global(&self, global: u32) -> bool {
        std::iter::once(&self.bootstrap.records).chain(self.partitions.values()).any(|r| r.global.binary_search(&global).is_ok())
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

    /// The held records in catalog order, as a sorted list (the bootstrap's copy of an item that
    /// is in both): cheaper than [`Self::held`] for assembling thousands of items.
    fn held_sorted(&self) -> Vec<(u32, &ItemRecords, usize)> {
        let sources = std::iter::once((0u8, &self.bootstrap.records)).chain(self.partitions.values().map(|r| (1u8, r)));
        let mut held: Vec<(u32, u8, &ItemRecords, usize)> =
            sources.flat_map(|(rank, r)| r.global.iter().enumerate().map(move |(row, &g)| (g, rank, r, row))).collect();
        held.sort_unstable_by_key(|&(g, rank, _, _)| (g, rank));
        held.dedup_by_key(|e| e.0);
        held.into_iter().map(|(g, _, r, row)| (g, r, row)).collect()
    }

    /// The assembled pack's contents (see the module docs).
    pub fn contents(&self) -> PackContents {
        let b = &self.bootstrap;
        let d = b.shape.dim as usize;
        let held = self.held_sorted();
        let globals: Vec<u32> = held.iter().map(|e| e.0).collect();
        let local_of = |g: u32| globals.binary_search(&g).ok().map(|l| l as u32);
        let local: BTreeMap<u32, u32> = b
            .rules
            .iter()
            .filter_map(|r| match r.target {
                RuleTarget::Item(g) => local_of(g).map(|l| (g, l)),
                RuleTarget::Category(_) => None,
            })
            .collect();
        let keep = |list: &[(u32, f32)]| list.iter().filter_map(|&(g, w)| local_of(g).map(|l| (l, w))).collect();
        let keep_together = |list: &[(u32, u32)]| list.iter().filter_map(|&(g, n)| local_of(g).map(|l| (l, n))).collect();
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
            image: None,
        };
        for &(_, records, row) in &held {
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
