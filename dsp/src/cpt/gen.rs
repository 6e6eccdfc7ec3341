//! Signal generators for call-progress tones (with cadence and modulation) and the test
//! signals the detectors are measured against: white noise, speech-like babble and music.
//! Deterministic: every random source is a seeded [`Rng`].

use super::tables::{Freqs, ToneSpec};
use core::f32::consts::TAU;

/// Modulation depth of `f*m` tones (Asterisk uses 90 %).
pub const AM_DEPTH: f32 = 0.9;

/// Small deterministic random source (SplitMix64) for generated corpora.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[a, b)`.
    pub fn range(&mut self, a: f32, b: f32) -> f32 {
        a + (b - a) * self.uniform()
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.uniform().max(1e-9);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
    }
}

/// Plays a [`ToneSpec`] with its cadence, repeating forever.
#[derive(Clone, Debug)]
pub struct TonePlayer {
    freqs: Freqs,
    cadence: Vec<u32>,
    amp: f32,
    n: u64,
    el: usize,
    el_left: u64,
}

impl TonePlayer {
    /// A player at `dbm0` per component (the total of a dual tone is 3 dB higher).
    pub fn new(spec: &ToneSpec, dbm0: f32) -> Self {
        let el_left = spec.cadence.first().map(|&ms| ms as u64 * 8).unwrap_or(u64::MAX);
        Self {
            freqs: spec.freqs,
            cadence: spec.cadence.clone(),
            amp: crate::level::sine_amplitude(dbm0),
            n: 0,
            el: 0,
            el_left,
        }
    }

    /// Adds the next `out.len()` samples into `out`.
    pub fn add_to(&mut self, out: &mut [f32]) {
        for o in out {
            if self.el_left == 0 {
                self.el = (self.el + 1) % self.cadence.len().max(1);
                self.el_left = self.cadence.get(self.el).map(|&ms| ms as u64 * 8).unwrap_or(u64::MAX);
            }
            self.el_left -= 1;
            let t = self.n as f32 / 8000.0;
            self.n += 1;
            if self.el % 2 == 1 {
                continue;
            }
            *o += self.amp * tone_value(self.freqs, t);
        }
    }
}

/// Value of a unit-amplitude tone at time `t` seconds.
fn tone_value(f: Freqs, t: f32) -> f32 {
    let s = |hz: f32| ((hz * t).fract() * TAU).sin();
    match f {
        Freqs::Single(a) => s(a),
        Freqs::Dual(a, b) => s(a) + s(b),
        Freqs::Modulated { carrier, by } => {
            s(carrier) * (1.0 + AM_DEPTH * s(by)) / (1.0 + AM_DEPTH * AM_DEPTH / 2.0).sqrt()
        }
    }
}

/// Mean power (mean of squares) of a signal.
pub fn mean_power(x: &[f32]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32
}

/// Adds white Gaussian noise of mean power `power` to `x`.
pub fn add_noise(x: &mut [f32], power: f32, rng: &mut Rng) {
    let sd = power.max(0.0).sqrt();
    for v in x {
        *v += sd * rng.normal();
    }
}

/// Converts to clipped 16-bit samples.
pub fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter().map(|&v| v.round().clamp(-32768.0, 32767.0) as i16).collect()
}

/// Mean power of a sine at `dbm0`.
pub fn dbm0_power(dbm0: f32) -> f32 {
    let a = crate::level::sine_amplitude(dbm0);
    a * a / 2.0
}

/// Language-like rhythm and pitch for [`speech`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Stress-timed, ~4.5 syllables/s, falling intonation.
    English,
    /// Syllable-timed with four lexical tones (level, rising, dipping, falling).
    Mandarin,
    /// Six tones, short syllables, ~5.5 syllables/s.
    Cantonese,
    /// Syllable-timed, fast (~6.5 syllables/s).
    Spanish,
}

impl Lang {
    /// All four.
    pub const ALL: [Lang; 4] = [Lang::English, Lang::Mandarin, Lang::Cantonese, Lang::Spanish];

    fn syllable_ms(self, rng: &mut Rng) -> f32 {
        match self {
            Lang::English => rng.range(150.0, 300.0),
            Lang::Mandarin => rng.range(180.0, 280.0),
            Lang::Cantonese => rng.range(140.0, 230.0),
            Lang::Spanish => rng.range(110.0, 190.0),
        }
    }
}

/// Speech-like sound: voiced syllables with a pitch contour, jitter and three formants, at
/// `dbm0` average while voiced. `words` is a list of syllable counts; `gap_ms` the pause
/// range between words. Returns the samples.
pub fn speech(
    lang: Lang,
    words: &[usize],
    gap_ms: (f32, f32),
    f0: f32,
    dbm0: f32,
    rng: &mut Rng,
) -> Vec<f32> {
    let mut out = Vec::new();
    let formants = [
        [730.0, 1090.0, 2440.0],
        [270.0, 2290.0, 3010.0],
        [530.0, 1840.0, 2480.0],
        [570.0, 840.0, 2410.0],
        [440.0, 1020.0, 2240.0],
        [300.0, 870.0, 2240.0],
    ];
    let mut phase = 0.0f32;
    // Slow pitch wander (microprosody): AR(1) noise, about 1 % RMS, ~0.3 Hz wide.
    let mut wander = 0.0f32;
    for (wi, &syl) in words.iter().enumerate() {
        for _ in 0..syl {
            let dur = (lang.syllable_ms(rng) * 8.0) as usize;
            let fm = formants[(rng.next_u64() % formants.len() as u64) as usize];
            let tone = rng.next_u64() % 6;
            let base = f0 * rng.range(0.9, 1.15);
            let start = out.len();
            for i in 0..dur {
                let u = i as f32 / dur as f32;
                let contour = match (lang, tone % 4) {
                    (Lang::English, _) | (Lang::Spanish, _) => 1.05 - 0.15 * u,
                    (Lang::Mandarin, 0) | (Lang::Cantonese, 0) => 1.1,
                    (_, 1) => 0.9 + 0.3 * u,
                    (_, 2) => 1.0 - 0.6 * u * (1.0 - u),
                    _ => 1.2 - 0.4 * u,
                };
                wander = 0.998 * wander + 0.0006 * rng.normal();
                let f = base * contour * (1.0 + wander.clamp(-0.04, 0.04) + 0.01 * rng.normal());
                phase = (phase + f / 8000.0).fract();
                // Glottal pulse train approximated by a sum of harmonics shaped by formants.
                let mut v = 0.0;
                let mut h = 1.0;
                while h * f < 3400.0 {
                    let hf = h * f;
                    let mut g = 0.0;
                    for (k, &fc) in fm.iter().enumerate() {
                        let bw = 80.0 + 40.0 * k as f32;
                        g += 1.0 / (1.0 + ((hf - fc) / bw).powi(2)) / (1.0 + k as f32);
                    }
                    v += g * (TAU * phase * h).sin() / h.sqrt();
                    h += 1.0;
                }
                // Syllable envelope: attack, sustain, decay.
                let env = (u * 8.0).min(1.0) * ((1.0 - u) * 5.0).min(1.0);
                out.push(v * env + 0.02 * rng.normal());
            }
            let p = mean_power(&out[start..]).max(1e-9);
            let k = (dbm0_power(dbm0) / p).sqrt();
            out[start..].iter_mut().for_each(|v| *v *= k);
            // Short intra-word transition.
            let n = (rng.range(10.0, 40.0) * 8.0) as usize;
            out.resize(out.len() + n, 0.0);
        }
        if wi + 1 < words.len() {
            let n = (rng.range(gap_ms.0, gap_ms.1) * 8.0) as usize;
            out.resize(out.len() + n, 0.0);
        }
    }
    out
}

/// Music-like sound: chords of 2–4 harmonic notes changing every 150–600 ms, with vibrato.
pub fn music(ms: u32, dbm0: f32, rng: &mut Rng) -> Vec<f32> {
    let n = ms as usize * 8;
    let mut out = vec![0.0f32; n];
    let mut i = 0;
    while i < n {
        let len = ((rng.range(150.0, 600.0) * 8.0) as usize).min(n - i);
        let notes = 2 + (rng.next_u64() % 3) as usize;
        for _ in 0..notes {
            let semi = (rng.next_u64() % 36) as f32;
            let f = 196.0 * 2f32.powf(semi / 12.0);
            let vib = rng.range(4.0, 6.0);
            let amp = rng.range(0.4, 1.0);
            for j in 0..len {
                let t = j as f32 / 8000.0;
                let ff = f * (1.0 + 0.006 * (TAU * vib * t).sin());
                let env = (-(t * 3.0)).exp() * 0.7 + 0.3;
                let mut v = 0.0;
                for h in 1..5 {
                    if ff * h as f32 > 3500.0 {
                        break;
                    }
                    v += (TAU * ff * h as f32 * t).sin() / (h * h) as f32;
                }
                out[i + j] += amp * env * v;
            }
        }
        i += len;
    }
    let p = mean_power(&out).max(1e-9);
    let k = (dbm0_power(dbm0) / p).sqrt();
    out.iter_mut().for_each(|v| *v *= k);
    out
}

/// A pure tone burst of `ms` at `freq_hz`, with optional 2nd and 3rd harmonics at `harm_db`
/// below the fundamental.
pub fn beep(freq_hz: f32, ms: u32, dbm0: f32, harm_db: Option<f32>) -> Vec<f32> {
    let a = crate::level::sine_amplitude(dbm0);
    let h = harm_db.map(|d| 10f32.powf(-d / 20.0)).unwrap_or(0.0);
    (0..ms as usize * 8)
        .map(|i| {
            let t = i as f32 / 8000.0;
            let mut v = ((freq_hz * t).fract() * TAU).sin();
            if h > 0.0 {
                v += h * ((2.0 * freq_hz * t).fract() * TAU).sin()
                    + h * 0.5 * ((3.0 * freq_hz * t).fract() * TAU).sin();
            }
            a * v
        })
        .collect()
}

/// A DTMF digit burst (row, column frequencies) of `ms`.
pub fn dtmf(row: f32, col: f32, ms: u32, dbm0: f32) -> Vec<f32> {
    let a = crate::level::sine_amplitude(dbm0);
    (0..ms as usize * 8)
        .map(|i| {
            let t = i as f32 / 8000.0;
            a * (((row * t).fract() * TAU).sin() + ((col * t).fract() * TAU).sin())
        })
        .collect()
}
