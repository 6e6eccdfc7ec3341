//! Property tests: any interleaving of caller hang-ups, agent state changes, ring timeouts, span
//! alarms and supervisor actions leaves no agent stuck and every call in exactly one place.

use proptest::prelude::*;
use trunkline_engine::acd::{
    Acd, AcdAction, AcdInput, AgentConfig, CallArrival, ForcedState, NoAnswerPolicy, QueueConfig, ScreenPop,
    Strategy as AcdStrategy, SuperviseMode,
};
use trunkline_engine::model::{AgentId, AgentState, CallId, Ms, QueueId};

const AGENTS: u64 = 5;
const CALLS: u64 = 8;

fn acd(strategy: AcdStrategy, penalty: bool) -> Acd {
    let mut acd = Acd::new(7, 15 * 60_000);
    for q in 1..=2u64 {
        let mut c = QueueConfig::new(QueueId(q), &format!("q{q}"), strategy);
        c.expansion = vec![(10_000, 2)];
        c.overflow = Some((20_000, QueueId(3 - q)));
        c.callback_over_ms = Some(1);
        c.announce_every_ms = Some(7_000);
        c.max_wait_ms = Some(120_000);
        c.leave_when_empty = q == 2;
        c.join_when_empty = q == 1;
        if penalty {
            c.no_answer = NoAnswerPolicy::Penalty(5_000);
        }
        acd.add_queue(c);
    }
    for a in 1..=AGENTS {
        let skills = match a % 3 {
            0 => vec![(QueueId(1), 1)],
            1 => vec![(QueueId(2), 1)],
            _ => vec![(QueueId(1), 1), (QueueId(2), 2)],
        };
        acd.add_agent(AgentConfig { id: AgentId(a), name: format!("a{a}"), skills });
    }
    acd
}

fn input() -> impl Strategy<Value = (u64, AcdInput)> {
    let agent = (1..=AGENTS).prop_map(AgentId);
    let call = (1..=CALLS).prop_map(CallId);
    let dt = 0u64..20_000;
    let inp = prop_oneof![
        (agent.clone(), 1u32..9).prop_map(|(agent, channel)| AcdInput::Login { agent, channel }),
        agent.clone().prop_map(|agent| AcdInput::Logout { agent }),
        agent.clone().prop_map(|agent| AcdInput::Ready { agent }),
        agent.clone().prop_map(|agent| AcdInput::Ready { agent }),
        agent.clone().prop_map(|agent| AcdInput::NotReady { agent, reason: "lunch".into() }),
        (agent.clone(), 1u64..60_000).prop_map(|(agent, duration_ms)| AcdInput::Break { agent, duration_ms }),
        (call.clone(), 1u64..=2, 0u8..2, proptest::option::of(1..=AGENTS)).prop_map(
            |(call, q, priority, s)| {
                AcdInput::Arrive(CallArrival {
                    call,
                    queue: QueueId(q),
                    priority,
                    sticky: s.map(AgentId),
                    pop: ScreenPop { caller: "5551234".into(), ..ScreenPop::default() },
                })
            }
        ),
        call.clone().prop_map(|call| AcdInput::CallerHangup { call }),
        call.clone().prop_map(|call| AcdInput::AcceptCallback { call }),
        (call.clone(), any::<bool>())
            .prop_map(|(call, answered)| AcdInput::CallbackResult { call, answered }),
        (agent.clone(), call.clone()).prop_map(|(agent, call)| AcdInput::AgentAnswer { agent, call }),
        (agent.clone(), call.clone()).prop_map(|(agent, call)| AcdInput::AgentDecline { agent, call }),
        (call.clone(), proptest::option::of(0u64..40_000))
            .prop_map(|(call, wrap_ms)| AcdInput::CallEnd { call, wrap_ms }),
        (agent.clone(), call.clone()).prop_map(|(supervisor, call)| AcdInput::Supervise {
            supervisor,
            call,
            mode: SuperviseMode::Barge
        }),
        call.clone().prop_map(|call| AcdInput::ForceRelease { call }),
        agent.clone().prop_map(|agent| AcdInput::ForceState { agent, state: ForcedState::LoggedOut }),
        agent.clone().prop_map(|agent| AcdInput::ForceState { agent, state: ForcedState::Ready }),
        (proptest::collection::vec(call.clone(), 0..3), proptest::collection::vec(agent, 0..2))
            .prop_map(|(calls, agents)| AcdInput::SpanAlarm { calls, agents }),
    ];
    (dt, inp)
}

/// Answers every offer it sees so that the "smart" interleavings also reach talking states.
fn run(strategy: AcdStrategy, penalty: bool, steps: Vec<(u64, AcdInput)>) -> Result<(), TestCaseError> {
    let mut acd = acd(strategy, penalty);
    let mut now = 0u64;
    let mut answered: std::collections::BTreeMap<CallId, u32> = Default::default();
    for (dt, inp) in steps {
        now += dt;
        // Fire timers that fall before this input, as a runtime would.
        while let Some(t) = acd.poll_timeout() {
            if t.0 > now {
                break;
            }
            let acts = acd.handle_timeout(t);
            check(&acd, &acts, &mut answered)?;
            if acts.is_empty() && acd.poll_timeout() == Some(t) {
                return Err(TestCaseError::fail(format!("timer at {t:?} fires without progress")));
            }
        }
        let acts = acd.on_event(inp, Ms(now));
        check(&acd, &acts, &mut answered)?;
    }
    // Drain: everyone hangs up; no agent may stay reserved or talking.
    let calls: Vec<CallId> = (1..=CALLS).map(CallId).collect();
    for c in calls {
        if acd.call_place(c).is_some() {
            let acts = acd.on_event(AcdInput::CallerHangup { call: c }, Ms(now));
            check(&acd, &acts, &mut answered)?;
        }
    }
    prop_assert_eq!(acd.call_count(), 0);
    for a in acd.agents() {
        prop_assert!(
            !matches!(a.state, AgentState::Reserved | AgentState::Talking),
            "agent {} stuck in {:?}",
            a.agent,
            a.state
        );
    }
    Ok(())
}

fn check(
    acd: &Acd,
    acts: &[AcdAction],
    answered: &mut std::collections::BTreeMap<CallId, u32>,
) -> Result<(), TestCaseError> {
    if let Err(e) = acd.check_invariants() {
        return Err(TestCaseError::fail(e));
    }
    for a in acts {
        if let AcdAction::Bridge { call, .. } = a {
            *answered.entry(*call).or_default() += 1;
        }
    }
    // A call id may be reused after it ends, so only check it is never bridged while connected.
    for a in acd.agents() {
        if a.state == AgentState::Reserved || a.state == AgentState::Talking {
            prop_assert!(a.call.is_some());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_keeps_invariants(
        s in 0usize..7,
        penalty in any::<bool>(),
        steps in proptest::collection::vec(input(), 1..120),
    ) {
        run(AcdStrategy::ALL[s], penalty, steps)?;
    }
}
