//! MF R1 and MFC/R2 accuracy: every signal over frequency offsets, twist up to 6 dB, levels,
//! noise and both G.711 laws. Deterministic.

mod common;

use common::{detect, impair, score, sum_dbm0};
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::DualTone;
use trunkline_dsp::mf::{Mf, MfKind};

fn run_grid(
    kind: MfKind,
    devs: &[f32],
    twists: &[f32],
    levels: &[f32],
    on_ms: usize,
    off_ms: usize,
) -> (usize, usize, usize) {
    let (mut total, mut hits, mut extra) = (0, 0, 0);
    let mut seed = 100;
    for &dev in devs {
        for &tw in twists {
            for &lvl in levels {
                let mut x = vec![0.0f32; 400];
                let mut exp = Vec::new();
                for code in 1..=15u8 {
                    let (f1, f2) = kind.code_freqs(code).unwrap();
                    // Offsets in opposite directions on the two tones (the harder case).
                    // `lvl` is the weaker tone's level; the other is `|tw|` dB louder.
                    let (l1, l2) = (lvl + tw.max(0.0), lvl + (-tw).max(0.0));
                    let mut t = DualTone::new(f1 + dev, l1, f2 - dev, l2);
                    let s = x.len();
                    x.extend((0..on_ms * 8).map(|_| t.next_sample()));
                    exp.push((kind.label(code).to_string(), s, x.len()));
                    x.extend(std::iter::repeat_n(0.0, off_ms * 8));
                }
                x.extend(std::iter::repeat_n(0.0, 800));
                for law in [Law::Alaw, Law::Ulaw] {
                    seed += 1;
                    let y = impair(&x, sum_dbm0(&[lvl, lvl + tw.abs()]), Some(25.0), Some(law), seed);
                    let got = detect(&mut Mf::new(kind), &y);
                    let (h, e) = score(&exp, &got, 256);
                    if h < exp.len() {
                        println!("  {kind:?} dev {dev} twist {tw} level {lvl} {law:?}: {h}/{}", exp.len());
                    }
                    total += exp.len();
                    hits += h;
                    extra += e;
                }
            }
        }
    }
    (total, hits, extra)
}

#[test]
fn r1_in_spec_with_6db_twist() {
    // Q.320-Q.322: ±(1.5 % + 5 Hz) → at most ±30 Hz at 1700 Hz; use ±20 Hz everywhere plus 0.
    let (total, hits, extra) =
        run_grid(MfKind::R1, &[-20.0, 0.0, 20.0], &[-6.0, 0.0, 6.0], &[-25.0, -15.0, -7.0], 68, 68);
    let rate = hits as f64 / total as f64;
    println!("MF R1: {hits}/{total} = {:.2} %, extra {extra}", 100.0 * rate);
    assert!(rate >= 0.99 && extra == 0);
}

#[test]
fn r2_forward_and_backward_all_signals() {
    for kind in [MfKind::R2Fwd, MfKind::R2Bwd] {
        // Q.454: ±10 Hz; level difference up to 5 dB (6 tested); compelled tones are long.
        let (total, hits, extra) =
            run_grid(kind, &[-10.0, 0.0, 10.0], &[-6.0, 0.0, 6.0], &[-30.0, -20.0, -8.0], 150, 100);
        println!("MF {kind:?}: {hits}/{total}, extra {extra}");
        assert_eq!((hits, extra), (total, 0), "{kind:?}");
    }
}
