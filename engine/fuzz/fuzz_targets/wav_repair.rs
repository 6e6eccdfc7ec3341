#![no_main]
//! WAV header parsing, decoding and repair sizing: never panic on any bytes or file length.
use libfuzzer_sys::fuzz_target;
use trunkline_engine::record::wav::{decode_wav, parse_layout, repaired_sizes};

fuzz_target!(|data: &[u8]| {
    let _ = decode_wav(data);
    if let Ok(l) = parse_layout(data) {
        let _ = repaired_sizes(&l, data.len() as u64);
        let _ = repaired_sizes(&l, u64::MAX);
    }
});
