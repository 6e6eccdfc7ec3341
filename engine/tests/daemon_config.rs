//! `trunkd` configuration handling: errors name the file and line, --check-config, exit codes.

use std::path::PathBuf;

use trunkline_engine::daemon::{data_dir, run, Args, Config};

fn args(config: Option<PathBuf>, check: bool) -> Args {
    Args { config, data_dir: None, speed: 1.0, check_config: check }
}

fn never(
    _: &Config,
    _: &std::path::Path,
) -> anyhow::Result<Box<dyn trunkline_engine::runtime::EngineRuntime>> {
    panic!("the engine must not be built")
}

#[test]
fn malformed_config_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "[daemon]\nlog = \"info\"\n[api]\ntcp = 8640\n").unwrap();
    let e = Config::load(&p).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:4:7", p.display())), "{e}");
    assert_eq!(run(args(Some(p), true), never), 2);
    assert_eq!(run(args(Some(dir.path().join("missing.toml")), true), never), 2);
}

#[test]
fn check_config_accepts_a_full_file() {
    let text = include_str!("../../packaging/trunkd.example.toml");
    let cfg = Config::parse(text, "trunkd.example.toml").unwrap();
    assert!(cfg.board.is_some());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ok.toml");
    std::fs::write(&p, "[daemon]\ndata_dir = \"/tmp/x\"\n").unwrap();
    assert_eq!(run(args(Some(p), true), never), 0);
}

#[test]
fn bad_speed_exits_2() {
    let mut a = args(None, false);
    a.speed = 0.0;
    assert_eq!(run(a, never), 2);
}

#[test]
fn data_dir_precedence() {
    let cfg = Config::parse("[daemon]\ndata_dir = \"/cfg\"\n", "t").unwrap();
    let mut a = args(None, false);
    assert_eq!(data_dir(&a, &cfg, Some("/state")), PathBuf::from("/cfg"));
    assert_eq!(data_dir(&a, &Config::default(), Some("/state")), PathBuf::from("/state"));
    assert_eq!(data_dir(&a, &Config::default(), None), PathBuf::from("./trunkline-data"));
    a.data_dir = Some("/cli".into());
    assert_eq!(data_dir(&a, &cfg, Some("/state")), PathBuf::from("/cli"));
}
