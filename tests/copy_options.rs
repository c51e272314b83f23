//! Every option of every index and constraint on a column survives when bellows copies them
//! to the shadow column (issue 11): storage parameters, INCLUDE, NULLS NOT DISTINCT,
//! collations, operator classes, DESC NULLS LAST, partial predicates, index statistics
//! targets, DEFERRABLE INITIALLY DEFERRED, MATCH FULL, ON DELETE SET NULL (col), ON UPDATE
//! actions, and the column's own collation, comment and statistics target. A rename and a
//! type change are each run through contract on a real server, and each object's definition
//! as PostgreSQL prints it afterwards equals the original one with only the column changed;
//! rolled back before contract, the schema is exactly the original.

mod common;

use bellows::pgtemp::TempCluster;
use bellows::plan::Phase;

const SCHEMA: &str = r#"
CREATE TABLE batches (id integer PRIMARY KEY);
CREATE TABLE products (
    tenant integer NOT NULL,
    code text NOT NULL,
    CONSTRAINT products_tenant_code_key UNIQUE (tenant, code)
);
CREATE TABLE items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant integer NOT NULL,
    sku text COLLATE "C",
    batch integer NOT NULL,
    qty integer NOT NULL DEFAULT 0,
    label text,
    CONSTRAINT items_sku_key UNIQUE NULLS NOT DISTINCT (sku) INCLUDE (qty) WITH (fillfactor = 70),
    CONSTRAINT items_sku_batch_key UNIQUE (sku, batch) WITH (fillfactor = 60, deduplicate_items = off)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT items_sku_fkey FOREIGN KEY (tenant, sku) REFERENCES products (tenant, code)
        ON DELETE SET NULL (sku) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT items_batch_fkey FOREIGN KEY (batch) REFERENCES batches (id)
        MATCH FULL ON DELETE SET NULL (batch) DEFERRABLE,
    CONSTRAINT items_sku_check CHECK (length(sku) > 0),
    CONSTRAINT items_batch_check CHECK (batch > 0)
);
CREATE INDEX items_sku_search ON items USING btree
    (sku COLLATE "POSIX" text_pattern_ops DESC NULLS LAST, (length(sku)))
    INCLUDE (label) WITH (fillfactor = 80) WHERE qty > 0;
ALTER INDEX items_sku_search ALTER COLUMN 2 SET STATISTICS 500;
CREATE INDEX items_batch_recent ON items (batch DESC NULLS LAST, (abs(batch)))
    WITH (fillfactor = 90) WHERE batch > 10;
ALTER INDEX items_batch_recent ALTER COLUMN 2 SET STATISTICS 300;
COMMENT ON COLUMN items.sku IS 'Stock-keeping unit, as printed on the label';
ALTER TABLE items ALTER COLUMN sku SET STATISTICS 900;
COMMENT ON COLUMN items.batch IS 'Production batch';
ALTER TABLE items ALTER COLUMN batch SET STATISTICS 700;
CREATE TABLE reservations (
    id bigint PRIMARY KEY,
    item_code text,
    CONSTRAINT reservations_sku_fkey FOREIGN KEY (item_code) REFERENCES items (sku)
        ON DELETE CASCADE
);
INSERT INTO batches SELECT g FROM generate_series(1, 40) g;
INSERT INTO products SELECT 1, 'SKU-' || g FROM generate_series(1, 200) g;
INSERT INTO items (tenant, sku, batch, qty, label)
    SELECT 1, 'SKU-' || g, 1 + g % 40, g % 7, 'item ' || g FROM generate_series(1, 200) g;
INSERT INTO items (tenant, sku, batch, qty, label) VALUES (1, NULL, 3, 1, 'unlabelled');
INSERT INTO reservations SELECT g, 'SKU-' || g FROM generate_series(1, 50) g;
"#;

/// One line per index, constraint and column of `items` and `reservations`, as PostgreSQL
/// prints their definitions, sorted.
const DEFINITIONS: &str = r#"
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
       || ' reloptions=' || coalesce(c.reloptions::text, '')
       || ' statistics=' || coalesce((SELECT string_agg(a.attnum || ':' || a.attstattarget, ',' ORDER BY a.attnum)
                                      FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0), '')
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid IN ('items'::regclass, 'reservations'::regclass)
UNION ALL
SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
FROM pg_constraint WHERE conrelid IN ('items'::regclass, 'reservations'::regclass)
UNION ALL
SELECT 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' collation=' || coalesce(co.collname, '')
       || ' statistics=' || coalesce(a.attstattarget, -1)
       || ' comment=' || coalesce(col_description(a.attrelid, a.attnum), '')
FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attrelid = 'items'::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1
"#;

fn definitions(cluster: &TempCluster, db: &str) -> String {
    cluster.psql(db, DEFINITIONS).expect("read definitions")
}

fn schema_file(tag: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("bellows-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let path = file.display().to_string();
    (dir, path)
}

/// Plan `change` from the schema file, run it all the way in one database and up to contract
/// and back in another; return (before, after contract, after rollback).
fn run(cluster: &TempCluster, tag: &str, change: &str) -> (String, String, String) {
    let (dir, file) = schema_file(tag);
    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let plan = bellows::planner::plan("change.sql", change, &cat, &Default::default())
        .unwrap_or_else(|e| panic!("plans: {e}"));
    let rt = common::rt();
    let up = common::fresh_db(cluster, &format!("{tag}_up"), &[file.as_str()]);
    let before = definitions(cluster, &format!("{tag}_up"));
    rt.block_on(common::run_plan(&up, &plan, None))
        .unwrap_or_else(|e| panic!("the plan fails on the server: {e}"));
    let after = definitions(cluster, &format!("{tag}_up"));
    let back = common::fresh_db(cluster, &format!("{tag}_back"), &[file.as_str()]);
    let done = rt
        .block_on(common::run_plan(&back, &plan, Some(Phase::Contract)))
        .unwrap_or_else(|e| panic!("up to contract: {e}"));
    rt.block_on(common::rollback(&back, &done))
        .unwrap_or_else(|e| panic!("rollback: {e}"));
    let rolled_back = definitions(cluster, &format!("{tag}_back"));
    let _ = std::fs::remove_dir_all(&dir);
    (before, after, rolled_back)
}

/// Lines only one side has, for a readable failure.
fn diff(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.lines().collect();
    let g: Vec<&str> = got.lines().collect();
    format!(
        "only expected:\n{}\n\nonly on the server:\n{}",
        w.iter()
            .filter(|l| !g.contains(l))
            .copied()
            .collect::<Vec<_>>()
            .join("\n"),
        g.iter()
            .filter(|l| !w.contains(l))
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    )
}

fn sorted(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.join("\n")
}

#[test]
fn a_renamed_column_keeps_every_option_of_every_copied_object() {
    let cluster = common::cluster();
    let (before, after, rolled_back) = run(
        &cluster,
        "optrename",
        "ALTER TABLE items RENAME COLUMN sku TO stock_code;",
    );
    // The fixture really has the options (so the comparison below means something).
    for needle in [
        "WITH (fillfactor='70')",
        "INCLUDE (qty)",
        "NULLS NOT DISTINCT",
        "DEFERRABLE INITIALLY DEFERRED",
        "MATCH FULL",
        "ON DELETE SET NULL (sku)",
        "ON UPDATE CASCADE",
        "COLLATE \"POSIX\" text_pattern_ops DESC NULLS LAST",
        "statistics=2:500",
        "collation=C statistics=900 comment=Stock-keeping unit",
    ] {
        assert!(before.contains(needle), "fixture lacks {needle}:\n{before}");
    }
    let want = sorted(&before.replace("sku", "stock_code"));
    assert_eq!(sorted(&after), want, "{}", diff(&want, &sorted(&after)));
    assert_eq!(rolled_back, before, "{}", diff(&before, &rolled_back));
}

#[test]
fn a_column_changed_to_bigint_keeps_every_option_of_every_copied_object() {
    let cluster = common::cluster();
    let (before, after, rolled_back) = run(
        &cluster,
        "optretype",
        "ALTER TABLE items ALTER COLUMN batch TYPE bigint;",
    );
    for needle in [
        "WITH (fillfactor='60', deduplicate_items=off)",
        "DEFERRABLE INITIALLY DEFERRED",
        "MATCH FULL ON DELETE SET NULL (batch) DEFERRABLE",
        "batch DESC NULLS LAST, abs(batch)",
        "statistics=2:300",
        "column batch integer collation= statistics=700 comment=Production batch",
    ] {
        assert!(before.contains(needle), "fixture lacks {needle}:\n{before}");
    }
    let want = sorted(&before.replace("column batch integer", "column batch bigint"));
    assert_eq!(sorted(&after), want, "{}", diff(&want, &sorted(&after)));
    assert_eq!(rolled_back, before, "{}", diff(&before, &rolled_back));
}

#[test]
fn the_schema_file_and_the_server_agree_on_every_option() {
    let cluster = common::cluster();
    let (dir, file) = schema_file("optparity");
    let url = common::fresh_db(&cluster, "optparity", &[file.as_str()]);
    let from_file = bellows::catalog::load_file(&file).expect("schema loads");
    let live = common::rt().block_on(common::shape(&url));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, want) in &from_file.tables {
        let got = &live.tables[name];
        assert_eq!(
            serde_json::to_string_pretty(got).expect("json"),
            serde_json::to_string_pretty(want).expect("json"),
            "table {name} (live left, file right)"
        );
        assert_eq!(got.fingerprint(), want.fingerprint(), "{name}");
    }
    let items = &from_file.tables[&bellows::sql::QName::public("items")];
    let search = &items.indexes["items_sku_search"];
    assert_eq!(search.with, ["fillfactor=80"]);
    assert_eq!(search.keys[0].collation.as_deref(), Some("\"POSIX\""));
    assert_eq!(search.keys[1].statistics, Some(500));
    let sku = items.column("sku").expect("sku");
    assert_eq!(sku.collation.as_deref(), Some("\"C\""));
    assert_eq!(sku.statistics, Some(900));
}

/// ADD UNIQUE with the options of an existing identical unique index takes that index over
/// (no second build), keeps its options, and rolling back gives the index back under its own
/// name.
#[test]
fn an_identical_unique_index_is_attached_instead_of_built_again() {
    const TABLES: &str = "
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);
CREATE UNIQUE INDEX accounts_email_idx ON accounts (email) INCLUDE (id) WITH (fillfactor = 75);
INSERT INTO accounts SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 100) g;
";
    let cluster = common::cluster();
    let dir = std::env::temp_dir().join(format!("bellows-reuse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, TABLES).expect("write");
    let file = file.display().to_string();
    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let plan = bellows::planner::plan(
        "change.sql",
        "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email) INCLUDE (id) WITH (fillfactor = 75) DEFERRABLE;",
        &cat,
        &Default::default(),
    )
    .unwrap_or_else(|e| panic!("plans: {e}"));
    assert!(
        plan.steps
            .iter()
            .all(|s| s.kind != bellows::plan::StepKind::DdlConcurrent),
        "no index is built: {:#?}",
        plan.steps
    );
    assert!(
        plan.steps.iter().any(|s| s
            .summary
            .contains("existing identical index accounts_email_idx")),
        "{:#?}",
        plan.steps
    );
    let index_sql = "SELECT c.relname || ' ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'accounts'::regclass ORDER BY 1";
    let rt = common::rt();
    let url = common::fresh_db(&cluster, "reuse", &[file.as_str()]);
    let before = cluster.psql("reuse", index_sql).expect("indexes");
    let done = rt
        .block_on(common::run_plan(&url, &plan, None))
        .unwrap_or_else(|e| panic!("runs: {e}"));
    assert_eq!(
        cluster
            .psql(
                "reuse",
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'accounts_email_key'"
            )
            .expect("constraint"),
        "UNIQUE (email) INCLUDE (id) DEFERRABLE"
    );
    let after = cluster.psql("reuse", index_sql).expect("indexes");
    assert_eq!(
        after,
        before.replace("accounts_email_idx", "accounts_email_key"),
        "the one index, renamed to the constraint, options intact"
    );
    rt.block_on(common::rollback(&url, &done))
        .unwrap_or_else(|e| panic!("rollback: {e}"));
    assert_eq!(cluster.psql("reuse", index_sql).expect("indexes"), before);
    let _ = std::fs::remove_dir_all(&dir);
}
