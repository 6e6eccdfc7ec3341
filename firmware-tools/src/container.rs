//! The Trunkline image container: what the simulated board (and our own tooling) loads.
//!
//! Little-endian, 104-octet header then the payload:
//! `"TRUNKFW\0"`, format version (u16), header length (u16), board model (32 octets, NUL padded),
//! semver major/minor/patch (3 × u16), flags (u16), load address (u32), payload length (u32),
//! payload CRC-32, payload SHA-256, header CRC-32 over octets 0..96, 4 reserved octets.

use crate::checksum::{crc32, sha256, to_hex};
use thiserror::Error;

/// Magic that opens a Trunkline container.
pub const MAGIC: &[u8; 8] = b"TRUNKFW\0";
/// Container format version written by this code.
pub const FORMAT_VERSION: u16 = 1;
/// Header length.
pub const HEADER_LEN: usize = 104;
/// Longest board model name.
pub const MODEL_LEN: usize = 32;

mod field {
    use std::ops::Range;
    pub const MAGIC: Range<usize> = 0..8;
    pub const FORMAT: Range<usize> = 8..10;
    pub const HEADER_LEN: Range<usize> = 10..12;
    pub const MODEL: Range<usize> = 12..44;
    pub const MAJOR: Range<usize> = 44..46;
    pub const MINOR: Range<usize> = 46..48;
    pub const PATCH: Range<usize> = 48..50;
    pub const LOAD: Range<usize> = 52..56;
    pub const LENGTH: Range<usize> = 56..60;
    pub const CRC: Range<usize> = 60..64;
    pub const SHA: Range<usize> = 64..96;
    pub const HEADER_CRC: Range<usize> = 96..100;
}

/// A semantic version `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Semver {
    /// Major version.
    pub major: u16,
    /// Minor version.
    pub minor: u16,
    /// Patch level.
    pub patch: u16,
}

impl Semver {
    /// Builds a version.
    pub const fn new(major: u16, minor: u16, patch: u16) -> Self {
        Semver { major, minor, patch }
    }

    /// Parses `1.2.3` (also `1.2` and `1`, missing parts are 0).
    pub fn parse(s: &str) -> Option<Semver> {
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let mut it = s.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        let patch = it.next().map(str::parse).transpose().ok()?.unwrap_or(0);
        if it.next().is_some() {
            return None;
        }
        Some(Semver { major, minor, patch })
    }
}

impl std::fmt::Display for Semver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a container was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContainerError {
    /// The file ends before the header or payload does.
    #[error("truncated Trunkline image: {len} octets, need {need} (at offset {offset})")]
    Truncated {
        /// Actual length.
        len: usize,
        /// Length required.
        need: usize,
        /// Where the missing data starts.
        offset: usize,
    },
    /// Wrong magic.
    #[error("wrong magic at offset 0: expected \"TRUNKFW\\0\", found {found:02x?}")]
    BadMagic {
        /// Octets found.
        found: Vec<u8>,
    },
    /// Format version we do not know.
    #[error("unsupported container format version {0} at offset 8")]
    FormatVersion(u16),
    /// Header length field is not 104.
    #[error("unexpected header length {0} at offset 10")]
    HeaderLen(u16),
    /// Model field is not printable ASCII.
    #[error("board model at offset 12 is not printable ASCII")]
    Model,
    /// Model name too long or empty when building.
    #[error("board model must be 1..=32 printable ASCII characters")]
    ModelLen,
    /// Header CRC mismatch.
    #[error("header CRC-32 mismatch at offset 96: stored {stored:#010x}, computed {computed:#010x}")]
    HeaderCrc {
        /// Stored.
        stored: u32,
        /// Computed.
        computed: u32,
    },
    /// Payload CRC mismatch.
    #[error(
        "payload CRC-32 mismatch (stored at offset 60): stored {stored:#010x}, computed {computed:#010x}"
    )]
    PayloadCrc {
        /// Stored.
        stored: u32,
        /// Computed.
        computed: u32,
    },
    /// Payload SHA-256 mismatch.
    #[error("payload SHA-256 mismatch (stored at offset 64): stored {stored}, computed {computed}")]
    PayloadSha {
        /// Stored, hex.
        stored: String,
        /// Computed, hex.
        computed: String,
    },
    /// Octets after the declared payload.
    #[error("{extra} trailing octets after the payload at offset {offset}")]
    Trailing {
        /// Where the extra data starts.
        offset: usize,
        /// How many octets.
        extra: usize,
    },
    /// Payload longer than the 32-bit length field.
    #[error("payload too large")]
    TooLarge,
}

/// Checked zero-copy view of a container buffer.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

fn u16_at(b: &[u8], r: std::ops::Range<usize>) -> u16 {
    u16::from_le_bytes([b[r.start], b[r.start + 1]])
}
fn u32_at(b: &[u8], r: std::ops::Range<usize>) -> u32 {
    u32::from_le_bytes([b[r.start], b[r.start + 1], b[r.start + 2], b[r.start + 3]])
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks magic, format version, header length and that the payload is all there.
    pub fn new_checked(buffer: T) -> Result<Self, ContainerError> {
        let b = buffer.as_ref();
        if b.len() < MAGIC.len() {
            return Err(ContainerError::Truncated { len: b.len(), need: HEADER_LEN, offset: b.len() });
        }
        if &b[field::MAGIC] != MAGIC {
            return Err(ContainerError::BadMagic { found: b[field::MAGIC].to_vec() });
        }
        if b.len() < HEADER_LEN {
            return Err(ContainerError::Truncated { len: b.len(), need: HEADER_LEN, offset: b.len() });
        }
        let fv = u16_at(b, field::FORMAT);
        if fv != FORMAT_VERSION {
            return Err(ContainerError::FormatVersion(fv));
        }
        let hl = u16_at(b, field::HEADER_LEN);
        if usize::from(hl) != HEADER_LEN {
            return Err(ContainerError::HeaderLen(hl));
        }
        let need = HEADER_LEN as u64 + u64::from(u32_at(b, field::LENGTH));
        if (b.len() as u64) < need {
            return Err(ContainerError::Truncated { len: b.len(), need: need as usize, offset: b.len() });
        }
        Ok(Packet { buffer })
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Board model name.
    pub fn model(&self) -> Result<&str, ContainerError> {
        let m = &self.b()[field::MODEL];
        let end = m.iter().position(|&c| c == 0).unwrap_or(MODEL_LEN);
        let (name, pad) = m.split_at(end);
        if name.is_empty() || !name.iter().all(|c| c.is_ascii_graphic()) || pad.iter().any(|&c| c != 0) {
            return Err(ContainerError::Model);
        }
        std::str::from_utf8(name).map_err(|_| ContainerError::Model)
    }

    /// Declared firmware version.
    pub fn version(&self) -> Semver {
        let b = self.b();
        Semver::new(u16_at(b, field::MAJOR), u16_at(b, field::MINOR), u16_at(b, field::PATCH))
    }

    /// Load address on the board.
    pub fn load_address(&self) -> u32 {
        u32_at(self.b(), field::LOAD)
    }

    /// Declared payload length.
    pub fn payload_len(&self) -> u32 {
        u32_at(self.b(), field::LENGTH)
    }

    /// Stored payload CRC-32.
    pub fn stored_crc(&self) -> u32 {
        u32_at(self.b(), field::CRC)
    }

    /// Stored payload SHA-256.
    pub fn stored_sha(&self) -> [u8; 32] {
        let mut s = [0u8; 32];
        s.copy_from_slice(&self.b()[field::SHA]);
        s
    }

    /// Stored header CRC-32.
    pub fn stored_header_crc(&self) -> u32 {
        u32_at(self.b(), field::HEADER_CRC)
    }

    /// Header CRC-32 computed over octets 0..96.
    pub fn computed_header_crc(&self) -> u32 {
        crc32(&self.b()[..field::HEADER_CRC.start])
    }

    /// The payload octets.
    pub fn payload(&self) -> &[u8] {
        &self.b()[HEADER_LEN..HEADER_LEN + self.payload_len() as usize]
    }

    /// Total image length (header plus payload).
    pub fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len() as usize
    }
}

/// A parsed container, with stored and computed checks side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repr {
    /// Board model the image is for.
    pub model: String,
    /// Firmware version.
    pub version: Semver,
    /// Load address.
    pub load_address: u32,
    /// Payload.
    pub payload: Vec<u8>,
    /// Header CRC stored / computed.
    pub header_crc: (u32, u32),
    /// Payload CRC stored / computed.
    pub crc: (u32, u32),
    /// Payload SHA-256 stored / computed.
    pub sha256: ([u8; 32], [u8; 32]),
    /// Octets after the payload (should be 0).
    pub trailing: usize,
}

impl Repr {
    /// Parses a container; checksums are reported, not enforced (see [`Repr::check`]).
    pub fn parse(bytes: &[u8]) -> Result<Repr, ContainerError> {
        let p = Packet::new_checked(bytes)?;
        let payload = p.payload().to_vec();
        Ok(Repr {
            model: p.model()?.to_string(),
            version: p.version(),
            load_address: p.load_address(),
            header_crc: (p.stored_header_crc(), p.computed_header_crc()),
            crc: (p.stored_crc(), crc32(&payload)),
            sha256: (p.stored_sha(), sha256(&payload)),
            trailing: bytes.len() - p.total_len(),
            payload,
        })
    }

    /// Parses and enforces every check.
    pub fn parse_checked(bytes: &[u8]) -> Result<Repr, ContainerError> {
        let r = Repr::parse(bytes)?;
        r.check()?;
        Ok(r)
    }

    /// Errors on the first failing check.
    pub fn check(&self) -> Result<(), ContainerError> {
        if self.header_crc.0 != self.header_crc.1 {
            return Err(ContainerError::HeaderCrc { stored: self.header_crc.0, computed: self.header_crc.1 });
        }
        if self.crc.0 != self.crc.1 {
            return Err(ContainerError::PayloadCrc { stored: self.crc.0, computed: self.crc.1 });
        }
        if self.sha256.0 != self.sha256.1 {
            return Err(ContainerError::PayloadSha {
                stored: to_hex(&self.sha256.0),
                computed: to_hex(&self.sha256.1),
            });
        }
        if self.trailing != 0 {
            return Err(ContainerError::Trailing {
                offset: HEADER_LEN + self.payload.len(),
                extra: self.trailing,
            });
        }
        Ok(())
    }
}

/// Builds a container with correct checksums.
pub fn build(
    model: &str,
    version: Semver,
    load_address: u32,
    payload: &[u8],
) -> Result<Vec<u8>, ContainerError> {
    if model.is_empty() || model.len() > MODEL_LEN || !model.bytes().all(|c| c.is_ascii_graphic()) {
        return Err(ContainerError::ModelLen);
    }
    let len = u32::try_from(payload.len()).map_err(|_| ContainerError::TooLarge)?;
    let mut out = vec![0u8; HEADER_LEN];
    out[field::MAGIC].copy_from_slice(MAGIC);
    out[field::FORMAT].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    out[field::HEADER_LEN].copy_from_slice(&(HEADER_LEN as u16).to_le_bytes());
    out[field::MODEL.start..field::MODEL.start + model.len()].copy_from_slice(model.as_bytes());
    out[field::MAJOR].copy_from_slice(&version.major.to_le_bytes());
    out[field::MINOR].copy_from_slice(&version.minor.to_le_bytes());
    out[field::PATCH].copy_from_slice(&version.patch.to_le_bytes());
    out[field::LOAD].copy_from_slice(&load_address.to_le_bytes());
    out[field::LENGTH].copy_from_slice(&len.to_le_bytes());
    out[field::CRC].copy_from_slice(&crc32(payload).to_le_bytes());
    out[field::SHA].copy_from_slice(&sha256(payload));
    let hcrc = crc32(&out[..field::HEADER_CRC.start]);
    out[field::HEADER_CRC].copy_from_slice(&hcrc.to_le_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_parse_round_trip() {
        let img = build("TL-E1-4", Semver::new(1, 2, 3), 0x8000, b"hello firmware").unwrap();
        let r = Repr::parse_checked(&img).unwrap();
        assert_eq!(r.model, "TL-E1-4");
        assert_eq!(r.version.to_string(), "1.2.3");
        assert_eq!(r.load_address, 0x8000);
        assert_eq!(r.payload, b"hello firmware");
    }

    #[test]
    fn corruption_detected() {
        let img = build("TL-E1-4", Semver::new(1, 0, 0), 0, &[9; 100]).unwrap();
        let mut bad = img.clone();
        bad[HEADER_LEN + 50] ^= 1;
        assert!(matches!(Repr::parse_checked(&bad), Err(ContainerError::PayloadCrc { .. })));
        let mut bad = img.clone();
        bad[45] ^= 1;
        assert!(matches!(Repr::parse_checked(&bad), Err(ContainerError::HeaderCrc { .. })));
        assert!(matches!(Repr::parse(&img[..150]), Err(ContainerError::Truncated { len: 150, .. })));
        assert!(matches!(Repr::parse(b"TRUNKFX\0"), Err(ContainerError::BadMagic { .. })));
        let mut long = img.clone();
        long.push(0);
        assert!(matches!(
            Repr::parse_checked(&long),
            Err(ContainerError::Trailing { offset: 204, extra: 1 })
        ));
        assert!(build("", Semver::default(), 0, &[]).is_err());
    }

    #[test]
    fn semver_parse() {
        assert_eq!(Semver::parse("v2.10.1"), Some(Semver::new(2, 10, 1)));
        assert_eq!(Semver::parse("3"), Some(Semver::new(3, 0, 0)));
        assert_eq!(Semver::parse("1.x"), None);
        assert_eq!(Semver::parse("1.2.3.4"), None);
    }
}
