//! The engine slice in virtual time: a progressive campaign over PRI to the line simulator, every
//! decision taken from real signalling and real audio, scored against the simulator's truth.

use std::collections::{BTreeMap, HashSet};

use trunkline_engine::slice::{Slice, SliceConfig};

#[test]
fn a_200_number_campaign_matches_the_simulators_truth() {
    let mut s =
        Slice::new(SliceConfig { agents: 20, leads: 200, inbound_per_hour: 30.0, ..SliceConfig::default() })
            .unwrap();
    // Dial until every number had its first attempt, then let the calls up finish.
    while s.core.fresh_leads() > 0 {
        s.run_for(10_000).unwrap();
        assert!(s.now() < 3 * 3_600_000, "200 numbers not dialled in 3 hours");
    }
    let dialled_by = s.now();
    s.core.paused = true;
    s.world.inbound_per_hour = 0.0;
    while s.core.active_calls() > 0 {
        s.run_for(1_000).unwrap();
        assert!(
            s.now() < dialled_by + 600_000,
            "calls still up 10 minutes after the last first attempt: {:?}",
            s.core.calls_snapshot()
        );
    }
    println!("every number dialled by {} s; all calls over at {} s", dialled_by / 1000, s.now() / 1000);
    let r = s.report();
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
    let outbound: Vec<_> = s.cdrs.iter().filter(|c| c.direction == "outbound").collect();
    let numbers: HashSet<&str> = outbound.iter().map(|c| c.dnis.as_str()).collect();
    assert_eq!(numbers.len(), 200, "every number dialled");
    // Every attempt is matched to what the simulator did, and classified as it.
    assert_eq!(r.classified as usize, outbound.len(), "every attempt matched to the truth");
    assert!(r.accuracy >= 0.97, "accuracy {:.4}: {:?}", r.accuracy, r.confusion);
    let classes: BTreeMap<&str, usize> = outbound.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.outcome.map_or("none", |o| o.name())).or_default() += 1;
        m
    });
    for class in ["human", "machine", "busy", "invalid", "fax", "no_answer", "congestion"] {
        assert!(
            classes.contains_key(class) || (class == "human" && classes.contains_key("abandoned")),
            "class {class} seen: {classes:?}"
        );
    }
    assert!(!classes.contains_key("none"), "every attempt has an outcome: {classes:?}");
    assert!(r.stats.bridged > 0 && r.occupancy > 0.0);
    assert_eq!(s.dropped(), 0, "no ring overrun, underrun or dropped event");
}
