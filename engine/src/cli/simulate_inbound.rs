//! `trunkctl simulate inbound`: an event-level simulation of the inbound centre driving the real
//! [`Acd`](crate::acd::Acd), with independent correctness counters, and `--validate erlang`.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use clap::Args;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::acd::erlang;
use crate::acd::ivr::{IvrConfig, IvrSession, Menu, MenuAction};
use crate::acd::{Acd, AcdAction, AcdInput, AgentConfig, QueueConfig, Strategy};
use crate::model::{AgentId, AgentState, CallId, Ms, QueueId};

/// Arguments of `trunkctl simulate inbound`.
#[derive(Debug, Args)]
pub struct InboundArgs {
    /// Agents.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// Simulated hours (the 8-hour day profile repeats).
    #[arg(long, default_value_t = 8.0)]
    pub hours: f64,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Strategy (longest-idle, round-robin, fewest-calls, least-talk-time, random, ring-all,
    /// linear) or `all` for a comparison table.
    #[arg(long, default_value = "longest-idle")]
    pub strategy: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// `erlang`: compare single-skill FCFS with Erlang C and Erlang A.
    #[arg(long)]
    pub validate: Option<String>,
    /// Seeds per validation point.
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
}

/// What to simulate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// The call-centre scenario.
    Scenario,
    /// Single skill, FCFS, exponential service; exponential patience with this mean if `Some`.
    Erlang {
        /// Mean patience, s.
        patience_s: Option<f64>,
        /// Arrivals per hour.
        lambda_h: f64,
        /// Mean service, s.
        aht_s: f64,
    },
}

/// One simulation run's parameters.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Agents.
    pub agents: usize,
    /// Hours.
    pub hours: f64,
    /// Seed.
    pub seed: u64,
    /// Strategy of every queue.
    pub strategy: Strategy,
    /// Scenario or validation.
    pub mode: Mode,
}

/// Counters that must be zero.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Correctness {
    /// Offers to an agent already ringing or talking, or of a call already answered.
    pub double_offers: u64,
    /// Calls bridged twice, or ACD totals disagreeing with the simulator's truth.
    pub double_counted: u64,
    /// Agents reserved for a call more than 60 s after its caller left.
    pub stuck_reserved: u64,
    /// Offers to an agent still in wrap-up (from any queue).
    pub wrap_violations: u64,
    /// Callers waiting more than 2 s while an eligible agent was idle.
    pub idle_while_waiting: u64,
    /// Invariant check failures.
    pub invariant_failures: u64,
}

/// The results.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SimReport {
    /// Strategy name.
    pub strategy: String,
    /// Agents.
    pub agents: usize,
    /// Hours.
    pub hours: f64,
    /// Seed.
    pub seed: u64,
    /// Callers arrived.
    pub offered: u64,
    /// Answered by an agent (not counting callbacks).
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// SL(20 s) overall.
    pub sl20: f64,
    /// SL(20 s) per queue.
    pub sl20_by_queue: BTreeMap<String, f64>,
    /// ASA, s.
    pub asa_s: f64,
    /// Abandoned / offered.
    pub abandon_pct: f64,
    /// Abandoned after 5 s / offered.
    pub abandon_gt5_pct: f64,
    /// 95th percentile wait of answered calls, s.
    pub p95_wait_s: f64,
    /// Agent occupancy.
    pub occupancy: f64,
    /// Offers per answered call (callbacks included).
    pub offers_per_answer: f64,
    /// CV of calls / talk / idle among agents with the same skills.
    pub fairness_cv: [f64; 3],
    /// ASA of VIP and non-VIP callers, s.
    pub asa_vip_s: [f64; 2],
    /// Returning callers answered by their sticky agent / returning callers answered.
    pub sticky_hit: f64,
    /// Callbacks completed / accepted.
    pub callback_completion: f64,
    /// Callbacks accepted.
    pub callbacks: u64,
    /// Fraction of arrivals who waited at all.
    pub p_wait: f64,
    /// Fraction of arrivals answered within 20 s.
    pub answered_in_20_frac: f64,
    /// Must all be 0.
    pub correctness: Correctness,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrival,
    Abandon(CallId),
    Answer(AgentId, CallId),
    TalkEnd(CallId),
    ReadyAgain(AgentId),
    BreakStart(AgentId),
    CallbackDialed(CallId, bool),
    Check,
}

#[derive(Clone, Debug, Default)]
struct SCall {
    queue: usize,
    arrival: u64,
    vip: bool,
    caller: u64,
    sticky: Option<AgentId>,
    gone_at: Option<u64>,
    answered: bool,
    done: bool,
    callback: bool,
    agent: Option<AgentId>,
    /// Arrived after the warm-up: counted in the service figures.
    measured: bool,
}

#[derive(Clone, Debug, Default)]
struct SAgent {
    ringing: Option<CallId>,
    talking: Option<CallId>,
    wrap_until: u64,
    skills: Vec<usize>,
}

const HOURLY: [f64; 8] = [0.6, 0.9, 1.2, 1.3, 1.0, 1.1, 1.2, 0.7];
const QUEUE_NAMES: [&str; 3] = ["sales", "support", "billing"];
const QUEUE_MIX: [f64; 3] = [0.4, 0.4, 0.2];
const HOUR_MS: u64 = 3_600_000;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Lognormal with the given mean and standard deviation.
fn lognormal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    let s2 = (1.0 + (sd * sd) / (mean * mean)).ln();
    let mu = mean.ln() - s2 / 2.0;
    (mu + s2.sqrt() * normal(rng)).exp()
}

fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let u: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    -mean * u.ln()
}

fn pick_queue(rng: &mut ChaCha8Rng) -> usize {
    let u: f64 = rng.gen();
    if u < QUEUE_MIX[0] {
        0
    } else if u < QUEUE_MIX[0] + QUEUE_MIX[1] {
        1
    } else {
        2
    }
}

fn qid(i: usize) -> QueueId {
    QueueId(i as u64 + 1)
}

struct Sim {
    cfg: SimConfig,
    rng: ChaCha8Rng,
    acd: Acd,
    ivr: IvrConfig,
    heap: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    calls: BTreeMap<CallId, SCall>,
    agents: BTreeMap<AgentId, SAgent>,
    next_call: u64,
    customers: Vec<(u64, AgentId, usize)>,
    end: u64,
    r: SimReport,
    waits: Vec<u64>,
    vip_waits: [(u64, u64); 2],
    sticky: (u64, u64),
    offers: u64,
    callbacks_answered: u64,
    waited: u64,
    in20: u64,
    per_q: [(u64, u64, u64); 3],
    warmup: u64,
    m_offered: u64,
    m_abandoned: u64,
    idle_seen: BTreeMap<CallId, u64>,
    stuck_seen: BTreeMap<(AgentId, CallId), ()>,
}

impl Sim {
    fn push(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Reverse((t, self.seq, ev)));
    }

    fn scenario(&self) -> bool {
        self.cfg.mode == Mode::Scenario
    }

    fn rate_per_ms(&self, t: u64) -> f64 {
        match self.cfg.mode {
            Mode::Scenario => 400.0 * HOURLY[((t / HOUR_MS) % 8) as usize] / HOUR_MS as f64,
            Mode::Erlang { lambda_h, .. } => lambda_h / HOUR_MS as f64,
        }
    }

    fn next_arrival(&mut self, t: u64) {
        // Thinning for the non-homogeneous Poisson process.
        let max = match self.cfg.mode {
            Mode::Scenario => 400.0 * 1.3 / HOUR_MS as f64,
            Mode::Erlang { lambda_h, .. } => lambda_h / HOUR_MS as f64,
        };
        let mut t = t as f64;
        loop {
            t += exponential(&mut self.rng, 1.0 / max);
            if t as u64 >= self.end {
                return;
            }
            let u: f64 = self.rng.gen();
            if u * max <= self.rate_per_ms(t as u64) {
                self.push(t as u64, Ev::Arrival);
                return;
            }
        }
    }

    fn feed(&mut self, input: AcdInput, now: u64) {
        let acts = self.acd.on_event(input, Ms(now));
        self.actions(acts, now);
    }

    fn actions(&mut self, acts: Vec<AcdAction>, now: u64) {
        for a in acts {
            self.action(a, now);
        }
    }

    fn action(&mut self, a: AcdAction, now: u64) {
        let scen = self.scenario();
        match a {
            AcdAction::Offer { call, agent, .. } => {
                self.offers += 1;
                let c = &mut self.r.correctness;
                let ag = self.agents.entry(agent).or_default();
                if ag.ringing.is_some() || ag.talking.is_some() {
                    c.double_offers += 1;
                }
                if ag.wrap_until > now {
                    c.wrap_violations += 1;
                }
                if self.calls.get(&call).is_none_or(|x| x.answered || x.done) {
                    c.double_offers += 1;
                }
                ag.ringing = Some(call);
                let no_answer = scen && self.rng.gen::<f64>() < 0.02;
                if !no_answer {
                    let delay = if scen { self.rng.gen_range(2_000..6_000) } else { 0 };
                    self.push(now + delay, Ev::Answer(agent, call));
                }
            }
            AcdAction::CancelOffer { call, agent } => {
                if let Some(ag) = self.agents.get_mut(&agent) {
                    if ag.ringing == Some(call) {
                        ag.ringing = None;
                    }
                }
            }
            AcdAction::Bridge { call, agent } | AcdAction::DialCallback { call, agent } => {
                let callback = matches!(a, AcdAction::DialCallback { .. });
                if let Some(ag) = self.agents.get_mut(&agent) {
                    ag.ringing = None;
                    ag.talking = Some(call);
                }
                let Some(c) = self.calls.get_mut(&call) else {
                    self.r.correctness.double_counted += 1;
                    return;
                };
                if c.answered {
                    self.r.correctness.double_counted += 1;
                }
                c.answered = true;
                c.agent = Some(agent);
                if callback {
                    let ok = self.rng.gen::<f64>() < 0.85;
                    self.push(now + 10_000, Ev::CallbackDialed(call, ok));
                    return;
                }
                let wait = now - c.arrival;
                let (vip, sticky, q, measured) = (c.vip, c.sticky, c.queue, c.measured);
                self.r.answered += 1;
                let talk = match self.cfg.mode {
                    Mode::Scenario => lognormal(&mut self.rng, 210.0, 180.0),
                    Mode::Erlang { aht_s, .. } => exponential(&mut self.rng, aht_s),
                };
                self.push(now + (talk * 1000.0) as u64, Ev::TalkEnd(call));
                if !measured {
                    return;
                }
                self.waits.push(wait);
                if wait > 0 {
                    self.waited += 1;
                }
                if wait <= 20_000 {
                    self.in20 += 1;
                    self.per_q[q].0 += 1;
                }
                self.per_q[q].1 += 1;
                let v = &mut self.vip_waits[usize::from(!vip)];
                v.0 += wait;
                v.1 += 1;
                if sticky.is_some() {
                    self.sticky.1 += 1;
                    if sticky == Some(agent) {
                        self.sticky.0 += 1;
                    }
                }
            }
            AcdAction::OfferCallback { call, .. } if self.rng.gen::<f64>() < 0.5 => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.callback = true;
                }
                self.r.callbacks += 1;
                self.feed(AcdInput::AcceptCallback { call }, now);
            }
            AcdAction::AgentState { agent, state: AgentState::NotReady, reason }
                if reason.as_deref() == Some("no-answer") =>
            {
                self.push(now + 30_000, Ev::ReadyAgain(agent));
            }
            AcdAction::Exit { call, .. } | AcdAction::Release { call, .. } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.done = true;
                    c.gone_at = Some(now);
                    if let Some(ag) = c.agent.and_then(|a| self.agents.get_mut(&a)) {
                        ag.talking = None;
                    }
                }
            }
            _ => {}
        }
    }

    fn event(&mut self, t: u64, ev: Ev) {
        match ev {
            Ev::Arrival => {
                self.next_arrival(t);
                self.next_call += 1;
                let id = CallId(self.next_call);
                let scen = self.scenario();
                let mut queue = if scen { pick_queue(&mut self.rng) } else { 0 };
                let vip = scen && self.rng.gen::<f64>() < 0.1;
                let returning = scen && !self.customers.is_empty() && self.rng.gen::<f64>() < 0.2;
                // A returning caller calls the same queue again and asks for the agent who served them.
                let (caller, sticky) = if returning {
                    let i = self.rng.gen_range(0..self.customers.len());
                    queue = self.customers[i].2;
                    (self.customers[i].0, Some(self.customers[i].1))
                } else {
                    (1_000_000 + self.next_call, None)
                };
                let patience = match self.cfg.mode {
                    Mode::Scenario => Some(lognormal(&mut self.rng, 180.0, 180.0)),
                    Mode::Erlang { patience_s, .. } => patience_s.map(|m| exponential(&mut self.rng, m)),
                };
                let measured = t >= self.warmup;
                self.calls.insert(
                    id,
                    SCall { queue, arrival: t, vip, caller, sticky, measured, ..SCall::default() },
                );
                self.r.offered += 1;
                self.m_offered += u64::from(measured);
                if let Some(p) = patience {
                    self.push(t + (p * 1000.0) as u64, Ev::Abandon(id));
                }
                // The caller walks the IVR: 1-3 pick the queue, 7-9 the same queues as VIP.
                let mut session = IvrSession::new(&self.ivr);
                session.start(&self.ivr);
                let digit = char::from(b'1' + queue as u8 + if vip { 6 } else { 0 });
                let step = session.on_digit(&self.ivr, digit);
                let caller = caller.to_string();
                let key = sticky.map(|_| format!("cust-{caller}"));
                match session.arrival(&self.ivr, &step, id, &caller, sticky, key) {
                    Some(arr) => self.feed(AcdInput::Arrive(arr), t),
                    None => self.r.correctness.invariant_failures += 1,
                }
            }
            Ev::Abandon(call) => {
                let Some(c) = self.calls.get_mut(&call) else { return };
                if c.answered || c.done || c.callback {
                    return;
                }
                c.done = true;
                c.gone_at = Some(t);
                let wait = t - c.arrival;
                self.r.abandoned += 1;
                if c.measured {
                    self.m_abandoned += 1;
                    if wait >= 5_000 {
                        self.per_q[c.queue].1 += 1;
                        self.per_q[c.queue].2 += 1;
                    }
                    self.waited += 1;
                }
                self.feed(AcdInput::CallerHangup { call }, t);
            }
            Ev::Answer(agent, call) => {
                if self.agents.get(&agent).is_some_and(|a| a.ringing == Some(call)) {
                    self.feed(AcdInput::AgentAnswer { agent, call }, t);
                }
            }
            Ev::TalkEnd(call) => {
                let Some(c) = self.calls.get_mut(&call) else { return };
                c.done = true;
                c.gone_at = Some(t);
                let (caller, agent, queue) = (c.caller, c.agent, c.queue);
                let wrap = match self.cfg.mode {
                    Mode::Scenario => (lognormal(&mut self.rng, 30.0, 15.0) * 1000.0) as u64,
                    Mode::Erlang { .. } => 0,
                };
                if let Some(a) = agent {
                    if let Some(ag) = self.agents.get_mut(&a) {
                        ag.talking = None;
                        ag.wrap_until = t + wrap;
                    }
                    if self.customers.len() < 50_000 {
                        self.customers.push((caller, a, queue));
                    }
                }
                self.feed(AcdInput::CallEnd { call, wrap_ms: Some(wrap) }, t);
            }
            Ev::ReadyAgain(agent) => {
                if self.acd.agent(agent).is_some_and(|a| a.state == AgentState::NotReady) {
                    self.feed(AcdInput::Ready { agent }, t);
                }
            }
            Ev::BreakStart(agent) => {
                if t < self.end {
                    self.feed(AcdInput::Break { agent, duration_ms: 15 * 60_000 }, t);
                }
            }
            Ev::CallbackDialed(call, answered) => {
                self.feed(AcdInput::CallbackResult { call, answered }, t);
                if answered {
                    self.callbacks_answered += 1;
                    let talk = lognormal(&mut self.rng, 210.0, 180.0);
                    self.push(t + (talk * 1000.0) as u64, Ev::TalkEnd(call));
                }
            }
            Ev::Check => {
                self.check(t);
                if t < self.end {
                    self.push(t + 1_000, Ev::Check);
                }
            }
        }
    }

    fn check(&mut self, t: u64) {
        let views = self.acd.agents();
        for v in &views {
            if v.state == AgentState::Reserved {
                if let Some(c) = v.call {
                    let gone = self.calls.get(&c).and_then(|x| x.gone_at);
                    if gone.is_some_and(|g| t > g + 60_000)
                        && self.stuck_seen.insert((v.agent, c), ()).is_none()
                    {
                        self.r.correctness.stuck_reserved += 1;
                    }
                }
            }
        }
        let ready: Vec<AgentId> =
            views.iter().filter(|v| v.state == AgentState::Ready).map(|v| v.agent).collect();
        let waiting = self.acd.waiting_calls();
        let mut still = BTreeMap::new();
        if !ready.is_empty() {
            for c in waiting {
                if ready.iter().any(|a| self.acd.is_eligible(*a, c)) {
                    let since = self.idle_seen.get(&c).copied().unwrap_or(t);
                    if t - since > 2_000 {
                        self.r.correctness.idle_while_waiting += 1;
                    } else {
                        still.insert(c, since);
                    }
                }
            }
        }
        self.idle_seen = still;
        if self.acd.check_invariants().is_err() {
            self.r.correctness.invariant_failures += 1;
        }
    }
}

/// The simulated centre's IVR: one menu, a digit per queue, and VIP digits.
fn ivr_config() -> IvrConfig {
    let mut options = BTreeMap::new();
    for i in 0..3u8 {
        let queue = u64::from(i) + 1;
        options.insert(char::from(b'1' + i).to_string(), MenuAction::Queue { queue, priority: 0 });
        options.insert(char::from(b'7' + i).to_string(), MenuAction::Queue { queue, priority: 1 });
    }
    let main = Menu {
        prompt: "welcome.wav".into(),
        digit_timeout_ms: 5_000,
        max_tries: 3,
        invalid_prompt: None,
        on_fail: MenuAction::Queue { queue: 2, priority: 0 },
        options,
    };
    IvrConfig {
        start: "main".into(),
        menus: BTreeMap::from([("main".to_string(), main)]),
        vip_callers: Vec::new(),
    }
}

fn queue_configs(strategy: Strategy, mode: Mode) -> Vec<QueueConfig> {
    match mode {
        Mode::Scenario => (0..3)
            .map(|i| {
                let mut q = QueueConfig::new(qid(i), QUEUE_NAMES[i], strategy);
                q.expansion = vec![(30_000, 2)];
                q.overflow = Some((60_000, qid(if i == 1 { 0 } else { 1 })));
                q.callback_over_ms = Some(120_000);
                q.sticky_wait_ms = 30_000;
                q.aht_hint_ms = 240_000;
                q
            })
            .collect(),
        Mode::Erlang { aht_s, .. } => {
            let mut q = QueueConfig::new(qid(0), "erlang", strategy);
            q.wrap_up_ms = 0;
            q.aht_hint_ms = (aht_s * 1000.0) as u64;
            vec![q]
        }
    }
}

fn agent_skills(i: usize, n: usize, rng: &mut ChaCha8Rng, scen: bool) -> Vec<(QueueId, u8)> {
    if !scen {
        return vec![(qid(0), 1)];
    }
    let primary = pick_queue(rng);
    let frac = i as f64 / n as f64;
    let mut v = vec![(qid(primary), 1)];
    if frac >= 0.9 {
        v.extend((0..3).filter(|q| *q != primary).map(|q| (qid(q), 2)));
    } else if frac >= 0.6 {
        let other = (primary + 1 + rng.gen_range(0..2)) % 3;
        v.push((qid(other), 2));
    }
    v
}

/// Runs one simulation.
pub fn simulate(cfg: &SimConfig) -> SimReport {
    let end = (cfg.hours * HOUR_MS as f64) as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut acd = Acd::new(cfg.seed, 15 * 60_000);
    for q in queue_configs(cfg.strategy, cfg.mode) {
        acd.add_queue(q);
    }
    let scen = cfg.mode == Mode::Scenario;
    let mut sim = Sim {
        cfg: cfg.clone(),
        rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5EED),
        acd,
        ivr: ivr_config(),
        heap: BinaryHeap::new(),
        seq: 0,
        calls: BTreeMap::new(),
        agents: BTreeMap::new(),
        next_call: 0,
        customers: Vec::new(),
        end,
        r: SimReport {
            strategy: cfg.strategy.name().into(),
            agents: cfg.agents,
            hours: cfg.hours,
            seed: cfg.seed,
            ..SimReport::default()
        },
        waits: Vec::new(),
        vip_waits: [(0, 0); 2],
        sticky: (0, 0),
        offers: 0,
        callbacks_answered: 0,
        waited: 0,
        in20: 0,
        per_q: [(0, 0, 0); 3],
        warmup: match cfg.mode {
            Mode::Scenario => 0,
            Mode::Erlang { .. } => HOUR_MS,
        },
        m_offered: 0,
        m_abandoned: 0,
        idle_seen: BTreeMap::new(),
        stuck_seen: BTreeMap::new(),
    };
    for i in 0..cfg.agents {
        let id = AgentId(i as u64 + 1);
        let skills = agent_skills(i, cfg.agents, &mut rng, scen);
        sim.agents.insert(
            id,
            SAgent { skills: skills.iter().map(|s| s.0 .0 as usize).collect(), ..SAgent::default() },
        );
        sim.acd.add_agent(AgentConfig { id, name: format!("agent{:03}", i + 1), skills });
        sim.feed(AcdInput::Login { agent: id, channel: i as u32 + 1 }, 0);
        sim.feed(AcdInput::Ready { agent: id }, 0);
        if scen {
            let days = (cfg.hours / 8.0).ceil() as u64;
            for d in 0..days {
                let base = d * 8 * HOUR_MS;
                let b1 = base + rng.gen_range(90 * 60_000..180 * 60_000);
                let b2 = base + rng.gen_range(270 * 60_000..390 * 60_000);
                sim.push(b1, Ev::BreakStart(id));
                sim.push(b2, Ev::BreakStart(id));
            }
        }
    }
    sim.next_arrival(0);
    sim.push(1_000, Ev::Check);
    let hard_end = end + 4 * HOUR_MS;
    loop {
        let ev_t = sim.heap.peek().map(|Reverse((t, _, _))| *t);
        let to_t = sim.acd.poll_timeout().map(|m| m.0);
        let live = sim.acd.call_count() > 0;
        match (ev_t, to_t) {
            (_, Some(tt)) if ev_t.is_none_or(|e| tt < e) => {
                if tt > hard_end || (tt > end && !live) {
                    break;
                }
                let acts = sim.acd.handle_timeout(Ms(tt));
                sim.actions(acts, tt);
            }
            (Some(et), _) => {
                if et > hard_end || (et > end && !live) {
                    break;
                }
                if let Some(Reverse((t, _, ev))) = sim.heap.pop() {
                    sim.event(t, ev);
                }
            }
            _ => break,
        }
    }
    finish(sim)
}

fn cv(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / n;
    if m == 0.0 {
        return 0.0;
    }
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    var.sqrt() / m
}

fn finish(mut sim: Sim) -> SimReport {
    let mut r = sim.r.clone();
    let t = sim.acd.kpi_snapshot(Ms(0));
    let totals = sim.acd.totals();
    let acd_answered: u64 = totals.values().map(|c| c.answered).sum();
    let acd_abandoned: u64 = totals.values().map(|c| c.abandoned).sum();
    r.correctness.double_counted += acd_answered.abs_diff(r.answered) + acd_abandoned.abs_diff(r.abandoned);
    let offered = sim.m_offered.max(1) as f64;
    let ab_gt5: u64 = sim.per_q.iter().map(|q| q.2).sum();
    let den: u64 = sim.per_q.iter().map(|q| q.1).sum();
    r.sl20 = sim.in20 as f64 / den.max(1) as f64;
    for (i, q) in sim.per_q.iter().enumerate() {
        if sim.scenario() || i == 0 {
            r.sl20_by_queue.insert(QUEUE_NAMES[i].into(), q.0 as f64 / q.1.max(1) as f64);
        }
    }
    r.asa_s = sim.waits.iter().sum::<u64>() as f64 / sim.waits.len().max(1) as f64 / 1000.0;
    r.abandon_pct = sim.m_abandoned as f64 / offered;
    r.abandon_gt5_pct = ab_gt5 as f64 / offered;
    sim.waits.sort_unstable();
    r.p95_wait_s = sim.waits.get(sim.waits.len() * 95 / 100).copied().unwrap_or(0) as f64 / 1000.0;
    let busy: u64 = t.agents.iter().map(|a| a.reserved_ms + a.talk_ms + a.wrap_ms).sum();
    let idle: u64 = t.agents.iter().map(|a| a.idle_ms).sum();
    r.occupancy = busy as f64 / (busy + idle).max(1) as f64;
    r.offers_per_answer = sim.offers as f64 / (r.answered + sim.callbacks_answered).max(1) as f64;
    let mut groups: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
    for (i, (_, a)) in sim.agents.iter().enumerate() {
        let mut k = a.skills.clone();
        k.sort_unstable();
        groups.entry(k).or_default().push(i);
    }
    let mut f = [0.0; 3];
    let mut w = 0.0;
    for members in groups.values().filter(|m| m.len() >= 2) {
        let pick = |g: &dyn Fn(&crate::acd::AgentKpi) -> f64| -> Vec<f64> {
            members.iter().filter_map(|i| t.agents.get(*i)).map(g).collect()
        };
        let n = members.len() as f64;
        f[0] += n * cv(&pick(&|a| a.calls as f64));
        f[1] += n * cv(&pick(&|a| a.talk_ms as f64));
        f[2] += n * cv(&pick(&|a| a.idle_ms as f64));
        w += n;
    }
    r.fairness_cv = f.map(|x| if w > 0.0 { x / w } else { 0.0 });
    r.asa_vip_s = sim.vip_waits.map(|(s, n)| s as f64 / n.max(1) as f64 / 1000.0);
    r.sticky_hit = sim.sticky.0 as f64 / sim.sticky.1.max(1) as f64;
    r.callback_completion = sim.callbacks_answered as f64 / r.callbacks.max(1) as f64;
    r.p_wait = sim.waited as f64 / offered;
    r.answered_in_20_frac = sim.in20 as f64 / offered;
    r
}

/// Runs `trunkctl simulate inbound`.
pub fn run(a: &InboundArgs) -> anyhow::Result<i32> {
    if let Some(v) = &a.validate {
        anyhow::ensure!(v == "erlang", "unknown validation {v:?} (expected `erlang`)");
        return validate(a);
    }
    let strategies: Vec<Strategy> = if a.strategy == "all" {
        Strategy::ALL.to_vec()
    } else {
        vec![Strategy::parse(&a.strategy)
            .ok_or_else(|| anyhow::anyhow!("unknown strategy {:?}", a.strategy))?]
    };
    let reports: Vec<SimReport> = strategies
        .iter()
        .map(|s| {
            simulate(&SimConfig {
                agents: a.agents,
                hours: a.hours,
                seed: a.seed,
                strategy: *s,
                mode: Mode::Scenario,
            })
        })
        .collect();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print_table(&reports);
    }
    let bad = reports.iter().any(|r| r.correctness != Correctness::default());
    Ok(i32::from(bad))
}

fn print_table(rs: &[SimReport]) {
    println!(
        "{:<16} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>5} {:>5} {:>5} {:>5} {:>6} {:>6} {:>5} {:>5} {:>12}",
        "strategy", "SL20", "sales", "supp", "bill", "ASA", "ab%", "ab>5%", "p95w", "occ", "off/a", "cvN", "cvT", "cvI", "ASAvip", "ASAnon", "stky", "cb", "dbl/dc/st/wr/id"
    );
    for r in rs {
        let q = |n: &str| r.sl20_by_queue.get(n).copied().unwrap_or(0.0) * 100.0;
        let c = &r.correctness;
        println!(
            "{:<16} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.1} {:>6.0} {:>6.3} {:>5.2} {:>5.2} {:>5.2} {:>5.2} {:>6.1} {:>6.1} {:>5.2} {:>5.2} {:>12}",
            r.strategy,
            r.sl20 * 100.0,
            q("sales"),
            q("support"),
            q("billing"),
            r.asa_s,
            r.abandon_pct * 100.0,
            r.abandon_gt5_pct * 100.0,
            r.p95_wait_s,
            r.occupancy,
            r.offers_per_answer,
            r.fairness_cv[0],
            r.fairness_cv[1],
            r.fairness_cv[2],
            r.asa_vip_s[0],
            r.asa_vip_s[1],
            r.sticky_hit,
            r.callback_completion,
            format!("{}/{}/{}/{}/{}", c.double_offers, c.double_counted, c.stuck_reserved, c.wrap_violations, c.idle_while_waiting)
        );
    }
}

/// One line of the Erlang validation table.
#[derive(Clone, Debug, Serialize)]
pub struct ValidationRow {
    /// `erlang-c` or `erlang-a`.
    pub model: &'static str,
    /// Agents.
    pub agents: usize,
    /// Simulated P(wait), mean over seeds.
    pub p_wait_sim: f64,
    /// Analytic P(wait).
    pub p_wait_calc: f64,
    /// Simulated ASA, s.
    pub asa_sim: f64,
    /// Analytic ASA, s.
    pub asa_calc: f64,
    /// Simulated fraction of arrivals answered within 20 s.
    pub sl_sim: f64,
    /// Analytic SL(20 s).
    pub sl_calc: f64,
    /// Simulated abandon fraction.
    pub abandon_sim: f64,
    /// Analytic abandon fraction.
    pub abandon_calc: f64,
    /// Whether every figure is within tolerance.
    pub ok: bool,
}

/// Tolerance on probabilities (P(wait), SL, abandon): ±2 percentage points.
pub const TOL_P: f64 = 0.02;
/// Tolerance on ASA: ±2 % of the AHT (3.6 s at 180 s) or ±10 % of the analytic ASA, whichever is larger.
pub fn asa_tolerance(aht_s: f64, asa_calc: f64) -> f64 {
    (0.02 * aht_s).max(0.10 * asa_calc)
}

/// Simulates λ = 400/h, AHT 180 s (exponential), FCFS single skill, N = 22, 24, 26, without
/// abandonment (Erlang C) and with exponential patience of mean 180 s (Erlang A), `seeds` seeds
/// of `hours` each (the first hour is warm-up), and compares with the formulas.
pub fn erlang_validation(seed: u64, seeds: u64, hours: f64) -> Vec<ValidationRow> {
    let (lambda_h, aht_s) = (400.0, 180.0);
    let mut rows = Vec::new();
    for patience in [None, Some(180.0)] {
        for n in [22usize, 24, 26] {
            let mode = Mode::Erlang { patience_s: patience, lambda_h, aht_s };
            let mut acc = [0.0; 4];
            for s in 0..seeds {
                let r = simulate(&SimConfig {
                    agents: n,
                    hours,
                    seed: seed + s,
                    strategy: Strategy::LongestIdle,
                    mode,
                });
                acc[0] += r.p_wait;
                acc[1] += r.asa_s;
                acc[2] += r.answered_in_20_frac;
                acc[3] += r.abandon_pct;
            }
            let k = seeds.max(1) as f64;
            let sim = acc.map(|x| x / k);
            let calc = match patience {
                None => erlang::erlang_c(lambda_h / 3600.0, 1.0 / aht_s, n, 20.0),
                Some(p) => erlang::erlang_a(lambda_h / 3600.0, 1.0 / aht_s, 1.0 / p, n, 20.0),
            };
            let ok = (sim[0] - calc.p_wait).abs() <= TOL_P
                && (sim[2] - calc.service_level).abs() <= TOL_P
                && (sim[3] - calc.p_abandon).abs() <= TOL_P
                && (sim[1] - calc.asa_s).abs() <= asa_tolerance(aht_s, calc.asa_s);
            rows.push(ValidationRow {
                model: if patience.is_some() { "erlang-a" } else { "erlang-c" },
                agents: n,
                p_wait_sim: sim[0],
                p_wait_calc: calc.p_wait,
                asa_sim: sim[1],
                asa_calc: calc.asa_s,
                sl_sim: sim[2],
                sl_calc: calc.service_level,
                abandon_sim: sim[3],
                abandon_calc: calc.p_abandon,
                ok,
            });
        }
    }
    rows
}

fn validate(a: &InboundArgs) -> anyhow::Result<i32> {
    let hours = a.hours.max(2.0);
    let rows = erlang_validation(a.seed, a.seeds, hours);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "Erlang validation: lambda 400/h, AHT 180 s exponential, patience 180 s exponential (Erlang A), \
             {hours} h (1 h warm-up) x {} seeds from {}",
            a.seeds, a.seed
        );
        println!(
            "tolerance: P(wait), SL(20 s), abandon +/-{:.0} points; ASA +/-max(2 % of AHT, 10 % of ASA)",
            TOL_P * 100.0
        );
        println!(
            "{:<9} {:>3} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>4}",
            "model",
            "N",
            "Pw sim",
            "Pw calc",
            "ASA sim",
            "ASA calc",
            "SL sim",
            "SL calc",
            "Ab sim",
            "Ab calc",
            "ok"
        );
        for r in &rows {
            println!(
                "{:<9} {:>3} {:>8.4} {:>8.4} {:>8.2} {:>8.2} {:>8.4} {:>8.4} {:>8.4} {:>8.4} {:>4}",
                r.model,
                r.agents,
                r.p_wait_sim,
                r.p_wait_calc,
                r.asa_sim,
                r.asa_calc,
                r.sl_sim,
                r.sl_calc,
                r.abandon_sim,
                r.abandon_calc,
                if r.ok { "yes" } else { "NO" }
            );
        }
    }
    Ok(i32::from(!rows.iter().all(|r| r.ok)))
}
