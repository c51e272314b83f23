//! Inputs that used to crash or crawl: a 9,000-term expression (stack overflow), one ALTER
//! TABLE with thousands of actions (cubic planning), generated names that collided after
//! PostgreSQL's 63-byte truncation, and a column whose name closed the trigger's dollar
//! quote. Each is planned through the binary or run on a real server.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

/// A scratch folder for one test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("bellows-inputs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch folder");
        Self(d)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(&p, text).expect("write");
        p.display().to_string()
    }

    fn bellows(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_bellows"))
            .args(args)
            .current_dir(&self.0)
            .env_remove("DATABASE_URL")
            .output()
            .expect("run bellows")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn chain(terms: usize) -> String {
    (0..terms)
        .map(|i| format!("a = {i}"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

const SMALL: &str = "CREATE TABLE t (id bigint PRIMARY KEY, a integer);\nCREATE TABLE u (id bigint PRIMARY KEY, b text);\n";

#[test]
fn a_nine_thousand_term_expression_is_refused_with_its_location_not_a_crash() {
    let d = Scratch::new("deep");
    d.write("schema.sql", SMALL);
    d.write(
        "change.sql",
        &format!(
            "-- a generated rule\nALTER TABLE t ADD CONSTRAINT c CHECK ({});\n",
            chain(9000)
        ),
    );
    let out = d.bellows(&["plan", "change.sql", "--schema", "schema.sql"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("change.sql:2:1") && err.contains("nest"),
        "{err}"
    );
    assert!(!d.0.join("plans").exists(), "nothing is written");

    // The same expression in the schema file: no crash, and the change on another table plans.
    d.write(
        "deep-schema.sql",
        &format!(
            "{SMALL}ALTER TABLE t ADD CONSTRAINT c CHECK ({});\n",
            chain(9000)
        ),
    );
    d.write("other.sql", "ALTER TABLE u ADD COLUMN c integer;\n");
    let out = d.bellows(&[
        "plan",
        "other.sql",
        "--schema",
        "deep-schema.sql",
        "--out",
        "-",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // And in a migration folder: the other files are still checked.
    d.write(
        "migrations/V1__deep.sql",
        &format!("ALTER TABLE t ADD CONSTRAINT c CHECK ({});\n", chain(9000)),
    );
    d.write(
        "migrations/V2__index.sql",
        "CREATE INDEX u_b_idx ON u (b);\n",
    );
    let out = d.bellows(&[
        "check",
        "migrations",
        "--schema",
        "schema.sql",
        "--format",
        "json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        matches!(out.status.code(), Some(0..=1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("V1__deep.sql") && text.contains("nest"),
        "{text}"
    );
    assert!(
        text.contains("V2__index.sql") && text.contains("create-index"),
        "{text}"
    );
}

#[test]
fn an_expression_just_under_the_limit_still_plans() {
    let d = Scratch::new("under");
    d.write("schema.sql", SMALL);
    d.write(
        "change.sql",
        &format!("ALTER TABLE t ADD CONSTRAINT c CHECK ({});\n", chain(400)),
    );
    let out = d.bellows(&["plan", "change.sql", "--schema", "schema.sql", "--out", "-"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn one_alter_table_with_thousands_of_actions_plans_each_with_its_own_id() {
    let cat = bellows::catalog::load_str("s.sql", SMALL).expect("schema");
    let actions: Vec<String> = (0..3000)
        .map(|k| format!("ADD COLUMN w{k} integer"))
        .collect();
    let text = format!("ALTER TABLE t {};", actions.join(", "));
    let plan = bellows::planner::plan("wide.sql", &text, &cat, &Default::default()).expect("plans");
    assert_eq!(plan.steps.len(), 3000);
    let ids: std::collections::BTreeSet<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 3000);
    assert!(ids.contains("1.add-column") && ids.contains("1.add-column-3000"));
}

/// Two columns whose names share their first 60 bytes, each indexed, NOT NULL and checked;
/// one with `$bellows$` in its name.
const LONG: &str = r#"
CREATE TABLE shipments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_shipping_address_line_for_the_primary_warehouse_one text NOT NULL CHECK (customer_shipping_address_line_for_the_primary_warehouse_one <> ''),
    customer_shipping_address_line_for_the_primary_warehouse_two text NOT NULL CHECK (customer_shipping_address_line_for_the_primary_warehouse_two <> ''),
    "note$bellows$x" text,
    qty integer NOT NULL
);
CREATE INDEX shipments_customer_shipping_address_line_for_the_primary_one_idx ON shipments (customer_shipping_address_line_for_the_primary_warehouse_one);
CREATE INDEX shipments_customer_shipping_address_line_for_the_primary_two_idx ON shipments (customer_shipping_address_line_for_the_primary_warehouse_two);
INSERT INTO shipments (customer_shipping_address_line_for_the_primary_warehouse_one, customer_shipping_address_line_for_the_primary_warehouse_two, "note$bellows$x", qty)
SELECT 'a' || g, 'b' || g, 'n' || g, g FROM generate_series(1, 500) g;
"#;

#[test]
fn long_names_sharing_a_prefix_and_a_dollar_quoted_column_plan_and_run() {
    let d = Scratch::new("long");
    let schema = d.write("long.sql", LONG);
    let cat = bellows::catalog::load_file(&schema).expect("schema loads");
    let both = "ALTER TABLE shipments RENAME COLUMN customer_shipping_address_line_for_the_primary_warehouse_one TO ship_line_one;\n\
                ALTER TABLE shipments RENAME COLUMN customer_shipping_address_line_for_the_primary_warehouse_two TO ship_line_two;\n\
                -- bellows:fill 0\nALTER TABLE shipments ADD COLUMN customer_shipping_address_line_for_the_primary_warehouse_count integer NOT NULL;\n\
                -- bellows:fill 0\nALTER TABLE shipments ADD COLUMN customer_shipping_address_line_for_the_primary_warehouse_total integer NOT NULL;";
    let retype = "ALTER TABLE shipments ALTER COLUMN customer_shipping_address_line_for_the_primary_warehouse_one TYPE varchar(300);\n\
                  ALTER TABLE shipments ALTER COLUMN customer_shipping_address_line_for_the_primary_warehouse_two TYPE varchar(300);";
    let dollar = "ALTER TABLE shipments RENAME COLUMN \"note$bellows$x\" TO note;";

    let plan = bellows::planner::plan("both.sql", both, &cat, &Default::default()).expect("plans");
    let created: Vec<String> = plan
        .steps
        .iter()
        .flat_map(|s| s.sql.iter())
        .filter_map(|q| {
            let rest = q
                .strip_prefix("CREATE TRIGGER ")
                .or_else(|| q.strip_prefix("CREATE FUNCTION "))
                .or_else(|| q.split(" ADD CONSTRAINT ").nth(1))?;
            rest.split_whitespace()
                .next()
                .map(|n| n.trim_end_matches("()").to_string())
        })
        .collect();
    let distinct: std::collections::BTreeSet<&String> = created.iter().collect();
    assert_eq!(
        distinct.len(),
        created.len(),
        "a name is created twice: {created:#?}"
    );
    assert!(
        created.iter().all(|n| n
            .rsplit("\".\"")
            .next()
            .unwrap_or(n)
            .trim_matches('"')
            .len()
            <= 63),
        "{created:#?}"
    );

    let changes: Vec<(String, String)> = [("both", both), ("retype", retype), ("dollar", dollar)]
        .iter()
        .map(|(n, t)| (format!("long/{n}.sql"), t.to_string()))
        .collect();
    let cluster = common::cluster();
    let failures = common::exercise(&cluster, "long", &[schema.as_str()], &cat, &changes);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
