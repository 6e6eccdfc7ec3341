//! The ACD state machine: agents, waiting calls, offers, dispatch, timers and invariants.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::{AgentId, AgentState, CallId, Ms, QueueId};

use super::config::{AgentConfig, NoAnswerPolicy, QueueConfig, Strategy};
use super::io::{AcdAction, AcdInput, CallArrival, ExitReason, ForcedState, ReleaseReason};
use super::kpi::{AgentKpi, IntervalKpi, KpiSnapshot, Kpis, QueueCounters, QueueKpi};
use super::rng::SplitMix64;

/// Abandons within this long of joining are "short" (excluded from the service level).
const SHORT_ABANDON_MS: u64 = 5_000;
/// Longest overflow chain followed.
const MAX_HOPS: usize = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
enum St {
    LoggedOut,
    NotReady(String),
    Ready,
    Reserved(CallId),
    Talking(CallId),
    WrapUp { until: u64 },
    Break { until: u64 },
}

impl St {
    fn public(&self) -> AgentState {
        match self {
            St::LoggedOut => AgentState::LoggedOut,
            St::NotReady(_) => AgentState::NotReady,
            St::Ready => AgentState::Ready,
            St::Reserved(_) => AgentState::Reserved,
            St::Talking(_) => AgentState::Talking,
            St::WrapUp { .. } => AgentState::WrapUp,
            St::Break { .. } => AgentState::Break,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Pending {
    Logout,
    NotReady(String),
    Break(u64),
}

#[derive(Clone, Debug)]
struct Agent {
    cfg: AgentConfig,
    st: St,
    since: u64,
    channel: Option<u32>,
    pending: Option<Pending>,
    idle_since: u64,
    penalty_until: u64,
    calls: u64,
    offers: u64,
    no_answers: u64,
    /// Time in idle, reserved, talk, wrap, away.
    acc: [u64; 5],
    /// Queue and start of the call being handled (talk + wrap).
    handling: Option<(QueueId, u64)>,
}

/// Where a call is: exactly one of these while the ACD knows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallPlace {
    /// Waiting in its queue (possibly as a callback keeping its place).
    Waiting,
    /// Ringing these agents.
    Ringing(Vec<AgentId>),
    /// Connected to (or being called back by) an agent.
    Connected(AgentId),
}

#[derive(Clone, Debug)]
struct Call {
    arr: CallArrival,
    arrived: u64,
    place: CallPlace,
    ring_until: u64,
    callback: bool,
    next_announce: Option<u64>,
}

impl Call {
    fn key(&self) -> (Reverse<u8>, u64, CallId) {
        (Reverse(self.arr.priority), self.arrived, self.arr.call)
    }
}

/// A public view of one agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentView {
    /// The agent.
    pub agent: AgentId,
    /// State.
    pub state: AgentState,
    /// Not-ready reason.
    pub reason: Option<String>,
    /// Call being offered or handled.
    pub call: Option<CallId>,
    /// Since when, ms.
    pub since_ms: u64,
    /// Channel logged in on.
    pub channel: Option<u32>,
    /// Calls answered.
    pub calls: u64,
    /// Skills.
    pub skills: Vec<(QueueId, u8)>,
}

/// The ACD. See the module docs.
#[derive(Clone, Debug)]
pub struct Acd {
    queues: BTreeMap<QueueId, QueueConfig>,
    agents: BTreeMap<AgentId, Agent>,
    calls: BTreeMap<CallId, Call>,
    waiting: BTreeSet<(Reverse<u8>, u64, CallId)>,
    rr_last: BTreeMap<QueueId, AgentId>,
    aht_est: BTreeMap<QueueId, f64>,
    rng: SplitMix64,
    kpis: Kpis,
    now: u64,
}

impl Acd {
    /// An empty ACD; `seed` drives the `random` strategy, `interval_ms` the KPI buckets (15/30/60 min).
    pub fn new(seed: u64, interval_ms: u64) -> Self {
        Acd {
            queues: BTreeMap::new(),
            agents: BTreeMap::new(),
            calls: BTreeMap::new(),
            waiting: BTreeSet::new(),
            rr_last: BTreeMap::new(),
            aht_est: BTreeMap::new(),
            rng: SplitMix64::new(seed),
            kpis: Kpis { interval_ms, ..Kpis::default() },
            now: 0,
        }
    }

    /// Adds or replaces a queue.
    pub fn add_queue(&mut self, q: QueueConfig) {
        self.aht_est.insert(q.id, q.aht_hint_ms as f64);
        self.kpis.totals.entry(q.id).or_default();
        self.queues.insert(q.id, q);
    }

    /// Adds an agent (logged out) or updates a known agent's skills.
    pub fn add_agent(&mut self, cfg: AgentConfig) {
        if let Some(a) = self.agents.get_mut(&cfg.id) {
            a.cfg = cfg;
            return;
        }
        let now = self.now;
        self.agents.insert(
            cfg.id,
            Agent {
                cfg,
                st: St::LoggedOut,
                since: now,
                channel: None,
                pending: None,
                idle_since: now,
                penalty_until: 0,
                calls: 0,
                offers: 0,
                no_answers: 0,
                acc: [0; 5],
                handling: None,
            },
        );
    }

    /// Feeds one input at `now`; fires any due timers first and dispatches afterwards.
    pub fn on_event(&mut self, input: AcdInput, now: Ms) -> Vec<AcdAction> {
        let mut out = Vec::new();
        self.now = self.now.max(now.0);
        let now = self.now;
        self.expire(now, &mut out);
        self.input(input, now, &mut out);
        self.dispatch(now, &mut out);
        debug_assert_eq!(self.check_invariants(), Ok(()));
        out
    }

    /// Fires every timer due at `now` and dispatches.
    pub fn handle_timeout(&mut self, now: Ms) -> Vec<AcdAction> {
        let mut out = Vec::new();
        self.now = self.now.max(now.0);
        let now = self.now;
        self.expire(now, &mut out);
        self.dispatch(now, &mut out);
        debug_assert_eq!(self.check_invariants(), Ok(()));
        out
    }

    /// The next instant at which [`Acd::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<Ms> {
        let now = self.now;
        let mut best: Option<u64> = None;
        let mut at = |t: u64| {
            let t = t.max(now);
            best = Some(best.map_or(t, |b| b.min(t)));
        };
        for c in self.calls.values() {
            match c.place {
                CallPlace::Ringing(_) => at(c.ring_until),
                CallPlace::Waiting => {
                    if let Some(t) = c.next_announce {
                        at(t);
                    }
                    for t in self.call_thresholds(c) {
                        if t > now {
                            at(t);
                        }
                    }
                }
                CallPlace::Connected(_) => {}
            }
        }
        let any_waiting = !self.waiting.is_empty();
        for a in self.agents.values() {
            match a.st {
                St::WrapUp { until } | St::Break { until } => at(until),
                St::Ready if any_waiting && a.penalty_until > now => at(a.penalty_until),
                _ => {}
            }
        }
        best.map(Ms)
    }

    /// Instants at which a waiting call's eligibility or fate changes.
    fn call_thresholds(&self, c: &Call) -> Vec<u64> {
        let mut v = Vec::new();
        let Some(q) = self.queues.get(&c.arr.queue) else { return v };
        if c.arr.sticky.is_some() {
            v.push(c.arrived + q.sticky_wait_ms);
        }
        if let (Some(m), false) = (q.max_wait_ms, c.callback) {
            v.push(c.arrived + m);
        }
        let mut qid = c.arr.queue;
        let mut start = c.arrived;
        for _ in 0..MAX_HOPS {
            let Some(qc) = self.queues.get(&qid) else { break };
            v.extend(qc.expansion.iter().map(|(t, _)| start + t));
            match qc.overflow {
                Some((after, next)) => {
                    start += after;
                    v.push(start);
                    qid = next;
                }
                None => break,
            }
        }
        v
    }

    // ---- inputs -------------------------------------------------------------------------

    fn refuse(out: &mut Vec<AcdAction>, reason: String) {
        out.push(AcdAction::Refused { reason });
    }

    fn input(&mut self, input: AcdInput, now: u64, out: &mut Vec<AcdAction>) {
        match input {
            AcdInput::Login { agent, channel } => match self.agents.get_mut(&agent) {
                Some(a) if a.st == St::LoggedOut => {
                    a.channel = Some(channel);
                    a.pending = None;
                    self.set_state(agent, St::NotReady("login".into()), now, out);
                }
                Some(_) => Self::refuse(out, format!("agent {agent} already logged in")),
                None => Self::refuse(out, format!("unknown agent {agent}")),
            },
            AcdInput::Logout { agent } => self.request(agent, Pending::Logout, now, out),
            AcdInput::NotReady { agent, reason } => self.request(agent, Pending::NotReady(reason), now, out),
            AcdInput::Break { agent, duration_ms } => {
                self.request(agent, Pending::Break(duration_ms), now, out)
            }
            AcdInput::Ready { agent } => self.make_ready(agent, now, out),
            AcdInput::ForceState { agent, state } => match state {
                ForcedState::LoggedOut => self.request(agent, Pending::Logout, now, out),
                ForcedState::NotReady(r) => self.request(agent, Pending::NotReady(r), now, out),
                ForcedState::Ready => self.make_ready(agent, now, out),
            },
            AcdInput::Arrive(arr) => self.arrive(arr, now, out),
            AcdInput::CallerHangup { call } => self.caller_gone(call, now, out),
            AcdInput::AcceptCallback { call } => match self.calls.get_mut(&call) {
                Some(c) if c.place == CallPlace::Waiting && !c.callback => {
                    c.callback = true;
                    c.next_announce = None;
                    let q = c.arr.queue;
                    self.kpis.bump(q, now, |k| k.callbacks_accepted += 1);
                }
                _ => Self::refuse(out, format!("call {call} cannot take a callback")),
            },
            AcdInput::CallbackResult { call, answered } => {
                let agent = match self.calls.get(&call) {
                    Some(c) if c.callback => match c.place {
                        CallPlace::Connected(a) => a,
                        _ => return Self::refuse(out, format!("callback {call} not being dialled")),
                    },
                    _ => return Self::refuse(out, format!("call {call} is not a callback")),
                };
                let q = self.calls[&call].arr.queue;
                if answered {
                    self.kpis.bump(q, now, |k| k.callbacks_completed += 1);
                } else {
                    self.kpis.bump(q, now, |k| k.callbacks_failed += 1);
                    out.push(AcdAction::Release { call, reason: ReleaseReason::CallbackFailed });
                    self.calls.remove(&call);
                    self.end_handling(agent, now);
                    self.agent_free(agent, now, out);
                }
            }
            AcdInput::AgentAnswer { agent, call } => self.answer(agent, call, now, out),
            AcdInput::AgentDecline { agent, call } => {
                let ok = matches!(self.agents.get(&agent), Some(a) if a.st == St::Reserved(call));
                if ok {
                    self.no_answer(agent, call, now, out);
                    self.unring(call, agent, now, out);
                } else {
                    Self::refuse(out, format!("agent {agent} is not ringing with call {call}"));
                }
            }
            AcdInput::CallEnd { call, wrap_ms } => match self.calls.get(&call).map(|c| c.place.clone()) {
                Some(CallPlace::Connected(_)) => self.end_connected(call, wrap_ms, now, out),
                _ => Self::refuse(out, format!("call {call} is not connected")),
            },
            AcdInput::Supervise { supervisor, call, mode } => {
                match self.calls.get(&call).map(|c| c.place.clone()) {
                    Some(CallPlace::Connected(agent)) if supervisor != agent => {
                        out.push(AcdAction::Supervise { supervisor, call, agent, mode })
                    }
                    _ => Self::refuse(out, format!("call {call} is not connected to another agent")),
                }
            }
            AcdInput::ForceRelease { call } => match self.calls.get(&call).map(|c| c.place.clone()) {
                Some(CallPlace::Connected(_)) => {
                    out.push(AcdAction::Release { call, reason: ReleaseReason::Forced });
                    self.end_connected(call, None, now, out);
                }
                Some(_) => {
                    out.push(AcdAction::Release { call, reason: ReleaseReason::Forced });
                    let q = self.calls[&call].arr.queue;
                    self.kpis.bump(q, now, |k| k.exited += 1);
                    self.drop_unanswered(call, now, out);
                }
                None => Self::refuse(out, format!("unknown call {call}")),
            },
            AcdInput::SpanAlarm { calls, agents } => {
                for c in calls {
                    if self.calls.contains_key(&c) {
                        self.caller_gone(c, now, out);
                    }
                }
                for a in agents {
                    self.agent_lost(a, now, out);
                }
            }
        }
    }

    fn arrive(&mut self, arr: CallArrival, now: u64, out: &mut Vec<AcdAction>) {
        let Some(q) = self.queues.get(&arr.queue).cloned() else {
            return Self::refuse(out, format!("unknown queue {}", arr.queue));
        };
        if self.calls.contains_key(&arr.call) {
            return Self::refuse(out, format!("call {} already queued", arr.call));
        }
        self.kpis.bump(q.id, now, |k| k.offered += 1);
        if !q.join_when_empty && !self.staffed(q.id) {
            self.kpis.bump(q.id, now, |k| k.exited += 1);
            out.push(AcdAction::Exit {
                call: arr.call,
                reason: ExitReason::NoAgents,
                target: q.exit.clone(),
            });
            return;
        }
        let call = Call {
            arrived: now,
            place: CallPlace::Waiting,
            ring_until: 0,
            callback: false,
            next_announce: q.announce_every_ms.map(|e| now + e.max(1)),
            arr,
        };
        let id = call.arr.call;
        self.waiting.insert(call.key());
        self.calls.insert(id, call);
        if let Some(lim) = q.callback_over_ms {
            let ewt = self.ewt_ms(id);
            if ewt > lim {
                self.kpis.bump(q.id, now, |k| k.callbacks_offered += 1);
                out.push(AcdAction::OfferCallback { call: id, ewt_ms: ewt });
            }
        }
    }

    /// A request that may have to wait for the end of the current call.
    fn request(&mut self, agent: AgentId, p: Pending, now: u64, out: &mut Vec<AcdAction>) {
        let Some(a) = self.agents.get(&agent) else {
            return Self::refuse(out, format!("unknown agent {agent}"));
        };
        match a.st.clone() {
            St::LoggedOut => Self::refuse(out, format!("agent {agent} is logged out")),
            St::Talking(_) | St::WrapUp { .. } => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.pending = Some(p);
                }
            }
            St::Reserved(call) => {
                // Withdraw the offer (no penalty: the agent asked), then apply.
                self.unring(call, agent, now, out);
                self.apply(agent, p, now, out);
            }
            St::Ready | St::NotReady(_) | St::Break { .. } => self.apply(agent, p, now, out),
        }
    }

    fn apply(&mut self, agent: AgentId, p: Pending, now: u64, out: &mut Vec<AcdAction>) {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.pending = None;
        }
        match p {
            Pending::Logout => {
                self.set_state(agent, St::LoggedOut, now, out);
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.channel = None;
                }
                self.leave_empty(now, out);
            }
            Pending::NotReady(r) => self.set_state(agent, St::NotReady(r), now, out),
            Pending::Break(d) => self.set_state(agent, St::Break { until: now + d }, now, out),
        }
    }

    fn make_ready(&mut self, agent: AgentId, now: u64, out: &mut Vec<AcdAction>) {
        let Some(a) = self.agents.get_mut(&agent) else {
            return Self::refuse(out, format!("unknown agent {agent}"));
        };
        match a.st {
            St::LoggedOut => Self::refuse(out, format!("agent {agent} is logged out")),
            St::Ready => {}
            St::Reserved(_) | St::Talking(_) => a.pending = None,
            St::WrapUp { .. } => {
                a.pending = None;
                self.end_handling(agent, now);
                self.agent_free(agent, now, out);
            }
            St::NotReady(_) | St::Break { .. } => {
                a.idle_since = now;
                self.set_state(agent, St::Ready, now, out);
            }
        }
    }

    fn agent_lost(&mut self, agent: AgentId, now: u64, out: &mut Vec<AcdAction>) {
        let Some(a) = self.agents.get(&agent) else { return };
        match a.st.clone() {
            St::LoggedOut => return,
            St::Reserved(call) => self.unring(call, agent, now, out),
            St::Talking(call) => {
                out.push(AcdAction::Release { call, reason: ReleaseReason::AgentLost });
                self.end_connected(call, Some(0), now, out);
            }
            _ => {}
        }
        self.request(agent, Pending::Logout, now, out);
        // Still talking or in wrap-up means end_connected left a pending logout; force it now.
        if let Some(a) = self.agents.get(&agent) {
            if a.st != St::LoggedOut {
                self.end_handling(agent, now);
                self.apply(agent, Pending::Logout, now, out);
            }
        }
    }

    fn answer(&mut self, agent: AgentId, call: CallId, now: u64, out: &mut Vec<AcdAction>) {
        let ringing = match self.calls.get(&call).map(|c| &c.place) {
            Some(CallPlace::Ringing(v)) if v.contains(&agent) => v.clone(),
            _ => return Self::refuse(out, format!("agent {agent} is not ringing with call {call}")),
        };
        for other in ringing.into_iter().filter(|o| *o != agent) {
            out.push(AcdAction::CancelOffer { call, agent: other });
            self.restore_ready(other, now, out);
        }
        let Some(c) = self.calls.get_mut(&call) else { return };
        c.place = CallPlace::Connected(agent);
        let (q, arrived, callback) = (c.arr.queue, c.arrived, c.callback);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.calls += 1;
            a.handling = Some((q, now));
        }
        self.set_state(agent, St::Talking(call), now, out);
        if callback {
            self.kpis.bump(q, now, |k| k.callbacks_dialled += 1);
            out.push(AcdAction::DialCallback { call, agent });
        } else {
            let wait = now - arrived;
            let sl = self.queues.get(&q).map_or(20_000, |x| x.sl_threshold_ms);
            self.kpis.bump(q, now, |k| {
                k.answered += 1;
                k.wait_ms += wait;
                k.longest_wait_ms = k.longest_wait_ms.max(wait);
                if wait <= sl {
                    k.answered_in_sl += 1;
                }
            });
            out.push(AcdAction::Bridge { call, agent });
        }
    }

    fn caller_gone(&mut self, call: CallId, now: u64, out: &mut Vec<AcdAction>) {
        let Some(c) = self.calls.get(&call) else {
            return Self::refuse(out, format!("unknown call {call}"));
        };
        if let CallPlace::Connected(_) = c.place {
            return self.end_connected(call, None, now, out);
        }
        let (q, wait) = (c.arr.queue, now - c.arrived);
        self.kpis.bump(q, now, |k| {
            k.abandoned += 1;
            k.longest_wait_ms = k.longest_wait_ms.max(wait);
            if wait < SHORT_ABANDON_MS {
                k.abandoned_short += 1;
            }
        });
        self.drop_unanswered(call, now, out);
    }

    /// Removes a waiting or ringing call, releasing any ringing agents.
    fn drop_unanswered(&mut self, call: CallId, now: u64, out: &mut Vec<AcdAction>) {
        let Some(c) = self.calls.remove(&call) else { return };
        self.waiting.remove(&c.key());
        if let CallPlace::Ringing(v) = c.place {
            for a in v {
                out.push(AcdAction::CancelOffer { call, agent: a });
                self.restore_ready(a, now, out);
            }
        }
    }

    fn end_connected(&mut self, call: CallId, wrap_ms: Option<u64>, now: u64, out: &mut Vec<AcdAction>) {
        let Some(c) = self.calls.remove(&call) else { return };
        let CallPlace::Connected(agent) = c.place else { return };
        let wrap = wrap_ms.unwrap_or_else(|| self.queues.get(&c.arr.queue).map_or(0, |q| q.wrap_up_ms));
        if wrap > 0 {
            self.set_state(agent, St::WrapUp { until: now + wrap }, now, out);
        } else {
            self.end_handling(agent, now);
            self.agent_free(agent, now, out);
        }
    }

    /// Closes the agent's handle-time measurement (end of wrap-up).
    fn end_handling(&mut self, agent: AgentId, now: u64) {
        let Some((q, start)) = self.agents.get_mut(&agent).and_then(|a| a.handling.take()) else { return };
        let ht = now.saturating_sub(start);
        self.kpis.bump(q, now, |k| {
            k.handled += 1;
            k.handle_ms += ht;
        });
        if let Some(e) = self.aht_est.get_mut(&q) {
            *e = 0.95 * *e + 0.05 * ht as f64;
        }
    }

    /// After a call (and wrap-up): pending request, else Ready.
    fn agent_free(&mut self, agent: AgentId, now: u64, out: &mut Vec<AcdAction>) {
        let Some(a) = self.agents.get_mut(&agent) else { return };
        match a.pending.take() {
            Some(p) => self.apply(agent, p, now, out),
            None => {
                a.idle_since = now;
                self.set_state(agent, St::Ready, now, out);
            }
        }
    }

    /// Back to Ready after an offer that went elsewhere (idle time keeps counting).
    fn restore_ready(&mut self, agent: AgentId, now: u64, out: &mut Vec<AcdAction>) {
        self.set_state(agent, St::Ready, now, out);
    }

    fn no_answer(&mut self, agent: AgentId, call: CallId, now: u64, out: &mut Vec<AcdAction>) {
        let q = self.calls.get(&call).map(|c| c.arr.queue);
        let policy =
            q.and_then(|q| self.queues.get(&q)).map_or(NoAnswerPolicy::NotReady, |x| x.no_answer.clone());
        if let Some(q) = q {
            self.kpis.bump(q, now, |k| k.no_answers += 1);
        }
        out.push(AcdAction::CancelOffer { call, agent });
        if let Some(a) = self.agents.get_mut(&agent) {
            a.no_answers += 1;
        }
        match policy {
            NoAnswerPolicy::NotReady => {
                self.remove_ringer(call, agent, now);
                self.set_state(agent, St::NotReady("no-answer".into()), now, out);
            }
            NoAnswerPolicy::Penalty(ms) => {
                if let Some(a) = self.agents.get_mut(&agent) {
                    a.penalty_until = now + ms;
                }
                self.remove_ringer(call, agent, now);
                self.set_state(agent, St::Ready, now, out);
            }
        }
    }

    /// Takes `agent` off `call`'s ringing list; an empty list puts the call back in its place.
    fn remove_ringer(&mut self, call: CallId, agent: AgentId, _now: u64) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        if let CallPlace::Ringing(v) = &mut c.place {
            v.retain(|a| *a != agent);
            if v.is_empty() {
                c.place = CallPlace::Waiting;
                let k = c.key();
                self.waiting.insert(k);
            }
        }
    }

    /// Withdraws an offer from one agent: cancel, agent Ready, call back in place if nobody rings.
    fn unring(&mut self, call: CallId, agent: AgentId, now: u64, out: &mut Vec<AcdAction>) {
        let still = matches!(self.agents.get(&agent), Some(a) if a.st == St::Reserved(call));
        if still {
            out.push(AcdAction::CancelOffer { call, agent });
            self.restore_ready(agent, now, out);
        }
        self.remove_ringer(call, agent, now);
    }

    fn set_state(&mut self, agent: AgentId, st: St, now: u64, out: &mut Vec<AcdAction>) {
        let Some(a) = self.agents.get_mut(&agent) else { return };
        let slot = match a.st {
            St::Ready => Some(0),
            St::Reserved(_) => Some(1),
            St::Talking(_) => Some(2),
            St::WrapUp { .. } => Some(3),
            St::NotReady(_) | St::Break { .. } => Some(4),
            St::LoggedOut => None,
        };
        if let Some(i) = slot {
            a.acc[i] += now.saturating_sub(a.since);
        }
        let changed = a.st.public() != st.public() || a.st != st;
        if let St::Reserved(_) = st {
            a.offers += 1;
        }
        a.since = now;
        a.st = st;
        if changed {
            let reason = match &a.st {
                St::NotReady(r) => Some(r.clone()),
                _ => None,
            };
            out.push(AcdAction::AgentState { agent, state: a.st.public(), reason });
        }
    }

    // ---- timers -------------------------------------------------------------------------

    fn expire(&mut self, now: u64, out: &mut Vec<AcdAction>) {
        let rung_out: Vec<(CallId, Vec<AgentId>)> = self
            .calls
            .values()
            .filter_map(|c| match &c.place {
                CallPlace::Ringing(v) if c.ring_until <= now => Some((c.arr.call, v.clone())),
                _ => None,
            })
            .collect();
        for (call, agents) in rung_out {
            for a in agents {
                self.no_answer(a, call, now, out);
            }
        }
        let done: Vec<(AgentId, bool)> = self
            .agents
            .values()
            .filter_map(|a| match a.st {
                St::WrapUp { until } if until <= now => Some((a.cfg.id, true)),
                St::Break { until } if until <= now => Some((a.cfg.id, false)),
                _ => None,
            })
            .collect();
        for (a, wrap) in done {
            if wrap {
                self.end_handling(a, now);
                self.agent_free(a, now, out);
            } else {
                if let Some(x) = self.agents.get_mut(&a) {
                    x.idle_since = now;
                }
                self.set_state(a, St::Ready, now, out);
            }
        }
        let waiting: Vec<CallId> = self.waiting.iter().map(|k| k.2).collect();
        for id in waiting {
            let Some(c) = self.calls.get(&id) else { continue };
            let Some(q) = self.queues.get(&c.arr.queue) else { continue };
            if let (Some(m), false) = (q.max_wait_ms, c.callback) {
                if now >= c.arrived + m {
                    let (qid, target) = (q.id, q.exit.clone());
                    self.kpis.bump(qid, now, |k| k.exited += 1);
                    out.push(AcdAction::Exit { call: id, reason: ExitReason::MaxWait, target });
                    self.drop_unanswered(id, now, out);
                    continue;
                }
            }
            if let (Some(t), Some(every)) = (c.next_announce, q.announce_every_ms) {
                if now >= t {
                    let position = self.position(id);
                    let ewt_ms = self.ewt_ms(id);
                    out.push(AcdAction::Announce { call: id, position, ewt_ms });
                    if let Some(c) = self.calls.get_mut(&id) {
                        c.next_announce = Some(now + every.max(1));
                    }
                }
            }
        }
    }

    /// Sends waiting callers of queues that nobody staffs any more to the exit.
    fn leave_empty(&mut self, now: u64, out: &mut Vec<AcdAction>) {
        let waiting: Vec<CallId> = self.waiting.iter().map(|k| k.2).collect();
        for id in waiting {
            let Some(q) = self.calls.get(&id).and_then(|c| self.queues.get(&c.arr.queue)) else { continue };
            if q.leave_when_empty && !self.staffed(q.id) {
                let (qid, target) = (q.id, q.exit.clone());
                self.kpis.bump(qid, now, |k| k.exited += 1);
                out.push(AcdAction::Exit { call: id, reason: ExitReason::NoAgents, target });
                self.drop_unanswered(id, now, out);
            }
        }
    }

    // ---- routing ------------------------------------------------------------------------

    /// Queues a call can be served from at `now`, with the time spent in each.
    fn targets(&self, c: &Call, now: u64) -> Vec<(QueueId, u64)> {
        let mut v = Vec::with_capacity(2);
        let (mut q, mut w) = (c.arr.queue, now.saturating_sub(c.arrived));
        v.push((q, w));
        for _ in 0..MAX_HOPS {
            match self.queues.get(&q).and_then(|x| x.overflow) {
                Some((after, next)) if w >= after && !v.iter().any(|(x, _)| *x == next) => {
                    w -= after;
                    q = next;
                    v.push((q, w));
                }
                _ => break,
            }
        }
        v
    }

    fn eligible_at(&self, a: &Agent, c: &Call, now: u64) -> Option<QueueId> {
        if a.st != St::Ready || a.penalty_until > now {
            return None;
        }
        let targets = self.targets(c, now);
        if let Some(s) = c.arr.sticky {
            let q = self.queues.get(&c.arr.queue)?;
            let sticky_on = self.agents.get(&s).is_some_and(|x| x.st != St::LoggedOut);
            if sticky_on && now < c.arrived + q.sticky_wait_ms {
                return if a.cfg.id == s {
                    targets.iter().find(|(q, _)| a.cfg.level(*q).is_some()).map(|t| t.0)
                } else {
                    None
                };
            }
        }
        targets.into_iter().find_map(|(q, w)| {
            let max = self.queues.get(&q)?.max_level(w);
            a.cfg.level(q).filter(|l| *l <= max).map(|_| q)
        })
    }

    /// Whether `agent` could take `call` right now (Ready, skilled at an unlocked level, sticky rules).
    pub fn is_eligible(&self, agent: AgentId, call: CallId) -> bool {
        match (self.agents.get(&agent), self.calls.get(&call)) {
            (Some(a), Some(c)) if c.place == CallPlace::Waiting => self.eligible_at(a, c, self.now).is_some(),
            _ => false,
        }
    }

    fn dispatch(&mut self, now: u64, out: &mut Vec<AcdAction>) {
        let mut ready: Vec<AgentId> = self
            .agents
            .values()
            .filter(|a| a.st == St::Ready && a.penalty_until <= now)
            .map(|a| a.cfg.id)
            .collect();
        if ready.is_empty() || self.waiting.is_empty() {
            return;
        }
        let keys: Vec<CallId> = self.waiting.iter().map(|k| k.2).collect();
        for id in keys {
            if ready.is_empty() {
                break;
            }
            let Some(c) = self.calls.get(&id) else { continue };
            let cands: Vec<(AgentId, QueueId)> = ready
                .iter()
                .filter_map(|a| self.agents.get(a).and_then(|x| self.eligible_at(x, c, now)).map(|q| (*a, q)))
                .collect();
            if cands.is_empty() {
                continue;
            }
            let primary = c.arr.queue;
            let strategy = self.queues.get(&primary).map_or(Strategy::LongestIdle, |q| q.strategy);
            let chosen = self.pick(strategy, primary, &cands);
            ready.retain(|a| !chosen.iter().any(|(x, _)| x == a));
            self.offer(id, &chosen, now, out);
        }
    }

    fn pick(&mut self, s: Strategy, q: QueueId, cands: &[(AgentId, QueueId)]) -> Vec<(AgentId, QueueId)> {
        if s == Strategy::RingAll {
            return cands.to_vec();
        }
        let random = if s == Strategy::Random { self.rng.below(cands.len()) } else { 0 };
        let ag = |id: &AgentId| &self.agents[id];
        let one = match s {
            Strategy::RingAll => None,
            Strategy::LongestIdle => cands.iter().min_by_key(|(a, _)| (ag(a).idle_since, *a)),
            Strategy::FewestCalls => cands.iter().min_by_key(|(a, _)| (ag(a).calls, ag(a).idle_since, *a)),
            Strategy::LeastTalkTime => cands.iter().min_by_key(|(a, _)| (ag(a).acc[2], ag(a).idle_since, *a)),
            Strategy::Linear => cands.iter().min_by_key(|(a, _)| *a),
            Strategy::Random => cands.get(random),
            Strategy::RoundRobin => {
                let last = self.rr_last.get(&q).copied();
                let mut sorted: Vec<&(AgentId, QueueId)> = cands.iter().collect();
                sorted.sort_by_key(|(a, _)| *a);
                let next = last.and_then(|l| sorted.iter().find(|(a, _)| *a > l).copied());
                next.or(sorted.first().copied())
            }
        };
        let v: Vec<(AgentId, QueueId)> = one.into_iter().copied().collect();
        if let Some((a, _)) = v.first() {
            self.rr_last.insert(q, *a);
        }
        v
    }

    fn offer(&mut self, call: CallId, agents: &[(AgentId, QueueId)], now: u64, out: &mut Vec<AcdAction>) {
        let Some(c) = self.calls.get_mut(&call) else { return };
        let timeout = self.queues.get(&c.arr.queue).map_or(15_000, |q| q.ring_timeout_ms);
        let k = c.key();
        self.waiting.remove(&k);
        c.place = CallPlace::Ringing(agents.iter().map(|(a, _)| *a).collect());
        c.ring_until = now + timeout.max(1);
        let (pop, primary) = (c.arr.pop.clone(), c.arr.queue);
        let n = agents.len() as u64;
        self.kpis.bump(primary, now, |k| k.offers += n);
        for (a, q) in agents {
            self.set_state(*a, St::Reserved(call), now, out);
            out.push(AcdAction::Offer { call, agent: *a, queue: *q, pop: pop.clone() });
        }
    }

    // ---- queries ------------------------------------------------------------------------

    fn staffed(&self, q: QueueId) -> bool {
        self.agents.values().any(|a| a.st != St::LoggedOut && a.cfg.level(q).is_some())
    }

    /// 1-based position of a waiting call among its queue's waiting calls.
    pub fn position(&self, call: CallId) -> usize {
        let Some(c) = self.calls.get(&call) else { return 0 };
        let key = c.key();
        1 + self
            .waiting
            .range(..key)
            .filter(|k| self.calls.get(&k.2).is_some_and(|x| x.arr.queue == c.arr.queue))
            .count()
    }

    /// Estimated wait of a waiting call: position × smoothed handle time ÷ agents staffing the queue.
    pub fn ewt_ms(&self, call: CallId) -> u64 {
        let Some(c) = self.calls.get(&call) else { return 0 };
        let q = c.arr.queue;
        let staffed = self
            .agents
            .values()
            .filter(|a| {
                !matches!(a.st, St::LoggedOut | St::NotReady(_) | St::Break { .. })
                    && a.cfg.level(q) == Some(1)
            })
            .count();
        let free = self.agents.values().filter(|a| a.st == St::Ready && a.cfg.level(q).is_some()).count();
        let pos = self.position(call);
        if free >= pos {
            return 0;
        }
        let aht = self.aht_est.get(&q).copied().unwrap_or(240_000.0);
        (pos as f64 * aht / staffed.max(1) as f64) as u64
    }

    /// Where a call is, if the ACD holds it.
    pub fn call_place(&self, call: CallId) -> Option<CallPlace> {
        self.calls.get(&call).map(|c| c.place.clone())
    }

    /// Calls waiting, in service order.
    pub fn waiting_calls(&self) -> Vec<CallId> {
        self.waiting.iter().map(|k| k.2).collect()
    }

    /// Number of calls the ACD holds (waiting, ringing, connected).
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// Every agent's state.
    pub fn agents(&self) -> Vec<AgentView> {
        self.agents.values().map(|a| self.view(a)).collect()
    }

    /// One agent's state.
    pub fn agent(&self, id: AgentId) -> Option<AgentView> {
        self.agents.get(&id).map(|a| self.view(a))
    }

    fn view(&self, a: &Agent) -> AgentView {
        AgentView {
            agent: a.cfg.id,
            state: a.st.public(),
            reason: match &a.st {
                St::NotReady(r) => Some(r.clone()),
                _ => None,
            },
            call: match a.st {
                St::Reserved(c) | St::Talking(c) => Some(c),
                _ => None,
            },
            since_ms: a.since,
            channel: a.channel,
            calls: a.calls,
            skills: a.cfg.skills.clone(),
        }
    }

    /// Live KPIs at `now`.
    pub fn kpi_snapshot(&self, now: Ms) -> KpiSnapshot {
        let now = now.0.max(self.now);
        let queues = self
            .queues
            .values()
            .map(|q| {
                let totals = self.kpis.totals.get(&q.id).cloned().unwrap_or_default();
                let waiting: Vec<&Call> = self
                    .calls
                    .values()
                    .filter(|c| c.arr.queue == q.id && !matches!(c.place, CallPlace::Connected(_)))
                    .collect();
                QueueKpi {
                    queue: q.id,
                    name: q.name.clone(),
                    service_level: totals.service_level(),
                    asa_s: totals.asa_s(),
                    aht_s: totals.aht_s(),
                    waiting: waiting.len(),
                    longest_waiting_ms: waiting.iter().map(|c| now - c.arrived).max().unwrap_or(0),
                    totals,
                }
            })
            .collect();
        let agents = self
            .agents
            .values()
            .map(|a| {
                let mut acc = a.acc;
                let live = now.saturating_sub(a.since);
                match a.st {
                    St::Ready => acc[0] += live,
                    St::Reserved(_) => acc[1] += live,
                    St::Talking(_) => acc[2] += live,
                    St::WrapUp { .. } => acc[3] += live,
                    St::NotReady(_) | St::Break { .. } => acc[4] += live,
                    St::LoggedOut => {}
                }
                let busy = acc[1] + acc[2] + acc[3];
                AgentKpi {
                    agent: a.cfg.id,
                    calls: a.calls,
                    offers: a.offers,
                    no_answers: a.no_answers,
                    idle_ms: acc[0],
                    reserved_ms: acc[1],
                    talk_ms: acc[2],
                    wrap_ms: acc[3],
                    away_ms: acc[4],
                    occupancy: if busy + acc[0] == 0 { 0.0 } else { busy as f64 / (busy + acc[0]) as f64 },
                }
            })
            .collect();
        KpiSnapshot { at_ms: now, queues, agents }
    }

    /// Totals per queue.
    pub fn totals(&self) -> BTreeMap<QueueId, QueueCounters> {
        self.kpis.totals.clone()
    }

    /// Per-interval counters, oldest first.
    pub fn interval_kpis(&self) -> Vec<IntervalKpi> {
        self.kpis
            .intervals
            .iter()
            .map(|((start, q), c)| IntervalKpi {
                start_ms: *start,
                len_ms: self.kpis.interval_ms,
                queue: *q,
                counters: c.clone(),
            })
            .collect()
    }

    // ---- invariants ---------------------------------------------------------------------

    /// Checks that every call is in exactly one place, every reserved/talking agent points at a
    /// call that points back, and no waiting call has an eligible ready agent (no stall).
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut n_wait = 0;
        for (id, c) in &self.calls {
            if c.arr.call != *id {
                return Err(format!("call {id} stored under the wrong key"));
            }
            let queued = self.waiting.contains(&c.key());
            match &c.place {
                CallPlace::Waiting => {
                    n_wait += 1;
                    if !queued {
                        return Err(format!("call {id} waiting but not in the queue"));
                    }
                    if let Some(a) = self.agents.values().find(|a| self.eligible_at(a, c, self.now).is_some())
                    {
                        return Err(format!("call {id} waits while eligible agent {} is ready", a.cfg.id));
                    }
                }
                CallPlace::Ringing(v) => {
                    if queued || v.is_empty() {
                        return Err(format!("call {id} ringing but queued or ringing nobody"));
                    }
                    let mut seen = BTreeSet::new();
                    for a in v {
                        if !seen.insert(*a) {
                            return Err(format!("call {id} offered twice to agent {a}"));
                        }
                        if self.agents.get(a).map(|x| &x.st) != Some(&St::Reserved(*id)) {
                            return Err(format!("call {id} rings agent {a} who is not reserved for it"));
                        }
                    }
                }
                CallPlace::Connected(a) => {
                    if queued || self.agents.get(a).map(|x| &x.st) != Some(&St::Talking(*id)) {
                        return Err(format!("call {id} connected to agent {a} who is not talking to it"));
                    }
                }
            }
        }
        // Every call counted exactly once: joined = left the queue (each way counted once) + still in it.
        for (q, k) in &self.kpis.totals {
            let inside = self
                .calls
                .values()
                .filter(|c| c.arr.queue == *q && !matches!(c.place, CallPlace::Connected(_)))
                .count() as u64;
            if k.offered != k.left_queue() + inside {
                return Err(format!(
                    "queue {q}: {} offered but {} left + {inside} inside (a call counted twice or lost)",
                    k.offered,
                    k.left_queue()
                ));
            }
        }
        if n_wait != self.waiting.len() {
            return Err(format!("{} queue entries for {n_wait} waiting calls", self.waiting.len()));
        }
        for a in self.agents.values() {
            match a.st {
                St::Reserved(c) => match self.calls.get(&c).map(|x| &x.place) {
                    Some(CallPlace::Ringing(v)) if v.contains(&a.cfg.id) => {}
                    _ => {
                        return Err(format!(
                            "agent {} reserved for call {c} that is not ringing them",
                            a.cfg.id
                        ))
                    }
                },
                St::Talking(c) => match self.calls.get(&c).map(|x| &x.place) {
                    Some(CallPlace::Connected(x)) if *x == a.cfg.id => {}
                    _ => return Err(format!("agent {} talking on call {c} that is not theirs", a.cfg.id)),
                },
                St::LoggedOut if a.handling.is_some() => {
                    return Err(format!("agent {} logged out while handling a call", a.cfg.id))
                }
                _ => {}
            }
        }
        Ok(())
    }
}
