//! The kernel against a naive scorer: every path, every layout corner.

use super::*;

/// Every item's exact score from row-major codes, then a full sort.
fn naive(rows: &[i8], dim: usize, q: &[i8], k: usize, accept: impl Fn(u32) -> bool) -> Vec<(u32, i32)> {
    let mut all: Vec<(u32, i32)> = rows
        .chunks_exact(dim.max(1))
        .take(rows.len().checked_div(dim).unwrap_or(0))
        .enumerate()
        .map(|(i, r)| (i as u32, r.iter().zip(q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum()))
        .filter(|&(i, _)| accept(i))
        .collect();
    crate::order::sort_by(&mut all, &|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(k);
    all
}

#[test]
fn blocks_put_each_code_where_the_layout_says() {
    let dim = 7; // two groups, the second padded
    let rows: Vec<i8> = (0..(17 * dim) as i32).map(|x| ((x * 37) % 256 - 128) as i8).collect();
    let owned = OwnedBlocks::from_rows(&rows, dim);
    // 17 items: two blocks of four chunks, each chunk two groups of 16 bytes.
    assert_eq!(owned.codes.len(), 2 * CHUNKS * 2 * GROUP_BYTES);
    let view = owned.view().unwrap();
    for i in 0..17 {
        assert_eq!(view.row(i).unwrap(), rows[i * dim..(i + 1) * dim]);
        assert_eq!(owned.sums[i], rows[i * dim..(i + 1) * dim].iter().map(|&x| i32::from(x)).sum::<i32>());
    }
    assert_eq!(view.row(17), None);
    // Item 13 = chunk 3 (bytes 96..128), item 1 of it; dimension 5 = group 1 (+16), k = 1.
    assert_eq!(code_at(13, 5, dim), 96 + 16 + 4 + 1);
    assert_eq!(owned.codes[117] as i8, rows[13 * dim + 5]);
    // Padding items (17..32) and the padded dimension 7 are 0.
    for i in 17..32 {
        assert_eq!(owned.sums[i], 0);
        for j in 0..8 {
            assert_eq!(owned.codes[code_at(i, j, dim)], 0);
        }
    }
    assert_eq!(owned.codes[code_at(3, 7, dim)], 0);
}

#[test]
fn wrong_lengths_and_dimensions_are_refused() {
    assert_eq!(Blocks::new(&[0; 63], &[0; 16], 2, 2).unwrap_err(), KernelError::BlockedLength { items: 2, dim: 2, len: 63 });
    assert_eq!(Blocks::new(&[0; 64], &[], 2, 2).unwrap_err(), KernelError::SumsLength { slots: 16, len: 0 });
    assert_eq!(Blocks::new(&[], &[], 0, MAX_KERNEL_DIM + 1).unwrap_err(), KernelError::DimTooLarge { dim: MAX_KERNEL_DIM + 1 });
    let owned = OwnedBlocks::from_rows(&[0i8; 48], 3);
    let q = KernelQuery::new(&[1, 2]);
    assert_eq!(top_k_dots(&owned.view().unwrap(), &q, 1, |_| true).unwrap_err(), KernelError::QueryDim { query: 2, dim: 3 });
    assert!(KernelError::DimTooLarge { dim: 70_000 }.to_string().contains("overflow"));
}

#[test]
fn query_codes_are_clamped_to_seven_bits() {
    assert_eq!(KernelQuery::new(&[127, -128, 5, -63, 63]).codes(), &[63, -63, 5, -63, 63]);
}

#[test]
fn extreme_codes_do_not_overflow() {
    let dim = 4096;
    let rows = vec![i8::MIN; 20 * dim];
    let owned = OwnedBlocks::from_rows(&rows, dim);
    for (q, want) in [(QUERY_MAX, -128 * 63), (-QUERY_MAX, 128 * 63)] {
        let q = vec![q; dim];
        let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&q), 3, |_| true).unwrap();
        assert_eq!(got, naive(&rows, dim, &q, 3, |_| true));
        assert_eq!(got[0].1, want * dim as i32);
    }
}

#[test]
fn ties_go_to_the_lower_index_and_padding_never_shows() {
    // All scores 0 (zero codes), 20 items: 12 padding lanes also score 0.
    let dim = 4;
    let owned = OwnedBlocks::from_rows(&[0i8; 80], dim);
    let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[5, -3, 2, 1]), 30, |_| true).unwrap();
    assert_eq!(got.len(), 20);
    assert!(got.iter().enumerate().all(|(r, &(i, s))| i == r as u32 && s == 0));
    // Negative scores: padding (0) would beat every real item if it leaked.
    let owned = OwnedBlocks::from_rows(&[-1i8; 80], dim);
    let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1, 1, 1, 1]), 25, |_| true).unwrap();
    assert_eq!(got.len(), 20);
    assert!(got.iter().all(|&(i, s)| i < 20 && s == -4));
}

#[test]
fn the_filter_is_asked_only_about_candidates() {
    let dim = 2;
    // Scores fall with the index, so only the first k (and the refused one) are asked.
    let rows: Vec<i8> = (0..100).flat_map(|i| [(100 - i) as i8, 0]).collect();
    let owned = OwnedBlocks::from_rows(&rows, dim);
    let mut asked = Vec::new();
    let got = top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1, 0]), 3, |i| {
        asked.push(i);
        i != 1
    })
    .unwrap();
    assert_eq!(got, vec![(0, 100), (2, 98), (3, 97)]);
    assert_eq!(asked, vec![0, 1, 2, 3]);
}

/// Counts what the scan looks at.
struct Counting {
    inner: TopDots<fn(u32) -> bool>,
    offered: usize,
}

impl Sink for Counting {
    fn threshold(&self) -> i32 {
        self.inner.threshold()
    }
    fn offer(&mut self, item: u32, dot: i32) {
        self.offered += 1;
        self.inner.offer(item, dot);
    }
}

#[test]
fn only_items_above_the_threshold_are_offered() {
    // 4096 items in 256 blocks; only items 0 and 4000 score high, the rest near 0.
    let dim = 16;
    let mut rows = vec![0i8; 4096 * dim];
    for (i, r) in rows.chunks_exact_mut(dim).enumerate() {
        r[0] = ((i * 7919) % 11) as i8 - 5;
    }
    rows[..dim].fill(100);
    rows[4000 * dim..4001 * dim].fill(90);
    let owned = OwnedBlocks::from_rows(&rows, dim);
    let q = KernelQuery::new(&[50; 16]);
    let mut sink = Counting { inner: TopDots::new(2, |_| true), offered: 0 };
    scan(&owned.view().unwrap(), &q, &mut sink).unwrap();
    assert_eq!(sink.offered, 2 + 1, "item 0, item 1 (filling the top 2), then item 4000 only");
    assert_eq!(sink.inner.into_sorted(), vec![(0, 80_000), (4000, 72_000)]);
}

#[test]
fn zero_k_and_zero_dim() {
    let owned = OwnedBlocks::from_rows(&[], 0);
    let empty = Blocks::new(&owned.codes, &[0; 16], 5, 0).unwrap();
    assert_eq!(top_k_dots(&empty, &KernelQuery::new(&[]), 2, |_| true).unwrap(), vec![(0, 0), (1, 0)]);
    let owned = OwnedBlocks::from_rows(&[1i8; 16], 1);
    assert!(top_k_dots(&owned.view().unwrap(), &KernelQuery::new(&[1]), 0, |_| true).unwrap().is_empty());
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use proptest::prelude::*;

    use super::super::*;
    use super::naive;

    fn case() -> impl Strategy<Value = (usize, Vec<i8>, Vec<i8>, usize, u64)> {
        (1usize..40, 0usize..90).prop_flat_map(|(dim, items)| {
            // Small code alphabets make ties common.
            let code = prop_oneof![Just(0i8), Just(1i8), Just(-1i8), Just(i8::MIN), Just(i8::MAX), any::<i8>()];
            let q = prop_oneof![Just(0i8), Just(1i8), Just(-1i8), Just(i8::MAX), Just(i8::MIN), any::<i8>()];
            (Just(dim), proptest::collection::vec(code, items * dim), proptest::collection::vec(q, dim), 0usize..30, any::<u64>())
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(384))]
        #[test]
        fn kernel_matches_the_naive_reference((dim, rows, q, k, seed) in case()) {
            let owned = OwnedBlocks::from_rows(&rows, dim);
            let blocks = owned.view().unwrap();
            let kq = KernelQuery::new(&q);
            let q = kq.codes().to_vec();
            prop_assert!(q.iter().all(|x| x.abs() <= QUERY_MAX));
            // A filter that drops about a third of the items, chosen by the seed.
            let accept = |i: u32| (u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed) % 3 != 0;
            let want = naive(&rows, dim, &q, k, accept);
            prop_assert_eq!(&top_k_dots(&blocks, &kq, k, accept).unwrap(), &want);
            let mut sink = TopDots::new(k, accept);
            scan_portable(&blocks, &kq, &mut sink).unwrap();
            prop_assert_eq!(&sink.into_sorted(), &want);
            // Per chunk: the portable sums (and the x86 SIMD ones, where this build has them)
            // are the exact dot products; the item sums are the codes' sums.
            let chunk_bytes = groups(dim) * GROUP_BYTES;
            for (c, chunk) in owned.codes.chunks_exact(chunk_bytes).enumerate() {
                let dots = chunk_dots_portable(chunk, &kq);
                for (m, &dot) in dots.iter().enumerate() {
                    let row = blocks.row(c * CHUNK + m).unwrap_or_default();
                    let exact: i32 = row.iter().zip(&q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum();
                    prop_assert_eq!(dot, exact);
                    prop_assert_eq!(owned.sums[c * CHUNK + m], row.iter().map(|&x| i32::from(x)).sum::<i32>());
                }
                #[cfg(all(target_arch = "x86_64", target_feature = "sse4.1", target_feature = "ssse3"))]
                {
                    let sums: [i32; CHUNK] = owned.sums[c * CHUNK..(c + 1) * CHUNK].try_into().unwrap();
                    prop_assert_eq!(simd::chunk_dots_of::<simd::x86::Sse>(chunk, &sums, &kq), dots);
                }
            }
        }
    }
}
