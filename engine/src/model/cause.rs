//! Why calls end (Q.850 causes, which R2 and CAS outcomes map onto) and what an outbound attempt
//! turned out to be.

/// A release cause, numbered as in ITU-T Q.850 so PRI, R2 and CAS report alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Cause(pub u8);

impl Cause {
    /// 1: unallocated (unassigned) number.
    pub const UNALLOCATED: Cause = Cause(1);
    /// 16: normal call clearing.
    pub const NORMAL: Cause = Cause(16);
    /// 17: user busy.
    pub const BUSY: Cause = Cause(17);
    /// 18: no user responding.
    pub const NO_USER_RESPONSE: Cause = Cause(18);
    /// 19: no answer from user (user alerted).
    pub const NO_ANSWER: Cause = Cause(19);
    /// 21: call rejected.
    pub const REJECTED: Cause = Cause(21);
    /// 27: destination out of order.
    pub const OUT_OF_ORDER: Cause = Cause(27);
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
    pub const CHANNEL_UNAVAILABLE: Cause = Cause(44);
    /// 102: recovery on timer expiry.
    pub const TIMER_EXPIRY: Cause = Cause(102);

    /// Q.850's name for the cause.
    pub fn name(self) -> &'static str {
        match self.0 {
            1 => "unallocated number",
            16 => "normal clearing",
            17 => "user busy",
            18 => "no user responding",
            19 => "no answer",
            21 => "call rejected",
            27 => "destination out of order",
            31 => "normal, unspecified",
            34 => "no circuit available",
            38 => "network out of order",
            41 => "temporary failure",
            42 => "switching equipment congestion",
            44 => "requested channel not available",
            102 => "recovery on timer expiry",
            _ => "other",
        }
    }
}

/// What an outbound attempt turned out to be (decided from signalling and from the audio).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A live person answered.
    Human,
    /// An answering machine or voicemail answered.
    Machine,
    /// A fax machine or modem answered.
    Fax,
    /// Busy tone or cause 17.
    Busy,
    /// Rang without answer until the ring timeout.
    NoAnswer,
    /// Special information tone or an invalid-number cause: never dial again.
    Invalid,
    /// Network congestion (fast busy, cause 34/42).
    Congestion,
    /// The attempt failed for a local reason (no channel, alarm).
    Failed,
    /// An answered call that nobody could take in time (abandoned by us).
    Abandoned,
}

impl Outcome {
    /// Snake-case name as stored and served.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Human => "human",
            Outcome::Machine => "machine",
            Outcome::Fax => "fax",
            Outcome::Busy => "busy",
            Outcome::NoAnswer => "no_answer",
            Outcome::Invalid => "invalid",
            Outcome::Congestion => "congestion",
            Outcome::Failed => "failed",
            Outcome::Abandoned => "abandoned",
        }
    }

    /// The outcome a release cause implies before any audio was classified.
    pub fn from_cause(c: Cause) -> Outcome {
        match c.0 {
            17 => Outcome::Busy,
            18 | 19 => Outcome::NoAnswer,
            1 | 3 | 22 | 28 => Outcome::Invalid,
            34 | 38 | 41 | 42 | 44 => Outcome::Congestion,
            _ => Outcome::Failed,
        }
    }
}
