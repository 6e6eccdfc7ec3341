//! The `[board]` section of the configuration: which board to drive and, for the simulated
//! board, its spans and how their lines are connected.
//!
//! ```toml
//! [board]
//! type = "sim"          # the simulated board (DAHDI boards come from /etc/dahdi/system.conf)
//! tick_ms = 1           # 1..=20
//!
//! [[board.span]]
//! type = "E1"           # E1 | T1
//! framing = "ccs"       # cas | ccs (E1); d4 | esf (T1)
//! coding = "hdb3"       # hdb3 | ami (E1); b8zs | ami (T1)
//! crc4 = true
//! signalling = "pri"    # pri | cas | clear
//! link = "span:2"       # span:N (back to back) | loopback | open
//! ```

use serde::Deserialize;
use trunkline_driver::sim::{LinkTo, SimConfig, SimSignalling, SimSpanSpec};
use trunkline_driver::{Coding, Framing, SpanConfig, SpanKind, SpanNo};

/// `[board]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardSection {
    /// `sim` (the only board type configured here; DAHDI spans come from system.conf).
    #[serde(rename = "type", default = "default_type")]
    pub kind: String,
    /// Tick length in ms.
    #[serde(default = "default_tick")]
    pub tick_ms: u32,
    /// CAS debounce in ms.
    #[serde(default)]
    pub cas_debounce_ms: u32,
    /// Spans of the simulated board.
    #[serde(default, rename = "span")]
    pub spans: Vec<SpanSection>,
}

fn default_type() -> String {
    "sim".into()
}

fn default_tick() -> u32 {
    1
}

/// `[[board.span]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanSection {
    /// `E1` or `T1`.
    #[serde(rename = "type")]
    pub kind: SpanKind,
    /// Framing; default CCS for E1, ESF for T1.
    pub framing: Option<Framing>,
    /// Line code; default HDB3 for E1, B8ZS for T1.
    pub coding: Option<Coding>,
    /// CRC-4 multiframe (E1); default on.
    #[serde(default = "yes")]
    pub crc4: bool,
    /// Timing priority (0 = never clock source).
    #[serde(default)]
    pub timing: u8,
    /// Signalling; default PRI for CCS, CAS for CAS/D4/ESF.
    pub signalling: Option<SimSignalling>,
    /// `span:N`, `loopback` or `open`.
    #[serde(default = "open")]
    pub link: String,
}

fn yes() -> bool {
    true
}

fn open() -> String {
    "open".into()
}

impl BoardSection {
    /// The simulated board this section describes; errors name the span and field.
    pub fn to_sim(&self) -> Result<SimConfig, String> {
        if self.kind != "sim" {
            return Err(format!(
                "[board] type = \"{}\": only \"sim\" is configured here (DAHDI spans come from system.conf)",
                self.kind
            ));
        }
        if !(1..=20).contains(&self.tick_ms) {
            return Err(format!("[board] tick_ms = {}: must be 1..=20", self.tick_ms));
        }
        let mut spans = Vec::new();
        let mut links = Vec::new();
        for (i, s) in self.spans.iter().enumerate() {
            let n = i + 1;
            let framing = s.framing.unwrap_or(match s.kind {
                SpanKind::E1 => Framing::Ccs,
                SpanKind::T1 => Framing::Esf,
            });
            let coding = s.coding.unwrap_or(match s.kind {
                SpanKind::E1 => Coding::Hdb3,
                SpanKind::T1 => Coding::B8zs,
            });
            let config = SpanConfig {
                kind: s.kind,
                framing,
                coding,
                crc4: s.crc4 && s.kind == SpanKind::E1,
                timing: s.timing,
                lbo: 0,
            };
            config.validate().map_err(|e| format!("[[board.span]] #{n}: {e}"))?;
            let signalling = s.signalling.unwrap_or(match framing {
                Framing::Ccs => SimSignalling::Pri,
                _ => SimSignalling::Cas,
            });
            spans.push(SimSpanSpec { config, signalling });
            links.push(parse_link(&s.link).map_err(|e| format!("[[board.span]] #{n}: link: {e}"))?);
        }
        Ok(SimConfig {
            spans,
            links,
            tick_frames: self.tick_ms as usize * 8,
            cas_debounce_ms: self.cas_debounce_ms,
            ..SimConfig::default()
        })
    }
}

fn parse_link(s: &str) -> Result<LinkTo, String> {
    match s {
        "open" => Ok(LinkTo::Open),
        "loopback" => Ok(LinkTo::Loopback),
        _ => {
            let n = s
                .strip_prefix("span:")
                .and_then(|n| n.parse::<u16>().ok())
                .ok_or_else(|| format!("\"{s}\": expected span:N, loopback or open"))?;
            Ok(LinkTo::Span(SpanNo(n)))
        }
    }
}

/// The board used when nothing is configured: two E1 PRI spans back to back (1↔2) and two
/// E1 MFC/R2 (CAS) spans back to back (3↔4), 1 ms ticks.
pub fn default_sim() -> SimConfig {
    SimConfig::e1_pairs(4)
}

/// Reads the `[board]` section of a TOML file (other sections are ignored here).
pub fn load(path: &std::path::Path) -> anyhow::Result<SimConfig> {
    #[derive(Deserialize)]
    struct File {
        board: Option<BoardSection>,
    }
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let f: File = toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    match f.board {
        Some(b) => b.to_sim().map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
        None => Ok(default_sim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_links_are_read() {
        let b: BoardSection = toml::from_str(
            r#"
            tick_ms = 2
            [[span]]
            type = "E1"
            link = "span:2"
            [[span]]
            type = "E1"
            framing = "cas"
            link = "span:1"
            "#,
        )
        .unwrap();
        let c = b.to_sim().unwrap();
        assert_eq!(c.tick_frames, 16);
        assert_eq!(c.spans[1].signalling, SimSignalling::Cas);
        assert_eq!(c.links, vec![LinkTo::Span(SpanNo(2)), LinkTo::Span(SpanNo(1))]);
    }

    #[test]
    fn bad_fields_are_named() {
        let e = toml::from_str::<BoardSection>("[[span]]\ntype = \"E3\"\n").unwrap_err().to_string();
        assert!(e.contains("E3") && e.contains("line 2"), "{e}");
        let b: BoardSection = toml::from_str("[[span]]\ntype = \"T1\"\nframing = \"ccs\"\n").unwrap();
        let e = b.to_sim().unwrap_err();
        assert!(e.contains("#1") && e.contains("Ccs"), "{e}");
        let b: BoardSection = toml::from_str("[[span]]\ntype = \"E1\"\nlink = \"to:2\"\n").unwrap();
        assert!(b.to_sim().unwrap_err().contains("link"));
    }
}
