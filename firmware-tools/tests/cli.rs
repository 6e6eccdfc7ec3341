//! `trunkfw` end to end on synthetic images.

use std::path::Path;
use std::process::{Command, Output};
use trunkline_firmware::container::{self, Semver};
use trunkline_firmware::digium::{self, DigiumVersion, Variant};

fn trunkfw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trunkfw")).args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn inspect_verify_convert_install() {
    let d = tempfile::tempdir().unwrap();
    let fw = d.path().join("dahdi-fw-te820.bin");
    std::fs::write(
        &fw,
        digium::build(Variant::Standard, DigiumVersion::Word(0x0013_001e), &[0xAB; 1000]).unwrap(),
    )
    .unwrap();
    let out = ok(&trunkfw(&["inspect", s(&fw)]));
    assert!(out.contains("te820") && out.contains("0x0013001e") && out.contains("intact"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&trunkfw(&["inspect", s(&fw), "--json"]))).unwrap();
    assert_eq!(json["format"], "digium");
    assert_eq!(json["intact"], true);
    ok(&trunkfw(&["verify", s(&fw), "--expect-version", "0x0013001e", "--model", "te820"]));
    let bad = trunkfw(&["verify", s(&fw), "--model", "te133"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not te133"));

    // bin -> hex -> bin, then wrap into DIGIUM and Trunkline images.
    let bin = d.path().join("A104dm_0100_V45.BIN");
    let payload: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&bin, &payload).unwrap();
    let hex = d.path().join("out.hex");
    ok(&trunkfw(&["convert", s(&bin), s(&hex), "--base", "0x8000", "--record-size", "32"]));
    let text = std::fs::read_to_string(&hex).unwrap();
    assert!(text.contains(":020000040001F9"), "needs an extended linear address record");
    let back = d.path().join("back.bin");
    ok(&trunkfw(&["convert", s(&hex), s(&back)]));
    assert_eq!(std::fs::read(&back).unwrap(), payload);
    let dg = d.path().join("dahdi-fw-a8b.bin");
    ok(&trunkfw(&["convert", s(&bin), s(&dg), "--to", "digium", "--version", "0x00010002"]));
    ok(&trunkfw(&["verify", s(&dg), "--expect-version", "0x00010002", "--model", "a8b"]));
    let tl = d.path().join("fw.tlfw");
    ok(&trunkfw(&["convert", s(&bin), s(&tl), "--model", "TL-E1-4", "--version", "1.2.3"]));
    ok(&trunkfw(&["verify", s(&tl), "--expect-version", "1.2.3", "--model", "TL-E1-4"]));

    // A bad HEX record is reported with its line.
    let broken = d.path().join("broken.hex");
    std::fs::write(&broken, text.replacen(":20", ":21", 2)).unwrap();
    let e = trunkfw(&["inspect", s(&broken)]);
    assert_eq!(e.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&e.stderr).contains("line 1: length field says 33"),
        "{}",
        String::from_utf8_lossy(&e.stderr)
    );

    // install keeps the previous file.
    let fwdir = d.path().join("firmware");
    std::fs::create_dir(&fwdir).unwrap();
    ok(&trunkfw(&["install", s(&fw), "--firmware-dir", s(&fwdir)]));
    ok(&trunkfw(&["install", s(&fw), "--firmware-dir", s(&fwdir)]));
    assert!(fwdir.join("dahdi-fw-te820.bin").exists() && fwdir.join("dahdi-fw-te820.bin.prev").exists());
    let mut damaged = std::fs::read(&fw).unwrap();
    damaged[40] ^= 1;
    let dmg = d.path().join("dmg").join("dahdi-fw-te820.bin");
    std::fs::create_dir(dmg.parent().unwrap()).unwrap();
    std::fs::write(&dmg, damaged).unwrap();
    assert!(!trunkfw(&["install", s(&dmg), "--firmware-dir", s(&fwdir)]).status.success());
}

#[test]
fn upload_status_rollback_on_a_persisted_sim_board() {
    let d = tempfile::tempdir().unwrap();
    let img = |v: Semver, name: &str| {
        let p = d.path().join(name);
        std::fs::write(&p, container::build("TL-E1-4", v, 0, &vec![v.major as u8; 30_000]).unwrap()).unwrap();
        p
    };
    let (f, v2, v3) = (
        img(Semver::new(1, 0, 0), "f.tlfw"),
        img(Semver::new(2, 0, 0), "2.tlfw"),
        img(Semver::new(3, 0, 0), "3.tlfw"),
    );
    let board = format!("sim:{}", d.path().join("board.sim").display());
    ok(&trunkfw(&["sim-init", "--board", &board, "--factory", s(&f)]));
    assert!(ok(&trunkfw(&["upload", "--board", &board, s(&v2)])).contains("-> 2.0.0"));
    // Power fails mid-program: the command fails, the next status rolls back to 2.0.0.
    assert!(!trunkfw(&["upload", "--board", &board, s(&v3), "--inject", "power-loss@5"]).status.success());
    let st: serde_json::Value =
        serde_json::from_str(&ok(&trunkfw(&["status", "--board", &board, "--json"]))).unwrap();
    assert_eq!(st["running"], "2.0.0");
    assert_eq!(st["journal"]["state"], "idle");
    // A new image that does not come up is rolled back automatically.
    let e = trunkfw(&["upload", "--board", &board, s(&v3), "--inject", "boot-fail"]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("did not come up"));
    assert!(ok(&trunkfw(&["upload", "--board", &board, s(&v3)])).contains("-> 3.0.0"));
    assert!(ok(&trunkfw(&["rollback", "--board", &board])).contains("2.0.0"));
    assert!(ok(&trunkfw(&["status", "--board", &board])).contains("running   2.0.0"));
}
