//! `trunkctl levels [CHAN…]`: rx/tx level meters of channels on the running daemon, one row per
//! channel (state, RMS/peak dBm0 and a bar per direction), redrawn in place on a terminal about
//! four times a second; plain rows per update when the output is not a terminal; `--json`
//! prints each sample as one JSON line (the `/v1/levels` answer). No channel: all of them.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use super::client::ClientArgs;
use super::live;
use crate::diag::{ChannelDiag, LevelsSnapshot};

/// Arguments of `trunkctl levels`.
#[derive(Debug, clap::Args)]
pub struct LevelsArgs {
    /// Channels to meter (global channel numbers, as `trunkctl channels` lists them); none: all.
    #[arg(value_name = "CHAN")]
    pub chans: Vec<u32>,
    /// Stop after this many updates (default: until interrupted).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Time between updates, ms.
    #[arg(long, default_value_t = 250, value_parser = clap::value_parser!(u64).range(20..=60_000))]
    pub interval_ms: u64,
    /// Connection (and --json).
    #[command(flatten)]
    pub conn: ClientArgs,
}

/// Lowest level a bar shows, dBm0.
const BAR_FLOOR: f32 = -70.0;
/// Highest (the A-law/µ-law overload point).
const BAR_TOP: f32 = 3.0;

/// A meter bar of `width` cells: `#` up to the RMS level, `|` at the peak.
pub fn bar(rms: f32, peak: f32, width: usize) -> String {
    let cell = |db: f32| -> usize {
        let f = ((db - BAR_FLOOR) / (BAR_TOP - BAR_FLOOR)).clamp(0.0, 1.0);
        (f * width as f32).round() as usize
    };
    let (r, p) = (cell(rms), cell(peak));
    (0..width)
        .map(|i| {
            if i < r {
                '#'
            } else if p > r && i == p - 1 {
                '|'
            } else {
                '.'
            }
        })
        .collect()
}

fn db(v: f32) -> String {
    if v <= -99.5 {
        "-inf".into()
    } else {
        format!("{v:.1}")
    }
}

/// The header row.
pub const HEADER: &str = "CHAN NAME       STATE    RX rms/peak dBm0         TX rms/peak dBm0";

/// One channel's row (75 columns).
pub fn row(c: &ChannelDiag) -> String {
    let mut s = format!("{:>4} {:<10} {:<8}", c.channel, c.name, c.state);
    for l in [c.rx, c.tx] {
        let _ =
            write!(s, " {:>5}/{:<5} [{}]", db(l.rms_dbm0), db(l.peak_dbm0), bar(l.rms_dbm0, l.peak_dbm0, 10));
    }
    s
}

/// The whole display for one sample.
pub fn render(snap: &LevelsSnapshot) -> Vec<String> {
    let mut v = vec![format!("levels at engine time {}  (window 200 ms, dBm0)", live::secs(snap.at_ms))];
    v.push(HEADER.to_string());
    v.extend(snap.channels.iter().map(row));
    v
}

/// Runs `trunkctl levels`.
pub fn run(a: &LevelsArgs) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    let tty = out.is_terminal() && !a.conn.json;
    let mut drawn = 0usize;
    let mut n = 0u64;
    loop {
        let snap = live::levels(&a.conn, &a.chans)?;
        if a.conn.json {
            writeln!(out, "{}", serde_json::to_string(&snap)?)?;
        } else {
            let lines = render(&snap);
            if tty && drawn > 0 {
                // Back to the top of the previous drawing and over it.
                write!(out, "\x1b[{drawn}A")?;
            }
            for l in &lines {
                if tty {
                    write!(out, "\x1b[2K")?;
                }
                writeln!(out, "{l}")?;
            }
            drawn = lines.len();
        }
        out.flush()?;
        n += 1;
        if a.count.is_some_and(|c| n >= c) {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(a.interval_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Level;

    #[test]
    fn bars_and_rows() {
        assert_eq!(bar(-100.0, -100.0, 10), "..........");
        assert_eq!(bar(3.0, 3.0, 10), "##########");
        let b = bar(-33.5, -10.0, 10);
        assert!(b.starts_with("#####") && b.contains('|'), "{b}");
        let c = ChannelDiag {
            channel: 3,
            span: 1,
            name: "DAHDI/1-3".into(),
            state: "talking".into(),
            call: None,
            signalling: "Q.931 U10 active".into(),
            rx: Level { rms_dbm0: -18.25, peak_dbm0: -9.0 },
            tx: Level::default(),
        };
        let r = row(&c);
        assert!(r.starts_with("   3 DAHDI/1-3  talking "), "{r}");
        assert!(r.contains("-18.2/-9.0"), "{r}");
        assert!(r.contains("-inf/-inf  [..........]"), "{r}");
        assert!(r.len() <= 80, "{} columns: {r}", r.len());
    }
}
