//! A board's I/O side: ticks the board (which moves one tick of every channel between the line
//! and the rings), forwards the board's events to the bus, and publishes the tick so the DSP
//! workers process it. Runs on its own thread or, in lock step, on the caller's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use trunkline_driver::{Board, BoardError};

use super::event::{Bus, PipelineEvent};
use super::stats::IoCounters;

/// Slots in the ring of tick completion times (a worker further behind than this reports a
/// wrong latency, long after its rings overflowed).
const STAMPS: usize = 256;

/// How far a board has got, shared with the workers.
pub(crate) struct BoardClock {
    /// Ticks done (a worker may process ticks `0..ticks`).
    pub(crate) ticks: AtomicU64,
    /// When each recent tick was done, ns since the pipeline's epoch.
    done_at: Box<[AtomicU64]>,
}

impl Default for BoardClock {
    fn default() -> Self {
        Self { ticks: AtomicU64::new(0), done_at: (0..STAMPS).map(|_| AtomicU64::new(0)).collect() }
    }
}

impl BoardClock {
    /// When tick `t` was done.
    pub(crate) fn done_at(&self, t: u64) -> u64 {
        self.done_at[(t % STAMPS as u64) as usize].load(Ordering::Relaxed)
    }

    fn publish(&self, t: u64, at_ns: u64) {
        self.done_at[(t % STAMPS as u64) as usize].store(at_ns, Ordering::Relaxed);
        self.ticks.store(t + 1, Ordering::Release);
    }
}

pub(crate) struct IoUnit {
    pub(crate) index: usize,
    pub(crate) board: Box<dyn Board>,
    pub(crate) clock: Arc<BoardClock>,
    pub(crate) counters: Arc<IoCounters>,
    pub(crate) bus: Bus,
    pub(crate) epoch: Instant,
    /// Ticks done.
    pub(crate) tick: u64,
}

impl IoUnit {
    /// One tick of the board; on success the workers may process it.
    pub(crate) fn step(&mut self) -> Result<(), BoardError> {
        if let Err(e) = self.board.tick() {
            self.counters.tick_errors.fetch_add(1, Ordering::Relaxed);
            return Err(e);
        }
        let tick = self.tick;
        while let Some(event) = self.board.poll_event() {
            self.bus.send(PipelineEvent::Board { board: self.index, tick, event });
            self.counters.events.fetch_add(1, Ordering::Relaxed);
        }
        self.clock.publish(tick, self.epoch.elapsed().as_nanos() as u64);
        self.tick = tick + 1;
        self.counters.ticks.store(self.tick, Ordering::Relaxed);
        Ok(())
    }
}
