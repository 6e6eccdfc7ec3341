#![no_main]
//! Journal records and simulated-board state files from arbitrary bytes never panic.
use libfuzzer_sys::fuzz_target;
use trunkline_firmware::journal::Journal;
use trunkline_firmware::simboard::SimBoard;

fuzz_target!(|data: &[u8]| {
    if let Some(j) = Journal::parse(data) {
        assert_eq!(Journal::parse(&j.emit()), Some(j));
    }
    let _ = SimBoard::from_state(data, "fuzz");
});
