//! "New for you": items few shoppers have interacted with yet (at or below the catalog's 25th
//! percentile of exposure), found through their content vectors: the nearest to the shopper's
//! session interest (or long-term interest, or the page's context).

use super::{recent_items, signals, Anchors, Candidate, Proposal, ShelfContext};
use crate::explain::{Evidence, Explanation, ItemRef, Reason};

/// The shelf.
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Proposal {
    let pack = ctx.pack;
    let cold = ctx.under_exposed.of(pack);
    let is_cold = |i: u32| cold.get(i as usize).copied().unwrap_or(false);
    let profile = ctx.profile;
    let zero = |v: &[f32]| v.iter().all(|&x| x == 0.0);
    let (vector, personalized, anchors): (Vec<f32>, bool, Vec<u32>) = if !zero(&profile.session_interest) {
        (profile.session_interest.clone(), true, recent_items(pack, ctx.history, ctx.suppressions, 20))
    } else if !zero(&profile.interest) {
        (profile.interest.clone(), true, recent_items(pack, ctx.history, ctx.suppressions, 20))
    } else if let Some(i) = ctx.item {
        (crate::vector::unit_vector(pack, i), false, vec![i])
    } else {
        (Vec::new(), false, Vec::new())
    };
    let mut candidates: Vec<Candidate> = Vec::new();
    if !vector.is_empty() {
        let anchors = Anchors::of(pack, &anchors);
        for (i, sim) in signals::nearest(pack, &vector, want, |i| is_cold(i) && ctx.allows(i)) {
            let explanation = match anchors.closest(pack, i) {
                Some((x, s)) => Explanation::new(
                    Reason::New,
                    format!("New to most shoppers, like {}", pack.title(x)),
                    Evidence { item: Some(ItemRef::of(pack, x)), similarity: Some(s.clamp(0.0, 1.0)), ..Evidence::default() },
                ),
                None => Explanation::new(Reason::New, "New to most shoppers", Evidence { similarity: Some(sim), ..Evidence::default() }),
            };
            candidates.push(Candidate { item: i, score: sim, explanation });
        }
    }
    if candidates.is_empty() {
        // No direction to search in: the under-exposed items with the best trend.
        let mut cold_items: Vec<(u32, f32)> =
            (0..pack.item_count()).filter(|&i| is_cold(i) && ctx.allows(i)).map(|i| (i, signals::trending_score(pack, i))).collect();
        crate::order::sort_by(&mut cold_items, &|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates = cold_items
            .into_iter()
            .take(want)
            .map(|(i, t)| Candidate {
                item: i,
                score: t,
                explanation: Explanation::new(
                    Reason::New,
                    "New to most shoppers",
                    Evidence { count: signals::interactions(pack, i), ..Evidence::default() },
                ),
            })
            .collect();
    }
    Proposal { title: "New for you".to_owned(), personalized, candidates }
}
