//! The control API on TCP: bearer token required.

mod api_support;

use std::net::TcpStream;
use std::sync::Arc;

use api_support::{raw_exchange, FakeView};
use trunkline_engine::api::{ApiConfig, ApiError, ApiServer};

const TOKEN: &str = "s3cret-token-0123456789";

fn start() -> ApiServer {
    let cfg = ApiConfig {
        tcp: Some("127.0.0.1:0".parse().unwrap()),
        token: Some(TOKEN.into()),
        ..ApiConfig::default()
    };
    ApiServer::start(cfg, Arc::new(FakeView::default())).unwrap()
}

fn get(s: &ApiServer, auth: Option<&str>) -> (u16, String) {
    let mut c = TcpStream::connect(s.tcp_addr().unwrap()).unwrap();
    let auth = auth.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    raw_exchange(&mut c, format!("GET /v1/status HTTP/1.1\r\n{auth}Connection: close\r\n\r\n").as_bytes())
}

#[test]
fn token_is_required() {
    let s = start();
    assert_eq!(get(&s, Some(&format!("Bearer {TOKEN}"))).0, 200);
    let (st, b) = get(&s, None);
    assert_eq!(st, 401);
    assert!(b.contains("token"));
    assert_eq!(get(&s, Some("Bearer wrong")).0, 401);
    assert_eq!(get(&s, Some(&format!("Bearer {TOKEN}x"))).0, 401);
    assert_eq!(get(&s, Some(&format!("Basic {TOKEN}"))).0, 401);
    // The server still serves after the refusals.
    assert_eq!(get(&s, Some(&format!("Bearer {TOKEN}"))).0, 200);
}

#[test]
fn tcp_without_token_is_refused() {
    let cfg = ApiConfig { tcp: Some("127.0.0.1:0".parse().unwrap()), ..ApiConfig::default() };
    assert!(matches!(ApiServer::start(cfg, Arc::new(FakeView::default())), Err(ApiError::TcpWithoutToken)));
}

#[test]
fn connection_limit_answers_503() {
    let cfg = ApiConfig {
        tcp: Some("127.0.0.1:0".parse().unwrap()),
        token: Some(TOKEN.into()),
        max_connections: 1,
        ..ApiConfig::default()
    };
    let s = ApiServer::start(cfg, Arc::new(FakeView::default())).unwrap();
    let _held = TcpStream::connect(s.tcp_addr().unwrap()).unwrap();
    let t = std::time::Instant::now();
    while s.active_connections() < 1 {
        assert!(t.elapsed().as_secs() < 10);
        std::thread::yield_now();
    }
    let (st, _) = get(&s, Some(&format!("Bearer {TOKEN}")));
    assert_eq!(st, 503);
}
