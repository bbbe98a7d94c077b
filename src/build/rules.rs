//! The shop's merchandising rules file (`shelfwise build --rules FILE`, format in
//! `docs/RULES.md`): a CSV with the columns `action,target,name,value`, one rule per line.
//!
//! ```text
//! action,target,name,value
//! # Christmas: the new candle first, every lamp a little higher, no more paper lanterns
//! pin,item,SW-00042,1
//! boost,category,Lamps,0.5
//! bury,item,SW-00007,
//! ```
//!
//! Lines starting with `#` are comments. `value` is the 1-based position of a pin (default 1)
//! or the weight of a boost / bury (default 0.5 / 1; above 0 and at most 10). Unlike a bad
//! event row, a bad rule stops the build: the error names the file, the line and the field.

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::pack::{PackContents, PackRule, RuleAction, RuleTarget};
use crate::rules::{DEFAULT_BOOST, DEFAULT_BURY, MAX_RULES, MAX_WEIGHT};

/// Why a rules file could not be read.
#[derive(Debug, Error)]
pub enum RulesFileError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is not a valid rule.
    #[error("{path}: line {line}: field {field:?}: {message}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

const COLUMNS: [&str; 4] = ["action", "target", "name", "value"];

/// Reads the rules file at `path` against the pack contents (item ids, category names).
pub fn read_rules(path: &Path, contents: &PackContents) -> Result<Vec<PackRule>, RulesFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| RulesFileError::Io { path: path.to_owned(), source })?;
    parse_rules(&text, path, contents)
}

/// Parses rules from `text` (`path` only names the file in errors).
pub fn parse_rules(text: &str, path: &Path, contents: &PackContents) -> Result<Vec<PackRule>, RulesFileError> {
    let bad = |line: u64, field: &'static str, message: String| RulesFileError::Bad { path: path.to_owned(), line, field, message };
    let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| bad(1, "header", e.to_string()))?.iter().map(str::to_owned).collect();
    if header != COLUMNS {
        return Err(bad(1, "header", format!("expected the columns {} (found: {})", COLUMNS.join(","), header.join(","))));
    }
    let line_at = |byte: u64| line_of(text.as_bytes(), byte);
    let mut rules = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(|e| bad(e.position().map_or(0, |p| line_at(p.byte())), "action", e.to_string()))?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        if record.len() < 3 || record.len() > 4 {
            return Err(bad(line, "action", format!("expected 4 fields (action,target,name,value), found {}", record.len())));
        }
        let target = rule_target(&record[1], &record[2], contents).map_err(|(field, message)| bad(line, field, message))?;
        let value = record.get(3).filter(|v| !v.is_empty());
        let action = rule_action(&record[0], value).map_err(|(field, message)| bad(line, field, message))?;
        rules.push(PackRule { target, action });
        if rules.len() > MAX_RULES {
            return Err(bad(line, "action", format!("more than {MAX_RULES} rules")));
        }
    }
    Ok(rules)
}

/// The line (from 1) of the record starting at `byte`. Computed from byte offsets: the CSV
/// reader's own count and offsets do not account for the blank and comment lines it skips
/// before a record.
fn line_of(bytes: &[u8], byte: u64) -> u64 {
    let mut at = (byte as usize).min(bytes.len());
    loop {
        match bytes.get(at) {
            Some(b'\n' | b'\r' | b' ' | b'\t') => at += 1,
            Some(b'#') => at += bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len() - at, |p| p + 1),
            _ => break,
        }
    }
    bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// A bad field of a rule: the field's name and what is wrong.
type FieldError = (&'static str, String);

/// The `target` and `name` fields: an item or a category of the pack.
fn rule_target(target: &str, name: &str, contents: &PackContents) -> Result<RuleTarget, FieldError> {
    let unknown = |what: &str| ("name", format!("unknown {what} {name:?}: it is not in the catalog"));
    match target {
        "item" => contents.items.iter().position(|it| it.id == name).map(|i| RuleTarget::Item(i as u32)).ok_or_else(|| unknown("item id")),
        "category" => {
            contents.categories.iter().position(|c| c == name).map(|i| RuleTarget::Category(i as u32)).ok_or_else(|| unknown("category"))
        }
        other => Err(("target", format!("{other:?} is not item or category"))),
    }
}

/// The `action` and `value` fields: boost or bury with a weight, or pin at a position.
fn rule_action(action: &str, value: Option<&str>) -> Result<RuleAction, FieldError> {
    let number = |default: f32| -> Result<f32, FieldError> {
        value.map_or(Ok(default), |v| v.parse::<f32>().map_err(|_| ("value", format!("{v:?} is not a number"))))
    };
    let weight = |default: f32| -> Result<f32, FieldError> {
        let w = number(default)?;
        if w.is_finite() && w > 0.0 && w <= MAX_WEIGHT {
            Ok(w)
        } else {
            Err(("value", format!("weight {w} must be above 0 and at most {MAX_WEIGHT}")))
        }
    };
    match action {
        "boost" => Ok(RuleAction::Boost(weight(DEFAULT_BOOST)?)),
        "bury" => Ok(RuleAction::Bury(weight(DEFAULT_BURY)?)),
        "pin" => {
            let p = number(1.0)?;
            if p.fract() != 0.0 || !(1.0..=1000.0).contains(&p) {
                return Err(("value", format!("pin position {p} must be a whole number from 1 to 1000")));
            }
            Ok(RuleAction::Pin(p as u32))
        }
        other => Err(("action", format!("{other:?} is not boost, bury or pin"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::pack::{PackItem, UrlTemplates};

    fn contents() -> PackContents {
        PackContents {
            builder_version: (0, 1, 0),
            built_at_ms: 0,
            training_events: 0,
            categories: vec!["Candles".into(), "Lamps".into()],
            brands: vec!["Acme".into()],
            items: vec![PackItem::new("A", "Heart Candle", 5.0), PackItem::new("B", "Desk Lamp", 9.0)],
            url_templates: UrlTemplates::default(),
            dim: 1,
            scales: vec![1.0],
            codes: vec![1, 1],
            neighbours: Vec::new(),
            together: Vec::new(),
            rules: Vec::new(),
            image: None,
        }
    }

    fn parse(text: &str) -> Result<Vec<PackRule>, RulesFileError> {
        parse_rules(text, Path::new("rules.csv"), &contents())
    }

    #[test]
    fn reads_every_action_with_defaults_and_comments() {
        let rules = parse("action,target,name,value\n# campaign\npin,item,B,2\nboost,category,Lamps,\nbury,item,A\n").unwrap();
        assert_eq!(
            rules,
            [
                PackRule { target: RuleTarget::Item(1), action: RuleAction::Pin(2) },
                PackRule { target: RuleTarget::Category(1), action: RuleAction::Boost(DEFAULT_BOOST) },
                PackRule { target: RuleTarget::Item(0), action: RuleAction::Bury(DEFAULT_BURY) },
            ]
        );
    }

    #[test]
    fn every_problem_names_the_line_and_field() {
        let cases = [
            ("action,target,name\n", "line 1: field \"header\""),
            ("action,target,name,value\nshove,item,A,1\n", "line 2: field \"action\": \"shove\" is not boost"),
            ("action,target,name,value\n# note\nboost,item,A,1\nshove,item,A,1\n", "line 4: field \"action\""),
            ("action,target,name,value\nboost,brand,Acme,1\n", "line 2: field \"target\""),
            ("action,target,name,value\nboost,item,NOPE,1\n", "line 2: field \"name\": unknown item id \"NOPE\""),
            ("action,target,name,value\n\nboost,category,Mugs,1\n", "line 3: field \"name\": unknown category \"Mugs\""),
            ("action,target,name,value\nboost,item,A,lots\n", "line 2: field \"value\": \"lots\" is not a number"),
            ("action,target,name,value\nbury,item,A,0\n", "line 2: field \"value\": weight 0"),
            ("action,target,name,value\npin,item,A,0\n", "line 2: field \"value\": pin position 0"),
            ("action,target,name,value\npin,item,A,1.5\n", "line 2: field \"value\": pin position 1.5"),
        ];
        for (text, expected) in cases {
            let message = parse(text).unwrap_err().to_string();
            assert!(message.starts_with("rules.csv: ") && message.contains(expected), "{text:?}: {message}");
        }
    }
}
