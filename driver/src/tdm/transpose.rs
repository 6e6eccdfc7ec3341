//! Interleaving and deinterleaving of TDM frames as byte-matrix transposes: channel-major
//! blocks (one row of `n` octets per timeslot) to frame-major frames (one row of `w` timeslots
//! per frame) and back, 8×8 octets at a time in 64-bit registers.

/// Transposes an 8×8 byte matrix held as 8 little-endian words (word i = row i).
#[inline(always)]
fn transpose8(w: &mut [u64; 8]) {
    const M1: u64 = 0x00FF_00FF_00FF_00FF;
    const M2: u64 = 0x0000_FFFF_0000_FFFF;
    const M4: u64 = 0x0000_0000_FFFF_FFFF;
    for i in [0, 2, 4, 6] {
        let t = ((w[i] >> 8) ^ w[i + 1]) & M1;
        w[i + 1] ^= t;
        w[i] ^= t << 8;
    }
    for i in [0, 1, 4, 5] {
        let t = ((w[i] >> 16) ^ w[i + 2]) & M2;
        w[i + 2] ^= t;
        w[i] ^= t << 16;
    }
    for i in 0..4 {
        let t = ((w[i] >> 32) ^ w[i + 4]) & M4;
        w[i + 4] ^= t;
        w[i] ^= t << 32;
    }
}

#[inline(always)]
fn load(src: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(src[at..at + 8].try_into().expect("8 octets"))
}

#[inline(always)]
fn store(dst: &mut [u8], at: usize, v: u64) {
    dst[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Transposes the 16×16 block at (`r0`, `c0`) of `src` (row stride `cols`) into `dst` (row
/// stride `rows`) with SSE2: four rounds of "interleave row i with row i+8" rotate the 8-bit
/// (row, column) index by one bit each, which after four rounds swaps row and column.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn block16(src: &[u8], cols: usize, dst: &mut [u8], rows: usize, r0: usize, c0: usize) {
    use core::arch::x86_64::{
        __m128i, _mm_loadu_si128, _mm_storeu_si128, _mm_unpackhi_epi8, _mm_unpacklo_epi8,
    };
    // The callers only pass blocks that lie inside both matrices; check it once here.
    assert!((r0 + 15) * cols + c0 + 16 <= src.len() && (c0 + 15) * rows + r0 + 16 <= dst.len());
    // SAFETY: SSE2 is part of the x86_64 baseline, so the intrinsics are always available. Every
    // unaligned 16-octet load reads src[(r0+i)*cols + c0 ..][..16] and every store writes
    // dst[(c0+i)*rows + r0 ..][..16] for i < 16, which the assertion above keeps in bounds.
    unsafe {
        let mut v: [__m128i; 16] = core::mem::zeroed();
        for (i, x) in v.iter_mut().enumerate() {
            *x = _mm_loadu_si128(src.as_ptr().add((r0 + i) * cols + c0) as *const __m128i);
        }
        for _ in 0..4 {
            let mut t: [__m128i; 16] = core::mem::zeroed();
            for i in 0..8 {
                t[2 * i] = _mm_unpacklo_epi8(v[i], v[i + 8]);
                t[2 * i + 1] = _mm_unpackhi_epi8(v[i], v[i + 8]);
            }
            v = t;
        }
        for (i, x) in v.iter().enumerate() {
            _mm_storeu_si128(dst.as_mut_ptr().add((c0 + i) * rows + r0) as *mut __m128i, *x);
        }
    }
}

/// The 8×8 block at (`r0`, `c0`) through 64-bit registers.
#[inline(always)]
fn block8(src: &[u8], cols: usize, dst: &mut [u8], rows: usize, r0: usize, c0: usize) {
    let mut w = [0u64; 8];
    for (i, x) in w.iter_mut().enumerate() {
        *x = load(src, (r0 + i) * cols + c0);
    }
    transpose8(&mut w);
    for (i, x) in w.iter().enumerate() {
        store(dst, (c0 + i) * rows + r0, *x);
    }
}

/// Transposes `src` (`rows` rows of `cols` octets) into `dst` (`cols` rows of `rows` octets):
/// 16×16 blocks with SSE2 where the matrix allows, 8×8 blocks in 64-bit registers at the
/// edges, single octets at ragged edges.
pub fn transpose(src: &[u8], rows: usize, cols: usize, dst: &mut [u8]) {
    assert!(src.len() >= rows * cols && dst.len() >= rows * cols, "matrix does not fit");
    let (r8, c8) = (rows & !7, cols & !7);
    let (r16, c16) = if cfg!(target_arch = "x86_64") { (rows & !15, cols & !15) } else { (0, 0) };
    #[cfg(target_arch = "x86_64")]
    for r0 in (0..r16).step_by(16) {
        for c0 in (0..c16).step_by(16) {
            block16(src, cols, dst, rows, r0, c0);
        }
    }
    // 8×8 blocks outside the 16×16 area.
    for r0 in (0..r8).step_by(8) {
        for c0 in (0..c8).step_by(8) {
            if r0 < r16 && c0 < c16 {
                continue;
            }
            block8(src, cols, dst, rows, r0, c0);
        }
    }
    for r in 0..rows {
        let cstart = if r < r8 { c8 } else { 0 };
        for c in cstart..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn equals_the_obvious_transpose(rows in 1usize..40, cols in 1usize..40, seed in any::<u8>()) {
            let src: Vec<u8> = (0..rows * cols).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect();
            let mut dst = vec![0u8; rows * cols];
            transpose(&src, rows, cols, &mut dst);
            for r in 0..rows {
                for c in 0..cols {
                    prop_assert_eq!(dst[c * rows + r], src[r * cols + c]);
                }
            }
        }
    }
}
