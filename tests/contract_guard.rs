//! The contract guard on a real server: a copy that was dropped, changed behind the sync
//! trigger, lost with a restore or left unsynced by a disabled trigger stops the contract
//! with exit 1 and nothing dropped; dependants created after planning (a view, a policy, a
//! foreign key) are named before anything irreversible runs, and one that appears while the
//! switch-over waits for its lock is caught inside its transaction.
//!
//! A schema change made *between* two runs is refused earlier still, by the drift check
//! every run makes (exit 2, nothing changed; also shown here); the guard is for what
//! changes while a run is under way (here: while it waits at the gate) and for data the
//! catalog cannot show (copies changed behind the trigger).

mod common;

use std::time::{Duration, Instant};

use bellows::executor::{ExecError, Outcome};
use bellows::plan::{Phase, Plan, StepKind};
use bellows::planner::{self, Options};
use common::{examples, exec};
use sqlx::Connection;

const FILES: &[&str] = &[examples::SCHEMA, "tests/fixtures/small-seed.sql"];
const RENAME: &str = "examples/changes/01-rename-column.sql";

fn through_backfill() -> bellows::executor::RunSettings {
    let mut s = exec::quick();
    s.through = Some(Phase::Backfill);
    s
}

/// Run `plan` up to the end of backfill, and check it got there.
fn prepare(rt: &tokio::runtime::Runtime, url: &str, plan: &Plan) {
    let (r, _) = rt.block_on(exec::run(url, plan, &through_backfill()));
    assert!(matches!(r, Ok(Outcome::Through(Phase::Backfill))), "{r:?}");
}

/// Run the rest with `--yes`; it must stop at `step` with exit 1, saying all of `says`.
fn refused(rt: &tokio::runtime::Runtime, url: &str, plan: &Plan, step: &str, says: &[&str]) {
    let (r, _) = rt.block_on(exec::run(url, plan, &exec::quick()));
    match &r {
        Err(e @ ExecError::StepFailed { step: s, error }) => {
            assert_eq!(e.exit_code(), 1, "{e}");
            assert_eq!(s, step, "stopped at the wrong step: {error}");
            for w in says {
                assert!(error.contains(w), "`{w}` missing from: {error}");
            }
            assert!(error.contains("nothing was dropped"), "{error}");
        }
        other => panic!("the contract must be refused at {step}, got {other:?}"),
    }
}

/// Run the rest with `--yes` after a change made between runs: the drift check refuses it
/// before anything runs (exit 2, nothing changed).
fn refused_between_runs(rt: &tokio::runtime::Runtime, url: &str, plan: &Plan) {
    let (r, _) = rt.block_on(exec::run(url, plan, &exec::quick()));
    match &r {
        Err(e) => assert_eq!(e.exit_code(), 2, "{e}"),
        other => panic!("a change between runs must be refused, got {other:?}"),
    }
}

/// Run the rest as the console does: when the run waits at `gate`, make `change` (while it
/// is under way, so no check before the run can see it), then confirm the gate. The run
/// must stop at `step` with exit 1, saying all of `says`, nothing dropped.
fn refused_when_changed_at_gate(
    rt: &tokio::runtime::Runtime,
    cluster: &bellows::pgtemp::TempCluster,
    db: &str,
    plan: &Plan,
    gate: &str,
    change: &str,
    expect: (&str, &[&str]),
) {
    let (step, says) = expect;
    let r = rt.block_on(async {
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let (ctl, crx) = tokio::sync::mpsc::unbounded_channel();
        let mut set = exec::quick();
        set.yes = false;
        let target = bellows::env::Target::parse(&cluster.url(db)).expect("a database URL");
        let p = plan.clone();
        let run =
            tokio::spawn(
                async move { bellows::executor::run(&p, &target, &set, true, tx, crx).await },
            );
        loop {
            match events.recv().await {
                Some(bellows::executor::Event::GateReached { step, .. }) if step == gate => break,
                Some(_) => {}
                None => return run.await.expect("join"),
            }
        }
        cluster
            .psql(db, change)
            .expect("the change while the run waits");
        ctl.send(bellows::executor::Command::ConfirmGate(gate.to_string()))
            .expect("confirm");
        let drain = tokio::spawn(async move { while events.recv().await.is_some() {} });
        let r = run.await.expect("join");
        let _ = drain.await;
        r
    });
    match &r {
        Err(e @ ExecError::StepFailed { step: s, error }) => {
            assert_eq!(e.exit_code(), 1, "{e}");
            assert_eq!(s, step, "stopped at the wrong step: {error}");
            for w in says {
                assert!(error.contains(w), "`{w}` missing from: {error}");
            }
            assert!(error.contains("nothing was dropped"), "{error}");
        }
        other => panic!("the contract must be refused at {step}, got {other:?}"),
    }
}

fn count(rt: &tokio::runtime::Runtime, url: &str, sql: &str) -> i64 {
    rt.block_on(exec::scalar_i64(url, sql))
}

/// The rename's sync triggers still exist (the switch-over did not run).
fn still_syncing(rt: &tokio::runtime::Runtime, url: &str) -> i64 {
    count(
        rt,
        url,
        "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'bellows_sync_%'",
    )
}

/// A table of 2,000 rows with a nullable column, and the plan renaming that column.
fn accounts(cluster: &bellows::pgtemp::TempCluster, db: &str) -> (String, Plan) {
    cluster.create_database(db).expect("db");
    cluster
        .psql(
            db,
            "CREATE TABLE accounts (id bigint PRIMARY KEY, nick text); \
             INSERT INTO accounts SELECT g, 'nick ' || g FROM generate_series(1, 2000) g; ANALYZE accounts;",
        )
        .expect("seed");
    let url = cluster.url(db);
    let rt = common::rt();
    let cat = rt
        .block_on(bellows::catalog::live::introspect_url(&url))
        .expect("introspect");
    let plan = planner::plan(
        "rename.sql",
        "ALTER TABLE accounts RENAME COLUMN nick TO handle;",
        &cat,
        &Options::default(),
    )
    .expect("plan");
    (url, plan)
}

#[test]
fn a_dropped_copy_stops_the_contract_with_nothing_dropped() {
    let cluster = common::cluster();
    let rt = common::rt();
    let plan = examples::plan(RENAME);
    let drop_copy = "ALTER TABLE users DROP COLUMN email_address CASCADE";
    let url = common::fresh_db(&cluster, "dropped_between", FILES);
    prepare(&rt, &url, &plan);
    cluster
        .psql("dropped_between", drop_copy)
        .expect("drop the copy");
    refused_between_runs(&rt, &url, &plan);
    assert_eq!(count(&rt, &url, "SELECT count(email) FROM users"), 300);
    let url = common::fresh_db(&cluster, "dropped", FILES);
    prepare(&rt, &url, &plan);
    refused_when_changed_at_gate(
        &rt,
        &cluster,
        "dropped",
        &plan,
        "1.gate",
        drop_copy,
        (
            "1.switch-over",
            &["column public.users.email_address", "does not exist"],
        ),
    );
    assert_eq!(
        count(&rt, &url, "SELECT count(email) FROM users"),
        300,
        "the old column and its values are still there"
    );
}

#[test]
fn copies_changed_behind_the_trigger_are_found_before_the_switch_over() {
    let cluster = common::cluster();
    let rt = common::rt();
    let (url, plan) = accounts(&cluster, "bypassed");
    prepare(&rt, &url, &plan);
    cluster
        .psql(
            "bypassed",
            "SET session_replication_role = replica; UPDATE accounts SET handle = NULL WHERE id <= 500;",
        )
        .expect("null 500 copies behind the trigger");
    refused(
        &rt,
        &url,
        &plan,
        "1.switch-over",
        &[
            "500 row(s) of \"public\".\"accounts\"",
            "first keys: 1; 2; 3",
        ],
    );
    assert_eq!(count(&rt, &url, "SELECT count(nick) FROM accounts"), 2000);
    assert_eq!(still_syncing(&rt, &url), 2, "the switch-over did not run");
    // The way out the message gives: roll back, run again; the copy is made anew.
    let (rb, _) = rt.block_on(exec::rollback(&url, &plan, &exec::quick()));
    assert!(rb.is_ok(), "{rb:?}");
    let (r, _) = rt.block_on(exec::run(&url, &plan, &exec::quick()));
    assert_eq!(r.ok(), Some(Outcome::Done));
    assert_eq!(
        count(
            &rt,
            &url,
            "SELECT count(*) FROM accounts WHERE handle = 'nick ' || id"
        ),
        2000
    );
}

#[test]
fn a_restored_table_or_a_disabled_trigger_stops_the_contract() {
    let cluster = common::cluster();
    let rt = common::rt();
    // A restore from a backup taken before the plan: the copy and the trigger are gone.
    let (url, plan) = accounts(&cluster, "restored");
    prepare(&rt, &url, &plan);
    let undo: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Trigger || s.id.ends_with("add-column"))
        .rev()
        .flat_map(|s| s.rollback_sql.clone().unwrap_or_default())
        .collect();
    assert!(!undo.is_empty());
    let restore = format!("{};", undo.join(";\n"));
    refused_when_changed_at_gate(
        &rt,
        &cluster,
        "restored",
        &plan,
        "1.gate",
        &restore,
        (
            "1.switch-over",
            &[
                "column public.accounts.handle, which holds the copy, does not exist",
                "sync trigger bellows_sync_nick_upd on public.accounts does not exist",
            ],
        ),
    );
    assert_eq!(count(&rt, &url, "SELECT count(nick) FROM accounts"), 2000);
    // Between runs, the same restore is refused before anything runs.
    let (url, plan) = accounts(&cluster, "restored_between");
    prepare(&rt, &url, &plan);
    cluster.psql("restored_between", &restore).expect("restore");
    refused_between_runs(&rt, &url, &plan);
    assert_eq!(count(&rt, &url, "SELECT count(nick) FROM accounts"), 2000);
    // A disabled trigger copies nothing.
    let (url, plan) = accounts(&cluster, "disabled");
    prepare(&rt, &url, &plan);
    refused_when_changed_at_gate(
        &rt,
        &cluster,
        "disabled",
        &plan,
        "1.gate",
        "ALTER TABLE accounts DISABLE TRIGGER bellows_sync_nick_upd",
        (
            "1.switch-over",
            &["sync trigger bellows_sync_nick_upd", "is disabled"],
        ),
    );
    assert_eq!(still_syncing(&rt, &url), 2);
}

#[test]
fn dependants_created_after_planning_are_named_before_the_gate() {
    let cluster = common::cluster();
    let rt = common::rt();
    let plan = examples::plan(RENAME);
    for (i, (sql, names)) in [
        (
            "CREATE VIEW user_emails AS SELECT id, email FROM users",
            "view public.user_emails",
        ),
        (
            "ALTER TABLE users ENABLE ROW LEVEL SECURITY; CREATE POLICY own_email ON users USING (email = current_user)",
            "policy own_email on table public.users",
        ),
        (
            "CREATE TABLE newsletter (email text REFERENCES users (email))",
            "constraint newsletter_email_fkey on table public.newsletter",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let db = format!("dep{i}");
        let url = common::fresh_db(&cluster, &db, FILES);
        prepare(&rt, &url, &plan);
        refused_when_changed_at_gate(
            &rt,
            &cluster,
            &db,
            &plan,
            "1.gate",
            sql,
            ("1.switch-over", &[names, "public.users.email"]),
        );
        assert_eq!(still_syncing(&rt, &url), 2, "{names}: nothing switched");
        assert_eq!(count(&rt, &url, "SELECT count(email) FROM users"), 300);
    }
    // A plain DROP COLUMN: a view made while the run waits at the gate is named before the
    // drop, not by it.
    let plan = examples::plan("examples/changes/19-drop-column.sql");
    common::fresh_db(&cluster, "depdrop", FILES);
    refused_when_changed_at_gate(
        &rt,
        &cluster,
        "depdrop",
        &plan,
        "1.gate",
        "CREATE VIEW user_names AS SELECT name FROM users",
        ("1.drop-column", &["view public.user_names"]),
    );
}

#[test]
fn a_dependant_that_appears_while_the_switch_over_waits_is_caught_in_its_transaction() {
    let cluster = common::cluster();
    let rt = common::rt();
    let plan = examples::plan(RENAME);
    let url = common::fresh_db(&cluster, "late", FILES);
    prepare(&rt, &url, &plan);
    rt.block_on(async {
        // Hold a lock the switch-over must wait for, after the online checks have passed.
        let mut blocker = sqlx::PgConnection::connect(&url).await.expect("connect");
        sqlx::raw_sql("BEGIN; LOCK TABLE users IN ROW EXCLUSIVE MODE")
            .execute(&mut blocker)
            .await
            .expect("lock");
        let (u, p) = (url.clone(), plan.clone());
        let run = tokio::spawn(async move { exec::run(&u, &p, &exec::quick()).await });
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        let t = Instant::now();
        loop {
            let waiting: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid) \
                 WHERE NOT l.granted AND a.application_name LIKE 'bellows-work:%')",
            )
            .fetch_one(&mut c)
            .await
            .expect("poll");
            if waiting {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "the switch-over never waited"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // While it waits: a view on the old column (queued behind its lock attempt, then in).
        sqlx::raw_sql("CREATE VIEW late_emails AS SELECT email FROM users")
            .execute(&mut c)
            .await
            .expect("view");
        sqlx::raw_sql("COMMIT")
            .execute(&mut blocker)
            .await
            .expect("release");
        let (r, _) = run.await.expect("join");
        match r {
            Err(ExecError::StepFailed { step, error }) => {
                assert_eq!(step, "1.switch-over", "{error}");
                assert!(error.contains("inside the step's transaction"), "{error}");
                assert!(error.contains("view public.late_emails"), "{error}");
            }
            other => panic!("the switch-over must be refused: {other:?}"),
        }
    });
    assert_eq!(
        still_syncing(&rt, &url),
        2,
        "the switch-over was rolled back"
    );
    assert_eq!(count(&rt, &url, "SELECT count(email) FROM users"), 300);
}
