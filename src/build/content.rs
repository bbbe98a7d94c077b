//! Content features from product text, so an item nobody has touched still gets a vector and
//! neighbours.
//!
//! * [`tokenize`]: lower-case alphanumeric words of two or more characters, minus a few
//!   stop words, plus adjacent-word bigrams ("t light", "light holder" from "T-LIGHT HOLDER"
//!   keeps "t" out but "t light" in).
//! * [`tfidf_vectors`]: every token hashed (FNV-1a) into [`ContentConfig::buckets`] buckets;
//!   weight `(1 + ln tf) · (ln((1 + N) / (1 + df)) + 1)`; each vector scaled to unit length.
//! * [`content_neighbours`]: cosine of those vectors through an inverted index, the best K per
//!   item above [`ContentConfig::min_similarity`].
//! * [`fill_cold_vectors`]: an item without interactions gets the similarity-weighted mean of
//!   the embeddings of its most content-similar *warm* items, so it lands in the embedding
//!   space next to the products it reads like.

use std::collections::HashMap;

use super::neighbours::top_k_pairs;

/// Settings of the content model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContentConfig {
    /// Number of hash buckets (feature space size).
    pub buckets: u32,
    /// Content neighbours kept per item.
    pub k: usize,
    /// Similarities below this are not neighbours.
    pub min_similarity: f32,
    /// How many content-similar warm items a cold item's vector is made from.
    pub warm_sources: usize,
}

impl Default for ContentConfig {
    fn default() -> Self {
        ContentConfig { buckets: 1 << 18, k: 50, min_similarity: 0.05, warm_sources: 10 }
    }
}

/// A sparse vector: `(bucket, weight)` sorted by bucket.
pub type SparseVector = Vec<(u32, f32)>;

const STOP_WORDS: [&str; 12] = ["a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "set"];

/// Words (lower case, alphanumeric, two or more characters, no stop words) and the bigrams of
/// adjacent words of `text`.
pub fn tokenize(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    let mut tokens: Vec<String> = words.iter().filter(|w| w.chars().count() >= 2).cloned().collect();
    tokens.extend(words.windows(2).map(|p| format!("{} {}", p[0], p[1])));
    tokens
}

/// FNV-1a, 32 bits.
fn fnv1a(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// Hashed TF-IDF vectors (unit length; empty for a text without tokens).
pub fn tfidf_vectors(texts: &[String], buckets: u32) -> Vec<SparseVector> {
    let buckets = buckets.max(1);
    let counts: Vec<HashMap<u32, u32>> = texts
        .iter()
        .map(|t| {
            let mut m = HashMap::new();
            for token in tokenize(t) {
                *m.entry(fnv1a(&token) % buckets).or_insert(0) += 1;
            }
            m
        })
        .collect();
    let mut df: HashMap<u32, u32> = HashMap::new();
    for m in &counts {
        for &b in m.keys() {
            *df.entry(b).or_insert(0) += 1;
        }
    }
    let n = texts.len() as f64;
    counts
        .into_iter()
        .map(|m| {
            let mut v: SparseVector = m
                .into_iter()
                .map(|(b, tf)| {
                    let idf = ((1.0 + n) / (1.0 + f64::from(df.get(&b).copied().unwrap_or(0)))).ln() + 1.0;
                    (b, ((1.0 + f64::from(tf).ln()) * idf) as f32)
                })
                .collect();
            v.sort_unstable_by_key(|&(b, _)| b);
            let norm = v.iter().map(|&(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        })
        .collect()
}

/// The best `k` content neighbours of every item (cosine ≥ `min_similarity`), best first.
pub fn content_neighbours(vectors: &[SparseVector], k: usize, min_similarity: f32) -> Vec<Vec<(u32, f32)>> {
    let mut postings: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
    for (i, v) in vectors.iter().enumerate() {
        for &(b, w) in v {
            postings.entry(b).or_default().push((i as u32, w));
        }
    }
    let mut acc = vec![0.0f32; vectors.len()];
    let mut touched: Vec<u32> = Vec::new();
    vectors
        .iter()
        .enumerate()
        .map(|(i, v)| {
            for &(b, w) in v {
                for &(j, wj) in postings.get(&b).map_or(&[][..], Vec::as_slice) {
                    if j as usize == i {
                        continue;
                    }
                    if acc[j as usize] == 0.0 {
                        touched.push(j);
                    }
                    acc[j as usize] += w * wj;
                }
            }
            let pairs = touched
                .drain(..)
                .map(|j| (j, std::mem::take(&mut acc[j as usize]).min(1.0)))
                .filter(|&(_, s)| s >= min_similarity)
                .collect();
            top_k_pairs(pairs, k)
        })
        .collect()
}

/// Gives every item with `warm[i] == false` the similarity-weighted mean of the (row-major,
/// `dim`-wide) vectors of its `sources` most similar warm neighbours, scaled to unit length.
/// Returns how many cold items got a vector (the others have no warm content neighbour and
/// stay as they are).
pub fn fill_cold_vectors(rows: &mut [f32], dim: usize, warm: &[bool], neighbours: &[Vec<(u32, f32)>], sources: usize) -> usize {
    if dim == 0 {
        return 0;
    }
    let mut filled = 0;
    let mut mean = vec![0.0f32; dim];
    for (i, list) in neighbours.iter().enumerate() {
        if warm.get(i).copied().unwrap_or(true) {
            continue;
        }
        mean.iter_mut().for_each(|x| *x = 0.0);
        let mut used = 0;
        for &(j, s) in list.iter().filter(|&&(j, _)| warm.get(j as usize).copied().unwrap_or(false)).take(sources) {
            if let Some(row) = rows.get(j as usize * dim..(j as usize + 1) * dim) {
                mean.iter_mut().zip(row).for_each(|(m, x)| *m += s * x);
                used += 1;
            }
        }
        let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
        if used == 0 || norm <= 0.0 || !norm.is_finite() {
            continue;
        }
        if let Some(out) = rows.get_mut(i * dim..(i + 1) * dim) {
            out.iter_mut().zip(&mean).for_each(|(o, m)| *o = m / norm);
            filled += 1;
        }
    }
    filled
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_are_lower_case_words_and_bigrams() {
        assert_eq!(
            tokenize("WHITE HANGING T-LIGHT holder"),
            ["white", "hanging", "light", "holder", "white hanging", "hanging t", "t light", "light holder"]
        );
        assert_eq!(tokenize("set of 3 cake tins"), ["cake", "tins", "3 cake", "cake tins"]);
        assert!(tokenize(" -- ").is_empty());
    }

    #[test]
    fn similar_titles_are_content_neighbours() {
        let texts: Vec<String> = ["RED RETROSPOT MUG", "BLUE RETROSPOT MUG", "JUMBO BAG RED RETROSPOT", "WOODEN STAR CHRISTMAS"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let v = tfidf_vectors(&texts, 1 << 16);
        for x in &v {
            assert!((x.iter().map(|(_, w)| w * w).sum::<f32>() - 1.0).abs() < 1e-5);
        }
        let n = content_neighbours(&v, 5, 0.05);
        assert_eq!(n[0][0].0, 1, "mug next to mug: {:?}", n[0]);
        assert!(n[3].is_empty(), "nothing reads like the star: {:?}", n[3]);
        assert!(n.iter().flatten().all(|&(_, s)| s > 0.0 && s <= 1.0));
    }

    #[test]
    fn a_cold_item_gets_a_vector_from_content_similar_warm_items() {
        // Items 0 and 1 are warm mugs pointing along x; 2 a warm star along y; 3 a cold mug.
        let texts: Vec<String> =
            ["RED SPOTTY MUG", "BLUE SPOTTY MUG", "WOODEN STAR", "GREEN SPOTTY MUG"].iter().map(|s| (*s).to_owned()).collect();
        let neighbours = content_neighbours(&tfidf_vectors(&texts, 1 << 16), 5, 0.05);
        let mut rows = vec![1.0, 0.0, 0.8, 0.6, 0.0, 1.0, 0.0, 0.0];
        let warm = [true, true, true, false];
        assert_eq!(fill_cold_vectors(&mut rows, 2, &warm, &neighbours, 10), 1);
        let cold = &rows[6..8];
        assert!((cold[0] * cold[0] + cold[1] * cold[1] - 1.0).abs() < 1e-5);
        assert!(cold[0] > 0.8, "the cold mug sits with the mugs: {cold:?}");
        assert_eq!(&rows[..6], &[1.0, 0.0, 0.8, 0.6, 0.0, 1.0], "warm rows untouched");
    }
}
