#![no_main]
//! DIGIUM parser: every variant, never panics; a valid parse rebuilds to the same bytes.
use libfuzzer_sys::fuzz_target;
use trunkline_firmware::digium::{self, Repr, Variant};

fuzz_target!(|data: &[u8]| {
    for v in [Variant::Standard, Variant::VpmOct032, Variant::Hx8] {
        if let Ok(r) = Repr::parse(data, v) {
            if r.check().is_ok() {
                let rebuilt = digium::build(v, r.version, &r.payload).expect("valid image rebuilds");
                if v == Variant::Hx8 {
                    assert_eq!(rebuilt, data);
                } else {
                    assert_eq!(rebuilt[32..], data[32..]);
                }
            }
        }
    }
    let _ = Repr::parse_auto(data, None);
});
