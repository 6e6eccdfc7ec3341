//! Shared support for the diagnostics end-to-end tests: a real `trunkd` demo process, and a real
//! `tmux` server on a private socket with an 80×24 window, whose screen the tests read.
//!
//! Synchronisation: the daemon is waited for on its READY=1 notification; the screen is polled
//! with `tmux capture-pane` until it shows what the test expects or a deadline passes (the screen
//! is the thing under test, so polling it is the observation, not a sleep standing in for one).

#![allow(dead_code)]

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A unique suffix for sockets and session names within this test process.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// Demo configuration small enough for tests: a few agents, a short list, some inbound calls.
pub const SMALL_DEMO: &str = "[daemon]\nlog = \"warn\"\n\n[demo]\nagents = 4\nleads = 60\ninbound_per_hour = 30\nseed = 11\nrecord_format = \"pcm16\"\n";

/// A running `trunkd` with its data directory; killed on drop.
pub struct Daemon {
    pub child: Child,
    pub dir: PathBuf,
    notify: UnixDatagram,
}

impl Daemon {
    /// Starts `trunkd --config CONFIG --data-dir DIR/data --speed SPEED` and waits for READY=1.
    pub fn start(dir: &Path, config: &str, speed: u32) -> Daemon {
        let notify_path = dir.join(unique("notify"));
        let notify = UnixDatagram::bind(&notify_path).expect("bind notify socket");
        notify.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let cfg = dir.join("trunkd.toml");
        std::fs::write(&cfg, config).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_trunkd"))
            .arg("--config")
            .arg(&cfg)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--speed", &speed.to_string()])
            .env("NOTIFY_SOCKET", &notify_path)
            .env_remove("WATCHDOG_USEC")
            .env_remove("JOURNAL_STREAM")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn trunkd");
        let d = Daemon { child, dir: dir.to_path_buf(), notify };
        d.expect_notify("READY=1");
        d
    }

    /// Waits for a notification line equal to `what`.
    pub fn expect_notify(&self, what: &str) {
        let mut buf = [0u8; 512];
        loop {
            let n = self.notify.recv(&mut buf).unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
            if String::from_utf8_lossy(&buf[..n]).lines().any(|l| l == what) {
                return;
            }
        }
    }

    /// The daemon's API socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.join("data/trunkd.sock")
    }

    /// Runs `trunkctl ARGS… --socket SOCK` to completion (`--socket` belongs to the leaf verb).
    pub fn trunkctl(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_trunkctl"))
            .args(args)
            .arg("--socket")
            .arg(self.socket())
            .stdin(Stdio::null())
            .output()
            .expect("run trunkctl")
    }

    /// Polls `trunkctl VERB --json` until `pred` holds on its JSON; panics after 60 s.
    pub fn wait_json(
        &self,
        verb: &[&str],
        what: &str,
        pred: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut args = verb.to_vec();
        args.push("--json");
        loop {
            let out = self.trunkctl(&args);
            if out.status.success() {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&out.stdout) {
                    if pred(&v) {
                        return v;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The shell command line that runs `trunkctl` against this daemon (for a tmux window).
    pub fn trunkctl_cmdline(&self, args: &[&str]) -> String {
        let mut s = shell_quote(env!("CARGO_BIN_EXE_trunkctl"));
        for a in args {
            s.push(' ');
            s.push_str(&shell_quote(a));
        }
        s.push_str(" --socket ");
        s.push_str(&shell_quote(&self.socket().to_string_lossy()));
        s
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Quotes one word for `sh`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Whether `tmux` is on this machine (CI installs it; without it the tmux tests fail when
/// `TRUNKLINE_REQUIRE_PEERS` is set and are skipped loudly otherwise).
pub fn tmux_available() -> bool {
    let ok = Command::new("tmux").arg("-V").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        assert!(std::env::var_os("TRUNKLINE_REQUIRE_PEERS").is_none(), "tmux is required but not installed");
        eprintln!("SKIPPED: tmux is not installed");
    }
    ok
}

/// A tmux server on a private socket running one command in an 80×24 window; killed on drop.
pub struct Tmux {
    socket: String,
    session: String,
    /// Where the shell writes the command's exit status (tmux's own `pane_dead_status` is
    /// sometimes left empty when a command exits very early). The shell traps SIGINT (its
    /// children still get the default action), so Ctrl-C ends the command, not the shell.
    status_file: PathBuf,
}

impl Tmux {
    /// Starts `cmdline` (run by `sh -c`) in a new detached 80×24 session. `TERM` is
    /// `xterm-256color`, so full-screen programs see a terminal.
    pub fn start(cmdline: &str) -> Tmux {
        Self::start_sized(cmdline, 80, 24)
    }

    /// As [`Tmux::start`] with a given size.
    pub fn start_sized(cmdline: &str, cols: u16, rows: u16) -> Tmux {
        let socket = unique("trunkline-tmux");
        let status_file = std::env::temp_dir().join(format!("{socket}.status"));
        let t = Tmux { socket, session: "t".into(), status_file };
        // Keep the pane after the command exits so its last screen and exit status can be read;
        // set in the server's start-up file so that even a command that exits at once is kept.
        let conf = std::env::temp_dir().join(format!("{}.conf", t.socket));
        std::fs::write(&conf, "set-option -g remain-on-exit on\nset-option -g status off\n").unwrap();
        let out = t
            .cmd()
            .arg("-f")
            .arg(&conf)
            .args(["new-session", "-d", "-s", &t.session])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .arg(format!(
                "sh -c {}",
                shell_quote(&format!(
                    "trap true INT\n{cmdline}\necho $? > {}.tmp && mv {0}.tmp {0}",
                    shell_quote(&t.status_file.to_string_lossy())
                ))
            ))
            .env("TERM", "xterm-256color")
            .output()
            .expect("run tmux");
        let _ = std::fs::remove_file(&conf);
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
        t
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// The visible screen, one string per row (trailing spaces removed).
    pub fn screen(&self) -> Vec<String> {
        let out =
            self.cmd().args(["capture-pane", "-p", "-t", &self.session]).output().expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim_end().to_string()).collect()
    }

    /// Everything the pane has shown: the scroll-back history and then the visible screen (for
    /// commands that print and exit; full-screen programs are read with [`Tmux::screen`]).
    pub fn transcript(&self) -> Vec<String> {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-S", "-", "-t", &self.session])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).lines().map(|l| l.trim_end().to_string()).collect()
    }

    /// Polls the screen until `pred` holds; panics with the last screen after `timeout`.
    pub fn wait_for(&self, timeout: Duration, what: &str, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() >= deadline {
                panic!("timed out waiting for {what}; screen was:\n{}", s.join("\n"));
            }
            std::thread::yield_now();
            // Poll interval: tmux redraws at most every few ms; don't spin a core.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until some row contains `text`.
    pub fn wait_for_text(&self, timeout: Duration, text: &str) -> Vec<String> {
        self.wait_for(timeout, text, |s| s.iter().any(|l| l.contains(text)))
    }

    /// Sends keys (tmux key names, e.g. "q", "Down", "Enter", "C-c").
    pub fn send_keys(&self, keys: &[&str]) {
        let out = self.cmd().args(["send-keys", "-t", &self.session]).args(keys).output().expect("send-keys");
        assert!(out.status.success(), "send-keys: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Whether the pane's command has exited, and with which status.
    pub fn exit_status(&self) -> Option<i32> {
        std::fs::read_to_string(&self.status_file).ok()?.trim().parse().ok()
    }

    /// Waits for the command to exit and returns its status.
    pub fn wait_exit(&self, timeout: Duration) -> i32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(c) = self.exit_status() {
                return c;
            }
            if Instant::now() >= deadline {
                panic!("command did not exit; screen was:\n{}", self.transcript().join("\n"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
        let _ = std::fs::remove_file(&self.status_file);
    }
}
