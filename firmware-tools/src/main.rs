//! `trunkfw`: inspect, verify, convert, install and upload board firmware images.

fn main() {
    eprintln!("trunkfw: no commands yet");
    std::process::exit(2);
}
