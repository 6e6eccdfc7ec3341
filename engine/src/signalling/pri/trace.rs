//! Ladder rendering: one readable line per D-channel frame (Q.921 type, N(S)/N(R), P/F; Q.931
//! message with every IE decoded). The basis of `trunkctl trace`.

use std::fmt::Write as _;

use super::cause::Cause;
use super::ie::{ChannelSelection, Ie, PartyNumber, ITC_AUDIO_3K1, ITC_DIGITAL, ITC_SPEECH};
use super::lapd::{Control, LapdRepr};
use super::message::{CallRef, MessageRepr};

fn ton_name(t: u8) -> &'static str {
    match t {
        0 => "unknown",
        1 => "international",
        2 => "national",
        3 => "network-specific",
        4 => "subscriber",
        6 => "abbreviated",
        _ => "reserved",
    }
}

fn plan_name(p: u8) -> &'static str {
    match p {
        0 => "unknown",
        1 => "E.164",
        3 => "X.121",
        4 => "F.69",
        8 => "national",
        9 => "private",
        _ => "reserved",
    }
}

fn number(n: &PartyNumber) -> String {
    let mut s = format!("{}/{} '{}'", ton_name(n.ton), plan_name(n.plan), n.digits);
    if let Some((pres, scr)) = n.presentation {
        let p = ["allowed", "restricted", "not-available", "reserved"][usize::from(pres & 3)];
        let sc = ["user-not-screened", "user-verified-passed", "user-verified-failed", "network"]
            [usize::from(scr & 3)];
        let _ = write!(s, " pres={p} screen={sc}");
    }
    s
}

fn progress_name(d: u8) -> &'static str {
    match d {
        1 => "not end-to-end ISDN",
        2 => "destination non-ISDN",
        3 => "origination non-ISDN",
        4 => "returned to ISDN",
        5 => "interworking",
        8 => "in-band information available",
        _ => "reserved",
    }
}

/// Renders one IE.
pub fn describe_ie(ie: &Ie) -> String {
    match ie {
        Ie::Bearer(b) => {
            let itc = match b.itc {
                ITC_SPEECH => "speech",
                ITC_AUDIO_3K1 => "3.1kHz-audio",
                ITC_DIGITAL => "unrestricted-digital",
                _ => "other-itc",
            };
            let l1 = match b.layer1 {
                Some(2) => " mu-law",
                Some(3) => " A-law",
                Some(_) => " other-L1",
                None => "",
            };
            let rate = if b.rate == 0x10 { "64k" } else { "other-rate" };
            let mode = if b.mode == 0 { "circuit" } else { "packet" };
            format!("bearer={itc} {mode} {rate}{l1}")
        }
        Ie::Cause(c) => format!(
            "cause={} loc={}{}",
            Cause(c.value),
            c.location,
            if c.diagnostics.is_empty() { String::new() } else { format!(" diag={:02x?}", c.diagnostics) }
        ),
        Ie::CallState(s) => format!("call-state={s}"),
        Ie::ChannelId(c) => {
            let sel = match &c.selection {
                ChannelSelection::None => "none".to_string(),
                ChannelSelection::Any => "any".to_string(),
                ChannelSelection::Channels(v) => {
                    v.iter().map(|c| format!("B{c}")).collect::<Vec<_>>().join(",")
                }
            };
            format!(
                "chan={} {sel}{}{}",
                if c.exclusive { "excl" } else { "pref" },
                if c.d_channel { " D" } else { "" },
                c.interface.map(|i| format!(" if={i}")).unwrap_or_default()
            )
        }
        Ie::Progress(p) => {
            format!("progress={} ({}) loc={}", p.description, progress_name(p.description), p.location)
        }
        Ie::Display(t) => format!("display='{t}'"),
        Ie::Calling(n) => format!("calling={}", number(n)),
        Ie::Called(n) => format!("called={}", number(n)),
        Ie::RestartIndicator(c) => format!(
            "restart={}",
            match c {
                0 => "indicated-channels",
                6 => "single-interface",
                7 => "all-interfaces",
                _ => "reserved",
            }
        ),
        Ie::SendingComplete => "sending-complete".to_string(),
        Ie::Other { codeset, id, data } => {
            format!("ie[cs{codeset} {id:#04x}]={data:02x?}")
        }
    }
}

/// Renders a Q.931 message (the information field of an I-frame).
pub fn describe_message(bytes: &[u8]) -> String {
    match MessageRepr::parse(bytes) {
        Err(e) => format!("Q.931 undecodable ({e})"),
        Ok(m) => {
            let cr = match m.call_ref {
                CallRef::Dummy => "dummy".to_string(),
                CallRef::Value { value, flag, .. } => format!("{value} flag={}", u8::from(flag)),
            };
            let mut s = format!("Q.931 CR={cr} {}", m.msg_type.name());
            if let super::message::MsgType::Unknown(v) = m.msg_type {
                let _ = write!(s, "({v:#04x})");
            }
            let parts: Vec<String> = m.ies.iter().map(describe_ie).collect();
            if !parts.is_empty() {
                let _ = write!(s, ": {}", parts.join("; "));
            }
            for (id, e) in &m.bad_ies {
                let _ = write!(s, "; BAD IE {id:#04x}: {e}");
            }
            if m.truncated {
                s.push_str("; TRUNCATED");
            }
            s
        }
    }
}

/// Renders a LAPD frame (without FCS): address, type, sequence numbers, P/F and, for I and UI
/// frames carrying Q.931, the message.
pub fn describe_frame(bytes: &[u8]) -> String {
    let repr = match LapdRepr::parse_bytes(bytes) {
        Ok(r) => r,
        Err(e) => return format!("LAPD undecodable ({e}): {bytes:02x?}"),
    };
    let mut s = format!("SAPI={} C/R={} TEI={} ", repr.sapi, u8::from(repr.cr), repr.tei);
    let pf = |b: bool| u8::from(b);
    match repr.control {
        Control::I { ns, nr, p } => {
            let _ = write!(s, "I N(S)={ns} N(R)={nr} P={}", pf(p));
        }
        Control::Rr { nr, pf: b } | Control::Rnr { nr, pf: b } | Control::Rej { nr, pf: b } => {
            let _ = write!(s, "{} N(R)={nr} P/F={}", repr.control.name(), pf(b));
        }
        Control::Sabme { p: b }
        | Control::Dm { f: b }
        | Control::Ui { p: b }
        | Control::Disc { p: b }
        | Control::Ua { f: b }
        | Control::Frmr { f: b }
        | Control::Xid { pf: b } => {
            let _ = write!(s, "{} P/F={}", repr.control.name(), pf(b));
        }
    }
    if matches!(repr.control, Control::I { .. } | Control::Ui { .. }) && !repr.info.is_empty() {
        let _ = write!(s, " | {}", describe_message(repr.info));
    } else if let Control::Frmr { .. } = repr.control {
        let _ = write!(s, " info={:02x?}", repr.info);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_line() {
        // I-frame from the user side carrying a SETUP as libpri sends it.
        let f = [
            0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x03, 0x80, 0x90, 0xA3, 0x18, 0x03,
            0xA9, 0x83, 0x81, 0x6C, 0x06, 0x21, 0x80, b'1', b'2', b'3', b'4', 0x70, 0x05, 0x80, b'8', b'0',
            b'0', b'1', 0xA1,
        ];
        let line = describe_frame(&f);
        assert!(line.contains("I N(S)=0 N(R)=0 P=0"), "{line}");
        assert!(line.contains("SETUP"), "{line}");
        assert!(line.contains("bearer=speech circuit 64k A-law"), "{line}");
        assert!(line.contains("chan=excl B1"), "{line}");
        assert!(line.contains("calling=national/E.164 '1234' pres=allowed"), "{line}");
        assert!(line.contains("called=unknown/unknown '8001'"), "{line}");
        assert!(line.contains("sending-complete"), "{line}");
    }

    #[test]
    fn u_and_s_frames() {
        assert_eq!(describe_frame(&[0x02, 0x01, 0x7F]), "SAPI=0 C/R=1 TEI=0 SABME P/F=1");
        assert_eq!(describe_frame(&[0x00, 0x01, 0x01, 0x0B]), "SAPI=0 C/R=0 TEI=0 RR N(R)=5 P/F=1");
        assert!(describe_frame(&[1]).starts_with("LAPD undecodable"));
    }
}
