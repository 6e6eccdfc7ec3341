//! Live connections to a running `trunkd` for the diagnostics verbs: a streaming
//! server-sent-events reader (the span trace, the event feed of `trunkctl top`) and typed GETs
//! of the diagnostics endpoints. Connection errors read as the other client verbs' do.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};

use super::client::{get_json, ClientArgs, DEFAULT_SOCKETS};
use crate::diag::LevelsSnapshot;
use crate::model::{SpanSnapshot, StatusSnapshot};

trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// Where the API is: the same choice the other client verbs make.
fn socket_path(a: &ClientArgs) -> PathBuf {
    if let Some(s) = &a.socket {
        return s.clone();
    }
    DEFAULT_SOCKETS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKETS[0]))
}

fn connect(a: &ClientArgs) -> anyhow::Result<(Box<dyn Stream>, bool)> {
    if let Some(url) = &a.url {
        let host = url
            .strip_prefix("http://")
            .map(|h| h.trim_end_matches('/'))
            .filter(|h| !h.is_empty() && !h.contains('/'))
            .ok_or_else(|| anyhow::anyhow!("--url {url:?}: expected http://host:port"))?;
        let s = TcpStream::connect(host).map_err(|e| match e.kind() {
            std::io::ErrorKind::ConnectionRefused => anyhow::anyhow!(
                "trunkd is not listening on {host} (connection refused): is [api] tcp set and the daemon running?"
            ),
            _ => anyhow::Error::new(e).context(format!("connecting to {host}")),
        })?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        return Ok((Box::new(s), true));
    }
    let p = socket_path(a);
    let s = super::client::connect_unix(&p)?;
    // Keep-alive comments come every 15 s; 30 s of nothing means the daemon is gone.
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    Ok((Box::new(s), false))
}

/// One server-sent event.
#[derive(Clone, Debug, PartialEq)]
pub struct SseEvent {
    /// `event:` name.
    pub kind: String,
    /// `data:` payload, parsed.
    pub data: serde_json::Value,
}

/// An open event stream.
pub struct SseStream {
    r: BufReader<Box<dyn Stream>>,
    line: String,
}

/// Opens `path` (an SSE endpoint) and checks the answer's status; HTTP errors become the
/// daemon's message (`no such span 9 (spans: 1,2,3,4)`).
pub fn open_events(a: &ClientArgs, path: &str) -> anyhow::Result<SseStream> {
    let (mut s, tcp) = connect(a)?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: trunkd\r\nAccept: text/event-stream\r\n");
    if let (true, Some(tok)) = (tcp, &a.token) {
        req.push_str(&format!("Authorization: Bearer {tok}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).context("sending the request")?;
    let mut r = BufReader::new(s);
    let mut status_line = String::new();
    r.read_line(&mut status_line).context("reading the reply")?;
    let code: u16 = status_line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut len = None;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).context("reading the reply")? == 0 {
            bail!("trunkd closed the connection");
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse::<usize>().ok();
            }
        }
    }
    if code != 200 {
        let mut body = vec![0; len.unwrap_or(0).min(64 * 1024)];
        r.read_exact(&mut body).ok();
        let msg = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_else(|| "(no message)".into());
        match code {
            401 => bail!("401 unauthorized: pass the API token with --token or $TRUNKCTL_TOKEN"),
            404 if msg.starts_with("no such endpoint") => {
                bail!("this trunkd has no {path} endpoint (older version?)")
            }
            _ => bail!("{msg}"),
        }
    }
    Ok(SseStream { r, line: String::new() })
}

impl SseStream {
    /// The next event; `None` when the stream ended (daemon stopped).
    pub fn next_event(&mut self) -> anyhow::Result<Option<SseEvent>> {
        let mut kind = String::new();
        let mut data = String::new();
        loop {
            self.line.clear();
            let n = self.r.read_line(&mut self.line).context("reading the event stream")?;
            if n == 0 {
                return Ok(None);
            }
            let l = self.line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if data.is_empty() {
                    continue;
                }
                if kind == "end" {
                    return Ok(None);
                }
                let v = serde_json::from_str(&data)
                    .with_context(|| format!("event stream: data that is not JSON: {data:?}"))?;
                return Ok(Some(SseEvent { kind, data: v }));
            }
            if let Some(k) = l.strip_prefix("event:") {
                kind = k.trim().to_string();
            } else if let Some(d) = l.strip_prefix("data:") {
                data.push_str(d.trim_start());
            }
        }
    }
}

/// `/v1/levels` (optionally some channels only; the daemon names a missing one).
pub fn levels(a: &ClientArgs, chans: &[u32]) -> anyhow::Result<LevelsSnapshot> {
    let path = if chans.is_empty() {
        "/v1/levels".to_string()
    } else {
        format!("/v1/levels?chan={}", chans.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
    };
    serde_json::from_value(get_json(a, &path)?).context("unexpected JSON from trunkd (version mismatch?)")
}

/// `/v1/spans`.
pub fn spans(a: &ClientArgs) -> anyhow::Result<Vec<SpanSnapshot>> {
    serde_json::from_value(get_json(a, "/v1/spans")?)
        .context("unexpected JSON from trunkd (version mismatch?)")
}

/// `/v1/status`.
pub fn status(a: &ClientArgs) -> anyhow::Result<StatusSnapshot> {
    serde_json::from_value(get_json(a, "/v1/status")?)
        .context("unexpected JSON from trunkd (version mismatch?)")
}

/// Seconds as `12.3s`, for engine times in ms.
pub fn secs(ms: u64) -> String {
    format!("{:.1}s", ms as f64 / 1000.0)
}
