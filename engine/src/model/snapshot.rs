//! Rows and snapshots served by the control API and written to storage.

use serde::{Deserialize, Serialize};

use super::{AgentId, CallId, CampaignId, Cause, LeadId, Ms, Outcome, QueueId};

/// One call detail record: every attempt and every inbound call, with what decided its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cdr {
    /// The call.
    pub call: CallId,
    /// `outbound` or `inbound`.
    pub direction: String,
    /// Global channel number the call used.
    pub channel: u32,
    /// Calling number.
    pub ani: String,
    /// Called number.
    pub dnis: String,
    /// Campaign and lead for outbound attempts.
    pub campaign: Option<CampaignId>,
    /// The lead dialled.
    pub lead: Option<LeadId>,
    /// Queue for inbound calls.
    pub queue: Option<QueueId>,
    /// Agent who talked to the caller, if any.
    pub agent: Option<AgentId>,
    /// When the call was set up (ms since the epoch of the engine clock).
    pub start_ms: u64,
    /// When the far end answered.
    pub answer_ms: Option<u64>,
    /// When an agent was connected.
    pub bridged_ms: Option<u64>,
    /// When the call ended.
    pub end_ms: u64,
    /// Outcome class.
    pub outcome: Option<Outcome>,
    /// Release cause (Q.850 numbering).
    pub cause: u8,
    /// What the detectors heard, as JSON (events with times, AMD evidence).
    pub evidence: String,
    /// Recording file, if recorded.
    pub recording: Option<String>,
}

/// What `/v1/status` returns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusSnapshot {
    /// Engine clock.
    pub now_ms: u64,
    /// Speed of the clock over real time (1.0 on real boards).
    pub speed: f64,
    /// Spans configured / in alarm.
    pub spans: usize,
    /// Spans in any alarm.
    pub spans_in_alarm: usize,
    /// Calls up now.
    pub calls: usize,
    /// Agents logged in / ready / talking.
    pub agents_logged_in: usize,
    /// Agents ready for a call.
    pub agents_ready: usize,
    /// Agents on a call.
    pub agents_talking: usize,
    /// True while draining for shutdown.
    pub draining: bool,
    /// Ring overruns + underruns + dropped events since start.
    pub dropped: u64,
}

/// One span in `/v1/spans`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanSnapshot {
    /// Span number.
    pub span: u16,
    /// Name.
    pub name: String,
    /// `E1` or `T1`.
    pub kind: String,
    /// Framing as DAHDI prints it.
    pub framing: String,
    /// Alarm string as `dahdi_scan` prints it.
    pub alarms: String,
    /// Error counters.
    pub counters: trunkline_driver::Counters,
}

/// One channel in `/v1/channels`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelSnapshot {
    /// Global channel number.
    pub channel: u32,
    /// `DAHDI/<span>-<pos>`.
    pub name: String,
    /// `idle`, `seized`, `ringing`, `talking`, `alarm`, ...
    pub state: String,
    /// Call on it.
    pub call: Option<CallId>,
    /// Received level in dBm0.
    pub rx_dbm0: f32,
    /// Transmitted level in dBm0.
    pub tx_dbm0: f32,
}

/// One call in `/v1/calls`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallSnapshot {
    /// The call.
    pub call: CallId,
    /// `outbound` / `inbound`.
    pub direction: String,
    /// Channel.
    pub channel: u32,
    /// State name.
    pub state: String,
    /// Calling number.
    pub ani: String,
    /// Called number.
    pub dnis: String,
    /// Agent bridged to it.
    pub agent: Option<AgentId>,
    /// When it started.
    pub since_ms: u64,
}

/// An agent's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Not logged in.
    LoggedOut,
    /// Logged in, not taking calls.
    NotReady,
    /// Waiting for a call.
    Ready,
    /// Being offered a call.
    Reserved,
    /// On a call.
    Talking,
    /// After-call work.
    WrapUp,
    /// On a break.
    Break,
}

/// One agent in `/v1/agents`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentSnapshot {
    /// The agent.
    pub agent: AgentId,
    /// Name.
    pub name: String,
    /// Channel the agent sits on.
    pub channel: Option<u32>,
    /// State.
    pub state: AgentState,
    /// Since when.
    pub since_ms: u64,
    /// Call being handled.
    pub call: Option<CallId>,
    /// Calls handled since login.
    pub calls: u64,
}

/// One campaign in `/v1/campaigns`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignSnapshot {
    /// The campaign.
    pub campaign: CampaignId,
    /// Name.
    pub name: String,
    /// `preview`, `progressive`, `predictive`, `power`.
    pub mode: String,
    /// Running or paused.
    pub running: bool,
    /// Leads in the list / finished / still to dial.
    pub leads: u64,
    /// Leads with a final outcome.
    pub finished: u64,
    /// Attempts made.
    pub attempts: u64,
    /// Live answers.
    pub live: u64,
    /// Abandoned live answers.
    pub abandoned: u64,
}

/// What the event stream (`/v1/events`) carries, and what the core publishes on its bus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A call was created.
    CallStarted {
        /// When.
        at: Ms,
        /// The call.
        call: CallId,
        /// `inbound` / `outbound`.
        direction: String,
        /// Channel.
        channel: u32,
        /// Calling number.
        ani: String,
        /// Called number.
        dnis: String,
    },
    /// A call changed state (`ringing`, `answered`, `bridged`, ...).
    CallState {
        /// When.
        at: Ms,
        /// The call.
        call: CallId,
        /// New state.
        state: String,
    },
    /// A call was offered to an agent (screen pop data included).
    Offer {
        /// When.
        at: Ms,
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
        /// Caller number.
        ani: String,
        /// Data attached by the IVR or the campaign (customer key, choices).
        data: serde_json::Value,
    },
    /// A call ended.
    CallEnded {
        /// When.
        at: Ms,
        /// The call.
        call: CallId,
        /// Outcome class, if decided.
        outcome: Option<Outcome>,
        /// Release cause.
        cause: Cause,
    },
    /// An agent changed state.
    AgentState {
        /// When.
        at: Ms,
        /// The agent.
        agent: AgentId,
        /// New state.
        state: AgentState,
        /// Reason code, if any.
        reason: Option<String>,
    },
    /// A span's alarms changed.
    SpanAlarm {
        /// When.
        at: Ms,
        /// Span number.
        span: u16,
        /// Alarm string as `dahdi_scan` prints it.
        alarms: String,
    },
    /// A detector heard something on a channel (DTMF digit, call-progress tone, fax, AMD, ...).
    Detector {
        /// When (engine time of the tick it was reported in).
        at: Ms,
        /// Span of the channel.
        span: u16,
        /// Global channel number.
        channel: u32,
        /// Call on the channel, if any.
        call: Option<CallId>,
        /// Detector family (`dtmf`, `cpt`, `fax`, `amd`, ...).
        detector: String,
        /// What it heard (`5`, `ringback`, `CNG`, `human`, ...).
        value: String,
        /// `on` when the signal started, `off` when it ended.
        edge: String,
        /// Measured level, if the detector reports one.
        level_dbm0: Option<f32>,
    },
    /// A signalling message or state change on a span, decoded: Q.921/Q.931 frames and call
    /// states on PRI spans, ABCD bit changes on CAS spans (and MFC/R2 signals on R2 spans).
    Signalling {
        /// When (engine time).
        at: Ms,
        /// Span.
        span: u16,
        /// Channel it concerns, when known.
        channel: Option<u32>,
        /// `q931` (Q.921 frames included), `cas`, `r2`.
        protocol: String,
        /// `rx` (from the far end), `tx` (sent by us) or empty (a state change).
        direction: String,
        /// The decoded line.
        text: String,
    },
}
