//! The headless printer: executor events as readable lines, or one JSON object per line.

use std::time::{Duration, Instant};

use crate::executor::{Blocker, Event};

/// How events are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Readable lines.
    Text,
    /// JSON lines.
    Json,
}

/// Prints events; throttles progress lines in text mode.
pub struct Printer {
    style: Style,
    last_progress: Option<Instant>,
}

fn blockers(list: &[Blocker]) -> String {
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

impl Printer {
    /// A printer in `style`.
    pub fn new(style: Style) -> Self {
        Self {
            style,
            last_progress: None,
        }
    }

    /// One event, as a line (None when throttled).
    pub fn line(&mut self, e: &Event) -> Option<String> {
        if self.style == Style::Json {
            return serde_json::to_string(e).ok();
        }
        Some(match e {
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
                    blockers(sessions)
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
                        "wait   {step}: waiting for a lock (attempt {attempt}), held up by:\n      {}",
                        blockers(b)
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
                estimated_total,
                rows_per_s,
                eta_s,
                batch_size,
                last_batch_ms,
                ..
            } => {
                let now = Instant::now();
                if self
                    .last_progress
                    .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
                {
                    return None;
                }
                self.last_progress = Some(now);
                let pct = if *estimated_total > 0 {
                    (*rows_done as f64 * 100.0 / *estimated_total as f64).min(100.0)
                } else {
                    0.0
                };
                format!(
                    "batch  {step}: {rows_done} / ~{estimated_total} rows ({pct:.0}%), {:.0} rows/s{}, batch {batch_size} rows ({})",
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
                "GATE   {step}: {text}\n       To continue, confirm it: re-run with --yes (the console asks you to type `{confirm}`)."
            ),
            Event::GateConfirmed { step, by } => format!("gate   {step}: confirmed by {by}"),
            Event::PhaseFinished { phase } => format!("phase  {} complete", phase.name()),
            Event::RolledBack { step } => format!("undone {step}"),
            Event::RollbackStopped { step, reason } => {
                format!("STOP   rollback stops before {step}: {reason}")
            }
            Event::RunFinished { outcome } => format!("end    {outcome}"),
            Event::Note { text } => format!("note   {text}"),
        })
    }
}
