//! `drop-index`: DROP INDEX without CONCURRENTLY.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "drop-index",
    severity: Severity::Warning,
    title: "DROP INDEX without CONCURRENTLY",
    why: "DROP INDEX takes ACCESS EXCLUSIVE on the index's table. It is quick once granted, but while it waits for running transactions every new query on the table queues behind it.",
    recipe: "`DROP INDEX CONCURRENTLY`, outside a transaction",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE INDEX accounts_email_idx ON accounts (email);",
    bad: "DROP INDEX accounts_email_idx;",
    good: "DROP INDEX CONCURRENTLY accounts_email_idx;",
};

/// Fires on `DropIndex` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::DropIndex))
}
