//! The profile: long-term and session interest, affinities, readable segments, and removing an
//! interest (which changes the for-you shelf and stays in the engine state).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{shop_engine, track, MINUTE, NOW};
use shelfwise::engine::{Engine, EventInput, InterestInput};
use shelfwise::page::ShelfRequest;
use shelfwise::profile::PriceBand;

fn category(name: &str) -> InterestInput {
    InterestInput { category: Some(name.into()), brand: None }
}

fn for_you(e: &Engine) -> Vec<String> {
    e.shelf(&ShelfRequest { k: Some(6), ..ShelfRequest::new("for-you") }, NOW).unwrap().items.into_iter().map(|i| i.card.id).collect()
}

#[test]
fn an_empty_profile_says_nothing() {
    let e = shop_engine();
    let p = e.profile_summary(NOW);
    assert_eq!(p.event_count, 0);
    assert!(p.top_categories.is_empty() && p.top_brands.is_empty() && p.price_bands.is_empty() && p.segments.is_empty());
    assert!(p.interest.iter().all(|&x| x == 0.0));
}

#[test]
fn session_interest_follows_only_the_current_session() {
    let mut e = shop_engine();
    // Yesterday: candles. Now (a new session after a long pause): lamps.
    track(&mut e, "view", "S-00", 24.0 * 60.0);
    track(&mut e, "purchase", "S-01", 24.0 * 60.0 - 1.0);
    track(&mut e, "view", "S-12", 2.0);
    track(&mut e, "view", "S-13", 1.0);
    let p = e.profile(NOW);
    // Embedding axis 0 is candles, axis 2 lamps.
    assert!(p.session_interest[2] > 0.9 && p.session_interest[0].abs() < 0.1, "{:?}", p.session_interest);
    assert!(p.interest[0] > p.interest[2], "the purchase keeps candles first long-term: {:?}", p.interest);
    assert!(p.session_evidence > 0.0 && p.evidence > p.session_evidence);
    // No events within the session gap of now: no session.
    let later = e.profile(NOW + 3 * 3_600_000);
    assert!(later.session_interest.iter().all(|&x| x == 0.0));
}

#[test]
fn affinities_and_segments_read_like_the_behaviour() {
    let mut e = shop_engine();
    // Mid-priced candles (S-02, S-03: the middle third of the candle prices) from brand 2/0.
    track(&mut e, "view", "S-02", 5.0);
    track(&mut e, "view", "S-03", 4.0);
    track(&mut e, "add_to_cart", "S-02", 3.0);
    track(&mut e, "view", "S-14", 2.0);
    let p = e.profile_summary(NOW);
    assert_eq!(p.top_categories[0].category, "Candles");
    assert!(p.top_categories[0].share > 0.8);
    assert_eq!(p.price_bands[0].band, PriceBand::Mid);
    assert_eq!(p.top_brands[0].brand, "Cove", "S-02 and S-14 are brand 2");
    assert_eq!(p.segments, ["candles, mid price", "mostly Cove"]);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["priceBands"][0]["band"], "mid");
    assert_eq!(json["segments"][0], "candles, mid price");
}

#[test]
fn removing_an_interest_changes_the_for_you_shelf_and_is_remembered() {
    let mut e = shop_engine();
    track(&mut e, "view", "S-00", 5.0);
    track(&mut e, "view", "S-01", 4.0);
    track(&mut e, "view", "S-19", 3.0);
    let before = for_you(&e);
    let candles = |ids: &[String]| ids.iter().filter(|id| id.as_str() < "S-06").count();
    e.remove_interest(&category("Candles")).unwrap();
    let after = for_you(&e);
    assert_ne!(before, after);
    assert!(candles(&after) < candles(&before), "fewer candles once candles are removed: {before:?} → {after:?}");
    let p = e.profile_summary(NOW);
    assert_eq!(p.removed_interests, [category("Candles")]);
    assert!(!p.top_categories.is_empty());
    assert!(p.top_categories.iter().all(|c| c.category != "Candles"));
    // Removing twice changes nothing; restoring brings the old shelf back.
    e.remove_interest(&category("Candles")).unwrap();
    assert_eq!(e.profile_summary(NOW).removed_interests.len(), 1);
    e.restore_interest(&category("Candles"));
    assert_eq!(for_you(&e), before);
}

#[test]
fn a_removed_interest_stays_out_of_the_search_cold_start() {
    let mut e = shop_engine();
    e.track(&EventInput { item: None, kind: "search".into(), ts: NOW as f64 - MINUTE, qty: None, query: Some("heart".into()) }, NOW)
        .unwrap();
    let hearts = for_you(&e);
    assert!(hearts.contains(&"S-00".to_owned()), "Heart Candle matches: {hearts:?}");
    e.remove_interest(&category("Candles")).unwrap();
    let after = for_you(&e);
    assert!(!after.is_empty());
    assert!(after.iter().all(|id| id.as_str() >= "S-06"), "no candle after removing candles: {after:?}");
}

#[test]
fn removing_a_brand_and_bad_interests() {
    let mut e = shop_engine();
    track(&mut e, "view", "S-00", 5.0);
    e.remove_interest(&InterestInput { category: None, brand: Some("Acme".into()) }).unwrap();
    assert!(e.profile(NOW).is_empty(), "S-00 is an Acme item: nothing is left");
    assert_eq!(e.remove_interest(&category("Nope")).unwrap_err().kind(), "unknown_category");
    assert_eq!(e.remove_interest(&InterestInput { category: None, brand: Some("Nope".into()) }).unwrap_err().kind(), "unknown_brand");
    assert_eq!(e.remove_interest(&InterestInput { category: None, brand: None }).unwrap_err().kind(), "invalid_argument");
    // Erasing everything also forgets removed interests and searches.
    e.track(&EventInput { item: None, kind: "search".into(), ts: NOW as f64, qty: None, query: Some("mug".into()) }, NOW).unwrap();
    e.clear_events();
    let p = e.profile_summary(NOW);
    assert!(p.removed_interests.is_empty() && p.search_count == 0 && p.event_count == 0);
}

#[test]
fn searches_are_kept_with_their_text_and_empty_ones_are_not() {
    let mut e = shop_engine();
    e.track(&EventInput { item: None, kind: "search".into(), ts: NOW as f64, qty: None, query: Some("  heart lamp ".into()) }, NOW)
        .unwrap();
    assert_eq!(e.profile_summary(NOW).recent_searches, ["heart lamp"]);
    let empty = EventInput { item: None, kind: "search".into(), ts: NOW as f64, qty: None, query: Some(" ".into()) };
    e.track(&empty, NOW).unwrap();
    e.track(&EventInput { query: None, ..empty }, NOW).unwrap();
    assert_eq!(e.profile_summary(NOW).search_count, 1, "accepted, but nothing to keep");
}
