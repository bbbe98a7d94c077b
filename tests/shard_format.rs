//! The sharded layout: split → bootstrap + chunks → working set → the same pack and shelves;
//! the golden fixture; one typed error per kind of chunk damage (hex-level).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use shelfwise::build::shard::{split, ShardConfig, ShardedPack, BOOTSTRAP_FILE};
use shelfwise::engine::EventInput;
use shelfwise::pack::shard::bootstrap::Bootstrap;
use shelfwise::pack::shard::working::{WorkingSet, MIN_NEIGHBOUR_HITS};
use shelfwise::pack::shard::{content_hash, ChunkError, SHARD_FORMAT_VERSION, SHARD_HEADER_LEN};
use shelfwise::pack::{checksum_skipping, Pack, PackContents, PackRule, RuleAction, RuleTarget, SalesRate, SectionKind};
use shelfwise::page::ShelfRequest;
use shelfwise::Engine;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/sharded-v2");

/// The 24-item test shop with neighbour and bought-together lists and two rules.
fn shop() -> PackContents {
    let mut c = common::shop_contents();
    for i in 0..24u32 {
        let same = |j: u32| (i / 6) * 6 + (i + j) % 6;
        c.neighbours[i as usize] = vec![(same(1), 0.75), (same(2), 0.5), ((i + 7) % 24, 0.25)];
        c.together[i as usize] = if i % 2 == 0 { vec![((i + 13) % 24, 3), (same(3), 1)] } else { Vec::new() };
    }
    c.rules = vec![
        PackRule { target: RuleTarget::Item(9), action: RuleAction::Boost(0.5) },
        PackRule { target: RuleTarget::Category(2), action: RuleAction::Bury(0.25) },
    ];
    // The order and codes a pack gives back (what the builder splits).
    Pack::open(c.encode().unwrap()).unwrap().to_contents()
}

fn config() -> ShardConfig {
    ShardConfig { items_per_partition: 6, items_per_directory: 8, bootstrap_items: 2, ..ShardConfig::default() }
}

fn sharded() -> ShardedPack {
    split(&shop(), &config()).unwrap()
}

fn working(pack: &ShardedPack) -> WorkingSet {
    WorkingSet::open(&pack.bootstrap).unwrap()
}

fn shelf_ids(engine: &Engine, kind: &str, k: usize) -> Vec<String> {
    let request = ShelfRequest { kind: kind.into(), k: Some(k), ..ShelfRequest::default() };
    engine.shelf(&request, 1_700_000_100_000).unwrap().items.into_iter().map(|s| s.card.id).collect()
}

#[test]
fn every_chunk_loaded_reassembles_the_single_pack_byte_for_byte() {
    let pack = sharded();
    assert_eq!(pack.chunks.len(), 4 + 3, "24 items: 4 partitions of about 6, 3 directory chunks of 8");
    let mut set = working(&pack);
    for (i, (name, bytes)) in pack.chunks.iter().enumerate() {
        assert_eq!(name, &format!("{:016x}.chunk", content_hash(bytes)));
        assert!(set.add_chunk(i as u32, bytes).unwrap());
        assert!(!set.add_chunk(i as u32, bytes).unwrap(), "a second copy is not new");
    }
    assert_eq!(set.contents(), shop());
    assert_eq!(set.pack_bytes().unwrap(), shop().encode().unwrap());
}

/// The shop with sales rates, as a pack gives them back (items without one store 0 and 0).
fn shop_with_rates() -> PackContents {
    let mut with_rates = shop();
    with_rates.items[3].sales_rate = Some(SalesRate { forecast: 40.0, recent: 25.0 });
    with_rates.items[20].sales_rate = Some(SalesRate { forecast: 2.5, recent: 7.0 });
    Pack::open(with_rates.encode().unwrap()).unwrap().to_contents()
}

#[test]
fn sales_rates_are_carried_so_the_working_set_is_the_single_pack() {
    let with_rates = shop_with_rates();
    let pack = split(&with_rates, &config()).unwrap();
    let mut set = working(&pack);
    assert!(set.bootstrap().shape.sales_rates);
    assert!(!working(&sharded()).bootstrap().shape.sales_rates, "a pack without rates: records without them");
    for (i, (_, bytes)) in pack.chunks.iter().enumerate() {
        set.add_chunk(i as u32, bytes).unwrap();
    }
    let assembled = Pack::open(set.pack_bytes().unwrap()).unwrap();
    assert_eq!(assembled.item_count(), 24);
    assert!(assembled.has_section(SectionKind::SalesRates));
    assert_eq!(assembled.sales_rate(3), Some(SalesRate { forecast: 40.0, recent: 25.0 }));
    assert_eq!(set.pack_bytes().unwrap(), with_rates.encode().unwrap(), "the single pack, sales rates included");
    let single = Engine::open(with_rates.encode().unwrap()).unwrap();
    let whole = Engine::open(set.pack_bytes().unwrap()).unwrap();
    assert_eq!(shelf_ids(&whole, "trending", 10), shelf_ids(&single, "trending", 10));
}

#[test]
fn unknown_bootstrap_flag_bits_are_refused() {
    let pack = split(&shop_with_rates(), &config()).unwrap();
    // The flags u16 sits at body offset 50 (after 4 × u32, i64, u64, 2 × u16, 2 × u32, 3 × u16).
    let at = SHARD_HEADER_LEN + 50;
    assert_eq!(pack.bootstrap[at..at + 2], hex("0100"), "bit 0: records carry sales rates");
    let mut bytes = pack.bootstrap.clone();
    bytes[at..at + 2].copy_from_slice(&hex("0300"));
    let err = WorkingSet::open(&repaired(bytes)).unwrap_err();
    assert_eq!(err.kind(), "bad_value", "{err}");
    assert!(err.to_string().contains("flags") && err.to_string().contains("0x0003"), "{err}");
}

#[test]
fn a_bad_sales_rate_in_a_chunk_is_a_typed_error_naming_the_item() {
    let pack = split(&shop_with_rates(), &config()).unwrap();
    let p = pack.partition_of[20];
    let mut boot = Bootstrap::decode(&pack.bootstrap).unwrap();
    let mut set = WorkingSet::open(&boot.encode().unwrap()).unwrap();
    set.add_chunk(p, &pack.chunks[p as usize].1).unwrap();
    // The same chunk with item 20's forecast (2.5) made negative, then resealed.
    let good = pack.chunks[p as usize].1.clone();
    let at = good.windows(8).position(|w| w == [2.5f32.to_le_bytes(), 7.0f32.to_le_bytes()].concat()).unwrap();
    let mut bytes = good.clone();
    bytes[at..at + 4].copy_from_slice(&(-2.5f32).to_le_bytes());
    let bytes = repaired(bytes);
    boot.manifest[p as usize].byte_len = bytes.len() as u32;
    boot.manifest[p as usize].content_hash = content_hash(&bytes);
    let mut set = WorkingSet::open(&boot.encode().unwrap()).unwrap();
    let err = set.add_chunk(p, &bytes).unwrap_err();
    assert_eq!(err.kind(), "bad_value", "{err}");
    assert!(err.to_string().contains("sales_rates") && err.to_string().contains("-2.5"), "{err}");
}

#[test]
fn the_bootstrap_alone_ranks_cold_shelves_like_the_single_pack() {
    let pack = sharded();
    let set = working(&pack);
    let held = set.contents();
    assert!(!held.items.is_empty() && held.items.len() < 24, "the bootstrap holds some items: {}", held.items.len());
    let single = Engine::open(shop().encode().unwrap()).unwrap();
    let boot = Engine::open(set.pack_bytes().unwrap()).unwrap();
    let trending = shelf_ids(&boot, "trending", 2);
    assert_eq!(trending.len(), 2);
    assert_eq!(trending, shelf_ids(&single, "trending", 2), "the top trending items are in the bootstrap");
    assert!(held.rules.iter().any(|r| r.target == RuleTarget::Item(held.items.iter().position(|it| it.id == "S-09").unwrap() as u32)));
}

#[test]
fn an_items_partition_is_found_through_its_directory_chunk() {
    let pack = sharded();
    let mut set = working(&pack);
    let directory = set.locate("S-13").unwrap_err();
    assert_eq!(directory, 4 + 1, "ids S-08..S-15 are the second directory chunk");
    set.add_chunk(directory, &pack.chunks[directory as usize].1).unwrap();
    assert_eq!(set.locate("S-13"), Ok(Some(pack.partition_of[13])));
    assert_eq!(set.locate("S-13x"), Ok(None), "not an item");
    let p = pack.partition_of[13];
    set.add_chunk(p, &pack.chunks[p as usize].1).unwrap();
    let held = set.contents();
    let at = held.items.iter().position(|it| it.id == "S-13").unwrap();
    // A loaded partition answers for its own items without their directory chunk.
    let mut fresh = working(&pack);
    fresh.add_chunk(p, &pack.chunks[p as usize].1).unwrap();
    for (i, &q) in pack.partition_of.iter().enumerate() {
        let id = format!("S-{i:02}");
        if q == p {
            assert_eq!(fresh.locate(&id), Ok(Some(p)), "{id} is in the loaded partition");
        } else {
            assert!(fresh.locate(&id).is_err(), "{id}: its directory chunk is needed");
        }
    }
    assert!(held.neighbours[at].iter().all(|&(j, _)| (j as usize) < held.items.len()), "lists point inside the working pack");
}

#[test]
fn the_neighbours_of_the_shoppers_items_name_their_chunks() {
    let pack = sharded();
    let mut set = working(&pack);
    let items = [13usize, 14, 20, 22];
    let ids: Vec<String> = items.iter().map(|i| format!("S-{i:02}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(set.neighbour_chunks(&ids, 8), Default::default(), "none of them is held yet: nothing to ask");
    let own: Vec<u32> = items.iter().map(|&i| pack.partition_of[i]).collect();
    for &p in &own {
        set.add_chunk(p, &pack.chunks[p as usize].1).unwrap();
    }
    let first = set.neighbour_chunks(&ids, 8);
    assert!(first.partitions.is_empty() && !first.directories.is_empty(), "{first:?}");
    for d in first.directories {
        set.add_chunk(d, &pack.chunks[d as usize].1).unwrap();
    }
    // Expected: partitions not held with ≥ 2 entries of the items' lists not held anywhere.
    let contents = shop();
    let mut hits = std::collections::BTreeMap::<u32, usize>::new();
    for i in items {
        let entries = contents.neighbours[i].iter().map(|e| e.0).chain(contents.together[i].iter().map(|e| e.0));
        let boot = &set.bootstrap().records.global;
        for j in entries.filter(|j| !boot.contains(j)).map(|j| pack.partition_of[j as usize]).filter(|p| !own.contains(p)) {
            *hits.entry(j).or_default() += 1;
        }
    }
    let expected: Vec<u32> = hits.iter().filter(|(_, &n)| n >= MIN_NEIGHBOUR_HITS).map(|(&p, _)| p).collect();
    let wants = set.neighbour_chunks(&ids, 8);
    let mut got = wants.partitions.clone();
    got.sort_unstable();
    assert_eq!(got, expected, "{wants:?} from hits {hits:?}");
    assert!(!expected.is_empty() && hits.values().any(|&n| n < MIN_NEIGHBOUR_HITS), "the case tests both sides: {hits:?}");
    assert!(wants.directories.is_empty());
}

#[test]
fn for_you_over_the_probed_partitions_is_the_single_ranking_of_the_held_items() {
    let pack = sharded();
    let single = Engine::open(shop().encode().unwrap()).unwrap();
    let mut set = working(&pack);
    let events = ["S-13", "S-14", "S-15"];
    for id in events {
        let Err(d) = set.locate(id) else { continue };
        set.add_chunk(d, &pack.chunks[d as usize].1).unwrap();
        let p = set.locate(id).unwrap().unwrap();
        set.add_chunk(p, &pack.chunks[p as usize].1).unwrap();
    }
    let track = |engine: &mut Engine| {
        for (n, id) in events.iter().enumerate() {
            let event =
                EventInput { item: Some((*id).into()), kind: "view".into(), ts: 1_700_000_000_000.0 + n as f64, qty: None, query: None };
            engine.track(&event, 1_700_000_100_000).unwrap();
        }
    };
    let mut engine = Engine::open(set.pack_bytes().unwrap()).unwrap();
    track(&mut engine);
    let nearest = set.nearest_partitions(&engine.profile(1_700_000_100_000).interest, 2);
    assert_eq!(nearest.len(), 2);
    assert_eq!(nearest[0], pack.partition_of[13], "the profile is nearest the viewed items' partition");
    for p in nearest {
        set.add_chunk(p, &pack.chunks[p as usize].1).unwrap();
    }
    let mut engine = Engine::open(set.pack_bytes().unwrap()).unwrap();
    track(&mut engine);
    let mut single = single;
    track(&mut single);
    let got = shelf_ids(&engine, "for-you", 4);
    assert_eq!(got.len(), 4);
    // The same ranking over fewer items: the single pack's list, minus what is not held.
    let held = set.contents();
    let mut expected = shelf_ids(&single, "for-you", 24);
    expected.retain(|id| held.items.iter().any(|it| &it.id == id));
    expected.truncate(4);
    assert_eq!(got, expected);
}

#[test]
fn the_golden_fixture_opens_and_the_builder_still_writes_it() {
    // With sales rates, so the fixture (and the fuzz seeds made from it) has every field.
    let pack = split(&shop_with_rates(), &config()).unwrap();
    if std::env::var_os("SHELFWISE_WRITE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(GOLDEN);
        pack.write_folder(std::path::Path::new(GOLDEN)).unwrap();
    }
    let dir = std::path::Path::new(GOLDEN);
    let bootstrap = std::fs::read(dir.join(BOOTSTRAP_FILE)).unwrap();
    assert_eq!(bootstrap, pack.bootstrap, "the builder writes the committed bootstrap");
    let mut set = WorkingSet::open(&bootstrap).unwrap();
    let manifest = set.bootstrap().manifest.clone();
    for (i, entry) in manifest.iter().enumerate() {
        let bytes = std::fs::read(dir.join(entry.file_name())).unwrap();
        set.add_chunk(i as u32, &bytes).unwrap();
    }
    assert_eq!(set.pack_bytes().unwrap(), shop_with_rates().encode().unwrap());
    assert_eq!(std::fs::read_dir(dir).unwrap().count(), manifest.len() + 1, "no stray files in the fixture");
}

/// A small chunk file: header for kind 2 (directory), index 5, body "abcd".
fn tiny_chunk() -> Vec<u8> {
    let mut bytes = b"SHLFCHNK".to_vec();
    bytes.extend(hex("0200 0200 05000000 0400000000000000"));
    bytes.extend(hex("00000000 00000000"));
    bytes.extend(b"abcd");
    let crc = checksum_skipping(&bytes, 24);
    bytes[24..28].copy_from_slice(&crc.to_le_bytes());
    bytes
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Opens `bytes` as chunk `index` of a working set whose manifest lists them (so that only the
/// header and body checks can fail).
fn chunk_error(mut bytes: Vec<u8>, fix_crc: bool) -> ChunkError {
    if fix_crc && bytes.len() >= SHARD_HEADER_LEN {
        let crc = checksum_skipping(&bytes, 24);
        bytes[24..28].copy_from_slice(&crc.to_le_bytes());
    }
    let pack = sharded();
    let mut boot = Bootstrap::decode(&pack.bootstrap).unwrap();
    boot.manifest[5].byte_len = bytes.len() as u32;
    boot.manifest[5].content_hash = content_hash(&bytes);
    let mut set = WorkingSet::open(&boot.encode().unwrap()).unwrap();
    set.add_chunk(5, &bytes).unwrap_err()
}

#[test]
fn each_kind_of_header_damage_is_a_typed_error() {
    let good = tiny_chunk();
    assert_eq!(SHARD_FORMAT_VERSION, 2);
    let cases: Vec<(&str, Vec<u8>, bool, &str)> = vec![
        ("magic", [b"SHLFPACK".as_slice(), &good[8..]].concat(), false, "bad_magic"),
        ("version 1 (no sales rates in records)", [&good[..8], &hex("0100"), &good[10..]].concat(), true, "unsupported_version"),
        ("version 3", [&good[..8], &hex("0300"), &good[10..]].concat(), true, "unsupported_version"),
        ("kind partition", [&good[..10], &hex("0100"), &good[12..]].concat(), true, "bad_header"),
        ("index 4", [&good[..12], &hex("04000000"), &good[16..]].concat(), true, "bad_header"),
        ("body_len 5", [&good[..16], &hex("0500000000000000"), &good[24..]].concat(), true, "truncated"),
        ("body_len 3", [&good[..16], &hex("0300000000000000"), &good[24..]].concat(), true, "bad_header"),
        ("reserved", [&good[..28], &hex("01000000"), &good[32..]].concat(), true, "bad_header"),
        ("crc", [&good[..24], &hex("deadbeef"), &good[28..]].concat(), false, "bad_checksum"),
        ("body flip", [&good[..32], b"abce".as_slice()].concat(), false, "bad_checksum"),
        ("body_len high byte", [&good[..20], &hex("01"), &good[21..]].concat(), false, "truncated"),
        ("good header, body not a directory", good.clone(), false, "truncated"),
    ];
    let short = WorkingSet::open(&good[..20]).unwrap_err();
    assert_eq!((short.kind(), short.to_string().contains("bootstrap")), ("truncated", true), "{short}");
    for (what, bytes, fix, kind) in cases {
        let err = chunk_error(bytes, fix);
        assert_eq!(err.kind(), kind, "{what}: {err}");
        assert!(err.to_string().contains("chunk 5"), "{what}: the message names the chunk: {err}");
    }
}

#[test]
fn a_chunk_the_manifest_does_not_name_is_refused() {
    let pack = sharded();
    let mut set = working(&pack);
    let err = set.add_chunk(1, &pack.chunks[0].1).unwrap_err();
    assert_eq!(err.kind(), "chunk_mismatch", "{err}");
    let err = set.add_chunk(99, &pack.chunks[0].1).unwrap_err();
    assert_eq!(err.kind(), "chunk_mismatch", "{err}");
    let mut bad_bootstrap = pack.bootstrap.clone();
    let last = bad_bootstrap.len() - 1;
    bad_bootstrap[last] ^= 1;
    assert_eq!(WorkingSet::open(&bad_bootstrap).unwrap_err().kind(), "bad_checksum");
    assert_eq!(WorkingSet::open(&pack.chunks[0].1).unwrap_err().kind(), "bad_magic", "a chunk is not a bootstrap");
}

#[test]
fn truncating_or_extending_a_body_never_panics() {
    let pack = sharded();
    for cut in 0..pack.bootstrap.len() {
        let mut bytes = pack.bootstrap[..cut].to_vec();
        if cut >= SHARD_HEADER_LEN {
            let body_len = (cut - SHARD_HEADER_LEN) as u64;
            bytes[16..24].copy_from_slice(&body_len.to_le_bytes());
            let crc = checksum_skipping(&bytes, 24);
            bytes[24..28].copy_from_slice(&crc.to_le_bytes());
        }
        assert!(WorkingSet::open(&bytes).is_err(), "cut at {cut} must be refused");
    }
}

/// `bytes` with body_len and the CRC-32 rewritten to match (so edits reach the field checks).
fn repaired(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() >= SHARD_HEADER_LEN {
        let body_len = (bytes.len() - SHARD_HEADER_LEN) as u64;
        bytes[16..24].copy_from_slice(&body_len.to_le_bytes());
        let crc = checksum_skipping(&bytes, 24);
        bytes[24..28].copy_from_slice(&crc.to_le_bytes());
    }
    bytes
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, ..proptest::prelude::ProptestConfig::default() })]

    /// Byte edits of any chunk (header and checksum repaired, the manifest naming the result)
    /// are a typed error or a chunk whose working pack assembles, opens and ranks; never a panic.
    #[test]
    fn edited_chunks_never_panic(chunk in 0usize..7, edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6)) {
        let pack = sharded();
        let mut bytes = pack.chunks[chunk].1.clone();
        for (at, value) in edits {
            let at = SHARD_HEADER_LEN + at % (bytes.len() - SHARD_HEADER_LEN);
            bytes[at] = value;
        }
        let bytes = repaired(bytes);
        let mut boot = Bootstrap::decode(&pack.bootstrap).unwrap();
        boot.manifest[chunk].byte_len = bytes.len() as u32;
        boot.manifest[chunk].content_hash = content_hash(&bytes);
        let mut set = WorkingSet::open(&boot.encode().unwrap()).unwrap();
        if set.add_chunk(chunk as u32, &bytes).is_ok() {
            let engine = Engine::open(set.pack_bytes().expect("an accepted chunk assembles")).unwrap();
            let request = ShelfRequest { kind: "for-you".into(), k: Some(5), ..ShelfRequest::default() };
            engine.shelf(&request, 0).unwrap();
        }
    }

    /// The same for the bootstrap.
    #[test]
    fn edited_bootstraps_never_panic(edits in proptest::collection::vec((0usize..4096, proptest::prelude::any::<u8>()), 1..6)) {
        let mut bytes = sharded().bootstrap;
        for (at, value) in edits {
            let at = SHARD_HEADER_LEN + at % (bytes.len() - SHARD_HEADER_LEN);
            bytes[at] = value;
        }
        if let Ok(set) = WorkingSet::open(&repaired(bytes)) {
            Engine::open(set.pack_bytes().expect("an accepted bootstrap assembles")).unwrap();
        }
    }
}
