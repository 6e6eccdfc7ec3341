//! Signal generators: DTMF, MF R1, MFC/R2, arbitrary dual tones with levels in dBm0, cadenced tone
//! players and a deterministic noise generator (for SNR tests and the simulated line).

use crate::dtmf;
use crate::mf::MfKind;
use crate::osc::Osc;

/// Two summed sine oscillators (one of them may be silent).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DualTone {
    a: Osc,
    b: Osc,
}

impl DualTone {
    /// `f1` at `l1` dBm0 plus `f2` at `l2` dBm0.
    pub fn new(f1: f32, l1: f32, f2: f32, l2: f32) -> Self {
        Self { a: Osc::new(f1, l1), b: Osc::new(f2, l2) }
    }

    /// A single tone.
    pub fn single(f: f32, level_dbm0: f32) -> Self {
        Self { a: Osc::new(f, level_dbm0), b: Osc::new(0.0, -200.0) }
    }

    /// A DTMF digit with the low group at `level_dbm0` and the high group `twist_db` louder
    /// (negative twist: high group quieter). `None` for a character that is not a DTMF digit.
    pub fn dtmf(digit: char, level_dbm0: f32, twist_db: f32) -> Option<Self> {
        let (r, c) = dtmf::digit_freqs(digit)?;
        Some(Self::new(r, level_dbm0, c, level_dbm0 + twist_db))
    }

    /// An MF signal (`kind`'s code 1..=15) with both tones at `level_dbm0`.
    pub fn mf(kind: MfKind, code: u8, level_dbm0: f32) -> Option<Self> {
        let (f1, f2) = kind.code_freqs(code)?;
        Some(Self::new(f1, level_dbm0, f2, level_dbm0))
    }

    /// The next sample as a float (not clipped).
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        self.a.next_sample() + self.b.next_sample()
    }

    /// Adds the next `out.len()` samples into `out`.
    pub fn add_to(&mut self, out: &mut [f32]) {
        for o in out {
            *o += self.next_sample();
        }
    }

    /// Writes the next `out.len()` samples, clipped to 16 bits.
    pub fn fill(&mut self, out: &mut [i16]) {
        for o in out {
            *o = clip(self.next_sample());
        }
    }
}

/// Rounds and clips a float sample to 16 bits.
#[inline]
pub fn clip(v: f32) -> i16 {
    v.round().clamp(i16::MIN as f32, i16::MAX as f32) as i16
}

/// A tone played with an on/off cadence (up to four on/off pairs, repeating), like ringback
/// (1 s on, 4 s off) or a busy tone. An empty cadence means continuous.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cadenced {
    tone: DualTone,
    cadence: [(u32, u32); 4],
    steps: usize,
    step: usize,
    pos: u32,
    on: bool,
}

impl Cadenced {
    /// `tone` played with `cadence` (pairs of on/off milliseconds; at most four are used).
    pub fn new(tone: DualTone, cadence: &[(u32, u32)]) -> Self {
        let mut c = [(0, 0); 4];
        let steps = cadence.len().min(4);
        for (d, s) in c.iter_mut().zip(cadence) {
            *d = (s.0 * 8, s.1 * 8);
        }
        Self { tone, cadence: c, steps, step: 0, pos: 0, on: true }
    }

    /// The next sample.
    pub fn next_sample(&mut self) -> f32 {
        if self.steps == 0 {
            return self.tone.next_sample();
        }
        // Skip zero-length segments (at most one full cycle) so a bad cadence cannot spin.
        for _ in 0..2 * self.steps + 1 {
            let (on, off) = self.cadence[self.step];
            let len = if self.on { on } else { off };
            if self.pos < len {
                break;
            }
            self.pos = 0;
            if !self.on {
                self.step = (self.step + 1) % self.steps;
            }
            self.on = !self.on;
        }
        self.pos += 1;
        let v = self.tone.next_sample();
        if self.on {
            v
        } else {
            0.0
        }
    }

    /// Writes the next `out.len()` samples, clipped to 16 bits.
    pub fn fill(&mut self, out: &mut [i16]) {
        for o in out {
            *o = clip(self.next_sample());
        }
    }
}

/// Deterministic white Gaussian noise at a given level (xorshift64* + Box–Muller).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    state: u64,
    sigma: f32,
    spare: Option<f32>,
}

impl Noise {
    /// Noise with an RMS of `level_dbm0`, reproducible from `seed`.
    pub fn new(level_dbm0: f32, seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            sigma: crate::level::DBM0_RMS * 10f32.powf(level_dbm0 / 20.0),
            spare: None,
        }
    }

    /// A uniform value in (0, 1].
    pub fn uniform(&mut self) -> f32 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let r = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((r >> 40) as f32 + 1.0) / (1u64 << 24) as f32
    }

    /// The next sample as a float.
    pub fn next_sample(&mut self) -> f32 {
        if let Some(s) = self.spare.take() {
            return s * self.sigma;
        }
        let (u1, u2) = (self.uniform(), self.uniform());
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (core::f32::consts::TAU * u2).sin_cos();
        self.spare = Some(r * s);
        r * c * self.sigma
    }

    /// Adds the next `out.len()` noise samples into `out`.
    pub fn add_to(&mut self, out: &mut [f32]) {
        for o in out {
            *o += self.next_sample();
        }
    }
}

/// Renders a DTMF digit string (`0-9*#A-D`; other characters give silence of one digit slot)
/// with `on_ms`/`off_ms` timing (for tests, the simulated line and `trunkctl tone`).
pub fn dtmf_string(digits: &str, level_dbm0: f32, twist_db: f32, on_ms: u32, off_ms: u32) -> Vec<i16> {
    let (on, off) = (on_ms as usize * 8, off_ms as usize * 8);
    let mut out = vec![0i16; digits.chars().count() * (on + off)];
    for (i, d) in digits.chars().enumerate() {
        if let Some(mut t) = DualTone::dtmf(d, level_dbm0, twist_db) {
            let s = i * (on + off);
            t.fill(&mut out[s..s + on]);
        }
    }
    out
}

/// Renders a sequence of MF signals (codes 1..=15) with `on_ms`/`off_ms` timing.
pub fn mf_sequence(kind: MfKind, codes: &[u8], level_dbm0: f32, on_ms: u32, off_ms: u32) -> Vec<i16> {
    let (on, off) = (on_ms as usize * 8, off_ms as usize * 8);
    let mut out = vec![0i16; codes.len() * (on + off)];
    for (i, &c) in codes.iter().enumerate() {
        if let Some(mut t) = DualTone::mf(kind, c, level_dbm0) {
            let s = i * (on + off);
            t.fill(&mut out[s..s + on]);
        }
    }
    out
}

/// A two-pole resonator (one formant).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Resonator {
    a1: f32,
    a2: f32,
    g: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    fn tune(&mut self, f: f32, bw: f32) {
        let r = (-core::f32::consts::PI * bw / crate::SAMPLE_RATE as f32).exp();
        let th = core::f32::consts::TAU * f / crate::SAMPLE_RATE as f32;
        self.a1 = 2.0 * r * th.cos();
        self.a2 = -r * r;
        self.g = 1.0 - r;
    }

    #[inline]
    fn step(&mut self, x: f32) -> f32 {
        let y = self.g * x + self.a1 * self.y1 + self.a2 * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// Vowel formants (F1, F2, F3) in Hz.
const VOWELS: [[f32; 3]; 10] = [
    [730.0, 1090.0, 2440.0],
    [270.0, 2290.0, 3010.0],
    [300.0, 870.0, 2240.0],
    [530.0, 1840.0, 2480.0],
    [570.0, 840.0, 2410.0],
    [660.0, 1720.0, 2410.0],
    [490.0, 1350.0, 1690.0],
    [520.0, 1190.0, 2390.0],
    [440.0, 1020.0, 2240.0],
    [390.0, 1990.0, 2550.0],
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Seg {
    Voiced,
    Fricative,
    Pause,
}

/// Speech-like audio for talk-off tests and the simulated line: a glottal pulse train with a
/// drifting pitch through three moving formants, with fricative noise and pauses, at a set level.
#[derive(Clone, Debug)]
pub struct SpeechLike {
    rng: Noise,
    f: [Resonator; 3],
    cur: [f32; 3],
    target: [f32; 3],
    pitch: f32,
    pitch_base: f32,
    pitch_target: f32,
    phase: f32,
    tilt: f32,
    seg: Seg,
    left: u32,
    env: f32,
    ms: f32,
    rms: f32,
    n: u32,
}

impl SpeechLike {
    /// A talker reproducible from `seed`, averaging about `level_dbm0` while talking.
    pub fn new(level_dbm0: f32, seed: u64) -> Self {
        let mut rng = Noise::new(0.0, seed ^ 0x5EED);
        let pitch_base = 85.0 + 170.0 * rng.uniform();
        let mut s = Self {
            rng,
            f: [Resonator::default(); 3],
            cur: VOWELS[0],
            target: VOWELS[0],
            pitch: pitch_base,
            pitch_base,
            pitch_target: pitch_base,
            phase: 0.0,
            tilt: 0.0,
            seg: Seg::Pause,
            left: 0,
            env: 0.0,
            ms: 1e6,
            rms: crate::level::DBM0_RMS * 10f32.powf(level_dbm0 / 20.0),
            n: 0,
        };
        s.retune();
        s
    }

    fn retune(&mut self) {
        for i in 0..3 {
            self.f[i].tune(self.cur[i], 60.0 + 40.0 * i as f32);
        }
    }

    fn next_segment(&mut self) {
        let u = self.rng.uniform();
        let (seg, ms) = match self.seg {
            Seg::Voiced if u < 0.3 => (Seg::Fricative, 40.0 + 100.0 * self.rng.uniform()),
            Seg::Voiced if u < 0.6 => (Seg::Pause, 40.0 + 360.0 * self.rng.uniform()),
            _ => (Seg::Voiced, 80.0 + 250.0 * self.rng.uniform()),
        };
        self.seg = seg;
        self.left = (ms * 8.0) as u32;
        let v = (self.rng.uniform() * VOWELS.len() as f32) as usize % VOWELS.len();
        self.target = VOWELS[v];
        for t in &mut self.target {
            *t *= 0.85 + 0.3 * self.rng.uniform();
        }
        self.pitch_target = self.pitch_base * (0.75 + 0.5 * self.rng.uniform());
    }

    /// The next sample.
    pub fn next_sample(&mut self) -> f32 {
        if self.left == 0 {
            self.next_segment();
        }
        self.left -= 1;
        self.n = self.n.wrapping_add(1);
        if self.n % 40 == 0 {
            // Glide formants and pitch (co-articulation, intonation).
            for i in 0..3 {
                self.cur[i] += 0.08 * (self.target[i] - self.cur[i]);
            }
            self.pitch += 0.05 * (self.pitch_target - self.pitch);
            self.retune();
        }
        let (src, env_t) = match self.seg {
            Seg::Voiced => {
                self.phase +=
                    self.pitch * (1.0 + 0.01 * (self.rng.uniform() - 0.5)) / crate::SAMPLE_RATE as f32;
                let pulse = if self.phase >= 1.0 {
                    self.phase -= 1.0;
                    1.0
                } else {
                    0.0
                };
                // Spectral tilt of the glottal source.
                self.tilt = 0.9 * self.tilt + pulse;
                (self.tilt + 0.02 * (self.rng.uniform() - 0.5), 1.0)
            }
            Seg::Fricative => (self.rng.uniform() - 0.5, 0.4),
            Seg::Pause => (0.0, 0.0),
        };
        self.env += 0.005 * (env_t - self.env);
        let x = src * self.env;
        let y = self.f[0].step(x) + 0.7 * self.f[1].step(x) + 0.4 * self.f[2].step(x);
        let y = if self.seg == Seg::Fricative { y + 0.3 * x } else { y };
        if self.seg != Seg::Pause {
            self.ms += 0.0005 * (y * y - self.ms);
        }
        y * self.rms / self.ms.max(1e-12).sqrt()
    }

    /// Writes the next `out.len()` samples, clipped to 16 bits.
    pub fn fill(&mut self, out: &mut [i16]) {
        for o in out {
            *o = clip(self.next_sample());
        }
    }
}

/// Music-like audio for talk-off tests: chords and a melody of harmonic-rich notes from the
/// equal-tempered scale, with vibrato and note envelopes.
#[derive(Clone, Debug)]
pub struct MusicLike {
    rng: Noise,
    notes: [(f32, f32, f32); 4],
    harm: [f32; 6],
    t: f32,
    left: u32,
    len: u32,
    amp: f32,
}

impl MusicLike {
    /// Music reproducible from `seed` at about `level_dbm0`.
    pub fn new(level_dbm0: f32, seed: u64) -> Self {
        let mut rng = Noise::new(0.0, seed ^ 0xA11CE);
        let mut harm = [0.0; 6];
        let tilt = 0.8 + 1.2 * rng.uniform();
        for (k, h) in harm.iter_mut().enumerate() {
            *h = 1.0 / ((k + 1) as f32).powf(tilt);
        }
        Self {
            rng,
            notes: [(0.0, 0.0, 0.0); 4],
            harm,
            t: 0.0,
            left: 0,
            len: 1,
            amp: crate::level::sine_amplitude(level_dbm0 - 8.0),
        }
    }

    fn new_chord(&mut self) {
        let root = 45 + (self.rng.uniform() * 24.0) as i32;
        let shape = [[0, 4, 7], [0, 3, 7], [0, 4, 10], [0, 5, 9]][(self.rng.uniform() * 4.0) as usize % 4];
        for (i, n) in self.notes.iter_mut().enumerate() {
            let midi = if i < 3 { root + shape[i] } else { 60 + (self.rng.uniform() * 30.0) as i32 };
            n.0 = 440.0 * 2f32.powf((midi - 69) as f32 / 12.0);
            n.1 = 0.0;
            n.2 = if i == 3 { 1.0 } else { 0.6 };
        }
        self.len = (1600.0 + 3200.0 * self.rng.uniform()) as u32;
        self.left = self.len;
    }

    /// The next sample.
    pub fn next_sample(&mut self) -> f32 {
        if self.left == 0 {
            self.new_chord();
        }
        self.left -= 1;
        self.t += 1.0 / crate::SAMPLE_RATE as f32;
        let age = (self.len - self.left) as f32;
        let env = (age / 80.0).min(1.0) * (-(age / 8000.0)).exp();
        let vib = 1.0 + 0.004 * (core::f32::consts::TAU * 5.5 * self.t).sin();
        let mut y = 0.0;
        for n in &mut self.notes {
            n.1 = (n.1 + n.0 * vib / crate::SAMPLE_RATE as f32).fract();
            for (k, h) in self.harm.iter().enumerate() {
                if n.0 * (k + 1) as f32 >= 3800.0 {
                    break;
                }
                y += n.2 * h * (core::f32::consts::TAU * n.1 * (k + 1) as f32).sin();
            }
        }
        y * env * self.amp
    }

    /// Writes the next `out.len()` samples, clipped to 16 bits.
    pub fn fill(&mut self, out: &mut [i16]) {
        for o in out {
            *o = clip(self.next_sample());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtmf_tone_has_the_requested_level() {
        let mut t = DualTone::dtmf('5', -10.0, 0.0).unwrap();
        let mut x = vec![0i16; 8000];
        t.fill(&mut x);
        // Two tones at -10 dBm0 each: -7 dBm0 in total.
        assert!((crate::level::rms_dbm0(&x) + 6.99).abs() < 0.1);
        assert!(DualTone::dtmf('x', 0.0, 0.0).is_none());
    }

    #[test]
    fn cadence_switches_on_and_off() {
        let mut c = Cadenced::new(DualTone::single(425.0, -10.0), &[(10, 20)]);
        let mut x = vec![0i16; 240 * 2];
        c.fill(&mut x);
        assert!(x[..80].iter().any(|&s| s != 0));
        assert!(x[80..240].iter().all(|&s| s == 0));
        assert!(x[240..320].iter().any(|&s| s != 0));
        let mut z = Cadenced::new(DualTone::single(425.0, -10.0), &[(0, 0)]);
        let mut y = [0i16; 16];
        z.fill(&mut y);
    }

    #[test]
    fn noise_has_the_requested_level() {
        let mut n = Noise::new(-20.0, 7);
        let x: Vec<i16> = (0..80_000).map(|_| clip(n.next_sample())).collect();
        assert!((crate::level::rms_dbm0(&x) + 20.0).abs() < 0.2, "{}", crate::level::rms_dbm0(&x));
    }
}
