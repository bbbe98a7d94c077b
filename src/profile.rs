//! The shopper's profile: a time-decayed interest vector plus readable affinities.
//!
//! Every event with an item adds that item's (dequantized, unit-length) embedding to the
//! interest vector with weight `kind weight × 2^(−age / half_life)`. The same weights feed a
//! per-category affinity, which is what a person can read ("mostly candles & lights").

use serde::Serialize;

use crate::event::Event;
use crate::pack::Pack;

/// How events turn into a profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileConfig {
    /// An event's weight halves every this many milliseconds.
    pub half_life_ms: f64,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig { half_life_ms: 7.0 * 24.0 * 3600.0 * 1000.0 }
    }
}

/// A category and how much of the shopper's (decayed) attention went to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryAffinity {
    /// Category name.
    pub category: String,
    /// Share of the positive event weight, in [0, 1].
    pub share: f32,
}

/// What the events say about the shopper.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Interest direction in embedding space (unit length, or all zero when there is no signal).
    pub interest: Vec<f32>,
    /// Sum of the decayed positive weights: how much evidence there is.
    pub evidence: f32,
    /// Category index → decayed weight (positive part).
    pub category_weight: Vec<f32>,
    /// Number of item events used.
    pub events_used: usize,
}

/// Exponential decay factor for an event `age_ms` old (future events count as now).
pub fn decay(age_ms: f64, half_life_ms: f64) -> f32 {
    if half_life_ms <= 0.0 {
        return 1.0;
    }
    (-(age_ms.max(0.0) / half_life_ms) * std::f64::consts::LN_2).exp() as f32
}

/// Dequantizes item `i` into `out` and returns its length.
pub fn item_vector<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32, out: &mut [f32]) -> f32 {
    let mut norm = 0.0f32;
    for ((o, c), &s) in out.iter_mut().zip(pack.embedding_iter(i)).zip(pack.embedding_scales()) {
        *o = f32::from(c) * s;
        norm += *o * *o;
    }
    norm.sqrt()
}

impl Profile {
    /// Builds the profile from `events` as of `now_ms`.
    pub fn build<'e, B: AsRef<[u8]>>(
        pack: &Pack<B>,
        events: impl IntoIterator<Item = &'e Event>,
        now_ms: i64,
        config: &ProfileConfig,
    ) -> Profile {
        let dim = pack.dim();
        let mut interest = vec![0.0f32; dim];
        let mut row = vec![0.0f32; dim];
        let mut category_weight = vec![0.0f32; pack.category_count() as usize];
        let mut evidence = 0.0f32;
        let mut events_used = 0;
        for e in events {
            let kind_weight = e.kind.interest_weight();
            if kind_weight == 0.0 || e.item >= pack.item_count() {
                continue;
            }
            events_used += 1;
            let w = kind_weight * decay((now_ms - e.ts_ms) as f64, config.half_life_ms);
            let norm = item_vector(pack, e.item, &mut row);
            if norm > 0.0 {
                for (acc, x) in interest.iter_mut().zip(&row) {
                    *acc += w * x / norm;
                }
            }
            if w > 0.0 {
                evidence += w;
                if let Some(c) = pack.category_index(e.item).and_then(|c| category_weight.get_mut(c as usize)) {
                    *c += w;
                }
            }
        }
        let len = interest.iter().map(|x| x * x).sum::<f32>().sqrt();
        if len > 1e-12 {
            interest.iter_mut().for_each(|x| *x /= len);
        } else {
            interest.iter_mut().for_each(|x| *x = 0.0);
        }
        Profile { interest, evidence, category_weight, events_used }
    }

    /// Whether there is anything to personalize with.
    pub fn is_empty(&self) -> bool {
        self.evidence <= 0.0 || self.interest.iter().all(|&x| x == 0.0)
    }

    /// The categories with the largest share of attention, best first.
    pub fn top_categories<B: AsRef<[u8]>>(&self, pack: &Pack<B>, n: usize) -> Vec<CategoryAffinity> {
        let total: f32 = self.category_weight.iter().sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let mut cats: Vec<(usize, f32)> =
            self.category_weight.iter().copied().enumerate().filter(|&(_, w)| w > 0.0).collect();
        cats.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        cats.into_iter()
            .take(n)
            .map(|(c, w)| CategoryAffinity { category: pack.category_name(c as u32).to_owned(), share: w / total })
            .collect()
    }
}
