//! Property tests: the system.conf parser and the planner never panic, whatever the input.

use proptest::prelude::*;
use trunkline_driver::dahdi::{assigned_spans, plan, span_types, system_conf};

fn line() -> impl Strategy<Value = String> {
    let kw = prop::sample::select(vec![
        "span",
        "dynamic",
        "loadzone",
        "defaultzone",
        "e&m",
        "fxsks",
        "fxoks",
        "clear",
        "rawhdlc",
        "nethdlc",
        "fcshdlc",
        "dchan",
        "hardhdlc",
        "mtp2",
        "bchan",
        "unused",
        "cas",
        "dacs",
        "dacsrbs",
        "alaw",
        "mulaw",
        "echocanceller",
        "56k",
        "ctcss",
        "tx",
        "corthresh",
        "exttone",
        "channel",
        "bogus",
        " ;x",
        "#c",
    ]);
    let val = "[-0-9a-z,:;# \\t=]{0,40}";
    (kw, prop::bool::ANY, val).prop_map(|(k, indent, v)| format!("{}{k}={v}", if indent { "  " } else { "" }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parser_never_panics_on_bytes(input in prop::collection::vec(any::<u8>(), 0..2048)) {
        let out = system_conf::parse(&input);
        let lines = input.len() + 1;
        for d in &out.diagnostics {
            if let system_conf::Diagnostic::Error { line, .. } = d {
                prop_assert!(*line >= 1 && *line <= lines);
            }
        }
        let _ = out.report("x", true);
        let _ = plan::dry_run_lines(&plan::plan(&out.conf, plan::PlanOptions::default()));
        let text = String::from_utf8_lossy(&input);
        let _ = assigned_spans::parse(&text);
        let _ = span_types::parse(&text);
    }

    #[test]
    fn parser_never_panics_on_keyword_lines(lines in prop::collection::vec(line(), 0..40)) {
        let input = lines.join("\n");
        let out = system_conf::parse(input.as_bytes());
        if out.error_count() == 0 {
            let steps = plan::plan(&out.conf, plan::PlanOptions { shutdown: false, force: true });
            for l in plan::dry_run_lines(&steps) {
                prop_assert!(l.starts_with("IOCTL\t/dev/dahdi/"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// `/proc/dahdi/N` text never makes the parser panic.
    #[test]
    fn proc_parser_never_panics(input in "(Span [0-9]{1,3}: )?[ -~\t\n\"]{0,400}") {
        let _ = trunkline_driver::dahdi::proc::ProcSpan::parse(&input);
    }

    /// What the fake kernel prints for a span (in the kernel's format) parses back to its
    /// counters, alarms and channels.
    #[test]
    fn proc_text_of_the_fake_kernel_parses_back(
        bpv in 0i32..1_000_000, crc in 0i32..1000, slips in 0u64..10_000_000, red in any::<bool>(),
    ) {
        use trunkline_driver::dahdi::fake::FakeKernel;
        use trunkline_driver::dahdi::sys::Sys;
        let k = FakeKernel::e1_pairs(2);
        k.add_counters(2, bpv, crc, 0, 0, slips);
        if red {
            k.set_alarms(2, trunkline_driver::dahdi::abi::DAHDI_ALARM_RED);
        }
        let p = trunkline_driver::dahdi::proc::ProcSpan::parse(&k.read_text("/proc/dahdi/2").unwrap()).unwrap();
        prop_assert_eq!(p.spanno, 2);
        prop_assert_eq!((p.bpv, p.crc4, p.slips), (bpv as u64, crc as u64, slips));
        prop_assert_eq!(p.alarms.is_empty(), !red);
        prop_assert_eq!(p.channels.len(), 31);
        prop_assert_eq!(p.lineconfig.as_str(), "CCS/HDB3/CRC4");
    }
}
