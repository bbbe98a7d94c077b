//! "Similar items": neighbours of the product on the page.

use super::{signals, Candidate, Proposal, ShelfContext};
use crate::error::CoreError;
use crate::explain::{Evidence, Explanation, ItemRef, Reason};

/// Neighbours of `anchor` (stored first, then by embedding), explained as "Similar to X".
pub fn neighbours_of<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, anchor: u32, want: usize) -> Vec<Candidate> {
    let pack = ctx.pack;
    signals::neighbours(pack, anchor, want, |i| ctx.allows(i))
        .into_iter()
        .map(|(i, sim, stored)| Candidate {
            item: i,
            score: signals::neighbour_score(sim, stored),
            explanation: Explanation::new(
                Reason::Similar,
                format!("Similar to {}", pack.title(anchor)),
                Evidence { item: Some(ItemRef::of(pack, anchor)), similarity: Some(sim), ..Evidence::default() },
            ),
        })
        .collect()
}

/// The shelf; needs the product on the page (`missing_context` otherwise).
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Result<Proposal, CoreError> {
    let anchor = ctx.item.ok_or(CoreError::MissingContext { shelf: "similar", needs: "the product on the page (item)" })?;
    Ok(Proposal {
        title: format!("Similar to {}", ctx.pack.title(anchor)),
        personalized: false,
        candidates: neighbours_of(ctx, anchor, want),
    })
}
