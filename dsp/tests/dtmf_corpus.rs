//! DTMF accuracy over the Q.24 grid (frequency offsets, twist, levels, durations, noise, both
//! G.711 laws), must-reject cases, interruptions, and talk-off on speech- and music-like audio.
//! Every corpus is synthesised from fixed seeds, so results are reproducible.

mod common;

use common::{detect, impair, score, sum_dbm0};
use trunkline_dsp::dtmf::{Dtmf, COLS, DIGITS, ROWS};
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::{DualTone, MusicLike, SpeechLike};

/// One case: all 16 digits with the given parameters; returns (expected, samples as f32).
#[allow(clippy::too_many_arguments)]
fn case(
    row_dev: f32,
    col_dev: f32,
    low_dbm0: f32,
    twist_db: f32,
    on_ms: usize,
    off_ms: usize,
    gap: Option<(usize, usize)>,
) -> (Vec<(String, usize, usize)>, Vec<f32>) {
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

#[test]
fn q24_must_detect_grid() {
    let devs = [-0.015f32, 0.0, 0.015];
    let twists = [-8.0f32, -4.0, 0.0, 4.0];
    let weaker = [-25.0f32, -16.0, -8.0];
    let durs = [(40, 40), (60, 60)];
    let snrs = [15.0f32, 20.0, 30.0];
    let laws = [Law::Alaw, Law::Ulaw];
    let (mut total, mut hits, mut extra) = (0usize, 0usize, 0usize);
    let mut seed = 1u64;
    let mut worst = Vec::new();
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
                                let got = detect(&mut Dtmf::default(), &y);
                                let (h, e) = score(&exp, &got, 160);
                                total += exp.len();
                                hits += h;
                                extra += e;
                                if h < exp.len() || e > 0 {
                                    worst.push(format!(
                                        "dev {rd}/{cd} twist {tw} weaker {w} {on}ms snr {snr} {law:?}: {h}/{} +{e}",
                                        exp.len()
                                    ));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let rate = hits as f64 / total as f64;
    println!("DTMF must-detect: {hits}/{total} = {:.3} %, extra events {extra}", 100.0 * rate);
    for w in worst.iter().take(20) {
        println!("  {w}");
    }
    assert!(rate >= 0.995, "detection rate {rate}");
    assert!(extra * 1000 <= total, "extra {extra}");
}

#[test]
fn q24_must_reject() {
    let mut accepted = 0;
    let mut total = 0;
    let mut seed = 1000;
    // ±3.5 % on either tone, or both.
    for &(rd, cd) in
        &[(0.035f32, 0.0f32), (-0.035, 0.0), (0.0, 0.035), (0.0, -0.035), (0.035, 0.035), (-0.035, -0.035)]
    {
        for &low in &[-20.0f32, -10.0, -4.0] {
            for &law in &[Law::Alaw, Law::Ulaw] {
                let (_, x) = case(rd, cd, low, 0.0, 60, 60, None);
                seed += 1;
                let y = impair(&x, low + 3.0, Some(30.0), Some(law), seed);
                accepted += detect(&mut Dtmf::default(), &y).len();
                total += 16;
            }
        }
    }
    println!("DTMF must-reject (±3.5 %): {accepted}/{total} accepted");
    let total = 6 * 16;
    // 23 ms and shorter digits.
    let mut short = 0;
    for &ms in &[10usize, 20, 23] {
        for &low in &[-20.0f32, -6.0] {
            let (_, x) = case(0.0, 0.0, low, 0.0, ms, 100, None);
            let y = impair(&x, low + 3.0, Some(30.0), Some(Law::Alaw), 7);
            short += detect(&mut Dtmf::default(), &y).len();
        }
    }
    println!("DTMF must-reject (≤ 23 ms): {short}/{total} accepted");
    assert_eq!(accepted + short, 0);
}

#[test]
fn interruptions_do_not_split_digits_and_pauses_do() {
    let mut bad = 0;
    for &start in &[20usize, 45, 70] {
        for &len in &[5usize, 10] {
            for &low in &[-20.0f32, -8.0] {
                let (exp, x) = case(0.0, 0.0, low, 0.0, 100, 60, Some((start, len)));
                let y = impair(&x, low + 3.0, Some(25.0), Some(Law::Ulaw), 3);
                let got = detect(&mut Dtmf::default(), &y);
                let (h, e) = score(&exp, &got, 160);
                bad += (exp.len() - h) + e;
            }
        }
    }
    assert_eq!(bad, 0, "digits split or lost by ≤ 10 ms interruptions");
    // A 40 ms pause between two equal digits gives two digits.
    let mut t = DualTone::dtmf('7', -10.0, 0.0).unwrap();
    let mut x = vec![0i16; 400];
    x.extend((0..400).map(|_| trunkline_dsp::gen::clip(t.next_sample())));
    x.extend(vec![0i16; 320]);
    x.extend((0..400).map(|_| trunkline_dsp::gen::clip(t.next_sample())));
    x.extend(vec![0i16; 800]);
    let got: String = detect(&mut Dtmf::default(), &x).iter().map(|e| e.value.as_str().to_string()).collect();
    assert_eq!(got, "77");
}

fn talk_off(name: &str, minutes: usize, mut make: impl FnMut(u64, f32) -> Box<dyn FnMut() -> f32>) -> f64 {
    let mut false_digits = 0;
    let mut samples = 0usize;
    let levels = [-30.0f32, -20.0, -12.0];
    let per = minutes * 60 * 8000 / (levels.len() * 4);
    let mut seed = 0;
    for &lvl in &levels {
        for law in [Law::Alaw, Law::Ulaw, Law::Alaw, Law::Ulaw] {
            seed += 1;
            let mut src = make(seed, lvl);
            let y: Vec<i16> = (0..per)
                .map(|_| {
                    let s = trunkline_dsp::gen::clip(src());
                    law.decode(law.encode(s))
                })
                .collect();
            let got = detect(&mut Dtmf::default(), &y);
            for g in &got {
                println!(
                    "  {name} talk-off: {} at {:.2} s (seed {seed}, {lvl} dBm0)",
                    g.value,
                    g.start as f64 / 8000.0
                );
            }
            false_digits += got.len();
            samples += per;
        }
    }
    let hours = samples as f64 / 8000.0 / 3600.0;
    let rate = false_digits as f64 / hours;
    println!("DTMF talk-off on {name}: {false_digits} digits in {:.2} h = {rate:.1}/h", hours);
    rate
}

#[test]
fn talk_off_speech_like() {
    let rate = talk_off("speech-like", 60, |seed, lvl| {
        let mut s = SpeechLike::new(lvl, seed);
        Box::new(move || s.next_sample())
    });
    assert!(rate <= 5.0, "{rate} false digits per hour");
}

#[test]
fn talk_off_music_like() {
    let rate = talk_off("music-like", 60, |seed, lvl| {
        let mut s = MusicLike::new(lvl, seed);
        Box::new(move || s.next_sample())
    });
    assert!(rate <= 5.0, "{rate} false digits per hour");
}
