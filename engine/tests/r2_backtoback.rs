//! MFC/R2 back to back in virtual time: our stack on both ends of a modelled E1 CAS line, every
//! variant: originate, alert, answer, release from either side; busy; unallocated; no answer;
//! glare; line faults (unexpected clear-forward, seize-ack timeout). Prints set-up times.

use trunkline_engine::model::Cause;
use trunkline_engine::signalling::r2::{R2Channel, R2Config, R2Event, R2Pair, R2State, R2Variant, Side};
use trunkline_engine::signalling::Ms;

fn pair(v: R2Variant, request_ani: bool) -> R2Pair {
    let mut cb = R2Config::new(v);
    cb.request_ani = request_ani;
    R2Pair::new(R2Channel::new(R2Config::new(v)), R2Channel::new(cb))
}

fn incoming(p: &R2Pair) -> Option<(String, String, u8)> {
    p.find(Side::B, |e| matches!(e, R2Event::Incoming { .. })).and_then(|(_, e)| match e {
        R2Event::Incoming { ani, dnis, category } => Some((ani, dnis, category)),
        _ => None,
    })
}

fn released(p: &R2Pair, side: Side) -> Option<Cause> {
    p.find(side, |e| matches!(e, R2Event::Released { .. })).and_then(|(_, e)| match e {
        R2Event::Released { cause } => Some(cause),
        _ => None,
    })
}

fn ladder(p: &R2Pair) -> String {
    p.ladder.iter().map(|(t, s, l)| format!("{t:>8} {s:?} {l}\n")).collect()
}

fn has(p: &R2Pair, side: Side, ev: R2Event) -> bool {
    p.find(side, |e| *e == ev).is_some()
}

/// Sets a call up to Incoming at B; returns the time it took.
fn offer(p: &mut R2Pair, dnis: &str, ani: &str) -> Ms {
    p.a.originate(p.now, dnis, ani, 1).unwrap();
    p.pump();
    let t0 = p.now;
    assert!(p.run_until(Ms(30_000), |ev| ev
        .iter()
        .any(|(_, s, e)| *s == Side::B && matches!(e, R2Event::Incoming { .. }))));
    p.now - t0
}

fn full_call(v: R2Variant, request_ani: bool, b_hangs_up: bool) -> Ms {
    let mut p = pair(v, request_ani);
    let t0 = p.now;
    offer(&mut p, "1234", "5551212");
    let (ani, dnis, cat) = incoming(&p).unwrap();
    assert_eq!(dnis, "1234", "{v:?}");
    assert_eq!(ani, if request_ani { "5551212" } else { "" }, "{v:?}");
    assert_eq!(cat, 1);
    p.b.accept(p.now, true).unwrap();
    p.pump();
    assert!(
        p.run_until(Ms(60_000), |ev| ev.iter().any(|(_, _, e)| *e == R2Event::Alerting)),
        "{v:?}: no alerting\n{}",
        ladder(&p)
    );
    p.settle(p.now + Ms(500));
    assert_eq!(p.b.state(), R2State::InAccepted, "{v:?}");
    p.b.answer(p.now).unwrap();
    p.pump();
    assert!(p.run_until(Ms(90_000), |ev| ev.iter().any(|(_, _, e)| *e == R2Event::Answered)));
    let setup = p.find(Side::A, |e| *e == R2Event::Answered).unwrap().0 - t0;
    assert_eq!(p.a.state(), R2State::OutAnswered);
    p.settle(p.now + Ms(5000));
    if b_hangs_up {
        p.b.hangup(p.now).unwrap();
    } else {
        p.a.hangup(p.now).unwrap();
    }
    p.pump();
    p.settle(p.now + Ms(3000));
    assert_eq!(released(&p, Side::A), Some(Cause::NORMAL), "{v:?}");
    assert_eq!(released(&p, Side::B), Some(Cause::NORMAL), "{v:?}");
    assert_eq!(p.a.state(), R2State::Idle);
    assert_eq!(p.b.state(), R2State::Idle);
    setup
}

#[test]
fn every_variant_completes_calls_both_release_directions() {
    for v in R2Variant::ALL {
        for ani in [true, false] {
            let s1 = full_call(v, ani, false);
            let s2 = full_call(v, ani, true);
            assert_eq!(s1, s2);
            println!(
                "R2 {} ani={ani}: set-up (seize to answer signal, 0 ms answer delay) {} virtual",
                v.name(),
                s1
            );
        }
    }
}

#[test]
fn china_ani_phase_is_explicit() {
    // In CN, A-1 after A-6 asks for ANI digits; the ANI must not be DNIS digits (openr2 bug).
    let mut p = pair(R2Variant::China, true);
    offer(&mut p, "8000", "13912345678");
    let (ani, dnis, _) = incoming(&p).unwrap();
    assert_eq!(dnis, "8000");
    assert_eq!(ani, "1391234567"); // max_ani = 10
}

fn rejected(v: R2Variant, cause: Cause) -> Cause {
    let mut p = pair(v, true);
    offer(&mut p, "1234", "777");
    p.b.reject(p.now, cause).unwrap();
    p.pump();
    p.settle(p.now + Ms(5000));
    assert_eq!(p.a.state(), R2State::Idle);
    assert_eq!(p.b.state(), R2State::Idle);
    assert_eq!(released(&p, Side::B), Some(cause));
    released(&p, Side::A).unwrap()
}

#[test]
fn busy_and_invalid_number_map_to_causes() {
    for v in R2Variant::ALL {
        assert_eq!(rejected(v, Cause::BUSY), Cause::BUSY, "{v:?}");
        let unalloc = rejected(v, Cause::UNALLOCATED);
        // Mexico signals busy and unallocated with the same B-2.
        let want = if v == R2Variant::Mexico { Cause::BUSY } else { Cause::UNALLOCATED };
        assert_eq!(unalloc, want, "{v:?}");
        assert_eq!(rejected(v, Cause::CONGESTION), Cause::NO_CIRCUIT, "{v:?}");
    }
}

#[test]
fn no_answer_times_out_with_cause_19() {
    for v in R2Variant::ALL {
        let mut p = pair(v, false);
        offer(&mut p, "1234", "");
        p.b.accept(p.now, true).unwrap();
        p.pump();
        p.settle(p.now + Ms(70_000));
        assert_eq!(released(&p, Side::A), Some(Cause::NO_ANSWER), "{v:?}");
        assert_eq!(released(&p, Side::B), Some(Cause::NORMAL), "{v:?}");
        assert_eq!(p.a.state(), R2State::Idle);
        assert_eq!(p.b.state(), R2State::Idle);
    }
}

#[test]
fn glare_one_side_yields_and_takes_the_call() {
    for v in R2Variant::ALL {
        let mut ca = R2Config::new(v);
        ca.glare_priority = true;
        let mut p = R2Pair::new(R2Channel::new(ca), R2Channel::new(R2Config::new(v)));
        p.a.originate(Ms::ZERO, "4321", "99", 1).unwrap();
        p.b.originate(Ms::ZERO, "1111", "88", 1).unwrap();
        p.pump();
        assert!(p.run_until(Ms(30_000), |ev| ev
            .iter()
            .any(|(_, s, e)| *s == Side::B && matches!(e, R2Event::Incoming { .. }))));
        assert_eq!(released(&p, Side::B), Some(Cause::CHANNEL_UNAVAILABLE));
        assert_eq!(incoming(&p).unwrap().1, "4321");
        assert!(released(&p, Side::A).is_none());
    }
}

#[test]
fn unexpected_clear_forward_during_register() {
    for v in R2Variant::ALL {
        let mut p = pair(v, true);
        p.a.originate(Ms::ZERO, "1234", "55", 1).unwrap();
        p.pump();
        p.run_until(Ms(30_000), |ev| ev.iter().any(|(_, _, e)| *e == R2Event::Proceeding));
        p.settle(p.now + Ms(100));
        p.a.hangup(p.now).unwrap();
        p.pump();
        p.settle(p.now + Ms(3000));
        assert_eq!(released(&p, Side::B), Some(Cause::NORMAL_UNSPECIFIED), "{v:?}");
        assert_eq!(p.a.state(), R2State::Idle);
        assert_eq!(p.b.state(), R2State::Idle);
        assert!(!has(&p, Side::B, R2Event::Answered));
    }
}

#[test]
fn seize_ack_timeout_is_a_line_fault() {
    let mut p = pair(R2Variant::China, true);
    p.cut = Some(Side::B); // B's acknowledge never arrives
    p.a.originate(Ms::ZERO, "1234", "", 1).unwrap();
    p.pump();
    p.settle(Ms(20_000));
    assert_eq!(released(&p, Side::A), Some(Cause::TIMER_EXPIRY));
    assert_eq!(p.a.state(), R2State::Idle);
    let t = p.find(Side::A, |e| matches!(e, R2Event::Released { .. })).unwrap().0;
    assert_eq!(t, Ms(8000));
}

#[test]
fn silent_forward_register_times_out_backward() {
    // A forward side that seizes and never sends MF: the backward side gives up after the
    // compelled-cycle timer and forces release; the forward side sees idle and clears.
    let mut p = pair(R2Variant::Itu, true);
    p.line.detect_on = Ms(1_000_000); // tones never detected
    p.a.originate(Ms::ZERO, "1234", "", 1).unwrap();
    p.pump();
    p.settle(Ms(20_000));
    assert_eq!(released(&p, Side::B), Some(Cause::TIMER_EXPIRY));
    assert!(released(&p, Side::A).is_some());
    assert_eq!(p.b.state(), R2State::Idle);
}

#[test]
fn remote_blocking() {
    let mut p = pair(R2Variant::Itu, true);
    p.b.block(Ms::ZERO).unwrap();
    p.pump();
    p.settle(Ms(100));
    assert_eq!(p.a.state(), R2State::Blocked);
    assert!(p.a.originate(p.now, "1", "", 1).is_err());
    p.b.unblock(p.now).unwrap();
    p.pump();
    p.settle(p.now + Ms(100));
    assert_eq!(p.a.state(), R2State::Idle);
}

// ---- on the simulated board: E1 TS16 CAS multiframes and MF tones as A-law audio ----------

mod on_board {
    use trunkline_dsp::g711::Law;
    use trunkline_engine::model::Cause;
    use trunkline_engine::signalling::board::{SpanPair, Trunk};
    use trunkline_engine::signalling::r2::{R2Channel, R2Config, R2Event, R2Line, R2State, R2Variant};
    use trunkline_engine::signalling::Ms;

    type Pair = SpanPair<R2Line, R2Line>;

    fn pair(v: R2Variant) -> Pair {
        let mut cb = R2Config::new(v);
        cb.max_dnis = 8;
        let a = R2Line::new(R2Channel::new(R2Config::new(v)), Law::Alaw);
        let b = R2Line::new(R2Channel::new(cb), Law::Alaw);
        let mut p = SpanPair::new(Trunk::E1Cas, a, b, 10).expect("board");
        p.a.start(Ms::ZERO);
        p.b.start(Ms::ZERO);
        // Let the spans align (E1 frame and TS16 multiframe) before the first call.
        p.run_until(Ms(500), |_| false).unwrap();
        p
    }

    #[derive(Default)]
    struct Log {
        a: Vec<(Ms, R2Event)>,
        b: Vec<(Ms, R2Event)>,
    }

    impl Log {
        fn drain(&mut self, p: &mut Pair) {
            while let Some(e) = p.a.chan.poll_event() {
                self.a.push((p.now, e));
            }
            while let Some(e) = p.b.chan.poll_event() {
                self.b.push((p.now, e));
            }
        }
        fn released(v: &[(Ms, R2Event)]) -> Option<Cause> {
            v.iter().find_map(|(_, e)| match e {
                R2Event::Released { cause } => Some(*cause),
                _ => None,
            })
        }
    }

    fn ladder(p: &mut Pair) -> String {
        let mut l: Vec<String> =
            p.a.chan.take_traces().into_iter().map(|(t, s)| format!("{t:>8} A {s}")).collect();
        l.extend(p.b.chan.take_traces().into_iter().map(|(t, s)| format!("{t:>8} B {s}")));
        l.join("\n")
    }

    /// A call with ANI across the board in every variant: the MF signals really are tones on
    /// the timeslot, found by the DSP crate's R2 detectors.
    #[test]
    fn calls_complete_over_e1_cas_with_audio_mf() {
        for v in R2Variant::ALL {
            let mut p = pair(v);
            let mut log = Log::default();
            let t0 = p.now;
            p.a.chan.originate(t0, "12345678", "88776655", 1).unwrap();
            let ok = p
                .run_until(Ms(40_000), |p| {
                    log.drain(p);
                    if p.b.chan.state() == R2State::InOffered {
                        // Refused once the group B signal is on (still InOffered until the
                        // forward side acknowledges it).
                        let _ = p.b.chan.accept(p.now, true);
                    }
                    if p.b.chan.state() == R2State::InAccepted {
                        let _ = p.b.chan.answer(p.now);
                    }
                    log.a.iter().any(|(_, e)| *e == R2Event::Answered)
                })
                .unwrap();
            assert!(ok, "{v:?}: not answered\n{}", ladder(&mut p));
            let inc = log.b.iter().find_map(|(_, e)| match e {
                R2Event::Incoming { ani, dnis, .. } => Some((ani.clone(), dnis.clone())),
                _ => None,
            });
            assert_eq!(inc, Some(("88776655".into(), "12345678".into())), "{v:?}");
            let t = log.a.iter().find(|(_, e)| *e == R2Event::Answered).unwrap().0 - t0;
            println!("R2 {} over E1 CAS with audio MF: seize to answer {t} (virtual)", v.name());
            p.b.chan.hangup(p.now).unwrap(); // clear-back
            p.run_until(p.now + Ms(3000), |p| {
                log.drain(p);
                false
            })
            .unwrap();
            assert_eq!(Log::released(&log.a), Some(Cause::NORMAL), "{v:?}");
            assert_eq!(Log::released(&log.b), Some(Cause::NORMAL), "{v:?}");
            assert_eq!(p.a.chan.state(), R2State::Idle, "{v:?}");
            assert_eq!(p.b.chan.state(), R2State::Idle, "{v:?}");
        }
    }

    #[test]
    fn busy_over_e1_cas() {
        let mut p = pair(R2Variant::China);
        let mut log = Log::default();
        p.a.chan.originate(p.now, "12345678", "", 1).unwrap();
        p.run_until(Ms(40_000), |p| {
            log.drain(p);
            if p.b.chan.state() == R2State::InOffered {
                let _ = p.b.chan.reject(p.now, Cause::BUSY);
            }
            p.a.chan.state() == R2State::Idle && p.b.chan.state() == R2State::Idle && !log.a.is_empty()
        })
        .unwrap();
        log.drain(&mut p);
        assert_eq!(Log::released(&log.a), Some(Cause::BUSY), "{}", ladder(&mut p));
        assert_eq!(Log::released(&log.b), Some(Cause::BUSY));
    }
}
