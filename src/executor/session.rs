//! The connections of one run: one holds the plan's advisory lock for the whole run, a small
//! pool serves state writes and monitoring, and a work connection runs the steps.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Row};

use super::error::ExecError;
use crate::env::Target;

/// Driver options for `target` with an application name and the settings that keep a
/// stalled run from holding locks ([`super::liveness`]); a bad URL is a precondition error
/// (exit 2) that never echoes the password.
pub fn options(target: &Target, app: &str) -> Result<PgConnectOptions, ExecError> {
    crate::catalog::live::options(target, app)
        .map(super::liveness::with_session_settings)
        .map_err(ExecError::Precondition)
}

/// A failed connection: exit 4, nothing changed (no password, no server source line).
pub fn connect_err(target: &Target, what: &str, e: &sqlx::Error) -> ExecError {
    ExecError::Unreachable(format!("{what}: {}", server_text(target, e)))
}

/// A database error as text safe to show: no password, no server source line.
pub fn db_err(target: &Target, what: &str, e: &sqlx::Error) -> ExecError {
    ExecError::Database(format!("{what}: {}", server_text(target, e)))
}

/// A failed step's error as text safe to record and show (saying so when the server or the
/// network ended the session).
pub fn step_error(target: &Target, e: &sqlx::Error) -> String {
    super::liveness::explain(server_text(target, e), e)
}

/// The error's message, cleaned and redacted, followed by the server's DETAIL and HINT when
/// it sent them (`Key (email)=(a@x) already exists.` is in the DETAIL, not the message).
pub fn server_text(target: &Target, e: &sqlx::Error) -> String {
    let mut text = clean(&target.redact(&e.to_string()));
    if let Some(pg) = e
        .as_database_error()
        .and_then(|d| d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>())
    {
        text.push_str(&with_detail("", pg.detail(), pg.hint()));
        text = target.redact(&text);
    }
    text
}

/// `base` followed by `; DETAIL: ...` and `; HINT: ...` for the parts that are present.
pub fn with_detail(base: &str, detail: Option<&str>, hint: Option<&str>) -> String {
    let mut s = base.to_string();
    for (label, part) in [("DETAIL", detail), ("HINT", hint)] {
        if let Some(p) = part.map(str::trim).filter(|p| !p.is_empty()) {
            s.push_str(&format!("; {label}: {p}"));
        }
    }
    s
}

/// Drop sqlx's "error returned from database:" prefix and the server's " at line N" suffix.
pub fn clean(text: &str) -> String {
    let t = text
        .strip_prefix("error returned from database: ")
        .unwrap_or(text);
    match t.rfind(" at line ") {
        Some(i) if t[i + 9..].chars().all(|c| c.is_ascii_digit()) => t[..i].to_string(),
        _ => t.to_string(),
    }
}

/// The open connections of a run.
pub struct Session {
    /// Where it is connected (describes itself without secrets; redacts errors).
    pub target: Target,
    /// Holds the advisory lock; nothing else runs on it.
    pub lock: PgConnection,
    /// State writes, monitoring, introspection.
    pub pool: PgPool,
    /// Runs steps and batches.
    pub work: PgConnection,
    /// Backend pid of `work`, to find who blocks it.
    pub work_pid: i32,
    /// Statements of an earlier, killed executor of this plan that were ended.
    pub orphans_ended: usize,
}

/// The advisory lock key of a plan.
pub const LOCK_KEY_SQL: &str = "hashtextextended('bellows:' || $1, 0)";

/// Tries at the plan's advisory lock before it counts as held by another run, and the
/// pause between them (about two seconds in all).
const LOCK_TRIES: u32 = 20;
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(100);

impl Session {
    /// Connect and take the plan's advisory lock, or say who holds it.
    pub async fn open(target: &Target, plan_hash: &str) -> Result<Self, ExecError> {
        let where_ = target.describe();
        let opts = options(target, "bellows")?;
        let mut lock = PgConnection::connect_with(&opts)
            .await
            .map_err(|e| connect_err(target, &format!("cannot connect to {where_}"), &e))?;
        // A run killed a moment ago holds the lock until the server notices its client is
        // gone: look again for a short while before saying another run holds it.
        let mut got = false;
        for attempt in 0..LOCK_TRIES {
            if attempt > 0 {
                tokio::time::sleep(LOCK_RETRY).await;
            }
            got = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT pg_try_advisory_lock({LOCK_KEY_SQL})"
            )))
            .bind(plan_hash)
            .fetch_one(&mut lock)
            .await
            .map_err(|e| db_err(target, "cannot take the plan's advisory lock", &e))?;
            if got {
                break;
            }
        }
        if !got {
            let holder = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT a.pid, coalesce(a.usename, ''), coalesce(a.application_name, ''), coalesce(a.client_addr::text, 'local'), \
                 to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS') \
                 FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
                 AND ((l.classid::bigint << 32) | l.objid::bigint) = {LOCK_KEY_SQL}"
            )))
            .bind(plan_hash)
            .fetch_optional(&mut lock)
            .await
            .ok()
            .flatten();
            let who = holder
                .map(|r| {
                    format!(
                        " (pid {}, user {}, application {}, from {}, since {})",
                        r.try_get::<i32, _>(0).unwrap_or_default(),
                        r.try_get::<String, _>(1).unwrap_or_default(),
                        r.try_get::<String, _>(2).unwrap_or_default(),
                        r.try_get::<String, _>(3).unwrap_or_default(),
                        r.try_get::<String, _>(4).unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            return Err(ExecError::Busy(format!(
                "another bellows is already running this plan on {where_}{who}; wait for it, or stop it first"
            )));
        }
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .connect_with(opts.clone())
            .await
            .map_err(|e| connect_err(target, &format!("cannot connect to {where_}"), &e))?;
        let app = work_application(plan_hash);
        let mut work = PgConnection::connect_with(&options(target, &app)?.application_name(&app))
            .await
            .map_err(|e| connect_err(target, &format!("cannot connect to {where_}"), &e))?;
        let work_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut work)
            .await
            .map_err(|e| db_err(target, "cannot read the backend pid", &e))?;
        // We hold the plan's lock, so any earlier executor of this plan is gone; a statement
        // it started may still run on the server (a killed client is noticed late). End it.
        let orphans: Vec<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> $2",
        )
        .bind(&app)
        .bind(work_pid)
        .fetch_all(&mut lock)
        .await
        .map_err(|e| db_err(target, "cannot look for an earlier executor's sessions", &e))?;
        for pid in &orphans {
            let _ = sqlx::query("SELECT pg_terminate_backend($1, 30000)")
                .bind(pid)
                .execute(&mut lock)
                .await;
        }
        Ok(Self {
            target: target.clone(),
            lock,
            pool,
            work,
            work_pid,
            orphans_ended: orphans.len(),
        })
    }

    /// Is the plan's advisory lock still ours? Asked on the lock's own session, so a session
    /// the server ended (or a network that is gone) answers no. Called at every safe point
    /// (before each step and batch); on no, the run stops there, since another executor may
    /// already have been admitted.
    pub async fn check_lock(&mut self, plan_hash: &str) -> Result<(), ExecError> {
        let q = sqlx::query_scalar::<_, bool>(sqlx::AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND pid = pg_backend_pid() AND objsubid = 1 \
             AND ((classid::bigint << 32) | objid::bigint) = {LOCK_KEY_SQL})"
        )))
        .bind(plan_hash)
        .fetch_one(&mut self.lock);
        let why = match tokio::time::timeout(super::liveness::LOCK_CHECK_TIMEOUT, q).await {
            Ok(Ok(true)) => return Ok(()),
            Ok(Ok(false)) => "the session no longer holds it".to_string(),
            Ok(Err(e)) => server_text(&self.target, &e),
            Err(_) => format!(
                "its session did not answer within {}s",
                super::liveness::LOCK_CHECK_TIMEOUT.as_secs()
            ),
        };
        Err(ExecError::LockLost(format!(
            "lost the plan's advisory lock ({why}); stopped at a safe point so that no second executor works beside this one. Nothing half-done is kept; run again to resume"
        )))
    }

    /// A database error as safe text.
    pub fn err(&self, what: &str, e: &sqlx::Error) -> ExecError {
        db_err(&self.target, what, e)
    }

    /// Release the advisory lock and close everything. The unlock is explicit: a closed
    /// connection's session ends on the server a moment later, too late for a next run.
    pub async fn close(mut self, plan_hash: &str) {
        let _ = self.work.close().await;
        self.pool.close().await;
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT pg_advisory_unlock({LOCK_KEY_SQL})"
        )))
        .bind(plan_hash)
        .execute(&mut self.lock)
        .await;
        let _ = self.lock.close().await;
    }
}

/// The work connection's `application_name`: tagged with the plan, so a later run can find
/// statements an earlier, killed executor left running.
pub fn work_application(plan_hash: &str) -> String {
    format!("bellows-work:{}", &plan_hash[..plan_hash.len().min(12)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detail_and_hint_follow_the_message_when_present() {
        assert_eq!(
            with_detail(
                "could not create unique index \"u\"",
                Some("Key (email)=(a@x) is duplicated."),
                Some("  ")
            ),
            "could not create unique index \"u\"; DETAIL: Key (email)=(a@x) is duplicated."
        );
        assert_eq!(
            with_detail("m", Some("d"), Some("h")),
            "m; DETAIL: d; HINT: h"
        );
        assert_eq!(with_detail("m", None, None), "m");
    }
}
