//! `trunkctl top`, `levels` and `trace SPAN` in an 80×24 tmux window against a running `trunkd`
//! demo: what the screen shows (spans, channels, levels that move, a call's SETUP/CONNECT), keys
//! (selection, listen, quit with the terminal restored), `--json` output parsed, and the errors
//! (no daemon, no such channel, no such span) as clear messages with a non-zero exit.

mod diag_support;

use std::time::{Duration, Instant};

use diag_support::{shell_quote, Daemon, Tmux, SMALL_DEMO};

const WAIT: Duration = Duration::from_secs(90);

/// rx RMS of a `levels` row (`  3 DAHDI/1-3  talking  -18.2/-9.0  [#####|....] ...`).
fn rx_rms(row: &str) -> Option<f32> {
    let tok: Vec<&str> = row.split_whitespace().collect();
    let v = tok.get(3)?.split('/').next()?;
    if v == "-inf" {
        Some(-100.0)
    } else {
        v.parse().ok()
    }
}

fn is_talking_span1(c: &serde_json::Value) -> bool {
    c["span"] == 1 && c["state"] == "talking"
}

#[test]
fn levels_show_a_talking_channel_and_an_idle_one() {
    if !diag_support::tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), SMALL_DEMO, 5);
    // --json: one sample per line, parsed; wait until a trunk channel is talking.
    let v = d.wait_json(&["levels", "--count", "1"], "a talking trunk channel", |v| {
        v["channels"].as_array().is_some_and(|a| a.iter().any(is_talking_span1))
    });
    let chans = v["channels"].as_array().unwrap();
    assert_eq!(chans.len(), 30 + 4, "30 B-channels and 4 agent lines: {v}");
    for c in chans {
        for dir in ["rx", "tx"] {
            let rms = c[dir]["rms_dbm0"].as_f64().unwrap();
            let peak = c[dir]["peak_dbm0"].as_f64().unwrap();
            // Sine-equivalent peak: a constant signal's reads 3 dB under its RMS, never lower.
            assert!((-100.0..=6.5).contains(&rms) && peak + 3.02 >= rms, "{c}");
        }
    }
    // The last 15 B-channels (the demo's calls take the high ones), redrawn in place.
    let list: Vec<String> = (17..=31).map(|c| c.to_string()).collect();
    let mut args: Vec<&str> = vec!["levels"];
    args.extend(list.iter().map(String::as_str));
    args.extend(["--interval-ms", "100"]);
    let t = Tmux::start(&d.trunkctl_cmdline(&args));
    let screen = t.wait_for(WAIT, "a talking channel at speech level and an idle one near the floor", |s| {
        let talking =
            s.iter().any(|l| l.contains(" talking ") && rx_rms(l).is_some_and(|r| (-50.0..3.5).contains(&r)));
        let idle = s.iter().any(|l| l.contains(" idle ") && rx_rms(l).is_some_and(|r| r < -60.0));
        talking && idle
    });
    assert!(screen.iter().any(|l| l.starts_with("CHAN NAME")), "{}", screen.join("\n"));
    assert!(screen.iter().filter(|l| l.contains("DAHDI/1-")).count() == 15, "{}", screen.join("\n"));
    // Redrawn in place: the header appears once in the whole pane history.
    let header_rows = t.transcript().iter().filter(|l| l.starts_with("CHAN NAME")).count();
    assert_eq!(header_rows, 1, "{}", t.transcript().join("\n"));
}

#[test]
fn trace_span_shows_a_calls_setup_and_connect() {
    if !diag_support::tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), SMALL_DEMO, 10);
    let t = Tmux::start(&d.trunkctl_cmdline(&["trace", "1"]));
    t.wait_for_text(Duration::from_secs(30), "live trace of span 1");
    // The ladder scrolls: read the pane's history, not just the visible screen.
    let deadline = Instant::now() + WAIT;
    loop {
        // 80 columns wrap the long Q.931 lines: search the rows joined back together.
        let all = t.transcript().concat();
        if all.contains("SETUP:") && all.contains("CONNECT") && all.contains("=>U10") {
            break;
        }
        assert!(Instant::now() < deadline, "no SETUP/CONNECT in the trace:\n{all}");
        std::thread::sleep(Duration::from_millis(100));
    }
    t.send_keys(&["C-c"]);
    t.wait_exit(Duration::from_secs(30));

    // --json: events as JSON lines, all about span 1.
    let out = d.trunkctl(&["trace", "1", "--json", "--count", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 10);
    for v in &lines {
        assert_eq!(v["span"], 1, "{v}");
        assert!(["signalling", "detector", "span_alarm"].contains(&v["type"].as_str().unwrap()), "{v}");
    }
}

fn level_columns(s: &[String]) -> Vec<String> {
    s.iter()
        .filter(|l| l.contains("DAHDI/1-"))
        .map(|l| l.split_whitespace().rev().take(2).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn top_shows_spans_channels_levels_and_obeys_keys() {
    if !diag_support::tmux_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), SMALL_DEMO, 20);
    let cmd = format!(
        "{}; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo",
        d.trunkctl_cmdline(&["top"])
    );
    let t = Tmux::start(&cmd);
    let s = t.wait_for(WAIT, "spans and span 1's channels", |s| {
        (1..=4).all(|n| s.iter().any(|l| l.contains(&format!("SIM/0/{n}"))))
            && s.iter().any(|l| l.contains("Channels of span 1"))
            && s.iter().any(|l| l.starts_with('>') && l.contains("DAHDI/1-1 "))
    });
    assert!(s.len() <= 24 && s.iter().all(|l| l.chars().count() <= 80));
    assert!(s.iter().any(|l| l.contains("q quit")), "{}", s.join("\n"));
    // The first channel is selected; Down selects the second.
    t.send_keys(&["Down"]);
    t.wait_for(Duration::from_secs(10), "channel 2 selected", |s| {
        s.iter().any(|l| l.starts_with('>') && l.contains("DAHDI/1-2 "))
            && !s.iter().any(|l| l.starts_with('>') && l.contains("DAHDI/1-1 "))
    });
    // l starts `trunkctl listen 2`; its output goes to the events pane.
    t.send_keys(&["l"]);
    t.wait_for_text(Duration::from_secs(10), "[listen 2]");
    // Down to the last B-channel: the list scrolls; the demo's calls take the high channels.
    t.send_keys(&["Down"; 40]);
    let s = t.wait_for(WAIT, "channel 31 selected and a talking channel", |s| {
        s.iter().any(|l| l.starts_with('>') && l.contains("DAHDI/1-31"))
            && s.iter().any(|l| l.contains("DAHDI/1-") && l.contains("talking") && l.contains("U10"))
    });
    // Levels change from one refresh to another.
    let first = level_columns(&s);
    t.wait_for(WAIT, "levels to change", |s| level_columns(s) != first && !level_columns(s).is_empty());
    // Right: span 2, the simulator's side.
    t.send_keys(&["Right"]);
    t.wait_for_text(Duration::from_secs(10), "Channels of span 2");
    t.send_keys(&["q"]);
    t.wait_exit(Duration::from_secs(30));
    let after = t.transcript();
    let text = after.join("\n");
    assert!(after.iter().any(|l| l == "EXIT=0"), "top exits 0:\n{text}");
    // Back on the normal screen, in cooked mode with echo.
    assert!(!text.contains("q quit"), "the alternate screen is gone:\n{text}");
    assert!(after.iter().any(|l| l == "icanon") && after.iter().any(|l| l == "echo"), "{text}");
}

#[test]
fn top_without_a_terminal_prints_a_snapshot_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(dir.path(), SMALL_DEMO, 20);
    d.wait_json(&["levels", "--count", "1"], "levels measured", |v| {
        v["channels"].as_array().is_some_and(|a| !a.is_empty())
    });
    let out = d.trunkctl(&["top"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("SIM/0/1") && text.contains("DAHDI/1-1 ") && text.contains("DAHDI/3-1 "), "{text}");
    assert!(!text.contains('\x1b'), "plain text, no escapes:\n{text}");
    let out = d.trunkctl(&["top", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["spans"].as_array().unwrap().len(), 4, "{v}");
    assert!(v["levels"]["channels"].as_array().unwrap().iter().all(|c| c["state"].is_string()));
}

/// Runs a command in tmux and returns (exit status, everything it printed).
fn run_in_tmux(cmdline: &str) -> (i32, String) {
    let t = Tmux::start(cmdline);
    let code = t.wait_exit(Duration::from_secs(30));
    (code, t.transcript().join("\n"))
}

#[test]
fn errors_are_clear_and_exit_non_zero() {
    if !diag_support::tmux_available() {
        return;
    }
    // No daemon.
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("nothing.sock");
    for verb in [&["top"][..], &["levels", "1"], &["trace", "1"]] {
        let mut cmd = shell_quote(env!("CARGO_BIN_EXE_trunkctl"));
        for a in verb {
            cmd.push(' ');
            cmd.push_str(a);
        }
        cmd.push_str(&format!(" --socket {}", shell_quote(&sock.to_string_lossy())));
        let (code, screen) = run_in_tmux(&cmd);
        assert_ne!(code, 0, "{verb:?}: {screen}");
        assert!(screen.contains("trunkd is not running"), "{verb:?}:\n{screen}");
    }
    // A daemon, but no such channel / span.
    let d = Daemon::start(dir.path(), SMALL_DEMO, 20);
    d.wait_json(&["levels", "--count", "1"], "levels measured", |v| {
        v["channels"].as_array().is_some_and(|a| !a.is_empty())
    });
    let (code, screen) = run_in_tmux(&d.trunkctl_cmdline(&["levels", "1", "99"]));
    assert_ne!(code, 0);
    assert!(screen.contains("no such channel 99") && screen.contains("1-15,17-31"), "{screen}");
    let (code, screen) = run_in_tmux(&d.trunkctl_cmdline(&["trace", "9"]));
    assert_ne!(code, 0);
    assert!(screen.contains("no such span 9 (spans: 1,2,3,4)"), "{screen}");
    let (code, screen) = run_in_tmux(&d.trunkctl_cmdline(&["trace", "no-such-capture.bin"]));
    assert_ne!(code, 0);
    assert!(screen.contains("no such file"), "{screen}");
}
