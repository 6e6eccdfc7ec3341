//! Voicemail beep detection: a steady pure tone of unknown frequency (300–2500 Hz, optionally
//! with harmonics) lasting 100–2000 ms.
//!
//! A 512-point FFT (Hann, 15.6 Hz bins) every 16 ms, planned once. A frame is tonal when the
//! strongest peak in 300–2500 Hz (±2 bins) and its 2nd/3rd harmonics hold ≥ 85 % of the frame's
//! power: two tones (DTMF, most ringback and dial tones), chords and voiced speech (many
//! harmonics) fail that, as does energy at sub-harmonics (k/2, k/3…), and a segment's pitch must not wander (≤ 0.4 %), which voices and
//! vibrato do. Consecutive tonal frames at the same frequency form a segment whose
//! onset and end are where its peak power crosses half the plateau (independent of the SNR).
//! Tones at the single-frequency call-progress frequencies are vetoed (configurable), and a
//! segment that repeats the previous one's frequency within 6 s is taken for a cadence.

use crate::level::DBM0_RMS;
use crate::SampleTime;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// FFT size (64 ms).
pub const N: usize = 512;
/// Hop between frames (16 ms).
pub const HOP: usize = 128;
const BIN_HZ: f32 = 8000.0 / N as f32;
/// Single-frequency call-progress tones that are never taken for a beep (±15 Hz).
pub const DEFAULT_VETO_HZ: [f32; 6] = [400.0, 414.0, 420.0, 425.0, 440.0, 450.0];

/// A detected beep.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct BeepEvent {
    /// Estimated onset sample.
    pub start: SampleTime,
    /// Estimated last sample.
    pub end: SampleTime,
    /// Sample at which it was decided (just after it ended).
    pub decided: SampleTime,
    /// Frequency of the fundamental in Hz.
    pub freq_hz: f32,
}

#[derive(Clone, Copy, Debug, Default)]
struct Seg {
    frames: usize,
    bin: usize,
    freq_sum: f32,
    max_p: f32,
    fmin: f32,
    fmax: f32,
    first: [(SampleTime, f32); 6],
    last_strong: SampleTime,
}

/// Beep detector for one channel.
pub struct BeepDetector {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    ring: Vec<f32>,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    pow: Vec<f32>,
    wpos: usize,
    since: usize,
    t: SampleTime,
    min_power: f32,
    veto: Vec<f32>,
    seg: Option<Seg>,
    last_freq: f32,
    last_end: SampleTime,
}

impl core::fmt::Debug for BeepDetector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BeepDetector").field("t", &self.t).field("seg", &self.seg).finish()
    }
}

impl Default for BeepDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl BeepDetector {
    /// A detector (plans the FFT and allocates all buffers once).
    pub fn new() -> Self {
        let fft = FftPlanner::new().plan_fft_forward(N);
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        let window =
            (0..N).map(|i| 0.5 - 0.5 * (core::f32::consts::TAU * i as f32 / N as f32).cos()).collect();
        Self {
            fft,
            window,
            ring: vec![0.0; N],
            buf: vec![Complex::default(); N],
            scratch,
            pow: vec![0.0; N / 2],
            wpos: 0,
            since: 0,
            t: 0,
            min_power: DBM0_RMS * DBM0_RMS * 10f32.powf(-45.0 / 10.0),
            veto: DEFAULT_VETO_HZ.to_vec(),
            seg: None,
            last_freq: 0.0,
            last_end: 0,
        }
    }

    /// Replaces the vetoed frequencies (e.g. with the local call-progress tones, or none).
    pub fn set_veto(&mut self, freqs_hz: &[f32]) {
        self.veto = freqs_hz.to_vec();
    }

    /// Forgets everything heard.
    pub fn reset(&mut self) {
        self.ring.iter_mut().for_each(|v| *v = 0.0);
        self.wpos = 0;
        self.since = 0;
        self.t = 0;
        self.seg = None;
        self.last_freq = 0.0;
        self.last_end = 0;
    }

    /// Feeds samples; `on_event` is called for each beep, when it ends.
    pub fn process(&mut self, x: &[i16], mut on_event: impl FnMut(BeepEvent)) {
        for &s in x {
            self.ring[self.wpos] = s as f32;
            self.wpos = (self.wpos + 1) % N;
            self.t += 1;
            self.since += 1;
            if self.since == HOP {
                self.since = 0;
                if self.t >= N as u64 {
                    self.frame(&mut on_event);
                }
            }
        }
    }

    fn frame(&mut self, on_event: &mut impl FnMut(BeepEvent)) {
        let mut energy = 0.0;
        for i in 0..N {
            let v = self.ring[(self.wpos + i) % N];
            energy += v * v;
            self.buf[i] = Complex::new(v * self.window[i], 0.0);
        }
        let frame_start = self.t - N as u64;
        let tonal = if energy / (N as f32) < self.min_power {
            None
        } else {
            self.fft.process_with_scratch(&mut self.buf, &mut self.scratch);
            for (p, c) in self.pow.iter_mut().zip(&self.buf) {
                *p = c.norm_sqr();
            }
            self.analyse()
        };
        match (tonal, self.seg) {
            (Some((bin, freq, p)), Some(mut s)) if bin.abs_diff(s.bin) <= 1 => {
                if s.frames < s.first.len() {
                    s.first[s.frames] = (frame_start, p);
                }
                s.frames += 1;
                s.freq_sum += freq;
                s.max_p = s.max_p.max(p);
                if p >= 0.5 * s.max_p {
                    s.last_strong = frame_start;
                    s.fmin = s.fmin.min(freq);
                    s.fmax = s.fmax.max(freq);
                }
                self.seg = Some(s);
            }
            (tonal, seg) => {
                if let Some(s) = seg {
                    self.close(s, on_event);
                }
                self.seg = tonal.map(|(bin, freq, p)| {
                    let mut first = [(0, 0.0); 6];
                    first[0] = (frame_start, p);
                    Seg {
                        frames: 1,
                        bin,
                        freq_sum: freq,
                        max_p: p,
                        fmin: freq,
                        fmax: freq,
                        first,
                        last_strong: frame_start,
                    }
                });
            }
        }
    }

    /// The tonal peak of the current spectrum: (bin, frequency, peak power).
    fn analyse(&self) -> Option<(usize, f32, f32)> {
        let total: f32 = self.pow[2..N / 2 - 1].iter().sum();
        let lo = (300.0 / BIN_HZ) as usize;
        let hi = (2500.0 / BIN_HZ) as usize + 1;
        let (k, _) = self.pow[lo..=hi]
            .iter()
            .enumerate()
            .fold((0, 0.0f32), |a, (i, &p)| if p > a.1 { (i, p) } else { a });
        let k = k + lo;
        let around = |c: usize| -> f32 {
            if c < 2 || c + 2 >= N / 2 {
                return 0.0;
            }
            self.pow[c - 2..=c + 2].iter().sum()
        };
        let peak = around(k);
        let harm = around(2 * k) + around(3 * k);
        if (peak + harm) < 0.85 * total {
            return None;
        }
        // Voiced speech whose strongest harmonic is the 2nd or 3rd has energy at the fundamental
        // and the other harmonics (k/2, k/3, 2k/3, 3k/2); a beep has none.
        let sub = around(k / 2) + around(k / 3) + around(2 * k / 3) + around(3 * k / 2);
        if sub > 0.02 * peak {
            return None;
        }
        // Parabolic interpolation on log power.
        let (a, b, c) =
            (self.pow[k - 1].max(1e-12).ln(), self.pow[k].max(1e-12).ln(), self.pow[k + 1].max(1e-12).ln());
        let den = a - 2.0 * b + c;
        let d = if den.abs() > 1e-9 { (0.5 * (a - c) / den).clamp(-0.5, 0.5) } else { 0.0 };
        Some((k, (k as f32 + d) * BIN_HZ, peak))
    }

    fn close(&mut self, s: Seg, on_event: &mut impl FnMut(BeepEvent)) {
        let n = s.frames.min(s.first.len());
        let onset_frame =
            s.first[..n].iter().find(|f| f.1 >= 0.5 * s.max_p).map(|f| f.0).unwrap_or(s.first[0].0);
        // Half the plateau is reached when the tone covers 61 % of the Hann window.
        let start = onset_frame + (0.39 * N as f32) as u64;
        let end = s.last_strong + (0.61 * N as f32) as u64;
        let ms = end.saturating_sub(start) / 8;
        let freq = s.freq_sum / s.frames as f32;
        let repeat = (freq - self.last_freq).abs() < 15.0 && start.saturating_sub(self.last_end) < 6 * 8000;
        self.last_freq = freq;
        self.last_end = end;
        let vetoed = self.veto.iter().any(|&v| (v - freq).abs() <= 15.0);
        // A beep is a generator: its pitch does not wander like a voice or a vibrato.
        let steady = s.fmax - s.fmin <= (0.004 * freq).max(4.0);
        if (80..=2200).contains(&ms) && steady && !vetoed && !repeat && (300.0..=2500.0).contains(&freq) {
            on_event(BeepEvent { start, end, decided: self.t, freq_hz: freq });
        }
    }
}

impl BeepEvent {
    /// The common event form (`value` = `beep`, with `freq_hz`).
    pub fn to_tone_event(&self) -> crate::event::ToneEvent {
        use crate::event::{DetectorKind, Label, ToneEvent};
        let mut e =
            ToneEvent::new(DetectorKind::Beep, Label::new("beep"), self.start, Some(self.end), self.decided);
        e.freq_hz = Some(self.freq_hz);
        e
    }
}

impl crate::event::Detector for BeepDetector {
    fn kind(&self) -> crate::event::DetectorKind {
        crate::event::DetectorKind::Beep
    }

    fn reset(&mut self) {
        BeepDetector::reset(self);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(crate::event::ToneEvent)) {
        BeepDetector::process(self, samples, |e| emit(e.to_tone_event()));
    }

    fn now(&self) -> SampleTime {
        self.t
    }
}
