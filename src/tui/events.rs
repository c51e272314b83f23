//! How executor events change the console's state (keys are handled in [`super::app`]).

use super::app::{App, LockView, Progress, ShownState};
use crate::executor::Event;

impl App {
    /// Apply an executor event.
    pub fn on_event(&mut self, e: &Event) {
        // The log shows what the headless printer prints (first line), except for progress,
        // which has its panel, and the gate, which has its prompt.
        if !matches!(
            e,
            Event::BatchProgress { .. }
                | Event::RunStarted { .. }
                | Event::RunFinished { .. }
                | Event::GateReached { .. }
        ) {
            let line = e.describe();
            self.note(line.lines().next().unwrap_or_default().to_string());
        }
        match e {
            Event::RunStarted { .. } => self.failed = false,
            Event::StepStarted {
                step,
                summary: _,
                attempt,
                ..
            } => {
                self.set(step, ShownState::Running);
                if let Some(i) = self.index(step) {
                    self.steps[i].attempts = *attempt;
                    self.selected = i;
                }
                if self.lock.as_ref().is_some_and(|l| &l.step != step) {
                    self.lock = None;
                }
            }
            Event::StepFinished { step, ms: _ } => {
                self.set(step, ShownState::Done);
                self.lock = None;
                if let Some(i) = self.next_pending() {
                    self.selected = i;
                }
            }
            Event::StepSkipped { step, reason: _ } => {
                self.set(step, ShownState::Skipped);
            }
            Event::StepFailed { step, error } => {
                self.failed = true;
                self.set(step, ShownState::Failed);
                if let Some(i) = self.index(step) {
                    self.steps[i].last_error = Some(error.clone());
                }
            }
            Event::LongTransactions {
                step: _,
                sessions: _,
            } => {}
            Event::LockWait {
                step,
                attempt,
                blockers,
            } => {
                self.set(step, ShownState::LockWait);
                let retry = self.lock.as_ref().and_then(|l| l.retry_in_ms);
                self.lock = Some(LockView {
                    step: step.clone(),
                    attempt: *attempt,
                    blockers: blockers.clone(),
                    retry_in_ms: retry,
                });
                let _who = blockers
                    .first()
                    .map(|b| format!(", blocked by pid {} ({})", b.pid, b.state))
                    .unwrap_or_default();
            }
            Event::RetryScheduled {
                step: _,
                attempt: _,
                delay_ms,
            } => {
                if let Some(l) = &mut self.lock {
                    l.retry_in_ms = Some(*delay_ms);
                }
            }
            Event::InvalidIndexDropped { step: _, index: _ } => {}
            Event::BatchProgress {
                step,
                rows_done,
                estimated_total,
                rows_per_s,
                eta_s,
                batch_size,
                last_batch_ms,
                partition,
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
                    partition: partition.clone(),
                    history,
                });
            }
            Event::Paused { step: _, reason: _ } => {
                self.paused = true;
            }
            Event::Resumed { step: _ } => {
                self.paused = false;
            }
            Event::VerifyFailed {
                step: _,
                violations: _,
                sample_keys: _,
            } => {}
            Event::GateReached { step, .. } => {
                self.set(step, ShownState::AtGate);
                self.note(format!("GATE   {step}: press g to read it and confirm"));
                self.open_gate();
            }
            Event::GateConfirmed { step, by: _ } => {
                self.set(step, ShownState::Done);
            }
            Event::PhaseFinished { phase: _ } => {}
            Event::RolledBack { step } => {
                self.set(step, ShownState::RolledBack);
            }
            Event::RollbackStopped { step: _, reason: _ } => {}
            Event::RunFinished { .. } => {}
            Event::Note { .. } => {}
        }
    }
}
