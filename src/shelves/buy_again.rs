//! "Buy again": the shopper's own purchases, by purchase count decayed with a 30-day half-life.

use super::{Candidate, Proposal, ShelfContext};
use crate::explain::{times, Evidence, Explanation, Reason};

/// The shelf (empty without purchases; the page fills it from trending).
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Proposal {
    let mut candidates: Vec<Candidate> = ctx
        .history
        .purchases
        .iter()
        .filter(|p| !ctx.suppressions.hides(ctx.pack, p.item) && ctx.allows(p.item))
        .map(|p| Candidate {
            item: p.item,
            score: p.decayed,
            explanation: Explanation::new(
                Reason::BoughtBefore,
                format!("You bought this {}", times(p.orders)),
                Evidence { count: Some(p.orders), ..Evidence::default() },
            ),
        })
        .collect();
    crate::order::sort_by(&mut candidates, &|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    candidates.truncate(want);
    Proposal { title: "Buy again".to_owned(), personalized: !candidates.is_empty(), candidates }
}
