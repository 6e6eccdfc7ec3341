//! Intel HEX reader and writer (Xorcom Astribank FPGA/PIC/USB images, Sangoma `.HEX`/`.MCS`).
//!
//! Records `:LLAAAATT<data>CC`, types 00–05, `#` comment lines and blank lines allowed. Every error
//! names the 1-based line it was found on.

use crate::checksum::bsd_sum16;
use thiserror::Error;

/// Largest flat binary we agree to produce from a HEX file (guards against sparse 4 GiB spans).
pub const MAX_FLAT_LEN: usize = 64 << 20;

/// Why a HEX file was rejected; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {kind}")]
pub struct HexError {
    /// Line where the problem is.
    pub line: usize,
    /// What is wrong.
    pub kind: HexErrorKind,
}

/// The kinds of HEX file errors.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HexErrorKind {
    /// A record line does not start with ':'.
    #[error("record does not start with ':'")]
    MissingColon,
    /// A character that is not a hex digit.
    #[error("invalid hex digit at column {column}")]
    BadDigit {
        /// 1-based column.
        column: usize,
    },
    /// An odd number of hex digits.
    #[error("odd number of hex digits")]
    OddDigits,
    /// Fewer than the 5 octets every record has.
    #[error("record too short ({0} octets, need at least 5)")]
    TooShort(usize),
    /// Length field disagrees with the digits present.
    #[error("length field says {declared} data octets but the record holds {actual}")]
    LengthMismatch {
        /// Declared data length.
        declared: usize,
        /// Actual data length.
        actual: usize,
    },
    /// The record's octets do not sum to zero.
    #[error("bad record checksum: stored {stored:#04x}, computed {computed:#04x}")]
    BadChecksum {
        /// Checksum octet in the record.
        stored: u8,
        /// Checksum that would be correct.
        computed: u8,
    },
    /// Record type other than 00–05.
    #[error("unknown record type {0:#04x}")]
    UnknownType(u8),
    /// An address or EOF record with the wrong data length.
    #[error("record type {record_type:02x} must carry {expected} data octets, found {found}")]
    BadRecordLength {
        /// Record type.
        record_type: u8,
        /// Required data length.
        expected: usize,
        /// Actual data length.
        found: usize,
    },
    /// Data overlaps data from an earlier line.
    #[error("data at {address:#010x}..{end:#010x} overlaps data from line {other_line}")]
    Overlap {
        /// Start of the overlapping record.
        address: u32,
        /// End (exclusive) of the overlapping record.
        end: u64,
        /// The other record's line.
        other_line: usize,
    },
    /// A record after the end-of-file record.
    #[error("record after end-of-file record (line {eof_line})")]
    AfterEof {
        /// Line of the EOF record.
        eof_line: usize,
    },
    /// The file ends without an end-of-file record.
    #[error("truncated: no end-of-file record (type 01)")]
    MissingEof,
    /// Data would extend past 4 GiB.
    #[error("address overflow past 4 GiB")]
    AddressOverflow,
}

/// Errors when turning an image into HEX text or a flat binary.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HexWriteError {
    /// Only 16- and 32-octet records are produced.
    #[error("record size must be 16 or 32, not {0}")]
    RecordSize(usize),
    /// Segment addressing only reaches 1 MiB.
    #[error("address {0:#x} is beyond the 1 MiB reach of extended segment addressing")]
    SegmentReach(u64),
    /// Requested base address is above the lowest data address.
    #[error("base {base:#x} is above the lowest data address {lowest:#x}")]
    BaseAboveData {
        /// Requested base.
        base: u32,
        /// Lowest data address.
        lowest: u32,
    },
    /// The flat binary would be unreasonably large.
    #[error("flat image would be {0} octets (limit {MAX_FLAT_LEN})")]
    TooLarge(u64),
    /// The payload does not fit below 4 GiB at the requested base.
    #[error("data does not fit below 4 GiB")]
    AddressOverflow,
}

/// Start address records (types 03 and 05).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum StartAddress {
    /// Type 03: CS:IP.
    Segment {
        /// Code segment.
        cs: u16,
        /// Instruction pointer.
        ip: u16,
    },
    /// Type 05: 32-bit EIP.
    Linear(u32),
}

/// A contiguous run of data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Address of the first octet.
    pub address: u32,
    /// The octets.
    pub data: Vec<u8>,
}

impl Segment {
    /// One past the last address (as u64, so a segment ending at 4 GiB is representable).
    pub fn end(&self) -> u64 {
        u64::from(self.address) + self.data.len() as u64
    }
}

/// A parsed HEX file: sorted, non-overlapping, merged data segments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HexImage {
    /// Data segments sorted by address; adjacent runs merged.
    pub segments: Vec<Segment>,
    /// Start address, if the file gives one.
    pub start: Option<StartAddress>,
    /// Number of data records read.
    pub data_records: usize,
}

/// How extended addresses are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddressMode {
    /// Type 04 records (32-bit addresses).
    #[default]
    Linear,
    /// Type 02 records (20-bit addresses).
    Segment,
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes one record line (without the line ending) into its octets.
fn decode_record(line: &[u8]) -> Result<Vec<u8>, HexErrorKind> {
    let body = line.strip_prefix(b":").ok_or(HexErrorKind::MissingColon)?;
    if let Some(i) = body.iter().position(|&c| hex_val(c).is_none()) {
        return Err(HexErrorKind::BadDigit { column: i + 2 });
    }
    if body.len() % 2 != 0 {
        return Err(HexErrorKind::OddDigits);
    }
    let bytes: Vec<u8> = body
        .chunks_exact(2)
        .map(|p| (hex_val(p[0]).unwrap_or(0) << 4) | hex_val(p[1]).unwrap_or(0))
        .collect();
    if bytes.len() < 5 {
        return Err(HexErrorKind::TooShort(bytes.len()));
    }
    let declared = usize::from(bytes[0]);
    if bytes.len() != declared + 5 {
        return Err(HexErrorKind::LengthMismatch { declared, actual: bytes.len() - 5 });
    }
    let sum = bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b));
    if sum != 0 {
        let stored = bytes[bytes.len() - 1];
        let computed = stored.wrapping_sub(sum);
        return Err(HexErrorKind::BadChecksum { stored, computed });
    }
    Ok(bytes)
}

impl HexImage {
    /// Parses HEX text. Data records may come in any order but must not overlap.
    pub fn parse(text: &[u8]) -> Result<HexImage, HexError> {
        let mut base: u32 = 0;
        let mut records: Vec<(u32, Vec<u8>, usize)> = Vec::new();
        let mut start = None;
        let mut eof_line = None;
        let mut last_line = 0;
        for (idx, raw) in text.split(|&c| c == b'\n').enumerate() {
            let line_no = idx + 1;
            last_line = line_no;
            let line = raw.strip_suffix(b"\r").unwrap_or(raw);
            let trimmed = line.trim_ascii();
            if trimmed.is_empty() || trimmed.starts_with(b"#") {
                continue;
            }
            let err = |kind| HexError { line: line_no, kind };
            if let Some(eof_line) = eof_line {
                return Err(err(HexErrorKind::AfterEof { eof_line }));
            }
            let rec = decode_record(trimmed).map_err(err)?;
            let len = usize::from(rec[0]);
            let offset = u16::from_be_bytes([rec[1], rec[2]]);
            let rtype = rec[3];
            let data = &rec[4..4 + len];
            let need = |expected: usize| {
                if len == expected {
                    Ok(())
                } else {
                    Err(err(HexErrorKind::BadRecordLength { record_type: rtype, expected, found: len }))
                }
            };
            match rtype {
                0x00 => {
                    if len == 0 {
                        continue;
                    }
                    let addr =
                        base.checked_add(u32::from(offset)).ok_or(err(HexErrorKind::AddressOverflow))?;
                    if u64::from(addr) + len as u64 > 1 << 32 {
                        return Err(err(HexErrorKind::AddressOverflow));
                    }
                    records.push((addr, data.to_vec(), line_no));
                }
                0x01 => {
                    need(0)?;
                    eof_line = Some(line_no);
                }
                0x02 => {
                    need(2)?;
                    base = u32::from(u16::from_be_bytes([data[0], data[1]])) << 4;
                }
                0x03 => {
                    need(4)?;
                    start = Some(StartAddress::Segment {
                        cs: u16::from_be_bytes([data[0], data[1]]),
                        ip: u16::from_be_bytes([data[2], data[3]]),
                    });
                }
                0x04 => {
                    need(2)?;
                    base = u32::from(u16::from_be_bytes([data[0], data[1]])) << 16;
                }
                0x05 => {
                    need(4)?;
                    start =
                        Some(StartAddress::Linear(u32::from_be_bytes([data[0], data[1], data[2], data[3]])));
                }
                t => return Err(err(HexErrorKind::UnknownType(t))),
            }
        }
        if eof_line.is_none() {
            return Err(HexError { line: last_line.max(1), kind: HexErrorKind::MissingEof });
        }
        let data_records = records.len();
        // Sort by address (stable, so equal addresses keep file order) and reject overlaps.
        records.sort_by_key(|r| r.0);
        let mut segments: Vec<Segment> = Vec::new();
        let mut last: Option<(u64, usize)> = None;
        for (addr, data, line) in records {
            let end = u64::from(addr) + data.len() as u64;
            if let Some((prev_end, prev_line)) = last {
                if u64::from(addr) < prev_end {
                    let (line, other_line) = (line.max(prev_line), line.min(prev_line));
                    return Err(HexError {
                        line,
                        kind: HexErrorKind::Overlap { address: addr, end, other_line },
                    });
                }
            }
            last = Some((end, line));
            match segments.last_mut() {
                Some(s) if s.end() == u64::from(addr) => s.data.extend_from_slice(&data),
                _ => segments.push(Segment { address: addr, data }),
            }
        }
        Ok(HexImage { segments, start, data_records })
    }

    /// An image holding `data` at `address`.
    pub fn from_binary(address: u32, data: &[u8]) -> Result<HexImage, HexWriteError> {
        if u64::from(address) + data.len() as u64 > 1 << 32 {
            return Err(HexWriteError::AddressOverflow);
        }
        let segments = if data.is_empty() { vec![] } else { vec![Segment { address, data: data.to_vec() }] };
        Ok(HexImage { segments, start: None, data_records: 0 })
    }

    /// Total data octets.
    pub fn data_len(&self) -> usize {
        self.segments.iter().map(|s| s.data.len()).sum()
    }

    /// Address ranges `[start, end)` holding data.
    pub fn ranges(&self) -> Vec<(u32, u64)> {
        self.segments.iter().map(|s| (s.address, s.end())).collect()
    }

    /// The Astribank image identity: 16-bit BSD sum of the data in address order.
    pub fn bsd_sum(&self) -> u16 {
        bsd_sum16(self.segments.iter().map(|s| s.data.as_slice()))
    }

    /// Flattens to one binary starting at `base` (default: lowest address), gaps filled with `fill`.
    pub fn to_binary(&self, base: Option<u32>, fill: u8) -> Result<(u32, Vec<u8>), HexWriteError> {
        let lowest = self.segments.first().map(|s| s.address).unwrap_or(0);
        let base = base.unwrap_or(lowest);
        if !self.segments.is_empty() && base > lowest {
            return Err(HexWriteError::BaseAboveData { base, lowest });
        }
        let end = self.segments.last().map(|s| s.end()).unwrap_or(u64::from(base));
        let len = end - u64::from(base);
        if len > MAX_FLAT_LEN as u64 {
            return Err(HexWriteError::TooLarge(len));
        }
        let mut out = vec![fill; len as usize];
        for s in &self.segments {
            let o = (s.address - base) as usize;
            out[o..o + s.data.len()].copy_from_slice(&s.data);
        }
        Ok((base, out))
    }

    /// Writes HEX text with `record_size` (16 or 32) data octets per record.
    pub fn to_hex(&self, record_size: usize, mode: AddressMode) -> Result<String, HexWriteError> {
        if record_size != 16 && record_size != 32 {
            return Err(HexWriteError::RecordSize(record_size));
        }
        let mut out = String::new();
        let mut upper: u32 = 0;
        for s in &self.segments {
            if mode == AddressMode::Segment && s.end() > 1 << 20 {
                return Err(HexWriteError::SegmentReach(s.end()));
            }
            let mut pos = 0usize;
            while pos < s.data.len() {
                let addr = s.address + pos as u32;
                let hi = addr >> 16;
                if hi != upper {
                    upper = hi;
                    match mode {
                        AddressMode::Linear => emit(&mut out, 0, 0x04, &(hi as u16).to_be_bytes()),
                        AddressMode::Segment => emit(&mut out, 0, 0x02, &((hi << 12) as u16).to_be_bytes()),
                    }
                }
                // Never let a record run across a 64 KiB boundary.
                let to_boundary = 0x1_0000 - (addr & 0xFFFF) as usize;
                let n = record_size.min(s.data.len() - pos).min(to_boundary);
                emit(&mut out, (addr & 0xFFFF) as u16, 0x00, &s.data[pos..pos + n]);
                pos += n;
            }
        }
        match self.start {
            Some(StartAddress::Segment { cs, ip }) => {
                let mut d = cs.to_be_bytes().to_vec();
                d.extend_from_slice(&ip.to_be_bytes());
                emit(&mut out, 0, 0x03, &d);
            }
            Some(StartAddress::Linear(eip)) => emit(&mut out, 0, 0x05, &eip.to_be_bytes()),
            None => {}
        }
        emit(&mut out, 0, 0x01, &[]);
        Ok(out)
    }
}

fn emit(out: &mut String, offset: u16, rtype: u8, data: &[u8]) {
    use std::fmt::Write;
    let mut rec = vec![data.len() as u8];
    rec.extend_from_slice(&offset.to_be_bytes());
    rec.push(rtype);
    rec.extend_from_slice(data);
    let sum = rec.iter().fold(0u8, |a, &b| a.wrapping_add(b));
    rec.push(sum.wrapping_neg());
    out.push(':');
    for b in rec {
        let _ = write!(out, "{b:02X}");
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# Astribank FPGA test image\n\
:10010000214601360121470136007EFE09D2190140\n\
:100110002146017E17C20001FF5F16002148011928\n\
:00000001FF\n";

    #[test]
    fn parses_classic_sample() {
        let img = HexImage::parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(img.segments.len(), 1);
        assert_eq!(img.segments[0].address, 0x0100);
        assert_eq!(img.data_len(), 32);
        assert_eq!(img.data_records, 2);
        assert_eq!(img.segments[0].data[..4], [0x21, 0x46, 0x01, 0x36]);
    }

    #[test]
    fn errors_name_the_line() {
        let bad = SAMPLE.replace(
            ":100110002146017E17C20001FF5F16002148011928",
            ":100110002146017E17C20001FF5F16002148011929",
        );
        let e = HexImage::parse(bad.as_bytes()).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(matches!(e.kind, HexErrorKind::BadChecksum { stored: 0x29, computed: 0x28 }));
        assert!(e.to_string().starts_with("line 3: bad record checksum"));

        let trunc = &SAMPLE[..SAMPLE.len() - 12];
        assert_eq!(HexImage::parse(trunc.as_bytes()).unwrap_err().kind, HexErrorKind::MissingEof);

        let unknown = ":0000000AF6\n:00000001FF\n";
        let e = HexImage::parse(unknown.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.kind), (1, HexErrorKind::UnknownType(0x0A)));

        let overlap = ":020000001122CB\n:02000100334486\n:00000001FF\n";
        let e = HexImage::parse(overlap.as_bytes()).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(matches!(e.kind, HexErrorKind::Overlap { address: 1, other_line: 1, .. }));

        let after = ":00000001FF\n:0200000011223B\n";
        assert_eq!(
            HexImage::parse(after.as_bytes()).unwrap_err().kind,
            HexErrorKind::AfterEof { eof_line: 1 }
        );
        assert_eq!(HexImage::parse(b":0G").unwrap_err().kind, HexErrorKind::BadDigit { column: 3 });
        assert_eq!(HexImage::parse(b"0000").unwrap_err().kind, HexErrorKind::MissingColon);
    }

    #[test]
    fn extended_addresses_read() {
        // Linear base 0x0001_0000, then segment base 0x2000 << 4 = 0x20000.
        let text = ":020000040001F9\n:0100000055AA\n:020000022000DC\n:010010006689\n:00000001FF\n";
        let img = HexImage::parse(text.as_bytes()).unwrap();
        assert_eq!(img.ranges(), vec![(0x1_0000, 0x1_0001), (0x2_0010, 0x2_0011)]);
    }

    #[test]
    fn write_read_round_trip_with_fill() {
        let mut img = HexImage::from_binary(0xFFF0, &[7u8; 40]).unwrap();
        img.segments.push(Segment { address: 0x2_0000, data: vec![1, 2, 3] });
        img.start = Some(StartAddress::Linear(0x1234));
        for rs in [16, 32] {
            for mode in [AddressMode::Linear, AddressMode::Segment] {
                let text = img.to_hex(rs, mode).unwrap();
                let back = HexImage::parse(text.as_bytes()).unwrap();
                assert_eq!(back.segments, img.segments, "{text}");
                assert_eq!(back.start, img.start);
            }
        }
        let (base, flat) = img.to_binary(None, 0xFF).unwrap();
        assert_eq!(base, 0xFFF0);
        assert_eq!(flat.len(), 0x2_0003 - 0xFFF0);
        assert_eq!(flat[40], 0xFF);
        assert_eq!(&flat[flat.len() - 3..], &[1, 2, 3]);
        assert!(img.to_hex(8, AddressMode::Linear).is_err());
        assert!(HexImage::from_binary(0x20_0000, &[1]).unwrap().to_hex(16, AddressMode::Segment).is_err());
    }
}
