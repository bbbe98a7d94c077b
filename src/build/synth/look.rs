//! Synthetic image vectors for the demo shop (`shelfwise demo-data` writes them as
//! `image_vectors.csv` for `build --image-vectors`): what an image model would make of the
//! pictures the demo shows.

use super::shop::SynthShop;
use super::tables::{CATEGORIES, STYLES};

/// Synthetic image vectors that follow each product's look, as an image model would see the
/// demo's pictures: the category tile's and ink's colours and its picture (the SVG the item
/// shows), the product's shape (its kind, "Lantern", "Mug", read from the title, hashed into 8
/// buckets), its style (the colour words of its title: "Matte Black" modern, "Blush" pastel …)
/// and a little per-item noise. One `(id, vector)` per catalog item, 33 dimensions
/// (`shelfwise demo-data` writes them as `image_vectors.csv` for `build --image-vectors`).
pub fn image_vectors(shop: &SynthShop) -> Vec<(String, Vec<f32>)> {
    fn rgb(hex: &str) -> [f32; 3] {
        let channel = |at: usize| hex.get(at..at + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).map_or(0.5, |v| f32::from(v) / 255.0);
        [channel(1), channel(3), channel(5)]
    }
    fn hash(text: &str) -> u32 {
        text.bytes().fold(0x811C_9DC5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
    }
    shop.catalog
        .iter()
        .map(|item| {
            let picture = CATEGORIES.iter().position(|spec| spec.name == item.category);
            let spec = picture.and_then(|c| CATEGORIES.get(c));
            let (tile, ink) = spec.map_or(("#e8eef2", "#56738a"), |s| (s.art.tile, s.art.ink));
            // Tiles are light and inks mid-tone: each centred on its usual value.
            let mut v: Vec<f32> = rgb(tile).into_iter().map(|c| 2.0 * (c - 0.9)).chain(rgb(ink).into_iter().map(|c| c - 0.5)).collect();
            v.extend((0..CATEGORIES.len()).map(|c| if Some(c) == picture { 1.0 } else { 0.0 }));
            let kind = spec.and_then(|s| s.kinds.iter().map(|k| k.name).filter(|k| item.title.contains(k)).max_by_key(|k| k.len()));
            let mut shape = [0.0f32; 8];
            shape[hash(kind.unwrap_or(&item.category)) as usize % 8] = 1.0;
            v.extend(shape);
            let style = STYLES.iter().position(|s| s.words.iter().any(|w| item.title.starts_with(w)));
            v.extend((0..STYLES.len()).map(|k| if Some(k) == style { 0.7 } else { 0.0 }));
            let noise = hash(&item.id);
            v.extend((0..4).map(|k| ((noise >> (8 * k)) & 0xff) as f32 / 255.0 * 0.3 - 0.15));
            (item.id.clone(), v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{generate, SynthConfig};
    use super::*;

    fn small_config(seed: u64) -> SynthConfig {
        SynthConfig { seed, items: 200, shoppers: 150, days: 60, ..SynthConfig::default() }
    }

    #[test]
    fn image_vectors_follow_the_look_of_the_category_picture() {
        let shop = generate(&small_config(7));
        let vectors = image_vectors(&shop);
        assert_eq!(vectors.len(), shop.catalog.len());
        assert!(vectors.iter().all(|(_, v)| v.len() == 33 && v.iter().all(|x| x.is_finite())));
        let cos = |a: &[f32], b: &[f32]| crate::vector::cosine(a, b);
        // Mean cosine within a category against across categories: the look is the category's.
        let (mut same, mut other) = ((0.0, 0), (0.0, 0));
        for (i, a) in shop.catalog.iter().enumerate() {
            for (j, b) in shop.catalog.iter().enumerate().skip(i + 1) {
                let c = cos(&vectors[i].1, &vectors[j].1);
                let bucket = if a.category == b.category { &mut same } else { &mut other };
                bucket.0 += c;
                bucket.1 += 1;
            }
        }
        let (same, other) = (same.0 / same.1 as f32, other.0 / other.1 as f32);
        assert!(same > other + 0.3, "within a category {same}, across {other}");
    }
}
