//! `/proc/dahdi/N` as the kernel prints it (`dahdi_seq_show`): the span title line with its
//! alarms, the counters (the only place "Timing slips" exists) and one line per channel.

use serde::Serialize;

/// One channel line of `/proc/dahdi/N`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProcChan {
    /// Global channel number.
    pub channo: u32,
    /// The rest of the line: name, signalling, `(In use)`, alarms, echo canceller.
    pub text: String,
    /// `(In use)` was printed.
    pub in_use: bool,
}

/// A parsed `/proc/dahdi/N`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProcSpan {
    /// Span number.
    pub spanno: u16,
    /// Span name (empty when the kernel printed none).
    pub name: String,
    /// Description (between the quotes).
    pub description: String,
    /// `(MASTER)`: the span DAHDI takes its timing from.
    pub master: bool,
    /// `ClockSource`: the span is its own sync source.
    pub clock_source: bool,
    /// The lineconfig string (`CCS/HDB3/CRC4`), empty if none.
    pub lineconfig: String,
    /// Alarm words (`RED`, `YELLOW`, ...).
    pub alarms: Vec<String>,
    /// BPV count.
    pub bpv: u64,
    /// CRC4 error count.
    pub crc4: u64,
    /// E-bit error count.
    pub ebit: u64,
    /// FAS error count.
    pub fas: u64,
    /// IRQ misses.
    pub irq_misses: u64,
    /// Timing slips.
    pub slips: u64,
    /// Channel lines.
    pub channels: Vec<ProcChan>,
}

const ALARM_WORDS: [&str; 6] = ["BLUE", "YELLOW", "RED", "LOOP", "RECOVERING", "NOTOPEN"];

impl ProcSpan {
    /// Parses the text; `None` if the title line is not `Span N: ...`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut lines = text.lines();
        let title = lines.next()?;
        let rest = title.strip_prefix("Span ")?;
        let (no, rest) = rest.split_once(':')?;
        let mut p = ProcSpan { spanno: no.trim().parse().ok()?, ..Self::default() };
        let rest = rest.trim_start();
        let (before, after) = match rest.find('"') {
            Some(q) => {
                let tail = &rest[q + 1..];
                let end = tail.find('"').unwrap_or(tail.len());
                p.description = tail[..end].to_string();
                (&rest[..q], tail.get(end + 1..).unwrap_or(""))
            }
            None => (rest, ""),
        };
        p.name = before.trim().to_string();
        for w in after.split_whitespace() {
            match w {
                "(MASTER)" => p.master = true,
                "ClockSource" => p.clock_source = true,
                w if ALARM_WORDS.contains(&w) => p.alarms.push(w.to_string()),
                w if p.lineconfig.is_empty()
                    && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '/') =>
                {
                    p.lineconfig = w.to_string()
                }
                _ => {}
            }
        }
        for l in lines {
            let t = l.trim();
            // Counter lines; a channel line may contain ':' too ("(EC: NAME - ACTIVE)").
            if let Some((k, v)) = t.split_once(':') {
                let field = match k {
                    "BPV count" => Some(&mut p.bpv),
                    "CRC4 error count" => Some(&mut p.crc4),
                    "E-bit error count" => Some(&mut p.ebit),
                    "FAS error count" => Some(&mut p.fas),
                    "IRQ misses" => Some(&mut p.irq_misses),
                    "Timing slips" => Some(&mut p.slips),
                    _ => None,
                };
                if let Some(f) = field {
                    if let Ok(v) = v.trim().parse() {
                        *f = v;
                    }
                    continue;
                }
            }
            let mut it = t.splitn(2, char::is_whitespace);
            if let (Some(n), rest) = (it.next(), it.next()) {
                if let Ok(channo) = n.parse() {
                    let text = rest.unwrap_or("").trim().to_string();
                    p.channels.push(ProcChan { channo, in_use: text.contains("(In use)"), text });
                }
            }
        }
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_report_with_slips() {
        let t = "Span 2: TE2/0/2 \"T2XXP (PCI) Card 0 Span 2\" (MASTER) HDB3/CCS \n\tTiming slips: 175319\n\n\t  32 TE2/0/2/1 Clear (In use) (EC: VPMOCT064 - INACTIVE) \n";
        let p = ProcSpan::parse(t).unwrap();
        assert_eq!(p.spanno, 2);
        assert_eq!(p.name, "TE2/0/2");
        assert_eq!(p.description, "T2XXP (PCI) Card 0 Span 2");
        assert!(p.master);
        assert_eq!(p.lineconfig, "HDB3/CCS");
        assert_eq!(p.slips, 175_319);
        assert_eq!(p.channels.len(), 1);
        assert_eq!(p.channels[0].channo, 32);
        assert!(p.channels[0].in_use);
    }

    #[test]
    fn readme_example_alarms_and_garbage() {
        let p =
            ProcSpan::parse("Span 6: B4/0/4 \"B4XXP (PCI) Card 0 Span 4\" RED\n\n   23 B4/0/4/1 YELLOW\n")
                .unwrap();
        assert_eq!(p.alarms, vec!["RED"]);
        assert_eq!(p.channels[0].channo, 23);
        assert!(ProcSpan::parse("").is_none());
        assert!(ProcSpan::parse("Span x: \"").is_none());
        let p = ProcSpan::parse("Span 3: \"unterminated").unwrap();
        assert_eq!(p.description, "unterminated");
    }
}
