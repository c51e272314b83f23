//! How executor events change the console's state (keys are handled in [`super::app`]).

use super::app::{App, LockView, Progress, StepState};
use crate::executor::Event;

impl App {
    /// Apply an executor event.
    pub fn on_event(&mut self, e: &Event) {
        match e {
            Event::RunStarted { .. } => self.failed = false,
            Event::StepStarted {
                step,
                summary,
                attempt,
                ..
            } => {
                self.set(step, StepState::Running);
                if let Some(i) = self.index(step) {
                    self.steps[i].attempts = *attempt;
                    self.selected = i;
                }
                if self.lock.as_ref().is_some_and(|l| &l.step != step) {
                    self.lock = None;
                }
                self.note(format!(
                    "start  {step}  {summary}{}",
                    if *attempt > 1 {
                        format!(" (attempt {attempt})")
                    } else {
                        String::new()
                    }
                ));
            }
            Event::StepFinished { step, ms } => {
                self.set(step, StepState::Done);
                self.lock = None;
                self.note(format!("done   {step} ({ms} ms)"));
                if let Some(i) = self.next_pending() {
                    self.selected = i;
                }
            }
            Event::StepSkipped { step, reason } => {
                self.set(step, StepState::Skipped);
                self.note(format!("skip   {step} ({reason})"));
            }
            Event::StepFailed { step, error } => {
                self.failed = true;
                self.set(step, StepState::Failed);
                if let Some(i) = self.index(step) {
                    self.steps[i].last_error = Some(error.clone());
                }
                self.note(format!("FAILED {step}: {error}"));
            }
            Event::LongTransactions { step, sessions } => {
                self.note(format!(
                    "note   {step}: {} long transaction(s) hold locks on its tables",
                    sessions.len()
                ));
            }
            Event::LockWait {
                step,
                attempt,
                blockers,
            } => {
                self.set(step, StepState::Waiting);
                let retry = self.lock.as_ref().and_then(|l| l.retry_in_ms);
                self.lock = Some(LockView {
                    step: step.clone(),
                    attempt: *attempt,
                    blockers: blockers.clone(),
                    retry_in_ms: retry,
                });
                let who = blockers
                    .first()
                    .map(|b| format!(", blocked by pid {} ({})", b.pid, b.state))
                    .unwrap_or_default();
                self.note(format!("wait   {step}: lock wait, attempt {attempt}{who}"));
            }
            Event::RetryScheduled {
                step,
                attempt,
                delay_ms,
            } => {
                if let Some(l) = &mut self.lock {
                    l.retry_in_ms = Some(*delay_ms);
                }
                self.note(format!("retry  {step}: attempt {attempt} in {delay_ms} ms"));
            }
            Event::InvalidIndexDropped { step, index } => {
                self.note(format!("clean  {step}: dropped invalid index {index}"))
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
                let mut history = self
                    .progress
                    .as_ref()
                    .filter(|p| &p.step == step)
                    .map(|p| p.history.clone())
                    .unwrap_or_default();
                history.push(*rows_per_s as u64);
                if history.len() > 120 {
                    history.remove(0);
                }
                if self.plan.step(step).is_some_and(|s| s.backfill.is_some()) {
                    self.batch_size = *batch_size;
                }
                self.progress = Some(Progress {
                    step: step.clone(),
                    rows_done: *rows_done,
                    total: *estimated_total,
                    rate: *rows_per_s,
                    eta_s: *eta_s,
                    batch_size: *batch_size,
                    last_batch_ms: *last_batch_ms,
                    history,
                });
            }
            Event::Paused { step, reason } => {
                self.paused = true;
                self.note(format!("pause  {step}: {reason}"));
            }
            Event::Resumed { step } => {
                self.paused = false;
                self.note(format!("resume {step}"));
            }
            Event::VerifyFailed {
                step,
                violations,
                sample_keys,
            } => {
                self.note(format!(
                    "FAILED {step}: {violations}+ rows are wrong; keys {}",
                    sample_keys.join("; ")
                ));
            }
            Event::GateReached { step, .. } => {
                self.set(step, StepState::Gate);
                self.note(format!("GATE   {step}: press g to read it and confirm"));
                self.open_gate();
            }
            Event::GateConfirmed { step, by } => {
                self.set(step, StepState::Done);
                self.note(format!("gate   {step}: confirmed by {by}"));
            }
            Event::PhaseFinished { phase } => {
                self.note(format!("phase  {} complete", phase.name()))
            }
            Event::RolledBack { step } => {
                self.set(step, StepState::RolledBack);
                self.note(format!("undone {step}"));
            }
            Event::RollbackStopped { step, reason } => {
                self.note(format!("rollback stops before {step}: {reason}"))
            }
            Event::RunFinished { .. } => {}
            Event::Note { text } => self.note(text.clone()),
        }
    }
}
