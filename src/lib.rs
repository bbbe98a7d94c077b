//! Shelfwise: product recommendations computed in the shopper's own browser.
//!
//! The crate has three layers:
//!
//! * the **core** ([`pack`], [`event`], [`profile`], [`kernel`], [`rank`], [`shelf`], [`engine`]): opens a
//!   pack in place, keeps the shopper's events, builds a profile and ranks shelves. It holds no
//!   JS types and is the same code natively and in wasm;
//! * the **wasm bindings** (`wasm`, only on `wasm32`): thin newtypes over [`engine::Engine`]
//!   with camelCase names, turning every [`CoreError`] into a named JS `Error`;
//! * the **pack builder** ([`build`], feature `cli`): reads a shop's catalog and logs, trains
//!   item embeddings and writes the pack. Its dependencies never reach the wasm build.
//!
//! See `ARCHITECTURE.md` for how the pieces fit and `docs/PACK_FORMAT.md` for the bytes.

pub mod engine;
pub mod error;
pub mod event;
pub mod for_you;
pub mod kernel;
pub mod pack;
pub mod profile;
pub mod rank;
pub mod shelf;

#[cfg(feature = "cli")]
pub mod build;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::Engine;
pub use error::CoreError;
pub use pack::{Pack, PackError};
