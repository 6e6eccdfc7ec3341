//! The engine side of the slice: a progressive campaign dialled over a PRI trunk, outcomes
//! classified from signalling and from the audio, live answers bridged to the longest-idle
//! agent, an inbound IVR ("press 1 or 2") into a queue served longest-idle-first, CDRs.
//!
//! Sans-IO: driven by [`Core::step`] with the current time; every call it makes or takes is a
//! channel handle of its [`Switch`] (the trunk's calls and the agents' phone lines alike), so
//! the dialler, the IVR and the queue only speak handles: originate, answer, play, collect,
//! detect, bridge, record, hang up.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;

use trunkline_driver::{BoardEvent, ChannelNo};
use trunkline_dsp::event::{DetectorKind, ToneEvent};

use crate::handle::{
    CallState, CollectEnd, CollectSpec, HandleEvent, HandleId, OriginateSpec, Prompt, RecordSpec, ReleasedBy,
    StationId, Switch, TrunkId,
};
use crate::media::{MediaId, MediaSet};
use crate::model::{AgentId, AgentState, CallId, CampaignId, Cause, Cdr, EngineEvent, LeadId, Ms, Outcome};
use crate::record::wav::WavFormat;

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

/// The new state of a lead after one of its attempts finished.
#[derive(Clone, Debug, PartialEq)]
pub struct LeadOutcome {
    /// The attempt.
    pub call: CallId,
    /// The lead.
    pub lead: LeadId,
    /// How the attempt ended.
    pub outcome: Outcome,
    /// Engine time of the next attempt; `None`: the lead is finished.
    pub retry_at: Option<u64>,
    /// Engine time the attempt was abandoned (a live answer no agent took), if it was.
    pub abandoned_at: Option<u64>,
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
/// Evidence on the CDR of a call the engine released because it was shutting down (its outcome
/// says how far it got, not what the far end is).
pub const SHUTDOWN_EVIDENCE: &str = "released: engine shutting down";

/// How long an agent's phone rings before the call goes back to the queue.
pub const OFFER_TIMEOUT_MS: u64 = 15_000;
/// How long an agent who let a call ring out stays not ready.
pub const RONA_PAUSE_MS: u64 = 30_000;
/// How long a live answer may wait for an agent before it is abandoned.
pub const ABANDON_AFTER_MS: u64 = 2_000;
/// Evidence on the CDR of a call released because its span went into alarm (its outcome says
/// nothing about the far end).
pub const SPAN_ALARM_EVIDENCE: &str = "released: span alarm";
/// How long an agent stays in wrap-up after a call.
pub const WRAP_UP_MS: u64 = 15_000;

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
    /// Being released (our release sent, waiting for the far end).
    Releasing,
}

struct Call {
    id: CallId,
    outbound: bool,
    chan: ChannelNo,
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
    recording: Option<PathBuf>,
}

struct Agent {
    id: AgentId,
    name: String,
    /// The agent's line on the board.
    chan: ChannelNo,
    station: StationId,
    state: AgentState,
    since: u64,
    calls: u64,
    /// The caller's handle of the call offered to or taken by the agent.
    call: Option<HandleId>,
    /// The handle of the agent's own line while it rings or talks.
    line: Option<HandleId>,
    wrap_until: Option<u64>,
    /// Out of service because the agent span is in alarm.
    parked: bool,
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
    /// Calls released because their span went into alarm.
    pub alarm_released: u64,
}

/// Where bridged calls are recorded (the switch holds the writer's sender).
#[derive(Clone, Debug)]
pub struct CoreRecording {
    /// Directory of the files (`call-<id>.wav`).
    pub dir: PathBuf,
    /// Encoding.
    pub format: WavFormat,
}

/// The engine side of the slice.
pub struct Core {
    /// The lines and the calls on them.
    pub switch: Switch,
    trunk: TrunkId,
    agents: Vec<Agent>,
    calls: HashMap<HandleId, Call>,
    leads: VecDeque<Lead>,
    retries: Vec<(u64, Lead)>,
    policy: RetryPolicy,
    campaign: CampaignId,
    /// Finished calls, oldest first (taken by the runner for storage).
    pub cdrs: Vec<Cdr>,
    /// What each finished outbound attempt means for its lead, in the order of `cdrs` (taken by
    /// the runner with them, so the store commits the CDR and the lead's new state together).
    pub lead_updates: Vec<LeadOutcome>,
    /// Events for the API's stream (taken by the runner).
    pub events: Vec<EngineEvent>,
    /// Counters.
    pub stats: CoreStats,
    next_call: u64,
    prompt: Prompt,
    recording: Option<CoreRecording>,
    recording_failures: u64,
    /// Stop dialling and taking calls (draining for shutdown).
    pub draining: bool,
    /// The campaign is paused (no new attempts; calls up continue).
    pub paused: bool,
}

impl Core {
    /// A core dialling on `trunk` of `switch`, with agents on `agents` (their line's channel and
    /// station).
    pub fn new(
        switch: Switch,
        trunk: TrunkId,
        agents: Vec<(ChannelNo, StationId)>,
        leads: Vec<Lead>,
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
            switch,
            trunk,
            agents: agents
                .into_iter()
                .enumerate()
                .map(|(i, (chan, station))| Agent {
                    id: AgentId(i as u64 + 1),
                    name: format!("agent{:02}", i + 1),
                    chan,
                    station,
                    state: AgentState::Ready,
                    since: 0,
                    calls: 0,
                    call: None,
                    line: None,
                    wrap_until: None,
                    parked: false,
                })
                .collect(),
            calls: HashMap::new(),
            leads: leads.into(),
            retries: Vec::new(),
            policy: RetryPolicy::default(),
            campaign: CampaignId(1),
            cdrs: Vec::new(),
            lead_updates: Vec::new(),
            events: Vec::new(),
            stats: CoreStats::default(),
            next_call: first_call_id,
            prompt: Prompt::Samples(trunkline_dsp::cpt::gen::to_i16(&prompt).into()),
            recording: None,
            recording_failures: 0,
            draining: false,
            paused: false,
        }
    }

    /// The trunk's PRI link (diagnostics: the stack's calls and the channel map).
    pub fn trunk_link(&self) -> &crate::handle::pri::PriLink {
        self.switch.trunk(self.trunk).expect("the core's trunk was added to its switch")
    }

    /// The trunk's PRI link, mutable (diagnostics drain the stack's trace).
    pub fn trunk_link_mut(&mut self) -> &mut crate::handle::pri::PriLink {
        self.switch.trunk_link(self.trunk).expect("the core's trunk was added to its switch")
    }

    /// Records every bridged call (stereo: caller left, agent right). The switch must have a
    /// recorder ([`Switch::set_recorder`]).
    pub fn record_bridged(&mut self, rec: CoreRecording) {
        self.recording = Some(rec);
    }

    /// Recordings that could not be started or closed.
    pub fn recording_failures(&self) -> u64 {
        self.recording_failures + self.switch.recorder_errors()
    }

    /// Leads waiting for a retry at an engine time (a resumed campaign's pending retries).
    pub fn add_retries(&mut self, retries: impl IntoIterator<Item = (u64, Lead)>) {
        self.retries.extend(retries);
        self.retries.sort_by_key(|r| r.0);
    }

    /// Bridged calls now: (call, caller's media, agent's media).
    pub fn bridged(&self) -> Vec<(CallId, MediaId, MediaId)> {
        let mut v: Vec<_> = self
            .calls
            .iter()
            .filter_map(|(&h, c)| match c.leg {
                Leg::Bridged(i) => {
                    let line = self.agents[i].line?;
                    Some((c.id, self.switch.media(h)?, self.switch.media(line)?))
                }
                _ => None,
            })
            .collect();
        v.sort_by_key(|x| x.0);
        v
    }

    /// The handles of a call up now: (caller's handle, agent's line handle if bridged or offered).
    pub fn call_handles(&self, call: CallId) -> Option<(HandleId, Option<HandleId>)> {
        let (&h, c) = self.calls.iter().find(|(_, c)| c.id == call)?;
        let agent = match c.leg {
            Leg::Offering(i) | Leg::Bridged(i) => self.agents[i].line,
            _ => None,
        };
        Some((h, agent))
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
                channel: c.chan.0,
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
                call: a.call.and_then(|h| self.calls.get(&h)).map(|c| c.id),
                calls: a.calls,
            })
            .collect()
    }

    /// Stops dialling and taking calls, and releases every call up (cause 16).
    pub fn drain(&mut self, now: u64) {
        self.draining = true;
        let all: Vec<HandleId> = self.calls.keys().copied().collect();
        for h in all {
            if let Some(c) = self.calls.get_mut(&h) {
                c.evidence.push(SHUTDOWN_EVIDENCE.into());
            }
            self.release(now, h, Cause::NORMAL);
        }
    }

    /// Hangs up a call by its id (supervisor action).
    pub fn hangup(&mut self, now: u64, call: u64) -> Result<serde_json::Value, String> {
        let h = self
            .calls
            .iter()
            .find(|(_, c)| c.id.0 == call)
            .map(|(h, _)| *h)
            .ok_or(format!("no call {call}"))?;
        self.release(now, h, Cause::NORMAL);
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
        if ready && self.agents[i].parked {
            return Err(format!("agent {agent}'s line is on a span in alarm"));
        }
        match (self.agents[i].state, ready) {
            (AgentState::Ready, false) | (AgentState::NotReady, true) | (AgentState::Break, true) => {
                let a = &self.agents[i];
                let (id, state) = (a.id, if ready { AgentState::Ready } else { AgentState::NotReady });
                self.agents[i].state = state;
                self.agents[i].since = now;
                // A supervisor's or agent's own choice ends any timed not-ready.
                self.agents[i].wrap_until = None;
                self.events.push(EngineEvent::AgentState { at: Ms(now), agent: id, state, reason });
                Ok(serde_json::json!({"agent": agent, "state": state}))
            }
            (s, _) => Err(format!("agent {agent} is {s:?}: change it when the call or wrap-up ends")),
        }
    }

    /// Leads never dialled yet.
    pub fn fresh_leads(&self) -> usize {
        self.leads.len()
    }

    /// Leads still to dial (now or on retry).
    pub fn leads_left(&self) -> usize {
        self.leads.len() + self.retries.len()
    }

    /// Agents' states.
    pub fn agent_states(&self) -> Vec<(AgentId, String, AgentState, u64)> {
        self.agents.iter().map(|a| (a.id, a.name.clone(), a.state, a.calls)).collect()
    }

    fn set_agent(&mut self, i: usize, state: AgentState, now: u64, reason: Option<&str>) {
        let a = &mut self.agents[i];
        if a.state != state {
            a.state = state;
            a.since = now;
            self.events.push(EngineEvent::AgentState {
                at: Ms(now),
                agent: a.id,
                state,
                reason: reason.map(str::to_string),
            });
        }
    }

    fn longest_idle(&self) -> Option<usize> {
        self.agents
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.state == AgentState::Ready
                    && a.line.is_none()
                    && !self.switch.station_offhook(a.station)
                    && self.switch.station_up(a.station)
            })
            .min_by_key(|(_, a)| (a.since, a.id))
            .map(|(i, _)| i)
    }

    /// One step at `now`: the switch's inputs (signalling, tones, the board's `board` events),
    /// decisions, then the switch's outputs into `media` and the trunk.
    pub fn step(
        &mut self,
        now: u64,
        media: &mut MediaSet,
        tones: &[(MediaId, ToneEvent)],
        board: &[BoardEvent],
    ) {
        self.switch.poll(now, media, tones, board);
        while let Some(ev) = self.switch.next_event() {
            self.on_event(now, ev);
        }
        self.agents_step(now);
        self.timers(now);
        self.dial(now);
        self.switch.flush(media);
    }

    fn agent_of_line(&self, h: HandleId) -> Option<usize> {
        self.agents.iter().position(|a| a.line == Some(h))
    }

    fn on_event(&mut self, now: u64, ev: HandleEvent) {
        match ev {
            HandleEvent::Incoming { h, ani, dnis, chan } => self.incoming(now, h, ani, dnis, chan),
            HandleEvent::State { h, state } => {
                if let Some(i) = self.agent_of_line(h) {
                    if state == CallState::Answered {
                        self.agent_answered(now, i);
                    }
                } else if let Some(c) = self.calls.get_mut(&h) {
                    match state {
                        CallState::Alerting => {
                            c.evidence.push(format!("{:.1}s alerting", (now - c.start) as f64 / 1000.0))
                        }
                        CallState::Answered if c.leg == Leg::Dialling => {
                            c.answer = Some(now);
                            c.leg = Leg::Classifying;
                            c.deadline = Some(now + 6_000);
                            c.evidence.push("answered".into());
                            let id = c.id;
                            // The answer set: fax, machine or person, and the machine's beep.
                            let _ = self
                                .switch
                                .detect(h, &[DetectorKind::Fax, DetectorKind::Amd, DetectorKind::Beep]);
                            self.events.push(EngineEvent::CallState {
                                at: Ms(now),
                                call: id,
                                state: "answered".into(),
                            });
                        }
                        _ => {}
                    }
                }
            }
            HandleEvent::Progress { h } => {
                if let Some(c) = self.calls.get_mut(&h) {
                    c.evidence.push(format!("{:.1}s progress", (now - c.start) as f64 / 1000.0));
                }
            }
            HandleEvent::Released { h, cause, by } => {
                if let Some(i) = self.agent_of_line(h) {
                    self.agent_line_released(now, i, by);
                } else {
                    self.finish(now, h, cause, by);
                }
            }
            HandleEvent::Tone { h, tone } => self.on_tone(now, h, &tone),
            HandleEvent::Digits { h, digits, end } => self.on_digits(now, h, &digits, end),
            HandleEvent::RecordingClosed { h, path, .. } => {
                if let Some(c) = self.calls.get_mut(&h) {
                    c.recording = Some(path);
                }
            }
            HandleEvent::SpanAlarm { span, alarms, down, .. } => {
                self.events.push(EngineEvent::SpanAlarm {
                    at: Ms(now),
                    span: span.0,
                    alarms: alarms.scan_str(31),
                });
                self.park_agents(now, down);
            }
            HandleEvent::PlayDone { .. } | HandleEvent::Unbridged { .. } | HandleEvent::Hook { .. } => {}
        }
    }

    /// Agents whose line's span is in alarm are out of service until it clears.
    fn park_agents(&mut self, now: u64, _down: bool) {
        for i in 0..self.agents.len() {
            let up = self.switch.station_up(self.agents[i].station);
            let a = &mut self.agents[i];
            if !up && !a.parked {
                a.parked = true;
                a.wrap_until = None;
                self.set_agent(i, AgentState::NotReady, now, Some("span alarm"));
            } else if up && a.parked {
                a.parked = false;
                if a.state == AgentState::NotReady {
                    self.set_agent(i, AgentState::Ready, now, None);
                }
            }
        }
    }

    fn incoming(&mut self, now: u64, h: HandleId, ani: String, dnis: String, chan: ChannelNo) {
        if self.draining {
            self.switch.hangup(h, Cause::TEMPORARY_FAILURE);
            return;
        }
        self.stats.inbound += 1;
        let id = self.new_call_id();
        self.events.push(EngineEvent::CallStarted {
            at: Ms(now),
            call: id,
            direction: "inbound".into(),
            channel: chan.0,
            ani: ani.clone(),
            dnis: dnis.clone(),
        });
        let mut evidence = Vec::new();
        let ok = self.switch.answer(h).and_then(|_| self.switch.play(h, &self.prompt)).and_then(|_| {
            self.switch.collect(
                h,
                CollectSpec {
                    max_digits: 1,
                    terminators: String::new(),
                    first_digit_timeout_ms: 10_000,
                    inter_digit_timeout_ms: 0,
                },
            )
        });
        if let Err(e) = ok {
            evidence.push(format!("ivr: {e}"));
            self.switch.hangup(h, Cause::TEMPORARY_FAILURE);
        }
        self.calls.insert(
            h,
            Call {
                id,
                outbound: false,
                chan,
                lead: None,
                leg: Leg::Ivr,
                ani,
                dnis,
                start: now,
                answer: Some(now),
                bridged: None,
                outcome: None,
                evidence,
                deadline: None,
                agent: None,
                queued_at: None,
                choice: None,
                recording: None,
            },
        );
    }

    fn on_digits(&mut self, now: u64, h: HandleId, digits: &str, end: CollectEnd) {
        let Some(c) = self.calls.get_mut(&h) else { return };
        if c.leg != Leg::Ivr {
            return;
        }
        match digits {
            "1" | "2" => {
                c.choice = digits.chars().next();
                c.evidence.push(format!("ivr choice {digits}"));
            }
            _ if matches!(end, CollectEnd::FirstDigitTimeout | CollectEnd::InterDigitTimeout) => {
                c.evidence.push("no choice".into());
            }
            _ => {
                // Not a choice on the menu: listen again.
                c.evidence.push(format!("ivr key {digits} ignored"));
                let _ = self.switch.collect(h, CollectSpec { max_digits: 1, ..CollectSpec::digits(1) });
                return;
            }
        }
        c.leg = Leg::Queued;
        c.queued_at = Some(now);
        c.deadline = None;
        let _ = self.switch.stop_play(h);
        let _ = self.switch.detect(h, &[]);
    }

    fn on_tone(&mut self, now: u64, h: HandleId, ev: &ToneEvent) {
        let Some(c) = self.calls.get_mut(&h) else { return };
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
                let _ = self.switch.detect(h, &[]);
                None
            }
            _ => None,
        };
        if let Some(o) = decided {
            c.outcome = Some(o);
            self.release(now, h, Cause::NORMAL);
        }
    }

    fn release(&mut self, _now: u64, h: HandleId, cause: Cause) {
        if let Some(c) = self.calls.get_mut(&h) {
            if c.leg != Leg::Releasing {
                let agent = match c.leg {
                    Leg::Offering(i) | Leg::Bridged(i) => Some(i),
                    _ => None,
                };
                c.leg = Leg::Releasing;
                c.deadline = None;
                // The switch guards the release (it frees the channel if the network never
                // confirms); the CDR comes with the handle's Released event.
                self.switch.hangup(h, cause);
                if let Some(i) = agent {
                    self.hangup_agent(i);
                }
            }
        }
    }

    /// The caller's handle is gone: CDR, agent back to wrap-up, retry scheduling.
    fn finish(&mut self, now: u64, h: HandleId, cause: Cause, by: ReleasedBy) {
        let Some(mut c) = self.calls.remove(&h) else { return };
        if let Leg::Offering(i) | Leg::Bridged(i) = c.leg {
            self.hangup_agent(i);
        }
        for a in self.agents.iter_mut() {
            if a.call == Some(h) {
                a.call = None;
            }
        }
        let alarm = by == ReleasedBy::Span;
        if alarm {
            c.evidence.push(SPAN_ALARM_EVIDENCE.into());
            self.stats.alarm_released += 1;
        }
        let mut outcome = c.outcome;
        if c.outbound {
            if alarm && c.bridged.is_none() {
                // Cut off by our own span before anyone talked: a local failure (retried soon),
                // whatever the audio had shown so far (that stays in the evidence).
                outcome = Some(Outcome::Failed);
            }
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
                let retry_at = again.filter(|_| lead.attempts < self.policy.max_attempts).map(|d| now + d);
                self.lead_updates.push(LeadOutcome {
                    call: c.id,
                    lead: lead.id,
                    outcome: o,
                    retry_at,
                    abandoned_at: (o == Outcome::Abandoned).then_some(now),
                });
                if let Some(at) = retry_at {
                    self.retries.push((at, lead));
                }
            }
        } else if c.bridged.is_none() {
            outcome = Some(Outcome::Abandoned);
            self.stats.inbound_abandoned += 1;
        }
        self.events.push(EngineEvent::CallEnded { at: Ms(now), call: c.id, outcome, cause });
        self.cdrs.push(Cdr {
            call: c.id,
            direction: if c.outbound { "outbound" } else { "inbound" }.into(),
            channel: c.chan.0,
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
            recording: c.recording.map(|p| p.display().to_string()),
        });
    }

    /// The caller has gone (or is going): clear the agent's line; a talking agent wraps up.
    fn hangup_agent(&mut self, i: usize) {
        let a = &mut self.agents[i];
        a.call = None;
        if let Some(line) = a.line.take() {
            self.switch.hangup(line, Cause::NORMAL);
        }
        let now = self.switch.now();
        let wrap = if a.state == AgentState::Talking { WRAP_UP_MS } else { 0 };
        if a.parked {
            return;
        }
        a.wrap_until = Some(now + wrap);
        self.set_agent(i, if wrap > 0 { AgentState::WrapUp } else { AgentState::Ready }, now, None);
    }

    /// The agent picked up the offered call: bridge it (and record it).
    fn agent_answered(&mut self, now: u64, i: usize) {
        let (Some(h), Some(line)) = (self.agents[i].call, self.agents[i].line) else { return };
        let Some(c) = self.calls.get_mut(&h) else { return };
        if self.switch.bridge(h, line).is_err() {
            return;
        }
        c.leg = Leg::Bridged(i);
        c.bridged = Some(now);
        c.deadline = None;
        c.agent = Some(self.agents[i].id);
        let id = c.id;
        self.agents[i].calls += 1;
        if c.outbound {
            self.stats.bridged += 1;
        } else {
            self.stats.inbound_answered += 1;
        }
        if let Some(r) = self.recording.as_ref() {
            let spec = RecordSpec {
                key: id,
                path: r.dir.join(format!("call-{}.wav", id.0)),
                format: r.format,
                stereo: true,
            };
            if self.switch.record(h, spec).is_err() {
                self.recording_failures += 1;
            }
        }
        self.events.push(EngineEvent::CallState { at: Ms(now), call: id, state: "bridged".into() });
        self.set_agent(i, AgentState::Talking, now, None);
    }

    /// The agent's line ended from the phone's side (hung up) or with its span.
    fn agent_line_released(&mut self, now: u64, i: usize, by: ReleasedBy) {
        self.agents[i].line = None;
        let call = self.agents[i].call.take();
        match self.agents[i].state {
            AgentState::Talking => {
                // The agent hung up: release the caller.
                if let Some(h) = call {
                    let cause =
                        if by == ReleasedBy::Span { Cause::NETWORK_OUT_OF_ORDER } else { Cause::NORMAL };
                    self.release_caller_of_agent(h, cause);
                }
                if !self.agents[i].parked {
                    self.agents[i].wrap_until = Some(now + WRAP_UP_MS);
                    self.set_agent(i, AgentState::WrapUp, now, None);
                }
            }
            AgentState::Reserved => {
                // The ring was cut (span alarm): the call goes back to the queue.
                if let Some(c) = call.and_then(|h| self.calls.get_mut(&h)) {
                    c.leg = Leg::Queued;
                    c.deadline = c.outbound.then_some(now + ABANDON_AFTER_MS);
                }
                if by != ReleasedBy::Span && !self.agents[i].parked {
                    self.set_agent(i, AgentState::Ready, now, None);
                }
            }
            _ => {}
        }
    }

    fn release_caller_of_agent(&mut self, h: HandleId, cause: Cause) {
        if let Some(c) = self.calls.get_mut(&h) {
            if c.leg != Leg::Releasing {
                c.leg = Leg::Releasing;
                c.deadline = None;
                self.switch.hangup(h, cause);
            }
        }
    }

    fn agents_step(&mut self, now: u64) {
        for i in 0..self.agents.len() {
            if matches!(self.agents[i].state, AgentState::WrapUp | AgentState::NotReady)
                && !self.agents[i].parked
                && self.agents[i].wrap_until.is_some_and(|t| now >= t)
            {
                self.agents[i].wrap_until = None;
                self.set_agent(i, AgentState::Ready, now, None);
            }
        }
        // Offer queued calls, oldest first, to the longest-idle agents.
        let mut queued: Vec<(u64, HandleId)> = self
            .calls
            .iter()
            .filter(|(_, c)| c.leg == Leg::Queued)
            .map(|(h, c)| (c.queued_at.unwrap_or(c.start), *h))
            .collect();
        queued.sort();
        for (_, h) in queued {
            let Some(i) = self.longest_idle() else { break };
            let Ok(line) = self.switch.ring(self.agents[i].station) else { break };
            let c = self.calls.get_mut(&h).expect("queued call");
            c.leg = Leg::Offering(i);
            c.deadline = Some(now + OFFER_TIMEOUT_MS);
            self.agents[i].call = Some(h);
            self.agents[i].line = Some(line);
            let (id, ani) = (c.id, c.ani.clone());
            let agent = self.agents[i].id;
            self.events.push(EngineEvent::Offer {
                at: Ms(now),
                call: id,
                agent,
                ani,
                data: serde_json::json!({}),
            });
            self.set_agent(i, AgentState::Reserved, now, None);
        }
    }

    fn timers(&mut self, now: u64) {
        let mut due: Vec<HandleId> = self
            .calls
            .iter()
            .filter(|(_, c)| c.deadline.is_some_and(|d| now >= d))
            .map(|(h, _)| *h)
            .collect();
        due.sort();
        for h in due {
            let c = self.calls.get_mut(&h).expect("due");
            match c.leg {
                Leg::Dialling => {
                    c.outcome = Some(Outcome::NoAnswer);
                    self.release(now, h, Cause::NORMAL);
                }
                Leg::Classifying => {
                    // No verdict in time: a person who said nothing is still a person.
                    c.evidence.push("classification timeout".into());
                    c.outcome = Some(Outcome::Human);
                    c.leg = Leg::Queued;
                    c.queued_at = Some(now);
                    c.deadline = Some(now + ABANDON_AFTER_MS);
                    let _ = self.switch.detect(h, &[]);
                }
                Leg::Queued if c.outbound => {
                    // Abandoned: nobody free within 2 s.
                    c.evidence.push("no agent within 2.0 s".into());
                    self.release(now, h, Cause::NORMAL);
                }
                Leg::Offering(i) => {
                    // Ring, no answer: the call goes back to the head of the queue (it keeps
                    // its place) and the agent is made not ready for a while.
                    c.evidence.push(format!("{} did not answer", self.agents[i].name));
                    c.leg = Leg::Queued;
                    c.deadline = c.outbound.then_some(now + ABANDON_AFTER_MS);
                    let a = &mut self.agents[i];
                    a.call = None;
                    a.wrap_until = Some(now + RONA_PAUSE_MS);
                    if let Some(line) = a.line.take() {
                        self.switch.hangup(line, Cause::NO_ANSWER);
                    }
                    self.set_agent(i, AgentState::NotReady, now, Some("rona"));
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
    fn dial(&mut self, now: u64) {
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
        while want > 0 && self.switch.free_channels(self.trunk) > 0 {
            let Some(lead) = self.leads.pop_front() else { break };
            want -= 1;
            let spec = OriginateSpec { dnis: lead.phone.clone(), ani: "4000".into(), channel: None };
            let h = match self.switch.originate(self.trunk, &spec) {
                Ok(h) => h,
                Err(_) => {
                    self.leads.push_front(lead);
                    break;
                }
            };
            self.stats.attempts += 1;
            // Before the answer: call progress and special information tones.
            let _ = self.switch.detect(h, &[DetectorKind::Cpt, DetectorKind::Sit]);
            let chan = self.switch.chan(h).unwrap_or(ChannelNo(0));
            let id = self.new_call_id();
            self.events.push(EngineEvent::CallStarted {
                at: Ms(now),
                call: id,
                direction: "outbound".into(),
                channel: chan.0,
                ani: "4000".into(),
                dnis: lead.phone.clone(),
            });
            self.calls.insert(
                h,
                Call {
                    id,
                    outbound: true,
                    chan,
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
                    recording: None,
                },
            );
        }
    }

    fn new_call_id(&mut self) -> CallId {
        self.next_call += 1;
        CallId(self.next_call)
    }
}
