//! `trunkctl`: Trunkline's diagnostics and admin CLI.

use clap::Parser;

fn main() {
    let cli = trunkline_engine::cli::Cli::parse();
    match trunkline_engine::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("trunkctl: {e:#}");
            std::process::exit(1);
        }
    }
}
