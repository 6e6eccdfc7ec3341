//! Rows the store reads and writes besides the shared [`Cdr`](crate::model::Cdr).

use crate::model::{AgentId, AgentState, CallId, CampaignId, LeadId, Outcome};

/// A stored campaign.
#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    /// Its id.
    pub id: CampaignId,
    /// Unique name.
    pub name: String,
    /// `preview`, `progressive`, `predictive` or `power`.
    pub mode: String,
    /// Dialer settings as JSON (pacing, retry policy, calling windows).
    pub settings: serde_json::Value,
    /// Running (true) or paused.
    pub running: bool,
}

/// A lead to add to a campaign (what a list import produces).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewLead {
    /// Normalised number: digits with an optional leading `+`.
    pub phone: String,
    /// Contact name.
    pub name: Option<String>,
    /// IANA time zone of the callee (for calling windows).
    pub timezone: Option<String>,
    /// Higher is dialled first.
    pub priority: i64,
    /// Extra list columns, as a JSON object.
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Where a lead is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeadState {
    /// Never dialled.
    New,
    /// Dialled, to be dialled again at `next_attempt_ms`.
    Retry,
    /// Final: never dialled again.
    Done,
}

impl LeadState {
    /// Name as stored.
    pub fn name(self) -> &'static str {
        match self {
            LeadState::New => "new",
            LeadState::Retry => "retry",
            LeadState::Done => "done",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<LeadState> {
        match s {
            "new" => Some(LeadState::New),
            "retry" => Some(LeadState::Retry),
            "done" => Some(LeadState::Done),
            _ => None,
        }
    }
}

/// A stored lead.
#[derive(Clone, Debug, PartialEq)]
pub struct Lead {
    /// Its id.
    pub id: LeadId,
    /// Campaign it belongs to.
    pub campaign: CampaignId,
    /// Normalised number.
    pub phone: String,
    /// Contact name.
    pub name: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// Higher is dialled first.
    pub priority: i64,
    /// Extra list columns.
    pub custom: serde_json::Map<String, serde_json::Value>,
    /// Life-cycle state.
    pub state: LeadState,
    /// Attempts committed so far.
    pub attempts: u32,
    /// Attempts committed since the dialer last called `reset_attempts_today`.
    pub attempts_today: u32,
    /// Outcome of the last committed attempt.
    pub last_outcome: Option<Outcome>,
    /// Not to be dialled before this engine time.
    pub next_attempt_ms: u64,
    /// Final: never dialled again.
    pub finished: bool,
    /// When this lead was last abandoned by us (for the abandon-recall rules).
    pub last_abandon_ms: Option<u64>,
}

/// What the dialer decided about a lead after an attempt; applied with the attempt's CDR in one
/// transaction by [`Store::finish_attempt`](super::Store::finish_attempt).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeadUpdate {
    /// The lead dialled.
    pub lead: LeadId,
    /// Outcome of the attempt.
    pub outcome: Outcome,
    /// When to dial again; `None` finishes the lead (never dialled again).
    pub next_attempt_ms: Option<u64>,
    /// Set when the attempt was abandoned by us, to this time.
    pub abandoned_at_ms: Option<u64>,
}

/// One agent state change, kept for reports (occupancy, AHT).
#[derive(Clone, Debug, PartialEq)]
pub struct AgentEvent {
    /// The agent.
    pub agent: AgentId,
    /// When.
    pub at_ms: u64,
    /// New state.
    pub state: AgentState,
    /// Reason code (not-ready, break).
    pub reason: Option<String>,
    /// The call involved, if any.
    pub call: Option<CallId>,
}

/// A recording file in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The call recorded.
    pub call: CallId,
    /// File path.
    pub path: String,
    /// Audio length.
    pub duration_ms: u64,
    /// `pcm16`, `alaw` or `ulaw`.
    pub format: String,
    /// 1 (mixed) or 2 (caller left, agent right).
    pub channels: u16,
    /// File size.
    pub bytes: u64,
}

/// How hard each commit is pushed to disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=FULL`: the WAL is fsynced on every commit, so a committed CDR survives a
    /// power cut too. The default: CDRs are billing and legal records, and at a few hundred
    /// commits per second the fsync is affordable.
    #[default]
    Full,
    /// `synchronous=NORMAL`: fsync only at checkpoints. Survives a process crash (kill -9) but a
    /// power cut may lose the last commits. For tests and simulations.
    Normal,
}

/// Name of an agent state as stored (its serde name).
pub(super) fn agent_state_name(s: AgentState) -> &'static str {
    match s {
        AgentState::LoggedOut => "logged_out",
        AgentState::NotReady => "not_ready",
        AgentState::Ready => "ready",
        AgentState::Reserved => "reserved",
        AgentState::Talking => "talking",
        AgentState::WrapUp => "wrap_up",
        AgentState::Break => "break",
    }
}

/// Parses a stored agent state name.
pub(super) fn parse_agent_state(s: &str) -> Option<AgentState> {
    Some(match s {
        "logged_out" => AgentState::LoggedOut,
        "not_ready" => AgentState::NotReady,
        "ready" => AgentState::Ready,
        "reserved" => AgentState::Reserved,
        "talking" => AgentState::Talking,
        "wrap_up" => AgentState::WrapUp,
        "break" => AgentState::Break,
        _ => return None,
    })
}

/// Parses a stored outcome name.
pub(super) fn parse_outcome(s: &str) -> Option<Outcome> {
    Some(match s {
        "human" => Outcome::Human,
        "machine" => Outcome::Machine,
        "fax" => Outcome::Fax,
        "busy" => Outcome::Busy,
        "no_answer" => Outcome::NoAnswer,
        "invalid" => Outcome::Invalid,
        "congestion" => Outcome::Congestion,
        "failed" => Outcome::Failed,
        "abandoned" => Outcome::Abandoned,
        _ => return None,
    })
}
