//! `trunkd`, the daemon: reads the configuration, builds the engine, serves the control API,
//! talks to systemd (`Type=notify`, watchdog, status) and handles signals — SIGTERM/SIGINT
//! drain calls and exit, SIGHUP reloads the configuration.
//!
//! The engine itself comes from a constructor passed to [`run`] (in the shipped binary,
//! [`crate::engine_main::build`]), so this shell is tested with fake engines.

pub mod config;
pub mod logging;
pub mod notify;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::api::{ApiConfig, ApiServer};
use crate::runtime::{EngineRuntime, EngineView};
pub use config::Config;
use notify::{NotifyPlan, NotifySocket};

/// The configuration file read when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "/etc/trunkline/trunkd.toml";
/// The data directory used when neither `--data-dir`, `[daemon] data_dir` nor systemd's
/// `$STATE_DIRECTORY` says otherwise.
pub const DEFAULT_DATA_DIR: &str = "./trunkline-data";

/// Command-line arguments of `trunkd`.
#[derive(Clone, Debug, clap::Parser)]
#[command(
    name = "trunkd",
    version,
    about = "Trunkline daemon: telephony engine, dialer and ACD with a control API"
)]
pub struct Args {
    /// Configuration file (default /etc/trunkline/trunkd.toml; without it, the built-in demo runs).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (database, recordings, API socket); default ./trunkline-data.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Speed of the virtual clock over real time (simulated board / demo only).
    #[arg(long, default_value_t = 1.0, value_name = "N")]
    pub speed: f64,
    /// Validate the configuration and exit (0 when valid, 2 otherwise).
    #[arg(long)]
    pub check_config: bool,
}

/// A request to the daemon's main loop (from signals, or from tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Drain and exit (SIGTERM, SIGINT).
    Stop,
    /// Re-read the configuration (SIGHUP).
    Reload,
}

/// How the main loop behaves.
#[derive(Clone, Debug)]
pub struct LoopOptions {
    /// The file SIGHUP re-reads (`None`: the demo; reload is refused).
    pub config_path: Option<PathBuf>,
    /// systemd watchdog interval (we ping at half of it).
    pub watchdog: Option<Duration>,
    /// How often STATUS= is refreshed.
    pub status_every: Duration,
    /// How long draining may take before we give up.
    pub drain_timeout: Duration,
    /// How often `is_stopped` is polled while draining.
    pub drain_poll: Duration,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions {
            config_path: None,
            watchdog: None,
            status_every: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(30),
            drain_poll: Duration::from_millis(50),
        }
    }
}

/// How the main loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum LoopExit {
    /// Drained cleanly.
    Drained,
    /// Draining did not finish in time.
    DrainTimeout(Duration),
    /// A second stop signal arrived while draining.
    Forced,
    /// The control channel closed (no more signals can arrive): treated like a stop.
    ControlClosed,
}

fn send_notify(notify: &mut dyn FnMut(&str), view: &dyn EngineView) {
    let st = view.status();
    notify(&notify::status_line(st.calls, st.agents_ready, st.spans_in_alarm));
}

/// The daemon's main loop: keeps systemd informed, applies reloads, and on stop drains the
/// engine. `notify` receives sd_notify messages (sent after READY=1 was already sent).
pub fn main_loop(
    rt: &mut dyn EngineRuntime,
    ctl: &Receiver<Control>,
    notify: &mut dyn FnMut(&str),
    opts: &LoopOptions,
) -> LoopExit {
    let view = rt.view();
    let mut plan = NotifyPlan::new(Instant::now(), opts.watchdog, opts.status_every);
    loop {
        let due = plan.poll(Instant::now());
        if due.watchdog {
            notify("WATCHDOG=1");
        }
        if due.status {
            send_notify(notify, view.as_ref());
        }
        let wait = plan.poll_timeout().saturating_duration_since(Instant::now());
        match ctl.recv_timeout(wait) {
            Ok(Control::Reload) => reload(rt, notify, opts),
            Ok(Control::Stop) => return drain(rt, ctl, notify, &mut plan, opts),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                let _ = drain(rt, ctl, notify, &mut plan, opts);
                return LoopExit::ControlClosed;
            }
        }
    }
}

fn reload(rt: &mut dyn EngineRuntime, notify: &mut dyn FnMut(&str), opts: &LoopOptions) {
    let Some(path) = &opts.config_path else {
        tracing::warn!("SIGHUP: running the built-in demo without a configuration file; nothing to reload");
        return;
    };
    notify("RELOADING=1");
    match Config::load(path) {
        Ok(cfg) => match rt.reload(&cfg.raw) {
            Ok(()) => tracing::info!("reloaded {}", path.display()),
            Err(e) => {
                tracing::error!("reloading {} failed, keeping the running configuration: {e}", path.display())
            }
        },
        Err(e) => {
            tracing::error!("reloading failed, keeping the running configuration: {e}")
        }
    }
    // [daemon], [api] and [board] changes need a restart; the engine applies the rest.
    notify("READY=1");
}

fn drain(
    rt: &mut dyn EngineRuntime,
    ctl: &Receiver<Control>,
    notify: &mut dyn FnMut(&str),
    plan: &mut NotifyPlan,
    opts: &LoopOptions,
) -> LoopExit {
    tracing::info!("stopping: draining calls");
    notify("STOPPING=1");
    rt.drain();
    let start = Instant::now();
    loop {
        if rt.is_stopped() {
            tracing::info!("drained in {:.1} s", start.elapsed().as_secs_f64());
            return LoopExit::Drained;
        }
        if start.elapsed() >= opts.drain_timeout {
            return LoopExit::DrainTimeout(opts.drain_timeout);
        }
        if plan.poll(Instant::now()).watchdog {
            notify("WATCHDOG=1");
        }
        if let Ok(Control::Stop) = ctl.recv_timeout(opts.drain_poll) {
            tracing::warn!("second stop signal: exiting without finishing the drain");
            return LoopExit::Forced;
        }
    }
}

/// Forwards SIGTERM/SIGINT/SIGHUP to `tx` as [`Control`] messages from a signal-hook thread.
/// The returned handle stops the forwarding.
pub fn forward_signals(tx: Sender<Control>) -> std::io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    let handle = signals.handle();
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for sig in signals.forever() {
            let msg = if sig == SIGHUP { Control::Reload } else { Control::Stop };
            if tx.send(msg).is_err() {
                break;
            }
        }
    })?;
    Ok(handle)
}

/// Reads the configuration the way `trunkd` does: `--config`, else the default file if it
/// exists, else the demo.
pub fn resolve_config(args: &Args) -> Result<Config, config::ConfigError> {
    match &args.config {
        Some(p) => Config::load(p),
        None if Path::new(DEFAULT_CONFIG).exists() => Config::load(Path::new(DEFAULT_CONFIG)),
        None => Ok(Config::demo()),
    }
}

/// The data directory: `--data-dir`, else `[daemon] data_dir`, else `$STATE_DIRECTORY`
/// (systemd's StateDirectory=), else `./trunkline-data`.
pub fn data_dir(args: &Args, cfg: &Config, state_directory: Option<&str>) -> PathBuf {
    args.data_dir
        .clone()
        .or_else(|| cfg.daemon.data_dir.clone())
        .or_else(|| {
            state_directory.and_then(|s| s.split(':').next()).filter(|s| !s.is_empty()).map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Runs the daemon to completion and returns the process exit code: 0 after a clean drain,
/// 1 on a runtime failure, 2 on a configuration error.
///
/// `make_engine` builds and starts the engine from the configuration and the data directory.
pub fn run(
    args: Args,
    make_engine: impl FnOnce(&Config, &Path) -> anyhow::Result<Box<dyn EngineRuntime>>,
) -> i32 {
    let cfg = match resolve_config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("trunkd: configuration error: {e}");
            return 2;
        }
    };
    if !(args.speed.is_finite() && args.speed > 0.0) {
        eprintln!("trunkd: --speed must be a positive number");
        return 2;
    }
    if args.check_config {
        match &cfg.path {
            Some(p) => println!("{}: ok", p.display()),
            None => println!("no configuration file ({DEFAULT_CONFIG} absent): the built-in demo would run"),
        }
        return 0;
    }
    logging::init(cfg.daemon.log.as_deref(), env("JOURNAL_STREAM").is_some());
    match run_daemon(&args, &cfg, make_engine) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e:#}");
            1
        }
    }
}

fn run_daemon(
    args: &Args,
    cfg: &Config,
    make_engine: impl FnOnce(&Config, &Path) -> anyhow::Result<Box<dyn EngineRuntime>>,
) -> anyhow::Result<i32> {
    use anyhow::Context;
    let dir = data_dir(args, cfg, env("STATE_DIRECTORY").as_deref());
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))?;
    match &cfg.path {
        Some(p) => tracing::info!("configuration {}", p.display()),
        None => tracing::info!("no {DEFAULT_CONFIG}: running the built-in demo (speed x{})", args.speed),
    }
    let notifier = NotifySocket::from_env_value(env("NOTIFY_SOCKET").as_deref()).context("NOTIFY_SOCKET")?;
    let mut notify = |msg: &str| {
        if let Some(n) = &notifier {
            if let Err(e) = n.send(msg) {
                tracing::warn!("sd_notify {msg:?}: {e}");
            }
        }
    };

    let mut rt = make_engine(cfg, &dir).context("starting the engine")?;
    let socket = cfg.socket_path(&dir, env("RUNTIME_DIRECTORY").as_deref());
    let api_cfg = ApiConfig {
        socket: Some(socket.clone()),
        tcp: cfg.api.tcp,
        token: cfg.api.token.clone(),
        max_connections: cfg.api.max_connections.unwrap_or(256),
        ..ApiConfig::default()
    };
    let view: Arc<dyn EngineView> = rt.view();
    let api = match ApiServer::start(api_cfg, view) {
        Ok(a) => a,
        Err(e) => {
            rt.drain();
            return Err(anyhow::Error::new(e).context("starting the control API"));
        }
    };
    tracing::info!("control API on {}", socket.display());
    if let Some(a) = api.tcp_addr() {
        tracing::info!("control API on tcp {a} (bearer token required)");
    }

    let (tx, rx) = crossbeam_channel::bounded(16);
    let sig = forward_signals(tx).context("installing signal handlers")?;
    notify("READY=1");
    let opts = LoopOptions {
        config_path: cfg.path.clone(),
        watchdog: notify::watchdog_from_env(
            env("WATCHDOG_USEC").as_deref(),
            env("WATCHDOG_PID").as_deref(),
            std::process::id(),
        ),
        drain_timeout: Duration::from_secs(cfg.daemon.drain_timeout_s.unwrap_or(30)),
        ..LoopOptions::default()
    };
    let exit = main_loop(rt.as_mut(), &rx, &mut notify, &opts);
    sig.close();
    api.shutdown();
    match exit {
        LoopExit::Drained | LoopExit::ControlClosed => {
            rt.join().context("engine threads")?;
            tracing::info!("stopped");
            Ok(0)
        }
        LoopExit::DrainTimeout(t) => {
            let msg =
                format!("calls did not drain within {} s; exiting without a clean shutdown", t.as_secs());
            tracing::error!("{msg}");
            Ok(1)
        }
        LoopExit::Forced => Ok(1),
    }
}
