//! The inbound simulator end to end (short runs in debug builds; long ones are `#[ignore]`).

use trunkline_engine::acd::Strategy;
use trunkline_engine::cli::simulate_inbound::{simulate, Correctness, Mode, SimConfig};

#[test]
fn two_hours_every_strategy_is_correct_and_deterministic() {
    for s in Strategy::ALL {
        let cfg = SimConfig { agents: 30, hours: 2.0, seed: 3, strategy: s, mode: Mode::Scenario };
        let r = simulate(&cfg);
        assert_eq!(r.correctness, Correctness::default(), "{s:?}");
        assert!(r.offered > 400 && r.answered > 300, "{s:?}: {} offered {} answered", r.offered, r.answered);
        let again = simulate(&cfg);
        assert_eq!((again.answered, again.abandoned, again.asa_s), (r.answered, r.abandoned, r.asa_s));
    }
}

#[test]
#[ignore = "long: run with --release -- --ignored"]
fn ten_days_correctness_counters_are_zero() {
    for (n, s) in [(20, Strategy::LongestIdle), (100, Strategy::RingAll), (40, Strategy::Linear)] {
        let r = simulate(&SimConfig { agents: n, hours: 80.0, seed: 11, strategy: s, mode: Mode::Scenario });
        assert_eq!(r.correctness, Correctness::default(), "{n} {s:?}");
    }
}

#[test]
fn erlang_c_short_run_is_close() {
    let mode = Mode::Erlang { patience_s: None, lambda_h: 400.0, aht_s: 180.0 };
    let r = simulate(&SimConfig { agents: 24, hours: 20.0, seed: 1, strategy: Strategy::LongestIdle, mode });
    let c = trunkline_engine::acd::erlang::erlang_c(400.0 / 3600.0, 1.0 / 180.0, 24, 20.0);
    assert!((r.p_wait - c.p_wait).abs() < 0.1, "sim {} calc {}", r.p_wait, c.p_wait);
}
