//! Reading daily reports: one line of JSON checked against schema 1, and files of them with
//! every bad line counted and named (file, line, what).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::build::file_error::{FileAction, FileError};
use crate::measurement::report::DailyReport;
use crate::measurement::{MeasurementError, SCHEMA_VERSION};

/// Parses and checks one report: the `schema` field first (so that a report of a newer schema
/// is named as such, not as a list of unknown fields), then every field.
pub fn parse_report(text: &str) -> Result<DailyReport, MeasurementError> {
    let bad = |field: &'static str, detail: String| MeasurementError::InvalidReport { field, detail };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad("body", format!("not JSON: {e}")))?;
    let object = value.as_object().ok_or_else(|| bad("body", "not a JSON object".into()))?;
    match object.get("schema") {
        None => return Err(bad("schema", "missing".into())),
        Some(schema) if schema.as_u64() != Some(u64::from(SCHEMA_VERSION)) => {
            return Err(MeasurementError::UnsupportedSchema { found: schema.to_string(), supported: SCHEMA_VERSION })
        }
        Some(_) => {}
    }
    let report: DailyReport = serde_json::from_value(value).map_err(|e| bad("body", e.to_string()))?;
    report.validate()?;
    Ok(report)
}

/// What reading report files gave.
#[derive(Debug, Default)]
pub struct ReadSummary {
    /// Non-empty lines seen.
    pub lines: u64,
    /// The valid reports.
    pub reports: Vec<DailyReport>,
    /// The first problems, as `file:line: message`.
    pub problems: Vec<String>,
    /// Bad lines in all.
    pub bad: u64,
}

/// How many problems [`read_reports`] lists (the rest are counted).
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// Reads every file (JSONL, one report per line); bad lines are skipped and named.
pub fn read_reports(paths: &[PathBuf]) -> Result<ReadSummary, FileError> {
    let mut summary = ReadSummary::default();
    for path in paths {
        read_file(path, &mut summary)?;
    }
    Ok(summary)
}

fn read_file(path: &Path, summary: &mut ReadSummary) -> Result<(), FileError> {
    let file = File::open(path).map_err(FileError::read(path))?;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line =
            line.map_err(|source| FileError { path: path.to_owned(), line: Some(i as u64 + 1), action: FileAction::Read, source })?;
        if line.trim().is_empty() {
            continue;
        }
        summary.lines += 1;
        match parse_report(&line) {
            Ok(report) => summary.reports.push(report),
            Err(e) => {
                summary.bad += 1;
                if summary.problems.len() < MAX_LISTED_PROBLEMS {
                    summary.problems.push(format!("{}:{}: {e}", path.display(), i + 1));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str =
        r#"{"schema":1,"day":"2027-01-15","experiment":"shelves-2027-01","arm":"control","epsilon":1,"question":"purchased","answer":1}"#;

    #[test]
    fn a_good_report_parses() {
        let report = parse_report(GOOD).unwrap();
        assert_eq!(report.arm, "control");
        assert_eq!(report.day, "2027-01-15");
    }

    #[test]
    fn each_problem_is_named() {
        let cases = [
            ("[]", "not a JSON object"),
            ("{", "not JSON"),
            (r#"{"day":"2027-01-15"}"#, "schema: missing"),
            (&GOOD.replace(r#""schema":1"#, r#""schema":2"#), "report schema 2 is not supported"),
            (&GOOD.replace(r#""answer":1"#, r#""answer":1,"id":"x""#), "unknown field `id`"),
            (&GOOD.replace("2027-01-15", "2027-01-15T10:00"), "day"),
            (&GOOD.replace(r#""answer":1"#, r#""answer":[0,1]"#), "answer"),
            (&GOOD.replace(r#""epsilon":1"#, r#""epsilon":50"#), "epsilon"),
        ];
        for (text, want) in cases {
            let message = parse_report(text).unwrap_err().to_string();
            assert!(message.contains(want), "{text}: {message}");
        }
    }
}
