//! The shelves: each one turns the shopper's events, the page's context and the pack into an
//! ordered list of candidates with explanations. One file per shelf; [`page`](crate::page)
//! applies filters, rules, de-duplication, diversity and exploration on top.

pub mod because_you_viewed;
pub mod bought_together;
pub mod buy_again;
pub mod for_you;
pub mod history;
pub mod new_for_you;
pub mod recently_viewed;
pub mod search;
pub mod signals;
pub mod similar;
pub mod trending;
pub mod visually_similar;

use crate::explain::Explanation;
use crate::pack::Pack;
use crate::profile::{Profile, Suppressions};
use crate::rules::Filters;

pub use history::History;

/// An item a shelf proposes, with its score (comparable within the shelf) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Item index.
    pub item: u32,
    /// Score, higher is better.
    pub score: f32,
    /// Why.
    pub explanation: Explanation,
}

/// What a shelf proposes: its title, whether it used the shopper's own events, the candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Title to show.
    pub title: String,
    /// Whether it used the shopper's own events.
    pub personalized: bool,
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
}

/// Everything a shelf may look at.
#[derive(Debug)]
pub struct ShelfContext<'a, B: AsRef<[u8]>> {
    /// The pack.
    pub pack: &'a Pack<B>,
    /// What the events say (cart, purchases, views, searches).
    pub history: &'a History,
    /// The profile as of `now_ms`.
    pub profile: &'a Profile,
    /// Interests the shopper removed.
    pub suppressions: &'a Suppressions,
    /// Now, ms since 1970.
    pub now_ms: i64,
    /// The product on the page.
    pub item: Option<u32>,
    /// The category the page shows.
    pub category: Option<u32>,
    /// The search text of the page, or else the latest search of the session.
    pub query: Option<String>,
    /// Items in the cart: the page's list, or else the cart the events describe.
    pub cart: Vec<u32>,
    /// The request's filters.
    pub filters: &'a Filters,
    /// Items that may not appear (the request's exclusions, earlier shelves of the page),
    /// sorted.
    pub blocked: &'a [u32],
    /// The pack's under-exposed items (computed when first needed).
    pub under_exposed: &'a signals::UnderExposed,
    /// The pack's items by trend, overall and by category (trending shelves, fill-up, category pins), computed when first needed.
    pub trend_order: &'a signals::TrendOrder,
}

impl<B: AsRef<[u8]>> ShelfContext<'_, B> {
    /// Whether item `i` may appear: in the catalog, not the product on the page, not
    /// blocked, and through the filters. Checked when asked, so a shelf pays for the items
    /// it looks at, not for the whole catalog.
    pub fn allows(&self, i: u32) -> bool {
        i < self.pack.item_count()
            && Some(i) != self.item
            && self.blocked.binary_search(&i).is_err()
            && self.filters.allows(self.pack, i, self.history.in_cart(i), self.history.purchased(i))
    }
}

use crate::explain::{Evidence, ItemRef, Reason};
use crate::limits::MAX_QUOTED_QUERY_CHARS;
use crate::vector::cosine_of;

/// Items the shopper interacted with recently (the cart, then views, clicks and purchases,
/// latest first), distinct, leaving out removed interests: at most `n`.
pub fn recent_items<B: AsRef<[u8]>>(pack: &Pack<B>, history: &History, suppressions: &Suppressions, n: usize) -> Vec<u32> {
    let mut seen: Vec<(u32, i64)> = history.views.iter().map(|v| (v.item, v.last_ts_ms)).collect();
    seen.extend(history.purchases.iter().map(|p| (p.item, p.last_ts_ms)));
    crate::order::sort_by(&mut seen, &|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<u32> = Vec::new();
    for i in history.cart.iter().copied().chain(seen.into_iter().map(|(i, _)| i)) {
        if n == 0 {
            break;
        }
        if !out.contains(&i) && !suppressions.hides(pack, i) {
            out.push(i);
            if out.len() == n {
                break;
            }
        }
    }
    out
}

/// A few anchor items (the shopper's recent items, the items a search matched) with their
/// unit embeddings, computed once per shelf rather than once per shelf item.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchors {
    items: Vec<u32>,
    /// The unit vectors, dimension-major: value `j` of anchor `a` at `j · items.len() + a`, so
    /// that one pass over an item's vector updates the dot products of every anchor.
    vectors: Vec<f32>,
    /// Σ x² of each unit vector, in index order.
    squares: Vec<f32>,
    dim: usize,
}

impl Anchors {
    /// The anchors `items` of `pack`.
    pub fn of<B: AsRef<[u8]>>(pack: &Pack<B>, items: &[u32]) -> Anchors {
        let (dim, count) = (pack.dim(), items.len());
        let mut vectors = vec![0.0f32; dim * count];
        let mut squares = vec![0.0f32; count];
        let mut v = vec![0.0f32; dim];
        for (a, &i) in items.iter().enumerate() {
            crate::vector::unit_vector_into(pack, i, &mut v);
            for (j, &x) in v.iter().enumerate() {
                vectors[j * count + a] = x;
                squares[a] += x * x;
            }
        }
        Anchors { items: items.to_vec(), vectors, squares, dim }
    }

    /// The anchor (other than `i` itself) whose embedding is closest to item `i`, with the
    /// cosine ([`cosine`](crate::vector::cosine), to the bit); ties go to the earlier anchor.
    pub fn closest<B: AsRef<[u8]>>(&self, pack: &Pack<B>, i: u32) -> Option<(u32, f32)> {
        let count = self.items.len();
        if count == 0 {
            return None;
        }
        let mut v = vec![0.0f32; self.dim];
        crate::vector::unit_vector_into(pack, i, &mut v);
        // Every anchor's dot product is summed in index order, as `cosine` sums it; the anchors
        // are independent sums, side by side.
        let mut dots = vec![0.0f32; count];
        let mut square = 0.0f32;
        for (&x, column) in v.iter().zip(self.vectors.chunks_exact(count)) {
            square += x * x;
            for (dot, &y) in dots.iter_mut().zip(column) {
                *dot += x * y;
            }
        }
        self.items
            .iter()
            .zip(dots.iter().zip(&self.squares))
            .filter(|&(&r, _)| r != i)
            .map(|(&r, (&dot, &nb))| (r, cosine_of(dot, square, nb)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }
}

/// `query` quoted for an explanation's text: “…”, cut to [`MAX_QUOTED_QUERY_CHARS`] characters
/// with a final `…` when longer.
pub fn quote(query: &str) -> String {
    let shown = crate::limits::cut(query, MAX_QUOTED_QUERY_CHARS);
    if shown.len() < query.len() {
        format!("“{shown}…”")
    } else {
        format!("“{shown}”")
    }
}

/// Which context a cold-start shelf may start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextUse {
    /// The product on the page, the search, the category.
    All,
    /// The search and the category only (the product on the page is only left out: "for
    /// you" does not turn into a second "similar items" shelf).
    SearchOrCategory,
}

/// Candidates from the page's context alone (cold start): neighbours of the product on the
/// page, else items matching the search text and their neighbours, else the category's
/// trending items. `None` without any (usable) context.
pub fn from_context<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize, using: ContextUse) -> Option<Vec<Candidate>> {
    let pack = ctx.pack;
    if let (Some(anchor), ContextUse::All) = (ctx.item, using) {
        return Some(similar::neighbours_of(ctx, anchor, want));
    }
    if let Some(query) = ctx.query.as_deref() {
        // The text quotes at most MAX_QUOTED_QUERY_CHARS of it, so explanations stay short.
        let quoted = quote(query);
        // A removed interest stays out even when an earlier search matches it.
        let fits = |i: u32| ctx.allows(i) && !ctx.suppressions.hides(pack, i);
        let matched = search::matching_items(pack, query, want, fits);
        if !matched.is_empty() {
            let seeds: Vec<u32> = matched.iter().take(5).map(|m| m.0).collect();
            let mut out: Vec<Candidate> = matched
                .iter()
                .map(|&(i, share)| Candidate {
                    item: i,
                    score: 1.0 + share,
                    explanation: Explanation::new(
                        Reason::Search,
                        format!("Matches your search {quoted}"),
                        Evidence { query: Some(query.to_owned()), share: Some(share), ..Evidence::default() },
                    ),
                })
                .collect();
            if out.len() < want {
                let have: Vec<u32> = out.iter().map(|c| c.item).collect();
                let near =
                    signals::nearest(pack, &crate::vector::centroid(pack, &seeds), want - have.len(), |i| !have.contains(&i) && fits(i));
                let anchors = Anchors::of(pack, &seeds);
                out.extend(near.into_iter().map(|(i, sim)| {
                    let (seed, _) = anchors.closest(pack, i).unwrap_or((seeds[0], sim));
                    Candidate {
                        item: i,
                        score: sim,
                        explanation: Explanation::new(
                            Reason::Search,
                            format!("Like {}, which matches your search {quoted}", pack.title(seed)),
                            Evidence {
                                item: Some(ItemRef::of(pack, seed)),
                                query: Some(query.to_owned()),
                                similarity: Some(sim),
                                ..Evidence::default()
                            },
                        ),
                    }
                }));
            }
            return Some(out);
        }
    }
    ctx.category.map(|c| trending::in_category(ctx, c, want, None))
}
