//! Shared test harness: a throwaway PostgreSQL cluster, fresh databases loaded with the
//! example schema, and a plain step runner (the real executor comes with `bellows run`).

#![allow(dead_code)]

pub mod examples;
pub mod exec;
pub mod tools;

use bellows::catalog::Catalog;
use bellows::pgtemp::TempCluster;
use bellows::plan::{Phase, Plan, Step, StepKind};
use sqlx::{Connection, PgConnection};

/// Start a cluster or fail loudly: tests never skip silently when PostgreSQL is missing.
pub fn cluster() -> TempCluster {
    match TempCluster::start() {
        Ok(c) => c,
        Err(e) => panic!(
            "these tests need a real PostgreSQL server: {e}\n(run `bash scripts/test.sh`, which installs it)"
        ),
    }
}

/// Create database `name` and load `files` into it with `psql -f` (pg_dump output holds
/// psql meta-commands such as `\restrict`, so it cannot go through a driver).
pub fn fresh_db(c: &TempCluster, name: &str, files: &[&str]) -> String {
    c.create_database(name).expect("create database");
    for f in files {
        psql_file(c, name, f);
    }
    c.url(name)
}

/// Run one SQL file with the cluster's psql, stopping on the first error.
pub fn psql_file(c: &TempCluster, db: &str, file: &str) {
    let bundled = c.bin_dir().join("psql");
    let program = if bundled.exists() {
        bundled
    } else {
        std::path::PathBuf::from("psql")
    };
    let mut cmd = std::process::Command::new(program);
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(|k| k.starts_with("PG")) {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-w",
            "-h",
            c.host(),
            "-p",
        ])
        .arg(c.port().to_string())
        .args(["-U", c.superuser(), "-d", db, "-f", file])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "psql -f {file} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Plan each change against `catalog`, run it all the way up in one fresh database, and in
/// another up to the contract phase and back, which must restore the exact schema.
/// Returns one message per failure.
pub fn exercise(
    c: &TempCluster,
    tag: &str,
    files: &[&str],
    catalog: &Catalog,
    changes: &[(String, String)],
) -> Vec<String> {
    use bellows::planner::{self, Options};
    let rt = rt();
    let mut failures = Vec::new();
    for (i, (name, text)) in changes.iter().enumerate() {
        let plan = match planner::plan(name, text, catalog, &Options::default()) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: does not plan: {e}"));
                continue;
            }
        };
        let up = fresh_db(c, &format!("{tag}_up{i}"), files);
        if let Err(e) = rt.block_on(run_plan(&up, &plan, None)) {
            failures.push(format!("{name}: up: {e}"));
            continue;
        }
        let back = fresh_db(c, &format!("{tag}_back{i}"), files);
        let before = rt.block_on(shape(&back));
        let old_code = old_code(text);
        let done = match rt.block_on(run_plan_with(
            &back,
            &plan,
            Some(Phase::Contract),
            &old_code,
        )) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{name}: up to contract: {e}"));
                continue;
            }
        };
        // The one pre-contract step PostgreSQL cannot undo: an enum label stays. The plan
        // must say so; everything else must roll back.
        let irreversible: Vec<&Step> = done.iter().filter(|s| s.rollback_sql.is_none()).collect();
        if !irreversible.is_empty() {
            if !irreversible
                .iter()
                .all(|s| s.id.ends_with("add-enum-value") && s.irreversible_reason.is_some())
            {
                failures.push(format!(
                    "{name}: irreversible steps before contract: {:?}",
                    irreversible.iter().map(|s| &s.id).collect::<Vec<_>>()
                ));
            }
            continue;
        }
        if let Err(e) = rt.block_on(rollback(&back, &done)) {
            failures.push(format!("{name}: rollback: {e}"));
            continue;
        }
        let after = rt.block_on(shape(&back));
        if before != after {
            let diff: Vec<String> = before
                .tables
                .iter()
                .filter(|(k, t)| after.tables.get(*k) != Some(*t))
                .map(|(k, t)| {
                    format!(
                        "{k}:\n before {}\n after  {}",
                        serde_json::to_string(t).unwrap_or_default(),
                        serde_json::to_string(&after.tables.get(k)).unwrap_or_default()
                    )
                })
                .collect();
            failures.push(format!(
                "{name}: rollback did not restore the schema: {}",
                if diff.is_empty() {
                    "non-table objects differ".to_string()
                } else {
                    diff.join("\n")
                }
            ));
        }
    }
    failures
}

/// A raw (simple-protocol) statement from generated SQL.
fn raw(sql: &str) -> sqlx::RawSql {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
}

/// A tokio runtime for the async database calls.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Introspect the database at `url`, without row estimates and version (for comparisons).
pub async fn shape(url: &str) -> Catalog {
    let mut c = bellows::catalog::live::introspect_url(url)
        .await
        .expect("introspect");
    c.server_version = None;
    for t in c.tables.values_mut() {
        t.row_estimate = None;
    }
    c
}

/// Run one step the simple way: its statements in one transaction (or one by one when it
/// cannot be transactional); backfills as a prepared batch statement over the whole key range
/// and then to completion; verifications must find nothing.
pub async fn run_step(conn: &mut PgConnection, s: &Step) -> Result<(), String> {
    let ctx = |e: sqlx::Error, sql: &str| format!("step {}: {e}\n  in: {sql}", s.id);
    match s.kind {
        StepKind::Gate => Ok(()),
        StepKind::Backfill => {
            let b = s.backfill.as_ref().ok_or("backfill without details")?;
            let batch = &s.sql[0];
            prepare_and_run(conn, &s.id, batch, &b.table, &b.key).await?;
            let all = b.whole_sql();
            raw(&all)
                .execute(&mut *conn)
                .await
                .map_err(|e| ctx(e, &all))?;
            Ok(())
        }
        StepKind::Verify => {
            let v = s.verify.as_ref().ok_or("verify without details")?;
            prepare_and_run(conn, &s.id, &s.sql[0], &v.table, &v.key).await?;
            let q = format!("SELECT count(*) FROM {} WHERE {}", v.table, v.violation);
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(q.clone()))
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| ctx(e, &q))?;
            if n != 0 {
                return Err(format!("step {}: {n} rows violate `{}`", s.id, v.violation));
            }
            Ok(())
        }
        _ => run_statements(conn, &s.id, &s.sql, s.transactional).await,
    }
}

/// Run statements in one transaction with a lock timeout, or one by one.
pub async fn run_statements(
    conn: &mut PgConnection,
    id: &str,
    sql: &[String],
    transactional: bool,
) -> Result<(), String> {
    if transactional {
        let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
        raw("SET LOCAL lock_timeout = '2s'")
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        for q in sql {
            raw(q)
                .execute(&mut *tx)
                .await
                .map_err(|e| format!("step {id}: {e}\n  in: {q}"))?;
        }
        tx.commit()
            .await
            .map_err(|e| format!("step {id}: commit: {e}"))?;
    } else {
        for q in sql {
            raw(q)
                .execute(&mut *conn)
                .await
                .map_err(|e| format!("step {id}: {e}\n  in: {q}"))?;
        }
    }
    Ok(())
}

/// PREPARE the per-batch statement (so PostgreSQL parses and plans it) and run it once over
/// (min key, max key].
async fn prepare_and_run(
    conn: &mut PgConnection,
    id: &str,
    sql: &str,
    table: &str,
    key: &[String],
) -> Result<(), String> {
    let name = "bellows_test_batch";
    let _ = raw(&format!("DEALLOCATE {name}")).execute(&mut *conn).await;
    let prep = format!("PREPARE {name} AS {sql}");
    raw(&prep)
        .execute(&mut *conn)
        .await
        .map_err(|e| format!("step {id}: {e}\n  in: {prep}"))?;
    let k = key
        .iter()
        .map(|c| bellows::sql::quote_ident(c))
        .collect::<Vec<_>>();
    let bounds = format!(
        "SELECT {} FROM {table}",
        k.iter()
            .map(|c| format!("min({c})::text, max({c})::text"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(bounds.clone()))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| format!("step {id}: {e}\n  in: {bounds}"))?;
    use sqlx::Row;
    let lit = |i: usize| -> String {
        let v: Option<String> = row.try_get(i).unwrap_or(None);
        v.map(|s| bellows::sql::quote_literal(&s))
            .unwrap_or_else(|| "NULL".into())
    };
    let lower: Vec<String> = (0..k.len()).map(|i| lit(2 * i)).collect();
    let upper: Vec<String> = (0..k.len()).map(|i| lit(2 * i + 1)).collect();
    let exec = format!("EXECUTE {name}({}, {})", lower.join(", "), upper.join(", "));
    raw(&exec)
        .execute(&mut *conn)
        .await
        .map_err(|e| format!("step {id}: {e}\n  in: {exec}"))?;
    raw(&format!("DEALLOCATE {name}"))
        .execute(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Run the plan's steps in order, stopping before `stop_before` (a phase) if given.
/// Returns the steps that ran.
pub async fn run_plan(
    url: &str,
    plan: &Plan,
    stop_before: Option<Phase>,
) -> Result<Vec<Step>, String> {
    run_plan_with(url, plan, stop_before, &[]).await
}

/// The statements an example says old code runs (`-- old code: <statement>` lines): they
/// must keep working after every step before the contract phase.
pub fn old_code(change: &str) -> Vec<String> {
    change
        .lines()
        .filter_map(|l| l.trim().strip_prefix("-- old code:"))
        .map(|s| s.trim().to_string())
        .collect()
}

/// [`run_plan`], running `old_code` after every step (each in a transaction rolled back,
/// so the data stays as the plan leaves it); the first statement that fails is the error.
pub async fn run_plan_with(
    url: &str,
    plan: &Plan,
    stop_before: Option<Phase>,
    old_code: &[String],
) -> Result<Vec<Step>, String> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    let mut done = Vec::new();
    for s in &plan.steps {
        if stop_before.is_some_and(|p| s.phase >= p) {
            break;
        }
        run_step(&mut conn, s).await?;
        done.push(s.clone());
        for q in old_code {
            let mut tx = conn.begin().await.map_err(|e| e.to_string())?;
            raw(q)
                .execute(&mut *tx)
                .await
                .map_err(|e| format!("old code fails after step {}: {e}\n  in: {q}", s.id))?;
            tx.rollback().await.map_err(|e| e.to_string())?;
        }
    }
    Ok(done)
}

/// Undo `done` newest first.
pub async fn rollback(url: &str, done: &[Step]) -> Result<(), String> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| e.to_string())?;
    for s in done.iter().rev() {
        let Some(r) = &s.rollback_sql else {
            return Err(format!(
                "step {} is irreversible: {:?}",
                s.id, s.irreversible_reason
            ));
        };
        let transactional = !r.iter().any(|q| q.contains("CONCURRENTLY"));
        run_statements(
            &mut conn,
            &format!("rollback of {}", s.id),
            r,
            transactional,
        )
        .await?;
    }
    Ok(())
}
