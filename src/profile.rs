//! The shopper's profile: time-decayed interest vectors plus readable affinities and segments.
//!
//! Every event with an item adds that item's (dequantized, unit-length) embedding to the
//! long-term interest vector with weight `kind weight × 2^(−age / half_life)`; the events of the
//! current session (the trailing run of events with gaps under [`ProfileConfig::session_gap_ms`])
//! also build a session interest vector without decay. The same weights feed per-category,
//! per-brand and per-price-band affinities, which is what a person can read ("mostly candles &
//! lights, mid price"), and the [`segments`](Profile::segments) derived from them.
//!
//! Interests the shopper removed ([`Suppressions`]) are left out: events on items of a removed
//! category or brand add nothing, so the rankings built on the profile change with them.

use serde::Serialize;

use crate::event::Event;
use crate::pack::Pack;

/// How events turn into a profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileConfig {
    /// An event's weight halves every this many milliseconds.
    pub half_life_ms: f64,
    /// A pause longer than this between two events starts a new session.
    pub session_gap_ms: f64,
}

impl Default for ProfileConfig {
    fn default() -> Self {
        ProfileConfig { half_life_ms: 7.0 * 24.0 * 3600.0 * 1000.0, session_gap_ms: 30.0 * 60.0 * 1000.0 }
    }
}

/// Where an item's price sits within its own category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceBand {
    /// The cheapest third of its category.
    Low,
    /// The middle third.
    Mid,
    /// The dearest third.
    High,
}

impl PriceBand {
    /// All bands, cheapest first.
    pub const ALL: [PriceBand; 3] = [PriceBand::Low, PriceBand::Mid, PriceBand::High];

    /// "low", "mid", "high".
    pub fn as_str(self) -> &'static str {
        match self {
            PriceBand::Low => "low",
            PriceBand::Mid => "mid",
            PriceBand::High => "high",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The price band of every item, by terciles of the prices within its category (categories
/// with fewer than three items are all mid).
#[derive(Debug, Clone, PartialEq)]
pub struct PriceBands {
    bands: Vec<PriceBand>,
}

impl PriceBands {
    /// Computes the bands of every item of `pack`.
    pub fn of<B: AsRef<[u8]>>(pack: &Pack<B>) -> PriceBands {
        let n = pack.item_count();
        let mut by_category: Vec<Vec<f32>> = vec![Vec::new(); pack.category_count() as usize];
        for i in 0..n {
            if let Some(prices) = pack.category_index(i).and_then(|x| by_category.get_mut(x as usize)) {
                prices.push(pack.price(i));
            }
        }
        let cuts: Vec<Option<(f32, f32)>> = by_category
            .iter_mut()
            .map(|prices| {
                if prices.len() < 3 {
                    return None;
                }
                crate::order::sort_by(prices, &f32::total_cmp);
                let at = |q: usize| prices[(prices.len() * q / 3).min(prices.len() - 1)];
                Some((at(1), at(2)))
            })
            .collect();
        let bands = (0..n)
            .map(|i| match pack.category_index(i).and_then(|x| cuts.get(x as usize).copied().flatten()) {
                Some((low, high)) => {
                    let p = pack.price(i);
                    if p < low {
                        PriceBand::Low
                    } else if p >= high {
                        PriceBand::High
                    } else {
                        PriceBand::Mid
                    }
                }
                None => PriceBand::Mid,
            })
            .collect();
        PriceBands { bands }
    }

    /// The band of item `i` (mid for an index out of range).
    pub fn band(&self, i: u32) -> PriceBand {
        self.bands.get(i as usize).copied().unwrap_or(PriceBand::Mid)
    }
}

/// Interests the shopper removed: categories and brands (pack indices) the profile ignores.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// Removed category indices.
    pub categories: Vec<u32>,
    /// Removed brand indices.
    pub brands: Vec<u32>,
}

impl Suppressions {
    /// Whether item `i` belongs to a removed category or brand.
    pub fn hides<B: AsRef<[u8]>>(&self, pack: &Pack<B>, i: u32) -> bool {
        (!self.categories.is_empty() && pack.category_index(i).is_some_and(|c| self.categories.contains(&c)))
            || (!self.brands.is_empty() && pack.brand_index(i).is_some_and(|b| self.brands.contains(&b)))
    }

    /// Whether nothing was removed.
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty() && self.brands.is_empty()
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

/// A brand and its share of the shopper's (decayed) attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BrandAffinity {
    /// Brand name.
    pub brand: String,
    /// Share of the positive event weight, in [0, 1].
    pub share: f32,
}

/// A price band and its share of the shopper's (decayed) attention.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceBandAffinity {
    /// The band.
    pub band: PriceBand,
    /// Share of the positive event weight, in [0, 1].
    pub share: f32,
}

/// What the events say about the shopper.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Long-term interest direction in embedding space (unit length, or all zero when there is
    /// no signal).
    pub interest: Vec<f32>,
    /// Interest direction of the current session only (unit length or all zero).
    pub session_interest: Vec<f32>,
    /// Sum of the decayed positive weights: how much evidence there is.
    pub evidence: f32,
    /// Sum of the positive weights of the current session.
    pub session_evidence: f32,
    /// Category index → decayed weight (positive part).
    pub category_weight: Vec<f32>,
    /// Brand index → decayed weight (positive part).
    pub brand_weight: Vec<f32>,
    /// Decayed weight per price band (low, mid, high).
    pub price_band_weight: [f32; 3],
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

/// The index where the current session starts in `events` (ordered by time): after the last
/// gap longer than `gap_ms`, or `events.len()` when the last event is older than `gap_ms`.
fn session_start(times: &[i64], now_ms: i64, gap_ms: f64) -> usize {
    match times.last() {
        None => 0,
        Some(&last) if (now_ms - last) as f64 > gap_ms => times.len(),
        Some(_) => {
            let mut start = times.len() - 1;
            while start > 0 && ((times[start] - times[start - 1]) as f64) <= gap_ms {
                start -= 1;
            }
            start
        }
    }
}

fn shares<T>(weights: &[f32], n: usize, make: impl Fn(usize, f32) -> T) -> Vec<T> {
    let total: f32 = weights.iter().sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut order: Vec<(usize, f32)> = weights.iter().copied().enumerate().filter(|&(_, w)| w > 0.0).collect();
    crate::order::sort_by(&mut order, &|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order.into_iter().take(n).map(|(i, w)| make(i, w / total)).collect()
}

impl Profile {
    /// Builds the profile from `events` as of `now_ms`.
    pub fn build<'e, B: AsRef<[u8]>>(
        pack: &Pack<B>,
        events: impl IntoIterator<Item = &'e Event>,
        now_ms: i64,
        config: &ProfileConfig,
    ) -> Profile {
        Profile::build_with(pack, events, now_ms, config, &Suppressions::default(), &PriceBands::of(pack))
    }

    /// Builds the profile from `events` as of `now_ms`, ignoring events on items that
    /// `suppressions` hides; `bands` are the pack's price bands ([`PriceBands::of`]).
    pub fn build_with<'e, B: AsRef<[u8]>>(
        pack: &Pack<B>,
        events: impl IntoIterator<Item = &'e Event>,
        now_ms: i64,
        config: &ProfileConfig,
        suppressions: &Suppressions,
        bands: &PriceBands,
    ) -> Profile {
        let dim = pack.dim();
        let mut interest = vec![0.0f32; dim];
        let mut session_interest = vec![0.0f32; dim];
        let mut row = vec![0.0f32; dim];
        let mut category_weight = vec![0.0f32; pack.category_count() as usize];
        let mut brand_weight = vec![0.0f32; pack.brand_count() as usize];
        let mut price_band_weight = [0.0f32; 3];
        let mut evidence = 0.0f32;
        let mut session_evidence = 0.0f32;
        let mut events_used = 0;
        let used: Vec<&Event> = events
            .into_iter()
            .filter(|e| e.kind.weights().interest != 0.0 && e.item < pack.item_count() && !suppressions.hides(pack, e.item))
            .collect();
        let mut times: Vec<i64> = used.iter().map(|e| e.ts_ms).collect();
        crate::order::sort_by(&mut times, &i64::cmp);
        let session_from = times.get(session_start(&times, now_ms, config.session_gap_ms)).copied();
        for e in used {
            let kind_weight = e.kind.weights().interest;
            events_used += 1;
            let w = kind_weight * decay((now_ms - e.ts_ms) as f64, config.half_life_ms);
            let in_session = session_from.is_some_and(|from| e.ts_ms >= from);
            let norm = crate::vector::item_vector(pack, e.item, &mut row);
            if norm > 0.0 {
                for (acc, x) in interest.iter_mut().zip(&row) {
                    *acc += w * x / norm;
                }
                if in_session {
                    for (acc, x) in session_interest.iter_mut().zip(&row) {
                        *acc += kind_weight * x / norm;
                    }
                }
            }
            if w > 0.0 {
                evidence += w;
                if in_session {
                    session_evidence += kind_weight;
                }
                if let Some(c) = pack.category_index(e.item).and_then(|c| category_weight.get_mut(c as usize)) {
                    *c += w;
                }
                if let Some(b) = pack.brand_index(e.item).and_then(|x| brand_weight.get_mut(x as usize)) {
                    *b += w;
                }
                price_band_weight[bands.band(e.item).index()] += w;
            }
        }
        crate::vector::normalize_or_zero(&mut interest);
        crate::vector::normalize_or_zero(&mut session_interest);
        Profile { interest, session_interest, evidence, session_evidence, category_weight, brand_weight, price_band_weight, events_used }
    }

    /// Whether there is anything to personalize with.
    pub fn is_empty(&self) -> bool {
        self.evidence <= 0.0 || self.interest.iter().all(|&x| x == 0.0)
    }

    /// The categories with the largest share of attention, best first.
    pub fn top_categories<B: AsRef<[u8]>>(&self, pack: &Pack<B>, n: usize) -> Vec<CategoryAffinity> {
        shares(&self.category_weight, n, |c, share| CategoryAffinity { category: pack.category_name(c as u32).to_owned(), share })
    }

    /// The category indices with the largest share of attention, best first, with the share.
    pub fn top_category_indices(&self, n: usize) -> Vec<(u32, f32)> {
        shares(&self.category_weight, n, |c, share| (c as u32, share))
    }

    /// The brands with the largest share of attention, best first.
    pub fn top_brands<B: AsRef<[u8]>>(&self, pack: &Pack<B>, n: usize) -> Vec<BrandAffinity> {
        shares(&self.brand_weight, n, |b, share| BrandAffinity { brand: pack.brand_name(b as u32).to_owned(), share })
    }

    /// The price bands by share of attention, largest first.
    pub fn price_bands(&self) -> Vec<PriceBandAffinity> {
        shares(&self.price_band_weight, 3, |b, share| PriceBandAffinity { band: PriceBand::ALL[b], share })
    }

    /// Readable segments derived from the affinities: each category with at least a quarter of
    /// the attention (at most two), lower-cased, with the price band when one band holds at
    /// least half of the attention ("candles & lights, mid price"); and a brand holding at
    /// least half of the attention ("mostly Acme"). Empty without evidence.
    pub fn segments<B: AsRef<[u8]>>(&self, pack: &Pack<B>) -> Vec<String> {
        let band = self.price_bands().into_iter().next().filter(|b| b.share >= 0.5).map(|b| b.band);
        let mut segments: Vec<String> = self
            .top_categories(pack, 2)
            .into_iter()
            .filter(|c| c.share >= 0.25)
            .map(|c| {
                let name = c.category.to_lowercase();
                match band {
                    Some(b) => format!("{name}, {} price", b.as_str()),
                    None => name,
                }
            })
            .collect();
        if let Some(brand) = self.top_brands(pack, 1).into_iter().next().filter(|b| b.share >= 0.5) {
            segments.push(format!("mostly {}", brand.brand));
        }
        segments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_starts_after_the_last_long_pause() {
        let gap = 1_000.0;
        assert_eq!(session_start(&[], 0, gap), 0);
        assert_eq!(session_start(&[0, 500, 5_000, 5_500], 6_000, gap), 2);
        assert_eq!(session_start(&[0, 500], 10_000, gap), 2, "nothing recent: no session");
        assert_eq!(session_start(&[0, 500, 900], 1_000, gap), 0);
    }
}
