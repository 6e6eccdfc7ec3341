//! One simulated span: its channels' rings, its framer and receiver (E1 or T1), its faults and
//! alarms.

use super::alarm::{AlarmIntegrator, AlarmTiming, Defects};
use super::fault::{Faults, Rng};
use super::{EventSink, SimConfig, SimSignalling, SimSpanSpec};
use crate::board::{BoardError, BoardEvent, ErrorKind, HdlcError, Maint};
use crate::channel::{ChannelInfo, ChannelKind};
use crate::ids::{ChanPos, ChannelNo, SpanNo};
use crate::ring::{channel_rings, BoardEnd, EngineEnd, RingConfig, MAX_FRAME};
use crate::span::{Alarms, Framing, SpanInfo, SpanKind, SpanStatus};
use crate::tdm::cas::{AbcdTable, CasChange, CasRx, CasTx};
use crate::tdm::e1::{E1Rx, E1Tx, FRAME};
use crate::tdm::hdlc::{HdlcRx, HdlcRxEvent, HdlcTx};
use crate::tdm::t1::{BitWriter, T1Framing, T1Rx, T1Tx, CHANNELS as T1_CHANNELS};
use crate::tdm::transpose::transpose;

/// Most frames one tick can deliver beyond the tick itself (alignment and slips).
const SLACK: usize = 4;

/// Working buffers of one span's tick, shared by all spans of a board (they are ticked one
/// after the other), so they stay in cache instead of one set per span.
pub(crate) struct Scratch {
    /// Channel-major octets to transmit (one row of `n` per timeslot).
    tx: Vec<u8>,
    /// Channel-major received octets (one row per timeslot).
    rx: Vec<u8>,
    /// Frames delivered by the receiver this tick (frame-major), before deinterleaving.
    deliver: Vec<u8>,
}

impl Scratch {
    /// Buffers for ticks of `tick_frames` frames.
    pub(crate) fn new(tick_frames: usize) -> Self {
        let cap = (tick_frames + SLACK) * FRAME;
        Self { tx: vec![0; cap], rx: vec![0; cap], deliver: vec![0; cap] }
    }
}

/// The framer and receiver of one line type.
enum Line {
    E1 { tx: E1Tx, rx: E1Rx, cas_tx: CasTx, cas_rx: CasRx },
    T1 { tx: T1Tx, rx: T1Rx, out: BitWriter },
}

pub(crate) struct SimSpan {
    pub(crate) info: SpanInfo,
    pub(crate) signalling: SimSignalling,
    pub(crate) status: SpanStatus,
    pub(crate) maint: Maint,
    /// Channel kinds by position (index 0 unused; E1 positions are timeslots).
    kinds: [ChannelKind; 32],
    /// Octets per frame in the channel-major matrices (E1 32 timeslots, T1 24 channels).
    width: usize,
    /// Position of the D-channel, if any.
    dchan: Option<usize>,
    /// Board ends of open channels, by position.
    ends: Vec<Option<BoardEnd>>,
    /// Positions carrying bearer octets.
    bearers: Vec<usize>,
    /// Most frames one tick delivers (the tick plus slack for alignment and slips).
    rx_cap: usize,
    rx_in: Vec<u8>,
    line: Line,
    hdlc_tx: HdlcTx,
    hdlc_rx: HdlcRx,
    frame_buf: Box<[u8; MAX_FRAME]>,
    alarms: AlarmIntegrator,
    faults: Faults,
    rng: Rng,
    next_err: u64,
    /// Elastic-store phase in units of 1e-9 frame (exact for any whole-ppb offset).
    slip_acc: i64,
    idle: u8,
    /// Frames received on the line so far (for locating injected errors, E1).
    line_frames: u64,
    /// Submultiframes (8-frame blocks of the far end's transmission) that got injected errors.
    pub(crate) errored_smfs: u64,
    last_errored_smf: u64,
    /// Bit errors injected so far.
    pub(crate) injected_bits: u64,
}

impl SimSpan {
    pub(crate) fn new(
        no: SpanNo,
        board: u16,
        basechan: u32,
        spec: &SimSpanSpec,
        cfg: &SimConfig,
    ) -> Result<Self, BoardError> {
        let kind = spec.config.kind;
        let (width, totchans) = match kind {
            SpanKind::E1 => (FRAME, 31usize),
            SpanKind::T1 => (T1_CHANNELS, 24usize),
        };
        let mut kinds = [ChannelKind::Reserved; 32];
        let fill = match spec.signalling {
            SimSignalling::Cas => ChannelKind::Cas,
            _ => ChannelKind::Bearer,
        };
        for k in kinds.iter_mut().take(totchans + 1).skip(1) {
            *k = fill;
        }
        let dchan = match (kind, spec.signalling) {
            (SpanKind::E1, SimSignalling::Pri) => Some(16),
            (SpanKind::T1, SimSignalling::Pri) => Some(24),
            _ => None,
        };
        if let Some(d) = dchan {
            kinds[d] = ChannelKind::Dchan;
        }
        if kind == SpanKind::E1 && spec.signalling == SimSignalling::Cas {
            kinds[16] = ChannelKind::Reserved; // TS16 carries the CAS multiframe
        }
        let bearers: Vec<usize> =
            (1..=totchans).filter(|&p| matches!(kinds[p], ChannelKind::Bearer | ChannelKind::Cas)).collect();
        let n = cfg.tick_frames;
        let rx_cap = n + SLACK;
        let line = match kind {
            SpanKind::E1 => Line::E1 {
                tx: E1Tx::new(spec.config.crc4),
                rx: E1Rx::new(spec.config.crc4),
                cas_tx: CasTx::default(),
                cas_rx: CasRx::new(cfg.cas_debounce_ms),
            },
            SpanKind::T1 => {
                let framing = if spec.config.framing == Framing::D4 { T1Framing::D4 } else { T1Framing::Esf };
                let robbed = spec.signalling == SimSignalling::Cas;
                let mut tx = T1Tx::new(framing);
                tx.robbed_bits = robbed;
                Line::T1 { tx, rx: T1Rx::new(framing, robbed, cfg.cas_debounce_ms), out: BitWriter::new() }
            }
        };
        let timing =
            AlarmTiming { raise_frames: cfg.alarm_raise_ms * 8, clear_frames: cfg.alarm_clear_ms * 8 };
        let idle = match kind {
            SpanKind::E1 => 0xD5, // A-law silence
            SpanKind::T1 => 0xFF, // µ-law silence
        };
        Ok(Self {
            info: SpanInfo {
                no,
                name: format!("SIM/{board}/{}", no.0),
                description: format!("Trunkline simulated E1/T1 board {board} span {}", no.0),
                manufacturer: "Trunkline".into(),
                devicetype: "Simulated E1/T1 board".into(),
                location: format!("virtual board {board}"),
                basechan,
                totchans: totchans as u32,
                config: spec.config.clone(),
            },
            signalling: spec.signalling,
            status: SpanStatus::default(),
            maint: Maint::None,
            kinds,
            width,
            dchan,
            ends: (0..32).map(|_| None).collect(),
            bearers,
            rx_cap,
            rx_in: Vec::with_capacity(n * FRAME + 64),
            line,
            hdlc_tx: HdlcTx::new(),
            hdlc_rx: HdlcRx::new(),
            frame_buf: Box::new([0; MAX_FRAME]),
            alarms: AlarmIntegrator::new(timing),
            faults: Faults::default(),
            rng: Rng::new(cfg.seed ^ (no.0 as u64).wrapping_mul(0x9E37_79B9)),
            next_err: u64::MAX,
            slip_acc: 0,
            idle,
            line_frames: 0,
            errored_smfs: 0,
            last_errored_smf: u64::MAX,
            injected_bits: 0,
        })
    }

    /// Octets of line content per tick of `n` frames (T1 frames are 193 bits; a tick's bits are
    /// sent as whole octets, the remainder carried to the next tick).
    fn line_octets(&self, n: usize) -> usize {
        match self.line {
            Line::E1 { .. } => n * FRAME,
            Line::T1 { .. } => n * 193 / 8,
        }
    }

    /// Row of position `p` in the channel-major matrices.
    fn row(&self, p: usize) -> usize {
        match self.line {
            Line::E1 { .. } => p,
            Line::T1 { .. } => p - 1,
        }
    }

    pub(crate) fn channel_infos(&self) -> Vec<ChannelInfo> {
        (1..=self.info.totchans as usize)
            .map(|p| ChannelInfo {
                no: ChannelNo(self.info.basechan + p as u32 - 1),
                span: self.info.no,
                pos: ChanPos(p as u16),
                timeslot: p as u8,
                kind: self.kinds[p],
                name: format!("{}/{}", self.info.name, p),
            })
            .collect()
    }

    fn rx_bits(&self, p: usize) -> u8 {
        match &self.line {
            Line::E1 { cas_rx, .. } => cas_rx.bits(p),
            Line::T1 { rx, .. } => rx.bits(p),
        }
    }

    pub(crate) fn open(&mut self, pos: usize, rings: RingConfig) -> Result<EngineEnd, BoardError> {
        let kind = self.kinds[pos];
        if kind == ChannelKind::Reserved {
            return Err(BoardError::new(
                ErrorKind::Unsupported,
                format!(
                    "{}/{pos} carries the span's signalling multiframe and cannot be opened",
                    self.info.name
                ),
            ));
        }
        if self.ends[pos].is_some() {
            return Err(BoardError::new(
                ErrorKind::Busy,
                format!("{}/{pos} is already open", self.info.name),
            ));
        }
        let rings = if kind == ChannelKind::Dchan {
            RingConfig { frames: rings.frames.max(16 * 1024), idle: 0x7E, ..rings }
        } else {
            RingConfig { idle: self.idle, ..rings }
        };
        let (b, e) = channel_rings(rings);
        if kind == ChannelKind::Cas {
            b.set_rx_cas(self.rx_bits(pos));
        }
        self.ends[pos] = Some(b);
        Ok(e)
    }

    pub(crate) fn close(&mut self, pos: usize) {
        self.ends[pos] = None;
    }

    pub(crate) fn set_faults(&mut self, f: Faults) {
        self.faults = f;
        self.next_err = self.rng.gap(f.ber);
    }

    pub(crate) fn set_maint(&mut self, m: Maint) {
        self.maint = m;
    }

    /// Fills the D-channel's row with HDLC octets, looking for a queued frame at the start of
    /// the tick and whenever one finishes (not on every idle octet); idle flags are filled in
    /// bulk.
    fn hdlc_row(&mut self, d: usize, row: &mut [u8]) {
        let mut poll = true;
        let mut i = 0;
        while i < row.len() {
            if poll && self.hdlc_tx.is_idle() {
                poll = false;
                if let Some(end) = self.ends[d].as_mut() {
                    if let Some(len) = end.pop_tx_frame(&mut self.frame_buf) {
                        self.hdlc_tx.start_frame(&self.frame_buf[..len]);
                    }
                }
            }
            if self.hdlc_tx.is_idle() {
                // Nothing more to send before the next tick.
                i += self.hdlc_tx.fill_idle(&mut row[i..]);
                continue;
            }
            row[i] = self.hdlc_tx.next_octet();
            i += 1;
            poll = self.hdlc_tx.is_idle();
        }
    }

    /// Builds one tick of line content from the channels' tx rings into `line`: each channel's
    /// octets are gathered channel-major (one ring read per channel), signalling is generated,
    /// then one transpose interleaves them into frames and the framer adds its framing (and
    /// CRC) to them.
    pub(crate) fn transmit(&mut self, n: usize, line: &mut Vec<u8>, sc: &mut Scratch) {
        let mut abcd: AbcdTable = [0x0F; 32];
        // Only CAS lines carry the ABCD bits (E1 TS16 multiframe, T1 robbed bits).
        let cas = self.signalling == SimSignalling::Cas;
        let rows = &mut sc.tx[..self.width * n];
        for i in 0..self.bearers.len() {
            // The channels' ring bookkeeping is scattered in memory: ask for it two channels
            // ahead so its cache misses overlap instead of stalling each ring access.
            if let Some(e) = self.bearers.get(i + 2).and_then(|&q| self.ends[q].as_ref()) {
                e.prefetch_meta();
            }
            let p = self.bearers[i];
            let r = self.row(p);
            let dst = &mut rows[r * n..r * n + n];
            match self.ends[p].as_mut() {
                Some(end) => {
                    end.pull_tx(dst);
                    if cas {
                        abcd[p] = end.tx_cas();
                    }
                }
                None => {
                    dst.fill(self.idle);
                    abcd[p] = 0x0D; // an unopened CAS channel shows R2/CAS idle-blocked bits
                }
            }
        }
        if let Some(d) = self.dchan {
            let r = self.row(d);
            self.hdlc_row(d, &mut rows[r * n..r * n + n]);
        }
        let lof = self.defects().lof;
        let rai = self.faults.rai || self.status.alarms.contains(Alarms::RED) || lof;
        match &mut self.line {
            Line::E1 { tx, cas_tx, .. } => {
                if self.kinds[16] == ChannelKind::Reserved {
                    cas_tx.fill_ts16(&abcd, &mut rows[16 * n..17 * n]);
                }
                tx.rai = rai;
                if line.len() != n * FRAME {
                    line.resize(n * FRAME, 0);
                }
                // Row 0 (TS0) carries whatever the scratch held: the framer overwrites it.
                transpose(rows, FRAME, n, line);
                tx.finish_frames(line);
            }
            Line::T1 { tx, out, .. } => {
                tx.rai = rai;
                let mut t1abcd = [0u8; T1_CHANNELS];
                t1abcd.copy_from_slice(&abcd[1..=T1_CHANNELS]);
                let frames = &mut sc.deliver[..T1_CHANNELS * n];
                transpose(rows, T1_CHANNELS, n, frames);
                for f in frames.chunks_exact(T1_CHANNELS) {
                    tx.build_frame(f.try_into().expect("one frame"), &t1abcd, out);
                }
                line.clear();
                out.take_bytes(line);
            }
        }
    }

    fn defects(&self) -> Defects {
        match &self.line {
            Line::E1 { rx, .. } => {
                let d = rx.defects;
                Defects { los: d.los, ais: d.ais, lof: d.lof, lmfa: d.lmfa, rai: d.rai }
            }
            Line::T1 { rx, .. } => {
                let d = rx.defects;
                Defects { los: d.los, ais: d.ais, lof: d.lof, lmfa: false, rai: d.rai }
            }
        }
    }

    /// Applies LOS, AIS and bit errors to the incoming line. Returns true when the faulted
    /// content was written to `rx_in` (and is what must be received instead of `input`).
    fn apply_faults(&mut self, input: &[u8], n: usize) -> bool {
        let faults = self.faults;
        let octets = self.line_octets(n);
        if faults.los || input.is_empty() {
            self.rx_in.clear();
            self.rx_in.resize(octets, 0);
            return true;
        }
        if faults.ais {
            self.rx_in.clear();
            self.rx_in.resize(octets, 0xFF);
            return true;
        }
        if faults.ber <= 0.0 {
            return false;
        }
        self.rx_in.clear();
        self.rx_in.extend_from_slice(input);
        let bits = self.rx_in.len() as u64 * 8;
        let mut at = self.next_err;
        while at < bits {
            self.rx_in[(at / 8) as usize] ^= 0x80 >> (at % 8);
            self.injected_bits += 1;
            // The far end sends whole E1 frames from its start, so the line position tells
            // which of its submultiframes the error landed in.
            let smf = (self.line_frames + at / (8 * FRAME as u64)) / 8;
            if smf != self.last_errored_smf {
                self.errored_smfs += 1;
                self.last_errored_smf = smf;
            }
            at = at.saturating_add(1).saturating_add(self.rng.gap(faults.ber));
        }
        self.next_err = at - bits;
        true
    }

    /// Receives one tick of line content (empty = no signal).
    pub(crate) fn receive(&mut self, input: &[u8], n: usize, events: &mut EventSink<'_>, sc: &mut Scratch) {
        let faulted = self.apply_faults(input, n);
        // Take the fault buffer out so the receiver can borrow the rest of the span.
        let rx_in = std::mem::take(&mut self.rx_in);
        let input: &[u8] = if faulted { &rx_in } else { input };
        if let Line::E1 { .. } = self.line {
            self.line_frames += (input.len() / FRAME) as u64;
        }
        let faults = self.faults;
        let width = self.width;
        let mut k = 0usize;
        let mut slips = 0u64;
        let slip_step = (faults.slip_ppm * 1000.0).round() as i64;
        const ONE_FRAME: i64 = 1_000_000_000;
        // Offset of the D-channel's octet in a received frame.
        let dchan = self.dchan;
        let d_off = dchan.map(|d| self.row(d));
        let e1_cas = self.kinds[16] == ChannelKind::Reserved && self.info.config.kind == SpanKind::E1;
        let cap = self.rx_cap;
        let deliver = &mut sc.deliver[..width * cap];
        {
            let Self { line, hdlc_rx, ends, slip_acc, info, .. } = self;
            let basechan = info.basechan;
            // What every run of received frames goes through: the elastic store (slips),
            // delivery, and the D-channel's HDLC receiver.
            let mut on_run = |run: &[u8]| {
                if slip_step == 0 {
                    let m = (run.len() / width).min(cap - k);
                    deliver[k * width..(k + m) * width].copy_from_slice(&run[..m * width]);
                    k += m;
                } else {
                    for frame in run.chunks_exact(width) {
                        let mut copies = 1;
                        *slip_acc += slip_step;
                        if *slip_acc >= ONE_FRAME {
                            *slip_acc -= ONE_FRAME;
                            copies = 0;
                            slips += 1;
                        } else if *slip_acc <= -ONE_FRAME {
                            *slip_acc += ONE_FRAME;
                            copies = 2;
                            slips += 1;
                        }
                        for _ in 0..copies {
                            if k < cap {
                                deliver[k * width..(k + 1) * width].copy_from_slice(frame);
                                k += 1;
                            }
                        }
                    }
                }
                if let (Some(d), Some(off)) = (dchan, d_off) {
                    let chan = ChannelNo(basechan + d as u32 - 1);
                    for frame in run.chunks_exact(width) {
                        let o = if faults.dchan_loss { 0xFF } else { frame[off] };
                        hdlc_rx.push_octet(o, &mut |e| {
                            let err = match e {
                                HdlcRxEvent::Frame(f) => {
                                    if let Some(end) = ends[d].as_mut() {
                                        end.push_rx_frame(f);
                                    }
                                    return;
                                }
                                HdlcRxEvent::BadFcs => HdlcError::BadFcs,
                                HdlcRxEvent::Abort => HdlcError::Abort,
                                HdlcRxEvent::Overrun => HdlcError::Overrun,
                            };
                            if ends[d].is_some() {
                                events.push(BoardEvent::Hdlc { chan, error: err });
                            }
                        });
                    }
                }
            };
            let mut cas_changes: [Option<CasChange>; 32] = [None; 32];
            match line {
                Line::E1 { rx, cas_rx, .. } => {
                    rx.push_line_runs(input, &mut |run| {
                        on_run(run);
                        if e1_cas {
                            let changes = &mut cas_changes;
                            cas_rx.push_ts16_run(run, FRAME, 16, &mut |c| {
                                changes[c.timeslot as usize] = Some(c)
                            });
                        }
                    });
                    if !rx.aligned() {
                        cas_rx.lose_alignment();
                    }
                }
                Line::T1 { rx, .. } => {
                    rx.push_line(input, &mut |frame| on_run(frame), &mut |c| {
                        cas_changes[c.timeslot as usize] = Some(c)
                    });
                }
            }
            for c in cas_changes.iter().flatten() {
                let p = c.timeslot as usize;
                if let Some(end) = ends[p].as_ref() {
                    end.set_rx_cas(c.abcd);
                }
                events
                    .push(BoardEvent::CasChanged { chan: ChannelNo(basechan + p as u32 - 1), abcd: c.abcd });
            }
        }
        self.rx_in = rx_in;
        // Deinterleave: frames (k × width) to channel rows (width × k), one ring write per
        // channel.
        let rows = &mut sc.rx[..k * width];
        transpose(&deliver[..k * width], k, width, rows);
        for i in 0..self.bearers.len() {
            if let Some(e) = self.bearers.get(i + 2).and_then(|&q| self.ends[q].as_ref()) {
                e.prefetch_meta();
            }
            let p = self.bearers[i];
            let r = self.row(p);
            if let Some(end) = self.ends[p].as_mut() {
                end.push_rx(&rows[r * k..r * k + k]);
            }
        }
        let counters = &mut self.status.counters;
        match &mut self.line {
            Line::E1 { tx, rx, .. } => {
                // Errored submultiframes go back to the far end as E-bits.
                tx.report_errored_smfs(std::mem::take(&mut rx.new_errored_smfs));
                counters.fas = rx.counts.fas;
                counters.crc = rx.counts.crc;
                counters.ebit = rx.counts.ebit;
            }
            Line::T1 { rx, .. } => {
                counters.fas = rx.counts.fbit;
                counters.crc = rx.counts.crc;
            }
        }
        counters.slips += slips;
        let mut alarms = self.alarms.update(self.defects(), n as u32);
        alarms.set(Alarms::LOOPBACK, self.maint != Maint::None);
        if alarms != self.status.alarms {
            self.status.alarms = alarms;
            events.push(BoardEvent::Alarm { span: self.info.no, alarms });
        }
    }
}
