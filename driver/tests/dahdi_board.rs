//! The DAHDI backend and the fake DAHDI kernel beyond the shared suite: the kernel semantics the
//! fake implements (checked on raw fds, as a consumer like chan_dahdi sees them) and what the
//! backend does with them (errors that say what to do, ELAST, removal, the CAS leak, HDLC errors,
//! hook control, slips from /proc, dahdi_scan output).

use std::path::PathBuf;

use ringbuf::traits::Producer;
use trunkline_driver::board::{Board, BoardEvent, HdlcError};
use trunkline_driver::dahdi::abi;
use trunkline_driver::dahdi::backend::{self, DahdiBoard, DahdiConfig, Hook, HookEvent};
use trunkline_driver::dahdi::fake::{FakeKernel, FakeSpanSpec, HdlcFault, EVENT_QUEUE};
use trunkline_driver::dahdi::sys::{ioctl_int, RawFd, Sys};
use trunkline_driver::ring::{RingConfig, MAX_FRAME};
use trunkline_driver::tdm::crc::{fcs16_update, FCS16_GOOD};
use trunkline_driver::{Alarms, ChannelNo, ErrorKind, SpanNo};

fn errno(r: std::io::Result<impl std::fmt::Debug>) -> i32 {
    r.expect_err("should fail").raw_os_error().unwrap()
}

fn chan(k: &FakeKernel, no: i32) -> RawFd {
    let fd = k.open(abi::DEV_CHANNEL).unwrap();
    ioctl_int(k, fd, abi::DAHDI_SPECIFY, no).unwrap();
    fd
}

fn board(k: &FakeKernel, tick: usize) -> DahdiBoard<FakeKernel> {
    DahdiBoard::new(k.clone(), DahdiConfig { tick_frames: tick, ..DahdiConfig::default() }).unwrap()
}

#[test]
fn fake_kernel_open_rules() {
    let k = FakeKernel::e1_pairs(4);
    let fd = k.open(abi::DEV_CHANNEL).unwrap();
    // SPECIFY first: anything else is ENOSYS.
    assert_eq!(errno(ioctl_int(&k, fd, abi::DAHDI_SET_BLOCKSIZE, 160)), libc::ENOSYS);
    assert_eq!(errno(ioctl_int(&k, fd, abi::DAHDI_SPECIFY, 2000)), libc::EINVAL);
    assert_eq!(errno(ioctl_int(&k, fd, abi::DAHDI_SPECIFY, 2 * 31 + 16)), libc::ENXIO, "unconfigured TS16");
    ioctl_int(&k, fd, abi::DAHDI_SPECIFY, 1).unwrap();
    let fd2 = k.open(abi::DEV_CHANNEL).unwrap();
    assert_eq!(errno(ioctl_int(&k, fd2, abi::DAHDI_SPECIFY, 1)), libc::EBUSY, "exclusive open");
    k.close(fd).unwrap();
    ioctl_int(&k, fd2, abi::DAHDI_SPECIFY, 1).unwrap();
    k.set_loaded(false);
    assert_eq!(errno(k.open(abi::DEV_CTL)), libc::ENOENT);
    k.set_loaded(true);
    k.set_denied(true);
    assert_eq!(errno(k.open(abi::DEV_CTL)), libc::EACCES);
}

#[test]
fn fake_kernel_buffer_limits_and_clear_channel_ioctls() {
    let k = FakeKernel::e1_pairs(4);
    let fd = chan(&k, 1);
    assert_eq!(
        ioctl_int(&k, fd, abi::DAHDI_GET_BLOCKSIZE, 0).unwrap(),
        1024,
        "a fresh fd reads 128 ms blocks"
    );
    assert_eq!(errno(ioctl_int(&k, fd, abi::DAHDI_SET_BLOCKSIZE, 15)), libc::EINVAL);
    assert_eq!(errno(ioctl_int(&k, fd, abi::DAHDI_SET_BLOCKSIZE, 8193)), libc::EINVAL);
    ioctl_int(&k, fd, abi::DAHDI_SET_BLOCKSIZE, 160).unwrap();
    let mut bi = [0u8; 24];
    bi[8..12].copy_from_slice(&9i32.to_ne_bytes()); // numbufs
    bi[12..16].copy_from_slice(&4096i32.to_ne_bytes()); // bufsize: 9 × 4096 > 32768
    assert_eq!(errno(k.ioctl(fd, abi::DAHDI_SET_BUFINFO, &mut bi)), libc::EINVAL);
    assert_eq!(errno(ioctl_int(&k, fd, abi::DAHDI_SETTXBITS, 0xD)), libc::EINVAL, "CAS only on CAS channels");
    assert_eq!(
        errno(ioctl_int(&k, fd, abi::DAHDI_HOOK, abi::DAHDI_OFFHOOK)),
        libc::EINVAL,
        "no hook on clear"
    );
    ioctl_int(&k, fd, abi::DAHDI_AUDIOMODE, 1).unwrap();
    let cas = chan(&k, 2 * 31 + 1);
    assert_eq!(errno(ioctl_int(&k, cas, abi::DAHDI_AUDIOMODE, 1)), libc::EINVAL, "AUDIOMODE needs SIG_CLEAR");
    assert_eq!(
        errno(ioctl_int(&k, cas, abi::DAHDI_HOOK, abi::DAHDI_OFFHOOK)),
        libc::EINVAL,
        "no hook on CAS"
    );
    ioctl_int(&k, cas, abi::DAHDI_SETTXBITS, 0x5).unwrap();
    let mut buf = [0u8; 200];
    assert_eq!(errno(k.read(fd, &mut buf)), libc::EAGAIN);
}

#[test]
fn fake_kernel_event_queue_holds_63_and_elast_blocks_io() {
    let k = FakeKernel::e1_pairs(2);
    let fd = chan(&k, 1);
    for i in 0..100 {
        k.set_alarms(1, if i % 2 == 0 { abi::DAHDI_ALARM_RED } else { 0 });
    }
    assert_eq!(k.events_dropped(1), 100 - EVENT_QUEUE as u64);
    let mut buf = [0u8; 1024];
    assert_eq!(errno(k.read(fd, &mut buf)), abi::ELAST);
    assert_eq!(errno(k.write(fd, &buf[..160])), abi::ELAST);
    let mut n = 0;
    loop {
        match ioctl_int(&k, fd, abi::DAHDI_GETEVENT, 0).unwrap() {
            abi::DAHDI_EVENT_NONE => break,
            e => assert!(e == abi::DAHDI_EVENT_ALARM || e == abi::DAHDI_EVENT_NOALARM),
        }
        n += 1;
    }
    assert_eq!(n, EVENT_QUEUE);
    assert_eq!(k.write(fd, &buf[..160]).unwrap(), 160);
}

#[test]
fn fake_kernel_hdlc_fcs_convention_on_raw_fds() {
    let k = FakeKernel::e1_pairs(2);
    let a = chan(&k, 16);
    let z = chan(&k, 47);
    // libpri writes the frame plus two placeholder octets.
    k.write(a, &[0x00, 0x01, 0x7E, 0x7D, 0, 0]).unwrap();
    k.advance(10);
    let mut buf = [0u8; 1024];
    let n = k.read(z, &mut buf).unwrap();
    assert_eq!(&buf[..4], &[0x00, 0x01, 0x7E, 0x7D]);
    assert_eq!(n, 6, "frame plus its 2 FCS octets");
    assert_eq!(fcs16_update(0xFFFF, &buf[..n]), FCS16_GOOD);
    assert_eq!(errno(k.write(a, &[1, 0])), libc::EINVAL, "too short for a frame");
}

#[test]
fn busy_not_loaded_and_denied_are_errors_that_say_what_to_do() {
    let k = FakeKernel::e1_pairs(4);
    let _asterisk = k.hold(5).unwrap();
    let mut b = board(&k, 160);
    let e = b.open(ChannelNo(5), RingConfig::default()).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Busy);
    assert!(e.message.contains("Asterisk"), "{}", e.message);
    drop(b);
    k.set_loaded(false);
    let e = DahdiBoard::new(k.clone(), DahdiConfig::default()).err().unwrap();
    assert_eq!(e.kind, ErrorKind::NoDevice);
    assert!(e.message.contains("modprobe dahdi"), "{}", e.message);
    k.set_loaded(true);
    k.set_denied(true);
    let e = DahdiBoard::new(k.clone(), DahdiConfig::default()).err().unwrap();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
    assert!(e.message.contains("dialout"), "{}", e.message);
    k.set_denied(false);
    let mut b = board(&k, 160);
    let e = b.configure_span(SpanNo(1), trunkline_driver::SpanConfig::e1_ccs()).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("system.conf"));
    assert_eq!(
        DahdiBoard::new(k, DahdiConfig { tick_frames: 12, ..DahdiConfig::default() }).err().unwrap().kind,
        ErrorKind::InvalidConfig
    );
}

#[test]
fn removal_is_reported_and_the_span_disappears() {
    let k = FakeKernel::e1_pairs(2);
    let mut b = board(&k, 80);
    let mut e = b.open(ChannelNo(32), RingConfig::default()).unwrap();
    b.tick().unwrap();
    k.remove_span(2);
    for _ in 0..3 {
        b.tick().unwrap();
    }
    let evs: Vec<_> = std::iter::from_fn(|| b.poll_event()).collect();
    assert!(evs.contains(&BoardEvent::Removed { span: SpanNo(2) }), "{evs:?}");
    assert_eq!(b.spans().len(), 1);
    assert_eq!(b.channels().len(), 31);
    assert_eq!(b.span_status(SpanNo(2)).err().unwrap().kind, ErrorKind::NoDevice);
    assert_eq!(b.open(ChannelNo(33), RingConfig::default()).err().unwrap().kind, ErrorKind::NoDevice);
    e.tx.push_slice(&[1, 2, 3]); // the engine end stays usable, just disconnected
    b.tick().unwrap();
}

#[test]
fn removal_without_open_channels_is_noticed_by_polling() {
    let k = FakeKernel::e1_pairs(2);
    let mut b = board(&k, 160);
    b.tick().unwrap();
    k.remove_span(1);
    for _ in 0..60 {
        b.tick().unwrap();
    }
    let evs: Vec<_> = std::iter::from_fn(|| b.poll_event()).collect();
    assert!(evs.contains(&BoardEvent::Removed { span: SpanNo(1) }), "{evs:?}");
}

#[test]
fn dynamic_span_cas_leak_is_masked() {
    // The VM's loc spans: cas=11-15; a change on channel 12 leaks into channel 11's bits 4-7.
    let k = FakeKernel::vm_loc();
    let mut b = board(&k, 40);
    let tx11 = b.open(ChannelNo(11), RingConfig::default()).unwrap();
    let tx12 = b.open(ChannelNo(12), RingConfig::default()).unwrap();
    let rx11 = b.open(ChannelNo(42), RingConfig::default()).unwrap();
    let _rx12 = b.open(ChannelNo(43), RingConfig::default()).unwrap();
    assert_eq!(rx11.rx_cas(), 0x1, "idle bits 0001");
    for _ in 0..5 {
        b.tick().unwrap();
    }
    while b.poll_event().is_some() {}
    tx12.set_tx_cas(0xD);
    for _ in 0..5 {
        b.tick().unwrap();
    }
    let evs: Vec<_> = std::iter::from_fn(|| b.poll_event()).collect();
    assert_eq!(
        evs,
        vec![BoardEvent::CasChanged { chan: ChannelNo(43), abcd: 0xD }],
        "no spurious change on 42"
    );
    assert_eq!(rx11.rx_cas(), 0x1);
    tx11.set_tx_cas(0x9);
    for _ in 0..5 {
        b.tick().unwrap();
    }
    assert_eq!(rx11.rx_cas(), 0x9);
}

#[test]
fn hdlc_errors_become_events_and_drop_the_frame() {
    let k = FakeKernel::e1_pairs(2);
    let mut b = board(&k, 40);
    let mut a = b.open(ChannelNo(16), RingConfig::default()).unwrap();
    let mut z = b.open(ChannelNo(47), RingConfig::default()).unwrap();
    k.hdlc_fault(47, HdlcFault::BadFcs);
    a.send_frame(&[1, 2, 3]);
    a.send_frame(&[4, 5, 6]);
    k.hdlc_fault(47, HdlcFault::Abort);
    k.hdlc_fault(47, HdlcFault::Overrun);
    for _ in 0..20 {
        b.tick().unwrap();
    }
    let evs: Vec<_> = std::iter::from_fn(|| b.poll_event()).collect();
    let c = ChannelNo(47);
    for error in [HdlcError::Abort, HdlcError::Overrun, HdlcError::BadFcs] {
        assert!(evs.contains(&BoardEvent::Hdlc { chan: c, error }), "{error:?} in {evs:?}");
    }
    let mut buf = [0u8; MAX_FRAME];
    let n = z.recv_frame(&mut buf).expect("the good frame");
    assert_eq!(&buf[..n - 2], &[4, 5, 6]);
    assert!(z.recv_frame(&mut buf).is_none(), "the bad one never appears as data");
}

#[test]
fn e_and_m_hook_crosses_with_the_wink_timer_and_clear_channels_refuse() {
    let k = FakeKernel::vm_loc();
    let mut b = board(&k, 80);
    let _a = b.open(ChannelNo(17), RingConfig::default()).unwrap();
    let _z = b.open(ChannelNo(48), RingConfig::default()).unwrap();
    b.hook(ChannelNo(17), Hook::OffHook).unwrap();
    let mut when = None;
    for t in 0..60 {
        b.tick().unwrap();
        if let Some(ev) = b.poll_hook_event() {
            assert_eq!(ev, (ChannelNo(48), HookEvent::RingOffHook));
            when = Some(t);
            break;
        }
    }
    let ms = when.expect("RINGOFFHOOK") * 10;
    assert!((280..=320).contains(&ms), "{ms} ms");
    b.hook(ChannelNo(17), Hook::OnHook).unwrap();
    b.tick().unwrap();
    assert_eq!(b.poll_hook_event(), Some((ChannelNo(48), HookEvent::OnHook)));
    let _c = b.open(ChannelNo(1), RingConfig::default()).unwrap();
    let e = b.hook(ChannelNo(1), Hook::OffHook).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert_eq!(b.hook(ChannelNo(2), Hook::OffHook).err().unwrap().kind, ErrorKind::NotOpen);
}

#[test]
fn counters_come_from_spanstat_and_slips_from_proc() {
    let k = FakeKernel::e1_pairs(2);
    let b = board(&k, 160);
    k.add_counters(2, 3, 4, 5, 6, 175_319);
    let st = b.span_status(SpanNo(2)).unwrap();
    assert_eq!((st.counters.bpv, st.counters.crc, st.counters.ebit, st.counters.fas), (3, 4, 5, 6));
    assert_eq!(st.counters.slips, 175_319);
    let p = b.proc_span(SpanNo(2)).unwrap();
    assert_eq!(p.lineconfig, "CCS/HDB3/CRC4");
    assert_eq!(p.channels.len(), 31);
    k.set_alarms(1, (Alarms::RED.0 | Alarms::LFA.0) as i32);
    let p = b.proc_span(SpanNo(1)).unwrap();
    assert!(p.master);
    assert_eq!(p.alarms, vec!["RED"]);
}

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf")
}

#[test]
fn scan_of_the_fake_kernel_matches_dahdi_scan_golden_output() {
    // The made-up span of dahdi_shim.c, served by the fake kernel.
    let k = FakeKernel::new();
    let mut spec = FakeSpanSpec::e1_pri("TE4/0/1");
    spec.desc = "T4XXP (PCI) Card 0 Span 1".into();
    spec.hw = ["Digium".into(), "Wildcard TE410P/TE405P".into(), "PCI Bus 02 Slot 04".into()];
    k.add_span(spec);
    for alarms in [0i32, 3, 8, 12, 16, 32, 256, 520] {
        k.set_alarms(1, alarms);
        let ctl = backend::open_ctl(&k).unwrap();
        let out: String = backend::scan_spans(&k, ctl, 127)
            .iter()
            .map(|s| trunkline_driver::scan::format_span(&s.info, &s.status, s.irq))
            .collect();
        let want: String =
            std::fs::read_to_string(shared().join(format!("traces/dahdi_scan.fake-e1.alarms-{alarms}.out")))
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with("#@"))
                .map(|l| format!("{l}\n"))
                .collect();
        assert_eq!(out, want, "alarms={alarms}");
    }
}

#[test]
fn audio_keeps_flowing_in_order_while_events_flood_the_channel() {
    // Every alarm transition queues an event on each open channel of the span; while one is
    // queued the kernel refuses read() and write() with ELAST. The backend must drain them and
    // carry on without losing or reordering octets.
    use ringbuf::traits::Consumer;
    let k = FakeKernel::e1_pairs(2);
    let mut b = board(&k, 40);
    let mut a = b.open(ChannelNo(1), RingConfig { audio: 640, ..RingConfig::default() }).unwrap();
    let mut z = b.open(ChannelNo(32), RingConfig { audio: 640, ..RingConfig::default() }).unwrap();
    let (mut sent, mut got) = (0u64, 0u64);
    let mut sink = [0u8; 640];
    let mut alarm_events = 0;
    for t in 0..400 {
        let block: Vec<u8> = (0..40).map(|i| ((sent + i) % 251) as u8).collect();
        assert_eq!(a.tx.push_slice(&block), 40);
        sent += 40;
        if (100..200).contains(&t) {
            for i in 0..7 {
                // Both ends: the sender's write() and the receiver's read() meet ELAST.
                k.set_alarms(1, if i % 2 == 0 { abi::DAHDI_ALARM_YELLOW } else { 0 });
                k.set_alarms(2, if i % 2 == 0 { abi::DAHDI_ALARM_BLUE } else { 0 });
            }
        }
        b.tick().unwrap();
        alarm_events += std::iter::from_fn(|| b.poll_event())
            .filter(|e| matches!(e, BoardEvent::Alarm { span: SpanNo(2), .. }))
            .count();
        let n = z.rx.pop_slice(&mut sink);
        for &o in &sink[..n] {
            if got == 0 && o == 0xFF {
                continue; // idle fill before the stream starts
            }
            assert_eq!(o, (got % 251) as u8, "octet {got}");
            got += 1;
        }
    }
    assert!(sent - got <= 3 * 40, "{} octets in flight", sent - got);
    assert!(alarm_events > 0, "alarm transitions were reported");
    let s = z.stats.snapshot();
    assert_eq!(s.rx_overruns, 0);
}

#[path = "common/dahdi_probe.rs"]
mod dahdi_probe;

/// The fake kernel configured from the VM's system.conf (DYNAMIC_CREATE of six `loc` spans,
/// CHANCONFIG, tone zones, through `dahdi cfg`'s apply) answers the raw-fd probe exactly as the
/// real DAHDI 2.11.1 kernel did in the VM (`tests/dahdi-vm/run`, table in dahdi_probe.rs).
#[test]
fn fake_kernel_answers_the_probe_as_the_real_kernel_did() {
    let k = dahdi_probe::vm_fake();
    let got = dahdi_probe::probe(&k).unwrap();
    let want = dahdi_probe::REAL_KERNEL;
    let diffs: Vec<String> = got
        .iter()
        .zip(want)
        .filter(|(g, w)| g.0 != w.0 || g.1 != w.1)
        .map(|(g, w)| format!("{}: fake {} / real {}", g.0, dahdi_probe::show(&g.1), dahdi_probe::show(&w.1)))
        .collect();
    assert!(diffs.is_empty(), "{diffs:#?}");
    assert_eq!(got.len(), want.len());
}

/// DYNAMIC_DESTROY of a `loc` span while one of its channels is open is refused (EBUSY, as
/// dahdi_dynamic does); closed, it goes, the backend reports it removed and the peer raises RED.
#[test]
fn dynamic_span_destroy_is_refused_while_a_channel_is_open() {
    let k = dahdi_probe::vm_fake();
    let mut b = board(&k, 80);
    let _e = b.open(ChannelNo(158), RingConfig::default()).unwrap();
    let _e5 = b.open(ChannelNo(127), RingConfig::default()).unwrap();
    let destroy = |k: &FakeKernel| {
        let ctl = k.open(abi::DEV_CTL).unwrap();
        let mut a = abi::AsBytes::to_bytes(&abi::DahdiDynamicSpan {
            driver: abi::copy_c_string(b"loc"),
            addr: abi::copy_c_string(b"3:1"),
            numchans: 31,
            timing: 0,
            spanno: 0,
        });
        let r = k.ioctl(ctl, abi::DAHDI_DYNAMIC_DESTROY, &mut a);
        k.close(ctl).unwrap();
        r
    };
    assert_eq!(errno(destroy(&k)), libc::EBUSY);
    b.close(ChannelNo(158)).unwrap();
    destroy(&k).unwrap();
    for _ in 0..200 {
        b.tick().unwrap();
    }
    let evs: Vec<_> = std::iter::from_fn(|| b.poll_event()).collect();
    assert!(evs.contains(&BoardEvent::Removed { span: SpanNo(6) }), "{evs:?}");
    assert!(
        evs.iter().any(
            |e| matches!(e, BoardEvent::Alarm { span: SpanNo(5), alarms } if alarms.contains(Alarms::RED))
        ),
        "{evs:?}"
    );
    assert_eq!(b.open(ChannelNo(159), RingConfig::default()).err().unwrap().kind, ErrorKind::NoDevice);
}

#[test]
fn the_vm_system_conf_makes_six_loc_spans_in_the_fake_kernel() {
    let k = dahdi_probe::vm_fake();
    let b = board(&k, 80);
    let names: Vec<String> = b.spans().iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        ["DYN/loc/1:0", "DYN/loc/1:1", "DYN/loc/2:0", "DYN/loc/2:1", "DYN/loc/3:0", "DYN/loc/3:1"]
    );
    assert_eq!(b.channels().len(), 186);
}
