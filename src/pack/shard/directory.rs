//! Directory chunks: which partition holds each item of one id range, so that the runtime can
//! load the partition of an item the shopper touched without the bootstrap listing every id.
//! The bootstrap keeps the first id of each directory chunk; ids are in catalog order (bytes).
//!
//! Body layout (little-endian):
//!
//! ```text
//! count         u32   items in this range (≥ 1)
//! first_global  u32   catalog index of the first; the others follow one by one
//! ids           string column of count, strictly increasing by bytes, the first equal to
//!               the bootstrap's first id of this chunk
//! partition     u32 × count   the chunk index of the item's partition (< partition_count)
//! ```

use super::{ChunkError, ChunkKind, Cursor};
use crate::pack::strings::write_string_column;
use crate::pack::{PackError, SectionKind};

/// The decoded directory of one id range.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    /// Catalog index of `ids[0]`.
    pub first_global: u32,
    /// Item ids, strictly increasing by bytes.
    pub ids: Vec<String>,
    /// Partition of each item.
    pub partition: Vec<u32>,
}

impl Directory {
    /// The encoded body.
    pub fn encode(&self) -> Result<Vec<u8>, PackError> {
        let mut out = Vec::new();
        out.extend_from_slice(&(self.ids.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.first_global.to_le_bytes());
        write_string_column(&mut out, &self.ids, SectionKind::ItemIds)?;
        self.partition.iter().for_each(|p| out.extend_from_slice(&p.to_le_bytes()));
        Ok(out)
    }

    /// Decodes and checks the body of directory chunk `index`, whose range starts at
    /// `first_id`, for a catalog of `item_count` items in `partition_count` partitions.
    pub fn decode(body: &[u8], index: u32, first_id: &str, item_count: u32, partition_count: u32) -> Result<Directory, ChunkError> {
        let mut r = Cursor::new(body, super::file_name(ChunkKind::Directory, index));
        let count = r.u32("count")?;
        let first_global = r.u32("first_global")?;
        if count == 0 || u64::from(first_global) + u64::from(count) > u64::from(item_count) {
            return Err(r.bad("count", format!("items {first_global}..+{count} are not inside the catalog's {item_count}")));
        }
        let ids = r.strings("ids", SectionKind::ItemIds)?;
        if ids.len() != count as usize {
            return Err(r.bad("ids", format!("{} ids for {count} items", ids.len())));
        }
        if ids[0] != first_id {
            return Err(r.bad("ids", format!("starts at {:?}, the bootstrap says {first_id:?}", ids[0])));
        }
        if let Some(w) = ids.windows(2).position(|w| w[0].as_bytes() >= w[1].as_bytes()) {
            return Err(r.bad("ids", format!("id {} is not after the one before it", w + 1)));
        }
        let partition: Vec<u32> = super::words::<4>(r.array(count as usize, 4, "partition")?).map(u32::from_le_bytes).collect();
        if let Some(i) = partition.iter().position(|&p| p >= partition_count) {
            return Err(r.bad("partition", format!("item {i}: partition {} of {partition_count}", partition[i])));
        }
        r.finish()?;
        Ok(Directory { first_global, ids, partition })
    }

    /// The partition holding catalog index `global`, if this range has it.
    pub fn partition_of_global(&self, global: u32) -> Option<u32> {
        self.partition.get(global.checked_sub(self.first_global)? as usize).copied()
    }

    /// The partition holding `id`, if this range has it.
    pub fn partition_of(&self, id: &str) -> Option<u32> {
        let at = self.ids.binary_search_by(|probe| probe.as_bytes().cmp(id.as_bytes())).ok()?;
        self.partition.get(at).copied()
    }
}
