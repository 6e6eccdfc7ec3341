//! `trunkctl scan|spans|channels`: what the board has and how its spans are doing, on the
//! simulated board or on real boards through the DAHDI kernel interface (`--board dahdi`).

use std::path::PathBuf;

use std::io::Write;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde_json::json;
use trunkline_driver::board::Board;
use trunkline_driver::dahdi::backend::{DahdiBoard, DahdiConfig};
use trunkline_driver::dahdi::sys::{LinuxSys, Sys};
use trunkline_driver::sim::SimBoard;

/// Which backend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum BoardKind {
    /// The simulated board.
    #[default]
    Sim,
    /// Real boards through `/dev/dahdi` (the DAHDI kernel modules).
    Dahdi,
}

/// Which board to look at.
#[derive(Debug, Args)]
pub struct BoardArgs {
    /// Backend: the simulated board or the DAHDI kernel interface.
    #[arg(long, value_enum, default_value_t = BoardKind::Sim)]
    pub board: BoardKind,
    /// Configuration file whose `[board]` section describes the simulated board
    /// (default: two E1 PRI spans and two E1 MFC/R2 spans, each pair back to back).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Virtual time to run the simulated board before reporting (lets receivers align).
    #[arg(long, default_value_t = 100)]
    pub settle_ms: u32,
}

/// Arguments of `trunkctl scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Which board.
    #[command(flatten)]
    pub board: BoardArgs,
    /// Only these spans (as `dahdi_scan 1 3`).
    pub spans: Vec<u16>,
}

/// Arguments of the listing verbs.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which board.
    #[command(flatten)]
    pub board: BoardArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Opens the board the arguments name: the simulated one (run for `settle_ms`), or the DAHDI
/// kernel's spans and channels.
pub fn open_board(a: &BoardArgs) -> anyhow::Result<Box<dyn Board>> {
    match a.board {
        BoardKind::Sim => Ok(Box::new(open_sim(a)?)),
        BoardKind::Dahdi => Ok(Box::new(open_dahdi(LinuxSys::new())?)),
    }
}

/// The DAHDI backend on `sys` (the kernel, or a fake one in tests).
pub fn open_dahdi<S: Sys>(sys: S) -> anyhow::Result<DahdiBoard<S>> {
    DahdiBoard::new(sys, DahdiConfig::default()).context("opening the DAHDI board")
}

/// Opens the simulated board described by the arguments and runs it for `settle_ms`.
pub fn open_sim(a: &BoardArgs) -> anyhow::Result<SimBoard> {
    let cfg = match &a.config {
        Some(p) => crate::boardcfg::load(p)?,
        None => crate::boardcfg::default_sim(),
    };
    let mut b = SimBoard::new(cfg)?;
    b.start()?;
    let ticks = (a.settle_ms as usize * 8).div_ceil(b.tick_frames());
    b.run_ticks(ticks)?;
    Ok(b)
}

/// `trunkctl scan`.
pub fn scan(a: &ScanArgs) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    if a.board.board == BoardKind::Dahdi {
        return scan_dahdi(&LinuxSys::new(), &a.spans, &mut out, &mut || {
            std::thread::sleep(std::time::Duration::from_secs(1))
        });
    }
    let b = open_sim(&a.board)?;
    for s in b.spans() {
        if a.spans.is_empty() || a.spans.contains(&s.no.0) {
            let st = b.span_status(s.no)?;
            write!(out, "{}", trunkline_driver::scan::format_span(&s, &st, 0))?;
        }
    }
    Ok(0)
}

/// `trunkctl scan --board dahdi` on `sys`: exactly what `dahdi_scan` prints. `wait_one_second`
/// is dahdi_scan's `sleep(1)` for its LMFA check.
pub fn scan_dahdi<S: Sys>(
    sys: &S,
    spans: &[u16],
    out: &mut dyn Write,
    wait_one_second: &mut dyn FnMut(),
) -> anyhow::Result<i32> {
    let ctl = trunkline_driver::dahdi::backend::open_ctl(sys)?;
    let text = trunkline_driver::dahdi::scan::dahdi_scan(sys, ctl, spans, wait_one_second);
    let _ = sys.close(ctl);
    out.write_all(text.as_bytes())?;
    Ok(0)
}

/// `trunkctl spans`.
pub fn spans(a: &ListArgs) -> anyhow::Result<i32> {
    let b = open_board(&a.board)?;
    spans_of(b.as_ref(), a.json, &mut std::io::stdout().lock())
}

/// The span table (or JSON) of any board.
pub fn spans_of(b: &dyn Board, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let mut rows = Vec::new();
    for s in b.spans() {
        let st = b.span_status(s.no)?;
        rows.push((s, st));
    }
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(s, st)| {
                json!({
                    "span": s.no.0, "name": s.name, "type": format!("{:?}", s.config.kind),
                    "framing": s.config.framing_str(), "coding": s.config.coding_str(),
                    "alarms": st.alarms.scan_str(s.totchans as usize), "alarm_bits": st.alarms.0,
                    "basechan": s.basechan, "totchans": s.totchans,
                    "counters": st.counters,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    writeln!(
        out,
        "{:<5} {:<10} {:<4} {:<9} {:<5} {:<14} {:>8} {:>8} {:>8} {:>8} {:>6}",
        "SPAN", "NAME", "TYPE", "FRAMING", "CODE", "ALARMS", "BPV", "CRC", "EBIT", "FAS", "SLIPS"
    )?;
    for (s, st) in rows {
        let c = st.counters;
        writeln!(
            out,
            "{:<5} {:<10} {:<4} {:<9} {:<5} {:<14} {:>8} {:>8} {:>8} {:>8} {:>6}",
            s.no.0,
            s.name,
            format!("{:?}", s.config.kind),
            s.config.framing_str(),
            s.config.coding_str(),
            st.alarms.scan_str(s.totchans as usize),
            c.bpv,
            c.crc,
            c.ebit,
            c.fas,
            c.slips
        )?;
    }
    Ok(0)
}

/// `trunkctl channels`.
pub fn channels(a: &ListArgs) -> anyhow::Result<i32> {
    let b = open_board(&a.board)?;
    channels_of(b.as_ref(), a.json, &mut std::io::stdout().lock())
}

/// The channel table (or JSON) of any board.
pub fn channels_of(b: &dyn Board, json: bool, out: &mut dyn Write) -> anyhow::Result<i32> {
    let chans = b.channels();
    if json {
        let v: Vec<_> = chans
            .iter()
            .map(|c| {
                json!({
                    "channel": c.no.0, "span": c.span.0, "pos": c.pos.0, "timeslot": c.timeslot,
                    "kind": c.kind, "name": c.name, "dahdi_name": c.dahdi_name(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(0);
    }
    writeln!(
        out,
        "{:>5} {:>4} {:>4} {:>3} {:<9} {:<12} {:<12}",
        "CHAN", "SPAN", "POS", "TS", "KIND", "NAME", "DAHDI"
    )?;
    for c in chans {
        writeln!(
            out,
            "{:>5} {:>4} {:>4} {:>3} {:<9} {:<12} {:<12}",
            c.no.0,
            c.span.0,
            c.pos.0,
            c.timeslot,
            format!("{:?}", c.kind).to_lowercase(),
            c.name,
            c.dahdi_name()
        )?;
    }
    Ok(0)
}
