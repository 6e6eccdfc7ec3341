//! The event every detector reports, and the contract every detector follows.
//!
//! One type serves all detector families (DTMF, MF, call progress, SIT, fax, beep, AMD, VAD) so the
//! pipeline, the event bus and `trunkctl analyze` handle them alike. A tone that lasts is reported
//! twice: once when it is decided to be on (`end == None`), once when it has ended (`end ==
//! Some(..)`, same `start`). Instantaneous decisions (an AMD verdict) come once with `end` set.

use crate::SampleTime;
use core::fmt;

/// Which detector family produced an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DetectorKind {
    /// DTMF digits (ITU-T Q.24).
    Dtmf,
    /// MF R1 register signals (Q.320–Q.323).
    MfR1,
    /// MFC/R2 forward signals (Q.441).
    MfR2Fwd,
    /// MFC/R2 backward signals (Q.441).
    MfR2Bwd,
    /// Call-progress tones (dial, ringback, busy, congestion).
    Cpt,
    /// Special information tones (E.180).
    Sit,
    /// Fax and modem tones (CNG, CED/ANS, ANSam, V.21 preamble).
    Fax,
    /// Voicemail beep.
    Beep,
    /// Answering-machine detection verdicts.
    Amd,
    /// Voice activity (talk spurts).
    Vad,
}

impl DetectorKind {
    /// Every kind, in a stable order.
    pub const ALL: [DetectorKind; 10] = [
        DetectorKind::Dtmf,
        DetectorKind::MfR1,
        DetectorKind::MfR2Fwd,
        DetectorKind::MfR2Bwd,
        DetectorKind::Cpt,
        DetectorKind::Sit,
        DetectorKind::Fax,
        DetectorKind::Beep,
        DetectorKind::Amd,
        DetectorKind::Vad,
    ];

    /// The name used on the command line and in JSON (`dtmf`, `mf-r1`, `mf-r2-fwd`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            DetectorKind::Dtmf => "dtmf",
            DetectorKind::MfR1 => "mf-r1",
            DetectorKind::MfR2Fwd => "mf-r2-fwd",
            DetectorKind::MfR2Bwd => "mf-r2-bwd",
            DetectorKind::Cpt => "cpt",
            DetectorKind::Sit => "sit",
            DetectorKind::Fax => "fax",
            DetectorKind::Beep => "beep",
            DetectorKind::Amd => "amd",
            DetectorKind::Vad => "vad",
        }
    }

    /// Parses a name as printed by [`DetectorKind::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl fmt::Display for DetectorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for DetectorKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// A short inline ASCII label (up to [`Label::CAP`] bytes): a digit, `KP`, `busy`, `SIT-IC`,
/// `machine`. `Copy` and allocation-free so detectors can emit it from the real-time thread.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Label {
    len: u8,
    bytes: [u8; Label::CAP],
}

impl Label {
    /// Maximum length in bytes.
    pub const CAP: usize = 15;

    /// A label from `s`, truncated to [`Label::CAP`] bytes; non-ASCII bytes become `?`.
    pub const fn new(s: &str) -> Self {
        let b = s.as_bytes();
        let mut bytes = [0u8; Self::CAP];
        let mut i = 0;
        while i < b.len() && i < Self::CAP {
            bytes[i] = if b[i].is_ascii() { b[i] } else { b'?' };
            i += 1;
        }
        Self { len: i as u8, bytes }
    }

    /// A one-character label (a DTMF digit).
    pub const fn from_char(c: char) -> Self {
        let mut bytes = [0u8; Self::CAP];
        bytes[0] = if c.is_ascii() { c as u8 } else { b'?' };
        Self { len: 1, bytes }
    }

    /// A label holding a small number (an R2 signal 1–15).
    pub const fn from_u8(n: u8) -> Self {
        let mut bytes = [0u8; Self::CAP];
        if n >= 100 {
            bytes[0] = b'0' + n / 100;
            bytes[1] = b'0' + (n / 10) % 10;
            bytes[2] = b'0' + n % 10;
            Self { len: 3, bytes }
        } else if n >= 10 {
            bytes[0] = b'0' + n / 10;
            bytes[1] = b'0' + n % 10;
            Self { len: 2, bytes }
        } else {
            bytes[0] = b'0' + n;
            Self { len: 1, bytes }
        }
    }

    /// The label as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this cannot fail; fall back to "" rather than panic.
        core::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        Label::new(s)
    }
}

impl serde::Serialize for Label {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One detection: what was heard, when it started, when it ended, when the detector decided.
///
/// `start`/`end` are the detector's best estimate of the signal edges (sample indices on the
/// channel's timeline); `decided` is the sample at which the event was emitted (always ≥ `start`),
/// so `decided - start` is the detection latency.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ToneEvent {
    /// The detector family.
    pub detector: DetectorKind,
    /// What was detected: `5`, `#`, `KP`, `ST1`, `12`, `busy`, `CNG`, `machine`, ...
    pub value: Label,
    /// First sample of the signal.
    pub start: SampleTime,
    /// One past the last sample of the signal; `None` while it is still on.
    pub end: Option<SampleTime>,
    /// Sample at which this event was emitted.
    pub decided: SampleTime,
    /// Measured frequency (single tones, beeps), if meaningful.
    pub freq_hz: Option<f32>,
    /// Measured level in dBm0 (per tone for dual tones: the stronger one), if meaningful.
    pub level_dbm0: Option<f32>,
    /// Confidence in 0..=1 (AMD, beep), if meaningful.
    pub confidence: Option<f32>,
    /// ISO 3166 alpha-2 country whose tone table matched (call progress), if any.
    pub country: Option<[u8; 2]>,
    /// SIT code (E.180 / Telcordia: `IC`, `VC`, `RO`, `NC`, ...), if any.
    pub sit_code: Option<Label>,
}

impl ToneEvent {
    /// An event with only the mandatory fields set (the optional ones are `None`).
    pub const fn new(
        detector: DetectorKind,
        value: Label,
        start: SampleTime,
        end: Option<SampleTime>,
        decided: SampleTime,
    ) -> Self {
        Self {
            detector,
            value,
            start,
            end,
            decided,
            freq_hz: None,
            level_dbm0: None,
            confidence: None,
            country: None,
            sit_code: None,
        }
    }

    /// True for the "tone on" half of a pair (the tone has not ended yet).
    pub const fn is_on(&self) -> bool {
        self.end.is_none()
    }

    /// Duration in samples, if the tone has ended.
    pub fn duration(&self) -> Option<SampleTime> {
        self.end.map(|e| e.saturating_sub(self.start))
    }
}

/// The contract every detector follows (fundsp-like): construct (allocating whatever it needs)
/// once, then `process` blocks of any length without allocating, and `reset` to start over.
///
/// Detectors keep their own sample clock: the first sample after construction or `reset` is sample
/// 0, and every event's times are on that clock. Block boundaries never change the result.
pub trait Detector: Send {
    /// Which family this detector reports as.
    fn kind(&self) -> DetectorKind;

    /// Forgets all state, including the sample clock.
    fn reset(&mut self);

    /// Feeds `samples` (8 kHz linear) and calls `emit` for every event decided within them.
    fn process(&mut self, samples: &[i16], emit: &mut dyn FnMut(ToneEvent));

    /// Samples consumed since construction or the last `reset`.
    fn now(&self) -> SampleTime;
}

/// A fixed-capacity event buffer for callers that prefer "process then drain" to a callback.
/// When full, further events are counted in [`EventBuf::dropped`] rather than stored.
#[derive(Clone, Debug)]
pub struct EventBuf<const N: usize> {
    events: [Option<ToneEvent>; N],
    len: usize,
    /// Events that did not fit since the last [`EventBuf::clear`].
    pub dropped: u32,
}

impl<const N: usize> Default for EventBuf<N> {
    fn default() -> Self {
        Self { events: [None; N], len: 0, dropped: 0 }
    }
}

impl<const N: usize> EventBuf<N> {
    /// Stores `ev`, or counts it as dropped when full.
    pub fn push(&mut self, ev: ToneEvent) {
        if self.len < N {
            self.events[self.len] = Some(ev);
            self.len += 1;
        } else {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// The stored events in order.
    pub fn iter(&self) -> impl Iterator<Item = &ToneEvent> {
        self.events[..self.len].iter().flatten()
    }

    /// Number of stored events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties the buffer and the dropped count.
    pub fn clear(&mut self) {
        self.len = 0;
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        assert_eq!(Label::new("KP").as_str(), "KP");
        assert_eq!(Label::from_char('#').as_str(), "#");
        assert_eq!(Label::from_u8(7).as_str(), "7");
        assert_eq!(Label::from_u8(15).as_str(), "15");
        assert_eq!(Label::from_u8(200).as_str(), "200");
        assert_eq!(Label::new("a-very-long-label-indeed").as_str().len(), Label::CAP);
        assert_eq!(Label::new("é").as_str(), "??");
    }

    #[test]
    fn kinds_round_trip_by_name() {
        for k in DetectorKind::ALL {
            assert_eq!(DetectorKind::from_name(k.name()), Some(k));
        }
        assert_eq!(DetectorKind::from_name("nope"), None);
    }

    #[test]
    fn event_buf_counts_overflow() {
        let mut b = EventBuf::<2>::default();
        for i in 0..3 {
            b.push(ToneEvent::new(DetectorKind::Dtmf, Label::from_char('1'), i, None, i));
        }
        assert_eq!(b.len(), 2);
        assert_eq!(b.dropped, 1);
        assert_eq!(b.iter().map(|e| e.start).collect::<Vec<_>>(), vec![0, 1]);
    }
}
