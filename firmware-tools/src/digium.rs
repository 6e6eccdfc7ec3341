//! DIGIUM firmware images as loaded by DAHDI drivers (`dahdi-fw-*.bin`).
//!
//! Standard layout (little-endian, packed): `"DIGIUM"`, CRC-32 over bytes `10..end`, 18 octets of
//! padding, a 32-bit version at 28, payload from 32. `vpmoct032` keeps the layout but stores a
//! major/minor pair at 30/31. `hx8` is `"DIGIUM"`, major, minor, 54,648 data octets and a trailing
//! CRC-32 over everything before it.

use crate::checksum::crc32;
use thiserror::Error;

/// The six magic octets that open every DIGIUM image.
pub const MAGIC: &[u8; 6] = b"DIGIUM";
/// Size of the standard and vpmoct032 header.
pub const HEADER_LEN: usize = 32;
/// Data octets carried by an hx8 image.
pub const HX8_DATA_LEN: usize = 54_648;
/// Total size of an hx8 image.
pub const HX8_TOTAL_LEN: usize = 6 + 2 + HX8_DATA_LEN + 4;

mod field {
    use std::ops::Range;
    pub const MAGIC: Range<usize> = 0..6;
    pub const CRC: Range<usize> = 6..10;
    pub const CRC_FROM: usize = 10;
    pub const VERSION: Range<usize> = 28..32;
    pub const OCT_MAJOR: usize = 30;
    pub const OCT_MINOR: usize = 31;
    pub const PAYLOAD: usize = 32;
    pub const HX8_MAJOR: usize = 6;
    pub const HX8_MINOR: usize = 7;
    pub const HX8_DATA: usize = 8;
}

/// Which DIGIUM layout an image uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// 32-octet header with a 32-bit version (te820, te133/134/435/436, a4a/a4b/a8a/a8b, ...).
    Standard,
    /// 32-octet header with major/minor at 30/31 (VPMOCT032 echo canceller).
    VpmOct032,
    /// Fixed-size hx8 image with a trailing CRC.
    Hx8,
}

impl Variant {
    /// Guesses the variant from a file name (`dahdi-fw-vpmoct032.bin`, `dahdi-fw-hx8.bin`).
    pub fn from_name(name: &str) -> Option<Variant> {
        let lower = name.to_ascii_lowercase();
        if lower.contains("vpmoct") {
            Some(Variant::VpmOct032)
        } else if lower.contains("hx8") {
            Some(Variant::Hx8)
        } else {
            None
        }
    }

    /// Parses a variant name as given on the command line.
    pub fn parse(s: &str) -> Option<Variant> {
        match s.to_ascii_lowercase().as_str() {
            "standard" | "digium" => Some(Variant::Standard),
            "vpmoct032" | "vpmoct" => Some(Variant::VpmOct032),
            "hx8" => Some(Variant::Hx8),
            _ => None,
        }
    }
}

/// The version a DIGIUM image declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigiumVersion {
    /// 32-bit version word of the standard layout, shown as `0x0013001e`.
    Word(u32),
    /// Major/minor pair of the vpmoct032 and hx8 layouts, shown as `1.12`.
    MajorMinor(u8, u8),
}

impl std::fmt::Display for DigiumVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DigiumVersion::Word(w) => write!(f, "{w:#010x}"),
            DigiumVersion::MajorMinor(a, b) => write!(f, "{a}.{b}"),
        }
    }
}

/// Why a DIGIUM image was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DigiumError {
    /// The file ends before a field it must contain.
    #[error("truncated DIGIUM image: {len} octets, need at least {need} (field at offset {offset})")]
    Truncated {
        /// Actual length.
        len: usize,
        /// Minimum length required.
        need: usize,
        /// Offset of the field that is cut.
        offset: usize,
    },
    /// The first six octets are not `DIGIUM`.
    #[error("wrong magic at offset 0: expected \"DIGIUM\", found {found:02x?}")]
    BadMagic {
        /// The octets found.
        found: Vec<u8>,
    },
    /// The stored CRC-32 does not match the contents.
    #[error("CRC-32 mismatch (stored at offset {offset}): stored {stored:#010x}, computed {computed:#010x}")]
    CrcMismatch {
        /// Offset of the stored CRC.
        offset: usize,
        /// CRC found in the file.
        stored: u32,
        /// CRC computed over the covered bytes.
        computed: u32,
    },
    /// An hx8 image must be exactly 54,660 octets.
    #[error("hx8 image must be {HX8_TOTAL_LEN} octets, found {len}")]
    Hx8Length {
        /// Actual length.
        len: usize,
    },
    /// A version given for building does not fit the variant.
    #[error("version {0} does not fit this DIGIUM variant")]
    VersionKind(String),
}

/// Checked zero-copy view of a DIGIUM image buffer.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
    variant: Variant,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer after checking length and magic for the given variant.
    pub fn new_checked(buffer: T, variant: Variant) -> Result<Self, DigiumError> {
        let b = buffer.as_ref();
        if b.len() < field::MAGIC.end {
            return Err(DigiumError::Truncated { len: b.len(), need: 6, offset: 0 });
        }
        if &b[field::MAGIC] != MAGIC {
            return Err(DigiumError::BadMagic { found: b[field::MAGIC].to_vec() });
        }
        match variant {
            Variant::Hx8 => {
                if b.len() != HX8_TOTAL_LEN {
                    return Err(DigiumError::Hx8Length { len: b.len() });
                }
            }
            Variant::Standard | Variant::VpmOct032 => {
                if b.len() < HEADER_LEN {
                    let offset =
                        if b.len() < field::CRC.end { field::CRC.start } else { field::VERSION.start };
                    return Err(DigiumError::Truncated { len: b.len(), need: HEADER_LEN, offset });
                }
            }
        }
        Ok(Packet { buffer, variant })
    }

    /// The layout this view was checked against.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// Offset of the stored CRC-32.
    pub fn crc_offset(&self) -> usize {
        match self.variant {
            Variant::Hx8 => HX8_TOTAL_LEN - 4,
            _ => field::CRC.start,
        }
    }

    /// The CRC-32 stored in the image.
    pub fn stored_crc(&self) -> u32 {
        let b = self.buffer.as_ref();
        let o = self.crc_offset();
        u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
    }

    /// The CRC-32 computed over the octets the stored one covers.
    pub fn computed_crc(&self) -> u32 {
        let b = self.buffer.as_ref();
        match self.variant {
            Variant::Hx8 => crc32(&b[..HX8_TOTAL_LEN - 4]),
            _ => crc32(&b[field::CRC_FROM..]),
        }
    }

    /// The declared version.
    pub fn version(&self) -> DigiumVersion {
        let b = self.buffer.as_ref();
        match self.variant {
            Variant::Standard => {
                let v = &b[field::VERSION];
                DigiumVersion::Word(u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
            }
            Variant::VpmOct032 => DigiumVersion::MajorMinor(b[field::OCT_MAJOR], b[field::OCT_MINOR]),
            Variant::Hx8 => DigiumVersion::MajorMinor(b[field::HX8_MAJOR], b[field::HX8_MINOR]),
        }
    }

    /// Offset where the payload starts.
    pub fn payload_offset(&self) -> usize {
        match self.variant {
            Variant::Hx8 => field::HX8_DATA,
            _ => field::PAYLOAD,
        }
    }

    /// The payload octets (what the board is loaded with).
    pub fn payload(&self) -> &[u8] {
        let b = self.buffer.as_ref();
        match self.variant {
            Variant::Hx8 => &b[field::HX8_DATA..HX8_TOTAL_LEN - 4],
            _ => &b[field::PAYLOAD..],
        }
    }

    /// Checks the stored CRC.
    pub fn check_crc(&self) -> Result<(), DigiumError> {
        let (stored, computed) = (self.stored_crc(), self.computed_crc());
        if stored == computed {
            Ok(())
        } else {
            Err(DigiumError::CrcMismatch { offset: self.crc_offset(), stored, computed })
        }
    }
}

/// A parsed DIGIUM image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repr {
    /// Layout.
    pub variant: Variant,
    /// Declared version.
    pub version: DigiumVersion,
    /// CRC stored in the file.
    pub stored_crc: u32,
    /// CRC computed over the covered octets.
    pub computed_crc: u32,
    /// Payload octets.
    pub payload: Vec<u8>,
}

impl Repr {
    /// Parses an image; the CRC is reported, not enforced (see [`Repr::check`]).
    pub fn parse(bytes: &[u8], variant: Variant) -> Result<Repr, DigiumError> {
        let p = Packet::new_checked(bytes, variant)?;
        Ok(Repr {
            variant,
            version: p.version(),
            stored_crc: p.stored_crc(),
            computed_crc: p.computed_crc(),
            payload: p.payload().to_vec(),
        })
    }

    /// Parses an image, picking the variant from the name hint or, failing that, the size.
    pub fn parse_auto(bytes: &[u8], name_hint: Option<&str>) -> Result<Repr, DigiumError> {
        Repr::parse(bytes, detect_variant(bytes, name_hint))
    }

    /// Errors when the stored CRC does not match.
    pub fn check(&self) -> Result<(), DigiumError> {
        if self.stored_crc == self.computed_crc {
            Ok(())
        } else {
            let offset = if self.variant == Variant::Hx8 { HX8_TOTAL_LEN - 4 } else { 6 };
            Err(DigiumError::CrcMismatch { offset, stored: self.stored_crc, computed: self.computed_crc })
        }
    }
}

/// Chooses the layout: a name hint wins, then an hx8-sized file whose trailing CRC holds.
pub fn detect_variant(bytes: &[u8], name_hint: Option<&str>) -> Variant {
    if let Some(v) = name_hint.and_then(Variant::from_name) {
        return v;
    }
    if bytes.len() == HX8_TOTAL_LEN {
        let stored = u32::from_le_bytes([
            bytes[HX8_TOTAL_LEN - 4],
            bytes[HX8_TOTAL_LEN - 3],
            bytes[HX8_TOTAL_LEN - 2],
            bytes[HX8_TOTAL_LEN - 1],
        ]);
        if stored == crc32(&bytes[..HX8_TOTAL_LEN - 4]) {
            return Variant::Hx8;
        }
    }
    Variant::Standard
}

/// Builds a DIGIUM image with a correct CRC around `payload`.
pub fn build(variant: Variant, version: DigiumVersion, payload: &[u8]) -> Result<Vec<u8>, DigiumError> {
    match variant {
        Variant::Hx8 => {
            let DigiumVersion::MajorMinor(major, minor) = version else {
                return Err(DigiumError::VersionKind(version.to_string()));
            };
            if payload.len() != HX8_DATA_LEN {
                return Err(DigiumError::Hx8Length { len: payload.len() + 12 });
            }
            let mut out = Vec::with_capacity(HX8_TOTAL_LEN);
            out.extend_from_slice(MAGIC);
            out.push(major);
            out.push(minor);
            out.extend_from_slice(payload);
            let crc = crc32(&out);
            out.extend_from_slice(&crc.to_le_bytes());
            Ok(out)
        }
        Variant::Standard | Variant::VpmOct032 => {
            let mut out = vec![0u8; HEADER_LEN];
            out[field::MAGIC].copy_from_slice(MAGIC);
            match (variant, version) {
                (Variant::Standard, DigiumVersion::Word(w)) => {
                    out[field::VERSION].copy_from_slice(&w.to_le_bytes())
                }
                (Variant::VpmOct032, DigiumVersion::MajorMinor(a, b)) => {
                    out[field::OCT_MAJOR] = a;
                    out[field::OCT_MINOR] = b;
                }
                _ => return Err(DigiumError::VersionKind(version.to_string())),
            }
            out.extend_from_slice(payload);
            let crc = crc32(&out[field::CRC_FROM..]);
            out[field::CRC].copy_from_slice(&crc.to_le_bytes());
            Ok(out)
        }
    }
}

/// The device a DAHDI firmware file is for, from its name (`dahdi-fw-te820.bin` → `te820`).
pub fn device_from_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let lower = base.to_ascii_lowercase();
    let stem = lower.strip_suffix(".bin").unwrap_or(&lower);
    let dev = stem.strip_prefix("dahdi-fw-")?;
    (!dev.is_empty()).then(|| dev.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_round_trip_and_layout() {
        let payload: Vec<u8> = (0..200u32).map(|i| (i * 7) as u8).collect();
        let img = build(Variant::Standard, DigiumVersion::Word(0x0013_001e), &payload).unwrap();
        assert_eq!(&img[0..6], b"DIGIUM");
        assert_eq!(&img[28..32], &[0x1e, 0x00, 0x13, 0x00]);
        assert_eq!(u32::from_le_bytes(img[6..10].try_into().unwrap()), crc32(&img[10..]));
        let r = Repr::parse_auto(&img, Some("dahdi-fw-te820.bin")).unwrap();
        assert_eq!(r.variant, Variant::Standard);
        assert_eq!(r.version.to_string(), "0x0013001e");
        assert_eq!(r.payload, payload);
        r.check().unwrap();
    }

    #[test]
    fn vpmoct_version_bytes() {
        let img = build(Variant::VpmOct032, DigiumVersion::MajorMinor(1, 12), b"abc").unwrap();
        assert_eq!((img[30], img[31]), (1, 12));
        let r = Repr::parse_auto(&img, Some("dahdi-fw-vpmoct032.bin")).unwrap();
        assert_eq!(r.version, DigiumVersion::MajorMinor(1, 12));
        r.check().unwrap();
    }

    #[test]
    fn hx8_layout_detected_by_size_and_crc() {
        let payload = vec![0x5a; HX8_DATA_LEN];
        let img = build(Variant::Hx8, DigiumVersion::MajorMinor(2, 3), &payload).unwrap();
        assert_eq!(img.len(), 54_660);
        let r = Repr::parse_auto(&img, None).unwrap();
        assert_eq!(r.variant, Variant::Hx8);
        assert_eq!(r.version.to_string(), "2.3");
        r.check().unwrap();
        assert!(build(Variant::Hx8, DigiumVersion::MajorMinor(2, 3), b"short").is_err());
    }

    #[test]
    fn corruption_is_reported_with_offset() {
        let mut img = build(Variant::Standard, DigiumVersion::Word(5), &[1, 2, 3, 4]).unwrap();
        img[33] ^= 0x10;
        let r = Repr::parse(&img, Variant::Standard).unwrap();
        let e = r.check().unwrap_err();
        assert!(matches!(e, DigiumError::CrcMismatch { offset: 6, .. }), "{e}");
        assert!(matches!(Repr::parse(&img[..20], Variant::Standard), Err(DigiumError::Truncated { .. })));
        img[0] = b'X';
        assert!(matches!(Repr::parse(&img, Variant::Standard), Err(DigiumError::BadMagic { .. })));
    }

    #[test]
    fn device_names() {
        assert_eq!(device_from_name("/lib/firmware/dahdi-fw-te820.bin").as_deref(), Some("te820"));
        assert_eq!(device_from_name("dahdi-fw-oct6114-064.bin").as_deref(), Some("oct6114-064"));
        assert_eq!(device_from_name("foo.bin"), None);
    }
}
