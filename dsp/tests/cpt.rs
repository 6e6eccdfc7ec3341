//! Call-progress accuracy over a generated corpus: every built-in country, every tone, at 15 dB
//! SNR, random levels and lead-in. Prints the per-country table (`--nocapture`).

use trunkline_dsp::cpt::gen::{add_noise, dbm0_power, to_i16, Rng, TonePlayer};
use trunkline_dsp::cpt::{all_countries, country, Country, CptDetector, CptEvent, CptTone, ToneSpec};

const TRIALS: usize = 5;

fn equivalent(a: &ToneSpec, b: &ToneSpec) -> bool {
    a.freqs.primary() == b.freqs.primary() && a.cadence == b.cadence
}

fn render(
    spec: &ToneSpec,
    lead_ms: u32,
    total_ms: u32,
    dbm0: f32,
    snr_db: f32,
    rng: &mut Rng,
) -> (Vec<i16>, u64) {
    let lead = lead_ms as usize * 8;
    let mut x = vec![0.0f32; total_ms as usize * 8];
    TonePlayer::new(spec, dbm0).add_to(&mut x[lead..]);
    let comps = if matches!(spec.freqs, trunkline_dsp::cpt::Freqs::Dual(..)) { 2.0 } else { 1.0 };
    add_noise(&mut x, comps * dbm0_power(dbm0) / 10f32.powf(snr_db / 10.0), rng);
    (to_i16(&x), lead as u64)
}

fn run(det: &mut CptDetector, x: &[i16]) -> Vec<CptEvent> {
    let mut ev = Vec::new();
    for c in x.chunks(160) {
        det.process(c, |e| ev.push(e));
    }
    ev
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn trial(c: &Country, ti: usize, rng: &mut Rng) -> (bool, Option<f64>) {
    let spec = &c.tones[ti];
    let cycle: u32 = spec.cadence.iter().sum();
    let total = (2 * cycle + 1500).max(4000);
    let lead = rng.range(300.0, 1000.0) as u32;
    let level = rng.range(-25.0, -10.0);
    let (x, start) = render(spec, lead, total + lead, level, 15.0, rng);
    let mut det = CptDetector::new(std::slice::from_ref(c));
    let ev = run(&mut det, &x);
    let first = ev.iter().find(|e| e.end.is_none());
    let r = match first {
        Some(e) => {
            let want = c.tones.iter().find(|t| t.tone == e.tone).is_some_and(|t| equivalent(t, spec));
            let lat = (e.decided as f64 - start as f64) / 8.0;
            (want, Some(lat))
        }
        None => (false, None),
    };
    Some(&r).inspect(|r| {
        if !r.0 {
            println!("miss {} {:?}: {:?}", c.code, spec.tone, &ev[..ev.len().min(3)]);
        }
    });
    r
}

#[test]
fn every_country_at_15db_snr() {
    let mut rng = Rng::new(2026);
    let countries = all_countries();
    assert!(countries.len() >= 40);
    let mut worst = 1.0f64;
    let mut all_ok = 0;
    let mut all_n = 0;
    let mut over_latency = Vec::new();
    println!("country  correct  | median latency ms (limit = cycle+200): dial ringback busy congestion");
    for c in &countries {
        let mut ok = 0;
        let mut lats = Vec::new();
        for (ti, spec) in c.tones.iter().enumerate() {
            let mut l = Vec::new();
            for _ in 0..TRIALS {
                let (good, lat) = trial(c, ti, &mut rng);
                ok += good as usize;
                if let (true, Some(v)) = (good, lat) {
                    l.push(v);
                }
            }
            let m = median(&mut l);
            let cycle: u32 = spec.cadence.iter().sum();
            // A steady tone can only be told from a cadenced one with the same frequencies
            // after that one's longest "on"; that plus 400 ms is its limit.
            let limit = if cycle == 0 {
                let on = c
                    .tones
                    .iter()
                    .filter(|t| t.freqs.primary() == spec.freqs.primary())
                    .flat_map(|t| t.cadence.iter().step_by(2).copied())
                    .max()
                    .unwrap_or(0);
                on.max(600) as f64 + 400.0
            } else {
                cycle as f64 + 200.0
            };
            if m.is_nan() || m > limit {
                over_latency.push(format!("{}/{} {:.0}>{:.0}", c.code, spec.tone.name(), m, limit));
            }
            lats.push(format!("{m:6.0}/{limit:<5.0}"));
        }
        let n = TRIALS * c.tones.len();
        let acc = ok as f64 / n as f64;
        worst = worst.min(acc);
        all_ok += ok;
        all_n += n;
        println!("{:<3} {:>5.1} %  | {}", c.code, 100.0 * acc, lats.join(" "));
    }
    println!(
        "overall {:.2} % ({all_ok}/{all_n}), worst country {:.1} %",
        100.0 * all_ok as f64 / all_n as f64,
        100.0 * worst
    );
    println!("median latency above cycle+200 ms: {over_latency:?}");
    assert!(worst >= 0.95, "worst country {worst}");
    assert!(over_latency.len() <= 6, "too many slow tones");
}

#[test]
fn close_frequencies_are_resolved() {
    // A German (425 Hz) detector must ignore British (400 Hz) and Chinese (450 Hz) busy tones,
    // and a detector for all three must name each correctly.
    let mut rng = Rng::new(7);
    let uk = country("uk").unwrap();
    let cn = country("cn").unwrap();
    let de = country("de").unwrap();
    for (c, t) in [(&uk, 2), (&cn, 2), (&uk, 0)] {
        let (x, _) = render(&c.tones[t], 200, 6000, -15.0, 15.0, &mut rng);
        let mut det = CptDetector::new(std::slice::from_ref(&de));
        assert!(run(&mut det, &x).is_empty(), "{} {:?} seen by de", c.code, c.tones[t].tone);
    }
    let mut det = CptDetector::for_countries(&["uk", "de", "cn"]).unwrap();
    for (c, t, want) in [(&uk, 2, "uk"), (&cn, 2, "cn"), (&de, 2, "de"), (&cn, 0, "cn"), (&de, 0, "de")] {
        det.reset();
        let (x, _) = render(&c.tones[t], 200, 6000, -15.0, 15.0, &mut rng);
        let ev = run(&mut det, &x);
        let e = ev.first().expect("detected");
        assert_eq!((e.country, e.tone), (want, c.tones[t].tone), "{ev:?}");
    }
}

#[test]
fn reports_end_of_tone() {
    let mut rng = Rng::new(9);
    let us = country("us").unwrap();
    let (mut x, start) = render(&us.tones[2], 500, 4500, -15.0, 20.0, &mut rng);
    x.resize(x.len() + 8000 * 8, 0);
    let mut det = CptDetector::new(std::slice::from_ref(&us));
    let ev = run(&mut det, &x);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0].tone, CptTone::Busy);
    let end = ev[1].end.unwrap();
    // The tone stops at 4.5 s (in an "on" or at the end of one); within one element.
    assert!(end > start + 3 * 8000 && end <= 4600 * 8, "{ev:?}");
}

#[test]
fn speech_and_silence_are_not_tones() {
    let mut rng = Rng::new(11);
    let mut det = CptDetector::for_countries(&["us", "uk", "de", "cn", "fr", "jp", "in"]).unwrap();
    let mut fa = 0;
    for i in 0..20 {
        det.reset();
        let lang = trunkline_dsp::cpt::gen::Lang::ALL[i % 4];
        let words: Vec<usize> = (0..20).map(|_| 1 + (rng.next_u64() % 3) as usize).collect();
        let mut s = trunkline_dsp::cpt::gen::speech(
            lang,
            &words,
            (80.0, 400.0),
            rng.range(100.0, 220.0),
            -18.0,
            &mut rng,
        );
        add_noise(&mut s, dbm0_power(-50.0), &mut rng);
        let ev = run(&mut det, &to_i16(&s));
        if !ev.is_empty() {
            println!("false alarm: {lang:?} {ev:?}");
        }
        fa += ev.len();
    }
    println!("cpt false alarms on 20 speech clips: {fa}");
    assert_eq!(fa, 0);
}
