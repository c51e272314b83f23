//! Running DDL steps: each transactional step in its own short transaction with
//! `SET LOCAL lock_timeout` and `statement_timeout`, retried with backoff and jitter on
//! lock_not_available (55P03), reporting who blocks it; CONCURRENTLY steps outside a
//! transaction, cleaning up the INVALID index a failed build leaves.

use std::time::{Duration, Instant};

use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::guard;
use super::lifecycle::StepState;
use super::locks;
use super::session::Session;
use super::settings::{RunSettings, backoff, pg_ms};
use super::state;
use crate::plan::{Plan, Step};
use crate::sql::{self, Ddl};

/// SQLSTATE of lock_not_available.
pub const LOCK_NOT_AVAILABLE: &str = "55P03";

/// Did this error come from a lock timeout?
pub fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == LOCK_NOT_AVAILABLE)
}

/// Qualified, quoted names of the step's tables (for to_regclass).
pub fn step_tables(step: &Step) -> Vec<String> {
    step.lock
        .tables
        .iter()
        .filter_map(|t| t.parse::<sql::QName>().ok())
        .map(|q| q.sql())
        .collect()
}

/// Why an attempt did not commit.
enum Failure {
    /// The database said no (a lock timeout is retried).
    Db(sqlx::Error),
    /// The contract guard's check inside the transaction refused.
    Refused(String),
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Db(e)
    }
}

/// Run one DDL-like step until it is done, retrying lock timeouts. Records completion.
/// With `check`, the step's transaction first passes the contract guard's final check.
pub async fn run_step(
    s: &mut Session,
    plan: &Plan,
    step: &Step,
    set: &RunSettings,
    tx: &EventTx,
    check: Option<&guard::InTx<'_>>,
) -> Result<(), ExecError> {
    if !step.transactional
        && let Some(reason) = already_applied(s, step, tx).await?
    {
        state::mark_done(&mut s.work, &plan.hash, &step.id, &set.operator)
            .await
            .map_err(|e| s.err("cannot record the step", &e))?;
        emit(
            tx,
            Event::StepSkipped {
                step: step.id.clone(),
                reason,
            },
        );
        return Ok(());
    }
    if !step.transactional {
        drop_invalid_index(s, step, tx).await?;
    }
    let tables = step_tables(step);
    let began = Instant::now();
    let mut attempt: u32 = 0;
    loop {
        attempt += 1;
        s.check_lock(&plan.hash).await?;
        state::begin_attempt(s, &plan.hash, &step.id).await?;
        if let Ok(long) = locks::holders(
            &s.pool,
            &tables,
            set.long_transaction.as_secs_f64(),
            &[s.work_pid],
        )
        .await
            && !long.is_empty()
        {
            emit(
                tx,
                Event::LongTransactions {
                    step: step.id.clone(),
                    sessions: long,
                },
            );
        }
        emit(
            tx,
            Event::StepStarted {
                step: step.id.clone(),
                phase: step.phase,
                summary: step.summary.clone(),
                attempt,
            },
        );
        let t0 = Instant::now();
        let result = attempt_with_monitor(s, plan, step, set, tx, attempt, check).await;
        match result {
            Ok(()) => {
                emit(
                    tx,
                    Event::StepFinished {
                        step: step.id.clone(),
                        ms: t0.elapsed().as_millis() as u64,
                    },
                );
                return Ok(());
            }
            Err(Failure::Refused(msg)) => {
                state::mark(s, &plan.hash, &step.id, StepState::Failed, Some(&msg)).await?;
                return Err(ExecError::StepFailed {
                    step: step.id.clone(),
                    error: msg,
                });
            }
            Err(Failure::Db(e)) if is_lock_timeout(&e) => {
                report_lock_wait(s, &step.id, &tables, attempt, tx).await;
                if !step.transactional {
                    drop_invalid_index(s, step, tx).await?;
                }
                if began.elapsed() >= set.retry_total {
                    let msg = format!(
                        "could not get its lock in {} attempts over {}s (lock_timeout {}); the lock-wait reports name who held it. Run again to retry",
                        attempt,
                        began.elapsed().as_secs(),
                        pg_ms(set.lock_timeout)
                    );
                    state::mark(s, &plan.hash, &step.id, StepState::Failed, Some(&msg)).await?;
                    return Err(ExecError::StepFailed {
                        step: step.id.clone(),
                        error: msg,
                    });
                }
                pause_before_retry(set, &step.id, attempt, tx).await;
            }
            Err(Failure::Db(e)) => {
                let msg = super::session::step_error(&s.target, &e);
                if !step.transactional {
                    let _ = drop_invalid_index(s, step, tx).await;
                }
                state::mark(s, &plan.hash, &step.id, StepState::Failed, Some(&msg)).await?;
                return Err(ExecError::StepFailed {
                    step: step.id.clone(),
                    error: msg,
                });
            }
        }
    }
}

/// After a lock timeout: report the sessions that hold locks on the step's tables.
pub async fn report_lock_wait(
    s: &Session,
    step: &str,
    tables: &[String],
    attempt: u32,
    tx: &EventTx,
) {
    let blockers = locks::holders(&s.pool, tables, 0.0, &[s.work_pid])
        .await
        .unwrap_or_default();
    emit(
        tx,
        Event::LockWait {
            step: step.to_string(),
            attempt,
            blockers,
        },
    );
}

/// Wait out the backoff before the next attempt, saying so.
pub async fn pause_before_retry(set: &RunSettings, step: &str, attempt: u32, tx: &EventTx) {
    let delay = backoff(set, attempt);
    emit(
        tx,
        Event::RetryScheduled {
            step: step.to_string(),
            attempt: attempt + 1,
            delay_ms: delay.as_millis() as u64,
        },
    );
    tokio::time::sleep(delay).await;
}

/// One attempt, while a monitor reports who blocks the work connection.
async fn attempt_with_monitor(
    s: &mut Session,
    plan: &Plan,
    step: &Step,
    set: &RunSettings,
    tx: &EventTx,
    attempt: u32,
    check: Option<&guard::InTx<'_>>,
) -> Result<(), Failure> {
    let pool = s.pool.clone();
    let pid = s.work_pid;
    let fut = attempt_once(&mut s.work, plan, step, set, check);
    tokio::pin!(fut);
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    tick.tick().await;
    let mut last: Vec<i32> = Vec::new();
    loop {
        tokio::select! {
            r = &mut fut => return r,
            _ = tick.tick() => {
                if let Ok(b) = locks::blocking(&pool, pid).await {
                    let pids: Vec<i32> = b.iter().map(|x| x.pid).collect();
                    if !b.is_empty() && pids != last {
                        emit(tx, Event::LockWait { step: step.id.clone(), attempt, blockers: b });
                    }
                    last = pids;
                }
            }
        }
    }
}

/// Run the statements once and record completion.
async fn attempt_once(
    conn: &mut sqlx::PgConnection,
    plan: &Plan,
    step: &Step,
    set: &RunSettings,
    check: Option<&guard::InTx<'_>>,
) -> Result<(), Failure> {
    if step.transactional {
        let mut t = super::settings::begin_step(conn, set).await?;
        if let Some(c) = check
            && let Some(why) = guard::in_tx(&mut t, step, &step_tables(step), c).await?
        {
            let _ = t.rollback().await;
            return Err(Failure::Refused(why));
        }
        for q in &step.sql {
            sqlx::raw_sql(sqlx::AssertSqlSafe(q.clone()))
                .execute(&mut *t)
                .await?;
        }
        state::mark_done(&mut t, &plan.hash, &step.id, &set.operator).await?;
        Ok(t.commit().await?)
    } else {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET lock_timeout = '{}'",
            pg_ms(set.concurrent_lock_timeout)
        )))
        .execute(&mut *conn)
        .await?;
        sqlx::query("SET statement_timeout = 0")
            .execute(&mut *conn)
            .await?;
        let mut result = Ok(());
        for q in &step.sql {
            if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(q.clone()))
                .execute(&mut *conn)
                .await
            {
                result = Err(e);
                break;
            }
        }
        sqlx::query("RESET lock_timeout")
            .execute(&mut *conn)
            .await?;
        sqlx::query("RESET statement_timeout")
            .execute(&mut *conn)
            .await?;
        result?;
        Ok(state::mark_done(conn, &plan.hash, &step.id, &set.operator).await?)
    }
}

/// The DDL a non-transactional step runs, read back with bellows' own parser.
fn concurrent_ddl(step: &Step) -> Option<Ddl> {
    let text = step.sql.first()?;
    sql::parse_file("plan", text, true)
        .ok()?
        .into_iter()
        .next()
        .map(|s| s.ddl)
}

/// For a step that is not transactional, was it applied before a crash kept it from being
/// recorded? Returns why it counts as done.
async fn already_applied(
    s: &Session,
    step: &Step,
    _tx: &EventTx,
) -> Result<Option<String>, ExecError> {
    match concurrent_ddl(step) {
        Some(Ddl::CreateIndex(ix)) => {
            let Some(name) = ix.name else { return Ok(None) };
            let valid: Option<bool> = sqlx::query_scalar(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            )
            .bind(&ix.table.schema)
            .bind(&name)
            .fetch_optional(&s.pool)
            .await
            .map_err(|e| s.err("cannot inspect indexes", &e))?;
            Ok((valid == Some(true)).then(|| format!("index {name} already exists and is valid")))
        }
        Some(Ddl::DropIndex { names, .. }) => {
            let Some(n) = names.first() else {
                return Ok(None);
            };
            let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
                .bind(n.sql())
                .fetch_one(&s.pool)
                .await
                .map_err(|e| s.err("cannot inspect indexes", &e))?;
            Ok((!exists).then(|| format!("index {} is already gone", n.display())))
        }
        _ => Ok(None),
    }
}

/// Drop the INVALID index a failed CREATE INDEX CONCURRENTLY left behind.
pub async fn drop_invalid_index(
    s: &mut Session,
    step: &Step,
    tx: &EventTx,
) -> Result<(), ExecError> {
    let Some(Ddl::CreateIndex(ix)) = concurrent_ddl(step) else {
        return Ok(());
    };
    let Some(name) = ix.name else { return Ok(()) };
    let invalid: Option<bool> = sqlx::query_scalar(
        "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
    )
    .bind(&ix.table.schema)
    .bind(&name)
    .fetch_optional(&s.pool)
    .await
    .map_err(|e| s.err("cannot inspect indexes", &e))?;
    if invalid == Some(true) {
        let q = format!(
            "DROP INDEX CONCURRENTLY IF EXISTS {}",
            ix.table.sibling(name.clone()).sql()
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(q))
            .execute(&mut s.work)
            .await
            .map_err(|e| s.err("cannot drop the invalid index", &e))?;
        emit(
            tx,
            Event::InvalidIndexDropped {
                step: step.id.clone(),
                index: name,
            },
        );
    }
    Ok(())
}
