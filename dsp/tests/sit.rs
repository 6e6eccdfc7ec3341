//! SIT accuracy: every code, random level and lead-in, 15 dB SNR; must be 100 % with the right
//! code, and silent on call-progress tones and speech.

use trunkline_dsp::cpt::gen::{add_noise, dbm0_power, speech, to_i16, Lang, Rng, TonePlayer};
use trunkline_dsp::sit::{generate, SitCode, SitDetector, SitEvent};

fn run(x: &[i16]) -> Vec<SitEvent> {
    let mut d = SitDetector::new();
    let mut ev = Vec::new();
    for c in x.chunks(80) {
        d.process(c, |e| ev.push(e));
    }
    ev
}

#[test]
fn every_code_at_15db_snr() {
    let mut rng = Rng::new(31);
    let mut lat = Vec::new();
    println!("code  correct/trials");
    for code in SitCode::ALL {
        let mut ok = 0;
        let n = 40;
        for _ in 0..n {
            let level = rng.range(-35.0, -10.0);
            let lead = rng.range(100.0, 800.0) as usize * 8;
            let mut x = vec![0.0f32; lead];
            x.extend(generate(code, level, 1000));
            add_noise(&mut x, dbm0_power(level) / 10f32.powf(1.5), &mut rng);
            let ev = run(&to_i16(&x));
            if ev.len() == 1 && ev[0].code == code {
                ok += 1;
                lat.push((ev[0].decided as f64 - lead as f64) / 8.0);
                assert!((ev[0].start as f64 - lead as f64).abs() < 8.0 * 40.0, "{ev:?} lead {lead}");
            } else {
                println!("  miss {}: {ev:?}", code.name());
            }
        }
        println!("{:<5} {ok}/{n}", code.name());
        assert_eq!(ok, n, "{code:?}");
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    println!("SIT median latency from first segment: {:.0} ms (sequence ~1 s)", lat[lat.len() / 2]);
}

#[test]
fn no_sit_in_tones_or_speech() {
    let mut rng = Rng::new(5);
    let mut fa = 0;
    for c in trunkline_dsp::cpt::all_countries() {
        for t in &c.tones {
            let mut x = vec![0.0f32; 8000 * 4];
            TonePlayer::new(t, -15.0).add_to(&mut x);
            add_noise(&mut x, dbm0_power(-32.0), &mut rng);
            fa += run(&to_i16(&x)).len();
        }
    }
    for i in 0..20 {
        let words: Vec<usize> = (0..15).map(|_| 1 + (rng.next_u64() % 3) as usize).collect();
        let x = speech(Lang::ALL[i % 4], &words, (80.0, 400.0), rng.range(100.0, 250.0), -18.0, &mut rng);
        fa += run(&to_i16(&x)).len();
    }
    println!("SIT false alarms on 172 country tones and 20 speech clips: {fa}");
    assert_eq!(fa, 0);
}
