//! Identifiers with DAHDI's numbering: spans from 1, global channel numbers from 1, and a
//! channel's position inside its span from 1.

use core::fmt;

/// A span number, 1-based as in DAHDI (`span=1,...` in `system.conf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct SpanNo(pub u16);

/// A global channel number, 1-based across all spans (DAHDI's `channo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ChannelNo(pub u32);

/// A channel's position inside its span, 1-based (DAHDI's `chanpos`; for E1 the timeslot
/// number except that positions 16..31 are timeslots 17..31 with TS16 at position 16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct ChanPos(pub u16);

impl fmt::Display for SpanNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for ChannelNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for ChanPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
