//! The simulated board end to end: frames built, sent, aligned, deinterleaved, delivered.

use ringbuf::traits::{Consumer, Producer};
use trunkline_driver::board::{Board, BoardEvent, Maint};
use trunkline_driver::ring::{EngineEnd, RingConfig, MAX_FRAME};
use trunkline_driver::sim::{Faults, LinkTo, SimBoard, SimConfig, SimSignalling, SimSpanSpec};
use trunkline_driver::{Alarms, ChannelKind, ChannelNo, SpanConfig, SpanNo};

/// Deterministic octet stream per channel.
fn pattern(chan: u32, i: u64) -> u8 {
    let mut z = (chan as u64) << 40 ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z ^= z >> 29;
    z = z.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    // Never the idle octet, so the start of the stream is unambiguous.
    match (z >> 32) as u8 {
        0xD5 => 0xD4,
        o => o,
    }
}

fn pri_pair(tick: usize) -> SimBoard {
    let mut cfg = SimConfig::e1_pairs(2);
    cfg.tick_frames = tick;
    SimBoard::new(cfg).unwrap()
}

fn bearer_chans(b: &SimBoard) -> Vec<ChannelNo> {
    b.channels().into_iter().filter(|c| c.kind == ChannelKind::Bearer).map(|c| c.no).collect()
}

#[test]
fn ten_minutes_of_random_octets_arrive_in_order_with_fixed_latency() {
    let tick = 40;
    let mut b = pri_pair(tick);
    let chans = bearer_chans(&b);
    assert_eq!(chans.len(), 60);
    let mut ends: Vec<EngineEnd> = chans
        .iter()
        .map(|&c| b.open(c, RingConfig { audio: 4 * tick, ..RingConfig::default() }).unwrap())
        .collect();
    // Let both receivers align (idle pattern), then drain what arrived.
    b.run_ticks(20).unwrap();
    let mut sink = vec![0u8; 4 * tick];
    for e in ends.iter_mut() {
        e.rx.pop_slice(&mut sink);
    }
    let base: Vec<_> = ends.iter().map(|e| e.stats.snapshot()).collect();
    // The peer of channel c (span 1 pos p <-> span 2 pos p).
    let peer = |i: usize| (i + 30) % 60;
    let ticks = 10 * 60 * 8000 / tick;
    let mut sent = vec![0u64; 60];
    let mut got = vec![0u64; 60];
    let mut first_seen_tick: Vec<Option<usize>> = vec![None; 60];
    let mut buf = vec![0u8; tick];
    let mut rxbuf = vec![0u8; 4 * tick];
    for t in 0..ticks {
        for (i, e) in ends.iter_mut().enumerate() {
            for (k, o) in buf.iter_mut().enumerate() {
                *o = pattern(chans[i].0, sent[i] + k as u64);
            }
            assert_eq!(e.tx.push_slice(&buf), tick);
            sent[i] += tick as u64;
        }
        b.tick().unwrap();
        for (i, e) in ends.iter_mut().enumerate() {
            let n = e.rx.pop_slice(&mut rxbuf);
            let src = peer(i);
            for &o in &rxbuf[..n] {
                if got[i] == 0 && first_seen_tick[i].is_none() && o == 0xD5 {
                    continue; // idle before the first octet of the stream
                }
                first_seen_tick[i].get_or_insert(t);
                assert_eq!(o, pattern(chans[src].0, got[i]), "chan {} octet {}", chans[i].0, got[i]);
                got[i] += 1;
            }
        }
    }
    for i in 0..60 {
        // Latency: the stream starts in the tick it was sent, and at most one tick of octets
        // is still in flight at the end.
        assert_eq!(first_seen_tick[i], Some(0), "chan {}", chans[i].0);
        let in_flight = sent[peer(i)] - got[i];
        assert!(in_flight <= tick as u64, "chan {}: {in_flight} octets in flight", chans[i].0);
        let s = ends[i].stats.snapshot();
        assert_eq!(s.rx_overruns, base[i].rx_overruns, "no octet lost to a full ring");
        assert_eq!(s.tx_underruns, base[i].tx_underruns, "no idle inserted into the stream");
    }
    for span in [SpanNo(1), SpanNo(2)] {
        let st = b.span_status(span).unwrap();
        assert_eq!(st.alarms, Alarms::NONE, "span {span}");
        assert_eq!(st.counters.crc + st.counters.fas + st.counters.slips, 0);
    }
}

#[test]
fn loss_of_signal_raises_red_after_2_5_s_and_far_end_yellow_then_clears_after_10_s() {
    let mut b = pri_pair(8); // 1 ms ticks
    b.run_ticks(50).unwrap();
    assert_eq!(b.span_status(SpanNo(2)).unwrap().alarms, Alarms::NONE);
    b.set_faults(SpanNo(2), Faults { los: true, ..Faults::default() }).unwrap();
    b.run_ticks(2499).unwrap();
    let a = b.span_status(SpanNo(2)).unwrap().alarms;
    assert!(!a.contains(Alarms::RED) && a.contains(Alarms::LOS) && a.contains(Alarms::LFA), "{a}");
    b.run_ticks(1).unwrap();
    assert!(b.span_status(SpanNo(2)).unwrap().alarms.contains(Alarms::RED));
    // Span 2 sends RAI while it has no frame: span 1 shows YELLOW.
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::YELLOW));
    b.set_faults(SpanNo(2), Faults::default()).unwrap();
    b.run_ticks(9_990).unwrap();
    let a = b.span_status(SpanNo(2)).unwrap().alarms;
    assert!(a.contains(Alarms::RED) && a.contains(Alarms::RECOVER), "{a}");
    b.run_ticks(20).unwrap();
    assert_eq!(b.span_status(SpanNo(2)).unwrap().alarms, Alarms::NONE);
    assert_eq!(b.span_status(SpanNo(1)).unwrap().alarms, Alarms::NONE);
    let alarms: Vec<_> = std::iter::from_fn(|| b.poll_event())
        .filter_map(|e| match e {
            BoardEvent::Alarm { span: SpanNo(2), alarms } => Some(alarms.scan_str(31)),
            _ => None,
        })
        .collect();
    assert!(alarms.contains(&"RED/LFA".to_string()), "{alarms:?}");
    assert_eq!(alarms.last().map(String::as_str), Some("OK"));
}

#[test]
fn ais_is_blue() {
    let mut b = pri_pair(80);
    b.set_faults(SpanNo(1), Faults { ais: true, ..Faults::default() }).unwrap();
    b.run_ticks(260).unwrap();
    let a = b.span_status(SpanNo(1)).unwrap().alarms;
    assert!(a.contains(Alarms::BLUE) && !a.contains(Alarms::RED), "{a}");
}

#[test]
fn crc4_errors_match_injected_errors_and_return_as_e_bits() {
    let mut b = pri_pair(80);
    b.run_ticks(10).unwrap();
    b.set_faults(SpanNo(2), Faults { ber: 2e-6, ..Faults::default() }).unwrap();
    b.run_ticks(100 * 60).unwrap(); // 60 s
    b.set_faults(SpanNo(2), Faults::default()).unwrap();
    b.run_ticks(100).unwrap();
    let (bits, smfs) = b.injected_errors(SpanNo(2)).unwrap();
    assert!(bits > 150, "{bits} bit errors injected");
    let rx = b.span_status(SpanNo(2)).unwrap().counters;
    assert_eq!(rx.crc, smfs, "CRC-4 errors vs errored submultiframes ({bits} bits)");
    // The far end learns of each through the E-bits.
    assert_eq!(b.span_status(SpanNo(1)).unwrap().counters.ebit, rx.crc);
    assert_eq!(b.span_status(SpanNo(2)).unwrap().alarms, Alarms::NONE);
}

#[test]
fn slips_at_the_rate_the_ppm_offset_implies() {
    let mut b = pri_pair(80);
    let chans = bearer_chans(&b);
    let mut e = b.open(chans[30], RingConfig::default()).unwrap();
    b.run_ticks(10).unwrap();
    b.set_faults(SpanNo(2), Faults { slip_ppm: 50.0, ..Faults::default() }).unwrap();
    let mut sink = [0u8; 1600];
    for _ in 0..100 * 60 {
        b.tick().unwrap();
        e.rx.pop_slice(&mut sink);
    }
    // 8000 frames/s × 60 s × 50e-6 = 24 slips.
    assert_eq!(b.span_status(SpanNo(2)).unwrap().counters.slips, 24);
    // A dropped frame per slip: 24 octets fewer than sent.
    assert_eq!(e.stats.snapshot().rx_octets, 60 * 8000 + 10 * 80 - 24);
}

#[test]
fn cas_bits_cross_within_a_multiframe() {
    let mut cfg = SimConfig::e1_pairs(4);
    cfg.tick_frames = 8;
    let mut b = SimBoard::new(cfg).unwrap();
    let chans = b.channels();
    let a = chans.iter().find(|c| c.span == SpanNo(3) && c.pos.0 == 7).unwrap().no;
    let z = chans.iter().find(|c| c.span == SpanNo(4) && c.pos.0 == 7).unwrap().no;
    let ea = b.open(a, RingConfig::default()).unwrap();
    let ez = b.open(z, RingConfig::default()).unwrap();
    ea.set_tx_cas(0x0D);
    b.run_ticks(20).unwrap();
    while b.poll_event().is_some() {}
    assert_eq!(ez.rx_cas(), 0x0D);
    ea.set_tx_cas(0x05);
    let mut when = None;
    for t in 0..8 {
        b.tick().unwrap();
        while let Some(ev) = b.poll_event() {
            if ev == (BoardEvent::CasChanged { chan: z, abcd: 0x05 }) {
                when.get_or_insert(t);
            }
        }
    }
    // One multiframe is 2 ms = 2 ticks of 1 ms; allow the tick in which it was set.
    assert!(when.is_some_and(|t| t <= 2), "{when:?}");
    assert_eq!(ez.rx_cas(), 0x05);
}

#[test]
fn d_channel_frames_cross_with_fcs_and_loss_stops_them() {
    let mut b = pri_pair(8);
    let d1 =
        b.channels().into_iter().find(|c| c.kind == ChannelKind::Dchan && c.span == SpanNo(1)).unwrap().no;
    let d2 =
        b.channels().into_iter().find(|c| c.kind == ChannelKind::Dchan && c.span == SpanNo(2)).unwrap().no;
    let mut e1 = b.open(d1, RingConfig::default()).unwrap();
    let mut e2 = b.open(d2, RingConfig::default()).unwrap();
    b.run_ticks(10).unwrap();
    let frames: Vec<Vec<u8>> =
        (0..20u8).map(|i| (0..(3 + i as usize * 7)).map(|k| k as u8 ^ 0x7E ^ i).collect()).collect();
    for f in &frames {
        assert!(e1.send_frame(f));
    }
    b.run_ticks(200).unwrap();
    let mut buf = [0u8; MAX_FRAME];
    for f in &frames {
        let n = e2.recv_frame(&mut buf).expect("frame arrives");
        assert_eq!(&buf[..n - 2], &f[..]);
    }
    assert!(e2.recv_frame(&mut buf).is_none());
    b.set_faults(SpanNo(2), Faults { dchan_loss: true, ..Faults::default() }).unwrap();
    e1.send_frame(&[1, 2, 3]);
    b.run_ticks(50).unwrap();
    assert!(e2.recv_frame(&mut buf).is_none());
}

#[test]
fn channels_follow_dahdi_numbering_and_open_rules() {
    let mut b = SimBoard::new(SimConfig::e1_pairs(4)).unwrap();
    let ch = b.channels();
    assert_eq!(ch.len(), 124);
    assert_eq!(ch[0].no, ChannelNo(1));
    assert_eq!(ch[31].no, ChannelNo(32));
    assert_eq!(ch[31].span, SpanNo(2));
    assert_eq!(ch[15].kind, ChannelKind::Dchan);
    assert_eq!(ch[2 * 31 + 15].kind, ChannelKind::Reserved);
    let e = b.open(ChannelNo(1), RingConfig::default());
    assert!(e.is_ok());
    assert_eq!(
        b.open(ChannelNo(1), RingConfig::default()).err().unwrap().kind,
        trunkline_driver::ErrorKind::Busy
    );
    assert_eq!(
        b.open(ChannelNo(2 * 31 + 16), RingConfig::default()).err().unwrap().kind,
        trunkline_driver::ErrorKind::Unsupported
    );
    assert_eq!(
        b.open(ChannelNo(999), RingConfig::default()).err().unwrap().kind,
        trunkline_driver::ErrorKind::NoDevice
    );
    b.close(ChannelNo(1)).unwrap();
    b.close(ChannelNo(1)).unwrap();
    assert!(b.open(ChannelNo(1), RingConfig::default()).is_ok());
}

#[test]
fn local_loopback_returns_our_own_audio() {
    let cfg = SimConfig {
        spans: vec![SimSpanSpec { config: SpanConfig::e1_ccs(), signalling: SimSignalling::Clear }],
        links: vec![LinkTo::Open],
        ..SimConfig::default()
    };
    let mut b = SimBoard::new(cfg).unwrap();
    let mut e = b.open(ChannelNo(5), RingConfig::default()).unwrap();
    b.run_ticks(100).unwrap();
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::LOS));
    b.maint(SpanNo(1), Maint::LocalLoop).unwrap();
    b.run_ticks(10).unwrap();
    let mut sink = [0u8; 1600];
    e.rx.pop_slice(&mut sink);
    e.tx.push_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
    b.run_ticks(2).unwrap();
    let n = e.rx.pop_slice(&mut sink);
    assert_eq!(&sink[..8], &[1, 2, 3, 4, 5, 6, 7, 8], "{:?}", &sink[..n.min(16)]);
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::LOOPBACK));
}

fn t1_pair(framing: SpanConfig, signalling: SimSignalling) -> SimBoard {
    let spec = SimSpanSpec { config: framing, signalling };
    SimBoard::new(SimConfig {
        spans: vec![spec.clone(), spec],
        links: vec![LinkTo::Span(SpanNo(2)), LinkTo::Span(SpanNo(1))],
        tick_frames: 40,
        ..SimConfig::default()
    })
    .unwrap()
}

#[test]
fn t1_pri_bearers_arrive_bit_exact_and_d_channel_frames_cross() {
    let mut b = t1_pair(SpanConfig::t1_esf(), SimSignalling::Pri);
    let chans = b.channels();
    assert_eq!(chans.len(), 48);
    assert_eq!(chans[23].kind, ChannelKind::Dchan);
    let a = chans[4].no; // span 1 channel 5
    let z = chans[24 + 4].no;
    let mut ea = b.open(a, RingConfig::default()).unwrap();
    let mut ez = b.open(z, RingConfig::default()).unwrap();
    let mut d1 = b.open(chans[23].no, RingConfig::default()).unwrap();
    let mut d2 = b.open(chans[47].no, RingConfig::default()).unwrap();
    b.run_ticks(100).unwrap(); // ESF alignment takes three superframes
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.is_empty());
    let mut sink = [0u8; 1600];
    ez.rx.pop_slice(&mut sink);
    let mut sent = 0u64;
    let mut got = 0u64;
    for _ in 0..2000 {
        let buf: Vec<u8> = (0..40).map(|i| pattern(7, sent + i)).collect();
        ea.tx.push_slice(&buf);
        sent += 40;
        b.tick().unwrap();
        let n = ez.rx.pop_slice(&mut sink);
        for &o in &sink[..n] {
            if got == 0 && o == 0xFF {
                continue; // µ-law idle before the stream
            }
            assert_eq!(o, pattern(7, got), "octet {got}");
            got += 1;
        }
    }
    assert!(sent - got <= 80, "{} octets in flight", sent - got);
    assert!(d1.send_frame(&[0x02, 0x01, 0x7F, 0x7E, 0x00]));
    b.run_ticks(10).unwrap();
    let mut fb = [0u8; MAX_FRAME];
    let n = d2.recv_frame(&mut fb).expect("frame crosses the T1 D-channel");
    assert_eq!(&fb[..n - 2], &[0x02, 0x01, 0x7F, 0x7E, 0x00]);
    let st = b.span_status(SpanNo(2)).unwrap();
    assert_eq!((st.counters.crc, st.counters.fas), (0, 0));
}

#[test]
fn t1_robbed_bits_cross_esf_and_d4() {
    for cfg in [SpanConfig::t1_esf(), SpanConfig::t1_d4()] {
        let mut b = t1_pair(cfg.clone(), SimSignalling::Cas);
        let a = b.open(ChannelNo(3), RingConfig::default()).unwrap();
        let z = b.open(ChannelNo(24 + 3), RingConfig::default()).unwrap();
        a.set_tx_cas(0b1000);
        b.run_ticks(200).unwrap();
        let want = if cfg.framing == trunkline_driver::Framing::D4 { 0b1010 } else { 0b1000 };
        assert_eq!(z.rx_cas(), want, "{:?}", cfg.framing);
        a.set_tx_cas(0b0000);
        b.run_ticks(10).unwrap();
        assert_eq!(z.rx_cas(), 0, "{:?}", cfg.framing);
        assert!(b.span_status(SpanNo(2)).unwrap().alarms.is_empty());
    }
}

#[test]
fn t1_loss_of_signal_goes_red_and_far_end_yellow() {
    let mut b = t1_pair(SpanConfig::t1_d4(), SimSignalling::Cas);
    b.run_ticks(50).unwrap();
    b.set_faults(SpanNo(1), Faults { los: true, ..Faults::default() }).unwrap();
    b.run_ticks(520).unwrap(); // 2.6 s
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::RED));
    assert!(b.span_status(SpanNo(2)).unwrap().alarms.contains(Alarms::YELLOW));
}

#[test]
fn paced_clock_takes_wall_time_and_virtual_does_not() {
    // 100 ticks of 1 ms at 2x real time cannot finish in less than 50 ms of wall time.
    let mut cfg = SimConfig::e1_pairs(2);
    cfg.clock = trunkline_driver::sim::Clock::Paced { speed: 2.0 };
    let mut b = SimBoard::new(cfg).unwrap();
    let t0 = std::time::Instant::now();
    b.run_ticks(101).unwrap();
    assert!(t0.elapsed() >= std::time::Duration::from_millis(50), "{:?}", t0.elapsed());
    assert_eq!(b.frames_elapsed(), 101 * 8);
}
