//! The pack: one versioned, checksummed binary file with everything the browser needs.
//!
//! [`Pack::open`] reads a pack in place from its bytes; [`PackContents::encode`] writes one.
//! Opening checks every length against the bytes present and every count against the meta
//! section, so a decoded pack can be indexed without further checks and never panics. The
//! byte layout is documented next to each decoder: [`header`] (the 40-byte header and its
//! checksum), [`sections`] (the section table and placement) and [`validate`] (what each
//! section holds); `docs/PACK_FORMAT.md` repeats it in one place.

mod crc;
mod error;
pub mod header;
mod le;
mod quantize;
pub mod reader;
mod rules;
pub mod sections;
pub mod shard;
mod strings;
pub mod validate;
mod writer;

pub use crc::{crc32, crc32_finish, crc32_update, CRC32_INIT};
pub use error::PackError;
pub use header::{
    checksum_skipping, pack_checksum, read_header, Header, CHECKSUM_AT, FORMAT_VERSION, HEADER_LEN, MAGIC, OLDEST_SUPPORTED_VERSION,
};
pub use quantize::{quantize_per_dimension, Quantized};
pub use reader::Pack;
pub use rules::{PackRule, RuleAction, RuleTarget};
pub use sections::{SectionInfo, SectionKind, SECTION_ALIGN, SECTION_ENTRY_LEN};
pub use validate::{Meta, BLOCK_ITEMS, ID_PLACEHOLDER, MAX_DIM, MAX_LIST_LEN, MAX_NAMES, META_LEN, NO_ITEM};
pub use writer::{crate_version, ImageEmbeddings, PackContents, PackItem, SalesRate, UrlTemplates, NO_URL};
