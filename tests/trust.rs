//! Issue 10 on a real server: the executor trusts nothing it did not write (the state
//! schema, step records, the plan file), refuses drift on every run, creates nothing before
//! its checks pass, and says so with the right exit code.

mod common;

use std::process::Command;

use bellows::executor::{Event, ExecError, Outcome};
use bellows::plan::{Phase, Plan};
use common::{examples, exec};

const FILES: &[&str] = &[examples::SCHEMA, "tests/fixtures/small-seed.sql"];
const RENAME: &str = "plans/01-rename-column.toml";

fn bellows(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("BELLOWS_REQUIRE_TLS")
        .output()
        .expect("run bellows");
    (
        out.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn run(plan: &str, url: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["run", plan, "--headless", "--database-url", url];
    args.extend_from_slice(extra);
    bellows(&args)
}

/// Run statements as the superuser.
fn sql(url: &str, statements: &[&str]) {
    let rt = common::rt();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        for q in statements {
            sqlx::raw_sql(sqlx::AssertSqlSafe(q.to_string()))
                .execute(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{q}: {e}"));
        }
    });
}

fn count(url: &str, q: &str) -> i64 {
    common::rt().block_on(exec::scalar_i64(url, q))
}

fn column_exists(url: &str, table: &str, column: &str) -> bool {
    count(
        url,
        &format!(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{table}' AND column_name = '{column}'"
        ),
    ) == 1
}

fn bellows_schema_exists(url: &str) -> bool {
    count(
        url,
        "SELECT count(*) FROM pg_namespace WHERE nspname = 'bellows'",
    ) == 1
}

fn plan_file(name: &str, plan: &Plan) -> String {
    let dir = std::env::temp_dir().join(format!("bellows-trust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let p = dir.join(name);
    std::fs::write(&p, plan.to_toml()).expect("write plan");
    p.to_string_lossy().to_string()
}

/// The plan of `plans/01-rename-column.toml`.
fn rename_plan() -> Plan {
    bellows::plan::load_file(RENAME).expect("plan")
}

/// Forge the state an attacker with only CREATE on the database can write: schema bellows
/// (theirs, granted to PUBLIC), the run, and the backfill, verify and gate steps done.
fn forge_state(url: &str, plan: &Plan, grant_only: bool) {
    let mut q: Vec<String> = Vec::new();
    if grant_only {
        // Owned by the executing role, but writable by everyone.
        q.push("CREATE SCHEMA bellows".into());
    } else {
        q.push("CREATE ROLE mallory".into());
        q.push("GRANT CREATE ON DATABASE trust_forged TO mallory".into());
        q.push("SET ROLE mallory".into());
        q.push("CREATE SCHEMA bellows".into());
    }
    for s in &bellows::executor::state::SCHEMA_SQL[2..6] {
        q.push(s.to_string());
    }
    q.push("GRANT ALL ON SCHEMA bellows TO PUBLIC".into());
    q.push("GRANT ALL ON ALL TABLES IN SCHEMA bellows TO PUBLIC".into());
    q.push(format!(
        "INSERT INTO bellows.runs (plan_hash, plan_name, plan, status, started_by) VALUES ('{}', 'x', '{{}}', 'stopped', 'owner')",
        plan.hash
    ));
    for s in plan
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Backfill || s.gate.is_some())
    {
        q.push(format!(
            "INSERT INTO bellows.steps (plan_hash, step_id, state) VALUES ('{}', '{}', 'done')",
            plan.hash, s.id
        ));
    }
    q.push("RESET ROLE".into());
    let refs: Vec<&str> = q.iter().map(String::as_str).collect();
    sql(url, &refs);
}

#[test]
fn a_state_schema_written_by_another_role_is_refused_and_nothing_changes() {
    let cluster = common::cluster();
    let plan = rename_plan();
    for (db, grant_only) in [("trust_forged", false), ("trust_public", true)] {
        let url = common::fresh_db(&cluster, db, FILES);
        let emails = count(&url, "SELECT count(email) FROM users");
        forge_state(&url, &plan, grant_only);
        let (code, out) = run(RENAME, &url, &["--yes"]);
        assert_eq!(code, Some(2), "{db}: {out}");
        assert!(out.contains("state schema bellows"), "{db}: {out}");
        assert!(out.contains("nothing was changed"), "{db}: {out}");
        if grant_only {
            assert!(
                out.contains("REVOKE CREATE ON SCHEMA bellows FROM PUBLIC"),
                "{db}: the fix is in the message: {out}"
            );
        } else {
            assert!(
                out.contains("owned by mallory") && out.contains("DROP SCHEMA bellows CASCADE"),
                "{db}: the fix is in the message: {out}"
            );
        }
        assert!(column_exists(&url, "users", "email"), "{db}: {out}");
        assert!(
            !column_exists(&url, "users", "email_address"),
            "{db}: {out}"
        );
        assert_eq!(count(&url, "SELECT count(email) FROM users"), emails);
        // Rollback and status read the same records: refused too.
        let (code, out) = bellows(&["rollback", RENAME, "--yes", "--database-url", &url]);
        assert_eq!(code, Some(2), "{db}: rollback: {out}");
        let (code, out) = bellows(&["status", RENAME, "--database-url", &url]);
        assert_eq!(code, Some(2), "{db}: status: {out}");
    }
}

#[test]
fn a_step_recorded_done_before_its_dependencies_runs_again() {
    let cluster = common::cluster();
    let rt = common::rt();
    let plan = examples::plan("examples/changes/01-rename-column.sql");
    let url = common::fresh_db(&cluster, "trust_deps", FILES);
    let emails = count(&url, "SELECT count(email) FROM users");
    let mut set = exec::quick();
    set.through = Some(Phase::Expand);
    let (r, _) = rt.block_on(exec::run(&url, &plan, &set));
    assert_eq!(r.expect("expand"), Outcome::Through(Phase::Expand));
    // The owner's own state, edited: the backfill and verify "done" without the trigger.
    for s in plan.steps.iter().filter(|s| s.phase == Phase::Backfill) {
        sql(
            &url,
            &[&format!(
                "INSERT INTO bellows.steps (plan_hash, step_id, state) VALUES ('{}', '{}', 'done')",
                plan.hash, s.id
            )],
        );
    }
    let (r, events) = rt.block_on(exec::run(&url, &plan, &exec::quick()));
    assert_eq!(r.expect("the run completes"), Outcome::Done);
    let backfill = plan
        .steps
        .iter()
        .find(|s| s.kind == bellows::plan::StepKind::Backfill)
        .expect("a backfill");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::StepStarted { step, .. } if *step == backfill.id)),
        "the backfill ran although it was recorded done: {events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Note { text } if text.contains("is not treated as done")))
    );
    assert_eq!(
        count(&url, "SELECT count(email_address) FROM users"),
        emails,
        "every value arrived in the renamed column"
    );
}

#[test]
fn edited_plans_are_refused_unless_allowed_and_then_recorded() {
    let cluster = common::cluster();
    let plan = rename_plan();

    // A DROP TABLE slipped into expand, hash recomputed.
    let mut evil = plan.clone();
    evil.steps[0].sql.push("DROP TABLE orders CASCADE".into());
    evil.seal();
    let f = plan_file("drop.toml", &evil);
    let url = common::fresh_db(&cluster, "trust_edit_drop", FILES);
    let (code, out) = run(&f, &url, &["--yes"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains(&format!("~ step {} differs", evil.steps[0].id)),
        "the difference is shown: {out}"
    );
    assert!(
        count(
            &url,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'"
        ) == 1
    );
    assert!(!bellows_schema_exists(&url), "nothing was created: {out}");

    // The gate removed.
    let mut gateless = plan.clone();
    let gate = gateless
        .steps
        .iter()
        .find(|s| s.gate.is_some())
        .expect("gate")
        .id
        .clone();
    gateless.steps.retain(|s| s.id != gate);
    for s in &mut gateless.steps {
        s.depends_on.retain(|d| *d != gate);
    }
    gateless.seal();
    let f = plan_file("gateless.toml", &gateless);
    let url = common::fresh_db(&cluster, "trust_edit_gate", FILES);
    let (code, out) = run(&f, &url, &[]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains(&format!("- step {gate}")), "{out}");
    assert!(
        column_exists(&url, "users", "email") && !column_exists(&url, "users", "email_address")
    );

    // A deliberate hand edit (a summary reworded, hash left stale) runs with
    // --allow-edited: recorded with who and when, and loud on every run and in status.
    let mut reworded = plan.clone();
    reworded.steps[0].summary.push_str(" (reviewed by ops)");
    let f = plan_file("reworded.toml", &reworded);
    let url = common::fresh_db(&cluster, "trust_edit_ok", FILES);
    let (code, out) = run(&f, &url, &["--through", "expand"]);
    assert_eq!(code, Some(2), "{out}");
    let (code, out) = run(
        &f,
        &url,
        &[
            "--through",
            "expand",
            "--allow-edited",
            "--operator",
            "alice",
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("WARNING") && out.contains("--allow-edited"),
        "{out}"
    );
    assert_eq!(
        count(
            &url,
            "SELECT count(*) FROM bellows.runs WHERE accepted = 'edited' AND accepted_by = 'alice' AND accepted_at IS NOT NULL"
        ),
        1
    );
    let (code, out) = run(&f, &url, &["--through", "dual_write", "--allow-edited"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("WARNING") && out.contains("alice"),
        "every run warns: {out}"
    );
    let mut sealed = reworded.clone();
    sealed.seal();
    let target = bellows::env::Target::parse(&url).expect("url");
    let st = common::rt()
        .block_on(bellows::executor::status::status(&sealed, &target))
        .expect("status");
    assert!(
        st.warning.as_deref().is_some_and(|w| w.contains("alice")),
        "status warns: {:?}",
        st.warning
    );
}

#[test]
fn drift_between_two_runs_is_refused_and_nothing_changes() {
    let cluster = common::cluster();
    let plan = rename_plan();
    let url = common::fresh_db(&cluster, "trust_drift", FILES);
    let (code, out) = run(RENAME, &url, &["--through", "expand"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(column_exists(&url, "users", "email_address"));
    // By hand: the column the plan relies on is dropped.
    sql(&url, &["ALTER TABLE users DROP COLUMN email_address"]);
    let steps_before = count(&url, "SELECT count(*) FROM bellows.steps");
    let (code, out) = run(RENAME, &url, &["--yes"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("drifted since the last run"), "{out}");
    assert!(out.contains("email_address"), "the drift is named: {out}");
    assert_eq!(
        count(&url, "SELECT count(*) FROM bellows.steps"),
        steps_before
    );
    assert_eq!(
        count(
            &url,
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'bellows%'"
        ),
        0,
        "no step ran"
    );
    assert!(column_exists(&url, "users", "email"));
    let _ = plan;
}

#[test]
fn a_refused_first_run_creates_no_state_schema() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "trust_nothing", FILES);
    sql(&url, &["ALTER TABLE users ADD COLUMN surprise int"]);
    let (code, out) = run(RENAME, &url, &["--yes"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("drifted"), "{out}");
    assert!(
        !bellows_schema_exists(&url),
        "exit 2 created schema bellows: {out}"
    );
}

#[test]
fn rollback_after_contract_says_nothing_can_be_undone_and_exits_2() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "trust_rollback", FILES);
    let (code, out) = run(RENAME, &url, &["--yes"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = bellows(&[
        "rollback",
        RENAME,
        "--yes",
        "--headless",
        "--database-url",
        &url,
    ]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("nothing can be undone") && out.contains("irreversible"),
        "{out}"
    );
    assert!(!out.contains("rolled back 0 step(s)"), "{out}");
}

#[test]
fn the_library_refuses_an_edited_plan_on_its_first_run() {
    let cluster = common::cluster();
    let rt = common::rt();
    let mut plan = examples::plan("examples/changes/01-rename-column.sql");
    plan.steps[0].sql.push("DROP TABLE orders CASCADE".into());
    plan.seal();
    let url = common::fresh_db(&cluster, "trust_lib", FILES);
    let (r, _) = rt.block_on(exec::run(&url, &plan, &exec::quick()));
    match r {
        Err(ExecError::Precondition(m)) => assert!(m.contains("not what bellows generates"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(!bellows_schema_exists(&url));
}

#[test]
fn the_library_refuses_batch_settings_that_would_panic() {
    let cluster = common::cluster();
    let rt = common::rt();
    let mut plan = examples::plan("examples/changes/01-rename-column.sql");
    for s in &mut plan.steps {
        if let Some(b) = &mut s.backfill {
            b.batch.min_size = b.batch.max_size + 1;
        }
    }
    plan.seal();
    let url = common::fresh_db(&cluster, "trust_batch", FILES);
    let (r, _) = rt.block_on(exec::run(&url, &plan, &exec::quick()));
    match r {
        Err(ExecError::Precondition(m)) => assert!(m.contains("min_size"), "{m}"),
        other => panic!("{other:?}"),
    }
}
