//! Shared fakes for the API and daemon tests: an in-memory `EngineView`, a fake
//! `EngineRuntime`, and a tiny HTTP client over Unix/TCP sockets.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender};
use trunkline_engine::model::*;
use trunkline_engine::runtime::{ApiCommand, CdrQuery, EngineRuntime, EngineView};

/// A fake engine view with fixed snapshots and a publishable event bus.
pub struct FakeView {
    pub subscribers: Mutex<Vec<Sender<EngineEvent>>>,
    pub commands: Mutex<Vec<ApiCommand>>,
    pub last_cdr_query: Mutex<Option<CdrQuery>>,
    /// Capacity of each subscription channel.
    pub capacity: usize,
    /// Pre-fill each new subscription with this many events (to simulate an overrun).
    pub prefill: usize,
    pub draining: AtomicBool,
}

impl Default for FakeView {
    fn default() -> Self {
        FakeView {
            subscribers: Mutex::default(),
            commands: Mutex::default(),
            last_cdr_query: Mutex::default(),
            capacity: 64,
            prefill: 0,
            draining: AtomicBool::new(false),
        }
    }
}

pub fn call_state(i: u64) -> EngineEvent {
    EngineEvent::CallState { at: Ms(i), call: CallId(i), state: "ringing".into() }
}

impl FakeView {
    /// Publishes to every subscriber without blocking (drops when full); returns how many got it.
    pub fn publish(&self, ev: EngineEvent) -> usize {
        let subs = self.subscribers.lock().unwrap();
        subs.iter().filter(|s| s.try_send(ev.clone()).is_ok()).count()
    }

    pub fn subscriber_count(&self) -> usize {
        self.subscribers.lock().unwrap().len()
    }
}

impl EngineView for FakeView {
    fn status(&self) -> StatusSnapshot {
        StatusSnapshot {
            now_ms: 12_345,
            speed: 1.0,
            spans: 2,
            spans_in_alarm: 1,
            calls: 1,
            agents_logged_in: 2,
            agents_ready: 1,
            agents_talking: 1,
            draining: self.draining.load(Ordering::SeqCst),
            dropped: 7,
        }
    }
    fn spans(&self) -> Vec<SpanSnapshot> {
        vec![
            SpanSnapshot {
                span: 1,
                name: "SIM/0/1".into(),
                kind: "E1".into(),
                framing: "CCS/HDB3/CRC4".into(),
                alarms: "OK".into(),
                counters: Default::default(),
            },
            SpanSnapshot {
                span: 2,
                name: "SIM/0/2".into(),
                kind: "E1".into(),
                framing: "CCS/HDB3/CRC4".into(),
                alarms: "RED".into(),
                counters: Default::default(),
            },
        ]
    }
    fn channels(&self) -> Vec<ChannelSnapshot> {
        vec![ChannelSnapshot {
            channel: 1,
            name: "DAHDI/1-1".into(),
            state: "talking".into(),
            call: Some(CallId(9)),
            rx_dbm0: -20.0,
            tx_dbm0: -18.5,
        }]
    }
    fn calls(&self) -> Vec<CallSnapshot> {
        vec![CallSnapshot {
            call: CallId(9),
            direction: "outbound".into(),
            channel: 1,
            state: "bridged".into(),
            ani: "100".into(),
            dnis: "5551234".into(),
            agent: Some(AgentId(3)),
            since_ms: 10_000,
        }]
    }
    fn agents(&self) -> Vec<AgentSnapshot> {
        vec![
            AgentSnapshot {
                agent: AgentId(3),
                name: "Ann".into(),
                channel: Some(31),
                state: AgentState::Talking,
                since_ms: 10_000,
                call: Some(CallId(9)),
                calls: 4,
            },
            AgentSnapshot {
                agent: AgentId(4),
                name: "Bob".into(),
                channel: Some(32),
                state: AgentState::Ready,
                since_ms: 11_000,
                call: None,
                calls: 2,
            },
        ]
    }
    fn campaigns(&self) -> Vec<CampaignSnapshot> {
        vec![CampaignSnapshot {
            campaign: CampaignId(1),
            name: "spring \"sale\"".into(),
            mode: "predictive".into(),
            running: true,
            leads: 1000,
            finished: 100,
            attempts: 150,
            live: 60,
            abandoned: 1,
        }]
    }
    fn cdrs(&self, q: &CdrQuery) -> Result<Vec<Cdr>, String> {
        *self.last_cdr_query.lock().unwrap() = Some(q.clone());
        if q.campaign == Some(666) {
            return Err("database is locked".into());
        }
        Ok(vec![Cdr {
            call: CallId(8),
            direction: "outbound".into(),
            channel: 2,
            ani: "100".into(),
            dnis: "5550000".into(),
            campaign: Some(CampaignId(1)),
            lead: Some(LeadId(5)),
            queue: None,
            agent: None,
            start_ms: 1_000,
            answer_ms: None,
            bridged_ms: None,
            end_ms: 31_000,
            outcome: None,
            cause: 19,
            evidence: "[]".into(),
            recording: None,
        }])
    }
    fn subscribe(&self) -> Receiver<EngineEvent> {
        let (tx, rx) = crossbeam_channel::bounded(self.capacity);
        for i in 0..self.prefill {
            let _ = tx.try_send(call_state(i as u64));
        }
        self.subscribers.lock().unwrap().push(tx);
        rx
    }
    fn command(&self, cmd: ApiCommand) -> Result<serde_json::Value, String> {
        self.commands.lock().unwrap().push(cmd.clone());
        match cmd {
            ApiCommand::Hangup { call: 404 } => Err("no such call 404".into()),
            _ => Ok(serde_json::json!({"ok": true})),
        }
    }
}

/// A fake runtime around a [`FakeView`]; `drain_polls` is how many `is_stopped` calls
/// return false after `drain` (u64::MAX: never stops).
pub struct FakeRuntime {
    pub view: Arc<FakeView>,
    pub reloads: Arc<Mutex<Vec<String>>>,
    pub drained: Arc<AtomicBool>,
    pub drain_polls: usize,
    pub polls: AtomicUsize,
    pub reject_reload: bool,
}

impl FakeRuntime {
    pub fn new(view: Arc<FakeView>) -> Self {
        FakeRuntime {
            view,
            reloads: Arc::default(),
            drained: Arc::default(),
            drain_polls: 2,
            polls: AtomicUsize::new(0),
            reject_reload: false,
        }
    }
}

impl EngineRuntime for FakeRuntime {
    fn view(&self) -> Arc<dyn EngineView> {
        self.view.clone()
    }
    fn reload(&mut self, config_toml: &str) -> Result<(), String> {
        if self.reject_reload {
            return Err("bad campaign".into());
        }
        self.reloads.lock().unwrap().push(config_toml.to_string());
        Ok(())
    }
    fn drain(&mut self) {
        self.drained.store(true, Ordering::SeqCst);
        self.view.draining.store(true, Ordering::SeqCst);
    }
    fn is_stopped(&self) -> bool {
        self.drained.load(Ordering::SeqCst) && self.polls.fetch_add(1, Ordering::SeqCst) >= self.drain_polls
    }
    fn join(self: Box<Self>) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Sends raw bytes, reads until EOF, returns (status, body).
pub fn raw_exchange(s: &mut (impl Read + Write), raw: &[u8]) -> (u16, String) {
    s.write_all(raw).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}
