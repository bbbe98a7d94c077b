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
    let item = |shelf: &JsValue, at: u32, field: &str| {
        let item = Reflect::get(&Reflect::get(shelf, &"items".into()).unwrap(), &at.into()).unwrap();
        Reflect::get(&item, &field.into()).unwrap().as_string().unwrap()
    };
    let personalized = |shelf: &JsValue| Reflect::get(shelf, &"personalized".into()).unwrap().as_bool().unwrap();
    // The sample pack pins SKU-5 first; with no events the rest is trend (SKU-3 next).
    let cold = r.shelf(rec(r#"{"kind":"for-you","k":2}"#), now).unwrap();
    assert_eq!((item(&cold, 0, "id"), item(&cold, 1, "id")), ("SKU-5".into(), "SKU-3".into()));
    assert!(!personalized(&cold));
    r.track(rec(r#"{"type":"view","item":"SKU-0","ts":1699999990000}"#), 1_700_000_000_000.0).unwrap();
    let warm = r.shelf(rec(r#"{"kind":"for-you","k":2}"#), now).unwrap();
    assert_eq!(item(&warm, 1, "category"), "Candles");
    assert!(personalized(&warm));
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
    let err = r.track(rec(r#"{"type":"view","item":"NOPE","ts":1}"#), 1_700_000_000_000.0).unwrap_err();
    assert_eq!(kind_of(&err).1, "unknown_item");
    let err = r.track(rec(r#"{"type":"view","item":"SKU-1"}"#), 1_700_000_000_000.0).unwrap_err();
    assert_eq!(kind_of(&err).1, "invalid_argument");
    let err = r.track(JsValue::from_str("not an object"), 1_700_000_000_000.0).unwrap_err();
    assert_eq!(kind_of(&err).1, "invalid_argument");
    let err = r.shelf(rec(r#"{"kind":"for-you","k":1}"#), f64::NAN).unwrap_err();
    assert_eq!(kind_of(&err).1, "out_of_range");
    let err = r.shelf(rec(r#"{"kind":"for-you","k":0}"#), 0.0).unwrap_err();
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

/// A small deterministic generator (no `rand` in the wasm test build).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[wasm_bindgen_test]
fn the_simd_kernel_is_the_one_built_and_agrees_with_the_portable_path_and_a_naive_reference() {
    use shelfwise::kernel::{
        self, chunk_dots_portable, groups, scan_portable, top_k_dots, KernelQuery, OwnedBlocks, TopDots, CHUNK, GROUP_BYTES,
    };
    let expected = if cfg!(target_feature = "relaxed-simd") { "relaxed-simd" } else { "simd128" };
    assert_eq!(kernel::path_name(), expected, "the wasm build must enable simd128 (scripts/lib.sh)");
    let mut rng = SplitMix(7);
    for case in 0..300 {
        // The unrolled dimensions first, then any; every tenth case a larger catalog.
        let dim = if case < 40 { [32, 64, 96, 128][case % 4] } else { 1 + rng.below(if case % 10 == 0 { 300 } else { 40 }) as usize };
        let items = if case % 10 == 5 { 1500 + rng.below(600) as usize } else { rng.below(80) as usize };
        let alphabet = [0i8, 1, -1, i8::MIN, i8::MAX];
        let rows: Vec<i8> = (0..items * dim)
            .map(|_| match rng.below(4) {
                0 => alphabet[rng.below(5) as usize],
                1 => rng.next() as i8,
                _ => (rng.below(61) as i8) - 30,
            })
            .collect();
        let q: Vec<i8> = (0..dim)
            .map(|_| match rng.below(4) {
                0 => 0,
                1 => (rng.below(5) as i8) - 2,
                _ => rng.next() as i8,
            })
            .collect();
        let kq = KernelQuery::new(&q);
        let q = kq.codes().to_vec();
        let owned = OwnedBlocks::from_rows(&rows, dim);
        let blocks = owned.view().unwrap();
        // Per chunk: SIMD dot products == portable ones == exact (0 for padding items).
        let chunk_bytes = groups(dim) * GROUP_BYTES;
        for (c, chunk) in owned.codes.chunks_exact(chunk_bytes).enumerate() {
            let sums: [i32; CHUNK] = owned.sums[c * CHUNK..(c + 1) * CHUNK].try_into().unwrap();
            let simd = kernel::simd::chunk_dots_of::<kernel::simd::wasm::Wasm>(chunk, &sums, &kq);
            assert_eq!(simd, chunk_dots_portable(chunk, &kq), "case {case}, chunk {c}");
            for (m, &dot) in simd.iter().enumerate() {
                let i = c * CHUNK + m;
                let exact: i32 = blocks.row(i).map_or(0, |r| r.iter().zip(&q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum());
                assert_eq!(dot, exact, "case {case}, item {i}");
            }
        }
        // Fused top-K: SIMD scan == portable scan == full sort, ties to the lower index.
        let k = rng.below(25) as usize;
        let accept = |i: u32| i % 5 != 3;
        let mut naive: Vec<(u32, i32)> = (0..items)
            .filter(|&i| accept(i as u32))
            .map(|i| (i as u32, rows[i * dim..(i + 1) * dim].iter().zip(&q).map(|(&c, &x)| i32::from(c) * i32::from(x)).sum()))
            .collect();
        naive.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        naive.truncate(k);
        assert_eq!(top_k_dots(&blocks, &kq, k, accept).unwrap(), naive, "case {case}");
        let mut sink = TopDots::new(k, accept);
        scan_portable(&blocks, &kq, &mut sink).unwrap();
        assert_eq!(sink.into_sorted(), naive, "case {case}");
    }
}

#[wasm_bindgen_test]
fn measurement_bindings_use_web_crypto_and_name_their_errors() {
    use shelfwise::wasm::{daily_report, experiment_arm, measurement_summary, new_device_secret};
    let secret = new_device_secret().unwrap();
    assert_eq!(secret.len(), 32);
    assert_ne!(secret, new_device_secret().unwrap(), "crypto.getRandomValues, not a constant");
    let arm = experiment_arm(&secret, "e".into(), vec!["control".into(), "personalized".into()], vec![0.5, 0.5]).unwrap();
    assert!(arm == "control" || arm == "personalized");
    let records = rec(r#"[{"type":"shelf_click","ts":1700000000000,"item":"SKU-1","shelf":"similar","position":2},
                         {"type":"purchase","ts":1700000001000,"item":"SKU-1","qty":1,"value":4.5}]"#);
    let summary = measurement_summary(records.clone(), 7).unwrap();
    let attributed = Reflect::get(&js_sys::Array::from(&Reflect::get(&summary, &"attributed".into()).unwrap()).get(0), &"shelf".into());
    assert_eq!(attributed.unwrap().as_string().unwrap(), "similar");
    let day = (1_700_000_000_000.0f64 / 86_400_000.0).floor() * 86_400_000.0;
    let report = daily_report(records.clone(), day, rec(r#"{"epsilon":1,"arm":"all"}"#)).unwrap();
    assert_eq!(Reflect::get(&report, &"day".into()).unwrap().as_string().unwrap(), "2023-11-14");
    let err = daily_report(records, day, rec(r#"{"epsilon":9,"arm":"all"}"#)).unwrap_err();
    assert_eq!(kind_of(&err), ("ShelfwiseError".to_owned(), "invalid_argument".to_owned()));
    let err = measurement_summary(rec(r#"[{"type":"impression","ts":1,"item":"a","shelf":"nope","position":1}]"#), 7).unwrap_err();
    assert_eq!(kind_of(&err).1, "invalid_argument");
}
