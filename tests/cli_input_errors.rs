//! Every builder input problem names the file, the line and the field (table-driven).
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_shelfwise")).args(args).output().expect("the binary runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const GOOD_CATALOG: &str = "id,title,price\nA,Alpha,1.50\nB,Beta,2.00\n";
const GOOD_EVENTS: &str = r#"{"shopper":"s","item":"A","type":"view","ts":"2024-01-01T00:00:00Z"}
{"shopper":"s","item":"B","type":"purchase","ts":"2024-01-01T00:01:00Z"}
"#;

/// (what, catalog file name, catalog, events, build succeeds, text the output must contain)
const CASES: &[(&str, &str, &str, &str, bool, &str)] = &[
    ("negative price", "c.csv", "id,title,price\nA,Alpha,-1\nB,Beta,2\n", GOOD_EVENTS, true,
     "c.csv:line 2: field \"price\": \"-1\" is not a number ≥ 0"),
    ("non-numeric price", "c.csv", "id,title,price\nA,Alpha,1\nB,Beta,two\n", GOOD_EVENTS, true,
     "c.csv:line 3: field \"price\": \"two\" is not a number ≥ 0"),
    ("duplicate id", "c.csv", "id,title,price\nA,Alpha,1\nB,Beta,2\nA,Again,3\n", GOOD_EVENTS, true,
     "c.csv:line 4: field \"id\": id \"A\" already defined on line 2"),
    ("missing column", "c.csv", "id,name,price\nA,Alpha,1\n", GOOD_EVENTS, false,
     "c.csv: line 1: missing required column \"title\""),
    ("ragged CSV row", "c.csv", "id,title,price\nA,Alpha,1\nB,Beta\n", GOOD_EVENTS, true,
     "c.csv:line 3: 2 fields, the header has 3"),
    ("malformed catalog JSONL", "c.jsonl", "{\"id\":\"A\",\"title\":\"Alpha\",\"price\":1}\n{\"id\":\"B\",\n", GOOD_EVENTS, true,
     "c.jsonl:line 2: malformed JSON"),
    ("empty catalog", "c.csv", "", GOOD_EVENTS, false, "c.csv: line 1:"),
    ("unknown event type", "c.csv", GOOD_CATALOG,
     "{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"like\",\"ts\":1}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl:line 1: field \"type\": unknown event type \"like\""),
    ("unparseable timestamp", "c.csv", GOOD_CATALOG,
     "{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":\"soon\"}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl:line 1: field \"ts\": \"soon\" is not a date-time"),
    ("negative event price", "c.csv", GOOD_CATALOG,
     "{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"purchase\",\"ts\":1,\"price\":-3}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl:line 1: field \"price\": -3 is not a number ≥ 0"),
    ("malformed events JSONL", "c.csv", GOOD_CATALOG,
     "{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\nnot json\n", true, "e.jsonl:line 2: malformed JSON"),
    ("empty events", "c.csv", GOOD_CATALOG, "\n", false, "e.jsonl: no usable events"),
    ("only bad events", "c.csv", GOOD_CATALOG, "{\"shopper\":\"s\",\"type\":\"view\",\"ts\":1}\n", false,
     "e.jsonl: no usable events (1 rows skipped; first problem: line 1: field \"item\": a view event needs an item)"),
];

#[test]
fn each_input_problem_is_reported_with_file_line_and_field() {
    for (what, catalog_name, catalog, events, succeeds, expected) in CASES {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join(catalog_name);
        let e = dir.path().join("e.jsonl");
        let out = dir.path().join("out.pack");
        std::fs::write(&c, catalog).unwrap();
        std::fs::write(&e, events).unwrap();
        let (ok, stderr) = run(&[
            "build",
            "--events",
            e.to_str().unwrap(),
            "--catalog",
            c.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--dim",
            "4",
            "--iterations",
            "2",
        ]);
        assert_eq!(ok, *succeeds, "{what}: exit status wrong\n{stderr}");
        assert!(stderr.contains(expected), "{what}: expected {expected:?} in\n{stderr}");
        assert_eq!(out.exists(), *succeeds, "{what}: a failed build must not leave a pack");
    }
}

#[test]
fn a_missing_events_file_is_named() {
    let (ok, stderr) = run(&["build", "--events", "/nonexistent/e.jsonl", "--out", "/tmp/x.pack"]);
    assert!(!ok);
    assert!(stderr.contains("/nonexistent/e.jsonl: cannot read"), "{stderr}");
}
