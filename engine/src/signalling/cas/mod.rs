//! T1 robbed-bit CAS: E&M (wink start, immediate start) and FXS/FXO loop start, as sans-IO
//! state machines over the A/B signalling bits of a T1 channel (D4: A and B; ESF: ABCD, of which
//! only A and B carry meaning here), with digits sent and collected as DTMF or MF R1.
//!
//! * [`em`]: [`EmChannel`], E&M trunk signalling (wink start and immediate start);
//! * [`loopstart`]: [`LoopStartChannel`], loop start with disconnect supervision, office or
//!   station end;
//! * [`line`]: [`CasLine`], a channel on G.711 audio with the DSP crate's DTMF / MF R1 detectors
//!   and generators;
//!
//! [`crate::signalling::board::SpanPair`] runs two lines across cross-connected simulated T1 spans.
//!
//! Bit patterns follow DAHDI's robbed-bit tables (`dahdi-base.c`), so a channel configured here
//! talks to a channel bank or switch that DAHDI's `e&m`, `fxsls`/`fxsks` or `fxols`/`fxoks`
//! signalling talks to.

pub mod em;
pub mod line;
pub mod loopstart;

pub use em::{EmChannel, EmConfig, EmStart, EmState};
pub use line::CasLine;
pub use loopstart::{LoopStartChannel, LoopStartConfig, LoopStartRole, LoopStartState};

use crate::model::Cause;
use crate::signalling::Ms;

/// ABCD patterns (A = bit 3) DAHDI transmits for each robbed-bit signalling type.
pub mod bits {
    /// E&M on-hook (idle, clear).
    pub const EM_ONHOOK: u8 = 0b0000;
    /// E&M off-hook (seize, wink, answer).
    pub const EM_OFFHOOK: u8 = 0b1111;
    /// Loop start office end (DAHDI FXO signalling): idle, battery on the loop.
    pub const OFFICE_IDLE: u8 = 0b0101;
    /// Loop start office end: ringing (B low) during the ring-on part of the cadence.
    pub const OFFICE_RING: u8 = 0b0000;
    /// Loop start office end: loop open / battery removed (kewlstart disconnect supervision).
    pub const OFFICE_OPEN: u8 = 0b1111;
    /// Loop start station end (DAHDI FXS signalling): on-hook.
    pub const STATION_ONHOOK: u8 = 0b0101;
    /// Loop start station end: off-hook (loop closed).
    pub const STATION_OFFHOOK: u8 = 0b1111;

    /// The A bit of a nibble.
    pub fn a(n: u8) -> bool {
        n & 0b1000 != 0
    }

    /// The B bit of a nibble.
    pub fn b(n: u8) -> bool {
        n & 0b0100 != 0
    }
}

/// How digits travel in band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitMode {
    /// DTMF (Q.23/Q.24); the end of the number is found by the inter-digit timeout or the
    /// expected length.
    Dtmf,
    /// MF R1 (Q.320–Q.323): `KP digits ST`; with ANI (Feature Group D style) `KP ANI ST KP DNIS
    /// ST`. In digit strings `K` stands for KP and `S` for ST.
    MfR1,
}

/// Call events of both CAS machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CasEvent {
    /// An incoming call with its digits (`category` 0: CAS carries no category).
    Incoming {
        /// Calling number (MF R1 with ANI only).
        ani: String,
        /// Called number (empty for a ringing loop start line).
        dnis: String,
        /// Always 0.
        category: u8,
    },
    /// Outgoing: the far end is ready (wink received, or the start delay passed) and the digits
    /// have been sent.
    Proceeding,
    /// The station is being rung (loop start office end).
    Alerting,
    /// The far end answered (went off-hook).
    Answered,
    /// The call is over.
    Released {
        /// Q.850 cause.
        cause: Cause,
    },
}

/// What a CAS machine asks its driver to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CasOutput {
    /// Transmit this ABCD nibble.
    Bits(u8),
    /// Send these digits in band (see [`DigitMode`] for `K`/`S`); report the end with
    /// `handle_digits_sent`.
    SendDigits(String),
    /// Start (true) or stop (false) listening for digits.
    Collect(bool),
    /// Play dial tone (true) or stop it (false) — loop start office end, before the first digit.
    DialTone(bool),
    /// Play the in-band tone for a failed call (busy for 17, SIT for 1, reorder otherwise).
    Progress(Cause),
}

/// What a CAS machine has produced and not yet been polled for: outputs to the line, events for
/// the call layer, and trace lines for the ladder.
#[derive(Debug, Clone, Default)]
pub struct CasOutbox {
    pub(crate) outputs: std::collections::VecDeque<CasOutput>,
    pub(crate) events: std::collections::VecDeque<CasEvent>,
    pub(crate) traces: Vec<(Ms, String)>,
}

/// The interface [`CasLine`] and [`CasPair`] drive; both machines implement it.
pub trait CasMachine {
    /// A received ABCD nibble.
    fn handle_bits(&mut self, now: Ms, nibble: u8);
    /// A digit from the detector (`0-9*#A-D`, or `K`/`S` for MF R1 KP/ST).
    fn handle_digit(&mut self, now: Ms, digit: char);
    /// The digits requested with [`CasOutput::SendDigits`] have been sent.
    fn handle_digits_sent(&mut self, now: Ms);
    /// The tone detector heard busy, reorder or SIT while the call was being set up.
    fn handle_progress(&mut self, now: Ms, cause: Cause);
    /// Runs due timers.
    fn handle_timeout(&mut self, now: Ms);
    /// Earliest armed timer.
    fn poll_timeout(&self) -> Option<Ms>;
    /// The machine's queues of line outputs, call events and trace lines.
    fn outbox(&mut self) -> &mut CasOutbox;
    /// Next output.
    fn poll_output(&mut self) -> Option<CasOutput> {
        self.outbox().outputs.pop_front()
    }
    /// Next call event.
    fn poll_event(&mut self) -> Option<CasEvent> {
        self.outbox().events.pop_front()
    }
    /// Drains trace lines.
    fn take_traces(&mut self) -> Vec<(Ms, String)> {
        std::mem::take(&mut self.outbox().traces)
    }
    /// Digits travel as DTMF or MF R1.
    fn digit_mode(&self) -> DigitMode;
    /// The nibble to transmit while idle.
    fn idle_bits(&self) -> u8;
}

/// Checks a number for the digit mode: 0–9 only (the framing signals are added by the machine).
pub(crate) fn valid_number(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit())
}

/// Renders bits as `ABCD=0101`.
pub(crate) fn show(n: u8) -> String {
    format!("ABCD={n:04b}")
}
