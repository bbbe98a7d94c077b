//! "Trending": items whose demand is rising, shop-wide or within the shopper's top categories.

use super::{signals, Candidate, Proposal, ShelfContext};
use crate::explain::{Evidence, Explanation, Reason};

/// The best `want` items of `order` (items by trending score, [`signals::TrendOrder`]) that the
/// shelf allows, with their trending scores: the first ones, so a shelf reads the items down to
/// its last pick, not the catalog.
fn top_by_trend<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, order: &[u32], want: usize) -> Vec<(u32, f32)> {
    order
        .iter()
        .filter(|&&i| ctx.allows(i))
        .map(|&i| (i, signals::trending_score(ctx.pack, i)))
        .filter(|&(_, t)| t > f32::NEG_INFINITY) // not NaN
        .take(want)
        .collect()
}

/// "Selling faster: about 40 a week, up from 25" when the pack's sales rates say item `i` sold
/// about one a week or more recently and is forecast to sell faster (rounded to whole units),
/// else `fallback`; with the rates and the stored trend as evidence.
fn selling_faster<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, i: u32, fallback: String, evidence: Evidence) -> (String, Evidence) {
    match ctx.pack.sales_rate(i) {
        Some(rate) => {
            let evidence = Evidence { forecast_per_week: Some(rate.forecast), recent_per_week: Some(rate.recent), ..evidence };
            let (forecast, recent) = (rate.forecast.round(), rate.recent.round());
            let text = if recent >= 1.0 && forecast > recent {
                format!("Selling faster: about {forecast} a week, up from {recent}")
            } else {
                fallback
            };
            (text, evidence)
        }
        None => (fallback, evidence),
    }
}

/// The shop-wide trending shelf.
pub fn overall<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Proposal {
    let candidates = top_by_trend(ctx, ctx.trend_order.all(ctx.pack), want)
        .into_iter()
        .map(|(i, t)| {
            let evidence = Evidence { share: signals::stored_trend(ctx.pack, i), ..Evidence::default() };
            let (text, evidence) = selling_faster(ctx, i, "Trending now".to_owned(), evidence);
            Candidate { item: i, score: t, explanation: Explanation::new(Reason::Trending, text, evidence) }
        })
        .collect();
    Proposal { title: "Trending now".to_owned(), personalized: false, candidates }
}

/// Trending items of category `c`; `attention` is the category's share of the shopper's
/// attention when it is one of their top categories.
pub fn in_category<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, c: u32, want: usize, attention: Option<f32>) -> Vec<Candidate> {
    let pack = ctx.pack;
    let name = pack.category_name(c).to_owned();
    top_by_trend(ctx, ctx.trend_order.of(pack, c), want)
        .into_iter()
        .map(|(i, t)| {
            let evidence =
                Evidence { category: Some(name.clone()), share: attention.or(signals::stored_trend(pack, i)), ..Evidence::default() };
            let (text, evidence) = selling_faster(ctx, i, format!("Trending in {name}"), evidence);
            let reason = if attention.is_some() { Reason::TrendingInCategory } else { Reason::Category };
            Candidate { item: i, score: t, explanation: Explanation::new(reason, text, evidence) }
        })
        .collect()
}

/// Trending within the shopper's top categories (up to three with at least 10 % of the
/// attention), interleaved by score weighted with each category's share; without a profile,
/// within the page's category; else shop-wide.
pub fn in_top_categories<B: AsRef<[u8]>>(ctx: &ShelfContext<'_, B>, want: usize) -> Proposal {
    let tops: Vec<(u32, f32)> = ctx
        .profile
        .top_category_indices(3)
        .into_iter()
        .filter(|&(c, share)| share >= 0.1 && !ctx.suppressions.categories.contains(&c))
        .collect();
    if tops.is_empty() {
        let page_category = ctx.category.or_else(|| ctx.item.and_then(|i| ctx.pack.category_index(i)));
        return match page_category {
            Some(c) => Proposal {
                title: format!("Trending in {}", ctx.pack.category_name(c)),
                personalized: false,
                candidates: in_category(ctx, c, want, None),
            },
            None => overall(ctx, want),
        };
    }
    let mut candidates: Vec<Candidate> = Vec::new();
    for &(c, share) in &tops {
        candidates.extend(in_category(ctx, c, want, Some(share)).into_iter().map(|mut cand| {
            cand.score *= 0.5 + share;
            cand
        }));
    }
    crate::order::sort_by(&mut candidates, &|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    candidates.truncate(want);
    let names: Vec<&str> = tops.iter().map(|&(c, _)| ctx.pack.category_name(c)).collect();
    Proposal { title: format!("Trending in {}", names.join(", ")), personalized: true, candidates }
}
