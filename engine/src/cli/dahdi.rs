//! `trunkctl dahdi cfg`: read `/etc/dahdi/system.conf` with dahdi_cfg's grammar and either check
//! it (`-t`), print the ioctls a real run would issue (`--dry-run`), or apply it to the kernel.

use std::io::{Read, Write};

use anyhow::Context;
use clap::{Args, Subcommand};
use trunkline_driver::dahdi::{plan, system_conf};

/// `trunkctl dahdi ...`.
#[derive(Debug, Args)]
pub struct DahdiArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DahdiCommand,
}

/// DAHDI verbs.
#[derive(Debug, Subcommand)]
pub enum DahdiCommand {
    /// Configure spans and channels from system.conf, as `dahdi_cfg`.
    Cfg(CfgArgs),
}

/// Arguments of `trunkctl dahdi cfg`, named as dahdi_cfg's.
#[derive(Debug, Args)]
pub struct CfgArgs {
    /// Configuration file (`-` for stdin).
    #[arg(short = 'c', default_value = "/etc/dahdi/system.conf")]
    pub config: String,
    /// Test mode: parse only, report errors, exit 1 on error (as `dahdi_cfg -t`).
    #[arg(short = 't')]
    pub test: bool,
    /// Print the ioctls a real run would issue, one per line, instead of issuing them.
    #[arg(long)]
    pub dry_run: bool,
    /// Shut the configured spans down instead of configuring them.
    #[arg(short = 's')]
    pub shutdown: bool,
    /// Always reconfigure every channel (skip the GET_PARAMS comparison).
    #[arg(short = 'f')]
    pub force: bool,
}

/// Runs a `trunkctl dahdi` verb.
pub fn run(a: &DahdiArgs) -> anyhow::Result<i32> {
    match &a.command {
        DahdiCommand::Cfg(c) => {
            let stdout = std::io::stdout();
            let stderr = std::io::stderr();
            cfg(c, &mut stdout.lock(), &mut stderr.lock(), &mut plan::KernelDevices::default())
        }
    }
}

/// `trunkctl dahdi cfg` with its outputs and the kernel passed in (testable).
pub fn cfg<D: plan::DahdiDevices>(
    a: &CfgArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    devices: &mut D,
) -> anyhow::Result<i32> {
    let input = if a.config == "-" {
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v).context("reading configuration from stdin")?;
        v
    } else {
        std::fs::read(&a.config)
            .with_context(|| format!("Unable to open configuration file '{}'", a.config))?
    };
    let parsed = system_conf::parse(&input);
    write!(err, "{}", parsed.report(&a.config, true))?;
    if parsed.error_count() > 0 {
        return Ok(1);
    }
    if a.test {
        return Ok(0);
    }
    let steps = plan::plan(&parsed.conf, plan::PlanOptions { shutdown: a.shutdown, force: a.force });
    if a.dry_run {
        for line in plan::dry_run_lines(&steps) {
            writeln!(out, "{line}")?;
        }
        for s in &steps {
            if let plan::Step::UnknownZone(z) = s {
                writeln!(err, "Unable to register tone zone '{z}'")?;
            }
        }
        return Ok(0);
    }
    match plan::apply(devices, &steps) {
        Ok(report) => {
            for w in &report.warnings {
                writeln!(err, "warning: {w}")?;
            }
            for c in &report.skipped_channels {
                writeln!(err, "channel {c}: could not open it to set the HDLC rate (in use?), skipped")?;
            }
            Ok(0)
        }
        Err(e) => {
            writeln!(err, "trunkctl dahdi cfg: {e}")?;
            Ok(1)
        }
    }
}
