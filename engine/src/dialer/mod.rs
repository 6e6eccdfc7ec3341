//! The outbound dialer: campaigns, dialling modes, the predictive pacer and its abandon
//! controller, lists and retry rules, compliance (do-not-call, calling windows, the 72-hour rule,
//! rolling abandon counters), and an event-level simulator that runs the same code against a
//! simulated population (`trunkctl simulate outbound`).
//!
//! Sans-IO throughout: every decision takes `now` and returns what to do.

pub mod compliance;
pub mod estimate;
pub mod leads;
pub mod pacer;
pub mod sim;

use compliance::{Blocked, CallingWindow, DncList, RecentAbandons};
use leads::{LeadBook, LeadSource, RetryRules};
use pacer::{Pacer, PacerConfig, PacerInput};

use crate::model::{CampaignId, LeadId, Ms, Outcome};

/// How a campaign paces its calls; switchable while it runs.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// The agent sees the record for up to `preview_ms`, then the call is dialled for them.
    Preview {
        /// Time the agent has to read the record before it is dialled.
        preview_ms: u64,
    },
    /// One line per free agent: no abandons by construction.
    Progressive,
    /// Model-based pacing under the abandon controller.
    Predictive,
    /// A fixed number of lines per free agent, with the same abandon guard.
    Power {
        /// Lines per free agent.
        lines_per_agent: f64,
    },
}

impl Mode {
    /// Parses `preview`, `progressive`, `predictive`, `power` or `power:2.5`.
    pub fn parse(s: &str) -> Result<Mode, String> {
        let (name, arg) = s.split_once(':').map(|(a, b)| (a, Some(b))).unwrap_or((s, None));
        let num = |d: f64| -> Result<f64, String> {
            arg.map(|a| a.parse::<f64>().map_err(|_| format!("bad number in mode {s:?}"))).unwrap_or(Ok(d))
        };
        match name {
            "preview" => Ok(Mode::Preview { preview_ms: (num(10.0)? * 1000.0).max(0.0) as u64 }),
            "progressive" => Ok(Mode::Progressive),
            "predictive" => Ok(Mode::Predictive),
            "power" => Ok(Mode::Power { lines_per_agent: num(2.0)?.clamp(1.0, 10.0) }),
            _ => Err(format!("unknown mode {s:?} (preview, progressive, predictive, power[:lines])")),
        }
    }
}

/// FTC minimum ring time before an unanswered call may be released (15 s, or 4 rings).
pub const MIN_RING_MS: u64 = 15_000;
/// FTC/Ofcom: an answered call must reach an agent within 2 s of the greeting, or hear the
/// identification message.
pub const MAX_PATIENCE_MS: u64 = 2_000;

/// How calls are placed and released; validated so that the legal limits hold by construction.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallRules {
    /// Ring this long after alerting before giving up (≥ [`MIN_RING_MS`]).
    pub ring_timeout_ms: u64,
    /// An answered person waits at most this long for an agent (≤ [`MAX_PATIENCE_MS`]).
    pub patience_ms: u64,
    /// The identification message played to an abandoned call (who called, a number to call
    /// back or opt out): a prompt name the media layer resolves.
    pub abandon_message: String,
    /// How long the message plays (ms).
    pub abandon_message_ms: u64,
}

impl Default for CallRules {
    fn default() -> Self {
        Self {
            ring_timeout_ms: 25_000,
            patience_ms: MAX_PATIENCE_MS,
            abandon_message: "abandon-identification".into(),
            abandon_message_ms: 8_000,
        }
    }
}

impl CallRules {
    /// Errors name the field that breaks a legal limit.
    pub fn validate(&self) -> Result<(), String> {
        if self.ring_timeout_ms < MIN_RING_MS {
            return Err(format!(
                "ring_timeout_ms {} is below the legal minimum ring time of {MIN_RING_MS} ms",
                self.ring_timeout_ms
            ));
        }
        if self.patience_ms > MAX_PATIENCE_MS {
            return Err(format!(
                "patience_ms {} exceeds the 2-s connect limit ({MAX_PATIENCE_MS} ms)",
                self.patience_ms
            ));
        }
        if self.abandon_message.trim().is_empty() || self.abandon_message_ms == 0 {
            return Err("abandon_message: an identification message is required".into());
        }
        Ok(())
    }
}

/// One campaign: mode, pacer, list and the compliance state it dials under. Generic over where
/// its leads live ([`LeadSource`]): the in-memory [`LeadBook`] here; a database-backed store
/// implements the same trait.
#[derive(Clone, Debug)]
pub struct Campaign<L: LeadSource = LeadBook> {
    /// Its id.
    pub id: CampaignId,
    /// Pacing mode.
    pub mode: Mode,
    /// The pacer and its abandon counters.
    pub pacer: Pacer,
    /// The list.
    pub leads: L,
    /// Ring time and the 2-s rule.
    pub rules: CallRules,
    /// The campaign's own do-not-call list (the global one is passed in).
    pub dnc: DncList,
    /// Calling window and time-zone table.
    pub window: CallingWindow,
    /// The 72-hour rule.
    pub recent: RecentAbandons,
    /// Unix time (ms) of engine time 0, to place `now` in the callee's day.
    pub epoch_utc_ms: i64,
    /// Leads refused by compliance, by reason (for the report and the API).
    pub blocked: std::collections::BTreeMap<String, u64>,
}

impl Campaign<LeadBook> {
    /// A campaign with default rules and an empty in-memory list.
    pub fn new(id: CampaignId, mode: Mode, cfg: PacerConfig, talk: (f64, f64), wrap: (f64, f64)) -> Self {
        Self::with_leads(id, mode, cfg, talk, wrap, LeadBook::new(RetryRules::default()))
    }
}

impl<L: LeadSource> Campaign<L> {
    /// A campaign with default rules dialling `leads`.
    pub fn with_leads(
        id: CampaignId,
        mode: Mode,
        cfg: PacerConfig,
        talk: (f64, f64),
        wrap: (f64, f64),
        leads: L,
    ) -> Self {
        let rules = CallRules { patience_ms: cfg.patience_ms, ..CallRules::default() };
        Self {
            id,
            mode,
            pacer: Pacer::new(cfg, talk, wrap),
            leads,
            rules,
            dnc: DncList::default(),
            window: CallingWindow::default(),
            recent: RecentAbandons::default(),
            epoch_utc_ms: 9 * 3_600_000,
            blocked: Default::default(),
        }
    }

    /// Checks the campaign's configuration against the legal limits.
    pub fn validate(&self) -> Result<(), String> {
        self.rules.validate()?;
        if self.rules.patience_ms != self.pacer.cfg.patience_ms {
            return Err("patience_ms: the pacer and the call rules disagree".into());
        }
        if !(self.pacer.cfg.target_abandon > 0.0 && self.pacer.cfg.target_abandon <= 0.03) {
            return Err(format!(
                "target_abandon {} must be in (0, 0.03] (the legal cap)",
                self.pacer.cfg.target_abandon
            ));
        }
        Ok(())
    }

    /// Switches the mode while running; calls in progress are unaffected.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// Lines to dial now.
    pub fn lines_to_dial(&mut self, inp: &PacerInput<'_>) -> usize {
        self.pacer.lines_to_dial(&self.mode, inp)
    }

    /// Every compliance check for one number at `now`.
    pub fn check(&self, phone: &str, now: Ms, global: &DncList) -> Result<(), Blocked> {
        if global.contains(phone) || self.dnc.contains(phone) {
            return Err(Blocked::DoNotCall);
        }
        self.recent.check(phone, now)?;
        self.window.check(phone, self.epoch_utc_ms + now.0 as i64)
    }

    /// The next lead that passes every compliance check, taken for dialling.
    pub fn next_lead(&mut self, now: Ms, global: &DncList) -> Option<LeadId> {
        let (dnc, recent, window, epoch) = (&self.dnc, &self.recent, &self.window, self.epoch_utc_ms);
        let blocked = &mut self.blocked;
        self.leads.next_due(now, 15 * 60_000, &mut |phone: &str| {
            let r = if global.contains(phone) || dnc.contains(phone) {
                Err(Blocked::DoNotCall)
            } else {
                recent.check(phone, now).and_then(|_| window.check(phone, epoch + now.0 as i64))
            };
            match r {
                Ok(()) => true,
                Err(e) => {
                    *blocked.entry(format!("{e:?}")).or_default() += 1;
                    false
                }
            }
        })
    }

    /// The attempt on `lead` ended with `outcome`; an abandon starts the 72-hour hold.
    pub fn finish(&mut self, lead: LeadId, outcome: Outcome, now: Ms) {
        if outcome == Outcome::Abandoned {
            if let Some(phone) = self.leads.phone(lead) {
                self.recent.record(&phone, now);
            }
        }
        self.leads.finish(lead, outcome, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_switch() {
        assert_eq!(Mode::parse("power:3"), Ok(Mode::Power { lines_per_agent: 3.0 }));
        assert!(Mode::parse("scan").is_err());
        let mut c = Campaign::new(
            CampaignId(1),
            Mode::Progressive,
            PacerConfig::default(),
            (150.0, 150.0),
            (20.0, 10.0),
        );
        c.set_mode(Mode::Predictive);
        assert_eq!(c.mode, Mode::Predictive);
    }

    #[test]
    fn every_dial_is_checked() {
        let mut c = Campaign::new(
            CampaignId(1),
            Mode::Progressive,
            PacerConfig::default(),
            (150.0, 150.0),
            (20.0, 10.0),
        );
        c.leads.push("2125550100", 0);
        c.leads.push("2125550101", 0);
        c.dnc.add("2125550100");
        let mut global = DncList::default();
        global.add("2125550101");
        assert_eq!(c.next_lead(Ms(0), &global), None);
        assert_eq!(c.blocked.values().sum::<u64>(), 2);
        let mut c2 = Campaign::new(
            CampaignId(2),
            Mode::Progressive,
            PacerConfig::default(),
            (150.0, 150.0),
            (20.0, 10.0),
        );
        c2.leads.push("2125550102", 0);
        let l = c2.next_lead(Ms(0), &DncList::default()).unwrap();
        c2.finish(l, Outcome::Abandoned, Ms(0));
        assert_eq!(c2.check("2125550102", Ms(3_600_000), &DncList::default()), Err(Blocked::RecentAbandon));
    }
}
