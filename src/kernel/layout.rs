//! The blocked layout of the codes ([`Blocks`], see the kernel's module docs), its limits, the
//! prepared query ([`KernelQuery`]), and owned blocks for tests and tools.

use super::error::KernelError;

/// Items per block.
pub const LANES: usize = 16;
/// Items per chunk.
pub const CHUNK: usize = 4;
/// Chunks per block.
pub const CHUNKS: usize = LANES / CHUNK;
/// Dimensions per group.
pub const GROUP_DIMS: usize = 4;
/// Bytes of one chunk's group.
pub const GROUP_BYTES: usize = CHUNK * GROUP_DIMS;
/// The largest query code magnitude (7 bits, so that `q + 64` fits the relaxed dot product's
/// unsigned 7-bit operand).
pub const QUERY_MAX: i8 = 63;
/// The largest dimension the kernel takes: `128 · 127 · d` (the widest intermediate, `q + 64`
/// times a code) must fit an `i32`. Packs cap the dimension lower ([`crate::pack::MAX_DIM`]).
pub const MAX_KERNEL_DIM: usize = 65_536;

/// Groups of [`GROUP_DIMS`] dimensions for dimension `dim`.
pub fn groups(dim: usize) -> usize {
    dim.div_ceil(GROUP_DIMS)
}

/// Item slots (padding included) for `items` items.
pub fn slots(items: usize) -> usize {
    items.div_ceil(LANES) * LANES
}

/// Bytes of the blocked layout for `items` items of dimension `dim`.
pub fn blocked_len(items: usize, dim: usize) -> usize {
    slots(items) * groups(dim) * GROUP_DIMS
}

/// Where code `j` of item `i` lives in the blocked layout of dimension `dim`.
#[inline]
pub fn code_at(i: usize, j: usize, dim: usize) -> usize {
    (i / CHUNK) * groups(dim) * GROUP_BYTES + (j / GROUP_DIMS) * GROUP_BYTES + GROUP_DIMS * (i % CHUNK) + j % GROUP_DIMS
}

/// Writes row-major codes (`items × dim`) in the blocked layout, padding with 0.
pub fn block_row_major(rows: &[i8], dim: usize) -> Vec<u8> {
    if dim == 0 {
        return Vec::new();
    }
    let items = rows.len() / dim;
    let mut out = vec![0u8; blocked_len(items, dim)];
    for (i, row) in rows.chunks_exact(dim).enumerate() {
        for (j, &x) in row.iter().enumerate() {
            out[code_at(i, j, dim)] = x as u8;
        }
    }
    out
}

/// Each item slot's code sum `Σ_j x_ij` (padding slots: 0), what the paths that multiply by
/// `q_j + 64` subtract 64 times. Reads `codes` once, in order.
pub fn item_sums(codes: &[u8], items: usize, dim: usize) -> Vec<i32> {
    let chunk_bytes = groups(dim) * GROUP_BYTES;
    let mut out = vec![0i32; slots(items)];
    if chunk_bytes == 0 {
        return out;
    }
    for (sums, chunk) in out.chunks_exact_mut(CHUNK).zip(codes.chunks_exact(chunk_bytes)) {
        for group in chunk.chunks_exact(GROUP_BYTES) {
            for (sum, four) in sums.iter_mut().zip(group.chunks_exact(GROUP_DIMS)) {
                *sum += four.iter().map(|&b| i32::from(b as i8)).sum::<i32>();
            }
        }
    }
    out
}

/// A checked view of an `embeddings` section with its item sums.
#[derive(Debug, Clone, Copy)]
pub struct Blocks<'a> {
    pub(super) codes: &'a [u8],
    pub(super) sums: &'a [i32],
    pub(super) items: usize,
    pub(super) dim: usize,
}

impl<'a> Blocks<'a> {
    /// Views `codes` as `items` items of dimension `dim`, with `sums` from [`item_sums`] of the
    /// same codes.
    pub fn new(codes: &'a [u8], sums: &'a [i32], items: usize, dim: usize) -> Result<Blocks<'a>, KernelError> {
        if dim > MAX_KERNEL_DIM {
            return Err(KernelError::DimTooLarge { dim });
        }
        if codes.len() != blocked_len(items, dim) {
            return Err(KernelError::BlockedLength { items, dim, len: codes.len() });
        }
        if sums.len() != slots(items) {
            return Err(KernelError::SumsLength { slots: slots(items), len: sums.len() });
        }
        Ok(Blocks { codes, sums, items, dim })
    }

    /// No items.
    pub fn empty() -> Blocks<'static> {
        Blocks { codes: &[], sums: &[], items: 0, dim: 0 }
    }

    /// Number of items (padding excluded).
    pub fn items(&self) -> usize {
        self.items
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The blocked codes as stored (what one scan reads).
    pub fn bytes(&self) -> &'a [u8] {
        self.codes
    }

    /// Each item slot's code sum (the paths that multiply by `q + 64` subtract 64 times it).
    pub fn sums(&self) -> &'a [i32] {
        self.sums
    }

    pub(super) fn chunk_bytes(&self) -> usize {
        groups(self.dim) * GROUP_BYTES
    }

    /// The codes of item `i` in dimension order (none past the end), read from its chunk.
    pub fn codes_of(&self, i: usize) -> RowCodes<'a> {
        let chunk_bytes = self.chunk_bytes();
        let at = (i / CHUNK) * chunk_bytes;
        let chunk = match self.codes.get(at..at + chunk_bytes) {
            Some(c) if i < self.items => c,
            _ => &[],
        };
        RowCodes { chunk, item: i % CHUNK, j: 0, dim: if chunk.is_empty() { 0 } else { self.dim } }
    }

    /// The codes of item `i`, or `None` past the end.
    pub fn row(&self, i: usize) -> Option<Vec<i8>> {
        (i < self.items).then(|| self.codes_of(i).collect())
    }
}

/// The codes of one item, in dimension order ([`Blocks::codes_of`]).
#[derive(Debug, Clone)]
pub struct RowCodes<'a> {
    pub(super) chunk: &'a [u8],
    pub(super) item: usize,
    pub(super) j: usize,
    pub(super) dim: usize,
}

impl Iterator for RowCodes<'_> {
    type Item = i8;

    #[inline]
    fn next(&mut self) -> Option<i8> {
        if self.j >= self.dim {
            return None;
        }
        // The chunk starts at item 0 of the layout, so the offset is that of `item` (< 4) in it.
        let at = code_at(self.item, self.j, self.dim);
        self.j += 1;
        Some(self.chunk.get(at).map_or(0, |&b| b as i8))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.dim.saturating_sub(self.j);
        (left, Some(left))
    }
}

impl ExactSizeIterator for RowCodes<'_> {}

/// Query codes prepared for the kernel: clamped to ±[`QUERY_MAX`], and per group the four codes
/// as an `i32` word (signed bytes) and shifted by 64 (unsigned bytes), for splats.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelQuery {
    pub(super) codes: Vec<i8>,
    /// Per group: the four codes, little-endian bytes.
    pub(super) words: Vec<i32>,
    /// Per group: the four codes + 64, little-endian bytes (each in [1, 127]).
    pub(super) shifted: Vec<i32>,
}

impl KernelQuery {
    /// Prepares `codes`, clamping each to [−63, 63].
    pub fn new(codes: &[i8]) -> KernelQuery {
        let codes: Vec<i8> = codes.iter().map(|&q| q.clamp(-QUERY_MAX, QUERY_MAX)).collect();
        let code = |j: usize| codes.get(j).copied().unwrap_or(0);
        let word = |g: usize, shift: i8| i32::from_le_bytes([0, 1, 2, 3].map(|k| (code(4 * g + k) + shift) as u8));
        let words = (0..groups(codes.len())).map(|g| word(g, 0)).collect();
        let shifted = (0..groups(codes.len())).map(|g| word(g, 64)).collect();
        KernelQuery { codes, words, shifted }
    }

    /// The codes (clamped).
    pub fn codes(&self) -> &[i8] {
        &self.codes
    }
}

/// Row-major codes in the blocked layout with their item sums, for tests and tools.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedBlocks {
    /// The `embeddings` section bytes.
    pub codes: Vec<u8>,
    /// Its [`item_sums`].
    pub sums: Vec<i32>,
    /// Items.
    pub items: usize,
    /// Dimension.
    pub dim: usize,
}

impl OwnedBlocks {
    /// Encodes `rows` (`items × dim`, row-major).
    pub fn from_rows(rows: &[i8], dim: usize) -> OwnedBlocks {
        let items = rows.len().checked_div(dim).unwrap_or(0);
        let codes = block_row_major(rows, dim);
        let sums = item_sums(&codes, items, dim);
        OwnedBlocks { codes, sums, items, dim }
    }

    /// The checked view.
    pub fn view(&self) -> Result<Blocks<'_>, KernelError> {
        Blocks::new(&self.codes, &self.sums, self.items, self.dim)
    }
}
