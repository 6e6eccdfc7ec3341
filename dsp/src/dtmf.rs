//! DTMF detection (ITU-T Q.24): digits 0–9, `*`, `#`, A–D with on/off events.
//!
//! Frames of 64 samples (8 ms, Hann-windowed) feed 8 Goertzel bins. A frame pair is a hit when
//! the strongest row and column tones are each within the frequency tolerance (measured from the
//! phase step between frames, so ±1.5 % passes and ±3.5 % fails), loud enough, within the twist
//! limits, and together carry most of the frame's energy (the talk-off guard: speech and music
//! spread their energy over many harmonics). Three strong hits make a digit (≥ 40 ms passes,
//! ≤ 23 ms does not); five missing hits end it (a 10 ms interruption does not split a digit, a
//! 40 ms pause does).

use crate::bins8::Bins8;
pub use crate::bins8::Kernel;
use crate::dualtone::{hann_window, level_power, window_sums, Debouncer, Hit, Measured, Measurer};
use crate::event::{Detector, DetectorKind, Label, ToneEvent};
use crate::SampleTime;

/// Row (low group) frequencies in Hz.
pub const ROWS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
/// Column (high group) frequencies in Hz.
pub const COLS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
/// The 16 digits, row-major (`DIGITS[row * 4 + col]`).
pub const DIGITS: [char; 16] =
    ['1', '2', '3', 'A', '4', '5', '6', 'B', '7', '8', '9', 'C', '*', '0', '#', 'D'];

pub(crate) const H: usize = crate::bins8::H;
pub(crate) const FREQS: [f32; 8] = [ROWS[0], ROWS[1], ROWS[2], ROWS[3], COLS[0], COLS[1], COLS[2], COLS[3]];
pub(crate) const LABELS: [Label; 16] = {
    let mut l = [Label::new(""); 16];
    let mut i = 0;
    while i < 16 {
        l[i] = Label::from_char(DIGITS[i]);
        i += 1;
    }
    l
};

/// The row and column frequencies of a digit (`0-9*#A-D`, case-insensitive), or `None`.
pub fn digit_freqs(digit: char) -> Option<(f32, f32)> {
    let d = digit.to_ascii_uppercase();
    let i = DIGITS.iter().position(|&c| c == d)?;
    Some((ROWS[i / 4], COLS[i % 4]))
}

/// Tunable limits of the DTMF detector. The defaults follow Q.24 with a little measuring margin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DtmfConfig {
    /// Weakest tone accepted, in dBm0 per tone (Q.24 asks for −25; the default −32 also takes the
    /// weaker tone of a twisted pair whose stronger tone is at −25).
    pub min_level_dbm0: f32,
    /// Largest accepted "normal" twist: low group louder than high group, in dB (Q.24: 8).
    pub max_normal_twist_db: f32,
    /// Largest accepted reverse twist: high group louder than low group, in dB (Q.24: 4).
    pub max_reverse_twist_db: f32,
    /// Largest accepted frequency deviation, relative (between 1.5 % accept and 3.5 % reject).
    pub freq_tolerance: f32,
    /// Minimum share of the frame energy the two tones must carry (talk-off guard), 0..1.
    pub min_energy_share: f32,
    /// Shortest digit accepted, in ms (Q.24: 40; 23 ms is rejected at the default).
    pub min_on_ms: u32,
    /// Shortest pause that separates two digits, in ms (shorter interruptions are bridged).
    pub min_off_ms: u32,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        Self {
            min_level_dbm0: -32.0,
            max_normal_twist_db: 10.5,
            max_reverse_twist_db: 6.5,
            freq_tolerance: 0.025,
            min_energy_share: 0.75,
            min_on_ms: 40,
            min_off_ms: 40,
        }
    }
}

/// A single-channel DTMF detector. Fixed-size state; `process` never allocates.
#[derive(Clone, Debug)]
pub struct Dtmf {
    pub(crate) cfg: DtmfConfig,
    pub(crate) bins: Bins8,
    /// Analysis window (Hann, with the 1/32768 scale).
    pub(crate) win: [f32; H],
    /// Samples of the frame being filled; `pos` of them are valid.
    pub(crate) buf: [i16; H],
    pub(crate) pos: usize,
    pub(crate) measurer: Measurer<8>,
    pub(crate) deb: Debouncer,
    pub(crate) now: SampleTime,
    pub(crate) tol_hz: [f32; 8],
    /// Bin power of a tone at `min_level_dbm0`.
    pub(crate) min_power: f32,
}

impl Default for Dtmf {
    fn default() -> Self {
        Self::new(DtmfConfig::default())
    }
}

impl Dtmf {
    /// A detector with the given limits.
    pub fn new(cfg: DtmfConfig) -> Self {
        let win = hann_window();
        let (sw, sw2) = window_sums(&win);
        // Frame-pair counts from the durations, see the module docs for the arithmetic.
        let per = |ms: u32| (ms as usize * crate::SAMPLE_RATE as usize / 1000) / H;
        let min_on = per(cfg.min_on_ms).saturating_sub(2).max(1) as u8;
        let end_frames = per(cfg.min_off_ms).clamp(1, 16) as u8;
        let mut tol_hz = [0.0; 8];
        for (t, f) in tol_hz.iter_mut().zip(FREQS) {
            *t = f * cfg.freq_tolerance;
        }
        let measurer = Measurer::new(&FREQS, H, sw, sw2);
        let min_power = level_power(&measurer, cfg.min_level_dbm0);
        Self {
            cfg,
            bins: Bins8::new(&FREQS),
            win,
            buf: [0; H],
            pos: 0,
            measurer,
            min_power,
            deb: Debouncer::new(DetectorKind::Dtmf, H, min_on, end_frames),
            now: 0,
            tol_hz,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &DtmfConfig {
        &self.cfg
    }

    /// The digit currently held down, if any.
    pub fn current(&self) -> Option<char> {
        self.deb.current().map(|c| DIGITS[c as usize & 15])
    }

    /// Runs the filters on `kernel` ([`Kernel::best`] by default; a kernel the CPU cannot run
    /// falls back to [`Kernel::Portable`]). Every kernel gives bit-identical results: this is
    /// for comparing them and measuring the portable one.
    pub fn with_kernel(mut self, kernel: Kernel) -> Self {
        self.bins.set_kernel(kernel);
        self
    }

    /// The filter kernel in use.
    pub fn kernel(&self) -> Kernel {
        self.bins.kernel()
    }

    /// Copies `x` into the frame buffer; returns how many samples it took (up to the end of the
    /// frame) and whether the frame is now complete.
    #[inline]
    pub(crate) fn fill(&mut self, x: &[i16]) -> (usize, bool) {
        let pos = self.pos;
        let take = x.len().min(H - pos);
        self.buf[pos..pos + take].copy_from_slice(&x[..take]);
        self.pos += take;
        self.now += take as u64;
        let full = self.pos == H;
        if full {
            self.pos = 0;
        }
        (take, full)
    }

    /// Filters and judges the complete frame ending at `now`.
    #[inline]
    pub(crate) fn frame(&mut self, emit: &mut dyn FnMut(ToneEvent)) {
        let f = self.bins.analyze(&self.buf, &self.win);
        let Self { cfg, measurer, deb, now, tol_hz, min_power, .. } = self;
        let hit = measurer.measure(&f, |m| decide(cfg, tol_hz, *min_power, m));
        deb.frame(hit, *now, &LABELS, emit);
    }
}

/// One frame pair's verdict (a free function so `process` can borrow the parts separately).
pub(crate) fn decide(c: &DtmfConfig, tol_hz: &[f32; 8], min_power: f32, m: &Measured<'_, 8>) -> Option<Hit> {
    let best = |r: core::ops::Range<usize>| {
        r.clone().fold(r.start, |b, i| if m.power[i] > m.power[b] { i } else { b })
    };
    let row = best(0..4);
    let col = best(4..8);
    // Cheap checks first: most frames are speech, noise or silence.
    if m.power[row] < min_power || m.power[col] < min_power {
        return None;
    }
    if m.share(row) + m.share(col) < c.min_energy_share {
        return None;
    }
    let (lr, lc) = (m.level_dbm0(row), m.level_dbm0(col));
    let twist = lc - lr;
    if twist > c.max_reverse_twist_db || -twist > c.max_normal_twist_db {
        return None;
    }
    if m.offset_hz(row).abs() > tol_hz[row] || m.offset_hz(col).abs() > tol_hz[col] {
        return None;
    }
    let power = (m.power[row] + m.power[col]).min(m.prev_power[row] + m.prev_power[col]);
    Some(Hit { code: (row * 4 + (col - 4)) as u8, level_dbm0: lr.max(lc), power })
}

impl Detector for Dtmf {
    fn kind(&self) -> DetectorKind {
        DetectorKind::Dtmf
    }

    fn reset(&mut self) {
        self.pos = 0;
        self.measurer.reset();
        self.deb.reset();
        self.now = 0;
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(ToneEvent)) {
        let mut rest = samples;
        while !rest.is_empty() {
            // At most up to the next frame boundary, so a completed frame ends at `now`.
            let (take, full) = self.fill(rest);
            rest = &rest[take..];
            if full {
                self.frame(emit);
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
    use crate::gen::{clip, DualTone};

    fn run(x: &[i16]) -> Vec<ToneEvent> {
        let mut d = Dtmf::default();
        let mut ev = Vec::new();
        // Odd block size: results must not depend on block boundaries.
        for b in x.chunks(37) {
            d.process(b, &mut |e| ev.push(e));
        }
        ev
    }

    fn tone(f1: f32, f2: f32, l1: f32, l2: f32, ms: usize) -> Vec<i16> {
        let mut x = vec![0i16; 800];
        let mut t = DualTone::new(f1, l1, f2, l2);
        x.extend((0..ms * 8).map(|_| clip(t.next_sample())));
        x.extend(vec![0i16; 1600]);
        x
    }

    fn digits(ev: &[ToneEvent]) -> String {
        ev.iter().filter(|e| !e.is_on()).map(|e| e.value.as_str().to_string()).collect()
    }

    #[test]
    fn detects_every_digit_once_with_times() {
        for (i, &d) in DIGITS.iter().enumerate() {
            let x = tone(ROWS[i / 4], COLS[i % 4], -10.0, -10.0, 60);
            let ev = run(&x);
            assert_eq!(digits(&ev), d.to_string(), "{d}: {ev:?}");
            assert_eq!(ev.len(), 2);
            let off = ev[1];
            let (s, e) = (off.start as i64, off.end.unwrap() as i64);
            assert!((s - 800).abs() <= 64 && (e - 1280).abs() <= 64, "{d}: {s}..{e}");
            assert!(ev[0].decided >= ev[0].start);
        }
    }

    #[test]
    fn frequency_tolerances() {
        for &dev in &[-0.015f32, 0.015] {
            for r in ROWS {
                for c in COLS {
                    let ev = run(&tone(r * (1.0 + dev), c * (1.0 + dev), -10.0, -10.0, 50));
                    assert_eq!(digits(&ev).len(), 1, "accept {r} {c} {dev}");
                }
            }
        }
        for &dev in &[-0.035f32, 0.035] {
            for r in ROWS {
                for c in COLS {
                    let ev = run(&tone(r * (1.0 + dev), c, -10.0, -10.0, 50));
                    assert_eq!(digits(&ev), "", "reject row {r} {c} {dev}");
                    let ev = run(&tone(r, c * (1.0 + dev), -10.0, -10.0, 50));
                    assert_eq!(digits(&ev), "", "reject col {r} {c} {dev}");
                }
            }
        }
    }

    #[test]
    fn durations_and_interruptions() {
        assert_eq!(digits(&run(&tone(770.0, 1336.0, -10.0, -10.0, 40))), "5");
        assert_eq!(digits(&run(&tone(770.0, 1336.0, -10.0, -10.0, 23))), "");
        // 10 ms break inside a digit: still one digit.
        let mut x = tone(770.0, 1336.0, -10.0, -10.0, 60);
        x.truncate(800 + 480);
        x.extend(vec![0i16; 80]);
        x.extend(tone(770.0, 1336.0, -10.0, -10.0, 60)[800..].iter());
        assert_eq!(digits(&run(&x)), "5");
        // 40 ms pause: two digits.
        let mut y = tone(770.0, 1336.0, -10.0, -10.0, 50);
        y.truncate(800 + 400 + 320);
        y.extend(tone(770.0, 1336.0, -10.0, -10.0, 50)[800..].iter());
        assert_eq!(digits(&run(&y)), "55");
    }

    #[test]
    fn levels_and_twist() {
        assert_eq!(digits(&run(&tone(852.0, 1477.0, -25.0, -25.0, 50))), "9");
        assert_eq!(digits(&run(&tone(852.0, 1477.0, -40.0, -40.0, 50))), "");
        assert_eq!(digits(&run(&tone(852.0, 1477.0, -10.0, -18.0, 50))), "9");
        assert_eq!(digits(&run(&tone(852.0, 1477.0, -10.0, -6.0, 50))), "9");
        assert_eq!(digits(&run(&tone(852.0, 1477.0, -10.0, -22.0, 50))), "");
        assert_eq!(digits(&run(&tone(852.0, 1477.0, -10.0, -2.0, 50))), "");
    }

    #[test]
    fn level_and_durations_are_configurable() {
        let run_cfg = |cfg: DtmfConfig, x: &[i16]| {
            let mut d = Dtmf::new(cfg);
            let mut ev = Vec::new();
            d.process(x, &mut |e| ev.push(e));
            digits(&ev)
        };
        let quiet = tone(852.0, 1477.0, -40.0, -40.0, 50);
        assert_eq!(run_cfg(DtmfConfig::default(), &quiet), "");
        assert_eq!(run_cfg(DtmfConfig { min_level_dbm0: -45.0, ..Default::default() }, &quiet), "9");
        let slow = DtmfConfig { min_on_ms: 80, ..Default::default() };
        assert_eq!(run_cfg(slow, &tone(852.0, 1477.0, -10.0, -10.0, 60)), "");
        assert_eq!(run_cfg(slow, &tone(852.0, 1477.0, -10.0, -10.0, 100)), "9");
    }

    #[test]
    fn portable_kernel_gives_the_same_events() {
        let mut x = Vec::new();
        for i in 0..16 {
            x.extend(tone(ROWS[i / 4], COLS[i % 4] * 1.012, -20.0 + i as f32, -24.0 + i as f32, 45));
        }
        let mut a = Dtmf::default();
        let mut b = Dtmf::default().with_kernel(Kernel::Portable);
        assert_eq!(b.kernel(), Kernel::Portable);
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        for blk in x.chunks(37) {
            a.process(blk, &mut |e| ea.push(e));
            b.process(blk, &mut |e| eb.push(e));
        }
        assert_eq!(digits(&ea), "123A456B789C*0#D");
        assert_eq!(ea, eb);
    }

    #[test]
    fn survives_garbage_and_resets() {
        let mut d = Dtmf::default();
        let x: Vec<i16> = (0..10_000).map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN }).collect();
        d.process(&x, &mut |_| {});
        d.process(&[], &mut |_| {});
        d.reset();
        assert_eq!(d.now(), 0);
    }
}
