//! Answering-machine detection: after answer, decide whether a person or a machine picked up,
//! from the audio alone, with a confidence and the evidence.
//!
//! People answer with a short greeting ("hello?", "喂?", "¿bueno?") and then wait for the caller;
//! machines talk for several seconds with only short pauses and usually end with a beep. A 10 ms
//! energy VAD with an adaptive noise floor splits the audio into words; the detector decides
//! *human* when the first utterance is short and followed by a long pause, *machine* when the
//! talk goes on past the longest human greeting (or a beep is heard), and *unknown* when nobody
//! speaks. Language independent: only timing and energy are used.

use crate::beep::{BeepDetector, BeepEvent};
use crate::level::DBM0_RMS;
use crate::SampleTime;

const FRAME: usize = 80;
const FRAME_MS: u32 = 10;

/// The verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum AmdClass {
    /// A person answered.
    Human,
    /// An answering machine or voicemail.
    Machine,
    /// Not enough evidence (silence, noise).
    Unknown,
}

impl AmdClass {
    /// Name used by `trunkctl analyze` (`human`, `machine`, `unknown`).
    pub fn name(self) -> &'static str {
        match self {
            AmdClass::Human => "human",
            AmdClass::Machine => "machine",
            AmdClass::Unknown => "unknown",
        }
    }
}

/// What the decision was based on.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct AmdEvidence {
    /// Silence from the start until the first speech (ms).
    pub initial_silence_ms: u32,
    /// Length of the first utterance (speech with no pause ≥ the end-of-greeting pause), ms.
    pub greeting_ms: u32,
    /// Words (bursts separated by ≥ 60 ms of silence) in that utterance.
    pub words: u32,
    /// Speech time within the greeting (ms).
    pub speech_ms: u32,
    /// Silence after the greeting when decided (ms).
    pub pause_ms: u32,
    /// A beep, if one was heard.
    pub beep: Option<BeepEvent>,
    /// Mean level of speech frames (dBm0).
    pub speech_dbm0: f32,
    /// The rule that fired.
    pub rule: &'static str,
}

/// One decision, made once per call.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct AmdDecision {
    /// Human, machine or unknown.
    pub class: AmdClass,
    /// 0–1.
    pub confidence: f32,
    /// Sample at which it was decided.
    pub decided: SampleTime,
    /// First speech sample (the start of the evidence), or 0.
    pub start: SampleTime,
    /// Last sample considered.
    pub end: SampleTime,
    /// Why.
    pub evidence: AmdEvidence,
}

/// Tunable thresholds (ms).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AmdParams {
    /// No speech for this long → unknown.
    pub max_initial_silence_ms: u32,
    /// A pause this long ends the greeting.
    pub end_of_greeting_ms: u32,
    /// Longest greeting still taken for a person.
    pub max_human_greeting_ms: u32,
    /// Talking this long without the end-of-greeting pause → machine.
    pub machine_talk_ms: u32,
    /// Silence between words.
    pub word_gap_ms: u32,
}

impl Default for AmdParams {
    fn default() -> Self {
        Self {
            max_initial_silence_ms: 5000,
            end_of_greeting_ms: 800,
            max_human_greeting_ms: 1800,
            machine_talk_ms: 2500,
            word_gap_ms: 60,
        }
    }
}

/// Answering-machine detector for one call.
#[derive(Debug)]
pub struct AmdDetector {
    p: AmdParams,
    beep: BeepDetector,
    acc: f32,
    pos: usize,
    t: SampleTime,
    floor: f32,
    min_speech: f32,
    first_speech: Option<SampleTime>,
    last_speech: SampleTime,
    silence_run: u32,
    burst_start: SampleTime,
    burst_frames: u32,
    in_word: bool,
    words: u32,
    speech_ms: u32,
    speech_pow: f32,
    done: bool,
}

impl AmdDetector {
    /// A detector with the given thresholds.
    pub fn new(p: AmdParams) -> Self {
        Self {
            p,
            beep: BeepDetector::new(),
            acc: 0.0,
            pos: 0,
            t: 0,
            floor: f32::MAX,
            min_speech: DBM0_RMS * DBM0_RMS * 10f32.powf(-42.0 / 10.0),
            first_speech: None,
            last_speech: 0,
            silence_run: 0,
            burst_start: 0,
            burst_frames: 0,
            in_word: false,
            words: 0,
            speech_ms: 0,
            speech_pow: 0.0,
            done: false,
        }
    }

    /// Starts a new call with the same thresholds.
    pub fn reset(&mut self) {
        // Field by field: building a fresh detector would plan a new FFT (allocates).
        self.beep.reset();
        self.acc = 0.0;
        self.pos = 0;
        self.t = 0;
        self.floor = f32::MAX;
        self.first_speech = None;
        self.last_speech = 0;
        self.silence_run = 0;
        self.burst_start = 0;
        self.burst_frames = 0;
        self.in_word = false;
        self.words = 0;
        self.speech_ms = 0;
        self.speech_pow = 0.0;
        self.done = false;
    }

    /// Whether the decision has been made.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Feeds audio from answer on; `on_decision` is called once.
    pub fn process(&mut self, x: &[i16], mut on_decision: impl FnMut(AmdDecision)) {
        if self.done {
            return;
        }
        let mut beep = None;
        self.beep.process(x, |b| beep = Some(b));
        // A beep ends a machine's greeting: it counts after a second and a half of talk, or
        // with no talk at all (a bare voicemail beep); right after "hello" it is a voice.
        let talk_ms = self.first_speech.map(|f| (self.last_speech.saturating_sub(f) / 8) as u32);
        if let (Some(b), None | Some(1500..)) = (beep, talk_ms) {
            let ev = self.evidence(Some(b), "beep");
            self.emit(AmdClass::Machine, 0.99, ev, &mut on_decision);
            return;
        }
        for &s in x {
            let v = s as f32;
            self.acc += v * v;
            self.pos += 1;
            self.t += 1;
            if self.pos == FRAME {
                let ms = self.acc / FRAME as f32;
                self.acc = 0.0;
                self.pos = 0;
                self.frame(ms, &mut on_decision);
                if self.done {
                    return;
                }
            }
        }
    }

    fn evidence(&self, beep: Option<BeepEvent>, rule: &'static str) -> AmdEvidence {
        let first = self.first_speech.unwrap_or(self.t);
        let greeting = self.last_speech.saturating_sub(first) / 8;
        let mean =
            if self.speech_ms > 0 { self.speech_pow / (self.speech_ms / FRAME_MS) as f32 } else { 0.0 };
        AmdEvidence {
            initial_silence_ms: (first / 8) as u32,
            greeting_ms: greeting as u32,
            words: self.words,
            speech_ms: self.speech_ms,
            pause_ms: if self.first_speech.is_some() { ((self.t - self.last_speech) / 8) as u32 } else { 0 },
            beep,
            speech_dbm0: crate::level::power_to_dbm0(mean),
            rule,
        }
    }

    fn emit(
        &mut self,
        class: AmdClass,
        confidence: f32,
        evidence: AmdEvidence,
        f: &mut impl FnMut(AmdDecision),
    ) {
        self.done = true;
        f(AmdDecision {
            class,
            confidence: confidence.clamp(0.0, 1.0),
            decided: self.t,
            start: self.first_speech.unwrap_or(0),
            end: self.t,
            evidence,
        });
    }

    fn frame(&mut self, ms: f32, f: &mut impl FnMut(AmdDecision)) {
        // Noise floor: set by the first frame, follows quiet frames quickly and loud ones slowly
        // (4 dB/s), so word gaps keep pulling it back down during speech.
        self.floor = if self.t == FRAME as u64 || ms < self.floor {
            0.7 * self.floor.min(ms) + 0.3 * ms
        } else {
            self.floor * 1.01
        };
        let speech = ms > self.min_speech && ms > 8.0 * self.floor.max(1.0);
        let clip = |v: f32| v.clamp(0.0, 1.0);
        if speech {
            if !self.in_word {
                self.in_word = true;
                self.burst_start = self.t.saturating_sub(FRAME as u64);
                self.burst_frames = 0;
            }
            self.burst_frames += 1;
            // A burst counts as a word once it has lasted 50 ms (clicks and noise do not).
            if self.burst_frames == 5 {
                self.words += 1;
                self.first_speech.get_or_insert(self.burst_start);
                self.speech_ms += 4 * FRAME_MS;
            }
            if self.burst_frames >= 5 {
                self.speech_ms += FRAME_MS;
                self.speech_pow += ms;
                self.last_speech = self.t;
            }
            self.silence_run = 0;
        } else {
            self.silence_run += 1;
            if self.silence_run * FRAME_MS >= self.p.word_gap_ms {
                self.in_word = false;
            }
        }
        let Some(first) = self.first_speech else {
            if self.t / 8 >= self.p.max_initial_silence_ms as u64 {
                let ev = self.evidence(None, "no speech");
                self.emit(AmdClass::Unknown, 0.5, ev, f);
            }
            return;
        };
        let talk_ms = ((self.last_speech - first) / 8) as u32;
        let pause_ms = ((self.t - self.last_speech) / 8) as u32;
        if pause_ms >= self.p.end_of_greeting_ms {
            let ev = self.evidence(None, "short greeting then pause");
            if talk_ms <= self.p.max_human_greeting_ms {
                let c = 0.6
                    + 0.3 * clip((self.p.max_human_greeting_ms as f32 - talk_ms as f32) / 1500.0)
                    + if self.words <= 3 { 0.1 } else { 0.0 };
                self.emit(AmdClass::Human, c, ev, f);
            } else if self.words <= 5 {
                let ev = AmdEvidence { rule: "medium greeting, few words, then pause", ..ev };
                self.emit(AmdClass::Human, 0.5, ev, f);
            } else {
                let ev = AmdEvidence { rule: "medium greeting, many words, then pause", ..ev };
                self.emit(AmdClass::Machine, 0.55, ev, f);
            }
        } else if talk_ms >= self.p.machine_talk_ms {
            let ev = self.evidence(None, "long greeting");
            let density = self.speech_ms as f32 / talk_ms.max(1) as f32;
            let c = 0.7 + 0.15 * clip((self.words as f32 - 3.0) / 5.0) + 0.1 * clip((density - 0.4) / 0.3);
            self.emit(AmdClass::Machine, c, ev, f);
        }
    }
}

impl AmdDecision {
    /// The common event form (`value` = `human`/`machine`/`unknown`, with `confidence`).
    pub fn to_tone_event(&self) -> crate::event::ToneEvent {
        use crate::event::{DetectorKind, Label, ToneEvent};
        let mut e = ToneEvent::new(
            DetectorKind::Amd,
            Label::new(self.class.name()),
            self.start,
            Some(self.end),
            self.decided,
        );
        e.confidence = Some(self.confidence);
        e.freq_hz = self.evidence.beep.map(|b| b.freq_hz);
        e
    }
}

impl crate::event::Detector for AmdDetector {
    fn kind(&self) -> crate::event::DetectorKind {
        crate::event::DetectorKind::Amd
    }

    fn reset(&mut self) {
        AmdDetector::reset(self);
    }

    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(crate::event::ToneEvent)) {
        AmdDetector::process(self, samples, |e| emit(e.to_tone_event()));
    }

    fn now(&self) -> SampleTime {
        self.t
    }
}
