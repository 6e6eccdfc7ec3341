//! The R2 state machine never panics and always keeps its invariants on arbitrary sequences of
//! CAS nibbles, MF tone on/off events, timer runs and commands.

use proptest::prelude::*;
use trunkline_engine::model::Cause;
use trunkline_engine::signalling::r2::{R2Channel, R2Config, R2Output, R2Variant};
use trunkline_engine::signalling::Ms;

#[derive(Debug, Clone)]
enum Input {
    Bits(u8),
    Tone(Option<u8>),
    Advance(u16),
    Originate,
    Accept,
    Reject(u8),
    Answer,
    Hangup,
    Block,
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => (0u8..=255).prop_map(Input::Bits),
        4 => proptest::option::of(0u8..=20).prop_map(Input::Tone),
        3 => (0u16..20_000).prop_map(Input::Advance),
        1 => Just(Input::Originate),
        1 => Just(Input::Accept),
        1 => (0u8..=127).prop_map(Input::Reject),
        1 => Just(Input::Answer),
        1 => Just(Input::Hangup),
        1 => Just(Input::Block),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn r2_never_panics(variant in 0usize..R2Variant::ALL.len(), glare in any::<bool>(), ani in any::<bool>(),
                       inputs in proptest::collection::vec(input(), 0..200)) {
        let mut cfg = R2Config::new(R2Variant::ALL[variant]);
        cfg.glare_priority = glare;
        cfg.request_ani = ani;
        let mut ch = R2Channel::new(cfg);
        let mut now = Ms::ZERO;
        ch.start(now);
        for i in inputs {
            match i {
                Input::Bits(n) => ch.handle_bits(now, n),
                Input::Tone(t) => ch.handle_tone(now, t),
                Input::Advance(d) => {
                    now = now + Ms(d as u64);
                    ch.handle_timeout(now);
                }
                Input::Originate => { let _ = ch.originate(now, "1234", "5678", 1); }
                Input::Accept => { let _ = ch.accept(now, true); }
                Input::Reject(c) => { let _ = ch.reject(now, Cause(c)); }
                Input::Answer => { let _ = ch.answer(now); }
                Input::Hangup => { let _ = ch.hangup(now); }
                Input::Block => { let _ = ch.block(now); }
            }
            if let Some(t) = ch.poll_timeout() {
                // Timers are never armed in the past of a time we already ran.
                prop_assert!(t.0 + 20_000 >= now.0 || t <= now);
            }
            while let Some(o) = ch.poll_output() {
                match o {
                    R2Output::Cas(n) => prop_assert!(n <= 0xF),
                    R2Output::ToneOn(c) => prop_assert!((1..=15).contains(&c)),
                    R2Output::ToneOff => {}
                }
            }
            while ch.poll_event().is_some() {}
        }
    }
}
