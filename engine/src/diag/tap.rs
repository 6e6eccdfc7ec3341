//! The engine runner's diagnostics tap: fed once per tick with the slice, it keeps every engine
//! channel's windowed level meters (a table built once: no allocation per tick), turns decoded
//! PRI traces, CAS bit changes and detector reports into [`EngineEvent`]s, and builds the
//! [`LevelsSnapshot`] the API serves.

use trunkline_driver::board::Board;

use super::meter::WindowMeter;
use super::{ChannelDiag, Level, LevelsSnapshot, WINDOW_MS};
use crate::media::MediaId;
use crate::model::{CallId, EngineEvent, Ms};
use crate::signalling::pri::call::CallState;
use crate::signalling::pri::span::PriSpan;
use crate::slice::{Slice, AGENT_CLEAR, AGENT_CONNECTED, AGENT_OFFER, AGENT_OFFHOOK};

struct ChanTap {
    id: MediaId,
    chan: u32,
    span: u16,
    /// On the PRI trunk (else a CAS line).
    pri: bool,
    rx: WindowMeter,
    tx: WindowMeter,
    /// Last (tx, rx) ABCD bits seen, CAS lines only.
    cas: Option<(u8, u8)>,
}

/// Diagnostics state kept by the runner.
pub struct DiagTap {
    chans: Vec<ChanTap>,
    /// (span, basechan, channels) of every span on the board.
    spans: Vec<(u16, u32, u32)>,
    trunk_span: u16,
    world_span: u16,
}

/// The short name of a Q.931 call state.
pub fn q931_state_name(s: CallState) -> &'static str {
    match s {
        CallState::Null => "null",
        CallState::CallInitiated => "call initiated",
        CallState::OverlapSending => "overlap sending",
        CallState::OutgoingCallProceeding => "proceeding",
        CallState::CallDelivered => "delivered",
        CallState::CallPresent => "call present",
        CallState::CallReceived => "received",
        CallState::ConnectRequest => "connect req",
        CallState::IncomingCallProceeding => "proceeding",
        CallState::Active => "active",
        CallState::DisconnectRequest => "disconnect req",
        CallState::DisconnectIndication => "disconnect ind",
        CallState::ReleaseRequest => "release req",
        CallState::OverlapReceiving => "overlap recv",
    }
}

/// The channel state a Q.931 call state puts its B-channel in.
pub fn q931_channel_state(s: CallState) -> &'static str {
    match s {
        CallState::Null => "idle",
        CallState::CallDelivered | CallState::CallReceived => "ringing",
        CallState::Active => "talking",
        _ => "seized",
    }
}

/// What the agent line's ABCD bits mean, engine → phone.
pub fn agent_tx_meaning(abcd: u8) -> &'static str {
    match abcd {
        AGENT_OFFER => "offer (ring)",
        AGENT_CONNECTED => "connected",
        AGENT_CLEAR => "clear (caller gone)",
        crate::slice::AGENT_IDLE => "idle",
        _ => "?",
    }
}

/// What the agent line's ABCD bits mean, phone → engine.
pub fn agent_rx_meaning(abcd: u8) -> &'static str {
    match abcd {
        AGENT_OFFHOOK => "off-hook",
        crate::slice::AGENT_ONHOOK => "on-hook",
        _ => "?",
    }
}

/// The channel state of an agent line from its ABCD bits.
pub fn agent_channel_state(tx: u8, rx: u8) -> &'static str {
    match tx {
        AGENT_OFFER => "ringing",
        AGENT_CONNECTED => "talking",
        _ if rx == AGENT_OFFHOOK || tx == AGENT_CLEAR => "seized",
        _ => "idle",
    }
}

/// Splits a PRI trace line (`"<n>ms rx <frame>"`, `"<n>ms Q931 ..."`) into time, direction and
/// text; a line that does not start with a time keeps `now`.
pub fn parse_pri_trace(line: &str, now: u64) -> (u64, &'static str, &str) {
    let (at, rest) = match line.split_once(' ') {
        Some((t, rest)) => match t.strip_suffix("ms").and_then(|n| n.parse::<u64>().ok()) {
            Some(ms) => (ms, rest),
            None => (now, line),
        },
        None => (now, line),
    };
    if let Some(r) = rest.strip_prefix("rx ") {
        (at, "rx", r)
    } else if let Some(r) = rest.strip_prefix("tx ") {
        (at, "tx", r)
    } else {
        (at, "", rest)
    }
}

impl DiagTap {
    /// A tap over the slice's engine channels, with meters spanning [`WINDOW_MS`].
    pub fn new(slice: &Slice) -> Self {
        let spans: Vec<(u16, u32, u32)> =
            slice.board.spans().iter().map(|s| (s.no.0, s.basechan, s.totchans)).collect();
        let span_of = |c: u32| spans.iter().find(|(_, b, n)| c >= *b && c < b + n).map_or(0, |s| s.0);
        let trunk_span = span_of(slice.core.trunk_link().chan(1).0);
        let world_span = span_of(slice.world.trunk.chan(1).0);
        // A tick is one block of 8 samples per ms.
        let tick_samples =
            slice.media.ids().find_map(|id| slice.media.get(id)).map_or(160, |m| m.last_rx().len());
        let blocks = (WINDOW_MS as usize * 8 / tick_samples.max(1)).max(1);
        let chans = slice
            .media
            .ids()
            .filter_map(|id| slice.media.get(id).map(|m| (id, m.chan.0)))
            .map(|(id, chan)| {
                let span = span_of(chan);
                ChanTap {
                    id,
                    chan,
                    span,
                    pri: span == trunk_span,
                    rx: WindowMeter::new(blocks),
                    tx: WindowMeter::new(blocks),
                    cas: None,
                }
            })
            .collect();
        Self { chans, spans, trunk_span, world_span }
    }

    /// The span a global channel number belongs to (0 if none).
    pub fn span_of(&self, chan: u32) -> u16 {
        self.spans.iter().find(|(_, b, n)| chan >= *b && chan < b + n).map_or(0, |s| s.0)
    }

    /// Feeds one tick: meters, and the tick's signalling and detector events into `out`.
    pub fn observe(&mut self, slice: &mut Slice, now: u64, out: &mut Vec<EngineEvent>) {
        for t in self.chans.iter_mut() {
            let Some(m) = slice.media.get(t.id) else { continue };
            t.rx.push(m.last_rx());
            t.tx.push(m.last_tx());
        }
        pri_events(&mut slice.core.trunk_link_mut().pri, self.trunk_span, now, out);
        pri_events(&mut slice.world.trunk.pri, self.world_span, now, out);
        for t in self.chans.iter_mut().filter(|t| !t.pri) {
            let Some(m) = slice.media.get_mut(t.id) else { continue };
            let end = m.end();
            let bits = (end.tx_cas(), end.rx_cas() & 0xF);
            let old = t.cas.replace(bits);
            if old.is_some_and(|o| o.0 != bits.0) {
                out.push(EngineEvent::Signalling {
                    at: Ms(now),
                    span: t.span,
                    channel: Some(t.chan),
                    protocol: "cas".into(),
                    direction: "tx".into(),
                    text: format!("chan {} ABCD {:04b} {}", t.chan, bits.0, agent_tx_meaning(bits.0)),
                });
            }
            if old.is_some_and(|o| o.1 != bits.1) {
                out.push(EngineEvent::Signalling {
                    at: Ms(now),
                    span: t.span,
                    channel: Some(t.chan),
                    protocol: "cas".into(),
                    direction: "rx".into(),
                    text: format!("chan {} ABCD {:04b} {}", t.chan, bits.1, agent_rx_meaning(bits.1)),
                });
            }
        }
        if !slice.last_tones().is_empty() {
            let calls = self.calls_by_channel(slice);
            for (id, e) in slice.last_tones() {
                let Some(t) = self.chans.iter().find(|t| t.id == *id) else { continue };
                out.push(EngineEvent::Detector {
                    at: Ms(now),
                    span: t.span,
                    channel: t.chan,
                    call: calls.iter().find(|c| c.0 == t.chan).map(|c| c.1),
                    detector: e.detector.name().into(),
                    value: e.value.to_string(),
                    edge: if e.is_on() { "on" } else { "off" }.into(),
                    level_dbm0: e.level_dbm0,
                });
            }
        }
    }

    fn calls_by_channel(&self, slice: &Slice) -> Vec<(u32, CallId)> {
        let mut v: Vec<(u32, CallId)> =
            slice.core.calls_snapshot().into_iter().map(|c| (c.channel, c.call)).collect();
        v.extend(slice.core.agents_snapshot().into_iter().filter_map(|a| Some((a.channel?, a.call?))));
        v
    }

    /// Every engine channel's state, call, signalling and levels now.
    pub fn snapshot(&self, slice: &mut Slice, now: u64) -> LevelsSnapshot {
        let calls = self.calls_by_channel(slice);
        let link = slice.core.trunk_link();
        let role = link.pri.config().role;
        let pri: Vec<(u32, CallState)> =
            link.pri.calls().filter_map(|c| Some((link.chan(c.channel?).0, c.state))).collect();
        let alarmed: Vec<u16> = self
            .spans
            .iter()
            .filter(|s| {
                slice.board.span_status(trunkline_driver::SpanNo(s.0)).is_ok_and(|st| !st.alarms.is_empty())
            })
            .map(|s| s.0)
            .collect();
        let mut channels: Vec<ChannelDiag> = self
            .chans
            .iter()
            .map(|t| {
                let (state, signalling) = if t.pri {
                    match pri.iter().find(|p| p.0 == t.chan) {
                        Some(&(_, s)) => {
                            (q931_channel_state(s), format!("Q.931 {} {}", s.label(role), q931_state_name(s)))
                        }
                        None => ("idle", "Q.931 null".to_string()),
                    }
                } else {
                    let (tx, rx) = t.cas.unwrap_or((0, 0));
                    (agent_channel_state(tx, rx), format!("CAS tx {tx:04b} rx {rx:04b}"))
                };
                let state = if alarmed.contains(&t.span) { "alarm" } else { state };
                let base = self.spans.iter().find(|s| s.0 == t.span).map_or(1, |s| s.1);
                ChannelDiag {
                    channel: t.chan,
                    span: t.span,
                    name: format!("DAHDI/{}-{}", t.span, t.chan + 1 - base),
                    state: state.into(),
                    call: calls.iter().find(|c| c.0 == t.chan).map(|c| c.1),
                    signalling,
                    rx: Level { peak_dbm0: t.rx.peak_dbm0(), rms_dbm0: t.rx.rms_dbm0() },
                    tx: Level { peak_dbm0: t.tx.peak_dbm0(), rms_dbm0: t.tx.rms_dbm0() },
                }
            })
            .collect();
        channels.sort_by_key(|c| c.channel);
        LevelsSnapshot { at_ms: now, channels }
    }
}

fn pri_events(pri: &mut PriSpan, span: u16, now: u64, out: &mut Vec<EngineEvent>) {
    for line in pri.take_traces() {
        let (at, dir, text) = parse_pri_trace(&line, now);
        out.push(EngineEvent::Signalling {
            at: Ms(at),
            span,
            channel: None,
            protocol: "q931".into(),
            direction: dir.into(),
            text: text.to_string(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slice::SliceConfig;

    #[test]
    fn trace_lines_split() {
        assert_eq!(parse_pri_trace("120ms rx SAPI=0 | SETUP", 5), (120, "rx", "SAPI=0 | SETUP"));
        assert_eq!(parse_pri_trace("7ms tx UA F=1", 5), (7, "tx", "UA F=1"));
        assert_eq!(parse_pri_trace("9ms Q931 1 cr=1 U0=>U1", 5), (9, "", "Q931 1 cr=1 U0=>U1"));
        assert_eq!(parse_pri_trace("garbage", 5), (5, "", "garbage"));
        assert_eq!(parse_pri_trace("", 5), (5, "", ""));
    }

    #[test]
    fn states_from_signalling() {
        assert_eq!(q931_channel_state(CallState::Active), "talking");
        assert_eq!(q931_channel_state(CallState::CallDelivered), "ringing");
        assert_eq!(q931_channel_state(CallState::CallInitiated), "seized");
        assert_eq!(agent_channel_state(AGENT_OFFER, crate::slice::AGENT_ONHOOK), "ringing");
        assert_eq!(agent_channel_state(AGENT_CONNECTED, AGENT_OFFHOOK), "talking");
        assert_eq!(agent_channel_state(crate::slice::AGENT_IDLE, crate::slice::AGENT_ONHOOK), "idle");
        assert_eq!(agent_channel_state(crate::slice::AGENT_IDLE, AGENT_OFFHOOK), "seized");
    }

    /// The demo slice in virtual time: calls are set up on the trunk (SETUP/CONNECT traced,
    /// B-channels talking with speech levels, idle ones silent), agents' lines change their
    /// bits, detectors report.
    #[test]
    fn the_slice_tap_sees_calls_levels_and_events() {
        let mut slice =
            Slice::new(SliceConfig { agents: 4, leads: 40, seed: 3, ..SliceConfig::default() }).unwrap();
        let mut tap = DiagTap::new(&slice);
        let mut events = Vec::new();
        let mut talking_seen: Option<ChannelDiag> = None;
        let mut idle_seen: Option<ChannelDiag> = None;
        for _ in 0..(90_000 / 20) {
            slice.step().unwrap();
            let now = slice.now();
            tap.observe(&mut slice, now, &mut events);
            if now % 200 == 0 {
                let snap = tap.snapshot(&mut slice, now);
                assert!(snap.channels.len() == 30 + 4, "{}", snap.channels.len());
                for c in snap.channels {
                    assert!(super::super::STATES.contains(&c.state.as_str()), "{c:?}");
                    if c.state == "talking" && c.span == 1 && c.rx.rms_dbm0 > -60.0 {
                        talking_seen.get_or_insert(c.clone());
                    }
                    if c.state == "idle" && c.span == 1 && c.call.is_none() {
                        idle_seen.get_or_insert(c);
                    }
                }
            }
        }
        let talking = talking_seen.expect("a talking trunk channel with audio");
        assert!(talking.signalling.contains("U10 active"), "{talking:?}");
        assert!(talking.call.is_some(), "{talking:?}");
        assert!((-50.0..3.2).contains(&talking.rx.rms_dbm0), "{talking:?}");
        assert!(talking.rx.peak_dbm0 >= talking.rx.rms_dbm0, "{talking:?}");
        let idle = idle_seen.expect("an idle trunk channel");
        assert!(idle.rx.rms_dbm0 < -60.0, "{idle:?}");
        let text = |p: &str, span: u16| {
            events.iter().any(|e| {
                matches!(e, EngineEvent::Signalling { protocol, text, span: s, .. }
                    if protocol == "q931" && *s == span && text.contains(p))
            })
        };
        assert!(text("SETUP", 1) && text("CONNECT", 1), "SETUP and CONNECT traced on span 1");
        assert!(text("SETUP", 2), "the network side's span traced too");
        assert!(events.iter().any(|e| matches!(e, EngineEvent::Signalling { protocol, span: 3, text, .. }
            if protocol == "cas" && text.contains("offer"))));
        assert!(events.iter().any(|e| matches!(e, EngineEvent::Detector { span: 1, .. })));
    }
}
