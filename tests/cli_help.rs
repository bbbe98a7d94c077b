//! The CLI's help and the build summary: every command's `--help` ends with examples that
//! use that command, and `build` ends with a summary whose event counts add up.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::shelfwise;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[test]
fn every_command_help_ends_with_examples_of_that_command() {
    let top = shelfwise(&["--help"]);
    assert!(top.status.success());
    let top = String::from_utf8(top.stdout).unwrap();
    let examples = top.split("Examples:").nth(1).expect("top-level examples");
    for command in ["build", "inspect", "shard", "demo-data", "eval", "recommend", "report", "collect"] {
        assert!(examples.contains(&format!("shelfwise {command} ")), "top-level help shows {command}:\n{top}");
        for flag in ["--help", "-h"] {
            let out = shelfwise(&[command, flag]);
            assert!(out.status.success(), "{command} {flag}");
            let text = String::from_utf8(out.stdout).unwrap();
            let (_, examples) = text.split_once("\nExamples:\n").unwrap_or_else(|| panic!("{command} {flag}: no examples:\n{text}"));
            assert!(
                examples.lines().any(|line| line.trim_start().starts_with(&format!("shelfwise {command} "))
                    || line.contains(&format!("| shelfwise {command} "))),
                "{command} {flag}: an example runs `shelfwise {command}`:\n{examples}"
            );
        }
    }
}

#[test]
fn build_ends_with_a_summary_whose_counts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop.pack");
    let run = shelfwise(&[
        "build",
        "--events",
        fixture("events.jsonl").to_str().unwrap(),
        "--catalog",
        fixture("catalog.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dim",
        "8",
        // The fixtures hold a bad row of each kind: far more than the default 5%.
        "--max-skipped",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let summary = stderr.split_once(&format!("built {}\n", out.display())).expect("a summary").1;
    let line = |label: &str| summary.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("{label} in\n{summary}"));
    let numbers = |text: &str| -> Vec<u64> {
        text.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect()
    };
    // The fixture: 6 catalog items; 15 event rows, 4 malformed, 1 for an item not in the catalog
    // and 1 search, 9 used by 3 shoppers.
    assert!(line("items").starts_with("  items      6 (6 with interactions), 2 categories, dim 8"), "{summary}");
    let events = numbers(line("events"));
    assert_eq!(events, vec![15, 9, 3, 6, 4, 0, 2], "{summary}");
    assert_eq!(events[0], events[1] + events[3], "rows read = used + skipped");
    assert_eq!(events[3], events[4] + events[5] + events[6], "skipped = bad + cleaned + left out");
    assert!(summary.contains("left out: item not in catalog: 1"), "{summary}");
    assert!(summary.contains("ids not in the catalog: \"ZZ\"\n"), "{summary}");
    let size = std::fs::metadata(&out).unwrap().len();
    assert!(line("pack").starts_with(&format!("  pack       {size} bytes (")), "{summary}");
    assert!(line("time").contains("reading") && line("time").contains("training"), "{summary}");
}
