//! Regression tests from fuzzing the pack decoder (`fuzz/`, run by `scripts/fuzz.sh`).
//!
//! A 10-million-run libFuzzer campaign found no crash, OOM or timeout, so this file pins the
//! hostile inputs that matter most: each must come back as the *typed* error the format doc
//! names, without panicking and without allocating more than the input justifies (checked with
//! a per-thread counting allocator). Any future fuzzer finding is added here as a byte literal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use common::{fix_checksum, read_everything};
use counting_alloc::measured;
use shelfwise::pack::{Pack, SectionKind};

/// The committed v4 fixture (also the fuzzer's seed, `fuzz/corpus/pack_open/sample.pack`); it
/// holds every section kind, so the indices below are `kind - 1`.
const GOLDEN: &[u8] = include_bytes!("golden/v4.pack");

const HEADER_LEN: usize = 40;
const ENTRY_LEN: usize = 24;

/// Opens `bytes` and returns the error kind, checking that opening allocated at most a small
/// constant plus the input size (a pack's decoded state is O(sections + dim + item_count)).
fn open_err_kind(bytes: &[u8]) -> &'static str {
    let (result, cost) = measured(|| Pack::open(bytes));
    let peak = cost.peak_bytes;
    let budget = 64 * 1024 + bytes.len();
    assert!(peak <= budget, "opening {} bytes allocated {peak} bytes (budget {budget})", bytes.len());
    match result {
        Ok(_) => panic!("a hostile pack of {} bytes opened", bytes.len()),
        Err(e) => {
            // The message must render too (it formats the offending values).
            assert!(!e.to_string().is_empty());
            e.kind()
        }
    }
}

fn put_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(bytes: &mut [u8], at: usize, v: u64) {
    bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// Byte offset of section `index`'s table entry (0 = meta … 21 = rules).
fn entry(index: usize) -> usize {
    HEADER_LEN + index * ENTRY_LEN
}

/// File offset where section `index` starts, per the golden pack's table.
fn section_start(index: usize) -> usize {
    get_u64(GOLDEN, entry(index) + 8) as usize
}

/// The golden pack with `edit` applied and the checksum repaired, so the edit reaches the
/// structural checks behind the CRC.
fn edited(edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = GOLDEN.to_vec();
    edit(&mut b);
    fix_checksum(&mut b);
    b
}

const META: usize = 0;
const ITEM_IDS: usize = 1;
const CATEGORY_NAMES: usize = 3;
const POPULARITY: usize = 14;
const NEIGHBOURS: usize = 17;
const RULES: usize = 21;

#[test]
fn the_seed_itself_opens_and_reads_everywhere() {
    // The counting allocator is live: opening allocates the section list and the scales.
    let (pack, cost) = measured(|| Pack::open(GOLDEN).expect("golden pack opens"));
    assert!(cost.peak_bytes > 0 && cost.allocations > 0, "the allocation counter saw nothing");
    assert_eq!(pack.item_count(), 6);
    read_everything(&pack);
}

#[test]
fn short_inputs_are_truncated_or_bad_magic() {
    assert_eq!(open_err_kind(b""), "truncated");
    assert_eq!(open_err_kind(b"SHLF"), "truncated");
    assert_eq!(open_err_kind(b"SHLFPACK"), "truncated");
    assert_eq!(open_err_kind(b"SHLFPACK\x04\x00"), "truncated");
    assert_eq!(open_err_kind(&GOLDEN[..HEADER_LEN - 1]), "truncated");
    assert_eq!(open_err_kind(b"SHLX"), "bad_magic");
    assert_eq!(open_err_kind(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"), "bad_magic");
    assert_eq!(open_err_kind(b"SHLFPACK\x03\x00"), "unsupported_version");
    assert_eq!(open_err_kind(b"SHLFPACK\x02\x00"), "unsupported_version");
    assert_eq!(open_err_kind(b"SHLFPACK\x01\x00"), "unsupported_version");
    assert_eq!(open_err_kind(b"SHLFPACK\xff\xff"), "unsupported_version");
}

#[test]
fn every_prefix_of_the_seed_is_a_typed_error() {
    for len in 0..GOLDEN.len() {
        let kind = open_err_kind(&GOLDEN[..len]);
        assert!(kind == "truncated" || kind == "bad_magic", "prefix of {len} bytes: {kind}");
    }
}

#[test]
fn huge_body_len_is_truncated_not_allocated() {
    for body_len in [u64::MAX, u64::MAX - 39, u64::MAX - 40, 1 << 40, GOLDEN.len() as u64 - 39] {
        let mut b = GOLDEN.to_vec();
        put_u64(&mut b, 24, body_len);
        assert_eq!(open_err_kind(&b), "truncated", "body_len {body_len:#x}");
    }
    let mut b = GOLDEN.to_vec();
    put_u64(&mut b, 24, 0);
    assert_eq!(open_err_kind(&b), "trailing_bytes");
}

#[test]
fn huge_section_count_is_a_bad_header() {
    for count in [u32::MAX, SectionKind::ALL.len() as u32 + 1, 4, 0] {
        let b = edited(|b| put_u32(b, 20, count));
        assert_eq!(open_err_kind(&b), "bad_header", "section_count {count}");
        let mut stale = GOLDEN.to_vec();
        put_u32(&mut stale, 20, count);
        assert_eq!(open_err_kind(&stale), "bad_checksum", "section_count {count}, checksum not repaired");
    }
}

#[test]
fn section_offsets_near_u64_max_are_out_of_range() {
    for index in [META, ITEM_IDS, POPULARITY] {
        for offset in [u64::MAX, u64::MAX - 7, u64::MAX - 8, 1 << 63] {
            let b = edited(|b| put_u64(b, entry(index) + 8, offset));
            assert_eq!(open_err_kind(&b), "section_out_of_range", "section {index} offset {offset:#x}");
        }
    }
}

#[test]
fn section_lengths_that_overflow_offset_plus_len_are_out_of_range() {
    for index in [META, ITEM_IDS, POPULARITY] {
        let offset = get_u64(GOLDEN, entry(index) + 8);
        for len in [u64::MAX, u64::MAX - offset + 1, u64::MAX - offset, GOLDEN.len() as u64] {
            let b = edited(|b| put_u64(b, entry(index) + 16, len));
            assert_eq!(open_err_kind(&b), "section_out_of_range", "section {index} len {len:#x}");
        }
    }
}

#[test]
fn unknown_or_flagged_section_entries_are_a_bad_section_table() {
    let b = edited(|b| put_u32(b, entry(3), u32::MAX));
    assert_eq!(open_err_kind(&b), "bad_section_table");
    let b = edited(|b| put_u32(b, entry(3), 2)); // item_ids twice
    assert_eq!(open_err_kind(&b), "bad_section_table");
    let b = edited(|b| put_u32(b, entry(3) + 4, u32::MAX)); // flags
    assert_eq!(open_err_kind(&b), "bad_section_table");
}

#[test]
fn string_table_count_of_u32_max_is_a_bad_string_table() {
    for index in [ITEM_IDS, CATEGORY_NAMES] {
        for count in [u32::MAX, u32::MAX - 1, 1 << 30] {
            let b = edited(|b| put_u32(b, section_start(index), count));
            assert_eq!(open_err_kind(&b), "bad_string_table", "section {index} count {count:#x}");
        }
    }
}

#[test]
fn string_offsets_past_the_bytes_are_a_bad_string_table() {
    let start = section_start(ITEM_IDS);
    // offsets[1] (end of the first id) and the first offset itself.
    for (at, v) in [(start + 8, u32::MAX), (start + 4, u32::MAX), (start + 4, 1)] {
        let b = edited(|b| put_u32(b, at, v));
        assert_eq!(open_err_kind(&b), "bad_string_table", "offset at {at} = {v:#x}");
    }
}

#[test]
fn huge_meta_counts_are_typed_errors() {
    let m = section_start(META);
    for (field, v, kind) in [
        (0, u32::MAX, "bad_string_table"), // item_count vs item_ids' 6 strings
        (8, u32::MAX, "bad_value"),        // category_count above 65535
        (12, u32::MAX, "bad_value"),       // brand_count above 65535
        (8, 3, "bad_string_table"),        // category_count vs the 2 names
        (32, u32::MAX, "bad_value"),       // neighbour_k and together_k above 256
        (36, 1, "bad_value"),              // reserved
        (4, 0, "bad_value"),               // dim 0
        (4, 1025, "bad_value"),            // dim above MAX_DIM
        (4, u32::MAX, "bad_value"),
    ] {
        let b = edited(|b| put_u32(b, m + field, v));
        assert_eq!(open_err_kind(&b), kind, "meta field at +{field} = {v:#x}");
    }
}

#[test]
fn list_slots_and_rules_pointing_past_the_items_are_a_bad_value() {
    // neighbours[0] slot 0: past the items, the item itself, and u32::MAX before a used slot.
    for v in [6, 0, u32::MAX - 1, u32::MAX] {
        let b = edited(|b| put_u32(b, section_start(NEIGHBOURS), v));
        assert_eq!(open_err_kind(&b), "bad_value", "neighbours[0][0] = {v:#x}");
    }
    // rules: the count, then the first rule's target (an item).
    let b = edited(|b| put_u32(b, section_start(RULES), u32::MAX));
    assert_eq!(open_err_kind(&b), "count_mismatch");
    let b = edited(|b| put_u32(b, section_start(RULES) + 8, 6));
    assert_eq!(open_err_kind(&b), "bad_value");
}

/// Every single-bit flip of the seed outside the checksum field, checksum repaired: never a panic, never an allocation
/// beyond the budget, and a pack that still opens reads everywhere.
#[test]
fn every_bit_flip_of_the_seed_is_handled() {
    every_bit_flip_is_handled(GOLDEN);
}

/// The same for the seed with image embeddings (sections 24 and 25).
#[test]
fn every_bit_flip_of_the_image_seed_is_handled() {
    let seed = include_bytes!("../fuzz/corpus/pack_open/sample-image.pack");
    assert!(Pack::open(seed.as_slice()).is_ok_and(|p| p.image_dim() == 3), "the image seed opens");
    every_bit_flip_is_handled(seed);
}

fn every_bit_flip_is_handled(seed: &[u8]) {
    for at in (0..seed.len()).filter(|at| !(32..36).contains(at)) {
        for bit in 0..8 {
            let mut b = seed.to_vec();
            b[at] ^= 1 << bit;
            fix_checksum(&mut b);
            let (result, cost) = measured(|| Pack::open(b.as_slice()));
            let peak = cost.peak_bytes;
            assert!(peak <= 64 * 1024 + b.len(), "flip {at}:{bit} allocated {peak} bytes");
            if let Ok(pack) = result {
                read_everything(&pack);
            }
        }
    }
}
