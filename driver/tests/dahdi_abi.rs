//! Conformance of `driver::dahdi::abi` with `../shared/dahdi/dahdi-abi.tsv`: every row is checked.

use std::collections::HashMap;
use std::path::PathBuf;

use trunkline_driver::dahdi::abi;

fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dahdi");
    assert!(
        dir.join("dahdi-abi.tsv").is_file(),
        "DAHDI reference data not found at {} (expected the shared material next to the worktree: \
         ../shared/dahdi/dahdi-abi.tsv)",
        dir.display()
    );
    dir
}

fn quoted(notes: &str, key: &str) -> Option<String> {
    let start = notes.find(&format!("{key}=\""))? + key.len() + 2;
    let end = notes[start..].find('"')? + start;
    Some(notes[start..end].to_string())
}

fn kv(notes: &str, key: &str) -> Option<String> {
    notes.split([' ', ';']).find_map(|w| w.strip_prefix(&format!("{key}=")).map(str::to_string))
}

fn parse_num(s: &str) -> i64 {
    if let Some(h) = s.strip_prefix("0x") {
        i64::from_str_radix(h, 16).unwrap_or_else(|e| panic!("bad hex {s}: {e}"))
    } else {
        s.parse().unwrap_or_else(|e| panic!("bad number {s}: {e}"))
    }
}

#[test]
fn every_tsv_row_matches_the_module() {
    let text = std::fs::read_to_string(shared_dir().join("dahdi-abi.tsv")).expect("read TSV");
    let ioctls: HashMap<_, _> = abi::IOCTLS.iter().copied().collect();
    let consts: HashMap<_, _> = abi::CONSTANTS.iter().copied().collect();
    let structs: HashMap<_, _> = abi::struct_layouts().into_iter().map(|s| (s.name, s)).collect();
    let fields: HashMap<_, _> = abi::field_layouts().into_iter().map(|f| (f.name, f)).collect();
    let mut checked: HashMap<&str, usize> = HashMap::new();
    let mut failures = Vec::new();
    let mut rows = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 3, "line {}: malformed row {line:?}", i + 1);
        let (kind, name, value) = (cols[0], cols[1], cols[2]);
        let notes = cols.get(3).copied().unwrap_or("");
        rows += 1;
        let mut fail = |msg: String| failures.push(format!("line {} {kind} {name}: {msg}", i + 1));
        match kind {
            "meta" => match name {
                "arch" => {
                    if value != std::env::consts::ARCH {
                        fail(format!("TSV is for {value}, running on {}", std::env::consts::ARCH));
                    }
                    let long = kv(notes, "sizeof(long)").map(|s| parse_num(&s) as usize);
                    if long != Some(std::mem::size_of::<core::ffi::c_long>()) {
                        fail(format!("sizeof(long) {long:?}"));
                    }
                }
                "source" => {}
                _ => fail("unknown meta row".into()),
            },
            "ioctl" => match ioctls.get(name) {
                None => fail("missing from abi::IOCTLS".into()),
                Some(&req) => {
                    if i64::from(req) != parse_num(value) {
                        fail(format!("request {req:#010x} != {value}"));
                    }
                    let dir = match kv(notes, "dir").as_deref() {
                        Some("none") => abi::IOC_NONE,
                        Some("R") => abi::IOC_READ,
                        Some("W") => abi::IOC_WRITE,
                        Some("RW") => abi::IOC_READ | abi::IOC_WRITE,
                        d => panic!("bad dir {d:?}"),
                    };
                    let ty = kv(notes, "type").map(|s| parse_num(&s));
                    let nr = kv(notes, "nr").map(|s| parse_num(&s));
                    let size = kv(notes, "size").map(|s| parse_num(&s));
                    if abi::ioc_dir(req) != dir
                        || Some(i64::from(abi::ioc_type(req))) != ty
                        || Some(i64::from(abi::ioc_nr(req))) != nr
                        || Some(abi::ioc_size(req) as i64) != size
                    {
                        fail(format!("decoded fields of {req:#x} differ from {notes}"));
                    }
                }
            },
            "const" => match consts.get(name) {
                None => fail("missing from abi::CONSTANTS".into()),
                Some(&v) if i64::from(v) != parse_num(value) => fail(format!("{v} != {value}")),
                Some(_) => {}
            },
            "struct" => match structs.get(name) {
                None => fail("missing from struct_layouts()".into()),
                Some(s) => {
                    if s.size as i64 != parse_num(value) {
                        fail(format!("size {} != {value}", s.size));
                    }
                    let align = kv(notes, "align").map(|a| parse_num(&a) as usize);
                    if align != Some(s.align) {
                        fail(format!("align {} != {align:?}", s.align));
                    }
                }
            },
            "field" => match fields.get(name) {
                None => fail("missing from field_layouts()".into()),
                Some(f) => {
                    if f.offset as i64 != parse_num(value) {
                        fail(format!("offset {} != {value}", f.offset));
                    }
                    match kv(notes, "size").as_deref() {
                        Some("bitfield:1") => {
                            let mask = kv(notes, "bitmask_in_byte").map(|m| parse_num(&m));
                            if mask != Some(i64::from(abi::DAHDI_HWGAIN_TX_MASK)) || f.size != 4 {
                                fail(format!("bitfield mask {mask:?}"));
                            }
                        }
                        Some(s) if parse_num(s) as usize == f.size => {}
                        s => fail(format!("size {} != {s:?}", f.size)),
                    }
                }
            },
            "sigstr" => match abi::SIG_NAMES.iter().find(|s| s.name == name) {
                None => fail("missing from SIG_NAMES".into()),
                Some(s) => {
                    let proc = quoted(notes, "proc").unwrap_or_default();
                    let cfg = quoted(notes, "dahdi_cfg").unwrap_or_default();
                    let proc_ok = proc == s.proc || proc.starts_with(&format!("{} (sysfs only", s.proc));
                    if i64::from(s.sig) != parse_num(value) || !proc_ok || cfg != s.dahdi_cfg {
                        fail(format!("{s:?} vs {value} {notes}"));
                    }
                    if abi::sig_cfg_name(s.sig) != cfg {
                        fail("sig_cfg_name".into());
                    }
                }
            },
            "alarmstr" => {
                let scan = quoted(notes, "dahdi_scan").unwrap_or_default();
                let proc = quoted(notes, "proc+chan_sysfs").unwrap_or_default();
                if name.starts_with('(') {
                    let want = [abi::SCAN_ALARMS_UNKNOWN, abi::SCAN_ALARMS_OK, abi::SCAN_ALARMS_UNCONFIGURED];
                    if !want.contains(&scan.as_str()) || !proc.is_empty() {
                        fail(format!("unexpected {scan:?}"));
                    }
                } else {
                    match abi::ALARM_NAMES.iter().find(|a| a.name == name) {
                        None => fail("missing from ALARM_NAMES".into()),
                        Some(a) => {
                            let word = |s: &str| {
                                if s.starts_with('(') {
                                    None
                                } else {
                                    s.split(' ').next().map(str::to_string)
                                }
                            };
                            if i64::from(a.bit) != parse_num(value)
                                || word(&proc).as_deref() != a.proc
                                || word(&scan).as_deref() != a.scan
                            {
                                fail(format!("{a:?} vs {notes}"));
                            }
                        }
                    }
                }
            }
            "linecfgstr" => {
                let want = quoted(notes, "name").unwrap_or_default();
                let bit = abi::CONSTANTS.iter().find(|(n, _)| *n == name).map(|c| c.1);
                match abi::LINECONFIG_NAMES.iter().find(|(n, _)| *n == want) {
                    Some(&(_, b)) if i64::from(b) == parse_num(value) && Some(b) == bit => {}
                    other => fail(format!("{other:?}")),
                }
            }
            "lbostr" => {
                let idx = parse_num(value) as usize;
                let want = notes.trim_matches('"');
                if abi::LBO_NAMES.get(idx).copied() != Some(want) || name != format!("lbo={idx}") {
                    fail(format!("{:?}", abi::LBO_NAMES.get(idx)));
                }
            }
            "spantype" => match abi::SPAN_TYPES.iter().find(|(n, _)| *n == name) {
                Some(&(_, v)) if i64::from(v) == parse_num(value) => {}
                other => fail(format!("{other:?}")),
            },
            "devnode" => match abi::DEV_NODES.iter().find(|d| d.path == name) {
                Some(d) if d.dev == value => {}
                other => fail(format!("{other:?}")),
            },
            "kconst" => match abi::KERNEL_CONSTANTS.iter().find(|(n, _)| *n == name) {
                Some(&(_, v)) if i64::from(v) == parse_num(value) => {}
                other => fail(format!("{other:?}")),
            },
            _ => fail("unknown row kind".into()),
        }
        *checked.entry(kind).or_default() += 1;
    }
    let mut summary: Vec<_> = checked.iter().collect();
    summary.sort();
    println!("dahdi-abi.tsv: {rows} rows checked: {summary:?}");
    assert!(failures.is_empty(), "{} of {rows} rows differ:\n{}", failures.len(), failures.join("\n"));
    assert!(rows >= 650, "only {rows} rows read");
    // The module has nothing the TSV does not know about.
    assert_eq!(abi::IOCTLS.len(), checked["ioctl"]);
    assert_eq!(abi::CONSTANTS.len(), checked["const"]);
    assert_eq!(abi::struct_layouts().len(), checked["struct"]);
    assert_eq!(abi::field_layouts().len(), checked["field"]);
}

#[test]
fn lineconfig_str_matches_the_kernel_renderings() {
    let text = std::fs::read_to_string(shared_dir().join("conf/traces/lineconfig_str.tsv")).expect("read");
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "malformed row {line:?}");
        let v = i32::from_str_radix(cols[1].trim_start_matches("0x"), 16).expect("hex lineconfig");
        assert_eq!(abi::lineconfig_str(v), cols[2].trim_matches('"'), "{}", cols[0]);
        n += 1;
    }
    assert!(n > 0, "no rows in lineconfig_str.tsv");
}
