//! Channel diagnostics measured on the running engine: per-channel rx/tx level meters (peak and
//! RMS in dBm0 over a short window), channel state, current call and signalling state, and the
//! detector and signalling events published on the event stream. Served by the control API
//! (`/v1/levels`, `/v1/spans/{n}/trace`) and shown by `trunkctl top`, `levels` and `trace SPAN`.
//!
//! The engine's runner feeds a [`tap::DiagTap`] once per tick (a fixed table of
//! [`meter::WindowMeter`]s: no allocation on the media path) and publishes a
//! [`LevelsSnapshot`] a few times per second.

pub mod meter;
pub mod tap;

use serde::{Deserialize, Serialize};

use crate::model::CallId;

/// Length of the level meters' window in ms.
pub const WINDOW_MS: u64 = 200;

/// One direction's level over the last [`WINDOW_MS`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Peak, sine-equivalent dBm0 (a sine's peak reads as its RMS); −100 for silence.
    pub peak_dbm0: f32,
    /// RMS in dBm0; −100 for silence.
    pub rms_dbm0: f32,
}

impl Default for Level {
    fn default() -> Self {
        Self { peak_dbm0: -100.0, rms_dbm0: -100.0 }
    }
}

/// The channel states shown by the diagnostics.
pub const STATES: [&str; 5] = ["idle", "seized", "ringing", "talking", "alarm"];

/// One channel in `/v1/levels`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelDiag {
    /// Global channel number.
    pub channel: u32,
    /// Span it belongs to.
    pub span: u16,
    /// `DAHDI/<span>-<pos>`.
    pub name: String,
    /// One of [`STATES`]: `idle`, `seized`, `ringing`, `talking`, `alarm`.
    pub state: String,
    /// Call on it.
    pub call: Option<CallId>,
    /// Signalling state: `Q.931 U10 active` on a PRI B-channel, `CAS tx 0101 rx 1101` on a CAS
    /// channel.
    pub signalling: String,
    /// Received level.
    pub rx: Level,
    /// Transmitted level.
    pub tx: Level,
}

/// What `/v1/levels` returns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LevelsSnapshot {
    /// Engine time of the measurement (ms).
    pub at_ms: u64,
    /// Channels, by number.
    pub channels: Vec<ChannelDiag>,
}

/// Compresses a sorted list of channel numbers into ranges: `1-15,17-31,63-66`.
pub fn ranges(chans: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chans.len() {
        let mut j = i;
        while j + 1 < chans.len() && chans[j + 1] == chans[j] + 1 {
            j += 1;
        }
        out.push(if i == j { chans[i].to_string() } else { format!("{}-{}", chans[i], chans[j]) });
        i = j + 1;
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn ranges_compress() {
        assert_eq!(super::ranges(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
        assert_eq!(super::ranges(&[]), "");
    }
}
