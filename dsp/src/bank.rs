//! Banks of detectors that process many channels in one pass.
//!
//! A single Goertzel filter is a recursion: each sample waits for the previous one, so one channel
//! cannot keep a core's vector units busy. [`DtmfBank`] keeps the filter state of `L` channels as
//! struct-of-arrays (`[filter][lane]`) and steps all lanes together, so the innermost loop runs
//! over independent lanes with the same coefficient and vectorises; the per-frame decisions and
//! debouncing are the single-channel detector's, so a bank gives exactly the same events.

use crate::dtmf::{decide, Dtmf, DtmfConfig, DTMF_CHAINS as CHAINS, H, LABELS};
use crate::dualtone::Frame;
use crate::event::ToneEvent;
use crate::SampleTime;

/// Samples per Goertzel chain within a frame.
const CL: usize = H / CHAINS;

/// `L` DTMF detectors stepped together (use 8 or 16 lanes). Fixed-size; never allocates.
///
/// The arithmetic per lane is exactly the single-channel detector's (same chains, same order of
/// operations), so every lane reports bit-identical events.
#[derive(Clone, Debug)]
pub struct DtmfBank<const L: usize> {
    k: [f32; 8],
    cosw: [f32; 8],
    sinw: [f32; 8],
    rot_re: [[f32; 8]; CHAINS],
    rot_im: [[f32; 8]; CHAINS],
    win: [f32; H],
    /// Windowed samples of the current frame, `[sample][lane]`.
    xs: [[f32; L]; H],
    pos: usize,
    now: SampleTime,
    lanes: [Dtmf; L],
}

impl<const L: usize> DtmfBank<L> {
    /// A bank of `L` channels with the same limits.
    pub fn new(cfg: DtmfConfig) -> Self {
        let one = Dtmf::new(cfg);
        Self {
            k: one.frames.bins.k,
            cosw: one.frames.bins.cosw,
            sinw: one.frames.bins.sinw,
            rot_re: one.frames.bins.rot_re,
            rot_im: one.frames.bins.rot_im,
            win: one.frames.win,
            xs: [[0.0; L]; H],
            pos: 0,
            now: 0,
            lanes: core::array::from_fn(|_| one.clone()),
        }
    }

    /// Forgets all state of every lane, including the sample clock.
    pub fn reset(&mut self) {
        self.pos = 0;
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
        let mut t = 0;
        while t < n {
            let take = (n - t).min(H - self.pos);
            // Transpose and window this stretch into the lane-major frame buffer.
            let pos = self.pos;
            for row in &mut self.xs[pos..pos + take] {
                *row = [0.0; L];
            }
            for (l, b) in blocks.iter().take(L).enumerate() {
                let seg = b.get(t..(t + take).min(b.len())).unwrap_or(&[]);
                for (j, &v) in seg.iter().enumerate() {
                    self.xs[pos + j][l] = v as f32 * self.win[pos + j];
                }
            }
            self.pos += take;
            self.now += take as u64;
            t += take;
            if self.pos == H {
                self.pos = 0;
                self.frame(emit);
            }
        }
    }

    /// Runs the filters of every lane over the complete frame (lanes innermost: independent
    /// recursions side by side), then lets each lane's detector decide.
    fn frame(&mut self, emit: &mut dyn FnMut(usize, ToneEvent)) {
        let xs = &self.xs;
        let mut re = [[0.0f32; L]; 8];
        let mut im = [[0.0f32; L]; 8];
        // Two filters × every chain at a time: enough independent recursions to hide the
        // multiply-add latency, few enough to stay in registers.
        for i0 in (0..8).step_by(2) {
            let k = [self.k[i0], self.k[i0 + 1]];
            let mut s1 = [[[0.0f32; L]; 2]; CHAINS];
            let mut s2 = [[[0.0f32; L]; 2]; CHAINS];
            for j in 0..CL {
                for c in 0..CHAINS {
                    let x = &xs[c * CL + j];
                    for b in 0..2 {
                        for l in 0..L {
                            let s0 = k[b] * s1[c][b][l] + (x[l] - s2[c][b][l]);
                            s2[c][b][l] = s1[c][b][l];
                            s1[c][b][l] = s0;
                        }
                    }
                }
            }
            for c in 0..CHAINS {
                for b in 0..2 {
                    let i = i0 + b;
                    let (cw, sw, rr, ri) = (self.cosw[i], self.sinw[i], self.rot_re[c][i], self.rot_im[c][i]);
                    for l in 0..L {
                        let r = s1[c][b][l] - cw * s2[c][b][l];
                        let m = sw * s2[c][b][l];
                        re[i][l] += rr * r - ri * m;
                        im[i][l] += rr * m + ri * r;
                    }
                }
            }
        }
        // Frame energy per lane, in the order of `dualtone::energy`.
        let mut acc = [[0.0f32; L]; 8];
        for ch in xs.chunks_exact(8) {
            for m in 0..8 {
                for l in 0..L {
                    acc[m][l] += ch[m][l] * ch[m][l];
                }
            }
        }
        let now = self.now;
        for (l, d) in self.lanes.iter_mut().enumerate() {
            let a = |m: usize| acc[m][l];
            let energy = ((a(0) + a(1)) + (a(2) + a(3))) + ((a(4) + a(5)) + (a(6) + a(7)));
            let mut f = Frame { re: [0.0; 8], im: [0.0; 8], energy };
            for i in 0..8 {
                f.re[i] = re[i][l];
                f.im[i] = im[i][l];
            }
            let Dtmf { cfg, measurer, deb, tol_hz, min_power, now: dnow, .. } = d;
            *dnow = now;
            let hit = measurer.measure(&f, |m| decide(cfg, tol_hz, *min_power, m));
            deb.frame(hit, now, &LABELS, &mut |e| emit(l, e));
        }
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
