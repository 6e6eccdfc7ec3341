//! Answering-machine detection over a generated corpus: people answering with a short greeting
//! and machines with 3–15 s greetings and a beep, in four language styles, with background noise.
//! Prints accuracy per language and class, confidence and decision time.

use trunkline_dsp::amd::{AmdClass, AmdDecision, AmdDetector, AmdParams};
use trunkline_dsp::cpt::gen::{add_noise, beep, dbm0_power, speech, to_i16, Lang, Rng};

fn run(x: &[f32]) -> Option<AmdDecision> {
    let mut d = AmdDetector::new(AmdParams::default());
    let mut out = None;
    for c in to_i16(x).chunks(160) {
        d.process(c, |e| out = Some(e));
        if out.is_some() {
            break;
        }
    }
    out
}

fn silence(x: &mut Vec<f32>, ms: f32) {
    x.resize(x.len() + ms as usize * 8, 0.0);
}

fn human(lang: Lang, rng: &mut Rng) -> (Vec<f32>, usize) {
    let mut x = Vec::new();
    silence(&mut x, rng.range(200.0, 1500.0));
    let first = x.len();
    let f0 = rng.range(90.0, 260.0);
    let level = rng.range(-24.0, -12.0);
    let words: Vec<usize> = match (lang, rng.next_u64() % 10) {
        // Occasionally a longer opener: "hello, who is this?"
        (_, 0) => vec![2, 1, 1, 1],
        (Lang::English, _) => vec![2],
        (Lang::Mandarin, _) | (Lang::Cantonese, _) => vec![1 + (rng.next_u64() % 2) as usize],
        (Lang::Spanish, _) => vec![2 + (rng.next_u64() % 2) as usize],
    };
    x.extend(speech(lang, &words, (60.0, 200.0), f0, level, rng));
    silence(&mut x, rng.range(1000.0, 3000.0));
    x.extend(speech(lang, &[2], (60.0, 200.0), f0, level, rng));
    silence(&mut x, 2000.0);
    (x, first)
}

fn machine(lang: Lang, rng: &mut Rng) -> (Vec<f32>, usize) {
    let mut x = Vec::new();
    silence(&mut x, rng.range(200.0, 1500.0));
    let first = x.len();
    let f0 = rng.range(90.0, 260.0);
    let level = rng.range(-24.0, -12.0);
    let secs = rng.range(3.0, 15.0);
    while (x.len() - first) as f32 / 8000.0 < secs {
        let n = 3 + (rng.next_u64() % 6) as usize;
        let words: Vec<usize> = (0..n).map(|_| 1 + (rng.next_u64() % 3) as usize).collect();
        x.extend(speech(lang, &words, (60.0, 250.0), f0, level, rng));
        silence(&mut x, rng.range(300.0, 650.0));
    }
    if rng.uniform() < 0.8 {
        let f = rng.range(600.0, 2000.0);
        x.extend(beep(f, rng.range(200.0, 1000.0) as u32, -12.0, None));
    }
    silence(&mut x, 1000.0);
    (x, first)
}

#[test]
fn four_languages_two_classes() {
    let mut rng = Rng::new(555);
    let n = 40;
    let mut total = (0, 0);
    let mut human_lat = Vec::new();
    let mut unknown = 0;
    println!("language   human ok  machine ok   mean conf (correct)  median decision after first speech (human / machine)");
    for lang in Lang::ALL {
        let mut row = Vec::new();
        let mut conf = Vec::new();
        let mut lats = [Vec::new(), Vec::new()];
        for (ci, class) in [AmdClass::Human, AmdClass::Machine].into_iter().enumerate() {
            let mut ok = 0;
            for _ in 0..n {
                let (mut x, first) = if ci == 0 { human(lang, &mut rng) } else { machine(lang, &mut rng) };
                add_noise(&mut x, dbm0_power(rng.range(-60.0, -45.0)), &mut rng);
                let d = run(&x);
                match d {
                    Some(d) if d.class == class => {
                        ok += 1;
                        conf.push(d.confidence);
                        let lat = (d.decided as f64 - first as f64) / 8.0;
                        lats[ci].push(lat);
                        if ci == 0 {
                            human_lat.push(lat);
                        }
                    }
                    other => {
                        if other.is_some_and(|d| d.class == AmdClass::Unknown) {
                            unknown += 1;
                        }
                        println!("  miss {lang:?} {class:?}: {other:?}");
                    }
                }
            }
            assert!(ok as f64 >= 0.93 * n as f64, "{lang:?} {class:?} {ok}/{n}");
            total = (total.0 + ok, total.1 + n);
            row.push(ok);
        }
        for l in &mut lats {
            l.sort_by(|a, b| a.total_cmp(b));
        }
        let med = |l: &Vec<f64>| l.get(l.len() / 2).copied().unwrap_or(f64::NAN);
        let mc = conf.iter().sum::<f32>() / conf.len().max(1) as f32;
        println!(
            "{:<10} {:>3}/{n}     {:>3}/{n}       {mc:.2}                 {:.0} ms / {:.0} ms",
            format!("{lang:?}"),
            row[0],
            row[1],
            med(&lats[0]),
            med(&lats[1])
        );
    }
    human_lat.sort_by(|a, b| a.total_cmp(b));
    let max_h = human_lat.last().copied().unwrap_or(0.0);
    println!("AMD overall {:.1} % ({}/{}); unknown verdicts {unknown}; slowest human decision {max_h:.0} ms after first speech", 100.0 * total.0 as f64 / total.1 as f64, total.0, total.1);
    assert!(total.0 as f64 >= 0.95 * total.1 as f64);
    assert!(max_h <= 4000.0);
}

#[test]
fn silence_is_unknown() {
    let mut rng = Rng::new(1);
    let mut x = vec![0.0f32; 8000 * 7];
    add_noise(&mut x, dbm0_power(-55.0), &mut rng);
    let d = run(&x).expect("decides");
    assert_eq!(d.class, AmdClass::Unknown);
}
