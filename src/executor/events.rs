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
        /// Rows a backfill changed so far (`None` for a verification, which only reads).
        rows_changed: Option<i64>,
        estimated_total: i64,
        rows_per_s: f64,
        eta_s: Option<f64>,
        batch_size: u32,
        last_batch_ms: u64,
        pause_ms: u64,
        /// The leaf partition under way, for a backfill that walks them one by one.
        #[serde(skip_serializing_if = "Option::is_none")]
        partition: Option<String>,
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

fn describe_blockers(list: &[Blocker]) -> String {
    list.iter()
        .map(|b| {
            format!(
                "pid {} ({}{}, {}, transaction {:.1}s, holds {}): {}",
                b.pid,
                b.user,
                if b.application.is_empty() {
                    String::new()
                } else {
                    format!(" via {}", b.application)
                },
                b.state,
                b.transaction_age_s,
                if b.modes.is_empty() {
                    "-".into()
                } else {
                    b.modes.join("/")
                },
                b.query.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n      ")
}

fn dur(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

impl Event {
    /// The event as text for people: the headless printer's lines and the console's log.
    pub fn describe(&self) -> String {
        let e = self;
        match e {
            Event::RunStarted {
                plan,
                resumed,
                done_steps,
                total_steps,
                ..
            } => {
                if *resumed {
                    format!("resuming {plan}: {done_steps} of {total_steps} steps already done")
                } else {
                    format!("running {plan}: {total_steps} steps")
                }
            }
            Event::StepStarted {
                step,
                summary,
                attempt,
                ..
            } => {
                if *attempt > 1 {
                    format!("start  {step}  {summary} (attempt {attempt})")
                } else {
                    format!("start  {step}  {summary}")
                }
            }
            Event::StepFinished { step, ms } => format!("done   {step}  ({})", dur(*ms)),
            Event::StepSkipped { step, reason } => format!("skip   {step}  ({reason})"),
            Event::StepFailed { step, error } => format!("FAILED {step}: {error}"),
            Event::LongTransactions { step, sessions } => {
                format!(
                    "note   {step}: long transactions hold locks on its tables:\n      {}",
                    describe_blockers(sessions)
                )
            }
            Event::LockWait {
                step,
                attempt,
                blockers: b,
            } => {
                if b.is_empty() {
                    format!(
                        "wait   {step}: lock timeout on attempt {attempt} (the blocker already left)"
                    )
                } else {
                    format!(
                        "wait   {step}: waiting for a lock (attempt {attempt}), held up by pid {} ({}){}:\n      {}",
                        b[0].pid,
                        b[0].state,
                        if b.len() > 1 {
                            format!(" and {} more", b.len() - 1)
                        } else {
                            String::new()
                        },
                        describe_blockers(b)
                    )
                }
            }
            Event::RetryScheduled {
                step,
                attempt,
                delay_ms,
            } => format!("retry  {step}: attempt {attempt} in {}", dur(*delay_ms)),
            Event::InvalidIndexDropped { step, index } => {
                format!("clean  {step}: dropped the invalid index {index} left by a failed build")
            }
            Event::BatchProgress {
                step,
                rows_done,
                rows_changed,
                estimated_total,
                rows_per_s,
                eta_s,
                batch_size,
                last_batch_ms,
                partition,
                ..
            } => {
                let pct = if *estimated_total > 0 {
                    (*rows_done as f64 * 100.0 / *estimated_total as f64).min(100.0)
                } else {
                    0.0
                };
                format!(
                    "batch  {step}{}: {rows_done} / ~{estimated_total} rows ({pct:.0}%){}, {:.0} rows/s{}, batch {batch_size} rows ({})",
                    partition
                        .as_ref()
                        .map(|p| format!(" (partition {p})"))
                        .unwrap_or_default(),
                    rows_changed
                        .map(|n| format!(", {n} changed"))
                        .unwrap_or_default(),
                    rows_per_s,
                    eta_s
                        .map(|e| format!(", about {:.0} s left", e))
                        .unwrap_or_default(),
                    dur(*last_batch_ms)
                )
            }
            Event::Paused { step, reason } => format!("pause  {step}: {reason}"),
            Event::Resumed { step } => format!("resume {step}"),
            Event::VerifyFailed {
                step,
                violations,
                sample_keys,
            } => {
                format!(
                    "FAILED {step}: {violations}+ rows are wrong; sample keys: {}",
                    sample_keys.join("; ")
                )
            }
            Event::GateReached {
                step,
                text,
                confirm,
            } => format!(
                "GATE   {step}: {text}\n       To continue, confirm it: re-run with --confirm {step} (--yes confirms every gate; the console asks you to type `{confirm}`)."
            ),
            Event::GateConfirmed { step, by } => format!("gate   {step}: confirmed by {by}"),
            Event::PhaseFinished { phase } => format!("phase  {} complete", phase.name()),
            Event::RolledBack { step } => format!("undone {step}"),
            Event::RollbackStopped { step, reason } => {
                format!("STOP   rollback stops before {step}: {reason}")
            }
            Event::RunFinished { outcome } => format!("end    {outcome}"),
            Event::Note { text } => format!("note   {text}"),
        }
    }
}
