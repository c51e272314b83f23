//! `bellows diff A B` against real PostgreSQL: two databases loaded from the same schema are
//! identical; drift planted in one is reported object by object (text and JSON, exit 1);
//! a schema file and the server loaded from it are identical.

mod common;

use std::process::{Command, Output};

use serde_json::Value;

const ROLES: &str = "examples/schema/production-roles.sql";
const PRODUCTION: &str = "examples/schema/production.sql";
const SMALL: &str = "examples/schema/small.sql";
/// Holds `CREATE EXTENSION pgcrypto`: a file names it without a version.
const SHOP: &str = "examples/schema/shop.sql";
const SHOP_ROLES: &str = "examples/schema/setup-roles.sql";

fn diff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bellows"))
        .arg("diff")
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run bellows diff")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Plan `change` against the database at `url` and run it there to its end.
fn run_change_on(change: &str, url: &str) {
    let plan = format!("{change}.plan.toml");
    let bellows = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_bellows"))
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run bellows")
    };
    let o = bellows(&["plan", change, "--database-url", url, "--out", &plan]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = bellows(&["run", &plan, "--database-url", url, "--yes", "--headless"]);
    let _ = std::fs::remove_file(&plan);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Objects both databases get before drift is planted: a partial index and a second check.
const COMMON: &str = "CREATE INDEX labels_color_idx ON public.labels (color) WHERE color IS NOT NULL; \
     ALTER TABLE public.labels ADD CONSTRAINT labels_color_check CHECK (color <> '');";

/// (SQL run in B, object name, kind as JSON spells it).
const DRIFT: &[(&str, &str, &str)] = &[
    (
        "CREATE INDEX drift_extra_idx ON public.audit_log (actor_id)",
        "public.audit_log.drift_extra_idx",
        "presence",
    ),
    (
        "DROP INDEX public.attachments_message_id_idx",
        "public.attachments.attachments_message_id_idx",
        "presence",
    ),
    (
        "DROP INDEX public.labels_color_idx; CREATE INDEX labels_color_idx ON public.labels (color) WHERE color <> ''",
        "public.labels.labels_color_idx",
        "index_predicate",
    ),
    (
        "ALTER TABLE public.audit_log ALTER COLUMN action TYPE varchar(200)",
        "public.audit_log.action",
        "column_type",
    ),
    (
        "ALTER TABLE public.users ALTER COLUMN display_name SET NOT NULL",
        "public.users.display_name",
        "nullability",
    ),
    (
        "ALTER TABLE public.organizations ALTER COLUMN seats SET DEFAULT 10",
        "public.organizations.seats",
        "default",
    ),
    (
        "ALTER TABLE public.attachments ALTER COLUMN file_name TYPE text COLLATE \"C\"",
        "public.attachments.file_name",
        "collation",
    ),
    (
        "ALTER TABLE public.organizations DROP CONSTRAINT organizations_seats_check; \
         ALTER TABLE public.organizations ADD CONSTRAINT organizations_seats_check CHECK (seats > 0) NOT VALID",
        "public.organizations.organizations_seats_check",
        "validated",
    ),
    (
        "ALTER TABLE public.labels ALTER CONSTRAINT labels_organization_id_fkey DEFERRABLE",
        "public.labels.labels_organization_id_fkey",
        "deferrable",
    ),
    (
        "ALTER TABLE public.labels DROP CONSTRAINT labels_color_check; \
         ALTER TABLE public.labels ADD CONSTRAINT labels_color_check CHECK (length(color) > 0)",
        "public.labels.labels_color_check",
        "constraint_definition",
    ),
    (
        "DROP TRIGGER users_touch ON public.users",
        "public.users.users_touch",
        "presence",
    ),
    (
        "CREATE OR REPLACE VIEW public.user_directory AS \
         SELECT u.id, u.organization_id, u.email, u.display_name FROM public.users u WHERE u.id > 0",
        "public.user_directory",
        "view_definition",
    ),
    (
        "ALTER TYPE public.ticket_status ADD VALUE 'archived'",
        "public.ticket_status",
        "enum_labels",
    ),
    (
        "ALTER SEQUENCE public.messages_id_seq INCREMENT BY 5",
        "public.messages_id_seq",
        "sequence_increment",
    ),
    (
        "CREATE OR REPLACE FUNCTION public.touch_updated_at() RETURNS trigger LANGUAGE plpgsql \
         AS $$ begin NEW.updated_at := clock_timestamp(); return NEW; end; $$",
        "public.touch_updated_at",
        "function_body",
    ),
    (
        "ALTER TABLE public.users DISABLE ROW LEVEL SECURITY",
        "public.users",
        "row_security",
    ),
    (
        "ALTER POLICY tickets_same_org ON public.tickets USING (true)",
        "public.tickets.tickets_same_org",
        "policy_definition",
    ),
    (
        "GRANT SELECT ON public.audit_log TO helpdesk_readonly",
        "public.audit_log",
        "grants",
    ),
    (
        "COMMENT ON TABLE public.labels IS 'drifted'",
        "public.labels",
        "comment",
    ),
    (
        "ALTER TABLE public.audit_log REPLICA IDENTITY FULL",
        "public.audit_log",
        "replica_identity",
    ),
    ("CREATE EXTENSION citext", "citext", "presence"),
    (
        "ALTER TABLE public.organizations DISABLE TRIGGER organizations_touch",
        "public.organizations.organizations_touch",
        "trigger_firing",
    ),
];

#[test]
fn two_servers_from_one_schema_are_identical_and_planted_drift_is_reported() {
    let cluster = common::cluster();
    let url_a = common::fresh_db(&cluster, "parity_a", &[ROLES, PRODUCTION]);
    let url_b = common::fresh_db(&cluster, "parity_b", &[ROLES, PRODUCTION]);
    for db in ["parity_a", "parity_b"] {
        cluster.psql(db, COMMON).expect("common setup");
    }

    let same = diff(&[&url_a, &url_b]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    let out = String::from_utf8_lossy(&same.stdout);
    assert!(out.contains("identical: no differences"), "{out}");
    assert!(
        !out.contains("differs") && !out.contains("only in"),
        "{out}"
    );

    for (sql, _, _) in DRIFT {
        cluster
            .psql("parity_b", sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    let drifted = diff(&[&url_a, &url_b]);
    assert_eq!(drifted.status.code(), Some(1), "{}", text(&drifted));
    let out = String::from_utf8_lossy(&drifted.stdout).to_string();
    for (_, object, _) in DRIFT {
        assert!(
            out.lines().any(|l| l.ends_with(&format!(" {object}"))),
            "{object} not named:\n{out}"
        );
    }
    // The password of the URLs never shows.
    assert!(!out.contains("password") && !out.contains('@'), "{out}");
    assert!(out.contains("only in B"), "{out}");
    assert!(out.contains("only in A"), "{out}");
    assert!(out.contains("not null differs: A=false B=true"), "{out}");

    // The same two databases named as environments of a config file.
    let cfg = std::env::temp_dir().join(format!("parity-envs-{}.toml", std::process::id()));
    std::fs::write(
        &cfg,
        "[environments.production]\nurl_env = \"PARITY_TEST_A\"\n\n[environments.staging]\nurl_env = \"PARITY_TEST_B\"\n",
    )
    .expect("config");
    let by_name = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["diff", "production", "staging", "--env-config"])
        .arg(&cfg)
        .env_remove("DATABASE_URL")
        .env("PARITY_TEST_A", &url_a)
        .env("PARITY_TEST_B", &url_b)
        .output()
        .expect("run bellows diff");
    let _ = std::fs::remove_file(&cfg);
    assert_eq!(by_name.status.code(), Some(1), "{}", text(&by_name));
    assert_eq!(
        String::from_utf8_lossy(&by_name.stdout)
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        out.lines().skip(1).collect::<Vec<_>>(),
        "{}",
        text(&by_name)
    );

    let json = diff(&[&url_a, &url_b, "--format", "json"]);
    assert_eq!(json.status.code(), Some(1), "{}", text(&json));
    let v: Value = serde_json::from_slice(&json.stdout).expect("the JSON parses");
    assert_eq!(v["identical"], false);
    let diffs = v["differences"].as_array().expect("differences");
    assert_eq!(v["count"].as_u64(), Some(diffs.len() as u64));
    for (_, object, kind) in DRIFT {
        assert!(
            diffs
                .iter()
                .any(|d| d["object"]["name"] == *object && d["kind"] == *kind),
            "{object} {kind} missing from the JSON:\n{}",
            String::from_utf8_lossy(&json.stdout)
        );
    }
    let kinds: std::collections::BTreeSet<&str> =
        diffs.iter().filter_map(|d| d["kind"].as_str()).collect();
    assert!(kinds.len() >= 15, "{kinds:?}");
    // Same differences as the text: one line per difference under its object.
    let text_lines = out.lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(text_lines, diffs.len(), "{out}");

    // The change that brings B back: simple kinds as DDL that `bellows plan` accepts.
    let change = std::env::temp_dir().join(format!("parity-{}.sql", std::process::id()));
    let change_s = change.to_string_lossy().to_string();
    let emitted = diff(&[&url_a, &url_b, "--emit-change", &change_s]);
    assert_eq!(emitted.status.code(), Some(1), "{}", text(&emitted));
    let sql = std::fs::read_to_string(&change).expect("the change file is written");
    for want in [
        r#"CREATE INDEX "attachments_message_id_idx" ON "public"."attachments" USING btree (message_id);"#,
        r#"DROP INDEX "public"."drift_extra_idx";"#,
        r#"ALTER TABLE "public"."organizations" ALTER COLUMN "seats" SET DEFAULT 5;"#,
        r#"ALTER TABLE "public"."organizations" VALIDATE CONSTRAINT "organizations_seats_check";"#,
        "-- enum public.ticket_status: labels differs",
    ] {
        assert!(sql.contains(want), "{want} missing:\n{sql}");
    }
    let planned = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["plan", &change_s, "--database-url", &url_b, "--out", "-"])
        .env_remove("DATABASE_URL")
        .output()
        .expect("run bellows plan");
    assert_eq!(planned.status.code(), Some(0), "{sql}\n{}", text(&planned));
    let remaining_before = diffs.len();
    run_change_on(&change_s, &url_b);
    let _ = std::fs::remove_file(&change);
    // Run on B, the change removes every difference it wrote; what is left is exactly what
    // the file lists under "Not written".
    let after = diff(&[&url_a, &url_b, "--format", "json"]);
    let v: Value = serde_json::from_slice(&after.stdout).expect("the JSON parses");
    let left = v["differences"].as_array().expect("differences");
    let not_written = sql
        .lines()
        .skip_while(|l| !l.starts_with("-- Not written"))
        .skip(1)
        .count();
    assert_eq!(left.len(), not_written, "{sql}\n{}", text(&after));
    assert!(left.len() < remaining_before, "{}", text(&after));
    for (object, kind) in [
        ("public.attachments.attachments_message_id_idx", "presence"),
        ("public.audit_log.drift_extra_idx", "presence"),
        ("public.organizations.seats", "default"),
        (
            "public.organizations.organizations_seats_check",
            "validated",
        ),
    ] {
        assert!(
            !left
                .iter()
                .any(|d| d["object"]["name"] == object && d["kind"] == kind),
            "{object} {kind} still differs after the emitted change ran:\n{}",
            text(&after)
        );
    }

    let md = diff(&[&url_a, &url_b, "--format", "markdown"]);
    assert_eq!(md.status.code(), Some(1), "{}", text(&md));
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("| trigger public.users.users_touch | only in A |"),
        "{md}"
    );
}

#[test]
fn a_schema_file_and_the_server_loaded_from_it_are_identical() {
    let cluster = common::cluster();
    let prod = common::fresh_db(&cluster, "parity_prod", &[ROLES, PRODUCTION]);
    let small = common::fresh_db(&cluster, "parity_small", &[SMALL]);
    let shop = common::fresh_db(&cluster, "parity_shop", &[SHOP_ROLES, SHOP]);
    for (file, url) in [(PRODUCTION, &prod), (SMALL, &small), (SHOP, &shop)] {
        let o = diff(&[file, url]);
        assert_eq!(o.status.code(), Some(0), "{file}: {}", text(&o));
        let o = diff(&[url, file]);
        assert_eq!(o.status.code(), Some(0), "{file} reversed: {}", text(&o));
    }
    // The extension is compared by name: gone from the server, it is reported.
    cluster
        .psql("parity_shop", "DROP EXTENSION pgcrypto CASCADE")
        .expect("drop");
    let o = diff(&[SHOP, &shop]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("extension pgcrypto\n  only in A"),
        "{}",
        text(&o)
    );
    // And a file against a different server is not.
    let o = diff(&[SMALL, &prod]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn bad_input_is_exit_2_and_an_unreachable_server_exit_4() {
    let missing = diff(&["no/such/file.sql", SMALL]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("A: no/such/file.sql"),
        "{}",
        text(&missing)
    );
    let env = diff(&[SMALL, "staging"]);
    assert_eq!(env.status.code(), Some(2), "{}", text(&env));
    assert!(
        String::from_utf8_lossy(&env.stderr).contains("B: staging is neither a file nor a URL"),
        "{}",
        text(&env)
    );
    let down = diff(&[SMALL, "postgres://u:hunter2@127.0.0.1:1/nowhere"]);
    assert_eq!(down.status.code(), Some(4), "{}", text(&down));
    assert!(
        !String::from_utf8_lossy(&down.stderr).contains("hunter2"),
        "{}",
        text(&down)
    );
}
