//! `bellows check`: every rule fires on its example and not on its safe version, the safe
//! forms raise nothing, each tool's layout is read with its transaction rules, every rule
//! has its book page, and the rules `bellows plan` knows become plans that keep the
//! zero-downtime rule.

use std::process::Command;

use bellows::catalog::Catalog;
use bellows::lint::layout::{Layout, Unit, Wrap};
use bellows::lint::rules::Rule;
use bellows::lint::{Finding, Linter, Settings, planned};

fn unit(path: &str, text: &str) -> Unit {
    Unit {
        path: path.into(),
        layout: Layout::Plain,
        label: "file".into(),
        wrap: Wrap::None,
        text: text.into(),
    }
}

/// Findings for `migration` after `setup` ran as an earlier migration.
fn lint(setup: &str, migration: &str) -> Vec<Finding> {
    let mut l = Linter::new(Catalog::default(), Settings::default());
    l.lint_unit(&unit("setup.sql", setup)).expect("setup reads");
    l.lint_unit(&unit("migration.sql", migration))
        .expect("migration reads")
        .0
}

#[test]
fn every_rule_fires_on_its_example_and_not_on_the_safe_way() {
    for r in Rule::ALL {
        let d = r.doc();
        let bad = lint(d.setup, d.bad);
        assert!(
            bad.iter().any(|f| f.rule == d.id),
            "{}: the bad example raised {:?}",
            d.id,
            bad.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
        let good = lint(d.setup, d.good);
        assert!(
            good.is_empty(),
            "{}: the safe example raised {:?}",
            d.id,
            good.iter().map(|f| (f.rule, f.line)).collect::<Vec<_>>()
        );
    }
}

#[test]
fn safe_forms_raise_nothing() {
    let setup = "CREATE TABLE t (id bigint PRIMARY KEY, a integer, b varchar(10), c numeric(8,2), d text, p bigint);
                 CREATE TABLE parent (id bigint PRIMARY KEY);";
    for sql in [
        "CREATE INDEX CONCURRENTLY t_a ON t (a);",
        "DROP INDEX CONCURRENTLY IF EXISTS t_a;",
        "REINDEX INDEX CONCURRENTLY t_pkey;",
        "ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT t_a_pos;",
        "ALTER TABLE t ADD CONSTRAINT t_p_fk FOREIGN KEY (p) REFERENCES parent (id) NOT VALID;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_d_key ON t (d);",
        "ALTER TABLE t ADD CONSTRAINT t_d_key UNIQUE USING INDEX t_d_key;",
        "ALTER TABLE t ADD COLUMN e text;",
        "ALTER TABLE t ADD COLUMN f integer NOT NULL DEFAULT 0;",
        "ALTER TABLE t ADD COLUMN g timestamptz DEFAULT now();",
        "ALTER TABLE t ALTER COLUMN b TYPE varchar(20);",
        "ALTER TABLE t ALTER COLUMN b TYPE text;",
        "ALTER TABLE t ALTER COLUMN c TYPE numeric(10,2);",
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;",
        "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
        "CREATE TABLE u (id bigserial PRIMARY KEY, x text NOT NULL, y uuid DEFAULT gen_random_uuid());",
        "CREATE TABLE v (id bigint); CREATE INDEX v_id ON v (id); ALTER TABLE v ADD PRIMARY KEY (id);",
        "BEGIN; SET LOCAL lock_timeout = '2s'; ALTER TABLE t ADD COLUMN h text; COMMIT;",
        "ALTER TABLE t ADD CONSTRAINT t_d_nn CHECK (d IS NOT NULL) NOT VALID;",
        "CREATE MATERIALIZED VIEW mv AS SELECT a, count(*) AS n FROM t GROUP BY a; CREATE UNIQUE INDEX mv_a ON mv (a);",
    ] {
        let f = lint(setup, sql);
        assert!(
            f.is_empty(),
            "{sql}: {:?}",
            f.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
    }
    // A CHECK validated in an earlier migration proves a later SET NOT NULL.
    let mut l = Linter::new(Catalog::default(), Settings::default());
    for (i, sql) in [
        setup,
        "ALTER TABLE t ADD CONSTRAINT t_d_nn CHECK (d IS NOT NULL) NOT VALID;",
        "ALTER TABLE t VALIDATE CONSTRAINT t_d_nn;",
        "ALTER TABLE t ALTER COLUMN d SET NOT NULL;",
    ]
    .iter()
    .enumerate()
    {
        let (f, _) = l
            .lint_unit(&unit(&format!("V{i}.sql"), sql))
            .expect("reads");
        assert!(
            f.is_empty(),
            "{sql}: {:?}",
            f.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
    }
}

#[test]
fn versions_change_the_verdict() {
    let setup = "CREATE TABLE t (id bigint PRIMARY KEY);";
    let at = |pg: u32| {
        let mut l = Linter::new(
            Catalog::default(),
            Settings {
                pg_version: pg,
                ..Settings::default()
            },
        );
        l.lint_unit(&unit("a.sql", setup)).expect("reads");
        l.lint_unit(&unit(
            "b.sql",
            "ALTER TABLE t ADD COLUMN n integer DEFAULT 0;",
        ))
        .expect("reads")
        .0
        .iter()
        .map(|f| f.rule)
        .collect::<Vec<_>>()
    };
    assert_eq!(at(10), ["add-column-volatile-default"]);
    assert!(at(11).is_empty());
}

#[test]
fn ignore_directives_silence_one_statement_and_unknown_ids_are_errors() {
    let setup = "CREATE TABLE t (id bigint PRIMARY KEY, a int);";
    let f = lint(
        setup,
        "-- bellows:ignore create-index\nCREATE INDEX t_a ON t (a);\nCREATE INDEX t_a2 ON t (a);",
    );
    assert_eq!(
        f.iter().map(|f| (f.rule, f.line)).collect::<Vec<_>>(),
        [("create-index", 3)]
    );
    let mut l = Linter::new(Catalog::default(), Settings::default());
    let e = l
        .lint_unit(&unit("x.sql", "-- bellows:ignore no-such-rule\nSELECT 1;"))
        .expect_err("unknown rule");
    assert_eq!((e.loc.line, e.path.as_str()), (2, "x.sql"));
    assert!(e.message().contains("no-such-rule"), "{e}");
}

#[test]
fn every_rule_has_its_book_page() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/book/src/rules");
    let update = std::env::var_os("BELLOWS_UPDATE_BOOK").is_some();
    let summary =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/book/src/SUMMARY.md"))
            .expect("SUMMARY.md");
    let mut index = String::from(
        "# Lint rules\n\n`bellows check` reports these. Each page says why the statement is risky, \
         the lock it takes, an example with what `bellows check` prints, and the safe way.\n\n\
         | rule | severity | what |\n|---|---|---|\n",
    );
    for r in Rule::ALL {
        let d = r.doc();
        index.push_str(&format!(
            "| [`{}`]({}.md) | {} | {} |\n",
            d.id,
            d.id,
            d.severity.name(),
            d.title
        ));
        let path = format!("{dir}/{}.md", d.id);
        let want = bellows::cli::check_explain::page(*r);
        if update {
            std::fs::create_dir_all(dir).expect("mkdir");
            std::fs::write(&path, &want).expect("write page");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{path} is missing or stale: run BELLOWS_UPDATE_BOOK=1 cargo test --test check"
        );
        assert!(
            summary.contains(&format!("(rules/{}.md)", d.id)),
            "SUMMARY.md does not list rules/{}.md",
            d.id
        );
    }
    let path = format!("{dir}/index.md");
    if update {
        std::fs::write(&path, &index).expect("write index");
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        index,
        "{path} is stale"
    );
}

#[test]
fn bellows_plan_turns_each_planned_example_into_a_safe_plan() {
    for r in Rule::ALL.iter().filter(|r| planned(**r)) {
        let d = r.doc();
        let cat = bellows::catalog::load_str("setup.sql", d.setup).expect("setup loads");
        // A NOT NULL column needs a value for the rows it finds: the rule's recipe says how.
        let change = if *r == Rule::AddColumnNotNullNoDefault {
            format!("-- bellows:fill 'free'\n{}", d.bad)
        } else {
            d.bad.to_string()
        };
        let plan = bellows::planner::plan(
            "bad.sql",
            &change,
            &cat,
            &bellows::planner::Options::default(),
        )
        .unwrap_or_else(|e| panic!("{}: bellows plan refused the example: {e}", d.id));
        for s in &plan.steps {
            assert!(
                bellows::safety::zero_downtime_ok(s.lock.mode, s.lock.duration),
                "{}: step {} holds {} for {}",
                d.id,
                s.id,
                s.lock.mode.name(),
                s.lock.duration.name()
            );
        }
        let naive = d.bad.trim().trim_end_matches(';');
        assert!(
            !plan
                .steps
                .iter()
                .flat_map(|s| &s.sql)
                .any(|q| q.trim().trim_end_matches(';') == naive),
            "{}: the plan runs the naive statement as written",
            d.id
        );
    }
}

/// Run the binary; (exit code, stdout, stderr).
fn check(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bellows"))
        .arg("check")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run bellows");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// (file name, line, unit, rule) of every finding, from `--format json`.
fn found(args: &[&str]) -> (i32, Vec<(String, u64, String, String)>) {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (code, out, err) = check(&a);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let list = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["path"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["unit"].as_str().unwrap_or("").to_string(),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (code, list)
}

/// (file name, line, unit, rule) as written in a test.
type Expected<'a> = (&'a str, u64, &'a str, &'a str);

fn owned(v: &[Expected]) -> Vec<(String, u64, String, String)> {
    v.iter()
        .map(|(a, b, c, d)| (a.to_string(), *b, c.to_string(), d.to_string()))
        .collect()
}

#[test]
fn each_tool_layout_is_read_with_its_order_and_transactions() {
    let cases: &[(&str, &[Expected])] = &[
        (
            "examples/migrations/flyway",
            &[
                ("V2__index_email.sql", 1, "up", "create-index"),
                ("V3__widen.sql", 3, "up", "alter-type-rewrite"),
                ("V10__drop_quantity.sql", 1, "up", "drop-column"),
            ],
        ),
        (
            "examples/migrations/golang-migrate",
            &[
                ("000002_customer_fk.up.sql", 1, "up", "add-foreign-key"),
                ("000004_two.up.sql", 1, "up", "concurrently-in-transaction"),
                ("000004_two.down.sql", 2, "down", "drop-index"),
            ],
        ),
        (
            "examples/migrations/sqlx",
            &[
                (
                    "20240102000000_token.sql",
                    1,
                    "up",
                    "add-column-volatile-default",
                ),
                ("20240104000000_vacuum.sql", 1, "up", "vacuum-full"),
                (
                    "20240104000000_vacuum.sql",
                    1,
                    "up",
                    "concurrently-in-transaction",
                ),
            ],
        ),
        (
            "examples/migrations/dbmate",
            &[
                ("20240102000000_rename.sql", 2, "up", "rename-column"),
                ("20240102000000_rename.sql", 5, "down", "rename-column"),
                (
                    "20240104000000_unique.sql",
                    2,
                    "up",
                    "concurrently-in-transaction",
                ),
                (
                    "20240104000000_unique.sql",
                    3,
                    "up",
                    "add-unique-or-primary-key",
                ),
            ],
        ),
        (
            "examples/migrations/liquibase",
            &[
                ("changelog.sql", 9, "team:2", "missing-lock-timeout"),
                ("changelog.sql", 19, "team:4", "set-not-null"),
            ],
        ),
    ];
    for (dir, want) in cases {
        let (code, have) = found(&[dir]);
        assert_eq!(have, owned(want), "{dir}");
        assert_eq!(code, 1, "{dir}: findings fail the check");
    }
    let (code, have) = found(&["examples/migrations/clean"]);
    assert_eq!((code, have), (0, vec![]));
    // A whole pg_dump creates everything it touches: nothing in it is a risky change.
    let (code, have) = found(&["examples/schema/shop.sql"]);
    assert_eq!((code, have), (0, vec![]));
    // Forcing a layout: the same golang-migrate file under sqlx rules is in a transaction.
    let (_, have) = found(&[
        "examples/migrations/golang-migrate/000003_index.up.sql",
        "--layout",
        "sqlx",
    ]);
    assert_eq!(
        have,
        owned(&[(
            "000003_index.up.sql",
            2,
            "up",
            "concurrently-in-transaction"
        )])
    );
    let (_, have) = found(&["examples/migrations/golang-migrate/000003_index.up.sql"]);
    assert!(have.is_empty(), "{have:?}");
    let (_, have) = found(&[
        "examples/migrations/golang-migrate/000003_index.up.sql",
        "--assume-in-transaction",
    ]);
    assert_eq!(
        have,
        owned(&[(
            "000003_index.up.sql",
            2,
            "up",
            "concurrently-in-transaction"
        )])
    );
}

#[test]
fn settings_exit_codes_and_bad_input() {
    // --fail-on error lets warnings pass; --disable and --enable pick rules.
    let (code, _, _) = check(&[
        "examples/migrations/golang-migrate",
        "--disable",
        "add-foreign-key,concurrently-in-transaction",
        "--fail-on",
        "error",
    ]);
    assert_eq!(code, 0);
    let (code, have) = found(&["examples/migrations/flyway", "--enable", "drop-column"]);
    assert_eq!(
        (code, have),
        (
            1,
            owned(&[("V10__drop_quantity.sql", 1, "up", "drop-column")])
        )
    );
    // A config file.
    let dir = tempdir("config");
    std::fs::write(
        format!("{dir}/bellows.toml"),
        "[check]\ndisable = [\"create-index\", \"alter-type-rewrite\"]\nfail-on = \"error\"\n",
    )
    .expect("write");
    let (code, have) = found(&[
        "examples/migrations/flyway",
        "--config",
        &format!("{dir}/bellows.toml"),
    ]);
    assert_eq!(
        (code, have),
        (
            1,
            owned(&[("V10__drop_quantity.sql", 1, "up", "drop-column")])
        )
    );
    std::fs::write(format!("{dir}/bad.toml"), "[check]\nfail_on = \"error\"\n").expect("write");
    let (code, _, err) = check(&[
        "examples/migrations/flyway",
        "--config",
        &format!("{dir}/bad.toml"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.toml:2") && err.contains("fail_on"),
        "{err}"
    );
    // Bad input: exit 2, naming what is wrong.
    let (code, _, err) = check(&["no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir"), "{err}");
    let (code, _, err) = check(&["examples/migrations/flyway", "--disable", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `nope`"), "{err}");
    std::fs::write(
        format!("{dir}/V1__broken.sql"),
        "CREATE TABLE t (id int);\nSELECT 'unterminated;\n",
    )
    .expect("write");
    let (code, _, err) = check(&[&format!("{dir}/V1__broken.sql")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("V1__broken.sql:2:"), "{err}");
    // A statement bellows cannot read is a warning: never silence, and the default
    // `--fail-on warning` stops until someone has looked.
    std::fs::write(format!("{dir}/V2__odd.sql"), "ALTER TABLE t FROBNICATE;\n").expect("write");
    let (code, have) = found(&[&format!("{dir}/V2__odd.sql")]);
    assert_eq!(
        (code, have),
        (
            1,
            owned(&[("V2__odd.sql", 1, "up", "unreadable-statement")])
        )
    );
    // Read but not judged (SET TABLESPACE, DO blocks have no rule yet) is reported the same
    // way, while a data change is not a schema change and passes.
    std::fs::write(
        format!("{dir}/V3__unjudged.sql"),
        "CREATE TABLE u (id int);\nALTER TABLE u SET TABLESPACE pg_default;\nUPDATE u SET id = 1;\n",
    )
    .expect("write");
    let (code, have) = found(&[&format!("{dir}/V3__unjudged.sql")]);
    assert_eq!(
        (code, have),
        (
            1,
            owned(&[("V3__unjudged.sql", 2, "up", "unreadable-statement")])
        )
    );
    let (code, _, err) = check(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to check"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_formats() {
    let (code, text, _) = check(&["examples/migrations/flyway"]);
    assert_eq!(code, 1);
    assert!(text.contains("examples/migrations/flyway/V2__index_email.sql:1:1: error[create-index] CREATE INDEX on public.accounts takes SHARE, blocking writes"), "{text}");
    assert!(
        text.contains("= safe: `CREATE INDEX CONCURRENTLY`"),
        "{text}"
    );
    assert!(
        text.contains("6 files checked, 8 statements: 3 errors, 0 warnings, 0 notes"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "NO_COLOR");
    let (_, sarif, _) = check(&["examples/migrations/flyway", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("sarif is JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().map(Vec::len),
        Some(Rule::ALL.len())
    );
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let r = &results[0];
    let idx = r["ruleIndex"].as_u64().expect("index") as usize;
    assert_eq!(run["tool"]["driver"]["rules"][idx]["id"], r["ruleId"]);
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    let (_, gh, _) = check(&["examples/migrations/flyway", "--format", "github"]);
    let first = gh.lines().next().unwrap_or("");
    assert!(first.starts_with("::error file=examples/migrations/flyway/V2__index_email.sql,line=1,col=1,title=bellows create-index::CREATE INDEX"), "{first}");
    assert_eq!(gh.lines().count(), 3);
    let (code, list, _) = check(&["--list-rules"]);
    assert_eq!((code, list.lines().count()), (0, Rule::ALL.len()));
    let (code, page, _) = check(&["--explain", "create-index"]);
    assert_eq!(code, 0);
    assert_eq!(page, bellows::cli::check_explain::page(Rule::CreateIndex));
}

fn tempdir(name: &str) -> String {
    let d = std::env::temp_dir().join(format!("bellows-check-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("tempdir");
    d.to_string_lossy().into_owned()
}

#[test]
fn lock_timeout_is_read_in_every_spelling() {
    let setup = "CREATE TABLE t (id bigint PRIMARY KEY);";
    for set in [
        "SET LOCAL lock_timeout = '2s';",
        "SET LOCAL lock_timeout TO '2s';",
        "SET lock_timeout TO '2s';",
        "SET SESSION lock_timeout = 2000;",
    ] {
        let f = lint(
            setup,
            &format!("BEGIN;\n{set}\nALTER TABLE t ADD COLUMN a text;\nCOMMIT;"),
        );
        assert!(
            f.is_empty(),
            "{set}: {:?}",
            f.iter().map(|f| f.rule).collect::<Vec<_>>()
        );
    }
    for set in [
        "SET LOCAL lock_timeout = 0;",
        "SET lock_timeout TO DEFAULT;",
    ] {
        let f = lint(
            setup,
            &format!("BEGIN;\n{set}\nALTER TABLE t ADD COLUMN a text;\nCOMMIT;"),
        );
        assert_eq!(
            f.iter().map(|f| f.rule).collect::<Vec<_>>(),
            ["missing-lock-timeout"],
            "{set}"
        );
    }
}
