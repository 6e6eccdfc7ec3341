//! Voicemail beep accuracy: greetings followed by a beep of random frequency, length, level,
//! harmonics and repetition; false alarms on ringback, music, DTMF, greetings without beep and
//! sustained vowels.

use trunkline_dsp::beep::{BeepDetector, BeepEvent, DEFAULT_VETO_HZ};
use trunkline_dsp::cpt::gen::{
    add_noise, beep, dbm0_power, dtmf, music, speech, to_i16, Lang, Rng, TonePlayer,
};

fn run(x: &[f32]) -> Vec<BeepEvent> {
    let mut d = BeepDetector::new();
    let mut ev = Vec::new();
    for c in to_i16(x).chunks(160) {
        d.process(c, |e| ev.push(e));
    }
    ev
}

fn greeting(rng: &mut Rng, secs: f32) -> Vec<f32> {
    let lang = Lang::ALL[(rng.next_u64() % 4) as usize];
    let words: Vec<usize> = (0..(secs * 2.2) as usize).map(|_| 1 + (rng.next_u64() % 3) as usize).collect();
    speech(lang, &words, (60.0, 450.0), rng.range(90.0, 240.0), rng.range(-22.0, -14.0), rng)
}

#[test]
fn beeps_after_greetings() {
    let mut rng = Rng::new(4242);
    let n = 200;
    let mut ok = 0;
    let mut errs = Vec::new();
    let mut ferrs = Vec::new();
    for i in 0..n {
        let secs = rng.range(2.0, 6.0);
        let mut x = greeting(&mut rng, secs);
        x.resize(x.len() + rng.range(100.0, 700.0) as usize * 8, 0.0);
        let f = loop {
            let f = rng.range(300.0, 2500.0);
            if DEFAULT_VETO_HZ.iter().all(|v| (v - f).abs() > 20.0) {
                break f;
            }
        };
        let ms = rng.range(100.0, 2000.0) as u32;
        let level = rng.range(-25.0, -8.0);
        let harm = (i % 3 == 0).then(|| rng.range(10.0, 25.0));
        let onset = x.len();
        x.extend(beep(f, ms, level, harm));
        if i % 5 == 0 {
            x.resize(x.len() + 2400, 0.0);
            x.extend(beep(f, ms, level, harm));
        }
        x.resize(x.len() + 4000, 0.0);
        add_noise(&mut x, dbm0_power(level - 20.0).max(dbm0_power(-55.0)), &mut rng);
        let ev = run(&x);
        match ev.first() {
            Some(e) if (e.start as i64 - onset as i64).abs() <= 400 && (e.freq_hz - f).abs() <= 10.0 => {
                ok += 1;
                errs.push((e.start as f64 - onset as f64) / 8.0);
                ferrs.push((e.freq_hz - f).abs() as f64);
            }
            _ => println!("  miss: f={f:.0} ms={ms} level={level:.0} harm={harm:?} onset={onset}: {ev:?}"),
        }
    }
    errs.sort_by(|a, b| a.total_cmp(b));
    ferrs.sort_by(|a, b| a.total_cmp(b));
    let p95 = |v: &Vec<f64>| v[(v.len() * 95 / 100).min(v.len() - 1)];
    let mut abs: Vec<f64> = errs.iter().map(|e| e.abs()).collect();
    abs.sort_by(|a, b| a.total_cmp(b));
    println!(
        "beep detected {ok}/{n} = {:.1} % (onset within ±50 ms); onset error median {:.1} ms, |err| p95 {:.1} ms; freq error median {:.2} Hz, p95 {:.2} Hz",
        100.0 * ok as f64 / n as f64,
        errs[errs.len() / 2],
        p95(&abs),
        ferrs[ferrs.len() / 2],
        p95(&ferrs)
    );
    assert!(ok as f64 >= 0.97 * n as f64);
}

#[test]
fn false_alarms() {
    let mut rng = Rng::new(17);
    let mut rows = Vec::new();
    // Ringback (and dial tone) of every country.
    let mut fa = 0;
    let mut n = 0;
    for c in trunkline_dsp::cpt::all_countries() {
        for t in &c.tones[..2] {
            let mut x = vec![0.0f32; 8000 * 12];
            TonePlayer::new(t, rng.range(-25.0, -10.0)).add_to(&mut x);
            add_noise(&mut x, dbm0_power(-45.0), &mut rng);
            n += 1;
            let ev = run(&x);
            if !ev.is_empty() {
                fa += 1;
                println!("  ringback/dial {} {:?}: {ev:?}", c.code, t.tone);
            }
        }
    }
    rows.push(("ringback+dial (43 countries)", fa, n));
    let (mut fa, n) = (0, 40);
    for _ in 0..n {
        let mut x = music(15_000, rng.range(-25.0, -12.0), &mut rng);
        add_noise(&mut x, dbm0_power(-50.0), &mut rng);
        fa += (!run(&x).is_empty()) as usize;
    }
    rows.push(("music 15 s", fa, n));
    let (mut fa, n) = (0, 40);
    let rows_hz = [697.0, 770.0, 852.0, 941.0];
    let cols_hz = [1209.0, 1336.0, 1477.0, 1633.0];
    for _ in 0..n {
        let mut x = Vec::new();
        for _ in 0..12 {
            let r = rows_hz[(rng.next_u64() % 4) as usize];
            let c = cols_hz[(rng.next_u64() % 4) as usize];
            x.extend(dtmf(r, c, rng.range(40.0, 300.0) as u32, rng.range(-20.0, -8.0)));
            x.resize(x.len() + rng.range(40.0, 300.0) as usize * 8, 0.0);
        }
        add_noise(&mut x, dbm0_power(-50.0), &mut rng);
        fa += (!run(&x).is_empty()) as usize;
    }
    rows.push(("DTMF strings", fa, n));
    let (mut fa, n) = (0, 60);
    for _ in 0..n {
        let secs = rng.range(3.0, 12.0);
        let mut x = greeting(&mut rng, secs);
        add_noise(&mut x, dbm0_power(-50.0), &mut rng);
        let ev = run(&x);
        if !ev.is_empty() {
            println!("  greeting: {ev:?}");
            fa += 1;
        }
    }
    rows.push(("greetings without beep", fa, n));
    let (mut fa, n) = (0, 40);
    for i in 0..n {
        // One long syllable (a held vowel) of 0.6–1.5 s at a steady pitch.
        let lang = if i % 2 == 0 { Lang::English } else { Lang::Mandarin };
        let mut x = Vec::new();
        for _ in 0..3 {
            let held = speech(lang, &[1], (0.0, 0.0), rng.range(90.0, 250.0), -16.0, &mut rng);
            // Stretch: repeat the voiced part to make it long.
            for _ in 0..5 {
                x.extend_from_slice(&held[..held.len().saturating_sub(240)]);
            }
        }
        add_noise(&mut x, dbm0_power(-50.0), &mut rng);
        let ev = run(&x);
        if !ev.is_empty() {
            println!("  vowel: {ev:?}");
            fa += 1;
        }
    }
    rows.push(("sustained vowels", fa, n));
    let mut total = (0, 0);
    for (name, fa, n) in &rows {
        println!("beep false alarms on {name}: {fa}/{n} = {:.1} %", 100.0 * *fa as f64 / *n as f64);
        total = (total.0 + fa, total.1 + n);
        assert!(*fa as f64 <= 0.02 * *n as f64 + 1e-9, "{name}");
    }
    println!("beep false alarms overall {}/{}", total.0, total.1);
}
