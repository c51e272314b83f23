//! A crash never loses work: SIGKILL the executor during a backfill and during a concurrent
//! index build, run it again, and find correct data, exact progress and no invalid index.
//! Also: a password in the URL never appears in output or state rows.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bellows::planner::{self, Options};
use sqlx::Connection;

fn plan_file(dir: &std::path::Path, url: &str, change: &str) -> String {
    let rt = common::rt();
    let cat = rt
        .block_on(bellows::catalog::live::introspect_url(url))
        .expect("introspect");
    let plan = planner::plan("crash.sql", change, &cat, &Options::default()).expect("plan");
    let path = dir.join(format!("{}.toml", &plan.hash[..8]));
    std::fs::write(&path, plan.to_toml()).expect("write plan");
    path.to_string_lossy().to_string()
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

async fn wait_for(url: &str, sql: &str, what: &str) {
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    let t = Instant::now();
    loop {
        let ok: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&mut c)
            .await
            .unwrap_or(false);
        if ok {
            return;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn workdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("bellows-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

#[test]
fn sigkill_during_a_backfill_resumes_exactly() {
    let cluster = common::cluster();
    cluster.create_database("bf").expect("db");
    cluster
        .psql("bf", "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL); INSERT INTO accounts SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 200000) g; ANALYZE accounts;")
        .expect("seed");
    let url = cluster.url("bf");
    let dir = workdir("bf");
    let plan = plan_file(
        &dir,
        &url,
        "ALTER TABLE accounts RENAME COLUMN email TO email_address;",
    );
    let args = [
        "run",
        &plan,
        "--yes",
        "--through",
        "backfill",
        "--batch-size",
        "500",
        "--batch-target",
        "5ms",
        "--batch-pause",
        "5ms",
    ];
    let rt = common::rt();
    let mut first = bellows(&args, &url);
    rt.block_on(wait_for(
        &url,
        "SELECT coalesce((SELECT rows_done > 20000 FROM bellows.backfill_cursors LIMIT 1), false)",
        "backfill progress",
    ));
    first.kill().expect("SIGKILL");
    let _ = first.wait();
    let done_at_kill = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT rows_done FROM bellows.backfill_cursors",
    ));
    assert!(
        done_at_kill < 200_000,
        "killed before the end ({done_at_kill})"
    );
    let second = bellows(&args, &url).wait_with_output().expect("second run");
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(out.contains("resuming"), "{out}");
    let wrong = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT count(*) FROM accounts WHERE email_address IS DISTINCT FROM email",
    ));
    assert_eq!(wrong, 0, "every row copied");
    let rows_done = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT rows_done FROM bellows.backfill_cursors",
    ));
    assert_eq!(
        rows_done, 200_000,
        "each row is covered exactly once across both runs"
    );
}

#[test]
fn sigkill_during_a_concurrent_index_build_leaves_no_invalid_index() {
    let cluster = common::cluster();
    cluster.create_database("cic").expect("db");
    cluster
        .psql("cic", "CREATE TABLE big (id bigint PRIMARY KEY, v integer NOT NULL); INSERT INTO big SELECT g, g % 1000 FROM generate_series(1, 100000) g;")
        .expect("seed");
    let url = cluster.url("cic");
    let dir = workdir("cic");
    let plan = plan_file(&dir, &url, "CREATE INDEX big_v_idx ON big (v);");
    let rt = common::rt();
    rt.block_on(async {
        // An old snapshot makes the concurrent build wait after it has created its (invalid) index.
        let mut old = sqlx::PgConnection::connect(&url).await.expect("connect");
        sqlx::raw_sql("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM pg_class;").execute(&mut old).await.expect("snapshot");
        let mut first = bellows(&["run", &plan, "--yes"], &url);
        wait_for(&url, "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_v_idx' AND NOT i.indisvalid)", "the invalid index").await;
        first.kill().expect("SIGKILL");
        let _ = first.wait();
        // Run again while the old snapshot still exists; release it a little later.
        let second = bellows(&["run", &plan, "--yes"], &url);
        tokio::time::sleep(Duration::from_secs(2)).await;
        sqlx::raw_sql("COMMIT").execute(&mut old).await.expect("commit");
        let out = tokio::task::spawn_blocking(move || second.wait_with_output()).await.expect("join").expect("second run");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
        let invalid = common::exec::scalar_i64(&url, "SELECT count(*) FROM pg_index WHERE NOT indisvalid").await;
        assert_eq!(invalid, 0, "no invalid index is left: {text}");
        let valid = common::exec::scalar_i64(&url, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_v_idx' AND i.indisvalid").await;
        assert_eq!(valid, 1, "the index exists and is valid: {text}");
    });
}

#[test]
fn a_password_in_the_url_never_shows() {
    let cluster = common::cluster();
    let url = common::fresh_db(
        &cluster,
        "pw",
        &[common::examples::SCHEMA, "tests/fixtures/small-seed.sql"],
    );
    let secret = "Sup3r-S3cret-pw";
    let with_pw = url.replacen("postgres@", &format!("postgres:{secret}@"), 1);
    assert!(with_pw.contains(secret));
    let dir = workdir("pw");
    let plan = plan_file(
        &dir,
        &url,
        "ALTER TABLE users RENAME COLUMN name TO full_name;",
    );
    let mut seen = String::new();
    for args in [
        vec!["run", plan.as_str(), "--through", "backfill"],
        vec!["status", plan.as_str()],
        vec!["rollback", plan.as_str()],
        vec!["run", plan.as_str(), "--format", "json"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
            .args(&args)
            .args(["--database-url", &with_pw])
            .output()
            .expect("run");
        seen.push_str(&String::from_utf8_lossy(&out.stdout));
        seen.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    let bad = with_pw.replace(&format!(":{}/", cluster.port()), ":1/");
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["status", &plan, "--database-url", &bad])
        .output()
        .expect("run");
    // Unreachable: exit 4, as CONTRACT.md says (it was 1, "a step failed", before).
    assert_eq!(out.status.code(), Some(4));
    seen.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(
        seen.contains("running") && seen.contains("cannot connect"),
        "{seen}"
    );
    assert!(
        !seen.contains(secret),
        "the password leaked into output:\n{seen}"
    );
    let rt = common::rt();
    let state = rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        sqlx::query_scalar::<_, String>(
            "SELECT string_agg(t, ' ') FROM (SELECT row_to_json(r)::text t FROM bellows.runs r UNION ALL SELECT row_to_json(s)::text FROM bellows.steps s UNION ALL SELECT row_to_json(g)::text FROM bellows.gate_confirmations g) x",
        )
        .fetch_one(&mut c)
        .await
        .expect("state")
    });
    assert!(
        !state.contains(secret),
        "the password leaked into state rows"
    );
}
