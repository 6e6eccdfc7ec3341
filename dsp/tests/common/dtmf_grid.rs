//! The DTMF corpora (Q.24 must-detect grid, must-reject cases, talk-off audio), shared by our
//! accuracy test and the spandsp comparison so both run on exactly the same samples.

use super::{impair, sum_dbm0};
use trunkline_dsp::dtmf::{COLS, DIGITS, ROWS};
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::{clip, DualTone, MusicLike, SpeechLike};

/// Expected digits: `(digit, first sample, end sample)`.
pub type Expected = Vec<(String, usize, usize)>;

/// One case: all 16 digits with the given parameters; returns (expected, samples as f32).
#[allow(clippy::too_many_arguments)]
pub fn case(
    row_dev: f32,
    col_dev: f32,
    low_dbm0: f32,
    twist_db: f32,
    on_ms: usize,
    off_ms: usize,
    gap: Option<(usize, usize)>,
) -> (Expected, Vec<f32>) {
    let mut x = vec![0.0f32; 400];
    let mut exp = Vec::new();
    for (i, &d) in DIGITS.iter().enumerate() {
        let mut t = DualTone::new(
            ROWS[i / 4] * (1.0 + row_dev),
            low_dbm0,
            COLS[i % 4] * (1.0 + col_dev),
            low_dbm0 + twist_db,
        );
        let s = x.len();
        for k in 0..on_ms * 8 {
            let v = t.next_sample();
            let silent = gap.is_some_and(|(gs, gl)| k >= gs * 8 && k < (gs + gl) * 8);
            x.push(if silent { 0.0 } else { v });
        }
        exp.push((d.to_string(), s, x.len()));
        x.extend(std::iter::repeat_n(0.0, off_ms * 8));
    }
    x.extend(std::iter::repeat_n(0.0, 800));
    (exp, x)
}

/// The Q.24 must-detect grid: frequency offsets ±1.5 %, twist −8…+4 dB, weaker tone −25…−8 dBm0,
/// 40 and 60 ms digits, 15–30 dB SNR, both G.711 laws. Calls `each(description, expected, audio)`
/// for each of the 1296 impaired 16-digit sequences.
pub fn must_detect_grid(mut each: impl FnMut(&str, &Expected, &[i16])) {
    let devs = [-0.015f32, 0.0, 0.015];
    let twists = [-8.0f32, -4.0, 0.0, 4.0];
    let weaker = [-25.0f32, -16.0, -8.0];
    let durs = [(40, 40), (60, 60)];
    let snrs = [15.0f32, 20.0, 30.0];
    let laws = [Law::Alaw, Law::Ulaw];
    let mut seed = 1u64;
    for &rd in &devs {
        for &cd in &devs {
            for &tw in &twists {
                for &w in &weaker {
                    // `w` is the weaker tone's level.
                    let low = if tw >= 0.0 { w } else { w - tw };
                    for &(on, off) in &durs {
                        let (exp, x) = case(rd, cd, low, tw, on, off, None);
                        let sig = sum_dbm0(&[low, low + tw]);
                        for &snr in &snrs {
                            for &law in &laws {
                                seed += 1;
                                let y = impair(&x, sig, Some(snr), Some(law), seed);
                                let what = format!(
                                    "dev {rd}/{cd} twist {tw} weaker {w} ms {on} snr {snr} law {law:?}"
                                );
                                each(&what, &exp, &y);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Must-reject: ±3.5 % on either tone or both (36 sequences of 16 digits), then digits of 23 ms
/// and shorter (6 sequences). Calls `each(description, audio)`; every digit in them must be
/// rejected.
pub fn must_reject(mut each: impl FnMut(&str, &[i16])) {
    let mut seed = 1000;
    for &(rd, cd) in
        &[(0.035f32, 0.0f32), (-0.035, 0.0), (0.0, 0.035), (0.0, -0.035), (0.035, 0.035), (-0.035, -0.035)]
    {
        for &low in &[-20.0f32, -10.0, -4.0] {
            for &law in &[Law::Alaw, Law::Ulaw] {
                let (_, x) = case(rd, cd, low, 0.0, 60, 60, None);
                seed += 1;
                let y = impair(&x, low + 3.0, Some(30.0), Some(law), seed);
                each(&format!("dev {rd}/{cd} at {low} dBm0 {law:?}"), &y);
            }
        }
    }
    for &ms in &[10usize, 20, 23] {
        for &low in &[-20.0f32, -6.0] {
            let (_, x) = case(0.0, 0.0, low, 0.0, ms, 100, None);
            let y = impair(&x, low + 3.0, Some(30.0), Some(Law::Alaw), 7);
            each(&format!("{ms} ms at {low} dBm0"), &y);
        }
    }
}

/// Which talk-off material.
#[derive(Clone, Copy, Debug)]
pub enum TalkOff {
    /// Speech-like audio.
    Speech,
    /// Music-on-hold-like audio.
    Music,
}

/// `minutes` of talk-off audio in 12 pieces (three levels × A/µ-law twice), each given to
/// `each(description, audio)`.
pub fn talk_off(kind: TalkOff, minutes: usize, mut each: impl FnMut(&str, &[i16])) {
    let levels = [-30.0f32, -20.0, -12.0];
    let per = minutes * 60 * 8000 / (levels.len() * 4);
    let mut seed = 0;
    for &lvl in &levels {
        for law in [Law::Alaw, Law::Ulaw, Law::Alaw, Law::Ulaw] {
            seed += 1;
            let mut src: Box<dyn FnMut() -> f32> = match kind {
                TalkOff::Speech => {
                    let mut s = SpeechLike::new(lvl, seed);
                    Box::new(move || s.next_sample())
                }
                TalkOff::Music => {
                    let mut s = MusicLike::new(lvl, seed);
                    Box::new(move || s.next_sample())
                }
            };
            let y: Vec<i16> = (0..per).map(|_| law.decode(law.encode(clip(src())))).collect();
            each(&format!("seed {seed}, {lvl} dBm0"), &y);
        }
    }
}
