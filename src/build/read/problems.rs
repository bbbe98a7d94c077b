//! What a reader did with a file: [`ReadReport`] counts rows used, cleaned and skipped, lists
//! the skipped ones ([`Problem`]) and what looked wrong in rows it kept ([`Warning`]), and
//! decides whether the loss is too large for a build ([`ReadReport::check_loss`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use super::error::ReadError;

/// How many individual problems a report keeps (all are counted).
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// How many problems of one reason a report keeps, so that each reason shows its first lines.
pub const MAX_LISTED_PER_REASON: usize = 10;

/// How many example lines a [`Warning`] keeps.
pub const MAX_WARNING_EXAMPLES: usize = 5;

/// The share of rows a build may skip as bad by default (`--max-skipped`).
pub const DEFAULT_MAX_SKIPPED: f64 = 0.05;

/// The skip reason of a repeated catalog id: the item is in the catalog (its first row), so
/// it does not count as lost.
pub const DUPLICATE_ID: &str = "duplicate id";

/// Why a row was skipped: the field at fault ("" for the whole row), the reason it is counted
/// under, and the message.
pub type RowError = (Cow<'static, str>, &'static str, String);

/// One skipped row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line number (1-based, as in the file).
    pub line: u64,
    /// The field at fault ("" when the whole row is).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: field {:?}: {}", self.line, self.field, self.message)
        }
    }
}

/// Something that looked wrong in rows that were kept (or in the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// What was noticed and what the reader did about it.
    pub message: String,
    /// Rows concerned.
    pub rows: u64,
    /// The first [`MAX_WARNING_EXAMPLES`] of them: line and what was found there (line 0: what
    /// was found is about the file, such as a Parquet file's schema).
    pub examples: Vec<(u64, String)>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        let examples: Vec<String> = self
            .examples
            .iter()
            .map(|(line, found)| match (line, found.is_empty()) {
                (0, _) => found.clone(), // about the file, not a line (a Parquet schema)
                (_, true) => format!("line {line}"),
                (_, false) => format!("line {line}: {found}"),
            })
            .collect();
        match self.rows {
            0 | 1 if examples.len() <= 1 => write!(f, " ({})", examples.join("")),
            rows => {
                let more = if rows as usize > examples.len() { ", …" } else { "" };
                write!(f, " ({rows} rows; {}{more})", examples.join(", "))
            }
        }
    }
}

/// What a reader did with a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    /// File read.
    pub path: PathBuf,
    /// Data rows seen (not counting a header or blank lines).
    pub rows: u64,
    /// Rows used.
    pub used: u64,
    /// Rows skipped on purpose by the documented cleaning rules, by reason.
    pub cleaned: BTreeMap<String, u64>,
    /// Rows skipped because they are malformed, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// The first malformed rows: at most [`MAX_LISTED_PER_REASON`] per reason and
    /// [`MAX_LISTED_PROBLEMS`] in all.
    pub problems: Vec<Problem>,
    /// What looked wrong in kept rows, one entry per kind.
    pub warnings: Vec<Warning>,
    /// Whether some bytes that are not UTF-8 read as Windows-1252 text.
    pub windows_1252: bool,
}

impl ReadReport {
    /// An empty report for `path`.
    pub fn new(path: &Path) -> ReadReport {
        ReadReport { path: path.to_owned(), ..ReadReport::default() }
    }

    /// Counts a row removed by a cleaning rule.
    pub fn clean(&mut self, reason: &str) {
        *self.cleaned.entry(reason.to_owned()).or_default() += 1;
    }

    /// Counts a skipped row and lists it while there is room.
    pub fn skip(&mut self, line: u64, field: &str, reason: &str, message: String) {
        let count = self.skipped.entry(reason.to_owned()).or_default();
        *count += 1;
        if *count as usize <= MAX_LISTED_PER_REASON && self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(Problem { line, field: field.to_owned(), message });
        }
    }

    /// Notes `message` about `line` (`found`: what was there, may be empty); one warning per
    /// message.
    pub fn warn(&mut self, message: String, line: u64, found: String) {
        let warning = match self.warnings.iter().position(|w| w.message == message) {
            Some(i) => &mut self.warnings[i],
            None => {
                self.warnings.push(Warning { message, rows: 0, examples: Vec::new() });
                let last = self.warnings.len() - 1;
                &mut self.warnings[last]
            }
        };
        warning.rows += 1;
        if warning.examples.len() < MAX_WARNING_EXAMPLES {
            warning.examples.push((line, found));
        }
    }

    /// Total rows skipped as malformed.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Total rows removed by cleaning rules.
    pub fn cleaned_total(&self) -> u64 {
        self.cleaned.values().sum()
    }

    /// Rows whose data did not make it into the build: skipped rows, except repeated catalog
    /// ids (their item is there).
    pub fn lost(&self) -> u64 {
        self.skipped_total() - self.skipped.get(DUPLICATE_ID).copied().unwrap_or(0)
    }

    /// Advice for the whole file: "re-save it as UTF-8" when its bytes look like Windows-1252.
    pub fn hint(&self) -> String {
        if self.windows_1252 {
            "; the file looks like Windows-1252 text: re-save it as UTF-8".to_owned()
        } else {
            String::new()
        }
    }

    fn first_problem(&self) -> String {
        self.problems.first().map_or_else(|| "the file has no data rows".to_owned(), |p| p.to_string())
    }

    /// The error for a file with nothing usable.
    pub fn empty_error(&self, what: &'static str) -> ReadError {
        ReadError::Empty {
            path: self.path.clone(),
            what,
            skipped: self.skipped_total() + self.cleaned_total(),
            first: self.first_problem(),
            hint: self.hint(),
        }
    }

    /// Fails when more than `max_share` (0 to 1) of the rows were lost ([`ReadReport::lost`]).
    pub fn check_loss(&self, max_share: f64) -> Result<(), ReadError> {
        let lost = self.lost();
        if self.rows == 0 || lost as f64 <= max_share * self.rows as f64 {
            return Ok(());
        }
        Err(ReadError::TooManySkipped {
            path: self.path.clone(),
            lost,
            rows: self.rows,
            max_share,
            first: self.first_problem(),
            hint: self.hint(),
        })
    }

    /// The report as printed by the CLI: counts, each reason, the listed problems and the
    /// warnings, one per line.
    pub fn render(&self, what: &str) -> String {
        let path = self.path.display();
        let mut out = format!(
            "{what} {path}: {} rows, {} used, {} removed by cleaning rules, {} skipped as bad\n",
            self.rows,
            self.used,
            self.cleaned_total(),
            self.skipped_total()
        );
        for (reason, n) in &self.cleaned {
            let _ = writeln!(out, "  cleaned: {reason}: {n}");
        }
        for (reason, n) in &self.skipped {
            let _ = writeln!(out, "  skipped: {reason}: {n}");
        }
        for p in &self.problems {
            let _ = writeln!(out, "  {path}:{p}");
        }
        let unlisted = self.skipped_total().saturating_sub(self.problems.len() as u64);
        if unlisted > 0 {
            let _ = writeln!(out, "  … {unlisted} more bad rows not listed");
        }
        for w in &self.warnings {
            let _ = writeln!(out, "  warning: {path}: {w}");
        }
        if self.windows_1252 {
            let _ = writeln!(out, "  warning: {path}: the file looks like Windows-1252 text: re-save it as UTF-8");
        }
        out
    }
}

/// Parses a `--max-skipped` share: a number from 0 to 1 (`0.05`), or a percentage (`5%`).
pub fn parse_share(text: &str) -> Result<f64, String> {
    let text = text.trim();
    let share = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map(|p| p / 100.0),
        None => text.parse::<f64>(),
    };
    match share {
        Ok(s) if (0.0..=1.0).contains(&s) => Ok(s),
        _ => Err(format!("{text:?} is not a share from 0 to 1 (or 0% to 100%)")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn loss_over_the_share_fails_and_duplicates_do_not_count() {
        let mut report = ReadReport::new(Path::new("c.csv"));
        report.rows = 100;
        for line in 2..7 {
            report.skip(line, "price", "bad price", "\"x\" is not a number ≥ 0".to_owned());
        }
        report.skip(9, "id", DUPLICATE_ID, "again".to_owned());
        assert_eq!(report.lost(), 5);
        assert!(report.check_loss(0.05).is_ok(), "5 of 100 is not more than 5%");
        report.skip(10, "price", "bad price", "\"y\" is not a number ≥ 0".to_owned());
        report.windows_1252 = true;
        let err = report.check_loss(0.05).unwrap_err().to_string();
        assert_eq!(
            err,
            "c.csv: 6 of 100 rows skipped (6.0%), more than the 5.0% that --max-skipped allows; first problem: line 2: field \"price\": \"x\" is not a number ≥ 0; the file looks like Windows-1252 text: re-save it as UTF-8"
        );
        assert!(report.check_loss(0.1).is_ok());
    }

    #[test]
    fn each_reason_lists_its_first_lines() {
        let mut report = ReadReport::new(Path::new("e.jsonl"));
        for line in 1..=30 {
            report.skip(line, "", "malformed JSON", "x".to_owned());
        }
        report.skip(31, "ts", "dated after the build time", "later".to_owned());
        let listed: Vec<u64> = report.problems.iter().map(|p| p.line).collect();
        assert_eq!(listed, (1..=10).chain([31]).collect::<Vec<u64>>());
        assert!(report.render("events").contains("… 20 more bad rows not listed"), "{}", report.render("events"));
    }

    #[test]
    fn warnings_merge_by_message_and_keep_the_first_lines() {
        let mut report = ReadReport::new(Path::new("c.csv"));
        for line in 2..10 {
            report.warn("field \"in_stock\": kept as in stock".to_owned(), line, format!("\"v{line}\""));
        }
        report.warn("once".to_owned(), 1, String::new());
        assert_eq!(report.warnings.len(), 2);
        assert_eq!(
            report.warnings[0].to_string(),
            "field \"in_stock\": kept as in stock (8 rows; line 2: \"v2\", line 3: \"v3\", line 4: \"v4\", line 5: \"v5\", line 6: \"v6\", …)"
        );
        assert_eq!(report.warnings[1].to_string(), "once (line 1)");
    }

    #[test]
    fn shares_parse_as_fractions_or_percentages() {
        assert_eq!(parse_share("0.05"), Ok(0.05));
        assert_eq!(parse_share("5%"), Ok(0.05));
        assert_eq!(parse_share("1"), Ok(1.0));
        assert!(parse_share("1.5").is_err());
        assert!(parse_share("-1%").is_err());
        assert!(parse_share("half").is_err());
    }
}
