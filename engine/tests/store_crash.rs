//! Crash tests: a child process (this test binary re-executed in a "child" mode selected by an
//! environment variable) commits dialling attempts or writes a recording, and is killed with
//! SIGKILL mid-way. The parent then reopens what it left and checks nothing committed was lost.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use trunkline_engine::lists::import_csv;
use trunkline_engine::model::{CallId, CampaignId, Cause, Cdr, LeadId, Outcome};
use trunkline_engine::record::{read_wav, repair, scan_and_repair, WavFormat, WavSpec, WavWriter};
use trunkline_engine::runtime::CdrQuery;
use trunkline_engine::store::{LeadUpdate, Store};

const CHILD_ENV: &str = "TRUNKLINE_STORE_CRASH_CHILD";
const LEADS: usize = 400;

/// Spawns this test binary running only `test` in child mode with `arg`, and returns it with its
/// stdout.
fn spawn_child(test: &str, arg: &Path) -> (std::process::Child, BufReader<std::process::ChildStdout>) {
    let exe = std::env::current_exe().expect("test binary path");
    let mut child = Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let out = BufReader::new(child.stdout.take().expect("child stdout"));
    (child, out)
}

/// Reads the child's `tag a b c` report lines until `enough` says stop; returns them.
fn read_reports(
    out: &mut BufReader<std::process::ChildStdout>,
    tag: &str,
    mut enough: impl FnMut(&[Vec<u64>]) -> bool,
) -> Vec<Vec<u64>> {
    let mut got = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = out.read_line(&mut line).expect("read child");
        assert!(n > 0, "child ended before reporting enough (got {} reports)", got.len());
        // libtest may print "test name ... " on the same line before the child's first report.
        let Some(at) = line.find(tag) else { continue };
        let mut it = line[at..].split_whitespace();
        it.next();
        got.push(it.map(|x| x.parse().expect("number")).collect());
        if enough(&got) {
            return got;
        }
    }
}

fn attempt_cdr(
    call: CallId,
    campaign: CampaignId,
    lead: LeadId,
    phone: &str,
    now: u64,
    outcome: Outcome,
) -> Cdr {
    Cdr {
        call,
        direction: "outbound".into(),
        channel: (call.0 % 60) as u32 + 1,
        ani: "5550100".into(),
        dnis: phone.into(),
        campaign: Some(campaign),
        lead: Some(lead),
        queue: None,
        agent: None,
        start_ms: now,
        answer_ms: None,
        bridged_ms: None,
        end_ms: now + 30_000,
        outcome: Some(outcome),
        cause: Cause::BUSY.0,
        evidence: "{}".into(),
        recording: None,
    }
}

/// The dialer's decision in these tests: a third of the leads answer (finished), a third are
/// invalid (finished), a third are busy until their third attempt.
fn decide(lead: LeadId, attempts_before: u32, now: u64) -> (Outcome, Option<u64>) {
    match lead.0 % 3 {
        0 => (Outcome::Human, None),
        1 => (Outcome::Invalid, None),
        _ if attempts_before >= 2 => (Outcome::NoAnswer, None),
        _ => (Outcome::Busy, Some(now + 5)),
    }
}

/// One attempt on the next due lead; returns (call, lead, finished) or None when nothing is due.
fn dial_one(s: &mut Store, c: CampaignId, now: u64) -> Option<(CallId, LeadId, bool)> {
    let lead = s.due_leads(c, now, 1).expect("due_leads").into_iter().next()?;
    let call = s.next_call_id().expect("call id");
    let (outcome, next) = decide(lead.id, lead.attempts, now);
    let cdr = attempt_cdr(call, c, lead.id, &lead.phone, now, outcome);
    s.finish_attempt(
        &cdr,
        LeadUpdate { lead: lead.id, outcome, next_attempt_ms: next, abandoned_at_ms: None },
    )
    .expect("finish_attempt");
    Some((call, lead.id, next.is_none()))
}

fn list_csv() -> String {
    let mut csv = String::from("phone,name,priority\n");
    for k in 0..LEADS {
        csv.push_str(&format!("+4930{:07},Lead {k},{}\n", k, k % 4));
    }
    csv
}

/// Child mode: import a list and dial it, reporting each committed attempt, until killed.
#[test]
fn child_dialer() {
    let Some(db) = std::env::var_os(CHILD_ENV) else { return };
    let mut s = Store::open(PathBuf::from(db)).expect("open");
    let c = s.create_campaign("crash", "progressive", &serde_json::json!({})).expect("campaign");
    let report = import_csv(&mut s, c, list_csv().as_bytes()).expect("import");
    let mut out = std::io::stdout().lock();
    writeln!(out, "IMPORTED {} {}", c.0, report.imported).expect("report");
    let mut now = 0u64;
    loop {
        now += 1;
        if let Some((call, lead, finished)) = dial_one(&mut s, c, now) {
            // Reported only once committed.
            writeln!(out, "COMMITTED {} {} {}", call.0, lead.0, u64::from(finished)).expect("report");
            out.flush().expect("flush");
        } else if s.due_leads(c, u64::MAX / 2, 1).expect("due").is_empty() {
            // All done before the kill came: end, and the parent sees too few reports.
            return;
        }
    }
}

#[test]
fn a_killed_dialer_loses_no_committed_attempt_and_redials_nothing_finished() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("trunk.db");
    let (mut child, mut out) = spawn_child("child_dialer", &db);
    let imported = read_reports(&mut out, "IMPORTED", |_| true);
    let (campaign, n) = (CampaignId(imported[0][0]), imported[0][1]);
    assert_eq!(n as usize, LEADS);
    let reports = read_reports(&mut out, "COMMITTED", |r| r.len() >= 300);
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());

    let mut s = Store::open(&db).unwrap();
    // Every reported attempt is there, with its lead's state.
    let mut reported_per_lead: HashMap<u64, u32> = HashMap::new();
    let mut max_call = 0;
    for r in &reports {
        let (call, lead, finished) = (CallId(r[0]), LeadId(r[1]), r[2] == 1);
        let cdr = s.cdr(call).unwrap().unwrap_or_else(|| panic!("committed CDR {call} lost"));
        assert_eq!(cdr.lead, Some(lead));
        *reported_per_lead.entry(lead.0).or_default() += 1;
        let l = s.lead(lead).unwrap().unwrap();
        if finished {
            assert!(l.finished, "lead {lead} finished before the crash but not after");
        }
        max_call = max_call.max(call.0);
    }
    // Atomicity: every lead's attempt count equals its CDRs (no CDR without its lead update or
    // the reverse), and covers what was reported.
    let cdrs =
        s.cdrs(&CdrQuery { campaign: Some(campaign.0), limit: Some(10_000), ..Default::default() }).unwrap();
    assert!(cdrs.len() >= reports.len());
    let mut per_lead: BTreeMap<u64, u32> = BTreeMap::new();
    for c in &cdrs {
        *per_lead.entry(c.lead.unwrap().0).or_default() += 1;
    }
    for l in s.leads(campaign).unwrap() {
        assert_eq!(l.attempts, per_lead.get(&l.id.0).copied().unwrap_or(0), "lead {}", l.id);
        assert!(l.attempts >= reported_per_lead.get(&l.id.0).copied().unwrap_or(0));
    }
    // Call ids go on after the last committed one.
    let next = s.next_call_id().unwrap();
    assert!(next.0 > max_call && next.0 as usize > cdrs.len(), "{next} after {max_call}");

    // Resume: finished leads are never offered again; finish the campaign.
    let mut now = 1_000_000;
    let mut dialled_after = 0;
    loop {
        for l in s.due_leads(campaign, now, 1000).unwrap() {
            assert!(!l.finished, "finished lead {} offered again", l.id);
        }
        match dial_one(&mut s, campaign, now) {
            Some(_) => dialled_after += 1,
            None if s.due_leads(campaign, u64::MAX / 2, 1).unwrap().is_empty() => break,
            None => {}
        }
        now += 10;
    }
    let leads = s.leads(campaign).unwrap();
    assert!(leads.iter().all(|l| l.finished));
    // Exactly the attempts the policy calls for: 1 for answered/invalid, 3 for busy leads.
    for l in &leads {
        let want = if l.id.0 % 3 == 2 { 3 } else { 1 };
        assert_eq!(l.attempts, want, "lead {} was dialled {} times", l.id, l.attempts);
    }
    let total = s.cdr_count().unwrap() as usize;
    eprintln!(
        "crash test: {} attempts reported before SIGKILL, {} found committed, {} dialled after restart, {} total",
        reports.len(),
        cdrs.len(),
        dialled_after,
        total
    );
}

const REC_SPEC: WavSpec = WavSpec { format: WavFormat::Pcm16, channels: 2, sample_rate: 8000 };

fn rec_sample(frame: u64, ch: u64) -> i16 {
    (((frame * 7 + ch * 1000) % 16000) as i64 - 8000) as i16
}

/// Child mode: record a call with a header patch every 3 s (reporting the frames then known to
/// be on disk), then 5 s more without patching (the 64 KiB write buffer spills about 4 s of it to
/// the file, past what the header says), then wait to be killed.
#[test]
fn child_recorder() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let mut w = WavWriter::create(PathBuf::from(path), REC_SPEC).expect("create");
    w.set_patch_interval(24_000);
    let mut out = std::io::stdout().lock();
    let mut frame = 0u64;
    let mut rx = vec![0i16; 160];
    let mut tx = vec![0i16; 160];
    while frame < 88_000 {
        for k in 0..160 {
            rx[k] = rec_sample(frame + k as u64, 0);
            tx[k] = rec_sample(frame + k as u64, 1);
        }
        w.write_call(&rx, &tx).expect("write");
        frame += 160;
        if frame % 24_000 == 0 && frame <= 48_000 {
            writeln!(out, "FLUSHED {frame}").expect("report");
            out.flush().expect("flush");
        }
        if frame == 48_000 {
            w.set_patch_interval(0);
        }
    }
    writeln!(out, "WAITING {frame}").expect("report");
    out.flush().expect("flush");
    // Not killed within a minute: end (the parent then fails on the missing report).
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn a_recording_cut_by_sigkill_is_repaired_with_the_audio_on_disk() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("call-1.wav");
    let (mut child, mut out) = spawn_child("child_recorder", &p);
    let flushed = read_reports(&mut out, "FLUSHED", |r| r.len() >= 2);
    read_reports(&mut out, "WAITING", |_| true);
    child.kill().unwrap();
    child.wait().unwrap();
    let on_disk = flushed.last().unwrap()[0];

    let len = std::fs::metadata(&p).unwrap().len();
    let whole_frames = (len - 44) / 4;
    let declared = read_wav(&p).unwrap().frames() as u64;
    let scan = scan_and_repair(dir.path()).unwrap();
    assert_eq!(scan.checked, 1);
    assert!(
        whole_frames > declared,
        "the kill should leave audio past the header ({whole_frames} vs {declared})"
    );
    assert_eq!(scan.repaired.len(), 1, "{scan}");
    let a = read_wav(&p).unwrap();
    assert_eq!(a.frames() as u64, whole_frames);
    assert!(a.frames() as u64 >= on_disk, "{} frames after repair, {on_disk} were flushed", a.frames());
    assert_eq!(a.duration_ms(), whole_frames / 8);
    for (f, pair) in a.samples.chunks_exact(2).enumerate() {
        assert_eq!(pair, [rec_sample(f as u64, 0), rec_sample(f as u64, 1)], "frame {f}");
    }
    let again = repair(&p).unwrap();
    assert!(!again.changed);
    eprintln!(
        "recording crash test: {on_disk} frames reported flushed, header said {declared}, {whole_frames} on disk, {} ms after repair ({})",
        a.duration_ms(),
        scan
    );
}
