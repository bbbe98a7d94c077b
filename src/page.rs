//! The page API: several shelves in one call, without duplicates across them.
//!
//! [`Engine::page`] takes a list of [`ShelfRequest`]s and answers them in order. Each shelf
//!
//! 1. builds its candidates ([`shelves`]) from the items that pass its
//!    [filters](crate::rules::Filters), are not in its `exclude` list, are not the product on
//!    the page and were not shown by an earlier shelf of the same call (earlier requests win);
//! 2. is filled up from trending when it has fewer than `k` candidates, so a shelf is never
//!    empty while the catalog has an eligible item. The two shelves of the shopper's own
//!    history, recently viewed and buy again, are not filled up: only their own items are
//!    eligible there, and they are empty without that history;
//! 3. applies the merchandising rules of the pack and of the request (see [`rules`]
//!    for the order in which conflicts are resolved);
//! 4. picks its items greedily by maximal marginal relevance: `(1 − diversity) · score −
//!    diversity · (highest cosine to an item already picked)`, never more than
//!    `maxPerCategory` items of one category (pins count towards the cap, but are always
//!    placed);
//! 5. puts pinned items at their positions, and the optional exploration slots (at most a
//!    quarter of the shelf, see [`explore`]) at the end.

use serde::Deserialize;

use crate::blend::Recommendation;
use crate::engine::{check_k, Engine};
use crate::error::CoreError;
use crate::explain::{Evidence, Explanation, Reason};
use crate::explore::{self, Arm};
use crate::limits::{self, MAX_DIVERSE_K, MAX_PAGE_ITEMS, MAX_QUERY_CHARS, MAX_TITLE_CHARS};
use crate::rules::{self, FilterInput, Rule, RuleAction, RuleIndex, RuleInput, RuleSource, RuleTarget};
use crate::shelf::{Shelf, ShelfItem, ShelfKind};
use crate::shelves::for_you::Explainer;
use crate::shelves::{self, signals, Candidate, History, Proposal, ShelfContext};
use crate::vector::{self, cosine};

/// Default number of items per shelf.
pub const DEFAULT_K: usize = 8;
pub use crate::limits::MAX_SHELVES;

/// The optional exploration slot(s) of a shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExploreRequest {
    /// Seed of the bandit: the same seed, events and pack give the same picks.
    pub seed: u64,
    /// Slots asked for (default 1; bounded by a quarter of the shelf).
    #[serde(default)]
    pub slots: Option<usize>,
}

/// One shelf of a page, as the page asks for it (JSON / JS object, camelCase).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShelfRequest {
    /// Shelf kind: "for-you", "similar" … ([`ShelfKind`]).
    pub kind: String,
    /// Items wanted (1–1000, default 8).
    #[serde(default)]
    pub k: Option<usize>,
    /// The product on the page (context; never shown on the shelf).
    #[serde(default)]
    pub item: Option<String>,
    /// The category the page shows (context).
    #[serde(default)]
    pub category: Option<String>,
    /// The search text of the page (context; else the latest search of the session is used).
    #[serde(default)]
    pub query: Option<String>,
    /// The cart's item ids (context; else the cart the events describe). Unknown ids are ignored.
    #[serde(default)]
    pub cart: Option<Vec<String>>,
    /// Item ids to leave out; unknown ids are ignored.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Filters (in stock, price, categories, cart, purchased).
    #[serde(default)]
    pub filters: FilterInput,
    /// Call-time merchandising rules (they beat the pack's).
    #[serde(default)]
    pub rules: Vec<RuleInput>,
    /// At most this many items of one category.
    #[serde(default)]
    pub max_per_category: Option<usize>,
    /// MMR trade-off in [0, 1]: 0 ranks by score only (default), 1 by dissimilarity only.
    #[serde(default)]
    pub diversity: Option<f32>,
    /// An optional exploration slot.
    #[serde(default)]
    pub explore: Option<ExploreRequest>,
    /// Overrides the shelf's title.
    #[serde(default)]
    pub title: Option<String>,
}

impl ShelfRequest {
    /// A request for `kind` with every option at its default.
    pub fn new(kind: &str) -> ShelfRequest {
        ShelfRequest { kind: kind.to_owned(), ..ShelfRequest::default() }
    }
}

/// A request checked and resolved against the pack.
struct Resolved {
    kind: ShelfKind,
    k: usize,
    item: Option<u32>,
    category: Option<u32>,
    query: Option<String>,
    cart: Option<Vec<u32>>,
    exclude: Vec<u32>,
    filters: rules::Filters,
    rules: Vec<Rule>,
    max_per_category: Option<usize>,
    diversity: f32,
    explore: Option<ExploreRequest>,
    title: Option<String>,
}

/// The index of the category `name` (at most [`limits::MAX_NAME_BYTES`]), or a typed error.
fn resolve_category<B: AsRef<[u8]>>(engine: &Engine<B>, field: &'static str, name: &str) -> Result<u32, CoreError> {
    let name = limits::check_name(field, name)?;
    rules::find_category(engine.pack(), name).ok_or_else(|| CoreError::UnknownCategory { name: name.to_owned() })
}

impl ShelfKind {
    /// Whether the page tops this shelf up from trending when it has fewer than `k` items
    /// (not the shelves of the shopper's own history, nor "looks like this", which only holds
    /// look-alikes).
    fn fills_up(self) -> bool {
        !matches!(self, ShelfKind::RecentlyViewed | ShelfKind::BuyAgain | ShelfKind::VisuallySimilar)
    }
}

impl<B: AsRef<[u8]>> Engine<B> {
    fn resolve_request(&self, req: &ShelfRequest) -> Result<Resolved, CoreError> {
        let pack = self.pack();
        let kind = ShelfKind::parse(&req.kind)?;
        let k = check_k(req.k.unwrap_or(DEFAULT_K))?;
        let item = req.item.as_deref().map(|id| self.item_index(id)).transpose()?;
        let category = req.category.as_deref().map(|name| resolve_category(self, "category", name)).transpose()?;
        let query = req.query.as_deref().map(|q| limits::cut(q.trim(), MAX_QUERY_CHARS).trim_end()).filter(|q| !q.is_empty());
        let cart = req.cart.as_deref().map(|ids| self.resolve_id_list("cart", ids)).transpose()?;
        let exclude = self.resolve_id_list("exclude", &req.exclude)?;
        let filters = req.filters.resolve(pack, kind)?;
        let rules = self.resolve_page_rules(&req.rules)?;
        let diversity = match req.diversity {
            None => 0.0,
            Some(d) if d.is_finite() && (0.0..=1.0).contains(&d) => d,
            Some(d) => return Err(CoreError::OutOfRange { name: "diversity", value: d.to_string(), expected: "a number from 0 to 1" }),
        };
        if diversity > 0.0 && k > MAX_DIVERSE_K {
            return Err(CoreError::OutOfRange { name: "k", value: k.to_string(), expected: "at most 100 items on a shelf with diversity" });
        }
        if req.max_per_category == Some(0) {
            return Err(CoreError::OutOfRange { name: "maxPerCategory", value: "0".into(), expected: "a whole number ≥ 1" });
        }
        Ok(Resolved {
            kind,
            k,
            item,
            category,
            query: query.map(str::to_owned),
            cart,
            exclude,
            filters,
            rules,
            max_per_category: req.max_per_category,
            diversity,
            explore: req.explore,
            title: req.title.as_deref().map(|t| limits::cut(t, MAX_TITLE_CHARS).to_owned()),
        })
    }

    /// What the shelf of `req` may cost ([`limits::shelf_cost`]), counting for each part of
    /// its work the most it can read:
    ///
    /// * one scan of the embeddings for the shelves that rank from them (for you, discovery,
    ///   new for you, the neighbour shelves' nearest items), [`limits::EXPLORE_SCANS`] for
    ///   exploration; one image scan
    ///   for "looks like this", and for the other neighbour shelves on a pack with image
    ///   embeddings (a new item's visual neighbours);
    /// * the walks of the trend order ([`Engine::walk_reads`]): the trending shelf's own (three,
    ///   one per top category, for trending in your categories), the fill-up (every shelf but
    ///   the history shelves and "looks like this") and the category pins (the request's or the
    ///   pack's);
    /// * the items asked for, and diversity.
    ///
    /// "Bought together" without the product on the page starts from each item of the cart
    /// (the request's, else the shopper's), and when none of their co-purchases passes the
    /// filters it falls back to each one's nearest items: one scan per cart item.
    fn shelf_cost(&self, req: &Resolved, shopper: &History, shown: usize) -> u64 {
        use ShelfKind::*;
        let pack = self.pack();
        let category_pins =
            req.rules.iter().filter(|r| matches!((r.action, r.target), (RuleAction::Pin(_), RuleTarget::Category(_)))).count();
        let anchors = match (req.kind, req.item, &req.cart) {
            (BoughtTogether, None, Some(cart)) => cart.len() as u64,
            (BoughtTogether, None, None) => shopper.cart.len() as u64,
            _ => 1,
        };
        let scans = anchors * u64::from(matches!(req.kind, ForYou | Discovery | NewForYou | Similar | BecauseYouViewed | BoughtTogether));
        let image_scans = match req.kind {
            VisuallySimilar => 1,
            Similar | BecauseYouViewed | BoughtTogether => {
                self.neighbour_anchors(req, shopper).filter(|&a| signals::has_visual_neighbours(pack, a)).count()
            }
            _ => 0,
        };
        let walk = |want: usize| self.walk_reads(req, shopper, shown, want);
        let own = match req.kind {
            Trending => walk(4 * req.k),
            TrendingInCategories => (3 * walk(4 * req.k)).min(u64::from(pack.item_count())),
            _ => 0,
        };
        let fill_up = if req.kind.fills_up() { walk(2 * req.k) } else { 0 };
        let pins = if category_pins > 0 { walk(category_pins) } else { 0 };
        let work = limits::ShelfWork {
            scans: scans + limits::EXPLORE_SCANS * u64::from(req.explore.is_some()),
            walk_reads: own + fill_up + pins,
            image_scans: image_scans as u64,
            k: req.k,
            diverse: req.diversity > 0.0,
        };
        limits::shelf_cost(&work, pack.item_count(), pack.dim(), pack.image_dim())
    }

    /// The items whose neighbours the neighbour shelf of `req` may look up: the product on the
    /// page, else for "bought together" the cart (the request's, else the `shopper`'s), and for
    /// "because you viewed" also its anchor, the latest viewed item.
    fn neighbour_anchors<'a>(&'a self, req: &'a Resolved, shopper: &'a History) -> impl Iterator<Item = u32> + 'a {
        let viewed = (req.kind == ShelfKind::BecauseYouViewed)
            .then(|| shopper.views.iter().map(|v| v.item).find(|&i| Some(i) != req.item && !self.suppressions().hides(self.pack(), i)))
            .flatten();
        let cart = match (req.kind, req.item) {
            (ShelfKind::BoughtTogether, None) => req.cart.as_deref().unwrap_or(&shopper.cart),
            _ => &[],
        };
        req.item.into_iter().chain(viewed).chain(cart.iter().copied())
    }

    /// The most items a walk of the trend order reads to find `want` items the shelf of `req`
    /// allows. With filters that narrow by price or category: the whole catalog. Else `want`
    /// plus every item it may have to skip: the request's exclusions, the `shown` items of
    /// earlier shelves, the product on the page, the cart and (when left out) the purchases of
    /// the `shopper`, and (when left out) every out-of-stock item of the pack; at most the
    /// whole catalog.
    fn walk_reads(&self, req: &Resolved, shopper: &History, shown: usize, want: usize) -> u64 {
        let n = u64::from(self.pack().item_count());
        let f = &req.filters;
        let narrow = f.include_categories.is_some()
            || !f.exclude_categories.is_empty()
            || f.min_price > f32::NEG_INFINITY
            || f.max_price < f32::INFINITY;
        if narrow {
            return n;
        }
        let skipped = req.exclude.len()
            + shown
            + 1
            + if f.exclude_in_cart { shopper.cart.len() } else { 0 }
            + if f.exclude_purchased { shopper.purchases.len() } else { 0 }
            + if f.in_stock { self.out_of_stock() } else { 0 };
        ((want + skipped) as u64).min(n)
    }

    /// The cost of a page of `requests` in item reads (see [`limits::shelf_cost`]), which
    /// [`Engine::page`] refuses above [`limits::page_budget`]; a request that does not
    /// resolve is an error.
    pub fn page_cost(&self, requests: &[ShelfRequest]) -> Result<u64, CoreError> {
        let resolved: Vec<Resolved> = requests.iter().map(|r| self.resolve_request(r)).collect::<Result<_, _>>()?;
        // The cart and the purchases do not depend on the time (only the purchases' decay does).
        let shopper = History::build(self.pack().item_count(), self.ranked_events(), &[], 0);
        Ok(self.resolved_page_cost(&resolved, &shopper))
    }

    /// [`Engine::page_cost`] of resolved requests: each shelf after the items of the earlier
    /// ones.
    fn resolved_page_cost(&self, resolved: &[Resolved], shopper: &History) -> u64 {
        let mut shown = 0;
        let mut cost = 0;
        for req in resolved {
            cost += self.shelf_cost(req, shopper, shown);
            shown += req.k;
        }
        cost
    }

    /// Resolves a list of ids (at most [`limits::MAX_LIST_LEN`], each at most
    /// [`limits::MAX_ID_BYTES`]); ids the pack does not know are ignored.
    fn resolve_id_list(&self, name: &'static str, ids: &[String]) -> Result<Vec<u32>, CoreError> {
        limits::check_list(name, ids)?;
        for id in ids {
            limits::check_id(name, id)?;
        }
        Ok(self.resolve_exclusions(ids))
    }

    /// The pack's rules followed by the request's (at most [`limits::MAX_RULES`]).
    fn resolve_page_rules(&self, inputs: &[RuleInput]) -> Result<Vec<Rule>, CoreError> {
        if inputs.len() > limits::MAX_RULES {
            return Err(CoreError::OutOfRange { name: "rules", value: inputs.len().to_string(), expected: "at most 1000 rules" });
        }
        let mut resolved = self.pack_rules().to_vec();
        let lookup = rules::CategoryLookup::for_names(self.pack(), inputs.iter().filter(|r| r.category.is_some()).count());
        for input in inputs {
            resolved.push(rules::resolve_with(self.pack(), lookup.as_ref(), &input.to_spec()?, RuleSource::Page)?);
        }
        Ok(resolved)
    }

    /// One shelf (a page of one).
    pub fn shelf(&self, request: &ShelfRequest, now_ms: i64) -> Result<Shelf, CoreError> {
        let mut shelves = self.page(std::slice::from_ref(request), now_ms)?;
        shelves.pop().ok_or(CoreError::InvalidArgument { name: "request", detail: "no shelf was produced".into() })
    }

    /// Several shelves at once, in request order, with no item on two shelves (earlier
    /// requests win). Every request is checked before any shelf is ranked.
    pub fn page(&self, requests: &[ShelfRequest], now_ms: i64) -> Result<Vec<Shelf>, CoreError> {
        if requests.len() > MAX_SHELVES {
            return Err(CoreError::OutOfRange {
                name: "requests",
                value: requests.len().to_string(),
                expected: "at most 20 shelves per page",
            });
        }
        let resolved: Vec<Resolved> = requests.iter().map(|r| self.resolve_request(r)).collect::<Result<_, _>>()?;
        let items: usize = resolved.iter().map(|r| r.k).sum();
        if items > MAX_PAGE_ITEMS {
            return Err(CoreError::OutOfRange {
                name: "k",
                value: items.to_string(),
                expected: "at most 2000 items per page, summed over its shelves",
            });
        }
        let pack = self.pack();
        let history = History::build(pack.item_count(), self.ranked_events(), self.ranked_searches(), now_ms);
        let cost = self.resolved_page_cost(&resolved, &history);
        if cost > limits::page_budget(pack.item_count()) {
            return Err(CoreError::OutOfRange {
                name: "requests",
                value: format!("a page costing {cost} item reads"),
                expected: "at most 600000 item reads per page, or 6 passes over the catalog when that is more (docs/TRUST.md: scans, walks and items asked for, plus diversity); split it into several calls",
            });
        }
        let profile = self.ranked_profile(now_ms);
        let suppressions = self.suppressions();
        let session_query = history.searches.first().filter(|s| self.in_session(s.ts_ms, now_ms)).map(|s| s.query.clone());
        // Items of earlier shelves, sorted.
        let mut shown: Vec<u32> = Vec::new();
        let mut out = Vec::with_capacity(resolved.len());
        for req in resolved {
            let mut blocked: Vec<u32> = shown.iter().chain(&req.exclude).copied().collect();
            blocked.sort_unstable();
            blocked.dedup();
            let ctx = ShelfContext {
                pack,
                history: &history,
                profile: &profile,
                suppressions,
                now_ms,
                item: req.item,
                category: req.category,
                query: req.query.clone().or_else(|| session_query.clone()),
                cart: req.cart.clone().unwrap_or_else(|| history.cart.clone()),
                filters: &req.filters,
                blocked: &blocked,
                under_exposed: self.under_exposed(),
                trend_order: self.trend_order(),
            };
            let want = (req.k * 4).min(crate::engine::MAX_K * 4);
            let (proposal, parts) = self.propose(&ctx, req.kind, want)?;
            let (shelf, items) = finish(&ctx, &req, proposal, parts);
            shown.extend(items);
            shown.sort_unstable();
            shown.dedup();
            out.push(shelf);
        }
        Ok(out)
    }

    /// The shelf's candidates. A blended shelf (for you, discovery) also returns the score parts
    /// of its candidates, in the same order: their explanations are left for [`finish`], which
    /// explains only the items it keeps.
    fn propose(&self, ctx: &ShelfContext<'_, B>, kind: ShelfKind, want: usize) -> Result<(Proposal, Vec<Recommendation>), CoreError> {
        let proposal = match kind {
            ShelfKind::ForYou | ShelfKind::Discovery => return Ok(shelves::for_you::propose(self, ctx, kind, want)),
            ShelfKind::BuyAgain => shelves::buy_again::propose(ctx, want),
            ShelfKind::BecauseYouViewed => shelves::because_you_viewed::propose(ctx, want),
            ShelfKind::Similar => shelves::similar::propose(ctx, want)?,
            ShelfKind::VisuallySimilar => shelves::visually_similar::propose(ctx, want)?,
            ShelfKind::BoughtTogether => shelves::bought_together::propose(ctx, want)?,
            ShelfKind::Trending => shelves::trending::overall(ctx, want),
            ShelfKind::TrendingInCategories => shelves::trending::in_top_categories(ctx, want),
            ShelfKind::RecentlyViewed => shelves::recently_viewed::propose(ctx, want),
            ShelfKind::NewForYou => shelves::new_for_you::propose(ctx, want),
        };
        Ok((proposal, Vec::new()))
    }
}

/// A candidate with its score scaled to [0, 1] and moved by its rule.
#[derive(Debug, Clone)]
struct Ranked {
    candidate: Candidate,
    /// Where the shelf proposed it (0 = its best): breaks ties of `score` and `nudge`.
    position: u32,
    score: f32,
    /// +1 boosted, −1 buried, 0 neither: breaks score ties (a bury of 1 ends below every item
    /// that is not buried, even the one scaled to 0).
    nudge: i8,
    /// The score parts of a blended shelf's candidate: its explanation is made from them once
    /// the shelf's items are chosen (its `explanation` holds only a rule, if any, until then).
    parts: Option<Recommendation>,
}

/// A pinned item and its 1-based position.
type Pinned = (u32, Ranked);

/// The shelf from `proposal` (see the module docs), and its items' indices. `parts` are the
/// score parts of a blended shelf's candidates, in the order of `proposal.candidates` (empty
/// for other shelves).
fn finish<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, req: &Resolved, proposal: Proposal, parts: Vec<Recommendation>) -> (Shelf, Vec<u32>) {
    let mut candidates = eligible(ctx, proposal.candidates, parts);
    if req.kind.fills_up() {
        fill_up(ctx, &mut candidates, req.k, req.max_per_category);
    }
    let index = RuleIndex::new(ctx.pack, &req.rules);
    let ranked = apply_rules(ctx, &index, candidates);
    let (pinned, ranked) = take_pins(ctx, &req.rules, &index, ranked);
    let free = req.k.saturating_sub(pinned.len().min(req.k));
    let mut picked = select(ctx, ranked, &pinned, free, req);
    if let Some(explore) = req.explore {
        add_exploration(ctx, &mut picked, &pinned, free, req.k, explore);
    }
    let items = place_pins(picked, pinned, req.k);
    let indices = items.iter().map(|r| r.candidate.item).collect();
    let explainer = Explainer::new(ctx.pack, ctx.profile, ctx.history, ctx.suppressions);
    let shelf = Shelf {
        kind: req.kind,
        title: req.title.clone().unwrap_or(proposal.title),
        personalized: proposal.personalized,
        items: items.into_iter().map(|r| explained(ctx, &explainer, r)).collect(),
    };
    (shelf, indices)
}

/// Step 1: The candidates that may appear, once each (the first occurrence wins), with their
/// score parts.
fn eligible<B: AsRef<[u8]>>(
    ctx: &ShelfContext<'_, B>,
    candidates: Vec<Candidate>,
    parts: Vec<Recommendation>,
) -> Vec<(Candidate, Option<Recommendation>)> {
    let mut out = Vec::with_capacity(candidates.len());
    let mut seen: Vec<u32> = Vec::new(); // sorted
    for (c, p) in candidates.into_iter().zip(parts.into_iter().map(Some).chain(std::iter::repeat(None))) {
        if ctx.allows(c.item) {
            if let Err(at) = seen.binary_search(&c.item) {
                seen.insert(at, c.item);
                out.push((c, p));
            }
        }
    }
    out
}

/// Step 2: Tops the shelf up from trending, below every candidate it had, until `k` of its
/// candidates can be shown: with `maxPerCategory`, the items over a category's cap do not count
/// (the pick drops them), so the fill-up takes items of other categories.
fn fill_up<B: AsRef<[u8]>>(
    ctx: &ShelfContext<'_, B>,
    candidates: &mut Vec<(Candidate, Option<Recommendation>)>,
    k: usize,
    max_per_category: Option<usize>,
) {
    let cap = max_per_category.unwrap_or(usize::MAX);
    let slot = |i: u32| ctx.pack.category_index(i).map_or(0, |c| c as usize + 1);
    let mut per_category = vec![0usize; ctx.pack.category_count() as usize + 1];
    let mut usable = 0;
    for (c, _) in candidates.iter() {
        let n = &mut per_category[slot(c.item)];
        usable += usize::from(*n < cap);
        *n += 1;
    }
    if usable >= k {
        return;
    }
    let floor = candidates.iter().map(|c| c.0.score).fold(f32::INFINITY, f32::min);
    let floor = if floor.is_finite() { floor } else { 0.0 };
    for mut c in shelves::trending::overall(ctx, 2 * k).candidates {
        if usable >= k {
            break;
        }
        let n = &mut per_category[slot(c.item)];
        if *n < cap && !candidates.iter().any(|o| o.0.item == c.item) {
            *n += 1;
            usable += 1;
            c.score = floor - 1.0 + 0.5 * c.score.clamp(0.0, 1.0);
            candidates.push((c, None));
        }
    }
}

/// Step 3: Scales the scores to [0, 1], applies each item's winning boost or bury, and sorts (ties
/// keep the shelf's own order).
fn apply_rules<B: AsRef<[u8]>>(
    ctx: &ShelfContext<'_, B>,
    rules: &RuleIndex,
    candidates: Vec<(Candidate, Option<Recommendation>)>,
) -> Vec<Ranked> {
    let (lo, hi) = candidates.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), c| (lo.min(c.0.score), hi.max(c.0.score)));
    let scale = |s: f32| if hi > lo { (s - lo) / (hi - lo) } else { 1.0 };
    let mut ranked: Vec<Ranked> = candidates
        .into_iter()
        .enumerate()
        .map(|(position, (candidate, parts))| {
            let mut r = Ranked { score: scale(candidate.score), position: position as u32, candidate, nudge: 0, parts };
            let Some(rule) = rules.winning(ctx.pack, r.candidate.item) else { return r };
            match rule.action {
                RuleAction::Boost(w) => (r.score, r.nudge) = (r.score + w, 1),
                RuleAction::Bury(w) => (r.score, r.nudge) = (r.score - w, -1),
                RuleAction::Pin(_) => return r,
            }
            r.candidate.explanation.evidence.rule = Some(rule.label());
            r
        })
        .collect();
    crate::order::sort_by(&mut ranked, &|a, b| b.score.total_cmp(&a.score).then(b.nudge.cmp(&a.nudge)).then(a.position.cmp(&b.position)));
    ranked
}

/// Step 4: Takes the pinned items out of `ranked` (or adds them when the shelf did not rank them),
/// strongest rule first; an item's own winning rule must be the pin, and filters always win.
fn take_pins<B: AsRef<[u8]>>(
    ctx: &ShelfContext<'_, B>,
    rules: &[Rule],
    index: &RuleIndex,
    mut ranked: Vec<Ranked>,
) -> (Vec<Pinned>, Vec<Ranked>) {
    let pack = ctx.pack;
    let mut pin_rules: Vec<(usize, Rule)> =
        rules.iter().copied().enumerate().filter(|(_, r)| matches!(r.action, RuleAction::Pin(_))).collect();
    crate::order::sort_by(&mut pin_rules, &|(a, ra), (b, rb)| precedence(rb).cmp(&precedence(ra)).then(a.cmp(b)));
    let mut pinned: Vec<Pinned> = Vec::new();
    // Per category: how far its pins have walked the category's trend order.
    let mut cursors: Vec<usize> = Vec::new();
    for (_, rule) in &pin_rules {
        let rule = *rule;
        let RuleAction::Pin(position) = rule.action else { continue };
        let is_pinned = |pinned: &[Pinned], i: u32| pinned.iter().any(|p| p.1.candidate.item == i);
        let target = match rule.target {
            RuleTarget::Item(i) => Some(i),
            RuleTarget::Category(c) => ranked
                .iter()
                .map(|r| r.candidate.item)
                .find(|&i| pack.category_index(i) == Some(c) && !is_pinned(&pinned, i))
                .or_else(|| best_of_category(ctx, c, &pinned, &mut cursors)),
        };
        let Some(item) = target else { continue };
        if !ctx.allows(item) || is_pinned(&pinned, item) {
            continue; // filters always win; an item is pinned once
        }
        if index.winning(pack, item) != Some(rule) && matches!(rule.target, RuleTarget::Item(_)) {
            continue; // a stronger rule (e.g. a call-time bury) decides this item
        }
        let mut entry = match ranked.iter().position(|r| r.candidate.item == item) {
            Some(at) => ranked.remove(at),
            None => Ranked {
                position: u32::MAX,
                score: 1.0,
                nudge: 0,
                candidate: Candidate {
                    item,
                    score: 1.0,
                    explanation: Explanation::new(Reason::Pinned, "Featured by the shop", Evidence::default()),
                },
                parts: None,
            },
        };
        entry.candidate.explanation.evidence.rule = Some(rule.label());
        pinned.push((position, entry));
    }
    (pinned, ranked)
}

/// Step 5: Picks `free` items greedily by maximal marginal relevance under the category cap (pins
/// count towards the cap). Each candidate's redundancy (its highest cosine to an item already
/// picked) is updated once per pick, so a shelf costs O(k · candidates · dim). Without
/// diversity the best remaining candidate is always the first one in `pool`'s order (sorted by
/// score by [`apply_rules`]) whose category is under the cap, and a category once capped stays
/// capped, so one pass in order picks the same items ([`select_in_order`]).
fn select<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, pool: Vec<Ranked>, pinned: &[Pinned], free: usize, req: &Resolved) -> Vec<Ranked> {
    let pack = ctx.pack;
    let category = |r: &Ranked| pack.category_index(r.candidate.item).map(|c| c as usize);
    let mut per_category = vec![0usize; pack.category_count() as usize];
    for c in pinned.iter().filter_map(|p| category(&p.1)) {
        per_category[c] += 1;
    }
    let cap = req.max_per_category.unwrap_or(usize::MAX);
    if req.diversity <= 0.0 {
        return select_in_order(pool, free, |r| category(r).is_none_or(|c| take_one(&mut per_category[c], cap)));
    }
    let vectors: Vec<Vec<f32>> = pool.iter().map(|r| vector::unit_vector(pack, r.candidate.item)).collect();
    // The highest cosine of each candidate to the items picked so far (none yet: no penalty).
    let mut redundancy: Vec<Option<f32>> = vec![None; pool.len()];
    let mut used = vec![false; pool.len()];
    let mut picked: Vec<Ranked> = Vec::new();
    while picked.len() < free {
        let mut best: Option<(usize, f32)> = None;
        for (idx, r) in pool.iter().enumerate() {
            if used[idx] || category(r).is_some_and(|c| per_category[c] >= cap) {
                continue;
            }
            let value = match redundancy[idx] {
                Some(red) => (1.0 - req.diversity) * r.score - req.diversity * red,
                None => r.score,
            };
            if best.is_none_or(|(_, b)| value > b) {
                best = Some((idx, value));
            }
        }
        let Some((idx, _)) = best else { break };
        used[idx] = true;
        if let Some(c) = category(&pool[idx]) {
            per_category[c] += 1;
        }
        for (j, red) in redundancy.iter_mut().enumerate().filter(|(j, _)| !used[*j]) {
            let cos = cosine(&vectors[idx], &vectors[j]);
            *red = Some(red.map_or(cos, |r| r.max(cos)).max(0.0));
        }
        picked.push(pool[idx].clone());
    }
    picked
}

/// The first `free` candidates of `pool` that `fits` accepts (called once per candidate, in
/// order, until `free` are picked).
fn select_in_order(pool: Vec<Ranked>, free: usize, mut fits: impl FnMut(&Ranked) -> bool) -> Vec<Ranked> {
    let mut picked = Vec::with_capacity(free.min(pool.len()));
    for r in pool {
        if picked.len() >= free {
            break;
        }
        if fits(&r) {
            picked.push(r);
        }
    }
    picked
}

/// Counts one more item of a category that has `count` of at most `cap`; false when it is full.
fn take_one(count: &mut usize, cap: usize) -> bool {
    let room = *count < cap;
    *count += usize::from(room);
    room
}

/// Step 6: Replaces the last picked items by the exploration slots (at most a quarter of the shelf).
fn add_exploration<B: AsRef<[u8]>>(
    ctx: &ShelfContext<'_, B>,
    picked: &mut Vec<Ranked>,
    pinned: &[Pinned],
    free: usize,
    k: usize,
    request: ExploreRequest,
) {
    let slots = explore::slot_limit(k, request.slots.unwrap_or(1));
    if slots == 0 {
        return;
    }
    let arms = exploration_arms(ctx, picked, pinned);
    let chosen = explore::choose(&arms, slots, request.seed);
    picked.truncate(free.saturating_sub(chosen.len()).min(picked.len()));
    for (arm, draw) in chosen {
        let explanation = Explanation::new(
            Reason::Exploration,
            "Something new to try",
            Evidence { similarity: Some(arm.relevance), ..Evidence::default() },
        );
        picked.push(Ranked {
            position: u32::MAX,
            score: 0.0,
            nudge: 0,
            candidate: Candidate { item: arm.item, score: draw as f32, explanation },
            parts: None,
        });
    }
}

/// Step 7: Puts the pins at their positions (pins for the same position keep their rule order) and
/// cuts the shelf to `k`.
fn place_pins(mut items: Vec<Ranked>, pinned: Vec<Pinned>, k: usize) -> Vec<Ranked> {
    let mut pinned: Vec<(u32, usize, Ranked)> =
        pinned.into_iter().enumerate().map(|(order, (position, entry))| (position, order, entry)).collect();
    crate::order::sort_by(&mut pinned, &|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    for (position, _, entry) in pinned {
        let at = (position as usize).saturating_sub(1).min(items.len());
        items.insert(at, entry);
    }
    items.truncate(k);
    items
}

/// Step 8: The shelf item of `r`: a blended candidate is explained from its score parts now (its
/// rule label kept).
fn explained<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, explainer: &Explainer<'_, B>, r: Ranked) -> ShelfItem {
    let mut explanation = r.candidate.explanation;
    if let Some(parts) = &r.parts {
        let rule = explanation.evidence.rule.take();
        explanation = explainer.explain(parts);
        explanation.evidence.rule = rule;
    }
    ShelfItem::new(ctx.pack, r.candidate.item, r.score, explanation)
}

fn precedence(rule: &Rule) -> (u8, u8) {
    (u8::from(rule.source == RuleSource::Page), u8::from(matches!(rule.target, RuleTarget::Item(_))))
}

/// Where a category pin finds its item when the shelf did not rank one: the best trending
/// eligible item of category `c` not pinned yet (ties: the lower index). Walks the category's
/// items in the pack's trend order (kept with the engine) from `cursors[c]`, where the shelf's
/// earlier pins of `c` stopped (the items before it are not eligible or already pinned, and
/// stay so), so all the pins of a shelf together read each item at most once: never a catalog
/// scan or sort per pin.
fn best_of_category<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, c: u32, pinned: &[Pinned], cursors: &mut Vec<usize>) -> Option<u32> {
    let items = ctx.trend_order.of(ctx.pack, c);
    if cursors.len() <= c as usize {
        cursors.resize(c as usize + 1, 0);
    }
    let from = cursors[c as usize].min(items.len());
    let found = items[from..].iter().position(|&i| ctx.allows(i) && !pinned.iter().any(|p| p.1.candidate.item == i));
    cursors[c as usize] = found.map_or(items.len(), |at| from + at);
    found.map(|at| items[from + at])
}

/// Under-exposed eligible items not on the shelf, with their relevance to the shelf (cosine
/// to the centroid of its items, clamped to [0, 1]) and exposure.
fn exploration_arms<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, picked: &[Ranked], pinned: &[Pinned]) -> Vec<Arm> {
    let pack = ctx.pack;
    let on_shelf: Vec<u32> = picked.iter().map(|r| r.candidate.item).chain(pinned.iter().map(|p| p.1.candidate.item)).collect();
    let centre = vector::centroid(pack, &on_shelf);
    let cold = ctx.under_exposed.of(pack);
    let mut shown = on_shelf;
    shown.sort_unstable();
    let mut unit = vec![0.0f32; pack.dim()];
    (0..pack.item_count())
        .filter(|&i| cold.get(i as usize).copied().unwrap_or(false) && ctx.allows(i) && shown.binary_search(&i).is_err())
        .map(|i| {
            vector::unit_vector_into(pack, i, &mut unit);
            Arm { item: i, relevance: cosine(&centre, &unit).clamp(0.0, 1.0), exposure: signals::exposure(pack, i) }
        })
        .collect()
}
