//! `dahdi_scan` on the kernel interface: every span `DAHDI_SPANSTAT` answers for (1..=127), printed
//! exactly as dahdi-tools' `dahdi_scan.c` prints it — digital spans with their line options from
//! `linecompat`/`lineconfig`, analogue spans with one `port=` line per channel from
//! `DAHDI_GET_PARAMS` (the FXS/FXO label inverted relative to the channel's sigcap, as the tool
//! does), `basechan` from sysfs when the kernel has it, else a running count.

use core::mem::{offset_of, size_of};
use std::fmt::Write;
use std::io;

use super::abi::{self, DahdiParams, DahdiSpaninfo};
use super::sys::{get_i32, get_str, put_i32, RawFd, Sys};

/// Spans dahdi_scan probes: `1..DAHDI_MAX_SPANS`.
pub const MAX_SPAN: u16 = abi::DAHDI_MAX_SPANS as u16 - 1;

/// The sysfs file holding a span's first channel number (DAHDI ≥ 2.5).
pub fn sysfs_basechan_path(span: u16) -> String {
    format!("/sys/bus/dahdi_spans/devices/span-{span}/basechan")
}

/// A span's base channel from sysfs, if the kernel exposes it.
pub fn sysfs_basechan(sys: &dyn Sys, span: u16) -> Option<u32> {
    sys.read_text(&sysfs_basechan_path(span)).ok()?.trim().parse().ok()
}

/// A raw `dahdi_spaninfo` reply.
pub struct RawSpaninfo(pub [u8; size_of::<DahdiSpaninfo>()]);

impl RawSpaninfo {
    /// `DAHDI_SPANSTAT` for span `no` on `fd`.
    pub fn query(sys: &dyn Sys, fd: RawFd, no: u16) -> io::Result<Self> {
        let mut b = [0u8; size_of::<DahdiSpaninfo>()];
        put_i32(&mut b, offset_of!(DahdiSpaninfo, spanno), no as i32);
        sys.ioctl(fd, abi::DAHDI_SPANSTAT, &mut b)?;
        Ok(Self(b))
    }

    /// An `int` field at `off`.
    pub fn int(&self, off: usize) -> i32 {
        get_i32(&self.0, off)
    }

    /// A `char[len]` field at `off`.
    pub fn text(&self, off: usize, len: usize) -> String {
        get_str(&self.0, off, len)
    }
}

/// dahdi_scan's `alarms=` value. `lmfa` is its heuristic (CRC-4 span whose `fecount` grew over
/// one second while not in alarm), decided by the caller.
pub fn alarms_str(alarms: i32, numchans: i32, lmfa: bool) -> String {
    if alarms != 0 {
        let mut v: Vec<&str> = Vec::new();
        let has = |b: i32| alarms & b != 0;
        if has(abi::DAHDI_ALARM_BLUE) {
            v.push("BLU");
        }
        if has(abi::DAHDI_ALARM_YELLOW) {
            v.push("YEL");
        }
        if has(abi::DAHDI_ALARM_RED) {
            v.push("RED");
            if has(abi::DAHDI_ALARM_LFA) {
                v.push("LFA");
            }
        }
        if has(abi::DAHDI_ALARM_LOOPBACK) {
            v.push("LB");
        }
        if has(abi::DAHDI_ALARM_RECOVER) {
            v.push("REC");
        }
        if has(abi::DAHDI_ALARM_NOTOPEN) {
            v.push("NOP");
        }
        if v.is_empty() {
            v.push("UUU");
        }
        v.join("/")
    } else if numchans != 0 {
        if lmfa {
            "LMFA/OK".into()
        } else {
            "OK".into()
        }
    } else {
        "UNCONFIGURED".into()
    }
}

fn names(bits: i32, table: &[(i32, &str)]) -> String {
    table.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join(",")
}

/// Runs dahdi_scan on the open ctl fd `ctl`: spans in `filter` only (all when empty).
/// `wait_one_second` is called for the LMFA check (dahdi_scan's `sleep(1)`); the real tool
/// sleeps, tests advance the fake kernel's clock.
pub fn dahdi_scan(sys: &dyn Sys, ctl: RawFd, filter: &[u16], wait_one_second: &mut dyn FnMut()) -> String {
    let mut out = String::new();
    let mut basechan: i64 = 1;
    for x in 1..=MAX_SPAN {
        let Ok(s) = RawSpaninfo::query(sys, ctl, x) else { continue };
        let f = |name: usize| s.int(name);
        let totalchans = f(offset_of!(DahdiSpaninfo, totalchans));
        if !filter.is_empty() && !filter.contains(&x) {
            basechan += totalchans as i64;
            continue;
        }
        if let Some(b) = sysfs_basechan(sys, x) {
            basechan = b as i64;
        }
        let alarms = f(offset_of!(DahdiSpaninfo, alarms));
        let numchans = f(offset_of!(DahdiSpaninfo, numchans));
        let linecompat = f(offset_of!(DahdiSpaninfo, linecompat));
        let mut lmfa = false;
        if alarms == 0 && numchans != 0 && linecompat & abi::DAHDI_CONFIG_CRC4 != 0 {
            let fe = f(offset_of!(DahdiSpaninfo, fecount));
            if fe > 0 {
                wait_one_second();
                let Ok(t) = RawSpaninfo::query(sys, ctl, x) else { continue };
                lmfa = t.int(offset_of!(DahdiSpaninfo, fecount)) > fe
                    && t.int(offset_of!(DahdiSpaninfo, alarms)) == 0;
            }
        }
        let _ = writeln!(out, "[{x}]");
        let _ = writeln!(out, "active=yes");
        let _ = writeln!(out, "alarms={}", alarms_str(alarms, numchans, lmfa));
        let _ = writeln!(out, "description={}", s.text(offset_of!(DahdiSpaninfo, desc), 40));
        let _ = writeln!(out, "name={}", s.text(offset_of!(DahdiSpaninfo, name), 20));
        let _ = writeln!(out, "manufacturer={}", s.text(offset_of!(DahdiSpaninfo, manufacturer), 40));
        let _ = writeln!(out, "devicetype={}", s.text(offset_of!(DahdiSpaninfo, devicetype), 40));
        let _ = writeln!(out, "location={}", s.text(offset_of!(DahdiSpaninfo, location), 40));
        let _ = writeln!(out, "basechan={basechan}");
        let _ = writeln!(out, "totchans={totalchans}");
        let _ = writeln!(out, "irq={}", f(offset_of!(DahdiSpaninfo, irq)));
        if params(sys, ctl, basechan).is_err() {
            basechan += totalchans as i64;
            continue;
        }
        if linecompat > 0 {
            let lineconfig = f(offset_of!(DahdiSpaninfo, lineconfig));
            let _ = writeln!(out, "type=digital-{}", s.text(offset_of!(DahdiSpaninfo, spantype), 6));
            let _ = writeln!(out, "syncsrc={}", f(offset_of!(DahdiSpaninfo, syncsrc)));
            let _ = writeln!(out, "lbo={}", s.text(offset_of!(DahdiSpaninfo, lboname), 40));
            let coding = [
                (abi::DAHDI_CONFIG_B8ZS, "B8ZS"),
                (abi::DAHDI_CONFIG_AMI, "AMI"),
                (abi::DAHDI_CONFIG_HDB3, "HDB3"),
            ];
            let framing = [
                (abi::DAHDI_CONFIG_ESF, "ESF"),
                (abi::DAHDI_CONFIG_D4, "D4"),
                (abi::DAHDI_CONFIG_CCS, "CCS"),
                (abi::DAHDI_CONFIG_CRC4, "CRC4"),
            ];
            let _ = writeln!(out, "coding_opts={}", names(linecompat, &coding));
            let _ = writeln!(out, "framing_opts={}", names(linecompat, &framing));
            let first =
                |t: &[(i32, &'static str)]| t.iter().find(|(b, _)| lineconfig & b != 0).map(|(_, n)| *n);
            let _ = writeln!(out, "coding={}", first(&coding).unwrap_or(""));
            let fr = first(&framing[..3]).unwrap_or("CAS");
            let crc4 = if lineconfig & abi::DAHDI_CONFIG_CRC4 != 0 { "/CRC4" } else { "" };
            let _ = writeln!(out, "framing={fr}{crc4}");
        } else {
            let _ = writeln!(out, "type=analog");
            for y in basechan..basechan + totalchans as i64 {
                let Ok(p) = params(sys, ctl, y) else {
                    let _ = writeln!(out, "port={y},unknown");
                    continue;
                };
                let sigcap = get_i32(&p, offset_of!(DahdiParams, sigcap));
                let label = match sigcap & (abi::__DAHDI_SIG_FXO | abi::__DAHDI_SIG_FXS) {
                    abi::__DAHDI_SIG_FXO => "FXS",
                    abi::__DAHDI_SIG_FXS => "FXO",
                    _ => "none",
                };
                let failed = if sigcap & abi::DAHDI_SIG_BROKEN != 0 { " FAILED" } else { "" };
                let _ = writeln!(out, "port={y},{label}{failed}");
            }
        }
        basechan += totalchans as i64;
    }
    out
}

/// `DAHDI_GET_PARAMS` on ctl for channel `chan`.
fn params(sys: &dyn Sys, ctl: RawFd, chan: i64) -> io::Result<[u8; size_of::<DahdiParams>()]> {
    let mut p = [0u8; size_of::<DahdiParams>()];
    put_i32(&mut p, offset_of!(DahdiParams, channo), i32::try_from(chan).unwrap_or(i32::MAX));
    sys.ioctl(ctl, abi::DAHDI_GET_PARAMS, &mut p)?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarm_strings_follow_dahdi_scan() {
        assert_eq!(alarms_str(12, 31, false), "YEL/RED");
        assert_eq!(alarms_str(520, 31, false), "RED/LFA");
        assert_eq!(alarms_str(512, 31, false), "UUU", "LFA alone is printed only with RED");
        assert_eq!(alarms_str(256, 31, false), "UUU");
        assert_eq!(alarms_str(3, 31, false), "LB/REC");
        assert_eq!(alarms_str(0, 31, true), "LMFA/OK");
        assert_eq!(alarms_str(0, 0, false), "UNCONFIGURED");
    }
}
