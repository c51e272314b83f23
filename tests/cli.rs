//! The binary as users run it: bad input gets a located message, exit 2 and no file;
//! good input writes the next plan file; explain renders it; tampering is refused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bellows(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run bellows")
}

/// A scratch folder for one test, removed when the test ends.
struct Workdir(PathBuf);

impl std::ops::Deref for Workdir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<std::path::Path> for Workdir {
    fn as_ref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn workdir(name: &str) -> Workdir {
    let d = std::env::temp_dir().join(format!("bellows-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    let schema = std::fs::read_to_string("examples/schema/small.sql").expect("schema");
    std::fs::write(d.join("schema.sql"), schema).expect("write schema");
    let shop = std::fs::read_to_string("examples/schema/shop.sql").expect("shop");
    std::fs::write(d.join("shop.sql"), &shop).expect("write shop");
    // A view on the materialized view: bellows cannot rebuild that one beside the old.
    std::fs::write(
        d.join("shop_views.sql"),
        format!("{shop}\nCREATE VIEW public.best_sellers AS SELECT product_id FROM public.product_sales WHERE units_sold > 10;\n"),
    )
    .expect("write shop_views");
    Workdir(d)
}

/// Plan `change` (written to change.sql) and expect exit 2, a message containing every
/// `needle`, and no plan written.
fn refused(name: &str, change: &str, schema: &str, needles: &[&str]) {
    refused_with(name, change, schema, &[], needles);
}

/// [`refused`] with more arguments to `bellows plan`.
fn refused_with(name: &str, change: &str, schema: &str, extra: &[&str], needles: &[&str]) {
    let d = workdir(name);
    std::fs::write(d.join("change.sql"), change).expect("write change");
    let mut args = vec!["plan", "change.sql", "--schema", schema];
    args.extend_from_slice(extra);
    let out = bellows(&d, &args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{name}: expected exit 2, stderr: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "{name}: stderr lacks {n:?}:\n{err}");
    }
    assert!(
        !d.join("plans").exists(),
        "{name}: nothing may be written on bad input"
    );
    assert!(!err.contains("panicked"), "{name}: {err}");
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    refused(
        "syntax",
        "ALTER TABLE users ADD COLUMN a int;\n\nALTER TABLE users RENAM COLUMN email TO e;\n",
        "schema.sql",
        &["change.sql:3:", "syntax error"],
    );
    refused(
        "unterminated",
        "ALTER TABLE users ADD COLUMN a text DEFAULT 'oops;\n",
        "schema.sql",
        &["change.sql:1:"],
    );
}

#[test]
fn unknown_names_are_refused_with_what_exists() {
    refused(
        "table",
        "ALTER TABLE nope ADD COLUMN a int;",
        "schema.sql",
        &[
            "change.sql:1:1",
            "unknown table public.nope",
            "known tables include",
        ],
    );
    refused(
        "column",
        "ALTER TABLE users RENAME COLUMN mail TO email_address;",
        "schema.sql",
        &["unknown column public.users.mail", "has columns"],
    );
}

#[test]
fn non_ddl_empty_and_cascade_are_refused() {
    refused(
        "insert",
        "INSERT INTO users (email) VALUES ('a@b');",
        "schema.sql",
        &["not one it can plan"],
    );
    refused(
        "empty",
        "-- nothing here\n",
        "schema.sql",
        &["no SQL statement"],
    );
    refused(
        "cascade",
        "DROP TABLE orders CASCADE;",
        "schema.sql",
        &["CASCADE"],
    );
    refused(
        "fk-dependents",
        "DROP TABLE users;",
        "schema.sql",
        &["foreign key orders_user_id_fkey on public.orders"],
    );
}

#[test]
fn unsafe_or_ambiguous_changes_say_what_to_do() {
    refused(
        "no-down",
        "ALTER TABLE orders ALTER COLUMN status TYPE order_state USING status::order_state;",
        "schema.sql",
        &["bellows:down"],
    );
    refused(
        "not-null-no-fill",
        "ALTER TABLE users ADD COLUMN tier text NOT NULL;",
        "schema.sql",
        &["bellows:fill"],
    );
    // A table with no key is walked by physical pages, which needs PostgreSQL 14.
    refused_with(
        "no-pk",
        "ALTER TABLE events RENAME COLUMN kind TO event_kind;",
        "schema.sql",
        &["--pg-version", "13"],
        &["14", "primary key"],
    );
    refused(
        "views",
        "ALTER TABLE order_items RENAME COLUMN quantity TO qty;",
        "shop_views.sql",
        &[
            "materialized view public.product_sales reads public.order_items.quantity",
            "public.best_sellers",
            "drop public.best_sellers before this change",
        ],
    );
    refused(
        "exclude",
        "ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING gist (user_id WITH =);",
        "schema.sql",
        &["EXCLUDE", "--allow-blocking"],
    );
    refused(
        "vacuum",
        "VACUUM FULL orders;",
        "schema.sql",
        &["pg_repack"],
    );
    refused(
        "directive",
        "-- bellows:backfill 1\nALTER TABLE users ADD COLUMN a int;",
        "schema.sql",
        &["change.sql:1:", "unknown directive", "known directives"],
    );
}

#[test]
fn a_rename_under_a_materialized_view_plans_its_rebuild_beside_the_old_one() {
    let d = workdir("matview");
    std::fs::write(
        d.join("change.sql"),
        "ALTER TABLE order_items RENAME COLUMN quantity TO qty;",
    )
    .expect("write change");
    let out = bellows(
        &d,
        &["plan", "change.sql", "--schema", "shop.sql", "--out", "-"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "CREATE MATERIALIZED VIEW",
        "product_sales_bellows_next",
        "DROP MATERIALIZED VIEW",
        "product_sales_product_id_idx_bellows_next",
    ] {
        assert!(text.contains(needle), "lacks {needle}:\n{text}");
    }
}

#[test]
fn missing_schema_source_is_explained() {
    let d = workdir("nosource");
    std::fs::write(d.join("change.sql"), "ALTER TABLE users ADD COLUMN a int;").expect("write");
    let out = bellows(&d, &["plan", "change.sql"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--schema FILE") && err.contains("DATABASE_URL"),
        "{err}"
    );
    let out = bellows(&d, &["plan", "change.sql", "--schema", "missing.sql"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.sql"));
}

#[test]
fn plans_are_numbered_rendered_and_tamper_proof() {
    let d = workdir("happy");
    std::fs::write(
        d.join("Rename Email.sql"),
        "ALTER TABLE users RENAME COLUMN email TO email_address;",
    )
    .expect("write");
    let out = bellows(&d, &["plan", "Rename Email.sql", "--schema", "schema.sql"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("plans/0001-rename-email.toml"), "{stdout}");
    let out = bellows(&d, &["plan", "Rename Email.sql", "--schema", "schema.sql"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("plans/0002-rename-email.toml"));
    let first = std::fs::read_to_string(d.join("plans/0001-rename-email.toml")).expect("plan 1");
    let second = std::fs::read_to_string(d.join("plans/0002-rename-email.toml")).expect("plan 2");
    assert_eq!(first, second, "same input, byte-identical plan");

    let md = bellows(&d, &["explain", "plans/0001-rename-email.toml"]);
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("```mermaid")
            && md.contains("## Phase 4: Contract")
            && md.contains("**Irreversible:**"),
        "{md}"
    );
    for (fmt, needle) in [
        ("json", "\"format_version\": 1"),
        ("dot", "digraph"),
        ("mermaid", "flowchart TD"),
    ] {
        let o = bellows(
            &d,
            &["explain", "plans/0001-rename-email.toml", "--format", fmt],
        );
        assert_eq!(o.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&o.stdout).contains(needle), "{fmt}");
    }

    let json = bellows(
        &d,
        &[
            "plan",
            "Rename Email.sql",
            "--schema",
            "schema.sql",
            "--format",
            "json",
            "--out",
            "-",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("plan JSON");
    for k in [
        "format_version",
        "name",
        "source_sql",
        "hash",
        "pg_version",
        "phases",
        "steps",
    ] {
        assert!(v.get(k).is_some(), "plan JSON lacks {k}");
    }
    let step = &v["steps"][0];
    for k in [
        "id",
        "phase",
        "kind",
        "summary",
        "sql",
        "rollback_sql",
        "transactional",
        "lock",
        "depends_on",
    ] {
        assert!(step.get(k).is_some(), "step JSON lacks {k}");
    }
    assert!(v["steps"].as_array().is_some_and(|s| {
        s.iter()
            .any(|s| s["rollback_sql"].is_null() && s["irreversible_reason"].is_string())
    }));

    // Tampering: change one SQL statement without re-planning.
    std::fs::write(
        d.join("plans/0001-rename-email.toml"),
        first
            .replacen(
                "ADD COLUMN \\\"email_address\\\"",
                "ADD COLUMN \\\"x\\\"",
                1,
            )
            .replacen("ADD COLUMN \"email_address\"", "ADD COLUMN \"x\"", 1),
    )
    .expect("tamper");
    let o = bellows(&d, &["explain", "plans/0001-rename-email.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("changed after bellows generated it"));
    std::fs::write(
        d.join("plans/bad.toml"),
        first.replacen("pg_version", "surprise = 1\npg_version", 1),
    )
    .expect("unknown field");
    let o = bellows(&d, &["explain", "plans/bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown field"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn plans_from_a_live_database_and_never_shows_a_password() {
    let cluster =
        bellows::pgtemp::TempCluster::start().unwrap_or_else(|e| panic!("needs PostgreSQL: {e}"));
    cluster.create_database("live").expect("createdb");
    cluster
        .psql(
            "live",
            &std::fs::read_to_string("examples/schema/small.sql").expect("schema"),
        )
        .expect("load schema");
    let d = workdir("live");
    std::fs::write(
        d.join("change.sql"),
        "ALTER TABLE users RENAME COLUMN email TO email_address;",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["plan", "change.sql", "--out", "-"])
        .current_dir(&d)
        .env("DATABASE_URL", cluster.url("live"))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(
        plan.contains("1.sync-trigger") && plan.contains("[fingerprint.\"public.users\"]"),
        "{plan}"
    );

    let secret = "s3cr3t-Pa55";
    let url = format!("postgres://postgres:{secret}@127.0.0.1:1/live");
    let out = bellows(&d, &["plan", "change.sql", "--database-url", &url]);
    assert_eq!(out.status.code(), Some(4), "unreachable: exit 4 (CONTRACT)");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(secret), "the password leaked: {all}");
    assert!(
        all.contains("127.0.0.1"),
        "the error should say where it tried: {all}"
    );
}

#[test]
fn database_urls_without_a_postgres_scheme_are_refused_without_the_password() {
    let d = workdir("urls");
    let plan = std::fs::canonicalize("plans/05-add-column-nullable.toml").expect("plan");
    let plan = plan.to_string_lossy().to_string();
    let secret = "Sup3rS3cret";
    for url in [
        format!("mysql://app:{secret}@127.0.0.1:1/shop"),
        format!("app:{secret}@127.0.0.1:1/shop"),
        format!("postgres://app:{secret}@127.0.0.1:port/shop"),
    ] {
        for cmd in ["run", "status", "rollback"] {
            let mut args = vec![cmd, plan.as_str(), "--database-url", url.as_str()];
            if cmd == "run" {
                args.push("--headless");
            }
            let out = bellows(&d, &args);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(out.status.code(), Some(2), "{cmd} {url}: {text}");
            assert!(
                text.contains("postgres://") || text.contains("port `port`"),
                "{cmd}: the message says what is wrong: {text}"
            );
            assert!(!text.contains(secret), "{cmd}: the password leaked: {text}");
        }
    }
}

/// A server that cannot be reached is exit 4 for every command that needs one ("nothing was
/// changed"), never 1 (which says a step failed).
#[test]
fn an_unreachable_database_is_exit_4_for_every_command() {
    let d = workdir("unreachable");
    std::fs::write(
        d.join("change.sql"),
        "CREATE INDEX users_name_idx ON users (name);\n",
    )
    .expect("change");
    let plan = std::fs::canonicalize("plans/05-add-column-nullable.toml").expect("plan");
    let plan = plan.to_string_lossy().to_string();
    let url = "postgres://app@127.0.0.1:1/shop";
    for args in [
        vec!["plan", "change.sql", "--database-url", url, "--out", "-"],
        vec!["run", &plan, "--headless", "--yes", "--database-url", url],
        vec!["status", &plan, "--database-url", url],
        vec!["rollback", &plan, "--yes", "--database-url", url],
    ] {
        let out = bellows(&d, &args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(4), "{args:?}: {text}");
        assert!(
            text.contains("cannot connect to 127.0.0.1:1/shop")
                && (text.contains("nothing was changed") || text.contains("nothing was read")),
            "{args:?}: {text}"
        );
    }
}
