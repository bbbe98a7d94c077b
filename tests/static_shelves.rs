//! Static shelves (`shelfwise build --static-shelves`) and imported vectors (`--vectors`):
//! hand-checked on the sample pack, and end to end through the CLI.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_shelfwise, sample_contents, unit};
use shelfwise::build::static_shelves::{static_shelves, StaticShelves};
use shelfwise::pack::Pack;

fn ids_scores(list: &[shelfwise::build::static_shelves::ScoredId]) -> Vec<(&str, f32)> {
    list.iter().map(|s| (s.id.as_str(), s.score)).collect()
}

fn shelves_of(contents: &shelfwise::pack::PackContents, k: usize) -> StaticShelves {
    let bytes = contents.encode().unwrap();
    static_shelves(&Pack::open(bytes.as_slice()).unwrap(), k)
}

#[test]
fn from_the_packs_lists_without_the_item_itself_or_items_out_of_stock() {
    let shelves = shelves_of(&sample_contents(), 8);
    assert_eq!((shelves.sources.similar, shelves.sources.bought_together, shelves.sources.trending), ("neighbours", "baskets", "trend"));
    assert_eq!(shelves.pack.items, 6);
    assert_eq!(shelves.pack.format_version, shelfwise::pack::FORMAT_VERSION);
    // SKU-5 has neither neighbours nor baskets: left out.
    assert_eq!(shelves.items.keys().map(String::as_str).collect::<Vec<_>>(), ["SKU-0", "SKU-1", "SKU-2", "SKU-3", "SKU-4"]);
    let item = |id: &str| &shelves.items[id];
    // SKU-2 is out of stock, so it is on nobody's shelf.
    assert_eq!(ids_scores(&item("SKU-0").similar), [("SKU-1", unit(0.75))]);
    assert_eq!(ids_scores(&item("SKU-2").similar), [("SKU-0", unit(0.5)), ("SKU-1", unit(0.25))]);
    assert_eq!(ids_scores(&item("SKU-3").similar), [("SKU-4", 1.0), ("SKU-5", unit(0.5))]);
    let together: Vec<(&str, u32)> = item("SKU-0").bought_together.iter().map(|t| (t.id.as_str(), t.baskets)).collect();
    assert_eq!(together, [("SKU-3", 4), ("SKU-1", 2)]);
    assert!(item("SKU-4").bought_together.is_empty());
    // Trending by trend: Candles has SKU-0 (0.5; SKU-1 has no trend, SKU-2 is out of stock).
    assert_eq!(ids_scores(&shelves.trending["Candles"]), [("SKU-0", unit(0.5))]);
    assert_eq!(ids_scores(&shelves.trending["Mugs"]), [("SKU-3", 1.0), ("SKU-5", unit(0.75))]);

    let short = shelves_of(&sample_contents(), 1);
    assert_eq!(ids_scores(&short.items["SKU-3"].similar), [("SKU-4", 1.0)]);
    assert_eq!(short.items["SKU-0"].bought_together.len(), 1);
    assert_eq!(ids_scores(&short.trending["Mugs"]), [("SKU-3", 1.0)]);

    let json = serde_json::to_value(&shelves).unwrap();
    assert_eq!(json["format"], "shelfwise-static-shelves");
    assert_eq!(json["pack"]["formatVersion"], shelfwise::pack::FORMAT_VERSION);
    assert_eq!(json["items"]["SKU-0"]["boughtTogether"][0]["id"], "SKU-3");
    assert_eq!(json["sources"]["boughtTogether"], "baskets");
}

#[test]
fn without_lists_similar_comes_from_the_embeddings_and_trending_from_popularity() {
    let mut contents = sample_contents();
    contents.neighbours.clear();
    contents.together.clear();
    contents.items.iter_mut().for_each(|item| item.trend = 0.0);
    let shelves = shelves_of(&contents, 8);
    assert_eq!((shelves.sources.similar, shelves.sources.bought_together, shelves.sources.trending), ("embeddings", "none", "popularity"));
    // Candles point one way, mugs the other: each item's own group comes first.
    let similar = |id: &str| shelves.items[id].similar.iter().map(|s| s.id.as_str()).collect::<Vec<_>>();
    assert_eq!(similar("SKU-0")[0], "SKU-1");
    assert!(!similar("SKU-0").contains(&"SKU-2"), "out of stock");
    for id in ["SKU-3", "SKU-4", "SKU-5"] {
        let list = similar(id);
        let first_candle = list.iter().position(|s| s.starts_with("SKU-0") || s.starts_with("SKU-1")).unwrap_or(list.len());
        assert!(list[..first_candle].len() >= 2, "{id}: the other mugs first: {list:?}");
    }
    for list in shelves.items.values() {
        assert!(list.similar.windows(2).all(|w| w[0].score >= w[1].score), "best first");
        assert!(list.similar.iter().all(|s| s.score > 0.0 && s.score <= 1.0));
    }
    // Popularity: Mugs 1.0, 0.9, 0.8; Candles 0.3 (SKU-1), 0.2 (SKU-0); SKU-2 out of stock.
    assert_eq!(shelves.trending["Mugs"].iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["SKU-3", "SKU-4", "SKU-5"]);
    assert_eq!(shelves.trending["Candles"].iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["SKU-1", "SKU-0"]);
}

#[test]
fn cli_imports_vectors_and_writes_static_shelves() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    std::fs::write(path("catalog.csv"), "id,title,price,category\nA,Alpha,1,X\nB,Beta,1,X\nC,Gamma,1,Y\nD,Delta,1,Y\n").unwrap();
    let events: String = ["A", "B", "C", "D", "A", "C"]
        .iter()
        .enumerate()
        .map(|(n, item)| {
            format!("{{\"shopper\":\"s{}\",\"item\":\"{item}\",\"type\":\"purchase\",\"ts\":\"2024-01-0{}T00:00:00Z\"}}\n", n % 2, n + 1)
        })
        .collect();
    std::fs::write(path("events.jsonl"), events).unwrap();
    // A and B point the same way, C and D the other; Z is not in the catalog; line 6 is bad.
    std::fs::write(
        path("vectors.csv"),
        "id,features\nA,\"[1, 0, 0]\"\nB,\"[0.9, 0.1, 0]\"\nC,\"[0, 0, 1]\"\nZ,\"[1, 1, 1]\"\nD,\"[0, 1]\"\n",
    )
    .unwrap();
    let (ok, stderr) = run_shelfwise(&[
        "build",
        "--events",
        &path("events.jsonl"),
        "--catalog",
        &path("catalog.csv"),
        "--out",
        &path("shop.pack"),
        "--vectors",
        &path("vectors.csv"),
        "--static-shelves",
        &path("shelves.json"),
        "--static-k",
        "2",
        // No neighbour lists in the pack, so "similar" comes from the imported vectors.
        "--neighbours",
        "0",
    ]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("vectors.csv:line 6: field \"vector\": 2 values; the first row had 3"), "{stderr}");
    assert!(stderr.contains("vectors    dim 3 from"), "{stderr}");
    assert!(
        stderr.contains("3 items matched, 1 without a vector (zero: popularity only), 1 vectors for ids not in the catalog left out"),
        "{stderr}"
    );
    assert!(!stderr.contains("training embeddings"), "no ALS with imported vectors");

    let pack = Pack::open(std::fs::read(path("shop.pack")).unwrap()).unwrap();
    assert_eq!(pack.dim(), 3);
    let row = |id: &str| {
        let mut codes = vec![0i8; 3];
        pack.embedding_row(pack.find_item(id).unwrap(), &mut codes);
        codes
    };
    assert_eq!(row("A")[0], 127);
    assert_eq!(row("C"), [0, 0, 127]);
    assert_eq!(row("D"), [0, 0, 0], "no vector: zero");

    let shelves: serde_json::Value = serde_json::from_slice(&std::fs::read(path("shelves.json")).unwrap()).unwrap();
    assert_eq!(shelves["sources"]["similar"], "embeddings");
    assert_eq!(shelves["k"], 2);
    assert_eq!(shelves["items"]["A"]["similar"][0]["id"], "B");
    assert_eq!(shelves["items"]["A"]["similar"].as_array().unwrap().len(), 1, "C is orthogonal, D has no vector");
    assert!(shelves["items"].get("D").is_none());
    assert!(stderr.contains("static     ") && stderr.contains("similar: embeddings"), "{stderr}");

    let (ok, stderr) = run_shelfwise(&[
        "build",
        "--events",
        &path("events.jsonl"),
        "--catalog",
        &path("catalog.csv"),
        "--out",
        &path("other.pack"),
        "--vectors",
        &path("vectors.npy"),
    ]);
    assert!(!ok);
    assert!(stderr.contains("vectors.npy: an .npy file holds only numbers: pass the item ids with --vector-ids"), "{stderr}");
    let (ok, stderr) = run_shelfwise(&[
        "build",
        "--events",
        &path("events.jsonl"),
        "--catalog",
        &path("catalog.csv"),
        "--out",
        &path("other.pack"),
        "--vectors",
        &path("vectors.csv"),
        "--dim",
        "8",
    ]);
    assert!(!ok && stderr.contains("cannot be used with"), "{stderr}");
}
