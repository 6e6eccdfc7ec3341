//! E&M trunk signalling over robbed bits: on-hook `0000`, off-hook `1111` in both directions.
//!
//! Wink start: the originating end seizes (off-hook); the terminating end, when ready for
//! digits, answers with a wink (off-hook for ~200 ms); the originating end dials after the wink;
//! the terminating end answers by going off-hook; either end clears by going on-hook. Immediate
//! start: the originating end dials a fixed delay after seizing, without a wink.
//!
//! Busy, congestion and unallocated numbers have no E&M signal: the terminating end plays the
//! tone in band ([`CasOutput::Progress`]) and the originating end's tone detector reports it
//! ([`EmChannel::handle_progress`]).

use std::fmt;

use super::{bits, show, valid_number, CasEvent, CasMachine, CasOutbox, CasOutput, DigitMode};
use crate::model::Cause;
use crate::signalling::{Ms, TimerId, TimerTable};

/// Wink start or immediate start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmStart {
    /// The terminating end winks when ready for digits.
    Wink,
    /// The originating end dials a fixed delay after seizing.
    Immediate,
}

/// E&M timers and digit rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmConfig {
    /// Wink or immediate start.
    pub start: EmStart,
    /// How digits travel.
    pub digits: DigitMode,
    /// Outgoing: send the ANI (MF R1 only, `KP ANI ST KP DNIS ST`); incoming: expect it.
    pub ani: bool,
    /// Incoming DTMF: the number is complete at this many digits.
    pub max_dnis: usize,
    /// On glare, keep our seizure (the other end yields and takes our call).
    pub glare_priority: bool,
    /// Incoming: delay from seizure to the start of our wink.
    pub prewink: Ms,
    /// Length of the wink we send.
    pub wink: Ms,
    /// Shortest received off-hook that counts as a wink.
    pub wink_min: Ms,
    /// Longest received off-hook that counts as a wink (longer: glare or early answer).
    pub wink_max: Ms,
    /// Outgoing wink start: no wink within this time is a fault (cause 102).
    pub wink_wait: Ms,
    /// Outgoing: delay before dialling (after the wink, or after the seizure for immediate
    /// start).
    pub predial: Ms,
    /// Immediate start: delay from seizure to dialling.
    pub immediate_delay: Ms,
    /// Incoming: no first digit within this time releases the call (cause 102).
    pub first_digit: Ms,
    /// Incoming DTMF: silence this long after a digit ends the number.
    pub interdigit: Ms,
    /// Outgoing: no answer within this time releases with cause 19.
    pub answer: Ms,
    /// After we clear, the far end must go on-hook within this time.
    pub clear_guard: Ms,
}

impl EmConfig {
    /// Defaults for `start` with `digits` (DAHDI's wink of 150–300 ms; we send 200 ms).
    pub fn new(start: EmStart, digits: DigitMode) -> Self {
        EmConfig {
            start,
            digits,
            ani: false,
            max_dnis: 4,
            glare_priority: false,
            prewink: Ms(100),
            wink: Ms(200),
            wink_min: Ms(100),
            wink_max: Ms(350),
            wink_wait: Ms(5000),
            predial: Ms(70),
            immediate_delay: Ms(150),
            first_digit: Ms(10_000),
            interdigit: Ms(3000),
            answer: Ms(60_000),
            clear_guard: Ms(2000),
        }
    }
}

/// States of an E&M channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmState {
    /// Both ends on-hook.
    Idle,
    /// Outgoing: seized, waiting for the wink (or the immediate-start delay).
    SeizeSent,
    /// Outgoing: the far end is off-hook; a wink if it ends in time.
    WinkRx,
    /// Outgoing: glare, we keep our seizure and wait for the far end to back off.
    GlareHold,
    /// Outgoing: wink received, waiting the pre-dial delay.
    PreDial,
    /// Outgoing: digits being sent.
    Dialing,
    /// Outgoing: digits sent, waiting for answer.
    OutWaitAnswer,
    /// Outgoing: answered.
    OutAnswered,
    /// Incoming: seized, wink not started yet.
    InSeized,
    /// Incoming: sending the wink.
    InWinking,
    /// Incoming: collecting digits.
    InCollecting,
    /// Incoming: number complete, waiting for the application.
    InOffered,
    /// Incoming: accepted (the application plays ringback), not answered.
    InAccepted,
    /// Incoming: answered.
    InAnswered,
    /// Incoming: rejected with an in-band tone, waiting for the far end to clear.
    InRejected,
    /// We went on-hook; waiting for the far end to do the same.
    Clearing,
}

impl fmt::Display for EmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// E&M timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmTimer {
    /// Incoming: start the wink.
    PreWink,
    /// Incoming: end the wink.
    WinkEnd,
    /// Outgoing: no wink.
    WinkWait,
    /// Outgoing: received off-hook too long for a wink.
    WinkMax,
    /// Outgoing: start dialling.
    Dial,
    /// Incoming: first digit.
    FirstDigit,
    /// Incoming: inter-digit.
    InterDigit,
    /// Outgoing: answer supervision.
    Answer,
    /// Clearing: far end still off-hook.
    ClearGuard,
}

impl TimerId for EmTimer {
    const COUNT: usize = 9;
    fn index(self) -> usize {
        self as usize
    }
    fn from_index(i: usize) -> Self {
        use EmTimer::*;
        [PreWink, WinkEnd, WinkWait, WinkMax, Dial, FirstDigit, InterDigit, Answer, ClearGuard][i.min(8)]
    }
}

/// Errors from call commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmError {
    /// Not possible in this state.
    #[error("command not valid in state {0}")]
    WrongState(EmState),
    /// A number holds something other than 0–9, or is empty.
    #[error("invalid number")]
    BadNumber,
}

/// One E&M channel.
#[derive(Debug, Clone)]
pub struct EmChannel {
    cfg: EmConfig,
    state: EmState,
    timers: TimerTable<EmTimer>,
    far_offhook: bool,
    offhook_since: Ms,
    dnis: String,
    ani: String,
    in_block: bool,
    ani_done: bool,
    got_digit: bool,
    reject: Option<Cause>,
    out: CasOutbox,
}

impl EmChannel {
    /// An idle channel; transmit [`bits::EM_ONHOOK`] (see [`CasMachine::idle_bits`]).
    pub fn new(cfg: EmConfig) -> Self {
        EmChannel {
            cfg,
            state: EmState::Idle,
            timers: TimerTable::default(),
            far_offhook: false,
            offhook_since: Ms::ZERO,
            dnis: String::new(),
            ani: String::new(),
            in_block: false,
            ani_done: false,
            got_digit: false,
            reject: None,
            out: CasOutbox::default(),
        }
    }

    /// Current state.
    pub fn state(&self) -> EmState {
        self.state
    }

    /// The configuration.
    pub fn config(&self) -> &EmConfig {
        &self.cfg
    }

    fn trace(&mut self, now: Ms, s: String) {
        self.out.traces.push((now, s));
    }

    fn set_state(&mut self, now: Ms, s: EmState) {
        if s != self.state {
            let l = format!("{}=>{}", self.state, s);
            self.trace(now, l);
            self.state = s;
        }
    }

    fn tx(&mut self, now: Ms, offhook: bool) {
        let n = if offhook { bits::EM_OFFHOOK } else { bits::EM_ONHOOK };
        let what = if offhook { "off-hook" } else { "on-hook" };
        self.trace(now, format!("CAS tx {} ({what})", show(n)));
        self.out.outputs.push_back(CasOutput::Bits(n));
    }

    fn release(&mut self, now: Ms, cause: Cause) {
        self.out.events.push_back(CasEvent::Released { cause });
        self.timers.stop_all();
        if matches!(self.state, EmState::InCollecting) {
            self.out.outputs.push_back(CasOutput::Collect(false));
        }
        self.tx(now, false);
        if self.far_offhook {
            self.set_state(now, EmState::Clearing);
            self.timers.set(EmTimer::ClearGuard, now + self.cfg.clear_guard);
        } else {
            self.set_state(now, EmState::Idle);
        }
    }

    // ---- commands ---------------------------------------------------------------------------

    /// Seizes and, once the far end is ready, dials `dnis` (and `ani` with MF R1 when configured).
    pub fn originate(&mut self, now: Ms, dnis: &str, ani: &str) -> Result<(), EmError> {
        if self.state != EmState::Idle {
            return Err(EmError::WrongState(self.state));
        }
        if dnis.is_empty() || !valid_number(dnis) || !valid_number(ani) {
            return Err(EmError::BadNumber);
        }
        self.dnis = dnis.to_string();
        self.ani = ani.to_string();
        self.set_state(now, EmState::SeizeSent);
        self.tx(now, true);
        match self.cfg.start {
            EmStart::Wink => self.timers.set(EmTimer::WinkWait, now + self.cfg.wink_wait),
            EmStart::Immediate => self.timers.set(EmTimer::Dial, now + self.cfg.immediate_delay),
        }
        Ok(())
    }

    /// Incoming: accept the offered call (no E&M signal; the application plays ringback).
    pub fn accept(&mut self, now: Ms) -> Result<(), EmError> {
        if self.state != EmState::InOffered {
            return Err(EmError::WrongState(self.state));
        }
        self.set_state(now, EmState::InAccepted);
        Ok(())
    }

    /// Incoming: answer (off-hook).
    pub fn answer(&mut self, now: Ms) -> Result<(), EmError> {
        if !matches!(self.state, EmState::InOffered | EmState::InAccepted) {
            return Err(EmError::WrongState(self.state));
        }
        self.set_state(now, EmState::InAnswered);
        self.tx(now, true);
        Ok(())
    }

    /// Incoming: reject with an in-band tone for `cause` and wait for the far end to clear.
    pub fn reject(&mut self, now: Ms, cause: Cause) -> Result<(), EmError> {
        if !matches!(self.state, EmState::InOffered | EmState::InAccepted) {
            return Err(EmError::WrongState(self.state));
        }
        self.reject = Some(cause);
        self.set_state(now, EmState::InRejected);
        self.out.outputs.push_back(CasOutput::Progress(cause));
        Ok(())
    }

    /// Clears the call (on-hook). A no-op when idle or already clearing.
    pub fn hangup(&mut self, now: Ms) -> Result<(), EmError> {
        match self.state {
            EmState::Idle | EmState::Clearing => Ok(()),
            _ => {
                self.release(now, Cause::NORMAL);
                Ok(())
            }
        }
    }

    // ---- inputs -----------------------------------------------------------------------------

    fn on_far_offhook(&mut self, now: Ms) {
        self.offhook_since = now;
        match self.state {
            EmState::Idle => {
                self.set_state(now, EmState::InSeized);
                match self.cfg.start {
                    EmStart::Wink => self.timers.set(EmTimer::PreWink, now + self.cfg.prewink),
                    EmStart::Immediate => self.start_collect(now),
                }
            }
            EmState::SeizeSent => {
                if self.cfg.start == EmStart::Wink {
                    self.set_state(now, EmState::WinkRx);
                    self.timers.set(EmTimer::WinkMax, now + self.cfg.wink_max);
                } else {
                    self.glare(now);
                }
            }
            EmState::OutWaitAnswer | EmState::Dialing => {
                if self.state == EmState::Dialing {
                    // Answered before the end of our last digit's trailing pause.
                    self.out.events.push_back(CasEvent::Proceeding);
                }
                self.timers.stop(EmTimer::Answer);
                self.set_state(now, EmState::OutAnswered);
                self.out.events.push_back(CasEvent::Answered);
            }
            _ => {}
        }
    }

    fn on_far_onhook(&mut self, now: Ms) {
        match self.state {
            EmState::WinkRx => {
                self.timers.stop(EmTimer::WinkMax);
                let len = now.saturating_since(self.offhook_since);
                if len >= self.cfg.wink_min {
                    self.trace(now, format!("wink received ({len})"));
                    self.timers.stop(EmTimer::WinkWait);
                    self.set_state(now, EmState::PreDial);
                    self.timers.set(EmTimer::Dial, now + self.cfg.predial);
                } else {
                    self.trace(now, format!("off-hook of {len} too short for a wink: ignored"));
                    self.set_state(now, EmState::SeizeSent);
                }
            }
            EmState::GlareHold => {
                self.trace(now, "glare: far end backed off".into());
                self.set_state(now, EmState::SeizeSent);
                self.timers.set(EmTimer::WinkWait, now + self.cfg.wink_wait);
            }
            EmState::Clearing => {
                self.timers.stop(EmTimer::ClearGuard);
                self.set_state(now, EmState::Idle);
            }
            EmState::Idle | EmState::SeizeSent | EmState::PreDial => {}
            EmState::InRejected => {
                let cause = self.reject.take().unwrap_or(Cause::NORMAL);
                self.release(now, cause);
            }
            EmState::InSeized | EmState::InWinking | EmState::InCollecting | EmState::InOffered => {
                self.release(now, Cause::NORMAL_UNSPECIFIED);
            }
            EmState::Dialing
            | EmState::OutWaitAnswer
            | EmState::OutAnswered
            | EmState::InAccepted
            | EmState::InAnswered => self.release(now, Cause::NORMAL),
        }
    }

    fn glare(&mut self, now: Ms) {
        if self.cfg.glare_priority {
            self.trace(now, "glare: keeping our seizure".into());
            self.timers.stop(EmTimer::WinkWait);
            self.timers.stop(EmTimer::Dial);
            self.set_state(now, EmState::GlareHold);
        } else {
            self.trace(now, "glare: yielding to the far end".into());
            self.timers.stop_all();
            self.out.events.push_back(CasEvent::Released { cause: Cause::CHANNEL_UNAVAILABLE });
            self.tx(now, false);
            // The far end's seizure is still on: it becomes our incoming call.
            self.set_state(now, EmState::Idle);
            self.on_far_offhook(now);
        }
    }

    fn start_collect(&mut self, now: Ms) {
        self.dnis.clear();
        self.ani.clear();
        self.in_block = false;
        self.ani_done = !(self.cfg.ani && self.cfg.digits == DigitMode::MfR1);
        self.got_digit = false;
        self.set_state(now, EmState::InCollecting);
        self.out.outputs.push_back(CasOutput::Collect(true));
        self.timers.set(EmTimer::FirstDigit, now + self.cfg.first_digit);
    }

    fn offer(&mut self, now: Ms) {
        self.timers.stop(EmTimer::FirstDigit);
        self.timers.stop(EmTimer::InterDigit);
        self.out.outputs.push_back(CasOutput::Collect(false));
        self.set_state(now, EmState::InOffered);
        self.out.events.push_back(CasEvent::Incoming {
            ani: self.ani.clone(),
            dnis: self.dnis.clone(),
            category: 0,
        });
    }

    fn dial(&mut self, now: Ms) {
        let s = match self.cfg.digits {
            DigitMode::MfR1 if self.cfg.ani && !self.ani.is_empty() => {
                format!("K{}SK{}S", self.ani, self.dnis)
            }
            DigitMode::MfR1 => format!("K{}S", self.dnis),
            DigitMode::Dtmf => self.dnis.clone(),
        };
        self.trace(now, format!("dialling {s}"));
        self.set_state(now, EmState::Dialing);
        self.out.outputs.push_back(CasOutput::SendDigits(s));
    }

    fn on_timer(&mut self, now: Ms, t: EmTimer) {
        self.trace(now, format!("timer {t:?} expired"));
        match (t, self.state) {
            (EmTimer::PreWink, EmState::InSeized) => {
                self.set_state(now, EmState::InWinking);
                self.tx(now, true);
                self.timers.set(EmTimer::WinkEnd, now + self.cfg.wink);
            }
            (EmTimer::WinkEnd, EmState::InWinking) => {
                self.tx(now, false);
                self.start_collect(now);
            }
            (EmTimer::WinkWait, EmState::SeizeSent) => self.release(now, Cause::TIMER_EXPIRY),
            (EmTimer::WinkMax, EmState::WinkRx) => self.glare(now),
            (EmTimer::Dial, EmState::PreDial | EmState::SeizeSent) => self.dial(now),
            (EmTimer::FirstDigit, EmState::InCollecting) => self.release(now, Cause::TIMER_EXPIRY),
            (EmTimer::InterDigit, EmState::InCollecting) => {
                if self.dnis.is_empty() {
                    self.release(now, Cause::TIMER_EXPIRY);
                } else {
                    self.offer(now);
                }
            }
            (EmTimer::Answer, EmState::OutWaitAnswer) => self.release(now, Cause::NO_ANSWER),
            (EmTimer::ClearGuard, EmState::Clearing) => self.set_state(now, EmState::Idle),
            _ => {}
        }
    }
}

impl CasMachine for EmChannel {
    fn handle_bits(&mut self, now: Ms, nibble: u8) {
        let off = bits::a(nibble);
        if off == self.far_offhook {
            return;
        }
        self.far_offhook = off;
        let what = if off { "off-hook" } else { "on-hook" };
        self.trace(now, format!("CAS rx {} ({what})", show(nibble & 0xF)));
        if off {
            self.on_far_offhook(now);
        } else {
            self.on_far_onhook(now);
        }
    }

    fn handle_digit(&mut self, now: Ms, d: char) {
        if self.state != EmState::InCollecting {
            return;
        }
        self.trace(now, format!("digit {d}"));
        self.timers.stop(EmTimer::FirstDigit);
        match (self.cfg.digits, d) {
            (DigitMode::MfR1, 'K') => self.in_block = true,
            (DigitMode::MfR1, 'S') if self.in_block => {
                self.in_block = false;
                if self.ani_done {
                    self.offer(now);
                } else {
                    // The first block was the calling number.
                    self.ani = std::mem::take(&mut self.dnis);
                    self.ani_done = true;
                }
            }
            (DigitMode::MfR1, '0'..='9') if self.in_block => self.dnis.push(d),
            (DigitMode::Dtmf, '0'..='9') => {
                self.dnis.push(d);
                if self.dnis.len() >= self.cfg.max_dnis {
                    self.offer(now);
                } else {
                    self.timers.set(EmTimer::InterDigit, now + self.cfg.interdigit);
                }
            }
            _ => self.trace(now, format!("digit {d} ignored")),
        }
    }

    fn handle_progress(&mut self, now: Ms, cause: Cause) {
        if matches!(self.state, EmState::Dialing | EmState::OutWaitAnswer) {
            self.trace(now, format!("in-band progress: cause {}", cause.0));
            self.release(now, cause);
        }
    }

    fn handle_digits_sent(&mut self, now: Ms) {
        if self.state == EmState::Dialing {
            self.set_state(now, EmState::OutWaitAnswer);
            self.out.events.push_back(CasEvent::Proceeding);
            self.timers.set(EmTimer::Answer, now + self.cfg.answer);
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
        self.cfg.digits
    }

    fn idle_bits(&self) -> u8 {
        bits::EM_ONHOOK
    }
}
