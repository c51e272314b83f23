//! Why a run stopped, with the exit code each reason maps to (CONTRACT.md).

/// A run that could not go on.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// Cannot talk to the database any more (password never included).
    #[error("{0}")]
    Database(String),
    /// Cannot connect to the database at all: nothing was changed (exit 4).
    #[error("{0}; nothing was changed")]
    Unreachable(String),
    /// The plan does not fit this database (version, drift); nothing was changed.
    #[error("{0}")]
    Precondition(String),
    /// Another executor holds this plan.
    #[error("{0}")]
    Busy(String),
    /// The session holding the plan's advisory lock was lost; the run stopped at a safe
    /// point (another executor may have been admitted, so no state is written).
    #[error("{0}")]
    LockLost(String),
    /// A step failed; the state is kept and a re-run resumes.
    #[error("step {step} failed: {error}")]
    StepFailed {
        /// Step id.
        step: String,
        /// What happened.
        error: String,
    },
}

impl ExecError {
    /// Exit code: 2 for bad input / nothing changed, 4 for a database that cannot be
    /// reached, 1 for a failed step.
    pub fn exit_code(&self) -> u8 {
        match self {
            ExecError::Precondition(_) | ExecError::Busy(_) => 2,
            ExecError::Unreachable(_) => 4,
            ExecError::Database(_) | ExecError::LockLost(_) | ExecError::StepFailed { .. } => 1,
        }
    }
}
