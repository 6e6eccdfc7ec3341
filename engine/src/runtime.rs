//! The seam between the running engine and its shells (`trunkd`, the control API): what the
//! API reads ([`EngineView`]) and what the daemon controls ([`EngineRuntime`]). The pipeline
//! implements both; the API and daemon are tested against small fakes.

use std::sync::Arc;

use crate::model::{
    AgentSnapshot, CallSnapshot, CampaignSnapshot, Cdr, ChannelSnapshot, EngineEvent, SpanSnapshot,
    StatusSnapshot,
};

/// Which CDRs `/v1/cdrs` returns.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct CdrQuery {
    /// Only calls that started at or after this engine time (ms).
    pub since_ms: Option<u64>,
    /// Only this campaign.
    pub campaign: Option<u64>,
    /// Only this outcome (snake_case name).
    pub outcome: Option<String>,
    /// At most this many (newest first); default 100, at most 10,000.
    pub limit: Option<usize>,
}

/// An action requested through the API.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ApiCommand {
    /// Pause or resume a campaign.
    CampaignRun {
        /// The campaign.
        campaign: u64,
        /// Run (true) or pause (false).
        run: bool,
    },
    /// Set an agent ready or not ready (agents may only act on themselves).
    AgentReady {
        /// The agent.
        agent: u64,
        /// Ready (true) or not ready (false).
        ready: bool,
        /// Reason code when not ready.
        reason: Option<String>,
    },
    /// Hang up a call (supervisors).
    Hangup {
        /// The call.
        call: u64,
    },
}

/// Read access to the running engine, for the API. Every method returns a consistent snapshot
/// quickly (never waits on a call in progress).
pub trait EngineView: Send + Sync {
    /// Overall status.
    fn status(&self) -> StatusSnapshot;
    /// Spans.
    fn spans(&self) -> Vec<SpanSnapshot>;
    /// Channels.
    fn channels(&self) -> Vec<ChannelSnapshot>;
    /// Calls up now.
    fn calls(&self) -> Vec<CallSnapshot>;
    /// Agents.
    fn agents(&self) -> Vec<AgentSnapshot>;
    /// Campaigns.
    fn campaigns(&self) -> Vec<CampaignSnapshot>;
    /// CDRs from storage.
    fn cdrs(&self, q: &CdrQuery) -> Result<Vec<Cdr>, String>;
    /// A new subscription to the event stream (bounded; a slow reader loses events, which the
    /// stream reports).
    fn subscribe(&self) -> crossbeam_channel::Receiver<EngineEvent>;
    /// Carries out an API action; the result is JSON for the client.
    fn command(&self, cmd: ApiCommand) -> Result<serde_json::Value, String>;
    /// Every channel's state, signalling and rx/tx levels (`/v1/levels`); `None` when this
    /// engine does not measure them.
    fn levels(&self) -> Option<crate::diag::LevelsSnapshot> {
        None
    }
}

/// Control of the running engine, for the daemon.
pub trait EngineRuntime: Send {
    /// The read side, shared with the API.
    fn view(&self) -> Arc<dyn EngineView>;
    /// Applies a reloaded configuration (what can change at run time: campaigns, agents,
    /// queues, IVR); errors leave the running configuration unchanged.
    fn reload(&mut self, config_toml: &str) -> Result<(), String>;
    /// Stops taking new calls and releases the active ones cleanly.
    fn drain(&mut self);
    /// True once draining has finished (no call up, files closed).
    fn is_stopped(&self) -> bool;
    /// Waits for the engine's threads and returns their result.
    fn join(self: Box<Self>) -> anyhow::Result<()>;
}
