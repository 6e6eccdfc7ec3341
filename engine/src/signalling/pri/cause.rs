//! Q.931 cause values (Q.850) and the call outcomes the dialer and ACD act on.

use std::fmt;

/// A Q.850 cause value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cause(pub u8);

impl Cause {
    /// 1: unallocated (unassigned) number.
    pub const UNALLOCATED: Cause = Cause(1);
    /// 6: channel unacceptable.
    pub const CHANNEL_UNACCEPTABLE: Cause = Cause(6);
    /// 16: normal call clearing.
    pub const NORMAL_CLEARING: Cause = Cause(16);
    /// 17: user busy.
    pub const USER_BUSY: Cause = Cause(17);
    /// 18: no user responding.
    pub const NO_USER_RESPONSE: Cause = Cause(18);
    /// 19: no answer from user (user alerted).
    pub const NO_ANSWER: Cause = Cause(19);
    /// 21: call rejected.
    pub const CALL_REJECTED: Cause = Cause(21);
    /// 27: destination out of order (used when the D-channel is lost).
    pub const DESTINATION_OUT_OF_ORDER: Cause = Cause(27);
    /// 28: invalid number format (incomplete number).
    pub const INVALID_NUMBER_FORMAT: Cause = Cause(28);
    /// 30: response to STATUS ENQUIRY.
    pub const STATUS_ENQUIRY_RESPONSE: Cause = Cause(30);
    /// 31: normal, unspecified.
    pub const NORMAL_UNSPECIFIED: Cause = Cause(31);
    /// 34: no circuit/channel available.
    pub const NO_CIRCUIT: Cause = Cause(34);
    /// 38: network out of order.
    pub const NETWORK_OUT_OF_ORDER: Cause = Cause(38);
    /// 41: temporary failure.
    pub const TEMPORARY_FAILURE: Cause = Cause(41);
    /// 42: switching equipment congestion.
    pub const CONGESTION: Cause = Cause(42);
    /// 44: requested circuit/channel not available.
    pub const CHANNEL_NOT_AVAILABLE: Cause = Cause(44);
    /// 65: bearer capability not implemented.
    pub const BEARER_NOT_IMPLEMENTED: Cause = Cause(65);
    /// 81: invalid call reference value.
    pub const INVALID_CALL_REFERENCE: Cause = Cause(81);
    /// 96: mandatory information element is missing.
    pub const MANDATORY_IE_MISSING: Cause = Cause(96);
    /// 97: message type non-existent or not implemented.
    pub const MESSAGE_TYPE_NONEXISTENT: Cause = Cause(97);
    /// 98: message not compatible with call state or message type non-existent.
    pub const MESSAGE_NOT_COMPATIBLE: Cause = Cause(98);
    /// 99: information element non-existent or not implemented.
    pub const IE_NONEXISTENT: Cause = Cause(99);
    /// 100: invalid information element contents.
    pub const INVALID_IE_CONTENTS: Cause = Cause(100);
    /// 101: message not compatible with call state.
    pub const WRONG_STATE: Cause = Cause(101);
    /// 102: recovery on timer expiry.
    pub const TIMER_EXPIRY: Cause = Cause(102);
    /// 111: protocol error, unspecified.
    pub const PROTOCOL_ERROR: Cause = Cause(111);

    /// Q.850 name.
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "unallocated number",
            2 => "no route to transit network",
            3 => "no route to destination",
            6 => "channel unacceptable",
            16 => "normal call clearing",
            17 => "user busy",
            18 => "no user responding",
            19 => "no answer from user",
            20 => "subscriber absent",
            21 => "call rejected",
            22 => "number changed",
            27 => "destination out of order",
            28 => "invalid number format",
            29 => "facility rejected",
            30 => "response to STATUS ENQUIRY",
            31 => "normal, unspecified",
            34 => "no circuit/channel available",
            38 => "network out of order",
            41 => "temporary failure",
            42 => "switching equipment congestion",
            44 => "requested circuit/channel not available",
            47 => "resource unavailable, unspecified",
            58 => "bearer capability not presently available",
            65 => "bearer capability not implemented",
            81 => "invalid call reference value",
            88 => "incompatible destination",
            96 => "mandatory information element is missing",
            97 => "message type non-existent or not implemented",
            98 => "message not compatible with call state or non-existent",
            99 => "information element non-existent or not implemented",
            100 => "invalid information element contents",
            101 => "message not compatible with call state",
            102 => "recovery on timer expiry",
            111 => "protocol error, unspecified",
            127 => "interworking, unspecified",
            _ => "unknown cause",
        }
    }

    /// What the cause means for the attempt (for dialer retry policy and CDRs).
    pub fn outcome(self) -> Outcome {
        match self.0 {
            16 => Outcome::Normal,
            31 => Outcome::NormalUnspecified,
            17 => Outcome::Busy,
            18 | 19 => Outcome::NoAnswer,
            1 | 3 | 22 | 28 => Outcome::InvalidNumber,
            21 => Outcome::Rejected,
            27 => Outcome::OutOfOrder,
            34 | 44 => Outcome::NoCircuit,
            38 | 41 | 42 | 47 | 58 => Outcome::NetworkFailure,
            102 => Outcome::TimerExpiry,
            81 | 95..=101 | 111 => Outcome::ProtocolError,
            _ => Outcome::Other,
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.name())
    }
}

/// Call outcome classes derived from the release cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// 16: the call ended normally.
    Normal,
    /// 31: normal, unspecified (often used for "no answer" by some networks).
    NormalUnspecified,
    /// 17: the callee is busy: retry soon.
    Busy,
    /// 18, 19: nobody answered: retry later.
    NoAnswer,
    /// 1 (and 3, 22, 28): the number does not exist: never retry.
    InvalidNumber,
    /// 21: the callee rejected the call.
    Rejected,
    /// 27: the destination (or our D-channel) is out of order.
    OutOfOrder,
    /// 34, 44: no B-channel available.
    NoCircuit,
    /// 38, 41, 42 (and 47, 58): network trouble or congestion: retry.
    NetworkFailure,
    /// 102: a protocol timer expired (e.g. T303, T310).
    TimerExpiry,
    /// 81, 95–101, 111: protocol error.
    ProtocolError,
    /// Any other cause.
    Other,
}

impl From<Cause> for crate::model::Cause {
    /// The engine-wide cause (shared by PRI, R2 and CAS) for a PRI cause: same Q.850 number.
    fn from(c: Cause) -> Self {
        crate::model::Cause(c.0)
    }
}

impl From<crate::model::Cause> for Cause {
    /// The PRI cause for an engine-wide cause: same Q.850 number.
    fn from(c: crate::model::Cause) -> Self {
        Cause(c.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        assert_eq!(Cause(1).outcome(), Outcome::InvalidNumber);
        assert_eq!(Cause(17).outcome(), Outcome::Busy);
        assert_eq!(Cause(19).outcome(), Outcome::NoAnswer);
        assert_eq!(Cause(34).outcome(), Outcome::NoCircuit);
        assert_eq!(Cause(102).outcome(), Outcome::TimerExpiry);
        assert_eq!(Cause(16).to_string(), "16 (normal call clearing)");
    }
}
