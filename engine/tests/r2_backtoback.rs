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
