//! The inbound ACD: one sans-IO state machine owning every agent and every queued call.
//!
//! Inputs ([`AcdInput`]) and an explicit `now` go in through [`Acd::on_event`]; what the pipeline
//! must do (ring an agent, bridge, cancel a ring, announce, dial a callback, start a monitor) comes
//! out as [`AcdAction`]s. Timers (ring timeout, wrap-up, breaks, skill expansion, overflow, sticky
//! wait, max wait, announcements) are reported by [`Acd::poll_timeout`] and fired by
//! [`Acd::handle_timeout`]. Because one struct owns all state, the races of app_queue and
//! mod_callcenter (stuck "Reserved" agents, wrap-up ignored across queues, double counting,
//! stalled top-down, zombie ring-all legs) cannot occur; [`Acd::check_invariants`] proves it
//! after every input in debug builds and in the property tests.

mod config;
mod core;
pub mod erlang;
mod io;
pub mod ivr;
mod kpi;
mod rng;

pub use self::config::{AgentConfig, ExitTarget, NoAnswerPolicy, QueueConfig, Strategy};
pub use self::core::{Acd, AgentView, CallPlace};
pub use self::io::{
    AcdAction, AcdInput, CallArrival, ExitReason, ForcedState, ReleaseReason, ScreenPop, SuperviseMode,
};
pub use self::kpi::{AgentKpi, IntervalKpi, KpiSnapshot, QueueCounters, QueueKpi};
pub use self::rng::SplitMix64;
