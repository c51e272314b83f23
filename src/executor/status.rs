//! What has run, what is next, and backfill progress (read-only; takes no lock).

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Connection;

use super::error::ExecError;
use super::lifecycle::{RunStatus, StepState};
use super::session::{db_err, options};
use super::state::{self, StepRow};
use crate::env::Target;
use crate::plan::Plan;

/// One step's status.
#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    /// Step id.
    pub id: String,
    /// Phase name.
    pub phase: String,
    /// Summary.
    pub summary: String,
    /// Its recorded state (`pending` when it has none).
    pub state: StepState,
    /// Attempts.
    pub attempts: i32,
    /// Last error.
    pub last_error: Option<String>,
    /// When finished, by whom.
    pub finished: Option<String>,
    /// Backfill rows done.
    pub rows_done: Option<i64>,
}

/// The whole status.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Plan name.
    pub plan: String,
    /// Run status, None when the plan never ran here.
    pub run: Option<RunStatus>,
    /// Steps in order.
    pub steps: Vec<StepStatus>,
    /// The next step to run, if any.
    pub next: Option<String>,
    /// Set when the plan was accepted as a hand edit (`--allow-edited`): who and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Read the status of `plan` in the database at `target`.
pub async fn status(plan: &Plan, target: &Target) -> Result<Status, ExecError> {
    let mut conn = sqlx::PgConnection::connect_with(&options(target, "bellows-status")?)
        .await
        .map_err(|e| {
            super::session::connect_err(
                target,
                &format!("cannot connect to {}", target.describe()),
                &e,
            )
        })?;
    let pool_err = |e: &sqlx::Error| db_err(target, "cannot read state", e);
    let exists = state::schema_exists(&mut conn)
        .await
        .map_err(|e| pool_err(&e))?;
    let mut rows: BTreeMap<String, StepRow> = BTreeMap::new();
    let mut cursors = BTreeMap::new();
    let mut run = None;
    let mut warning = None;
    if exists {
        super::trust::require(&mut conn, target).await?;
        if let Some(r) = state::run_record(&mut conn, &plan.hash)
            .await
            .map_err(|e| e.into_exec(pool_err))?
            && r.accepted == Some(super::lifecycle::Acceptance::Edited)
        {
            warning = Some(super::accept::edited_warning(&r));
        }
        run = state::run_status(&mut conn, &plan.hash)
            .await
            .map_err(|e| e.into_exec(pool_err))?;
        let list = state::steps(&mut conn, &plan.hash)
            .await
            .map_err(|e| e.into_exec(pool_err))?;
        rows.extend(list.into_iter().map(|r| (r.step_id.clone(), r)));
        cursors.extend(
            state::cursor_rows(&mut conn, &plan.hash)
                .await
                .map_err(|e| pool_err(&e))?,
        );
    }
    let _ = conn.close().await;
    let steps: Vec<StepStatus> = plan
        .steps
        .iter()
        .map(|s| {
            let r = rows.get(&s.id);
            StepStatus {
                id: s.id.clone(),
                phase: s.phase.name().to_string(),
                summary: s.summary.clone(),
                state: r.map(|r| r.state).unwrap_or(StepState::Pending),
                attempts: r.map(|r| r.attempts).unwrap_or(0),
                last_error: r.and_then(|r| r.last_error.clone()),
                finished: r.and_then(|r| {
                    r.finished_at
                        .clone()
                        .map(|t| format!("{t} by {}", r.finished_by.clone().unwrap_or_default()))
                }),
                rows_done: cursors.get(&s.id).copied(),
            }
        })
        .collect();
    let next = steps
        .iter()
        .find(|s| s.state != StepState::Done)
        .map(|s| s.id.clone());
    Ok(Status {
        plan: plan.name.clone(),
        run,
        steps,
        next,
        warning,
    })
}
