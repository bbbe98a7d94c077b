//! Shelves: titled, ordered lists of items, each with the reason it is there.

use serde::Serialize;

use crate::error::CoreError;
use crate::explain::Explanation;
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
    /// Why it is here, in words (the same as `explanation.text`).
    pub reason: String,
    /// Why it is here: reason, text and evidence.
    pub explanation: Explanation,
}

impl ShelfItem {
    /// The shelf item for item `i` of `pack`.
    pub fn new<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32, score: f32, explanation: Explanation) -> ShelfItem {
        ShelfItem { card: ItemCard::of(pack, i), score, reason: explanation.text.clone(), explanation }
    }
}

/// Which shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShelfKind {
    /// Personalized ranking from the shopper's profile.
    ForYou,
    /// Like "for you", but never an item the shopper already bought.
    Discovery,
    /// Items the shopper bought before, by decayed purchase count.
    BuyAgain,
    /// Neighbours of an item the shopper viewed recently ("Because you viewed X").
    BecauseYouViewed,
    /// Items similar to the product on the page.
    Similar,
    /// Items that look like the product on the page (by the pack's image embeddings).
    VisuallySimilar,
    /// Items bought in the same baskets as the cart or the product on the page.
    BoughtTogether,
    /// Items whose demand is rising, shop-wide.
    Trending,
    /// Items whose demand is rising within the shopper's top categories.
    TrendingInCategories,
    /// What the shopper viewed, most recent first.
    RecentlyViewed,
    /// Items few shoppers have interacted with yet, close to the shopper's interest by content.
    NewForYou,
}

impl ShelfKind {
    /// Every kind, in a stable order.
    pub const ALL: [ShelfKind; 11] = [
        ShelfKind::ForYou,
        ShelfKind::Discovery,
        ShelfKind::BuyAgain,
        ShelfKind::BecauseYouViewed,
        ShelfKind::Similar,
        ShelfKind::VisuallySimilar,
        ShelfKind::BoughtTogether,
        ShelfKind::Trending,
        ShelfKind::TrendingInCategories,
        ShelfKind::RecentlyViewed,
        ShelfKind::NewForYou,
    ];

    /// The wire name (`"for-you"`, `"because-you-viewed"` …).
    pub fn as_str(self) -> &'static str {
        match self {
            ShelfKind::ForYou => "for-you",
            ShelfKind::Discovery => "discovery",
            ShelfKind::BuyAgain => "buy-again",
            ShelfKind::BecauseYouViewed => "because-you-viewed",
            ShelfKind::Similar => "similar",
            ShelfKind::VisuallySimilar => "visually-similar",
            ShelfKind::BoughtTogether => "bought-together",
            ShelfKind::Trending => "trending",
            ShelfKind::TrendingInCategories => "trending-in-categories",
            ShelfKind::RecentlyViewed => "recently-viewed",
            ShelfKind::NewForYou => "new-for-you",
        }
    }

    /// Parses a wire name; an unknown one is a typed error listing the accepted names.
    pub fn parse(name: &str) -> Result<ShelfKind, CoreError> {
        ShelfKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| CoreError::UnknownShelf { found: name.to_owned() })
    }

    /// The default title shown above the shelf (some shelves name their anchor instead).
    pub fn title(self) -> &'static str {
        match self {
            ShelfKind::ForYou => "Recommended for you",
            ShelfKind::Discovery => "Discover something new",
            ShelfKind::BuyAgain => "Buy again",
            ShelfKind::BecauseYouViewed => "Because you viewed",
            ShelfKind::Similar => "Similar items",
            ShelfKind::VisuallySimilar => "Looks like this",
            ShelfKind::BoughtTogether => "Frequently bought together",
            ShelfKind::Trending => "Trending now",
            ShelfKind::TrendingInCategories => "Trending in your categories",
            ShelfKind::RecentlyViewed => "Recently viewed",
            ShelfKind::NewForYou => "New for you",
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
