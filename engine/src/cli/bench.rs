//! `trunkctl bench dsp`: how many real-time 8 kHz channels one core sustains, per detector and
//! for the always-on set, measured on speech-like, music-like and tone audio (not silence).
//!
//! To add a detector, add one line to [`BENCH_SETS`] (and its constructor to
//! [`super::analyze::build_detector`]).

use clap::Args;
use std::time::Instant;
use trunkline_dsp::bank::DtmfBank;
use trunkline_dsp::dtmf::{Dtmf, DtmfConfig, Kernel};
use trunkline_dsp::event::Detector;
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::{clip, dtmf_string, mf_sequence, MusicLike, Noise, SpeechLike};
use trunkline_dsp::mf::MfKind;

/// What to benchmark: a name and the detectors that run together on every channel.
pub const BENCH_SETS: &[(&str, &[&str])] = &[
    ("dtmf", &["dtmf"]),
    ("mf-r1", &["mf-r1"]),
    ("mf-r2-fwd", &["mf-r2-fwd"]),
    ("mf-r2-bwd", &["mf-r2-bwd"]),
    ("vad", &["vad"]),
    ("cpt", &["cpt"]),
    ("sit", &["sit"]),
    ("fax", &["fax"]),
    ("beep", &["beep"]),
    ("amd", &["amd"]),
    // Every channel, all the time: DTMF, call progress for one country with SIT, fax, level/VAD.
    ("always-on", &["dtmf", "cpt", "fax", "vad"]),
];

/// Arguments of `trunkctl bench dsp`.
#[derive(Debug, Args)]
pub struct BenchDspArgs {
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
    /// Minimum CPU time per measurement, seconds.
    #[arg(long, default_value_t = 2.0)]
    pub seconds: f64,
    /// Only these sets (comma-separated names from the list).
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
}

/// One benchmark result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchResult {
    /// Set name.
    pub detector: String,
    /// Real-time 8 kHz channels one core sustains.
    pub channels_per_core: f64,
    /// Nanoseconds per sample.
    pub ns_per_sample: f64,
    /// Audio processed, seconds.
    pub audio_s: f64,
    /// Thread CPU time (wall time where unavailable), seconds.
    pub wall_s: f64,
    /// Detectors of the set that are not available yet (measured without them).
    pub missing: Vec<String>,
}

/// The benchmark audio: 30 s of speech-like, music-like, DTMF and MF content with noise, through
/// A-law. Deterministic.
pub fn bench_audio() -> Vec<i16> {
    let mut x = Vec::with_capacity(30 * 8000);
    let mut s = SpeechLike::new(-20.0, 11);
    x.extend((0..12 * 8000).map(|_| clip(s.next_sample())));
    let mut m = MusicLike::new(-18.0, 12);
    x.extend((0..6 * 8000).map(|_| clip(m.next_sample())));
    for _ in 0..4 {
        x.extend(dtmf_string("0123456789*#ABCD", -12.0, -2.0, 60, 60));
    }
    let codes: Vec<u8> = (1..=15).collect();
    x.extend(mf_sequence(MfKind::R1, &codes, -7.0, 68, 68));
    x.extend(mf_sequence(MfKind::R2Fwd, &codes, -8.0, 120, 80));
    x.resize(30 * 8000, 0);
    let mut n = Noise::new(-50.0, 13);
    x.iter().map(|&v| Law::Alaw.decode(Law::Alaw.encode(clip(v as f32 + n.next_sample())))).collect()
}

/// CPU time of the calling thread in seconds (Linux `/proc/thread-self/stat`, 10 ms ticks), so
/// figures stay meaningful on a loaded machine; `None` elsewhere.
pub fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// Seconds of CPU (or, without `/proc`, wall) time since `(cpu0, t0)`.
fn spent(cpu0: Option<f64>, t0: Instant) -> f64 {
    match (cpu0, thread_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => t0.elapsed().as_secs_f64(),
    }
}

/// Measures one set of detectors on `audio` for at least `min_wall_s`.
pub fn measure(dets: &mut [Box<dyn Detector>], audio: &[i16], min_wall_s: f64) -> (f64, f64) {
    let mut events = 0u64;
    let mut samples = 0u64;
    let (t0, cpu0) = (Instant::now(), thread_cpu_s());
    loop {
        for d in dets.iter_mut() {
            d.reset();
        }
        for block in audio.chunks(160) {
            for d in dets.iter_mut() {
                d.process(block, &mut |_| events += 1);
            }
        }
        samples += audio.len() as u64;
        if spent(cpu0, t0) >= min_wall_s {
            break;
        }
    }
    std::hint::black_box(events);
    (samples as f64 / trunkline_dsp::SAMPLE_RATE as f64, spent(cpu0, t0))
}

/// Measures a [`DtmfBank`] of `L` lanes (each lane gets the audio rotated differently); returns
/// (audio seconds summed over lanes, wall seconds).
pub fn measure_dtmf_bank<const L: usize>(audio: &[i16], min_wall_s: f64) -> (f64, f64) {
    let lanes: Vec<Vec<i16>> = (0..L)
        .map(|l| {
            let mut a = audio.to_vec();
            a.rotate_left((l * 7919) % audio.len().max(1));
            a
        })
        .collect();
    let mut bank = DtmfBank::<L>::new(DtmfConfig::default());
    let mut events = 0u64;
    let mut samples = 0u64;
    let (t0, cpu0) = (Instant::now(), thread_cpu_s());
    loop {
        bank.reset();
        for t in (0..audio.len()).step_by(160) {
            let blocks: [&[i16]; L] = core::array::from_fn(|l| &lanes[l][t..(t + 160).min(audio.len())]);
            bank.process(&blocks, &mut |_, _| events += 1);
        }
        samples += (audio.len() * L) as u64;
        if spent(cpu0, t0) >= min_wall_s {
            break;
        }
    }
    std::hint::black_box(events);
    (samples as f64 / trunkline_dsp::SAMPLE_RATE as f64, spent(cpu0, t0))
}

fn report(a: &BenchDspArgs, r: &BenchResult) -> anyhow::Result<()> {
    if a.json {
        println!("{}", serde_json::to_string(r)?);
    } else {
        let note = if r.missing.is_empty() {
            String::new()
        } else {
            format!("  (without {})", r.missing.join(", "))
        };
        println!(
            "{:<12} {:>10.0} real-time channels/core  {:>7.2} ns/sample{note}",
            r.detector, r.channels_per_core, r.ns_per_sample
        );
    }
    Ok(())
}

fn result(name: &str, (audio_s, wall_s): (f64, f64), missing: Vec<String>) -> BenchResult {
    BenchResult {
        detector: name.into(),
        channels_per_core: audio_s / wall_s,
        ns_per_sample: wall_s * 1e9 / (audio_s * trunkline_dsp::SAMPLE_RATE as f64),
        audio_s,
        wall_s,
        missing,
    }
}

/// `trunkctl bench dsp`.
pub fn run(a: &BenchDspArgs) -> anyhow::Result<i32> {
    let audio = bench_audio();
    for &(name, members) in BENCH_SETS {
        if !a.only.is_empty() && !a.only.iter().any(|o| o == name) {
            continue;
        }
        let mut dets = Vec::new();
        let mut missing = Vec::new();
        for &m in members {
            match super::analyze::build_detector(m, Some("cn")) {
                Ok(d) => dets.push(d),
                Err(_) => missing.push(m.to_string()),
            }
        }
        if dets.is_empty() {
            if !a.json {
                println!("{name:<12} not available yet");
            }
            continue;
        }
        report(a, &result(name, measure(&mut dets, &audio, a.seconds), missing))?;
    }
    let wanted = |n: &str| a.only.is_empty() || a.only.iter().any(|o| o == n);
    // The DTMF filters run on the fastest kernel the CPU has (AVX2+FMA where present); the
    // portable one gives the same events and shows what a CPU without them gets.
    if wanted("dtmf-portable") {
        let mut dets: [Box<dyn Detector>; 1] = [Box::new(Dtmf::default().with_kernel(Kernel::Portable))];
        report(a, &result("dtmf-portable", measure(&mut dets, &audio, a.seconds), vec![]))?;
    }
    if !a.json && wanted("dtmf") {
        println!("(dtmf filter kernel on this CPU: {:?})", Kernel::best());
    }
    // Multi-channel banks: one call per block for all lanes.
    if wanted("dtmf-bank8") {
        report(a, &result("dtmf-bank8", measure_dtmf_bank::<8>(&audio, a.seconds), vec![]))?;
    }
    if wanted("dtmf-bank16") {
        report(a, &result("dtmf-bank16", measure_dtmf_bank::<16>(&audio, a.seconds), vec![]))?;
    }
    Ok(0)
}
