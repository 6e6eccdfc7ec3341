//! The daemon's main loop with a fake engine: sd_notify messages, SIGHUP reload, drain.

mod api_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_support::{FakeRuntime, FakeView};
use trunkline_engine::daemon::{main_loop, Control, LoopExit, LoopOptions};

fn collect() -> (Arc<Mutex<Vec<String>>>, impl FnMut(&str)) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    (log, move |m: &str| l.lock().unwrap().push(m.to_string()))
}

#[test]
fn stop_drains_and_reports() {
    let mut rt = FakeRuntime::new(Arc::new(FakeView::default()));
    let (tx, rx) = crossbeam_channel::unbounded();
    tx.send(Control::Stop).unwrap();
    let (log, mut notify) = collect();
    let opts = LoopOptions {
        watchdog: Some(Duration::from_secs(30)),
        drain_poll: Duration::from_millis(1),
        ..LoopOptions::default()
    };
    assert_eq!(main_loop(&mut rt, &rx, &mut notify, &opts), LoopExit::Drained);
    let log = log.lock().unwrap();
    assert_eq!(
        log[..3],
        [
            "WATCHDOG=1".to_string(),
            "STATUS=calls 1, agents 1 ready, spans in alarm 1".to_string(),
            "STOPPING=1".to_string()
        ]
    );
    assert!(rt.drained.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn drain_timeout_is_reported() {
    let mut rt = FakeRuntime::new(Arc::new(FakeView::default()));
    rt.drain_polls = usize::MAX;
    let (tx, rx) = crossbeam_channel::unbounded();
    tx.send(Control::Stop).unwrap();
    let (_log, mut notify) = collect();
    let opts = LoopOptions {
        drain_timeout: Duration::from_millis(20),
        drain_poll: Duration::from_millis(1),
        ..LoopOptions::default()
    };
    assert_eq!(
        main_loop(&mut rt, &rx, &mut notify, &opts),
        LoopExit::DrainTimeout(Duration::from_millis(20))
    );
}

#[test]
fn second_stop_forces_exit() {
    let mut rt = FakeRuntime::new(Arc::new(FakeView::default()));
    rt.drain_polls = usize::MAX;
    let (tx, rx) = crossbeam_channel::unbounded();
    tx.send(Control::Stop).unwrap();
    tx.send(Control::Stop).unwrap();
    let (_log, mut notify) = collect();
    assert_eq!(main_loop(&mut rt, &rx, &mut notify, &LoopOptions::default()), LoopExit::Forced);
}

#[test]
fn reload_applies_good_config_and_keeps_running_on_bad() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trunkd.toml");
    std::fs::write(&path, "[demo]\nagents = 3\n").unwrap();
    let mut rt = FakeRuntime::new(Arc::new(FakeView::default()));
    let reloads = rt.reloads.clone();
    let (tx, rx) = crossbeam_channel::unbounded();
    tx.send(Control::Reload).unwrap();
    let (log, mut notify) = collect();
    let opts = LoopOptions {
        config_path: Some(path.clone()),
        drain_poll: Duration::from_millis(1),
        ..LoopOptions::default()
    };
    let p2 = path.clone();
    let tx2 = tx.clone();
    let h = std::thread::spawn(move || {
        // Wait for the first reload to be applied, then break the file and reload again.
        let t = std::time::Instant::now();
        while reloads.lock().unwrap().is_empty() {
            assert!(t.elapsed() < Duration::from_secs(10));
            std::thread::yield_now();
        }
        std::fs::write(&p2, "[demo\n").unwrap();
        tx2.send(Control::Reload).unwrap();
        tx2.send(Control::Stop).unwrap();
        reloads
    });
    assert_eq!(main_loop(&mut rt, &rx, &mut notify, &opts), LoopExit::Drained);
    let reloads = h.join().unwrap();
    assert_eq!(reloads.lock().unwrap().as_slice(), ["[demo]\nagents = 3\n"]);
    let log = log.lock().unwrap();
    let seq: Vec<&str> = log.iter().map(String::as_str).filter(|m| !m.starts_with("STATUS=")).collect();
    assert_eq!(seq, ["RELOADING=1", "READY=1", "RELOADING=1", "READY=1", "STOPPING=1"]);
}

#[test]
fn closed_control_channel_drains() {
    let mut rt = FakeRuntime::new(Arc::new(FakeView::default()));
    let (tx, rx) = crossbeam_channel::unbounded::<Control>();
    drop(tx);
    let (_log, mut notify) = collect();
    let opts = LoopOptions { drain_poll: Duration::from_millis(1), ..LoopOptions::default() };
    assert_eq!(main_loop(&mut rt, &rx, &mut notify, &opts), LoopExit::ControlClosed);
    assert!(rt.drained.load(std::sync::atomic::Ordering::SeqCst));
}
