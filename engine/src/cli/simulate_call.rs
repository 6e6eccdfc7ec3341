//! `trunkctl simulate call`: one call across two cross-connected simulated spans in virtual
//! time, printed as a ladder — R2 line states, CAS bits and MF signals (heard by the DSP
//! detectors on the timeslot audio); PRI Q.921 frames and Q.931 messages with every IE; T1 CAS
//! robbed bits and digits.

use std::fmt::Write as _;

use clap::{Args, ValueEnum};
use trunkline_driver::board::{Board, BoardEvent};
use trunkline_driver::ids::{ChannelNo, SpanNo};
use trunkline_driver::ring::{RingConfig, MAX_FRAME};
use trunkline_driver::sim::{LinkTo, SimBoard, SimConfig, SimSignalling, SimSpanSpec};
use trunkline_driver::span::SpanConfig;
use trunkline_dsp::g711::Law;

use crate::model::{Cause, Outcome};
use crate::signalling::board::{SpanPair, Trunk};
use crate::signalling::cas::{
    CasEvent, CasLine, CasMachine, DigitMode, EmChannel, EmConfig, EmStart, EmState, LoopStartChannel,
    LoopStartConfig, LoopStartRole, LoopStartState,
};
use crate::signalling::pri::{self, CallEvent, OriginateRequest, PriConfig, PriSpan, Role, Variant};
use crate::signalling::r2::{R2Channel, R2Config, R2Event, R2Line, R2State, R2Variant};
use crate::signalling::Ms;

/// Which signalling to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Signalling {
    /// MFC/R2, China No.1 (E1).
    R2Cn,
    /// MFC/R2, ITU-T Q.421/Q.441 (E1).
    R2Itu,
    /// MFC/R2, Mexico.
    R2Mx,
    /// MFC/R2, Brazil.
    R2Br,
    /// MFC/R2, Argentina.
    R2Ar,
    /// MFC/R2, Colombia.
    R2Co,
    /// MFC/R2, Venezuela.
    R2Ve,
    /// ISDN PRI EuroISDN E1, the caller is the network side.
    PriNet,
    /// ISDN PRI EuroISDN E1, the caller is the user (CPE) side.
    PriCpe,
    /// T1 E&M wink start, MF R1 digits with ANI (robbed bits, ESF).
    T1Em,
    /// T1 E&M immediate start, DTMF digits (robbed bits, D4).
    T1EmImmediate,
    /// T1 loop start: the office (FXO signalling) rings the station (FXS signalling).
    T1Ls,
}

/// Arguments of `trunkctl simulate call`.
#[derive(Debug, Args)]
pub struct SimulateCallArgs {
    /// Signalling system.
    #[arg(long, value_enum, default_value = "r2-cn")]
    pub signalling: Signalling,
    /// Called number.
    #[arg(long, default_value = "12345678")]
    pub dnis: String,
    /// Calling number (empty: none).
    #[arg(long, default_value = "88776655")]
    pub ani: String,
    /// The callee is busy.
    #[arg(long)]
    pub busy: bool,
    /// The number does not exist.
    #[arg(long)]
    pub invalid: bool,
    /// The callee never answers.
    #[arg(long)]
    pub no_answer: bool,
    /// Ring time before the callee answers, in ms.
    #[arg(long, default_value_t = 3000)]
    pub ring_ms: u64,
    /// Talk time before the call is cleared, in ms.
    #[arg(long, default_value_t = 2000)]
    pub talk_ms: u64,
    /// The callee clears the call (default: the caller).
    #[arg(long)]
    pub callee_clears: bool,
}

/// What the callee does with an offered call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Answer,
    Reject(Cause),
    Ring,
}

impl SimulateCallArgs {
    fn verdict(&self) -> Verdict {
        if self.busy {
            Verdict::Reject(Cause::BUSY)
        } else if self.invalid {
            Verdict::Reject(Cause::UNALLOCATED)
        } else if self.no_answer {
            Verdict::Ring
        } else {
            Verdict::Answer
        }
    }
}

/// The run: a ladder and the key moments.
#[derive(Default)]
struct Report {
    title: String,
    lines: Vec<(Ms, u8, String)>,
    start: Ms,
    offered: Option<Ms>,
    alerting: Option<Ms>,
    answered: Option<Ms>,
    caller_cause: Option<Cause>,
    callee_cause: Option<Cause>,
}

impl Report {
    fn a(&mut self, t: Ms, s: String) {
        self.lines.push((t, 0, s));
    }
    fn b(&mut self, t: Ms, s: String) {
        self.lines.push((t, 1, s));
    }

    fn render(mut self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "simulate call: {} (A = caller, B = callee), virtual time", self.title);
        self.lines.sort_by_key(|l| (l.0, l.1));
        for (t, side, l) in &self.lines {
            let t = format!("{t}");
            if *side == 0 {
                let _ = writeln!(out, "{t:>9}  A  {l}");
            } else {
                let _ = writeln!(out, "{t:>9}        B  {l}");
            }
        }
        let rel = |t: Option<Ms>| t.map(|t| format!("{}", t - self.start)).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "offered to B after {}; alerting at A after {}; answered at A after {}",
            rel(self.offered),
            rel(self.alerting),
            rel(self.answered)
        );
        for (who, c) in [("caller", self.caller_cause), ("callee", self.callee_cause)] {
            match c {
                Some(c) => {
                    let outcome =
                        if self.answered.is_some() { "answered" } else { Outcome::from_cause(c).name() };
                    let _ = writeln!(out, "{who} released: cause {} ({}), outcome {outcome}", c.0, c.name());
                }
                None => {
                    let _ = writeln!(out, "{who} not released");
                }
            }
        }
        out
    }
}

/// Runs one simulated call and prints its ladder; returns the exit code (0 when both ends
/// released the call).
pub fn run(a: &SimulateCallArgs) -> anyhow::Result<i32> {
    let rep = match a.signalling {
        Signalling::R2Cn => run_r2(a, R2Variant::China)?,
        Signalling::R2Itu => run_r2(a, R2Variant::Itu)?,
        Signalling::R2Mx => run_r2(a, R2Variant::Mexico)?,
        Signalling::R2Br => run_r2(a, R2Variant::Brazil)?,
        Signalling::R2Ar => run_r2(a, R2Variant::Argentina)?,
        Signalling::R2Co => run_r2(a, R2Variant::Colombia)?,
        Signalling::R2Ve => run_r2(a, R2Variant::Venezuela)?,
        Signalling::PriNet => run_pri(a, Role::Network)?,
        Signalling::PriCpe => run_pri(a, Role::User)?,
        Signalling::T1Em => run_em(a, EmStart::Wink, DigitMode::MfR1, Trunk::T1Esf)?,
        Signalling::T1EmImmediate => run_em(a, EmStart::Immediate, DigitMode::Dtmf, Trunk::T1D4)?,
        Signalling::T1Ls => run_ls(a)?,
    };
    let ok = rep.caller_cause.is_some() && rep.callee_cause.is_some();
    print!("{}", rep.render());
    Ok(if ok { 0 } else { 1 })
}

/// Phase bookkeeping shared by the three runners.
struct Clock {
    answer_at: Option<Ms>,
    clear_at: Option<Ms>,
    end: Option<Ms>,
}

fn run_r2(a: &SimulateCallArgs, v: R2Variant) -> anyhow::Result<Report> {
    let mut cb = R2Config::new(v);
    cb.max_dnis = a.dnis.len().max(1);
    cb.request_ani = !a.ani.is_empty();
    let la = R2Line::new(R2Channel::new(R2Config::new(v)), Law::Alaw);
    let lb = R2Line::new(R2Channel::new(cb), Law::Alaw);
    let mut p = SpanPair::new(Trunk::E1Cas, la, lb, 10)?;
    p.a.start(Ms::ZERO);
    p.b.start(Ms::ZERO);
    p.run_until(Ms(300), |_| false)?;
    let mut rep = Report {
        title: format!(
            "MFC/R2 {} over two cross-connected simulated E1 CAS spans, MF as A-law audio",
            v.name()
        ),
        start: p.now,
        ..Report::default()
    };
    p.a.chan.originate(p.now, &a.dnis, &a.ani, 1).map_err(|e| anyhow::anyhow!("cannot originate: {e}"))?;
    let verdict = a.verdict();
    let mut ck = Clock { answer_at: None, clear_at: None, end: None };
    let limit = p.now + Ms(200_000);
    while p.now < limit && ck.end.is_none_or(|e| p.now < e) {
        p.step()?;
        let now = p.now;
        while let Some(e) = p.a.chan.poll_event() {
            match &e {
                R2Event::Alerting => rep.alerting = Some(now),
                R2Event::Answered => {
                    rep.answered = Some(now);
                    ck.clear_at = Some(now + Ms(a.talk_ms));
                }
                R2Event::Released { cause } => rep.caller_cause = Some(*cause),
                _ => {}
            }
            rep.a(now, format!("EVENT {e:?}"));
        }
        while let Some(e) = p.b.chan.poll_event() {
            match &e {
                R2Event::Incoming { .. } => {
                    rep.offered = Some(now);
                    match verdict {
                        Verdict::Reject(c) => p.b.chan.reject(now, c)?,
                        Verdict::Answer => {
                            p.b.chan.accept(now, true)?;
                            ck.answer_at = Some(now + Ms(a.ring_ms));
                        }
                        Verdict::Ring => p.b.chan.accept(now, true)?,
                    }
                }
                R2Event::Released { cause } => rep.callee_cause = Some(*cause),
                _ => {}
            }
            rep.b(now, format!("EVENT {e:?}"));
        }
        if ck.answer_at.is_some_and(|t| now >= t) && p.b.chan.state() == R2State::InAccepted {
            ck.answer_at = None;
            p.b.chan.answer(now)?;
        }
        if ck.clear_at.is_some_and(|t| now >= t) {
            ck.clear_at = None;
            if a.callee_clears {
                p.b.chan.hangup(now)?;
            } else {
                p.a.chan.hangup(now)?;
            }
        }
        if rep.caller_cause.is_some() && rep.callee_cause.is_some() && ck.end.is_none() {
            ck.end = Some(now + Ms(500));
        }
        for (t, s) in p.a.chan.take_traces() {
            rep.a(t, s);
        }
        for (t, s) in p.b.chan.take_traces() {
            rep.b(t, s);
        }
    }
    Ok(rep)
}

fn run_em(a: &SimulateCallArgs, start: EmStart, digits: DigitMode, trunk: Trunk) -> anyhow::Result<Report> {
    let mut ca = EmConfig::new(start, digits);
    ca.ani = !a.ani.is_empty();
    let mut cb = ca;
    cb.max_dnis = a.dnis.len().max(1);
    let la = CasLine::new(EmChannel::new(ca), Law::Ulaw, "us");
    let lb = CasLine::new(EmChannel::new(cb), Law::Ulaw, "us");
    let mut p = SpanPair::new(trunk, la, lb, 5)?;
    p.run_until(Ms(300), |_| false)?;
    let mut rep = Report {
        title: format!(
            "T1 E&M {start:?} start, {digits:?} digits, over two cross-connected simulated {trunk:?} spans"
        ),
        start: p.now,
        ..Report::default()
    };
    p.a.machine.originate(p.now, &a.dnis, &a.ani).map_err(|e| anyhow::anyhow!("cannot originate: {e}"))?;
    cas_loop(
        a,
        &mut p,
        &mut rep,
        |m: &mut EmChannel, now, v| match v {
            Verdict::Reject(c) => m.reject(now, c).map_err(anyhow::Error::from),
            _ => m.accept(now).map_err(anyhow::Error::from),
        },
        |m: &mut EmChannel, now| {
            if m.state() == EmState::InAccepted {
                m.answer(now)?;
            }
            Ok(())
        },
        |m: &mut EmChannel, now| m.hangup(now).map_err(anyhow::Error::from),
        |m: &mut EmChannel, now| m.hangup(now).map_err(anyhow::Error::from),
    )?;
    Ok(rep)
}

fn run_ls(a: &SimulateCallArgs) -> anyhow::Result<Report> {
    let office =
        CasLine::new(LoopStartChannel::new(LoopStartConfig::new(LoopStartRole::Office)), Law::Ulaw, "us");
    let station =
        CasLine::new(LoopStartChannel::new(LoopStartConfig::new(LoopStartRole::Station)), Law::Ulaw, "us");
    let mut p = SpanPair::new(Trunk::T1Esf, office, station, 5)?;
    p.run_until(Ms(300), |_| false)?;
    let mut rep = Report {
        title: "T1 loop start: the office (A, FXO signalling) rings the station (B, FXS signalling)".into(),
        start: p.now,
        ..Report::default()
    };
    p.a.machine.originate(p.now, "").map_err(|e| anyhow::anyhow!("cannot ring: {e}"))?;
    cas_loop(
        a,
        &mut p,
        &mut rep,
        |m: &mut LoopStartChannel, now, v| match v {
            Verdict::Reject(c) => m.reject(now, c).map_err(anyhow::Error::from),
            _ => m.accept(now).map_err(anyhow::Error::from),
        },
        |m: &mut LoopStartChannel, now| {
            if m.state() == LoopStartState::Rung {
                m.answer(now)?;
            }
            Ok(())
        },
        |m: &mut LoopStartChannel, now| m.hangup(now).map_err(anyhow::Error::from),
        |m: &mut LoopStartChannel, now| m.hangup(now).map_err(anyhow::Error::from),
    )?;
    Ok(rep)
}

type Step<M> = fn(&mut M, Ms) -> anyhow::Result<()>;

/// The callee's script for either CAS machine: offer → verdict, answer after the ring time,
/// clear after the talk time.
fn cas_loop<M: CasMachine>(
    a: &SimulateCallArgs,
    p: &mut SpanPair<CasLine<M>, CasLine<M>>,
    rep: &mut Report,
    decide: fn(&mut M, Ms, Verdict) -> anyhow::Result<()>,
    answer: Step<M>,
    clear_a: Step<M>,
    clear_b: Step<M>,
) -> anyhow::Result<()> {
    let verdict = a.verdict();
    let mut ck = Clock { answer_at: None, clear_at: None, end: None };
    let limit = p.now + Ms(200_000);
    while p.now < limit && ck.end.is_none_or(|e| p.now < e) {
        p.step()?;
        let now = p.now;
        while let Some(e) = p.a.poll_event() {
            match &e {
                CasEvent::Alerting => rep.alerting = Some(now),
                CasEvent::Answered => {
                    rep.answered = Some(now);
                    ck.clear_at = Some(now + Ms(a.talk_ms));
                }
                CasEvent::Released { cause } => rep.caller_cause = Some(*cause),
                _ => {}
            }
            rep.a(now, format!("EVENT {e:?}"));
        }
        while let Some(e) = p.b.poll_event() {
            match &e {
                CasEvent::Incoming { .. } => {
                    rep.offered = Some(now);
                    decide(&mut p.b.machine, now, verdict)?;
                    if verdict == Verdict::Answer {
                        ck.answer_at = Some(now + Ms(a.ring_ms));
                    }
                }
                CasEvent::Released { cause } => rep.callee_cause = Some(*cause),
                _ => {}
            }
            rep.b(now, format!("EVENT {e:?}"));
        }
        if ck.answer_at.is_some_and(|t| now >= t) {
            ck.answer_at = None;
            answer(&mut p.b.machine, now)?;
        }
        if ck.clear_at.is_some_and(|t| now >= t) {
            ck.clear_at = None;
            if a.callee_clears {
                clear_b(&mut p.b.machine, now)?;
            } else {
                clear_a(&mut p.a.machine, now)?;
            }
        }
        if rep.caller_cause.is_some() && rep.callee_cause.is_some() && ck.end.is_none() {
            ck.end = Some(now + Ms(500));
        }
        for (t, s) in p.a.machine.take_traces() {
            rep.a(t, s);
        }
        for (t, s) in p.b.machine.take_traces() {
            rep.b(t, s);
        }
        for (t, d) in p.a.take_heard() {
            rep.a(t, format!("digit heard {}", show_digit(d)));
        }
        for (t, d) in p.b.take_heard() {
            rep.b(t, format!("digit heard {}", show_digit(d)));
        }
    }
    Ok(())
}

fn show_digit(d: char) -> String {
    match d {
        'K' => "KP".into(),
        'S' => "ST".into(),
        d => d.to_string(),
    }
}

/// PRI over the simulated board: two E1 CCS spans cross-connected, the D-channels on TS16 with
/// the board's HDLC; the B-channel audio is not used.
fn run_pri(a: &SimulateCallArgs, caller: Role) -> anyhow::Result<Report> {
    let spec = SimSpanSpec { config: SpanConfig::e1_ccs(), signalling: SimSignalling::Pri };
    let cfg = SimConfig {
        spans: vec![spec.clone(), spec],
        links: vec![LinkTo::Span(SpanNo(2)), LinkTo::Span(SpanNo(1))],
        tick_frames: 80,
        ..SimConfig::default()
    };
    let mut board = SimBoard::new(cfg)?;
    board.start()?;
    let rings = RingConfig { frames: 16 * 1024, ..RingConfig::default() };
    let mut ends = [board.open(ChannelNo(16), rings)?, board.open(ChannelNo(31 + 16), rings)?];
    let mut spans = [
        PriSpan::new(PriConfig::new(caller, Variant::EuroIsdnE1)),
        PriSpan::new(PriConfig::new(caller.peer(), Variant::EuroIsdnE1)),
    ];
    let role = |r: Role| if r == Role::Network { "NET" } else { "CPE" };
    let mut rep = Report {
        title: format!(
            "ISDN PRI EuroISDN E1, A = {} calls B = {}, over two cross-connected simulated E1 spans (TS16 HDLC)",
            role(caller),
            role(caller.peer())
        ),
        ..Report::default()
    };
    spans[0].start(Ms::ZERO);
    spans[1].start(Ms::ZERO);
    let verdict = a.verdict();
    let mut ck = Clock { answer_at: None, clear_at: None, end: None };
    let mut now = Ms::ZERO;
    let mut buf = Box::new([0u8; MAX_FRAME]);
    let mut link_up = [false; 2];
    let mut ours: Option<pri::CallId> = None;
    let mut theirs: Option<pri::CallId> = None;
    while now < Ms(200_000) && ck.end.is_none_or(|e| now < e) {
        for i in 0..2 {
            while let Some(n) = ends[i].recv_frame(&mut buf) {
                if n >= 2 {
                    spans[i].handle_frame(now, &buf[..n - 2]);
                }
            }
            if spans[i].poll_timeout().is_some_and(|t| t <= now) {
                spans[i].handle_timeout(now);
            }
            while let Some(f) = spans[i].poll_transmit() {
                let _ = ends[i].send_frame(&f);
            }
            for l in spans[i].take_traces() {
                // The stack stamps its lines itself ("120ms rx ..."); the ladder has a column.
                let l = match l.split_once("ms ") {
                    Some((t, rest)) if t.bytes().all(|b| b.is_ascii_digit()) => rest.to_string(),
                    _ => l,
                };
                if i == 0 {
                    rep.a(now, l);
                } else {
                    rep.b(now, l);
                }
            }
            while let Some(e) = spans[i].poll_event() {
                if i == 0 {
                    match &e {
                        CallEvent::LinkUp => link_up[0] = true,
                        CallEvent::Alerting { .. } => rep.alerting = Some(now),
                        CallEvent::Answered { .. } => {
                            rep.answered = Some(now);
                            ck.clear_at = Some(now + Ms(a.talk_ms));
                        }
                        CallEvent::Released { cause, .. } => rep.caller_cause = Some(Cause(cause.0)),
                        _ => {}
                    }
                    rep.a(now, format!("EVENT {e:?}"));
                } else {
                    match &e {
                        CallEvent::LinkUp => link_up[1] = true,
                        CallEvent::Incoming { call, .. } => {
                            rep.offered = Some(now);
                            theirs = Some(*call);
                            spans[1].proceeding(now, *call)?;
                            match verdict {
                                Verdict::Reject(c) => spans[1].release(now, *call, pri::Cause(c.0))?,
                                Verdict::Answer => {
                                    spans[1].alert(now, *call)?;
                                    ck.answer_at = Some(now + Ms(a.ring_ms));
                                }
                                Verdict::Ring => spans[1].alert(now, *call)?,
                            }
                        }
                        CallEvent::Released { cause, .. } => rep.callee_cause = Some(Cause(cause.0)),
                        _ => {}
                    }
                    rep.b(now, format!("EVENT {e:?}"));
                }
            }
        }
        if link_up == [true, true] && ours.is_none() {
            rep.start = now;
            ours = Some(spans[0].originate(now, &OriginateRequest::new(&a.dnis, &a.ani))?);
        }
        if ck.answer_at.is_some_and(|t| now >= t) {
            ck.answer_at = None;
            if let Some(c) = theirs {
                spans[1].answer(now, c)?;
            }
        }
        if ck.clear_at.is_some_and(|t| now >= t) {
            ck.clear_at = None;
            match (a.callee_clears, ours, theirs) {
                (true, _, Some(c)) => spans[1].release(now, c, pri::Cause::NORMAL_CLEARING)?,
                (_, Some(c), _) => spans[0].release(now, c, pri::Cause::NORMAL_CLEARING)?,
                _ => {}
            }
        }
        if rep.caller_cause.is_some() && rep.callee_cause.is_some() && ck.end.is_none() {
            ck.end = Some(now + Ms(500));
        }
        board.tick()?;
        while let Some(e) = board.poll_event() {
            if let BoardEvent::Alarm { span, alarms } = e {
                let l = format!("span {} alarms {alarms:?}", span.0);
                if span.0 == 1 {
                    rep.a(now, l);
                } else {
                    rep.b(now, l);
                }
            }
        }
        now = now + Ms(10);
    }
    Ok(rep)
}
