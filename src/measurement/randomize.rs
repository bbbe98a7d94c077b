//! The local randomizers: k-ary randomized response and optimized unary encoding, the rule
//! that picks one of them per question, and the unbiased per-report decoding both share.
//!
//! With `k` answers and privacy parameter ε:
//!
//! * **k-RR** (k-ary randomized response) sends one answer: the true one with probability
//!   `p = e^ε / (e^ε + k − 1)`, each other one with `q = 1 / (e^ε + k − 1)`. The ratio of any
//!   output's probability under two inputs is at most `p / q = e^ε`.
//! * **OUE** (optimized unary encoding, Wang et al., USENIX Security 2017) sends `k` bits: the
//!   true answer's bit is 1 with probability `p = 1/2`, every other bit is 1 with
//!   `q = 1 / (e^ε + 1)`, independently. Two inputs differ in two bits, so the ratio is at most
//!   `(p (1 − q)) / ((1 − p) q) = e^ε`.
//!
//! For both, `(1[answer or bit v] − q) / (p − q)` is an unbiased estimate of `1[true answer is
//! v]` ([`debias`]). Its variance, for a category of true share f among n reports, is about
//! `(e^ε + k − 2) / ((e^ε − 1)² n)` for k-RR and `4 e^ε / ((e^ε − 1)² n)` for OUE; k-RR has
//! the smaller one exactly when `k < 3 e^ε + 2` ([`Mechanism::for_question`]).

use serde::{Deserialize, Serialize};

use super::error::MeasurementError;

/// A source of uniformly random 64-bit words: the system's CSPRNG on the device
/// ([`super::experiment::SystemCoins`]), a seeded generator in simulations.
pub trait Coins {
    /// The next 64 random bits.
    fn next_u64(&mut self) -> Result<u64, MeasurementError>;

    /// A uniform number in [0, 1) with 53 random bits.
    fn uniform(&mut self) -> Result<f64, MeasurementError> {
        Ok((self.next_u64()? >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
    }

    /// True with probability `p`.
    fn bernoulli(&mut self, p: f64) -> Result<bool, MeasurementError> {
        Ok(self.uniform()? < p)
    }

    /// A uniform integer in `0..n` (`n ≥ 1`), without modulo bias (rejection sampling).
    fn below(&mut self, n: u32) -> Result<u32, MeasurementError> {
        let n = u64::from(n.max(1));
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64()?;
            if x < zone {
                return Ok((x % n) as u32);
            }
        }
    }
}

impl Coins for crate::explore::SplitMix64 {
    fn next_u64(&mut self) -> Result<u64, MeasurementError> {
        Ok(crate::explore::SplitMix64::next_u64(self))
    }
}

/// Which randomizer a question uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// k-ary randomized response: one answer is sent.
    KaryResponse,
    /// Optimized unary encoding: one bit per answer is sent.
    UnaryEncoding,
}

impl Mechanism {
    /// The mechanism with the smaller variance for `k` answers at `epsilon`: k-RR when
    /// `k < 3 e^ε + 2`, else OUE (yes/no questions always use randomized response).
    pub fn for_question(k: usize, epsilon: f64) -> Mechanism {
        if (k as f64) < 3.0 * epsilon.exp() + 2.0 {
            Mechanism::KaryResponse
        } else {
            Mechanism::UnaryEncoding
        }
    }

    /// `(p, q)`: the probability that the true answer's output is set, and that another one is.
    pub fn probabilities(self, k: usize, epsilon: f64) -> (f64, f64) {
        let e = epsilon.exp();
        match self {
            Mechanism::KaryResponse => (e / (e + k as f64 - 1.0), 1.0 / (e + k as f64 - 1.0)),
            Mechanism::UnaryEncoding => (0.5, 1.0 / (e + 1.0)),
        }
    }
}

/// A randomized answer as sent: one index (k-RR) or one bit per answer (OUE).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// The index of the answer sent (k-RR).
    Index(u32),
    /// One 0/1 per answer (OUE).
    Bits(Vec<u8>),
}

/// Randomizes the true answer `truth` (in `0..k`) with the question's mechanism at `epsilon`.
pub fn randomize(truth: usize, k: usize, epsilon: f64, coins: &mut dyn Coins) -> Result<Answer, MeasurementError> {
    let mechanism = Mechanism::for_question(k, epsilon);
    let (p, q) = mechanism.probabilities(k, epsilon);
    match mechanism {
        Mechanism::KaryResponse => {
            if coins.bernoulli(p)? {
                return Ok(Answer::Index(truth as u32));
            }
            // One of the k − 1 other answers, uniformly.
            let other = coins.below(k as u32 - 1)?;
            Ok(Answer::Index(if other >= truth as u32 { other + 1 } else { other }))
        }
        Mechanism::UnaryEncoding => {
            let mut bits = Vec::with_capacity(k);
            for v in 0..k {
                bits.push(u8::from(coins.bernoulli(if v == truth { p } else { q })?));
            }
            Ok(Answer::Bits(bits))
        }
    }
}

/// Whether `answer` has the shape the question's mechanism sends (an index below `k`, or `k`
/// bits of 0 or 1).
pub fn check_answer(answer: &Answer, k: usize, epsilon: f64) -> Result<(), String> {
    match (Mechanism::for_question(k, epsilon), answer) {
        (Mechanism::KaryResponse, Answer::Index(i)) if (*i as usize) < k => Ok(()),
        (Mechanism::KaryResponse, _) => Err(format!("expected one answer index from 0 to {} (k-ary randomized response)", k - 1)),
        (Mechanism::UnaryEncoding, Answer::Bits(bits)) if bits.len() == k && bits.iter().all(|&b| b <= 1) => Ok(()),
        (Mechanism::UnaryEncoding, _) => Err(format!("expected {k} bits of 0 or 1 (optimized unary encoding)")),
    }
}

/// The unbiased estimate, from one report, of the one-hot vector of its true answer:
/// `(1[output v] − q) / (p − q)` for every answer v. `answer` must pass [`check_answer`].
pub fn debias(answer: &Answer, k: usize, epsilon: f64) -> Vec<f64> {
    let (p, q) = Mechanism::for_question(k, epsilon).probabilities(k, epsilon);
    let set = |v: usize| match answer {
        Answer::Index(i) => *i as usize == v,
        Answer::Bits(bits) => bits.get(v) == Some(&1),
    };
    (0..k).map(|v| (f64::from(u8::from(set(v))) - q) / (p - q)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::SplitMix64;

    #[test]
    fn the_mechanism_with_the_smaller_variance_is_chosen() {
        assert_eq!(Mechanism::for_question(2, 0.1), Mechanism::KaryResponse);
        assert_eq!(Mechanism::for_question(6, 0.5), Mechanism::KaryResponse);
        assert_eq!(Mechanism::for_question(12, 1.0), Mechanism::UnaryEncoding);
        assert_eq!(Mechanism::for_question(12, 2.0), Mechanism::KaryResponse);
        for (k, eps) in [(2, 0.5f64), (6, 1.0), (12, 1.0), (12, 2.0), (12, 0.5)] {
            let krr = (eps.exp() + k as f64 - 2.0) / (eps.exp() - 1.0).powi(2);
            let oue = 4.0 * eps.exp() / (eps.exp() - 1.0).powi(2);
            let chosen = Mechanism::for_question(k, eps);
            assert_eq!(chosen == Mechanism::KaryResponse, krr < oue, "k {k}, ε {eps}");
        }
    }

    #[test]
    fn both_mechanisms_bound_the_likelihood_ratio_by_e_to_the_epsilon() {
        for (k, eps) in [(2, 1.0f64), (6, 0.5), (12, 1.0), (12, 2.0)] {
            let (p, q) = Mechanism::for_question(k, eps).probabilities(k, eps);
            let ratio = match Mechanism::for_question(k, eps) {
                Mechanism::KaryResponse => p / q,
                Mechanism::UnaryEncoding => (p * (1.0 - q)) / ((1.0 - p) * q),
            };
            assert!((ratio - eps.exp()).abs() < 1e-9, "k {k}, ε {eps}: ratio {ratio}");
        }
    }

    /// The mean of the debiased vectors approaches the one-hot truth.
    fn mean_debiased(truth: usize, k: usize, eps: f64, n: usize) -> Vec<f64> {
        let mut coins = SplitMix64::new(7);
        let mut sum = vec![0.0; k];
        for _ in 0..n {
            let answer = randomize(truth, k, eps, &mut coins).unwrap();
            check_answer(&answer, k, eps).unwrap();
            for (s, d) in sum.iter_mut().zip(debias(&answer, k, eps)) {
                *s += d;
            }
        }
        sum.into_iter().map(|s| s / n as f64).collect()
    }

    #[test]
    fn debiasing_is_unbiased_for_both_mechanisms() {
        for (k, eps) in [(2, 1.0), (6, 1.0), (12, 1.0), (12, 2.0)] {
            let mean = mean_debiased(3 % k, k, eps, 200_000);
            for (v, m) in mean.iter().enumerate() {
                let want = if v == 3 % k { 1.0 } else { 0.0 };
                assert!((m - want).abs() < 0.05, "k {k}, ε {eps}, answer {v}: {m} vs {want}");
            }
        }
    }

    #[test]
    fn answers_of_the_wrong_shape_are_refused() {
        assert!(check_answer(&Answer::Index(2), 2, 1.0).is_err());
        assert!(check_answer(&Answer::Bits(vec![0, 1]), 2, 1.0).is_err());
        assert!(check_answer(&Answer::Bits(vec![0; 11]), 12, 1.0).is_err());
        assert!(check_answer(&Answer::Bits(vec![2; 12]), 12, 1.0).is_err());
        assert!(check_answer(&Answer::Bits(vec![0; 12]), 12, 1.0).is_ok());
        assert!(check_answer(&Answer::Index(11), 12, 2.0).is_ok());
    }

    #[test]
    fn below_is_uniform() {
        let mut coins = SplitMix64::new(1);
        let mut counts = [0u32; 5];
        for _ in 0..50_000 {
            counts[coins.below(5).unwrap() as usize] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }
}
