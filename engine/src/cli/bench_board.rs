//! `trunkctl bench board`.

use clap::Args;

/// Arguments of `trunkctl bench board`.
#[derive(Debug, Args)]
pub struct BoardBenchArgs {
    /// E1 spans (even; half CAS, half HDLC D-channels, cross-connected in pairs).
    #[arg(long, default_value_t = 128)]
    pub spans: usize,
    /// Virtual seconds to simulate.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Tick length in ms (1..=20).
    #[arg(long, default_value_t = 20)]
    pub tick_ms: usize,
    /// Leave every channel closed (idle octets, no rings): measures framing alone, to compare.
    #[arg(long)]
    pub idle: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the benchmark and prints the result; exit 1 if any octet or frame was lost.
pub fn run(a: &BoardBenchArgs) -> anyhow::Result<i32> {
    anyhow::ensure!((1..=20).contains(&a.tick_ms), "--tick-ms must be 1..=20");
    let r = crate::benchboard::run(a.spans, a.seconds, a.tick_ms, a.idle)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "bench board: {} E1 spans ({} CAS, {} HDLC), {} timeslots with audio, {:.1} s virtual, {} ms ticks",
            r.spans, r.cas_spans, r.hdlc_spans, r.timeslots, r.virtual_s, a.tick_ms
        );
        println!(
            "  board path (one core): {:.1}x real time ({:.2} s wall)",
            r.x_realtime_board, r.board_wall_s
        );
        println!("  with ring producers/consumers: {:.1}x real time", r.x_realtime_total);
        println!(
            "  octets sent {} received {} wrong {}; ring overruns+underruns {}; D-channel frames {}/{}",
            r.octets_sent, r.octets_received, r.octets_wrong, r.ring_faults, r.frames_received, r.frames_sent
        );
    }
    let lost = r.octets_wrong > 0 || r.ring_faults > 0 || r.frames_received + 1 < r.frames_sent.max(1);
    Ok(if lost { 1 } else { 0 })
}
