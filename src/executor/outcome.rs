//! How a run or a rollback ended, the run status that records it, and every sentence that
//! reports it (the `end` line, the console's note, the command line's exit): one place.

use super::error::ExecError;
use super::lifecycle::RunStatus;
use crate::plan::Phase;

/// How a run ended without error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every step is done.
    Done,
    /// Stopped at a gate that needs confirmation (exit 3).
    AtGate {
        /// Gate step id.
        step: String,
        /// What must be confirmed.
        text: String,
        /// What to type to confirm.
        confirm: String,
    },
    /// Stopped before the first step of a phase later than the one given with `--through`
    /// (which is the phase reported, whether or not the plan has steps in it).
    Through(Phase),
    /// Stopped on request after the current batch; a re-run continues.
    Stopped,
    /// Ran the number of steps asked for (`max_steps`).
    StepsDone,
}

/// How a rollback ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackOutcome {
    /// Every completed step was undone.
    Done {
        /// Steps undone.
        undone: usize,
    },
    /// Stopped before an irreversible step.
    StoppedAt {
        /// The irreversible step.
        step: String,
        /// Why it cannot be undone.
        reason: String,
        /// Steps undone before stopping.
        undone: usize,
    },
}

/// The run status to record for a run's result; None leaves the record as it is (the
/// database may be unreachable, or nothing started).
pub fn run_status(result: &Result<Outcome, ExecError>) -> Option<RunStatus> {
    match result {
        Ok(Outcome::Done) => Some(RunStatus::Done),
        Ok(Outcome::AtGate { .. }) => Some(RunStatus::AtGate),
        Ok(Outcome::Through(_) | Outcome::Stopped | Outcome::StepsDone) => Some(RunStatus::Stopped),
        Err(ExecError::StepFailed { .. }) => Some(RunStatus::Failed),
        Err(
            ExecError::Database(_)
            | ExecError::Unreachable(_)
            | ExecError::Precondition(_)
            | ExecError::Busy(_)
            | ExecError::LockLost(_),
        ) => None,
    }
}

/// The `end` line of a run (headless printer, JSON event, console log).
pub fn describe(result: &Result<Outcome, ExecError>) -> String {
    match result {
        Ok(Outcome::Done) => "done".to_string(),
        Ok(Outcome::AtGate { step, .. }) => format!("stopped at gate {step}"),
        Ok(Outcome::Through(p)) => format!("stopped after phase {}", p.name()),
        Ok(Outcome::Stopped) => "stopped on request; run again to continue".into(),
        Ok(Outcome::StepsDone) => "ran the steps asked for".into(),
        Err(e) => e.to_string(),
    }
}

/// What the console notes when a run it started ends (None: nothing worth a line).
pub fn console_note(result: &Result<Outcome, ExecError>) -> Option<String> {
    Some(match result {
        Ok(Outcome::Done) => "every step is done".to_string(),
        Ok(Outcome::Through(p)) => format!("phase {} complete", p.name()),
        Ok(Outcome::Stopped) => "stopped on request; press n or r to go on".to_string(),
        Ok(Outcome::StepsDone) => return None,
        Ok(Outcome::AtGate { step, .. }) => format!("waiting at gate {step}"),
        Err(e) => e.to_string(),
    })
}

impl Outcome {
    /// Exit code of `bellows run` (0 done or stopped where asked, 3 at a gate, 130 stopped
    /// on request) and what to say with a non-zero one.
    pub fn exit(&self) -> (u8, Option<String>) {
        match self {
            Outcome::Done | Outcome::Through(_) | Outcome::StepsDone => (0, None),
            Outcome::Stopped => (
                130,
                Some(
                    "stopped on request after the current batch; run the same command again to continue"
                        .into(),
                ),
            ),
            Outcome::AtGate { step, .. } => (
                3,
                Some(format!(
                    "stopped at gate {step}: confirm it with --confirm {step} (or --yes) to continue"
                )),
            ),
        }
    }
}

impl RollbackOutcome {
    /// The last line of a rollback, for the command line and the console.
    pub fn describe(&self) -> String {
        match self {
            RollbackOutcome::Done { undone: 0 } => {
                "nothing to undo: no completed step of this plan in this database".to_string()
            }
            RollbackOutcome::Done { undone } => format!("rolled back {undone} step(s)"),
            RollbackOutcome::StoppedAt {
                step,
                reason,
                undone: 0,
            } => format!(
                "nothing can be undone, so nothing was changed: the newest completed step {step} is irreversible ({reason})"
            ),
            RollbackOutcome::StoppedAt {
                step,
                reason,
                undone,
            } => format!(
                "rolled back {undone} step(s); stopped before {step}, which cannot be undone: {reason}"
            ),
        }
    }

    /// Exit code of `bellows rollback`: 0 when it undid what it could (or there was nothing
    /// to undo), 2 when the newest completed step is irreversible so nothing could be undone
    /// (the request cannot be carried out; nothing was changed).
    pub fn exit(&self) -> u8 {
        match self {
            RollbackOutcome::StoppedAt { undone: 0, .. } => 2,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Outcome {
        Outcome::AtGate {
            step: "1.gate".into(),
            text: "t".into(),
            confirm: "c".into(),
        }
    }

    #[test]
    fn every_outcome_has_its_status_line_and_exit() {
        let cases: Vec<(Result<Outcome, ExecError>, Option<RunStatus>, &str)> = vec![
            (Ok(Outcome::Done), Some(RunStatus::Done), "done"),
            (
                Ok(gate()),
                Some(RunStatus::AtGate),
                "stopped at gate 1.gate",
            ),
            (
                Ok(Outcome::Through(Phase::Expand)),
                Some(RunStatus::Stopped),
                "stopped after phase expand",
            ),
            (
                Ok(Outcome::Stopped),
                Some(RunStatus::Stopped),
                "stopped on request; run again to continue",
            ),
            (
                Ok(Outcome::StepsDone),
                Some(RunStatus::Stopped),
                "ran the steps asked for",
            ),
            (
                Err(ExecError::StepFailed {
                    step: "1.x".into(),
                    error: "boom".into(),
                }),
                Some(RunStatus::Failed),
                "step 1.x failed: boom",
            ),
            (Err(ExecError::Database("gone".into())), None, "gone"),
            (Err(ExecError::Busy("busy".into())), None, "busy"),
        ];
        for (r, status, line) in cases {
            assert_eq!(run_status(&r), status, "{r:?}");
            assert_eq!(describe(&r), line);
        }
        assert_eq!(Outcome::Done.exit(), (0, None));
        assert_eq!(Outcome::Through(Phase::Backfill).exit().0, 0);
        assert_eq!(Outcome::Stopped.exit().0, 130);
        let (code, msg) = gate().exit();
        assert_eq!(code, 3);
        assert_eq!(
            msg.as_deref(),
            Some("stopped at gate 1.gate: confirm it with --confirm 1.gate (or --yes) to continue")
        );
    }

    #[test]
    fn the_console_notes_each_ending() {
        assert_eq!(
            console_note(&Ok(Outcome::Through(Phase::DualWrite))).as_deref(),
            Some("phase dual_write complete")
        );
        assert_eq!(console_note(&Ok(Outcome::StepsDone)), None);
        assert_eq!(
            console_note(&Ok(gate())).as_deref(),
            Some("waiting at gate 1.gate")
        );
    }

    #[test]
    fn rollback_endings_name_what_stopped_them() {
        assert_eq!(
            RollbackOutcome::Done { undone: 2 }.describe(),
            "rolled back 2 step(s)"
        );
        let s = RollbackOutcome::StoppedAt {
            step: "1.drop".into(),
            reason: "data is gone".into(),
            undone: 0,
        }
        .describe();
        assert_eq!(
            s,
            "nothing can be undone, so nothing was changed: the newest completed step 1.drop is irreversible (data is gone)"
        );
        let partial = RollbackOutcome::StoppedAt {
            step: "1.drop".into(),
            reason: "data is gone".into(),
            undone: 3,
        };
        assert_eq!(
            partial.describe(),
            "rolled back 3 step(s); stopped before 1.drop, which cannot be undone: data is gone"
        );
        assert_eq!(partial.exit(), 0);
        assert_eq!(
            RollbackOutcome::StoppedAt {
                step: "1.drop".into(),
                reason: "r".into(),
                undone: 0
            }
            .exit(),
            2,
            "nothing could be undone"
        );
        assert_eq!(RollbackOutcome::Done { undone: 0 }.exit(), 0);
        assert!(
            RollbackOutcome::Done { undone: 0 }
                .describe()
                .starts_with("nothing to undo")
        );
    }
}
