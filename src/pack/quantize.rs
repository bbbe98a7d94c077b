//! Symmetric per-dimension int8 quantization of item embeddings.
//!
//! Each dimension `j` gets a scale `s_j = max_i |x_ij| / 127`, and `x_ij ≈ s_j · q_ij` with
//! `q_ij ∈ [-127, 127]`. Per-dimension scales can be folded into the query once
//! (`q'_j = q_j · s_j`), so scoring an item is a pure integer dot product.

/// Quantized rows: `codes[i * dim + j]` with one scale per dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    /// Dimension of each row.
    pub dim: usize,
    /// Scale per dimension (0 where the whole column is 0).
    pub scales: Vec<f32>,
    /// Row-major codes.
    pub codes: Vec<i8>,
}

/// Quantizes `rows` (row-major, `rows.len() == n * dim`). Non-finite inputs count as 0.
pub fn quantize_per_dimension(rows: &[f32], dim: usize) -> Quantized {
    if dim == 0 {
        return Quantized { dim, scales: Vec::new(), codes: Vec::new() };
    }
    let finite = |x: f32| if x.is_finite() { x } else { 0.0 };
    let mut max_abs = vec![0.0f32; dim];
    for row in rows.chunks_exact(dim) {
        for (m, &x) in max_abs.iter_mut().zip(row) {
            *m = m.max(finite(x).abs());
        }
    }
    let scales: Vec<f32> = max_abs.iter().map(|&m| m / 127.0).collect();
    let mut codes = Vec::with_capacity(rows.len() - rows.len() % dim);
    for row in rows.chunks_exact(dim) {
        for (&x, &s) in row.iter().zip(&scales) {
            let q = if s > 0.0 { (finite(x) / s).round().clamp(-127.0, 127.0) } else { 0.0 };
            codes.push(q as i8);
        }
    }
    Quantized { dim, scales, codes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantization_error_is_within_half_a_step() {
        let rows = [0.5f32, -2.0, 0.0, 1.0, 0.25, 4.0, -0.1, 0.3, f32::NAN];
        let q = quantize_per_dimension(&rows, 3);
        assert_eq!(q.codes.len(), 9);
        for (i, &x) in rows.iter().enumerate() {
            let x = if x.is_finite() { x } else { 0.0 };
            let s = q.scales[i % 3];
            let back = s * f32::from(q.codes[i]);
            assert!((back - x).abs() <= s * 0.5 + 1e-6, "{x} vs {back}");
        }
        assert_eq!(q.codes[1], -127);
    }
}
