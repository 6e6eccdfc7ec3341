//! Criterion benchmarks of the detectors over one second of mixed audio (speech-like, music-like,
//! DTMF); the throughput figure is samples per second (÷ 8000 = real-time channels per core).

// criterion_group! generates an undocumented public function.
#![allow(missing_docs)]
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use trunkline_dsp::bank::DtmfBank;
use trunkline_dsp::dtmf::{Dtmf, DtmfConfig};
use trunkline_dsp::event::Detector;
use trunkline_dsp::gen::{clip, dtmf_string, MusicLike, SpeechLike};
use trunkline_dsp::mf::{Mf, MfKind};
use trunkline_dsp::vad::Vad;

fn audio() -> Vec<i16> {
    let mut s = SpeechLike::new(-20.0, 1);
    let mut m = MusicLike::new(-20.0, 2);
    let mut x: Vec<i16> = (0..4000).map(|_| clip(s.next_sample())).collect();
    x.extend((0..2000).map(|_| clip(m.next_sample())));
    x.extend(dtmf_string("1234", -10.0, 0.0, 60, 40));
    x.truncate(8000);
    x.resize(8000, 0);
    x
}

fn bench_one(c: &mut Criterion, name: &str, mut d: Box<dyn Detector>, x: &[i16]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(x.len() as u64));
    g.bench_function("1s_in_20ms_blocks", |b| {
        b.iter(|| {
            let mut n = 0u32;
            for blk in x.chunks(160) {
                d.process(blk, &mut |_| n += 1);
            }
            n
        })
    });
    g.finish();
}

fn detectors(c: &mut Criterion) {
    let x = audio();
    bench_one(c, "dtmf", Box::new(Dtmf::default()), &x);
    bench_one(c, "mf-r1", Box::new(Mf::new(MfKind::R1)), &x);
    bench_one(c, "mf-r2-fwd", Box::new(Mf::new(MfKind::R2Fwd)), &x);
    bench_one(c, "vad", Box::new(Vad::default()), &x);
    let mut g = c.benchmark_group("dtmf-bank8");
    g.throughput(Throughput::Elements(8 * x.len() as u64));
    let mut bank = DtmfBank::<8>::new(DtmfConfig::default());
    g.bench_function("1s_in_20ms_blocks", |b| {
        b.iter(|| {
            let mut n = 0u32;
            for t in (0..x.len()).step_by(160) {
                let blk = &x[t..t + 160];
                bank.process(&[blk; 8], &mut |_, _| n += 1);
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, detectors);
criterion_main!(benches);
