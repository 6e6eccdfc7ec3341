//! `trunkd`: the Trunkline daemon (systemd service). With no configuration it runs the built-in
//! demo on the simulated board.

fn main() {
    eprintln!("trunkd: not implemented yet");
    std::process::exit(2);
}
