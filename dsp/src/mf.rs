//! MF R1 (ITU-T Q.320–Q.323) and MFC/R2 (Q.441/Q.454) register signal detection.
//!
//! Both are "2 out of 6" codes. Frames are 128 samples (16 ms, Hann-windowed) so neighbouring R2
//! frequencies (120 Hz apart) fall into separate bins; as for DTMF the frequency of each tone is
//! measured from the phase step between frames. R2 signals are reported with continuous-tone
//! semantics (on when the compelled tone appears, off when it is removed), which is what the
//! compelled cycle needs; R1 digits are reported the same way.

use crate::dualtone::{level_power, Debouncer, FrameAnalyzer, Hit, Measured, Measurer};
use crate::event::{Detector, DetectorKind, Label, ToneEvent};
use crate::SampleTime;

/// MF R1 frequencies in Hz (Q.320).
pub const R1_FREQS: [f32; 6] = [700.0, 900.0, 1100.0, 1300.0, 1500.0, 1700.0];
/// MFC/R2 forward frequencies in Hz (Q.441, f0..f5).
pub const R2_FWD_FREQS: [f32; 6] = [1380.0, 1500.0, 1620.0, 1740.0, 1860.0, 1980.0];
/// MFC/R2 backward frequencies in Hz (Q.441, f0..f5).
pub const R2_BWD_FREQS: [f32; 6] = [1140.0, 1020.0, 900.0, 780.0, 660.0, 540.0];

/// R1 signal names by code 1..=15 (index 0 unused): digits, KP, ST and the spare STs.
pub const R1_SIGNALS: [&str; 16] =
    ["", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "ST3", "ST1", "KP", "ST2", "ST"];

const H: usize = 128;

/// Which MF family a detector or generator speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MfKind {
    /// MF R1 (North American / Q.320 register signalling).
    R1,
    /// MFC/R2 forward signals (outgoing register to incoming register).
    R2Fwd,
    /// MFC/R2 backward signals (incoming register to outgoing register).
    R2Bwd,
}

impl MfKind {
    /// The six frequencies, in code order (f0..f5).
    pub const fn freqs(self) -> [f32; 6] {
        match self {
            MfKind::R1 => R1_FREQS,
            MfKind::R2Fwd => R2_FWD_FREQS,
            MfKind::R2Bwd => R2_BWD_FREQS,
        }
    }

    /// The event family this kind reports as.
    pub const fn detector(self) -> DetectorKind {
        match self {
            MfKind::R1 => DetectorKind::MfR1,
            MfKind::R2Fwd => DetectorKind::MfR2Fwd,
            MfKind::R2Bwd => DetectorKind::MfR2Bwd,
        }
    }

    /// The label of signal `code` (1..=15).
    pub fn label(self, code: u8) -> Label {
        match self {
            MfKind::R1 => Label::new(R1_SIGNALS.get(code as usize).copied().unwrap_or("?")),
            _ => Label::from_u8(code),
        }
    }

    /// The code (1..=15) of a signal name: `0`-`9`, `KP`, `ST`, `ST1`-`ST3` for R1 (also `ST'`,
    /// `ST''`, `ST'''`); `1`-`15` for R2.
    pub fn code(self, name: &str) -> Option<u8> {
        match self {
            MfKind::R1 => {
                let n = match name {
                    "ST'" => "ST1",
                    "ST''" => "ST2",
                    "ST'''" => "ST3",
                    n => n,
                };
                R1_SIGNALS.iter().skip(1).position(|&s| s.eq_ignore_ascii_case(n)).map(|i| i as u8 + 1)
            }
            _ => name.parse::<u8>().ok().filter(|n| (1..=15).contains(n)),
        }
    }

    /// The two frequencies of signal `code` (1..=15).
    pub fn code_freqs(self, code: u8) -> Option<(f32, f32)> {
        let (i, j) = code_pair(code)?;
        let f = self.freqs();
        Some((f[i], f[j]))
    }
}

/// The frequency indices `(i, j)`, `i < j`, of code 1..=15 (Q.441 numbering: 1 = f0+f1,
/// 2 = f0+f2, 3 = f1+f2, 4 = f0+f3, ...).
pub fn code_pair(code: u8) -> Option<(usize, usize)> {
    if !(1..=15).contains(&code) {
        return None;
    }
    let mut c = code as usize - 1;
    for j in 1..6 {
        if c < j {
            return Some((c, j));
        }
        c -= j;
    }
    None
}

/// The code 1..=15 of frequency indices `i < j`.
pub fn pair_code(i: usize, j: usize) -> u8 {
    (j * (j - 1) / 2 + i + 1) as u8
}

/// Tunable limits of an MF detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MfConfig {
    /// Weakest tone accepted, dBm0 per tone.
    pub min_level_dbm0: f32,
    /// Largest level difference between the two tones, dB (R1: 6 dB must pass).
    pub max_twist_db: f32,
    /// Frequency tolerance: `rel * f + abs_hz` (R1: 1.5 % + 5 Hz must pass; R2: 10 Hz).
    pub tol_rel: f32,
    /// Absolute part of the frequency tolerance in Hz.
    pub tol_abs_hz: f32,
    /// Minimum share of the frame energy carried by the two tones.
    pub min_energy_share: f32,
    /// How far below the weaker tone the third strongest must stay, dB (rejects 3-tone mixes).
    pub third_margin_db: f32,
    /// Strong frame pairs needed to declare a signal on.
    pub min_on_frames: u8,
    /// Missing frame pairs that end a signal.
    pub end_frames: u8,
}

impl MfConfig {
    /// Defaults for a family.
    pub fn for_kind(kind: MfKind) -> Self {
        match kind {
            MfKind::R1 => Self {
                min_level_dbm0: -30.0,
                max_twist_db: 7.5,
                tol_rel: 0.015,
                tol_abs_hz: 12.0,
                min_energy_share: 0.7,
                third_margin_db: 6.0,
                min_on_frames: 1,
                end_frames: 3,
            },
            MfKind::R2Fwd | MfKind::R2Bwd => Self {
                min_level_dbm0: -35.0,
                max_twist_db: 7.5,
                tol_rel: 0.0,
                tol_abs_hz: 20.0,
                min_energy_share: 0.7,
                third_margin_db: 6.0,
                min_on_frames: 2,
                end_frames: 2,
            },
        }
    }
}

/// A single-channel MF detector (R1, R2 forward or R2 backward). `process` never allocates.
#[derive(Clone, Debug)]
pub struct Mf {
    kind: MfKind,
    cfg: MfConfig,
    frames: FrameAnalyzer<6, H>,
    measurer: Measurer<6>,
    deb: Debouncer,
    now: SampleTime,
    tol_hz: [f32; 6],
    labels: [Label; 16],
    min_power: f32,
}

impl Mf {
    /// A detector for `kind` with its default limits.
    pub fn new(kind: MfKind) -> Self {
        Self::with_config(kind, MfConfig::for_kind(kind))
    }

    /// A detector for `kind` with the given limits.
    pub fn with_config(kind: MfKind, cfg: MfConfig) -> Self {
        let freqs = kind.freqs();
        let frames = FrameAnalyzer::new(&freqs);
        let (sw, sw2) = frames.window_sums();
        let mut tol_hz = [0.0; 6];
        for (t, f) in tol_hz.iter_mut().zip(freqs) {
            // The phase step is unambiguous to ±31 Hz at 128-sample frames.
            *t = (f * cfg.tol_rel + cfg.tol_abs_hz).min(30.0);
        }
        let mut labels = [Label::new("?"); 16];
        for (c, l) in labels.iter_mut().enumerate() {
            *l = kind.label(c as u8);
        }
        let measurer = Measurer::new(&freqs, H, sw, sw2);
        let min_power = level_power(&measurer, cfg.min_level_dbm0);
        Self {
            kind,
            cfg,
            frames,
            measurer,
            min_power,
            deb: Debouncer::new(kind.detector(), H, cfg.min_on_frames, cfg.end_frames),
            now: 0,
            tol_hz,
            labels,
        }
    }

    /// Which family this detector decodes.
    pub fn mf_kind(&self) -> MfKind {
        self.kind
    }

    /// The signal (code 1..=15) currently on, if any.
    pub fn current(&self) -> Option<u8> {
        self.deb.current()
    }
}

fn decide(c: &MfConfig, tol_hz: &[f32; 6], min_power: f32, m: &Measured<'_, 6>) -> Option<Hit> {
    // The three strongest bins (no allocation: a fixed array).
    let mut idx = [0usize, 1, 2, 3, 4, 5];
    idx.sort_unstable_by(|&a, &b| m.power[b].total_cmp(&m.power[a]));
    let (a, b, third) = (idx[0], idx[1], idx[2]);
    if m.power[b] < min_power {
        return None;
    }
    if m.share(a) + m.share(b) < c.min_energy_share {
        return None;
    }
    let (la, lb) = (m.level_dbm0(a), m.level_dbm0(b));
    if la - lb > c.max_twist_db || m.level_dbm0(third) > lb - c.third_margin_db {
        return None;
    }
    if m.offset_hz(a).abs() > tol_hz[a] || m.offset_hz(b).abs() > tol_hz[b] {
        return None;
    }
    let power = (m.power[a] + m.power[b]).min(m.prev_power[a] + m.prev_power[b]);
    Some(Hit { code: pair_code(a.min(b), a.max(b)), level_dbm0: la, power })
}

impl Detector for Mf {
    fn kind(&self) -> DetectorKind {
        self.kind.detector()
    }

    fn reset(&mut self) {
        self.frames.reset();
        self.measurer.reset();
        self.deb.reset();
        self.now = 0;
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(ToneEvent)) {
        let Self { cfg, frames, measurer, deb, now, tol_hz, labels, min_power, .. } = self;
        let mut rest = samples;
        while !rest.is_empty() {
            let take = rest.len().min(frames.room());
            let (block, r) = rest.split_at(take);
            rest = r;
            *now += take as u64;
            let t = *now;
            frames.push(block, |f| {
                let hit = measurer.measure(f, |m| decide(cfg, tol_hz, *min_power, m));
                deb.frame(hit, t, labels, emit);
            });
        }
    }

    fn now(&self) -> SampleTime {
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_pairs_agree() {
        for code in 1..=15u8 {
            let (i, j) = code_pair(code).unwrap();
            assert!(i < j);
            assert_eq!(pair_code(i, j), code);
        }
        assert_eq!(code_pair(0), None);
        assert_eq!(code_pair(16), None);
        assert_eq!(MfKind::R1.code_freqs(MfKind::R1.code("KP").unwrap()), Some((1100.0, 1700.0)));
        assert_eq!(MfKind::R1.code_freqs(MfKind::R1.code("ST").unwrap()), Some((1500.0, 1700.0)));
        assert_eq!(MfKind::R1.code_freqs(MfKind::R1.code("0").unwrap()), Some((1300.0, 1500.0)));
        assert_eq!(MfKind::R1.code_freqs(MfKind::R1.code("ST'").unwrap()), Some((900.0, 1700.0)));
        assert_eq!(MfKind::R2Fwd.code_freqs(15), Some((1860.0, 1980.0)));
        assert_eq!(MfKind::R2Bwd.code_freqs(1), Some((1140.0, 1020.0)));
    }
}

#[cfg(test)]
mod detect_tests {
    use super::*;
    use crate::gen::{mf_sequence, DualTone};

    fn run(kind: MfKind, x: &[i16]) -> Vec<String> {
        let mut d = Mf::new(kind);
        let mut out = Vec::new();
        for b in x.chunks(53) {
            d.process(b, &mut |e| {
                if !e.is_on() {
                    out.push(e.value.as_str().to_string())
                }
            });
        }
        out
    }

    #[test]
    fn r1_sequence_is_decoded() {
        let names = ["KP", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "ST", "ST1", "ST2", "ST3"];
        let codes: Vec<u8> = names.iter().map(|n| MfKind::R1.code(n).unwrap()).collect();
        let x = mf_sequence(MfKind::R1, &codes, -7.0, 68, 68);
        assert_eq!(run(MfKind::R1, &x), names);
    }

    #[test]
    fn r2_all_signals_both_directions() {
        for kind in [MfKind::R2Fwd, MfKind::R2Bwd] {
            let codes: Vec<u8> = (1..=15).collect();
            let x = mf_sequence(kind, &codes, -8.0, 150, 100);
            let want: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
            assert_eq!(run(kind, &x), want, "{kind:?}");
            // Forward tones are not backward signals.
            let other = if kind == MfKind::R2Fwd { MfKind::R2Bwd } else { MfKind::R2Fwd };
            assert!(run(other, &x).len() <= 1, "{kind:?} heard as {other:?}");
        }
    }

    #[test]
    fn r1_twist_and_offsets() {
        let (f1, f2) = MfKind::R1.code_freqs(5).unwrap();
        for dev in [-1.0f32, 1.0] {
            let mut t = DualTone::new(
                f1 * (1.0 + dev * 0.015) + dev * 5.0,
                -7.0,
                f2 * (1.0 + dev * 0.015) + dev * 5.0,
                -13.0,
            );
            let mut x = vec![0i16; 2000];
            t.fill(&mut x[200..760]);
            assert_eq!(run(MfKind::R1, &x), ["5"], "{dev}");
        }
    }
}
