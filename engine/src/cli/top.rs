//! `trunkctl top`: a live full-screen view of the running daemon, like `dahdi_tool`: spans with
//! alarms and error counters, the selected span's channels with state, call, signalling and
//! rx/tx levels, and detector/call events scrolling; refreshed four times a second.
//!
//! Keys: Tab switches between the span and channel lists, Up/Down select in the focused list,
//! Left/Right change span, `l` starts `trunkctl listen CHAN` and `r` starts
//! `trunkctl record CHAN --seconds 30 --out chanN-TIMESTAMP.wav` on the selected channel (their
//! output goes to the events pane; quitting stops them), `q` or Esc quits. The terminal is
//! restored on exit, on error and on panic. When standard output is not a terminal (or with
//! `--once`) it prints one plain-text snapshot instead; `--json` prints it as JSON.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Receiver, Sender};
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use super::client::ClientArgs;
use super::live;
use super::top_ui::{self, Action, Key, TopModel};
use crate::model::EngineEvent;

/// Arguments of `trunkctl top`.
#[derive(Debug, clap::Args)]
pub struct TopArgs {
    /// Print one plain-text snapshot and exit (what `top` does when output is not a terminal).
    #[arg(long)]
    pub once: bool,
    /// Time between refreshes, ms.
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u64).range(50..=10_000))]
    pub interval_ms: u64,
    /// Connection (and --json: one snapshot as JSON).
    #[command(flatten)]
    pub conn: ClientArgs,
}

/// Messages from the background threads.
enum Msg {
    Data(Box<Snapshot>),
    Failed(String),
    Event(String),
}

struct Snapshot {
    status: crate::model::StatusSnapshot,
    spans: Vec<crate::model::SpanSnapshot>,
    levels: crate::diag::LevelsSnapshot,
}

fn fetch(a: &ClientArgs) -> anyhow::Result<Snapshot> {
    Ok(Snapshot { status: live::status(a)?, spans: live::spans(a)?, levels: live::levels(a, &[])? })
}

fn apply(m: &mut TopModel, s: Snapshot) {
    m.status = Some(s.status);
    m.spans = s.spans;
    m.levels = s.levels;
    m.error = None;
    m.clamp();
}

/// Runs `trunkctl top`.
pub fn run(a: &TopArgs) -> anyhow::Result<i32> {
    // One fetch first: a daemon that is not there is a plain error before the screen changes.
    let first = fetch(&a.conn)?;
    let mut model = TopModel::default();
    if a.conn.json {
        let v = serde_json::json!({"status": first.status, "spans": first.spans, "levels": first.levels});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(0);
    }
    apply(&mut model, first);
    if a.once || !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        print!("{}", top_ui::plain(&model));
        return Ok(0);
    }
    let (tx, rx) = unbounded();
    spawn_poller(a.conn.clone(), Duration::from_millis(a.interval_ms), tx.clone())?;
    spawn_events(a.conn.clone(), tx.clone())?;
    let mut children = Children { list: Vec::new(), tx, conn: a.conn.clone() };
    let r = ui(&mut model, &rx, &mut children);
    children.stop_all();
    r
}

/// Restores the terminal when dropped (normal exit and errors; ratatui's panic hook does it on
/// panic).
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

fn to_key(k: event::KeyEvent) -> Option<Key> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && matches!(k.code, KeyCode::Char('c')) {
        return Some(Key::Char('q'));
    }
    Some(match k.code {
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Tab | KeyCode::BackTab => Key::Tab,
        KeyCode::Esc => Key::Esc,
        KeyCode::Char(c) => Key::Char(c.to_ascii_lowercase()),
        _ => return None,
    })
}

fn ui(model: &mut TopModel, rx: &Receiver<Msg>, children: &mut Children) -> anyhow::Result<i32> {
    let mut term = ratatui::try_init()?;
    let _guard = TerminalGuard;
    let mut dirty = true;
    loop {
        for msg in rx.try_iter() {
            match msg {
                Msg::Data(s) => apply(model, *s),
                Msg::Failed(e) => model.error = Some(e),
                Msg::Event(l) => model.push_event(l),
            }
            dirty = true;
        }
        if dirty {
            term.draw(|f| top_ui::draw(f, model))?;
            dirty = false;
        }
        let deadline = Instant::now() + Duration::from_millis(100);
        while event::poll(deadline.saturating_duration_since(Instant::now()))? {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    let Some(key) = to_key(k) else { continue };
                    match model.key(key) {
                        Action::Quit => return Ok(0),
                        Action::Listen(c) => children.start(model, "listen", c, &[]),
                        Action::Record(c) => {
                            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S").to_string();
                            let out = format!("chan{c}-{stamp}.wav");
                            children.start(model, "record", c, &["--seconds", "30", "--out", &out]);
                        }
                        Action::None => {}
                    }
                    dirty = true;
                }
                Event::Resize(..) => dirty = true,
                _ => {}
            }
        }
    }
}

fn spawn_poller(conn: ClientArgs, every: Duration, tx: Sender<Msg>) -> anyhow::Result<()> {
    std::thread::Builder::new().name("top-poll".into()).spawn(move || loop {
        let msg = match fetch(&conn) {
            Ok(s) => Msg::Data(Box::new(s)),
            Err(e) => Msg::Failed(format!("{e:#}")),
        };
        if tx.send(msg).is_err() {
            return;
        }
        std::thread::sleep(every);
    })?;
    Ok(())
}

fn spawn_events(conn: ClientArgs, tx: Sender<Msg>) -> anyhow::Result<()> {
    const PATH: &str = "/v1/events?type=detector,call_started,call_ended,span_alarm";
    std::thread::Builder::new().name("top-events".into()).spawn(move || loop {
        let r = live::open_events(&conn, PATH).and_then(|mut s| {
            while let Some(ev) = s.next_event()? {
                let line = match serde_json::from_value::<EngineEvent>(ev.data) {
                    Ok(e) => top_ui::event_line(&e),
                    Err(_) if ev.kind == "lost" => Some("(events lost: the screen fell behind)".into()),
                    Err(_) => None,
                };
                if let Some(l) = line {
                    if tx.send(Msg::Event(l)).is_err() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        });
        let msg = match r {
            Ok(()) => "event stream ended; reconnecting".to_string(),
            Err(e) => format!("event stream: {e:#}; reconnecting"),
        };
        if tx.send(Msg::Event(msg)).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_secs(1));
    })?;
    Ok(())
}

/// The `listen` / `record` processes started from the screen.
struct Children {
    list: Vec<(String, Child)>,
    tx: Sender<Msg>,
    conn: ClientArgs,
}

impl Children {
    fn start(&mut self, model: &mut TopModel, verb: &str, chan: u32, extra: &[&str]) {
        let tag = format!("[{verb} {chan}]");
        let exe = match std::env::current_exe() {
            Ok(e) => e,
            Err(e) => {
                model.push_event(format!("{tag} cannot find trunkctl itself: {e}"));
                return;
            }
        };
        let mut cmd = Command::new(exe);
        cmd.arg(verb).arg(chan.to_string()).args(extra);
        if let Some(s) = &self.conn.socket {
            cmd.arg("--socket").arg(s);
        }
        if let Some(u) = &self.conn.url {
            cmd.arg("--url").arg(u);
        }
        if let Some(t) = &self.conn.token {
            cmd.env("TRUNKCTL_TOKEN", t);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        match cmd.spawn() {
            Ok(mut child) => {
                model.push_event(format!("{tag} started (pid {})", child.id()));
                if let Some(out) = child.stdout.take() {
                    pipe_lines(out, tag.clone(), self.tx.clone());
                }
                if let Some(err) = child.stderr.take() {
                    pipe_lines(err, tag.clone(), self.tx.clone());
                }
                self.list.push((tag, child));
            }
            Err(e) => model.push_event(format!("{tag} could not start: {e}")),
        }
    }

    /// Stops the children still running (only those this screen started).
    fn stop_all(&mut self) {
        for (tag, mut c) in self.list.drain(..) {
            if matches!(c.try_wait(), Ok(None)) {
                let _ = c.kill();
                let _ = writeln!(std::io::stderr(), "trunkctl top: stopped {tag}");
            }
            let _ = c.wait();
        }
    }
}

fn pipe_lines(r: impl std::io::Read + Send + 'static, tag: String, tx: Sender<Msg>) {
    let _ = std::thread::Builder::new().name("top-child".into()).spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if !line.trim().is_empty() && tx.send(Msg::Event(format!("{tag} {line}"))).is_err() {
                break;
            }
        }
    });
}
