//! The DAHDI backend's channel-level suite on the **real** DAHDI kernel, through exactly the
//! backend code the tests run on the fake kernel (`DahdiBoard<LinuxSys>`). Run inside the
//! throw-away VM of `tests/dahdi-vm/run` (issue 11), whose `system.conf` makes six `loc` dynamic
//! spans in three back-to-back pairs: 1↔2 PRI-like, 3↔4 CAS, 5↔6 E&M / raw HDLC / bearers.
//!
//! * the shared board suite (`tests/common`) on spans 1-4: open rules, CAS with BITSCHANGED
//!   (the dynamic-span neighbour-bits leak masked), HDLC frames with their FCS; audio both ways
//!   byte-exact in a variant that keeps the senders ahead (the shared `audio_arrives_in_order`
//!   feeds exactly one tick per tick, so any TCG stall under host load shows as idle fill);
//! * the raw-fd probe (`tests/common/dahdi_probe.rs`): the kernel's answers to SPECIFY,
//!   blocksize, bufinfo, law, audio mode, CAS/hook/HDLC ioctls on each signalling, compared with
//!   the table the fake kernel is tested against;
//! * BADFCS and the FCS octets (raw HDLC on 126 against `dchan` 157), E&M hook events, span
//!   status, EBUSY while another process holds a channel, and the removal of a dynamic span while
//!   channels are open (last: it destroys span 6).
//!
//! Prints one `PASS name` / `FAIL name: why` line per check (plus `INFO`/`QUIRK` lines); the
//! exit status is the number of failures. Not run by `cargo test` (no DAHDI kernel there).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/dahdi_probe.rs"]
mod dahdi_probe;

use std::io::{BufRead, BufReader, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use trunkline_driver::board::{Board, BoardEvent, HdlcError};
use trunkline_driver::dahdi::abi::{self, AsBytes};
use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig, Hook, HookEvent};
use trunkline_driver::dahdi::sys::{ioctl_int, LinuxSys, Sys};
use trunkline_driver::ring::{RingConfig, MAX_FRAME};
use trunkline_driver::tdm::crc::{fcs16, fcs16_update, FCS16_GOOD};
use trunkline_driver::{Alarms, ChannelNo, ErrorKind, SpanNo};

/// The shared suite's four spans (1↔2, 3↔4); spans 5 and 6 are for the DAHDI-only checks.
struct Vm;

impl common::Harness for Vm {
    type B = DahdiBoard<LinuxSys>;
    fn make(&self) -> Self::B {
        match DahdiBoard::new(LinuxSys::new(), DahdiConfig { max_span: 4, ..DahdiConfig::default() }) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        }
    }
    fn cut_line(&self, _b: &mut Self::B, span: SpanNo, _cut: bool) {
        panic!("span {span}: line faults cannot be injected on dynamic spans");
    }
    fn alarm_ticks(&self) -> (usize, usize) {
        (0, 0)
    }
}

type Res = Result<(), String>;

fn board(tick: usize) -> Result<DahdiBoard<LinuxSys>, String> {
    DahdiBoard::new(LinuxSys::new(), DahdiConfig { tick_frames: tick, ..DahdiConfig::default() })
        .map_err(|e| e.to_string())
}

/// Ticks `b` until `f` returns `Some` or `limit` passes (the kernel paces the ticks).
fn tick_until<T>(
    b: &mut DahdiBoard<LinuxSys>,
    limit: Duration,
    mut f: impl FnMut(&mut DahdiBoard<LinuxSys>) -> Option<T>,
) -> Result<Option<T>, String> {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        b.tick().map_err(|e| e.to_string())?;
        if let Some(v) = f(b) {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

fn events(b: &mut DahdiBoard<LinuxSys>) -> Vec<BoardEvent> {
    std::iter::from_fn(|| b.poll_event()).collect()
}

/// The probe on the real kernel against the table the fake kernel is held to.
fn kernel_semantics() -> Res {
    let got = dahdi_probe::probe(&LinuxSys::new())?;
    let mut diffs = Vec::new();
    for (i, (name, outcome)) in got.iter().enumerate() {
        println!("INFO probe {name:<40} {}", dahdi_probe::show(outcome));
        match dahdi_probe::REAL_KERNEL.get(i) {
            Some((n, want)) if n == name && want == outcome => {}
            Some((n, want)) => diffs.push(format!(
                "{name}: {} (recorded: {n}: {})",
                dahdi_probe::show(outcome),
                dahdi_probe::show(want)
            )),
            None => diffs.push(format!("{name}: {} (not in the recorded table)", dahdi_probe::show(outcome))),
        }
    }
    if got.len() != dahdi_probe::REAL_KERNEL.len() {
        diffs.push(format!("{} steps, {} recorded", got.len(), dahdi_probe::REAL_KERNEL.len()));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

/// `write()` on a raw fd the way a DAHDI consumer must: `ELAST` means "an event is queued",
/// so drain events (GETEVENT) and retry.
fn raw_write(sys: &LinuxSys, fd: i32, buf: &[u8]) -> Result<Vec<i32>, String> {
    let mut drained = Vec::new();
    for _ in 0..70 {
        match sys.write(fd, buf) {
            Ok(_) => return Ok(drained),
            Err(e) if e.raw_os_error() == Some(abi::ELAST) => {
                drained.push(ioctl_int(sys, fd, abi::DAHDI_GETEVENT, 0).map_err(|e| e.to_string())?)
            }
            Err(e) => return Err(format!("write: {e}")),
        }
    }
    Err(format!("write: ELAST with events {drained:?}"))
}

/// The raw fd of channel `chan` (SPECIFY done).
fn raw(sys: &LinuxSys, chan: i32) -> Result<i32, String> {
    let fd = sys.open(abi::DEV_CHANNEL).map_err(|e| format!("open: {e}"))?;
    ioctl_int(sys, fd, abi::DAHDI_SPECIFY, chan).map_err(|e| format!("SPECIFY {chan}: {e}"))?;
    Ok(fd)
}

/// Raw HDLC (126) writes a frame with a wrong FCS: the `dchan` peer (157, the backend) gets
/// BADFCS and no frame; with the right FCS the frame arrives; the backend's frame arrives on the
/// raw side with the FCS the kernel computed.
fn hdlc_badfcs_and_fcs_octets() -> Res {
    let sys = LinuxSys::new();
    let rawfd = raw(&sys, 126)?;
    let mut b = board(80)?;
    let mut e = b.open(ChannelNo(157), RingConfig::default()).map_err(|e| e.to_string())?;
    tick_until(&mut b, Duration::from_millis(200), |_| None::<()>)?;
    let _ = events(&mut b);
    let payload = [0x02u8, 0x01, 0x7E, 0x7D, 0x10, 0x55];
    let fcs = fcs16(&payload).to_le_bytes();
    let mut bad = payload.to_vec();
    bad.extend_from_slice(&[fcs[0] ^ 0x5A, fcs[1]]);
    let evs = raw_write(&sys, rawfd, &bad)?;
    if !evs.is_empty() {
        println!("INFO events drained on the raw HDLC fd before writing: {evs:?}");
    }
    let mut buf = [0u8; MAX_FRAME];
    let ev = tick_until(&mut b, Duration::from_secs(2), |b| {
        std::iter::from_fn(|| b.poll_event())
            .find(|ev| matches!(ev, BoardEvent::Hdlc { chan: ChannelNo(157), error: HdlcError::BadFcs }))
    })?;
    if ev.is_none() {
        return Err("no BADFCS for a frame with a wrong FCS".into());
    }
    if let Some(n) = e.recv_frame(&mut buf) {
        return Err(format!("the bad frame was delivered ({n} octets)"));
    }
    let mut good = payload.to_vec();
    good.extend_from_slice(&fcs);
    raw_write(&sys, rawfd, &good)?;
    let n = tick_until(&mut b, Duration::from_secs(2), |_| e.recv_frame(&mut buf))?
        .ok_or("the frame with a good FCS did not arrive")?;
    if buf[..n] != good[..] {
        return Err(format!("received {:02x?}, sent {good:02x?}", &buf[..n]));
    }
    // The other way: the backend sends, the raw side reads the frame plus the kernel's FCS.
    if !e.send_frame(&payload) {
        return Err("send_frame refused".into());
    }
    let mut rb = [0u8; 1024];
    let got = tick_until(&mut b, Duration::from_secs(2), |_| loop {
        match sys.read(rawfd, &mut rb) {
            Err(e) if e.raw_os_error() == Some(abi::ELAST) => {
                let _ = ioctl_int(&sys, rawfd, abi::DAHDI_GETEVENT, 0);
            }
            r => break r.ok().filter(|&n| n > 0),
        }
    })?
    .ok_or("nothing arrived on the raw HDLC side")?;
    let _ = sys.close(rawfd);
    if got != payload.len() + 2
        || rb[..payload.len()] != payload
        || fcs16_update(0xFFFF, &rb[..got]) != FCS16_GOOD
    {
        return Err(format!("raw side read {:02x?}", &rb[..got]));
    }
    Ok(())
}

/// E&M: off hook on 125 shows RINGOFFHOOK on 156 (after DAHDI's 300 ms receive timer), on hook
/// shows ONHOOK; both directions.
fn hook_events() -> Res {
    let mut b = board(80)?;
    for c in [125, 156] {
        b.open(ChannelNo(c), RingConfig::default()).map_err(|e| e.to_string())?;
    }
    tick_until(&mut b, Duration::from_millis(200), |_| None::<()>)?;
    while b.poll_hook_event().is_some() {}
    for (from, to) in [(125u32, 156u32), (156, 125)] {
        for (hook, want) in [(Hook::OffHook, HookEvent::RingOffHook), (Hook::OnHook, HookEvent::OnHook)] {
            let t0 = Instant::now();
            b.hook(ChannelNo(from), hook).map_err(|e| e.to_string())?;
            let mut seen = Vec::new();
            let got = tick_until(&mut b, Duration::from_secs(3), |b| {
                while let Some(ev) = b.poll_hook_event() {
                    seen.push(ev);
                    if ev == (ChannelNo(to), want) {
                        return Some(());
                    }
                }
                None
            })?;
            if got.is_none() {
                return Err(format!("{hook:?} on {from}: no {want:?} on {to} (saw {seen:?})"));
            }
            println!("INFO hook {hook:?} {from} -> {want:?} on {to} after {} ms", t0.elapsed().as_millis());
        }
    }
    // Hook control is refused on a clear channel with an error that says why.
    b.open(ChannelNo(127), RingConfig::default()).map_err(|e| e.to_string())?;
    match b.hook(ChannelNo(127), Hook::OffHook) {
        Err(e) if e.kind == ErrorKind::Unsupported => Ok(()),
        r => Err(format!("hook on a clear channel: {r:?}")),
    }
}

/// SPANSTAT through the backend: every span present, 31 channels, counters zero, and no alarm
/// once the spans run (a `loc` span raises RED when it has received nothing for a second, which
/// a TCG stall can cause: such a transient alarm is reported and must clear within 10 s);
/// `/proc/dahdi/N` parsed.
fn span_status() -> Res {
    let mut b = board(80)?;
    let spans = b.spans();
    if spans.len() != 6 {
        return Err(format!("{} spans", spans.len()));
    }
    let t0 = Instant::now();
    loop {
        let mut alarmed = Vec::new();
        for s in &spans {
            let st = b.span_status(s.no).map_err(|e| e.to_string())?;
            if st.alarms != Alarms::NONE {
                alarmed.push((s.no.0, st.alarms));
            }
        }
        if alarmed.is_empty() {
            break;
        }
        println!("INFO alarms at {} ms: {alarmed:?}", t0.elapsed().as_millis());
        if t0.elapsed() > Duration::from_secs(10) {
            return Err(format!("alarms that do not clear: {alarmed:?}"));
        }
        tick_until(&mut b, Duration::from_millis(500), |_| None::<()>)?;
    }
    for s in &spans {
        let st = b.span_status(s.no).map_err(|e| e.to_string())?;
        let p = b.proc_span(s.no).map_err(|e| e.to_string())?;
        println!(
            "INFO span {} {:?} basechan {} totchans {} alarms {:?} {:?} slips {}",
            s.no, s.name, s.basechan, s.totchans, st.alarms, st.counters, p.slips
        );
        if s.totchans != 31 || !s.name.starts_with("DYN/loc/") || st.counters != Default::default() {
            return Err(format!("span {}: {s:?} {st:?}", s.no));
        }
    }
    Ok(())
}

/// Audio both ways on the 30 bearer pairs of spans 1↔2 for 5 s, byte-exact and in order. The
/// senders keep a few blocks queued (as the engine does), so a late tick does not starve the
/// kernel; idle fill the kernel still inserts after a TCG stall (DAHDI's silent underrun, see
/// shared/dahdi/vm/README) is counted and reported, never taken for data: every non-idle octet
/// must be the next one of the peer's stream.
fn audio_both_ways_byte_exact() -> Res {
    use ringbuf::traits::{Consumer, Observer, Producer};
    let tick = 80;
    let mut b = DahdiBoard::new(
        LinuxSys::new(),
        DahdiConfig { tick_frames: tick, max_span: 2, numbufs: 8, ..DahdiConfig::default() },
    )
    .map_err(|e| e.to_string())?;
    let chans: Vec<u32> = (1..=31).chain(32..=62).filter(|&c| c != 16 && c != 47).collect();
    let mut ends: Vec<_> = chans
        .iter()
        .map(|&c| b.open(ChannelNo(c), RingConfig { audio: 64 * tick, ..RingConfig::default() }))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let peer = |i: usize| (i + 30) % 60;
    let (mut sent, mut got, mut gaps, mut fill) =
        (vec![0u64; 60], vec![0u64; 60], vec![0u64; 60], vec![0u64; 60]);
    let mut in_gap = [false; 60];
    let mut lost = [0u64; 60];
    let mut buf = vec![0u8; 64 * tick];
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_secs(7) {
        let sending = t0.elapsed() < Duration::from_secs(5);
        for (i, e) in ends.iter_mut().enumerate() {
            while sending && e.tx.occupied_len() < 4 * tick {
                let blk: Vec<u8> = (0..tick as u64).map(|k| common::pattern(chans[i], sent[i] + k)).collect();
                e.tx.push_slice(&blk);
                sent[i] += tick as u64;
            }
        }
        b.tick().map_err(|e| e.to_string())?;
        for (i, e) in ends.iter_mut().enumerate() {
            let n = e.rx.pop_slice(&mut buf);
            let src = chans[peer(i)];
            for &o in &buf[..n] {
                if o == 0xFF || o == 0xD5 {
                    // pattern() never sends these: idle fill before, between or after the data.
                    if got[i] > 0 {
                        fill[i] += 1;
                        if !in_gap[i] {
                            gaps[i] += 1;
                            in_gap[i] = true;
                        }
                    }
                    continue;
                }
                in_gap[i] = false;
                let want = common::pattern(src, got[i]);
                if o != want {
                    // Not the next octet: octets the kernel dropped (its receive buffers
                    // overflowed while the VM was stalled) put it further on in the stream;
                    // anything else is corruption.
                    match (1..8 * 1024u64).find(|&k| common::pattern(src, got[i] + k) == o) {
                        Some(k) => {
                            lost[i] += k;
                            got[i] += k;
                        }
                        None => {
                            return Err(format!(
                                "channel {} octet {} from channel {src}: got {o:#04x}, want {want:#04x}, not later in the stream either",
                                chans[i], got[i]
                            ))
                        }
                    }
                }
                got[i] += 1;
            }
        }
    }
    for i in 0..60 {
        let s = sent[peer(i)];
        let missing = s.saturating_sub(got[i]);
        // As the shared suite allows: up to 3 ticks still in flight when the run ends.
        if missing > 3 * tick as u64 {
            return Err(format!(
                "channel {}: the last {missing} of {s} octets of channel {} did not arrive",
                chans[i],
                chans[peer(i)]
            ));
        }
        if lost[i] * 20 > s {
            return Err(format!("channel {}: {} of {s} octets dropped by the kernel", chans[i], lost[i]));
        }
        if ends[i].stats.snapshot().rx_overruns > 0 {
            return Err(format!("channel {}: receive ring overrun", chans[i]));
        }
    }
    let total_gaps: u64 = gaps.iter().sum();
    if total_gaps > 0 {
        println!(
            "QUIRK audio: {total_gaps} idle-fill gap(s), {} octets, on {} channel(s) (kernel underrun after a stall; data intact)",
            fill.iter().sum::<u64>(),
            gaps.iter().filter(|&&g| g > 0).count()
        );
    }
    let dropped: u64 = lost.iter().sum();
    if dropped > 0 {
        println!(
            "QUIRK audio: {dropped} octets dropped by the kernel's receive buffers on {} channel(s) after a stall",
            lost.iter().filter(|&&l| l > 0).count()
        );
    }
    println!("INFO audio: {} octets each way on 60 channels, byte-exact and in order", sent[0]);
    Ok(())
}

/// `--hold N`: what Asterisk does to a channel (open + SPECIFY), until stdin closes.
fn hold(chan: i32) -> ! {
    let sys = LinuxSys::new();
    match raw(&sys, chan) {
        Ok(_fd) => {
            println!("HOLDING {chan}");
            let _ = std::io::stdout().flush();
            let mut s = String::new();
            let _ = std::io::stdin().read_line(&mut s);
            std::process::exit(0)
        }
        Err(e) => {
            println!("CANNOT {e}");
            std::process::exit(1)
        }
    }
}

/// Another process holds channel 130: the backend's open fails Busy with a message that says
/// what to do; once that process is gone the open succeeds.
fn ebusy_other_process() -> Res {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = std::process::Command::new(me)
        .args(["--hold", "130"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let mut b = board(80)?;
    let r = b.open(ChannelNo(130), RingConfig::default());
    drop(child.stdin.take()); // the holder exits
    let _ = child.wait();
    if !line.starts_with("HOLDING") {
        return Err(format!("the holder could not take the channel: {line}"));
    }
    match r {
        Err(e) if e.kind == ErrorKind::Busy => println!("INFO EBUSY message: {e}"),
        Err(e) => return Err(format!("open while held: {e} (want Busy)")),
        Ok(_) => return Err("open succeeded while another process held the channel".into()),
    }
    b.open(ChannelNo(130), RingConfig::default()).map(|_| ()).map_err(|e| format!("open after release: {e}"))
}

fn dynamic(addr: &str) -> Vec<u8> {
    abi::DahdiDynamicSpan {
        driver: abi::copy_c_string(b"loc"),
        addr: abi::copy_c_string(addr.as_bytes()),
        numchans: 31,
        timing: 0,
        spanno: 0,
    }
    .to_bytes()
}

/// Removal of dynamic span 6 (`loc 3:1`) while channels are open on it and on its peer 5.
fn dynamic_span_removal() -> Res {
    let sys = LinuxSys::new();
    let ctl = sys.open(abi::DEV_CTL).map_err(|e| e.to_string())?;
    let mut b = board(80)?;
    let _e5 = b.open(ChannelNo(127), RingConfig::default()).map_err(|e| e.to_string())?;
    let _e6 = b.open(ChannelNo(158), RingConfig::default()).map_err(|e| e.to_string())?;
    tick_until(&mut b, Duration::from_millis(300), |_| None::<()>)?;
    let _ = events(&mut b);
    let mut arg = dynamic("3:1");
    let first = sys.ioctl(ctl, abi::DAHDI_DYNAMIC_DESTROY, &mut arg);
    println!("INFO DYNAMIC_DESTROY loc 3:1 with channel 158 open: {first:?}");
    let mut evs = Vec::new();
    tick_until(&mut b, Duration::from_secs(3), |b| {
        evs.extend(std::iter::from_fn(|| b.poll_event()));
        None::<()>
    })?;
    println!(
        "INFO events after the first destroy: {evs:?}; spans {:?}",
        b.spans().iter().map(|s| s.no.0).collect::<Vec<_>>()
    );
    if first.is_ok() {
        // The kernel removed it under us: the backend must say so.
        if !evs.contains(&BoardEvent::Removed { span: SpanNo(6) }) {
            return Err(format!("span 6 destroyed with open channels but no Removed event: {evs:?}"));
        }
    } else {
        // Refused: the span keeps working; close our channel and destroy again.
        b.close(ChannelNo(158)).map_err(|e| e.to_string())?;
        let mut arg = dynamic("3:1");
        sys.ioctl(ctl, abi::DAHDI_DYNAMIC_DESTROY, &mut arg)
            .map_err(|e| format!("DYNAMIC_DESTROY after closing 158: {e}"))?;
        evs.clear();
        tick_until(&mut b, Duration::from_secs(4), |b| {
            evs.extend(std::iter::from_fn(|| b.poll_event()));
            None::<()>
        })?;
        println!("INFO events after the second destroy: {evs:?}");
        if !evs.contains(&BoardEvent::Removed { span: SpanNo(6) }) {
            return Err(format!("span 6 destroyed, no Removed event: {evs:?}"));
        }
    }
    let st5 = b.span_status(SpanNo(5)).map_err(|e| e.to_string())?;
    println!("INFO span 5 (peer gone) alarms {:?}", st5.alarms);
    if b.open(ChannelNo(159), RingConfig::default()).err().map(|e| e.kind) != Some(ErrorKind::NoDevice) {
        return Err("channel 159 of the removed span still opens".into());
    }
    // Re-create it: the peer's alarm (if any) clears.
    let mut arg = dynamic("3:1");
    let again = sys.ioctl(ctl, abi::DAHDI_DYNAMIC_CREATE, &mut arg);
    println!(
        "INFO DYNAMIC_CREATE loc 3:1 again: {again:?} -> spanno {}",
        i32::from_le_bytes([arg[68], arg[69], arg[70], arg[71]])
    );
    evs.clear();
    tick_until(&mut b, Duration::from_secs(3), |b| {
        evs.extend(std::iter::from_fn(|| b.poll_event()));
        None::<()>
    })?;
    println!(
        "INFO events after re-creating: {evs:?}; span 5 alarms {:?}",
        b.span_status(SpanNo(5)).map(|s| s.alarms)
    );
    let _ = sys.close(ctl);
    Ok(())
}

static PANIC_MSG: Mutex<String> = Mutex::new(String::new());

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--print-conf") {
        print!("{}", dahdi_probe::VM_SYSTEM_CONF);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--hold") {
        hold(args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(1));
    }
    std::panic::set_hook(Box::new(|info| {
        let loc = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        if let Ok(mut m) = PANIC_MSG.lock() {
            *m = format!("{msg}{loc}");
        }
    }));
    let only: Vec<&String> = args.iter().skip(1).filter(|a| !a.starts_with('-')).collect();
    type CheckFn = Box<dyn Fn() -> Res>;
    let shared = |f: fn(&Vm)| -> CheckFn {
        Box::new(move || {
            f(&Vm);
            Ok(())
        })
    };
    let checks: Vec<(&str, CheckFn)> = vec![
        ("open_rules", shared(common::open_rules::<Vm>)),
        ("audio_both_ways_byte_exact", Box::new(audio_both_ways_byte_exact)),
        ("cas_propagates", shared(common::cas_propagates::<Vm>)),
        ("hdlc_frames_cross_with_fcs", shared(common::hdlc_frames_cross_with_fcs::<Vm>)),
        ("kernel_semantics_match_the_recorded_table", Box::new(kernel_semantics)),
        ("hdlc_badfcs_and_fcs_octets", Box::new(hdlc_badfcs_and_fcs_octets)),
        ("hook_events_e_and_m", Box::new(hook_events)),
        ("span_status", Box::new(span_status)),
        ("ebusy_while_another_process_holds_the_channel", Box::new(ebusy_other_process)),
        ("dynamic_span_removal_with_open_channels", Box::new(dynamic_span_removal)),
    ];
    let mut failed = 0;
    for (name, check) in &checks {
        if !only.is_empty() && !only.iter().any(|o| o.as_str() == *name) {
            continue;
        }
        let t0 = Instant::now();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(check));
        let why = match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some(PANIC_MSG.lock().map(|m| m.clone()).unwrap_or_default()),
        };
        match why {
            None => println!("PASS {name} ({} ms)", t0.elapsed().as_millis()),
            Some(w) => {
                println!("FAIL {name}: {w}");
                failed += 1;
            }
        }
        let _ = std::io::stdout().flush();
    }
    std::process::exit(failed);
}
