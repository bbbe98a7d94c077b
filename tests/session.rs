//! Session intent leads the for-you shelf: on the synthetic demo shop, a shopper who viewed
//! four items of one category in the last ten minutes and carted one, with two month-old
//! purchases in other categories, gets a for-you shelf mostly from the viewed category.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use shelfwise::build::assemble::{assemble, BuildConfig};
use shelfwise::build::synth::{generate, SynthConfig};
use shelfwise::engine::{Engine, EventInput};
use shelfwise::page::ShelfRequest;

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn demo_engine() -> (Engine, Vec<(String, String)>, i64) {
    let shop = generate(&SynthConfig::default());
    let now = shop.events.last().unwrap().ts_ms + DAY;
    let mut config = BuildConfig { built_at_ms: now, ..BuildConfig::default() };
    config.als.factors = 16;
    config.als.iterations = 4;
    let (contents, _) = assemble(&shop.catalog, &shop.events, &config, &mut |_| {}).unwrap();
    let items = shop.catalog.iter().map(|c| (c.id.clone(), c.category.clone())).collect();
    (Engine::open(contents.encode().unwrap()).unwrap(), items, now)
}

fn track(engine: &mut Engine, kind: &str, item: &str, ts_ms: i64) {
    let event = EventInput { kind: kind.into(), item: Some(item.into()), ts: ts_ms as f64, qty: None, query: None };
    engine.track(&event, ts_ms).unwrap();
}

/// Ids of `category`, in catalog order, skipping the first `skip`.
fn of_category<'a>(items: &'a [(String, String)], category: &'a str, skip: usize) -> impl Iterator<Item = &'a str> {
    items.iter().filter(move |(_, c)| c == category).skip(skip).map(|(id, _)| id.as_str())
}

#[test]
fn the_current_session_leads_for_you_over_month_old_purchases() {
    let (mut engine, items, now) = demo_engine();
    let mut categories: Vec<&str> = items.iter().map(|(_, c)| c.as_str()).collect();
    categories.sort_unstable();
    categories.dedup();
    assert!(categories.len() >= 3, "{categories:?}");
    let mut led = 0;
    for (n, viewed) in categories.iter().enumerate() {
        let others: Vec<&str> = categories.iter().copied().filter(|c| c != viewed).collect();
        engine.clear_events();
        track(&mut engine, "purchase", of_category(&items, others[n % others.len()], 0).next().unwrap(), now - 31 * DAY);
        track(&mut engine, "purchase", of_category(&items, others[(n + 1) % others.len()], 0).next().unwrap(), now - 30 * DAY);
        let session: Vec<&str> = of_category(&items, viewed, 3).take(4).collect();
        assert_eq!(session.len(), 4);
        for (i, id) in session.iter().enumerate() {
            track(&mut engine, "view", id, now - (10 - 2 * i as i64) * MINUTE);
        }
        track(&mut engine, "add_to_cart", session[3], now - MINUTE);
        let shelf = engine.shelf(&ShelfRequest { k: Some(8), ..ShelfRequest::new("for-you") }, now).unwrap();
        assert_eq!(shelf.items.len(), 8);
        let in_viewed = shelf.items.iter().filter(|i| i.card.category == *viewed).count();
        eprintln!("{viewed}: {in_viewed} of 8 from the viewed category");
        for i in &shelf.items {
            eprintln!("   {} {} {:.3} {}", i.card.category, i.card.id, i.score, i.explanation.text);
        }
        led += usize::from(in_viewed >= 5);
    }
    assert_eq!(led, categories.len(), "every category's session should lead");
}
