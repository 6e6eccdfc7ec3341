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
//!
//! Also `record = true` and `record_format = "alaw"` (or "pcm16", "ulaw"): every bridged call is
//! recorded as a stereo WAV (caller left, agent right) under `DATA_DIR/recordings/`.
//!
//! Everything that must survive a crash is in `DATA_DIR/trunkline.db` (SQLite, WAL): the
//! campaign and each number's state, every CDR (committed with its number's new state in one
//! transaction), the recordings index. On start the demo continues where it stopped: finished
//! numbers are not dialled again, pending retries keep their times (the engine clock continues
//! from the last stored CDR), and recordings cut by a crash are repaired.

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
use crate::record::thread::{RecorderConfig, RecorderEvent, RecorderThread};
use crate::record::wav::{scan_and_repair, WavFormat};
use crate::runtime::{ApiCommand, CdrQuery, EngineRuntime, EngineView};
use crate::slice::core::Lead;
use crate::slice::{generated_numbers, CampaignPlan, RecordPlan, Slice, SliceConfig};
use crate::store::{LeadState, LeadUpdate, NewLead, Store};
use anyhow::Context;

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
    /// Record every bridged call.
    pub record: bool,
    /// Recording encoding: "pcm16", "alaw" or "ulaw".
    pub record_format: String,
    /// A CSV list (header with a `phone` column; optional name, timezone, priority and custom
    /// columns) to dial instead of `leads` generated numbers. Imported once, when the campaign is
    /// created; rows that are wrong are reported with their line and skipped.
    pub list: Option<std::path::PathBuf>,
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
            record: true,
            record_format: "alaw".into(),
            list: None,
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
    db: Option<Mutex<Store>>,
    cdrs: RwLock<VecDeque<Cdr>>,
    subs: Mutex<Vec<Sender<EngineEvent>>>,
    levels: RwLock<crate::diag::LevelsSnapshot>,
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
        // Every stored CDR, from the database (a reader connection of its own; WAL lets it read
        // while the engine writes).
        if let Some(db) = &self.db {
            let db = db.lock().map_err(|_| "CDR storage unavailable".to_string())?;
            return db.cdrs(q).map_err(|e| format!("CDR storage: {e}"));
        }
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
    fn levels(&self) -> Option<crate::diag::LevelsSnapshot> {
        self.levels.read().ok().map(|l| l.clone())
    }
}

/// The demo engine running on its own thread.
pub struct DemoRuntime {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Starts the demo: `config_toml` is the whole configuration (its `[demo]` section is used),
/// `speed` the clock's multiple of real time (0 = as fast as the CPU allows).
pub fn start(config_toml: &str, data_dir: &Path, speed: f64) -> anyhow::Result<DemoRuntime> {
    let sec = parse_section(config_toml).map_err(anyhow::Error::msg)?;
    let (persist, campaign, recorder) = Persist::open(data_dir, &sec)?;
    let cfg = SliceConfig {
        campaign: Some(campaign),
        recorder,
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
        db: Store::open(data_dir.join("trunkline.db")).ok().map(Mutex::new),
        cdrs: RwLock::new(VecDeque::new()),
        subs: Mutex::new(Vec::new()),
        levels: RwLock::new(crate::diag::LevelsSnapshot::default()),
        stopped: AtomicBool::new(false),
        cmd: cmd_tx,
    });
    let sh = shared.clone();
    let leads = persist.total_leads;
    let thread = std::thread::Builder::new()
        .name("trunkline-core".into())
        .spawn(move || run(slice, persist, sh, cmd_rx, speed, leads))?;
    Ok(DemoRuntime { shared, thread: Some(thread) })
}

fn publish(sh: &Shared, ev: EngineEvent) {
    if let Ok(mut subs) = sh.subs.lock() {
        // A full subscriber loses events (the API reports that); a gone one is dropped.
        subs.retain(|s| !matches!(s.try_send(ev.clone()), Err(TrySendError::Disconnected(_))));
    }
}

fn run(
    mut slice: Slice,
    mut persist: Persist,
    sh: Arc<Shared>,
    cmds: Receiver<Cmd>,
    speed: f64,
    leads: u64,
) -> anyhow::Result<()> {
    let mut last_report = 0u64;
    let mut draining = false;
    let mut last_snap = 0u64;
    let mut last_alarms: Vec<String> = Vec::new();
    // Channel diagnostics: meters fed every tick, levels published every 100 ms of engine time.
    let mut tap = crate::diag::tap::DiagTap::new(&slice);
    let mut diag_events = Vec::new();
    let mut last_levels = 0u64;
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
        let now = slice.now();
        tap.observe(&mut slice, now, &mut diag_events);
        for ev in diag_events.drain(..) {
            publish(&sh, ev);
        }
        if now >= last_levels + 100 || last_levels == 0 {
            last_levels = now;
            let snap = tap.snapshot(&mut slice, now);
            if let Ok(mut l) = sh.levels.write() {
                *l = snap;
            }
        }
        let new = persist.save(&mut slice);
        if !new.is_empty() {
            if let Ok(mut c) = sh.cdrs.write() {
                c.extend(new);
                while c.len() > CDR_MEMORY {
                    c.pop_front();
                }
            }
        }
        let now = slice.now();
        if now >= last_report + 600_000 {
            last_report = now;
            log_report(&slice, &persist);
        }
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
        // The first tick publishes at once, so the API has spans and channels from the start.
        if now >= last_snap + 500 || finished || last_snap == 0 {
            last_snap = now;
            let agents = slice.core.agents_snapshot();
            let r = &slice.core;
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
                finished: leads.saturating_sub(slice.core.leads_left() as u64),
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
            persist.close(&mut slice);
            log_report(&slice, &persist);
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

fn log_report(slice: &Slice, persist: &Persist) {
    let r = slice.report();
    tracing::info!(
        virtual_s = r.virtual_s,
        attempts = r.stats.attempts,
        outcomes = ?r.stats.outcomes,
        classified = r.classified,
        accuracy = format!("{:.4}", r.accuracy),
        occupancy = format!("{:.3}", r.occupancy),
        leads_left = r.leads_left,
        recordings = persist.recordings,
        store_errors = persist.errors,
        "demo report"
    );
}

/// The demo's durable state: the SQLite store, the recorder thread, and how engine time maps to
/// stored time (engine time 0 is `base`, the last stored CDR's end when the engine started).
struct Persist {
    store: Store,
    campaign: CampaignId,
    base: u64,
    recorder: Option<RecorderThread>,
    /// CDRs of `slice.cdrs` already stored.
    stored: usize,
    recordings: u64,
    errors: u64,
    total_leads: u64,
}

impl Persist {
    fn open(
        data_dir: &Path,
        sec: &DemoSection,
    ) -> anyhow::Result<(Persist, CampaignPlan, Option<RecordPlan>)> {
        let db = data_dir.join("trunkline.db");
        let mut store = Store::open(&db).with_context(|| format!("{}", db.display()))?;
        let (base, mut last_call) = store.high_water()?;
        let rec_dir = data_dir.join("recordings");
        let recorder = if sec.record {
            let format = match sec.record_format.as_str() {
                "pcm16" | "pcm" => WavFormat::Pcm16,
                "alaw" => WavFormat::Alaw,
                "ulaw" | "mulaw" => WavFormat::Ulaw,
                other => anyhow::bail!("[demo] record_format: {other:?} (expected pcm16, alaw or ulaw)"),
            };
            std::fs::create_dir_all(&rec_dir).with_context(|| format!("{}", rec_dir.display()))?;
            let scan = scan_and_repair(&rec_dir)?;
            for r in &scan.repaired {
                tracing::warn!(?r, "recording cut by a crash repaired");
            }
            for e in &scan.failed {
                tracing::warn!("recording could not be repaired: {e}");
            }
            // Files of calls that were cut before their CDR was stored keep their numbers.
            for e in std::fs::read_dir(&rec_dir)?.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                if let Some(n) = name.strip_prefix("call-").and_then(|n| n.strip_suffix(".wav")) {
                    last_call = last_call.max(n.parse().unwrap_or(0));
                }
            }
            let (thread, sender) = RecorderThread::spawn(RecorderConfig::default())?;
            Some((thread, RecordPlan { sender, dir: rec_dir, format }))
        } else {
            None
        };
        let campaign = match store.campaign_by_name("demo")? {
            Some(c) => c.id,
            None => {
                let id = store.create_campaign(
                    "demo",
                    "progressive",
                    &serde_json::json!({"generated": sec.leads, "seed": sec.seed, "list": sec.list}),
                )?;
                match &sec.list {
                    Some(path) => {
                        let f = std::fs::File::open(path).with_context(|| format!("{}", path.display()))?;
                        let report = crate::lists::import_csv(&mut store, id, std::io::BufReader::new(f))
                            .with_context(|| format!("{}", path.display()))?;
                        for e in &report.rejected {
                            tracing::warn!("{}: {e}", path.display());
                        }
                        tracing::info!("{}: {report}", path.display());
                    }
                    None => {
                        let leads: Vec<NewLead> = generated_numbers(sec.leads, sec.seed)
                            .into_iter()
                            .map(|phone| NewLead { phone, ..NewLead::default() })
                            .collect();
                        store.add_leads(id, &leads)?;
                    }
                }
                id
            }
        };
        store.set_campaign_running(campaign, true)?;
        let mut plan = CampaignPlan { first_call_id: last_call, ..CampaignPlan::default() };
        let all = store.leads(campaign)?;
        let total_leads = all.len() as u64;
        for l in all.into_iter().filter(|l| !l.finished) {
            let lead = Lead { id: l.id, phone: l.phone, attempts: l.attempts };
            if l.state == LeadState::Retry {
                plan.retries.push((l.next_attempt_ms.saturating_sub(base), lead));
            } else {
                plan.leads.push(lead);
            }
        }
        tracing::info!(
            db = %db.display(),
            base_ms = base,
            to_dial = plan.leads.len(),
            retries = plan.retries.len(),
            "campaign \"demo\" loaded"
        );
        let (thread, rec_plan) = match recorder {
            Some((t, p)) => (Some(t), Some(p)),
            None => (None, None),
        };
        let p = Persist {
            store,
            campaign,
            base,
            recorder: thread,
            stored: 0,
            recordings: 0,
            errors: 0,
            total_leads,
        };
        Ok((p, plan, rec_plan))
    }

    /// Stores the CDRs finished since the last call (each with its lead's new state, in one
    /// transaction) and the recordings closed; returns the new CDRs in stored time.
    fn save(&mut self, slice: &mut Slice) -> Vec<Cdr> {
        let mut out = Vec::new();
        for cdr in &slice.cdrs[self.stored..] {
            let mut c = cdr.clone();
            let b = self.base;
            c.start_ms += b;
            c.end_ms += b;
            c.answer_ms = c.answer_ms.map(|t| t + b);
            c.bridged_ms = c.bridged_ms.map(|t| t + b);
            c.campaign = c.campaign.map(|_| self.campaign);
            let upd = slice.lead_updates.iter().position(|u| u.call == c.call);
            let r = match upd.map(|i| slice.lead_updates.swap_remove(i)) {
                Some(u) => self.store.finish_attempt(
                    &c,
                    LeadUpdate {
                        lead: u.lead,
                        outcome: u.outcome,
                        next_attempt_ms: u.retry_at.map(|t| t + b),
                        abandoned_at_ms: u.abandoned_at.map(|t| t + b),
                    },
                ),
                None => self.store.insert_cdr(&c),
            };
            if let Err(e) = r {
                self.errors += 1;
                tracing::error!(call = c.call.0, "CDR not stored: {e}");
            }
            out.push(c);
        }
        self.stored = slice.cdrs.len();
        self.recorder_events();
        out
    }

    fn recorder_events(&mut self) {
        let Some(t) = self.recorder.as_ref() else { return };
        let evs: Vec<RecorderEvent> = t.events().try_iter().collect();
        evs.into_iter().for_each(|ev| self.on_recorder_event(ev));
    }

    /// Indexes a finished recording, or counts and logs a failed one.
    fn on_recorder_event(&mut self, ev: RecorderEvent) {
        match ev {
            RecorderEvent::Closed(rec) => {
                self.recordings += 1;
                if let Err(e) = self.store.add_recording(&rec) {
                    self.errors += 1;
                    tracing::error!(call = rec.call.0, "recording not indexed: {e}");
                }
            }
            RecorderEvent::Failed { call, error } => {
                self.errors += 1;
                tracing::error!(call = call.0, "recording failed: {error}");
            }
        }
    }

    /// Drained: every file closed and indexed, every CDR stored.
    fn close(&mut self, slice: &mut Slice) {
        let _ = self.save(slice);
        if let Some(t) = self.recorder.take() {
            let events = t.events().clone();
            let stats = t.shutdown();
            events.try_iter().for_each(|ev| self.on_recorder_event(ev));
            tracing::info!(?stats, "recorder stopped");
        }
    }
}
