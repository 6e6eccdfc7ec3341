//! `trunkctl simulate outbound`: the dialer against a simulated population, at event level.

use clap::Args;

use crate::dialer::pacer::PacerConfig;
use crate::dialer::sim::{simulate, Report, Scenario, SimConfig};
use crate::dialer::Mode;

/// Arguments of `trunkctl simulate outbound`.
#[derive(Debug, Args)]
pub struct OutboundArgs {
    /// `s1`, `s2`, or a scenario TOML file.
    #[arg(long, default_value = "s1")]
    pub scenario: String,
    /// Agents logged in throughout.
    #[arg(long, default_value_t = 20)]
    pub agents: usize,
    /// Hours to simulate (default: the scenario's).
    #[arg(long)]
    pub hours: Option<f64>,
    /// RNG seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// preview[:secs], progressive, predictive, power[:lines per agent].
    #[arg(long, default_value = "predictive")]
    pub mode: String,
    /// Answering-machine detection.
    #[arg(long, default_value = "off", value_parser = ["on", "off"])]
    pub amd: String,
    /// Lines available to the campaign (default 3 per agent + 10).
    #[arg(long)]
    pub lines: Option<usize>,
    /// Abandon cap the controller holds (fraction of live answers).
    #[arg(long, default_value_t = 0.03)]
    pub target: f64,
    /// Pacer: marginal abandon probability allowed for one more line (before the controller).
    #[arg(long, default_value_t = PacerConfig::default().theta)]
    pub theta: f64,
    /// Pacer: fraction of the cap the controller aims at over the day.
    #[arg(long, default_value_t = PacerConfig::default().aim_fraction)]
    pub aim: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Builds the run's configuration from the arguments.
pub fn config(a: &OutboundArgs) -> anyhow::Result<SimConfig> {
    let mut scenario = match a.scenario.as_str() {
        "s1" => Scenario::s1(),
        "s2" => Scenario::s2(),
        path => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            Scenario::from_toml(path, &text).map_err(|e| anyhow::anyhow!("{path}: {e}"))?
        }
    };
    if let Some(h) = a.hours {
        anyhow::ensure!(h.is_finite() && h > 0.0 && h <= 744.0, "--hours must be in (0, 744]");
        scenario.hours = h;
    }
    anyhow::ensure!((1..=5000).contains(&a.agents), "--agents must be 1..=5000");
    anyhow::ensure!(a.target > 0.0 && a.target < 1.0, "--target must be in (0, 1)");
    anyhow::ensure!(a.theta > 0.0 && a.theta < 1.0, "--theta must be in (0, 1)");
    anyhow::ensure!(a.aim > 0.0 && a.aim <= 1.0, "--aim must be in (0, 1]");
    let mode = Mode::parse(&a.mode).map_err(|e| anyhow::anyhow!("--mode: {e}"))?;
    let mut cfg = SimConfig::new(scenario, a.agents, a.seed, mode, a.amd == "on");
    cfg.lines = a.lines;
    cfg.pacer =
        PacerConfig { target_abandon: a.target, theta: a.theta, aim_fraction: a.aim, ..PacerConfig::default() };
    Ok(cfg)
}

/// Runs the simulation and prints the report.
pub fn run(a: &OutboundArgs) -> anyhow::Result<i32> {
    let r = simulate(config(a)?);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print(&r);
    }
    Ok(0)
}

fn print(r: &Report) {
    println!(
        "simulate outbound: scenario {}, {} agents, {:.1} h, mode {}, AMD {}, seed {}",
        r.scenario,
        r.agents,
        r.hours,
        r.mode,
        if r.amd { "on" } else { "off" },
        r.seed
    );
    println!(
        "  abandon: {:.2} % of live answers over the day, {:.2} % in the worst hour",
        r.abandon_pct_day, r.abandon_pct_worst_hour
    );
    println!(
        "  ({} live answers, {} contacts, {} abandoned, {} AMD false positives)",
        r.live_answers, r.contacts, r.abandoned, r.amd_false_positives
    );
    println!("  talk occupancy: {:.1} %", r.talk_occupancy * 100.0);
    println!("  talk-minutes per agent-hour: {:.2}", r.talk_minutes_per_agent_hour);
    println!("  contacts per agent-hour: {:.2}", r.contacts_per_agent_hour);
    println!("  dials per agent-hour: {:.2}", r.dials_per_agent_hour);
    println!(
        "  agent wait between calls: mean {:.1} s, p90 {:.1} s",
        r.agent_wait_mean_s, r.agent_wait_p90_s
    );
    println!(
        "  lines: mean {:.1}, p99 {}, peak {} (of {})",
        r.lines_mean, r.lines_p99, r.lines_peak, r.lines_available
    );
}
