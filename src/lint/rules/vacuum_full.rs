//! `vacuum-full`: VACUUM FULL in a migration.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "vacuum-full",
    severity: Severity::Error,
    title: "VACUUM FULL in a migration",
    why: "VACUUM FULL rewrites the whole table and its indexes under ACCESS EXCLUSIVE: nothing reads or writes it until it is done.",
    recipe: "plain `VACUUM` (online), or an online repacking tool such as pg_repack outside the migration",
    setup: "CREATE TABLE events (id bigint PRIMARY KEY);",
    bad: "VACUUM FULL events;",
    good: "VACUUM events;",
};

/// Fires on `VacuumFull` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::VacuumFull))
}
