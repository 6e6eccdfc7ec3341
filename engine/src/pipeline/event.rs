//! What flows between the pipeline's threads: events up to the engine core on one bounded bus,
//! commands down to each DSP worker on its own bounded queue.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crossbeam_channel::{Sender, TrySendError};
use trunkline_driver::{BoardEvent, ChannelNo};
use trunkline_dsp::event::{Detector, ToneEvent};

use super::stats::BusCounters;
use crate::media::{MediaId, PlayItem};
use crate::model::CallId;

/// Something the pipeline reports to the engine core. `tick` is the board tick (on the board's
/// sample clock, `tick × tick_frames` samples) in which it happened, so a run in lock step and a
/// threaded run give the same events with the same stamps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PipelineEvent {
    /// A detector on a channel decided something (its times are samples on the channel's
    /// timeline, which starts when the channel was opened).
    Tone {
        /// The channel.
        chan: ChannelNo,
        /// Board tick.
        tick: u64,
        /// What was detected.
        tone: ToneEvent,
    },
    /// Items of a channel's play queue finished playing.
    PlayDone {
        /// The channel.
        chan: ChannelNo,
        /// Board tick.
        tick: u64,
        /// How many items finished.
        items: u32,
        /// True when the queue is now empty.
        idle: bool,
    },
    /// The board reported something (alarms, CAS bits, HDLC errors).
    Board {
        /// Index of the board in the pipeline.
        board: usize,
        /// Board tick.
        tick: u64,
        /// The event.
        event: BoardEvent,
    },
}

impl PipelineEvent {
    /// The channel the event is about, if any.
    pub fn chan(&self) -> Option<ChannelNo> {
        match self {
            PipelineEvent::Tone { chan, .. } | PipelineEvent::PlayDone { chan, .. } => Some(*chan),
            PipelineEvent::Board { .. } => None,
        }
    }
}

/// What the engine core asks a channel's media to do.
pub enum Command {
    /// Queue something to play (prompt, tone, silence).
    Play {
        /// The channel.
        chan: ChannelNo,
        /// What to play.
        item: PlayItem,
    },
    /// Stop everything queued.
    StopPlay {
        /// The channel.
        chan: ChannelNo,
    },
    /// Replace the channel's detectors (the old ones are freed off the real-time thread).
    Detect {
        /// The channel.
        chan: ChannelNo,
        /// The new set (build it with [`crate::media::detectors::make_set`]).
        detectors: Vec<Box<dyn Detector>>,
    },
    /// Start sending the channel's audio (rx and tx of every tick) to the recording writer
    /// under `call`. Open the file first ([`super::Control::record`] does both).
    Record {
        /// The channel.
        chan: ChannelNo,
        /// The recording's key at the writer.
        call: CallId,
    },
    /// Stop recording the channel; the worker asks the writer to close the file.
    StopRecord {
        /// The channel.
        chan: ChannelNo,
    },
    /// Make two channels hear each other (they must be on the same worker and board).
    Bridge {
        /// One side.
        a: ChannelNo,
        /// The other side.
        b: ChannelNo,
    },
    /// Back to its own player.
    Unbridge {
        /// The channel.
        chan: ChannelNo,
    },
}

/// A command resolved to a worker-local address.
pub(crate) struct WorkerCmd {
    pub(crate) board: usize,
    pub(crate) id: MediaId,
    pub(crate) op: Op,
}

pub(crate) enum Op {
    Play(PlayItem),
    StopPlay,
    Detect(Vec<Box<dyn Detector>>),
    Record(CallId),
    StopRecord,
    Bridge(MediaId),
    Unbridge,
}

/// Things a real-time thread must not free itself, sent back to be dropped elsewhere.
pub(crate) enum Garbage {
    Detectors(#[allow(dead_code)] Vec<Box<dyn Detector>>),
}

/// The sending side of the event bus: never blocks; a full bus drops and counts.
#[derive(Clone)]
pub(crate) struct Bus {
    pub(crate) tx: Sender<PipelineEvent>,
    pub(crate) counters: Arc<BusCounters>,
}

impl Bus {
    #[inline]
    pub(crate) fn send(&self, ev: PipelineEvent) {
        match self.tx.try_send(ev) {
            Ok(()) => {
                self.counters.sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}
