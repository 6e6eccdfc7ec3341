//! The one trait every board backend implements (simulated board, DAHDI), with the errors the
//! engine can react to and the events a board reports.

use crate::channel::ChannelInfo;
use crate::ids::{ChannelNo, SpanNo};
use crate::ring::{EngineEnd, RingConfig};
use crate::span::{Alarms, SpanConfig, SpanInfo, SpanStatus};

/// What kind of failure a board operation hit; the engine decides on this, not on text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No such board, span or channel (or the driver is not loaded).
    NoDevice,
    /// The resource is held by someone else (another process holds the channel).
    Busy,
    /// The span is in alarm.
    Alarm,
    /// Data was lost because a buffer was full.
    Overrun,
    /// This backend or this channel cannot do that.
    Unsupported,
    /// The configuration is invalid.
    InvalidConfig,
    /// The operation needs the channel open (or the board started) first.
    NotOpen,
    /// The operating system refused access.
    PermissionDenied,
    /// Any other operating-system error.
    Io,
}

/// A board operation that failed: a kind plus a message for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BoardError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What happened and, where possible, what to do.
    pub message: String,
}

impl BoardError {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into() }
    }
}

/// HDLC receive problems reported per D-channel (DAHDI's BADFCS/ABORT/OVERRUN events).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HdlcError {
    /// A frame whose FCS did not check.
    BadFcs,
    /// A frame aborted by seven or more ones.
    Abort,
    /// A frame longer than the receive buffer.
    Overrun,
}

/// Something the board reports asynchronously.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BoardEvent {
    /// A span's alarms changed.
    Alarm {
        /// The span.
        span: SpanNo,
        /// The new alarm set.
        alarms: Alarms,
    },
    /// A CAS channel's (debounced) received ABCD bits changed.
    CasChanged {
        /// The channel.
        chan: ChannelNo,
        /// New bits, ABCD in the low nibble (A = bit 3).
        abcd: u8,
    },
    /// An HDLC receive error on a D-channel.
    Hdlc {
        /// The channel.
        chan: ChannelNo,
        /// What went wrong.
        error: HdlcError,
    },
    /// A span disappeared (hot-unplug, dynamic span destroyed).
    Removed {
        /// The span.
        span: SpanNo,
    },
}

/// Maintenance modes (DAHDI's `DAHDI_MAINT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Maint {
    /// Normal operation.
    None,
    /// Transmit is looped back to our own receiver.
    LocalLoop,
    /// What we receive is sent back to the far end.
    RemoteLoop,
}

/// A board backend: spans, channels, per-tick I/O and events.
///
/// The board I/O thread owns the board and calls [`Board::tick`] once per tick; everything the
/// engine needs from a channel (audio, CAS, frames) travels through the [`EngineEnd`] returned by
/// [`Board::open`], never by calls into the board from other threads.
pub trait Board: Send {
    /// A short name for logs (`sim0`, `dahdi`).
    fn name(&self) -> &str;
    /// Static description of every span.
    fn spans(&self) -> Vec<SpanInfo>;
    /// Static description of every channel.
    fn channels(&self) -> Vec<ChannelInfo>;
    /// Reconfigures a span (stopped boards only, or the backend returns `Busy`).
    fn configure_span(&mut self, span: SpanNo, cfg: SpanConfig) -> Result<(), BoardError>;
    /// Starts the spans.
    fn start(&mut self) -> Result<(), BoardError>;
    /// Stops the spans.
    fn stop(&mut self) -> Result<(), BoardError>;
    /// Opens a channel for the engine; one opener at a time (`Busy` otherwise).
    fn open(&mut self, chan: ChannelNo, rings: RingConfig) -> Result<EngineEnd, BoardError>;
    /// Closes a channel; closing a closed channel is not an error.
    fn close(&mut self, chan: ChannelNo) -> Result<(), BoardError>;
    /// Frames (samples per channel) moved by one tick.
    fn tick_frames(&self) -> usize;
    /// Does one tick of I/O: moves one tick of frames between the line and the rings, updates
    /// alarms and counters, queues events.
    fn tick(&mut self) -> Result<(), BoardError>;
    /// Live status of a span.
    fn span_status(&self, span: SpanNo) -> Result<SpanStatus, BoardError>;
    /// The next pending event, if any.
    fn poll_event(&mut self) -> Option<BoardEvent>;
    /// Puts a span into a maintenance (loopback) mode.
    fn maint(&mut self, span: SpanNo, mode: Maint) -> Result<(), BoardError>;
}
