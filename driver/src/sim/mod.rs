//! The simulated board: spans that carry real E1 frames (TS0 framing with CRC-4, TS16 CAS
//! multiframes or HDLC D-channels, 30 bearers), cross-connected back to back, looped, or left
//! open, with fault injection, alarm integration and error counters. The embedded default
//! backend; clocked by whoever calls [`Board::tick`] (as fast as the CPU allows, or paced).

pub mod alarm;
mod fault;
mod span;

pub use alarm::{AlarmIntegrator, AlarmTiming, Defects};
pub use fault::Faults;

use std::collections::VecDeque;

use crate::board::{Board, BoardError, BoardEvent, ErrorKind, Maint};
use crate::channel::ChannelInfo;
use crate::ids::{ChannelNo, SpanNo};
use crate::ring::{EngineEnd, RingConfig};
use crate::span::{SpanConfig, SpanInfo, SpanStatus};
use span::{Scratch, SimSpan};

/// What a simulated span's TS16 (E1) carries, i.e. which signalling runs on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SimSignalling {
    /// Channel-associated signalling (E1 TS16 multiframe; T1 robbed bits): MFC/R2, T1 CAS.
    Cas,
    /// ISDN PRI: a D-channel (E1 TS16, T1 channel 24) carrying HDLC frames.
    Pri,
    /// Clear channels only.
    Clear,
}

/// One span of a simulated board.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SimSpanSpec {
    /// Line configuration.
    pub config: SpanConfig,
    /// Signalling carried.
    pub signalling: SimSignalling,
}

/// Where a span's line goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkTo {
    /// Back to back with another span of the same board (both directions).
    Span(SpanNo),
    /// A loopback plug: the span receives what it sends.
    Loopback,
    /// Nothing connected (loss of signal).
    Open,
}

/// How the simulated board's clock advances.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Clock {
    /// Each [`Board::tick`] advances one tick at once (tests, simulations, benchmarks).
    #[default]
    Virtual,
    /// Each tick waits for its deadline on the wall clock, `speed` times real time
    /// (1.0 = the pace of a real board).
    Paced {
        /// Speed-up over real time.
        speed: f64,
    },
}

/// Configuration of a simulated board.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SimConfig {
    /// Board number (used in span names, `SIM/<board>/<span>`).
    pub board: u16,
    /// The spans, numbered from `first_span`.
    pub spans: Vec<SimSpanSpec>,
    /// Number of the first span.
    pub first_span: u16,
    /// First global channel number.
    pub first_chan: u32,
    /// Where each span's line goes (by index into `spans`); missing entries are `Open`.
    pub links: Vec<LinkTo>,
    /// Frames (samples) per tick: 8 to 160 (1 ms to 20 ms).
    pub tick_frames: usize,
    /// CAS debounce time in ms.
    pub cas_debounce_ms: u32,
    /// Alarm integration timing.
    pub alarm_raise_ms: u32,
    /// Alarm clearing time.
    pub alarm_clear_ms: u32,
    /// Seed for fault injection (bit errors).
    pub seed: u64,
    /// Virtual or paced clock.
    pub clock: Clock,
}

impl SimConfig {
    /// `n` E1 spans cross-connected in pairs (1↔2, 3↔4, ...); even pairs PRI, odd pairs CAS.
    pub fn e1_pairs(n: usize) -> Self {
        let spans = (0..n)
            .map(|i| {
                if (i / 2) % 2 == 0 {
                    SimSpanSpec { config: SpanConfig::e1_ccs(), signalling: SimSignalling::Pri }
                } else {
                    SimSpanSpec { config: SpanConfig::e1_cas(), signalling: SimSignalling::Cas }
                }
            })
            .collect();
        let links = (0..n)
            .map(|i| {
                let peer = i ^ 1;
                if peer < n {
                    LinkTo::Span(SpanNo(peer as u16 + 1))
                } else {
                    LinkTo::Loopback
                }
            })
            .collect();
        Self { spans, links, ..Self::default() }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            board: 0,
            spans: Vec::new(),
            first_span: 1,
            first_chan: 1,
            links: Vec::new(),
            tick_frames: 8,
            cas_debounce_ms: 0,
            alarm_raise_ms: 2500,
            alarm_clear_ms: 10_000,
            seed: 1,
            clock: Clock::Virtual,
        }
    }
}

/// A simulated E1/T1 board.
pub struct SimBoard {
    name: String,
    cfg: SimConfig,
    spans: Vec<SimSpan>,
    /// Line content each span transmitted this tick.
    lines: Vec<Vec<u8>>,
    /// Working buffers shared by the spans' ticks.
    scratch: Scratch,
    events: VecDeque<BoardEvent>,
    events_dropped: u64,
    started: bool,
    frames: u64,
    /// Spans ticked together (a span with the spans its line connects to).
    groups: Vec<Vec<usize>>,
    /// Wall-clock origin of a paced clock and the number of ticks paced since.
    paced_from: Option<(std::time::Instant, u64)>,
}

const EVENT_QUEUE: usize = 8192;

impl SimBoard {
    /// Builds a board from its configuration.
    pub fn new(cfg: SimConfig) -> Result<Self, BoardError> {
        if !(8..=160).contains(&cfg.tick_frames) {
            return Err(BoardError::new(
                ErrorKind::InvalidConfig,
                format!("tick of {} frames: must be 8..=160 (1 ms to 20 ms)", cfg.tick_frames),
            ));
        }
        let mut spans = Vec::with_capacity(cfg.spans.len());
        let mut chan = cfg.first_chan;
        for (i, spec) in cfg.spans.iter().enumerate() {
            spec.config.validate().map_err(|e| {
                BoardError::new(
                    ErrorKind::InvalidConfig,
                    format!("span {}: {e}", cfg.first_span as usize + i),
                )
            })?;
            let no = SpanNo(cfg.first_span + i as u16);
            let s = SimSpan::new(no, cfg.board, chan, spec, &cfg)?;
            chan += s.info.totchans;
            spans.push(s);
        }
        for (i, l) in cfg.links.iter().enumerate() {
            if let LinkTo::Span(p) = l {
                let idx = (p.0 as usize).wrapping_sub(cfg.first_span as usize);
                let ok = idx < spans.len()
                    && i < spans.len()
                    && spans[idx].info.config.kind == spans[i].info.config.kind;
                if !ok {
                    return Err(BoardError::new(
                        ErrorKind::InvalidConfig,
                        format!("span {}: cannot cross-connect to span {}", cfg.first_span as usize + i, p.0),
                    ));
                }
            }
        }
        let lines = spans.iter().map(|_| Vec::with_capacity(cfg.tick_frames * 32 + 64)).collect();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut grouped = vec![false; spans.len()];
        for i in 0..spans.len() {
            if grouped[i] {
                continue;
            }
            let mut g = vec![i];
            grouped[i] = true;
            if let Some(LinkTo::Span(p)) = cfg.links.get(i) {
                let j = (p.0 - cfg.first_span) as usize;
                if !grouped[j] {
                    grouped[j] = true;
                    g.push(j);
                }
            }
            groups.push(g);
        }
        let scratch = Scratch::new(cfg.tick_frames);
        Ok(Self {
            name: format!("sim{}", cfg.board),
            cfg,
            spans,
            lines,
            scratch,
            events: VecDeque::with_capacity(EVENT_QUEUE),
            events_dropped: 0,
            started: false,
            frames: 0,
            paced_from: None,
            groups,
        })
    }

    fn index(&self, span: SpanNo) -> Result<usize, BoardError> {
        let i = (span.0 as usize).wrapping_sub(self.cfg.first_span as usize);
        if i < self.spans.len() {
            Ok(i)
        } else {
            Err(BoardError::new(ErrorKind::NoDevice, format!("no span {span} on the simulated board")))
        }
    }

    fn chan_index(&self, chan: ChannelNo) -> Result<(usize, usize), BoardError> {
        for (i, s) in self.spans.iter().enumerate() {
            if chan.0 >= s.info.basechan && chan.0 < s.info.basechan + s.info.totchans {
                return Ok((i, (chan.0 - s.info.basechan) as usize + 1));
            }
        }
        Err(BoardError::new(ErrorKind::NoDevice, format!("no channel {chan} on the simulated board")))
    }

    /// Sets the faults injected on a span's receive line (and RAI on its transmit side).
    pub fn set_faults(&mut self, span: SpanNo, faults: Faults) -> Result<(), BoardError> {
        let i = self.index(span)?;
        self.spans[i].set_faults(faults);
        Ok(())
    }

    /// Injected bit errors on a span's receive line, and how many distinct far-end
    /// submultiframes they landed in (what a perfect CRC-4 checker would count).
    pub fn injected_errors(&self, span: SpanNo) -> Result<(u64, u64), BoardError> {
        let s = &self.spans[self.index(span)?];
        Ok((s.injected_bits, s.errored_smfs))
    }

    /// Frames elapsed since the board was created (the board's sample clock).
    pub fn frames_elapsed(&self) -> u64 {
        self.frames
    }

    /// Events dropped because nobody polled them.
    pub fn events_dropped(&self) -> u64 {
        self.events_dropped
    }

    /// Runs `ticks` ticks (virtual time).
    pub fn run_ticks(&mut self, ticks: usize) -> Result<(), BoardError> {
        for _ in 0..ticks {
            self.tick()?;
        }
        Ok(())
    }
}

impl Board for SimBoard {
    fn name(&self) -> &str {
        &self.name
    }

    fn spans(&self) -> Vec<SpanInfo> {
        self.spans.iter().map(|s| s.info.clone()).collect()
    }

    fn channels(&self) -> Vec<ChannelInfo> {
        self.spans.iter().flat_map(|s| s.channel_infos()).collect()
    }

    fn configure_span(&mut self, span: SpanNo, cfg: SpanConfig) -> Result<(), BoardError> {
        if self.started {
            return Err(BoardError::new(ErrorKind::Busy, "stop the board before reconfiguring a span"));
        }
        let i = self.index(span)?;
        cfg.validate().map_err(|e| BoardError::new(ErrorKind::InvalidConfig, format!("span {span}: {e}")))?;
        if cfg.kind != self.spans[i].info.config.kind {
            return Err(BoardError::new(
                ErrorKind::Unsupported,
                "a simulated span cannot change between E1 and T1",
            ));
        }
        let spec = SimSpanSpec { config: cfg, signalling: self.spans[i].signalling };
        let base = self.spans[i].info.basechan;
        self.spans[i] = SimSpan::new(span, self.cfg.board, base, &spec, &self.cfg)?;
        Ok(())
    }

    fn start(&mut self) -> Result<(), BoardError> {
        self.started = true;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), BoardError> {
        self.started = false;
        Ok(())
    }

    fn open(&mut self, chan: ChannelNo, rings: RingConfig) -> Result<EngineEnd, BoardError> {
        let (i, pos) = self.chan_index(chan)?;
        self.spans[i].open(pos, rings)
    }

    fn close(&mut self, chan: ChannelNo) -> Result<(), BoardError> {
        let (i, pos) = self.chan_index(chan)?;
        self.spans[i].close(pos);
        Ok(())
    }

    fn tick_frames(&self) -> usize {
        self.cfg.tick_frames
    }

    fn tick(&mut self) -> Result<(), BoardError> {
        let n = self.cfg.tick_frames;
        if let Clock::Paced { speed } = self.cfg.clock {
            self.pace(n, speed);
        }
        // Spans wired together are ticked together (transmit all of a group, then receive
        // all of it), so a line is still in cache when its receiver reads it.
        let mut sink = EventSink { q: &mut self.events, dropped: &mut self.events_dropped };
        for g in 0..self.groups.len() {
            let group = &self.groups[g];
            for &i in group {
                self.spans[i].transmit(n, &mut self.lines[i], &mut self.scratch);
            }
            // A span in remote loopback sends back what it receives instead.
            for &i in group {
                if self.spans[i].maint == Maint::RemoteLoop {
                    if let Some(LinkTo::Span(p)) = self.cfg.links.get(i).copied() {
                        let j = (p.0 - self.cfg.first_span) as usize;
                        let (a, b) = two_mut(&mut self.lines, i, j);
                        a.clear();
                        a.extend_from_slice(b);
                    }
                }
            }
            for &i in group {
                let src = if self.spans[i].maint == Maint::LocalLoop {
                    Some(i)
                } else {
                    match self.cfg.links.get(i).copied().unwrap_or(LinkTo::Open) {
                        LinkTo::Span(p) => Some((p.0 - self.cfg.first_span) as usize),
                        LinkTo::Loopback => Some(i),
                        LinkTo::Open => None,
                    }
                };
                let input: &[u8] = match src {
                    Some(j) => &self.lines[j],
                    None => &[],
                };
                self.spans[i].receive(input, n, &mut sink, &mut self.scratch);
            }
        }
        self.frames += n as u64;
        Ok(())
    }

    fn span_status(&self, span: SpanNo) -> Result<SpanStatus, BoardError> {
        Ok(self.spans[self.index(span)?].status)
    }

    fn poll_event(&mut self) -> Option<BoardEvent> {
        self.events.pop_front()
    }

    fn maint(&mut self, span: SpanNo, mode: Maint) -> Result<(), BoardError> {
        let i = self.index(span)?;
        self.spans[i].set_maint(mode);
        Ok(())
    }
}

impl SimBoard {
    /// Sleeps until this tick's deadline on the wall clock (a paced board behaves like a real
    /// one: ticks come every `tick_frames / 8` ms divided by `speed`). A caller that falls
    /// behind is not made to catch up in a burst beyond one second.
    fn pace(&mut self, n: usize, speed: f64) {
        let now = std::time::Instant::now();
        let (origin, done) = self.paced_from.get_or_insert((now, 0));
        let tick_s = n as f64 / 8000.0 / speed.max(1e-3);
        let due = *origin + std::time::Duration::from_secs_f64(*done as f64 * tick_s);
        if due > now {
            std::thread::sleep(due - now);
        } else if (now - due).as_secs_f64() > 1.0 {
            // Too far behind (the process was stopped): restart the schedule from now.
            *origin = now;
            *done = 0;
        }
        *done += 1;
    }
}

fn two_mut<T>(v: &mut [T], a: usize, b: usize) -> (&mut T, &T) {
    assert_ne!(a, b);
    if a < b {
        let (x, y) = v.split_at_mut(b);
        (&mut x[a], &y[0])
    } else {
        let (x, y) = v.split_at_mut(a);
        (&mut y[0], &x[b])
    }
}

/// Where spans put their events: a bounded queue that counts what it drops.
pub(crate) struct EventSink<'a> {
    q: &'a mut VecDeque<BoardEvent>,
    dropped: &'a mut u64,
}

impl EventSink<'_> {
    pub(crate) fn push(&mut self, e: BoardEvent) {
        if self.q.len() >= EVENT_QUEUE {
            *self.dropped += 1;
        } else {
            self.q.push_back(e);
        }
    }
}
