//! The ioctls `dahdi_cfg` issues for a parsed `system.conf`, in its order, and applying them to
//! a kernel behind the small [`DahdiDevices`] trait (the real `/dev/dahdi` or a test double).
//!
//! Order (dahdi_cfg.c `main`): DYNAMIC_DESTROY for every dynamic span; SPANCONFIG per span (or
//! SHUTDOWN per span with `-s`, then stop); DYNAMIC_CREATE; per configured channel GET_PARAMS on
//! ctl, CHANCONFIG when it differs, ATTACH_ECHOCAN; FREEZONE + LOADZONE per zone (`us` when none);
//! DEFAULTZONE; STARTUP per span; per configured channel SPECIFY + HDLC_RATE on
//! `/dev/dahdi/channel`.

use core::ffi::c_int;
use std::io;

use super::abi::{self, AsBytes, DahdiAttachEchocan};
use super::system_conf::SystemConf;
use super::zones;

/// Which device node an ioctl goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// `/dev/dahdi/ctl`.
    Ctl,
    /// A fresh fd on `/dev/dahdi/channel` bound to a channel by the SPECIFY that opens the group.
    Channel,
}

impl Device {
    /// The node path.
    pub fn path(self) -> &'static str {
        match self {
            Device::Ctl => abi::DEV_CTL,
            Device::Channel => abi::DEV_CHANNEL,
        }
    }
}

/// One ioctl of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoctlCall {
    /// Target device.
    pub device: Device,
    /// ioctl name (`DAHDI_SPANCONFIG`).
    pub name: &'static str,
    /// Request number.
    pub request: u32,
    /// Argument bytes as passed (little-endian struct image).
    pub arg: Vec<u8>,
    /// Human-readable decoding of the argument.
    pub summary: String,
    /// For LOADZONE: only the header could be built (the zone's tones do not parse), so the
    /// zone is not loaded.
    pub header_only: bool,
}

impl IoctlCall {
    fn new(device: Device, name: &'static str, request: u32, arg: Vec<u8>, summary: String) -> Self {
        Self { device, name, request, arg, summary, header_only: false }
    }

    fn int(device: Device, name: &'static str, request: u32, v: c_int) -> Self {
        Self::new(device, name, request, v.to_bytes(), format!("int={v}"))
    }

    /// The line of an ioctl trace (`IOCTL<TAB>device<TAB>NAME<TAB>0xREQ<TAB>size=N<TAB>hex<TAB>summary`),
    /// as in `../shared/dahdi/conf/traces/*.ioctl-trace.tsv`.
    pub fn trace_line(&self) -> String {
        let hex: String = self.arg.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "IOCTL\t{}\t{}\t{:#010x}\tsize={}\t{}\t{}",
            self.device.path(),
            self.name,
            self.request,
            self.arg.len(),
            hex,
            self.summary
        )
    }
}

/// One step of applying a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An ioctl issued unconditionally (failure stops the run, except where noted).
    Ioctl(IoctlCall),
    /// GET_PARAMS on ctl for a channel, then CHANCONFIG only if the kernel state differs (or the
    /// query fails, or `force`).
    ChanConfig {
        /// Channel number.
        chan: c_int,
        /// The CHANCONFIG to issue when needed.
        chanconfig: IoctlCall,
    },
    /// Free and load a tone zone (libtonezone, own ctl fd); failure is reported, not fatal.
    Zone {
        /// The FREEZONE ioctl.
        free: IoctlCall,
        /// The LOADZONE ioctl: header and tone payload (see [`super::zones`]).
        load: IoctlCall,
    },
    /// A `loadzone=` libtonezone does not know: dahdi_cfg reports "Unable to register tone zone".
    UnknownZone(String),
    /// Open `/dev/dahdi/channel`, SPECIFY (skip the channel if it fails), HDLC_RATE.
    ChannelRate {
        /// SPECIFY(chan).
        specify: IoctlCall,
        /// HDLC_RATE(56|64).
        rate: IoctlCall,
    },
}

/// Options of a run, as dahdi_cfg's flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// `-s`: shut the spans down instead of configuring.
    pub shutdown: bool,
    /// `-f`: always issue CHANCONFIG.
    pub force: bool,
}

/// The steps `dahdi_cfg [-s] [-f]` would take for `conf`.
pub fn plan(conf: &SystemConf, opts: PlanOptions) -> Vec<Step> {
    let ctl = Device::Ctl;
    let mut steps = Vec::new();
    for d in &conf.dynamic {
        steps.push(Step::Ioctl(IoctlCall::new(
            ctl,
            "DAHDI_DYNAMIC_DESTROY",
            abi::DAHDI_DYNAMIC_DESTROY,
            d.to_bytes(),
            dynamic_summary(d),
        )));
    }
    if opts.shutdown {
        for s in &conf.spans {
            steps.push(Step::Ioctl(IoctlCall::int(ctl, "DAHDI_SHUTDOWN", abi::DAHDI_SHUTDOWN, s.span)));
        }
        return steps;
    }
    for s in &conf.spans {
        steps.push(Step::Ioctl(IoctlCall::new(
            ctl,
            "DAHDI_SPANCONFIG",
            abi::DAHDI_SPANCONFIG,
            s.to_bytes(),
            format!(
                "span={} name=\"{}\" lbo={} lineconfig={:#x} sync={}",
                s.span,
                abi::c_string(&s.name),
                s.lbo,
                s.lineconfig,
                s.sync
            ),
        )));
    }
    for d in &conf.dynamic {
        steps.push(Step::Ioctl(IoctlCall::new(
            ctl,
            "DAHDI_DYNAMIC_CREATE",
            abi::DAHDI_DYNAMIC_CREATE,
            d.to_bytes(),
            dynamic_summary(d),
        )));
    }
    for x in conf.configured_channels() {
        let cc = &conf.chans[x];
        let chanconfig = IoctlCall::new(
            ctl,
            "DAHDI_CHANCONFIG",
            abi::DAHDI_CHANCONFIG,
            cc.to_bytes(),
            format!(
                "chan={} name=\"{}\" sigtype={:#x} deflaw={} master={} idlebits={:#x} netdev=\"{}\"",
                cc.chan,
                abi::c_string(&cc.name),
                cc.sigtype,
                cc.deflaw,
                cc.master,
                cc.idlebits,
                abi::c_string(&cc.netdev_name)
            ),
        );
        if opts.force {
            steps.push(Step::Ioctl(chanconfig));
        } else {
            steps.push(Step::ChanConfig { chan: x as c_int, chanconfig });
        }
        let ae = DahdiAttachEchocan { chan: x as c_int, echocan: conf.echocan[x] };
        steps.push(Step::Ioctl(IoctlCall::new(
            ctl,
            "DAHDI_ATTACH_ECHOCAN",
            abi::DAHDI_ATTACH_ECHOCAN,
            ae.to_bytes(),
            format!("chan={x} echocan=\"{}\"", abi::c_string(&ae.echocan)),
        )));
    }
    let mut default_zone = conf.default_zone;
    let zone_names: Vec<Vec<u8>> = if conf.zones_to_load.is_empty() {
        default_zone = 0;
        vec![b"us".to_vec()]
    } else {
        conf.zones_to_load.clone()
    };
    for name in &zone_names {
        match zones::find(name) {
            None => steps.push(Step::UnknownZone(String::from_utf8_lossy(name).into_owned())),
            Some(z) => {
                // The whole argument libtonezone builds: header plus every tone segment.
                let (arg, summary, header_only) = match z.loadzone_arg() {
                    Ok(arg) => {
                        let n = (arg.len() - zones::HEADER_SIZE) / zones::TONE_DEF_SIZE;
                        (arg, format!("zone={} count={n} name=\"{}\"", z.zone, z.description), false)
                    }
                    Err(e) => {
                        (z.header(0), format!("zone={} name=\"{}\" ({e})", z.zone, z.description), true)
                    }
                };
                let mut load = IoctlCall::new(ctl, "DAHDI_LOADZONE", abi::DAHDI_LOADZONE, arg, summary);
                load.header_only = header_only;
                steps.push(Step::Zone {
                    free: IoctlCall::int(ctl, "DAHDI_FREEZONE", abi::DAHDI_FREEZONE, z.zone),
                    load,
                });
            }
        }
    }
    if default_zone > -1 {
        steps.push(Step::Ioctl(IoctlCall::int(
            ctl,
            "DAHDI_DEFAULTZONE",
            abi::DAHDI_DEFAULTZONE,
            default_zone,
        )));
    }
    for s in &conf.spans {
        steps.push(Step::Ioctl(IoctlCall::int(ctl, "DAHDI_STARTUP", abi::DAHDI_STARTUP, s.span)));
    }
    for x in conf.configured_channels() {
        let rate = if conf.fiftysix[x] { 56 } else { 64 };
        steps.push(Step::ChannelRate {
            specify: IoctlCall::int(Device::Channel, "DAHDI_SPECIFY", abi::DAHDI_SPECIFY, x as c_int),
            rate: IoctlCall::int(Device::Channel, "DAHDI_HDLC_RATE", abi::DAHDI_HDLC_RATE, rate),
        });
    }
    steps
}

fn dynamic_summary(d: &abi::DahdiDynamicSpan) -> String {
    format!(
        "driver=\"{}\" addr=\"{}\" numchans={} timing={} spanno={}",
        abi::c_string(&d.driver),
        abi::c_string(&d.addr),
        d.numchans,
        d.timing,
        d.spanno
    )
}

/// The ioctl lines a real run would issue (GET_PARAMS queries left out), for `--dry-run`.
pub fn dry_run_lines(steps: &[Step]) -> Vec<String> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Ioctl(c) | Step::ChanConfig { chanconfig: c, .. } => out.push(c.trace_line()),
            Step::Zone { free, load } => {
                out.push(free.trace_line());
                out.push(load.trace_line());
            }
            Step::UnknownZone(_) => {}
            Step::ChannelRate { specify, rate } => {
                out.push(specify.trace_line());
                out.push(rate.trace_line());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Applying.

/// An open DAHDI device fd.
pub trait DahdiFd {
    /// `ioctl(fd, request, arg)`; `arg` is the in/out argument buffer.
    fn ioctl(&mut self, request: u32, arg: &mut [u8]) -> io::Result<()>;
}

/// Opens DAHDI device nodes: the real `/dev/dahdi` or a fake kernel in tests.
pub trait DahdiDevices {
    /// The fd type.
    type Fd: DahdiFd;
    /// `open(path, O_RDWR)`.
    fn open(&mut self, path: &str) -> io::Result<Self::Fd>;
}

/// Why applying a configuration failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// `/dev/dahdi/ctl` (or `channel`) does not exist.
    #[error("{path} not found: DAHDI kernel modules not loaded: modprobe dahdi (and your board driver, e.g. modprobe wct4xxp)")]
    NotLoaded {
        /// The missing node.
        path: String,
    },
    /// The node exists but we may not open it.
    #[error("permission denied opening {path}: run as root or as a member of the group owning /dev/dahdi (usually 'dialout')")]
    PermissionDenied {
        /// The node.
        path: String,
    },
    /// The kernel says the span or channel is busy.
    #[error("{what} failed: device busy (EBUSY): stop Asterisk or whatever holds the channels, then retry")]
    Busy {
        /// Which ioctl on what.
        what: String,
    },
    /// Any other failure of an ioctl.
    #[error("{what} failed: {source}{hint}")]
    Ioctl {
        /// Which ioctl on what.
        what: String,
        /// The OS error.
        source: io::Error,
        /// dahdi_cfg's suggestions for EINVAL on CHANCONFIG, or empty.
        hint: String,
    },
    /// Opening a node failed for another reason.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The node.
        path: String,
        /// The OS error.
        source: io::Error,
    },
}

fn open_err(path: &str, e: io::Error) -> ApplyError {
    match e.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ENXIO) | Some(libc::ENODEV) => {
            ApplyError::NotLoaded { path: path.into() }
        }
        Some(libc::EACCES) | Some(libc::EPERM) => ApplyError::PermissionDenied { path: path.into() },
        _ => ApplyError::Open { path: path.into(), source: e },
    }
}

fn ioctl_err(what: String, e: io::Error, sigtype: Option<c_int>) -> ApplyError {
    match e.raw_os_error() {
        Some(libc::EBUSY) => ApplyError::Busy { what },
        Some(libc::EACCES) | Some(libc::EPERM) => ApplyError::PermissionDenied { path: what },
        Some(libc::EINVAL) if sigtype.is_some() => {
            ApplyError::Ioctl { what, source: e, hint: chanconfig_einval_hint(sigtype.unwrap_or(0)) }
        }
        _ => ApplyError::Ioctl { what, source: e, hint: String::new() },
    }
}

/// dahdi_cfg's "Possible causes" for a CHANCONFIG rejected with EINVAL.
pub fn chanconfig_einval_hint(sigtype: c_int) -> String {
    let mut s = String::from("\nSelected signaling not supported\nPossible causes:\n");
    let rbs = "\tRBS signaling is being used on a E1 CCS span\n";
    match sigtype {
        abi::DAHDI_SIG_FXOKS | abi::DAHDI_SIG_FXOLS | abi::DAHDI_SIG_FXOGS => {
            s.push_str("\tFXO signaling is being used on a FXO interface (use a FXS signaling variant)\n");
            s.push_str(rbs);
        }
        abi::DAHDI_SIG_FXSKS | abi::DAHDI_SIG_FXSLS | abi::DAHDI_SIG_FXSGS => {
            s.push_str("\tFXS signaling is being used on a FXS interface (use a FXO signaling variant)\n");
            s.push_str(rbs);
        }
        abi::DAHDI_SIG_EM => s.push_str("\te&m signaling is being used on a E1 line (use e&me1)\n"),
        abi::DAHDI_SIG_EM_E1 => {
            s.push_str("\te&me1 signaling is being used on a T1 line (use e&m)\n");
            s.push_str(rbs);
        }
        abi::DAHDI_SIG_HARDHDLC => s.push_str("\thardhdlc is being used on a TE12x (use dchan)\n"),
        abi::DAHDI_SIG_HDLCFCS => s.push_str("\tdchan is being used on a BRI span (use hardhdlc)\n"),
        _ => {}
    }
    s.push_str("\tSignaling is being assigned to channel 16 of an E1 CAS span");
    s
}

/// What a real run did, for the report.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// Channels whose CHANCONFIG was skipped because the kernel already had it.
    pub unchanged_channels: Vec<c_int>,
    /// Channels skipped in the HDLC-rate pass because SPECIFY failed (e.g. held by Asterisk).
    pub skipped_channels: Vec<c_int>,
    /// Non-fatal problems (tone zones).
    pub warnings: Vec<String>,
}

fn run(fd: &mut impl DahdiFd, c: &IoctlCall) -> io::Result<()> {
    let mut arg = c.arg.clone();
    fd.ioctl(c.request, &mut arg)
}

/// Applies `steps` through `devs`, the way dahdi_cfg does (tone zones as libtonezone loads
/// them; a zone that fails to load is a warning in [`ApplyReport::warnings`]).
pub fn apply<D: DahdiDevices>(devs: &mut D, steps: &[Step]) -> Result<ApplyReport, ApplyError> {
    let mut report = ApplyReport::default();
    let mut ctl = devs.open(abi::DEV_CTL).map_err(|e| open_err(abi::DEV_CTL, e))?;
    let mut zones_skipped = false;
    for step in steps {
        match step {
            Step::Ioctl(c) if c.name == "DAHDI_DYNAMIC_DESTROY" => {
                // dahdi_cfg ignores the result.
                let _ = run(&mut ctl, c);
            }
            Step::Ioctl(c) if c.name == "DAHDI_DEFAULTZONE" && zones_skipped => {
                report
                    .warnings
                    .push(format!("DAHDI_DEFAULTZONE ({}) not issued: its zone was not loaded", c.summary));
            }
            Step::Ioctl(c) => {
                let sig = (c.name == "DAHDI_CHANCONFIG").then(|| sig_of(c));
                run(&mut ctl, c).map_err(|e| ioctl_err(format!("{} ({})", c.name, c.summary), e, sig))?;
            }
            Step::ChanConfig { chan, chanconfig } => {
                let mut params = ParamsBuf::query(*chan | abi::DAHDI_GET_PARAMS_RETURN_MASTER);
                let needed = match ctl.ioctl(abi::DAHDI_GET_PARAMS, &mut params.0) {
                    Err(_) => true,
                    Ok(()) => params.differs_from(chanconfig),
                };
                if needed {
                    run(&mut ctl, chanconfig).map_err(|e| {
                        ioctl_err(format!("DAHDI_CHANCONFIG on channel {chan}"), e, Some(sig_of(chanconfig)))
                    })?;
                } else {
                    report.unchanged_channels.push(*chan);
                }
            }
            Step::Zone { free, load } => {
                // libtonezone's tone_zone_register: its own ctl fd, FREEZONE then LOADZONE; a
                // failure is reported and the run goes on (DEFAULTZONE is then left out).
                let what = load.summary.clone();
                if load.header_only {
                    zones_skipped = true;
                    report.warnings.push(format!("tone zone not loaded ({what})"));
                    continue;
                }
                let mut zfd = devs.open(abi::DEV_CTL).map_err(|e| open_err(abi::DEV_CTL, e))?;
                match run(&mut zfd, free) {
                    Ok(()) => {}
                    Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                        // The zone is in use by open channels: the loaded copy stays.
                        report.warnings.push(format!("tone zone in use, kept as loaded ({what})"));
                        continue;
                    }
                    Err(e) => {
                        zones_skipped = true;
                        report.warnings.push(format!("ioctl(DAHDI_FREEZONE) failed: {e} ({what})"));
                        continue;
                    }
                }
                if let Err(e) = run(&mut zfd, load) {
                    zones_skipped = true;
                    report.warnings.push(format!("ioctl(DAHDI_LOADZONE) failed: {e} ({what})"));
                }
            }
            Step::UnknownZone(z) => report.warnings.push(format!("Unable to register tone zone '{z}'")),
            Step::ChannelRate { specify, rate } => {
                let mut fd = devs.open(abi::DEV_CHANNEL).map_err(|e| open_err(abi::DEV_CHANNEL, e))?;
                if run(&mut fd, specify).is_err() {
                    report.skipped_channels.push(c_int::from_le_bytes(arr4(&specify.arg)));
                    continue;
                }
                run(&mut fd, rate)
                    .map_err(|e| ioctl_err(format!("DAHDI_HDLC_RATE ({})", specify.summary), e, None))?;
            }
        }
    }
    Ok(report)
}

/// A `dahdi_params` argument for GET_PARAMS on ctl.
struct ParamsBuf([u8; core::mem::size_of::<abi::DahdiParams>()]);

impl ParamsBuf {
    fn query(channo: c_int) -> Self {
        let mut b = [0; core::mem::size_of::<abi::DahdiParams>()];
        b[..4].copy_from_slice(&channo.to_le_bytes());
        Self(b)
    }

    fn int(&self, off: usize) -> c_int {
        self.0.get(off..off + 4).map_or(0, |b| c_int::from_le_bytes(arr4(b)))
    }

    /// dahdi_cfg's "needs update" test: sigtype, law (when not default), master or idle bits.
    fn differs_from(&self, c: &IoctlCall) -> bool {
        let want = |off: usize| c.arg.get(off..off + 4).map_or(0, |b| c_int::from_le_bytes(arr4(b)));
        let master = self.int(core::mem::offset_of!(abi::DahdiParams, channo)) >> 16;
        let deflaw = want(core::mem::offset_of!(abi::DahdiChanconfig, deflaw));
        want(core::mem::offset_of!(abi::DahdiChanconfig, sigtype))
            != self.int(core::mem::offset_of!(abi::DahdiParams, sigtype))
            || (deflaw != abi::DAHDI_LAW_DEFAULT
                && deflaw != self.int(core::mem::offset_of!(abi::DahdiParams, curlaw)))
            || want(core::mem::offset_of!(abi::DahdiChanconfig, master)) != master
            || want(core::mem::offset_of!(abi::DahdiChanconfig, idlebits))
                != self.int(core::mem::offset_of!(abi::DahdiParams, idlebits))
    }
}

fn arr4(b: &[u8]) -> [u8; 4] {
    let mut a = [0; 4];
    for (d, s) in a.iter_mut().zip(b) {
        *d = *s;
    }
    a
}

fn sig_of(c: &IoctlCall) -> c_int {
    c.arg.get(44..48).map_or(0, |b| c_int::from_le_bytes(arr4(b)))
}

/// The real kernel: `/dev/dahdi/*` through [`super::sys::LinuxSys`] (the backend's one door
/// to the operating system).
pub type KernelDevices = super::sys::SysDevices<super::sys::LinuxSys>;
