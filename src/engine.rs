//! [`Engine`]: one open pack plus the shopper's on-device events, and the shelves it ranks.
//!
//! This is the API the wasm bindings and the native batch commands share, so both rank
//! identically. It holds no JS types.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::event::{Event, EventKind};
use crate::for_you::{self, BlendWeights, Recommendation, Signals};
use crate::pack::Pack;
use crate::profile::{CategoryAffinity, Profile, ProfileConfig};
use crate::shelf::{ItemCard, Shelf, ShelfItem, ShelfKind};

/// The most events kept in memory; older ones are dropped first.
pub const MAX_EVENTS: usize = 10_000;
/// The most items one shelf may ask for.
pub const MAX_K: usize = 1_000;

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

    /// Items a personalized shelf leaves out: in the cart (added more often than removed, not
    /// bought since), in `exclude` (e.g. the product on the page) and, when `bought_too`,
    /// everything the shopper bought. Sorted and deduplicated; built from the events alone, so
    /// its cost does not grow with the catalog.
    fn excluded(&self, exclude: &[u32], bought_too: bool) -> Vec<u32> {
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
                    *bought |= bought_too;
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

    /// "For you": the best `k` in-stock items by the blend of [`crate::for_you`] with
    /// [`BlendWeights::FOR_YOU`]: the shopper's repeat purchases, neighbours of their items,
    /// the embedding profile, popularity and trend. Leaves out what is in the cart and
    /// `exclude`; with no usable events, popularity and trend alone.
    pub fn rank_for_you(&self, k: usize, now_ms: i64, exclude: &[u32]) -> Result<Shelf, CoreError> {
        self.rank_blend(ShelfKind::ForYou, &BlendWeights::FOR_YOU, k, now_ms, exclude)
    }

    /// "Discovery": the same blend with [`BlendWeights::DISCOVERY`], never returning an item
    /// the shopper already bought (nor what is in the cart or `exclude`).
    pub fn rank_discovery(&self, k: usize, now_ms: i64, exclude: &[u32]) -> Result<Shelf, CoreError> {
        self.rank_blend(ShelfKind::Discovery, &BlendWeights::DISCOVERY, k, now_ms, exclude)
    }

    /// The blend's ranking with each item's score parts (for explanations).
    pub fn blend(
        &self,
        weights: &BlendWeights,
        k: usize,
        now_ms: i64,
        exclude: &[u32],
        leave_out_bought: bool,
    ) -> Result<Vec<Recommendation>, CoreError> {
        let k = check_k(k)?;
        Ok(for_you::rank_candidates(&self.blend_candidates(weights, now_ms, exclude, leave_out_bought), weights, k))
    }

    /// The blend's candidates and their unweighted signals (what [`Engine::blend`] ranks; the
    /// evaluation's weight grid re-scores these).
    pub fn blend_candidates(
        &self,
        weights: &BlendWeights,
        now_ms: i64,
        exclude: &[u32],
        leave_out_bought: bool,
    ) -> Vec<(u32, Signals)> {
        let profile = self.profile(now_ms);
        let blocked = self.excluded(exclude, leave_out_bought);
        let pack = &self.pack;
        let mut allow = |i: u32| pack.in_stock(i) && blocked.binary_search(&i).is_err();
        for_you::candidates(pack, &self.events, &profile.interest, now_ms, weights, &mut allow)
    }

    fn rank_blend(
        &self,
        kind: ShelfKind,
        weights: &BlendWeights,
        k: usize,
        now_ms: i64,
        exclude: &[u32],
    ) -> Result<Shelf, CoreError> {
        let ranked = self.blend(weights, k, now_ms, exclude, kind == ShelfKind::Discovery)?;
        let pack = &self.pack;
        let personalized = ranked.iter().any(|r| r.parts.repeat > 0.0 || r.parts.neighbours > 0.0 || r.parts.embedding != 0.0);
        let items = ranked
            .into_iter()
            .map(|r| ShelfItem { card: ItemCard::of(pack, r.item), score: r.score, reason: reason(pack, &r.parts) })
            .collect();
        Ok(Shelf { kind, title: kind.title().to_owned(), personalized, items })
    }
}

/// Why an item is on a blended shelf: the signal that contributed most.
fn reason<B: AsRef<[u8]>>(pack: &Pack<B>, parts: &Signals) -> String {
    let candidates = [
        (parts.repeat, 0),
        (parts.neighbours, 1),
        (parts.embedding, 2),
        (parts.trend, 3),
        (parts.popularity, 4),
    ];
    let best = candidates.iter().filter(|c| c.0 > 0.0).max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    match (best.map(|c| c.1), parts.neighbour_via) {
        (Some(0), _) => "You have bought this before".to_owned(),
        (Some(1), Some(via)) => format!("Goes with {}", pack.title(via)),
        (Some(2), _) => "Matches what you have viewed".to_owned(),
        (Some(3), _) => "Trending now".to_owned(),
        _ => "Popular in this shop".to_owned(),
    }
}
