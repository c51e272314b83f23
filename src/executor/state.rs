//! The run's memory, kept in the target database (schema `bellows`): which steps are done,
//! backfill cursors, gate confirmations, with who and when. Transactional steps record
//! their completion inside their own transaction, so "done" is exact.

use sqlx::{PgConnection, PgExecutor, Row};

use super::error::ExecError;
use super::lifecycle::{Acceptance, RunStatus, StepState, UnknownText};
use super::session::Session;
use crate::plan::Walk;

/// Create the state schema if needed (serialized by a transaction-level advisory lock).
pub const SCHEMA_SQL: &[&str] = &[
    "SELECT pg_advisory_xact_lock(hashtextextended('bellows:state-schema', 0))",
    "CREATE SCHEMA IF NOT EXISTS bellows",
    "CREATE TABLE IF NOT EXISTS bellows.runs (
        plan_hash text PRIMARY KEY,
        plan_name text NOT NULL,
        plan jsonb NOT NULL,
        status text NOT NULL,
        started_by text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())",
    "CREATE TABLE IF NOT EXISTS bellows.steps (
        plan_hash text NOT NULL REFERENCES bellows.runs ON DELETE CASCADE,
        step_id text NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        started_at timestamptz,
        finished_at timestamptz,
        finished_by text,
        PRIMARY KEY (plan_hash, step_id))",
    "CREATE TABLE IF NOT EXISTS bellows.backfill_cursors (
        plan_hash text NOT NULL REFERENCES bellows.runs ON DELETE CASCADE,
        step_id text NOT NULL,
        cursor text[],
        rows_done bigint NOT NULL DEFAULT 0,
        batch_size integer,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plan_hash, step_id))",
    "CREATE TABLE IF NOT EXISTS bellows.gate_confirmations (
        plan_hash text NOT NULL REFERENCES bellows.runs ON DELETE CASCADE,
        step_id text NOT NULL,
        confirmed_by text NOT NULL,
        confirmed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (plan_hash, step_id))",
    // How the plan was accepted on its first run, the tables it watches (by oid) and their
    // shape as the executor last left them (see `shape`).
    "ALTER TABLE bellows.runs ADD COLUMN IF NOT EXISTS accepted text,
        ADD COLUMN IF NOT EXISTS accepted_by text,
        ADD COLUMN IF NOT EXISTS accepted_at timestamptz,
        ADD COLUMN IF NOT EXISTS watched oid[],
        ADD COLUMN IF NOT EXISTS shape text[]",
    // A protected environment's release gate skipped on purpose: which, by whom, when.
    "ALTER TABLE bellows.runs ADD COLUMN IF NOT EXISTS unrehearsed text,
        ADD COLUMN IF NOT EXISTS unrehearsed_by text,
        ADD COLUMN IF NOT EXISTS unrehearsed_at timestamptz",
    // The plan's tables as they were before its first step here (catalog JSON): what a
    // protected environment's release gate compares its own tables with.
    "ALTER TABLE bellows.runs ADD COLUMN IF NOT EXISTS tables_before jsonb",
    // Rows a backfill batch actually changed (a data fix-up reports them).
    "ALTER TABLE bellows.backfill_cursors ADD COLUMN IF NOT EXISTS rows_changed bigint NOT NULL DEFAULT 0",
    // How a backfill's cursor walks (NULL: the key), the partition it is in and the ones done.
    "ALTER TABLE bellows.backfill_cursors ADD COLUMN IF NOT EXISTS walk text,
        ADD COLUMN IF NOT EXISTS partition text,
        ADD COLUMN IF NOT EXISTS partitions_done text[]",
];

/// A step's recorded state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRow {
    /// Step id.
    pub step_id: String,
    /// Its recorded state.
    pub state: StepState,
    /// Attempts so far.
    pub attempts: i32,
    /// Last error, if any.
    pub last_error: Option<String>,
    /// Finished at (text).
    pub finished_at: Option<String>,
    /// By whom.
    pub finished_by: Option<String>,
}

/// A backfill cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    /// How it walks: `last` is a key, or the next page.
    pub walk: Walk,
    /// Last key done (text of each key column), or the next page and the page the walk
    /// ends at; None before the first batch (of the current partition).
    pub last: Option<Vec<String>>,
    /// Rows covered so far (across all partitions).
    pub rows_done: i64,
    /// Rows changed (updated or deleted) so far.
    pub rows_changed: i64,
    /// Batch size in use (rows for a key walk, pages for a page walk).
    pub batch_size: Option<i32>,
    /// The leaf partition `last` belongs to (backfills partition by partition).
    pub partition: Option<String>,
    /// Leaf partitions finished.
    pub partitions_done: Vec<String>,
}

/// Make sure the state schema exists, owned by the role that runs the plan (serialized by a
/// transaction-level advisory lock). An existing one must pass [`trust::require`] first; a
/// new one loses any grant that default privileges gave other roles.
pub async fn ensure_schema(s: &Session) -> Result<(), ExecError> {
    let mut tx = s
        .pool
        .begin()
        .await
        .map_err(|e| s.err("cannot start a transaction", &e))?;
    let refused = |e: sqlx::Error| {
        ExecError::Precondition(format!(
            "cannot create the bellows state schema, so nothing was changed (the role needs CREATE on the database, or create schema bellows for it): {}",
            super::session::step_error(&s.target, &e)
        ))
    };
    sqlx::query(SCHEMA_SQL[0])
        .execute(&mut *tx)
        .await
        .map_err(refused)?;
    let existed = schema_exists(&mut *tx)
        .await
        .map_err(|e| s.err("cannot read state", &e))?
        || sqlx::query_scalar::<_, bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'bellows')",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| s.err("cannot read state", &e))?;
    if existed {
        super::trust::require(&mut tx, &s.target).await?;
    }
    for q in &SCHEMA_SQL[1..] {
        sqlx::query(*q).execute(&mut *tx).await.map_err(refused)?;
    }
    if !existed {
        let grants = super::trust::grants(&mut *tx)
            .await
            .map_err(|e| s.err("cannot read the state schema's grants", &e))?;
        for q in super::trust::revokes(&grants) {
            sqlx::query(sqlx::AssertSqlSafe(q))
                .execute(&mut *tx)
                .await
                .map_err(refused)?;
        }
    }
    super::trust::require(&mut tx, &s.target).await?;
    tx.commit()
        .await
        .map_err(|e| s.err("cannot create the bellows state schema", &e))
}

/// A run's record as stored (read as JSON, so a state schema written by an older bellows,
/// without the newer columns, still reads).
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// The plan accepted on the first run (plan JSON).
    pub plan: serde_json::Value,
    /// How it was accepted (None: before bellows recorded it).
    pub accepted: Option<Acceptance>,
    /// Who accepted it, and when.
    pub accepted_by: Option<String>,
    /// When (text).
    pub accepted_at: Option<String>,
    /// Whether it watches tables (their oids, recorded on the first run).
    pub watched: bool,
    /// Their shape as the executor last left them.
    pub shape: Option<Vec<String>>,
}

/// The run record of a plan, if it ran here.
pub async fn run_record<'e>(
    conn: impl PgExecutor<'e>,
    hash: &str,
) -> Result<Option<RunRecord>, ReadError> {
    let row: Option<String> = sqlx::query_scalar(
        "SELECT (to_jsonb(r) || jsonb_build_object('accepted_at_text', \
         to_char((to_jsonb(r)->>'accepted_at')::timestamptz, 'YYYY-MM-DD HH24:MI:SS TZ')))::text \
         FROM bellows.runs r WHERE plan_hash = $1",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let v: serde_json::Value = serde_json::from_str(&row).unwrap_or_default();
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let accepted = text("accepted")
        .as_deref()
        .map(Acceptance::from_db)
        .transpose()?;
    Ok(Some(RunRecord {
        plan: v.get("plan").cloned().unwrap_or_default(),
        accepted,
        accepted_by: text("accepted_by"),
        accepted_at: text("accepted_at_text"),
        watched: v.get("watched").is_some_and(|x| x.is_array()),
        shape: v.get("shape").and_then(|x| x.as_array()).map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        }),
    }))
}

/// Record how a first run accepted its plan, the tables it watches (the plan's existing
/// tables, by oid) and their shape now.
pub async fn accept(
    s: &Session,
    hash: &str,
    how: Acceptance,
    who: &str,
    tables: &[crate::sql::QName],
) -> Result<(), ExecError> {
    let schemas: Vec<String> = tables.iter().map(|t| t.schema.clone()).collect();
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE bellows.runs SET accepted = $2, accepted_by = $3, accepted_at = now(), watched = ARRAY({}) WHERE plan_hash = $1",
        super::shape::WATCHED_SQL.replace("$1", "$4").replace("$2", "$5")
    )))
    .bind(hash)
    .bind(how.as_str())
    .bind(who)
    .bind(&schemas)
    .bind(&names)
    .execute(&s.pool)
    .await
    .map_err(|e| s.err("cannot record the run", &e))?;
    sqlx::query(sqlx::AssertSqlSafe(super::shape::record_sql()))
        .bind(hash)
        .execute(&s.pool)
        .await
        .map_err(|e| s.err("cannot record the tables' shape", &e))?;
    Ok(())
}

/// Record the plan's tables as they are before its first step (catalog tables as JSON).
pub async fn record_tables_before(s: &Session, hash: &str, json: &str) -> Result<(), ExecError> {
    sqlx::query("UPDATE bellows.runs SET tables_before = $2::jsonb WHERE plan_hash = $1")
        .bind(hash)
        .bind(json)
        .execute(&s.pool)
        .await
        .map_err(|e| s.err("cannot record the plan's tables", &e))?;
    Ok(())
}

/// Record that the run of `hash` skipped the release gate `gate` (`--force-unrehearsed`).
pub async fn record_unrehearsed(
    s: &Session,
    hash: &str,
    gate: &str,
    who: &str,
) -> Result<(), ExecError> {
    sqlx::query(
        "UPDATE bellows.runs SET unrehearsed = $2, unrehearsed_by = $3, unrehearsed_at = now() WHERE plan_hash = $1",
    )
    .bind(hash)
    .bind(gate)
    .bind(who)
    .execute(&s.pool)
    .await
    .map_err(|e| s.err("cannot record the skipped release gate", &e))?;
    Ok(())
}

/// The live shape of the tables the run of `hash` watches.
pub async fn live_shape<'e>(
    conn: impl PgExecutor<'e>,
    hash: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT ARRAY({}) FROM bellows.runs r WHERE r.plan_hash = $1",
        super::shape::query("r.watched")
    )))
    .bind(hash)
    .fetch_one(conn)
    .await
}

/// A state table's text that this bellows does not know, as an error of the run.
fn unknown(e: UnknownText) -> ExecError {
    ExecError::Database(e.to_string())
}

/// Does a run of this plan exist already? Returns its status.
pub async fn run_status<'e>(
    conn: impl PgExecutor<'e>,
    hash: &str,
) -> Result<Option<RunStatus>, ReadError> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT status FROM bellows.runs WHERE plan_hash = $1")
            .bind(hash)
            .fetch_optional(conn)
            .await?;
    Ok(text.as_deref().map(RunStatus::from_db).transpose()?)
}

/// Reading the state tables failed: the database, or a text this bellows does not know.
#[derive(Debug)]
pub enum ReadError {
    /// The query failed.
    Db(sqlx::Error),
    /// A state or status this bellows does not know.
    Unknown(UnknownText),
}

impl From<sqlx::Error> for ReadError {
    fn from(e: sqlx::Error) -> Self {
        ReadError::Db(e)
    }
}

impl From<UnknownText> for ReadError {
    fn from(e: UnknownText) -> Self {
        ReadError::Unknown(e)
    }
}

impl ReadError {
    /// As an error of the run: `what` failed (database errors go through `db`, which hides
    /// the password).
    pub fn into_exec(self, db: impl FnOnce(&sqlx::Error) -> ExecError) -> ExecError {
        match self {
            ReadError::Db(e) => db(&e),
            ReadError::Unknown(u) => unknown(u),
        }
    }
}

/// Record the start of a run (or mark a resumed one running).
pub async fn start_run(
    s: &Session,
    hash: &str,
    name: &str,
    plan_json: &str,
    who: &str,
) -> Result<(), ExecError> {
    sqlx::query(
        "INSERT INTO bellows.runs (plan_hash, plan_name, plan, status, started_by) VALUES ($1, $2, $3::jsonb, $5, $4)
         ON CONFLICT (plan_hash) DO UPDATE SET status = $5, updated_at = now()",
    )
    .bind(hash)
    .bind(name)
    .bind(plan_json)
    .bind(who)
    .bind(RunStatus::Running.as_str())
    .execute(&s.pool)
    .await
    .map_err(|e| s.err("cannot record the run", &e))?;
    Ok(())
}

/// Set the run's status.
pub async fn set_run_status(s: &Session, hash: &str, status: RunStatus) -> Result<(), ExecError> {
    sqlx::query("UPDATE bellows.runs SET status = $2, updated_at = now() WHERE plan_hash = $1")
        .bind(hash)
        .bind(status.as_str())
        .execute(&s.pool)
        .await
        .map_err(|e| s.err("cannot record the run status", &e))?;
    Ok(())
}

/// All step rows of a run.
pub async fn steps<'e>(conn: impl PgExecutor<'e>, hash: &str) -> Result<Vec<StepRow>, ReadError> {
    let rows = sqlx::query(
        "SELECT step_id, state, attempts, last_error, to_char(finished_at, 'YYYY-MM-DD HH24:MI:SS TZ'), finished_by
         FROM bellows.steps WHERE plan_hash = $1",
    )
    .bind(hash)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let state: String = r.try_get(1)?;
        out.push(StepRow {
            step_id: r.try_get(0)?,
            state: StepState::from_db(&state)?,
            attempts: r.try_get(2)?,
            last_error: r.try_get(3)?,
            finished_at: r.try_get(4)?,
            finished_by: r.try_get(5)?,
        });
    }
    Ok(out)
}

/// Note an attempt starting (outside the step's own transaction, so failures keep it).
pub async fn begin_attempt(s: &Session, hash: &str, step: &str) -> Result<(), ExecError> {
    sqlx::query(
        "INSERT INTO bellows.steps (plan_hash, step_id, state, attempts, started_at) VALUES ($1, $2, $3, 1, now())
         ON CONFLICT (plan_hash, step_id) DO UPDATE SET state = $3, attempts = bellows.steps.attempts + 1,
         started_at = coalesce(bellows.steps.started_at, now()), last_error = NULL, finished_at = NULL, finished_by = NULL",
    )
    .bind(hash)
    .bind(step)
    .bind(StepState::Running.as_str())
    .execute(&s.pool)
    .await
    .map_err(|e| s.err("cannot record the step", &e))?;
    Ok(())
}

/// Mark a step done on `conn` (inside the step's transaction when it has one).
pub async fn mark_done(
    conn: &mut PgConnection,
    hash: &str,
    step: &str,
    who: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bellows.steps (plan_hash, step_id, state, attempts, started_at, finished_at, finished_by)
         VALUES ($1, $2, $4, 1, now(), now(), $3)
         ON CONFLICT (plan_hash, step_id) DO UPDATE SET state = $4, finished_at = now(), finished_by = $3, last_error = NULL",
    )
    .bind(hash)
    .bind(step)
    .bind(who)
    .bind(StepState::Done.as_str())
    .execute(&mut *conn)
    .await?;
    record_shape(conn, hash).await
}

/// Record the watched tables' shape on `conn` (in the transaction of the change it follows).
async fn record_shape(conn: &mut PgConnection, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(super::shape::record_sql()))
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Record a step's state and error (failed, waiting at a gate).
pub async fn mark(
    s: &Session,
    hash: &str,
    step: &str,
    state: StepState,
    error: Option<&str>,
) -> Result<(), ExecError> {
    sqlx::query(
        "INSERT INTO bellows.steps (plan_hash, step_id, state, last_error) VALUES ($1, $2, $3, $4)
         ON CONFLICT (plan_hash, step_id) DO UPDATE SET state = $3, last_error = $4",
    )
    .bind(hash)
    .bind(step)
    .bind(state.as_str())
    .bind(error)
    .execute(&s.pool)
    .await
    .map_err(|e| s.err("cannot record the step state", &e))?;
    Ok(())
}

/// The cursor of a backfill step.
pub async fn cursor(pool: &sqlx::PgPool, hash: &str, step: &str) -> Result<Cursor, ReadError> {
    let row = sqlx::query("SELECT cursor, rows_done, batch_size, walk, partition, partitions_done, rows_changed FROM bellows.backfill_cursors WHERE plan_hash = $1 AND step_id = $2")
        .bind(hash)
        .bind(step)
        .fetch_optional(pool)
        .await?;
    let Some(r) = row else {
        return Ok(Cursor::default());
    };
    let walk: Option<String> = r.try_get(3)?;
    let walk = match walk.as_deref() {
        None => Walk::Key,
        Some(w) => Walk::from_name(w).ok_or_else(|| UnknownText::new("backfill walk", w))?,
    };
    Ok(Cursor {
        walk,
        last: r.try_get(0)?,
        rows_done: r.try_get(1)?,
        rows_changed: r.try_get(6)?,
        batch_size: r.try_get(2)?,
        partition: r.try_get(4)?,
        partitions_done: r.try_get::<Option<Vec<String>>, _>(5)?.unwrap_or_default(),
    })
}

/// Save a cursor on `conn` (inside the batch's transaction).
pub async fn save_cursor(
    conn: &mut PgConnection,
    hash: &str,
    step: &str,
    c: &Cursor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO bellows.backfill_cursors (plan_hash, step_id, cursor, rows_done, batch_size, walk, partition, partitions_done, rows_changed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (plan_hash, step_id) DO UPDATE SET cursor = $3, rows_done = $4, batch_size = $5, walk = $6, partition = $7, partitions_done = $8, rows_changed = $9, updated_at = now()",
    )
    .bind(hash)
    .bind(step)
    .bind(&c.last)
    .bind(c.rows_done)
    .bind(c.batch_size)
    .bind(c.walk.name())
    .bind(&c.partition)
    .bind(&c.partitions_done)
    .bind(c.rows_changed)
    .execute(conn)
    .await?;
    Ok(())
}

/// Record a step undone, on `conn` (inside the undo's transaction when it has one).
pub async fn mark_rolled_back(
    conn: &mut PgConnection,
    hash: &str,
    step: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE bellows.steps SET state = $3, finished_at = now() WHERE plan_hash = $1 AND step_id = $2")
        .bind(hash)
        .bind(step)
        .bind(StepState::RolledBack.as_str())
        .execute(&mut *conn)
        .await?;
    record_shape(conn, hash).await
}

/// Forget gates reached but never confirmed (once the work before them is undone).
pub async fn reset_waiting_gates(s: &Session, hash: &str) -> Result<(), ExecError> {
    sqlx::query("DELETE FROM bellows.steps WHERE plan_hash = $1 AND state = $2")
        .bind(hash)
        .bind(StepState::WaitingAtGate.as_str())
        .execute(&s.pool)
        .await
        .map_err(|e| s.err("cannot reset a waiting gate", &e))?;
    Ok(())
}

/// Forget a backfill cursor (after a rollback).
pub async fn clear_cursor(s: &Session, hash: &str, step: &str) -> Result<(), ExecError> {
    sqlx::query("DELETE FROM bellows.backfill_cursors WHERE plan_hash = $1 AND step_id = $2")
        .bind(hash)
        .bind(step)
        .execute(&s.pool)
        .await
        .map_err(|e| s.err("cannot clear the cursor", &e))?;
    Ok(())
}

/// Record who confirmed a gate.
pub async fn confirm_gate(s: &Session, hash: &str, step: &str, who: &str) -> Result<(), ExecError> {
    sqlx::query(
        "INSERT INTO bellows.gate_confirmations (plan_hash, step_id, confirmed_by) VALUES ($1, $2, $3)
         ON CONFLICT (plan_hash, step_id) DO UPDATE SET confirmed_by = $3, confirmed_at = now()",
    )
    .bind(hash)
    .bind(step)
    .bind(who)
    .execute(&s.pool)
    .await
    .map_err(|e| s.err("cannot record the gate confirmation", &e))?;
    Ok(())
}

/// Does the state schema exist? (Status and rollback must not create it.)
pub async fn schema_exists<'e>(conn: impl PgExecutor<'e>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT to_regclass('bellows.runs') IS NOT NULL")
        .fetch_one(conn)
        .await
}

/// Rows done of each backfill's cursor.
pub async fn cursor_rows<'e>(
    conn: impl PgExecutor<'e>,
    hash: &str,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT step_id, rows_done FROM bellows.backfill_cursors WHERE plan_hash = $1")
        .bind(hash)
        .fetch_all(conn)
        .await
}
