//! `trunkctl scan|spans|channels`: what the board has and how its spans are doing.

use clap::Args;

/// Which board to look at.
#[derive(Debug, Args)]
pub struct BoardArgs {
    /// Board to open: `sim` (default: the simulated board from the configuration or defaults).
    #[arg(long, default_value = "sim")]
    pub board: String,
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

/// `trunkctl scan`.
pub fn scan(_a: &BoardArgs) -> anyhow::Result<i32> {
    anyhow::bail!("scan: the simulated board is not wired in yet")
}

/// `trunkctl spans`.
pub fn spans(_a: &ListArgs) -> anyhow::Result<i32> {
    anyhow::bail!("spans: the simulated board is not wired in yet")
}

/// `trunkctl channels`.
pub fn channels(_a: &ListArgs) -> anyhow::Result<i32> {
    anyhow::bail!("channels: the simulated board is not wired in yet")
}
