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

/// One round of the 16×16 byte transpose: interleave row i with row i+8 (rotates the 8-bit
/// (row, column) index by one bit; four rounds swap row and column).
#[cfg(target_arch = "x86_64")]
macro_rules! round16 {
    ($v:ident, $lo:ident, $hi:ident) => {{
        [
            $lo($v[0], $v[8]),
            $hi($v[0], $v[8]),
            $lo($v[1], $v[9]),
            $hi($v[1], $v[9]),
            $lo($v[2], $v[10]),
            $hi($v[2], $v[10]),
            $lo($v[3], $v[11]),
            $hi($v[3], $v[11]),
            $lo($v[4], $v[12]),
            $hi($v[4], $v[12]),
            $lo($v[5], $v[13]),
            $hi($v[5], $v[13]),
            $lo($v[6], $v[14]),
            $hi($v[6], $v[14]),
            $lo($v[7], $v[15]),
            $hi($v[7], $v[15]),
        ]
    }};
}

/// Transposes the 16×16 block at (`r0`, `c0`) of `src` (row stride `cols`) into `dst` (row
/// stride `rows`) with SSE2, four unrolled rounds of [`round16`] in registers.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn block16(src: &[u8], cols: usize, dst: &mut [u8], rows: usize, r0: usize, c0: usize) {
    use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_storeu_si128};
    // The callers only pass blocks that lie inside both matrices; check it once here.
    assert!((r0 + 15) * cols + c0 + 16 <= src.len() && (c0 + 15) * rows + r0 + 16 <= dst.len());
    let s = src[r0 * cols + c0..].as_ptr();
    let d = dst[c0 * rows + r0..].as_mut_ptr();
    // SAFETY: SSE2 is part of the x86_64 baseline, so the intrinsics are always available. Every
    // unaligned 16-octet load reads src[(r0+i)*cols + c0 ..][..16] and every store writes
    // dst[(c0+i)*rows + r0 ..][..16] for i < 16, which the assertion above keeps in bounds.
    unsafe {
        let ld = |i: usize| _mm_loadu_si128(s.add(i * cols) as *const __m128i);
        let v: [__m128i; 16] = [
            ld(0),
            ld(1),
            ld(2),
            ld(3),
            ld(4),
            ld(5),
            ld(6),
            ld(7),
            ld(8),
            ld(9),
            ld(10),
            ld(11),
            ld(12),
            ld(13),
            ld(14),
            ld(15),
        ];
        use core::arch::x86_64::{_mm_unpackhi_epi8 as hi, _mm_unpacklo_epi8 as lo};
        let v = round16!(v, lo, hi);
        let v = round16!(v, lo, hi);
        let v = round16!(v, lo, hi);
        let v = round16!(v, lo, hi);
        for (i, x) in v.iter().enumerate() {
            _mm_storeu_si128(d.add(i * rows) as *mut __m128i, *x);
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

/// Transposes the 16-row, 32-column strips of `src` (rows below `r16`, columns below `c32`) with
/// AVX2: each 256-bit register holds a row of two adjacent 16×16 blocks, one per 128-bit lane,
/// and the lane-wise unpacks transpose both blocks at once.
///
/// # Safety
/// The CPU must support AVX2; `r16 <= rows`, `c32 <= cols`, both multiples of 16 and 32, and
/// `src`, `dst` must hold `rows * cols` octets.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[target_feature(enable = "avx2")]
unsafe fn strips_avx2(src: &[u8], rows: usize, cols: usize, dst: &mut [u8], r16: usize, c32: usize) {
    use core::arch::x86_64::{
        __m256i, _mm256_castsi256_si128, _mm256_extracti128_si256, _mm256_loadu_si256,
        _mm256_unpackhi_epi8 as hi, _mm256_unpacklo_epi8 as lo, _mm_storeu_si128,
    };
    assert!(r16 <= rows && c32 <= cols && src.len() >= rows * cols && dst.len() >= rows * cols);
    for r0 in (0..r16).step_by(16) {
        for c0 in (0..c32).step_by(32) {
            // Rows r0..r0+16 of columns c0..c0+32 are in `src`; columns become rows of `dst`
            // c0..c0+32 at offset r0, 16 octets each: all inside the asserted sizes.
            let s = src.as_ptr().add(r0 * cols + c0);
            let d = dst.as_mut_ptr().add(c0 * rows + r0);
            let ld = |i: usize| _mm256_loadu_si256(s.add(i * cols) as *const __m256i);
            let v: [__m256i; 16] = [
                ld(0),
                ld(1),
                ld(2),
                ld(3),
                ld(4),
                ld(5),
                ld(6),
                ld(7),
                ld(8),
                ld(9),
                ld(10),
                ld(11),
                ld(12),
                ld(13),
                ld(14),
                ld(15),
            ];
            let v = round16!(v, lo, hi);
            let v = round16!(v, lo, hi);
            let v = round16!(v, lo, hi);
            let v = round16!(v, lo, hi);
            for (i, x) in v.iter().enumerate() {
                _mm_storeu_si128(d.add(i * rows).cast(), _mm256_castsi256_si128(*x));
                _mm_storeu_si128(d.add((16 + i) * rows).cast(), _mm256_extracti128_si256::<1>(*x));
            }
        }
    }
}

/// Transposes `src` (`rows` rows of `cols` octets) into `dst` (`cols` rows of `rows` octets):
/// 16×32 strips with AVX2 where the CPU has it, 16×16 blocks with SSE2, 8×8 blocks in 64-bit
/// registers at the edges, single octets at ragged edges.
pub fn transpose(src: &[u8], rows: usize, cols: usize, dst: &mut [u8]) {
    assert!(src.len() >= rows * cols && dst.len() >= rows * cols, "matrix does not fit");
    let (r8, c8) = (rows & !7, cols & !7);
    let (r16, c16) = if cfg!(target_arch = "x86_64") { (rows & !15, cols & !15) } else { (0, 0) };
    #[cfg(target_arch = "x86_64")]
    {
        let c32 =
            if r16 > 0 && cols >= 32 && std::arch::is_x86_feature_detected!("avx2") { cols & !31 } else { 0 };
        if c32 > 0 {
            #[allow(unsafe_code)]
            // SAFETY: AVX2 was detected just above; r16 and c32 are multiples of 16 and 32 not
            // beyond the matrix, whose size the assertion at the top checked.
            unsafe {
                strips_avx2(src, rows, cols, dst, r16, c32)
            };
        }
        for r0 in (0..r16).step_by(16) {
            for c0 in (c32..c16).step_by(16) {
                block16(src, cols, dst, rows, r0, c0);
            }
        }
    }
    // 8×8 blocks outside the 16×16 area.
    for r0 in (0..r8).step_by(8) {
        let from = if r0 < r16 { c16 } else { 0 };
        for c0 in (from..c8).step_by(8) {
            block8(src, cols, dst, rows, r0, c0);
        }
    }
    // Single octets: the ragged right edge of the 8-row bands, then the ragged bottom rows.
    if c8 < cols {
        for r in 0..r8 {
            for c in c8..cols {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
    }
    for r in r8..rows {
        for c in 0..cols {
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
        fn equals_the_obvious_transpose(rows in 1usize..80, cols in 1usize..80, seed in any::<u8>()) {
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
