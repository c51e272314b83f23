//! A protected environment's release gate: before the first step, the plan (same hash) must
//! have run to its end on the gate environment, and the gate environment's server major
//! version and extensions must be the target's (the plan's own tables are held to the plan's
//! fingerprints on both, by the drift check of every first run). A skipped gate
//! (`--force-unrehearsed`) is recorded in the state tables with who and when.

use sqlx::{Connection, Row};

use super::error::ExecError;
use super::lifecycle::StepState;
use super::session::{db_err, options};
use crate::catalog::Table;
use crate::env::Target;
use crate::plan::Plan;

/// An environment by name and target.
pub struct Named<'a> {
    /// Its name in bellows.toml.
    pub name: &'a str,
    /// Where it is.
    pub target: &'a Target,
}

/// Refuse unless `plan` completed on `gate` and `gate`'s server matches `target`'s.
pub async fn require_pass(
    plan: &Plan,
    plan_path: &str,
    gate: &Named<'_>,
    target: &Named<'_>,
) -> Result<(), ExecError> {
    let st = super::status::status(plan, gate.target).await?;
    let done = st
        .steps
        .iter()
        .filter(|s| s.state == StepState::Done)
        .count();
    if done < st.steps.len() {
        let next = st
            .next
            .as_deref()
            .map(|n| format!("; next there: {n}"))
            .unwrap_or_default();
        return Err(ExecError::Precondition(format!(
            "{} is protected and needs a clean pass on {} first: plan {} (hash {}) has run {done} of {} steps there{next}, so nothing was changed.\n\
             run `bellows run {plan_path} --env {}` to its end (contract included), then this again; \
             or pass --force-unrehearsed, which is recorded with who and when",
            target.name,
            gate.name,
            plan.name,
            &plan.hash[..plan.hash.len().min(12)],
            st.steps.len(),
            gate.name
        )));
    }
    let a = server(gate.target).await?;
    let b = server(target.target).await?;
    let mut differ = Vec::new();
    if a.major != b.major {
        differ.push(format!(
            "PostgreSQL {} on {}, {} on {}",
            a.major, gate.name, b.major, target.name
        ));
    }
    for (ext, version) in &a.extensions {
        match b.extensions.iter().find(|(e, _)| e == ext) {
            None => differ.push(format!("extension {ext} {version} only on {}", gate.name)),
            Some((_, v)) if v != version => differ.push(format!(
                "extension {ext} is {version} on {}, {v} on {}",
                gate.name, target.name
            )),
            Some(_) => {}
        }
    }
    for (ext, version) in &b.extensions {
        if !a.extensions.iter().any(|(e, _)| e == ext) {
            differ.push(format!("extension {ext} {version} only on {}", target.name));
        }
    }
    if !differ.is_empty() {
        return Err(ExecError::Precondition(format!(
            "{} differs from {}, so its pass proves nothing here, and nothing was changed:\n  {}\n\
             make them the same first (`bellows diff {} {}` lists every difference)",
            gate.name,
            target.name,
            differ.join("\n  "),
            gate.name,
            target.name
        )));
    }
    Ok(())
}

/// Whether the plan has a run recorded on `target` (its first step may have run there).
pub async fn started(plan: &Plan, target: &Target) -> Result<bool, ExecError> {
    let mut conn = connect(target).await?;
    let r = async {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('bellows.runs') IS NOT NULL")
            .fetch_one(&mut conn)
            .await?;
        if !exists {
            return Ok(false);
        }
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bellows.runs WHERE plan_hash = $1)")
            .bind(&plan.hash)
            .fetch_one(&mut conn)
            .await
    }
    .await;
    let _ = conn.close().await;
    r.map_err(|e| db_err(target, "cannot read the run state", &e))
}

/// The plan's tables as the gate environment had them before the plan's first step there
/// (recorded by that run), or `None` when that run predates the record.
pub async fn gate_tables(plan: &Plan, gate: &Target) -> Result<Option<Vec<Table>>, ExecError> {
    let mut conn = connect(gate).await?;
    let json: Option<Option<String>> =
        sqlx::query_scalar("SELECT tables_before::text FROM bellows.runs WHERE plan_hash = $1")
            .bind(&plan.hash)
            .fetch_optional(&mut conn)
            .await
            .map_err(|e| db_err(gate, "cannot read the gate environment's run", &e))?;
    let _ = conn.close().await;
    match json.flatten() {
        None => Ok(None),
        Some(j) => serde_json::from_str(&j).map(Some).map_err(|e| {
            ExecError::Precondition(format!(
                "the gate environment's record of the plan's tables cannot be read ({e})"
            ))
        }),
    }
}

/// A connection for the release checks.
async fn connect(target: &Target) -> Result<sqlx::PgConnection, ExecError> {
    sqlx::PgConnection::connect_with(&options(target, "bellows-release")?)
        .await
        .map_err(|e| {
            super::session::connect_err(
                target,
                &format!("cannot connect to {}", target.describe()),
                &e,
            )
        })
}

/// A server's major version and extensions (name, version), sorted.
struct Server {
    major: u32,
    extensions: Vec<(String, String)>,
}

async fn server(target: &Target) -> Result<Server, ExecError> {
    let mut conn = connect(target).await?;
    let err =
        |e: &sqlx::Error| db_err(target, "cannot read the server's version and extensions", e);
    let num: i32 = sqlx::query_scalar("SELECT current_setting('server_version_num')::int")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| err(&e))?;
    let rows =
        sqlx::query("SELECT extname::text, extversion FROM pg_catalog.pg_extension ORDER BY 1")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| err(&e))?;
    let extensions = rows
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect();
    let _ = conn.close().await;
    Ok(Server {
        major: (num / 10000) as u32,
        extensions,
    })
}

/// What identifies the PostgreSQL cluster behind `target`: its system identifier when the
/// role may read it, else the data directory, else the server's address and port as the
/// server reports them (None when it cannot be reached within a few seconds).
pub async fn cluster_identity(target: &Target) -> Option<String> {
    let opts = options(target, "bellows-isolation").ok()?;
    let connect = sqlx::PgConnection::connect_with(&opts);
    let mut conn = tokio::time::timeout(std::time::Duration::from_secs(3), connect)
        .await
        .ok()?
        .ok()?;
    let tries = [
        "SELECT 'system ' || system_identifier::text FROM pg_catalog.pg_control_system()",
        "SELECT 'data directory ' || current_setting('data_directory')",
        "SELECT 'server ' || coalesce(host(inet_server_addr()), 'local socket') || ':' || current_setting('port')",
    ];
    let mut found = None;
    for q in tries {
        if let Ok(Some(v)) = sqlx::query_scalar::<_, Option<String>>(q)
            .fetch_one(&mut conn)
            .await
        {
            found = Some(v);
            break;
        }
    }
    let _ = conn.close().await;
    found
}
