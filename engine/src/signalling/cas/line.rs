//! A CAS machine on a real T1 channel: robbed bits in and out, µ-law (or A-law) audio in and out,
//! digits sent with the DSP crate's DTMF / MF R1 generators and collected with its detectors,
//! dial tone and failure tones played from the call-progress tables, and busy / reorder / SIT
//! recognised by the call-progress and SIT detectors while an outgoing call is being set up.

use std::collections::VecDeque;

use trunkline_dsp::cpt::gen::TonePlayer;
use trunkline_dsp::cpt::{tables, CptDetector, CptTone};
use trunkline_dsp::dtmf::{Dtmf, DtmfConfig};
use trunkline_dsp::event::Detector;
use trunkline_dsp::g711::Law;
use trunkline_dsp::gen::{clip, dtmf_string, mf_sequence};
use trunkline_dsp::mf::{Mf, MfKind};
use trunkline_dsp::sit::{self, SitCode, SitDetector};

use super::{CasEvent, CasMachine, CasOutput, DigitMode};
use crate::model::Cause;
use crate::signalling::Ms;

/// DTMF sending level per tone, dBm0.
const DTMF_DBM0: f32 = -7.0;
/// MF R1 sending level per tone, dBm0 (Q.322: −7 dBm0).
const MF_DBM0: f32 = -7.0;
/// Call-progress tone level per component, dBm0.
const CPT_DBM0: f32 = -13.0;

enum Source {
    Silence,
    Digits { samples: Vec<i16>, pos: usize },
    Tone(Box<TonePlayer>),
    Loop { samples: Vec<i16>, pos: usize },
}

enum Collector {
    Dtmf(Box<Dtmf>),
    Mf(Box<Mf>),
}

/// A CAS machine with its audio.
pub struct CasLine<M: CasMachine> {
    /// The protocol state machine.
    pub machine: M,
    law: Law,
    country: String,
    tx_bits: u8,
    source: Source,
    collector: Option<Collector>,
    progress: Option<(Box<CptDetector>, Box<SitDetector>)>,
    digits_done: bool,
    pcm: Vec<i16>,
    events: VecDeque<CasEvent>,
    /// Digits heard (for traces): `(time, digit)`.
    heard: Vec<(Ms, char)>,
}

impl<M: CasMachine> CasLine<M> {
    /// Wraps `machine`; audio uses `law` (µ-law on T1) and the tones of `country` (`us`).
    pub fn new(machine: M, law: Law, country: &str) -> Self {
        let tx_bits = machine.idle_bits();
        CasLine {
            machine,
            law,
            country: country.to_string(),
            tx_bits,
            source: Source::Silence,
            collector: None,
            progress: None,
            digits_done: false,
            pcm: Vec::new(),
            events: VecDeque::new(),
            heard: Vec::new(),
        }
    }

    /// The nibble currently transmitted.
    pub fn tx_bits(&self) -> u8 {
        self.tx_bits
    }

    /// Next call event.
    pub fn poll_event(&mut self) -> Option<CasEvent> {
        self.events.pop_front()
    }

    /// Digits heard so far.
    pub fn take_heard(&mut self) -> Vec<(Ms, char)> {
        std::mem::take(&mut self.heard)
    }

    fn tone(&self, t: CptTone) -> Source {
        let spec = tables::country(&self.country).and_then(|c| c.tones.into_iter().find(|s| s.tone == t));
        match spec {
            Some(s) => Source::Tone(Box::new(TonePlayer::new(&s, CPT_DBM0))),
            None => Source::Silence,
        }
    }

    /// Applies the machine's outputs and collects its events.
    pub fn drain(&mut self) {
        while let Some(o) = self.machine.poll_output() {
            match o {
                CasOutput::Bits(n) => self.tx_bits = n & 0xF,
                CasOutput::SendDigits(s) => {
                    let samples = match self.machine.digit_mode() {
                        DigitMode::Dtmf => dtmf_string(&s, DTMF_DBM0, 0.0, 80, 80),
                        DigitMode::MfR1 => {
                            let codes: Vec<u8> = s
                                .chars()
                                .filter_map(|c| match c {
                                    'K' => MfKind::R1.code("KP"),
                                    'S' => MfKind::R1.code("ST"),
                                    d => MfKind::R1.code(&d.to_string()),
                                })
                                .collect();
                            // KP is sent for 100 ms in practice; 68 ms on / 68 ms off is Q.322's
                            // digit timing.
                            mf_sequence(MfKind::R1, &codes, MF_DBM0, 68, 68)
                        }
                    };
                    self.source = Source::Digits { samples, pos: 0 };
                    self.digits_done = false;
                    self.progress = tables::country(&self.country)
                        .map(|c| (Box::new(CptDetector::new(&[c])), Box::new(SitDetector::new())));
                }
                CasOutput::Collect(true) => {
                    self.collector = Some(match self.machine.digit_mode() {
                        DigitMode::Dtmf => Collector::Dtmf(Box::new(Dtmf::new(DtmfConfig::default()))),
                        DigitMode::MfR1 => Collector::Mf(Box::new(Mf::new(MfKind::R1))),
                    })
                }
                CasOutput::Collect(false) => self.collector = None,
                CasOutput::DialTone(true) => self.source = self.tone(CptTone::Dial),
                CasOutput::DialTone(false) => {
                    if matches!(self.source, Source::Tone(_)) {
                        self.source = Source::Silence;
                    }
                }
                CasOutput::Progress(cause) => {
                    self.source = match cause {
                        Cause::BUSY => self.tone(CptTone::Busy),
                        Cause::UNALLOCATED => {
                            let s: Vec<i16> =
                                sit::generate(SitCode::IC, -13.0, 1000).iter().map(|&v| clip(v)).collect();
                            Source::Loop { samples: s, pos: 0 }
                        }
                        _ => self.tone(CptTone::Congestion),
                    }
                }
            }
        }
        while let Some(e) = self.machine.poll_event() {
            if matches!(e, CasEvent::Answered | CasEvent::Released { .. }) {
                self.progress = None;
                if !matches!(self.source, Source::Digits { .. }) {
                    self.source = Source::Silence;
                }
            }
            if matches!(e, CasEvent::Released { .. }) {
                self.collector = None;
            }
            self.events.push_back(e);
        }
    }

    /// One received block at `now`: the robbed bits and the audio octets.
    pub fn receive(&mut self, now: Ms, nibble: u8, audio: &[u8]) {
        self.machine.handle_bits(now, nibble);
        self.machine.handle_timeout(now);
        if self.digits_done {
            self.digits_done = false;
            self.machine.handle_digits_sent(now);
        }
        self.drain();
        if self.collector.is_none() && self.progress.is_none() {
            return;
        }
        self.pcm.resize(audio.len(), 0);
        self.law.decode_block(audio, &mut self.pcm);
        let mut digits = Vec::new();
        match self.collector.as_mut() {
            Some(Collector::Dtmf(d)) => d.process(&self.pcm, &mut |e| {
                if e.is_on() {
                    digits.extend(e.value.as_str().chars().next());
                }
            }),
            Some(Collector::Mf(d)) => d.process(&self.pcm, &mut |e| {
                if e.is_on() {
                    let c = match e.value.as_str() {
                        "KP" => Some('K'),
                        "ST" => Some('S'),
                        v if v.len() == 1 => v.chars().next(),
                        _ => None,
                    };
                    digits.extend(c);
                }
            }),
            None => {}
        }
        for d in digits {
            self.heard.push((now, d));
            self.machine.handle_digit(now, d);
        }
        let mut heard = None;
        if let Some((cpt, sitd)) = self.progress.as_mut() {
            cpt.process(&self.pcm, |e| {
                if e.end.is_none() {
                    match e.tone {
                        CptTone::Busy => heard = Some(Cause::BUSY),
                        CptTone::Congestion => heard = Some(Cause::NO_CIRCUIT),
                        _ => {}
                    }
                }
            });
            sitd.process(&self.pcm, |e| {
                heard = Some(match e.code {
                    SitCode::IC | SitCode::VC | SitCode::Itu => Cause::UNALLOCATED,
                    _ => Cause::NO_CIRCUIT,
                })
            });
        }
        if let Some(c) = heard {
            self.machine.handle_progress(now, c);
        }
        self.drain();
    }

    /// Runs due timers.
    pub fn handle_timeout(&mut self, now: Ms) {
        self.machine.handle_timeout(now);
        self.drain();
    }

    /// Fills `out` with the audio to send; returns the nibble to send.
    pub fn transmit(&mut self, out: &mut [u8]) -> u8 {
        self.pcm.resize(out.len(), 0);
        let mut pcm = std::mem::take(&mut self.pcm);
        pcm.fill(0);
        match &mut self.source {
            Source::Silence => {}
            Source::Digits { samples, pos } => {
                let n = (samples.len() - *pos).min(pcm.len());
                pcm[..n].copy_from_slice(&samples[*pos..*pos + n]);
                *pos += n;
                if *pos >= samples.len() {
                    self.source = Source::Silence;
                    self.digits_done = true;
                }
            }
            Source::Tone(p) => {
                let mut f = vec![0.0f32; pcm.len()];
                p.add_to(&mut f);
                for (o, v) in pcm.iter_mut().zip(f) {
                    *o = clip(v);
                }
            }
            Source::Loop { samples, pos } => {
                for o in pcm.iter_mut() {
                    *o = samples[*pos];
                    *pos = (*pos + 1) % samples.len().max(1);
                }
            }
        }
        self.law.encode_block(&pcm, out);
        self.pcm = pcm;
        self.tx_bits
    }
}
