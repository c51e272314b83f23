//! What the executor reports (events) and what it accepts (commands). The headless printer
//! and the console both consume the same events.

use std::time::Duration;

use serde::Serialize;

use crate::plan::Phase;

/// A session that blocks (or may block) a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    /// Backend pid.
    pub pid: i32,
    /// Role.
    pub user: String,
    /// `application_name`.
    pub application: String,
    /// `active`, `idle in transaction`, ...
    pub state: String,
    /// Seconds since its transaction started.
    pub transaction_age_s: f64,
    /// Lock modes it holds on the step's tables.
    pub modes: Vec<String>,
    /// Its current or last query (truncated).
    pub query: String,
}

/// Everything that happens during a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run began (or resumed).
    RunStarted {
        plan: String,
        hash: String,
        resumed: bool,
        done_steps: usize,
        total_steps: usize,
    },
    /// A step is being started (attempt counts from 1).
    StepStarted {
        step: String,
        phase: Phase,
        summary: String,
        attempt: u32,
    },
    /// A step finished.
    StepFinished { step: String, ms: u64 },
    /// A step was already done (recorded, or found in the catalog after a crash).
    StepSkipped { step: String, reason: String },
    /// A step failed for good; the run stops, resumably.
    StepFailed { step: String, error: String },
    /// Transactions that hold locks on the step's tables for long (before an attempt).
    LongTransactions {
        step: String,
        sessions: Vec<Blocker>,
    },
    /// The step's lock request timed out; these sessions held it up.
    LockWait {
        step: String,
        attempt: u32,
        blockers: Vec<Blocker>,
    },
    /// A retry after a lock timeout.
    RetryScheduled {
        step: String,
        attempt: u32,
        delay_ms: u64,
    },
    /// An invalid index left by a failed concurrent build was dropped before retrying.
    InvalidIndexDropped { step: String, index: String },
    /// Backfill or verification progress after a batch.
    BatchProgress {
        step: String,
        rows_done: i64,
        estimated_total: i64,
        rows_per_s: f64,
        eta_s: Option<f64>,
        batch_size: u32,
        last_batch_ms: u64,
        pause_ms: u64,
    },
    /// Batches are paused (by command, or for replica lag).
    Paused { step: String, reason: String },
    /// Batches resumed.
    Resumed { step: String },
    /// A verification found rows that are wrong.
    VerifyFailed {
        step: String,
        violations: i64,
        sample_keys: Vec<String>,
    },
    /// A gate needs a person.
    GateReached {
        step: String,
        text: String,
        confirm: String,
    },
    /// A gate was confirmed.
    GateConfirmed { step: String, by: String },
    /// A phase completed.
    PhaseFinished { phase: Phase },
    /// A step was undone.
    RolledBack { step: String },
    /// Rollback stopped before an irreversible step.
    RollbackStopped { step: String, reason: String },
    /// The run ended.
    RunFinished { outcome: String },
    /// Anything else worth a line.
    Note { text: String },
}

/// Requests from the operator while a run is under way.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Pause batches after the current one.
    Pause,
    /// Resume batches.
    Resume,
    /// Set the batch size (rows).
    SetBatchSize(u32),
    /// Set the pause between batches.
    SetPause(Duration),
    /// Stop after the current batch, leaving a resumable state.
    StopAfterBatch,
    /// Confirm the gate with this step id.
    ConfirmGate(String),
}

/// Where events go.
pub type EventTx = tokio::sync::mpsc::UnboundedSender<Event>;
/// Where commands come from.
pub type CommandRx = tokio::sync::mpsc::UnboundedReceiver<Command>;

/// Send an event, ignoring a listener that went away.
pub fn emit(tx: &EventTx, e: Event) {
    let _ = tx.send(e);
}
