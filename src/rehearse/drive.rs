//! Running a plan in a rehearsal copy with the real executor, reading its events: time and
//! backfill rows per phase, and what to do at a gate (deploy the new application code, let
//! it run a moment, then confirm).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::load::Shared;
use crate::env::Target;
use crate::executor::{self, Command, Event, Outcome, RunSettings};
use crate::plan::{Phase, Plan, StepKind};

/// How long the new code runs at a gate before it is confirmed.
const NEW_CODE_BEFORE_CONFIRM: Duration = Duration::from_millis(300);

/// What the events of one or more runs said.
#[derive(Debug, Default)]
pub struct Timeline {
    /// Milliseconds of steps per phase.
    pub ms: BTreeMap<Phase, u64>,
    /// Backfill rows and milliseconds per phase.
    pub backfill: BTreeMap<Phase, (i64, u64)>,
    /// Backfill rows and milliseconds per table.
    pub by_table: BTreeMap<String, (i64, u64)>,
    rows_done: BTreeMap<String, i64>,
}

/// Settings for a rehearsal run: the plan's own batch sizes; gates are confirmed by
/// [`run`].
pub fn settings(through: Option<Phase>) -> RunSettings {
    RunSettings {
        through,
        operator: "bellows rehearse".into(),
        ..RunSettings::default()
    }
}

/// Run `plan` on `url`. With `shared`, a gate deploys the new code (`shared.new_code`)
/// and waits a moment before confirming; the phase and step under way go to `shared`.
pub async fn run(
    plan: &Plan,
    url: &str,
    set: RunSettings,
    shared: Option<Arc<Shared>>,
    tl: &mut Timeline,
) -> Result<Outcome, String> {
    let target = Target::parse(url).map_err(|e| e.to_string())?;
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (commands, rx) = tokio::sync::mpsc::unbounded_channel();
    let (p, wait) = (plan.clone(), shared.is_some());
    // Without an application to deploy, gates are confirmed by the executor itself.
    let mut set = set;
    set.yes = !wait;
    let handle = tokio::spawn(async move { executor::run(&p, &target, &set, wait, tx, rx).await });
    while let Some(e) = events.recv().await {
        match e {
            Event::StepStarted { step, phase, .. } => {
                if let Some(s) = &shared {
                    s.at(phase, format!("during step {step}"));
                }
            }
            Event::BatchProgress {
                step, rows_done, ..
            } => {
                tl.rows_done.insert(step, rows_done);
            }
            Event::StepFinished { step, ms } => {
                if let (Some(s), Some(st)) = (&shared, plan.step(&step)) {
                    s.at(st.phase, format!("after step {step}"));
                }
                finished(plan, tl, &step, ms);
            }
            Event::GateReached { step, .. } => {
                if let Some(s) = &shared {
                    if let Some(st) = plan.step(&step) {
                        s.at(st.phase, format!("at gate {step}, new code deployed"));
                    }
                    s.new_code.store(true, Ordering::Relaxed);
                    tokio::time::sleep(NEW_CODE_BEFORE_CONFIRM).await;
                }
                let _ = commands.send(Command::ConfirmGate(step));
            }
            _ => {}
        }
    }
    match handle.await {
        Ok(Ok(o)) => Ok(o),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the executor task ended: {e}")),
    }
}

/// A finished step's time, and its rows when it is a backfill.
fn finished(plan: &Plan, tl: &mut Timeline, step: &str, ms: u64) {
    let Some(s) = plan.step(step) else { return };
    *tl.ms.entry(s.phase).or_default() += ms;
    if s.kind != StepKind::Backfill {
        return;
    }
    let rows = tl.rows_done.get(step).copied().unwrap_or(0);
    let e = tl.backfill.entry(s.phase).or_default();
    e.0 += rows;
    e.1 += ms;
    if let Some(b) = &s.backfill {
        let e = tl.by_table.entry(b.table.clone()).or_default();
        e.0 += rows;
        e.1 += ms;
    }
}
