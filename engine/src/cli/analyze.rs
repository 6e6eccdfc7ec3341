//! `trunkctl analyze FILE`: runs tone/digit detectors over a WAV file and prints their events.
//!
//! [`build_detector`] is the one registry of detectors by name, shared with `trunkctl bench`.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use trunkline_dsp::dtmf::Dtmf;
use trunkline_dsp::event::DetectorKind;
use trunkline_dsp::event::{Detector, ToneEvent};
use trunkline_dsp::mf::{Mf, MfKind};
use trunkline_dsp::vad::Vad;

/// Detector names `analyze` accepts (some may not be available yet).
pub const DETECTOR_NAMES: &[&str] =
    &["dtmf", "mf-r1", "mf-r2-fwd", "mf-r2-bwd", "cpt", "fax", "beep", "amd", "vad"];

/// Builds a detector by its command-line name. `country` (ISO 3166 alpha-2) selects tone tables
/// for the detectors that have them.
pub fn build_detector(name: &str, country: Option<&str>) -> anyhow::Result<Box<dyn Detector>> {
    use crate::media::detectors::CptAndSit;
    Ok(match name {
        "cpt" => Box::new(CptAndSit::new(country).map_err(anyhow::Error::msg)?),
        "sit" => Box::new(trunkline_dsp::sit::SitDetector::new()),
        "fax" => Box::new(trunkline_dsp::fax::FaxDetector::new()),
        "beep" => Box::new(trunkline_dsp::beep::BeepDetector::new()),
        "amd" => Box::new(trunkline_dsp::amd::AmdDetector::new(trunkline_dsp::amd::AmdParams::default())),
        "dtmf" => Box::new(Dtmf::default()),
        "mf-r1" => Box::new(Mf::new(MfKind::R1)),
        "mf-r2-fwd" => Box::new(Mf::new(MfKind::R2Fwd)),
        "mf-r2-bwd" => Box::new(Mf::new(MfKind::R2Bwd)),
        "vad" => Box::new(Vad::default()),
        _ => anyhow::bail!("unknown detector {name:?} (known: {})", DETECTOR_NAMES.join(", ")),
    })
}

/// Arguments of `trunkctl analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// WAV file: 8 kHz mono, 16-bit PCM, A-law or µ-law.
    pub file: PathBuf,
    /// Comma-separated detectors: dtmf, mf-r1, mf-r2-fwd, mf-r2-bwd, cpt, fax, beep, amd, vad.
    #[arg(long, value_delimiter = ',', default_value = "dtmf")]
    pub detectors: Vec<String>,
    /// Country whose tone tables the call-progress detectors use (ISO 3166 alpha-2).
    #[arg(long)]
    pub country: Option<String>,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One reported event, in seconds (the JSON line format of `analyze --json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventLine {
    /// Detector name (`dtmf`, `mf-r1`, ...).
    pub detector: String,
    /// What was detected (`5`, `KP`, `12`, ...).
    pub value: String,
    /// Start of the signal, s.
    pub start_s: f64,
    /// End of the signal, s; `None` if still on at the end of the file.
    pub end_s: Option<f64>,
    /// When the detector decided, s.
    pub decided_s: f64,
    /// Call progress: the country whose table matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Call progress: the SIT code (`IC`, `VC`, `RO`, `NC`, `RO'`, `NC'`, `ITU`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sit_code: Option<String>,
    /// Beep: its frequency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freq_hz: Option<f64>,
    /// AMD: the verdict's confidence, 0–1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

impl EventLine {
    fn new(name: &str, e: &ToneEvent, decided: u64, end: Option<u64>) -> Self {
        let kind = e.detector;
        Self {
            detector: name.into(),
            value: e.value.to_string(),
            start_s: secs(e.start),
            end_s: end.map(secs),
            decided_s: secs(decided),
            country: if kind == DetectorKind::Cpt {
                e.country.map(|c| String::from_utf8_lossy(&c).into_owned())
            } else {
                None
            },
            sit_code: if kind == DetectorKind::Cpt { e.sit_code.map(|c| c.to_string()) } else { None },
            freq_hz: if kind == DetectorKind::Beep {
                e.freq_hz.map(|f| (f as f64 * 10.0).round() / 10.0)
            } else {
                None
            },
            confidence: if kind == DetectorKind::Amd {
                e.confidence.map(|c| (c as f64 * 1000.0).round() / 1000.0)
            } else {
                None
            },
        }
    }
}

fn secs(t: u64) -> f64 {
    t as f64 / trunkline_dsp::SAMPLE_RATE as f64
}

/// Runs `detectors` over `samples` (in 20 ms blocks, as the pipeline does) and returns one line
/// per signal, ordered by start time. A signal's `decided_s` is when it was first reported.
pub fn analyze(samples: &[i16], detectors: &mut [Box<dyn Detector>]) -> Vec<EventLine> {
    let mut lines = Vec::new();
    for d in detectors.iter_mut() {
        let name = d.kind().name();
        let mut open: Option<ToneEvent> = None;
        let mut done: Vec<EventLine> = Vec::new();
        for block in samples.chunks(160) {
            d.process(block, &mut |e| {
                if e.is_on() {
                    open = Some(e);
                } else {
                    let decided = match open.take() {
                        Some(o) if o.start == e.start => o.decided,
                        _ => e.decided,
                    };
                    done.push(EventLine::new(name, &e, decided, e.end));
                }
            });
        }
        if let Some(o) = open {
            done.push(EventLine::new(name, &o, o.decided, None));
        }
        lines.extend(done);
    }
    lines.sort_by(|a, b| a.start_s.total_cmp(&b.start_s).then_with(|| a.detector.cmp(&b.detector)));
    lines
}

/// `trunkctl analyze`.
pub fn run(a: &AnalyzeArgs) -> anyhow::Result<i32> {
    let mut dets = a
        .detectors
        .iter()
        .map(|n| build_detector(n.trim(), a.country.as_deref()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let wav = crate::wav::read(&a.file).with_context(|| format!("{}", a.file.display()))?;
    let lines = analyze(&wav.samples, &mut dets);
    if a.json {
        for l in &lines {
            println!("{}", serde_json::to_string(l)?);
        }
    } else {
        println!(
            "{}: {:?}, {:.3} s, {} event(s)",
            a.file.display(),
            wav.format,
            secs(wav.samples.len() as u64),
            lines.len()
        );
        for l in &lines {
            let end = l.end_s.map_or("(on)".to_string(), |e| format!("{e:.3}"));
            println!(
                "{:>9.3} {:>9} {:<10} {:<5} decided {:.3}",
                l.start_s, end, l.detector, l.value, l.decided_s
            );
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_digits_in_a_generated_file() {
        let x = trunkline_dsp::gen::dtmf_string("159#", -10.0, 0.0, 60, 60);
        let mut dets = vec![build_detector("dtmf", None).unwrap()];
        let lines = analyze(&x, &mut dets);
        let v: String = lines.iter().map(|l| l.value.as_str()).collect();
        assert_eq!(v, "159#");
        assert!(lines.iter().all(|l| l.end_s.is_some() && l.decided_s >= l.start_s));
        let j = serde_json::to_string(&lines[0]).unwrap();
        assert!(j.starts_with(r#"{"detector":"dtmf","value":"1","start_s":"#), "{j}");
    }

    #[test]
    fn tone_still_on_at_the_end_has_null_end() {
        let mut x = trunkline_dsp::gen::dtmf_string("7", -10.0, 0.0, 200, 0);
        x.truncate(1200);
        let lines = analyze(&x, &mut [build_detector("dtmf", None).unwrap()]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].end_s, None);
        assert!(serde_json::to_string(&lines[0]).unwrap().contains(r#""end_s":null"#));
    }

    #[test]
    fn unknown_detectors_and_countries_are_clear_errors() {
        for d in DETECTOR_NAMES {
            assert!(build_detector(d, Some("cn")).is_ok(), "{d}");
        }
        let e = build_detector("cpt", Some("zz")).err().unwrap().to_string();
        assert!(e.contains("no tone table") && e.contains("zz"), "{e}");
        let e = build_detector("nope", None).err().unwrap().to_string();
        assert!(e.contains("unknown detector"), "{e}");
    }
}
