//! WAV files of telephony audio: 8 kHz mono 16-bit PCM, A-law (format tag 6) and µ-law (tag 7).
//!
//! The RIFF parsing is ours because common crates do not read tags 6/7 reliably. Anything else
//! (stereo, other rates, other encodings, truncated or malformed files) is a [`WavError`] naming
//! what was found.

use std::io::{Read, Write};
use std::path::Path;
use trunkline_dsp::g711::Law;

/// How the samples of a WAV file are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WavFormat {
    /// 16-bit signed little-endian linear PCM (tag 1).
    Pcm16,
    /// G.711 A-law, 8 bits per sample (tag 6).
    Alaw,
    /// G.711 µ-law, 8 bits per sample (tag 7).
    Ulaw,
}

impl WavFormat {
    /// The RIFF `wFormatTag`.
    pub const fn tag(self) -> u16 {
        match self {
            WavFormat::Pcm16 => 1,
            WavFormat::Alaw => 6,
            WavFormat::Ulaw => 7,
        }
    }

    const fn bits(self) -> u16 {
        match self {
            WavFormat::Pcm16 => 16,
            _ => 8,
        }
    }
}

/// Why a WAV file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not a RIFF/WAVE file.
    #[error("not a WAV file: {0}")]
    NotWav(String),
    /// A structural problem (missing or truncated chunk).
    #[error("malformed WAV file: {0}")]
    Malformed(String),
    /// A well-formed file in a format we do not take.
    #[error("unsupported WAV format: {0} (need 8000 Hz mono 16-bit PCM, A-law or µ-law)")]
    Unsupported(String),
}

/// A decoded WAV file.
#[derive(Clone, Debug, PartialEq)]
pub struct Wav {
    /// The encoding found in the file.
    pub format: WavFormat,
    /// Samples as 16-bit linear.
    pub samples: Vec<i16>,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[i], b[i + 1]])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

fn tag_name(tag: u16) -> String {
    match tag {
        1 => "PCM".into(),
        2 => "MS ADPCM".into(),
        3 => "IEEE float".into(),
        6 => "A-law".into(),
        7 => "µ-law".into(),
        0x11 => "IMA ADPCM".into(),
        0x31 => "GSM 6.10".into(),
        0x55 => "MP3".into(),
        t => format!("format tag {t:#06x}"),
    }
}

/// Parses a WAV file held in memory.
pub fn parse(b: &[u8]) -> Result<Wav, WavError> {
    if b.len() < 12 || &b[0..4] != b"RIFF" || &b[8..12] != b"WAVE" {
        let head: String =
            b.iter().take(4).map(|&c| if c.is_ascii_graphic() { c as char } else { '.' }).collect();
        return Err(WavError::NotWav(format!("no RIFF/WAVE header (starts with {head:?})")));
    }
    let mut i = 12;
    let mut fmt: Option<(WavFormat, u16)> = None;
    while i + 8 <= b.len() {
        let id = &b[i..i + 4];
        let len = u32_at(b, i + 4) as usize;
        let body_start = i + 8;
        let avail = b.len() - body_start;
        match id {
            b"fmt " => {
                if len < 16 || avail < 16 {
                    return Err(WavError::Malformed(format!("fmt chunk of {len} bytes (need 16)")));
                }
                let f = &b[body_start..body_start + len.min(avail)];
                let mut tag = u16_at(f, 0);
                let channels = u16_at(f, 2);
                let rate = u32_at(f, 4);
                let bits = u16_at(f, 14);
                if tag == 0xFFFE {
                    // WAVE_FORMAT_EXTENSIBLE: the real tag is the start of the sub-format GUID.
                    if f.len() < 26 {
                        return Err(WavError::Malformed("extensible fmt chunk too short".into()));
                    }
                    tag = u16_at(f, 24);
                }
                let format = match (tag, bits) {
                    (1, 16) => WavFormat::Pcm16,
                    (6, 8) => WavFormat::Alaw,
                    (7, 8) => WavFormat::Ulaw,
                    (t, bits) => {
                        return Err(WavError::Unsupported(format!(
                            "{}, {bits} bits, {channels} channel(s), {rate} Hz",
                            tag_name(t)
                        )))
                    }
                };
                if channels != 1 || rate != 8000 {
                    return Err(WavError::Unsupported(format!(
                        "{}, {bits} bits, {channels} channel(s), {rate} Hz",
                        tag_name(tag)
                    )));
                }
                fmt = Some((format, u16_at(f, 12)));
            }
            b"data" => {
                let Some((format, _align)) = fmt else {
                    return Err(WavError::Malformed("data chunk before fmt chunk".into()));
                };
                // Writers that stream leave the length at 0 or 0xFFFFFFFF: take what is there.
                let n = if len == 0 || len > avail { avail } else { len };
                let d = &b[body_start..body_start + n];
                let samples = match format {
                    WavFormat::Pcm16 => d.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect(),
                    WavFormat::Alaw => d.iter().map(|&c| Law::Alaw.decode(c)).collect(),
                    WavFormat::Ulaw => d.iter().map(|&c| Law::Ulaw.decode(c)).collect(),
                };
                return Ok(Wav { format, samples });
            }
            _ => {}
        }
        // Chunks are padded to even lengths.
        i = body_start.saturating_add(len).saturating_add(len & 1);
    }
    Err(WavError::Malformed(if fmt.is_none() { "no fmt chunk".into() } else { "no data chunk".into() }))
}

/// Reads a WAV file.
pub fn read(path: &Path) -> Result<Wav, WavError> {
    let mut b = Vec::new();
    std::fs::File::open(path)?.read_to_end(&mut b)?;
    parse(&b)
}

/// Encodes `samples` as a complete WAV file in `format`.
pub fn encode(format: WavFormat, samples: &[i16]) -> Vec<u8> {
    let bytes_per = format.bits() as u32 / 8;
    let data_len = samples.len() as u32 * bytes_per;
    let pcm = format == WavFormat::Pcm16;
    // Non-PCM formats carry cbSize in fmt and a fact chunk (sample count).
    let fmt_len: u32 = if pcm { 16 } else { 18 };
    let fact_len: u32 = if pcm { 0 } else { 12 };
    let riff_len = 4 + (8 + fmt_len) + fact_len + 8 + data_len + (data_len & 1);
    let mut o = Vec::with_capacity(riff_len as usize + 8);
    o.extend_from_slice(b"RIFF");
    o.extend_from_slice(&riff_len.to_le_bytes());
    o.extend_from_slice(b"WAVEfmt ");
    o.extend_from_slice(&fmt_len.to_le_bytes());
    o.extend_from_slice(&format.tag().to_le_bytes());
    o.extend_from_slice(&1u16.to_le_bytes());
    o.extend_from_slice(&8000u32.to_le_bytes());
    o.extend_from_slice(&(8000 * bytes_per).to_le_bytes());
    o.extend_from_slice(&(bytes_per as u16).to_le_bytes());
    o.extend_from_slice(&format.bits().to_le_bytes());
    if !pcm {
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(b"fact");
        o.extend_from_slice(&4u32.to_le_bytes());
        o.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    }
    o.extend_from_slice(b"data");
    o.extend_from_slice(&data_len.to_le_bytes());
    match format {
        WavFormat::Pcm16 => samples.iter().for_each(|s| o.extend_from_slice(&s.to_le_bytes())),
        WavFormat::Alaw => o.extend(samples.iter().map(|&s| Law::Alaw.encode(s))),
        WavFormat::Ulaw => o.extend(samples.iter().map(|&s| Law::Ulaw.encode(s))),
    }
    if data_len & 1 == 1 {
        o.push(0);
    }
    o
}

/// Writes `samples` to a WAV file at `path` in `format`.
pub fn write(path: &Path, format: WavFormat, samples: &[i16]) -> Result<(), WavError> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(&encode(format, samples))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_format() {
        let x: Vec<i16> = (0..1001).map(|i| ((i * 37) % 20000 - 10000) as i16).collect();
        for f in [WavFormat::Pcm16, WavFormat::Alaw, WavFormat::Ulaw] {
            let w = parse(&encode(f, &x)).unwrap();
            assert_eq!(w.format, f);
            assert_eq!(w.samples.len(), x.len());
            if f == WavFormat::Pcm16 {
                assert_eq!(w.samples, x);
            } else {
                let law = if f == WavFormat::Alaw { Law::Alaw } else { Law::Ulaw };
                let want: Vec<i16> = x.iter().map(|&s| law.decode(law.encode(s))).collect();
                assert_eq!(w.samples, want);
            }
        }
    }

    #[test]
    fn rejects_what_it_cannot_take_with_a_reason() {
        let mut stereo = encode(WavFormat::Pcm16, &[0; 10]);
        stereo[22] = 2;
        let e = parse(&stereo).unwrap_err().to_string();
        assert!(e.contains("2 channel"), "{e}");
        let mut rate = encode(WavFormat::Pcm16, &[0; 10]);
        rate[24..28].copy_from_slice(&44100u32.to_le_bytes());
        assert!(parse(&rate).unwrap_err().to_string().contains("44100 Hz"));
        let mut float = encode(WavFormat::Pcm16, &[0; 10]);
        float[20] = 3;
        float[34] = 32;
        assert!(parse(&float).unwrap_err().to_string().contains("IEEE float"));
        assert!(parse(b"OggS....").unwrap_err().to_string().contains("not a WAV"));
        let trunc = &encode(WavFormat::Pcm16, &[0; 10])[..30];
        assert!(matches!(parse(trunc), Err(WavError::Malformed(_))));
        // Any prefix of a valid file is an error or a shorter file, never a panic.
        let full = encode(WavFormat::Alaw, &[1; 33]);
        for n in 0..full.len() {
            let _ = parse(&full[..n]);
        }
    }
}
