//! Criterion benchmarks of the simulated board's hot paths: one tick of cross-connected E1 pairs
//! (full path; 4 spans, and the 128 spans of `trunkctl bench board`), the frame transposes, and
//! the CRC-4 folds.
#![allow(missing_docs)] // criterion_group! generates undocumented functions

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use trunkline_driver::board::Board;
use trunkline_driver::ring::{EngineEnd, RingConfig};
use trunkline_driver::sim::{SimBoard, SimConfig};
use trunkline_driver::tdm::crc::{crc4_smf, Crc4Smf};
use trunkline_driver::tdm::transpose::transpose;
use trunkline_driver::ChannelKind;

/// Opens every bearer and CAS channel of `b` with an audio ring of `audio` octets.
fn open_audio(b: &mut impl Board, audio: usize) -> Vec<EngineEnd> {
    b.channels()
        .into_iter()
        .filter(|ch| matches!(ch.kind, ChannelKind::Bearer | ChannelKind::Cas))
        .map(|ch| b.open(ch.no, RingConfig { audio, ..RingConfig::default() }).unwrap())
        .collect()
}

/// One board tick as an engine drives it: `buf` queued on every channel, the tick, every
/// channel's received audio read into `sink`.
fn tick_with_audio(b: &mut impl Board, ends: &mut [EngineEnd], buf: &[u8], sink: &mut [u8]) {
    for e in ends.iter_mut() {
        ringbuf::traits::Producer::push_slice(&mut e.tx, buf);
    }
    b.tick().unwrap();
    for e in ends.iter_mut() {
        ringbuf::traits::Consumer::pop_slice(&mut e.rx, sink);
    }
}

fn board_tick(c: &mut Criterion) {
    let mut cfg = SimConfig::e1_pairs(4);
    cfg.tick_frames = 160;
    let mut b = SimBoard::new(cfg).unwrap();
    let mut ends = open_audio(&mut b, 640);
    let mut g = c.benchmark_group("board");
    // 4 spans × 160 frames per tick.
    g.throughput(Throughput::Elements(4 * 160));
    g.bench_function("e1_4spans_tick20ms", |bench| {
        let buf = [0x55u8; 160];
        let mut sink = [0u8; 640];
        bench.iter(|| tick_with_audio(&mut b, &mut ends, &buf, &mut sink))
    });
    g.finish();
}

/// The DAHDI backend on the in-process fake kernel: one 20 ms tick with every bearer and CAS
/// channel open (one fd each in the epoll set). Includes the fake kernel's own work, so it is an
/// upper bound of the backend's per-tick cost, not a kernel measurement.
fn dahdi_fake_tick(c: &mut Criterion) {
    use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
    use trunkline_driver::dahdi::fake::FakeKernel;
    let mut g = c.benchmark_group("dahdi_fake");
    for spans in [4usize, 32] {
        let mut b = DahdiBoard::new(FakeKernel::e1_pairs(spans), DahdiConfig::default()).unwrap();
        let mut ends = open_audio(&mut b, 640);
        g.throughput(Throughput::Elements(ends.len() as u64 * 160));
        g.bench_function(format!("e1_{spans}spans_{}fds_tick20ms", ends.len()), |bench| {
            let buf = [0x55u8; 160];
            let mut sink = [0u8; 640];
            bench.iter(|| tick_with_audio(&mut b, &mut ends, &buf, &mut sink))
        });
    }
    g.finish();
}

/// The `trunkctl bench board --spans 128` setup: 128 E1 spans (half CAS, half PRI) in
/// cross-connected pairs, every bearer open with audio in both directions, 20 ms ticks.
/// Throughput is in span-frames (128 × 160 per tick); 20× real time is 20.48 M span-frames/s.
fn board_128_spans(c: &mut Criterion) {
    let n = 160;
    let mut cfg = SimConfig::e1_pairs(128);
    cfg.tick_frames = n;
    let mut b = SimBoard::new(cfg).unwrap();
    let mut ends = open_audio(&mut b, 4 * n);
    b.run_ticks(20).unwrap();
    let buf = vec![0x55u8; n];
    let mut sink = vec![0u8; 4 * n];
    for e in ends.iter_mut() {
        ringbuf::traits::Consumer::pop_slice(&mut e.rx, &mut sink);
    }
    let mut g = c.benchmark_group("board");
    g.sample_size(20);
    g.throughput(Throughput::Elements(128 * n as u64));
    g.bench_function("e1_128spans_tick20ms", |bench| {
        bench.iter(|| tick_with_audio(&mut b, &mut ends, &buf, &mut sink))
    });
    g.finish();
}

fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("tdm");
    let src: Vec<u8> = (0..32 * 160).map(|i| i as u8).collect();
    let mut dst = vec![0u8; 32 * 160];
    g.throughput(Throughput::Bytes(src.len() as u64));
    g.bench_function("transpose_32x160", |b| b.iter(|| transpose(&src, 32, 160, &mut dst)));
    let frame = [0x5Au8; 32];
    g.throughput(Throughput::Elements(8));
    g.bench_function("crc4_smf", |b| {
        b.iter_batched(
            Crc4Smf::default,
            |mut crc| {
                for _ in 0..8 {
                    crc.add_frame(&frame);
                }
                crc.finish()
            },
            BatchSize::SmallInput,
        )
    });
    let smf: Vec<u8> = (0..256).map(|i| (i * 7) as u8).collect();
    let smf: &[u8; 256] = smf[..].try_into().unwrap();
    g.throughput(Throughput::Elements(8));
    g.bench_function("crc4_smf_whole", |b| b.iter(|| crc4_smf(std::hint::black_box(smf), true)));
    g.finish();
}

criterion_group!(benches, board_tick, board_128_spans, dahdi_fake_tick, kernels);
criterion_main!(benches);
