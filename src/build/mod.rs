//! The offline pack builder (feature `cli`): shop data in, pack out.
//!
//! * [`input`]: the canonical catalog and event records every reader produces;
//! * [`read`]: readers for the canonical JSONL/CSV formats and the Online Retail CSV, with
//!   per-line error reporting;
//! * [`pack_file`]: reading a pack file for the CLI, its header and size checked first;
//! * [`file_error`]: [`FileError`](file_error::FileError), a file that could not be read or written;
//! * [`synth`]: the synthetic demo shop;
//! * [`als`]: implicit-feedback ALS for item embeddings;
//! * [`history`]: events resolved to dense shopper / item / basket indices;
//! * [`neighbours`]: item-to-item neighbours (item-kNN cosine or EASE, per-shopper capped);
//! * [`neighbours_file`]: item-to-item lists computed elsewhere (Parquet), `--neighbours-file`;
//! * [`ease`]: EASE item-item weights (dense with `faer`, or restricted to candidates);
//! * [`together`]: frequently bought together from baskets;
//! * [`trend`]: popularity and a short-horizon demand forecast;
//! * [`forecast`]: weekly unit sales forecasts per product, with intervals, and their evaluation;
//! * [`content`]: hashed TF-IDF of product text, content neighbours and vectors for cold items;
//! * [`assemble`]: from catalog + events to [`PackContents`](crate::pack::PackContents);
//! * [`rules`]: the shop's merchandising rules file (`--rules`);
//! * [`shard`]: the sharded layout (IVF partitions by k-means, directory chunks, bootstrap);
//! * [`parquet_columns`]: Parquet column chunks read without Arrow, for the Parquet inputs;
//! * [`vectors`]: externally trained item vectors (CSV, NPY, Parquet) as the embeddings;
//! * [`image_vectors`]: image vectors (read as [`vectors`] are) as the optional image embeddings;
//! * [`static_shelves`]: non-personalized shelves from a pack, as JSON for server-side rendering;
//! * [`eval`], [`report`] and [`recommend`]: offline evaluation (with an HTML report) and
//!   batch shelves through the engine; [`eval_export`]: eval's split written out for replay.

pub mod als;
pub mod assemble;
pub mod content;
pub mod ease;
pub mod eval;
pub mod eval_export;
pub mod file_error;
pub mod forecast;
pub mod history;
pub mod image_vectors;
pub mod input;
pub mod neighbours;
pub mod neighbours_file;
pub mod pack_file;
pub mod parquet_columns;
pub mod read;
pub mod recommend;
pub mod report;
pub mod rules;
pub mod shard;
pub mod static_shelves;
pub mod synth;
pub mod together;
pub mod trend;
pub mod vectors;
