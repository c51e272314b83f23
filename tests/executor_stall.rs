//! A run never holds a lock for a process that is gone: an executor paused (SIGSTOP) inside a
//! backfill batch is ended by the server within seconds, so the application's write gets
//! through, and it stops cleanly when it wakes; an executor whose advisory-lock session is
//! terminated stops at the next safe point. A re-run finishes with correct data.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bellows::planner::{self, Options};
use sqlx::Connection;

const ROWS: i64 = 3000;

/// A table whose backfill batches are slow (a trigger sleeps 10 ms a row while bellows
/// backfills), and the plan renaming its column, written to a file.
fn setup(cluster: &bellows::pgtemp::TempCluster, db: &str, slow: bool) -> (String, String) {
    cluster.create_database(db).expect("db");
    let mut sql = format!(
        "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, v integer NOT NULL DEFAULT 0); \
         INSERT INTO accounts (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, {ROWS}) g; \
         ANALYZE accounts;"
    );
    if slow {
        sql.push_str(
            "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               IF current_setting('bellows.backfill', true) = 'on' THEN PERFORM pg_sleep(0.01); END IF; \
               RETURN NEW; END $$; \
             CREATE TRIGGER slow BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION slow();",
        );
    }
    cluster.psql(db, &sql).expect("seed");
    let url = cluster.url(db);
    let rt = common::rt();
    let cat = rt
        .block_on(bellows::catalog::live::introspect_url(&url))
        .expect("introspect");
    let plan = planner::plan(
        "stall.sql",
        "ALTER TABLE accounts RENAME COLUMN email TO email_address;",
        &cat,
        &Options::default(),
    )
    .expect("plan");
    let dir = std::env::temp_dir().join(format!("bellows-stall-{db}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("plan.toml");
    std::fs::write(&path, plan.to_toml()).expect("write plan");
    (url, path.to_string_lossy().to_string())
}

fn bellows(args: &[&str], url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .env("DATABASE_URL", url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start bellows")
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill {sig}");
}

async fn scalar<T>(c: &mut sqlx::PgConnection, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Wait until the backfill has done some batches.
async fn wait_for_progress(c: &mut sqlx::PgConnection) {
    let t = Instant::now();
    loop {
        // The state schema appears with the run: until then, not yet.
        let going: bool = sqlx::query_scalar(
            "SELECT coalesce((SELECT rows_done >= 200 FROM bellows.backfill_cursors LIMIT 1), false)",
        )
        .fetch_one(&mut *c)
        .await
        .unwrap_or(false);
        if going {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "no backfill progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn finish(child: Child) -> (Option<i32>, String) {
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Run the plan again to the end of backfill: it must finish, with every row copied.
fn rerun_finishes(url: &str, args: &[&str]) {
    let (code, out) = finish(bellows(args, url));
    assert_eq!(code, Some(0), "a re-run finishes:\n{out}");
    let rt = common::rt();
    let wrong = rt.block_on(common::exec::scalar_i64(
        url,
        "SELECT count(*) FROM accounts WHERE email_address IS DISTINCT FROM email",
    ));
    assert_eq!(wrong, 0, "every row copied:\n{out}");
}

#[test]
fn a_paused_executor_inside_a_batch_is_ended_by_the_server_and_stops_cleanly() {
    let cluster = common::cluster();
    let (url, plan) = setup(&cluster, "paused", true);
    let args = [
        "run",
        &plan,
        "--yes",
        "--through",
        "backfill",
        "--batch-size",
        "100",
    ];
    let rt = common::rt();
    let child = bellows(&args, &url);
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        wait_for_progress(&mut c).await;
        // Pause it while its work session is inside a batch's transaction (row locks held).
        let mut tries = 0;
        loop {
            signal(&child, "-STOP");
            tokio::time::sleep(Duration::from_millis(50)).await;
            let in_tx: bool = scalar(
                &mut c,
                "SELECT coalesce(bool_or(xact_start IS NOT NULL), false) FROM pg_stat_activity WHERE application_name LIKE 'bellows-work:%'",
            )
            .await;
            if in_tx {
                break;
            }
            signal(&child, "-CONT");
            tries += 1;
            assert!(tries < 100, "never caught the executor inside a batch");
            tokio::time::sleep(Duration::from_millis(70)).await;
        }
        // The application writes every row, the paused batch's rows included.
        let t = Instant::now();
        sqlx::raw_sql("SET statement_timeout = '60s'")
            .execute(&mut c)
            .await
            .expect("timeout");
        let wrote = sqlx::raw_sql("UPDATE accounts SET v = v + 1")
            .execute(&mut c)
            .await;
        let waited = t.elapsed();
        assert!(
            wrote.is_ok(),
            "the write must get through once the server ends the paused transaction, not wait for the executor: {wrote:?} after {waited:?}"
        );
        // The ended backend leaves pg_stat_activity a moment after its locks are released
        // (which let the write through): look again for up to five seconds.
        let mut work: i64 = 1;
        for _ in 0..50 {
            work = scalar(
                &mut c,
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'bellows-work:%'",
            )
            .await;
            if work == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(work, 0, "the server ended the paused session");
        eprintln!("the write waited {waited:?} for the paused executor's batch");
    });
    signal(&child, "-CONT");
    let (code, out) = finish(child);
    assert_eq!(code, Some(1), "it stops cleanly, resumable:\n{out}");
    assert!(out.contains("Run again to resume"), "{out}");
    rerun_finishes(&url, &args);
    let rt = common::rt();
    let v = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT count(*) FROM accounts WHERE v = 1",
    ));
    assert_eq!(v, ROWS, "the application's write is kept");
}

#[test]
fn losing_the_lock_session_stops_the_run_at_the_next_safe_point() {
    let cluster = common::cluster();
    let (url, plan) = setup(&cluster, "lostlock", false);
    let args = [
        "run",
        &plan,
        "--yes",
        "--through",
        "backfill",
        "--batch-size",
        "100",
        "--batch-pause",
        "100ms",
    ];
    let rt = common::rt();
    let child = bellows(&args, &url);
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        wait_for_progress(&mut c).await;
        let ended: bool = scalar(
            &mut c,
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted",
        )
        .await;
        assert!(ended, "terminated the lock's session");
    });
    let (code, out) = finish(child);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("lost the plan's advisory lock"), "{out}");
    let done = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT rows_done FROM bellows.backfill_cursors",
    ));
    assert!(done < ROWS, "it stopped before the end ({done} rows)");
    rerun_finishes(&url, &args);
}
