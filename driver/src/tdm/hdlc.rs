//! Software HDLC for D-channels: flags, zero-bit insertion, FCS-16, abort and idle flags.
//!
//! Bit order follows G.704 and the interop harness: HDLC sends each octet LSB first, and the
//! serial bits are packed MSB first into the 64 kbit/s timeslot octets. Received frames are
//! delivered with their 2 FCS octets, as DAHDI delivers them; a frame whose FCS fails is reported
//! as [`HdlcRxEvent::BadFcs`].

use super::crc::{fcs16, fcs16_update, FCS16_GOOD};
use crate::ring::MAX_FRAME;

const FLAG: u8 = 0x7E;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TxStage {
    /// Sending idle flags.
    Idle,
    /// Sending the frame's octets (payload then FCS) with bit stuffing.
    Data,
}

/// HDLC transmitter: turns queued frames into timeslot octets, flags in between.
#[derive(Clone)]
pub struct HdlcTx {
    buf: [u8; MAX_FRAME + 2],
    len: usize,
    pos: usize,
    bit: u8,
    ones: u8,
    stage: TxStage,
    /// Output shift register: `nbits` pending bits in the low end, oldest highest.
    acc: u32,
    nbits: u8,
    abort: bool,
}

impl Default for HdlcTx {
    fn default() -> Self {
        Self {
            buf: [0; MAX_FRAME + 2],
            len: 0,
            pos: 0,
            bit: 0,
            ones: 0,
            stage: TxStage::Idle,
            acc: 0,
            nbits: 0,
            abort: false,
        }
    }
}

impl HdlcTx {
    /// A transmitter sending idle flags.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no frame is being sent (a new one may be started).
    pub fn is_idle(&self) -> bool {
        self.stage == TxStage::Idle
    }

    /// Starts sending `payload` (the FCS is appended here). False if a frame is still being
    /// sent or the payload is too long.
    pub fn start_frame(&mut self, payload: &[u8]) -> bool {
        if !self.is_idle() || payload.len() > MAX_FRAME || payload.is_empty() {
            return false;
        }
        self.buf[..payload.len()].copy_from_slice(payload);
        let fcs = fcs16(payload).to_le_bytes();
        self.buf[payload.len()..payload.len() + 2].copy_from_slice(&fcs);
        self.len = payload.len() + 2;
        self.pos = 0;
        self.bit = 0;
        self.ones = 0;
        // The opening flag: idle flags already separate frames, one more makes it explicit.
        self.push_bits(FLAG as u32, 8);
        self.stage = TxStage::Data;
        true
    }

    /// Aborts the frame being sent (seven ones go out, then flags).
    pub fn abort(&mut self) {
        if self.stage == TxStage::Data {
            self.abort = true;
        }
    }

    #[inline]
    fn push_bits(&mut self, bits: u32, n: u8) {
        self.acc = (self.acc << n) | bits;
        self.nbits += n;
    }

    /// The next timeslot octet.
    #[inline]
    pub fn next_octet(&mut self) -> u8 {
        while self.nbits < 8 {
            match self.stage {
                TxStage::Idle => self.push_bits(FLAG as u32, 8),
                TxStage::Data => {
                    if self.abort {
                        self.push_bits(0x7F, 7);
                        self.push_bits(FLAG as u32, 8);
                        self.abort = false;
                        self.stage = TxStage::Idle;
                        continue;
                    }
                    if self.pos == self.len {
                        self.push_bits(FLAG as u32, 8);
                        self.stage = TxStage::Idle;
                        continue;
                    }
                    let b = (self.buf[self.pos] >> self.bit) & 1;
                    self.push_bits(b as u32, 1);
                    if b == 1 {
                        self.ones += 1;
                        if self.ones == 5 {
                            self.push_bits(0, 1);
                            self.ones = 0;
                        }
                    } else {
                        self.ones = 0;
                    }
                    self.bit += 1;
                    if self.bit == 8 {
                        self.bit = 0;
                        self.pos += 1;
                    }
                }
            }
        }
        self.nbits -= 8;
        let out = (self.acc >> self.nbits) as u8;
        self.acc &= (1u32 << self.nbits) - 1;
        out
    }
}

impl HdlcTx {
    /// True when the output is settled into idle flags: no frame in progress and the pending
    /// bits are the tail of a flag, so every next octet is the same rotated flag.
    #[inline]
    fn settled_idle(&self) -> bool {
        self.stage == TxStage::Idle
            && !self.abort
            && self.nbits < 8
            && self.acc == (FLAG as u32) & ((1u32 << self.nbits) - 1)
    }

    /// Fills `out` with idle octets while no frame is being sent; returns how many were
    /// written (all of `out` unless a frame is in progress). The same octets as
    /// [`HdlcTx::next_octet`] would give, without running the bit loop for each.
    pub fn fill_idle(&mut self, out: &mut [u8]) -> usize {
        let mut i = 0;
        while i < out.len() && self.is_idle() {
            if self.settled_idle() {
                let o = (((self.acc << 8) | FLAG as u32) >> self.nbits) as u8;
                out[i..].fill(o);
                return out.len();
            }
            out[i] = self.next_octet();
            i += 1;
        }
        i
    }
}

/// What the receiver found.
#[derive(Debug, PartialEq, Eq)]
pub enum HdlcRxEvent<'a> {
    /// A good frame: payload followed by its 2 FCS octets.
    Frame(&'a [u8]),
    /// A frame whose FCS (or length) was wrong.
    BadFcs,
    /// A frame ended by an abort sequence (seven or more ones).
    Abort,
    /// A frame longer than the receive buffer.
    Overrun,
}

/// HDLC receiver: timeslot octets in, frames and errors out.
#[derive(Clone)]
pub struct HdlcRx {
    buf: [u8; MAX_FRAME + 2],
    len: usize,
    cur: u8,
    nbits: u8,
    ones: u8,
    /// Between frames or after an abort: waiting for a flag before collecting.
    hunting: bool,
    /// Bits collected since the last flag (to drop the flag's leading zero).
    collected: u32,
    last_octet: Option<u8>,
    stable: bool,
}

impl Default for HdlcRx {
    fn default() -> Self {
        Self {
            buf: [0; MAX_FRAME + 2],
            len: 0,
            cur: 0,
            nbits: 0,
            ones: 0,
            hunting: true,
            collected: 0,
            last_octet: None,
            stable: false,
        }
    }
}

type RxState = (usize, u8, u8, u8, bool, u32);

impl HdlcRx {
    /// A receiver hunting for the first flag.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> RxState {
        (self.len, self.cur, self.nbits, self.ones, self.hunting, self.collected)
    }

    fn start_frame(&mut self) {
        self.len = 0;
        self.cur = 0;
        self.nbits = 0;
        self.collected = 0;
        self.hunting = false;
    }

    #[inline]
    fn data_bit(&mut self, b: u8) -> bool {
        self.collected += 1;
        self.cur |= b << self.nbits;
        self.nbits += 1;
        if self.nbits == 8 {
            if self.len == self.buf.len() {
                return false;
            }
            self.buf[self.len] = self.cur;
            self.len += 1;
            self.cur = 0;
            self.nbits = 0;
        }
        true
    }

    /// Feeds one timeslot octet; `on_event` is called for every frame or error completed in it.
    #[inline]
    pub fn push_octet(&mut self, octet: u8, on_event: &mut impl FnMut(HdlcRxEvent<'_>)) {
        // Idle line (flags or all ones) repeats the same octet with the same state: skip it.
        if self.stable && self.last_octet == Some(octet) {
            return;
        }
        let before = self.state();
        let mut emitted = false;
        for k in (0..8).rev() {
            let b = (octet >> k) & 1;
            if b == 1 {
                self.ones = self.ones.saturating_add(1).min(8);
                if self.ones == 7 {
                    if !self.hunting && self.collected > 8 {
                        on_event(HdlcRxEvent::Abort);
                        emitted = true;
                    }
                    self.hunting = true;
                }
                continue;
            }
            // A zero: its meaning depends on the ones before it.
            let ones = self.ones;
            self.ones = 0;
            if ones >= 7 {
                continue; // end of an abort/idle run; still hunting for a flag
            }
            if ones == 6 {
                // A flag closes the frame being collected and opens the next one.
                if !self.hunting {
                    emitted |= self.close_frame(on_event);
                }
                self.start_frame();
                continue;
            }
            if self.hunting {
                continue;
            }
            let mut ok = true;
            for _ in 0..ones {
                ok &= self.data_bit(1);
            }
            if ones != 5 {
                ok &= self.data_bit(0); // five ones then a zero: the zero was stuffed
            }
            if !ok {
                on_event(HdlcRxEvent::Overrun);
                emitted = true;
                self.hunting = true;
            }
        }
        self.stable = !emitted && self.state() == before;
        self.last_octet = Some(octet);
    }

    fn close_frame(&mut self, on_event: &mut impl FnMut(HdlcRxEvent<'_>)) -> bool {
        // The flag's leading zero was collected as data.
        let bits = self.collected.saturating_sub(1);
        if bits == 0 {
            return false;
        }
        if bits % 8 != 0 || self.len < 3 {
            on_event(HdlcRxEvent::BadFcs);
            return true;
        }
        let frame = &self.buf[..self.len];
        if fcs16_update(0xFFFF, frame) == FCS16_GOOD {
            on_event(HdlcRxEvent::Frame(frame));
        } else {
            on_event(HdlcRxEvent::BadFcs);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(tx: &mut HdlcTx, rx: &mut HdlcRx, octets: usize, out: &mut Vec<Result<Vec<u8>, String>>) {
        for _ in 0..octets {
            let o = tx.next_octet();
            rx.push_octet(o, &mut |e| {
                out.push(match e {
                    HdlcRxEvent::Frame(f) => Ok(f.to_vec()),
                    other => Err(format!("{other:?}")),
                })
            });
        }
    }

    #[test]
    fn fill_idle_equals_octet_by_octet() {
        let (mut a, mut b) = (HdlcTx::new(), HdlcTx::new());
        let (mut got, mut want) = (Vec::new(), Vec::new());
        for round in 0..200usize {
            if round % 3 != 2 && a.is_idle() {
                let f: Vec<u8> = (0..1 + round % 13).map(|k| (k * 37 + round) as u8 | 0x1F).collect();
                assert!(a.start_frame(&f) && b.start_frame(&f));
                if round % 5 == 0 {
                    for _ in 0..round % 4 {
                        got.push(a.next_octet());
                        want.push(b.next_octet());
                    }
                    a.abort();
                    b.abort();
                }
            }
            let mut out = vec![0u8; 1 + round % 40];
            let mut i = 0;
            while i < out.len() {
                i += a.fill_idle(&mut out[i..]);
                if i < out.len() {
                    out[i] = a.next_octet();
                    i += 1;
                }
            }
            got.extend_from_slice(&out);
            want.extend((0..out.len()).map(|_| b.next_octet()));
            assert_eq!(got, want, "round {round}");
        }
    }

    #[test]
    fn idle_line_is_flags() {
        let mut tx = HdlcTx::new();
        for _ in 0..10 {
            assert_eq!(tx.next_octet(), 0x7E);
        }
    }

    #[test]
    fn one_frame_round_trip_with_fcs() {
        let mut tx = HdlcTx::new();
        let mut rx = HdlcRx::new();
        let mut out = Vec::new();
        run(&mut tx, &mut rx, 3, &mut out);
        assert!(tx.start_frame(&[0x00, 0x01, 0x7F]));
        run(&mut tx, &mut rx, 20, &mut out);
        assert_eq!(out.len(), 1);
        let f = out[0].as_ref().unwrap();
        assert_eq!(&f[..3], &[0x00, 0x01, 0x7F]);
        assert_eq!(f.len(), 5);
        assert_eq!(u16::from_le_bytes([f[3], f[4]]), fcs16(&[0x00, 0x01, 0x7F]));
    }

    #[test]
    fn aborted_frame_is_reported_and_next_frame_survives() {
        let mut tx = HdlcTx::new();
        let mut rx = HdlcRx::new();
        let mut out = Vec::new();
        run(&mut tx, &mut rx, 2, &mut out);
        tx.start_frame(&[0xAA; 40]);
        run(&mut tx, &mut rx, 10, &mut out);
        tx.abort();
        run(&mut tx, &mut rx, 6, &mut out);
        tx.start_frame(&[1, 2, 3, 4]);
        run(&mut tx, &mut rx, 12, &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(out[0], Err("Abort".to_string()));
        assert_eq!(&out[1].as_ref().unwrap()[..4], &[1, 2, 3, 4]);
    }

    #[test]
    fn corrupted_frame_is_bad_fcs() {
        let mut tx = HdlcTx::new();
        let mut rx = HdlcRx::new();
        let mut out = Vec::new();
        tx.start_frame(&[0x10, 0x20, 0x30, 0x40, 0x50]);
        let mut octets: Vec<u8> = (0..12).map(|_| tx.next_octet()).collect();
        octets[3] ^= 0x04;
        for o in octets {
            rx.push_octet(o, &mut |e| out.push(format!("{e:?}")));
        }
        assert_eq!(out, vec!["BadFcs".to_string()]);
    }

    #[test]
    fn overlong_frame_is_overrun() {
        let mut rx = HdlcRx::new();
        let mut out = Vec::new();
        rx.push_octet(0x7E, &mut |e| out.push(format!("{e:?}")));
        // 0x00 octets are data with no flags: never ends, overruns the buffer.
        for _ in 0..MAX_FRAME + 10 {
            rx.push_octet(0x00, &mut |e| out.push(format!("{e:?}")));
        }
        assert_eq!(out, vec!["Overrun".to_string()]);
    }

    proptest! {
        #[test]
        fn random_frames_round_trip(frames in proptest::collection::vec(
            proptest::collection::vec(prop_oneof![Just(0x7Eu8), Just(0x7D), Just(0xFF), Just(0x1F), any::<u8>()], 1..300), 1..8)) {
            let mut tx = HdlcTx::new();
            let mut rx = HdlcRx::new();
            let mut out = Vec::new();
            for f in &frames {
                prop_assert!(tx.start_frame(f));
                while !tx.is_idle() {
                    let o = tx.next_octet();
                    rx.push_octet(o, &mut |e| out.push(match e { HdlcRxEvent::Frame(f) => Ok(f.to_vec()), e => Err(format!("{e:?}")) }));
                }
            }
            run(&mut tx, &mut rx, 4, &mut out);
            prop_assert_eq!(out.len(), frames.len());
            for (got, want) in out.iter().zip(&frames) {
                let got = got.as_ref().unwrap();
                prop_assert_eq!(&got[..got.len() - 2], &want[..]);
            }
        }

        #[test]
        fn receiver_never_panics(octets in proptest::collection::vec(any::<u8>(), 0..4000)) {
            let mut rx = HdlcRx::new();
            for o in octets {
                rx.push_octet(o, &mut |_| {});
            }
        }
    }
}
