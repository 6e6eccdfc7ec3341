//! Fuzz the `/proc/dahdi/N` parser: no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trunkline_driver::dahdi::proc::ProcSpan;

fuzz_target!(|data: &[u8]| {
    let _ = ProcSpan::parse(&String::from_utf8_lossy(data));
});
