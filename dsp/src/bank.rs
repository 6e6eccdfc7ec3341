//! Banks of detectors that process many channels in one call.
//!
//! [`DtmfBank`] runs `L` DTMF detectors over one block per lane and call. Each lane's
//! filters already keep all eight bins in one f32x8 vector with four independent chains (see
//! `bins8`), which saturates the vector units on one channel; spreading lanes across the vector
//! instead (struct-of-arrays) measured no faster and needed a transpose per sample. What the bank
//! adds is the one-call-per-block interface and lanes that stay in step, so every lane reports
//! exactly the events a single-channel detector reports.

use crate::dtmf::{Dtmf, DtmfConfig};
use crate::event::ToneEvent;
use crate::SampleTime;

/// Silence used to pad lanes whose block is shorter than the longest one.
const ZEROS: [i16; 64] = [0; 64];

/// `L` DTMF detectors stepped together. Fixed-size; never allocates.
#[derive(Clone, Debug)]
pub struct DtmfBank<const L: usize> {
    now: SampleTime,
    lanes: [Dtmf; L],
}

impl<const L: usize> DtmfBank<L> {
    /// A bank of `L` channels with the same limits.
    pub fn new(cfg: DtmfConfig) -> Self {
        let one = Dtmf::new(cfg);
        Self { now: 0, lanes: core::array::from_fn(|_| one.clone()) }
    }

    /// Forgets all state of every lane, including the sample clock.
    pub fn reset(&mut self) {
        self.now = 0;
        for l in &mut self.lanes {
            crate::event::Detector::reset(l);
        }
    }

    /// Samples consumed per lane since construction or `reset`.
    pub fn now(&self) -> SampleTime {
        self.now
    }

    /// The digit currently held on `lane`, if any.
    pub fn current(&self, lane: usize) -> Option<char> {
        self.lanes.get(lane).and_then(|d| d.current())
    }

    /// Feeds one block per lane (`blocks[lane]`); events come with their lane index. Blocks should
    /// have equal lengths: the longest sets the step, shorter or missing lanes are padded with
    /// silence, extra blocks beyond `L` are ignored.
    pub fn process(&mut self, blocks: &[&[i16]], emit: &mut dyn FnMut(usize, ToneEvent)) {
        let n = blocks.iter().take(L).map(|b| b.len()).max().unwrap_or(0);
        for (l, d) in self.lanes.iter_mut().enumerate() {
            let b = blocks.get(l).copied().unwrap_or(&[]);
            let mut e = |ev| emit(l, ev);
            crate::event::Detector::process(d, b, &mut e);
            let mut pad = n - b.len().min(n);
            while pad > 0 {
                let z = &ZEROS[..pad.min(ZEROS.len())];
                crate::event::Detector::process(d, z, &mut e);
                pad -= z.len();
            }
        }
        self.now += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Detector;
    use crate::gen::{dtmf_string, SpeechLike};

    #[test]
    fn bank_matches_single_channel_detectors() {
        let mut chans: Vec<Vec<i16>> = (0..8)
            .map(|i| {
                let digits: String = "0123456789*#ABCD".chars().cycle().skip(i).take(6).collect();
                dtmf_string(&digits, -12.0 - i as f32, -2.0, 45 + 5 * i as u32, 50)
            })
            .collect();
        let mut s = SpeechLike::new(-20.0, 3);
        chans[7] = (0..8000).map(|_| crate::gen::clip(s.next_sample())).collect();
        let n = chans.iter().map(|c| c.len()).max().unwrap();
        let mut bank = DtmfBank::<8>::new(DtmfConfig::default());
        let mut got: Vec<Vec<ToneEvent>> = vec![Vec::new(); 8];
        for t in (0..n).step_by(160) {
            let blocks: Vec<&[i16]> =
                chans.iter().map(|c| c.get(t..(t + 160).min(c.len())).unwrap_or(&[])).collect();
            bank.process(&blocks, &mut |l, e| got[l].push(e));
        }
        for (l, c) in chans.iter().enumerate() {
            let mut padded = c.clone();
            padded.resize(n.div_ceil(160) * 160, 0);
            let mut d = Dtmf::default();
            let mut want = Vec::new();
            d.process(&padded, &mut |e| want.push(e));
            assert_eq!(got[l], want, "lane {l}");
            if l < 7 {
                assert_eq!(want.len(), 12, "lane {l}");
            }
        }
        bank.process(&[], &mut |_, _| {});
        bank.reset();
        assert_eq!(bank.now(), 0);
    }
}
