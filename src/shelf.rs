//! Shelves: titled, ordered lists of items, each with the reason it is there.

use serde::Serialize;

use crate::pack::Pack;

/// One product as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemCard {
    /// Shop id.
    pub id: String,
    /// Title (render as text, never as HTML).
    pub title: String,
    /// Category name.
    pub category: String,
    /// Brand name.
    pub brand: String,
    /// Price, rounded to 4 decimals so that it reads as stored (17.49, not 17.4899997…).
    pub price: f64,
    /// Image URL as stored in the pack (the shell only uses http(s) and relative URLs).
    pub image: String,
    /// Product page URL as stored in the pack.
    pub url: String,
    /// Whether it can be bought.
    pub in_stock: bool,
}

impl ItemCard {
    /// The card of item `i`.
    pub fn of<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> ItemCard {
        ItemCard {
            id: pack.item_id(i).to_owned(),
            title: pack.title(i).to_owned(),
            category: pack.category(i).to_owned(),
            brand: pack.brand(i).to_owned(),
            price: (f64::from(pack.price(i)) * 10_000.0).round() / 10_000.0,
            image: pack.image_url(i).into_owned(),
            url: pack.page_url(i).into_owned(),
            in_stock: pack.in_stock(i),
        }
    }
}

/// An item on a shelf: the card, its score and why it was chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShelfItem {
    /// The product.
    #[serde(flatten)]
    pub card: ItemCard,
    /// Ranking score (higher is better; comparable within one shelf only).
    pub score: f32,
    /// Why it is here, in words.
    pub reason: String,
}

/// Which shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShelfKind {
    /// Personalized ranking from the shopper's profile.
    ForYou,
    /// Like "for you", but never an item the shopper already bought.
    Discovery,
}

impl ShelfKind {
    /// The default title shown above the shelf.
    pub fn title(self) -> &'static str {
        match self {
            ShelfKind::ForYou => "Recommended for you",
            ShelfKind::Discovery => "Discover something new",
        }
    }
}

/// A titled list of items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shelf {
    /// Which shelf this is.
    pub kind: ShelfKind,
    /// Title to show.
    pub title: String,
    /// Whether the ranking used the shopper's own events (false: popularity only).
    pub personalized: bool,
    /// Items, best first.
    pub items: Vec<ShelfItem>,
}
