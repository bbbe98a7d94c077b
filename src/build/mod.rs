//! The offline pack builder (feature `cli`): shop data in, pack out.
//!
//! * [`input`]: the canonical catalog and event records every reader produces;
//! * [`read`]: readers for the canonical JSONL/CSV formats and the Online Retail CSV, with
//!   per-line error reporting;
//! * [`synth`]: the synthetic demo shop;
//! * [`als`]: implicit-feedback ALS for item embeddings;
//! * [`assemble`]: from catalog + events to [`PackContents`](crate::pack::PackContents);
//! * [`vectors`]: externally trained item vectors (CSV, NPY) as the embeddings;
//! * [`static_shelves`]: non-personalized shelves from a pack, as JSON for server-side rendering.

pub mod als;
pub mod assemble;
pub mod eval;
pub mod input;
pub mod read;
pub mod recommend;
pub mod static_shelves;
pub mod synth;
pub mod vectors;
