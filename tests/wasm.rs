//! The wasm bindings in headless Chromium (wasm-bindgen-test): open a pack, track events,
//! rank, and get named JS errors with a `kind` for bad input.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sample_pack_bytes;
use js_sys::Reflect;
use shelfwise::wasm::WasmRecommender;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn kind_of(error: &JsValue) -> (String, String) {
    let get = |k: &str| Reflect::get(error, &JsValue::from_str(k)).ok().and_then(|v| v.as_string()).unwrap_or_default();
    (get("name"), get("kind"))
}

fn rec(js: &str) -> JsValue {
    js_sys::JSON::parse(js).unwrap()
}

#[wasm_bindgen_test]
fn ranks_from_a_pack_and_personalizes_after_events() {
    let mut r = WasmRecommender::new(sample_pack_bytes()).unwrap();
    let now = 1_700_000_000_000.0;
    let cold = r.rank_for_you(2.0, now, vec![]).unwrap();
    let first = Reflect::get(&Reflect::get(&cold, &"items".into()).unwrap(), &0.into()).unwrap();
    assert_eq!(Reflect::get(&first, &"id".into()).unwrap().as_string().unwrap(), "SKU-3");
    r.track(rec(r#"{"type":"view","item":"SKU-0","ts":1699999990000}"#)).unwrap();
    let warm = r.rank_for_you(2.0, now, vec![]).unwrap();
    let first = Reflect::get(&Reflect::get(&warm, &"items".into()).unwrap(), &0.into()).unwrap();
    assert_eq!(Reflect::get(&first, &"category".into()).unwrap().as_string().unwrap(), "Candles");
    assert_eq!(r.event_count(), 1);
}

#[wasm_bindgen_test]
fn bad_input_becomes_named_errors_with_a_kind() {
    let mut bytes = sample_pack_bytes();
    bytes[0] = 0;
    let err = WasmRecommender::new(bytes).err().unwrap();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(kind_of(&err), ("ShelfwiseError".into(), "bad_magic".into()));

    let mut r = WasmRecommender::new(sample_pack_bytes()).unwrap();
    let err = r.track(rec(r#"{"type":"view","item":"NOPE","ts":1}"#)).unwrap_err();
    assert_eq!(kind_of(&err).1, "unknown_item");
    let err = r.track(rec(r#"{"type":"view","item":"SKU-1"}"#)).unwrap_err();
    assert_eq!(kind_of(&err).1, "invalid_argument");
    let err = r.track(JsValue::from_str("not an object")).unwrap_err();
    assert_eq!(kind_of(&err).1, "invalid_argument");
    let err = r.rank_for_you(f64::NAN, 0.0, vec![]).unwrap_err();
    assert_eq!(kind_of(&err).1, "out_of_range");
    let err = r.rank_for_you(0.0, 0.0, vec![]).unwrap_err();
    assert_eq!(kind_of(&err).1, "out_of_range");
    let err = r.item("missing").unwrap_err();
    assert_eq!(kind_of(&err), ("ShelfwiseError".into(), "unknown_item".into()));
}

#[wasm_bindgen_test]
fn shelves_pages_and_interests_cross_with_named_errors() {
    let mut r = WasmRecommender::new(sample_pack_bytes()).unwrap();
    let now = 1_700_000_000_000.0;
    let similar = r.shelf(rec(r#"{"kind":"similar","item":"SKU-0","k":2}"#), now).unwrap();
    let first = Reflect::get(&Reflect::get(&similar, &"items".into()).unwrap(), &0.into()).unwrap();
    let explanation = Reflect::get(&first, &"explanation".into()).unwrap();
    assert_eq!(Reflect::get(&explanation, &"reason".into()).unwrap().as_string().unwrap(), "similar");
    let page = r.page(rec(r#"[{"kind":"trending","k":2},{"kind":"for-you","k":2}]"#), now).unwrap();
    assert_eq!(js_sys::Array::from(&page).length(), 2);
    let err = r.shelf(rec(r#"{"kind":"popular"}"#), now).unwrap_err();
    assert_eq!(kind_of(&err), ("ShelfwiseError".into(), "unknown_shelf".into()));
    assert_eq!(kind_of(&r.shelf(rec(r#"{"kind":"similar"}"#), now).unwrap_err()).1, "missing_context");
    assert_eq!(kind_of(&r.shelf(rec(r#"{"kind":"trending","k":"eight"}"#), now).unwrap_err()).1, "invalid_argument");
    assert_eq!(kind_of(&r.remove_interest(rec(r#"{"category":"Nope"}"#)).unwrap_err()).1, "unknown_category");
    r.remove_interest(rec(r#"{"category":"Candles"}"#)).unwrap();
    let profile = r.profile(now).unwrap();
    let removed = js_sys::Array::from(&Reflect::get(&profile, &"removedInterests".into()).unwrap());
    assert_eq!(removed.length(), 1);
}
