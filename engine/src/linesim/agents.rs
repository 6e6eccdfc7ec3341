//! Simulated agents on agent-side channels: they answer when offered, talk for a sampled time,
//! wrap up, and take breaks. Sans-IO: the caller asks what an agent does next and when.

use serde::{Deserialize, Serialize};

use super::Draw;

/// How simulated agents behave (times in seconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentBehaviour {
    /// Delay before answering an offered call: uniform in this range.
    pub answer_s: (f64, f64),
    /// Talk time: lognormal with this mean and standard deviation.
    pub talk_mean_s: f64,
    /// Talk time standard deviation.
    pub talk_sd_s: f64,
    /// Wrap-up time: lognormal mean.
    pub wrap_mean_s: f64,
    /// Wrap-up time standard deviation.
    pub wrap_sd_s: f64,
    /// Probability of not answering an offer (ring timeout).
    pub no_answer: f64,
    /// Breaks per hour logged in.
    pub breaks_per_hour: f64,
    /// Break length in seconds.
    pub break_s: f64,
}

impl Default for AgentBehaviour {
    fn default() -> Self {
        Self {
            answer_s: (1.0, 3.0),
            talk_mean_s: 90.0,
            talk_sd_s: 60.0,
            wrap_mean_s: 15.0,
            wrap_sd_s: 8.0,
            no_answer: 0.02,
            breaks_per_hour: 0.5,
            break_s: 300.0,
        }
    }
}

/// Draws for one simulated agent (deterministic per agent seed).
pub struct SimAgent {
    draw: Draw,
    cfg: AgentBehaviour,
}

impl SimAgent {
    /// An agent with its own seed.
    pub fn new(cfg: AgentBehaviour, seed: u64) -> Self {
        Self { draw: Draw(seed ^ 0xA6E7), cfg }
    }

    fn lognormal(&mut self, mean: f64, sd: f64) -> f64 {
        let s2 = (1.0 + (sd * sd) / (mean * mean)).ln();
        let mu = mean.ln() - s2 / 2.0;
        // Box-Muller.
        let u1 = self.draw.range(1e-12, 1.0);
        let u2 = self.draw.range(0.0, 1.0);
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (mu + s2.sqrt() * z).exp()
    }

    /// For an offered call: `Some(ms until answer)`, or `None` if the agent lets it ring out.
    pub fn answer_delay_ms(&mut self) -> Option<u64> {
        if self.draw.range(0.0, 1.0) < self.cfg.no_answer {
            return None;
        }
        Some((self.draw.range(self.cfg.answer_s.0, self.cfg.answer_s.1) * 1000.0) as u64)
    }

    /// How long the agent talks before hanging up (ms).
    pub fn talk_ms(&mut self) -> u64 {
        (self.lognormal(self.cfg.talk_mean_s, self.cfg.talk_sd_s).clamp(5.0, 3600.0) * 1000.0) as u64
    }

    /// After-call work (ms).
    pub fn wrap_ms(&mut self) -> u64 {
        (self.lognormal(self.cfg.wrap_mean_s, self.cfg.wrap_sd_s).clamp(1.0, 600.0) * 1000.0) as u64
    }

    /// Whether to take a break now, given `since_ms` since the last one (Poisson rate).
    pub fn wants_break(&mut self, since_ms: u64) -> Option<u64> {
        let p = 1.0 - (-self.cfg.breaks_per_hour * since_ms as f64 / 3_600_000.0).exp();
        (self.draw.range(0.0, 1.0) < p).then_some((self.cfg.break_s * 1000.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn talk_times_have_the_configured_mean() {
        let mut a = SimAgent::new(AgentBehaviour::default(), 9);
        let n = 20_000;
        let mean = (0..n).map(|_| a.talk_ms() as f64).sum::<f64>() / n as f64 / 1000.0;
        assert!((mean - 90.0).abs() < 4.0, "{mean}");
        let answered = (0..n).filter(|_| a.answer_delay_ms().is_some()).count();
        assert!((answered as f64 / n as f64 - 0.98).abs() < 0.01);
    }
}
