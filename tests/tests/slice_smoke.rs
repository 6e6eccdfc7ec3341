//! The engine slice in virtual time: a progressive campaign over PRI to the line simulator.

use trunkline_engine::slice::{Slice, SliceConfig};

#[test]
fn five_minutes_of_progressive_dialling() {
    let mut s =
        Slice::new(SliceConfig { agents: 5, leads: 200, inbound_per_hour: 30.0, ..SliceConfig::default() })
            .unwrap();
    s.run_for(5 * 60_000).unwrap();
    let r = s.report();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
    assert!(r.stats.attempts > 10, "{:?}", r.stats);
}
