//! The Trunkline engine: media pipeline, trunk signalling, calls, dialer, ACD, IVR, storage and
//! the control API, plus the `trunkd` daemon and the `trunkctl` CLI built on them.

pub mod benchboard;
pub mod acd;
pub mod boardcfg;
pub mod cli;
pub mod linesim;
pub mod media;
pub mod model;
pub mod runtime;
pub mod signalling;
pub mod slice;
