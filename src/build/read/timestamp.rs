//! Timestamps in the inputs: parsing, numbers that are clearly seconds, and times after the
//! build.

use chrono::{DateTime, NaiveDateTime, SecondsFormat};
use serde_json::Value;

use super::text::{echo, echo_json};

/// Parses a timestamp: RFC 3339 (`2010-12-01T08:26:00Z`), `YYYY-MM-DD HH:MM:SS` (UTC), or a
/// JSON number of milliseconds since the Unix epoch.
pub fn parse_timestamp(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => {
            n.as_f64().filter(|v| v.is_finite() && v.abs() <= 8.64e15).map(|v| v as i64).ok_or_else(|| format!("{n} is not a time in ms"))
        }
        Value::String(s) => parse_timestamp_str(s),
        other => Err(format!("expected a date-time string or ms number, found {}", echo_json(other))),
    }
}

/// Parses a timestamp string (see [`parse_timestamp`]).
pub fn parse_timestamp_str(s: &str) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    for fmt in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    Err(format!("{} is not a date-time (use RFC 3339, e.g. 2011-09-30T10:00:00Z)", echo(s)))
}

/// Parses a time given on the command line (`--now`, `--as-of`): ms since 1970, or a date-time
/// as [`parse_timestamp_str`] reads it.
pub fn parse_time_arg(s: &str) -> Result<i64, String> {
    let s = s.trim();
    match s.parse::<i64>() {
        Ok(ms) => Ok(ms),
        Err(_) => parse_timestamp_str(s),
    }
}

/// `ms` as an RFC 3339 UTC time for messages (the number itself when out of chrono's range).
pub fn format_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(|| format!("{ms} ms"), |t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Numbers from here up to [`SECONDS_UNTIL`] read as milliseconds fall between 2 January 1970
/// and 3 March 1973, before any web shop; read as seconds they are 1973 to 5138. A `ts`
/// number there is seconds by mistake.
pub const SECONDS_FROM: f64 = 1e8;
/// See [`SECONDS_FROM`].
pub const SECONDS_UNTIL: f64 = 1e11;

/// Refuses a `ts` number that is clearly Unix seconds, not milliseconds.
pub fn check_not_seconds(value: &Value) -> Result<(), String> {
    match value.as_f64() {
        Some(v) if value.is_number() && (SECONDS_FROM..SECONDS_UNTIL).contains(&v.abs()) => Err(format!(
            "{value} looks like Unix seconds ({} as seconds, {} as milliseconds): ts numbers are milliseconds since 1970, multiply by 1000",
            format_ms((v * 1000.0) as i64),
            format_ms(v as i64)
        )),
        _ => Ok(()),
    }
}

/// Refuses a time after the build; `value` is the field as written (a JSON number or string).
pub fn check_not_after(ts_ms: i64, build_time_ms: i64, value: &Value) -> Result<(), String> {
    if ts_ms <= build_time_ms {
        return Ok(());
    }
    let (written, unit_hint) = match value {
        Value::String(s) => (echo(s), ""),
        other if other.as_f64().is_some_and(|v| v >= 1e14) => (echo_json(other), " (microseconds? ts numbers are milliseconds)"),
        other => (echo_json(other), ""),
    };
    Err(format!("{written} ({}) is after the build time {}{unit_hint}", format_ms(ts_ms), format_ms(build_time_ms)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seconds_are_refused_and_milliseconds_pass() {
        let err = check_not_seconds(&Value::from(1_709_370_120)).unwrap_err();
        assert!(err.starts_with("1709370120 looks like Unix seconds (2024-03-02T09:02:00Z as seconds, 1970-01-20T18:49:30Z"), "{err}");
        assert!(check_not_seconds(&Value::from(1_709_370_120_000i64)).is_ok());
        assert!(check_not_seconds(&Value::from(1)).is_ok(), "small test times stay ms");
        assert!(check_not_seconds(&Value::from("1709370120")).is_ok(), "strings are not numbers");
    }

    #[test]
    fn times_after_the_build_are_refused_with_both_times() {
        let build = parse_timestamp_str("2026-01-01T00:00:00Z").unwrap();
        assert!(check_not_after(build, build, &Value::from("x")).is_ok());
        let later = parse_timestamp_str("9999-12-31T00:00:00Z").unwrap();
        assert_eq!(
            check_not_after(later, build, &Value::from("9999-12-31")).unwrap_err(),
            "\"9999-12-31\" (9999-12-31T00:00:00Z) is after the build time 2026-01-01T00:00:00Z"
        );
        let micros = 1_767_225_600_000_000i64;
        assert_eq!(
            check_not_after(micros, build, &Value::from(micros)).unwrap_err(),
            "1767225600000000 (+57971-02-25T00:00:00Z) is after the build time 2026-01-01T00:00:00Z (microseconds? ts numbers are milliseconds)"
        );
        assert_eq!(parse_time_arg(" 1700000000000 "), Ok(1_700_000_000_000));
        assert_eq!(parse_time_arg("2026-01-01T00:00:00Z"), Ok(build));
    }
}
