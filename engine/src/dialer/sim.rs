//! Event-level simulation of a campaign: the real [`Campaign`] (pacer, controller, list,
//! compliance) against a simulated population and simulated agents. No audio: a discrete-event
//! loop over a priority queue in virtual time with a seeded RNG, so an 8-hour day runs in well
//! under a second and the same seed gives the same result.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::compliance::{CallingWindow, DncList};
use super::leads::LeadSource;
use super::pacer::{BusyAgent, PacerConfig, PacerInput, Pending};
use super::{Campaign, Mode};
use crate::model::{AgentId, CallId, CampaignId, Cdr, LeadId, Ms, Outcome};

/// A change of the population's answer behaviour from `at_hour` on.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// From this hour of the day on.
    pub at_hour: f64,
    /// New P(live person).
    pub live: Option<f64>,
    /// New P(answering machine).
    pub machine: Option<f64>,
    /// New P(busy).
    pub busy: Option<f64>,
    /// New P(no answer).
    pub no_answer: Option<f64>,
}

/// A scenario file: every field optional, anything unset is S1's value.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Hours simulated.
    pub hours: Option<f64>,
    /// Leads on the list per agent.
    pub leads_per_agent: Option<u32>,
    /// Fraction of invalid numbers (SIT).
    pub invalid_fraction: Option<f64>,
    /// P(live) per attempt on a valid number.
    pub live: Option<f64>,
    /// P(machine).
    pub machine: Option<f64>,
    /// P(busy).
    pub busy: Option<f64>,
    /// P(no answer).
    pub no_answer: Option<f64>,
    /// Talk time mean (s).
    pub talk_mean_s: Option<f64>,
    /// Talk time sd (s).
    pub talk_sd_s: Option<f64>,
    /// Wrap-up mean (s).
    pub wrap_mean_s: Option<f64>,
    /// Wrap-up sd (s).
    pub wrap_sd_s: Option<f64>,
    /// P(human classified as machine) with AMD on.
    pub amd_false_positive: Option<f64>,
    /// Changes during the day.
    #[serde(default)]
    pub change: Vec<Change>,
}

/// The simulated population and agents.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Scenario {
    /// Name (`s1`, `s2` or the file).
    pub name: String,
    /// Hours simulated.
    pub hours: f64,
    /// Leads per agent.
    pub leads_per_agent: u32,
    /// Fraction of invalid numbers.
    pub invalid_fraction: f64,
    /// P(live), P(machine), P(busy), P(no answer) on a valid number.
    pub probs: [f64; 4],
    /// Talk mean, sd (s).
    pub talk: (f64, f64),
    /// Wrap-up mean, sd (s).
    pub wrap: (f64, f64),
    /// P(human → machine) with AMD on.
    pub amd_false_positive: f64,
    /// Changes: (from hour, probabilities).
    pub changes: Vec<(f64, [f64; 4])>,
}

/// A scenario that cannot be used, naming the field.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The TOML did not parse (the message names the field).
    #[error("scenario: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is out of range.
    #[error("scenario field `{field}`: {reason}")]
    Field {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
}

impl Scenario {
    /// The benchmark's S1.
    pub fn s1() -> Self {
        Self {
            name: "s1".into(),
            hours: 8.0,
            leads_per_agent: 1500,
            invalid_fraction: 0.08,
            probs: [0.30, 0.20, 0.06, 0.44],
            talk: (150.0, 150.0),
            wrap: (20.0, 10.0),
            amd_false_positive: 0.01,
            changes: Vec::new(),
        }
    }

    /// S2: S1 for 4 h, then live 0.15, machine 0.25.
    pub fn s2() -> Self {
        let mut s = Self::s1();
        s.name = "s2".into();
        s.changes.push((4.0, [0.15, 0.25, 0.06, 0.44]));
        s
    }

    /// `s1`, `s2`, or a TOML file's contents (named `name`).
    pub fn from_toml(name: &str, text: &str) -> Result<Self, ScenarioError> {
        let f: ScenarioFile = toml::from_str(text)?;
        let mut s = Self::s1();
        s.name = name.into();
        let prob = |field: &str, v: Option<f64>, d: f64| -> Result<f64, ScenarioError> {
            let v = v.unwrap_or(d);
            if !(0.0..=1.0).contains(&v) {
                return Err(ScenarioError::Field {
                    field: field.into(),
                    reason: format!("{v} is not in 0..=1"),
                });
            }
            Ok(v)
        };
        let pos = |field: &str, v: Option<f64>, d: f64| -> Result<f64, ScenarioError> {
            let v = v.unwrap_or(d);
            if !(v.is_finite() && v > 0.0) {
                return Err(ScenarioError::Field { field: field.into(), reason: format!("{v} must be > 0") });
            }
            Ok(v)
        };
        s.hours = pos("hours", f.hours, s.hours)?;
        if s.hours > 24.0 * 31.0 {
            return Err(ScenarioError::Field { field: "hours".into(), reason: "at most 744".into() });
        }
        s.leads_per_agent = f.leads_per_agent.unwrap_or(s.leads_per_agent);
        if s.leads_per_agent == 0 || s.leads_per_agent > 1_000_000 {
            return Err(ScenarioError::Field {
                field: "leads_per_agent".into(),
                reason: "must be 1..=1000000".into(),
            });
        }
        s.invalid_fraction = prob("invalid_fraction", f.invalid_fraction, s.invalid_fraction)?;
        let p = [
            prob("live", f.live, s.probs[0])?,
            prob("machine", f.machine, s.probs[1])?,
            prob("busy", f.busy, s.probs[2])?,
            prob("no_answer", f.no_answer, s.probs[3])?,
        ];
        check_sum("live + machine + busy + no_answer", &p)?;
        s.probs = p;
        s.talk = (pos("talk_mean_s", f.talk_mean_s, s.talk.0)?, pos("talk_sd_s", f.talk_sd_s, s.talk.1)?);
        s.wrap = (pos("wrap_mean_s", f.wrap_mean_s, s.wrap.0)?, pos("wrap_sd_s", f.wrap_sd_s, s.wrap.1)?);
        s.amd_false_positive = prob("amd_false_positive", f.amd_false_positive, s.amd_false_positive)?;
        let mut cur = s.probs;
        let mut changes = f.change.clone();
        changes.sort_by(|a, b| a.at_hour.total_cmp(&b.at_hour));
        for (i, c) in changes.iter().enumerate() {
            let field = |n: &str| format!("change[{i}].{n}");
            if !(c.at_hour.is_finite() && c.at_hour >= 0.0) {
                return Err(ScenarioError::Field { field: field("at_hour"), reason: "must be ≥ 0".into() });
            }
            cur = [
                prob(&field("live"), c.live, cur[0])?,
                prob(&field("machine"), c.machine, cur[1])?,
                prob(&field("busy"), c.busy, cur[2])?,
                prob(&field("no_answer"), c.no_answer, cur[3])?,
            ];
            check_sum(&field("live + machine + busy + no_answer"), &cur)?;
            s.changes.push((c.at_hour, cur));
        }
        Ok(s)
    }

    fn probs_at(&self, hour: f64) -> [f64; 4] {
        self.changes.iter().rfind(|(h, _)| *h <= hour).map(|(_, p)| *p).unwrap_or(self.probs)
    }
}

fn check_sum(field: &str, p: &[f64; 4]) -> Result<(), ScenarioError> {
    let s: f64 = p.iter().sum();
    if s <= 0.0 || s > 1.0 + 1e-9 {
        return Err(ScenarioError::Field {
            field: field.into(),
            reason: format!("sum {s} must be in (0, 1]"),
        });
    }
    Ok(())
}

/// One simulation run's settings.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The population.
    pub scenario: Scenario,
    /// Agents logged in throughout.
    pub agents: usize,
    /// Seed.
    pub seed: u64,
    /// Pacing mode.
    pub mode: Mode,
    /// Answering-machine detection on.
    pub amd: bool,
    /// Lines available (None: 3 per agent + 10).
    pub lines: Option<usize>,
    /// Pacer tunables (max_lines and amd_fp_estimate are set from the run).
    pub pacer: PacerConfig,
    /// Mode switches while running: (from hour, mode).
    pub mode_changes: Vec<(f64, Mode)>,
    /// Global do-not-call list (the campaign's own is empty).
    pub dnc: DncList,
    /// Calling window and zone table (default: 08:00–21:00 UTC for every number).
    pub window: Option<CallingWindow>,
    /// Unix time (ms) at which the simulated day starts (default 09:00 UTC, 1 Jan 1970).
    pub epoch_utc_ms: Option<i64>,
    /// Keep one CDR per attempt (for audits); off for benchmark runs.
    pub keep_cdrs: bool,
}

impl SimConfig {
    /// S1/S2-style defaults for `agents` agents, one seed, one mode.
    pub fn new(scenario: Scenario, agents: usize, seed: u64, mode: Mode, amd: bool) -> Self {
        Self {
            scenario,
            agents,
            seed,
            mode,
            amd,
            lines: None,
            pacer: PacerConfig::default(),
            mode_changes: Vec::new(),
            dnc: DncList::default(),
            window: None,
            epoch_utc_ms: None,
            keep_cdrs: false,
        }
    }
}

/// What `trunkctl simulate outbound` prints.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Mode.
    pub mode: String,
    /// AMD on.
    pub amd: bool,
    /// Agents.
    pub agents: usize,
    /// Hours.
    pub hours: f64,
    /// Seed.
    pub seed: u64,
    /// Abandoned / live answers over the day (%), AMD false positives included.
    pub abandon_pct_day: f64,
    /// Worst 60-min window (5-min steps, ≥ 20 live answers) (%).
    pub abandon_pct_worst_hour: f64,
    /// Talk time / logged-in time.
    pub talk_occupancy: f64,
    /// Talk minutes per agent-hour.
    pub talk_minutes_per_agent_hour: f64,
    /// Live people bridged to an agent per agent-hour.
    pub contacts_per_agent_hour: f64,
    /// Attempts per agent-hour.
    pub dials_per_agent_hour: f64,
    /// Agent wait between calls, mean (s).
    pub agent_wait_mean_s: f64,
    /// Agent wait between calls, 90th percentile (s).
    pub agent_wait_p90_s: f64,
    /// Lines in use, time-weighted mean.
    pub lines_mean: f64,
    /// Lines in use, time-weighted 99th percentile.
    pub lines_p99: usize,
    /// Lines in use, peak.
    pub lines_peak: usize,
    /// Lines available.
    pub lines_available: usize,
    /// Attempts.
    pub dials: u64,
    /// Live answers (people).
    pub live_answers: u64,
    /// Live people bridged.
    pub contacts: u64,
    /// Live people abandoned (no agent in 2 s), false positives not included.
    pub abandoned: u64,
    /// People AMD took for machines (hung up on: counted as abandoned).
    pub amd_false_positives: u64,
    /// Leads refused by compliance checks.
    pub blocked: u64,
    /// Abandon % per clock hour (for spotting where the worst hour is).
    pub abandon_pct_by_hour: Vec<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Tick,
    /// The call's next scheduled step.
    Call(usize),
    /// A live answer's 2-s wait ran out.
    Patience(usize),
    /// The abandon message ended: line free.
    MessageEnd(usize),
    /// The agent hung up.
    TalkEnd(usize),
    /// The agent finished wrap-up.
    WrapEnd(usize),
    /// A previewing agent's call is dialled.
    PreviewDial(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    Invalid,
    Busy,
    NoAnswer,
    Live,
    Machine,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Before the answer / resolution.
    Dialling,
    /// Answered; AMD deciding.
    Classifying,
    /// In the agent queue.
    Waiting,
    /// Bridged.
    Talking,
    /// Playing the abandon message.
    Message,
    /// Over.
    Done,
}

struct Call {
    lead: LeadId,
    truth: Truth,
    dialled: u64,
    stage: Stage,
    /// Post-dial delay: alerting starts at `dialled + pdd`.
    pdd: u64,
    answered: u64,
    /// Dial → agent queue (ms).
    answered_to_queue: u64,
    /// When an agent was connected.
    bridged: Option<u64>,
    /// When the identification message started.
    message: Option<u64>,
    agent: Option<usize>,
    /// The previewing agent the call belongs to.
    owner: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AState {
    Ready,
    Previewing,
    Talking,
    Wrapping,
}

struct Agent {
    state: AState,
    since: u64,
    talk_ms: u64,
    call: Option<usize>,
}

struct Sim {
    cfg: SimConfig,
    rng: ChaCha8Rng,
    q: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    now: u64,
    end: u64,
    camp: Campaign,
    global_dnc: DncList,
    invalid: Vec<bool>,
    calls: Vec<Call>,
    agents: Vec<Agent>,
    waiting: VecDeque<usize>,
    lines: usize,
    max_lines: usize,
    line_time: Vec<u64>,
    last_line_change: u64,
    // Results.
    dials: u64,
    lives: Vec<(u64, bool)>,
    contacts: u64,
    abandoned: u64,
    fps: u64,
    talk_ms: u64,
    waits: Vec<u64>,
    cdrs: Vec<Cdr>,
    next_recycle: u64,
    mode_changes: VecDeque<(u64, Mode)>,
}

fn lognormal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    let s2 = (1.0 + (sd / mean).powi(2)).ln();
    let mu = mean.ln() - s2 / 2.0;
    let u1: f64 = rng.gen::<f64>().max(1e-12);
    let u2: f64 = rng.gen();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (mu + s2.sqrt() * z).exp()
}

fn ms(s: f64) -> u64 {
    (s * 1000.0).round().max(0.0) as u64
}

impl Sim {
    fn new(cfg: SimConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let n = cfg.agents.max(1);
        let max_lines = cfg.lines.unwrap_or(3 * n + 10).max(1);
        let mut pc = cfg.pacer.clone();
        pc.max_lines = max_lines;
        pc.amd_fp_estimate = if cfg.amd { cfg.scenario.amd_false_positive } else { 0.0 };
        let mut camp =
            Campaign::new(CampaignId(1), cfg.mode.clone(), pc, cfg.scenario.talk, cfg.scenario.wrap);
        if let Some(w) = &cfg.window {
            camp.window = w.clone();
        }
        if let Some(e) = cfg.epoch_utc_ms {
            camp.epoch_utc_ms = e;
        }
        let mut mode_changes: Vec<(u64, Mode)> =
            cfg.mode_changes.iter().map(|(h, m)| (ms(h * 3600.0), m.clone())).collect();
        mode_changes.sort_by_key(|c| c.0);
        let leads = n * cfg.scenario.leads_per_agent as usize;
        let mut invalid = Vec::with_capacity(leads);
        for i in 0..leads {
            camp.leads.push(&format!("1{:03}{:07}", 201 + (i / 10_000_000) % 799, i % 10_000_000), 0);
            invalid.push(rng.gen::<f64>() < cfg.scenario.invalid_fraction);
        }
        let end = ms(cfg.scenario.hours * 3600.0);
        let agents =
            (0..n).map(|_| Agent { state: AState::Ready, since: 0, talk_ms: 0, call: None }).collect();
        Self {
            rng,
            q: BinaryHeap::new(),
            seq: 0,
            now: 0,
            end,
            camp,
            global_dnc: cfg.dnc.clone(),
            invalid,
            calls: Vec::new(),
            agents,
            waiting: VecDeque::new(),
            lines: 0,
            max_lines,
            line_time: vec![0; max_lines + 1],
            last_line_change: 0,
            dials: 0,
            lives: Vec::new(),
            contacts: 0,
            abandoned: 0,
            fps: 0,
            talk_ms: 0,
            waits: Vec::new(),
            cdrs: Vec::new(),
            next_recycle: 24 * 3_600_000,
            mode_changes: mode_changes.into(),
            cfg,
        }
    }

    fn at(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.q.push(Reverse((t, self.seq, ev)));
    }

    fn set_lines(&mut self, delta: isize) {
        let t = self.now.min(self.end);
        self.line_time[self.lines.min(self.max_lines)] += t.saturating_sub(self.last_line_change);
        self.last_line_change = t;
        self.lines = (self.lines as isize + delta).max(0) as usize;
    }

    fn predictive(&self) -> bool {
        matches!(self.camp.mode, Mode::Predictive | Mode::Power { .. })
    }

    fn run(mut self) -> (Report, Vec<Cdr>) {
        // The pacer ticks in every mode (cheap when it has nothing to do) so a switch to a
        // predictive mode while running takes effect at once.
        self.at(0, Ev::Tick);
        self.decide();
        while let Some(Reverse((t, _, ev))) = self.q.pop() {
            if t >= self.end {
                break;
            }
            self.now = t;
            while self.mode_changes.front().is_some_and(|c| c.0 <= t) {
                let (_, m) = self.mode_changes.pop_front().expect("checked");
                self.camp.set_mode(m);
            }
            if t >= self.next_recycle {
                self.camp.leads.recycle(Ms(t));
                self.next_recycle += 24 * 3_600_000;
            }
            match ev {
                Ev::Tick => {
                    self.decide();
                    self.at(t + 500, Ev::Tick);
                }
                Ev::Call(c) => self.call_step(c),
                Ev::Patience(c) => self.patience(c),
                Ev::MessageEnd(c) => {
                    self.calls[c].stage = Stage::Done;
                    self.set_lines(-1);
                    self.cdr(c, Outcome::Abandoned);
                }
                Ev::TalkEnd(a) => self.talk_end(a),
                Ev::WrapEnd(a) => self.wrap_end(a),
                Ev::PreviewDial(a) => self.preview_dial(a),
            }
            if !self.predictive() {
                self.decide();
            }
        }
        self.now = self.end;
        self.set_lines(0);
        // Talk still under way at the end counts up to the end.
        for a in &self.agents {
            if a.state == AState::Talking {
                if let Some(c) = a.call {
                    if self.calls[c].truth == Truth::Live {
                        self.talk_ms += self.end.saturating_sub(a.since);
                    }
                }
            }
        }
        let cdrs = std::mem::take(&mut self.cdrs);
        (self.report(), cdrs)
    }

    /// Writes the attempt's CDR (when kept).
    fn cdr(&mut self, c: usize, outcome: Outcome) {
        if !self.cfg.keep_cdrs {
            return;
        }
        let call = &self.calls[c];
        let answered = matches!(call.truth, Truth::Live | Truth::Machine) && call.answered > 0;
        let evidence = serde_json::json!({
            "alerting_ms": call.dialled + call.pdd,
            "queued_ms": (call.answered_to_queue > 0).then_some(call.dialled + call.answered_to_queue),
            "message_ms": call.message,
            "message": call.message.map(|_| self.camp.rules.abandon_message.clone()),
            "sim_truth": format!("{:?}", call.truth).to_ascii_lowercase(),
        });
        self.cdrs.push(Cdr {
            call: CallId(c as u64 + 1),
            direction: "outbound".into(),
            channel: 0,
            ani: String::new(),
            dnis: self.camp.leads.phone(call.lead).unwrap_or_default(),
            campaign: Some(self.camp.id),
            lead: Some(call.lead),
            queue: None,
            agent: call.agent.map(|a| AgentId(a as u64 + 1)),
            start_ms: call.dialled,
            answer_ms: answered.then_some(call.answered),
            bridged_ms: call.bridged,
            end_ms: self.now,
            outcome: Some(outcome),
            cause: 16,
            evidence: evidence.to_string(),
            recording: None,
        });
    }

    fn decide(&mut self) {
        if self.now >= self.end {
            return;
        }
        if let Mode::Preview { preview_ms } = self.camp.mode {
            for i in 0..self.agents.len() {
                if self.agents[i].state == AState::Ready {
                    self.agents[i].state = AState::Previewing;
                    self.at(self.now + preview_ms, Ev::PreviewDial(i));
                }
            }
            return;
        }
        let now = self.now;
        let free = self.agents.iter().filter(|a| a.state == AState::Ready).count();
        let busy: Vec<BusyAgent> = self
            .agents
            .iter()
            .filter_map(|a| match a.state {
                AState::Ready => None,
                AState::Talking => Some(BusyAgent::Talking(now - a.since)),
                AState::Wrapping => Some(BusyAgent::Wrapping(now - a.since)),
                AState::Previewing => Some(BusyAgent::Other),
            })
            .collect();
        let pending: Vec<Pending> = self
            .calls
            .iter()
            .rev()
            .take_while(|c| now.saturating_sub(c.dialled) < 120_000 || c.stage != Stage::Done)
            .filter_map(|c| match c.stage {
                Stage::Dialling | Stage::Classifying => Some(Pending::Dialling(now - c.dialled)),
                Stage::Waiting => Some(Pending::Waiting),
                _ => None,
            })
            .collect();
        let inp = PacerInput {
            now: Ms(now),
            free_agents: free,
            busy: &busy,
            pending: &pending,
            lines_in_use: self.lines,
        };
        let n = self.camp.lines_to_dial(&inp);
        for _ in 0..n {
            if self.lines >= self.max_lines || !self.dial(None) {
                break;
            }
        }
    }

    /// Dials the next lead; `agent` is the previewing agent it belongs to.
    fn dial(&mut self, agent: Option<usize>) -> bool {
        let Some(lead) = self.camp.next_lead(Ms(self.now), &self.global_dnc) else { return false };
        self.dials += 1;
        self.set_lines(1);
        let s = &self.cfg.scenario;
        let truth = if self.invalid[lead.0 as usize - 1] {
            Truth::Invalid
        } else {
            let p = s.probs_at(self.now as f64 / 3_600_000.0);
            let tot: f64 = p.iter().sum();
            let u = self.rng.gen::<f64>() * tot;
            if u < p[0] {
                Truth::Live
            } else if u < p[0] + p[1] {
                Truth::Machine
            } else if u < p[0] + p[1] + p[2] {
                Truth::Busy
            } else {
                Truth::NoAnswer
            }
        };
        let pdd = self.rng.gen_range(1.5..4.0);
        // The campaign's ring timeout (≥ 15 s by validation) releases unanswered calls.
        let ring = self.camp.rules.ring_timeout_ms as f64 / 1000.0;
        let (at, truth) = match truth {
            Truth::Invalid => (pdd + self.rng.gen_range(1.0..3.0), truth),
            Truth::Busy => (pdd + self.rng.gen_range(0.2..1.0), truth),
            Truth::NoAnswer => (pdd + ring, truth),
            Truth::Live => {
                let a = lognormal(&mut self.rng, 8.0, 4.0);
                if a > ring {
                    (pdd + ring, Truth::NoAnswer)
                } else {
                    (pdd + a, truth)
                }
            }
            Truth::Machine => {
                let a = self.rng.gen_range(15.0..24.0);
                if a > ring {
                    (pdd + ring, Truth::NoAnswer)
                } else {
                    (pdd + a, truth)
                }
            }
        };
        let c = self.calls.len();
        self.calls.push(Call {
            lead,
            truth,
            dialled: self.now,
            stage: Stage::Dialling,
            pdd: ms(pdd),
            answered: 0,
            answered_to_queue: 0,
            bridged: None,
            message: None,
            agent: None,
            owner: agent,
        });
        self.at(self.now + ms(at), Ev::Call(c));
        true
    }

    fn preview_dial(&mut self, a: usize) {
        if !self.dial(Some(a)) {
            // Nothing to dial now: look again in a minute.
            self.at(self.now + 60_000, Ev::PreviewDial(a));
        }
    }

    /// The call's scheduled step: resolution, answer, or AMD verdict.
    fn call_step(&mut self, c: usize) {
        let now = self.now;
        let (stage, truth0, dialled) = (self.calls[c].stage, self.calls[c].truth, self.calls[c].dialled);
        let since = now - dialled;
        match (stage, truth0) {
            (Stage::Dialling, Truth::Live | Truth::Machine) => {
                self.calls[c].answered = now;
                if truth0 == Truth::Live {
                    self.lives.push((now, false));
                }
                if !self.cfg.amd {
                    self.handoff(c);
                } else {
                    self.calls[c].stage = Stage::Classifying;
                    let d = if self.calls[c].truth == Truth::Live {
                        lognormal(&mut self.rng, 1.0, 0.5) + 0.8
                    } else {
                        self.rng.gen_range(1.5..3.0)
                    };
                    self.at(now + ms(d), Ev::Call(c));
                }
            }
            (Stage::Classifying, truth) => {
                let to_agent = if truth == Truth::Live {
                    self.rng.gen::<f64>() >= self.cfg.scenario.amd_false_positive
                } else {
                    self.rng.gen::<f64>() < 0.15
                };
                if to_agent {
                    self.handoff(c);
                } else {
                    if truth == Truth::Live {
                        // A person taken for a machine and hung up on: an abandoned call.
                        self.fps += 1;
                        if let Some(l) = self.lives.iter_mut().rev().find(|l| l.0 == self.calls[c].answered) {
                            l.1 = true;
                        }
                    }
                    self.camp.pacer.on_resolved(since, false);
                    self.end_call(c, Outcome::Machine);
                }
            }
            (Stage::Dialling, truth) => {
                self.camp.pacer.on_resolved(since, false);
                let o = match truth {
                    Truth::Invalid => Outcome::Invalid,
                    Truth::Busy => Outcome::Busy,
                    _ => Outcome::NoAnswer,
                };
                self.end_call(c, o);
            }
            _ => {}
        }
    }

    fn end_call(&mut self, c: usize, o: Outcome) {
        self.calls[c].stage = Stage::Done;
        self.set_lines(-1);
        self.camp.finish(self.calls[c].lead, o, Ms(self.now));
        self.cdr(c, o);
        if let Some(a) = self.calls[c].owner.take() {
            // A preview that did not reach anyone: the agent previews the next record.
            self.agents[a].state = AState::Ready;
            self.agents[a].since = self.now;
            self.decide();
        }
    }

    /// The call wants an agent.
    fn handoff(&mut self, c: usize) {
        let since = self.now - self.calls[c].dialled;
        self.camp.pacer.on_resolved(since, true);
        self.camp.pacer.on_live(Ms(self.now), since);
        self.calls[c].answered_to_queue = since;
        if let Some(a) = self.calls[c].owner {
            self.bridge(c, a);
            return;
        }
        let free = self
            .agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.state == AState::Ready)
            .min_by_key(|(i, a)| (a.since, *i))
            .map(|(i, _)| i);
        match free {
            Some(a) => self.bridge(c, a),
            None => {
                self.calls[c].stage = Stage::Waiting;
                self.waiting.push_back(c);
                self.at(self.now + self.camp.rules.patience_ms, Ev::Patience(c));
            }
        }
    }

    fn bridge(&mut self, c: usize, a: usize) {
        let now = self.now;
        let ag = &mut self.agents[a];
        if !matches!(ag.state, AState::Previewing) {
            self.waits.push(now - ag.since);
        }
        ag.state = AState::Talking;
        ag.since = now;
        ag.call = Some(c);
        self.calls[c].stage = Stage::Talking;
        self.calls[c].agent = Some(a);
        self.calls[c].bridged = Some(now);
        let d = if self.calls[c].truth == Truth::Live {
            self.contacts += 1;
            let (m, s) = self.cfg.scenario.talk;
            lognormal(&mut self.rng, m, s)
        } else {
            self.rng.gen_range(4.0..10.0)
        };
        self.at(now + ms(d), Ev::TalkEnd(a));
    }

    fn patience(&mut self, c: usize) {
        if self.calls[c].stage != Stage::Waiting {
            return;
        }
        self.waiting.retain(|&w| w != c);
        self.calls[c].stage = Stage::Message;
        if self.calls[c].truth == Truth::Live {
            self.abandoned += 1;
            let t = self.calls[c].answered;
            if let Some(l) = self.lives.iter_mut().rev().find(|l| l.0 == t) {
                l.1 = true;
            }
        }
        // The identification message starts at once (the 2-s limit is the patience).
        self.calls[c].message = Some(self.now);
        self.camp.pacer.on_abandon(Ms(self.now), self.calls[c].answered_to_queue);
        self.camp.finish(self.calls[c].lead, Outcome::Abandoned, Ms(self.now));
        self.at(self.now + self.camp.rules.abandon_message_ms, Ev::MessageEnd(c));
    }

    fn talk_end(&mut self, a: usize) {
        let now = self.now;
        let Some(c) = self.agents[a].call.take() else { return };
        let talk = now - self.agents[a].since;
        self.camp.pacer.on_talk_end(talk);
        self.calls[c].stage = Stage::Done;
        self.set_lines(-1);
        let live = self.calls[c].truth == Truth::Live;
        self.camp.pacer.on_disposition(self.calls[c].answered_to_queue, live);
        let o = if live { Outcome::Human } else { Outcome::Machine };
        self.camp.finish(self.calls[c].lead, o, Ms(now));
        self.cdr(c, o);
        self.agents[a].talk_ms = talk;
        if live {
            self.talk_ms += talk;
            self.agents[a].state = AState::Wrapping;
            self.agents[a].since = now;
            let (m, s) = self.cfg.scenario.wrap;
            let w = lognormal(&mut self.rng, m, s);
            self.at(now + ms(w), Ev::WrapEnd(a));
        } else {
            self.camp.pacer.on_wrap_end(talk, 0);
            self.agent_ready(a);
        }
    }

    fn wrap_end(&mut self, a: usize) {
        let w = self.now - self.agents[a].since;
        self.camp.pacer.on_wrap_end(self.agents[a].talk_ms, w);
        self.agent_ready(a);
    }

    fn agent_ready(&mut self, a: usize) {
        self.agents[a].state = AState::Ready;
        self.agents[a].since = self.now;
        if matches!(self.camp.mode, Mode::Preview { .. }) {
            self.decide();
            return;
        }
        // The waiting call most likely to be a person first (oldest among equals).
        let best = (0..self.waiting.len()).max_by(|&i, &j| {
            let pi = self.camp.pacer.p_human(self.calls[self.waiting[i]].answered_to_queue);
            let pj = self.camp.pacer.p_human(self.calls[self.waiting[j]].answered_to_queue);
            pi.total_cmp(&pj).then(j.cmp(&i))
        });
        if let Some(c) = best.and_then(|i| self.waiting.remove(i)) {
            self.bridge(c, a);
        } else if self.predictive() {
            self.decide();
        }
    }

    fn report(self) -> Report {
        let n = self.agents.len() as f64;
        let h = self.end as f64 / 3_600_000.0;
        let ah = (n * h).max(1e-9);
        let live = self.lives.len() as u64;
        let ab_all = self.lives.iter().filter(|l| l.1).count() as f64;
        let pct = |a: f64, l: f64| if l > 0.0 { 100.0 * a / l } else { 0.0 };
        let mut worst: f64 = 0.0;
        let step = 300_000u64;
        let mut s = 0u64;
        while s + 3_600_000 <= self.end.max(3_600_000) {
            let w: Vec<&(u64, bool)> =
                self.lives.iter().filter(|l| l.0 >= s && l.0 < s + 3_600_000).collect();
            if w.len() >= 20 {
                worst = worst.max(pct(w.iter().filter(|l| l.1).count() as f64, w.len() as f64));
            }
            s += step;
        }
        let mut waits = self.waits.clone();
        waits.sort_unstable();
        let wait_mean = if waits.is_empty() {
            0.0
        } else {
            waits.iter().sum::<u64>() as f64 / waits.len() as f64 / 1000.0
        };
        let wait_p90 =
            waits.get((waits.len() * 9 / 10).min(waits.len().saturating_sub(1))).copied().unwrap_or(0) as f64
                / 1000.0;
        let tot: u64 = self.line_time.iter().sum();
        let lines_mean = if tot > 0 {
            self.line_time.iter().enumerate().map(|(i, t)| i as f64 * *t as f64).sum::<f64>() / tot as f64
        } else {
            0.0
        };
        let mut acc = 0u64;
        let mut p99 = 0;
        for (i, t) in self.line_time.iter().enumerate() {
            acc += t;
            if acc as f64 >= 0.99 * tot as f64 {
                p99 = i;
                break;
            }
        }
        let peak = self.line_time.iter().rposition(|&t| t > 0).unwrap_or(0);
        let mode = match &self.camp.mode {
            Mode::Preview { .. } => "preview".to_string(),
            Mode::Progressive => "progressive".into(),
            Mode::Predictive => "predictive".into(),
            Mode::Power { lines_per_agent } => format!("power:{lines_per_agent}"),
        };
        let r2 = |x: f64| (x * 100.0).round() / 100.0;
        let mut by_hour = Vec::new();
        let mut s = 0u64;
        while s < self.end {
            let w: Vec<&(u64, bool)> =
                self.lives.iter().filter(|l| l.0 >= s && l.0 < s + 3_600_000).collect();
            by_hour.push(r2(pct(w.iter().filter(|l| l.1).count() as f64, w.len() as f64)));
            s += 3_600_000;
        }
        Report {
            scenario: self.cfg.scenario.name.clone(),
            mode,
            amd: self.cfg.amd,
            agents: self.agents.len(),
            hours: h,
            seed: self.cfg.seed,
            abandon_pct_day: r2(pct(ab_all, live as f64)),
            abandon_pct_worst_hour: r2(worst),
            talk_occupancy: (self.talk_ms as f64 / 3_600_000.0 / ah * 1000.0).round() / 1000.0,
            talk_minutes_per_agent_hour: r2(self.talk_ms as f64 / 60_000.0 / ah),
            contacts_per_agent_hour: r2(self.contacts as f64 / ah),
            dials_per_agent_hour: r2(self.dials as f64 / ah),
            agent_wait_mean_s: r2(wait_mean),
            agent_wait_p90_s: r2(wait_p90),
            lines_mean: r2(lines_mean),
            lines_p99: p99,
            lines_peak: peak,
            lines_available: self.max_lines,
            dials: self.dials,
            live_answers: live,
            contacts: self.contacts,
            abandoned: self.abandoned,
            amd_false_positives: self.fps,
            blocked: self.camp.blocked.values().sum(),
            abandon_pct_by_hour: by_hour,
        }
    }
}

/// Runs one simulated day.
pub fn simulate(cfg: SimConfig) -> Report {
    Sim::new(cfg).run().0
}

/// Runs one simulated day and returns the CDRs too (`keep_cdrs` is forced on).
pub fn simulate_with_cdrs(mut cfg: SimConfig) -> (Report, Vec<Cdr>) {
    cfg.keep_cdrs = true;
    Sim::new(cfg).run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_errors_name_the_field() {
        let e = Scenario::from_toml("f", "live = 1.5").unwrap_err().to_string();
        assert!(e.contains("live"), "{e}");
        let e = Scenario::from_toml("f", "livex = 0.1").unwrap_err().to_string();
        assert!(e.contains("livex"), "{e}");
        let e = Scenario::from_toml("f", "[[change]]\nat_hour = 2\nmachine = 0.9").unwrap_err().to_string();
        assert!(e.contains("change[0]"), "{e}");
        let s = Scenario::from_toml("f", "hours = 2\n[[change]]\nat_hour = 1\nlive = 0.1").unwrap();
        assert_eq!(s.probs_at(1.5)[0], 0.1);
        assert_eq!(s.probs_at(0.5)[0], 0.3);
    }

    #[test]
    fn same_seed_same_day() {
        let mut s = Scenario::s1();
        s.hours = 0.5;
        let cfg = SimConfig::new(s, 5, 7, Mode::Predictive, false);
        assert_eq!(simulate(cfg.clone()), simulate(cfg));
    }
}
