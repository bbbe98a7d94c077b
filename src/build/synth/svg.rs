//! The category tiles (one small SVG per category) and the file-name slugs items use to
//! reference them.

use super::shop::SynthShop;
use super::tables::CATEGORIES;

/// Turns a name into a file-name-safe slug: ASCII letters and digits lower-cased, every other
/// run of characters a single `-`, no leading or trailing `-` ("Candles & Lights" →
/// `candles-lights`). A name without any ASCII letter or digit gives `untitled`.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(ch.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("untitled");
    }
    out
}

/// Escapes text for SVG/XML content.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Tile and ink colours for categories the synthetic shop does not know.
const FALLBACK_PALETTE: [(&str, &str); 5] =
    [("#e8eef2", "#56738a"), ("#f4e9e1", "#b0775a"), ("#e9f3e6", "#5e8c61"), ("#f3e8f1", "#9a6a8f"), ("#fdf3dc", "#c9962c")];

/// One SVG tile for a category.
fn category_svg(category: &str) -> String {
    let known = CATEGORIES.iter().find(|spec| spec.name == category);
    let (tile, ink, picture) = match known {
        Some(spec) => (spec.art.tile, spec.art.ink, spec.art.picture.replace("INK", spec.art.ink)),
        None => {
            let hash = category.bytes().fold(0x811C_9DC5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
            let (tile, ink) = FALLBACK_PALETTE.get(hash as usize % FALLBACK_PALETTE.len()).copied().unwrap_or(("#e8eef2", "#56738a"));
            (tile, ink, format!(r#"<rect x="40" y="40" width="48" height="48" rx="12" fill="{ink}"/>"#))
        }
    };
    let title = escape_xml(if category.is_empty() { "Product" } else { category });
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128" width="256" height="256" role="img">"#,
            "<title>{title}</title>",
            r#"<rect width="128" height="128" rx="24" fill="{tile}"/>"#,
            r##"<circle cx="64" cy="68" r="44" fill="#fff" opacity=".35"/>"##,
            r#"<g data-ink="{ink}">{picture}</g>"#,
            "</svg>\n"
        ),
        title = title,
        tile = tile,
        ink = ink,
        picture = picture,
    )
}

/// One SVG illustration per category of `shop`, as `(file name, SVG text)` pairs.
///
/// File names are bare (`candles-lights.svg`); items reference them as `img/<slug>.svg`, so
/// write them into an `img/` directory next to the catalog. Each image is a rounded tile in
/// the category's colour with a simple picture (a candle, a mug, a tote bag …); categories the
/// synthetic shop does not know get a neutral tile. Pairs come in the order the categories
/// first appear in the catalog, one per distinct slug.
pub fn category_images(shop: &SynthShop) -> Vec<(String, String)> {
    let mut images: Vec<(String, String)> = Vec::new();
    for item in &shop.catalog {
        let file_name = format!("{}.svg", slug(&item.category));
        if images.iter().any(|(name, _)| *name == file_name) {
            continue;
        }
        images.push((file_name, category_svg(&item.category)));
    }
    images
}
