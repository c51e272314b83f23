//! The contract guard: nothing is dropped unless its copy is there and nothing unplanned depends on it.
//!
//! [`derive`] reads from the plan's own steps what each gate and irreversible contract step
//! must find ([`Guard`]): for a shadow column, the copy with its planned type and NOT NULL,
//! the sync trigger present and enabled, the indexes and constraints carried over, and no
//! view, policy, foreign key, trigger or function reading the old column that the plan does
//! not move; for DROP COLUMN / DROP TABLE, no such dependant. [`probe`] checks these facts in
//! the live catalog. Before a gate is offered the facts are checked; before an irreversible
//! step they are checked again, the copy's values are re-read online in batches (the plan's
//! own verification, [`crate::executor::verify::scan`]), and inside the step's transaction,
//! under its lock, [`in_tx`] repeats the catalog check and makes sure the trigger and the
//! copy are the very objects the online pass saw. Any difference stops the run (exit 1)
//! with nothing dropped and a sentence per difference.

pub mod derive;
pub mod probe;

use sqlx::PgConnection;

pub use derive::{Fact, Guard, Known, guards};

use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::lifecycle::StepState;
use super::session::Session;
use super::state;
use super::verify::{self, ScanMode};
use crate::plan::{Plan, Step};

/// What an irreversible step's transaction re-checks, and what the online check saw.
#[derive(Debug, Clone)]
pub struct InTx<'a> {
    /// The catalog facts.
    pub facts: &'a [Fact],
    /// Identity of the objects the online check saw.
    pub identity: Vec<String>,
}

/// Stop the run before `step`, recording why.
async fn refuse(
    s: &Session,
    plan: &Plan,
    step: &Step,
    problems: &[String],
    remedy: &str,
) -> ExecError {
    let error = format!(
        "the contract guard found that {}; nothing was dropped. {remedy}",
        problems.join("; ")
    );
    if let Err(e) = state::mark(s, &plan.hash, &step.id, StepState::Failed, Some(&error)).await {
        return e;
    }
    ExecError::StepFailed {
        step: step.id.clone(),
        error,
    }
}

const PUT_RIGHT: &str =
    "Put it right, or roll the plan back (`bellows rollback PLAN --yes`), then run again";

/// The facts, checked on a pool connection in a short read-only transaction.
async fn online(s: &Session, facts: &[Fact]) -> Result<probe::Report, ExecError> {
    let what = "cannot read the catalog for the contract guard";
    let mut t = s.pool.begin().await.map_err(|e| s.err(what, &e))?;
    let r = probe::probe(&mut t, facts)
        .await
        .map_err(|e| s.err(what, &e))?;
    let _ = t.rollback().await;
    Ok(r)
}

/// Before a gate is offered: the facts of everything the contract will drop.
pub async fn before_gate(
    s: &Session,
    plan: &Plan,
    step: &Step,
    g: &Guard,
    tx: &EventTx,
) -> Result<(), ExecError> {
    let r = online(s, &g.facts).await?;
    if !r.problems.is_empty() {
        return Err(refuse(s, plan, step, &r.problems, PUT_RIGHT).await);
    }
    emit(
        tx,
        Event::Note {
            text: format!(
                "contract guard: {} fact(s) hold before gate {} (the copy, its sync, no unplanned dependants)",
                g.facts.len(),
                step.id
            ),
        },
    );
    Ok(())
}

/// Before an irreversible step: the facts, then the copy's values read online. Returns what
/// the step's own transaction must find the same ([`InTx::identity`]).
pub async fn before_step(
    s: &mut Session,
    plan: &Plan,
    step: &Step,
    g: &Guard,
    tx: &EventTx,
) -> Result<Vec<String>, ExecError> {
    let r = online(s, &g.facts).await?;
    if !r.problems.is_empty() {
        return Err(refuse(s, plan, step, &r.problems, PUT_RIGHT).await);
    }
    let mut rows = None;
    if let Some(v) = &g.data {
        let found = verify::scan(s, &plan.hash, v, &step.id, ScanMode::Whole, tx).await?;
        if found.bad > 0 {
            let problem = format!(
                "{} row(s) of {} break \"{}\" (first keys: {})",
                found.bad,
                v.table,
                v.expectation,
                found.sample.join("; ")
            );
            return Err(refuse(
                s,
                plan,
                step,
                &[problem],
                "Writes went around the sync trigger (session_replication_role = replica, a disabled trigger, a restore). Roll the plan back (`bellows rollback PLAN --yes`) and run it again: the copy is made anew",
            )
            .await);
        }
        rows = Some(found.rows);
    }
    emit(
        tx,
        Event::Note {
            text: format!(
                "contract guard: {} fact(s) hold before {}{}",
                g.facts.len(),
                step.id,
                rows.map(|n| format!("; {n} row(s) re-read online and the copy matches"))
                    .unwrap_or_default()
            ),
        },
    );
    Ok(r.identity)
}

/// Inside the step's transaction, before its statements: lock the step's tables in its
/// mode, check the facts again, and make sure the trigger and the copy are the objects the
/// online check saw. Returns why the step must not go on, if it must not.
pub async fn in_tx(
    conn: &mut PgConnection,
    step: &Step,
    tables: &[String],
    check: &InTx<'_>,
) -> Result<Option<String>, sqlx::Error> {
    if !tables.is_empty() && step.lock.mode != crate::safety::LockMode::None {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "LOCK TABLE {} IN {} MODE",
            tables.join(", "),
            step.lock.mode.name()
        )))
        .execute(&mut *conn)
        .await?;
    }
    let r = probe::probe(conn, check.facts).await?;
    let mut problems = r.problems;
    if problems.is_empty() && r.identity != check.identity {
        let changed: Vec<String> = r
            .identity
            .iter()
            .filter(|i| !check.identity.contains(i))
            .cloned()
            .collect();
        problems.push(format!(
            "the objects checked online changed before the switch could take its lock (now: {})",
            changed.join("; ")
        ));
    }
    Ok((!problems.is_empty()).then(|| {
        format!(
            "the contract guard found, inside the step's transaction, that {}; the transaction was rolled back and nothing was dropped. {PUT_RIGHT}",
            problems.join("; ")
        )
    }))
}
