//! [`Engine`]: one open pack plus the shopper's on-device events, and the shelves it ranks.
//!
//! This is the API the wasm bindings and the native batch commands share, so both rank
//! identically. It holds no JS types. Shelves are ranked by [`Engine::shelf`] and
//! [`Engine::page`] (`src/page.rs`): the one ranking path, which the browser's `shelf()` /
//! `page()`, `shelfwise recommend`, `shelfwise eval` and the benchmarks all call.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::blend::{self, BlendSettings, Recommendation};
use crate::error::CoreError;
use crate::event::{Event, EventKind, Search};
use crate::limits::{self, MAX_FUTURE_MS, MAX_ITEMS_PER_CALL, MAX_QUERY_CHARS};
use crate::pack::Pack;
use crate::profile::{BrandAffinity, CategoryAffinity, PriceBandAffinity, PriceBands, Profile, ProfileConfig, Suppressions};
use crate::rules::{find_brand, find_category, Rule};
use crate::shelf::{ItemCard, ShelfKind};
use crate::shelves::signals::{TrendOrder, UnderExposed};

pub use crate::limits::{MAX_EVENTS, MAX_K, MAX_SEARCHES};

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
    /// Image embedding dimension (0: the pack has none, and `visually-similar` is `unsupported`).
    pub image_dim: u32,
    /// Number of categories.
    pub category_count: u32,
    /// Pack size in bytes.
    pub bytes: u64,
    /// The header's checksum: CRC-32 of the whole pack but the checksum field (verified at open).
    pub checksum: String,
    /// When the pack was built (ms since the Unix epoch).
    pub built_at_ms: f64,
}

/// An interest the shopper removed (or may remove): a category or a brand, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InterestInput {
    /// A category name (this or `brand`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// A brand name (this or `category`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
}

/// A readable summary of what the engine knows about the shopper (plain data).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSummary {
    /// Events held on the device.
    pub event_count: usize,
    /// Searches held on the device.
    pub search_count: usize,
    /// Decayed evidence behind the long-term interest vector.
    pub evidence: f32,
    /// Evidence behind the current session's interest vector.
    pub session_evidence: f32,
    /// Top categories by attention (largest share first).
    pub top_categories: Vec<CategoryAffinity>,
    /// Top brands by attention.
    pub top_brands: Vec<BrandAffinity>,
    /// Price bands (within each item's category) by attention.
    pub price_bands: Vec<PriceBandAffinity>,
    /// Readable segments derived from the affinities ("candles & lights, mid price").
    pub segments: Vec<String>,
    /// The latest searches, newest first (at most 5).
    pub recent_searches: Vec<String>,
    /// Interests the shopper removed; the profile ignores them.
    pub removed_interests: Vec<InterestInput>,
    /// The long-term interest vector (embedding space, unit length or zero).
    pub interest: Vec<f32>,
    /// The current session's interest vector.
    pub session_interest: Vec<f32>,
}

/// The pack's rules as [`Rule`]s (the same action and target, with their source).
fn resolve_pack_rules<B: AsRef<[u8]>>(pack: &Pack<B>) -> Vec<Rule> {
    pack.rules().iter().map(|r| Rule { action: r.action, target: r.target, source: crate::rules::RuleSource::Pack }).collect()
}

/// An open pack and the shopper's events.
#[derive(Debug, Clone)]
pub struct Engine<B: AsRef<[u8]> = Vec<u8>> {
    pack: Pack<B>,
    /// The pack's most popular and trending items (computed at open).
    orders: blend::Orders,
    /// The pack's merchandising rules, resolved once at open.
    pack_rules: Vec<Rule>,
    /// The weights of the for-you and discovery blends.
    blend: BlendSettings,
    events: VecDeque<Event>,
    searches: VecDeque<Search>,
    suppressions: Suppressions,
    price_bands: PriceBands,
    profile_config: ProfileConfig,
    /// The pack's under-exposed items (new for you, exploration), computed when first needed.
    under_exposed: UnderExposed,
    /// How many items of the pack are out of stock (the page's cost model), counted when first needed.
    out_of_stock: std::sync::OnceLock<usize>,
    /// The pack's items by trend, overall and by category (trending shelves, fill-up, category pins), computed when first needed.
    trend_order: TrendOrder,
    /// Whether shelves use the shopper's events (false: the experiment's control arm, see
    /// [`Engine::set_personalized`]).
    personalized: bool,
}

/// What ranking reads instead of the shopper's events when personalization is off.
static NO_EVENTS: VecDeque<Event> = VecDeque::new();

/// Checks a shelf size.
pub fn check_k(k: usize) -> Result<usize, CoreError> {
    if (1..=MAX_K).contains(&k) {
        Ok(k)
    } else {
        Err(CoreError::OutOfRange { name: "k", value: k.to_string(), expected: "an integer from 1 to 1000" })
    }
}

/// Checks an event's time: a JS-style millisecond timestamp at most [`MAX_FUTURE_MS`] (a day)
/// after `now_ms`, so that a timestamp in microseconds or a wrong clock cannot outlive the
/// retention or push every real event out.
pub fn check_event_ts(ts: f64, now_ms: i64) -> Result<i64, CoreError> {
    let ts_ms = check_ts("ts", ts)?;
    if ts_ms <= now_ms.saturating_add(MAX_FUTURE_MS) {
        Ok(ts_ms)
    } else {
        Err(CoreError::OutOfRange { name: "ts", value: ts.to_string(), expected: "a time in ms since 1970, at most a day after now" })
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
        let pack = Pack::open(bytes)?;
        let price_bands = PriceBands::of(&pack);
        let orders = blend::Orders::of(&pack);
        let pack_rules = resolve_pack_rules(&pack);
        Ok(Engine {
            pack,
            orders,
            pack_rules,
            blend: BlendSettings::DEFAULT,
            events: VecDeque::new(),
            searches: VecDeque::new(),
            suppressions: Suppressions::default(),
            price_bands,
            profile_config: ProfileConfig::default(),
            under_exposed: UnderExposed::default(),
            out_of_stock: std::sync::OnceLock::new(),
            trend_order: TrendOrder::default(),
            personalized: true,
        })
    }

    /// Turns personalization off (the control arm of an experiment) or on again. Off, every
    /// shelf ranks as for a shopper with no events and no searches (the page's own context, the
    /// pack's rules and removed interests still apply); the events are still recorded and the
    /// profile still describes them.
    pub fn set_personalized(&mut self, personalized: bool) {
        self.personalized = personalized;
    }

    /// Whether shelves use the shopper's events ([`Engine::set_personalized`]).
    pub fn is_personalized(&self) -> bool {
        self.personalized
    }

    /// The events shelves are ranked from: none when personalization is off.
    pub(crate) fn ranked_events(&self) -> &VecDeque<Event> {
        if self.personalized {
            &self.events
        } else {
            &NO_EVENTS
        }
    }

    /// The searches shelves are ranked from: none when personalization is off.
    pub(crate) fn ranked_searches(&self) -> &[Search] {
        if self.personalized {
            self.searches()
        } else {
            &[]
        }
    }

    /// The profile shelves are ranked from as of `now_ms`: empty when personalization is off.
    pub(crate) fn ranked_profile(&self, now_ms: i64) -> Profile {
        Profile::build_with(&self.pack, self.ranked_events(), now_ms, &self.profile_config, &self.suppressions, &self.price_bands)
    }

    /// The recorded searches, oldest first.
    pub fn searches(&self) -> &[Search] {
        self.searches.as_slices().0
    }

    /// Interests the shopper removed.
    pub fn suppressions(&self) -> &Suppressions {
        &self.suppressions
    }

    /// The pack's merchandising rules (the shop's build-time rules file), in file order,
    /// resolved when the pack was opened.
    pub fn pack_rules(&self) -> &[Rule] {
        &self.pack_rules
    }

    /// Whether a moment `ts_ms` is in the current session as of `now_ms` (within the session
    /// gap of now or of an event since).
    pub fn in_session(&self, ts_ms: i64, now_ms: i64) -> bool {
        let gap = self.profile_config.session_gap_ms;
        let latest = self.events.back().map_or(ts_ms, |e| e.ts_ms.max(ts_ms));
        (now_ms - latest) as f64 <= gap && (latest - ts_ms) as f64 <= gap * 4.0
    }

    /// The open pack.
    pub fn pack(&self) -> &Pack<B> {
        &self.pack
    }

    /// How many items of the pack are out of stock, counted by the first page that needs it.
    pub(crate) fn out_of_stock(&self) -> usize {
        *self.out_of_stock.get_or_init(|| (0..self.pack.item_count()).filter(|&i| !self.pack.in_stock(i)).count())
    }

    /// The pack's under-exposed items, computed by the first shelf that needs them.
    pub(crate) fn under_exposed(&self) -> &UnderExposed {
        &self.under_exposed
    }

    /// The pack's items by trend, overall and by category, computed by the first shelf that needs them.
    pub(crate) fn trend_order(&self) -> &TrendOrder {
        &self.trend_order
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
            image_dim: self.pack.image_dim() as u32,
            category_count: self.pack.category_count(),
            bytes: self.pack.byte_len() as u64,
            checksum: format!("{:08x}", self.pack.header().checksum),
            built_at_ms: self.pack.meta().built_at_ms as f64,
        }
    }

    /// Resolves an item id (at most [`limits::MAX_ID_BYTES`] long, else `out_of_range`).
    pub fn item_index(&self, id: &str) -> Result<u32, CoreError> {
        let id = limits::check_id("item", id)?;
        self.pack.find_item(id).ok_or_else(|| CoreError::UnknownItem { id: id.to_owned() })
    }

    /// The card of one item.
    pub fn item(&self, id: &str) -> Result<ItemCard, CoreError> {
        Ok(ItemCard::of(&self.pack, self.item_index(id)?))
    }

    /// Cards of items `start..start + count` in pack order (clipped to the catalog); `count`
    /// is at most [`MAX_ITEMS_PER_CALL`], else `out_of_range`.
    pub fn items(&self, start: u32, count: u32) -> Result<Vec<ItemCard>, CoreError> {
        if count as usize > MAX_ITEMS_PER_CALL {
            return Err(CoreError::OutOfRange { name: "count", value: count.to_string(), expected: "at most 10000 items per call" });
        }
        let end = start.saturating_add(count).min(self.pack.item_count());
        Ok((start.min(end)..end).map(|i| ItemCard::of(&self.pack, i)).collect())
    }

    /// Validates and records one event as of `now_ms` (an event dated more than a day later
    /// is `out_of_range`, see [`check_event_ts`]). A search keeps its (trimmed) text, cut to
    /// [`MAX_QUERY_CHARS`], if any; it feeds the shelves' cold start (title word match), not
    /// the interest vectors.
    pub fn track(&mut self, input: &EventInput, now_ms: i64) -> Result<(), CoreError> {
        let kind = EventKind::parse(&input.kind)?;
        let ts_ms = check_event_ts(input.ts, now_ms)?;
        let qty = match input.qty {
            None => 1,
            Some(q) if (1.0..=1e6).contains(&q) && q.fract() == 0.0 => q as u32,
            Some(q) => {
                return Err(CoreError::OutOfRange { name: "qty", value: q.to_string(), expected: "a whole number from 1 to 1000000" })
            }
        };
        if !kind.needs_item() {
            // A search without text (older pages, the batch histories) is accepted as before but
            // there is nothing to keep.
            let query = input.query.as_deref().map(str::trim).unwrap_or_default();
            if !query.is_empty() {
                let query = limits::cut(query, MAX_QUERY_CHARS).trim_end().to_owned();
                self.push_search(Search { query, ts_ms });
            }
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

    /// Records a search (the oldest is dropped beyond [`MAX_SEARCHES`]).
    pub fn push_search(&mut self, search: Search) {
        while self.searches.len() >= MAX_SEARCHES {
            self.searches.pop_front();
        }
        self.searches.push_back(search);
        self.searches.make_contiguous();
    }

    /// Forgets every event, search and removed interest: the engine is as new.
    pub fn clear_events(&mut self) {
        self.events.clear();
        self.searches.clear();
        self.suppressions = Suppressions::default();
    }

    /// Removes an interest: events on items of this category (or brand) no longer shape the
    /// profile, so every personalized shelf changes. It stays in the engine state (listed in
    /// the profile as `removedInterests`) until [`Engine::restore_interest`] or
    /// [`Engine::clear_events`]. Unknown names are typed errors.
    pub fn remove_interest(&mut self, interest: &InterestInput) -> Result<(), CoreError> {
        match (&interest.category, &interest.brand) {
            (Some(name), None) => {
                let name = limits::check_name("category", name)?;
                let c = find_category(&self.pack, name).ok_or_else(|| CoreError::UnknownCategory { name: name.to_owned() })?;
                if !self.suppressions.categories.contains(&c) {
                    self.suppressions.categories.push(c);
                }
            }
            (None, Some(name)) => {
                let name = limits::check_name("brand", name)?;
                let b = find_brand(&self.pack, name).ok_or_else(|| CoreError::UnknownBrand { name: name.to_owned() })?;
                if !self.suppressions.brands.contains(&b) {
                    self.suppressions.brands.push(b);
                }
            }
            _ => {
                return Err(CoreError::InvalidArgument {
                    name: "interest",
                    detail: "name exactly one of category or brand, e.g. { category: \"Candles\" }".into(),
                })
            }
        }
        Ok(())
    }

    /// Undoes [`Engine::remove_interest`]; unknown or not removed interests are ignored.
    pub fn restore_interest(&mut self, interest: &InterestInput) {
        if let Some(c) = interest.category.as_deref().and_then(|n| find_category(&self.pack, n)) {
            self.suppressions.categories.retain(|&x| x != c);
        }
        if let Some(b) = interest.brand.as_deref().and_then(|n| find_brand(&self.pack, n)) {
            self.suppressions.brands.retain(|&x| x != b);
        }
    }

    /// The removed interests, by name.
    pub fn removed_interests(&self) -> Vec<InterestInput> {
        let categories = self
            .suppressions
            .categories
            .iter()
            .map(|&c| InterestInput { category: Some(self.pack.category_name(c).to_owned()), brand: None });
        let brands =
            self.suppressions.brands.iter().map(|&b| InterestInput { category: None, brand: Some(self.pack.brand_name(b).to_owned()) });
        categories.chain(brands).collect()
    }

    /// The profile as of `now_ms` (removed interests left out).
    pub fn profile(&self, now_ms: i64) -> Profile {
        Profile::build_with(&self.pack, &self.events, now_ms, &self.profile_config, &self.suppressions, &self.price_bands)
    }

    /// A readable summary of the profile.
    pub fn profile_summary(&self, now_ms: i64) -> ProfileSummary {
        let p = self.profile(now_ms);
        ProfileSummary {
            event_count: self.events.len(),
            search_count: self.searches.len(),
            evidence: p.evidence,
            session_evidence: p.session_evidence,
            top_categories: p.top_categories(&self.pack, 5),
            top_brands: p.top_brands(&self.pack, 5),
            price_bands: p.price_bands(),
            segments: p.segments(&self.pack),
            recent_searches: self.searches.iter().rev().take(5).map(|s| s.query.clone()).collect(),
            removed_interests: self.removed_interests(),
            interest: p.interest,
            session_interest: p.session_interest,
        }
    }

    /// Resolves ids to leave out of a shelf; ids the pack does not know are ignored (a page
    /// may name products newer than its pack).
    pub fn resolve_exclusions<S: AsRef<str>>(&self, ids: &[S]) -> Vec<u32> {
        ids.iter().filter_map(|id| self.pack.find_item(id.as_ref())).collect()
    }

    /// The weights the for-you and discovery shelves blend with.
    pub fn blend_settings(&self) -> &BlendSettings {
        &self.blend
    }

    /// Replaces the blend's weights. For offline tuning only (`shelfwise eval --grid` ranks
    /// through [`Engine::shelf`] with each grid point); a shop's browser always ranks with
    /// [`BlendSettings::DEFAULT`].
    pub fn set_blend_settings(&mut self, settings: BlendSettings) {
        self.blend = settings;
    }

    /// The best `k` items of a blended shelf (for you or discovery) among the items `allow`
    /// accepts, with their score parts (what explanations are made from), and whether the
    /// shopper's own events placed any of them. The one place the blend runs: the for-you and
    /// discovery shelves of [`Engine::page`] call it; `k` must be checked.
    pub(crate) fn blend_ranked(
        &self,
        kind: ShelfKind,
        k: usize,
        profile: &Profile,
        now_ms: i64,
        allow: &dyn Fn(u32) -> bool,
    ) -> (bool, Vec<Recommendation>) {
        let weights = self.blend.weights(kind);
        let pack = &self.pack;
        // Removed interests leave every signal, not just the embedding profile.
        let events = self.ranked_events().iter().filter(|e| !self.suppressions.hides(pack, e.item));
        let source = blend::WithOrders { source: pack, orders: &self.orders };
        let candidates = blend::candidates(&source, events, &profile.interest, now_ms, weights, &mut |i| allow(i));
        let ranked = blend::rank_candidates(&candidates, weights, k);
        let personalized =
            ranked.iter().any(|r| r.parts.repeat > 0.0 || r.parts.neighbours > 0.0 || r.parts.session > 0.0 || r.parts.embedding != 0.0);
        (personalized, ranked)
    }
}
