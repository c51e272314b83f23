//! `reindex`: REINDEX without CONCURRENTLY.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "reindex",
    severity: Severity::Error,
    title: "REINDEX without CONCURRENTLY",
    why: "REINDEX holds SHARE on the table while it rebuilds (and ACCESS EXCLUSIVE on the index): writes wait for the whole rebuild, and so do reads that would use the index.",
    recipe: "`REINDEX INDEX CONCURRENTLY` (PostgreSQL 12+), outside a transaction",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE INDEX accounts_email_idx ON accounts (email);",
    bad: "REINDEX INDEX accounts_email_idx;",
    good: "REINDEX INDEX CONCURRENTLY accounts_email_idx;",
};

/// Fires on `Reindex` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::Reindex))
}
