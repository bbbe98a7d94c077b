//! Private measurement end to end on the native side: simulated devices through the shipped
//! report code cover their truth about 95% of the time; the collector over real HTTP accepts
//! only good reports and says why it refuses the rest; `shelfwise report` reads what it wrote.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

mod common;

use common::shelfwise;
use shelfwise::reports::simulate::{default_population, estimate, simulate, with_truth, ArmTruth};

/// Share of intervals covering the truth over `seeds` simulations, for the metrics whose names
/// contain one of `metrics`; also checks every estimate lies inside its own interval.
fn coverage(population: &[ArmTruth], devices: usize, epsilon: f64, seeds: u64, metrics: &[&str]) -> (f64, usize) {
    let (mut covered, mut total) = (0usize, 0usize);
    for seed in 0..seeds {
        let reports = simulate(population, devices, epsilon, 1000 + seed).unwrap();
        let estimates = estimate(&reports).unwrap();
        for (name, e, truth) in with_truth(population, &estimates) {
            let Some(e) = e.filter(|_| metrics.iter().any(|m| name.contains(m))) else { continue };
            assert!(e.low <= e.value && e.value <= e.high && e.high.is_finite(), "{name}: {e:?}");
            total += 1;
            covered += usize::from(e.covers(truth));
        }
    }
    (covered as f64 / total as f64, total)
}

#[test]
fn rates_and_lift_intervals_cover_the_truth_about_95_percent_of_the_time() {
    let (share, n) = coverage(&default_population(), 4000, 1.0, 150, &["conversion", "shelf clicks"]);
    // 5 intervals per run (conversion and clicks of both arms, the lift): 750 in all; the
    // standard deviation of the share is about 0.8 points.
    assert_eq!(n, 750);
    assert!((0.925..=0.975).contains(&share), "coverage {share}");
}

#[test]
fn shares_among_orders_cover_the_truth_when_orders_are_frequent() {
    // The ratio estimators need enough estimated orders to be near normal: a shop where half
    // the device-days buy, at ε = 2, and the arm with 90% of the devices.
    let mut population = default_population();
    for arm in &mut population {
        arm.purchase_rate = 0.5;
    }
    let (share, n) = coverage(&population, 4000, 2.0, 40, &["personalized value", "personalized via"]);
    assert_eq!(n, 40 * 16, "5 value buckets and 11 shelf answers per run");
    assert!((0.92..=0.98).contains(&share), "coverage {share} of {n}");
}

/// `shelfwise collect` on a free port; returns the child and the report URL's host:port and path.
fn start_collector(out: &std::path::Path) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shelfwise"))
        .args(["collect", "--port", "0", "--rotate-bytes", "100000", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    // "collecting reports at http://127.0.0.1:PORT/shelfwise/report into …"
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().trim_start_matches("http://").to_owned();
    let (address, path) = url.split_at(url.find('/').unwrap());
    (child, address.to_owned(), path.to_owned())
}

/// One raw HTTP/1.1 request; returns the status code and body.
fn request(address: &str, method: &str, path: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned())
}

#[test]
fn the_collector_keeps_good_reports_refuses_the_rest_and_report_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports.jsonl");
    let (mut child, address, path) = start_collector(&out);
    let reports = simulate(&default_population(), 300, 1.0, 5).unwrap();
    for r in &reports {
        let (status, body) = request(&address, "POST", &path, "application/json", &serde_json::to_string(r).unwrap());
        assert_eq!(status, 204, "{body}");
    }
    let good = serde_json::to_string(&reports[0]).unwrap();
    let refused = [
        request(&address, "GET", &path, "application/json", ""),
        request(&address, "POST", "/other", "application/json", &good),
        request(&address, "POST", &path, "application/json", &"x".repeat(5000)),
        request(&address, "POST", &path, "multipart/form-data", &good),
        request(&address, "POST", &path, "application/json", "{\"schema\":1,"),
        request(&address, "POST", &path, "application/json", &good.replace("\"schema\":1", "\"schema\":7")),
        request(&address, "POST", &path, "application/json", &good.replace("\"day\":\"2027-01-15\"", "\"day\":\"2027-01-15T09:12:00Z\"")),
    ];
    let statuses: Vec<u16> = refused.iter().map(|r| r.0).collect();
    assert_eq!(statuses, [405, 404, 413, 415, 400, 422, 422]);
    assert!(refused[5].1.contains("schema 7 is not supported"), "{}", refused[5].1);
    assert!(refused[6].1.contains("day"), "{}", refused[6].1);
    child.kill().unwrap();
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    child.wait().unwrap();
    assert!(!log.contains("127.0.0.1"), "the collector never logs addresses: {log}");

    let lines = std::fs::read_to_string(&out).unwrap();
    assert_eq!(lines.lines().count(), 300);
    std::fs::write(dir.path().join("bad.jsonl"), "{\"schema\":1}\nnot json\n").unwrap();
    let html = dir.path().join("report.html");
    let bad = dir.path().join("bad.jsonl");
    let run = shelfwise(&["report", "--in", out.to_str().unwrap(), "--in", bad.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let control = reports.iter().filter(|r| r.arm == "control").count();
    assert!(stdout.contains(&format!("arm control: {control} device-days")), "{stdout}");
    assert!(stdout.contains("lift of personalized over control"), "{stdout}");
    assert!(stderr.contains("302 lines: 300 reports, 2 bad lines skipped") && stderr.contains("bad.jsonl:2:"), "{stderr}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("Lift over control"), "the HTML page has its charts");
}

#[test]
fn report_without_input_says_what_to_pass() {
    let run = shelfwise(&["report"]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("--in FILE"));
}
