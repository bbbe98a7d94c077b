//! "Frequently bought together": items bought in the same baskets as the product on the page
//! or, without one, the cart. Without stored co-purchase lists it falls back to neighbours.

use std::collections::HashMap;

use super::{signals, similar, Candidate, Proposal, ShelfContext};
use crate::error::CoreError;
use crate::explain::{Evidence, Explanation, ItemRef, Reason};

/// The shelf; needs the product on the page or a non-empty cart (`missing_context` otherwise).
pub fn propose<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Result<Proposal, CoreError> {
    let pack = ctx.pack;
    let anchors: Vec<u32> = match ctx.item {
        Some(i) => vec![i],
        None => ctx.cart.clone(),
    };
    let Some(&first) = anchors.first() else {
        return Err(CoreError::MissingContext { shelf: "bought-together", needs: "the product on the page (item) or items in the cart" });
    };
    // item → (baskets summed over anchors, the anchor it shares most baskets with, its count)
    let mut together: HashMap<u32, (u32, u32, u32)> = HashMap::new();
    for &a in &anchors {
        for (j, baskets) in signals::stored_bought_together(pack, a) {
            if anchors.contains(&j) || !ctx.allows(j) {
                continue;
            }
            let e = together.entry(j).or_insert((0, a, 0));
            e.0 = e.0.saturating_add(baskets);
            if baskets > e.2 {
                e.1 = a;
                e.2 = baskets;
            }
        }
    }
    let mut candidates: Vec<Candidate> = together
        .into_iter()
        .map(|(j, (total, a, _))| Candidate {
            item: j,
            score: total as f32,
            explanation: Explanation::new(
                Reason::BoughtTogether,
                format!("Bought with {} in {} baskets", pack.title(a), total),
                Evidence { item: Some(ItemRef::of(pack, a)), count: Some(total), ..Evidence::default() },
            ),
        })
        .collect();
    crate::order::sort_by(&mut candidates, &|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    candidates.truncate(want);
    let title = if ctx.item.is_some() {
        format!("Frequently bought with {}", pack.title(first))
    } else {
        "Frequently bought with your cart".to_owned()
    };
    if candidates.is_empty() {
        // No co-purchase data for these items: their neighbours, explained as such.
        let per_anchor = want.div_ceil(anchors.len()).max(1);
        let mut out: Vec<Candidate> = Vec::new();
        for &a in &anchors {
            for c in similar::neighbours_of(ctx, a, per_anchor + out.len()) {
                if !anchors.contains(&c.item) && !out.iter().any(|o| o.item == c.item) {
                    out.push(c);
                }
            }
        }
        crate::order::sort_by(&mut out, &|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
        out.truncate(want);
        return Ok(Proposal { title: format!("More like {}", pack.title(first)), personalized: ctx.item.is_none(), candidates: out });
    }
    Ok(Proposal { title, personalized: ctx.item.is_none(), candidates })
}
