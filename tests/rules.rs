//! Filters and merchandising rules: each filter, boost, bury, pin, their conflicts (call time
//! over pack, pin over bury over boost, item over category, filters always win) and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{shelf_ids, shop_engine, shop_pack_bytes, track, NOW};
use shelfwise::engine::Engine;
use shelfwise::explain::Reason;
use shelfwise::page::ShelfRequest;
use shelfwise::rules::{winning_rule, FilterInput, Rule, RuleAction, RuleIndex, RuleInput, RuleSource, RuleTarget};
use shelfwise::shelf::Shelf;
use shelfwise::Pack;

fn trending(e: &Engine, k: usize, filters: FilterInput, rules: Vec<RuleInput>) -> Shelf {
    e.shelf(&ShelfRequest { k: Some(k), filters, rules, ..ShelfRequest::new("trending") }, NOW).unwrap()
}

fn rule(action: &str, item: Option<&str>, category: Option<&str>) -> RuleInput {
    RuleInput { action: action.into(), item: item.map(Into::into), category: category.map(Into::into), weight: None, position: None }
}

#[test]
fn in_stock_is_the_default_and_can_be_turned_off() {
    let e = shop_engine();
    let all = trending(&e, 24, FilterInput::default(), vec![]);
    assert_eq!(all.items.len(), 20, "the 4 out-of-stock items are left out");
    assert!(all.items.iter().all(|i| i.card.in_stock));
    let any = trending(&e, 24, FilterInput { in_stock: Some(false), ..FilterInput::default() }, vec![]);
    assert_eq!(any.items.len(), 24);
}

#[test]
fn price_range_and_categories_filter() {
    let e = shop_engine();
    let f = FilterInput { min_price: Some(10.0), max_price: Some(16.0), ..FilterInput::default() };
    let s = trending(&e, 24, f, vec![]);
    assert!(!s.items.is_empty());
    assert!(s.items.iter().all(|i| (10.0..=16.0).contains(&i.card.price)), "{:?}", shelf_ids(&s));
    let only = FilterInput { categories: Some(vec!["Mugs".into(), "Lamps".into()]), ..FilterInput::default() };
    let s = trending(&e, 24, only, vec![]);
    assert_eq!(s.items.len(), 10);
    assert!(s.items.iter().all(|i| i.card.category == "Mugs" || i.card.category == "Lamps"));
    let without = FilterInput { exclude_categories: vec!["Candles".into()], ..FilterInput::default() };
    let s = trending(&e, 24, without, vec![]);
    assert_eq!(s.items.len(), 15, "the 15 in-stock items of the other categories: {:?}", shelf_ids(&s));
    assert!(s.items.iter().all(|i| i.card.category != "Candles"));
    let bad = FilterInput { min_price: Some(20.0), max_price: Some(10.0), ..FilterInput::default() };
    let err = e.shelf(&ShelfRequest { filters: bad, ..ShelfRequest::new("trending") }, NOW).unwrap_err();
    assert_eq!(err.kind(), "out_of_range");
    let nan = FilterInput { min_price: Some(f64::NAN), ..FilterInput::default() };
    assert_eq!(e.shelf(&ShelfRequest { filters: nan, ..ShelfRequest::new("trending") }, NOW).unwrap_err().kind(), "out_of_range");
}

#[test]
fn the_cart_is_left_out_and_purchases_only_when_asked() {
    let mut e = shop_engine();
    track(&mut e, "add_to_cart", "S-00", 1.0);
    track(&mut e, "purchase", "S-06", 1.0);
    let s = trending(&e, 24, FilterInput::default(), vec![]);
    assert!(!shelf_ids(&s).contains(&"S-00") && shelf_ids(&s).contains(&"S-06"));
    let strict = FilterInput { exclude_purchased: Some(true), ..FilterInput::default() };
    let s = trending(&e, 24, strict, vec![]);
    assert!(!shelf_ids(&s).contains(&"S-00") && !shelf_ids(&s).contains(&"S-06"));
    let keep = FilterInput { exclude_in_cart: Some(false), ..FilterInput::default() };
    let s = trending(&e, 24, keep, vec![]);
    assert!(shelf_ids(&s).contains(&"S-00") && shelf_ids(&s).contains(&"S-06"));
}

#[test]
fn boost_lifts_and_bury_sinks() {
    let e = shop_engine();
    let base = trending(&e, 6, FilterInput::default(), vec![]);
    assert_eq!(shelf_ids(&base)[0], "S-04");
    assert!(!shelf_ids(&base).contains(&"S-00"));
    let boosted = trending(&e, 6, FilterInput::default(), vec![RuleInput { weight: Some(2.0), ..rule("boost", Some("S-00"), None) }]);
    assert_eq!(shelf_ids(&boosted)[0], "S-00");
    assert_eq!(boosted.items[0].explanation.evidence.rule.as_deref(), Some("boost (page)"));
    let buried = trending(&e, 20, FilterInput::default(), vec![rule("bury", None, Some("Candles"))]);
    let first_candle = buried.items.iter().position(|i| i.card.category == "Candles").unwrap();
    assert!(buried.items[..first_candle].len() >= 15 && buried.items[first_candle..].iter().all(|i| i.card.category == "Candles"));
}

#[test]
fn pin_places_an_item_even_one_the_shelf_did_not_rank() {
    let e = shop_engine();
    // Wool Throw (S-18) has the lowest trend of the shop: a 2-item shelf never ranks it.
    let pin = RuleInput { position: Some(2.0), ..rule("pin", Some("S-18"), None) };
    let s = trending(&e, 2, FilterInput::default(), vec![pin]);
    assert_eq!(s.items.len(), 2);
    assert_eq!(s.items[1].card.id, "S-18");
    assert_eq!(s.items[1].explanation.reason, Reason::Pinned);
    assert_eq!(s.items[1].explanation.evidence.rule.as_deref(), Some("pin (page)"));
    let cat = trending(&e, 4, FilterInput::default(), vec![rule("pin", None, Some("Throws"))]);
    assert_eq!(cat.items[0].card.id, "S-22", "a category pin pins its best item (the trendiest throw)");
}

#[test]
fn filters_always_win_over_pins() {
    let e = shop_engine();
    // S-05 is out of stock.
    let s = trending(&e, 4, FilterInput::default(), vec![rule("pin", Some("S-05"), None)]);
    assert!(!shelf_ids(&s).contains(&"S-05"));
    assert_eq!(s.items.len(), 4);
}

#[test]
fn pin_beats_bury_beats_boost_and_items_beat_categories() {
    let e = shop_engine();
    // A pin and a bury on the same item: the pin wins.
    let s = trending(
        &e,
        4,
        FilterInput::default(),
        vec![rule("bury", Some("S-20"), None), RuleInput { position: Some(1.0), ..rule("pin", Some("S-20"), None) }],
    );
    assert_eq!(s.items[0].card.id, "S-20");
    // A bury beats a boost on the same item whatever the order.
    let s = trending(&e, 20, FilterInput::default(), vec![rule("boost", Some("S-00"), None), rule("bury", Some("S-00"), None)]);
    assert_ne!(s.items[0].card.id, "S-00");
    assert_eq!(s.items.iter().find(|i| i.card.id == "S-00").unwrap().explanation.evidence.rule.as_deref(), Some("bury (page)"));
    // Item rule beats category rule of the same action: boost the category a little, the item a lot.
    let s = trending(
        &e,
        6,
        FilterInput::default(),
        vec![
            RuleInput { weight: Some(3.0), ..rule("boost", None, Some("Throws")) },
            RuleInput { weight: Some(0.0), ..rule("boost", Some("S-18"), None) },
        ],
    );
    // S-18 has its own (zero) boost, so it does not get the category's; the other throws do.
    let pos = |id: &str| s.items.iter().position(|i| i.card.id == id);
    assert!(pos("S-19").unwrap() < 4);
    assert!(pos("S-18").is_none_or(|p| p > pos("S-19").unwrap()));
}

#[test]
fn call_time_rules_beat_pack_rules() {
    let pack = Pack::open(shop_pack_bytes()).unwrap();
    let pack_pin = Rule { action: RuleAction::Pin(1), target: RuleTarget::Item(3), source: RuleSource::Pack };
    let page_bury = Rule { action: RuleAction::Bury(1.0), target: RuleTarget::Category(0), source: RuleSource::Page };
    let pack_boost = Rule { action: RuleAction::Boost(1.0), target: RuleTarget::Item(3), source: RuleSource::Pack };
    // Source first: a page bury of the category beats the pack's pin of the item.
    assert_eq!(winning_rule(&pack, &[pack_pin, page_bury, pack_boost], 3), Some(page_bury));
    // Same source: pin over boost, whatever the order.
    assert_eq!(winning_rule(&pack, &[pack_boost, pack_pin], 3), Some(pack_pin));
    // Rules that do not match the item do not apply.
    assert_eq!(winning_rule(&pack, &[pack_pin, page_bury], 7), None);
    // Ties keep the earlier rule.
    let other = Rule { action: RuleAction::Boost(0.2), ..pack_boost };
    assert_eq!(winning_rule(&pack, &[pack_boost, other], 3), Some(pack_boost));
}

#[test]
fn the_rule_index_picks_the_same_rule_as_the_scan() {
    let pack = Pack::open(shop_pack_bytes()).unwrap();
    let (n, categories) = (pack.item_count(), pack.category_count());
    let mut rng = shelfwise::explore::SplitMix64::new(5);
    let mut below = |m: u32| (rng.next_u64() % u64::from(m)) as u32;
    for round in 0..200 {
        let rules: Vec<Rule> = (0..1 + round % 40)
            .map(|_| Rule {
                action: [RuleAction::Pin(1 + below(4)), RuleAction::Bury(1.0), RuleAction::Boost(0.5)][below(3) as usize],
                target: if below(2) == 0 { RuleTarget::Item(below(n)) } else { RuleTarget::Category(below(categories)) },
                source: if below(2) == 0 { RuleSource::Pack } else { RuleSource::Page },
            })
            .collect();
        let index = RuleIndex::new(&pack, &rules);
        for i in 0..n {
            assert_eq!(index.winning(&pack, i), winning_rule(&pack, &rules, i), "round {round}, item {i}: {rules:?}");
        }
    }
}

#[test]
fn bad_rules_are_typed_errors() {
    let e = shop_engine();
    let ask = |rules: Vec<RuleInput>| e.shelf(&ShelfRequest { rules, ..ShelfRequest::new("trending") }, NOW).unwrap_err().kind();
    assert_eq!(ask(vec![rule("promote", Some("S-00"), None)]), "invalid_argument");
    assert_eq!(ask(vec![rule("boost", None, None)]), "invalid_argument");
    assert_eq!(ask(vec![rule("boost", Some("S-00"), Some("Mugs"))]), "invalid_argument");
    assert_eq!(ask(vec![rule("boost", Some("NOPE"), None)]), "unknown_item");
    assert_eq!(ask(vec![rule("bury", None, Some("Nope"))]), "unknown_category");
    assert_eq!(ask(vec![RuleInput { weight: Some(-1.0), ..rule("boost", Some("S-00"), None) }]), "out_of_range");
    assert_eq!(ask(vec![RuleInput { position: Some(0.0), ..rule("pin", Some("S-00"), None) }]), "out_of_range");
}

#[test]
fn pack_rules_apply_and_page_rules_override_them() {
    use shelfwise::pack::PackRule;
    let mut contents = common::shop_contents();
    contents.rules = vec![
        PackRule { target: RuleTarget::Item(18), action: RuleAction::Pin(1) },
        PackRule { target: RuleTarget::Category(0), action: RuleAction::Bury(1.0) },
    ];
    let e = Engine::open(contents.encode().unwrap()).unwrap();
    let s = trending(&e, 20, FilterInput::default(), vec![]);
    assert_eq!(s.items[0].card.id, "S-18", "the pack pins Wool Throw first");
    assert_eq!(s.items[0].explanation.evidence.rule.as_deref(), Some("pin (pack)"));
    assert!(s.items[15..].iter().all(|i| i.card.category == "Candles"), "the pack buries candles");
    // A campaign buries Wool Throw and boosts candles: call time wins over both pack rules.
    let campaign = vec![rule("bury", Some("S-18"), None), RuleInput { weight: Some(2.0), ..rule("boost", None, Some("Candles")) }];
    let s = trending(&e, 20, FilterInput::default(), campaign);
    assert_ne!(s.items[0].card.id, "S-18");
    assert_eq!(s.items[0].card.category, "Candles");
    assert_eq!(s.items[0].explanation.evidence.rule.as_deref(), Some("boost (page)"));
    assert_eq!(s.items.last().unwrap().card.id, "S-18");
}

/// The builder's rules file, through the pack, to the device: what the shop wrote is applied.
#[cfg(feature = "cli")]
#[test]
fn a_rules_file_reaches_the_shelves_through_the_pack() {
    let mut contents = common::shop_contents();
    let text = "action,target,name,value\n# winter\npin,item,S-19,1\nbury,category,Candles,\n";
    contents.rules = shelfwise::build::rules::parse_rules(text, std::path::Path::new("rules.csv"), &contents).unwrap();
    let e = Engine::open(contents.encode().unwrap()).unwrap();
    assert_eq!(e.pack_rules().len(), 2);
    let s = trending(&e, 20, FilterInput::default(), vec![]);
    assert_eq!(s.items[0].card.id, "S-19");
    assert!(s.items[15..].iter().all(|i| i.card.category == "Candles"));
}
