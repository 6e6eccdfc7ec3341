//! Q.921 LAPD data link (point-to-point, TEI 0, SAPI 0, modulo 128) as a sans-IO state machine.
//!
//! Inputs: [`Q921::handle_frame`], [`Q921::handle_timeout`], [`Q921::send_data`],
//! [`Q921::establish`]. Outputs: [`Q921::poll_transmit`] (frames without FCS),
//! [`Q921::poll_event`] ([`LinkEvent`]), [`Q921::poll_timeout`].

use std::collections::VecDeque;

use super::lapd::{Control, LapdError, LapdRepr};
use super::Role;
use crate::signalling::time::{Ms, TimerId, TimerTable};

/// Q.921 data-link states (the numbering of Q.921 annex B for TEI-assigned operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkState {
    /// State 4: TEI assigned, no multiple-frame operation.
    TeiAssigned,
    /// State 5: SABME sent, waiting for UA.
    AwaitingEstablishment,
    /// State 6: DISC sent, waiting for UA.
    AwaitingRelease,
    /// State 7: multiple-frame operation established.
    MultipleFrameEstablished,
    /// State 8: T200 or T203 expired; polling the peer.
    TimerRecovery,
}

/// Q.921 timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Q921Timer {
    /// Retransmission / acknowledgement timer.
    T200,
    /// Idle-link supervision timer.
    T203,
}

impl TimerId for Q921Timer {
    const COUNT: usize = 2;
    fn index(self) -> usize {
        self as usize
    }
    fn from_index(i: usize) -> Self {
        if i == 0 {
            Q921Timer::T200
        } else {
            Q921Timer::T203
        }
    }
}

/// Q.921 parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Q921Config {
    /// T200 (default 1 s).
    pub t200: Ms,
    /// T203 (default 10 s).
    pub t203: Ms,
    /// N200: retransmissions before the link is declared lost (default 3).
    pub n200: u8,
    /// k: window of outstanding I-frames (7 on PRI).
    pub k: u8,
}

impl Default for Q921Config {
    fn default() -> Self {
        Self { t200: Ms(1000), t203: Ms(10_000), n200: 3, k: 7 }
    }
}

/// Why multiple-frame operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDownReason {
    /// T200 expired N200 times (in timer recovery or while establishing).
    Timeout,
    /// The peer sent DISC.
    PeerDisconnect,
    /// The peer refused establishment with DM, or sent DM/FRMR while established.
    PeerRefused,
    /// A protocol error (invalid N(R), undefined frame) forced re-establishment.
    ProtocolError,
    /// The physical layer (alarm) or the application took the link down.
    Local,
}

/// Indications to layer 3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// DL-ESTABLISH indication/confirm: multiple-frame operation is up.
    Established {
        /// True when an established link was reset (peer SABME, or our re-establishment):
        /// outstanding I-frames may have been lost.
        reset: bool,
    },
    /// DL-RELEASE indication: the link is down.
    Down(LinkDownReason),
    /// DL-DATA indication: an in-sequence I-frame payload (a Q.931 message).
    Data(Vec<u8>),
}

/// Counters for `trunkctl` and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Q921Stats {
    /// Frames received and accepted for processing.
    pub rx_frames: u64,
    /// Frames sent.
    pub tx_frames: u64,
    /// I-frames retransmitted.
    pub retransmissions: u64,
    /// Frames dropped as malformed or for another SAPI/TEI.
    pub rx_dropped: u64,
    /// Times the link came up.
    pub establishments: u64,
}

/// A Q.921 LAPD entity for TEI 0 / SAPI 0.
#[derive(Debug, Clone)]
pub struct Q921 {
    role: Role,
    cfg: Q921Config,
    state: LinkState,
    vs: u8,
    va: u8,
    vr: u8,
    rc: u8,
    peer_busy: bool,
    reject_exception: bool,
    ack_pending: bool,
    /// I-frame payloads: the first `vs - va` have been sent and are unacknowledged.
    queue: VecDeque<Vec<u8>>,
    timers: TimerTable<Q921Timer>,
    out: VecDeque<Vec<u8>>,
    events: VecDeque<LinkEvent>,
    traces: Vec<String>,
    now: Ms,
    stats: Q921Stats,
}

fn seq_sub(a: u8, b: u8) -> u8 {
    a.wrapping_sub(b) & 0x7F
}

fn seq_inc(a: u8) -> u8 {
    (a + 1) & 0x7F
}

impl Q921 {
    /// A new entity in state 4 (TEI assigned); call [`Q921::establish`] to bring the link up.
    pub fn new(role: Role, cfg: Q921Config) -> Self {
        Self {
            role,
            cfg,
            state: LinkState::TeiAssigned,
            vs: 0,
            va: 0,
            vr: 0,
            rc: 0,
            peer_busy: false,
            reject_exception: false,
            ack_pending: false,
            queue: VecDeque::new(),
            timers: TimerTable::default(),
            out: VecDeque::new(),
            events: VecDeque::new(),
            traces: Vec::new(),
            now: Ms::ZERO,
            stats: Q921Stats::default(),
        }
    }

    /// Current state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Whether I-frames can flow (states 7 and 8).
    pub fn is_established(&self) -> bool {
        matches!(self.state, LinkState::MultipleFrameEstablished | LinkState::TimerRecovery)
    }

    /// Counters.
    pub fn stats(&self) -> Q921Stats {
        self.stats
    }

    /// Sequence variables `(V(S), V(A), V(R))`, for tests and diagnostics.
    pub fn sequence(&self) -> (u8, u8, u8) {
        (self.vs, self.va, self.vr)
    }

    /// Drains the `A=>B` state traces.
    pub fn take_traces(&mut self) -> Vec<String> {
        std::mem::take(&mut self.traces)
    }

    fn set_state(&mut self, new: LinkState) {
        if new != self.state {
            self.traces.push(format!("{} Q921 {:?}=>{:?}", self.now, self.state, new));
            self.state = new;
        }
    }

    fn send(&mut self, command: bool, control: Control, info: &[u8]) {
        let cr = if command { self.role.command_cr() } else { !self.role.command_cr() };
        let repr = LapdRepr { sapi: 0, cr, tei: 0, control, info };
        self.stats.tx_frames += 1;
        self.out.push_back(repr.to_bytes());
    }

    fn reset_variables(&mut self) {
        self.vs = 0;
        self.va = 0;
        self.vr = 0;
        self.peer_busy = false;
        self.reject_exception = false;
        self.ack_pending = false;
    }

    /// DL-ESTABLISH request: send SABME and wait for UA (re-establishes if already up).
    pub fn establish(&mut self, now: Ms) {
        self.now = now;
        let was_up = self.is_established();
        self.queue.clear();
        self.rc = 0;
        self.send(true, Control::Sabme { p: true }, &[]);
        self.timers.stop(Q921Timer::T203);
        self.timers.set(Q921Timer::T200, now + self.cfg.t200);
        self.set_state(LinkState::AwaitingEstablishment);
        if was_up {
            self.events.push_back(LinkEvent::Down(LinkDownReason::ProtocolError));
        }
    }

    /// DL-RELEASE request: send DISC and wait for UA.
    pub fn release(&mut self, now: Ms) {
        self.now = now;
        if !self.is_established() {
            return;
        }
        self.queue.clear();
        self.rc = 0;
        self.send(true, Control::Disc { p: true }, &[]);
        self.timers.stop(Q921Timer::T203);
        self.timers.set(Q921Timer::T200, now + self.cfg.t200);
        self.set_state(LinkState::AwaitingRelease);
    }

    /// Physical layer lost (alarm): drop everything and go to state 4 without sending.
    pub fn physical_down(&mut self, now: Ms) {
        self.now = now;
        let was_up = self.is_established() || self.state == LinkState::AwaitingRelease;
        self.queue.clear();
        self.out.clear();
        self.timers.stop_all();
        self.set_state(LinkState::TeiAssigned);
        if was_up {
            self.events.push_back(LinkEvent::Down(LinkDownReason::Local));
        }
    }

    /// DL-DATA request: queue a layer-3 message for transmission in an I-frame.
    /// Messages queued while the link is not established are sent once it is.
    pub fn send_data(&mut self, now: Ms, payload: Vec<u8>) {
        self.now = now;
        self.queue.push_back(payload);
        self.flush();
    }

    /// Next frame to put on the D-channel (without FCS).
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    /// Next indication for layer 3.
    pub fn poll_event(&mut self) -> Option<LinkEvent> {
        self.events.pop_front()
    }

    /// Earliest armed timer.
    pub fn poll_timeout(&self) -> Option<Ms> {
        self.timers.next_timeout()
    }

    fn nr_valid(&self, nr: u8) -> bool {
        seq_sub(nr, self.va) <= seq_sub(self.vs, self.va)
    }

    fn ack_to(&mut self, nr: u8) {
        let n = seq_sub(nr, self.va) as usize;
        for _ in 0..n.min(self.queue.len()) {
            self.queue.pop_front();
        }
        self.va = nr;
    }

    /// MFE rule for an acknowledging N(R): stop/restart T200 and T203.
    fn ack_mfe(&mut self, nr: u8) {
        if nr == self.vs {
            self.ack_to(nr);
            self.timers.stop(Q921Timer::T200);
            self.timers.set(Q921Timer::T203, self.now + self.cfg.t203);
        } else if nr != self.va {
            self.ack_to(nr);
            self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
        }
    }

    fn nr_error(&mut self) {
        self.traces.push(format!("{} Q921 N(R) sequence error: re-establishing", self.now));
        self.establish(self.now);
    }

    fn enquiry(&mut self) {
        self.send(true, Control::Rr { nr: self.vr, pf: true }, &[]);
        self.ack_pending = false;
        self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
    }

    /// Sends what the window allows, then a pending acknowledgement.
    fn flush(&mut self) {
        if self.state == LinkState::MultipleFrameEstablished && !self.peer_busy {
            loop {
                let outstanding = seq_sub(self.vs, self.va);
                if outstanding >= self.cfg.k || usize::from(outstanding) >= self.queue.len() {
                    break;
                }
                let payload = self.queue[usize::from(outstanding)].clone();
                let ctl = Control::I { ns: self.vs, nr: self.vr, p: false };
                self.send(true, ctl, &payload);
                self.vs = seq_inc(self.vs);
                self.ack_pending = false;
                if !self.timers.is_running(Q921Timer::T200) {
                    self.timers.stop(Q921Timer::T203);
                    self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
                }
            }
        }
        if self.ack_pending && self.is_established() {
            self.ack_pending = false;
            self.send(false, Control::Rr { nr: self.vr, pf: false }, &[]);
        }
    }

    fn rewind(&mut self, nr: u8) {
        let resend = seq_sub(self.vs, nr);
        if resend > 0 {
            self.stats.retransmissions += u64::from(resend);
        }
        self.vs = nr;
    }

    fn link_up(&mut self, reset: bool) {
        self.reset_variables();
        self.rc = 0;
        self.timers.stop(Q921Timer::T200);
        self.timers.set(Q921Timer::T203, self.now + self.cfg.t203);
        self.set_state(LinkState::MultipleFrameEstablished);
        self.stats.establishments += 1;
        self.events.push_back(LinkEvent::Established { reset });
    }

    fn link_lost(&mut self, reason: LinkDownReason) {
        self.timers.stop_all();
        self.queue.clear();
        self.set_state(LinkState::TeiAssigned);
        self.events.push_back(LinkEvent::Down(reason));
    }

    fn frmr(&mut self, bytes: &[u8], w: bool, x: bool, y: bool, z: bool) {
        let c1 = bytes.get(2).copied().unwrap_or(0);
        let c2 = bytes.get(3).copied().unwrap_or(0);
        let v = (self.vs << 1, self.vr << 1);
        let flags = u8::from(w) | (u8::from(x) << 1) | (u8::from(y) << 2) | (u8::from(z) << 3);
        let info = [c1, c2, v.0, v.1, flags];
        self.send(false, Control::Frmr { f: false }, &info);
    }

    /// Handles one received frame (without FCS). Never panics; malformed frames are dropped or
    /// answered per Q.921 (FRMR and re-establishment when established).
    pub fn handle_frame(&mut self, now: Ms, bytes: &[u8]) {
        self.now = now;
        let repr = match LapdRepr::parse_bytes(bytes) {
            Ok(r) => r,
            Err(e) => {
                self.stats.rx_dropped += 1;
                self.traces.push(format!("{now} Q921 rx error: {e}"));
                let (w, x, y) = match e {
                    LapdError::UndefinedControl(_) => (true, false, false),
                    LapdError::InfoNotPermitted(_) => (true, true, false),
                    LapdError::InfoTooLong(_) => (false, false, true),
                    LapdError::TooShort(_) | LapdError::BadAddress => return,
                };
                if self.is_established() && bytes.len() >= 2 && bytes[0] >> 2 == 0 && bytes[1] >> 1 == 0 {
                    self.frmr(bytes, w, x, y, false);
                    self.establish(now);
                }
                return;
            }
        };
        if repr.sapi != 0 || repr.tei != 0 {
            self.stats.rx_dropped += 1;
            return;
        }
        self.stats.rx_frames += 1;
        let command = repr.cr == self.role.peer().command_cr();
        match repr.control {
            Control::I { ns, nr, p } => self.rx_i(command, ns, nr, p, repr.info),
            Control::Rr { nr, pf } => self.rx_s(command, nr, pf, false, false),
            Control::Rnr { nr, pf } => self.rx_s(command, nr, pf, true, false),
            Control::Rej { nr, pf } => self.rx_s(command, nr, pf, false, true),
            Control::Sabme { p } => self.rx_sabme(p),
            Control::Ua { f } => self.rx_ua(f),
            Control::Dm { f } => self.rx_dm(f),
            Control::Disc { p } => self.rx_disc(p),
            Control::Frmr { .. } => {
                if self.is_established() {
                    self.traces.push(format!("{now} Q921 FRMR received: re-establishing"));
                    self.establish(now);
                }
            }
            Control::Ui { .. } | Control::Xid { .. } => {}
        }
        self.flush();
    }

    fn rx_i(&mut self, command: bool, ns: u8, nr: u8, p: bool, info: &[u8]) {
        if !command {
            self.stats.rx_dropped += 1;
            return;
        }
        match self.state {
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {}
            LinkState::TeiAssigned => {
                if p {
                    self.send(false, Control::Dm { f: true }, &[]);
                }
                return;
            }
            _ => return,
        }
        if ns == self.vr {
            self.vr = seq_inc(self.vr);
            self.reject_exception = false;
            self.events.push_back(LinkEvent::Data(info.to_vec()));
            if p {
                self.send(false, Control::Rr { nr: self.vr, pf: true }, &[]);
                self.ack_pending = false;
            } else {
                self.ack_pending = true;
            }
        } else if self.reject_exception {
            if p {
                self.send(false, Control::Rr { nr: self.vr, pf: true }, &[]);
            }
        } else {
            self.reject_exception = true;
            self.send(false, Control::Rej { nr: self.vr, pf: p }, &[]);
            self.ack_pending = false;
        }
        if !self.nr_valid(nr) {
            self.nr_error();
            return;
        }
        if self.state == LinkState::MultipleFrameEstablished {
            if !self.peer_busy {
                self.ack_mfe(nr);
            } else {
                self.ack_to(nr);
            }
        } else {
            self.ack_to(nr);
        }
    }

    fn rx_s(&mut self, command: bool, nr: u8, pf: bool, rnr: bool, rej: bool) {
        if !self.is_established() {
            if self.state == LinkState::TeiAssigned && command && pf {
                self.send(false, Control::Dm { f: true }, &[]);
            }
            return;
        }
        if command && pf {
            self.send(false, Control::Rr { nr: self.vr, pf: true }, &[]);
            self.ack_pending = false;
        }
        self.peer_busy = rnr;
        if !self.nr_valid(nr) {
            self.nr_error();
            return;
        }
        if self.state == LinkState::TimerRecovery {
            if !command && pf {
                self.ack_to(nr);
                self.timers.stop(Q921Timer::T200);
                self.timers.set(Q921Timer::T203, self.now + self.cfg.t203);
                self.rewind(nr);
                self.rc = 0;
                self.set_state(LinkState::MultipleFrameEstablished);
                if rnr {
                    self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
                }
            } else {
                self.ack_to(nr);
            }
            return;
        }
        if rej {
            self.ack_to(nr);
            self.timers.stop(Q921Timer::T200);
            self.timers.set(Q921Timer::T203, self.now + self.cfg.t203);
            self.rewind(nr);
        } else if rnr {
            self.ack_to(nr);
            self.timers.stop(Q921Timer::T203);
            self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
        } else {
            self.ack_mfe(nr);
        }
    }

    fn rx_sabme(&mut self, p: bool) {
        match self.state {
            LinkState::AwaitingRelease => self.send(false, Control::Dm { f: p }, &[]),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.send(false, Control::Ua { f: p }, &[]);
                self.queue.clear();
                self.link_up(true);
            }
            LinkState::TeiAssigned | LinkState::AwaitingEstablishment => {
                self.send(false, Control::Ua { f: p }, &[]);
                self.queue.clear();
                self.link_up(false);
            }
        }
    }

    fn rx_ua(&mut self, f: bool) {
        match self.state {
            LinkState::AwaitingEstablishment if f => {
                self.link_up(false);
            }
            LinkState::AwaitingRelease if f => {
                self.timers.stop_all();
                self.set_state(LinkState::TeiAssigned);
                self.events.push_back(LinkEvent::Down(LinkDownReason::Local));
            }
            _ => self.traces.push(format!("{} Q921 unsolicited UA ignored", self.now)),
        }
    }

    fn rx_dm(&mut self, f: bool) {
        match self.state {
            LinkState::AwaitingEstablishment if f => self.link_lost(LinkDownReason::PeerRefused),
            LinkState::AwaitingRelease if f => {
                self.timers.stop_all();
                self.set_state(LinkState::TeiAssigned);
                self.events.push_back(LinkEvent::Down(LinkDownReason::Local));
            }
            LinkState::MultipleFrameEstablished if !f => self.establish(self.now),
            LinkState::TimerRecovery => self.establish(self.now),
            LinkState::TeiAssigned if !f => self.establish(self.now),
            _ => {}
        }
    }

    fn rx_disc(&mut self, p: bool) {
        match self.state {
            LinkState::TeiAssigned | LinkState::AwaitingEstablishment => {
                self.send(false, Control::Dm { f: p }, &[])
            }
            LinkState::AwaitingRelease => self.send(false, Control::Ua { f: p }, &[]),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.send(false, Control::Ua { f: p }, &[]);
                self.link_lost(LinkDownReason::PeerDisconnect);
            }
        }
    }

    /// Runs expired timers.
    pub fn handle_timeout(&mut self, now: Ms) {
        self.now = now;
        while let Some(t) = self.timers.expire_one(now) {
            match t {
                Q921Timer::T200 => self.t200_expiry(),
                Q921Timer::T203 => {
                    if self.state == LinkState::MultipleFrameEstablished {
                        self.rc = 0;
                        self.set_state(LinkState::TimerRecovery);
                        self.enquiry();
                        self.rc = 1;
                    }
                }
            }
        }
        self.flush();
    }

    fn t200_expiry(&mut self) {
        match self.state {
            LinkState::AwaitingEstablishment => {
                if self.rc < self.cfg.n200 {
                    self.rc += 1;
                    self.send(true, Control::Sabme { p: true }, &[]);
                    self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
                } else {
                    self.link_lost(LinkDownReason::Timeout);
                }
            }
            LinkState::AwaitingRelease => {
                if self.rc < self.cfg.n200 {
                    self.rc += 1;
                    self.send(true, Control::Disc { p: true }, &[]);
                    self.timers.set(Q921Timer::T200, self.now + self.cfg.t200);
                } else {
                    self.link_lost(LinkDownReason::Timeout);
                }
            }
            LinkState::MultipleFrameEstablished => {
                self.rc = 0;
                self.set_state(LinkState::TimerRecovery);
                self.enquiry();
                self.rc = 1;
            }
            LinkState::TimerRecovery => {
                if self.rc >= self.cfg.n200 {
                    self.traces.push(format!(
                        "{} Q921 T200 expired N200={} times: link lost",
                        self.now, self.cfg.n200
                    ));
                    self.link_lost(LinkDownReason::Timeout);
                } else {
                    self.enquiry();
                    self.rc += 1;
                }
            }
            LinkState::TeiAssigned => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pump(a: &mut Q921, b: &mut Q921, now: Ms) {
        loop {
            let mut moved = false;
            while let Some(f) = a.poll_transmit() {
                b.handle_frame(now, &f);
                moved = true;
            }
            while let Some(f) = b.poll_transmit() {
                a.handle_frame(now, &f);
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    fn up() -> (Q921, Q921) {
        let mut n = Q921::new(Role::Network, Q921Config::default());
        let mut u = Q921::new(Role::User, Q921Config::default());
        n.establish(Ms(0));
        u.establish(Ms(0));
        pump(&mut n, &mut u, Ms(0));
        assert!(n.is_established() && u.is_established());
        (n, u)
    }

    #[test]
    fn establish_and_exchange_window() {
        let (mut n, mut u) = up();
        while n.poll_event().is_some() {}
        while u.poll_event().is_some() {}
        for i in 0..20u8 {
            n.send_data(Ms(1), vec![8, i]);
        }
        pump(&mut n, &mut u, Ms(1));
        let got: Vec<_> = std::iter::from_fn(|| u.poll_event()).collect();
        assert_eq!(got.len(), 20);
        assert_eq!(got[19], LinkEvent::Data(vec![8, 19]));
        assert_eq!(n.sequence().0, 20);
        assert_eq!(n.sequence().1, 20);
    }

    #[test]
    fn window_limits_outstanding() {
        let (mut n, _u) = up();
        for i in 0..10u8 {
            n.send_data(Ms(1), vec![8, i]);
        }
        let sent = std::iter::from_fn(|| n.poll_transmit()).count();
        assert_eq!(sent, 7);
    }

    #[test]
    fn lost_after_n200() {
        let (mut n, _u) = up();
        while n.poll_event().is_some() {}
        let mut t = Ms(0);
        for _ in 0..20 {
            let Some(d) = n.poll_timeout() else { break };
            t = d;
            n.handle_timeout(t);
            while n.poll_transmit().is_some() {}
            if n.state() == LinkState::TeiAssigned {
                break;
            }
        }
        assert_eq!(n.state(), LinkState::TeiAssigned);
        assert_eq!(n.poll_event(), Some(LinkEvent::Down(LinkDownReason::Timeout)));
        // T203 (10 s) then N200 (3) polls at T200 (1 s) intervals.
        assert_eq!(t, Ms(13_000));
    }

    #[test]
    fn out_of_sequence_gets_rej_then_recovers() {
        let (mut n, mut u) = up();
        n.send_data(Ms(1), vec![8, 1]);
        n.send_data(Ms(1), vec![8, 2]);
        let _lost = n.poll_transmit().unwrap();
        let second = n.poll_transmit().unwrap();
        u.handle_frame(Ms(2), &second);
        let rej = u.poll_transmit().unwrap();
        assert_eq!(rej[2], 0x09);
        n.handle_frame(Ms(3), &rej);
        pump(&mut n, &mut u, Ms(3));
        let data: Vec<_> =
            std::iter::from_fn(|| u.poll_event()).filter(|e| matches!(e, LinkEvent::Data(_))).collect();
        assert_eq!(data, vec![LinkEvent::Data(vec![8, 1]), LinkEvent::Data(vec![8, 2])]);
        assert!(n.stats().retransmissions >= 2);
    }

    #[test]
    fn undefined_control_gets_frmr() {
        let (mut n, _u) = up();
        while n.poll_transmit().is_some() {}
        n.handle_frame(Ms(5), &[0x00, 0x01, 0x0D, 0x00]);
        let frmr = n.poll_transmit().unwrap();
        assert_eq!(frmr[2] & !0x10, 0x87);
        let sabme = n.poll_transmit().unwrap();
        assert_eq!(sabme[2], 0x7F);
    }
}
