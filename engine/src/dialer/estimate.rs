//! Live estimates the pacer plans with: how an attempt resolves over time (handed to an agent or
//! not) and how long agents stay busy (talk, then wrap-up). Histograms with exponential
//! forgetting, so a list whose answer rate changes under the campaign is tracked within minutes.

/// Resolution histogram bin width (ms).
const RES_BIN_MS: u64 = 250;
/// Resolution histogram length (bins): 60 s.
const RES_BINS: usize = 240;
/// Agent-time histogram bin width (ms).
const AGENT_BIN_MS: u64 = 1000;
/// Talk histogram length (bins): 1 h.
const TALK_BINS: usize = 3600;
/// Wrap-up histogram length (bins): 10 min.
const WRAP_BINS: usize = 600;
/// Talks shorter than this are taken as "not a conversation" (machine, wrong party): they are
/// followed by a different wrap-up than real conversations.
pub const SHORT_TALK_MS: u64 = 15_000;

/// Decayed histogram of dial→resolution times, split by whether the call reached the agent queue.
#[derive(Clone, Debug)]
pub struct Resolution {
    handoff: Vec<f64>,
    other: Vec<f64>,
    /// Cumulative fractions (of all attempts) at each bin's upper edge, rebuilt on demand.
    cum_h: Vec<f64>,
    cum_all: Vec<f64>,
    dirty: bool,
    decay: f64,
}

impl Resolution {
    /// A prior worth a few dozen attempts: 30 % reach the queue around 11 s.
    pub fn new(memory_attempts: f64) -> Self {
        let mut r = Self {
            handoff: vec![0.0; RES_BINS],
            other: vec![0.0; RES_BINS],
            cum_h: vec![0.0; RES_BINS],
            cum_all: vec![0.0; RES_BINS],
            dirty: true,
            decay: 1.0 - 1.0 / memory_attempts.max(10.0),
        };
        for (ms, h, w) in
            [(9_000, true, 8.0), (12_000, true, 8.0), (5_000, false, 10.0), (28_000, false, 12.0)]
        {
            let b = Self::bin(ms);
            if h {
                r.handoff[b] += w;
            } else {
                r.other[b] += w;
            }
        }
        r
    }

    fn bin(ms: u64) -> usize {
        ((ms / RES_BIN_MS) as usize).min(RES_BINS - 1)
    }

    /// One finished attempt: `ms` from dial to its resolution, `handoff` if it went to the agents.
    pub fn observe(&mut self, ms: u64, handoff: bool) {
        for v in self.handoff.iter_mut().chain(self.other.iter_mut()) {
            *v *= self.decay;
        }
        let b = Self::bin(ms);
        if handoff {
            self.handoff[b] += 1.0;
        } else {
            self.other[b] += 1.0;
        }
        self.dirty = true;
    }

    fn rebuild(&mut self) {
        if !self.dirty {
            return;
        }
        let total: f64 = self.handoff.iter().sum::<f64>() + self.other.iter().sum::<f64>();
        let total = total.max(1e-9);
        let (mut h, mut a) = (0.0, 0.0);
        for i in 0..RES_BINS {
            h += self.handoff[i];
            a += self.handoff[i] + self.other[i];
            self.cum_h[i] = h / total;
            self.cum_all[i] = a / total;
        }
        self.dirty = false;
    }

    /// Probability that a fresh attempt reaches the agent queue.
    pub fn p_handoff(&mut self) -> f64 {
        self.rebuild();
        self.cum_h[RES_BINS - 1]
    }

    fn cum(v: &[f64], ms: u64) -> f64 {
        // Linear inside the bin, so elapsed times between bins do not jump.
        let x = ms as f64 / RES_BIN_MS as f64;
        let i = x.floor() as usize;
        if i >= RES_BINS {
            return v[RES_BINS - 1];
        }
        let lo = if i == 0 { 0.0 } else { v[i - 1] };
        lo + (v[i] - lo) * (x - i as f64)
    }

    /// For a call `elapsed` ms after dialling and still unresolved: probability that it reaches the
    /// queue within the next `ahead` ms.
    pub fn handoff_within(&mut self, elapsed: u64, ahead: u64) -> f64 {
        self.rebuild();
        let s = 1.0 - Self::cum(&self.cum_all, elapsed);
        if s <= 1e-6 {
            return 0.0;
        }
        let d = Self::cum(&self.cum_h, elapsed + ahead) - Self::cum(&self.cum_h, elapsed);
        (d / s).clamp(0.0, 1.0)
    }
}

/// P(a call that reached the agent queue `t` after dialling is a person), learnt from the
/// agents' dispositions. With AMD off, machines answer late (after their ring count), people
/// early: the pacer weighs risk, and the controller counts abandons, by this.
#[derive(Clone, Debug)]
pub struct HumanOdds {
    human: Vec<f64>,
    total: Vec<f64>,
}

impl Default for HumanOdds {
    fn default() -> Self {
        Self { human: vec![0.0; 61], total: vec![0.0; 61] }
    }
}

impl HumanOdds {
    /// The agent found a person (`human`) or not on a call queued `ms` after dialling.
    pub fn observe(&mut self, ms: u64, human: bool) {
        let b = ((ms / 1000) as usize).min(60);
        self.human[b] = self.human[b] * 0.998 + if human { 1.0 } else { 0.0 };
        self.total[b] = self.total[b] * 0.998 + 1.0;
    }

    /// Estimated P(person); unknown bins count as people (the safe side).
    pub fn p_human(&self, ms: u64) -> f64 {
        let b = ((ms / 1000) as usize).min(60);
        (self.human[b] + 2.0) / (self.total[b] + 2.0)
    }

    /// An upper confidence bound on P(person) (about 1.5 sd plus one pseudo-count): close to
    /// 1 while a bin has few observations, close to [`HumanOdds::p_human`] once it has many.
    pub fn p_human_upper(&self, ms: u64) -> f64 {
        let b = ((ms / 1000) as usize).min(60);
        let n = self.total[b] + 2.0;
        let p = self.p_human(ms);
        (p + 1.5 * (p * (1.0 - p) / n).sqrt() + 1.0 / n).min(1.0)
    }
}

/// Decayed histogram of a duration in whole seconds with a cumulative view.
#[derive(Clone, Debug)]
struct Durations {
    w: Vec<f64>,
    cdf: Vec<f64>,
    dirty: bool,
    decay: f64,
}

impl Durations {
    fn new(bins: usize, prior_mean_s: f64, prior_sd_s: f64, prior_weight: f64, memory: f64) -> Self {
        let mut w = vec![0.0; bins];
        // Lognormal prior spread over the bins by its density.
        let s2 = (1.0 + (prior_sd_s / prior_mean_s).powi(2)).ln();
        let mu = prior_mean_s.ln() - s2 / 2.0;
        let mut tot = 0.0;
        for (i, v) in w.iter_mut().enumerate() {
            let x = i as f64 + 0.5;
            let d = (-(x.ln() - mu).powi(2) / (2.0 * s2)).exp() / x;
            *v = d;
            tot += d;
        }
        for v in w.iter_mut() {
            *v *= prior_weight / tot.max(1e-12);
        }
        Self { cdf: vec![0.0; bins], w, dirty: true, decay: 1.0 - 1.0 / memory.max(10.0) }
    }

    fn observe(&mut self, ms: u64) {
        for v in self.w.iter_mut() {
            *v *= self.decay;
        }
        let b = ((ms / AGENT_BIN_MS) as usize).min(self.w.len() - 1);
        self.w[b] += 1.0;
        self.dirty = true;
    }

    fn rebuild(&mut self) {
        if !self.dirty {
            return;
        }
        let tot: f64 = self.w.iter().sum::<f64>().max(1e-12);
        let mut a = 0.0;
        for (c, v) in self.cdf.iter_mut().zip(&self.w) {
            a += v;
            *c = a / tot;
        }
        self.dirty = false;
    }

    /// P(X ≤ s seconds), linear inside a bin.
    fn cdf_at(&self, s: f64) -> f64 {
        if s <= 0.0 {
            return 0.0;
        }
        let i = s.floor() as usize;
        if i >= self.cdf.len() {
            return 1.0;
        }
        let lo = if i == 0 { 0.0 } else { self.cdf[i - 1] };
        lo + (self.cdf[i] - lo) * (s - i as f64)
    }

    /// Five quantiles (10, 30, 50, 70, 90 %) in seconds.
    fn quintiles(&self) -> [f64; 5] {
        let mut out = [0.0; 5];
        for (k, q) in [0.1, 0.3, 0.5, 0.7, 0.9].iter().enumerate() {
            let i = self.cdf.iter().position(|&c| c >= *q).unwrap_or(self.cdf.len() - 1);
            let lo = if i == 0 { 0.0 } else { self.cdf[i - 1] };
            let f = if self.cdf[i] > lo { (q - lo) / (self.cdf[i] - lo) } else { 0.5 };
            out[k] = i as f64 + f;
        }
        out
    }
}

/// How long agents stay busy: talk time (bridge → hang-up) and wrap-up after it, learnt live,
/// turned into "probability this busy agent is free within s seconds" tables.
#[derive(Clone, Debug)]
pub struct AgentTimes {
    talk: Durations,
    wrap_long: Durations,
    wrap_short: Durations,
    /// `talk_table[e][s]`: P(free within s s | talking for e s).
    talk_table: Vec<[f32; HORIZON_S + 1]>,
    /// `wrap_table[w][s]`: P(free within s s | in wrap-up for w s).
    wrap_table: Vec<[f32; HORIZON_S + 1]>,
    since_rebuild: u32,
}

/// How far ahead (s) the pacer looks.
pub const HORIZON_S: usize = 48;
/// Elapsed talk time covered by the table (s); longer talks use the last row.
const TALK_ROWS: usize = 1800;
const WRAP_ROWS: usize = 300;

impl AgentTimes {
    /// Priors: talk and wrap-up means/sds in seconds.
    pub fn new(talk_mean: f64, talk_sd: f64, wrap_mean: f64, wrap_sd: f64) -> Self {
        let mut a = Self {
            talk: Durations::new(TALK_BINS, talk_mean, talk_sd, 30.0, 2000.0),
            wrap_long: Durations::new(WRAP_BINS, wrap_mean, wrap_sd, 30.0, 2000.0),
            wrap_short: Durations::new(WRAP_BINS, 1.0, 0.5, 3.0, 500.0),
            talk_table: Vec::new(),
            wrap_table: Vec::new(),
            since_rebuild: 0,
        };
        a.rebuild();
        a
    }

    /// A call's talk phase ended after `ms`.
    pub fn observe_talk(&mut self, ms: u64) {
        self.talk.observe(ms);
        self.since_rebuild += 1;
    }

    /// An agent's wrap-up after a talk of `talk_ms` lasted `ms` (0 when none).
    pub fn observe_wrap(&mut self, talk_ms: u64, ms: u64) {
        if talk_ms < SHORT_TALK_MS {
            self.wrap_short.observe(ms);
        } else {
            self.wrap_long.observe(ms);
        }
        self.since_rebuild += 1;
    }

    /// Rebuilds the tables if enough was learnt since the last time (cheap to call often).
    pub fn refresh(&mut self) {
        if self.since_rebuild >= 200 || self.talk_table.is_empty() {
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        self.since_rebuild = 0;
        self.talk.rebuild();
        self.wrap_long.rebuild();
        self.wrap_short.rebuild();
        let wl = self.wrap_long.quintiles();
        let ws = self.wrap_short.quintiles();
        let short = SHORT_TALK_MS as f64 / 1000.0;
        self.talk_table = (0..TALK_ROWS)
            .map(|e| {
                let e = e as f64;
                let fe = self.talk.cdf_at(e);
                let surv = (1.0 - fe).max(1e-9);
                let mut row = [0f32; HORIZON_S + 1];
                for (s, cell) in row.iter_mut().enumerate() {
                    let end = e + s as f64;
                    let mut p = 0.0;
                    for k in 0..5 {
                        // Short talks are followed by short wrap-ups, conversations by long ones.
                        let a = self.talk.cdf_at((end - ws[k]).min(short)) - fe;
                        let b = self.talk.cdf_at(end - wl[k]) - self.talk.cdf_at(e.max(short));
                        p += a.max(0.0) + b.max(0.0);
                    }
                    *cell = ((p / 5.0) / surv).clamp(0.0, 1.0) as f32;
                }
                row
            })
            .collect();
        self.wrap_table = (0..WRAP_ROWS)
            .map(|w| {
                let w = w as f64;
                let fw = self.wrap_long.cdf_at(w);
                let surv = (1.0 - fw).max(1e-9);
                let mut row = [0f32; HORIZON_S + 1];
                for (s, cell) in row.iter_mut().enumerate() {
                    *cell = ((self.wrap_long.cdf_at(w + s as f64) - fw) / surv).clamp(0.0, 1.0) as f32;
                }
                row
            })
            .collect();
    }

    /// The free-within-s row for an agent talking for `elapsed_ms`.
    pub fn talking(&self, elapsed_ms: u64) -> &[f32; HORIZON_S + 1] {
        &self.talk_table[((elapsed_ms / 1000) as usize).min(TALK_ROWS - 1)]
    }

    /// The free-within-s row for an agent in wrap-up for `elapsed_ms`.
    pub fn wrapping(&self, elapsed_ms: u64) -> &[f32; HORIZON_S + 1] {
        &self.wrap_table[((elapsed_ms / 1000) as usize).min(WRAP_ROWS - 1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_learns_the_handoff_rate() {
        let mut r = Resolution::new(300.0);
        for i in 0..2000u64 {
            r.observe(10_000 + (i % 7) * 300, i % 5 == 0);
        }
        assert!((r.p_handoff() - 0.2).abs() < 0.02, "{}", r.p_handoff());
        assert!(r.handoff_within(0, 20_000) > 0.15);
        assert_eq!(r.handoff_within(50_000, 1000), 0.0);
    }

    #[test]
    fn agent_tables_are_monotone() {
        let a = AgentTimes::new(150.0, 150.0, 20.0, 10.0);
        let row = a.talking(100_000);
        assert!(row.windows(2).all(|w| w[0] <= w[1] + 1e-6));
        assert!(a.wrapping(19_000)[10] > a.wrapping(0)[10]);
    }
}
