//! Pure signal processing on 8 kHz telephony audio: G.711 codecs, Goertzel filters, tone
//! generators, levels and (in later modules) the tone, digit, fax, beep and answering-machine
//! detectors. Knows samples, not channels: nothing here logs, spawns threads, reads clocks or
//! touches files.

pub mod bank;
mod bins8;
pub mod dtmf;
mod dualtone;
pub mod event;
pub mod g711;
pub mod gen;
pub mod goertzel;
pub mod level;
pub mod mf;
pub mod osc;
pub mod vad;

pub mod amd;
pub mod beep;
pub mod cpt;
pub mod fax;
pub mod sit;

/// Samples per second of every signal in this crate.
pub const SAMPLE_RATE: u32 = 8000;

/// A sample index on a channel's own timeline (sample 0 is when processing started).
pub type SampleTime = u64;
