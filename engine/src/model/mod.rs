//! The engine's shared vocabulary: identifiers, call causes and outcomes, CDR rows, and the
//! snapshots the control API serves. Every subsystem (pipeline, dialer, ACD, storage, API) speaks
//! these types, so they can be built and tested apart.

mod cause;
mod snapshot;

pub use cause::{Cause, Outcome};
pub use snapshot::{
    AgentSnapshot, AgentState, CallSnapshot, CampaignSnapshot, Cdr, ChannelSnapshot, EngineEvent,
    SpanSnapshot, StatusSnapshot,
};

use core::fmt;

/// Milliseconds on the engine's clock (virtual or real), counted from engine start.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Ms(pub u64);

impl Ms {
    /// Seconds as a float.
    pub fn secs(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl core::ops::Add<u64> for Ms {
    type Output = Ms;
    fn add(self, rhs: u64) -> Ms {
        Ms(self.0 + rhs)
    }
}

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id!(
    /// One call (one leg on one channel), unique for the life of the database.
    CallId
);
id!(
    /// An agent.
    AgentId
);
id!(
    /// An outbound campaign.
    CampaignId
);
id!(
    /// A lead (one number on a campaign list).
    LeadId
);
id!(
    /// An inbound queue.
    QueueId
);
