//! Interop against real libpri (Debian `libpri-dev`): the C harness in `tests/interop/`
//! (`pri_harness peer`) runs one libpri side on an AF_UNIX SOCK_SEQPACKET socket (one message =
//! LAPD frame + 2 FCS octets, low first: DAHDI hardhdlc semantics) and our `PriSpan` plays the
//! other side. Calls are completed in both directions, with our stack as USER against libpri NET
//! and as NETWORK against libpri CPE.
//!
//! Without libpri headers/library the tests print `SKIPPED: libpri-dev not installed` and pass,
//! unless `TRUNKLINE_REQUIRE_PEERS` is set (CI sets it), in which case they fail.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::socket::{connect, recv, send, socket, AddressFamily, MsgFlags, SockFlag, SockType, UnixAddr};
use trunkline_engine::signalling::pri::fcs::{append_fcs, strip_fcs};
use trunkline_engine::signalling::pri::{
    CallEvent, CallId, Cause, OriginateRequest, PriConfig, PriSpan, Role, Variant,
};
use trunkline_engine::signalling::Ms;

/// Builds the harness once per test binary (tests run in parallel: a second `cc` writing the same
/// file while another test executes it gives ETXTBSY); `None` when libpri is not installed.
fn build_harness() -> Option<PathBuf> {
    static HARNESS: OnceLock<Option<PathBuf>> = OnceLock::new();
    HARNESS.get_or_init(compile_harness).clone()
}

fn skipped(why: &str) -> Option<PathBuf> {
    assert!(
        std::env::var_os("TRUNKLINE_REQUIRE_PEERS").is_none(),
        "TRUNKLINE_REQUIRE_PEERS is set but the libpri peer cannot be built: {why} \
         (apt-get install libpri-dev build-essential)"
    );
    println!("SKIPPED: libpri-dev not installed ({why})");
    None
}

fn compile_harness() -> Option<PathBuf> {
    if !Path::new("/usr/include/libpri.h").exists() {
        return skipped("no /usr/include/libpri.h");
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pri_harness_{}", std::process::id()));
    let status = Command::new("cc")
        .args(["-O1", "-g", "-Wall", "-o"])
        .arg(&out)
        .arg(src.join("pri_harness.c"))
        .arg(src.join("hdlc.c"))
        .arg("-lpri")
        .status();
    match status {
        Ok(s) if s.success() => Some(out),
        other => skipped(&format!("cc failed: {other:?}")),
    }
}

struct Peer {
    child: Child,
    fd: OwnedFd,
    log: PathBuf,
}

fn spawn_peer(harness: &Path, role: &str, extra: &[&str], tag: &str) -> Peer {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let sock = dir.join(format!("pri_{tag}_{}.sock", std::process::id()));
    let log = dir.join(format!("pri_{tag}.log"));
    let trace = dir.join(format!("pri_{tag}.trace"));
    let _ = std::fs::remove_file(&sock);
    let child = Command::new(harness)
        .args(["peer", "--role", role, "--listen"])
        .arg(&sock)
        .args(["--framing", "frames", "--exit-after-ms", "15000", "--log"])
        .arg(&log)
        .arg("--trace")
        .arg(&trace)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn pri_harness");
    let addr = UnixAddr::new(&sock).expect("socket path");
    let deadline = Instant::now() + Duration::from_secs(5);
    let fd = loop {
        let fd = socket(AddressFamily::Unix, SockType::SeqPacket, SockFlag::empty(), None).expect("socket");
        if connect(fd.as_raw_fd(), &addr).is_ok() {
            break fd;
        }
        assert!(Instant::now() < deadline, "pri_harness did not listen");
        std::thread::sleep(Duration::from_millis(20));
    };
    Peer { child, fd, log }
}

/// What happened to one call.
#[derive(Debug, Default, Clone)]
struct CallLog {
    proceeding: bool,
    alerting: bool,
    answered: Option<Ms>,
    released: Option<Cause>,
    started: Ms,
}

struct Driver {
    span: PriSpan,
    start: Instant,
    peer: Peer,
    ladder: Vec<String>,
}

impl Driver {
    fn now(&self) -> Ms {
        Ms(self.start.elapsed().as_millis() as u64)
    }

    /// One I/O turn; returns the events.
    fn turn(&mut self) -> Vec<CallEvent> {
        let mut buf = [0u8; 1024];
        loop {
            match recv(self.peer.fd.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
                Ok(0) => break,
                Ok(n) => {
                    let now = self.now();
                    if let Ok(frame) = strip_fcs(&buf[..n]) {
                        let frame = frame.to_vec();
                        self.span.handle_frame(now, &frame);
                    }
                }
                Err(Errno::EAGAIN) => break,
                Err(_) => break,
            }
        }
        let now = self.now();
        if self.span.poll_timeout().is_some_and(|t| t <= now) {
            self.span.handle_timeout(now);
        }
        while let Some(f) = self.span.poll_transmit() {
            let mut b = f;
            append_fcs(&mut b);
            let _ = send(self.peer.fd.as_raw_fd(), &b, MsgFlags::empty());
        }
        self.ladder.extend(self.span.take_traces());
        let mut ev = Vec::new();
        while let Some(e) = self.span.poll_event() {
            ev.push(e);
        }
        std::thread::sleep(Duration::from_millis(1));
        ev
    }
}

/// Outcome of one scenario row for the matrix.
struct Row {
    caller: &'static str,
    callee: &'static str,
    what: &'static str,
    result: String,
}

fn run_scenario(harness: &Path, our_role: Role) -> Vec<Row> {
    let (peer_role, tag, us, them) = match our_role {
        Role::User => ("net", "libpri_net", "trunkline USER", "libpri NET"),
        Role::Network => ("cpe", "libpri_cpe", "trunkline NET", "libpri CPE"),
    };
    let peer = spawn_peer(
        harness,
        peer_role,
        &["--call", "5555", "--calls", "1", "--hold", "300", "--expect-answered", "1"],
        tag,
    );
    let mut d = Driver {
        span: PriSpan::new(PriConfig::new(our_role, Variant::EuroIsdnE1)),
        start: Instant::now(),
        peer,
        ladder: Vec::new(),
    };
    let now = d.now();
    d.span.start(now);
    let mut rows = Vec::new();
    let mut ours: Vec<(CallId, &'static str, CallLog)> = Vec::new();
    let mut theirs: Option<(CallId, CallLog, String)> = None;
    let mut link_up_at = None;
    let mut step = 0;
    let mut step_at = Ms(0);
    let mut restarted = false;
    let deadline = Instant::now() + Duration::from_secs(12);
    while Instant::now() < deadline {
        let events = d.turn();
        let now = d.now();
        for e in events {
            match e {
                CallEvent::LinkUp => link_up_at = Some(now),
                CallEvent::Incoming { call, dnis, .. } => {
                    // answer the libpri-originated call at once
                    d.span.proceeding(now, call).unwrap();
                    d.span.alert(now, call).unwrap();
                    d.span.answer(now, call).unwrap();
                    theirs = Some((call, CallLog { started: now, ..Default::default() }, dnis));
                }
                CallEvent::Proceeding { call, .. } => {
                    if let Some(c) = ours.iter_mut().find(|c| c.0 == call) {
                        c.2.proceeding = true;
                    }
                }
                CallEvent::Alerting { call, .. } => {
                    if let Some(c) = ours.iter_mut().find(|c| c.0 == call) {
                        c.2.alerting = true;
                    }
                }
                CallEvent::Answered { call } => {
                    if let Some(c) = ours.iter_mut().find(|c| c.0 == call) {
                        c.2.answered = Some(now);
                    }
                }
                CallEvent::Released { call, cause } => {
                    if let Some(c) = ours.iter_mut().find(|c| c.0 == call) {
                        c.2.released = Some(cause);
                    }
                    if let Some(t) = theirs.as_mut().filter(|t| t.0 == call) {
                        t.1.released = Some(cause);
                    }
                }
                CallEvent::Restarted { remote: false, .. } => restarted = true,
                _ => {}
            }
        }
        // our own answered calls are held 200 ms, then cleared with cause 16
        let to_clear: Vec<CallId> = ours
            .iter()
            .filter(|c| c.2.released.is_none() && c.2.answered.is_some_and(|a| now >= a + Ms(200)))
            .map(|c| c.0)
            .collect();
        for c in to_clear {
            d.span.release(now, c, Cause::NORMAL_CLEARING).unwrap();
        }
        if link_up_at.is_none() || now < step_at {
            continue;
        }
        let all_done = ours.iter().all(|c| c.2.released.is_some());
        if !all_done {
            continue;
        }
        let dial = |d: &mut Driver, dnis: &str| {
            d.span.originate(now, &OriginateRequest::new(dnis, "4008001234")).expect("originate")
        };
        match step {
            0 => {
                step_at = now + Ms(600); // let libpri's own call (at link up + 200 ms) go first
            }
            1 => {
                let id = dial(&mut d, "8001");
                ours.push((
                    id,
                    "answered call, cleared by us (16)",
                    CallLog { started: now, ..Default::default() },
                ));
            }
            2 => {
                let id = dial(&mut d, "4444");
                ours.push((id, "busy (17)", CallLog { started: now, ..Default::default() }));
            }
            3 => {
                let id = dial(&mut d, "9999");
                ours.push((id, "unallocated (1)", CallLog { started: now, ..Default::default() }));
            }
            4 => {
                d.span.restart(now, Some(10)).unwrap();
                step_at = now + Ms(500);
            }
            5 => {
                if theirs.as_ref().is_some_and(|t| t.1.released.is_some()) || now > Ms(8000) {
                    step += 1;
                }
                continue;
            }
            _ => break,
        }
        step += 1;
    }
    // close the socket: the harness sees EOF and prints its verdict
    let Driver { peer, ladder, .. } = d;
    let Peer { child, fd, log } = peer;
    drop(fd);
    let out = child.wait_with_output().expect("harness output");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    println!("---- {them} harness stdout ----\n{stdout}");
    println!("---- ladder ({us} view) ----");
    for l in &ladder {
        println!("{l}");
    }
    println!("---- libpri log: {} ----", log.display());

    assert!(link_up_at.is_some(), "D-channel never came up against {them}");
    for (id, what, c) in &ours {
        let setup = c.answered.map(|a| a - c.started);
        let result = format!(
            "proceeding={} alerting={} answered={} released={} set-up={}",
            c.proceeding,
            c.alerting,
            c.answered.is_some(),
            c.released.map(|x| x.to_string()).unwrap_or("-".into()),
            setup.map(|s| s.to_string()).unwrap_or("-".into())
        );
        rows.push(Row { caller: us, callee: them, what, result });
        let _ = id;
    }
    let (_, tc, tdnis) = theirs.clone().expect("libpri's call was not presented");
    rows.push(Row {
        caller: them,
        callee: us,
        what: "answered call, cleared by libpri (16)",
        result: format!("dnis={tdnis} released={}", tc.released.map(|x| x.to_string()).unwrap_or("-".into())),
    });
    rows.push(Row {
        caller: us,
        callee: them,
        what: "RESTART B10",
        result: format!("RESTART ACK received={restarted}"),
    });
    // verdicts
    let by = |w: &str| ours.iter().find(|c| c.1.starts_with(w)).map(|c| c.2.clone()).unwrap();
    let a = by("answered");
    assert!(a.proceeding && a.answered.is_some(), "{them}: our call not answered: {a:?}");
    assert_eq!(a.released, Some(Cause::NORMAL_CLEARING));
    assert_eq!(by("busy").released, Some(Cause::USER_BUSY));
    assert_eq!(by("unallocated").released, Some(Cause::UNALLOCATED));
    assert_eq!(tc.released, Some(Cause::NORMAL_CLEARING), "{them}'s call");
    assert!(restarted, "RESTART not acknowledged by {them}");
    assert!(stdout.contains("1 passed, 0 failed"), "{them} harness verdict: {stdout}");
    rows
}

fn print_matrix(rows: &[Row]) {
    println!("INTEROP MATRIX (libpri 1.6 via pri_new_cb, EuroISDN E1, frames+FCS over SEQPACKET):");
    println!("| caller | callee | scenario | result |\n|---|---|---|---|");
    for r in rows {
        println!("| {} | {} | {} | {} |", r.caller, r.callee, r.what, r.result);
    }
}

#[test]
fn interop_libpri_net_vs_trunkline_user() {
    let Some(h) = build_harness() else { return };
    let rows = run_scenario(&h, Role::User);
    print_matrix(&rows);
}

#[test]
fn interop_libpri_cpe_vs_trunkline_net() {
    let Some(h) = build_harness() else { return };
    let rows = run_scenario(&h, Role::Network);
    print_matrix(&rows);
}
