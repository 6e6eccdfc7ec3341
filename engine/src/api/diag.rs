//! The channel-diagnostics endpoints (kept apart from the other routes):
//!
//! | method | path | answer |
//! | --- | --- | --- |
//! | GET | `/v1/levels[?chan=1,2,63][&span=1]` | [`LevelsSnapshot`]: state, call, signalling, rx/tx peak and RMS dBm0 per channel |
//! | GET | `/v1/spans/{n}/trace` | `text/event-stream` of span `n`'s signalling (Q.931/CAS/R2 decoded), detector events and alarms |
//! | GET | `/v1/events?span=N&type=signalling,detector` | the event stream filtered by span and/or event type |
//!
//! The plain `/v1/events` carries detector events but not the signalling trace (one event per
//! frame); `type=signalling` or a span trace asks for it.
//!
//! Errors name what is wrong: `404 no such channel 99 (channels: 1-15,17-31,63-66)`,
//! `404 no such span 9 (spans: 1,2,3,4)`, `400 parameter chan: "x" is not a channel number`.

use super::http::{percent_decode, Request, Response};
use super::routes::Routed;
use crate::diag::{ranges, LevelsSnapshot};
use crate::model::EngineEvent;
use crate::runtime::EngineView;

/// Which events an event stream passes on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only events about this span (events that name no span are dropped).
    pub span: Option<u16>,
    /// Only these event types (`signalling`, `detector`, `span_alarm`, `call_state`, ...).
    pub types: Option<Vec<String>>,
}

impl EventFilter {
    /// The span trace: signalling, detector events and alarms of one span.
    pub fn span_trace(span: u16) -> Self {
        Self {
            span: Some(span),
            types: Some(vec!["signalling".into(), "detector".into(), "span_alarm".into()]),
        }
    }

    /// The plain `/v1/events` stream: everything but the (voluminous) signalling trace, which is
    /// asked for with `?type=signalling` or `/v1/spans/{n}/trace`.
    pub fn plain() -> Self {
        Self {
            span: None,
            types: Some(TYPES.iter().filter(|t| **t != "signalling").map(|t| t.to_string()).collect()),
        }
    }

    /// Whether `ev` passes.
    pub fn pass(&self, ev: &EngineEvent) -> bool {
        if let Some(span) = self.span {
            let s = match ev {
                EngineEvent::Signalling { span, .. }
                | EngineEvent::Detector { span, .. }
                | EngineEvent::SpanAlarm { span, .. } => Some(*span),
                _ => None,
            };
            if s != Some(span) {
                return false;
            }
        }
        match &self.types {
            None => true,
            Some(t) => t.iter().any(|t| t == type_name(ev)),
        }
    }
}

fn type_name(ev: &EngineEvent) -> &'static str {
    match ev {
        EngineEvent::CallStarted { .. } => "call_started",
        EngineEvent::CallState { .. } => "call_state",
        EngineEvent::Offer { .. } => "offer",
        EngineEvent::CallEnded { .. } => "call_ended",
        EngineEvent::AgentState { .. } => "agent_state",
        EngineEvent::SpanAlarm { .. } => "span_alarm",
        EngineEvent::Detector { .. } => "detector",
        EngineEvent::Signalling { .. } => "signalling",
    }
}

const TYPES: [&str; 8] = [
    "call_started",
    "call_state",
    "offer",
    "call_ended",
    "agent_state",
    "span_alarm",
    "detector",
    "signalling",
];

fn params(query: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode(k)?;
        let v = percent_decode(v).map_err(|e| format!("parameter {k}: {e}"))?;
        out.push((k, v));
    }
    Ok(out)
}

fn span_list(view: &dyn EngineView) -> (Vec<u16>, String) {
    let spans: Vec<u16> = view.spans().iter().map(|s| s.span).collect();
    let list = spans.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
    (spans, list)
}

fn parse_span(v: &str, view: &dyn EngineView) -> Result<u16, Response> {
    let n: u16 =
        v.parse().map_err(|_| Response::error(400, format!("parameter span: {v:?} is not a span number")))?;
    let (spans, list) = span_list(view);
    if spans.is_empty() {
        return Err(Response::error(503, "trunkd is starting: no spans reported yet; try again"));
    }
    if !spans.contains(&n) {
        return Err(Response::error(404, format!("no such span {n} (spans: {list})")));
    }
    Ok(n)
}

fn get_only(req: &Request) -> Option<Response> {
    if req.method == "GET" || req.method == "HEAD" {
        return None;
    }
    let mut r = Response::error(405, format!("{} only accepts GET", req.path));
    r.headers.push(("Allow", "GET".into()));
    Some(r)
}

/// Routes the diagnostics endpoints; `None` for any other request.
pub fn route(view: &dyn EngineView, req: &Request) -> Option<Routed> {
    let path = req.path.as_str();
    if path == "/v1/levels" {
        return Some(Routed::Reply(get_only(req).unwrap_or_else(|| levels(view, req.query.as_deref()))));
    }
    if let Some(n) = path.strip_prefix("/v1/spans/").and_then(|r| r.strip_suffix("/trace")) {
        if let Some(r) = get_only(req) {
            return Some(Routed::Reply(r));
        }
        return Some(match parse_span(n, view) {
            Ok(span) => Routed::Filtered(EventFilter::span_trace(span)),
            Err(r) => Routed::Reply(r),
        });
    }
    if path == "/v1/events" && req.query.as_deref().is_some_and(|q| !q.is_empty()) && get_only(req).is_none()
    {
        return Some(match event_filter(view, req.query.as_deref()) {
            Ok(f) => Routed::Filtered(f),
            Err(r) => Routed::Reply(r),
        });
    }
    None
}

fn event_filter(view: &dyn EngineView, query: Option<&str>) -> Result<EventFilter, Response> {
    let mut f = EventFilter::default();
    for (k, v) in params(query).map_err(|e| Response::error(400, e))? {
        match k.as_str() {
            "span" => f.span = Some(parse_span(&v, view)?),
            "type" => {
                let t: Vec<String> = v.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect();
                if let Some(bad) = t.iter().find(|t| !TYPES.contains(&t.as_str())) {
                    return Err(Response::error(
                        400,
                        format!("parameter type: unknown event type {bad:?} (types: {})", TYPES.join(",")),
                    ));
                }
                f.types = Some(t);
            }
            other => {
                return Err(Response::error(
                    400,
                    format!("unknown parameter {other:?} (expected span, type)"),
                ))
            }
        }
    }
    Ok(f)
}

fn levels(view: &dyn EngineView, query: Option<&str>) -> Response {
    let Some(snap) = view.levels() else {
        return Response::error(501, "this engine does not measure channel levels");
    };
    match select(snap, query, view) {
        Ok(s) => match serde_json::to_value(&s) {
            Ok(v) => Response::json(200, &v),
            Err(e) => Response::error(500, format!("serialising the answer failed: {e}")),
        },
        Err(r) => r,
    }
}

/// Applies `chan=` and `span=` to a snapshot (channels in the order asked for).
fn select(
    snap: LevelsSnapshot,
    query: Option<&str>,
    view: &dyn EngineView,
) -> Result<LevelsSnapshot, Response> {
    let mut chans: Option<Vec<u32>> = None;
    let mut span = None;
    for (k, v) in params(query).map_err(|e| Response::error(400, e))? {
        match k.as_str() {
            "chan" | "channel" => {
                let mut list = Vec::new();
                for c in v.split(',').filter(|c| !c.is_empty()) {
                    list.push(c.trim().parse::<u32>().map_err(|_| {
                        Response::error(400, format!("parameter chan: {c:?} is not a channel number"))
                    })?);
                }
                chans = Some(list);
            }
            "span" => span = Some(parse_span(&v, view)?),
            other => {
                return Err(Response::error(
                    400,
                    format!("unknown parameter {other:?} (expected chan, span)"),
                ))
            }
        }
    }
    let LevelsSnapshot { at_ms, channels } = snap;
    let channels = match chans {
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for c in list {
                match channels.iter().find(|x| x.channel == c) {
                    Some(x) => out.push(x.clone()),
                    None => {
                        let all: Vec<u32> = channels.iter().map(|x| x.channel).collect();
                        return Err(Response::error(
                            404,
                            format!("no such channel {c} (channels: {})", ranges(&all)),
                        ));
                    }
                }
            }
            out
        }
        None => channels,
    };
    let channels = channels.into_iter().filter(|c| span.is_none_or(|s| c.span == s)).collect();
    Ok(LevelsSnapshot { at_ms, channels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{ChannelDiag, Level};
    use crate::model::{
        AgentSnapshot, CallSnapshot, CampaignSnapshot, Cdr, ChannelSnapshot, Ms, SpanSnapshot, StatusSnapshot,
    };
    use crate::runtime::{ApiCommand, CdrQuery};

    struct Fake(bool);

    impl EngineView for Fake {
        fn status(&self) -> StatusSnapshot {
            StatusSnapshot::default()
        }
        fn spans(&self) -> Vec<SpanSnapshot> {
            (1..=2)
                .map(|n| SpanSnapshot {
                    span: n,
                    name: format!("SIM/0/{n}"),
                    kind: "E1".into(),
                    framing: "CCS".into(),
                    alarms: "OK".into(),
                    counters: Default::default(),
                })
                .collect()
        }
        fn channels(&self) -> Vec<ChannelSnapshot> {
            Vec::new()
        }
        fn calls(&self) -> Vec<CallSnapshot> {
            Vec::new()
        }
        fn agents(&self) -> Vec<AgentSnapshot> {
            Vec::new()
        }
        fn campaigns(&self) -> Vec<CampaignSnapshot> {
            Vec::new()
        }
        fn cdrs(&self, _: &CdrQuery) -> Result<Vec<Cdr>, String> {
            Ok(Vec::new())
        }
        fn subscribe(&self) -> crossbeam_channel::Receiver<EngineEvent> {
            crossbeam_channel::never()
        }
        fn command(&self, _: ApiCommand) -> Result<serde_json::Value, String> {
            Err("no".into())
        }
        fn levels(&self) -> Option<LevelsSnapshot> {
            self.0.then(|| LevelsSnapshot {
                at_ms: 500,
                channels: [1u32, 2, 3, 40]
                    .iter()
                    .map(|&c| ChannelDiag {
                        channel: c,
                        span: if c < 32 { 1 } else { 2 },
                        name: format!("DAHDI/x-{c}"),
                        state: "idle".into(),
                        call: None,
                        signalling: String::new(),
                        rx: Level::default(),
                        tx: Level::default(),
                    })
                    .collect(),
            })
        }
    }

    fn get(view: &dyn EngineView, target: &str) -> Option<Routed> {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (target.to_string(), None),
        };
        let req =
            Request { method: "GET".into(), path, query, headers: vec![], body: vec![], keep_alive: false };
        route(view, &req)
    }

    fn reply(r: Option<Routed>) -> (u16, serde_json::Value) {
        match r {
            Some(Routed::Reply(resp)) => (resp.status, serde_json::from_slice(&resp.body).unwrap()),
            Some(Routed::Filtered(f)) => panic!("a stream ({f:?}), not a reply"),
            _ => panic!("not routed here"),
        }
    }

    #[test]
    fn levels_select_channels_and_name_missing_ones() {
        let v = Fake(true);
        let (code, body) = reply(get(&v, "/v1/levels"));
        assert_eq!(code, 200);
        assert_eq!(body["channels"].as_array().unwrap().len(), 4);
        let (_, body) = reply(get(&v, "/v1/levels?chan=3,1"));
        let got: Vec<u64> =
            body["channels"].as_array().unwrap().iter().map(|c| c["channel"].as_u64().unwrap()).collect();
        assert_eq!(got, [3, 1], "in the order asked for");
        let (_, body) = reply(get(&v, "/v1/levels?span=2"));
        assert_eq!(body["channels"][0]["channel"], 40);
        let (code, body) = reply(get(&v, "/v1/levels?chan=1,9"));
        assert_eq!(code, 404);
        assert_eq!(body["error"], "no such channel 9 (channels: 1-3,40)");
        let (code, body) = reply(get(&v, "/v1/levels?chan=x"));
        assert_eq!(code, 400);
        assert!(body["error"].as_str().unwrap().contains("parameter chan"));
        let (code, _) = reply(get(&v, "/v1/levels?span=7"));
        assert_eq!(code, 404);
        let (code, _) = reply(get(&v, "/v1/levels?foo=1"));
        assert_eq!(code, 400);
        let (code, body) = reply(get(&Fake(false), "/v1/levels"));
        assert_eq!(code, 501, "{body}");
    }

    #[test]
    fn span_trace_and_event_filters() {
        let v = Fake(true);
        match get(&v, "/v1/spans/2/trace") {
            Some(Routed::Filtered(f)) => assert_eq!(f, EventFilter::span_trace(2)),
            _ => panic!("span 2's trace is a stream"),
        }
        let (code, body) = reply(get(&v, "/v1/spans/9/trace"));
        assert_eq!(code, 404);
        assert_eq!(body["error"], "no such span 9 (spans: 1,2)");
        let (code, _) = reply(get(&v, "/v1/spans/x/trace"));
        assert_eq!(code, 400);
        assert!(get(&v, "/v1/events").is_none(), "the plain stream stays with the main routes");
        assert!(get(&v, "/v1/spans").is_none());
        match get(&v, "/v1/events?type=detector,signalling&span=1") {
            Some(Routed::Filtered(f)) => {
                assert_eq!(f.span, Some(1));
                assert_eq!(f.types.as_deref().unwrap(), ["detector", "signalling"]);
            }
            _ => panic!("a filtered stream"),
        }
        let (code, body) = reply(get(&v, "/v1/events?type=bogus"));
        assert_eq!(code, 400);
        assert!(body["error"].as_str().unwrap().contains("bogus"));
        let sig = |span| EngineEvent::Signalling {
            at: Ms(1),
            span,
            channel: None,
            protocol: "q931".into(),
            direction: "tx".into(),
            text: "SETUP".into(),
        };
        let f = EventFilter::span_trace(1);
        assert!(f.pass(&sig(1)));
        assert!(!f.pass(&sig(2)));
        assert!(!f.pass(&EngineEvent::CallState {
            at: Ms(1),
            call: crate::model::CallId(1),
            state: "x".into()
        }));
        assert!(EventFilter::default().pass(&sig(2)));
        assert!(!EventFilter::plain().pass(&sig(2)), "no signalling on the plain stream");
        assert!(EventFilter::plain().pass(&EngineEvent::SpanAlarm {
            at: Ms(1),
            span: 1,
            alarms: "RED".into()
        }));
    }
}
