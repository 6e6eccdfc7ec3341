#![no_main]
//! Trunkline container parser: never panics; a fully valid image rebuilds byte for byte.
use libfuzzer_sys::fuzz_target;
use trunkline_firmware::container::{self, Repr};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Repr::parse(data) {
        if r.check().is_ok() {
            let rebuilt = container::build(&r.model, r.version, r.load_address, &r.payload).expect("rebuild");
            assert_eq!(rebuilt, data);
        }
    }
});
