//! `trunkctl dahdi cfg`: `-t` verdicts, `--dry-run` output against the real dahdi_cfg traces,
//! and applying to a fake kernel (missing modules, permissions, EBUSY).

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use trunkline_driver::dahdi::plan::{DahdiDevices, DahdiFd};
use trunkline_engine::cli::dahdi::{cfg, CfgArgs};

fn traces_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf/traces");
    assert!(dir.is_dir(), "DAHDI traces not found at {} (../shared/dahdi/conf/traces)", dir.display());
    dir
}

fn trunkctl(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trunkctl")).args(args).output().expect("run trunkctl")
}

fn config_of(trace: &Path) -> PathBuf {
    let name = trace.file_name().unwrap().to_string_lossy().replace(".ioctl-trace.tsv", "");
    let here = trace.with_file_name(&name);
    if here.is_file() {
        here
    } else {
        trace.parent().unwrap().parent().unwrap().join(name)
    }
}

#[test]
fn dry_run_output_is_byte_identical_to_traces() {
    let mut n = 0;
    for e in std::fs::read_dir(traces_dir()).unwrap() {
        let trace = e.unwrap().path();
        if !trace.to_string_lossy().ends_with(".ioctl-trace.tsv") {
            continue;
        }
        let conf = config_of(&trace);
        let out = trunkctl(&["dahdi", "cfg", "-c", conf.to_str().unwrap(), "--dry-run"]);
        assert!(out.status.success(), "{}: {}", conf.display(), String::from_utf8_lossy(&out.stderr));
        let ours = String::from_utf8(out.stdout).unwrap();
        let want = std::fs::read_to_string(&trace).unwrap();
        let want: Vec<&str> = want
            .lines()
            .filter(|l| l.starts_with("IOCTL\t") && !l.contains("\tDAHDI_GET_PARAMS\t"))
            .collect();
        let ours: Vec<&str> = ours.lines().collect();
        assert_eq!(ours.len(), want.len(), "{}", trace.display());
        for (o, w) in ours.iter().zip(&want) {
            let oc: Vec<&str> = o.split('\t').take(6).collect();
            let wc: Vec<&str> = w.split('\t').take(6).collect();
            if wc[2] == "DAHDI_LOADZONE" {
                assert_eq!(oc[..4], wc[..4]);
                assert_eq!(oc[5][8..224], wc[5][8..224], "LOADZONE header");
            } else {
                assert_eq!(oc, wc, "{}", trace.display());
            }
        }
        n += 1;
    }
    assert!(n >= 7, "{n} traces");
}

#[test]
fn test_mode_exit_codes_follow_dahdi_cfg() {
    let dir = traces_dir();
    let out = trunkctl(&["dahdi", "cfg", "-t", "-c", dir.join("quirk-t1.conf").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1: Syntax error. Should be <keyword>=<value>"), "{err}");
    assert!(err.contains("hint: indented comment"), "{err}");
    let out = trunkctl(&["dahdi", "cfg", "-t", "-c", dir.join("quirk-t5.conf").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let out = trunkctl(&["dahdi", "cfg", "-t", "-c", "/nonexistent/system.conf"]);
    assert_eq!(out.status.code(), Some(1));
}

/// A fake kernel: records ioctls, fails opens or ioctls on demand.
#[derive(Default)]
struct Fake {
    open_error: Option<i32>,
    ioctl_errors: VecDeque<(u32, i32)>,
    log: std::rc::Rc<std::cell::RefCell<Vec<(String, u32)>>>,
}

struct FakeFd {
    path: String,
    errors: VecDeque<(u32, i32)>,
    log: std::rc::Rc<std::cell::RefCell<Vec<(String, u32)>>>,
}

impl DahdiFd for FakeFd {
    fn ioctl(&mut self, request: u32, _arg: &mut [u8]) -> io::Result<()> {
        self.log.borrow_mut().push((self.path.clone(), request));
        if let Some(i) = self.errors.iter().position(|(r, _)| *r == request) {
            let (_, e) = self.errors.remove(i).unwrap();
            return Err(io::Error::from_raw_os_error(e));
        }
        Ok(())
    }
}

impl DahdiDevices for Fake {
    type Fd = FakeFd;
    fn open(&mut self, path: &str) -> io::Result<FakeFd> {
        if let Some(e) = self.open_error {
            return Err(io::Error::from_raw_os_error(e));
        }
        Ok(FakeFd {
            path: path.into(),
            errors: std::mem::take(&mut self.ioctl_errors),
            log: self.log.clone(),
        })
    }
}

fn apply(conf: &str, fake: &mut Fake) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("system.conf");
    std::fs::write(&path, conf).unwrap();
    let args = CfgArgs {
        config: path.to_str().unwrap().into(),
        test: false,
        dry_run: false,
        shutdown: false,
        force: false,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cfg(&args, &mut out, &mut err, fake).unwrap();
    (code, String::from_utf8(err).unwrap())
}

const CONF: &str = "span=1,1,0,ccs,hdb3,crc4\nbchan=1-15,17-31\ndchan=16\n";

#[test]
fn apply_reports_kernel_problems_clearly() {
    use trunkline_driver::dahdi::abi;
    let (code, err) = apply(CONF, &mut Fake { open_error: Some(libc_enoent()), ..Default::default() });
    assert_eq!(code, 1);
    assert!(err.contains("DAHDI kernel modules not loaded: modprobe dahdi"), "{err}");
    let (code, err) = apply(CONF, &mut Fake { open_error: Some(13), ..Default::default() });
    assert_eq!(code, 1);
    assert!(err.contains("permission denied"), "{err}");
    let mut fake = Fake::default();
    fake.ioctl_errors.push_back((abi::DAHDI_SPANCONFIG, 16));
    let (code, err) = apply(CONF, &mut fake);
    assert_eq!(code, 1);
    assert!(err.contains("EBUSY"), "{err}");

    let mut fake = Fake::default();
    let log = fake.log.clone();
    let (code, err) = apply(CONF, &mut fake);
    assert_eq!(code, 0, "{err}");
    let log = log.borrow();
    let count = |r: u32| log.iter().filter(|(_, x)| *x == r).count();
    assert_eq!(count(abi::DAHDI_SPANCONFIG), 1);
    assert_eq!(count(abi::DAHDI_GET_PARAMS), 31);
    assert_eq!(count(abi::DAHDI_CHANCONFIG), 31, "fake GET_PARAMS returns zeros, so every channel differs");
    assert_eq!(count(abi::DAHDI_ATTACH_ECHOCAN), 31);
    assert_eq!(count(abi::DAHDI_STARTUP), 1);
    assert_eq!(count(abi::DAHDI_HDLC_RATE), 31);
    assert_eq!(count(abi::DAHDI_LOADZONE), 1, "{err}");
    assert!(!err.contains("tone zone"), "{err}");
}

fn libc_enoent() -> i32 {
    2
}
