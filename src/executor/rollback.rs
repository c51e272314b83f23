//! Undoing completed steps, newest first, each with the same lock-timeout discipline as a
//! run; stopping before anything irreversible, and saying why.

use std::collections::HashSet;
use std::time::Instant;

use super::ddl::{is_lock_timeout, step_tables};
use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::lifecycle::{RunStatus, StepState};
pub use super::outcome::RollbackOutcome;
use super::session::Session;
use super::settings::RunSettings;
use super::state;
use super::undo::{Undo, why_irreversible};
use crate::env::Target;
use crate::plan::{Phase, Plan, Step, StepKind};

/// What a rollback of `plan` would undo now, from the recorded step states; with `keep`,
/// only steps of later phases (back to the end of that phase).
pub async fn pending_undo<'p>(
    s: &Session,
    plan: &'p Plan,
    keep: Option<Phase>,
) -> Result<Undo<'p>, ExecError> {
    if !state::schema_exists(&s.pool)
        .await
        .map_err(|e| s.err("cannot read state", &e))?
    {
        return Ok(Undo::of(plan, |_| false));
    }
    // The state decides what is undone: it must be the executor's own, and a step counts
    // as done only with everything it depends on.
    let mut conn = s
        .pool
        .acquire()
        .await
        .map_err(|e| s.err("cannot read state", &e))?;
    super::trust::require(&mut conn, &s.target).await?;
    drop(conn);
    let recorded: HashSet<String> = state::steps(&s.pool, &plan.hash)
        .await
        .map_err(|e| e.into_exec(|e| s.err("cannot read step state", e)))?
        .into_iter()
        .filter(|r| r.state == StepState::Done)
        .map(|r| r.step_id)
        .collect();
    let (done, _) = super::done::trusted(plan, &recorded);
    Ok(Undo::of(plan, |st| {
        done.contains(&st.id) && keep.is_none_or(|k| st.phase > k)
    }))
}

/// Undo completed reversible steps of `plan`, newest first.
pub async fn rollback(
    plan: &Plan,
    target: &Target,
    set: &RunSettings,
    tx: EventTx,
) -> Result<RollbackOutcome, ExecError> {
    let mut s = Session::open(target, &plan.hash).await?;
    let r = rollback_inner(&mut s, plan, set, &tx).await;
    s.close(&plan.hash).await;
    r
}

async fn rollback_inner(
    s: &mut Session,
    plan: &Plan,
    set: &RunSettings,
    tx: &EventTx,
) -> Result<RollbackOutcome, ExecError> {
    let Undo { steps, blocked } = pending_undo(s, plan, set.rollback_to).await?;
    let mut undone = 0;
    for step in steps {
        undo(s, plan, step, set, tx).await?;
        undone += 1;
        emit(
            tx,
            Event::RolledBack {
                step: step.id.clone(),
            },
        );
    }
    if let Some(b) = blocked {
        let reason = why_irreversible(b);
        emit(
            tx,
            Event::RollbackStopped {
                step: b.id.clone(),
                reason: reason.clone(),
            },
        );
        return Ok(RollbackOutcome::StoppedAt {
            step: b.id.clone(),
            reason,
            undone,
        });
    }
    if undone > 0 {
        state::set_run_status(s, &plan.hash, RunStatus::RolledBack).await?;
    }
    // A gate reached but never confirmed no longer waits once the work before it is undone.
    state::reset_waiting_gates(s, &plan.hash).await?;
    Ok(RollbackOutcome::Done { undone })
}

/// Undo one step with lock-timeout retries; records it as rolled back.
async fn undo(
    s: &mut Session,
    plan: &Plan,
    step: &Step,
    set: &RunSettings,
    tx: &EventTx,
) -> Result<(), ExecError> {
    let sql = step.rollback_sql.clone().unwrap_or_default();
    let transactional = !sql
        .iter()
        .any(|q| q.to_uppercase().contains("CONCURRENTLY"));
    let tables = step_tables(step);
    let began = Instant::now();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let r: Result<(), sqlx::Error> = async {
            if transactional {
                let mut t = super::settings::begin_step(&mut s.work, set).await?;
                for q in &sql {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(q.clone()))
                        .execute(&mut *t)
                        .await?;
                }
                state::mark_rolled_back(&mut t, &plan.hash, &step.id).await?;
                t.commit().await
            } else {
                for q in &sql {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(q.clone()))
                        .execute(&mut s.work)
                        .await?;
                }
                state::mark_rolled_back(&mut s.work, &plan.hash, &step.id).await
            }
        }
        .await;
        match r {
            Ok(()) => break,
            Err(e) if is_lock_timeout(&e) && began.elapsed() < set.retry_total => {
                super::ddl::report_lock_wait(s, &step.id, &tables, attempt, tx).await;
                super::ddl::pause_before_retry(set, &step.id, attempt, tx).await;
            }
            Err(e) => {
                let msg = super::session::step_error(&s.target, &e);
                return Err(ExecError::StepFailed {
                    step: format!("rollback of {}", step.id),
                    error: msg,
                });
            }
        }
    }
    if step.kind == StepKind::Backfill {
        state::clear_cursor(s, &plan.hash, &step.id).await?;
    }
    if step.kind == StepKind::Gate {
        sqlx::query("DELETE FROM bellows.gate_confirmations WHERE plan_hash = $1 AND step_id = $2")
            .bind(&plan.hash)
            .bind(&step.id)
            .execute(&s.pool)
            .await
            .map_err(|e| s.err("cannot clear the gate confirmation", &e))?;
    }
    Ok(())
}
