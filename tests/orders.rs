//! The engine's precomputed popularity and trend orders give exactly the scans' answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use shelfwise::blend::{ItemSource, Orders, WithOrders, ORDER_LEN};
use shelfwise::pack::{Pack, PackContents, PackItem};

fn pack(n: u32) -> Vec<u8> {
    // Popularity and trend with many ties and zeros; deterministic.
    let items: Vec<PackItem> = (0..n)
        .map(|i| {
            let mut it = PackItem::new(format!("{i:05}"), format!("{i:05}"), 1.0);
            it.popularity = f32::from(((i * 7919) % 97) as u16) / 96.0;
            it.trend = if i % 5 == 0 { 0.0 } else { f32::from(((i * 104_729) % 31) as u16) / 30.0 };
            it
        })
        .collect();
    PackContents {
        categories: Vec::new(),
        brands: Vec::new(),
        items,
        url_templates: Default::default(),
        dim: 1,
        scales: vec![1.0],
        codes: vec![1; n as usize],
        neighbours: Vec::new(),
        together: Vec::new(),
        rules: Vec::new(),
        ..common::sample_contents()
    }
    .encode()
    .unwrap()
}

#[test]
fn orders_match_the_full_scans_for_every_filter_and_length() {
    for n in [10u32, (ORDER_LEN as u32) * 3] {
        let bytes = pack(n);
        let pack = Pack::open(bytes.as_slice()).unwrap();
        let orders = Orders::of(&pack);
        let fast = WithOrders { source: &pack, orders: &orders };
        let filters: [&dyn Fn(u32) -> bool; 4] = [&|_| true, &|i| i % 3 == 0, &|i| i + 50 > n, &|i| i % 1000 == 7];
        for filter in filters {
            for want in [1usize, 50, 900, 2000, 5000] {
                assert_eq!(
                    fast.top_popular(want, &mut |i| filter(i)),
                    pack.top_popular(want, &mut |i| filter(i)),
                    "popular n={n} want={want}"
                );
                assert_eq!(
                    fast.top_trending(want, &mut |i| filter(i)),
                    pack.top_trending(want, &mut |i| filter(i)),
                    "trending n={n} want={want}"
                );
            }
        }
    }
}

#[test]
fn walking_the_trend_order_gives_the_top_k_scan_of_the_trending_score() {
    use shelfwise::rank::TopK;
    use shelfwise::shelves::signals::{trending_score, TrendOrder};
    for n in [10u32, (ORDER_LEN as u32) * 3] {
        let bytes = pack(n);
        let pack = Pack::open(bytes.as_slice()).unwrap();
        let order = TrendOrder::default();
        let filters: [&dyn Fn(u32) -> bool; 4] = [&|_| true, &|i| i % 3 == 0, &|i| i + 50 > n, &|i| i % 1000 == 7];
        for filter in filters {
            for want in [0usize, 1, 50, 900, 5000] {
                // What the trending shelves did before the order (a scan through TopK).
                let mut top = TopK::new(want);
                for i in 0..n {
                    let t = trending_score(&pack, i);
                    if t > top.threshold() && filter(i) {
                        top.push(i, t);
                    }
                }
                let scan: Vec<(u32, f32)> = top.into_sorted().into_iter().map(|s| (s.item, s.score)).collect();
                let walk: Vec<(u32, f32)> =
                    order.all(&pack).iter().copied().filter(|&i| filter(i)).map(|i| (i, trending_score(&pack, i))).take(want).collect();
                assert_eq!(walk, scan, "n={n} want={want}");
            }
        }
    }
}
