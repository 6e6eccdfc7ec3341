//! What `trunkd` runs: the engine built from the configuration. Today that is the built-in demo
//! (simulated board, PRI trunk to the line simulator, simulated agents); boards configured for
//! DAHDI come with the DAHDI backend.

use std::path::Path;

use crate::boardcfg::BoardSection;
use crate::runtime::EngineRuntime;

/// Builds and starts the engine. `cfg_toml` is the whole configuration file's text (empty for
/// the built-in demo), `board` its `[board]` section if any, `data_dir` where data goes, `speed`
/// the demo clock's multiple of real time (1 = real time; 0 = as fast as the CPU allows).
pub fn build(
    cfg_toml: &str,
    board: Option<&BoardSection>,
    data_dir: &Path,
    speed: f64,
) -> anyhow::Result<Box<dyn EngineRuntime>> {
    if let Some(b) = board {
        // The demo builds its own board layout (trunk pair and agent pair); a [board] section
        // is validated so mistakes are reported, and must describe the simulated board.
        b.to_sim().map_err(anyhow::Error::msg)?;
    }
    Ok(Box::new(crate::demo::start(cfg_toml, data_dir, speed)?))
}
