//! The call state machine of one handle: named states, the inputs that move between them, and
//! nothing else (no I/O, no clock), so every transition is checked in one place.

use serde::Serialize;

/// Which way a call was set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// We placed it (a dialler attempt, or ringing an agent's phone).
    Outbound,
    /// The far end placed it.
    Inbound,
}

/// Where a call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// Outbound: the setup is sent, nothing heard back yet.
    Dialling,
    /// Outbound: the network accepted the setup (CALL PROCEEDING).
    Proceeding,
    /// Outbound: the far end is ringing (ALERTING; an agent's phone ringing).
    Alerting,
    /// Inbound: a call is offered to us and not answered yet.
    Offered,
    /// Both ends connected: media flows.
    Answered,
    /// We asked for release and wait for the far end to confirm.
    Releasing,
    /// Over: the channel is free again. Terminal.
    Released,
}

/// What can happen to a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallInput {
    /// The network is proceeding with our setup.
    Proceeding,
    /// The far end is ringing.
    Alerting,
    /// The far end answered (outbound) or we answered (inbound).
    Answered,
    /// We hang up and must wait for the far end's confirmation.
    LocalRelease,
    /// We hang up and nothing needs confirming (a station line, a dead span).
    LocalReleaseNow,
    /// The far end hung up, or confirmed our release, or the span failed.
    Released,
}

impl CallState {
    /// Media may flow and the call can be worked on (play, record, bridge...).
    pub fn is_live(self) -> bool {
        !matches!(self, CallState::Releasing | CallState::Released)
    }

    /// The state after `input`, or `None` if the input makes no sense here (the caller keeps
    /// the state and reports the protocol error; nothing panics).
    pub fn next(self, input: CallInput) -> Option<CallState> {
        use CallInput as I;
        use CallState as S;
        Some(match (self, input) {
            (S::Released, _) => return None,
            (_, I::Released) => S::Released,
            (S::Releasing, I::LocalRelease | I::LocalReleaseNow) => return None,
            (_, I::LocalRelease) => S::Releasing,
            (_, I::LocalReleaseNow) => S::Released,
            (S::Dialling, I::Proceeding) => S::Proceeding,
            (S::Dialling | S::Proceeding, I::Alerting) => S::Alerting,
            (S::Dialling | S::Proceeding | S::Alerting | S::Offered, I::Answered) => S::Answered,
            // Repeated progress messages are harmless.
            (S::Proceeding, I::Proceeding) | (S::Alerting, I::Alerting | I::Proceeding) => self,
            _ => return None,
        })
    }

    /// Lower-case name as the API shows it.
    pub fn name(self) -> &'static str {
        match self {
            CallState::Dialling => "dialling",
            CallState::Proceeding => "proceeding",
            CallState::Alerting => "alerting",
            CallState::Offered => "offered",
            CallState::Answered => "answered",
            CallState::Releasing => "releasing",
            CallState::Released => "released",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CallInput as I, CallState as S};

    #[test]
    fn outbound_call_walks_through_its_states() {
        let s = S::Dialling.next(I::Proceeding).unwrap();
        let s = s.next(I::Alerting).unwrap();
        let s = s.next(I::Answered).unwrap();
        assert_eq!(s, S::Answered);
        let s = s.next(I::LocalRelease).unwrap();
        assert_eq!(s, S::Releasing);
        assert_eq!(s.next(I::LocalRelease), None, "a second hangup changes nothing");
        assert_eq!(s.next(I::Released), Some(S::Released));
        assert_eq!(S::Released.next(I::Released), None);
        assert_eq!(S::Released.next(I::Answered), None);
    }

    #[test]
    fn nonsense_inputs_are_refused() {
        assert_eq!(S::Answered.next(I::Alerting), None);
        assert_eq!(S::Offered.next(I::Proceeding), None);
        assert_eq!(S::Answered.next(I::Answered), None);
        assert!(!S::Releasing.is_live());
        assert!(S::Offered.is_live());
    }
}
