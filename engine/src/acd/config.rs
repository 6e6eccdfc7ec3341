//! Queue and agent configuration: strategies, skills and levels, expansion, overflow, rules.

use serde::{Deserialize, Serialize};

use crate::model::{AgentId, QueueId};

/// How a queue picks among eligible ready agents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// The agent idle the longest (since the end of their last call or wrap-up).
    LongestIdle,
    /// The next agent after the one last offered a call from this queue (round robin with memory).
    RoundRobin,
    /// The agent with the fewest answered calls since login.
    FewestCalls,
    /// The agent with the least talk time since login.
    LeastTalkTime,
    /// A uniformly random eligible agent (seeded, deterministic).
    Random,
    /// Ring every eligible agent; the first to answer gets the call.
    RingAll,
    /// Linear / top-down: always the first eligible agent in configuration order.
    Linear,
}

impl Strategy {
    /// Every strategy, for comparisons.
    pub const ALL: [Strategy; 7] = [
        Strategy::LongestIdle,
        Strategy::RoundRobin,
        Strategy::FewestCalls,
        Strategy::LeastTalkTime,
        Strategy::Random,
        Strategy::RingAll,
        Strategy::Linear,
    ];

    /// The kebab-case name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::LongestIdle => "longest-idle",
            Strategy::RoundRobin => "round-robin",
            Strategy::FewestCalls => "fewest-calls",
            Strategy::LeastTalkTime => "least-talk-time",
            Strategy::Random => "random",
            Strategy::RingAll => "ring-all",
            Strategy::Linear => "linear",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// What happens to an agent who lets an offer ring out (or declines it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoAnswerPolicy {
    /// The agent goes Not Ready with reason `no-answer` until they make themselves ready.
    NotReady,
    /// The agent stays Ready but is skipped for this many milliseconds.
    Penalty(u64),
}

/// Where a caller goes when they leave a queue without an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitTarget {
    /// Leave a voicemail.
    Voicemail,
    /// Go to an IVR menu by name.
    Ivr(String),
    /// Hang up (after a goodbye prompt).
    Hangup,
}

/// One queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueConfig {
    /// Identifier.
    pub id: QueueId,
    /// Name for displays and metrics.
    pub name: String,
    /// Distribution strategy.
    pub strategy: Strategy,
    /// How long an offer rings before it counts as no answer.
    pub ring_timeout_ms: u64,
    /// Wrap-up after a call from this queue (the agent takes no call from *any* queue meanwhile).
    pub wrap_up_ms: u64,
    /// Skill expansion: `(after_ms waiting, max skill level)` steps; level 1 is always eligible.
    pub expansion: Vec<(u64, u8)>,
    /// Overflow: after this wait, agents of the other queue may also take the call.
    pub overflow: Option<(u64, QueueId)>,
    /// How long a returning caller waits for their sticky agent before anyone may take them.
    pub sticky_wait_ms: u64,
    /// Offer a callback when the estimated wait on joining exceeds this.
    pub callback_over_ms: Option<u64>,
    /// Announce position and estimated wait this often.
    pub announce_every_ms: Option<u64>,
    /// Longest wait before the caller is sent to `exit`.
    pub max_wait_ms: Option<u64>,
    /// Where callers go on max wait or when the queue refuses them.
    pub exit: ExitTarget,
    /// Whether callers may join while no agent with the skill is logged in.
    pub join_when_empty: bool,
    /// Whether waiting callers are sent to `exit` when the last skilled agent logs out.
    pub leave_when_empty: bool,
    /// Service-level threshold (answered within this counts), e.g. 20 s for 80/20.
    pub sl_threshold_ms: u64,
    /// Expected handle time before any call has been handled (for the wait estimate).
    pub aht_hint_ms: u64,
    /// Penalty or not-ready on no answer.
    pub no_answer: NoAnswerPolicy,
}

impl QueueConfig {
    /// A queue with the usual defaults: 15 s ring, 30 s wrap-up, SL 20 s, no expansion/overflow.
    pub fn new(id: QueueId, name: &str, strategy: Strategy) -> Self {
        QueueConfig {
            id,
            name: name.to_string(),
            strategy,
            ring_timeout_ms: 15_000,
            wrap_up_ms: 30_000,
            expansion: Vec::new(),
            overflow: None,
            sticky_wait_ms: 30_000,
            callback_over_ms: None,
            announce_every_ms: None,
            max_wait_ms: None,
            exit: ExitTarget::Voicemail,
            join_when_empty: true,
            leave_when_empty: false,
            sl_threshold_ms: 20_000,
            aht_hint_ms: 240_000,
            no_answer: NoAnswerPolicy::NotReady,
        }
    }

    /// Highest skill level eligible after waiting `wait_ms` in this queue.
    pub fn max_level(&self, wait_ms: u64) -> u8 {
        self.expansion.iter().filter(|(t, _)| wait_ms >= *t).map(|(_, l)| *l).max().unwrap_or(1).max(1)
    }
}

/// One agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentConfig {
    /// Identifier (also the configuration order used by `linear`).
    pub id: AgentId,
    /// Name.
    pub name: String,
    /// Skills: queue and level (1 = primary; higher levels are reached by expansion).
    pub skills: Vec<(QueueId, u8)>,
}

impl AgentConfig {
    /// The agent's level for `q`, if skilled.
    pub fn level(&self, q: QueueId) -> Option<u8> {
        self.skills.iter().find(|(s, _)| *s == q).map(|(_, l)| *l)
    }
}
