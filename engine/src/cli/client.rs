//! `trunkctl status|calls|agents|campaigns|cdrs`: a small HTTP/1.1 client of a running
//! `trunkd`'s control API, over its Unix socket or TCP with a bearer token.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use serde::de::DeserializeOwned;

use crate::model::{AgentSnapshot, CallSnapshot, CampaignSnapshot, Cdr, StatusSnapshot};

/// Where the daemon's API is, and output format.
#[derive(Clone, Debug, clap::Args)]
pub struct ClientArgs {
    /// Print the daemon's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The API's Unix socket (default: /run/trunkline/trunkd.sock, else ./trunkline-data/trunkd.sock).
    #[arg(long, value_name = "PATH", conflicts_with = "url")]
    pub socket: Option<PathBuf>,
    /// The API's TCP address instead, e.g. http://127.0.0.1:8640.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Bearer token for --url (or $TRUNKCTL_TOKEN).
    #[arg(long, value_name = "TOKEN", env = "TRUNKCTL_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
}

/// `trunkctl cdrs` filters.
#[derive(Clone, Debug, clap::Args)]
pub struct CdrArgs {
    /// Connection and format.
    #[command(flatten)]
    pub conn: ClientArgs,
    /// Only calls started at or after this engine time (ms).
    #[arg(long)]
    pub since_ms: Option<u64>,
    /// Only this campaign.
    #[arg(long)]
    pub campaign: Option<u64>,
    /// Only this outcome (e.g. live, busy, no_answer).
    #[arg(long)]
    pub outcome: Option<String>,
    /// At most this many rows (newest first).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
}

/// Connects to the daemon's Unix socket; a missing daemon or a permission problem is an error
/// that says what to do.
pub fn connect_unix(p: &std::path::Path) -> anyhow::Result<UnixStream> {
    UnixStream::connect(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => anyhow::anyhow!(
            "trunkd is not running (no socket at {}): start it with `systemctl start trunkd` or `trunkd --config FILE`, or pass --socket PATH",
            p.display()
        ),
        std::io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "permission denied on {}: run as root or as a member of the socket's group (the socket is mode 0660)",
            p.display()
        ),
        _ => anyhow::Error::new(e).context(format!("connecting to {}", p.display())),
    })
}

/// Default Unix socket locations, in the order tried.
pub const DEFAULT_SOCKETS: [&str; 2] = ["/run/trunkline/trunkd.sock", "./trunkline-data/trunkd.sock"];

/// A response: status code and body.
#[derive(Debug)]
pub struct HttpReply {
    /// Status code.
    pub status: u16,
    /// Body.
    pub body: Vec<u8>,
}

enum Target {
    Unix(PathBuf),
    Tcp(String),
}

fn target(a: &ClientArgs) -> anyhow::Result<Target> {
    if let Some(url) = &a.url {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow::anyhow!("--url {url:?}: only http://host:port is supported"))?;
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains('/') {
            bail!("--url {url:?}: expected http://host:port");
        }
        return Ok(Target::Tcp(host.to_string()));
    }
    if let Some(s) = &a.socket {
        return Ok(Target::Unix(s.clone()));
    }
    let found = DEFAULT_SOCKETS.iter().map(PathBuf::from).find(|p| p.exists());
    Ok(Target::Unix(found.unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKETS[0]))))
}

/// Sends one request and reads the whole reply (`Connection: close`).
pub fn request(
    a: &ClientArgs,
    method: &str,
    path_and_query: &str,
    body: Option<&[u8]>,
) -> anyhow::Result<HttpReply> {
    let t = target(a)?;
    let mut req = format!(
        "{method} {path_and_query} HTTP/1.1\r\nHost: trunkd\r\nConnection: close\r\nAccept: application/json\r\n"
    );
    if let (Target::Tcp(_), Some(tok)) = (&t, &a.token) {
        req.push_str(&format!("Authorization: Bearer {tok}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    let mut raw = req.into_bytes();
    if let Some(b) = body {
        raw.extend_from_slice(b);
    }
    let timeout = Some(Duration::from_secs(10));
    let reply = match &t {
        Target::Unix(p) => {
            let mut s = connect_unix(p)?;
            s.set_read_timeout(timeout)?;
            s.set_write_timeout(timeout)?;
            exchange(&mut s, &raw)?
        }
        Target::Tcp(host) => {
            let mut s = TcpStream::connect(host.as_str()).map_err(|e| match e.kind() {
                std::io::ErrorKind::ConnectionRefused => anyhow::anyhow!(
                    "trunkd is not listening on {host} (connection refused): is [api] tcp set and the daemon running?"
                ),
                _ => anyhow::Error::new(e).context(format!("connecting to {host}")),
            })?;
            s.set_read_timeout(timeout)?;
            s.set_write_timeout(timeout)?;
            exchange(&mut s, &raw)?
        }
    };
    Ok(reply)
}

fn exchange(s: &mut (impl Read + Write), raw: &[u8]) -> anyhow::Result<HttpReply> {
    s.write_all(raw).context("sending the request")?;
    let mut buf = Vec::new();
    s.take(64 * 1024 * 1024).read_to_end(&mut buf).context("reading the reply")?;
    parse_reply(&buf)
}

/// Parses a complete HTTP/1.1 reply.
pub fn parse_reply(buf: &[u8]) -> anyhow::Result<HttpReply> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut resp = httparse::Response::new(&mut headers);
    let head = match resp.parse(buf).context("malformed reply from trunkd")? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => bail!("truncated reply from trunkd"),
    };
    let status = resp.code.unwrap_or(0);
    let len = resp
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok());
    let body = &buf[head..];
    let body = match len {
        Some(n) if n <= body.len() => &body[..n],
        Some(_) => bail!("truncated reply body from trunkd"),
        None => body,
    };
    Ok(HttpReply { status, body: body.to_vec() })
}

/// GETs a path and returns the JSON body, turning HTTP errors into clear messages.
pub fn get_json(a: &ClientArgs, path: &str) -> anyhow::Result<serde_json::Value> {
    let r = request(a, "GET", path, None)?;
    let v: serde_json::Value = serde_json::from_slice(&r.body)
        .with_context(|| format!("trunkd answered {} with a body that is not JSON", r.status))?;
    match r.status {
        200 => Ok(v),
        401 => bail!("401 unauthorized: pass the API token with --token or $TRUNKCTL_TOKEN"),
        code => bail!(
            "trunkd answered {code}: {}",
            v.get("error").and_then(|e| e.as_str()).unwrap_or("(no message)")
        ),
    }
}

fn typed<T: DeserializeOwned>(v: serde_json::Value) -> anyhow::Result<T> {
    serde_json::from_value(v).context("unexpected JSON from trunkd (version mismatch?)")
}

fn print_json(out: &mut impl Write, v: &serde_json::Value) -> anyhow::Result<()> {
    writeln!(out, "{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "-".into(), |x| x.to_string())
}

/// `trunkctl status`.
pub fn status(a: &ClientArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let v = get_json(a, "/v1/status")?;
    if a.json {
        print_json(out, &v)?;
        return Ok(0);
    }
    let s: StatusSnapshot = typed(v)?;
    writeln!(out, "engine time     {:.1} s (speed x{})", s.now_ms as f64 / 1000.0, s.speed)?;
    writeln!(out, "spans           {} ({} in alarm)", s.spans, s.spans_in_alarm)?;
    writeln!(out, "calls           {}", s.calls)?;
    writeln!(
        out,
        "agents          {} logged in, {} ready, {} talking",
        s.agents_logged_in, s.agents_ready, s.agents_talking
    )?;
    writeln!(out, "dropped         {}", s.dropped)?;
    if s.draining {
        writeln!(out, "state           draining")?;
    }
    Ok(0)
}

/// `trunkctl calls`.
pub fn calls(a: &ClientArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let v = get_json(a, "/v1/calls")?;
    if a.json {
        print_json(out, &v)?;
        return Ok(0);
    }
    let rows: Vec<CallSnapshot> = typed(v)?;
    writeln!(
        out,
        "{:>8} {:<8} {:>7} {:<12} {:<16} {:<16} {:>6} {:>10}",
        "CALL", "DIR", "CHANNEL", "STATE", "ANI", "DNIS", "AGENT", "SINCE_MS"
    )?;
    for c in rows {
        writeln!(
            out,
            "{:>8} {:<8} {:>7} {:<12} {:<16} {:<16} {:>6} {:>10}",
            c.call.0,
            c.direction,
            c.channel,
            c.state,
            c.ani,
            c.dnis,
            opt(&c.agent),
            c.since_ms
        )?;
    }
    Ok(0)
}

/// `trunkctl agents`.
pub fn agents(a: &ClientArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let v = get_json(a, "/v1/agents")?;
    if a.json {
        print_json(out, &v)?;
        return Ok(0);
    }
    let rows: Vec<AgentSnapshot> = typed(v)?;
    writeln!(
        out,
        "{:>6} {:<20} {:>7} {:<11} {:>10} {:>8} {:>6}",
        "AGENT", "NAME", "CHANNEL", "STATE", "SINCE_MS", "CALL", "CALLS"
    )?;
    for r in rows {
        let state = serde_json::to_value(r.state)?;
        writeln!(
            out,
            "{:>6} {:<20} {:>7} {:<11} {:>10} {:>8} {:>6}",
            r.agent.0,
            r.name,
            opt(&r.channel),
            state.as_str().unwrap_or("?"),
            r.since_ms,
            opt(&r.call),
            r.calls
        )?;
    }
    Ok(0)
}

/// `trunkctl campaigns`.
pub fn campaigns(a: &ClientArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let v = get_json(a, "/v1/campaigns")?;
    if a.json {
        print_json(out, &v)?;
        return Ok(0);
    }
    let rows: Vec<CampaignSnapshot> = typed(v)?;
    writeln!(
        out,
        "{:>4} {:<20} {:<12} {:<7} {:>8} {:>8} {:>8} {:>6} {:>9} {:>7}",
        "ID", "NAME", "MODE", "STATE", "LEADS", "FINISHED", "ATTEMPTS", "LIVE", "ABANDONED", "ABAND%"
    )?;
    for c in rows {
        let pct = if c.live > 0 {
            format!("{:.2}", 100.0 * c.abandoned as f64 / c.live as f64)
        } else {
            "-".into()
        };
        writeln!(
            out,
            "{:>4} {:<20} {:<12} {:<7} {:>8} {:>8} {:>8} {:>6} {:>9} {:>7}",
            c.campaign.0,
            c.name,
            c.mode,
            if c.running { "running" } else { "paused" },
            c.leads,
            c.finished,
            c.attempts,
            c.live,
            c.abandoned,
            pct
        )?;
    }
    Ok(0)
}

/// Builds the `/v1/cdrs` query string.
pub fn cdr_path(a: &CdrArgs) -> String {
    let mut q = vec![format!("limit={}", a.limit)];
    if let Some(s) = a.since_ms {
        q.push(format!("since_ms={s}"));
    }
    if let Some(c) = a.campaign {
        q.push(format!("campaign={c}"));
    }
    if let Some(o) = &a.outcome {
        let enc: String = o
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b == b'_' {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        q.push(format!("outcome={enc}"));
    }
    format!("/v1/cdrs?{}", q.join("&"))
}

/// `trunkctl cdrs`.
pub fn cdrs(a: &CdrArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let v = get_json(&a.conn, &cdr_path(a))?;
    if a.conn.json {
        print_json(out, &v)?;
        return Ok(0);
    }
    let rows: Vec<Cdr> = typed(v)?;
    writeln!(
        out,
        "{:>8} {:<8} {:>7} {:<16} {:<16} {:>8} {:>6} {:>10} {:>8} {:<14} {:>5}",
        "CALL", "DIR", "CHANNEL", "ANI", "DNIS", "CAMPAIGN", "AGENT", "START_MS", "DUR_S", "OUTCOME", "CAUSE"
    )?;
    for c in rows {
        let outcome = match &c.outcome {
            Some(o) => serde_json::to_value(o)?.as_str().map_or_else(|| "?".to_string(), str::to_string),
            None => "-".into(),
        };
        writeln!(
            out,
            "{:>8} {:<8} {:>7} {:<16} {:<16} {:>8} {:>6} {:>10} {:>8.1} {:<14} {:>5}",
            c.call.0,
            c.direction,
            c.channel,
            c.ani,
            c.dnis,
            opt(&c.campaign),
            opt(&c.agent),
            c.start_ms,
            c.end_ms.saturating_sub(c.start_ms) as f64 / 1000.0,
            outcome,
            c.cause
        )?;
    }
    Ok(0)
}
