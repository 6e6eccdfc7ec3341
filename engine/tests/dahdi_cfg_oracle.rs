//! Optional oracle test: our `trunkctl dahdi cfg` against Debian's real `dahdi_cfg` run under the
//! LD_PRELOAD shim `../shared/dahdi/conf/traces/dahdi_shim.c`, on configurations written here.
//! Skips (with a message) when `/usr/sbin/dahdi_cfg`, `gcc` or `<dahdi/user.h>` is missing
//! (`apt-get install dahdi dahdi-source`).

use std::path::{Path, PathBuf};
use std::process::Command;

const DAHDI_CFG: &str = "/usr/sbin/dahdi_cfg";

const CONFIGS: &[&str] = &[
    "span=1,0,0,esf,b8zs,nt,term\nspan=2,3,5,d4,ami,te\nbchan=1-23\ndchan=24\nfxoks=25-30\nfxsls=31,32\nfxsgs=33\nfxogs=34\nfxols=35\ne&me1=36\nuser=37-38:0001\nclear=39-41,43\nunused=42\n",
    "span=1,1,0,ccs,hdb3,crc4\nbchan=1-15,17-31\ndchan=16\nechocanceller=mg2,1-5\nechocanceller=kb1,6-15,17-31\n56k=16\nalaw=1-31\nloadzone=cn\nloadzone=DE\ndefaultzone=de\n",
    "span=1,1,0,cas,hdb3\ncas=1-15:1101\ncas=17-31:1101\ndacsrbs=40-41:50\nnethdlc=60\nmtp2=61\nrawhdlc=62-63\n",
    "dynamic=eth,eth0/00:11:22:33:44:55,31,1\ndynamic=loc,1:0,24,0\nbchan=1-15\n",
    "LoadZone = uk # c\nspan = 1,1,0,ccs,hdb3\n  bchan=1-2\n",
];

const BAD_CONFIGS: &[&str] = &[
    // blanks before a separator stay in the argument: 'ccs ' is not a framing
    "LoadZone = uk # c\nspan = 1 , 1 , 0 , ccs , hdb3\n  bchan=1-2\n",
    "span=1,1,0,ccs ,hdb3\n",
    "span=1,1,8,ccs,hdb3\nspan=1\n",
    "bchan=0\nbchan=5-3\nbchan=1-2-3\nbchan=x\nbchan=1,,2\n",
    "dacs=1-2\ndacs=1:2\n",
    "cas=1:10x1\ncas=2::1101\n",
    "defaultzone=xx\ndynamic=a,b,0,1\ndynamic=a,b,1,-1\n",
    "\r\nspan=1,1,0,ccs,hdb3\r\n",
    "echocanceller=mg2,1-x\nfoo=bar\n=x\nx=\n",
];

fn shim(dir: &Path) -> Option<PathBuf> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf/traces/dahdi_shim.c");
    let so = dir.join("dahdi_shim.so");
    let ok = Command::new("gcc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(&src)
        .arg("-ldl")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some(so)
}

fn available() -> bool {
    let missing: Vec<&str> = [DAHDI_CFG, "/usr/include/dahdi/user.h"]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .chain(Command::new("gcc").arg("--version").output().is_err().then_some("gcc"))
        .collect();
    assert!(
        missing.is_empty() || std::env::var_os("TRUNKLINE_REQUIRE_PEERS").is_none(),
        "TRUNKLINE_REQUIRE_PEERS is set but the dahdi_cfg oracle cannot run: missing {missing:?} \
         (apt-get install dahdi dahdi-source gcc)"
    );
    if !missing.is_empty() {
        println!("SKIPPED: the dahdi_cfg oracle test: missing {missing:?} (apt-get install dahdi dahdi-source gcc)");
    }
    missing.is_empty()
}

fn real_ioctls(so: &Path, conf: &Path, dir: &Path) -> Vec<String> {
    let log = dir.join("shim.log");
    let _ = std::fs::remove_file(&log);
    let out = Command::new(DAHDI_CFG)
        .arg("-c")
        .arg(conf)
        .env("LD_PRELOAD", so)
        .env("DAHDI_SHIM_LOG", &log)
        .output()
        .expect("run dahdi_cfg");
    assert!(out.status.success(), "dahdi_cfg failed: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("IOCTL\t") && !l.contains("\tDAHDI_GET_PARAMS\t"))
        .map(|l| l.split('\t').take(6).collect::<Vec<_>>().join("\t"))
        .collect()
}

fn ours(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trunkctl")).args(args).output().expect("run trunkctl")
}

#[test]
fn dry_run_matches_real_dahdi_cfg_under_the_shim() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(so) = shim(dir.path()) else {
        eprintln!("skipping: could not build dahdi_shim.so");
        return;
    };
    for (i, text) in CONFIGS.iter().enumerate() {
        let conf = dir.path().join(format!("c{i}.conf"));
        std::fs::write(&conf, text).unwrap();
        let want = real_ioctls(&so, &conf, dir.path());
        let out = ours(&["dahdi", "cfg", "-c", conf.to_str().unwrap(), "--dry-run"]);
        assert!(out.status.success(), "{text}: {}", String::from_utf8_lossy(&out.stderr));
        let got: Vec<Vec<String>> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split('\t').take(6).map(str::to_string).collect())
            .collect();
        assert_eq!(got.len(), want.len(), "config {i}:\n{text}");
        for (g, w) in got.iter().zip(&want) {
            let w: Vec<&str> = w.split('\t').collect();
            // LOADZONE included: the whole argument, tone payload and all.
            assert_eq!(g.join("\t"), w.join("\t"), "config {i}:\n{text}");
        }
    }
    for (i, text) in BAD_CONFIGS.iter().chain(CONFIGS).enumerate() {
        let conf = dir.path().join(format!("b{i}.conf"));
        std::fs::write(&conf, text).unwrap();
        let real = Command::new(DAHDI_CFG)
            .args(["-t", "-c"])
            .arg(&conf)
            .env("LD_PRELOAD", &so)
            .env("DAHDI_SHIM_LOG", dir.path().join("t.log"))
            .output()
            .unwrap();
        let mine = ours(&["dahdi", "cfg", "-t", "-c", conf.to_str().unwrap()]);
        let strip = |s: &[u8]| -> String {
            String::from_utf8_lossy(s)
                .lines()
                .filter(|l| !l.starts_with("  hint: "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(mine.status.code(), real.status.code(), "exit code for:\n{text}");
        assert_eq!(strip(&mine.stderr), strip(&real.stderr), "stderr for:\n{text}");
    }
}

/// Every zone libtonezone knows, loaded by the real `dahdi_cfg` under the shim: our LOADZONE
/// argument (header and every tone def) is byte-identical for each.
#[test]
fn every_tone_zone_payload_matches_real_dahdi_cfg() {
    if !available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(so) = shim(dir.path()) else {
        eprintln!("skipping: could not build dahdi_shim.so");
        return;
    };
    let zones = trunkline_driver::dahdi::zones::ZONES;
    let text: String = zones.iter().map(|z| format!("loadzone={}\n", z.country)).collect();
    let conf = dir.path().join("zones.conf");
    std::fs::write(&conf, &text).unwrap();
    let want: Vec<String> = real_ioctls(&so, &conf, dir.path())
        .into_iter()
        .filter(|l| l.contains("\tDAHDI_LOADZONE\t"))
        .collect();
    assert_eq!(want.len(), zones.len(), "dahdi_cfg loaded every zone");
    for (z, w) in zones.iter().zip(&want) {
        let hex: String = z.loadzone_arg().unwrap().iter().map(|b| format!("{b:02x}")).collect();
        let cols: Vec<&str> = w.split('\t').collect();
        assert_eq!(cols[5], hex, "zone {} ({})", z.zone, z.country);
    }
}
