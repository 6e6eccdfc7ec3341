//! The `trunkctl` command-line interface: argument parsing and one module per verb group.

use clap::{Parser, Subcommand};

pub mod analyze;
pub mod bench;
pub mod bench_board;
pub mod bench_pipeline;
pub mod board;
pub mod client;
pub mod dahdi;
pub mod levels;
pub mod live;
pub mod simulate_call;
pub mod simulate_inbound;
pub mod simulate_outbound;
pub mod top;
pub mod top_ui;
pub mod trace;

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
    Scan(board::ScanArgs),
    /// Table of spans: type, framing, alarms, counters.
    Spans(board::ListArgs),
    /// Table of channels: number, span/position, kind, name.
    Channels(board::ListArgs),
    /// DAHDI compatibility: `trunkctl dahdi cfg [-c FILE] [-t] [--dry-run] [-s]`.
    Dahdi(dahdi::DahdiArgs),
    /// Run tone/digit detectors over a WAV file and print their events.
    Analyze(analyze::AnalyzeArgs),
    /// Status of the running daemon (calls, agents, spans in alarm).
    Status(client::ClientArgs),
    /// Calls up now on the running daemon.
    Calls(client::ClientArgs),
    /// Agents and their states on the running daemon.
    Agents(client::ClientArgs),
    /// Campaigns and their progress on the running daemon.
    Campaigns(client::ClientArgs),
    /// Call detail records from the running daemon.
    Cdrs(client::CdrArgs),
    /// Measure how fast the hot paths run.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// Signalling ladder: `trace SPAN` live from the daemon, `trace FILE` decodes a capture
    /// (D-channel TS16 octets, hex frames, R2 wire). A file of that name wins over a span number.
    Trace(trace::TraceArgs),
    /// Live full-screen view of spans, channels (state, call, signalling, levels) and events.
    Top(top::TopArgs),
    /// rx/tx level meters (dBm0, RMS and peak) of channels on the running daemon.
    Levels(levels::LevelsArgs),
    /// Run things offline in virtual time: one call across a simulated board, or a whole
    /// campaign against simulated lines and agents.
    #[command(subcommand)]
    Simulate(SimulateCmd),
}

/// `trunkctl simulate ...`.
#[derive(Debug, Subcommand)]
pub enum SimulateCmd {
    /// One call across a back-to-back pair, printed as a ladder.
    Call(simulate_call::SimulateCallArgs),
    /// An outbound campaign at event level (no audio): abandon rate, occupancy, contacts.
    Outbound(simulate_outbound::OutboundArgs),
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
    /// The threaded media pipeline, paced in real time: detectors and recording on every channel.
    Pipeline(bench_pipeline::PipelineBenchArgs),
}

/// Runs the CLI; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Scan(a) => board::scan(&a),
        Command::Spans(a) => board::spans(&a),
        Command::Channels(a) => board::channels(&a),
        Command::Analyze(a) => analyze::run(&a),
        Command::Status(a) => client::status(&a, &mut std::io::stdout().lock()),
        Command::Calls(a) => client::calls(&a, &mut std::io::stdout().lock()),
        Command::Agents(a) => client::agents(&a, &mut std::io::stdout().lock()),
        Command::Campaigns(a) => client::campaigns(&a, &mut std::io::stdout().lock()),
        Command::Cdrs(a) => client::cdrs(&a, &mut std::io::stdout().lock()),
        Command::Bench(BenchCmd::Board(a)) => bench_board::run(&a),
        Command::Dahdi(a) => dahdi::run(&a),
        Command::Simulate(SimulateCmd::Call(a)) => simulate_call::run(&a),
        Command::Trace(a) => trace::run(&a),
        Command::Top(a) => top::run(&a),
        Command::Levels(a) => levels::run(&a),
        Command::Simulate(SimulateCmd::Outbound(a)) => simulate_outbound::run(&a),
        Command::Simulate(SimulateCmd::Inbound(a)) => simulate_inbound::run(&a),
        Command::Bench(BenchCmd::Dsp(a)) => bench::run(&a),
        Command::Bench(BenchCmd::Pipeline(a)) => bench_pipeline::run(&a),
    }
}
