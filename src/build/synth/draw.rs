//! Small random helpers (none of them can panic) and the weighted picker.

use rand::rngs::StdRng;
use rand::Rng;

/// True with probability `p` (any `p`; values outside 0..1 act as 0 or 1).
pub(super) fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A uniform index below `len`, or `None` for an empty range.
pub(super) fn index_below(rng: &mut StdRng, len: usize) -> Option<usize> {
    (len > 0).then(|| rng.random_range(0..len))
}

/// A standard normal draw (Box–Muller).
pub(super) fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1]
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Picks one of `words`, or "" when there are none.
pub(super) fn pick_word(rng: &mut StdRng, words: &[&'static str]) -> &'static str {
    index_below(rng, words.len()).and_then(|i| words.get(i).copied()).unwrap_or("")
}

/// SplitMix64 finaliser: spreads a seed and a stream number into an independent seed.
pub(super) fn mix_seed(seed: u64, stream: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Draws entries with probability proportional to their weight (binary search on the running
/// sum, so it is cheap for repeated draws).
#[derive(Debug, Clone, Default)]
pub(super) struct WeightedPicker {
    pub(super) entries: Vec<usize>,
    pub(super) running_total: Vec<f64>,
}

impl WeightedPicker {
    /// Builds a picker; entries with a weight that is not finite and positive are left out.
    pub(super) fn new(weighted: impl IntoIterator<Item = (usize, f64)>) -> Self {
        let mut picker = WeightedPicker::default();
        let mut total = 0.0;
        for (entry, weight) in weighted {
            if weight.is_finite() && weight > 0.0 {
                total += weight;
                picker.entries.push(entry);
                picker.running_total.push(total);
            }
        }
        picker
    }

    pub(super) fn pick(&self, rng: &mut StdRng) -> Option<usize> {
        let total = *self.running_total.last()?;
        let target = rng.random::<f64>() * total;
        let position = self.running_total.partition_point(|&sum| sum <= target);
        self.entries.get(position.min(self.entries.len().saturating_sub(1))).copied()
    }
}
