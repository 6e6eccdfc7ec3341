//! One MFC/R2 channel: Q.421 line signalling on the A and B bits plus Q.441 compelled register
//! signalling, as a sans-IO state machine.
//!
//! Inputs: received ABCD nibbles ([`R2Channel::handle_bits`]), MF tone on/off from the detector
//! ([`R2Channel::handle_tone`]), timer expiry ([`R2Channel::handle_timeout`]) and call commands.
//! Outputs: [`R2Output`] (CAS nibble to transmit, MF tone to start or stop) and [`R2Event`].
//! Nothing here panics on line input: every unexpected bit pattern or tone is traced and ignored
//! or ends the call with a cause.

use std::collections::VecDeque;
use std::fmt;

use super::variant::{R2Profile, R2Variant};

/// Q.850 111: protocol error, unspecified (an MF signal that makes no sense where it came).
const PROTOCOL_ERROR: Cause = Cause(111);
use crate::model::Cause;
use crate::signalling::{Ms, TimerId, TimerTable};

/// A and B bit patterns (the AB half of the nibble, A = bit 1).
pub mod ab {
    /// Idle (forward and backward), and clear-forward.
    pub const IDLE: u8 = 0b10;
    /// Forward seize; also backward forced release.
    pub const SEIZE: u8 = 0b00;
    /// Backward seize acknowledge, clear-back and blocked.
    pub const SEIZE_ACK: u8 = 0b11;
    /// Backward answer.
    pub const ANSWER: u8 = 0b01;
    /// Forward clear-forward (same bits as idle).
    pub const CLEAR_FORWARD: u8 = IDLE;
    /// Backward clear-back (same bits as seize acknowledge).
    pub const CLEAR_BACK: u8 = SEIZE_ACK;
    /// Backward blocking.
    pub const BLOCKED: u8 = SEIZE_ACK;
}

/// Line and call state of a channel. Every transition goes through one `set_state`, which traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum R2State {
    /// Both directions idle.
    Idle,
    /// The far end blocks the channel (backward 11 while idle), or we block it.
    Blocked,
    /// Outgoing: seize sent, waiting for seize acknowledge.
    SeizeSent,
    /// Outgoing: compelled register signalling in progress.
    OutRegister,
    /// Outgoing: group B "subscriber free" received, waiting for answer.
    OutAccepted,
    /// Outgoing: answered (conversation).
    OutAnswered,
    /// Outgoing: clear-forward sent, waiting for the backward side to return to idle.
    ClearForwardSent,
    /// Incoming: seize acknowledged, collecting digits.
    InRegister,
    /// Incoming: number complete, waiting for the application to accept or reject.
    InOffered,
    /// Incoming: subscriber free sent (ringing), not answered yet.
    InAccepted,
    /// Incoming: answer sent (conversation).
    InAnswered,
    /// Incoming: the call was rejected with group B; waiting for clear-forward.
    InRejected,
    /// Incoming: clear-back sent; waiting for clear-forward.
    ClearBackSent,
    /// Incoming: we released before answer (idle sent); waiting for clear-forward.
    InForcedRelease,
    /// Incoming: clear-forward received; idle goes out when the release guard expires.
    ReleaseGuard,
}

impl fmt::Display for R2State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Timers of one R2 channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum R2Timer {
    /// CAS persistence check.
    Debounce,
    /// Seize acknowledge supervision.
    SeizeAck,
    /// Backward compelled-step supervision.
    MfCycle,
    /// Whole register phase.
    Register,
    /// Answer supervision (forward side).
    Answer,
    /// Release guard (backward side).
    ReleaseGuard,
    /// Clear-forward sent, backward not idle yet.
    ReleaseGuardTimeout,
    /// End of a pulsed backward signal.
    Pulse,
    /// No more DNIS digits (variants without an end-of-DNIS signal).
    DigitTimeout,
    /// Forward side: out of digits with no end signal, waiting for the backward side.
    FwdSafety,
    /// Backward side: answer requested; the answer bits go out when this expires.
    AnswerDelay,
}

impl TimerId for R2Timer {
    const COUNT: usize = 11;
    fn index(self) -> usize {
        self as usize
    }
    fn from_index(i: usize) -> Self {
        use R2Timer::*;
        [
            Debounce,
            SeizeAck,
            MfCycle,
            Register,
            Answer,
            ReleaseGuard,
            ReleaseGuardTimeout,
            Pulse,
            DigitTimeout,
            FwdSafety,
            AnswerDelay,
        ][i.min(10)]
    }
}

/// What the channel asks its driver to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum R2Output {
    /// Transmit this ABCD nibble (A = 8).
    Cas(u8),
    /// Start sending MF signal `1..=15` (forward tones on the outgoing side, backward on the
    /// incoming side).
    ToneOn(u8),
    /// Stop the MF signal.
    ToneOff,
}

/// Call events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum R2Event {
    /// A complete incoming call; answer with [`R2Channel::accept`] or [`R2Channel::reject`].
    Incoming {
        /// Calling number (empty if not requested or not sent).
        ani: String,
        /// Called number.
        dnis: String,
        /// Calling party category (group II signal).
        category: u8,
    },
    /// Outgoing: the far end acknowledged the seizure.
    Proceeding,
    /// Outgoing: the callee is free and being rung (group B accept).
    Alerting,
    /// Outgoing: the callee answered.
    Answered,
    /// The call is over (the channel may still be in release guard).
    Released {
        /// Q.850 cause.
        cause: Cause,
    },
}

/// Errors from call commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum R2Error {
    /// The channel is not in a state where the command makes sense.
    #[error("command not valid in state {0}")]
    WrongState(R2State),
    /// A number contains a character other than 0–9.
    #[error("invalid digit in number")]
    BadDigit,
}

/// Per-channel configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2Config {
    /// The variant table.
    pub profile: R2Profile,
    /// Incoming: digits after which the DNIS counts as complete.
    pub max_dnis: usize,
    /// Incoming: ask for the calling number.
    pub request_ani: bool,
    /// Incoming: most ANI digits to collect.
    pub max_ani: usize,
    /// On dual seizure, this side keeps its outgoing call (the other side yields).
    pub glare_priority: bool,
}

impl R2Config {
    /// Defaults for a variant: 4-digit DNIS, ANI requested (up to 10 digits), no glare priority.
    pub fn new(variant: R2Variant) -> Self {
        R2Config {
            profile: variant.profile(),
            max_dnis: 4,
            request_ani: true,
            max_ani: 10,
            glare_priority: false,
        }
    }
}

/// Which way a call goes on this channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// We seized: we send forward signals (groups I/II) and hear backward ones (A/B/C).
    Outgoing,
    /// The far end seized: we send backward signals and hear forward ones.
    Incoming,
}

/// Register phase of the incoming side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InPhase {
    Dnis,
    Category,
    Ani,
    AwaitII,
    Decide,
    GroupBSent,
}

/// Which backward group the outgoing side interprets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FwdGroup {
    A,
    C,
    B,
}

/// One R2 channel (see the module documentation).
#[derive(Debug, Clone)]
pub struct R2Channel {
    cfg: R2Config,
    state: R2State,
    timers: TimerTable<R2Timer>,
    rx_ab: u8,
    pending_ab: Option<u8>,
    tx_ab: u8,
    tx_tone: Option<u8>,
    rx_tone: Option<u8>,
    pending_signal: Option<u8>,
    dnis: String,
    ani: String,
    category: u8,
    // outgoing register
    dnis_pos: usize,
    ani_pos: usize,
    fwd_group: FwdGroup,
    ani_phase: bool,
    category_sent: bool,
    // incoming register
    in_phase: InPhase,
    in_gc: bool,
    dnis_complete: bool,
    ani_done: bool,
    category_asked: bool,
    reject_cause: Option<Cause>,
    group_b_end: Option<Ms>,
    outputs: VecDeque<R2Output>,
    events: VecDeque<R2Event>,
    traces: Vec<(Ms, String)>,
}

fn digit_code(c: char) -> Option<u8> {
    match c {
        '0' => Some(10),
        '1'..='9' => Some(c as u8 - b'0'),
        _ => None,
    }
}

fn code_digit(code: u8) -> Option<char> {
    match code {
        10 => Some('0'),
        1..=9 => Some((b'0' + code) as char),
        _ => None,
    }
}

impl R2Channel {
    /// A channel in the idle state. Call [`R2Channel::start`] to transmit idle.
    pub fn new(cfg: R2Config) -> Self {
        R2Channel {
            cfg,
            state: R2State::Idle,
            timers: TimerTable::default(),
            rx_ab: ab::IDLE,
            pending_ab: None,
            tx_ab: ab::IDLE,
            tx_tone: None,
            rx_tone: None,
            pending_signal: None,
            dnis: String::new(),
            ani: String::new(),
            category: 1,
            dnis_pos: 0,
            ani_pos: 0,
            fwd_group: FwdGroup::A,
            ani_phase: false,
            category_sent: false,
            in_phase: InPhase::Dnis,
            in_gc: false,
            dnis_complete: false,
            ani_done: false,
            category_asked: false,
            reject_cause: None,
            group_b_end: None,
            outputs: VecDeque::new(),
            events: VecDeque::new(),
            traces: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &R2Config {
        &self.cfg
    }

    /// Current state.
    pub fn state(&self) -> R2State {
        self.state
    }

    /// Transmits idle bits (call once when the channel comes up).
    pub fn start(&mut self, now: Ms) {
        self.tx(now, ab::IDLE);
    }

    /// The ABCD nibble to transmit for `ab` under this variant's CD bits.
    pub fn nibble(&self, ab_bits: u8) -> u8 {
        ((ab_bits & 3) << 2) | (self.cfg.profile.cd_bits & 3)
    }

    /// Drains trace lines (`(time, text)`): state changes, CAS and MF signals.
    pub fn take_traces(&mut self) -> Vec<(Ms, String)> {
        std::mem::take(&mut self.traces)
    }

    /// Next output for the driver.
    pub fn poll_output(&mut self) -> Option<R2Output> {
        self.outputs.pop_front()
    }

    /// Next call event.
    pub fn poll_event(&mut self) -> Option<R2Event> {
        self.events.pop_front()
    }

    /// Earliest armed timer.
    pub fn poll_timeout(&self) -> Option<Ms> {
        self.timers.next_timeout()
    }

    fn trace(&mut self, now: Ms, s: String) {
        self.traces.push((now, s));
    }

    fn set_state(&mut self, now: Ms, s: R2State) {
        if s != self.state {
            let line = format!("{}=>{}", self.state, s);
            self.trace(now, line);
            self.state = s;
        }
    }

    fn tx(&mut self, now: Ms, ab_bits: u8) {
        self.tx_ab = ab_bits;
        let n = self.nibble(ab_bits);
        self.trace(now, format!("CAS tx {:04b} ({})", n, self.ab_name(ab_bits, true)));
        self.outputs.push_back(R2Output::Cas(n));
    }

    fn ab_name(&self, ab_bits: u8, tx: bool) -> &'static str {
        let outgoing = matches!(
            self.state,
            R2State::SeizeSent
                | R2State::OutRegister
                | R2State::OutAccepted
                | R2State::OutAnswered
                | R2State::ClearForwardSent
        );
        // Forward bits are sent by the outgoing side; name by direction.
        let forward = outgoing == tx;
        match (forward, ab_bits) {
            (_, 0b10) if forward => "idle/clear-forward",
            (_, 0b00) if forward => "seize",
            (_, 0b10) => "idle",
            (_, 0b11) => "seize-ack/clear-back/blocked",
            (_, 0b01) => "answer",
            (_, 0b00) => "forced-release",
            _ => "?",
        }
    }

    fn tone_on(&mut self, now: Ms, code: u8) {
        if self.tx_tone.is_some() {
            self.outputs.push_back(R2Output::ToneOff);
        }
        self.tx_tone = Some(code);
        let group = self.tx_group_name();
        self.trace(now, format!("MF tx {group}-{code} on"));
        self.outputs.push_back(R2Output::ToneOn(code));
    }

    fn tx_group_name(&self) -> &'static str {
        match self.state {
            R2State::SeizeSent | R2State::OutRegister => match self.fwd_group {
                FwdGroup::B => "II",
                _ if self.ani_phase => "I(ani)",
                _ => "I",
            },
            _ => match self.in_phase {
                InPhase::Decide | InPhase::GroupBSent => "B",
                _ if self.in_gc => "C",
                _ => "A",
            },
        }
    }

    fn tone_off(&mut self, now: Ms) {
        if let Some(c) = self.tx_tone.take() {
            self.trace(now, format!("MF tx {c} off"));
            self.outputs.push_back(R2Output::ToneOff);
        }
    }

    fn release_event(&mut self, cause: Cause) {
        self.events.push_back(R2Event::Released { cause });
    }

    fn reset_register(&mut self) {
        self.tx_tone = None;
        self.rx_tone = None;
        self.pending_signal = None;
        self.dnis_pos = 0;
        self.ani_pos = 0;
        self.fwd_group = FwdGroup::A;
        self.ani_phase = false;
        self.category_sent = false;
        self.in_phase = InPhase::Dnis;
        self.in_gc = false;
        self.dnis_complete = false;
        self.ani_done = false;
        self.category_asked = false;
        self.reject_cause = None;
        self.group_b_end = None;
    }

    fn go_idle(&mut self, now: Ms) {
        self.tone_off(now);
        self.timers.stop_all();
        self.reset_register();
        // A pending debounce must survive going idle.
        self.set_state(now, R2State::Idle);
        if self.rx_ab == ab::BLOCKED {
            self.set_state(now, R2State::Blocked);
        }
    }

    // ---- commands ---------------------------------------------------------------------------

    /// Starts an outgoing call: seize, then send `dnis` (digits 0–9) and, when asked, `ani` and
    /// the calling party `category` (group II signal, 1 = ordinary subscriber).
    pub fn originate(&mut self, now: Ms, dnis: &str, ani: &str, category: u8) -> Result<(), R2Error> {
        if self.state != R2State::Idle {
            return Err(R2Error::WrongState(self.state));
        }
        if !dnis.chars().chain(ani.chars()).all(|c| digit_code(c).is_some()) || dnis.is_empty() {
            return Err(R2Error::BadDigit);
        }
        self.reset_register();
        self.dnis = dnis.to_string();
        self.ani = ani.to_string();
        self.category = category.clamp(1, 15);
        self.set_state(now, R2State::SeizeSent);
        self.tx(now, ab::SEIZE);
        self.timers.set(R2Timer::SeizeAck, now + self.cfg.profile.timers.seize_ack);
        Ok(())
    }

    /// Incoming: accept the offered call (group B "subscriber free"; the caller hears ringing).
    pub fn accept(&mut self, now: Ms, charge: bool) -> Result<(), R2Error> {
        if self.state != R2State::InOffered || self.in_phase != InPhase::Decide {
            return Err(R2Error::WrongState(self.state));
        }
        let gb = self.cfg.profile.gb;
        self.in_phase = InPhase::GroupBSent;
        self.tone_on(now, if charge { gb.accept_charge } else { gb.accept_no_charge });
        self.timers.set(R2Timer::MfCycle, now + self.cfg.profile.timers.mf_cycle);
        Ok(())
    }

    /// Incoming: reject the offered call with the group B signal for `cause` (17 busy, 1
    /// unallocated, 27 out of order, anything else congestion).
    pub fn reject(&mut self, now: Ms, cause: Cause) -> Result<(), R2Error> {
        if self.state != R2State::InOffered || self.in_phase != InPhase::Decide {
            return Err(R2Error::WrongState(self.state));
        }
        let gb = self.cfg.profile.gb;
        let code = match cause {
            Cause::BUSY => gb.busy,
            Cause::UNALLOCATED => gb.unallocated,
            Cause::OUT_OF_ORDER => gb.out_of_order.unwrap_or(gb.congestion),
            Cause::REJECTED => gb.collect_rejected.unwrap_or(gb.congestion),
            _ => gb.congestion,
        };
        self.reject_cause = Some(cause);
        self.in_phase = InPhase::GroupBSent;
        self.tone_on(now, code);
        self.timers.set(R2Timer::MfCycle, now + self.cfg.profile.timers.mf_cycle);
        Ok(())
    }

    /// Incoming: answer (backward answer bits 01). Within the answer delay after the group B
    /// tone stopped, the bits go out when the delay expires.
    pub fn answer(&mut self, now: Ms) -> Result<(), R2Error> {
        if self.state != R2State::InAccepted || self.timers.is_running(R2Timer::AnswerDelay) {
            return Err(R2Error::WrongState(self.state));
        }
        let at = self.group_b_end.map(|t| t + self.cfg.profile.timers.answer_delay).unwrap_or(now);
        if at > now {
            self.timers.set(R2Timer::AnswerDelay, at);
        } else {
            self.send_answer(now);
        }
        Ok(())
    }

    fn send_answer(&mut self, now: Ms) {
        self.timers.stop(R2Timer::MfCycle);
        self.set_state(now, R2State::InAnswered);
        self.tx(now, ab::ANSWER);
    }

    /// Which way the current call goes (`None` when there is no call).
    pub fn direction(&self) -> Option<Direction> {
        match self.state {
            R2State::SeizeSent
            | R2State::OutRegister
            | R2State::OutAccepted
            | R2State::OutAnswered
            | R2State::ClearForwardSent => Some(Direction::Outgoing),
            R2State::Idle | R2State::Blocked => None,
            _ => Some(Direction::Incoming),
        }
    }

    /// Hangs up from either side: clear-forward (outgoing), clear-back after answer or forced
    /// release before it (incoming). A no-op when idle.
    pub fn hangup(&mut self, now: Ms) -> Result<(), R2Error> {
        match self.state {
            R2State::Idle
            | R2State::Blocked
            | R2State::ClearForwardSent
            | R2State::ReleaseGuard
            | R2State::ClearBackSent
            | R2State::InForcedRelease
            | R2State::InRejected => Ok(()),
            R2State::SeizeSent | R2State::OutRegister | R2State::OutAccepted | R2State::OutAnswered => {
                self.clear_forward(now, Cause::NORMAL);
                Ok(())
            }
            R2State::InAnswered => {
                self.set_state(now, R2State::ClearBackSent);
                self.tx(now, ab::CLEAR_BACK);
                Ok(())
            }
            R2State::InRegister | R2State::InOffered | R2State::InAccepted => {
                self.forced_release(now, Cause::NORMAL);
                Ok(())
            }
        }
    }

    /// Blocks an idle channel towards the far end (backward 11).
    pub fn block(&mut self, now: Ms) -> Result<(), R2Error> {
        if self.state != R2State::Idle {
            return Err(R2Error::WrongState(self.state));
        }
        self.set_state(now, R2State::Blocked);
        self.tx(now, ab::BLOCKED);
        Ok(())
    }

    /// Lifts our blocking.
    pub fn unblock(&mut self, now: Ms) -> Result<(), R2Error> {
        if self.state != R2State::Blocked || self.tx_ab != ab::BLOCKED {
            return Err(R2Error::WrongState(self.state));
        }
        self.tx(now, ab::IDLE);
        self.go_idle(now);
        Ok(())
    }

    fn clear_forward(&mut self, now: Ms, cause: Cause) {
        self.tone_off(now);
        self.timers.stop_all();
        self.reset_register();
        self.release_event(cause);
        self.tx(now, ab::CLEAR_FORWARD);
        if self.rx_ab == ab::IDLE && self.state == R2State::SeizeSent {
            self.go_idle(now);
        } else {
            self.set_state(now, R2State::ClearForwardSent);
            self.timers
                .set(R2Timer::ReleaseGuardTimeout, now + self.cfg.profile.timers.release_guard_timeout);
        }
    }

    fn forced_release(&mut self, now: Ms, cause: Cause) {
        self.tone_off(now);
        self.timers.stop_all();
        self.reject_cause = Some(cause);
        self.set_state(now, R2State::InForcedRelease);
        self.tx(now, ab::IDLE);
        self.timers.set(R2Timer::ReleaseGuardTimeout, now + self.cfg.profile.timers.release_guard_timeout);
    }

    // ---- line signalling --------------------------------------------------------------------

    /// A received ABCD nibble (only A and B are used; C and D are fixed by the variant).
    pub fn handle_bits(&mut self, now: Ms, nibble: u8) {
        let ab_bits = (nibble >> 2) & 3;
        let debounce = self.cfg.profile.timers.debounce;
        if debounce == Ms::ZERO {
            self.pending_ab = None;
            self.apply_rx(now, ab_bits);
            return;
        }
        if ab_bits == self.rx_ab {
            self.pending_ab = None;
            self.timers.stop(R2Timer::Debounce);
        } else if self.pending_ab != Some(ab_bits) {
            self.pending_ab = Some(ab_bits);
            self.timers.set(R2Timer::Debounce, now + debounce);
        }
    }

    fn apply_rx(&mut self, now: Ms, ab_bits: u8) {
        if ab_bits == self.rx_ab {
            return;
        }
        let n = self.nibble(ab_bits);
        let name = self.ab_name(ab_bits, false);
        self.trace(now, format!("CAS rx {n:04b} ({name})"));
        self.rx_ab = ab_bits;
        match (self.state, ab_bits) {
            (R2State::Idle, ab::SEIZE) => self.incoming_seize(now),
            (R2State::Idle, ab::BLOCKED) => self.set_state(now, R2State::Blocked),
            (R2State::Idle, _) => {}
            (R2State::Blocked, ab::IDLE) if self.tx_ab != ab::BLOCKED => self.go_idle(now),
            (R2State::Blocked, _) => {}
            (R2State::SeizeSent, ab::SEIZE_ACK) => {
                self.timers.stop(R2Timer::SeizeAck);
                self.events.push_back(R2Event::Proceeding);
                self.set_state(now, R2State::OutRegister);
                self.timers.set(R2Timer::Register, now + self.cfg.profile.timers.register);
                self.send_next_dnis(now);
            }
            (R2State::SeizeSent, ab::SEIZE) => {
                // Dual seizure.
                if self.cfg.glare_priority {
                    self.trace(now, "glare: keeping our seizure".into());
                } else {
                    self.trace(now, "glare: yielding to the far end".into());
                    self.timers.stop_all();
                    self.release_event(Cause::CHANNEL_UNAVAILABLE);
                    self.reset_register();
                    self.set_state(now, R2State::Idle);
                    self.incoming_seize(now);
                }
            }
            (R2State::SeizeSent, _) => {}
            (R2State::OutRegister | R2State::OutAccepted, ab::ANSWER) => {
                self.tone_off(now);
                self.timers.stop_all();
                self.set_state(now, R2State::OutAnswered);
                self.events.push_back(R2Event::Answered);
            }
            (R2State::OutAnswered, ab::CLEAR_BACK) => self.clear_forward(now, Cause::NORMAL),
            (R2State::OutRegister | R2State::OutAccepted | R2State::OutAnswered, ab::IDLE | ab::SEIZE) => {
                // Backward idle or forced release in the middle of a call.
                self.clear_forward(now, Cause::NORMAL_UNSPECIFIED);
            }
            (R2State::OutRegister | R2State::OutAccepted | R2State::OutAnswered, _) => {}
            (R2State::ClearForwardSent, ab::IDLE) => self.go_idle(now),
            (R2State::ClearForwardSent, _) => {}
            (
                R2State::InRegister
                | R2State::InOffered
                | R2State::InAccepted
                | R2State::InAnswered
                | R2State::InRejected
                | R2State::ClearBackSent,
                ab::CLEAR_FORWARD,
            ) => {
                let cause = if matches!(self.state, R2State::InRegister | R2State::InOffered) {
                    Cause::NORMAL_UNSPECIFIED
                } else {
                    self.reject_cause.unwrap_or(Cause::NORMAL)
                };
                self.tone_off(now);
                self.timers.stop_all();
                self.release_event(cause);
                self.set_state(now, R2State::ReleaseGuard);
                self.timers.set(R2Timer::ReleaseGuard, now + self.cfg.profile.timers.release_guard);
            }
            (R2State::InForcedRelease, ab::CLEAR_FORWARD) => {
                let cause = self.reject_cause.unwrap_or(Cause::NORMAL);
                self.release_event(cause);
                self.go_idle(now);
            }
            (
                R2State::InRegister
                | R2State::InOffered
                | R2State::InAccepted
                | R2State::InAnswered
                | R2State::InRejected
                | R2State::ClearBackSent
                | R2State::InForcedRelease
                | R2State::ReleaseGuard,
                _,
            ) => {}
        }
    }

    fn incoming_seize(&mut self, now: Ms) {
        self.reset_register();
        self.dnis.clear();
        self.ani.clear();
        self.category = 0;
        self.set_state(now, R2State::InRegister);
        self.tx(now, ab::SEIZE_ACK);
        let t = self.cfg.profile.timers;
        self.timers.set(R2Timer::MfCycle, now + t.mf_cycle);
        self.timers.set(R2Timer::Register, now + t.register);
    }

    // ---- register signalling ----------------------------------------------------------------

    /// MF detector output: `Some(signal)` when a tone `1..=15` starts, `None` when it stops.
    pub fn handle_tone(&mut self, now: Ms, tone: Option<u8>) {
        let tone = tone.filter(|c| (1..=15).contains(c));
        match self.state {
            R2State::OutRegister => self.forward_tone(now, tone),
            // InOffered: the group B answer to the held group II signal is still compelled.
            R2State::InRegister | R2State::InOffered => self.backward_tone(now, tone),
            _ => {
                if let Some(c) = tone {
                    self.trace(now, format!("MF rx {c} ignored in {}", self.state));
                }
            }
        }
    }

    fn forward_tone(&mut self, now: Ms, tone: Option<u8>) {
        match tone {
            Some(code) => {
                if self.rx_tone.is_some() {
                    return;
                }
                self.rx_tone = Some(code);
                self.timers.stop(R2Timer::FwdSafety);
                self.trace(now, format!("MF rx {code} on"));
                self.pending_signal = Some(code);
                self.tone_off(now);
            }
            None => {
                if self.rx_tone.take().is_none() {
                    return;
                }
                self.trace(now, "MF rx off".into());
                if let Some(sig) = self.pending_signal.take() {
                    self.forward_act(now, sig);
                }
            }
        }
    }

    fn wait_for_backward(&mut self, now: Ms, what: &str) {
        self.trace(now, format!("no more {what}: waiting for the backward side"));
        self.timers.set(R2Timer::FwdSafety, now + self.cfg.profile.timers.fwd_safety);
    }

    fn send_next_dnis(&mut self, now: Ms) {
        let next = self.dnis.chars().nth(self.dnis_pos);
        match next.and_then(digit_code) {
            Some(code) => {
                self.dnis_pos += 1;
                self.tone_on(now, code);
            }
            None => match self.cfg.profile.end_of_dnis {
                Some(end) => self.tone_on(now, end),
                None => self.wait_for_backward(now, "DNIS digits"),
            },
        }
    }

    fn send_next_ani(&mut self, now: Ms) {
        let next = self.ani.chars().nth(self.ani_pos);
        match next.and_then(digit_code) {
            Some(code) => {
                self.ani_pos += 1;
                self.tone_on(now, code);
            }
            None => {
                let p = self.cfg.profile;
                // An empty ANI is "restricted" where the variant has a signal for it.
                let end = if self.ani.is_empty() { p.ani_restricted.or(p.end_of_ani) } else { p.end_of_ani };
                // The end of the ANI closes China's ANI phase: A-1 means DNIS again.
                self.ani_phase = false;
                match end {
                    Some(end) => self.tone_on(now, end),
                    None => self.wait_for_backward(now, "ANI digits"),
                }
            }
        }
    }

    fn send_category(&mut self, now: Ms) {
        self.category_sent = true;
        self.tone_on(now, self.category);
    }

    fn forward_act(&mut self, now: Ms, sig: u8) {
        let p = self.cfg.profile;
        match self.fwd_group {
            FwdGroup::A => {
                let ga = p.ga;
                if self.ani_phase && Some(sig) == ga.next_ani {
                    self.send_next_ani(now);
                } else if sig == ga.next_dnis {
                    self.send_next_dnis(now);
                } else if Some(sig) == ga.dnis_minus_1 {
                    self.dnis_pos = self.dnis_pos.saturating_sub(2);
                    self.send_next_dnis(now);
                } else if Some(sig) == ga.category_and_gc {
                    self.fwd_group = FwdGroup::C;
                    self.send_category(now);
                } else if Some(sig) == ga.category && !self.category_sent {
                    self.ani_phase = p.explicit_ani_phase;
                    self.send_category(now);
                } else if Some(sig) == ga.next_ani && self.category_sent {
                    self.send_next_ani(now);
                } else if sig == ga.change_to_g2 {
                    self.fwd_group = FwdGroup::B;
                    self.send_category(now);
                } else if Some(sig) == ga.accept_charge {
                    self.accepted(now);
                } else if sig == ga.congestion {
                    self.clear_forward(now, Cause::NO_CIRCUIT);
                } else {
                    self.trace(now, format!("unexpected A-{sig}"));
                    self.clear_forward(now, PROTOCOL_ERROR);
                }
            }
            FwdGroup::C => {
                let Some(gc) = p.gc else {
                    self.clear_forward(now, PROTOCOL_ERROR);
                    return;
                };
                if sig == gc.next_ani {
                    self.send_next_ani(now);
                } else if sig == gc.change_to_g2 {
                    self.fwd_group = FwdGroup::B;
                    self.send_category(now);
                } else if sig == gc.next_dnis_to_ga {
                    self.fwd_group = FwdGroup::A;
                    self.send_next_dnis(now);
                } else {
                    self.trace(now, format!("unexpected C-{sig}"));
                    self.clear_forward(now, PROTOCOL_ERROR);
                }
            }
            FwdGroup::B => {
                let gb = p.gb;
                if sig == gb.accept_charge || sig == gb.accept_no_charge {
                    self.accepted(now);
                } else {
                    let cause = if sig == gb.busy {
                        Cause::BUSY
                    } else if sig == gb.unallocated || Some(sig) == gb.sit {
                        Cause::UNALLOCATED
                    } else if sig == gb.congestion {
                        Cause::NO_CIRCUIT
                    } else if Some(sig) == gb.out_of_order {
                        Cause::OUT_OF_ORDER
                    } else if Some(sig) == gb.collect_rejected {
                        Cause::REJECTED
                    } else {
                        PROTOCOL_ERROR
                    };
                    self.clear_forward(now, cause);
                }
            }
        }
    }

    fn accepted(&mut self, now: Ms) {
        self.timers.stop(R2Timer::Register);
        self.set_state(now, R2State::OutAccepted);
        self.events.push_back(R2Event::Alerting);
        self.timers.set(R2Timer::Answer, now + self.cfg.profile.timers.answer);
    }

    fn backward_tone(&mut self, now: Ms, tone: Option<u8>) {
        let t = self.cfg.profile.timers;
        match tone {
            Some(code) => {
                if self.rx_tone.is_some() || self.tx_tone.is_some() {
                    return;
                }
                self.rx_tone = Some(code);
                self.trace(now, format!("MF rx {code} on"));
                self.timers.stop(R2Timer::DigitTimeout);
                self.timers.set(R2Timer::MfCycle, now + t.mf_cycle);
                if let Some(resp) = self.backward_decide(now, code) {
                    self.tone_on(now, resp);
                }
            }
            None => {
                if self.rx_tone.take().is_none() {
                    return;
                }
                self.trace(now, "MF rx off".into());
                self.timers.set(R2Timer::MfCycle, now + t.mf_cycle);
                self.tone_off(now);
                if self.in_phase == InPhase::GroupBSent {
                    self.end_group_b(now);
                } else if self.in_phase == InPhase::Dnis
                    && self.cfg.profile.end_of_dnis.is_none()
                    && !self.dnis.is_empty()
                {
                    self.timers.set(R2Timer::DigitTimeout, now + t.digit_timeout);
                }
            }
        }
    }

    fn end_group_b(&mut self, now: Ms) {
        self.timers.stop(R2Timer::Register);
        self.timers.stop(R2Timer::MfCycle);
        self.group_b_end = Some(now);
        if self.reject_cause.is_some() {
            self.set_state(now, R2State::InRejected);
        } else {
            self.set_state(now, R2State::InAccepted);
        }
    }

    /// The signal asking for the next ANI digit in the current group, if the variant has one.
    fn ani_request(&self) -> Option<u8> {
        let p = self.cfg.profile;
        match (self.in_gc, p.gc) {
            (true, Some(gc)) => Some(gc.next_ani),
            _ => p.ga.next_ani,
        }
    }

    /// Asks for the category (which leads to the ANI), or, in a variant that cannot, goes on.
    fn ask_category(&mut self) -> u8 {
        self.category_asked = true;
        let ga = self.cfg.profile.ga;
        match (ga.category_and_gc, ga.category) {
            (Some(c), _) => {
                self.in_phase = InPhase::Category;
                self.in_gc = true;
                c
            }
            (None, Some(c)) => {
                self.in_phase = InPhase::Category;
                c
            }
            (None, None) => {
                self.ani_done = true;
                if self.dnis_complete {
                    self.change_to_g2()
                } else {
                    self.in_phase = InPhase::Dnis;
                    ga.next_dnis
                }
            }
        }
    }

    fn change_to_g2(&mut self) -> u8 {
        self.in_phase = InPhase::AwaitII;
        match (self.in_gc, self.cfg.profile.gc) {
            (true, Some(gc)) => gc.change_to_g2,
            _ => self.cfg.profile.ga.change_to_g2,
        }
    }

    fn after_dnis_complete(&mut self) -> u8 {
        if self.cfg.request_ani && !self.category_asked {
            self.ask_category()
        } else {
            self.change_to_g2()
        }
    }

    fn after_ani(&mut self) -> u8 {
        self.ani_done = true;
        if self.dnis_complete {
            self.change_to_g2()
        } else {
            self.in_phase = InPhase::Dnis;
            match (self.in_gc, self.cfg.profile.gc) {
                (true, Some(gc)) => {
                    self.in_gc = false;
                    gc.next_dnis_to_ga
                }
                _ => self.cfg.profile.ga.next_dnis,
            }
        }
    }

    fn backward_decide(&mut self, now: Ms, code: u8) -> Option<u8> {
        let p = self.cfg.profile;
        match self.in_phase {
            InPhase::Dnis => {
                if let Some(d) = code_digit(code) {
                    self.dnis.push(d);
                } else if Some(code) == p.end_of_dnis || code == 15 {
                    self.dnis_complete = true;
                } else {
                    self.trace(now, format!("unexpected I-{code} for a DNIS digit"));
                    self.forced_release(now, PROTOCOL_ERROR);
                    return None;
                }
                if self.dnis_complete || self.dnis.len() >= self.cfg.max_dnis {
                    self.dnis_complete = true;
                    Some(self.after_dnis_complete())
                } else if self.cfg.request_ani && p.ani_first && !self.category_asked {
                    Some(self.ask_category())
                } else {
                    Some(p.ga.next_dnis)
                }
            }
            InPhase::Category => {
                self.category = code;
                if self.cfg.max_ani == 0 {
                    return Some(self.after_ani());
                }
                self.in_phase = InPhase::Ani;
                match self.ani_request() {
                    Some(r) => Some(r),
                    None => Some(self.after_ani()),
                }
            }
            InPhase::Ani => {
                if let Some(d) = code_digit(code) {
                    if self.ani.len() < self.cfg.max_ani {
                        self.ani.push(d);
                    }
                    // In an explicit ANI phase the far end must close it with its end-of-ANI
                    // signal, or its next A-1 answer would still be an ANI digit.
                    if self.ani.len() >= self.cfg.max_ani && !p.explicit_ani_phase {
                        return Some(self.after_ani());
                    }
                    match self.ani_request() {
                        Some(r) => Some(r),
                        None => Some(self.after_ani()),
                    }
                } else if Some(code) == p.end_of_ani || Some(code) == p.ani_restricted || code == 15 {
                    if Some(code) == p.ani_restricted {
                        self.ani.clear();
                    }
                    Some(self.after_ani())
                } else {
                    self.trace(now, format!("unexpected I-{code} for an ANI digit"));
                    self.forced_release(now, PROTOCOL_ERROR);
                    None
                }
            }
            InPhase::AwaitII => {
                self.category = code;
                self.in_phase = InPhase::Decide;
                self.timers.stop(R2Timer::MfCycle);
                self.set_state(now, R2State::InOffered);
                self.events.push_back(R2Event::Incoming {
                    ani: self.ani.clone(),
                    dnis: self.dnis.clone(),
                    category: code,
                });
                None
            }
            InPhase::Decide | InPhase::GroupBSent => None,
        }
    }

    // ---- timers -----------------------------------------------------------------------------

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Ms) {
        while let Some(t) = self.timers.expire_one(now) {
            self.on_timer(now, t);
        }
    }

    fn on_timer(&mut self, now: Ms, t: R2Timer) {
        self.trace(now, format!("timer {t:?} expired"));
        match t {
            R2Timer::Debounce => {
                if let Some(ab_bits) = self.pending_ab.take() {
                    self.apply_rx(now, ab_bits);
                }
            }
            R2Timer::SeizeAck => {
                if self.state == R2State::SeizeSent {
                    self.clear_forward(now, Cause::TIMER_EXPIRY);
                    // No acknowledge: the line is faulty; do not wait for a release guard.
                    self.go_idle(now);
                }
            }
            R2Timer::Register => match self.state {
                R2State::OutRegister => self.clear_forward(now, Cause::TIMER_EXPIRY),
                R2State::InRegister => self.forced_release(now, Cause::TIMER_EXPIRY),
                _ => {}
            },
            R2Timer::MfCycle => {
                if self.state == R2State::InRegister {
                    self.forced_release(now, Cause::TIMER_EXPIRY);
                }
            }
            R2Timer::Answer => {
                if self.state == R2State::OutAccepted {
                    self.clear_forward(now, Cause::NO_ANSWER);
                }
            }
            R2Timer::ReleaseGuard => {
                if self.state == R2State::ReleaseGuard {
                    self.tx(now, ab::IDLE);
                    self.go_idle(now);
                }
            }
            R2Timer::ReleaseGuardTimeout => match self.state {
                R2State::ClearForwardSent => self.go_idle(now),
                R2State::InForcedRelease => {
                    let cause = self.reject_cause.unwrap_or(Cause::NORMAL);
                    self.release_event(cause);
                    self.go_idle(now);
                }
                _ => {}
            },
            R2Timer::Pulse => {
                if self.state == R2State::InRegister {
                    self.tone_off(now);
                }
            }
            R2Timer::FwdSafety => {
                if self.state == R2State::OutRegister {
                    self.clear_forward(now, Cause::TIMER_EXPIRY);
                }
            }
            R2Timer::AnswerDelay => {
                if self.state == R2State::InAccepted {
                    self.send_answer(now);
                }
            }
            R2Timer::DigitTimeout => {
                if self.state == R2State::InRegister
                    && self.in_phase == InPhase::Dnis
                    && self.tx_tone.is_none()
                    && self.rx_tone.is_none()
                {
                    self.dnis_complete = true;
                    let sig = self.after_dnis_complete();
                    self.trace(now, "DNIS complete by timeout: pulsed signal".into());
                    self.tone_on(now, sig);
                    self.timers.set(R2Timer::Pulse, now + self.cfg.profile.timers.pulse);
                }
            }
        }
    }
}
