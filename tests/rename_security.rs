//! Renaming a table behind a compatibility view never widens who reads what. Reproduced on a
//! real server: with row-level security on the table and default privileges that grant new
//! views to the application's roles, the view (running with its owner's rights) let a role
//! that saw two rows through the table read all five. The view now applies the reader's own
//! rights and policies (`security_invoker`) and carries exactly the table's grants.

mod common;

use bellows::plan::Phase;

const SCHEMA: &str = "
CREATE TABLE messages (id bigint PRIMARY KEY, tenant text NOT NULL, body text);
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON messages USING (tenant = current_user) WITH CHECK (tenant = current_user);
GRANT SELECT, INSERT ON messages TO tenant_a, tenant_b;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO tenant_a, tenant_b, outsider;
INSERT INTO messages VALUES (1, 'tenant_a', 'a1'), (2, 'tenant_a', 'a2'),
    (3, 'tenant_b', 'b1'), (4, 'tenant_b', 'b2'), (5, 'tenant_b', 'b3');
";

#[test]
fn the_compatibility_view_keeps_row_level_security_and_grants() {
    let cluster = common::cluster();
    cluster
        .psql(
            "postgres",
            "CREATE ROLE tenant_a; CREATE ROLE tenant_b; CREATE ROLE outsider;",
        )
        .expect("roles");
    let dir = std::env::temp_dir().join(format!("bellows-rls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let file = file.display().to_string();
    let url = common::fresh_db(&cluster, "rls", &[file.as_str()]);

    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let messages = &cat.tables[&bellows::sql::QName::public("messages")];
    assert!(messages.row_security);
    let plan = bellows::planner::plan(
        "rename.sql",
        "ALTER TABLE messages RENAME TO chat_messages;",
        &cat,
        &Default::default(),
    )
    .expect("plans");
    let rt = common::rt();
    rt.block_on(common::run_plan(&url, &plan, Some(Phase::Contract)))
        .expect("expand runs");
    let _ = std::fs::remove_dir_all(&dir);

    let as_role = |role: &str, sql: &str| cluster.psql("rls", &format!("SET ROLE {role}; {sql}"));
    // Old code reads the old name: each tenant still sees only its own rows.
    assert_eq!(
        as_role("tenant_a", "SELECT count(*) FROM messages").expect("tenant_a reads"),
        "2"
    );
    assert_eq!(
        as_role("tenant_b", "SELECT count(*) FROM messages").expect("tenant_b reads"),
        "3"
    );
    // A role with no grant on the table gets none through the view, whatever the defaults.
    assert!(as_role("outsider", "SELECT count(*) FROM messages").is_err());
    // Writes through the view obey the policy too.
    as_role(
        "tenant_a",
        "INSERT INTO messages (id, tenant, body) VALUES (6, 'tenant_a', 'a3')",
    )
    .expect("own row");
    assert!(
        as_role(
            "tenant_a",
            "INSERT INTO messages (id, tenant, body) VALUES (7, 'tenant_b', 'forged')",
        )
        .is_err()
    );
    // And the new name works for new code as before.
    assert_eq!(
        as_role("tenant_a", "SELECT count(*) FROM chat_messages").expect("new name"),
        "3"
    );
}

#[test]
fn before_postgres_15_a_table_with_row_level_security_is_not_renamed_behind_a_view() {
    let cat = bellows::catalog::load_str("s.sql", SCHEMA).expect("schema loads");
    let err = bellows::planner::plan(
        "rename.sql",
        "ALTER TABLE messages RENAME TO chat_messages;",
        &cat,
        &bellows::planner::Options {
            pg_version: 14,
            ..Default::default()
        },
    )
    .expect_err("refused");
    assert!(err.to_string().contains("row-level security"), "{err}");
    assert!(err.hint().is_some());
}
