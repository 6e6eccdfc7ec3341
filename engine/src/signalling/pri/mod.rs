//! ISDN PRI: Q.921 LAPD (TEI 0, SAPI 0) and Q.931 call control, network and user side, for
//! EuroISDN E1 and a T1 national (NI-2) variant.
//!
//! Layout, bottom up:
//! * [`fcs`]: the FCS-16 used to frame LAPD frames on a DAHDI-style D-channel (frame + 2 octets);
//! * [`lapd`]: zero-copy LAPD frame view and its parsed `Repr`;
//! * [`q921`]: the LAPD data-link state machine (SABME/UA/DISC/DM, I/RR/RNR/REJ, FRMR, T200/T203);
//! * [`ie`] and [`message`]: Q.931 information elements and messages (wire views and `Repr`s);
//! * [`cause`]: Q.931 cause values and the call outcomes they map to;
//! * [`call`]: the Q.931 call states and the per-call record;
//! * [`span`]: [`PriSpan`], a whole D-channel: Q.921 + Q.931 + B-channel selection + call API;
//! * [`trace`]: one-line ladder rendering of a frame, the basis of `trunkctl trace`.

pub mod call;
pub mod cause;
pub mod fcs;
pub mod ie;
pub mod lapd;
pub mod message;
pub mod q921;
pub mod span;
pub mod trace;

pub use call::{CallId, CallState};
pub use cause::{Cause, Outcome};
pub use span::{CallEvent, ChannelPref, OriginateRequest, PriConfig, PriError, PriSpan};

/// Which end of the D-channel this stack plays. It decides the C/R bit of LAPD commands, the
/// `N`/`U` names of call states, and some Q.931 procedures (CONNECT ACK, T313, glare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The exchange side (NT): LAPD commands carry C/R = 1; wins glare.
    Network,
    /// The customer side (TE/CPE): LAPD commands carry C/R = 0.
    User,
}

impl Role {
    /// The C/R bit this side puts in its LAPD commands (responses carry the complement).
    pub fn command_cr(self) -> bool {
        matches!(self, Role::Network)
    }

    /// The other side.
    pub fn peer(self) -> Role {
        match self {
            Role::Network => Role::User,
            Role::User => Role::Network,
        }
    }
}

/// Switch type: the national flavour of the D-channel and the trunk it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// ETSI EuroISDN on an E1: B-channels are timeslots 1–15 and 17–31 (the channel number in the
    /// channel identification IE is the timeslot), A-law.
    EuroIsdnE1,
    /// North American National ISDN-2 on a T1: B-channels 1–23 (timeslot 24 is the D-channel), µ-law.
    Ni2T1,
}

impl Variant {
    /// Whether `chan` is a B-channel number valid in the channel identification IE.
    pub fn is_bchannel(self, chan: u8) -> bool {
        match self {
            Variant::EuroIsdnE1 => (1..=31).contains(&chan) && chan != 16,
            Variant::Ni2T1 => (1..=23).contains(&chan),
        }
    }

    /// All B-channel numbers of the span, ascending.
    pub fn bchannels(self) -> Vec<u8> {
        (1..=31).filter(|&c| self.is_bchannel(c)).collect()
    }

    /// Layer 1 protocol octet of the bearer capability IE (G.711 A-law or µ-law).
    pub fn layer1(self) -> u8 {
        match self {
            Variant::EuroIsdnE1 => ie::L1_ALAW,
            Variant::Ni2T1 => ie::L1_ULAW,
        }
    }
}
