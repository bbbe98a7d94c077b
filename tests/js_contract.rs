//! One source per contract between the wasm core and the JS shell: every shelf kind, request
//! field, result field, default, cap and error kind the two sides share is checked here against
//! the Rust types, in `www/shelfwise/contract.js` (the shell's one copy of the lists),
//! `www/shelfwise/index.d.ts` (the published types) and docs/API.md's error table.
//!
//! Request field names are read from serde itself: deserializing an unknown field gives
//! "unknown field `x`, expected one of `a`, `b` …" (every request struct has
//! `deny_unknown_fields`). Result field names come from serializing real results. Error kinds
//! come from the `kind()` match arms of the core's error types and from the shell's own
//! `new ShelfwiseError('kind', …)` calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use shelfwise::engine::{Engine, EventInput, MAX_EVENTS, MAX_K};
use shelfwise::explain::{Evidence, ItemRef};
use shelfwise::limits;
use shelfwise::page::{ExploreRequest, ShelfRequest, DEFAULT_K};
use shelfwise::rules::{FilterInput, RuleInput};
use shelfwise::shelf::ShelfKind;

const NOW: i64 = 1_700_000_000_000;

fn read(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

/// The quoted strings of `export const NAME = …;` in contract.js (up to the closing `]);`).
fn js_list(source: &str, name: &str) -> Vec<String> {
    let start = source.find(&format!("export const {name} = ")).unwrap_or_else(|| panic!("contract.js has no {name}"));
    let rest = &source[start..];
    let body = &rest[..rest.find("]);").unwrap_or_else(|| panic!("{name}: no closing ]);"))];
    let list: Vec<String> = body.split('\'').skip(1).step_by(2).map(str::to_owned).collect();
    assert!(!list.is_empty(), "{name} is empty");
    list
}

/// The number of `export const NAME = 1_000;` in contract.js.
fn js_number(source: &str, name: &str) -> usize {
    let start = source.find(&format!("export const {name} = ")).unwrap_or_else(|| panic!("contract.js has no {name}")) + name.len() + 16;
    let text: String = source[start..].chars().take_while(|c| *c != ';').filter(|c| *c != '_').collect();
    text.trim().parse().unwrap_or_else(|e| panic!("{name} = {text}: {e}"))
}

/// The members of `export interface NAME … { … }` in index.d.ts (two-space indented
/// `name:` / `name?:` / `readonly name:` lines), with those of the interface it extends.
fn ts_interface(source: &str, name: &str) -> BTreeSet<String> {
    let head = format!("export interface {name} ");
    let start = source.find(&head).unwrap_or_else(|| panic!("index.d.ts has no interface {name}"));
    let rest = &source[start..];
    let end = rest.find("\n}").unwrap();
    let mut members = BTreeSet::new();
    let first_line = rest.lines().next().unwrap();
    if let Some(parent) = first_line.split(" extends ").nth(1) {
        let parent = parent.trim_end_matches(" {").trim();
        if parent.chars().all(|c| c.is_ascii_alphanumeric()) {
            members.extend(ts_interface(source, parent));
        }
    }
    for line in rest[..end].lines().skip(1) {
        let Some(member) = line.strip_prefix("  ") else { continue };
        if member.starts_with(' ') || member.starts_with('/') || member.starts_with('*') {
            continue;
        }
        let member = member.strip_prefix("readonly ").unwrap_or(member);
        let name: String = member.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let after = &member[name.len()..];
        if !name.is_empty() && (after.starts_with(':') || after.starts_with("?:")) {
            members.insert(name);
        }
    }
    assert!(!members.is_empty(), "interface {name} has no members");
    members
}

/// The string literals of `export type NAME = 'a' | 'b' …;` in index.d.ts.
fn ts_union(source: &str, name: &str) -> BTreeSet<String> {
    let start = source.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("index.d.ts has no type {name}"));
    let rest = &source[start..];
    let body = &rest[..rest.find(';').unwrap()];
    let members = set(body.split('\'').skip(1).step_by(2));
    assert!(!members.is_empty(), "type {name} is empty");
    members
}

/// The fields serde accepts for `T`, from its "unknown field" error.
fn serde_fields<T: DeserializeOwned + std::fmt::Debug>(mut probe: Value) -> BTreeSet<String> {
    probe.as_object_mut().unwrap().insert("__unknown__".into(), json!(1));
    let error = serde_json::from_value::<T>(probe).expect_err("an unknown field is refused").to_string();
    let expected = error.split("expected one of ").nth(1).or_else(|| error.split("expected ").nth(1)).unwrap_or_else(|| panic!("{error}"));
    let fields = set(expected.split('`').skip(1).step_by(2));
    assert!(!fields.is_empty(), "no fields in {error}");
    fields
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().cloned().collect()
}

#[test]
fn shelf_kinds_defaults_and_caps_are_the_cores() {
    let contract = read("www/shelfwise/contract.js");
    let types = read("www/shelfwise/index.d.ts");
    let rust: Vec<String> = ShelfKind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
    assert_eq!(js_list(&contract, "SHELF_KINDS"), rust, "contract.js SHELF_KINDS = ShelfKind::ALL, in order");
    assert_eq!(ts_union(&types, "ShelfKind"), set(rust.clone()), "index.d.ts ShelfKind");
    assert_eq!(js_number(&contract, "DEFAULT_K"), DEFAULT_K);
    assert_eq!(js_number(&contract, "MAX_K"), MAX_K);
    assert_eq!(js_number(&contract, "MAX_EVENTS"), MAX_EVENTS);
    assert_eq!(js_number(&contract, "MAX_SEARCHES"), limits::MAX_SEARCHES);
    assert_eq!(js_number(&contract, "MAX_QUERY_CHARS"), limits::MAX_QUERY_CHARS);
    assert_eq!(
        js_number(&contract, "FORMAT_VERSION"),
        usize::from(shelfwise::pack::FORMAT_VERSION),
        "loader.js checks this format's checksum"
    );
}

#[test]
fn request_fields_are_the_cores() {
    let contract = read("www/shelfwise/contract.js");
    let types = read("www/shelfwise/index.d.ts");
    let event = serde_fields::<EventInput>(json!({ "type": "view", "ts": 0 }));
    assert_eq!(set(js_list(&contract, "EVENT_FIELDS")), event, "EVENT_FIELDS = EventInput");
    assert_eq!(ts_interface(&types, "TrackEvent"), event, "index.d.ts TrackEvent");

    // A shelf request: `kind` travels apart in the JS options, `now` is the call's time.
    let mut request = serde_fields::<ShelfRequest>(json!({ "kind": "for-you" }));
    assert!(request.remove("kind"));
    let mut options = set(js_list(&contract, "SHELF_OPTIONS"));
    assert!(options.remove("now"));
    assert_eq!(options, request, "SHELF_OPTIONS = ShelfRequest's fields");
    let mut typed = ts_interface(&types, "ShelfOptions");
    assert!(typed.remove("now"));
    assert_eq!(typed, request, "index.d.ts ShelfOptions");

    let filters = serde_fields::<FilterInput>(json!({}));
    assert_eq!(set(js_list(&contract, "FILTER_FIELDS")), filters, "FILTER_FIELDS = FilterInput");
    assert_eq!(ts_interface(&types, "ShelfFilters"), filters, "index.d.ts ShelfFilters");
    let rule = serde_fields::<RuleInput>(json!({ "action": "boost" }));
    assert_eq!(set(js_list(&contract, "RULE_FIELDS")), rule, "RULE_FIELDS = RuleInput");
    assert_eq!(ts_interface(&types, "ShelfRule"), rule, "index.d.ts ShelfRule");
    let explore = serde_fields::<ExploreRequest>(json!({ "seed": 1 }));
    assert_eq!(set(js_list(&contract, "EXPLORE_FIELDS")), explore, "EXPLORE_FIELDS = ExploreRequest");
}

#[test]
fn link_policies_are_one_list() {
    // render.js decides what a link may be; index.js validates init({ links }) against the same
    // list; index.d.ts types it, InitOptions and RenderOptions take it.
    let render = read("www/shelfwise/render.js");
    let types = read("www/shelfwise/index.d.ts");
    let policies = js_list(&render, "LINK_POLICIES");
    assert_eq!(policies, ["same-origin", "any"], "the default first");
    assert_eq!(ts_union(&types, "LinkPolicy"), set(policies), "index.d.ts LinkPolicy = render.js LINK_POLICIES");
    assert!(ts_interface(&types, "InitOptions").contains("links"), "InitOptions.links");
    assert!(ts_interface(&types, "RenderOptions").contains("links"), "RenderOptions.links");
    assert!(read("www/shelfwise/index.js").contains("LINK_POLICIES.includes(links)"), "init() validates links against the list");
}

#[test]
fn result_fields_are_the_cores() {
    let types = read("www/shelfwise/index.d.ts");
    let mut engine = Engine::open(common::shop_pack_bytes()).unwrap();
    let first = engine.items(0, 1).unwrap()[0].id.clone();
    let event = EventInput { item: Some(first.clone()), kind: "view".into(), ts: (NOW - 60_000) as f64, qty: None, query: None };
    engine.track(&event, NOW).unwrap();

    let shelf = serde_json::to_value(engine.shelf(&ShelfRequest::new("for-you"), NOW).unwrap()).unwrap();
    assert_eq!(keys(&shelf), ts_interface(&types, "Shelf"), "index.d.ts Shelf");
    let items = shelf["items"].as_array().unwrap();
    assert!(!items.is_empty(), "the shelf has items");
    for item in items {
        assert_eq!(keys(item), ts_interface(&types, "ShelfItem"), "index.d.ts ShelfItem");
        assert_eq!(keys(&item["explanation"]), ts_interface(&types, "Explanation"), "index.d.ts Explanation");
    }
    let card = serde_json::to_value(engine.item(&first).unwrap()).unwrap();
    assert_eq!(keys(&card), ts_interface(&types, "ItemCard"), "index.d.ts ItemCard");
    let evidence = Evidence {
        item: Some(ItemRef { id: first, title: "t".into() }),
        category: Some("c".into()),
        count: Some(1),
        similarity: Some(0.5),
        share: Some(0.5),
        query: Some("q".into()),
        rule: Some("r".into()),
        forecast_per_week: Some(40.0),
        recent_per_week: Some(25.0),
    };
    assert_eq!(keys(&serde_json::to_value(&evidence).unwrap()), ts_interface(&types, "Evidence"), "index.d.ts Evidence");
    let profile = serde_json::to_value(engine.profile_summary(NOW)).unwrap();
    assert_eq!(keys(&profile), ts_interface(&types, "ProfileSummary"), "index.d.ts ProfileSummary");
    // PackInfo: the shell adds `wasm` (which build runs) and, for a sharded pack, `sharded`
    // (engine.js, from shards.js).
    let mut info = keys(&serde_json::to_value(engine.info()).unwrap());
    info.insert("wasm".into());
    info.insert("sharded".into());
    assert_eq!(info, ts_interface(&types, "PackInfo"), "index.d.ts PackInfo");
}

/// The kinds of the `kind()` match arms in a Rust source file (`… => "kind",`).
fn rust_kinds(path: &str) -> BTreeSet<String> {
    let source = read(path);
    let start = source.find("pub fn kind(&self)").unwrap_or_else(|| panic!("{path} has no kind()"));
    let body = &source[start..start + source[start..].find("\n    }\n").unwrap()];
    let kinds = set(body.lines().filter_map(|line| line.split("=> \"").nth(1)).map(|rest| rest.split('"').next().unwrap()));
    assert!(!kinds.is_empty(), "{path}: no kinds");
    kinds
}

/// Kinds only the builder and `shelfwise report` meet: no browser call can produce them.
const NOT_IN_THE_BROWSER: [&str; 3] = ["invalid_contents", "invalid_report", "unsupported_schema"];

#[test]
fn error_kinds_are_typed_and_documented() {
    let mut kinds = BTreeSet::new();
    for path in ["src/error.rs", "src/pack/error.rs", "src/measurement/error.rs"] {
        kinds.extend(rust_kinds(path));
    }
    for entry in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("www/shelfwise")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let source = fs::read_to_string(&path).unwrap();
            for rest in source.split("new ShelfwiseError('").skip(1) {
                kinds.insert(rest.split('\'').next().unwrap().to_owned());
            }
        }
    }
    for kind in NOT_IN_THE_BROWSER {
        assert!(kinds.remove(kind), "{kind} is no longer a kind: update NOT_IN_THE_BROWSER");
    }
    let typed = ts_union(&read("www/shelfwise/index.d.ts"), "ErrorKind");
    assert_eq!(typed, kinds, "index.d.ts ErrorKind = the core's kinds and the shell's");
    let api = read("docs/API.md");
    let table = &api[api.find("| kind | from |").expect("API.md has the error table")..];
    let table = &table[..table.find("\n\n").unwrap()];
    let documented = set(table.split('`').skip(1).step_by(2));
    let missing: Vec<&String> = kinds.iter().filter(|k| !documented.contains(*k)).collect();
    assert!(missing.is_empty(), "docs/API.md's error table lacks {missing:?}");
}
