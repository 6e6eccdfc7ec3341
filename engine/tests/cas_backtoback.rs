//! T1 robbed-bit CAS back to back on two cross-connected simulated T1 spans (D4 and ESF): E&M
//! wink start and immediate start with MF R1 (with ANI) and DTMF digits, loop start office to
//! station and station to office; busy and unallocated in band, no answer, glare, release from
//! either side. Everything — bits, digits, tones — goes through the board and the DSP crate.

use trunkline_dsp::g711::Law;
use trunkline_engine::model::Cause;
use trunkline_engine::signalling::board::{SpanPair, Trunk};
use trunkline_engine::signalling::cas::{
    CasEvent, CasLine, CasMachine, DigitMode, EmChannel, EmConfig, EmStart, EmState, LoopStartChannel,
    LoopStartConfig, LoopStartRole, LoopStartState,
};
use trunkline_engine::signalling::Ms;

type EmPair = SpanPair<CasLine<EmChannel>, CasLine<EmChannel>>;

fn em_pair(trunk: Trunk, start: EmStart, digits: DigitMode, ani: bool) -> EmPair {
    let mut ca = EmConfig::new(start, digits);
    ca.ani = ani;
    let mut cb = ca;
    cb.max_dnis = 4;
    let a = CasLine::new(EmChannel::new(ca), Law::Ulaw, "us");
    let b = CasLine::new(EmChannel::new(cb), Law::Ulaw, "us");
    let mut p = SpanPair::new(trunk, a, b, 5).expect("board");
    p.run_until(Ms(500), |_| false).unwrap();
    p
}

#[derive(Default)]
struct Log {
    a: Vec<(Ms, CasEvent)>,
    b: Vec<(Ms, CasEvent)>,
}

impl Log {
    fn drain<A: CasMachine, B: CasMachine>(&mut self, p: &mut SpanPair<CasLine<A>, CasLine<B>>) {
        while let Some(e) = p.a.poll_event() {
            self.a.push((p.now, e));
        }
        while let Some(e) = p.b.poll_event() {
            self.b.push((p.now, e));
        }
    }
}

fn released(v: &[(Ms, CasEvent)]) -> Option<Cause> {
    v.iter().find_map(|(_, e)| match e {
        CasEvent::Released { cause } => Some(*cause),
        _ => None,
    })
}

fn incoming(v: &[(Ms, CasEvent)]) -> Option<(String, String)> {
    v.iter().find_map(|(_, e)| match e {
        CasEvent::Incoming { ani, dnis, .. } => Some((ani.clone(), dnis.clone())),
        _ => None,
    })
}

fn has(v: &[(Ms, CasEvent)], want: &CasEvent) -> Option<Ms> {
    v.iter().find(|(_, e)| e == want).map(|(t, _)| *t)
}

fn ladder<A: CasMachine, B: CasMachine>(p: &mut SpanPair<CasLine<A>, CasLine<B>>) -> String {
    let mut l: Vec<String> =
        p.a.machine.take_traces().into_iter().map(|(t, s)| format!("{t:>8} A {s}")).collect();
    l.extend(p.b.machine.take_traces().into_iter().map(|(t, s)| format!("{t:>8} B {s}")));
    l.join("\n")
}

/// One E&M call: A calls 5551 (ANI 2125550100 with MF), B answers, `b_clears` picks who hangs
/// up. Returns seize-to-answer time.
fn em_call(trunk: Trunk, start: EmStart, digits: DigitMode, ani: bool, b_clears: bool) -> Ms {
    let mut p = em_pair(trunk, start, digits, ani);
    let mut log = Log::default();
    let t0 = p.now;
    p.a.machine.originate(t0, "5551", "2125550100").unwrap();
    let ok = p
        .run_until(Ms(30_000), |p| {
            log.drain(p);
            if p.b.machine.state() == EmState::InOffered {
                p.b.machine.answer(p.now).unwrap();
            }
            has(&log.a, &CasEvent::Answered).is_some()
        })
        .unwrap();
    let ctx = format!("{trunk:?} {start:?} {digits:?} ani={ani}");
    assert!(ok, "{ctx}: not answered\n{}", ladder(&mut p));
    let want_ani = if ani && digits == DigitMode::MfR1 { "2125550100" } else { "" };
    assert_eq!(incoming(&log.b), Some((want_ani.into(), "5551".into())), "{ctx}");
    assert!(has(&log.a, &CasEvent::Proceeding).is_some(), "{ctx}");
    let setup = has(&log.a, &CasEvent::Answered).unwrap() - t0;
    p.run_until(p.now + Ms(1000), |_| false).unwrap();
    if b_clears {
        p.b.machine.hangup(p.now).unwrap();
    } else {
        p.a.machine.hangup(p.now).unwrap();
    }
    p.run_until(p.now + Ms(3000), |p| {
        log.drain(p);
        false
    })
    .unwrap();
    assert_eq!(released(&log.a), Some(Cause::NORMAL), "{ctx}");
    assert_eq!(released(&log.b), Some(Cause::NORMAL), "{ctx}");
    assert_eq!(p.a.machine.state(), EmState::Idle, "{ctx}");
    assert_eq!(p.b.machine.state(), EmState::Idle, "{ctx}");
    setup
}

#[test]
fn em_wink_and_immediate_complete_calls() {
    for (trunk, start, digits, ani) in [
        (Trunk::T1Esf, EmStart::Wink, DigitMode::MfR1, true),
        (Trunk::T1D4, EmStart::Wink, DigitMode::Dtmf, false),
        (Trunk::T1Esf, EmStart::Immediate, DigitMode::Dtmf, false),
        (Trunk::T1D4, EmStart::Immediate, DigitMode::MfR1, false),
    ] {
        let s1 = em_call(trunk, start, digits, ani, false);
        let s2 = em_call(trunk, start, digits, ani, true);
        assert_eq!(s1, s2);
        println!("T1 E&M {start:?} {digits:?} ani={ani} on {trunk:?}: seize to answer {s1} (virtual)");
    }
}

fn em_rejected(cause: Cause) -> (Option<Cause>, Option<Cause>) {
    let mut p = em_pair(Trunk::T1Esf, EmStart::Wink, DigitMode::MfR1, false);
    let mut log = Log::default();
    p.a.machine.originate(p.now, "5551", "").unwrap();
    p.run_until(Ms(40_000), |p| {
        log.drain(p);
        if p.b.machine.state() == EmState::InOffered {
            p.b.machine.reject(p.now, cause).unwrap();
        }
        released(&log.b).is_some()
    })
    .unwrap();
    assert_eq!(p.a.machine.state(), EmState::Idle, "{}", ladder(&mut p));
    (released(&log.a), released(&log.b))
}

#[test]
fn em_busy_and_unallocated_are_heard_in_band() {
    assert_eq!(em_rejected(Cause::BUSY), (Some(Cause::BUSY), Some(Cause::BUSY)));
    assert_eq!(em_rejected(Cause::UNALLOCATED), (Some(Cause::UNALLOCATED), Some(Cause::UNALLOCATED)));
}

#[test]
fn em_no_answer_and_no_wink() {
    let mut p = em_pair(Trunk::T1Esf, EmStart::Wink, DigitMode::Dtmf, false);
    let mut log = Log::default();
    p.a.machine.originate(p.now, "5551", "").unwrap();
    p.run_until(Ms(70_000), |p| {
        log.drain(p);
        released(&log.a).is_some()
    })
    .unwrap();
    assert_eq!(released(&log.a), Some(Cause::NO_ANSWER));
    p.run_until(p.now + Ms(2000), |p| {
        log.drain(p);
        false
    })
    .unwrap();
    assert_eq!(released(&log.b), Some(Cause::NORMAL_UNSPECIFIED));
    assert_eq!(p.b.machine.state(), EmState::Idle);

    // A far end that never winks: the seizure times out (a line fault, cause 102).
    let mut ca = EmConfig::new(EmStart::Wink, DigitMode::Dtmf);
    ca.wink_wait = Ms(2000);
    let mut cb = EmConfig::new(EmStart::Wink, DigitMode::Dtmf);
    cb.prewink = Ms(60_000);
    let a = CasLine::new(EmChannel::new(ca), Law::Ulaw, "us");
    let b = CasLine::new(EmChannel::new(cb), Law::Ulaw, "us");
    let mut p = SpanPair::new(Trunk::T1D4, a, b, 5).unwrap();
    let mut log = Log::default();
    p.a.machine.originate(Ms::ZERO, "5551", "").unwrap();
    p.run_until(Ms(5000), |p| {
        log.drain(p);
        false
    })
    .unwrap();
    assert_eq!(released(&log.a), Some(Cause::TIMER_EXPIRY));
}

#[test]
fn em_glare_one_side_backs_off_and_takes_the_call() {
    let mut ca = EmConfig::new(EmStart::Wink, DigitMode::MfR1);
    ca.glare_priority = true;
    let cb = EmConfig::new(EmStart::Wink, DigitMode::MfR1);
    let a = CasLine::new(EmChannel::new(ca), Law::Ulaw, "us");
    let b = CasLine::new(EmChannel::new(cb), Law::Ulaw, "us");
    let mut p = SpanPair::new(Trunk::T1Esf, a, b, 5).unwrap();
    p.run_until(Ms(500), |_| false).unwrap();
    let mut log = Log::default();
    p.a.machine.originate(p.now, "4321", "").unwrap();
    p.b.machine.originate(p.now, "1111", "").unwrap();
    let ok = p
        .run_until(Ms(20_000), |p| {
            log.drain(p);
            incoming(&log.b).is_some()
        })
        .unwrap();
    assert!(ok, "{}", ladder(&mut p));
    assert_eq!(released(&log.b), Some(Cause::CHANNEL_UNAVAILABLE));
    assert_eq!(incoming(&log.b).unwrap().1, "4321");
    assert!(released(&log.a).is_none());
}

type LsPair = SpanPair<CasLine<LoopStartChannel>, CasLine<LoopStartChannel>>;

fn ls_pair(trunk: Trunk) -> LsPair {
    let office =
        CasLine::new(LoopStartChannel::new(LoopStartConfig::new(LoopStartRole::Office)), Law::Ulaw, "us");
    let station =
        CasLine::new(LoopStartChannel::new(LoopStartConfig::new(LoopStartRole::Station)), Law::Ulaw, "us");
    let mut p = SpanPair::new(trunk, office, station, 5).unwrap();
    p.run_until(Ms(500), |_| false).unwrap();
    p
}

#[test]
fn loop_start_office_rings_station_answers_office_disconnects() {
    for trunk in [Trunk::T1D4, Trunk::T1Esf] {
        let mut p = ls_pair(trunk);
        let mut log = Log::default();
        p.a.machine.originate(p.now, "").unwrap();
        let ok = p
            .run_until(Ms(20_000), |p| {
                log.drain(p);
                // The station answers during the second ring.
                if p.b.machine.state() == LoopStartState::Rung
                    && log.b.first().is_some_and(|(t, _)| p.now >= *t + Ms(6500))
                {
                    p.b.machine.answer(p.now).unwrap();
                }
                has(&log.a, &CasEvent::Answered).is_some()
            })
            .unwrap();
        assert!(ok, "{trunk:?}\n{}", ladder(&mut p));
        assert!(has(&log.a, &CasEvent::Alerting).is_some());
        assert_eq!(incoming(&log.b), Some((String::new(), String::new())));
        p.a.machine.hangup(p.now).unwrap();
        p.run_until(p.now + Ms(3000), |p| {
            log.drain(p);
            false
        })
        .unwrap();
        assert_eq!(released(&log.a), Some(Cause::NORMAL), "{trunk:?}");
        assert_eq!(released(&log.b), Some(Cause::NORMAL), "{trunk:?}\n{}", ladder(&mut p));
        assert_eq!(p.a.machine.state(), LoopStartState::Idle, "{trunk:?}");
        assert_eq!(p.b.machine.state(), LoopStartState::Idle, "{trunk:?}");
    }
}

#[test]
fn loop_start_station_dials_dtmf_and_hangs_up() {
    let mut p = ls_pair(Trunk::T1Esf);
    let mut log = Log::default();
    p.b.machine.originate(p.now, "4567").unwrap();
    let ok = p
        .run_until(Ms(20_000), |p| {
            log.drain(p);
            if p.a.machine.state() == LoopStartState::Offered {
                p.a.machine.answer(p.now).unwrap();
            }
            incoming(&log.a).is_some() && has(&log.b, &CasEvent::Proceeding).is_some()
        })
        .unwrap();
    assert!(ok, "{}", ladder(&mut p));
    assert_eq!(incoming(&log.a).unwrap().1, "4567");
    assert!(has(&log.b, &CasEvent::Proceeding).is_some());
    p.run_until(p.now + Ms(500), |_| false).unwrap();
    p.b.machine.hangup(p.now).unwrap();
    p.run_until(p.now + Ms(1000), |p| {
        log.drain(p);
        false
    })
    .unwrap();
    assert_eq!(released(&log.a), Some(Cause::NORMAL));
    assert_eq!(released(&log.b), Some(Cause::NORMAL));
}

#[test]
fn loop_start_no_answer_and_busy_in_band() {
    let mut p = ls_pair(Trunk::T1D4);
    let mut log = Log::default();
    p.a.machine.originate(p.now, "").unwrap();
    p.run_until(Ms(75_000), |p| {
        log.drain(p);
        released(&log.a).is_some() && released(&log.b).is_some()
    })
    .unwrap();
    assert_eq!(released(&log.a), Some(Cause::NO_ANSWER));
    assert_eq!(released(&log.b), Some(Cause::NORMAL));

    // Station calls, the office refuses with busy tone; the station hears it and hangs up.
    let mut p = ls_pair(Trunk::T1D4);
    let mut log = Log::default();
    p.b.machine.originate(p.now, "9999").unwrap();
    p.run_until(Ms(30_000), |p| {
        log.drain(p);
        if p.a.machine.state() == LoopStartState::Offered {
            p.a.machine.reject(p.now, Cause::BUSY).unwrap();
        }
        released(&log.a).is_some() && released(&log.b).is_some()
    })
    .unwrap();
    assert_eq!(released(&log.b), Some(Cause::BUSY), "{}", ladder(&mut p));
    assert_eq!(released(&log.a), Some(Cause::BUSY));
}
