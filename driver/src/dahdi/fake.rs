//! An in-process fake DAHDI kernel implementing [`Sys`] with the semantics documented in
//! `../shared/dahdi/REFERENCE.md` §1.6 and observed in the VM test bed, so the DAHDI backend is
//! tested without a kernel module:
//!
//! * `/dev/dahdi/ctl` and `/dev/dahdi/channel`; `ENOENT` when "the module is not loaded",
//!   `EACCES` when access is denied;
//! * SPECIFY first (`ENOSYS` for other ioctls before it), `EINVAL` for no such channel, `ENXIO`
//!   for an unconfigured one, `EBUSY` for a second opener (exclusive open);
//! * blocksize 16..=8192, bufinfo `bufsize × numbufs ≤ 32768` (numbufs clamped to 2..=32);
//! * a 64-slot (63 usable) event queue per channel, new events dropped when full; `read()` and
//!   `write()` fail with `ELAST` while an event is queued; `EAGAIN` on non-blocking fds;
//! * HDLC channels: `write(frame + 2)` gets the FCS computed into the last two octets, `read()`
//!   returns one frame plus its 2 FCS octets; a bad FCS, abort or overrun drops the frame and
//!   queues BADFCS/ABORT/OVERRUN;
//! * CAS only on CAS channels (SETTXBITS `EINVAL` otherwise), BITSCHANGED on every change,
//!   idle bits transmitted by closed channels, optionally the dynamic-span neighbour-bits leak;
//! * HOOK on E&M channels (`EINVAL` on clear and CAS) with the 300 ms E&M receive delay;
//! * spans with alarms (ALARM/NOALARM to every open channel of the span), counters, MAINT local
//!   loopback, `/proc/dahdi/N` text with `Timing slips`, and surprise removal (REMOVED).
//! * the configuration ioctls `dahdi_cfg` issues on ctl: SPANCONFIG (`ENXIO` for no such span,
//!   `EINVAL` for lineconfig bits outside `linecompat`), CHANCONFIG (`EINVAL` outside `sigcap`,
//!   for robbed-bit signalling on a CCS span and for `e&m` on an E1), ATTACH_ECHOCAN (known
//!   module names or none), STARTUP/SHUTDOWN, GET_PARAMS with `RETURN_MASTER`, HDLC_RATE on
//!   channel fds; DYNAMIC_CREATE/DESTROY of `loc` spans (same key = wired back to back;
//!   `EBUSY` while a channel of the span is open);
//! * SPANSTAT with `spantype`, `linecompat`, `lboname`, `fecount`, `irq`, and sysfs
//!   `span-N/basechan`, as `dahdi_scan` reads them.
//!
//! Time advances only while the backend waits in `epoll_wait` (by its timeout, in 1 ms chunks of
//! 8 frames), so tests are deterministic. Two spans can be wired back to back like the VM's `loc`
//! dynamic spans (channel N of span 1 ↔ channel N + 31 of span 2).

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use super::abi::{self, DahdiParams, DahdiSpaninfo};
use super::sys::{get_i32, put_i32, put_str, RawFd, Ready, Sys};
use crate::span::SpanKind;
use crate::tdm::crc::{fcs16, fcs16_update, FCS16_GOOD};
use core::mem::offset_of;

/// The octet a channel receives when nothing is sent (DAHDI's idle fill).
pub const IDLE: u8 = 0xFF;
/// Events a channel's queue holds (64 slots, one kept empty).
pub const EVENT_QUEUE: usize = 63;
/// Echo canceller modules the fake kernel has (dahdi-linux's software ones plus `hwec`).
pub const ECHOCANS: [&str; 7] = ["mg2", "kb1", "sec", "sec2", "jpah", "oslec", "hwec"];
/// E&M receive delay before RINGOFFHOOK (DAHDI_DEFAULT_RXWINKTIME).
pub const EM_RX_DELAY_MS: u32 = 300;

/// One span of the fake kernel.
#[derive(Clone, Debug)]
pub struct FakeSpanSpec {
    /// Span name (`DYN/loc/1:0`, `TE4/0/1`).
    pub name: String,
    /// Description.
    pub desc: String,
    /// E1 or T1.
    pub kind: SpanKind,
    /// `lineconfig` bits as SPANCONFIG stored them.
    pub lineconfig: i32,
    /// Signalling of each channel by position (`DAHDI_SIG_*`, 0 = unconfigured), with idle bits.
    pub sigs: Vec<(i32, i32)>,
    /// Manufacturer, device type and location as SPANSTAT reports them.
    pub hw: [String; 3],
    /// `spantype` as SPANSTAT reports it (`E1`, `T1`, `DYNAM`, or empty for analogue spans).
    pub spantype: String,
    /// `linecompat`: the lineconfig bits the span accepts (0 for analogue and dynamic spans).
    pub linecompat: i32,
    /// Signalling capabilities of each channel by position (`sigcap`).
    pub sigcaps: Vec<i32>,
}

/// What a digital span's channels can do (the union of the signallings of a T1/E1 framer).
pub const DIGITAL_SIGCAP: i32 = abi::DAHDI_SIG_EM
    | abi::DAHDI_SIG_CLEAR
    | abi::DAHDI_SIG_FXSLS
    | abi::DAHDI_SIG_FXSGS
    | abi::DAHDI_SIG_FXSKS
    | abi::DAHDI_SIG_FXOLS
    | abi::DAHDI_SIG_FXOGS
    | abi::DAHDI_SIG_FXOKS
    | abi::DAHDI_SIG_CAS
    | abi::DAHDI_SIG_EM_E1
    | abi::DAHDI_SIG_DACS_RBS
    | abi::DAHDI_SIG_HDLCNET
    | abi::DAHDI_SIG_HARDHDLC
    | abi::DAHDI_SIG_MTP2;

/// `linecompat` of an E1 framer.
pub const E1_LINECOMPAT: i32 =
    abi::DAHDI_CONFIG_AMI | abi::DAHDI_CONFIG_HDB3 | abi::DAHDI_CONFIG_CCS | abi::DAHDI_CONFIG_CRC4;
/// `linecompat` of a T1 framer.
pub const T1_LINECOMPAT: i32 =
    abi::DAHDI_CONFIG_AMI | abi::DAHDI_CONFIG_B8ZS | abi::DAHDI_CONFIG_D4 | abi::DAHDI_CONFIG_ESF;

fn fake_hw() -> [String; 3] {
    ["Trunkline".into(), "Fake DAHDI span".into(), "fake kernel".into()]
}

impl FakeSpanSpec {
    /// An E1 PRI span: bearers on 1-15, 17-31, a `dchan` on 16 (CCS/HDB3/CRC4).
    pub fn e1_pri(name: &str) -> Self {
        let sigs =
            (1..=31).map(|p| if p == 16 { (abi::DAHDI_SIG_HDLCFCS, 0) } else { (abi::DAHDI_SIG_CLEAR, 0) });
        Self {
            name: name.into(),
            desc: format!("Fake E1 PRI span {name}"),
            kind: SpanKind::E1,
            lineconfig: abi::DAHDI_CONFIG_CCS | abi::DAHDI_CONFIG_HDB3 | abi::DAHDI_CONFIG_CRC4,
            sigs: sigs.collect(),
            hw: fake_hw(),
            spantype: "E1".into(),
            linecompat: E1_LINECOMPAT,
            sigcaps: vec![DIGITAL_SIGCAP; 31],
        }
    }

    /// An E1 MFC/R2 span: `cas=1-15,17-31:1101`, TS16 unconfigured (CAS/HDB3/CRC4).
    pub fn e1_cas(name: &str) -> Self {
        let sigs = (1..=31).map(|p| if p == 16 { (0, 0) } else { (abi::DAHDI_SIG_CAS, 0x0D) });
        Self {
            name: name.into(),
            desc: format!("Fake E1 CAS span {name}"),
            kind: SpanKind::E1,
            lineconfig: abi::DAHDI_CONFIG_HDB3 | abi::DAHDI_CONFIG_CRC4,
            sigs: sigs.collect(),
            hw: fake_hw(),
            spantype: "E1".into(),
            linecompat: E1_LINECOMPAT,
            sigcaps: vec![DIGITAL_SIGCAP; 31],
        }
    }

    /// An E1 span as a board driver registers it, before `system.conf` is applied: every
    /// channel unconfigured, no line configuration.
    pub fn e1_unconfigured(name: &str) -> Self {
        Self {
            desc: format!("Fake E1 span {name}"),
            lineconfig: 0,
            sigs: vec![(0, 0); 31],
            ..Self::e1_pri(name)
        }
    }

    /// A T1 span as a board driver registers it, before `system.conf` is applied.
    pub fn t1_unconfigured(name: &str) -> Self {
        Self {
            name: name.into(),
            desc: format!("Fake T1 span {name}"),
            kind: SpanKind::T1,
            lineconfig: 0,
            sigs: vec![(0, 0); 24],
            hw: fake_hw(),
            spantype: "T1".into(),
            linecompat: T1_LINECOMPAT,
            sigcaps: vec![DIGITAL_SIGCAP; 24],
        }
    }

    /// An analogue span of `n` FXS ports (channels with FXO signalling capability, as an FXS
    /// module reports them), `fxoks` configured.
    pub fn analog_fxs(name: &str, n: usize) -> Self {
        let fxo_cap = abi::DAHDI_SIG_FXOKS | abi::DAHDI_SIG_FXOLS | abi::DAHDI_SIG_FXOGS;
        Self {
            name: name.into(),
            desc: format!("Fake analogue span {name}"),
            kind: SpanKind::E1,
            lineconfig: 0,
            sigs: vec![(abi::DAHDI_SIG_FXOKS, 0); n],
            hw: fake_hw(),
            spantype: String::new(),
            linecompat: 0,
            sigcaps: vec![fxo_cap; n],
        }
    }

    /// The VM's `loc` span: `bchan` 1-10,18-31, `cas` 11-15:0001, `dchan` 16, `e&m` 17.
    pub fn vm_loc(name: &str) -> Self {
        let sigs = (1..=31).map(|p| match p {
            11..=15 => (abi::DAHDI_SIG_CAS, 0x1),
            16 => (abi::DAHDI_SIG_HDLCFCS, 0),
            17 => (abi::DAHDI_SIG_EM, 0),
            _ => (abi::DAHDI_SIG_CLEAR, 0),
        });
        Self {
            name: name.into(),
            desc: format!("Dynamic span {name}"),
            kind: SpanKind::E1,
            lineconfig: 0,
            sigs: sigs.collect(),
            hw: fake_hw(),
            spantype: "DYNAM".into(),
            linecompat: 0,
            sigcaps: vec![DIGITAL_SIGCAP; 31],
        }
    }
}

struct FSpan {
    spec: FakeSpanSpec,
    basechan: usize,
    peer: Option<usize>,
    alarms: i32,
    local_loop: bool,
    cut: bool,
    removed: bool,
    counters: [i32; 4], // bpv, crc4, ebit, fas
    slips: u64,
    lineconfig: i32,
    lbo: i32,
    sync: i32,
    running: bool,
    fecount: i32,
    fe_per_s: i32,
    irq: i32,
}

#[derive(Default)]
struct FChan {
    span: usize,
    pos: usize,
    sig: i32,
    sigcap: i32,
    idlebits: i32,
    master: usize,
    deflaw: i32,
    echocan: String,
    hdlc_rate: i32,
    fd: Option<RawFd>,
    blocksize: usize,
    numbufs: usize,
    law: i32,
    audio: bool,
    rxq: VecDeque<Vec<u8>>,
    rx_cur: Vec<u8>,
    txq: VecDeque<Vec<u8>>,
    tx_off: usize,
    events: VecDeque<i32>,
    events_dropped: u64,
    txsig: i32,
    rxsig: i32,
    reported_rxbits: i32,
    /// HDLC: line octets still needed by the head frame of `txq`.
    hdlc_left: usize,
    corrupt_next: bool,
    txhook_offhook: bool,
    rx_offhook: bool,
    em_delay: Option<u32>,
    /// Tone zone of the open channel (the default zone when it was opened).
    zone: Option<i32>,
}

enum FdKind {
    Ctl,
    Unbound,
    Chan(usize),
    Dead,
    Epoll(Vec<(RawFd, u64)>),
}

struct Kernel {
    spans: Vec<FSpan>,
    chans: Vec<FChan>,
    fds: HashMap<RawFd, FdKind>,
    next_fd: RawFd,
    loaded: bool,
    denied: bool,
    leak_cas_neighbour: bool,
    now_ms: u64,
    ioctls: HashMap<u32, usize>,
    sysfs_basechan: bool,
    /// Loaded tone zones: zone number → tone defs.
    zones: std::collections::BTreeMap<i32, i32>,
    default_zone: Option<i32>,
    /// `DAHDI_TONE_ZONE_MAX`: zone numbers the kernel has slots for.
    zone_slots: i32,
}

/// The fake kernel: a cheap clonable handle (tests keep one to inject faults while the backend
/// owns another).
#[derive(Clone)]
pub struct FakeKernel {
    k: Arc<Mutex<Kernel>>,
}

/// How the backend can fail against the fake kernel, for tests of the error paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HdlcFault {
    /// The next frame received has a bad FCS (BADFCS).
    BadFcs,
    /// The next frame is aborted (ABORT).
    Abort,
    /// The next frame overruns the receive buffer (OVERRUN).
    Overrun,
}

fn err(e: i32) -> io::Error {
    io::Error::from_raw_os_error(e)
}

impl Default for FakeKernel {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeKernel {
    /// A loaded kernel with no spans.
    pub fn new() -> Self {
        Self {
            k: Arc::new(Mutex::new(Kernel {
                spans: Vec::new(),
                chans: Vec::new(),
                fds: HashMap::new(),
                next_fd: 3,
                loaded: true,
                denied: false,
                leak_cas_neighbour: false,
                now_ms: 0,
                ioctls: HashMap::new(),
                sysfs_basechan: true,
                zones: std::collections::BTreeMap::new(),
                default_zone: None,
                zone_slots: 128,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Kernel> {
        self.k.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a span (numbered in order from 1; channels numbered on from the last span).
    pub fn add_span(&self, spec: FakeSpanSpec) -> &Self {
        self.lock().add_span(spec);
        self
    }

    /// Wires spans `a` and `b` (1-based) back to back, both directions.
    pub fn wire(&self, a: u16, b: u16) -> &Self {
        let mut k = self.lock();
        let (a, b) = (a as usize - 1, b as usize - 1);
        if a < k.spans.len() && b < k.spans.len() {
            k.spans[a].peer = Some(b);
            k.spans[b].peer = Some(a);
        }
        drop(k);
        self
    }

    /// `n` E1 spans wired in pairs (1↔2, 3↔4, ...): even pairs PRI, odd pairs CAS, like
    /// `SimConfig::e1_pairs`.
    pub fn e1_pairs(n: usize) -> Self {
        let kk = Self::new();
        for i in 0..n {
            let name = format!("FAKE/0/{}", i + 1);
            kk.add_span(if (i / 2) % 2 == 0 {
                FakeSpanSpec::e1_pri(&name)
            } else {
                FakeSpanSpec::e1_cas(&name)
            });
        }
        for i in (0..n.saturating_sub(1)).step_by(2) {
            kk.wire(i as u16 + 1, i as u16 + 2);
        }
        kk
    }

    /// The VM test bed: two `loc` dynamic spans back to back, with the dynamic-span CAS leak.
    pub fn vm_loc() -> Self {
        let kk = Self::new();
        kk.add_span(FakeSpanSpec::vm_loc("DYN/loc/1:0"));
        kk.add_span(FakeSpanSpec::vm_loc("DYN/loc/1:1"));
        kk.wire(1, 2);
        kk.set_cas_leak(true);
        kk
    }

    /// Emulates `dahdi_dynamic_receive()`'s `& 0xff` bug: GETRXBITS carries the next channel's
    /// nibble in bits 4-7 and its changes raise BITSCHANGED here too.
    pub fn set_cas_leak(&self, on: bool) {
        self.lock().leak_cas_neighbour = on;
    }

    /// Module loaded or not (`/dev/dahdi/*` present).
    pub fn set_loaded(&self, on: bool) {
        self.lock().loaded = on;
    }

    /// Access to `/dev/dahdi/*` denied (`EACCES`).
    pub fn set_denied(&self, on: bool) {
        self.lock().denied = on;
    }

    /// Sets a span's alarm bits; ALARM/NOALARM goes to every open channel of it on a transition.
    pub fn set_alarms(&self, span: u16, alarms: i32) {
        let mut k = self.lock();
        k.set_alarms(span as usize - 1, alarms);
    }

    /// Cuts (or restores) a span's receive line: it goes RED+LOS, its peer YELLOW.
    pub fn cut_line(&self, span: u16, cut: bool) {
        let mut k = self.lock();
        let s = span as usize - 1;
        if s >= k.spans.len() {
            return;
        }
        k.spans[s].cut = cut;
        let keep = k.spans[s].alarms & abi::DAHDI_ALARM_LOOPBACK;
        let a = if cut { abi::DAHDI_ALARM_RED | abi::DAHDI_ALARM_LOS } else { 0 };
        k.set_alarms(s, a | keep);
        if let Some(p) = k.spans[s].peer {
            let keep = k.spans[p].alarms & abi::DAHDI_ALARM_LOOPBACK;
            k.set_alarms(p, if cut { abi::DAHDI_ALARM_YELLOW } else { 0 } | keep);
        }
    }

    /// Adds to a span's error counters (BPV, CRC-4, E-bit, FAS) and timing slips.
    pub fn add_counters(&self, span: u16, bpv: i32, crc4: i32, ebit: i32, fas: i32, slips: u64) {
        let mut k = self.lock();
        if let Some(s) = k.spans.get_mut(span as usize - 1) {
            for (c, d) in s.counters.iter_mut().zip([bpv, crc4, ebit, fas]) {
                *c += d;
            }
            s.slips += slips;
        }
    }

    /// The `irq` SPANSTAT reports for a span (old drivers filled it in; current ones leave 0).
    pub fn set_irq(&self, span: u16, irq: i32) {
        if let Some(s) = self.lock().spans.get_mut(span as usize - 1) {
            s.irq = irq;
        }
    }

    /// Framing errors counted per second on a span (`fecount`), without an alarm: what
    /// dahdi_scan reads as a lost CRC-4 multiframe alignment (LMFA).
    pub fn set_framing_errors(&self, span: u16, per_second: i32) {
        if let Some(s) = self.lock().spans.get_mut(span as usize - 1) {
            s.fe_per_s = per_second;
        }
    }

    /// Makes the next frame received on channel `chan` fail the way `fault` says.
    pub fn hdlc_fault(&self, chan: u32, fault: HdlcFault) {
        let mut k = self.lock();
        let Some(c) = k.chans.get_mut(chan as usize - 1) else { return };
        match fault {
            HdlcFault::BadFcs => c.corrupt_next = true,
            HdlcFault::Abort => c.push_event(abi::DAHDI_EVENT_ABORT),
            HdlcFault::Overrun => c.push_event(abi::DAHDI_EVENT_OVERRUN),
        }
    }

    /// Surprise removal of a span: its channels' fds switch to "no device" and get REMOVED.
    pub fn remove_span(&self, span: u16) {
        let mut k = self.lock();
        let s = span as usize - 1;
        if s >= k.spans.len() {
            return;
        }
        k.spans[s].removed = true;
        let fds: Vec<RawFd> = k.chans.iter().filter(|c| c.span == s).filter_map(|c| c.fd).collect();
        for c in k.chans.iter_mut().filter(|c| c.span == s) {
            c.fd = None;
        }
        for fd in fds {
            k.fds.insert(fd, FdKind::Dead);
        }
    }

    /// Holds a channel as another process would (Asterisk): the backend's open gets `EBUSY`.
    pub fn hold(&self, chan: u32) -> io::Result<RawFd> {
        let fd = self.open(abi::DEV_CHANNEL)?;
        let mut a = (chan as i32).to_ne_bytes();
        self.ioctl(fd, abi::DAHDI_SPECIFY, &mut a)?;
        Ok(fd)
    }

    /// Events dropped on a channel because its queue was full.
    pub fn events_dropped(&self, chan: u32) -> u64 {
        self.lock().chans.get(chan as usize - 1).map_or(0, |c| c.events_dropped)
    }

    /// How many times `request` was issued (on any fd) since the kernel was made.
    pub fn ioctl_count(&self, request: u32) -> usize {
        self.lock().ioctls.get(&request).copied().unwrap_or(0)
    }

    /// Whether the kernel exposes `/sys/bus/dahdi_spans/devices/span-N/basechan` (DAHDI ≥ 2.5).
    pub fn set_sysfs_basechan(&self, on: bool) {
        self.lock().sysfs_basechan = on;
    }

    /// Loaded tone zones as `(zone, number of tone defs)`.
    pub fn loaded_zones(&self) -> Vec<(i32, i32)> {
        self.lock().zones.iter().map(|(&z, &n)| (z, n)).collect()
    }

    /// The default tone zone (DEFAULTZONE), if one was set.
    pub fn default_zone(&self) -> Option<i32> {
        self.lock().default_zone
    }

    /// How many zone numbers the kernel has slots for (`DAHDI_TONE_ZONE_MAX`, 128).
    pub fn set_zone_slots(&self, n: i32) {
        self.lock().zone_slots = n;
    }

    /// Signalling, idle bits, default law, echo canceller and HDLC rate of channel `chan` as
    /// CHANCONFIG, ATTACH_ECHOCAN and HDLC_RATE left them.
    pub fn channel_config(&self, chan: u32) -> Option<(i32, i32, i32, String, i32)> {
        let k = self.lock();
        let c = k.chans.get((chan as usize).checked_sub(1)?)?;
        Some((c.sig, c.idlebits, c.deflaw, c.echocan.clone(), c.hdlc_rate))
    }

    /// Line configuration, LBO, timing priority and running state of span `span` as SPANCONFIG
    /// and STARTUP/SHUTDOWN left them.
    pub fn span_config(&self, span: u16) -> Option<(i32, i32, i32, bool)> {
        let k = self.lock();
        let s = k.spans.get((span as usize).checked_sub(1)?)?;
        Some((s.lineconfig, s.lbo, s.sync, s.running))
    }

    /// Milliseconds of kernel time elapsed.
    pub fn now_ms(&self) -> u64 {
        self.lock().now_ms
    }

    /// Advances kernel time by `ms` milliseconds.
    pub fn advance(&self, ms: u32) {
        let mut k = self.lock();
        for _ in 0..ms {
            k.step_ms();
        }
    }
}

impl Kernel {
    /// Adds a span after the last one; its index.
    fn add_span(&mut self, spec: FakeSpanSpec) -> usize {
        let span = self.spans.len();
        let basechan = self.chans.len() + 1;
        for (i, &(sig, idle)) in spec.sigs.iter().enumerate() {
            let no = self.chans.len() + 1;
            self.chans.push(FChan {
                span,
                pos: i + 1,
                sig,
                sigcap: spec.sigcaps.get(i).copied().unwrap_or(DIGITAL_SIGCAP),
                master: no,
                hdlc_rate: 64,
                idlebits: idle,
                txsig: idle,
                rxsig: idle,
                reported_rxbits: idle,
                blocksize: 1024,
                numbufs: 2,
                ..FChan::default()
            });
        }
        let lineconfig = spec.lineconfig;
        self.spans.push(FSpan {
            lineconfig,
            lbo: 0,
            sync: 0,
            running: true,
            fecount: 0,
            fe_per_s: 0,
            irq: 0,
            spec,
            basechan,
            peer: None,
            alarms: 0,
            local_loop: false,
            cut: false,
            removed: false,
            counters: [0; 4],
            slips: 0,
        });
        span
    }

    /// DYNAMIC_CREATE (dahdi_dynamic + dahdi_dynamic_loc, auto_assign_spans=1): a span named
    /// `DYN/<driver>/<addr>` with unconfigured channels; `loc` spans with the same key are wired
    /// back to back. The span number is written back into `spanno`.
    fn dynamic_create(&mut self, arg: &mut [u8]) -> io::Result<()> {
        let driver = abi::c_string(arg.get(0..20).unwrap_or(&[]));
        let addr = abi::c_string(arg.get(20..60).unwrap_or(&[]));
        let numchans = get_i32(arg, offset_of!(abi::DahdiDynamicSpan, numchans));
        if driver != "loc" {
            return Err(err(libc::EINVAL)); // no such dynamic driver module
        }
        let key = |a: &str| a.split(':').next().map(str::to_string);
        if !(1..=abi::DAHDI_MAX_CHANNELS).contains(&numchans) || key(&addr).is_none() {
            return Err(err(libc::EINVAL));
        }
        let name = format!("DYN/{driver}/{addr}");
        if self.spans.iter().any(|s| !s.removed && s.spec.name == name) {
            return Err(err(libc::EEXIST));
        }
        let n = numchans as usize;
        let spec = FakeSpanSpec {
            desc: format!("Dynamic '{driver}' span at '{addr}'"),
            kind: if n == 24 { SpanKind::T1 } else { SpanKind::E1 },
            lineconfig: 0,
            sigs: vec![(0, 0); n],
            hw: [String::new(), name.clone(), String::new()],
            spantype: "DYNAM".into(),
            linecompat: E1_LINECOMPAT | T1_LINECOMPAT,
            sigcaps: vec![DIGITAL_SIGCAP; n],
            name,
        };
        // auto_assign_spans takes the lowest free span number and channel range: the slot of a
        // destroyed span of the same size is reused (as the real kernel did in the VM).
        let reuse = (0..self.spans.len())
            .find(|&j| self.spans[j].removed && self.chans.iter().filter(|c| c.span == j).count() == n);
        let si = match reuse {
            Some(j) => {
                let base = self.spans[j].basechan;
                for (k, c) in self.chans.iter_mut().filter(|c| c.span == j).enumerate() {
                    *c = FChan {
                        span: j,
                        pos: k + 1,
                        sigcap: DIGITAL_SIGCAP,
                        master: base + k,
                        hdlc_rate: 64,
                        blocksize: 1024,
                        numbufs: 2,
                        ..FChan::default()
                    };
                }
                let s = &mut self.spans[j];
                (s.spec, s.removed, s.peer, s.alarms, s.running) = (spec, false, None, 0, true);
                j
            }
            None => self.add_span(spec),
        };
        let peer = (0..self.spans.len()).filter(|&j| j != si).find(|&j| {
            let s = &self.spans[j];
            !s.removed && s.peer.is_none() && s.spec.spantype == "DYNAM" && {
                let a = s.spec.name.trim_start_matches("DYN/loc/");
                s.spec.name.starts_with("DYN/loc/") && key(a) == key(&addr)
            }
        });
        if let Some(p) = peer {
            self.spans[si].peer = Some(p);
            self.spans[p].peer = Some(si);
            // The peer receives again: its RED (far end gone) clears.
            let a = self.spans[p].alarms & !abi::DAHDI_ALARM_RED;
            self.set_alarms(p, a);
        }
        put_i32(arg, offset_of!(abi::DahdiDynamicSpan, spanno), si as i32 + 1);
        Ok(())
    }

    /// DYNAMIC_DESTROY: `EINVAL` for no such span, `EBUSY` while any of its channels is open
    /// (dahdi_dynamic holds a reference per open channel); the peer loses its far end.
    fn dynamic_destroy(&mut self, arg: &[u8]) -> io::Result<()> {
        let driver = abi::c_string(arg.get(0..20).unwrap_or(&[]));
        let addr = abi::c_string(arg.get(20..60).unwrap_or(&[]));
        let name = format!("DYN/{driver}/{addr}");
        let si =
            self.spans.iter().position(|s| !s.removed && s.spec.name == name).ok_or(err(libc::EINVAL))?;
        if self.chans.iter().any(|c| c.span == si && c.fd.is_some()) {
            return Err(err(libc::EBUSY));
        }
        self.spans[si].removed = true;
        if let Some(p) = self.spans[si].peer.take() {
            self.spans[p].peer = None;
            let a = self.spans[p].alarms;
            self.set_alarms(p, a | abi::DAHDI_ALARM_RED);
        }
        Ok(())
    }
}

impl FChan {
    fn push_event(&mut self, e: i32) {
        if self.fd.is_none() {
            return;
        }
        if self.events.len() >= EVENT_QUEUE {
            self.events_dropped += 1;
        } else {
            self.events.push_back(e);
        }
    }

    fn is_hdlc(&self) -> bool {
        self.sig & abi::DAHDI_SIG_HDLCRAW == abi::DAHDI_SIG_HDLCRAW
            || self.sig & abi::DAHDI_SIG_HARDHDLC == abi::DAHDI_SIG_HARDHDLC
    }

    fn bind(&mut self, fd: RawFd) {
        self.fd = Some(fd);
        self.blocksize = 1024;
        self.numbufs = 2;
        self.rxq.clear();
        self.rx_cur.clear();
        self.txq.clear();
        self.tx_off = 0;
        self.events.clear();
        self.audio = self.sig & abi::DAHDI_SIG_CLEAR == 0;
        self.hdlc_left = 0;
    }

    fn unbind(&mut self) {
        self.fd = None;
        self.txq.clear();
        self.rxq.clear();
        self.events.clear();
        self.txsig = self.idlebits; // a closed CAS channel sends its idle bits
        self.txhook_offhook = false;
    }
}

impl Kernel {
    fn set_alarms(&mut self, s: usize, alarms: i32) {
        let Some(span) = self.spans.get_mut(s) else { return };
        let was = span.alarms;
        span.alarms = alarms;
        if (was == 0) != (alarms == 0) {
            let e = if alarms != 0 { abi::DAHDI_EVENT_ALARM } else { abi::DAHDI_EVENT_NOALARM };
            for c in self.chans.iter_mut().filter(|c| c.span == s) {
                c.push_event(e);
            }
        }
    }

    fn chan_of(&self, fd: RawFd) -> io::Result<usize> {
        match self.fds.get(&fd) {
            Some(FdKind::Chan(c)) => Ok(*c),
            Some(FdKind::Dead) => Err(err(libc::ENODEV)),
            Some(FdKind::Unbound) => Err(err(libc::EINVAL)),
            _ => Err(err(libc::EBADF)),
        }
    }

    /// Where span `s` receives from: itself in local loopback, its peer, or nothing.
    fn src(&self, s: usize) -> Option<usize> {
        let sp = &self.spans[s];
        if sp.removed || sp.cut {
            None
        } else if sp.local_loop {
            Some(s)
        } else {
            sp.peer.filter(|&p| !self.spans[p].removed && !self.spans[p].local_loop)
        }
    }

    /// One millisecond (8 frames) of every span.
    fn step_ms(&mut self) {
        self.now_ms += 1;
        if self.now_ms % 1000 == 0 {
            for s in self.spans.iter_mut() {
                s.fecount = s.fecount.saturating_add(s.fe_per_s);
            }
        }
        let n = self.chans.len();
        // Transmit: 8 octets (or HDLC progress, CAS bits, hook state) per channel.
        let mut chunks: Vec<[u8; 8]> = vec![[IDLE; 8]; n];
        let mut frames: Vec<Option<Vec<u8>>> = vec![None; n];
        for (i, c) in self.chans.iter_mut().enumerate() {
            if c.fd.is_none() || c.sig == 0 {
                continue;
            }
            if c.is_hdlc() {
                if c.txq.is_empty() {
                    continue;
                }
                if c.hdlc_left == 0 {
                    c.hdlc_left = c.txq[0].len() + 1; // + a flag
                }
                c.hdlc_left = c.hdlc_left.saturating_sub(8);
                if c.hdlc_left == 0 {
                    frames[i] = c.txq.pop_front();
                }
                continue;
            }
            let mut k = 0;
            while k < 8 {
                let Some(b) = c.txq.front() else { break };
                let take = (b.len() - c.tx_off).min(8 - k);
                chunks[i][k..k + take].copy_from_slice(&b[c.tx_off..c.tx_off + take]);
                k += take;
                c.tx_off += take;
                if c.tx_off >= b.len() {
                    c.txq.pop_front();
                    c.tx_off = 0;
                }
            }
        }
        // Receive.
        for i in 0..n {
            let s = self.chans[i].span;
            if self.spans[s].removed || self.chans[i].sig == 0 {
                continue;
            }
            let src_span = self.src(s);
            let src = src_span.and_then(|x| {
                let j = self.spans[x].basechan - 1 + self.chans[i].pos - 1;
                (j < n && self.chans[j].span == x).then_some(j)
            });
            let (chunk, frame, txsig, offhook) = match src {
                Some(j) => (chunks[j], frames[j].take(), self.chans[j].txsig, self.chans[j].txhook_offhook),
                None => ([IDLE; 8], None, self.chans[i].rxsig, false),
            };
            let c = &mut self.chans[i];
            if c.sig == abi::DAHDI_SIG_CAS && txsig != c.rxsig {
                c.rxsig = txsig;
            }
            if c.sig & abi::DAHDI_SIG_EM == abi::DAHDI_SIG_EM && c.sig & abi::DAHDI_SIG_CLEAR == 0 {
                if offhook && !c.rx_offhook && c.em_delay.is_none() {
                    c.em_delay = Some(EM_RX_DELAY_MS);
                } else if !offhook {
                    c.em_delay = None;
                    if c.rx_offhook {
                        c.rx_offhook = false;
                        c.push_event(abi::DAHDI_EVENT_ONHOOK);
                    }
                }
                if let Some(d) = c.em_delay.as_mut() {
                    *d = d.saturating_sub(1);
                    if *d == 0 {
                        c.em_delay = None;
                        c.rx_offhook = true;
                        c.push_event(abi::DAHDI_EVENT_RINGOFFHOOK);
                    }
                }
            }
            if c.fd.is_none() {
                continue;
            }
            if c.is_hdlc() {
                if let Some(f) = frame {
                    let bufsize = c.blocksize;
                    if c.corrupt_next {
                        c.corrupt_next = false;
                        c.push_event(abi::DAHDI_EVENT_BADFCS);
                    } else if fcs16_update(0xFFFF, &f) != FCS16_GOOD {
                        c.push_event(abi::DAHDI_EVENT_BADFCS);
                    } else if f.len() > bufsize {
                        c.push_event(abi::DAHDI_EVENT_OVERRUN);
                    } else if c.rxq.len() < c.numbufs {
                        c.rxq.push_back(f);
                    }
                }
                continue;
            }
            c.rx_cur.extend_from_slice(&chunk);
            while c.rx_cur.len() >= c.blocksize {
                let rest = c.rx_cur.split_off(c.blocksize);
                let block = std::mem::replace(&mut c.rx_cur, rest);
                if c.rxq.len() < c.numbufs {
                    c.rxq.push_back(block);
                }
            }
        }
        // CAS changes become BITSCHANGED (on the channel, and with the leak on its neighbour).
        let leak = self.leak_cas_neighbour;
        for i in 0..n {
            if self.chans[i].sig != abi::DAHDI_SIG_CAS {
                continue;
            }
            let bits = self.rxbits(i, leak);
            if bits != self.chans[i].reported_rxbits {
                self.chans[i].reported_rxbits = bits;
                self.chans[i].push_event(abi::DAHDI_EVENT_BITSCHANGED);
            }
        }
    }

    /// What GETRXBITS returns (with the dynamic-span leak when enabled).
    fn rxbits(&self, i: usize, leak: bool) -> i32 {
        let c = &self.chans[i];
        let mut bits = c.rxsig & 0xF;
        if leak && (c.pos - 1) % 4 != 3 {
            if let Some(nb) =
                self.chans.get(i + 1).filter(|nb| nb.span == c.span && nb.sig == abi::DAHDI_SIG_CAS)
            {
                bits |= (nb.rxsig & 0xF) << 4;
            }
        }
        bits
    }

    fn params(&self, ci: usize, buf: &mut [u8]) {
        let c = &self.chans[ci];
        buf.fill(0);
        put_i32(buf, offset_of!(DahdiParams, channo), ci as i32 + 1 + ((c.master as i32) << 16));
        put_i32(buf, offset_of!(DahdiParams, spanno), c.span as i32 + 1);
        put_i32(buf, offset_of!(DahdiParams, chanpos), c.pos as i32);
        put_i32(buf, offset_of!(DahdiParams, sigtype), c.sig);
        put_i32(buf, offset_of!(DahdiParams, sigcap), c.sigcap);
        let cas = c.sig == abi::DAHDI_SIG_CAS;
        put_i32(buf, offset_of!(DahdiParams, rxbits), if cas { c.rxsig } else { -1 });
        put_i32(buf, offset_of!(DahdiParams, txbits), if cas { c.txsig } else { -1 });
        put_i32(buf, offset_of!(DahdiParams, curlaw), if c.law == 0 { abi::DAHDI_LAW_MULAW } else { c.law });
        put_i32(buf, offset_of!(DahdiParams, idlebits), c.idlebits);
        let name = format!("{}/{}", self.spans[c.span].spec.name, c.pos);
        put_str(buf, offset_of!(DahdiParams, name), 40, &name);
        put_i32(buf, offset_of!(DahdiParams, chan_alarms), self.spans[c.span].alarms);
    }

    fn spaninfo(&self, s: usize, buf: &mut [u8]) {
        let sp = &self.spans[s];
        buf.fill(0);
        let i = |buf: &mut [u8], off: usize, v: i32| put_i32(buf, off, v);
        i(buf, offset_of!(DahdiSpaninfo, spanno), s as i32 + 1);
        put_str(buf, offset_of!(DahdiSpaninfo, name), 20, &sp.spec.name);
        put_str(buf, offset_of!(DahdiSpaninfo, desc), 40, &sp.spec.desc);
        i(buf, offset_of!(DahdiSpaninfo, alarms), sp.alarms);
        i(buf, offset_of!(DahdiSpaninfo, bpvcount), sp.counters[0]);
        i(buf, offset_of!(DahdiSpaninfo, crc4count), sp.counters[1]);
        i(buf, offset_of!(DahdiSpaninfo, ebitcount), sp.counters[2]);
        i(buf, offset_of!(DahdiSpaninfo, fascount), sp.counters[3]);
        i(buf, offset_of!(DahdiSpaninfo, fecount), sp.fecount);
        i(buf, offset_of!(DahdiSpaninfo, irq), sp.irq);
        i(
            buf,
            offset_of!(DahdiSpaninfo, syncsrc),
            if sp.spec.kind == SpanKind::E1 { s as i32 + 1 } else { 0 },
        );
        let configured = self.chans.iter().filter(|c| c.span == s && c.sig != 0).count() as i32;
        i(buf, offset_of!(DahdiSpaninfo, numchans), configured);
        i(buf, offset_of!(DahdiSpaninfo, totalchans), sp.spec.sigs.len() as i32);
        i(
            buf,
            offset_of!(DahdiSpaninfo, totalspans),
            self.spans.iter().filter(|x| !x.removed).count() as i32,
        );
        i(buf, offset_of!(DahdiSpaninfo, lineconfig), sp.lineconfig);
        i(buf, offset_of!(DahdiSpaninfo, lbo), sp.lbo);
        put_str(buf, offset_of!(DahdiSpaninfo, lboname), 40, abi::LBO_NAMES[sp.lbo.clamp(0, 7) as usize]);
        put_str(buf, offset_of!(DahdiSpaninfo, manufacturer), 40, &sp.spec.hw[0]);
        put_str(buf, offset_of!(DahdiSpaninfo, devicetype), 40, &sp.spec.hw[1]);
        put_str(buf, offset_of!(DahdiSpaninfo, location), 40, &sp.spec.hw[2]);
        i(buf, offset_of!(DahdiSpaninfo, linecompat), sp.spec.linecompat);
        put_str(buf, offset_of!(DahdiSpaninfo, spantype), 6, &sp.spec.spantype);
    }

    fn proc_text(&self, s: usize) -> String {
        let sp = &self.spans[s];
        let mut t = format!("Span {}: {} \"{}\"", s + 1, sp.spec.name, sp.spec.desc);
        if s == 0 {
            t.push_str(" (MASTER)");
        }
        if sp.lineconfig != 0 {
            t.push(' ');
            t.push_str(&abi::lineconfig_str(sp.lineconfig));
        }
        t.push(' ');
        t.push_str(&crate::span::Alarms(sp.alarms as u32).proc_str());
        t.push('\n');
        for (name, v) in [
            ("BPV count", sp.counters[0] as u64),
            ("CRC4 error count", sp.counters[1] as u64),
            ("E-bit error count", sp.counters[2] as u64),
            ("FAS error count", sp.counters[3] as u64),
            ("Timing slips", sp.slips),
        ] {
            if v != 0 {
                t.push_str(&format!("\t{name}: {v}\n"));
            }
        }
        t.push('\n');
        for p in 0..sp.spec.sigs.len() {
            let c = &self.chans[sp.basechan - 1 + p];
            let sig = c.sig;
            t.push_str(&format!("\t{:4} {}/{} ", sp.basechan + p, sp.spec.name, p + 1));
            if sig != 0 {
                t.push_str(abi::sig_proc_name(sig));
                t.push(' ');
            }
            if c.fd.is_some() {
                t.push_str("(In use) ");
            }
            t.push('\n');
        }
        t
    }

    fn new_fd(&mut self, kind: FdKind) -> RawFd {
        let fd = self.next_fd;
        self.next_fd += 1;
        self.fds.insert(fd, kind);
        fd
    }

    fn readiness(&self, fd: RawFd) -> (bool, bool, bool) {
        match self.fds.get(&fd) {
            Some(FdKind::Chan(c)) => {
                let c = &self.chans[*c];
                (!c.rxq.is_empty(), !c.events.is_empty(), false)
            }
            Some(FdKind::Dead) => (false, true, true),
            _ => (false, false, false),
        }
    }

    fn ctl_ioctl(&mut self, request: u32, arg: &mut [u8]) -> io::Result<()> {
        match request {
            abi::DAHDI_SPANSTAT => {
                let s = get_i32(arg, 0);
                let ok = s >= 1 && (s as usize) <= self.spans.len() && !self.spans[s as usize - 1].removed;
                if !ok {
                    return Err(err(libc::EINVAL));
                }
                self.spaninfo(s as usize - 1, arg);
                Ok(())
            }
            abi::DAHDI_GET_PARAMS => {
                let ch = get_i32(arg, 0) & 0xFFFF;
                let ci = ch as usize;
                if ci == 0 || ci > self.chans.len() || self.spans[self.chans[ci - 1].span].removed {
                    return Err(err(libc::EINVAL));
                }
                self.params(ci - 1, arg);
                Ok(())
            }
            abi::DAHDI_MAINT => {
                let s = get_i32(arg, 0);
                let cmd = get_i32(arg, 4);
                if s < 1 || s as usize > self.spans.len() || self.spans[s as usize - 1].removed {
                    return Err(err(libc::EINVAL));
                }
                let si = s as usize - 1;
                let a = self.spans[si].alarms;
                match cmd {
                    abi::DAHDI_MAINT_NONE => {
                        self.spans[si].local_loop = false;
                        self.set_alarms(si, a & !abi::DAHDI_ALARM_LOOPBACK);
                    }
                    abi::DAHDI_MAINT_LOCALLOOP => {
                        self.spans[si].local_loop = true;
                        self.set_alarms(si, a | abi::DAHDI_ALARM_LOOPBACK);
                    }
                    abi::DAHDI_RESET_COUNTERS => {
                        self.spans[si].counters = [0; 4];
                        self.spans[si].slips = 0;
                    }
                    _ => return Err(err(libc::ENOSYS)),
                }
                Ok(())
            }
            abi::DAHDI_GETVERSION => {
                put_str(arg, 0, 80, "3.4.0-trunkline-fake");
                Ok(())
            }
            abi::DAHDI_SPANCONFIG => {
                let si = self.span_no(get_i32(arg, offset_of!(abi::DahdiLineconfig, span)))?;
                let lc = get_i32(arg, offset_of!(abi::DahdiLineconfig, lineconfig));
                // dahdi_ioctl_spanconfig: framing/coding bits the span cannot do are EINVAL.
                if lc & 0x1FF0 & !self.spans[si].spec.linecompat != 0 {
                    return Err(err(libc::EINVAL));
                }
                let lbo = get_i32(arg, offset_of!(abi::DahdiLineconfig, lbo));
                let sync = get_i32(arg, offset_of!(abi::DahdiLineconfig, sync));
                let sp = &mut self.spans[si];
                (sp.lineconfig, sp.lbo, sp.sync) = (lc, lbo, sync);
                Ok(())
            }
            abi::DAHDI_STARTUP | abi::DAHDI_SHUTDOWN => {
                let si = self.span_no(get_i32(arg, 0))?;
                self.spans[si].running = request == abi::DAHDI_STARTUP;
                Ok(())
            }
            abi::DAHDI_CHANCONFIG => self.chanconfig(arg),
            abi::DAHDI_ATTACH_ECHOCAN => {
                let ci = self.chan_no(get_i32(arg, offset_of!(abi::DahdiAttachEchocan, chan)))?;
                let name = abi::c_string(&arg[offset_of!(abi::DahdiAttachEchocan, echocan)..][..16]);
                if !name.is_empty() && !ECHOCANS.contains(&name.as_str()) {
                    return Err(err(libc::EINVAL));
                }
                self.chans[ci].echocan = name;
                Ok(())
            }
            abi::DAHDI_LOADZONE => self.loadzone(arg),
            abi::DAHDI_FREEZONE => {
                let z = get_i32(arg, 0);
                if !(0..self.zone_slots).contains(&z) {
                    return Err(err(libc::EINVAL));
                }
                if self.chans.iter().any(|c| c.fd.is_some() && c.zone == Some(z)) {
                    return Err(err(libc::EBUSY));
                }
                self.zones.remove(&z);
                if self.default_zone == Some(z) {
                    self.default_zone = None;
                }
                Ok(())
            }
            abi::DAHDI_DEFAULTZONE => {
                let z = get_i32(arg, 0);
                if !self.zones.contains_key(&z) {
                    return Err(err(libc::EINVAL));
                }
                self.default_zone = Some(z);
                Ok(())
            }
            abi::DAHDI_DYNAMIC_CREATE => self.dynamic_create(arg),
            abi::DAHDI_DYNAMIC_DESTROY => self.dynamic_destroy(arg),
            _ => Err(err(libc::ENOTTY)),
        }
    }

    /// LOADZONE (dahdi_ioctl_loadzone): header plus `count` tone defs, each tone id a zone tone,
    /// DTMF, MF R1 or MFC/R2 one and each `next` within the zone.
    fn loadzone(&mut self, arg: &[u8]) -> io::Result<()> {
        let (count, zone) = (get_i32(arg, 0), get_i32(arg, 4));
        if !(0..self.zone_slots).contains(&zone) || !(0..=128).contains(&count) {
            return Err(err(libc::EINVAL));
        }
        if arg.len() < 112 + count as usize * 44 {
            return Err(err(libc::EFAULT));
        }
        for i in 0..count as usize {
            let (tone, next) = (get_i32(arg, 112 + 44 * i), get_i32(arg, 112 + 44 * i + 4));
            let known = (0..16).contains(&tone)
                || (64..80).contains(&tone)
                || (80..95).contains(&tone)
                || (96..111).contains(&tone)
                || (112..127).contains(&tone);
            if !known || !(0..count).contains(&next) {
                return Err(err(libc::EINVAL));
            }
        }
        self.zones.insert(zone, count);
        Ok(())
    }

    /// The index of span `no` (1-based), `ENXIO` if there is none (as span_find_and_get).
    fn span_no(&self, no: i32) -> io::Result<usize> {
        match usize::try_from(no) {
            Ok(n) if n >= 1 && n <= self.spans.len() && !self.spans[n - 1].removed => Ok(n - 1),
            _ => Err(err(libc::ENXIO)),
        }
    }

    /// The index of channel `no` (1-based), `EINVAL` if there is none.
    fn chan_no(&self, no: i32) -> io::Result<usize> {
        match usize::try_from(no) {
            Ok(n) if n >= 1 && n <= self.chans.len() && !self.spans[self.chans[n - 1].span].removed => {
                Ok(n - 1)
            }
            _ => Err(err(libc::EINVAL)),
        }
    }

    /// CHANCONFIG: the signalling must be within the channel's sigcap; like the E1/T1 framer
    /// drivers, robbed-bit signalling on a CCS span and `e&m` (not `e&me1`) on an E1 are EINVAL.
    fn chanconfig(&mut self, arg: &[u8]) -> io::Result<()> {
        let ci = self.chan_no(get_i32(arg, offset_of!(abi::DahdiChanconfig, chan)))?;
        let sig = get_i32(arg, offset_of!(abi::DahdiChanconfig, sigtype));
        let c = &self.chans[ci];
        let sp = &self.spans[c.span];
        if sig != 0 && sig & c.sigcap != sig {
            return Err(err(libc::EINVAL));
        }
        let rbs = sig & (abi::__DAHDI_SIG_FXS | abi::__DAHDI_SIG_FXO | abi::DAHDI_SIG_EM_E1) != 0
            || sig == abi::DAHDI_SIG_EM
            || sig == abi::DAHDI_SIG_CAS;
        if rbs && sp.lineconfig & abi::DAHDI_CONFIG_CCS != 0 {
            return Err(err(libc::EINVAL));
        }
        // (A framer driver's chanconfig op; dynamic spans have none and take `e&m`.)
        if sig == abi::DAHDI_SIG_EM
            && sp.spec.kind == SpanKind::E1
            && sp.spec.linecompat != 0
            && sp.spec.spantype != "DYNAM"
        {
            return Err(err(libc::EINVAL));
        }
        let master = get_i32(arg, offset_of!(abi::DahdiChanconfig, master));
        let c = &mut self.chans[ci];
        c.sig = sig;
        c.deflaw = get_i32(arg, offset_of!(abi::DahdiChanconfig, deflaw));
        c.idlebits = get_i32(arg, offset_of!(abi::DahdiChanconfig, idlebits));
        c.master = if master >= 1 { master as usize } else { ci + 1 };
        if c.fd.is_none() {
            c.txsig = c.idlebits & 0xF;
        }
        Ok(())
    }

    fn chan_ioctl(&mut self, fd: RawFd, ci: usize, request: u32, arg: &mut [u8]) -> io::Result<()> {
        let int = get_i32(arg, 0);
        match request {
            abi::DAHDI_GET_PARAMS => {
                self.params(ci, arg);
                return Ok(());
            }
            abi::DAHDI_SPANSTAT => {
                let s = if int == 0 { self.chans[ci].span as i32 + 1 } else { int };
                put_i32(arg, 0, s);
                return self.ctl_ioctl(request, arg);
            }
            abi::DAHDI_GETTONEZONE => {
                put_i32(arg, 0, self.chans[ci].zone.unwrap_or(0));
                return Ok(());
            }
            abi::DAHDI_SETTONEZONE => {
                if !self.zones.contains_key(&int) {
                    return Err(err(libc::ENODATA)); // libtonezone then loads the zone itself
                }
                self.chans[ci].zone = Some(int);
                return Ok(());
            }
            abi::DAHDI_SENDTONE => {
                return match self.chans[ci].zone {
                    None => Err(err(libc::ENODATA)),
                    Some(_) => Ok(()),
                };
            }
            abi::DAHDI_GETRXBITS => {
                let leak = self.leak_cas_neighbour;
                let b = self.rxbits(ci, leak);
                put_i32(arg, 0, b);
                return Ok(());
            }
            _ => {}
        }
        let c = &mut self.chans[ci];
        match request {
            abi::DAHDI_SET_BLOCKSIZE => {
                if !(16..=abi::DAHDI_MAX_BLOCKSIZE).contains(&int) {
                    return Err(err(libc::EINVAL));
                }
                c.blocksize = int as usize;
                c.rx_cur.clear();
                c.rxq.clear();
            }
            abi::DAHDI_GET_BLOCKSIZE => put_i32(arg, 0, c.blocksize as i32),
            abi::DAHDI_SET_BUFINFO => {
                let bufsize = get_i32(arg, offset_of!(abi::DahdiBufferinfo, bufsize));
                let numbufs = get_i32(arg, offset_of!(abi::DahdiBufferinfo, numbufs));
                if !(16..=abi::DAHDI_MAX_BLOCKSIZE).contains(&bufsize)
                    || (bufsize as i64) * (numbufs as i64) > abi::DAHDI_MAX_BUF_SPACE as i64
                {
                    return Err(err(libc::EINVAL));
                }
                c.blocksize = bufsize as usize;
                c.numbufs = numbufs.clamp(2, abi::DAHDI_MAX_NUM_BUFS) as usize;
            }
            abi::DAHDI_GET_BUFINFO => {
                arg.fill(0);
                put_i32(arg, offset_of!(abi::DahdiBufferinfo, bufsize), c.blocksize as i32);
                put_i32(arg, offset_of!(abi::DahdiBufferinfo, numbufs), c.numbufs as i32);
                put_i32(arg, offset_of!(abi::DahdiBufferinfo, readbufs), -1);
                put_i32(arg, offset_of!(abi::DahdiBufferinfo, writebufs), -1);
            }
            abi::DAHDI_SETLAW => {
                if !(0..=2).contains(&int) {
                    return Err(err(libc::EINVAL));
                }
                c.law = int;
            }
            abi::DAHDI_AUDIOMODE => {
                if c.sig != abi::DAHDI_SIG_CLEAR {
                    return Err(err(libc::EINVAL));
                }
                c.audio = int != 0;
            }
            abi::DAHDI_GETEVENT => put_i32(arg, 0, c.events.pop_front().unwrap_or(abi::DAHDI_EVENT_NONE)),
            abi::DAHDI_SETTXBITS => {
                if c.sig != abi::DAHDI_SIG_CAS {
                    return Err(err(libc::EINVAL));
                }
                c.txsig = int & 0xF;
            }
            abi::DAHDI_HOOK => {
                if c.sig & abi::DAHDI_SIG_CLEAR != 0 || c.sig == abi::DAHDI_SIG_CAS {
                    return Err(err(libc::EINVAL));
                }
                match int {
                    abi::DAHDI_ONHOOK => c.txhook_offhook = false,
                    abi::DAHDI_OFFHOOK => c.txhook_offhook = true,
                    abi::DAHDI_WINK
                    | abi::DAHDI_FLASH
                    | abi::DAHDI_START
                    | abi::DAHDI_RING
                    | abi::DAHDI_RINGOFF => {}
                    _ => return Err(err(libc::EINVAL)),
                }
            }
            abi::DAHDI_FLUSH => {
                if int & abi::DAHDI_FLUSH_READ != 0 {
                    c.rxq.clear();
                    c.rx_cur.clear();
                }
                if int & abi::DAHDI_FLUSH_WRITE != 0 {
                    c.txq.clear();
                    c.tx_off = 0;
                }
                if int & abi::DAHDI_FLUSH_EVENT != 0 {
                    c.events.clear();
                }
            }
            abi::DAHDI_CHANNO => put_i32(arg, 0, ci as i32 + 1),
            abi::DAHDI_HDLC_RATE => {
                if int != 56 && int != 64 {
                    return Err(err(libc::EINVAL));
                }
                c.hdlc_rate = int;
            }
            // A bound fd no longer goes through dahdi_prechan_ioctl: SPECIFY is unknown there.
            abi::DAHDI_SPECIFY => return Err(err(libc::ENOTTY)),
            _ => {
                let _ = fd;
                return Err(err(libc::ENOTTY));
            }
        }
        Ok(())
    }
}

impl Sys for FakeKernel {
    fn open(&self, path: &str) -> io::Result<RawFd> {
        let mut k = self.lock();
        if !k.loaded {
            return Err(err(libc::ENOENT));
        }
        if k.denied {
            return Err(err(libc::EACCES));
        }
        match path {
            abi::DEV_CTL => Ok(k.new_fd(FdKind::Ctl)),
            abi::DEV_CHANNEL => Ok(k.new_fd(FdKind::Unbound)),
            _ => Err(err(libc::ENOENT)),
        }
    }

    fn close(&self, fd: RawFd) -> io::Result<()> {
        let mut k = self.lock();
        match k.fds.remove(&fd) {
            Some(FdKind::Chan(c)) => {
                k.chans[c].unbind();
                Ok(())
            }
            Some(_) => Ok(()),
            None => Err(err(libc::EBADF)),
        }
    }

    fn ioctl(&self, fd: RawFd, request: u32, arg: &mut [u8]) -> io::Result<()> {
        if arg.len() < abi::ioc_size(request) {
            return Err(err(libc::EFAULT));
        }
        let mut k = self.lock();
        *k.ioctls.entry(request).or_default() += 1;
        match k.fds.get(&fd) {
            None => Err(err(libc::EBADF)),
            Some(FdKind::Epoll(_)) => Err(err(libc::ENOTTY)),
            Some(FdKind::Ctl) => k.ctl_ioctl(request, arg),
            Some(FdKind::Dead) => {
                if request == abi::DAHDI_GETEVENT {
                    put_i32(arg, 0, abi::DAHDI_EVENT_REMOVED);
                    Ok(())
                } else {
                    Err(err(libc::ENODEV))
                }
            }
            Some(FdKind::Unbound) => {
                if request != abi::DAHDI_SPECIFY {
                    return Err(err(libc::ENOSYS));
                }
                let ch = get_i32(arg, 0);
                if ch < 1 || ch as usize > k.chans.len() || k.spans[k.chans[ch as usize - 1].span].removed {
                    return Err(err(libc::EINVAL));
                }
                let zone = k.default_zone;
                let c = &mut k.chans[ch as usize - 1];
                if c.sig == 0 {
                    return Err(err(libc::ENXIO));
                }
                if c.fd.is_some() {
                    return Err(err(libc::EBUSY));
                }
                c.bind(fd);
                c.zone = zone;
                k.fds.insert(fd, FdKind::Chan(ch as usize - 1));
                Ok(())
            }
            Some(FdKind::Chan(c)) => {
                let c = *c;
                k.chan_ioctl(fd, c, request, arg)
            }
        }
    }

    fn read(&self, fd: RawFd, buf: &mut [u8]) -> io::Result<usize> {
        let mut k = self.lock();
        let ci = k.chan_of(fd)?;
        let c = &mut k.chans[ci];
        if !c.events.is_empty() {
            return Err(err(abi::ELAST));
        }
        let Some(b) = c.rxq.pop_front() else { return Err(err(libc::EAGAIN)) };
        let n = b.len().min(buf.len()).min(0xFFFF);
        buf[..n].copy_from_slice(&b[..n]); // the rest of the buffer is discarded
        Ok(n)
    }

    fn write(&self, fd: RawFd, buf: &[u8]) -> io::Result<usize> {
        let mut k = self.lock();
        let ci = k.chan_of(fd)?;
        let c = &mut k.chans[ci];
        if !c.events.is_empty() {
            return Err(err(abi::ELAST));
        }
        if c.txq.len() >= c.numbufs {
            return Err(err(libc::EAGAIN));
        }
        if c.is_hdlc() {
            if buf.len() < 3 || buf.len() > c.blocksize {
                return Err(err(libc::EINVAL));
            }
            let mut f = buf.to_vec();
            let n = f.len() - 2;
            let fcs = fcs16(&f[..n]);
            f[n..].copy_from_slice(&fcs.to_le_bytes());
            c.txq.push_back(f);
            return Ok(buf.len());
        }
        let n = buf.len().min(c.blocksize).min(0xFFFF);
        c.txq.push_back(buf[..n].to_vec());
        Ok(n)
    }

    fn epoll_create(&self) -> io::Result<RawFd> {
        Ok(self.lock().new_fd(FdKind::Epoll(Vec::new())))
    }

    fn epoll_add(&self, ep: RawFd, fd: RawFd, token: u64) -> io::Result<()> {
        let mut k = self.lock();
        if !k.fds.contains_key(&fd) {
            return Err(err(libc::EBADF));
        }
        match k.fds.get_mut(&ep) {
            Some(FdKind::Epoll(v)) => {
                if v.iter().any(|x| x.0 == fd) {
                    return Err(err(libc::EEXIST));
                }
                v.push((fd, token));
                Ok(())
            }
            _ => Err(err(libc::EBADF)),
        }
    }

    fn epoll_del(&self, ep: RawFd, fd: RawFd) -> io::Result<()> {
        let mut k = self.lock();
        match k.fds.get_mut(&ep) {
            Some(FdKind::Epoll(v)) => {
                let before = v.len();
                v.retain(|x| x.0 != fd);
                if v.len() == before {
                    Err(err(libc::ENOENT))
                } else {
                    Ok(())
                }
            }
            _ => Err(err(libc::EBADF)),
        }
    }

    fn epoll_wait(&self, ep: RawFd, out: &mut Vec<Ready>, timeout_ms: u16) -> io::Result<()> {
        let mut k = self.lock();
        for _ in 0..timeout_ms {
            k.step_ms();
        }
        let list = match k.fds.get(&ep) {
            Some(FdKind::Epoll(v)) => v.clone(),
            _ => return Err(err(libc::EBADF)),
        };
        for (fd, token) in list {
            let (readable, priority, error) = k.readiness(fd);
            if readable || priority || error {
                out.push(Ready { token, readable, priority, error });
            }
        }
        Ok(())
    }

    fn read_text(&self, path: &str) -> io::Result<String> {
        let k = self.lock();
        if let Some(n) = path
            .strip_prefix("/sys/bus/dahdi_spans/devices/span-")
            .and_then(|s| s.strip_suffix("/basechan"))
            .and_then(|s| s.parse::<usize>().ok())
        {
            if !k.loaded || !k.sysfs_basechan || n == 0 || n > k.spans.len() || k.spans[n - 1].removed {
                return Err(err(libc::ENOENT));
            }
            return Ok(format!("{}\n", k.spans[n - 1].basechan));
        }
        let n: usize = path
            .strip_prefix("/proc/dahdi/")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| err(libc::ENOENT))?;
        if !k.loaded || n == 0 || n > k.spans.len() || k.spans[n - 1].removed {
            return Err(err(libc::ENOENT));
        }
        Ok(k.proc_text(n - 1))
    }

    fn exists(&self, path: &str) -> bool {
        let k = self.lock();
        k.loaded && (path == abi::DEV_CTL || path == abi::DEV_CHANNEL || path == "/dev/dahdi")
    }
}
