//! The real-time contract of the pipeline: once warm, a board's tick and a DSP worker's tick
//! (rings, detectors, players, bridges, recording, event bus, commands) never call the
//! allocator. A counting `#[global_allocator]` counts per thread, in lock step on this thread
//! and, through the pipeline's real-time hook, inside the I/O and DSP threads.

mod pipeline_common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use pipeline_common::build;
use trunkline_driver::ChannelNo;
use trunkline_engine::media::PlayItem;
use trunkline_engine::pipeline::{Command, PipelineConfig};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

/// Allocator calls made inside real-time sections of the pipeline's threads.
static RT_CALLS: AtomicU64 = AtomicU64::new(0);
/// Real-time sections entered.
static RT_SECTIONS: AtomicU64 = AtomicU64::new(0);

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
fn count<R>(f: impl FnOnce() -> R) -> (u64, R) {
    CALLS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let r = f();
    COUNTING.with(|c| c.set(false));
    (CALLS.with(|n| n.get()), r)
}

/// The pipeline's real-time hook: count while a real-time thread is in its steady state.
fn rt_hook(enter: bool) {
    if enter {
        RT_SECTIONS.fetch_add(1, Ordering::Relaxed);
        CALLS.with(|n| n.set(0));
        COUNTING.with(|c| c.set(true));
    } else {
        COUNTING.with(|c| c.set(false));
        RT_CALLS.fetch_add(CALLS.with(|n| n.get()), Ordering::Relaxed);
    }
}

#[test]
fn lock_step_ticks_never_allocate() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = build(3, PipelineConfig::default(), Some(dir.path()));
    let mut ls = b.lock_step();
    let mut events = 0u64;
    for _ in 0..20 {
        ls.step().unwrap();
        events += ls.control().events().try_iter().count() as u64;
    }
    let mut calls = 0;
    for t in 0..200u64 {
        // Commands come from the core between ticks (building them is the core's business);
        // applying them happens inside the tick.
        match t {
            50 => {
                let item = PlayItem::dtmf('7', -10.0, 80).unwrap();
                ls.control().command(Command::Play { chan: ChannelNo(2), item }).unwrap();
            }
            60 => ls.control().command(Command::Bridge { a: ChannelNo(3), b: ChannelNo(2) }).unwrap(),
            120 => ls.control().command(Command::Unbridge { chan: ChannelNo(3) }).unwrap(),
            130 => ls.control().command(Command::StopPlay { chan: ChannelNo(1) }).unwrap(),
            _ => {}
        }
        let (c, r) = count(|| {
            let r = ls.step();
            let n = ls.control().events().try_iter().count() as u64;
            (r, n)
        });
        r.0.unwrap();
        events += r.1;
        calls += c;
    }
    let rep = ls.finish();
    assert!(events > 20, "the ticks did real work ({events} events)");
    assert_eq!(rep.stats.commands_dropped + rep.stats.bad_commands, 0);
    assert_eq!(rep.recordings.len(), 2);
    assert_eq!(calls, 0, "allocator calls in 200 lock-step ticks");
}

#[test]
fn io_and_dsp_threads_never_allocate() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = PipelineConfig { virtual_clock: true, rt_hook: Some(rt_hook), ..PipelineConfig::default() };
    let (b, _) = build(4, cfg, Some(dir.path()));
    let p = b.spawn(Some(300)).unwrap();
    let rep = p.join().unwrap();
    // Two I/O threads and two workers entered their steady state and left it.
    assert_eq!(RT_SECTIONS.load(Ordering::Relaxed), 4);
    assert!(rep.stats.events_sent > 20);
    assert_eq!(rep.recordings.len(), 2);
    assert_eq!(RT_CALLS.load(Ordering::Relaxed), 0, "allocator calls on the real-time threads");
}
