//! `trunkctl status` and `trunkctl agents` in an 80×24 tmux window against a running `trunkd` demo:
//! the screen shows the daemon's state, and a missing daemon is a clear error with a non-zero exit.

mod diag_support;

use std::time::Duration;

use diag_support::{Daemon, Tmux, SMALL_DEMO};

#[test]
fn status_and_agents_on_screen() {
    if !diag_support::tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), SMALL_DEMO, 50);
    d.wait_json(&["agents"], "4 agents logged in", |v| v.as_array().is_some_and(|a| a.len() == 4));
    let t = Tmux::start(&d.trunkctl_cmdline(&["agents"]));
    assert_eq!(t.wait_exit(Duration::from_secs(30)), 0, "{}", t.transcript().join("\n"));
    let screen = t.transcript();
    // Four simulated agents, one row each.
    let rows = screen.iter().filter(|l| l.contains("agent")).count();
    assert!(rows >= 4, "expected the 4 demo agents on screen:\n{}", screen.join("\n"));

    let t = Tmux::start(&d.trunkctl_cmdline(&["status"]));
    assert_eq!(t.wait_exit(Duration::from_secs(30)), 0, "{}", t.transcript().join("\n"));
    let screen = t.transcript().join("\n");
    assert!(screen.contains("4 logged in"), "status should count the demo's agents:\n{screen}");
}

#[test]
fn no_daemon_is_a_clear_error() {
    if !diag_support::tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("nothing.sock");
    let cmd = format!(
        "{} status --socket {}",
        diag_support::shell_quote(env!("CARGO_BIN_EXE_trunkctl")),
        diag_support::shell_quote(&sock.to_string_lossy())
    );
    let t = Tmux::start(&cmd);
    let code = t.wait_exit(Duration::from_secs(30));
    assert_ne!(code, 0);
    let screen = t.transcript().join("\n");
    assert!(screen.to_lowercase().contains("trunkd"), "error should name the daemon:\n{screen}");
}
