//! [`PriSpan`]: one PRI D-channel — Q.921 below, Q.931 call control above, B-channel selection
//! and the call-level API (`originate`, `alert`, `answer`, `release`) — as a sans-IO machine.
//!
//! Inputs: [`PriSpan::handle_frame`] (a LAPD frame without FCS), [`PriSpan::handle_timeout`],
//! the commands. Outputs: [`PriSpan::poll_transmit`], [`PriSpan::poll_event`],
//! [`PriSpan::poll_timeout`], [`PriSpan::take_traces`].

use std::collections::VecDeque;

use thiserror::Error;

use super::call::{Call, CallId, CallState, CallTimer, Q931Timers};
use super::cause::Cause;
use super::ie::{
    BearerCapability, CauseIe, ChannelId, ChannelSelection, Ie, PartyNumber, IE_BEARER, IE_CALL_STATE,
    IE_CAUSE, IE_CHANNEL_ID, IE_RESTART,
};
use super::message::{CallRef, MessageRepr, MsgType};
use super::q921::{LinkEvent, Q921Config, Q921};
use super::trace::describe_frame;
use super::{Role, Variant};
use crate::signalling::time::{Ms, TimerTable};

/// Cause location we put in the cause IEs we send.
fn our_location(role: Role) -> u8 {
    match role {
        Role::User => 0,
        Role::Network => 2,
    }
}

/// Most trace lines kept between two [`PriSpan::take_traces`] calls.
const MAX_TRACES: usize = 20_000;

/// Configuration of one PRI D-channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriConfig {
    /// Network or user side.
    pub role: Role,
    /// Switch type.
    pub variant: Variant,
    /// Q.921 timers and window.
    pub q921: Q921Config,
    /// Q.931 timers.
    pub timers: Q931Timers,
    /// Answer a SETUP without "sending complete" with SETUP ACKNOWLEDGE and collect digits
    /// (overlap receiving) instead of treating the number as complete.
    pub overlap_receiving: bool,
    /// Put a decoded line for every frame sent or received into the trace.
    pub trace_frames: bool,
}

impl PriConfig {
    /// Defaults for `role` on `variant`.
    pub fn new(role: Role, variant: Variant) -> Self {
        Self {
            role,
            variant,
            q921: Q921Config::default(),
            timers: Q931Timers::default(),
            overlap_receiving: false,
            trace_frames: true,
        }
    }
}

/// B-channel preference for an outgoing call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelPref {
    /// Any free channel (the network hunts upwards, the user side downwards to limit glare).
    Any,
    /// This channel if free (another one otherwise); the far end may choose another.
    Preferred(u8),
    /// This channel only.
    Exclusive(u8),
}

/// What to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginateRequest {
    /// Called number.
    pub dnis: String,
    /// Calling number (may be empty).
    pub ani: String,
    /// B-channel preference.
    pub channel: ChannelPref,
    /// Whether `dnis` is complete (sending complete IE); false starts overlap sending.
    pub sending_complete: bool,
    /// Optional display text.
    pub display: Option<String>,
}

impl OriginateRequest {
    /// An en-bloc call to `dnis` from `ani` on any channel.
    pub fn new(dnis: &str, ani: &str) -> Self {
        Self {
            dnis: dnis.to_string(),
            ani: ani.to_string(),
            channel: ChannelPref::Any,
            sending_complete: true,
            display: None,
        }
    }

    /// The same request with another channel preference.
    pub fn on(mut self, channel: ChannelPref) -> Self {
        self.channel = channel;
        self
    }
}

/// Events for the call layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// The D-channel (multiple-frame operation) is up.
    LinkUp,
    /// The D-channel is down; every call on the span has been released with `cause`.
    LinkDown {
        /// Cause given to the released calls.
        cause: Cause,
    },
    /// A new incoming call with a complete number.
    Incoming {
        /// Handle.
        call: CallId,
        /// Calling number (empty if absent).
        ani: String,
        /// Called number.
        dnis: String,
        /// Calling party category (not carried by Q.931; `None` on PRI).
        category: Option<u8>,
        /// B-channel.
        channel: u8,
    },
    /// SETUP ACKNOWLEDGE: send more digits with [`PriSpan::send_digits`].
    MoreDigits {
        /// Handle.
        call: CallId,
    },
    /// Overlap receiving: digits arrived in INFORMATION.
    Digits {
        /// Handle.
        call: CallId,
        /// The new digits.
        digits: String,
    },
    /// CALL PROCEEDING received.
    Proceeding {
        /// Handle.
        call: CallId,
        /// B-channel confirmed by the far end.
        channel: Option<u8>,
    },
    /// ALERTING received (the callee is ringing).
    Alerting {
        /// Handle.
        call: CallId,
        /// In-band tones/announcements available (progress indicator 8).
        inband: bool,
    },
    /// PROGRESS received.
    Progress {
        /// Handle.
        call: CallId,
        /// Progress description (8 = in-band information).
        description: u8,
    },
    /// CONNECT received: the callee answered.
    Answered {
        /// Handle.
        call: CallId,
    },
    /// The call is gone and its B-channel free.
    Released {
        /// Handle.
        call: CallId,
        /// Clearing cause.
        cause: Cause,
    },
    /// B-channels were restarted (RESTART received, or our RESTART acknowledged).
    Restarted {
        /// Channels, or `None` for the whole interface.
        channels: Option<Vec<u8>>,
        /// True when the far end asked for the restart.
        remote: bool,
    },
    /// STATUS received for a call.
    Status {
        /// Handle.
        call: CallId,
        /// Far-end call state number.
        peer_state: u8,
        /// Cause in the STATUS.
        cause: Cause,
    },
}

/// Errors from the call commands.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PriError {
    /// The D-channel is not up.
    #[error("D-channel is down")]
    LinkDown,
    /// No free B-channel.
    #[error("no free B-channel")]
    NoChannel,
    /// The requested B-channel is in use.
    #[error("B-channel {0} is busy")]
    ChannelBusy(u8),
    /// The requested channel is not a B-channel of this span.
    #[error("{0} is not a B-channel of this span")]
    InvalidChannel(u8),
    /// No such call (already released?).
    #[error("unknown {0}")]
    UnknownCall(CallId),
    /// The command does not fit the call state.
    #[error("{call}: cannot {action} in state {state:?}")]
    WrongState {
        /// Handle.
        call: CallId,
        /// Current state.
        state: CallState,
        /// The command.
        action: &'static str,
    },
    /// A number with characters other than 0-9 * #.
    #[error("invalid number {0:?}")]
    InvalidNumber(String),
}

/// One ISDN PRI D-channel with its calls.
#[derive(Debug, Clone)]
pub struct PriSpan {
    cfg: PriConfig,
    l2: Q921,
    calls: Vec<Call>,
    next_id: u32,
    next_cr: u16,
    events: VecDeque<CallEvent>,
    traces: Vec<String>,
    now: Ms,
    link_up: bool,
    physical_up: bool,
    restart: Option<(MessageRepr, Ms, u8)>,
}

fn valid_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
}

impl PriSpan {
    /// A span with the D-channel down; call [`PriSpan::start`] to bring it up.
    pub fn new(cfg: PriConfig) -> Self {
        let l2 = Q921::new(cfg.role, cfg.q921);
        Self {
            cfg,
            l2,
            calls: Vec::new(),
            next_id: 1,
            next_cr: 1,
            events: VecDeque::new(),
            traces: Vec::new(),
            now: Ms::ZERO,
            link_up: false,
            physical_up: true,
            restart: None,
        }
    }

    /// Configuration.
    pub fn config(&self) -> &PriConfig {
        &self.cfg
    }

    /// Starts layer 2 establishment (SABME).
    pub fn start(&mut self, now: Ms) {
        self.now = now;
        self.l2.establish(now);
        self.pump_l2();
    }

    /// Whether the D-channel is up.
    pub fn is_link_up(&self) -> bool {
        self.link_up
    }

    /// The layer 2 entity (state, counters).
    pub fn q921(&self) -> &Q921 {
        &self.l2
    }

    /// Q.931 state of a call.
    pub fn call_state(&self, call: CallId) -> Option<CallState> {
        self.calls.iter().find(|c| c.id == call).map(|c| c.state)
    }

    /// B-channel of a call.
    pub fn call_channel(&self, call: CallId) -> Option<u8> {
        self.calls.iter().find(|c| c.id == call).and_then(|c| c.channel)
    }

    /// The calls not yet released (state, channel, numbers), for diagnostics.
    pub fn calls(&self) -> impl Iterator<Item = &super::call::Call> + '_ {
        self.calls.iter()
    }

    /// Number of calls not yet released.
    pub fn active_calls(&self) -> usize {
        self.calls.len()
    }

    /// Drains the trace lines (state changes `A=>B` and, if enabled, decoded frames).
    pub fn take_traces(&mut self) -> Vec<String> {
        self.collect_l2_traces();
        std::mem::take(&mut self.traces)
    }

    fn trace(&mut self, line: String) {
        if self.traces.len() >= MAX_TRACES {
            self.traces.drain(..MAX_TRACES / 10);
        }
        self.traces.push(line);
    }

    fn collect_l2_traces(&mut self) {
        for t in self.l2.take_traces() {
            self.trace(t);
        }
    }

    /// Handles one received LAPD frame (without FCS). Never panics.
    pub fn handle_frame(&mut self, now: Ms, frame: &[u8]) {
        self.now = now;
        if self.cfg.trace_frames {
            let line = format!("{now} rx {}", describe_frame(frame));
            self.trace(line);
        }
        if !self.physical_up {
            return;
        }
        self.l2.handle_frame(now, frame);
        self.pump_l2();
    }

    /// Next frame to send on the D-channel (without FCS).
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let f = self.l2.poll_transmit()?;
        if self.cfg.trace_frames {
            let line = format!("{} tx {}", self.now, describe_frame(&f));
            self.trace(line);
        }
        Some(f)
    }

    /// Next call event.
    pub fn poll_event(&mut self) -> Option<CallEvent> {
        self.events.pop_front()
    }

    /// When [`PriSpan::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Ms> {
        let calls = self.calls.iter().filter_map(|c| c.timers.next_timeout());
        let restart = self.restart.as_ref().map(|r| r.1);
        calls.chain(restart).chain(self.l2.poll_timeout()).min()
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Ms) {
        self.now = now;
        self.l2.handle_timeout(now);
        self.pump_l2();
        let ids: Vec<CallId> = self.calls.iter().map(|c| c.id).collect();
        for id in ids {
            while let Some(idx) = self.idx(id) {
                let Some(t) = self.calls[idx].timers.expire_one(now) else {
                    break;
                };
                self.call_timer(idx, t);
            }
        }
        if let Some((msg, at, tries)) = self.restart.clone() {
            if at <= now {
                if tries < 2 {
                    self.trace(format!("{now} Q931 T316 expired: repeating RESTART"));
                    self.send_msg(msg.clone());
                    self.restart = Some((msg, now + self.cfg.timers.t316, tries + 1));
                } else {
                    self.trace(format!("{now} Q931 T316 expired: RESTART abandoned"));
                    self.restart = None;
                }
            }
        }
    }

    /// The physical layer went into or out of alarm. Going down releases every call (cause 27)
    /// without signalling; coming back re-establishes layer 2.
    pub fn set_physical(&mut self, now: Ms, up: bool) {
        self.now = now;
        if up == self.physical_up {
            return;
        }
        self.physical_up = up;
        if up {
            self.l2.establish(now);
        } else {
            self.l2.physical_down(now);
        }
        self.pump_l2();
    }

    fn pump_l2(&mut self) {
        self.collect_l2_traces();
        while let Some(ev) = self.l2.poll_event() {
            match ev {
                LinkEvent::Established { reset } => {
                    if !self.link_up {
                        self.link_up = true;
                        self.events.push_back(CallEvent::LinkUp);
                    }
                    if reset {
                        self.link_reset();
                    }
                }
                LinkEvent::Down(reason) => {
                    self.trace(format!("{} Q931 data link down ({reason:?})", self.now));
                    let cause = Cause::DESTINATION_OUT_OF_ORDER;
                    if self.link_up {
                        self.link_up = false;
                        let ids: Vec<CallId> = self.calls.iter().map(|c| c.id).collect();
                        for id in ids {
                            if let Some(idx) = self.idx(id) {
                                self.calls[idx].cause.get_or_insert(cause);
                                self.enter_null(idx);
                            }
                        }
                        self.restart = None;
                        self.events.push_back(CallEvent::LinkDown { cause });
                    }
                    if self.physical_up && !self.l2.is_established() {
                        self.l2.establish(self.now);
                    }
                }
                LinkEvent::Data(bytes) => self.rx_message(&bytes),
            }
            self.collect_l2_traces();
        }
    }

    /// Q.931 §5.8.8: after a data-link reset, clear calls that are not active and check the
    /// active ones with STATUS ENQUIRY.
    fn link_reset(&mut self) {
        let ids: Vec<CallId> = self.calls.iter().map(|c| c.id).collect();
        for id in ids {
            let Some(idx) = self.idx(id) else { continue };
            if self.calls[idx].state == CallState::Active {
                self.send_status_enquiry(idx);
            } else {
                self.calls[idx].cause.get_or_insert(Cause::TEMPORARY_FAILURE);
                self.enter_null(idx);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    fn idx(&self, id: CallId) -> Option<usize> {
        self.calls.iter().position(|c| c.id == id)
    }

    fn find_cr(&self, cr: u16, outgoing: bool) -> Option<usize> {
        self.calls.iter().position(|c| c.cr == cr && c.outgoing == outgoing)
    }

    fn call_ref(&self, idx: usize) -> CallRef {
        let c = &self.calls[idx];
        CallRef::Value { value: c.cr, flag: !c.outgoing, len: 2 }
    }

    fn set_state(&mut self, idx: usize, new: CallState) {
        let role = self.cfg.role;
        let c = &mut self.calls[idx];
        if c.state != new {
            let line = format!(
                "{} Q931 {} cr={} {}=>{}",
                self.now,
                c.id,
                c.cr,
                c.state.label(role),
                new.label(role)
            );
            c.state = new;
            self.trace(line);
        }
    }

    fn send_msg(&mut self, msg: MessageRepr) {
        self.l2.send_data(self.now, msg.emit());
        self.collect_l2_traces();
    }

    fn msg(&self, idx: usize, t: MsgType) -> MessageRepr {
        MessageRepr::new(self.call_ref(idx), t)
    }

    fn cause_ie(&self, cause: Cause) -> Ie {
        Ie::Cause(CauseIe::new(cause.0, our_location(self.cfg.role)))
    }

    fn channel_busy(&self, chan: u8, except: Option<usize>) -> bool {
        self.calls.iter().enumerate().any(|(i, c)| Some(i) != except && c.channel == Some(chan))
    }

    fn pick_channel(&self) -> Option<u8> {
        let mut all = self.cfg.variant.bchannels();
        if self.cfg.role == Role::User {
            all.reverse();
        }
        all.into_iter().find(|&c| !self.channel_busy(c, None))
    }

    fn new_call(&mut self, cr: u16, outgoing: bool, state: CallState) -> usize {
        let id = CallId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.calls.push(Call {
            id,
            cr,
            outgoing,
            state,
            channel: None,
            exclusive: false,
            channel_confirmed: false,
            dnis: String::new(),
            ani: String::new(),
            reported: false,
            cause: None,
            timers: TimerTable::default(),
            retries: 0,
            setup: None,
            created: self.now,
            answered: None,
        });
        let idx = self.calls.len() - 1;
        let role = self.cfg.role;
        self.trace(format!(
            "{} Q931 {id} cr={cr} {}=>{}",
            self.now,
            CallState::Null.label(role),
            state.label(role)
        ));
        idx
    }

    fn alloc_cr(&mut self) -> u16 {
        for _ in 0..0x7FFF {
            let cr = self.next_cr;
            self.next_cr = if self.next_cr >= 0x7FFF { 1 } else { self.next_cr + 1 };
            if self.find_cr(cr, true).is_none() {
                return cr;
            }
        }
        1
    }

    /// Moves a call to Null, reports `Released` and forgets it.
    fn enter_null(&mut self, idx: usize) {
        self.set_state(idx, CallState::Null);
        let c = self.calls.remove(idx);
        let cause = c.cause.unwrap_or(Cause::NORMAL_UNSPECIFIED);
        self.events.push_back(CallEvent::Released { call: c.id, cause });
    }

    fn start_timer(&mut self, idx: usize, t: CallTimer) {
        let d = match t {
            CallTimer::T301 => self.cfg.timers.t301,
            CallTimer::T302 => self.cfg.timers.t302,
            CallTimer::T303 => self.cfg.timers.t303,
            CallTimer::T305 => self.cfg.timers.t305,
            CallTimer::T308 => self.cfg.timers.t308,
            CallTimer::T310 => self.cfg.timers.t310,
            CallTimer::T313 => self.cfg.timers.t313,
            CallTimer::T322 => self.cfg.timers.t322,
        };
        let now = self.now;
        self.calls[idx].timers.set(t, now + d);
    }

    fn get(&self, id: CallId) -> Result<usize, PriError> {
        self.idx(id).ok_or(PriError::UnknownCall(id))
    }

    fn wrong(&self, idx: usize, action: &'static str) -> PriError {
        PriError::WrongState { call: self.calls[idx].id, state: self.calls[idx].state, action }
    }

    fn channel_ie_if_first(&mut self, idx: usize, msg: &mut MessageRepr) {
        let c = &mut self.calls[idx];
        if !c.channel_confirmed {
            if let Some(ch) = c.channel {
                msg.ies.push(Ie::ChannelId(ChannelId::bchannel(ch, true)));
            }
            c.channel_confirmed = true;
        }
    }

    // ------------------------------------------------------------------ commands

    /// Places a call: sends SETUP and returns its handle. `Proceeding`, `Alerting`, `Answered`
    /// and finally `Released` follow as events.
    pub fn originate(&mut self, now: Ms, req: &OriginateRequest) -> Result<CallId, PriError> {
        self.now = now;
        if !self.link_up {
            return Err(PriError::LinkDown);
        }
        if !valid_digits(&req.dnis) || (req.dnis.is_empty() && req.sending_complete) {
            return Err(PriError::InvalidNumber(req.dnis.clone()));
        }
        if !valid_digits(&req.ani) {
            return Err(PriError::InvalidNumber(req.ani.clone()));
        }
        let (chan, exclusive) = match req.channel {
            ChannelPref::Any => (self.pick_channel().ok_or(PriError::NoChannel)?, false),
            ChannelPref::Preferred(c) => {
                if !self.cfg.variant.is_bchannel(c) {
                    return Err(PriError::InvalidChannel(c));
                }
                if self.channel_busy(c, None) {
                    (self.pick_channel().ok_or(PriError::NoChannel)?, false)
                } else {
                    (c, false)
                }
            }
            ChannelPref::Exclusive(c) => {
                if !self.cfg.variant.is_bchannel(c) {
                    return Err(PriError::InvalidChannel(c));
                }
                if self.channel_busy(c, None) {
                    return Err(PriError::ChannelBusy(c));
                }
                (c, true)
            }
        };
        let cr = self.alloc_cr();
        let idx = self.new_call(cr, true, CallState::CallInitiated);
        {
            let c = &mut self.calls[idx];
            c.channel = Some(chan);
            c.exclusive = exclusive;
            c.dnis = req.dnis.clone();
            c.ani = req.ani.clone();
        }
        let mut m = self.msg(idx, MsgType::Setup);
        if req.sending_complete {
            m.ies.push(Ie::SendingComplete);
        }
        m.ies.push(Ie::Bearer(BearerCapability::speech(self.cfg.variant.layer1())));
        m.ies.push(Ie::ChannelId(ChannelId::bchannel(chan, exclusive)));
        if let Some(d) = &req.display {
            m.ies.push(Ie::Display(d.clone()));
        }
        if !req.ani.is_empty() {
            m.ies.push(Ie::Calling(PartyNumber {
                ton: 0,
                plan: 1,
                presentation: Some((0, 0)),
                digits: req.ani.clone(),
            }));
        }
        if !req.dnis.is_empty() {
            m.ies.push(Ie::Called(PartyNumber::e164(&req.dnis)));
        }
        self.calls[idx].setup = Some(m.emit());
        self.send_msg(m);
        self.start_timer(idx, CallTimer::T303);
        Ok(self.calls[idx].id)
    }

    /// Overlap sending: sends more digits (INFORMATION) after `MoreDigits`.
    pub fn send_digits(
        &mut self,
        now: Ms,
        call: CallId,
        digits: &str,
        complete: bool,
    ) -> Result<(), PriError> {
        self.now = now;
        let idx = self.get(call)?;
        if !valid_digits(digits) {
            return Err(PriError::InvalidNumber(digits.to_string()));
        }
        if !matches!(self.calls[idx].state, CallState::OverlapSending | CallState::CallInitiated) {
            return Err(self.wrong(idx, "send digits"));
        }
        self.calls[idx].dnis.push_str(digits);
        let mut m = self.msg(idx, MsgType::Information);
        if complete {
            m.ies.push(Ie::SendingComplete);
        }
        m.ies.push(Ie::Called(PartyNumber::e164(digits)));
        self.send_msg(m);
        Ok(())
    }

    /// Incoming call: sends CALL PROCEEDING (the number is complete, we are handling it).
    pub fn proceeding(&mut self, now: Ms, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let idx = self.get(call)?;
        if !matches!(self.calls[idx].state, CallState::CallPresent | CallState::OverlapReceiving) {
            return Err(self.wrong(idx, "send CALL PROCEEDING"));
        }
        let mut m = self.msg(idx, MsgType::CallProceeding);
        self.channel_ie_if_first(idx, &mut m);
        self.calls[idx].timers.stop(CallTimer::T302);
        self.send_msg(m);
        self.set_state(idx, CallState::IncomingCallProceeding);
        Ok(())
    }

    /// Incoming call: sends ALERTING (the callee is being rung), with in-band progress if
    /// `inband` (the caller hears our ringback on the B-channel).
    pub fn alert(&mut self, now: Ms, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let idx = self.get(call)?;
        if !matches!(
            self.calls[idx].state,
            CallState::CallPresent | CallState::OverlapReceiving | CallState::IncomingCallProceeding
        ) {
            return Err(self.wrong(idx, "send ALERTING"));
        }
        let mut m = self.msg(idx, MsgType::Alerting);
        self.channel_ie_if_first(idx, &mut m);
        self.calls[idx].timers.stop(CallTimer::T302);
        self.send_msg(m);
        self.set_state(idx, CallState::CallReceived);
        Ok(())
    }

    /// Incoming call: sends CONNECT.
    pub fn answer(&mut self, now: Ms, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let idx = self.get(call)?;
        if !matches!(
            self.calls[idx].state,
            CallState::CallPresent
                | CallState::OverlapReceiving
                | CallState::IncomingCallProceeding
                | CallState::CallReceived
        ) {
            return Err(self.wrong(idx, "answer"));
        }
        let mut m = self.msg(idx, MsgType::Connect);
        self.channel_ie_if_first(idx, &mut m);
        self.calls[idx].timers.stop(CallTimer::T302);
        self.calls[idx].answered = Some(now);
        self.send_msg(m);
        match self.cfg.role {
            Role::User => {
                self.set_state(idx, CallState::ConnectRequest);
                self.start_timer(idx, CallTimer::T313);
            }
            Role::Network => self.set_state(idx, CallState::Active),
        }
        Ok(())
    }

    /// Clears a call with `cause` (idempotent: releasing a call already clearing or gone is Ok).
    pub fn release(&mut self, now: Ms, call: CallId, cause: Cause) -> Result<(), PriError> {
        self.now = now;
        let Some(idx) = self.idx(call) else {
            return Ok(());
        };
        let state = self.calls[idx].state;
        if state.is_clearing() || state == CallState::Null {
            return Ok(());
        }
        self.calls[idx].cause.get_or_insert(cause);
        if state == CallState::CallPresent && !self.calls[idx].channel_confirmed {
            let m = self.msg(idx, MsgType::ReleaseComplete).with(self.cause_ie(cause));
            self.send_msg(m);
            self.enter_null(idx);
            return Ok(());
        }
        self.disconnect(idx, cause);
        Ok(())
    }

    fn disconnect(&mut self, idx: usize, cause: Cause) {
        self.calls[idx].cause.get_or_insert(cause);
        self.calls[idx].timers.stop_all();
        let m = self.msg(idx, MsgType::Disconnect).with(self.cause_ie(cause));
        self.send_msg(m);
        self.set_state(idx, CallState::DisconnectRequest);
        self.start_timer(idx, CallTimer::T305);
    }

    fn send_release(&mut self, idx: usize, with_cause: Option<Cause>) {
        self.calls[idx].timers.stop_all();
        let mut m = self.msg(idx, MsgType::Release);
        if let Some(c) = with_cause {
            m.ies.push(self.cause_ie(c));
        }
        self.send_msg(m);
        self.calls[idx].retries = 0;
        self.set_state(idx, CallState::ReleaseRequest);
        self.start_timer(idx, CallTimer::T308);
    }

    /// Diagnostics and conformance tests: sends `msg` as given (not validated) in an I-frame.
    pub fn inject_message(&mut self, now: Ms, msg: Vec<u8>) {
        self.now = now;
        self.l2.send_data(now, msg);
        self.collect_l2_traces();
    }

    /// Asks the far end for its state of `call` (STATUS ENQUIRY, T322).
    pub fn status_enquiry(&mut self, now: Ms, call: CallId) -> Result<(), PriError> {
        self.now = now;
        let idx = self.get(call)?;
        self.send_status_enquiry(idx);
        Ok(())
    }

    fn send_status_enquiry(&mut self, idx: usize) {
        let m = self.msg(idx, MsgType::StatusEnquiry);
        self.send_msg(m);
        self.start_timer(idx, CallTimer::T322);
    }

    /// Sends RESTART for one B-channel (`Some`) or the whole interface (`None`); local calls
    /// on those channels are released with cause 41 (temporary failure).
    pub fn restart(&mut self, now: Ms, channel: Option<u8>) -> Result<(), PriError> {
        self.now = now;
        if !self.link_up {
            return Err(PriError::LinkDown);
        }
        let mut m = MessageRepr::new(CallRef::global(), MsgType::Restart);
        match channel {
            Some(c) => {
                if !self.cfg.variant.is_bchannel(c) {
                    return Err(PriError::InvalidChannel(c));
                }
                m.ies.push(Ie::ChannelId(ChannelId::bchannel(c, true)));
                m.ies.push(Ie::RestartIndicator(0));
            }
            None => m.ies.push(Ie::RestartIndicator(7)),
        }
        self.clear_channels(channel.map(|c| vec![c]).as_deref());
        self.send_msg(m.clone());
        self.restart = Some((m, now + self.cfg.timers.t316, 0));
        Ok(())
    }

    fn clear_channels(&mut self, channels: Option<&[u8]>) {
        let ids: Vec<CallId> = self
            .calls
            .iter()
            .filter(|c| match (channels, c.channel) {
                (None, _) => true,
                (Some(list), Some(ch)) => list.contains(&ch),
                (Some(_), None) => false,
            })
            .map(|c| c.id)
            .collect();
        for id in ids {
            if let Some(idx) = self.idx(id) {
                self.calls[idx].cause.get_or_insert(Cause::TEMPORARY_FAILURE);
                self.enter_null(idx);
            }
        }
    }

    // ------------------------------------------------------------------ timers

    fn call_timer(&mut self, idx: usize, t: CallTimer) {
        let now = self.now;
        let state = self.calls[idx].state;
        self.trace(format!(
            "{now} Q931 {} {t:?} expired in {}",
            self.calls[idx].id,
            state.label(self.cfg.role)
        ));
        match (t, state) {
            (CallTimer::T303, CallState::CallInitiated) => {
                if self.calls[idx].retries == 0 {
                    self.calls[idx].retries = 1;
                    if let Some(setup) = self.calls[idx].setup.clone() {
                        self.l2.send_data(now, setup);
                    }
                    self.start_timer(idx, CallTimer::T303);
                } else {
                    self.calls[idx].cause.get_or_insert(Cause::TIMER_EXPIRY);
                    let m = self.msg(idx, MsgType::ReleaseComplete).with(self.cause_ie(Cause::TIMER_EXPIRY));
                    self.send_msg(m);
                    self.enter_null(idx);
                }
            }
            (CallTimer::T310, CallState::OutgoingCallProceeding) => self.disconnect(idx, Cause::TIMER_EXPIRY),
            (CallTimer::T301, CallState::CallDelivered) => self.disconnect(idx, Cause::NO_ANSWER),
            (CallTimer::T313, CallState::ConnectRequest) => self.disconnect(idx, Cause::TIMER_EXPIRY),
            (CallTimer::T305, CallState::DisconnectRequest) => {
                let c = self.calls[idx].cause;
                self.send_release(idx, c);
            }
            (CallTimer::T308, CallState::ReleaseRequest) => {
                if self.calls[idx].retries == 0 {
                    let c = self.calls[idx].cause;
                    self.send_release(idx, c);
                    self.calls[idx].retries = 1;
                } else {
                    let ch = self.calls[idx].channel;
                    self.trace(format!(
                        "{now} Q931 T308 expired twice: B-channel {ch:?} should be restarted"
                    ));
                    self.calls[idx].cause.get_or_insert(Cause::TIMER_EXPIRY);
                    self.enter_null(idx);
                }
            }
            (CallTimer::T302, CallState::OverlapReceiving) => {
                if self.calls[idx].dnis.is_empty() {
                    self.disconnect(idx, Cause::INVALID_NUMBER_FORMAT);
                } else {
                    self.report_incoming(idx);
                }
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------ receive

    fn rx_message(&mut self, bytes: &[u8]) {
        let m = match MessageRepr::parse(bytes) {
            Ok(m) => m,
            Err(e) => {
                self.trace(format!("{} Q931 message ignored: {e}", self.now));
                return;
            }
        };
        let (value, flag) = match m.call_ref {
            CallRef::Dummy => {
                self.trace(format!("{} Q931 dummy call reference ignored", self.now));
                return;
            }
            CallRef::Value { value, flag, .. } => (value, flag),
        };
        if value == 0 {
            self.rx_global(&m);
            return;
        }
        // flag 0: sent by the side that allocated the CR, i.e. the far end's call.
        match self.find_cr(value, flag) {
            Some(idx) => self.rx_call(idx, &m),
            None => self.rx_unknown_cr(value, flag, &m),
        }
    }

    fn reply_ref(value: u16, flag: bool) -> CallRef {
        CallRef::Value { value, flag: !flag, len: 2 }
    }

    fn rx_unknown_cr(&mut self, value: u16, flag: bool, m: &MessageRepr) {
        let r = Self::reply_ref(value, flag);
        match m.msg_type {
            MsgType::Setup if !flag => self.rx_setup(value, m),
            MsgType::Setup | MsgType::ReleaseComplete => {}
            MsgType::StatusEnquiry => {
                let s = MessageRepr::new(r, MsgType::Status)
                    .with(self.cause_ie(Cause::STATUS_ENQUIRY_RESPONSE))
                    .with(Ie::CallState(0));
                self.send_msg(s);
            }
            MsgType::Status => {
                let peer = m.ies.iter().find_map(|ie| match ie {
                    Ie::CallState(s) => Some(*s),
                    _ => None,
                });
                if peer.is_some_and(|s| s != 0) {
                    let rc =
                        MessageRepr::new(r, MsgType::ReleaseComplete).with(self.cause_ie(Cause::WRONG_STATE));
                    self.send_msg(rc);
                }
            }
            _ => {
                let rc = MessageRepr::new(r, MsgType::ReleaseComplete)
                    .with(self.cause_ie(Cause::INVALID_CALL_REFERENCE));
                self.send_msg(rc);
            }
        }
    }

    fn rx_global(&mut self, m: &MessageRepr) {
        match m.msg_type {
            MsgType::Restart => {
                let class = m.ies.iter().find_map(|ie| match ie {
                    Ie::RestartIndicator(v) => Some(*v),
                    _ => None,
                });
                let Some(class) = class else {
                    let cause = if m.is_bad(IE_RESTART) {
                        Cause::INVALID_IE_CONTENTS
                    } else {
                        Cause::MANDATORY_IE_MISSING
                    };
                    let s = MessageRepr::new(CallRef::global(), MsgType::Status)
                        .with(self.cause_ie(cause))
                        .with(Ie::CallState(0));
                    self.send_msg(s);
                    return;
                };
                let channels: Option<Vec<u8>> = if class == 0 {
                    match m.channel_id().map(|c| &c.selection) {
                        Some(ChannelSelection::Channels(v)) => Some(v.clone()),
                        _ => None,
                    }
                } else {
                    None
                };
                self.clear_channels(channels.as_deref());
                let mut ack =
                    MessageRepr::new(CallRef::Value { value: 0, flag: true, len: 2 }, MsgType::RestartAck);
                if let Some(c) = m.channel_id() {
                    ack.ies.push(Ie::ChannelId(c.clone()));
                }
                ack.ies.push(Ie::RestartIndicator(class));
                self.send_msg(ack);
                self.events.push_back(CallEvent::Restarted { channels, remote: true });
            }
            MsgType::RestartAck => {
                if self.restart.take().is_some() {
                    let channels = match m.channel_id().map(|c| &c.selection) {
                        Some(ChannelSelection::Channels(v)) => Some(v.clone()),
                        _ => None,
                    };
                    self.events.push_back(CallEvent::Restarted { channels, remote: false });
                }
            }
            _ => self.trace(format!(
                "{} Q931 {} on the global call reference ignored",
                self.now,
                m.msg_type.name()
            )),
        }
    }

    fn rx_setup(&mut self, cr: u16, m: &MessageRepr) {
        let r = Self::reply_ref(cr, false);
        let reject = |me: &mut Self, cause: Cause| {
            me.trace(format!("{} Q931 SETUP cr={cr} rejected: {cause}", me.now));
            let rc = MessageRepr::new(r, MsgType::ReleaseComplete).with(me.cause_ie(cause));
            me.send_msg(rc);
        };
        if m.ie(IE_BEARER).is_none() {
            let cause =
                if m.is_bad(IE_BEARER) { Cause::INVALID_IE_CONTENTS } else { Cause::MANDATORY_IE_MISSING };
            return reject(self, cause);
        }
        if m.is_bad(IE_CHANNEL_ID) {
            return reject(self, Cause::INVALID_IE_CONTENTS);
        }
        let chan_ie = m.channel_id().cloned();
        if chan_ie.is_none() && self.cfg.role == Role::User {
            return reject(self, Cause::MANDATORY_IE_MISSING);
        }
        let requested = chan_ie.as_ref().and_then(|c| c.first());
        let exclusive = chan_ie.as_ref().is_some_and(|c| c.exclusive);
        let chan = match requested {
            Some(c) if !self.cfg.variant.is_bchannel(c) => return reject(self, Cause::CHANNEL_UNACCEPTABLE),
            Some(c) => {
                let holder = self.calls.iter().position(|x| x.channel == Some(c));
                match holder {
                    None => c,
                    Some(h)
                        if self.cfg.role == Role::User
                            && self.calls[h].outgoing
                            && self.calls[h].state == CallState::CallInitiated =>
                    {
                        // Glare: the network wins. Our SETUP will be refused (cause 44/34);
                        // the incoming call takes the channel.
                        self.trace(format!(
                            "{} Q931 glare on B{c}: network call wins, {} gives up the channel",
                            self.now, self.calls[h].id
                        ));
                        self.calls[h].channel = None;
                        c
                    }
                    Some(_) if exclusive => {
                        return reject(self, Cause::CHANNEL_NOT_AVAILABLE);
                    }
                    Some(_) => match self.pick_channel() {
                        Some(c) => c,
                        None => return reject(self, Cause::NO_CIRCUIT),
                    },
                }
            }
            None => match self.pick_channel() {
                Some(c) => c,
                None => return reject(self, Cause::NO_CIRCUIT),
            },
        };
        let idx = self.new_call(cr, false, CallState::CallPresent);
        {
            let c = &mut self.calls[idx];
            c.channel = Some(chan);
            c.dnis = m.called().map(|n| n.digits.clone()).unwrap_or_default();
            c.ani = m.calling().map(|n| n.digits.clone()).unwrap_or_default();
        }
        if self.cfg.overlap_receiving && !m.sending_complete() {
            let mut ack = self.msg(idx, MsgType::SetupAck);
            self.channel_ie_if_first(idx, &mut ack);
            self.send_msg(ack);
            self.set_state(idx, CallState::OverlapReceiving);
            self.start_timer(idx, CallTimer::T302);
        } else {
            self.report_incoming(idx);
        }
    }

    fn report_incoming(&mut self, idx: usize) {
        let c = &mut self.calls[idx];
        if c.reported {
            return;
        }
        c.reported = true;
        let ev = CallEvent::Incoming {
            call: c.id,
            ani: c.ani.clone(),
            dnis: c.dnis.clone(),
            category: None,
            channel: c.channel.unwrap_or(0),
        };
        self.events.push_back(ev);
    }

    fn send_status(&mut self, idx: usize, cause: Cause) {
        let st = self.calls[idx].state.number();
        let m = self.msg(idx, MsgType::Status).with(self.cause_ie(cause)).with(Ie::CallState(st));
        self.send_msg(m);
    }

    /// The channel from a first response (CALL PROCEEDING, ALERTING, CONNECT, SETUP ACK).
    fn apply_channel(&mut self, idx: usize, m: &MessageRepr) {
        if let Some(ch) = m.channel_id().and_then(|c| c.first()) {
            if self.cfg.variant.is_bchannel(ch) {
                if self.channel_busy(ch, Some(idx)) {
                    self.trace(format!("{} Q931 far end chose B{ch}, which is in use here", self.now));
                }
                self.calls[idx].channel = Some(ch);
                self.calls[idx].channel_confirmed = true;
            }
        }
    }

    fn rx_call(&mut self, idx: usize, m: &MessageRepr) {
        use CallState as S;
        let state = self.calls[idx].state;
        let id = self.calls[idx].id;
        let first_response = matches!(
            m.msg_type,
            MsgType::SetupAck | MsgType::CallProceeding | MsgType::Alerting | MsgType::Connect
        ) && !self.calls[idx].channel_confirmed
            && self.cfg.role == Role::User;
        // Mandatory IEs (Q.931 §5.8.6): missing -> cause 96, bad contents -> cause 100.
        let mandatory: &[u8] = match m.msg_type {
            MsgType::Status => &[IE_CAUSE, IE_CALL_STATE],
            _ if first_response => &[IE_CHANNEL_ID],
            _ => &[],
        };
        for &ie in mandatory {
            if m.ie(ie).is_none() {
                let cause =
                    if m.is_bad(ie) { Cause::INVALID_IE_CONTENTS } else { Cause::MANDATORY_IE_MISSING };
                self.send_status(idx, cause);
                return;
            }
        }
        let unexpected = |me: &mut Self| {
            me.trace(format!(
                "{} Q931 {id} {} unexpected in {}",
                me.now,
                m.msg_type.name(),
                state.label(me.cfg.role)
            ));
            me.send_status(idx, Cause::WRONG_STATE);
        };
        match m.msg_type {
            MsgType::Setup => {}
            MsgType::SetupAck => match state {
                S::CallInitiated => {
                    self.calls[idx].timers.stop(CallTimer::T303);
                    self.apply_channel(idx, m);
                    self.set_state(idx, S::OverlapSending);
                    self.events.push_back(CallEvent::MoreDigits { call: id });
                }
                _ => return unexpected(self),
            },
            MsgType::CallProceeding => match state {
                S::CallInitiated | S::OverlapSending => {
                    self.calls[idx].timers.stop(CallTimer::T303);
                    self.apply_channel(idx, m);
                    self.set_state(idx, S::OutgoingCallProceeding);
                    self.start_timer(idx, CallTimer::T310);
                    let channel = self.calls[idx].channel;
                    self.events.push_back(CallEvent::Proceeding { call: id, channel });
                }
                _ => return unexpected(self),
            },
            MsgType::Alerting => match state {
                S::CallInitiated | S::OverlapSending | S::OutgoingCallProceeding => {
                    self.calls[idx].timers.stop(CallTimer::T303);
                    self.calls[idx].timers.stop(CallTimer::T310);
                    self.apply_channel(idx, m);
                    self.set_state(idx, S::CallDelivered);
                    self.start_timer(idx, CallTimer::T301);
                    let inband = m.progress() == Some(8);
                    self.events.push_back(CallEvent::Alerting { call: id, inband });
                }
                _ => return unexpected(self),
            },
            MsgType::Progress => match state {
                S::CallInitiated | S::OverlapSending | S::OutgoingCallProceeding | S::CallDelivered => {
                    if let Some(description) = m.progress() {
                        self.events.push_back(CallEvent::Progress { call: id, description });
                    }
                }
                _ => return unexpected(self),
            },
            MsgType::Connect => match state {
                S::CallInitiated | S::OverlapSending | S::OutgoingCallProceeding | S::CallDelivered => {
                    self.calls[idx].timers.stop_all();
                    self.apply_channel(idx, m);
                    self.calls[idx].answered = Some(self.now);
                    self.set_state(idx, S::Active);
                    let ack = self.msg(idx, MsgType::ConnectAck);
                    self.send_msg(ack);
                    self.events.push_back(CallEvent::Answered { call: id });
                }
                _ => return unexpected(self),
            },
            MsgType::ConnectAck => match state {
                S::ConnectRequest => {
                    self.calls[idx].timers.stop(CallTimer::T313);
                    self.set_state(idx, S::Active);
                }
                S::Active => {}
                _ => return unexpected(self),
            },
            MsgType::Disconnect => {
                let cause = m.cause();
                match state {
                    S::DisconnectRequest => {
                        let c = self.calls[idx].cause;
                        self.send_release(idx, c);
                    }
                    S::ReleaseRequest | S::DisconnectIndication => {}
                    _ => {
                        self.calls[idx].cause.get_or_insert(Cause(cause.unwrap_or(16)));
                        self.set_state(idx, S::DisconnectIndication);
                        let rel_cause =
                            if cause.is_none() { Some(Cause::MANDATORY_IE_MISSING) } else { None };
                        self.send_release(idx, rel_cause);
                    }
                }
                return;
            }
            MsgType::Release => {
                if let Some(c) = m.cause() {
                    self.calls[idx].cause.get_or_insert(Cause(c));
                }
                if state != S::ReleaseRequest {
                    let rc = self.msg(idx, MsgType::ReleaseComplete);
                    self.send_msg(rc);
                }
                self.enter_null(idx);
                return;
            }
            MsgType::ReleaseComplete => {
                if let Some(c) = m.cause() {
                    self.calls[idx].cause.get_or_insert(Cause(c));
                }
                self.enter_null(idx);
                return;
            }
            MsgType::Status => {
                self.calls[idx].timers.stop(CallTimer::T322);
                let peer_state = m
                    .ies
                    .iter()
                    .find_map(|ie| match ie {
                        Ie::CallState(s) => Some(*s),
                        _ => None,
                    })
                    .unwrap_or(0);
                let cause = Cause(m.cause().unwrap_or(0));
                self.events.push_back(CallEvent::Status { call: id, peer_state, cause });
                if peer_state == 0 {
                    // Q.931 §5.8.11: the far end has no such call; release locally.
                    self.calls[idx].cause.get_or_insert(if cause.0 == 0 {
                        Cause::WRONG_STATE
                    } else {
                        cause
                    });
                    self.enter_null(idx);
                    return;
                }
                if state.is_clearing() != (peer_state == 11 || peer_state == 12 || peer_state == 19)
                    && state == S::Active
                    && !matches!(peer_state, 10 | 8)
                {
                    self.disconnect(idx, Cause::WRONG_STATE);
                }
                return;
            }
            MsgType::StatusEnquiry => {
                self.send_status(idx, Cause::STATUS_ENQUIRY_RESPONSE);
                return;
            }
            MsgType::Information => {
                if state == S::OverlapReceiving {
                    let digits = m.called().map(|n| n.digits.clone()).unwrap_or_default();
                    if !digits.is_empty() {
                        self.calls[idx].dnis.push_str(&digits);
                        self.events.push_back(CallEvent::Digits { call: id, digits });
                    }
                    if m.sending_complete() {
                        self.calls[idx].timers.stop(CallTimer::T302);
                        self.report_incoming(idx);
                    } else {
                        self.start_timer(idx, CallTimer::T302);
                    }
                }
            }
            MsgType::Facility | MsgType::Notify => {}
            MsgType::Restart | MsgType::RestartAck => return unexpected(self),
            MsgType::Unknown(_) => {
                self.send_status(idx, Cause::MESSAGE_TYPE_NONEXISTENT);
                return;
            }
        }
        // Non-mandatory IEs with bad contents: processed as if absent, reported with STATUS 100.
        if !m.bad_ies.is_empty() && self.idx(id).is_some() {
            if let Some(i) = self.idx(id) {
                self.send_status(i, Cause::INVALID_IE_CONTENTS);
            }
        }
    }
}
