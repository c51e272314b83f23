//! `bellows rehearse` on real throwaway clusters: every example plan passes (small and
//! production-shaped schemas); a plan whose rollback is broken on purpose fails with the
//! evidence (exit 1, the boundary and the object left behind); `--env` reads an
//! environment's schema with pg_dump and extrapolates the backfill to its row counts; bad
//! input is exit 2.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use bellows::plan::Plan;
use bellows::rehearse::{self, Settings};
use bellows::synth;
use serde_json::Value;

const SMALL: &str = "examples/schema/small.sql";
const PRODUCTION: &str = "examples/schema/production.sql";

fn bellows(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bellows"));
    c.args(args).env_remove("DATABASE_URL");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run bellows")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn plans_in(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("plans directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Every example plan rehearses clean on its schema, in one cluster.
#[test]
fn every_example_plan_passes_its_rehearsal() {
    let cluster = common::cluster();
    let rt = runtime();
    let s = Settings {
        synth: synth::Settings { rows: 300, seed: 7 },
        target: None,
    };
    let mut failures = Vec::new();
    let mut rehearsed = 0;
    for (dir, schema) in [("plans", SMALL), ("plans/production", PRODUCTION)] {
        for path in plans_in(dir) {
            let plan = bellows::plan::load_file(&path).expect("example plan loads");
            match rt.block_on(rehearse::rehearse(&cluster, &plan, Path::new(schema), &s)) {
                Ok(r) if r.passed => {
                    rehearsed += 1;
                    // It really ran: a phase per phase of the plan, application statements.
                    assert_eq!(r.phases.len(), plan.phases.len(), "{path}");
                    if !plan.fingerprint.is_empty() {
                        assert!(r.application.statements > 0, "{path}:\n{}", r.text());
                    }
                }
                Ok(r) => failures.push(format!("{path}:\n{}", r.text())),
                Err(e) => failures.push(format!("{path}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(rehearsed >= 40, "only {rehearsed} plans rehearsed");
}

/// The rename plan with its column-adding step's rollback emptied: the boundaries after
/// which the column exists fail, naming the column left behind; exit 1; JSON says so.
#[test]
fn a_broken_rollback_fails_with_the_evidence() {
    let mut plan: Plan =
        bellows::plan::load_file("plans/01-rename-column.toml").expect("example plan");
    let add = plan
        .steps
        .iter_mut()
        .find(|s| s.id == "1.add-column")
        .expect("the add-column step");
    add.rollback_sql = Some(vec!["SELECT 1".into()]);
    plan.seal();
    let dir = std::env::temp_dir().join(format!("bellows-rehearse-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("broken.toml");
    std::fs::write(&path, plan.to_toml()).expect("write");
    let path = path.to_string_lossy().to_string();

    let o = bellows(
        &[
            "rehearse", &path, "--schema", SMALL, "--rows", "200", "--format", "json",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["passed"], false);
    let rollback = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["check"] == "rollback")
        .expect("the rollback check");
    assert_eq!(rollback["passed"], false, "{v:#}");
    let boundaries = v["rollbacks"].as_array().expect("rollbacks");
    assert_eq!(boundaries.len(), 3, "{v:#}");
    for b in boundaries {
        assert_eq!(b["outcome"], "differs", "{v:#}");
        let diffs: Vec<&str> = b["differences"]
            .as_array()
            .expect("differences")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            diffs
                .iter()
                .any(|d| d.contains("public.users.email_address")
                    && d.contains("left behind by the rollback")),
            "{diffs:?}"
        );
    }
    // The other checks still pass: only the rollback is broken.
    for c in v["checks"].as_array().expect("checks") {
        if c["check"] != "rollback" {
            assert_eq!(c["passed"], true, "{c:#}");
        }
    }
    // The text names it too.
    let o = bellows(
        &["rehearse", &path, "--schema", SMALL, "--rows", "200"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("FAILED every phase boundary rolls back"),
        "{out}"
    );
    assert!(
        out.contains("after expand      FAILED schema differs"),
        "{out}"
    );
    assert!(out.contains("rehearsal FAILED"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The schema of an environment through pg_dump (the password in PGPASSWORD, never shown;
/// bellows' own state schema there left out), and the backfill extrapolated to its rows.
#[test]
fn an_environment_is_rehearsed_from_its_schema_and_its_size() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "rehearse_env", &[SMALL]);
    cluster
        .psql(
            "rehearse_env",
            "INSERT INTO users (email, name) SELECT 'u' || g || '@example.com', 'U' || g FROM generate_series(1, 20000) g; ANALYZE; \
             CREATE SCHEMA bellows; CREATE TABLE bellows.runs (plan_hash text PRIMARY KEY);",
        )
        .expect("rows");
    let dir = std::env::temp_dir().join(format!("bellows-rehearse-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cfg = dir.join("bellows.toml");
    std::fs::write(
        &cfg,
        "[environments.staging]\nurl_env = \"REHEARSE_TEST_URL\"\n",
    )
    .expect("cfg");
    let cfg = cfg.to_string_lossy().to_string();
    let o = bellows(
        &[
            "rehearse",
            "plans/01-rename-column.toml",
            "--env",
            "staging",
            "--env-config",
            &cfg,
            "--rows",
            "300",
            "--format",
            "json",
        ],
        &[("REHEARSE_TEST_URL", &url)],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["passed"], true);
    assert_eq!(v["server"]["wanted"], v["server"]["major"], "{v:#}");
    let x = v["extrapolated"].as_array().expect("extrapolated");
    assert_eq!(x.len(), 1, "{v:#}");
    assert_eq!(x[0]["table"], "public.users");
    assert!(x[0]["rows"].as_i64().unwrap_or(0) >= 20000, "{v:#}");
    assert!(x[0]["seconds"].as_f64().unwrap_or(0.0) > 0.0, "{v:#}");
    // Nothing was written to the environment: its rows are its own.
    let n = cluster
        .psql("rehearse_env", "SELECT count(*) FROM users")
        .expect("count");
    assert_eq!(n.trim(), "20000");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_exit_2() {
    let plan = "plans/01-rename-column.toml";
    for (args, says) in [
        (vec!["rehearse", plan], "--schema FILE"),
        (
            vec!["rehearse", plan, "--schema", "no/such.sql"],
            "no/such.sql",
        ),
        (
            vec!["rehearse", "no/such/plan.toml", "--schema", SMALL],
            "no/such/plan.toml",
        ),
        (
            vec!["rehearse", plan, "--schema", SMALL, "--rows", "0"],
            "--rows",
        ),
    ] {
        let o = bellows(&args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(says),
            "{args:?}: {}",
            text(&o)
        );
    }
    // A schema that does not load: named, with psql's line.
    let bad = std::env::temp_dir().join(format!("bellows-rehearse-bad-{}.sql", std::process::id()));
    std::fs::write(&bad, "CREATE TABLE t (id int);\nCREATE TABLE oops (;\n").expect("write");
    let bad_s = bad.to_string_lossy().to_string();
    let o = bellows(&["rehearse", plan, "--schema", &bad_s], &[]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&bad_s) && err.contains(":2:"), "{}", text(&o));
}

/// Two plans broken in other ways, each caught by its own check with the evidence: one
/// without its deploy gate (old code still running when the old column goes), one whose
/// backfill also rewrites a column the change never names.
#[test]
fn a_missing_gate_and_a_corrupting_backfill_are_caught() {
    let cluster = common::cluster();
    let rt = runtime();
    let s = Settings {
        synth: synth::Settings { rows: 200, seed: 1 },
        target: None,
    };
    let original: Plan = bellows::plan::load_file("plans/01-rename-column.toml").expect("plan");

    let mut no_gate = original.clone();
    let gates: Vec<String> = no_gate
        .steps
        .iter()
        .filter(|s| s.kind == bellows::plan::StepKind::Gate)
        .map(|s| s.id.clone())
        .collect();
    assert!(!gates.is_empty());
    no_gate.steps.retain(|s| !gates.contains(&s.id));
    for st in &mut no_gate.steps {
        st.depends_on.retain(|d| !gates.contains(d));
    }
    no_gate.seal();
    let r = rt
        .block_on(rehearse::rehearse(&cluster, &no_gate, Path::new(SMALL), &s))
        .expect("rehearsal");
    assert!(!r.passed, "{}", r.text());
    let app = r
        .checks
        .iter()
        .find(|c| c.check == rehearse::report::CheckKind::Application)
        .expect("application check");
    assert!(!app.passed, "{}", r.text());
    assert!(
        app.evidence
            .iter()
            .any(|e| e.contains("column \"email\" does not exist") && e.contains("contract")),
        "{}",
        r.text()
    );

    let mut corrupting = original.clone();
    let fill = corrupting
        .steps
        .iter_mut()
        .find(|s| s.id == "1.backfill")
        .expect("backfill step");
    for q in &mut fill.sql {
        *q = q.replace(
            r#"SET "email_address" = "email""#,
            r#"SET "email_address" = "email", "name" = upper("name")"#,
        );
    }
    if let Some(b) = &mut fill.backfill {
        b.set.insert("name".into(), r#"upper("name")"#.into());
    }
    corrupting.seal();
    let r = rt
        .block_on(rehearse::rehearse(
            &cluster,
            &corrupting,
            Path::new(SMALL),
            &s,
        ))
        .expect("rehearsal");
    assert!(!r.passed, "{}", r.text());
    let data = r
        .checks
        .iter()
        .find(|c| c.check == rehearse::report::CheckKind::UnchangedData)
        .expect("data check");
    assert!(!data.passed, "{}", r.text());
    assert!(
        data.evidence.iter().any(|e| e.starts_with("public.users: ")
            && e.contains("lost or changed")
            && e.contains("name")),
        "{}",
        r.text()
    );
}
