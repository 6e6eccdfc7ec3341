//! The control API over a real Unix socket against a fake engine view.

mod api_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use api_support::{call_state, raw_exchange, FakeView};
use trunkline_engine::api::{ApiConfig, ApiServer};
use trunkline_engine::runtime::ApiCommand;

fn server(view: Arc<FakeView>, keepalive: Duration) -> (tempfile::TempDir, ApiServer) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = ApiConfig {
        socket: Some(dir.path().join("sub/trunkd.sock")),
        keepalive,
        read_timeout: Duration::from_secs(5),
        ..ApiConfig::default()
    };
    let s = ApiServer::start(cfg, view).unwrap();
    (dir, s)
}

fn get(s: &ApiServer, path: &str) -> (u16, String) {
    let mut c = UnixStream::connect(s.unix_path().unwrap()).unwrap();
    raw_exchange(&mut c, format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
}

fn post(s: &ApiServer, path: &str, body: &str) -> (u16, String) {
    let mut c = UnixStream::connect(s.unix_path().unwrap()).unwrap();
    raw_exchange(
        &mut c,
        format!("POST {path} HTTP/1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            .as_bytes(),
    )
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn endpoints_serve_snapshots() {
    let view = Arc::new(FakeView::default());
    let (_d, s) = server(view.clone(), Duration::from_secs(15));
    let mode = std::fs::metadata(s.unix_path().unwrap()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o660);

    let (st, b) = get(&s, "/v1/status");
    assert_eq!(st, 200);
    assert_eq!(json(&b)["calls"], 1);
    assert_eq!(json(&b)["spans_in_alarm"], 1);
    for (path, n) in [
        ("/v1/spans", 2),
        ("/v1/channels", 1),
        ("/v1/calls", 1),
        ("/v1/agents", 2),
        ("/v1/campaigns", 1),
        ("/v1/cdrs", 1),
    ] {
        let (st, b) = get(&s, path);
        assert_eq!(st, 200, "{path}");
        assert_eq!(json(&b).as_array().unwrap().len(), n, "{path}");
    }
    assert_eq!(json(&get(&s, "/v1/agents").1)[0]["state"], "talking");

    let (st, _) = get(&s, "/v1/cdrs?since_ms=5&campaign=1&outcome=no_answer&limit=10");
    assert_eq!(st, 200);
    let q = view.last_cdr_query.lock().unwrap().clone().unwrap();
    assert_eq!((q.since_ms, q.campaign, q.limit), (Some(5), Some(1), Some(10)));
    assert_eq!(q.outcome.as_deref(), Some("no_answer"));
    let (st, b) = get(&s, "/v1/cdrs?campaign=666");
    assert_eq!(st, 500);
    assert!(json(&b)["error"].as_str().unwrap().contains("locked"));
}

#[test]
fn cdr_query_errors_name_the_parameter() {
    let (_d, s) = server(Arc::default(), Duration::from_secs(15));
    for (q, name) in [
        ("since_ms=yesterday", "since_ms"),
        ("campaign=-3", "campaign"),
        ("limit=100000", "limit"),
        ("outcome=%ZZ", "outcome"),
        ("colour=red", "colour"),
    ] {
        let (st, b) = get(&s, &format!("/v1/cdrs?{q}"));
        assert_eq!(st, 400, "{q}");
        let err = json(&b)["error"].as_str().unwrap().to_string();
        assert!(err.contains(name), "{q}: {err}");
    }
}

#[test]
fn metrics_are_prometheus_text() {
    let (_d, s) = server(Arc::default(), Duration::from_secs(15));
    let (st, b) = get(&s, "/metrics");
    assert_eq!(st, 200);
    assert!(b.contains("# TYPE trunkline_calls gauge\ntrunkline_calls 1\n"), "{b}");
    assert!(b.contains("trunkline_agents{state=\"talking\"} 1"));
    assert!(b.contains("trunkline_agents{state=\"ready\"} 1"));
    assert!(b.contains("trunkline_agents{state=\"break\"} 0"));
    assert!(b.contains("trunkline_spans_in_alarm 1"));
    assert!(b.contains("trunkline_span_alarm{span=\"2\",name=\"SIM/0/2\"} 1"));
    assert!(b.contains("trunkline_dropped_total 7"));
    assert!(b.contains("name=\"spring \\\"sale\\\"\""), "label escaping");
    for (name, help, v) in [
        ("trunkline_campaign_attempts_total", "Attempts per campaign.", 150),
        ("trunkline_campaign_live_total", "Live answers per campaign.", 60),
        ("trunkline_campaign_abandoned_total", "Abandoned live answers per campaign.", 1),
    ] {
        let want = format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name}{{campaign=\"1\",name=\"spring \\\"sale\\\"\"}} {v}\n"
        );
        assert!(b.contains(&want), "{want}\n{b}");
    }
    for line in b.lines().filter(|l| !l.starts_with('#')) {
        let (_, v) = line.rsplit_once(' ').unwrap();
        v.parse::<f64>().unwrap_or_else(|_| panic!("bad sample line {line:?}"));
    }
}

#[test]
fn commands() {
    let view = Arc::new(FakeView::default());
    let (_d, s) = server(view.clone(), Duration::from_secs(15));
    let (st, b) = post(&s, "/v1/commands", r#"{"action":"campaign_run","campaign":2,"run":false}"#);
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        view.commands.lock().unwrap().as_slice(),
        [ApiCommand::CampaignRun { campaign: 2, run: false }]
    );
    let (st, b) = post(&s, "/v1/commands", r#"{"action":"hangup","call":404}"#);
    assert_eq!(st, 422);
    assert!(b.contains("no such call"));
    let (st, b) = post(&s, "/v1/commands", r#"{"action":"explode"}"#);
    assert_eq!(st, 400);
    assert!(b.contains("explode") && b.contains("campaign_run"), "{b}");
    let (st, b) = post(&s, "/v1/commands", "{not json");
    assert_eq!(st, 400);
    assert!(b.contains("bad command"), "{b}");
    let (st, _) = post(&s, "/v1/commands", r#"{"action":"hangup"}"#);
    assert_eq!(st, 400);
}

#[test]
fn bad_requests_get_errors_and_the_server_keeps_serving() {
    let (_d, s) = server(Arc::default(), Duration::from_secs(15));
    let path = s.unix_path().unwrap().to_path_buf();
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (b"GARBAGE\r\n\r\n".to_vec(), 400),
        (b"GET /v1/status HTTP/9.9\r\n\r\n".to_vec(), 400),
        (b"\x00\x01\x02\xff\r\n\r\n".to_vec(), 400),
        (b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(), 404),
        (b"DELETE /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(), 405),
        (b"GET /v1/commands HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(), 405),
        (b"POST /v1/commands HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n".to_vec(), 413),
        (b"POST /v1/commands HTTP/1.1\r\nContent-Length: x\r\n\r\n".to_vec(), 400),
        (b"POST /v1/commands HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(), 501),
        (format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000)).into_bytes(), 431),
    ];
    for (raw, want) in cases {
        let mut c = UnixStream::connect(&path).unwrap();
        let (st, b) = raw_exchange(&mut c, &raw);
        assert_eq!(st, want, "{:?} -> {b}", String::from_utf8_lossy(&raw[..raw.len().min(60)]));
    }
    // Half a request then hang up: no answer, no harm.
    let mut c = UnixStream::connect(&path).unwrap();
    c.write_all(b"GET /v1/sta").unwrap();
    drop(c);
    assert_eq!(get(&s, "/v1/status").0, 200);
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let (_d, s) = server(Arc::default(), Duration::from_secs(15));
    let mut c = UnixStream::connect(s.unix_path().unwrap()).unwrap();
    c.write_all(b"GET /v1/status HTTP/1.1\r\n\r\nGET /v1/calls HTTP/1.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut all = String::new();
    c.read_to_string(&mut all).unwrap();
    assert_eq!(all.matches("HTTP/1.1 200 OK").count(), 2, "{all}");
}

fn read_frame(r: &mut impl BufRead) -> Vec<String> {
    let mut lines = vec![];
    loop {
        let mut l = String::new();
        if r.read_line(&mut l).unwrap() == 0 {
            return lines;
        }
        let l = l.trim_end_matches(['\r', '\n']).to_string();
        if l.is_empty() {
            if lines.is_empty() {
                continue;
            }
            return lines;
        }
        lines.push(l);
    }
}

fn open_events(s: &ApiServer) -> BufReader<UnixStream> {
    let mut c = UnixStream::connect(s.unix_path().unwrap()).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.write_all(b"GET /v1/events HTTP/1.1\r\n\r\n").unwrap();
    let mut r = BufReader::new(c);
    let head = read_frame(&mut r);
    assert_eq!(head[0], "HTTP/1.1 200 OK");
    assert!(head.iter().any(|h| h == "Content-Type: text/event-stream"), "{head:?}");
    r
}

fn wait_for_subscribers(view: &FakeView, n: usize) {
    let t = Instant::now();
    while view.subscriber_count() < n {
        assert!(t.elapsed() < Duration::from_secs(10), "no subscriber");
        std::thread::yield_now();
    }
}

#[test]
fn events_arrive_in_order() {
    let view = Arc::new(FakeView::default());
    let (_d, s) = server(view.clone(), Duration::from_secs(15));
    let mut r = open_events(&s);
    wait_for_subscribers(&view, 1);
    for i in 0..20 {
        assert_eq!(view.publish(call_state(i)), 1);
    }
    for i in 0..20u64 {
        let f = read_frame(&mut r);
        assert_eq!(f[0], "event: call_state");
        let data = json(f[1].strip_prefix("data: ").unwrap());
        assert_eq!(data["call"], i);
    }
}

#[test]
fn overrun_subscriber_is_told_it_lost_events() {
    let view = Arc::new(FakeView { capacity: 8, prefill: 8, ..FakeView::default() });
    let (_d, s) = server(view.clone(), Duration::from_secs(15));
    let mut r = open_events(&s);
    let mut kinds = vec![];
    for _ in 0..9 {
        kinds.push(read_frame(&mut r)[0].clone());
    }
    assert!(kinds[..8].iter().all(|k| k == "event: call_state"), "{kinds:?}");
    assert_eq!(kinds[8], "event: lost");
}

#[test]
fn keepalive_comments_when_idle() {
    let view = Arc::new(FakeView::default());
    let (_d, s) = server(view.clone(), Duration::from_millis(50));
    let mut r = open_events(&s);
    let mut l = String::new();
    r.read_line(&mut l).unwrap();
    assert_eq!(l, ": keepalive\n");
}

#[test]
fn stale_socket_is_replaced_and_live_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trunkd.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap()); // stale file
    let cfg = ApiConfig { socket: Some(path.clone()), ..ApiConfig::default() };
    let s = ApiServer::start(cfg.clone(), Arc::new(FakeView::default())).unwrap();
    let e = ApiServer::start(cfg, Arc::new(FakeView::default())).err().unwrap();
    assert!(e.to_string().contains("in use"), "{e}");
    s.shutdown();
    assert!(!path.exists(), "socket removed on shutdown");
}

/// Requests per second on the Unix socket, one keep-alive connection per client thread:
/// `cargo test --release -p trunkline-engine --test api_unix -- --ignored --nocapture bench`
#[test]
#[ignore]
fn bench_requests_per_second() {
    let (_d, s) = server(Arc::default(), Duration::from_secs(15));
    let path = s.unix_path().unwrap().to_path_buf();
    let n = 20_000;
    for (threads, keep_alive) in [(1, true), (4, true), (4, false)] {
        let t = Instant::now();
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut c = UnixStream::connect(&path).unwrap();
                    let mut r = BufReader::new(c.try_clone().unwrap());
                    for _ in 0..n / threads {
                        if !keep_alive {
                            c = UnixStream::connect(&path).unwrap();
                            r = BufReader::new(c.try_clone().unwrap());
                        }
                        c.write_all(b"GET /v1/status HTTP/1.1\r\n\r\n").unwrap();
                        let mut len = 0;
                        loop {
                            let mut l = String::new();
                            r.read_line(&mut l).unwrap();
                            if let Some(v) = l.strip_prefix("Content-Length: ") {
                                len = v.trim().parse().unwrap();
                            }
                            if l == "\r\n" {
                                break;
                            }
                        }
                        let mut body = vec![0; len];
                        r.read_exact(&mut body).unwrap();
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        let rate = n as f64 / t.elapsed().as_secs_f64();
        println!("GET /v1/status: {threads} client(s), keep-alive {keep_alive}: {rate:.0} requests/s");
    }
}
