//! `shelfwise forecast` end to end on a small synthetic shop with planted sales patterns: the
//! CSV and the HTML page, `--evaluate` on a split, and its input errors.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::Path;

mod common;

use common::run_shelfwise_out as run;

const NOW: &str = "2025-01-01T00:00:00Z";
/// 2024-01-01T00:00:00Z, a Monday.
const START_MS: i64 = 1_704_067_200_000;
const WEEKS: i64 = 40;

/// 30 products over 40 weeks: P0–P9 sell a steady 20 + i a week, P10–P19 climb from 1 to
/// about 40, P20–P29 sell 3 every third week. Each sale is one line of one unit, a different
/// shopper per line.
fn write_shop(dir: &Path) -> (String, String) {
    let mut catalog = String::from("id,title,category,price\n");
    let mut events = String::new();
    for p in 0..30 {
        let category = ["steady", "rising", "lumpy"][p / 10];
        writeln!(catalog, "P{p},Product {p},{category},{}.50", 2 + p % 5).unwrap();
        for w in 0..WEEKS {
            let units = match p / 10 {
                0 => 20 + p as i64,
                1 => 1 + w,
                _ => i64::from(w % 3 == 0) * 3,
            };
            for u in 0..units {
                let ts = START_MS + w * 7 * 86_400_000 + (u % 5 + 1) * 86_400_000 + u * 1000;
                writeln!(events, r#"{{"shopper":"s{p}-{w}-{u}","item":"P{p}","type":"purchase","ts":{ts},"qty":1}}"#).unwrap();
            }
        }
    }
    let (c, e) = (dir.join("catalog.csv"), dir.join("events.jsonl"));
    std::fs::write(&c, catalog).unwrap();
    std::fs::write(&e, events).unwrap();
    (c.to_str().unwrap().to_owned(), e.to_str().unwrap().to_owned())
}

#[test]
fn the_forecast_csv_follows_the_planted_patterns_with_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = write_shop(dir.path());
    let (csv, html) = (dir.path().join("f.csv"), dir.path().join("f.html"));
    let args = ["forecast", "--events", &events, "--catalog", &catalog, "--now", NOW, "--horizon-weeks", "4"];
    let (ok, _, err) = run(&[&args[..], &["--out", csv.to_str().unwrap(), "--html", html.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 30 * 4 + 4, "4 weeks per product, then 4 shop-total rows");
    let forecast = |item: &str| -> f64 { rows.iter().filter(|r| r[0] == item).map(|r| r[3].parse::<f64>().unwrap()).sum::<f64>() / 4.0 };
    assert!((forecast("P5") - 25.0).abs() < 4.0, "steady 25 a week: {}", forecast("P5"));
    assert!(forecast("P15") > 25.0, "climbing to 40 a week: {}", forecast("P15"));
    assert!(forecast("P25") < 3.0, "lumpy 1 a week: {}", forecast("P25"));
    for r in &rows {
        let [f, lo, hi] = [r[3], r[4], r[5]].map(|v| v.parse::<f64>().unwrap());
        assert!(lo <= hi && lo >= 0.0 && f >= 0.0, "{r:?}");
    }
    let total: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "*").collect();
    assert_eq!(total[0][2], "2024-10-06", "the newest purchase is on 2024-10-05: weeks start at the midnight after it");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("Product 15") && page.ends_with("</html>\n"));
}

#[test]
fn evaluate_scores_every_method_asked_on_the_split() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = write_shop(dir.path());
    let html = dir.path().join("evaluation.html");
    let args = ["forecast", "--events", &events, "--catalog", &catalog, "--now", NOW, "--evaluate", "--split-date", "2024-07-01"];
    let (ok, out, err) =
        run(&[&args[..], &["--methods", "mean-12-weeks,tsb,global,boosted,ensemble", "--html", html.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Sales forecast from 2024-07-01") && page.contains("<svg") && page.contains("Product 19"), "{page}");
    assert!(out.contains("split 2024-07-01: 25 weeks of history, 30 products sold in them"), "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.contains("w ")).collect();
    assert_eq!(rows.len(), 10, "5 methods × 2 horizons: {out}");
    for method in ["mean-12-weeks", "tsb", "global", "boosted", "ensemble"] {
        let wape: f64 = rows.iter().find(|l| l.starts_with(method)).unwrap().split_whitespace().nth(2).unwrap().parse().unwrap();
        assert!(wape > 0.0 && wape < 0.5, "{method}: {out}");
    }
    // The rising products make the 12-week mean lag; the cross-learned models follow them.
    let wape = |m: &str| -> f64 { rows.iter().find(|l| l.starts_with(m)).unwrap().split_whitespace().nth(2).unwrap().parse().unwrap() };
    assert!(wape("global") < wape("mean-12-weeks"), "{out}");
    assert!(wape("boosted") < wape("mean-12-weeks"), "{out}");
    assert!(
        rows.iter().filter(|l| l.starts_with("boosted")).all(|l| l.contains("(tuned: budget ")),
        "the config tuned by rolling origin is shown: {out}"
    );
}

#[test]
fn bad_forecast_input_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, events) = write_shop(dir.path());
    let base = ["forecast", "--events", &events, "--catalog", &catalog, "--now", NOW];
    let (ok, _, err) = run(&[&base[..], &["--method", "crystal-ball"]].concat());
    assert!(!ok && err.contains("no forecasting method named \"crystal-ball\""), "{err}");
    let (ok, _, err) = run(&[&base[..], &["--evaluate", "--split-date", "2024-02-01"]].concat());
    assert!(!ok && err.contains("split 2024-02-01: only 4 whole weeks of purchases before the split date"), "{err}");
    let (ok, _, err) = run(&[&base[..], &["--evaluate", "--split-date", "2024-09-15"]].concat());
    assert!(!ok && err.contains("a 8-week horizon needs 56"), "{err}");
    let (ok, _, err) = run(&[&base[..], &["--evaluate", "--split-date", "July"]].concat());
    assert!(!ok && err.contains("July"), "{err}");
}
