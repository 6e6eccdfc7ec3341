//! The engine side of the slice: a progressive campaign dialled over a PRI trunk, outcomes
//! classified from signalling and from the audio, live answers bridged to the longest-idle
//! agent, an inbound IVR ("press 1 or 2") into a queue served longest-idle-first, CDRs.
//!
//! Sans-IO: driven by [`Core::step`] with the current time; it talks to the world only through
//! its PRI link (frames), its media set (audio, detectors) and the agents' CAS bits.

use std::collections::{HashMap, VecDeque};

use trunkline_driver::ChannelNo;
use trunkline_dsp::event::{DetectorKind, ToneEvent};

use super::trunk::PriLink;
use super::{AGENT_CLEAR, AGENT_CONNECTED, AGENT_IDLE, AGENT_OFFER, AGENT_OFFHOOK};
use crate::media::detectors::{make_set, DetectorOptions};
use crate::media::{MediaId, MediaSet, PlayItem};
use crate::model::{AgentId, AgentState, CallId, CampaignId, Cause, Cdr, EngineEvent, LeadId, Ms, Outcome};
use crate::signalling::pri::call::CallId as PriCall;
use crate::signalling::pri::span::{CallEvent, ChannelPref, OriginateRequest};
use crate::signalling::time::Ms as SigMs;

/// A number to dial, with its retry state.
#[derive(Clone, Debug, PartialEq)]
pub struct Lead {
    /// The lead.
    pub id: LeadId,
    /// Phone number.
    pub phone: String,
    /// Attempts so far.
    pub attempts: u32,
}

/// Retry policy per outcome (ms until the next attempt; `None` = never again).
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// After busy.
    pub busy_ms: Option<u64>,
    /// After no answer.
    pub no_answer_ms: Option<u64>,
    /// After an answering machine.
    pub machine_ms: Option<u64>,
    /// After congestion or a local failure.
    pub congestion_ms: Option<u64>,
    /// Most attempts per lead.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            busy_ms: Some(10 * 60_000),
            no_answer_ms: Some(60 * 60_000),
            machine_ms: Some(120 * 60_000),
            congestion_ms: Some(5 * 60_000),
            max_attempts: 4,
        }
    }
}

/// How long the engine lets a number ring before giving up.
pub const RING_TIMEOUT_MS: u64 = 30_000;
/// How long a live answer may wait for an agent before it is abandoned.
pub const ABANDON_AFTER_MS: u64 = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leg {
    /// Outbound: SETUP sent, waiting for the far end.
    Dialling,
    /// Outbound: answered, classifying (fax / machine / person).
    Classifying,
    /// Inbound: in the IVR, waiting for a digit.
    Ivr,
    /// Waiting in the queue (or a live outbound answer waiting for an agent).
    Queued,
    /// An agent is being rung for this call.
    Offering(usize),
    /// Talking to an agent.
    Bridged(usize),
    /// Being released (our RELEASE sent, waiting for the far end).
    Releasing,
}

struct Call {
    id: CallId,
    pri: PriCall,
    outbound: bool,
    b: u8,
    media: MediaId,
    lead: Option<Lead>,
    leg: Leg,
    ani: String,
    dnis: String,
    start: u64,
    answer: Option<u64>,
    bridged: Option<u64>,
    outcome: Option<Outcome>,
    evidence: Vec<String>,
    deadline: Option<u64>,
    agent: Option<AgentId>,
    queued_at: Option<u64>,
    choice: Option<char>,
}

struct Agent {
    id: AgentId,
    name: String,
    /// The agent's line on the board.
    chan: ChannelNo,
    media: MediaId,
    state: AgentState,
    since: u64,
    calls: u64,
    call: Option<PriCall>,
    wrap_until: Option<u64>,
    offhook: bool,
}

/// Counters of the slice.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct CoreStats {
    /// Outbound attempts made.
    pub attempts: u64,
    /// Outcomes of finished outbound attempts.
    pub outcomes: std::collections::BTreeMap<String, u64>,
    /// Live answers bridged to an agent.
    pub bridged: u64,
    /// Live answers abandoned (no agent within 2 s).
    pub abandoned: u64,
    /// Inbound calls received.
    pub inbound: u64,
    /// Inbound calls answered by an agent.
    pub inbound_answered: u64,
    /// Inbound callers who hung up before an agent took them.
    pub inbound_abandoned: u64,
}

/// The engine side of the slice.
pub struct Core {
    /// The trunk.
    pub trunk: PriLink,
    bmedia: HashMap<u8, MediaId>,
    agents: Vec<Agent>,
    calls: HashMap<PriCall, Call>,
    leads: VecDeque<Lead>,
    retries: Vec<(u64, Lead)>,
    policy: RetryPolicy,
    campaign: CampaignId,
    /// Finished calls, oldest first (taken by the runner for storage).
    pub cdrs: Vec<Cdr>,
    /// Events for the API's stream (taken by the runner).
    pub events: Vec<EngineEvent>,
    /// Counters.
    pub stats: CoreStats,
    next_call: u64,
    opts: DetectorOptions,
    prompt: std::sync::Arc<[i16]>,
    busy_b: Vec<u8>,
    /// Stop dialling and taking calls (draining for shutdown).
    pub draining: bool,
    /// The campaign is paused (no new attempts; calls up continue).
    pub paused: bool,
}

impl Core {
    /// A core on `trunk` whose B-channels are `bchans` (B number → media), with agents on
    /// `agents` (channel, media).
    pub fn new(
        trunk: PriLink,
        bchans: Vec<(u8, MediaId)>,
        agents: Vec<(ChannelNo, MediaId)>,
        leads: Vec<Lead>,
        opts: DetectorOptions,
        first_call_id: u64,
    ) -> Self {
        let mut rng = trunkline_dsp::cpt::gen::Rng::new(0x1F0);
        let prompt = trunkline_dsp::cpt::gen::speech(
            trunkline_dsp::cpt::gen::Lang::English,
            &[2, 1, 3, 1, 2, 1, 2],
            (80.0, 200.0),
            180.0,
            -16.0,
            &mut rng,
        );
        Self {
            trunk,
            bmedia: bchans.into_iter().collect(),
            agents: agents
                .into_iter()
                .enumerate()
                .map(|(i, (chan, media))| Agent {
                    id: AgentId(i as u64 + 1),
                    name: format!("agent{:02}", i + 1),
                    chan,
                    media,
                    state: AgentState::Ready,
                    since: 0,
                    calls: 0,
                    call: None,
                    wrap_until: None,
                    offhook: false,
                })
                .collect(),
            calls: HashMap::new(),
            leads: leads.into(),
            retries: Vec::new(),
            policy: RetryPolicy::default(),
            campaign: CampaignId(1),
            cdrs: Vec::new(),
            events: Vec::new(),
            stats: CoreStats::default(),
            next_call: first_call_id,
            opts,
            prompt: trunkline_dsp::cpt::gen::to_i16(&prompt).into(),
            busy_b: Vec::new(),
            draining: false,
            paused: false,
        }
    }

    /// Calls up now.
    pub fn active_calls(&self) -> usize {
        self.calls.len()
    }

    /// Calls up now, for the API.
    pub fn calls_snapshot(&self) -> Vec<crate::model::CallSnapshot> {
        let mut v: Vec<_> = self
            .calls
            .values()
            .map(|c| crate::model::CallSnapshot {
                call: c.id,
                direction: if c.outbound { "outbound" } else { "inbound" }.into(),
                channel: self.trunk.chan(c.b).0,
                state: match c.leg {
                    Leg::Dialling => "dialling",
                    Leg::Classifying => "classifying",
                    Leg::Ivr => "ivr",
                    Leg::Queued => "queued",
                    Leg::Offering(_) => "offering",
                    Leg::Bridged(_) => "bridged",
                    Leg::Releasing => "releasing",
                }
                .into(),
                ani: c.ani.clone(),
                dnis: c.dnis.clone(),
                agent: c.agent,
                since_ms: c.start,
            })
            .collect();
        v.sort_by_key(|c| c.call);
        v
    }

    /// Agents, for the API.
    pub fn agents_snapshot(&self) -> Vec<crate::model::AgentSnapshot> {
        self.agents
            .iter()
            .map(|a| crate::model::AgentSnapshot {
                agent: a.id,
                name: a.name.clone(),
                channel: Some(a.chan.0),
                state: a.state,
                since_ms: a.since,
                call: a.call.and_then(|pc| self.calls.get(&pc)).map(|c| c.id),
                calls: a.calls,
            })
            .collect()
    }

    /// Stops dialling and taking calls, and releases every call up (cause 16).
    pub fn drain(&mut self, now: u64) {
        self.draining = true;
        let all: Vec<PriCall> = self.calls.keys().copied().collect();
        for pc in all {
            self.release(now, pc, Cause::NORMAL);
        }
        self.trunk.output();
    }

    /// Hangs up a call by its id (supervisor action).
    pub fn hangup(&mut self, now: u64, call: u64) -> Result<serde_json::Value, String> {
        let pc =
            self.calls.values().find(|c| c.id.0 == call).map(|c| c.pri).ok_or(format!("no call {call}"))?;
        self.release(now, pc, Cause::NORMAL);
        self.trunk.output();
        Ok(serde_json::json!({"call": call, "state": "releasing"}))
    }

    /// Sets an agent ready or not ready (with a reason code). An agent on a call or in wrap-up
    /// takes the new state when it ends.
    pub fn set_ready(
        &mut self,
        now: u64,
        agent: u64,
        ready: bool,
        reason: Option<String>,
    ) -> Result<serde_json::Value, String> {
        let i = self.agents.iter().position(|a| a.id.0 == agent).ok_or(format!("no agent {agent}"))?;
        match (self.agents[i].state, ready) {
            (AgentState::Ready, false) | (AgentState::NotReady, true) | (AgentState::Break, true) => {
                let a = &self.agents[i];
                let (id, state) = (a.id, if ready { AgentState::Ready } else { AgentState::NotReady });
                self.agents[i].state = state;
                self.agents[i].since = now;
                self.events.push(EngineEvent::AgentState { at: Ms(now), agent: id, state, reason });
                Ok(serde_json::json!({"agent": agent, "state": state}))
            }
            (s, _) => Err(format!("agent {agent} is {s:?}: change it when the call or wrap-up ends")),
        }
    }

    /// Leads still to dial (now or on retry).
    pub fn leads_left(&self) -> usize {
        self.leads.len() + self.retries.len()
    }

    /// Agents' states.
    pub fn agent_states(&self) -> Vec<(AgentId, String, AgentState, u64)> {
        self.agents.iter().map(|a| (a.id, a.name.clone(), a.state, a.calls)).collect()
    }

    fn set_agent(&mut self, i: usize, state: AgentState, now: u64) {
        let a = &mut self.agents[i];
        if a.state != state {
            a.state = state;
            a.since = now;
            self.events.push(EngineEvent::AgentState { at: Ms(now), agent: a.id, state, reason: None });
        }
    }

    fn longest_idle(&self) -> Option<usize> {
        self.agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.state == AgentState::Ready && !a.offhook)
            .min_by_key(|(_, a)| (a.since, a.id))
            .map(|(i, _)| i)
    }

    /// One step at `now`: signalling in, decisions, signalling out.
    pub fn step(&mut self, now: u64, media: &mut MediaSet, tones: &[(MediaId, ToneEvent)]) {
        self.trunk.input(now);
        while let Some(ev) = self.trunk.event() {
            self.on_call_event(now, ev, media);
        }
        for (id, ev) in tones {
            self.on_tone(now, *id, ev, media);
        }
        self.agents_step(now, media);
        self.timers(now, media);
        self.dial(now, media);
        self.trunk.output();
    }

    fn call_by_media(&self, id: MediaId) -> Option<PriCall> {
        self.calls.values().find(|c| c.media == id).map(|c| c.pri)
    }

    fn on_call_event(&mut self, now: u64, ev: CallEvent, media: &mut MediaSet) {
        match ev {
            CallEvent::Incoming { call, ani, dnis, channel, .. } => {
                let Some(&m) = self.bmedia.get(&channel) else {
                    let _ = self.trunk.pri.release(SigMs(now), call, Cause::CHANNEL_UNAVAILABLE.into());
                    return;
                };
                if self.draining {
                    let _ = self.trunk.pri.release(SigMs(now), call, Cause::TEMPORARY_FAILURE.into());
                    return;
                }
                self.stats.inbound += 1;
                let id = self.new_call_id();
                self.events.push(EngineEvent::CallStarted {
                    at: Ms(now),
                    call: id,
                    direction: "inbound".into(),
                    channel: self.trunk.chan(channel).0,
                    ani: ani.clone(),
                    dnis: dnis.clone(),
                });
                let _ = self.trunk.pri.answer(SigMs(now), call);
                media.set_detectors(m, make_set(&[DetectorKind::Dtmf], &self.opts));
                if let Some(mc) = media.get_mut(m) {
                    mc.player.clear();
                    mc.player.push(PlayItem::Clip { samples: self.prompt.clone(), pos: 0 });
                }
                self.calls.insert(
                    call,
                    Call {
                        id,
                        pri: call,
                        outbound: false,
                        b: channel,
                        media: m,
                        lead: None,
                        leg: Leg::Ivr,
                        ani,
                        dnis,
                        start: now,
                        answer: Some(now),
                        bridged: None,
                        outcome: None,
                        evidence: Vec::new(),
                        deadline: Some(now + 10_000),
                        agent: None,
                        queued_at: None,
                        choice: None,
                    },
                );
            }
            CallEvent::Proceeding { call, channel: Some(b) } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.b = b;
                }
            }
            CallEvent::Alerting { call, .. } | CallEvent::Progress { call, .. } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.evidence.push(format!("{:.1}s alerting", (now - c.start) as f64 / 1000.0));
                }
            }
            CallEvent::Answered { call } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.answer = Some(now);
                    c.leg = Leg::Classifying;
                    c.deadline = Some(now + 6_000);
                    c.evidence.push("answered".into());
                    media.set_detectors(
                        c.media,
                        make_set(&[DetectorKind::Fax, DetectorKind::Amd, DetectorKind::Beep], &self.opts),
                    );
                    self.events.push(EngineEvent::CallState {
                        at: Ms(now),
                        call: c.id,
                        state: "answered".into(),
                    });
                }
            }
            CallEvent::Released { call, cause } => {
                let cause: Cause = cause.into();
                self.finish(now, call, cause, media, false);
            }
            CallEvent::LinkDown { cause } => {
                let cause: Cause = cause.into();
                let all: Vec<PriCall> = self.calls.keys().copied().collect();
                for c in all {
                    self.finish(now, c, cause, media, false);
                }
            }
            _ => {}
        }
    }

    fn on_tone(&mut self, now: u64, id: MediaId, ev: &ToneEvent, media: &mut MediaSet) {
        let Some(pc) = self.call_by_media(id) else { return };
        let c = self.calls.get_mut(&pc).expect("found");
        if !(ev.is_on() || ev.detector == DetectorKind::Amd) {
            return;
        }
        c.evidence.push(format!(
            "{:.2}s {} {}{}",
            (now - c.start) as f64 / 1000.0,
            ev.detector,
            ev.value,
            ev.sit_code.map(|s| format!(" {s}")).unwrap_or_default()
        ));
        let decided = match (c.leg, ev.detector, ev.value.as_str()) {
            (Leg::Dialling, DetectorKind::Cpt, "busy") => Some(Outcome::Busy),
            (Leg::Dialling, DetectorKind::Cpt, "congestion") => Some(Outcome::Congestion),
            (Leg::Dialling, DetectorKind::Sit | DetectorKind::Cpt, v)
                if v.starts_with("sit") || ev.detector == DetectorKind::Sit =>
            {
                Some(Outcome::Invalid)
            }
            (Leg::Classifying, DetectorKind::Fax, _) => Some(Outcome::Fax),
            (Leg::Classifying, DetectorKind::Amd, "machine") => Some(Outcome::Machine),
            (Leg::Classifying, DetectorKind::Amd, "human") => {
                c.outcome = Some(Outcome::Human);
                c.leg = Leg::Queued;
                c.queued_at = Some(now);
                c.deadline = Some(now + ABANDON_AFTER_MS);
                media.set_detectors(id, Vec::new());
                None
            }
            (Leg::Ivr, DetectorKind::Dtmf, d) if d == "1" || d == "2" => {
                c.choice = d.chars().next();
                c.leg = Leg::Queued;
                c.queued_at = Some(now);
                c.deadline = None;
                if let Some(m) = media.get_mut(id) {
                    m.player.clear();
                }
                media.set_detectors(id, Vec::new());
                None
            }
            _ => None,
        };
        if let Some(o) = decided {
            c.outcome = Some(o);
            self.release(now, pc, Cause::NORMAL);
        }
    }

    fn release(&mut self, now: u64, pc: PriCall, cause: Cause) {
        if let Some(c) = self.calls.get_mut(&pc) {
            if c.leg != Leg::Releasing {
                c.leg = Leg::Releasing;
                c.deadline = Some(now + 10_000);
                let _ = self.trunk.pri.release(SigMs(now), pc, cause.into());
            }
        }
    }

    /// A call is over: CDR, agent back to wrap-up, retry scheduling.
    fn finish(&mut self, now: u64, pc: PriCall, cause: Cause, media: &mut MediaSet, local: bool) {
        let Some(c) = self.calls.remove(&pc) else { return };
        media.set_detectors(c.media, Vec::new());
        media.set_listen(c.media, &[]);
        if let Some(m) = media.get_mut(c.media) {
            m.player.clear();
        }
        if let Leg::Offering(i) | Leg::Bridged(i) = c.leg {
            self.hangup_agent(i, now, media);
        }
        for a in self.agents.iter_mut() {
            if a.call == Some(pc) {
                a.call = None;
            }
        }
        let mut outcome = c.outcome;
        if c.outbound {
            if outcome.is_none() {
                outcome = Some(if c.answer.is_some() { Outcome::Human } else { Outcome::from_cause(cause) });
            }
            if matches!(outcome, Some(Outcome::Human)) && c.bridged.is_none() {
                outcome = Some(Outcome::Abandoned);
                self.stats.abandoned += 1;
            }
            let o = outcome.expect("set");
            *self.stats.outcomes.entry(o.name().into()).or_default() += 1;
            if let Some(mut lead) = c.lead.clone() {
                lead.attempts += 1;
                let again = match o {
                    Outcome::Busy => self.policy.busy_ms,
                    Outcome::NoAnswer => self.policy.no_answer_ms,
                    Outcome::Machine => self.policy.machine_ms,
                    Outcome::Congestion | Outcome::Failed => self.policy.congestion_ms,
                    _ => None,
                };
                if let Some(d) = again.filter(|_| lead.attempts < self.policy.max_attempts) {
                    self.retries.push((now + d, lead));
                }
            }
        } else if c.bridged.is_none() {
            outcome = Some(Outcome::Abandoned);
            self.stats.inbound_abandoned += 1;
        }
        let _ = local;
        self.busy_b.retain(|&b| b != c.b);
        self.events.push(EngineEvent::CallEnded { at: Ms(now), call: c.id, outcome, cause });
        self.cdrs.push(Cdr {
            call: c.id,
            direction: if c.outbound { "outbound" } else { "inbound" }.into(),
            channel: self.trunk.chan(c.b).0,
            ani: c.ani,
            dnis: c.dnis,
            campaign: c.lead.as_ref().map(|_| self.campaign),
            lead: c.lead.as_ref().map(|l| l.id),
            queue: None,
            agent: c.agent,
            start_ms: c.start,
            answer_ms: c.answer,
            bridged_ms: c.bridged,
            end_ms: now,
            outcome,
            cause: cause.0,
            evidence: serde_json::to_string(&c.evidence).unwrap_or_default(),
            recording: None,
        });
    }

    fn hangup_agent(&mut self, i: usize, now: u64, media: &mut MediaSet) {
        let a = &mut self.agents[i];
        a.call = None;
        media.set_listen(a.media, &[]);
        let offhook = a.offhook;
        if let Some(m) = media.get_mut(a.media) {
            // An agent still off hook is told the caller has gone; otherwise the line idles.
            m.end().set_tx_cas(if offhook { AGENT_CLEAR } else { AGENT_IDLE });
        }
        let wrap = if a.state == AgentState::Talking { 15_000 } else { 0 };
        a.wrap_until = Some(now + wrap);
        self.set_agent(i, if wrap > 0 { AgentState::WrapUp } else { AgentState::Ready }, now);
    }

    fn agents_step(&mut self, now: u64, media: &mut MediaSet) {
        for i in 0..self.agents.len() {
            let bits = media.get_mut(self.agents[i].media).map(|m| m.end().rx_cas()).unwrap_or(AGENT_IDLE);
            let offhook = bits == AGENT_OFFHOOK;
            let was = self.agents[i].offhook;
            self.agents[i].offhook = offhook;
            if offhook && !was {
                // The agent answered the offer: bridge.
                if let (AgentState::Reserved, Some(pc)) = (self.agents[i].state, self.agents[i].call) {
                    if let Some(c) = self.calls.get_mut(&pc) {
                        c.leg = Leg::Bridged(i);
                        c.bridged = Some(now);
                        c.deadline = None;
                        c.agent = Some(self.agents[i].id);
                        media.bridge(c.media, self.agents[i].media);
                        if let Some(m) = media.get_mut(self.agents[i].media) {
                            m.end().set_tx_cas(AGENT_CONNECTED);
                        }
                        self.agents[i].calls += 1;
                        if c.outbound {
                            self.stats.bridged += 1;
                        } else {
                            self.stats.inbound_answered += 1;
                        }
                        self.events.push(EngineEvent::CallState {
                            at: Ms(now),
                            call: c.id,
                            state: "bridged".into(),
                        });
                        self.set_agent(i, AgentState::Talking, now);
                    }
                }
            } else if !offhook && was && self.agents[i].state == AgentState::Talking {
                // The agent hung up: release the caller.
                if let Some(pc) = self.agents[i].call {
                    self.release(now, pc, Cause::NORMAL);
                }
                self.hangup_agent(i, now, media);
            } else if !offhook && was {
                // Back on hook after the caller left: the line idles.
                if let Some(m) = media.get_mut(self.agents[i].media) {
                    m.end().set_tx_cas(AGENT_IDLE);
                }
            }
            if self.agents[i].state == AgentState::WrapUp
                && self.agents[i].wrap_until.is_some_and(|t| now >= t)
            {
                self.agents[i].wrap_until = None;
                self.set_agent(i, AgentState::Ready, now);
            }
        }
        // Offer queued calls, oldest first, to the longest-idle agents.
        let mut queued: Vec<(u64, PriCall)> = self
            .calls
            .values()
            .filter(|c| c.leg == Leg::Queued)
            .map(|c| (c.queued_at.unwrap_or(c.start), c.pri))
            .collect();
        queued.sort();
        for (_, pc) in queued {
            let Some(i) = self.longest_idle() else { break };
            let c = self.calls.get_mut(&pc).expect("queued call");
            c.leg = Leg::Offering(i);
            self.agents[i].call = Some(pc);
            if let Some(m) = media.get_mut(self.agents[i].media) {
                m.end().set_tx_cas(AGENT_OFFER);
            }
            let (id, ani) = (c.id, c.ani.clone());
            let agent = self.agents[i].id;
            self.events.push(EngineEvent::Offer {
                at: Ms(now),
                call: id,
                agent,
                ani,
                data: serde_json::json!({}),
            });
            self.set_agent(i, AgentState::Reserved, now);
        }
    }

    fn timers(&mut self, now: u64, media: &mut MediaSet) {
        let due: Vec<PriCall> =
            self.calls.values().filter(|c| c.deadline.is_some_and(|d| now >= d)).map(|c| c.pri).collect();
        for pc in due {
            let c = self.calls.get_mut(&pc).expect("due");
            match c.leg {
                Leg::Dialling => {
                    c.outcome = Some(Outcome::NoAnswer);
                    self.release(now, pc, Cause::NORMAL);
                }
                Leg::Classifying => {
                    // No verdict in time: a person who said nothing is still a person.
                    c.evidence.push("classification timeout".into());
                    c.outcome = Some(Outcome::Human);
                    c.leg = Leg::Queued;
                    c.queued_at = Some(now);
                    c.deadline = Some(now + ABANDON_AFTER_MS);
                    media.set_detectors(c.media, Vec::new());
                }
                Leg::Queued if c.outbound => {
                    // Abandoned: nobody free within 2 s.
                    c.evidence.push("no agent within 2.0 s".into());
                    self.release(now, pc, Cause::NORMAL);
                }
                Leg::Ivr => {
                    c.evidence.push("no choice".into());
                    c.leg = Leg::Queued;
                    c.queued_at = Some(now);
                    c.deadline = None;
                }
                Leg::Releasing => {
                    self.finish(now, pc, Cause::TIMER_EXPIRY, media, true);
                }
                _ => c.deadline = None,
            }
        }
        self.retries.sort_by_key(|r| r.0);
        while self.retries.first().is_some_and(|r| r.0 <= now) {
            let (_, lead) = self.retries.remove(0);
            self.leads.push_back(lead);
        }
    }

    /// Progressive pacing: one line per ready agent not already covered by a call in progress.
    fn dial(&mut self, now: u64, media: &mut MediaSet) {
        if self.draining || self.paused {
            return;
        }
        let ready = self.agents.iter().filter(|a| a.state == AgentState::Ready).count();
        let pending = self
            .calls
            .values()
            .filter(|c| c.outbound && matches!(c.leg, Leg::Dialling | Leg::Classifying | Leg::Queued))
            .count();
        let mut want = ready.saturating_sub(pending);
        while want > 0 {
            let Some(b) = self.free_b() else { break };
            let Some(lead) = self.leads.pop_front() else { break };
            want -= 1;
            let req = OriginateRequest::new(&lead.phone, "4000").on(ChannelPref::Exclusive(b));
            let Ok(pc) = self.trunk.pri.originate(SigMs(now), &req) else {
                self.leads.push_front(lead);
                break;
            };
            self.stats.attempts += 1;
            let m = self.bmedia[&b];
            media.set_detectors(m, make_set(&[DetectorKind::Cpt, DetectorKind::Sit], &self.opts));
            let id = self.new_call_id();
            self.events.push(EngineEvent::CallStarted {
                at: Ms(now),
                call: id,
                direction: "outbound".into(),
                channel: self.trunk.chan(b).0,
                ani: "4000".into(),
                dnis: lead.phone.clone(),
            });
            self.busy_b.push(b);
            self.calls.insert(
                pc,
                Call {
                    id,
                    pri: pc,
                    outbound: true,
                    b,
                    media: m,
                    dnis: lead.phone.clone(),
                    lead: Some(lead),
                    leg: Leg::Dialling,
                    ani: "4000".into(),
                    start: now,
                    answer: None,
                    bridged: None,
                    outcome: None,
                    evidence: Vec::new(),
                    deadline: Some(now + RING_TIMEOUT_MS),
                    agent: None,
                    queued_at: None,
                    choice: None,
                },
            );
        }
    }

    fn free_b(&self) -> Option<u8> {
        let mut bs: Vec<u8> = self.bmedia.keys().copied().collect();
        bs.sort();
        // Outbound from the top of the span, inbound arrives from the bottom (avoids glare).
        bs.into_iter().rev().find(|b| !self.busy_b.contains(b) && !self.calls.values().any(|c| c.b == *b))
    }

    fn new_call_id(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }
}
