//! Visual similarity on a shop whose image vectors are made for the test: the planted visual
//! groups cut across the categories (the "Heart" items of every category look alike; the
//! others fall into three groups by index), so the `visually-similar` shelf can only find them
//! through the image embeddings, never through the category-aligned main embeddings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{shelf_ids, shop_contents, track, NOW};
use shelfwise::engine::Engine;
use shelfwise::explain::Reason;
use shelfwise::pack::{ImageEmbeddings, PackContents};
use shelfwise::page::ShelfRequest;
use shelfwise::rules::{FilterInput, RuleInput};

const HEARTS: [usize; 4] = [0, 9, 14, 23];
const IMAGE_DIM: usize = 8;

/// The planted group of item `i`: 3 for the hearts, else `i % 3`.
fn group(i: usize) -> usize {
    if HEARTS.contains(&i) {
        3
    } else {
        i % 3
    }
}

/// The shop with image codes: the group's axis at 100, and a small item-specific code on the
/// other four dimensions (so members of a group are close, not identical).
fn visual_shop() -> PackContents {
    let mut contents = shop_contents();
    let n = contents.items.len();
    let mut codes = vec![0i8; n * IMAGE_DIM];
    for i in 0..n {
        let row = &mut codes[i * IMAGE_DIM..(i + 1) * IMAGE_DIM];
        row[group(i)] = 100;
        row[4 + i % 4] = (5 + 3 * (i % 5)) as i8;
    }
    contents.image = Some(ImageEmbeddings { dim: IMAGE_DIM as u32, scales: vec![0.01; IMAGE_DIM], codes });
    contents
}

fn engine(contents: &PackContents) -> Engine {
    Engine::open(contents.encode().unwrap()).unwrap()
}

fn looks_like(item: &str) -> ShelfRequest {
    ShelfRequest { item: Some(item.into()), ..ShelfRequest::new("visually-similar") }
}

fn index(id: &str) -> usize {
    id.trim_start_matches("S-").parse().unwrap()
}

#[test]
fn the_shelf_returns_the_planted_group_explained_as_looks_like() {
    let e = engine(&visual_shop());
    let s = e.shelf(&looks_like("S-00"), NOW).unwrap();
    assert_eq!(s.title, "Looks like Heart Candle");
    assert!(!s.personalized);
    // S-23 is a heart too, but out of stock (the default filter). The other items share only
    // a little of the hearts' look (the item-specific codes): far behind.
    let mut hearts = shelf_ids(&s)[..2].to_vec();
    hearts.sort_unstable();
    assert_eq!(hearts, ["S-09", "S-14"]);
    for (rank, item) in s.items.iter().enumerate() {
        assert_eq!(item.explanation.reason, Reason::VisuallySimilar);
        assert_eq!(item.reason, "Looks like Heart Candle");
        assert_eq!(item.explanation.evidence.item.as_ref().unwrap().id, "S-00");
        let similarity = item.explanation.evidence.similarity.unwrap();
        assert!(if rank < 2 { similarity > 0.9 } else { similarity < 0.2 }, "{rank}: {item:?}");
    }
    let in_stock_or_not = FilterInput { in_stock: Some(false), ..FilterInput::default() };
    let all = e.shelf(&ShelfRequest { filters: in_stock_or_not, ..looks_like("S-00") }, NOW).unwrap();
    let mut hearts: Vec<usize> = shelf_ids(&all)[..3].iter().map(|id| index(id)).collect();
    hearts.sort_unstable();
    assert_eq!(hearts, [9, 14, 23], "with out-of-stock items: the three other hearts first");
    for anchor in ["S-01", "S-04", "S-22"] {
        let s = e.shelf(&ShelfRequest { k: Some(5), ..looks_like(anchor) }, NOW).unwrap();
        assert_eq!(s.items.len(), 5, "{anchor}");
        for id in shelf_ids(&s) {
            assert_eq!(group(index(id)), group(index(anchor)), "{anchor}: {id} is not in its planted group");
        }
    }
}

#[test]
fn exclusions_filters_and_rules_apply_as_on_other_item_shelves() {
    let e = engine(&visual_shop());
    let request = |r: ShelfRequest| ShelfRequest { k: Some(7), ..r };
    let base = shelf_ids(&e.shelf(&request(looks_like("S-01")), NOW).unwrap()).into_iter().map(str::to_owned).collect::<Vec<_>>();
    assert!(base.iter().all(|id| group(index(id)) == 1), "the seven other members of group 1: {base:?}");
    let s = e.shelf(&ShelfRequest { exclude: vec![base[0].clone()], ..request(looks_like("S-01")) }, NOW).unwrap();
    assert!(!shelf_ids(&s).contains(&base[0].as_str()));
    let mugs = FilterInput { categories: Some(vec!["Mugs".into()]), ..FilterInput::default() };
    let s = e.shelf(&ShelfRequest { filters: mugs, ..looks_like("S-01") }, NOW).unwrap();
    assert_eq!(shelf_ids(&s)[..2], ["S-07", "S-10"], "group 1 among the mugs first");
    assert!(s.items.iter().all(|i| i.card.category == "Mugs"));
    let bury = RuleInput { action: "bury".into(), item: Some(base[0].clone()), category: None, weight: None, position: None };
    let s = e.shelf(&ShelfRequest { rules: vec![bury], ..request(looks_like("S-01")) }, NOW).unwrap();
    // A bury of 1 puts the item below every other candidate: last, or off the shelf.
    let ids = shelf_ids(&s);
    assert!(ids.iter().position(|id| *id == base[0]).is_none_or(|p| p == ids.len() - 1), "{ids:?}");
    assert_eq!(ids[..6], base[1..7], "the others keep their order");
    let pin = RuleInput { action: "pin".into(), item: Some("S-03".into()), category: None, weight: None, position: None };
    let s = e.shelf(&ShelfRequest { rules: vec![pin], ..looks_like("S-01") }, NOW).unwrap();
    assert_eq!(shelf_ids(&s)[0], "S-03", "a pin places its item first, as on every shelf");
}

#[test]
fn without_image_embeddings_or_without_the_product_it_is_a_typed_error() {
    let e = engine(&shop_contents());
    let err = e.shelf(&looks_like("S-00"), NOW).unwrap_err();
    assert_eq!(err.kind(), "unsupported");
    assert!(err.to_string().contains("--image-vectors"), "{err}");
    let err = engine(&visual_shop()).shelf(&ShelfRequest::new("visually-similar"), NOW).unwrap_err();
    assert_eq!(err.kind(), "missing_context");
}

/// A new item (no interactions, no stored neighbours) gets its visual neighbours on the
/// neighbour-based shelves; an item with interactions keeps its embedding neighbours.
#[test]
fn new_items_get_visual_neighbours_on_cold_start_shelves() {
    let mut contents = visual_shop();
    contents.items[22].interactions = 0;
    let mut e = engine(&contents);
    let s = e.shelf(&ShelfRequest { item: Some("S-22".into()), k: Some(4), ..ShelfRequest::new("similar") }, NOW).unwrap();
    assert_eq!(s.items.len(), 4);
    for item in &s.items {
        assert_eq!(item.explanation.reason, Reason::VisuallySimilar, "{item:?}");
        assert_eq!(item.reason, "Looks like Linen Throw");
        assert_eq!(group(index(&item.card.id)), group(22));
    }
    let warm = e.shelf(&ShelfRequest { item: Some("S-01".into()), k: Some(4), ..ShelfRequest::new("similar") }, NOW).unwrap();
    assert!(warm.items.iter().all(|i| i.explanation.reason == Reason::Similar), "{warm:?}");
    track(&mut e, "view", "S-22", 5.0);
    let s = e.shelf(&ShelfRequest { k: Some(3), ..ShelfRequest::new("because-you-viewed") }, NOW).unwrap();
    assert!(shelf_ids(&s).iter().all(|id| group(index(id)) == group(22)), "{s:?}");
}

#[test]
fn a_page_keeps_similar_and_visually_similar_apart() {
    let e = engine(&visual_shop());
    let requests = [ShelfRequest { item: Some("S-01".into()), ..ShelfRequest::new("similar") }, looks_like("S-01")];
    let shelves = e.page(&requests, NOW).unwrap();
    let first = shelf_ids(&shelves[0]);
    assert!(!shelves[1].items.is_empty());
    assert!(shelf_ids(&shelves[1]).iter().all(|id| !first.contains(id)), "no item on two shelves of one page");
}
