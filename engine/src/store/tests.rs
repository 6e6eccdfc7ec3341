use super::*;
use crate::model::{AgentState, Cause};

fn cdr(call: u64, campaign: Option<u64>, lead: Option<u64>, start: u64, outcome: Outcome) -> Cdr {
    Cdr {
        call: CallId(call),
        direction: "outbound".into(),
        channel: 3,
        ani: "5550100".into(),
        dnis: "+4930123456".into(),
        campaign: campaign.map(CampaignId),
        lead: lead.map(LeadId),
        queue: None,
        agent: Some(AgentId(7)),
        start_ms: start,
        answer_ms: Some(start + 4000),
        bridged_ms: None,
        end_ms: start + 9000,
        outcome: Some(outcome),
        cause: Cause::NORMAL.0,
        evidence: r#"{"amd":"human","confidence":0.9}"#.into(),
        recording: Some("/var/rec/1.wav".into()),
    }
}

fn lead(phone: &str, priority: i64) -> NewLead {
    NewLead { phone: phone.into(), priority, ..Default::default() }
}

fn campaign(s: &mut Store) -> CampaignId {
    s.create_campaign("spring", "predictive", &serde_json::json!({"ratio": 1.5})).unwrap()
}

#[test]
fn schema_is_at_the_current_version_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.db");
    {
        let s = Store::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
    }
    let s = Store::open(&p).unwrap();
    assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.db");
    {
        let c = Connection::open(&p).unwrap();
        c.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    match Store::open(&p) {
        Err(StoreError::SchemaTooNew { found: 99, .. }) => {}
        other => panic!("expected SchemaTooNew, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn call_ids_are_monotonic_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.db");
    let mut s = Store::open(&p).unwrap();
    assert_eq!(s.next_call_id().unwrap(), CallId(1));
    assert_eq!(s.next_call_id().unwrap(), CallId(2));
    drop(s);
    let mut s = Store::open(&p).unwrap();
    let third = s.next_call_id().unwrap();
    assert!(third > CallId(2), "{third}");
    assert_eq!(s.next_call_id().unwrap(), CallId(third.0 + 1));
}

#[test]
fn cdrs_round_trip_and_filter() {
    let mut s = Store::open_in_memory().unwrap();
    let c = campaign(&mut s);
    let a = cdr(1, Some(c.0), None, 1000, Outcome::Human);
    let mut b = cdr(2, None, None, 2000, Outcome::Busy);
    b.direction = "inbound".into();
    b.agent = None;
    b.answer_ms = None;
    b.outcome = None;
    b.recording = None;
    b.queue = Some(QueueId(4));
    let d = cdr(3, Some(c.0), None, 3000, Outcome::Machine);
    for x in [&a, &b, &d] {
        s.insert_cdr(x).unwrap();
    }
    assert_eq!(s.cdr(CallId(2)).unwrap().as_ref(), Some(&b));
    let all = s.cdrs(&CdrQuery::default()).unwrap();
    assert_eq!(all, vec![d.clone(), b.clone(), a.clone()]);
    let q = CdrQuery { campaign: Some(c.0), ..Default::default() };
    assert_eq!(s.cdrs(&q).unwrap(), vec![d.clone(), a.clone()]);
    let q = CdrQuery { outcome: Some("human".into()), ..Default::default() };
    assert_eq!(s.cdrs(&q).unwrap(), vec![a.clone()]);
    let q = CdrQuery { since_ms: Some(2000), limit: Some(1), ..Default::default() };
    assert_eq!(s.cdrs(&q).unwrap(), vec![d]);
    assert!(matches!(s.insert_cdr(&a), Err(StoreError::DuplicateCall(CallId(1)))));
    assert_eq!(s.cdr_count().unwrap(), 3);
}

#[test]
fn out_of_range_values_are_typed_errors() {
    let mut s = Store::open_in_memory().unwrap();
    let x = cdr(u64::MAX, None, None, 0, Outcome::Human);
    assert!(matches!(s.insert_cdr(&x), Err(StoreError::OutOfRange { field: "call", .. })));
}

#[test]
fn campaigns_are_created_found_and_paused() {
    let mut s = Store::open_in_memory().unwrap();
    let c = campaign(&mut s);
    let got = s.campaign(c).unwrap().unwrap();
    assert_eq!(got.name, "spring");
    assert_eq!(got.settings["ratio"], 1.5);
    assert!(!got.running);
    s.set_campaign_running(c, true).unwrap();
    assert!(s.campaign_by_name("spring").unwrap().unwrap().running);
    assert!(s.campaign(CampaignId(99)).unwrap().is_none());
    assert!(matches!(s.set_campaign_running(CampaignId(99), true), Err(StoreError::NotFound { .. })));
    assert!(s.create_campaign("spring", "power", &serde_json::json!({})).is_err());
    assert_eq!(s.campaigns().unwrap().len(), 1);
}

#[test]
fn due_leads_order_by_priority_then_next_attempt_and_skip_finished() {
    let mut s = Store::open_in_memory().unwrap();
    let c = campaign(&mut s);
    let ids = s
        .add_leads(c, &[lead("100", 0), lead("200", 5), lead("300", 0), lead("400", 5), lead("100", 9)])
        .unwrap();
    assert_eq!(ids[4], None, "duplicate number on the campaign is skipped");
    let id = |k: usize| ids[k].unwrap();
    // 400 retried later, 300 finished.
    s.finish_attempt(
        &cdr(1, Some(c.0), Some(id(3).0), 0, Outcome::Busy),
        LeadUpdate {
            lead: id(3),
            outcome: Outcome::Busy,
            next_attempt_ms: Some(5000),
            abandoned_at_ms: None,
        },
    )
    .unwrap();
    s.finish_attempt(
        &cdr(2, Some(c.0), Some(id(2).0), 0, Outcome::Invalid),
        LeadUpdate { lead: id(2), outcome: Outcome::Invalid, next_attempt_ms: None, abandoned_at_ms: None },
    )
    .unwrap();
    let due: Vec<_> = s.due_leads(c, 1000, 10).unwrap().into_iter().map(|l| l.phone).collect();
    assert_eq!(due, vec!["200", "100"]);
    let due: Vec<_> = s.due_leads(c, 5000, 10).unwrap().into_iter().map(|l| l.phone).collect();
    assert_eq!(due, vec!["200", "400", "100"]);
    assert_eq!(s.due_leads(c, 5000, 1).unwrap().len(), 1);
    let l = s.lead(id(3)).unwrap().unwrap();
    assert_eq!((l.state, l.attempts, l.attempts_today), (LeadState::Retry, 1, 1));
    assert_eq!(l.last_outcome, Some(Outcome::Busy));
    let l = s.lead(id(2)).unwrap().unwrap();
    assert!(l.finished);
    assert_eq!(l.state, LeadState::Done);
    s.reset_attempts_today(c).unwrap();
    assert_eq!(s.lead(id(3)).unwrap().unwrap().attempts_today, 0);
    assert_eq!(s.lead(id(3)).unwrap().unwrap().attempts, 1);
    let snap = s.campaign_snapshot(c).unwrap().unwrap();
    assert_eq!((snap.leads, snap.finished, snap.attempts), (4, 1, 2));
}

#[test]
fn finish_attempt_is_all_or_nothing() {
    let mut s = Store::open_in_memory().unwrap();
    let c = campaign(&mut s);
    let ids = s.add_leads(c, &[lead("100", 0)]).unwrap();
    let l = ids[0].unwrap();
    let up = LeadUpdate {
        lead: l,
        outcome: Outcome::Abandoned,
        next_attempt_ms: Some(10),
        abandoned_at_ms: Some(7),
    };
    // Unknown lead: the CDR is rolled back.
    let bad = LeadUpdate { lead: LeadId(999), ..up };
    assert!(matches!(
        s.finish_attempt(&cdr(1, Some(c.0), Some(999), 0, Outcome::Abandoned), bad),
        Err(StoreError::NotFound { what: "lead", .. })
    ));
    assert_eq!(s.cdr_count().unwrap(), 0);
    s.finish_attempt(&cdr(1, Some(c.0), Some(l.0), 0, Outcome::Abandoned), up).unwrap();
    // The same attempt twice: refused, the lead is not counted twice.
    assert!(matches!(
        s.finish_attempt(&cdr(1, Some(c.0), Some(l.0), 0, Outcome::Abandoned), up),
        Err(StoreError::DuplicateCall(_))
    ));
    let got = s.lead(l).unwrap().unwrap();
    assert_eq!(got.attempts, 1);
    assert_eq!(got.last_abandon_ms, Some(7));
    assert_eq!(s.campaign_snapshot(c).unwrap().unwrap().abandoned, 1);
}

#[test]
fn leads_keep_custom_fields() {
    let mut s = Store::open_in_memory().unwrap();
    let c = campaign(&mut s);
    let mut n = lead("+33123", 2);
    n.name = Some("Zoë".into());
    n.timezone = Some("Europe/Paris".into());
    n.custom.insert("account".into(), "A-17".into());
    let id = s.add_leads(c, &[n]).unwrap()[0].unwrap();
    let l = s.lead(id).unwrap().unwrap();
    assert_eq!(l.name.as_deref(), Some("Zoë"));
    assert_eq!(l.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(l.custom["account"], "A-17");
    assert_eq!(l.state, LeadState::New);
    assert_eq!(s.leads(c).unwrap().len(), 1);
    assert!(matches!(s.add_leads(CampaignId(42), &[]), Err(StoreError::NotFound { .. })));
}

#[test]
fn agent_events_and_recordings() {
    let mut s = Store::open_in_memory().unwrap();
    for (at, st) in [(10, AgentState::Ready), (20, AgentState::Talking), (30, AgentState::WrapUp)] {
        s.agent_event(&AgentEvent {
            agent: AgentId(1),
            at_ms: at,
            state: st,
            reason: None,
            call: Some(CallId(5)),
        })
        .unwrap();
    }
    s.agent_event(&AgentEvent {
        agent: AgentId(2),
        at_ms: 15,
        state: AgentState::Break,
        reason: Some("lunch".into()),
        call: None,
    })
    .unwrap();
    let ev = s.agent_events(AgentId(1), 20).unwrap();
    assert_eq!(ev.iter().map(|e| e.state).collect::<Vec<_>>(), vec![AgentState::Talking, AgentState::WrapUp]);
    assert_eq!(s.agent_events(AgentId(2), 0).unwrap()[0].reason.as_deref(), Some("lunch"));

    let r = Recording {
        call: CallId(5),
        path: "/rec/5.wav".into(),
        duration_ms: 1000,
        format: "alaw".into(),
        channels: 2,
        bytes: 16_058,
    };
    s.add_recording(&r).unwrap();
    // Re-indexing the same path (after a repair) updates it.
    s.add_recording(&Recording { duration_ms: 900, ..r.clone() }).unwrap();
    let got = s.recordings(CallId(5)).unwrap();
    assert_eq!(got, vec![Recording { duration_ms: 900, ..r }]);
    assert!(s.recordings(CallId(6)).unwrap().is_empty());
}
