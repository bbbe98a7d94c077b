//! Shelfwise: product recommendations computed in the shopper's own browser.
//!
//! The crate has three layers:
//!
//! * the **core** ([`pack`], [`event`], [`profile`], [`kernel`], [`rank`], [`blend`],
//!   [`shelf`], [`shelves`], [`rules`], [`page`], [`explain`], [`vector`], [`explore`], [`engine`], [`limits`],
//!   [`measurement`]): opens a
//!   pack in place, keeps the shopper's events, builds a profile and ranks shelves with
//!   explanations. It holds no
//!   JS types and is the same code natively and in wasm;
//! * the **wasm bindings** (`wasm`, only on `wasm32`): thin newtypes over [`engine::Engine`]
//!   with camelCase names, turning every [`CoreError`] into a named JS `Error`;
//! * the **pack builder** ([`build`], feature `cli`): reads a shop's catalog and logs, trains
//!   item embeddings and writes the pack. Its dependencies never reach the wasm build;
//! * the **measurement reports** ([`reports`], feature `cli`): the shop's side of private
//!   measurement (`shelfwise report`, `report simulate`, `collect`).
//!
//! See `ARCHITECTURE.md` for how the pieces fit and `docs/PACK_FORMAT.md` for the bytes.

pub mod blend;
pub mod engine;
pub mod error;
pub mod event;
pub mod explain;
pub mod explore;
#[cfg(any(target_arch = "wasm32", test))]
mod json;
pub mod kernel;
pub mod limits;
pub mod measurement;
pub mod order;
pub mod pack;
pub mod page;
pub mod profile;
pub mod rank;
pub mod rules;
pub mod shelf;
pub mod shelves;
pub mod vector;

#[cfg(feature = "cli")]
pub mod build;
#[cfg(feature = "cli")]
pub mod reports;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::Engine;
pub use error::CoreError;
pub use pack::{Pack, PackError};
