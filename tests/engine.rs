//! The engine on a small pack: cold start, personalization, exclusions and input errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{sample_contents, sample_pack_bytes};
use shelfwise::engine::{Engine, EventInput};
use shelfwise::page::ShelfRequest;
use shelfwise::shelf::Shelf;
use shelfwise::CoreError;

const NOW: f64 = 1_700_000_000_000.0;

fn event(kind: &str, item: &str) -> EventInput {
    EventInput { item: Some(item.into()), kind: kind.into(), ts: NOW - 60_000.0, qty: None, query: None }
}

/// The sample pack without its merchandising rules (the ranking itself, unmoved by pins and
/// boosts; `pack_rules_move_the_blended_shelves` covers them).
fn unruled() -> Vec<u8> {
    shelfwise::pack::PackContents { rules: Vec::new(), ..sample_contents() }.encode().unwrap()
}

/// The `kind` shelf of `k` items, as the page's `shelf(kind, { k, exclude })` gets it.
fn shelf(engine: &Engine, kind: &str, k: usize, exclude: &[&str]) -> Result<Shelf, CoreError> {
    let exclude = exclude.iter().map(|&id| id.to_owned()).collect();
    engine.shelf(&ShelfRequest { k: Some(k), exclude, ..ShelfRequest::new(kind) }, NOW as i64)
}

fn ids(engine: &Engine, k: usize) -> Vec<String> {
    shelf(engine, "for-you", k, &[]).unwrap().items.into_iter().map(|i| i.card.id).collect()
}

#[test]
fn with_no_history_the_shelf_is_popular_in_stock_items() {
    let engine = Engine::open(unruled()).unwrap();
    let shelf = shelf(&engine, "for-you", 4, &[]).unwrap();
    assert!(!shelf.personalized);
    let got: Vec<&str> = shelf.items.iter().map(|i| i.card.id.as_str()).collect();
    // Trend first (SKU-3 1.0, SKU-5 0.75, SKU-0 0.5), then popularity among the rest (SKU-4
    // 0.9 before SKU-1 0.3); SKU-2 is out of stock.
    assert_eq!(got, ["SKU-3", "SKU-5", "SKU-0", "SKU-4"]);
    assert_eq!(shelf.items[0].reason, "Trending now");
    assert_eq!(shelf.items[3].reason, "Popular in this shop");
}

#[test]
fn trending_says_how_much_faster_an_item_is_forecast_to_sell() {
    let mut contents = shelfwise::pack::PackContents { rules: Vec::new(), ..sample_contents() };
    contents.items[3].sales_rate = Some(shelfwise::pack::SalesRate { forecast: 40.2, recent: 24.6 });
    contents.items[5].sales_rate = Some(shelfwise::pack::SalesRate { forecast: 3.2, recent: 3.4 });
    let engine = Engine::open(contents.encode().unwrap()).unwrap();
    let shelf = shelf(&engine, "trending", 3, &[]).unwrap();
    let got: Vec<(&str, &str)> = shelf.items.iter().map(|i| (i.card.id.as_str(), i.reason.as_str())).collect();
    // SKU-3 is the only one forecast to grow; the others (no growth) follow by popularity.
    assert_eq!(got, [("SKU-3", "Selling faster: about 40 a week, up from 25"), ("SKU-4", "Trending now"), ("SKU-5", "Trending now")]);
    let evidence = &shelf.items[0].explanation.evidence;
    assert_eq!((evidence.forecast_per_week, evidence.recent_per_week), (Some(40.2), Some(24.6)));
}

#[test]
fn viewing_candles_brings_candles_to_the_top() {
    let mut engine = Engine::open(unruled()).unwrap();
    engine.track(&event("view", "SKU-0"), NOW as i64).unwrap();
    engine.track(&event("click", "SKU-1"), NOW as i64).unwrap();
    let shelf = shelf(&engine, "for-you", 3, &[]).unwrap();
    assert!(shelf.personalized);
    let got: Vec<&str> = shelf.items.iter().map(|i| i.card.category.as_str()).collect();
    // SKU-2 is a candle but out of stock, so the third slot goes to a mug.
    assert_eq!(got, ["Candles", "Candles", "Mugs"]);
    // Both events are a minute old: the current session, explained by the item looked at.
    assert_eq!(shelf.items[0].reason, "Because you viewed Pillar Candle", "{:?}", shelf.items[0]);
}

#[test]
fn items_in_the_cart_are_left_out_until_removed() {
    let mut engine = Engine::open(unruled()).unwrap();
    engine.track(&event("add_to_cart", "SKU-0"), NOW as i64).unwrap();
    assert!(!ids(&engine, 5).contains(&"SKU-0".to_owned()));
    engine.track(&event("remove_from_cart", "SKU-0"), NOW as i64).unwrap();
    assert!(ids(&engine, 5).contains(&"SKU-0".to_owned()));
}

#[test]
fn bad_input_gets_typed_errors() {
    let mut engine = Engine::open(sample_pack_bytes()).unwrap();
    let err = engine.track(&event("view", "NOPE"), NOW as i64).unwrap_err();
    assert!(matches!(&err, CoreError::UnknownItem { id } if id == "NOPE"));
    assert_eq!(err.kind(), "unknown_item");
    assert_eq!(engine.track(&event("wishlist", "SKU-0"), NOW as i64).unwrap_err().kind(), "unknown_event_kind");
    let no_item = EventInput { item: None, ..event("view", "") };
    assert_eq!(engine.track(&no_item, NOW as i64).unwrap_err().kind(), "missing_item");
    let nan = EventInput { ts: f64::NAN, ..event("view", "SKU-0") };
    assert_eq!(engine.track(&nan, NOW as i64).unwrap_err().kind(), "out_of_range");
    let bad_qty = EventInput { qty: Some(0.5), ..event("purchase", "SKU-0") };
    assert_eq!(engine.track(&bad_qty, NOW as i64).unwrap_err().kind(), "out_of_range");
    assert_eq!(shelf(&engine, "for-you", 0, &[]).unwrap_err().kind(), "out_of_range");
    assert_eq!(shelf(&engine, "for-you", 1001, &[]).unwrap_err().kind(), "out_of_range");
    assert!(engine.events().is_empty(), "rejected events are not recorded");
    let search = EventInput { item: None, query: Some("mug".into()), ..event("search", "") };
    assert!(engine.track(&search, NOW as i64).is_ok());
}

#[test]
fn a_corrupt_pack_is_a_pack_error() {
    let mut bytes = sample_pack_bytes();
    bytes[0] = b'X';
    let err = Engine::open(bytes).unwrap_err();
    assert_eq!(err.kind(), "bad_magic");
    assert!(err.to_string().starts_with("invalid pack: bad magic"), "{err}");
}

#[test]
fn item_listing_is_clipped_to_the_catalog() {
    let engine = Engine::open(sample_pack_bytes()).unwrap();
    assert_eq!(engine.items(4, 10).unwrap().len(), 2);
    assert!(engine.items(99, 10).unwrap().is_empty());
    assert_eq!(engine.items(0, 10_001).unwrap_err().kind(), "out_of_range");
    assert_eq!(engine.item("SKU-2").unwrap().title, "Tealight Set");
}

#[test]
fn for_you_brings_back_bought_items_and_discovery_never_does() {
    let mut engine = Engine::open(unruled()).unwrap();
    // Bought a month ago (a purchase of the current session would let its neighbours lead).
    engine.track(&EventInput { ts: NOW - 30.0 * 86_400_000.0, ..event("purchase", "SKU-0") }, NOW as i64).unwrap();
    let for_you = shelf(&engine, "for-you", 5, &[]).unwrap();
    assert_eq!(for_you.items[0].card.id, "SKU-0");
    assert_eq!(for_you.items[0].reason, "You have bought this once");
    assert_eq!(for_you.items[0].explanation.evidence.count, Some(1), "the purchase count is the evidence");
    let discovery = shelf(&engine, "discovery", 5, &[]).unwrap();
    assert!(discovery.items.iter().all(|i| i.card.id != "SKU-0"));
    assert_eq!(discovery.items.len(), 4, "every other in-stock item");
    assert_eq!(discovery.items[0].card.id, "SKU-1", "the bought candle's neighbour first");
}

#[test]
fn pack_rules_move_the_blended_shelves() {
    // The sample pack pins SKU-5 first, boosts Candles and buries SKU-1.
    let mut ruled = Engine::open(sample_pack_bytes()).unwrap();
    let mut plain = Engine::open(unruled()).unwrap();
    for engine in [&mut ruled, &mut plain] {
        engine.track(&event("purchase", "SKU-0"), NOW as i64).unwrap();
    }
    let position = |shelf: &Shelf, id: &str| shelf.items.iter().position(|i| i.card.id == id);
    for kind in ["for-you", "discovery"] {
        let (with_rules, without) = (shelf(&ruled, kind, 5, &[]).unwrap(), shelf(&plain, kind, 5, &[]).unwrap());
        assert_ne!(without.items[0].card.id, "SKU-5", "{kind}: not first on its own merit");
        assert_eq!(with_rules.items[0].card.id, "SKU-5", "{kind}: pinned first");
        assert_eq!(with_rules.items[0].explanation.evidence.rule.as_deref(), Some("pin (pack)"), "{kind}");
        let buried = with_rules.items.iter().find(|i| i.card.id == "SKU-1").unwrap();
        assert_eq!(buried.explanation.evidence.rule.as_deref(), Some("bury (pack)"), "{kind}");
        assert!(position(&with_rules, "SKU-1") > position(&without, "SKU-1"), "{kind}: buried lower");
    }
}

#[test]
fn bought_items_and_excluded_ids_are_left_out_of_discovery() {
    let mut engine = Engine::open(sample_pack_bytes()).unwrap();
    engine.track(&event("purchase", "SKU-0"), NOW as i64).unwrap();
    let shelf = shelf(&engine, "discovery", 5, &["SKU-1", "not-in-this-pack"]).unwrap();
    let mut got: Vec<&str> = shelf.items.iter().map(|i| i.card.id.as_str()).collect();
    got.sort_unstable();
    assert_eq!(got, ["SKU-3", "SKU-4", "SKU-5"], "only the in-stock mugs are left");
}

#[test]
fn only_the_newest_events_are_kept_once_the_cap_is_reached() {
    use shelfwise::engine::MAX_EVENTS;
    use shelfwise::event::{Event, EventKind};
    let mut engine = Engine::open(sample_pack_bytes()).unwrap();
    for n in 0..MAX_EVENTS as i64 + 5 {
        engine.push_event(Event { item: (n % 6) as u32, kind: EventKind::View, ts_ms: n, qty: 1 });
    }
    assert_eq!(engine.events().len(), MAX_EVENTS);
    assert_eq!(engine.events().front().map(|e| e.ts_ms), Some(5));
    assert_eq!(engine.events().back().map(|e| e.ts_ms), Some(MAX_EVENTS as i64 + 4));
}

/// Every shelf of a page, as ids, for comparing engines.
fn page_ids(engine: &Engine, requests: &[shelfwise::page::ShelfRequest]) -> Vec<Vec<String>> {
    engine.page(requests, NOW as i64).unwrap().into_iter().map(|s| s.items.into_iter().map(|i| i.card.id).collect()).collect()
}

#[test]
fn the_control_arm_ranks_as_for_a_shopper_without_events() {
    use shelfwise::page::ShelfRequest;
    let requests: Vec<ShelfRequest> =
        ["for-you", "discovery", "trending-in-categories", "new-for-you", "because-you-viewed", "trending"].map(ShelfRequest::new).to_vec();
    let fresh = Engine::open(sample_pack_bytes()).unwrap();
    let mut engine = Engine::open(sample_pack_bytes()).unwrap();
    for (kind, item) in [("view", "SKU-0"), ("click", "SKU-1"), ("add_to_cart", "SKU-4"), ("purchase", "SKU-5")] {
        engine.track(&event(kind, item), NOW as i64).unwrap();
    }
    engine
        .track(&EventInput { item: None, kind: "search".into(), ts: NOW - 1000.0, qty: None, query: Some("mug".into()) }, NOW as i64)
        .unwrap();
    let personalized = page_ids(&engine, &requests);
    assert_ne!(personalized, page_ids(&fresh, &requests), "the events change the shelves");
    engine.set_personalized(false);
    assert!(!engine.is_personalized());
    assert_eq!(page_ids(&engine, &requests), page_ids(&fresh, &requests));
    assert_eq!(ids(&engine, 4), ids(&fresh, 4));
    let history_shelves = [ShelfRequest::new("recently-viewed"), ShelfRequest::new("buy-again")];
    assert_eq!(page_ids(&engine, &history_shelves), page_ids(&fresh, &history_shelves), "no history shelf (pins alone, if any)");
    assert_eq!(engine.profile_summary(NOW as i64).event_count, 4, "the events are still recorded");
    engine.set_personalized(true);
    assert_eq!(page_ids(&engine, &requests), personalized);
}

#[test]
fn a_page_gives_a_purchase_to_the_earlier_of_buy_again_and_for_you() {
    let mut engine = Engine::open(unruled()).unwrap();
    engine.track(&EventInput { ts: NOW - 30.0 * 86_400_000.0, ..event("purchase", "SKU-0") }, NOW as i64).unwrap();
    let (buy_again, for_you) =
        (ShelfRequest { k: Some(4), ..ShelfRequest::new("buy-again") }, ShelfRequest { k: Some(4), ..ShelfRequest::new("for-you") });
    let first_buy_again = page_ids(&engine, &[buy_again.clone(), for_you.clone()]);
    assert_eq!(first_buy_again[0], ["SKU-0"]);
    assert_eq!(first_buy_again[1].len(), 4, "for-you fills the place: {first_buy_again:?}");
    assert!(!first_buy_again[1].contains(&"SKU-0".to_owned()));
    let first_for_you = page_ids(&engine, &[for_you, buy_again]);
    assert_eq!(first_for_you[0][0], "SKU-0", "for-you keeps the purchase it ranks first: {first_for_you:?}");
    assert!(first_for_you[1].is_empty(), "no other purchase for buy-again: {first_for_you:?}");
}
