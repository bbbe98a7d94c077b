//! Experiments: the shop's arms, the device secret and each device's arm, and the system's
//! cryptographic random source.
//!
//! The device secret is 128 bits from the system's CSPRNG (`getrandom`: in the browser
//! `crypto.getRandomValues`, natively the OS). A device's arm in an experiment is a pure
//! function of the secret and the experiment's name: `u = SipHash-2-4(key = secret, name) /
//! 2^64`, and the arm whose cumulative weight (arms in name order, weights normalized) first
//! exceeds `u`. So the arm is drawn once and stays the same for as long as the secret is kept,
//! a new experiment draws afresh, independently of the last, and nothing random is ever taken
//! from `Math.random`.

use super::error::MeasurementError;
use super::randomize::Coins;
use super::report::check_name;

/// The arm that gets shelves ranked as for a shopper without events.
pub const CONTROL_ARM: &str = "control";
/// Most arms in one experiment.
pub const MAX_ARMS: usize = 16;

/// An experiment as the shop declares it: `{ name, arms: { control: 0.1, personalized: 0.9 } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// The experiment's name (a new name draws the arms afresh).
    pub name: String,
    /// Arm names and their weights (positive; normalized to sum to 1).
    pub arms: Vec<(String, f64)>,
}

impl Experiment {
    /// Checks the names and weights; returns the arms sorted by name with weights summing to 1.
    pub fn checked_arms(&self) -> Result<Vec<(String, f64)>, MeasurementError> {
        let bad = |name, detail| MeasurementError::InvalidSetting { name, detail };
        check_name(&self.name).map_err(|d| bad("experiment.name", d))?;
        if self.arms.is_empty() || self.arms.len() > MAX_ARMS {
            return Err(bad("experiment.arms", format!("expected 1 to {MAX_ARMS} arms, got {}", self.arms.len())));
        }
        let mut arms = self.arms.clone();
        crate::order::sort_by(&mut arms, &|a: &(String, f64), b: &(String, f64)| a.0.cmp(&b.0));
        for pair in arms.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(bad("experiment.arms", format!("the arm {:?} is named twice", pair[0].0)));
            }
        }
        for (name, weight) in &arms {
            check_name(name).map_err(|d| bad("experiment.arms", d))?;
            if !(weight.is_finite() && *weight > 0.0) {
                return Err(bad("experiment.arms", format!("the weight of {name:?} must be a number above 0, got {weight}")));
            }
        }
        let total: f64 = arms.iter().map(|a| a.1).sum();
        Ok(arms.into_iter().map(|(name, w)| (name, w / total)).collect())
    }

    /// The arm of the device with `secret`.
    pub fn arm_of(&self, secret: &DeviceSecret) -> Result<String, MeasurementError> {
        let arms = self.checked_arms()?;
        let u = secret.uniform_for(&self.name);
        let mut cumulative = 0.0;
        for (name, weight) in &arms {
            cumulative += weight;
            if u < cumulative {
                return Ok(name.clone());
            }
        }
        // Rounding left u at or above the last sum: the last arm.
        Ok(arms.last().map(|a| a.0.clone()).unwrap_or_default())
    }
}

/// The device secret: 128 random bits, kept on the device only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceSecret([u8; 16]);

impl DeviceSecret {
    /// A fresh secret from the system's CSPRNG.
    pub fn generate() -> Result<DeviceSecret, MeasurementError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| MeasurementError::RandomnessUnavailable { detail: e.to_string() })?;
        Ok(DeviceSecret(bytes))
    }

    /// The secret as 32 lowercase hex digits (how the shell stores it). Written by hand rather
    /// than with `format!("{b:02x}")`, which brings the integer formatting machinery (part of
    /// the 9.2 KB gzip saved in docs/MEASUREMENT.md §8).
    pub fn to_hex(self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.0.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)] as char, DIGITS[usize::from(b & 15)] as char]).collect()
    }

    /// Reads 32 hex digits.
    pub fn from_hex(hex: &str) -> Result<DeviceSecret, MeasurementError> {
        let bad = || MeasurementError::InvalidSetting { name: "device secret", detail: "expected 32 hex digits".into() };
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        let digits: Option<Vec<u8>> = hex.bytes().map(digit).collect();
        match digits {
            Some(d) if d.len() == 32 => {
                let mut bytes = [0u8; 16];
                for (b, pair) in bytes.iter_mut().zip(d.chunks_exact(2)) {
                    *b = (pair[0] << 4) | pair[1];
                }
                Ok(DeviceSecret(bytes))
            }
            _ => Err(bad()),
        }
    }

    /// `SipHash-2-4(key = secret, name) / 2^64`: uniform in [0, 1) and independent across names.
    fn uniform_for(&self, name: &str) -> f64 {
        use std::hash::Hasher;
        let (k0, k1) = self.0.split_at(8);
        let key = |half: &[u8]| half.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        // core's SipHasher is SipHash-2-4 (deprecated only in favour of the unspecified
        // DefaultHasher); a keyed PRF is what the arm draw needs.
        #[allow(deprecated)]
        let mut hasher = std::hash::SipHasher::new_with_keys(key(k0), key(k1));
        hasher.write(name.as_bytes());
        (hasher.finish() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The system's CSPRNG as [`Coins`]: 32 words fetched at a time with `getrandom`.
#[derive(Debug, Default)]
pub struct SystemCoins {
    words: Vec<u64>,
}

impl Coins for SystemCoins {
    fn next_u64(&mut self) -> Result<u64, MeasurementError> {
        if self.words.is_empty() {
            let mut bytes = [0u8; 256];
            getrandom::fill(&mut bytes).map_err(|e| MeasurementError::RandomnessUnavailable { detail: e.to_string() })?;
            self.words = bytes.chunks_exact(8).map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))).collect();
        }
        self.words.pop().ok_or_else(|| MeasurementError::RandomnessUnavailable { detail: "no words".into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn experiment(arms: &[(&str, f64)]) -> Experiment {
        Experiment { name: "shelves-2027-01".into(), arms: arms.iter().map(|(n, w)| ((*n).to_owned(), *w)).collect() }
    }

    #[test]
    fn arms_split_devices_by_their_weights_and_stay_put() {
        let e = experiment(&[("personalized", 0.9), ("control", 0.1)]);
        let mut control = 0;
        for _ in 0..4000 {
            let secret = DeviceSecret::generate().unwrap();
            let arm = e.arm_of(&secret).unwrap();
            assert_eq!(e.arm_of(&DeviceSecret::from_hex(&secret.to_hex()).unwrap()).unwrap(), arm, "the same secret, the same arm");
            control += usize::from(arm == CONTROL_ARM);
        }
        assert!((300..500).contains(&control), "about 10% of 4000 devices in control: {control}");
    }

    #[test]
    fn another_experiment_draws_afresh() {
        let a = experiment(&[("x", 1.0), ("y", 1.0)]);
        let b = Experiment { name: "another".into(), ..a.clone() };
        let differ = (0..400)
            .filter(|_| {
                let s = DeviceSecret::generate().unwrap();
                a.arm_of(&s).unwrap() != b.arm_of(&s).unwrap()
            })
            .count();
        assert!((120..280).contains(&differ), "about half of the devices change arm: {differ}");
    }

    #[test]
    fn bad_experiments_are_refused() {
        assert!(experiment(&[]).checked_arms().is_err());
        assert!(experiment(&[("a", 1.0), ("a", 2.0)]).checked_arms().is_err());
        assert!(experiment(&[("a", 0.0)]).checked_arms().is_err());
        assert!(experiment(&[("a b", 1.0)]).checked_arms().is_err());
        assert!(Experiment { name: String::new(), ..experiment(&[("a", 1.0)]) }.checked_arms().is_err());
        assert!(DeviceSecret::from_hex("zz").is_err());
        let arms = experiment(&[("b", 3.0), ("a", 1.0)]).checked_arms().unwrap();
        assert_eq!(arms, [("a".to_owned(), 0.25), ("b".to_owned(), 0.75)]);
    }

    #[test]
    fn system_coins_are_not_constant() {
        let mut coins = SystemCoins::default();
        let words: Vec<u64> = (0..40).map(|_| coins.next_u64().unwrap()).collect();
        let distinct: std::collections::BTreeSet<_> = words.iter().collect();
        assert_eq!(distinct.len(), 40);
    }
}
