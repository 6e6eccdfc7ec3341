//! The ACD's inputs and outputs.

use serde::{Deserialize, Serialize};

use crate::model::{AgentId, AgentState, CallId, QueueId};

use super::config::ExitTarget;

/// Data attached to a call and sent with every offer (screen pop).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreenPop {
    /// Caller number (ANI).
    pub caller: String,
    /// IVR choices, in order (menu name and digit).
    pub ivr_choices: Vec<String>,
    /// Customer record key, if the IVR or a lookup found one.
    pub customer_key: Option<String>,
}

/// A caller entering a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallArrival {
    /// The call.
    pub call: CallId,
    /// Queue chosen by the IVR or the DNIS.
    pub queue: QueueId,
    /// Priority class: higher is served first (VIP by caller number or IVR choice).
    pub priority: u8,
    /// Agent who last served this caller, for sticky routing.
    pub sticky: Option<AgentId>,
    /// Screen-pop data.
    pub pop: ScreenPop,
}

/// How a supervisor joins a call (executed by the media pipeline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuperviseMode {
    /// Silent monitor: hears both sides, heard by nobody.
    Monitor,
    /// Whisper (coach): heard by the agent only.
    Whisper,
    /// Barge: three-way conference.
    Barge,
}

/// A state a supervisor can force on an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForcedState {
    /// Log the agent out (after the current call, which is never dropped).
    LoggedOut,
    /// Not ready with a reason (after the current call).
    NotReady(String),
    /// Ready now (ends wrap-up, break or not-ready).
    Ready,
}

/// Everything that can happen to the ACD.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcdInput {
    /// An agent logs in on a channel (Not Ready until they say Ready).
    Login {
        /// The agent.
        agent: AgentId,
        /// Their channel.
        channel: u32,
    },
    /// An agent logs out (after the current call).
    Logout {
        /// The agent.
        agent: AgentId,
    },
    /// An agent is ready (also ends wrap-up early).
    Ready {
        /// The agent.
        agent: AgentId,
    },
    /// An agent is not ready, with a reason code (after the current call).
    NotReady {
        /// The agent.
        agent: AgentId,
        /// Reason code.
        reason: String,
    },
    /// An agent takes a break (after the current call); Ready again when it ends.
    Break {
        /// The agent.
        agent: AgentId,
        /// Length.
        duration_ms: u64,
    },
    /// A caller joins a queue.
    Arrive(CallArrival),
    /// The caller hung up (while waiting, ringing or talking).
    CallerHangup {
        /// The call.
        call: CallId,
    },
    /// The caller accepted the callback offer: their leg is released, their place kept.
    AcceptCallback {
        /// The call.
        call: CallId,
    },
    /// Outcome of dialling a callback.
    CallbackResult {
        /// The call.
        call: CallId,
        /// Whether the customer answered.
        answered: bool,
    },
    /// An agent answered an offer.
    AgentAnswer {
        /// The agent.
        agent: AgentId,
        /// The call offered.
        call: CallId,
    },
    /// An agent declined an offer.
    AgentDecline {
        /// The agent.
        agent: AgentId,
        /// The call offered.
        call: CallId,
    },
    /// A connected call ended (either side hung up); wrap-up follows.
    CallEnd {
        /// The call.
        call: CallId,
        /// Wrap-up for this call, overriding the queue's.
        wrap_ms: Option<u64>,
    },
    /// A supervisor joins a call.
    Supervise {
        /// Supervisor.
        supervisor: AgentId,
        /// The call.
        call: CallId,
        /// How.
        mode: SuperviseMode,
    },
    /// A supervisor releases a call.
    ForceRelease {
        /// The call.
        call: CallId,
    },
    /// A supervisor forces an agent's state.
    ForceState {
        /// The agent.
        agent: AgentId,
        /// The state.
        state: ForcedState,
    },
    /// A span went into alarm: these callers' and agents' channels are gone.
    SpanAlarm {
        /// Callers on the span.
        calls: Vec<CallId>,
        /// Agents on the span (logged out).
        agents: Vec<AgentId>,
    },
}

/// Why a caller left a queue without an agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// Waited `max_wait_ms`.
    MaxWait,
    /// No agent with the skill logged in.
    NoAgents,
}

/// Why the ACD asks the pipeline to release a call leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseReason {
    /// A supervisor released it.
    Forced,
    /// The agent's channel went away.
    AgentLost,
    /// The callback was not answered.
    CallbackFailed,
}

/// What the pipeline must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AcdAction {
    /// Ring an agent with a call (screen pop attached).
    Offer {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
        /// Queue the call is being served from (primary or overflow).
        queue: QueueId,
        /// Screen pop.
        pop: ScreenPop,
    },
    /// Stop ringing an agent (caller gone, another agent answered, timeout).
    CancelOffer {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// Bridge the caller to the agent.
    Bridge {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// Dial the customer back and bridge them to the agent.
    DialCallback {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
    },
    /// Offer the caller a callback (press 1 to keep your place and be called back).
    OfferCallback {
        /// The call.
        call: CallId,
        /// Estimated wait.
        ewt_ms: u64,
    },
    /// Announce position and estimated wait.
    Announce {
        /// The call.
        call: CallId,
        /// 1-based position.
        position: usize,
        /// Estimated wait.
        ewt_ms: u64,
    },
    /// The caller leaves the queue without an agent.
    Exit {
        /// The call.
        call: CallId,
        /// Why.
        reason: ExitReason,
        /// Where to.
        target: ExitTarget,
    },
    /// Release the call's legs.
    Release {
        /// The call.
        call: CallId,
        /// Why.
        reason: ReleaseReason,
    },
    /// Start monitor / whisper / barge.
    Supervise {
        /// Supervisor.
        supervisor: AgentId,
        /// The call.
        call: CallId,
        /// The agent on it.
        agent: AgentId,
        /// How.
        mode: SuperviseMode,
    },
    /// An agent's state changed (for the event stream).
    AgentState {
        /// The agent.
        agent: AgentId,
        /// New state.
        state: AgentState,
        /// Reason code.
        reason: Option<String>,
    },
    /// An input was refused (unknown agent or call, wrong state); nothing changed.
    Refused {
        /// Why.
        reason: String,
    },
}
