//! Search text against the catalog: title token match, for cold start from a search.
//!
//! The query and every title are split into lower-case alphanumeric words. A query word
//! matches a title word when they are equal or, for query words of three or more characters,
//! when the title word starts with it ("cand" matches "candle"). An item's score is the share
//! of query words it matches in its title, plus half that share for words matched in its
//! category or brand name only.

use crate::pack::Pack;

/// Lower-case alphanumeric words of `text` (at least two characters, or digits).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 || w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn matches(query_word: &str, text_words: &[String]) -> bool {
    text_words.iter().any(|w| w == query_word || query_word.chars().count() >= 3 && w.starts_with(query_word))
}

/// Items whose title (or category / brand) matches `query`, best first, at most `want`, that
/// `allow` accepts; with the share of matched words in [0, 1].
pub fn matching_items<B: AsRef<[u8]>>(pack: &Pack<B>, query: &str, want: usize, mut allow: impl FnMut(u32) -> bool) -> Vec<(u32, f32)> {
    let q = words(query);
    if q.is_empty() {
        return Vec::new();
    }
    let category_words: Vec<Vec<String>> = (0..pack.category_count()).map(|c| words(pack.category_name(c))).collect();
    let brand_words: Vec<Vec<String>> = (0..pack.brand_count()).map(|b| words(pack.brand_name(b))).collect();
    let mut scored: Vec<(u32, f32)> = Vec::new();
    for i in 0..pack.item_count() {
        let title = words(pack.title(i));
        let (mut in_title, mut elsewhere) = (0usize, 0usize);
        for w in &q {
            if matches(w, &title) {
                in_title += 1;
            } else if pack.category_index(i).and_then(|x| category_words.get(x as usize)).is_some_and(|c| matches(w, c))
                || pack.brand_index(i).and_then(|x| brand_words.get(x as usize)).is_some_and(|b| matches(w, b))
            {
                elsewhere += 1;
            }
        }
        let score = (in_title as f32 + 0.5 * elsewhere as f32) / q.len() as f32;
        if score > 0.0 && allow(i) {
            scored.push((i, score));
        }
    }
    crate::order::sort_by(&mut scored, &|a, b| {
        b.1.total_cmp(&a.1).then(pack.popularity(b.0).total_cmp(&pack.popularity(a.0))).then(a.0.cmp(&b.0))
    });
    scored.truncate(want);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_case_and_split_on_punctuation() {
        assert_eq!(words("Heart-shaped CANDLE, 2 pack"), ["heart", "shaped", "candle", "2", "pack"]);
        assert!(words("  ").is_empty());
    }

    #[test]
    fn prefixes_of_three_or_more_characters_match() {
        let title = words("Pillar candle");
        assert!(matches("cand", &title));
        assert!(!matches("ca", &title));
        assert!(matches("pillar", &title));
    }
}
