//! `shelfwise build`: events and catalog in, a pack (one file or a sharded folder) out, with
//! optional imported vectors, image vectors, merchandising rules and static shelves; ends with a
//! summary.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;

use shelfwise::build::assemble::{assemble_indexed, pack_order, BuildConfig, BuildSummary};
use shelfwise::build::file_error::{create_parent_folder, FileError};
use shelfwise::build::history::IndexedEvents;
use shelfwise::build::image_vectors::{apply_image_vectors, read_image_vectors, AppliedImageVectors};
use shelfwise::build::input::CatalogItem;
use shelfwise::build::neighbours::NeighbourModel;
use shelfwise::build::neighbours_file::{apply_neighbours, read_neighbours_file, AppliedNeighbours};
use shelfwise::build::shard::{split, ShardConfig, ShardedPack};
use shelfwise::build::static_shelves::{has_item_shelves, static_shelves, MAX_SCAN_ITEMS};
use shelfwise::build::vectors::{apply_vectors, read_vectors, AppliedVectors, VectorColumns};
use shelfwise::engine::Engine;
use shelfwise::pack::shard::bootstrap::Bootstrap;
use shelfwise::pack::{read_header, Pack, PackContents};

use crate::args::{InputArgs, ModelArgs};
use crate::error::CliError;
use crate::inputs::{load_indexed, print_report, EventsRead};
use crate::progress::{spinner, training_bar};

/// `build --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  # canonical events (JSONL) and a catalog (CSV or JSONL)
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack
  # the Online Retail CSV (gzip ok) carries its own catalog
  shelfwise build --events online_retail.csv.gz --out retail.pack
  # Parquet events: one file, or the folder of part files a Spark job wrote
  shelfwise build --events warehouse/events/ --catalog catalog.csv --out shop.pack
  # a smaller, faster model
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --dim 32 --iterations 8
  # EASE item-item weights as the neighbour lists (docs/QUALITY.md)
  shelfwise build --events online_retail.csv.gz --out retail.pack --neighbour-model ease --neighbours 50
  # vectors trained elsewhere: Spark ALS itemFactors as Parquet (id, features) or CSV,
  # or an .npy matrix with its ids
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors item_factors.parquet
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors emb.parquet --vector-id-column sku --vector-column embedding
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors item_factors.csv
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --vectors emb.npy --vector-ids emb_ids.txt
  # item-item lists computed elsewhere (Parquet: item, neighbour, score; a file or a folder
  # of part files, e.g. examples/spark/) instead of the builder's neighbour model
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --neighbours-file neighbours.parquet
  # also non-personalized shelves for the shop's server to render
  shelfwise build --events events.jsonl --catalog catalog.csv --out shop.pack --static-shelves shelves.json";

// The flags of `build` (its help text is the `Command::Build` variant's).
#[derive(Args)]
pub struct BuildArgs {
    /// Events: canonical JSONL, the Online Retail CSV (detected by its header; .gz ok), or Parquet
    /// (a .parquet file or a folder of Spark part files; docs/INPUT_FORMATS.md).
    #[arg(long)]
    events: PathBuf,
    /// Catalog as CSV or JSONL (required for JSONL events; the Online Retail CSV carries its own).
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Where to write the pack.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    extras: BuildExtras,
    /// `single`: one pack file at --out; `sharded`: a folder at --out with bootstrap.shard
    /// and content-hashed chunks the browser fetches on demand (docs/PACK_FORMAT.md);
    /// `auto`: sharded when the single pack would exceed 2 MiB.
    #[arg(long, value_enum, default_value_t = Layout::Auto)]
    layout: Layout,
}

/// `build`'s optional extras: imported vectors, image vectors and static shelves.
#[derive(Args, Clone)]
struct BuildExtras {
    /// The shop's merchandising rules (CSV: action,target,name,value; see docs/RULES.md),
    /// stored in the pack and applied on the device.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// Use these item vectors as the embeddings instead of training them: CSV (`id,v1,…,vd`
    /// or `id,"[v1,…,vd]"`, .gz ok), NPY (n × d float32/float64, with --vector-ids) or Parquet
    /// (Spark ALS itemFactors: `id` and a `features` list of float; or id + one number column
    /// per dimension; one file or a folder of part files).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["dim", "iterations", "seed"])]
    vectors: Option<PathBuf>,
    /// The item ids of an .npy --vectors file, one per line, in row order.
    #[arg(long, value_name = "FILE", requires = "vectors")]
    vector_ids: Option<PathBuf>,
    /// The id column of a .parquet --vectors file (integer or string) [default: id].
    #[arg(long, value_name = "NAME", requires = "vectors")]
    vector_id_column: Option<String>,
    /// The vector column of a .parquet --vectors file, a list of float or double
    /// [default: features; without one, every other column is a dimension].
    #[arg(long, value_name = "NAME", requires = "vectors")]
    vector_column: Option<String>,
    /// Item-item lists computed elsewhere, instead of the builder's neighbour model: a Parquet
    /// file or a folder of part files with the columns `item`, `neighbour` (ids: string or
    /// integer) and `score` (float or double, higher = closer); the best --neighbours per item
    /// are kept (docs/BUILD_EXTRAS.md).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["neighbour_model", "neighbour_shrink", "ease_lambda"])]
    neighbours_file: Option<PathBuf>,
    /// Image vectors (computed from product photos by any image model), stored as a second,
    /// optional embedding for the visually-similar shelf: the files --vectors reads, but every
    /// row must be usable and every id in the catalog (docs/BUILD_EXTRAS.md).
    #[arg(long, value_name = "FILE")]
    image_vectors: Option<PathBuf>,
    /// The item ids of an .npy --image-vectors file, one per line, in row order.
    #[arg(long, value_name = "FILE", requires = "image_vectors")]
    image_vector_ids: Option<PathBuf>,
    /// The id column of a .parquet --image-vectors file [default: id].
    #[arg(long, value_name = "NAME", requires = "image_vectors")]
    image_vector_id_column: Option<String>,
    /// The vector column of a .parquet --image-vectors file [default: features].
    #[arg(long, value_name = "NAME", requires = "image_vectors")]
    image_vector_column: Option<String>,
    /// Also write non-personalized shelves (similar and bought together per item, trending per
    /// category) as JSON for server-side rendering.
    #[arg(long, value_name = "OUT.json")]
    static_shelves: Option<PathBuf>,
    /// Longest list in --static-shelves.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100), requires = "static_shelves")]
    static_k: u32,
}

/// How `build` writes the pack.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Layout {
    /// One pack file.
    Single,
    /// A folder: bootstrap + chunks.
    Sharded,
    /// Sharded above [`AUTO_SHARDED_ABOVE`] bytes, else single.
    Auto,
}

/// `--layout auto` shards a pack larger than this. At 10 Mbit/s (1.25 MB/s) a single file
/// this size alone takes about 1.7 s to arrive, past the 1.5 s first-shelf target on a slow
/// phone link (issue #15); below it one file is simpler and needs no further request.
const AUTO_SHARDED_ABOVE: usize = 2 << 20;

/// What one build did, for the summary.
struct Built<'a> {
    out: &'a Path,
    read: EventsRead,
    summary: BuildSummary,
    contents: PackContents,
    /// The imported vectors: file, dimension and how they matched the catalog.
    vectors: Option<(&'a Path, usize, AppliedVectors)>,
    /// The imported neighbour lists: path and what they gave.
    neighbours: Option<(&'a Path, AppliedNeighbours)>,
    /// The image vectors: file and what was stored.
    images: Option<(&'a Path, AppliedImageVectors)>,
    bytes: Vec<u8>,
    sharded: Option<ShardedPack>,
    static_shelves: Option<(&'a Path, StaticSummary)>,
    /// The whole build, then reading, training and encoding and writing.
    times: [Duration; 4],
}

/// Runs `shelfwise build`.
pub fn run(args: &BuildArgs) -> Result<(), CliError> {
    let BuildArgs { events, catalog, out, model, input, extras, layout } = args;
    let started = Instant::now();
    let built_at_ms = input.build_time_ms();
    let (history, catalog, read) = load_indexed(events, catalog.as_deref(), input.max_skipped, built_at_ms)?;
    let catalog = pack_order(&catalog);
    let imported = match &extras.vectors {
        Some(path) => {
            let step = spinner(format!("reading {}", path.display()));
            let columns = VectorColumns { id: extras.vector_id_column.clone(), vector: extras.vector_column.clone() };
            let read = read_vectors(path, extras.vector_ids.as_deref(), &columns);
            step.finish_and_clear();
            let (vectors, report) = read?;
            print_report("vectors", &report);
            Some((path.as_path(), vectors))
        }
        None => None,
    };
    let reading = started.elapsed();

    let training_started = Instant::now();
    let mut config = model.build_config(built_at_ms);
    if extras.neighbours_file.is_some() {
        config.neighbours.model = NeighbourModel::Imported;
    }
    let (mut contents, summary, vectors) = match &imported {
        Some((path, vectors)) => {
            let step = spinner("preparing items and interactions");
            let assembled = assemble_indexed(&catalog, &history, &config, None);
            step.finish_and_clear();
            let (mut contents, summary) = assembled?;
            let applied = apply_vectors(&mut contents, vectors);
            (contents, summary, Some((*path, vectors.dim, applied)))
        }
        None => {
            let (contents, summary) = assemble_trained(&catalog, &history, &config)?;
            (contents, summary, None)
        }
    };
    let neighbours = add_neighbours(&mut contents, extras, config.neighbours.k)?;
    let images = add_image_vectors(&mut contents, extras)?;
    if let Some(path) = &extras.rules {
        contents.rules = shelfwise::build::rules::read_rules(path, &contents)?;
        eprintln!("rules {}: {} rules", path.display(), contents.rules.len());
    }
    let training = training_started.elapsed();

    let writing_started = Instant::now();
    let step = spinner(format!("encoding and writing {}", out.display()));
    let bytes = contents.encode().map_err(|source| CliError::Pack { path: out.clone(), source })?;
    let sharded = write_pack(&bytes, out, *layout)?;
    step.finish_and_clear();
    let static_shelves = match &extras.static_shelves {
        Some(path) => Some((path.as_path(), write_static_shelves(&bytes, path, extras.static_k as usize)?)),
        None => None,
    };
    let times = [started.elapsed(), reading, training, writing_started.elapsed()];
    print_summary(&Built { out, read, summary, contents, vectors, neighbours, images, bytes, sharded, static_shelves, times });
    Ok(())
}

/// Reads `--neighbours-file` (if given) into the contents' neighbour lists, keeping `k` per item.
fn add_neighbours<'a>(
    contents: &mut PackContents,
    extras: &'a BuildExtras,
    k: usize,
) -> Result<Option<(&'a Path, AppliedNeighbours)>, CliError> {
    let Some(path) = extras.neighbours_file.as_deref() else { return Ok(None) };
    let step = spinner(format!("reading {}", path.display()));
    let read = read_neighbours_file(path, contents, k);
    step.finish_and_clear();
    let imported = read?;
    for report in &imported.reports {
        print_report("neighbours", report);
    }
    Ok(Some((path, apply_neighbours(contents, imported))))
}

/// Reads `--image-vectors` (if given) into the contents' image embeddings.
fn add_image_vectors<'a>(
    contents: &mut PackContents,
    extras: &'a BuildExtras,
) -> Result<Option<(&'a Path, AppliedImageVectors)>, CliError> {
    let Some(path) = extras.image_vectors.as_deref() else { return Ok(None) };
    let step = spinner(format!("reading {}", path.display()));
    let columns = VectorColumns { id: extras.image_vector_id_column.clone(), vector: extras.image_vector_column.clone() };
    let read = read_image_vectors(path, extras.image_vector_ids.as_deref(), &columns);
    step.finish_and_clear();
    let applied = apply_image_vectors(contents, &read?, path)?;
    Ok(Some((path, applied)))
}

/// [`assemble_indexed`] with a spinner while items and interactions are prepared, then a bar
/// over the ALS iterations.
fn assemble_trained(
    catalog: &[&CatalogItem],
    history: &IndexedEvents,
    config: &BuildConfig,
) -> Result<(PackContents, BuildSummary), CliError> {
    let mut preparing = Some(spinner("preparing items and interactions"));
    let bar = training_bar(config.als.iterations, "training embeddings (ALS)");
    let assembled = assemble_indexed(
        catalog,
        history,
        config,
        Some(&mut |i| {
            if let Some(step) = preparing.take() {
                step.finish_and_clear();
            }
            bar.set_position(i as u64 + 1);
        }),
    );
    if let Some(step) = preparing.take() {
        step.finish_and_clear();
    }
    bar.finish_and_clear();
    Ok(assembled?)
}

/// The summary `build` ends with, on stderr.
fn print_summary(built: &Built) {
    let Built { out, read, summary, contents, .. } = built;
    let left_out: u64 = summary.events_skipped.values().sum();
    eprintln!("built {}", out.display());
    eprintln!(
        "  items      {} ({} with interactions), {} categories, dim {}",
        summary.items,
        summary.items_with_interactions,
        contents.categories.len(),
        contents.dim
    );
    eprintln!(
        "  events     {} rows read: {} used for training by {} shoppers; skipped {} ({} bad rows, {} by cleaning rules, {} left out by the builder)",
        read.rows,
        summary.events_used,
        summary.shoppers,
        read.bad + read.cleaned + left_out,
        read.bad,
        read.cleaned,
        left_out
    );
    for (reason, n) in &summary.events_skipped {
        eprintln!("               left out: {reason}: {n}");
    }
    if !summary.unknown_items.is_empty() {
        eprintln!("               {}", summary.unknown_items_text());
    }
    print_extras_summary(built);
}

/// The summary's lines after the events: vectors, static shelves, pack, shards and time.
fn print_extras_summary(built: &Built) {
    let Built { out, summary, bytes, sharded, times, .. } = built;
    if let Some((path, dim, applied)) = &built.vectors {
        eprintln!(
            "  vectors    dim {dim} from {}: {} items matched, {} without a vector (zero: popularity only), {} vectors for ids not in the catalog left out",
            path.display(),
            applied.matched,
            applied.missing,
            applied.unknown
        );
    }
    if let Some((path, applied)) = &built.neighbours {
        let scaled = applied.scaled_by.map_or(String::new(), |s| format!(" (scores divided by the largest, {s})"));
        eprintln!(
            "  neighbours from {}{scaled}: {} items with an imported list, {} items without interactions keep their title-similar list, {} items without a list (similar items by embedding)",
            path.display(),
            applied.imported,
            applied.title_similar,
            applied.without
        );
    }
    if let Some((path, images)) = &built.images {
        eprintln!(
            "  images     dim {} from {}: {} items with an image vector, {} without (no look-alikes)",
            images.dim,
            path.display(),
            images.matched,
            images.missing
        );
    }
    if let Some((path, shelves)) = &built.static_shelves {
        let per_item = if shelves.per_item {
            String::new()
        } else {
            format!(" (no per-item shelves: no neighbour lists, and over {MAX_SCAN_ITEMS} items)")
        };
        eprintln!(
            "  static     {}: {} items with shelves{per_item}, {} categories trending, {} bytes",
            path.display(),
            shelves.items,
            shelves.categories,
            shelves.bytes
        );
    }
    eprintln!(
        "  pack       {} bytes ({:.1} bytes/item), format v{}",
        bytes.len(),
        bytes.len() as f64 / summary.items.max(1) as f64,
        read_header(bytes).map_or_else(|_| "?".to_owned(), |h| h.format_version.to_string())
    );
    if let Some(sharded) = sharded {
        eprintln!(
            "  sharded    {}/: {} B bootstrap ({} items), {} chunks, {} B in all",
            out.display(),
            sharded.bootstrap.len(),
            Bootstrap::decode(&sharded.bootstrap).map_or(0, |b| b.records.items.len()),
            sharded.chunks.len(),
            sharded.total_bytes()
        );
    }
    let [all, reading, training, writing] = times.map(|t| t.as_secs_f64());
    eprintln!("  time       {all:.2}s (reading {reading:.2}s, training {training:.2}s, encoding and writing {writing:.2}s)");
}

/// Writes the encoded single pack `bytes` as `layout` says: a file at `out`, or a sharded
/// folder at `out` (returned, for the summary).
fn write_pack(bytes: &[u8], out: &Path, layout: Layout) -> Result<Option<ShardedPack>, CliError> {
    let sharded = match layout {
        Layout::Single => false,
        Layout::Sharded => true,
        Layout::Auto => bytes.len() > AUTO_SHARDED_ABOVE,
    };
    create_parent_folder(out)?;
    if !sharded {
        std::fs::write(out, bytes).map_err(FileError::write(out))?;
        return Ok(None);
    }
    let contents = Pack::open(bytes).map_err(CliError::JustWritten)?.to_contents();
    let pack = split(&contents, &ShardConfig::default()).map_err(|source| CliError::Pack { path: out.to_owned(), source })?;
    if out.is_file() {
        return Err(CliError::OutIsFile { path: out.to_owned(), hint: " (use another --out or --layout single)" });
    }
    pack.write_folder(out)?;
    Ok(Some(pack))
}

/// What [`write_static_shelves`] wrote, for the summary.
struct StaticSummary {
    items: usize,
    categories: usize,
    /// Whether the pack got per-item shelves ([`has_item_shelves`]).
    per_item: bool,
    bytes: usize,
}

/// Computes the static shelves of the pack `bytes` and writes them as JSON to `path`.
fn write_static_shelves(bytes: &[u8], path: &Path, k: usize) -> Result<StaticSummary, CliError> {
    let step = spinner(format!("computing static shelves into {}", path.display()));
    let engine = Engine::open(bytes).map_err(CliError::StaticShelves)?;
    let shelves = static_shelves(&engine, k).map_err(CliError::StaticShelves)?;
    let text = serde_json::to_string(&shelves).map_err(|source| CliError::ToJson { path: path.to_owned(), source })? + "\n";
    create_parent_folder(path)?;
    std::fs::write(path, &text).map_err(FileError::write(path))?;
    step.finish_and_clear();
    let per_item = has_item_shelves(&engine);
    Ok(StaticSummary { items: shelves.items.len(), categories: shelves.trending.len(), per_item, bytes: text.len() })
}
