//! `trunkctl trace SPAN|FILE`: a signalling ladder, live from the daemon or from a capture.
//!
//! The argument is a capture file when a file of that name exists, otherwise a span number
//! (`trunkctl trace 1`: span 1 live from the running `trunkd`, as `pri debug` shows it: every
//! Q.921/Q.931 frame decoded with its direction, Q.931 state changes, CAS bit changes, the
//! detectors' events and alarms; `--json` prints the events as JSON lines, `--count N` stops
//! after N lines). Use `./1` for a capture file that is called `1`.
//!
//! Capture files:
//!
//! * `ts16`: raw D-channel timeslot octets at 64 kbit/s (flags, bit stuffing, FCS), as the
//!   interop harness's `--capture` writes them: HDLC-decoded, then every LAPD frame (Q.921 type,
//!   N(S)/N(R), P/F) and Q.931 message (every IE) on one line, timed by octet position;
//! * `hex`: one frame per line in hex (optionally `<ms> ` first); `--fcs` when the last two
//!   octets are the FCS (DAHDI hardhdlc semantics), which is then checked;
//! * `r2wire`: an MFC/R2 capture in the interop wire format (164-octet records every 20 ms:
//!   0xE1, ABCD nibble, sequence LE16, 160 A-law octets): ABCD changes and MF signals found by
//!   the DSP crate's forward and backward R2 detectors, with their times.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use trunkline_driver::tdm::hdlc::{HdlcRx, HdlcRxEvent};
use trunkline_dsp::event::Detector;
use trunkline_dsp::g711::Law;
use trunkline_dsp::mf::{Mf, MfKind};

use crate::model::EngineEvent;
use crate::signalling::pri::fcs::strip_fcs;
use crate::signalling::pri::trace::describe_frame;

/// Capture formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// Raw 64 kbit/s D-channel octets (HDLC with flags).
    Ts16,
    /// One frame per line, hex.
    Hex,
    /// MFC/R2 interop wire records (ABCD + A-law audio every 20 ms).
    R2wire,
}

/// Arguments of `trunkctl trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// A span number (live from the daemon) or a capture file (when a file of that name exists).
    #[arg(value_name = "SPAN|FILE")]
    pub target: String,
    /// The capture's format.
    #[arg(long, value_enum, default_value = "ts16")]
    pub format: TraceFormat,
    /// `hex`: each frame ends with its 2 FCS octets (checked and removed).
    #[arg(long)]
    pub fcs: bool,
    /// Live: stop after this many lines.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Live: the daemon's connection (and --json: events as JSON lines).
    #[command(flatten)]
    pub conn: super::client::ClientArgs,
}

/// Runs `trunkctl trace`.
pub fn run(a: &TraceArgs) -> anyhow::Result<i32> {
    let file = PathBuf::from(&a.target);
    if !file.exists() {
        if let Ok(span) = a.target.parse::<u16>() {
            return live(a, span, &mut std::io::stdout().lock());
        }
        anyhow::bail!("{}: no such file (and not a span number)", a.target);
    }
    if a.conn.json {
        anyhow::bail!("--json applies to live traces (trunkctl trace SPAN), not to capture files");
    }
    let out = match a.format {
        TraceFormat::Ts16 => {
            let data = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            ladder_ts16(&data)
        }
        TraceFormat::Hex => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            ladder_hex(&text, a.fcs).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        }
        TraceFormat::R2wire => {
            let data = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            ladder_r2wire(&data).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        }
    };
    print!("{out}");
    Ok(0)
}

/// One live event as a ladder line (the capture ladders' layout: time, then the decoded frame,
/// with `-->` for what we sent and `<--` for what we received); `None` for events that are not
/// part of a span trace.
pub fn live_line(ev: &EngineEvent) -> Option<String> {
    Some(match ev {
        EngineEvent::Signalling { at, protocol, direction, text, .. } => {
            let arrow = match direction.as_str() {
                "tx" => "-->",
                "rx" => "<--",
                _ => "   ",
            };
            let proto =
                if protocol == "q931" { String::new() } else { format!("{} ", protocol.to_uppercase()) };
            format!("{:>10}ms  {arrow} {proto}{text}", at.0)
        }
        EngineEvent::Detector { at, channel, detector, value, edge, level_dbm0, .. } => {
            let level = level_dbm0.map(|l| format!(" ({l:.1} dBm0)")).unwrap_or_default();
            format!("{:>10}ms  ~~~ chan {channel} {detector} {value} {edge}{level}", at.0)
        }
        EngineEvent::SpanAlarm { at, span, alarms } => {
            format!("{:>10}ms  !!! span {span} alarms {alarms}", at.0)
        }
        _ => return None,
    })
}

fn live(a: &TraceArgs, span: u16, out: &mut impl Write) -> anyhow::Result<i32> {
    let mut stream = super::live::open_events(&a.conn, &format!("/v1/spans/{span}/trace"))?;
    if !a.conn.json {
        writeln!(
            out,
            "live trace of span {span} from trunkd (--> sent, <-- received, ~~~ detectors); Ctrl-C stops"
        )?;
        out.flush()?;
    }
    let mut n = 0u64;
    while a.count.is_none_or(|c| n < c) {
        let Some(ev) = stream.next_event()? else {
            writeln!(out, "trunkd ended the stream (stopping?)")?;
            return Ok(1);
        };
        if ev.kind == "lost" {
            writeln!(out, "(events were lost: this terminal is too slow for the trace)")?;
            continue;
        }
        if a.conn.json {
            writeln!(out, "{}", serde_json::to_string(&ev.data)?)?;
            n += 1;
        } else if let Ok(e) = serde_json::from_value::<EngineEvent>(ev.data) {
            if let Some(line) = live_line(&e) {
                writeln!(out, "{line}")?;
                n += 1;
            }
        }
        out.flush()?;
    }
    Ok(0)
}

/// Decodes raw D-channel octets (8,000 per second) into one line per frame or HDLC error.
pub fn ladder_ts16(data: &[u8]) -> String {
    let mut rx = HdlcRx::new();
    let mut out = String::new();
    let (mut frames, mut errors) = (0usize, 0usize);
    for (i, &o) in data.iter().enumerate() {
        let ms = (i + 1) as f64 / 8.0;
        rx.push_octet(o, &mut |e| match e {
            HdlcRxEvent::Frame(f) => {
                frames += 1;
                let payload = &f[..f.len().saturating_sub(2)];
                let _ = writeln!(out, "{ms:>10.3}ms  {}", describe_frame(payload));
            }
            HdlcRxEvent::BadFcs => {
                errors += 1;
                let _ = writeln!(out, "{ms:>10.3}ms  HDLC frame with bad FCS");
            }
            HdlcRxEvent::Abort => {
                errors += 1;
                let _ = writeln!(out, "{ms:>10.3}ms  HDLC abort");
            }
            HdlcRxEvent::Overrun => {
                errors += 1;
                let _ = writeln!(out, "{ms:>10.3}ms  HDLC frame too long");
            }
        });
    }
    let _ = writeln!(out, "{frames} frames, {errors} HDLC errors in {} octets", data.len());
    out
}

fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
    if digits.len() % 2 != 0 {
        return Err("odd number of hex digits".into());
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| format!("bad hex {:?}", &digits[i..i + 2]))
        })
        .collect()
}

/// Decodes one hex frame per line (`#` comments and blank lines skipped; an optional leading
/// `<time>ms` or `<time>` field followed by whitespace is kept as the time column).
pub fn ladder_hex(text: &str, fcs: bool) -> Result<String, String> {
    let mut out = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (time, hex) = match line.split_once(char::is_whitespace) {
            Some((t, rest)) if t.ends_with("ms") || t.contains('.') => (t.to_string(), rest),
            _ => (String::new(), line),
        };
        let bytes = parse_hex(hex).map_err(|e| format!("line {}: {e}", n + 1))?;
        let desc = if fcs {
            match strip_fcs(&bytes) {
                Ok(f) => describe_frame(f),
                Err(e) => format!("bad FCS ({e}): {bytes:02x?}"),
            }
        } else {
            describe_frame(&bytes)
        };
        let _ = writeln!(out, "{time:>12}  {desc}");
    }
    Ok(out)
}

/// What the A and B bits mean, in both directions (the capture does not say which side seized).
fn ab_meaning(nibble: u8) -> &'static str {
    match nibble >> 2 & 3 {
        0b10 => "idle / clear-forward",
        0b00 => "seize / forced release",
        0b11 => "seize-ack / clear-back / blocked",
        _ => "answer",
    }
}

/// Decodes an R2 wire capture (164-octet records).
pub fn ladder_r2wire(data: &[u8]) -> Result<String, String> {
    const REC: usize = 164;
    if data.len() % REC != 0 {
        return Err(format!("length {} is not a multiple of the 164-octet record", data.len()));
    }
    let mut out = String::new();
    let mut fwd = Mf::new(MfKind::R2Fwd);
    let mut bwd = Mf::new(MfKind::R2Bwd);
    let mut pcm = [0i16; 160];
    let mut last: Option<u8> = None;
    for (i, r) in data.chunks_exact(REC).enumerate() {
        if r[0] != 0xE1 {
            return Err(format!("record {i} (offset {}): magic {:#04x}, want 0xe1", i * REC, r[0]));
        }
        let t = i as u64 * 20;
        let nib = r[1] & 0xF;
        if last != Some(nib) {
            let _ = writeln!(out, "{t:>8}ms  ABCD {nib:04b}  {}", ab_meaning(nib));
            last = Some(nib);
        }
        Law::Alaw.decode_block(&r[4..REC], &mut pcm);
        for (name, det) in [("forward I/II", &mut fwd), ("backward A/B", &mut bwd)] {
            det.process(&pcm, &mut |e| {
                let edge = if e.is_on() { "on" } else { "off" };
                let at = t as f64 + 0.125 * (e.decided as f64 - (i as f64 * 160.0));
                let _ = writeln!(out, "{at:>8.1}ms  MF {name} {} {edge}", e.value);
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trunkline_driver::tdm::hdlc::HdlcTx;

    #[test]
    fn ts16_capture_decodes_frames_and_counts_bad_fcs() {
        let mut tx = HdlcTx::new();
        let sabme = [0x02u8, 0x01, 0x7F];
        let mut line = Vec::new();
        for _ in 0..4 {
            line.push(tx.next_octet());
        }
        assert!(tx.start_frame(&sabme));
        for _ in 0..40 {
            line.push(tx.next_octet());
        }
        let s = ladder_ts16(&line);
        assert!(s.contains("SABME P/F=1"), "{s}");
        assert!(s.contains("1 frames, 0 HDLC errors"), "{s}");
        // Flip one bit inside the frame: the FCS no longer matches.
        let mut bad = line.clone();
        bad[6] ^= 0x10;
        let s = ladder_ts16(&bad);
        assert!(s.contains("0 frames"), "{s}");
    }

    #[test]
    fn hex_lines_with_time_and_fcs() {
        let mut f = vec![0x00, 0x01, 0x01, 0x0B];
        crate::signalling::pri::fcs::append_fcs(&mut f);
        let hex: String = f.iter().map(|b| format!("{b:02x} ")).collect();
        let s = ladder_hex(&format!("# rr\n12.5ms {hex}\n"), true).unwrap();
        assert!(s.contains("12.5ms") && s.contains("RR N(R)=5 P/F=1"), "{s}");
        let s = ladder_hex("00 01 01 0b 00 00\n", true).unwrap();
        assert!(s.contains("bad FCS"), "{s}");
        assert!(ladder_hex("0g\n", false).unwrap_err().contains("line 1"));
    }

    #[test]
    fn r2wire_shows_bits_and_mf_signals() {
        use trunkline_dsp::gen::DualTone;
        let mut data = Vec::new();
        let mut tone = DualTone::mf(MfKind::R2Fwd, 3, -11.5).unwrap();
        let mut pcm = [0i16; 160];
        for i in 0..20u16 {
            let mut rec = vec![0xE1, if i < 5 { 0b1001 } else { 0b0001 }];
            rec.extend_from_slice(&i.to_le_bytes());
            if (5..15).contains(&i) {
                tone.fill(&mut pcm);
            } else {
                pcm.fill(0);
            }
            let mut a = [0u8; 160];
            Law::Alaw.encode_block(&pcm, &mut a);
            rec.extend_from_slice(&a);
            data.extend(rec);
        }
        let s = ladder_r2wire(&data).unwrap();
        assert!(s.contains("ABCD 1001  idle"), "{s}");
        assert!(s.contains("ABCD 0001  seize"), "{s}");
        assert!(s.contains("MF forward I/II 3 on"), "{s}");
        assert!(s.contains("MF forward I/II 3 off"), "{s}");
        assert!(!s.contains("backward"), "{s}");
        assert!(ladder_r2wire(&data[..100]).is_err());
    }
}
