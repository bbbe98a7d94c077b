//! Splitting a pack into the sharded layout (`shelfwise build --layout sharded`).
//!
//! The items are grouped into IVF partitions by spherical k-means (Lloyd's iterations on the
//! unit directions of the dequantized codes, trained on a sample, matrix products by ndarray);
//! each partition becomes one chunk of full item records. Directory chunks map each id range
//! to partitions. The bootstrap keeps the most popular and trending items (and rule targets)
//! whole, so cold shelves need no chunk. See `src/pack/shard/` for the bytes.

use std::fs;
use std::path::Path;

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2};
use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::SeedableRng;

use crate::build::file_error::{FileAction, FileError};
use crate::pack::shard::bootstrap::{Bootstrap, ManifestEntry};
use crate::pack::shard::directory::Directory;
use crate::pack::shard::records::{ItemRecords, RecordShape};
use crate::pack::shard::{content_hash, seal, ChunkKind};
use crate::pack::{PackContents, PackError, RuleTarget};

/// File name of the bootstrap inside a sharded pack's folder.
pub const BOOTSTRAP_FILE: &str = "bootstrap.shard";

/// How a pack is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardConfig {
    /// Target items per IVF partition (the partition count is `ceil(n / this)`).
    pub items_per_partition: usize,
    /// Items per directory chunk.
    pub items_per_directory: usize,
    /// The bootstrap keeps this many most popular and this many most trending items (at most
    /// one in 20 of the catalog each).
    pub bootstrap_items: usize,
    /// Lloyd iterations.
    pub kmeans_iterations: usize,
    /// k-means trains on at most this many items per partition (then assigns every item).
    pub sample_per_partition: usize,
    /// Seed of the k-means initialisation and sample.
    pub seed: u64,
}

impl Default for ShardConfig {
    fn default() -> Self {
        ShardConfig {
            items_per_partition: 500,
            items_per_directory: 4096,
            bootstrap_items: 256,
            kmeans_iterations: 12,
            sample_per_partition: 64,
            seed: 15,
        }
    }
}

/// A sharded pack in memory: the bootstrap file and the chunk files (name, bytes) in manifest
/// order.
#[derive(Debug, Clone)]
pub struct ShardedPack {
    /// The bootstrap's bytes.
    pub bootstrap: Vec<u8>,
    /// Each chunk's file name and bytes.
    pub chunks: Vec<(String, Vec<u8>)>,
    /// Partition of each item (catalog order).
    pub partition_of: Vec<u32>,
}

impl ShardedPack {
    /// Writes `bootstrap.shard` and every chunk into `dir` (created if needed).
    pub fn write_folder(&self, dir: &Path) -> Result<(), FileError> {
        fs::create_dir_all(dir).map_err(FileError::at(dir, FileAction::CreateFolder))?;
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            fs::write(&path, bytes).map_err(FileError::write(&path))
        };
        write(BOOTSTRAP_FILE, &self.bootstrap)?;
        self.chunks.iter().try_for_each(|(name, bytes)| write(name, bytes))
    }

    /// Total bytes of the bootstrap and every chunk.
    pub fn total_bytes(&self) -> usize {
        self.bootstrap.len() + self.chunks.iter().map(|(_, b)| b.len()).sum::<usize>()
    }
}

/// Unit directions of the dequantized codes, `n × d`.
fn unit_rows(contents: &PackContents) -> Array2<f32> {
    let d = contents.dim as usize;
    let n = contents.items.len();
    let mut rows = Array2::<f32>::zeros((n, d));
    for (i, mut row) in rows.rows_mut().into_iter().enumerate() {
        let codes = &contents.codes[i * d..(i + 1) * d];
        row.iter_mut().zip(codes.iter().zip(&contents.scales)).for_each(|(x, (&c, s))| *x = f32::from(c) * s);
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|x| x / norm);
        }
    }
    rows
}

/// Index of the centroid with the largest inner product, per row (batched matrix products).
fn assign(rows: ArrayView2<'_, f32>, centroids: &Array2<f32>) -> Vec<u32> {
    let mut out = Vec::with_capacity(rows.nrows());
    let batch = 8192;
    let mut scores = Array2::<f32>::zeros((batch, centroids.nrows()));
    for start in (0..rows.nrows()).step_by(batch) {
        let part = rows.slice(ndarray::s![start..(start + batch).min(rows.nrows()), ..]);
        let mut s = scores.slice_mut(ndarray::s![..part.nrows(), ..]);
        general_mat_mul(1.0, &part, &centroids.t(), 0.0, &mut s);
        for row in s.rows() {
            let best = row.iter().enumerate().fold((0usize, f32::NEG_INFINITY), |b, (j, &v)| if v > b.1 { (j, v) } else { b });
            out.push(best.0 as u32);
        }
    }
    out
}

/// Spherical k-means: `k` unit centroids and each row's partition.
pub fn kmeans(rows: &Array2<f32>, k: usize, config: &ShardConfig) -> (Array2<f32>, Vec<u32>) {
    let (n, d) = rows.dim();
    let mut rng = StdRng::seed_from_u64(config.seed);
    let train_n = n.min(k.saturating_mul(config.sample_per_partition)).max(k);
    let train_idx = sample(&mut rng, n, train_n).into_vec();
    let train = rows.select(ndarray::Axis(0), &train_idx);
    let mut centroids = train.select(ndarray::Axis(0), &(0..k).collect::<Vec<_>>());
    for _ in 0..config.kmeans_iterations {
        let labels = assign(train.view(), &centroids);
        let mut sums = Array2::<f32>::zeros((k, d));
        let mut counts = vec![0usize; k];
        for (row, &l) in train.rows().into_iter().zip(&labels) {
            let mut s = sums.row_mut(l as usize);
            s += &row;
            counts[l as usize] += 1;
        }
        for (j, mut s) in sums.rows_mut().into_iter().enumerate() {
            let norm = s.dot(&s).sqrt();
            if counts[j] == 0 || norm == 0.0 {
                s.assign(&train.row(rand::Rng::random_range(&mut rng, 0..train_n)));
            } else {
                s.mapv_inplace(|x| x / norm);
            }
        }
        centroids = sums;
    }
    let labels = assign(rows.view(), &centroids);
    (centroids, labels)
}

/// Per-dimension symmetric int8 quantization of the centroids: (scales, codes).
fn quantize_centroids(centroids: &Array2<f32>) -> (Vec<f32>, Vec<i8>) {
    let scales: Vec<f32> = centroids.columns().into_iter().map(|c| c.iter().fold(0f32, |m, x| m.max(x.abs())) / 127.0).collect();
    let codes = centroids
        .rows()
        .into_iter()
        .flat_map(|row| {
            row.iter().zip(&scales).map(|(x, s)| if *s > 0.0 { (x / s).round().clamp(-127.0, 127.0) as i8 } else { 0 }).collect::<Vec<_>>()
        })
        .collect();
    (scales, codes)
}

/// The records of the items `global` (strictly increasing catalog indices).
fn records_of(contents: &PackContents, global: Vec<u32>) -> ItemRecords {
    let d = contents.dim as usize;
    let pick = |g: &u32| *g as usize;
    ItemRecords {
        items: global.iter().map(|g| contents.items[pick(g)].clone()).collect(),
        codes: global.iter().flat_map(|g| contents.codes[pick(g) * d..(pick(g) + 1) * d].iter().copied()).collect(),
        neighbours: if contents.neighbours.is_empty() {
            Vec::new()
        } else {
            global.iter().map(|g| contents.neighbours[pick(g)].clone()).collect()
        },
        together: if contents.together.is_empty() {
            Vec::new()
        } else {
            global.iter().map(|g| contents.together[pick(g)].clone()).collect()
        },
        global,
    }
}

/// The bootstrap's own items: the most popular, the most trending and every rule's item.
fn bootstrap_items(contents: &PackContents, per_list: usize) -> Vec<u32> {
    let n = contents.items.len();
    let top = |key: fn(&crate::pack::PackItem) -> f32| {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_by(|&a, &b| key(&contents.items[b as usize]).total_cmp(&key(&contents.items[a as usize])).then(a.cmp(&b)));
        order.truncate(per_list);
        order
    };
    let mut chosen: Vec<u32> = top(|it| it.popularity);
    chosen.extend(top(|it| it.trend));
    chosen.extend(contents.rules.iter().filter_map(|r| match r.target {
        RuleTarget::Item(i) => Some(i),
        RuleTarget::Category(_) => None,
    }));
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// Splits `contents` (items in id order, as [`crate::pack::Pack::to_contents`] gives them).
/// Contents with image embeddings are refused: the records do not carry them
/// (docs/PACK_FORMAT.md, "Sharded layout"), and dropping them would silently take away the
/// `visually-similar` shelf.
pub fn split(contents: &PackContents, config: &ShardConfig) -> Result<ShardedPack, PackError> {
    let n = contents.items.len();
    if n == 0 {
        return Err(PackError::InvalidContents { detail: "a sharded pack needs at least one item".to_owned() });
    }
    if contents.image.is_some() {
        let detail =
            "the sharded layout does not carry image embeddings (--image-vectors): build with --layout single, or without --image-vectors";
        return Err(PackError::InvalidContents { detail: detail.to_owned() });
    }
    let shape = RecordShape {
        item_count: n as u32,
        dim: contents.dim,
        category_count: contents.categories.len() as u32,
        brand_count: contents.brands.len() as u32,
        neighbour_k: contents.neighbours.iter().map(Vec::len).max().unwrap_or(0) as u16,
        together_k: contents.together.iter().map(Vec::len).max().unwrap_or(0) as u16,
        sales_rates: contents.items.iter().any(|it| it.sales_rate.is_some()),
    };
    let k = n.div_ceil(config.items_per_partition.max(1));
    let (centroids, partition_of) = kmeans(&unit_rows(contents), k, config);
    let mut members = vec![Vec::new(); k];
    partition_of.iter().enumerate().for_each(|(i, &p)| members[p as usize].push(i as u32));
    let mut chunks = Vec::new();
    let mut manifest = Vec::new();
    let mut push = |kind: ChunkKind, body: Vec<u8>| {
        let bytes = seal(kind, manifest.len() as u32, &body);
        let entry = ManifestEntry { kind, byte_len: bytes.len() as u32, content_hash: content_hash(&bytes) };
        manifest.push(entry);
        chunks.push((entry.file_name(), bytes));
    };
    for global in members {
        let mut body = Vec::new();
        records_of(contents, global).encode(&shape, &mut body)?;
        push(ChunkKind::Partition, body);
    }
    let mut directory_first = Vec::new();
    for start in (0..n).step_by(config.items_per_directory.max(1)) {
        let end = (start + config.items_per_directory.max(1)).min(n);
        let ids: Vec<String> = contents.items[start..end].iter().map(|it| it.id.clone()).collect();
        directory_first.push(ids[0].clone());
        let directory = Directory { first_global: start as u32, ids, partition: partition_of[start..end].to_vec() };
        push(ChunkKind::Directory, directory.encode()?);
    }
    let (centroid_scales, centroid_codes) = quantize_centroids(&centroids);
    let bootstrap = Bootstrap {
        shape,
        builder_version: contents.builder_version,
        built_at_ms: contents.built_at_ms,
        training_events: contents.training_events,
        categories: contents.categories.clone(),
        brands: contents.brands.clone(),
        url_templates: contents.url_templates.clone(),
        scales: contents.scales.clone(),
        centroid_scales,
        centroids: centroid_codes,
        rules: contents.rules.clone(),
        manifest,
        directory_first,
        directory_items: config.items_per_directory.max(1) as u32,
        records: records_of(contents, bootstrap_items(contents, config.bootstrap_items.min(n.div_ceil(20)))),
    };
    Ok(ShardedPack { bootstrap: bootstrap.encode()?, chunks, partition_of })
}
