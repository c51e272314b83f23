//! The console's step states ([`ShownState`]): the executor's recorded [`StepState`] plus
//! what only a live run shows (a lock wait, a step found already applied).

use crate::executor::StepState;

/// Where a step stands, as the console shows it: the recorded [`StepState`] plus what only a
/// live run knows (a lock wait, a step found already applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownState {
    /// Not run yet.
    Pending,
    /// Running now.
    Running,
    /// Running, and waiting for a table lock held by another session.
    LockWait,
    /// Done.
    Done,
    /// Failed (the run stopped; running again resumes).
    Failed,
    /// A gate waiting for confirmation.
    AtGate,
    /// Undone by a rollback.
    RolledBack,
    /// Found already applied (after a crash) and recorded done without running again.
    Skipped,
}

impl From<StepState> for ShownState {
    /// What the state tables say, as the console opens.
    fn from(s: StepState) -> Self {
        match s {
            StepState::Pending => ShownState::Pending,
            // Interrupted (a crash or a killed run): it simply runs again.
            StepState::Running => ShownState::Pending,
            StepState::Done => ShownState::Done,
            StepState::Failed => ShownState::Failed,
            StepState::WaitingAtGate => ShownState::AtGate,
            StepState::RolledBack => ShownState::RolledBack,
        }
    }
}

impl ShownState {
    /// Is the step recorded done in the state tables (what a rollback would undo)?
    pub fn is_done(self) -> bool {
        match self {
            ShownState::Done | ShownState::Skipped => true,
            ShownState::Pending
            | ShownState::Running
            | ShownState::LockWait
            | ShownState::Failed
            | ShownState::AtGate
            | ShownState::RolledBack => false,
        }
    }

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            ShownState::Pending => "pending",
            ShownState::Running => "running",
            ShownState::LockWait => "lock wait",
            ShownState::Done => "done",
            ShownState::Failed => "failed",
            ShownState::AtGate => "gate",
            ShownState::RolledBack => "undone",
            ShownState::Skipped => "skipped (already applied)",
        }
    }

    /// One-character marker.
    pub fn marker(self) -> &'static str {
        match self {
            ShownState::Pending => " ",
            ShownState::Running => ">",
            ShownState::LockWait => "~",
            ShownState::Done => "*",
            ShownState::Failed => "!",
            ShownState::AtGate => "?",
            ShownState::RolledBack => "<",
            ShownState::Skipped => "-",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_done_step_counts_as_done_and_a_stored_gate_is_a_gate() {
        for s in StepState::ALL {
            let shown = ShownState::from(s);
            assert_eq!(shown.is_done(), s == StepState::Done, "{s}");
            assert_eq!(
                shown == ShownState::AtGate,
                s == StepState::WaitingAtGate,
                "{s}"
            );
            assert_ne!(
                shown,
                ShownState::LockWait,
                "{s}: a lock wait is never stored"
            );
        }
        assert!(
            ShownState::Skipped.is_done(),
            "skipped steps are recorded done"
        );
        assert_eq!(ShownState::LockWait.label(), "lock wait");
        assert_eq!(ShownState::AtGate.marker(), "?");
    }
}
