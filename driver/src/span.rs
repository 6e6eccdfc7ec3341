//! Spans: E1 or T1 lines with their framing, line code, alarms and error counters.

use core::fmt;

use crate::ids::SpanNo;

/// The kind of digital line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum SpanKind {
    /// 2.048 Mbit/s, 32 timeslots (TS0 framing, TS16 CAS or D-channel, 30 bearers).
    E1,
    /// 1.544 Mbit/s, 24 timeslots plus one framing bit per frame.
    T1,
}

impl SpanKind {
    /// Timeslots per frame (E1 32 including TS0, T1 24).
    pub fn timeslots(self) -> usize {
        match self {
            SpanKind::E1 => 32,
            SpanKind::T1 => 24,
        }
    }

    /// Channels DAHDI gives a span of this kind (E1 31 = TS1..TS31, T1 24).
    pub fn channels(self) -> usize {
        match self {
            SpanKind::E1 => 31,
            SpanKind::T1 => 24,
        }
    }

    /// Bits per frame on the line (E1 256, T1 193).
    pub fn frame_bits(self) -> usize {
        match self {
            SpanKind::E1 => 256,
            SpanKind::T1 => 193,
        }
    }
}

/// Framing (DAHDI's lineconfig framing bits). E1: CAS or CCS (with or without CRC-4);
/// T1: D4 (superframe) or ESF (extended superframe).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Framing {
    /// E1 with channel-associated signalling in TS16 (multiframe).
    Cas,
    /// E1 with common-channel signalling (TS16 is a D-channel or a bearer).
    Ccs,
    /// T1 superframe (12 frames), robbed-bit A/B.
    D4,
    /// T1 extended superframe (24 frames) with CRC-6, robbed-bit A/B/C/D.
    Esf,
}

/// Line code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coding {
    /// Alternate mark inversion.
    Ami,
    /// High-density bipolar 3 (E1).
    Hdb3,
    /// Bipolar with 8-zero substitution (T1).
    B8zs,
}

/// How a span is configured (what `span=` in `system.conf` says).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpanConfig {
    /// E1 or T1.
    pub kind: SpanKind,
    /// Framing.
    pub framing: Framing,
    /// Line code.
    pub coding: Coding,
    /// E1 CRC-4 multiframe on (ignored for T1).
    pub crc4: bool,
    /// Timing priority: 0 = never a clock source, 1 = first choice, ...
    pub timing: u8,
    /// Line build-out index (0 = 0 dB / 0–133 ft).
    pub lbo: u8,
}

impl SpanConfig {
    /// E1, CCS, HDB3, CRC-4 (a PRI span).
    pub fn e1_ccs() -> Self {
        Self {
            kind: SpanKind::E1,
            framing: Framing::Ccs,
            coding: Coding::Hdb3,
            crc4: true,
            timing: 1,
            lbo: 0,
        }
    }

    /// E1, CAS, HDB3, CRC-4 (an MFC/R2 span).
    pub fn e1_cas() -> Self {
        Self { framing: Framing::Cas, ..Self::e1_ccs() }
    }

    /// T1, ESF, B8ZS.
    pub fn t1_esf() -> Self {
        Self {
            kind: SpanKind::T1,
            framing: Framing::Esf,
            coding: Coding::B8zs,
            crc4: false,
            timing: 1,
            lbo: 0,
        }
    }

    /// T1, D4, AMI.
    pub fn t1_d4() -> Self {
        Self { framing: Framing::D4, coding: Coding::Ami, ..Self::t1_esf() }
    }

    /// Checks that framing and coding fit the span kind.
    pub fn validate(&self) -> Result<(), String> {
        match (self.kind, self.framing) {
            (SpanKind::E1, Framing::Cas | Framing::Ccs) | (SpanKind::T1, Framing::D4 | Framing::Esf) => {}
            (k, f) => return Err(format!("framing {f:?} is not valid on an {k:?} span")),
        }
        match (self.kind, self.coding) {
            (SpanKind::E1, Coding::Hdb3 | Coding::Ami) | (SpanKind::T1, Coding::B8zs | Coding::Ami) => Ok(()),
            (k, c) => Err(format!("line code {c:?} is not valid on an {k:?} span")),
        }
    }

    /// DAHDI's framing string as `dahdi_scan` prints it (`CCS/CRC4`, `CAS`, `ESF`, `D4`).
    pub fn framing_str(&self) -> String {
        let f = match self.framing {
            Framing::Cas => "CAS",
            Framing::Ccs => "CCS",
            Framing::D4 => "D4",
            Framing::Esf => "ESF",
        };
        if self.kind == SpanKind::E1 && self.crc4 {
            format!("{f}/CRC4")
        } else {
            f.to_string()
        }
    }

    /// The line code as DAHDI prints it.
    pub fn coding_str(&self) -> &'static str {
        match self.coding {
            Coding::Ami => "AMI",
            Coding::Hdb3 => "HDB3",
            Coding::B8zs => "B8ZS",
        }
    }
}

/// Span alarms as a bit set with DAHDI's bit values (`DAHDI_ALARM_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Alarms(pub u32);

impl Alarms {
    /// No alarm.
    pub const NONE: Alarms = Alarms(0);
    /// Recovering from an alarm (the clear timer runs).
    pub const RECOVER: Alarms = Alarms(1);
    /// In loopback.
    pub const LOOPBACK: Alarms = Alarms(2);
    /// Remote alarm indication (the far end is in RED).
    pub const YELLOW: Alarms = Alarms(4);
    /// Loss of frame alignment persisted (red alarm).
    pub const RED: Alarms = Alarms(8);
    /// Alarm indication signal (all ones).
    pub const BLUE: Alarms = Alarms(16);
    /// The span is not opened by the driver.
    pub const NOTOPEN: Alarms = Alarms(32);
    /// Loss of signal.
    pub const LOS: Alarms = Alarms(256);
    /// Loss of frame alignment.
    pub const LFA: Alarms = Alarms(512);
    /// Loss of (CRC-4) multiframe alignment.
    pub const LMFA: Alarms = Alarms(1024);

    /// True if every bit of `other` is set.
    pub fn contains(self, other: Alarms) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// True if no alarm is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Sets or clears `bits`.
    pub fn set(&mut self, bits: Alarms, on: bool) {
        if on {
            self.0 |= bits.0
        } else {
            self.0 &= !bits.0
        }
    }

    /// The alarm string `dahdi_scan` prints for this set (`OK`, `YEL/RED`, `RED/LFA`, `UUU`, ...).
    /// `numchans` is the span's configured channel count (0 gives `UNCONFIGURED`).
    pub fn scan_str(self, numchans: usize) -> String {
        if self.0 == 0 {
            return if numchans > 0 { "OK".into() } else { "UNCONFIGURED".into() };
        }
        let mut parts: Vec<&str> = Vec::new();
        if self.contains(Alarms::BLUE) {
            parts.push("BLU");
        }
        if self.contains(Alarms::YELLOW) {
            parts.push("YEL");
        }
        if self.contains(Alarms::RED) {
            parts.push("RED");
            if self.contains(Alarms::LFA) {
                parts.push("LFA");
            }
        }
        if self.contains(Alarms::LOOPBACK) {
            parts.push("LB");
        }
        if self.contains(Alarms::RECOVER) {
            parts.push("REC");
        }
        if self.contains(Alarms::NOTOPEN) {
            parts.push("NOP");
        }
        if parts.is_empty() {
            "UUU".into()
        } else {
            parts.join("/")
        }
    }

    /// The alarm words `/proc/dahdi/N` prints, each followed by a space.
    pub fn proc_str(self) -> String {
        let mut s = String::new();
        for (bit, name) in [
            (Alarms::BLUE, "BLUE "),
            (Alarms::YELLOW, "YELLOW "),
            (Alarms::RED, "RED "),
            (Alarms::LOOPBACK, "LOOP "),
            (Alarms::RECOVER, "RECOVERING "),
            (Alarms::NOTOPEN, "NOTOPEN "),
        ] {
            if self.contains(bit) {
                s.push_str(name);
            }
        }
        s
    }
}

impl fmt::Display for Alarms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("OK");
        }
        let mut names = Vec::new();
        for (bit, name) in [
            (Alarms::LOS, "LOS"),
            (Alarms::LFA, "LFA"),
            (Alarms::LMFA, "LMFA"),
            (Alarms::RED, "RED"),
            (Alarms::YELLOW, "YELLOW"),
            (Alarms::BLUE, "BLUE"),
            (Alarms::RECOVER, "RECOVERING"),
            (Alarms::LOOPBACK, "LOOPBACK"),
            (Alarms::NOTOPEN, "NOTOPEN"),
        ] {
            if self.contains(bit) {
                names.push(name);
            }
        }
        f.write_str(&names.join(","))
    }
}

/// Error counters of a span (DAHDI's spaninfo counters plus slips).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counters {
    /// Bipolar violations (line code errors).
    pub bpv: u64,
    /// CRC-4 (E1) or CRC-6 (T1 ESF) block errors.
    pub crc: u64,
    /// E-bit errors: far-end block errors reported back by the remote end (E1 CRC-4).
    pub ebit: u64,
    /// Frame alignment signal (or F-bit) errors.
    pub fas: u64,
    /// Controlled slips of the receive elastic store.
    pub slips: u64,
}

/// Static description of a span.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpanInfo {
    /// Span number.
    pub no: SpanNo,
    /// Short name (`TE4/0/1`, `SIM/0/1`).
    pub name: String,
    /// Human description.
    pub description: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Device type.
    pub devicetype: String,
    /// Physical location.
    pub location: String,
    /// First global channel number of the span.
    pub basechan: u32,
    /// Number of channels.
    pub totchans: u32,
    /// Configuration.
    pub config: SpanConfig,
}

/// Live state of a span.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpanStatus {
    /// Current alarms.
    pub alarms: Alarms,
    /// Error counters since start.
    pub counters: Counters,
    /// Span this span takes its clock from (0 = own/free-running).
    pub syncsrc: u16,
    /// Receive level in dB below nominal (0 = nominal), as far as the backend knows.
    pub rx_level_db: i8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_strings_match_dahdi_scan() {
        // Verified values from the golden dahdi_scan outputs.
        assert_eq!(Alarms(0).scan_str(31), "OK");
        assert_eq!(Alarms(0).scan_str(0), "UNCONFIGURED");
        assert_eq!(Alarms(12).scan_str(31), "YEL/RED");
        assert_eq!(Alarms(520).scan_str(31), "RED/LFA");
        assert_eq!(Alarms(256).scan_str(31), "UUU");
        assert_eq!(Alarms(3).scan_str(31), "LB/REC");
        assert_eq!(Alarms(16).scan_str(31), "BLU");
        assert_eq!(Alarms(32).scan_str(31), "NOP");
        assert_eq!(Alarms(8).scan_str(31), "RED");
    }
}
