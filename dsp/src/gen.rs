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
