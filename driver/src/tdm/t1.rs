//! T1 framing (ANSI T1.403, ITU-T G.704 §2.1, T1.231 for defects): the 193-bit frame (one F bit
//! and 24 channel octets), the D4 superframe with robbed-bit A/B and the bit-2 yellow alarm, the
//! extended superframe (ESF) with FPS, CRC-6, FDL yellow and robbed-bit ABCD; and the receiver
//! that finds superframe alignment at any bit offset, checks F bits and CRC-6, counts errors,
//! debounces robbed bits and detects LOS, AIS and RAI.

use super::cas::CasChange;
use super::crc::Crc6Esf;

/// Channels (timeslots) per T1 frame.
pub const CHANNELS: usize = 24;
/// Bits per T1 frame: the F bit and 24 octets.
pub const FRAME_BITS: usize = 193;
/// D4 F bits of frames 1..12 (Ft in odd frames 101010, Fs in even frames 001110).
const D4_F: [u8; 12] = [1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0];
/// ESF framing pattern sequence in frames 4, 8, .., 24.
const FPS: [u8; 6] = [0, 0, 1, 0, 1, 1];
/// ESF yellow alarm on the FDL: eight ones then eight zeros, repeated.
const FDL_YELLOW: u16 = 0xFF00;
/// Superframes a candidate alignment must hold for before it is accepted: 36 F bits in D4;
/// 18 FPS bits and two CRC-6 checks in ESF. Random payload fakes either with odds below 2^-30.
const SEARCH_SF: usize = 3;
/// Frames of all-zero bit 2 in every channel that raise (and of anything else that clear) the
/// D4 yellow alarm.
const D4_YELLOW_FRAMES: i16 = 48;
/// FDL bits without a yellow pattern after which the ESF yellow alarm clears.
const FDL_YELLOW_CLEAR: u16 = 48;
/// Consecutive zeros that declare LOS (T1.231: 175 ± 75).
const LOS_ZEROS: u32 = 175;
/// LOS clears after a 192-bit window with 12.5 % ones and no run of this many zeros.
const LOS_CLEAR_RUN: u32 = 100;
/// Line octets handled at a time, which bounds the receive buffer.
const CHUNK: usize = 512;

/// The superframe format of a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T1Framing {
    /// D4 / SF: 12-frame superframe, robbed bits A and B.
    D4,
    /// Extended superframe: 24 frames, CRC-6, FDL, robbed bits ABCD.
    Esf,
}

impl T1Framing {
    /// Frames per superframe.
    pub const fn frames(self) -> usize {
        match self {
            T1Framing::D4 => 12,
            T1Framing::Esf => 24,
        }
    }

    /// The F bit a frame (0-based position in the superframe) must carry, if it is fixed.
    #[inline]
    fn fixed_f(self, pos: usize) -> Option<u8> {
        match self {
            T1Framing::D4 => Some(D4_F[pos]),
            T1Framing::Esf => (pos % 4 == 3).then(|| FPS[pos / 4]),
        }
    }

    /// Which robbed bit (0 = A .. 3 = D) the LSBs of a frame carry: frames 6, 12, 18, 24.
    #[inline]
    fn robbed(self, pos: usize) -> Option<usize> {
        (pos % 6 == 5).then_some(pos / 6)
    }
}

/// Packs bits MSB first into octets for the line; complete octets are taken with
/// [`take_bytes`](Self::take_bytes), a partial one stays until it is filled.
#[derive(Clone, Debug)]
pub struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    nacc: u8,
}

impl Default for BitWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl BitWriter {
    /// An empty writer (room for a few frames before it would reallocate).
    pub fn new() -> Self {
        Self { bytes: Vec::with_capacity(256), acc: 0, nacc: 0 }
    }

    /// Appends the low `n` bits of `value` (at most 32), most significant first.
    #[inline]
    pub fn push_bits(&mut self, value: u32, n: u8) {
        debug_assert!(n <= 32, "push_bits takes at most 32 bits");
        let n = n.min(32);
        self.acc = (self.acc << n) | (value as u64 & ((1u64 << n) - 1));
        self.nacc += n;
        while self.nacc >= 8 {
            self.nacc -= 8;
            self.bytes.push((self.acc >> self.nacc) as u8);
        }
        self.acc &= (1u64 << self.nacc) - 1;
    }

    /// Moves the complete octets written so far to the end of `dst`.
    pub fn take_bytes(&mut self, dst: &mut Vec<u8>) {
        dst.extend_from_slice(&self.bytes);
        self.bytes.clear();
    }

    /// Bits written and not yet taken (complete octets and the partial one).
    pub fn pending_bits(&self) -> usize {
        self.bytes.len() * 8 + self.nacc as usize
    }
}

/// Builds T1 frames: the F bit per framing, robbed bits and the yellow alarm.
#[derive(Clone, Debug)]
pub struct T1Tx {
    framing: T1Framing,
    /// Position in the superframe (0-based) of the next frame.
    pos: u8,
    /// Send the remote alarm indication (yellow): bit 2 = 0 in D4, the FDL pattern in ESF.
    pub rai: bool,
    /// Rob the LSB of every channel in the signalling frames for ABCD (off: clear channel).
    pub robbed_bits: bool,
    crc: Crc6Esf,
    /// CRC-6 of the previous ESF, sent in the C bits of the current one.
    c_bits: u8,
    /// Position in the 16-bit FDL yellow pattern.
    fdl_pos: u8,
}

impl T1Tx {
    /// A framer starting a superframe, with no alarm and robbed bits off.
    pub fn new(framing: T1Framing) -> Self {
        Self {
            framing,
            pos: 0,
            rai: false,
            robbed_bits: false,
            crc: Crc6Esf::default(),
            c_bits: 0,
            fdl_pos: 0,
        }
    }

    /// Appends one 193-bit frame to `out`: F bit, then payload octets (with robbed bits in the
    /// signalling frames when `robbed_bits` is on, taken from `abcd[ch]` low nibble A=bit3..D=bit0;
    /// yellow per framing when `rai`).
    pub fn build_frame(&mut self, payload: &[u8; CHANNELS], abcd: &[u8; CHANNELS], out: &mut BitWriter) {
        let pos = self.pos as usize;
        let f = match self.framing {
            T1Framing::D4 => D4_F[pos],
            T1Framing::Esf => match pos % 4 {
                3 => FPS[pos / 4],
                1 => (self.c_bits >> (5 - pos / 4)) & 1,
                _ if self.rai => {
                    let b = (FDL_YELLOW >> (15 - self.fdl_pos)) & 1;
                    self.fdl_pos = (self.fdl_pos + 1) & 15;
                    b as u8
                }
                _ => {
                    self.fdl_pos = 0;
                    1
                }
            },
        };
        let mut frame = *payload;
        if self.rai && self.framing == T1Framing::D4 {
            for o in &mut frame {
                *o &= !0x40;
            }
        }
        if let Some(k) = self.framing.robbed(pos).filter(|_| self.robbed_bits) {
            for (o, s) in frame.iter_mut().zip(abcd) {
                *o = (*o & 0xFE) | ((s >> (3 - k)) & 1);
            }
        }
        out.push_bits(f as u32, 1);
        for &o in &frame {
            out.push_bits(o as u32, 8);
        }
        if self.framing == T1Framing::Esf {
            if pos == 0 {
                self.crc.reset();
            }
            esf_crc_frame(&mut self.crc, &frame);
            if pos == 23 {
                self.c_bits = self.crc.finish();
            }
        }
        self.pos = ((pos + 1) % self.framing.frames()) as u8;
    }
}

/// Adds one frame to an ESF CRC-6, its F bit counted as 1.
#[inline]
fn esf_crc_frame(crc: &mut Crc6Esf, frame: &[u8; CHANNELS]) {
    crc.push_bit(1);
    for &o in frame {
        crc.push_octet(o);
    }
}

/// Instantaneous defects seen by the receiver (alarm integration is done by the caller).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct T1Defects {
    /// Loss of signal (no ones).
    pub los: bool,
    /// Alarm indication signal (unframed all ones).
    pub ais: bool,
    /// Out of frame alignment.
    pub lof: bool,
    /// Remote alarm indication (yellow) received.
    pub rai: bool,
}

/// Error counts from the receiver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct T1RxCounts {
    /// Errored framing bits (D4: Ft and Fs; ESF: FPS).
    pub fbit: u64,
    /// ESF superframes whose CRC-6 did not match.
    pub crc: u64,
    /// Times superframe alignment was (re)gained.
    pub aligns: u64,
}

/// The T1 receiver: line octets in (any bit phase), aligned frames and robbed-bit changes out.
#[derive(Clone, Debug)]
pub struct T1Rx {
    framing: T1Framing,
    robbed_bits: bool,
    buf: Vec<u8>,
    /// Bit offset in `buf` of the next frame when aligned; of the next search position otherwise.
    bitpos: usize,
    aligned: bool,
    /// Position in the superframe of the next frame.
    pos: usize,
    /// Error flags of the last four checked F bits (bit 0 newest).
    f_hist: u8,
    crc: Crc6Esf,
    /// CRC-6 of the previous ESF, to compare with the C bits of the current one.
    crc_prev: Option<u8>,
    c_rx: u8,
    /// Robbed bits collected in the current superframe.
    sig: [u8; CHANNELS],
    /// Reported (debounced) ABCD per channel.
    abcd: [u8; CHANNELS],
    /// Candidate new bits per channel and for how many superframes they have been seen.
    cand: [u8; CHANNELS],
    seen: [u8; CHANNELS],
    /// Superframes a new value must persist before it is reported (0 = at once).
    debounce_sf: u8,
    /// D4 yellow: frames with bit 2 clear everywhere (> 0) or not (< 0) in a row.
    d4_yellow_run: i16,
    fdl_hist: u16,
    fdl_matches: u8,
    fdl_since_match: u16,
    /// Counters.
    pub counts: T1RxCounts,
    /// Defects.
    pub defects: T1Defects,
    zero_run: u32,
    los_bits: u32,
    los_ones: u32,
    los_max_run: u32,
    ais_bits: u32,
    ais_zeros: u32,
    ais_low_windows: u8,
    ais_ok_windows: u8,
    ais_raw: bool,
}

impl T1Rx {
    /// A receiver searching for alignment. With `robbed_bits` the LSBs of the signalling frames
    /// are read as ABCD, a change being reported once it has persisted `debounce_ms` (rounded up
    /// to whole superframes: 1.5 ms in D4, 3 ms in ESF). Bits start as 1111.
    pub fn new(framing: T1Framing, robbed_bits: bool, debounce_ms: u32) -> Self {
        let sf_us = framing.frames() as u64 * 125;
        Self {
            framing,
            robbed_bits,
            buf: Vec::with_capacity(4096),
            bitpos: 0,
            aligned: false,
            pos: 0,
            f_hist: 0,
            crc: Crc6Esf::default(),
            crc_prev: None,
            c_rx: 0,
            sig: [0; CHANNELS],
            abcd: [0x0F; CHANNELS],
            cand: [0x0F; CHANNELS],
            seen: [0; CHANNELS],
            debounce_sf: (debounce_ms as u64 * 1000).div_ceil(sf_us).min(255) as u8,
            d4_yellow_run: 0,
            fdl_hist: 0,
            fdl_matches: 0,
            fdl_since_match: u16::MAX,
            counts: T1RxCounts::default(),
            defects: T1Defects { lof: true, ..T1Defects::default() },
            zero_run: 0,
            los_bits: 0,
            los_ones: 0,
            los_max_run: 0,
            ais_bits: 0,
            ais_zeros: 0,
            ais_low_windows: 0,
            ais_ok_windows: 0,
            ais_raw: false,
        }
    }

    /// True when in superframe alignment.
    pub fn aligned(&self) -> bool {
        self.aligned
    }

    /// Current debounced ABCD of a timeslot (1..=24, as in [`CasChange`]).
    pub fn bits(&self, timeslot: usize) -> u8 {
        self.abcd[timeslot - 1]
    }

    /// Feeds line bytes (the packed bit stream, any bit phase); `on_frame` gets every aligned
    /// frame's 24 payload octets (robbed bits left in place as received), `on_cas` gets debounced
    /// ABCD changes as [`CasChange`] { timeslot: 1..=24, abcd }.
    pub fn push_line(
        &mut self,
        data: &[u8],
        on_frame: &mut impl FnMut(&[u8; CHANNELS]),
        on_cas: &mut impl FnMut(CasChange),
    ) {
        for chunk in data.chunks(CHUNK) {
            self.watch_signal(chunk);
            self.buf.extend_from_slice(chunk);
            loop {
                if !self.aligned && !self.search() {
                    break;
                }
                if self.bitpos + FRAME_BITS > self.buf.len() * 8 {
                    break;
                }
                let f = self.bit_at(self.bitpos);
                let frame = self.octets_at(self.bitpos + 1);
                self.bitpos += FRAME_BITS;
                if self.check_frame(f, &frame, on_cas) {
                    on_frame(&frame);
                }
            }
            // Keep only what is still needed.
            let keep_from = (self.bitpos / 8).min(self.buf.len());
            self.buf.drain(..keep_from);
            self.bitpos -= keep_from * 8;
            // AIS is an unframed signal: a framed all-ones payload is not AIS.
            self.defects.ais = self.ais_raw && !self.aligned;
        }
    }

    #[inline]
    fn bit_at(&self, bit: usize) -> u8 {
        (self.buf[bit / 8] >> (7 - bit % 8)) & 1
    }

    /// The 24 octets starting at bit `bit` (the bits up to `bit + 192` must be in the buffer).
    #[inline]
    fn octets_at(&self, bit: usize) -> [u8; CHANNELS] {
        let mut f = [0u8; CHANNELS];
        let b = bit / 8;
        let s = (bit % 8) as u32;
        if s == 0 {
            f.copy_from_slice(&self.buf[b..b + CHANNELS]);
        } else {
            let src = &self.buf[b..b + CHANNELS + 1];
            for i in 0..CHANNELS {
                f[i] = (src[i] << s) | (src[i + 1] >> (8 - s));
            }
        }
        f
    }

    /// Slides bit by bit looking for a superframe start whose next [`SEARCH_SF`] superframes
    /// carry the right F bits (and, in ESF, CRC-6 values); true once aligned.
    fn search(&mut self) -> bool {
        let need = SEARCH_SF * self.framing.frames() * FRAME_BITS;
        while self.bitpos + need <= self.buf.len() * 8 {
            if self.candidate_holds(self.bitpos) {
                self.aligned = true;
                self.defects.lof = false;
                self.counts.aligns += 1;
                self.pos = 0;
                self.f_hist = 0;
                self.crc_prev = None;
                return true;
            }
            self.bitpos += 1;
        }
        false
    }

    fn candidate_holds(&self, p: usize) -> bool {
        let n = self.framing.frames();
        for k in 0..SEARCH_SF * n {
            if let Some(want) = self.framing.fixed_f(k % n) {
                if self.bit_at(p + k * FRAME_BITS) != want {
                    return false;
                }
            }
        }
        if self.framing == T1Framing::Esf {
            // The C bits of each ESF must carry the CRC-6 of the one before.
            for s in 0..SEARCH_SF - 1 {
                let mut crc = Crc6Esf::default();
                for k in 0..24 {
                    esf_crc_frame(&mut crc, &self.octets_at(p + (24 * s + k) * FRAME_BITS + 1));
                }
                let mut c = 0;
                for j in 0..6 {
                    c = (c << 1) | self.bit_at(p + (24 * (s + 1) + 4 * j + 1) * FRAME_BITS);
                }
                if c != crc.finish() {
                    return false;
                }
            }
        }
        true
    }

    fn lose_alignment(&mut self) {
        self.aligned = false;
        self.defects.lof = true;
        self.crc_prev = None;
        // Partly collected robbed bits and pending candidates are void.
        self.cand = self.abcd;
        self.seen = [0; CHANNELS];
        // Search again from one bit after the last frame start.
        self.bitpos = self.bitpos.saturating_sub(FRAME_BITS - 1);
    }

    /// Checks an aligned frame; false if alignment was lost with this frame.
    #[inline]
    fn check_frame(&mut self, f: u8, frame: &[u8; CHANNELS], on_cas: &mut impl FnMut(CasChange)) -> bool {
        let pos = self.pos;
        if let Some(want) = self.framing.fixed_f(pos) {
            let err = f != want;
            self.f_hist = ((self.f_hist << 1) | err as u8) & 0x0F;
            if err {
                self.counts.fbit += 1;
                // 2 of 4 consecutive framing bits in error: out of frame.
                if self.f_hist.count_ones() >= 2 {
                    self.lose_alignment();
                    return false;
                }
            }
        }
        match self.framing {
            T1Framing::D4 => self.d4_yellow(frame),
            T1Framing::Esf => {
                match pos % 4 {
                    0 | 2 => self.fdl_bit(f),
                    1 => self.c_rx = (self.c_rx << 1) | f,
                    _ => {}
                }
                if pos == 0 {
                    self.crc.reset();
                }
                esf_crc_frame(&mut self.crc, frame);
                if pos == 23 {
                    // The C bits received in this ESF check the previous one.
                    if self.crc_prev.is_some_and(|c| c != self.c_rx & 0x3F) {
                        self.counts.crc += 1;
                    }
                    self.crc_prev = Some(self.crc.finish());
                }
            }
        }
        if self.robbed_bits {
            if let Some(k) = self.framing.robbed(pos) {
                let mask = 8 >> k;
                for (s, o) in self.sig.iter_mut().zip(frame) {
                    *s = (*s & !mask) | ((o & 1) << (3 - k));
                }
            }
            if pos == self.framing.frames() - 1 {
                for ch in 0..CHANNELS {
                    let s = self.sig[ch];
                    // D4 has A and B only; the receiver reports C = A, D = B.
                    let v = if self.framing == T1Framing::D4 { (s & 0x0C) | (s >> 2) } else { s };
                    self.update_abcd(ch, v, on_cas);
                }
            }
        }
        self.pos = (pos + 1) % self.framing.frames();
        true
    }

    /// Debounces a channel's ABCD like [`super::cas::CasRx`].
    #[inline]
    fn update_abcd(&mut self, ch: usize, v: u8, on_cas: &mut impl FnMut(CasChange)) {
        if v == self.abcd[ch] {
            self.seen[ch] = 0;
            self.cand[ch] = v;
            return;
        }
        if v != self.cand[ch] {
            self.cand[ch] = v;
            self.seen[ch] = 0;
        }
        if self.seen[ch] >= self.debounce_sf {
            self.abcd[ch] = v;
            self.seen[ch] = 0;
            on_cas(CasChange { timeslot: ch as u8 + 1, abcd: v });
        } else {
            self.seen[ch] += 1;
        }
    }

    /// D4 yellow: bit 2 is 0 in every channel, for [`D4_YELLOW_FRAMES`] frames in a row.
    fn d4_yellow(&mut self, frame: &[u8; CHANNELS]) {
        let yellow = frame.iter().all(|o| o & 0x40 == 0);
        let run = self.d4_yellow_run;
        self.d4_yellow_run = if yellow {
            (run.max(0) + 1).min(D4_YELLOW_FRAMES)
        } else {
            (run.min(0) - 1).max(-D4_YELLOW_FRAMES)
        };
        if self.d4_yellow_run >= D4_YELLOW_FRAMES {
            self.defects.rai = true;
        } else if self.d4_yellow_run <= -D4_YELLOW_FRAMES {
            self.defects.rai = false;
        }
    }

    /// ESF yellow: the 16-bit pattern seen twice back to back on the FDL; cleared after
    /// [`FDL_YELLOW_CLEAR`] FDL bits without it.
    fn fdl_bit(&mut self, b: u8) {
        self.fdl_hist = (self.fdl_hist << 1) | b as u16;
        self.fdl_since_match = self.fdl_since_match.saturating_add(1);
        if self.fdl_hist == FDL_YELLOW {
            self.fdl_matches =
                if self.fdl_since_match == 16 { self.fdl_matches.saturating_add(1) } else { 1 };
            self.fdl_since_match = 0;
            if self.fdl_matches >= 2 {
                self.defects.rai = true;
            }
        } else if self.fdl_since_match >= FDL_YELLOW_CLEAR {
            self.fdl_matches = 0;
            self.defects.rai = false;
        }
    }

    /// LOS (T1.231: 175 consecutive zeros; cleared by 12.5 % ones in 192 bits with no run of 100
    /// zeros) and the all-ones part of AIS (fewer than 3 zeros in each of two consecutive
    /// 1544-bit periods; cleared by 3 or more in each of two).
    fn watch_signal(&mut self, data: &[u8]) {
        for &b in data {
            if b == 0 {
                self.zero_run = self.zero_run.saturating_add(8);
            } else {
                let ended = self.zero_run.saturating_add(b.leading_zeros());
                self.los_max_run = self.los_max_run.max(ended);
                if ended >= LOS_ZEROS {
                    self.defects.los = true;
                }
                self.zero_run = b.trailing_zeros();
            }
            if self.zero_run >= LOS_ZEROS {
                self.defects.los = true;
            }
            self.los_max_run = self.los_max_run.max(self.zero_run);
            let ones = b.count_ones();
            self.los_ones += ones;
            self.los_bits += 8;
            if self.los_bits >= 192 {
                if self.los_ones >= 24 && self.los_max_run < LOS_CLEAR_RUN {
                    self.defects.los = false;
                }
                self.los_bits = 0;
                self.los_ones = 0;
                self.los_max_run = self.zero_run;
            }
            self.ais_zeros += 8 - ones;
            self.ais_bits += 8;
            if self.ais_bits >= 1544 {
                if self.ais_zeros < 3 {
                    self.ais_low_windows = (self.ais_low_windows + 1).min(2);
                    self.ais_ok_windows = 0;
                } else {
                    self.ais_ok_windows = (self.ais_ok_windows + 1).min(2);
                    self.ais_low_windows = 0;
                }
                if self.ais_low_windows >= 2 {
                    self.ais_raw = true;
                } else if self.ais_ok_windows >= 2 {
                    self.ais_raw = false;
                }
                self.ais_bits = 0;
                self.ais_zeros = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tdm::crc::crc6_reference;
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use std::cell::Cell;

    const BOTH: [T1Framing; 2] = [T1Framing::D4, T1Framing::Esf];

    /// Sends `n` frames of random payload; returns the payloads.
    fn send(
        tx: &mut T1Tx,
        w: &mut BitWriter,
        n: usize,
        rng: &mut impl Rng,
        abcd: &[u8; CHANNELS],
    ) -> Vec<[u8; CHANNELS]> {
        (0..n)
            .map(|_| {
                let mut p = [0u8; CHANNELS];
                rng.fill(&mut p[..]);
                tx.build_frame(&p, abcd, w);
                p
            })
            .collect()
    }

    fn take(w: &mut BitWriter) -> Vec<u8> {
        let mut v = Vec::new();
        w.take_bytes(&mut v);
        v
    }

    fn bit(line: &[u8], i: usize) -> u8 {
        (line[i / 8] >> (7 - i % 8)) & 1
    }

    fn flip(line: &mut [u8], i: usize) {
        line[i / 8] ^= 0x80 >> (i % 8);
    }

    /// What the receiver should deliver for frame `i` of a stream started at a superframe.
    fn expected(framing: T1Framing, i: usize, p: &[u8; CHANNELS], abcd: &[u8; CHANNELS]) -> [u8; CHANNELS] {
        let mut e = *p;
        if let Some(k) = framing.robbed(i % framing.frames()) {
            for ch in 0..CHANNELS {
                e[ch] = (e[ch] & 0xFE) | ((abcd[ch] >> (3 - k)) & 1);
            }
        }
        e
    }

    #[test]
    fn bit_writer_packs_msb_first() {
        let mut w = BitWriter::new();
        w.push_bits(1, 1);
        w.push_bits(0x55, 8);
        w.push_bits(0b101, 3);
        assert_eq!(w.pending_bits(), 12);
        let mut out = vec![0xEE];
        w.take_bytes(&mut out);
        assert_eq!(out, vec![0xEE, 0xAA]);
        assert_eq!(w.pending_bits(), 4);
        w.push_bits(0xFFFF_FFF0, 32);
        w.push_bits(0, 0);
        w.take_bytes(&mut out);
        assert_eq!(out, vec![0xEE, 0xAA, 0xDF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(w.pending_bits(), 4);
    }

    #[test]
    fn tx_f_bits_and_crc6_follow_the_formats() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(10);
        let abcd = [0x0A; CHANNELS];
        let mut tx = T1Tx::new(T1Framing::D4);
        let mut w = BitWriter::new();
        send(&mut tx, &mut w, 24, &mut rng, &abcd);
        let line = take(&mut w);
        let f: Vec<u8> = (0..24).map(|i| bit(&line, i * FRAME_BITS)).collect();
        assert_eq!(f, [D4_F, D4_F].concat());

        let mut tx = T1Tx::new(T1Framing::Esf);
        tx.robbed_bits = true;
        let mut w = BitWriter::new();
        send(&mut tx, &mut w, 72, &mut rng, &abcd);
        let line = take(&mut w);
        for esf in 0..3 {
            let f = |k: usize| bit(&line, (24 * esf + k) * FRAME_BITS);
            let fps: Vec<u8> = (0..6).map(|j| f(4 * j + 3)).collect();
            assert_eq!(fps, FPS);
            assert!((0..12).all(|j| f(2 * j) == 1), "idle FDL is all ones");
            if esf > 0 {
                // Previous ESF with its F bits set to 1, bit by bit.
                let bits: Vec<u8> = (0..4632)
                    .map(
                        |i| if i % FRAME_BITS == 0 { 1 } else { bit(&line, 24 * (esf - 1) * FRAME_BITS + i) },
                    )
                    .collect();
                let c = (0..6).fold(0, |c, j| (c << 1) | f(4 * j + 1));
                assert_eq!(c, crc6_reference(&bits), "ESF {esf}");
            }
        }
    }

    #[test]
    fn aligns_at_every_bit_offset_and_delivers_frames_intact() {
        for framing in BOTH {
            let sf = framing.frames();
            for off in 0..FRAME_BITS {
                let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(off as u64);
                let mut tx = T1Tx::new(framing);
                tx.robbed_bits = true;
                let abcd: [u8; CHANNELS] = std::array::from_fn(|i| (i as u8 * 7) & 15);
                let mut w = BitWriter::new();
                let mut left = off;
                while left > 0 {
                    let k = left.min(32);
                    w.push_bits(rng.gen(), k as u8);
                    left -= k;
                }
                let n = 6 * sf;
                let sent = send(&mut tx, &mut w, n, &mut rng, &abcd);
                let line = take(&mut w);
                let mut rx = T1Rx::new(framing, true, 0);
                let mut got = Vec::new();
                for chunk in line.chunks(37) {
                    rx.push_line(chunk, &mut |f| got.push(*f), &mut |_| {});
                }
                assert!(rx.aligned(), "{framing:?} offset {off}");
                // Alignment is found on the first superframe, and from there every frame
                // arrives intact and in order (the last one may still be partly in the writer).
                assert!(got.len() >= n - 1, "{framing:?} offset {off}: {} frames", got.len());
                for (i, g) in got.iter().enumerate() {
                    assert!(
                        *g == expected(framing, i, &sent[i], &abcd),
                        "{framing:?} offset {off}: frame {i}"
                    );
                }
                assert_eq!(rx.counts, T1RxCounts { fbit: 0, crc: 0, aligns: 1 }, "{framing:?} offset {off}");
                assert_eq!(rx.defects, T1Defects::default(), "{framing:?} offset {off}");
                for ts in 1..=CHANNELS {
                    let a = abcd[ts - 1];
                    let want = if framing == T1Framing::D4 { (a & 0x0C) | ((a >> 2) & 0x03) } else { a };
                    assert_eq!(rx.bits(ts), want, "{framing:?} offset {off} timeslot {ts}");
                }
            }
        }
    }

    #[test]
    fn single_bit_errors_are_each_one_crc6_error() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut tx = T1Tx::new(T1Framing::Esf);
        let mut w = BitWriter::new();
        send(&mut tx, &mut w, 24 * 400, &mut rng, &[0; CHANNELS]);
        let mut line = take(&mut w);
        let mut injected = 0;
        for esf in (10..400).step_by(4) {
            let frame = rng.gen_range(0..24);
            // Mostly payload bits; every third error hits a C bit instead.
            let at = if esf % 3 == 0 {
                (24 * esf + 4 * rng.gen_range(0..6) + 1) * FRAME_BITS
            } else {
                (24 * esf + frame) * FRAME_BITS + rng.gen_range(1..FRAME_BITS)
            };
            flip(&mut line, at);
            injected += 1;
        }
        let mut rx = T1Rx::new(T1Framing::Esf, false, 0);
        rx.push_line(&line, &mut |_| {}, &mut |_| {});
        assert_eq!(rx.counts, T1RxCounts { fbit: 0, crc: injected, aligns: 1 });
    }

    #[test]
    fn f_bit_errors_counted_and_two_of_four_lose_alignment() {
        for framing in BOTH {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
            let mut tx = T1Tx::new(framing);
            let mut w = BitWriter::new();
            send(&mut tx, &mut w, 24 * 40, &mut rng, &[0; CHANNELS]);
            let mut line = take(&mut w);
            // Isolated errors (FPS frames, which D4 checks too) are only counted.
            for f in [24 * 10 + 3, 24 * 12 + 7, 24 * 14 + 11] {
                flip(&mut line, f * FRAME_BITS);
            }
            // Two errors among four consecutive checked F bits lose alignment.
            let step = if framing == T1Framing::D4 { 2 } else { 4 };
            let (a, b) = (24 * 20 + 3, 24 * 20 + 3 + step);
            flip(&mut line, a * FRAME_BITS);
            flip(&mut line, b * FRAME_BITS);
            let mut rx = T1Rx::new(framing, false, 0);
            let cut = (b + 1) * FRAME_BITS / 8 + 1;
            rx.push_line(&line[..24 * 16 * FRAME_BITS / 8], &mut |_| {}, &mut |_| {});
            assert!(rx.aligned(), "{framing:?}");
            assert_eq!(rx.counts.fbit, 3, "{framing:?}");
            rx.push_line(&line[24 * 16 * FRAME_BITS / 8..cut], &mut |_| {}, &mut |_| {});
            assert!(!rx.aligned() && rx.defects.lof, "{framing:?}");
            assert_eq!(rx.counts.fbit, 5, "{framing:?}");
            let mut after = 0;
            rx.push_line(&line[cut..], &mut |_| after += 1, &mut |_| {});
            assert!(rx.aligned() && !rx.defects.lof, "{framing:?}");
            assert_eq!(rx.counts.aligns, 2, "{framing:?}");
            assert_eq!(rx.counts.fbit, 5, "{framing:?}");
            assert!(after >= 24 * 15, "{framing:?}: {after} frames after realignment");
        }
    }

    #[test]
    fn remote_alarm_is_seen_and_cleared() {
        for framing in BOTH {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
            let mut tx = T1Tx::new(framing);
            tx.robbed_bits = true;
            let mut w = BitWriter::new();
            let mut rx = T1Rx::new(framing, true, 0);
            let mut step = |tx: &mut T1Tx, rng: &mut rand_chacha::ChaCha8Rng| {
                send(tx, &mut w, 24 * 8, rng, &[0x05; CHANNELS]);
                rx.push_line(&take(&mut w), &mut |_| {}, &mut |_| {});
                (rx.aligned(), rx.defects.rai, rx.counts.fbit)
            };
            assert_eq!(step(&mut tx, &mut rng), (true, false, 0), "{framing:?}");
            tx.rai = true;
            assert_eq!(step(&mut tx, &mut rng), (true, true, 0), "{framing:?}");
            tx.rai = false;
            assert_eq!(step(&mut tx, &mut rng), (true, false, 0), "{framing:?}");
        }
    }

    #[test]
    fn los_and_ais_are_detected() {
        for framing in BOTH {
            let mut rx = T1Rx::new(framing, false, 0);
            rx.push_line(&[0u8; 400], &mut |_| {}, &mut |_| {});
            assert!(rx.defects.los && rx.defects.lof && !rx.defects.ais, "{framing:?}");
            rx.push_line(&[0xFFu8; 800], &mut |_| {}, &mut |_| {});
            assert!(!rx.defects.los && rx.defects.ais && rx.defects.lof, "{framing:?}");
            // A framed signal with all-ones payload and idle FDL is neither.
            let mut tx = T1Tx::new(framing);
            let mut w = BitWriter::new();
            for _ in 0..24 * 8 {
                tx.build_frame(&[0xFF; CHANNELS], &[0x0F; CHANNELS], &mut w);
            }
            rx.push_line(&take(&mut w), &mut |_| {}, &mut |_| {});
            assert!(rx.aligned(), "{framing:?}");
            assert_eq!(rx.defects, T1Defects::default(), "{framing:?}");
        }
    }

    /// Sends superframes with per-superframe ABCD and returns the changes with the index of the
    /// frame whose processing reported them.
    fn run_cas(
        framing: T1Framing,
        debounce_ms: u32,
        plan: &[(usize, [u8; CHANNELS])],
    ) -> Vec<(usize, CasChange)> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut tx = T1Tx::new(framing);
        tx.robbed_bits = true;
        let mut w = BitWriter::new();
        for (sfs, abcd) in plan {
            send(&mut tx, &mut w, sfs * framing.frames(), &mut rng, abcd);
        }
        let mut rx = T1Rx::new(framing, true, debounce_ms);
        let frames = Cell::new(0usize);
        let mut log = Vec::new();
        for chunk in take(&mut w).chunks(100) {
            rx.push_line(chunk, &mut |_| frames.set(frames.get() + 1), &mut |c| log.push((frames.get(), c)));
        }
        assert!(rx.aligned());
        log
    }

    #[test]
    fn robbed_bit_change_propagates_within_one_superframe_without_debounce() {
        for framing in BOTH {
            let sf = framing.frames();
            let idle = [0x00; CHANNELS];
            let mut changed = idle;
            // ESF carries all four bits; D4 carries A and B, reported as ABAB.
            let (sent, seen) = if framing == T1Framing::Esf { (0x09, 0x09) } else { (0x08, 0x0A) };
            changed[4] = sent;
            let log = run_cas(framing, 0, &[(5, idle), (3, changed)]);
            // 1111 -> 0000 on every channel once aligned, then the one change.
            assert_eq!(log.len(), 25, "{framing:?}: {log:?}");
            assert!(log[..24].iter().all(|(i, c)| *i < sf && c.abcd == 0), "{framing:?}");
            let (i, c) = log[24];
            assert_eq!(c, CasChange { timeslot: 5, abcd: seen }, "{framing:?}");
            assert!((5 * sf..6 * sf).contains(&i), "{framing:?}: seen in frame {i}");
        }
    }

    #[test]
    fn robbed_bit_glitches_shorter_than_debounce_are_ignored() {
        for framing in BOTH {
            // 4 ms: 3 D4 superframes, 2 ESF superframes.
            let idle = [0x0F; CHANNELS];
            let mut glitch = idle;
            glitch[19] = 0x00;
            let log = run_cas(framing, 4, &[(10, idle), (1, glitch), (10, idle), (6, glitch), (5, idle)]);
            let sf = framing.frames();
            let dsf = if framing == T1Framing::D4 { 3 } else { 2 };
            // Only the long change is reported, after it persisted, and then its end.
            let want = vec![
                ((21 + dsf) * sf + sf - 1, CasChange { timeslot: 20, abcd: 0x00 }),
                ((27 + dsf) * sf + sf - 1, CasChange { timeslot: 20, abcd: 0x0F }),
            ];
            assert_eq!(log, want, "{framing:?}");
        }
    }

    #[test]
    fn receive_buffer_does_not_grow() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
        for framing in BOTH {
            let mut tx = T1Tx::new(framing);
            let mut w = BitWriter::new();
            send(&mut tx, &mut w, 24 * 100, &mut rng, &[0; CHANNELS]);
            let mut line = vec![0u8; 3000];
            rng.fill(&mut line[..]);
            w.take_bytes(&mut line);
            let mut rx = T1Rx::new(framing, true, 0);
            let cap = rx.buf.capacity();
            rx.push_line(&line, &mut |_| {}, &mut |_| {});
            assert!(rx.aligned());
            assert_eq!(rx.buf.capacity(), cap);
        }
    }

    proptest! {
        #[test]
        fn receiver_never_panics(
            octets in proptest::collection::vec(any::<u8>(), 0..6000),
            esf in any::<bool>(),
            robbed in any::<bool>(),
            debounce in 0u32..20,
            chunk in 1usize..700,
        ) {
            let framing = if esf { T1Framing::Esf } else { T1Framing::D4 };
            let mut rx = T1Rx::new(framing, robbed, debounce);
            for c in octets.chunks(chunk) {
                rx.push_line(c, &mut |_| {}, &mut |c| assert!((1..=24).contains(&c.timeslot)));
            }
        }

        #[test]
        fn receiver_survives_corrupted_lines(seed in any::<u64>(), errors in 0usize..200, esf in any::<bool>()) {
            let framing = if esf { T1Framing::Esf } else { T1Framing::D4 };
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut tx = T1Tx::new(framing);
            tx.robbed_bits = true;
            let mut w = BitWriter::new();
            send(&mut tx, &mut w, 24 * 20, &mut rng, &[0x06; CHANNELS]);
            let mut line = take(&mut w);
            for _ in 0..errors {
                let i = rng.gen_range(0..line.len() * 8);
                flip(&mut line, i);
            }
            let mut rx = T1Rx::new(framing, true, 0);
            rx.push_line(&line, &mut |_| {}, &mut |_| {});
            prop_assert!(rx.counts.aligns <= 20);
        }
    }
}
