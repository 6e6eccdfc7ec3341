//! Special Information Tones (ITU-T E.180 §6 and Telcordia SR-2275): three rising tones before
//! an announcement. The Bellcore variants encode why the call failed in the frequency (low/high)
//! and length (276/380 ms) of the first two segments; the ITU form is 950/1400/1800 Hz, 330 ms.
//!
//! Same structure as [`crate::cpt`]: a Goertzel bank over 40 ms windows every 20 ms, each step
//! classified as one of eight frequencies; runs make segments; three consecutive segments from
//! the three bands make a SIT, decided when the third ends.

use crate::cpt::HopBins;
use crate::goertzel::sine_power;
use crate::level::DBM0_RMS;
use crate::SampleTime;

/// The eight SIT frequencies: Bellcore low/high first and second, third, then ITU.
pub const FREQS: [f32; 8] = [913.8, 985.2, 1370.6, 1428.5, 1776.7, 950.0, 1400.0, 1800.0];
/// Bellcore short segment (ms).
pub const SHORT_MS: u32 = 276;
/// Bellcore long segment (ms).
pub const LONG_MS: u32 = 380;
const WINDOW: usize = 320;

/// What the SIT says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum SitCode {
    /// Intercept (number changed or disconnected).
    IC,
    /// Vacant code (unassigned number).
    VC,
    /// Reorder, intra-LATA (equipment irregularity).
    RO,
    /// Reorder, inter-LATA.
    ROPrime,
    /// No circuit found, intra-LATA.
    NC,
    /// No circuit found, inter-LATA.
    NCPrime,
    /// ITU-T E.180 SIT (950/1400/1800 Hz): no cause encoded.
    Itu,
    /// Three SIT segments in an unassigned combination.
    Unknown,
}

impl SitCode {
    /// Name used in reports (`IC`, `VC`, `RO`, `RO'`, `NC`, `NC'`, `ITU`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            SitCode::IC => "IC",
            SitCode::VC => "VC",
            SitCode::RO => "RO",
            SitCode::ROPrime => "RO'",
            SitCode::NC => "NC",
            SitCode::NCPrime => "NC'",
            SitCode::Itu => "ITU",
            SitCode::Unknown => "unknown",
        }
    }

    /// The Bellcore codes and ITU, for tests and generators.
    pub const ALL: [SitCode; 7] = [
        SitCode::IC,
        SitCode::VC,
        SitCode::RO,
        SitCode::ROPrime,
        SitCode::NC,
        SitCode::NCPrime,
        SitCode::Itu,
    ];

    /// Segments as (frequency, ms); `None` for [`SitCode::Unknown`].
    pub fn segments(self) -> Option<[(f32, u32); 3]> {
        let (l1, h1, l2, h2, t) = (FREQS[0], FREQS[1], FREQS[2], FREQS[3], (FREQS[4], LONG_MS));
        let (s, l) = (SHORT_MS, LONG_MS);
        Some(match self {
            SitCode::IC => [(l1, s), (l2, s), t],
            SitCode::VC => [(h1, l), (l2, s), t],
            SitCode::RO => [(l1, s), (h2, l), t],
            SitCode::ROPrime => [(h1, s), (l2, l), t],
            SitCode::NC => [(h1, l), (h2, l), t],
            SitCode::NCPrime => [(l1, l), (l2, l), t],
            SitCode::Itu => [(950.0, 330), (1400.0, 330), (1800.0, 330)],
            SitCode::Unknown => return None,
        })
    }
}

/// A detected SIT.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SitEvent {
    /// The code.
    pub code: SitCode,
    /// First sample of the first segment.
    pub start: SampleTime,
    /// Last sample of the third segment.
    pub end: SampleTime,
    /// Sample at which it was decided.
    pub decided: SampleTime,
}

#[derive(Clone, Copy, Debug, Default)]
struct Seg {
    sym: usize,
    start: SampleTime,
    ms: u32,
}

/// SIT detector for one channel.
#[derive(Clone, Debug)]
pub struct SitDetector {
    bins: HopBins,
    hop: u64,
    t: SampleTime,
    min_power: f32,
    prev_raw: Option<usize>,
    cur: Option<Seg>,
    gap_ms: u32,
    segs: [Seg; 3],
    nsegs: usize,
}

impl Default for SitDetector {
    fn default() -> Self {
        Self::new()
    }
}

fn band(sym: usize) -> usize {
    match sym {
        0 | 1 | 5 => 0,
        2 | 3 | 6 => 1,
        _ => 2,
    }
}

impl SitDetector {
    /// A detector with a −45 dBm0 floor.
    pub fn new() -> Self {
        Self {
            bins: HopBins::new(&FREQS),
            hop: 0,
            t: 0,
            min_power: DBM0_RMS * DBM0_RMS * 10f32.powf(-45.0 / 10.0),
            prev_raw: None,
            cur: None,
            gap_ms: 0,
            segs: [Seg::default(); 3],
            nsegs: 0,
        }
    }

    /// Forgets everything heard.
    pub fn reset(&mut self) {
        self.bins.reset();
        self.hop = 0;
        self.t = 0;
        self.prev_raw = None;
        self.cur = None;
        self.gap_ms = 0;
        self.nsegs = 0;
    }

    /// Feeds samples; `on_event` is called for each SIT found.
    pub fn process(&mut self, x: &[i16], mut on_event: impl FnMut(SitEvent)) {
        let mut rest = x;
        while !rest.is_empty() {
            let (take, full) = self.bins.push(rest);
            rest = &rest[take..];
            self.t += take as u64;
            if full {
                self.step(&mut on_event);
                self.hop += 1;
            }
        }
    }

    fn classify(&mut self) -> Option<usize> {
        let p = &self.bins.powers;
        let ms = (self.bins.hop_energy[0] + self.bins.hop_energy[1]) / WINDOW as f32;
        if self.hop == 0 || ms < self.min_power {
            return None;
        }
        let (i, best) = p.iter().enumerate().fold((0, 0.0f32), |a, (i, &v)| if v > a.1 { (i, v) } else { a });
        (sine_power(best, WINDOW) / ms >= 0.6).then_some(i)
    }

    fn step(&mut self, on_event: &mut impl FnMut(SitEvent)) {
        let raw = self.classify();
        let cur_sym = self.cur.map(|c| c.sym);
        let sym = match raw {
            Some(k) if cur_sym.is_some_and(|c| c != k) && self.prev_raw != Some(k) => None,
            _ => raw,
        };
        self.prev_raw = raw;
        let at = self.t.saturating_sub(200);
        match (sym, self.cur) {
            (Some(k), Some(mut c)) if c.sym == k => {
                c.ms += 20;
                self.cur = Some(c);
            }
            (Some(k), cur) => {
                if let Some(c) = cur {
                    self.close(c, on_event);
                }
                self.cur = Some(Seg { sym: k, start: at, ms: 20 });
                self.gap_ms = 0;
            }
            (None, Some(c)) => {
                self.close(c, on_event);
                self.cur = None;
                self.gap_ms = 20;
            }
            (None, None) => {
                self.gap_ms += 20;
                if self.gap_ms > 80 {
                    self.nsegs = 0;
                }
            }
        }
    }

    fn close(&mut self, seg: Seg, on_event: &mut impl FnMut(SitEvent)) {
        if !(160..=520).contains(&seg.ms) {
            self.nsegs = 0;
            return;
        }
        let want = self.nsegs; // band expected next
        if band(seg.sym) != want {
            self.nsegs = 0;
            if band(seg.sym) != 0 {
                return;
            }
        }
        let n = self.nsegs;
        self.segs[n] = seg;
        self.nsegs = n + 1;
        if self.nsegs == 3 {
            self.nsegs = 0;
            let [a, b, c] = self.segs;
            let code = code_of(a, b, c);
            on_event(SitEvent { code, start: a.start, end: c.start + c.ms as u64 * 8, decided: self.t });
        }
    }
}

fn code_of(a: Seg, b: Seg, c: Seg) -> SitCode {
    let itu = [a.sym, b.sym, c.sym] == [5, 6, 7];
    if itu {
        return SitCode::Itu;
    }
    if a.sym > 1 || !(2..=3).contains(&b.sym) || c.sym != 4 {
        return SitCode::Unknown;
    }
    let long = |s: Seg| s.ms >= (SHORT_MS + LONG_MS) / 2;
    let key = (a.sym == 1, long(a), b.sym == 3, long(b));
    match key {
        (false, false, false, false) => SitCode::IC,
        (true, true, false, false) => SitCode::VC,
        (false, false, true, true) => SitCode::RO,
        (true, false, false, true) => SitCode::ROPrime,
        (true, true, true, true) => SitCode::NC,
        (false, true, false, true) => SitCode::NCPrime,
        _ => SitCode::Unknown,
    }
}

/// Renders one SIT (three contiguous segments, no gap) at `dbm0`, followed by `silence_ms`.
pub fn generate(code: SitCode, dbm0: f32, silence_ms: u32) -> Vec<f32> {
    let mut out = Vec::new();
    let a = crate::level::sine_amplitude(dbm0);
    let mut ph = 0.0f32;
    for (f, ms) in code.segments().unwrap_or_default() {
        for _ in 0..ms * 8 {
            ph = (ph + f / 8000.0).fract();
            out.push(a * (core::f32::consts::TAU * ph).sin());
        }
    }
    out.resize(out.len() + silence_ms as usize * 8, 0.0);
    out
}

impl SitEvent {
    /// The common event form (`value` = `sit`, `sit_code` = `IC`, `VC`, `RO`, `RO'`, …).
    pub fn to_tone_event(&self) -> crate::event::ToneEvent {
        use crate::event::{DetectorKind, Label, ToneEvent};
        let mut e =
            ToneEvent::new(DetectorKind::Sit, Label::new("sit"), self.start, Some(self.end), self.decided);
        e.sit_code = Some(Label::new(self.code.name()));
        e
    }
}

impl crate::event::Detector for SitDetector {
    fn kind(&self) -> crate::event::DetectorKind {
        crate::event::DetectorKind::Sit
    }

    fn reset(&mut self) {
        SitDetector::reset(self);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(crate::event::ToneEvent)) {
        SitDetector::process(self, samples, |e| emit(e.to_tone_event()));
    }

    fn now(&self) -> SampleTime {
        self.t
    }
}
