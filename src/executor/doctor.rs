//! `bellows doctor`: what an environment's server says about the practices a release
//! depends on — TLS in use, the connecting role and the application's role (rows only, no
//! superuser, no ownership, no CREATE), WAL archiving (backups that can be restored to a
//! point in time), replicas and their lag, and the server version against the other
//! environments. Read-only; every finding says what to do.

use serde::Serialize;
use sqlx::{Connection, PgConnection, Row};

use super::session::{db_err, options};
use crate::env::Target;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A practice is not met: fix it before releasing (exit 1 on a protected environment).
    Problem,
    /// Worth knowing; nothing to fix.
    Note,
}

/// One thing found on one environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Problem or note.
    pub severity: Severity,
    /// What was found.
    pub what: String,
    /// What to do.
    pub todo: String,
}

/// What one environment's server reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The environment.
    pub environment: String,
    /// Protected in bellows.toml.
    pub protected: bool,
    /// `server_version`, when reached.
    pub server_version: Option<String>,
    /// Its major version.
    pub major: Option<u32>,
    /// Findings, problems first.
    pub findings: Vec<Finding>,
}

/// An environment to examine.
pub struct Subject<'a> {
    /// Its name.
    pub name: &'a str,
    /// Where it is.
    pub target: &'a Target,
    /// Protected in bellows.toml.
    pub protected: bool,
    /// The application's role, if named.
    pub app_role: Option<&'a str>,
}

fn problem(what: impl Into<String>, todo: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Problem,
        what: what.into(),
        todo: todo.into(),
    }
}

fn note(what: impl Into<String>, todo: impl Into<String>) -> Finding {
    Finding {
        severity: Severity::Note,
        what: what.into(),
        todo: todo.into(),
    }
}

/// Examine one environment (an unreachable server is itself a finding).
pub async fn examine(s: &Subject<'_>) -> Report {
    let mut r = Report {
        environment: s.name.to_string(),
        protected: s.protected,
        server_version: None,
        major: None,
        findings: Vec::new(),
    };
    let conn = match options(s.target, "bellows-doctor") {
        Ok(o) => PgConnection::connect_with(&o).await.map_err(|e| {
            db_err(
                s.target,
                &format!("cannot connect to {}", s.target.describe()),
                &e,
            )
            .to_string()
        }),
        Err(e) => Err(e.to_string()),
    };
    let mut conn = match conn {
        Ok(c) => c,
        Err(e) => {
            r.findings.push(problem(
                e,
                "check the environment's URL and that the server is reachable from here",
            ));
            return r;
        }
    };
    if let Err(e) = checks(&mut conn, s, &mut r).await {
        r.findings.push(problem(
            format!("could not read everything: {}", s.target.redact(&e.to_string())),
            "run doctor with a role that may read pg_stat_ssl, pg_stat_archiver and pg_stat_replication (pg_monitor)",
        ));
    }
    let _ = conn.close().await;
    r.findings.sort_by_key(|f| f.severity != Severity::Problem);
    r
}

async fn checks(c: &mut PgConnection, s: &Subject<'_>, r: &mut Report) -> Result<(), sqlx::Error> {
    let version: String = sqlx::query_scalar("SELECT current_setting('server_version')")
        .fetch_one(&mut *c)
        .await?;
    let num: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut *c)
        .await?;
    r.server_version = Some(version);
    r.major = Some((num / 10000) as u32);
    tls(c, s, r).await?;
    roles(c, s, r).await?;
    archiving(c, r).await?;
    replicas(c, r).await?;
    Ok(())
}

async fn tls(c: &mut PgConnection, s: &Subject<'_>, r: &mut Report) -> Result<(), sqlx::Error> {
    let ssl: Option<bool> =
        sqlx::query_scalar("SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_optional(&mut *c)
            .await?;
    if ssl != Some(true) {
        let f = if s.target.is_local() {
            note(
                "this connection does not use TLS (the server is on this machine)",
                "nothing, for a local server; a remote one needs sslmode=verify-full",
            )
        } else {
            problem(
                format!("the connection to {} does not use TLS", s.target.describe()),
                "enable ssl on the server and connect with sslmode=verify-full (tls = \"verify-full\" in bellows.toml)",
            )
        };
        r.findings.push(f);
    }
    Ok(())
}

async fn roles(c: &mut PgConnection, s: &Subject<'_>, r: &mut Report) -> Result<(), sqlx::Error> {
    let me: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
            .fetch_one(&mut *c)
            .await?;
    if me {
        let f = "bellows connects as a superuser";
        let todo =
            "connect as the role that owns the application's tables instead: least privilege";
        r.findings.push(if s.protected {
            problem(f, todo)
        } else {
            note(f, todo)
        });
    }
    let Some(app) = s.app_role else {
        if s.protected {
            r.findings.push(note(
                "no app_role in bellows.toml, so the application's privileges were not checked",
                "add app_role = \"<the application's role>\" to the environment",
            ));
        }
        return Ok(());
    };
    let row = sqlx::query(
        "SELECT r.rolsuper, r.rolcreatedb OR r.rolcreaterole, \
                (SELECT count(*) FROM pg_catalog.pg_class k WHERE k.relowner = r.oid AND k.relkind IN ('r','p','v','m','S')), \
                (SELECT string_agg(n.nspname, ', ' ORDER BY n.nspname) FROM pg_catalog.pg_namespace n \
                  WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'bellows') \
                    AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'CREATE')) \
         FROM pg_catalog.pg_roles r WHERE r.rolname = $1",
    )
    .bind(app)
    .fetch_optional(&mut *c)
    .await?;
    let Some(row) = row else {
        r.findings.push(problem(
            format!("app_role {app} does not exist on this server"),
            "create the application's role, or correct app_role in bellows.toml",
        ));
        return Ok(());
    };
    let (sup, create_roles, owns, creates): (bool, bool, i64, Option<String>) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    if sup {
        r.findings.push(problem(
            format!("the application's role {app} is a superuser"),
            format!("ALTER ROLE {app} NOSUPERUSER; it should only read and write rows"),
        ));
    }
    if create_roles {
        r.findings.push(problem(
            format!("the application's role {app} may create databases or roles"),
            format!("ALTER ROLE {app} NOCREATEDB NOCREATEROLE"),
        ));
    }
    if owns > 0 {
        r.findings.push(problem(
            format!("the application's role {app} owns {owns} table(s), view(s) or sequence(s): it can drop or alter them"),
            "give them to a migration role (ALTER TABLE ... OWNER TO ...) and grant the application only the rows it needs",
        ));
    }
    if let Some(schemas) = creates {
        r.findings.push(problem(
            format!("the application's role {app} may create objects in schema(s) {schemas}"),
            format!("REVOKE CREATE ON SCHEMA ... FROM {app} (and from PUBLIC)"),
        ));
    }
    Ok(())
}

async fn archiving(c: &mut PgConnection, r: &mut Report) -> Result<(), sqlx::Error> {
    let mode: String = sqlx::query_scalar("SELECT current_setting('archive_mode')")
        .fetch_one(&mut *c)
        .await?;
    if mode == "off" {
        r.findings.push(problem(
            "WAL archiving is off: a backup can only be restored to the moment it was taken",
            "turn on archive_mode with an archive_command or a backup tool (pgBackRest, WAL-G, Barman), and prove it by restoring a backup",
        ));
        return Ok(());
    }
    let row = sqlx::query(
        "SELECT extract(epoch FROM now() - last_archived_time)::bigint, failed_count, \
                last_failed_time > coalesce(last_archived_time, '-infinity') \
         FROM pg_catalog.pg_stat_archiver",
    )
    .fetch_one(&mut *c)
    .await?;
    let (age, failed, failing): (Option<i64>, i64, Option<bool>) =
        (row.get(0), row.get(1), row.get(2));
    match age {
        None => r.findings.push(problem(
            "WAL archiving is on, and no segment has been archived yet",
            "check archive_command and the archive's storage; prove the backups by restoring one",
        )),
        Some(s) if s > 3600 => r.findings.push(note(
            format!("the last WAL segment was archived {} minutes ago", s / 60),
            "normal for a quiet server; on a busy one check archive_command",
        )),
        Some(_) => {}
    }
    if failing == Some(true) {
        r.findings.push(problem(
            format!("WAL archiving is failing ({failed} failure(s); the last is newer than the last success)"),
            "read the server log for archive_command's error",
        ));
    }
    Ok(())
}

async fn replicas(c: &mut PgConnection, r: &mut Report) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT coalesce(application_name, ''), state, extract(epoch FROM replay_lag)::float8 \
         FROM pg_catalog.pg_stat_replication ORDER BY 1",
    )
    .fetch_all(&mut *c)
    .await?;
    if rows.is_empty() {
        r.findings.push(note(
            "no replica is streaming from this server",
            "nothing, if none is expected; a backfill's replica lag cannot be watched here",
        ));
    }
    for row in rows {
        let (name, state, lag): (String, String, Option<f64>) =
            (row.get(0), row.get(1), row.get(2));
        let lag = lag.unwrap_or(0.0);
        let what = format!("replica {name} is {state}, replay lag {lag:.1} s");
        r.findings.push(if lag > 30.0 || state != "streaming" {
            problem(what, "find out why it falls behind before a backfill adds write load (run with --max-replica-lag)")
        } else {
            note(what, "nothing")
        });
    }
    Ok(())
}

/// Findings that need the reports side by side: servers of different major versions.
pub fn parity(reports: &mut [Report]) {
    let majors: std::collections::BTreeSet<u32> = reports.iter().filter_map(|r| r.major).collect();
    if majors.len() < 2 {
        return;
    }
    let list = reports
        .iter()
        .filter_map(|r| r.major.map(|m| format!("{} {m}", r.environment)))
        .collect::<Vec<_>>()
        .join(", ");
    for r in reports.iter_mut() {
        r.findings.push(problem(
            format!("the environments run different PostgreSQL major versions ({list})"),
            "run the same major version everywhere: a pass on one proves little about another",
        ));
    }
}
