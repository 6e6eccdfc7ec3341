//! Property tests: any interleaving of caller hang-ups, agent state changes, ring timeouts, span
//! alarms and supervisor actions leaves no agent stuck and every call in exactly one place.
//!
//! A reactive driver plays the pipeline: it answers, declines or lets ring out the offers the ACD
//! makes, ends connected calls, and mixes in arbitrary (often invalid) inputs. After every input
//! and every timer it checks [`Acd::check_invariants`] (every call in exactly one place, agent and
//! call agree, no caller waits while an eligible agent is ready, every call counted exactly once)
//! and, independently, the action stream the pipeline sees:
//! - an agent only goes Reserved from Ready (no offer during wrap-up from any queue, talk, break,
//!   not-ready, or a second offer while ringing);
//! - the legs the pipeline was told to ring and not told to cancel are exactly the ACD's reserved
//!   agents (no zombie ring-all legs, no agent stuck reserved);
//! - a call is bridged at most once in its life;
//! - the agent states announced on the event stream are the ACD's states.

use std::collections::{BTreeMap, BTreeSet};

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
        c.ring_timeout_ms = 12_000;
        c.wrap_up_ms = 8_000 * q;
        c.expansion = vec![(10_000, 2)];
        c.overflow = Some((20_000, QueueId(3 - q)));
        c.callback_over_ms = Some(1);
        c.announce_every_ms = Some(7_000);
        c.max_wait_ms = Some(120_000);
        c.sticky_wait_ms = 15_000;
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

/// One step of the driver.
#[derive(Clone, Debug)]
enum Op {
    /// Any input, valid or not.
    Raw(AcdInput),
    /// The n-th currently ringing agent answers.
    Answer(usize),
    /// The n-th currently ringing agent declines.
    Decline(usize),
    /// The n-th connected call ends, with an optional wrap-up override.
    End(usize, Option<u64>),
    /// The caller of the n-th call the ACD holds hangs up.
    HangUpLive(usize),
    /// A supervisor joins the n-th connected call.
    Supervise(u64, usize, SuperviseMode),
}

fn arrive() -> impl Strategy<Value = AcdInput> {
    (1..=CALLS, 1u64..=3, 0u8..2, proptest::option::of(1..=AGENTS)).prop_map(|(call, q, priority, s)| {
        AcdInput::Arrive(CallArrival {
            call: CallId(call),
            queue: QueueId(q),
            priority,
            sticky: s.map(AgentId),
            pop: ScreenPop { caller: "5551234".into(), ..ScreenPop::default() },
        })
    })
}

fn raw() -> impl Strategy<Value = AcdInput> {
    let agent = (1..=AGENTS).prop_map(AgentId);
    let call = (1..=CALLS).prop_map(CallId);
    prop_oneof![
        (agent.clone(), 1u32..9).prop_map(|(agent, channel)| AcdInput::Login { agent, channel }),
        agent.clone().prop_map(|agent| AcdInput::Logout { agent }),
        agent.clone().prop_map(|agent| AcdInput::Ready { agent }),
        agent.clone().prop_map(|agent| AcdInput::NotReady { agent, reason: "lunch".into() }),
        (agent.clone(), 1u64..60_000).prop_map(|(agent, duration_ms)| AcdInput::Break { agent, duration_ms }),
        arrive(),
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
        agent.clone().prop_map(|agent| AcdInput::ForceState {
            agent,
            state: ForcedState::NotReady("coaching".into())
        }),
        (proptest::collection::vec(call, 0..3), proptest::collection::vec(agent, 0..2))
            .prop_map(|(calls, agents)| AcdInput::SpanAlarm { calls, agents }),
    ]
}

fn op() -> impl Strategy<Value = (u64, Op)> {
    let mode =
        prop_oneof![Just(SuperviseMode::Monitor), Just(SuperviseMode::Whisper), Just(SuperviseMode::Barge)];
    let op = prop_oneof![
        6 => raw().prop_map(Op::Raw),
        3 => arrive().prop_map(Op::Raw),
        3 => any::<usize>().prop_map(Op::Answer),
        1 => any::<usize>().prop_map(Op::Decline),
        2 => (any::<usize>(), proptest::option::of(0u64..20_000)).prop_map(|(i, w)| Op::End(i, w)),
        1 => any::<usize>().prop_map(Op::HangUpLive),
        1 => (1..=AGENTS, any::<usize>(), mode).prop_map(|(s, i, m)| Op::Supervise(s, i, m)),
    ];
    (prop_oneof![3 => 0u64..3_000, 1 => 3_000u64..30_000], op)
}

/// What the pipeline has been told, checked against the ACD after every batch of actions.
#[derive(Default)]
struct Pipeline {
    /// Agent states as announced on the event stream.
    states: BTreeMap<AgentId, AgentState>,
    /// Legs ringing: offered and neither cancelled nor answered.
    ringing: BTreeSet<(CallId, AgentId)>,
    /// Calls bridged (or dialled back) during their current life in the ACD.
    bridged: BTreeSet<CallId>,
    /// How many offers, bridges and agent-state changes were seen (coverage).
    seen: [u64; 3],
}

impl Pipeline {
    fn apply(&mut self, acd: &Acd, acts: &[AcdAction]) -> Result<(), TestCaseError> {
        for a in acts {
            match a {
                AcdAction::AgentState { agent, state, .. } => {
                    let before = self.states.get(agent).copied().unwrap_or(AgentState::LoggedOut);
                    if *state == AgentState::Reserved {
                        prop_assert_eq!(
                            before,
                            AgentState::Ready,
                            "agent {} reserved from {:?}",
                            agent,
                            before
                        );
                    }
                    self.states.insert(*agent, *state);
                    self.seen[2] += 1;
                }
                AcdAction::Offer { call, agent, .. } => {
                    prop_assert_eq!(
                        self.states.get(agent),
                        Some(&AgentState::Reserved),
                        "offer without reserve"
                    );
                    prop_assert!(
                        self.ringing.insert((*call, *agent)),
                        "double offer of {} to {}",
                        call,
                        agent
                    );
                    self.seen[0] += 1;
                }
                AcdAction::CancelOffer { call, agent } => {
                    prop_assert!(self.ringing.remove(&(*call, *agent)), "cancel of a leg not ringing");
                }
                AcdAction::Bridge { call, agent } | AcdAction::DialCallback { call, agent } => {
                    prop_assert!(self.ringing.remove(&(*call, *agent)), "bridge of a leg not ringing");
                    prop_assert!(self.bridged.insert(*call), "call {} bridged twice", call);
                    prop_assert!(
                        !self.ringing.iter().any(|(c, _)| c == call),
                        "zombie ring-all leg left for {}",
                        call
                    );
                    self.seen[1] += 1;
                }
                AcdAction::Supervise { supervisor, call, agent, .. } => {
                    prop_assert!(supervisor != agent);
                    prop_assert_eq!(
                        acd.call_place(*call),
                        Some(trunkline_engine::acd::CallPlace::Connected(*agent))
                    );
                }
                _ => {}
            }
        }
        if let Err(e) = acd.check_invariants() {
            return Err(TestCaseError::fail(e));
        }
        let mut reserved = BTreeSet::new();
        for v in acd.agents() {
            let told = self.states.get(&v.agent).copied().unwrap_or(AgentState::LoggedOut);
            prop_assert_eq!(told, v.state, "event stream disagrees for agent {}", v.agent);
            if v.state == AgentState::Reserved {
                reserved.insert((v.call.expect("reserved agents name their call"), v.agent));
            }
        }
        prop_assert_eq!(&self.ringing, &reserved, "ringing legs differ from reserved agents");
        self.bridged.retain(|c| acd.call_place(*c).is_some());
        Ok(())
    }
}

fn to_input(acd: &Acd, op: Op) -> Option<AcdInput> {
    let agents = acd.agents();
    let pick = |st: AgentState, i: usize| -> Option<(AgentId, CallId)> {
        let v: Vec<_> = agents.iter().filter(|a| a.state == st).collect();
        v.get(i % v.len().max(1)).and_then(|a| a.call.map(|c| (a.agent, c)))
    };
    match op {
        Op::Raw(i) => Some(i),
        Op::Answer(i) => {
            pick(AgentState::Reserved, i).map(|(agent, call)| AcdInput::AgentAnswer { agent, call })
        }
        Op::Decline(i) => {
            pick(AgentState::Reserved, i).map(|(agent, call)| AcdInput::AgentDecline { agent, call })
        }
        Op::End(i, wrap_ms) => {
            pick(AgentState::Talking, i).map(|(_, call)| AcdInput::CallEnd { call, wrap_ms })
        }
        Op::Supervise(s, i, mode) => pick(AgentState::Talking, i).map(|(_, call)| AcdInput::Supervise {
            supervisor: AgentId(s),
            call,
            mode,
        }),
        Op::HangUpLive(i) => {
            let live: Vec<CallId> =
                (1..=CALLS).map(CallId).filter(|c| acd.call_place(*c).is_some()).collect();
            live.get(i % live.len().max(1)).map(|call| AcdInput::CallerHangup { call: *call })
        }
    }
}

/// Fires every timer due up to `now`, checking after each.
fn fire(acd: &mut Acd, p: &mut Pipeline, now: u64) -> Result<(), TestCaseError> {
    while let Some(t) = acd.poll_timeout() {
        if t.0 > now {
            break;
        }
        let acts = acd.handle_timeout(t);
        p.apply(acd, &acts)?;
        if acts.is_empty() && acd.poll_timeout() == Some(t) {
            return Err(TestCaseError::fail(format!("timer at {t:?} fires without progress")));
        }
    }
    Ok(())
}

fn run(
    strategy: AcdStrategy,
    penalty: bool,
    logins: u64,
    steps: Vec<(u64, Op)>,
) -> Result<Pipeline, TestCaseError> {
    let mut acd = acd(strategy, penalty);
    let mut p = Pipeline::default();
    let mut now = 0u64;
    // Some agents start logged in and ready so that offers happen early.
    for a in (1..=AGENTS).filter(|a| logins & (1 << a) != 0) {
        let acts = acd.on_event(AcdInput::Login { agent: AgentId(a), channel: a as u32 }, Ms(0));
        p.apply(&acd, &acts)?;
        let acts = acd.on_event(AcdInput::Ready { agent: AgentId(a) }, Ms(0));
        p.apply(&acd, &acts)?;
    }
    for (dt, op) in steps {
        now += dt;
        fire(&mut acd, &mut p, now)?;
        if let Some(inp) = to_input(&acd, op) {
            let acts = acd.on_event(inp, Ms(now));
            p.apply(&acd, &acts)?;
        }
    }
    // Drain: every caller hangs up, then time runs on; nobody may stay reserved, talking, in
    // wrap-up or on a break, and the pipeline must hold no ringing leg.
    for c in (1..=CALLS).map(CallId) {
        if acd.call_place(c).is_some() {
            let acts = acd.on_event(AcdInput::CallerHangup { call: c }, Ms(now));
            p.apply(&acd, &acts)?;
        }
    }
    prop_assert_eq!(acd.call_count(), 0);
    now += 3_600_000;
    fire(&mut acd, &mut p, now)?;
    for a in acd.agents() {
        prop_assert!(
            matches!(a.state, AgentState::LoggedOut | AgentState::NotReady | AgentState::Ready),
            "agent {} stuck in {:?}",
            a.agent,
            a.state
        );
    }
    prop_assert!(p.ringing.is_empty());
    // Interval buckets add up to the totals.
    let mut sums: BTreeMap<QueueId, (u64, u64, u64, u64)> = BTreeMap::new();
    for i in acd.interval_kpis() {
        let e = sums.entry(i.queue).or_default();
        e.0 += i.counters.offered;
        e.1 += i.counters.answered;
        e.2 += i.counters.abandoned;
        e.3 += i.counters.exited;
    }
    for (q, t) in acd.totals() {
        let s = sums.get(&q).copied().unwrap_or_default();
        prop_assert_eq!(s, (t.offered, t.answered, t.abandoned, t.exited), "intervals of queue {}", q);
        prop_assert_eq!(t.offered, t.left_queue(), "queue {} lost or double-counted a call", q);
    }
    Ok(p)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_keeps_invariants(
        s in 0usize..7,
        penalty in any::<bool>(),
        logins in any::<u64>(),
        steps in proptest::collection::vec(op(), 1..150),
    ) {
        run(AcdStrategy::ALL[s], penalty, logins, steps)?;
    }
}

/// The driver really reaches offers, bridges and state changes (so the properties are not vacuous).
#[test]
fn driver_reaches_offers_and_bridges() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let mut seen = [0u64; 3];
    for i in 0..40 {
        let steps = proptest::collection::vec(op(), 100..150).new_tree(&mut runner).expect("tree").current();
        let p = run(AcdStrategy::ALL[i % 7], i % 2 == 0, u64::MAX, steps).expect("properties hold");
        for k in 0..3 {
            seen[k] += p.seen[k];
        }
    }
    assert!(seen[0] > 300 && seen[1] > 100 && seen[2] > 1000, "coverage too low: {seen:?}");
}
