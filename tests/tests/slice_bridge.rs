//! A live answer bridged to an agent carries audio both ways through real frames: a tone sent by
//! the caller reaches the agent's phone, and a tone from the agent's phone reaches the caller.

use trunkline_driver::ChannelNo;
use trunkline_dsp::goertzel::power;
use trunkline_engine::linesim::PopulationConfig;
use trunkline_engine::media::PlayItem;
use trunkline_engine::model::AgentState;
use trunkline_engine::slice::{Slice, SliceConfig};

fn only_humans() -> PopulationConfig {
    PopulationConfig {
        human: 1.0,
        machine: 0.0,
        busy: 0.0,
        invalid: 0.0,
        fax: 0.0,
        no_answer: 0.0,
        congestion: 0.0,
        country: "cn".into(),
    }
}

/// Power of `freq` in the last tick received on the far-side channel `chan`.
fn tone_power(s: &mut Slice, chan: ChannelNo, freq: f32) -> f32 {
    let m = s.world_media_mut();
    let id = m.ids().find(|&i| m.get(i).unwrap().chan == chan).unwrap();
    let rx = m.get(id).unwrap().last_rx();
    let x: Vec<f32> = rx.iter().map(|&v| v as f32).collect();
    trunkline_dsp::goertzel::sine_power(power(&x, freq), x.len())
}

#[test]
fn bridged_call_carries_audio_both_ways() {
    let mut s = Slice::new(SliceConfig {
        agents: 1,
        leads: 5,
        inbound_per_hour: 0.0,
        population: only_humans(),
        ..SliceConfig::default()
    })
    .unwrap();
    // Run until the agent is talking to a bridged caller.
    let mut t = 0;
    while s.core.agent_states()[0].2 != AgentState::Talking {
        s.step().unwrap();
        t += 1;
        assert!(t < 3000, "no call was bridged within 60 s");
    }
    let call = s.core.calls_snapshot().into_iter().find(|c| c.state == "bridged").expect("a bridged call");
    // The caller is on span 2 (the network side) at the same position as our B-channel.
    let caller = ChannelNo(call.channel + 31);
    let phone = ChannelNo(94); // span 4 position 1: the agent's phone
    {
        let m = s.world_media_mut();
        for (chan, f) in [(caller, 1004.0), (phone, 1400.0)] {
            let id = m.ids().find(|&i| m.get(i).unwrap().chan == chan).unwrap();
            let p = &mut m.get_mut(id).unwrap().player;
            p.clear();
            p.push(PlayItem::tone_ms(f, -10.0, 400));
        }
    }
    for _ in 0..10 {
        s.step().unwrap();
    }
    // -10 dBm0 is a mean square of about 2.6e7; silence or speech has little at these frequencies.
    let at_phone = tone_power(&mut s, phone, 1004.0);
    let at_caller = tone_power(&mut s, caller, 1400.0);
    let a = trunkline_dsp::level::power_to_dbm0(at_phone);
    let b = trunkline_dsp::level::power_to_dbm0(at_caller);
    assert!(a > -13.0, "caller's 1004 Hz at the agent's phone: {a:.1} dBm0");
    assert!(b > -13.0, "agent's 1400 Hz at the caller: {b:.1} dBm0");
}
