//! The connections of one run: one holds the plan's advisory lock for the whole run, a small
//! pool serves state writes and monitoring, and a work connection runs the steps.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection, Row};

use super::error::ExecError;
use crate::catalog::live::redact;

/// Parse `url` into options with an application name, never echoing the password.
pub fn options(url: &str, app: &str) -> Result<PgConnectOptions, ExecError> {
    let opts = PgConnectOptions::from_str(url).map_err(|e| {
        ExecError::Precondition(format!(
            "invalid database URL: {}",
            redact(&e.to_string(), url)
        ))
    })?;
    Ok(if opts.get_application_name().is_none() {
        opts.application_name(app)
    } else {
        opts
    }
    .log_statements(log::LevelFilter::Off))
}

/// A database error as text safe to show: no password, no server source line.
pub fn db_err(url: &str, what: &str, e: &sqlx::Error) -> ExecError {
    ExecError::Database(format!("{what}: {}", clean(&redact(&e.to_string(), url))))
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
    /// The URL (kept for redaction only; never printed).
    pub url: String,
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

impl Session {
    /// Connect and take the plan's advisory lock, or say who holds it.
    pub async fn open(url: &str, plan_hash: &str) -> Result<Self, ExecError> {
        let target = describe(url);
        let opts = options(url, "bellows")?;
        let mut lock = PgConnection::connect_with(&opts)
            .await
            .map_err(|e| db_err(url, &format!("cannot connect to {target}"), &e))?;
        let got: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT pg_try_advisory_lock({LOCK_KEY_SQL})"
        )))
        .bind(plan_hash)
        .fetch_one(&mut lock)
        .await
        .map_err(|e| db_err(url, "cannot take the plan's advisory lock", &e))?;
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
                "another bellows is already running this plan on {target}{who}; wait for it, or stop it first"
            )));
        }
        let pool = PgPoolOptions::new()
            .max_connections(3)
            .connect_with(opts.clone())
            .await
            .map_err(|e| db_err(url, &format!("cannot connect to {target}"), &e))?;
        let app = work_application(plan_hash);
        let mut work = PgConnection::connect_with(&options(url, &app)?.application_name(&app))
            .await
            .map_err(|e| db_err(url, &format!("cannot connect to {target}"), &e))?;
        let work_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut work)
            .await
            .map_err(|e| db_err(url, "cannot read the backend pid", &e))?;
        // We hold the plan's lock, so any earlier executor of this plan is gone; a statement
        // it started may still run on the server (a killed client is noticed late). End it.
        let orphans: Vec<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> $2",
        )
        .bind(&app)
        .bind(work_pid)
        .fetch_all(&mut lock)
        .await
        .map_err(|e| db_err(url, "cannot look for an earlier executor's sessions", &e))?;
        for pid in &orphans {
            let _ = sqlx::query("SELECT pg_terminate_backend($1, 30000)")
                .bind(pid)
                .execute(&mut lock)
                .await;
        }
        Ok(Self {
            url: url.to_string(),
            lock,
            pool,
            work,
            work_pid,
            orphans_ended: orphans.len(),
        })
    }

    /// A database error as safe text.
    pub fn err(&self, what: &str, e: &sqlx::Error) -> ExecError {
        db_err(&self.url, what, e)
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

/// `host:port/db` of a URL, for messages (no user, no password).
pub fn describe(url: &str) -> String {
    match PgConnectOptions::from_str(url) {
        Ok(o) => format!(
            "{}:{}/{}",
            o.get_host(),
            o.get_port(),
            o.get_database().unwrap_or("")
        ),
        Err(_) => "the database".into(),
    }
}
