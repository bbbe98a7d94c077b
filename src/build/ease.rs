//! EASE item-item weights (Steck 2019, "Embarrassingly Shallow Autoencoders"), dense and
//! restricted to each item's candidate neighbours.
//!
//! # Model
//!
//! `X` is the shopper × item matrix (an entry is the shopper's strength for the item: 1 for a
//! purchase in the evaluation's binary matrix, the kind strengths of
//! [`super::neighbours::shopper_items`] in a build). EASE learns `B` (items × items, zero
//! diagonal) minimizing `‖X − XB‖² + λ‖B‖²`. Its closed form, with `G = XᵀX` and
//! `P = (G + λI)⁻¹`, is
//!
//! ```text
//! B_ij = −P_ij / P_jj   (i ≠ j),   B_jj = 0
//! ```
//!
//! and a shopper's score of item `j` is `Σ_i x_ui · B_ij`: row `i` of `B` is what source item
//! `i` says about every other item, so it is item `i`'s neighbour list.
//!
//! * [`DenseEase`]: `G` dense in memory and inverted through its Cholesky factor with `faer`
//!   (`n²` f64 three times over: about 0.3 GB at 3,502 items, 3.5 GB at 12,000).
//! * [`local_ease_neighbours`]: the scalable form. Column `j` of `B` is the ridge regression of
//!   `X_j` on the other columns; here each column is regressed only on `j`'s `candidates` best
//!   co-occurrence (cosine) neighbours, so each item costs one `m × m` solve and `G` is kept
//!   sparse (each item's [`LocalEaseConfig::gram_row_cap`] largest co-occurrences).
//!
//! Both give neighbour lists as the pack stores them: per item its best `k` positive weights,
//! divided by the largest weight of the whole model so they lie in (0, 1]. One global scale
//! keeps the ratios EASE ranks with (the blend divides a shopper's neighbour signal by its
//! largest value anyway).

use faer::linalg::solvers::{DenseSolveCore, Solve};
use faer::{Mat, MatRef, Side};
use thiserror::Error;

use super::neighbours::top_k_pairs;

/// λ chosen with `shelfwise eval --ease-lambdas` on split 2011-05-01 (docs/QUALITY.md).
pub const DEFAULT_LAMBDA: f64 = 800.0;

/// An EASE failure.
#[derive(Debug, Error, PartialEq)]
pub enum EaseError {
    /// λ must be a positive, finite number.
    #[error("EASE λ must be positive and finite, got {0}")]
    BadLambda(f64),
    /// `G + λI` was not positive definite (only possible through rounding).
    #[error("EASE: the Gram matrix plus λ·I over {0} items is not positive definite; raise λ")]
    NotPositiveDefinite(usize),
    /// An item index in the rows is outside the catalog.
    #[error("EASE: item index {item} in shopper row {row} is outside the {items} items")]
    ItemOutOfRange {
        /// Row (shopper) index.
        row: usize,
        /// The bad item index.
        item: u32,
        /// Number of items.
        items: usize,
    },
}

fn check_lambda(lambda: f64) -> Result<(), EaseError> {
    if lambda > 0.0 && lambda.is_finite() {
        Ok(())
    } else {
        Err(EaseError::BadLambda(lambda))
    }
}

fn check_rows(rows: &[Vec<(u32, f32)>], n_items: usize) -> Result<(), EaseError> {
    for (row, items) in rows.iter().enumerate() {
        if let Some(&(item, _)) = items.iter().find(|&&(i, _)| i as usize >= n_items) {
            return Err(EaseError::ItemOutOfRange { row, item, items: n_items });
        }
    }
    Ok(())
}

/// Dense EASE: `P = (XᵀX + λI)⁻¹`, from which every weight `B_ij = −P_ij / P_jj` is read.
#[derive(Debug, Clone)]
pub struct DenseEase {
    /// `(G + λI)⁻¹` (symmetric).
    p: Mat<f64>,
}

impl DenseEase {
    /// Fits EASE on per-shopper `(item, value)` rows over `n_items` items (an item at most once
    /// per row).
    pub fn fit(rows: &[Vec<(u32, f32)>], n_items: usize, lambda: f64) -> Result<DenseEase, EaseError> {
        check_lambda(lambda)?;
        check_rows(rows, n_items)?;
        // G + λI, column-major.
        let mut gram = vec![0.0f64; n_items * n_items];
        for row in rows {
            for &(a, va) in row {
                let column = &mut gram[a as usize * n_items..(a as usize + 1) * n_items];
                for &(b, vb) in row {
                    column[b as usize] += f64::from(va) * f64::from(vb);
                }
            }
        }
        for i in 0..n_items {
            gram[i * n_items + i] += lambda;
        }
        let g = MatRef::from_column_major_slice(&gram, n_items, n_items);
        let llt = g.llt(Side::Lower).map_err(|_| EaseError::NotPositiveDefinite(n_items))?;
        drop(gram);
        Ok(DenseEase { p: llt.inverse() })
    }

    /// Number of items.
    pub fn items(&self) -> usize {
        self.p.nrows()
    }

    /// `B_ij`: what source `i` adds to item `j`'s score (0 on the diagonal).
    pub fn weight(&self, i: usize, j: usize) -> f64 {
        if i == j {
            0.0
        } else {
            -self.p[(i, j)] / self.p[(j, j)]
        }
    }

    /// `out[j] += value · B_ij` for every `j` (row `i` of `B`, scaled).
    pub fn add_row(&self, i: usize, value: f64, out: &mut [f64]) {
        // P is symmetric: row i of P is its column i, contiguous.
        let column = self.p.col(i);
        for (j, o) in out.iter_mut().enumerate() {
            if j != i {
                *o -= value * column[j] / self.p[(j, j)];
            }
        }
    }

    /// Every item's best `k` positive weights as `(item, weight / largest weight)`, best first.
    pub fn neighbours(&self, k: usize) -> Vec<Vec<(u32, f32)>> {
        let n = self.items();
        let mut row = vec![0.0f64; n];
        let lists: Vec<Vec<(u32, f64)>> = (0..n)
            .map(|i| {
                row.iter_mut().for_each(|x| *x = 0.0);
                self.add_row(i, 1.0, &mut row);
                top_weights(row.iter().enumerate().map(|(j, &w)| (j as u32, w)), k)
            })
            .collect();
        scale_to_unit(lists)
    }
}

/// The best `k` positive `(item, weight)` pairs, best first (ties: lower index).
fn top_weights(pairs: impl Iterator<Item = (u32, f64)>, k: usize) -> Vec<(u32, f64)> {
    let mut pairs: Vec<(u32, f64)> = pairs.filter(|&(_, w)| w > 0.0 && w.is_finite()).collect();
    let cmp = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if pairs.len() > k {
        pairs.select_nth_unstable_by(k, cmp);
        pairs.truncate(k);
    }
    pairs.sort_unstable_by(cmp);
    pairs
}

/// Divides every weight by the largest one, as the pack's (0, 1] similarities; weights that
/// round to 0 in f32 are dropped.
fn scale_to_unit(lists: Vec<Vec<(u32, f64)>>) -> Vec<Vec<(u32, f32)>> {
    let max = lists.iter().flatten().map(|&(_, w)| w).fold(0.0f64, f64::max);
    lists
        .into_iter()
        .map(|list| {
            let scaled = list.into_iter().map(|(j, w)| (j, (w / max) as f32)).collect();
            top_k_pairs(scaled, usize::MAX)
        })
        .collect()
}

/// Settings of [`local_ease_neighbours`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalEaseConfig {
    /// Ridge strength λ (the same meaning as in dense EASE).
    pub lambda: f64,
    /// Each item's weights are solved over this many co-occurrence (cosine) neighbours.
    pub candidates: usize,
    /// Co-occurrences kept per item (the largest), from which the small Gram matrices are read.
    pub gram_row_cap: usize,
}

impl Default for LocalEaseConfig {
    fn default() -> Self {
        LocalEaseConfig { lambda: DEFAULT_LAMBDA, candidates: 100, gram_row_cap: 400 }
    }
}

/// `G = XᵀX` kept sparse: the diagonal, and per item its largest off-diagonal entries.
struct SparseGram {
    diag: Vec<f64>,
    /// Per item: `(other item, G_ij)`, sorted by item.
    rows: Vec<Vec<(u32, f32)>>,
}

impl SparseGram {
    fn new(rows: &[Vec<(u32, f32)>], n_items: usize, cap: usize) -> SparseGram {
        let mut by_item: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_items];
        let mut diag = vec![0.0f64; n_items];
        for (u, row) in rows.iter().enumerate() {
            for &(i, s) in row {
                by_item[i as usize].push((u as u32, s));
                diag[i as usize] += f64::from(s) * f64::from(s);
            }
        }
        let mut co = vec![0.0f64; n_items];
        let mut touched: Vec<u32> = Vec::new();
        let gram_rows = (0..n_items)
            .map(|i| {
                for &(u, si) in &by_item[i] {
                    for &(j, sj) in &rows[u as usize] {
                        if j as usize != i {
                            if co[j as usize] == 0.0 {
                                touched.push(j);
                            }
                            co[j as usize] += f64::from(si) * f64::from(sj);
                        }
                    }
                }
                let pairs = touched.drain(..).map(|j| (j, std::mem::take(&mut co[j as usize]) as f32)).collect();
                let mut kept = top_k_pairs(pairs, cap);
                kept.sort_unstable_by_key(|&(j, _)| j);
                kept
            })
            .collect();
        SparseGram { diag, rows: gram_rows }
    }

    fn find(&self, a: usize, b: u32) -> Option<f64> {
        let row = &self.rows[a];
        row.binary_search_by_key(&b, |&(j, _)| j).ok().map(|p| f64::from(row[p].1))
    }

    /// `G_ab` (0 when neither row kept the pair).
    fn get(&self, a: u32, b: u32) -> f64 {
        if a == b {
            return self.diag[a as usize];
        }
        self.find(a as usize, b).or_else(|| self.find(b as usize, a)).unwrap_or(0.0)
    }

    /// Item `j`'s best `m` neighbours by cosine `G_ij / sqrt(G_ii G_jj)`.
    fn candidates(&self, j: usize, m: usize) -> Vec<u32> {
        let cosine = self.rows[j]
            .iter()
            .map(|&(i, g)| {
                let d = (self.diag[i as usize] * self.diag[j]).sqrt();
                (i, if d > 0.0 { (f64::from(g) / d) as f32 } else { 0.0 })
            })
            .collect();
        top_k_pairs(cosine, m).into_iter().map(|(i, _)| i).collect()
    }
}

/// Column `j` of `B` over `candidates`: `(G_CC + λI)⁻¹ G_Cj`.
fn local_column(gram: &SparseGram, j: u32, candidates: &[u32], lambda: f64) -> Result<Vec<f64>, EaseError> {
    let m = candidates.len();
    let a = Mat::<f64>::from_fn(m, m, |r, c| gram.get(candidates[r], candidates[c]) + if r == c { lambda } else { 0.0 });
    let mut b = Mat::<f64>::from_fn(m, 1, |r, _| gram.get(candidates[r], j));
    let llt = a.llt(Side::Lower).map_err(|_| EaseError::NotPositiveDefinite(m))?;
    llt.solve_in_place(&mut b);
    Ok((0..m).map(|r| b[(r, 0)]).collect())
}

/// EASE restricted to each item's candidate neighbours, as neighbour lists: per item its best
/// `k` positive weights scaled into (0, 1] (as [`DenseEase::neighbours`]).
pub fn local_ease_neighbours(
    rows: &[Vec<(u32, f32)>],
    n_items: usize,
    k: usize,
    config: &LocalEaseConfig,
) -> Result<Vec<Vec<(u32, f32)>>, EaseError> {
    check_lambda(config.lambda)?;
    check_rows(rows, n_items)?;
    let gram = SparseGram::new(rows, n_items, config.gram_row_cap.max(config.candidates));
    // by_source[i]: (j, B_ij) for every target j that had i among its candidates.
    let mut by_source: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_items];
    for j in 0..n_items {
        let candidates = gram.candidates(j, config.candidates);
        if candidates.is_empty() {
            continue;
        }
        let column = local_column(&gram, j as u32, &candidates, config.lambda)?;
        for (&i, w) in candidates.iter().zip(column) {
            by_source[i as usize].push((j as u32, w));
        }
    }
    let lists = by_source.into_iter().map(|list| top_weights(list.into_iter(), k)).collect();
    Ok(scale_to_unit(lists))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Shoppers {0, 1}, {1, 2}, {0, 1, 2}: G = [[2,2,1],[2,3,2],[1,2,2]]. With λ = 1, column 0
    /// of B solves [[4,2],[2,3]]·b = [2,1] → b = (½, 0); column 1 solves [[3,1],[1,3]]·b =
    /// [2,2] → (½, ½); column 2 solves [[3,2],[2,4]]·b = [1,2] → (0, ½). So
    /// B = [[0,½,0],[½,0,½],[0,½,0]].
    fn hand_rows() -> Vec<Vec<(u32, f32)>> {
        vec![vec![(0, 1.0), (1, 1.0)], vec![(1, 1.0), (2, 1.0)], vec![(0, 1.0), (1, 1.0), (2, 1.0)]]
    }

    const HAND_B: [[f64; 3]; 3] = [[0.0, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 0.5, 0.0]];

    #[test]
    fn dense_ease_matches_the_closed_form_by_hand() {
        let ease = DenseEase::fit(&hand_rows(), 3, 1.0).unwrap();
        for (i, row) in HAND_B.iter().enumerate() {
            for (j, &b) in row.iter().enumerate() {
                assert!((ease.weight(i, j) - b).abs() < 1e-12, "B[{i}][{j}] = {} ≠ {b}", ease.weight(i, j));
            }
        }
        // A shopper who bought item 0 scores item 1 at ½, item 2 at 0.
        let mut scores = vec![0.0; 3];
        ease.add_row(0, 1.0, &mut scores);
        assert!((scores[1] - 0.5).abs() < 1e-12 && scores[2].abs() < 1e-12 && scores[0] == 0.0);
        // Lists: positive weights only, scaled by the largest (½).
        assert_eq!(ease.neighbours(5), [vec![(1, 1.0)], vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0)]]);
    }

    #[test]
    fn two_items_give_the_ridge_coefficient() {
        // G = [[2,1],[1,2]], λ = 1: B_01 = G_01 / (G_00 + λ) = 1/3.
        let rows = vec![vec![(0, 1.0), (1, 1.0)], vec![(0, 1.0)], vec![(1, 1.0)]];
        let ease = DenseEase::fit(&rows, 2, 1.0).unwrap();
        assert!((ease.weight(0, 1) - 1.0 / 3.0).abs() < 1e-12);
        assert!((ease.weight(1, 0) - 1.0 / 3.0).abs() < 1e-12);
    }

    /// Deterministic pseudo-random baskets over `n` items.
    fn random_rows(n: u32, shoppers: u32) -> Vec<Vec<(u32, f32)>> {
        let mut x: u64 = 12345;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as u32
        };
        (0..shoppers)
            .map(|_| {
                let mut row: Vec<(u32, f32)> = (0..2 + next() % 5).map(|_| (next() % n, 0.2 + (next() % 5) as f32 * 0.2)).collect();
                row.sort_by_key(|p| p.0);
                row.dedup_by_key(|p| p.0);
                row
            })
            .collect()
    }

    #[test]
    fn local_ease_over_every_item_equals_dense_ease() {
        // One shopper bought everything, so every pair co-occurs and every item is every
        // other item's candidate: the restricted regressions are the full ones.
        let mut rows = random_rows(12, 40);
        rows.push((0..12).map(|i| (i, 0.2)).collect());
        let dense = DenseEase::fit(&rows, 12, 3.0).unwrap().neighbours(5);
        let config = LocalEaseConfig { lambda: 3.0, candidates: 11, gram_row_cap: 11 };
        let local = local_ease_neighbours(&rows, 12, 5, &config).unwrap();
        assert!(dense.iter().any(|l| !l.is_empty()));
        for (d, l) in dense.iter().zip(&local) {
            let ids = |v: &[(u32, f32)]| v.iter().filter(|p| p.1 > 1e-4).map(|p| p.0).collect::<Vec<_>>();
            assert_eq!(ids(d), ids(l));
            for (a, b) in d.iter().zip(l) {
                assert!((a.1 - b.1).abs() < 1e-4, "{d:?} vs {l:?}");
            }
        }
    }

    #[test]
    fn local_ease_on_the_hand_matrix() {
        let config = LocalEaseConfig { lambda: 1.0, candidates: 2, gram_row_cap: 2 };
        let lists = local_ease_neighbours(&hand_rows(), 3, 5, &config).unwrap();
        assert_eq!(lists, [vec![(1, 1.0)], vec![(0, 1.0), (2, 1.0)], vec![(1, 1.0)]]);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert_eq!(DenseEase::fit(&hand_rows(), 3, 0.0).unwrap_err(), EaseError::BadLambda(0.0));
        assert!(matches!(DenseEase::fit(&hand_rows(), 3, f64::NAN).unwrap_err(), EaseError::BadLambda(_)));
        assert_eq!(DenseEase::fit(&hand_rows(), 2, 1.0).unwrap_err(), EaseError::ItemOutOfRange { row: 1, item: 2, items: 2 });
        let config = LocalEaseConfig { lambda: -1.0, ..LocalEaseConfig::default() };
        assert_eq!(local_ease_neighbours(&hand_rows(), 3, 5, &config).unwrap_err(), EaseError::BadLambda(-1.0));
    }
}
