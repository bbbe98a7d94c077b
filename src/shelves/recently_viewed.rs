//! "Recently viewed": what the shopper viewed or clicked, latest first (not the product on
//! the page, not removed interests, not items bought since their latest view: those belong to
//! "Buy again").

use super::{Candidate, Proposal, ShelfContext};
use crate::explain::{times, Evidence, Explanation, Reason};

/// The shelf (empty without views; the page fills it from trending).
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Proposal {
    let candidates: Vec<Candidate> = ctx
        .history
        .views
        .iter()
        .filter(|v| Some(v.item) != ctx.item && !v.bought_since && !ctx.suppressions.hides(ctx.pack, v.item) && ctx.allows(v.item))
        .take(want)
        .enumerate()
        .map(|(rank, v)| Candidate {
            item: v.item,
            score: -(rank as f32),
            explanation: Explanation::new(
                Reason::RecentlyViewed,
                format!("You viewed this {}", times(v.count)),
                Evidence { count: Some(v.count), ..Evidence::default() },
            ),
        })
        .collect();
    Proposal { title: "Recently viewed".to_owned(), personalized: !candidates.is_empty(), candidates }
}
