//! Throughput figures for storage and list import, printed with `--nocapture`:
//! `cargo test -p trunkline-engine --release --test store_perf -- --nocapture`.
//! The assertions are loose floors (a loaded CI box must pass); the printed rates are the figures.

use std::time::Instant;

use trunkline_engine::lists::{import_csv, parse_csv_bytes};
use trunkline_engine::model::{CallId, CampaignId, Cdr, LeadId, Outcome};
use trunkline_engine::record::{WavFormat, WavSpec, WavWriter};
use trunkline_engine::store::{Durability, LeadUpdate, Store};

fn cdr(call: u64, campaign: CampaignId, lead: LeadId) -> Cdr {
    Cdr {
        call: CallId(call),
        direction: "outbound".into(),
        channel: 1,
        ani: "5550100".into(),
        dnis: "+4930123456".into(),
        campaign: Some(campaign),
        lead: Some(lead),
        queue: None,
        agent: None,
        start_ms: call * 1000,
        answer_ms: Some(call * 1000 + 5000),
        bridged_ms: None,
        end_ms: call * 1000 + 9000,
        outcome: Some(Outcome::Machine),
        cause: 16,
        evidence: r#"{"amd":{"verdict":"machine","confidence":0.93,"greeting_ms":4200}}"#.into(),
        recording: None,
    }
}

fn csv(n: usize) -> String {
    let mut s = String::from("phone,name,timezone,priority,account\n");
    for k in 0..n {
        s.push_str(&format!("+33 1 {:08},\"Name {k}, Jr\",Europe/Paris,{},A-{k}\n", k, k % 5));
    }
    s
}

fn attempts_per_second(durability: Durability, n: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_with(dir.path().join("p.db"), durability).unwrap();
    let c = s.create_campaign("perf", "predictive", &serde_json::json!({})).unwrap();
    import_csv(&mut s, c, csv(n).as_bytes()).unwrap();
    let leads = s.leads(c).unwrap();
    let t = Instant::now();
    for l in &leads {
        let call = s.next_call_id().unwrap();
        s.finish_attempt(
            &cdr(call.0, c, l.id),
            LeadUpdate {
                lead: l.id,
                outcome: Outcome::Machine,
                next_attempt_ms: Some(3_600_000),
                abandoned_at_ms: None,
            },
        )
        .unwrap();
    }
    n as f64 / t.elapsed().as_secs_f64()
}

#[test]
fn storage_and_import_rates() {
    let full = attempts_per_second(Durability::Full, 300);
    let normal = attempts_per_second(Durability::Normal, 3000);
    println!("finish_attempt (call id + CDR + lead, one transaction each): {full:.0}/s synchronous=FULL, {normal:.0}/s synchronous=NORMAL");

    let text = csv(50_000);
    let t = Instant::now();
    let p = parse_csv_bytes(text.as_bytes()).unwrap();
    let parse_rate = 50_000.0 / t.elapsed().as_secs_f64();
    assert_eq!(p.report.imported, 50_000);
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("i.db")).unwrap();
    let c = s.create_campaign("imp", "power", &serde_json::json!({})).unwrap();
    let t = Instant::now();
    let r = import_csv(&mut s, c, text.as_bytes()).unwrap();
    let import_rate = 50_000.0 / t.elapsed().as_secs_f64();
    assert_eq!(r.imported, 50_000);
    println!(
        "CSV list: {parse_rate:.0} rows/s parsed and validated, {import_rate:.0} rows/s imported into SQLite"
    );

    let t = Instant::now();
    let _ = s.due_leads(c, 0, 100).unwrap();
    let first = t.elapsed();
    let t = Instant::now();
    let due = s.due_leads(c, 0, 100).unwrap();
    println!("due_leads(100) over 50,000 leads: {first:?} first call, {:?} next", t.elapsed());
    assert_eq!(due.len(), 100);
    assert_eq!(due[0].priority, 4);

    let mut w = WavWriter::create(
        dir.path().join("r.wav"),
        WavSpec { format: WavFormat::Alaw, channels: 2, sample_rate: 8000 },
    )
    .unwrap();
    let blk = vec![1234i16; 160];
    let t = Instant::now();
    for _ in 0..50 * 600 {
        w.write_call(&blk, &blk).unwrap();
    }
    w.finish().unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "A-law stereo WAV writer: 600 s of audio in {secs:.3} s = {:.0} real-time calls on one thread",
        600.0 / secs
    );
    assert!(full > 5.0 && normal > 100.0);
}
