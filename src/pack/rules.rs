//! The shop's build-time merchandising rules, as stored in the `rules` section.
//!
//! ```text
//! count    u32
//! entries  count × 12 bytes:
//!   +0 1  target_kind  u8: 0 = item, 1 = category
//!   +1 1  action       u8: 1 = boost, 2 = bury, 3 = pin
//!   +2 2  reserved     0
//!   +4 4  target       u32: item index (< item_count) or category index (< category_count)
//!   +8 4  value        f32: boost / bury strength (finite, > 0); pin position (an integer
//!                      0..=999, 0 = first slot)
//! ```
//!
//! [`RuleTarget`] and [`RuleAction`] are the crate's one form of a resolved rule (the ranking
//! code in [`crate::rules`] uses them too); a pin counts positions from 1 in memory, as shops
//! write them, and from 0 in the bytes, converted here and nowhere else.
//!
//! What the actions do to a shelf, and in which order conflicts are settled, is the ranking
//! code's business (see `docs/RULES.md`); the pack only stores them faithfully.

use super::{PackError, SectionKind};

/// Bytes per stored rule.
pub const RULE_LEN: usize = 12;
/// Largest pin position (1-based, as [`RuleAction::Pin`] holds it).
pub const MAX_PIN_POSITION: u32 = 1_000;

/// What a rule applies to, resolved against a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleTarget {
    /// One item (pack index).
    Item(u32),
    /// Every item of a category (category index).
    Category(u32),
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleAction {
    /// Raise the score by this weight (> 0, in units of the shelf's score range).
    Boost(f32),
    /// Lower the score by this weight (> 0).
    Bury(f32),
    /// Put the target at this 1-based position of the shelf (1 = first).
    Pin(u32),
}

impl RuleAction {
    /// "pin", "bury", "boost".
    pub fn name(self) -> &'static str {
        match self {
            RuleAction::Pin(_) => "pin",
            RuleAction::Bury(_) => "bury",
            RuleAction::Boost(_) => "boost",
        }
    }
}

/// One merchandising rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PackRule {
    /// What it applies to.
    pub target: RuleTarget,
    /// What it does.
    pub action: RuleAction,
}

impl PackRule {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let (target_kind, target) = match self.target {
            RuleTarget::Item(i) => (0u8, i),
            RuleTarget::Category(c) => (1u8, c),
        };
        let (action, value) = match self.action {
            RuleAction::Boost(v) => (1u8, v),
            RuleAction::Bury(v) => (2u8, v),
            // Stored from 0; a position of 0 (invalid) becomes -1, which decoding refuses.
            RuleAction::Pin(p) => (3u8, p as f32 - 1.0),
        };
        out.extend_from_slice(&[target_kind, action, 0, 0]);
        out.extend_from_slice(&target.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }

    /// Decodes and checks entry `index` (`entry` is exactly [`RULE_LEN`] bytes).
    pub(crate) fn decode(entry: &[u8], index: usize, item_count: u32, category_count: u32) -> Result<PackRule, PackError> {
        let bad = |detail: String| PackError::BadValue { kind: SectionKind::Rules, index: index as u64, detail };
        let word = |at: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&entry[at..at + 4]);
            b
        };
        if entry[2] != 0 || entry[3] != 0 {
            return Err(bad("reserved bytes are not 0".to_owned()));
        }
        let raw_target = u32::from_le_bytes(word(4));
        let value = f32::from_le_bytes(word(8));
        let target = match entry[0] {
            0 if raw_target < item_count => RuleTarget::Item(raw_target),
            0 => return Err(bad(format!("targets item {raw_target}, only {item_count} exist"))),
            1 if raw_target < category_count => RuleTarget::Category(raw_target),
            1 => return Err(bad(format!("targets category {raw_target}, only {category_count} exist"))),
            other => return Err(bad(format!("target kind {other} is not 0 (item) or 1 (category)"))),
        };
        let strength = |v: f32| {
            if v.is_finite() && v > 0.0 {
                Ok(v)
            } else {
                Err(bad(format!("strength {v} is not finite and > 0")))
            }
        };
        let action = match entry[1] {
            1 => RuleAction::Boost(strength(value)?),
            2 => RuleAction::Bury(strength(value)?),
            3 if value.fract() == 0.0 && (0.0..MAX_PIN_POSITION as f32).contains(&value) => RuleAction::Pin(value as u32 + 1),
            3 => return Err(bad(format!("stored pin position {value} is not an integer in 0..{MAX_PIN_POSITION}"))),
            other => return Err(bad(format!("action {other} is not 1 (boost), 2 (bury) or 3 (pin)"))),
        };
        Ok(PackRule { target, action })
    }
}
