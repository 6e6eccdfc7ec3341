//! A PRI trunk span: the Q.931/Q.921 stack wired to its D-channel's frame rings, and the
//! mapping between B-channel numbers and board channels.

use trunkline_driver::ring::{EngineEnd, MAX_FRAME};
use trunkline_driver::ChannelNo;

use crate::signalling::pri::span::{CallEvent, PriSpan};
use crate::signalling::time::Ms as SigMs;

/// One PRI span as the engine (or the simulated network) drives it.
pub struct PriLink {
    /// The stack.
    pub pri: PriSpan,
    d: EngineEnd,
    basechan: u32,
    buf: Box<[u8; MAX_FRAME]>,
}

impl PriLink {
    /// Wraps a stack around an opened D-channel; `basechan` is the span's first channel number.
    pub fn new(pri: PriSpan, d: EngineEnd, basechan: u32) -> Self {
        Self { pri, d, basechan, buf: Box::new([0; MAX_FRAME]) }
    }

    /// The board channel of B-channel `b` (the E1 timeslot / T1 channel number).
    pub fn chan(&self, b: u8) -> ChannelNo {
        ChannelNo(self.basechan + b as u32 - 1)
    }

    /// Feeds received frames (dropping their 2 FCS octets) and due timers into the stack.
    pub fn input(&mut self, now: u64) {
        let now = SigMs(now);
        while let Some(n) = self.d.recv_frame(&mut self.buf) {
            if n >= 2 {
                self.pri.handle_frame(now, &self.buf[..n - 2]);
            }
        }
        while let Some(t) = self.pri.poll_timeout() {
            if t > now {
                break;
            }
            self.pri.handle_timeout(now);
        }
    }

    /// Sends what the stack wants transmitted.
    pub fn output(&mut self) {
        while let Some(f) = self.pri.poll_transmit() {
            if !self.d.send_frame(&f) {
                break; // the ring is full: Q.921 retransmits on T200
            }
        }
    }

    /// The next call event.
    pub fn event(&mut self) -> Option<CallEvent> {
        self.pri.poll_event()
    }
}
