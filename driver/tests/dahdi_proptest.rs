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
