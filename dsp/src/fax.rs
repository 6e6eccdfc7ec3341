//! Fax and modem tones (ITU-T T.30, V.25, V.8, V.21): CNG (1100 Hz, 0.5 s on / 3 s off), ANS/CED
//! (2100 Hz), ANS with phase reversals every 450 ms (ANS/), ANSam (2100 Hz, 15 Hz AM at 20 %),
//! ANSam with reversals (ANSam/) and the V.21 channel-2 HDLC preamble (0x7E flags at 300 bit/s,
//! FSK 1650/1850 Hz).
//!
//! Per 10 ms block: a single-bin DFT at 2100 Hz (exactly 21 cycles per block, so the phase is
//! steady and a reversal shows as a π jump), one at 1100 Hz (11 cycles) and the block energy. The
//! 2100 Hz envelope gives the 15 Hz AM index. For V.21, a 1750 Hz complex mixer with a 16-sample
//! moving sum and a cross-product discriminator over 8 samples gives mark/space runs; alternating
//! runs of six and two bits are flags. The discriminator only runs while single-bin DFTs at 1650
//! and 1850 Hz hold a fair share of the energy, so speech and music mostly skip it.

use crate::goertzel::sine_power;
use crate::level::DBM0_RMS;
use crate::SampleTime;
use core::f32::consts::{PI, TAU};

const BLOCK: usize = 80;
/// Blocks of 2100 Hz before ANS-family tones are classified (1.0 s: two reversals).
const ANS_DECIDE_BLOCKS: usize = 100;
const MIX_LEN: usize = 16;
/// Discriminator delay in samples (−100 Hz turns 0.63 rad in it).
const DISC_DELAY: usize = 8;

/// Fax/modem tone classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum FaxTone {
    /// Calling fax tone, 1100 Hz.
    Cng,
    /// Answer tone 2100 Hz, plain (T.30 CED, V.25 ANS).
    Ans,
    /// 2100 Hz with phase reversals (V.25 ANS/).
    AnsPr,
    /// 2100 Hz amplitude-modulated at 15 Hz (V.8 ANSam).
    AnsAm,
    /// ANSam with phase reversals (V.8 ANSam/).
    AnsAmPr,
    /// V.21 HDLC flags (start of T.30 signalling).
    V21Preamble,
}

impl FaxTone {
    /// Name used by `trunkctl analyze`.
    pub fn name(self) -> &'static str {
        match self {
            FaxTone::Cng => "CNG",
            FaxTone::Ans => "ANS",
            FaxTone::AnsPr => "ANS_PR",
            FaxTone::AnsAm => "ANSAM",
            FaxTone::AnsAmPr => "ANSAM_PR",
            FaxTone::V21Preamble => "V21_PREAMBLE",
        }
    }

    /// All classes.
    pub const ALL: [FaxTone; 6] =
        [FaxTone::Cng, FaxTone::Ans, FaxTone::AnsPr, FaxTone::AnsAm, FaxTone::AnsAmPr, FaxTone::V21Preamble];
}

/// A detected fax/modem tone.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct FaxEvent {
    /// Which tone.
    pub tone: FaxTone,
    /// First sample of the tone.
    pub start: SampleTime,
    /// Sample at which it was decided.
    pub decided: SampleTime,
    /// `None` while it lasts; its last sample when reported ended.
    pub end: Option<SampleTime>,
}

#[derive(Clone, Debug, Default)]
struct Ans {
    blocks: usize,
    dropouts: usize,
    start: SampleTime,
    prev_phase: [f32; 2],
    drift: f32,
    refractory: usize,
    reversals: usize,
    last_rev: usize,
    rev_ok: bool,
    env_sum: f32,
    env_re: f32,
    env_im: f32,
    env_n: usize,
    env_prev: f32,
    decided: Option<FaxTone>,
}

#[derive(Clone, Debug, Default)]
struct V21 {
    /// The last `MIX_LEN - 1` mixer outputs of the previous block (real, imaginary).
    z_re: [f32; MIX_LEN - 1],
    z_im: [f32; MIX_LEN - 1],
    /// The last `DISC_DELAY` moving sums of the previous block.
    y_re: [f32; DISC_DELAY],
    y_im: [f32; DISC_DELAY],
    sign: bool,
    pending: u32,
    run: u32,
    last_space: u32,
    flags: u32,
    start: SampleTime,
    active: bool,
    quiet_blocks: u32,
}

/// Share of the block energy in the V.21 tones that opens the discriminator (a V.21 signal
/// shows 0.4–1 whatever its bits; its gate stays open one block longer).
const V21_GATE: f32 = 0.2;

/// What one block's single-bin DFTs found.
struct BlockDfts {
    re2100: f32,
    im2100: f32,
    p1100: f32,
    /// Mean power per sample.
    ms: f32,
    /// Share of the energy at 1650 and 1850 Hz (1.0 for a lone tone on either).
    v21_share: f32,
}

/// Fax/modem tone detector for one channel.
#[derive(Clone, Debug)]
pub struct FaxDetector {
    cos2100: [f32; BLOCK],
    sin2100: [f32; BLOCK],
    /// The 1750 Hz mixer, `e^{-jωn}` for `n` in `0..32` repeated so any 32-aligned phase can be
    /// sliced as one contiguous block.
    mix_re: [f32; 32 + BLOCK],
    mix_im: [f32; 32 + BLOCK],
    cos1100: [f32; BLOCK],
    sin1100: [f32; BLOCK],
    /// The V.21 channel-2 tones (mark 1650 Hz, space 1850 Hz), for the gate.
    cos_v21: [[f32; BLOCK]; 2],
    sin_v21: [[f32; BLOCK]; 2],
    /// The V.21 gate was open for the previous block.
    v21_gate: bool,
    buf: [f32; BLOCK],
    pos: usize,
    n: u64,
    min_power: f32,
    cng_blocks: usize,
    cng_start: SampleTime,
    ans: Ans,
    v21: V21,
}

impl Default for FaxDetector {
    fn default() -> Self {
        Self::new()
    }
}

fn wrap(a: f32) -> f32 {
    let mut a = a % TAU;
    if a > PI {
        a -= TAU;
    } else if a < -PI {
        a += TAU;
    }
    a
}

impl FaxDetector {
    /// A detector with a −48 dBm0 floor.
    pub fn new() -> Self {
        let w = TAU * 2100.0 / 8000.0;
        let m = TAU * 1750.0 / 8000.0;
        Self {
            cos2100: core::array::from_fn(|i| (w * i as f32).cos()),
            sin2100: core::array::from_fn(|i| (w * i as f32).sin()),
            mix_re: core::array::from_fn(|i| (m * (i % 32) as f32).cos()),
            mix_im: core::array::from_fn(|i| -(m * (i % 32) as f32).sin()),
            cos1100: core::array::from_fn(|i| (TAU * 1100.0 / 8000.0 * i as f32).cos()),
            sin1100: core::array::from_fn(|i| (TAU * 1100.0 / 8000.0 * i as f32).sin()),
            cos_v21: [1650.0f32, 1850.0]
                .map(|f| core::array::from_fn(|i| (TAU * f / 8000.0 * i as f32).cos())),
            sin_v21: [1650.0f32, 1850.0]
                .map(|f| core::array::from_fn(|i| (TAU * f / 8000.0 * i as f32).sin())),
            v21_gate: false,
            buf: [0.0; BLOCK],
            pos: 0,
            n: 0,
            min_power: DBM0_RMS * DBM0_RMS * 10f32.powf(-48.0 / 10.0),
            cng_blocks: 0,
            cng_start: 0,
            ans: Ans::default(),
            v21: V21::default(),
        }
    }

    /// Forgets everything heard.
    pub fn reset(&mut self) {
        *self = Self { min_power: self.min_power, ..Self::new() };
    }

    /// Feeds samples; `on_event` is called when a tone is decided and when it ends.
    ///
    /// Work happens once per complete 10 ms block, over fixed-size arrays (vectorised); events
    /// carry the same sample times whatever the block boundaries.
    pub fn process(&mut self, x: &[i16], mut on_event: impl FnMut(FaxEvent)) {
        let mut rest = x;
        while !rest.is_empty() {
            let take = (BLOCK - self.pos).min(rest.len());
            let (chunk, tail) = rest.split_at(take);
            rest = tail;
            let pos = self.pos;
            for (b, &v) in self.buf[pos..pos + take].iter_mut().zip(chunk) {
                *b = v as f32;
            }
            self.pos += take;
            if self.pos == BLOCK {
                self.pos = 0;
                let start = self.n;
                let m = self.measure();
                // The discriminator only runs while the V.21 band holds a good share of the
                // energy (this block or the one before): speech and music mostly skip it.
                let gate = m.ms > self.min_power && m.v21_share >= V21_GATE;
                if gate || self.v21_gate {
                    self.v21_block(start, &mut on_event);
                } else {
                    self.v21_skip(start, &mut on_event);
                }
                self.v21_gate = gate;
                self.n = start + BLOCK as u64;
                self.block(&m, &mut on_event);
            }
        }
    }

    /// V.21 discriminator over the block: mix to 1750 Hz, 16-sample moving sum (as a tree of
    /// pairwise sums, so no sample waits for the previous one), the sign of the cross product
    /// with the sum 8 samples earlier, then the run-length state machine per sample.
    fn v21_block(&mut self, start: SampleTime, on_event: &mut impl FnMut(FaxEvent)) {
        const Z: usize = MIX_LEN - 1 + BLOCK;
        let ph = (start % 32) as usize;
        let (mr, mi) = (&self.mix_re[ph..ph + BLOCK], &self.mix_im[ph..ph + BLOCK]);
        let mut zr = [0.0f32; Z];
        let mut zi = [0.0f32; Z];
        zr[..MIX_LEN - 1].copy_from_slice(&self.v21.z_re);
        zi[..MIX_LEN - 1].copy_from_slice(&self.v21.z_im);
        for i in 0..BLOCK {
            zr[MIX_LEN - 1 + i] = self.buf[i] * mr[i];
            zi[MIX_LEN - 1 + i] = self.buf[i] * mi[i];
        }
        self.v21.z_re.copy_from_slice(&zr[BLOCK..]);
        self.v21.z_im.copy_from_slice(&zi[BLOCK..]);
        // y[n] = Σ z[n..n + 16] by doubling: 2, 4, 8, 16.
        let mut p2r = [0.0f32; Z - 1];
        let mut p2i = [0.0f32; Z - 1];
        for i in 0..Z - 1 {
            p2r[i] = zr[i] + zr[i + 1];
            p2i[i] = zi[i] + zi[i + 1];
        }
        let mut p4r = [0.0f32; Z - 3];
        let mut p4i = [0.0f32; Z - 3];
        for i in 0..Z - 3 {
            p4r[i] = p2r[i] + p2r[i + 2];
            p4i[i] = p2i[i] + p2i[i + 2];
        }
        let mut p8r = [0.0f32; Z - 7];
        let mut p8i = [0.0f32; Z - 7];
        for i in 0..Z - 7 {
            p8r[i] = p4r[i] + p4r[i + 4];
            p8i[i] = p4i[i] + p4i[i + 4];
        }
        let mut yr = [0.0f32; DISC_DELAY + BLOCK];
        let mut yi = [0.0f32; DISC_DELAY + BLOCK];
        yr[..DISC_DELAY].copy_from_slice(&self.v21.y_re);
        yi[..DISC_DELAY].copy_from_slice(&self.v21.y_im);
        for i in 0..BLOCK {
            yr[DISC_DELAY + i] = p8r[i] + p8r[i + 8];
            yi[DISC_DELAY + i] = p8i[i] + p8i[i + 8];
        }
        self.v21.y_re.copy_from_slice(&yr[BLOCK..]);
        self.v21.y_im.copy_from_slice(&yi[BLOCK..]);
        // Im(y · conj(prev)) < 0: below 1750 Hz, i.e. mark (1650 Hz, binary 1). One bit per sample.
        let mut cross = [0.0f32; BLOCK];
        for i in 0..BLOCK {
            let (y0, y1, p0, p1) = (yr[DISC_DELAY + i], yi[DISC_DELAY + i], yr[i], yi[i]);
            cross[i] = y1 * p0 - y0 * p1;
        }
        let mut lo = 0u64;
        for (i, &c) in cross[..64].iter().enumerate() {
            lo |= u64::from(c < 0.0) << i;
        }
        let mut hi = 0u64;
        for (i, &c) in cross[64..].iter().enumerate() {
            hi |= u64::from(c < 0.0) << i;
        }
        self.v21_runs(start, u128::from(lo) | (u128::from(hi) << 64), on_event);
    }

    /// The run-length state machine over one block's mark bits (bit `i`: sample `i` is mark),
    /// jumping from edge to edge: samples equal to the current sign extend the run and clear
    /// `pending`; six differing samples in a row confirm an edge ([`Self::v21_edge`]).
    fn v21_runs(&mut self, start: SampleTime, marks: u128, on_event: &mut impl FnMut(FaxEvent)) {
        const VALID: u128 = (1u128 << BLOCK) - 1;
        let mut i = 0usize;
        while i < BLOCK {
            let st = &mut self.v21;
            let sign = if st.sign { VALID } else { 0 };
            // Bit j: sample i + j differs from the current sign.
            let diff = ((marks ^ sign) & VALID) >> i;
            if diff == 0 {
                st.run += (BLOCK - i) as u32;
                st.pending = 0;
                return;
            }
            let same = diff.trailing_zeros() as usize;
            if same > 0 {
                st.run += same as u32;
                st.pending = 0;
                i += same;
            }
            let differ = (!(diff >> same)).trailing_zeros() as usize;
            let need = (6 - st.pending.min(5)) as usize;
            if differ >= need {
                // The confirming sample is the `need`-th differing one.
                st.run += need as u32;
                st.pending += need as u32 - 1;
                let mark = !st.sign;
                self.n = start + (i + need - 1) as u64;
                self.v21_edge(mark, on_event);
                i += need;
            } else {
                st.run += differ as u32;
                st.pending += differ as u32;
                i += differ;
            }
        }
    }

    /// One sample whose sign differs from the current run's.
    fn v21_edge(&mut self, mark: bool, on_event: &mut impl FnMut(FaxEvent)) {
        let st = &mut self.v21;
        st.pending += 1;
        if st.pending < 6 {
            return;
        }
        // A run of the old sign ended `pending` samples ago.
        let len = st.run - st.pending;
        st.run = st.pending;
        st.pending = 0;
        let was_mark = st.sign;
        st.sign = mark;
        // Flags: space ≈ 2 bits (53 samples) then mark ≈ 6 bits (160 samples).
        if was_mark {
            if (130..=190).contains(&len) && (35..=75).contains(&st.last_space) {
                st.flags += 1;
                if st.flags == 1 {
                    st.start = self.n.saturating_sub(u64::from(len + st.last_space + st.run));
                }
                if st.flags == 6 && !st.active {
                    st.active = true;
                    on_event(FaxEvent {
                        tone: FaxTone::V21Preamble,
                        start: st.start,
                        decided: self.n,
                        end: None,
                    });
                }
            } else {
                self.v21_break(on_event);
            }
        } else {
            let st = &mut self.v21;
            st.last_space = len;
            if !(35..=75).contains(&len) {
                self.v21_break(on_event);
            }
        }
    }

    fn v21_break(&mut self, on_event: &mut impl FnMut(FaxEvent)) {
        let st = &mut self.v21;
        st.flags = 0;
        if st.active {
            st.active = false;
            on_event(FaxEvent {
                tone: FaxTone::V21Preamble,
                start: st.start,
                decided: self.n,
                end: Some(self.n),
            });
        }
    }

    /// The DFTs and energy of the current block.
    fn measure(&self) -> BlockDfts {
        // Single-bin DFTs at 1100 and 2100 Hz (11 and 21 whole cycles per block), at the two
        // V.21 tones, and the energy, in one pass with eight partial sums each (vectorises).
        let (mut ar, mut ai) = ([0.0f32; 8], [0.0f32; 8]);
        let (mut br, mut bi) = ([0.0f32; 8], [0.0f32; 8]);
        let (mut cr, mut ci) = ([[0.0f32; 8]; 2], [[0.0f32; 8]; 2]);
        let mut e = [0.0f32; 8];
        for (i, x) in self.buf.chunks_exact(8).enumerate() {
            let j = i * 8;
            for l in 0..8 {
                ar[l] += x[l] * self.cos2100[j + l];
                ai[l] += x[l] * self.sin2100[j + l];
                br[l] += x[l] * self.cos1100[j + l];
                bi[l] += x[l] * self.sin1100[j + l];
                for t in 0..2 {
                    cr[t][l] += x[l] * self.cos_v21[t][j + l];
                    ci[t][l] += x[l] * self.sin_v21[t][j + l];
                }
                e[l] += x[l] * x[l];
            }
        }
        let sum = |a: [f32; 8]| ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
        let ms = sum(e) / BLOCK as f32;
        let pv: f32 = (0..2).map(|t| sum(cr[t]) * sum(cr[t]) + sum(ci[t]) * sum(ci[t])).sum();
        BlockDfts {
            re2100: sum(ar),
            im2100: sum(ai),
            p1100: sum(br) * sum(br) + sum(bi) * sum(bi),
            ms,
            v21_share: if ms > 0.0 { sine_power(pv, BLOCK) / ms } else { 0.0 },
        }
    }

    /// A block the V.21 gate keeps out: no flags can continue through it.
    fn v21_skip(&mut self, start: SampleTime, on_event: &mut impl FnMut(FaxEvent)) {
        let st = &mut self.v21;
        st.run += BLOCK as u32;
        st.pending = 0;
        st.z_re = [0.0; MIX_LEN - 1];
        st.z_im = [0.0; MIX_LEN - 1];
        st.y_re = [0.0; DISC_DELAY];
        st.y_im = [0.0; DISC_DELAY];
        if st.flags > 0 || st.active {
            self.n = start;
            self.v21_break(on_event);
        }
    }

    fn block(&mut self, m: &BlockDfts, on_event: &mut impl FnMut(FaxEvent)) {
        let (ms, re, im) = (m.ms, m.re2100, m.im2100);
        let p2100 = re * re + im * im;
        let f2100 = if ms > self.min_power { sine_power(p2100, BLOCK) / ms } else { 0.0 };
        let f1100 = if ms > self.min_power { sine_power(m.p1100, BLOCK) / ms } else { 0.0 };
        let now = self.n;
        if ms < self.min_power {
            self.v21.quiet_blocks += 1;
            if self.v21.quiet_blocks > 3 {
                self.v21_break(on_event);
            }
        } else {
            self.v21.quiet_blocks = 0;
        }

        // CNG: 1100 Hz for 0.38–0.7 s, reported at its end.
        if f1100 >= 0.6 {
            if self.cng_blocks == 0 {
                self.cng_start = now.saturating_sub(BLOCK as u64);
            }
            self.cng_blocks += 1;
        } else {
            if (38..=70).contains(&self.cng_blocks) {
                let end = now.saturating_sub(BLOCK as u64);
                on_event(FaxEvent {
                    tone: FaxTone::Cng,
                    start: self.cng_start,
                    decided: now,
                    end: Some(end),
                });
            }
            self.cng_blocks = 0;
        }

        // ANS family.
        let a = &mut self.ans;
        let tone = f2100 >= 0.6;
        if !tone && a.blocks > 0 && a.dropouts < 2 && ms > self.min_power {
            // A reversal in mid-block cancels most of that block's energy: bridge it.
            a.dropouts += 1;
            a.blocks += 1;
            return;
        }
        if !tone {
            if let Some(t) = a.decided {
                let end = now.saturating_sub(BLOCK as u64 * (1 + a.dropouts as u64));
                on_event(FaxEvent { tone: t, start: a.start, decided: now, end: Some(end) });
            }
            *a = Ans::default();
            return;
        }
        a.dropouts = 0;
        let phase = im.atan2(re);
        let mag = p2100.sqrt();
        if a.blocks == 0 {
            a.start = now.saturating_sub(BLOCK as u64);
            a.prev_phase = [phase, phase];
            a.env_prev = mag;
        }
        a.blocks += 1;
        let k = a.blocks;
        if k >= 3 {
            let d1 = wrap(phase - a.prev_phase[1]);
            if a.refractory > 0 {
                a.refractory -= 1;
            } else {
                let d2 = wrap(phase - a.prev_phase[0] - 2.0 * a.drift);
                if d2.abs() > 2.0 {
                    if a.reversals > 0 {
                        let gap = k - a.last_rev;
                        a.rev_ok |= (40..=50).contains(&gap);
                    }
                    a.reversals += 1;
                    a.last_rev = k;
                    a.refractory = 3;
                } else if (d1 - a.drift).abs() < 0.5 {
                    a.drift += 0.2 * (d1 - a.drift);
                }
            }
        } else if k == 2 {
            a.drift = wrap(phase - a.prev_phase[1]);
        }
        a.prev_phase = [a.prev_phase[1], phase];
        // Envelope at 15 Hz (reversal dips held at the previous value).
        let env = if mag < 0.7 * a.env_prev || a.refractory > 0 { a.env_prev } else { mag };
        a.env_prev = env;
        if k > 3 {
            let w = TAU * 15.0 * (k as f32) / 100.0;
            a.env_sum += env;
            a.env_re += env * w.cos();
            a.env_im += env * w.sin();
            a.env_n += 1;
        }
        if k == ANS_DECIDE_BLOCKS && a.decided.is_none() {
            let mean = a.env_sum / a.env_n.max(1) as f32;
            let depth = 2.0 * (a.env_re * a.env_re + a.env_im * a.env_im).sqrt()
                / (a.env_n.max(1) as f32 * mean.max(1e-9));
            let am = depth > 0.1;
            let pr = (a.reversals >= 2 && a.rev_ok) || a.reversals == 1;
            let t = match (am, pr) {
                (false, false) => FaxTone::Ans,
                (false, true) => FaxTone::AnsPr,
                (true, false) => FaxTone::AnsAm,
                (true, true) => FaxTone::AnsAmPr,
            };
            a.decided = Some(t);
            on_event(FaxEvent { tone: t, start: a.start, decided: now, end: None });
        }
    }
}

/// Generators for the fax and modem tones.
pub mod gen {
    use super::FaxTone;
    use core::f32::consts::TAU;

    /// Renders `ms` of `tone` at `dbm0` (CNG with its cadence starting "on"; ANS family with
    /// reversals every 450 ms and 15 Hz AM at 20 %; V.21 as continuous 0x7E flags).
    pub fn render(tone: FaxTone, ms: u32, dbm0: f32) -> Vec<f32> {
        let a = crate::level::sine_amplitude(dbm0);
        let n = ms as usize * 8;
        match tone {
            FaxTone::Cng => (0..n)
                .map(|i| {
                    let in_cycle = i % (3500 * 8);
                    if in_cycle < 500 * 8 {
                        a * (TAU * (1100.0 * i as f32 / 8000.0).fract()).sin()
                    } else {
                        0.0
                    }
                })
                .collect(),
            FaxTone::V21Preamble => {
                let mut out = Vec::with_capacity(n);
                let mut ph = 0.0f32;
                for i in 0..n {
                    let bit_idx = i * 300 / 8000;
                    let bit = (0x7Eu8 >> (bit_idx % 8)) & 1;
                    let f = if bit == 1 { 1650.0 } else { 1850.0 };
                    ph = (ph + f / 8000.0).fract();
                    out.push(a * (TAU * ph).sin());
                }
                out
            }
            _ => {
                let pr = matches!(tone, FaxTone::AnsPr | FaxTone::AnsAmPr);
                let am = matches!(tone, FaxTone::AnsAm | FaxTone::AnsAmPr);
                (0..n)
                    .map(|i| {
                        let t = i as f32 / 8000.0;
                        let flips = if pr { i / (450 * 8) } else { 0 };
                        let ph = (2100.0 * t).fract() + 0.5 * (flips % 2) as f32;
                        let env = if am { (1.0 + 0.2 * (TAU * 15.0 * t).sin()) / 1.01 } else { 1.0 };
                        a * env * (TAU * ph).sin()
                    })
                    .collect()
            }
        }
    }
}

impl FaxEvent {
    /// The common event form (`value` = `CNG`, `ANS`, `ANS_PR`, `ANSAM`, `ANSAM_PR`, `V21_PREAMBLE`).
    pub fn to_tone_event(&self) -> crate::event::ToneEvent {
        use crate::event::{DetectorKind, Label, ToneEvent};
        let mut e = ToneEvent::new(
            DetectorKind::Fax,
            Label::new(self.tone.name()),
            self.start,
            self.end,
            self.decided,
        );
        e.freq_hz = match self.tone {
            FaxTone::Cng => Some(1100.0),
            FaxTone::V21Preamble => None,
            _ => Some(2100.0),
        };
        e
    }
}

impl crate::event::Detector for FaxDetector {
    fn kind(&self) -> crate::event::DetectorKind {
        crate::event::DetectorKind::Fax
    }

    fn reset(&mut self) {
        FaxDetector::reset(self);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(crate::event::ToneEvent)) {
        FaxDetector::process(self, samples, |e| emit(e.to_tone_event()));
    }

    fn now(&self) -> SampleTime {
        self.n + self.pos as u64
    }
}
