//! Tone zones as `trunkctl dahdi cfg` loads them: the whole `DAHDI_LOADZONE` argument (header
//! and every `dahdi_tone_def`) equals, byte for byte, what Debian's real `dahdi_cfg` sent in the
//! recorded traces of `../shared/dahdi/conf/traces/`; applying a configuration issues FREEZONE
//! and that LOADZONE on its own ctl fd, then DEFAULTZONE. (Every zone of the table is compared
//! with the live `dahdi_cfg` in `engine/tests/dahdi_cfg_oracle.rs`.)

use std::path::PathBuf;

use trunkline_driver::dahdi::fake::FakeKernel;
use trunkline_driver::dahdi::sys::SysDevices;
use trunkline_driver::dahdi::{plan, system_conf, zones};

fn traces() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf/traces")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn loadzone_payload_equals_the_recorded_dahdi_cfg_bytes() {
    let mut seen = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(traces()).expect("shared traces") {
        let p = e.unwrap().path();
        if !p.to_string_lossy().ends_with(".ioctl-trace.tsv") {
            continue;
        }
        for l in std::fs::read_to_string(&p).unwrap().lines().filter(|l| l.contains("\tDAHDI_LOADZONE\t")) {
            let c: Vec<&str> = l.split('\t').collect();
            let zone: i32 =
                c[6].strip_prefix("zone=").and_then(|r| r.split(' ').next()).unwrap().parse().unwrap();
            let z = &zones::ZONES[zone as usize];
            let ours = z.loadzone_arg().unwrap();
            assert_eq!(format!("size={}", ours.len()), c[4], "{}: zone {zone}", p.display());
            if hex(&ours) != c[5] {
                // Name the first differing tone def.
                let want: Vec<u8> = (0..c[5].len() / 2)
                    .map(|i| u8::from_str_radix(&c[5][2 * i..2 * i + 2], 16).unwrap())
                    .collect();
                let at = ours.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(0);
                let def = at.saturating_sub(zones::HEADER_SIZE) / zones::TONE_DEF_SIZE;
                panic!(
                    "{}: zone {zone} differs at byte {at} (tone def {def}): {:?}",
                    p.display(),
                    z.tone_defs().unwrap()[def]
                );
            }
            seen.insert(zone);
        }
    }
    assert!(seen.len() >= 4, "zones compared: {seen:?}");
}

#[test]
fn dry_run_prints_the_whole_loadzone_argument() {
    let conf = system_conf::SystemConf::parse(b"loadzone=cn\ndefaultzone=cn\n").unwrap();
    let lines = plan::dry_run_lines(&plan::plan(&conf, plan::PlanOptions::default()));
    let load = lines.iter().find(|l| l.contains("\tDAHDI_LOADZONE\t")).unwrap();
    let c: Vec<&str> = load.split('\t').collect();
    assert_eq!(c[4], "size=3720");
    assert_eq!(c[5], hex(&zones::find(b"cn").unwrap().loadzone_arg().unwrap()));
    assert_eq!(c[6], "zone=33 count=82 name=\"China\"");
}

#[test]
fn apply_loads_the_zones_and_sets_the_default() {
    let k = FakeKernel::e1_pairs(2);
    let conf =
        system_conf::SystemConf::parse(b"bchan=1-15\nloadzone=us\nloadzone=de\ndefaultzone=de\n").unwrap();
    let mut devs = SysDevices(std::sync::Arc::new(k.clone()));
    let report = plan::apply(&mut devs, &plan::plan(&conf, plan::PlanOptions::default())).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(k.loaded_zones(), vec![(0, 96), (29, 102)]);
    assert_eq!(k.default_zone(), Some(29));
}

#[test]
fn a_zone_the_kernel_rejects_is_a_warning_and_defaultzone_is_left_out() {
    let k = FakeKernel::e1_pairs(2);
    k.set_zone_slots(1); // only zone 0 fits: zone 29 is refused
    let conf = system_conf::SystemConf::parse(b"loadzone=us\nloadzone=de\ndefaultzone=de\n").unwrap();
    let mut devs = SysDevices(std::sync::Arc::new(k.clone()));
    let report = plan::apply(&mut devs, &plan::plan(&conf, plan::PlanOptions::default())).unwrap();
    assert!(report.warnings.iter().any(|w| w.contains("failed") && w.contains("Germany")), "{report:?}");
    assert!(report.warnings.iter().any(|w| w.contains("DAHDI_DEFAULTZONE")), "{report:?}");
    assert_eq!(k.default_zone(), None);
}
