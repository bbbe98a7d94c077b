//! Pack format v4: round trips, the golden fixture (and the fuzz seeds made from it), hex
//! literals for each bad header, and one typed error per kind of damage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fix_checksum, sample_contents, sample_image, sample_pack_bytes, unit};
use shelfwise::pack::{
    read_header, Header, Pack, PackContents, PackError, PackItem, RuleAction, RuleTarget, SalesRate, SectionKind, FORMAT_VERSION, MAGIC,
    NO_URL, OLDEST_SUPPORTED_VERSION,
};

const GOLDEN_V4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/v4.pack");
const FUZZ_SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/pack_open");

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
    let mut row = [0i8; 4];
    pack.embedding_row(1, &mut row);
    assert_eq!(row, [90, 20, 5, 0]);
    assert_eq!(pack.embedding_iter(4).collect::<Vec<_>>(), [5, 0, 90, 20]);
    assert_eq!(pack.find_item("SKU-4"), Some(4));
    assert_eq!(pack.find_item("SKU-9"), None);
    assert_eq!(pack.page_url(0), "#/item/SKU-0", "the template fills in the id");
    assert_eq!(pack.page_url(5), "https://shop.example/tall-mug", "an item's own URL wins");
    assert_eq!(pack.image_url(3), "img/3.svg");
    assert_eq!(pack.neighbours(0).collect::<Vec<_>>(), [(1, unit(0.75)), (2, unit(0.5))]);
    assert_eq!(pack.neighbours(5).count(), 0);
    assert_eq!(pack.bought_together(0).collect::<Vec<_>>(), [(3, 4), (1, 2)]);
    assert_eq!((pack.demand_trend(3), pack.interactions(3)), (1.0, 9));
    assert_eq!(pack.rules()[0].action, RuleAction::Pin(1), "stored as 0, read as the first position");
    assert_eq!(pack.rules()[1].target, RuleTarget::Category(0));
    assert_eq!(pack.title(99), "", "out-of-range accessors return empty values, not panics");
    assert_eq!(pack.neighbours(99).count(), 0);
    // Every section but sales_rates and the image embeddings, which the sample leaves out (tested
    // below).
    assert_eq!(pack.sections().len(), SectionKind::ALL.len() - 3, "the sample uses every other section");
    assert_eq!(pack.image_dim(), 0);
    assert!(pack.image_embedding_blocks().is_none());
}

#[test]
fn an_item_without_urls_round_trips_as_none_and_never_takes_the_template() {
    let mut contents = sample_contents();
    contents.url_templates.image = "img/{id}.png".into();
    contents.items[1].page_url = NO_URL.into();
    contents.items[1].image_url = NO_URL.into();
    contents.items[2].image_url = String::new();
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    assert_eq!(pack.to_contents(), contents);
    assert_eq!((pack.page_url(1).as_ref(), pack.image_url(1).as_ref()), ("", ""), "none, not the templates");
    assert_eq!(pack.page_url_override(1), NO_URL);
    assert_eq!((pack.page_url(0).as_ref(), pack.image_url(2).as_ref()), ("#/item/SKU-0", "img/SKU-2.png"));
}

#[test]
fn sales_rates_round_trip_and_bad_rates_are_refused_naming_the_item() {
    let mut contents = sample_contents();
    contents.items[3].sales_rate = Some(SalesRate { forecast: 40.0, recent: 25.0 });
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    assert_eq!(pack.sales_rate(3), Some(SalesRate { forecast: 40.0, recent: 25.0 }));
    assert_eq!(pack.sales_rate(0), Some(SalesRate::default()), "items without a rate store 0 and 0");
    assert_eq!(pack.sales_rate(99), None);
    assert!(pack.sections().iter().any(|s| s.kind == SectionKind::SalesRates));
    let mut back = pack.to_contents();
    back.items.iter_mut().filter(|it| it.sales_rate == Some(SalesRate::default())).for_each(|it| it.sales_rate = None);
    assert_eq!(back, contents);
    assert_eq!(Pack::open(sample_pack_bytes().as_slice()).unwrap().sales_rate(3), None, "absent section: unknown");
    contents.items[4].sales_rate = Some(SalesRate { forecast: f32::NAN, recent: 1.0 });
    let err = contents.encode().unwrap_err();
    assert!(matches!(err, PackError::BadValue { kind: SectionKind::SalesRates, index: 4, .. }), "{err}");
}

/// Sections 24 and 25 byte by byte: the scales as f32, the codes blocked as the main embeddings
/// are (chunks of 4 items, groups of 4 dimensions, padding 0).
#[test]
fn image_embeddings_round_trip_in_the_blocked_layout() {
    let contents = PackContents { image: Some(sample_image()), ..sample_contents() };
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    assert_eq!(pack.to_contents(), contents);
    assert_eq!(pack.image_dim(), 3);
    assert_eq!(pack.image_embedding_scales(), [0.5, 0.25, 1.0]);
    assert_eq!(pack.image_embedding_blocks().unwrap().codes_of(5).collect::<Vec<_>>(), [10, -10, 127]);
    let section = |kind: SectionKind| &bytes[pack.sections().iter().find(|s| s.kind == kind).unwrap().range.clone()];
    assert_eq!(section(SectionKind::ImageEmbeddingScales), hex("0000003f 0000803e 0000803f"));
    let codes = hex("01020300 04050600 fffefd00 07080900  00000000 0af67f00 00000000 00000000
         00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000");
    assert_eq!(section(SectionKind::ImageEmbeddings), codes);
    assert_eq!(pack.sections().len(), SectionKind::ALL.len() - 1, "every section but sales_rates");
}

#[test]
fn bad_image_embeddings_are_refused_naming_the_section_and_item() {
    let contents = PackContents { image: Some(sample_image()), ..sample_contents() };
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    let range = |kind: SectionKind| pack.sections().iter().find(|s| s.kind == kind).unwrap().range.clone();
    let damaged = |at: usize, value: &[u8]| {
        let mut b = bytes.clone();
        b[at..at + value.len()].copy_from_slice(value);
        fix_checksum(&mut b);
        open_err(&b)
    };
    let scales = range(SectionKind::ImageEmbeddingScales);
    let err = damaged(scales.start + 4, &f32::NAN.to_le_bytes());
    assert!(matches!(err, PackError::BadValue { kind: SectionKind::ImageEmbeddingScales, index: 1, .. }), "{err}");
    // Item 5's padded dimension 3 (chunk 1, item 1: byte 16 + 4 + 3).
    let err = damaged(range(SectionKind::ImageEmbeddings).start + 23, &[9]);
    assert!(matches!(err, PackError::BadValue { kind: SectionKind::ImageEmbeddings, index: 5, .. }), "{err}");
    let err = damaged(range(SectionKind::ImageEmbeddings).start + 40, &[9]);
    assert!(
        matches!(&err, PackError::BadValue { kind: SectionKind::ImageEmbeddings, index: 10, detail } if detail.contains("padding item")),
        "{err}"
    );
    // The encoder refuses what the decoder would.
    let mut wrong = contents.clone();
    wrong.image.as_mut().unwrap().codes.pop();
    assert!(matches!(wrong.encode().unwrap_err(), PackError::InvalidContents { detail } if detail.contains("image")));
    wrong.image = Some(shelfwise::pack::ImageEmbeddings { dim: 0, scales: Vec::new(), codes: Vec::new() });
    assert!(matches!(wrong.encode().unwrap_err(), PackError::InvalidContents { detail } if detail.contains("image dim is 0")));
}

/// Image codes without their scales: 12 image dimensions give 48 bytes of scales, which are
/// also 6 items × 8 bytes of sales rates, so relabelling section 24 as 23 leaves a table that
/// is otherwise valid, and the decoder names the lone section.
#[test]
fn image_codes_without_their_scales_are_refused() {
    let image = shelfwise::pack::ImageEmbeddings { dim: 12, scales: vec![0.5; 12], codes: vec![1; 6 * 12] };
    let bytes = PackContents { image: Some(image), ..sample_contents() }.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    let index = pack.sections().iter().position(|s| s.kind == SectionKind::ImageEmbeddingScales).unwrap();
    let mut b = bytes.clone();
    b[entry(index)..entry(index) + 4].copy_from_slice(&(SectionKind::SalesRates as u32).to_le_bytes());
    fix_checksum(&mut b);
    let err = open_err(&b);
    assert!(
        matches!(&err, PackError::BadValue { kind: SectionKind::ImageEmbeddings, detail, .. } if detail.contains("without section image_embedding_scales")),
        "{err}"
    );
}

#[test]
fn embeddings_are_stored_in_chunks_of_four_items_in_blocks_of_sixteen() {
    let mut contents = sample_contents();
    let extra: Vec<PackItem> = (6..21).map(|i| PackItem::new(format!("T-{i:02}"), "x", 1.0)).collect();
    contents.items.extend(extra);
    contents.codes.extend((6..21).flat_map(|i| [i as i8, -(i as i8), 0, 1]));
    contents.neighbours.clear();
    contents.together.clear();
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    let section = &pack.sections()[SectionKind::Embeddings as usize - 1];
    assert_eq!(section.kind, SectionKind::Embeddings);
    assert_eq!(section.range.len(), 2 * 16 * 4, "21 items take two blocks of 16 items × one group of 4 dimensions");
    let codes = &bytes[section.range.clone()];
    // Item 17 = block 1, chunk 0 (bytes 64..80), item 1 of it; dimension 1: byte 64 + 4 + 1.
    assert_eq!(pack.find_item("T-17"), Some(17));
    assert_eq!(codes[64 + 5] as i8, -17);
    assert_eq!(codes[64..68].iter().map(|&b| b as i8).collect::<Vec<_>>(), [16, -16, 0, 1], "item 16");
    // Items 21..32 are padding: zero.
    assert!(codes[64 + 5 * 4..].iter().all(|&b| b == 0));
    assert_eq!(pack.embedding_iter(17).collect::<Vec<_>>(), [17, -17, 0, 1]);
}

#[test]
fn embedding_padding_must_be_zero() {
    let mut contents = sample_contents();
    // Dimension 3: one group of 4 with a padded dimension 3 in every item.
    contents.dim = 3;
    contents.scales.truncate(3);
    contents.codes = contents.codes.chunks_exact(4).flat_map(|r| r[..3].to_vec()).collect();
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    let section = pack.sections()[SectionKind::Embeddings as usize - 1].range.clone();
    // Six items: item 0's dimension 3 is byte 3; item 6 (chunk 1, item 2) is bytes 16 + 8..;
    // item 15 (chunk 3, item 3) ends the section.
    for (at, index) in [(section.start + 3, 0u64), (section.start + 16 + 8, 6), (section.end - 1, 15)] {
        let mut bad = bytes.clone();
        bad[at] = 5;
        fix_checksum(&mut bad);
        match open_err(&bad) {
            PackError::BadValue { kind: SectionKind::Embeddings, index: i, detail } => {
                assert_eq!(i, index, "{detail}");
                assert!(detail.contains("not 0"), "{detail}");
            }
            other => panic!("byte {at}: {other}"),
        }
    }
}

#[test]
fn category_indices_take_one_byte_up_to_256_names_and_two_beyond() {
    for (names, width) in [(256usize, 1usize), (257, 2)] {
        let mut contents = sample_contents();
        contents.categories = (0..names).map(|c| format!("c{c:03}")).collect();
        contents.items[5].category = names as u32 - 1;
        let bytes = contents.encode().unwrap();
        let pack = Pack::open(bytes.as_slice()).unwrap();
        let section = &pack.sections()[SectionKind::ItemCategory as usize - 1];
        assert_eq!(section.range.len(), 6 * width, "{names} names");
        assert_eq!(pack.category_index(5), Some(names as u32 - 1));
        assert_eq!(pack.to_contents(), contents);
    }
}

#[test]
fn list_items_take_two_bytes_up_to_65535_items_and_four_beyond() {
    for (n, width) in [(65_535u32, 2usize), (65_536, 4)] {
        let items: Vec<PackItem> = (0..n).map(|i| PackItem::new(format!("{i:05x}"), format!("{i:05x}"), 1.0)).collect();
        let mut neighbours = vec![Vec::new(); n as usize];
        neighbours[n as usize - 1] = vec![(0, unit(0.5)), (n - 2, unit(0.25))];
        neighbours[0] = vec![(n - 1, 1.0)];
        let contents = PackContents {
            categories: Vec::new(),
            brands: Vec::new(),
            items,
            url_templates: Default::default(),
            dim: 1,
            scales: vec![1.0],
            codes: vec![1; n as usize],
            neighbours,
            together: Vec::new(),
            rules: Vec::new(),
            ..sample_contents()
        };
        let bytes = contents.encode().unwrap();
        let pack = Pack::open(bytes.as_slice()).unwrap();
        assert_eq!(pack.sections()[5].kind, SectionKind::Neighbours);
        assert_eq!(pack.sections()[5].range.len(), n as usize * 2 * width, "{n} items");
        assert_eq!(pack.neighbours(n - 1).collect::<Vec<_>>(), [(0, unit(0.5)), (n - 2, unit(0.25))]);
        assert_eq!(pack.neighbours(0).collect::<Vec<_>>(), [(n - 1, 1.0)]);
        assert_eq!(pack.neighbours(1).count(), 0);
    }
}

#[test]
fn a_minimal_pack_holds_only_the_required_sections() {
    let mut contents = PackContents {
        categories: Vec::new(),
        brands: Vec::new(),
        neighbours: Vec::new(),
        together: Vec::new(),
        rules: Vec::new(),
        url_templates: Default::default(),
        ..sample_contents()
    };
    contents.items = contents.items.iter().map(|it| PackItem::new(it.id.clone(), it.id.clone(), it.price)).collect();
    let bytes = contents.encode().unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    let kinds: Vec<SectionKind> = pack.sections().iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [SectionKind::Meta, SectionKind::ItemIds, SectionKind::Prices, SectionKind::EmbeddingScales, SectionKind::Embeddings]
    );
    assert_eq!((pack.title(2), pack.category(2), pack.category_index(2)), ("SKU-2", "", None));
    assert!(pack.in_stock(2));
    assert_eq!((pack.popularity(2), pack.demand_trend(2), pack.page_url(2).as_ref()), (0.0, 0.0, ""));
    assert_eq!(pack.to_contents(), contents);
}

#[test]
fn items_must_be_sorted_by_id_and_sort_by_id_remaps_every_index() {
    let mut contents = sample_contents();
    contents.items[0].id = "SKU-9".into();
    let err = contents.encode().unwrap_err();
    assert_eq!(err.kind(), "invalid_contents");
    assert!(err.to_string().contains("sort_by_id"), "{err}");
    let old_to_new = contents.sort_by_id();
    assert_eq!(old_to_new, [5, 0, 1, 2, 3, 4]);
    let pack_bytes = contents.encode().unwrap();
    let pack = Pack::open(pack_bytes.as_slice()).unwrap();
    let amber = pack.find_item("SKU-9").unwrap();
    assert_eq!(pack.title(amber), "Amber Candle");
    assert_eq!(pack.embedding_iter(amber).collect::<Vec<_>>(), [100, 10, 0, 5]);
    let pillar = pack.find_item("SKU-1").unwrap();
    assert_eq!(pack.neighbours(amber).next(), Some((pillar, unit(0.75))));
    assert_eq!(pack.bought_together(pack.find_item("SKU-3").unwrap()).next(), Some((amber, 4)));
}

#[test]
fn re_encoding_an_opened_pack_is_byte_identical() {
    let bytes = sample_pack_bytes();
    let again = Pack::open(bytes.as_slice()).unwrap().to_contents().encode().unwrap();
    assert_eq!(bytes, again);
}

/// The committed v4 fixture must keep loading and re-encode to the same bytes. Regenerate it
/// (and the fuzz seeds made from it) only for a deliberate format change, with a new version:
/// `bash scripts/pack-fixtures.sh`.
#[test]
fn golden_v4_pack_loads_and_round_trips_byte_identically() {
    let golden = std::fs::read(GOLDEN_V4).expect("tests/golden/v4.pack is committed");
    let pack = Pack::open(golden.as_slice()).unwrap();
    assert_eq!(pack.header().format_version, 4);
    assert_eq!(pack.to_contents(), sample_contents());
    assert_eq!(pack.to_contents().encode().unwrap(), golden);
    // The header, byte for byte (builder 0.1.0, 22 sections, body of 1232 bytes).
    let header = hex("53484c46 5041434b 04002800 00000100 00000000 16000000 d0040000 00000000");
    assert_eq!(golden[..32], header[..], "{}", golden[..40].iter().map(|b| format!("{b:02x}")).collect::<String>());
    assert_eq!(golden[36..40], [0, 0, 0, 0]);
}

/// The fuzzer's seeds (`fuzz/corpus/pack_open`): the golden pack and hostile edits of it
/// with the checksum repaired, so that each reaches the check it names.
fn fuzz_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let golden = sample_pack_bytes();
    let pack = Pack::open(golden.as_slice()).unwrap();
    let start = |kind: SectionKind| pack.sections()[kind as usize - 1].range.start;
    let edit = |at: usize, value: &[u8]| {
        let mut b = golden.clone();
        b[at..at + value.len()].copy_from_slice(value);
        fix_checksum(&mut b);
        b
    };
    vec![
        ("sample.pack", golden.clone()),
        ("seed-huge-body-len", edit(24, &u64::MAX.to_le_bytes())),
        ("seed-item-count-u32-max", edit(start(SectionKind::Meta), &u32::MAX.to_le_bytes())),
        ("seed-len-overflow", edit(entry(SectionKind::ItemIds as usize - 1) + 16, &u64::MAX.to_le_bytes())),
        ("seed-offset-near-u64-max", edit(entry(SectionKind::Popularity as usize - 1) + 8, &(u64::MAX - 7).to_le_bytes())),
        ("seed-string-count-u32-max", edit(start(SectionKind::ItemIds), &u32::MAX.to_le_bytes())),
        ("sample-image.pack", PackContents { image: Some(sample_image()), ..sample_contents() }.encode().unwrap()),
    ]
}

/// The golden pack and the fuzz seeds are what this code writes; `SHELFWISE_BLESS=1`
/// rewrites them (`scripts/pack-fixtures.sh`).
#[test]
fn golden_pack_and_fuzz_seeds_are_current() {
    let bless = std::env::var_os("SHELFWISE_BLESS").is_some();
    if bless {
        std::fs::write(GOLDEN_V4, sample_pack_bytes()).unwrap();
    }
    assert_eq!(std::fs::read(GOLDEN_V4).unwrap(), sample_pack_bytes(), "tests/golden/v4.pack is stale");
    for (name, bytes) in fuzz_seeds() {
        let path = format!("{FUZZ_SEEDS}/{name}");
        if bless {
            std::fs::write(&path, &bytes).unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap_or_default(), bytes, "{path} is stale: run scripts/pack-fixtures.sh");
        if !name.starts_with("sample") {
            assert_ne!(open_err(&bytes).kind(), "bad_checksum", "{name} reaches the check it is named after");
        }
    }
}

/// A pack of an older format version (v1 row-major, v2 blocked per 16 items, v3 with the
/// checksum over the body only) is refused with a typed error that names the versions and
/// says to rebuild, never misread.
#[test]
fn older_format_versions_are_refused_with_a_rebuild_hint() {
    for version in 1..OLDEST_SUPPORTED_VERSION {
        let mut bytes = hex("53484c46 5041434b 00002800 00000100 00000000 05000000 00000000 00000000 00000000 00000000");
        bytes[8..10].copy_from_slice(&version.to_le_bytes());
        let err = open_err(&bytes);
        assert!(matches!(err, PackError::UnsupportedVersion { found, oldest: OLDEST_SUPPORTED_VERSION, .. } if found == version), "{err}");
        assert!(err.to_string().contains("rebuild the pack"), "{err}");
    }
}

#[test]
fn bad_magic_is_reported_with_the_bytes_found() {
    let bytes = hex("4e4f5450 41434b21 04002800 00000100 00000000 05000000 00000000 00000000 91c3e297 00000000");
    assert!(matches!(open_err(&bytes), PackError::BadMagic { found, .. } if &found == b"NOTPACK!"));
    assert_eq!(open_err(b"PK\x03\x04 zip file").kind(), "bad_magic");
}

/// A header alone (body_len 0, 5 sections) with its checksum: the header checks pass, and
/// the pack stops at the section table it lacks.
#[test]
fn a_valid_header_decodes_field_by_field() {
    let bytes = hex("53484c46 5041434b 04002800 00000100 00000000 05000000 00000000 00000000 91c3e297 00000000");
    let header = read_header(&bytes).unwrap();
    let expected = Header { format_version: 4, builder_version: (0, 1, 0), section_count: 5, body_len: 0, checksum: 0x97e2_c391 };
    assert_eq!(header, expected);
    assert!(matches!(open_err(&bytes), PackError::Truncated { what: "section table", needed: 160, available: 40 }));
}

/// Each field of the header, damaged on its own (checksum repaired where the damage lies
/// behind it): the typed error that names it.
#[test]
fn each_bad_header_field_is_named() {
    let bad_header = |hex_bytes: &str| match open_err(&hex(hex_bytes)) {
        PackError::BadHeader { field, offset, value, .. } => (field, offset, value),
        other => panic!("{hex_bytes}: {other}"),
    };
    // header_len 41.
    assert_eq!(
        bad_header("53484c46 5041434b 04002900 00000100 00000000 05000000 00000000 00000000 91c3e297 00000000"),
        ("header_len", 10, 41)
    );
    // reserved bytes 18..20 = 1, checksum repaired.
    assert_eq!(
        bad_header("53484c46 5041434b 04002800 00000100 00000100 05000000 00000000 00000000 7075b078 00000000"),
        ("reserved", 18, 1)
    );
    // reserved bytes 36..40 = 1, checksum repaired.
    assert_eq!(
        bad_header("53484c46 5041434b 04002800 00000100 00000000 05000000 00000000 00000000 f4a45e2f 01000000"),
        ("reserved", 36, 1)
    );
    // section_count 4 and 26 (one more than the 25 kinds), checksum repaired.
    assert_eq!(
        bad_header("53484c46 5041434b 04002800 00000100 00000000 04000000 00000000 00000000 00528a39 00000000"),
        ("section_count", 20, 4)
    );
    assert_eq!(
        bad_header("53484c46 5041434b 04002800 00000100 00000000 1a000000 00000000 00000000 359a2fff 00000000"),
        ("section_count", 20, 26)
    );
}

/// The checksum covers every header byte but its own: a builder version overwritten with
/// `ff ff ff ff` (bytes 12..16) no longer opens, and neither does a damaged reserved field.
#[test]
fn the_checksum_covers_the_whole_header() {
    let bytes = hex("53484c46 5041434b 04002800 ffffffff 00000000 05000000 00000000 00000000 91c3e297 00000000");
    assert!(matches!(open_err(&bytes), PackError::ChecksumMismatch { stored: 0x97e2_c391, computed: 0xdcf4_928e }));
    let golden = sample_pack_bytes();
    for at in (0..40).filter(|at| !(32..36).contains(at)) {
        let mut bytes = golden.clone();
        bytes[at] ^= 0x01;
        let kind = open_err(&bytes).kind();
        let expected = match at {
            0..=7 => "bad_magic",
            8..=9 => "unsupported_version",
            10..=11 => "bad_header",
            24..=31 => "truncated", // body_len grows: the body is 1232 bytes (0x4d0)
            _ => "bad_checksum",
        };
        assert_eq!(kind, expected, "byte {at} flipped");
    }
}

#[test]
fn a_body_len_that_disagrees_with_the_input_is_named() {
    // 40 bytes that announce a body of 1 byte; 41 bytes that announce none.
    let short = hex("53484c46 5041434b 04002800 00000100 00000000 05000000 01000000 00000000 91c3e297 00000000");
    assert!(matches!(open_err(&short), PackError::Truncated { what: "body", needed: 41, available: 40 }));
    let long = hex("53484c46 5041434b 04002800 00000100 00000000 05000000 00000000 00000000 91c3e297 00000000 00");
    assert!(matches!(open_err(&long), PackError::TrailingBytes { expected: 40, actual: 41 }));
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
    let bytes = hex("53484c46 5041434b 05002800 00000100 00000000 05000000 00000000 00000000 00000000 00000000");
    assert_eq!(FORMAT_VERSION, 4, "a new format version needs new hex literals here");
    let err = open_err(&bytes);
    assert_eq!(err.kind(), "unsupported_version");
    let message = err.to_string();
    assert!(message.contains("version 5"), "{message}");
    assert!(message.contains("to 4"), "{message}");
    assert!(message.contains("newer"), "{message}");
    assert_eq!(open_err(&hex("53484c46 5041434b 0000")).kind(), "unsupported_version");
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
    assert_eq!(err.kind(), "invalid_contents");
    assert!(err.to_string().contains("\"SKU-4\" has category 5"), "{err}");
    // The same damage in the bytes is caught by the reader.
    let mut bytes = sample_pack_bytes();
    let at = Pack::open(bytes.as_slice()).unwrap().sections()[SectionKind::ItemCategory as usize - 1].range.start;
    bytes[at + 4] = 5; // one byte per item: 2 categories
    fix_checksum(&mut bytes);
    assert!(matches!(open_err(&bytes), PackError::BadValue { kind: SectionKind::ItemCategory, index: 4, .. }));
}

#[test]
fn duplicate_item_ids_are_refused() {
    let mut contents = sample_contents();
    contents.items[2].id = "SKU-1".into();
    let err = contents.encode().unwrap_err();
    assert!(err.to_string().contains("ids must be unique"), "{err}");
    // In the bytes: make id 2 equal to id 1 ("SKU-1" and "SKU-2" differ in their last byte).
    let mut bytes = sample_pack_bytes();
    let ids = Pack::open(bytes.as_slice()).unwrap().sections()[1].range.start;
    // count u32, 2 block offsets, then [5]"SKU-0"[5]"SKU-1"[5]"SKU-2": the last byte of id 2.
    let at = ids + 4 + 8 + 3 * 6 - 1;
    assert_eq!(bytes[at], b'2');
    bytes[at] = b'1';
    fix_checksum(&mut bytes);
    assert!(matches!(open_err(&bytes), PackError::DuplicateItemId { id } if id == "SKU-1"));
}

#[test]
fn neighbour_lists_are_checked_slot_by_slot() {
    let mut contents = sample_contents();
    contents.neighbours[5] = vec![(5, 0.5)];
    assert!(contents.encode().unwrap_err().to_string().contains("refers to item 5"));
    let mut contents = sample_contents();
    contents.neighbours[0] = vec![(1, 0.25), (2, 0.5)];
    assert!(contents.encode().unwrap_err().to_string().contains("best first"));
    // In the bytes: a used slot after an unused one.
    let mut bytes = sample_pack_bytes();
    let at = Pack::open(bytes.as_slice()).unwrap().sections()[SectionKind::Neighbours as usize - 1].range.start;
    // Item 5 has no neighbours and k = 2: write an item into its second slot (slot 11 overall,
    // u16 slots at 6 items).
    bytes[at + 22..at + 24].copy_from_slice(&3u16.to_le_bytes());
    fix_checksum(&mut bytes);
    let err = open_err(&bytes);
    assert!(matches!(err, PackError::BadValue { kind: SectionKind::Neighbours, index: 5, .. }), "{err}");
    assert!(err.to_string().contains("after an unused slot"), "{err}");
}

#[test]
fn a_missing_required_section_is_named() {
    // Drop the prices entry from the table: the count shrinks and prices are missing.
    let bytes = sample_pack_bytes();
    let mut table: Vec<u8> = bytes[..40].to_vec();
    let count = u32::from_le_bytes(bytes[20..24].try_into().unwrap()) as usize;
    for i in 0..count {
        if i != SectionKind::Prices as usize - 1 {
            table.extend_from_slice(&bytes[entry(i)..entry(i) + 24]);
        }
    }
    table[20..24].copy_from_slice(&((count - 1) as u32).to_le_bytes());
    table.extend_from_slice(&bytes[entry(count)..]);
    let body_len = (table.len() - 40) as u64;
    table[24..32].copy_from_slice(&body_len.to_le_bytes());
    fix_checksum(&mut table);
    assert!(matches!(open_err(&table), PackError::MissingSection { kind: SectionKind::Prices }));
}

#[test]
fn non_finite_prices_and_embedding_count_mismatches_are_refused() {
    let mut contents = sample_contents();
    contents.items[0].price = f32::NAN;
    assert!(matches!(contents.encode().unwrap_err(), PackError::BadValue { kind: SectionKind::Prices, index: 0, .. }));
    let mut contents = sample_contents();
    contents.codes.pop();
    assert_eq!(contents.encode().unwrap_err().kind(), "invalid_contents");
}

/// Bytes from hex digits, spaces ignored.
fn hex(digits: &str) -> Vec<u8> {
    let digits: Vec<u8> = digits.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap()).collect()
}
