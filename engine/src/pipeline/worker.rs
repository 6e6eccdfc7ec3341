//! A DSP worker: the media of its share of the channels, one [`MediaSet`] per board. For every
//! tick a board has done, it reads the tick's received audio, runs the detectors, feeds the
//! recorder, and queues one tick of transmit audio. The same struct runs on its own thread or,
//! in lock step, on the caller's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use trunkline_driver::ChannelNo;

use super::event::{Bus, Garbage, Op, PipelineEvent, WorkerCmd};
use super::io::BoardClock;
use super::stats::WorkerCounters;
use crate::media::{MediaId, MediaSet};
use crate::model::CallId;
use crate::record::{AudioBlock, RecorderSender};

/// What other threads can see of a worker.
pub(crate) struct WorkerShared {
    /// Ticks processed, per board.
    pub(crate) done: Vec<AtomicU64>,
    pub(crate) counters: WorkerCounters,
}

impl WorkerShared {
    pub(crate) fn new(boards: usize) -> Self {
        Self { done: (0..boards).map(|_| AtomicU64::new(0)).collect(), counters: WorkerCounters::default() }
    }
}

/// A worker's channels of one board.
pub(crate) struct BoardMedia {
    pub(crate) set: MediaSet,
    /// Board channel of each media id.
    pub(crate) chans: Vec<ChannelNo>,
    /// Recording tap of each media id, when recording.
    pub(crate) rec: Vec<Option<RecTap>>,
    /// Ticks processed.
    pub(crate) done: u64,
}

/// A channel being recorded: its call, and the block its audio is gathered in until the block is
/// full (so the writer gets a few large blocks a second per call instead of one per tick).
pub(crate) struct RecTap {
    pub(crate) call: CallId,
    block: Option<AudioBlock>,
}

impl RecTap {
    pub(crate) fn new(call: CallId) -> Self {
        Self { call, block: None }
    }

    /// Adds one tick of audio; hands the block to the writer once another tick would not fit.
    /// Never blocks or allocates. False if audio was dropped (no block free, or the writer's
    /// queue full; the sender counts the blocks).
    fn push(&mut self, r: &mut RecorderSender, rx: &[i16], tx: &[i16]) -> bool {
        let n = rx.len().max(tx.len());
        let size = r.block_samples();
        if n > size {
            // Ticks longer than a block: split (one block or more per tick).
            return self.flush(r) & r.audio(self.call, rx, tx);
        }
        if self.block.as_ref().is_some_and(|b| b.len() + n > size) && !self.flush(r) {
            return false;
        }
        let mut block = match self.block.take() {
            Some(b) => b,
            None => match r.take_block(self.call) {
                Some(b) => b,
                None => return false,
            },
        };
        block.push(rx, tx);
        if block.len() + n > size {
            return r.send_block(self.call, block);
        }
        self.block = Some(block);
        true
    }

    /// Hands a partly filled block to the writer now (without waiting); false if it was dropped.
    fn flush(&mut self, r: &mut RecorderSender) -> bool {
        match self.block.take() {
            Some(b) if !b.is_empty() => r.send_block(self.call, b),
            Some(b) => {
                // Empty: back into the pool through the writer would cost a message; keep it.
                self.block = Some(b);
                true
            }
            None => true,
        }
    }

    /// Hands a partly filled block to the writer, waiting for room (end of a run).
    fn flush_wait(&mut self, r: &mut RecorderSender) {
        if let Some(b) = self.block.take() {
            if !b.is_empty() {
                r.send_block_wait(self.call, b);
            }
        }
    }
}

pub(crate) struct Worker {
    pub(crate) boards: Vec<BoardMedia>,
    pub(crate) clocks: Vec<Arc<BoardClock>>,
    pub(crate) shared: Arc<WorkerShared>,
    pub(crate) cmds: Receiver<WorkerCmd>,
    pub(crate) bus: Bus,
    pub(crate) trash: Sender<Garbage>,
    pub(crate) rec: Option<RecorderSender>,
    /// Recordings whose close the writer could not take yet.
    pub(crate) pending_close: Vec<CallId>,
    pub(crate) epoch: Instant,
}

impl Worker {
    /// True if this worker has channels on board `b`.
    pub(crate) fn serves(&self, b: usize) -> bool {
        self.boards.get(b).is_some_and(|m| !m.chans.is_empty())
    }

    /// Applies every queued command.
    pub(crate) fn apply_commands(&mut self) {
        while let Ok(c) = self.cmds.try_recv() {
            self.apply(c);
        }
    }

    pub(crate) fn apply(&mut self, c: WorkerCmd) {
        let counters = &self.shared.counters;
        let Some(bm) = self.boards.get_mut(c.board) else {
            counters.bad_commands.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let Some(m) = bm.set.get_mut(c.id) else {
            counters.bad_commands.fetch_add(1, Ordering::Relaxed);
            return;
        };
        counters.commands.fetch_add(1, Ordering::Relaxed);
        match c.op {
            Op::Play(item) => m.player.push(item),
            Op::StopPlay => m.player.clear(),
            Op::Detect(mut d) => {
                bm.set.swap_detectors(c.id, &mut d);
                if let Err(g) = self.trash.try_send(Garbage::Detectors(d)) {
                    // Nobody is emptying the trash: free it here, and say so.
                    drop(g);
                    counters.rt_frees.fetch_add(1, Ordering::Relaxed);
                }
            }
            Op::Record(call) => {
                m.recording = true;
                if let (Some(mut old), Some(r)) = (bm.rec[c.id.0].take(), self.rec.as_mut()) {
                    if !old.flush(r) {
                        counters.rec_dropped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                bm.rec[c.id.0] = Some(RecTap::new(call));
            }
            Op::StopRecord => {
                m.recording = false;
                if let Some(mut tap) = bm.rec[c.id.0].take() {
                    let call = tap.call;
                    if let Some(r) = self.rec.as_mut() {
                        // The rest of its audio goes ahead of the close on the same queue.
                        if !tap.flush(r) {
                            counters.rec_dropped.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    let closed = self.rec.as_ref().is_some_and(|r| r.try_close(call));
                    if !closed && self.rec.is_some() {
                        self.pending_close.push(call);
                    }
                }
            }
            Op::Bridge(other) => bm.set.bridge(c.id, other),
            Op::Unbridge => bm.set.set_listen(c.id, &[]),
        }
    }

    /// Hands every partly filled recording block to the writer (waiting for room: call it when
    /// the worker stops, off the real-time path), so recordings end with the last tick.
    pub(crate) fn flush_recordings(&mut self) {
        let Some(r) = self.rec.as_mut() else { return };
        for bm in &mut self.boards {
            for tap in bm.rec.iter_mut().flatten() {
                tap.flush_wait(r);
            }
        }
    }

    /// Processes every tick the boards have done and this worker has not; calls `after(b)`
    /// after each one. Returns true if it processed any.
    pub(crate) fn run_pending(&mut self, after: &mut dyn FnMut(usize)) -> bool {
        let mut any = false;
        for b in 0..self.boards.len() {
            if self.boards[b].chans.is_empty() {
                continue;
            }
            let avail = self.clocks[b].ticks.load(Ordering::Acquire);
            while self.boards[b].done < avail {
                self.apply_commands();
                let tick = self.boards[b].done;
                self.process(b, tick);
                self.boards[b].done = tick + 1;
                self.shared.done[b].store(tick + 1, Ordering::Release);
                after(b);
                any = true;
            }
        }
        any
    }

    /// One tick of board `b`'s channels: receive → detect → record → transmit.
    fn process(&mut self, b: usize, tick: u64) {
        let t0 = Instant::now();
        if !self.pending_close.is_empty() {
            if let Some(r) = self.rec.as_ref() {
                self.pending_close.retain(|&call| !r.try_close(call));
            }
        }
        let Self { boards, bus, rec, shared, clocks, epoch, .. } = self;
        let bm = &mut boards[b];
        let BoardMedia { set, chans, rec: recs, .. } = bm;
        let mut rec_dropped = 0u64;
        set.receive(
            &mut |id, tone| bus.send(PipelineEvent::Tone { chan: chans[id.0], tick, tone }),
            &mut |a| {
                if let (Some(r), Some(tap)) = (rec.as_mut(), recs[a.id.0].as_mut()) {
                    if !tap.push(r, a.rx, a.tx) {
                        rec_dropped += 1;
                    }
                }
            },
        );
        set.transmit();
        for (i, &chan) in chans.iter().enumerate() {
            if let Some(m) = set.get_mut(MediaId(i)) {
                let items = m.player.take_finished();
                if items > 0 {
                    bus.send(PipelineEvent::PlayDone { chan, tick, items, idle: m.player.is_idle() });
                }
            }
        }
        let t1 = Instant::now();
        let c = &shared.counters;
        if rec_dropped > 0 {
            c.rec_dropped.fetch_add(rec_dropped, Ordering::Relaxed);
        }
        let busy = (t1 - t0).as_nanos() as u64;
        c.ticks.fetch_add(1, Ordering::Relaxed);
        c.busy_ns.fetch_add(busy, Ordering::Relaxed);
        c.processing.record_us(busy / 1000);
        let now_ns = (t1 - *epoch).as_nanos() as u64;
        let ready_ns = clocks[b].done_at(tick);
        c.latency.record_us(now_ns.saturating_sub(ready_ns) / 1000);
    }
}
