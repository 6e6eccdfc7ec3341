//! The pipeline gives the same results in lock step on one thread and on its threads (virtual
//! clock) for the same seed: the same events with the same stamps, the same recordings, and the
//! digits each far end played are the digits each channel heard.

mod pipeline_common;

use pipeline_common::{build, by_channel, channels, digits_heard, partner, tones, TICK};
use trunkline_engine::pipeline::{PipelineConfig, PipelineEvent};

const TICKS: u64 = 250;

#[test]
fn lock_step_and_threads_agree_for_the_same_seed() {
    let dir_a = tempfile::tempdir().unwrap();
    let dir_b = tempfile::tempdir().unwrap();
    let seed = 0x5EED;

    // Lock step on this thread.
    let (b, played) = build(seed, PipelineConfig::default(), Some(dir_a.path()));
    let mut ls = b.lock_step();
    let mut ev_a: Vec<PipelineEvent> = Vec::new();
    for _ in 0..TICKS {
        ls.step().unwrap();
        ev_a.extend(ls.control().events().try_iter());
    }
    let rep_a = ls.finish();

    // Threads: one per board, two DSP workers, virtual clock.
    let cfg = PipelineConfig { virtual_clock: true, ..PipelineConfig::default() };
    let (b, played_b) = build(seed, cfg, Some(dir_b.path()));
    assert_eq!(played, played_b);
    let p = b.spawn(Some(TICKS)).unwrap();
    let rx = p.control().events().clone();
    let rep_b = p.join().unwrap();
    let ev_b: Vec<PipelineEvent> = rx.try_iter().collect();

    // Real outcomes: every channel heard exactly what its far end played.
    let a = by_channel(ev_a);
    for c in channels() {
        assert_eq!(digits_heard(&a, c), played[&partner(c)], "channel {c}: {:?}", tones(&a, c.0));
    }
    // Same events, same stamps, same order per channel, in both modes.
    let b = by_channel(ev_b);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (chan, evs) in &a {
        assert_eq!(evs, &b[chan], "channel {chan}");
    }
    // Nothing lost on the way.
    for rep in [&rep_a, &rep_b] {
        let s = &rep.stats;
        assert_eq!(s.board_ticks, vec![TICKS, TICKS]);
        assert_eq!((s.rx_overruns, s.tx_underruns, s.events_dropped, s.rec_dropped), (0, 0, 0, 0), "{s:?}");
        assert_eq!(s.channels, 10);
        assert_eq!(s.worker_ticks.iter().sum::<u64>(), 2 * 2 * TICKS, "two workers on two boards");
        assert_eq!(rep.recordings.len(), 2, "{:?}", rep.recording_errors);
        for r in &rep.recordings {
            assert_eq!(r.duration_ms, TICKS * TICK as u64 / 8);
        }
    }
    // Byte-identical recordings.
    for name in ["ch1.wav", "ch94.wav"] {
        let x = std::fs::read(dir_a.path().join(name)).unwrap();
        let y = std::fs::read(dir_b.path().join(name)).unwrap();
        assert!(x.len() > 2 * 8000, "{name}: {} bytes", x.len());
        assert!(x == y, "{name} differs between the modes");
    }
}
