//! E1 framing (ITU-T G.704 §2.3, G.706 §4): TS0 with FAS/NFAS, the CRC-4 multiframe with its
//! alignment word and E-bits, the remote alarm (A bit); and the receiver that finds frame and
//! multiframe alignment at any bit offset, checks CRC-4, counts errors and detects LOS and AIS.

use super::crc::{crc4_smf, Crc4Smf};

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

    /// Writes TS0 of every frame in `line` (whole frames, TS1..TS31 already filled), as
    /// [`E1Tx::finish_frame`] on each in turn would. A submultiframe that starts on its
    /// boundary and lies wholly in `line` gets its CRC-4 in one pass over its 256 octets.
    pub fn finish_frames(&mut self, line: &mut [u8]) {
        assert!(line.len() % FRAME == 0, "whole frames");
        let mut rest = line;
        while !rest.is_empty() {
            if self.crc4 && self.frame & 7 == 0 && rest.len() >= 8 * FRAME {
                let (smf, tail) = rest.split_at_mut(8 * FRAME);
                self.finish_smf(smf.try_into().expect("256 octets"));
                rest = tail;
            } else {
                let (f, tail) = rest.split_at_mut(FRAME);
                self.finish_frame(f.try_into().expect("one frame"));
                rest = tail;
            }
        }
    }

    /// TS0 of the 8 frames of a submultiframe (starting at frame 0 or 8 of the multiframe, CRC-4
    /// on), its CRC computed once the TS0 octets are in place with the C bits still 0.
    fn finish_smf(&mut self, smf: &mut [u8; 8 * FRAME]) {
        let f0 = self.frame;
        let nfas_tail = 0x40 | ((self.rai as u8) << 5) | 0x1F;
        for i in (1..8).step_by(2) {
            let f = f0 + i as u8;
            let si = if f <= 11 {
                MFAS_BITS[(f as usize - 1) / 2]
            } else if self.pending_e > 0 {
                self.pending_e -= 1;
                0
            } else {
                1
            };
            smf[i * FRAME - FRAME] = FAS;
            smf[i * FRAME] = (si << 7) | nfas_tail;
        }
        let crc = crc4_smf(smf, false);
        for k in 0..4 {
            smf[2 * k * FRAME] |= ((self.c_bits >> (3 - k)) & 1) << 7;
        }
        self.c_bits = crc;
        self.frame = (f0 + 8) & 15;
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
    /// Check whole submultiframes at once when possible (off only to test against the
    /// frame-by-frame path).
    whole_smfs: bool,
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
            whole_smfs: true,
        }
    }

    /// True when in frame alignment.
    pub fn aligned(&self) -> bool {
        self.aligned
    }

    /// Feeds line octets; `on_frame` gets every aligned frame (TS0..TS31) in order.
    pub fn push_line(&mut self, data: &[u8], on_frame: &mut impl FnMut(&[u8; FRAME])) {
        self.push_line_runs(data, &mut |run| {
            for f in run.chunks_exact(FRAME) {
                on_frame(f.try_into().expect("one frame"));
            }
        });
    }

    /// Feeds line octets; `on_run` gets every aligned frame (TS0..TS31) in order, as runs of
    /// whole frames (a multiple of [`FRAME`] octets). Where the alignment falls on an octet
    /// boundary the runs are slices of the line itself, checked in place.
    pub fn push_line_runs(&mut self, data: &[u8], on_run: &mut impl FnMut(&[u8])) {
        self.watch_signal(data);
        if self.buf.is_empty() {
            // Nothing left over: work on the line itself and keep only its unused tail.
            let used = self.consume(data, on_run);
            self.buf.extend_from_slice(&data[used..]);
        } else {
            self.buf.extend_from_slice(data);
            let buf = std::mem::take(&mut self.buf);
            let used = self.consume(&buf, on_run);
            self.buf = buf;
            self.buf.drain(..used);
        }
    }

    /// Runs the receiver over `src` from `bitpos`. Returns how many leading octets are no longer
    /// needed; `bitpos` is left relative to what follows them.
    fn consume(&mut self, src: &[u8], on_run: &mut impl FnMut(&[u8])) -> usize {
        loop {
            if !self.aligned && !self.search(src) {
                break;
            }
            let byte = self.bitpos / 8;
            let shift = (self.bitpos % 8) as u32;
            if shift != 0 {
                if byte + FRAME + 1 > src.len() {
                    break;
                }
                let frame = extract(src, byte, shift);
                self.bitpos += FRAME * 8;
                if self.check_ts0(&frame) {
                    on_run(&frame);
                }
                continue;
            }
            // Octet-aligned: check whole frames in place and hand them on as one run.
            let whole = (src.len() - byte) / FRAME;
            if whole == 0 {
                break;
            }
            let run = &src[byte..byte + whole * FRAME];
            let mut done = 0;
            let mut lost = false;
            while done < whole {
                if done + 8 <= whole && self.smf_ready() {
                    let smf = run[done * FRAME..(done + 8) * FRAME].try_into().expect("8 frames");
                    if self.check_smf(smf) {
                        done += 8;
                        continue;
                    }
                }
                let f = run[done * FRAME..(done + 1) * FRAME].try_into().expect("one frame");
                self.bitpos = (byte + (done + 1) * FRAME) * 8;
                if !self.check_ts0(f) {
                    lost = true; // bitpos now points one bit past this frame's start
                    break;
                }
                done += 1;
            }
            if done > 0 {
                on_run(&run[..done * FRAME]);
            }
            if !lost {
                self.bitpos = (byte + done * FRAME) * 8;
                break;
            }
        }
        let used = (self.bitpos / 8).min(src.len());
        self.bitpos -= used * 8;
        used
    }

    /// G.706 §4.1.2 search: FAS, then bit 2 = 1 in the next frame, then FAS again.
    fn search(&mut self, src: &[u8]) -> bool {
        let need = 2 * FRAME * 8 + 16;
        while self.bitpos + need <= src.len() * 8 {
            let p = self.bitpos;
            if octet_at_bit(src, p) & 0x7F == FAS
                && octet_at_bit(src, p + 256) & 0x40 != 0
                && octet_at_bit(src, p + 512) & 0x7F == FAS
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

    /// The next 8 frames are a whole CRC-4 submultiframe in multiframe alignment, starting with
    /// a FAS frame: [`E1Rx::check_smf`] may take them at once.
    #[inline]
    fn smf_ready(&self) -> bool {
        self.whole_smfs
            && self.crc4
            && self.mf_confirmed
            && self.expect_fas
            && matches!(self.mf_pos, Some(0) | Some(8))
    }

    /// Checks the TS0 octets of a whole submultiframe (when [`E1Rx::smf_ready`]) with the
    /// same outcome as [`E1Rx::check_ts0`] on each of its frames in turn, its CRC-4 computed in
    /// one pass. Does nothing and returns false if one of its FAS words is errored (the frames
    /// then go one by one, which counts the error and may lose alignment).
    fn check_smf(&mut self, smf: &[u8; 8 * FRAME]) -> bool {
        let ts0 = |f: usize| smf[f * FRAME];
        if (ts0(0) & ts0(2) & ts0(4) & ts0(6) & 0x7F) != FAS
            || (ts0(0) | ts0(2) | ts0(4) | ts0(6)) & 0x7F != FAS
        {
            return false;
        }
        let p0 = self.mf_pos.unwrap_or(0);
        self.bad_fas_run = 0;
        let (t1, t3, t5, t7) = (ts0(1), ts0(3), ts0(5), ts0(7));
        // The A bits of the NFAS frames leave a saturated remote alarm state as it is when they
        // all agree with it.
        let steady = (self.rai_run == 3 && t1 & t3 & t5 & t7 & 0x20 != 0)
            || (self.rai_run == -3 && (t1 | t3 | t5 | t7) & 0x20 == 0);
        if !steady {
            for t in [t1, t3, t5, t7] {
                self.rai_frame(t);
            }
        }
        // Si of the NFAS frames at multiframe positions p0+1, +3, +5, +7: the MFAS check at 11
        // changes nothing once confirmed; 13 and 15 carry E-bits.
        self.nfas_si = (self.nfas_si << 4) | (t1 >> 7) << 3 | (t3 >> 7) << 2 | (t5 >> 7) << 1 | t7 >> 7;
        if p0 == 8 {
            self.counts.ebit += ((t5 >> 7) ^ 1) as u64 + ((t7 >> 7) ^ 1) as u64;
        }
        self.c_rx = (ts0(0) >> 7) << 3 | (ts0(2) >> 7) << 2 | (ts0(4) >> 7) << 1 | ts0(6) >> 7;
        self.crc_whole = true;
        self.smf_end(crc4_smf(smf, true));
        self.mf_pos = Some((p0 + 8) & 15);
        true
    }

    /// The remote alarm bit of an NFAS frame, integrated over three frames.
    #[inline]
    fn rai_frame(&mut self, ts0: u8) {
        let rai = ts0 & 0x20 != 0;
        self.rai_run = if rai { (self.rai_run.max(0) + 1).min(3) } else { (self.rai_run.min(0) - 1).max(-3) };
        if self.rai_run >= 3 {
            self.defects.rai = true;
        } else if self.rai_run <= -3 {
            self.defects.rai = false;
        }
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
            self.rai_frame(ts0);
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
            self.smf_end(self.crc.finish());
        }
    }

    /// End of a submultiframe whose CRC-4 is `crc`: the C bits received in it check the
    /// previous one's CRC.
    fn smf_end(&mut self, crc: u8) {
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
        self.crc_prev = if self.mf_confirmed && self.crc_whole { Some(crc) } else { None };
    }

    /// LOS (G.775: no ones over a frame's worth of bits) and AIS (fewer than 3 zeros in each of
    /// two consecutive 512-bit periods), over 64-octet windows from the start of `data`. A
    /// window of normal traffic is settled by one AND and one OR per half.
    fn watch_signal(&mut self, data: &[u8]) {
        let settled = !self.defects.los && !self.defects.ais && self.ais_ok_windows >= 2;
        if settled && all_windows_live(data) {
            return; // nothing would change
        }
        let mut windows = data.chunks_exact(64);
        for w in windows.by_ref() {
            let word = |i: usize| u64::from_le_bytes(w[8 * i..8 * i + 8].try_into().expect("8 octets"));
            let (w0, w1, w2, w3) = (word(0), word(1), word(2), word(3));
            let (w4, w5, w6, w7) = (word(4), word(5), word(6), word(7));
            // LOS per frame's worth (32 octets): no one bit.
            for half in [w0 | w1 | w2 | w3, w4 | w5 | w6 | w7] {
                if half == 0 {
                    self.defects.los = true;
                }
            }
            if self.defects.los {
                for h in 0..2 {
                    let ones: u32 = w[32 * h..32 * h + 32].iter().map(|b| b.count_ones()).sum();
                    if ones >= 32 {
                        self.defects.los = false;
                    } else if ones == 0 {
                        self.defects.los = true;
                    }
                }
            }
            // AIS: three zero bit positions in the AND of the window's words are three zeros.
            let mut z = !(w0 & w1 & w2 & w3 & w4 & w5 & w6 & w7);
            z &= z.wrapping_sub(1);
            z &= z.wrapping_sub(1);
            let low = z == 0 && w.iter().map(|b| b.count_zeros()).sum::<u32>() < 3;
            self.ais_window(low);
        }
        // A last partial window still counts its whole 32-octet halves for LOS.
        let rest = windows.remainder();
        if rest.len() >= FRAME {
            let half = &rest[..FRAME];
            if half.iter().all(|&b| b == 0) {
                self.defects.los = true;
            } else if self.defects.los && half.iter().map(|b| b.count_ones()).sum::<u32>() >= 32 {
                self.defects.los = false;
            }
        }
    }

    #[inline]
    fn ais_window(&mut self, low: bool) {
        if low {
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

/// True when every 64-octet window of `data` has a one bit in each 32-octet half and at least
/// three zero bits, and a trailing 32-octet half has a one bit: a line that is neither LOS nor
/// AIS anywhere. Branch-free over the windows (the usual case is that all are). A window
/// passes the zero test when each of three disjoint groups of octet positions has, in the AND
/// of its four 16-octet quarters, an octet that is not all ones: three distinct zeros (enough
/// for any real traffic; the exact count decides otherwise).
fn all_windows_live(data: &[u8]) -> bool {
    let mut windows = data.chunks_exact(64);
    let mut live = windows_live(&mut windows);
    let rest = windows.remainder();
    if rest.len() >= FRAME {
        live &= rest[..FRAME].iter().any(|&o| o != 0);
    }
    live
}

/// The window test of [`all_windows_live`] with SSE2 (x86_64 baseline).
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
fn windows_live(windows: &mut std::slice::ChunksExact<'_, u8>) -> bool {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_setzero_si128,
    };
    let mut live = true;
    for w in windows {
        let w: &[u8; 64] = w.try_into().expect("64 octets");
        // SAFETY: SSE2 is part of the x86_64 baseline; the four unaligned loads read
        // w[0..16], w[16..32], w[32..48] and w[48..64] of a 64-octet array.
        let (h0, h1, ff) = unsafe {
            let q = |i: usize| _mm_loadu_si128(w.as_ptr().add(16 * i) as *const __m128i);
            let (a, b, c, d) = (q(0), q(1), q(2), q(3));
            let zero = _mm_setzero_si128();
            let h0 = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(a, b), zero));
            let h1 = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(c, d), zero));
            let and = _mm_and_si128(_mm_and_si128(a, b), _mm_and_si128(c, d));
            let ff = _mm_movemask_epi8(_mm_cmpeq_epi8(and, _mm_set1_epi8(-1)));
            (h0, h1, ff)
        };
        let not_ff = !ff;
        let three = (not_ff & 0x001F != 0) & (not_ff & 0x03E0 != 0) & (not_ff & 0xFC00 != 0);
        live &= (h0 != 0xFFFF) & (h1 != 0xFFFF) & three;
    }
    live
}

/// The window test of [`all_windows_live`], portable.
#[cfg(not(target_arch = "x86_64"))]
fn windows_live(windows: &mut std::slice::ChunksExact<'_, u8>) -> bool {
    let mut live = true;
    for w in windows {
        let q = |i: usize| u128::from_le_bytes(w[16 * i..16 * i + 16].try_into().expect("16 octets"));
        let (a, b, c, d) = (q(0), q(1), q(2), q(3));
        let and = (a & b & c & d).to_le_bytes();
        let not_ff = |r: std::ops::Range<usize>| and[r].iter().any(|&o| o != 0xFF);
        live &= (a | b != 0) & (c | d != 0) & not_ff(0..5) & not_ff(5..10) & not_ff(10..16);
    }
    live
}

/// The frame at octet `byte`, bit `shift` of `src` (33 octets needed when `shift` > 0).
#[inline]
fn extract(src: &[u8], byte: usize, shift: u32) -> [u8; FRAME] {
    let mut f = [0u8; FRAME];
    if shift == 0 {
        f.copy_from_slice(&src[byte..byte + FRAME]);
    } else {
        let src = &src[byte..byte + FRAME + 1];
        for i in 0..FRAME {
            f[i] = (src[i] << shift) | (src[i + 1] >> (8 - shift));
        }
    }
    f
}

#[inline]
fn octet_at_bit(src: &[u8], bit: usize) -> u8 {
    let b = bit / 8;
    let s = (bit % 8) as u32;
    if s == 0 {
        src[b]
    } else {
        (src[b] << s) | (src[b + 1] >> (8 - s))
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
    fn finish_frames_equals_frame_by_frame() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for crc4 in [true, false] {
            let (mut a, mut b) = (E1Tx::new(crc4), E1Tx::new(crc4));
            for round in 0..300 {
                let frames = rng.gen_range(1..40);
                let mut line = vec![0u8; frames * FRAME];
                rng.fill(&mut line[..]);
                let mut want = line.clone();
                if round % 7 == 0 {
                    let e = rng.gen_range(0..4);
                    a.report_errored_smfs(e);
                    b.report_errored_smfs(e);
                }
                a.rai = round % 11 < 3;
                b.rai = a.rai;
                a.finish_frames(&mut line);
                for f in want.chunks_exact_mut(FRAME) {
                    b.finish_frame(f.try_into().unwrap());
                }
                assert_eq!(line, want, "crc4 {crc4} round {round}");
            }
        }
    }

    /// Bit-level damage: flipped bits, and bits dropped or inserted (the receiver must hunt).
    fn damage(line: &[u8], rng: &mut impl Rng, flips: usize, slips: usize) -> Vec<u8> {
        let mut bits: Vec<u8> = line.iter().flat_map(|&o| (0..8).rev().map(move |k| (o >> k) & 1)).collect();
        for _ in 0..flips {
            let at = rng.gen_range(0..bits.len());
            bits[at] ^= 1;
        }
        for _ in 0..slips {
            let at = rng.gen_range(0..bits.len());
            if rng.gen_bool(0.5) {
                bits.remove(at);
            } else {
                bits.insert(at, rng.gen_range(0..2));
            }
        }
        bits.chunks_exact(8).map(|c| c.iter().fold(0u8, |o, &b| (o << 1) | b)).collect()
    }

    #[test]
    fn whole_submultiframe_checks_match_frame_by_frame() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        for case in 0..24 {
            let mut tx = E1Tx::new(true);
            let mut line = Vec::new();
            for part in 0..20 {
                tx.rai = part % 5 == 3;
                if part % 3 == 1 {
                    tx.report_errored_smfs(rng.gen_range(0..5));
                }
                line.extend(make_frames(&mut tx, 16 * 12, &mut rng));
            }
            let line = damage(&line, &mut rng, case * 10, case % 4);
            let mut fast = E1Rx::new(true);
            let mut slow = E1Rx::new(true);
            slow.whole_smfs = false;
            let (mut got_fast, mut got_slow) = (Vec::new(), Vec::new());
            let mut at = 0;
            while at < line.len() {
                let end = (at + rng.gen_range(1..3000)).min(line.len());
                fast.push_line_runs(&line[at..end], &mut |r| got_fast.extend_from_slice(r));
                slow.push_line(&line[at..end], &mut |f| got_slow.extend_from_slice(f));
                assert_eq!(fast.counts, slow.counts, "case {case} at {at}");
                assert_eq!(fast.defects, slow.defects, "case {case} at {at}");
                assert_eq!(fast.new_errored_smfs, slow.new_errored_smfs, "case {case} at {at}");
                at = end;
            }
            assert!(got_fast == got_slow, "case {case}: delivered frames differ");
            assert!(fast.counts.aligns >= 1 && got_fast.len() > line.len() / 2, "case {case}");
        }
    }

    #[test]
    fn watch_signal_los_and_ais_follow_the_line() {
        let mut rx = E1Rx::new(true);
        // Zeros in the second half of a window: LOS; a later half with 32 ones clears it.
        let mut w = [0x55u8; 64];
        w[32..].fill(0);
        rx.push_line(&w, &mut |_| {});
        assert!(rx.defects.los);
        rx.push_line(&[0x0Fu8; 64], &mut |_| {});
        assert!(!rx.defects.los);
        // Two zeros in a window of ones is still AIS; three is not.
        let mut ones = [0xFFu8; 128];
        ones[3] = 0xFE;
        ones[70] = 0x7F;
        rx.push_line(&ones, &mut |_| {});
        assert!(rx.defects.ais);
        ones[90] = 0xEF;
        ones[5] = 0xBF;
        ones[100] = 0xFD;
        rx.push_line(&ones, &mut |_| {});
        assert!(rx.defects.ais, "one window with three zeros is not enough to clear");
        ones[10] = 0xDF;
        rx.push_line(&ones, &mut |_| {});
        assert!(!rx.defects.ais);
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
