//! Our DTMF detector against spandsp's (Debian `libspandsp-dev`, 0.0.6, default parameters) on
//! exactly the same samples: the Q.24 must-detect grid, the must-reject cases and talk-off audio
//! from `common::dtmf_grid`, plus the speed of both on the `trunkctl bench dsp` style mix.
//!
//! spandsp runs in a separate C program (`tests/spandsp/dtmf_rx_harness.c`) that this test
//! compiles with the system C compiler: nothing of spandsp is linked into our crates. Without
//! libspandsp-dev the test reports itself skipped, or fails when `TRUNKLINE_REQUIRE_PEERS` is set (CI).
//!
//! Run with `cargo test -p trunkline-dsp --release --test spandsp_dtmf -- --nocapture` for the
//! figures; speed is reported, never asserted (a debug build's speed is not meaningful).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::dtmf_grid::{must_detect_grid, must_reject, talk_off, Expected, TalkOff};
use common::{detect, score};
use trunkline_dsp::dtmf::{Dtmf, Kernel};
use trunkline_dsp::event::{Detector, DetectorKind, Label, ToneEvent};
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::{clip, dtmf_string, mf_sequence, MusicLike, Noise, SpeechLike};
use trunkline_dsp::mf::MfKind;

/// Compiles the spandsp harness. Without spandsp the comparison is reported skipped, unless
/// `TRUNKLINE_REQUIRE_PEERS` is set (CI), where it fails saying what is missing.
fn harness() -> Option<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/spandsp/dtmf_rx_harness.c");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("dtmf_rx_harness_{}", std::process::id()));
    let r = Command::new("cc")
        .args(["-O2", "-Wall", "-o"])
        .arg(&out)
        .arg(&src)
        .arg("-lspandsp")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `cc` to build {}: {e}", src.display()));
    if !r.status.success() && std::env::var_os("TRUNKLINE_REQUIRE_PEERS").is_none() {
        println!("SKIPPED: cannot build against libspandsp (libspandsp-dev not installed?)");
        return None;
    }
    assert!(
        r.status.success(),
        "building {} against libspandsp failed ({}); this comparison needs libspandsp-dev \
         (`apt-get install libspandsp-dev`, as CI's .ci/run does): {}",
        src.display(),
        r.status,
        String::from_utf8_lossy(&r.stderr)
    );
    Some(out)
}

/// Writes records of `(u32 LE length, i16 LE samples)`.
fn write_records(path: &Path, records: &[Vec<i16>]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create record file"));
    for r in records {
        f.write_all(&(r.len() as u32).to_le_bytes()).expect("write");
        for &v in r {
            f.write_all(&v.to_le_bytes()).expect("write");
        }
    }
    f.flush().expect("flush");
}

/// spandsp's digits per record, as events (start = when spandsp reported the digit).
fn spandsp_detect(exe: &Path, records: &[Vec<i16>], tag: &str) -> Vec<Vec<ToneEvent>> {
    let file =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("spandsp_{tag}_{}.raw", std::process::id()));
    write_records(&file, records);
    let r = Command::new(exe).arg("detect").arg(&file).output().expect("run dtmf_rx_harness");
    let _ = std::fs::remove_file(&file);
    assert!(r.status.success(), "dtmf_rx_harness failed: {}", String::from_utf8_lossy(&r.stderr));
    let text = String::from_utf8(r.stdout).expect("harness output is ASCII");
    let mut out = vec![Vec::new(); records.len()];
    let mut done = false;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["done", n] => {
                assert_eq!(n.parse::<usize>().ok(), Some(records.len()), "harness saw other records");
                done = true;
            }
            [rec, digit, start, end] => {
                let rec: usize = rec.parse().expect("record index");
                let start: u64 = start.parse().expect("start");
                let end: i64 = end.parse().expect("end");
                let c = digit.chars().next().expect("digit");
                let end = u64::try_from(end).ok();
                out[rec].push(ToneEvent::new(DetectorKind::Dtmf, Label::from_char(c), start, end, start));
            }
            _ => panic!("unexpected harness line {line:?}"),
        }
    }
    assert!(done, "harness output incomplete");
    out
}

/// Hit rate and false digits of one detector over the must-detect grid.
#[derive(Default, Debug)]
struct Tally {
    expected: usize,
    hits: usize,
    extra: usize,
}

impl Tally {
    fn rate(&self) -> f64 {
        self.hits as f64 / self.expected.max(1) as f64
    }
}

/// The benchmark mix of `trunkctl bench dsp`: speech-like, music-like, DTMF and MF with noise,
/// through A-law, 30 s.
fn bench_audio() -> Vec<i16> {
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

/// Real-time channels per core of spandsp (thread CPU time, measured by the harness).
fn spandsp_speed(exe: &Path, audio: &[i16], seconds: f64) -> (f64, usize) {
    let file =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("spandsp_bench_{}.raw", std::process::id()));
    write_records(&file, &[audio.to_vec()]);
    let r = Command::new(exe)
        .arg("bench")
        .arg(&file)
        .arg(seconds.to_string())
        .output()
        .expect("run dtmf_rx_harness bench");
    let _ = std::fs::remove_file(&file);
    assert!(r.status.success(), "dtmf_rx_harness bench failed: {}", String::from_utf8_lossy(&r.stderr));
    let text = String::from_utf8_lossy(&r.stdout).to_string();
    let f: Vec<&str> = text.split_whitespace().collect();
    let (samples, cpu, digits): (f64, f64, usize) = match f.as_slice() {
        ["bench", s, c, d] => {
            (s.parse().expect("samples"), c.parse().expect("cpu"), d.parse().expect("digits"))
        }
        _ => panic!("unexpected bench output {text:?}"),
    };
    (samples / 8000.0 / cpu, digits)
}

/// CPU time of this thread in seconds (Linux `/proc/thread-self/stat`, 10 ms ticks), as the
/// harness measures spandsp's; `None` elsewhere.
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let f: Vec<&str> = s[s.rfind(')')? + 1..].split_whitespace().collect();
    Some((f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?) as f64 / 100.0)
}

/// Our detector's real-time channels per core on the same audio (thread CPU time like the
/// harness, wall time where that is unavailable), with the given filter kernel.
fn our_speed(audio: &[i16], seconds: f64, kernel: Kernel) -> (f64, usize) {
    let mut d = Dtmf::default().with_kernel(kernel);
    let mut samples = 0usize;
    let (t0, cpu0) = (Instant::now(), thread_cpu_s());
    let spent = || match (cpu0, thread_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => t0.elapsed().as_secs_f64(),
    };
    let digits = loop {
        d.reset();
        let mut n = 0;
        for b in audio.chunks(160) {
            d.process(b, &mut |e| n += usize::from(e.is_on()));
        }
        samples += audio.len();
        if spent() >= seconds {
            break n;
        }
    };
    (samples as f64 / 8000.0 / spent(), digits)
}

#[test]
fn dtmf_against_spandsp_on_the_same_corpus() {
    let Some(exe) = harness() else { return };

    // Must-detect grid.
    let mut records = Vec::new();
    let mut expected: Vec<Expected> = Vec::new();
    let mut what: Vec<String> = Vec::new();
    let mut ours = Tally::default();
    must_detect_grid(|w, exp, y| {
        what.push(w.to_string());
        let got = detect(&mut Dtmf::default(), y);
        let (h, e) = score(exp, &got, 160);
        ours.expected += exp.len();
        ours.hits += h;
        ours.extra += e;
        records.push(y.to_vec());
        expected.push(exp.clone());
    });
    let theirs_ev = spandsp_detect(&exe, &records, "grid");
    drop(records);
    let mut theirs = Tally::default();
    // spandsp's hit rate per grid parameter value ("twist -8", "snr 15", ...).
    let mut by_param: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for ((exp, got), w) in expected.iter().zip(&theirs_ev).zip(&what) {
        // spandsp's start is when it decided (up to ~40 ms late), still well inside the digit.
        let (h, e) = score(exp, got, 160);
        theirs.expected += exp.len();
        theirs.hits += h;
        theirs.extra += e;
        let words: Vec<&str> = w.split_whitespace().collect();
        for pair in words.chunks(2).filter(|p| p.len() == 2 && p[0] != "dev") {
            let t = by_param.entry(format!("{} {}", pair[0], pair[1])).or_default();
            t.0 += h;
            t.1 += exp.len();
        }
    }

    // Must-reject.
    let (mut records, mut ours_rej, mut total_rej) = (Vec::new(), 0usize, 0usize);
    must_reject(|_, y| {
        ours_rej += detect(&mut Dtmf::default(), y).len();
        total_rej += 16;
        records.push(y.to_vec());
    });
    let theirs_rej: usize = spandsp_detect(&exe, &records, "reject").iter().map(Vec::len).sum();

    // Talk-off: 10 minutes each of speech-like and music-like audio.
    let mut talk = Vec::new();
    for (name, kind) in [("speech-like", TalkOff::Speech), ("music-like", TalkOff::Music)] {
        let (mut records, mut ours_n, mut samples) = (Vec::new(), 0usize, 0usize);
        talk_off(kind, 10, |_, y| {
            ours_n += detect(&mut Dtmf::default(), y).len();
            samples += y.len();
            records.push(y.to_vec());
        });
        let theirs_n: usize = spandsp_detect(&exe, &records, name).iter().map(Vec::len).sum();
        let hours = samples as f64 / 8000.0 / 3600.0;
        talk.push((name, ours_n as f64 / hours, theirs_n as f64 / hours));
    }

    // Speed on the bench mix.
    let audio = bench_audio();
    let (their_ch, their_digits) = spandsp_speed(&exe, &audio, 1.0);
    let (our_ch, our_digits) = our_speed(&audio, 1.0, Kernel::best());
    let (portable_ch, _) = our_speed(&audio, 1.0, Kernel::Portable);

    let pct = |t: &Tally| 100.0 * t.rate();
    println!("DTMF comparison on the same corpus (spandsp 0.0.6 dtmf_rx, default parameters)");
    println!("                          trunkline          spandsp");
    println!(
        "must-detect (Q.24 grid)   {:>6}/{} {:.2} %   {:>6}/{} {:.2} %",
        ours.hits,
        ours.expected,
        pct(&ours),
        theirs.hits,
        theirs.expected,
        pct(&theirs)
    );
    println!("  extra digits            {:>9}          {:>9}", ours.extra, theirs.extra);
    println!("must-reject accepted      {ours_rej:>6}/{total_rej}         {theirs_rej:>6}/{total_rej}");
    for (name, o, t) in &talk {
        println!("talk-off {name:<12}     {o:>8.1}/h          {t:>8.1}/h");
    }
    let params: Vec<String> = by_param
        .iter()
        .map(|(k, (h, n))| format!("{k}: {:.0} %", 100.0 * *h as f64 / (*n).max(1) as f64))
        .collect();
    println!("spandsp must-detect by grid parameter: {}", params.join(", "));
    let build = if cfg!(debug_assertions) { "debug build: not meaningful, use --release" } else { "release" };
    println!(
        "speed, bench mix (ch/core) {our_ch:>9.0}          {their_ch:>9.0}   ({build}, thread CPU time; digits seen {our_digits} / {their_digits})"
    );
    println!("  ours with the portable kernel (instead of {:?}): {portable_ch:.0}", Kernel::best());

    // spandsp's results must be plausible, or the harness is broken and the comparison void.
    assert!(theirs.rate() > 0.5, "spandsp found only {:.1} % of the grid: harness broken?", pct(&theirs));
    assert!(their_digits >= 60, "spandsp saw {their_digits} digits in the bench mix (64 sent)");
    // Ours must be at least as good on every count.
    assert!(
        ours.rate() >= theirs.rate(),
        "spandsp detects more: {:.3} % vs {:.3} %",
        pct(&theirs),
        pct(&ours)
    );
    assert_eq!(ours_rej, 0, "we accepted must-reject digits");
    for (name, o, t) in &talk {
        assert!(o <= t || *o <= 5.0, "{name}: {o:.1} false digits/h against spandsp's {t:.1}");
    }
}
