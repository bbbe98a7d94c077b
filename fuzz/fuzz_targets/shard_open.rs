//! Fuzz target for the sharded layout's decoders (`src/pack/shard/`): opening a bootstrap and
//! adding a chunk must never panic, over-allocate or loop, and whatever they accept must
//! assemble into a pack (or a typed error) that `Engine::shelf` can rank.
//!
//! Each input is tried as a bootstrap and as each chunk of the golden sharded fixture
//! (`tests/golden/sharded-v2/`), "repaired" the way `pack_open` repairs packs: body_len and the
//! CRC-32 (over the whole file but its own field) rewritten, and for chunks the manifest entry
//! edited to the input's length and content hash, so that mutations reach the field checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise::pack::shard::bootstrap::Bootstrap;
use shelfwise::pack::shard::working::WorkingSet;
use shelfwise::pack::checksum_skipping;
use shelfwise::pack::shard::{content_hash, SHARD_HEADER_LEN};
use shelfwise::page::ShelfRequest;
use shelfwise::Engine;

const GOLDEN: &[u8] = include_bytes!("../../tests/golden/sharded-v2/bootstrap.shard");

fn repaired(data: &[u8]) -> Vec<u8> {
    let mut fixed = data.to_vec();
    if fixed.len() >= SHARD_HEADER_LEN {
        let body_len = (fixed.len() - SHARD_HEADER_LEN) as u64;
        fixed[16..24].copy_from_slice(&body_len.to_le_bytes());
        let crc = checksum_skipping(&fixed, 24);
        fixed[24..28].copy_from_slice(&crc.to_le_bytes());
    }
    fixed
}

fn rank(set: &WorkingSet) {
    let bytes = set.pack_bytes().expect("an accepted bootstrap and chunks always assemble");
    let engine = Engine::open(bytes).expect("an assembled pack always opens");
    let _ = engine.shelf(&ShelfRequest { k: Some(5), ..ShelfRequest::new("for-you") }, 0);
}

fuzz_target!(|data: &[u8]| {
    for bytes in [data.to_vec(), repaired(data)] {
        if let Ok(set) = WorkingSet::open(&bytes) {
            let _ = set.locate("S-13");
            let _ = set.nearest_partitions(&[1.0; 4], 3);
            rank(&set);
        }
    }
    let golden = Bootstrap::decode(GOLDEN).expect("the golden bootstrap opens");
    let chunk = repaired(data);
    for index in 0..golden.manifest.len() {
        let mut boot = golden.clone();
        boot.manifest[index].byte_len = chunk.len().min(u32::MAX as usize) as u32;
        boot.manifest[index].content_hash = content_hash(&chunk);
        let Ok(bytes) = boot.encode() else { continue };
        let Ok(mut set) = WorkingSet::open(&bytes) else { continue };
        if set.add_chunk(index as u32, &chunk).is_ok() {
            let _ = set.locate("S-13");
            rank(&set);
        }
    }
});
