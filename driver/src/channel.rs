//! Channels: what a timeslot carries and how it is named.

use crate::ids::{ChanPos, ChannelNo, SpanNo};

/// What a channel carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// A 64 kbit/s voice channel (G.711) with no signalling of its own (CCS bearer, clear).
    Bearer,
    /// A voice channel with channel-associated signalling (E1 TS16 ABCD or T1 robbed bits).
    Cas,
    /// A D-channel: HDLC frames (ISDN Q.921).
    Dchan,
    /// Not usable for traffic (E1 TS16 on a CAS span carries the multiframe).
    Reserved,
}

/// Static description of one channel.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChannelInfo {
    /// Global channel number.
    pub no: ChannelNo,
    /// Span it belongs to.
    pub span: SpanNo,
    /// Position inside the span.
    pub pos: ChanPos,
    /// Timeslot on the line (E1 1..=31, T1 1..=24).
    pub timeslot: u8,
    /// What it carries.
    pub kind: ChannelKind,
    /// DAHDI-style name, `DAHDI/1-1`-like (`SIM/1/1` on the simulated board).
    pub name: String,
}

impl ChannelInfo {
    /// The name the engine uses in logs and the API (`DAHDI/<span>-<pos>` style, so existing
    /// installs map one to one).
    pub fn dahdi_name(&self) -> String {
        format!("DAHDI/{}-{}", self.span.0, self.pos.0)
    }
}
