//! Unit tests of reading statements into `Ddl` (src/sql/convert.rs).

use super::*;
use crate::sql::ddl::{AlterAction, ReindexTarget};

fn one(text: &str) -> Result<Ddl, SqlError> {
    let raws = crate::sql::source::split("t.sql", text).expect("splits");
    statement(&raws[0])
}

#[test]
fn create_table_folds_names_moves_nothing_and_keeps_column_constraints() {
    let Ok(Ddl::CreateTable(t)) = one(
        "CREATE TABLE App.\"Users\" (Id bigserial PRIMARY KEY, email varchar(40) NOT NULL UNIQUE, n int DEFAULT 1);",
    ) else {
        panic!("not a table")
    };
    assert_eq!(t.name.display(), "app.Users");
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "email", "n"]);
    assert!(t.columns[0].serial);
    assert_eq!(t.columns[1].ty, "character varying(40)");
    assert!(t.columns[1].not_null);
    assert_eq!(t.columns[2].default.as_deref(), Some("1"));
    assert!(
        t.columns[1]
            .constraints
            .iter()
            .any(|c| matches!(c.kind, ConstraintKind::Unique { .. }))
    );
}

#[test]
fn alter_table_keeps_every_action_in_order() {
    let Ok(Ddl::AlterTable { table, actions, .. }) = one(
        "ALTER TABLE t ADD COLUMN c int, ALTER COLUMN c SET NOT NULL, ALTER COLUMN d TYPE bigint USING d::bigint, RENAME TO u;",
    ) else {
        panic!("not an alter")
    };
    assert_eq!(table.display(), "public.t");
    assert!(matches!(&actions[0], AlterAction::AddColumn { column, .. } if column.name == "c"));
    assert!(matches!(&actions[1], AlterAction::SetNotNull { column } if column == "c"));
    assert!(
        matches!(&actions[2], AlterAction::SetType { column, ty, using: Some(_) } if column == "d" && ty == "bigint")
    );
    assert!(matches!(&actions[3], AlterAction::RenameTable { to } if to == "u"));
}

#[test]
fn create_index_keeps_its_options() {
    let Ok(Ddl::CreateIndex(ix)) =
        one("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a DESC, lower(b)) INCLUDE (c) WHERE a > 0;")
    else {
        panic!("not an index")
    };
    assert!(ix.unique && ix.concurrently);
    assert!(ix.keys[0].desc);
    assert_eq!(ix.keys[1].column, None);
    assert_eq!(ix.include, ["c"]);
    assert!(ix.predicate.is_some());
}

#[test]
fn statements_sqlparser_cannot_read_go_through_the_fallback() {
    assert!(matches!(
        one("DROP INDEX CONCURRENTLY IF EXISTS a, s.b;"),
        Ok(Ddl::DropIndex { names, concurrently: true, if_exists: true, .. }) if names.len() == 2
    ));
    assert!(matches!(
        one("REINDEX TABLE CONCURRENTLY t;"),
        Ok(Ddl::Reindex {
            target: ReindexTarget::Table,
            concurrently: true,
            ..
        })
    ));
    assert!(matches!(
        one("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x WITH NO DATA;"),
        Ok(Ddl::CreateView(v)) if v.materialized
    ));
}

#[test]
fn lock_table_and_set_logged_are_read() {
    assert!(matches!(
        one("LOCK TABLE a, s.b IN SHARE MODE NOWAIT;"),
        Ok(Ddl::LockTable { tables, mode: TableLock::Share }) if tables.len() == 2
    ));
    assert!(matches!(
        one("LOCK t;"),
        Ok(Ddl::LockTable {
            mode: TableLock::AccessExclusive,
            ..
        })
    ));
    assert!(matches!(
        one("ALTER TABLE t SET UNLOGGED;"),
        Ok(Ddl::AlterTable { actions, .. }) if actions == [AlterAction::SetLogged { logged: false }]
    ));
}

#[test]
fn a_syntax_error_is_located_at_the_offending_token() {
    let e = one("ALTER TABLE t\n  ADD COLUMN c int int;").expect_err("two types");
    assert_eq!(e.loc.line, 2, "{e}");
    assert!(e.message().starts_with("syntax error"), "{e}");
    assert!(e.hint().is_some());
}

#[test]
fn a_column_named_owner_is_renamed_not_read_as_owner_to() {
    for text in [
        "ALTER TABLE notes RENAME COLUMN owner TO owner_name;",
        "ALTER TABLE notes RENAME owner TO owner_name;",
    ] {
        assert!(
            matches!(
                one(text),
                Ok(Ddl::AlterTable { ref actions, .. })
                    if matches!(actions.as_slice(), [AlterAction::RenameColumn { from, .. }] if from == "owner")
            ),
            "{text}: {:?}",
            one(text)
        );
    }
    assert!(matches!(
        one("ALTER TABLE notes OWNER TO app;"),
        Ok(Ddl::Ignored { .. })
    ));
}

#[test]
fn policies_are_read_with_their_kind_command_roles_and_expressions() {
    let Ok(Ddl::CreatePolicy(p)) = one(
        "CREATE POLICY \"Own\" ON app.notes AS RESTRICTIVE FOR UPDATE TO writer, PUBLIC, CURRENT_USER USING (owner = current_user) WITH CHECK ((level < 5));",
    ) else {
        panic!("not a policy")
    };
    assert_eq!(p.name, "Own");
    assert_eq!(p.table.display(), "app.notes");
    assert_eq!(p.kind, crate::sql::policy::PolicyKind::Restrictive);
    assert_eq!(p.command, crate::sql::policy::PolicyCommand::Update);
    assert_eq!(p.roles, ["CURRENT_USER", "writer"]);
    assert_eq!(p.check.as_deref(), Some("level < 5"));
    assert!(matches!(
        one("DROP POLICY IF EXISTS own ON notes;"),
        Ok(Ddl::DropPolicy { if_exists: true, ref name, .. }) if name == "own"
    ));
}
