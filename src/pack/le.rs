//! Little-endian reads that never panic: past the end of the bytes they read zeros. The
//! decoder checks every length before it reads, so a zero here never reaches a caller; the
//! totality only keeps a missed check from becoming a panic.

/// The `u16` at `at`.
pub(crate) fn read_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(read_array(bytes, at))
}

/// The `u32` at `at`.
pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(read_array(bytes, at))
}

/// The `u64` at `at`.
pub(crate) fn read_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(read_array(bytes, at))
}

/// The `f32` at `at`.
pub(crate) fn read_f32(bytes: &[u8], at: usize) -> f32 {
    f32::from_bits(read_u32(bytes, at))
}

fn read_array<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut b = [0u8; N];
    if let Some(s) = at.checked_add(N).and_then(|end| bytes.get(at..end)) {
        b.copy_from_slice(s);
    }
    b
}
