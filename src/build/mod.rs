//! The offline pack builder (feature `cli`): shop data in, pack out.
//!
//! * [`input`]: the canonical catalog and event records every reader produces;
//! * [`read`]: readers for the canonical JSONL/CSV formats and the Online Retail CSV, with
//!   per-line error reporting;
//! * [`synth`]: the synthetic demo shop;
//! * [`als`]: implicit-feedback ALS for item embeddings;
//! * [`assemble`]: from catalog + events to [`PackContents`](crate::pack::PackContents);
//! * [`rules`]: the shop's merchandising rules file (`--rules`).

pub mod als;
pub mod assemble;
pub mod eval;
pub mod input;
pub mod read;
pub mod recommend;
pub mod rules;
pub mod synth;
