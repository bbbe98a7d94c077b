//! The reference collector of daily reports (`shelfwise collect`): an HTTP endpoint that
//! appends every well-formed report to a JSONL file and refuses everything else with a status
//! that says why. It never reads, logs or stores the sender's address, and stores no time of
//! arrival: each line is the report as re-serialized from its checked fields, nothing else.
//!
//! | request | status |
//! |---|---|
//! | `POST` to the path, JSON body (`application/json` or `text/plain`, as `navigator.sendBeacon` sends a string) that is a valid schema-1 report | `204 No Content` |
//! | another path | `404 Not Found` |
//! | another method | `405 Method Not Allowed` (`Allow: POST`) |
//! | another content type | `415 Unsupported Media Type` |
//! | a body over the size limit | `413 Payload Too Large` |
//! | a body that is not UTF-8 JSON | `400 Bad Request` |
//! | a report of another schema, or with a field missing, unknown or out of range | `422 Unprocessable Content` |
//! | the file cannot be written | `500 Internal Server Error` |
//!
//! Rotation: before a line would take the file past `rotate_bytes`, `reports.jsonl` becomes
//! `reports.jsonl.1` (`.1` becomes `.2` and so on; the oldest beyond `keep` is deleted).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;
use tiny_http::{Header, Method, Request, Response, Server};

use crate::build::file_error::{create_parent_folder, FileError};

use super::read::parse_report;

/// The collector's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectorConfig {
    /// Address to listen on.
    pub host: String,
    /// Port (0: any free port).
    pub port: u16,
    /// The path reports are posted to.
    pub path: String,
    /// The JSONL file reports are appended to.
    pub out: PathBuf,
    /// Largest body accepted, in bytes.
    pub max_body: usize,
    /// The file is rotated before it would grow past this many bytes.
    pub rotate_bytes: u64,
    /// Rotated files kept.
    pub keep: u32,
}

/// The default body limit: a report is about 150–250 bytes.
pub const DEFAULT_MAX_BODY: usize = 1024;

/// An answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// HTTP status.
    pub status: u16,
    /// Plain-text reason (empty for 204).
    pub message: String,
}

impl Outcome {
    fn refuse(status: u16, message: impl Into<String>) -> Outcome {
        Outcome { status, message: message.into() }
    }
}

/// The file side: appends lines, rotating by size.
#[derive(Debug)]
pub struct ReportFile {
    path: PathBuf,
    rotate_bytes: u64,
    keep: u32,
}

impl ReportFile {
    /// The file at `path` (created on the first report).
    pub fn new(path: &Path, rotate_bytes: u64, keep: u32) -> ReportFile {
        ReportFile { path: path.to_owned(), rotate_bytes, keep }
    }

    fn rotated(&self, i: u32) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{i}"));
        PathBuf::from(name)
    }

    fn rotate(&self) -> std::io::Result<()> {
        if self.keep == 0 {
            return fs::remove_file(&self.path);
        }
        let _ = fs::remove_file(self.rotated(self.keep));
        for i in (1..self.keep).rev() {
            if self.rotated(i).exists() {
                fs::rename(self.rotated(i), self.rotated(i + 1))?;
            }
        }
        fs::rename(&self.path, self.rotated(1))
    }

    /// Appends one line (with its newline), rotating first if it would not fit.
    pub fn append(&self, line: &str) -> std::io::Result<()> {
        let size = fs::metadata(&self.path).map_or(0, |m| m.len());
        if size > 0 && size + line.len() as u64 + 1 > self.rotate_bytes {
            self.rotate()?;
        }
        let mut file = OpenOptions::new().create(true).append(true).open(&self.path)?;
        file.write_all(format!("{line}\n").as_bytes())?;
        file.flush()
    }
}

/// Checks one request's method, path, type and body; on success appends the report.
pub fn handle(method: &str, url: &str, content_type: Option<&str>, body: &[u8], config: &CollectorConfig, file: &ReportFile) -> Outcome {
    let path = url.split('?').next().unwrap_or_default();
    if path != config.path {
        return Outcome::refuse(404, format!("not found: reports go to POST {}", config.path));
    }
    if method != "POST" {
        return Outcome::refuse(405, "method not allowed: POST a report");
    }
    let media = content_type.unwrap_or_default().split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if media != "application/json" && media != "text/plain" {
        return Outcome::refuse(415, format!("unsupported content type {media:?}: send application/json"));
    }
    if body.len() > config.max_body {
        return Outcome::refuse(413, format!("a report is at most {} bytes", config.max_body));
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return Outcome::refuse(400, "the body is not UTF-8");
    };
    let report = match parse_report(text) {
        Ok(report) => report,
        Err(e) if e.kind() == "invalid_report" && e.to_string().contains("body: not JSON") => return Outcome::refuse(400, e.to_string()),
        Err(e) => return Outcome::refuse(422, e.to_string()),
    };
    let line = match serde_json::to_string(&report) {
        Ok(line) => line,
        Err(e) => return Outcome::refuse(500, format!("cannot encode the report: {e}")),
    };
    match file.append(&line) {
        Ok(()) => Outcome { status: 204, message: String::new() },
        Err(e) => Outcome::refuse(500, format!("cannot write {}: {e}", file.path.display())),
    }
}

/// Reads at most `limit + 1` bytes of the body (enough to tell that it is too long).
fn read_body(request: &mut Request, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    request.as_reader().take(limit as u64 + 1).read_to_end(&mut body)?;
    Ok(body)
}

fn respond(request: Request, outcome: &Outcome) {
    let mut response = Response::from_string(outcome.message.clone()).with_status_code(outcome.status);
    let headers = [("Cache-Control", "no-store"), ("Content-Type", "text/plain; charset=utf-8")];
    for (name, value) in headers.into_iter().chain((outcome.status == 405).then_some(("Allow", "POST"))) {
        if let Ok(header) = Header::from_bytes(name, value) {
            response.add_header(header);
        }
    }
    // A client that went away cannot be answered; nothing else to do.
    let _ = request.respond(response);
}

/// Why the collector could not start.
#[derive(Debug, Error)]
pub enum CollectError {
    /// The address cannot be listened on (in use, not this host's, a privileged port …).
    #[error("cannot listen on {host}:{port}: {source}")]
    Listen {
        /// `--host`.
        host: String,
        /// `--port`.
        port: u16,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The reports file (or its folder) cannot be written.
    #[error(transparent)]
    File(#[from] FileError),
}

/// Serves until the process ends. `listening` is called once with the bound address.
pub fn run(config: &CollectorConfig, listening: impl FnOnce(&str)) -> Result<(), CollectError> {
    let (host, port) = (config.host.as_str(), config.port);
    let server = Server::http((host, port)).map_err(|source| CollectError::Listen { host: host.to_owned(), port, source })?;
    let address = server.server_addr().to_ip().map_or_else(|| format!("{host}:{port}"), |a| a.to_string());
    create_parent_folder(&config.out)?;
    // Fail at start, not at the first report, if the file cannot be written.
    File::options().create(true).append(true).open(&config.out).map_err(FileError::write(&config.out))?;
    listening(&format!("http://{address}{}", config.path));
    let file = ReportFile::new(&config.out, config.rotate_bytes, config.keep);
    let (mut accepted, mut refused) = (0u64, 0u64);
    for mut request in server.incoming_requests() {
        let method = match request.method() {
            Method::Post => "POST".to_owned(),
            other => other.as_str().to_owned(),
        };
        let url = request.url().to_owned();
        let content_type = request.headers().iter().find(|h| h.field.equiv("Content-Type")).map(|h| h.value.as_str().to_owned());
        let outcome = match read_body(&mut request, config.max_body) {
            Ok(body) => handle(&method, &url, content_type.as_deref(), &body, config, &file),
            Err(e) => Outcome::refuse(400, format!("cannot read the body: {e}")),
        };
        if outcome.status == 204 {
            accepted += 1;
        } else {
            refused += 1;
            // The reason only: never the sender's address.
            eprintln!("refused {}: {}", outcome.status, outcome.message);
        }
        if (accepted + refused).is_power_of_two() {
            eprintln!("{accepted} reports accepted, {refused} requests refused so far");
        }
        respond(request, &outcome);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"schema":1,"day":"2027-01-15","arm":"all","epsilon":1,"question":"clicked-shelf","answer":0}"#;

    fn config(dir: &Path) -> CollectorConfig {
        CollectorConfig {
            host: "127.0.0.1".into(),
            port: 0,
            path: "/shelfwise/report".into(),
            out: dir.join("reports.jsonl"),
            max_body: DEFAULT_MAX_BODY,
            rotate_bytes: 300,
            keep: 2,
        }
    }

    #[test]
    fn each_request_gets_its_status_and_only_good_reports_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let file = ReportFile::new(&config.out, config.rotate_bytes, config.keep);
        let json = Some("application/json");
        let status = |m: &str, u: &str, t: Option<&str>, b: &str| handle(m, u, t, b.as_bytes(), &config, &file).status;
        assert_eq!(status("POST", "/shelfwise/report", json, GOOD), 204);
        assert_eq!(status("POST", "/shelfwise/report", Some("text/plain;charset=UTF-8"), GOOD), 204);
        assert_eq!(status("POST", "/elsewhere", json, GOOD), 404);
        assert_eq!(status("GET", "/shelfwise/report", json, ""), 405);
        assert_eq!(status("POST", "/shelfwise/report", Some("application/x-www-form-urlencoded"), GOOD), 415);
        assert_eq!(status("POST", "/shelfwise/report", json, &" ".repeat(2000)), 413);
        assert_eq!(status("POST", "/shelfwise/report", json, "{nope"), 400);
        assert_eq!(status("POST", "/shelfwise/report", json, &GOOD.replace(r#""schema":1"#, r#""schema":2"#)), 422);
        assert_eq!(status("POST", "/shelfwise/report", json, &GOOD.replace(r#""answer":0"#, r#""answer":0,"ip":"1.2.3.4""#)), 422);
        let kept = fs::read_to_string(&config.out).unwrap();
        assert_eq!(kept.lines().count(), 2);
        let canonical = serde_json::to_string(&parse_report(GOOD).unwrap()).unwrap();
        assert!(kept.lines().all(|l| l == canonical), "{kept}");
    }

    #[test]
    fn the_file_rotates_by_size_and_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let file = ReportFile::new(&config.out, config.rotate_bytes, config.keep);
        for _ in 0..10 {
            assert_eq!(handle("POST", "/shelfwise/report", Some("application/json"), GOOD.as_bytes(), &config, &file).status, 204);
        }
        let lines = |p: &Path| fs::read_to_string(p).map(|t| t.lines().count()).unwrap_or(0);
        let rotated = |i: u32| file.rotated(i);
        // 98-byte lines, 300 bytes per file: 3 per file; 10 lines = 3 + 3 + 3 + 1, the oldest dropped.
        assert_eq!((lines(&config.out), lines(&rotated(1)), lines(&rotated(2))), (1, 3, 3));
        assert!(!rotated(3).exists());
    }
}
