//! Campaign lists: CSV import with per-row validation, priorities, per-outcome retry rules, the
//! lead state machine (fresh → waiting for retry → closed), daily recycling, and a JSON form so a
//! campaign's state survives restarts.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use crate::model::{LeadId, Ms, Outcome};

/// Where a campaign's leads live, as the dialer needs them. [`LeadBook`] is the in-memory,
/// sans-IO implementation (serialisable, so a campaign's state survives restarts); a persistent
/// store (SQLite on the `store` branch) implements the same four calls.
pub trait LeadSource {
    /// The next lead due at `now` whose number `allowed` accepts (every compliance check runs
    /// there), marked as being dialled. Leads refused are pushed back by `defer_ms`.
    fn next_due(&mut self, now: Ms, defer_ms: u64, allowed: &mut dyn FnMut(&str) -> bool) -> Option<LeadId>;
    /// The lead's number.
    fn phone(&self, id: LeadId) -> Option<String>;
    /// The attempt on `id` ended with `outcome` at `now`: schedule a retry or close the lead.
    fn finish(&mut self, id: LeadId, outcome: Outcome, now: Ms);
    /// A new calling day: leads closed for the day become due again, daily counts reset.
    fn recycle(&mut self, now: Ms);
}

impl LeadSource for LeadBook {
    fn next_due(&mut self, now: Ms, defer_ms: u64, allowed: &mut dyn FnMut(&str) -> bool) -> Option<LeadId> {
        self.next(now, defer_ms, |l| allowed(&l.phone))
    }

    fn phone(&self, id: LeadId) -> Option<String> {
        self.get(id).map(|l| l.phone.clone())
    }

    fn finish(&mut self, id: LeadId, outcome: Outcome, now: Ms) {
        LeadBook::finish(self, id, outcome, now)
    }

    fn recycle(&mut self, now: Ms) {
        LeadBook::recycle(self, now)
    }
}

/// Per-outcome retry rules.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RetryRules {
    /// Delay after busy (ms).
    pub busy_ms: u64,
    /// Delay after no answer (ms).
    pub no_answer_ms: u64,
    /// Delay after an answering machine or fax (ms).
    pub machine_ms: u64,
    /// Delay after congestion or a local failure (ms).
    pub failed_ms: u64,
    /// Attempts per lead per day.
    pub max_per_day: u32,
    /// Attempts per lead in total.
    pub max_total: u32,
    /// A live contact closes the lead for the day (else: for good).
    pub contact_closes_day_only: bool,
    /// An abandoned call closes the lead for the day (the 72-h rule applies on top).
    pub abandon_closes_day: bool,
}

impl Default for RetryRules {
    fn default() -> Self {
        Self {
            busy_ms: 10 * 60_000,
            no_answer_ms: 60 * 60_000,
            machine_ms: 120 * 60_000,
            failed_ms: 5 * 60_000,
            max_per_day: 3,
            max_total: 10,
            contact_closes_day_only: false,
            abandon_closes_day: true,
        }
    }
}

/// Where a lead is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadState {
    /// Ready to dial (now, or at `due`).
    Ready,
    /// Being dialled.
    Dialling,
    /// Done for today; recycled tomorrow.
    ClosedToday,
    /// Done for good (contacted, invalid, out of attempts).
    Closed,
}

/// One lead.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lead {
    /// Its id.
    pub id: LeadId,
    /// The number.
    pub phone: String,
    /// Higher first.
    pub priority: i32,
    /// State.
    pub state: LeadState,
    /// Not before this time.
    pub due: Ms,
    /// Attempts today.
    pub today: u32,
    /// Attempts in total.
    pub attempts: u32,
    /// Last outcome.
    pub last: Option<Outcome>,
}

/// A row the CSV import rejected.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based line.
    pub line: usize,
    /// The field at fault.
    pub field: &'static str,
    /// Why.
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Rows accepted.
    pub accepted: usize,
    /// Duplicates of a number already on the list (skipped).
    pub duplicates: usize,
    /// Rejected rows.
    pub errors: Vec<RowError>,
}

/// A campaign's list.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LeadBook {
    leads: Vec<Lead>,
    /// Ready leads by (due, priority desc, id).
    #[serde(skip)]
    queue: BTreeSet<(Ms, Reverse<i32>, u64)>,
    #[serde(skip)]
    by_phone: HashMap<String, usize>,
    /// The rules.
    pub rules: RetryRules,
}

impl LeadBook {
    /// An empty list with `rules`.
    pub fn new(rules: RetryRules) -> Self {
        Self { rules, ..Default::default() }
    }

    /// Adds a lead (priority 0 unless given); duplicates are ignored and return false.
    pub fn push(&mut self, phone: &str, priority: i32) -> bool {
        let n = super::compliance::normalize(phone);
        if self.by_phone.contains_key(&n) {
            return false;
        }
        let id = LeadId(self.leads.len() as u64 + 1);
        self.by_phone.insert(n, self.leads.len());
        self.queue.insert((Ms(0), Reverse(priority), id.0));
        self.leads.push(Lead {
            id,
            phone: phone.to_string(),
            priority,
            state: LeadState::Ready,
            due: Ms(0),
            today: 0,
            attempts: 0,
            last: None,
        });
        true
    }

    /// Imports CSV text with a header naming `phone` (required) and `priority` (optional).
    /// Every row is validated; bad rows are reported by line and field and skipped.
    pub fn import_csv(&mut self, text: &str) -> Result<ImportReport, RowError> {
        let mut lines = text.lines().enumerate();
        let header = lines
            .next()
            .map(|(_, h)| h.split(',').map(|s| s.trim().to_ascii_lowercase()).collect::<Vec<_>>())
            .ok_or(RowError { line: 1, field: "header", reason: "empty file".into() })?;
        let phone_col = header.iter().position(|h| h == "phone").ok_or(RowError {
            line: 1,
            field: "phone",
            reason: "no `phone` column in the header".into(),
        })?;
        let prio_col = header.iter().position(|h| h == "priority");
        let mut rep = ImportReport::default();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            let phone = cols.get(phone_col).copied().unwrap_or("");
            let digits = super::compliance::normalize(phone);
            let bad_chars = phone.chars().any(|c| !(c.is_ascii_digit() || " +-().".contains(c)));
            if bad_chars || digits.len() < 6 || digits.len() > 15 {
                rep.errors.push(RowError {
                    line: i + 1,
                    field: "phone",
                    reason: format!("not a phone number: {phone:?}"),
                });
                continue;
            }
            let prio = match prio_col.and_then(|c| cols.get(c)).filter(|s| !s.is_empty()) {
                None => 0,
                Some(s) => match s.parse::<i32>() {
                    Ok(p) => p,
                    Err(_) => {
                        rep.errors.push(RowError {
                            line: i + 1,
                            field: "priority",
                            reason: format!("not an integer: {s:?}"),
                        });
                        continue;
                    }
                },
            };
            if self.push(phone, prio) {
                rep.accepted += 1;
            } else {
                rep.duplicates += 1;
            }
        }
        Ok(rep)
    }

    /// The lead.
    pub fn get(&self, id: LeadId) -> Option<&Lead> {
        self.leads.get((id.0 as usize).wrapping_sub(1))
    }

    /// Leads on the list.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// True if the list is empty.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// The next lead due at `now` that `allowed` accepts (compliance checks), taken for dialling.
    /// Leads refused by `allowed` are pushed back by `defer_ms`.
    pub fn next(&mut self, now: Ms, defer_ms: u64, mut allowed: impl FnMut(&Lead) -> bool) -> Option<LeadId> {
        let mut deferred = Vec::new();
        let mut found = None;
        while let Some(&key) = self.queue.first() {
            if key.0 > now {
                break;
            }
            self.queue.pop_first();
            let idx = key.2 as usize - 1;
            if allowed(&self.leads[idx]) {
                self.leads[idx].state = LeadState::Dialling;
                found = Some(LeadId(key.2));
                break;
            }
            deferred.push(idx);
            if deferred.len() > 1000 {
                break;
            }
        }
        for idx in deferred {
            let l = &mut self.leads[idx];
            l.due = now + defer_ms;
            self.queue.insert((l.due, Reverse(l.priority), l.id.0));
        }
        found
    }

    /// The attempt on `id` ended with `outcome` at `now`: schedule or close it.
    pub fn finish(&mut self, id: LeadId, outcome: Outcome, now: Ms) {
        let Some(l) = self.leads.get_mut((id.0 as usize).wrapping_sub(1)) else { return };
        l.today += 1;
        l.attempts += 1;
        l.last = Some(outcome);
        let r = &self.rules;
        let delay = match outcome {
            Outcome::Human => {
                l.state = if r.contact_closes_day_only { LeadState::ClosedToday } else { LeadState::Closed };
                return;
            }
            Outcome::Abandoned => {
                l.state = if r.abandon_closes_day { LeadState::ClosedToday } else { LeadState::Ready };
                if l.state == LeadState::ClosedToday {
                    return;
                }
                r.no_answer_ms
            }
            Outcome::Invalid => {
                l.state = LeadState::Closed;
                return;
            }
            Outcome::Busy => r.busy_ms,
            Outcome::NoAnswer => r.no_answer_ms,
            Outcome::Machine | Outcome::Fax => r.machine_ms,
            Outcome::Congestion | Outcome::Failed => r.failed_ms,
        };
        if l.attempts >= r.max_total {
            l.state = LeadState::Closed;
        } else if l.today >= r.max_per_day {
            l.state = LeadState::ClosedToday;
        } else {
            l.state = LeadState::Ready;
            l.due = now + delay;
            self.queue.insert((l.due, Reverse(l.priority), l.id.0));
        }
    }

    /// A new day: leads closed for the day are ready again and daily counts reset.
    pub fn recycle(&mut self, now: Ms) {
        for l in self.leads.iter_mut() {
            l.today = 0;
            if l.state == LeadState::ClosedToday {
                l.state = LeadState::Ready;
                l.due = now;
                self.queue.insert((l.due, Reverse(l.priority), l.id.0));
            }
        }
    }

    /// Serialises the list and every lead's state.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Restores a list saved by [`LeadBook::to_json`]; leads caught mid-dial are ready again.
    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        let mut b: LeadBook = serde_json::from_str(s)?;
        for (i, l) in b.leads.iter_mut().enumerate() {
            if l.state == LeadState::Dialling {
                l.state = LeadState::Ready;
            }
            b.by_phone.insert(super::compliance::normalize(&l.phone), i);
            if l.state == LeadState::Ready {
                b.queue.insert((l.due, Reverse(l.priority), l.id.0));
            }
        }
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_import_reports_rows() {
        let mut b = LeadBook::default();
        let r = b
            .import_csv("name,phone,priority\na,2125550100,1\nb,abc,0\nc,2125550101,x\nd,2125550100,\n")
            .unwrap();
        assert_eq!(r.accepted, 1);
        assert_eq!(r.duplicates, 1);
        assert_eq!(r.errors.len(), 2);
        assert_eq!((r.errors[0].line, r.errors[0].field), (3, "phone"));
        assert_eq!((r.errors[1].line, r.errors[1].field), (4, "priority"));
        assert!(LeadBook::default().import_csv("name\nx\n").is_err());
    }

    #[test]
    fn retries_follow_the_rules_and_state_survives() {
        let mut b = LeadBook::default();
        b.push("2125550100", 0);
        b.push("2125550101", 5);
        let first = b.next(Ms(0), 0, |_| true).unwrap();
        assert_eq!(first, LeadId(2), "priority first");
        b.finish(first, Outcome::Busy, Ms(0));
        let second = b.next(Ms(0), 0, |_| true).unwrap();
        b.finish(second, Outcome::Invalid, Ms(0));
        assert_eq!(b.next(Ms(599_999), 0, |_| true), None);
        let saved = b.to_json();
        let mut b2 = LeadBook::from_json(&saved).unwrap();
        assert_eq!(b2.next(Ms(600_000), 0, |_| true), Some(LeadId(2)));
        b2.finish(LeadId(2), Outcome::Human, Ms(600_000));
        assert_eq!(b2.get(LeadId(2)).unwrap().state, LeadState::Closed);
    }
}
