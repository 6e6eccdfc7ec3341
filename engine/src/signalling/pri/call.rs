//! Q.931 call states and the per-call record kept by [`super::PriSpan`].

use std::fmt;

use super::cause::Cause;
use super::Role;
use crate::signalling::time::{Ms, TimerId, TimerTable};

/// Handle of a call on one span, stable for the life of the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u32);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call#{}", self.0)
    }
}

/// Q.931 call states (the numbers are shared by the user side `Ux` and network side `Nx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// 0: no call.
    Null,
    /// 1: SETUP sent, no answer yet.
    CallInitiated,
    /// 2: SETUP ACKNOWLEDGE received; more digits may be sent in INFORMATION.
    OverlapSending,
    /// 3: CALL PROCEEDING received.
    OutgoingCallProceeding,
    /// 4: ALERTING received.
    CallDelivered,
    /// 6: SETUP received, not yet answered.
    CallPresent,
    /// 7: ALERTING sent.
    CallReceived,
    /// 8: CONNECT sent (user side), waiting for CONNECT ACKNOWLEDGE.
    ConnectRequest,
    /// 9: CALL PROCEEDING sent.
    IncomingCallProceeding,
    /// 10: call active.
    Active,
    /// 11: DISCONNECT sent.
    DisconnectRequest,
    /// 12: DISCONNECT received.
    DisconnectIndication,
    /// 19: RELEASE sent.
    ReleaseRequest,
    /// 25: SETUP ACKNOWLEDGE sent; collecting digits from INFORMATION.
    OverlapReceiving,
}

impl CallState {
    /// Q.931 state number (as carried in the call state IE).
    pub fn number(self) -> u8 {
        match self {
            CallState::Null => 0,
            CallState::CallInitiated => 1,
            CallState::OverlapSending => 2,
            CallState::OutgoingCallProceeding => 3,
            CallState::CallDelivered => 4,
            CallState::CallPresent => 6,
            CallState::CallReceived => 7,
            CallState::ConnectRequest => 8,
            CallState::IncomingCallProceeding => 9,
            CallState::Active => 10,
            CallState::DisconnectRequest => 11,
            CallState::DisconnectIndication => 12,
            CallState::ReleaseRequest => 19,
            CallState::OverlapReceiving => 25,
        }
    }

    /// `U10` / `N10` style label.
    pub fn label(self, role: Role) -> String {
        let p = match role {
            Role::Network => 'N',
            Role::User => 'U',
        };
        format!("{p}{}", self.number())
    }

    /// Whether the call is being cleared.
    pub fn is_clearing(self) -> bool {
        matches!(
            self,
            CallState::DisconnectRequest | CallState::DisconnectIndication | CallState::ReleaseRequest
        )
    }
}

/// Q.931 per-call timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallTimer {
    /// Alerting received, waiting for CONNECT.
    T301,
    /// Overlap receiving: inter-digit timer.
    T302,
    /// SETUP sent, waiting for a response.
    T303,
    /// DISCONNECT sent, waiting for RELEASE/DISCONNECT.
    T305,
    /// RELEASE sent, waiting for RELEASE COMPLETE.
    T308,
    /// CALL PROCEEDING received, waiting for ALERTING/CONNECT.
    T310,
    /// CONNECT sent (user side), waiting for CONNECT ACKNOWLEDGE.
    T313,
    /// STATUS ENQUIRY sent, waiting for STATUS.
    T322,
}

impl TimerId for CallTimer {
    const COUNT: usize = 8;
    fn index(self) -> usize {
        self as usize
    }
    fn from_index(i: usize) -> Self {
        [
            CallTimer::T301,
            CallTimer::T302,
            CallTimer::T303,
            CallTimer::T305,
            CallTimer::T308,
            CallTimer::T310,
            CallTimer::T313,
            CallTimer::T322,
        ][i.min(7)]
    }
}

/// Q.931 timer values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Q931Timers {
    /// T301 (minimum 3 min).
    pub t301: Ms,
    /// T302 (15 s).
    pub t302: Ms,
    /// T303 (4 s).
    pub t303: Ms,
    /// T305 (30 s).
    pub t305: Ms,
    /// T308 (4 s).
    pub t308: Ms,
    /// T310 (30 s; ETSI allows 30–120 s).
    pub t310: Ms,
    /// T313 (4 s).
    pub t313: Ms,
    /// T316 (2 min): RESTART sent, waiting for RESTART ACKNOWLEDGE.
    pub t316: Ms,
    /// T322 (4 s).
    pub t322: Ms,
}

impl Default for Q931Timers {
    fn default() -> Self {
        Self {
            t301: Ms::secs(180),
            t302: Ms::secs(15),
            t303: Ms::secs(4),
            t305: Ms::secs(30),
            t308: Ms::secs(4),
            t310: Ms::secs(30),
            t313: Ms::secs(4),
            t316: Ms::secs(120),
            t322: Ms::secs(4),
        }
    }
}

/// One call on the span.
#[derive(Debug, Clone)]
pub struct Call {
    /// Handle given to the application.
    pub id: CallId,
    /// Call reference value.
    pub cr: u16,
    /// Whether this side allocated the call reference (sent the SETUP).
    pub outgoing: bool,
    /// Q.931 state.
    pub state: CallState,
    /// B-channel in use (or requested, before the first response).
    pub channel: Option<u8>,
    /// Whether our SETUP asked for the channel exclusively.
    pub exclusive: bool,
    /// Whether a channel identification has been sent in a response (incoming calls).
    pub channel_confirmed: bool,
    /// Called number (accumulated during overlap receiving).
    pub dnis: String,
    /// Calling number.
    pub ani: String,
    /// Whether `Incoming` has been reported (incoming) .
    pub reported: bool,
    /// First clearing cause seen or sent.
    pub cause: Option<Cause>,
    /// Per-call timers.
    pub timers: TimerTable<CallTimer>,
    /// Expiries so far of the timer that allows one retry (T303, T308, T322).
    pub retries: u8,
    /// Encoded SETUP kept for the T303 retransmission.
    pub setup: Option<Vec<u8>>,
    /// When the call was created (for set-up time figures).
    pub created: Ms,
    /// When it was answered.
    pub answered: Option<Ms>,
}
