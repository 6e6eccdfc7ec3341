//! The engine's entry point for `trunkd`: builds and starts the whole engine (board, pipeline,
//! core, storage) from the configuration. Owned by the engine core; `trunkd` depends only on
//! the signature of [`build`], which must stay stable.

use std::path::Path;

use crate::boardcfg::BoardSection;
use crate::runtime::EngineRuntime;

/// Builds and starts the engine.
///
/// - `cfg_toml`: the whole configuration file text (the engine parses its own sections:
///   `[demo]`, `[[campaign]]`, `[[agent]]`, `[[queue]]`, `[ivr]`, `[storage]`, `[recording]`;
///   it must ignore `[daemon]`, `[api]` and `[board]`). When no file exists, `trunkd` passes
///   `"[demo]\n"`: run the built-in demo.
/// - `board`: the parsed `[board]` section, if any (absent: the default simulated board).
/// - `data_dir`: exists and is writable; the database and recordings go there.
/// - `speed`: virtual clock multiplier for the simulated board (1.0 = real time).
pub fn build(
    cfg_toml: &str,
    board: Option<&BoardSection>,
    data_dir: &Path,
    speed: f64,
) -> anyhow::Result<Box<dyn EngineRuntime>> {
    let _ = (cfg_toml, board, data_dir, speed);
    anyhow::bail!("the engine core is not wired in yet")
}
