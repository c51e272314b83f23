//! `drop-column`: DROP COLUMN while running code may still use it.

use super::{Cx, Doc, Severity};
use crate::safety::DdlForm;

/// What the rule is about, for messages, `--explain` and the book.
pub(super) const DOC: Doc = Doc {
    id: "drop-column",
    severity: Severity::Error,
    title: "DROP COLUMN while running code may still use it",
    why: "Dropping a column is a catalog change, but application code that still selects or writes it fails at once, and the data is gone: there is no rollback.",
    recipe: "stop using the column in the application first (deploy), then drop it in a later migration, with a lock timeout",
    setup: "CREATE TABLE accounts (id bigint PRIMARY KEY, legacy text);",
    bad: "ALTER TABLE accounts DROP COLUMN legacy;",
    good: "-- after a deploy that no longer reads or writes accounts.legacy:
SET lock_timeout = '2s';
-- bellows:ignore drop-column
ALTER TABLE accounts DROP COLUMN legacy;",
};

/// Fires on `DropColumn` on a table that existed before this migration.
pub(super) fn fires(cx: &Cx) -> bool {
    cx.existing
        && cx
            .subject
            .is_some_and(|s| matches!(s.form, DdlForm::DropColumn))
}
