//! `dahdi_scan`'s text format, so `trunkctl scan` prints what installers and their scripts
//! already read (key order and alarm strings as in dahdi-tools' `dahdi_scan.c`).

use std::fmt::Write;

use crate::span::{SpanInfo, SpanKind, SpanStatus};

/// Line build-out names, indexed by LBO (DAHDI's `lbostr`).
pub const LBO_NAMES: [&str; 8] = [
    "0 db (CSU)/0-133 feet (DSX-1)",
    "133-266 feet (DSX-1)",
    "266-399 feet (DSX-1)",
    "399-533 feet (DSX-1)",
    "533-655 feet (DSX-1)",
    "-7.5db (CSU)",
    "-15db (CSU)",
    "-22.5db (CSU)",
];

/// Formats one digital span exactly as `dahdi_scan` does (`[N]` then `key=value` lines).
pub fn format_span(info: &SpanInfo, status: &SpanStatus, irq: u32) -> String {
    let mut s = String::new();
    let c = &info.config;
    let _ = writeln!(s, "[{}]", info.no.0);
    let _ = writeln!(s, "active=yes");
    let _ = writeln!(s, "alarms={}", status.alarms.scan_str(info.totchans as usize));
    let _ = writeln!(s, "description={}", info.description);
    let _ = writeln!(s, "name={}", info.name);
    let _ = writeln!(s, "manufacturer={}", info.manufacturer);
    let _ = writeln!(s, "devicetype={}", info.devicetype);
    let _ = writeln!(s, "location={}", info.location);
    let _ = writeln!(s, "basechan={}", info.basechan);
    let _ = writeln!(s, "totchans={}", info.totchans);
    let _ = writeln!(s, "irq={irq}");
    let (kind, coding_opts, framing_opts) = match c.kind {
        SpanKind::E1 => ("E1", "AMI,HDB3", "CCS,CRC4"),
        SpanKind::T1 => ("T1", "B8ZS,AMI", "ESF,D4"),
    };
    let _ = writeln!(s, "type=digital-{kind}");
    let _ = writeln!(s, "syncsrc={}", status.syncsrc);
    let _ = writeln!(s, "lbo={}", LBO_NAMES.get(c.lbo as usize).copied().unwrap_or("Unknown"));
    let _ = writeln!(s, "coding_opts={coding_opts}");
    let _ = writeln!(s, "framing_opts={framing_opts}");
    let _ = writeln!(s, "coding={}", c.coding_str());
    let _ = writeln!(s, "framing={}", c.framing_str());
    s
}
