//! The ACD's features one by one, on small deterministic scenarios with a virtual clock.

use trunkline_engine::acd::{
    Acd, AcdAction, AcdInput, AgentConfig, CallArrival, CallPlace, ExitReason, ExitTarget, ForcedState,
    NoAnswerPolicy, QueueConfig, ReleaseReason, ScreenPop, Strategy, SuperviseMode,
};
use trunkline_engine::model::{AgentId, AgentState, CallId, Ms, QueueId};

const Q1: QueueId = QueueId(1);
const Q2: QueueId = QueueId(2);

fn a(n: u64) -> AgentId {
    AgentId(n)
}
fn c(n: u64) -> CallId {
    CallId(n)
}

struct T {
    acd: Acd,
    now: u64,
}

impl T {
    fn new(queues: Vec<QueueConfig>, agents: &[(u64, Vec<(QueueId, u8)>)]) -> T {
        let mut acd = Acd::new(1, 15 * 60_000);
        for q in queues {
            acd.add_queue(q);
        }
        for (id, skills) in agents {
            acd.add_agent(AgentConfig { id: a(*id), name: format!("a{id}"), skills: skills.clone() });
        }
        T { acd, now: 0 }
    }

    /// Fires timers up to `t`, then applies `input` at `t`.
    fn at(&mut self, t: u64, input: AcdInput) -> Vec<AcdAction> {
        let mut out = self.run_to(t);
        out.extend(self.acd.on_event(input, Ms(t)));
        self.acd.check_invariants().expect("invariants");
        out
    }

    fn run_to(&mut self, t: u64) -> Vec<AcdAction> {
        let mut out = Vec::new();
        while let Some(x) = self.acd.poll_timeout() {
            if x.0 > t {
                break;
            }
            out.extend(self.acd.handle_timeout(x));
            self.acd.check_invariants().expect("invariants");
        }
        self.now = t;
        out
    }

    fn ready(&mut self, t: u64, id: u64) -> Vec<AcdAction> {
        let mut v = self.at(t, AcdInput::Login { agent: a(id), channel: id as u32 });
        v.extend(self.at(t, AcdInput::Ready { agent: a(id) }));
        v
    }

    fn arrive(
        &mut self,
        t: u64,
        call: u64,
        queue: QueueId,
        priority: u8,
        sticky: Option<u64>,
    ) -> Vec<AcdAction> {
        let pop = ScreenPop {
            caller: format!("555{call:04}"),
            ivr_choices: vec!["main:1".into()],
            customer_key: Some(format!("cust-{call}")),
        };
        self.at(
            t,
            AcdInput::Arrive(CallArrival { call: c(call), queue, priority, sticky: sticky.map(a), pop }),
        )
    }

    fn state(&self, id: u64) -> AgentState {
        self.acd.agent(a(id)).expect("agent").state
    }

    /// Answers and immediately ends a call with no wrap-up.
    fn serve(&mut self, t: u64, agent: u64, call: u64) {
        let acts = self.at(t, AcdInput::AgentAnswer { agent: a(agent), call: c(call) });
        assert!(acts.contains(&AcdAction::Bridge { call: c(call), agent: a(agent) }), "{acts:?}");
        self.at(t, AcdInput::CallEnd { call: c(call), wrap_ms: Some(0) });
    }
}

fn offers(acts: &[AcdAction]) -> Vec<(u64, u64)> {
    acts.iter()
        .filter_map(|x| match x {
            AcdAction::Offer { call, agent, .. } => Some((call.0, agent.0)),
            _ => None,
        })
        .collect()
}

fn queue(id: QueueId, s: Strategy) -> QueueConfig {
    let mut q = QueueConfig::new(id, &format!("q{}", id.0), s);
    q.wrap_up_ms = 0;
    q
}

fn three(s: Strategy) -> T {
    T::new(vec![queue(Q1, s)], &[(1, vec![(Q1, 1)]), (2, vec![(Q1, 1)]), (3, vec![(Q1, 1)])])
}

#[test]
fn longest_idle_offers_the_agent_idle_longest_with_screen_pop() {
    let mut t = three(Strategy::LongestIdle);
    t.ready(0, 3);
    t.ready(1_000, 1);
    t.ready(2_000, 2);
    let acts = t.arrive(5_000, 1, Q1, 0, None);
    let offer = acts.iter().find(|x| matches!(x, AcdAction::Offer { .. })).expect("an offer");
    match offer {
        AcdAction::Offer { call, agent, queue, pop } => {
            assert_eq!((*call, *agent, *queue), (c(1), a(3), Q1));
            assert_eq!(pop.caller, "5550001");
            assert_eq!(pop.ivr_choices, vec!["main:1".to_string()]);
            assert_eq!(pop.customer_key.as_deref(), Some("cust-1"));
        }
        _ => unreachable!(),
    }
    assert_eq!(t.state(3), AgentState::Reserved);
}

#[test]
fn fewest_calls_prefers_the_agent_with_fewer_answered_calls() {
    let mut t = three(Strategy::FewestCalls);
    t.ready(0, 1);
    assert_eq!(offers(&t.arrive(1_000, 1, Q1, 0, None)), vec![(1, 1)]);
    t.serve(2_000, 1, 1);
    // Agent 2 logs in later: longest-idle would pick agent 1 (idle since 2 s) over agent 2 (since 50 s).
    t.ready(50_000, 2);
    assert_eq!(offers(&t.arrive(60_000, 2, Q1, 0, None)), vec![(2, 2)]);
}

#[test]
fn least_talk_time_prefers_the_agent_who_talked_least() {
    let mut t = three(Strategy::LeastTalkTime);
    t.ready(0, 1);
    t.ready(0, 2);
    assert_eq!(offers(&t.arrive(1_000, 1, Q1, 0, None)), vec![(1, 1)]);
    t.at(1_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    t.at(301_000, AcdInput::CallEnd { call: c(1), wrap_ms: Some(0) });
    assert_eq!(offers(&t.arrive(302_000, 2, Q1, 0, None)), vec![(2, 2)]);
    t.at(302_000, AcdInput::AgentAnswer { agent: a(2), call: c(2) });
    t.at(312_000, AcdInput::CallEnd { call: c(2), wrap_ms: Some(0) });
    // Both have one call; agent 2 talked 10 s against 300 s.
    assert_eq!(offers(&t.arrive(400_000, 3, Q1, 0, None)), vec![(3, 2)]);
}

#[test]
fn linear_top_down_restarts_from_the_top_and_never_stalls() {
    let mut t = three(Strategy::Linear);
    for id in [3, 2, 1] {
        t.ready(0, id);
    }
    assert_eq!(offers(&t.arrive(1_000, 1, Q1, 0, None)), vec![(1, 1)]);
    assert_eq!(offers(&t.arrive(1_000, 2, Q1, 0, None)), vec![(2, 2)]);
    t.serve(2_000, 1, 1);
    t.serve(2_000, 2, 2);
    assert_eq!(offers(&t.arrive(3_000, 3, Q1, 0, None)), vec![(3, 1)]);
    // Agent 1 lets it ring out (not-ready): the call moves down the list to agent 2.
    let acts = t.run_to(3_000 + 15_000);
    assert!(acts.contains(&AcdAction::CancelOffer { call: c(3), agent: a(1) }), "{acts:?}");
    assert_eq!(offers(&acts), vec![(3, 2)]);
    assert_eq!(t.state(1), AgentState::NotReady);
}

#[test]
fn round_robin_remembers_where_it_left_off() {
    let mut t = three(Strategy::RoundRobin);
    for id in [1, 2, 3] {
        t.ready(0, id);
    }
    let mut order = Vec::new();
    for call in 1..=5 {
        let acts = t.arrive(call * 1_000, call, Q1, 0, None);
        let o = offers(&acts);
        assert_eq!(o.len(), 1);
        order.push(o[0].1);
        t.serve(call * 1_000, o[0].1, call);
    }
    assert_eq!(order, vec![1, 2, 3, 1, 2]);
}

#[test]
fn random_is_deterministic_under_the_seed() {
    let run = || {
        let mut t = three(Strategy::Random);
        for id in [1, 2, 3] {
            t.ready(0, id);
        }
        (1..=20)
            .map(|call| {
                let o = offers(&t.arrive(call * 1_000, call, Q1, 0, None));
                t.serve(call * 1_000, o[0].1, call);
                o[0].1
            })
            .collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run());
    assert!((1..=3).all(|x| first.contains(&x)), "{first:?}");
}

#[test]
fn ring_all_rings_everyone_and_cancels_the_losers() {
    let mut t = three(Strategy::RingAll);
    for id in [1, 2, 3] {
        t.ready(0, id);
    }
    let mut o = offers(&t.arrive(1_000, 1, Q1, 0, None));
    o.sort_unstable();
    assert_eq!(o, vec![(1, 1), (1, 2), (1, 3)]);
    let acts = t.at(3_000, AcdInput::AgentAnswer { agent: a(2), call: c(1) });
    assert!(acts.contains(&AcdAction::CancelOffer { call: c(1), agent: a(1) }));
    assert!(acts.contains(&AcdAction::CancelOffer { call: c(1), agent: a(3) }));
    assert!(acts.contains(&AcdAction::Bridge { call: c(1), agent: a(2) }));
    assert_eq!(
        (t.state(1), t.state(2), t.state(3)),
        (AgentState::Ready, AgentState::Talking, AgentState::Ready)
    );
    // A late answer from a loser is refused, not a second bridge.
    let late = t.at(3_100, AcdInput::AgentAnswer { agent: a(3), call: c(1) });
    assert!(matches!(late.as_slice(), [AcdAction::Refused { .. }]), "{late:?}");
}

#[test]
fn wrap_up_applies_across_all_queues() {
    let mut q1 = queue(Q1, Strategy::LongestIdle);
    q1.wrap_up_ms = 30_000;
    let q2 = queue(Q2, Strategy::LongestIdle);
    let mut t = T::new(vec![q1, q2], &[(1, vec![(Q1, 1), (Q2, 1)])]);
    t.ready(0, 1);
    assert_eq!(offers(&t.arrive(1_000, 1, Q1, 0, None)), vec![(1, 1)]);
    t.at(2_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    t.at(10_000, AcdInput::CallEnd { call: c(1), wrap_ms: None });
    assert_eq!(t.state(1), AgentState::WrapUp);
    // A call in the other queue waits for the end of the wrap-up.
    assert!(offers(&t.arrive(12_000, 2, Q2, 0, None)).is_empty());
    assert!(offers(&t.run_to(39_999)).is_empty());
    assert_eq!(offers(&t.run_to(40_000)), vec![(2, 1)]);
}

#[test]
fn no_answer_penalty_skips_the_agent_for_a_while() {
    let mut q = queue(Q1, Strategy::Linear);
    q.no_answer = NoAnswerPolicy::Penalty(60_000);
    q.ring_timeout_ms = 10_000;
    let mut t = T::new(vec![q], &[(1, vec![(Q1, 1)]), (2, vec![(Q1, 1)])]);
    t.ready(0, 1);
    assert_eq!(offers(&t.arrive(1_000, 1, Q1, 0, None)), vec![(1, 1)]);
    // Agent 1 declines; nobody else is in yet, so the call waits out the penalty.
    let acts = t.at(2_000, AcdInput::AgentDecline { agent: a(1), call: c(1) });
    assert!(offers(&acts).is_empty());
    assert_eq!(t.state(1), AgentState::Ready);
    assert_eq!(t.acd.call_place(c(1)), Some(CallPlace::Waiting));
    assert_eq!(offers(&t.ready(30_000, 2)), vec![(1, 2)]);
    t.at(31_000, AcdInput::AgentAnswer { agent: a(2), call: c(1) });
    assert_eq!(offers(&t.arrive(31_000, 2, Q1, 0, None)), vec![]);
    assert_eq!(offers(&t.run_to(62_000)), vec![(2, 1)]);
    let k = t.acd.kpi_snapshot(Ms(62_000));
    assert_eq!(k.queues[0].totals.no_answers, 1);
    assert_eq!(k.agents[0].no_answers, 1);
}

#[test]
fn vip_callers_are_served_first() {
    let mut t = three(Strategy::LongestIdle);
    t.arrive(0, 1, Q1, 0, None);
    t.arrive(1_000, 2, Q1, 0, None);
    t.arrive(2_000, 3, Q1, 1, None);
    assert_eq!(t.acd.waiting_calls(), vec![c(3), c(1), c(2)]);
    assert_eq!(t.acd.position(c(1)), 2);
    assert_eq!(offers(&t.ready(5_000, 1)), vec![(3, 1)]);
}

#[test]
fn sticky_agent_gets_the_returning_caller_within_the_wait_limit() {
    let mut q = queue(Q1, Strategy::LongestIdle);
    q.sticky_wait_ms = 20_000;
    let mut t = T::new(vec![q], &[(1, vec![(Q1, 1)]), (2, vec![(Q1, 1)])]);
    t.ready(0, 1);
    t.ready(0, 2);
    assert_eq!(offers(&t.arrive(1_000, 1, Q1, 0, None)), vec![(1, 1)]);
    t.at(2_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    // Returning caller for agent 1, who is busy: agent 2 is idle but not offered.
    assert!(offers(&t.arrive(3_000, 2, Q1, 0, Some(1))).is_empty());
    // Agent 1 frees up within the limit and gets the caller.
    assert_eq!(offers(&t.at(10_000, AcdInput::CallEnd { call: c(1), wrap_ms: Some(0) })), vec![(2, 1)]);
    // Another returning caller for agent 1 (busy again): after the limit anyone may answer.
    t.at(11_000, AcdInput::AgentAnswer { agent: a(1), call: c(2) });
    assert!(offers(&t.arrive(12_000, 3, Q1, 0, Some(1))).is_empty());
    assert!(offers(&t.run_to(31_999)).is_empty());
    assert_eq!(offers(&t.run_to(32_000)), vec![(3, 2)]);
}

#[test]
fn skill_levels_expand_with_time() {
    let mut q = queue(Q1, Strategy::LongestIdle);
    q.expansion = vec![(30_000, 2)];
    let mut t = T::new(vec![q], &[(1, vec![(Q1, 2)])]);
    t.ready(0, 1);
    assert!(offers(&t.arrive(1_000, 1, Q1, 0, None)).is_empty());
    assert!(!t.acd.is_eligible(a(1), c(1)));
    assert!(offers(&t.run_to(30_999)).is_empty());
    assert_eq!(offers(&t.run_to(31_000)), vec![(1, 1)]);
}

#[test]
fn overflow_lets_the_other_queues_agents_take_the_call() {
    let mut q1 = queue(Q1, Strategy::LongestIdle);
    q1.overflow = Some((60_000, Q2));
    let q2 = queue(Q2, Strategy::LongestIdle);
    let mut t = T::new(vec![q1, q2], &[(1, vec![(Q2, 1)])]);
    t.ready(0, 1);
    assert!(offers(&t.arrive(1_000, 1, Q1, 0, None)).is_empty());
    let acts = t.run_to(61_000);
    assert!(
        acts.contains(&AcdAction::Offer {
            call: c(1),
            agent: a(1),
            queue: Q2,
            pop: ScreenPop {
                caller: "5550001".into(),
                ivr_choices: vec!["main:1".into()],
                customer_key: Some("cust-1".into())
            }
        }),
        "{acts:?}"
    );
}

#[test]
fn callbacks_keep_the_callers_place_and_are_dialled_at_the_head() {
    let mut q = queue(Q1, Strategy::LongestIdle);
    q.callback_over_ms = Some(120_000);
    q.aht_hint_ms = 300_000;
    let mut t = T::new(vec![q], &[(1, vec![(Q1, 1)])]);
    t.ready(0, 1);
    t.arrive(0, 9, Q1, 0, None);
    t.at(0, AcdInput::AgentAnswer { agent: a(1), call: c(9) });
    // Position 1 behind one busy agent with a 300 s handle time: the estimate exceeds 120 s.
    let acts = t.arrive(1_000, 1, Q1, 0, None);
    assert!(acts.iter().any(
        |x| matches!(x, AcdAction::OfferCallback { call, ewt_ms } if *call == c(1) && *ewt_ms > 120_000)
    ));
    t.at(2_000, AcdInput::AcceptCallback { call: c(1) });
    t.arrive(3_000, 2, Q1, 0, None);
    assert_eq!(t.acd.waiting_calls(), vec![c(1), c(2)], "the callback keeps its place");
    // The agent frees up: the callback (head of the line) is offered, then dialled.
    assert_eq!(offers(&t.at(100_000, AcdInput::CallEnd { call: c(9), wrap_ms: Some(0) })), vec![(1, 1)]);
    let acts = t.at(101_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    assert!(acts.contains(&AcdAction::DialCallback { call: c(1), agent: a(1) }), "{acts:?}");
    t.at(110_000, AcdInput::CallbackResult { call: c(1), answered: true });
    t.at(200_000, AcdInput::CallEnd { call: c(1), wrap_ms: Some(0) });
    let tot = &t.acd.totals()[&Q1];
    assert_eq!((tot.callbacks_offered, tot.callbacks_accepted, tot.callbacks_dialled), (2, 1, 1));
    assert_eq!(tot.callbacks_completed, 1);
    assert_eq!(tot.answered, 1, "the callback is not counted as answered a second time");
}

#[test]
fn max_wait_sends_the_caller_to_the_exit_and_announcements_tell_position() {
    let mut q = queue(Q1, Strategy::LongestIdle);
    q.max_wait_ms = Some(90_000);
    q.announce_every_ms = Some(30_000);
    q.exit = ExitTarget::Ivr("after-hours".into());
    let mut t = T::new(vec![q], &[(1, vec![(Q1, 1)])]);
    t.arrive(0, 1, Q1, 0, None);
    t.arrive(1_000, 2, Q1, 0, None);
    let acts = t.run_to(31_000);
    let ann: Vec<(CallId, usize)> = acts
        .iter()
        .filter_map(|x| match x {
            AcdAction::Announce { call, position, .. } => Some((*call, *position)),
            _ => None,
        })
        .collect();
    assert_eq!(ann, vec![(c(1), 1), (c(2), 2)]);
    let acts = t.run_to(90_000);
    assert!(acts.contains(&AcdAction::Exit {
        call: c(1),
        reason: ExitReason::MaxWait,
        target: ExitTarget::Ivr("after-hours".into())
    }));
    assert_eq!(t.acd.waiting_calls(), vec![c(2)]);
    assert_eq!(t.acd.totals()[&Q1].exited, 1);
}

#[test]
fn join_and_leave_rules_when_nobody_is_logged_in() {
    let mut q1 = queue(Q1, Strategy::LongestIdle);
    q1.join_when_empty = false;
    let mut q2 = queue(Q2, Strategy::LongestIdle);
    q2.leave_when_empty = true;
    let mut t = T::new(vec![q1, q2], &[(1, vec![(Q2, 1)])]);
    let acts = t.arrive(0, 1, Q1, 0, None);
    assert!(matches!(acts.as_slice(), [AcdAction::Exit { reason: ExitReason::NoAgents, .. }]), "{acts:?}");
    t.at(0, AcdInput::Login { agent: a(1), channel: 1 });
    t.arrive(1_000, 2, Q2, 0, None);
    assert_eq!(t.acd.call_place(c(2)), Some(CallPlace::Waiting));
    let acts = t.at(2_000, AcdInput::Logout { agent: a(1) });
    assert!(acts
        .iter()
        .any(|x| matches!(x, AcdAction::Exit { call, reason: ExitReason::NoAgents, .. } if *call == c(2))));
    assert_eq!(t.acd.call_count(), 0);
}

#[test]
fn caller_hanging_up_while_ringing_frees_the_agent_and_counts_once() {
    let mut t = three(Strategy::RingAll);
    t.ready(0, 1);
    t.ready(0, 2);
    t.arrive(1_000, 1, Q1, 0, None);
    let acts = t.at(4_000, AcdInput::CallerHangup { call: c(1) });
    assert!(acts.contains(&AcdAction::CancelOffer { call: c(1), agent: a(1) }));
    assert!(acts.contains(&AcdAction::CancelOffer { call: c(1), agent: a(2) }));
    assert_eq!((t.state(1), t.state(2)), (AgentState::Ready, AgentState::Ready));
    // The agent's answer racing the hang-up is refused.
    let late = t.at(4_001, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    assert!(matches!(late.as_slice(), [AcdAction::Refused { .. }]));
    let tot = &t.acd.totals()[&Q1];
    assert_eq!((tot.offered, tot.answered, tot.abandoned, tot.abandoned_short), (1, 0, 1, 1));
}

#[test]
fn supervisor_monitor_whisper_barge_force_release_and_force_state() {
    let mut t = three(Strategy::LongestIdle);
    t.ready(0, 1);
    t.at(0, AcdInput::Login { agent: a(3), channel: 3 });
    t.arrive(1_000, 1, Q1, 0, None);
    // Not connected yet: refused.
    let r = t.at(1_500, AcdInput::Supervise { supervisor: a(3), call: c(1), mode: SuperviseMode::Monitor });
    assert!(matches!(r.as_slice(), [AcdAction::Refused { .. }]));
    t.at(2_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    for mode in [SuperviseMode::Monitor, SuperviseMode::Whisper, SuperviseMode::Barge] {
        let acts = t.at(3_000, AcdInput::Supervise { supervisor: a(3), call: c(1), mode });
        assert_eq!(acts, vec![AcdAction::Supervise { supervisor: a(3), call: c(1), agent: a(1), mode }]);
    }
    // Forced not-ready during a call applies after it; the call is never dropped by it.
    t.at(4_000, AcdInput::ForceState { agent: a(1), state: ForcedState::NotReady("coaching".into()) });
    assert_eq!(t.state(1), AgentState::Talking);
    let acts = t.at(5_000, AcdInput::ForceRelease { call: c(1) });
    assert!(acts.contains(&AcdAction::Release { call: c(1), reason: ReleaseReason::Forced }));
    assert_eq!(t.state(1), AgentState::NotReady);
    assert_eq!(t.acd.agent(a(1)).expect("agent").reason.as_deref(), Some("coaching"));
    t.at(6_000, AcdInput::ForceState { agent: a(1), state: ForcedState::Ready });
    assert_eq!(t.state(1), AgentState::Ready);
}

#[test]
fn span_alarm_releases_the_agents_call_and_logs_them_out() {
    let mut t = three(Strategy::LongestIdle);
    t.ready(0, 1);
    t.ready(0, 2);
    t.arrive(1_000, 1, Q1, 0, None);
    t.at(2_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    t.arrive(3_000, 2, Q1, 0, None);
    let acts = t.at(4_000, AcdInput::SpanAlarm { calls: vec![c(2)], agents: vec![a(1)] });
    assert!(acts.contains(&AcdAction::Release { call: c(1), reason: ReleaseReason::AgentLost }));
    assert!(acts.contains(&AcdAction::CancelOffer { call: c(2), agent: a(2) }));
    assert_eq!((t.state(1), t.state(2)), (AgentState::LoggedOut, AgentState::Ready));
    assert_eq!(t.acd.call_count(), 0);
}

#[test]
fn breaks_end_by_themselves_and_reason_codes_are_reported() {
    let mut t = three(Strategy::LongestIdle);
    t.ready(0, 1);
    let acts = t.at(1_000, AcdInput::NotReady { agent: a(1), reason: "training".into() });
    assert!(acts.contains(&AcdAction::AgentState {
        agent: a(1),
        state: AgentState::NotReady,
        reason: Some("training".into())
    }));
    t.at(2_000, AcdInput::Ready { agent: a(1) });
    t.at(3_000, AcdInput::Break { agent: a(1), duration_ms: 900_000 });
    assert_eq!(t.state(1), AgentState::Break);
    t.arrive(10_000, 1, Q1, 0, None);
    assert_eq!(offers(&t.run_to(903_000)), vec![(1, 1)]);
}

#[test]
fn kpis_service_level_asa_intervals_and_prometheus() {
    let mut q = queue(Q1, Strategy::LongestIdle);
    q.sl_threshold_ms = 20_000;
    let mut t = T::new(vec![q], &[(1, vec![(Q1, 1)])]);
    t.ready(0, 1);
    // Answered after 10 s (in SL), one abandoned after 60 s, one after 2 s (short), one answered at 40 s.
    t.arrive(0, 1, Q1, 0, None);
    t.at(10_000, AcdInput::AgentAnswer { agent: a(1), call: c(1) });
    t.arrive(20_000, 2, Q1, 0, None);
    t.arrive(21_000, 3, Q1, 0, None);
    t.arrive(22_000, 4, Q1, 0, None);
    t.at(24_000, AcdInput::CallerHangup { call: c(4) });
    t.at(81_000, AcdInput::CallerHangup { call: c(3) });
    t.at(81_000, AcdInput::CallEnd { call: c(1), wrap_ms: Some(0) });
    t.at(81_000, AcdInput::AgentAnswer { agent: a(1), call: c(2) });
    let k = t.acd.kpi_snapshot(Ms(t.now));
    let q = &k.queues[0];
    assert_eq!(
        (q.totals.offered, q.totals.answered, q.totals.abandoned, q.totals.abandoned_short),
        (4, 2, 2, 1)
    );
    assert_eq!(q.totals.answered_in_sl, 1);
    // SL = 1 in threshold / (2 answered + 1 abandoned after 5 s).
    assert!((q.service_level - 1.0 / 3.0).abs() < 1e-9, "{}", q.service_level);
    assert!((q.asa_s - (10.0 + 61.0) / 2.0).abs() < 1e-9, "{}", q.asa_s);
    assert_eq!(t.acd.interval_kpis().iter().map(|i| i.counters.offered).sum::<u64>(), 4);
    let text = k.prometheus();
    assert!(text.contains("trunkline_acd_offered_total{queue=\"q1\"} 4"), "{text}");
    assert!(text.contains("# TYPE trunkline_acd_service_level_ratio gauge"));
    assert!(text.contains("trunkline_acd_agent_calls_total{agent=\"1\"} 2"), "{text}");
}
