//! KPI counters, live snapshots and per-interval buckets (plain serde structs; storage and the
//! API are wired elsewhere).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{AgentId, QueueId};

/// Counters of one queue over some period. Each call is counted once per counter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounters {
    /// Callers who joined (or were refused).
    pub offered: u64,
    /// Callers answered by an agent.
    pub answered: u64,
    /// Answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Callers who hung up before an agent answered.
    pub abandoned: u64,
    /// Of which within 5 s of joining.
    pub abandoned_short: u64,
    /// Sent to the exit target (max wait, no agents).
    pub exited: u64,
    /// Callbacks offered / accepted / completed (customer answered) / failed.
    pub callbacks_offered: u64,
    /// Callbacks accepted.
    pub callbacks_accepted: u64,
    /// Callbacks whose customer answered.
    pub callbacks_completed: u64,
    /// Callbacks whose customer did not answer.
    pub callbacks_failed: u64,
    /// Callbacks taken by an agent and dialled (the call leaves the queue here, counted once).
    pub callbacks_dialled: u64,
    /// Offers made to agents (including ring-all legs and no-answers).
    pub offers: u64,
    /// Offers that rang out or were declined.
    pub no_answers: u64,
    /// Sum of waits of answered calls, ms.
    pub wait_ms: u64,
    /// Longest wait of an answered or abandoned call, ms.
    pub longest_wait_ms: u64,
    /// Calls handled (talk + wrap finished).
    pub handled: u64,
    /// Sum of handle times (talk + wrap), ms.
    pub handle_ms: u64,
}

/// Live KPIs of one queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueKpi {
    /// The queue.
    pub queue: QueueId,
    /// Its name.
    pub name: String,
    /// Totals since start.
    pub totals: QueueCounters,
    /// Callers waiting now.
    pub waiting: usize,
    /// Longest current wait, ms.
    pub longest_waiting_ms: u64,
    /// Service level: answered within threshold / (answered + abandoned after 5 s).
    pub service_level: f64,
    /// Average speed of answer, s.
    pub asa_s: f64,
    /// Average handle time, s.
    pub aht_s: f64,
}

/// Per-agent statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentKpi {
    /// The agent.
    pub agent: AgentId,
    /// Calls answered.
    pub calls: u64,
    /// Offers received.
    pub offers: u64,
    /// Offers not answered.
    pub no_answers: u64,
    /// Time ready and idle, ms.
    pub idle_ms: u64,
    /// Time ringing, ms.
    pub reserved_ms: u64,
    /// Time talking, ms.
    pub talk_ms: u64,
    /// Time in wrap-up, ms.
    pub wrap_ms: u64,
    /// Time not ready or on break, ms.
    pub away_ms: u64,
    /// (talk + wrap + ringing) / (that + idle).
    pub occupancy: f64,
}

/// One interval's counters for one queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntervalKpi {
    /// Interval start, ms.
    pub start_ms: u64,
    /// Length, ms.
    pub len_ms: u64,
    /// The queue.
    pub queue: QueueId,
    /// Counters of calls that ended (answered, abandoned, exited) in the interval.
    pub counters: QueueCounters,
}

/// Everything the wallboard shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiSnapshot {
    /// When, ms.
    pub at_ms: u64,
    /// Per queue.
    pub queues: Vec<QueueKpi>,
    /// Per agent.
    pub agents: Vec<AgentKpi>,
}

/// Totals plus interval buckets.
#[derive(Clone, Debug, Default)]
pub(crate) struct Kpis {
    pub totals: BTreeMap<QueueId, QueueCounters>,
    pub intervals: BTreeMap<(u64, QueueId), QueueCounters>,
    pub interval_ms: u64,
}

impl Kpis {
    /// Applies `f` to the totals and to the current interval bucket of `q`.
    pub fn bump(&mut self, q: QueueId, now: u64, f: impl Fn(&mut QueueCounters)) {
        f(self.totals.entry(q).or_default());
        let len = self.interval_ms.max(1);
        f(self.intervals.entry((now / len * len, q)).or_default());
    }
}

impl QueueCounters {
    /// Calls that have left the queue, each counted in exactly one of these.
    pub fn left_queue(&self) -> u64 {
        self.answered + self.callbacks_dialled + self.abandoned + self.exited
    }

    /// Service level as a fraction (1.0 when nothing counted yet).
    pub fn service_level(&self) -> f64 {
        let den = self.answered + self.abandoned - self.abandoned_short;
        if den == 0 {
            1.0
        } else {
            self.answered_in_sl as f64 / den as f64
        }
    }

    /// Average speed of answer in seconds.
    pub fn asa_s(&self) -> f64 {
        if self.answered == 0 {
            0.0
        } else {
            self.wait_ms as f64 / self.answered as f64 / 1000.0
        }
    }

    /// Average handle time in seconds.
    pub fn aht_s(&self) -> f64 {
        if self.handled == 0 {
            0.0
        } else {
            self.handle_ms as f64 / self.handled as f64 / 1000.0
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl KpiSnapshot {
    /// The snapshot in the Prometheus text exposition format (version 0.0.4).
    pub fn prometheus(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        type Get = fn(&QueueKpi) -> f64;
        let queue_metrics: [(&str, &str, &str, Get); 12] = [
            ("trunkline_acd_offered_total", "counter", "Callers who joined the queue", |q| {
                q.totals.offered as f64
            }),
            ("trunkline_acd_answered_total", "counter", "Callers answered by an agent", |q| {
                q.totals.answered as f64
            }),
            ("trunkline_acd_abandoned_total", "counter", "Callers who hung up while waiting", |q| {
                q.totals.abandoned as f64
            }),
            ("trunkline_acd_abandoned_short_total", "counter", "Abandons within 5 s of joining", |q| {
                q.totals.abandoned_short as f64
            }),
            ("trunkline_acd_exited_total", "counter", "Callers sent to the exit target", |q| {
                q.totals.exited as f64
            }),
            ("trunkline_acd_callbacks_accepted_total", "counter", "Callbacks accepted", |q| {
                q.totals.callbacks_accepted as f64
            }),
            ("trunkline_acd_waiting", "gauge", "Callers waiting now", |q| q.waiting as f64),
            ("trunkline_acd_longest_waiting_seconds", "gauge", "Longest current wait", |q| {
                q.longest_waiting_ms as f64 / 1000.0
            }),
            (
                "trunkline_acd_longest_wait_seconds",
                "gauge",
                "Longest wait of an answered or abandoned call",
                |q| q.totals.longest_wait_ms as f64 / 1000.0,
            ),
            (
                "trunkline_acd_service_level_ratio",
                "gauge",
                "Answered within threshold over answered plus abandoned after 5 s",
                |q| q.service_level,
            ),
            ("trunkline_acd_asa_seconds", "gauge", "Average speed of answer", |q| q.asa_s),
            ("trunkline_acd_aht_seconds", "gauge", "Average handle time (talk plus wrap-up)", |q| q.aht_s),
        ];
        for (name, kind, help, get) in queue_metrics {
            let _ = writeln!(o, "# HELP {name} {help}.\n# TYPE {name} {kind}");
            for q in &self.queues {
                let _ = writeln!(o, "{name}{{queue=\"{}\"}} {}", esc(&q.name), get(q));
            }
        }
        type AGet = fn(&AgentKpi) -> f64;
        let agent_metrics: [(&str, &str, &str, AGet); 5] = [
            ("trunkline_acd_agent_calls_total", "counter", "Calls answered by the agent", |a| a.calls as f64),
            ("trunkline_acd_agent_offers_total", "counter", "Offers made to the agent", |a| a.offers as f64),
            (
                "trunkline_acd_agent_no_answers_total",
                "counter",
                "Offers the agent let ring out or declined",
                |a| a.no_answers as f64,
            ),
            ("trunkline_acd_agent_talk_seconds_total", "counter", "Time talking", |a| {
                a.talk_ms as f64 / 1000.0
            }),
            ("trunkline_acd_agent_occupancy_ratio", "gauge", "Busy over busy plus idle", |a| a.occupancy),
        ];
        for (name, kind, help, get) in agent_metrics {
            let _ = writeln!(o, "# HELP {name} {help}.\n# TYPE {name} {kind}");
            for a in &self.agents {
                let _ = writeln!(o, "{name}{{agent=\"{}\"}} {}", a.agent, get(a));
            }
        }
        o
    }
}
