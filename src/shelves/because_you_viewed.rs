//! "Because you viewed X": neighbours of the item the shopper viewed most recently (other
//! than the product on the page), naming it. Without views: the page's context, else trending.

use super::{from_context, signals, trending, Candidate, ContextUse, Proposal, ShelfContext};
use crate::explain::{Evidence, Explanation, ItemRef, Reason};

/// The anchor: the latest viewed item that is not on the page and not a removed interest.
pub fn anchor<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>) -> Option<u32> {
    ctx.history.views.iter().map(|v| v.item).find(|&i| Some(i) != ctx.item && !ctx.suppressions.hides(ctx.pack, i))
}

/// The shelf.
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Proposal {
    let pack = ctx.pack;
    let Some(x) = anchor(ctx) else {
        if let Some(candidates) = from_context(ctx, want, ContextUse::All) {
            return Proposal { title: "You might like".to_owned(), personalized: false, candidates };
        }
        return trending::overall(ctx, want);
    };
    let viewed = ctx.history.views.iter().find(|v| v.item == x).map_or(1, |v| v.count);
    let candidates = signals::neighbours(pack, x, want, |i| ctx.allows(i))
        .into_iter()
        .map(|(i, sim, source)| Candidate {
            item: i,
            score: signals::neighbour_score(sim, source),
            explanation: Explanation::new(
                Reason::Viewed,
                format!("Because you viewed {}", pack.title(x)),
                Evidence { item: Some(ItemRef::of(pack, x)), similarity: Some(sim), count: Some(viewed), ..Evidence::default() },
            ),
        })
        .collect();
    Proposal { title: format!("Because you viewed {}", pack.title(x)), personalized: true, candidates }
}
