//! The [`Switch`]: the lines, the calls on them, and the media and signalling work the calls ask
//! for. See the module documentation of [`crate::handle`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;

use trunkline_driver::{Alarms, BoardEvent, ChannelNo, SpanNo};
use trunkline_dsp::event::{DetectorKind, ToneEvent};

use super::collect::Collector;
use super::pri::PriLink;
use super::state::{CallInput, CallState, Direction};
use super::{
    ChannelHandle, CollectSpec, HandleError, HandleEvent, HandleId, OriginateSpec, Prompt, RecordSpec,
    ReleasedBy, StationBits, StationId, SuperviseMode, TrunkId,
};
use crate::media::detectors::DetectorOptions;
use crate::media::{MediaId, MediaSet, PlayItem};
use crate::model::{CallId, Cause};
use crate::record::thread::RecorderSender;
use crate::signalling::pri::call::CallId as PriCall;
use crate::signalling::pri::span::{CallEvent, ChannelPref, OriginateRequest};
use crate::signalling::time::Ms as SigMs;

/// How long a release may wait for the far end's confirmation before the channel is freed anyway.
pub const RELEASE_GUARD_MS: u64 = 10_000;
/// How many released handles keep answering [`Switch::state`] with `Released`.
const ENDED_KEPT: usize = 4096;

struct Trunk {
    link: PriLink,
    span: SpanNo,
    bchans: BTreeMap<u8, (ChannelNo, MediaId)>,
    busy: HashMap<u8, HandleId>,
    calls: HashMap<PriCall, HandleId>,
}

struct Station {
    span: SpanNo,
    chan: ChannelNo,
    media: MediaId,
    bits: StationBits,
    handle: Option<HandleId>,
    offhook: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    Pri { trunk: usize, call: PriCall, b: u8 },
    Station(usize),
}

struct Leg {
    line: Line,
    chan: ChannelNo,
    media: MediaId,
    span: SpanNo,
    dir: Direction,
    state: CallState,
    ani: String,
    dnis: String,
    /// Detectors whose events the owner wants.
    detect: Vec<DetectorKind>,
    /// Detectors running on the channel now (`detect`, plus DTMF while collecting).
    running: Vec<DetectorKind>,
    collect: Option<Collector>,
    plays: u32,
    bridge: Option<HandleId>,
    supervise: Option<(HandleId, SuperviseMode)>,
    listen: Vec<MediaId>,
    rec: Option<(CallId, PathBuf)>,
    release_by: Option<u64>,
}

impl Leg {
    fn new(
        line: Line,
        chan: ChannelNo,
        media: MediaId,
        span: SpanNo,
        dir: Direction,
        state: CallState,
    ) -> Self {
        Leg {
            line,
            chan,
            media,
            span,
            dir,
            state,
            ani: String::new(),
            dnis: String::new(),
            detect: Vec::new(),
            running: Vec::new(),
            collect: None,
            plays: 0,
            bridge: None,
            supervise: None,
            listen: Vec::new(),
            rec: None,
            release_by: None,
        }
    }
}

enum Op {
    Play(MediaId, PlayItem),
    StopPlay(MediaId),
    Detect(MediaId, Vec<DetectorKind>),
    Listen(MediaId, Vec<MediaId>),
    Cas(MediaId, u8),
}

/// A span is unusable under these alarms.
fn is_down(a: Alarms) -> bool {
    a.contains(Alarms::RED) || a.contains(Alarms::BLUE) || a.contains(Alarms::LOS)
}

/// The engine's lines and the calls on them (see [`crate::handle`]).
pub struct Switch {
    now: u64,
    trunks: Vec<Trunk>,
    stations: Vec<Station>,
    legs: BTreeMap<HandleId, Leg>,
    ended: HashMap<HandleId, Cause>,
    ended_order: VecDeque<HandleId>,
    by_media: HashMap<MediaId, HandleId>,
    events: VecDeque<HandleEvent>,
    ops: Vec<Op>,
    next: u64,
    down: BTreeMap<SpanNo, Alarms>,
    /// Spans whose CAS bits cannot be trusted now (any framing alarm).
    unframed: BTreeMap<SpanNo, Alarms>,
    opts: DetectorOptions,
    recorder: Option<RecorderSender>,
    recorder_errors: u64,
}

impl Switch {
    /// An empty switch building detectors with `opts` (the call-progress country).
    pub fn new(opts: DetectorOptions) -> Self {
        Self {
            now: 0,
            trunks: Vec::new(),
            stations: Vec::new(),
            legs: BTreeMap::new(),
            ended: HashMap::new(),
            ended_order: VecDeque::new(),
            by_media: HashMap::new(),
            events: VecDeque::new(),
            ops: Vec::new(),
            next: 0,
            down: BTreeMap::new(),
            unframed: BTreeMap::new(),
            opts,
            recorder: None,
            recorder_errors: 0,
        }
    }

    /// Recordings the writer refused to close (stopped or busy) so far.
    pub fn recorder_errors(&self) -> u64 {
        self.recorder_errors
    }

    /// The recording writer that [`Switch::record`] sends audio to.
    pub fn set_recorder(&mut self, sender: RecorderSender) {
        self.recorder = Some(sender);
    }

    /// Adds a PRI trunk on `span` whose B-channels are `bchans` (B number, board channel, media).
    pub fn add_trunk(
        &mut self,
        link: PriLink,
        span: SpanNo,
        bchans: Vec<(u8, ChannelNo, MediaId)>,
    ) -> TrunkId {
        self.trunks.push(Trunk {
            link,
            span,
            bchans: bchans.into_iter().map(|(b, c, m)| (b, (c, m))).collect(),
            busy: HashMap::new(),
            calls: HashMap::new(),
        });
        TrunkId(self.trunks.len() - 1)
    }

    /// Adds a station line (an agent's phone) on board channel `chan` of `span`; its line idles.
    pub fn add_station(
        &mut self,
        span: SpanNo,
        chan: ChannelNo,
        media: MediaId,
        bits: StationBits,
    ) -> StationId {
        self.ops.push(Op::Cas(media, bits.idle));
        self.stations.push(Station { span, chan, media, bits, handle: None, offhook: false });
        StationId(self.stations.len() - 1)
    }

    /// The trunk's signalling link, read-only (its stack's state and channel map).
    pub fn trunk(&self, t: TrunkId) -> Option<&PriLink> {
        self.trunks.get(t.0).map(|t| &t.link)
    }

    /// The trunk's signalling link (counters, traces).
    pub fn trunk_link(&mut self, t: TrunkId) -> Option<&mut PriLink> {
        self.trunks.get_mut(t.0).map(|t| &mut t.link)
    }

    /// The switch's time (that of the last [`Switch::poll`]).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Borrows a handle to act on it.
    pub fn handle(&mut self, id: HandleId) -> ChannelHandle<'_> {
        ChannelHandle { sw: self, id }
    }

    /// A handle's state; `Released` for a handle gone recently; `None` if unknown.
    pub fn state(&self, h: HandleId) -> Option<CallState> {
        self.legs
            .get(&h)
            .map(|l| l.state)
            .or_else(|| self.ended.contains_key(&h).then_some(CallState::Released))
    }

    /// The cause a recently released handle ended with.
    pub fn cause(&self, h: HandleId) -> Option<Cause> {
        self.ended.get(&h).copied()
    }

    /// The board channel a handle holds.
    pub fn chan(&self, h: HandleId) -> Option<ChannelNo> {
        self.legs.get(&h).map(|l| l.chan)
    }

    /// The media channel a handle holds.
    pub fn media(&self, h: HandleId) -> Option<MediaId> {
        self.legs.get(&h).map(|l| l.media)
    }

    /// Which way the handle's call was set up.
    pub fn direction(&self, h: HandleId) -> Option<Direction> {
        self.legs.get(&h).map(|l| l.dir)
    }

    /// The handle's calling and called numbers.
    pub fn numbers(&self, h: HandleId) -> Option<(&str, &str)> {
        self.legs.get(&h).map(|l| (l.ani.as_str(), l.dnis.as_str()))
    }

    /// The span a handle's channel is on.
    pub fn span(&self, h: HandleId) -> Option<SpanNo> {
        self.legs.get(&h).map(|l| l.span)
    }

    /// The handle it is bridged to.
    pub fn peer(&self, h: HandleId) -> Option<HandleId> {
        self.legs.get(&h).and_then(|l| l.bridge)
    }

    /// Who `h` listens to (media ids), for inspection.
    pub fn listening(&self, h: HandleId) -> &[MediaId] {
        self.legs.get(&h).map_or(&[], |l| &l.listen)
    }

    /// Handles held now (releasing ones included).
    pub fn handles(&self) -> impl Iterator<Item = HandleId> + '_ {
        self.legs.keys().copied()
    }

    /// The station's phone is off hook.
    pub fn station_offhook(&self, s: StationId) -> bool {
        self.stations.get(s.0).is_some_and(|st| st.offhook)
    }

    /// The call on a station, if any.
    pub fn station_handle(&self, s: StationId) -> Option<HandleId> {
        self.stations.get(s.0).and_then(|st| st.handle)
    }

    /// The station's span is out of alarm.
    pub fn station_up(&self, s: StationId) -> bool {
        self.stations.get(s.0).is_some_and(|st| !self.down.contains_key(&st.span))
    }

    /// Spans in alarm now.
    pub fn spans_down(&self) -> impl Iterator<Item = (SpanNo, Alarms)> + '_ {
        self.down.iter().map(|(s, a)| (*s, *a))
    }

    /// Free B-channels on a trunk (0 while its span is in alarm).
    pub fn free_channels(&self, t: TrunkId) -> usize {
        match self.trunks.get(t.0) {
            Some(tr) if !self.down.contains_key(&tr.span) => tr.bchans.len() - tr.busy.len(),
            _ => 0,
        }
    }

    fn new_id(&mut self) -> HandleId {
        self.next += 1;
        HandleId(self.next)
    }

    fn insert(&mut self, h: HandleId, leg: Leg) {
        self.by_media.insert(leg.media, h);
        self.legs.insert(h, leg);
    }

    fn live(&mut self, h: HandleId) -> Result<&mut Leg, HandleError> {
        match self.legs.get_mut(&h) {
            Some(l) if l.state.is_live() => Ok(l),
            Some(l) => Err(HandleError::Gone(h, l.state.name())),
            None if self.ended.contains_key(&h) => Err(HandleError::Gone(h, "released")),
            None => Err(HandleError::NoSuchHandle(h)),
        }
    }

    // ---- actions -------------------------------------------------------------------------

    /// Places an outbound call on a trunk (state [`CallState::Dialling`]).
    pub fn originate(&mut self, t: TrunkId, spec: &OriginateSpec) -> Result<HandleId, HandleError> {
        let now = self.now;
        let tr = self.trunks.get_mut(t.0).ok_or(HandleError::NoChannel(format!("trunk {}", t.0)))?;
        if self.down.contains_key(&tr.span) {
            return Err(HandleError::SpanDown(tr.span));
        }
        let b = match spec.channel {
            Some(b) if tr.busy.contains_key(&b) => {
                return Err(HandleError::NoChannel(format!("span {} B-channel {b}", tr.span.0)))
            }
            Some(b) => b,
            None => *tr
                .bchans
                .keys()
                .rev()
                .find(|b| !tr.busy.contains_key(b))
                .ok_or(HandleError::NoChannel(format!("span {}", tr.span.0)))?,
        };
        let &(chan, media) = tr.bchans.get(&b).ok_or(HandleError::NoChannel(format!("B-channel {b}")))?;
        let req = OriginateRequest::new(&spec.dnis, &spec.ani).on(ChannelPref::Exclusive(b));
        let call =
            tr.link.pri.originate(SigMs(now), &req).map_err(|e| HandleError::Signalling(e.to_string()))?;
        let span = tr.span;
        let h = self.new_id();
        let tr = &mut self.trunks[t.0];
        tr.busy.insert(b, h);
        tr.calls.insert(call, h);
        let mut leg = Leg::new(
            Line::Pri { trunk: t.0, call, b },
            chan,
            media,
            span,
            Direction::Outbound,
            CallState::Dialling,
        );
        leg.ani = spec.ani.clone();
        leg.dnis = spec.dnis.clone();
        self.insert(h, leg);
        Ok(h)
    }

    /// Rings a station (an agent's phone): state [`CallState::Alerting`] until it goes off hook.
    pub fn ring(&mut self, s: StationId) -> Result<HandleId, HandleError> {
        let st = self.stations.get(s.0).ok_or(HandleError::NoChannel(format!("station {}", s.0)))?;
        if self.down.contains_key(&st.span) {
            return Err(HandleError::SpanDown(st.span));
        }
        if st.handle.is_some() || st.offhook {
            return Err(HandleError::NoChannel(format!("station {} (busy)", s.0)));
        }
        let (span, chan, media, offer) = (st.span, st.chan, st.media, st.bits.offer);
        let h = self.new_id();
        self.stations[s.0].handle = Some(h);
        self.ops.push(Op::Cas(media, offer));
        self.insert(
            h,
            Leg::new(Line::Station(s.0), chan, media, span, Direction::Outbound, CallState::Alerting),
        );
        Ok(h)
    }

    /// Answers an offered (inbound) call.
    pub fn answer(&mut self, h: HandleId) -> Result<(), HandleError> {
        let now = self.now;
        let leg = self.live(h)?;
        let next = leg.state.next(CallInput::Answered).filter(|_| leg.state == CallState::Offered);
        let (Some(next), Line::Pri { trunk, call, .. }) = (next, leg.line) else {
            return Err(HandleError::WrongState { h, state: leg.state.name(), op: "answer" });
        };
        self.trunks[trunk]
            .link
            .pri
            .answer(SigMs(now), call)
            .map_err(|e| HandleError::Signalling(e.to_string()))?;
        self.legs.get_mut(&h).expect("live").state = next;
        Ok(())
    }

    /// Hangs up with `cause`. Idempotent: a handle already releasing, released or unknown is left
    /// alone. A trunk call waits for the network's confirmation (state
    /// [`CallState::Releasing`]); a station call ends at once. Either way its media stops now.
    pub fn hangup(&mut self, h: HandleId, cause: Cause) {
        let now = self.now;
        let Some(leg) = self.legs.get(&h) else { return };
        let Some(next) = leg.state.next(CallInput::LocalRelease) else { return };
        let line = leg.line;
        self.detach(h);
        match line {
            Line::Pri { trunk, call, .. } => {
                match self.trunks[trunk].link.pri.release(SigMs(now), call, cause.into()) {
                    Ok(()) => {
                        let leg = self.legs.get_mut(&h).expect("present");
                        leg.state = next;
                        leg.release_by = Some(now + RELEASE_GUARD_MS);
                    }
                    // The stack no longer knows the call: nothing to wait for.
                    Err(_) => self.end(h, cause, ReleasedBy::Local),
                }
            }
            Line::Station(_) => self.end(h, cause, ReleasedBy::Local),
        }
    }

    /// Queues a prompt or tone.
    pub fn play(&mut self, h: HandleId, prompt: &Prompt) -> Result<(), HandleError> {
        let item = prompt.to_item()?;
        let leg = self.live(h)?;
        leg.plays += 1;
        let m = leg.media;
        self.ops.push(Op::Play(m, item));
        Ok(())
    }

    /// Stops playing and empties the queue (no [`HandleEvent::PlayDone`] follows).
    pub fn stop_play(&mut self, h: HandleId) -> Result<(), HandleError> {
        let leg = self.live(h)?;
        leg.plays = 0;
        let m = leg.media;
        self.ops.push(Op::StopPlay(m));
        Ok(())
    }

    /// Starts recording the handle's audio (a recording already running is closed first).
    pub fn record(&mut self, h: HandleId, spec: RecordSpec) -> Result<(), HandleError> {
        self.live(h)?;
        self.stop_record(h)?;
        let rec = self.recorder.as_ref().ok_or(HandleError::Recorder("no recorder".into()))?;
        rec.open(spec.key, spec.path.clone(), spec.format, if spec.stereo { 2 } else { 1 })
            .map_err(|e| HandleError::Recorder(e.to_string()))?;
        self.live(h)?.rec = Some((spec.key, spec.path));
        Ok(())
    }

    /// Stops recording; the writer closes the file ([`HandleEvent::RecordingClosed`]).
    pub fn stop_record(&mut self, h: HandleId) -> Result<(), HandleError> {
        let leg = self.legs.get_mut(&h).ok_or(HandleError::NoSuchHandle(h))?;
        if let Some((key, path)) = leg.rec.take() {
            self.events.push_back(HandleEvent::RecordingClosed { h, key, path });
            if let Some(r) = self.recorder.as_ref() {
                if let Err(e) = r.close(key) {
                    self.recorder_errors += 1;
                    return Err(HandleError::Recorder(e.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Collects digits from the DTMF detector (enabled for the collection if it is not already);
    /// ends with [`HandleEvent::Digits`]. A new collection replaces one running.
    pub fn collect(&mut self, h: HandleId, spec: CollectSpec) -> Result<(), HandleError> {
        let now = self.now;
        let c = Collector::new(spec, now)?;
        self.live(h)?.collect = Some(c);
        self.sync_detect(h);
        Ok(())
    }

    /// Stops a digit collection without an event.
    pub fn cancel_collect(&mut self, h: HandleId) -> Result<(), HandleError> {
        self.live(h)?.collect = None;
        self.sync_detect(h);
        Ok(())
    }

    /// Sets which detectors run on the handle's channel and report [`HandleEvent::Tone`]s
    /// (empty: none). Detectors that stay enabled keep their state.
    pub fn detect(&mut self, h: HandleId, kinds: &[DetectorKind]) -> Result<(), HandleError> {
        let leg = self.live(h)?;
        leg.detect.clear();
        for &k in kinds {
            if !leg.detect.contains(&k) {
                leg.detect.push(k);
            }
        }
        self.sync_detect(h);
        Ok(())
    }

    /// Bridges `a` and `b` both ways (each transmits what the other receives, one tick later,
    /// bit for bit). Bridges or supervisions either was in end first.
    pub fn bridge(&mut self, a: HandleId, b: HandleId) -> Result<(), HandleError> {
        if a == b {
            return Err(HandleError::SelfJoin(a));
        }
        self.live(a)?;
        self.live(b)?;
        self.unbridge(a)?;
        self.unbridge(b)?;
        self.legs.get_mut(&a).expect("live").bridge = Some(b);
        self.legs.get_mut(&b).expect("live").bridge = Some(a);
        self.relisten(None);
        Ok(())
    }

    /// Ends `h`'s bridge (its peer gets [`HandleEvent::Unbridged`]) or its supervision; both go
    /// back to their own players.
    pub fn unbridge(&mut self, h: HandleId) -> Result<(), HandleError> {
        let leg = self.legs.get_mut(&h).ok_or(HandleError::NoSuchHandle(h))?;
        leg.supervise = None;
        if let Some(p) = leg.bridge.take() {
            if let Some(pl) = self.legs.get_mut(&p) {
                pl.bridge = None;
                self.events.push_back(HandleEvent::Unbridged { h: p, peer: h });
            }
        }
        self.relisten(Some(h));
        Ok(())
    }

    /// `sup` joins the call `agent` is bridged in: [`SuperviseMode::Monitor`] hears both parties
    /// and is heard by nobody; `Whisper` is also heard by the agent (not by the caller); `Barge`
    /// is heard by both (three-way). Calling it again changes the mode.
    pub fn supervise(
        &mut self,
        sup: HandleId,
        agent: HandleId,
        mode: SuperviseMode,
    ) -> Result<(), HandleError> {
        if sup == agent {
            return Err(HandleError::SelfJoin(sup));
        }
        self.live(sup)?;
        let caller = self.live(agent)?.bridge.ok_or(HandleError::NotBridged(agent))?;
        if caller == sup {
            return Err(HandleError::SelfJoin(sup));
        }
        if self.legs.get(&sup).is_some_and(|l| l.bridge.is_some()) {
            self.unbridge(sup)?;
        }
        self.legs.get_mut(&sup).expect("live").supervise = Some((agent, mode));
        self.relisten(None);
        Ok(())
    }

    // ---- inputs --------------------------------------------------------------------------

    /// One step at `now` (ms): the board's events (alarms), the trunks' signalling, the stations'
    /// hook bits, the tones the handles' detectors heard in the last tick, finished prompts, the
    /// last tick's audio for recordings, and timers. Then drain [`Switch::next_event`], act, and
    /// call [`Switch::flush`] before the tick is transmitted.
    pub fn poll(
        &mut self,
        now: u64,
        media: &mut MediaSet,
        tones: &[(MediaId, ToneEvent)],
        board: &[BoardEvent],
    ) {
        self.now = now;
        for ev in board {
            if let BoardEvent::Alarm { span, alarms } = *ev {
                self.on_alarm(span, alarms);
            }
        }
        for t in 0..self.trunks.len() {
            self.trunks[t].link.input(now);
            while let Some(ev) = self.trunks[t].link.event() {
                self.on_pri(t, ev);
            }
        }
        self.stations_in(media);
        for (m, tone) in tones {
            self.on_tone(*m, tone);
        }
        self.plays_in(media);
        self.record_in(media);
        self.timers();
    }

    /// The next thing that happened.
    pub fn next_event(&mut self) -> Option<HandleEvent> {
        self.events.pop_front()
    }

    /// Hands the queued media work (prompts, detectors, bridges, line bits) to the media set and
    /// the queued signalling to the trunks.
    pub fn flush(&mut self, media: &mut MediaSet) {
        for op in self.ops.drain(..) {
            match op {
                Op::Play(m, item) => {
                    if let Some(mc) = media.get_mut(m) {
                        mc.player.push(item);
                    }
                }
                Op::StopPlay(m) => {
                    if let Some(mc) = media.get_mut(m) {
                        mc.player.clear();
                        mc.player.take_finished();
                    }
                }
                Op::Detect(m, kinds) => media.set_detector_kinds(m, &kinds, &self.opts),
                Op::Listen(m, from) => media.set_listen(m, &from),
                Op::Cas(m, bits) => {
                    if let Some(mc) = media.get_mut(m) {
                        mc.end().set_tx_cas(bits);
                    }
                }
            }
        }
        for t in self.trunks.iter_mut() {
            t.link.output();
        }
    }

    fn on_alarm(&mut self, span: SpanNo, alarms: Alarms) {
        let now = self.now;
        let down = is_down(alarms);
        let was = self.down.contains_key(&span);
        let mut released = 0;
        if down || alarms.contains(Alarms::LFA) || alarms.contains(Alarms::LMFA) {
            self.unframed.insert(span, alarms);
        } else {
            self.unframed.remove(&span);
        }
        if down {
            self.down.insert(span, alarms);
        } else {
            self.down.remove(&span);
        }
        if down && !was {
            // Nothing can be signalled across a dead span: the stack clears its calls itself.
            for t in self.trunks.iter_mut().filter(|t| t.span == span) {
                t.link.pri.set_physical(SigMs(now), false);
            }
            let on: Vec<HandleId> =
                self.legs.iter().filter(|(_, l)| l.span == span).map(|(h, _)| *h).collect();
            released = on.len();
            for h in on {
                self.detach(h);
                self.end(h, Cause::NETWORK_OUT_OF_ORDER, ReleasedBy::Span);
            }
        } else if !down && was {
            for t in self.trunks.iter_mut().filter(|t| t.span == span) {
                t.link.pri.set_physical(SigMs(now), true);
            }
        }
        self.events.push_back(HandleEvent::SpanAlarm { span, alarms, down, released });
    }

    fn on_pri(&mut self, t: usize, ev: CallEvent) {
        let now = self.now;
        let find = |sw: &Self, call: PriCall| sw.trunks[t].calls.get(&call).copied();
        match ev {
            CallEvent::Incoming { call, ani, dnis, channel, .. } => {
                let tr = &mut self.trunks[t];
                let free = tr.bchans.get(&channel).copied().filter(|_| !tr.busy.contains_key(&channel));
                let Some((chan, media)) = free.filter(|_| !self.down.contains_key(&tr.span)) else {
                    let _ = tr.link.pri.release(SigMs(now), call, Cause::CHANNEL_UNAVAILABLE.into());
                    return;
                };
                let span = tr.span;
                let h = self.new_id();
                let tr = &mut self.trunks[t];
                tr.busy.insert(channel, h);
                tr.calls.insert(call, h);
                let mut leg = Leg::new(
                    Line::Pri { trunk: t, call, b: channel },
                    chan,
                    media,
                    span,
                    Direction::Inbound,
                    CallState::Offered,
                );
                leg.ani = ani.clone();
                leg.dnis = dnis.clone();
                self.insert(h, leg);
                self.events.push_back(HandleEvent::Incoming { h, ani, dnis, chan });
            }
            CallEvent::Proceeding { call, .. } => {
                if let Some(h) = find(self, call) {
                    self.advance(h, CallInput::Proceeding);
                }
            }
            CallEvent::Alerting { call, .. } => {
                if let Some(h) = find(self, call) {
                    self.advance(h, CallInput::Alerting);
                }
            }
            CallEvent::Progress { call, .. } => {
                if let Some(h) = find(self, call) {
                    self.events.push_back(HandleEvent::Progress { h });
                }
            }
            CallEvent::Answered { call } => {
                if let Some(h) = find(self, call) {
                    self.advance(h, CallInput::Answered);
                }
            }
            CallEvent::Released { call, cause } => {
                if let Some(h) = find(self, call) {
                    let by = if self.legs.get(&h).is_some_and(|l| l.state == CallState::Releasing) {
                        ReleasedBy::Local
                    } else {
                        ReleasedBy::Remote
                    };
                    self.detach(h);
                    self.end(h, cause.into(), by);
                }
            }
            CallEvent::LinkDown { cause } => {
                let on: Vec<HandleId> = self.trunks[t].calls.values().copied().collect();
                for h in on {
                    self.detach(h);
                    self.end(h, cause.into(), ReleasedBy::Span);
                }
            }
            _ => {}
        }
    }

    /// Applies a signalling input; an input that does not fit the state is ignored (the stack
    /// has already answered it as the protocol says).
    fn advance(&mut self, h: HandleId, input: CallInput) {
        let Some(leg) = self.legs.get_mut(&h) else { return };
        match leg.state.next(input) {
            Some(s) if s != leg.state => {
                leg.state = s;
                self.events.push_back(HandleEvent::State { h, state: s });
            }
            _ => {}
        }
    }

    fn stations_in(&mut self, media: &mut MediaSet) {
        for i in 0..self.stations.len() {
            let st = &self.stations[i];
            // Without frame alignment the received bits are noise, not the phone's hook.
            if self.unframed.contains_key(&st.span) {
                continue;
            }
            let bits = media.get_mut(st.media).map(|m| m.end().rx_cas());
            let Some(bits) = bits else { continue };
            let off = bits == st.bits.offhook;
            if off == st.offhook {
                continue;
            }
            let st = &mut self.stations[i];
            st.offhook = off;
            let (m, b) = (st.media, st.bits);
            match st.handle {
                Some(h) if off => {
                    if self.legs.get(&h).is_some_and(|l| l.state == CallState::Alerting) {
                        self.ops.push(Op::Cas(m, b.connected));
                        self.advance(h, CallInput::Answered);
                    }
                }
                Some(h) => {
                    self.detach(h);
                    self.end(h, Cause::NORMAL, ReleasedBy::Remote);
                }
                None => {
                    if !off {
                        // Back on hook after a clear-back: the line idles.
                        self.ops.push(Op::Cas(m, b.idle));
                    }
                    self.events.push_back(HandleEvent::Hook { station: StationId(i), offhook: off });
                }
            }
        }
    }

    fn on_tone(&mut self, m: MediaId, tone: &ToneEvent) {
        let now = self.now;
        let Some(&h) = self.by_media.get(&m) else { return };
        let Some(leg) = self.legs.get_mut(&h).filter(|l| l.state.is_live()) else { return };
        if tone.detector == DetectorKind::Dtmf {
            if let Some(c) = leg.collect.as_mut() {
                if tone.is_on() {
                    if let Some(d) = tone.value.as_str().chars().next() {
                        if let Some(end) = c.on_digit(d, now) {
                            let digits = leg.collect.take().map(Collector::into_digits).unwrap_or_default();
                            self.events.push_back(HandleEvent::Digits { h, digits, end });
                            self.sync_detect(h);
                        }
                    }
                }
                if !self.legs.get(&h).is_some_and(|l| l.detect.contains(&DetectorKind::Dtmf)) {
                    return;
                }
            }
        }
        let Some(leg) = self.legs.get(&h) else { return };
        if leg.detect.contains(&tone.detector) {
            self.events.push_back(HandleEvent::Tone { h, tone: *tone });
        }
    }

    fn plays_in(&mut self, media: &mut MediaSet) {
        for (&h, leg) in self.legs.iter_mut().filter(|(_, l)| l.plays > 0) {
            let done = media.get_mut(leg.media).map_or(0, |m| m.player.take_finished());
            leg.plays = leg.plays.saturating_sub(done);
            if leg.plays == 0 {
                self.events.push_back(HandleEvent::PlayDone { h });
            }
        }
    }

    fn record_in(&mut self, media: &MediaSet) {
        let Some(rec) = self.recorder.as_mut() else { return };
        for leg in self.legs.values() {
            let (Some((key, _)), Some(m)) = (leg.rec.as_ref(), media.get(leg.media)) else { continue };
            rec.audio(*key, m.last_rx(), m.last_tx());
        }
    }

    fn timers(&mut self) {
        let now = self.now;
        let due: Vec<HandleId> = self
            .legs
            .iter()
            .filter(|(_, l)| {
                l.release_by.is_some_and(|t| now >= t)
                    || l.collect.as_ref().and_then(Collector::deadline).is_some_and(|t| now >= t)
            })
            .map(|(h, _)| *h)
            .collect();
        for h in due {
            let leg = self.legs.get_mut(&h).expect("due");
            if leg.release_by.is_some_and(|t| now >= t) {
                self.end(h, Cause::TIMER_EXPIRY, ReleasedBy::Local);
                continue;
            }
            if let Some(end) = leg.collect.as_mut().and_then(|c| c.on_time(now)) {
                let digits = leg.collect.take().map(Collector::into_digits).unwrap_or_default();
                self.events.push_back(HandleEvent::Digits { h, digits, end });
                self.sync_detect(h);
            }
        }
    }

    // ---- internals -----------------------------------------------------------------------

    /// Runs the detectors the handle needs (its own set, DTMF while collecting).
    fn sync_detect(&mut self, h: HandleId) {
        let Some(leg) = self.legs.get_mut(&h) else { return };
        let mut want = if leg.state.is_live() { leg.detect.clone() } else { Vec::new() };
        if leg.collect.is_some() && !want.contains(&DetectorKind::Dtmf) {
            want.push(DetectorKind::Dtmf);
        }
        if want != leg.running {
            leg.running = want.clone();
            self.ops.push(Op::Detect(leg.media, want));
        }
    }

    /// Recomputes who listens to whom from the bridges and supervisions; supervisions whose
    /// call has gone end (with [`HandleEvent::Unbridged`], unless `quiet` is the supervisor).
    fn relisten(&mut self, quiet: Option<HandleId>) {
        let mut want: BTreeMap<HandleId, Vec<MediaId>> = BTreeMap::new();
        for (&h, l) in self.legs.iter() {
            let base =
                l.bridge.filter(|_| l.state.is_live()).and_then(|p| self.legs.get(&p)).map(|p| p.media);
            want.insert(h, base.into_iter().collect());
        }
        let sups: Vec<(HandleId, HandleId, SuperviseMode)> =
            self.legs.iter().filter_map(|(&s, l)| l.supervise.map(|(a, m)| (s, a, m))).collect();
        for (s, agent, mode) in sups {
            let call = self
                .legs
                .get(&agent)
                .filter(|a| a.state.is_live())
                .and_then(|a| a.bridge.map(|c| (a.media, c)));
            let caller = call.and_then(|(am, c)| {
                self.legs.get(&c).filter(|l| l.state.is_live()).map(|l| (am, c, l.media))
            });
            let sm = self.legs[&s].media;
            match caller {
                Some((am, c, cm)) if self.legs[&s].state.is_live() => {
                    want.insert(s, vec![am, cm]);
                    if matches!(mode, SuperviseMode::Whisper | SuperviseMode::Barge) {
                        want.entry(agent).or_default().push(sm);
                    }
                    if mode == SuperviseMode::Barge {
                        want.entry(c).or_default().push(sm);
                    }
                }
                _ => {
                    self.legs.get_mut(&s).expect("present").supervise = None;
                    if quiet != Some(s) {
                        self.events.push_back(HandleEvent::Unbridged { h: s, peer: agent });
                    }
                }
            }
        }
        for (h, w) in want {
            let leg = self.legs.get_mut(&h).expect("present");
            if leg.listen != w {
                leg.listen = w.clone();
                self.ops.push(Op::Listen(leg.media, w));
            }
        }
    }

    /// Stops a handle's media: prompts, detectors, collection, recording, bridge, supervision.
    fn detach(&mut self, h: HandleId) {
        let Some(leg) = self.legs.get_mut(&h) else { return };
        leg.collect = None;
        leg.detect.clear();
        let m = leg.media;
        leg.plays = 0;
        self.ops.push(Op::StopPlay(m));
        let _ = self.stop_record(h);
        let leg = self.legs.get_mut(&h).expect("present");
        leg.supervise = None;
        let peer = leg.bridge.take();
        if let Some(p) = peer {
            if let Some(pl) = self.legs.get_mut(&p) {
                pl.bridge = None;
                self.events.push_back(HandleEvent::Unbridged { h: p, peer: h });
            }
        }
        // Leaving `state` live for a moment: mark it so relisten and sync_detect drop it.
        let leg = self.legs.get_mut(&h).expect("present");
        let state = leg.state;
        leg.state = CallState::Releasing;
        self.sync_detect(h);
        self.relisten(Some(h));
        self.legs.get_mut(&h).expect("present").state = state;
    }

    /// The call is over: the line is free, the handle gone.
    fn end(&mut self, h: HandleId, cause: Cause, by: ReleasedBy) {
        let Some(leg) = self.legs.remove(&h) else { return };
        self.by_media.remove(&leg.media);
        match leg.line {
            Line::Pri { trunk, call, b } => {
                let tr = &mut self.trunks[trunk];
                if tr.busy.get(&b) == Some(&h) {
                    tr.busy.remove(&b);
                }
                tr.calls.remove(&call);
            }
            Line::Station(s) => {
                let st = &mut self.stations[s];
                st.handle = None;
                // A phone still off hook is told the other party has gone; otherwise it idles.
                let bits = if st.offhook { st.bits.clear } else { st.bits.idle };
                self.ops.push(Op::Cas(st.media, bits));
            }
        }
        self.ended.insert(h, cause);
        self.ended_order.push_back(h);
        while self.ended_order.len() > ENDED_KEPT {
            if let Some(old) = self.ended_order.pop_front() {
                self.ended.remove(&old);
            }
        }
        self.events.push_back(HandleEvent::Released { h, cause, by });
    }
}
