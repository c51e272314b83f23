//! Constraint statements: definitions, NOT VALID adds, validation, attaching an index, drops
//! and renames.

use super::{cols, with_params};
use crate::catalog::{ConstraintKind, Deferral, KeyIndex};
use crate::sql::{QName, quote_ident as q};

/// The body of `ADD CONSTRAINT name <body>`, with every option the kind carries.
pub fn constraint_body(kind: &ConstraintKind) -> String {
    let mut s = definition(kind);
    s.push_str(kind.deferral().sql());
    s
}

/// ` INCLUDE (...) WITH (...)` of a key's index (empty without options).
fn key_index(ix: &KeyIndex) -> String {
    let mut s = String::new();
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", cols(&ix.include)));
    }
    s.push_str(&with_params(&ix.with));
    s
}

/// The definition without the deferral clause.
fn definition(kind: &ConstraintKind) -> String {
    match kind {
        ConstraintKind::Check { expr } => format!("CHECK ({expr})"),
        fk @ ConstraintKind::ForeignKey { .. } => fk.foreign_key_sql().unwrap_or_default(),
        ConstraintKind::PrimaryKey { columns, index, .. } => {
            format!("PRIMARY KEY ({}){}", cols(columns), key_index(index))
        }
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
            index,
            ..
        } => format!(
            "UNIQUE{} ({}){}",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            cols(columns),
            key_index(index)
        ),
        ConstraintKind::Exclude { definition } => {
            crate::catalog::apply::exclusion_definition(definition)
        }
        ConstraintKind::PrimaryKeyUsingIndex { index, .. } => {
            format!("PRIMARY KEY USING INDEX {}", q(index))
        }
        ConstraintKind::UniqueUsingIndex { index, .. } => {
            format!("UNIQUE USING INDEX {}", q(index))
        }
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

/// `ALTER TABLE t ADD CONSTRAINT "n" PRIMARY KEY|UNIQUE USING INDEX "i" [DEFERRABLE ...]`.
pub fn attach_index(
    table: &QName,
    name: &str,
    primary_key: bool,
    index: &str,
    deferral: Deferral,
) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}{}",
        table.sql(),
        q(name),
        if primary_key { "PRIMARY KEY" } else { "UNIQUE" },
        q(index),
        deferral.sql()
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
