//! Level meter, frame energy and a simple energy-based voice activity detector (talk spurts as
//! on/off events), used for live channel levels, AMD and silence detection.

use crate::event::{Detector, DetectorKind, Label, ToneEvent};
use crate::level::power_to_dbm0;
use crate::SampleTime;

/// A level meter: mean power smoothed over a time constant, plus the peak sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelMeter {
    alpha: f32,
    mean_square: f32,
    peak: i16,
}

impl LevelMeter {
    /// A meter with a smoothing time constant of `tau_ms` milliseconds.
    pub fn new(tau_ms: f32) -> Self {
        let n = (tau_ms.max(0.125) * crate::SAMPLE_RATE as f32 / 1000.0).max(1.0);
        Self { alpha: 1.0 / n, mean_square: 0.0, peak: 0 }
    }

    /// Feeds samples.
    pub fn push(&mut self, x: &[i16]) {
        let (mut ms, a) = (self.mean_square, self.alpha);
        let mut peak = self.peak;
        for &s in x {
            let v = s as f32;
            ms += a * (v * v - ms);
            peak = peak.max(s.saturating_abs());
        }
        self.mean_square = ms;
        self.peak = peak;
    }

    /// Smoothed level in dBm0 (−100 for silence).
    pub fn dbm0(&self) -> f32 {
        power_to_dbm0(self.mean_square)
    }

    /// Largest absolute sample since the last [`LevelMeter::take_peak`].
    pub fn take_peak(&mut self) -> i16 {
        core::mem::take(&mut self.peak)
    }
}

/// Energy of a block: mean square in 16-bit units².
pub fn mean_square(x: &[i16]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    x.iter().map(|&s| (s as f32) * (s as f32)).sum::<f32>() / x.len() as f32
}

/// Limits of the voice activity detector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VadConfig {
    /// Frames must be this far above the tracked noise floor to count as active, dB.
    pub above_noise_db: f32,
    /// Absolute floor below which nothing is active, dBm0.
    pub min_level_dbm0: f32,
    /// Active time needed to start a talk spurt, ms.
    pub min_on_ms: u32,
    /// Silence needed to end a talk spurt (hangover), ms.
    pub hangover_ms: u32,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self { above_noise_db: 9.0, min_level_dbm0: -45.0, min_on_ms: 30, hangover_ms: 300 }
    }
}

const FRAME: usize = 80;

/// Energy VAD over 10 ms frames with an adaptive noise floor; reports `speech` on/off events.
#[derive(Clone, Debug)]
pub struct Vad {
    cfg: VadConfig,
    acc: f32,
    pos: usize,
    now: SampleTime,
    noise_db: f32,
    run: u32,
    quiet: u32,
    on_start: Option<SampleTime>,
    cand_start: SampleTime,
    last_active_end: SampleTime,
    level_db: f32,
}

impl Default for Vad {
    fn default() -> Self {
        Self::new(VadConfig::default())
    }
}

impl Vad {
    /// A VAD with the given limits.
    pub fn new(cfg: VadConfig) -> Self {
        Self {
            cfg,
            acc: 0.0,
            pos: 0,
            now: 0,
            noise_db: -70.0,
            run: 0,
            quiet: 0,
            on_start: None,
            cand_start: 0,
            last_active_end: 0,
            level_db: -100.0,
        }
    }

    /// True while in a talk spurt.
    pub fn active(&self) -> bool {
        self.on_start.is_some()
    }

    /// The tracked noise floor in dBm0.
    pub fn noise_dbm0(&self) -> f32 {
        self.noise_db
    }

    /// Level of the last complete 10 ms frame, dBm0.
    pub fn frame_dbm0(&self) -> f32 {
        self.level_db
    }

    fn frame(&mut self, emit: &mut dyn FnMut(ToneEvent)) {
        let db = power_to_dbm0(self.acc / FRAME as f32);
        self.level_db = db;
        let active = db > self.cfg.min_level_dbm0 && db > self.noise_db + self.cfg.above_noise_db;
        // Noise floor: follow quickly down, creep up slowly (so speech does not raise it much).
        if db < self.noise_db {
            self.noise_db += 0.3 * (db - self.noise_db);
        } else {
            self.noise_db += 0.02;
        }
        let frame_end = self.now;
        let frames = |ms: u32| (ms / 10).max(1);
        if active {
            if self.run == 0 {
                self.cand_start = frame_end - FRAME as u64;
            }
            self.run += 1;
            self.quiet = 0;
            self.last_active_end = frame_end;
            if self.on_start.is_none() && self.run >= frames(self.cfg.min_on_ms) {
                self.on_start = Some(self.cand_start);
                let mut ev =
                    ToneEvent::new(DetectorKind::Vad, Label::new("speech"), self.cand_start, None, frame_end);
                ev.level_dbm0 = Some(db);
                emit(ev);
            }
        } else {
            self.run = 0;
            self.quiet += 1;
            if let Some(start) = self.on_start {
                if self.quiet >= frames(self.cfg.hangover_ms) {
                    self.on_start = None;
                    emit(ToneEvent::new(
                        DetectorKind::Vad,
                        Label::new("speech"),
                        start,
                        Some(self.last_active_end),
                        frame_end,
                    ));
                }
            }
        }
    }
}

impl Detector for Vad {
    fn kind(&self) -> DetectorKind {
        DetectorKind::Vad
    }

    fn reset(&mut self) {
        *self = Self::new(self.cfg);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(ToneEvent)) {
        let mut rest = samples;
        while !rest.is_empty() {
            // Up to the frame boundary at once, with independent partial sums (vectorises).
            let take = (FRAME - self.pos).min(rest.len());
            let (chunk, r) = rest.split_at(take);
            rest = r;
            let mut acc = [0.0f32; 8];
            let mut it = chunk.chunks_exact(8);
            for c in &mut it {
                for l in 0..8 {
                    let v = c[l] as f32;
                    acc[l] += v * v;
                }
            }
            for (l, &s) in it.remainder().iter().enumerate() {
                acc[l] += s as f32 * s as f32;
            }
            self.acc += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
            self.pos += take;
            self.now += take as u64;
            if self.pos == FRAME {
                self.frame(emit);
                self.acc = 0.0;
                self.pos = 0;
            }
        }
    }

    fn now(&self) -> SampleTime {
        self.now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen::{clip, DualTone, Noise};

    #[test]
    fn talk_spurt_in_noise() {
        let mut n = Noise::new(-55.0, 1);
        let mut t = DualTone::new(300.0, -20.0, 900.0, -25.0);
        let x: Vec<i16> = (0..32_000)
            .map(|i| clip(n.next_sample() + if (8000..16_000).contains(&i) { t.next_sample() } else { 0.0 }))
            .collect();
        let mut v = Vad::default();
        let mut ev = Vec::new();
        v.process(&x, &mut |e| ev.push(e));
        assert_eq!(ev.len(), 2, "{ev:?}");
        let off = ev[1];
        assert!((off.start as i64 - 8000).abs() <= 160, "{off:?}");
        assert!((off.end.unwrap() as i64 - 16_000).abs() <= 160, "{off:?}");
    }

    #[test]
    fn meter_reads_level() {
        let mut t = DualTone::single(1004.0, -13.0);
        let mut x = vec![0i16; 8000];
        t.fill(&mut x);
        let mut m = LevelMeter::new(50.0);
        m.push(&x);
        assert!((m.dbm0() + 13.0).abs() < 0.3, "{}", m.dbm0());
        assert!(m.take_peak() > 0);
        assert_eq!(m.take_peak(), 0);
        assert_eq!(mean_square(&[]), 0.0);
    }
}
