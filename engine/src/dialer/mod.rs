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
use leads::{LeadBook, RetryRules};
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

/// One campaign: mode, pacer, list and the compliance state it dials under.
#[derive(Clone, Debug)]
pub struct Campaign {
    /// Its id.
    pub id: CampaignId,
    /// Pacing mode.
    pub mode: Mode,
    /// The pacer and its abandon counters.
    pub pacer: Pacer,
    /// The list.
    pub leads: LeadBook,
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

impl Campaign {
    /// A campaign with default rules.
    pub fn new(id: CampaignId, mode: Mode, cfg: PacerConfig, talk: (f64, f64), wrap: (f64, f64)) -> Self {
        Self {
            id,
            mode,
            pacer: Pacer::new(cfg, talk, wrap),
            leads: LeadBook::new(RetryRules::default()),
            dnc: DncList::default(),
            window: CallingWindow::default(),
            recent: RecentAbandons::default(),
            epoch_utc_ms: 9 * 3_600_000,
            blocked: Default::default(),
        }
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
        self.leads.next(now, 15 * 60_000, |l| {
            let r = if global.contains(&l.phone) || dnc.contains(&l.phone) {
                Err(Blocked::DoNotCall)
            } else {
                recent.check(&l.phone, now).and_then(|_| window.check(&l.phone, epoch + now.0 as i64))
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
            if let Some(l) = self.leads.get(lead) {
                let phone = l.phone.clone();
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
