//! Fuzz the system.conf parser and the ioctl planner: no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trunkline_driver::dahdi::{plan, system_conf};

fuzz_target!(|data: &[u8]| {
    let out = system_conf::parse(data);
    let _ = out.report("fuzz", true);
    let steps = plan::plan(&out.conf, plan::PlanOptions::default());
    let _ = plan::dry_run_lines(&steps);
});
