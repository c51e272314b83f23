//! Unit tests of reading index and constraint options from files (src/sql/key_extras.rs and
//! the option parts of src/sql/convert.rs and src/sql/fallback.rs).

use crate::sql::convert::statement;
use crate::sql::ddl::{AlterAction, ConstraintKind, Ddl, Deferral, KeyIndex};
use crate::sql::error::SqlError;

fn one(text: &str) -> Result<Ddl, SqlError> {
    let raws = crate::sql::source::split("t.sql", text).expect("splits");
    statement(&raws[0])
}

fn added(text: &str) -> ConstraintKind {
    match one(text) {
        Ok(Ddl::AlterTable { actions, .. }) => match &actions[..] {
            [AlterAction::AddConstraint { def, .. }] => def.kind.clone(),
            other => panic!("not one ADD CONSTRAINT: {other:?}"),
        },
        other => panic!("not an ALTER TABLE: {other:?}"),
    }
}

#[test]
fn unique_with_storage_parameters_is_read_not_a_syntax_error() {
    let kind = added(
        "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a) INCLUDE (b) WITH (fillfactor=70, deduplicate_items = OFF) DEFERRABLE INITIALLY DEFERRED;",
    );
    assert_eq!(
        kind,
        ConstraintKind::Unique {
            columns: vec!["a".into()],
            nulls_not_distinct: false,
            index: KeyIndex {
                include: vec!["b".into()],
                with: vec!["fillfactor=70".into(), "deduplicate_items=off".into()],
            },
            deferral: Deferral::Deferred,
        }
    );
}

#[test]
fn primary_key_options_and_deferral_are_read() {
    let kind =
        added("ALTER TABLE t ADD PRIMARY KEY (id) INCLUDE (v) WITH (fillfactor='90') DEFERRABLE;");
    assert_eq!(
        kind,
        ConstraintKind::PrimaryKey {
            columns: vec!["id".into()],
            index: KeyIndex {
                include: vec!["v".into()],
                with: vec!["fillfactor=90".into()],
            },
            deferral: Deferral::Deferrable,
        }
    );
}

#[test]
fn foreign_key_match_actions_set_columns_and_deferral_are_read() {
    let kind = added(
        "ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (tenant, p) REFERENCES p (tenant, id) MATCH FULL ON DELETE SET NULL (p) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;",
    );
    let ConstraintKind::ForeignKey {
        on_delete,
        on_update,
        delete_set_columns,
        match_full,
        deferral,
        ..
    } = kind
    else {
        panic!("not a foreign key")
    };
    assert_eq!(on_delete.as_deref(), Some("SET NULL"));
    assert_eq!(on_update.as_deref(), Some("CASCADE"));
    assert_eq!(delete_set_columns, ["p"]);
    assert!(match_full);
    assert_eq!(deferral, Deferral::Deferred);
}

#[test]
fn create_table_puts_each_clause_on_its_own_constraint() {
    let Ok(Ddl::CreateTable(t)) = one("CREATE TABLE t (
            a int UNIQUE NULLS NOT DISTINCT WITH (fillfactor = 50),
            b int REFERENCES p ON DELETE SET DEFAULT (b),
            c text COLLATE \"C\",
            CONSTRAINT t_bc UNIQUE (b, c) WITH (fillfactor = 60),
            CONSTRAINT t_pk PRIMARY KEY (a) WITH (fillfactor = 80),
            CHECK (a > 0)
        );")
    else {
        panic!("not a table")
    };
    assert!(matches!(
        &t.columns[0].constraints[0].kind,
        ConstraintKind::Unique { nulls_not_distinct: true, index, .. } if index.with == ["fillfactor=50"]
    ));
    assert!(matches!(
        &t.columns[1].constraints[0].kind,
        ConstraintKind::ForeignKey { delete_set_columns, on_delete: Some(a), .. }
            if delete_set_columns == &["b"] && a == "SET DEFAULT"
    ));
    assert_eq!(t.columns[2].collation.as_deref(), Some("\"C\""));
    let with = |i: usize| match &t.constraints[i].kind {
        ConstraintKind::Unique { index, .. } | ConstraintKind::PrimaryKey { index, .. } => {
            index.with.clone()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(with(0), ["fillfactor=60"]);
    assert_eq!(with(1), ["fillfactor=80"]);
}

#[test]
fn create_index_reads_collations_nulls_not_distinct_and_storage_parameters() {
    let Ok(Ddl::CreateIndex(ix)) = one(
        "CREATE UNIQUE INDEX i ON t (a COLLATE \"POSIX\" text_pattern_ops DESC NULLS LAST, b NULLS FIRST, c DESC NULLS FIRST, (lower(d)) COLLATE pg_catalog.\"C\") NULLS NOT DISTINCT WITH (fillfactor = 70, fastupdate);",
    ) else {
        panic!("not an index")
    };
    assert_eq!(ix.keys[0].column.as_deref(), Some("a"));
    assert_eq!(ix.keys[0].collation.as_deref(), Some("\"POSIX\""));
    assert_eq!(ix.keys[0].opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(
        (ix.keys[0].desc, ix.keys[0].nulls_first),
        (true, Some(false))
    );
    // NULLS FIRST is ASC's exception and DESC's default: kept only where it is one.
    assert_eq!(ix.keys[1].nulls_first, Some(true));
    assert_eq!(ix.keys[2].nulls_first, None);
    assert_eq!(ix.keys[3].column, None);
    assert_eq!(ix.keys[3].expr, "lower(d)");
    assert_eq!(ix.keys[3].collation.as_deref(), Some("\"C\""));
    assert!(ix.nulls_not_distinct);
    assert_eq!(ix.with, ["fillfactor=70", "fastupdate=true"]);
}

#[test]
fn comments_and_statistics_targets_are_read() {
    assert!(matches!(
        one("COMMENT ON COLUMN app.t.\"Code\" IS 'the code';"),
        Ok(Ddl::CommentOnColumn { table, column, comment: Some(c) })
            if table.display() == "app.t" && column == "Code" && c == "the code"
    ));
    assert!(matches!(
        one("COMMENT ON COLUMN t.c IS NULL;"),
        Ok(Ddl::CommentOnColumn { comment: None, .. })
    ));
    assert!(matches!(
        one("ALTER INDEX t_expr_idx ALTER COLUMN 2 SET STATISTICS 500;"),
        Ok(Ddl::IndexStatistics {
            column: 2,
            target: Some(500),
            ..
        })
    ));
    let Ok(Ddl::AlterTable { actions, .. }) =
        one("ALTER TABLE ONLY t ALTER COLUMN c SET STATISTICS -1;")
    else {
        panic!("not an alter")
    };
    assert_eq!(
        actions,
        [AlterAction::SetStatistics {
            column: "c".into(),
            target: None
        }]
    );
}

#[test]
fn twin_constraints_each_keep_their_own_clause() {
    let Ok(Ddl::CreateTable(t)) = one(
        "CREATE TABLE t (a int, UNIQUE (a) WITH (fillfactor = 70), UNIQUE (a) WITH (fillfactor = 80));",
    ) else {
        panic!("not a table")
    };
    let withs: Vec<Vec<String>> = t
        .constraints
        .iter()
        .map(|c| match &c.kind {
            ConstraintKind::Unique { index, .. } => index.with.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(withs, [["fillfactor=70"], ["fillfactor=80"]]);
}

#[test]
fn a_clause_that_belongs_to_no_constraint_is_an_error_with_a_location() {
    let err = one("ALTER TABLE t ADD CONSTRAINT c UNIQUE USING INDEX i WITH (fillfactor = 70);");
    let Err(err) = err else {
        panic!("accepted: {err:?}")
    };
    assert!(err.to_string().contains("belongs to"), "{err}");
    assert!(err.to_string().contains("t.sql"), "{err}");
}
