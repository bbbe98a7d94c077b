//! Text checks shared by the readers: UTF-8 (with a Windows-1252 diagnosis), quoting input back
//! in messages without echoing megabytes, "did you mean" for column names, and catalog URLs.

use std::fmt;

use serde_json::Value;

pub use crate::limits::{echo, MAX_ECHO_CHARS};

/// A JSON value as written, cut like [`echo`] (without the quotes around the whole).
pub fn echo_json(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => text,
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// Bytes that are not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidUtf8 {
    /// Where the first bad byte is (1-based, in the field or line checked).
    pub byte: usize,
    /// The text read as Windows-1252, when every byte is defined there: the likely encoding of
    /// a spreadsheet export.
    pub windows_1252: Option<String>,
}

impl InvalidUtf8 {
    /// What to do about it: ` (as Windows-1252 it reads "…": re-save the file as UTF-8)`.
    pub fn advice(&self) -> String {
        match &self.windows_1252 {
            Some(text) => format!(" (as Windows-1252 it reads {}: re-save the file as UTF-8)", echo(text)),
            None => " (save the file as UTF-8)".to_owned(),
        }
    }
}

impl fmt::Display for InvalidUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not valid UTF-8 at byte {}{}", self.byte, self.advice())
    }
}

/// `bytes` as UTF-8, or where they are not.
pub fn utf8(bytes: &[u8]) -> Result<&str, InvalidUtf8> {
    std::str::from_utf8(bytes).map_err(|e| InvalidUtf8 { byte: e.valid_up_to() + 1, windows_1252: windows_1252(bytes) })
}

/// `bytes` read as Windows-1252, unless they use its five undefined bytes (0x81, 0x8D, 0x8F,
/// 0x90, 0x9D), which the Encoding Standard maps to C1 controls and no text editor writes.
fn windows_1252(bytes: &[u8]) -> Option<String> {
    let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
    (!text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c))).then(|| text.into_owned())
}

/// The name in `absent` (names not present) that `unknown` was likely meant to be: the same
/// but for case and `_`/`-`/space, one of its `_`-separated parts (`image_url` → `image`, the
/// first such part), or
/// Jaro–Winkler similarity ≥ 0.88 (`categroy` → `category`).
pub fn did_you_mean<'a>(unknown: &str, absent: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| s.to_lowercase().replace(['-', ' '], "_");
    let unknown = norm(unknown);
    let squash = |s: &str| s.replace('_', "");
    absent
        .iter()
        .copied()
        .map(|name| {
            let known = norm(name);
            // Equal but for separators; else a part of the name, earlier parts first; else similar.
            let part = unknown.split('_').position(|part| part == known);
            let score = if squash(&unknown) == squash(&known) {
                1.0
            } else if let Some(i) = part {
                0.99 - 0.001 * i as f64
            } else {
                strsim::jaro_winkler(&unknown, &known)
            };
            (name, score)
        })
        .filter(|&(_, score)| score >= 0.88)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(name, _)| name)
}

/// Checks a catalog URL the way the browser's `safeUrl` will: relative (no scheme), or
/// http(s). Returns the scheme refused (`javascript`, `data`, …).
pub fn refused_url_scheme(url: &str) -> Option<String> {
    // Browsers drop leading controls and spaces and every tab and line break before parsing.
    let cleaned: String = url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let lower = scheme.to_ascii_lowercase();
    (is_scheme && lower != "http" && lower != "https").then_some(lower)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn long_values_are_cut_with_their_length() {
        assert_eq!(echo("short"), "\"short\"");
        let long = "é".repeat(100);
        assert_eq!(echo(&long), format!("\"{}…\" (200 bytes)", "é".repeat(64)));
        assert_eq!(echo_json(&Value::from("x".repeat(70))), format!("\"{}… (72 bytes)", "x".repeat(63)));
    }

    #[test]
    fn windows_1252_bytes_are_named_with_their_text() {
        let err = utf8(b"Caf\xe9 cr\xe8me").unwrap_err();
        assert_eq!(err.to_string(), "not valid UTF-8 at byte 4 (as Windows-1252 it reads \"Café crème\": re-save the file as UTF-8)");
        // 0x81 is not defined in Windows-1252.
        assert_eq!(utf8(b"a\x81").unwrap_err().to_string(), "not valid UTF-8 at byte 2 (save the file as UTF-8)");
        assert_eq!(utf8("Café".as_bytes()).unwrap(), "Café");
    }

    #[test]
    fn close_column_names_are_suggested_and_others_are_not() {
        let absent = ["image", "url", "in_stock", "category", "description"];
        assert_eq!(did_you_mean("image_url", &absent), Some("image"));
        assert_eq!(did_you_mean("Image", &absent), Some("image"));
        assert_eq!(did_you_mean("instock", &absent), Some("in_stock"));
        assert_eq!(did_you_mean("In Stock", &absent), Some("in_stock"));
        assert_eq!(did_you_mean("categroy", &absent), Some("category"));
        assert_eq!(did_you_mean("colour", &absent), None);
        assert_eq!(did_you_mean("weight", &absent), None);
        assert_eq!(did_you_mean("sku", &absent), None);
    }

    #[test]
    fn only_http_https_and_relative_urls_pass() {
        for ok in ["https://shop.example/p/1", "HTTP://x", "/p/1", "p/1.png", "#/item/C1", "img/c1.svg", "?id=3", "//cdn.example/a.png"] {
            assert_eq!(refused_url_scheme(ok), None, "{ok}");
        }
        for (bad, scheme) in [
            ("javascript:alert(1)", "javascript"),
            (" JavaScript:x", "javascript"),
            ("java\tscript:x", "javascript"),
            ("data:image/png;base64,AA", "data"),
            ("vbscript:x", "vbscript"),
        ] {
            assert_eq!(refused_url_scheme(bad).as_deref(), Some(scheme), "{bad}");
        }
    }
}
