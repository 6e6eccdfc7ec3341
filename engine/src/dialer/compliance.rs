//! Compliance, checked before every dial: do-not-call lists (global and per campaign), calling
//! windows in the callee's local time, the 72-hour rule after an abandoned call, and the rolling
//! abandon counters (1 h, 24 h, 30 d) the API exposes.
//!
//! Time zones come from a number-prefix table with fixed UTC offsets (no tz database: the
//! engine must work offline on boxes without one; DST is handled by reloading the table).

use std::collections::{HashMap, HashSet, VecDeque};

use crate::model::Ms;

/// Why a number may not be dialled now.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Blocked {
    /// On a do-not-call list.
    #[error("number is on the do-not-call list")]
    DoNotCall,
    /// Outside the callee's calling window.
    #[error("outside the calling window in the callee's time zone")]
    OutsideWindow,
    /// An abandoned call to this number less than 72 h ago.
    #[error("abandoned call to this number less than 72 h ago")]
    RecentAbandon,
    /// Not a dialable number.
    #[error("invalid number")]
    Invalid,
}

/// Digits only: "+1 (212) 555-0100" → "12125550100".
pub fn normalize(number: &str) -> String {
    number.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// A do-not-call list.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DncList {
    numbers: HashSet<String>,
}

impl DncList {
    /// Imports one number per line (first CSV column; `#` comments and blank lines skipped).
    /// Returns how many numbers were added and the 1-based lines that were not numbers.
    pub fn import(&mut self, text: &str) -> (usize, Vec<usize>) {
        let mut added = 0;
        let mut bad = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let first = line.split(',').next().unwrap_or("").trim();
            if first.is_empty() || first.starts_with('#') {
                continue;
            }
            let n = normalize(first);
            if n.len() < 6 || n.len() > 15 {
                bad.push(i + 1);
            } else if self.numbers.insert(n) {
                added += 1;
            }
        }
        (added, bad)
    }

    /// Adds one number.
    pub fn add(&mut self, number: &str) {
        self.numbers.insert(normalize(number));
    }

    /// True if the number is listed.
    pub fn contains(&self, number: &str) -> bool {
        self.numbers.contains(&normalize(number))
    }

    /// Numbers listed.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }
}

/// Calling window in the callee's local time, with the number-prefix → UTC offset table.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CallingWindow {
    /// First allowed local minute of the day (08:00 = 480).
    pub start_min: u32,
    /// First forbidden local minute (21:00 = 1260).
    pub end_min: u32,
    /// Prefix (digits) → UTC offset in minutes; longest prefix wins.
    pub prefixes: Vec<(String, i32)>,
    /// Offset for numbers no prefix matches; `None` = do not dial them.
    pub default_offset_min: Option<i32>,
}

impl Default for CallingWindow {
    fn default() -> Self {
        Self { start_min: 8 * 60, end_min: 21 * 60, prefixes: Vec::new(), default_offset_min: Some(0) }
    }
}

impl CallingWindow {
    /// UTC offset (minutes) of the callee, if known.
    pub fn offset(&self, number: &str) -> Option<i32> {
        let n = normalize(number);
        self.prefixes
            .iter()
            .filter(|(p, _)| n.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, o)| *o)
            .or(self.default_offset_min)
    }

    /// Checks `number` at `utc_ms` (ms since the Unix epoch).
    pub fn check(&self, number: &str, utc_ms: i64) -> Result<(), Blocked> {
        let off = self.offset(number).ok_or(Blocked::OutsideWindow)?;
        let local_min = (utc_ms.div_euclid(60_000) + off as i64).rem_euclid(24 * 60) as u32;
        if local_min >= self.start_min && local_min < self.end_min {
            Ok(())
        } else {
            Err(Blocked::OutsideWindow)
        }
    }
}

/// The 72-hour rule: no call to a number within 72 h after a call to it was abandoned.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RecentAbandons {
    last: HashMap<String, u64>,
}

/// 72 hours in ms.
pub const HOLD_AFTER_ABANDON_MS: u64 = 72 * 3_600_000;

impl RecentAbandons {
    /// A call to `number` was abandoned at `now`.
    pub fn record(&mut self, number: &str, now: Ms) {
        self.last.insert(normalize(number), now.0);
    }

    /// Err if `number` had an abandoned call less than 72 h before `now`.
    pub fn check(&self, number: &str, now: Ms) -> Result<(), Blocked> {
        match self.last.get(&normalize(number)) {
            Some(&t) if now.0 < t + HOLD_AFTER_ABANDON_MS => Err(Blocked::RecentAbandon),
            _ => Ok(()),
        }
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Window {
    span_min: u64,
    buckets: VecDeque<(u64, f64, f64)>,
    lives: f64,
    abandons: f64,
}

impl Window {
    fn new(span_min: u64) -> Self {
        Self { span_min, ..Default::default() }
    }

    fn add(&mut self, minute: u64, l: f64, a: f64) {
        match self.buckets.back_mut() {
            Some(b) if b.0 == minute => {
                b.1 += l;
                b.2 += a;
            }
            _ => self.buckets.push_back((minute, l, a)),
        }
        self.lives += l;
        self.abandons += a;
    }

    fn expire(&mut self, minute: u64) {
        while let Some(&(m, l, a)) = self.buckets.front() {
            if m + self.span_min > minute {
                break;
            }
            self.lives -= l;
            self.abandons -= a;
            self.buckets.pop_front();
        }
        if self.buckets.is_empty() {
            self.lives = 0.0;
            self.abandons = 0.0;
        }
    }
}

/// Rolling abandon counters of a campaign (live answers and abandons, AMD false-positive
/// estimates included) over the last hour, 24 hours and 30 days, at one-minute resolution.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AbandonCounters {
    windows: [Window; 3],
}

impl Default for AbandonCounters {
    fn default() -> Self {
        Self { windows: [Window::new(60), Window::new(24 * 60), Window::new(30 * 24 * 60)] }
    }
}

/// One window's totals, as the API serves them.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct AbandonWindow {
    /// Live answers (estimated AMD false positives included).
    pub live: f64,
    /// Abandoned (estimated AMD false positives included).
    pub abandoned: f64,
    /// abandoned / live (0 when no live answers).
    pub rate: f64,
}

impl AbandonCounters {
    /// Adds `live` answers and `abandoned` abandons at `now`.
    pub fn record(&mut self, now: Ms, live: f64, abandoned: f64) {
        let m = now.0 / 60_000;
        for w in self.windows.iter_mut() {
            w.expire(m);
            w.add(m, live, abandoned);
        }
    }

    fn get(&mut self, i: usize, now: Ms) -> (f64, f64) {
        let w = &mut self.windows[i];
        w.expire(now.0 / 60_000);
        (w.lives.max(0.0), w.abandons.max(0.0))
    }

    /// (live, abandoned) over the last hour.
    pub fn hour(&mut self, now: Ms) -> (f64, f64) {
        self.get(0, now)
    }

    /// (live, abandoned) over the last 24 hours.
    pub fn day(&mut self, now: Ms) -> (f64, f64) {
        self.get(1, now)
    }

    /// (live, abandoned) over the last 30 days.
    pub fn month(&mut self, now: Ms) -> (f64, f64) {
        self.get(2, now)
    }

    /// The three windows (1 h, 24 h, 30 d) for the API.
    pub fn snapshot(&mut self, now: Ms) -> [AbandonWindow; 3] {
        let f = |(l, a): (f64, f64)| AbandonWindow {
            live: l,
            abandoned: a,
            rate: if l > 0.0 { a / l } else { 0.0 },
        };
        [f(self.hour(now)), f(self.day(now)), f(self.month(now))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dnc_import_reports_bad_lines() {
        let mut d = DncList::default();
        let (n, bad) = d.import("# header\n+1 212 555 0100\n\nabc\n2125550101,x\n");
        assert_eq!(n, 2);
        assert_eq!(bad, vec![4]);
        assert!(d.contains("12125550100"));
    }

    #[test]
    fn window_uses_the_callee_offset() {
        let w = CallingWindow {
            prefixes: vec![("1212".into(), -300), ("1".into(), -360), ("44".into(), 0)],
            default_offset_min: None,
            ..Default::default()
        };
        let noon_utc = 12 * 3_600_000;
        // 07:00 in New York: too early; 10:00: fine.
        assert_eq!(w.check("+1 212 555 0100", noon_utc), Err(Blocked::OutsideWindow));
        assert!(w.check("+1 212 555 0100", noon_utc + 3 * 3_600_000).is_ok());
        assert_eq!(w.check("+33 1 23", noon_utc), Err(Blocked::OutsideWindow));
        assert_eq!(w.offset("+1 312 555 0100"), Some(-360));
    }

    #[test]
    fn seventy_two_hours_after_an_abandon() {
        let mut r = RecentAbandons::default();
        r.record("2125550100", Ms(1000));
        assert!(r.check("2125550100", Ms(1000 + HOLD_AFTER_ABANDON_MS - 1)).is_err());
        assert!(r.check("2125550100", Ms(1000 + HOLD_AFTER_ABANDON_MS)).is_ok());
    }

    #[test]
    fn rolling_counters_expire() {
        let mut c = AbandonCounters::default();
        c.record(Ms(0), 10.0, 1.0);
        c.record(Ms(30 * 60_000), 10.0, 0.0);
        assert_eq!(c.hour(Ms(59 * 60_000)), (20.0, 1.0));
        assert_eq!(c.hour(Ms(61 * 60_000)), (10.0, 0.0));
        assert_eq!(c.day(Ms(61 * 60_000)), (20.0, 1.0));
    }
}
