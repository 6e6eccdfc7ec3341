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
    /// Run this many seeds (seed, seed+1, …) and print each run plus mean, sd, min and max.
    #[arg(long, default_value_t = 1)]
    pub seeds: u64,
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
    /// Pacer: abandons held in reserve under the rolling hour's cap.
    #[arg(long, default_value_t = PacerConfig::default().hour_reserve)]
    pub reserve: f64,
    /// Pacer: width (abandons) of the zone where θ is scaled down before the reserve.
    #[arg(long, default_value_t = PacerConfig::default().soft_span)]
    pub soft: f64,
    /// Pacer: count abandons in the rolling counters by the learnt odds that they were people
    /// (default: every abandoned answer counts as a person).
    #[arg(long)]
    pub estimate_abandons: bool,
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
    anyhow::ensure!(a.reserve >= 0.0 && a.soft > 0.0, "--reserve must be ≥ 0 and --soft > 0");
    cfg.pacer = PacerConfig {
        target_abandon: a.target,
        theta: a.theta,
        aim_fraction: a.aim,
        hour_reserve: a.reserve,
        soft_span: a.soft,
        estimate_abandon_odds: a.estimate_abandons,
        ..PacerConfig::default()
    };
    Ok(cfg)
}

/// Mean, sample sd, min and max of one figure over the seeds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

impl Spread {
    /// Over `xs` (empty: all zero).
    pub fn of(xs: &[f64]) -> Self {
        if xs.is_empty() {
            return Self { mean: 0.0, sd: 0.0, min: 0.0, max: 0.0 };
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var =
            if xs.len() > 1 { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
        let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
        Self {
            mean: r3(mean),
            sd: r3(var.sqrt()),
            min: r3(xs.iter().copied().fold(f64::INFINITY, f64::min)),
            max: r3(xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        }
    }
}

/// The headline figures over several seeds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Seeds run.
    pub seeds: Vec<u64>,
    /// Abandon % over the day.
    pub abandon_pct_day: Spread,
    /// Abandon % in the worst hour.
    pub abandon_pct_worst_hour: Spread,
    /// Talk occupancy.
    pub talk_occupancy: Spread,
    /// Talk minutes per agent-hour.
    pub talk_minutes_per_agent_hour: Spread,
    /// Contacts per agent-hour.
    pub contacts_per_agent_hour: Spread,
    /// Dials per agent-hour.
    pub dials_per_agent_hour: Spread,
    /// Mean agent wait (s).
    pub agent_wait_mean_s: Spread,
    /// Mean lines.
    pub lines_mean: Spread,
    /// Peak lines.
    pub lines_peak: Spread,
}

/// Summarises runs of the same configuration over several seeds.
pub fn summarize(runs: &[Report]) -> Summary {
    let f = |g: fn(&Report) -> f64| Spread::of(&runs.iter().map(g).collect::<Vec<_>>());
    Summary {
        seeds: runs.iter().map(|r| r.seed).collect(),
        abandon_pct_day: f(|r| r.abandon_pct_day),
        abandon_pct_worst_hour: f(|r| r.abandon_pct_worst_hour),
        talk_occupancy: f(|r| r.talk_occupancy),
        talk_minutes_per_agent_hour: f(|r| r.talk_minutes_per_agent_hour),
        contacts_per_agent_hour: f(|r| r.contacts_per_agent_hour),
        dials_per_agent_hour: f(|r| r.dials_per_agent_hour),
        agent_wait_mean_s: f(|r| r.agent_wait_mean_s),
        lines_mean: f(|r| r.lines_mean),
        lines_peak: f(|r| r.lines_peak as f64),
    }
}

/// Runs the simulation and prints the report.
pub fn run(a: &OutboundArgs) -> anyhow::Result<i32> {
    let cfg = config(a)?;
    anyhow::ensure!((1..=1000).contains(&a.seeds), "--seeds must be 1..=1000");
    if a.seeds == 1 {
        let r = simulate(cfg);
        if a.json {
            println!("{}", serde_json::to_string_pretty(&r)?);
        } else {
            print(&r);
        }
        return Ok(0);
    }
    let runs: Vec<Report> = (0..a.seeds)
        .map(|i| {
            let mut c = cfg.clone();
            c.seed = a.seed.wrapping_add(i);
            simulate(c)
        })
        .collect();
    let sum = summarize(&runs);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "runs": runs, "summary": sum }))?);
        return Ok(0);
    }
    println!(
        "simulate outbound: scenario {}, {} agents, {:.1} h, mode {}, AMD {}, seeds {}..={}",
        runs[0].scenario,
        runs[0].agents,
        runs[0].hours,
        runs[0].mode,
        if runs[0].amd { "on" } else { "off" },
        a.seed,
        a.seed.wrapping_add(a.seeds - 1)
    );
    println!("  seed  abandon%day  worst-hour%  occupancy  talk-min/ah  contacts/ah  dials/ah  wait-s  lines(mean/peak)");
    for r in &runs {
        println!(
            "  {:>4}  {:>11.2}  {:>11.2}  {:>9.3}  {:>11.2}  {:>11.2}  {:>8.2}  {:>6.1}  {:.1}/{}",
            r.seed,
            r.abandon_pct_day,
            r.abandon_pct_worst_hour,
            r.talk_occupancy,
            r.talk_minutes_per_agent_hour,
            r.contacts_per_agent_hour,
            r.dials_per_agent_hour,
            r.agent_wait_mean_s,
            r.lines_mean,
            r.lines_peak
        );
    }
    let row = |name: &str, s: &Spread| {
        println!(
            "  {name:<28} mean {:>8.3}  sd {:>7.3}  min {:>8.3}  max {:>8.3}",
            s.mean, s.sd, s.min, s.max
        )
    };
    row("abandon % (day)", &sum.abandon_pct_day);
    row("abandon % (worst hour)", &sum.abandon_pct_worst_hour);
    row("talk occupancy", &sum.talk_occupancy);
    row("talk-minutes / agent-hour", &sum.talk_minutes_per_agent_hour);
    row("contacts / agent-hour", &sum.contacts_per_agent_hour);
    row("dials / agent-hour", &sum.dials_per_agent_hour);
    row("agent wait mean (s)", &sum.agent_wait_mean_s);
    row("lines mean", &sum.lines_mean);
    row("lines peak", &sum.lines_peak);
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        a: OutboundArgs,
    }

    #[test]
    fn arguments_are_checked_and_json_names_the_figures() {
        let t = T::try_parse_from(["t", "--agents", "3", "--hours", "0.25", "--mode", "power:2"]).unwrap();
        let cfg = config(&t.a).unwrap();
        assert_eq!(cfg.mode, Mode::Power { lines_per_agent: 2.0 });
        let v = serde_json::to_value(simulate(cfg)).unwrap();
        for k in [
            "abandon_pct_day",
            "abandon_pct_worst_hour",
            "talk_occupancy",
            "talk_minutes_per_agent_hour",
            "contacts_per_agent_hour",
            "dials_per_agent_hour",
            "agent_wait_mean_s",
            "agent_wait_p90_s",
            "lines_mean",
            "lines_p99",
            "lines_peak",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        let bad = T::try_parse_from(["t", "--mode", "scan"]).unwrap();
        assert!(config(&bad.a).unwrap_err().to_string().contains("--mode"));
        let bad = T::try_parse_from(["t", "--target", "1.5"]).unwrap();
        assert!(config(&bad.a).is_err());
        let s = Spread::of(&[1.0, 2.0, 3.0]);
        assert_eq!((s.mean, s.sd, s.min, s.max), (2.0, 1.0, 1.0, 3.0));
    }
}
