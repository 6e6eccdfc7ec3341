//! Loop start over robbed bits, with disconnect supervision (DAHDI's kewlstart): the office end
//! (DAHDI FXO signalling: it rings the station and sees its hook state) and the station end
//! (DAHDI FXS signalling: a phone or PBX trunk that goes off-hook and sees ringing).
//!
//! * office → station: idle `0101`, ringing `0000` during the ring-on part of the cadence, loop
//!   open `1111` (disconnect supervision: the office cleared);
//! * station → office: on-hook `0101`, off-hook `1111` (A = loop closed).
//!
//! Answer supervision is the station going off-hook while rung (office-originated calls).
//! Station-originated calls get dial tone in band, dial DTMF and get `Proceeding`; loop start
//! carries no far-end answer for them, which the application learns in band.

use std::fmt;

use super::{bits, show, valid_number, CasEvent, CasMachine, CasOutbox, CasOutput, DigitMode};
use crate::model::Cause;
use crate::signalling::{Ms, TimerId, TimerTable};

/// Which end of the loop this channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopStartRole {
    /// The exchange / channel-bank FXS port end (DAHDI `fxols`/`fxoks` signalling).
    Office,
    /// The phone / PBX trunk end (DAHDI `fxsls`/`fxsks` signalling).
    Station,
}

/// Loop start timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopStartConfig {
    /// Which end.
    pub role: LoopStartRole,
    /// Office: ring-on time of the cadence (North America: 2 s).
    pub ring_on: Ms,
    /// Office: ring-off time of the cadence (4 s).
    pub ring_off: Ms,
    /// Office: unanswered ringing stops after this long (cause 19).
    pub answer: Ms,
    /// Office: how long the loop is opened to signal a disconnect.
    pub open: Ms,
    /// Office: digits that complete a station's number.
    pub max_dnis: usize,
    /// Office: no first digit after dial tone within this time (cause 102).
    pub first_digit: Ms,
    /// Office: silence after a digit that ends the number.
    pub interdigit: Ms,
    /// Station: no ring for this long after the last one means the caller gave up.
    pub ring_gap: Ms,
    /// Station: wait for dial tone this long after going off-hook before dialling.
    pub dial_wait: Ms,
}

impl LoopStartConfig {
    /// North American defaults for `role`.
    pub fn new(role: LoopStartRole) -> Self {
        LoopStartConfig {
            role,
            ring_on: Ms(2000),
            ring_off: Ms(4000),
            answer: Ms(60_000),
            open: Ms(800),
            max_dnis: 4,
            first_digit: Ms(10_000),
            interdigit: Ms(3000),
            ring_gap: Ms(6500),
            dial_wait: Ms(500),
        }
    }
}

/// States of a loop start channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopStartState {
    /// No call.
    Idle,
    /// Office: ringing the station.
    Ringing,
    /// Office: the station answered our ringing.
    OutAnswered,
    /// Office: the station is off-hook, collecting its digits.
    Collecting,
    /// Office: number complete, waiting for the application.
    Offered,
    /// Office: the application took the call.
    Connected,
    /// Office: rejected with an in-band tone, waiting for the station to hang up.
    Rejected,
    /// Office: loop opened to disconnect, waiting for the station to hang up.
    Disconnecting,
    /// Station: being rung.
    Rung,
    /// Station: off-hook, waiting for dial tone.
    Seized,
    /// Station: dialling.
    Dialing,
    /// Station: dialled, talking (no answer supervision in this direction).
    Dialed,
    /// Station: off-hook on a call we answered.
    Answered,
    /// Station: not answering this ringing (rejected), waiting for it to stop.
    Ignoring,
}

impl fmt::Display for LoopStartState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Loop start timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LsTimer {
    /// Office: next edge of the ring cadence.
    Cadence,
    /// Office: ringing unanswered.
    Answer,
    /// Office: end of the loop-open disconnect.
    Open,
    /// Office: first digit.
    FirstDigit,
    /// Office: inter-digit.
    InterDigit,
    /// Station: ringing stopped.
    RingGap,
    /// Station: dial after the dial tone wait.
    Dial,
}

impl TimerId for LsTimer {
    const COUNT: usize = 7;
    fn index(self) -> usize {
        self as usize
    }
    fn from_index(i: usize) -> Self {
        use LsTimer::*;
        [Cadence, Answer, Open, FirstDigit, InterDigit, RingGap, Dial][i.min(6)]
    }
}

/// Errors from call commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LoopStartError {
    /// Not possible in this state or at this end.
    #[error("command not valid in state {0}")]
    WrongState(LoopStartState),
    /// A number holds something other than 0–9, or is empty.
    #[error("invalid number")]
    BadNumber,
}

/// One loop start channel.
#[derive(Debug, Clone)]
pub struct LoopStartChannel {
    cfg: LoopStartConfig,
    state: LoopStartState,
    timers: TimerTable<LsTimer>,
    rx: u8,
    ring_on: bool,
    dnis: String,
    reject: Option<Cause>,
    out: CasOutbox,
}

impl LoopStartChannel {
    /// An idle channel.
    pub fn new(cfg: LoopStartConfig) -> Self {
        let rx = match cfg.role {
            LoopStartRole::Office => bits::STATION_ONHOOK,
            LoopStartRole::Station => bits::OFFICE_IDLE,
        };
        LoopStartChannel {
            cfg,
            state: LoopStartState::Idle,
            timers: TimerTable::default(),
            rx,
            ring_on: false,
            dnis: String::new(),
            reject: None,
            out: CasOutbox::default(),
        }
    }

    /// Current state.
    pub fn state(&self) -> LoopStartState {
        self.state
    }

    /// The configuration.
    pub fn config(&self) -> &LoopStartConfig {
        &self.cfg
    }

    fn trace(&mut self, now: Ms, s: String) {
        self.out.traces.push((now, s));
    }

    fn set_state(&mut self, now: Ms, s: LoopStartState) {
        if s != self.state {
            let l = format!("{}=>{}", self.state, s);
            self.trace(now, l);
            self.state = s;
        }
    }

    fn tx(&mut self, now: Ms, n: u8, what: &str) {
        self.trace(now, format!("CAS tx {} ({what})", show(n)));
        self.out.outputs.push_back(CasOutput::Bits(n));
    }

    fn released(&mut self, cause: Cause) {
        self.out.events.push_back(CasEvent::Released { cause });
    }

    fn station_offhook(&self) -> bool {
        bits::a(self.rx)
    }

    // ---- commands ---------------------------------------------------------------------------

    /// Office: ring the station (`dnis` is not sent; it may be empty). Station: go off-hook and
    /// dial `dnis` in DTMF after the dial tone wait.
    pub fn originate(&mut self, now: Ms, dnis: &str) -> Result<(), LoopStartError> {
        if self.state != LoopStartState::Idle {
            return Err(LoopStartError::WrongState(self.state));
        }
        if !valid_number(dnis) {
            return Err(LoopStartError::BadNumber);
        }
        match self.cfg.role {
            LoopStartRole::Office => {
                if self.station_offhook() {
                    return Err(LoopStartError::WrongState(self.state));
                }
                self.set_state(now, LoopStartState::Ringing);
                self.ring(now, true);
                self.timers.set(LsTimer::Answer, now + self.cfg.answer);
                self.out.events.push_back(CasEvent::Alerting);
            }
            LoopStartRole::Station => {
                if dnis.is_empty() {
                    return Err(LoopStartError::BadNumber);
                }
                self.dnis = dnis.to_string();
                self.set_state(now, LoopStartState::Seized);
                self.tx(now, bits::STATION_OFFHOOK, "off-hook");
                self.timers.set(LsTimer::Dial, now + self.cfg.dial_wait);
            }
        }
        Ok(())
    }

    fn ring(&mut self, now: Ms, on: bool) {
        self.ring_on = on;
        if on {
            self.tx(now, bits::OFFICE_RING, "ring");
            self.timers.set(LsTimer::Cadence, now + self.cfg.ring_on);
        } else {
            self.tx(now, bits::OFFICE_IDLE, "ring off");
            self.timers.set(LsTimer::Cadence, now + self.cfg.ring_off);
        }
    }

    /// Takes an offered call (office) or a ringing one (station: no signal until answer).
    pub fn accept(&mut self, now: Ms) -> Result<(), LoopStartError> {
        match self.state {
            LoopStartState::Offered | LoopStartState::Rung => {
                self.trace(now, "accepted".into());
                Ok(())
            }
            s => Err(LoopStartError::WrongState(s)),
        }
    }

    /// Station: answer the ringing (off-hook). Office: connect the station's call.
    pub fn answer(&mut self, now: Ms) -> Result<(), LoopStartError> {
        match self.state {
            LoopStartState::Rung => {
                self.timers.stop(LsTimer::RingGap);
                self.set_state(now, LoopStartState::Answered);
                self.tx(now, bits::STATION_OFFHOOK, "off-hook: answer");
                Ok(())
            }
            LoopStartState::Offered => {
                self.set_state(now, LoopStartState::Connected);
                Ok(())
            }
            s => Err(LoopStartError::WrongState(s)),
        }
    }

    /// Office: refuse the station's call with an in-band tone. Station: let the ringing go
    /// unanswered; the call ends with `cause` when the ringing stops.
    pub fn reject(&mut self, now: Ms, cause: Cause) -> Result<(), LoopStartError> {
        match self.state {
            LoopStartState::Offered => {
                self.reject = Some(cause);
                self.set_state(now, LoopStartState::Rejected);
                self.out.outputs.push_back(CasOutput::Progress(cause));
                Ok(())
            }
            LoopStartState::Rung => {
                self.reject = Some(cause);
                self.set_state(now, LoopStartState::Ignoring);
                Ok(())
            }
            s => Err(LoopStartError::WrongState(s)),
        }
    }

    /// Clears the call: the office opens the loop, the station goes on-hook.
    pub fn hangup(&mut self, now: Ms) -> Result<(), LoopStartError> {
        match self.state {
            LoopStartState::Idle | LoopStartState::Disconnecting => Ok(()),
            LoopStartState::Ringing => {
                self.timers.stop_all();
                self.tx(now, bits::OFFICE_IDLE, "ring off");
                self.released(Cause::NORMAL);
                self.set_state(now, LoopStartState::Idle);
                Ok(())
            }
            LoopStartState::OutAnswered
            | LoopStartState::Collecting
            | LoopStartState::Offered
            | LoopStartState::Connected
            | LoopStartState::Rejected => {
                self.office_disconnect(now, Cause::NORMAL);
                Ok(())
            }
            LoopStartState::Seized
            | LoopStartState::Dialing
            | LoopStartState::Dialed
            | LoopStartState::Answered => {
                self.station_onhook(now, Cause::NORMAL);
                Ok(())
            }
            LoopStartState::Rung | LoopStartState::Ignoring => {
                self.reject(now, Cause::NORMAL).map(|_| ()).or(Ok(()))
            }
        }
    }

    fn office_disconnect(&mut self, now: Ms, cause: Cause) {
        self.timers.stop_all();
        if self.state == LoopStartState::Collecting {
            self.out.outputs.push_back(CasOutput::Collect(false));
            self.out.outputs.push_back(CasOutput::DialTone(false));
        }
        self.released(cause);
        self.tx(now, bits::OFFICE_OPEN, "loop open: disconnect");
        self.set_state(now, LoopStartState::Disconnecting);
        self.timers.set(LsTimer::Open, now + self.cfg.open);
    }

    fn station_onhook(&mut self, now: Ms, cause: Cause) {
        self.timers.stop_all();
        self.released(cause);
        self.tx(now, bits::STATION_ONHOOK, "on-hook");
        self.set_state(now, LoopStartState::Idle);
    }

    // ---- inputs -----------------------------------------------------------------------------

    fn office_rx(&mut self, now: Ms, off: bool) {
        match (self.state, off) {
            (LoopStartState::Idle, true) => {
                self.dnis.clear();
                self.set_state(now, LoopStartState::Collecting);
                self.out.outputs.push_back(CasOutput::DialTone(true));
                self.out.outputs.push_back(CasOutput::Collect(true));
                self.timers.set(LsTimer::FirstDigit, now + self.cfg.first_digit);
            }
            (LoopStartState::Ringing, true) => {
                self.timers.stop_all();
                if self.ring_on {
                    self.tx(now, bits::OFFICE_IDLE, "ring trip");
                }
                self.set_state(now, LoopStartState::OutAnswered);
                self.out.events.push_back(CasEvent::Answered);
            }
            (LoopStartState::OutAnswered | LoopStartState::Connected, false) => {
                self.timers.stop_all();
                self.released(Cause::NORMAL);
                self.set_state(now, LoopStartState::Idle);
            }
            (LoopStartState::Collecting | LoopStartState::Offered, false) => {
                self.timers.stop_all();
                self.out.outputs.push_back(CasOutput::Collect(false));
                self.out.outputs.push_back(CasOutput::DialTone(false));
                self.released(Cause::NORMAL_UNSPECIFIED);
                self.set_state(now, LoopStartState::Idle);
            }
            (LoopStartState::Rejected, false) => {
                let cause = self.reject.take().unwrap_or(Cause::NORMAL);
                self.released(cause);
                self.set_state(now, LoopStartState::Idle);
            }
            (LoopStartState::Disconnecting, false) if !self.timers.is_running(LsTimer::Open) => {
                self.set_state(now, LoopStartState::Idle);
            }
            _ => {}
        }
    }

    fn station_rx(&mut self, now: Ms, n: u8) {
        let ringing = !bits::b(n);
        let open = bits::a(n) && bits::b(n);
        match self.state {
            LoopStartState::Idle if ringing => {
                self.set_state(now, LoopStartState::Rung);
                self.out.events.push_back(CasEvent::Incoming {
                    ani: String::new(),
                    dnis: String::new(),
                    category: 0,
                });
                self.timers.set(LsTimer::RingGap, now + self.cfg.ring_gap);
            }
            LoopStartState::Rung | LoopStartState::Ignoring if ringing => {
                self.timers.set(LsTimer::RingGap, now + self.cfg.ring_gap);
            }
            LoopStartState::Seized
            | LoopStartState::Dialing
            | LoopStartState::Dialed
            | LoopStartState::Answered
                if open =>
            {
                self.trace(now, "loop open: far end disconnected".into());
                self.station_onhook(now, Cause::NORMAL);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, now: Ms, t: LsTimer) {
        self.trace(now, format!("timer {t:?} expired"));
        match (t, self.state) {
            (LsTimer::Cadence, LoopStartState::Ringing) => {
                let on = !self.ring_on;
                self.ring(now, on);
            }
            (LsTimer::Answer, LoopStartState::Ringing) => {
                self.timers.stop_all();
                self.tx(now, bits::OFFICE_IDLE, "ring off");
                self.released(Cause::NO_ANSWER);
                self.set_state(now, LoopStartState::Idle);
            }
            (LsTimer::Open, LoopStartState::Disconnecting) => {
                self.tx(now, bits::OFFICE_IDLE, "battery back");
                if !self.station_offhook() {
                    self.set_state(now, LoopStartState::Idle);
                }
            }
            (LsTimer::FirstDigit, LoopStartState::Collecting) => {
                self.office_disconnect(now, Cause::TIMER_EXPIRY)
            }
            (LsTimer::InterDigit, LoopStartState::Collecting) => self.offer(now),
            (LsTimer::RingGap, LoopStartState::Rung | LoopStartState::Ignoring) => {
                let cause = self.reject.take().unwrap_or(Cause::NORMAL);
                self.released(cause);
                self.set_state(now, LoopStartState::Idle);
            }
            (LsTimer::Dial, LoopStartState::Seized) => {
                self.set_state(now, LoopStartState::Dialing);
                self.trace(now, format!("dialling {}", self.dnis));
                self.out.outputs.push_back(CasOutput::SendDigits(self.dnis.clone()));
            }
            _ => {}
        }
    }

    fn offer(&mut self, now: Ms) {
        self.timers.stop(LsTimer::FirstDigit);
        self.timers.stop(LsTimer::InterDigit);
        self.out.outputs.push_back(CasOutput::Collect(false));
        self.set_state(now, LoopStartState::Offered);
        self.out.events.push_back(CasEvent::Incoming {
            ani: String::new(),
            dnis: self.dnis.clone(),
            category: 0,
        });
    }
}

impl CasMachine for LoopStartChannel {
    fn handle_bits(&mut self, now: Ms, nibble: u8) {
        let n = nibble & 0xF;
        // Only A and B carry meaning (D4 has no C/D; ESF repeats them).
        if n & 0b1100 == self.rx & 0b1100 {
            return;
        }
        self.rx = n;
        self.trace(now, format!("CAS rx {}", show(n)));
        match self.cfg.role {
            LoopStartRole::Office => self.office_rx(now, bits::a(n)),
            LoopStartRole::Station => self.station_rx(now, n),
        }
    }

    fn handle_digit(&mut self, now: Ms, d: char) {
        if self.state != LoopStartState::Collecting || !d.is_ascii_digit() {
            return;
        }
        self.trace(now, format!("digit {d}"));
        if self.dnis.is_empty() {
            self.out.outputs.push_back(CasOutput::DialTone(false));
            self.timers.stop(LsTimer::FirstDigit);
        }
        self.dnis.push(d);
        if self.dnis.len() >= self.cfg.max_dnis {
            self.offer(now);
        } else {
            self.timers.set(LsTimer::InterDigit, now + self.cfg.interdigit);
        }
    }

    fn handle_progress(&mut self, now: Ms, cause: Cause) {
        if matches!(self.state, LoopStartState::Dialing | LoopStartState::Dialed) {
            self.trace(now, format!("in-band progress: cause {}", cause.0));
            self.station_onhook(now, cause);
        }
    }

    fn handle_digits_sent(&mut self, now: Ms) {
        if self.state == LoopStartState::Dialing {
            self.set_state(now, LoopStartState::Dialed);
            self.out.events.push_back(CasEvent::Proceeding);
        }
    }

    fn handle_timeout(&mut self, now: Ms) {
        while let Some(t) = self.timers.expire_one(now) {
            self.on_timer(now, t);
        }
    }

    fn poll_timeout(&self) -> Option<Ms> {
        self.timers.next_timeout()
    }

    fn outbox(&mut self) -> &mut CasOutbox {
        &mut self.out
    }

    fn digit_mode(&self) -> DigitMode {
        DigitMode::Dtmf
    }

    fn idle_bits(&self) -> u8 {
        match self.cfg.role {
            LoopStartRole::Office => bits::OFFICE_IDLE,
            LoopStartRole::Station => bits::STATION_ONHOOK,
        }
    }
}
