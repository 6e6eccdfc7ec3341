//! Fuzzes the MFC/R2 state machine with arbitrary line input: each input byte pair is one step —
//! a received ABCD nibble, an MF tone on/off from the detector, a jump in time, or a call
//! command — on a channel of the variant chosen by the first byte. The tail of the input also
//! goes through an `R2Line` as A-law audio, so the DSP detector path is fuzzed too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trunkline_dsp::g711::Law;
use trunkline_engine::model::Cause;
use trunkline_engine::signalling::r2::{R2Channel, R2Config, R2Line, R2Output, R2Variant};
use trunkline_engine::signalling::Ms;

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else { return };
    let variant = R2Variant::ALL[usize::from(head) % R2Variant::ALL.len()];
    let mut cfg = R2Config::new(variant);
    cfg.glare_priority = head & 0x40 != 0;
    cfg.request_ani = head & 0x80 != 0;
    cfg.max_dnis = 1 + usize::from(head >> 4 & 3) * 3;
    let mut ch = R2Channel::new(cfg);
    let mut now = Ms(0);
    ch.start(now);
    for step in rest.chunks(2) {
        let (op, arg) = (step[0], step.get(1).copied().unwrap_or(0));
        match op % 12 {
            0 | 1 => ch.handle_bits(now, arg),
            2 | 3 => ch.handle_tone(now, Some(arg % 17)),
            4 => ch.handle_tone(now, None),
            5 | 6 => {
                now = now + Ms(u64::from(arg) * 40);
                ch.handle_timeout(now);
            }
            7 => {
                let _ = ch.originate(now, "12345678", "88776655", 1 + arg % 15);
            }
            8 => {
                let _ = ch.accept(now, arg & 1 == 0);
            }
            9 => {
                let _ = ch.reject(now, Cause(arg & 0x7F));
            }
            10 => {
                let _ = ch.answer(now);
            }
            _ => {
                let _ = if arg & 1 == 0 { ch.hangup(now) } else { ch.block(now) };
            }
        }
        if let Some(t) = ch.poll_timeout() {
            assert!(t.0 <= now.0 + 120_000, "timer armed too far ahead");
        }
        while let Some(o) = ch.poll_output() {
            match o {
                R2Output::Cas(n) => assert!(n <= 0xF),
                R2Output::ToneOn(c) => assert!((1..=15).contains(&c)),
                R2Output::ToneOff => {}
            }
        }
        while ch.poll_event().is_some() {}
        let _ = ch.take_traces();
    }

    // The audio path: the input as A-law blocks with CAS nibbles.
    let mut line = R2Line::new(R2Channel::new(R2Config::new(variant)), Law::Alaw);
    line.start(Ms(0));
    let _ = line.chan.originate(Ms(0), "1234", "", 1);
    let mut out = [0u8; 160];
    for (i, block) in rest.chunks(161).enumerate() {
        let t = Ms(i as u64 * 20);
        let nib = block[0] & 0xF;
        line.receive(t, nib, &block[1..]);
        let _ = line.transmit(&mut out);
        while line.chan.poll_event().is_some() {}
        let _ = line.chan.take_traces();
    }
});
