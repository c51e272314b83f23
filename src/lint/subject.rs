//! What a statement does, in the knowledge base's terms: each DDL action becomes a
//! [`Subject`] (a [`DdlForm`] on a table), judged against the schema as the migrations so far
//! have left it (to tell binary-coercible type changes and proven NOT NULL apart).

use crate::catalog::Catalog;
use crate::safety::{DdlForm, binary_coercible};
use crate::sql::ddl::{AlterAction, ColumnDef, ConstraintKind, Ddl, ReindexTarget, TableLock};
use crate::sql::expr::{Volatility, volatility};
use crate::sql::{QName, Statement};

/// One DDL action of a statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// The form, as the knowledge base names it.
    pub form: DdlForm,
    /// The table it locks (None when bellows cannot tell, e.g. an unknown index).
    pub table: Option<QName>,
    /// What was written, in a few words (`ADD COLUMN "total"`).
    pub action: String,
    /// Something the reader should know about how the form was judged.
    pub note: Option<String>,
}

/// Transaction control and settings that the transaction rules follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// BEGIN / START TRANSACTION.
    Begin,
    /// COMMIT / END / ROLLBACK / ABORT.
    End,
    /// SET [LOCAL] lock_timeout.
    LockTimeout {
        /// It sets a limit (false for 0 / DEFAULT).
        on: bool,
        /// `SET LOCAL`: it ends with the transaction.
        local: bool,
    },
}

/// Read transaction control out of a statement's words.
pub fn control(st: &Statement) -> Option<Control> {
    let words: Vec<String> = st
        .text
        .split(|c: char| c.is_whitespace() || c == ';' || c == '=')
        .filter(|w| !w.is_empty())
        .take(5)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let w = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    match w(0) {
        "begin" | "start" => Some(Control::Begin),
        "commit" | "end" | "rollback" | "abort" => Some(Control::End),
        "set" => {
            let local = w(1) == "local";
            let at = if matches!(w(1), "local" | "session") {
                2
            } else {
                1
            };
            // `SET lock_timeout = '2s'` and `SET lock_timeout TO '2s'` (the `=` is a separator).
            let value = if w(at + 1) == "to" {
                w(at + 2)
            } else {
                w(at + 1)
            };
            (w(at) == "lock_timeout").then(|| {
                let v = value.trim_matches('\'');
                Control::LockTimeout {
                    on: !(v == "0" || v.eq_ignore_ascii_case("default") || v.is_empty()),
                    local,
                }
            })
        }
        _ => None,
    }
}

/// The form of `LOCK TABLE` in `mode`, when the mode blocks writes (weaker modes are what
/// ordinary reads and writes take themselves).
fn lock_form(mode: TableLock) -> Option<(DdlForm, &'static str)> {
    match mode {
        TableLock::AccessShare
        | TableLock::RowShare
        | TableLock::RowExclusive
        | TableLock::ShareUpdateExclusive => None,
        TableLock::Share => Some((DdlForm::LockTableShare, "SHARE")),
        TableLock::ShareRowExclusive => {
            Some((DdlForm::LockTableShareRowExclusive, "SHARE ROW EXCLUSIVE"))
        }
        TableLock::Exclusive => Some((DdlForm::LockTableExclusive, "EXCLUSIVE")),
        TableLock::AccessExclusive => Some((DdlForm::LockTableAccessExclusive, "ACCESS EXCLUSIVE")),
    }
}

/// Why bellows cannot judge (part of) a statement it did read: DDL it has no rule for. Data
/// changes and queries are not schema changes and are left alone.
pub fn unjudged(st: &Statement) -> Option<String> {
    if st.directives.raw && crate::sql::raw::classify_text("", &st.text).is_some() {
        return None;
    }
    match &st.ddl {
        Ddl::Unsupported { what } => Some(format!(
            "bellows reads it as `{what}`, which it does not judge yet"
        )),
        Ddl::DropObject { kind, .. } => Some(format!(
            "bellows reads it as `{}`, which it does not judge yet",
            kind.sql()
        )),
        Ddl::AttachIndex { .. } => Some(
            "bellows reads it as `ALTER INDEX ... ATTACH PARTITION`, which it does not judge yet"
                .into(),
        ),
        Ddl::AlterTable { actions, .. } => actions.iter().find_map(|a| {
            let what = match a {
                AlterAction::Unsupported { what } => what.as_str(),
                AlterAction::AttachPartition { .. } => "ATTACH PARTITION",
                AlterAction::DetachPartition { .. } => "DETACH PARTITION",
                _ => return None,
            };
            Some(format!(
                "bellows reads `ALTER TABLE ... {what}`, which it does not judge yet (the statement's other actions were checked)"
            ))
        }),
        _ => None,
    }
}

/// The DDL actions of `st`, judged against `cat` as it was before the statement.
pub fn subjects(st: &Statement, cat: &Catalog, pg: u32) -> Vec<Subject> {
    let s = |form, table: Option<&QName>, action: String| Subject {
        form,
        table: table.cloned(),
        action,
        note: None,
    };
    if st.directives.raw {
        // Judged by the form bellows recognizes it as, like the planner's raw step.
        return crate::sql::raw::classify_text("", &st.text)
            .map(|k| {
                vec![s(
                    crate::safety::raw_form(k.form),
                    Some(&k.table),
                    "a raw statement".into(),
                )]
            })
            .unwrap_or_default();
    }
    match &st.ddl {
        Ddl::CreateTable(d) => vec![s(
            DdlForm::CreateTable,
            Some(&d.name),
            "CREATE TABLE".into(),
        )],
        Ddl::CreateIndex(d) => {
            let (form, what) = if d.concurrently {
                (
                    DdlForm::CreateIndexConcurrently,
                    "CREATE INDEX CONCURRENTLY",
                )
            } else {
                (DdlForm::CreateIndex, "CREATE INDEX")
            };
            vec![s(form, Some(&d.table), what.into())]
        }
        Ddl::DropIndex {
            names,
            concurrently,
            ..
        } => names
            .iter()
            .map(|n| {
                let (form, what) = if *concurrently {
                    (DdlForm::DropIndexConcurrently, "DROP INDEX CONCURRENTLY")
                } else {
                    (DdlForm::DropIndex, "DROP INDEX")
                };
                s(
                    form,
                    cat.index_table(n).map(|t| &t.name),
                    format!("{what} {}", n.display()),
                )
            })
            .collect(),
        Ddl::Reindex {
            target,
            name,
            concurrently,
        } => {
            let table = match target {
                ReindexTarget::Table => Some(name.clone()),
                ReindexTarget::Index => cat.index_table(name).map(|t| t.name.clone()),
            };
            let form = if *concurrently {
                DdlForm::ReindexConcurrently
            } else {
                DdlForm::Reindex
            };
            let what = if *concurrently {
                "REINDEX CONCURRENTLY"
            } else {
                "REINDEX"
            };
            vec![s(form, table.as_ref(), what.into())]
        }
        Ddl::AlterTable { table, actions, .. } => actions
            .iter()
            .flat_map(|a| alter_action(table, a, cat, pg))
            .collect(),
        Ddl::DropTable { names, .. } => names
            .iter()
            .map(|n| s(DdlForm::DropTable, Some(n), "DROP TABLE".into()))
            .collect(),
        Ddl::Truncate { tables } => tables
            .iter()
            .map(|n| s(DdlForm::Truncate, Some(n), "TRUNCATE".into()))
            .collect(),
        Ddl::VacuumFull { table } => {
            vec![s(DdlForm::VacuumFull, table.as_ref(), "VACUUM FULL".into())]
        }
        Ddl::Cluster { table } => vec![s(DdlForm::Cluster, table.as_ref(), "CLUSTER".into())],
        Ddl::LockTable { tables, mode } => match lock_form(*mode) {
            Some((form, what)) => tables
                .iter()
                .map(|n| {
                    s(
                        form,
                        Some(n),
                        format!("LOCK TABLE {} IN {what} MODE", n.display()),
                    )
                })
                .collect(),
            None => Vec::new(),
        },
        Ddl::CreateTrigger(t) => vec![s(
            DdlForm::CreateTrigger,
            Some(&t.table),
            "CREATE TRIGGER".into(),
        )],
        // CREATE POLICY and DROP POLICY take ACCESS EXCLUSIVE for a catalog-only change.
        Ddl::CreatePolicy(p) => vec![s(
            DdlForm::DropTrigger,
            Some(&p.table),
            "CREATE POLICY".into(),
        )],
        Ddl::DropPolicy { table, .. } => {
            vec![s(DdlForm::DropTrigger, Some(table), "DROP POLICY".into())]
        }
        Ddl::AddEnumValue { .. } => vec![s(
            DdlForm::AddEnumValue,
            None,
            "ALTER TYPE ... ADD VALUE".into(),
        )],

        _ => Vec::new(),
    }
}

fn alter_action(table: &QName, a: &AlterAction, cat: &Catalog, pg: u32) -> Vec<Subject> {
    let t = Some(table.clone());
    let s = |form, action: String| Subject {
        form,
        table: t.clone(),
        action,
        note: None,
    };
    let q = crate::sql::quote_ident;
    match a {
        AlterAction::AddColumn { column, .. } => add_column(column, &t),
        AlterAction::DropColumn { name, .. } => {
            vec![s(DdlForm::DropColumn, format!("DROP COLUMN {}", q(name)))]
        }
        AlterAction::SetLogged { logged } => vec![s(
            DdlForm::SetLogged,
            if *logged {
                "SET LOGGED"
            } else {
                "SET UNLOGGED"
            }
            .into(),
        )],
        AlterAction::RenameColumn { from, to } => {
            vec![s(
                DdlForm::RenameColumn,
                format!("RENAME COLUMN {} TO {}", q(from), q(to)),
            )]
        }
        AlterAction::RenameTable { to } => {
            vec![s(DdlForm::RenameTable, format!("RENAME TO {}", q(to)))]
        }
        AlterAction::SetType { column, ty, using } => {
            let action = format!("ALTER COLUMN {} TYPE {ty}", q(column));
            let old = cat
                .table(table)
                .and_then(|t| t.column(column))
                .map(|c| c.ty.clone());
            match old {
                Some(old) if using.is_none() && binary_coercible(&old, ty, pg, false) => {
                    vec![s(DdlForm::AlterTypeCoercible, action)]
                }
                Some(old) => vec![Subject {
                    note: Some(format!("{old} to {ty} is not binary-coercible")),
                    ..s(DdlForm::AlterTypeRewrite, action)
                }],
                None => vec![Subject {
                    note: Some(
                        "the column's current type is unknown (it was not created in these files): pass --schema to judge whether the change is binary-coercible".into(),
                    ),
                    ..s(DdlForm::AlterTypeRewrite, action)
                }],
            }
        }
        AlterAction::SetNotNull { column } => {
            let proven = cat.table(table).is_some_and(|t| {
                t.constraints.values().any(|c| {
                    c.validated
                        && matches!(&c.kind, ConstraintKind::Check { expr } if proves_not_null(expr, column))
                })
            });
            let form = if proven {
                DdlForm::SetNotNullProven
            } else {
                DdlForm::SetNotNull
            };
            vec![s(form, format!("ALTER COLUMN {} SET NOT NULL", q(column)))]
        }
        AlterAction::DropNotNull { column } => vec![s(
            DdlForm::DropNotNull,
            format!("ALTER COLUMN {} DROP NOT NULL", q(column)),
        )],
        AlterAction::SetDefault { column, .. } | AlterAction::DropDefault { column } => {
            vec![s(
                DdlForm::SetDefault,
                format!("ALTER COLUMN {} SET/DROP DEFAULT", q(column)),
            )]
        }
        AlterAction::AddIdentity { column, .. } => vec![s(
            DdlForm::AddIdentity,
            format!("ALTER COLUMN {} ADD GENERATED AS IDENTITY", q(column)),
        )],
        AlterAction::AddConstraint { def, not_valid } => {
            let name = def
                .name
                .as_deref()
                .map(|n| format!(" {}", q(n)))
                .unwrap_or_default();
            let nv = if *not_valid { " NOT VALID" } else { "" };
            let (form, what) = match (&def.kind, not_valid) {
                (ConstraintKind::Check { .. }, false) => (DdlForm::AddCheck, "CHECK"),
                (ConstraintKind::Check { .. }, true) => (DdlForm::AddCheckNotValid, "CHECK"),
                (ConstraintKind::ForeignKey { .. }, false) => {
                    (DdlForm::AddForeignKey, "FOREIGN KEY")
                }
                (ConstraintKind::ForeignKey { .. }, true) => {
                    (DdlForm::AddForeignKeyNotValid, "FOREIGN KEY")
                }
                (ConstraintKind::PrimaryKey { .. }, _) => {
                    (DdlForm::AddUniqueOrPrimaryKey, "PRIMARY KEY")
                }
                (ConstraintKind::Unique { .. }, _) => (DdlForm::AddUniqueOrPrimaryKey, "UNIQUE"),
                (ConstraintKind::PrimaryKeyUsingIndex { .. }, _) => {
                    (DdlForm::AddConstraintUsingIndex, "PRIMARY KEY USING INDEX")
                }
                (ConstraintKind::UniqueUsingIndex { .. }, _) => {
                    (DdlForm::AddConstraintUsingIndex, "UNIQUE USING INDEX")
                }
                (ConstraintKind::Exclude { .. }, _) => (DdlForm::AddExclude, "EXCLUDE"),
            };
            vec![s(form, format!("ADD CONSTRAINT{name} {what}{nv}"))]
        }
        AlterAction::ValidateConstraint { name } => vec![s(
            DdlForm::ValidateConstraint,
            format!("VALIDATE CONSTRAINT {}", q(name)),
        )],
        AlterAction::DropConstraint { name, .. } => vec![s(
            DdlForm::DropConstraint,
            format!("DROP CONSTRAINT {}", q(name)),
        )],
        _ => Vec::new(),
    }
}

fn add_column(c: &ColumnDef, table: &Option<QName>) -> Vec<Subject> {
    let action = format!("ADD COLUMN {}", crate::sql::quote_ident(&c.name));
    let s = |form, note: Option<String>| Subject {
        form,
        table: table.clone(),
        action: action.clone(),
        note,
    };
    let mut out = vec![if c.serial || c.identity.is_some() {
        s(DdlForm::AddColumnSerialOrIdentity, None)
    } else if c.generated.is_some() {
        s(DdlForm::AddColumnGeneratedStored, None)
    } else if let Some(d) = &c.default {
        match volatility(d) {
            Volatility::Volatile(why) => s(DdlForm::AddColumnVolatileDefault, Some(why)),
            Volatility::Constant => s(DdlForm::AddColumnConstantDefault, None),
        }
    } else if c.not_null {
        s(DdlForm::AddColumnNotNullNoDefault, None)
    } else {
        s(DdlForm::AddColumnNullable, None)
    }];
    // Constraints written on the column are built with it.
    for k in &c.constraints {
        let form = match k.kind {
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. } => {
                DdlForm::AddUniqueOrPrimaryKey
            }
            ConstraintKind::ForeignKey { .. } => DdlForm::AddForeignKey,
            ConstraintKind::Check { .. } => DdlForm::AddCheck,
            _ => continue,
        };
        out.push(s(
            form,
            Some("a constraint written on the new column".into()),
        ));
    }
    out
}

/// Is `expr` the check `column IS NOT NULL`?
pub fn proves_not_null(expr: &str, column: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')' && *c != '"')
            .collect::<String>()
            .to_ascii_lowercase()
    };
    squash(expr) == format!("{}isnotnull", squash(column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_statement_is_judged_by_the_form_it_is_recognized_as() {
        let sts = crate::sql::parse_file(
            "m.sql",
            "-- bellows:raw\nALTER TABLE t SET (fillfactor = 70);\n\
             -- bellows:raw\nALTER TABLE t SET (user_catalog_table = true);",
            false,
        )
        .expect("parses");
        let cat = Catalog::default();
        let known = subjects(&sts[0], &cat, 15);
        assert_eq!(known.len(), 1);
        assert_eq!(known[0].form, DdlForm::SetStorageParameters);
        assert_eq!(known[0].table, Some(QName::public("t")));
        assert_eq!(unjudged(&sts[0]), None);
        assert!(subjects(&sts[1], &cat, 15).is_empty());
        assert!(unjudged(&sts[1]).is_some());
    }
}
