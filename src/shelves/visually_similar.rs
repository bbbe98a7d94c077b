//! "Looks like this": the items whose image embeddings (`shelfwise build --image-vectors`) are
//! closest to the product on the page's, explained as "Looks like X".

use super::similar::neighbour_candidate;
use super::{signals, Proposal, ShelfContext};
use crate::error::CoreError;
use crate::explain::Reason;

/// The shelf; needs the product on the page (`missing_context` otherwise) and a pack with
/// image embeddings (`unsupported` otherwise: the pack was built without `--image-vectors`).
/// Only items with an image vector that looks like the product's (similarity > 0) are
/// proposed, and the shelf is not filled up with other items.
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Result<Proposal, CoreError> {
    const SHELF: &str = "visually-similar";
    let anchor = ctx.item.ok_or(CoreError::MissingContext { shelf: SHELF, needs: "the product on the page (item)" })?;
    let pack = ctx.pack;
    if pack.image_dim() == 0 {
        return Err(CoreError::Unsupported { shelf: SHELF, needs: "image embeddings in the pack (shelfwise build --image-vectors)" });
    }
    let candidates = signals::visual_neighbours(pack, anchor, want, &mut |i| ctx.allows(i))
        .into_iter()
        .map(|(i, sim)| neighbour_candidate(pack, anchor, (i, sim, sim), Reason::VisuallySimilar))
        .collect();
    Ok(Proposal { title: format!("Looks like {}", pack.title(anchor)), personalized: false, candidates })
}
