//! What has run, what is next, and backfill progress (read-only; takes no lock).

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Connection;

use super::error::ExecError;
use super::session::{db_err, describe, options};
use crate::plan::Plan;

/// step_id, state, attempts, last_error, finished_at, finished_by.
type StepRowTuple = (
    String,
    String,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One step's status.
#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    /// Step id.
    pub id: String,
    /// Phase name.
    pub phase: String,
    /// Summary.
    pub summary: String,
    /// `pending`, `running`, `done`, `failed`, `waiting`, `rolled_back`.
    pub state: String,
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
    pub run: Option<String>,
    /// Steps in order.
    pub steps: Vec<StepStatus>,
    /// The next step to run, if any.
    pub next: Option<String>,
}

/// Read the status of `plan` in the database at `url`.
pub async fn status(plan: &Plan, url: &str) -> Result<Status, ExecError> {
    let mut conn = sqlx::PgConnection::connect_with(&options(url, "bellows-status")?)
        .await
        .map_err(|e| db_err(url, &format!("cannot connect to {}", describe(url)), &e))?;
    let pool_err = |e: sqlx::Error| db_err(url, "cannot read state", &e);
    let exists: bool = sqlx::query_scalar("SELECT to_regclass('bellows.runs') IS NOT NULL")
        .fetch_one(&mut conn)
        .await
        .map_err(pool_err)?;
    let mut rows = BTreeMap::new();
    let mut cursors = BTreeMap::new();
    let mut run = None;
    if exists {
        run = sqlx::query_scalar("SELECT status FROM bellows.runs WHERE plan_hash = $1")
            .bind(&plan.hash)
            .fetch_optional(&mut conn)
            .await
            .map_err(pool_err)?;
        let list: Vec<StepRowTuple> = sqlx::query_as(
            "SELECT step_id, state, attempts, last_error, to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS TZ'), finished_by FROM bellows.steps WHERE plan_hash = $1",
        )
        .bind(&plan.hash)
        .fetch_all(&mut conn)
        .await
        .map_err(pool_err)?;
        for r in list {
            rows.insert(r.0.clone(), r);
        }
        let cs: Vec<(String, i64)> = sqlx::query_as(
            "SELECT step_id, rows_done FROM bellows.backfill_cursors WHERE plan_hash = $1",
        )
        .bind(&plan.hash)
        .fetch_all(&mut conn)
        .await
        .map_err(pool_err)?;
        cursors.extend(cs);
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
                state: r.map(|r| r.1.clone()).unwrap_or_else(|| "pending".into()),
                attempts: r.map(|r| r.2).unwrap_or(0),
                last_error: r.and_then(|r| r.3.clone()),
                finished: r.and_then(|r| {
                    r.4.clone()
                        .map(|t| format!("{t} by {}", r.5.clone().unwrap_or_default()))
                }),
                rows_done: cursors.get(&s.id).copied(),
            }
        })
        .collect();
    let next = steps
        .iter()
        .find(|s| s.state != "done")
        .map(|s| s.id.clone());
    Ok(Status {
        plan: plan.name.clone(),
        run,
        steps,
        next,
    })
}
