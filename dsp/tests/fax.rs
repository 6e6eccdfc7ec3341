//! Fax/modem tone accuracy: each class at 15 dB SNR from −10 down to −43 dBm0, confusion table,
//! and no false alarms on speech, music or call-progress tones.

use trunkline_dsp::cpt::gen::{add_noise, dbm0_power, music, speech, to_i16, Lang, Rng, TonePlayer};
use trunkline_dsp::fax::{gen::render, FaxDetector, FaxEvent, FaxTone};

fn run(x: &[i16]) -> Vec<FaxEvent> {
    let mut d = FaxDetector::new();
    let mut ev = Vec::new();
    for c in x.chunks(160) {
        d.process(c, |e| ev.push(e));
    }
    ev
}

#[test]
fn classes_at_15db_snr_down_to_minus_43_dbm0() {
    let mut rng = Rng::new(77);
    let n = 50;
    let mut total_ok = 0;
    println!("class         correct   confusions (first event)          median latency ms");
    for tone in FaxTone::ALL {
        let mut ok = 0;
        let mut conf: Vec<String> = Vec::new();
        let mut lat = Vec::new();
        for i in 0..n {
            // Levels spread evenly over −10..−43 dBm0, the extremes included.
            let level = -10.0 - 33.0 * i as f32 / (n - 1) as f32;
            let lead = rng.range(200.0, 1000.0) as usize * 8;
            let ms = match tone {
                FaxTone::Cng => 4000,
                FaxTone::V21Preamble => 1000,
                _ => 3300,
            };
            let mut x = vec![0.0f32; lead];
            x.extend(render(tone, ms, level));
            x.resize(x.len() + 4000, 0.0);
            add_noise(&mut x, dbm0_power(level) / 10f32.powf(1.5), &mut rng);
            let ev = run(&to_i16(&x));
            let first = ev.iter().find(|e| e.end.is_none() || e.tone == FaxTone::Cng);
            let others = ev.iter().filter(|e| e.tone != tone).count();
            match first {
                Some(e) if e.tone == tone && others == 0 => {
                    ok += 1;
                    lat.push((e.decided as f64 - lead as f64) / 8.0);
                }
                _ => conf
                    .push(format!("{level:.0}dB:{:?}", ev.iter().map(|e| e.tone.name()).collect::<Vec<_>>())),
            }
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        let med = lat.get(lat.len() / 2).copied().unwrap_or(f64::NAN);
        println!("{:<12} {:>3}/{n}    {:<34} {med:.0}", tone.name(), ok, conf.join(" "));
        assert!(ok as f64 >= 0.98 * n as f64, "{tone:?} {ok}/{n}");
        total_ok += ok;
    }
    println!("fax/modem overall {:.1} %", 100.0 * total_ok as f64 / (6 * n) as f64);
}

#[test]
fn no_false_alarms_on_speech_music_and_tones() {
    let mut rng = Rng::new(99);
    let mut fa = Vec::new();
    for i in 0..20 {
        let words: Vec<usize> = (0..25).map(|_| 1 + (rng.next_u64() % 3) as usize).collect();
        let mut x = speech(Lang::ALL[i % 4], &words, (80.0, 400.0), rng.range(100.0, 250.0), -16.0, &mut rng);
        add_noise(&mut x, dbm0_power(-45.0), &mut rng);
        fa.extend(run(&to_i16(&x)));
        let mut m = music(10_000, -16.0, &mut rng);
        add_noise(&mut m, dbm0_power(-45.0), &mut rng);
        fa.extend(run(&to_i16(&m)));
    }
    for c in trunkline_dsp::cpt::all_countries() {
        for t in &c.tones {
            let mut x = vec![0.0f32; 8000 * 6];
            TonePlayer::new(t, -15.0).add_to(&mut x);
            fa.extend(run(&to_i16(&x)));
        }
    }
    println!("fax false alarms on 20 speech + 20 music clips (~7 min) and 172 country tones: {}", fa.len());
    assert!(fa.is_empty(), "{fa:?}");
}
