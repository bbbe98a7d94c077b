//! `shelfwise eval --export DIR` on a small synthetic shop (no ../shared needed): the files are
//! consistent with each other and with the split, and `shelfwise recommend` on them gives
//! exactly eval's `shelfwise` row (so a replay of the export measures what eval measures).
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;

use serde_json::Value;
use shelfwise::build::assemble::BuildConfig;
use shelfwise::build::eval::{evaluate, EvalConfig, TaskMetrics};
use shelfwise::build::eval_export::{export_split, PACK_FILE, SHOPPERS_FILE, SPLIT_FILE, TRUTH_FILE};
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::recommend::{batch_request, recommend_stream, RecommendConfig};
use shelfwise::build::synth::{generate, SynthConfig};
use shelfwise::engine::Engine;
use shelfwise::event::EventKind;

const K: usize = 10;

/// The synthetic shop and a split at about 70% of its log, on a midnight.
fn shop() -> (Vec<CatalogItem>, Vec<RawEvent>, EvalConfig) {
    let shop = generate(&SynthConfig { items: 200, shoppers: 300, ..Default::default() });
    let (first, last) = (shop.events.first().unwrap().ts_ms, shop.events.last().unwrap().ts_ms);
    let day = 86_400_000;
    let split_ms = (first + (last - first) * 7 / 10) / day * day;
    let mut build = BuildConfig { built_at_ms: split_ms, ..BuildConfig::default() };
    build.als.factors = 16;
    build.als.iterations = 4;
    (shop.catalog, shop.events, EvalConfig { k: K, split_ms, build })
}

fn jsonl(path: &Path) -> Vec<Value> {
    fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

/// `recommend` over the exported histories, as of each line's `now` (all the split).
fn recommend(dir: &Path, kind: &str, as_of_ms: i64) -> Vec<Value> {
    let mut engine = Engine::open(fs::read(dir.join(PACK_FILE)).unwrap()).unwrap();
    let config = RecommendConfig { request: batch_request(kind, K, None).unwrap(), as_of_ms: Some(as_of_ms), now_ms: as_of_ms };
    let mut out = Vec::new();
    let input = fs::File::open(dir.join(SHOPPERS_FILE)).unwrap();
    let summary = recommend_stream(&mut engine, input, "shoppers.jsonl", &mut out, &config).unwrap();
    assert_eq!(summary.error_total(), 0, "{summary:?}");
    String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Eval's `shelfwise` lists of one task, by shopper, as item ids.
fn eval_lists(task: &TaskMetrics, catalog: &[CatalogItem]) -> HashMap<String, Vec<String>> {
    task.per_shopper.iter().map(|s| (s.shopper.clone(), s.ranked.iter().map(|&i| catalog[i as usize].id.clone()).collect())).collect()
}

#[test]
fn the_export_is_consistent_and_replays_to_evals_lists() {
    let (catalog, events, config) = shop();
    let dir = tempfile::tempdir().unwrap();
    let summary = export_split(&catalog, &events, &config, dir.path(), &mut |_| {}).unwrap();
    let split = config.split_ms;

    // split.json says what the files hold.
    let written: Value = serde_json::from_str(&fs::read_to_string(dir.path().join(SPLIT_FILE)).unwrap()).unwrap();
    assert_eq!(written["splitMs"], split);
    assert_eq!(written["shoppers"], summary.shoppers);
    assert_eq!(summary.train_events + summary.test_events, events.len());
    assert_eq!(summary.catalog_items, catalog.len());
    assert!(summary.shoppers > 20, "too few shoppers: {summary:?}");
    assert!(summary.discovery_shoppers > 0 && summary.discovery_shoppers <= summary.shoppers, "{summary:?}");

    let histories = jsonl(&dir.path().join(SHOPPERS_FILE));
    let truths = jsonl(&dir.path().join(TRUTH_FILE));
    assert_eq!(histories.len(), summary.shoppers);
    assert_eq!(truths.len(), summary.shoppers);
    let known: HashSet<&str> = catalog.iter().map(|c| c.id.as_str()).collect();
    let mut history_events = 0;
    let mut discovery_shoppers = 0;
    for (h, t) in histories.iter().zip(&truths) {
        // Every truth shopper has a history, on the same line, every line a distinct shopper.
        let shopper = h["shopper"].as_str().unwrap();
        assert_eq!(t["shopper"], shopper);
        assert_eq!(h["now"], split);
        let evs = h["events"].as_array().unwrap();
        assert!(!evs.is_empty(), "{shopper}: empty history");
        history_events += evs.len();
        // Histories are before the split, oldest first, of catalog items.
        let ts: Vec<i64> = evs.iter().map(|e| e["ts"].as_i64().unwrap()).collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{shopper}: not oldest first");
        assert!(ts.iter().all(|&t| t < split), "{shopper}: an event after the split");
        assert!(evs.iter().all(|e| known.contains(e["item"].as_str().unwrap())));
        // The truths are purchases from the split on; discovery's are the new ones among them.
        let for_you = strings(&t["forYou"]);
        let discovery = strings(&t["discovery"]);
        assert!(!for_you.is_empty(), "{shopper}: empty truth");
        let bought_before: HashSet<&str> = evs.iter().filter(|e| e["type"] == "purchase").map(|e| e["item"].as_str().unwrap()).collect();
        let expected_for_you: HashSet<String> = events
            .iter()
            .filter(|e| e.shopper == shopper && e.ts_ms >= split && e.kind == EventKind::Purchase && known.contains(e.item.as_str()))
            .map(|e| e.item.clone())
            .collect();
        assert_eq!(for_you.iter().cloned().collect::<HashSet<_>>(), expected_for_you, "{shopper}");
        assert_eq!(for_you.len(), expected_for_you.len(), "{shopper}: a truth item twice");
        let expected_discovery: Vec<&String> = for_you.iter().filter(|i| !bought_before.contains(i.as_str())).collect();
        assert_eq!(discovery.iter().collect::<Vec<_>>(), expected_discovery, "{shopper}");
        discovery_shoppers += usize::from(!discovery.is_empty());
    }
    assert_eq!(history_events, summary.history_events);
    assert_eq!(discovery_shoppers, summary.discovery_shoppers);
    let ids: HashSet<&str> = histories.iter().map(|h| h["shopper"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), histories.len(), "a shopper on two lines");

    // `recommend` on the export, as of the split, gives eval's shelfwise lists exactly.
    let report = evaluate(&catalog, &events, &config, &mut |_| {}).unwrap();
    let ours = &report.rankers[0];
    assert_eq!(ours.for_you.shoppers, summary.shoppers);
    assert_eq!(ours.discovery.shoppers, summary.discovery_shoppers);
    for (kind, task) in [("for-you", &ours.for_you), ("discovery", &ours.discovery)] {
        let expected = eval_lists(task, &catalog);
        let lines = recommend(dir.path(), kind, split);
        assert_eq!(lines.len(), summary.shoppers);
        let mut compared = 0;
        for line in &lines {
            let items = strings(&line["items"]);
            assert_eq!(items.len(), K, "{kind}: {line}");
            if let Some(want) = expected.get(line["shopper"].as_str().unwrap()) {
                assert_eq!(&items, want, "{kind}: {line}");
                compared += 1;
            }
        }
        assert_eq!(compared, task.shoppers, "{kind}");
    }
}

#[test]
fn a_split_with_nothing_before_it_is_refused() {
    let (catalog, events, mut config) = shop();
    config.split_ms = events.first().unwrap().ts_ms;
    let dir = tempfile::tempdir().unwrap();
    let err = export_split(&catalog, &events, &config, dir.path(), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("no event before the split"), "{err}");
    assert!(!dir.path().join(PACK_FILE).exists());
}
