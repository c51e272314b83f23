//! Before anything changes: the server version, then on a plan's first run that the tables
//! still look as planned and that the plan is exactly what bellows generates from its own
//! source SQL for this database; on every later run that the stored plan is this one and
//! that the tables are as the last run left them. Read-only: a refusal changes nothing.

use std::collections::HashSet;

use super::error::ExecError;
use super::events::{Event, EventTx, emit};
use super::lifecycle::Acceptance;
use super::session::Session;
use super::settings::RunSettings;
use super::state::RunRecord;
use crate::catalog::Catalog;
use crate::plan::Plan;

/// The live schema, read on one of the session's pooled connections (no new connection).
/// Introspection empties `search_path` for its session, so it is reset before the
/// connection goes back to the pool (or the connection is dropped).
async fn introspect(s: &Session) -> Result<Catalog, ExecError> {
    let mut conn = s
        .pool
        .acquire()
        .await
        .map_err(|e| s.err("cannot read the schema", &e))?;
    let live = crate::catalog::live::introspect(&mut conn)
        .await
        .map_err(|e| ExecError::Database(s.target.redact(&e.to_string())));
    if sqlx::query("RESET search_path")
        .execute(&mut *conn)
        .await
        .is_err()
    {
        let _ = sqlx::Connection::close(conn.detach()).await;
    }
    live
}

/// The server's major version, refused when older than the plan needs.
async fn server_major(s: &Session, plan: &Plan) -> Result<u32, ExecError> {
    let num: String = sqlx::query_scalar("SHOW server_version_num")
        .fetch_one(&s.pool)
        .await
        .map_err(|e| s.err("cannot read the server version", &e))?;
    let major = num.trim().parse::<u32>().unwrap_or(0) / 10000;
    if major < plan.pg_version {
        return Err(ExecError::Precondition(format!(
            "this plan needs PostgreSQL {}+, and the server is PostgreSQL {major}",
            plan.pg_version
        )));
    }
    Ok(major)
}

/// How a first run accepted the plan, and the plan's tables as they were then (read once,
/// for the fingerprint check; recorded for a protected environment's release gate).
pub struct Accepted {
    /// How.
    pub how: Acceptance,
    /// The plan's fingerprinted tables before the first step (none for a plan without).
    pub tables_before: Vec<crate::catalog::Table>,
}

/// Check everything before the first change. On a first run (`record` None) returns how
/// the plan was accepted, to be recorded with the run.
pub async fn preconditions(
    s: &Session,
    plan: &Plan,
    set: &RunSettings,
    record: Option<&RunRecord>,
    tx: &EventTx,
) -> Result<Option<Accepted>, ExecError> {
    // Library callers hand over plans that no loader checked: the same structural rules.
    crate::plan::load::validate(plan).map_err(|m| {
        ExecError::Precondition(format!(
            "the plan is not valid, so nothing was changed: {}",
            crate::plan::escape::line(&m)
        ))
    })?;
    let major = server_major(s, plan).await?;
    match record {
        None => first_run(s, plan, set, major).await.map(Some),
        Some(r) => {
            resumed(s, plan, r, tx).await?;
            Ok(None)
        }
    }
}

/// A first run: fingerprints, then the plan re-derived from its source SQL.
async fn first_run(
    s: &Session,
    plan: &Plan,
    set: &RunSettings,
    major: u32,
) -> Result<Accepted, ExecError> {
    if plan.fingerprint.is_empty() && set.replan.is_none() {
        return Ok(Accepted {
            how: Acceptance::Unchecked,
            tables_before: Vec::new(),
        });
    }
    let live = introspect(s).await?;
    fingerprints(plan, &live)?;
    let tables_before = plan
        .fingerprint
        .keys()
        .filter_map(|k| k.parse::<crate::sql::QName>().ok())
        .filter_map(|t| live.tables.get(&t).cloned())
        .collect();
    let how = derive(plan, set, &live, major)?;
    Ok(Accepted { how, tables_before })
}

/// The plan re-derived from its source SQL against `live` and compared (when the caller
/// handed over a planner).
fn derive(
    plan: &Plan,
    set: &RunSettings,
    live: &Catalog,
    major: u32,
) -> Result<Acceptance, ExecError> {
    let Some(replan) = set.replan else {
        return Ok(Acceptance::Unchecked);
    };
    let diffs = match replan(plan, live, major) {
        Ok(expected) => crate::plan::diff::differences(&expected, plan),
        Err(e) => vec![format!(
            "bellows cannot plan the plan's own source SQL against this database: {e}"
        )],
    };
    if diffs.is_empty() {
        return Ok(Acceptance::Derived);
    }
    if set.allow_edited {
        return Ok(Acceptance::Edited);
    }
    Err(ExecError::Precondition(format!(
        "the plan is not what bellows generates from its own source SQL for this database, so nothing was changed:\n  {}\n\
         re-plan the change with `bellows plan`; to run a deliberate hand edit, pass --allow-edited (recorded with who and when, and warned about on every run)",
        diffs.join("\n  ")
    )))
}

/// The plan's fingerprints against the live tables.
fn fingerprints(plan: &Plan, live: &Catalog) -> Result<(), ExecError> {
    let mut drift = Vec::new();
    for (name, fp) in &plan.fingerprint {
        let q: crate::sql::QName = name.parse().map_err(ExecError::Precondition)?;
        match live.tables.get(&q) {
            None => drift.push(format!("{name}: the table no longer exists")),
            Some(t) if t.fingerprint() != fp.digest => {
                let now = t.shape();
                let was: HashSet<&String> = fp.shape.iter().collect();
                let is: HashSet<&String> = now.iter().collect();
                let mut lines = Vec::new();
                lines.extend(
                    fp.shape
                        .iter()
                        .filter(|l| !is.contains(l))
                        .map(|l| format!("    - planned: {l}")),
                );
                lines.extend(
                    now.iter()
                        .filter(|l| !was.contains(l))
                        .map(|l| format!("    + now:     {l}")),
                );
                drift.push(format!(
                    "{name} changed since the plan was made:\n{}",
                    lines.join("\n")
                ));
            }
            Some(_) => {}
        }
    }
    if !drift.is_empty() {
        return Err(ExecError::Precondition(format!(
            "the schema drifted from the plan, so nothing was changed:\n  {}\nre-plan the change against the current schema",
            drift.join("\n  ")
        )));
    }
    Ok(())
}

/// A later run: the stored plan is this one, and the tables are as the last run left them.
async fn resumed(s: &Session, plan: &Plan, r: &RunRecord, tx: &EventTx) -> Result<(), ExecError> {
    let mine: serde_json::Value = serde_json::from_str(&plan.to_json()).unwrap_or_default();
    if r.plan != mine {
        return Err(ExecError::Precondition(
            "the plan recorded for this run in the bellows state tables is not this plan file, so nothing was changed; \
             check the state schema (someone wrote to it) or re-plan the change"
                .into(),
        ));
    }
    if r.accepted == Some(Acceptance::Edited) {
        emit(
            tx,
            Event::Note {
                text: edited_warning(r),
            },
        );
    }
    let (true, Some(recorded)) = (r.watched, &r.shape) else {
        return Ok(());
    };
    let live = super::state::live_shape(&s.pool, &plan.hash)
        .await
        .map_err(|e| s.err("cannot read the tables' shape", &e))?;
    let drift = super::shape::drift(recorded, &live, &super::shape::repaired_by_plan(plan));
    if !drift.is_empty() {
        return Err(ExecError::Precondition(format!(
            "the schema drifted since the last run of this plan, so nothing was changed:\n{}\n\
             put the tables back as the last run left them, or roll back and re-plan the change against the current schema",
            drift.join("\n")
        )));
    }
    Ok(())
}

/// The warning every run (and `status`) gives for a plan accepted with `--allow-edited`.
pub fn edited_warning(r: &RunRecord) -> String {
    format!(
        "WARNING: this plan is not what bellows generates from its source SQL; it was accepted as a hand edit with --allow-edited by {} at {}",
        r.accepted_by.as_deref().unwrap_or("?"),
        r.accepted_at.as_deref().unwrap_or("?")
    )
}
