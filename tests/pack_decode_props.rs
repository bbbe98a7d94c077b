//! Property tests of the pack decoder: whatever the bytes, opening returns `Ok` or a typed
//! error, never panics, and a pack that opens can be read everywhere without panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fix_checksum, read_everything, sample_pack_bytes};
use proptest::prelude::*;
use shelfwise::pack::Pack;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Pack::open(bytes.as_slice());
    }

    /// Byte edits with the checksum repaired reach the structural checks behind it.
    #[test]
    fn edited_packs_with_a_valid_checksum_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = sample_pack_bytes();
        for (at, value) in edits {
            let i = at.index(bytes.len() - 36) + 36;
            bytes[i] = value;
        }
        if truncate {
            let len = cut.index(bytes.len());
            bytes.truncate(len.max(40));
        }
        fix_checksum(&mut bytes);
        if let Ok(pack) = Pack::open(bytes.as_slice()) {
            read_everything(&pack);
        }
    }
}
