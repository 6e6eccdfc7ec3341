//! `trunkctl bench board`: how many times faster than real time one core runs the simulated
//! board's full path (build frames → transmit → receive → align → deinterleave → rings) with
//! every timeslot carrying audio, checking that no octet is lost.

use std::time::Instant;

use ringbuf::traits::{Consumer, Producer};
use serde::Serialize;
use trunkline_driver::board::Board;
use trunkline_driver::ring::{EngineEnd, RingConfig, MAX_FRAME};
use trunkline_driver::sim::{SimBoard, SimConfig};
use trunkline_driver::ChannelKind;

/// What `bench board` measured.
#[derive(Clone, Debug, Serialize)]
pub struct BoardBench {
    /// E1 spans.
    pub spans: usize,
    /// Bearer timeslots carrying audio.
    pub timeslots: usize,
    /// Spans with TS16 CAS multiframes / with HDLC D-channels.
    pub cas_spans: usize,
    /// Spans with HDLC D-channels.
    pub hdlc_spans: usize,
    /// Virtual seconds simulated.
    pub virtual_s: f64,
    /// Wall-clock seconds spent in the board's tick (the board path alone).
    pub board_wall_s: f64,
    /// Wall-clock seconds for the whole loop (board plus filling and draining every ring).
    pub total_wall_s: f64,
    /// Real-time factor of the board path on one core.
    pub x_realtime_board: f64,
    /// Real-time factor including the ring producers and consumers.
    pub x_realtime_total: f64,
    /// Seconds of the board's ticks spent on a CPU: their wall time less the time the thread
    /// waited, runnable, for a CPU (Linux schedstat); `None` where the kernel does not say. On a
    /// loaded machine this is the figure that shows what one core does.
    pub board_oncpu_s: Option<f64>,
    /// Real-time factor of the board path from its on-CPU time.
    pub x_realtime_board_oncpu: Option<f64>,
    /// One-minute load average when the run started (Linux), to judge the wall-clock figures.
    pub load_avg_1m: Option<f64>,
    /// Octets sent into tx rings / received from rx rings after the links aligned.
    pub octets_sent: u64,
    /// Octets received.
    pub octets_received: u64,
    /// Octets that arrived out of sequence or with the wrong value.
    pub octets_wrong: u64,
    /// Ring overruns plus underruns over all channels.
    pub ring_faults: u64,
    /// D-channel frames sent / received intact.
    pub frames_sent: u64,
    /// D-channel frames received.
    pub frames_received: u64,
}

/// Runs the board benchmark for `seconds` of virtual time with `tick_ms` ticks.
pub fn run(spans: usize, seconds: f64, tick_ms: usize, idle: bool) -> anyhow::Result<BoardBench> {
    anyhow::ensure!(spans >= 2 && spans % 2 == 0, "--spans must be an even number ≥ 2 (spans run in pairs)");
    let mut cfg = SimConfig::e1_pairs(spans);
    cfg.tick_frames = tick_ms * 8;
    let n = cfg.tick_frames;
    let mut board = SimBoard::new(cfg)?;
    board.start()?;
    let chans = board.channels();
    let mut audio: Vec<(u32, EngineEnd)> = Vec::new();
    let mut dchans: Vec<EngineEnd> = Vec::new();
    let rings = RingConfig { audio: 4 * n, ..RingConfig::default() };
    for c in chans.iter().filter(|_| !idle) {
        match c.kind {
            ChannelKind::Bearer | ChannelKind::Cas => audio.push((c.no.0, board.open(c.no, rings)?)),
            ChannelKind::Dchan => dchans.push(board.open(c.no, rings)?),
            ChannelKind::Reserved => {}
        }
    }
    // Align all links with idle content first.
    board.run_ticks(20)?;
    let mut scratch = vec![0u8; 4 * n];
    for (_, e) in audio.iter_mut() {
        e.rx.pop_slice(&mut scratch);
    }
    let base_faults: u64 = audio
        .iter()
        .map(|(_, e)| {
            let s = e.stats.snapshot();
            s.rx_overruns + s.tx_underruns
        })
        .sum();
    // Each channel sends an incrementing counter that skips the idle octet 0xD5: a sequence of
    // period 255. The producers copy it from a table and the consumers compare what arrives
    // with the table (one `memcmp` per channel per tick, as cheap as an engine that reads its
    // rings into a buffer; the octet-by-octet count only runs on a mismatch).
    const PERIOD: usize = 255;
    let seq: Vec<u8> = (0..PERIOD + 4 * n + PERIOD).map(|i| seq_octet(i % PERIOD)).collect();
    let mut tx_pos = vec![0usize; audio.len()];
    let mut rx_pos = vec![0usize; audio.len()];
    let mut started = vec![false; audio.len()];
    let ticks = ((seconds * 8000.0) / n as f64).ceil() as usize;
    let (mut sent, mut received, mut wrong) = (0u64, 0u64, 0u64);
    let (mut frames_sent, mut frames_received) = (0u64, 0u64);
    let mut fbuf = [0u8; MAX_FRAME];
    let frame = [0x02u8, 0x01, 0x00, 0x08, 0x01, 0x01, 0x05, 0x04, 0x03, 0x80, 0x90, 0xA3, 0x18, 0x01, 0x81];
    let mut board_time = 0.0f64;
    let load_avg_1m = load_average();
    // Time spent waiting for a CPU inside the ticks, while the kernel reports it.
    let mut waited: Option<u64> = Some(0);
    let t_all = Instant::now();
    for t in 0..ticks {
        for (i, (_, e)) in audio.iter_mut().enumerate() {
            let p = tx_pos[i];
            let k = e.tx.push_slice(&seq[p..p + n]);
            tx_pos[i] = (p + k) % PERIOD;
            sent += k as u64;
        }
        // A Q.931-sized frame every 100 ms on every D-channel.
        if t % (800 / n).max(1) == 0 {
            for d in dchans.iter_mut() {
                frames_sent += d.send_frame(&frame) as u64;
            }
        }
        let w0 = thread_wait_ns();
        let t0 = Instant::now();
        board.tick()?;
        board_time += t0.elapsed().as_secs_f64();
        let w1 = thread_wait_ns();
        waited = match (waited, w0, w1) {
            (Some(w), Some(a), Some(b)) => Some(w + b.saturating_sub(a)),
            _ => None,
        };
        while board.poll_event().is_some() {}
        for (i, (_, e)) in audio.iter_mut().enumerate() {
            let got = e.rx.pop_slice(&mut scratch);
            received += got as u64;
            let mut rx = &scratch[..got];
            if !started[i] {
                // The idle octets sent before the first counter octet reached the line.
                let skip = rx.iter().position(|&o| o != IDLE).unwrap_or(rx.len());
                rx = &rx[skip..];
                started[i] = !rx.is_empty();
            }
            let p = rx_pos[i];
            let want = &seq[p..p + rx.len()];
            if rx != want {
                wrong += rx.iter().zip(want).filter(|(a, b)| a != b).count() as u64;
            }
            rx_pos[i] = (p + rx.len()) % PERIOD;
        }
        for d in dchans.iter_mut() {
            while let Some(len) = d.recv_frame(&mut fbuf) {
                frames_received += (len == frame.len() + 2 && fbuf[..frame.len()] == frame) as u64;
            }
        }
    }
    let total = t_all.elapsed().as_secs_f64();
    let ring_faults: u64 = audio
        .iter()
        .map(|(_, e)| {
            let s = e.stats.snapshot();
            s.rx_overruns + s.tx_underruns
        })
        .sum::<u64>()
        - base_faults;
    let virtual_s = (ticks * n) as f64 / 8000.0;
    let board_oncpu_s = waited.map(|w| (board_time - w as f64 * 1e-9).max(1e-9));
    Ok(BoardBench {
        spans,
        timeslots: audio.len(),
        cas_spans: spans / 2,
        hdlc_spans: spans / 2,
        virtual_s,
        board_wall_s: board_time,
        total_wall_s: total,
        x_realtime_board: virtual_s / board_time,
        x_realtime_total: virtual_s / total,
        board_oncpu_s,
        x_realtime_board_oncpu: board_oncpu_s.map(|s| virtual_s / s),
        load_avg_1m,
        octets_sent: sent,
        octets_received: received,
        octets_wrong: wrong,
        ring_faults,
        frames_sent,
        frames_received,
    })
}

/// The idle octet of an unfed A-law channel.
const IDLE: u8 = 0xD5;

/// Octet `i` (0..255) of the test sequence: 0, 1, … counting up and skipping the idle octet.
fn seq_octet(i: usize) -> u8 {
    let o = i as u8;
    if o >= IDLE {
        o + 1
    } else {
        o
    }
}

/// Nanoseconds this thread has spent runnable but waiting for a CPU, from Linux's
/// `/proc/thread-self/schedstat` (second field); `None` elsewhere or without schedstats.
fn thread_wait_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut f = s.split_whitespace();
    let run: u64 = f.next()?.parse().ok()?;
    let wait: u64 = f.next()?.parse().ok()?;
    // A kernel without schedstats prints zeros.
    (run > 0).then_some(wait)
}

/// The one-minute load average (Linux `/proc/loadavg`).
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}
