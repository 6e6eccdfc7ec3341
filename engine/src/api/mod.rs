//! The control API: HTTP/1.1 + JSON on a Unix socket (file permissions decide who may talk to
//! it) and optionally on TCP (bearer token required), with a server-sent events stream and
//! Prometheus metrics.
//!
//! One thread accepts per listener and one thread serves each connection, with limits on
//! concurrent connections, header and body size and idle time. Endpoints:
//!
//! | method | path | answer |
//! | --- | --- | --- |
//! | GET | `/v1/status`, `/v1/spans`, `/v1/channels`, `/v1/calls`, `/v1/agents`, `/v1/campaigns` | JSON snapshots |
//! | GET | `/v1/cdrs?since_ms=&campaign=&outcome=&limit=` | CDRs, newest first |
//! | GET | `/v1/events` | `text/event-stream` of [`EngineEvent`](crate::model::EngineEvent)s |
//! | POST | `/v1/commands` | runs an [`ApiCommand`](crate::runtime::ApiCommand) |
//! | GET | `/metrics` | Prometheus text format |
//! | GET | `/v1/levels`, `/v1/spans/{n}/trace`, `/v1/events?span=&type=` | channel diagnostics, see [`diag`] |

pub mod diag;
pub mod http;
pub mod metrics;
pub mod routes;
mod sse;

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::runtime::EngineView;
use http::{ReadError, RequestReader, Response};

/// How the API server listens and its limits.
#[derive(Clone, Debug)]
pub struct ApiConfig {
    /// Unix socket path (created 0660; a stale socket is replaced).
    pub socket: Option<PathBuf>,
    /// TCP address, e.g. `127.0.0.1:8640` (`:0` picks a port).
    pub tcp: Option<SocketAddr>,
    /// Bearer token required on TCP.
    pub token: Option<String>,
    /// Most connections served at once; more get 503.
    pub max_connections: usize,
    /// How long a connection may stay idle between requests.
    pub read_timeout: Duration,
    /// Interval of `: keepalive` comments on the event stream.
    pub keepalive: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            socket: None,
            tcp: None,
            token: None,
            max_connections: 256,
            read_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(15),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// TCP without a token.
    #[error("[api] tcp is set but token is not: the TCP listener requires a bearer token")]
    TcpWithoutToken,
    /// Another process serves the socket.
    #[error("{0} is in use by another process (is trunkd already running?)")]
    SocketInUse(PathBuf),
    /// Binding or preparing a listener failed.
    #[error("{what}: {source}")]
    Io {
        /// What we were doing.
        what: String,
        /// The error.
        source: io::Error,
    },
}

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> ApiError {
    let what = what.into();
    move |source| ApiError::Io { what, source }
}

struct Shared {
    view: Arc<dyn EngineView>,
    cfg: ApiConfig,
    stop: AtomicBool,
    active: AtomicUsize,
}

/// A running API server; dropping it (or [`ApiServer::shutdown`]) stops it.
pub struct ApiServer {
    shared: Arc<Shared>,
    unix_path: Option<PathBuf>,
    tcp_addr: Option<SocketAddr>,
    threads: Vec<JoinHandle<()>>,
}

impl ApiServer {
    /// Binds the listeners and starts serving `view`.
    pub fn start(cfg: ApiConfig, view: Arc<dyn EngineView>) -> Result<ApiServer, ApiError> {
        if cfg.tcp.is_some() && cfg.token.as_deref().is_none_or(|t| t.is_empty()) {
            return Err(ApiError::TcpWithoutToken);
        }
        let shared = Arc::new(Shared {
            view,
            cfg: cfg.clone(),
            stop: AtomicBool::new(false),
            active: AtomicUsize::new(0),
        });
        let mut threads = Vec::new();
        let mut unix_path = None;
        if let Some(path) = &cfg.socket {
            let l = bind_unix(path)?;
            unix_path = Some(path.clone());
            let sh = shared.clone();
            threads.push(
                std::thread::Builder::new()
                    .name("api-unix".into())
                    .spawn(move || accept_unix(l, sh))
                    .map_err(io_err("spawning the API thread"))?,
            );
        }
        let mut tcp_addr = None;
        if let Some(addr) = cfg.tcp {
            let l = TcpListener::bind(addr).map_err(io_err(format!("binding TCP {addr}")))?;
            tcp_addr = Some(l.local_addr().map_err(io_err("TCP local address"))?);
            let sh = shared.clone();
            threads.push(
                std::thread::Builder::new()
                    .name("api-tcp".into())
                    .spawn(move || accept_tcp(l, sh))
                    .map_err(io_err("spawning the API thread"))?,
            );
        }
        Ok(ApiServer { shared, unix_path, tcp_addr, threads })
    }

    /// The Unix socket path, if listening there.
    pub fn unix_path(&self) -> Option<&Path> {
        self.unix_path.as_deref()
    }

    /// The bound TCP address, if listening there.
    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp_addr
    }

    /// Connections being served now.
    pub fn active_connections(&self) -> usize {
        self.shared.active.load(Ordering::Relaxed)
    }

    /// Stops accepting, ends event streams and removes the socket file.
    pub fn shutdown(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if self.shared.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the blocking accept() calls.
        if let Some(p) = &self.unix_path {
            let _ = UnixStream::connect(p);
        }
        if let Some(a) = self.tcp_addr {
            let _ = TcpStream::connect_timeout(&a, Duration::from_secs(1));
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
        if let Some(p) = &self.unix_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

fn bind_unix(path: &Path) -> Result<UnixListener, ApiError> {
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            return Err(ApiError::SocketInUse(path.to_path_buf()));
        }
        std::fs::remove_file(path)
            .map_err(io_err(format!("removing the stale socket {}", path.display())))?;
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(format!("creating {}", dir.display())))?;
    }
    let l = UnixListener::bind(path).map_err(io_err(format!("binding {}", path.display())))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(io_err(format!("chmod 0660 {}", path.display())))?;
    Ok(l)
}

/// A connected client stream, Unix or TCP.
trait Conn: io::Read + io::Write + Send + 'static {
    fn set_timeouts(&self, read: Option<Duration>) -> io::Result<()>;
}

impl Conn for UnixStream {
    fn set_timeouts(&self, read: Option<Duration>) -> io::Result<()> {
        self.set_read_timeout(read)?;
        self.set_write_timeout(Some(Duration::from_secs(10)))
    }
}

impl Conn for TcpStream {
    fn set_timeouts(&self, read: Option<Duration>) -> io::Result<()> {
        self.set_nodelay(true)?;
        self.set_read_timeout(read)?;
        self.set_write_timeout(Some(Duration::from_secs(10)))
    }
}

fn accept_unix(l: UnixListener, sh: Arc<Shared>) {
    for conn in l.incoming() {
        if sh.stop.load(Ordering::SeqCst) {
            break;
        }
        match conn {
            Ok(s) => spawn_conn(s, sh.clone(), false),
            Err(e) => {
                tracing::warn!("api: accept on the Unix socket failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn accept_tcp(l: TcpListener, sh: Arc<Shared>) {
    for conn in l.incoming() {
        if sh.stop.load(Ordering::SeqCst) {
            break;
        }
        match conn {
            Ok(s) => spawn_conn(s, sh.clone(), true),
            Err(e) => {
                tracing::warn!("api: accept on TCP failed: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Decrements the active count when a connection thread ends, even by panic.
struct ActiveGuard(Arc<Shared>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::SeqCst);
    }
}

fn spawn_conn<C: Conn>(mut s: C, sh: Arc<Shared>, needs_token: bool) {
    let n = sh.active.fetch_add(1, Ordering::SeqCst);
    let guard = ActiveGuard(sh.clone());
    if n >= sh.cfg.max_connections {
        let _ = s.set_timeouts(Some(Duration::from_secs(1)));
        let _ = Response::error(503, "too many connections; try again").write_to(&mut s, false);
        return;
    }
    let spawned = std::thread::Builder::new().name("api-conn".into()).spawn(move || {
        let _guard = guard;
        if let Err(e) = serve(s, &sh, needs_token) {
            tracing::debug!("api: connection ended: {e}");
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("api: cannot spawn a connection thread: {e}");
    }
}

/// Constant-time comparison so the token cannot be guessed byte by byte from timings.
fn token_ok(header: Option<&str>, token: &str) -> bool {
    let Some(got) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    let (a, b) = (got.trim().as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn serve<C: Conn>(mut s: C, sh: &Shared, needs_token: bool) -> io::Result<()> {
    s.set_timeouts(Some(sh.cfg.read_timeout))?;
    let mut reader = RequestReader::new();
    loop {
        if sh.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        let req = match reader.read_request(&mut s) {
            Ok(r) => r,
            Err(ReadError::Io(e))
                if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) =>
            {
                return Ok(()); // idle keep-alive connection: close quietly
            }
            Err(e) => {
                if let Some(status) = e.status() {
                    Response::error(status, e.to_string()).write_to(&mut s, false)?;
                }
                return Ok(());
            }
        };
        if needs_token {
            let token = sh.cfg.token.as_deref().unwrap_or("");
            if !token_ok(req.header("authorization"), token) {
                let mut r = Response::error(401, "missing or wrong bearer token");
                r.headers.push(("WWW-Authenticate", "Bearer".into()));
                r.write_to(&mut s, req.keep_alive)?;
                if req.keep_alive {
                    continue;
                }
                return Ok(());
            }
        }
        match routes::route(sh.view.as_ref(), &req) {
            routes::Routed::Reply(mut r) => {
                if req.method == "HEAD" {
                    r.body.clear();
                }
                r.write_to(&mut s, req.keep_alive)?;
                if !req.keep_alive {
                    return Ok(());
                }
            }
            routes::Routed::Events => {
                return sse::stream(&mut s, sh.view.as_ref(), sh.cfg.keepalive, &sh.stop);
            }
            routes::Routed::Filtered(f) => {
                return sse::stream_filtered(&mut s, sh.view.as_ref(), sh.cfg.keepalive, &sh.stop, &f);
            }
        }
    }
}

/// Writes helper for the SSE module.
fn write_all_flush(w: &mut impl Write, b: &[u8]) -> io::Result<()> {
    w.write_all(b)?;
    w.flush()
}
