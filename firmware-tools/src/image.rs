//! Format detection and the `inspect`/`verify` view of any supported image.

use crate::checksum::{crc32, sha256, to_hex};
use crate::container::{self, ContainerError, Semver};
use crate::digium::{self, DigiumError, DigiumVersion, Variant};
use crate::ihex::{HexError, HexImage, StartAddress};
use crate::raw;
use serde::Serialize;
use thiserror::Error;

/// The image formats `trunkfw` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// DIGIUM-headed DAHDI firmware.
    Digium,
    /// Intel HEX text.
    IntelHex,
    /// Header-less binary.
    Raw,
    /// Trunkline container.
    Trunkline,
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Format::Digium => "digium",
            Format::IntelHex => "intel-hex",
            Format::Raw => "raw",
            Format::Trunkline => "trunkline",
        })
    }
}

/// A structural error that stops an image from being read at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImageError {
    /// DIGIUM image error.
    #[error("DIGIUM image: {0}")]
    Digium(DigiumError),
    /// Intel HEX error.
    #[error("Intel HEX: {0}")]
    Hex(HexError),
    /// Trunkline container error.
    #[error("Trunkline image: {0}")]
    Container(ContainerError),
    /// Zero-length file.
    #[error("empty file (offset 0)")]
    Empty,
}

impl From<DigiumError> for ImageError {
    fn from(e: DigiumError) -> Self {
        ImageError::Digium(e)
    }
}

impl From<HexError> for ImageError {
    fn from(e: HexError) -> Self {
        ImageError::Hex(e)
    }
}

impl From<ContainerError> for ImageError {
    fn from(e: ContainerError) -> Self {
        ImageError::Container(e)
    }
}

/// Picks the format from the content, using the name only for HEX files that do not look like text.
pub fn detect(name: &str, bytes: &[u8]) -> Format {
    if bytes.starts_with(container::MAGIC) {
        return Format::Trunkline;
    }
    if bytes.starts_with(digium::MAGIC) {
        return Format::Digium;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".hex") || lower.ends_with(".mcs") || lower.ends_with(".ihx") {
        return Format::IntelHex;
    }
    let first = bytes.iter().find(|c| !c.is_ascii_whitespace());
    if matches!(first, Some(b':') | Some(b'#')) && bytes.iter().all(|&c| c.is_ascii() && c != 0) {
        return Format::IntelHex;
    }
    Format::Raw
}

/// One checksum, stored against computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checksum {
    /// Which checksum (`crc32`, `sha256`, `header-crc32`, `bsd16`).
    pub kind: String,
    /// What it covers.
    pub covers: String,
    /// Value stored in the file, if the format stores one.
    pub stored: Option<String>,
    /// Value computed now.
    pub computed: String,
    /// Whether stored equals computed (`None` when nothing is stored).
    pub ok: Option<bool>,
}

/// An address range `[start, end)` holding data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
}

/// A declared version, kept typed so `--expect-version` compares values, not spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// DIGIUM 32-bit word.
    Word(u32),
    /// Major.minor pair.
    MajorMinor(u8, u8),
    /// Trunkline semver.
    Semver(Semver),
    /// Free text from a file name.
    Named(String),
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Version::Word(w) => write!(f, "{w:#010x}"),
            Version::MajorMinor(a, b) => write!(f, "{a}.{b}"),
            Version::Semver(s) => write!(f, "{s}"),
            Version::Named(n) => f.write_str(n),
        }
    }
}

fn parse_u32(s: &str) -> Option<u32> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

impl Version {
    /// Whether a version given on the command line names this version.
    pub fn matches(&self, expect: &str) -> bool {
        let expect = expect.trim();
        match self {
            Version::Word(w) => parse_u32(expect) == Some(*w),
            Version::MajorMinor(a, b) => {
                let mut it = expect.split('.');
                let (x, y) = (
                    it.next().and_then(|s| s.parse::<u8>().ok()),
                    it.next().and_then(|s| s.parse::<u8>().ok()),
                );
                x == Some(*a) && y == Some(*b) && it.next().is_none()
            }
            Version::Semver(s) => Semver::parse(expect) == Some(*s),
            Version::Named(n) => {
                let e = expect.strip_prefix(['v', 'V']).unwrap_or(expect);
                e.eq_ignore_ascii_case(n)
            }
        }
    }
}

/// Everything `trunkfw inspect` reports about a file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// File name as given.
    pub file: String,
    /// Detected format.
    pub format: Format,
    /// Layout variant within the format (`standard`, `vpmoct032`, `hx8`).
    pub variant: Option<String>,
    /// Vendor, when known.
    pub vendor: Option<String>,
    /// Device or board model, when known.
    pub device: Option<String>,
    /// Declared version, rendered.
    pub version: Option<String>,
    #[serde(skip)]
    /// Declared version, typed.
    pub version_value: Option<Version>,
    /// File size in octets.
    pub size: usize,
    /// Payload (data) size in octets.
    pub payload_len: usize,
    /// Checksums.
    pub checksums: Vec<Checksum>,
    /// Address ranges holding data.
    pub ranges: Vec<Range>,
    /// Start/entry address, if given.
    pub start_address: Option<String>,
    /// Integrity problems found (empty when intact).
    pub problems: Vec<String>,
}

impl Report {
    /// True when every stored checksum matches.
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

fn ck(kind: &str, covers: &str, stored: Option<String>, computed: String) -> Checksum {
    let ok = stored.as_ref().map(|s| *s == computed);
    Checksum { kind: kind.into(), covers: covers.into(), stored, computed, ok }
}

/// Reads any supported image and reports on it; only structural damage is an `Err`.
pub fn inspect(name: &str, bytes: &[u8]) -> Result<Report, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    let format = detect(name, bytes);
    let mut r = Report {
        file: name.to_string(),
        format,
        variant: None,
        vendor: None,
        device: None,
        version: None,
        version_value: None,
        size: bytes.len(),
        payload_len: 0,
        checksums: vec![],
        ranges: vec![],
        start_address: None,
        problems: vec![],
    };
    match format {
        Format::Digium => {
            let d = digium::Repr::parse_auto(bytes, Some(name))?;
            r.variant = Some(
                match d.variant {
                    Variant::Standard => "standard",
                    Variant::VpmOct032 => "vpmoct032",
                    Variant::Hx8 => "hx8",
                }
                .into(),
            );
            r.vendor = Some("Digium".into());
            r.device = digium::device_from_name(name);
            r.version_value = Some(match d.version {
                DigiumVersion::Word(w) => Version::Word(w),
                DigiumVersion::MajorMinor(a, b) => Version::MajorMinor(a, b),
            });
            r.payload_len = d.payload.len();
            let covers = if d.variant == Variant::Hx8 { "octets 0..end-4" } else { "octets 10..end" };
            r.checksums.push(ck(
                "crc32",
                covers,
                Some(format!("{:#010x}", d.stored_crc)),
                format!("{:#010x}", d.computed_crc),
            ));
            if let Err(e) = d.check() {
                r.problems.push(e.to_string());
            }
            let off = if d.variant == Variant::Hx8 { 8 } else { 32 };
            r.ranges.push(Range { start: off, end: (off as usize + d.payload.len()) as u64 });
        }
        Format::IntelHex => {
            let h = HexImage::parse(bytes)?;
            r.payload_len = h.data_len();
            r.ranges = h.ranges().into_iter().map(|(s, e)| Range { start: u64::from(s), end: e }).collect();
            r.checksums.push(ck(
                "record-checksums",
                &format!("{} data records", h.data_records),
                None,
                "all valid".into(),
            ));
            r.checksums.push(ck(
                "bsd16",
                "data in address order (Astribank identity)",
                None,
                format!("{:05}", h.bsd_sum()),
            ));
            r.start_address = h.start.map(|s| match s {
                StartAddress::Segment { cs, ip } => format!("{cs:04x}:{ip:04x}"),
                StartAddress::Linear(a) => format!("{a:#010x}"),
            });
            let n = raw::parse_name(name);
            r.vendor = n.vendor;
            r.device = n.model;
            r.version_value = n.version.map(Version::Named);
        }
        Format::Raw => {
            let n = raw::parse_name(name);
            r.vendor = n.vendor;
            r.device = n.model;
            r.version_value = n.version.map(Version::Named);
            r.payload_len = bytes.len();
            r.ranges.push(Range { start: 0, end: bytes.len() as u64 });
            r.checksums.push(ck("crc32", "whole file", None, format!("{:#010x}", crc32(bytes))));
            r.checksums.push(ck("sha256", "whole file", None, to_hex(&sha256(bytes))));
        }
        Format::Trunkline => {
            let c = container::Repr::parse(bytes)?;
            r.vendor = Some("Trunkline".into());
            r.device = Some(c.model.clone());
            r.version_value = Some(Version::Semver(c.version));
            r.payload_len = c.payload.len();
            let start = u64::from(c.load_address);
            r.ranges.push(Range { start, end: start + c.payload.len() as u64 });
            let hex32 = |v: u32| format!("{v:#010x}");
            r.checksums.push(ck(
                "header-crc32",
                "octets 0..96",
                Some(hex32(c.header_crc.0)),
                hex32(c.header_crc.1),
            ));
            r.checksums.push(ck("crc32", "payload", Some(hex32(c.crc.0)), hex32(c.crc.1)));
            r.checksums.push(ck("sha256", "payload", Some(to_hex(&c.sha256.0)), to_hex(&c.sha256.1)));
            if let Err(e) = c.check() {
                r.problems.push(e.to_string());
            }
        }
    }
    r.version = r.version_value.as_ref().map(Version::to_string);
    Ok(r)
}

/// Checks a report against `--expect-version` and `--model`; returns every reason it fails.
pub fn verify(report: &Report, expect_version: Option<&str>, model: Option<&str>) -> Vec<String> {
    let mut why = report.problems.clone();
    if let Some(v) = expect_version {
        match &report.version_value {
            Some(have) if have.matches(v) => {}
            Some(have) => why.push(format!("version {have} does not match expected {v}")),
            None => why.push(format!("image declares no version (expected {v})")),
        }
    }
    if let Some(m) = model {
        match &report.device {
            Some(d) if d.eq_ignore_ascii_case(m) => {}
            Some(d) => why.push(format!("image is for model {d}, not {m}")),
            None => why.push(format!("image does not name a model (expected {m})")),
        }
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_verifies_each_format() {
        let dg = digium::build(Variant::Standard, DigiumVersion::Word(0x0013_001e), &[1, 2, 3]).unwrap();
        let r = inspect("dahdi-fw-te820.bin", &dg).unwrap();
        assert_eq!((r.format, r.device.as_deref()), (Format::Digium, Some("te820")));
        assert!(verify(&r, Some("0x0013001e"), Some("te820")).is_empty());
        assert!(verify(&r, Some("1245214"), None).is_empty());
        assert_eq!(verify(&r, Some("0x0013001f"), Some("te133")).len(), 2);

        let tl = container::build("TL-E1-4", Semver::new(2, 0, 1), 0x1000, b"xyz").unwrap();
        let r = inspect("fw.tlfw", &tl).unwrap();
        assert_eq!(r.format, Format::Trunkline);
        assert!(verify(&r, Some("2.0.1"), Some("tl-e1-4")).is_empty());
        assert_eq!(r.ranges, vec![Range { start: 0x1000, end: 0x1003 }]);

        let r = inspect("A104dm_0100_V45.BIN", &[0u8; 64]).unwrap();
        assert_eq!(r.format, Format::Raw);
        assert!(verify(&r, Some("V45"), Some("A104DM")).is_empty());

        let r = inspect("fpga.hex", b":0100000055AA\n:00000001FF\n").unwrap();
        assert_eq!(r.format, Format::IntelHex);
        assert_eq!(r.payload_len, 1);
    }

    #[test]
    fn damage_is_reported_not_hidden() {
        let mut dg = digium::build(Variant::Standard, DigiumVersion::Word(1), &[1, 2, 3]).unwrap();
        dg[32] = 9;
        let r = inspect("dahdi-fw-te820.bin", &dg).unwrap();
        assert!(!r.intact());
        assert_eq!(r.checksums[0].ok, Some(false));
        assert!(!verify(&r, None, None).is_empty());
        assert!(matches!(inspect("x", &[]), Err(ImageError::Empty)));
        assert!(matches!(inspect("x.hex", b":00000001FE\n"), Err(ImageError::Hex(_))));
    }
}
