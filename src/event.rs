//! Shopper events: the on-device behaviour record.
//!
//! An [`Event`] is what the page reports (`track`). It never leaves the device: the core keeps
//! events in memory (the JS shell decides about storage) and turns them into a
//! [`Profile`](crate::profile::Profile). The same type is used by the batch `recommend` command,
//! so the browser and the native build rank from identical inputs.

use serde::{Deserialize, Serialize};

use crate::error::CoreError;

/// What the shopper did with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Looked at a product page or card.
    View,
    /// Clicked a product (e.g. on a shelf).
    Click,
    /// Put the item into the cart.
    AddToCart,
    /// Took the item out of the cart again.
    RemoveFromCart,
    /// Bought the item.
    Purchase,
    /// Ran a search; carries a query rather than an item.
    Search,
}

impl EventKind {
    /// Every kind, in a stable order (used for messages and docs).
    pub const ALL: [EventKind; 6] =
        [EventKind::View, EventKind::Click, EventKind::AddToCart, EventKind::RemoveFromCart, EventKind::Purchase, EventKind::Search];

    /// The wire name (`"add_to_cart"` …), as used in JSONL and in the JS API.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::Click => "click",
            EventKind::AddToCart => "add_to_cart",
            EventKind::RemoveFromCart => "remove_from_cart",
            EventKind::Purchase => "purchase",
            EventKind::Search => "search",
        }
    }

    /// Parses a wire name; unknown names are a typed error listing the accepted ones.
    pub fn parse(name: &str) -> Result<EventKind, CoreError> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == name).ok_or_else(|| CoreError::UnknownEventKind { found: name.to_owned() })
    }

    /// What one event of this kind weighs in each use ([`KindWeights`]): the one table of
    /// per-kind weights.
    pub const fn weights(self) -> KindWeights {
        let (interest, source, training) = match self {
            EventKind::View => (1.0, 0.2, 1.0),
            EventKind::Click => (1.5, 0.3, 1.5),
            EventKind::AddToCart => (4.0, 0.6, 3.0),
            EventKind::RemoveFromCart => (-2.0, 0.0, 0.0),
            EventKind::Purchase => (6.0, 1.0, 5.0),
            EventKind::Search => (0.0, 0.0, 0.0),
        };
        KindWeights { interest, source, training }
    }

    /// Whether this kind must name an item.
    pub fn needs_item(self) -> bool {
        !matches!(self, EventKind::Search)
    }
}

/// One recorded event, already resolved against a pack (item by index).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Index of the item in the pack.
    pub item: u32,
    /// What happened.
    pub kind: EventKind,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub ts_ms: i64,
    /// Quantity for cart and purchase events (1 otherwise).
    pub qty: u32,
}

/// The weights of one event kind. Each use has its own scale; they live in one table
/// ([`EventKind::weights`]) so that a kind is weighed consistently everywhere.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindWeights {
    /// How strongly the event signals interest in the shopper's profile (removing from the
    /// cart is a mild negative signal; a search carries no item).
    pub interest: f32,
    /// How strongly the event makes its item a source of neighbours, in [0, 1]: in the
    /// on-device blend ([`crate::blend`]) and in the builder's co-occurrence neighbours.
    pub source: f32,
    /// Interaction strength for training (ALS) and popularity; a purchase's is also scaled
    /// by its quantity (`build::assemble::training_weight`).
    pub training: f32,
}

/// A search the shopper ran (kept on the device like every event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The search text as typed (trimmed, at most [`MAX_QUERY_CHARS`] characters).
    pub query: String,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub ts_ms: i64,
}

pub use crate::limits::MAX_QUERY_CHARS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_wire_names() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()).ok(), Some(kind));
        }
    }

    #[test]
    fn unknown_kind_is_a_typed_error() {
        let err = EventKind::parse("wishlist").err();
        assert!(matches!(err, Some(CoreError::UnknownEventKind { ref found }) if found == "wishlist"));
    }
}
