//! `--env NAME` against a real server: environments from bellows.toml (`url`, `url_env`,
//! `url_command`), credentials refused in the file, TLS required for a remote host, `--env`
//! exclusive with `--database-url`, and plan, run and status through an environment.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bellows"));
    c.args(args).current_dir(dir).env_remove("DATABASE_URL");
    for (k, v) in vars {
        c.env(k, v);
    }
    c.output().expect("run bellows")
}

fn workdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bellows-env-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn environments_resolve_from_the_file_a_variable_or_a_command_and_plan_run_and_status_use_them() {
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "envs", &["examples/schema/small.sql"]);
    let d = workdir("use");
    std::fs::write(
        d.join("bellows.toml"),
        format!(
            "[environments.dev]\nurl = \"{url}\"\n\n[environments.staging]\nurl_env = \"BELLOWS_TEST_STAGING_URL\"\n\n[environments.ci]\nurl_command = [\"printf\", \"%s\", \"{url}\"]\n"
        ),
    )
    .expect("config");
    std::fs::write(
        d.join("change.sql"),
        "CREATE INDEX users_name_idx ON users (name);\n",
    )
    .expect("change");
    // Plan from the environment's live database.
    let out = bellows(
        &d,
        &["plan", "change.sql", "--env", "dev", "--out", "plan.toml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Run through a command-sourced environment, status through a variable-sourced one.
    let out = bellows(
        &d,
        &["run", "plan.toml", "--env", "ci", "--headless", "--yes"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = bellows(
        &d,
        &["status", "plan.toml", "--env", "staging"],
        &[("BELLOWS_TEST_STAGING_URL", url.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("done"), "{}", text(&out));
    let n = cluster
        .psql(
            "envs",
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name_idx'",
        )
        .expect("psql");
    assert_eq!(n.trim(), "1");
    // The variable unset: named, exit 2.
    let out = bellows(&d, &["status", "plan.toml", "--env", "staging"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("BELLOWS_TEST_STAGING_URL"),
        "{}",
        text(&out)
    );
    // Both --env and --database-url: exit 2, nothing done.
    let out = bellows(
        &d,
        &[
            "status",
            "plan.toml",
            "--env",
            "dev",
            "--database-url",
            &url,
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("not both"), "{}", text(&out));
    // DATABASE_URL in the process environment does not compete with --env.
    let out = bellows(
        &d,
        &["status", "plan.toml", "--env", "dev"],
        &[("DATABASE_URL", "postgres://nobody@localhost:1/none")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // An unknown environment names the known ones.
    let out = bellows(&d, &["status", "plan.toml", "--env", "prod"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("ci, dev, staging"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn credentials_in_the_file_and_cleartext_to_a_remote_host_are_refused_before_connecting() {
    let d = workdir("refuse");
    std::fs::write(d.join("change.sql"), "CREATE INDEX i ON users (name);\n").expect("change");
    std::fs::write(
        d.join("bellows.toml"),
        "[check]\npg-version = 15\n\n[environments.staging]\nurl = \"postgres://app:hunter2@db.internal:5432/app\"\n",
    )
    .expect("config");
    let out = bellows(&d, &["plan", "change.sql", "--env", "staging"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let t = text(&out);
    assert!(
        t.contains("bellows.toml:4:") && t.contains("url_env"),
        "{t}"
    );
    assert!(
        !t.contains("hunter2"),
        "the password is never repeated: {t}"
    );

    std::fs::write(
        d.join("bellows.toml"),
        "[environments.staging]\nurl = \"postgres://app@db.example.com/app\"\n",
    )
    .expect("config");
    let out = bellows(&d, &["plan", "change.sql", "--env", "staging"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("tls = \"require\""), "{}", text(&out));

    let failing = "[environments.prod]\nurl_command = [\"sh\", \"-c\", \"echo postgres://u:leaked@h/db; exit 3\"]\nprotected = true\n";
    std::fs::write(d.join("bellows.toml"), failing).expect("config");
    let out = bellows(&d, &["plan", "change.sql", "--env", "prod"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let t = text(&out);
    assert!(t.contains("url_command") && !t.contains("leaked"), "{t}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_protected_environment_runs_a_plan_only_after_a_clean_pass_on_its_gate_environment() {
    // Staging and production on clusters of their own (a protected environment refuses to
    // share one).
    let staging_cluster = common::cluster();
    let cluster = common::cluster();
    let staging = common::fresh_db(
        &staging_cluster,
        "rel_staging",
        &["examples/schema/small.sql"],
    );
    let production = common::fresh_db(&cluster, "rel_production", &["examples/schema/small.sql"]);
    let d = workdir("release");
    let config = |prod: &str| {
        format!(
            "[environments.staging]\nurl = \"{staging}\"\n\n[environments.production]\nurl = \"{prod}\"\nprotected = true\nrequires_pass_on = \"staging\"\ntls = \"disable\"\n"
        )
    };
    std::fs::write(d.join("bellows.toml"), config(&production)).expect("config");
    std::fs::write(
        d.join("change.sql"),
        "CREATE INDEX users_name_idx ON users (name);\n",
    )
    .expect("change");
    let out = bellows(
        &d,
        &[
            "plan",
            "change.sql",
            "--env",
            "staging",
            "--out",
            "plan.toml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let has_index = |db: &str| {
        cluster
            .psql(
                db,
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'users_name_idx'",
            )
            .expect("psql")
            .trim()
            .to_string()
    };
    // Before staging ran it: refused, with the command that would provide the pass.
    let run_on = |env: &str| {
        bellows(
            &d,
            &["run", "plan.toml", "--env", env, "--headless", "--yes"],
            &[],
        )
    };
    let out = run_on("production");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("clean pass on staging") && t.contains("bellows run plan.toml --env staging"),
        "{t}"
    );
    assert_eq!(has_index("rel_production"), "0", "nothing changed");
    // Staging runs it to the end; then production may.
    let out = run_on("staging");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run_on("production");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(has_index("rel_production"), "1");

    // A production whose plan table differs from what staging had before the plan (a
    // default's value, which the plan's fingerprint does not see): refused, naming it.
    let drifted = common::fresh_db(&cluster, "rel_production3", &["examples/schema/small.sql"]);
    cluster
        .psql(
            "rel_production3",
            "ALTER TABLE users ALTER COLUMN created_at SET DEFAULT clock_timestamp()",
        )
        .expect("drift");
    std::fs::write(d.join("bellows.toml"), config(&drifted)).expect("config");
    let out = run_on("production");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("the plan's tables on production differ from what staging had")
            && t.contains(
                "column public.users.created_at: default differs: A=now() B=clock_timestamp()"
            ),
        "{t}"
    );
    assert_eq!(has_index("rel_production3"), "0", "nothing changed");

    // A production that differs from staging (an extension only staging has): refused.
    let other = common::fresh_db(&cluster, "rel_production2", &["examples/schema/small.sql"]);
    staging_cluster
        .psql("rel_staging", "CREATE EXTENSION IF NOT EXISTS pgcrypto")
        .expect("extension");
    std::fs::write(d.join("bellows.toml"), config(&other)).expect("config");
    let out = run_on("production");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("extension pgcrypto") && t.contains("only on staging"),
        "{t}"
    );
    assert_eq!(has_index("rel_production2"), "0");
    // Forced: loud, and recorded with who and when.
    let out = bellows(
        &d,
        &[
            "run",
            "plan.toml",
            "--env",
            "production",
            "--headless",
            "--yes",
            "--force-unrehearsed",
            "--operator",
            "alice",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("WITHOUT checking for a clean pass on staging"),
        "{}",
        text(&out)
    );
    let rec = cluster
        .psql("rel_production2", "SELECT unrehearsed || ' ' || unrehearsed_by || ' ' || (unrehearsed_at IS NOT NULL) FROM bellows.runs")
        .expect("psql");
    assert_eq!(rec.trim(), "staging alice true");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn environments_on_one_cluster_are_warned_about_and_a_protected_one_refuses() {
    let cluster = common::cluster();
    let a = common::fresh_db(&cluster, "iso_staging", &["examples/schema/small.sql"]);
    let b = common::fresh_db(&cluster, "iso_production", &["examples/schema/small.sql"]);
    let d = workdir("isolation");
    std::fs::write(
        d.join("bellows.toml"),
        format!(
            "[environments.staging]\nurl = \"{a}\"\n\n[environments.production]\nurl = \"{b}\"\nprotected = true\ntls = \"disable\"\n"
        ),
    )
    .expect("config");
    std::fs::write(
        d.join("change.sql"),
        "CREATE INDEX users_name_idx ON users (name);\n",
    )
    .expect("change");
    let out = bellows(
        &d,
        &[
            "plan",
            "change.sql",
            "--env",
            "staging",
            "--out",
            "plan.toml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("warning: environment staging is on the same PostgreSQL cluster as production"),
        "{t}"
    );
    let out = bellows(&d, &["status", "plan.toml", "--env", "production"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("same PostgreSQL cluster as staging") && t.contains("protected"),
        "{t}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn doctor_reports_each_environment_and_fails_on_a_protected_one_with_problems() {
    let cluster = common::cluster();
    let other = common::cluster();
    let dev = common::fresh_db(&cluster, "doc_dev", &["examples/schema/small.sql"]);
    let prod = common::fresh_db(&other, "doc_prod", &["examples/schema/small.sql"]);
    // The application's role owns a table and may create in public: two problems.
    other
        .psql(
            "doc_prod",
            "CREATE ROLE doc_app NOLOGIN; GRANT CREATE ON SCHEMA public TO doc_app; ALTER TABLE events OWNER TO doc_app;",
        )
        .expect("roles");
    let d = workdir("doctor");
    std::fs::write(
        d.join("bellows.toml"),
        format!(
            "[environments.dev]\nurl = \"{dev}\"\n\n[environments.production]\nurl = \"{prod}\"\nprotected = true\ntls = \"disable\"\napp_role = \"doc_app\"\n"
        ),
    )
    .expect("config");
    let out = bellows(&d, &["doctor"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let t = text(&out);
    for needle in [
        "dev: PostgreSQL",
        "production (protected): PostgreSQL",
        "doc_app owns 1 table(s)",
        "doc_app may create objects in schema(s) public",
        "WAL archiving is off",
        "bellows connects as a superuser",
        "no replica is streaming",
        "protected environment(s) with problems: production",
    ] {
        assert!(t.contains(needle), "lacks {needle:?}:\n{t}");
    }
    // dev alone: findings, but not protected, so exit 0; JSON lists them.
    let out = bellows(&d, &["doctor", "--env", "dev", "--format", "json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v[0]["environment"], "dev");
    assert!(
        v[0]["findings"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x["what"]
                .as_str()
                .is_some_and(|w| w.contains("WAL archiving")))),
        "{v}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn seed_fills_a_development_database_with_rows_that_satisfy_its_constraints() {
    let cluster = common::cluster();
    let small = common::fresh_db(&cluster, "seed_small", &["examples/schema/small.sql"]);
    let prod = common::fresh_db(
        &cluster,
        "seed_prod",
        &[
            "examples/schema/production-roles.sql",
            "examples/schema/production.sql",
        ],
    );
    let d = workdir("seed");
    std::fs::write(
        d.join("bellows.toml"),
        format!(
            "[environments.dev]\nurl = \"{small}\"\n\n[environments.helpdesk]\nurl = \"{prod}\"\n\n[environments.production]\nurl = \"{small}\"\nprotected = true\ntls = \"disable\"\n"
        ),
    )
    .expect("config");
    let out = bellows(
        &d,
        &["seed", "--env", "dev", "--rows", "300", "--seed", "7"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("5 of 5 table(s) filled"),
        "{}",
        text(&out)
    );
    let q = |db: &str, sql: &str| cluster.psql(db, sql).expect("psql").trim().to_string();
    assert_eq!(q("seed_small", "SELECT count(*) FROM users"), "300");
    assert_eq!(
        q(
            "seed_small",
            "SELECT count(*) FROM users WHERE email LIKE '%@example.com'"
        ),
        "300"
    );
    // Every product passes its CHECK, every order item points at an order and a product.
    assert_eq!(
        q(
            "seed_small",
            "SELECT count(*) FROM products WHERE price < 0"
        ),
        "0"
    );
    assert_eq!(
        q(
            "seed_small",
            "SELECT count(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL"
        ),
        "0"
    );
    // Deterministic: the same seed on an empty copy writes the same rows.
    let first = q(
        "seed_small",
        "SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u",
    );
    let again = common::fresh_db(&cluster, "seed_again", &["examples/schema/small.sql"]);
    std::fs::write(
        d.join("again.toml"),
        format!("[environments.dev]\nurl = \"{again}\"\n"),
    )
    .expect("config");
    let out = bellows(
        &d,
        &[
            "seed",
            "--env",
            "dev",
            "--env-config",
            "again.toml",
            "--rows",
            "300",
            "--seed",
            "7",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let users = "SELECT md5(string_agg(u::text, ',' ORDER BY id)) FROM users u";
    let second = q("seed_again", users);
    assert_eq!(first.len(), 32);
    assert_eq!(
        q(
            "seed_again",
            "SELECT string_agg(email, ',' ORDER BY id) FROM users"
        ),
        q(
            "seed_small",
            "SELECT string_agg(email, ',' ORDER BY id) FROM users"
        ),
        "same seed, same rows"
    );
    let _ = second;
    // A second run leaves filled tables alone.
    let out = bellows(&d, &["seed", "--env", "dev", "--rows", "300"], &[]);
    assert!(text(&out).contains("it already has rows"), "{}", text(&out));
    // The production-shaped schema: what cannot be filled is named, the rest is.
    let out = bellows(&d, &["seed", "--env", "helpdesk", "--rows", "200"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("8 of 8 table(s) filled in helpdesk"),
        "{}",
        text(&out)
    );
    // A foreign key of two columns (messages -> the partitioned tickets' (id, created_at)):
    // every message points at a ticket that exists, and so does every attachment.
    assert_eq!(q("seed_prod", "SELECT count(*) > 0 FROM messages"), "t");
    assert_eq!(
        q(
            "seed_prod",
            "SELECT count(*) FROM messages m LEFT JOIN tickets t ON (t.id, t.created_at) = (m.ticket_id, m.ticket_created_at) WHERE t.id IS NULL"
        ),
        "0"
    );
    assert_eq!(
        q(
            "seed_prod",
            "SELECT count(*) FROM attachments a LEFT JOIN messages m ON m.id = a.message_id WHERE m.id IS NULL"
        ),
        "0"
    );
    // A protected environment is refused.
    let out = bellows(&d, &["seed", "--env", "production", "--rows", "10"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("protected"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&d);
}
