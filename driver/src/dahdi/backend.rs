//! The DAHDI backend: [`Board`] on the kernel interface. Spans are discovered with
//! `DAHDI_SPANSTAT` on `/dev/dahdi/ctl`, channels with `DAHDI_GET_PARAMS`; each opened channel is
//! one non-blocking fd on `/dev/dahdi/channel` bound by `DAHDI_SPECIFY`, registered in one epoll
//! set. Each [`Board::tick`] writes one block per open channel from its tx ring, waits up to one
//! tick on epoll (the kernel's clock paces the I/O thread), then reads what is ready into the rx
//! rings and drains events on `POLLPRI` (`DAHDI_GETEVENT`; `ELAST` on read/write means "drain
//! events first"). All system calls go through [`Sys`].

use std::collections::VecDeque;
use std::io;

use super::abi::{self, DahdiParams, DahdiSpaninfo};
use super::proc::ProcSpan;
use super::sys::{get_i32, get_str, ioctl_int, put_i32, RawFd, Ready, Sys};
use crate::board::{Board, BoardError, BoardEvent, ErrorKind, HdlcError, Maint};
use crate::channel::{ChannelInfo, ChannelKind};
use crate::ids::{ChanPos, ChannelNo, SpanNo};
use crate::ring::{channel_rings, BoardEnd, EngineEnd, RingConfig, MAX_FRAME};
use crate::span::{Alarms, Coding, Counters, Framing, SpanConfig, SpanInfo, SpanKind, SpanStatus};
use core::mem::{offset_of, size_of};

/// How the DAHDI backend runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DahdiConfig {
    /// Frames per tick and the channels' block size: 8..=160 in steps of 8 (1 to 20 ms).
    pub tick_frames: usize,
    /// Kernel buffers per channel (`DAHDI_SET_BUFINFO` numbufs) for audio channels.
    pub numbufs: usize,
    /// Highest span number probed with SPANSTAT (dahdi_scan probes 1..=127).
    pub max_span: u16,
    /// Puts clear channels in audio mode (`DAHDI_AUDIOMODE(1)`): gains and echo canceller
    /// apply. Off by default: the engine wants the G.711 octets untouched.
    pub audio_mode: bool,
}

impl Default for DahdiConfig {
    fn default() -> Self {
        Self { tick_frames: 160, numbufs: 4, max_span: 127, audio_mode: false }
    }
}

/// Hook states for analogue and E&M channels (`DAHDI_HOOK`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// Hang up.
    OnHook,
    /// Seize / answer.
    OffHook,
    /// A wink.
    Wink,
    /// A hook flash.
    Flash,
    /// Start ringing (FXS ports).
    Ring,
    /// Stop ringing.
    RingOff,
}

/// Hook and line events of analogue and E&M channels (`DAHDI_EVENT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookEvent {
    /// The far end went on hook.
    OnHook,
    /// The far end went off hook (or ring detected).
    RingOffHook,
    /// A wink or flash.
    WinkFlash,
    /// Any other event code, as the kernel sent it.
    Other(i32),
}

struct DSpan {
    info: SpanInfo,
    removed: bool,
    alarms: Alarms,
}

struct OpenChan {
    fd: RawFd,
    end: BoardEnd,
    pending: Vec<u8>,
    last_tx_cas: u8,
    last_rx_cas: u8,
}

struct DChan {
    info: ChannelInfo,
    sig: i32,
    span_idx: usize,
    open: Option<OpenChan>,
}

/// A board on the DAHDI kernel interface (real or fake, through `S`).
pub struct DahdiBoard<S: Sys> {
    sys: S,
    cfg: DahdiConfig,
    ctl: RawFd,
    ep: RawFd,
    spans: Vec<DSpan>,
    chans: Vec<DChan>,
    open_list: Vec<usize>,
    events: VecDeque<BoardEvent>,
    hooks: VecDeque<(ChannelNo, HookEvent)>,
    ready: Vec<Ready>,
    buf: Vec<u8>,
    frame: Box<[u8; MAX_FRAME]>,
    ticks: u64,
    started: bool,
}

/// Largest number of events one tick takes from one channel (the kernel queue holds 63).
const EVENTS_PER_DRAIN: usize = 64;

/// A kernel error as a [`BoardError`] that says what to do.
pub fn os_error(what: &str, e: &io::Error) -> BoardError {
    let (kind, hint) = match e.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ENODEV) => {
            (ErrorKind::NoDevice, "is the DAHDI module loaded (modprobe dahdi and your board driver)?")
        }
        Some(libc::ENXIO) => (
            ErrorKind::Unsupported,
            "the channel is not configured: add it to /etc/dahdi/system.conf and run dahdi_cfg",
        ),
        Some(libc::EBUSY) => {
            (ErrorKind::Busy, "another process holds it (Asterisk?): stop it or free the channel, then retry")
        }
        Some(libc::EACCES) | Some(libc::EPERM) => (
            ErrorKind::PermissionDenied,
            "run as root or as a member of the group owning /dev/dahdi (usually 'dialout')",
        ),
        Some(libc::EINVAL) | Some(libc::ENOTTY) | Some(libc::ENOSYS) => {
            (ErrorKind::Unsupported, "the kernel or this channel's signalling does not support it")
        }
        _ => (ErrorKind::Io, ""),
    };
    let sep = if hint.is_empty() { "" } else { ": " };
    BoardError::new(kind, format!("{what}: {e}{sep}{hint}"))
}

fn is(e: &io::Error, errno: i32) -> bool {
    e.raw_os_error() == Some(errno)
}

/// The span configuration SPANSTAT describes (kind from `spantype`/channel count, framing and
/// coding from `lineconfig`).
pub fn span_config(spantype: &str, totchans: i32, lineconfig: i32, lbo: i32) -> SpanConfig {
    let kind = match spantype {
        "T1" | "J1" => SpanKind::T1,
        "E1" => SpanKind::E1,
        _ if totchans == 24 => SpanKind::T1,
        _ => SpanKind::E1,
    };
    let has = |b: i32| lineconfig & b != 0;
    let framing = match kind {
        SpanKind::E1 if has(abi::DAHDI_CONFIG_CCS) => Framing::Ccs,
        SpanKind::E1 => Framing::Cas,
        SpanKind::T1 if has(abi::DAHDI_CONFIG_D4) => Framing::D4,
        SpanKind::T1 => Framing::Esf,
    };
    let coding = if has(abi::DAHDI_CONFIG_HDB3) {
        Coding::Hdb3
    } else if has(abi::DAHDI_CONFIG_B8ZS) {
        Coding::B8zs
    } else if has(abi::DAHDI_CONFIG_AMI) {
        Coding::Ami
    } else if kind == SpanKind::E1 {
        Coding::Hdb3
    } else {
        Coding::B8zs
    };
    SpanConfig { kind, framing, coding, crc4: has(abi::DAHDI_CONFIG_CRC4), timing: 0, lbo: (lbo & 7) as u8 }
}

/// What a channel's signalling makes it for the engine.
pub fn channel_kind(sig: i32) -> ChannelKind {
    if sig == 0 {
        ChannelKind::Reserved
    } else if sig == abi::DAHDI_SIG_CAS {
        ChannelKind::Cas
    } else if sig & abi::DAHDI_SIG_HDLCRAW == abi::DAHDI_SIG_HDLCRAW
        || sig & abi::DAHDI_SIG_HARDHDLC == abi::DAHDI_SIG_HARDHDLC
    {
        ChannelKind::Dchan
    } else {
        ChannelKind::Bearer
    }
}

/// One span as SPANSTAT reports it.
#[derive(Clone, Debug)]
pub struct SpanStat {
    /// Static description (basechan is the running count, as dahdi_scan computes it).
    pub info: SpanInfo,
    /// Alarms, counters and sync source.
    pub status: SpanStatus,
    /// Configured channels (`numchans`).
    pub numchans: u32,
    /// `irq`.
    pub irq: u32,
}

/// `DAHDI_SPANSTAT` for span `no` on `fd`.
pub fn spanstat(sys: &dyn Sys, fd: RawFd, no: u16, basechan: u32) -> io::Result<SpanStat> {
    let mut b = [0u8; size_of::<DahdiSpaninfo>()];
    put_i32(&mut b, 0, no as i32);
    sys.ioctl(fd, abi::DAHDI_SPANSTAT, &mut b)?;
    let i = |off| get_i32(&b, off);
    let s = |off, len| get_str(&b, off, len);
    let totchans = i(offset_of!(DahdiSpaninfo, totalchans)).clamp(0, abi::DAHDI_MAX_CHANNELS);
    let config = span_config(
        &s(offset_of!(DahdiSpaninfo, spantype), 6),
        totchans,
        i(offset_of!(DahdiSpaninfo, lineconfig)),
        i(offset_of!(DahdiSpaninfo, lbo)),
    );
    let nn = |v: i32| v.max(0) as u64;
    Ok(SpanStat {
        info: SpanInfo {
            no: SpanNo(no),
            name: s(offset_of!(DahdiSpaninfo, name), 20),
            description: s(offset_of!(DahdiSpaninfo, desc), 40),
            manufacturer: s(offset_of!(DahdiSpaninfo, manufacturer), 40),
            devicetype: s(offset_of!(DahdiSpaninfo, devicetype), 40),
            location: s(offset_of!(DahdiSpaninfo, location), 40),
            basechan,
            totchans: totchans as u32,
            config,
        },
        status: SpanStatus {
            alarms: Alarms(i(offset_of!(DahdiSpaninfo, alarms)) as u32),
            counters: Counters {
                bpv: nn(i(offset_of!(DahdiSpaninfo, bpvcount))),
                crc: nn(i(offset_of!(DahdiSpaninfo, crc4count))),
                ebit: nn(i(offset_of!(DahdiSpaninfo, ebitcount))),
                fas: nn(i(offset_of!(DahdiSpaninfo, fascount))),
                slips: 0,
            },
            syncsrc: i(offset_of!(DahdiSpaninfo, syncsrc)).clamp(0, u16::MAX as i32) as u16,
            rx_level_db: 0,
        },
        numchans: i(offset_of!(DahdiSpaninfo, numchans)).max(0) as u32,
        irq: i(offset_of!(DahdiSpaninfo, irq)).max(0) as u32,
    })
}

/// Every span the kernel reports, probing 1..=`max_span` on an open ctl fd (failures skipped,
/// as dahdi_scan does); base channels from sysfs when the kernel exposes them.
pub fn scan_spans(sys: &dyn Sys, ctl: RawFd, max_span: u16) -> Vec<SpanStat> {
    let mut out = Vec::new();
    let mut basechan = 1u32;
    for no in 1..=max_span {
        // DAHDI >= 2.5 says where a span's channels start (spans may leave holes).
        if let Some(b) = super::scan::sysfs_basechan(sys, no) {
            basechan = b;
        }
        if let Ok(s) = spanstat(sys, ctl, no, basechan) {
            basechan += s.info.totchans;
            out.push(s);
        }
    }
    out
}

/// Opens `/dev/dahdi/ctl` with errors that say what to do.
pub fn open_ctl(sys: &dyn Sys) -> Result<RawFd, BoardError> {
    if !sys.exists(abi::DEV_CTL) {
        return Err(BoardError::new(
            ErrorKind::NoDevice,
            format!(
                "{} not found: the DAHDI kernel modules are not loaded (modprobe dahdi and your board \
                 driver, e.g. modprobe wct4xxp), or use --board sim",
                abi::DEV_CTL
            ),
        ));
    }
    sys.open(abi::DEV_CTL).map_err(|e| os_error(&format!("opening {}", abi::DEV_CTL), &e))
}

impl<S: Sys> DahdiBoard<S> {
    /// Discovers the spans and channels the kernel has configured.
    pub fn new(sys: S, cfg: DahdiConfig) -> Result<Self, BoardError> {
        if !(8..=160).contains(&cfg.tick_frames) || cfg.tick_frames % 8 != 0 {
            return Err(BoardError::new(
                ErrorKind::InvalidConfig,
                format!("tick of {} frames: must be 8..=160 in steps of 8 (1 ms to 20 ms)", cfg.tick_frames),
            ));
        }
        let ctl = open_ctl(&sys)?;
        let stats = scan_spans(&sys, ctl, cfg.max_span);
        let mut spans = Vec::new();
        let mut chans = Vec::new();
        for st in stats {
            let span_idx = spans.len();
            for k in 0..st.info.totchans {
                let no = st.info.basechan + k;
                let mut p = [0u8; size_of::<DahdiParams>()];
                put_i32(&mut p, 0, no as i32);
                let (sig, pos, name) = match sys.ioctl(ctl, abi::DAHDI_GET_PARAMS, &mut p) {
                    Ok(()) => (
                        get_i32(&p, offset_of!(DahdiParams, sigtype)),
                        get_i32(&p, offset_of!(DahdiParams, chanpos)).clamp(1, u16::MAX as i32) as u16,
                        get_str(&p, offset_of!(DahdiParams, name), 40),
                    ),
                    Err(_) => (0, (k + 1) as u16, String::new()),
                };
                let name = if name.is_empty() { format!("{}/{}", st.info.name, k + 1) } else { name };
                let timeslot = match (st.info.config.kind, pos) {
                    (SpanKind::E1, p) => p.min(31) as u8,
                    (SpanKind::T1, p) => p.min(24) as u8,
                };
                chans.push(DChan {
                    info: ChannelInfo {
                        no: ChannelNo(no),
                        span: st.info.no,
                        pos: ChanPos(pos),
                        timeslot,
                        kind: channel_kind(sig),
                        name,
                    },
                    sig,
                    span_idx,
                    open: None,
                });
            }
            spans.push(DSpan { alarms: st.status.alarms, info: st.info, removed: false });
        }
        let ep = match sys.epoll_create() {
            Ok(ep) => ep,
            Err(e) => {
                let _ = sys.close(ctl);
                return Err(os_error("epoll_create", &e));
            }
        };
        Ok(Self {
            sys,
            cfg,
            ctl,
            ep,
            spans,
            chans,
            open_list: Vec::new(),
            events: VecDeque::new(),
            hooks: VecDeque::new(),
            ready: Vec::with_capacity(1024),
            buf: vec![0; abi::DAHDI_MAX_BLOCKSIZE as usize],
            frame: Box::new([0; MAX_FRAME]),
            ticks: 0,
            started: false,
        })
    }

    /// The system-call layer (the fake kernel in tests).
    pub fn sys(&self) -> &S {
        &self.sys
    }

    fn chan_index(&self, chan: ChannelNo) -> Result<usize, BoardError> {
        self.chans.iter().position(|c| c.info.no == chan).ok_or_else(|| {
            BoardError::new(
                ErrorKind::NoDevice,
                format!("no channel {chan} in DAHDI: see `trunkctl channels --board dahdi` for what the kernel has"),
            )
        })
    }

    fn span_index(&self, span: SpanNo) -> Result<usize, BoardError> {
        match self.spans.iter().position(|s| s.info.no == span) {
            Some(i) if !self.spans[i].removed => Ok(i),
            Some(_) => Err(BoardError::new(ErrorKind::NoDevice, format!("DAHDI span {span} was removed"))),
            None => Err(BoardError::new(
                ErrorKind::NoDevice,
                format!(
                    "no DAHDI span {span}: see `trunkctl scan --board dahdi` for the spans the kernel has"
                ),
            )),
        }
    }

    /// Sets the hook state of an analogue or E&M channel (`DAHDI_HOOK`).
    pub fn hook(&mut self, chan: ChannelNo, hook: Hook) -> Result<(), BoardError> {
        let i = self.chan_index(chan)?;
        let fd = self.chans[i]
            .open
            .as_ref()
            .map(|o| o.fd)
            .ok_or_else(|| BoardError::new(ErrorKind::NotOpen, format!("channel {chan} is not open")))?;
        let code = match hook {
            Hook::OnHook => abi::DAHDI_ONHOOK,
            Hook::OffHook => abi::DAHDI_OFFHOOK,
            Hook::Wink => abi::DAHDI_WINK,
            Hook::Flash => abi::DAHDI_FLASH,
            Hook::Ring => abi::DAHDI_RING,
            Hook::RingOff => abi::DAHDI_RINGOFF,
        };
        match ioctl_int(&self.sys, fd, abi::DAHDI_HOOK, code) {
            Ok(_) => Ok(()),
            Err(e) if is(&e, libc::EINVAL) => Err(BoardError::new(
                ErrorKind::Unsupported,
                format!(
                    "channel {chan} has {} signalling: hook control needs FXS/FXO/E&M channels",
                    abi::sig_proc_name(self.chans[i].sig)
                ),
            )),
            Err(e) => Err(os_error(&format!("DAHDI_HOOK on channel {chan}"), &e)),
        }
    }

    /// The next hook event of an analogue or E&M channel.
    pub fn poll_hook_event(&mut self) -> Option<(ChannelNo, HookEvent)> {
        self.hooks.pop_front()
    }

    /// `/proc/dahdi/N` of a span, parsed (counters the ioctl ABI lacks, such as timing slips).
    pub fn proc_span(&self, span: SpanNo) -> Result<ProcSpan, BoardError> {
        let path = format!("/proc/dahdi/{}", span.0);
        let text = self.sys.read_text(&path).map_err(|e| os_error(&format!("reading {path}"), &e))?;
        ProcSpan::parse(&text).ok_or_else(|| {
            BoardError::new(ErrorKind::Io, format!("{path}: not in the format of DAHDI's /proc/dahdi/N"))
        })
    }

    fn close_index(&mut self, i: usize) {
        if let Some(o) = self.chans[i].open.take() {
            let _ = self.sys.epoll_del(self.ep, o.fd);
            let _ = self.sys.close(o.fd);
        }
        self.open_list.retain(|&x| x != i);
    }

    fn mark_removed(&mut self, span_idx: usize) {
        if self.spans[span_idx].removed {
            return;
        }
        self.spans[span_idx].removed = true;
        let victims: Vec<usize> =
            self.open_list.iter().copied().filter(|&i| self.chans[i].span_idx == span_idx).collect();
        for i in victims {
            self.close_index(i);
        }
        self.events.push_back(BoardEvent::Removed { span: self.spans[span_idx].info.no });
    }

    fn refresh_span(&mut self, si: usize) {
        if self.spans[si].removed {
            return;
        }
        let (no, basechan) = (self.spans[si].info.no, self.spans[si].info.basechan);
        match spanstat(&self.sys, self.ctl, no.0, basechan) {
            Ok(st) => {
                if st.status.alarms != self.spans[si].alarms {
                    self.spans[si].alarms = st.status.alarms;
                    self.events.push_back(BoardEvent::Alarm { span: no, alarms: st.status.alarms });
                }
            }
            Err(e) if is(&e, libc::EINVAL) || is(&e, libc::ENXIO) || is(&e, libc::ENODEV) => {
                self.mark_removed(si)
            }
            Err(_) => {}
        }
    }

    fn drain_events(&mut self, i: usize) {
        for _ in 0..EVENTS_PER_DRAIN {
            let Some(fd) = self.chans[i].open.as_ref().map(|o| o.fd) else { return };
            let ev = match ioctl_int(&self.sys, fd, abi::DAHDI_GETEVENT, 0) {
                Ok(abi::DAHDI_EVENT_NONE) => return,
                Ok(ev) => ev,
                Err(e) if is(&e, libc::ENODEV) => abi::DAHDI_EVENT_REMOVED,
                Err(_) => return,
            };
            let chan = self.chans[i].info.no;
            match ev {
                abi::DAHDI_EVENT_BITSCHANGED => {
                    // Only the low nibble is ABCD; dynamic spans leak the neighbour's bits into 4-7.
                    let Ok(bits) = ioctl_int(&self.sys, fd, abi::DAHDI_GETRXBITS, 0) else { continue };
                    let abcd = (bits & 0xF) as u8;
                    if let Some(o) = self.chans[i].open.as_mut() {
                        if abcd != o.last_rx_cas {
                            o.last_rx_cas = abcd;
                            o.end.set_rx_cas(abcd);
                            self.events.push_back(BoardEvent::CasChanged { chan, abcd });
                        }
                    }
                }
                abi::DAHDI_EVENT_ALARM | abi::DAHDI_EVENT_NOALARM => {
                    self.refresh_span(self.chans[i].span_idx)
                }
                abi::DAHDI_EVENT_BADFCS => {
                    self.events.push_back(BoardEvent::Hdlc { chan, error: HdlcError::BadFcs })
                }
                abi::DAHDI_EVENT_ABORT => {
                    self.events.push_back(BoardEvent::Hdlc { chan, error: HdlcError::Abort })
                }
                abi::DAHDI_EVENT_OVERRUN => {
                    self.events.push_back(BoardEvent::Hdlc { chan, error: HdlcError::Overrun })
                }
                abi::DAHDI_EVENT_REMOVED => {
                    self.mark_removed(self.chans[i].span_idx);
                    return;
                }
                abi::DAHDI_EVENT_ONHOOK => self.hooks.push_back((chan, HookEvent::OnHook)),
                abi::DAHDI_EVENT_RINGOFFHOOK => self.hooks.push_back((chan, HookEvent::RingOffHook)),
                abi::DAHDI_EVENT_WINKFLASH => self.hooks.push_back((chan, HookEvent::WinkFlash)),
                other => self.hooks.push_back((chan, HookEvent::Other(other))),
            }
        }
    }

    /// Writes what channel `i` has to send: CAS bits when they changed, then pending HDLC frames
    /// or one block of audio. A block the kernel refuses (`EAGAIN`) is kept for the next tick.
    fn service_tx(&mut self, i: usize) {
        let dchan = self.chans[i].info.kind == ChannelKind::Dchan;
        let cas = self.chans[i].info.kind == ChannelKind::Cas;
        let n = self.cfg.tick_frames;
        let max_blocks = self.cfg.numbufs.max(1);
        for attempt in 0..2 {
            let Some(o) = self.chans[i].open.as_mut() else { return };
            if cas {
                let bits = o.end.tx_cas();
                if bits != o.last_tx_cas
                    && ioctl_int(&self.sys, o.fd, abi::DAHDI_SETTXBITS, bits as i32).is_ok()
                {
                    o.last_tx_cas = bits;
                }
            }
            let mut elast = false;
            let mut blocks = 0;
            loop {
                if o.pending.is_empty() {
                    if dchan {
                        let Some(len) = o.end.pop_tx_frame(&mut self.frame) else { break };
                        o.pending.extend_from_slice(&self.frame[..len]);
                        o.pending.extend_from_slice(&[0, 0]); // FCS placeholder the kernel fills
                    } else {
                        o.pending.resize(n, 0);
                        o.end.pull_tx(&mut o.pending);
                    }
                }
                match self.sys.write(o.fd, &o.pending) {
                    Ok(_) => o.pending.clear(),
                    Err(e) if is(&e, abi::ELAST) => {
                        elast = true;
                        break;
                    }
                    Err(_) => break, // EAGAIN: kernel buffers full, retry next tick
                }
                if !dchan {
                    // One block per tick, plus what the engine queued beyond it (it ran ahead,
                    // or this tick came late and the kernel is draining its buffers), up to the
                    // kernel's buffers: a late tick must not turn queued audio into idle fill.
                    blocks += 1;
                    if blocks >= max_blocks || o.end.tx_queued() < n {
                        break;
                    }
                }
            }
            if elast && attempt == 0 {
                self.drain_events(i);
                continue;
            }
            return;
        }
    }

    fn service_rx(&mut self, i: usize) {
        let dchan = self.chans[i].info.kind == ChannelKind::Dchan;
        for _ in 0..(abi::DAHDI_MAX_NUM_BUFS as usize + 1) {
            let Some(o) = self.chans[i].open.as_mut() else { return };
            match self.sys.read(o.fd, &mut self.buf) {
                Ok(0) => return,
                Ok(n) => {
                    if dchan {
                        o.end.push_rx_frame(&self.buf[..n]);
                    } else {
                        o.end.push_rx(&self.buf[..n]);
                    }
                }
                Err(e) if is(&e, abi::ELAST) => self.drain_events(i),
                Err(e) if is(&e, libc::ENODEV) => {
                    self.drain_events(i);
                    return;
                }
                Err(_) => return,
            }
        }
    }
}

impl<S: Sys> Drop for DahdiBoard<S> {
    fn drop(&mut self) {
        for i in self.open_list.clone() {
            self.close_index(i);
        }
        let _ = self.sys.close(self.ep);
        let _ = self.sys.close(self.ctl);
    }
}

impl<S: Sys> Board for DahdiBoard<S> {
    fn name(&self) -> &str {
        "dahdi"
    }

    fn spans(&self) -> Vec<SpanInfo> {
        self.spans.iter().filter(|s| !s.removed).map(|s| s.info.clone()).collect()
    }

    fn channels(&self) -> Vec<ChannelInfo> {
        self.chans.iter().filter(|c| !self.spans[c.span_idx].removed).map(|c| c.info.clone()).collect()
    }

    fn configure_span(&mut self, span: SpanNo, _cfg: SpanConfig) -> Result<(), BoardError> {
        self.span_index(span)?;
        Err(BoardError::new(
            ErrorKind::Unsupported,
            "DAHDI spans are configured from /etc/dahdi/system.conf: edit it and run `trunkctl dahdi cfg`",
        ))
    }

    fn start(&mut self) -> Result<(), BoardError> {
        self.started = true;
        Ok(())
    }

    fn stop(&mut self) -> Result<(), BoardError> {
        self.started = false;
        Ok(())
    }

    fn open(&mut self, chan: ChannelNo, rings: RingConfig) -> Result<EngineEnd, BoardError> {
        let i = self.chan_index(chan)?;
        let c = &self.chans[i];
        if self.spans[c.span_idx].removed {
            return Err(BoardError::new(
                ErrorKind::NoDevice,
                format!("channel {chan}: its span was removed"),
            ));
        }
        if c.open.is_some() {
            return Err(BoardError::new(ErrorKind::Busy, format!("channel {chan} is already open")));
        }
        if c.info.kind == ChannelKind::Reserved {
            return Err(BoardError::new(
                ErrorKind::Unsupported,
                format!("channel {chan} is not configured (unused): give it a signalling in /etc/dahdi/system.conf"),
            ));
        }
        let kind = c.info.kind;
        let law = if self.spans[c.span_idx].info.config.kind == SpanKind::T1 {
            abi::DAHDI_LAW_MULAW
        } else {
            abi::DAHDI_LAW_ALAW
        };
        let sys = &self.sys;
        let fd =
            sys.open(abi::DEV_CHANNEL).map_err(|e| os_error(&format!("opening {}", abi::DEV_CHANNEL), &e))?;
        let setup = || -> Result<(u8, u8), BoardError> {
            ioctl_int(sys, fd, abi::DAHDI_SPECIFY, chan.0 as i32).map_err(|e| {
                if is(&e, libc::EINVAL) {
                    BoardError::new(
                        ErrorKind::NoDevice,
                        format!("channel {chan}: no such channel in the kernel"),
                    )
                } else {
                    os_error(&format!("channel {chan}"), &e)
                }
            })?;
            let mut bi = [0u8; size_of::<abi::DahdiBufferinfo>()];
            let (numbufs, bufsize) = if kind == ChannelKind::Dchan {
                (32, 1024)
            } else {
                (self.cfg.numbufs as i32, self.cfg.tick_frames as i32)
            };
            put_i32(&mut bi, offset_of!(abi::DahdiBufferinfo, txbufpolicy), abi::DAHDI_POLICY_IMMEDIATE);
            put_i32(&mut bi, offset_of!(abi::DahdiBufferinfo, rxbufpolicy), abi::DAHDI_POLICY_IMMEDIATE);
            put_i32(&mut bi, offset_of!(abi::DahdiBufferinfo, numbufs), numbufs);
            put_i32(&mut bi, offset_of!(abi::DahdiBufferinfo, bufsize), bufsize);
            sys.ioctl(fd, abi::DAHDI_SET_BUFINFO, &mut bi)
                .map_err(|e| os_error(&format!("DAHDI_SET_BUFINFO on channel {chan}"), &e))?;
            if kind != ChannelKind::Dchan {
                ioctl_int(sys, fd, abi::DAHDI_SET_BLOCKSIZE, bufsize)
                    .map_err(|e| os_error(&format!("DAHDI_SET_BLOCKSIZE on channel {chan}"), &e))?;
                ioctl_int(sys, fd, abi::DAHDI_SETLAW, law)
                    .map_err(|e| os_error(&format!("DAHDI_SETLAW on channel {chan}"), &e))?;
                if self.chans[i].sig == abi::DAHDI_SIG_CLEAR {
                    ioctl_int(sys, fd, abi::DAHDI_AUDIOMODE, self.cfg.audio_mode as i32)
                        .map_err(|e| os_error(&format!("DAHDI_AUDIOMODE on channel {chan}"), &e))?;
                }
            }
            if kind == ChannelKind::Cas {
                let mut p = [0u8; size_of::<DahdiParams>()];
                sys.ioctl(fd, abi::DAHDI_GET_PARAMS, &mut p)
                    .map_err(|e| os_error(&format!("DAHDI_GET_PARAMS on channel {chan}"), &e))?;
                let rx = ioctl_int(sys, fd, abi::DAHDI_GETRXBITS, 0).unwrap_or(0);
                let tx = get_i32(&p, offset_of!(DahdiParams, txbits));
                return Ok(((tx & 0xF) as u8, (rx & 0xF) as u8));
            }
            Ok((0, 0))
        };
        let (tx_cas, rx_cas) = match setup() {
            Ok(v) => v,
            Err(e) => {
                let _ = sys.close(fd);
                return Err(e);
            }
        };
        if let Err(e) = sys.epoll_add(self.ep, fd, i as u64) {
            let _ = sys.close(fd);
            return Err(os_error("epoll_ctl(ADD)", &e));
        }
        let rings = if kind == ChannelKind::Dchan {
            RingConfig { frames: rings.frames.max(16 * 1024), idle: 0x7E, ..rings }
        } else {
            RingConfig { idle: if law == abi::DAHDI_LAW_ALAW { 0xD5 } else { 0xFF }, ..rings }
        };
        let (b, e) = channel_rings(rings);
        e.set_tx_cas(tx_cas);
        b.set_rx_cas(rx_cas);
        self.chans[i].open =
            Some(OpenChan { fd, end: b, pending: Vec::new(), last_tx_cas: tx_cas, last_rx_cas: rx_cas });
        self.open_list.push(i);
        Ok(e)
    }

    fn close(&mut self, chan: ChannelNo) -> Result<(), BoardError> {
        let i = self.chan_index(chan)?;
        self.close_index(i);
        Ok(())
    }

    fn tick_frames(&self) -> usize {
        self.cfg.tick_frames
    }

    fn tick(&mut self) -> Result<(), BoardError> {
        for k in 0..self.open_list.len() {
            if let Some(&i) = self.open_list.get(k) {
                self.service_tx(i);
            }
        }
        let mut ready = std::mem::take(&mut self.ready);
        ready.clear();
        let wait = self.sys.epoll_wait(self.ep, &mut ready, (self.cfg.tick_frames / 8) as u16);
        if let Err(e) = wait {
            self.ready = ready;
            return Err(os_error("epoll_wait", &e));
        }
        for r in &ready {
            let i = r.token as usize;
            if i >= self.chans.len() || self.chans[i].open.is_none() {
                continue;
            }
            if r.priority || r.error {
                self.drain_events(i);
            }
            if r.readable {
                self.service_rx(i);
            }
        }
        self.ready = ready;
        self.ticks += 1;
        // Alarms of spans with no open channel are noticed by polling SPANSTAT once a second.
        let per_s = (8000 / self.cfg.tick_frames) as u64;
        if self.ticks % per_s == 1 {
            for si in 0..self.spans.len() {
                self.refresh_span(si);
            }
        }
        Ok(())
    }

    fn span_status(&self, span: SpanNo) -> Result<SpanStatus, BoardError> {
        let si = self.span_index(span)?;
        let info = &self.spans[si].info;
        let mut st = spanstat(&self.sys, self.ctl, span.0, info.basechan)
            .map_err(|e| os_error(&format!("DAHDI_SPANSTAT on span {span}"), &e))?
            .status;
        // Timing slips exist only in /proc/dahdi/N.
        if let Ok(p) = self.proc_span(span) {
            st.counters.slips = p.slips;
        }
        Ok(st)
    }

    fn poll_event(&mut self) -> Option<BoardEvent> {
        self.events.pop_front()
    }

    fn maint(&mut self, span: SpanNo, mode: Maint) -> Result<(), BoardError> {
        self.span_index(span)?;
        let cmd = match mode {
            Maint::None => abi::DAHDI_MAINT_NONE,
            Maint::LocalLoop => abi::DAHDI_MAINT_LOCALLOOP,
            Maint::RemoteLoop => abi::DAHDI_MAINT_NETWORKLINELOOP,
        };
        let mut m = [0u8; size_of::<abi::DahdiMaintinfo>()];
        put_i32(&mut m, 0, span.0 as i32);
        put_i32(&mut m, 4, cmd);
        self.sys.ioctl(self.ctl, abi::DAHDI_MAINT, &mut m).map_err(|e| {
            if is(&e, libc::ENOSYS) || is(&e, libc::EINVAL) {
                BoardError::new(
                    ErrorKind::Unsupported,
                    format!("span {span}: the board driver does not support maintenance mode {mode:?}"),
                )
            } else {
                os_error(&format!("DAHDI_MAINT on span {span}"), &e)
            }
        })
    }
}
