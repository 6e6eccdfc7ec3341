//! The TDM layer of Trunkline: boards, spans and channels. Knows bytes and bits, not calls.
//!
//! * [`ids`], [`span`], [`channel`]: the model, numbered the way DAHDI numbers things.
//! * [`board`]: the one trait every backend implements, and its errors and events.
//! * [`ring`]: the per-channel SPSC rings between the board I/O thread and the DSP workers.
//! * [`tdm`]: soft TDM pieces shared by backends (HDLC, CAS, E1/T1 framing, CRCs).
//! * [`sim`]: the simulated board (the embedded default).
//! * [`dahdi`]: real boards through the DAHDI kernel interface.

pub mod board;
pub mod channel;
pub mod dahdi;
pub mod ids;
pub mod ring;
pub mod scan;
pub mod sim;
pub mod span;
pub mod tdm;

pub use board::{Board, BoardError, BoardEvent, ErrorKind};
pub use channel::{ChannelInfo, ChannelKind};
pub use ids::{ChanPos, ChannelNo, SpanNo};
pub use span::{Alarms, Coding, Counters, Framing, SpanConfig, SpanInfo, SpanKind, SpanStatus};
