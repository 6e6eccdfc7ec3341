//! Compliance, checked before every dial: do-not-call lists (global and per campaign), calling
//! windows in the callee's local time, the 72-hour rule after an abandoned call, and the rolling
//! abandon counters (1 h, 24 h, 30 d) the API exposes.
//!
//! Time zones come from a number-prefix table mapping to fixed offsets or IANA zones, resolved
//! with `jiff` against its bundled tz database (offline, same answer on every host, DST included).

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

/// A callee's time zone: a fixed UTC offset, or an IANA zone resolved with its DST rules
/// (`jiff`, bundled tz database, so the answer does not depend on the host).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Minutes east of UTC.
    Offset(i32),
    /// An IANA zone name (`America/New_York`).
    Iana(String),
}

/// Calling window in the callee's local time, with the number-prefix → time-zone table.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CallingWindow {
    /// First allowed local minute of the day (08:00 = 480).
    pub start_min: u32,
    /// First forbidden local minute (21:00 = 1260).
    pub end_min: u32,
    /// Prefix (digits) → zone; longest prefix wins.
    pub prefixes: Vec<(String, Zone)>,
    /// Zone for numbers no prefix matches; `None` = do not dial them.
    pub default_zone: Option<Zone>,
    #[serde(skip)]
    resolved: Vec<(String, jiff::tz::TimeZone)>,
    #[serde(skip)]
    default_tz: Option<jiff::tz::TimeZone>,
}

impl Default for CallingWindow {
    /// 08:00–21:00 UTC for every number (configure a table for real lists).
    fn default() -> Self {
        Self::new(8 * 60, 21 * 60, Vec::new(), Some(Zone::Offset(0))).expect("UTC is a valid zone")
    }
}

fn resolve(z: &Zone) -> Result<jiff::tz::TimeZone, String> {
    match z {
        Zone::Offset(m) => {
            if m.abs() > 18 * 60 {
                return Err(format!("UTC offset {m} min is out of range (±18 h)"));
            }
            let o = jiff::tz::Offset::from_seconds(m * 60).map_err(|e| format!("offset {m}: {e}"))?;
            Ok(jiff::tz::TimeZone::fixed(o))
        }
        Zone::Iana(name) => jiff::tz::TimeZone::get(name).map_err(|e| format!("time zone {name:?}: {e}")),
    }
}

impl CallingWindow {
    /// A window `[start_min, end_min)` of local minutes with its prefix table; errors name the
    /// bad entry (unknown zone, offset out of range, empty or inverted window).
    pub fn new(
        start_min: u32,
        end_min: u32,
        prefixes: Vec<(String, Zone)>,
        default_zone: Option<Zone>,
    ) -> Result<Self, String> {
        if start_min >= end_min || end_min > 24 * 60 {
            return Err(format!("calling window {start_min}..{end_min} min is empty or past midnight"));
        }
        let mut resolved = Vec::with_capacity(prefixes.len());
        for (i, (p, z)) in prefixes.iter().enumerate() {
            let digits = normalize(p);
            if digits.is_empty() || digits.len() != p.len() {
                return Err(format!("prefix table entry {i}: prefix {p:?} must be digits"));
            }
            resolved.push((digits, resolve(z).map_err(|e| format!("prefix table entry {i} ({p}): {e}"))?));
        }
        let default_tz =
            default_zone.as_ref().map(resolve).transpose().map_err(|e| format!("default zone: {e}"))?;
        Ok(Self { start_min, end_min, prefixes, default_zone, resolved, default_tz })
    }

    /// Rebuilds the resolved zones after deserialising.
    pub fn reload(self) -> Result<Self, String> {
        Self::new(self.start_min, self.end_min, self.prefixes, self.default_zone)
    }

    /// The callee's time zone, if known.
    pub fn zone(&self, number: &str) -> Option<&jiff::tz::TimeZone> {
        let n = normalize(number);
        self.resolved
            .iter()
            .filter(|(p, _)| n.starts_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, z)| z)
            .or(self.default_tz.as_ref())
    }

    /// The callee's local minute of the day at `utc_ms` (ms since the Unix epoch).
    pub fn local_minute(&self, number: &str, utc_ms: i64) -> Option<u32> {
        let tz = self.zone(number)?;
        let ts = jiff::Timestamp::from_millisecond(utc_ms).ok()?;
        let dt = tz.to_datetime(ts);
        Some(dt.hour() as u32 * 60 + dt.minute() as u32)
    }

    /// Checks `number` at `utc_ms` (ms since the Unix epoch).
    pub fn check(&self, number: &str, utc_ms: i64) -> Result<(), Blocked> {
        let m = self.local_minute(number, utc_ms).ok_or(Blocked::OutsideWindow)?;
        if m >= self.start_min && m < self.end_min {
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

/// One rule a CDR shows was broken.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// The call.
    pub call: crate::model::CallId,
    /// `dnc`, `window`, `min_ring`, `connect_2s`, `no_repeat_72h`, `evidence`.
    pub rule: &'static str,
    /// What the CDR shows.
    pub detail: String,
}

/// What [`audit`] checks the CDRs against.
#[derive(Clone, Debug)]
pub struct AuditRules<'a> {
    /// Do-not-call numbers (global and the campaign's).
    pub dnc: &'a [&'a DncList],
    /// Calling window and zone table.
    pub window: &'a CallingWindow,
    /// Unix time (ms) of engine time 0.
    pub epoch_utc_ms: i64,
    /// Minimum ring time (ms) before releasing an unanswered call.
    pub min_ring_ms: u64,
    /// Longest wait for an agent before the identification message (ms).
    pub max_connect_ms: u64,
}

fn ev_u64(v: &serde_json::Value, k: &str) -> Option<u64> {
    v.get(k).and_then(|x| x.as_u64())
}

/// Proves compliance from outbound CDRs alone: no number on a do-not-call list was dialled, every
/// attempt started inside the callee's calling window, unanswered calls rang at least the
/// minimum, every call queued for an agent was bridged or heard the identification message within
/// the limit, and no number was called within 72 h after an abandoned call to it. The CDR's
/// `evidence` JSON carries `alerting_ms`, `queued_ms` and `message_ms` (engine ms).
pub fn audit(cdrs: &[crate::model::Cdr], r: &AuditRules<'_>) -> Vec<Violation> {
    use crate::model::Outcome;
    let mut out = Vec::new();
    let mut v = |call, rule, detail: String| out.push(Violation { call, rule, detail });
    let mut order: Vec<&crate::model::Cdr> = cdrs.iter().filter(|c| c.direction == "outbound").collect();
    order.sort_by_key(|c| (c.start_ms, c.call.0));
    let mut last_abandon: HashMap<String, u64> = HashMap::new();
    for c in order {
        let n = normalize(&c.dnis);
        if r.dnc.iter().any(|d| d.contains(&n)) {
            v(c.call, "dnc", format!("{} is on a do-not-call list", c.dnis));
        }
        if r.window.check(&n, r.epoch_utc_ms + c.start_ms as i64).is_err() {
            let m = r.window.local_minute(&n, r.epoch_utc_ms + c.start_ms as i64);
            v(c.call, "window", format!("dialled at local minute {m:?}, outside the window"));
        }
        if let Some(&t) = last_abandon.get(&n) {
            if c.start_ms < t + HOLD_AFTER_ABANDON_MS {
                v(c.call, "no_repeat_72h", format!("dialled {} ms after an abandoned call", c.start_ms - t));
            }
        }
        let ev: serde_json::Value = match serde_json::from_str(&c.evidence) {
            Ok(e) => e,
            Err(e) => {
                v(c.call, "evidence", format!("evidence is not JSON: {e}"));
                continue;
            }
        };
        if c.outcome == Some(Outcome::NoAnswer) {
            match ev_u64(&ev, "alerting_ms") {
                Some(a) if c.end_ms >= a + r.min_ring_ms => {}
                Some(a) => v(
                    c.call,
                    "min_ring",
                    format!("released after {} ms of ringing", c.end_ms.saturating_sub(a)),
                ),
                None => v(c.call, "evidence", "no alerting_ms on an unanswered call".into()),
            }
        }
        if let Some(q) = ev_u64(&ev, "queued_ms") {
            let served = c.bridged_ms.or(ev_u64(&ev, "message_ms"));
            match served {
                Some(t) if t <= q + r.max_connect_ms => {}
                Some(t) => v(c.call, "connect_2s", format!("waited {} ms for an agent", t.saturating_sub(q))),
                None if c.end_ms <= q + r.max_connect_ms => {}
                None => v(c.call, "connect_2s", "answered, never bridged and no message".into()),
            }
        }
        if c.outcome == Some(Outcome::Abandoned) {
            if ev.get("message").and_then(|m| m.as_str()).is_none_or(|m| m.is_empty()) {
                v(c.call, "connect_2s", "abandoned without the identification message".into());
            }
            last_abandon.insert(n, ev_u64(&ev, "message_ms").unwrap_or(c.end_ms));
        }
    }
    out
}

/// Abandoned / live answers from CDRs (outcome `human` or `abandoned`), over the whole set and in
/// the worst rolling window of `window_ms` (moved in `step_ms`, windows with fewer than `min_live`
/// live answers skipped), as fractions.
pub fn abandon_rates(
    cdrs: &[crate::model::Cdr],
    window_ms: u64,
    step_ms: u64,
    min_live: usize,
) -> (f64, f64) {
    use crate::model::Outcome;
    let mut lives: Vec<(u64, bool)> = cdrs
        .iter()
        .filter_map(|c| match c.outcome {
            Some(Outcome::Human) => Some((c.answer_ms.unwrap_or(c.start_ms), false)),
            Some(Outcome::Abandoned) => Some((c.answer_ms.unwrap_or(c.start_ms), true)),
            _ => None,
        })
        .collect();
    lives.sort_unstable();
    let rate = |w: &[(u64, bool)]| w.iter().filter(|l| l.1).count() as f64 / w.len().max(1) as f64;
    let day = rate(&lives);
    let end = lives.last().map(|l| l.0).unwrap_or(0);
    let mut worst: f64 = 0.0;
    let mut s = 0;
    while s + window_ms <= end.max(window_ms) {
        let lo = lives.partition_point(|l| l.0 < s);
        let hi = lives.partition_point(|l| l.0 < s + window_ms);
        if hi - lo >= min_live {
            worst = worst.max(rate(&lives[lo..hi]));
        }
        s += step_ms.max(1);
    }
    (day, worst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CallId, Cdr, Outcome};

    #[test]
    fn dnc_import_reports_bad_lines() {
        let mut d = DncList::default();
        let (n, bad) = d.import("# header\n+1 212 555 0100\n\nabc\n2125550101,x\n");
        assert_eq!(n, 2);
        assert_eq!(bad, vec![4]);
        assert!(d.contains("12125550100"));
    }

    #[test]
    fn window_uses_the_callee_zone_with_dst() {
        let w = CallingWindow::new(
            8 * 60,
            21 * 60,
            vec![
                ("1212".into(), Zone::Iana("America/New_York".into())),
                ("1".into(), Zone::Offset(-360)),
                ("44".into(), Zone::Iana("Europe/London".into())),
            ],
            None,
        )
        .unwrap();
        // 2026-01-15 12:00 UTC: 07:00 in New York (EST) — too early; 15:00 UTC = 10:00: fine.
        let jan = 1_768_478_400_000i64;
        assert_eq!(w.check("+1 212 555 0100", jan), Err(Blocked::OutsideWindow));
        assert!(w.check("+1 212 555 0100", jan + 3 * 3_600_000).is_ok());
        // 2026-07-15 12:00 UTC: 08:00 in New York (EDT): allowed — DST moved the window.
        let jul = 1_784_116_800_000i64;
        assert!(w.check("+1 212 555 0100", jul).is_ok());
        assert_eq!(w.local_minute("+1 212 555 0100", jul), Some(8 * 60));
        // 20:30 UTC in July is 21:30 in London (BST): too late; unknown country: never.
        assert_eq!(w.check("+44 20 7946 0000", jul + 8 * 3_600_000 + 1_800_000), Err(Blocked::OutsideWindow));
        assert_eq!(w.check("+33 1 23", jan), Err(Blocked::OutsideWindow));
        assert_eq!(w.local_minute("+1 312 555 0100", jan), Some(6 * 60));
        let e = CallingWindow::new(480, 1260, vec![("1".into(), Zone::Iana("Mars/Olympus".into()))], None)
            .unwrap_err();
        assert!(e.contains("entry 0") && e.contains("Mars/Olympus"), "{e}");
        assert!(CallingWindow::new(1260, 480, vec![], None).is_err());
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

    fn cdr(call: u64, dnis: &str, start: u64, end: u64, outcome: Outcome, ev: serde_json::Value) -> Cdr {
        Cdr {
            call: CallId(call),
            direction: "outbound".into(),
            channel: 0,
            ani: String::new(),
            dnis: dnis.into(),
            campaign: None,
            lead: None,
            queue: None,
            agent: None,
            start_ms: start,
            answer_ms: None,
            bridged_ms: None,
            end_ms: end,
            outcome: Some(outcome),
            cause: 16,
            evidence: ev.to_string(),
            recording: None,
        }
    }

    #[test]
    fn audit_finds_each_broken_rule() {
        use serde_json::json;
        let mut dnc = DncList::default();
        dnc.add("2125550199");
        let window = CallingWindow::default();
        let rules = AuditRules {
            dnc: &[&dnc],
            window: &window,
            epoch_utc_ms: 9 * 3_600_000,
            min_ring_ms: 15_000,
            max_connect_ms: 2_000,
        };
        let ab = json!({"queued_ms": 10_000, "message_ms": 12_000, "message": "id"});
        let mut late = cdr(5, "2125550102", 20_000, 40_000, Outcome::Human, json!({"queued_ms": 25_000}));
        late.bridged_ms = Some(27_001);
        let cdrs = vec![
            cdr(1, "2125550199", 0, 5_000, Outcome::Busy, json!({})),
            cdr(2, "2125550100", 0, 10_000, Outcome::NoAnswer, json!({"alerting_ms": 3_000})),
            cdr(3, "2125550101", 0, 20_000, Outcome::Abandoned, ab.clone()),
            cdr(4, "2125550101", 3_600_000, 3_610_000, Outcome::Busy, json!({})),
            late,
            cdr(6, "2125550103", 13 * 3_600_000, 13 * 3_600_000 + 9, Outcome::Busy, json!({})),
            cdr(
                7,
                "2125550104",
                0,
                20_000,
                Outcome::Abandoned,
                json!({"queued_ms": 1, "message_ms": 2_002, "message": "id"}),
            ),
            Cdr { evidence: "not json".into(), ..cdr(8, "2125550105", 0, 5_000, Outcome::Busy, json!({})) },
        ];
        let v = audit(&cdrs, &rules);
        let rules_hit: Vec<(u64, &str)> = v.iter().map(|x| (x.call.0, x.rule)).collect();
        assert_eq!(
            rules_hit,
            vec![
                (1, "dnc"),
                (2, "min_ring"),
                (7, "connect_2s"),
                (8, "evidence"),
                (5, "connect_2s"),
                (4, "no_repeat_72h"),
                (6, "window"),
            ],
            "{v:?}"
        );
        // The same calls done right pass.
        let ok = vec![
            cdr(2, "2125550100", 0, 18_000, Outcome::NoAnswer, json!({"alerting_ms": 3_000})),
            cdr(3, "2125550101", 0, 20_000, Outcome::Abandoned, ab),
            cdr(4, "2125550101", 72 * 3_600_000 + 12_000, 72 * 3_600_000 + 20_000, Outcome::Busy, json!({})),
        ];
        assert_eq!(audit(&ok, &rules), vec![]);
        let (day, worst) = abandon_rates(&ok, 3_600_000, 300_000, 1);
        assert_eq!((day, worst), (1.0, 1.0));
    }
}
