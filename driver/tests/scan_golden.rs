//! `dahdi_scan` format against the real tool's outputs in `../shared/dahdi/conf/traces/`.

use std::path::PathBuf;

use trunkline_driver::scan::format_span;
use trunkline_driver::{Alarms, SpanConfig, SpanInfo, SpanNo, SpanStatus};

fn shared() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf");
    assert!(p.is_dir(), "shared DAHDI material not found at {} (clone with shared/ beside it)", p.display());
    p
}

/// Strips the collector's `#@` header lines.
fn golden(name: &str) -> String {
    let text = std::fs::read_to_string(shared().join(name)).unwrap();
    text.lines().filter(|l| !l.starts_with("#@")).map(|l| format!("{l}\n")).collect()
}

fn fake_e1() -> SpanInfo {
    // The made-up span of dahdi_shim.c: a TE410P E1, CCS/HDB3/CRC4, 31 channels.
    SpanInfo {
        no: SpanNo(1),
        name: "TE4/0/1".into(),
        description: "T4XXP (PCI) Card 0 Span 1".into(),
        manufacturer: "Digium".into(),
        devicetype: "Wildcard TE410P/TE405P".into(),
        location: "PCI Bus 02 Slot 04".into(),
        basechan: 1,
        totchans: 31,
        config: SpanConfig::e1_ccs(),
    }
}

#[test]
fn every_fake_e1_alarm_output_matches_dahdi_scan() {
    let mut n = 0;
    for alarms in [0u32, 3, 8, 12, 16, 32, 256, 520] {
        let want = golden(&format!("traces/dahdi_scan.fake-e1.alarms-{alarms}.out"));
        let status = SpanStatus { alarms: Alarms(alarms), syncsrc: 1, ..SpanStatus::default() };
        assert_eq!(format_span(&fake_e1(), &status, 0), want, "alarms={alarms}");
        n += 1;
    }
    assert_eq!(n, 8);
}

#[test]
fn man_page_t1_example_matches() {
    let info = SpanInfo {
        no: SpanNo(1),
        name: "TE2/0/1".into(),
        description: "T2XXP (PCI) Card 0 Span 1".into(),
        manufacturer: "Digium".into(),
        devicetype: "Wildcard TE205P (4th Gen)".into(),
        location: "Board ID Switch 0".into(),
        basechan: 1,
        totchans: 24,
        config: SpanConfig::t1_esf(),
    };
    let status = SpanStatus { alarms: Alarms::RED, syncsrc: 0, ..SpanStatus::default() };
    assert_eq!(format_span(&info, &status, 193), golden("dahdi_scan.digital-t1.txt"));
}
