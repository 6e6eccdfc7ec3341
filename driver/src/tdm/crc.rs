//! CRCs of the line: FCS-16 for HDLC (CRC-16/X.25), CRC-4 for E1 (G.704 §2.3.3.5) and CRC-6 for
//! T1 ESF (G.704 §2.1.3.1.3).

/// FCS-16 of HDLC: CRC-16/X.25 (reflected 0x1021, init and xorout 0xFFFF). Check value of
/// "123456789" is 0x906E.
pub fn fcs16(data: &[u8]) -> u16 {
    !fcs16_update(0xFFFF, data)
}

/// Runs the FCS-16 register over `data` without the final complement. Over a frame followed by
/// its FCS (low octet first) a good frame leaves [`FCS16_GOOD`].
pub fn fcs16_update(mut crc: u16, data: &[u8]) -> u16 {
    for &b in data {
        crc = (crc >> 8) ^ FCS16_TABLE[((crc ^ b as u16) & 0xFF) as usize];
    }
    crc
}

/// The register value left by a good frame plus its FCS.
pub const FCS16_GOOD: u16 = 0xF0B8;

static FCS16_TABLE: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0x8408 } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// Multiplies polynomial `v` (degree < 8, bit 7 = x^7) by x^`e` and reduces it modulo `g`
/// (given with its top bit, degree `w`).
const fn mulx_mod(v: u32, e: u32, g: u32, w: u32) -> u32 {
    let mut r = v;
    let mut i = 0;
    while i < e {
        r <<= 1;
        i += 1;
        // Reduce as soon as the degree reaches w (keeps r small).
        let mut d = 31;
        while d >= w {
            if r & (1 << d) != 0 {
                r ^= g << (d - w);
            }
            d -= 1;
        }
    }
    let mut d = 31;
    while d >= w {
        if r & (1 << d) != 0 {
            r ^= g << (d - w);
        }
        d -= 1;
    }
    r
}

/// CRC-4 generator x^4 + x + 1.
const G4: u32 = 0b1_0011;

/// Per-class tables for the CRC-4 of one E1 submultiframe (256 octets). Because x^4+x+1 is
/// primitive (order 15), an octet's contribution depends only on its position modulo 15, and by
/// linearity octets of the same class can be XOR-folded before one table lookup per class.
static CRC4_CLASS: [[u8; 256]; 15] = {
    let mut t = [[0u8; 256]; 15];
    let mut r = 0;
    while r < 15 {
        // Octet at position p (p % 15 == r) of 256 is followed by 8*(255-p) bits, then x^4.
        // 255 = 17*15, so 8*(255-p) ≡ 8*(15-r) (mod 15).
        let e = (8 * (15 - r) + 4) % 15;
        let mut v = 0;
        while v < 256 {
            t[r][v] = mulx_mod(v as u32, e as u32, G4, 4) as u8;
            v += 1;
        }
        r += 1;
    }
    t
};

/// Accumulates the CRC-4 of one E1 submultiframe (8 frames of 32 octets) frame by frame.
///
/// Octets are XOR-folded into 15 position classes (a few vector XORs per frame) and reduced with
/// 15 table lookups at the end, so the CRC costs almost nothing per octet.
#[derive(Clone, Copy, Debug, Default)]
pub struct Crc4Smf {
    acc: [u8; 32],
    frames: usize,
}

impl Crc4Smf {
    /// Starts a new submultiframe.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// Adds the next frame of the submultiframe. `frame[0]` is TS0; for frames that carry a
    /// C bit (even frames) the caller passes TS0 with bit 1 (the MSB) cleared.
    #[inline]
    pub fn add_frame(&mut self, frame: &[u8; 32]) {
        // Position of octet i of frame f in the SMF is 32f + i; class = (2f + i) mod 15. Octet j
        // (j < 15) and octet 15+j share class j; octet 30 has class 15 ≡ 0, kept at byte 15
        // (acc[start+15], folded by `finish`); octet 31 has class 1.
        let start = (2 * self.frames) % 15;
        let lo = u128::from_le_bytes(frame[0..16].try_into().expect("16 octets")) & (u128::MAX >> 8);
        let mid = u128::from_le_bytes(frame[15..31].try_into().expect("16 octets"));
        let w = lo ^ mid ^ ((frame[31] as u128) << 8);
        let acc = &mut self.acc[start..start + 16];
        let a = u128::from_le_bytes((&*acc).try_into().expect("16 octets"));
        acc.copy_from_slice(&(a ^ w).to_le_bytes());
        self.frames += 1;
    }

    /// Adds a frame whose TS0 carries a C bit in its MSB, counting that bit as 0 (as G.704
    /// computes the CRC) without copying the frame.
    #[inline]
    pub fn add_frame_c_masked(&mut self, frame: &[u8; 32]) {
        let start = (2 * self.frames) % 15;
        self.add_frame(frame);
        // Octet 0 of this frame folded into class `start`: take its C bit back out.
        self.acc[start] ^= frame[0] & 0x80;
    }

    /// The CRC-4 (C1 in bit 3 .. C4 in bit 0) of the frames added so far, as if they were a
    /// whole submultiframe.
    pub fn finish(&self) -> u8 {
        let mut c = 0u8;
        for r in 0..15 {
            c ^= CRC4_CLASS[r][(self.acc[r] ^ self.acc[r + 15]) as usize];
        }
        c
    }
}

/// Lane 15 of a 16-octet load at a multiple of 15 is the next load's lane 0: mask it off.
const LANES_0_14: u128 = u128::MAX >> 8;

/// XOR-folds the 256 octets of a submultiframe into the 15 position classes of [`Crc4Smf`]
/// (class r = octets at positions ≡ r mod 15), seventeen 16-octet loads at a stride of 15.
/// Lane r (r < 15) of the result holds class r; lane 15 holds octet 255 (class 0).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn fold_smf(smf: &[u8; 256]) -> u128 {
    let load = |at: usize| u128::from_le_bytes(smf[at..at + 16].try_into().expect("16 octets"));
    let mut acc = load(240);
    for k in 0..16 {
        acc ^= load(15 * k) & LANES_0_14;
    }
    acc
}

/// [`fold_smf`] in SSE2 registers (x86_64 baseline).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline]
fn fold_smf(smf: &[u8; 256]) -> u128 {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_loadu_si128, _mm_set_epi64x, _mm_storeu_si128, _mm_xor_si128,
    };
    let mut out = [0u8; 16];
    // SAFETY: SSE2 is part of the x86_64 baseline. The loads read smf[15k..15k+16] for k ≤ 16
    // (the last one smf[240..256]) of a 256-octet array; the store writes the 16-octet `out`.
    unsafe {
        let p = smf.as_ptr();
        let ld = |at: usize| _mm_loadu_si128(p.add(at) as *const __m128i);
        let mask = _mm_set_epi64x((LANES_0_14 >> 64) as i64, LANES_0_14 as u64 as i64);
        let mut a = ld(240);
        let mut b = _mm_and_si128(ld(0), mask);
        for k in (1..15).step_by(2) {
            a = _mm_xor_si128(a, _mm_and_si128(ld(15 * k), mask));
            b = _mm_xor_si128(b, _mm_and_si128(ld(15 * (k + 1)), mask));
        }
        a = _mm_xor_si128(a, _mm_and_si128(ld(225), mask));
        _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, _mm_xor_si128(a, b));
    }
    u128::from_le_bytes(out)
}

/// Reduces a fold (lane 15 counted in class 0) to the CRC-4.
#[inline]
fn reduce_fold(acc: u128) -> u8 {
    let b = acc.to_le_bytes();
    let mut c = CRC4_CLASS[0][(b[0] ^ b[15]) as usize];
    for r in 1..15 {
        c ^= CRC4_CLASS[r][b[r] as usize];
    }
    c
}

/// CRC-4 of a whole submultiframe (8 frames of 32 octets, contiguous) in one pass. With
/// `mask_c` the MSB of TS0 in frames 0, 2, 4 and 6 (the C bits) counts as 0, as G.704 computes
/// it at the receiver.
#[inline]
pub fn crc4_smf(smf: &[u8; 256], mask_c: bool) -> u8 {
    let mut acc = fold_smf(smf);
    if mask_c {
        // TS0 of frame f sits at position 32f, class 2f mod 15: frames 0, 2, 4, 6 → 0, 4, 8, 12.
        let c = |f: usize| ((smf[32 * f] & 0x80) as u128) << (8 * ((2 * f) % 15));
        acc ^= c(0) ^ c(2) ^ c(4) ^ c(6);
    }
    reduce_fold(acc)
}

/// Bit-serial CRC-4 over a submultiframe, the obvious way (reference for tests).
pub fn crc4_reference(octets: &[u8]) -> u8 {
    let mut reg: u32 = 0;
    let mut push = |bit: u32| {
        reg = (reg << 1) | bit;
        if reg & 0x10 != 0 {
            reg ^= G4;
        }
    };
    for &o in octets {
        for k in (0..8).rev() {
            push(((o >> k) & 1) as u32);
        }
    }
    for _ in 0..4 {
        push(0);
    }
    reg as u8
}

/// CRC-6 generator x^6 + x + 1.
const G6: u32 = 0b100_0011;

/// Accumulates the CRC-6 of a T1 extended superframe (24 frames of one F bit, counted as 1,
/// followed by 24 octets, MSB first), with the direct algorithm: the register always holds
/// (message · x^6) mod (x^6 + x + 1).
#[derive(Clone, Copy, Debug, Default)]
pub struct Crc6Esf {
    reg: u8,
}

impl Crc6Esf {
    /// Starts a new superframe.
    pub fn reset(&mut self) {
        self.reg = 0;
    }

    /// Feeds one bit.
    #[inline]
    pub fn push_bit(&mut self, bit: u8) {
        let top = ((self.reg >> 5) ^ bit) & 1;
        self.reg = (self.reg << 1) & 0x3F;
        if top != 0 {
            self.reg ^= (G6 & 0x3F) as u8;
        }
    }

    /// Feeds one octet, MSB first.
    #[inline]
    pub fn push_octet(&mut self, o: u8) {
        for k in (0..8).rev() {
            self.push_bit((o >> k) & 1);
        }
    }

    /// The CRC: C1 in bit 5 .. C6 in bit 0.
    pub fn finish(&self) -> u8 {
        self.reg
    }
}

/// Bit-serial CRC-6 (message · x^6 mod x^6+x+1) of a bit sequence (reference for tests).
pub fn crc6_reference(bits: &[u8]) -> u8 {
    let mut reg: u32 = 0;
    let mut push = |bit: u32| {
        reg = (reg << 1) | bit;
        if reg & 0x40 != 0 {
            reg ^= G6;
        }
    };
    for &b in bits {
        push(b as u32 & 1);
    }
    for _ in 0..6 {
        push(0);
    }
    reg as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn fcs16_check_value_and_residue() {
        assert_eq!(fcs16(b"123456789"), 0x906E);
        let mut f = b"hello".to_vec();
        let fcs = fcs16(&f);
        f.extend_from_slice(&fcs.to_le_bytes());
        assert_eq!(fcs16_update(0xFFFF, &f), FCS16_GOOD);
    }

    #[test]
    fn folded_crc4_equals_bit_serial() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        for _ in 0..200 {
            let mut smf = [0u8; 256];
            rng.fill(&mut smf[..]);
            let mut c = Crc4Smf::default();
            for f in 0..8 {
                let mut fr = [0u8; 32];
                fr.copy_from_slice(&smf[32 * f..32 * f + 32]);
                c.add_frame(&fr);
            }
            assert_eq!(c.finish(), crc4_reference(&smf));
        }
    }

    #[test]
    fn whole_smf_crc4_equals_bit_serial_with_and_without_c_bits() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..300 {
            let mut smf = [0u8; 256];
            rng.fill(&mut smf[..]);
            assert_eq!(crc4_smf(&smf, false), crc4_reference(&smf));
            let mut masked = smf;
            for f in [0, 2, 4, 6] {
                masked[32 * f] &= 0x7F;
            }
            assert_eq!(crc4_smf(&smf, true), crc4_reference(&masked));
            let mut c = Crc4Smf::default();
            for f in 0..8 {
                let fr: &[u8; 32] = smf[32 * f..32 * f + 32].try_into().unwrap();
                if f % 2 == 0 {
                    c.add_frame_c_masked(fr);
                } else {
                    c.add_frame(fr);
                }
            }
            assert_eq!(c.finish(), crc4_smf(&smf, true));
        }
    }

    #[test]
    fn crc4_detects_every_single_bit_error() {
        let smf = [0x55u8; 256];
        let good = crc4_reference(&smf);
        for bit in 0..2048 {
            let mut e = smf;
            e[bit / 8] ^= 0x80 >> (bit % 8);
            assert_ne!(crc4_reference(&e), good, "bit {bit}");
        }
    }

    #[test]
    fn crc6_bit_and_octet_paths_agree() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        for _ in 0..100 {
            let octets: Vec<u8> = (0..24).map(|_| rng.gen()).collect();
            let bits: Vec<u8> =
                octets.iter().flat_map(|&o| (0..8).rev().map(move |k| (o >> k) & 1)).collect();
            let mut a = Crc6Esf::default();
            for &b in &bits {
                a.push_bit(b);
            }
            assert_eq!(a.finish(), crc6_reference(&bits));
        }
    }
}
