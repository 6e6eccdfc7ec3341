//! Goertzel filters: the energy of one frequency over a block of samples, at a cost of one
//! multiply-add per sample. Detectors run banks of them over fixed-size blocks.

use core::f32::consts::PI;

/// The fixed coefficient of a Goertzel filter for one frequency (computed once, used many times).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GoertzelCoeff {
    /// `2 cos(2π f / fs)`.
    pub k: f32,
    /// The frequency in Hz this coefficient was made for.
    pub freq_hz: f32,
}

impl GoertzelCoeff {
    /// The coefficient for `freq_hz` at 8 kHz.
    pub fn new(freq_hz: f32) -> Self {
        Self { k: 2.0 * (2.0 * PI * freq_hz / crate::SAMPLE_RATE as f32).cos(), freq_hz }
    }
}

/// Running state of one Goertzel filter.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Goertzel {
    s1: f32,
    s2: f32,
}

impl Goertzel {
    /// Feeds one sample.
    #[inline(always)]
    pub fn push(&mut self, c: &GoertzelCoeff, x: f32) {
        let s0 = c.k * self.s1 - self.s2 + x;
        self.s2 = self.s1;
        self.s1 = s0;
    }

    /// Squared magnitude of the frequency component so far (`|X(f)|²`), then resets the state.
    ///
    /// For a sine of amplitude `A` filling `n` samples this is about `(A n / 2)²`.
    #[inline]
    pub fn take_power(&mut self, c: &GoertzelCoeff) -> f32 {
        let p = self.s1 * self.s1 + self.s2 * self.s2 - c.k * self.s1 * self.s2;
        *self = Self::default();
        p
    }
}

/// Power of `freq` in `samples` in one call (for tests and offline analysis).
pub fn power(samples: &[f32], freq_hz: f32) -> f32 {
    let c = GoertzelCoeff::new(freq_hz);
    let mut g = Goertzel::default();
    for &x in samples {
        g.push(&c, x);
    }
    g.take_power(&c)
}

/// Converts a Goertzel power over `n` samples to the mean power of a sine (amplitude²/2).
#[inline]
pub fn sine_power(power: f32, n: usize) -> f32 {
    2.0 * power / (n as f32 * n as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tone_it_is_tuned_to() {
        let n = 205;
        let x: Vec<f32> = (0..n).map(|i| 1000.0 * (2.0 * PI * 697.0 * i as f32 / 8000.0).sin()).collect();
        let on = sine_power(power(&x, 697.0), n);
        let off = sine_power(power(&x, 941.0), n);
        // amplitude² / 2 = 500,000 for a sine of amplitude 1000.
        assert!((on - 500_000.0).abs() < 50_000.0, "on={on}");
        assert!(off < on / 100.0, "off={off}");
    }
}
