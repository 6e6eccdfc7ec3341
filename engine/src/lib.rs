//! The Trunkline engine: media pipeline, trunk signalling, calls, dialer, ACD, IVR, storage and
//! the control API, plus the `trunkd` daemon and the `trunkctl` CLI built on them.

pub mod acd;
pub mod api;
pub mod benchboard;
pub mod boardcfg;
pub mod cli;
pub mod daemon;
pub mod demo;
pub mod diag;
pub mod dialer;
pub mod engine_main;
pub mod handle;
pub mod linesim;
pub mod lists;
pub mod media;
pub mod model;
pub mod pipeline;
pub mod record;
pub mod runtime;
pub mod signalling;
pub mod slice;
pub mod store;
