//! `system.conf` parser verdicts and dry-run ioctl plans against the real dahdi_cfg's
//! (`../shared/dahdi/conf/`: `*.dahdi_cfg-t.out` verdicts and `*.ioctl-trace.tsv` traces).

use std::path::{Path, PathBuf};

use trunkline_driver::dahdi::{assigned_spans, plan, span_types, system_conf};

fn conf_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi/conf");
    assert!(
        dir.join("MANIFEST.md").is_file(),
        "DAHDI sample configs not found at {} (expected the shared material at ../shared/dahdi/conf)",
        dir.display()
    );
    dir
}

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// The config a verdict/trace file belongs to (in traces/ or next to it in conf/).
fn config_for(result: &Path, suffix: &str) -> PathBuf {
    let name = result.file_name().unwrap().to_string_lossy();
    let base = name.strip_suffix(suffix).unwrap().to_string();
    for cand in [base.clone(), format!("{base}.conf")] {
        let here = result.with_file_name(&cand);
        if here.is_file() {
            return here;
        }
    }
    let up = conf_dir().join(&base);
    assert!(up.is_file(), "no config {base} for {}", result.display());
    up
}

/// Our `dahdi_cfg -t` stderr and exit status, in the .dahdi_cfg-t.out layout.
fn verdict(path: &Path) -> String {
    let input = std::fs::read(path).expect("read conf");
    let out = system_conf::parse(&input);
    let mut s = out.dahdi_cfg_report("<conf>");
    if out.error_count() > 0 {
        s.push_str("exit=1\n");
    }
    s
}

fn normalise(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.starts_with("Notice: Configuration file is ") {
                "Notice: Configuration file is <conf>"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn verdicts_equal_real_dahdi_cfg() {
    let traces = conf_dir().join("traces");
    let mut n = 0;
    for out in files(&traces, ".dahdi_cfg-t.out") {
        let conf = config_for(&out, ".dahdi_cfg-t.out");
        let want = std::fs::read_to_string(&out).expect("read verdict");
        let got = verdict(&conf);
        assert_eq!(normalise(&got), normalise(&want), "verdict differs for {}", conf.display());
        n += 1;
    }
    // Files without a recorded verdict but with a real trace were accepted by dahdi_cfg.
    for trace in files(&traces, ".ioctl-trace.tsv") {
        let conf = config_for(&trace, ".ioctl-trace.tsv");
        let got = system_conf::parse(&std::fs::read(&conf).unwrap());
        assert_eq!(
            got.error_count(),
            0,
            "{} was applied by dahdi_cfg: {:?}",
            conf.display(),
            got.diagnostics
        );
        n += 1;
    }
    println!("{n} verdicts compared");
    assert!(n >= 19, "only {n} verdicts compared");
}

#[test]
fn every_system_conf_sample_has_a_verdict() {
    let dir = conf_dir();
    for f in files(&dir, "").into_iter().filter(|p| {
        let n = p.file_name().unwrap().to_string_lossy().to_string();
        n.starts_with("system.conf.")
    }) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let has = dir.join("traces").join(format!("{name}.dahdi_cfg-t.out")).is_file();
        assert!(has, "no recorded verdict for {name}");
    }
}

#[test]
fn hints_explain_indented_comments_and_semicolons() {
    let input = std::fs::read(conf_dir().join("system.conf.astribank-4bri.negative")).unwrap();
    let out = system_conf::parse(&input);
    let report = out.report("x", true);
    assert!(report.contains("indented comment"), "{report}");
    assert!(report.contains("';' is not a comment character"), "{report}");
    let err = system_conf::SystemConf::parse(&input).unwrap_err();
    assert!(err.to_string().contains("line 17: Unknown keyword ';dchan'"), "{err}");
}

/// Required columns of a trace line: kind, device, name, request, size, argument hex.
fn columns(line: &str) -> Vec<String> {
    line.split('\t').take(6).map(str::to_string).collect()
}

#[test]
fn dry_run_equals_real_traces() {
    let traces = conf_dir().join("traces");
    let mut files_n = 0;
    let mut lines_n = 0;
    for trace in files(&traces, ".ioctl-trace.tsv") {
        let conf = config_for(&trace, ".ioctl-trace.tsv");
        let parsed = system_conf::SystemConf::parse(&std::fs::read(&conf).unwrap()).expect("parses");
        let ours = plan::dry_run_lines(&plan::plan(&parsed, plan::PlanOptions::default()));
        let want: Vec<String> = std::fs::read_to_string(&trace)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("IOCTL\t") && !l.contains("\tDAHDI_GET_PARAMS\t"))
            .map(str::to_string)
            .collect();
        assert_eq!(ours.len(), want.len(), "{}: number of ioctls", trace.display());
        for (i, (o, w)) in ours.iter().zip(&want).enumerate() {
            let (oc, wc) = (columns(o), columns(w));
            if wc[2] == "DAHDI_LOADZONE" {
                // Header only: same request, zone, ring cadence and name (bytes 4..112).
                assert_eq!(oc[..4], wc[..4], "{} line {i}", trace.display());
                assert_eq!(oc[5][8..224], wc[5][8..224], "{} line {i}: LOADZONE header", trace.display());
            } else {
                assert_eq!(oc, wc, "{} ioctl {i}", trace.display());
            }
            lines_n += 1;
        }
        files_n += 1;
    }
    println!("{files_n} traces, {lines_n} ioctl lines compared");
    assert!(files_n >= 7);
}

#[test]
fn assignment_files_parse() {
    let dir = conf_dir();
    let text = std::fs::read_to_string(dir.join("assigned-spans.conf.sample")).unwrap();
    assert!(assigned_spans::parse(&text).unwrap().is_empty());
    let examples: String =
        text.lines().filter_map(|l| l.strip_prefix("#@ usb-")).map(|l| format!("usb-{l}\n")).collect();
    let a = assigned_spans::parse(&examples).unwrap();
    assert_eq!(a.len(), 4);
    assert_eq!(a[1].specs[0], assigned_spans::SpanSpec { local_spanno: 2, spanno: 2, basechan: 100 });
    assert!(a[0].matches(&["usb-0000:00:1d.7-3"]));
    assert!(assigned_spans::parse("dev 1:1:0\n").is_err());

    let text = std::fs::read_to_string(dir.join("span-types.conf.sample")).unwrap();
    assert!(span_types::parse(&text).unwrap().is_empty());
    let rules = span_types::parse("usb-0000:00:1d.7-3 [12]:T1\n* *:E1\n").unwrap();
    assert_eq!(span_types::type_for(&rules, &["usb-0000:00:1d.7-3"], 1), Some(span_types::LineType::E1));
    let rules = span_types::parse("* *:E1\nusb-0000:00:1d.7-3 [12]:T1\n").unwrap();
    assert_eq!(span_types::type_for(&rules, &["usb-0000:00:1d.7-3"], 2), Some(span_types::LineType::T1));
    assert_eq!(span_types::type_for(&rules, &["usb-0000:00:1d.7-3"], 3), Some(span_types::LineType::E1));
    assert!(span_types::parse("x 1:E3\n").is_err());
}
