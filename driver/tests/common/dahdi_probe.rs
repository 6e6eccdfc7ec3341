//! The DAHDI kernel's channel-level semantics as a consumer sees them on raw fds: one fixed
//! sequence of system calls, each with its outcome (a value or an errno). Run on the real kernel
//! in the VM (`dahdi_vm_suite`, issue 11) and on the fake kernel (`cargo test`), both against
//! [`REAL_KERNEL`], the outcomes recorded in the VM: any difference between the fake and the real
//! kernel shows up as a failing test.
//!
//! The layout is the VM's `tests/dahdi-vm/system.conf` (six `loc` spans, three back-to-back
//! pairs); [`vm_fake`] builds the same thing in the fake kernel through `dahdi cfg`'s own
//! apply path (DYNAMIC_CREATE + CHANCONFIG).

#![allow(dead_code)]

use trunkline_driver::dahdi::abi;
use trunkline_driver::dahdi::fake::FakeKernel;
use trunkline_driver::dahdi::sys::{ioctl_int, put_i32, RawFd, Sys};

/// The VM's `system.conf` (kept byte-identical to `tests/dahdi-vm/system.conf`, checked by a test).
pub const VM_SYSTEM_CONF: &str = include_str!("../../../tests/dahdi-vm/system.conf");

/// The fake kernel configured from [`VM_SYSTEM_CONF`] as `trunkctl dahdi cfg` does it.
pub fn vm_fake() -> FakeKernel {
    use trunkline_driver::dahdi::{plan, sys::SysDevices, system_conf};
    let k = FakeKernel::new();
    k.set_cas_leak(true);
    let parsed = system_conf::parse(VM_SYSTEM_CONF.as_bytes());
    assert_eq!(parsed.error_count(), 0, "{}", parsed.report("system.conf", true));
    let steps = plan::plan(&parsed.conf, plan::PlanOptions::default());
    let mut devs = SysDevices(std::sync::Arc::new(k.clone()));
    if let Err(e) = plan::apply(&mut devs, &steps) {
        panic!("dahdi cfg on the fake kernel: {e}");
    }
    // The VM's spans have run for a while before the probe: idle bits have crossed.
    k.advance(20);
    k
}

/// An outcome: `Ok(value)` or `Err(errno)`.
pub type Outcome = Result<i32, i32>;

fn o<T>(r: std::io::Result<T>, v: impl FnOnce(T) -> i32) -> Outcome {
    match r {
        Ok(x) => Ok(v(x)),
        Err(e) => Err(e.raw_os_error().unwrap_or(-1)),
    }
}

/// `Ok(v)` / `errno NAME` as printed in the tables.
pub fn show(x: &Outcome) -> String {
    match x {
        Ok(v) => format!("ok {v}"),
        Err(e) => format!("errno {}", errno_name(*e)),
    }
}

fn errno_name(e: i32) -> String {
    match e {
        libc::EINVAL => "EINVAL".into(),
        libc::ENOSYS => "ENOSYS".into(),
        libc::ENXIO => "ENXIO".into(),
        libc::EBUSY => "EBUSY".into(),
        libc::EAGAIN => "EAGAIN".into(),
        libc::ENOTTY => "ENOTTY".into(),
        libc::ENODEV => "ENODEV".into(),
        libc::EFAULT => "EFAULT".into(),
        libc::EIO => "EIO".into(),
        500 => "ELAST".into(),
        e => format!("{e}"),
    }
}

fn specify(sys: &dyn Sys, chan: i32) -> Result<RawFd, String> {
    let fd = sys.open(abi::DEV_CHANNEL).map_err(|e| format!("open: {e}"))?;
    ioctl_int(sys, fd, abi::DAHDI_SPECIFY, chan).map_err(|e| format!("SPECIFY {chan}: {e}"))?;
    Ok(fd)
}

fn bufinfo(sys: &dyn Sys, fd: RawFd, numbufs: i32, bufsize: i32) -> Outcome {
    let mut bi = [0u8; core::mem::size_of::<abi::DahdiBufferinfo>()];
    put_i32(&mut bi, core::mem::offset_of!(abi::DahdiBufferinfo, numbufs), numbufs);
    put_i32(&mut bi, core::mem::offset_of!(abi::DahdiBufferinfo, bufsize), bufsize);
    o(sys.ioctl(fd, abi::DAHDI_SET_BUFINFO, &mut bi), |_| 0)
}

/// Runs the probe sequence; every step's name and outcome, in order.
pub fn probe(sys: &dyn Sys) -> Result<Vec<(&'static str, Outcome)>, String> {
    let mut out: Vec<(&'static str, Outcome)> = Vec::new();
    let int = |fd, req, v| o(ioctl_int(sys, fd, req, v), |x| x);
    let ctl = sys.open(abi::DEV_CTL).map_err(|e| format!("open {}: {e}", abi::DEV_CTL))?;
    out.push(("DEFAULTZONE 5 (not loaded)", int(ctl, abi::DAHDI_DEFAULTZONE, 5)));
    out.push(("FREEZONE 7 (not loaded)", int(ctl, abi::DAHDI_FREEZONE, 7)));
    let _ = sys.close(ctl);
    // Before SPECIFY.
    let fd = sys.open(abi::DEV_CHANNEL).map_err(|e| format!("open {}: {e}", abi::DEV_CHANNEL))?;
    out.push(("GET_BLOCKSIZE before SPECIFY", int(fd, abi::DAHDI_GET_BLOCKSIZE, 0)));
    out.push(("GETEVENT before SPECIFY", int(fd, abi::DAHDI_GETEVENT, 0)));
    out.push(("SPECIFY 0", int(fd, abi::DAHDI_SPECIFY, 0)));
    out.push(("SPECIFY 999 (no such channel)", int(fd, abi::DAHDI_SPECIFY, 999)));
    out.push(("SPECIFY 78 (unconfigured TS16)", int(fd, abi::DAHDI_SPECIFY, 78)));
    let _ = sys.close(fd);
    // A clear channel.
    let fd = sys.open(abi::DEV_CHANNEL).map_err(|e| format!("open: {e}"))?;
    out.push(("SPECIFY 1 (bchan)", int(fd, abi::DAHDI_SPECIFY, 1)));
    out.push(("SPECIFY again on a bound fd", int(fd, abi::DAHDI_SPECIFY, 2)));
    out.push(("GET_BLOCKSIZE fresh", int(fd, abi::DAHDI_GET_BLOCKSIZE, 0)));
    out.push(("SET_BLOCKSIZE 15", int(fd, abi::DAHDI_SET_BLOCKSIZE, 15)));
    out.push(("SET_BLOCKSIZE 16", int(fd, abi::DAHDI_SET_BLOCKSIZE, 16)));
    out.push(("SET_BLOCKSIZE 8193", int(fd, abi::DAHDI_SET_BLOCKSIZE, 8193)));
    out.push(("SET_BLOCKSIZE 160", int(fd, abi::DAHDI_SET_BLOCKSIZE, 160)));
    out.push(("GET_BLOCKSIZE after set", int(fd, abi::DAHDI_GET_BLOCKSIZE, 0)));
    out.push(("SET_BUFINFO 9 x 4096", bufinfo(sys, fd, 9, 4096)));
    out.push(("SET_BUFINFO 4 x 160", bufinfo(sys, fd, 4, 160)));
    out.push(("SETLAW ALAW", int(fd, abi::DAHDI_SETLAW, abi::DAHDI_LAW_ALAW)));
    out.push(("SETLAW 7 (bad)", int(fd, abi::DAHDI_SETLAW, 7)));
    out.push(("AUDIOMODE 1 on bchan", int(fd, abi::DAHDI_AUDIOMODE, 1)));
    out.push(("AUDIOMODE 0 on bchan", int(fd, abi::DAHDI_AUDIOMODE, 0)));
    out.push(("SETTXBITS on bchan", int(fd, abi::DAHDI_SETTXBITS, 0xD)));
    out.push(("HOOK OFFHOOK on bchan", int(fd, abi::DAHDI_HOOK, abi::DAHDI_OFFHOOK)));
    out.push(("GETEVENT on a quiet bchan", int(fd, abi::DAHDI_GETEVENT, 0)));
    out.push(("CHANNO", int(fd, abi::DAHDI_CHANNO, 0)));
    // Tone zones: the configuration loaded us (0) and de (29), default de.
    out.push(("GETTONEZONE on bchan (default de)", int(fd, abi::DAHDI_GETTONEZONE, 0)));
    out.push(("SETTONEZONE 0 (loaded)", int(fd, abi::DAHDI_SETTONEZONE, 0)));
    out.push(("GETTONEZONE after SETTONEZONE 0", int(fd, abi::DAHDI_GETTONEZONE, 0)));
    out.push(("SETTONEZONE 5 (not loaded)", int(fd, abi::DAHDI_SETTONEZONE, 5)));
    out.push(("SENDTONE DIALTONE", int(fd, abi::DAHDI_SENDTONE, 0)));
    out.push(("SENDTONE -1 (stop)", int(fd, abi::DAHDI_SENDTONE, -1)));
    let fd2 = sys.open(abi::DEV_CHANNEL).map_err(|e| format!("open: {e}"))?;
    out.push(("SPECIFY 1 from a second fd", int(fd2, abi::DAHDI_SPECIFY, 1)));
    let _ = sys.close(fd2);
    let _ = sys.close(fd);
    let fd = sys.open(abi::DEV_CHANNEL).map_err(|e| format!("open: {e}"))?;
    out.push(("SPECIFY 1 after close", int(fd, abi::DAHDI_SPECIFY, 1)));
    let _ = sys.close(fd);
    // CAS: channel 94 (span 4 position 1) hears channel 63, idle bits 1001; its neighbour 64
    // (position 2) also idles 1001, which the dynamic-span leak puts into bits 4-7.
    let fd = specify(sys, 94)?;
    out.push(("GETRXBITS on cas 94 (peer idle 1001)", int(fd, abi::DAHDI_GETRXBITS, 0)));
    out.push(("SETTXBITS 0xD on cas", int(fd, abi::DAHDI_SETTXBITS, 0xD)));
    out.push(("AUDIOMODE 1 on cas", int(fd, abi::DAHDI_AUDIOMODE, 1)));
    out.push(("HOOK OFFHOOK on cas", int(fd, abi::DAHDI_HOOK, abi::DAHDI_OFFHOOK)));
    let _ = sys.close(fd);
    // HDLC.
    let fd = specify(sys, 157)?;
    let mut buf = [0u8; 64];
    out.push(("read on an idle dchan", o(sys.read(fd, &mut buf), |n| n as i32)));
    out.push(("SET_BLOCKSIZE 160 on dchan", int(fd, abi::DAHDI_SET_BLOCKSIZE, 160)));
    out.push(("SETTXBITS on dchan", int(fd, abi::DAHDI_SETTXBITS, 0xD)));
    out.push(("AUDIOMODE 1 on dchan", int(fd, abi::DAHDI_AUDIOMODE, 1)));
    out.push(("HDLC_RATE 56 on dchan", int(fd, abi::DAHDI_HDLC_RATE, 56)));
    out.push(("HDLC_RATE 64 on dchan", int(fd, abi::DAHDI_HDLC_RATE, 64)));
    let _ = sys.close(fd);
    // E&M.
    let fd = specify(sys, 125)?;
    out.push(("SETTXBITS on e&m", int(fd, abi::DAHDI_SETTXBITS, 0xD)));
    out.push(("HOOK OFFHOOK on e&m", int(fd, abi::DAHDI_HOOK, abi::DAHDI_OFFHOOK)));
    out.push(("HOOK ONHOOK on e&m", int(fd, abi::DAHDI_HOOK, abi::DAHDI_ONHOOK)));
    out.push(("HOOK 99 (bad) on e&m", int(fd, abi::DAHDI_HOOK, 99)));
    let _ = sys.close(fd);
    Ok(out)
}

/// The probe's outcomes on Debian's DAHDI 2.11.1 (dahdi-dkms 1:2.11.1.0.20170917~dfsg-8.4,
/// kernel 6.1.0-56-amd64) in the VM of `tests/dahdi-vm/run`, recorded 2026-11-23. Write
/// ioctls that succeed show their argument as the kernel left it.
pub const REAL_KERNEL: &[(&str, Outcome)] = &[
    ("DEFAULTZONE 5 (not loaded)", Err(libc::EINVAL)),
    ("FREEZONE 7 (not loaded)", Ok(7)),
    ("GET_BLOCKSIZE before SPECIFY", Err(libc::ENOSYS)),
    ("GETEVENT before SPECIFY", Err(libc::ENOSYS)),
    ("SPECIFY 0", Err(libc::EINVAL)),
    ("SPECIFY 999 (no such channel)", Err(libc::EINVAL)),
    ("SPECIFY 78 (unconfigured TS16)", Err(libc::ENXIO)),
    ("SPECIFY 1 (bchan)", Ok(1)),
    ("SPECIFY again on a bound fd", Err(libc::ENOTTY)),
    ("GET_BLOCKSIZE fresh", Ok(1024)),
    ("SET_BLOCKSIZE 15", Err(libc::EINVAL)),
    ("SET_BLOCKSIZE 16", Ok(16)),
    ("SET_BLOCKSIZE 8193", Err(libc::EINVAL)),
    ("SET_BLOCKSIZE 160", Ok(160)),
    ("GET_BLOCKSIZE after set", Ok(160)),
    ("SET_BUFINFO 9 x 4096", Err(libc::EINVAL)),
    ("SET_BUFINFO 4 x 160", Ok(0)),
    ("SETLAW ALAW", Ok(2)),
    ("SETLAW 7 (bad)", Err(libc::EINVAL)),
    ("AUDIOMODE 1 on bchan", Ok(1)),
    ("AUDIOMODE 0 on bchan", Ok(0)),
    ("SETTXBITS on bchan", Err(libc::EINVAL)),
    ("HOOK OFFHOOK on bchan", Err(libc::EINVAL)),
    ("GETEVENT on a quiet bchan", Ok(0)),
    ("CHANNO", Ok(1)),
    ("GETTONEZONE on bchan (default de)", Ok(29)),
    ("SETTONEZONE 0 (loaded)", Ok(0)),
    ("GETTONEZONE after SETTONEZONE 0", Ok(0)),
    ("SETTONEZONE 5 (not loaded)", Err(libc::ENODATA)),
    ("SENDTONE DIALTONE", Ok(0)),
    ("SENDTONE -1 (stop)", Ok(-1)),
    ("SPECIFY 1 from a second fd", Err(libc::EBUSY)),
    ("SPECIFY 1 after close", Ok(1)),
    ("GETRXBITS on cas 94 (peer idle 1001)", Ok(153)),
    ("SETTXBITS 0xD on cas", Ok(13)),
    ("AUDIOMODE 1 on cas", Err(libc::EINVAL)),
    ("HOOK OFFHOOK on cas", Err(libc::EINVAL)),
    ("read on an idle dchan", Err(libc::EAGAIN)),
    ("SET_BLOCKSIZE 160 on dchan", Ok(160)),
    ("SETTXBITS on dchan", Err(libc::EINVAL)),
    ("AUDIOMODE 1 on dchan", Err(libc::EINVAL)),
    ("HDLC_RATE 56 on dchan", Ok(56)),
    ("HDLC_RATE 64 on dchan", Ok(64)),
    ("SETTXBITS on e&m", Err(libc::EINVAL)),
    ("HOOK OFFHOOK on e&m", Ok(1)),
    ("HOOK ONHOOK on e&m", Ok(0)),
    ("HOOK 99 (bad) on e&m", Err(libc::EINVAL)),
];
