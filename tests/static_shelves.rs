//! Static shelves (`shelfwise build --static-shelves`) and imported vectors (`--vectors`):
//! hand-checked on the sample pack, and end to end through the CLI.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{run_shelfwise, sample_contents};
use shelfwise::build::static_shelves::{static_shelves, StaticItem, StaticShelves};
use shelfwise::engine::Engine;
use shelfwise::pack::Pack;
use shelfwise::page::ShelfRequest;

fn ids(list: &[StaticItem]) -> Vec<&str> {
    list.iter().map(|s| s.id.as_str()).collect()
}

fn engine_of(contents: &shelfwise::pack::PackContents) -> Engine<Vec<u8>> {
    Engine::open(contents.encode().unwrap()).unwrap()
}

fn shelves_of(contents: &shelfwise::pack::PackContents, k: usize) -> StaticShelves {
    static_shelves(&engine_of(contents), k).unwrap()
}

/// The shelf a new visitor's browser gets (no events, at the pack's build time).
fn browser_shelf(engine: &Engine<Vec<u8>>, kind: &str, k: usize, item: Option<&str>, category: Option<&str>) -> Vec<(String, String)> {
    let request = ShelfRequest { k: Some(k), item: item.map(Into::into), category: category.map(Into::into), ..ShelfRequest::new(kind) };
    let shelf = engine.shelf(&request, engine.pack().meta().built_at_ms).unwrap();
    shelf.items.into_iter().map(|item| (item.card.id, item.reason)).collect()
}

fn pairs(list: &[StaticItem]) -> Vec<(String, String)> {
    list.iter().map(|s| (s.id.clone(), s.reason.clone())).collect()
}

#[test]
fn every_list_is_what_a_new_visitors_browser_ranks() {
    let contents = sample_contents();
    let engine = engine_of(&contents);
    for k in [1, 3, 8] {
        let shelves = static_shelves(&engine, k).unwrap();
        assert_eq!((shelves.k, shelves.pack.items, shelves.pack.format_version), (k, 6, shelfwise::pack::FORMAT_VERSION));
        assert_eq!(shelves.items.len(), 6, "every item has a similar or bought-together shelf");
        for (id, lists) in &shelves.items {
            assert_eq!(pairs(&lists.similar), browser_shelf(&engine, "similar", k, Some(id), None), "{id} similar, k {k}");
            let together = browser_shelf(&engine, "bought-together", k, Some(id), None);
            assert_eq!(pairs(&lists.bought_together), together, "{id} bought-together, k {k}");
            assert!(lists.similar.len() <= k && !lists.similar.is_empty(), "{id}: {:?}", lists.similar);
        }
        assert_eq!(shelves.trending.keys().map(String::as_str).collect::<Vec<_>>(), ["Candles", "Mugs"]);
        for (name, list) in &shelves.trending {
            assert_eq!(pairs(list), browser_shelf(&engine, "trending-in-categories", k, None, Some(name)), "{name}, k {k}");
            assert!(!list.is_empty() && list.len() <= k);
        }
    }
}

#[test]
fn lists_leave_out_the_item_itself_and_items_out_of_stock_and_follow_the_packs_lists() {
    let shelves = shelves_of(&sample_contents(), 8);
    for (id, lists) in &shelves.items {
        for list in [&lists.similar, &lists.bought_together] {
            assert!(!ids(list).contains(&id.as_str()), "{id} on its own shelf: {list:?}");
            assert!(!ids(list).contains(&"SKU-2"), "SKU-2 is out of stock: {list:?}");
            assert!(list.iter().all(|s| !s.reason.is_empty()), "{list:?}");
        }
    }
    // SKU-3's neighbours are SKU-4 and SKU-5; SKU-0 was bought with SKU-3 (4 baskets), then SKU-1.
    let similar = ids(&shelves.items["SKU-3"].similar);
    assert!(similar.contains(&"SKU-4") && similar.contains(&"SKU-5"), "{similar:?}");
    let together = &shelves.items["SKU-0"].bought_together;
    let at = |id: &str| ids(together).iter().position(|&x| x == id).unwrap();
    assert!(at("SKU-3") < at("SKU-1"), "{together:?}");
    assert!(together[at("SKU-3")].reason.contains("Amber Candle"), "{together:?}");
    assert!(
        shelves.trending["Mugs"][0].reason.contains("Mugs") || shelves.trending["Mugs"][0].reason.contains("Tall Mug"),
        "{:?}",
        shelves.trending["Mugs"]
    );

    let json = serde_json::to_value(&shelves).unwrap();
    assert_eq!((json["format"].as_str(), json["version"].as_u64()), (Some("shelfwise-static-shelves"), Some(2)));
    assert_eq!(json["pack"]["formatVersion"], shelfwise::pack::FORMAT_VERSION);
    assert_eq!(json["items"]["SKU-0"]["boughtTogether"][at("SKU-3")]["id"], "SKU-3");
    assert!(json["items"]["SKU-0"]["similar"][0]["reason"].is_string());
}

#[test]
fn without_lists_similar_comes_from_the_embeddings() {
    let mut contents = sample_contents();
    contents.neighbours.clear();
    contents.together.clear();
    contents.rules.clear();
    let shelves = shelves_of(&contents, 8);
    // Candles point one way, mugs the other: each item's own group comes first.
    let similar = |id: &str| ids(&shelves.items[id].similar).into_iter().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(similar("SKU-0")[0], "SKU-1");
    for id in ["SKU-3", "SKU-4", "SKU-5"] {
        let list = similar(id);
        let first_candle = list.iter().position(|s| s == "SKU-0" || s == "SKU-1").unwrap_or(list.len());
        assert!(first_candle >= 2, "{id}: the other mugs first: {list:?}");
    }
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
    assert_eq!(shelves["k"], 2);
    assert_eq!(shelves["items"]["A"]["similar"][0]["id"], "B");
    // B points A's way; C (orthogonal) is the next nearest by embedding, as in the browser.
    assert_eq!(shelves["items"]["A"]["similar"][0]["reason"], "Similar to Alpha");
    assert_eq!(shelves["items"]["A"]["similar"].as_array().unwrap().len(), 2);
    assert!(stderr.contains("static     ") && stderr.contains("4 items with shelves"), "{stderr}");

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

#[test]
fn a_large_pack_without_neighbour_lists_gets_trending_but_no_per_item_shelves() {
    use shelfwise::build::static_shelves::{has_item_shelves, MAX_SCAN_ITEMS};
    let mut contents = common::shop_contents();
    let (items, codes) = (contents.items.clone(), contents.codes.clone());
    let copies = MAX_SCAN_ITEMS / items.len() + 1;
    contents.items = (0..copies)
        .flat_map(|c| items.iter().map(move |item| (c, item)))
        .map(|(c, item)| {
            let mut item = item.clone();
            item.id = format!("{c:04}-{}", item.id);
            item
        })
        .collect();
    contents.codes = codes.repeat(copies);
    contents.neighbours = vec![Vec::new(); contents.items.len()];
    contents.together = vec![Vec::new(); contents.items.len()];
    assert!(contents.items.len() > MAX_SCAN_ITEMS);
    let engine = engine_of(&contents);
    assert!(!has_item_shelves(&engine));
    let shelves = static_shelves(&engine, 4).unwrap();
    assert!(shelves.items.is_empty());
    assert_eq!(shelves.trending.len(), 4, "{:?}", shelves.trending.keys());
    assert!(shelves.trending.values().all(|list| list.len() == 4));
}
