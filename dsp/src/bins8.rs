//! Eight Goertzel filters held in one f32x8 vector: the DTMF detector's filter bank.
//!
//! A frame of 64 samples runs as four chains of 16 samples (recombined by a phase rotation, see
//! [`crate::dualtone::BinBank`]), and each chain keeps all eight bins in one vector: a recursion
//! step is one subtract and one fused multiply-add for the eight bins, and the four chains give
//! enough independent steps to hide the multiply-add latency while the whole state (4 × 2
//! vectors) stays in registers.
//!
//! The kernel is written once and compiled twice: with AVX2 and FMA (chosen at run time when the
//! CPU has them) and portable. A fused multiply-add is exactly rounded on every target, so both
//! give bit-identical frames and therefore identical decisions; the portable one is only slower
//! (without hardware FMA each `mul_add` is a library call).

use crate::dualtone::{BinBank, Frame};

/// Independent chains per frame.
pub(crate) const CHAINS: usize = 4;
/// Samples per frame.
pub(crate) const H: usize = 64;
/// Samples per chain.
const CL: usize = H / CHAINS;

/// Which compiled kernel runs the recursion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// f32x8 with AVX2 and FMA (x86_64 CPUs since about 2013).
    Avx2Fma,
    /// Portable code, any CPU; the same results, slower.
    Portable,
}

impl Kernel {
    /// The fastest kernel this CPU runs.
    pub fn best() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            return Kernel::Avx2Fma;
        }
        Kernel::Portable
    }
}

/// Eight windowed Goertzel filters over 64-sample frames.
#[derive(Clone, Debug)]
pub(crate) struct Bins8 {
    pub(crate) bank: BinBank<8, H, CHAINS>,
    kernel: Kernel,
}

impl Bins8 {
    pub fn new(freqs: &[f32; 8]) -> Self {
        Self { bank: BinBank::new(freqs), kernel: Kernel::best() }
    }

    /// Uses `kernel` (falls back to the portable one when the CPU lacks the instructions).
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = if kernel == Kernel::best() { kernel } else { Kernel::Portable };
    }

    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The Goertzel results (`y = Σ x[n] e^{jω(H-1-n)}` per bin) and the energy of one frame of
    /// raw samples, windowed by `win`.
    #[inline]
    pub fn analyze(&self, raw: &[i16; H], win: &[f32; H]) -> Frame<8> {
        #[cfg(target_arch = "x86_64")]
        if self.kernel == Kernel::Avx2Fma {
            // SAFETY: `kernel` is only `Avx2Fma` when `Kernel::best` found AVX2 and FMA on this
            // CPU (`new` and `set_kernel` both go through it), which is all `analyze_avx2_fma`
            // requires; it reads and writes nothing but its arguments.
            #[allow(unsafe_code)]
            return unsafe { analyze_avx2_fma(&self.bank, raw, win) };
        }
        analyze(&self.bank, raw, win)
    }
}

/// [`analyze`] compiled for AVX2 and FMA: each `[f32; 8]` row becomes one ymm register.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn analyze_avx2_fma(b: &BinBank<8, H, CHAINS>, raw: &[i16; H], win: &[f32; H]) -> Frame<8> {
    analyze(b, raw, win)
}

/// Windows the frame, sums its energy, runs `s0 = k s1 − s2 + x` over four chains of 16 samples
/// (eight bins at a time) and rotates the chains' results to the frame's end.
#[inline(always)]
fn analyze(b: &BinBank<8, H, CHAINS>, raw: &[i16; H], win: &[f32; H]) -> Frame<8> {
    let mut x = [0.0f32; H];
    for n in 0..H {
        x[n] = raw[n] as f32 * win[n];
    }
    // Energy with eight partial sums, added pairwise.
    let mut acc = [0.0f32; 8];
    for ch in x.chunks_exact(8) {
        for l in 0..8 {
            acc[l] = ch[l].mul_add(ch[l], acc[l]);
        }
    }
    let energy = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    // Keep the windowed frame in memory: the recursion broadcasts each sample to all bins, which
    // from memory is one load, while from the lanes of a register it takes one or two shuffles
    // (the compiler otherwise keeps `x` in registers and shuffles; measured 20 % slower).
    let x = core::hint::black_box(&x);
    let k = b.k;
    let mut s1 = [[0.0f32; 8]; CHAINS];
    let mut s2 = [[0.0f32; 8]; CHAINS];
    for j in 0..CL {
        for c in 0..CHAINS {
            let xv = x[c * CL + j];
            for i in 0..8 {
                // `xv - s2` does not wait for the previous step: only the fused multiply-add sits
                // on the recursive critical path.
                let s0 = k[i].mul_add(s1[c][i], xv - s2[c][i]);
                s2[c][i] = s1[c][i];
                s1[c][i] = s0;
            }
        }
    }
    let mut f = Frame { re: [0.0; 8], im: [0.0; 8], energy };
    for c in 0..CHAINS {
        for i in 0..8 {
            let re = b.cosw[i].mul_add(-s2[c][i], s1[c][i]);
            let im = b.sinw[i] * s2[c][i];
            f.re[i] += b.rot_re[c][i].mul_add(re, -(b.rot_im[c][i] * im));
            f.im[i] += b.rot_re[c][i].mul_add(im, b.rot_im[c][i] * re);
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtmf::FREQS;

    #[test]
    fn kernels_agree_bit_for_bit_and_match_plain_goertzel() {
        let mut fast = Bins8::new(&FREQS);
        let mut slow = fast.clone();
        slow.set_kernel(Kernel::Portable);
        fast.set_kernel(Kernel::best());
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            assert_eq!(fast.kernel(), Kernel::Avx2Fma);
        }
        assert_eq!(slow.kernel(), Kernel::Portable);
        let mut seed = 7u32;
        let win = crate::dualtone::hann_window::<H>();
        for _ in 0..200 {
            let raw: [i16; H] = core::array::from_fn(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 16) as i16
            });
            let x: Vec<f32> = raw.iter().zip(&win).map(|(&r, &w)| r as f32 * w).collect();
            let (a, b) = (fast.analyze(&raw, &win), slow.analyze(&raw, &win));
            assert_eq!(a.re.map(f32::to_bits), b.re.map(f32::to_bits));
            assert_eq!(a.im.map(f32::to_bits), b.im.map(f32::to_bits));
            assert_eq!(a.energy.to_bits(), b.energy.to_bits());
            let e: f32 = x.iter().map(|v| v * v).sum();
            assert!((a.energy - e).abs() <= 1e-4 * e, "energy {} vs {e}", a.energy);
            // Same magnitude as one long Goertzel over the frame.
            for (i, &f) in FREQS.iter().enumerate() {
                let want = crate::goertzel::power(&x, f);
                let got = a.re[i] * a.re[i] + a.im[i] * a.im[i];
                assert!((got - want).abs() <= 1e-3 * want.max(1.0), "bin {i}: {got} vs {want}");
            }
        }
    }
}
