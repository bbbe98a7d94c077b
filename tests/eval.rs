//! `shelfwise eval` on a small synthetic shop: metrics are sane, rankers see the same
//! shoppers, and the popularity baseline matches a recomputation by hand.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};

use common::shelfwise;
use shelfwise::blend::BlendWeights;
use shelfwise::build::assemble::BuildConfig;
use shelfwise::build::eval::{evaluate, split_events, weight_grid, EvalConfig, EvalReport, GridSpec, RANKERS};
use shelfwise::build::input::{CatalogItem, RawEvent};
use shelfwise::build::synth::{generate, SynthConfig};
use shelfwise::event::EventKind;

const K: usize = 10;

fn shop() -> (Vec<CatalogItem>, Vec<RawEvent>, i64) {
    let shop = generate(&SynthConfig { items: 200, shoppers: 300, ..Default::default() });
    let first = shop.events.first().unwrap().ts_ms;
    let last = shop.events.last().unwrap().ts_ms;
    // A split at about 70% of the log, rounded to a midnight (as --split-date gives).
    let day = 86_400_000;
    let split = (first + (last - first) * 7 / 10) / day * day;
    assert!(first < split && split < last);
    (shop.catalog, shop.events, split)
}

fn run(catalog: &[CatalogItem], events: &[RawEvent], split_ms: i64) -> EvalReport {
    let mut build = BuildConfig { built_at_ms: split_ms, ..BuildConfig::default() };
    build.als.factors = 16;
    build.als.iterations = 4;
    evaluate(catalog, events, &EvalConfig { k: K, split_ms, build }, &mut |_| {}).unwrap()
}

#[test]
fn eval_on_a_synthetic_shop() {
    let (catalog, events, split) = shop();
    let report = run(&catalog, &events, split);

    assert_eq!(report.rankers.iter().map(|r| r.ranker.as_str()).collect::<Vec<_>>(), RANKERS);
    assert_eq!(report.catalog_items, catalog.len());
    assert_eq!(report.train_events + report.test_events, events.len());

    // Metrics in [0, 1]; means agree with the per-shopper results.
    for r in &report.rankers {
        for t in [&r.for_you, &r.discovery] {
            for v in [t.recall, t.ndcg, t.coverage] {
                assert!((0.0..=1.0).contains(&v), "{}: {v}", r.ranker);
            }
            assert_eq!(t.per_shopper.len(), t.shoppers);
            for s in &t.per_shopper {
                assert!((0.0..=1.0).contains(&s.recall) && (0.0..=1.0).contains(&s.ndcg));
                assert!(s.ranked.len() <= K);
                let distinct: HashSet<_> = s.ranked.iter().collect();
                assert_eq!(distinct.len(), s.ranked.len(), "{} repeats an item", r.ranker);
            }
            let mean = t.per_shopper.iter().map(|s| s.recall).sum::<f64>() / t.shoppers as f64;
            assert!((mean - t.recall).abs() < 1e-9);
            // The 95% bootstrap intervals bracket the means.
            assert!(t.recall_ci[0] <= t.recall && t.recall <= t.recall_ci[1], "{}: {:?} {}", r.ranker, t.recall_ci, t.recall);
            assert!(t.ndcg_ci[0] <= t.ndcg && t.ndcg <= t.ndcg_ci[1], "{}: {:?} {}", r.ranker, t.ndcg_ci, t.ndcg);
        }
    }

    // Every ranker evaluated the same shoppers, in both tasks.
    let ids = |t: &shelfwise::build::eval::TaskMetrics| t.per_shopper.iter().map(|s| s.shopper.clone()).collect::<Vec<_>>();
    let first = &report.rankers[0];
    assert!(first.for_you.shoppers > 20, "too few shoppers: {}", first.for_you.shoppers);
    assert!(first.discovery.shoppers > 0 && first.discovery.shoppers <= first.for_you.shoppers);
    for r in &report.rankers[1..] {
        assert_eq!(ids(&r.for_you), ids(&first.for_you), "{}", r.ranker);
        assert_eq!(ids(&r.discovery), ids(&first.discovery), "{}", r.ranker);
    }

    // The evaluated shoppers are exactly those with a train event and a test purchase.
    let (train, test) = split_events(&events, split);
    let known: HashSet<&str> = catalog.iter().map(|c| c.id.as_str()).collect();
    let with_train: HashSet<&str> =
        train.iter().filter(|e| e.kind != EventKind::Search && known.contains(e.item.as_str())).map(|e| e.shopper.as_str()).collect();
    let mut expected: Vec<String> = test
        .iter()
        .filter(|e| e.kind == EventKind::Purchase && known.contains(e.item.as_str()) && with_train.contains(e.shopper.as_str()))
        .map(|e| e.shopper.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    expected.sort();
    assert_eq!(ids(&first.for_you), expected);

    // Discovery never recommends an item the shopper bought before the split; for-you does
    // bring bought items back (repeat purchases), for most shoppers with purchases.
    let index: HashMap<&str, u32> = catalog.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
    let bought_before = |who: &str| -> HashSet<u32> {
        train.iter().filter(|e| e.shopper == who && e.kind == EventKind::Purchase).map(|e| index[e.item.as_str()]).collect()
    };
    for s in &first.discovery.per_shopper {
        let bought = bought_before(&s.shopper);
        assert!(s.ranked.iter().all(|i| !bought.contains(i)), "discovery showed a bought item to {}", s.shopper);
        assert_eq!(s.ranked.len(), K, "discovery fills the shelf");
    }
    let with_repeats = first
        .for_you
        .per_shopper
        .iter()
        .filter(|s| {
            let bought = bought_before(&s.shopper);
            !bought.is_empty() && s.ranked.iter().any(|i| bought.contains(i))
        })
        .count();
    assert!(with_repeats * 2 > first.for_you.shoppers, "{with_repeats} of {}", first.for_you.shoppers);

    // Popularity by hand, for one shopper: train purchase counts, ties by catalog order.
    let mut counts = vec![0usize; catalog.len()];
    for e in train.iter().filter(|e| e.kind == EventKind::Purchase) {
        counts[index[e.item.as_str()] as usize] += 1;
    }
    let mut order: Vec<u32> = (0..catalog.len() as u32).collect();
    order.sort_by(|&a, &b| counts[b as usize].cmp(&counts[a as usize]).then(a.cmp(&b)));
    let popularity = &report.rankers[1];
    assert_eq!(popularity.ranker, "popularity");
    let who = popularity.discovery.per_shopper[0].shopper.clone();
    let truth: HashSet<u32> =
        test.iter().filter(|e| e.shopper == who && e.kind == EventKind::Purchase).map(|e| index[e.item.as_str()]).collect();
    let top: Vec<u32> = order.iter().copied().take(K).collect();
    let hits: Vec<usize> = (0..K).filter(|&r| truth.contains(&top[r])).collect();
    let recall = hits.len() as f64 / truth.len() as f64;
    let ideal: f64 = (0..truth.len().min(K)).map(|r| 1.0 / ((r + 2) as f64).log2()).sum();
    let ndcg = hits.iter().map(|&r| 1.0 / ((r + 2) as f64).log2()).sum::<f64>() / ideal;
    let got = popularity.for_you.per_shopper.iter().find(|s| s.shopper == who).unwrap();
    assert_eq!(got.ranked, top);
    assert!((got.recall - recall).abs() < 1e-12, "{} vs {recall}", got.recall);
    assert!((got.ndcg - ndcg).abs() < 1e-12, "{} vs {ndcg}", got.ndcg);

    // Discovery: the same counts with the shopper's train-bought items left out.
    let bought = bought_before(&who);
    let new_truth: HashSet<u32> = truth.difference(&bought).copied().collect();
    let top: Vec<u32> = order.iter().copied().filter(|i| !bought.contains(i)).take(K).collect();
    let hits: Vec<usize> = (0..top.len()).filter(|&r| new_truth.contains(&top[r])).collect();
    let recall = hits.len() as f64 / new_truth.len() as f64;
    let ideal: f64 = (0..new_truth.len().min(K)).map(|r| 1.0 / ((r + 2) as f64).log2()).sum();
    let ndcg = hits.iter().map(|&r| 1.0 / ((r + 2) as f64).log2()).sum::<f64>() / ideal;
    let got = &popularity.discovery.per_shopper[0];
    assert_eq!(got.ranked, top);
    assert!((got.recall - recall).abs() < 1e-12);
    assert!((got.ndcg - ndcg).abs() < 1e-12);

    // EASE (with bought items left out in discovery): full shelves, found something, and
    // not item-kNN's lists.
    let ease = report.rankers.iter().find(|r| r.ranker == "ease").unwrap();
    let knn = report.rankers.iter().find(|r| r.ranker == "item-knn").unwrap();
    assert!(ease.for_you.recall > 0.0 && ease.discovery.recall > 0.0);
    for s in &ease.discovery.per_shopper {
        let bought = bought_before(&s.shopper);
        assert!(s.ranked.len() == K && s.ranked.iter().all(|i| !bought.contains(i)));
    }
    let differ = ease.for_you.per_shopper.iter().zip(&knn.for_you.per_shopper).filter(|(a, b)| a.ranked != b.ranked).count();
    assert!(differ * 2 > ease.for_you.shoppers, "EASE equals item-kNN for {differ} shoppers only");

    // Every ranked list of popularity is the same top K in the for-you task.
    assert!(popularity.for_you.per_shopper.iter().all(|s| s.ranked == order[..K]));
    assert!((popularity.for_you.coverage - K as f64 / catalog.len() as f64).abs() < 1e-12);

    // The table names every ranker.
    let table = report.table();
    for name in RANKERS {
        assert!(table.contains(name));
    }
}

/// The weight grid scores through the same core blend as the engine's shelves: at the default
/// weights it reproduces the engine's figures exactly.
#[test]
fn the_grid_at_the_default_weights_reproduces_the_engine() {
    let (catalog, events, split) = shop();
    let report = run(&catalog, &events, split);
    let mut build = BuildConfig { built_at_ms: split, ..BuildConfig::default() };
    build.als.factors = 16;
    build.als.iterations = 4;
    let config = EvalConfig { k: K, split_ms: split, build };
    for (weights, task) in [(BlendWeights::FOR_YOU, 0), (BlendWeights::DISCOVERY, 1)] {
        // The grid fixes the repeat weight at 1; the other weights are relative to it.
        let scale = if weights.repeat > 0.0 { weights.repeat } else { 1.0 };
        let spec = GridSpec {
            half_lives: vec![(weights.repeat_half_life_days, weights.source_half_life_days)],
            max_sources: vec![weights.max_sources],
            neighbours: vec![weights.neighbours / scale],
            embedding: vec![weights.embedding / scale],
            popularity: vec![weights.popularity / scale],
            trend: vec![weights.trend / scale],
            recent: vec![(weights.recent_boost, weights.recent_half_moments)],
        };
        let rows = weight_grid(&catalog, &events, &config, &spec, &mut |_| {}).unwrap();
        assert_eq!(rows.len(), 1);
        let (grid, engine) = if task == 0 {
            (rows[0].for_you, (report.rankers[0].for_you.recall, report.rankers[0].for_you.ndcg))
        } else {
            (rows[0].discovery, (report.rankers[0].discovery.recall, report.rankers[0].discovery.ndcg))
        };
        assert!((grid.0 - engine.0).abs() < 1e-9 && (grid.1 - engine.1).abs() < 1e-9, "task {task}: grid {grid:?}, engine {engine:?}");
    }
}

#[test]
fn cli_eval_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let status = shelfwise(&["demo-data", "--out", demo.to_str().unwrap(), "--items", "200", "--shoppers", "300"]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    // The default synthetic shop starts 2026-06-01 and spans 120 days.
    let json = dir.path().join("eval.json");
    let html = dir.path().join("eval.html");
    let out = shelfwise(&[
        "eval",
        "--events",
        demo.join("events.jsonl").to_str().unwrap(),
        "--catalog",
        demo.join("catalog.csv").to_str().unwrap(),
        "--split-date",
        "2026-08-15",
        "--k",
        "10",
        "--dim",
        "8",
        "--iterations",
        "3",
        "--json",
        json.to_str().unwrap(),
        "--report",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("buy-again") && stdout.contains("Recall@10"), "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["k"], 10);
    assert_eq!(v["rankers"].as_array().unwrap().len(), RANKERS.len());
    assert!(v["rankers"][0]["forYou"]["shoppers"].as_u64().unwrap() > 0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("buy-again") && !page.contains("<script"));

    let bad = shelfwise(&["eval", "--events", "x.jsonl", "--split-date", "2026-02-30"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("split date"));
}
