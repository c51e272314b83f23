//! `create-index`: CREATE INDEX without CONCURRENTLY on a table that already exists.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "create-index",
    severity: Severity::Error,
    title: "CREATE INDEX without CONCURRENTLY on a table that already exists",
    why: "A plain CREATE INDEX holds SHARE on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is built, which on a large table is minutes.",
    recipe: "`CREATE INDEX CONCURRENTLY`, outside a transaction (in its own migration marked non-transactional); if it fails, drop the INVALID index it leaves and retry",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);",
    bad: "CREATE INDEX accounts_email_idx ON accounts (email);",
    good: "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);",
};

/// Fires on `CreateIndex` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::CreateIndex))
}
