#![no_main]
//! Intel HEX parser: never panics; whatever parses writes back and re-parses to the same data.
use libfuzzer_sys::fuzz_target;
use trunkline_firmware::ihex::{AddressMode, HexImage};

fuzz_target!(|data: &[u8]| {
    if let Ok(img) = HexImage::parse(data) {
        let _ = img.bsd_sum();
        let text = img.to_hex(16, AddressMode::Linear).expect("linear addressing reaches 4 GiB");
        let back = HexImage::parse(text.as_bytes()).expect("own output parses");
        assert_eq!(back.segments, img.segments);
        assert_eq!(back.start, img.start);
        let _ = img.to_binary(None, 0xFF);
    }
});
