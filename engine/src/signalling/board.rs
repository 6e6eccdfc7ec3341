//! Running channel-associated signalling stacks on the simulated board: two spans of a
//! [`SimBoard`] cross-connected back to back (E1 with TS16 CAS multiframes, or T1 D4/ESF with
//! robbed bits), one stack on a channel of each, stepped tick by tick in virtual time. The bits
//! and the audio (MF / DTMF tones included) go through the board's real framers.

use ringbuf::traits::{Consumer, Observer, Producer};
use trunkline_driver::board::{Board, BoardError, BoardEvent};
use trunkline_driver::ids::{ChannelNo, SpanNo};
use trunkline_driver::ring::{EngineEnd, RingConfig};
use trunkline_driver::sim::{LinkTo, SimBoard, SimConfig, SimSignalling, SimSpanSpec};
use trunkline_driver::span::SpanConfig;

use super::cas::{CasLine, CasMachine};
use super::r2::R2Line;
use super::Ms;

/// A stack on one CAS channel: bits and audio in, bits and audio out, per block.
pub trait TdmLine {
    /// One received block: the ABCD nibble and the audio octets.
    fn receive(&mut self, now: Ms, nibble: u8, audio: &[u8]);
    /// Runs due timers.
    fn handle_timeout(&mut self, now: Ms);
    /// The audio of the next block into `out`; returns the nibble to send.
    fn transmit(&mut self, out: &mut [u8]) -> u8;
}

impl TdmLine for R2Line {
    fn receive(&mut self, now: Ms, nibble: u8, audio: &[u8]) {
        R2Line::receive(self, now, nibble, audio)
    }
    fn handle_timeout(&mut self, now: Ms) {
        R2Line::handle_timeout(self, now)
    }
    fn transmit(&mut self, out: &mut [u8]) -> u8 {
        R2Line::transmit(self, out)
    }
}

impl<M: CasMachine> TdmLine for CasLine<M> {
    fn receive(&mut self, now: Ms, nibble: u8, audio: &[u8]) {
        CasLine::receive(self, now, nibble, audio)
    }
    fn handle_timeout(&mut self, now: Ms) {
        CasLine::handle_timeout(self, now)
    }
    fn transmit(&mut self, out: &mut [u8]) -> u8 {
        CasLine::transmit(self, out)
    }
}

/// Which trunk the two spans are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trunk {
    /// E1, CAS framing (TS16 multiframe), A-law.
    E1Cas,
    /// T1 D4 superframe, robbed bits A/B, µ-law.
    T1D4,
    /// T1 ESF, robbed bits ABCD, µ-law.
    T1Esf,
}

/// Two stacks on channel 1 of two cross-connected simulated spans.
pub struct SpanPair<A: TdmLine, B: TdmLine> {
    /// The board.
    pub board: SimBoard,
    /// The stack on span 1.
    pub a: A,
    /// The stack on span 2.
    pub b: B,
    ends: [EngineEnd; 2],
    chans: [ChannelNo; 2],
    /// Whether each channel's received bits are real yet (the receiver reported them after
    /// frame alignment; before that the board holds its power-on value).
    valid: [bool; 2],
    /// Virtual time (start of the next tick).
    pub now: Ms,
    tick: Ms,
    n: usize,
    rx: Vec<u8>,
    tx: Vec<u8>,
}

impl<A: TdmLine, B: TdmLine> SpanPair<A, B> {
    /// Builds the board (`tick_ms` per tick, 1..=20) and opens channel 1 of each span.
    pub fn new(trunk: Trunk, a: A, b: B, tick_ms: u64) -> Result<Self, BoardError> {
        let config = match trunk {
            Trunk::E1Cas => SpanConfig::e1_cas(),
            Trunk::T1D4 => SpanConfig::t1_d4(),
            Trunk::T1Esf => SpanConfig::t1_esf(),
        };
        let spec = SimSpanSpec { config, signalling: SimSignalling::Cas };
        let tick_ms = tick_ms.clamp(1, 20);
        let cfg = SimConfig {
            spans: vec![spec.clone(), spec],
            links: vec![LinkTo::Span(SpanNo(2)), LinkTo::Span(SpanNo(1))],
            tick_frames: tick_ms as usize * 8,
            ..SimConfig::default()
        };
        let mut board = SimBoard::new(cfg)?;
        board.start()?;
        let per_span = match trunk {
            Trunk::E1Cas => 31,
            Trunk::T1D4 | Trunk::T1Esf => 24,
        };
        let idle = match trunk {
            Trunk::E1Cas => 0xD5,
            _ => 0xFF,
        };
        let rings = RingConfig { audio: 4000, frames: 0, idle };
        let e1 = board.open(ChannelNo(1), rings)?;
        let e2 = board.open(ChannelNo(per_span + 1), rings)?;
        let n = tick_ms as usize * 8;
        Ok(SpanPair {
            board,
            a,
            b,
            ends: [e1, e2],
            chans: [ChannelNo(1), ChannelNo(per_span + 1)],
            valid: [false; 2],
            now: Ms::ZERO,
            tick: Ms(tick_ms),
            n,
            rx: vec![0; n],
            tx: vec![0; n],
        })
    }

    fn side(&mut self, i: usize) {
        let now = self.now;
        let end = &mut self.ends[i];
        let got = if end.rx.occupied_len() >= self.n { end.rx.pop_slice(&mut self.rx) } else { 0 };
        let line: &mut dyn TdmLine = if i == 0 { &mut self.a } else { &mut self.b };
        if self.valid[i] {
            line.receive(now, end.rx_cas(), if got == self.n { &self.rx } else { &[] });
        }
        line.handle_timeout(now);
        let nib = line.transmit(&mut self.tx);
        end.set_tx_cas(nib);
        end.tx.push_slice(&self.tx);
    }

    /// One tick: both stacks read what arrived, run their timers and queue their next block;
    /// then the board moves a tick of frames across the cross-connect.
    pub fn step(&mut self) -> Result<(), BoardError> {
        self.side(0);
        self.side(1);
        self.board.tick()?;
        while let Some(e) = self.board.poll_event() {
            if let BoardEvent::CasChanged { chan, .. } = e {
                for (v, c) in self.valid.iter_mut().zip(self.chans) {
                    *v |= chan == c;
                }
            }
        }
        self.now = self.now + self.tick;
        Ok(())
    }

    /// Steps until `pred` holds or `limit` is reached; returns whether it held.
    pub fn run_until(
        &mut self,
        limit: Ms,
        mut pred: impl FnMut(&mut Self) -> bool,
    ) -> Result<bool, BoardError> {
        while self.now < limit {
            if pred(self) {
                return Ok(true);
            }
            self.step()?;
        }
        Ok(pred(self))
    }
}
