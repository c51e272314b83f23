//! Constraint statements: definitions, NOT VALID adds, validation, attaching an index, drops
//! and renames.

use super::cols;
use crate::catalog::ConstraintKind;
use crate::sql::{QName, quote_ident as q};

/// The body of `ADD CONSTRAINT name <body>`.
pub fn constraint_body(kind: &ConstraintKind) -> String {
    match kind {
        ConstraintKind::Check { expr } => format!("CHECK ({expr})"),
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
        } => {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                cols(columns),
                ref_table.sql(),
                cols(ref_columns)
            );
            if let Some(a) = on_delete {
                s.push_str(&format!(" ON DELETE {a}"));
            }
            if let Some(a) = on_update {
                s.push_str(&format!(" ON UPDATE {a}"));
            }
            s
        }
        ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", cols(columns)),
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
        } => format!(
            "UNIQUE{} ({})",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            cols(columns)
        ),
        ConstraintKind::Exclude { definition } => {
            crate::catalog::apply::exclusion_definition(definition)
        }
        ConstraintKind::PrimaryKeyUsingIndex { index } => {
            format!("PRIMARY KEY USING INDEX {}", q(index))
        }
        ConstraintKind::UniqueUsingIndex { index } => format!("UNIQUE USING INDEX {}", q(index)),
    }
}

/// `ALTER TABLE t ADD CONSTRAINT "n" <body> [NOT VALID]`.
pub fn add_constraint(table: &QName, name: &str, kind: &ConstraintKind, not_valid: bool) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {}{}",
        table.sql(),
        q(name),
        constraint_body(kind),
        if not_valid { " NOT VALID" } else { "" }
    )
}

/// `ALTER TABLE t ADD CONSTRAINT "n" CHECK ("c" IS NOT NULL) NOT VALID`.
pub fn add_not_null_check(table: &QName, name: &str, column: &str) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
        table.sql(),
        q(name),
        q(column)
    )
}

/// `ALTER TABLE t ADD CONSTRAINT "n" PRIMARY KEY|UNIQUE USING INDEX "i"`.
pub fn attach_index(table: &QName, name: &str, primary_key: bool, index: &str) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}",
        table.sql(),
        q(name),
        if primary_key { "PRIMARY KEY" } else { "UNIQUE" },
        q(index)
    )
}

/// `ALTER TABLE t VALIDATE CONSTRAINT "n"`.
pub fn validate(table: &QName, name: &str) -> String {
    format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        table.sql(),
        q(name)
    )
}

/// `ALTER TABLE t DROP CONSTRAINT IF EXISTS "n"`.
pub fn drop_constraint(table: &QName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
        table.sql(),
        q(name)
    )
}

/// `ALTER TABLE t RENAME CONSTRAINT "a" TO "b"`.
pub fn rename_constraint(table: &QName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
        table.sql(),
        q(from),
        q(to)
    )
}
