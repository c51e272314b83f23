//! `truncate`: TRUNCATE in a migration.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "truncate",
    severity: Severity::Error,
    title: "TRUNCATE in a migration",
    why: "TRUNCATE takes ACCESS EXCLUSIVE and removes every row at once; it waits behind every running transaction and queues everything behind it, and the data cannot be brought back.",
    recipe: "delete in batches (`DELETE ... WHERE id IN (SELECT id ... LIMIT n)`), or make sure the table is really unused",
    setup: "CREATE TABLE sessions (id bigint PRIMARY KEY);",
    bad: "TRUNCATE sessions;",
    good: "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions LIMIT 10000);",
};

/// Fires on `Truncate` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::Truncate))
}
