//! The media pipeline (DESIGN.md §3): one I/O thread per board, N DSP workers with the channels
//! sharded over them, per-channel SPSC rings from the driver between the two, a bounded event
//! bus up to the engine core, a bounded command queue down to each worker, and the recording
//! writer thread.
//!
//! The real-time paths (a board's tick, a worker's tick) take no locks and never allocate: they
//! touch only the rings, atomics, preallocated buffers and non-blocking channel operations. What
//! they cannot keep up with is dropped and counted, never waited for: rx ring overruns and tx
//! ring underruns (per channel, in the driver's counters), events dropped on a full bus,
//! recording blocks dropped on a full writer queue. [`Control::stats`] shows them all.
//!
//! The same components run two ways:
//! * [`Pipeline`]: threads. With a board paced in real time (a real board, or the simulated one
//!   with [`trunkline_driver::sim::Clock::Paced`]) the I/O threads never wait for the workers;
//!   with `virtual_clock` each waits until the workers have finished its previous tick, so a
//!   virtual-clock board runs as fast as the CPUs allow (boards and workers in parallel) and the
//!   results do not depend on timing.
//! * [`LockStep`]: one thread steps every board one tick, then every worker, on the virtual
//!   clock (tests and simulations). For the same boards, seed and commands both give the same
//!   events with the same stamps and the same recordings.
//!
//! Build either with a [`Builder`]: add boards, open the media channels (each gets the
//! configured detector set and a tx prefill), then [`Builder::lock_step`] or [`Builder::spawn`].

mod event;
mod io;
mod stats;
mod worker;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, Thread};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};
use ringbuf::traits::Producer;
use trunkline_driver::ring::{ChannelStats, EngineEnd, RingConfig};
use trunkline_driver::{Board, BoardError, ChannelInfo, ChannelKind, ChannelNo, SpanKind, SpanNo};
use trunkline_dsp::event::DetectorKind;
use trunkline_dsp::g711::Law;

pub use event::{Command, PipelineEvent};
pub use stats::{Histogram, LatencySummary, PipelineStats};

use event::{Bus, Garbage, Op, WorkerCmd};
use io::{BoardClock, IoUnit};
use stats::{BusCounters, IoCounters};
use worker::{BoardMedia, RecTap, Worker, WorkerShared};

use crate::media::detectors::{make_set, DetectorOptions};
use crate::media::{MediaChannel, MediaId, MediaSet};
use crate::model::CallId;
use crate::record::{
    RecorderConfig, RecorderError, RecorderEvent, RecorderSender, RecorderStats, RecorderThread, WavFormat,
};
use crate::store::Recording;

/// The detectors every channel runs all the time (the DSP issue's always-on set): DTMF (IVR),
/// call progress with SIT, and fax/modem tones; the level meter runs on every channel anyway.
pub const ALWAYS_ON: [DetectorKind; 4] =
    [DetectorKind::Dtmf, DetectorKind::Cpt, DetectorKind::Sit, DetectorKind::Fax];

/// Added on an outbound call from answer until it is classified: voicemail beep and answering
/// machine detection.
pub const ON_ANSWER: [DetectorKind; 2] = [DetectorKind::Beep, DetectorKind::Amd];

/// Ticks a thread runs before it calls [`PipelineConfig::rt_hook`] with `true`.
pub const WARMUP_TICKS: u64 = 8;

/// How the pipeline is built and run.
#[derive(Clone, Debug)]
pub struct PipelineConfig {
    /// DSP worker threads (channels are sharded over them by span).
    pub workers: usize,
    /// Detectors every media channel starts with.
    pub detectors: Vec<DetectorKind>,
    /// Options for building them (call-progress country).
    pub detector_options: DetectorOptions,
    /// Capacity of each channel's rx and tx rings, in milliseconds of audio (at least the
    /// prefill plus two ticks).
    pub ring_ms: usize,
    /// Ticks of silence queued on every tx ring at open: how late a worker may be before the
    /// board transmits idle (and counts an underrun).
    pub tx_prefill_ticks: usize,
    /// Capacity of the event bus.
    pub event_bus: usize,
    /// Capacity of each worker's command queue.
    pub command_queue: usize,
    /// Play items each channel can queue without allocating.
    pub play_queue: usize,
    /// Start a recording writer thread with these settings (set `block_samples` to the tick).
    pub recorder: Option<RecorderConfig>,
    /// The boards run on a virtual clock: in threads, each I/O thread waits for the workers to
    /// finish its previous tick (deterministic, as fast as the CPUs allow). Leave false for
    /// boards paced by the wall clock, which never wait.
    pub virtual_clock: bool,
    /// Called by every real-time thread with `true` once it has run [`WARMUP_TICKS`] ticks and
    /// with `false` when it stops (tests count allocations in between).
    pub rt_hook: Option<fn(bool)>,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            detectors: ALWAYS_ON.to_vec(),
            detector_options: DetectorOptions::default(),
            ring_ms: 500,
            tx_prefill_ticks: 2,
            event_bus: 65_536,
            command_queue: 1024,
            play_queue: 16,
            recorder: None,
            virtual_clock: false,
            rt_hook: None,
        }
    }
}

/// Why the pipeline could not be built or run.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A board operation failed.
    #[error("board: {0}")]
    Board(#[from] BoardError),
    /// No board of the pipeline has this channel, or it cannot carry media.
    #[error("channel {0}: {1}")]
    Channel(ChannelNo, String),
    /// The configuration is inconsistent.
    #[error("pipeline configuration: {0}")]
    Config(String),
    /// The recording writer refused a command.
    #[error("recorder: {0}")]
    Recorder(#[from] RecorderError),
    /// A thread could not be started.
    #[error("starting a pipeline thread: {0}")]
    Spawn(std::io::Error),
    /// A pipeline thread panicked.
    #[error("pipeline thread {0} panicked")]
    Panicked(String),
}

/// Why a command was not queued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The pipeline has no media channel with that number.
    #[error("channel {0} is not a media channel of this pipeline")]
    NoChannel(ChannelNo),
    /// A bridge between channels of different workers or boards.
    #[error("channels {0} and {1} are on different DSP workers or boards and cannot be bridged")]
    NotTogether(ChannelNo, ChannelNo),
    /// The worker's queue is full (counted in [`PipelineStats::commands_dropped`]).
    #[error("the DSP worker's command queue is full")]
    QueueFull,
    /// The worker has stopped.
    #[error("the DSP worker has stopped")]
    Stopped,
}

#[derive(Clone, Copy, Debug)]
struct Route {
    worker: usize,
    board: usize,
    id: MediaId,
}

/// A command addressed to the worker, board and media id of its channel.
fn resolve(routes: &HashMap<ChannelNo, Route>, cmd: Command) -> Result<(usize, WorkerCmd), CommandError> {
    let route = |c: ChannelNo| routes.get(&c).copied().ok_or(CommandError::NoChannel(c));
    let (r, op) = match cmd {
        Command::Play { chan, item } => (route(chan)?, Op::Play(item)),
        Command::StopPlay { chan } => (route(chan)?, Op::StopPlay),
        Command::Detect { chan, detectors } => (route(chan)?, Op::Detect(detectors)),
        Command::Record { chan, call } => (route(chan)?, Op::Record(call)),
        Command::StopRecord { chan } => (route(chan)?, Op::StopRecord),
        Command::Unbridge { chan } => (route(chan)?, Op::Unbridge),
        Command::Bridge { a, b } => {
            let (ra, rb) = (route(a)?, route(b)?);
            if ra.worker != rb.worker || ra.board != rb.board {
                return Err(CommandError::NotTogether(a, b));
            }
            (ra, Op::Bridge(rb.id))
        }
    };
    Ok((r.worker, WorkerCmd { board: r.board, id: r.id, op }))
}

/// The engine core's side of a built pipeline (either mode): commands, events, recordings and
/// statistics.
pub struct Control {
    routes: HashMap<ChannelNo, Route>,
    order: Vec<ChannelNo>,
    cmd_tx: Vec<Sender<WorkerCmd>>,
    trash_rx: Receiver<Garbage>,
    recorder: Option<RecorderSender>,
    chan_stats: Vec<Arc<ChannelStats>>,
    clocks: Vec<Arc<BoardClock>>,
    io: Vec<Arc<IoCounters>>,
    workers: Vec<Arc<WorkerShared>>,
    bus: Arc<BusCounters>,
    events: Receiver<PipelineEvent>,
    commands_dropped: AtomicU64,
    bad_commands: AtomicU64,
}

impl Control {
    /// Queues a command for the channel's worker (applied before its next tick). Never blocks.
    pub fn command(&self, cmd: Command) -> Result<(), CommandError> {
        self.empty_trash();
        let (w, c) = resolve(&self.routes, cmd).inspect_err(|e| {
            if matches!(e, CommandError::NoChannel(_)) {
                self.bad_commands.fetch_add(1, Ordering::Relaxed);
            }
        })?;
        match self.cmd_tx[w].try_send(c) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.commands_dropped.fetch_add(1, Ordering::Relaxed);
                Err(CommandError::QueueFull)
            }
            Err(TrySendError::Disconnected(_)) => Err(CommandError::Stopped),
        }
    }

    /// Opens a recording file for `chan` under `call` and starts sending the channel's audio to
    /// it (rx left / tx right in stereo, mixed in mono).
    pub fn record(
        &self,
        chan: ChannelNo,
        call: CallId,
        path: PathBuf,
        format: WavFormat,
        channels: u16,
    ) -> Result<(), PipelineError> {
        let rec = self.recorder.as_ref().ok_or_else(|| {
            PipelineError::Config("recording needs PipelineConfig::recorder to be set".into())
        })?;
        if !self.routes.contains_key(&chan) {
            return Err(PipelineError::Channel(chan, "not a media channel of this pipeline".into()));
        }
        rec.open(call, path, format, channels)?;
        self.command(Command::Record { chan, call }).map_err(|e| PipelineError::Channel(chan, e.to_string()))
    }

    /// The event bus (bounded: drain it, or events are dropped and counted).
    pub fn events(&self) -> &Receiver<PipelineEvent> {
        &self.events
    }

    /// The media channels, in the order they were opened.
    pub fn channels(&self) -> &[ChannelNo] {
        &self.order
    }

    /// The DSP worker a channel is on.
    pub fn worker_of(&self, chan: ChannelNo) -> Option<usize> {
        self.routes.get(&chan).map(|r| r.worker)
    }

    /// Frees what the workers handed back (replaced detectors).
    fn empty_trash(&self) {
        while self.trash_rx.try_recv().is_ok() {}
    }

    /// Every counter, now.
    pub fn stats(&self) -> PipelineStats {
        self.empty_trash();
        let mut s = PipelineStats { channels: self.chan_stats.len(), ..PipelineStats::default() };
        s.board_ticks = self.clocks.iter().map(|c| c.ticks.load(Ordering::Relaxed)).collect();
        s.tick_errors = self.io.iter().map(|c| c.tick_errors.load(Ordering::Relaxed)).sum();
        for cs in &self.chan_stats {
            let c = cs.snapshot();
            s.rx_overruns += c.rx_overruns;
            s.tx_underruns += c.tx_underruns;
            s.rx_octets += c.rx_octets;
        }
        s.events_sent = self.bus.sent.load(Ordering::Relaxed);
        s.events_dropped = self.bus.dropped.load(Ordering::Relaxed);
        s.commands_dropped = self.commands_dropped.load(Ordering::Relaxed);
        s.bad_commands = self.bad_commands.load(Ordering::Relaxed);
        for w in &self.workers {
            let c = &w.counters;
            s.worker_ticks.push(c.ticks.load(Ordering::Relaxed));
            s.worker_busy_s.push(c.busy_ns.load(Ordering::Relaxed) as f64 / 1e9);
            s.bad_commands += c.bad_commands.load(Ordering::Relaxed);
            s.rec_dropped += c.rec_dropped.load(Ordering::Relaxed);
            s.rt_frees += c.rt_frees.load(Ordering::Relaxed);
        }
        s.latency = Histogram::merged(self.workers.iter().map(|w| &w.counters.latency));
        s.processing = Histogram::merged(self.workers.iter().map(|w| &w.counters.processing));
        s
    }
}

/// What a stopped pipeline leaves: final counters, the recordings it wrote, and the boards.
pub struct PipelineReport {
    /// Counters at the end.
    pub stats: PipelineStats,
    /// The writer's counters, if there was one.
    pub recorder: Option<RecorderStats>,
    /// Every recording finished (the writer finishes open ones on shutdown).
    pub recordings: Vec<Recording>,
    /// Recordings that failed, with why.
    pub recording_errors: Vec<String>,
    /// The boards, stopped, for inspection.
    pub boards: Vec<Box<dyn Board>>,
}

/// Sets up a pipeline: boards, media channels, initial play queues and recordings.
pub struct Builder {
    cfg: PipelineConfig,
    boards: Vec<Box<dyn Board>>,
    board_chans: Vec<Vec<ChannelInfo>>,
    span_law: HashMap<(usize, SpanNo), Law>,
    span_worker: HashMap<(usize, SpanNo), usize>,
    worker_load: Vec<usize>,
    /// `[worker][board]`.
    sets: Vec<Vec<BoardMedia>>,
    routes: HashMap<ChannelNo, Route>,
    order: Vec<ChannelNo>,
    chan_stats: Vec<Arc<ChannelStats>>,
    cmd: Vec<(Sender<WorkerCmd>, Receiver<WorkerCmd>)>,
    bus_tx: Sender<PipelineEvent>,
    bus_rx: Receiver<PipelineEvent>,
    recorder: Option<(RecorderThread, RecorderSender)>,
}

impl Builder {
    /// A pipeline with no boards yet; starts the recording writer if configured.
    pub fn new(cfg: PipelineConfig) -> Result<Self, PipelineError> {
        if cfg.workers == 0 {
            return Err(PipelineError::Config("at least one DSP worker is needed".into()));
        }
        let recorder = match cfg.recorder {
            Some(rc) => Some(RecorderThread::spawn(rc).map_err(PipelineError::Spawn)?),
            None => None,
        };
        let (bus_tx, bus_rx) = bounded(cfg.event_bus.max(1));
        Ok(Self {
            boards: Vec::new(),
            board_chans: Vec::new(),
            span_law: HashMap::new(),
            span_worker: HashMap::new(),
            worker_load: vec![0; cfg.workers],
            sets: (0..cfg.workers).map(|_| Vec::new()).collect(),
            routes: HashMap::new(),
            order: Vec::new(),
            chan_stats: Vec::new(),
            cmd: (0..cfg.workers).map(|_| bounded(cfg.command_queue.max(1))).collect(),
            bus_tx,
            bus_rx,
            recorder,
            cfg,
        })
    }

    /// Adds a board and starts it; returns its index.
    pub fn add_board(&mut self, mut board: Box<dyn Board>) -> Result<usize, PipelineError> {
        let b = self.boards.len();
        let n = board.tick_frames();
        if n * (self.cfg.tx_prefill_ticks + 2) > self.ring_octets(n) {
            return Err(PipelineError::Config(format!(
                "rings of {} ms cannot hold the tx prefill of {} ticks of {n} samples plus two ticks",
                self.cfg.ring_ms, self.cfg.tx_prefill_ticks
            )));
        }
        for s in board.spans() {
            let law = if s.config.kind == SpanKind::T1 { Law::Ulaw } else { Law::Alaw };
            self.span_law.insert((b, s.no), law);
        }
        board.start()?;
        self.board_chans.push(board.channels());
        self.boards.push(board);
        for sets in &mut self.sets {
            sets.push(BoardMedia { set: MediaSet::new(n), chans: Vec::new(), rec: Vec::new(), done: 0 });
        }
        Ok(b)
    }

    fn ring_octets(&self, n: usize) -> usize {
        (self.cfg.ring_ms * 8).max(n * (self.cfg.tx_prefill_ticks + 2))
    }

    fn find(&self, chan: ChannelNo) -> Result<(usize, ChannelInfo), PipelineError> {
        for (b, chans) in self.board_chans.iter().enumerate() {
            if let Some(info) = chans.iter().find(|c| c.no == chan) {
                return Ok((b, info.clone()));
            }
        }
        Err(PipelineError::Channel(chan, "no board of the pipeline has it".into()))
    }

    /// Every channel that can carry media (bearer and CAS channels), on every board.
    pub fn media_channels(&self) -> Vec<ChannelNo> {
        self.board_chans
            .iter()
            .flatten()
            .filter(|c| matches!(c.kind, ChannelKind::Bearer | ChannelKind::Cas))
            .map(|c| c.no)
            .collect()
    }

    /// Opens a media channel on the worker that has its span (or the least loaded one).
    pub fn open(&mut self, chan: ChannelNo) -> Result<(), PipelineError> {
        let (b, info) = self.find(chan)?;
        let w = match self.span_worker.get(&(b, info.span)) {
            Some(&w) => w,
            None => {
                let w = (0..self.cfg.workers).min_by_key(|&w| self.worker_load[w]).unwrap_or(0);
                self.span_worker.insert((b, info.span), w);
                w
            }
        };
        self.open_on(chan, w)
    }

    /// Opens a media channel on worker `w`.
    pub fn open_on(&mut self, chan: ChannelNo, w: usize) -> Result<(), PipelineError> {
        if w >= self.cfg.workers {
            return Err(PipelineError::Config(format!("no DSP worker {w}")));
        }
        if self.routes.contains_key(&chan) {
            return Err(PipelineError::Channel(chan, "already open".into()));
        }
        let (b, info) = self.find(chan)?;
        if !matches!(info.kind, ChannelKind::Bearer | ChannelKind::Cas) {
            return Err(PipelineError::Channel(chan, format!("a {:?} channel carries no media", info.kind)));
        }
        let law = self.span_law.get(&(b, info.span)).copied().unwrap_or(Law::Alaw);
        let n = self.boards[b].tick_frames();
        let rings = RingConfig { audio: self.ring_octets(n), frames: 0, idle: law.silence() };
        let mut end = self.boards[b].open(chan, rings)?;
        let prefill = vec![law.silence(); n * self.cfg.tx_prefill_ticks];
        end.tx.push_slice(&prefill);
        self.chan_stats.push(end.stats.clone());
        let bm = &mut self.sets[w][b];
        let id = bm.set.add(chan, end, law);
        if id.0 != bm.chans.len() {
            return Err(PipelineError::Config("media ids out of step".into()));
        }
        bm.set.set_detectors(id, make_set(&self.cfg.detectors, &self.cfg.detector_options));
        if let Some(m) = bm.set.get_mut(id) {
            m.player.reserve(self.cfg.play_queue);
        }
        bm.chans.push(chan);
        bm.rec.push(None);
        self.worker_load[w] += 1;
        self.routes.insert(chan, Route { worker: w, board: b, id });
        self.order.push(chan);
        Ok(())
    }

    /// Opens a channel outside the media path (a D-channel for a signalling stack).
    pub fn open_raw(&mut self, chan: ChannelNo, rings: RingConfig) -> Result<EngineEnd, PipelineError> {
        let (b, _) = self.find(chan)?;
        Ok(self.boards[b].open(chan, rings)?)
    }

    /// A media channel before the start (to queue what it plays, change its detectors).
    pub fn media_mut(&mut self, chan: ChannelNo) -> Option<&mut MediaChannel> {
        let r = *self.routes.get(&chan)?;
        self.sets[r.worker][r.board].set.get_mut(r.id)
    }

    /// Queues a command, applied before the first tick.
    pub fn command(&mut self, cmd: Command) -> Result<(), CommandError> {
        let (w, c) = resolve(&self.routes, cmd)?;
        self.cmd[w].0.try_send(c).map_err(|_| CommandError::QueueFull)
    }

    /// Records `chan` from the first tick (see [`Control::record`]).
    pub fn record(
        &mut self,
        chan: ChannelNo,
        call: CallId,
        path: PathBuf,
        format: WavFormat,
        channels: u16,
    ) -> Result<(), PipelineError> {
        let Some((_, sender)) = self.recorder.as_ref() else {
            return Err(PipelineError::Config("recording needs PipelineConfig::recorder to be set".into()));
        };
        let r = *self
            .routes
            .get(&chan)
            .ok_or_else(|| PipelineError::Channel(chan, "not a media channel of this pipeline".into()))?;
        sender.open(call, path, format, channels)?;
        let bm = &mut self.sets[r.worker][r.board];
        bm.rec[r.id.0] = Some(RecTap::new(call));
        if let Some(m) = bm.set.get_mut(r.id) {
            m.recording = true;
        }
        Ok(())
    }

    fn into_parts(self) -> (Control, Vec<IoUnit>, Vec<Worker>, Option<RecorderThread>) {
        let epoch = Instant::now();
        let nb = self.boards.len();
        let bus_counters = Arc::new(BusCounters::default());
        let bus = Bus { tx: self.bus_tx, counters: bus_counters.clone() };
        let clocks: Vec<Arc<BoardClock>> = (0..nb).map(|_| Arc::new(BoardClock::default())).collect();
        let io_counters: Vec<Arc<IoCounters>> = (0..nb).map(|_| Arc::new(IoCounters::default())).collect();
        let ios = self
            .boards
            .into_iter()
            .enumerate()
            .map(|(i, board)| IoUnit {
                index: i,
                board,
                clock: clocks[i].clone(),
                counters: io_counters[i].clone(),
                bus: bus.clone(),
                epoch,
                tick: 0,
            })
            .collect();
        let (trash_tx, trash_rx) = bounded(1024);
        let (recorder, rec_sender) = match self.recorder {
            Some((t, s)) => (Some(t), Some(s)),
            None => (None, None),
        };
        let mut shared = Vec::new();
        let mut cmd_tx = Vec::new();
        let mut workers = Vec::new();
        for (sets, (tx, rx)) in self.sets.into_iter().zip(self.cmd) {
            let sh = Arc::new(WorkerShared::new(nb));
            shared.push(sh.clone());
            cmd_tx.push(tx);
            workers.push(Worker {
                boards: sets,
                clocks: clocks.clone(),
                shared: sh,
                cmds: rx,
                bus: bus.clone(),
                trash: trash_tx.clone(),
                rec: rec_sender.clone(),
                pending_close: Vec::with_capacity(64),
                epoch,
            });
        }
        let ctl = Control {
            routes: self.routes,
            order: self.order,
            cmd_tx,
            trash_rx,
            recorder: rec_sender,
            chan_stats: self.chan_stats,
            clocks,
            io: io_counters,
            workers: shared,
            bus: bus_counters,
            events: self.bus_rx,
            commands_dropped: AtomicU64::new(0),
            bad_commands: AtomicU64::new(0),
        };
        (ctl, ios, workers, recorder)
    }

    /// Runs the pipeline in lock step on the caller's thread (virtual clock).
    pub fn lock_step(self) -> LockStep {
        let (ctl, ios, workers, recorder) = self.into_parts();
        LockStep { ctl, ios, workers, recorder }
    }

    /// Starts the threads: one per board, one per worker. With `limit`, each board stops after
    /// that many ticks ([`Pipeline::join`] waits for that).
    pub fn spawn(self, limit: Option<u64>) -> Result<Pipeline, PipelineError> {
        let virtual_clock = self.cfg.virtual_clock;
        let hook = self.cfg.rt_hook;
        let (ctl, ios, workers, recorder) = self.into_parts();
        let serve: Vec<Vec<usize>> =
            (0..ios.len()).map(|b| (0..workers.len()).filter(|&w| workers[w].serves(b)).collect()).collect();
        let run = Arc::new(RunShared {
            go: AtomicBool::new(false),
            io_stop: AtomicBool::new(false),
            workers_stop: AtomicBool::new(false),
            peers: OnceLock::new(),
            virtual_clock,
            hook,
            limit,
            serve,
            workers: ctl.workers.clone(),
        });
        let mut p =
            Pipeline { ctl, run: run.clone(), io_threads: Vec::new(), worker_threads: Vec::new(), recorder };
        for (i, w) in workers.into_iter().enumerate() {
            let r = run.clone();
            let h = std::thread::Builder::new()
                .name(format!("dsp-{i}"))
                .spawn(move || worker_thread(w, r))
                .map_err(PipelineError::Spawn)?;
            p.worker_threads.push(h);
        }
        for u in ios {
            let r = run.clone();
            let h = std::thread::Builder::new()
                .name(format!("io-{}", u.index))
                .spawn(move || io_thread(u, r))
                .map_err(PipelineError::Spawn)?;
            p.io_threads.push(h);
        }
        let peers = Peers {
            io: p.io_threads.iter().map(|h| h.thread().clone()).collect(),
            workers: p.worker_threads.iter().map(|h| h.thread().clone()).collect(),
        };
        let _ = run.peers.set(peers);
        run.go.store(true, Ordering::Release);
        for h in
            p.io_threads.iter().map(JoinHandle::thread).chain(p.worker_threads.iter().map(JoinHandle::thread))
        {
            h.unpark();
        }
        Ok(p)
    }
}

/// Stops the writer and collects what it reported.
fn finish_recorder(rt: Option<RecorderThread>) -> (Option<RecorderStats>, Vec<Recording>, Vec<String>) {
    let Some(rt) = rt else { return (None, Vec::new(), Vec::new()) };
    let events = rt.events().clone();
    let stats = rt.shutdown();
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for ev in events.try_iter() {
        match ev {
            RecorderEvent::Closed(r) => ok.push(r),
            RecorderEvent::Failed { call, error } => bad.push(format!("call {call}: {error}")),
        }
    }
    (Some(stats), ok, bad)
}

/// The pipeline run in lock step on one thread: every board one tick, then every worker.
pub struct LockStep {
    ctl: Control,
    ios: Vec<IoUnit>,
    workers: Vec<Worker>,
    recorder: Option<RecorderThread>,
}

impl LockStep {
    /// Commands, events, statistics.
    pub fn control(&self) -> &Control {
        &self.ctl
    }

    /// One tick: every board, then every worker.
    pub fn step(&mut self) -> Result<(), BoardError> {
        for io in &mut self.ios {
            io.step()?;
        }
        for w in &mut self.workers {
            w.apply_commands();
            w.run_pending(&mut |_| {});
        }
        Ok(())
    }

    /// `ticks` ticks.
    pub fn run(&mut self, ticks: u64) -> Result<(), BoardError> {
        for _ in 0..ticks {
            self.step()?;
        }
        Ok(())
    }

    /// One tick of board `b` alone (its workers do not run: simulates a stalled DSP).
    pub fn step_board(&mut self, b: usize) -> Result<(), BoardError> {
        match self.ios.get_mut(b) {
            Some(io) => io.step(),
            None => Err(BoardError::new(trunkline_driver::ErrorKind::NoDevice, format!("no board {b}"))),
        }
    }

    /// Lets worker `w` catch up with every board.
    pub fn step_worker(&mut self, w: usize) {
        if let Some(w) = self.workers.get_mut(w) {
            w.apply_commands();
            w.run_pending(&mut |_| {});
        }
    }

    /// Ticks board `b` has done.
    pub fn ticks(&self, b: usize) -> u64 {
        self.ios.get(b).map_or(0, |io| io.tick)
    }

    /// Stops: finishes the recordings and returns the boards.
    pub fn finish(mut self) -> PipelineReport {
        for w in &mut self.workers {
            w.flush_recordings();
        }
        let stats = self.ctl.stats();
        drop(self.workers);
        let (recorder, recordings, recording_errors) = finish_recorder(self.recorder);
        let mut boards: Vec<Box<dyn Board>> = self.ios.into_iter().map(|io| io.board).collect();
        for b in &mut boards {
            let _ = b.stop();
        }
        PipelineReport { stats, recorder, recordings, recording_errors, boards }
    }
}

struct Peers {
    io: Vec<Thread>,
    workers: Vec<Thread>,
}

struct RunShared {
    go: AtomicBool,
    io_stop: AtomicBool,
    workers_stop: AtomicBool,
    peers: OnceLock<Peers>,
    virtual_clock: bool,
    hook: Option<fn(bool)>,
    limit: Option<u64>,
    /// Workers with channels on each board.
    serve: Vec<Vec<usize>>,
    workers: Vec<Arc<WorkerShared>>,
}

impl RunShared {
    fn wait_go(&self) -> &Peers {
        loop {
            if self.go.load(Ordering::Acquire) {
                if let Some(p) = self.peers.get() {
                    return p;
                }
            }
            std::thread::park();
        }
    }
}

fn io_thread(mut unit: IoUnit, run: Arc<RunShared>) -> IoUnit {
    let peers = run.wait_go();
    let b = unit.index;
    let serving = &run.serve[b];
    let tick = Duration::from_secs_f64(unit.board.tick_frames() as f64 / 8000.0);
    let mut hooked = false;
    'run: loop {
        if run.io_stop.load(Ordering::Acquire) || run.limit.is_some_and(|l| unit.tick >= l) {
            break;
        }
        if run.virtual_clock {
            // Tick k starts once every worker has finished tick k - 1: then each worker reads
            // exactly what the board delivered by its tick (as in lock step) and tick k's
            // transmit chunk (queued at tick k - prefill) is there.
            let need = unit.tick;
            while serving.iter().any(|&w| run.workers[w].done[b].load(Ordering::Acquire) < need) {
                if run.io_stop.load(Ordering::Acquire) {
                    break 'run;
                }
                std::thread::park_timeout(Duration::from_millis(10));
            }
        }
        if unit.step().is_err() {
            // Counted; a failing board is retried at the tick rate rather than spun on.
            std::thread::sleep(tick);
        }
        for &w in serving {
            peers.workers[w].unpark();
        }
        if !hooked && unit.tick >= WARMUP_TICKS {
            hooked = true;
            if let Some(h) = run.hook {
                h(true);
            }
        }
    }
    if hooked {
        if let Some(h) = run.hook {
            h(false);
        }
    }
    unit
}

fn worker_thread(mut w: Worker, run: Arc<RunShared>) -> Worker {
    let peers = run.wait_go();
    let mut hooked = false;
    loop {
        let stopping = run.workers_stop.load(Ordering::Acquire);
        w.apply_commands();
        let did = w.run_pending(&mut |b| {
            if run.virtual_clock {
                peers.io[b].unpark();
            }
        });
        if !hooked && w.shared.counters.ticks.load(Ordering::Relaxed) >= WARMUP_TICKS {
            hooked = true;
            if let Some(h) = run.hook {
                h(true);
            }
        }
        if did {
            continue;
        }
        if stopping {
            break;
        }
        std::thread::park_timeout(Duration::from_millis(20));
    }
    if hooked {
        if let Some(h) = run.hook {
            h(false);
        }
    }
    w.flush_recordings();
    w
}

/// The pipeline running on its threads.
pub struct Pipeline {
    ctl: Control,
    run: Arc<RunShared>,
    io_threads: Vec<JoinHandle<IoUnit>>,
    worker_threads: Vec<JoinHandle<Worker>>,
    recorder: Option<RecorderThread>,
}

impl Pipeline {
    /// Commands, events, statistics.
    pub fn control(&self) -> &Control {
        &self.ctl
    }

    /// True once every board has reached the tick limit given to [`Builder::spawn`].
    pub fn is_done(&self) -> bool {
        self.io_threads.iter().all(JoinHandle::is_finished)
    }

    /// Waits for every board to reach its tick limit, then stops (see [`Pipeline::shutdown`]).
    /// Without a limit this waits forever.
    pub fn join(mut self) -> Result<PipelineReport, PipelineError> {
        let boards = self.join_io()?;
        self.finish(boards)
    }

    /// Stops the boards after their current tick, lets the workers process every tick done,
    /// finishes the recordings and returns the report.
    pub fn shutdown(mut self) -> Result<PipelineReport, PipelineError> {
        self.run.io_stop.store(true, Ordering::Release);
        for h in &self.io_threads {
            h.thread().unpark();
        }
        let boards = self.join_io()?;
        self.finish(boards)
    }

    fn join_io(&mut self) -> Result<Vec<Box<dyn Board>>, PipelineError> {
        let mut boards = Vec::new();
        let mut panicked = None;
        for (i, h) in std::mem::take(&mut self.io_threads).into_iter().enumerate() {
            match h.join() {
                Ok(u) => boards.push(u.board),
                Err(_) => panicked = Some(format!("io-{i}")),
            }
        }
        match panicked {
            Some(name) => {
                self.stop_workers();
                Err(PipelineError::Panicked(name))
            }
            None => Ok(boards),
        }
    }

    fn stop_workers(&mut self) -> Option<String> {
        self.run.workers_stop.store(true, Ordering::Release);
        let mut panicked = None;
        for (i, h) in std::mem::take(&mut self.worker_threads).into_iter().enumerate() {
            h.thread().unpark();
            if h.join().is_err() {
                panicked = Some(format!("dsp-{i}"));
            }
        }
        panicked
    }

    fn finish(mut self, mut boards: Vec<Box<dyn Board>>) -> Result<PipelineReport, PipelineError> {
        if let Some(name) = self.stop_workers() {
            return Err(PipelineError::Panicked(name));
        }
        let stats = self.ctl.stats();
        let (recorder, recordings, recording_errors) = finish_recorder(self.recorder.take());
        for b in &mut boards {
            let _ = b.stop();
        }
        Ok(PipelineReport { stats, recorder, recordings, recording_errors, boards })
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.run.io_stop.store(true, Ordering::Release);
        for h in std::mem::take(&mut self.io_threads) {
            h.thread().unpark();
            let _ = h.join();
        }
        self.stop_workers();
    }
}
