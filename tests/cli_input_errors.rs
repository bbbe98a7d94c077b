//! Every builder input problem names the file, the line and the field (table-driven), and the
//! CLI protects a shop from its own exports: bounded reading (`/dev/zero` as events, catalog,
//! histories or pack), CRLF and Windows-1252 files, heavy loss, silent misreadings, events
//! after the build time, long ids echoed back.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_shelfwise, run_shelfwise_out};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shelfwise::pack::Pack;

const GOOD_CATALOG: &[u8] = b"id,title,price\nA,Alpha,1.50\nB,Beta,2.00\n";
const GOOD_EVENTS: &[u8] = br#"{"shopper":"s","item":"A","type":"view","ts":"2024-01-01T00:00:00Z"}
{"shopper":"s","item":"B","type":"purchase","ts":"2024-01-01T00:01:00Z"}
"#;

/// A build time after every event of these tests.
const NOW: &str = "2025-01-01T00:00:00Z";

/// Writes the files into `dir` and builds with `extra` arguments; returns (ok, stderr, pack).
fn build_in(dir: &Path, catalog_name: &str, catalog: &[u8], events: &[u8], extra: &[&str]) -> (bool, String, PathBuf) {
    let c = dir.join(catalog_name);
    let e = dir.join("e.jsonl");
    let out = dir.join("out.pack");
    std::fs::write(&c, catalog).unwrap();
    std::fs::write(&e, events).unwrap();
    let mut args = vec![
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
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    let (ok, stderr) = run_shelfwise(&args);
    (ok, stderr, out)
}

/// (what, catalog file name, catalog, events, build succeeds, text the output must contain)
type Case = (&'static str, &'static str, &'static [u8], &'static [u8], bool, &'static str);

const CASES: &[Case] = &[
    ("negative price", "c.csv", b"id,title,price\nA,Alpha,-1\nB,Beta,2\n", GOOD_EVENTS, true,
     "c.csv:line 2: field \"price\": \"-1\" is not a number ≥ 0"),
    ("non-numeric price", "c.csv", b"id,title,price\nA,Alpha,1\nB,Beta,two\n", GOOD_EVENTS, true,
     "c.csv:line 3: field \"price\": \"two\" is not a number ≥ 0"),
    ("duplicate id", "c.csv", b"id,title,price\nA,Alpha,1\nB,Beta,2\nA,Again,3\n", GOOD_EVENTS, true,
     "c.csv:line 4: field \"id\": id \"A\" already defined on line 2"),
    ("missing column", "c.csv", b"id,name,price\nA,Alpha,1\n", GOOD_EVENTS, false,
     "c.csv: line 1: missing required column \"title\""),
    ("missing column named otherwise", "c.csv", b"id,Title,price\nA,Alpha,1\n", GOOD_EVENTS, false,
     "c.csv: line 1: missing required column \"title\" (found: id,Title,price); rename \"Title\" to \"title\" if that is it"),
    ("ragged CSV row", "c.csv", b"id,title,price\nA,Alpha,1\nB,Beta\n", GOOD_EVENTS, true,
     "c.csv:line 3: 2 fields, the header has 3"),
    ("malformed catalog JSONL", "c.jsonl", b"{\"id\":\"A\",\"title\":\"Alpha\",\"price\":1}\n{\"id\":\"B\",\n", GOOD_EVENTS, true,
     "c.jsonl:line 2: malformed JSON"),
    ("empty catalog", "c.csv", b"", GOOD_EVENTS, false, "c.csv: line 1:"),
    ("unknown event type", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"like\",\"ts\":1}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl:line 1: field \"type\": unknown event type \"like\""),
    ("unparseable timestamp", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":\"soon\"}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl:line 1: field \"ts\": \"soon\" is not a date-time"),
    ("negative event price", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"purchase\",\"ts\":1,\"price\":-3}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl:line 1: field \"price\": -3 is not a number ≥ 0"),
    ("malformed events JSONL", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\nnot json\n", true, "e.jsonl:line 2: malformed JSON"),
    ("empty events", "c.csv", GOOD_CATALOG, b"\n", false, "e.jsonl: no usable events"),
    ("only bad events", "c.csv", GOOD_CATALOG, b"{\"shopper\":\"s\",\"type\":\"view\",\"ts\":1}\n", false,
     "e.jsonl: no usable events (1 rows skipped; first problem: line 1: field \"item\": a view event needs an item)"),
    // CRLF files: the file's own line numbers.
    ("CRLF catalog", "c.csv", b"id,title,price\r\nA,Alpha,1\r\nB,Beta,x\r\n", GOOD_EVENTS, true,
     "c.csv:line 3: field \"price\": \"x\" is not a number ≥ 0"),
    ("CRLF catalog with a quoted line break", "c.csv", b"id,title,price\r\nA,\"Alpha\r\nwide\",1\r\nB,Beta,x\r\n", GOOD_EVENTS, true,
     "c.csv:line 4: field \"price\": \"x\" is not a number ≥ 0"),
    ("CRLF events", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\r\n\r\n{\"shopper\":\"s\",\"type\":\"view\",\"ts\":1}\r\n", true,
     "e.jsonl:line 3: field \"item\": a view event needs an item"),
    // Windows-1252 bytes: the row is skipped with its field, and the advice.
    ("Windows-1252 catalog row", "c.csv", b"id,title,price\r\nA,Alpha,1\r\nB,Caf\xe9 cr\xe8me,2\r\n", GOOD_EVENTS, true,
     "c.csv:line 3: field \"title\": not valid UTF-8 at byte 4 (as Windows-1252 it reads \"Café crème\": re-save the file as UTF-8)"),
    ("Windows-1252 events row", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\r\n{\"shopper\":\"s\",\"type\":\"search\",\"query\":\"cr\xe8me\",\"ts\":1}\r\n", true,
     "e.jsonl:line 2: field \"query\": not valid UTF-8 at byte 43 of the line (as Windows-1252 it reads \"crème\": re-save the file as UTF-8)"),
    ("duplicate header", "c.csv", b"id,title,price,category,price\nA,Alpha,1,x,2\n", GOOD_EVENTS, false,
     "c.csv: line 1: column \"price\" appears twice (columns 3 and 5); rename or remove one"),
    // Silent misreadings.
    ("seconds for milliseconds", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1704067200}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1704067200000}\n", true,
     "e.jsonl:line 1: field \"ts\": 1704067200 looks like Unix seconds (2024-01-01T00:00:00Z as seconds"),
    ("a column close to a known one", "c.csv", b"id,title,price,image_url\nA,Alpha,1,a.png\nB,Beta,2,b.png\n", GOOD_EVENTS, true,
     "c.csv: line 1: unknown column \"image_url\" is ignored: did you mean \"image\"? (line 1)"),
    ("a field close to a known one", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item_id\":\"A\",\"type\":\"view\",\"ts\":1}\n{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl: unknown field \"item_id\" is ignored: did you mean \"item\"? (line 1)"),
    ("a byte order mark in JSONL", "c.csv", GOOD_CATALOG, b"\xEF\xBB\xBF{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n", true,
     "e.jsonl: the file starts with a UTF-8 byte order mark, which JSON does not allow; it was ignored (line 1)"),
    ("a javascript: URL", "c.csv", b"id,title,price,url\nA,Alpha,1,/p/A\nB,Beta,2,javascript:alert(1)\n", GOOD_EVENTS, true,
     "c.csv:line 3: field \"url\": \"javascript:alert(1)\" is a javascript: URL; use an http(s) or relative URL"),
    ("a data: image", "c.csv", b"id,title,price,image\nA,Alpha,1,\"data:image/png;base64,AAAA\"\nB,Beta,2,b.png\n", GOOD_EVENTS, true,
     "c.csv:line 2: field \"image\": \"data:image/png;base64,AAAA\" is a data: URL"),
    ("an in_stock value that is no yes or no", "c.csv", b"id,title,price,in_stock\nA,Alpha,1,maybe\nB,Beta,2,out of stock\n", GOOD_EVENTS, true,
     "c.csv: field \"in_stock\": not true/false/1/0/yes/no/in stock/out of stock; kept as in stock (the default) (line 2: \"maybe\")"),
    ("unknown items listed", "c.csv", GOOD_CATALOG,
     b"{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"view\",\"ts\":1}\n{\"shopper\":\"s\",\"item\":\"GONE-1\",\"type\":\"view\",\"ts\":1}\n{\"shopper\":\"s\",\"item\":\"GONE-2\",\"type\":\"view\",\"ts\":1}\n", true,
     "ids not in the catalog: \"GONE-1\", \"GONE-2\"\n"),
];

#[test]
fn each_input_problem_is_reported_with_file_line_and_field() {
    for (what, catalog_name, catalog, events, succeeds, expected) in CASES {
        let dir = tempfile::tempdir().unwrap();
        // One bad row of two is far over the default 5%: these cases allow any loss.
        let (ok, stderr, out) = build_in(dir.path(), catalog_name, catalog, events, &["--max-skipped", "1"]);
        assert_eq!(ok, *succeeds, "{what}: exit status wrong\n{stderr}");
        assert!(stderr.contains(expected), "{what}: expected {expected:?} in\n{stderr}");
        assert_eq!(out.exists(), *succeeds, "{what}: a failed build must not leave a pack");
    }
}

#[test]
fn an_id_longer_than_the_engine_accepts_is_skipped_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = format!("id,title,price\nA,Alpha,1\n{},Long,2\n", "L".repeat(shelfwise::limits::MAX_ID_BYTES + 1));
    let (ok, stderr, _) = build_in(dir.path(), "c.csv", catalog.as_bytes(), GOOD_EVENTS, &["--max-skipped", "1"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("c.csv:line 3: field \"id\": \"LLLL"), "{stderr}");
    assert!(stderr.contains("(1025 bytes) is longer than 1024 bytes"), "{stderr}");
}

#[test]
fn an_invalid_in_stock_value_keeps_its_product_in_stock() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = b"id,title,price,in_stock\nA,Alpha,1,maybe\nB,Beta,2,out_of_stock\nC,Gamma,3,In Stock\n";
    let (ok, stderr, out) = build_in(dir.path(), "c.csv", catalog, GOOD_EVENTS, &[]);
    assert!(ok, "{stderr}");
    let pack = Pack::open(std::fs::read(out).unwrap()).unwrap();
    let stock: Vec<(&str, bool)> = (0..pack.item_count()).map(|i| (pack.item_id(i), pack.in_stock(i))).collect();
    assert_eq!(stock, [("A", true), ("B", false), ("C", true)]);
}

#[test]
fn an_invalid_utf8_byte_on_line_500_skips_that_row_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut events = Vec::new();
    for n in 1..=600u32 {
        let title: &[u8] = if n == 500 { b"cr\xe8me" } else { b"cream" };
        events.extend_from_slice(
            format!("{{\"shopper\":\"s{}\",\"item\":\"A\",\"type\":\"view\",\"ts\":{n},\"basket\":\"", n % 7).as_bytes(),
        );
        events.extend_from_slice(title);
        events.extend_from_slice(b"\"}\n");
    }
    let (ok, stderr, _) = build_in(dir.path(), "c.csv", GOOD_CATALOG, &events, &[]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("600 rows, 599 used"), "{stderr}");
    assert!(
        stderr.contains("e.jsonl:line 500: field \"basket\": not valid UTF-8 at byte 63 of the line (as Windows-1252 it reads \"crème\""),
        "{stderr}"
    );
}

/// A Windows-1252 catalog of 200 products, 158 with an accented title.
fn windows_1252_catalog() -> Vec<u8> {
    let mut catalog = b"id,title,price\r\n".to_vec();
    for n in 0..200 {
        let title: &[u8] = if n < 158 { b"Th\xe9i\xe8re" } else { b"Teapot" };
        catalog.extend_from_slice(format!("P{n},").as_bytes());
        catalog.extend_from_slice(title);
        catalog.extend_from_slice(b",9.50\r\n");
    }
    catalog
}

#[test]
fn heavy_loss_fails_the_build_and_names_windows_1252() {
    let dir = tempfile::tempdir().unwrap();
    let events = b"{\"shopper\":\"s\",\"item\":\"P190\",\"type\":\"view\",\"ts\":1}\n";
    let (ok, stderr, out) = build_in(dir.path(), "c.csv", &windows_1252_catalog(), events, &[]);
    assert!(!ok, "{stderr}");
    assert!(!out.exists());
    assert!(
        stderr.contains(
            "c.csv: 158 of 200 rows skipped (79.0%), more than the 5.0% that --max-skipped allows; first problem: line 2: field \"title\": not valid UTF-8 at byte 3 (as Windows-1252 it reads \"Théière\": re-save the file as UTF-8); the file looks like Windows-1252 text: re-save it as UTF-8"
        ),
        "{stderr}"
    );
    // A share above the loss lets it through.
    let (ok, stderr, out) = build_in(dir.path(), "c.csv", &windows_1252_catalog(), events, &["--max-skipped", "80%"]);
    assert!(ok && out.exists(), "{stderr}");
}

#[test]
fn the_share_of_bad_event_rows_is_checked_at_its_bound() {
    for (bad, fails) in [(5, false), (6, true)] {
        let dir = tempfile::tempdir().unwrap();
        let mut events = String::new();
        for n in 0..100 {
            let kind = if n < bad { "wishlist" } else { "view" };
            events.push_str(&format!("{{\"shopper\":\"s\",\"item\":\"A\",\"type\":\"{kind}\",\"ts\":{n}}}\n"));
        }
        let (ok, stderr, _) = build_in(dir.path(), "c.csv", GOOD_CATALOG, events.as_bytes(), &[]);
        assert_eq!(ok, !fails, "{bad} bad rows of 100:\n{stderr}");
        if fails {
            assert!(stderr.contains("e.jsonl: 6 of 100 rows skipped (6.0%), more than the 5.0%"), "{stderr}");
        }
    }
}

#[test]
fn events_after_the_build_time_are_dropped_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, stderr) = run_shelfwise(&["demo-data", "--out", d.to_str().unwrap(), "--items", "120", "--shoppers", "150"]);
    assert!(ok, "{stderr}");
    let events = std::fs::read_to_string(d.join("events.jsonl")).unwrap();
    let lines = events.lines().count();
    let build = |events_file: &Path, out: &Path| {
        let (ok, stderr) = run_shelfwise(&[
            "build",
            "--events",
            events_file.to_str().unwrap(),
            "--catalog",
            d.join("catalog.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--dim",
            "8",
            "--iterations",
            "3",
            "--now",
            "2030-01-01T00:00:00Z",
        ]);
        assert!(ok, "{stderr}");
        stderr
    };
    let clean = d.join("clean.pack");
    build(&d.join("events.jsonl"), &clean);
    let item = events.lines().next().unwrap().split("\"item\":\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let future = format!(
        "{events}{{\"shopper\":\"x\",\"item\":\"{item}\",\"type\":\"purchase\",\"ts\":\"9999-12-31T00:00:00Z\"}}\n{{\"shopper\":\"y\",\"item\":\"{item}\",\"type\":\"view\",\"ts\":\"2031-06-01T00:00:00Z\"}}\n"
    );
    let with_future = d.join("future.jsonl");
    std::fs::write(&with_future, future).unwrap();
    let dirty = d.join("future.pack");
    let stderr = build(&with_future, &dirty);
    assert!(stderr.contains("skipped: dated after the build time: 2"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "future.jsonl:line {}: field \"ts\": \"9999-12-31T00:00:00Z\" (9999-12-31T00:00:00Z) is after the build time 2030-01-01T00:00:00Z",
            lines + 1
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("future.jsonl:line {}: field \"ts\"", lines + 2)), "{stderr}");
    // The dropped events leave the pack exactly as without them: popularity and trend intact.
    assert_eq!(std::fs::read(&clean).unwrap(), std::fs::read(&dirty).unwrap());
    let pack = Pack::open(std::fs::read(&dirty).unwrap()).unwrap();
    let popular = (0..pack.item_count()).filter(|&i| pack.popularity(i) > 0.0).count();
    assert!(popular > pack.item_count() as usize / 2, "{popular} of {} items have popularity", pack.item_count());
}

/// Runs the binary and asserts that it fails within `limit` with `expected` on stderr.
fn fails_quickly(args: &[&str], expected: &str) {
    let started = Instant::now();
    let (ok, stdout, stderr) = run_shelfwise_out(args);
    let took = started.elapsed();
    assert!(!ok, "{args:?} succeeded:\n{stdout}\n{stderr}");
    assert!(stderr.contains(expected), "{args:?}: expected {expected:?} in\n{stderr}");
    // Reading 1 MiB (16 MiB for histories) takes milliseconds; the limit is for a loaded machine.
    assert!(took < Duration::from_secs(30), "{args:?} took {took:?}");
}

#[test]
fn endless_inputs_fail_with_a_typed_error_after_the_line_bound() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.csv");
    let e = dir.path().join("e.jsonl");
    let out = dir.path().join("out.pack");
    std::fs::write(&c, GOOD_CATALOG).unwrap();
    std::fs::write(&e, GOOD_EVENTS).unwrap();
    let (c, e, out) = (c.to_str().unwrap(), e.to_str().unwrap(), out.to_str().unwrap());
    fails_quickly(
        &["build", "--events", "/dev/zero", "--catalog", c, "--out", out],
        "error: /dev/zero: line 1: longer than 1048576 bytes without a line break",
    );
    fails_quickly(
        &["build", "--events", e, "--catalog", "/dev/zero", "--out", out],
        "error: /dev/zero: line 1: longer than 1048576 bytes without a line break",
    );
    fails_quickly(&["inspect", "/dev/zero"], "error: /dev/zero: bad magic [00, 00, 00, 00, 00, 00, 00, 00]: not a Shelfwise pack");
    let (ok, stdout, _) = run_shelfwise_out(&["inspect", "/dev/zero", "--json"]);
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((v["ok"].as_bool(), v["kind"].as_str()), (Some(false), Some("bad_magic")));

    let (ok, stderr) = run_shelfwise(&["build", "--events", e, "--catalog", c, "--out", out, "--dim", "4", "--iterations", "2"]);
    assert!(ok, "{stderr}");
    fails_quickly(
        &["recommend", "--pack", out, "--histories", "/dev/zero"],
        "error: /dev/zero: line 1: longer than 16777216 bytes without a line break",
    );
    fails_quickly(&["recommend", "--pack", "/dev/zero", "--histories", e], "error: /dev/zero: not a usable pack: bad magic");
}

#[test]
fn a_csv_record_left_open_by_a_quote_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // An unclosed quote on line 3 swallows every later line into one record: 2 MB of short lines.
    let mut catalog = b"id,title,price\nA,Alpha,1\nB,\"Beta,2\n".to_vec();
    for _ in 0..200_000 {
        catalog.extend_from_slice(b"C,Gamma,3\n");
    }
    let (ok, stderr, _) = build_in(dir.path(), "c.csv", &catalog, GOOD_EVENTS, &[]);
    assert!(!ok);
    assert!(stderr.contains("c.csv: line 3: a CSV record starting here is longer than 1048576 bytes (an unclosed quote?)"), "{stderr}");
}

#[test]
fn a_pack_declaring_another_size_is_refused_before_its_body_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr, pack) = build_in(dir.path(), "c.csv", GOOD_CATALOG, GOOD_EVENTS, &[]);
    assert!(ok, "{stderr}");
    let mut bytes = std::fs::read(&pack).unwrap();
    let declared = bytes.len() as u64 + 1_000_000_000;
    bytes[24..32].copy_from_slice(&(declared - 40).to_le_bytes());
    std::fs::write(&pack, &bytes).unwrap();
    let (ok, stdout, _) = run_shelfwise_out(&["inspect", pack.to_str().unwrap(), "--json"]);
    assert!(!ok);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["kind"], "truncated");
    assert_eq!(v["formatVersion"], shelfwise::pack::FORMAT_VERSION);
    assert_eq!(v["error"], format!("truncated body: needs {declared} bytes, only {} present", bytes.len()));
}

#[test]
fn recommend_cuts_long_input_it_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr, pack) = build_in(dir.path(), "c.csv", GOOD_CATALOG, GOOD_EVENTS, &[]);
    assert!(ok, "{stderr}");
    let long_id = "Z".repeat(1_000_000);
    let histories = dir.path().join("h.jsonl");
    let lines = [
        format!(r#"{{"shopper":"a","events":[{{"item":"{long_id}","type":"view","ts":1}}]}}"#),
        format!(r#"{{"shopper":"b","events":[{{"item":"A","type":"{long_id}","ts":1}}]}}"#),
        format!(r#"{{"shopper":"c","events":[{{"item":"A","type":"view","ts":"{long_id}"}}]}}"#),
        format!(r#"{{"shopper":["{long_id}"],"events":[]}}"#),
    ];
    std::fs::write(&histories, lines.join("\n")).unwrap();
    let (ok, stdout, stderr) =
        run_shelfwise_out(&["recommend", "--pack", pack.to_str().unwrap(), "--histories", histories.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let short = format!("\"{}…\" (1000000 bytes)", "Z".repeat(64));
    let expected = [
        format!("h.jsonl:line 1: event 1: item = {short} is out of range: an item id of at most 1024 bytes"),
        format!("h.jsonl:line 2: event 1: unknown event type {short}"),
        format!("h.jsonl:line 3: event 1: field \"ts\": {short} is not a date-time"),
        format!("h.jsonl:line 4: field \"shopper\": expected a string, found [\"{}… (1000004 bytes)", "Z".repeat(62)),
    ];
    let out: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(out.len(), 4);
    for (line, expected) in out.iter().zip(&expected) {
        let message = line["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected.as_str()), "expected {expected:?} in {message:?}");
        assert!(message.len() < 400, "{} bytes", message.len());
    }
}

#[test]
fn a_missing_events_file_is_named() {
    let (ok, stderr) = run_shelfwise(&["build", "--events", "/nonexistent/e.jsonl", "--out", "/tmp/x.pack"]);
    assert!(!ok);
    assert!(stderr.contains("/nonexistent/e.jsonl: cannot read"), "{stderr}");
}
