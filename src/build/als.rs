//! Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008) for item embeddings.
//!
//! # Model
//!
//! The input is a sparse user × item matrix of non-negative interaction strengths `r_ui`
//! (for example purchase counts, or a weighted sum of views, carts and purchases). Every stored
//! pair with `r_ui > 0` is *observed*; every other pair is *unobserved*. Following Hu, Koren &
//! Volinsky ("Collaborative Filtering for Implicit Feedback Datasets", ICDM 2008):
//!
//! * the **preference** is `p_ui = 1` for observed pairs and `p_ui = 0` otherwise;
//! * the **confidence** is `c_ui = 1 + α·r_ui`, so unobserved pairs still count, with weight 1;
//! * user vectors `x_u` and item vectors `y_i` (both of length `f`) minimise
//!   `Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²)`.
//!
//! The sum runs over *all* `n_users · n_items` pairs, but with the item factors `Y` fixed each
//! user's optimum has the closed form
//!
//! ```text
//! (YᵀY + Yᵤᵀ (Cᵤ − I) Yᵤ + λI) x_u = Yᵤᵀ Cᵤ pᵤ
//! ```
//!
//! where `Yᵤ` holds only the `n_u` items user `u` interacted with and `Cᵤ` their confidences.
//! `YᵀY` does not depend on the user, so it is computed once per half-step (`O(n_items·f²)`);
//! the user-specific correction `Yᵤᵀ (Cᵤ − I) Yᵤ` only involves the observed items because
//! `c_ui − 1 = 0` elsewhere, and the right-hand side is `Σ_{i observed} c_ui · y_i` because
//! `p_ui = 0` elsewhere. Building the system therefore costs `O(n_u·f²)` and solving it (with a
//! Cholesky factorisation) `O(f³)`, instead of the `O(n_items·f²)` a naive solve would need.
//! The item half-step is the same with the roles of users and items swapped (`XᵀX`, the
//! users who touched the item). Training alternates a user half-step and an item half-step,
//! `iterations` times, starting from a small random item matrix.
//!
//! # Conventions of this implementation
//!
//! * **Coalescing.** Duplicate `(user, item)` entries are summed (in `f64`); pairs whose total
//!   is exactly zero are dropped, i.e. treated as unobserved (`p = 0`), as the paper defines
//!   `p_ui = [r_ui > 0]`. Negative and non-finite weights are rejected
//!   ([`AlsError::InvalidWeight`]).
//! * **Regularisation.** `λ` ([`AlsConfig::regularization`]) is added as plain `λI`, *not* scaled
//!   by the number of interactions of the row (that would be ALS-WR, Zhou et al. 2008). This is
//!   the convention of the widely used `implicit` library. The `YᵀY` term already pulls every
//!   vector towards zero with weight 1 per unobserved pair, so `λ` mainly keeps the systems
//!   well conditioned; `0.1` is a mild default.
//! * **Rows without interactions.** A user or item with no observed pair has a zero right-hand
//!   side, so its optimum is the **zero vector**; such rows are left as exact zeros (and items
//!   with no interactions are zero from the start, so this holds even for `iterations == 0`).
//!   Callers are expected to give those items content-based vectors elsewhere.
//! * **Empty input.** Interactions with no entries (or with `n_users == 0` / `n_items == 0`) are
//!   *not* an error: training returns all-zero factor matrices of the right shapes
//!   (`(n_users, f)` and `(n_items, f)`), and still reports every iteration.
//! * **Numerics.** Factors are stored as `f32`; the normal equations are accumulated and solved in
//!   `f64`. If a system is not (numerically) positive definite, which can only happen for
//!   `λ = 0` or extreme weights, a growing ridge (`10⁻⁶`, `10⁻⁴`, `10⁻²`, `1` times the mean
//!   diagonal) is added and the factorisation retried; if that still fails, or the solution is
//!   not finite in `f32`, the row is set to zero. Training never panics.
//! * **Determinism.** The only randomness is the initial item matrix (uniform in
//!   `[-0.01, 0.01)`, drawn from [`rand::rngs::StdRng`] seeded with [`AlsConfig::seed`]), and the
//!   solve order is fixed, so the same input and config give bit-identical factors on the same
//!   build. (`StdRng`'s stream is not promised to stay the same across `rand` releases.)
//! * **Cost.** One iteration costs about `2·nnz·f² + (n_users + n_items)·f³/6` multiply-adds; the
//!   per-row Gram matrices are computed with ndarray's matrix product. Single-threaded.

use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array2};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Hyper-parameters of [`train`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlsConfig {
    /// Embedding dimension `f`; must be at least 1.
    pub factors: usize,
    /// Number of full iterations (one user half-step plus one item half-step each).
    pub iterations: usize,
    /// `λ`, added as `λI` to every normal-equation matrix (not scaled by row counts);
    /// finite and not negative.
    pub regularization: f32,
    /// `α` in the confidence `c = 1 + α·r`; finite and not negative.
    pub alpha: f32,
    /// Seed of the random initial item factors.
    pub seed: u64,
}

impl Default for AlsConfig {
    /// `factors: 64, iterations: 12, regularization: 0.1, alpha: 20.0, seed: 42`.
    fn default() -> Self {
        Self { factors: 64, iterations: 12, regularization: 0.1, alpha: 20.0, seed: 42 }
    }
}

/// Sparse user×item interaction strengths (summed duplicates allowed in input; [`train`]
/// coalesces them).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Interactions {
    /// Number of users (rows); every entry's user index must be below this.
    pub n_users: usize,
    /// Number of items (columns); every entry's item index must be below this.
    pub n_items: usize,
    /// `(user, item, strength)` triples, in any order; strengths finite and not negative.
    pub entries: Vec<(u32, u32, f32)>,
}

/// Why [`train`] refused its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlsError {
    /// `factors` was zero.
    #[error("ALS needs at least one factor (factors = 0)")]
    ZeroFactors,
    /// An entry's user index is not below `n_users`.
    #[error("interaction #{index}: user {user} out of range (n_users = {n_users})")]
    UserOutOfRange {
        /// Position of the entry in [`Interactions::entries`].
        index: usize,
        /// The offending user index.
        user: u32,
        /// The declared number of users.
        n_users: usize,
    },
    /// An entry's item index is not below `n_items`.
    #[error("interaction #{index}: item {item} out of range (n_items = {n_items})")]
    ItemOutOfRange {
        /// Position of the entry in [`Interactions::entries`].
        index: usize,
        /// The offending item index.
        item: u32,
        /// The declared number of items.
        n_items: usize,
    },
    /// An entry's strength is NaN, infinite or negative.
    #[error("interaction #{index}: weight {weight} is not a finite, non-negative number")]
    InvalidWeight {
        /// Position of the entry in [`Interactions::entries`].
        index: usize,
        /// The offending weight.
        weight: f32,
    },
    /// A real-valued hyper-parameter is NaN, infinite or negative.
    #[error("ALS config: {name} = {value} must be finite and not negative")]
    InvalidConfig {
        /// Which field of [`AlsConfig`] (`"regularization"` or `"alpha"`).
        name: &'static str,
        /// Its value.
        value: f32,
    },
    /// `rows × factors` does not fit in memory addressing (`isize::MAX` bytes).
    #[error("factor matrix of {rows} × {factors} is too large")]
    TooLarge {
        /// `n_users` or `n_items`.
        rows: usize,
        /// `factors`.
        factors: usize,
    },
}

/// Trained factors.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsModel {
    /// Shape `(n_users, factors)`; users without interactions have a zero row.
    pub user_factors: Array2<f32>,
    /// Shape `(n_items, factors)`; items without interactions have a zero row (they get
    /// content-based vectors elsewhere).
    pub item_factors: Array2<f32>,
}

/// Trains implicit-feedback ALS on `interactions` (see the module docs for the model and the
/// conventions: zero rows for rows without interactions, empty input → all-zero factors).
///
/// `on_iteration` is called after each full iteration with the number of iterations completed
/// so far (`1..=cfg.iterations`), e.g. to drive a progress bar.
///
/// # Errors
/// [`AlsError::ZeroFactors`], [`AlsError::InvalidConfig`] for a bad `alpha`/`regularization`,
/// [`AlsError::UserOutOfRange`] / [`AlsError::ItemOutOfRange`] / [`AlsError::InvalidWeight`]
/// for the first bad entry, [`AlsError::TooLarge`] when a factor matrix cannot be allocated.
pub fn train(interactions: &Interactions, cfg: &AlsConfig, on_iteration: &mut dyn FnMut(usize)) -> Result<AlsModel, AlsError> {
    let f = cfg.factors;
    if f == 0 {
        return Err(AlsError::ZeroFactors);
    }
    for (name, value) in [("regularization", cfg.regularization), ("alpha", cfg.alpha)] {
        if !value.is_finite() || value < 0.0 {
            return Err(AlsError::InvalidConfig { name, value });
        }
    }
    let (n_users, n_items) = (interactions.n_users, interactions.n_items);
    for rows in [n_users, n_items] {
        let fits =
            rows.checked_mul(f).and_then(|n| n.checked_mul(std::mem::size_of::<f64>())).is_some_and(|bytes| bytes <= isize::MAX as usize);
        if !fits {
            return Err(AlsError::TooLarge { rows, factors: f });
        }
    }
    validate(interactions)?;

    let by_user = Csr::from_entries(interactions);
    let by_item = by_user.transpose(n_items);

    let mut user_factors = Array2::<f32>::zeros((n_users, f));
    let mut item_factors = Array2::<f32>::zeros((n_items, f));
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    for (i, mut row) in item_factors.rows_mut().into_iter().enumerate() {
        // Items nobody touched stay exactly zero (they would be zeroed by the first item
        // half-step anyway); still draw for them so the stream does not depend on sparsity.
        let touched = by_item.row_len(i) > 0;
        for v in row.iter_mut() {
            let r: f32 = rng.random_range(-0.01..0.01);
            if touched {
                *v = r;
            }
        }
    }

    let mut solver = HalfStep::new(f, by_user.max_row_len().max(by_item.max_row_len()));
    let lambda = f64::from(cfg.regularization);
    let alpha = f64::from(cfg.alpha);
    for it in 0..cfg.iterations {
        solver.run(&by_user, &item_factors, &mut user_factors, lambda, alpha);
        solver.run(&by_item, &user_factors, &mut item_factors, lambda, alpha);
        on_iteration(it + 1);
    }
    Ok(AlsModel { user_factors, item_factors })
}

/// Checks every entry, reporting the first bad one.
fn validate(interactions: &Interactions) -> Result<(), AlsError> {
    let (n_users, n_items) = (interactions.n_users, interactions.n_items);
    for (index, &(user, item, weight)) in interactions.entries.iter().enumerate() {
        if user as usize >= n_users {
            return Err(AlsError::UserOutOfRange { index, user, n_users });
        }
        if item as usize >= n_items {
            return Err(AlsError::ItemOutOfRange { index, item, n_items });
        }
        if !weight.is_finite() || weight < 0.0 {
            return Err(AlsError::InvalidWeight { index, weight });
        }
    }
    Ok(())
}

/// Compressed sparse rows: row `r` owns `cols[ptr[r]..ptr[r + 1]]` / `vals[..]`, columns
/// ascending and unique, values the coalesced strengths (`> 0`).
#[derive(Debug)]
struct Csr {
    ptr: Vec<usize>,
    cols: Vec<u32>,
    vals: Vec<f64>,
}

impl Csr {
    /// Coalesces validated entries into user rows (duplicates summed, zero totals dropped).
    fn from_entries(interactions: &Interactions) -> Self {
        let mut sorted: Vec<(u32, u32, f32)> = interactions.entries.clone();
        sorted.sort_unstable_by_key(|&(u, i, _)| (u, i));
        let mut ptr = vec![0usize; interactions.n_users + 1];
        let mut cols = Vec::with_capacity(sorted.len());
        let mut vals = Vec::with_capacity(sorted.len());
        let mut k = 0;
        while k < sorted.len() {
            let (u, i, _) = sorted[k];
            let mut sum = 0.0f64;
            while k < sorted.len() && sorted[k].0 == u && sorted[k].1 == i {
                sum += f64::from(sorted[k].2);
                k += 1;
            }
            if sum > 0.0 {
                cols.push(i);
                vals.push(sum);
                ptr[u as usize + 1] += 1;
            }
        }
        for r in 0..interactions.n_users {
            ptr[r + 1] += ptr[r];
        }
        Self { ptr, cols, vals }
    }

    /// The transpose (CSR of the columns), by a counting sort; columns stay ascending.
    fn transpose(&self, n_cols: usize) -> Self {
        let mut ptr = vec![0usize; n_cols + 1];
        for &c in &self.cols {
            ptr[c as usize + 1] += 1;
        }
        for c in 0..n_cols {
            ptr[c + 1] += ptr[c];
        }
        let mut next = ptr.clone();
        let mut cols = vec![0u32; self.cols.len()];
        let mut vals = vec![0f64; self.vals.len()];
        for r in 0..self.n_rows() {
            for k in self.ptr[r]..self.ptr[r + 1] {
                let c = self.cols[k] as usize;
                let dst = next[c];
                next[c] += 1;
                // Row indices fit in u32: they came from u32 user ids.
                cols[dst] = r as u32;
                vals[dst] = self.vals[k];
            }
        }
        Self { ptr, cols, vals }
    }

    fn n_rows(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    fn row_len(&self, r: usize) -> usize {
        self.ptr[r + 1] - self.ptr[r]
    }

    fn max_row_len(&self) -> usize {
        (0..self.n_rows()).map(|r| self.row_len(r)).max().unwrap_or(0)
    }
}

/// Workspace for one half-step: solves every row of `out` given the fixed factors.
struct HalfStep {
    f: usize,
    /// `FᵀF` of the fixed side, `f × f`.
    gram: Array2<f64>,
    /// The fixed side converted to `f64` (reused between half-steps when shapes match).
    fixed64: Array2<f64>,
    /// Observed rows of the fixed side, each scaled by `sqrt(α·r)`; `max_len × f`.
    scaled: Array2<f64>,
    /// `Yᵤᵀ (Cᵤ − I) Yᵤ`, `f × f`.
    correction: Array2<f64>,
    /// The assembled system (row-major `f × f`), factorised in place.
    system: Vec<f64>,
    /// Right-hand side, then solution.
    rhs: Vec<f64>,
    /// Copy of the right-hand side for ridge retries.
    rhs_orig: Vec<f64>,
}

impl HalfStep {
    fn new(f: usize, max_len: usize) -> Self {
        Self {
            f,
            gram: Array2::zeros((f, f)),
            fixed64: Array2::zeros((0, f)),
            scaled: Array2::zeros((max_len, f)),
            correction: Array2::zeros((f, f)),
            system: vec![0.0; f * f],
            rhs: vec![0.0; f],
            rhs_orig: vec![0.0; f],
        }
    }

    /// One half-step: for every row `r` of `rows`, solves
    /// `(FᵀF + Fᵣᵀ(Cᵣ − I)Fᵣ + λI) x = Fᵣᵀ Cᵣ 1` and writes `x` into `out.row(r)`.
    fn run(&mut self, rows: &Csr, fixed: &Array2<f32>, out: &mut Array2<f32>, lambda: f64, alpha: f64) {
        let f = self.f;
        if self.fixed64.dim() != fixed.dim() {
            self.fixed64 = Array2::zeros(fixed.dim());
        }
        self.fixed64.zip_mut_with(fixed, |d, &s| *d = f64::from(s));
        general_mat_mul(1.0, &self.fixed64.t(), &self.fixed64, 0.0, &mut self.gram);

        for (r, mut out_row) in out.rows_mut().into_iter().enumerate() {
            let (start, end) = (rows.ptr[r], rows.ptr[r + 1]);
            let n = end - start;
            if n == 0 {
                out_row.fill(0.0);
                continue;
            }
            // Gather: scaled rows for the correction term, confidence-weighted sum for the rhs.
            self.rhs.iter_mut().for_each(|b| *b = 0.0);
            for (slot, k) in (start..end).enumerate() {
                let y = self.fixed64.row(rows.cols[k] as usize);
                let w = alpha * rows.vals[k];
                let conf = 1.0 + w;
                let sw = w.sqrt();
                let mut dst = self.scaled.row_mut(slot);
                for ((d, b), &v) in dst.iter_mut().zip(self.rhs.iter_mut()).zip(y.iter()) {
                    *d = sw * v;
                    *b += conf * v;
                }
            }
            let part = self.scaled.slice(s![..n, ..]);
            general_mat_mul(1.0, &part.t(), &part, 0.0, &mut self.correction);

            let mut trace = 0.0;
            for ((dst, &g), &c) in self.system.iter_mut().zip(self.gram.iter()).zip(self.correction.iter()) {
                *dst = g + c;
            }
            for d in 0..f {
                self.system[d * f + d] += lambda;
                trace += self.system[d * f + d];
            }
            self.rhs_orig.copy_from_slice(&self.rhs);

            let solved = solve_spd_with_ridge(&mut self.system, &mut self.rhs, &self.rhs_orig, f, trace / f as f64, |sys: &mut [f64]| {
                for ((dst, &g), &c) in sys.iter_mut().zip(self.gram.iter()).zip(self.correction.iter()) {
                    *dst = g + c;
                }
                for d in 0..f {
                    sys[d * f + d] += lambda;
                }
            });
            let finite = solved && self.rhs.iter().all(|&x| (x as f32).is_finite());
            for (o, &x) in out_row.iter_mut().zip(self.rhs.iter()) {
                *o = if finite { x as f32 } else { 0.0 };
            }
        }
    }
}

/// Solves `A x = b` for a symmetric positive definite `A` (row-major `n × n`, upper triangle
/// read) by Cholesky; on failure rebuilds `A` with `rebuild`, adds a growing ridge
/// (`mean_diag` × 1e-6, 1e-4, 1e-2, 1) and retries. On success `b` holds `x` and `true` is
/// returned; `false` means every attempt failed (`b` is then garbage).
fn solve_spd_with_ridge(
    a: &mut [f64],
    b: &mut [f64],
    b_orig: &[f64],
    n: usize,
    mean_diag: f64,
    mut rebuild: impl FnMut(&mut [f64]),
) -> bool {
    if !b.iter().all(|v| v.is_finite()) {
        return false;
    }
    if cholesky_upper(a, n) {
        cholesky_solve(a, b, n);
        return true;
    }
    let scale = if mean_diag.is_finite() && mean_diag > 0.0 { mean_diag } else { 1.0 };
    for ridge in [1e-6, 1e-4, 1e-2, 1.0] {
        rebuild(a);
        for d in 0..n {
            a[d * n + d] += ridge * scale;
        }
        if cholesky_upper(a, n) {
            b.copy_from_slice(b_orig);
            cholesky_solve(a, b, n);
            return true;
        }
    }
    false
}

/// In-place Cholesky `A = UᵀU` of a row-major `n × n` symmetric matrix, reading and writing
/// only the upper triangle (row `k` of `U` is contiguous, so the trailing update is a
/// vectorisable axpy over rows). Returns `false` when a pivot is not positive (relative to
/// the largest diagonal entry) or not finite.
fn cholesky_upper(a: &mut [f64], n: usize) -> bool {
    let max_diag = (0..n).map(|d| a[d * n + d]).fold(0.0f64, f64::max);
    if !max_diag.is_finite() || max_diag <= 0.0 {
        return false;
    }
    let min_pivot = max_diag * 1e-13;
    for k in 0..n {
        let (head, tail) = a.split_at_mut((k + 1) * n);
        let row_k = &mut head[k * n..];
        let d = row_k[k];
        if !d.is_finite() || d <= min_pivot {
            return false;
        }
        let d = d.sqrt();
        row_k[k] = d;
        let inv = 1.0 / d;
        for v in &mut row_k[k + 1..] {
            *v *= inv;
        }
        let row_k = &*row_k;
        for (i, row_i) in (k + 1..n).zip(tail.chunks_exact_mut(n)) {
            let u = row_k[i];
            if u == 0.0 {
                continue;
            }
            for (x, &y) in row_i[i..].iter_mut().zip(&row_k[i..]) {
                *x -= u * y;
            }
        }
    }
    true
}

/// Solves `UᵀU x = b` in place given the factor from [`cholesky_upper`].
fn cholesky_solve(u: &[f64], b: &mut [f64], n: usize) {
    // Forward: Uᵀ z = b, column-oriented so each step reads a contiguous row of U.
    for k in 0..n {
        let row = &u[k * n..(k + 1) * n];
        let z = b[k] / row[k];
        b[k] = z;
        for (bj, &ukj) in b[k + 1..].iter_mut().zip(&row[k + 1..]) {
            *bj -= ukj * z;
        }
    }
    // Backward: U x = z.
    for k in (0..n).rev() {
        let row = &u[k * n..(k + 1) * n];
        let dot: f64 = row[k + 1..].iter().zip(&b[k + 1..]).map(|(a, b)| a * b).sum();
        b[k] = (b[k] - dot) / row[k];
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cosine(a: ndarray::ArrayView1<f32>, b: ndarray::ArrayView1<f32>) -> f32 {
        let d = a.dot(&b);
        let na = a.dot(&a).sqrt();
        let nb = b.dot(&b).sqrt();
        if na == 0.0 || nb == 0.0 {
            0.0
        } else {
            d / (na * nb)
        }
    }

    /// Two communities: users `0..gu` buy only items `0..gi`, users `gu..2gu` only `gi..2gi`.
    fn two_groups(gu: usize, gi: usize, per_user: usize, seed: u64) -> Interactions {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut entries = Vec::new();
        for u in 0..2 * gu {
            let base = if u < gu { 0 } else { gi };
            for _ in 0..per_user {
                let i = base + rng.random_range(0..gi);
                entries.push((u as u32, i as u32, rng.random_range(1.0..3.0f32)));
            }
        }
        Interactions { n_users: 2 * gu, n_items: 2 * gi, entries }
    }

    fn small_cfg() -> AlsConfig {
        AlsConfig { factors: 8, iterations: 10, ..AlsConfig::default() }
    }

    #[test]
    fn planted_groups_are_separated() {
        let (gu, gi) = (40, 30);
        let data = two_groups(gu, gi, 8, 7);
        // Few factors: with two communities the signal lives in ~2 dimensions, and extra
        // factors mostly fit which random items each user happened to pick.
        let cfg = AlsConfig { factors: 4, ..small_cfg() };
        let model = train(&data, &cfg, &mut |_| {}).unwrap();
        let y = &model.item_factors;
        let (mut within, mut nw, mut across, mut na) = (0.0f32, 0, 0.0f32, 0);
        let mut pure = 0;
        for a in 0..2 * gi {
            let mut best = (f32::NEG_INFINITY, a);
            for b in 0..2 * gi {
                if a == b {
                    continue;
                }
                let c = cosine(y.row(a), y.row(b));
                if c > best.0 {
                    best = (c, b);
                }
                if b < a {
                    continue;
                }
                if (a < gi) == (b < gi) {
                    within += c;
                    nw += 1;
                } else {
                    across += c;
                    na += 1;
                }
            }
            if (a < gi) == (best.1 < gi) {
                pure += 1;
            }
        }
        let (within, across) = (within / nw as f32, across / na as f32);
        // An item bought by only a handful of users may sit near the origin, so allow a few.
        assert!(pure * 10 >= 2 * gi * 9, "only {pure} of {} nearest neighbours in the same group", 2 * gi);
        assert!(within > 0.4, "within-group cosine {within}");
        assert!(across.abs() < 0.1, "across-group cosine {across}");
    }

    #[test]
    fn observed_pairs_score_higher_than_unobserved() {
        let data = two_groups(30, 25, 6, 11);
        let model = train(&data, &small_cfg(), &mut |_| {}).unwrap();
        let mut observed = vec![vec![false; data.n_items]; data.n_users];
        for &(u, i, _) in &data.entries {
            observed[u as usize][i as usize] = true;
        }
        let (mut so, mut no, mut su, mut nu) = (0.0f64, 0, 0.0f64, 0);
        for (u, seen) in observed.iter().enumerate() {
            for (i, &obs) in seen.iter().enumerate() {
                let p = f64::from(model.user_factors.row(u).dot(&model.item_factors.row(i)));
                if obs {
                    so += p;
                    no += 1;
                } else {
                    su += p;
                    nu += 1;
                }
            }
        }
        let (mo, mu) = (so / no as f64, su / nu as f64);
        assert!(mo > 0.5, "mean observed prediction {mo}");
        assert!(mo > mu + 0.3, "observed {mo} vs unobserved {mu}");
    }

    #[test]
    fn validation_errors_are_typed() {
        let cfg = small_cfg();
        let mut noop = |_| {};
        let bad_user = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 0, 1.0), (2, 1, 1.0)] };
        assert_eq!(train(&bad_user, &cfg, &mut noop).unwrap_err(), AlsError::UserOutOfRange { index: 1, user: 2, n_users: 2 });
        let bad_item = Interactions { n_users: 2, n_items: 2, entries: vec![(1, 5, 1.0)] };
        assert_eq!(train(&bad_item, &cfg, &mut noop).unwrap_err(), AlsError::ItemOutOfRange { index: 0, item: 5, n_items: 2 });
        let nan = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 0, 1.0), (1, 1, f32::NAN)] };
        assert!(matches!(
            train(&nan, &cfg, &mut noop),
            Err(AlsError::InvalidWeight { index: 1, weight }) if weight.is_nan()
        ));
        let neg = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 0, -1.0)] };
        assert!(matches!(train(&neg, &cfg, &mut noop), Err(AlsError::InvalidWeight { index: 0, .. })));
        let inf = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 0, f32::INFINITY)] };
        assert!(matches!(train(&inf, &cfg, &mut noop), Err(AlsError::InvalidWeight { index: 0, .. })));
        let ok = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 0, 1.0)] };
        let zero = AlsConfig { factors: 0, ..cfg };
        assert_eq!(train(&ok, &zero, &mut noop).unwrap_err(), AlsError::ZeroFactors);
        let bad_alpha = AlsConfig { alpha: f32::NAN, ..cfg };
        assert!(matches!(train(&ok, &bad_alpha, &mut noop), Err(AlsError::InvalidConfig { name: "alpha", .. })));
        let bad_reg = AlsConfig { regularization: -1.0, ..cfg };
        assert!(matches!(train(&ok, &bad_reg, &mut noop), Err(AlsError::InvalidConfig { name: "regularization", .. })));
        let huge = Interactions { n_users: usize::MAX / 2, n_items: 1, entries: vec![] };
        assert!(matches!(train(&huge, &cfg, &mut noop), Err(AlsError::TooLarge { .. })));
        // Messages carry the index and the bounds.
        let msg = AlsError::UserOutOfRange { index: 1, user: 2, n_users: 2 }.to_string();
        assert!(msg.contains("#1") && msg.contains("user 2") && msg.contains("n_users = 2"), "{msg}");
    }

    #[test]
    fn empty_interactions_give_zero_factors() {
        let cfg = small_cfg();
        let mut calls = 0;
        let data = Interactions { n_users: 3, n_items: 4, entries: vec![] };
        let model = train(&data, &cfg, &mut |_| calls += 1).unwrap();
        assert_eq!(model.user_factors.dim(), (3, 8));
        assert_eq!(model.item_factors.dim(), (4, 8));
        assert!(model.user_factors.iter().chain(model.item_factors.iter()).all(|&v| v == 0.0));
        assert_eq!(calls, cfg.iterations);

        let none = train(&Interactions::default(), &cfg, &mut |_| {}).unwrap();
        assert_eq!(none.user_factors.dim(), (0, 8));
        assert_eq!(none.item_factors.dim(), (0, 8));

        // Zero-weight entries are unobserved, too.
        let zeros = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 1, 0.0), (1, 0, 0.0)] };
        let model = train(&zeros, &cfg, &mut |_| {}).unwrap();
        assert!(model.item_factors.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn items_without_interactions_get_zero_rows() {
        let mut data = two_groups(10, 10, 5, 3);
        data.n_items += 3; // items 20, 21, 22 never seen
        data.n_users += 1; // user 20 never active
        for iterations in [0, 3] {
            let cfg = AlsConfig { iterations, ..small_cfg() };
            let model = train(&data, &cfg, &mut |_| {}).unwrap();
            for i in 20..23 {
                assert!(model.item_factors.row(i).iter().all(|&v| v == 0.0));
            }
            assert!(model.user_factors.row(20).iter().all(|&v| v == 0.0));
            if iterations > 0 {
                assert!(model.item_factors.row(0).iter().any(|&v| v != 0.0));
            }
        }
    }

    #[test]
    fn training_is_deterministic_for_a_seed() {
        let data = two_groups(20, 15, 6, 5);
        let cfg = small_cfg();
        let a = train(&data, &cfg, &mut |_| {}).unwrap();
        let b = train(&data, &cfg, &mut |_| {}).unwrap();
        assert_eq!(a, b);
        let c = train(&data, &AlsConfig { seed: 43, ..cfg }, &mut |_| {}).unwrap();
        assert_ne!(a.item_factors, c.item_factors);
    }

    #[test]
    fn duplicates_are_summed_and_order_does_not_matter() {
        let cfg = small_cfg();
        let summed =
            Interactions { n_users: 3, n_items: 3, entries: vec![(0, 0, 3.0), (0, 1, 1.0), (1, 1, 2.0), (2, 2, 1.0), (2, 0, 1.0)] };
        let split = Interactions {
            n_users: 3,
            n_items: 3,
            entries: vec![(2, 0, 1.0), (0, 0, 1.0), (1, 1, 2.0), (0, 1, 1.0), (0, 0, 2.0), (2, 2, 1.0), (1, 2, 0.0)],
        };
        let a = train(&summed, &cfg, &mut |_| {}).unwrap();
        let b = train(&split, &cfg, &mut |_| {}).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn progress_callback_counts_iterations() {
        let data = two_groups(5, 5, 3, 1);
        let mut seen = Vec::new();
        train(&data, &AlsConfig { iterations: 4, ..small_cfg() }, &mut |i| seen.push(i)).unwrap();
        assert_eq!(seen, vec![1, 2, 3, 4]);
    }

    #[test]
    fn zero_regularization_still_solves() {
        // With λ = 0 and f larger than the data's rank the systems can be singular; the ridge
        // fallback must keep everything finite.
        let data = Interactions { n_users: 2, n_items: 2, entries: vec![(0, 0, 1.0), (1, 1, 1.0)] };
        let cfg = AlsConfig { factors: 16, regularization: 0.0, alpha: 0.0, iterations: 5, seed: 1 };
        let model = train(&data, &cfg, &mut |_| {}).unwrap();
        assert!(model.user_factors.iter().chain(model.item_factors.iter()).all(|v| v.is_finite()));
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        // A = [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]], x = [1, -2, 0.5].
        let n = 3;
        let a0 = [4.0, 2.0, 0.4, 2.0, 5.0, 1.0, 0.4, 1.0, 3.0];
        let x = [1.0, -2.0, 0.5];
        let mut b: Vec<f64> = (0..n).map(|i| (0..n).map(|j| a0[i * n + j] * x[j]).sum()).collect();
        let mut a = a0.to_vec();
        assert!(cholesky_upper(&mut a, n));
        cholesky_solve(&a, &mut b, n);
        for (got, want) in b.iter().zip(x) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        // Not positive definite.
        let mut singular = vec![1.0, 1.0, 1.0, 1.0];
        assert!(!cholesky_upper(&mut singular, 2));
        let mut indefinite = vec![1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_upper(&mut indefinite, 2));
    }

    /// Timing at the target scale: `cargo test --release -- --ignored --nocapture als_timing`.
    #[test]
    #[ignore]
    fn als_timing_synthetic_scale() {
        let (n_users, n_items, nnz) = (3_700usize, 4_000usize, 300_000usize);
        let mut rng = StdRng::seed_from_u64(9);
        let entries = (0..nnz)
            .map(|_| {
                let u = rng.random_range(0..n_users) as u32;
                // Skewed item popularity, like a shop.
                let x: f64 = rng.random_range(0.0..1.0);
                let i = ((x * x * x) * n_items as f64) as u32;
                (u, i.min(n_items as u32 - 1), rng.random_range(1.0..4.0f32))
            })
            .collect();
        let data = Interactions { n_users, n_items, entries };
        let start = std::time::Instant::now();
        let model = train(&data, &AlsConfig::default(), &mut |i| {
            eprintln!("iteration {i}: {:.2?}", start.elapsed());
        })
        .unwrap();
        eprintln!("total {:.2?}", start.elapsed());
        assert!(model.item_factors.iter().all(|v| v.is_finite()));
    }
}
