//! `/v1/events`: the engine's event bus as server-sent events (without the signalling trace
//! unless asked for, see [`super::diag`]). Each event is
//! `event: <type>\ndata: <json>\n\n`; a `: keepalive` comment goes out when nothing happened
//! for a while; `event: lost` tells a subscriber that fell behind that events were dropped.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;

use crate::model::EngineEvent;
use crate::runtime::EngineView;

/// How often the stream checks for server shutdown while idle.
const POLL: Duration = Duration::from_millis(250);

/// Formats one event as an SSE frame.
pub(crate) fn frame(ev: &EngineEvent) -> Vec<u8> {
    let value = serde_json::to_value(ev).unwrap_or(serde_json::Value::Null);
    let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or("event").to_string();
    let data = serde_json::to_string(&value).unwrap_or_else(|_| "null".into());
    format!("event: {kind}\ndata: {data}\n\n").into_bytes()
}

const LOST: &[u8] =
    b"event: lost\ndata: {\"type\":\"lost\",\"reason\":\"subscriber fell behind; events were dropped\"}\n\n";

/// Streams events until the client goes away, the bus closes or the server stops.
pub(crate) fn stream(
    w: &mut impl Write,
    view: &dyn EngineView,
    keepalive: Duration,
    stop: &AtomicBool,
) -> io::Result<()> {
    stream_filtered(w, view, keepalive, stop, &super::diag::EventFilter::plain())
}

/// As [`stream`], passing on only the events `filter` lets through.
pub(crate) fn stream_filtered(
    w: &mut impl Write,
    view: &dyn EngineView,
    keepalive: Duration,
    stop: &AtomicBool,
    filter: &super::diag::EventFilter,
) -> io::Result<()> {
    let rx = view.subscribe();
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
    super::write_all_flush(w, head)?;
    let mut last_write = Instant::now();
    let mut out = Vec::with_capacity(4096);
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // A full bounded channel means the publisher may have had to drop events for us.
        let overrun = rx.capacity().is_some_and(|c| c > 0 && rx.len() >= c);
        let wait = keepalive.saturating_sub(last_write.elapsed()).min(POLL).max(Duration::from_millis(1));
        out.clear();
        match rx.recv_timeout(wait) {
            Ok(ev) => {
                for ev in std::iter::once(ev).chain(rx.try_iter().take(1024)).filter(|e| filter.pass(e)) {
                    out.extend_from_slice(&frame(&ev));
                }
                if overrun {
                    out.extend_from_slice(LOST);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if last_write.elapsed() >= keepalive {
                    out.extend_from_slice(b": keepalive\n\n");
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                let _ = super::write_all_flush(w, b"event: end\ndata: {\"type\":\"end\"}\n\n");
                return Ok(());
            }
        }
        if !out.is_empty() {
            super::write_all_flush(w, &out)?;
            last_write = Instant::now();
        }
    }
}
