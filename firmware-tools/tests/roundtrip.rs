//! Property tests: hex → bin → hex and build → parse round trips; parsers never panic.

use proptest::prelude::*;
use trunkline_firmware::container::{self, Semver};
use trunkline_firmware::digium::{self, DigiumVersion, Variant};
use trunkline_firmware::ihex::{AddressMode, HexImage, Segment};
use trunkline_firmware::image;

fn segments() -> impl Strategy<Value = Vec<Segment>> {
    prop::collection::vec((0u32..0x3_0000, prop::collection::vec(any::<u8>(), 1..300)), 0..6).prop_map(|v| {
        // Lay the runs out in order with gaps so they never overlap or touch.
        let mut at = 0u32;
        let mut out = vec![];
        for (gap, data) in v {
            at += gap + 1;
            out.push(Segment { address: at, data: data.clone() });
            at += data.len() as u32;
        }
        out
    })
}

proptest! {
    #[test]
    fn hex_write_parse_round_trip(segs in segments(), rs in prop::sample::select(vec![16usize, 32]), seg_mode in any::<bool>()) {
        let img = HexImage { segments: segs, start: None, data_records: 0 };
        let mode = if seg_mode { AddressMode::Segment } else { AddressMode::Linear };
        let text = img.to_hex(rs, mode).unwrap();
        let back = HexImage::parse(text.as_bytes()).unwrap();
        prop_assert_eq!(&back.segments, &img.segments);
    }

    #[test]
    fn hex_bin_hex_round_trip(base in 0u32..0xFFFF_0000, data in prop::collection::vec(any::<u8>(), 1..2000), rs in prop::sample::select(vec![16usize, 32])) {
        let text = HexImage::from_binary(base, &data).unwrap().to_hex(rs, AddressMode::Linear).unwrap();
        let parsed = HexImage::parse(text.as_bytes()).unwrap();
        let (b, flat) = parsed.to_binary(None, 0xFF).unwrap();
        prop_assert_eq!(b, base);
        prop_assert_eq!(&flat, &data);
        let again = HexImage::from_binary(b, &flat).unwrap().to_hex(rs, AddressMode::Linear).unwrap();
        prop_assert_eq!(again, text);
    }

    #[test]
    fn gaps_are_filled(segs in segments(), fill in any::<u8>()) {
        let img = HexImage { segments: segs, start: None, data_records: 0 };
        if let Ok((base, flat)) = img.to_binary(None, fill) {
            for s in &img.segments {
                let o = (s.address - base) as usize;
                prop_assert_eq!(&flat[o..o + s.data.len()], &s.data[..]);
            }
            prop_assert_eq!(flat.len() as u64, img.segments.last().map(|s| s.end() - u64::from(base)).unwrap_or(0));
        }
    }

    #[test]
    fn digium_build_parse(payload in prop::collection::vec(any::<u8>(), 0..3000), word in any::<u32>(), a in any::<u8>(), b in any::<u8>()) {
        let img = digium::build(Variant::Standard, DigiumVersion::Word(word), &payload).unwrap();
        let r = digium::Repr::parse(&img, Variant::Standard).unwrap();
        prop_assert!(r.check().is_ok());
        prop_assert_eq!(r.version, DigiumVersion::Word(word));
        prop_assert_eq!(&r.payload, &payload);
        let img = digium::build(Variant::VpmOct032, DigiumVersion::MajorMinor(a, b), &payload).unwrap();
        let r = digium::Repr::parse(&img, Variant::VpmOct032).unwrap();
        prop_assert!(r.check().is_ok());
        prop_assert_eq!(r.version, DigiumVersion::MajorMinor(a, b));
    }

    #[test]
    fn digium_single_bit_damage_is_caught(payload in prop::collection::vec(any::<u8>(), 1..500), bit in any::<prop::sample::Index>()) {
        let mut img = digium::build(Variant::Standard, DigiumVersion::Word(7), &payload).unwrap();
        let nbits = (img.len() - 10) * 8;
        let i = 10 * 8 + bit.index(nbits);
        img[i / 8] ^= 1 << (i % 8);
        let r = digium::Repr::parse(&img, Variant::Standard).unwrap();
        prop_assert!(r.check().is_err());
    }

    #[test]
    fn container_build_parse(model in "[A-Za-z0-9-]{1,32}", v in any::<(u16, u16, u16)>(), load in any::<u32>(), payload in prop::collection::vec(any::<u8>(), 0..3000)) {
        let sv = Semver::new(v.0, v.1, v.2);
        let img = container::build(&model, sv, load, &payload).unwrap();
        let r = container::Repr::parse_checked(&img).unwrap();
        prop_assert_eq!(r.model, model);
        prop_assert_eq!(r.version, sv);
        prop_assert_eq!(r.load_address, load);
        prop_assert_eq!(r.payload, payload);
    }

    #[test]
    fn inspect_never_panics(name in "[a-z.]{0,12}", data in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = image::inspect(&name, &data);
        let mut hex = b":".to_vec();
        hex.extend_from_slice(&data);
        let _ = image::inspect("x.hex", &hex);
    }
}

#[test]
fn hx8_build_parse() {
    let payload: Vec<u8> = (0..digium::HX8_DATA_LEN).map(|i| (i * 13) as u8).collect();
    let img = digium::build(Variant::Hx8, DigiumVersion::MajorMinor(4, 2), &payload).unwrap();
    let r = digium::Repr::parse_auto(&img, None).unwrap();
    assert_eq!((r.variant, r.payload.len()), (Variant::Hx8, digium::HX8_DATA_LEN));
    r.check().unwrap();
}
