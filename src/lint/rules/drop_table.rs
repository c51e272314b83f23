//! `drop-table`: DROP TABLE while running code may still use it.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "drop-table",
    severity: Severity::Error,
    title: "DROP TABLE while running code may still use it",
    why: "The table and its data are gone at once; queries that still use it fail, and there is no rollback short of a restore.",
    recipe: "stop using the table first (deploy), keep a backup you have restored once, then drop it in a later migration",
    setup: "CREATE TABLE audit_old (id bigint PRIMARY KEY);",
    bad: "DROP TABLE audit_old;",
    good: "-- after a deploy that no longer uses audit_old, and a tested backup:
-- bellows:ignore drop-table
DROP TABLE audit_old;",
};

/// Fires on `DropTable` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::DropTable))
}
