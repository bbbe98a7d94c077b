//! Pack format v1: round trips, the golden fixture, and one typed error per kind of damage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fix_checksum, sample_contents, sample_pack_bytes};
use shelfwise::pack::{Pack, PackError, SectionKind, FORMAT_VERSION, MAGIC};

const GOLDEN_V1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/v1.pack");

fn open_err(bytes: &[u8]) -> PackError {
    match Pack::open(bytes) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn encode_open_round_trips_every_field() {
    let contents = sample_contents();
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    assert_eq!(pack.to_contents(), contents);
    assert_eq!(pack.item_count(), 6);
    assert_eq!(pack.dim(), 4);
    assert_eq!(pack.title(3), "Blue Mug");
    assert_eq!(pack.category(0), "Candles");
    assert_eq!(pack.brand(1), "Birch");
    assert!(!pack.in_stock(2));
    assert_eq!(pack.embedding_row(1), &[90, 20, 5, 0]);
    assert_eq!(pack.find_item("SKU-4"), Some(4));
    assert_eq!(pack.find_item("SKU-9"), None);
    assert_eq!(pack.title(99), "", "out-of-range accessors return empty values, not panics");
}

#[test]
fn re_encoding_an_opened_pack_is_byte_identical() {
    let bytes = sample_pack_bytes();
    let again = Pack::open(bytes.as_slice()).unwrap().to_contents().encode().unwrap();
    assert_eq!(bytes, again);
}

/// The committed v1 fixture must keep loading and re-encode to the same bytes. Regenerate it
/// only for a deliberate format change (with a new version): `SHELFWISE_BLESS=1 cargo test`.
#[test]
fn golden_v1_pack_loads_and_round_trips_byte_identically() {
    if std::env::var_os("SHELFWISE_BLESS").is_some() {
        std::fs::write(GOLDEN_V1, sample_pack_bytes()).unwrap();
    }
    let golden = std::fs::read(GOLDEN_V1).expect("tests/golden/v1.pack is committed");
    let pack = Pack::open(golden.as_slice()).unwrap();
    assert_eq!(pack.header().format_version, 1);
    assert_eq!(pack.to_contents(), sample_contents());
    assert_eq!(pack.to_contents().encode().unwrap(), golden);
}

#[test]
fn bad_magic_is_reported_with_the_bytes_found() {
    let bytes = hex_header("4e4f545041434b21", 1);
    assert!(matches!(open_err(&bytes), PackError::BadMagic { found, .. } if &found == b"NOTPACK!"));
    assert_eq!(open_err(b"PK\x03\x04 zip file").kind(), "bad_magic");
}

#[test]
fn empty_or_short_input_is_truncated() {
    assert_eq!(open_err(b"").kind(), "truncated");
    assert_eq!(open_err(&MAGIC[..5]).kind(), "truncated");
    let mut bytes = sample_pack_bytes();
    bytes.truncate(30);
    assert!(matches!(open_err(&bytes), PackError::Truncated { what: "header", needed: 40, available: 30 }));
}

#[test]
fn a_newer_format_version_is_refused_naming_both_versions() {
    let bytes = hex_header("53484c465041434b", FORMAT_VERSION + 1);
    let err = open_err(&bytes);
    assert_eq!(err.kind(), "unsupported_version");
    let message = err.to_string();
    assert!(message.contains(&format!("version {}", FORMAT_VERSION + 1)), "{message}");
    assert!(message.contains(&format!("to {FORMAT_VERSION}")), "{message}");
    assert!(message.contains("newer"), "{message}");
    assert_eq!(open_err(&hex_header("53484c465041434b", 0)).kind(), "unsupported_version");
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = sample_pack_bytes();
    bytes.push(0);
    assert!(matches!(open_err(&bytes), PackError::TrailingBytes { .. }));
}

#[test]
fn a_truncated_body_is_refused() {
    let mut bytes = sample_pack_bytes();
    bytes.pop();
    assert!(matches!(open_err(&bytes), PackError::Truncated { what: "body", .. }));
}

#[test]
fn a_flipped_bit_fails_the_checksum() {
    let mut bytes = sample_pack_bytes();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x10;
    assert_eq!(open_err(&bytes).kind(), "bad_checksum");
}

#[test]
fn reserved_header_fields_must_be_zero() {
    let mut bytes = sample_pack_bytes();
    bytes[36] = 1;
    fix_checksum(&mut bytes);
    assert!(matches!(open_err(&bytes), PackError::BadHeader { field: "reserved", offset: 36, .. }));
}

/// Offset of section-table entry `i` (0-based).
fn entry(i: usize) -> usize {
    40 + i * 24
}

#[test]
fn a_section_pointing_past_the_end_is_out_of_range() {
    let mut bytes = sample_pack_bytes();
    let at = entry(SectionKind::Popularity as usize - 1) + 16;
    bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    fix_checksum(&mut bytes);
    assert!(matches!(open_err(&bytes), PackError::SectionOutOfRange { kind: SectionKind::Popularity, .. }));
}

#[test]
fn an_unknown_section_kind_is_refused() {
    let mut bytes = sample_pack_bytes();
    bytes[entry(3)..entry(3) + 4].copy_from_slice(&99u32.to_le_bytes());
    fix_checksum(&mut bytes);
    let err = open_err(&bytes);
    assert_eq!(err.kind(), "bad_section_table");
    assert!(err.to_string().contains("unknown section kind 99"), "{err}");
}

#[test]
fn counts_that_disagree_with_the_meta_section_are_refused() {
    // Claim one more item than the sections hold.
    let mut bytes = sample_pack_bytes();
    let meta = Pack::open(bytes.as_slice()).unwrap().sections()[0].range.start;
    bytes[meta..meta + 4].copy_from_slice(&7u32.to_le_bytes());
    fix_checksum(&mut bytes);
    assert!(matches!(open_err(&bytes), PackError::BadStringTable { kind: SectionKind::ItemIds, .. }));
}

#[test]
fn a_category_reference_out_of_range_is_refused() {
    let mut contents = sample_contents();
    contents.items[4].category = 5;
    let err = contents.encode().unwrap_err();
    assert!(matches!(err, PackError::BadValue { kind: SectionKind::ItemCategory, index: 4, .. }), "{err}");
}

#[test]
fn duplicate_item_ids_are_refused() {
    let mut contents = sample_contents();
    contents.items[5].id = "SKU-1".into();
    assert!(matches!(contents.encode().unwrap_err(), PackError::DuplicateItemId { id } if id == "SKU-1"));
}

#[test]
fn non_finite_prices_and_embedding_count_mismatches_are_refused() {
    let mut contents = sample_contents();
    contents.items[0].price = f32::NAN;
    assert!(matches!(contents.encode().unwrap_err(), PackError::BadValue { kind: SectionKind::Prices, index: 0, .. }));
    let mut contents = sample_contents();
    contents.codes.pop();
    assert!(matches!(contents.encode().unwrap_err(), PackError::CountMismatch { kind: SectionKind::Embeddings, .. }));
}

/// Every strict prefix of a valid pack fails with a typed error (never a panic).
#[test]
fn every_prefix_fails_cleanly() {
    let bytes = sample_pack_bytes();
    for len in 0..bytes.len() {
        assert!(Pack::open(&bytes[..len]).is_err(), "prefix of {len} bytes opened");
    }
}

/// A 40-byte header from a hex magic and a version, the rest zero.
fn hex_header(magic_hex: &str, version: u16) -> Vec<u8> {
    let mut bytes: Vec<u8> =
        (0..magic_hex.len()).step_by(2).map(|i| u8::from_str_radix(&magic_hex[i..i + 2], 16).unwrap()).collect();
    bytes.extend_from_slice(&version.to_le_bytes());
    bytes.resize(40, 0);
    bytes
}
