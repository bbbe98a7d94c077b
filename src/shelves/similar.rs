//! "Similar items": neighbours of the product on the page.

use super::signals::{self, NeighbourSource};
use super::{Candidate, Proposal, ShelfContext};
use crate::error::CoreError;
use crate::explain::{Evidence, Explanation, ItemRef, Reason};
use crate::pack::Pack;

/// Neighbours of `anchor` (stored first, visual for a new item, then by embedding), explained
/// as "Similar to X" ("Looks like X" for the visual ones).
pub fn neighbours_of<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, anchor: u32, want: usize) -> Vec<Candidate> {
    let pack = ctx.pack;
    signals::neighbours(pack, anchor, want, |i| ctx.allows(i))
        .into_iter()
        .map(|(i, sim, source)| {
            let reason = if source == NeighbourSource::Visual { Reason::VisuallySimilar } else { Reason::Similar };
            neighbour_candidate(pack, anchor, (i, signals::neighbour_score(sim, source), sim), reason)
        })
        .collect()
}

/// Item `i` (with its score and similarity) as a neighbour of `anchor`: "Similar to X", or
/// "Looks like X" for [`Reason::VisuallySimilar`], with the similarity as evidence.
pub fn neighbour_candidate<B: AsRef<[u8]>>(pack: &Pack<B>, anchor: u32, (i, score, sim): (u32, f32, f32), reason: Reason) -> Candidate {
    let text = if reason == Reason::VisuallySimilar { "Looks like" } else { "Similar to" };
    Candidate {
        item: i,
        score,
        explanation: Explanation::new(
            reason,
            format!("{text} {}", pack.title(anchor)),
            Evidence { item: Some(ItemRef::of(pack, anchor)), similarity: Some(sim), ..Evidence::default() },
        ),
    }
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
