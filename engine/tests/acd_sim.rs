//! The inbound simulator end to end (short runs in debug builds; long ones are `#[ignore]`d and
//! reproduced by `trunkctl simulate inbound`).

use trunkline_engine::acd::Strategy;
use trunkline_engine::cli::simulate_inbound::{
    asa_tolerance, erlang_validation, simulate, Correctness, Mode, SimConfig, TOL_P,
};

#[test]
fn two_hours_every_strategy_is_correct_and_deterministic() {
    for s in Strategy::ALL {
        let cfg = SimConfig { agents: 30, hours: 2.0, seed: 3, strategy: s, mode: Mode::Scenario };
        let r = simulate(&cfg);
        assert_eq!(r.correctness, Correctness::default(), "{s:?}");
        assert!(r.offered > 400 && r.answered > 300, "{s:?}: {} offered {} answered", r.offered, r.answered);
        assert!(r.sl20 > 0.0 && r.sl20 <= 1.0 && r.occupancy > 0.3 && r.occupancy < 1.0, "{r:?}");
        assert!(r.callbacks > 0 || r.asa_s < 60.0, "callbacks offered when the wait is long: {r:?}");
        let again = simulate(&cfg);
        assert_eq!((again.answered, again.abandoned, again.asa_s), (r.answered, r.abandoned, r.asa_s));
    }
}

#[test]
fn scenario_features_show_in_the_figures() {
    let r = simulate(&SimConfig {
        agents: 24,
        hours: 3.0,
        seed: 5,
        strategy: Strategy::LongestIdle,
        mode: Mode::Scenario,
    });
    assert_eq!(r.correctness, Correctness::default());
    // VIPs are served first, returning callers often reach their agent, ring-all-free strategies make
    // about one offer per answer (2 % no-answer re-offers).
    assert!(r.asa_vip_s[0] < r.asa_vip_s[1], "VIP ASA {} vs {}", r.asa_vip_s[0], r.asa_vip_s[1]);
    assert!(r.sticky_hit > 0.05, "sticky hit rate {}", r.sticky_hit);
    assert!(r.offers_per_answer > 1.0 && r.offers_per_answer < 1.2, "{}", r.offers_per_answer);
    let ring_all = simulate(&SimConfig {
        agents: 24,
        hours: 3.0,
        seed: 5,
        strategy: Strategy::RingAll,
        mode: Mode::Scenario,
    });
    assert!(ring_all.offers_per_answer >= r.offers_per_answer);
}

#[test]
fn erlang_a_short_run_agrees() {
    // Erlang A converges fast; one 40-hour run at N = 24 is within the stated tolerance.
    let mode = Mode::Erlang { patience_s: Some(180.0), lambda_h: 400.0, aht_s: 180.0 };
    let r = simulate(&SimConfig { agents: 24, hours: 40.0, seed: 2, strategy: Strategy::LongestIdle, mode });
    let a = trunkline_engine::acd::erlang::erlang_a(400.0 / 3600.0, 1.0 / 180.0, 1.0 / 180.0, 24, 20.0);
    assert_eq!(r.correctness, Correctness::default());
    assert!((r.p_wait - a.p_wait).abs() <= TOL_P, "P(wait) sim {} calc {}", r.p_wait, a.p_wait);
    assert!(
        (r.abandon_pct - a.p_abandon).abs() <= TOL_P,
        "abandon sim {} calc {}",
        r.abandon_pct,
        a.p_abandon
    );
    assert!(
        (r.answered_in_20_frac - a.service_level).abs() <= TOL_P,
        "SL sim {} calc {}",
        r.answered_in_20_frac,
        a.service_level
    );
    assert!(
        (r.asa_s - a.asa_s).abs() <= asa_tolerance(180.0, a.asa_s),
        "ASA sim {} calc {}",
        r.asa_s,
        a.asa_s
    );
}

#[test]
#[ignore = "long: cargo test --release -p trunkline-engine --test acd_sim -- --ignored"]
fn erlang_c_and_a_validation_table() {
    let rows = erlang_validation(11, 3, 400.0);
    for r in &rows {
        assert!(r.ok, "{r:?}");
    }
}

#[test]
#[ignore = "long: cargo test --release -p trunkline-engine --test acd_sim -- --ignored"]
fn ten_days_correctness_counters_are_zero() {
    for n in [20, 100] {
        for s in Strategy::ALL {
            let r =
                simulate(&SimConfig { agents: n, hours: 80.0, seed: 11, strategy: s, mode: Mode::Scenario });
            assert_eq!(r.correctness, Correctness::default(), "{n} {s:?}");
        }
    }
}
