//! E1 framing (ITU-T G.704 §2.3, G.706 §4): TS0 with FAS/NFAS, the CRC-4 multiframe with its
//! alignment word and E-bits, the remote alarm (A bit); and the receiver that finds frame and
//! multiframe alignment at any bit offset, checks CRC-4, counts errors and detects LOS and AIS.

use super::crc::Crc4Smf;

/// Octets per E1 frame.
pub const FRAME: usize = 32;
/// Frame alignment signal in TS0 of even frames (bits 2..8 = 0011011).
const FAS: u8 = 0x1B;
/// CRC-4 multiframe alignment word carried in Si of NFAS frames 1,3,5,7,9,11.
const MFAS_BITS: [u8; 6] = [0, 0, 1, 0, 1, 1];

/// Builds TS0 of every frame (the caller fills TS1..TS31).
#[derive(Clone, Debug)]
pub struct E1Tx {
    /// Position in the CRC-4 multiframe (0..16) of the next frame.
    frame: u8,
    /// Generate the CRC-4 multiframe (else Si bits are 1).
    pub crc4: bool,
    /// Send the remote alarm indication (A bit).
    pub rai: bool,
    crc: Crc4Smf,
    /// CRC-4 of the last complete submultiframe, sent in the current one.
    c_bits: u8,
    /// Errored submultiframes reported by our receiver, still to be signalled with E = 0.
    pending_e: u32,
}

impl E1Tx {
    /// A framer with CRC-4 on or off.
    pub fn new(crc4: bool) -> Self {
        Self { frame: 0, crc4, rai: false, crc: Crc4Smf::default(), c_bits: 0, pending_e: 0 }
    }

    /// Asks for `n` E-bits set to 0 (our receiver saw `n` errored submultiframes).
    pub fn report_errored_smfs(&mut self, n: u32) {
        self.pending_e = self.pending_e.saturating_add(n).min(1000);
    }

    /// Writes TS0 of the next frame into `frame[0]` and accounts the frame in the CRC.
    #[inline]
    pub fn finish_frame(&mut self, frame: &mut [u8; FRAME]) {
        let f = self.frame;
        if f == 0 || f == 8 {
            self.crc.reset();
        }
        if f & 1 == 0 {
            let si = if self.crc4 { (self.c_bits >> (3 - ((f & 7) >> 1))) & 1 } else { 1 };
            frame[0] = FAS;
            if self.crc4 {
                self.crc.add_frame(frame); // C bit position counted as 0
            }
            frame[0] |= si << 7;
        } else {
            let si = if !self.crc4 {
                1
            } else if f <= 11 {
                MFAS_BITS[(f as usize - 1) / 2]
            } else if self.pending_e > 0 {
                self.pending_e -= 1;
                0
            } else {
                1
            };
            frame[0] = (si << 7) | 0x40 | ((self.rai as u8) << 5) | 0x1F;
            if self.crc4 {
                self.crc.add_frame(frame);
            }
        }
        if self.crc4 && (f == 7 || f == 15) {
            self.c_bits = self.crc.finish();
        }
        self.frame = (f + 1) & 15;
    }
}

/// Instantaneous defects seen by the receiver (alarm integration is done by the caller).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct E1Defects {
    /// Loss of signal (no ones).
    pub los: bool,
    /// Alarm indication signal (all ones).
    pub ais: bool,
    /// Out of frame alignment.
    pub lof: bool,
    /// CRC-4 on and out of multiframe alignment.
    pub lmfa: bool,
    /// Remote alarm indication received.
    pub rai: bool,
}

/// Error counts from the receiver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct E1RxCounts {
    /// Errored frame alignment words.
    pub fas: u64,
    /// Errored CRC-4 submultiframes.
    pub crc: u64,
    /// E-bits received as 0 (far-end block errors).
    pub ebit: u64,
    /// Times frame alignment was (re)gained.
    pub aligns: u64,
}

/// The E1 receiver: line octets in (any bit phase), aligned frames out.
#[derive(Clone, Debug)]
pub struct E1Rx {
    buf: Vec<u8>,
    /// Bit offset in `buf` of the next frame when aligned; of the next search position otherwise.
    bitpos: usize,
    aligned: bool,
    /// The next frame is expected to carry FAS.
    expect_fas: bool,
    bad_fas_run: u8,
    /// CRC-4 receive side.
    crc4: bool,
    mf_pos: Option<u8>,
    mf_confirmed: bool,
    nfas_si: u8,
    crc: Crc4Smf,
    crc_prev: Option<u8>,
    /// The CRC accumulator covers a whole submultiframe (not one joined midway).
    crc_whole: bool,
    c_rx: u8,
    crc_err_window: (u16, u16),
    rai_run: i8,
    /// Errored submultiframes not yet handed to the transmitter for E-bits.
    pub new_errored_smfs: u32,
    /// Counters.
    pub counts: E1RxCounts,
    /// Defects.
    pub defects: E1Defects,
    ais_low_windows: u8,
    ais_ok_windows: u8,
}

impl E1Rx {
    /// A receiver searching for alignment; `crc4` enables the CRC-4 multiframe check.
    pub fn new(crc4: bool) -> Self {
        Self {
            buf: Vec::with_capacity(8192),
            bitpos: 0,
            aligned: false,
            expect_fas: true,
            bad_fas_run: 0,
            crc4,
            mf_pos: None,
            mf_confirmed: false,
            nfas_si: 0,
            crc: Crc4Smf::default(),
            crc_prev: None,
            crc_whole: false,
            c_rx: 0,
            crc_err_window: (0, 0),
            rai_run: 0,
            new_errored_smfs: 0,
            counts: E1RxCounts::default(),
            defects: E1Defects { lof: true, lmfa: crc4, ..E1Defects::default() },
            ais_low_windows: 0,
            ais_ok_windows: 0,
        }
    }

    /// True when in frame alignment.
    pub fn aligned(&self) -> bool {
        self.aligned
    }

    /// Feeds line octets; `on_frame` gets every aligned frame (TS0..TS31) in order.
    pub fn push_line(&mut self, data: &[u8], on_frame: &mut impl FnMut(&[u8; FRAME])) {
        self.watch_signal(data);
        self.buf.extend_from_slice(data);
        loop {
            if !self.aligned && !self.search() {
                break;
            }
            let byte = self.bitpos / 8;
            let need = if self.bitpos % 8 == 0 { FRAME } else { FRAME + 1 };
            if byte + need > self.buf.len() {
                break;
            }
            let frame = self.extract(byte, (self.bitpos % 8) as u32);
            self.bitpos += FRAME * 8;
            if self.check_ts0(&frame) {
                on_frame(&frame);
            }
        }
        // Keep only what is still needed.
        let keep_from = (self.bitpos / 8).min(self.buf.len());
        self.buf.drain(..keep_from);
        self.bitpos -= keep_from * 8;
    }

    #[inline]
    fn extract(&self, byte: usize, shift: u32) -> [u8; FRAME] {
        let mut f = [0u8; FRAME];
        if shift == 0 {
            f.copy_from_slice(&self.buf[byte..byte + FRAME]);
        } else {
            let src = &self.buf[byte..byte + FRAME + 1];
            for i in 0..FRAME {
                f[i] = (src[i] << shift) | (src[i + 1] >> (8 - shift));
            }
        }
        f
    }

    #[inline]
    fn octet_at_bit(&self, bit: usize) -> u8 {
        let b = bit / 8;
        let s = (bit % 8) as u32;
        if s == 0 {
            self.buf[b]
        } else {
            (self.buf[b] << s) | (self.buf[b + 1] >> (8 - s))
        }
    }

    /// G.706 §4.1.2 search: FAS, then bit 2 = 1 in the next frame, then FAS again.
    fn search(&mut self) -> bool {
        let need = 2 * FRAME * 8 + 16;
        while self.bitpos + need <= self.buf.len() * 8 {
            let p = self.bitpos;
            if self.octet_at_bit(p) & 0x7F == FAS
                && self.octet_at_bit(p + 256) & 0x40 != 0
                && self.octet_at_bit(p + 512) & 0x7F == FAS
            {
                self.aligned = true;
                self.expect_fas = true;
                self.bad_fas_run = 0;
                self.defects.lof = false;
                self.counts.aligns += 1;
                self.mf_pos = None;
                self.mf_confirmed = false;
                self.defects.lmfa = self.crc4;
                return true;
            }
            self.bitpos += 1;
        }
        false
    }

    fn lose_alignment(&mut self) {
        self.aligned = false;
        self.defects.lof = true;
        self.defects.lmfa = self.crc4;
        self.mf_pos = None;
        self.mf_confirmed = false;
        self.crc_prev = None;
        // Search again from one bit after the last frame start.
        self.bitpos = self.bitpos.saturating_sub(FRAME * 8 - 1);
    }

    /// Checks TS0 of an aligned frame; false if alignment was lost with this frame.
    #[inline]
    fn check_ts0(&mut self, frame: &[u8; FRAME]) -> bool {
        let ts0 = frame[0];
        let is_fas = ts0 & 0x7F == FAS;
        if self.expect_fas {
            if is_fas {
                self.bad_fas_run = 0;
            } else {
                self.counts.fas += 1;
                self.bad_fas_run += 1;
                if self.bad_fas_run >= 3 {
                    self.lose_alignment();
                    return false;
                }
            }
        } else {
            let rai = ts0 & 0x20 != 0;
            self.rai_run =
                if rai { (self.rai_run.max(0) + 1).min(3) } else { (self.rai_run.min(0) - 1).max(-3) };
            if self.rai_run >= 3 {
                self.defects.rai = true;
            } else if self.rai_run <= -3 {
                self.defects.rai = false;
            }
        }
        if self.crc4 {
            self.crc4_frame(frame);
        }
        self.expect_fas = !self.expect_fas;
        true
    }

    fn crc4_frame(&mut self, frame: &[u8; FRAME]) {
        let si = frame[0] >> 7;
        let fas_frame = self.expect_fas;
        if !fas_frame {
            self.nfas_si = (self.nfas_si << 1) | si;
        }
        match self.mf_pos {
            None => {
                // NFAS Si bits of frames 1..11 read 001011, then E1 E2: look for 001011 ending
                // in this NFAS frame, which makes it frame 11.
                if !fas_frame && self.nfas_si & 0x3F == 0b001011 {
                    self.mf_pos = Some(12);
                }
            }
            Some(pos) => {
                if !fas_frame && pos == 11 {
                    if self.nfas_si & 0x3F == 0b001011 {
                        if !self.mf_confirmed {
                            self.mf_confirmed = true;
                            self.defects.lmfa = false;
                            self.crc_prev = None;
                            self.crc_whole = false;
                            self.crc_err_window = (0, 0);
                        }
                    } else if !self.mf_confirmed {
                        self.mf_pos = None;
                        return;
                    }
                }
                if self.mf_confirmed {
                    self.crc4_check(frame, pos, si);
                }
                self.mf_pos = Some((pos + 1) & 15);
            }
        }
    }

    fn crc4_check(&mut self, frame: &[u8; FRAME], pos: u8, si: u8) {
        if pos == 0 || pos == 8 {
            self.crc.reset();
            self.c_rx = 0;
            self.crc_whole = true;
        }
        if pos & 1 == 0 {
            self.c_rx = (self.c_rx << 1) | si;
            self.crc.add_frame_c_masked(frame);
        } else {
            self.crc.add_frame(frame);
            if (pos == 13 || pos == 15) && si == 0 {
                self.counts.ebit += 1;
            }
        }
        if pos == 7 || pos == 15 {
            // C bits received in this SMF check the previous SMF's CRC.
            if let Some(prev) = self.crc_prev {
                let bad = prev != self.c_rx;
                if bad {
                    self.counts.crc += 1;
                    self.new_errored_smfs += 1;
                }
                let (n, e) = &mut self.crc_err_window;
                *n += 1;
                *e += bad as u16;
                if *n >= 1000 {
                    // G.706 §4.3.2: ≥ 915 errored of 1000 means false multiframe alignment.
                    if *e >= 915 {
                        self.mf_pos = None;
                        self.mf_confirmed = false;
                        self.defects.lmfa = true;
                        self.crc_prev = None;
                    }
                    self.crc_err_window = (0, 0);
                }
            }
            self.crc_prev = if self.mf_confirmed && self.crc_whole { Some(self.crc.finish()) } else { None };
        }
    }

    /// LOS (G.775: no ones over a frame's worth of bits) and AIS (fewer than 3 zeros in each of
    /// two consecutive 512-bit periods). Normal traffic leaves both after one word test per
    /// 512-bit window.
    fn watch_signal(&mut self, data: &[u8]) {
        for chunk in data.chunks(64) {
            let words = chunk.chunks_exact(8).map(|w| u64::from_le_bytes(w.try_into().expect("8 octets")));
            // LOS per frame: a frame's worth of octets with no one bit.
            for half in chunk.chunks(FRAME) {
                if half.len() == FRAME {
                    let any = half.chunks_exact(8).any(|w| w != [0u8; 8]);
                    if !any {
                        self.defects.los = true;
                    } else if self.defects.los {
                        let ones: u32 = half.iter().map(|b| b.count_ones()).sum();
                        if ones >= 32 {
                            self.defects.los = false;
                        }
                    }
                }
            }
            if chunk.len() < 64 {
                continue;
            }
            // AIS: count zeros only while the window could still have fewer than three.
            let mut zeros = 0u32;
            for w in words {
                let mut z = !w;
                while z != 0 && zeros < 3 {
                    z &= z - 1;
                    zeros += 1;
                }
                if zeros >= 3 {
                    break;
                }
            }
            if zeros < 3 {
                self.ais_low_windows = (self.ais_low_windows + 1).min(2);
                self.ais_ok_windows = 0;
            } else {
                self.ais_ok_windows = (self.ais_ok_windows + 1).min(2);
                self.ais_low_windows = 0;
            }
            if self.ais_low_windows >= 2 {
                self.defects.ais = true;
            } else if self.ais_ok_windows >= 2 {
                self.defects.ais = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn make_frames(tx: &mut E1Tx, n: usize, rng: &mut impl Rng) -> Vec<u8> {
        let mut out = Vec::with_capacity(n * FRAME);
        for _ in 0..n {
            let mut f = [0u8; FRAME];
            rng.fill(&mut f[1..]);
            tx.finish_frame(&mut f);
            out.extend_from_slice(&f);
        }
        out
    }

    /// Shifts a byte stream right by `bits` (inserting leading garbage) to test bit alignment.
    fn shift_stream(data: &[u8], bits: u32) -> Vec<u8> {
        let mut out = vec![0xA5u8];
        if bits == 0 {
            out.extend_from_slice(data);
            return out;
        }
        let mut prev = 0u8;
        for &b in data {
            out.push((prev << (8 - bits)) | (b >> bits));
            prev = b;
        }
        out
    }

    #[test]
    fn aligns_at_any_bit_offset_and_delivers_frames_intact() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for shift in 0..8 {
            let mut tx = E1Tx::new(true);
            let line = make_frames(&mut tx, 200, &mut rng);
            let mut rx = E1Rx::new(true);
            let mut got = Vec::new();
            let shifted = shift_stream(&line, shift);
            for chunk in shifted.chunks(37) {
                rx.push_line(chunk, &mut |f| got.extend_from_slice(&f[1..]));
            }
            assert!(rx.aligned(), "shift {shift}");
            // After alignment every later frame arrives intact and in order.
            let want: Vec<u8> = line.chunks(FRAME).flat_map(|f| f[1..].to_vec()).collect();
            assert!(got.len() >= 190 * 31, "shift {shift}: {} octets", got.len());
            let start = (0..want.len() - got.len() + 1).find(|&i| want[i..i + 31] == got[..31]);
            let start = start.expect("first delivered frame is one that was sent");
            assert!(want[start..start + got.len()] == got[..], "shift {shift}: frames differ");
            assert!(!rx.defects.lmfa, "multiframe alignment found");
            assert_eq!(rx.counts.crc, 0);
            assert_eq!(rx.counts.fas, 0);
        }
    }

    #[test]
    fn single_bit_errors_are_each_one_crc4_error() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let mut tx = E1Tx::new(true);
        let mut line = make_frames(&mut tx, 16 * 400, &mut rng);
        // One error in every fourth submultiframe, after the first 20 multiframes.
        let mut injected = 0;
        for smf in (40..800).step_by(4) {
            let bit = rng.gen_range(0..2048);
            let at = smf * 256 + bit / 8;
            // Keep clear of FAS octets so alignment is not disturbed.
            if (at % FRAME) == 0 {
                continue;
            }
            line[at] ^= 0x80 >> (bit % 8);
            injected += 1;
        }
        let mut rx = E1Rx::new(true);
        rx.push_line(&line, &mut |_| {});
        assert_eq!(rx.counts.crc, injected, "fas={} aligns={}", rx.counts.fas, rx.counts.aligns);
    }

    #[test]
    fn three_bad_fas_lose_alignment_then_it_is_regained() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut tx = E1Tx::new(false);
        let mut line = make_frames(&mut tx, 100, &mut rng);
        for f in [40usize, 42, 44] {
            line[f * FRAME] ^= 0x01;
        }
        let mut rx = E1Rx::new(false);
        rx.push_line(&line[..46 * FRAME], &mut |_| {});
        assert!(!rx.aligned());
        assert_eq!(rx.counts.fas, 3);
        rx.push_line(&line[46 * FRAME..], &mut |_| {});
        assert!(rx.aligned());
        assert_eq!(rx.counts.aligns, 2);
    }

    #[test]
    fn remote_alarm_and_e_bits_are_seen() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut tx = E1Tx::new(true);
        tx.rai = true;
        tx.report_errored_smfs(5);
        let line = make_frames(&mut tx, 16 * 10, &mut rng);
        let mut rx = E1Rx::new(true);
        rx.push_line(&line, &mut |_| {});
        assert!(rx.defects.rai);
        // The E-bits were sent in the first multiframes, before the receiver had multiframe
        // alignment; send more now.
        let before = rx.counts.ebit;
        tx.report_errored_smfs(3);
        let line = make_frames(&mut tx, 16 * 10, &mut rng);
        rx.push_line(&line, &mut |_| {});
        assert_eq!(rx.counts.ebit - before, 3);
    }

    #[test]
    fn los_and_ais_are_detected() {
        let mut rx = E1Rx::new(false);
        rx.push_line(&[0u8; 256], &mut |_| {});
        assert!(rx.defects.los && rx.defects.lof);
        rx.push_line(&[0xFFu8; 256], &mut |_| {});
        assert!(!rx.defects.los && rx.defects.ais);
    }
}
