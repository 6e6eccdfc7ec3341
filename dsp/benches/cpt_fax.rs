//! Benchmarks for the call-progress, SIT, fax/modem, beep and AMD detectors. Prints real-time
//! channels per core for each (seconds of audio processed per second of CPU), then runs criterion.

use criterion::{black_box, Criterion, Throughput};
use std::time::Instant;
use trunkline_dsp::amd::{AmdDetector, AmdParams};
use trunkline_dsp::beep::BeepDetector;
use trunkline_dsp::cpt::gen::{add_noise, dbm0_power, music, speech, to_i16, Lang, Rng, TonePlayer};
use trunkline_dsp::cpt::{country, CptDetector};
use trunkline_dsp::fax::FaxDetector;
use trunkline_dsp::sit::SitDetector;

/// 10 s of mixed audio: speech, a ringback, music and noise.
fn audio() -> Vec<i16> {
    let mut rng = Rng::new(1);
    let mut x = speech(Lang::English, &[2, 1, 3, 2, 1, 2, 3, 1], (60.0, 300.0), 140.0, -18.0, &mut rng);
    let mut t = vec![0.0f32; 3 * 8000];
    if let Some(us) = country("us") {
        TonePlayer::new(&us.tones[1], -16.0).add_to(&mut t);
    }
    x.extend(t);
    x.extend(music(3000, -18.0, &mut rng));
    x.resize(10 * 8000, 0.0);
    add_noise(&mut x, dbm0_power(-50.0), &mut rng);
    to_i16(&x)
}

fn channels_per_core(name: &str, x: &[i16], mut f: impl FnMut(&[i16])) {
    let reps = 6;
    let t0 = Instant::now();
    for _ in 0..reps {
        for c in x.chunks(160) {
            f(black_box(c));
        }
    }
    let cpu = t0.elapsed().as_secs_f64();
    let audio = reps as f64 * x.len() as f64 / 8000.0;
    println!(
        "{name:<28} {:>8.0} real-time channels per core ({:.2} µs per 20 ms block)",
        audio / cpu,
        cpu * 1e6 / (reps * x.len() / 160) as f64
    );
}

fn main() {
    let x = audio();
    let mut cpt = CptDetector::for_countries(&["us"]).expect("us");
    let mut cpt3 = CptDetector::for_countries(&["uk", "de", "cn"]).expect("tables");
    let mut sit = SitDetector::new();
    let mut fax = FaxDetector::new();
    let mut beep = BeepDetector::new();
    let mut amd = AmdDetector::new(AmdParams::default());
    channels_per_core("cpt (us)", &x, |c| cpt.process(c, |_| {}));
    channels_per_core("cpt (uk+de+cn)", &x, |c| cpt3.process(c, |_| {}));
    channels_per_core("sit", &x, |c| sit.process(c, |_| {}));
    channels_per_core("fax", &x, |c| fax.process(c, |_| {}));
    channels_per_core("cpt+sit+fax (always on)", &x, |c| {
        cpt.process(c, |_| {});
        sit.process(c, |_| {});
        fax.process(c, |_| {});
    });
    channels_per_core("beep (FFT 512/128)", &x, |c| beep.process(c, |_| {}));
    channels_per_core("amd (VAD + beep)", &x, |c| {
        if amd.is_done() {
            amd.reset();
        }
        amd.process(c, |_| {})
    });

    let mut crit = Criterion::default().configure_from_args();
    let mut g = crit.benchmark_group("dsp2_10s_audio");
    g.throughput(Throughput::Elements(x.len() as u64));
    g.bench_function("cpt_us", |b| b.iter(|| x.chunks(160).for_each(|c| cpt.process(c, |_| {}))));
    g.bench_function("sit", |b| b.iter(|| x.chunks(160).for_each(|c| sit.process(c, |_| {}))));
    g.bench_function("fax", |b| b.iter(|| x.chunks(160).for_each(|c| fax.process(c, |_| {}))));
    g.bench_function("beep", |b| b.iter(|| x.chunks(160).for_each(|c| beep.process(c, |_| {}))));
    g.finish();
    crit.final_summary();
}
