//! `shelfwise recommend`: batch shelves for shoppers' histories, one output line per input line.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::shelfwise;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A small pack (120 items, 150 shoppers, dim 16) and two known item ids from its catalog.
fn small_pack(dir: &Path) -> (String, Vec<String>) {
    let data = dir.join("shop");
    let pack = dir.join("shop.pack");
    ok(shelfwise(&["demo-data", "--out", data.to_str().unwrap(), "--items", "120", "--shoppers", "150"]));
    ok(shelfwise(&[
        "build",
        "--events",
        data.join("events.jsonl").to_str().unwrap(),
        "--catalog",
        data.join("catalog.csv").to_str().unwrap(),
        "--out",
        pack.to_str().unwrap(),
        "--dim",
        "16",
    ]));
    let catalog = std::fs::read_to_string(data.join("catalog.csv")).unwrap();
    let ids = catalog.lines().skip(1).take(5).map(|l| l.split(',').next().unwrap().to_owned()).collect();
    (pack.to_str().unwrap().to_owned(), ids)
}

#[test]
fn one_line_out_per_line_in_with_errors_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let (pack, ids) = small_pack(dir.path());
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    let histories = [
        format!(
            r#"{{"shopper":"17850","events":[{{"item":"{a}","type":"view","ts":"2011-09-30T09:00:00Z"}},{{"item":"{b}","type":"purchase","ts":"2011-09-30T10:00:00Z","basket":"536365","qty":1}}]}}"#
        ),
        r#"{"shopper":"empty","events":[]}"#.to_owned(),
        format!(
            r#"{{"shopper":"unknown","events":[{{"item":"{a}","type":"view","ts":1700000000000}},{{"item":"NO-SUCH-ITEM","type":"view","ts":1700000001000}}]}}"#
        ),
        r#"{"shopper":"broken","events":[{"#.to_owned(),
        format!(r#"{{"shopper":"badts","events":[{{"item":"{c}","type":"view","ts":"not a date"}}]}}"#),
        format!(
            r#"{{"shopper":12345,"events":[{{"item":"{c}","type":"add_to_cart","ts":1700000000000}},{{"type":"search","query":"mugs","ts":1700000005000}}]}}"#
        ),
    ];
    let input = dir.path().join("histories.jsonl");
    std::fs::write(&input, histories.join("\n") + "\n").unwrap();
    let out_file = dir.path().join("out.jsonl");
    let args = ["recommend", "--pack", &pack, "--histories", input.to_str().unwrap(), "--shelf", "for-you", "--k", "20"];
    let first = ok(shelfwise(&args));
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("6 lines, 3 shelves, 3 lines with errors"), "{stderr}");

    let text = String::from_utf8(first.stdout.clone()).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), histories.len(), "one output line per input line");
    let shoppers: Vec<&Value> = lines.iter().map(|l| &l["shopper"]).collect();
    assert_eq!(shoppers, [&Value::from("17850"), &"empty".into(), &"unknown".into(), &Value::Null, &"badts".into(), &"12345".into()]);
    for i in [0, 1, 5] {
        let items = lines[i]["items"].as_array().unwrap();
        assert_eq!(items.len(), 20, "line {}: {}", i + 1, lines[i]);
        assert!(lines[i].get("error").is_none());
        let mut unique: Vec<&str> = items.iter().map(|v| v.as_str().unwrap()).collect();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 20, "no repeats");
    }
    // For you brings the bought item back (repeat purchase); what is in the cart stays out.
    assert!(lines[0]["items"].as_array().unwrap().contains(&Value::from(b.as_str())), "{}", lines[0]);
    assert!(!lines[5]["items"].as_array().unwrap().contains(&Value::from(c.as_str())));
    // Discovery: the same lines, never the bought item, nor the cart.
    let discovery_args = ["recommend", "--pack", &pack, "--histories", input.to_str().unwrap(), "--shelf", "discovery", "--k", "20"];
    let discovery = ok(shelfwise(&discovery_args));
    let discovery: Vec<Value> = String::from_utf8(discovery.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(discovery.len(), histories.len());
    assert_eq!(discovery[0]["items"].as_array().unwrap().len(), 20);
    assert!(!discovery[0]["items"].as_array().unwrap().contains(&Value::from(b.as_str())));
    assert!(!discovery[5]["items"].as_array().unwrap().contains(&Value::from(c.as_str())));
    assert_eq!(discovery[2]["error"]["kind"], "unknown_item");
    for (i, kind) in [(2, "unknown_item"), (3, "malformed_json"), (4, "bad_timestamp")] {
        assert_eq!(lines[i]["items"], Value::Array(vec![]), "{}", lines[i]);
        assert_eq!(lines[i]["error"]["kind"], kind, "{}", lines[i]);
        let message = lines[i]["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("histories.jsonl:line {}:", i + 1)), "{message}");
    }
    assert!(lines[2]["error"]["message"].as_str().unwrap().contains("NO-SUCH-ITEM"));

    // Deterministic: a second run (to a file) gives the same bytes.
    let mut with_out = args.to_vec();
    with_out.extend(["--out", out_file.to_str().unwrap()]);
    let second = ok(shelfwise(&with_out));
    assert!(second.stdout.is_empty());
    assert_eq!(std::fs::read(&out_file).unwrap(), first.stdout);

    // --as-of moves the clock for every line; the result is still one shelf per good line.
    let as_of = ok(shelfwise(&[&args[..], &["--as-of", "2011-12-31T00:00:00Z"]].concat()));
    assert_eq!(String::from_utf8(as_of.stdout).unwrap().lines().count(), histories.len());
}

#[test]
fn every_shelf_kind_with_the_pages_options() {
    let dir = tempfile::tempdir().unwrap();
    let (pack, ids) = small_pack(dir.path());
    let (a, b) = (&ids[0], &ids[1]);
    let line = format!(
        r#"{{"shopper":"s","events":[{{"item":"{a}","type":"view","ts":1700000000000}},{{"item":"{b}","type":"purchase","ts":1700000060000}}]}}"#
    );
    let input = dir.path().join("h.jsonl");
    std::fs::write(&input, line + "\n").unwrap();
    let run = |shelf: &str, options: Option<&str>| -> Value {
        let mut args = vec!["recommend", "--pack", &pack, "--histories", input.to_str().unwrap(), "--shelf", shelf, "--k", "8"];
        if let Some(o) = options {
            args.extend(["--options", o]);
        }
        serde_json::from_slice(&ok(shelfwise(&args)).stdout).unwrap()
    };
    let items = |v: &Value| v["items"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert!(items(&run("for-you", None)).contains(b), "for-you includes the bought item by default");
    let opted_out = items(&run("for-you", Some(r#"{"filters":{"excludePurchased":true}}"#)));
    assert_eq!(opted_out.len(), 8);
    assert!(!opted_out.contains(b), "excludePurchased: true leaves it out: {opted_out:?}");
    let similar = items(&run("similar", Some(&format!(r#"{{"item":"{a}"}}"#))));
    assert_eq!(similar.len(), 8);
    assert!(!similar.contains(a), "never the product on the page");
    assert_eq!(items(&run("buy-again", None)), std::slice::from_ref(b));
}

#[test]
fn bad_shelves_and_options_are_refused_and_a_bad_pack_is_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("h.jsonl");
    std::fs::write(&input, "{\"shopper\":\"a\",\"events\":[]}\n").unwrap();
    let h = input.to_str().unwrap();

    let out = shelfwise(&["recommend", "--pack", "x.pack", "--histories", h, "--shelf", "wishlist"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("for-you") && stderr.contains("wishlist"), "{stderr}");
    for (options, expected) in
        [("{", "not valid JSON"), ("[1]", "expected a JSON object"), (r#"{"k":3}"#, "--k"), (r#"{"colour":1}"#, "colour")]
    {
        let out = shelfwise(&["recommend", "--pack", "x.pack", "--histories", h, "--options", options]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{options}: {stderr}");
    }
    let (pack, _) = small_pack(dir.path());
    for (shelf, options, expected) in [
        ("discovery", r#"{"filters":{"excludePurchased":false}}"#, "discovery always leaves out"),
        ("for-you", r#"{"category":"No Such Category"}"#, "No Such Category"),
    ] {
        let out = shelfwise(&["recommend", "--pack", &pack, "--histories", h, "--shelf", shelf, "--options", options]);
        assert!(!out.status.success(), "{options}");
        assert!(out.stdout.is_empty(), "{options}: stopped before any line");
        assert!(String::from_utf8_lossy(&out.stderr).contains(expected), "{}", String::from_utf8_lossy(&out.stderr));
    }

    let missing = dir.path().join("missing.pack");
    let out = shelfwise(&["recommend", "--pack", missing.to_str().unwrap(), "--histories", h]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the pack"));
    assert!(out.stdout.is_empty());

    let corrupt = dir.path().join("corrupt.pack");
    std::fs::write(&corrupt, b"SHLFPACK but not really a pack").unwrap();
    let out = shelfwise(&["recommend", "--pack", corrupt.to_str().unwrap(), "--histories", h]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a usable pack"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
}
