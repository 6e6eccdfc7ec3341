//! Fault injection on a simulated span's line, applied where the line enters its receiver.

/// Faults on one span.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Faults {
    /// Loss of signal: the receiver sees no pulses.
    pub los: bool,
    /// Alarm indication signal: the receiver sees unframed all ones.
    pub ais: bool,
    /// Our transmitter sends the remote alarm indication (the far end goes YELLOW).
    pub rai: bool,
    /// Receive clock offset in ppm: positive drops frames (far end faster), negative repeats
    /// frames; each is a controlled slip.
    pub slip_ppm: f64,
    /// Random bit errors on the receive line at this bit error ratio.
    pub ber: f64,
    /// The D-channel receives mark idle (all ones) instead of frames.
    pub dchan_loss: bool,
}

/// SplitMix64: small, fast and deterministic for a seed (no dependency in the driver).
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    pub(crate) fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Bits until the next error at bit error ratio `ber` (geometric).
    pub(crate) fn gap(&mut self, ber: f64) -> u64 {
        if ber <= 0.0 {
            return u64::MAX;
        }
        let g = (self.unit().ln() / (1.0 - ber.min(0.5)).ln()).floor();
        if g.is_finite() && g < u64::MAX as f64 {
            g as u64
        } else {
            u64::MAX
        }
    }
}
