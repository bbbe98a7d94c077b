//! [`Engine`]: one open pack plus the shopper's on-device events, and the shelves it ranks.
//!
//! This is the API the wasm bindings and the native batch commands share, so both rank
//! identically. It holds no JS types.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::pack::Pack;
use crate::profile::{CategoryAffinity, Profile, ProfileConfig};
use crate::rank::{top_k_by_query, Query};
use crate::shelf::{ItemCard, Shelf, ShelfItem, ShelfKind};

/// The most events kept in memory; older ones are dropped first.
pub const MAX_EVENTS: usize = 10_000;
/// The most items one shelf may ask for.
pub const MAX_K: usize = 1_000;
/// Weight of popularity added to personalized scores (keeps ties and weak profiles sensible).
const POPULARITY_PRIOR: f32 = 0.05;

/// An event as the page reports it (JSON / JS object).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventInput {
    /// Item id (required except for searches).
    #[serde(default)]
    pub item: Option<String>,
    /// Event type: view, click, add_to_cart, remove_from_cart, purchase, search.
    #[serde(rename = "type")]
    pub kind: String,
    /// Time in ms since the Unix epoch.
    pub ts: f64,
    /// Quantity (default 1).
    #[serde(default)]
    pub qty: Option<f64>,
    /// Search text (search events).
    #[serde(default)]
    pub query: Option<String>,
}

/// Facts about the open pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackInfo {
    /// Pack format version.
    pub format_version: u16,
    /// Builder version that wrote the pack.
    pub builder_version: String,
    /// Number of items.
    pub item_count: u32,
    /// Embedding dimension.
    pub dim: u32,
    /// Number of categories.
    pub category_count: u32,
    /// Pack size in bytes.
    pub bytes: u64,
    /// CRC-32 of the body (verified at open).
    pub checksum: String,
    /// When the pack was built (ms since the Unix epoch).
    pub built_at_ms: f64,
}

/// A readable summary of what the engine knows about the shopper.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    /// Events held on the device.
    pub event_count: usize,
    /// Decayed evidence behind the interest vector.
    pub evidence: f32,
    /// Top categories by attention.
    pub top_categories: Vec<CategoryAffinity>,
}

/// An open pack and the shopper's events.
#[derive(Debug, Clone)]
pub struct Engine<B: AsRef<[u8]> = Vec<u8>> {
    pack: Pack<B>,
    events: VecDeque<Event>,
    profile_config: ProfileConfig,
}

fn check_k(k: usize) -> Result<usize, CoreError> {
    if (1..=MAX_K).contains(&k) {
        Ok(k)
    } else {
        Err(CoreError::OutOfRange { name: "k", value: k.to_string(), expected: "an integer from 1 to 1000" })
    }
}

/// Checks a JS-style millisecond timestamp.
pub fn check_ts(name: &'static str, ts: f64) -> Result<i64, CoreError> {
    // ±8.64e15 ms is the range of a JS Date.
    if ts.is_finite() && ts.abs() <= 8.64e15 {
        Ok(ts as i64)
    } else {
        Err(CoreError::OutOfRange { name, value: ts.to_string(), expected: "a finite time in ms since 1970 (a JS Date)" })
    }
}

impl<B: AsRef<[u8]>> Engine<B> {
    /// Opens the pack in `bytes` with no events.
    pub fn open(bytes: B) -> Result<Engine<B>, CoreError> {
        Ok(Engine { pack: Pack::open(bytes)?, events: VecDeque::new(), profile_config: ProfileConfig::default() })
    }

    /// The open pack.
    pub fn pack(&self) -> &Pack<B> {
        &self.pack
    }

    /// The recorded events, oldest first.
    pub fn events(&self) -> &VecDeque<Event> {
        &self.events
    }

    /// Facts about the pack.
    pub fn info(&self) -> PackInfo {
        let (major, minor, patch) = self.pack.header().builder_version;
        PackInfo {
            format_version: self.pack.header().format_version,
            builder_version: format!("{major}.{minor}.{patch}"),
            item_count: self.pack.item_count(),
            dim: self.pack.dim() as u32,
            category_count: self.pack.category_count(),
            bytes: self.pack.byte_len() as u64,
            checksum: format!("{:08x}", self.pack.header().body_crc32),
            built_at_ms: self.pack.meta().built_at_ms as f64,
        }
    }

    /// Resolves an item id.
    pub fn item_index(&self, id: &str) -> Result<u32, CoreError> {
        self.pack.find_item(id).ok_or_else(|| CoreError::UnknownItem { id: id.to_owned() })
    }

    /// The card of one item.
    pub fn item(&self, id: &str) -> Result<ItemCard, CoreError> {
        Ok(ItemCard::of(&self.pack, self.item_index(id)?))
    }

    /// Cards of items `start..start + count` in pack order (clipped to the catalog).
    pub fn items(&self, start: u32, count: u32) -> Vec<ItemCard> {
        let end = start.saturating_add(count).min(self.pack.item_count());
        (start.min(end)..end).map(|i| ItemCard::of(&self.pack, i)).collect()
    }

    /// Validates and records one event. Searches are accepted but carry no item signal yet.
    pub fn track(&mut self, input: &EventInput) -> Result<(), CoreError> {
        let kind = EventKind::parse(&input.kind)?;
        let ts_ms = check_ts("ts", input.ts)?;
        let qty = match input.qty {
            None => 1,
            Some(q) if (1.0..=1e6).contains(&q) && q.fract() == 0.0 => q as u32,
            Some(q) => {
                return Err(CoreError::OutOfRange {
                    name: "qty",
                    value: q.to_string(),
                    expected: "a whole number from 1 to 1000000",
                })
            }
        };
        if !kind.needs_item() {
            return Ok(());
        }
        let id = input.item.as_deref().filter(|s| !s.is_empty()).ok_or(CoreError::MissingItem { kind: kind.as_str() })?;
        let item = self.item_index(id)?;
        self.push_event(Event { item, kind, ts_ms, qty });
        Ok(())
    }

    /// Records an already resolved event.
    pub fn push_event(&mut self, event: Event) {
        while self.events.len() >= MAX_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    /// Forgets every event.
    pub fn clear_events(&mut self) {
        self.events.clear();
    }

    /// The profile as of `now_ms`.
    pub fn profile(&self, now_ms: i64) -> Profile {
        Profile::build(&self.pack, &self.events, now_ms, &self.profile_config)
    }

    /// A readable summary of the profile.
    pub fn profile_summary(&self, now_ms: i64) -> ProfileSummary {
        let p = self.profile(now_ms);
        ProfileSummary { event_count: self.events.len(), evidence: p.evidence, top_categories: p.top_categories(&self.pack, 5) }
    }

    /// Items the "for you" shelf leaves out: in the cart (added more often than removed, not
    /// bought since), already bought, or in `exclude` (e.g. the product on the page). Sorted
    /// and deduplicated; built from the events alone, so its cost does not grow with the catalog.
    fn excluded(&self, exclude: &[u32]) -> Vec<u32> {
        let n = self.pack.item_count();
        // item → (units in the cart, bought)
        let mut state: BTreeMap<u32, (i64, bool)> = BTreeMap::new();
        for e in self.events.iter().filter(|e| e.item < n) {
            let (cart, bought) = state.entry(e.item).or_insert((0, false));
            match e.kind {
                EventKind::AddToCart => *cart += i64::from(e.qty),
                EventKind::RemoveFromCart => *cart = (*cart - i64::from(e.qty)).max(0),
                EventKind::Purchase => {
                    *cart = 0;
                    *bought = true;
                }
                _ => {}
            }
        }
        let mut blocked: Vec<u32> =
            state.into_iter().filter(|&(_, (cart, bought))| bought || cart > 0).map(|(item, _)| item).collect();
        blocked.extend(exclude.iter().copied().filter(|&i| i < n));
        blocked.sort_unstable();
        blocked.dedup();
        blocked
    }

    /// Resolves ids to leave out of a shelf; ids the pack does not know are ignored (a page
    /// may name products newer than its pack).
    pub fn resolve_exclusions<S: AsRef<str>>(&self, ids: &[S]) -> Vec<u32> {
        ids.iter().filter_map(|id| self.pack.find_item(id.as_ref())).collect()
    }

    /// "For you": the best `k` in-stock items for the shopper's profile (cosine of the
    /// interest vector with each item, plus a small popularity prior), leaving out what is in
    /// the cart, what was bought and `exclude`; with no usable events, the most popular
    /// in-stock items.
    pub fn rank_for_you(&self, k: usize, now_ms: i64, exclude: &[u32]) -> Result<Shelf, CoreError> {
        let k = check_k(k)?;
        let profile = self.profile(now_ms);
        let personalized = !profile.is_empty();
        let query = if personalized {
            Query::new(&profile.interest, self.pack.embedding_scales())
        } else {
            Query::new(&[], &[])
        };
        let prior = if personalized { POPULARITY_PRIOR } else { 1.0 };
        let blocked = self.excluded(exclude);
        let pack = &self.pack;
        let ranked = top_k_by_query(pack, &query, prior, k, |i| {
            pack.in_stock(i) && blocked.binary_search(&i).is_err()
        });
        let top = profile.top_categories(pack, 1);
        let items = ranked
            .into_iter()
            .map(|s| {
                let card = ItemCard::of(pack, s.item);
                let reason = if !personalized {
                    "Popular in this shop".to_owned()
                } else if top.first().is_some_and(|t| t.category == card.category) {
                    format!("You have been looking at {}", card.category)
                } else {
                    "Matches what you have viewed".to_owned()
                };
                ShelfItem { card, score: s.score, reason }
            })
            .collect();
        Ok(Shelf { kind: ShelfKind::ForYou, title: ShelfKind::ForYou.title().to_owned(), personalized, items })
    }
}
