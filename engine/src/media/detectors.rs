//! Building detectors by kind, with the options a channel needs (country for call progress).

use trunkline_dsp::dtmf::{Dtmf, DtmfConfig};
use trunkline_dsp::event::{Detector, DetectorKind};
use trunkline_dsp::mf::{Mf, MfKind};
use trunkline_dsp::vad::{Vad, VadConfig};

/// Options for building detectors.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectorOptions {
    /// Country of the call-progress tone table (`cn`, `us`, ...).
    pub country: String,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        Self { country: "cn".into() }
    }
}

/// A detector of `kind`, or `None` if this build has no detector of that kind.
pub fn make(kind: DetectorKind, opts: &DetectorOptions) -> Option<Box<dyn Detector>> {
    let _ = opts;
    Some(match kind {
        DetectorKind::Dtmf => Box::new(Dtmf::new(DtmfConfig::default())),
        DetectorKind::MfR1 => Box::new(Mf::new(MfKind::R1)),
        DetectorKind::MfR2Fwd => Box::new(Mf::new(MfKind::R2Fwd)),
        DetectorKind::MfR2Bwd => Box::new(Mf::new(MfKind::R2Bwd)),
        DetectorKind::Vad => Box::new(Vad::new(VadConfig::default())),
        _ => return None,
    })
}

/// Detectors of every kind in `kinds` that this build has.
pub fn make_set(kinds: &[DetectorKind], opts: &DetectorOptions) -> Vec<Box<dyn Detector>> {
    kinds.iter().filter_map(|&k| make(k, opts)).collect()
}
