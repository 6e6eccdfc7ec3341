//! The engine shared by the DTMF and MF detectors: a windowed Goertzel bank over fixed frames,
//! per-tone frequency estimates from the phase advance between consecutive frames, and a debouncer
//! that turns per-frame decisions into on/off events with minimum on and off times.
//!
//! Why phase: a Goertzel bin is much wider than the Q.24 / Q.441 tolerances, so magnitude alone
//! cannot tell a tone 1.5 % off (must accept) from one 3.5 % off (must reject). The phase of a bin
//! advances by `ω_tone · H` from one frame to the next whatever the bin's own frequency, which gives
//! the tone's frequency to about a hertz at the levels we care about.

use crate::event::{DetectorKind, Label, ToneEvent};
use crate::SampleTime;
use core::f32::consts::{PI, TAU};

/// Raw Goertzel results of one frame.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame<const N: usize> {
    /// Real part of each bin (up to a constant phase factor per bin).
    pub re: [f32; N],
    /// Imaginary part of each bin.
    pub im: [f32; N],
    /// Windowed energy of the frame, `Σ (w x)²`.
    pub energy: f32,
}

/// Independent Goertzel chains per frame (the default): the frame is split into `C` consecutive
/// stretches that run interleaved (a single recursion is latency-bound: each sample waits for a
/// multiply and an add of the previous one), then recombined with a phase rotation per stretch.
/// Four suits four filters; eight filters already give enough independent work with two, and
/// four would no longer fit the SSE registers.
pub(crate) const CHAINS: usize = 4;

/// `N` Goertzel filters over a block of `H` samples (`H` a multiple of `C` chains), giving each
/// bin's complex value at the block's end and the block's energy. Fixed-size arrays, so the loops
/// unroll and vectorise.
#[derive(Clone, Debug)]
pub(crate) struct BinBank<const N: usize, const H: usize, const C: usize = CHAINS> {
    pub(crate) k: [f32; N],
    pub(crate) cosw: [f32; N],
    pub(crate) sinw: [f32; N],
    /// `e^{jωL(C-1-c)}` per chain `c` (`L = H / C`): moves a stretch's result to the
    /// block's end.
    pub(crate) rot_re: [[f32; N]; C],
    pub(crate) rot_im: [[f32; N]; C],
}

impl<const N: usize, const H: usize, const C: usize> BinBank<N, H, C> {
    const L: usize = {
        assert!(C > 0 && H % C == 0 && H > 0);
        H / C
    };

    pub fn new(freqs: &[f32; N]) -> Self {
        let mut k = [0.0; N];
        let mut cosw = [0.0; N];
        let mut sinw = [0.0; N];
        let mut rot_re = [[0.0; N]; C];
        let mut rot_im = [[0.0; N]; C];
        for i in 0..N {
            let w = TAU * freqs[i] / crate::SAMPLE_RATE as f32;
            k[i] = 2.0 * w.cos();
            cosw[i] = w.cos();
            sinw[i] = w.sin();
            for c in 0..C {
                let a = (w as f64) * (Self::L * (C - 1 - c)) as f64;
                rot_re[c][i] = a.cos() as f32;
                rot_im[c][i] = a.sin() as f32;
            }
        }
        Self { k, cosw, sinw, rot_re, rot_im }
    }

    /// The Goertzel results of one block (`y = Σ x[n] e^{jω(H-1-n)}` per bin) and its energy.
    #[inline]
    pub fn analyze(&self, x: &[f32; H]) -> Frame<N> {
        let mut f = self.bins(x);
        f.energy = energy(x);
        f
    }

    /// The Goertzel results of one block, without the energy (left 0).
    #[inline]
    pub fn bins(&self, x: &[f32; H]) -> Frame<N> {
        let l = Self::L;
        let k = self.k;
        let mut s1 = [[0.0f32; N]; C];
        let mut s2 = [[0.0f32; N]; C];
        for j in 0..l {
            for c in 0..C {
                let xv = x[c * l + j];
                for i in 0..N {
                    // `xv - s2` does not depend on the previous step's result: only one multiply
                    // and one add sit on the recursive critical path.
                    let s0 = k[i] * s1[c][i] + (xv - s2[c][i]);
                    s2[c][i] = s1[c][i];
                    s1[c][i] = s0;
                }
            }
        }
        let mut f = Frame { re: [0.0; N], im: [0.0; N], energy: 0.0 };
        for c in 0..C {
            for i in 0..N {
                let re = s1[c][i] - self.cosw[i] * s2[c][i];
                let im = self.sinw[i] * s2[c][i];
                f.re[i] += self.rot_re[c][i] * re - self.rot_im[c][i] * im;
                f.im[i] += self.rot_re[c][i] * im + self.rot_im[c][i] * re;
            }
        }
        f
    }
}

/// A bank of `N` windowed Goertzel filters over frames of `H` samples. Samples are windowed into
/// a frame buffer as they arrive; the filters run once per complete frame.
#[derive(Clone, Debug)]
pub(crate) struct FrameAnalyzer<const N: usize, const H: usize, const C: usize = CHAINS> {
    pub(crate) bins: BinBank<N, H, C>,
    pub(crate) win: [f32; H],
    buf: [f32; H],
    pos: usize,
}

impl<const N: usize, const H: usize, const C: usize> FrameAnalyzer<N, H, C> {
    pub fn new(freqs: &[f32; N]) -> Self {
        Self { bins: BinBank::new(freqs), win: hann_window(), buf: [0.0; H], pos: 0 }
    }

    pub fn reset(&mut self) {
        self.pos = 0;
    }

    /// Samples still needed to complete the current frame.
    pub fn room(&self) -> usize {
        H - self.pos
    }

    /// Feeds samples; calls `on_frame` each time a frame completes.
    #[inline]
    pub fn push(&mut self, mut x: &[i16], mut on_frame: impl FnMut(&Frame<N>)) {
        while !x.is_empty() {
            let take = (H - self.pos).min(x.len());
            let (now, rest) = x.split_at(take);
            let pos = self.pos;
            for ((b, &v), &w) in self.buf[pos..pos + take].iter_mut().zip(now).zip(&self.win[pos..pos + take])
            {
                *b = v as f32 * w;
            }
            self.pos += take;
            x = rest;
            if self.pos == H {
                self.pos = 0;
                let f = self.bins.analyze(&self.buf);
                on_frame(&f);
            }
        }
    }

    /// `Σw` and `Σw²` of the window (with the 1/32768 scale).
    pub fn window_sums(&self) -> (f32, f32) {
        window_sums(&self.win)
    }
}

/// The analysis window of `H` samples: periodic Hann, scaled by 1/32768 so that windowed 16-bit
/// samples (and the filter state) stay O(1).
pub(crate) fn hann_window<const H: usize>() -> [f32; H] {
    let mut win = [0.0; H];
    for (i, w) in win.iter_mut().enumerate() {
        *w = (0.5 - 0.5 * (TAU * (i as f32 + 0.5) / H as f32).cos()) / 32768.0;
    }
    win
}

/// `Σw` and `Σw²` of a window.
pub(crate) fn window_sums(win: &[f32]) -> (f32, f32) {
    (win.iter().sum(), win.iter().map(|w| w * w).sum())
}

/// `Σ x²` of a frame, with eight partial sums (vectorises; the bank uses the same order).
#[inline]
pub(crate) fn energy(x: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let mut it = x.chunks_exact(8);
    for ch in &mut it {
        for l in 0..8 {
            acc[l] += ch[l] * ch[l];
        }
    }
    for (l, &v) in it.remainder().iter().enumerate() {
        acc[l] += v * v;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Per-frame measurements the family-specific decision code works from. Powers are computed for
/// every bin; levels, shares and frequency offsets only on demand (for the one or two candidate
/// bins), which keeps logarithms and arc tangents out of most frames.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Measured<'a, const N: usize> {
    /// Bin power (linear, for relative comparisons).
    pub power: [f32; N],
    /// The same bin's power in the previous frame.
    pub prev_power: [f32; N],
    frame: &'a Frame<N>,
    m: &'a Measurer<N>,
}

impl<const N: usize> Measured<'_, N> {
    /// Level of bin `i`'s tone in dBm0 (as if the tone sat exactly on the bin).
    pub fn level_dbm0(&self, i: usize) -> f32 {
        crate::level::power_to_dbm0(self.power[i] * self.m.level_k)
    }

    /// Share of the frame's energy explained by bin `i` (1.0 for a lone on-bin sine).
    pub fn share(&self, i: usize) -> f32 {
        self.power[i] * self.m.share_k / self.frame.energy.max(1e-30)
    }

    /// Frequency offset of bin `i`'s tone from the bin's nominal frequency, in Hz.
    pub fn offset_hz(&self, i: usize) -> f32 {
        let (re, im) = (self.frame.re[i], self.frame.im[i]);
        let (pr, pi) = (self.m.prev_re[i], self.m.prev_im[i]);
        // y_m · conj(y_{m-1}): its angle is ω_tone·H (mod 2π).
        let cr = re * pr + im * pi;
        let ci = im * pr - re * pi;
        wrap(ci.atan2(cr) - self.m.wh[i]) * self.m.hz_per_rad
    }
}

/// Turns raw frames into [`Measured`] values (keeps the previous frame for the phase step).
#[derive(Clone, Debug)]
pub(crate) struct Measurer<const N: usize> {
    /// Nominal `ω H` of each bin, wrapped to (−π, π].
    wh: [f32; N],
    prev_re: [f32; N],
    prev_im: [f32; N],
    prev_power: [f32; N],
    hz_per_rad: f32,
    share_k: f32,
    level_k: f32,
}

impl<const N: usize> Measurer<N> {
    pub fn new(freqs: &[f32; N], h: usize, sum_w: f32, sum_w2: f32) -> Self {
        let mut wh = [0.0; N];
        for i in 0..N {
            wh[i] = wrap(TAU * freqs[i] / crate::SAMPLE_RATE as f32 * h as f32);
        }
        Self {
            wh,
            prev_re: [0.0; N],
            prev_im: [0.0; N],
            prev_power: [0.0; N],
            hz_per_rad: crate::SAMPLE_RATE as f32 / (TAU * h as f32),
            share_k: 2.0 * sum_w2 / (sum_w * sum_w),
            // Sine amplitude A gives |y| = A Σw / 2 (Σw includes the 1/32768 scale) and a mean
            // power of A²/2, so mean power = 2 |y|² / (Σw)².
            level_k: 2.0 / (sum_w * sum_w),
        }
    }

    pub fn reset(&mut self) {
        self.prev_re = [0.0; N];
        self.prev_im = [0.0; N];
        self.prev_power = [0.0; N];
    }

    /// Measures `f` against the previous frame, lets `decide` look at it, then makes `f` the
    /// previous frame.
    #[inline]
    pub fn measure<R>(&mut self, f: &Frame<N>, decide: impl FnOnce(&Measured<'_, N>) -> R) -> R {
        let mut power = [0.0; N];
        for (p, (re, im)) in power.iter_mut().zip(f.re.iter().zip(&f.im)) {
            *p = re * re + im * im;
        }
        let r = decide(&Measured { power, prev_power: self.prev_power, frame: f, m: self });
        self.prev_re = f.re;
        self.prev_im = f.im;
        self.prev_power = power;
        r
    }
}

/// The bin power a tone at `dbm0` shows.
pub(crate) fn level_power<const N: usize>(m: &Measurer<N>, dbm0: f32) -> f32 {
    crate::level::DBM0_RMS * crate::level::DBM0_RMS * 10f32.powf(dbm0 / 10.0) / m.level_k
}

/// Wraps an angle to (−π, π].
#[inline]
fn wrap(a: f32) -> f32 {
    let mut a = a % TAU;
    if a > PI {
        a -= TAU;
    } else if a <= -PI {
        a += TAU;
    }
    a
}

/// One frame's verdict: a code (index into the family's label table) and its level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Hit {
    pub code: u8,
    pub level_dbm0: f32,
    pub power: f32,
}

/// Debounces per-frame hits into on/off events.
#[derive(Clone, Debug)]
pub(crate) struct Debouncer {
    kind: DetectorKind,
    /// Frames of `h` samples.
    h: u64,
    /// Strong frames needed to declare a signal on.
    min_on: u8,
    /// Consecutive missing frames that end a signal.
    end_frames: u8,
    cand: Option<u8>,
    cand_start: SampleTime,
    run: [f32; 16],
    run_len: u8,
    on: Option<u8>,
    on_start: SampleTime,
    last_hit_end: SampleTime,
    miss: u8,
    level: f32,
}

impl Debouncer {
    pub fn new(kind: DetectorKind, h: usize, min_on: u8, end_frames: u8) -> Self {
        Self {
            kind,
            h: h as u64,
            min_on: min_on.clamp(1, 16),
            end_frames: end_frames.max(1),
            cand: None,
            cand_start: 0,
            run: [0.0; 16],
            run_len: 0,
            on: None,
            on_start: 0,
            last_hit_end: 0,
            miss: 0,
            level: -100.0,
        }
    }

    pub fn reset(&mut self) {
        *self = Self::new(self.kind, self.h as usize, self.min_on, self.end_frames);
    }

    /// True while a signal is on.
    pub fn current(&self) -> Option<u8> {
        self.on
    }

    /// Handles the verdict of the frame that ends at sample `frame_end`.
    pub fn frame(
        &mut self,
        hit: Option<Hit>,
        frame_end: SampleTime,
        labels: &[Label],
        emit: &mut dyn FnMut(ToneEvent),
    ) {
        // A frame-pair hit means the tone filled most of this frame and the one before it.
        if let Some(on) = self.on {
            if hit.map(|h| h.code) == Some(on) {
                self.miss = 0;
                self.last_hit_end = frame_end;
                return;
            }
            self.miss += 1;
            if self.miss < self.end_frames {
                return;
            }
            // A gap long enough to end the signal (a 10 ms interruption is shorter than this).
            let mut ev = ToneEvent::new(
                self.kind,
                label(labels, on),
                self.on_start,
                Some(self.last_hit_end),
                frame_end,
            );
            ev.level_dbm0 = Some(self.level);
            emit(ev);
            self.on = None;
            self.cand = None;
            self.run_len = 0;
        }
        let Some(h) = hit else {
            self.cand = None;
            self.run_len = 0;
            return;
        };
        if self.cand != Some(h.code) {
            self.cand = Some(h.code);
            self.cand_start = frame_end.saturating_sub(2 * self.h);
            self.run_len = 0;
        }
        if (self.run_len as usize) < self.run.len() {
            self.run[self.run_len as usize] = h.power;
            self.run_len += 1;
        }
        let run = &self.run[..self.run_len as usize];
        let peak = run.iter().copied().fold(0.0f32, f32::max);
        let strong = run.iter().filter(|&&p| p >= peak * 0.25).count();
        if strong >= self.min_on as usize {
            self.on = Some(h.code);
            self.on_start = self.cand_start;
            self.last_hit_end = frame_end;
            self.miss = 0;
            self.level = h.level_dbm0;
            let mut ev = ToneEvent::new(self.kind, label(labels, h.code), self.on_start, None, frame_end);
            ev.level_dbm0 = Some(h.level_dbm0);
            emit(ev);
        }
    }
}

fn label(labels: &[Label], code: u8) -> Label {
    labels.get(code as usize).copied().unwrap_or(Label::new("?"))
}
