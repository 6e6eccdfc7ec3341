//! What `trunkctl top` shows: the model of the screen (data from the daemon, selection, event
//! lines), key handling, and rendering with ratatui into any backend — the terminal, or a
//! `TestBackend` in the tests. Laid out for 80×24 and readable without colour (the selected row
//! is marked with `>` as well as highlighted).

use std::collections::VecDeque;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

use crate::diag::{ChannelDiag, LevelsSnapshot};
use crate::model::{EngineEvent, SpanSnapshot, StatusSnapshot};

/// Most event lines kept.
const EVENTS_KEPT: usize = 200;

/// Which list the arrow keys move in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The spans table.
    Spans,
    /// The channels table.
    Channels,
}

/// A key, as `top` understands it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left: previous span.
    Left,
    /// Arrow right: next span.
    Right,
    /// Tab: switch focus.
    Tab,
    /// A letter.
    Char(char),
    /// Escape.
    Esc,
}

/// What a key asks the program to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing beyond redrawing.
    None,
    /// Leave.
    Quit,
    /// Start `trunkctl listen CHAN`.
    Listen(u32),
    /// Start `trunkctl record CHAN …`.
    Record(u32),
}

/// Everything on the screen.
#[derive(Clone, Debug)]
pub struct TopModel {
    /// `/v1/status`.
    pub status: Option<StatusSnapshot>,
    /// `/v1/spans`.
    pub spans: Vec<SpanSnapshot>,
    /// `/v1/levels`.
    pub levels: LevelsSnapshot,
    /// Event lines, oldest first.
    pub events: VecDeque<String>,
    /// Where the arrows act.
    pub focus: Focus,
    /// Selected span (index into `spans`).
    pub span_sel: usize,
    /// Selected channel (index into the selected span's channels).
    pub chan_sel: usize,
    /// The last problem talking to the daemon, if the last refresh failed.
    pub error: Option<String>,
}

impl Default for TopModel {
    fn default() -> Self {
        Self {
            status: None,
            spans: Vec::new(),
            levels: LevelsSnapshot::default(),
            events: VecDeque::new(),
            focus: Focus::Channels,
            span_sel: 0,
            chan_sel: 0,
            error: None,
        }
    }
}

/// A detector, call or alarm event as one short line (`None`: not shown in `top`).
pub fn event_line(ev: &EngineEvent) -> Option<String> {
    let t = |ms: u64| format!("{:>7.1}s", ms as f64 / 1000.0);
    Some(match ev {
        EngineEvent::Detector { at, channel, detector, value, edge, level_dbm0, .. } => {
            let lvl = level_dbm0.map(|l| format!(" {l:.1} dBm0")).unwrap_or_default();
            format!("{} chan {channel:<3} {detector} {value} {edge}{lvl}", t(at.0))
        }
        EngineEvent::CallStarted { at, call, direction, channel, dnis, .. } => {
            format!("{} chan {channel:<3} call {} {direction} started to {dnis}", t(at.0), call.0)
        }
        EngineEvent::CallEnded { at, call, outcome, cause } => {
            let o = outcome.map(|o| o.name().to_string()).unwrap_or_else(|| "-".into());
            format!("{} call {} ended: {o} (cause {})", t(at.0), call.0, cause.0)
        }
        EngineEvent::SpanAlarm { at, span, alarms } => format!("{} span {span} alarms: {alarms}", t(at.0)),
        _ => return None,
    })
}

fn db(v: f32) -> String {
    if v <= -99.5 {
        "-inf".into()
    } else {
        format!("{v:.0}")
    }
}

impl TopModel {
    /// Adds an event line (the oldest go).
    pub fn push_event(&mut self, line: String) {
        self.events.push_back(line);
        while self.events.len() > EVENTS_KEPT {
            self.events.pop_front();
        }
    }

    /// The selected span's number.
    pub fn selected_span(&self) -> Option<u16> {
        self.spans.get(self.span_sel).map(|s| s.span)
    }

    /// The channels of the selected span (engine channels only).
    pub fn span_channels(&self) -> Vec<&ChannelDiag> {
        let span = self.selected_span();
        self.levels.channels.iter().filter(|c| Some(c.span) == span).collect()
    }

    /// The selected channel.
    pub fn selected_channel(&self) -> Option<&ChannelDiag> {
        self.span_channels().get(self.chan_sel).copied()
    }

    /// Keeps the selection inside the lists after new data.
    pub fn clamp(&mut self) {
        self.span_sel = self.span_sel.min(self.spans.len().saturating_sub(1));
        self.chan_sel = self.chan_sel.min(self.span_channels().len().saturating_sub(1));
    }

    fn move_span(&mut self, up: bool) {
        let n = self.spans.len();
        if n == 0 {
            return;
        }
        self.span_sel = if up { self.span_sel.saturating_sub(1) } else { (self.span_sel + 1).min(n - 1) };
        self.chan_sel = 0;
    }

    /// Applies a key.
    pub fn key(&mut self, k: Key) -> Action {
        match k {
            Key::Char('q') | Key::Esc => return Action::Quit,
            Key::Tab => {
                self.focus = if self.focus == Focus::Spans { Focus::Channels } else { Focus::Spans };
            }
            Key::Left => self.move_span(true),
            Key::Right => self.move_span(false),
            Key::Up | Key::Down => match self.focus {
                Focus::Spans => self.move_span(k == Key::Up),
                Focus::Channels => {
                    let n = self.span_channels().len();
                    if n > 0 {
                        self.chan_sel = if k == Key::Up {
                            self.chan_sel.saturating_sub(1)
                        } else {
                            (self.chan_sel + 1).min(n - 1)
                        };
                    }
                }
            },
            Key::Char('l') | Key::Char('r') => {
                return match self.selected_channel() {
                    Some(c) if k == Key::Char('l') => Action::Listen(c.channel),
                    Some(c) => Action::Record(c.channel),
                    None => {
                        self.push_event("no channel selected (this span has no engine channels)".into());
                        Action::None
                    }
                }
            }
            Key::Char(_) => {}
        }
        Action::None
    }
}

fn title_line(m: &TopModel) -> String {
    match &m.status {
        Some(s) => format!(
            " trunkctl top  t={:.1}s x{}  calls {}  agents {}/{} talking  alarms {}{}",
            s.now_ms as f64 / 1000.0,
            s.speed,
            s.calls,
            s.agents_talking,
            s.agents_logged_in,
            s.spans_in_alarm,
            if s.draining { "  DRAINING" } else { "" }
        ),
        None => " trunkctl top  (waiting for trunkd)".into(),
    }
}

fn focus_style(on: bool) -> Style {
    if on {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    }
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame<'_>, m: &TopModel) {
    let area = f.area();
    let span_rows = (m.spans.len() as u16).clamp(1, 4);
    let [title, spans, chans, events, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(span_rows + 2),
        Constraint::Min(4),
        Constraint::Length(7),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(title_line(m)).style(Style::default().add_modifier(Modifier::REVERSED)),
        title,
    );
    draw_spans(f, m, spans);
    draw_channels(f, m, chans);
    draw_events(f, m, events);
    let help = match &m.error {
        Some(e) => format!(" ! {e}"),
        None => " q quit  Tab spans/chans  Up/Dn select  Lt/Rt span  l listen  r record".into(),
    };
    f.render_widget(Paragraph::new(help), footer);
}

fn draw_spans(f: &mut Frame<'_>, m: &TopModel, area: Rect) {
    let header = Row::new(["SPAN", "NAME", "TYPE", "FRAMING", "ALARMS", "BPV", "CRC", "FAS", "SLIP", "EBIT"])
        .style(Style::default().add_modifier(Modifier::UNDERLINED));
    let rows = m.spans.iter().map(|s| {
        let c = &s.counters;
        Row::new([
            Cell::from(s.span.to_string()),
            Cell::from(s.name.clone()),
            Cell::from(s.kind.clone()),
            Cell::from(s.framing.clone()),
            Cell::from(s.alarms.clone()),
            Cell::from(c.bpv.to_string()),
            Cell::from(c.crc.to_string()),
            Cell::from(c.fas.to_string()),
            Cell::from(c.slips.to_string()),
            Cell::from(c.ebit.to_string()),
        ])
    });
    let widths = [
        Constraint::Length(4),
        Constraint::Length(9),
        Constraint::Length(4),
        Constraint::Length(9),
        Constraint::Length(10),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Length(6),
    ];
    let focused = m.focus == Focus::Spans;
    let t = Table::new(rows, widths)
        .header(header)
        .block(Block::new().borders(Borders::TOP).title(" Spans ").title_style(focus_style(focused)))
        .highlight_symbol(">")
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    let mut st =
        TableState::default().with_selected(if m.spans.is_empty() { None } else { Some(m.span_sel) });
    f.render_stateful_widget(t, area, &mut st);
}

fn draw_channels(f: &mut Frame<'_>, m: &TopModel, area: Rect) {
    let focused = m.focus == Focus::Channels;
    let span = m.selected_span().map_or_else(|| "-".into(), |s| s.to_string());
    let block = Block::new()
        .borders(Borders::TOP)
        .title(format!(" Channels of span {span} "))
        .title_style(focus_style(focused));
    let chans = m.span_channels();
    if chans.is_empty() {
        let text = if m.spans.is_empty() {
            "no data yet".to_string()
        } else {
            "no engine channels on this span (the simulator's side, or a D-channel span)".into()
        };
        f.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let header = Row::new(["CHAN", "NAME", "STATE", "CALL", "SIGNALLING", "RX rms/pk", "TX rms/pk"])
        .style(Style::default().add_modifier(Modifier::UNDERLINED));
    let rows = chans.iter().map(|c| {
        Row::new([
            Cell::from(c.channel.to_string()),
            Cell::from(c.name.clone()),
            Cell::from(c.state.clone()),
            Cell::from(c.call.map_or_else(|| "-".into(), |x| x.0.to_string())),
            Cell::from(c.signalling.clone()),
            Cell::from(format!("{:>4}/{:<4}", db(c.rx.rms_dbm0), db(c.rx.peak_dbm0))),
            Cell::from(format!("{:>4}/{:<4}", db(c.tx.rms_dbm0), db(c.tx.peak_dbm0))),
        ])
    });
    let widths = [
        Constraint::Length(4),
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Length(5),
        Constraint::Length(20),
        Constraint::Length(9),
        Constraint::Length(9),
    ];
    let t = Table::new(rows, widths)
        .header(header)
        .block(block)
        .highlight_symbol(">")
        .row_highlight_style(Style::default().add_modifier(Modifier::REVERSED));
    let mut st = TableState::default().with_selected(Some(m.chan_sel));
    f.render_stateful_widget(t, area, &mut st);
}

fn draw_events(f: &mut Frame<'_>, m: &TopModel, area: Rect) {
    let block = Block::new().borders(Borders::TOP).title(" Events ");
    let n = area.height.saturating_sub(1) as usize;
    let lines: Vec<Line<'_>> =
        m.events.iter().skip(m.events.len().saturating_sub(n)).map(|l| Line::raw(l.as_str())).collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

/// The plain-text snapshot `top` prints when its output is not a terminal (or with `--once`).
pub fn plain(m: &TopModel) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "{}", title_line(m).trim_start());
    let _ = writeln!(
        s,
        "{:<4} {:<9} {:<4} {:<9} {:<10} {:>6} {:>6} {:>6} {:>5} {:>6}",
        "SPAN", "NAME", "TYPE", "FRAMING", "ALARMS", "BPV", "CRC", "FAS", "SLIP", "EBIT"
    );
    for sp in &m.spans {
        let c = &sp.counters;
        let _ = writeln!(
            s,
            "{:<4} {:<9} {:<4} {:<9} {:<10} {:>6} {:>6} {:>6} {:>5} {:>6}",
            sp.span, sp.name, sp.kind, sp.framing, sp.alarms, c.bpv, c.crc, c.fas, c.slips, c.ebit
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:>4} {:<10} {:<7} {:>5} {:<20} {:>11} {:>11}",
        "CHAN", "NAME", "STATE", "CALL", "SIGNALLING", "RX rms/pk", "TX rms/pk"
    );
    for c in &m.levels.channels {
        let _ = writeln!(
            s,
            "{:>4} {:<10} {:<7} {:>5} {:<20} {:>5}/{:<5} {:>5}/{:<5}",
            c.channel,
            c.name,
            c.state,
            c.call.map_or_else(|| "-".into(), |x| x.0.to_string()),
            c.signalling,
            db(c.rx.rms_dbm0),
            db(c.rx.peak_dbm0),
            db(c.tx.rms_dbm0),
            db(c.tx.peak_dbm0)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Level;
    use crate::model::{CallId, Ms};
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::Terminal;

    fn span(n: u16, alarms: &str) -> SpanSnapshot {
        SpanSnapshot {
            span: n,
            name: format!("SIM/0/{n}"),
            kind: "E1".into(),
            framing: "CCS/CRC4".into(),
            alarms: alarms.into(),
            counters: trunkline_driver::Counters { crc: n as u64 * 7, ..Default::default() },
        }
    }

    fn chan(n: u32, span: u16, state: &str, rx: f32) -> ChannelDiag {
        ChannelDiag {
            channel: n,
            span,
            name: format!("DAHDI/{span}-{n}"),
            state: state.into(),
            call: (state == "talking").then_some(CallId(40 + n as u64)),
            signalling: if state == "talking" { "Q.931 U10 active".into() } else { "Q.931 null".into() },
            rx: Level { rms_dbm0: rx, peak_dbm0: rx + 6.0 },
            tx: Level::default(),
        }
    }

    fn model() -> TopModel {
        let mut m = TopModel {
            status: Some(StatusSnapshot {
                now_ms: 12_300,
                speed: 50.0,
                calls: 2,
                spans: 4,
                ..Default::default()
            }),
            spans: (1..=4).map(|n| span(n, if n == 4 { "RED" } else { "OK" })).collect(),
            ..Default::default()
        };
        m.levels.channels =
            (1..=12).map(|n| chan(n, 1, if n == 2 { "talking" } else { "idle" }, -20.0)).collect();
        m.levels.channels.push(chan(63, 3, "ringing", -100.0));
        for i in 0..10 {
            m.push_event(
                event_line(&EngineEvent::Detector {
                    at: Ms(1000 * i),
                    span: 1,
                    channel: 2,
                    call: None,
                    detector: "dtmf".into(),
                    value: i.to_string(),
                    edge: "on".into(),
                    level_dbm0: Some(-7.0),
                })
                .unwrap(),
            );
        }
        m
    }

    fn screen(m: &TopModel) -> Vec<String> {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| draw(f, m)).unwrap();
        let buf: &Buffer = t.backend().buffer();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>().trim_end().to_string()
            })
            .collect()
    }

    fn row_of<'a>(s: &'a [String], text: &str) -> &'a str {
        s.iter()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("no row with {text:?}:\n{}", s.join("\n")))
    }

    #[test]
    fn fits_80x24_with_spans_channels_and_events() {
        let m = model();
        let s = screen(&m);
        assert_eq!(s.len(), 24);
        assert!(s[0].contains("t=12.3s") && s[0].contains("calls 2"), "{}", s[0]);
        for n in 1..=4 {
            assert!(s.iter().any(|l| l.contains(&format!("SIM/0/{n}"))), "span {n}:\n{}", s.join("\n"));
        }
        let r4 = row_of(&s, "SIM/0/4");
        assert!(r4.contains("RED") && r4.contains("28"), "alarms and CRC counter: {r4}");
        let c2 = row_of(&s, "DAHDI/1-2");
        assert!(c2.contains("talking") && c2.contains("42") && c2.contains("U10 active"), "{c2}");
        assert!(c2.contains("-20/-14"), "levels: {c2}");
        // Channel 63 is on span 3, not shown while span 1 is selected.
        assert!(!s.iter().any(|l| l.contains("DAHDI/3-63")));
        // The newest events are visible, the oldest scrolled away.
        assert!(s.iter().any(|l| l.contains("dtmf 9 on")), "{}", s.join("\n"));
        assert!(!s.iter().any(|l| l.contains("dtmf 0 on")));
        assert!(s[23].contains("q quit"), "{}", s[23]);
        assert!(s.iter().all(|l| l.chars().count() <= 80));
    }

    #[test]
    fn keys_move_the_selection_and_start_listen_and_record() {
        let mut m = model();
        let s = screen(&m);
        assert!(row_of(&s, "DAHDI/1-1").starts_with('>'), "first channel selected");
        assert_eq!(m.key(Key::Down), Action::None);
        let s = screen(&m);
        assert!(row_of(&s, "DAHDI/1-2").starts_with('>'), "{}", s.join("\n"));
        assert!(!row_of(&s, "DAHDI/1-1").starts_with('>'));
        assert_eq!(m.key(Key::Char('l')), Action::Listen(2));
        assert_eq!(m.key(Key::Char('r')), Action::Record(2));
        // Scrolling: the selection stays visible at the bottom of the list.
        for _ in 0..20 {
            m.key(Key::Down);
        }
        let s = screen(&m);
        assert!(row_of(&s, "DAHDI/1-12").starts_with('>'), "{}", s.join("\n"));
        // Tab to spans, down twice: span 3 and its channel.
        m.key(Key::Tab);
        m.key(Key::Down);
        m.key(Key::Down);
        let s = screen(&m);
        assert!(row_of(&s, "SIM/0/3").starts_with('>'));
        assert!(row_of(&s, "Channels of span 3").contains("span 3"));
        assert!(row_of(&s, "DAHDI/3-63").contains("ringing"));
        assert_eq!(m.key(Key::Char('r')), Action::Record(63));
        // Span 4 has no engine channels: says so, and l does nothing.
        m.key(Key::Right);
        let s = screen(&m);
        assert!(s.iter().any(|l| l.contains("no engine channels")), "{}", s.join("\n"));
        assert_eq!(m.key(Key::Char('l')), Action::None);
        assert_eq!(m.key(Key::Char('q')), Action::Quit);
        assert_eq!(m.key(Key::Esc), Action::Quit);
    }

    #[test]
    fn errors_show_in_the_footer_and_plain_text_lists_everything() {
        let mut m = model();
        m.error = Some("trunkd is not running".into());
        let s = screen(&m);
        assert!(s[23].contains("trunkd is not running"), "{}", s[23]);
        let p = plain(&m);
        assert!(p.contains("SIM/0/4") && p.contains("DAHDI/3-63") && p.contains("U10 active"), "{p}");
        assert!(p.lines().all(|l| l.len() <= 80), "{p}");
        let empty = screen(&TopModel::default());
        assert!(empty[0].contains("waiting for trunkd"));
    }
}
