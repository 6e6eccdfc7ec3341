#![no_main]
//! Campaign list importer: never panics; every data row is either imported or rejected, and
//! every imported number is normalised.
use libfuzzer_sys::fuzz_target;
use trunkline_engine::lists::{normalize_phone, parse_csv_bytes};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = parse_csv_bytes(data) {
        assert_eq!(p.report.rows, p.leads.len() + p.report.rejected.len());
        for (_, lead) in &p.leads {
            assert_eq!(normalize_phone(&lead.phone).as_deref(), Ok(lead.phone.as_str()));
        }
    }
});
