//! Fuzzes the Q.931 decoder, the ladder renderer and Q.931 call control: chunks of the input
//! are delivered as I-frame payloads to an established user-side span with one call in progress.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trunkline_engine::signalling::pri::message::MessageRepr;
use trunkline_engine::signalling::pri::q921::{Q921Config, Q921};
use trunkline_engine::signalling::pri::trace::describe_message;
use trunkline_engine::signalling::pri::{OriginateRequest, PriConfig, PriSpan, Role, Variant};
use trunkline_engine::signalling::Ms;

fn pump(user: &mut PriSpan, net: &mut Q921, now: Ms) {
    for _ in 0..64 {
        let mut moved = false;
        while let Some(f) = user.poll_transmit() {
            net.handle_frame(now, &f);
            moved = true;
        }
        while let Some(f) = net.poll_transmit() {
            user.handle_frame(now, &f);
            moved = true;
        }
        while net.poll_event().is_some() {}
        while user.poll_event().is_some() {}
        if !moved {
            break;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = MessageRepr::parse(data) {
        let _ = MessageRepr::parse(&m.emit());
    }
    let _ = describe_message(data);

    let mut user = PriSpan::new(PriConfig::new(Role::User, Variant::EuroIsdnE1));
    let mut net = Q921::new(Role::Network, Q921Config::default());
    user.start(Ms(0));
    pump(&mut user, &mut net, Ms(0));
    let _ = user.originate(Ms(1), &OriginateRequest::new("8001", "1"));
    pump(&mut user, &mut net, Ms(1));
    let mut now = Ms(2);
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len & 0x7F).min(tail.len());
        let (msg, next) = tail.split_at(n);
        net.send_data(now, msg.to_vec());
        pump(&mut user, &mut net, now);
        if len & 0x80 != 0 {
            now = now + Ms(5000);
            user.handle_timeout(now);
            net.handle_timeout(now);
            pump(&mut user, &mut net, now);
        }
        rest = next;
    }
});
