//! Exploration: a bounded slot per shelf for under-exposed items, chosen by a seeded bandit.
//!
//! Each candidate arm is an eligible item with few interactions. Its value is drawn from
//! `Beta(1 + 4 · relevance, 1 + exposure)` (Thompson sampling), where `relevance` in [0, 1] is
//! how close the item is to what the shelf is about and `exposure` is how many shoppers have
//! already interacted with it. The arms with the highest draws fill the slots. The random
//! numbers come from SplitMix64 seeded by the request, so the same seed gives the same picks.

/// Most exploration slots one shelf may have, as a share of its size (rounded down, at least
/// one for shelves of two or more items).
pub const MAX_SLOT_SHARE: f32 = 0.25;

/// The number of exploration slots a shelf of `k` items may have when `asked` are requested.
pub fn slot_limit(k: usize, asked: usize) -> usize {
    if k < 2 {
        return 0;
    }
    let bound = ((k as f32 * MAX_SLOT_SHARE) as usize).max(1);
    asked.min(bound)
}

/// SplitMix64: a tiny, well-mixed, seedable generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator with `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A Gamma(shape, 1) draw for shape ≥ 1 (Marsaglia–Tsang).
    pub fn gamma(&mut self, shape: f64) -> f64 {
        let d = shape.max(1.0) - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// A Beta(a, b) draw for a, b ≥ 1.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        if x + y <= 0.0 {
            0.5
        } else {
            x / (x + y)
        }
    }
}

/// An arm: an item, how relevant it is (in [0, 1]) and how exposed it already is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arm {
    /// Item index.
    pub item: u32,
    /// Relevance to the shelf, in [0, 1].
    pub relevance: f32,
    /// Interactions so far (shoppers).
    pub exposure: f32,
}

/// Draws one value per arm (in the order given) and returns the `slots` best arms, best first.
pub fn choose(arms: &[Arm], slots: usize, seed: u64) -> Vec<(Arm, f64)> {
    let mut rng = SplitMix64::new(seed);
    let mut drawn: Vec<(Arm, f64)> = arms
        .iter()
        .map(|arm| {
            let a = 1.0 + 4.0 * f64::from(arm.relevance.clamp(0.0, 1.0));
            let b = 1.0 + f64::from(arm.exposure.max(0.0));
            (*arm, rng.beta(a, b))
        })
        .collect();
    crate::order::sort_by(&mut drawn, &|x, y| y.1.total_cmp(&x.1).then(x.0.item.cmp(&y.0.item)));
    drawn.truncate(slots);
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_by_a_quarter_of_the_shelf() {
        assert_eq!(slot_limit(1, 3), 0);
        assert_eq!(slot_limit(2, 3), 1);
        assert_eq!(slot_limit(8, 1), 1);
        assert_eq!(slot_limit(8, 5), 2);
        assert_eq!(slot_limit(8, 0), 0);
    }

    #[test]
    fn beta_draws_stay_in_the_unit_interval_and_follow_the_mean() {
        let mut rng = SplitMix64::new(7);
        let n = 4000;
        let mean: f64 = (0..n).map(|_| rng.beta(5.0, 1.0)).inspect(|x| assert!((0.0..=1.0).contains(x))).sum::<f64>() / n as f64;
        assert!((mean - 5.0 / 6.0).abs() < 0.02, "mean {mean}");
    }

    #[test]
    fn the_same_seed_gives_the_same_choice() {
        let arms: Vec<Arm> = (0..50).map(|i| Arm { item: i, relevance: 0.5, exposure: (i % 5) as f32 }).collect();
        let a: Vec<u32> = choose(&arms, 2, 99).iter().map(|(arm, _)| arm.item).collect();
        let b: Vec<u32> = choose(&arms, 2, 99).iter().map(|(arm, _)| arm.item).collect();
        assert_eq!(a, b);
        let others: Vec<Vec<u32>> = (0..10).map(|s| choose(&arms, 2, s).iter().map(|(arm, _)| arm.item).collect()).collect();
        assert!(others.iter().any(|o| *o != a), "different seeds explore different items");
    }
}
