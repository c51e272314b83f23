//! Backfills on a partitioned table walk one leaf partition after another (range partitions,
//! one of them sub-partitioned, and a default partition), each by its own copy of the key;
//! the list of leaves is read when the step starts, so a partition attached after planning
//! is filled too; a run killed in the middle partition resumes exactly there.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bellows::planner::{Options, plan};
use sqlx::Connection as _;

const SCHEMA: &str = "
CREATE TABLE readings (
    id bigint NOT NULL,
    at date NOT NULL,
    v integer,
    note text,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE readings_2023 PARTITION OF readings FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
    PARTITION BY RANGE (id);
CREATE TABLE readings_2024_low PARTITION OF readings_2024 FOR VALUES FROM (MINVALUE) TO (20000);
CREATE TABLE readings_2024_high PARTITION OF readings_2024 FOR VALUES FROM (20000) TO (MAXVALUE);
CREATE TABLE readings_other PARTITION OF readings DEFAULT;
";

/// 40,000 rows over all four leaves (2023, 2024 low and high ids, 2025 in the default).
const SEED: &str = "
INSERT INTO readings
SELECT g, date '2023-01-01' + (g % 900), g % 100, CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || g END
FROM generate_series(1, 40000) g;
ANALYZE readings;
";

const ROWS: i64 = 40_000;

fn files(tag: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("bellows-parts-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (schema, rows) = (dir.join("schema.sql"), dir.join("rows.sql"));
    std::fs::write(&schema, SCHEMA).expect("write");
    std::fs::write(&rows, SEED).expect("write");
    (schema.display().to_string(), rows.display().to_string())
}

#[test]
fn a_partitioned_backfill_is_planned_per_leaf_and_runs_up_and_back() {
    let (schema, rows) = files("exercise");
    let cat = bellows::catalog::load_file(&schema).expect("schema loads");
    let change = "ALTER TABLE readings RENAME COLUMN note TO remark;";
    let p = plan("c.sql", change, &cat, &Options::default()).expect("plans");
    let bf = p
        .steps
        .iter()
        .find(|s| s.backfill.is_some())
        .expect("a backfill");
    let b = bf.backfill.as_ref().expect("details");
    assert!(b.by_partition, "walks leaf partitions");
    assert_eq!(b.key, ["id", "at"]);
    assert!(
        bf.why.contains("one leaf partition after another")
            && bf
                .why
                .contains("read from the database when the step starts"),
        "{}",
        bf.why
    );

    let cluster = common::cluster();
    let changes = vec![("rename.sql".to_string(), change.to_string())];
    let failures = common::exercise(&cluster, "parts", &[&schema, &rows], &cat, &changes);
    assert!(failures.is_empty(), "{failures:#?}");
    let out = cluster
        .psql(
            "parts_up0",
            "SELECT count(*), count(remark), count(*) FILTER (WHERE remark = 'note ' || id) FROM readings",
        )
        .expect("query");
    assert_eq!(out.trim(), "40000|32000|32000");
}

#[test]
fn a_partitioned_backfill_killed_in_the_middle_partition_resumes_there() {
    let cluster = common::cluster();
    let (schema, rows) = files("crash");
    let url = common::fresh_db(&cluster, "parts_crash", &[&schema, &rows]);
    let rt = common::rt();
    let cat = rt
        .block_on(bellows::catalog::live::introspect_url(&url))
        .expect("introspect");
    let p = plan(
        "crash.sql",
        "ALTER TABLE readings RENAME COLUMN note TO remark;",
        &cat,
        &Options::default(),
    )
    .expect("plan");
    // A partition attached after planning, with rows the plan never saw: first by name.
    cluster
        .psql(
            "parts_crash",
            "CREATE TABLE readings_2022 (LIKE readings); \
             INSERT INTO readings_2022 SELECT 100000 + g, date '2022-01-01' + g % 365, 1, 'late ' || g FROM generate_series(1, 2000) g; \
             ALTER TABLE readings ATTACH PARTITION readings_2022 FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');",
        )
        .expect("attach a partition");
    let dir = std::env::temp_dir().join(format!("bellows-parts-crash-{}", std::process::id()));
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
        "200",
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
    let in_middle = "SELECT count(*) FROM bellows.backfill_cursors WHERE partition = 'public.readings_2024_high' AND cursor IS NOT NULL";
    while rt.block_on(poll(&url, in_middle)) == 0 {
        if let Ok(Some(_)) = first.try_wait() {
            let out = first.wait_with_output().expect("output");
            panic!(
                "the run ended early: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "never reached the middle partition"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    first.kill().expect("SIGKILL");
    let _ = first.wait();
    let done = cluster
        .psql(
            "parts_crash",
            "SELECT array_to_string(partitions_done, ','), partition FROM bellows.backfill_cursors",
        )
        .expect("query");
    assert_eq!(
        done.trim(),
        "public.readings_2022,public.readings_2023|public.readings_2024_high",
        "killed in the middle partition, after the ones before it"
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
        "SELECT count(*) FROM readings WHERE remark IS DISTINCT FROM note",
    ));
    assert_eq!(wrong, 0, "every row of every partition copied");
    let late = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT count(*) FROM readings_2022 WHERE remark LIKE 'late %'",
    ));
    assert_eq!(
        late, 2000,
        "the partition attached after planning is filled"
    );
    let rows_done = rt.block_on(common::exec::scalar_i64(
        &url,
        "SELECT rows_done FROM bellows.backfill_cursors",
    ));
    assert_eq!(
        rows_done,
        ROWS + 2000,
        "each row is covered exactly once across both runs"
    );
}

/// A number from the database, 0 while the query fails (the state schema does not exist yet).
async fn poll(url: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    let Ok(mut c) = sqlx::PgConnection::connect(url).await else {
        return 0;
    };
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap_or(0)
}

#[test]
fn a_partitioned_table_with_no_key_is_walked_leaf_by_leaf_over_pages() {
    let cluster = common::cluster();
    cluster.create_database("parts_nokey").expect("db");
    cluster
        .psql(
            "parts_nokey",
            "CREATE TABLE samples (at date NOT NULL, v integer, note text) PARTITION BY RANGE (at);
             CREATE TABLE samples_2023 PARTITION OF samples FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
             CREATE TABLE samples_2024 PARTITION OF samples FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             CREATE TABLE samples_other PARTITION OF samples DEFAULT;
             INSERT INTO samples SELECT date '2023-01-01' + (g % 900), g, 'note ' || g FROM generate_series(1, 30000) g;
             ANALYZE samples;",
        )
        .expect("seed");
    let url = cluster.url("parts_nokey");
    let rt = common::rt();
    rt.block_on(async {
        let cat = bellows::catalog::live::introspect_url(&url)
            .await
            .expect("introspect");
        let p = plan(
            "c.sql",
            "ALTER TABLE samples RENAME COLUMN note TO remark;",
            &cat,
            &Options::default(),
        )
        .expect("plans");
        let b = p
            .steps
            .iter()
            .find_map(|s| s.backfill.as_ref())
            .expect("a backfill");
        assert_eq!((b.walk, b.by_partition), (bellows::plan::Walk::Pages, true));
        let mut set = common::exec::quick();
        set.batch_size = Some(500);
        set.through = Some(bellows::plan::Phase::Backfill);
        let (r, events) = common::exec::run(&url, &p, &set).await;
        r.expect("through backfill (the verification walks the parent's pages)");
        // Progress names the partition under way, each leaf in turn, by name.
        let mut seen: Vec<String> = Vec::new();
        for e in &events {
            if let bellows::executor::Event::BatchProgress {
                partition: Some(part),
                ..
            } = e
                && seen.last() != Some(part)
            {
                seen.push(part.clone());
            }
        }
        assert_eq!(
            seen,
            [
                "public.samples_2023",
                "public.samples_2024",
                "public.samples_other"
            ]
        );
        let wrong = common::exec::scalar_i64(
            &url,
            "SELECT count(*) FROM samples WHERE remark IS DISTINCT FROM note",
        )
        .await;
        assert_eq!(wrong, 0, "every row of every partition copied");
        // A row written around the sync trigger is found by the page walk over the parent.
        sqlx::raw_sql(
            "SET session_replication_role = replica; UPDATE samples SET remark = 'wrong' WHERE v = 29999",
        )
        .execute(&mut sqlx::PgConnection::connect(&url).await.expect("connect"))
        .await
        .expect("write around the trigger");
        sqlx::raw_sql("DELETE FROM bellows.steps WHERE step_id LIKE '%verify'")
            .execute(&mut sqlx::PgConnection::connect(&url).await.expect("connect"))
            .await
            .expect("verify again");
        let (r, events) = common::exec::run(&url, &p, &set).await;
        let err = r.expect_err("the verification fails").to_string();
        assert!(err.contains("verification failed"), "{err}");
        let sample = events.iter().find_map(|e| match e {
            bellows::executor::Event::VerifyFailed { sample_keys, .. } => Some(sample_keys.clone()),
            _ => None,
        });
        assert!(
            sample.is_some_and(|s| s.len() == 1 && s[0].starts_with("ctid (")),
            "{events:#?}"
        );
    });
}
