//! Trunk signalling stacks (MFC/R2, ISDN PRI, T1 CAS) as sans-IO state machines that turn
//! channel bits and frames into call events.
//!
//! Every stack is driven by explicit inputs (`handle_frame(now, bytes)`, `handle_timeout(now)`)
//! and drained through `poll_*` outputs; none of them reads a clock, logs or does I/O.

pub mod board;
pub mod cas;
pub mod pri;
pub mod r2;
pub mod time;

pub use time::{Ms, TimerId, TimerTable};
