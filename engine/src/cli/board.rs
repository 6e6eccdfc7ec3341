//! `trunkctl scan|spans|channels`: what the board has and how its spans are doing.

use std::path::PathBuf;

use std::io::Write;

use clap::Args;
use serde_json::json;
use trunkline_driver::board::Board;
use trunkline_driver::sim::SimBoard;

/// Which board to look at.
#[derive(Debug, Args)]
pub struct BoardArgs {
    /// Configuration file whose `[board]` section describes the simulated board
    /// (default: two E1 PRI spans and two E1 MFC/R2 spans, each pair back to back).
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Virtual time to run the simulated board before reporting (lets receivers align).
    #[arg(long, default_value_t = 100)]
    pub settle_ms: u32,
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

/// Opens the simulated board described by the arguments and runs it for `settle_ms`.
pub fn open_board(a: &BoardArgs) -> anyhow::Result<SimBoard> {
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
pub fn scan(a: &BoardArgs) -> anyhow::Result<i32> {
    let b = open_board(a)?;
    let mut out = std::io::stdout().lock();
    for s in b.spans() {
        let st = b.span_status(s.no)?;
        write!(out, "{}", trunkline_driver::scan::format_span(&s, &st, 0))?;
    }
    Ok(0)
}

/// `trunkctl spans`.
pub fn spans(a: &ListArgs) -> anyhow::Result<i32> {
    let b = open_board(&a.board)?;
    let mut rows = Vec::new();
    for s in b.spans() {
        let st = b.span_status(s.no)?;
        rows.push((s, st));
    }
    let mut out = std::io::stdout().lock();
    if a.json {
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
    let chans = b.channels();
    let mut out = std::io::stdout().lock();
    if a.json {
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
