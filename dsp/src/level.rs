//! Signal levels in dBm0 with G.711's reference: a sine at 0 dBm0 has an RMS of about 16,000 in
//! 16-bit linear units (µ-law overloads at +3.17 dBm0, A-law at +3.14 dBm0).

/// RMS of a 0 dBm0 sine in 16-bit linear units (µ-law: 32,636 peak at +3.17 dBm0).
pub const DBM0_RMS: f32 = 16_018.0;

/// Peak amplitude of a sine at `dbm0`.
pub fn sine_amplitude(dbm0: f32) -> f32 {
    DBM0_RMS * core::f32::consts::SQRT_2 * 10f32.powf(dbm0 / 20.0)
}

/// Mean power (mean of squares) to dBm0; `-inf` is returned as -100 dBm0.
pub fn power_to_dbm0(mean_square: f32) -> f32 {
    if mean_square <= 0.0 {
        return -100.0;
    }
    (10.0 * (mean_square / (DBM0_RMS * DBM0_RMS)).log10()).max(-100.0)
}

/// RMS level of a block in dBm0.
pub fn rms_dbm0(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return -100.0;
    }
    let ms = samples.iter().map(|&s| (s as f32) * (s as f32)).sum::<f32>() / samples.len() as f32;
    power_to_dbm0(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_dbm0_sine_measures_zero() {
        let a = sine_amplitude(0.0);
        let x: Vec<i16> = (0..8000)
            .map(|i| (a * (2.0 * core::f32::consts::PI * 1004.0 * i as f32 / 8000.0).sin()) as i16)
            .collect();
        assert!(rms_dbm0(&x).abs() < 0.05, "{}", rms_dbm0(&x));
        let quiet: Vec<i16> = x.iter().map(|&s| s / 10).collect();
        assert!((rms_dbm0(&quiet) + 20.0).abs() < 0.1);
    }
}
