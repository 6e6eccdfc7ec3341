//! The line simulator: the PSTN at the far end of a simulated trunk. Every number dialled is a
//! subscriber whose behaviour (a person, an answering machine, busy, an invalid number, a fax,
//! no answer, congestion) is drawn from configured probabilities, and turns into a timed
//! [`Script`] of signalling actions and real audio — ringback, speech, greetings with beeps,
//! busy and SIT tones, fax answer tones — so the engine's detectors decide, not flags.
//!
//! Sans-IO and deterministic: the same seed, number and attempt give the same script.

pub mod agents;
mod audio;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use audio::Voice;

/// What a subscriber does when called (the simulator's truth, to score classification).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// Rings, answers, says "hello?" and talks.
    Human,
    /// Rings, answers with a 3–15 s greeting, then a beep.
    Machine,
    /// Busy tone (cause 17 after it).
    Busy,
    /// Special information tone and an announcement (cause 1).
    Invalid,
    /// Rings, answers with a fax answer tone (CED/ANS) and V.21 flags.
    Fax,
    /// Rings until the caller gives up.
    NoAnswer,
    /// Congestion (fast busy) tone (cause 34).
    Congestion,
}

impl Behaviour {
    /// Every behaviour.
    pub const ALL: [Behaviour; 7] = [
        Behaviour::Human,
        Behaviour::Machine,
        Behaviour::Busy,
        Behaviour::Invalid,
        Behaviour::Fax,
        Behaviour::NoAnswer,
        Behaviour::Congestion,
    ];
}

/// Probabilities of each behaviour per attempt (they need not sum to 1; they are normalised).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationConfig {
    /// A person answers.
    pub human: f64,
    /// An answering machine answers.
    pub machine: f64,
    /// Busy.
    pub busy: f64,
    /// Invalid number (SIT).
    pub invalid: f64,
    /// Fax machine.
    pub fax: f64,
    /// No answer.
    pub no_answer: f64,
    /// Congestion.
    pub congestion: f64,
    /// Country whose call-progress tones the network plays (`cn`, `us`, `uk`, ...).
    pub country: String,
}

impl Default for PopulationConfig {
    fn default() -> Self {
        Self {
            human: 0.35,
            machine: 0.20,
            busy: 0.08,
            invalid: 0.07,
            fax: 0.03,
            no_answer: 0.22,
            congestion: 0.05,
            country: "cn".into(),
        }
    }
}

/// One timed step of a far-end script (times in ms from the moment the call arrived).
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The far end is alerting (PRI ALERTING / R2 B-6): ringback follows in band.
    Alert,
    /// The far end answers (CONNECT / R2 answer).
    Answer,
    /// Audio to send from now on (replaces what was playing).
    Play(Arc<[i16]>),
    /// The far end releases with this Q.850 cause (after in-band tones, for busy and invalid).
    Release(u8),
}

/// What the far end will do on one call.
#[derive(Clone, Debug, PartialEq)]
pub struct Script {
    /// The truth.
    pub behaviour: Behaviour,
    /// Steps ordered by time (ms after the call arrived).
    pub steps: Vec<(u64, Action)>,
    /// For machines: when the beep starts (ms after answer) and its frequency.
    pub beep: Option<(u64, f32)>,
}

/// The subscriber population.
#[derive(Clone, Debug)]
pub struct Population {
    cfg: PopulationConfig,
    seed: u64,
    cumulative: [f64; 7],
    country: trunkline_dsp::cpt::tables::Country,
}

/// SplitMix64 over the seed, number and attempt: deterministic per call.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small deterministic random source for script timing.
pub(crate) struct Draw(u64);

impl Draw {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = mix(self.0);
        self.0
    }

    /// Uniform in [a, b).
    pub(crate) fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
    }
}

impl Population {
    /// A population; errors name the field (unknown country, negative or all-zero probabilities).
    pub fn new(cfg: PopulationConfig, seed: u64) -> Result<Self, String> {
        let p = [cfg.human, cfg.machine, cfg.busy, cfg.invalid, cfg.fax, cfg.no_answer, cfg.congestion];
        if p.iter().any(|&x| !(x >= 0.0 && x.is_finite())) {
            return Err("population: every probability must be a finite number ≥ 0".into());
        }
        let total: f64 = p.iter().sum();
        if total <= 0.0 {
            return Err("population: probabilities sum to 0".into());
        }
        let mut cumulative = [0.0; 7];
        let mut acc = 0.0;
        for (c, x) in cumulative.iter_mut().zip(p) {
            acc += x / total;
            *c = acc;
        }
        let country = trunkline_dsp::cpt::tables::country(&cfg.country)
            .ok_or_else(|| format!("population: country \"{}\" has no tone table", cfg.country))?;
        Ok(Self { cfg, seed, cumulative, country })
    }

    /// The configuration.
    pub fn config(&self) -> &PopulationConfig {
        &self.cfg
    }

    /// The behaviour of `number` on its `attempt`-th call.
    pub fn behaviour(&self, number: &str, attempt: u32) -> Behaviour {
        let h = number.bytes().fold(self.seed ^ 0x00C0_FFEE, |h, b| mix(h ^ b as u64));
        // Invalid numbers stay invalid on every attempt; the rest are drawn per attempt.
        let stable = (mix(h) >> 11) as f64 / (1u64 << 53) as f64;
        let inv_lo = self.cumulative[2];
        let inv_hi = self.cumulative[3];
        if stable >= inv_lo && stable < inv_hi {
            return Behaviour::Invalid;
        }
        let u = (mix(h ^ (attempt as u64 + 1)) >> 11) as f64 / (1u64 << 53) as f64;
        // Redraw into the non-invalid mass so the per-attempt mix keeps its proportions.
        let span = 1.0 - (inv_hi - inv_lo);
        let mut x = u * span;
        if x >= inv_lo {
            x += inv_hi - inv_lo;
        }
        let i = self.cumulative.iter().position(|&c| x < c).unwrap_or(6);
        Behaviour::ALL[i]
    }

    /// The script of one call.
    pub fn script(&self, number: &str, attempt: u32) -> Script {
        let b = self.behaviour(number, attempt);
        let h = number.bytes().fold(self.seed.rotate_left(17), |h, x| mix(h ^ x as u64));
        let mut d = Draw(mix(h ^ ((attempt as u64) << 32)));
        audio::script(b, &self.country, &mut d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaviours_follow_the_configured_mix_and_invalid_is_stable() {
        let p = Population::new(PopulationConfig::default(), 7).unwrap();
        let mut counts = std::collections::HashMap::new();
        for i in 0..20_000 {
            *counts.entry(p.behaviour(&format!("1380000{i:05}"), 0)).or_insert(0usize) += 1;
        }
        let frac = |b| counts.get(&b).copied().unwrap_or(0) as f64 / 20_000.0;
        assert!((frac(Behaviour::Human) - 0.35).abs() < 0.02, "{}", frac(Behaviour::Human));
        assert!((frac(Behaviour::Invalid) - 0.07).abs() < 0.01);
        for i in 0..500 {
            let n = format!("1390000{i:04}");
            if p.behaviour(&n, 0) == Behaviour::Invalid {
                assert!((1..5).all(|a| p.behaviour(&n, a) == Behaviour::Invalid));
            }
        }
    }

    #[test]
    fn scripts_are_deterministic_and_ordered() {
        let p = Population::new(PopulationConfig::default(), 3).unwrap();
        for i in 0..20 {
            let n = format!("2000{i}");
            let a = p.script(&n, 1);
            assert_eq!(a, p.script(&n, 1));
            assert!(a.steps.windows(2).all(|w| w[0].0 <= w[1].0));
            let answered = a.steps.iter().any(|s| matches!(s.1, Action::Answer));
            let expect = matches!(a.behaviour, Behaviour::Human | Behaviour::Machine | Behaviour::Fax);
            assert_eq!(answered, expect, "{:?}", a.behaviour);
        }
    }

    #[test]
    fn bad_config_is_named() {
        let e =
            Population::new(PopulationConfig { country: "zz".into(), ..Default::default() }, 1).unwrap_err();
        assert!(e.contains("zz"));
        let e = Population::new(PopulationConfig { human: -1.0, ..Default::default() }, 1).unwrap_err();
        assert!(e.contains("probability"));
    }
}
