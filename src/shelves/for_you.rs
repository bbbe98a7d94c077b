//! "For you" and "discovery": the shelves of the blend ([`crate::blend`]), with their
//! explanations. With no usable history they start from the page's search or category (the
//! product on the page is only left out: the similar shelf covers it). Discovery never shows
//! an item the shopper bought (its filters are fixed so, see [`crate::rules::FilterInput`]).

use std::cell::OnceCell;

use super::{from_context, recent_items, Anchors, Candidate, ContextUse, History, Proposal, ShelfContext};
use crate::blend::Recommendation;
use crate::engine::{Engine, MAX_K};
use crate::explain::{times, Evidence, Explanation, ItemRef, Reason};
use crate::pack::Pack;
use crate::profile::{Profile, Suppressions};
use crate::shelf::ShelfKind;

/// The candidates of a for-you or discovery shelf, best first, with the score parts of each
/// blended candidate in the same order (the page explains only the items it keeps, with
/// [`Explainer`]; until then a candidate's explanation is empty). `want` is at least 1.
pub(crate) fn propose<B: AsRef<[u8]>>(
    engine: &Engine<B>,
    ctx: &ShelfContext<'_, B>,
    kind: ShelfKind,
    want: usize,
) -> (Proposal, Vec<Recommendation>) {
    if ctx.profile.is_empty() {
        if let Some(candidates) = from_context(ctx, want, ContextUse::SearchOrCategory) {
            return (Proposal { title: "You might like".to_owned(), personalized: false, candidates }, Vec::new());
        }
    }
    let (personalized, ranked) = engine.blend_ranked(kind, want.min(MAX_K), ctx.profile, ctx.now_ms, &|i| ctx.allows(i));
    let pending = || Explanation::new(Reason::Popular, String::new(), Evidence::default());
    let candidates = ranked.iter().map(|r| Candidate { item: r.item, score: r.score, explanation: pending() }).collect();
    (Proposal { title: kind.title().to_owned(), personalized, candidates }, ranked)
}

/// Explains the items of one blended shelf. What the explanations share (the shopper's recent
/// items and their embeddings, the top category) is looked up once per shelf, and only when
/// an item's explanation needs it.
#[derive(Debug)]
pub struct Explainer<'a, B: AsRef<[u8]>> {
    pack: &'a Pack<B>,
    profile: &'a Profile,
    history: &'a History,
    suppressions: &'a Suppressions,
    /// The shopper's 20 most recent items ([`recent_items`]) with their unit embeddings.
    recent: OnceCell<Anchors>,
    /// The shopper's top category and its share of attention.
    top_category: OnceCell<Option<(u32, f32)>>,
}

impl<'a, B: AsRef<[u8]>> Explainer<'a, B> {
    /// An explainer for the shopper whose events gave `profile` and `history`.
    pub fn new(pack: &'a Pack<B>, profile: &'a Profile, history: &'a History, suppressions: &'a Suppressions) -> Self {
        Explainer { pack, profile, history, suppressions, recent: OnceCell::new(), top_category: OnceCell::new() }
    }

    /// Why a blended for-you (or discovery) item is there, from its score parts: the signal
    /// that contributed most, with its share of the item's score as evidence. Session: "Because
    /// you viewed X" (X the session item that added most); repeat purchase:
    /// "You have bought this before" (with the purchase count); neighbours: "Goes with X" (X
    /// the source item); embedding: in the shopper's top category ("You have been looking at
    /// X", with the category's share of attention) or "Close to X, which you looked at" (the
    /// recent item nearest by embedding); trend: "Trending now"; else "Popular in this shop".
    pub fn explain(&self, r: &Recommendation) -> Explanation {
        let pack = self.pack;
        let parts = &r.parts;
        let signals =
            [(parts.repeat, 0), (parts.neighbours, 1), (parts.embedding, 2), (parts.trend, 3), (parts.popularity, 4), (parts.session, 5)];
        let best = signals.iter().filter(|c| c.0 > 0.0).max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let share = |part: f32| if r.score > 0.0 { Some((part / r.score).clamp(0.0, 1.0)) } else { None };
        match (best.map(|c| c.1), if best.map(|c| c.1) == Some(5) { parts.session_via } else { parts.neighbour_via }) {
            (Some(0), _) => {
                let orders = self.history.purchases.iter().find(|p| p.item == r.item).map(|p| p.orders);
                let text = match orders {
                    Some(n) => format!("You have bought this {}", times(n)),
                    None => "You have bought this before".to_owned(),
                };
                Explanation::new(Reason::BoughtBefore, text, Evidence { count: orders, share: share(parts.repeat), ..Evidence::default() })
            }
            (Some(5), Some(via)) => Explanation::new(
                Reason::Viewed,
                format!("Because you viewed {}", pack.title(via)),
                Evidence { item: Some(ItemRef::of(pack, via)), share: share(parts.session), ..Evidence::default() },
            ),
            (Some(1), Some(via)) => Explanation::new(
                Reason::Viewed,
                format!("Goes with {}", pack.title(via)),
                Evidence { item: Some(ItemRef::of(pack, via)), share: share(parts.neighbours), ..Evidence::default() },
            ),
            (Some(2), _) => {
                let mut e = self.explain_profile(r.item);
                e.evidence.share = e.evidence.share.or(share(parts.embedding));
                e
            }
            (Some(3), _) => {
                Explanation::new(Reason::Trending, "Trending now", Evidence { share: share(parts.trend), ..Evidence::default() })
            }
            _ => Explanation::popular(),
        }
    }

    /// Why an item fits the shopper's interest vector: in the shopper's top category ("You
    /// have been looking at X", with the category's share of attention), else the recent item
    /// it is closest to ("Close to X, which you looked at", with the cosine). Without a
    /// profile: "Popular in this shop".
    pub fn explain_profile(&self, item: u32) -> Explanation {
        let (pack, profile) = (self.pack, self.profile);
        if profile.is_empty() {
            return Explanation::popular();
        }
        let recent = self.recent.get_or_init(|| Anchors::of(pack, &recent_items(pack, self.history, self.suppressions, 20)));
        let closest = recent.closest(pack, item);
        let evidence_item = closest.map(|(x, _)| ItemRef::of(pack, x));
        let similarity = closest.map(|(_, s)| s.clamp(0.0, 1.0));
        if let Some(&(c, share)) = self.top_category.get_or_init(|| profile.top_category_indices(1).first().copied()).as_ref() {
            if pack.category_index(item) == Some(c) {
                let name = pack.category_name(c);
                return Explanation::new(
                    Reason::TopCategory,
                    format!("You have been looking at {name}"),
                    Evidence {
                        category: Some(name.to_owned()),
                        share: Some(share),
                        item: evidence_item,
                        similarity,
                        ..Evidence::default()
                    },
                );
            }
        }
        match closest {
            Some((x, s)) => Explanation::new(
                Reason::Profile,
                format!("Close to {}, which you looked at", pack.title(x)),
                Evidence { item: evidence_item, similarity: Some(s.clamp(0.0, 1.0)), ..Evidence::default() },
            ),
            None => Explanation::new(Reason::Profile, "Matches what you have viewed", Evidence::default()),
        }
    }
}
