//! The T1 CAS machines never panic and keep their outputs well-formed on arbitrary sequences of
//! robbed bits, digits, progress reports, time jumps and commands; and two E&M ends joined by a
//! perfect wire always agree on the outcome of a call whatever the timing of the answer.

use proptest::prelude::*;
use trunkline_engine::model::Cause;
use trunkline_engine::signalling::cas::{
    CasEvent, CasMachine, CasOutput, DigitMode, EmChannel, EmConfig, EmStart, EmState, LoopStartChannel,
    LoopStartConfig, LoopStartRole,
};
use trunkline_engine::signalling::Ms;

#[derive(Debug, Clone)]
enum Input {
    Bits(u8),
    Digit(char),
    Sent,
    Progress(u8),
    Advance(u16),
    Cmd(u8),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => (0u8..=255).prop_map(Input::Bits),
        3 => proptest::sample::select(b"0123456789*#KS".to_vec()).prop_map(|c| Input::Digit(c as char)),
        1 => Just(Input::Sent),
        1 => (0u8..=127).prop_map(Input::Progress),
        3 => (0u16..20_000).prop_map(Input::Advance),
        2 => (0u8..5).prop_map(Input::Cmd),
    ]
}

fn check(m: &mut dyn CasMachine) -> Result<(), TestCaseError> {
    while let Some(o) = m.poll_output() {
        if let CasOutput::Bits(n) = o {
            prop_assert!(n <= 0xF);
        }
    }
    while m.poll_event().is_some() {}
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn cas_machines_never_panic(kind in 0u8..4, inputs in proptest::collection::vec(input(), 0..150)) {
        let mut em = (kind < 2).then(|| {
            let start = if kind == 0 { EmStart::Wink } else { EmStart::Immediate };
            EmChannel::new(EmConfig::new(start, DigitMode::MfR1))
        });
        let mut ls = (kind >= 2).then(|| {
            let role = if kind == 2 { LoopStartRole::Office } else { LoopStartRole::Station };
            LoopStartChannel::new(LoopStartConfig::new(role))
        });
        let mut now = Ms::ZERO;
        for i in inputs {
            if let Input::Cmd(c) = i {
                if let Some(e) = em.as_mut() {
                    let _ = match c {
                        0 => e.originate(now, "5551", "2125550100"),
                        1 => e.accept(now),
                        2 => e.answer(now),
                        3 => e.reject(now, Cause::BUSY),
                        _ => e.hangup(now),
                    };
                }
                if let Some(l) = ls.as_mut() {
                    let _ = match c {
                        0 => l.originate(now, "4567"),
                        1 => l.accept(now),
                        2 => l.answer(now),
                        3 => l.reject(now, Cause::BUSY),
                        _ => l.hangup(now),
                    };
                }
            }
            let m: &mut dyn CasMachine = match (em.as_mut(), ls.as_mut()) {
                (Some(e), _) => e,
                (_, Some(l)) => l,
                _ => unreachable!(),
            };
            match i {
                Input::Bits(n) => m.handle_bits(now, n),
                Input::Digit(d) => m.handle_digit(now, d),
                Input::Sent => m.handle_digits_sent(now),
                Input::Progress(c) => m.handle_progress(now, Cause(c)),
                Input::Advance(d) => {
                    now = now + Ms(u64::from(d));
                    m.handle_timeout(now);
                }
                Input::Cmd(_) => {}
            }
            if let Some(t) = m.poll_timeout() {
                prop_assert!(t.0 <= now.0 + 120_000);
            }
            check(m)?;
        }
    }

    /// Wink start over an ideal wire (bits delivered after `delay`, digits delivered as the
    /// sender emits them): whenever the far end answers, both ends see answer and release
    /// normally, and both end idle.
    #[test]
    fn em_ends_agree(delay in 1u64..40, answer_after in 0u64..5000, b_clears in any::<bool>()) {
        let cfg = EmConfig::new(EmStart::Wink, DigitMode::MfR1);
        let mut a = EmChannel::new(cfg);
        let mut b = EmChannel::new(cfg);
        let mut wire: Vec<(Ms, bool, u8)> = Vec::new(); // (at, to_b, bits)
        let mut ev_a = Vec::new();
        let mut ev_b = Vec::new();
        let mut now = Ms::ZERO;
        a.originate(now, "5551", "").unwrap();
        let mut offered_at = None;
        let mut answered = false;
        let mut cleared = false;
        while now < Ms(20_000) {
            for (to_b, m) in [(true, &mut a as &mut dyn CasMachine), (false, &mut b)] {
                m.handle_timeout(now);
                while let Some(o) = m.poll_output() {
                    match o {
                        CasOutput::Bits(n) => wire.push((now + Ms(delay), to_b, n)),
                        CasOutput::SendDigits(s) => {
                            wire.push((now + Ms(delay), to_b, 0x10));
                            for c in s.chars() {
                                wire.push((now + Ms(delay), to_b, c as u8));
                            }
                        }
                        _ => {}
                    }
                }
            }
            let due: Vec<_> = wire.iter().filter(|w| w.0 <= now).copied().collect();
            wire.retain(|w| w.0 > now);
            for (_, to_b, v) in due {
                let (m, from): (&mut EmChannel, &mut EmChannel) =
                    if to_b { (&mut b, &mut a) } else { (&mut a, &mut b) };
                match v {
                    0..=0xF => m.handle_bits(now, v),
                    0x10 => from.handle_digits_sent(now),
                    c => m.handle_digit(now, c as char),
                }
            }
            while let Some(e) = a.poll_event() { ev_a.push(e); }
            while let Some(e) = b.poll_event() { ev_b.push(e); }
            if b.state() == EmState::InOffered && offered_at.is_none() {
                offered_at = Some(now);
            }
            if let Some(t) = offered_at {
                if !answered && now >= t + Ms(answer_after) {
                    answered = b.answer(now).is_ok();
                }
            }
            if answered && !cleared && a.state() == EmState::OutAnswered {
                cleared = true;
                if b_clears { b.hangup(now).unwrap() } else { a.hangup(now).unwrap() }
            }
            now = now + Ms(5);
        }
        prop_assert!(ev_a.contains(&CasEvent::Answered));
        let normal = CasEvent::Released { cause: Cause::NORMAL };
        prop_assert!(ev_a.contains(&normal), "A: {:?}", ev_a);
        prop_assert!(ev_b.contains(&normal), "B: {:?}", ev_b);
        prop_assert_eq!(a.state(), EmState::Idle);
        prop_assert_eq!(b.state(), EmState::Idle);
    }
}
