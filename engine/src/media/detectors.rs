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

/// Call progress as `trunkctl analyze` reports it: the country tones and SIT in one detector,
/// SIT events reported as `cpt` with value `sit` and their code.
pub struct CptAndSit {
    cpt: CptDetector,
    sit: SitDetector,
}

impl CptAndSit {
    /// For one country (ISO 3166 alpha-2 as in the tone tables), or every table when `None`.
    pub fn new(country: Option<&str>) -> Result<Self, String> {
        let countries = match country {
            Some(c) => vec![tables::country(c).ok_or_else(|| {
                let known: Vec<&str> = tables::all_countries().iter().map(|c| c.code).collect();
                format!("no tone table for country {c:?} (known: {})", known.join(", "))
            })?],
            None => tables::all_countries(),
        };
        Ok(Self { cpt: CptDetector::new(&countries), sit: SitDetector::new() })
    }
}

impl Detector for CptAndSit {
    fn kind(&self) -> DetectorKind {
        DetectorKind::Cpt
    }

    fn reset(&mut self) {
        Detector::reset(&mut self.cpt);
        Detector::reset(&mut self.sit);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(trunkline_dsp::event::ToneEvent)) {
        Detector::process(&mut self.cpt, samples, emit);
        Detector::process(&mut self.sit, samples, &mut |mut e| {
            e.detector = DetectorKind::Cpt;
            e.value = trunkline_dsp::event::Label::new("sit");
            emit(e)
        });
    }

    fn now(&self) -> u64 {
        Detector::now(&self.cpt)
    }
}
