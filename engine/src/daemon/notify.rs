//! systemd's `sd_notify` protocol, by hand: a sans-IO [`NotifyPlan`] decides what to send
//! when (READY, periodic STATUS, WATCHDOG at half the watchdog interval), and a
//! [`NotifySocket`] sends datagrams to `$NOTIFY_SOCKET` (path or abstract `@name`).

use std::io;
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

/// The watchdog interval systemd expects pings within, from `WATCHDOG_USEC` and
/// `WATCHDOG_PID` (the latter must be unset or our pid).
pub fn watchdog_from_env(usec: Option<&str>, pid: Option<&str>, our_pid: u32) -> Option<Duration> {
    if let Some(p) = pid {
        if p.trim().parse::<u32>().ok() != Some(our_pid) {
            return None;
        }
    }
    let us: u64 = usec?.trim().parse().ok()?;
    (us > 0).then(|| Duration::from_micros(us))
}

/// When to send STATUS= and WATCHDOG=1, in explicit time.
#[derive(Clone, Debug)]
pub struct NotifyPlan {
    watchdog_every: Option<Duration>,
    status_every: Duration,
    next_watchdog: Option<Instant>,
    next_status: Instant,
}

/// What is due at a given time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Due {
    /// Send `WATCHDOG=1`.
    pub watchdog: bool,
    /// Send a fresh `STATUS=`.
    pub status: bool,
}

impl NotifyPlan {
    /// A plan starting at `now`; `watchdog` is the interval systemd enforces (we ping at half).
    pub fn new(now: Instant, watchdog: Option<Duration>, status_every: Duration) -> NotifyPlan {
        let watchdog_every = watchdog.map(|w| (w / 2).max(Duration::from_millis(1)));
        NotifyPlan {
            watchdog_every,
            status_every,
            next_watchdog: watchdog_every.map(|_| now),
            next_status: now,
        }
    }

    /// The ping interval (half of `WATCHDOG_USEC`), if the watchdog is on.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog_every
    }

    /// What is due at `now`; advances the schedule.
    pub fn poll(&mut self, now: Instant) -> Due {
        let mut due = Due::default();
        if let (Some(next), Some(every)) = (self.next_watchdog, self.watchdog_every) {
            if now >= next {
                due.watchdog = true;
                self.next_watchdog = Some(now + every);
            }
        }
        if now >= self.next_status {
            due.status = true;
            self.next_status = now + self.status_every;
        }
        due
    }

    /// When something is next due.
    pub fn poll_timeout(&self) -> Instant {
        match self.next_watchdog {
            Some(w) => w.min(self.next_status),
            None => self.next_status,
        }
    }
}

/// The `STATUS=` line systemctl shows.
pub fn status_line(calls: usize, agents_ready: usize, spans_in_alarm: usize) -> String {
    format!("STATUS=calls {calls}, agents {agents_ready} ready, spans in alarm {spans_in_alarm}")
}

/// The datagram socket to systemd (absent when not started by systemd with Type=notify).
pub struct NotifySocket {
    sock: UnixDatagram,
    addr: std::os::unix::net::SocketAddr,
}

impl NotifySocket {
    /// From `$NOTIFY_SOCKET`: a path, or `@name` for an abstract socket. `None` when unset.
    pub fn from_env_value(v: Option<&str>) -> io::Result<Option<NotifySocket>> {
        let Some(v) = v.filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let addr = if let Some(name) = v.strip_prefix('@') {
            use std::os::linux::net::SocketAddrExt;
            std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?
        } else {
            std::os::unix::net::SocketAddr::from_pathname(v)?
        };
        let sock = UnixDatagram::unbound()?;
        Ok(Some(NotifySocket { sock, addr }))
    }

    /// Sends one message (newline-separated assignments).
    pub fn send(&self, msg: &str) -> io::Result<()> {
        self.sock.send_to_addr(msg.as_bytes(), &self.addr).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watchdog_env() {
        assert_eq!(watchdog_from_env(None, None, 7), None);
        assert_eq!(watchdog_from_env(Some("30000000"), None, 7), Some(Duration::from_secs(30)));
        assert_eq!(watchdog_from_env(Some("30000000"), Some("7"), 7), Some(Duration::from_secs(30)));
        assert_eq!(watchdog_from_env(Some("30000000"), Some("8"), 7), None);
        assert_eq!(watchdog_from_env(Some("0"), None, 7), None);
        assert_eq!(watchdog_from_env(Some("x"), None, 7), None);
    }

    #[test]
    fn pings_at_half_the_watchdog_in_virtual_time() {
        let t0 = Instant::now();
        let mut p = NotifyPlan::new(t0, Some(Duration::from_secs(30)), Duration::from_secs(5));
        assert_eq!(p.watchdog_interval(), Some(Duration::from_secs(15)));
        assert_eq!(p.poll(t0), Due { watchdog: true, status: true });
        assert_eq!(p.poll_timeout(), t0 + Duration::from_secs(5));
        let mut pings = vec![];
        let mut statuses = 0;
        let mut now = t0;
        while now < t0 + Duration::from_secs(60) {
            now = p.poll_timeout();
            let d = p.poll(now);
            if d.watchdog {
                pings.push(now - t0);
            }
            statuses += usize::from(d.status);
        }
        assert_eq!(pings, [15, 30, 45, 60].map(Duration::from_secs).to_vec(), "one ping every 15 s");
        assert_eq!(statuses, 12);
        // A late wake-up pings once, then re-schedules from then.
        let late = now + Duration::from_secs(40);
        assert!(p.poll(late).watchdog);
        assert!(!p.poll(late + Duration::from_secs(14)).watchdog);
        assert!(p.poll(late + Duration::from_secs(15)).watchdog);
    }

    #[test]
    fn no_watchdog() {
        let t0 = Instant::now();
        let mut p = NotifyPlan::new(t0, None, Duration::from_secs(5));
        assert!(!p.poll(t0).watchdog);
        assert_eq!(p.poll_timeout(), t0 + Duration::from_secs(5));
    }

    #[test]
    fn real_socket_roundtrip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        let s = NotifySocket::from_env_value(path.to_str()).unwrap().unwrap();
        s.send("READY=1").unwrap();
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
        assert!(NotifySocket::from_env_value(None).unwrap().is_none());
    }

    #[test]
    fn abstract_socket() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("trunkd-test-{}", std::process::id());
        let a = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let rx = UnixDatagram::bind_addr(&a).unwrap();
        let s = NotifySocket::from_env_value(Some(&format!("@{name}"))).unwrap().unwrap();
        s.send("WATCHDOG=1").unwrap();
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1");
    }
}
