//! The pacer: how many new lines to dial now.
//!
//! Model-based: from live estimates of how attempts resolve (reach the agent queue or not, and
//! when) and how long agents stay busy (talk and wrap-up, conditioned on each busy agent's
//! elapsed time), it projects over the next seconds the number of agents free and the number of
//! answered calls wanting one, and dials the k-th extra line only while that line's own chance of
//! being abandoned (its live answer finding no agent within the 2-s patience) stays under a
//! threshold θ. θ is driven by the abandon controller: an integral term that steers the rate to
//! an aim below the legal cap, and hard guards that fall back to progressive pacing (zero
//! abandons by construction) whenever the rolling hour or day is close to the cap.

use super::compliance::AbandonCounters;
use super::estimate::{AgentTimes, HumanOdds, Resolution, HORIZON_S};
use super::Mode;
use crate::model::Ms;

/// Tunables of the pacer and its abandon controller.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PacerConfig {
    /// Legal cap on abandoned / live answers (0.03).
    pub target_abandon: f64,
    /// The controller aims at this fraction of the cap over the day.
    pub aim_fraction: f64,
    /// Lines the campaign may use at most (dialling + talking + messages).
    pub max_lines: usize,
    /// How long an answered call waits for an agent (ms).
    pub patience_ms: u64,
    /// Estimated AMD false-positive rate (humans taken for machines), counted as abandons.
    pub amd_fp_estimate: f64,
    /// Marginal abandon probability allowed for one more line, before the controller's correction.
    pub theta: f64,
    /// Attempts the resolution estimates remember (exponential forgetting).
    pub memory_attempts: f64,
    /// Abandons kept in reserve under the rolling hour's cap (calls already in flight can
    /// still be abandoned after the guard trips).
    pub hour_reserve: f64,
    /// Width (abandons) of the zone below the reserve where θ is scaled down linearly.
    pub soft_span: f64,
    /// Count an abandoned answer in the rolling counters by the learnt odds that it was a
    /// person, instead of as a person (see [`Pacer::on_abandon`]).
    pub estimate_abandon_odds: bool,
}

impl Default for PacerConfig {
    fn default() -> Self {
        Self {
            target_abandon: 0.03,
            aim_fraction: 0.7,
            max_lines: 120,
            patience_ms: 2_000,
            amd_fp_estimate: 0.0,
            theta: 0.05,
            memory_attempts: 400.0,
            hour_reserve: 2.5,
            soft_span: 3.0,
            estimate_abandon_odds: false,
        }
    }
}

/// A busy agent as the pacer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusyAgent {
    /// Bridged to a call for this long (ms).
    Talking(u64),
    /// In wrap-up for this long (ms).
    Wrapping(u64),
    /// Busy with something the pacer cannot predict (preview, not ready): ignored.
    Other,
}

/// A call in progress that may still want an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Dialled this long ago (ms), not yet resolved (ringing, answered and being classified).
    Dialling(u64),
    /// Answered, classified as a person, waiting for an agent now.
    Waiting,
}

/// What the pacer is told at each decision.
#[derive(Clone, Copy, Debug)]
pub struct PacerInput<'a> {
    /// Now.
    pub now: Ms,
    /// Agents ready for a call.
    pub free_agents: usize,
    /// The other logged-in agents.
    pub busy: &'a [BusyAgent],
    /// Calls that may still want an agent.
    pub pending: &'a [Pending],
    /// Lines in use by the campaign (dialling, talking, playing messages).
    pub lines_in_use: usize,
}

/// The pacer of one campaign.
#[derive(Clone, Debug)]
pub struct Pacer {
    /// Its tunables.
    pub cfg: PacerConfig,
    res: Resolution,
    agents: AgentTimes,
    odds: HumanOdds,
    /// Rolling abandon counters (1 h, 24 h, 30 d), false-positive estimates included.
    pub counters: AbandonCounters,
    integ: f64,
    started: Option<Ms>,
    /// Last decision's θ (for tests and the API).
    pub last_theta: f64,
    /// True when the last decision fell back to progressive pacing.
    pub last_guarded: bool,
}

/// Standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7).
fn phi(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-z * z).exp();
    if x >= 0.0 {
        0.5 * (1.0 + y)
    } else {
        0.5 * (1.0 - y)
    }
}

impl Pacer {
    /// A pacer with priors for talk and wrap-up (means and sds in seconds).
    pub fn new(cfg: PacerConfig, talk: (f64, f64), wrap: (f64, f64)) -> Self {
        Self {
            res: Resolution::new(cfg.memory_attempts),
            agents: AgentTimes::new(talk.0, talk.1, wrap.0, wrap.1),
            odds: HumanOdds::default(),
            counters: AbandonCounters::default(),
            cfg,
            integ: 0.0,
            started: None,
            last_theta: 0.0,
            last_guarded: false,
        }
    }

    /// An attempt resolved `ms` after it was dialled; `handoff` if it went to the agent queue.
    pub fn on_resolved(&mut self, ms: u64, handoff: bool) {
        self.res.observe(ms, handoff);
    }

    /// An agent finished talking after `ms`.
    pub fn on_talk_end(&mut self, ms: u64) {
        self.agents.observe_talk(ms);
    }

    /// An agent finished wrap-up (`wrap_ms`, 0 if none) after a talk of `talk_ms`.
    pub fn on_wrap_end(&mut self, talk_ms: u64, wrap_ms: u64) {
        self.agents.observe_wrap(talk_ms, wrap_ms);
    }

    /// The agent's disposition of a bridged call that was queued `ms` after dialling.
    pub fn on_disposition(&mut self, ms: u64, human: bool) {
        self.odds.observe(ms, human);
    }

    /// Estimated P(person) for a call queued `ms` after dialling.
    pub fn p_human(&self, ms: u64) -> f64 {
        self.odds.p_human(ms)
    }

    /// A call was classified as a person and queued for an agent `ms` after dialling (a live
    /// answer as far as the engine can tell, weighted by the odds that it is a person). Adds
    /// the estimated AMD false positives that came with it.
    pub fn on_live(&mut self, now: Ms, ms: u64) {
        let fp = self.cfg.amd_fp_estimate;
        let w = self.odds.p_human(ms);
        self.counters.record(now, w + fp, fp);
        let aim = self.cfg.target_abandon * self.cfg.aim_fraction;
        self.integ += 0.08 * (aim * (w + fp) - fp);
        self.integ = self.integ.clamp(-4.0, 1.5);
    }

    /// A call queued `ms` after dialling was abandoned (no agent within the patience).
    pub fn on_abandon(&mut self, now: Ms, ms: u64) {
        // By default the counters (and the guards reading them) take every abandoned answer as
        // a person: with AMD off the dialer cannot rule it out, and the odds are thin on small
        // teams. `estimate_abandon_odds` weighs it by the learnt odds instead (more contacts,
        // less margin). The day's integral always steers by the odds.
        let w = self.odds.p_human(ms);
        let counted = if self.cfg.estimate_abandon_odds { w } else { 1.0 };
        self.counters.record(now, 0.0, counted);
        self.integ -= 0.08 * w;
        self.integ = self.integ.clamp(-4.0, 1.5);
    }

    /// The threshold and whether the guards force progressive pacing now.
    fn control(&mut self, now: Ms, in_flight: usize) -> (f64, bool) {
        let start = *self.started.get_or_insert(now);
        let (l1, a1) = self.counters.hour(now);
        let (ld, ad) = self.counters.day(now);
        let run_min = (now.0.saturating_sub(start.0)) as f64 / 60_000.0;
        // Early in the day the hour (and day) that will be judged is still filling up: use the
        // live answers it can expect at the current rate.
        // (The count so far, scaled to the hour, after at least 10 minutes.)
        let proj_h = if run_min < 60.0 { l1.max(0.9 * l1 * 60.0 / run_min.max(10.0)) } else { l1 };
        let proj_d = ld.max(proj_h);
        let cap = self.cfg.target_abandon;
        // The reserve covers calls already in flight: a small team has few of them, so it keeps
        // less back (else one abandon would stop a 5-agent campaign's pacing for an hour).
        let floor = self.cfg.hour_reserve.min(1.0);
        let reserve = floor + (self.cfg.hour_reserve - floor) * (in_flight as f64 / 15.0).min(1.0);
        let guarded = a1 + reserve > cap * proj_h || ad + reserve > cap * proj_d * 0.97;
        // Soften near the hour cap, over a zone no wider than a third of the hour's allowance.
        let head = (cap * proj_h - a1 - reserve).max(0.0);
        let span = self.cfg.soft_span.min(cap * proj_h / 3.0).max(0.25);
        let soft = (head / span).min(1.0);
        let theta = self.cfg.theta * self.integ.exp() * soft;
        (theta, guarded)
    }

    /// How many new lines to dial now under `mode`.
    pub fn lines_to_dial(&mut self, mode: &Mode, inp: &PacerInput<'_>) -> usize {
        self.agents.refresh();
        let cap = self.cfg.max_lines.saturating_sub(inp.lines_in_use);
        let progressive = inp.free_agents.saturating_sub(inp.pending.len()).min(cap);
        match mode {
            Mode::Preview { .. } | Mode::Progressive => progressive,
            Mode::Power { lines_per_agent } => {
                let (theta, guarded) = self.control(inp.now, inp.pending.len());
                self.last_theta = theta;
                self.last_guarded = guarded;
                if guarded {
                    return progressive;
                }
                // The same controller as predictive: the extra lines per agent shrink with the
                // controller's θ (relative to its nominal value) and vanish under the guard.
                let scale = (theta / self.cfg.theta.max(1e-9)).min(1.0);
                let ratio = 1.0 + (lines_per_agent.max(1.0) - 1.0) * scale;
                let want = (ratio * inp.free_agents as f64).floor() as usize;
                want.saturating_sub(inp.pending.len()).min(cap)
            }
            Mode::Predictive => {
                let (theta, guarded) = self.control(inp.now, inp.pending.len());
                self.last_theta = theta;
                self.last_guarded = guarded;
                if guarded || theta <= 1e-4 {
                    return progressive;
                }
                self.predictive(inp, theta, cap).max(progressive)
            }
        }
    }

    fn predictive(&mut self, inp: &PacerInput<'_>, theta: f64, cap: usize) -> usize {
        const T: usize = HORIZON_S;
        let pat = (self.cfg.patience_ms / 1000) as usize;
        let n = T - pat;
        let mut mx = [0f64; HORIZON_S + 1];
        let mut vx = [0f64; HORIZON_S + 1];
        for m in mx.iter_mut() {
            *m = inp.free_agents as f64;
        }
        for b in inp.busy {
            let row = match *b {
                BusyAgent::Talking(e) => self.agents.talking(e),
                BusyAgent::Wrapping(e) => self.agents.wrapping(e),
                BusyAgent::Other => continue,
            };
            for s in 0..=T {
                let q = row[s] as f64;
                mx[s] += q;
                vx[s] += q * (1.0 - q);
            }
        }
        let mut my = [0f64; HORIZON_S + 1];
        let mut vy = [0f64; HORIZON_S + 1];
        for p in inp.pending {
            match *p {
                Pending::Waiting => {
                    for m in my.iter_mut() {
                        *m += 1.0;
                    }
                }
                Pending::Dialling(e) => {
                    for t in 0..=n {
                        let h = self.res.handoff_within(e, t as u64 * 1000);
                        my[t] += h;
                        vy[t] += h * (1.0 - h);
                    }
                }
            }
        }
        // A fresh attempt: cumulative handoff probability by τ, and its density.
        let mut c = [0f64; HORIZON_S + 1];
        for t in 0..=n {
            c[t] = self.res.handoff_within(0, t as u64 * 1000);
        }
        let mut ph = [0f64; HORIZON_S + 1];
        for (t, v) in ph.iter_mut().enumerate() {
            *v = self.odds.p_human(t as u64 * 1000);
        }
        let p_all = self.res.p_handoff().max(1e-6);
        let mut p = 0.0;
        for t in 1..=n {
            p += (c[t] - c[t - 1]).max(0.0) * ph[t];
        }
        p += (p_all - c[n]).max(0.0) * ph[n];
        let p = p.max(1e-6);
        let mut k = 0usize;
        while k < cap {
            // Chance that the (k+1)-th new line, if it reaches the queue, finds no agent.
            let kf = k as f64;
            let mut risk = 0.0;
            let mut mass = 0.0;
            for t in 1..=n {
                let g = (c[t] - c[t - 1]).max(0.0) * ph[t];
                if g <= 0.0 {
                    continue;
                }
                let mu = mx[t + pat] - my[t] - kf * c[t];
                let var = vx[t + pat] + vy[t] + kf * c[t] * (1.0 - c[t]) + 0.25;
                risk += g * phi((0.5 - mu) / var.sqrt());
                mass += g;
            }
            // Handoffs after the horizon: judged at the horizon.
            let tail = (p - mass).max(0.0);
            let _ = p_all;
            if tail > 0.0 {
                let mu = mx[T] - my[n] - kf * c[n];
                let var = vx[T] + vy[n] + kf * c[n] * (1.0 - c[n]) + 0.25;
                risk += tail * phi((0.5 - mu) / var.sqrt());
            }
            if risk / p > theta {
                break;
            }
            k += 1;
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_is_a_cdf() {
        assert!((phi(0.0) - 0.5).abs() < 1e-6);
        assert!((phi(1.96) - 0.975).abs() < 1e-3);
        assert!(phi(-8.0) < 1e-6);
    }

    #[test]
    fn never_exceeds_the_line_count() {
        let mut p =
            Pacer::new(PacerConfig { max_lines: 10, ..Default::default() }, (150.0, 150.0), (20.0, 10.0));
        let inp = PacerInput { now: Ms(0), free_agents: 50, busy: &[], pending: &[], lines_in_use: 8 };
        assert!(p.lines_to_dial(&Mode::Predictive, &inp) <= 2);
        assert!(p.lines_to_dial(&Mode::Power { lines_per_agent: 3.0 }, &inp) <= 2);
    }

    #[test]
    fn progressive_is_one_line_per_free_agent() {
        let mut p = Pacer::new(PacerConfig::default(), (150.0, 150.0), (20.0, 10.0));
        let pending = [Pending::Dialling(3000)];
        let inp = PacerInput { now: Ms(0), free_agents: 3, busy: &[], pending: &pending, lines_in_use: 1 };
        assert_eq!(p.lines_to_dial(&Mode::Progressive, &inp), 2);
    }
}
