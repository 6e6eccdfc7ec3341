//! Sine oscillators for tone generation: a phase accumulator per tone, summed for dual tones.

use core::f32::consts::TAU;

/// One sine oscillator with a fixed frequency and amplitude.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Osc {
    phase: f32,
    step: f32,
    amp: f32,
}

impl Osc {
    /// A sine of `freq_hz` at `dbm0` (phase 0).
    pub fn new(freq_hz: f32, dbm0: f32) -> Self {
        Self {
            phase: 0.0,
            step: TAU * freq_hz / crate::SAMPLE_RATE as f32,
            amp: crate::level::sine_amplitude(dbm0),
        }
    }

    /// The next sample (not clipped).
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        let v = self.amp * self.phase.sin();
        self.phase += self.step;
        if self.phase >= TAU {
            self.phase -= TAU;
        }
        v
    }

    /// Adds this oscillator's next `out.len()` samples into `out`.
    pub fn add_to(&mut self, out: &mut [f32]) {
        for o in out {
            *o += self.next_sample();
        }
    }
}

/// Clips and rounds float samples into 16-bit samples.
pub fn to_i16(x: &[f32], out: &mut [i16]) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = v.round().clamp(i16::MIN as f32, i16::MAX as f32) as i16;
    }
}
