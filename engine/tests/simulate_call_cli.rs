//! `trunkctl simulate call` end to end: every signalling system completes a call across two
//! cross-connected simulated spans and prints a ladder with the protocol's own vocabulary;
//! busy and invalid numbers end with their causes.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_trunkctl")).args(args).output().expect("run trunkctl");
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn every_signalling_completes_a_call() {
    for (sig, must) in [
        ("r2-cn", &["CAS tx 0011 (seize)", "MF tx A-6 on", "I(ani)-8", "Incoming { ani: \"88776655\""][..]),
        ("r2-itu", &["CAS tx 0001 (seize)", "MF tx A-5 on", "dnis: \"12345678\""][..]),
        ("r2-mx", &["MF tx C-1 on", "dnis: \"12345678\""][..]),
        ("pri-net", &["SABME", "SETUP", "CONNECT ACKNOWLEDGE", "RELEASE COMPLETE"][..]),
        ("pri-cpe", &["SETUP", "ALERTING", "CONNECT", "cause=16"][..]),
        ("t1-em", &["wink received", "dialling K88776655SK12345678S", "digit heard ST"][..]),
        ("t1-em-immediate", &["dialling 12345678", "digit heard 8"][..]),
        ("t1-ls", &["ABCD=0000 (ring)", "off-hook: answer", "loop open"][..]),
    ] {
        let (rc, out) = run(&["simulate", "call", "--signalling", sig]);
        assert_eq!(rc, 0, "{sig}:\n{out}");
        assert!(out.contains("answered at A after"), "{sig}:\n{out}");
        assert!(!out.contains("answered at A after -"), "{sig}:\n{out}");
        assert!(out.contains("caller released: cause 16"), "{sig}:\n{out}");
        assert!(out.contains("callee released: cause 16"), "{sig}:\n{out}");
        for m in must {
            assert!(out.contains(m), "{sig}: missing {m:?}\n{out}");
        }
    }
}

#[test]
fn busy_and_invalid_end_with_their_causes() {
    for (sig, flag, cause) in [
        ("r2-cn", "--busy", "cause 17"),
        ("r2-itu", "--invalid", "cause 1 "),
        ("pri-cpe", "--busy", "cause 17"),
        ("t1-em", "--busy", "cause 17"),
        ("t1-em", "--invalid", "cause 1 "),
    ] {
        let (rc, out) = run(&["simulate", "call", "--signalling", sig, flag]);
        assert_eq!(rc, 0, "{sig} {flag}:\n{out}");
        assert!(out.contains(&format!("caller released: {cause}")), "{sig} {flag}:\n{out}");
        assert!(out.contains("answered at A after -"), "{sig} {flag}:\n{out}");
    }
}
