//! Fuzz target for the pack decoder: `Pack::open` must never panic, over-allocate or loop,
//! and every accessor of a pack it accepts must be total.
//!
//! Each input is tried twice:
//! 1. exactly as given (exercises magic/version/header/length/checksum checks);
//! 2. "repaired": if it is at least 40 bytes long, body_len (bytes 24..32) and the checksum
//!    (bytes 32..36, over everything else) are rewritten to match. Without this, nearly every mutation dies
//!    at `bad_checksum` and the fuzzer never reaches the section table, string tables, meta
//!    counts, id index, … Those later checks are where the interesting bugs would be.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise::pack::Pack;
use shelfwise::page::ShelfRequest;
use shelfwise::Engine;

const HEADER_LEN: usize = 40;

fn exercise(data: &[u8]) {
    if let Ok(pack) = Pack::open(data) {
        let n = pack.item_count();
        // Every item, every accessor; plus one past the end, which must be harmless too.
        for i in 0..=n {
            let id = pack.item_id(i);
            let _ = pack.title(i);
            let _ = pack.category(i);
            let _ = pack.category_index(i);
            let _ = pack.brand(i);
            let _ = pack.brand_index(i);
            let _ = pack.price(i);
            let _ = pack.in_stock(i);
            let _ = pack.image_url(i);
            let _ = pack.page_url(i);
            let _ = pack.popularity(i);
            let row = pack.embedding_iter(i).count();
            let image_row = pack.image_embedding_blocks().map_or(0, |b| b.codes_of(i as usize).count());
            let _ = shelfwise::vector::unit_image_vector(&pack, i);
            let _ = (pack.neighbours(i).count(), pack.bought_together(i).count(), pack.demand_trend(i), pack.interactions(i));
            if i < n {
                assert_eq!(row, pack.dim(), "embedding row {i} has the wrong length");
                assert_eq!(image_row, pack.image_dim(), "image embedding row {i} has the wrong length");
                assert_eq!(pack.find_item(id), Some(i), "find_item(item_id({i})) is not {i}");
                let p = pack.price(i);
                assert!(p.is_finite() && p >= 0.0, "price {i} = {p} passed validation");
                let pop = pack.popularity(i);
                assert!((0.0..=1.0).contains(&pop), "popularity {i} = {pop} passed validation");
                assert!(pack.category_index(i).is_none_or(|c| c < pack.category_count()));
                assert!(pack.brand_index(i).is_none_or(|b| b < pack.brand_count()));
                for (j, _) in pack.neighbours(i).chain(pack.bought_together(i).map(|(j, c)| (j, c as f32))) {
                    assert!(j < n && j != i, "list entry {j} of item {i} passed validation");
                }
            } else {
                assert_eq!((row, image_row), (0, 0));
            }
        }
        for c in 0..=pack.category_count() {
            let _ = pack.category_name(c);
        }
        for b in 0..=pack.brand_count() {
            let _ = pack.brand_name(b);
        }
        let _ = pack.find_item("");
        let _ = pack.find_item("\u{10FFFF}");
        let _ = pack.embedding_scales();
        let blocks = pack.embedding_blocks();
        assert_eq!((blocks.items(), blocks.dim()), (n as usize, pack.dim()));
        let _ = (pack.header(), pack.meta(), pack.sections(), pack.byte_len());
    }
    if let Ok(engine) = Engine::open(data.to_vec()) {
        let _ = engine.shelf(&ShelfRequest { k: Some(5), ..ShelfRequest::new("for-you") }, 0);
        let first = engine.pack().item_id(0).to_owned();
        if !first.is_empty() {
            let _ = engine.shelf(&ShelfRequest { k: Some(5), item: Some(first), ..ShelfRequest::new("visually-similar") }, 0);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    exercise(data);
    if data.len() >= HEADER_LEN {
        let mut fixed = data.to_vec();
        let body_len = (data.len() - HEADER_LEN) as u64;
        fixed[24..32].copy_from_slice(&body_len.to_le_bytes());
        let crc = shelfwise::pack::pack_checksum(&fixed);
        fixed[32..36].copy_from_slice(&crc.to_le_bytes());
        if fixed != data {
            exercise(&fixed);
        }
    }
});
