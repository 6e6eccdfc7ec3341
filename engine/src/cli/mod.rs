//! The `trunkctl` command-line interface: argument parsing and one module per verb group.

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod bench;
pub mod bench_board;
pub mod board;
pub mod dahdi;
pub mod simulate_inbound;

/// Trunkline diagnostics and admin CLI.
#[derive(Debug, Parser)]
#[command(name = "trunkctl", version, about = "Trunkline diagnostics and admin CLI")]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs of `trunkctl`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every span as DAHDI's `dahdi_scan` does.
    Scan(board::BoardArgs),
    /// Table of spans: type, framing, alarms, counters.
    Spans(board::ListArgs),
    /// Table of channels: number, span/position, kind, name.
    Channels(board::ListArgs),
    /// DAHDI compatibility: `trunkctl dahdi cfg [-c FILE] [-t] [--dry-run] [-s]`.
    Dahdi(dahdi::DahdiArgs),
    /// Run tone/digit detectors over a WAV file and print their events.
    Analyze(analyze::AnalyzeArgs),
    /// Measure how fast the hot paths run.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Offline simulations.
    #[command(subcommand)]
    Simulate(SimulateCmd),
}

/// `trunkctl simulate ...`.
#[derive(Debug, Subcommand)]
pub enum SimulateCmd {
    /// The inbound centre: IVR, queues, agents, ACD strategies; `--validate erlang`.
    Inbound(simulate_inbound::InboundArgs),
}

/// `trunkctl bench ...`.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// The simulated board's full TDM path (frames, alignment, CRC-4, CAS, HDLC, rings).
    Board(bench_board::BoardBenchArgs),
    /// Real-time 8 kHz channels per core of each DSP detector.
    Dsp(bench::BenchDspArgs),
}

/// Runs the CLI; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Scan(a) => board::scan(&a),
        Command::Spans(a) => board::spans(&a),
        Command::Channels(a) => board::channels(&a),
        Command::Analyze(a) => analyze::run(&a),
        Command::Bench(BenchCmd::Board(a)) => bench_board::run(&a),
        Command::Dahdi(a) => dahdi::run(&a),
        Command::Simulate(SimulateCmd::Inbound(a)) => simulate_inbound::run(&a),
        Command::Bench(BenchCmd::Dsp(a)) => bench::run(&a),
    }
}
