//! Two [`R2Channel`]s wired back to back through a modelled line, stepped in virtual time (the
//! quinn-proto `Pair` pattern). CAS nibbles arrive one multiframe (2 ms) later; an MF tone is
//! reported by the far detector `detect_on` after it starts and `detect_off` after it stops,
//! which is how long the DSP crate's MF R2 detector needs to confirm a tone and its end.

use std::collections::BTreeMap;

use super::channel::{R2Channel, R2Event, R2Output};
use crate::signalling::Ms;

/// Which end of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The first channel (usually the caller).
    A,
    /// The second channel.
    B,
}

impl Side {
    /// The other end.
    pub fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Bits(u8),
    Tone(Option<u8>),
}

/// Line model delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineModel {
    /// CAS propagation (E1 TS16 multiframe: 2 ms).
    pub cas: Ms,
    /// MF tone start to detection.
    pub detect_on: Ms,
    /// MF tone stop to detection of its end.
    pub detect_off: Ms,
}

impl Default for LineModel {
    fn default() -> Self {
        LineModel { cas: Ms(2), detect_on: Ms(40), detect_off: Ms(30) }
    }
}

/// A back-to-back pair in virtual time.
#[derive(Debug)]
pub struct R2Pair {
    /// Side A.
    pub a: R2Channel,
    /// Side B.
    pub b: R2Channel,
    /// Current virtual time.
    pub now: Ms,
    /// Line delays.
    pub line: LineModel,
    queue: BTreeMap<(Ms, u64), (Side, Delivery)>,
    seq: u64,
    /// Events so far, with time and side.
    pub events: Vec<(Ms, Side, R2Event)>,
    /// Every trace line of both ends, in time order.
    pub ladder: Vec<(Ms, Side, String)>,
    /// When set, CAS changes from this side are not delivered (a cut wire, for fault tests).
    pub cut: Option<Side>,
}

impl R2Pair {
    /// Wires `a` and `b` and transmits idle on both.
    pub fn new(a: R2Channel, b: R2Channel) -> Self {
        let mut p = R2Pair {
            a,
            b,
            now: Ms::ZERO,
            line: LineModel::default(),
            queue: BTreeMap::new(),
            seq: 0,
            events: Vec::new(),
            ladder: Vec::new(),
            cut: None,
        };
        p.a.start(Ms::ZERO);
        p.b.start(Ms::ZERO);
        p.pump();
        p
    }

    /// The channel of `side`.
    pub fn chan(&mut self, side: Side) -> &mut R2Channel {
        match side {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }

    fn schedule(&mut self, at: Ms, to: Side, d: Delivery) {
        self.seq += 1;
        self.queue.insert((at, self.seq), (to, d));
    }

    /// Moves outputs of both ends onto the line and collects events and traces.
    pub fn pump(&mut self) {
        for side in [Side::A, Side::B] {
            let now = self.now;
            let line = self.line;
            let mut outs = Vec::new();
            let ch = self.chan(side);
            while let Some(o) = ch.poll_output() {
                outs.push(o);
            }
            let mut evs = Vec::new();
            while let Some(e) = ch.poll_event() {
                evs.push(e);
            }
            let tr = ch.take_traces();
            for (t, s) in tr {
                self.ladder.push((t, side, s));
            }
            for e in evs {
                self.events.push((now, side, e));
            }
            for o in outs {
                match o {
                    R2Output::Cas(n) => {
                        if self.cut != Some(side) {
                            self.schedule(now + line.cas, side.peer(), Delivery::Bits(n));
                        }
                    }
                    R2Output::ToneOn(c) => {
                        self.schedule(now + line.detect_on, side.peer(), Delivery::Tone(Some(c)))
                    }
                    R2Output::ToneOff => {
                        self.schedule(now + line.detect_off, side.peer(), Delivery::Tone(None))
                    }
                }
            }
        }
    }

    /// Advances to the next delivery or timer, no further than `limit`. Returns false when
    /// nothing is pending before `limit`.
    pub fn step(&mut self, limit: Ms) -> bool {
        let next_q = self.queue.keys().next().map(|k| k.0);
        let next = [next_q, self.a.poll_timeout(), self.b.poll_timeout()].into_iter().flatten().min();
        let Some(t) = next.filter(|&t| t <= limit) else {
            return false;
        };
        self.now = self.now.max(t);
        let now = self.now;
        while let Some((&k, _)) = self.queue.iter().next() {
            if k.0 > now {
                break;
            }
            let Some((to, d)) = self.queue.remove(&k) else { break };
            let ch = self.chan(to);
            match d {
                Delivery::Bits(n) => ch.handle_bits(now, n),
                Delivery::Tone(t) => ch.handle_tone(now, t),
            }
            self.pump();
        }
        self.a.handle_timeout(now);
        self.b.handle_timeout(now);
        self.pump();
        true
    }

    /// Runs until `pred` holds for the event list or `limit` is reached; returns whether it held.
    pub fn run_until(&mut self, limit: Ms, pred: impl Fn(&[(Ms, Side, R2Event)]) -> bool) -> bool {
        loop {
            if pred(&self.events) {
                return true;
            }
            if !self.step(limit) {
                self.now = self.now.max(limit);
                return pred(&self.events);
            }
        }
    }

    /// Runs until nothing is pending before `limit` (line quiet, no timers).
    pub fn settle(&mut self, limit: Ms) {
        while self.step(limit) {}
        self.now = self.now.max(limit);
    }

    /// The first event of `side` matching `f`, with its time.
    pub fn find(&self, side: Side, f: impl Fn(&R2Event) -> bool) -> Option<(Ms, R2Event)> {
        self.events.iter().find(|(_, s, e)| *s == side && f(e)).map(|(t, _, e)| (*t, e.clone()))
    }
}
