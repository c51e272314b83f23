//! Undoing completed steps, newest first, each with the same lock-timeout discipline as a
//! run; stopping before anything irreversible, and saying why.

use std::collections::HashSet;
use std::time::Instant;

use super::ddl::{is_lock_timeout, step_tables};
use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::session::Session;
use super::settings::RunSettings;
use super::state;
use crate::plan::{Plan, Step, StepKind};

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

/// Steps that would be undone, newest first, up to the first irreversible one.
pub async fn pending_undo(
    s: &Session,
    plan: &Plan,
) -> Result<(Vec<Step>, Option<Step>), ExecError> {
    if !state::schema_exists(&s.pool)
        .await
        .map_err(|e| s.err("cannot read state", &e))?
    {
        return Ok((Vec::new(), None));
    }
    let done: HashSet<String> = state::steps(&s.pool, &plan.hash)
        .await
        .map_err(|e| s.err("cannot read step state", &e))?
        .into_iter()
        .filter(|r| r.state == "done")
        .map(|r| r.step_id)
        .collect();
    let mut out = Vec::new();
    for step in plan.steps.iter().rev() {
        if !done.contains(&step.id) {
            continue;
        }
        if step.rollback_sql.is_none() {
            return Ok((out, Some(step.clone())));
        }
        out.push(step.clone());
    }
    Ok((out, None))
}

/// Undo completed reversible steps of `plan`, newest first.
pub async fn rollback(
    plan: &Plan,
    url: &str,
    set: &RunSettings,
    tx: EventTx,
) -> Result<RollbackOutcome, ExecError> {
    let mut s = Session::open(url, &plan.hash).await?;
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
    let (steps, blocked) = pending_undo(s, plan).await?;
    let mut undone = 0;
    for step in &steps {
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
        let reason = b
            .irreversible_reason
            .clone()
            .unwrap_or_else(|| "it has no rollback".into());
        emit(
            tx,
            Event::RollbackStopped {
                step: b.id.clone(),
                reason: reason.clone(),
            },
        );
        return Ok(RollbackOutcome::StoppedAt {
            step: b.id,
            reason,
            undone,
        });
    }
    if undone > 0 {
        state::set_run_status(s, &plan.hash, "rolled_back").await?;
    }
    // A gate reached but never confirmed no longer waits once the work before it is undone.
    sqlx::query("DELETE FROM bellows.steps WHERE plan_hash = $1 AND state = 'waiting'")
        .bind(&plan.hash)
        .execute(&s.pool)
        .await
        .map_err(|e| s.err("cannot reset a waiting gate", &e))?;
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
                mark_rolled_back(&mut t, &plan.hash, &step.id).await?;
                t.commit().await
            } else {
                for q in &sql {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(q.clone()))
                        .execute(&mut s.work)
                        .await?;
                }
                mark_rolled_back(&mut s.work, &plan.hash, &step.id).await
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
                let msg =
                    super::session::clean(&crate::catalog::live::redact(&e.to_string(), &s.url));
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

async fn mark_rolled_back(
    conn: &mut sqlx::PgConnection,
    hash: &str,
    step: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bellows.steps SET state = 'rolled_back', finished_at = now() WHERE plan_hash = $1 AND step_id = $2")
        .bind(hash)
        .bind(step)
        .execute(conn)
        .await?;
    Ok(())
}
