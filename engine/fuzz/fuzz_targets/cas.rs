//! Fuzzes the T1 CAS machines (E&M wink/immediate, loop start office/station) with arbitrary
//! robbed-bit nibbles, digits, in-band progress reports, time jumps and call commands.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trunkline_engine::model::Cause;
use trunkline_engine::signalling::cas::{
    CasMachine, CasOutput, DigitMode, EmChannel, EmConfig, EmStart, LoopStartChannel, LoopStartConfig,
    LoopStartRole,
};
use trunkline_engine::signalling::Ms;

const DIGITS: &[u8] = b"0123456789*#ABCDKS";

fn drain(m: &mut dyn CasMachine, now: Ms) {
    if let Some(t) = m.poll_timeout() {
        assert!(t.0 <= now.0 + 120_000, "timer armed too far ahead");
    }
    while let Some(o) = m.poll_output() {
        if let CasOutput::Bits(n) = o {
            assert!(n <= 0xF);
        }
    }
    while m.poll_event().is_some() {}
    let _ = m.take_traces();
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else { return };
    let mut em = None;
    let mut ls = None;
    match head % 4 {
        0 | 1 => {
            let start = if head % 4 == 0 { EmStart::Wink } else { EmStart::Immediate };
            let digits = if head & 0x10 != 0 { DigitMode::MfR1 } else { DigitMode::Dtmf };
            let mut cfg = EmConfig::new(start, digits);
            cfg.ani = head & 0x20 != 0;
            cfg.glare_priority = head & 0x40 != 0;
            em = Some(EmChannel::new(cfg));
        }
        r => {
            let role = if r == 2 { LoopStartRole::Office } else { LoopStartRole::Station };
            ls = Some(LoopStartChannel::new(LoopStartConfig::new(role)));
        }
    }
    let mut now = Ms(0);
    for step in rest.chunks(2) {
        let (op, arg) = (step[0], step.get(1).copied().unwrap_or(0));
        let m: &mut dyn CasMachine = match (em.as_mut(), ls.as_mut()) {
            (Some(e), _) => e,
            (None, Some(l)) => l,
            (None, None) => return,
        };
        match op % 10 {
            0 | 1 | 2 => m.handle_bits(now, arg),
            3 => m.handle_digit(now, char::from(DIGITS[usize::from(arg) % DIGITS.len()])),
            4 => m.handle_digits_sent(now),
            5 => m.handle_progress(now, Cause(arg & 0x7F)),
            6 | 7 => {
                now = now + Ms(u64::from(arg) * 50);
                m.handle_timeout(now);
            }
            _ => {
                if let Some(e) = em.as_mut() {
                    let _ = match arg % 5 {
                        0 => e.originate(now, "5551", "2125550100"),
                        1 => e.accept(now),
                        2 => e.answer(now),
                        3 => e.reject(now, Cause(arg >> 1)),
                        _ => e.hangup(now),
                    };
                }
                if let Some(l) = ls.as_mut() {
                    let _ = match arg % 5 {
                        0 => l.originate(now, "4567"),
                        1 => l.accept(now),
                        2 => l.answer(now),
                        3 => l.reject(now, Cause(arg >> 1)),
                        _ => l.hangup(now),
                    };
                }
            }
        }
        let m: &mut dyn CasMachine = match (em.as_mut(), ls.as_mut()) {
            (Some(e), _) => e,
            (None, Some(l)) => l,
            (None, None) => return,
        };
        drain(m, now);
    }
});
