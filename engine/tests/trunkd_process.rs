//! The shipped `trunkd` binary as a process running the built-in demo: SIGTERM during calls drains
//! cleanly (exit 0, every CDR stored, every recording closed with a correct header), and after
//! `kill -9` a restart resumes the campaign without re-dialling finished numbers or losing a
//! committed CDR.
//!
//! Synchronisation is on the daemon's own signals: READY=1 on a real `NOTIFY_SOCKET`, then the
//! API's server-sent events; no sleeps.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use trunkline_engine::record::wav::{parse_layout, read_wav};

const CONFIG: &str = "[daemon]\nlog = \"warn\"\n\n[demo]\nagents = 6\nleads = 80\ninbound_per_hour = 30\nseed = 7\nrecord_format = \"pcm16\"\n";

struct Daemon {
    child: Child,
    notify: UnixDatagram,
}

impl Daemon {
    /// Starts `trunkd` on `dir` and waits for READY=1.
    fn start(dir: &Path) -> Daemon {
        let notify_path = dir.join(format!("notify-{}", rand_suffix()));
        let notify = UnixDatagram::bind(&notify_path).unwrap();
        notify.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let cfg = dir.join("trunkd.toml");
        std::fs::write(&cfg, CONFIG).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_trunkd"))
            .arg("--config")
            .arg(&cfg)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--speed", "1000"])
            .env("NOTIFY_SOCKET", &notify_path)
            .env_remove("WATCHDOG_USEC")
            .env_remove("JOURNAL_STREAM")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn trunkd");
        let mut d = Daemon { child, notify };
        d.expect_notify("READY=1");
        d
    }

    fn expect_notify(&mut self, what: &str) {
        let mut buf = [0u8; 512];
        loop {
            let n = self.notify.recv(&mut buf).unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
            let msg = String::from_utf8_lossy(&buf[..n]);
            if msg.lines().any(|l| l == what) {
                return;
            }
        }
    }

    fn signal(&self, s: Signal) {
        kill(Pid::from_raw(self.child.id() as i32), s).unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rand_suffix() -> usize {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The API's event stream.
struct Events(BufReader<UnixStream>);

impl Events {
    fn open(dir: &Path) -> Events {
        let mut s = UnixStream::connect(dir.join("data/trunkd.sock")).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        s.write_all(b"GET /v1/events HTTP/1.1\r\nHost: trunkd\r\n\r\n").unwrap();
        let mut r = BufReader::new(s);
        let mut status = String::new();
        r.read_line(&mut status).unwrap();
        assert!(status.contains(" 200 "), "{status}");
        Events(r)
    }

    /// The next event's JSON.
    fn next(&mut self) -> serde_json::Value {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self.0.read_line(&mut line).expect("event stream");
            assert!(n > 0, "event stream closed");
            if let Some(d) = line.trim_end().strip_prefix("data: ") {
                return serde_json::from_str(d).unwrap();
            }
        }
    }

    /// Reads events until `done(calls ended, calls bridged now)`; returns the calls bridged now.
    fn until(&mut self, done: impl Fn(usize, &HashSet<u64>) -> bool) -> HashSet<u64> {
        let mut ended = 0;
        let mut bridged = HashSet::new();
        while !done(ended, &bridged) {
            let e = self.next();
            let call = e["call"].as_u64();
            match e["type"].as_str() {
                Some("call_state") if e["state"] == "bridged" => {
                    bridged.insert(call.unwrap());
                }
                Some("call_ended") => {
                    ended += 1;
                    bridged.remove(&call.unwrap());
                }
                _ => {}
            }
        }
        bridged
    }
}

struct Cdr {
    call: u64,
    lead: Option<u64>,
    start_ms: u64,
    bridged_ms: Option<u64>,
    end_ms: u64,
    outcome: Option<String>,
    recording: Option<String>,
}

fn cdrs(dir: &Path) -> Vec<Cdr> {
    let db = rusqlite::Connection::open(dir.join("data/trunkline.db")).unwrap();
    let mut st = db
        .prepare(
            "SELECT call, lead, start_ms, bridged_ms, end_ms, outcome, recording FROM cdrs ORDER BY call",
        )
        .unwrap();
    st.query_map([], |r| {
        let n = |i: usize| r.get::<_, i64>(i).map(|v| v as u64);
        let o = |i: usize| r.get::<_, Option<i64>>(i).map(|v| v.map(|v| v as u64));
        Ok(Cdr {
            call: n(0)?,
            lead: o(1)?,
            start_ms: n(2)?,
            bridged_ms: o(3)?,
            end_ms: n(4)?,
            outcome: r.get(5)?,
            recording: r.get(6)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// (lead id → (attempts, finished)).
fn leads(dir: &Path) -> BTreeMap<u64, (u64, bool)> {
    let db = rusqlite::Connection::open(dir.join("data/trunkline.db")).unwrap();
    let mut st = db.prepare("SELECT id, attempts, finished FROM leads").unwrap();
    st.query_map([], |r| Ok((r.get::<_, i64>(0)? as u64, (r.get::<_, i64>(1)? as u64, r.get::<_, bool>(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Each lead's attempt counter equals the number of its CDRs.
fn assert_attempts_match(dir: &Path, cdrs: &[Cdr]) {
    let mut per_lead: HashMap<u64, u64> = HashMap::new();
    for c in cdrs {
        if let Some(l) = c.lead {
            *per_lead.entry(l).or_default() += 1;
        }
    }
    for (id, (attempts, _)) in leads(dir) {
        assert_eq!(attempts, per_lead.get(&id).copied().unwrap_or(0), "lead {id}");
    }
}

/// Every recording in the directory has a header that matches its length.
fn assert_recordings_sound(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir.join("data/recordings")).unwrap() {
        let p = e.unwrap().path();
        let bytes = std::fs::read(&p).unwrap();
        let l = parse_layout(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(
            l.data_off + u64::from(l.data_declared),
            bytes.len() as u64,
            "{}: header declares {} data bytes",
            p.display(),
            l.data_declared
        );
        assert_eq!(u64::from(l.riff_declared) + 8, bytes.len() as u64, "{}: RIFF size", p.display());
        n += 1;
    }
    n
}

#[test]
fn sigterm_during_calls_drains_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start(dir.path());
    let mut ev = Events::open(dir.path());
    // Wait for calls to end normally, and for a call that is bridged (being recorded) right now.
    let up = ev.until(|ended, bridged| ended >= 5 && !bridged.is_empty());
    d.signal(Signal::SIGTERM);
    d.expect_notify("STOPPING=1");
    let status = d.child.wait().unwrap();
    assert!(status.success(), "trunkd exit status after SIGTERM: {status:?}");

    let cdrs = cdrs(dir.path());
    let by_call: HashMap<u64, &Cdr> = cdrs.iter().map(|c| (c.call, c)).collect();
    for call in &up {
        let c = by_call.get(call).unwrap_or_else(|| panic!("call {call}, up at SIGTERM, has a CDR"));
        let rec = c.recording.as_ref().unwrap_or_else(|| panic!("call {call} names its recording"));
        let wav = read_wav(rec).unwrap();
        let talk = c.end_ms - c.bridged_ms.unwrap();
        // The recording stops when our side hangs up; the CDR ends when the release completes,
        // a PRI round trip (a few 20 ms ticks) later. It never runs longer than the call.
        let rec_ms = wav.duration_ms();
        assert!(
            rec_ms <= talk + 40 && talk - rec_ms.min(talk) <= 100,
            "call {call}: recording {} ms, bridged {talk} ms",
            wav.duration_ms()
        );
    }
    let files = assert_recordings_sound(dir.path());
    let recorded = cdrs.iter().filter(|c| c.recording.is_some()).count();
    assert_eq!(files, recorded, "one closed recording per recorded CDR");
    // The attempt counters agree with the CDRs (each CDR was committed with its lead's state).
    assert_attempts_match(dir.path(), &cdrs);
}

#[test]
fn kill_9_then_restart_resumes_the_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start(dir.path());
    let mut ev = Events::open(dir.path());
    ev.until(|ended, _| ended >= 15);
    d.signal(Signal::SIGKILL);
    let _ = d.child.wait();
    drop(ev);
    drop(d);

    let before = cdrs(dir.path());
    let leads_before = leads(dir.path());
    assert!(before.len() >= 10, "{} CDRs committed before the kill", before.len());
    let finished_before: HashSet<u64> = leads_before.iter().filter(|l| l.1 .1).map(|l| *l.0).collect();
    assert!(!finished_before.is_empty());
    let last_end = before.iter().map(|c| c.end_ms).max().unwrap();

    // Restart: cut recordings are repaired, the campaign continues.
    let mut d = Daemon::start(dir.path());
    assert_recordings_sound(dir.path());
    let mut ev = Events::open(dir.path());
    ev.until(|ended, _| ended >= 15);
    d.signal(Signal::SIGTERM);
    assert!(d.child.wait().unwrap().success());

    let after = cdrs(dir.path());
    let ids_after: HashSet<u64> = after.iter().map(|c| c.call).collect();
    for c in &before {
        assert!(ids_after.contains(&c.call), "committed CDR of call {} survived", c.call);
    }
    let new: Vec<&Cdr> = after.iter().filter(|c| !before.iter().any(|b| b.call == c.call)).collect();
    assert!(new.len() >= 15, "{} new CDRs after the restart", new.len());
    for c in &new {
        assert!(c.start_ms >= last_end, "call {} starts after the stored clock ({last_end})", c.call);
        if let Some(l) = c.lead {
            assert!(!finished_before.contains(&l), "lead {l} was finished before the kill but dialled again");
        }
    }
    // Counters still match the CDRs.
    assert_attempts_match(dir.path(), &after);
    let outcomes: BTreeMap<String, usize> = after.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.outcome.clone().unwrap_or_else(|| "inbound".into())).or_default() += 1;
        m
    });
    assert!(outcomes.len() >= 3, "a mix of outcomes: {outcomes:?}");
}
