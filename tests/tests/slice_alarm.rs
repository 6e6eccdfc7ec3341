//! A span alarm in the middle of a campaign: loss of signal on the trunk span releases every call
//! on it with cause 38, the CDRs say so, the agents come back to a sane state, and dialling
//! resumes when the alarm clears.

use trunkline_driver::sim::Faults;
use trunkline_driver::SpanNo;
use trunkline_engine::linesim::PopulationConfig;
use trunkline_engine::model::{AgentState, Cause, Outcome};
use trunkline_engine::slice::core::SPAN_ALARM_EVIDENCE;
use trunkline_engine::slice::{Slice, SliceConfig};

#[test]
fn loss_of_signal_on_the_trunk_releases_its_calls_with_cause_38() {
    let population = PopulationConfig {
        human: 0.7,
        machine: 0.0,
        busy: 0.0,
        invalid: 0.0,
        fax: 0.0,
        no_answer: 0.3,
        congestion: 0.0,
        country: "cn".into(),
    };
    let mut s = Slice::new(SliceConfig {
        agents: 4,
        leads: 200,
        inbound_per_hour: 0.0,
        population,
        ..SliceConfig::default()
    })
    .unwrap();
    // Until an agent is talking and other calls are up.
    let mut t = 0;
    while !(s.core.agent_states().iter().any(|a| a.2 == AgentState::Talking) && s.core.active_calls() >= 2) {
        s.step().unwrap();
        t += 1;
        assert!(t < 5 * 60 * 50, "no talking agent within 5 minutes");
    }
    let up: Vec<_> = s.core.calls_snapshot();
    let cdrs_before = s.cdrs.len();
    s.board.set_faults(SpanNo(1), Faults { los: true, ..Faults::default() }).unwrap();
    // RED is raised after 2.5 s of LOS.
    s.run_for(4_000).unwrap();
    assert_eq!(s.core.active_calls(), 0, "every call released: {:?}", s.core.calls_snapshot());
    for c in &up {
        let cdr = s.cdrs[cdrs_before..]
            .iter()
            .find(|d| d.call == c.call)
            .expect("a CDR for every call that was up");
        assert_eq!(cdr.cause, Cause::NETWORK_OUT_OF_ORDER.0, "{cdr:?}");
        assert!(cdr.evidence.contains(SPAN_ALARM_EVIDENCE), "{cdr:?}");
        if cdr.bridged_ms.is_none() {
            assert_eq!(
                cdr.outcome,
                Some(Outcome::Failed),
                "an unbridged attempt says nothing about the number"
            );
        }
    }
    assert_eq!(s.core.stats.alarm_released as usize, up.len());
    for a in s.core.agent_states() {
        assert!(
            matches!(a.2, AgentState::WrapUp | AgentState::Ready | AgentState::NotReady),
            "{} is {:?} with no call",
            a.1,
            a.2
        );
    }
    assert!(s.core.agents_snapshot().iter().all(|a| a.call.is_none()));
    // Nothing is dialled while the span is down.
    let attempts = s.core.stats.attempts;
    s.run_for(5_000).unwrap();
    assert_eq!(s.core.stats.attempts, attempts);
    // The alarm clears (10 s clean), layer 2 comes back, dialling and talking resume.
    s.board.set_faults(SpanNo(1), Faults::default()).unwrap();
    let cleared_at = s.now();
    while !s.core.agent_states().iter().any(|a| a.2 == AgentState::Talking) {
        s.step().unwrap();
        assert!(s.now() < cleared_at + 120_000, "no call bridged within 2 minutes of the alarm clearing");
    }
    assert!(s.core.stats.attempts > attempts);
}
