//! `trunkctl scan|spans|channels --board dahdi` and `trunkctl dahdi cfg` (real mode) on the fake
//! DAHDI kernel: configure two bare E1 spans from a system.conf, then look at them.

use std::path::PathBuf;

use trunkline_driver::dahdi::abi;
use trunkline_driver::dahdi::fake::{FakeKernel, FakeSpanSpec};
use trunkline_driver::dahdi::sys::SysDevices;
use trunkline_engine::cli::board::{channels_of, open_dahdi, scan_dahdi, spans_of};
use trunkline_engine::cli::dahdi::{cfg, CfgArgs};

fn traces() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf/traces")
}

fn cfg_args(path: &str) -> CfgArgs {
    CfgArgs { config: path.into(), test: false, dry_run: false, shutdown: false, force: false }
}

#[test]
fn cfg_applies_to_the_kernel_and_scan_spans_channels_show_the_result() {
    let k = FakeKernel::new();
    k.add_span(FakeSpanSpec::e1_unconfigured("TE4/0/1"));
    k.add_span(FakeSpanSpec::e1_unconfigured("TE4/0/2"));
    k.wire(1, 2);
    let ctl_scan = |k: &FakeKernel| {
        let mut out = Vec::new();
        let kk = k.clone();
        assert_eq!(scan_dahdi(k, &[], &mut out, &mut || kk.advance(1000)).unwrap(), 0);
        String::from_utf8(out).unwrap()
    };
    let before = ctl_scan(&k);
    assert!(before.contains("alarms=UNCONFIGURED"), "{before}");

    let conf = traces().join("case-e1-pri-dchan.conf");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code =
        cfg(&cfg_args(conf.to_str().unwrap()), &mut out, &mut err, &mut SysDevices::new(k.clone())).unwrap();
    let err = String::from_utf8(err).unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("tone zone"), "the conf's loadzone=cn loads: {err}");
    assert_eq!(k.loaded_zones().len(), 1, "{:?}", k.loaded_zones());
    assert_eq!(k.ioctl_count(abi::DAHDI_SPANCONFIG), 1);
    assert_eq!(k.ioctl_count(abi::DAHDI_STARTUP), 1);

    let after = ctl_scan(&k);
    let span1: String = after.split("[2]").next().unwrap().into();
    assert!(span1.contains("alarms=OK\n"), "{span1}");
    assert!(span1.contains("coding=HDB3\nframing=CCS/CRC4\n"), "{span1}");

    let b = open_dahdi(k.clone()).unwrap();
    let mut out = Vec::new();
    channels_of(&b, false, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let line16 = text.lines().find(|l| l.trim_start().starts_with("16 ")).unwrap();
    assert!(
        line16.contains("dchan") && line16.contains("TE4/0/1/16") && line16.contains("DAHDI/1-16"),
        "{line16}"
    );
    let line32 = text.lines().find(|l| l.trim_start().starts_with("32 ")).unwrap();
    assert!(line32.contains("reserved"), "span 2 left unconfigured: {line32}");

    k.add_counters(1, 0, 0, 0, 0, 42);
    let mut out = Vec::new();
    spans_of(&b, true, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v[0]["name"], "TE4/0/1");
    assert_eq!(v[0]["framing"], "CCS/CRC4");
    assert_eq!(v[0]["counters"]["slips"], 42, "timing slips come from /proc/dahdi/1");
}

#[test]
fn cfg_against_a_kernel_without_modules_fails_with_advice() {
    let k = FakeKernel::new();
    k.set_loaded(false);
    let conf = traces().join("case-t1-pri.conf");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cfg(&cfg_args(conf.to_str().unwrap()), &mut out, &mut err, &mut SysDevices::new(k)).unwrap();
    assert_eq!(code, 1);
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("modprobe dahdi"), "{err}");
}
