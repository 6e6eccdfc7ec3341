//! The recording writer thread. The real-time side (DSP workers) hands it audio blocks through a
//! bounded channel and never blocks or allocates: blocks come from a pool that the writer sends
//! back after use (the fundsp pattern: the real-time thread never allocates or frees), and a block
//! that finds the channel full is dropped and counted. The writer owns the files.
//!
//! There can be several writer threads ([`RecorderConfig::threads`]): calls are sharded over
//! them by call id, each with its own queue and block pool, so one stalled on the disk does not
//! hold up the others and the encoding runs on several cores.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender, TrySendError};

use super::wav::{WavFormat, WavSpec, WavWriter};
use crate::model::CallId;
use crate::store::Recording;

/// A block of one call's audio: what was received and what was sent over the same interval.
/// Allocated once, reused forever.
#[derive(Debug)]
pub struct AudioBlock {
    rx: Vec<i16>,
    tx: Vec<i16>,
}

impl AudioBlock {
    fn with_capacity(n: usize) -> AudioBlock {
        AudioBlock { rx: Vec::with_capacity(n), tx: Vec::with_capacity(n) }
    }

    /// Samples per direction it holds.
    pub fn len(&self) -> usize {
        self.rx.len().max(self.tx.len())
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Samples per direction it can hold without allocating.
    pub fn capacity(&self) -> usize {
        self.rx.capacity().min(self.tx.capacity())
    }

    /// Empties it (keeping its capacity).
    pub fn clear(&mut self) {
        self.rx.clear();
        self.tx.clear();
    }

    /// Appends an interval of audio (a shorter side is padded with silence so both stay in
    /// step). Allocates only beyond [`capacity`](Self::capacity).
    pub fn push(&mut self, rx: &[i16], tx: &[i16]) {
        let n = rx.len().max(tx.len());
        let (r0, t0) = (self.rx.len(), self.tx.len());
        self.rx.extend_from_slice(rx);
        self.tx.extend_from_slice(tx);
        self.rx.resize(r0.max(t0) + n, 0);
        self.tx.resize(r0.max(t0) + n, 0);
    }
}

/// What the writer thread is asked to do.
#[derive(Debug)]
pub enum RecCommand {
    /// Start recording a call to a new file.
    Open {
        /// The call.
        call: CallId,
        /// File to create.
        path: PathBuf,
        /// Sample encoding.
        format: WavFormat,
        /// 1 (mixed) or 2 (caller left, agent right).
        channels: u16,
    },
    /// Audio of a call.
    Audio {
        /// The call.
        call: CallId,
        /// The samples (returned to the pool once written).
        block: AudioBlock,
    },
    /// Stop recording a call and finish its file.
    Close {
        /// The call.
        call: CallId,
    },
    /// Finish every file and stop the thread.
    Shutdown,
}

/// What the writer thread reports (for the recordings index and the logs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecorderEvent {
    /// A recording was finished; ready for [`Store::add_recording`](crate::store::Store::add_recording).
    Closed(Recording),
    /// A recording could not be opened or written (it is abandoned; what was written stays).
    Failed {
        /// The call.
        call: CallId,
        /// What went wrong.
        error: String,
    },
}

/// Settings of the writer thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecorderConfig {
    /// Commands the channel holds before audio is dropped.
    pub queue: usize,
    /// Audio blocks in the pool (all calls together).
    pub pool: usize,
    /// Samples per block per direction (a longer tick is split into several blocks).
    pub block_samples: usize,
    /// Sample rate of the audio.
    pub sample_rate: u32,
    /// Writer threads (calls are sharded over them; `queue` and `pool` are per thread).
    pub threads: usize,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        // 1,024 blocks of 20 ms: 20 s of one call's audio, or a 20 ms tick of 1,024 calls.
        RecorderConfig { queue: 1024, pool: 1024, block_samples: 160, sample_rate: 8000, threads: 1 }
    }
}

/// Counters of the writer thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecorderStats {
    /// Files opened.
    pub opened: u64,
    /// Files finished.
    pub closed: u64,
    /// Blocks written.
    pub blocks: u64,
    /// Blocks dropped by senders (channel full or pool empty).
    pub dropped: u64,
    /// Blocks for calls not being recorded.
    pub orphans: u64,
    /// Open or write failures.
    pub errors: u64,
}

/// Why a command could not be given to the writer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecorderError {
    /// The writer has stopped.
    #[error("the recorder thread has stopped")]
    Stopped,
    /// The writer did not take the command within a second (disk stalled?).
    #[error("the recorder thread is not keeping up")]
    Busy,
}

/// One writer thread's queue and block pool.
#[derive(Clone)]
struct Shard {
    tx: Sender<RecCommand>,
    pool: Receiver<AudioBlock>,
}

/// The sending side, one per producer thread (clone it). [`audio`](RecorderSender::audio)
/// never blocks or allocates.
pub struct RecorderSender {
    shards: Vec<Shard>,
    /// A block taken from a shard's pool and not sent (its queue was full), per shard.
    spare: Vec<Option<AudioBlock>>,
    dropped: Arc<AtomicU64>,
    block_samples: usize,
}

impl Clone for RecorderSender {
    fn clone(&self) -> Self {
        RecorderSender {
            shards: self.shards.clone(),
            spare: self.shards.iter().map(|_| None).collect(),
            dropped: self.dropped.clone(),
            block_samples: self.block_samples,
        }
    }
}

impl RecorderSender {
    /// The writer thread that handles `call`.
    fn shard(&self, call: CallId) -> usize {
        (call.0 % self.shards.len() as u64) as usize
    }

    fn control(&self, call: CallId, cmd: RecCommand) -> Result<(), RecorderError> {
        self.shards[self.shard(call)].tx.send_timeout(cmd, Duration::from_secs(1)).map_err(|e| match e {
            crossbeam_channel::SendTimeoutError::Timeout(_) => RecorderError::Busy,
            crossbeam_channel::SendTimeoutError::Disconnected(_) => RecorderError::Stopped,
        })
    }

    /// Starts recording `call` to `path` (waits up to a second for room in the channel: call it
    /// from the engine core, not from a real-time thread).
    pub fn open(
        &self,
        call: CallId,
        path: PathBuf,
        format: WavFormat,
        channels: u16,
    ) -> Result<(), RecorderError> {
        self.control(call, RecCommand::Open { call, path, format, channels })
    }

    /// Finishes the recording of `call` (same waiting rule as [`open`](Self::open)).
    pub fn close(&self, call: CallId) -> Result<(), RecorderError> {
        self.control(call, RecCommand::Close { call })
    }

    /// Finishes the recording of `call` without waiting (for real-time threads); false if the
    /// writer's queue is full (try again later) or the writer has stopped.
    pub fn try_close(&self, call: CallId) -> bool {
        self.shards[self.shard(call)].tx.try_send(RecCommand::Close { call }).is_ok()
    }

    /// Samples per direction that one block carries.
    pub fn block_samples(&self) -> usize {
        self.block_samples
    }

    /// Takes an empty block from the pool of `call`'s writer (for a producer that fills blocks
    /// over several ticks and hands them over with [`send_block`](Self::send_block)). Never
    /// blocks or allocates; `None` (counted as a dropped block) when the pool is empty.
    pub fn take_block(&mut self, call: CallId) -> Option<AudioBlock> {
        let s = self.shard(call);
        let mut b = self.spare[s].take().or_else(|| self.shards[s].pool.try_recv().ok());
        match b.as_mut() {
            Some(b) => b.clear(),
            None => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        b
    }

    /// Queues a filled block (from [`take_block`](Self::take_block)) for `call`. Never blocks or
    /// allocates; false (counted) if the queue was full and the block was dropped.
    pub fn send_block(&mut self, call: CallId, block: AudioBlock) -> bool {
        let s = self.shard(call);
        match self.shards[s].tx.try_send(RecCommand::Audio { call, block }) {
            Ok(()) => true,
            Err(TrySendError::Full(cmd) | TrySendError::Disconnected(cmd)) => {
                if let RecCommand::Audio { mut block, .. } = cmd {
                    block.clear();
                    self.spare[s] = Some(block);
                }
                self.dropped.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Queues a filled block, waiting up to a second for room (for the end of a run, off the
    /// real-time path); false (counted) if it was dropped.
    pub fn send_block_wait(&mut self, call: CallId, block: AudioBlock) -> bool {
        let s = self.shard(call);
        let ok =
            self.shards[s].tx.send_timeout(RecCommand::Audio { call, block }, Duration::from_secs(1)).is_ok();
        if !ok {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        ok
    }

    /// Queues one interval of a call's audio (`rx` received, `tx` sent). Never blocks and never
    /// allocates; returns false if (part of) it was dropped, which is counted.
    pub fn audio(&mut self, call: CallId, rx: &[i16], tx: &[i16]) -> bool {
        let n = rx.len().max(tx.len());
        let step = self.block_samples.max(1);
        let mut all = true;
        let mut at = 0;
        while at < n {
            let end = (at + step).min(n);
            let Some(mut block) = self.take_block(call) else {
                all = false;
                at = end;
                continue;
            };
            block.clear();
            block.push(
                rx.get(at..end.min(rx.len())).unwrap_or(&[]),
                tx.get(at..end.min(tx.len())).unwrap_or(&[]),
            );
            all &= self.send_block(call, block);
            at = end;
        }
        all
    }

    /// Blocks dropped so far by every sender.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// The writer threads. Dropping it shuts them down (finishing every file); prefer
/// [`shutdown`](RecorderThread::shutdown) to get the counters.
pub struct RecorderThread {
    txs: Vec<Sender<RecCommand>>,
    events: Receiver<RecorderEvent>,
    dropped: Arc<AtomicU64>,
    joins: Vec<JoinHandle<RecorderStats>>,
}

impl RecorderThread {
    /// Starts the writer threads; returns them and a sender for the producers.
    pub fn spawn(cfg: RecorderConfig) -> std::io::Result<(RecorderThread, RecorderSender)> {
        let (ev_tx, ev_rx) = unbounded();
        let dropped = Arc::new(AtomicU64::new(0));
        let n = cfg.threads.max(1);
        let mut shards = Vec::with_capacity(n);
        let mut joins = Vec::with_capacity(n);
        for i in 0..n {
            let (tx, rx) = bounded(cfg.queue.max(1));
            let pool_n = cfg.pool.max(1);
            let (pool_tx, pool_rx) = bounded(pool_n);
            for _ in 0..pool_n {
                // The channel has room for the whole pool.
                let _ = pool_tx.try_send(AudioBlock::with_capacity(cfg.block_samples.max(1)));
            }
            let (ev, rate) = (ev_tx.clone(), cfg.sample_rate);
            let name = if n == 1 { "recorder".to_string() } else { format!("recorder-{i}") };
            let join = std::thread::Builder::new().name(name).spawn(move || writer(rx, pool_tx, ev, rate))?;
            shards.push(Shard { tx, pool: pool_rx });
            joins.push(join);
        }
        let sender = RecorderSender {
            spare: shards.iter().map(|_| None).collect(),
            shards,
            dropped: dropped.clone(),
            block_samples: cfg.block_samples.max(1),
        };
        let txs = sender.shards.iter().map(|s| s.tx.clone()).collect();
        Ok((RecorderThread { txs, events: ev_rx, dropped, joins }, sender))
    }

    /// Finished recordings and failures, as they happen.
    pub fn events(&self) -> &Receiver<RecorderEvent> {
        &self.events
    }

    /// Blocks dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Finishes every open file, stops the threads and returns their counters (summed).
    pub fn shutdown(mut self) -> RecorderStats {
        self.stop()
    }

    fn stop(&mut self) -> RecorderStats {
        if self.joins.is_empty() {
            return RecorderStats::default();
        }
        for tx in &self.txs {
            let _ = tx.send(RecCommand::Shutdown);
        }
        let mut total = RecorderStats::default();
        for j in self.joins.drain(..) {
            let st = j.join().unwrap_or_default();
            total.opened += st.opened;
            total.closed += st.closed;
            total.blocks += st.blocks;
            total.orphans += st.orphans;
            total.errors += st.errors;
        }
        total.dropped = self.dropped.load(Ordering::Relaxed);
        total
    }
}

impl Drop for RecorderThread {
    fn drop(&mut self) {
        self.stop();
    }
}

fn writer(
    rx: Receiver<RecCommand>,
    pool: Sender<AudioBlock>,
    events: Sender<RecorderEvent>,
    rate: u32,
) -> RecorderStats {
    let mut files: HashMap<CallId, WavWriter> = HashMap::new();
    let mut st = RecorderStats::default();
    let finish = |call: CallId, w: WavWriter, st: &mut RecorderStats| {
        let spec = w.spec();
        let path = w.path().to_string_lossy().into_owned();
        let ev = match w.finish() {
            Ok(info) => {
                st.closed += 1;
                RecorderEvent::Closed(Recording {
                    call,
                    path,
                    duration_ms: info.duration_ms,
                    format: spec.format.name().into(),
                    channels: spec.channels,
                    bytes: info.bytes,
                })
            }
            Err(e) => {
                st.errors += 1;
                RecorderEvent::Failed { call, error: e.to_string() }
            }
        };
        let _ = events.send(ev);
    };
    while let Ok(cmd) = rx.recv() {
        match cmd {
            RecCommand::Open { call, path, format, channels } => {
                if let Some(old) = files.remove(&call) {
                    finish(call, old, &mut st);
                }
                match WavWriter::create(&path, WavSpec { format, channels, sample_rate: rate }) {
                    Ok(w) => {
                        st.opened += 1;
                        files.insert(call, w);
                    }
                    Err(e) => {
                        st.errors += 1;
                        let _ = events.send(RecorderEvent::Failed { call, error: e.to_string() });
                    }
                }
            }
            RecCommand::Audio { call, block } => {
                match files.get_mut(&call) {
                    Some(w) => match w.write_call(&block.rx, &block.tx) {
                        Ok(()) => st.blocks += 1,
                        Err(e) => {
                            st.errors += 1;
                            let _ = events.send(RecorderEvent::Failed { call, error: e.to_string() });
                            if let Some(w) = files.remove(&call) {
                                finish(call, w, &mut st);
                            }
                        }
                    },
                    None => st.orphans += 1,
                }
                // Back to the pool for the producers to reuse.
                let _ = pool.try_send(block);
            }
            RecCommand::Close { call } => {
                if let Some(w) = files.remove(&call) {
                    finish(call, w, &mut st);
                }
            }
            RecCommand::Shutdown => break,
        }
    }
    let mut calls: Vec<CallId> = files.keys().copied().collect();
    calls.sort();
    for call in calls {
        if let Some(w) = files.remove(&call) {
            finish(call, w, &mut st);
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::wav::read_wav;

    #[test]
    fn records_calls_and_reports_them_on_close_and_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let (rt, mut s) = RecorderThread::spawn(RecorderConfig::default()).unwrap();
        let a = dir.path().join("a.wav");
        let b = dir.path().join("b.wav");
        s.open(CallId(1), a.clone(), WavFormat::Alaw, 2).unwrap();
        s.open(CallId(2), b.clone(), WavFormat::Pcm16, 1).unwrap();
        let rx = vec![1000i16; 160];
        let tx = vec![-500i16; 160];
        for _ in 0..50 {
            // Give the writer time so no block is dropped in this test.
            while !s.audio(CallId(1), &rx, &tx) {
                std::thread::sleep(Duration::from_millis(1));
            }
            while !s.audio(CallId(2), &rx, &tx) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        s.close(CallId(1)).unwrap();
        let ev = rt.events().recv_timeout(Duration::from_secs(5)).unwrap();
        let RecorderEvent::Closed(r) = ev.clone() else { panic!("{ev:?}") };
        assert_eq!((r.call, r.duration_ms, r.format.as_str(), r.channels), (CallId(1), 1000, "alaw", 2));
        let st = rt.shutdown();
        assert_eq!((st.opened, st.closed, st.blocks, st.errors), (2, 2, 100, 0));
        let wa = read_wav(&a).unwrap();
        assert_eq!(wa.frames(), 8000);
        assert!(wa.channel(0).iter().all(|&x| (x - 1000).abs() < 40));
        assert!(wa.channel(1).iter().all(|&x| (x + 500).abs() < 20));
        let wb = read_wav(&b).unwrap();
        assert_eq!(wb.samples, vec![500i16; 8000]);
    }

    #[test]
    fn a_full_channel_drops_and_counts_instead_of_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = RecorderConfig { queue: 4, pool: 8, block_samples: 160, sample_rate: 8000, threads: 1 };
        let (rt, mut s) = RecorderThread::spawn(cfg).unwrap();
        s.open(CallId(1), dir.path().join("x.wav"), WavFormat::Ulaw, 1).unwrap();
        let rx = vec![0i16; 160 * 100];
        // 100 blocks at once into a queue of 4 and a pool of 8: most are dropped, none block.
        let t = std::time::Instant::now();
        assert!(!s.audio(CallId(1), &rx, &rx));
        assert!(t.elapsed() < Duration::from_secs(1));
        assert!(s.dropped() > 0);
        // Audio for a call not being recorded is counted, not an error.
        std::thread::sleep(Duration::from_millis(50));
        s.audio(CallId(9), &rx[..160], &[]);
        std::thread::sleep(Duration::from_millis(50));
        let st = rt.shutdown();
        assert_eq!(st.blocks + st.dropped + st.orphans, 101, "{st:?}");
        assert_eq!(st.orphans, 1);
        assert!(s.open(CallId(2), dir.path().join("y.wav"), WavFormat::Ulaw, 1).is_err());
    }

    #[test]
    fn an_unwritable_path_is_reported() {
        let (rt, s) = RecorderThread::spawn(RecorderConfig::default()).unwrap();
        s.open(CallId(1), PathBuf::from("/nonexistent/dir/x.wav"), WavFormat::Alaw, 1).unwrap();
        let ev = rt.events().recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(matches!(ev, RecorderEvent::Failed { call: CallId(1), .. }), "{ev:?}");
        assert_eq!(rt.shutdown().errors, 1);
    }
}
