//! What a handle can play: a WAV prompt or a generated signal (DTMF or MF digits, a country's
//! call-progress tone, a single or dual tone at a level in dBm0, silence).

use std::path::Path;
use std::sync::Arc;

use trunkline_dsp::cpt::tables::{self, CptTone};
use trunkline_dsp::gen::{Cadenced, DualTone};
use trunkline_dsp::mf::MfKind;

use crate::media::PlayItem;

/// Something to play on a channel.
#[derive(Clone, Debug, PartialEq)]
pub enum Prompt {
    /// Recorded audio, 8 kHz linear (a WAV prompt loaded with [`Prompt::wav_file`]).
    Samples(Arc<[i16]>),
    /// A single tone: `hz` at `dbm0` for `ms` (0: until stopped).
    Tone {
        /// Frequency in Hz.
        hz: f32,
        /// Level in dBm0.
        dbm0: f32,
        /// Duration in ms; 0 plays until [`crate::handle::Switch::stop_play`].
        ms: u32,
    },
    /// Two tones together, each at `dbm0`, for `ms` (0: until stopped).
    Dual {
        /// First frequency (Hz).
        f1: f32,
        /// Second frequency (Hz).
        f2: f32,
        /// Level of each in dBm0.
        dbm0: f32,
        /// Duration in ms; 0 plays until stopped.
        ms: u32,
    },
    /// DTMF digits (`0-9 * # A-D`), each `on_ms` then `off_ms` of silence.
    Dtmf {
        /// The keys.
        digits: String,
        /// Level of each component in dBm0.
        dbm0: f32,
        /// Tone time per digit.
        on_ms: u32,
        /// Pause after each digit.
        off_ms: u32,
    },
    /// MF signals (R1 or MFC/R2 forward/backward), codes 1..=15.
    Mf {
        /// Which MF family.
        kind: MfKind,
        /// Signal codes.
        codes: Vec<u8>,
        /// Level of each component in dBm0.
        dbm0: f32,
        /// Tone time per signal.
        on_ms: u32,
        /// Pause after each signal.
        off_ms: u32,
    },
    /// A country's call-progress tone with its cadence (busy, ringback...) for `ms`.
    Progress {
        /// ISO 3166 alpha-2 code of the tone table (`cn`, `us`, `de`...).
        country: String,
        /// Which tone.
        tone: CptTone,
        /// Level per component in dBm0.
        dbm0: f32,
        /// Duration in ms.
        ms: u32,
    },
    /// Silence for `ms`.
    Silence {
        /// Duration in ms.
        ms: u32,
    },
}

/// Why a prompt cannot be played.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PromptError {
    /// The WAV file could not be read or is not 8 kHz mono.
    #[error("prompt {path}: {reason}")]
    Wav {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A DTMF key that does not exist.
    #[error("{0:?} is not a DTMF key (0-9 * # A-D)")]
    BadDigit(char),
    /// An MF code outside 1..=15.
    #[error("MF code {0} is not 1..=15")]
    BadMfCode(u8),
    /// No tone table for the country.
    #[error("no call-progress tone table for country {0:?}")]
    NoCountry(String),
    /// A frequency or level that makes no sense.
    #[error("bad tone: {0}")]
    BadTone(String),
}

impl Prompt {
    /// Loads a WAV prompt (8 kHz, mono; PCM or G.711).
    pub fn wav_file(path: impl AsRef<Path>) -> Result<Prompt, PromptError> {
        let p = path.as_ref();
        let err = |reason: String| PromptError::Wav { path: p.display().to_string(), reason };
        let wav = crate::record::wav::read_wav(p).map_err(|e| err(e.to_string()))?;
        if wav.spec.sample_rate != 8000 {
            return Err(err(format!("sample_rate is {} Hz, prompts must be 8000 Hz", wav.spec.sample_rate)));
        }
        if wav.spec.channels != 1 {
            return Err(err(format!("channels is {}, prompts must be mono", wav.spec.channels)));
        }
        Ok(Prompt::Samples(wav.samples.into()))
    }

    /// Parses `HZ@DBM0` or `HZ+HZ@DBM0` with an optional `/MS` (`1004@-10/500`, `350+440@-13`).
    pub fn parse_tone(s: &str) -> Result<Prompt, PromptError> {
        let bad = || PromptError::BadTone(format!("{s:?}: expected HZ[+HZ]@DBM0[/MS]"));
        let (body, ms) = match s.split_once('/') {
            Some((b, m)) => (b, m.trim().parse::<u32>().map_err(|_| bad())?),
            None => (s, 0),
        };
        let (f, l) = body.split_once('@').ok_or_else(bad)?;
        let dbm0: f32 = l.trim().parse().map_err(|_| bad())?;
        let fs: Vec<f32> =
            f.split('+').map(|x| x.trim().parse::<f32>()).collect::<Result<_, _>>().map_err(|_| bad())?;
        let p = match fs[..] {
            [hz] => Prompt::Tone { hz, dbm0, ms },
            [f1, f2] => Prompt::Dual { f1, f2, dbm0, ms },
            _ => return Err(bad()),
        };
        p.check()?;
        Ok(p)
    }

    fn check(&self) -> Result<(), PromptError> {
        let tone_ok = |hz: f32, dbm0: f32| {
            if !(hz > 0.0 && hz < 4000.0) {
                return Err(PromptError::BadTone(format!("{hz} Hz is not inside 0..4000 Hz")));
            }
            if !(-60.0..=3.17).contains(&dbm0) {
                return Err(PromptError::BadTone(format!("{dbm0} dBm0 is not inside -60..=3.17")));
            }
            Ok(())
        };
        match self {
            Prompt::Tone { hz, dbm0, .. } => tone_ok(*hz, *dbm0),
            Prompt::Dual { f1, f2, dbm0, .. } => tone_ok(*f1, *dbm0).and(tone_ok(*f2, *dbm0)),
            _ => Ok(()),
        }
    }

    /// The play-queue item (allocates: build it in the engine core, not on a real-time thread).
    pub fn to_item(&self) -> Result<PlayItem, PromptError> {
        self.check()?;
        let steady = |t: DualTone, ms: u32| PlayItem::Tone {
            gen: Cadenced::new(t, &[]),
            left: (ms > 0).then_some(ms as usize * 8),
        };
        Ok(match self {
            Prompt::Samples(s) => PlayItem::Clip { samples: s.clone(), pos: 0 },
            Prompt::Tone { hz, dbm0, ms } => steady(DualTone::single(*hz, *dbm0), *ms),
            Prompt::Dual { f1, f2, dbm0, ms } => steady(DualTone::new(*f1, *dbm0, *f2, *dbm0), *ms),
            Prompt::Silence { ms } => PlayItem::Silence(*ms as usize * 8),
            Prompt::Dtmf { digits, dbm0, on_ms, off_ms } => {
                if let Some(c) = digits.chars().find(|&c| DualTone::dtmf(c, *dbm0, 0.0).is_none()) {
                    return Err(PromptError::BadDigit(c));
                }
                let s = trunkline_dsp::gen::dtmf_string(digits, *dbm0, 0.0, *on_ms, *off_ms);
                PlayItem::Clip { samples: s.into(), pos: 0 }
            }
            Prompt::Mf { kind, codes, dbm0, on_ms, off_ms } => {
                if let Some(&c) = codes.iter().find(|&&c| DualTone::mf(*kind, c, *dbm0).is_none()) {
                    return Err(PromptError::BadMfCode(c));
                }
                let s = trunkline_dsp::gen::mf_sequence(*kind, codes, *dbm0, *on_ms, *off_ms);
                PlayItem::Clip { samples: s.into(), pos: 0 }
            }
            Prompt::Progress { country, tone, dbm0, ms } => {
                let c = tables::country(country).ok_or_else(|| PromptError::NoCountry(country.clone()))?;
                let spec = c
                    .tones
                    .iter()
                    .find(|t| t.tone == *tone)
                    .ok_or_else(|| PromptError::NoCountry(format!("{country} ({})", tone.name())))?;
                let mut buf = vec![0f32; *ms as usize * 8];
                trunkline_dsp::cpt::gen::TonePlayer::new(spec, *dbm0).add_to(&mut buf);
                PlayItem::Clip { samples: trunkline_dsp::cpt::gen::to_i16(&buf).into(), pos: 0 }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tone_specs_and_rejects_bad_ones() {
        assert_eq!(Prompt::parse_tone("1004@-10").unwrap(), Prompt::Tone { hz: 1004.0, dbm0: -10.0, ms: 0 });
        assert_eq!(
            Prompt::parse_tone("350+440@-13/500").unwrap(),
            Prompt::Dual { f1: 350.0, f2: 440.0, dbm0: -13.0, ms: 500 }
        );
        for bad in ["", "1004", "x@-10", "1004@-10/x", "5000@-10", "1004@9", "1+2+3@-10"] {
            assert!(Prompt::parse_tone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_digits_and_countries_are_errors() {
        let d = Prompt::Dtmf { digits: "12x".into(), dbm0: -10.0, on_ms: 80, off_ms: 80 };
        assert_eq!(d.to_item().err(), Some(PromptError::BadDigit('x')));
        let m = Prompt::Mf { kind: MfKind::R2Fwd, codes: vec![1, 16], dbm0: -10.0, on_ms: 80, off_ms: 80 };
        assert_eq!(m.to_item().err(), Some(PromptError::BadMfCode(16)));
        let p = Prompt::Progress { country: "zz".into(), tone: CptTone::Busy, dbm0: -10.0, ms: 100 };
        assert!(matches!(p.to_item(), Err(PromptError::NoCountry(_))));
    }
}
