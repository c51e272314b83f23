//! The executor's controls and refusals: composite keys, pause/resume/tuning/stop through
//! the command channel, failed verification with sample keys, drift refused with the
//! difference, gates and exit codes through the CLI, rollback stopping before what cannot
//! be undone.

mod common;

use std::process::Command;
use std::time::Duration;

use bellows::executor::{self, Command as Ctl, Event, ExecError, Outcome};
use bellows::planner::{self, Options};
use common::{examples, exec};

const FILES: &[&str] = &[examples::SCHEMA, "tests/fixtures/small-seed.sql"];

fn plan(text: &str) -> bellows::plan::Plan {
    let cat = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    planner::plan("c.sql", text, &cat, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn composite_keys_backfill_every_row() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "composite", FILES);
    let p = plan("ALTER TABLE order_items RENAME COLUMN quantity TO qty;");
    let b = p
        .steps
        .iter()
        .find(|s| s.backfill.is_some())
        .expect("a backfill");
    assert_eq!(
        b.backfill.as_ref().map(|b| b.key.len()),
        Some(2),
        "order_items has a two-column key"
    );
    let rt = common::rt();
    let mut set = exec::quick();
    set.batch_size = Some(7);
    set.batch_target = Some(Duration::from_millis(1));
    set.through = Some(bellows::plan::Phase::Backfill);
    let (r, events) = rt.block_on(exec::run(&url, &p, &set));
    r.expect("runs");
    let batches = events
        .iter()
        .filter(|e| matches!(e, Event::BatchProgress { step, .. } if step == "1.backfill"))
        .count();
    assert!(batches > 10, "many small batches ({batches})");
    let wrong = rt.block_on(exec::scalar_i64(
        &url,
        "SELECT count(*) FROM order_items WHERE qty IS DISTINCT FROM quantity",
    ));
    assert_eq!(wrong, 0);
    let done = rt.block_on(exec::scalar_i64(
        &url,
        "SELECT rows_done FROM bellows.backfill_cursors",
    ));
    assert_eq!(done, 1500, "every row of the 500 x 3 seed exactly once");
}

#[test]
fn pause_resume_tune_and_stop_through_the_command_channel() {
    let cluster = common::cluster();
    cluster.create_database("ctl").expect("db");
    cluster
        .psql("ctl", "CREATE TABLE t (id bigint PRIMARY KEY, a integer NOT NULL); INSERT INTO t SELECT g, g FROM generate_series(1, 20000) g;")
        .expect("seed");
    let url = cluster.url("ctl");
    let rt = common::rt();
    rt.block_on(async {
        let cat = bellows::catalog::live::introspect_url(&url)
            .await
            .expect("introspect");
        let p = planner::plan(
            "c.sql",
            "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
            &cat,
            &Options::default(),
        )
        .expect("plan");
        let mut set = exec::quick();
        set.batch_size = Some(100);
        set.batch_target = Some(Duration::from_millis(1));
        set.batch_pause = Some(Duration::from_millis(10));
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let (ctl, crx) = tokio::sync::mpsc::unbounded_channel();
        let run = tokio::spawn({
            let (url, p, set) = (url.clone(), p.clone(), set.clone());
            async move {
                let target = bellows::env::Target::parse(&url).expect("a database URL");
                executor::run(&p, &target, &set, false, tx, crx).await
            }
        });
        let mut seen = Vec::new();
        let mut step = 0;
        while let Some(e) = rx.recv().await {
            if let Event::BatchProgress {
                rows_done,
                batch_size,
                ..
            } = &e
            {
                match step {
                    0 if *rows_done >= 1000 => {
                        ctl.send(Ctl::Pause).expect("send");
                        step = 1;
                    }
                    2 => {
                        assert_eq!(
                            *batch_size, 250,
                            "the new batch size is used after resuming"
                        );
                        ctl.send(Ctl::StopAfterBatch).expect("send");
                        step = 3;
                    }
                    _ => {}
                }
            }
            if let Event::Paused { .. } = &e {
                let before =
                    exec::scalar_i64(&url, "SELECT rows_done FROM bellows.backfill_cursors").await;
                tokio::time::sleep(Duration::from_millis(400)).await;
                let after =
                    exec::scalar_i64(&url, "SELECT rows_done FROM bellows.backfill_cursors").await;
                assert_eq!(before, after, "nothing moves while paused");
                ctl.send(Ctl::SetBatchSize(250)).expect("send");
                ctl.send(Ctl::Resume).expect("send");
                step = 2;
            }
            seen.push(e);
        }
        let r = run.await.expect("join");
        assert_eq!(r.expect("stops cleanly"), Outcome::Stopped);
        assert!(seen.iter().any(|e| matches!(e, Event::Resumed { .. })));
        let done = exec::scalar_i64(&url, "SELECT rows_done FROM bellows.backfill_cursors").await;
        assert!(done < 20000, "stopped before the end ({done})");
        // Running again finishes the job from the cursor.
        let (r, _) = exec::run(&url, &p, &exec::quick()).await;
        assert_eq!(r.expect("resumes"), Outcome::Done);
    });
}

#[test]
fn a_failed_verification_names_sample_keys() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "verify", FILES);
    // users.name has NULLs in the seed (every 7th row) and no fill is given.
    let p = plan("ALTER TABLE users ALTER COLUMN name SET NOT NULL;");
    let rt = common::rt();
    let (r, events) = rt.block_on(exec::run(&url, &p, &exec::quick()));
    match r {
        Err(ExecError::StepFailed { step, error }) => {
            assert!(step.contains("verify"), "{step}");
            assert!(
                error.contains("7") && error.contains("14"),
                "sample keys of the NULL rows: {error}"
            );
        }
        other => panic!("expected a failed verification, got {other:?}"),
    }
    assert!(
        events.iter().any(
            |e| matches!(e, Event::VerifyFailed { sample_keys, .. } if sample_keys.len() == 10)
        )
    );
    let constrained = rt.block_on(exec::scalar_i64(
        &url,
        "SELECT count(*) FROM pg_constraint WHERE conname LIKE '%not_null'",
    ));
    assert_eq!(constrained, 0, "nothing after the failed check ran");
}

#[test]
fn drift_is_refused_with_the_difference_and_nothing_changes() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "drift", FILES);
    let p = plan("ALTER TABLE users RENAME COLUMN email TO email_address;");
    cluster
        .psql("drift", "ALTER TABLE users ADD COLUMN sneaky int")
        .expect("drift");
    let rt = common::rt();
    let (r, _) = rt.block_on(exec::run(&url, &p, &exec::quick()));
    match r {
        Err(e @ ExecError::Precondition(_)) => {
            let m = e.to_string();
            assert_eq!(e.exit_code(), 2);
            assert!(
                m.contains("public.users changed") && m.contains("+ now:     col sneaky integer"),
                "{m}"
            );
        }
        other => panic!("expected drift, got {other:?}"),
    }
    let added = rt.block_on(exec::scalar_i64(
        &url,
        "SELECT count(*) FROM information_schema.columns WHERE column_name = 'email_address'",
    ));
    assert_eq!(added, 0, "nothing was changed");
}

#[test]
fn gates_exit_codes_and_rollback_through_the_cli() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "cli", FILES);
    let dir = std::env::temp_dir().join(format!("bellows-ctl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("drop.toml");
    std::fs::write(&file, plan("ALTER TABLE users DROP COLUMN name;").to_toml()).expect("write");
    let f = file.to_string_lossy().to_string();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_bellows"))
            .args(args)
            .env("DATABASE_URL", &url)
            .output()
            .expect("run");
        (
            o.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    let (code, out) = run(&["run", &f, "--headless"]);
    assert_eq!(
        code,
        Some(3),
        "a gate stops a headless run with exit 3:\n{out}"
    );
    assert!(
        out.contains("No running instance") && out.contains("--yes"),
        "{out}"
    );
    let (code, out) = run(&["status", &f]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("waiting") && out.contains("next: 1.gate"),
        "{out}"
    );
    let (code, out) = run(&["run", &f, "--yes", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.lines()
            .all(|l| l.trim().is_empty() || serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "JSON lines:\n{out}"
    );
    assert!(out.contains("\"event\":\"gate_confirmed\""), "{out}");
    let (code, out) = run(&["rollback", &f]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("irreversible") && out.contains("1.drop-column"),
        "rollback names what it cannot undo:\n{out}"
    );
    let (code, _) = run(&["run", &f, "--lock-timeout", "0s"]);
    assert_eq!(code, Some(2), "a zero lock timeout is refused");
    let (code, out) = run(&["run", &f, "--through", "sideways"]);
    assert_eq!(code, Some(2), "{out}");
}

#[test]
fn a_backfill_finishes_while_rows_arrive_faster_than_it_goes() {
    let cluster = common::cluster();
    cluster.create_database("chase").expect("db");
    cluster
        .psql("chase", "CREATE TABLE t (id bigserial PRIMARY KEY, a integer NOT NULL); INSERT INTO t (a) SELECT g FROM generate_series(1, 3000) g;")
        .expect("seed");
    let url = cluster.url("chase");
    let rt = common::rt();
    rt.block_on(async {
        use sqlx::Connection;
        let cat = bellows::catalog::live::introspect_url(&url)
            .await
            .expect("introspect");
        let p = planner::plan(
            "c.sql",
            "ALTER TABLE t RENAME COLUMN a TO b;",
            &cat,
            &Options::default(),
        )
        .expect("plan");
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let inserter = {
            let (url, stop) = (url.clone(), stop.clone());
            tokio::spawn(async move {
                let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    sqlx::query("INSERT INTO t (a) SELECT g FROM generate_series(1, 200) g")
                        .execute(&mut c)
                        .await
                        .expect("insert");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        };
        let mut set = exec::quick();
        set.batch_size = Some(100);
        set.batch_pause = Some(Duration::from_millis(30));
        set.through = Some(bellows::plan::Phase::Backfill);
        let r = tokio::time::timeout(Duration::from_secs(60), exec::run(&url, &p, &set)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        inserter.await.expect("inserter");
        let (r, _) = r.expect("the backfill must end even while rows keep arriving");
        r.expect("runs");
        let wrong =
            exec::scalar_i64(&url, "SELECT count(*) FROM t WHERE b IS DISTINCT FROM a").await;
        assert_eq!(
            wrong, 0,
            "old rows by the backfill, new ones by the trigger"
        );
    });
}

#[test]
fn a_state_the_tables_do_not_know_is_refused_not_guessed() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "unknown_state", FILES);
    let p = plan("ALTER TABLE users ADD COLUMN nickname text;");
    let rt = common::rt();
    let (r, _) = rt.block_on(exec::run(&url, &p, &exec::quick()));
    assert_eq!(r.expect("runs"), Outcome::Done);
    // A state another version (or a hand edit) wrote: status, run and rollback refuse it
    // instead of reading it as "not done" and running the DDL again.
    cluster
        .psql("unknown_state", "UPDATE bellows.steps SET state = 'paused'")
        .expect("edit");
    let target = |u: &str| bellows::env::Target::parse(u).expect("a database URL");
    let st = rt.block_on(executor::status::status(&p, &target(&url)));
    let msg = st.expect_err("status refuses").to_string();
    assert!(msg.contains("unknown step state `paused`"), "{msg}");
    let (r, events) = rt.block_on(exec::run(&url, &p, &exec::quick()));
    match r {
        Err(ExecError::Database(m)) => assert!(m.contains("unknown step state"), "{m}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::StepStarted { .. })),
        "nothing ran"
    );
    let (rb, _) = rt.block_on(exec::rollback(&url, &p, &exec::quick()));
    assert!(
        rb.as_ref()
            .is_err_and(|e| e.to_string().contains("unknown step state")),
        "{rb:?}"
    );
    cluster
        .psql(
            "unknown_state",
            "UPDATE bellows.steps SET state = 'done'; UPDATE bellows.runs SET status = 'sleeping'",
        )
        .expect("edit");
    let msg = rt
        .block_on(executor::status::status(&p, &target(&url)))
        .expect_err("status refuses")
        .to_string();
    assert!(msg.contains("unknown run status `sleeping`"), "{msg}");
}
