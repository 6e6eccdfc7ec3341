//! WAV files for call recordings: a writer for 16-bit PCM, A-law (format tag 6) and µ-law (tag
//! 7), mono or stereo, whose header sizes are patched on close and periodically while writing; a
//! reader back to 16-bit samples; and the repair of files cut short by a crash.
//!
//! The RIFF header is written here rather than with `hound`, which cannot write G.711. For G.711
//! the `fmt ` chunk has the 18-byte form and a `fact` chunk (sample frames) precedes `data`, as
//! the WAVE specification asks for non-PCM formats. `data` is always the last chunk, so a crash
//! only ever leaves a file whose header sizes lag behind its length.

use core::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use trunkline_dsp::g711::Law;

/// Longest header this module will scan for the `data` chunk.
const MAX_HEADER: usize = 64 * 1024;

/// Sample encoding of a recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WavFormat {
    /// Linear 16-bit PCM (format tag 1).
    Pcm16,
    /// G.711 A-law (format tag 6), one byte per sample.
    Alaw,
    /// G.711 µ-law (format tag 7), one byte per sample.
    Ulaw,
}

impl WavFormat {
    /// The WAVE format tag.
    pub fn tag(self) -> u16 {
        match self {
            WavFormat::Pcm16 => 1,
            WavFormat::Alaw => 6,
            WavFormat::Ulaw => 7,
        }
    }

    /// Bytes per sample of one channel.
    pub fn sample_bytes(self) -> u16 {
        match self {
            WavFormat::Pcm16 => 2,
            WavFormat::Alaw | WavFormat::Ulaw => 1,
        }
    }

    /// Name as stored in the recordings index.
    pub fn name(self) -> &'static str {
        match self {
            WavFormat::Pcm16 => "pcm16",
            WavFormat::Alaw => "alaw",
            WavFormat::Ulaw => "ulaw",
        }
    }

    fn from_tag(tag: u16, bits: u16) -> Option<WavFormat> {
        match (tag, bits) {
            (1, 16) => Some(WavFormat::Pcm16),
            (6, 8) => Some(WavFormat::Alaw),
            (7, 8) => Some(WavFormat::Ulaw),
            _ => None,
        }
    }

    fn law(self) -> Option<Law> {
        match self {
            WavFormat::Pcm16 => None,
            WavFormat::Alaw => Some(Law::Alaw),
            WavFormat::Ulaw => Some(Law::Ulaw),
        }
    }
}

/// Shape of a recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavSpec {
    /// Sample encoding.
    pub format: WavFormat,
    /// 1 (caller and agent mixed) or 2 (left = caller / far end received, right = agent / our
    /// transmitted audio).
    pub channels: u16,
    /// Samples per second per channel (8,000 on telephone lines).
    pub sample_rate: u32,
}

impl WavSpec {
    /// Bytes of one sample frame (all channels).
    pub fn block_align(&self) -> u16 {
        self.format.sample_bytes() * self.channels
    }

    fn header(&self) -> Vec<u8> {
        let g711 = self.format != WavFormat::Pcm16;
        let mut h = Vec::with_capacity(58);
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(b"WAVE");
        h.extend_from_slice(b"fmt ");
        h.extend_from_slice(&(if g711 { 18u32 } else { 16 }).to_le_bytes());
        h.extend_from_slice(&self.format.tag().to_le_bytes());
        h.extend_from_slice(&self.channels.to_le_bytes());
        h.extend_from_slice(&self.sample_rate.to_le_bytes());
        h.extend_from_slice(&(self.sample_rate * u32::from(self.block_align())).to_le_bytes());
        h.extend_from_slice(&self.block_align().to_le_bytes());
        h.extend_from_slice(&(self.format.sample_bytes() * 8).to_le_bytes());
        if g711 {
            h.extend_from_slice(&0u16.to_le_bytes());
            h.extend_from_slice(b"fact");
            h.extend_from_slice(&4u32.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes());
        }
        h.extend_from_slice(b"data");
        h.extend_from_slice(&0u32.to_le_bytes());
        let riff = (h.len() - 8) as u32;
        h[4..8].copy_from_slice(&riff.to_le_bytes());
        h
    }
}

/// Why a WAV file could not be written, read or repaired.
#[derive(Debug, thiserror::Error)]
pub enum WavError {
    /// The file system failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// The file is not a WAV file this module understands.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WavError + '_ {
    move |source| WavError::Io { path: path.to_path_buf(), source }
}

/// What a finished recording holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WavInfo {
    /// Sample frames written.
    pub frames: u64,
    /// Length of the audio.
    pub duration_ms: u64,
    /// Size of the file.
    pub bytes: u64,
}

/// Writes one recording. Header sizes are brought up to date every `patch_every_frames` frames
/// (one second of audio by default) and on [`finish`](WavWriter::finish), so a crash loses at
/// most the audio since the last patch from the header's point of view (and [`repair`] recovers
/// even that).
pub struct WavWriter {
    out: BufWriter<File>,
    path: PathBuf,
    spec: WavSpec,
    data_off: u64,
    fact_off: Option<u64>,
    frames: u64,
    unpatched: u64,
    patch_every: u64,
    buf: Vec<u8>,
}

impl WavWriter {
    /// Creates (truncating) `path` and writes the header.
    pub fn create(path: impl AsRef<Path>, spec: WavSpec) -> Result<WavWriter, WavError> {
        let path = path.as_ref();
        if !(1..=2).contains(&spec.channels) || spec.sample_rate == 0 || spec.sample_rate > 384_000 {
            return Err(WavError::Invalid {
                path: path.to_path_buf(),
                reason: format!("unsupported shape: {} channels at {} Hz", spec.channels, spec.sample_rate),
            });
        }
        let file = File::create(path).map_err(io_err(path))?;
        let header = spec.header();
        let mut out = BufWriter::with_capacity(64 * 1024, file);
        out.write_all(&header).and_then(|()| out.flush()).map_err(io_err(path))?;
        let g711 = spec.format != WavFormat::Pcm16;
        Ok(WavWriter {
            out,
            path: path.to_path_buf(),
            spec,
            data_off: header.len() as u64,
            fact_off: g711.then_some(46),
            frames: 0,
            unpatched: 0,
            patch_every: u64::from(spec.sample_rate),
            buf: Vec::new(),
        })
    }

    /// Patches the header every `frames` frames instead of every second (0: only on close).
    pub fn set_patch_interval(&mut self, frames: u64) {
        self.patch_every = frames;
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its shape.
    pub fn spec(&self) -> WavSpec {
        self.spec
    }

    /// Sample frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Writes one block of a call: `rx` is what the far end sent, `tx` what we sent. Stereo puts
    /// `rx` left and `tx` right; mono mixes them (saturating). A shorter side is padded with
    /// silence.
    pub fn write_call(&mut self, rx: &[i16], tx: &[i16]) -> Result<(), WavError> {
        let n = rx.len().max(tx.len());
        let law = self.spec.format.law();
        self.buf.clear();
        let at = |s: &[i16], k: usize| s.get(k).copied().unwrap_or(0);
        if rx.len() == n && tx.len() == n {
            // The usual case, in straight loops (one per shape) the compiler can unroll.
            match (self.spec.channels, law) {
                (2, Some(l)) => {
                    self.buf.reserve(2 * n);
                    for (&a, &b) in rx.iter().zip(tx) {
                        self.buf.extend_from_slice(&[l.encode(a), l.encode(b)]);
                    }
                }
                (2, None) => {
                    self.buf.reserve(4 * n);
                    for (&a, &b) in rx.iter().zip(tx) {
                        let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
                        self.buf.extend_from_slice(&[a[0], a[1], b[0], b[1]]);
                    }
                }
                (_, Some(l)) => {
                    self.buf.extend(rx.iter().zip(tx).map(|(&a, &b)| l.encode(a.saturating_add(b))));
                }
                (_, None) => {
                    self.buf.reserve(2 * n);
                    for (&a, &b) in rx.iter().zip(tx) {
                        self.buf.extend_from_slice(&a.saturating_add(b).to_le_bytes());
                    }
                }
            }
            return self.append(n as u64);
        }
        let put = |buf: &mut Vec<u8>, s: i16| match law {
            None => buf.extend_from_slice(&s.to_le_bytes()),
            Some(l) => buf.push(l.encode(s)),
        };
        for k in 0..n {
            if self.spec.channels == 2 {
                put(&mut self.buf, at(rx, k));
                put(&mut self.buf, at(tx, k));
            } else {
                put(&mut self.buf, at(rx, k).saturating_add(at(tx, k)));
            }
        }
        self.append(n as u64)
    }

    /// Writes interleaved samples (one per channel per frame); a trailing partial frame is
    /// ignored.
    pub fn write_interleaved(&mut self, samples: &[i16]) -> Result<(), WavError> {
        let ch = usize::from(self.spec.channels);
        let n = samples.len() / ch;
        let law = self.spec.format.law();
        self.buf.clear();
        for &s in &samples[..n * ch] {
            match law {
                None => self.buf.extend_from_slice(&s.to_le_bytes()),
                Some(l) => self.buf.push(l.encode(s)),
            }
        }
        self.append(n as u64)
    }

    fn append(&mut self, frames: u64) -> Result<(), WavError> {
        self.out.write_all(&self.buf).map_err(io_err(&self.path))?;
        self.frames += frames;
        self.unpatched += frames;
        if self.patch_every > 0 && self.unpatched >= self.patch_every {
            self.patch_header()?;
        }
        Ok(())
    }

    /// Flushes the audio written so far and brings the header sizes up to date.
    pub fn patch_header(&mut self) -> Result<(), WavError> {
        self.out.flush().map_err(io_err(&self.path))?;
        let data = self.frames * u64::from(self.spec.block_align());
        let data32 = u32::try_from(data).unwrap_or(u32::MAX);
        let riff = u32::try_from(self.data_off + data - 8).unwrap_or(u32::MAX);
        // One write of the header's tail from the RIFF size on (everything in it is known).
        let mut h = self.spec.header();
        h[4..8].copy_from_slice(&riff.to_le_bytes());
        if let Some(off) = self.fact_off {
            let off = off as usize;
            h[off..off + 4].copy_from_slice(&u32::try_from(self.frames).unwrap_or(u32::MAX).to_le_bytes());
        }
        let d = self.data_off as usize;
        h[d - 4..d].copy_from_slice(&data32.to_le_bytes());
        let r = self.out.get_ref().write_all_at(&h[4..], 4);
        r.map_err(io_err(&self.path))?;
        self.unpatched = 0;
        Ok(())
    }

    /// Finishes the file: final header sizes, data synced to disk.
    pub fn finish(mut self) -> Result<WavInfo, WavError> {
        self.patch_header()?;
        let f = self.out.get_ref();
        f.sync_data().map_err(io_err(&self.path))?;
        let bytes = self.data_off + self.frames * u64::from(self.spec.block_align());
        Ok(WavInfo {
            frames: self.frames,
            duration_ms: frames_to_ms(self.frames, self.spec.sample_rate),
            bytes,
        })
    }
}

fn frames_to_ms(frames: u64, rate: u32) -> u64 {
    if rate == 0 {
        0
    } else {
        frames.saturating_mul(1000) / u64::from(rate)
    }
}

/// Where the parts of a WAV file are, from its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavLayout {
    /// Shape of the audio.
    pub spec: WavSpec,
    /// Offset of the first audio byte.
    pub data_off: u64,
    /// `data` size the header declares.
    pub data_declared: u32,
    /// `RIFF` size the header declares.
    pub riff_declared: u32,
    /// Offset of the `fact` sample count, if there is one, and its value.
    pub fact: Option<(u64, u32)>,
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parses the header at the start of `bytes` up to the start of the `data` chunk.
pub fn parse_layout(bytes: &[u8]) -> Result<WavLayout, String> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a RIFF/WAVE file".into());
    }
    let riff_declared = le32(bytes, 4).ok_or("short header")?;
    let mut pos = 12usize;
    let mut spec = None;
    let mut fact = None;
    loop {
        let id = bytes.get(pos..pos + 4).ok_or("no data chunk in the header")?;
        let size = le32(bytes, pos + 4).ok_or("no data chunk in the header")?;
        let body = pos + 8;
        match id {
            b"fmt " => {
                let tag = le16(bytes, body).ok_or("short fmt chunk")?;
                let channels = le16(bytes, body + 2).ok_or("short fmt chunk")?;
                let rate = le32(bytes, body + 4).ok_or("short fmt chunk")?;
                let align = le16(bytes, body + 12).ok_or("short fmt chunk")?;
                let bits = le16(bytes, body + 14).ok_or("short fmt chunk")?;
                let format = WavFormat::from_tag(tag, bits)
                    .ok_or_else(|| format!("unsupported format tag {tag} with {bits} bits"))?;
                if !(1..=2).contains(&channels) || rate == 0 {
                    return Err(format!("unsupported shape: {channels} channels at {rate} Hz"));
                }
                let s = WavSpec { format, channels, sample_rate: rate };
                if align != s.block_align() {
                    return Err(format!("block align {align}, expected {}", s.block_align()));
                }
                spec = Some(s);
            }
            b"fact" => fact = Some(((body) as u64, le32(bytes, body).ok_or("short fact chunk")?)),
            b"data" => {
                let spec = spec.ok_or("data chunk before fmt chunk")?;
                return Ok(WavLayout {
                    spec,
                    data_off: body as u64,
                    data_declared: size,
                    riff_declared,
                    fact,
                });
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        let next = (size as usize).checked_add(size as usize & 1).and_then(|s| s.checked_add(body));
        pos = next.filter(|&n| n <= MAX_HEADER).ok_or("no data chunk in the header")?;
    }
}

/// A WAV file read back to 16-bit samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WavAudio {
    /// Shape of the audio.
    pub spec: WavSpec,
    /// Interleaved samples (decoded from G.711 when needed).
    pub samples: Vec<i16>,
}

impl WavAudio {
    /// Sample frames.
    pub fn frames(&self) -> usize {
        self.samples.len() / usize::from(self.spec.channels.max(1))
    }

    /// Length of the audio.
    pub fn duration_ms(&self) -> u64 {
        frames_to_ms(self.frames() as u64, self.spec.sample_rate)
    }

    /// One channel's samples (0 = left / mono).
    pub fn channel(&self, ch: usize) -> Vec<i16> {
        let n = usize::from(self.spec.channels.max(1));
        self.samples.iter().skip(ch).step_by(n).copied().collect()
    }
}

/// Decodes a WAV file held in memory. The audio is what the header declares, or what is there
/// if the file is shorter (a cut file), whole frames only.
pub fn decode_wav(bytes: &[u8]) -> Result<WavAudio, String> {
    let l = parse_layout(bytes)?;
    let start = usize::try_from(l.data_off).map_err(|_| "header too long")?;
    let avail = bytes.len().saturating_sub(start);
    let align = usize::from(l.spec.block_align());
    let mut n = avail.min(l.data_declared as usize);
    n -= n % align;
    let data = &bytes[start..start + n];
    let samples = match l.spec.format.law() {
        None => data.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect(),
        Some(law) => data.iter().map(|&c| law.decode(c)).collect(),
    };
    Ok(WavAudio { spec: l.spec, samples })
}

/// Reads a WAV file (PCM 16-bit, A-law or µ-law) back to 16-bit samples.
pub fn read_wav(path: impl AsRef<Path>) -> Result<WavAudio, WavError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    decode_wav(&bytes).map_err(|reason| WavError::Invalid { path: path.to_path_buf(), reason })
}

/// What [`repair`] found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepairReport {
    /// The file.
    pub path: PathBuf,
    /// `data` size the header declared.
    pub data_before: u32,
    /// `data` size now.
    pub data_after: u32,
    /// Bytes of a partial trailing sample frame cut off the end.
    pub truncated: u64,
    /// Whole sample frames in the file.
    pub frames: u64,
    /// Length of the audio.
    pub duration_ms: u64,
    /// Whether anything was changed.
    pub changed: bool,
}

impl fmt::Display for RepairReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.changed {
            return write!(f, "{}: intact ({} ms)", self.path.display(), self.duration_ms);
        }
        write!(
            f,
            "{}: data size {} -> {} bytes ({} ms)",
            self.path.display(),
            self.data_before,
            self.data_after,
            self.duration_ms
        )?;
        if self.truncated > 0 {
            write!(f, ", dropped a partial frame of {} bytes", self.truncated)?;
        }
        Ok(())
    }
}

/// The sizes a file of `file_len` bytes with this layout should declare:
/// `(data size, riff size, frames, bytes to cut off the end)`.
pub fn repaired_sizes(l: &WavLayout, file_len: u64) -> Result<(u32, u32, u64, u64), String> {
    let avail = file_len.checked_sub(l.data_off).ok_or("file ends inside its header")?;
    let align = u64::from(l.spec.block_align());
    let cut = avail % align;
    let data = avail - cut;
    let data32 = u32::try_from(data).map_err(|_| "audio longer than 4 GiB".to_string())?;
    let riff = u32::try_from(l.data_off + data - 8).map_err(|_| "file longer than 4 GiB".to_string())?;
    Ok((data32, riff, data / align, cut))
}

/// Fixes the RIFF and data sizes (and the `fact` count) of a WAV file cut short by a crash,
/// from the file's length, dropping a partial trailing sample frame. Files already consistent
/// are left untouched. Only for files nobody is writing (startup).
pub fn repair(path: impl AsRef<Path>) -> Result<RepairReport, WavError> {
    let path = path.as_ref();
    let invalid = |reason: String| WavError::Invalid { path: path.to_path_buf(), reason };
    let mut f = OpenOptions::new().read(true).write(true).open(path).map_err(io_err(path))?;
    let mut head = Vec::new();
    (&mut f).take(MAX_HEADER as u64).read_to_end(&mut head).map_err(io_err(path))?;
    let l = parse_layout(&head).map_err(invalid)?;
    let len = f.metadata().map_err(io_err(path))?.len();
    let (data, riff, frames, cut) = repaired_sizes(&l, len).map_err(invalid)?;
    let fact_ok = l.fact.is_none_or(|(_, v)| u64::from(v) == frames);
    let changed = cut > 0 || data != l.data_declared || riff != l.riff_declared || !fact_ok;
    if changed {
        if cut > 0 {
            f.set_len(len - cut).map_err(io_err(path))?;
        }
        if let Some((off, _)) = l.fact {
            let fr = u32::try_from(frames).unwrap_or(u32::MAX);
            f.write_all_at(&fr.to_le_bytes(), off).map_err(io_err(path))?;
        }
        f.write_all_at(&data.to_le_bytes(), l.data_off - 4).map_err(io_err(path))?;
        f.write_all_at(&riff.to_le_bytes(), 4).map_err(io_err(path))?;
        f.sync_data().map_err(io_err(path))?;
    }
    Ok(RepairReport {
        path: path.to_path_buf(),
        data_before: l.data_declared,
        data_after: data,
        truncated: cut,
        frames,
        duration_ms: frames_to_ms(frames, l.spec.sample_rate),
        changed,
    })
}

/// What [`scan_and_repair`] did to a recordings directory.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// WAV files looked at.
    pub checked: usize,
    /// Files that were repaired.
    pub repaired: Vec<RepairReport>,
    /// Files that could not be read or repaired, with why.
    pub failed: Vec<WavError>,
}

impl fmt::Display for ScanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} recordings checked, {} repaired, {} failed",
            self.checked,
            self.repaired.len(),
            self.failed.len()
        )?;
        for r in &self.repaired {
            write!(f, "\n  repaired {r}")?;
        }
        for e in &self.failed {
            write!(f, "\n  failed {e}")?;
        }
        Ok(())
    }
}

/// Repairs every `.wav` file under `dir` (subdirectories included, symlinks not followed), as
/// the daemon does at startup before recording again.
pub fn scan_and_repair(dir: impl AsRef<Path>) -> Result<ScanReport, WavError> {
    let mut report = ScanReport::default();
    let mut todo = vec![dir.as_ref().to_path_buf()];
    let mut first = true;
    while let Some(d) = todo.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if first => return Err(WavError::Io { path: d, source: e }),
            Err(e) => {
                report.failed.push(WavError::Io { path: d, source: e });
                continue;
            }
        };
        first = false;
        let mut paths: Vec<(PathBuf, std::fs::FileType)> =
            entries.flatten().filter_map(|e| Some((e.path(), e.file_type().ok()?))).collect();
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        for (p, ty) in paths {
            if ty.is_dir() {
                todo.push(p);
            } else if ty.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("wav")) {
                report.checked += 1;
                match repair(&p) {
                    Ok(r) if r.changed => report.repaired.push(r),
                    Ok(_) => {}
                    Err(e) => report.failed.push(e),
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
