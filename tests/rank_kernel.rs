//! The kernel-backed for-you ranking against the plain row-by-row scorer it replaced, on real
//! encoded packs (blocked by the v2 encoder, not by the test): same items, same scores, same
//! order, with the engine's stock/exclusion filter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use shelfwise::pack::{Pack, PackContents, PackItem, UrlTemplates};
use shelfwise::rank::{top_k_by_query, Query, Scored, TopK};

fn pack_bytes(n: usize, dim: usize, codes: &[i8], pop: &[f32], stock: &[bool]) -> Vec<u8> {
    let items = (0..n)
        .map(|i| {
            let mut it = PackItem::new(format!("{i:04}"), format!("Item {i}"), 1.0);
            it.popularity = pop[i];
            it.in_stock = stock[i];
            it
        })
        .collect();
    PackContents {
        builder_version: (0, 1, 0),
        built_at_ms: 0,
        training_events: 0,
        categories: vec!["All".into()],
        brands: vec!["B".into()],
        items,
        url_templates: UrlTemplates::default(),
        dim: dim as u32,
        scales: (0..dim).map(|j| 0.004 + 0.001 * j as f32).collect(),
        codes: codes.to_vec(),
        neighbours: Vec::new(),
        together: Vec::new(),
        rules: Vec::new(),
        image: None,
    }
    .encode()
    .unwrap()
}

/// The scorer before the kernel: one item at a time, row gathered from the pack.
fn row_by_row(pack: &Pack<&[u8]>, q: &Query, prior: f32, k: usize, allow: impl Fn(u32) -> bool) -> Vec<Scored> {
    let mut top = TopK::new(k);
    let mut row = vec![0i8; pack.dim()];
    for item in 0..pack.item_count() {
        pack.embedding_row(item, &mut row);
        let score = q.score(&row) + prior * pack.popularity(item);
        if score > top.threshold() && allow(item) {
            top.push(item, score);
        }
    }
    top.into_sorted()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn kernel_ranking_equals_the_row_by_row_scorer(
        (n, dim, codes, pop, stock) in (1usize..300, 1usize..70).prop_flat_map(|(n, dim)| (
            Just(n),
            Just(dim),
            proptest::collection::vec(prop_oneof![Just(0i8), Just(5i8), -127i8..=127], n * dim),
            proptest::collection::vec(prop_oneof![Just(0.0f32), Just(1.0f32), 0.0f32..=1.0], n),
            proptest::collection::vec(prop_oneof![4 => Just(true), 1 => Just(false)], n),
        )),
        vector in proptest::collection::vec(-1.0f32..1.0, 70),
        prior in prop_oneof![Just(0.05f32), Just(1.0f32), Just(0.0f32)],
        k in 0usize..40,
    ) {
        let bytes = pack_bytes(n, dim, &codes, &pop, &stock);
        let pack = Pack::open(bytes.as_slice()).unwrap();
        let q = Query::new(&vector[..dim], pack.embedding_scales());
        let allow = |i: u32| pack.in_stock(i) && i % 7 != 3;
        let got = top_k_by_query(&pack, &q, prior, k, allow);
        prop_assert_eq!(got, row_by_row(&pack, &q, prior, k, allow));
    }
}
