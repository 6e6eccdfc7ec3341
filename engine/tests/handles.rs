//! Channel handles end to end on the simulated board, in lock step on the virtual clock: the
//! engine's switch (PRI user side on span 1, agents' station lines on span 3) against a network
//! switch (PRI network side on span 2) and phones driven by hand on span 4. Every assertion is
//! about real audio through the board's framers, decoded by the real detectors.

use trunkline_driver::board::{Board, BoardEvent};
use trunkline_driver::ring::RingConfig;
use trunkline_driver::sim::{Faults, SimBoard, SimConfig};
use trunkline_driver::{ChannelNo, SpanNo};
use trunkline_dsp::cpt::tables::CptTone;
use trunkline_dsp::event::{DetectorKind, ToneEvent};
use trunkline_dsp::g711::Law;
use trunkline_dsp::mf::MfKind;
use trunkline_engine::handle::pri::PriLink;
use trunkline_engine::handle::{
    CallState, CollectEnd, CollectSpec, HandleError, HandleEvent, HandleId, OriginateSpec, Prompt,
    RecordSpec, ReleasedBy, StationBits, StationId, SuperviseMode, Switch, TrunkId,
};
use trunkline_engine::media::detectors::DetectorOptions;
use trunkline_engine::media::{MediaId, MediaSet, PlayItem};
use trunkline_engine::model::{CallId, Cause};
use trunkline_engine::signalling::pri::span::{PriConfig, PriSpan};
use trunkline_engine::signalling::pri::{Role, Variant};
use trunkline_engine::signalling::time::Ms as SigMs;

const BITS: StationBits =
    StationBits { idle: 0x0D, offer: 0x05, connected: 0x01, clear: 0x09, offhook: 0x05 };
const ONHOOK: u8 = 0x0D;
const TICK: usize = 160;

struct Rig {
    board: SimBoard,
    /// Engine side: span 1 B-channels and span 3 station lines.
    a: MediaSet,
    /// Far side: span 2 B-channels and span 4 phones.
    b: MediaSet,
    sa: Switch,
    sb: Switch,
    ta: TrunkId,
    tb: TrunkId,
    stations: Vec<StationId>,
    phones: Vec<MediaId>,
    now: u64,
    tones_a: Vec<(MediaId, ToneEvent)>,
    tones_b: Vec<(MediaId, ToneEvent)>,
    board_ev: Vec<BoardEvent>,
    ev_a: Vec<HandleEvent>,
    ev_b: Vec<HandleEvent>,
}

fn open(
    board: &mut SimBoard,
    set: &mut MediaSet,
    chans: impl Iterator<Item = u32>,
) -> Vec<(ChannelNo, MediaId)> {
    chans
        .map(|c| {
            let end = board.open(ChannelNo(c), RingConfig { audio: 2400, ..RingConfig::default() }).unwrap();
            (ChannelNo(c), set.add(ChannelNo(c), end, Law::Alaw))
        })
        .collect()
}

impl Rig {
    fn new(stations: usize) -> Rig {
        let mut cfg = SimConfig::e1_pairs(4);
        cfg.tick_frames = TICK;
        let mut board = SimBoard::new(cfg).unwrap();
        board.start().unwrap();
        let (mut a, mut b) = (MediaSet::new(TICK), MediaSet::new(TICK));
        let bts: Vec<u32> = (1..=31).filter(|&t| t != 16).collect();
        let ours = open(&mut board, &mut a, bts.iter().copied());
        let theirs = open(&mut board, &mut b, bts.iter().map(|t| t + 31));
        let d1 = board.open(ChannelNo(16), RingConfig::default()).unwrap();
        let d2 = board.open(ChannelNo(47), RingConfig::default()).unwrap();
        let lines = open(&mut board, &mut a, (1..=stations as u32).map(|t| 62 + t));
        let phones = open(&mut board, &mut b, (1..=stations as u32).map(|t| 93 + t));
        let mut user = PriSpan::new(PriConfig::new(Role::User, Variant::EuroIsdnE1));
        let mut net = PriSpan::new(PriConfig::new(Role::Network, Variant::EuroIsdnE1));
        user.start(SigMs(0));
        net.start(SigMs(0));
        let opts = DetectorOptions { country: "cn".into() };
        let mut sa = Switch::new(opts.clone());
        let mut sb = Switch::new(opts);
        let bmap =
            |v: &[(ChannelNo, MediaId)]| bts.iter().zip(v).map(|(&t, &(c, m))| (t as u8, c, m)).collect();
        let ta = sa.add_trunk(PriLink::new(user, d1, 1), SpanNo(1), bmap(&ours));
        let tb = sb.add_trunk(PriLink::new(net, d2, 32), SpanNo(2), bmap(&theirs));
        let stations = lines.iter().map(|&(c, m)| sa.add_station(SpanNo(3), c, m, BITS)).collect();
        let phones: Vec<MediaId> = phones.into_iter().map(|p| p.1).collect();
        for &p in &phones {
            b.get_mut(p).unwrap().end().set_tx_cas(ONHOOK);
        }
        let mut rig = Rig {
            board,
            a,
            b,
            sa,
            sb,
            ta,
            tb,
            stations,
            phones,
            now: 0,
            tones_a: Vec::new(),
            tones_b: Vec::new(),
            board_ev: Vec::new(),
            ev_a: Vec::new(),
            ev_b: Vec::new(),
        };
        // Let the D-channel come up.
        rig.run(2000);
        rig.ev_a.clear();
        rig.ev_b.clear();
        rig
    }

    fn step(&mut self) {
        self.sa.poll(self.now, &mut self.a, &self.tones_a, &self.board_ev);
        while let Some(e) = self.sa.next_event() {
            self.ev_a.push(e);
        }
        self.sa.flush(&mut self.a);
        self.sb.poll(self.now, &mut self.b, &self.tones_b, &[]);
        while let Some(e) = self.sb.next_event() {
            self.ev_b.push(e);
        }
        self.sb.flush(&mut self.b);
        self.a.transmit();
        self.b.transmit();
        self.board.tick().unwrap();
        self.board_ev.clear();
        while let Some(e) = self.board.poll_event() {
            self.board_ev.push(e);
        }
        self.tones_a.clear();
        self.tones_b.clear();
        let (ta, tb) = (&mut self.tones_a, &mut self.tones_b);
        self.a.receive(&mut |id, e| ta.push((id, e)), &mut |_| {});
        self.b.receive(&mut |id, e| tb.push((id, e)), &mut |_| {});
        self.now += 20;
    }

    fn run(&mut self, ms: u64) {
        let end = self.now + ms;
        while self.now < end {
            self.step();
        }
    }

    /// Steps until `f` finds something in the engine's (`a`) or the far side's events.
    fn until<T>(
        &mut self,
        limit_ms: u64,
        mut f: impl FnMut(&[HandleEvent], &[HandleEvent]) -> Option<T>,
    ) -> T {
        let end = self.now + limit_ms;
        loop {
            if let Some(t) = f(&self.ev_a, &self.ev_b) {
                return t;
            }
            assert!(
                self.now < end,
                "nothing within {limit_ms} ms; engine {:?}, far {:?}",
                self.ev_a,
                self.ev_b
            );
            self.step();
        }
    }

    /// An answered outbound call: (engine handle, far handle).
    fn call(&mut self, dnis: &str) -> (HandleId, HandleId) {
        let spec = OriginateSpec { dnis: dnis.into(), ani: "4000".into(), channel: None };
        let h = self.sa.originate(self.ta, &spec).unwrap();
        let far = self.until(3000, |_, b| {
            b.iter().find_map(|e| match e {
                HandleEvent::Incoming { h, dnis: d, .. } if d == dnis => Some(*h),
                _ => None,
            })
        });
        self.sb.answer(far).unwrap();
        self.until(3000, |a, _| {
            a.contains(&HandleEvent::State { h, state: CallState::Answered }).then_some(())
        });
        assert_eq!(self.sa.state(h), Some(CallState::Answered));
        (h, far)
    }

    /// Rings station `i` and takes the phone off hook: the engine's handle of the line.
    fn agent(&mut self, i: usize) -> HandleId {
        let h = self.sa.ring(self.stations[i]).unwrap();
        assert_eq!(self.sa.state(h), Some(CallState::Alerting));
        self.run(100);
        let phone = self.b.get_mut(self.phones[i]).unwrap();
        assert_eq!(phone.end().rx_cas(), BITS.offer, "the phone rings");
        phone.end().set_tx_cas(BITS.offhook);
        self.until(1000, |a, _| {
            a.contains(&HandleEvent::State { h, state: CallState::Answered }).then_some(())
        });
        self.run(100);
        assert_eq!(self.b.get_mut(self.phones[i]).unwrap().end().rx_cas(), BITS.connected);
        h
    }

    fn far_media(&self, far: HandleId) -> MediaId {
        self.sb.media(far).unwrap()
    }

    fn tone_events(&mut self, side_a: bool) -> Vec<ToneEvent> {
        let v = if side_a { &mut self.ev_a } else { &mut self.ev_b };
        let out = v
            .iter()
            .filter_map(|e| match e {
                HandleEvent::Tone { tone, .. } => Some(*tone),
                _ => None,
            })
            .collect();
        v.retain(|e| !matches!(e, HandleEvent::Tone { .. }));
        out
    }
}

/// Power of `freq` in `x` in dBm0.
fn dbm0_at(x: &[i16], freq: f32) -> f32 {
    let f: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    trunkline_dsp::level::power_to_dbm0(trunkline_dsp::goertzel::sine_power(
        trunkline_dsp::goertzel::power(&f, freq),
        f.len(),
    ))
}

/// What a channel received over the next `ticks` ticks (one side's media set).
fn capture(rig: &mut Rig, ticks: usize, points: &[(bool, MediaId)]) -> Vec<Vec<i16>> {
    let mut out = vec![Vec::new(); points.len()];
    for _ in 0..ticks {
        rig.step();
        for (o, &(side_a, m)) in out.iter_mut().zip(points) {
            let set = if side_a { &rig.a } else { &rig.b };
            o.extend_from_slice(set.get(m).unwrap().last_rx());
        }
    }
    out
}

/// The delay (in samples, a multiple of a tick up to 3 ticks) at which `late` repeats `early`
/// exactly over a stretch with signal in it.
fn exact_lag(early: &[i16], late: &[i16]) -> Option<usize> {
    (0..=3).map(|k| k * TICK).find(|&lag| {
        let n = early.len() - lag;
        let loud = early[..n].iter().filter(|v| v.unsigned_abs() > 1000).count();
        loud > 1000 && early[..n] == late[lag..lag + n]
    })
}

#[test]
fn originate_answer_bridge_carries_tones_both_ways_within_one_tick() {
    let mut rig = Rig::new(1);
    let (caller, far) = rig.call("5551234");
    let agent = rig.agent(0);
    rig.sa.handle(caller).bridge(agent).unwrap();
    assert_eq!(rig.sa.peer(caller), Some(agent));
    rig.run(60);
    // The far end says 1004 Hz; the agent's phone says 1400 Hz.
    rig.sb.play(far, &Prompt::Tone { hz: 1004.0, dbm0: -10.0, ms: 600 }).unwrap();
    rig.b.get_mut(rig.phones[0]).unwrap().player.push(PlayItem::tone_ms(1400.0, -10.0, 600));
    let (cm, am, fm, pm) =
        (rig.sa.media(caller).unwrap(), rig.sa.media(agent).unwrap(), rig.far_media(far), rig.phones[0]);
    let got = capture(&mut rig, 40, &[(true, cm), (false, pm), (true, am), (false, fm)]);
    let (at_trunk, at_phone, at_line, at_far) = (&got[0], &got[1], &got[2], &got[3]);
    assert!(dbm0_at(&at_phone[1600..3200], 1004.0) > -13.0, "the caller's tone reaches the agent's phone");
    assert!(dbm0_at(&at_far[1600..3200], 1400.0) > -13.0, "the agent's tone reaches the caller");
    // Bit for bit, one tick after it arrived on the other leg (the bridge adds one tick).
    assert_eq!(exact_lag(at_trunk, at_phone), Some(TICK), "caller → agent");
    assert_eq!(exact_lag(at_line, at_far), Some(TICK), "agent → caller");
}

#[test]
fn prompts_and_generated_tones_are_decoded_by_the_far_sides_detectors() {
    let mut rig = Rig::new(0);
    let (h, far) = rig.call("100");
    // A WAV prompt holding DTMF "159".
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prompt.wav");
    let spec = trunkline_engine::record::wav::WavSpec {
        format: trunkline_engine::record::wav::WavFormat::Pcm16,
        channels: 1,
        sample_rate: 8000,
    };
    let mut w = trunkline_engine::record::wav::WavWriter::create(&path, spec).unwrap();
    w.write_interleaved(&trunkline_dsp::gen::dtmf_string("159", -8.0, 0.0, 80, 80)).unwrap();
    w.finish().unwrap();
    let wav = Prompt::wav_file(&path).unwrap();

    let heard = |rig: &mut Rig, kind: DetectorKind, prompt: &Prompt, ms: u64| -> Vec<String> {
        rig.sb.detect(far, &[kind]).unwrap();
        rig.step();
        rig.sa.play(h, prompt).unwrap();
        rig.run(ms);
        rig.sb.detect(far, &[]).unwrap();
        rig.tone_events(false).iter().filter(|t| t.is_on()).map(|t| t.value.as_str().to_string()).collect()
    };
    assert_eq!(heard(&mut rig, DetectorKind::Dtmf, &wav, 800), ["1", "5", "9"], "WAV prompt");
    let dtmf = Prompt::Dtmf { digits: "#7A".into(), dbm0: -10.0, on_ms: 70, off_ms: 70 };
    assert_eq!(heard(&mut rig, DetectorKind::Dtmf, &dtmf, 800), ["#", "7", "A"], "generated DTMF");
    let mf = Prompt::Mf { kind: MfKind::R2Fwd, codes: vec![1, 5, 10], dbm0: -8.0, on_ms: 100, off_ms: 100 };
    assert_eq!(heard(&mut rig, DetectorKind::MfR2Fwd, &mf, 1000), ["1", "5", "10"], "MFC/R2 forward");
    let busy = Prompt::Progress { country: "cn".into(), tone: CptTone::Busy, dbm0: -10.0, ms: 3000 };
    let cpt = heard(&mut rig, DetectorKind::Cpt, &busy, 3400);
    assert!(cpt.iter().any(|v| v == "busy"), "China busy tone heard as busy: {cpt:?}");
    // Everything queued was played.
    assert!(rig.ev_a.iter().filter(|e| **e == HandleEvent::PlayDone { h }).count() >= 4);
    // A single tone at a level: measured on the far side.
    rig.sa.play(h, &Prompt::parse_tone("1004@-10/400").unwrap()).unwrap();
    let fm = rig.far_media(far);
    let got = capture(&mut rig, 15, &[(false, fm)]);
    let l = dbm0_at(&got[0][800..2400], 1004.0);
    assert!((l + 10.0).abs() < 1.0, "1004 Hz at -10 dBm0 arrives at {l:.1} dBm0");
    // Bad prompts are refused with a reason, nothing queued.
    assert!(matches!(
        rig.sa.play(h, &Prompt::Dtmf { digits: "9x".into(), dbm0: -10.0, on_ms: 80, off_ms: 80 }),
        Err(HandleError::Prompt(_))
    ));
    let mono = dir.path().join("not-a-wav.wav");
    std::fs::write(&mono, b"RIFF....WAVEjunk").unwrap();
    assert!(Prompt::wav_file(&mono).is_err());
}

#[test]
fn collect_digits_ends_on_count_terminator_and_timeouts() {
    let mut rig = Rig::new(0);
    let (h, far) = rig.call("200");
    let keys = |rig: &mut Rig, s: &str| {
        rig.sb.play(far, &Prompt::Dtmf { digits: s.into(), dbm0: -9.0, on_ms: 80, off_ms: 120 }).unwrap();
    };
    let digits = |rig: &mut Rig, limit: u64| {
        rig.until(limit, |a, _| {
            a.iter().find_map(|e| match e {
                HandleEvent::Digits { h: x, digits, end } if *x == h => Some((digits.clone(), *end)),
                _ => None,
            })
        })
    };
    let spec = |max, term: &str, first, inter| CollectSpec {
        max_digits: max,
        terminators: term.into(),
        first_digit_timeout_ms: first,
        inter_digit_timeout_ms: inter,
    };

    rig.sa.collect(h, spec(4, "#", 5000, 3000)).unwrap();
    keys(&mut rig, "12345");
    assert_eq!(digits(&mut rig, 3000), ("1234".to_string(), CollectEnd::MaxDigits));
    rig.run(1000);
    rig.ev_a.clear();

    rig.sa.collect(h, spec(10, "#", 5000, 3000)).unwrap();
    keys(&mut rig, "56#");
    assert_eq!(digits(&mut rig, 3000), ("56".to_string(), CollectEnd::Terminator('#')));
    rig.ev_a.clear();

    rig.sa.collect(h, spec(4, "#", 1500, 1000)).unwrap();
    let t0 = rig.now;
    assert_eq!(digits(&mut rig, 3000), (String::new(), CollectEnd::FirstDigitTimeout));
    assert!(rig.now - t0 >= 1500, "not before the first-digit timeout");
    rig.ev_a.clear();

    rig.sa.collect(h, spec(4, "#", 5000, 1000)).unwrap();
    keys(&mut rig, "9");
    assert_eq!(digits(&mut rig, 4000), ("9".to_string(), CollectEnd::InterDigitTimeout));
    // Collecting did not make DTMF tone events appear (DTMF was not enabled for events).
    assert!(rig.tone_events(true).is_empty());
}

#[test]
fn detect_sets_decide_which_events_arrive() {
    let mut rig = Rig::new(0);
    let (h, far) = rig.call("300");
    let burst = |rig: &mut Rig| {
        rig.sb.play(far, &Prompt::Dtmf { digits: "5".into(), dbm0: -9.0, on_ms: 100, off_ms: 200 }).unwrap();
        rig.sb
            .play(far, &Prompt::Progress { country: "cn".into(), tone: CptTone::Busy, dbm0: -10.0, ms: 2500 })
            .unwrap();
        // The burst, then quiet long enough for every detector to report the end of its tone.
        rig.run(4000);
        let t = rig.tone_events(true);
        let mut kinds: Vec<DetectorKind> = t.iter().map(|e| e.detector).collect();
        kinds.sort_by_key(|k| k.to_string());
        kinds.dedup();
        kinds
    };
    rig.sa.detect(h, &[]).unwrap();
    assert_eq!(burst(&mut rig), [], "nothing enabled, nothing reported");
    rig.sa.detect(h, &[DetectorKind::Dtmf]).unwrap();
    assert_eq!(burst(&mut rig), [DetectorKind::Dtmf]);
    rig.sa.detect(h, &[DetectorKind::Cpt]).unwrap();
    assert_eq!(burst(&mut rig), [DetectorKind::Cpt]);
    rig.sa.detect(h, &[DetectorKind::Cpt, DetectorKind::Dtmf]).unwrap();
    assert_eq!(burst(&mut rig), [DetectorKind::Cpt, DetectorKind::Dtmf]);
}

#[test]
fn monitor_whisper_and_barge_reach_the_right_ears() {
    let mut rig = Rig::new(2);
    let (caller, far) = rig.call("400");
    let agent = rig.agent(0);
    let sup = rig.agent(1);
    rig.sa.bridge(caller, agent).unwrap();
    // Everyone talks at once, steadily: caller 700 Hz, agent 1100 Hz, supervisor 1700 Hz.
    rig.sb.play(far, &Prompt::Tone { hz: 700.0, dbm0: -12.0, ms: 0 }).unwrap();
    rig.b.get_mut(rig.phones[0]).unwrap().player.push(PlayItem::tone_ms(1100.0, -12.0, 60_000));
    rig.b.get_mut(rig.phones[1]).unwrap().player.push(PlayItem::tone_ms(1700.0, -12.0, 60_000));
    let (fm, pa, ps) = (rig.far_media(far), rig.phones[0], rig.phones[1]);
    // What the caller, the agent and the supervisor hear: level of each voice in dBm0.
    let ears = |rig: &mut Rig| {
        let got = capture(rig, 10, &[(false, fm), (false, pa), (false, ps)]);
        let lv = |x: &Vec<i16>, f| dbm0_at(&x[320..], f) > -20.0;
        [
            (lv(&got[0], 1100.0), lv(&got[0], 1700.0)),
            (lv(&got[1], 700.0), lv(&got[1], 1700.0)),
            (lv(&got[2], 700.0), lv(&got[2], 1100.0)),
        ]
    };
    rig.run(100);
    // Before: the supervisor hears nobody.
    assert_eq!(ears(&mut rig), [(true, false), (true, false), (false, false)]);
    rig.sa.handle(sup).supervise(agent, SuperviseMode::Monitor).unwrap();
    assert_eq!(
        ears(&mut rig),
        [(true, false), (true, false), (true, true)],
        "monitor: hears both, heard by none"
    );
    rig.sa.supervise(sup, agent, SuperviseMode::Whisper).unwrap();
    assert_eq!(
        ears(&mut rig),
        [(true, false), (true, true), (true, true)],
        "whisper: the agent hears the supervisor"
    );
    rig.sa.supervise(sup, agent, SuperviseMode::Barge).unwrap();
    assert_eq!(ears(&mut rig), [(true, true), (true, true), (true, true)], "barge: three-way");
    // The caller hangs up: the supervision ends with the call.
    rig.sb.hangup(far, Cause::NORMAL);
    rig.until(3000, |a, _| a.contains(&HandleEvent::Unbridged { h: sup, peer: agent }).then_some(()));
    assert!(rig.sa.listening(sup).is_empty());
    assert_eq!(
        rig.sa.supervise(sup, caller, SuperviseMode::Monitor),
        Err(HandleError::Gone(caller, "released"))
    );
    assert_eq!(rig.sa.supervise(sup, sup, SuperviseMode::Monitor), Err(HandleError::SelfJoin(sup)));
}

#[test]
fn releasing_twice_is_harmless() {
    let mut rig = Rig::new(1);
    let (h, far) = rig.call("500");
    rig.sa.hangup(h, Cause::NORMAL);
    assert_eq!(rig.sa.state(h), Some(CallState::Releasing));
    rig.sa.hangup(h, Cause::BUSY);
    rig.handle_released(h);
    rig.sa.handle(h).hangup(Cause::NORMAL);
    rig.run(500);
    let released: Vec<_> =
        rig.ev_a.iter().filter(|e| matches!(e, HandleEvent::Released { h: x, .. } if *x == h)).collect();
    assert_eq!(released, [&HandleEvent::Released { h, cause: Cause::NORMAL, by: ReleasedBy::Local }]);
    assert_eq!(rig.sa.state(h), Some(CallState::Released));
    assert_eq!(rig.sa.play(h, &Prompt::Silence { ms: 10 }), Err(HandleError::Gone(h, "released")));
    // The far end saw one release, with our first cause.
    let far_rel: Vec<_> =
        rig.ev_b.iter().filter(|e| matches!(e, HandleEvent::Released { h: x, .. } if *x == far)).collect();
    assert_eq!(far_rel.len(), 1);
    assert!(matches!(far_rel[0], HandleEvent::Released { cause: Cause::NORMAL, by: ReleasedBy::Remote, .. }));
    assert_eq!(rig.sb.free_channels(rig.tb), 30, "the far end's B-channel is free");
    // A station line too, and a handle that never existed.
    let line = rig.agent(0);
    rig.sa.hangup(line, Cause::NORMAL);
    rig.sa.hangup(line, Cause::NORMAL);
    rig.sa.hangup(HandleId(999_999), Cause::NORMAL);
    rig.run(100);
    assert_eq!(
        rig.ev_a.iter().filter(|e| matches!(e, HandleEvent::Released { h: x, .. } if *x == line)).count(),
        1
    );
    assert_eq!(rig.b.get_mut(rig.phones[0]).unwrap().end().rx_cas(), BITS.clear, "the phone is told");
    // The channel is free again: a new call gets through.
    let (h2, _) = rig.call("501");
    assert_ne!(h2, h);
}

impl Rig {
    fn handle_released(&mut self, h: HandleId) {
        self.until(3000, |a, _| {
            a.iter().any(|e| matches!(e, HandleEvent::Released { h: x, .. } if *x == h)).then_some(())
        });
    }
}

#[test]
fn a_span_alarm_releases_every_call_on_the_span() {
    let mut rig = Rig::new(2);
    let (c1, _) = rig.call("600");
    let (c2, _) = rig.call("601");
    let a1 = rig.agent(0);
    rig.sa.bridge(c1, a1).unwrap();
    rig.run(200);
    rig.ev_a.clear();
    rig.board.set_faults(SpanNo(1), Faults { los: true, ..Faults::default() }).unwrap();
    let alarm = rig.until(4000, |a, _| {
        a.iter().find_map(|e| match e {
            HandleEvent::SpanAlarm { span: SpanNo(1), down: true, released, .. } => Some(*released),
            _ => None,
        })
    });
    assert_eq!(alarm, 2, "both trunk calls released");
    for h in [c1, c2] {
        assert!(rig.ev_a.contains(&HandleEvent::Released {
            h,
            cause: Cause::NETWORK_OUT_OF_ORDER,
            by: ReleasedBy::Span
        }));
        assert_eq!(rig.sa.cause(h), Some(Cause::NETWORK_OUT_OF_ORDER));
    }
    assert!(rig.ev_a.contains(&HandleEvent::Unbridged { h: a1, peer: c1 }), "the agent is told");
    assert_eq!(rig.sa.state(a1), Some(CallState::Answered), "the agent's line (span 3) stays up");
    assert_eq!(rig.sa.free_channels(rig.ta), 0);
    let spec = OriginateSpec { dnis: "602".into(), ani: "4000".into(), channel: None };
    assert_eq!(rig.sa.originate(rig.ta, &spec), Err(HandleError::SpanDown(SpanNo(1))));
    // The agent span's alarm releases the agent's line too (the board may already have taken
    // span 3 down: it slips without span 1's timing).
    rig.board.set_faults(SpanNo(3), Faults { ais: true, ..Faults::default() }).unwrap();
    rig.until(4000, |a, _| {
        a.iter().any(|e| matches!(e, HandleEvent::Released { h, cause: Cause::NETWORK_OUT_OF_ORDER, .. } if *h == a1)).then_some(())
    });
    assert!(matches!(rig.sa.ring(rig.stations[1]), Err(HandleError::SpanDown(SpanNo(3)))));
    assert_eq!(rig.sa.handles().count(), 0, "no handle left on the dead spans");
    // Clearing: the spans come back and calls go through again.
    rig.board.set_faults(SpanNo(1), Faults::default()).unwrap();
    rig.board.set_faults(SpanNo(3), Faults::default()).unwrap();
    let end = rig.now + 30_000;
    while rig.sa.spans_down().count() > 0 {
        assert!(rig.now < end, "still down: {:?}", rig.sa.spans_down().collect::<Vec<_>>());
        rig.step();
    }
    // Layer 2 comes back up.
    rig.run(3000);
    assert!(rig.sa.station_up(rig.stations[1]));
    let (h, _) = rig.call("603");
    assert_eq!(rig.sa.state(h), Some(CallState::Answered));
}

#[test]
fn recording_goes_to_the_writer_in_stereo_or_mono() {
    use trunkline_engine::record::thread::{RecorderConfig, RecorderThread};
    use trunkline_engine::record::wav::{read_wav, WavFormat};
    let dir = tempfile::tempdir().unwrap();
    let (thread, sender) = RecorderThread::spawn(RecorderConfig::default()).unwrap();
    let mut rig = Rig::new(0);
    rig.sa.set_recorder(sender);
    let (h, far) = rig.call("700");
    let (stereo, mono) = (dir.path().join("s.wav"), dir.path().join("m.wav"));
    rig.sa
        .record(h, RecordSpec { key: CallId(1), path: stereo.clone(), format: WavFormat::Alaw, stereo: true })
        .unwrap();
    rig.sb.play(far, &Prompt::Tone { hz: 1004.0, dbm0: -10.0, ms: 1000 }).unwrap();
    rig.sa.play(h, &Prompt::Tone { hz: 1400.0, dbm0: -10.0, ms: 1000 }).unwrap();
    rig.run(1000);
    rig.sa.stop_record(h).unwrap();
    rig.sa
        .record(h, RecordSpec { key: CallId(2), path: mono.clone(), format: WavFormat::Pcm16, stereo: false })
        .unwrap();
    rig.sb.play(far, &Prompt::Tone { hz: 1004.0, dbm0: -10.0, ms: 500 }).unwrap();
    rig.sa.play(h, &Prompt::Tone { hz: 1400.0, dbm0: -10.0, ms: 500 }).unwrap();
    rig.run(500);
    rig.sa.hangup(h, Cause::NORMAL);
    rig.handle_released(h);
    let closed: Vec<_> = rig
        .ev_a
        .iter()
        .filter_map(|e| match e {
            HandleEvent::RecordingClosed { key, .. } => Some(*key),
            _ => None,
        })
        .collect();
    assert_eq!(closed, [CallId(1), CallId(2)]);
    let st = thread.shutdown();
    assert_eq!(st.dropped, 0);
    let s = read_wav(&stereo).unwrap();
    assert_eq!((s.spec.channels, s.duration_ms().abs_diff(1000) <= 40), (2, true), "{:?}", s.spec);
    let (l, r) = (s.channel(0), s.channel(1));
    assert!(
        dbm0_at(&l[1600..6400], 1004.0) > -12.0 && dbm0_at(&l[1600..6400], 1400.0) < -30.0,
        "left: the far end"
    );
    assert!(dbm0_at(&r[1600..6400], 1400.0) > -12.0 && dbm0_at(&r[1600..6400], 1004.0) < -30.0, "right: us");
    let m = read_wav(&mono).unwrap();
    assert_eq!(m.spec.channels, 1);
    let x = m.channel(0);
    assert!(dbm0_at(&x[800..3200], 1004.0) > -12.0 && dbm0_at(&x[800..3200], 1400.0) > -12.0, "mono: both");
}
