//! "For you": the engine's personalized ranking (`Engine::rank_for_you`, scored elsewhere),
//! with explanations in the common type; with no usable history, the page's search or
//! category (the product on the page is only left out: the similar shelf covers it).

use super::{closest_recent, Candidate};
use crate::explain::{Evidence, Explanation, ItemRef, Reason};
use crate::pack::Pack;
use crate::profile::Profile;

/// Why a for-you item fits: in the shopper's top category ("You have been looking at X", with
/// the category's share of attention), else the recent item it is closest to ("Close to X,
/// which you viewed", with the cosine). Without a profile: "Popular in this shop".
pub fn explain<B: AsRef<[u8]>>(pack: &Pack<B>, profile: &Profile, recent: &[u32], item: u32) -> Explanation {
    if profile.is_empty() {
        return Explanation::popular();
    }
    let closest = closest_recent(pack, recent, item);
    let evidence_item = closest.map(|(x, _)| ItemRef::of(pack, x));
    let similarity = closest.map(|(_, s)| s.clamp(0.0, 1.0));
    if let Some(&(c, share)) = profile.top_category_indices(1).first() {
        if pack.category_index(item) == Some(c) {
            let name = pack.category_name(c);
            return Explanation::new(
                Reason::TopCategory,
                format!("You have been looking at {name}"),
                Evidence { category: Some(name.to_owned()), share: Some(share), item: evidence_item, similarity, ..Evidence::default() },
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

/// Shelf items of a for-you ranking as candidates (ids the pack does not know are dropped).
pub fn candidates<B: AsRef<[u8]>>(pack: &Pack<B>, shelf: crate::shelf::Shelf) -> Vec<Candidate> {
    shelf
        .items
        .into_iter()
        .filter_map(|s| pack.find_item(&s.card.id).map(|i| Candidate { item: i, score: s.score, explanation: s.explanation }))
        .collect()
}
