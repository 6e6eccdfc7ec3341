//! MFC/R2: ITU-T Q.421 digital line signalling (A and B bits of the TS16 CAS nibble) and Q.441
//! compelled register signalling, with national variants from a table.
//!
//! * [`variant`]: the signal tables and timers of every variant (ITU, China, Mexico, Brazil,
//!   Argentina, Colombia, Venezuela, ...);
//! * [`channel`]: [`R2Channel`], the sans-IO state machine of one timeslot;
//! * [`line`]: [`R2Line`], a channel on G.711 audio with the DSP crate's MF detector/generator;
//! * [`pair`]: [`R2Pair`], two channels back to back with a modelled line, in virtual time.
//!
//! An adapter (the runtime or a test) feeds the channel CAS nibbles from the board and MF tone
//! on/off events from `trunkline_dsp::mf` detectors, and plays the requested MF tones with
//! `trunkline_dsp::gen::DualTone::mf`.

pub mod channel;
pub mod line;
pub mod pair;
pub mod variant;

pub use channel::{ab, Direction, R2Channel, R2Config, R2Error, R2Event, R2Output, R2State, R2Timer};
pub use line::R2Line;
pub use pair::{LineModel, R2Pair, Side};
pub use variant::{R2Profile, R2Timers, R2Variant};
