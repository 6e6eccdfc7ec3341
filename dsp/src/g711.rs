//! ITU-T G.711 A-law and µ-law, bit-exact with the ITU-T G.191 reference (`g711.c`).
//!
//! Linear samples are 16-bit; as in G.191, A-law uses the 13 most significant bits and µ-law the
//! 14 most significant bits. Encoding goes through tables built at compile time, so it costs one
//! load per sample.

/// Which companding law a channel uses (E1 normally A-law, T1 µ-law).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Law {
    /// ITU-T G.711 A-law (Europe, China, most E1 networks).
    Alaw,
    /// ITU-T G.711 µ-law (North America, Japan, T1 networks).
    Ulaw,
}

impl Law {
    /// Decodes one octet to a 16-bit linear sample.
    #[inline]
    pub fn decode(self, code: u8) -> i16 {
        match self {
            Law::Alaw => ALAW_DECODE[code as usize],
            Law::Ulaw => ULAW_DECODE[code as usize],
        }
    }

    /// Encodes one 16-bit linear sample.
    #[inline]
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Law::Alaw => alaw_encode(sample),
            Law::Ulaw => ulaw_encode(sample),
        }
    }

    /// Decodes a block of octets into `out` (which must be at least as long).
    pub fn decode_block(self, codes: &[u8], out: &mut [i16]) {
        let table = match self {
            Law::Alaw => &ALAW_DECODE,
            Law::Ulaw => &ULAW_DECODE,
        };
        for (o, &c) in out.iter_mut().zip(codes) {
            *o = table[c as usize];
        }
    }

    /// Encodes a block of samples into `out` (which must be at least as long).
    pub fn encode_block(self, samples: &[i16], out: &mut [u8]) {
        match self {
            Law::Alaw => {
                for (o, &s) in out.iter_mut().zip(samples) {
                    *o = alaw_encode(s);
                }
            }
            Law::Ulaw => {
                for (o, &s) in out.iter_mut().zip(samples) {
                    *o = ulaw_encode(s);
                }
            }
        }
    }

    /// The octet a silent (idle) channel carries: 0xD5 for A-law, 0xFF for µ-law.
    pub fn silence(self) -> u8 {
        match self {
            Law::Alaw => 0xD5,
            Law::Ulaw => 0xFF,
        }
    }
}

/// A-law to linear, one entry per code.
pub static ALAW_DECODE: [i16; 256] = build_alaw_decode();
/// µ-law to linear, one entry per code.
pub static ULAW_DECODE: [i16; 256] = build_ulaw_decode();
/// Linear to A-law, indexed by the sample's 13 most significant bits (as unsigned).
static ALAW_ENCODE: [u8; 8192] = build_alaw_encode();
/// Linear to µ-law, indexed by the sample's 14 most significant bits (as unsigned).
static ULAW_ENCODE: [u8; 16384] = build_ulaw_encode();

/// Encodes one sample to A-law (table lookup).
#[inline]
pub fn alaw_encode(sample: i16) -> u8 {
    ALAW_ENCODE[((sample as u16) >> 3) as usize]
}

/// Encodes one sample to µ-law (table lookup).
#[inline]
pub fn ulaw_encode(sample: i16) -> u8 {
    ULAW_ENCODE[((sample as u16) >> 2) as usize]
}

/// Decodes one A-law octet.
#[inline]
pub fn alaw_decode(code: u8) -> i16 {
    ALAW_DECODE[code as usize]
}

/// Decodes one µ-law octet.
#[inline]
pub fn ulaw_decode(code: u8) -> i16 {
    ULAW_DECODE[code as usize]
}

/// G.191 `alaw_compress` for one sample (the reference algorithm the table is built from).
pub const fn alaw_compress_ref(lin: i16) -> u8 {
    let mut ix: i32 = if lin < 0 { (!lin as i32) >> 4 } else { (lin as i32) >> 4 };
    if ix > 15 {
        let mut iexp = 1;
        while ix > 16 + 15 {
            ix >>= 1;
            iexp += 1;
        }
        ix -= 16;
        ix += iexp << 4;
    }
    if lin >= 0 {
        ix |= 0x80;
    }
    (ix ^ 0x55) as u8
}

/// G.191 `alaw_expand` for one code.
pub const fn alaw_expand_ref(code: u8) -> i16 {
    let ix = ((code ^ 0x55) & 0x7F) as i32;
    let iexp = ix >> 4;
    let mut mant = ix & 0x0F;
    if iexp > 0 {
        mant += 16;
    }
    mant = (mant << 4) + 0x08;
    if iexp > 1 {
        mant <<= iexp - 1;
    }
    if code > 127 {
        mant as i16
    } else {
        -mant as i16
    }
}

/// G.191 `ulaw_compress` for one sample.
pub const fn ulaw_compress_ref(lin: i16) -> u8 {
    let mut absno: i32 = if lin < 0 { ((!lin as i32) >> 2) + 33 } else { ((lin as i32) >> 2) + 33 };
    if absno > 0x1FFF {
        absno = 0x1FFF;
    }
    let mut i = absno >> 6;
    let mut segno = 1;
    while i != 0 {
        segno += 1;
        i >>= 1;
    }
    let high = 0x8 - segno;
    let low = 0xF - ((absno >> segno) & 0xF);
    let mut out = (high << 4) | low;
    if lin >= 0 {
        out |= 0x80;
    }
    out as u8
}

/// G.191 `ulaw_expand` for one code.
pub const fn ulaw_expand_ref(code: u8) -> i16 {
    let sign: i32 = if code < 0x80 { -1 } else { 1 };
    let m = (!code) as i32;
    let exponent = (m >> 4) & 0x7;
    let segment = exponent + 1;
    let mantissa = m & 0x0F;
    let step = 4 << segment;
    (sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33)) as i16
}

const fn build_alaw_decode() -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = alaw_expand_ref(c as u8);
        c += 1;
    }
    t
}

const fn build_ulaw_decode() -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = ulaw_expand_ref(c as u8);
        c += 1;
    }
    t
}

const fn build_alaw_encode() -> [u8; 8192] {
    let mut t = [0u8; 8192];
    let mut i = 0;
    while i < 8192 {
        // Index is the 13 MSBs as unsigned; rebuild the signed sample (low bits do not matter).
        let s = ((i as u16) << 3) as i16;
        t[i] = alaw_compress_ref(s);
        i += 1;
    }
    t
}

const fn build_ulaw_encode() -> [u8; 16384] {
    let mut t = [0u8; 16384];
    let mut i = 0;
    while i < 16384 {
        let s = ((i as u16) << 2) as i16;
        t[i] = ulaw_compress_ref(s);
        i += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_vectors() {
        // Extremes and zero of the G.191 reference.
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_decode(0x2A), -32256);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(ulaw_encode(0), 0xFF);
        assert_eq!(alaw_encode(0), 0xD5);
        assert_eq!(ulaw_encode(i16::MAX), 0x80);
        assert_eq!(ulaw_encode(i16::MIN), 0x00);
        assert_eq!(alaw_encode(i16::MAX), 0xAA);
        assert_eq!(alaw_encode(i16::MIN), 0x2A);
        // First code of µ-law segment 1 (G.711 table 2a: decoder output 33 in 14-bit units, ×4).
        assert_eq!(ulaw_decode(0xEF), 132);
        assert_eq!(ulaw_decode(0xF0), 120);
        // A-law segment 1 starts at 13-bit value 32 (×8 = 256): code 0x90^0x55 = 0xC5 decodes to 264.
        assert_eq!(alaw_decode(0xC5), 264);
    }

    #[test]
    fn every_code_reencodes_to_itself() {
        for c in 0..=255u8 {
            assert_eq!(alaw_encode(alaw_decode(c)), c, "A-law code {c:#04x}");
            // µ-law has two zeros (0x7F = -0 and 0xFF = +0); 0 encodes to +0.
            let want = if c == 0x7F { 0xFF } else { c };
            assert_eq!(ulaw_encode(ulaw_decode(c)), want, "µ-law code {c:#04x}");
        }
    }

    #[test]
    fn tables_match_reference_for_every_sample() {
        for s in i16::MIN..=i16::MAX {
            assert_eq!(alaw_encode(s), alaw_compress_ref(s), "A-law sample {s}");
            assert_eq!(ulaw_encode(s), ulaw_compress_ref(s), "µ-law sample {s}");
        }
    }

    #[test]
    fn decoding_is_monotonic() {
        let mut a: Vec<i16> = (0..=255u8).map(alaw_decode).collect();
        let mut u: Vec<i16> = (0..=255u8).map(ulaw_decode).collect();
        a.sort();
        u.sort();
        a.dedup();
        u.dedup();
        assert_eq!(a.len(), 256);
        assert_eq!(u.len(), 255);
    }

    proptest! {
        #[test]
        fn quantisation_error_is_bounded(s in any::<i16>()) {
            // The error of encode+decode is at most half a step of the segment (≤ 1/32 of |s|+bias).
            for law in [Law::Alaw, Law::Ulaw] {
                let y = law.decode(law.encode(s)) as i32;
                let err = (y - s as i32).abs();
                let bound = (s as i32).abs() / 16 + 140;
                prop_assert!(err <= bound, "{law:?} s={s} y={y}");
            }
        }

        #[test]
        fn sign_is_preserved(s in 64i16..i16::MAX) {
            for law in [Law::Alaw, Law::Ulaw] {
                prop_assert!(law.decode(law.encode(s)) > 0);
                prop_assert!(law.decode(law.encode(-s)) < 0);
            }
        }
    }
}
