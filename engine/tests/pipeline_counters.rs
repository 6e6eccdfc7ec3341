//! Whatever the pipeline cannot keep up with is dropped and counted, never waited for: rx ring
//! overruns and tx ring underruns when a DSP worker stalls, events dropped on a full bus,
//! commands refused by a full queue.

mod pipeline_common;

use pipeline_common::{build, by_channel, channels, TICK};
use trunkline_driver::ChannelNo;
use trunkline_engine::media::PlayItem;
use trunkline_engine::pipeline::{Command, CommandError, PipelineConfig};

#[test]
fn a_stalled_worker_overruns_and_underruns_its_rings_and_says_so() {
    // Rings of 40 ms = 4 ticks; tx prefill 2 ticks.
    let cfg = PipelineConfig { ring_ms: 40, tx_prefill_ticks: 2, ..PipelineConfig::default() };
    let (b, _) = build(1, cfg, None);
    let mut ls = b.lock_step();
    ls.run(50).unwrap();
    let before = ls.control().stats();
    assert_eq!((before.rx_overruns, before.tx_underruns), (0, 0), "{before:?}");
    // Board 0 runs 10 ticks while its workers do nothing.
    for _ in 0..10 {
        ls.step_board(0).unwrap();
    }
    let after = ls.control().stats();
    let on_board0 = 6; // channels 1-3 and 32-34
                       // tx: 2 ticks queued, 10 pulled → 8 ticks of idle per channel.
    assert_eq!(after.tx_underruns, on_board0 * 8 * TICK as u64, "{after:?}");
    // rx: 10 ticks delivered into rings of 4 ticks that held less than one tick.
    let over = after.rx_overruns;
    assert!(over >= on_board0 * 6 * TICK as u64 && over <= on_board0 * 7 * TICK as u64, "{after:?}");
    // The workers catch up on what the rings kept and the board goes on without new losses.
    ls.step_worker(0);
    ls.step_worker(1);
    ls.run(20).unwrap();
    let end = ls.control().stats();
    assert_eq!((end.rx_overruns, end.tx_underruns), (after.rx_overruns, after.tx_underruns));
    assert_eq!(end.board_ticks, vec![80, 70]);
}

#[test]
fn a_full_bus_drops_and_counts_events() {
    // The same run with a roomy bus and with a bus of two: sent + dropped is what was produced.
    let produced = {
        let (b, _) = build(2, PipelineConfig::default(), None);
        let mut ls = b.lock_step();
        ls.run(150).unwrap();
        let s = ls.control().stats();
        assert_eq!(s.events_dropped, 0);
        assert_eq!(ls.control().events().len() as u64, s.events_sent);
        s.events_sent
    };
    assert!(produced > 40, "{produced}");
    let (b, _) = build(2, PipelineConfig { event_bus: 2, ..PipelineConfig::default() }, None);
    let mut ls = b.lock_step();
    ls.run(150).unwrap();
    let s = ls.control().stats();
    assert_eq!((s.events_sent, s.events_dropped), (2, produced - 2));
    let kept = by_channel(ls.control().events().try_iter());
    assert_eq!(kept.values().map(Vec::len).sum::<usize>(), 2);
}

#[test]
fn commands_are_checked_and_a_full_queue_refuses_them() {
    let (b, _) = build(5, PipelineConfig { command_queue: 1, ..PipelineConfig::default() }, None);
    let ls = b.lock_step();
    let ctl = ls.control();
    assert_eq!(
        ctl.command(Command::StopPlay { chan: ChannelNo(16) }),
        Err(CommandError::NoChannel(ChannelNo(16))),
        "the D-channel is not a media channel"
    );
    // Channels of different workers cannot be bridged.
    let (a, z) = (ChannelNo(1), ChannelNo(32));
    assert_ne!(ctl.worker_of(a), ctl.worker_of(z));
    assert_eq!(ctl.command(Command::Bridge { a, b: z }), Err(CommandError::NotTogether(a, z)));
    let item = || PlayItem::Silence(8);
    ctl.command(Command::Play { chan: a, item: item() }).unwrap();
    assert_eq!(ctl.command(Command::Play { chan: ChannelNo(2), item: item() }), Err(CommandError::QueueFull));
    let s = ctl.stats();
    assert_eq!((s.commands_dropped, s.bad_commands), (1, 1));
    assert_eq!(ctl.channels().len(), channels().len());
}
