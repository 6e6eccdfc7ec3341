//! The channel-level suite every [`Board`] backend must pass (DESIGN §9, the embedded-hal rule):
//! audio arrives in order, CAS propagates, HDLC frames cross with their FCS, alarms are
//! reported, local loopback works, and the open rules (Busy / NoDevice / Unsupported) hold.
//!
//! A backend plugs in through [`Harness`]: four E1 spans, 1↔2 PRI (bearers + a D-channel on
//! TS16) and 3↔4 CAS (TS16 not openable), channel N of span A wired to the same position of its
//! partner span.

#![allow(dead_code)]

use ringbuf::traits::{Consumer, Producer};
use trunkline_driver::board::{Board, BoardEvent, Maint};
use trunkline_driver::ring::{EngineEnd, RingConfig, MAX_FRAME};
use trunkline_driver::tdm::crc::{fcs16_update, FCS16_GOOD};
use trunkline_driver::{Alarms, ChannelKind, ChannelNo, ErrorKind, SpanNo};

/// How the suite drives one backend.
pub trait Harness {
    /// The backend.
    type B: Board;
    /// Four E1 spans: 1↔2 PRI, 3↔4 CAS, back to back.
    fn make(&self) -> Self::B;
    /// Cuts (true) or restores (false) the receive line of `span`.
    fn cut_line(&self, b: &mut Self::B, span: SpanNo, cut: bool);
    /// Ticks within which an alarm must be raised, and within which it must clear.
    fn alarm_ticks(&self) -> (usize, usize);
}

/// Deterministic octet stream per channel, never an idle octet (0xD5, 0xFF).
pub fn pattern(chan: u32, i: u64) -> u8 {
    let mut z = (chan as u64) << 40 ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z ^= z >> 29;
    z = z.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    match (z >> 32) as u8 {
        0xD5 => 0xD4,
        0xFF => 0xFE,
        o => o,
    }
}

fn is_idle(o: u8) -> bool {
    o == 0xD5 || o == 0xFF
}

fn run<B: Board>(b: &mut B, ticks: usize) {
    for _ in 0..ticks {
        b.tick().unwrap();
    }
}

fn chan_at<B: Board>(b: &B, span: u16, pos: u16) -> ChannelNo {
    b.channels().into_iter().find(|c| c.span == SpanNo(span) && c.pos.0 == pos).expect("channel").no
}

/// Runs every test of the suite.
pub fn suite<H: Harness>(h: &H) {
    audio_arrives_in_order(h);
    cas_propagates(h);
    hdlc_frames_cross_with_fcs(h);
    alarms_reported(h);
    local_loopback(h);
    open_rules(h);
}

/// Every bearer of span 1 to its partner on span 2 and back, 10 s of octets, in order, no
/// loss, latency of a few ticks.
pub fn audio_arrives_in_order<H: Harness>(h: &H) {
    let mut b = h.make();
    let tick = b.tick_frames();
    let chans: Vec<ChannelNo> = b
        .channels()
        .into_iter()
        .filter(|c| c.kind == ChannelKind::Bearer && (c.span == SpanNo(1) || c.span == SpanNo(2)))
        .map(|c| c.no)
        .collect();
    assert_eq!(chans.len(), 60);
    let mut ends: Vec<EngineEnd> = chans
        .iter()
        .map(|&c| b.open(c, RingConfig { audio: 8 * tick, ..RingConfig::default() }).unwrap())
        .collect();
    run(&mut b, 20);
    let mut sink = vec![0u8; 8 * tick];
    for e in ends.iter_mut() {
        e.rx.pop_slice(&mut sink);
    }
    let base: Vec<_> = ends.iter().map(|e| e.stats.snapshot()).collect();
    let peer = |i: usize| (i + 30) % 60;
    let ticks = 10 * 8000 / tick;
    let mut sent = vec![0u64; 60];
    let mut got = vec![0u64; 60];
    let mut first: Vec<Option<usize>> = vec![None; 60];
    let mut buf = vec![0u8; tick];
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
            let n = e.rx.pop_slice(&mut sink);
            let src = peer(i);
            for &o in &sink[..n] {
                if got[i] == 0 && is_idle(o) {
                    continue;
                }
                first[i].get_or_insert(t);
                assert_eq!(o, pattern(chans[src].0, got[i]), "chan {} octet {}", chans[i].0, got[i]);
                got[i] += 1;
            }
        }
    }
    for i in 0..60 {
        assert!(
            first[i].is_some_and(|t| t <= 2),
            "chan {}: stream started at tick {:?}",
            chans[i].0,
            first[i]
        );
        let in_flight = sent[peer(i)] - got[i];
        assert!(in_flight <= 3 * tick as u64, "chan {}: {in_flight} octets in flight", chans[i].0);
        let s = ends[i].stats.snapshot();
        assert_eq!(s.rx_overruns, base[i].rx_overruns, "chan {}: no octet lost to a full ring", chans[i].0);
        assert_eq!(s.tx_underruns, base[i].tx_underruns, "chan {}: no idle inserted", chans[i].0);
    }
}

/// ABCD bits set on span 3 position 7 arrive on span 4 position 7 as an event and in the ring.
pub fn cas_propagates<H: Harness>(h: &H) {
    let mut b = h.make();
    let a = chan_at(&b, 3, 7);
    let z = chan_at(&b, 4, 7);
    let ea = b.open(a, RingConfig::default()).unwrap();
    let ez = b.open(z, RingConfig::default()).unwrap();
    ea.set_tx_cas(0x0D);
    run(&mut b, 20);
    while b.poll_event().is_some() {}
    assert_eq!(ez.rx_cas(), 0x0D);
    for bits in [0x05u8, 0x01, 0x09, 0x0D] {
        ea.set_tx_cas(bits);
        let mut when = None;
        for t in 0..10 {
            b.tick().unwrap();
            while let Some(ev) = b.poll_event() {
                if ev == (BoardEvent::CasChanged { chan: z, abcd: bits }) {
                    when.get_or_insert(t);
                }
            }
        }
        assert!(when.is_some_and(|t| t <= 3), "bits {bits:#x}: {when:?}");
        assert_eq!(ez.rx_cas(), bits);
    }
    // The other direction too.
    ez.set_tx_cas(0x01);
    run(&mut b, 10);
    assert_eq!(ea.rx_cas(), 0x01);
}

/// Frames sent on span 1's D-channel arrive whole on span 2's, each with its 2 FCS octets.
pub fn hdlc_frames_cross_with_fcs<H: Harness>(h: &H) {
    let mut b = h.make();
    let d: Vec<ChannelNo> = [1u16, 2]
        .iter()
        .map(|&s| {
            b.channels().into_iter().find(|c| c.kind == ChannelKind::Dchan && c.span == SpanNo(s)).unwrap().no
        })
        .collect();
    let mut e1 = b.open(d[0], RingConfig::default()).unwrap();
    let mut e2 = b.open(d[1], RingConfig::default()).unwrap();
    run(&mut b, 10);
    let frames: Vec<Vec<u8>> =
        (0..20u8).map(|i| (0..(3 + i as usize * 7)).map(|k| k as u8 ^ 0x7E ^ i).collect()).collect();
    for f in &frames {
        assert!(e1.send_frame(f));
    }
    assert!(e2.send_frame(&[0x02, 0x01, 0x7D, 0x7E]));
    run(&mut b, 400);
    let mut buf = [0u8; MAX_FRAME];
    for f in &frames {
        let n = e2.recv_frame(&mut buf).expect("frame arrives");
        assert_eq!(&buf[..n - 2], &f[..]);
        assert_eq!(fcs16_update(0xFFFF, &buf[..n]), FCS16_GOOD, "FCS octets delivered and valid");
    }
    assert!(e2.recv_frame(&mut buf).is_none());
    let n = e1.recv_frame(&mut buf).expect("the other direction");
    assert_eq!(&buf[..n - 2], &[0x02, 0x01, 0x7D, 0x7E]);
}

/// Cutting span 2's line raises RED on it (reported as an event), restoring clears it.
pub fn alarms_reported<H: Harness>(h: &H) {
    let mut b = h.make();
    let (raise, clear) = h.alarm_ticks();
    run(&mut b, 50);
    while b.poll_event().is_some() {}
    assert_eq!(b.span_status(SpanNo(2)).unwrap().alarms, Alarms::NONE);
    h.cut_line(&mut b, SpanNo(2), true);
    let mut events = Vec::new();
    let mut t = 0;
    while t < raise && !b.span_status(SpanNo(2)).unwrap().alarms.contains(Alarms::RED) {
        b.tick().unwrap();
        events.extend(std::iter::from_fn(|| b.poll_event()));
        t += 1;
    }
    let settle = 2 * 8000 / b.tick_frames();
    run(&mut b, settle); // let the event and the far end's YELLOW through
    events.extend(std::iter::from_fn(|| b.poll_event()));
    assert!(b.span_status(SpanNo(2)).unwrap().alarms.contains(Alarms::RED), "no RED after {raise} ticks");
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::YELLOW), "far end shows YELLOW");
    let red = |e: &BoardEvent| matches!(e, BoardEvent::Alarm { span: SpanNo(2), alarms } if alarms.contains(Alarms::RED));
    assert!(events.iter().any(red), "{events:?}");
    h.cut_line(&mut b, SpanNo(2), false);
    events.clear();
    for _ in 0..clear {
        b.tick().unwrap();
        events.extend(std::iter::from_fn(|| b.poll_event()));
    }
    assert_eq!(b.span_status(SpanNo(2)).unwrap().alarms, Alarms::NONE);
    let last = events.iter().rev().find_map(|e| match e {
        BoardEvent::Alarm { span: SpanNo(2), alarms } => Some(*alarms),
        _ => None,
    });
    assert_eq!(last, Some(Alarms::NONE), "{events:?}");
}

/// In local loopback a span receives what it sends, and shows LOOPBACK.
pub fn local_loopback<H: Harness>(h: &H) {
    let mut b = h.make();
    let tick = b.tick_frames();
    let c = chan_at(&b, 1, 5);
    let mut e = b.open(c, RingConfig { audio: 8 * tick, ..RingConfig::default() }).unwrap();
    b.maint(SpanNo(1), Maint::LocalLoop).unwrap();
    run(&mut b, 40);
    assert!(b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::LOOPBACK));
    let mut sink = vec![0u8; 8 * tick];
    e.rx.pop_slice(&mut sink);
    let sent: Vec<u8> = (0..tick as u64).map(|i| pattern(99, i)).collect();
    e.tx.push_slice(&sent);
    let mut got = Vec::new();
    for _ in 0..4 {
        b.tick().unwrap();
        let n = e.rx.pop_slice(&mut sink);
        got.extend_from_slice(&sink[..n]);
    }
    assert!(got.windows(sent.len()).any(|w| w == &sent[..]), "our own octets come back");
    b.maint(SpanNo(1), Maint::None).unwrap();
    run(&mut b, 40);
    assert!(!b.span_status(SpanNo(1)).unwrap().alarms.contains(Alarms::LOOPBACK));
}

/// One opener per channel (Busy), no such channel (NoDevice), the CAS span's TS16
/// (Unsupported), closing is idempotent.
pub fn open_rules<H: Harness>(h: &H) {
    let mut b = h.make();
    let ch = b.channels();
    assert_eq!(ch.len(), 124);
    assert_eq!(ch[0].no, ChannelNo(1));
    assert_eq!(ch[31].no, ChannelNo(32));
    assert_eq!(ch[31].span, SpanNo(2));
    assert_eq!(ch[15].kind, ChannelKind::Dchan);
    assert_eq!(ch[2 * 31 + 15].kind, ChannelKind::Reserved);
    assert_eq!(ch[2 * 31].kind, ChannelKind::Cas);
    assert_eq!(b.spans().len(), 4);
    assert!(b.open(ChannelNo(1), RingConfig::default()).is_ok());
    assert_eq!(b.open(ChannelNo(1), RingConfig::default()).err().unwrap().kind, ErrorKind::Busy);
    assert_eq!(
        b.open(ChannelNo(2 * 31 + 16), RingConfig::default()).err().unwrap().kind,
        ErrorKind::Unsupported
    );
    assert_eq!(b.open(ChannelNo(999), RingConfig::default()).err().unwrap().kind, ErrorKind::NoDevice);
    assert_eq!(b.span_status(SpanNo(9)).err().unwrap().kind, ErrorKind::NoDevice);
    b.close(ChannelNo(1)).unwrap();
    b.close(ChannelNo(1)).unwrap();
    assert!(b.open(ChannelNo(1), RingConfig::default()).is_ok());
}
