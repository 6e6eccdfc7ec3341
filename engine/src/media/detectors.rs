//! Building detectors by kind, with the options a channel needs (country for call progress).

use trunkline_dsp::amd::{AmdDetector, AmdParams};
use trunkline_dsp::beep::BeepDetector;
use trunkline_dsp::cpt::{tables, CptDetector};
use trunkline_dsp::dtmf::{Dtmf, DtmfConfig};
use trunkline_dsp::event::{Detector, DetectorKind};
use trunkline_dsp::fax::FaxDetector;
use trunkline_dsp::mf::{Mf, MfKind};
use trunkline_dsp::sit::SitDetector;
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

/// A detector of `kind`, or `None` if it cannot be built (a call-progress detector for a
/// country without a tone table).
pub fn make(kind: DetectorKind, opts: &DetectorOptions) -> Option<Box<dyn Detector>> {
    Some(match kind {
        DetectorKind::Cpt => Box::new(CptDetector::new(&[tables::country(&opts.country)?])),
        DetectorKind::Sit => Box::new(SitDetector::new()),
        DetectorKind::Fax => Box::new(FaxDetector::new()),
        DetectorKind::Beep => Box::new(BeepDetector::new()),
        DetectorKind::Amd => Box::new(AmdDetector::new(AmdParams::default())),
        DetectorKind::Dtmf => Box::new(Dtmf::new(DtmfConfig::default())),
        DetectorKind::MfR1 => Box::new(Mf::new(MfKind::R1)),
        DetectorKind::MfR2Fwd => Box::new(Mf::new(MfKind::R2Fwd)),
        DetectorKind::MfR2Bwd => Box::new(Mf::new(MfKind::R2Bwd)),
        DetectorKind::Vad => Box::new(Vad::new(VadConfig::default())),
    })
}

/// Detectors of every kind in `kinds` that this build has.
pub fn make_set(kinds: &[DetectorKind], opts: &DetectorOptions) -> Vec<Box<dyn Detector>> {
    kinds.iter().filter_map(|&k| make(k, opts)).collect()
}
