//! One simulated span: its channels' rings, its framer and receiver, its faults and alarms.

use super::alarm::{AlarmIntegrator, AlarmTiming, Defects};
use super::fault::{Faults, Rng};
use super::{EventSink, SimConfig, SimSignalling, SimSpanSpec};
use crate::board::{BoardError, BoardEvent, ErrorKind, HdlcError, Maint};
use crate::channel::{ChannelInfo, ChannelKind};
use crate::ids::{ChanPos, ChannelNo, SpanNo};
use crate::ring::{channel_rings, BoardEnd, EngineEnd, RingConfig, MAX_FRAME};
use crate::span::{Alarms, SpanInfo, SpanKind, SpanStatus};
use crate::tdm::cas::{AbcdTable, CasRx, CasTx};
use crate::tdm::e1::{E1Rx, E1Tx, FRAME};
use crate::tdm::hdlc::{HdlcRx, HdlcRxEvent, HdlcTx};

/// Most frames one tick can deliver (a tick plus slack for alignment and slips).
const SLACK: usize = 4;

pub(crate) struct SimSpan {
    pub(crate) info: SpanInfo,
    pub(crate) signalling: SimSignalling,
    pub(crate) status: SpanStatus,
    pub(crate) maint: Maint,
    kinds: [ChannelKind; 32],
    /// Board ends of open channels, by timeslot.
    ends: Vec<Option<BoardEnd>>,
    /// Timeslots carrying bearer octets (all but TS0 and a signalling TS16).
    bearers: Vec<usize>,
    tx_scratch: Vec<u8>,
    rx_scratch: Vec<u8>,
    /// Frames delivered by the receiver this tick (frame-major), before deinterleaving.
    deliver: Vec<u8>,
    rx_cap: usize,
    rx_in: Vec<u8>,
    e1tx: E1Tx,
    e1rx: E1Rx,
    cas_tx: CasTx,
    cas_rx: CasRx,
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
    /// Frames received on the line so far (for locating injected errors).
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
        if spec.config.kind != SpanKind::E1 {
            return Err(BoardError::new(
                ErrorKind::Unsupported,
                format!("span {no}: the simulated board builds E1 spans (T1 framing is not wired in yet)"),
            ));
        }
        let mut kinds = [ChannelKind::Bearer; 32];
        kinds[0] = ChannelKind::Reserved;
        match spec.signalling {
            SimSignalling::Cas => {
                for k in kinds.iter_mut().skip(1) {
                    *k = ChannelKind::Cas;
                }
                kinds[16] = ChannelKind::Reserved;
            }
            SimSignalling::Pri => kinds[16] = ChannelKind::Dchan,
            SimSignalling::Clear => {}
        }
        let bearers: Vec<usize> =
            (1..32).filter(|&t| matches!(kinds[t], ChannelKind::Bearer | ChannelKind::Cas)).collect();
        let n = cfg.tick_frames;
        let rx_cap = n + SLACK;
        let crc4 = spec.config.crc4;
        let frames_per_ms = 8;
        let timing = AlarmTiming {
            raise_frames: cfg.alarm_raise_ms * frames_per_ms,
            clear_frames: cfg.alarm_clear_ms * frames_per_ms,
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
                totchans: 31,
                config: spec.config.clone(),
            },
            signalling: spec.signalling,
            status: SpanStatus { syncsrc: 0, ..SpanStatus::default() },
            maint: Maint::None,
            kinds,
            ends: (0..32).map(|_| None).collect(),
            bearers,
            tx_scratch: vec![0; 32 * n],
            rx_scratch: vec![0; 32 * rx_cap],
            deliver: vec![0; 32 * rx_cap],
            rx_cap,
            rx_in: Vec::with_capacity(n * FRAME + 64),
            e1tx: E1Tx::new(crc4),
            e1rx: E1Rx::new(crc4),
            cas_tx: CasTx::default(),
            cas_rx: CasRx::new(cfg.cas_debounce_ms),
            hdlc_tx: HdlcTx::new(),
            hdlc_rx: HdlcRx::new(),
            frame_buf: Box::new([0; MAX_FRAME]),
            alarms: AlarmIntegrator::new(timing),
            faults: Faults::default(),
            rng: Rng::new(cfg.seed ^ (no.0 as u64).wrapping_mul(0x9E37_79B9)),
            next_err: u64::MAX,
            slip_acc: 0,
            idle: crate::ring::RingConfig::default().idle,
            line_frames: 0,
            errored_smfs: 0,
            last_errored_smf: u64::MAX,
            injected_bits: 0,
        })
    }

    pub(crate) fn frame_octets(&self) -> usize {
        FRAME
    }

    pub(crate) fn channel_infos(&self) -> Vec<ChannelInfo> {
        (1..32)
            .map(|ts| ChannelInfo {
                no: ChannelNo(self.info.basechan + ts as u32 - 1),
                span: self.info.no,
                pos: ChanPos(ts as u16),
                timeslot: ts as u8,
                kind: self.kinds[ts],
                name: format!("{}/{}", self.info.name, ts),
            })
            .collect()
    }

    pub(crate) fn open(&mut self, pos: usize, rings: RingConfig) -> Result<EngineEnd, BoardError> {
        let ts = pos;
        let kind = self.kinds[ts];
        if kind == ChannelKind::Reserved {
            return Err(BoardError::new(
                ErrorKind::Unsupported,
                format!(
                    "{}/{ts} carries the span's signalling multiframe and cannot be opened",
                    self.info.name
                ),
            ));
        }
        if self.ends[ts].is_some() {
            return Err(BoardError::new(ErrorKind::Busy, format!("{}/{ts} is already open", self.info.name)));
        }
        let rings = if kind == ChannelKind::Dchan {
            RingConfig { frames: rings.frames.max(16 * 1024), idle: 0x7E, ..rings }
        } else {
            rings
        };
        let (b, e) = channel_rings(rings);
        if kind == ChannelKind::Cas {
            b.set_rx_cas(self.cas_rx.bits(ts));
        }
        self.ends[ts] = Some(b);
        Ok(e)
    }

    pub(crate) fn close(&mut self, ts: usize) {
        self.ends[ts] = None;
    }

    pub(crate) fn set_faults(&mut self, f: Faults) {
        self.faults = f;
        self.next_err = self.rng.gap(f.ber);
    }

    pub(crate) fn set_maint(&mut self, m: Maint) {
        self.maint = m;
    }

    /// Builds one tick of frames from the channels' tx rings into `line` (exactly `n` frames
    /// long): each timeslot's
    /// octets are gathered channel-major, TS16 is generated, then one transpose interleaves
    /// them into frames and the framer writes TS0 (with CRC-4) into each.
    pub(crate) fn transmit(&mut self, n: usize, frames: &mut [u8]) {
        let mut abcd: AbcdTable = [0x0F; 32];
        for &ts in &self.bearers {
            let dst = &mut self.tx_scratch[ts * n..ts * n + n];
            match self.ends[ts].as_mut() {
                Some(end) => {
                    end.pull_tx(dst);
                    abcd[ts] = end.tx_cas();
                }
                None => {
                    dst.fill(self.idle);
                    abcd[ts] = 0x0D; // an unopened CAS channel shows R2/CAS idle-blocked bits
                }
            }
        }
        let ts16 = &mut self.tx_scratch[16 * n..17 * n];
        match self.kinds[16] {
            ChannelKind::Dchan => {
                // Look for a queued frame at the start of the tick and whenever one finishes,
                // not on every idle octet.
                let mut poll = true;
                for o in ts16.iter_mut() {
                    if poll && self.hdlc_tx.is_idle() {
                        poll = false;
                        if let Some(end) = self.ends[16].as_mut() {
                            if let Some(len) = end.pop_tx_frame(&mut self.frame_buf) {
                                self.hdlc_tx.start_frame(&self.frame_buf[..len]);
                            }
                        }
                    }
                    let busy = !self.hdlc_tx.is_idle();
                    *o = self.hdlc_tx.next_octet();
                    poll |= busy && self.hdlc_tx.is_idle();
                }
            }
            ChannelKind::Reserved => {
                for o in ts16.iter_mut() {
                    *o = self.cas_tx.next_ts16(&abcd);
                }
            }
            _ => {}
        }
        self.e1tx.rai = self.faults.rai || self.status.alarms.contains(Alarms::RED) || self.e1rx.defects.lof;
        crate::tdm::transpose::transpose(&self.tx_scratch, FRAME, n, frames);
        for f in frames.chunks_exact_mut(FRAME) {
            self.e1tx.finish_frame(f.try_into().expect("one frame"));
        }
    }

    /// Receives one tick of line content (empty = no signal).
    pub(crate) fn receive(&mut self, input: &[u8], n: usize, events: &mut EventSink<'_>) {
        let faults = self.faults;
        let input: &[u8] = if faults.los || input.is_empty() {
            self.rx_in.clear();
            self.rx_in.resize(n * FRAME, 0);
            &self.rx_in
        } else if faults.ais {
            self.rx_in.clear();
            self.rx_in.resize(n * FRAME, 0xFF);
            &self.rx_in
        } else if faults.ber > 0.0 {
            self.rx_in.clear();
            self.rx_in.extend_from_slice(input);
            let bits = self.rx_in.len() as u64 * 8;
            let mut at = self.next_err;
            while at < bits {
                self.rx_in[(at / 8) as usize] ^= 0x80 >> (at % 8);
                self.injected_bits += 1;
                // The far end sends whole frames from its start, so the line position tells
                // which of its submultiframes the error landed in.
                let smf = (self.line_frames + at / (8 * FRAME as u64)) / 8;
                if smf != self.last_errored_smf {
                    self.errored_smfs += 1;
                    self.last_errored_smf = smf;
                }
                at = at.saturating_add(1).saturating_add(self.rng.gap(faults.ber));
            }
            self.next_err = at - bits;
            &self.rx_in
        } else {
            input
        };

        self.line_frames += (input.len() / FRAME) as u64;
        let dchan = self.kinds[16] == ChannelKind::Dchan;
        let cas = self.kinds[16] == ChannelKind::Reserved;
        let mut k = 0usize;
        let mut slips = 0u64;
        let slip_step = (faults.slip_ppm * 1000.0).round() as i64;
        const ONE_FRAME: i64 = 1_000_000_000;
        {
            let Self { e1rx, deliver, rx_cap, cas_rx, hdlc_rx, ends, slip_acc, info, .. } = self;
            let cap = *rx_cap;
            e1rx.push_line(input, &mut |frame| {
                // The receive elastic store: a clock offset makes it drop or repeat a frame.
                let mut copies = 1;
                if slip_step != 0 {
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
                }
                for _ in 0..copies {
                    if k < cap {
                        deliver[k * FRAME..(k + 1) * FRAME].copy_from_slice(frame);
                        k += 1;
                    }
                }
                if cas {
                    cas_rx.push_ts16(frame[16], &mut |c| {
                        let ts = c.timeslot as usize;
                        if let Some(end) = ends[ts].as_ref() {
                            end.set_rx_cas(c.abcd);
                        }
                        events.push(BoardEvent::CasChanged {
                            chan: ChannelNo(info.basechan + ts as u32 - 1),
                            abcd: c.abcd,
                        });
                    });
                } else if dchan {
                    let o = if faults.dchan_loss { 0xFF } else { frame[16] };
                    let chan = ChannelNo(info.basechan + 15);
                    hdlc_rx.push_octet(o, &mut |e| {
                        let err = match e {
                            HdlcRxEvent::Frame(f) => {
                                if let Some(end) = ends[16].as_mut() {
                                    end.push_rx_frame(f);
                                }
                                return;
                            }
                            HdlcRxEvent::BadFcs => HdlcError::BadFcs,
                            HdlcRxEvent::Abort => HdlcError::Abort,
                            HdlcRxEvent::Overrun => HdlcError::Overrun,
                        };
                        if ends[16].is_some() {
                            events.push(BoardEvent::Hdlc { chan, error: err });
                        }
                    });
                }
            });
        }
        if !self.e1rx.aligned() {
            self.cas_rx.lose_alignment();
        }
        // Deinterleave: frames (k × 32) to timeslot rows (32 × k).
        crate::tdm::transpose::transpose(&self.deliver[..k * FRAME], k, FRAME, &mut self.rx_scratch);
        for &ts in &self.bearers {
            if let Some(end) = self.ends[ts].as_mut() {
                end.push_rx(&self.rx_scratch[ts * k..ts * k + k]);
            }
        }
        // Errored submultiframes go back to the far end as E-bits.
        self.e1tx.report_errored_smfs(std::mem::take(&mut self.e1rx.new_errored_smfs));
        let c = &self.e1rx.counts;
        let counters = &mut self.status.counters;
        counters.fas = c.fas;
        counters.crc = c.crc;
        counters.ebit = c.ebit;
        counters.slips += slips;
        let d = self.e1rx.defects;
        let mut alarms = self
            .alarms
            .update(Defects { los: d.los, ais: d.ais, lof: d.lof, lmfa: d.lmfa, rai: d.rai }, n as u32);
        alarms.set(Alarms::LOOPBACK, self.maint != Maint::None);
        if alarms != self.status.alarms {
            self.status.alarms = alarms;
            events.push(BoardEvent::Alarm { span: self.info.no, alarms });
        }
    }
}
