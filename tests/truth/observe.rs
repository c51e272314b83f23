//! Running one fixture and watching it: the locks its backend holds (pg_locks, read from a
//! second connection), the files of the table and its indexes (pg_class.relfilenode) and
//! the rows it reads (the statistics counters).
//!
//! A form that may run in a transaction block runs in one; before the block ends, a second
//! connection reads every relation lock the backend holds (a lock is kept until the end of
//! the transaction, so this is every lock the statement took), and the statement's own
//! connection reads pg_class, which shows its uncommitted changes. The block is then rolled
//! back, so a dropped table can still be counted afterwards.
//!
//! A form that cannot run in a transaction block (CONCURRENTLY, VACUUM FULL) is first shown
//! to be refused inside one (SQLSTATE 25001); a form that fails on a table with rows is
//! tried in one too, but an error releases the transaction's locks at once, so nothing is
//! left to read. Both then run on their own while a third connection holds ROW EXCLUSIVE
//! on the table in an open transaction, which each has to wait for: the CONCURRENTLY forms
//! wait for older transactions that hold locks on the table after taking their own table
//! lock; VACUUM FULL and ALTER TABLE queue for their ACCESS EXCLUSIVE. The watcher polls
//! pg_locks for the backend until it sees it waiting, keeps that picture (what the
//! statement holds, and what it waits for, which it holds once granted), ends the blocking
//! transaction and goes on polling until the statement is done.
//!
//! Rows read are the increase of `seq_tup_read` and `idx_tup_fetch` of the table (the
//! counters behind pg_stat_user_tables: tuples returned by scans of the table, heap tuples
//! fetched through it or its indexes), flushed with `pg_stat_force_next_flush()`
//! (PostgreSQL 15+) before and after.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use bellows::safety::LockMode;
use bellows::sql::quote_ident;
use sqlx::{Connection, PgConnection, Row};

use super::fixtures::{Bind, Fixture, Stmt, base_setup};
use super::observation::{FileChange, Observation};

/// How long the watcher waits to see a non-transactional statement wait for the blocker.
const WAIT_LIMIT: Duration = Duration::from_secs(15);

/// A relation of the fixture's schema, as pg_class shows it to one connection.
#[derive(Debug, Clone)]
struct Rel {
    oid: i64,
    name: String,
    filenode: i64,
    index_of: Option<i64>,
}

/// One pg_locks row of the watched backend.
#[derive(Debug, Clone)]
struct LockRow {
    relation: Option<i64>,
    mode: String,
    granted: bool,
    /// The relation's name, when the watcher's connection can see it in the schema.
    name: Option<String>,
}

fn raw(sql: &str) -> sqlx::RawSql {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
}

fn code(e: &sqlx::Error) -> Option<String> {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.to_string())
}

async fn connect(url: &str, schema: &str) -> Result<PgConnection, String> {
    let mut c = PgConnection::connect(url)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    raw(&format!(
        "SET search_path = {}; SET statement_timeout = '60s'",
        quote_ident(schema)
    ))
    .execute(&mut c)
    .await
    .map_err(|e| format!("session settings: {e}"))?;
    Ok(c)
}

/// Run one statement; a statement without binds goes as a simple query, as `psql` would.
async fn exec(conn: &mut PgConnection, s: &Stmt) -> Result<(), sqlx::Error> {
    if s.binds.is_empty() {
        raw(&s.sql).execute(conn).await?;
        return Ok(());
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()));
    for b in &s.binds {
        q = match b {
            Bind::Int(i) => q.bind(*i),
            Bind::Text(t) => q.bind(*t),
        };
    }
    q.execute(conn).await?;
    Ok(())
}

/// Run the statements in order; the SQLSTATE of the first that fails.
async fn exec_all(conn: &mut PgConnection, stmts: &[Stmt]) -> Result<Option<String>, String> {
    for s in stmts {
        if let Err(e) = exec(conn, s).await {
            return match code(&e) {
                Some(c) => Ok(Some(c)),
                None => Err(format!("{}: {e}", s.sql)),
            };
        }
    }
    Ok(None)
}

async fn relations(conn: &mut PgConnection, schema: i64) -> Result<Vec<Rel>, String> {
    let rows = sqlx::query(
        "SELECT c.oid::int8, c.relname::text, c.relfilenode::int8, i.indrelid::int8 \
         FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid \
         WHERE c.relnamespace = $1::int8::oid",
    )
    .bind(schema)
    .fetch_all(conn)
    .await
    .map_err(|e| format!("read pg_class: {e}"))?;
    rows.iter()
        .map(|r| {
            Ok(Rel {
                oid: r.try_get(0)?,
                name: r.try_get(1)?,
                filenode: r.try_get(2)?,
                index_of: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| format!("read pg_class: {e}"))
}

async fn lock_rows(
    watch: &mut PgConnection,
    pid: i32,
    schema: i64,
) -> Result<Vec<LockRow>, String> {
    let rows = sqlx::query(
        "SELECT l.relation::int8, l.mode, l.granted, \
                CASE WHEN c.relnamespace = $2::int8::oid THEN c.relname::text END \
         FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation \
         WHERE l.pid = $1",
    )
    .bind(pid)
    .bind(schema)
    .fetch_all(watch)
    .await
    .map_err(|e| format!("read pg_locks: {e}"))?;
    rows.iter()
        .map(|r| {
            Ok(LockRow {
                relation: r.try_get(0)?,
                mode: r.try_get(1)?,
                granted: r.try_get(2)?,
                name: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| format!("read pg_locks: {e}"))
}

/// Flush this backend's pending statistics: the flush happens before the server reports
/// ready for the next query, so it is done when this returns.
async fn flush(conn: &mut PgConnection) -> Result<(), String> {
    raw("SELECT pg_stat_force_next_flush()")
        .execute(conn)
        .await
        .map_err(|e| format!("flush statistics: {e}"))?;
    Ok(())
}

/// (sequential scans, tuples returned, tuples fetched) per relation.
async fn counters(
    conn: &mut PgConnection,
    oids: &[i64],
) -> Result<BTreeMap<i64, (i64, i64, i64)>, String> {
    let rows = sqlx::query(
        "SELECT o, pg_stat_get_numscans(o::oid), pg_stat_get_tuples_returned(o::oid), \
                pg_stat_get_tuples_fetched(o::oid) \
         FROM unnest($1::int8[]) AS o",
    )
    .bind(oids.to_vec())
    .fetch_all(conn)
    .await
    .map_err(|e| format!("read statistics: {e}"))?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| format!("read statistics: {e}"))
}

/// What the statement left: relations (None when it failed) and the lock rows seen, all of
/// them and the one picture the book shows.
struct Run {
    after: Option<Vec<Rel>>,
    all: Vec<LockRow>,
    shown: Vec<LockRow>,
    error: Option<String>,
}

/// Build the fixture in schema `schema` of the database at `url`, run it and watch it.
/// `transactional` is the claim's: whether to run it in a transaction block.
pub async fn observe(
    url: &str,
    schema: &str,
    fx: &Fixture,
    transactional: bool,
) -> Result<Observation, String> {
    let mut admin = PgConnection::connect(url)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    raw(&format!("CREATE SCHEMA {}", quote_ident(schema)))
        .execute(&mut admin)
        .await
        .map_err(|e| format!("create schema: {e}"))?;
    let schema_oid: i64 =
        sqlx::query_scalar("SELECT oid::int8 FROM pg_namespace WHERE nspname = $1")
            .bind(schema)
            .fetch_one(&mut admin)
            .await
            .map_err(|e| format!("schema oid: {e}"))?;
    let mut stmt = connect(url, schema).await?;
    let setup = format!("{}\n{}", base_setup(), fx.setup);
    raw(&setup)
        .execute(&mut stmt)
        .await
        .map_err(|e| format!("setup: {e}\n{setup}"))?;
    let blocked_run = !transactional || fx.fails_with.is_some();
    // Inside a transaction block first: it must be refused there if the claim says so. (A
    // form that runs there and succeeds is observed there instead, below.)
    let in_block = if blocked_run {
        Some(try_in_block(&mut stmt, fx).await?)
    } else {
        None
    };
    flush(&mut stmt).await?;
    let before = relations(&mut stmt, schema_oid).await?;
    let target = before.iter().find(|r| r.name == fx.target).cloned();
    let before_indexes: Vec<&Rel> = match &target {
        Some(t) => before
            .iter()
            .filter(|r| r.index_of == Some(t.oid))
            .collect(),
        None => Vec::new(),
    };
    let mut watched: Vec<i64> = before_indexes.iter().map(|r| r.oid).collect();
    if let Some(t) = &target {
        watched.push(t.oid);
    }
    let counts_before = counters(&mut stmt, &watched).await?;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut stmt)
        .await
        .map_err(|e| format!("backend pid: {e}"))?;
    let mut watch = PgConnection::connect(url)
        .await
        .map_err(|e| format!("connect: {e}"))?;

    let run = match in_block {
        None => in_transaction(&mut stmt, &mut watch, pid, schema_oid, fx).await?,
        Some(_) => {
            let mut blocker = connect(url, schema).await?;
            blocked(&mut stmt, &mut watch, &mut blocker, pid, schema_oid, fx).await?
        }
    };
    let refused = match &in_block {
        Some(e) => e.as_deref() == Some("25001"),
        None => run.error.as_deref() == Some("25001"),
    };

    flush(&mut stmt).await?;
    let after_rels = match &run.after {
        Some(a) => a.clone(),
        None => Vec::new(),
    };
    let after_indexes: Vec<&Rel> = match &target {
        Some(t) => after_rels
            .iter()
            .filter(|r| r.index_of == Some(t.oid))
            .collect(),
        None => Vec::new(),
    };
    for r in &after_indexes {
        if !watched.contains(&r.oid) {
            watched.push(r.oid);
        }
    }
    let counts_after = counters(&mut stmt, &watched).await?;
    let delta = |oid: i64| -> (i64, i64, i64) {
        let b = counts_before.get(&oid).copied().unwrap_or((0, 0, 0));
        let a = counts_after.get(&oid).copied().unwrap_or((0, 0, 0));
        ((a.0 - b.0).max(0), (a.1 - b.1).max(0), (a.2 - b.2).max(0))
    };
    let (scans, rows_read) = match &target {
        Some(t) => {
            let (s, returned, fetched) = delta(t.oid);
            let through_indexes: i64 = watched
                .iter()
                .filter(|&&o| o != t.oid)
                .map(|&o| delta(o).2)
                .sum();
            (s, returned + fetched + through_indexes)
        }
        None => (0, 0),
    };

    // Names: what a relation was called before the statement; a relation made by the
    // statement is named as it is after, marked (new). Locks on anything else (catalogs,
    // TOAST tables) are left out.
    let mut names: BTreeMap<i64, String> = before.iter().map(|r| (r.oid, r.name.clone())).collect();
    for r in &after_rels {
        names
            .entry(r.oid)
            .or_insert_with(|| format!("{} (new)", r.name));
    }
    for l in run.all.iter().chain(run.shown.iter()) {
        if let (Some(oid), Some(n)) = (l.relation, &l.name) {
            names.entry(oid).or_insert_with(|| format!("{n} (new)"));
        }
    }
    let preexisting: BTreeSet<i64> = before.iter().map(|r| r.oid).collect();
    let strongest = |rows: &[LockRow]| -> BTreeMap<i64, LockMode> {
        let mut m: BTreeMap<i64, LockMode> = BTreeMap::new();
        for l in rows {
            let (Some(oid), Some(mode)) = (l.relation, LockMode::from_pg_locks(&l.mode)) else {
                continue;
            };
            if !names.contains_key(&oid) {
                continue;
            }
            let e = m.entry(oid).or_insert(LockMode::None);
            *e = (*e).max(mode);
        }
        m
    };
    let all = strongest(&run.all);
    let shown = strongest(&run.shown);
    let target_mode = target
        .as_ref()
        .and_then(|t| all.get(&t.oid).copied())
        .unwrap_or(LockMode::None);
    let preexisting_max = all
        .iter()
        .filter(|(o, _)| preexisting.contains(o))
        .map(|(_, m)| *m)
        .max()
        .unwrap_or(LockMode::None);
    let mut others: Vec<(String, LockMode)> = shown
        .iter()
        .filter(|(o, _)| target.as_ref().is_none_or(|t| t.oid != **o))
        .filter_map(|(o, m)| names.get(o).map(|n| (n.clone(), *m)))
        .collect();
    others.sort();

    let table_file = match (&target, &run.after) {
        (None, _) => FileChange::Created,
        (Some(t), _) if t.filenode == 0 => FileChange::NoStorage,
        (Some(_), None) => FileChange::Unknown,
        (Some(t), Some(after)) => match after.iter().find(|r| r.oid == t.oid) {
            None => FileChange::Gone,
            Some(a) if a.filenode != t.filenode => FileChange::New,
            Some(_) => FileChange::Same,
        },
    };
    let old_files: BTreeSet<i64> = before_indexes.iter().map(|r| r.filenode).collect();
    let new_index_file = after_indexes
        .iter()
        .any(|r| !old_files.contains(&r.filenode));

    Ok(Observation {
        transactional: !refused,
        target_mode,
        preexisting_max,
        others,
        table_file,
        new_index_file,
        rows_read,
        scans,
        error: run.error,
    })
}

/// BEGIN, the statements, the locks (from the watcher) and pg_class (from inside), ROLLBACK.
async fn in_transaction(
    stmt: &mut PgConnection,
    watch: &mut PgConnection,
    pid: i32,
    schema: i64,
    fx: &Fixture,
) -> Result<Run, String> {
    raw("BEGIN")
        .execute(&mut *stmt)
        .await
        .map_err(|e| format!("begin: {e}"))?;
    let error = exec_all(stmt, &fx.statements).await?;
    let after = match error {
        None => Some(relations(stmt, schema).await?),
        Some(_) => None,
    };
    let locks = lock_rows(watch, pid, schema).await?;
    raw("ROLLBACK")
        .execute(&mut *stmt)
        .await
        .map_err(|e| format!("rollback: {e}"))?;
    if let Some(l) = locks.iter().find(|l| !l.granted) {
        return Err(format!("a lock was not granted in the transaction: {l:?}"));
    }
    Ok(Run {
        after,
        all: locks.clone(),
        shown: locks,
        error,
    })
}

/// The statements in a transaction block that is rolled back: the SQLSTATE they fail with.
async fn try_in_block(stmt: &mut PgConnection, fx: &Fixture) -> Result<Option<String>, String> {
    raw("BEGIN")
        .execute(&mut *stmt)
        .await
        .map_err(|e| format!("begin: {e}"))?;
    let error = exec_all(stmt, &fx.statements).await?;
    raw("ROLLBACK")
        .execute(&mut *stmt)
        .await
        .map_err(|e| format!("rollback: {e}"))?;
    Ok(error)
}

/// The statement on its own, held up by a blocking transaction while the watcher looks.
async fn blocked(
    stmt: &mut PgConnection,
    watch: &mut PgConnection,
    blocker: &mut PgConnection,
    pid: i32,
    schema: i64,
    fx: &Fixture,
) -> Result<Run, String> {
    raw("BEGIN")
        .execute(&mut *blocker)
        .await
        .map_err(|e| format!("blocker: {e}"))?;
    raw(&format!(
        "LOCK TABLE {} IN ROW EXCLUSIVE MODE",
        quote_ident(fx.target)
    ))
    .execute(&mut *blocker)
    .await
    .map_err(|e| format!("blocker: {e}"))?;

    let done = Cell::new(false);
    let run_statement = async {
        let r = exec_all(stmt, &fx.statements).await;
        done.set(true);
        r
    };
    let watcher = async {
        let started = Instant::now();
        let mut all: Vec<LockRow> = Vec::new();
        let mut at_wait: Option<Vec<LockRow>> = None;
        let mut released = false;
        loop {
            let finished = done.get();
            let rows = lock_rows(watch, pid, schema).await?;
            if !released && (rows.iter().any(|l| !l.granted) || started.elapsed() > WAIT_LIMIT) {
                if rows.iter().any(|l| !l.granted) {
                    at_wait = Some(rows.clone());
                }
                raw("ROLLBACK")
                    .execute(&mut *blocker)
                    .await
                    .map_err(|e| format!("release blocker: {e}"))?;
                released = true;
            }
            all.extend(rows);
            if finished {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if !released {
            raw("ROLLBACK")
                .execute(&mut *blocker)
                .await
                .map_err(|e| format!("release blocker: {e}"))?;
        }
        Ok::<_, String>((all, at_wait))
    };
    let (result, watched) = tokio::join!(run_statement, watcher);
    let error = result?;
    let (all, at_wait) = watched?;
    let Some(shown) = at_wait else {
        return Err(
            "never saw the statement wait for the blocking transaction, so its locks were not observed"
                .into(),
        );
    };
    let after = match error {
        None => Some(relations(stmt, schema).await?),
        Some(_) => None,
    };
    Ok(Run {
        after,
        all,
        shown,
        error,
    })
}
