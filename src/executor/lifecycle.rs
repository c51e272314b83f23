//! The closed sets of step states and run statuses, and the one place that turns them into
//! the text the state tables store and back (an unknown text is an error, never a default).

use serde::{Serialize, Serializer};

/// Where a step stands in the state tables (`bellows.steps.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepState {
    /// No row yet: never started (or its gate reset by a rollback).
    Pending,
    /// An attempt began and has not ended (a crash leaves this; a re-run runs it again).
    Running,
    /// Finished (recorded in the step's own transaction when it has one).
    Done,
    /// Failed for good; a re-run tries again.
    Failed,
    /// A gate reached and not confirmed yet (stored as `waiting`; not a lock wait).
    WaitingAtGate,
    /// Undone by a rollback.
    RolledBack,
}

impl StepState {
    /// Every state, in no particular order.
    pub const ALL: [StepState; 6] = [
        StepState::Pending,
        StepState::Running,
        StepState::Done,
        StepState::Failed,
        StepState::WaitingAtGate,
        StepState::RolledBack,
    ];

    /// The text stored in `bellows.steps.state` and shown by `bellows status`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Pending => "pending",
            StepState::Running => "running",
            StepState::Done => "done",
            StepState::Failed => "failed",
            StepState::WaitingAtGate => "waiting",
            StepState::RolledBack => "rolled_back",
        }
    }

    /// Read a stored state; anything else is refused.
    pub fn from_db(text: &str) -> Result<Self, UnknownText> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownText::new("step state", text))
    }
}

/// How a run stands in the state tables (`bellows.runs.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunStatus {
    /// An executor is (or was, before a crash) carrying it out.
    Running,
    /// Every step is done.
    Done,
    /// Stopped at a gate that needs confirming.
    AtGate,
    /// Stopped where asked (`--through`, a number of steps, or a stop request).
    Stopped,
    /// A step failed; a re-run resumes.
    Failed,
    /// Completed steps were undone.
    RolledBack,
}

impl RunStatus {
    /// Every status, in no particular order.
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Running,
        RunStatus::Done,
        RunStatus::AtGate,
        RunStatus::Stopped,
        RunStatus::Failed,
        RunStatus::RolledBack,
    ];

    /// The text stored in `bellows.runs.status` and shown by `bellows status`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::AtGate => "at_gate",
            RunStatus::Stopped => "stopped",
            RunStatus::Failed => "failed",
            RunStatus::RolledBack => "rolled_back",
        }
    }

    /// Read a stored status; anything else is refused.
    pub fn from_db(text: &str) -> Result<Self, UnknownText> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownText::new("run status", text))
    }
}

/// How a plan was accepted on its first run (`bellows.runs.accepted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Acceptance {
    /// Re-derived from its source SQL against the live schema, and identical.
    Derived,
    /// Different from what bellows generates, run with `--allow-edited`.
    Edited,
    /// Not re-derived (a library caller without a planner).
    Unchecked,
}

impl Acceptance {
    /// Every value.
    pub const ALL: [Acceptance; 3] = [
        Acceptance::Derived,
        Acceptance::Edited,
        Acceptance::Unchecked,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Acceptance::Derived => "derived",
            Acceptance::Edited => "edited",
            Acceptance::Unchecked => "unchecked",
        }
    }

    /// Read a stored text; anything else is refused.
    pub fn from_db(text: &str) -> Result<Self, UnknownText> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownText::new("plan acceptance", text))
    }
}

/// A state table held a text this bellows does not know (a newer version wrote it, or a
/// hand edit): refused, so nothing is guessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the bellows state tables hold an unknown {what} `{text}` (written by another version of bellows?); nothing was guessed"
)]
pub struct UnknownText {
    /// What was read.
    pub what: &'static str,
    /// The text found.
    pub text: String,
}

impl UnknownText {
    pub(super) fn new(what: &'static str, text: &str) -> Self {
        Self {
            what,
            text: text.to_string(),
        }
    }
}

impl std::fmt::Display for StepState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for StepState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for RunStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acceptances_round_trip_and_unknown_ones_are_refused() {
        for a in Acceptance::ALL {
            assert_eq!(Acceptance::from_db(a.as_str()), Ok(a));
        }
        assert!(Acceptance::from_db("trusted").is_err());
    }

    #[test]
    fn step_states_round_trip_through_their_stored_text() {
        for s in StepState::ALL {
            assert_eq!(StepState::from_db(s.as_str()), Ok(s));
        }
        assert_eq!(StepState::WaitingAtGate.as_str(), "waiting");
        assert_eq!(StepState::RolledBack.as_str(), "rolled_back");
        let texts: std::collections::HashSet<_> =
            StepState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts.len(), StepState::ALL.len(), "texts are distinct");
    }

    #[test]
    fn run_statuses_round_trip_through_their_stored_text() {
        for s in RunStatus::ALL {
            assert_eq!(RunStatus::from_db(s.as_str()), Ok(s));
        }
        assert_eq!(RunStatus::AtGate.as_str(), "at_gate");
        let texts: std::collections::HashSet<_> =
            RunStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(texts.len(), RunStatus::ALL.len(), "texts are distinct");
    }

    #[test]
    fn unknown_texts_are_refused_not_defaulted() {
        for t in [
            "",
            "Done",
            "DONE",
            "paused",
            "waiting ",
            "lock_wait",
            "at_gate",
        ] {
            let e = StepState::from_db(t).expect_err(t);
            assert_eq!(e.text, t);
            assert!(e.to_string().contains("unknown step state"), "{e}");
        }
        for t in ["", "waiting", "pending", "Stopped"] {
            assert!(RunStatus::from_db(t).is_err(), "{t}");
        }
    }

    #[test]
    fn text_forms_serialize_and_pad_as_stored() {
        assert_eq!(
            serde_json::to_string(&StepState::WaitingAtGate).ok(),
            Some("\"waiting\"".into())
        );
        assert_eq!(
            serde_json::to_string(&RunStatus::AtGate).ok(),
            Some("\"at_gate\"".into())
        );
        assert_eq!(format!("[{:<8}]", StepState::Done), "[done    ]");
    }
}
