//! Channel handles and calls: what the dialer, the ACD and the IVR hold.
//!
//! A [`Switch`] owns the engine's lines — PRI trunk spans (B-channels under one Q.931 stack) and
//! station lines (agents' phones, signalled with CAS bits) — and the calls on them. Every call is
//! a handle ([`HandleId`]; borrow it as a [`ChannelHandle`] to act on it): originate, answer,
//! hang up, play ([`Prompt`]: WAV or generated tones), record, collect digits, detect (enable or
//! disable detector sets), bridge to another handle, and monitor / whisper / barge into a bridged
//! call. Each handle has an explicit [`CallState`] and ends with a Q.850 [`Cause`].
//!
//! Sans-IO, on the engine's clock: [`Switch::poll`] takes the time, the tones the DSP heard and
//! the board's events (alarms); [`Switch::next_event`] yields what happened
//! ([`HandleEvent`]); actions queue media and signalling work that [`Switch::flush`] hands to the
//! media set and the trunk links before the next tick is transmitted, so an action taken on a
//! tick is heard on that tick and a bridge adds exactly one tick of latency.
//!
//! A handle owns its channel until it is released; releasing is idempotent (hanging up a handle
//! that is releasing or gone does nothing); a span alarm (RED, AIS, LOS) releases every handle
//! on the span at once with cause 38 (network out of order).

pub mod collect;
pub mod pri;
pub mod prompt;
pub mod state;
mod switch;

use std::path::PathBuf;

use trunkline_driver::{Alarms, ChannelNo, SpanNo};
use trunkline_dsp::event::{DetectorKind, ToneEvent};

pub use crate::acd::SuperviseMode;
use crate::model::CallId;
pub use crate::model::Cause;
use crate::record::wav::WavFormat;
pub use collect::{CollectEnd, CollectError, CollectSpec, Collector};
pub use prompt::{Prompt, PromptError};
pub use state::{CallInput, CallState, Direction};
pub use switch::Switch;

/// One call on one channel, for as long as the engine holds it. Unique for the life of a
/// [`Switch`] (never reused).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct HandleId(pub u64);

impl std::fmt::Display for HandleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "h{}", self.0)
    }
}

/// A PRI trunk span registered with a [`Switch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrunkId(pub usize);

/// A station line (an agent's phone) registered with a [`Switch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StationId(pub usize);

/// The CAS bits of a station line (what the engine sends, what the phone sends back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StationBits {
    /// Engine → phone: idle.
    pub idle: u8,
    /// Engine → phone: ring (a call is offered).
    pub offer: u8,
    /// Engine → phone: connected.
    pub connected: u8,
    /// Engine → phone: the other party has gone (clear back).
    pub clear: u8,
    /// Phone → engine: off hook.
    pub offhook: u8,
}

/// An outbound call to place on a trunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginateSpec {
    /// Called number.
    pub dnis: String,
    /// Calling number.
    pub ani: String,
    /// A particular B-channel; `None`: the highest free one (inbound calls are offered from the
    /// bottom, so this avoids glare).
    pub channel: Option<u8>,
}

/// Recording a handle's audio through the recording writer thread.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordSpec {
    /// The recording's key at the writer (the call's id; unique among open recordings).
    pub key: CallId,
    /// The WAV file.
    pub path: PathBuf,
    /// Encoding.
    pub format: WavFormat,
    /// Two channels (left: what the far end said, right: what it heard) or one (both mixed).
    pub stereo: bool,
}

/// Who ended a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleasedBy {
    /// We hung up.
    Local,
    /// The far end hung up (or refused the call).
    Remote,
    /// The span failed (alarm, D-channel lost).
    Span,
}

/// What happened to a handle (or a span), in order.
#[derive(Clone, Debug, PartialEq)]
pub enum HandleEvent {
    /// A call arrived (state [`CallState::Offered`]); answer or hang up.
    Incoming {
        /// The new handle.
        h: HandleId,
        /// Calling number.
        ani: String,
        /// Called number.
        dnis: String,
        /// Board channel.
        chan: ChannelNo,
    },
    /// The handle's state changed (proceeding, alerting, answered).
    State {
        /// The handle.
        h: HandleId,
        /// The new state.
        state: CallState,
    },
    /// The network reported progress (in-band tones or announcements follow).
    Progress {
        /// The handle.
        h: HandleId,
    },
    /// The call is over; the handle is gone (further actions on it are refused, hang-ups ignored).
    Released {
        /// The handle.
        h: HandleId,
        /// Why.
        cause: Cause,
        /// Who ended it.
        by: ReleasedBy,
    },
    /// An enabled detector heard something.
    Tone {
        /// The handle.
        h: HandleId,
        /// What was heard.
        tone: ToneEvent,
    },
    /// A digit collection ended.
    Digits {
        /// The handle.
        h: HandleId,
        /// The digits (without the terminator).
        digits: String,
        /// Why it ended.
        end: CollectEnd,
    },
    /// Everything queued with `play` has been played.
    PlayDone {
        /// The handle.
        h: HandleId,
    },
    /// A bridge or supervision this handle was in ended because another handle went away.
    Unbridged {
        /// The handle (back on its own player).
        h: HandleId,
        /// The handle that went away.
        peer: HandleId,
    },
    /// A recording was closed (on `stop_record` or at release).
    RecordingClosed {
        /// The handle.
        h: HandleId,
        /// The recording's key.
        key: CallId,
        /// The file.
        path: PathBuf,
    },
    /// A station's phone went off or on hook while no call was on it.
    Hook {
        /// The station.
        station: StationId,
        /// Off hook now.
        offhook: bool,
    },
    /// A span's alarms changed.
    SpanAlarm {
        /// The span.
        span: SpanNo,
        /// The new alarm set.
        alarms: Alarms,
        /// The span is unusable (RED, AIS or LOS).
        down: bool,
        /// Handles released because of it.
        released: usize,
    },
}

impl HandleEvent {
    /// The handle the event is about, if any.
    pub fn handle(&self) -> Option<HandleId> {
        match self {
            HandleEvent::Incoming { h, .. }
            | HandleEvent::State { h, .. }
            | HandleEvent::Progress { h }
            | HandleEvent::Released { h, .. }
            | HandleEvent::Tone { h, .. }
            | HandleEvent::Digits { h, .. }
            | HandleEvent::PlayDone { h }
            | HandleEvent::Unbridged { h, .. }
            | HandleEvent::RecordingClosed { h, .. } => Some(*h),
            HandleEvent::Hook { .. } | HandleEvent::SpanAlarm { .. } => None,
        }
    }
}

/// Why an action on a handle was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HandleError {
    /// No such handle (never existed, or released and forgotten).
    #[error("no handle {0}")]
    NoSuchHandle(HandleId),
    /// The call is releasing or released.
    #[error("{0} is {1}: the call is over")]
    Gone(HandleId, &'static str),
    /// The action does not fit the call's state.
    #[error("{h} is {state}: cannot {op}")]
    WrongState {
        /// The handle.
        h: HandleId,
        /// Its state.
        state: &'static str,
        /// The action refused.
        op: &'static str,
    },
    /// No free channel (all B-channels busy, or the station is busy).
    #[error("no free channel on {0}")]
    NoChannel(String),
    /// The span is in alarm.
    #[error("span {0} is in alarm")]
    SpanDown(SpanNo),
    /// The signalling stack refused.
    #[error("signalling: {0}")]
    Signalling(String),
    /// The handle is not bridged (supervising needs a bridged call).
    #[error("{0} is not bridged to anybody")]
    NotBridged(HandleId),
    /// A handle cannot be bridged or supervise itself, or a party of the call it supervises.
    #[error("{0} cannot join a call it is part of")]
    SelfJoin(HandleId),
    /// Bad prompt.
    #[error(transparent)]
    Prompt(#[from] PromptError),
    /// Bad collect request.
    #[error(transparent)]
    Collect(#[from] CollectError),
    /// The recording writer refused (stopped, busy) or no recorder is set.
    #[error("recorder: {0}")]
    Recorder(String),
}

/// A handle borrowed from its [`Switch`], to act on it: `sw.handle(h).play(&prompt)?`.
/// Actions take effect at the switch's current time (that of the last [`Switch::poll`]).
pub struct ChannelHandle<'a> {
    sw: &'a mut Switch,
    id: HandleId,
}

impl ChannelHandle<'_> {
    /// The handle's id (what to keep).
    pub fn id(&self) -> HandleId {
        self.id
    }

    /// The call's state (`Released` once it is over, until it is forgotten).
    pub fn state(&self) -> Option<CallState> {
        self.sw.state(self.id)
    }

    /// Answers an offered call.
    pub fn answer(&mut self) -> Result<(), HandleError> {
        self.sw.answer(self.id)
    }

    /// Hangs up with `cause`. Idempotent: a handle already releasing or gone is left alone.
    pub fn hangup(&mut self, cause: Cause) {
        self.sw.hangup(self.id, cause)
    }

    /// Queues a prompt or tone (played after what is queued already).
    pub fn play(&mut self, prompt: &Prompt) -> Result<(), HandleError> {
        self.sw.play(self.id, prompt)
    }

    /// Stops playing and empties the queue.
    pub fn stop_play(&mut self) -> Result<(), HandleError> {
        self.sw.stop_play(self.id)
    }

    /// Starts recording.
    pub fn record(&mut self, spec: RecordSpec) -> Result<(), HandleError> {
        self.sw.record(self.id, spec)
    }

    /// Stops recording (the file is closed).
    pub fn stop_record(&mut self) -> Result<(), HandleError> {
        self.sw.stop_record(self.id)
    }

    /// Collects digits (ends with a [`HandleEvent::Digits`]).
    pub fn collect(&mut self, spec: CollectSpec) -> Result<(), HandleError> {
        self.sw.collect(self.id, spec)
    }

    /// Sets the detectors whose events this handle reports (empty: none).
    pub fn detect(&mut self, kinds: &[DetectorKind]) -> Result<(), HandleError> {
        self.sw.detect(self.id, kinds)
    }

    /// Bridges to another handle (both directions, TDM).
    pub fn bridge(&mut self, other: HandleId) -> Result<(), HandleError> {
        self.sw.bridge(self.id, other)
    }

    /// Ends this handle's bridge or supervision.
    pub fn unbridge(&mut self) -> Result<(), HandleError> {
        self.sw.unbridge(self.id)
    }

    /// Joins the bridged call of `agent` as a supervisor.
    pub fn supervise(&mut self, agent: HandleId, mode: SuperviseMode) -> Result<(), HandleError> {
        self.sw.supervise(self.id, agent, mode)
    }
}
