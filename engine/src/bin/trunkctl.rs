//! `trunkctl`: Trunkline's diagnostics and admin CLI.

use clap::Parser;

fn main() {
    let cli = trunkline_engine::cli::Cli::parse();
    match trunkline_engine::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // `trunkctl ... | head` closes the pipe early: that is not an error.
            let broken_pipe = e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe);
            if broken_pipe {
                std::process::exit(0);
            }
            eprintln!("trunkctl: {e:#}");
            std::process::exit(1);
        }
    }
}
