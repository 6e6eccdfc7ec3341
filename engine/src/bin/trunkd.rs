//! `trunkd`: the Trunkline daemon (systemd service). With no configuration it runs the built-in
//! demo on the simulated board.

use clap::Parser;

fn main() {
    let args = trunkline_engine::daemon::Args::parse();
    let speed = args.speed;
    let code = trunkline_engine::daemon::run(args, |cfg, data_dir| {
        trunkline_engine::engine_main::build(&cfg.raw, cfg.board.as_ref(), data_dir, speed)
    });
    std::process::exit(code);
}
