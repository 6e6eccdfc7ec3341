//! The engine slice end to end, in lock step on the board's clock: a simulated board with a PRI
//! trunk span (1) to the line simulator (2) and an agent span (3) to simulated agents' phones
//! (4); a progressive campaign and an inbound IVR flow; every decision taken from real
//! signalling and real audio. The same code runs in tests (virtual time) and in the daemon's
//! demo (paced).

pub mod core;
pub mod trunk;
pub mod world;

use serde::Serialize;
use trunkline_driver::board::{Board, BoardEvent};
use trunkline_driver::ring::RingConfig;
use trunkline_driver::sim::{Clock, SimBoard, SimConfig};
use trunkline_driver::{ChannelNo, SpanNo};
use trunkline_dsp::event::ToneEvent;
use trunkline_dsp::g711::Law;

use std::collections::HashMap;
use std::path::PathBuf;

use self::core::{Core, CoreRecording, CoreStats, Lead, LeadOutcome};
use self::trunk::PriLink;
use self::world::World;
use crate::handle::{StationBits, StationId, Switch};
use crate::linesim::agents::AgentBehaviour;
use crate::linesim::{Behaviour, Population, PopulationConfig};
use crate::media::detectors::DetectorOptions;
use crate::media::{MediaId, MediaSet};
use crate::model::{Cdr, LeadId, Outcome};
use crate::record::thread::RecorderSender;
use crate::record::wav::WavFormat;
use crate::signalling::pri::span::{PriConfig, PriSpan};
use crate::signalling::pri::{Role, Variant};
use crate::signalling::time::Ms as SigMs;

/// Agent line bits, engine → phone: idle.
pub const AGENT_IDLE: u8 = 0x0D;
/// Engine → phone: a call is offered (ring).
pub const AGENT_OFFER: u8 = 0x05;
/// Engine → phone: connected to a caller.
pub const AGENT_CONNECTED: u8 = 0x01;
/// Engine → phone: the caller has gone (hang up).
pub const AGENT_CLEAR: u8 = 0x09;
/// Phone → engine: on hook.
pub const AGENT_ONHOOK: u8 = 0x0D;
/// Phone → engine: off hook.
pub const AGENT_OFFHOOK: u8 = 0x05;

/// What the slice runs.
#[derive(Clone, Debug)]
pub struct SliceConfig {
    /// Simulated agents (1..=30).
    pub agents: usize,
    /// Leads in the progressive campaign.
    pub leads: usize,
    /// Inbound calls per hour.
    pub inbound_per_hour: f64,
    /// The subscriber population.
    pub population: PopulationConfig,
    /// Agent behaviour.
    pub agent: AgentBehaviour,
    /// Seed of everything random.
    pub seed: u64,
    /// Tick length in ms.
    pub tick_ms: u64,
    /// Virtual or paced clock.
    pub clock: Clock,
    /// The campaign's leads when they come from storage (a resumed campaign); `None`: `leads`
    /// numbers generated from the seed.
    pub campaign: Option<CampaignPlan>,
    /// Record every bridged call (stereo WAV, caller left, agent right) with this recorder.
    pub recorder: Option<RecordPlan>,
}

/// A campaign loaded from storage.
#[derive(Clone, Debug, Default)]
pub struct CampaignPlan {
    /// Leads to dial now, in order.
    pub leads: Vec<Lead>,
    /// Leads to dial again at an engine time.
    pub retries: Vec<(u64, Lead)>,
    /// Call ids start after this one.
    pub first_call_id: u64,
}

/// Where and how bridged calls are recorded.
#[derive(Clone)]
pub struct RecordPlan {
    /// The recorder thread's sender.
    pub sender: RecorderSender,
    /// Directory the WAV files go to (one per call, `call-<id>.wav`).
    pub dir: PathBuf,
    /// Encoding.
    pub format: WavFormat,
}

impl std::fmt::Debug for RecordPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordPlan").field("dir", &self.dir).field("format", &self.format).finish()
    }
}

/// The agents' station lines as the slice's phones signal them.
pub const STATION_BITS: StationBits = StationBits {
    idle: AGENT_IDLE,
    offer: AGENT_OFFER,
    connected: AGENT_CONNECTED,
    clear: AGENT_CLEAR,
    offhook: AGENT_OFFHOOK,
};

/// The numbers of the generated demo campaign.
pub fn generated_numbers(n: usize, seed: u64) -> Vec<String> {
    (0..n).map(|i| format!("1380{:07}", (i as u64 * 7_919 + seed) % 10_000_000)).collect()
}

impl Default for SliceConfig {
    fn default() -> Self {
        Self {
            agents: 10,
            leads: 1000,
            inbound_per_hour: 60.0,
            population: PopulationConfig::default(),
            agent: AgentBehaviour::default(),
            seed: 1,
            tick_ms: 20,
            clock: Clock::Virtual,
            campaign: None,
            recorder: None,
        }
    }
}

/// The running slice.
pub struct Slice {
    /// The board.
    pub board: SimBoard,
    /// Engine-side media.
    pub media: MediaSet,
    world_media: MediaSet,
    /// Engine core.
    pub core: Core,
    /// The simulated world.
    pub world: World,
    now: u64,
    tick_ms: u64,
    tones: Vec<(MediaId, ToneEvent)>,
    /// CDRs taken from the core so far.
    pub cdrs: Vec<Cdr>,
    agent_media: Vec<MediaId>,
    talk_ms: u64,
    /// Lead updates taken from the core with `cdrs` (same order).
    pub lead_updates: Vec<LeadOutcome>,
    board_events: Vec<BoardEvent>,
}

fn open_all(
    board: &mut SimBoard,
    media: &mut MediaSet,
    chans: impl Iterator<Item = ChannelNo>,
) -> anyhow::Result<Vec<(ChannelNo, MediaId)>> {
    let mut out = Vec::new();
    for c in chans {
        let end = board.open(c, RingConfig { audio: 2400, ..RingConfig::default() })?;
        out.push((c, media.add(c, end, Law::Alaw)));
    }
    Ok(out)
}

impl Slice {
    /// Builds the board, the stacks, the world and the campaign.
    pub fn new(cfg: SliceConfig) -> anyhow::Result<Self> {
        anyhow::ensure!((1..=30).contains(&cfg.agents), "agents must be 1..=30 (one E1 agent span)");
        anyhow::ensure!((1..=20).contains(&cfg.tick_ms), "tick_ms must be 1..=20");
        let mut bcfg = SimConfig::e1_pairs(4);
        bcfg.tick_frames = cfg.tick_ms as usize * 8;
        bcfg.clock = cfg.clock;
        let mut board = SimBoard::new(bcfg)?;
        board.start()?;
        let n = cfg.tick_ms as usize * 8;
        let mut media = MediaSet::new(n);
        let mut world_media = MediaSet::new(n);
        let bts: Vec<u8> = (1..=31u8).filter(|&t| t != 16).collect();
        // Span 1 (basechan 1): our trunk; span 2 (basechan 32): the network.
        let ours = open_all(&mut board, &mut media, bts.iter().map(|&t| ChannelNo(t as u32)))?;
        let theirs = open_all(&mut board, &mut world_media, bts.iter().map(|&t| ChannelNo(31 + t as u32)))?;
        let d1 = board.open(ChannelNo(16), RingConfig::default())?;
        let d2 = board.open(ChannelNo(31 + 16), RingConfig::default())?;
        // Agents on span 3 (basechan 63), phones on span 4 (basechan 94), skipping TS16.
        let agent_ts: Vec<u32> = (1..=31u32).filter(|&t| t != 16).take(cfg.agents).collect();
        let agents = open_all(&mut board, &mut media, agent_ts.iter().map(|&t| ChannelNo(62 + t)))?;
        let phones = open_all(&mut board, &mut world_media, agent_ts.iter().map(|&t| ChannelNo(93 + t)))?;
        for (_, m) in phones.iter() {
            if let Some(mc) = world_media.get_mut(*m) {
                mc.end().set_tx_cas(AGENT_ONHOOK);
            }
        }
        let mut user = PriSpan::new(PriConfig::new(Role::User, Variant::EuroIsdnE1));
        let mut net = PriSpan::new(PriConfig::new(Role::Network, Variant::EuroIsdnE1));
        user.start(SigMs(0));
        net.start(SigMs(0));
        let opts = DetectorOptions { country: cfg.population.country.clone() };
        let mut switch = Switch::new(opts);
        let trunk = switch.add_trunk(
            PriLink::new(user, d1, 1),
            SpanNo(1),
            bts.iter().copied().zip(ours.iter()).map(|(b, &(c, m))| (b, c, m)).collect(),
        );
        let stations: Vec<(ChannelNo, StationId)> =
            agents.iter().map(|&(c, m)| (c, switch.add_station(SpanNo(3), c, m, STATION_BITS))).collect();
        if let Some(r) = cfg.recorder.as_ref() {
            switch.set_recorder(r.sender.clone());
        }
        let population = Population::new(cfg.population.clone(), cfg.seed).map_err(anyhow::Error::msg)?;
        let plan = cfg.campaign.clone().unwrap_or_else(|| CampaignPlan {
            leads: generated_numbers(cfg.leads, cfg.seed)
                .into_iter()
                .enumerate()
                .map(|(i, phone)| Lead { id: LeadId(i as u64 + 1), phone, attempts: 0 })
                .collect(),
            ..CampaignPlan::default()
        });
        let agent_media: Vec<MediaId> = agents.iter().map(|a| a.1).collect();
        let mut core = Core::new(switch, trunk, stations, plan.leads, plan.first_call_id);
        core.add_retries(plan.retries);
        if let Some(r) = cfg.recorder.as_ref() {
            core.record_bridged(CoreRecording { dir: r.dir.clone(), format: r.format });
        }
        // The agents' lines idle from the first tick.
        core.switch.flush(&mut media);
        let mut world = World::new(
            PriLink::new(net, d2, 32),
            bts.iter().copied().zip(theirs.iter().map(|o| o.1)).collect(),
            population,
            phones,
            cfg.agent.clone(),
            cfg.seed,
        );
        world.inbound_per_hour = cfg.inbound_per_hour;
        Ok(Self {
            board,
            media,
            world_media,
            core,
            world,
            now: 0,
            tick_ms: cfg.tick_ms,
            tones: Vec::new(),
            cdrs: Vec::new(),
            agent_media,
            talk_ms: 0,
            lead_updates: Vec::new(),
            board_events: Vec::new(),
        })
    }

    /// The far side's media (the line simulator's B-channels and the agents' phones), for tests
    /// that play or measure audio there.
    pub fn world_media_mut(&mut self) -> &mut MediaSet {
        &mut self.world_media
    }

    /// What the engine's detectors reported in the last tick (for diagnostics).
    pub fn last_tones(&self) -> &[(MediaId, ToneEvent)] {
        &self.tones
    }

    /// Engine time in ms.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// One tick: decisions, transmit, the board's tick, receive.
    pub fn step(&mut self) -> anyhow::Result<()> {
        self.core.step(self.now, &mut self.media, &self.tones, &self.board_events);
        self.world.step(self.now, &mut self.world_media);
        self.media.transmit();
        self.world_media.transmit();
        self.board.tick()?;
        self.board_events.clear();
        while let Some(e) = self.board.poll_event() {
            if matches!(e, BoardEvent::Alarm { .. }) {
                self.board_events.push(e);
            }
        }
        self.tones.clear();
        let tones = &mut self.tones;
        self.media.receive(&mut |id, e| tones.push((id, e)), &mut |_| {});
        self.world_media.receive(&mut |_, _| {}, &mut |_| {});
        self.now += self.tick_ms;
        let talking =
            self.core.agent_states().iter().filter(|a| a.2 == crate::model::AgentState::Talking).count()
                as u64;
        self.talk_ms += talking * self.tick_ms;
        self.cdrs.append(&mut self.core.cdrs);
        self.lead_updates.append(&mut self.core.lead_updates);
        Ok(())
    }

    /// Runs for `ms` of engine time.
    pub fn run_for(&mut self, ms: u64) -> anyhow::Result<()> {
        let end = self.now + ms;
        while self.now < end {
            self.step()?;
        }
        Ok(())
    }

    /// Recordings that could not be opened or closed (the recorder thread stopped or was busy).
    pub fn recording_failures(&self) -> u64 {
        self.core.recording_failures()
    }

    /// Ring overruns and underruns plus dropped board events so far, on the engine's channels.
    pub fn dropped(&self) -> u64 {
        self.board.events_dropped()
            + self
                .media
                .ids()
                .filter_map(|id| self.media.get(id))
                .map(|m| {
                    let s = m.stats();
                    s.rx_overruns + s.frames_dropped
                })
                .sum::<u64>()
    }

    /// The engine's channels with their levels, for the API.
    pub fn channels_snapshot(&self) -> Vec<crate::model::ChannelSnapshot> {
        let calls = self.core.calls_snapshot();
        let mut v: Vec<_> = self
            .media
            .ids()
            .filter_map(|id| self.media.get(id))
            .map(|m| {
                let call = calls.iter().find(|c| c.channel == m.chan.0);
                crate::model::ChannelSnapshot {
                    channel: m.chan.0,
                    name: format!("DAHDI/{}-{}", (m.chan.0 - 1) / 31 + 1, (m.chan.0 - 1) % 31 + 1),
                    state: call.map_or("idle".into(), |c| c.state.clone()),
                    call: call.map(|c| c.call),
                    rx_dbm0: m.rx_meter.dbm0(),
                    tx_dbm0: m.tx_meter.dbm0(),
                }
            })
            .collect();
        v.sort_by_key(|c| c.channel);
        v
    }

    /// What happened so far, scored against the simulator's truth.
    pub fn report(&self) -> SliceReport {
        let mut matched = 0u64;
        let mut correct = 0u64;
        let mut confusion = std::collections::BTreeMap::<String, u64>::new();
        // Truth calls by number, in time order: each CDR takes the first unused one inside its
        // time span.
        let mut by_number: HashMap<&str, Vec<(usize, u64)>> = HashMap::new();
        for (i, (n, t, _)) in self.world.truth.calls.iter().enumerate() {
            by_number.entry(n.as_str()).or_default().push((i, *t));
        }
        let mut used = vec![false; self.world.truth.calls.len()];
        for c in self.cdrs.iter().filter(|c| c.direction == "outbound") {
            let Some(o) = c.outcome else { continue };
            if c.evidence.contains(self::core::SHUTDOWN_EVIDENCE)
                || c.evidence.contains(self::core::SPAN_ALARM_EVIDENCE)
            {
                continue;
            }
            let hit = by_number.get(c.dnis.as_str()).and_then(|v| {
                v.iter().find(|(i, t)| !used[*i] && *t >= c.start_ms && *t <= c.end_ms).map(|x| x.0)
            });
            let Some(i) = hit else { continue };
            used[i] = true;
            let truth = self.world.truth.calls[i].2;
            matched += 1;
            let ok = matches!(
                (truth, o),
                (Behaviour::Human, Outcome::Human | Outcome::Abandoned)
                    | (Behaviour::Machine, Outcome::Machine)
                    | (Behaviour::Busy, Outcome::Busy)
                    | (Behaviour::Invalid, Outcome::Invalid)
                    | (Behaviour::Fax, Outcome::Fax)
                    | (Behaviour::NoAnswer, Outcome::NoAnswer)
                    | (Behaviour::Congestion, Outcome::Congestion)
            );
            correct += ok as u64;
            *confusion.entry(format!("{truth:?}->{}", o.name())).or_default() += 1;
        }
        let logged = self.agent_media.len() as u64 * self.now.max(1);
        SliceReport {
            virtual_s: self.now as f64 / 1000.0,
            stats: self.core.stats.clone(),
            classified: matched,
            classified_correctly: correct,
            accuracy: if matched > 0 { correct as f64 / matched as f64 } else { 0.0 },
            confusion,
            occupancy: self.talk_ms as f64 / logged as f64,
            leads_left: self.core.leads_left() as u64,
        }
    }
}

/// What the slice did.
#[derive(Clone, Debug, Serialize)]
pub struct SliceReport {
    /// Engine time simulated.
    pub virtual_s: f64,
    /// Counters.
    pub stats: CoreStats,
    /// Outbound attempts matched to the simulator's truth.
    pub classified: u64,
    /// Of which classified correctly.
    pub classified_correctly: u64,
    /// Share correct.
    pub accuracy: f64,
    /// Truth → outcome counts.
    pub confusion: std::collections::BTreeMap<String, u64>,
    /// Agents' talk time over logged-in time.
    pub occupancy: f64,
    /// Leads not finished yet.
    pub leads_left: u64,
}
