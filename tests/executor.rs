//! The executor on a real server: every example plan runs to the end and rolls back from
//! every phase boundary; a blocking transaction delays a step without queueing readers; a
//! second executor is refused; identifiers that need quoting work end to end.

mod common;

use std::time::{Duration, Instant};

use bellows::executor::{Event, ExecError, Outcome};
use bellows::plan::Phase;
use bellows::planner::{self, Options};
use common::{examples, exec};

const FILES: &[&str] = &[examples::SCHEMA, "tests/fixtures/small-seed.sql"];

#[test]
fn every_example_runs_to_the_end_and_rolls_back_from_every_phase_boundary() {
    let plans = examples::changes()
        .into_iter()
        .map(|(stem, path)| (stem, examples::plan(&path)))
        .collect();
    let failures = run_and_roll_back(plans, FILES, "x");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_production_example_runs_to_the_end_and_rolls_back_from_every_phase_boundary() {
    let plans = examples::production_changes()
        .into_iter()
        .map(|(stem, path)| {
            (
                stem,
                examples::plan_against(examples::PRODUCTION_SCHEMA, &path),
            )
        })
        .collect();
    let failures = run_and_roll_back(plans, examples::PRODUCTION_FILES, "px");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each plan with the real executor on a fresh database of `files`: all the way (twice: the
/// second run does nothing), and through each phase before contract then rolled back to the
/// schema it started from. Returns one message per failure.
fn run_and_roll_back(
    plans: Vec<(String, bellows::plan::Plan)>,
    files: &[&str],
    tag: &str,
) -> Vec<String> {
    let cluster = common::cluster();
    let rt = common::rt();
    let set = exec::quick();
    let mut failures = Vec::new();
    for (i, (stem, plan)) in plans.into_iter().enumerate() {
        // All the way, then once more: a finished plan does nothing the second time.
        let url = common::fresh_db(&cluster, &format!("{tag}{i}"), files);
        let (r, _) = rt.block_on(exec::run(&url, &plan, &set));
        if r.as_ref().ok() != Some(&Outcome::Done) {
            failures.push(format!("{stem}: {r:?}"));
            continue;
        }
        let invalid = rt.block_on(exec::scalar_i64(
            &url,
            "SELECT count(*) FROM pg_index WHERE NOT indisvalid",
        ));
        let unvalidated = rt.block_on(exec::scalar_i64(
            &url,
            "SELECT count(*) FROM pg_constraint WHERE NOT convalidated",
        ));
        if invalid + unvalidated != 0 {
            failures.push(format!("{stem}: {invalid} invalid index(es), {unvalidated} unvalidated constraint(s) after the run"));
        }
        let (again, events) = rt.block_on(exec::run(&url, &plan, &set));
        if again.as_ref().ok() != Some(&Outcome::Done)
            || events
                .iter()
                .any(|e| matches!(e, Event::StepStarted { .. }))
        {
            failures.push(format!("{stem}: a second run must do nothing: {again:?}"));
        }
        // Stop after each phase before contract, roll back, and find the schema unchanged.
        for (k, phase) in plan
            .phases
            .iter()
            .filter(|p| **p != Phase::Contract)
            .enumerate()
        {
            let url = common::fresh_db(&cluster, &format!("{tag}{i}p{k}"), files);
            let before = rt.block_on(exec::app_shape(&url));
            let mut through = set.clone();
            through.through = Some(*phase);
            let (r, _) = rt.block_on(exec::run(&url, &plan, &through));
            if !matches!(r, Ok(Outcome::Through(_)) | Ok(Outcome::Done)) {
                failures.push(format!("{stem}: through {}: {r:?}", phase.name()));
                continue;
            }
            let (rb, _) = rt.block_on(exec::rollback(&url, &plan, &set));
            match rb {
                Ok(bellows::executor::rollback::RollbackOutcome::Done { .. }) => {}
                Ok(bellows::executor::rollback::RollbackOutcome::StoppedAt { step, .. })
                    if step.ends_with("add-enum-value") =>
                {
                    continue;
                }
                other => {
                    failures.push(format!(
                        "{stem}: rollback after {}: {other:?}",
                        phase.name()
                    ));
                    continue;
                }
            }
            let after = rt.block_on(exec::app_shape(&url));
            if before != after {
                failures.push(format!(
                    "{stem}: rollback after {} did not restore the schema",
                    phase.name()
                ));
            }
        }
    }
    failures
}

#[test]
fn a_blocking_transaction_delays_a_step_without_queueing_readers() {
    let cluster = common::cluster();
    let rt = common::rt();
    let url = common::fresh_db(&cluster, "blocked", FILES);
    let cat = bellows::catalog::load_file(examples::SCHEMA).expect("schema");
    let plan = planner::plan(
        "b.sql",
        "ALTER TABLE users ADD COLUMN nickname text;",
        &cat,
        &Options::default(),
    )
    .expect("plan");
    rt.block_on(async {
        use sqlx::Connection;
        // A transaction that holds a lock on users for 15 s.
        let mut holder = sqlx::PgConnection::connect(&url).await.expect("connect");
        sqlx::raw_sql("BEGIN; SELECT count(*) FROM users;")
            .execute(&mut holder)
            .await
            .expect("hold");
        let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut holder)
            .await
            .expect("pid");
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(15)).await;
            sqlx::raw_sql("COMMIT")
                .execute(&mut holder)
                .await
                .expect("commit");
        });
        // Readers keep reading the whole time; none may queue for long behind the DDL.
        let reader_url = url.clone();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let readers = tokio::spawn(async move {
            let mut c = sqlx::PgConnection::connect(&reader_url)
                .await
                .expect("connect");
            let mut worst = Duration::ZERO;
            let mut reads = 0;
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                sqlx::query("SELECT email FROM users WHERE id = 1")
                    .fetch_one(&mut c)
                    .await
                    .expect("a reader failed");
                worst = worst.max(t.elapsed());
                reads += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (worst, reads)
        });
        let (r, events) = exec::run(&url, &plan, &exec::quick()).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        release.await.expect("release");
        let (worst, reads) = readers.await.expect("readers");
        assert_eq!(
            r.expect("the step completes once the blocker is gone"),
            Outcome::Done
        );
        let waits: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::LockWait { blockers, .. } => Some(blockers.clone()),
                _ => None,
            })
            .collect();
        assert!(
            waits.len() >= 3,
            "the step must wait and retry several times: {waits:?}"
        );
        assert!(
            waits
                .iter()
                .flatten()
                .any(|b| b.pid == holder_pid && b.state.contains("idle in transaction")),
            "the blocker must be reported with its pid and state: {waits:?}"
        );
        assert!(reads > 100, "readers kept reading ({reads})");
        // lock_timeout is 500 ms: a reader may queue behind one attempt, never longer.
        assert!(
            worst < Duration::from_millis(1500),
            "a reader queued for {worst:?} behind the DDL"
        );
    });
}

#[test]
fn a_second_executor_on_the_same_plan_is_refused() {
    let cluster = common::cluster();
    let rt = common::rt();
    let url = common::fresh_db(&cluster, "twice", FILES);
    let plan = examples::plan("examples/changes/05-add-column-nullable.sql");
    rt.block_on(async {
        let target = bellows::env::Target::parse(&url).expect("a database URL");
        let first = bellows::executor::session::Session::open(&target, &plan.hash)
            .await
            .expect("first executor");
        let (r, _) = exec::run(&url, &plan, &exec::quick()).await;
        match r {
            Err(ExecError::Busy(msg)) => assert!(
                msg.contains("another bellows is already running this plan") && msg.contains("pid"),
                "{msg}"
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
        first.close(&plan.hash).await;
        let (r, _) = exec::run(&url, &plan, &exec::quick()).await;
        assert_eq!(r.expect("runs once the first is gone"), Outcome::Done);
    });
}

#[test]
fn identifiers_that_need_quoting_work_end_to_end() {
    let cluster = common::cluster();
    let rt = common::rt();
    let dir = std::env::temp_dir().join(format!("bellows-quoting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let schema = dir.join("schema.sql");
    std::fs::write(
        &schema,
        r#"CREATE SCHEMA "Sales Dept";
CREATE TABLE "Sales Dept"."Order Items" (
    "Id" bigserial PRIMARY KEY,
    "user" text NOT NULL,
    "Émail" text,
    "select" integer NOT NULL DEFAULT 0
);
CREATE INDEX "Order Items Émail" ON "Sales Dept"."Order Items" ("Émail");
INSERT INTO "Sales Dept"."Order Items" ("user", "Émail", "select") SELECT 'u' || g, 'e' || g || '@x', g FROM generate_series(1, 500) g;
"#,
    )
    .expect("write");
    let schema = schema.to_string_lossy().to_string();
    let cat = bellows::catalog::load_file(&schema).expect("schema loads");
    for (i, change) in [
        r#"ALTER TABLE "Sales Dept"."Order Items" RENAME COLUMN "Émail" TO "E-mail Address";"#,
        r#"ALTER TABLE "Sales Dept"."Order Items" ALTER COLUMN "select" TYPE bigint;"#,
        r#"-- bellows:fill 'nobody'
ALTER TABLE "Sales Dept"."Order Items" ALTER COLUMN "Émail" SET NOT NULL;"#,
        r#"ALTER TABLE "Sales Dept"."Order Items" ADD CONSTRAINT "user is lower" CHECK ("user" = lower("user"));"#,
        r#"ALTER TABLE "Sales Dept"."Order Items" RENAME TO "Line Items";"#,
    ]
    .iter()
    .enumerate()
    {
        let plan = planner::plan("q.sql", change, &cat, &Options::default()).unwrap_or_else(|e| panic!("{change}: {e}"));
        let url = common::fresh_db(&cluster, &format!("q{i}"), &[&schema]);
        let (r, _) = rt.block_on(exec::run(&url, &plan, &exec::quick()));
        assert_eq!(r.unwrap_or_else(|e| panic!("{change}: {e}")), Outcome::Done, "{change}");
        let (rb, _) = rt.block_on(exec::rollback(&url, &plan, &exec::quick()));
        assert!(rb.is_ok(), "{change}: {rb:?}");
    }
}
