//! Search text against the catalog: title token match, for cold start from a search.
//!
//! The query and every title are split into lower-case alphanumeric words. A query word
//! matches a title word when they are equal or, for query words of three or more characters,
//! when the title word starts with it ("cand" matches "candle"). An item's score is the share
//! of query words it matches in its title, plus half that share for words matched in its
//! category or brand name only. At most [`MAX_QUERY_WORDS`] distinct query words count (the
//! page's query is already cut to [`crate::limits::MAX_QUERY_CHARS`]), so matching costs
//! O(items × title words × that bound).

use crate::limits::MAX_QUERY_WORDS;
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
    let mut q: Vec<String> = Vec::new();
    for w in words(query) {
        if q.len() == MAX_QUERY_WORDS {
            break;
        }
        if !q.contains(&w) {
            q.push(w);
        }
    }
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
    fn repeated_query_words_count_once_and_at_most_the_bound() {
        use crate::pack::{PackContents, PackItem, UrlTemplates};
        let contents = PackContents {
            builder_version: (0, 1, 0),
            built_at_ms: 0,
            training_events: 0,
            categories: vec!["All".into()],
            brands: vec!["Acme".into()],
            items: vec![PackItem::new("a", "Pillar candle", 1.0), PackItem::new("b", "Blue mug", 1.0)],
            url_templates: UrlTemplates::default(),
            dim: 1,
            scales: vec![0.01],
            codes: vec![1, 2],
            neighbours: Vec::new(),
            together: Vec::new(),
            rules: Vec::new(),
            image: None,
        };
        let pack = Pack::open(contents.encode().expect("encodes")).expect("opens");
        let once = matching_items(&pack, "candle", 5, |_| true);
        let repeated = matching_items(&pack, &"candle ".repeat(30_000), 5, |_| true);
        assert_eq!(once, repeated);
        assert_eq!(once.len(), 1);
        // 16 words that match nothing, then one that matches: cut before it.
        let many = format!("{} candle", (0..MAX_QUERY_WORDS).map(|i| format!("zz{i}")).collect::<Vec<_>>().join(" "));
        assert!(matching_items(&pack, &many, 5, |_| true).is_empty());
    }

    #[test]
    fn prefixes_of_three_or_more_characters_match() {
        let title = words("Pillar candle");
        assert!(matches("cand", &title));
        assert!(!matches("ca", &title));
        assert!(matches("pillar", &title));
    }
}
