//! A table with no key at all (no primary key, no unique index on NOT NULL columns), 50,000
//! rows over hundreds of pages: backfills walk ranges of physical pages (`ctid`, a TID range
//! scan). Planned and run up and rolled back; run by the executor while an application
//! inserts, deletes and updates rows (updates that move rows to pages already walked or
//! beyond the measured end); and killed mid-backfill, resuming exactly.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bellows::plan::{Phase, Walk};
use bellows::planner::{Options, plan};
use sqlx::Connection as _;

use crate::common;

const ROWS: i64 = 50_000;

const SCHEMA: &str = "
CREATE TABLE readings_log (
    at timestamptz NOT NULL,
    n bigint NOT NULL,
    score integer,
    payload text,
    note text
);
CREATE INDEX readings_log_n ON readings_log (n);
";

const SEED: &str = "
INSERT INTO readings_log
SELECT timestamptz '2026-01-01' + g * interval '1 minute', g, g % 1000,
       repeat('p', 40) || g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, 50000) g;
ANALYZE readings_log;
";

fn files(tag: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("bellows-nokey-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (schema, rows) = (dir.join("schema.sql"), dir.join("rows.sql"));
    std::fs::write(&schema, SCHEMA).expect("write");
    std::fs::write(&rows, SEED).expect("write");
    (schema.display().to_string(), rows.display().to_string())
}

#[test]
fn changes_on_a_table_with_no_key_walk_pages_up_and_back() {
    let (schema, rows) = files("exercise");
    let cat = bellows::catalog::load_file(&schema).expect("schema loads");
    let retype = "ALTER TABLE readings_log ALTER COLUMN score TYPE bigint;";
    let p = plan("c.sql", retype, &cat, &Options::default()).expect("plans without a key");
    let b = p
        .steps
        .iter()
        .find_map(|s| s.backfill.as_ref())
        .expect("a backfill");
    assert_eq!((b.walk, b.key.is_empty()), (Walk::Pages, true));
    assert!(p.pg_version >= 14, "a page walk needs PostgreSQL 14");
    let v = p
        .steps
        .iter()
        .find_map(|s| s.verify.as_ref())
        .expect("a verification");
    assert_eq!(v.walk, Walk::Pages);

    let changes = vec![
        ("retype.sql".to_string(), retype.to_string()),
        (
            "rename.sql".to_string(),
            "ALTER TABLE readings_log RENAME COLUMN note TO remark;".to_string(),
        ),
        (
            "not-null.sql".to_string(),
            "-- bellows:fill 'none'\nALTER TABLE readings_log ALTER COLUMN note SET NOT NULL;"
                .to_string(),
        ),
        (
            "token.sql".to_string(),
            "ALTER TABLE readings_log ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();"
                .to_string(),
        ),
    ];
    let cluster = common::cluster();
    let failures = common::exercise(&cluster, "nokey", &[&schema, &rows], &cat, &changes);
    assert!(failures.is_empty(), "{failures:#?}");
    let out = cluster
        .psql(
            "nokey_up0",
            "SELECT count(*), count(*) FILTER (WHERE score = n % 1000) FROM readings_log",
        )
        .expect("query");
    assert_eq!(out.trim(), "50000|50000");
    let out = cluster
        .psql(
            "nokey_up2",
            "SELECT count(*) FILTER (WHERE note = 'none'), count(*) FILTER (WHERE note IS NULL) FROM readings_log",
        )
        .expect("query");
    assert_eq!(out.trim(), "12500|0");
    // Exported for other migration tools, the backfill walks pages too.
    let url = common::fresh_db(&cluster, "nokey_export", &[&schema, &rows]);
    let bf = p
        .steps
        .iter()
        .find(|s| s.backfill.is_some())
        .expect("a backfill");
    let do_block = bellows::export::sql::backfill_loop(bf, b).expect("exports");
    assert!(
        do_block.contains("ctid >= format('(%s,0)', first)::tid"),
        "{do_block}"
    );
    common::rt()
        .block_on(common::run_plan(&url, &p, Some(Phase::Backfill)))
        .expect("up to the backfill");
    cluster
        .psql("nokey_export", &do_block)
        .expect("the exported loop runs");
    let out = cluster
        .psql(
            "nokey_export",
            "SELECT count(*) FILTER (WHERE score_bellows_new = score) FROM readings_log",
        )
        .expect("query");
    assert_eq!(out.trim(), "50000");
    let out = cluster
        .psql(
            "nokey_up3",
            "SELECT count(DISTINCT token), count(*) FILTER (WHERE token IS NULL) FROM readings_log",
        )
        .expect("query");
    assert_eq!(out.trim(), "50000|0");
}

/// Application writes that keep going while the executor backfills.
struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<std::sync::Mutex<Vec<String>>>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

/// Old code: updates that change neither the old nor the new column (so only the catch-up
/// part of the sync trigger sees them) and move rows, updates of the old column, inserts,
/// deletes.
const APP: [&str; 4] = [
    "UPDATE readings_log SET payload = payload || repeat('x', 30) WHERE n = $1 AND $2 > 0",
    "UPDATE readings_log SET score = score + 1 WHERE n = $1 + 7 AND $2 > 0",
    "INSERT INTO readings_log (at, n, score, payload) VALUES (now(), 1000000 + $2, $1 % 1000, 'new')",
    "DELETE FROM readings_log WHERE n = $1 + 13 AND $2 > 0",
];

impl Load {
    fn start(url: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for w in 0..2i64 {
            let (url, stop, ok, failed) =
                (url.to_string(), stop.clone(), ok.clone(), failed.clone());
            handles.push(tokio::spawn(async move {
                let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
                let mut i: i64 = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let q = APP[(i as usize) % APP.len()];
                    let n = 1 + (i * 7919 + w * 104_729) % ROWS;
                    let unique = w * 1_000_000_000 + i;
                    match sqlx::query(q).bind(n).bind(unique).execute(&mut c).await {
                        Ok(_) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => failed.lock().expect("lock").push(format!("{q}: {e}")),
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }));
        }
        Self {
            stop,
            ok,
            failed,
            handles,
        }
    }

    async fn finish(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for h in self.handles {
            let _ = h.await;
        }
        let failed = self.failed.lock().expect("lock").clone();
        (self.ok.load(Ordering::Relaxed), failed)
    }
}

/// A database with the table, a tenth of its rows deleted and vacuumed: free space in every
/// page, so updated rows can move back into pages already walked.
fn with_room(cluster: &bellows::pgtemp::TempCluster, db: &str) -> String {
    let (schema, rows) = files(db);
    let url = common::fresh_db(cluster, db, &[&schema, &rows]);
    cluster
        .psql(db, "DELETE FROM readings_log WHERE n % 10 = 0")
        .expect("make room");
    cluster.psql(db, "VACUUM readings_log").expect("vacuum");
    url
}

/// Plan `change`, run it through the backfill phase in small page batches while the
/// application writes, and check `wrong` (a count of rows left behind) is 0 before the load
/// stops; then run the rest. Returns the plan.
async fn through_backfill_under_load(url: &str, change: &str, wrong: &str) -> bellows::plan::Plan {
    let cat = bellows::catalog::live::introspect_url(url)
        .await
        .expect("introspect");
    let p = plan("load.sql", change, &cat, &Options::default()).expect("plan");
    let bf = p
        .steps
        .iter()
        .find(|s| s.backfill.is_some())
        .expect("a backfill")
        .id
        .clone();
    let load = Load::start(url);
    let mut set = common::exec::quick();
    set.batch_size = Some(150);
    set.batch_target = Some(Duration::from_millis(5));
    set.batch_pause = Some(Duration::from_millis(2));
    for phase in [Phase::Expand, Phase::DualWrite, Phase::Backfill] {
        set.through = Some(phase);
        let (r, events) = common::exec::run(url, &p, &set).await;
        r.unwrap_or_else(|e| panic!("through {}: {e}", phase.name()));
        if phase == Phase::Backfill {
            let batches = events
                .iter()
                .filter(|e| matches!(e, bellows::executor::Event::BatchProgress { step, .. } if *step == bf))
                .count();
            assert!(batches > 20, "the backfill ran in many batches ({batches})");
        }
    }
    // While the application still writes, no row was left behind.
    assert_eq!(
        common::exec::scalar_i64(url, wrong).await,
        0,
        "rows the page walk left behind: {wrong}"
    );
    let (ok, failed) = load.finish().await;
    assert!(
        failed.is_empty(),
        "{} failed, e.g. {}",
        failed.len(),
        failed[0]
    );
    assert!(ok > 200, "the application barely ran ({ok} statements)");
    let moved_back = common::exec::scalar_i64(
        url,
        "SELECT count(*) FROM readings_log WHERE payload LIKE '%xxx' AND (ctid::text::point)[0] < 100",
    )
    .await;
    assert!(moved_back > 0, "some updated rows landed in early pages");
    set.through = None;
    let (r, _) = common::exec::run(url, &p, &set).await;
    assert_eq!(r.expect("contract"), bellows::executor::Outcome::Done);
    p
}

#[test]
fn a_page_walk_under_application_writes_leaves_no_row_behind() {
    let cluster = common::cluster();
    let url = with_room(&cluster, "nokey_load");
    common::rt().block_on(async {
        let p = through_backfill_under_load(
            &url,
            "ALTER TABLE readings_log ALTER COLUMN score TYPE bigint;",
            "SELECT count(*) FROM readings_log WHERE score_bellows_new IS DISTINCT FROM score::bigint",
        )
        .await;
        let typed = common::exec::scalar_i64(
            &url,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'readings_log'::regclass AND attname = 'score' AND format_type(atttypid, atttypmod) = 'bigint'",
        )
        .await;
        assert_eq!(typed, 1);

        // The batch statement is a TID range scan.
        let bf = p.steps.iter().find(|s| s.backfill.is_some()).expect("a backfill");
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        let batch = bf.sql[0].replace("score_bellows_new", "score");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PREPARE bellows_batch AS {batch}")))
            .execute(&mut c)
            .await
            .expect("prepare the batch statement");
        let explain: Vec<String> =
            sqlx::query_scalar("EXPLAIN EXECUTE bellows_batch('(0,0)', '(8,0)')")
                .fetch_all(&mut c)
                .await
                .expect("explain");
        assert!(
            explain.iter().any(|l| l.contains("Tid Range Scan")),
            "{explain:#?}"
        );
    });
}

#[test]
fn a_volatile_default_on_a_page_walk_under_application_writes_fills_every_row() {
    let cluster = common::cluster();
    let url = with_room(&cluster, "nokey_token");
    common::rt().block_on(async {
        through_backfill_under_load(
            &url,
            "ALTER TABLE readings_log ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
            "SELECT count(*) FROM readings_log WHERE token IS NULL",
        )
        .await;
        let left = common::exec::scalar_i64(
            &url,
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'readings_log'::regclass AND NOT tgisinternal",
        )
        .await;
        assert_eq!(left, 0, "the catch-up trigger is gone");
    });
}

#[test]
fn a_page_walk_killed_mid_way_resumes_at_its_page() {
    let cluster = common::cluster();
    let (schema, rows) = files("crash");
    let url = common::fresh_db(&cluster, "nokey_crash", &[&schema, &rows]);
    // Room in every page, so the backfill's own updates stay on their page and each row is
    // seen once (a row version moved ahead of the walk would be counted again).
    for sql in [
        "ALTER TABLE readings_log SET (fillfactor = 50)",
        "VACUUM FULL readings_log",
        "ANALYZE readings_log",
    ] {
        cluster.psql("nokey_crash", sql).expect("fillfactor");
    }
    let rt = common::rt();
    let cat = rt
        .block_on(bellows::catalog::live::introspect_url(&url))
        .expect("introspect");
    let p = plan(
        "crash.sql",
        "ALTER TABLE readings_log RENAME COLUMN note TO remark;",
        &cat,
        &Options::default(),
    )
    .expect("plan");
    let dir = std::env::temp_dir().join(format!("bellows-nokey-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("plan.toml");
    std::fs::write(&path, p.to_toml()).expect("write plan");
    let path = path.display().to_string();
    let args = [
        "run",
        &path,
        "--yes",
        "--through",
        "backfill",
        "--batch-size",
        "300",
        "--batch-target",
        "5ms",
        "--batch-pause",
        "5ms",
    ];
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_bellows"))
            .args(args)
            .env("DATABASE_URL", &url)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bellows")
    };
    let mut first = start();
    let t = Instant::now();
    let page = "SELECT coalesce((SELECT cursor[1]::bigint FROM bellows.backfill_cursors WHERE walk = 'pages'), 0)";
    while rt.block_on(poll(&url, page)) < 100 {
        if let Ok(Some(_)) = first.try_wait() {
            let out = first.wait_with_output().expect("output");
            panic!(
                "the run ended early: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(t.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().expect("SIGKILL");
    let _ = first.wait();
    let at_kill = rt.block_on(common::exec::scalar_i64(&url, page));
    let pages = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT (pg_relation_size('readings_log') / current_setting('block_size')::int)::bigint",
    ));
    assert!(
        at_kill < pages,
        "killed before the end ({at_kill} of {pages} pages)"
    );

    let second = start().wait_with_output().expect("second run");
    let out = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(out.contains("resuming"), "{out}");
    let wrong = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT count(*) FROM readings_log WHERE remark IS DISTINCT FROM note",
    ));
    assert_eq!(wrong, 0, "every row copied");
    let rows_done = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT rows_done FROM bellows.backfill_cursors",
    ));
    assert_eq!(
        rows_done, ROWS,
        "each row is covered exactly once across both runs"
    );
}

/// A number from the database, 0 while the query fails (the state schema does not exist yet).
async fn poll(url: &str, sql: &str) -> i64 {
    let Ok(mut c) = sqlx::PgConnection::connect(url).await else {
        return 0;
    };
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap_or(0)
}
