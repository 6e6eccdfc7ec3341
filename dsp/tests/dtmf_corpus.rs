//! DTMF accuracy over the Q.24 grid (frequency offsets, twist, levels, durations, noise, both
//! G.711 laws), must-reject cases, interruptions, and talk-off on speech- and music-like audio.
//! Every corpus is synthesised from fixed seeds, so results are reproducible.
//!
//! Every piece runs through both filter kernels (AVX2/FMA where the CPU has it, and the portable
//! one), which must report identical events.

mod common;

use common::dtmf_grid::{case, must_detect_grid, must_reject, talk_off, TalkOff};
use common::{impair, score};
use trunkline_dsp::dtmf::{Dtmf, Kernel};
use trunkline_dsp::event::ToneEvent;
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::DualTone;

/// The events of the default detector, after checking that the portable kernel reports exactly
/// the same ones.
fn detect(y: &[i16]) -> Vec<ToneEvent> {
    let fast = common::detect(&mut Dtmf::default(), y);
    let portable = common::detect(&mut Dtmf::default().with_kernel(Kernel::Portable), y);
    assert_eq!(fast, portable, "kernels {:?} and Portable disagree", Kernel::best());
    fast
}

#[test]
fn q24_must_detect_grid() {
    let (mut total, mut hits, mut extra) = (0usize, 0usize, 0usize);
    let mut worst = Vec::new();
    must_detect_grid(|what, exp, y| {
        let got = detect(y);
        let (h, e) = score(exp, &got, 160);
        total += exp.len();
        hits += h;
        extra += e;
        if h < exp.len() || e > 0 {
            worst.push(format!("{what}: {h}/{} +{e}", exp.len()));
        }
    });
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
    let (mut accepted, mut total) = (0, 0);
    must_reject(|what, y| {
        let got = detect(y);
        if !got.is_empty() {
            println!("  accepted {} digits of {what}", got.len());
        }
        accepted += got.len();
        total += 16;
    });
    println!("DTMF must-reject (±3.5 %, ≤ 23 ms): {accepted}/{total} accepted");
    assert_eq!(accepted, 0);
}

#[test]
fn interruptions_do_not_split_digits_and_pauses_do() {
    let mut bad = 0;
    for &start in &[20usize, 45, 70] {
        for &len in &[5usize, 10] {
            for &low in &[-20.0f32, -8.0] {
                let (exp, x) = case(0.0, 0.0, low, 0.0, 100, 60, Some((start, len)));
                let y = impair(&x, low + 3.0, Some(25.0), Some(Law::Ulaw), 3);
                let got = detect(&y);
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
    let got: String = detect(&x).iter().map(|e| e.value.as_str().to_string()).collect();
    assert_eq!(got, "77");
}

fn talk_off_rate(name: &str, kind: TalkOff, minutes: usize) -> f64 {
    let mut false_digits = 0;
    let mut samples = 0usize;
    talk_off(kind, minutes, |what, y| {
        let got = detect(y);
        for g in &got {
            println!("  {name} talk-off: {} at {:.2} s ({what})", g.value, g.start as f64 / 8000.0);
        }
        false_digits += got.len();
        samples += y.len();
    });
    let hours = samples as f64 / 8000.0 / 3600.0;
    let rate = false_digits as f64 / hours;
    println!("DTMF talk-off on {name}: {false_digits} digits in {:.2} h = {rate:.1}/h", hours);
    rate
}

#[test]
fn talk_off_speech_like() {
    let rate = talk_off_rate("speech-like", TalkOff::Speech, 60);
    assert!(rate <= 5.0, "{rate} false digits per hour");
}

#[test]
fn talk_off_music_like() {
    let rate = talk_off_rate("music-like", TalkOff::Music, 60);
    assert!(rate <= 5.0, "{rate} false digits per hour");
}
