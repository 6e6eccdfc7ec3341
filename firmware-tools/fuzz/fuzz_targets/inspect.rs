#![no_main]
//! Format detection and inspection of arbitrary files under arbitrary names, plus raw-name parsing.
use libfuzzer_sys::fuzz_target;
use trunkline_firmware::{image, raw};

fuzz_target!(|data: &[u8]| {
    let split = data.first().map(|&n| usize::from(n) % 40).unwrap_or(0).min(data.len());
    let (name, body) = data.split_at(split);
    let name = String::from_utf8_lossy(name);
    let _ = raw::parse_name(&name);
    if let Ok(r) = image::inspect(&name, body) {
        let _ = image::verify(&r, Some("1.2.3"), Some("te820"));
    }
});
