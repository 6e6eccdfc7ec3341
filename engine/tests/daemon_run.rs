//! `trunkd` end to end in-process with a fake engine: config file, API socket, READY=1 and
//! STATUS= on a real `NOTIFY_SOCKET`, SIGTERM (raised with signal-hook) drains and exits 0.
//! One test per file: it sets process environment variables.

mod api_support;

use std::os::unix::net::{UnixDatagram, UnixStream};
use std::sync::Arc;
use std::time::Duration;

use api_support::{raw_exchange, FakeRuntime, FakeView};
use trunkline_engine::daemon::{run, Args};
use trunkline_engine::runtime::EngineRuntime;

#[test]
fn runs_serves_notifies_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let sock = dir.path().join("api.sock");
    let cfg_path = dir.path().join("trunkd.toml");
    std::fs::write(
        &cfg_path,
        format!("[daemon]\nlog = \"warn\"\n\n[api]\nsocket = \"{}\"\n\n[demo]\nagents = 2\n", sock.display()),
    )
    .unwrap();
    std::env::set_var("NOTIFY_SOCKET", &notify_path);
    std::env::remove_var("WATCHDOG_USEC");
    std::env::remove_var("JOURNAL_STREAM");
    let args = Args {
        config: Some(cfg_path),
        data_dir: Some(dir.path().join("data")),
        speed: 1.0,
        check_config: false,
    };
    let data_dir = dir.path().join("data");
    let daemon = std::thread::spawn(move || {
        run(args, |cfg, dd| {
            assert!(cfg.raw.contains("[demo]"));
            assert_eq!(dd, data_dir.as_path());
            assert!(dd.is_dir());
            Ok(Box::new(FakeRuntime::new(Arc::new(FakeView::default()))) as Box<dyn EngineRuntime>)
        })
    });
    let mut buf = [0u8; 256];
    let mut recv = || {
        let n = notify.recv(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).to_string()
    };
    assert_eq!(recv(), "READY=1");
    assert_eq!(recv(), "STATUS=calls 1, agents 1 ready, spans in alarm 1");

    let mut c = UnixStream::connect(&sock).unwrap();
    let (st, body) = raw_exchange(&mut c, b"GET /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(st, 200, "{body}");

    signal_hook::low_level::raise(signal_hook::consts::SIGTERM).unwrap();
    assert_eq!(recv(), "STOPPING=1");
    assert_eq!(daemon.join().unwrap(), 0);
    assert!(!sock.exists(), "API socket removed at exit");
}
