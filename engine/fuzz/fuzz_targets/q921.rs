//! Fuzzes the LAPD decoder, the ladder renderer and the Q.921 state machine: the input is split
//! into frames (first octet = length) fed to an established network-side link.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trunkline_engine::signalling::pri::lapd::LapdRepr;
use trunkline_engine::signalling::pri::q921::{Q921Config, Q921};
use trunkline_engine::signalling::pri::trace::describe_frame;
use trunkline_engine::signalling::pri::Role;
use trunkline_engine::signalling::Ms;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = LapdRepr::parse_bytes(data) {
        let again = r.to_bytes();
        assert_eq!(LapdRepr::parse_bytes(&again).ok(), Some(r));
    }
    let _ = describe_frame(data);

    let mut net = Q921::new(Role::Network, Q921Config::default());
    net.establish(Ms(0));
    while net.poll_transmit().is_some() {}
    net.handle_frame(Ms(1), &[0x00, 0x01, 0x73]); // UA F=1 from the user side
    net.send_data(Ms(1), vec![8, 2, 0, 1, 5]);
    let mut now = Ms(2);
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (frame, next) = tail.split_at(n);
        net.handle_frame(now, frame);
        if len & 1 == 1 {
            now = now + Ms(1500);
            net.handle_timeout(now);
        }
        while net.poll_transmit().is_some() {}
        while net.poll_event().is_some() {}
        rest = next;
    }
});
