//! `trunkctl simulate call`: one call across a back-to-back pair in virtual time, printed as a
//! ladder (R2 line states, CAS bits and MF signals with their times).

use clap::{Args, ValueEnum};

use crate::model::{Cause, Outcome};
use crate::signalling::r2::{R2Channel, R2Config, R2Event, R2Pair, R2Variant, Side};
use crate::signalling::Ms;

/// Which signalling to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Signalling {
    /// MFC/R2, China variant.
    R2Cn,
    /// MFC/R2, ITU-T Q.421/Q.441.
    R2Itu,
    /// MFC/R2, Mexico.
    R2Mx,
    /// MFC/R2, Brazil.
    R2Br,
}

/// Arguments of `trunkctl simulate call`.
#[derive(Debug, Args)]
pub struct SimulateCallArgs {
    /// Signalling system.
    #[arg(long, value_enum, default_value = "r2-cn")]
    pub signalling: Signalling,
    /// Called number.
    #[arg(long, default_value = "1234")]
    pub dnis: String,
    /// Calling number (empty: none).
    #[arg(long, default_value = "5551212")]
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
    /// Talk time before the caller hangs up, in ms.
    #[arg(long, default_value_t = 5000)]
    pub talk_ms: u64,
}

/// Runs one simulated call and prints its ladder; returns the exit code.
pub fn run(a: &SimulateCallArgs) -> anyhow::Result<i32> {
    let variant = match a.signalling {
        Signalling::R2Cn => R2Variant::China,
        Signalling::R2Itu => R2Variant::Itu,
        Signalling::R2Mx => R2Variant::Mexico,
        Signalling::R2Br => R2Variant::Brazil,
    };
    let mut cb = R2Config::new(variant);
    cb.max_dnis = a.dnis.len().max(1);
    let mut p = R2Pair::new(R2Channel::new(R2Config::new(variant)), R2Channel::new(cb));
    p.a.originate(p.now, &a.dnis, &a.ani, 1).map_err(|e| anyhow::anyhow!("cannot originate: {e}"))?;
    p.pump();
    let limit = Ms(200_000);
    let offered = p.run_until(limit, |ev| {
        ev.iter().any(|(_, s, e)| *s == Side::B && matches!(e, R2Event::Incoming { .. }))
    });
    if offered {
        if a.busy {
            p.b.reject(p.now, Cause::BUSY)?;
        } else if a.invalid {
            p.b.reject(p.now, Cause::UNALLOCATED)?;
        } else {
            p.b.accept(p.now, true)?;
        }
        p.pump();
        if !a.busy && !a.invalid && !a.no_answer {
            p.settle(p.now + Ms(a.ring_ms));
            p.b.answer(p.now)?;
            p.pump();
            p.run_until(limit, |ev| ev.iter().any(|(_, _, e)| *e == R2Event::Answered));
            p.settle(p.now + Ms(a.talk_ms));
            p.a.hangup(p.now)?;
            p.pump();
        }
    }
    p.settle(p.now + Ms(if a.no_answer { 70_000 } else { 3_000 }));
    println!("simulate call: MFC/R2 {} (A = caller/forward, B = callee/backward)", variant.name());
    let mut lines: Vec<_> = p
        .ladder
        .iter()
        .map(|(t, s, l)| (*t, 0, *s, l.clone()))
        .chain(p.events.iter().map(|(t, s, e)| (*t, 1, *s, format!("EVENT {e:?}"))))
        .collect();
    lines.sort_by_key(|(t, k, _, _)| (*t, *k));
    for (t, _, s, l) in lines {
        match s {
            Side::A => println!("{:>9}  A  {:<44} |", format!("{t}"), l),
            Side::B => println!("{:>9}     {:<44} |  B  {}", format!("{t}"), "", l),
        }
    }
    let released = p.find(Side::A, |e| matches!(e, R2Event::Released { .. })).and_then(|(_, e)| match e {
        R2Event::Released { cause } => Some(cause),
        _ => None,
    });
    if let Some((t, _)) = p.find(Side::A, |e| *e == R2Event::Answered) {
        println!("answered at {t}; set-up (seize to answer, incl. {} ms ring) ", a.ring_ms);
    }
    if let Some((t, _)) = p.find(Side::A, |e| *e == R2Event::Alerting) {
        println!("register signalling done (alerting) at {t}");
    }
    match released {
        Some(c) => println!(
            "caller released: cause {} ({}), outcome {}",
            c.0,
            c.name(),
            Outcome::from_cause(c).name()
        ),
        None => println!("caller not released"),
    }
    Ok(0)
}
