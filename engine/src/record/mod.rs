//! Call recording: WAV files (PCM, A-law, µ-law; mono mix or caller/agent stereo) written by a
//! dedicated thread fed without blocking from the real-time side, and their repair after a crash.

pub mod thread;
pub mod wav;

pub use thread::{
    AudioBlock, RecCommand, RecorderConfig, RecorderError, RecorderEvent, RecorderSender, RecorderStats,
    RecorderThread,
};
pub use wav::{
    decode_wav, read_wav, repair, scan_and_repair, RepairReport, ScanReport, WavAudio, WavError, WavFormat,
    WavInfo, WavSpec, WavWriter,
};
