//! The real-time contract: after construction (and a warm-up), `process()` of every detector
//! never allocates, frees or reallocates. A counting `#[global_allocator]` wraps the system
//! allocator; counts are per thread so the test harness's own threads do not disturb them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use trunkline_dsp::amd::{AmdDetector, AmdParams};
use trunkline_dsp::bank::DtmfBank;
use trunkline_dsp::beep::BeepDetector;
use trunkline_dsp::cpt::{tables, CptDetector};
use trunkline_dsp::dtmf::{Dtmf, DtmfConfig};
use trunkline_dsp::event::Detector;
use trunkline_dsp::fax::{self, FaxDetector, FaxTone};
use trunkline_dsp::gen::{clip, dtmf_string, mf_sequence, MusicLike, Noise, SpeechLike};
use trunkline_dsp::mf::{Mf, MfKind};
use trunkline_dsp::sit::{self, SitCode, SitDetector};
use trunkline_dsp::vad::Vad;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the allocator may run while thread-locals are being torn down.
    let _ = COUNTING.try_with(|c| {
        if c.get() {
            let _ = CALLS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// extra work is bumping a thread-local counter, which neither allocates nor unwinds.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded contract of `GlobalAlloc::alloc`.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        note();
        // SAFETY: forwarded contract of `GlobalAlloc::dealloc`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        note();
        // SAFETY: forwarded contract of `GlobalAlloc::alloc_zeroed`.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        note();
        // SAFETY: forwarded contract of `GlobalAlloc::realloc`.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Allocator calls made by this thread while running `f`.
fn count(f: impl FnOnce()) -> u64 {
    CALLS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    CALLS.with(|n| n.get())
}

/// Audio that exercises every detector's paths: speech, music, DTMF, MF, call-progress tones,
/// SIT, fax tones, a beep, silence, noise and full-scale garbage.
fn corpus() -> Vec<i16> {
    let mut x: Vec<i16> = Vec::new();
    let mut s = SpeechLike::new(-20.0, 1);
    x.extend((0..16_000).map(|_| clip(s.next_sample())));
    let mut m = MusicLike::new(-18.0, 2);
    x.extend((0..8000).map(|_| clip(m.next_sample())));
    x.extend(dtmf_string("0123456789*#ABCD", -10.0, 0.0, 60, 60));
    let codes: Vec<u8> = (1..=15).collect();
    x.extend(mf_sequence(MfKind::R1, &codes, -7.0, 68, 68));
    x.extend(mf_sequence(MfKind::R2Fwd, &codes, -8.0, 120, 80));
    x.extend(mf_sequence(MfKind::R2Bwd, &codes, -8.0, 120, 80));
    if let Some(cn) = tables::country("cn") {
        for spec in &cn.tones {
            let mut buf = vec![0.0f32; 4 * 8000];
            trunkline_dsp::cpt::gen::TonePlayer::new(spec, -15.0).add_to(&mut buf);
            x.extend(buf.into_iter().map(clip));
        }
    }
    x.extend(sit::generate(SitCode::IC, -15.0, 300).into_iter().map(clip));
    for t in FaxTone::ALL {
        x.extend(fax::gen::render(t, 1500, -12.0).into_iter().map(clip));
    }
    // A voicemail-like beep.
    x.extend((0..4000).map(|i| clip(8000.0 * (core::f32::consts::TAU * 1000.0 * i as f32 / 8000.0).sin())));
    x.extend(std::iter::repeat_n(0, 8000));
    let mut n = Noise::new(-50.0, 3);
    x.extend((0..8000).map(|_| clip(n.next_sample())));
    x.extend((0..4000).map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN }));
    x
}

fn detectors() -> Vec<(&'static str, Box<dyn Detector>)> {
    let cn = tables::country("cn").into_iter().collect::<Vec<_>>();
    vec![
        ("dtmf", Box::new(Dtmf::default())),
        ("mf-r1", Box::new(Mf::new(MfKind::R1))),
        ("mf-r2-fwd", Box::new(Mf::new(MfKind::R2Fwd))),
        ("mf-r2-bwd", Box::new(Mf::new(MfKind::R2Bwd))),
        ("cpt", Box::new(CptDetector::new(&cn))),
        ("cpt-all", Box::new(CptDetector::new(&tables::all_countries()))),
        ("sit", Box::new(SitDetector::new())),
        ("fax", Box::new(FaxDetector::new())),
        ("beep", Box::new(BeepDetector::new())),
        ("amd", Box::new(AmdDetector::new(AmdParams::default()))),
        ("vad", Box::new(Vad::default())),
    ]
}

#[test]
fn process_never_allocates_after_warm_up() {
    let x = corpus();
    let mut failures = Vec::new();
    for (name, mut d) in detectors() {
        // Warm up (lazy first-use work, if any, happens here), then start over.
        let mut events = 0u64;
        for b in x.chunks(160) {
            d.process(b, &mut |_| events += 1);
        }
        d.reset();
        let mut blocks = 0u64;
        let calls = count(|| {
            // Thousands of blocks, of several sizes (odd sizes cross internal frame edges).
            for &size in &[160usize, 80, 37, 1000] {
                for b in x.chunks(size) {
                    d.process(b, &mut |_| events += 1);
                    blocks += 1;
                }
                d.reset();
            }
        });
        assert!(blocks > 5000, "{name}: only {blocks} blocks");
        assert!(events > 0 || name == "cpt-all" || name == "amd", "{name}: no events at all");
        if calls != 0 {
            failures.push(format!("{name}: {calls} allocator calls over {blocks} blocks"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn dtmf_bank_never_allocates_after_warm_up() {
    let x = corpus();
    let mut bank = DtmfBank::<8>::new(DtmfConfig::default());
    let run = |bank: &mut DtmfBank<8>| {
        let mut events = 0u64;
        for t in (0..x.len()).step_by(160) {
            let b = &x[t..(t + 160).min(x.len())];
            bank.process(&[b; 8], &mut |_, _| events += 1);
        }
        events
    };
    run(&mut bank);
    bank.reset();
    let mut events = 0;
    let calls = count(|| events = run(&mut bank));
    assert!(events > 0);
    assert_eq!(calls, 0, "DtmfBank::process allocated");
}
