//! A realistic synthetic home & gift shop, generated deterministically from a seed.
//!
//! The synthetic shop lets the builder, the demo page and the tests run without real shop data.
//! It is meant to have the kind of structure a recommender should find:
//!
//! * **Catalog.** About ten categories of a home & gift shop, each with its own word lists, so
//!   products get plausible names ("Honey Beeswax Pillar Candle", "Mint Linen Tote Bag"), a
//!   one-sentence description, a log-normal price around the category's median (shaped by the
//!   brand's price level and rounded to `.49` / `.99`), ~95 % in stock, a made-up brand and a
//!   *style* (rustic, modern, pastel, vintage, nordic) that cuts across categories. Every item
//!   also has a hidden Zipf-like popularity.
//! * **Shoppers.** Each shopper has hidden tastes: one to three favourite categories (weighted),
//!   a preferred style, a price band and, for some, a favourite brand. Their sessions (spread
//!   over `days`, during the day's shopping hours) mostly browse items that fit those tastes,
//!   mixed with popular-item noise; fitting items are more likely to be clicked and carted.
//!   Carts are sometimes trimmed (`remove_from_cart`) and often checked out as a basket
//!   (`B000123`); consumables (candles, soaps, cards …) get bought again in later sessions.
//!   Some views are preceded by a search for the product's kind (`query: "pillar candle"`).
//!
//! Everything is drawn from [`StdRng`](rand::rngs::StdRng) streams seeded from [`SynthConfig::seed`] (the catalog
//! from one stream, each shopper from their own), and no hash map is iterated, so the same
//! configuration always yields byte-identical output. The catalog does not depend on the number
//! of shoppers or days.
//!
//! [`category_images`] renders one small SVG tile per category; items reference it as
//! `img/<slug>.svg`. [`image_vectors`] gives each item a synthetic image vector that follows
//! that look (for `build --image-vectors`).
//!
//! The parts: `shop` (the settings, the result and [`generate`]), `tables` (the shop's
//! vocabulary: categories, styles, brands, tile art), `draw` (the small random helpers),
//! `catalog` (items and their hidden facts), `simulation` (shoppers' tastes and sessions) and
//! `svg` (the category tiles and file-name slugs), `look` (the synthetic image vectors).

mod catalog;
mod draw;
mod look;
mod shop;
mod simulation;
mod svg;
mod tables;
#[cfg(test)]
mod tests;

pub use look::image_vectors;
pub use shop::{generate, SynthConfig, SynthShop, DEFAULT_START_MS};
pub use svg::{category_images, slug};
