//! `trunkctl bench pipeline`: the threaded media pipeline on the simulated board, paced in real
//! time, with the always-on detector set on every channel and every channel recorded to disk.
//! Reports the CPU it used per channel, ring overruns (must be 0), tick latency and the bytes
//! recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;
use trunkline_driver::sim::{Clock, LinkTo, SimBoard, SimConfig};
use trunkline_driver::{ChannelNo, SpanNo};
use trunkline_dsp::event::DetectorKind;

use crate::media::PlayItem;
use crate::model::CallId;
use crate::pipeline::{Builder, LatencySummary, PipelineConfig, PipelineEvent, ALWAYS_ON, ON_ANSWER};
use crate::record::{RecorderConfig, WavFormat};

/// Arguments of `trunkctl bench pipeline`.
#[derive(Debug, Args)]
pub struct PipelineBenchArgs {
    /// Media channels (E1 spans of 30 channels are added, cross-connected in pairs).
    #[arg(long, default_value_t = 3000)]
    pub channels: usize,
    /// Seconds to run, paced in real time.
    #[arg(long, default_value_t = 60.0)]
    pub seconds: f64,
    /// DSP worker threads (default: one per CPU).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Simulated boards (one I/O thread each); the spans are split between them.
    #[arg(long, default_value_t = 4)]
    pub boards: usize,
    /// Tick length in ms (1..=20).
    #[arg(long, default_value_t = 20)]
    pub tick_ms: usize,
    /// Capacity of every rx and tx ring, ms (how long a worker may be descheduled before
    /// received audio is lost).
    #[arg(long, default_value_t = 500)]
    pub ring_ms: usize,
    /// Ticks of tx prefill (how late a worker may be before the line sends idle).
    #[arg(long, default_value_t = 2)]
    pub prefill: usize,
    /// Directory for the recordings (default: a new directory under the system temp dir,
    /// removed afterwards).
    #[arg(long)]
    pub rec_dir: Option<PathBuf>,
    /// Recording encoding: alaw, ulaw or pcm16.
    #[arg(long, default_value = "alaw")]
    pub rec_format: String,
    /// Recording channels: 1 (rx and tx mixed) or 2 (rx left, tx right).
    #[arg(long, default_value_t = 1)]
    pub rec_channels: u16,
    /// Recording writer threads (calls are sharded over them).
    #[arg(long, default_value_t = 2)]
    pub rec_threads: usize,
    /// Audio gathered per recording block, ms (a DSP worker hands a call's audio to the
    /// writer once per block, not once per tick).
    #[arg(long, default_value_t = 250)]
    pub rec_block_ms: usize,
    /// Do not record (to compare).
    #[arg(long)]
    pub no_record: bool,
    /// Also run the answer-time detectors (voicemail beep, AMD) on every channel all the time: the
    /// worst case, as if every channel had just answered an outbound call.
    #[arg(long)]
    pub with_answer_set: bool,
    /// Keep the recordings.
    #[arg(long)]
    pub keep: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// CPU time by thread group, seconds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CpuByRole {
    /// Board I/O threads.
    pub io_s: f64,
    /// DSP workers.
    pub dsp_s: f64,
    /// The recording writer.
    pub recorder_s: f64,
    /// Everything else (the event consumer, the main thread).
    pub other_s: f64,
}

/// What `bench pipeline` measured.
#[derive(Clone, Debug, Serialize)]
pub struct PipelineBench {
    /// Media channels.
    pub channels: usize,
    /// E1 spans.
    pub spans: usize,
    /// Boards (I/O threads).
    pub boards: usize,
    /// DSP workers.
    pub workers: usize,
    /// Tick, ms.
    pub tick_ms: usize,
    /// Ring capacity, ms.
    pub ring_ms: usize,
    /// Detectors on every channel.
    pub detectors: Vec<String>,
    /// Recording format (`alaw mono`), or `off`.
    pub recording: String,
    /// Wall seconds measured.
    pub wall_s: f64,
    /// CPUs of the machine.
    pub cpus: usize,
    /// 1-minute load average at the end (other jobs included).
    pub load_avg: f64,
    /// Process CPU seconds over the run.
    pub cpu_s: f64,
    /// Cores used on average.
    pub cores_used: f64,
    /// CPU per channel: microseconds of CPU per second of one channel's audio.
    pub cpu_us_per_channel_s: f64,
    /// CPU by thread group.
    pub cpu_by_role: CpuByRole,
    /// Board ticks done (per board).
    pub board_ticks: Vec<u64>,
    /// Ticks the paced clock should have done in the wall time.
    pub expected_ticks: u64,
    /// Received octets dropped on full rx rings (must be 0).
    pub rx_overruns: u64,
    /// Octets sent as idle on empty tx rings (a worker was later than the prefill).
    pub tx_underruns: u64,
    /// Events delivered on the bus, by detector.
    pub events: BTreeMap<String, u64>,
    /// Events dropped on the bus.
    pub events_dropped: u64,
    /// Recording blocks dropped (no free block, or the writer's queue full).
    pub rec_blocks_dropped: u64,
    /// Ticks of a channel's audio that did not reach its recording (counted by the DSP workers;
    /// the same losses as `rec_blocks_dropped`, counted per tick).
    pub rec_ticks_lost: u64,
    /// Board tick end → DSP worker done with it.
    pub tick_latency: LatencySummary,
    /// Time a worker spent on one board tick.
    pub tick_processing: LatencySummary,
    /// Recordings finished.
    pub recordings: usize,
    /// Bytes in them.
    pub recording_bytes: u64,
    /// Seconds to stop (finish and sync every recording).
    pub shutdown_s: f64,
    /// No overruns, and the boards kept the real-time pace.
    pub realtime: bool,
    /// Real time, and also no tx underrun and no recorded audio lost.
    pub clean: bool,
}

fn parse_format(s: &str) -> anyhow::Result<WavFormat> {
    Ok(match s {
        "alaw" => WavFormat::Alaw,
        "ulaw" => WavFormat::Ulaw,
        "pcm16" | "pcm" => WavFormat::Pcm16,
        _ => anyhow::bail!("--rec-format {s:?}: expected alaw, ulaw or pcm16"),
    })
}

/// (utime + stime) in seconds from a `/proc/.../stat` line (USER_HZ = 100).
fn stat_cpu_s(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn process_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat").ok().and_then(|s| stat_cpu_s(&s)).unwrap_or(0.0)
}

/// CPU seconds of every live thread of this process, by thread name.
fn threads_cpu() -> Vec<(String, f64)> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    dir.flatten()
        .filter_map(|e| {
            let name = std::fs::read_to_string(e.path().join("comm")).ok()?.trim().to_string();
            let cpu = stat_cpu_s(&std::fs::read_to_string(e.path().join("stat")).ok()?)?;
            Some((name, cpu))
        })
        .collect()
}

fn by_role(threads: &[(String, f64)]) -> CpuByRole {
    let mut r = CpuByRole::default();
    for (name, cpu) in threads {
        if name.starts_with("io-") {
            r.io_s += cpu;
        } else if name.starts_with("dsp-") {
            r.dsp_s += cpu;
        } else if name.starts_with("recorder") {
            r.recorder_s += cpu;
        } else {
            r.other_s += cpu;
        }
    }
    r
}

fn load_avg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// Runs the benchmark.
pub fn measure(a: &PipelineBenchArgs) -> anyhow::Result<PipelineBench> {
    anyhow::ensure!(a.channels >= 1, "--channels must be at least 1");
    anyhow::ensure!((1..=20).contains(&a.tick_ms), "--tick-ms must be 1..=20");
    anyhow::ensure!(a.boards >= 1, "--boards must be at least 1");
    anyhow::ensure!(a.seconds > 0.0, "--seconds must be positive");
    anyhow::ensure!(matches!(a.rec_channels, 1 | 2), "--rec-channels must be 1 or 2");
    let format = parse_format(&a.rec_format)?;
    let n = a.tick_ms * 8;
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = a.workers.unwrap_or(cpus).max(1);
    // E1 spans of 30 media channels, an even number (cross-connected pairs), split over boards
    // in pairs.
    let spans = a.channels.div_ceil(30).next_multiple_of(2);
    let pairs = spans / 2;
    let boards = a.boards.min(pairs);
    anyhow::ensure!(a.rec_threads >= 1, "--rec-threads must be at least 1");
    anyhow::ensure!(a.rec_block_ms >= a.tick_ms, "--rec-block-ms must be at least one tick");
    // Per writer thread: every channel holds one block it is filling; the queue holds up to
    // two blocks per channel (rec_block_ms × 2 of slack for the disk).
    let per_thread = a.channels.div_ceil(a.rec_threads);
    let cfg = PipelineConfig {
        workers,
        tx_prefill_ticks: a.prefill,
        ring_ms: a.ring_ms,
        recorder: (!a.no_record).then_some(RecorderConfig {
            queue: 2 * per_thread + 16,
            pool: 3 * per_thread + 32,
            block_samples: a.rec_block_ms * 8,
            sample_rate: 8000,
            threads: a.rec_threads,
        }),
        detectors: ALWAYS_ON
            .iter()
            .chain(if a.with_answer_set { &ON_ANSWER[..] } else { &[] })
            .copied()
            .collect(),
        ..PipelineConfig::default()
    };
    let detectors = cfg.detectors.iter().map(|k: &DetectorKind| k.name().to_string()).collect();
    let mut b = Builder::new(cfg)?;
    let (mut first_span, mut first_chan) = (1u16, 1u32);
    for k in 0..boards {
        let board_pairs = pairs / boards + usize::from(k < pairs % boards);
        let mut sc = SimConfig::e1_pairs(board_pairs * 2);
        sc.board = k as u16;
        sc.first_span = first_span;
        // `e1_pairs` numbers the links from span 1.
        for (i, l) in sc.links.iter_mut().enumerate() {
            *l = LinkTo::Span(SpanNo(first_span + (i ^ 1) as u16));
        }
        sc.first_chan = first_chan;
        sc.tick_frames = n;
        sc.seed = k as u64 + 1;
        sc.clock = Clock::Paced { speed: 1.0 };
        first_span += (board_pairs * 2) as u16;
        first_chan += (board_pairs * 2 * 31) as u32;
        b.add_board(Box::new(SimBoard::new(sc)?))?;
    }
    let chans: Vec<ChannelNo> = b.media_channels().into_iter().take(a.channels).collect();
    let audio: Arc<[i16]> = super::bench::bench_audio().into();
    let dir = match &a.rec_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("trunkline-bench-pipeline-{}", std::process::id())),
    };
    if !a.no_record {
        std::fs::create_dir_all(&dir)?;
    }
    let loops = (a.seconds / 30.0).ceil() as usize + 1;
    for (i, &c) in chans.iter().enumerate() {
        b.open(c)?;
        // Every channel plays the benchmark audio (speech, music, DTMF, MF) from its own
        // offset, so its far end's detectors hear real content.
        let m = b.media_mut(c).ok_or_else(|| anyhow::anyhow!("channel {c} did not open"))?;
        let pos = (i * 7919 * 8) % audio.len();
        m.player.push(PlayItem::Clip { samples: audio.clone(), pos });
        for _ in 0..loops {
            m.player.push(PlayItem::Clip { samples: audio.clone(), pos: 0 });
        }
        if !a.no_record {
            b.record(c, CallId(u64::from(c.0)), dir.join(format!("ch{}.wav", c.0)), format, a.rec_channels)?;
        }
    }

    let cpu0 = process_cpu_s();
    let threads0 = threads_cpu();
    let t0 = Instant::now();
    let p = b.spawn(None)?;
    // The engine core's place: drain the bus, count events by detector.
    let stop = Arc::new(AtomicBool::new(false));
    let rx = p.control().events().clone();
    let stop2 = stop.clone();
    let core = std::thread::Builder::new().name("bench-core".into()).spawn(move || {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut count = |ev: PipelineEvent| {
            let k = match ev {
                PipelineEvent::Tone { tone, .. } => tone.detector.name(),
                PipelineEvent::PlayDone { .. } => "play-done",
                PipelineEvent::Board { .. } => "board",
            };
            *counts.entry(k.to_string()).or_default() += 1;
        };
        while !stop2.load(Ordering::Relaxed) {
            if let Ok(ev) = rx.recv_timeout(Duration::from_millis(50)) {
                count(ev);
                rx.try_iter().for_each(&mut count);
            }
        }
        counts
    })?;
    std::thread::sleep(Duration::from_secs_f64(a.seconds));
    let wall_s = t0.elapsed().as_secs_f64();
    let cpu_s = process_cpu_s() - cpu0;
    let threads1 = threads_cpu();
    let stats = p.control().stats();
    let t_stop = Instant::now();
    let report = p.shutdown()?;
    let shutdown_s = t_stop.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let events = core.join().map_err(|_| anyhow::anyhow!("the event consumer panicked"))?;
    // Per-thread CPU over the run (threads started since count from zero).
    let sum = |ts: &[(String, f64)]| {
        let mut m: BTreeMap<String, f64> = BTreeMap::new();
        for (n, c) in ts {
            *m.entry(n.clone()).or_default() += c;
        }
        m
    };
    let before = sum(&threads0);
    let delta: Vec<(String, f64)> = sum(&threads1)
        .into_iter()
        .map(|(n, c)| (n.clone(), c - before.get(&n).copied().unwrap_or(0.0)))
        .collect();
    let recording_bytes = report.recordings.iter().map(|r| r.bytes).sum();
    let recordings = report.recordings.len();
    if !a.no_record && a.rec_dir.is_none() && !a.keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let expected_ticks = (wall_s * 1000.0 / a.tick_ms as f64) as u64;
    let min_ticks = stats.board_ticks.iter().copied().min().unwrap_or(0);
    // Paced boards that fell more than a second behind the wall clock did not keep real time.
    let kept_pace = min_ticks + (1000 / a.tick_ms as u64) >= expected_ticks;
    let rec_blocks_dropped = report.recorder.map_or(0, |r| r.dropped);
    Ok(PipelineBench {
        channels: chans.len(),
        spans,
        boards,
        workers,
        tick_ms: a.tick_ms,
        ring_ms: a.ring_ms,
        detectors,
        recording: if a.no_record {
            "off".into()
        } else {
            format!("{} {}", format.name(), if a.rec_channels == 2 { "stereo" } else { "mono" })
        },
        wall_s,
        cpus,
        load_avg: load_avg(),
        cpu_s,
        cores_used: cpu_s / wall_s,
        cpu_us_per_channel_s: cpu_s * 1e6 / (wall_s * chans.len() as f64),
        cpu_by_role: by_role(&delta),
        board_ticks: stats.board_ticks.clone(),
        expected_ticks,
        rx_overruns: stats.rx_overruns,
        tx_underruns: stats.tx_underruns,
        events,
        events_dropped: stats.events_dropped,
        rec_blocks_dropped,
        rec_ticks_lost: stats.rec_dropped,
        tick_latency: stats.latency,
        tick_processing: stats.processing,
        recordings,
        recording_bytes,
        shutdown_s,
        realtime: stats.rx_overruns == 0 && kept_pace,
        clean: stats.rx_overruns == 0
            && kept_pace
            && stats.tx_underruns == 0
            && rec_blocks_dropped == 0
            && stats.rec_dropped == 0,
    })
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// `trunkctl bench pipeline`: exit 1 unless the run was clean (no rx overrun, no tx underrun, no
/// recorded audio lost, the boards kept the pace).
pub fn run(a: &PipelineBenchArgs) -> anyhow::Result<i32> {
    let r = measure(a)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "bench pipeline: {} channels ({} E1 spans on {} boards, cross-connected in pairs), {} DSP workers, {} ms ticks, {} ms rings, paced in real time for {:.1} s",
            r.channels, r.spans, r.boards, r.workers, r.tick_ms, r.ring_ms, r.wall_s
        );
        println!(
            "  detectors on every channel: {}; recording every channel: {}",
            r.detectors.join(", "),
            r.recording
        );
        println!(
            "  CPU: {:.2} of {} cores ({:.0} %); {:.0} µs CPU per channel-second ({:.3} % of a core per channel)",
            r.cores_used,
            r.cpus,
            100.0 * r.cores_used / r.cpus as f64,
            r.cpu_us_per_channel_s,
            r.cpu_us_per_channel_s / 1e4
        );
        let c = &r.cpu_by_role;
        println!(
            "       by thread: board I/O {:.2}, DSP {:.2}, recorder {:.2}, other {:.2} cores",
            c.io_s / r.wall_s,
            c.dsp_s / r.wall_s,
            c.recorder_s / r.wall_s,
            c.other_s / r.wall_s
        );
        println!(
            "  ring overruns {}, tx underruns {}; events {} (dropped {}); recording blocks dropped {} ({} ticks of audio)",
            r.rx_overruns,
            r.tx_underruns,
            r.events.values().sum::<u64>(),
            r.events_dropped,
            r.rec_blocks_dropped,
            r.rec_ticks_lost
        );
        let (l, p) = (&r.tick_latency, &r.tick_processing);
        println!(
            "  tick latency (board tick done → DSP done): p50 {:.2} ms, p99.9 {:.2} ms, worst {:.2} ms",
            ms(l.p50_us),
            ms(l.p999_us),
            ms(l.max_us)
        );
        println!(
            "  tick processing (one worker, one board tick): p50 {:.2} ms, p99.9 {:.2} ms, worst {:.2} ms",
            ms(p.p50_us),
            ms(p.p999_us),
            ms(p.max_us)
        );
        println!(
            "  recordings: {} files, {:.1} MB written (shutdown with sync {:.1} s)",
            r.recordings,
            r.recording_bytes as f64 / 1e6,
            r.shutdown_s
        );
        println!(
            "  board ticks {:?} of {} expected; real time: {}; clean (no underrun, nothing lost): {}; load average {:.1} on {} CPUs (includes other jobs)",
            r.board_ticks,
            r.expected_ticks,
            if r.realtime { "yes" } else { "NO" },
            if r.clean { "yes" } else { "NO" },
            r.load_avg,
            r.cpus
        );
    }
    Ok(if r.clean { 0 } else { 1 })
}
