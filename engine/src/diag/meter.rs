//! A windowed level meter: peak and RMS in dBm0 over the last few blocks (ticks) of a channel,
//! kept in a fixed ring of per-block sums so that feeding it never allocates.

use trunkline_dsp::level::{power_to_dbm0, DBM0_RMS};

/// Most blocks a window can span.
pub const MAX_BLOCKS: usize = 32;

#[derive(Clone, Copy, Debug, Default)]
struct Block {
    sum_sq: f64,
    samples: u32,
    peak: u16,
}

/// Peak and RMS over the last `blocks` blocks pushed.
#[derive(Clone, Debug)]
pub struct WindowMeter {
    ring: [Block; MAX_BLOCKS],
    len: usize,
    pos: usize,
    filled: usize,
}

/// Peak amplitude to dBm0, sine-equivalent: a sine's peak reads the same as its RMS (−100 for
/// silence).
pub fn peak_to_dbm0(peak: u16) -> f32 {
    if peak == 0 {
        return -100.0;
    }
    (20.0 * (peak as f32 / (DBM0_RMS * core::f32::consts::SQRT_2)).log10()).max(-100.0)
}

impl WindowMeter {
    /// A meter over the last `blocks` blocks (clamped to 1..=[`MAX_BLOCKS`]).
    pub fn new(blocks: usize) -> Self {
        Self { ring: [Block::default(); MAX_BLOCKS], len: blocks.clamp(1, MAX_BLOCKS), pos: 0, filled: 0 }
    }

    /// Feeds one block (one tick of samples). Never allocates.
    pub fn push(&mut self, x: &[i16]) {
        let mut b = Block { sum_sq: 0.0, samples: x.len() as u32, peak: 0 };
        for &s in x {
            let v = s as f64;
            b.sum_sq += v * v;
            b.peak = b.peak.max(s.unsigned_abs());
        }
        self.ring[self.pos] = b;
        self.pos = (self.pos + 1) % self.len;
        self.filled = (self.filled + 1).min(self.len);
    }

    fn window(&self) -> impl Iterator<Item = &Block> {
        // Until the ring wraps, the blocks written are the first `filled`.
        self.ring[..self.filled].iter()
    }

    /// RMS level over the window in dBm0 (−100 when silent or empty).
    pub fn rms_dbm0(&self) -> f32 {
        let (sum, n) = self.window().fold((0.0f64, 0u64), |(s, n), b| (s + b.sum_sq, n + b.samples as u64));
        if n == 0 {
            return -100.0;
        }
        power_to_dbm0((sum / n as f64) as f32)
    }

    /// Peak over the window in dBm0 (sine-equivalent, see [`peak_to_dbm0`]).
    pub fn peak_dbm0(&self) -> f32 {
        peak_to_dbm0(self.window().map(|b| b.peak).max().unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trunkline_dsp::level::sine_amplitude;

    fn sine(dbm0: f32, n: usize, phase: usize) -> Vec<i16> {
        let a = sine_amplitude(dbm0);
        (phase..phase + n)
            .map(|i| (a * (2.0 * core::f32::consts::PI * 1004.0 * i as f32 / 8000.0).sin()).round() as i16)
            .collect()
    }

    #[test]
    fn sine_reads_its_level_as_rms_and_peak() {
        let mut m = WindowMeter::new(10);
        for k in 0..20 {
            m.push(&sine(-13.0, 160, k * 160));
        }
        assert!((m.rms_dbm0() + 13.0).abs() < 0.1, "{}", m.rms_dbm0());
        assert!((m.peak_dbm0() + 13.0).abs() < 0.1, "{}", m.peak_dbm0());
    }

    #[test]
    fn the_window_forgets_old_blocks() {
        let mut m = WindowMeter::new(5);
        assert_eq!(m.rms_dbm0(), -100.0);
        assert_eq!(m.peak_dbm0(), -100.0);
        m.push(&sine(0.0, 160, 0));
        assert!(m.rms_dbm0() > -0.5, "one loud block in a partly filled window: {}", m.rms_dbm0());
        for _ in 0..5 {
            m.push(&[0; 160]);
        }
        assert_eq!(m.rms_dbm0(), -100.0);
        assert_eq!(m.peak_dbm0(), -100.0);
        // Half the window at -10 dBm0, half silent: RMS 3 dB down, peak unchanged.
        let mut m = WindowMeter::new(4);
        for k in 0..4 {
            m.push(&if k % 2 == 0 { sine(-10.0, 160, k * 160) } else { vec![0; 160] });
        }
        assert!((m.rms_dbm0() + 13.0).abs() < 0.2, "{}", m.rms_dbm0());
        assert!((m.peak_dbm0() + 10.0).abs() < 0.1, "{}", m.peak_dbm0());
    }

    #[test]
    fn full_scale_and_extremes_do_not_overflow() {
        let mut m = WindowMeter::new(MAX_BLOCKS + 10);
        for _ in 0..100 {
            m.push(&[i16::MIN; 160]);
        }
        assert!(m.peak_dbm0() > 3.0 && m.peak_dbm0() < 3.3, "{}", m.peak_dbm0());
        assert!(m.rms_dbm0() > 6.0 && m.rms_dbm0() < 6.4, "{}", m.rms_dbm0());
        m.push(&[]);
        assert!(m.rms_dbm0().is_finite());
    }
}
