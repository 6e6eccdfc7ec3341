//! E1 channel-associated signalling in TS16 (G.704 §5.1.3): the 16-frame CAS multiframe with its
//! MFAS (0000 in frame 0), ABCD nibbles for timeslots n and n+16 in frame n, and per-channel
//! debouncing of the received bits.

/// ABCD bits per timeslot index (0..32; TS0 and TS16 unused).
pub type AbcdTable = [u8; 32];

/// Builds TS16 octets of the CAS multiframe.
#[derive(Clone, Copy, Debug, Default)]
pub struct CasTx {
    frame: u8,
    /// Send the remote multiframe alarm (Y bit).
    pub y_alarm: bool,
}

impl CasTx {
    /// The TS16 octet of the next frame, from the ABCD bits to send per timeslot.
    #[inline]
    pub fn next_ts16(&mut self, abcd: &AbcdTable) -> u8 {
        let f = self.frame as usize;
        self.frame = (self.frame + 1) & 15;
        if f == 0 {
            0x0B | ((self.y_alarm as u8) << 2)
        } else {
            ((abcd[f] & 0x0F) << 4) | (abcd[f + 16] & 0x0F)
        }
    }
}

impl CasTx {
    /// Fills `out` with the TS16 octets of the next `out.len()` frames, as [`CasTx::next_ts16`]
    /// on each in turn would: one multiframe is built, then repeated from the current phase.
    pub fn fill_ts16(&mut self, abcd: &AbcdTable, out: &mut [u8]) {
        let mut mf = [0u8; 16];
        let start = self.frame;
        self.frame = 0;
        for o in mf.iter_mut() {
            *o = self.next_ts16(abcd);
        }
        for (i, o) in out.iter_mut().enumerate() {
            *o = mf[(start as usize + i) & 15];
        }
        self.frame = ((start as usize + out.len()) & 15) as u8;
    }
}

/// A received change of (debounced) ABCD bits on one timeslot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CasChange {
    /// Timeslot (1..=15, 17..=31).
    pub timeslot: u8,
    /// New bits (ABCD in the low nibble).
    pub abcd: u8,
}

/// Finds the CAS multiframe in TS16 and extracts debounced ABCD bits.
#[derive(Clone, Debug)]
pub struct CasRx {
    /// Position in the multiframe of the next octet, once aligned.
    pos: Option<u8>,
    confirmed: bool,
    bad_mfas: u8,
    /// Reported (debounced) bits per timeslot.
    bits: AbcdTable,
    /// Candidate new bits per timeslot and for how many multiframes they have been seen.
    cand: AbcdTable,
    seen: [u8; 32],
    /// Multiframes a new value must persist before it is reported (0 = at once).
    debounce_mf: u8,
    /// Remote multiframe alarm (Y bit) received.
    pub y_alarm: bool,
}

impl CasRx {
    /// A receiver reporting a change after it has persisted `debounce_ms` (rounded up to whole
    /// 2 ms multiframes). Bits start as 1111 (an unaligned E1 TS16 reads as all ones).
    pub fn new(debounce_ms: u32) -> Self {
        Self {
            pos: None,
            confirmed: false,
            bad_mfas: 0,
            bits: [0x0F; 32],
            cand: [0x0F; 32],
            seen: [0; 32],
            debounce_mf: debounce_ms.div_ceil(2).min(255) as u8,
            y_alarm: false,
        }
    }

    /// True when the multiframe alignment is confirmed.
    pub fn aligned(&self) -> bool {
        self.confirmed
    }

    /// Current debounced bits of a timeslot.
    pub fn bits(&self, timeslot: usize) -> u8 {
        self.bits[timeslot]
    }

    /// Forgets the alignment (frame alignment was lost).
    pub fn lose_alignment(&mut self) {
        self.pos = None;
        self.confirmed = false;
        self.bad_mfas = 0;
    }

    /// Feeds the TS16 octet of the next frame.
    #[inline]
    pub fn push_ts16(&mut self, o: u8, on_change: &mut impl FnMut(CasChange)) {
        let Some(pos) = self.pos else {
            if o & 0xF0 == 0 {
                self.pos = Some(1);
                self.y_alarm = o & 0x04 != 0;
            }
            return;
        };
        self.pos = Some((pos + 1) & 15);
        if pos == 0 {
            if o & 0xF0 == 0 {
                self.confirmed = true;
                self.bad_mfas = 0;
                self.y_alarm = o & 0x04 != 0;
            } else {
                self.bad_mfas += 1;
                // G.732: two consecutive errored MFAS lose the multiframe alignment.
                if self.bad_mfas >= 2 || !self.confirmed {
                    self.lose_alignment();
                }
            }
            return;
        }
        if !self.confirmed {
            return;
        }
        let p = pos as usize;
        self.update(p, o >> 4, on_change);
        self.update(p + 16, o & 0x0F, on_change);
    }

    /// Feeds the TS16 octets of a run of frames (`stride` octets each, TS16 at `offset`), as
    /// [`CasRx::push_ts16`] on each in turn would. A whole multiframe that only repeats the
    /// bits already reported is taken at once.
    pub fn push_ts16_run(
        &mut self,
        run: &[u8],
        stride: usize,
        offset: usize,
        on_change: &mut impl FnMut(CasChange),
    ) {
        let frames = run.len() / stride;
        let mut f = 0;
        while f < frames {
            if self.confirmed && self.pos == Some(0) && frames - f >= 16 {
                let o = |p: usize| run[(f + p) * stride + offset];
                let same = (1..16).all(|p| o(p) == (self.bits[p] << 4 | self.bits[p + 16]));
                if o(0) & 0xF0 == 0 && same {
                    // MFAS good, and every nibble equals its reported bits: no candidate survives.
                    self.bad_mfas = 0;
                    self.y_alarm = o(0) & 0x04 != 0;
                    self.cand = self.bits;
                    self.seen = [0; 32];
                    f += 16;
                    continue;
                }
            }
            self.push_ts16(run[f * stride + offset], on_change);
            f += 1;
        }
    }

    #[inline]
    fn update(&mut self, ts: usize, v: u8, on_change: &mut impl FnMut(CasChange)) {
        if v == self.bits[ts] {
            self.seen[ts] = 0;
            self.cand[ts] = v;
            return;
        }
        if v != self.cand[ts] {
            self.cand[ts] = v;
            self.seen[ts] = 0;
        }
        if self.seen[ts] >= self.debounce_mf {
            self.bits[ts] = v;
            self.seen[ts] = 0;
            on_change(CasChange { timeslot: ts as u8, abcd: v });
        } else {
            self.seen[ts] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        tx: &mut CasTx,
        rx: &mut CasRx,
        abcd: &AbcdTable,
        frames: usize,
        log: &mut Vec<(usize, CasChange)>,
        t0: usize,
    ) {
        for f in 0..frames {
            let o = tx.next_ts16(abcd);
            rx.push_ts16(o, &mut |c| log.push((t0 + f, c)));
        }
    }

    #[test]
    fn change_propagates_within_one_multiframe_without_debounce() {
        let mut tx = CasTx::default();
        let mut rx = CasRx::new(0);
        let mut abcd = [0x0D; 32]; // 1101: R2 idle
        let mut log = Vec::new();
        run(&mut tx, &mut rx, &abcd, 64, &mut log, 0);
        assert!(rx.aligned());
        assert_eq!(rx.bits(1), 0x0D);
        log.clear();
        abcd[5] = 0x05;
        run(&mut tx, &mut rx, &abcd, 16, &mut log, 64);
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].1, CasChange { timeslot: 5, abcd: 0x05 });
        assert!(log[0].0 - 64 < 16, "seen after {} frames", log[0].0 - 64);
    }

    #[test]
    fn fill_equals_octet_by_octet() {
        let (mut a, mut b) = (CasTx::default(), CasTx::default());
        let mut abcd = [0x0D; 32];
        for len in [1usize, 7, 16, 33, 160, 5] {
            abcd[len % 32] = len as u8 & 0x0F;
            a.y_alarm = len == 33;
            b.y_alarm = a.y_alarm;
            let mut out = vec![0u8; len];
            a.fill_ts16(&abcd, &mut out);
            let want: Vec<u8> = (0..len).map(|_| b.next_ts16(&abcd)).collect();
            assert_eq!(out, want, "len {len}");
        }
    }

    #[test]
    fn runs_of_frames_equal_octet_by_octet() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for debounce in [0, 4] {
            let mut tx = CasTx::default();
            let (mut a, mut b) = (CasRx::new(debounce), CasRx::new(debounce));
            let (mut la, mut lb) = (Vec::new(), Vec::new());
            let mut abcd = [0x0D; 32];
            for round in 0..400 {
                if round % 9 == 0 {
                    abcd[rng.gen_range(1..32)] = rng.gen_range(0..16);
                }
                let frames = rng.gen_range(1..70);
                // Frames of 32 octets with TS16 filled; sometimes a corrupted TS16 octet.
                let mut run = vec![0u8; frames * 32];
                for f in 0..frames {
                    run[32 * f + 16] = tx.next_ts16(&abcd);
                    if rng.gen_range(0..300) == 0 {
                        run[32 * f + 16] ^= 1 << rng.gen_range(0..8);
                    }
                }
                a.push_ts16_run(&run, 32, 16, &mut |c| la.push((round, c)));
                for f in 0..frames {
                    b.push_ts16(run[32 * f + 16], &mut |c| lb.push((round, c)));
                }
                assert_eq!(la, lb, "round {round}");
                assert_eq!(
                    (a.bits, a.cand, a.seen, a.pos, a.confirmed),
                    (b.bits, b.cand, b.seen, b.pos, b.confirmed)
                );
                assert_eq!((a.bad_mfas, a.y_alarm), (b.bad_mfas, b.y_alarm));
                if round % 50 == 49 {
                    a.lose_alignment();
                    b.lose_alignment();
                }
            }
            assert!(!la.is_empty());
        }
    }

    #[test]
    fn glitches_shorter_than_debounce_are_ignored() {
        let mut tx = CasTx::default();
        let mut rx = CasRx::new(4); // 2 multiframes
        let mut abcd = [0x0D; 32];
        let mut log = Vec::new();
        run(&mut tx, &mut rx, &abcd, 64, &mut log, 0);
        log.clear();
        // One multiframe of 0101 then back: suppressed.
        abcd[20] = 0x05;
        run(&mut tx, &mut rx, &abcd, 16, &mut log, 0);
        abcd[20] = 0x0D;
        run(&mut tx, &mut rx, &abcd, 64, &mut log, 0);
        assert!(log.is_empty(), "{log:?}");
        // Three multiframes: reported once.
        abcd[20] = 0x05;
        run(&mut tx, &mut rx, &abcd, 64, &mut log, 0);
        assert_eq!(log.iter().map(|x| x.1).collect::<Vec<_>>(), vec![CasChange { timeslot: 20, abcd: 0x05 }]);
    }
}
