//! The demo engine as the daemon runs it: events stream out, commands work, drain stops it.

use std::time::Duration;

use trunkline_engine::model::EngineEvent;
use trunkline_engine::runtime::{ApiCommand, CdrQuery};

#[test]
fn demo_runs_streams_events_and_drains() {
    let dir = tempfile::tempdir().unwrap();
    let rt = trunkline_engine::engine_main::build(
        "[demo]\nagents = 3\nleads = 40\ninbound_per_hour = 0\n",
        None,
        dir.path(),
        0.0,
    )
    .unwrap();
    let view = rt.view();
    let events = view.subscribe();
    // Wait for the first finished call (virtual time runs far faster than real time).
    let mut ended = 0;
    while ended == 0 {
        if let EngineEvent::CallEnded { .. } =
            events.recv_timeout(Duration::from_secs(60)).expect("events keep coming")
        {
            ended += 1;
        }
    }
    // Commands: pause the campaign; an unknown agent is refused with a reason.
    let r = view.command(ApiCommand::CampaignRun { campaign: 1, run: false }).unwrap();
    assert_eq!(r["running"], false);
    let e = view.command(ApiCommand::AgentReady { agent: 99, ready: false, reason: None }).unwrap_err();
    assert!(e.contains("no agent 99"), "{e}");
    let mut rt = rt;
    rt.drain();
    rt.join().unwrap();
    let st = view.status();
    assert!(st.draining);
    assert_eq!(st.calls, 0);
    assert_eq!(view.calls().len(), 0);
    let cdrs = view.cdrs(&CdrQuery::default()).unwrap();
    assert!(!cdrs.is_empty());
    assert!(cdrs.iter().all(|c| c.end_ms >= c.start_ms));
    assert_eq!(view.spans().len(), 4);
    assert!(view.spans().iter().all(|s| s.alarms == "OK"), "{:?}", view.spans());
}
