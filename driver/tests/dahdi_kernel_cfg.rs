//! `system.conf` applied to the fake DAHDI kernel through the same system-call layer as the
//! backend (SPANCONFIG/CHANCONFIG/ATTACH_ECHOCAN/STARTUP/HDLC_RATE), then the backend running on
//! what it configured; and `dahdi_scan` over the kernel interface against the real tool's outputs.

use std::path::PathBuf;

use trunkline_driver::board::{Board, BoardEvent};
use trunkline_driver::dahdi::abi;
use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
use trunkline_driver::dahdi::fake::{FakeKernel, FakeSpanSpec};
use trunkline_driver::dahdi::plan::{self, ApplyError, PlanOptions};
use trunkline_driver::dahdi::scan;
use trunkline_driver::dahdi::sys::{Sys, SysDevices};
use trunkline_driver::dahdi::system_conf;
use trunkline_driver::ring::RingConfig;
use trunkline_driver::{ChannelKind, ChannelNo};

fn conf_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf")
}

fn golden(rel: &str) -> String {
    std::fs::read_to_string(conf_dir().join(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("#@"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn two_bare_e1() -> FakeKernel {
    let k = FakeKernel::new();
    k.add_span(FakeSpanSpec::e1_unconfigured("FAKE/0/1"));
    k.add_span(FakeSpanSpec::e1_unconfigured("FAKE/0/2"));
    k.wire(1, 2);
    k
}

fn apply_text(k: &FakeKernel, text: &str, opts: PlanOptions) -> Result<plan::ApplyReport, ApplyError> {
    let parsed = system_conf::parse(text.as_bytes());
    assert_eq!(parsed.error_count(), 0, "{}", parsed.report("test.conf", true));
    let steps = plan::plan(&parsed.conf, opts);
    plan::apply(&mut SysDevices::new(k.clone()), &steps)
}

const R2_BOTH_SPANS: &str = "span=1,1,0,cas,hdb3\nspan=2,0,0,cas,hdb3\ncas=1-15:1011\ncas=17-31:1011\n\
                             cas=32-46:1011\ncas=48-62:1011\nloadzone=cn\ndefaultzone=cn\n";

#[test]
fn r2_configuration_reaches_the_kernel_and_the_backend_runs_on_it() {
    let k = two_bare_e1();
    assert_eq!(
        DahdiBoard::new(k.clone(), DahdiConfig::default()).unwrap().channels()[0].kind,
        ChannelKind::Reserved
    );
    let report = apply_text(&k, R2_BOTH_SPANS, PlanOptions::default()).unwrap();
    assert!(report.unchanged_channels.is_empty());
    // loadzone=cn is loaded with its tones (libtonezone's payload) and made the default.
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(k.loaded_zones().len(), 1, "{:?}", k.loaded_zones());
    assert_eq!(k.default_zone(), Some(k.loaded_zones()[0].0));
    assert_eq!(k.span_config(1), Some((abi::DAHDI_CONFIG_HDB3, 0, 1, true)));
    assert_eq!(k.span_config(2), Some((abi::DAHDI_CONFIG_HDB3, 0, 0, true)));
    assert_eq!(k.channel_config(1), Some((abi::DAHDI_SIG_CAS, 0xB, 0, String::new(), 64)));
    assert_eq!(k.channel_config(16).unwrap().0, 0, "TS16 carries the multiframe");
    assert_eq!(k.ioctl_count(abi::DAHDI_CHANCONFIG), 60);
    assert_eq!(k.ioctl_count(abi::DAHDI_ATTACH_ECHOCAN), 60);
    assert_eq!(k.ioctl_count(abi::DAHDI_HDLC_RATE), 60);

    // The backend discovers what was configured and CAS works with the configured idle bits
    // (which the closed channels have been sending while the kernel ran).
    k.advance(10);
    let mut b =
        DahdiBoard::new(k.clone(), DahdiConfig { tick_frames: 40, ..DahdiConfig::default() }).unwrap();
    let kinds: Vec<ChannelKind> = b.channels().iter().map(|c| c.kind).collect();
    assert_eq!(kinds.iter().filter(|&&c| c == ChannelKind::Cas).count(), 60);
    assert_eq!(kinds[15], ChannelKind::Reserved);
    let a = b.open(ChannelNo(3), RingConfig::default()).unwrap();
    let z = b.open(ChannelNo(34), RingConfig::default()).unwrap();
    assert_eq!(z.rx_cas(), 0xB, "the far end's idle bits (China CD=11)");
    a.set_tx_cas(0x3); // seize
    let mut seen = Vec::new();
    for _ in 0..5 {
        b.tick().unwrap();
        seen.extend(std::iter::from_fn(|| b.poll_event()));
    }
    assert!(seen.contains(&BoardEvent::CasChanged { chan: ChannelNo(34), abcd: 0x3 }), "{seen:?}");
    drop(b);

    // A second run finds nothing to change: dahdi_cfg issues no CHANCONFIG for those channels.
    let report = apply_text(&k, R2_BOTH_SPANS, PlanOptions::default()).unwrap();
    assert_eq!(report.unchanged_channels.len(), 60);
    assert_eq!(k.ioctl_count(abi::DAHDI_CHANCONFIG), 60);
    // ... unless forced.
    apply_text(&k, R2_BOTH_SPANS, PlanOptions { force: true, ..PlanOptions::default() }).unwrap();
    assert_eq!(k.ioctl_count(abi::DAHDI_CHANCONFIG), 120);
    // -s shuts the spans down.
    apply_text(&k, R2_BOTH_SPANS, PlanOptions { shutdown: true, ..PlanOptions::default() }).unwrap();
    assert!(!k.span_config(1).unwrap().3);
}

#[test]
fn pri_sample_configures_dchan_echo_canceller_and_the_d_channel_carries_frames() {
    let k = two_bare_e1();
    let text = std::fs::read_to_string(conf_dir().join("traces/case-e1-pri-dchan.conf")).unwrap()
        + "span=2,0,0,ccs,hdb3,crc4\nbchan=32-46,48-62\ndchan=47\n";
    apply_text(&k, &text, PlanOptions::default()).unwrap();
    let ccs = abi::DAHDI_CONFIG_CCS | abi::DAHDI_CONFIG_HDB3 | abi::DAHDI_CONFIG_CRC4;
    assert_eq!(k.span_config(1).unwrap().0, ccs);
    assert_eq!(k.channel_config(1).unwrap().3, "oslec");
    assert_eq!(k.channel_config(32).unwrap().3, "", "no echo canceller named for span 2");
    assert_eq!(k.channel_config(16).unwrap().0, abi::DAHDI_SIG_HDLCFCS);
    let mut b =
        DahdiBoard::new(k.clone(), DahdiConfig { tick_frames: 80, ..DahdiConfig::default() }).unwrap();
    assert_eq!(b.channels()[15].kind, ChannelKind::Dchan);
    let mut d1 = b.open(ChannelNo(16), RingConfig::default()).unwrap();
    let mut d2 = b.open(ChannelNo(47), RingConfig::default()).unwrap();
    assert!(d1.send_frame(&[0x00, 0x01, 0x01, 0x7F]));
    for _ in 0..10 {
        b.tick().unwrap();
    }
    let mut buf = [0u8; trunkline_driver::ring::MAX_FRAME];
    let n = d2.recv_frame(&mut buf).expect("SABME arrives");
    assert_eq!(&buf[..n - 2], &[0x00, 0x01, 0x01, 0x7F]);
    assert!(d1.recv_frame(&mut buf).is_none());
}

#[test]
fn kernel_refusals_become_errors_that_say_what_to_do() {
    // RBS on a CCS span: EINVAL from CHANCONFIG, with dahdi_cfg's hints.
    let k = two_bare_e1();
    let e = apply_text(&k, "span=1,1,0,ccs,hdb3\ncas=1-15:1101\n", PlanOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("DAHDI_CHANCONFIG on channel 1"), "{msg}");
    assert!(msg.contains("Selected signaling not supported"), "{msg}");
    // No such span: ENXIO from SPANCONFIG.
    let e = apply_text(&k, "span=7,1,0,ccs,hdb3\n", PlanOptions::default()).unwrap_err();
    assert!(e.to_string().contains("DAHDI_SPANCONFIG"), "{e}");
    // T1 framing on an E1 framer: EINVAL (not in linecompat).
    assert!(apply_text(&k, "span=1,1,0,esf,b8zs\n", PlanOptions::default()).is_err());
    // An unknown echo canceller module.
    let k = two_bare_e1();
    let e =
        apply_text(&k, "span=1,1,0,ccs,hdb3\nbchan=1-15\nechocanceller=nosuch,1\n", PlanOptions::default());
    assert!(e.is_err());
    // Channels held by another process are skipped in the HDLC-rate pass, as dahdi_cfg does.
    let k = two_bare_e1();
    apply_text(&k, "span=1,1,0,ccs,hdb3\nbchan=1-15\n", PlanOptions::default()).unwrap();
    let _asterisk = k.hold(5).unwrap();
    let r = apply_text(&k, "span=1,1,0,ccs,hdb3\nbchan=1-15\n", PlanOptions::default()).unwrap();
    assert_eq!(r.skipped_channels, vec![5]);
    // Module not loaded; permission denied.
    k.set_loaded(false);
    let e = apply_text(&k, "bchan=1\n", PlanOptions::default()).unwrap_err();
    assert!(matches!(e, ApplyError::NotLoaded { .. }) && e.to_string().contains("modprobe dahdi"), "{e}");
    k.set_loaded(true);
    k.set_denied(true);
    let e = apply_text(&k, "bchan=1\n", PlanOptions::default()).unwrap_err();
    assert!(e.to_string().contains("dialout"), "{e}");
}

fn scan_all(k: &FakeKernel, filter: &[u16]) -> String {
    let ctl = k.open(abi::DEV_CTL).unwrap();
    let kk = k.clone();
    let out = scan::dahdi_scan(k, ctl, filter, &mut || kk.advance(1000));
    k.close(ctl).unwrap();
    out
}

#[test]
fn dahdi_scan_matches_the_real_tool_on_e1_t1_and_analogue_spans() {
    // The made-up span of dahdi_shim.c, at every alarm value the real tool was run with.
    let k = FakeKernel::new();
    let mut spec = FakeSpanSpec::e1_pri("TE4/0/1");
    spec.desc = "T4XXP (PCI) Card 0 Span 1".into();
    spec.hw = ["Digium".into(), "Wildcard TE410P/TE405P".into(), "PCI Bus 02 Slot 04".into()];
    k.add_span(spec);
    for alarms in [0i32, 3, 8, 12, 16, 32, 256, 520] {
        k.set_alarms(1, alarms);
        assert_eq!(scan_all(&k, &[]), golden(&format!("traces/dahdi_scan.fake-e1.alarms-{alarms}.out")));
    }
    // The man page's T1 example.
    let k = FakeKernel::new();
    let mut spec = FakeSpanSpec::t1_unconfigured("TE2/0/1");
    spec.desc = "T2XXP (PCI) Card 0 Span 1".into();
    spec.hw = ["Digium".into(), "Wildcard TE205P (4th Gen)".into(), "Board ID Switch 0".into()];
    spec.lineconfig = abi::DAHDI_CONFIG_ESF | abi::DAHDI_CONFIG_B8ZS;
    spec.sigs = vec![(abi::DAHDI_SIG_CLEAR, 0); 24];
    k.add_span(spec);
    k.set_irq(1, 193);
    k.set_alarms(1, abi::DAHDI_ALARM_RED);
    assert_eq!(scan_all(&k, &[]), golden("dahdi_scan.digital-t1.txt"));
    // The man page's analogue example: span 5 of an Astribank, channels 125-132.
    let k = FakeKernel::e1_pairs(4);
    let mut spec = FakeSpanSpec::analog_fxs("XBUS-00/XPD-10", 8);
    spec.desc = "Xorcom XPD #00/10: FXS".into();
    spec.hw = ["Xorcom Inc.".into(), "Astribank: Unit 1 Subunit 0: FXS".into(), "usb-0000:00:03.3-4".into()];
    k.add_span(spec);
    assert_eq!(scan_all(&k, &[5]), golden("dahdi_scan.analog.txt"));
    // Without sysfs, basechan is dahdi_scan's running count over the skipped spans.
    k.set_sysfs_basechan(false);
    assert_eq!(scan_all(&k, &[5]), golden("dahdi_scan.analog.txt"));
}

#[test]
fn dahdi_scan_lmfa_heuristic_and_unconfigured_spans() {
    let k = two_bare_e1();
    let out = scan_all(&k, &[1]);
    assert!(out.contains("alarms=UNCONFIGURED\n"), "{out}");
    assert!(out.contains("framing=CAS\n") && out.contains("coding=\n"), "no lineconfig yet: {out}");
    apply_text(&k, "span=1,1,0,ccs,hdb3,crc4\nbchan=1-15,17-31\ndchan=16\n", PlanOptions::default()).unwrap();
    let out = scan_all(&k, &[1]);
    assert!(
        out.contains("alarms=OK\n") && out.contains("framing=CCS/CRC4\n") && out.contains("coding=HDB3\n")
    );
    // Framing errors keep counting while the span is up: CRC-4 multiframe alignment lost.
    k.set_framing_errors(1, 5);
    k.advance(1000);
    let before = k.now_ms();
    let out = scan_all(&k, &[1]);
    assert!(out.contains("alarms=LMFA/OK\n"), "{out}");
    assert_eq!(k.now_ms(), before + 1000, "one second between the two SPANSTATs");
}
