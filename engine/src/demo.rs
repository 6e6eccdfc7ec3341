//! The built-in demo as a running engine: the slice (simulated board, PRI trunk to the line
//! simulator, agents, progressive campaign, inbound IVR) on its own thread, paced at `speed`×
//! real time, publishing snapshots and events for the control API and obeying the daemon
//! (drain on SIGTERM, reload on SIGHUP).
//!
//! ```toml
//! [demo]
//! agents = 10              # simulated agents (1..=30)
//! leads = 1000             # numbers in the progressive campaign
//! inbound_per_hour = 60    # inbound IVR calls per hour
//! seed = 1
//! tick_ms = 20
//! [demo.population]        # what the dialled numbers do (normalised)
//! human = 0.35
//! machine = 0.20
//! busy = 0.08
//! invalid = 0.07
//! fax = 0.03
//! no_answer = 0.22
//! congestion = 0.05
//! country = "cn"
//! ```

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use crossbeam_channel::{bounded, Receiver, Sender, TrySendError};
use serde::Deserialize;
use trunkline_driver::board::Board;
use trunkline_driver::sim::Clock;

use crate::linesim::PopulationConfig;
use crate::model::{
    AgentSnapshot, AgentState, CallSnapshot, CampaignId, CampaignSnapshot, Cdr, ChannelSnapshot, EngineEvent,
    SpanSnapshot, StatusSnapshot,
};
use crate::runtime::{ApiCommand, CdrQuery, EngineRuntime, EngineView};
use crate::slice::{Slice, SliceConfig};

/// `[demo]`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DemoSection {
    /// Simulated agents.
    pub agents: usize,
    /// Leads in the campaign.
    pub leads: usize,
    /// Inbound calls per hour.
    pub inbound_per_hour: f64,
    /// Seed.
    pub seed: u64,
    /// Tick in ms.
    pub tick_ms: u64,
    /// The population.
    pub population: PopulationConfig,
}

impl Default for DemoSection {
    fn default() -> Self {
        let d = SliceConfig::default();
        Self {
            agents: d.agents,
            leads: d.leads,
            inbound_per_hour: d.inbound_per_hour,
            seed: d.seed,
            tick_ms: d.tick_ms,
            population: d.population,
        }
    }
}

/// Reads `[demo]` from a whole configuration file's text (absent → defaults). Other sections
/// belong to other parts of the daemon and are not looked at here.
pub fn parse_section(config_toml: &str) -> Result<DemoSection, String> {
    let v: toml::Table = toml::from_str(config_toml).map_err(|e| e.to_string())?;
    match v.get("demo") {
        None => Ok(DemoSection::default()),
        Some(d) => d.clone().try_into().map_err(|e: toml::de::Error| format!("[demo]: {e}")),
    }
}

enum Cmd {
    Drain,
    Reload(DemoSection),
    Api(ApiCommand, Sender<Result<serde_json::Value, String>>),
}

#[derive(Default)]
struct Snapshots {
    status: StatusSnapshot,
    spans: Vec<SpanSnapshot>,
    channels: Vec<ChannelSnapshot>,
    calls: Vec<CallSnapshot>,
    agents: Vec<AgentSnapshot>,
    campaigns: Vec<CampaignSnapshot>,
}

/// Most CDRs kept in memory for `/v1/cdrs` (storage keeps them all).
const CDR_MEMORY: usize = 10_000;

struct Shared {
    snap: RwLock<Snapshots>,
    cdrs: RwLock<VecDeque<Cdr>>,
    subs: Mutex<Vec<Sender<EngineEvent>>>,
    stopped: AtomicBool,
    cmd: Sender<Cmd>,
}

impl EngineView for Shared {
    fn status(&self) -> StatusSnapshot {
        self.snap.read().map(|s| s.status.clone()).unwrap_or_default()
    }
    fn spans(&self) -> Vec<SpanSnapshot> {
        self.snap.read().map(|s| s.spans.clone()).unwrap_or_default()
    }
    fn channels(&self) -> Vec<ChannelSnapshot> {
        self.snap.read().map(|s| s.channels.clone()).unwrap_or_default()
    }
    fn calls(&self) -> Vec<CallSnapshot> {
        self.snap.read().map(|s| s.calls.clone()).unwrap_or_default()
    }
    fn agents(&self) -> Vec<AgentSnapshot> {
        self.snap.read().map(|s| s.agents.clone()).unwrap_or_default()
    }
    fn campaigns(&self) -> Vec<CampaignSnapshot> {
        self.snap.read().map(|s| s.campaigns.clone()).unwrap_or_default()
    }
    fn cdrs(&self, q: &CdrQuery) -> Result<Vec<Cdr>, String> {
        let limit = q.limit.unwrap_or(100).min(10_000);
        let cdrs = self.cdrs.read().map_err(|_| "CDR memory unavailable".to_string())?;
        Ok(cdrs
            .iter()
            .rev()
            .filter(|c| q.since_ms.is_none_or(|s| c.start_ms >= s))
            .filter(|c| q.campaign.is_none_or(|id| c.campaign == Some(CampaignId(id))))
            .filter(|c| q.outcome.as_deref().is_none_or(|o| c.outcome.map(|x| x.name()) == Some(o)))
            .take(limit)
            .cloned()
            .collect())
    }
    fn subscribe(&self) -> Receiver<EngineEvent> {
        let (tx, rx) = bounded(1024);
        if let Ok(mut s) = self.subs.lock() {
            s.push(tx);
        }
        rx
    }
    fn command(&self, cmd: ApiCommand) -> Result<serde_json::Value, String> {
        let (tx, rx) = bounded(1);
        self.cmd.send(Cmd::Api(cmd, tx)).map_err(|_| "the engine has stopped".to_string())?;
        rx.recv_timeout(std::time::Duration::from_secs(5))
            .map_err(|_| "the engine did not answer".to_string())?
    }
}

/// The demo engine running on its own thread.
pub struct DemoRuntime {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Starts the demo: `config_toml` is the whole configuration (its `[demo]` section is used),
/// `speed` the clock's multiple of real time (0 = as fast as the CPU allows).
pub fn start(config_toml: &str, _data_dir: &Path, speed: f64) -> anyhow::Result<DemoRuntime> {
    let sec = parse_section(config_toml).map_err(anyhow::Error::msg)?;
    let cfg = SliceConfig {
        agents: sec.agents,
        leads: sec.leads,
        inbound_per_hour: sec.inbound_per_hour,
        population: sec.population.clone(),
        seed: sec.seed,
        tick_ms: sec.tick_ms,
        clock: if speed > 0.0 { Clock::Paced { speed } } else { Clock::Virtual },
        ..SliceConfig::default()
    };
    let slice = Slice::new(cfg)?;
    let (cmd_tx, cmd_rx) = bounded(64);
    let shared = Arc::new(Shared {
        snap: RwLock::new(Snapshots::default()),
        cdrs: RwLock::new(VecDeque::new()),
        subs: Mutex::new(Vec::new()),
        stopped: AtomicBool::new(false),
        cmd: cmd_tx,
    });
    let sh = shared.clone();
    let leads = sec.leads as u64;
    let thread = std::thread::Builder::new()
        .name("trunkline-core".into())
        .spawn(move || run(slice, sh, cmd_rx, speed, leads))?;
    Ok(DemoRuntime { shared, thread: Some(thread) })
}

fn publish(sh: &Shared, ev: EngineEvent) {
    if let Ok(mut subs) = sh.subs.lock() {
        // A full subscriber loses events (the API reports that); a gone one is dropped.
        subs.retain(|s| !matches!(s.try_send(ev.clone()), Err(TrySendError::Disconnected(_))));
    }
}

fn run(mut slice: Slice, sh: Arc<Shared>, cmds: Receiver<Cmd>, speed: f64, leads: u64) -> anyhow::Result<()> {
    let mut draining = false;
    let mut last_snap = 0u64;
    let mut last_alarms: Vec<String> = Vec::new();
    loop {
        while let Ok(c) = cmds.try_recv() {
            match c {
                Cmd::Drain => {
                    draining = true;
                    let now = slice.now();
                    slice.core.drain(now);
                }
                Cmd::Reload(sec) => {
                    slice.world.inbound_per_hour = sec.inbound_per_hour;
                }
                Cmd::Api(cmd, reply) => {
                    let r = match cmd {
                        ApiCommand::Hangup { call } => slice.core.hangup(slice.now(), call),
                        ApiCommand::CampaignRun { campaign: 1, run } => {
                            slice.core.paused = !run;
                            Ok(serde_json::json!({"campaign": 1, "running": run}))
                        }
                        ApiCommand::CampaignRun { campaign, .. } => Err(format!("no campaign {campaign}")),
                        ApiCommand::AgentReady { agent, ready, reason } => {
                            slice.core.set_ready(slice.now(), agent, ready, reason)
                        }
                    };
                    let _ = reply.send(r);
                }
            }
        }
        slice.step()?;
        for ev in std::mem::take(&mut slice.core.events) {
            publish(&sh, ev);
        }
        if !slice.cdrs.is_empty() {
            if let Ok(mut c) = sh.cdrs.write() {
                c.extend(slice.cdrs.drain(..));
                while c.len() > CDR_MEMORY {
                    c.pop_front();
                }
            }
        }
        let now = slice.now();
        // Span alarm changes go out as events at once; snapshots every 500 ms of engine time.
        let spans: Vec<SpanSnapshot> = slice
            .board
            .spans()
            .into_iter()
            .map(|s| {
                let st = slice.board.span_status(s.no).unwrap_or_default();
                SpanSnapshot {
                    span: s.no.0,
                    name: s.name.clone(),
                    kind: format!("{:?}", s.config.kind),
                    framing: s.config.framing_str(),
                    alarms: st.alarms.scan_str(s.totchans as usize),
                    counters: st.counters,
                }
            })
            .collect();
        let alarms: Vec<String> = spans.iter().map(|s| s.alarms.clone()).collect();
        if alarms != last_alarms {
            for (s, a) in spans.iter().zip(&alarms) {
                if last_alarms.get(spans.iter().position(|x| x.span == s.span).unwrap_or(0)) != Some(a) {
                    publish(
                        &sh,
                        EngineEvent::SpanAlarm { at: crate::model::Ms(now), span: s.span, alarms: a.clone() },
                    );
                }
            }
            last_alarms = alarms;
        }
        let finished = draining && slice.core.active_calls() == 0;
        if now >= last_snap + 500 || finished {
            last_snap = now;
            let agents = slice.core.agents_snapshot();
            let r = slice.report();
            let status = StatusSnapshot {
                now_ms: now,
                speed,
                spans: spans.len(),
                spans_in_alarm: spans.iter().filter(|s| s.alarms != "OK").count(),
                calls: slice.core.active_calls(),
                agents_logged_in: agents.len(),
                agents_ready: agents.iter().filter(|a| a.state == AgentState::Ready).count(),
                agents_talking: agents.iter().filter(|a| a.state == AgentState::Talking).count(),
                draining,
                dropped: slice.dropped(),
            };
            let campaigns = vec![CampaignSnapshot {
                campaign: CampaignId(1),
                name: "demo".into(),
                mode: "progressive".into(),
                running: !slice.core.paused && !draining,
                leads,
                finished: leads.saturating_sub(r.leads_left),
                attempts: r.stats.attempts,
                live: r.stats.bridged + r.stats.abandoned,
                abandoned: r.stats.abandoned,
            }];
            let channels = slice.channels_snapshot();
            if let Ok(mut s) = sh.snap.write() {
                *s = Snapshots {
                    status,
                    spans,
                    channels,
                    calls: slice.core.calls_snapshot(),
                    agents,
                    campaigns,
                };
            }
        }
        if finished {
            sh.stopped.store(true, Ordering::SeqCst);
            return Ok(());
        }
    }
}

impl EngineRuntime for DemoRuntime {
    fn view(&self) -> Arc<dyn EngineView> {
        self.shared.clone()
    }

    fn reload(&mut self, config_toml: &str) -> Result<(), String> {
        let sec = parse_section(config_toml)?;
        self.shared.cmd.send(Cmd::Reload(sec)).map_err(|_| "the engine has stopped".to_string())
    }

    fn drain(&mut self) {
        let _ = self.shared.cmd.send(Cmd::Drain);
    }

    fn is_stopped(&self) -> bool {
        self.shared.stopped.load(Ordering::SeqCst) || self.thread.as_ref().is_some_and(|t| t.is_finished())
    }

    fn join(mut self: Box<Self>) -> anyhow::Result<()> {
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| anyhow::anyhow!("the engine thread panicked"))?,
            None => Ok(()),
        }
    }
}
