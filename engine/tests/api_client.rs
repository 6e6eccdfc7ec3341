//! `trunkctl status|calls|agents|campaigns|cdrs` against a real API server on a fake engine.

mod api_support;

use std::sync::Arc;

use api_support::FakeView;
use trunkline_engine::api::{ApiConfig, ApiServer};
use trunkline_engine::cli::client::{self, CdrArgs, ClientArgs};

const TOKEN: &str = "s3cret-token-0123456789";

fn unix_args(s: &ApiServer, json: bool) -> ClientArgs {
    ClientArgs { json, socket: Some(s.unix_path().unwrap().to_path_buf()), url: None, token: None }
}

fn start(dir: &tempfile::TempDir) -> ApiServer {
    let cfg = ApiConfig {
        socket: Some(dir.path().join("trunkd.sock")),
        tcp: Some("127.0.0.1:0".parse().unwrap()),
        token: Some(TOKEN.into()),
        ..ApiConfig::default()
    };
    ApiServer::start(cfg, Arc::new(FakeView::default())).unwrap()
}

fn out(f: impl FnOnce(&mut Vec<u8>) -> anyhow::Result<i32>) -> String {
    let mut v = Vec::new();
    assert_eq!(f(&mut v).unwrap(), 0);
    String::from_utf8(v).unwrap()
}

#[test]
fn tables_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir);
    let a = unix_args(&s, false);
    let st = out(|w| client::status(&a, w));
    assert!(st.contains("calls           1"), "{st}");
    assert!(st.contains("2 (1 in alarm)"), "{st}");
    let calls = out(|w| client::calls(&a, w));
    assert!(calls.starts_with("    CALL"), "{calls}");
    assert!(calls.contains("5551234"), "{calls}");
    let agents = out(|w| client::agents(&a, w));
    assert!(agents.contains("Ann") && agents.contains("talking"), "{agents}");
    let camps = out(|w| client::campaigns(&a, w));
    assert!(camps.contains("predictive") && camps.contains("1.67"), "{camps}");
    let cdr = CdrArgs {
        conn: a.clone(),
        since_ms: Some(1),
        campaign: Some(1),
        outcome: Some("no answer".into()),
        limit: 5,
    };
    assert_eq!(client::cdr_path(&cdr), "/v1/cdrs?limit=5&since_ms=1&campaign=1&outcome=no%20answer");
    let mut v = Vec::new();
    let e = client::cdrs(&cdr, &mut v).unwrap_err().to_string();
    assert!(e.contains("400") && e.contains("outcome"), "{e}");
    let cdr = CdrArgs { outcome: None, ..cdr };
    let rows = out(|w| client::cdrs(&cdr, w));
    assert!(rows.contains("5550000") && rows.contains("30.0"), "{rows}");

    let j = out(|w| client::status(&unix_args(&s, true), w));
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert_eq!(v["agents_ready"], 1);
}

#[test]
fn tcp_with_and_without_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir);
    let mut a = ClientArgs {
        json: false,
        socket: None,
        url: Some(format!("http://{}/", s.tcp_addr().unwrap())),
        token: Some(TOKEN.into()),
    };
    out(|w| client::status(&a, w));
    a.token = None;
    let e = client::status(&a, &mut Vec::new()).unwrap_err().to_string();
    assert!(e.contains("401") && e.contains("--token"), "{e}");
    a.url = Some("https://x".into());
    let e = client::status(&a, &mut Vec::new()).unwrap_err().to_string();
    assert!(e.contains("http://"), "{e}");
}

#[test]
fn daemon_not_running_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let a = ClientArgs { json: false, socket: Some(dir.path().join("none.sock")), url: None, token: None };
    let e = client::status(&a, &mut Vec::new()).unwrap_err().to_string();
    assert!(e.contains("trunkd is not running (no socket at"), "{e}");
    assert!(e.contains("start it with"), "{e}");
}

#[test]
fn broken_pipe_propagates_as_io_error() {
    struct Closed;
    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let s = start(&dir);
    let e = client::agents(&unix_args(&s, false), &mut Closed).unwrap_err();
    assert_eq!(e.downcast_ref::<std::io::Error>().map(|e| e.kind()), Some(std::io::ErrorKind::BrokenPipe));
}
