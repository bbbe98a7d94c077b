//! Vector maths on embeddings, in one place: cosines, unit lengths, an item's dequantized
//! embedding (and image embedding) and the centroid of several items. Everything sums in index order, so results are
//! the same to the bit on every platform (the explanations and shelves rely on it).

use crate::pack::Pack;

/// The cosine similarity of two equally long vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    cosine_of(dot, na, nb)
}

/// The cosine from a dot product and the two squared lengths, each summed in index order as
/// [`cosine`] sums them (so the result is the same to the bit); 0 when either length is 0.
pub fn cosine_of(dot: f32, na: f32, nb: f32) -> f32 {
    if na <= 0.0 || nb <= 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
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

/// The unit embedding of item `i` (all zero for a zero vector).
pub fn unit_vector<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> Vec<f32> {
    let mut v = vec![0.0f32; pack.dim()];
    unit_vector_into(pack, i, &mut v);
    v
}

/// Writes the unit embedding of item `i` into `out` (`pack.dim()` long), without allocating.
pub fn unit_vector_into<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32, out: &mut [f32]) {
    let norm = item_vector(pack, i, out);
    if norm > 0.0 {
        out.iter_mut().for_each(|x| *x /= norm);
    }
}

/// The unit image embedding of item `i` ([`Pack::image_embedding_blocks`]): empty when the
/// pack has no image embeddings, all zero for an item without an image vector.
pub fn unit_image_vector<B: AsRef<[u8]>>(pack: &Pack<B>, i: u32) -> Vec<f32> {
    let Some(blocks) = pack.image_embedding_blocks() else { return Vec::new() };
    let mut v = vec![0.0f32; pack.image_dim()];
    for ((o, c), &s) in v.iter_mut().zip(blocks.codes_of(i as usize)).zip(pack.image_embedding_scales()) {
        *o = f32::from(c) * s;
    }
    normalize(&mut v);
    v
}

/// The normalized sum of the unit embeddings of `items`.
pub fn centroid<B: AsRef<[u8]>>(pack: &Pack<B>, items: &[u32]) -> Vec<f32> {
    let mut sum = vec![0.0f32; pack.dim()];
    for &i in items {
        for (s, x) in sum.iter_mut().zip(unit_vector(pack, i)) {
            *s += x;
        }
    }
    let len = sum.iter().map(|x| x * x).sum::<f32>().sqrt();
    if len > 0.0 {
        sum.iter_mut().for_each(|x| *x /= len);
    }
    sum
}

/// Scales `v` to unit length when its length is positive and finite (a zero row stays zero);
/// returns the length it had.
pub fn normalize(v: &mut [f32]) -> f32 {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

/// Scales `v` to unit length; a vector shorter than 1e-12 becomes all zero (the profile's
/// interest vectors: a near-zero sum means no interest).
pub fn normalize_or_zero(v: &mut [f32]) {
    let len = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if len > 1e-12 {
        v.iter_mut().for_each(|x| *x /= len);
    } else {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_of_zero_vector_is_zero() {
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
        assert!((cosine(&[1.0, 1.0], &[2.0, 2.0]) - 1.0).abs() < 1e-6);
    }
}
