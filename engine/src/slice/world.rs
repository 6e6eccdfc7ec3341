//! The simulated world beyond the board: the PSTN (the network side of the PRI trunk running
//! the line simulator's scripts, and inbound callers who listen to the IVR, press a choice and
//! wait with a patience time) and the agents' phones on the agent span.

use std::collections::HashMap;

use trunkline_driver::ChannelNo;

use super::trunk::PriLink;
use super::{AGENT_CLEAR, AGENT_OFFER, AGENT_OFFHOOK, AGENT_ONHOOK};
use crate::linesim::agents::{AgentBehaviour, SimAgent};
use crate::linesim::{Action, Behaviour, Population, Script};
use crate::media::{MediaId, MediaSet, PlayItem};
use crate::signalling::pri::call::CallId as PriCall;
use crate::signalling::pri::span::{CallEvent, ChannelPref, OriginateRequest};
use crate::signalling::time::Ms as SigMs;

struct Far {
    b: u8,
    script: Script,
    start: u64,
    next: usize,
    media: MediaId,
}

struct Caller {
    b: u8,
    media: MediaId,
    answered: Option<u64>,
    digit_sent: bool,
    choice: char,
    give_up_at: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PhoneState {
    Idle,
    Ringing { answer_at: Option<u64> },
    Talking { hangup_at: u64 },
}

struct Phone {
    media: MediaId,
    state: PhoneState,
    agent: SimAgent,
    voice: std::sync::Arc<[i16]>,
}

/// Ground truth of outbound attempts, keyed by the number dialled and the attempt's start.
#[derive(Clone, Debug, Default)]
pub struct Truth {
    /// (number, time the call arrived in ms) → behaviour.
    pub calls: Vec<(String, u64, Behaviour)>,
}

/// The far side of the board.
pub struct World {
    /// Network side of the trunk.
    pub trunk: PriLink,
    bmedia: HashMap<u8, MediaId>,
    population: Population,
    attempts: HashMap<String, u32>,
    far: HashMap<PriCall, Far>,
    callers: HashMap<PriCall, Caller>,
    busy_b: std::collections::HashSet<u8>,
    phones: Vec<Phone>,
    /// Inbound arrivals per hour (0 = none).
    pub inbound_per_hour: f64,
    next_arrival: u64,
    rng: u64,
    /// What really happened on each outbound attempt.
    pub truth: Truth,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl World {
    /// The world: `trunk` (network side), its B-channels, the population, the agents' phones
    /// (channel, media) and their behaviour.
    pub fn new(
        trunk: PriLink,
        bchans: Vec<(u8, MediaId)>,
        population: Population,
        phones: Vec<(ChannelNo, MediaId)>,
        behaviour: AgentBehaviour,
        seed: u64,
    ) -> Self {
        let phones = phones
            .into_iter()
            .enumerate()
            .map(|(i, (_, media))| {
                let mut rng = trunkline_dsp::cpt::gen::Rng::new(seed ^ (i as u64 * 7919));
                let voice = trunkline_dsp::cpt::gen::speech(
                    trunkline_dsp::cpt::gen::Lang::Mandarin,
                    &[2, 3, 1, 2, 4, 2, 1, 3, 2, 2],
                    (120.0, 600.0),
                    120.0 + 10.0 * i as f32,
                    -18.0,
                    &mut rng,
                );
                Phone {
                    media,
                    state: PhoneState::Idle,
                    agent: SimAgent::new(behaviour.clone(), seed ^ i as u64),
                    voice: trunkline_dsp::cpt::gen::to_i16(&voice).into(),
                }
            })
            .collect();
        Self {
            trunk,
            bmedia: bchans.into_iter().collect(),
            population,
            attempts: HashMap::new(),
            far: HashMap::new(),
            callers: HashMap::new(),
            busy_b: Default::default(),
            phones,
            inbound_per_hour: 0.0,
            next_arrival: 0,
            rng: seed ^ 0x5EED,
            truth: Truth::default(),
        }
    }

    fn uniform(&mut self) -> f64 {
        self.rng = mix(self.rng);
        ((self.rng >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// One step at `now`.
    pub fn step(&mut self, now: u64, media: &mut MediaSet) {
        self.trunk.input(now);
        while let Some(ev) = self.trunk.event() {
            self.on_event(now, ev, media);
        }
        self.run_scripts(now, media);
        self.run_callers(now, media);
        self.run_phones(now, media);
        self.arrivals(now);
        self.trunk.output();
    }

    fn on_event(&mut self, now: u64, ev: CallEvent, media: &mut MediaSet) {
        match ev {
            CallEvent::Incoming { call, dnis, channel, .. } => {
                let Some(&m) = self.bmedia.get(&channel) else { return };
                let attempt = self.attempts.entry(dnis.clone()).or_default();
                let script = self.population.script(&dnis, *attempt);
                *attempt += 1;
                self.truth.calls.push((dnis, now, script.behaviour));
                let _ = self.trunk.pri.proceeding(SigMs(now), call);
                self.busy_b.insert(channel);
                self.far.insert(call, Far { b: channel, script, start: now, next: 0, media: m });
            }
            CallEvent::Answered { call } => {
                if let Some(c) = self.callers.get_mut(&call) {
                    c.answered = Some(now);
                }
            }
            CallEvent::Released { call, .. } => {
                let gone = self
                    .far
                    .remove(&call)
                    .map(|f| (f.b, f.media))
                    .or(self.callers.remove(&call).map(|c| (c.b, c.media)));
                if let Some((b, m)) = gone {
                    self.busy_b.remove(&b);
                    if let Some(m) = media.get_mut(m) {
                        m.player.clear();
                    }
                }
            }
            _ => {}
        }
    }

    fn run_scripts(&mut self, now: u64, media: &mut MediaSet) {
        let calls: Vec<PriCall> = self.far.keys().copied().collect();
        for pc in calls {
            loop {
                let f = self.far.get_mut(&pc).expect("present");
                let Some((at, action)) = f.script.steps.get(f.next).cloned() else { break };
                if f.start + at > now {
                    break;
                }
                f.next += 1;
                let m = f.media;
                match action {
                    Action::Alert => {
                        let _ = self.trunk.pri.alert(SigMs(now), pc);
                    }
                    Action::Answer => {
                        let _ = self.trunk.pri.answer(SigMs(now), pc);
                    }
                    Action::Play(samples) => {
                        if let Some(mc) = media.get_mut(m) {
                            mc.player.clear();
                            mc.player.push(PlayItem::Clip { samples, pos: 0 });
                        }
                    }
                    Action::Release(cause) => {
                        let _ = self.trunk.pri.release(SigMs(now), pc, crate::model::Cause(cause).into());
                        // The B-channel stays busy until the release completes (Released event).
                        if let Some(mc) = media.get_mut(m) {
                            mc.player.clear();
                        }
                        break;
                    }
                }
            }
        }
    }

    fn arrivals(&mut self, now: u64) {
        if self.inbound_per_hour <= 0.0 {
            return;
        }
        if self.next_arrival == 0 {
            self.next_arrival = now + 1;
        }
        while self.next_arrival <= now {
            let gap = -self.uniform().ln() * 3_600_000.0 / self.inbound_per_hour;
            self.next_arrival += gap.max(1.0) as u64;
            // The network offers the call on the lowest free B-channel (the engine dials from the top).
            let mut free: Vec<u8> = self.bmedia.keys().copied().collect();
            free.sort();
            let Some(b) = free.into_iter().find(|b| !self.busy_b.contains(b)) else { continue };
            let ani = format!("1390{:07}", (self.uniform() * 1e7) as u64);
            let req = OriginateRequest::new("4000", &ani).on(ChannelPref::Exclusive(b));
            if let Ok(pc) = self.trunk.pri.originate(SigMs(now), &req) {
                let choice = if self.uniform() < 0.5 { '1' } else { '2' };
                let patience = (-self.uniform().ln() * 120_000.0) as u64 + 10_000;
                self.busy_b.insert(b);
                self.callers.insert(
                    pc,
                    Caller {
                        b,
                        media: self.bmedia[&b],
                        answered: None,
                        digit_sent: false,
                        choice,
                        give_up_at: now + patience,
                    },
                );
            }
        }
    }

    fn run_callers(&mut self, now: u64, media: &mut MediaSet) {
        let mut gone = Vec::new();
        for (&pc, c) in self.callers.iter_mut() {
            if let (Some(t), false) = (c.answered, c.digit_sent) {
                if now >= t + 2_500 {
                    c.digit_sent = true;
                    if let (Some(m), Some(item)) =
                        (media.get_mut(c.media), PlayItem::dtmf(c.choice, -8.0, 90))
                    {
                        m.player.push(item);
                    }
                }
            }
            if now >= c.give_up_at {
                gone.push(pc);
            }
        }
        for pc in gone {
            let _ = self.trunk.pri.release(SigMs(now), pc, crate::model::Cause::NORMAL.into());
            if let Some(c) = self.callers.get_mut(&pc) {
                c.give_up_at = u64::MAX;
                if let Some(m) = media.get_mut(c.media) {
                    m.player.clear();
                }
            }
        }
    }

    fn run_phones(&mut self, now: u64, media: &mut MediaSet) {
        for p in self.phones.iter_mut() {
            let Some(m) = media.get_mut(p.media) else { continue };
            let bits = m.end().rx_cas();
            p.state = match p.state {
                PhoneState::Idle if bits == AGENT_OFFER => {
                    PhoneState::Ringing { answer_at: p.agent.answer_delay_ms().map(|d| now + d) }
                }
                PhoneState::Ringing { .. } if bits != AGENT_OFFER => PhoneState::Idle,
                PhoneState::Ringing { answer_at: Some(t) } if now >= t => {
                    m.end().set_tx_cas(AGENT_OFFHOOK);
                    m.player.clear();
                    m.player.push(PlayItem::Silence(400 * 8));
                    m.player.push(PlayItem::Clip { samples: p.voice.clone(), pos: 0 });
                    PhoneState::Talking { hangup_at: now + p.agent.talk_ms() }
                }
                // The agent ends the call, or the engine says the caller has gone.
                PhoneState::Talking { hangup_at } if now >= hangup_at || bits == AGENT_CLEAR => {
                    m.end().set_tx_cas(AGENT_ONHOOK);
                    m.player.clear();
                    PhoneState::Idle
                }
                s => s,
            };
        }
    }
}
