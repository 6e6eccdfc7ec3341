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
