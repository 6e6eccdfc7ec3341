//! The shared board suite's functional checks on the **real** DAHDI kernel, through exactly the
//! backend code the tests run on the fake kernel (`DahdiBoard<LinuxSys>`). Meant for the
//! throw-away VM of `../shared/dahdi/vm/` (issue 11): four `loc` dynamic spans in two
//! back-to-back pairs, configured by [`SYSTEM_CONF`] (`dahdi_vm_suite --print-conf`).
//!
//! Alarms and local loopback cannot be provoked on dynamic spans, so those two checks are not
//! run. Prints one `PASS`/`FAIL` line per check; the exit status is the number of failures.
//! Not run by `cargo test` (there is no DAHDI kernel on CI machines).

#[path = "../tests/common/mod.rs"]
mod common;

use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
use trunkline_driver::dahdi::sys::LinuxSys;
use trunkline_driver::SpanNo;

/// The VM's `system.conf`: spans 1↔2 PRI-like (bearers + `dchan` on TS16), 3↔4 MFC/R2-like
/// (`cas`, TS16 unconfigured). No `span=` lines: dynamic spans ignore them (vm/README gotcha 3).
pub const SYSTEM_CONF: &str = "\
dynamic=loc,1:0,31,0
dynamic=loc,1:1,31,0
dynamic=loc,2:0,31,0
dynamic=loc,2:1,31,0
bchan=1-15,17-31
dchan=16
bchan=32-46,48-62
dchan=47
cas=63-77:1101
cas=79-93:1101
cas=94-108:1101
cas=110-124:1101
";

struct Vm;

impl common::Harness for Vm {
    type B = DahdiBoard<LinuxSys>;
    fn make(&self) -> Self::B {
        match DahdiBoard::new(LinuxSys::new(), DahdiConfig::default()) {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        }
    }
    fn cut_line(&self, _b: &mut Self::B, span: SpanNo, _cut: bool) {
        panic!("span {span}: line faults cannot be injected on dynamic spans");
    }
    fn alarm_ticks(&self) -> (usize, usize) {
        (0, 0)
    }
}

type Check = fn(&Vm);

fn main() {
    if std::env::args().any(|a| a == "--print-conf") {
        print!("{SYSTEM_CONF}");
        return;
    }
    let checks: [(&str, Check); 4] = [
        ("open_rules", common::open_rules::<Vm>),
        ("audio_arrives_in_order", common::audio_arrives_in_order::<Vm>),
        ("cas_propagates", common::cas_propagates::<Vm>),
        ("hdlc_frames_cross_with_fcs", common::hdlc_frames_cross_with_fcs::<Vm>),
    ];
    let mut failed = 0;
    for (name, check) in checks {
        match std::panic::catch_unwind(|| check(&Vm)) {
            Ok(()) => println!("PASS {name}"),
            Err(_) => {
                println!("FAIL {name}");
                failed += 1;
            }
        }
    }
    std::process::exit(failed);
}
